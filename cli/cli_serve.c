/*
 * cli_serve - "smtpfuzz serve": the reference responder (smtp_session) as
 * a TCP server on an IPv4 address, for real SMTP clients and for
 * "smtpfuzz check --connect".
 *
 * What it does: one thread, one poll(2) loop, non-blocking sockets. Each
 * connection owns one smtp_session and a bounded output buffer. Replies
 * are sent as soon as they are made; a client that does not read them is
 * not read from either once SERVE_OUT_SOFT octets wait (backpressure), so
 * memory per connection stays bounded whatever the client does. Input is
 * fed to the session in slices of SERVE_FEED_SLICE octets for the same
 * reason: the session answers the same in any split (docs/contract.md section 5), so
 * the slicing is invisible on the wire.
 *
 * Closing: after the 221 to QUIT, an idle timeout ("421 4.4.2"), or a stop
 * signal ("421 4.3.2"), the last replies are flushed, the write side is
 * shut down, and what the client still sends is read and dropped until it
 * closes (SERVE_LINGER_MS at most), so close(2) does not turn unread input
 * into a reset that could destroy the replies in flight. Over the
 * --max-conn cap a new connection gets "421 4.3.2" and is closed.
 *
 * Signals: SIGINT and SIGTERM write one byte into a self-pipe that the
 * poll loop watches, so no signal can slip in between a check and poll()
 * and the handler does nothing but write(2). A second signal during the
 * graceful stop closes everything at once.
 *
 * How it fails: startup errors (bad address, bind, out of memory) are one
 * line on stderr and exit 1; a failing client is closed without harming
 * the others; accept(2) errors such as EMFILE pause accepting for
 * SERVE_ACCEPT_BACKOFF_MS instead of spinning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "smtp_reply.h"
#include "smtp_session.h"

#define SERVE_CMD "serve" /* our name in messages */

#define SERVE_MAX_CONN_DEFAULT 256   /* --max-conn */
#define SERVE_MAX_CONN_LIMIT 65535   /* largest --max-conn accepted */
#define SERVE_IDLE_DEFAULT 300       /* --idle-timeout, seconds (RFC 5321 4.5.3.2.7: 5 minutes) */
#define SERVE_IDLE_LIMIT 86400       /* largest --idle-timeout accepted */
#define SERVE_BACKLOG 128            /* listen(2) queue */
#define SERVE_READ_CHUNK 4096        /* octets per recv(2) */
#define SERVE_FEED_SLICE 64          /* octets per smtp_session_feed call */
#define SERVE_OUT_INITIAL 1024       /* first output buffer allocation */
#define SERVE_OUT_SOFT (64 * 1024)   /* pending replies above this: stop reading the client */
#define SERVE_OUT_HARD (1024 * 1024) /* pending replies above this: drop the client */
#define SERVE_FLUSH_GRACE_MS 5000    /* time to deliver the last replies (221, 421) */
#define SERVE_LINGER_MS 2000         /* time for the client to close after our last reply */
#define SERVE_STOP_MS 3000           /* the whole graceful stop, at most */
#define SERVE_ACCEPT_BACKOFF_MS 100  /* pause after an accept(2) error such as EMFILE */
#define SERVE_ACCEPT_BURST 64        /* connections accepted per loop turn, for fairness */
#define SERVE_NEVER INT64_MAX        /* a deadline that does not come */

/*
 * The only global mutable state: the self-pipe's write end, for the signal
 * handler, which can reach nothing else. sig_atomic_t so that setting it
 * back to -1 is atomic with respect to the handler.
 */
static volatile sig_atomic_t serve_signal_fd = -1;

/* What the command line asked for. */
struct serve_config {
    struct sockaddr_in addr;    /* --listen */
    unsigned long max_conn;     /* --max-conn */
    unsigned long idle_timeout; /* --idle-timeout, seconds; 0: never */
};

/* Where a connection is in its life. */
enum serve_conn_state {
    SERVE_CONN_ACTIVE,  /* the session runs: read commands, send replies */
    SERVE_CONN_CLOSING, /* the session ended: send the last replies, read nothing */
    SERVE_CONN_LINGER   /* replies sent, write side shut: drop input until the client closes */
};

/* One client connection. */
struct serve_conn {
    int fd;
    enum serve_conn_state state;
    struct smtp_session *session; /* NULL once the session ended */
    int dead;                     /* close at the end of this loop turn */
    int overflow;                 /* the reply buffer would pass SERVE_OUT_HARD, or no memory */
    int64_t deadline;             /* monotonic ms: idle timeout, flush grace or linger end */
    size_t in_off, in_len;        /* in[in_off..in_len) is read but not yet fed */
    char *out;                    /* replies: out[out_off..out_len) waits to be sent */
    size_t out_off, out_len, out_cap;
    char in[SERVE_READ_CHUNK];
};

/* The server: listener, self-pipe and connections. */
struct serve {
    const struct serve_config *cfg;
    int listen_fd;            /* -1 once closed for the stop */
    int signal_rd, signal_wr; /* the self-pipe */
    struct serve_conn **conns;
    size_t nconns;
    struct pollfd *pfds;   /* [0] self-pipe, [1] listener, [2 + i] conns[i] */
    int64_t accept_resume; /* 0, or when to poll the listener again after an error */
    int accept_warned;     /* an accept error was reported since the last success */
    int stopping;          /* a signal asked for the graceful stop */
    int64_t stop_deadline; /* monotonic ms: when the graceful stop gives up */
};

/* serve_now - monotonic clock in milliseconds */
static int64_t serve_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        cli_panic(__func__, "CLOCK_MONOTONIC unavailable");
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* serve_fd_setup - make fd non-blocking and close-on-exec; 0 or -1 with errno */
static int serve_fd_setup(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* serve_format - one of our own replies, through the reply generator; returns its length */
static size_t serve_format(unsigned code, const char *enh, const char *text, char *buf, size_t cap)
{
    struct smtp_text t = {text, strlen(text), SMTP_TEXT_OURS};
    struct smtp_reply_spec spec = {code, enh, &t, 1};
    size_t len = 0;

    if (smtp_reply_format(&spec, buf, cap, &len) != SMTP_REPLY_OK)
        cli_panic(__func__, "a fixed reply was refused by smtp_reply_format");
    return len;
}

/* serve_deadline - now + ms, but never past the graceful stop's deadline */
static int64_t serve_deadline(const struct serve *srv, int64_t now, int64_t ms)
{
    int64_t d = now + ms;

    return srv->stopping && srv->stop_deadline < d ? srv->stop_deadline : d;
}

/* serve_conn_pending - octets of replies waiting to be sent */
static size_t serve_conn_pending(const struct serve_conn *c)
{
    return c->out_len - c->out_off;
}

/* serve_conn_append - queue reply bytes; past SERVE_OUT_HARD or out of memory, mark overflow */
static void serve_conn_append(struct serve_conn *c, const char *bytes, size_t len)
{
    if (c->overflow || len == 0)
        return;
    if (c->out_cap - c->out_len < len && c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_cap - c->out_len < len) {
        size_t need = c->out_len + len;
        size_t cap = c->out_cap != 0 ? c->out_cap : SERVE_OUT_INITIAL;
        char *p;

        if (need > SERVE_OUT_HARD) {
            c->overflow = 1;
            return;
        }
        while (cap < need)
            cap *= 2;
        if (cap > SERVE_OUT_HARD)
            cap = SERVE_OUT_HARD;
        p = realloc(c->out, cap);
        if (p == NULL) {
            c->overflow = 1;
            return;
        }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, bytes, len);
    c->out_len += len;
}

/* serve_conn_sink - the session's reply sink: queue the bytes on the connection */
static void serve_conn_sink(void *ctx, const char *bytes, size_t len)
{
    serve_conn_append(ctx, bytes, len);
}

/* serve_conn_say - queue one of our own replies (421s) */
static void serve_conn_say(struct serve_conn *c, unsigned code, const char *enh, const char *text)
{
    char buf[SMTP_REPLY_LINE_MAX];

    serve_conn_append(c, buf, serve_format(code, enh, text, buf, sizeof buf));
}

/* serve_conn_touch - the client did something: restart its idle timer */
static void serve_conn_touch(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    if (c->state != SERVE_CONN_ACTIVE)
        return;
    c->deadline =
        srv->cfg->idle_timeout == 0 ? SERVE_NEVER : now + (int64_t)srv->cfg->idle_timeout * 1000;
}

/* serve_conn_end_session - free the session, drop unfed input, start flushing the last replies */
static void serve_conn_end_session(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    smtp_session_free(c->session);
    c->session = NULL;
    c->in_off = c->in_len = 0;
    c->state = SERVE_CONN_CLOSING;
    c->deadline = serve_deadline(srv, now, SERVE_FLUSH_GRACE_MS);
}

/* serve_conn_goodbye - end an active session with our own 421 reply */
static void serve_conn_goodbye(const struct serve *srv, struct serve_conn *c, int64_t now,
                               const char *enh, const char *text)
{
    if (c->state != SERVE_CONN_ACTIVE)
        return;
    serve_conn_end_session(srv, c, now);
    serve_conn_say(c, 421, enh, text);
}

/* serve_conn_feed - feed unfed input to the session while the reply backlog is small */
static void serve_conn_feed(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    while (c->state == SERVE_CONN_ACTIVE && c->in_off < c->in_len &&
           serve_conn_pending(c) < SERVE_OUT_SOFT && !c->overflow) {
        size_t n = c->in_len - c->in_off;
        enum smtp_target_state st;

        if (n > SERVE_FEED_SLICE)
            n = SERVE_FEED_SLICE;
        st = smtp_session_feed(c->session, c->in + c->in_off, n);
        c->in_off += n;
        if (st == SMTP_TARGET_CLOSED)
            serve_conn_end_session(srv, c, now); /* QUIT: the rest of the input is dropped */
    }
}

/* serve_conn_flush - send queued replies until done or the socket would block */
static void serve_conn_flush(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    while (!c->dead && c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

        if (n > 0) {
            c->out_off += (size_t)n;
            serve_conn_touch(srv, c, now);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            c->dead = 1; /* EPIPE, ECONNRESET: nobody will read the replies */
        }
    }
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (c->out_cap > SERVE_OUT_SOFT) {
            free(c->out); /* give a burst's memory back */
            c->out = NULL;
            c->out_cap = 0;
        }
    }
}

/* serve_conn_pump - send, feed more input as the backlog drains, and move on when flushed */
static void serve_conn_pump(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    for (;;) {
        serve_conn_flush(srv, c, now);
        if (c->dead || c->overflow)
            break;
        if (c->state != SERVE_CONN_ACTIVE || c->in_off == c->in_len ||
            serve_conn_pending(c) >= SERVE_OUT_SOFT)
            break;
        serve_conn_feed(srv, c, now);
    }
    if (c->overflow) {
        cli_error(SERVE_CMD, "dropping a client: its replies passed %d octets or memory ran out",
                  SERVE_OUT_HARD);
        c->dead = 1;
    }
    if (!c->dead && c->state == SERVE_CONN_CLOSING && serve_conn_pending(c) == 0) {
        (void)shutdown(c->fd, SHUT_WR); /* an error here only means the client is gone */
        c->state = SERVE_CONN_LINGER;
        c->deadline = serve_deadline(srv, now, SERVE_LINGER_MS);
    }
}

/* serve_conn_wants_input - true when the loop should read from the client */
static int serve_conn_wants_input(const struct serve_conn *c)
{
    if (c->state == SERVE_CONN_LINGER)
        return 1;
    return c->state == SERVE_CONN_ACTIVE && c->in_off == c->in_len &&
           serve_conn_pending(c) < SERVE_OUT_SOFT;
}

/* serve_conn_events - the poll(2) events a connection waits for */
static short serve_conn_events(const struct serve_conn *c)
{
    short ev = 0;

    if (serve_conn_wants_input(c))
        ev |= POLLIN;
    if (serve_conn_pending(c) > 0)
        ev |= POLLOUT;
    return ev;
}

/* serve_conn_read - take one chunk from the client: feed it, or drop it when lingering */
static void serve_conn_read(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    ssize_t n;

    do {
        n = recv(c->fd, c->in, sizeof c->in, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0 || (n == 0 && c->state == SERVE_CONN_LINGER)) {
        c->dead = 1;
        return;
    }
    if (c->state == SERVE_CONN_LINGER)
        return; /* after our last reply, input only needs draining */
    if (n == 0) {
        serve_conn_end_session(srv, c, now); /* end of input: no 421, just flush and close */
    } else {
        c->in_off = 0;
        c->in_len = (size_t)n;
        serve_conn_touch(srv, c, now);
        serve_conn_feed(srv, c, now);
    }
    serve_conn_pump(srv, c, now);
}

/* serve_conn_handle - act on the poll(2) result of one connection */
static void serve_conn_handle(const struct serve *srv, struct serve_conn *c, short revents,
                              int64_t now)
{
    /* Error or hang-up: the replies cannot arrive any more, so there is nothing to wait for. */
    if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        c->dead = 1;
        return;
    }
    if (revents & POLLOUT)
        serve_conn_pump(srv, c, now);
    if (!c->dead && (revents & POLLIN) && serve_conn_wants_input(c))
        serve_conn_read(srv, c, now);
}

/* serve_conn_expire - act on a passed deadline: idle 421, or give up flushing/lingering */
static void serve_conn_expire(const struct serve *srv, struct serve_conn *c, int64_t now)
{
    if (c->dead || now < c->deadline)
        return;
    if (c->state != SERVE_CONN_ACTIVE) {
        c->dead = 1;
        return;
    }
    serve_conn_goodbye(srv, c, now, "4.4.2", "Idle timeout");
    serve_conn_pump(srv, c, now);
}

/* serve_conn_free - close the socket and release everything the connection owns */
static void serve_conn_free(struct serve_conn *c)
{
    smtp_session_free(c->session);
    (void)close(c->fd);
    free(c->out);
    free(c);
}

/* serve_conn_new - adopt an accepted socket: session, greeting; NULL when out of memory */
static struct serve_conn *serve_conn_new(const struct serve *srv, int fd, int64_t now)
{
    struct serve_conn *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->state = SERVE_CONN_ACTIVE;
    serve_conn_touch(srv, c, now);
    c->session = smtp_session_new(serve_conn_sink, c); /* queues the 220 greeting */
    if (c->session == NULL || c->overflow) {
        smtp_session_free(c->session);
        free(c->out);
        free(c);
        return NULL;
    }
    serve_conn_pump(srv, c, now);
    return c;
}

/* serve_refuse - tell a connection over the cap why, and close it */
static void serve_refuse(int fd)
{
    char buf[SMTP_REPLY_LINE_MAX];
    size_t len = serve_format(421, "4.3.2", "Too many connections", buf, sizeof buf);

    /* A fresh socket's send buffer is empty, so the short reply fits; if not, the client is gone.
     */
    (void)send(fd, buf, len, MSG_NOSIGNAL);
    (void)close(fd);
}

/* serve_accept_error - handle an accept(2) failure; 1 when the loop should stop accepting now */
static int serve_accept_error(struct serve *srv, int err, int64_t now)
{
    switch (err) {
    case EINTR:
    case ECONNABORTED:
        return 0; /* that one connection is gone; try the next */
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
        return 1; /* nothing left to accept */
    default:
        /*
         * EMFILE, ENFILE, ENOBUFS, ENOMEM and Linux's passed-on network
         * errors: the pending connection stays queued and poll() would
         * report it again at once, so pause instead of spinning.
         */
        if (!srv->accept_warned)
            cli_error(SERVE_CMD, "accept: %s; pausing new connections", strerror(err));
        srv->accept_warned = 1;
        srv->accept_resume = now + SERVE_ACCEPT_BACKOFF_MS;
        return 1;
    }
}

/* serve_accept - accept waiting connections: adopt them, or refuse them over the cap */
static void serve_accept(struct serve *srv, int64_t now)
{
    int i;

    for (i = 0; i < SERVE_ACCEPT_BURST; i++) {
        int one = 1;
        struct serve_conn *c;
        int fd = accept(srv->listen_fd, NULL, NULL);

        if (fd < 0) {
            if (serve_accept_error(srv, errno, now))
                return;
            continue;
        }
        srv->accept_warned = 0;
        if (serve_fd_setup(fd) != 0) {
            (void)close(fd);
            continue;
        }
        if (srv->nconns >= srv->cfg->max_conn) {
            serve_refuse(fd);
            continue;
        }
        /* Replies go out in one send per batch already; Nagle would only delay them. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = serve_conn_new(srv, fd, now);
        if (c == NULL) {
            cli_error(SERVE_CMD, "out of memory for a new connection; closing it");
            (void)close(fd);
            continue;
        }
        srv->conns[srv->nconns++] = c;
    }
}

/* serve_begin_stop - stop accepting and say 421 to every active session */
static void serve_begin_stop(struct serve *srv, int64_t now)
{
    size_t i;

    srv->stopping = 1;
    srv->stop_deadline = now + SERVE_STOP_MS;
    if (srv->listen_fd >= 0) {
        (void)close(srv->listen_fd);
        srv->listen_fd = -1;
    }
    for (i = 0; i < srv->nconns; i++) {
        struct serve_conn *c = srv->conns[i];

        serve_conn_goodbye(srv, c, now, "4.3.2", "Shutting down");
        if (c->deadline > srv->stop_deadline)
            c->deadline = srv->stop_deadline;
        serve_conn_pump(srv, c, now);
    }
}

/* serve_on_signal - SIGINT/SIGTERM handler: one byte into the self-pipe, nothing else */
static void serve_on_signal(int signo)
{
    int saved = errno;
    int fd = serve_signal_fd;
    unsigned char b = (unsigned char)signo;

    if (fd >= 0) {
        ssize_t r = write(fd, &b, 1); /* a full pipe already holds a wake-up: nothing lost */
        (void)r;
    }
    errno = saved;
}

/* serve_signals - install (handler) or restore (SIG_DFL) SIGINT and SIGTERM; also ignore SIGPIPE */
static int serve_signals(void (*handler)(int))
{
    static const int signos[] = {SIGINT, SIGTERM};
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = handler;
    for (i = 0; i < sizeof signos / sizeof signos[0]; i++)
        if (sigaction(signos[i], &sa, NULL) != 0)
            return -1;
    return 0;
}

/* serve_drain_signals - empty the self-pipe; returns how many signals it held */
static int serve_drain_signals(const struct serve *srv)
{
    unsigned char buf[64];
    int count = 0;
    ssize_t n;

    while ((n = read(srv->signal_rd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        count += n > 0 ? (int)n : 0;
    return count;
}

/* serve_poll_timeout - milliseconds until the nearest deadline, -1 for none */
static int serve_poll_timeout(const struct serve *srv, int64_t now)
{
    int64_t next = SERVE_NEVER;
    size_t i;

    for (i = 0; i < srv->nconns; i++)
        if (srv->conns[i]->deadline < next)
            next = srv->conns[i]->deadline;
    if (srv->accept_resume != 0 && srv->accept_resume < next)
        next = srv->accept_resume;
    if (srv->stopping && srv->stop_deadline < next)
        next = srv->stop_deadline;
    if (next == SERVE_NEVER)
        return -1;
    if (next <= now)
        return 0;
    return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/* serve_sweep - free the connections marked dead, keeping the others in order */
static void serve_sweep(struct serve *srv)
{
    size_t i, kept = 0;

    for (i = 0; i < srv->nconns; i++) {
        if (srv->conns[i]->dead)
            serve_conn_free(srv->conns[i]);
        else
            srv->conns[kept++] = srv->conns[i];
    }
    srv->nconns = kept;
}

/* serve_loop - the event loop, until a stop signal and the last connection closed */
static int serve_loop(struct serve *srv)
{
    for (;;) {
        int64_t now = serve_now();
        size_t i;
        int n;

        for (i = 0; i < srv->nconns; i++) {
            if (srv->stopping && now >= srv->stop_deadline)
                srv->conns[i]->dead = 1;
            serve_conn_expire(srv, srv->conns[i], now);
        }
        serve_sweep(srv);
        if (srv->stopping && srv->nconns == 0)
            return CLI_EXIT_OK;
        if (srv->accept_resume != 0 && now >= srv->accept_resume)
            srv->accept_resume = 0;

        srv->pfds[0] = (struct pollfd){.fd = srv->signal_rd, .events = POLLIN, .revents = 0};
        srv->pfds[1] = (struct pollfd){
            .fd = srv->listen_fd >= 0 && srv->accept_resume == 0 ? srv->listen_fd : -1,
            .events = POLLIN,
            .revents = 0};
        for (i = 0; i < srv->nconns; i++)
            srv->pfds[2 + i] = (struct pollfd){
                .fd = srv->conns[i]->fd, .events = serve_conn_events(srv->conns[i]), .revents = 0};

        n = poll(srv->pfds, 2 + srv->nconns, serve_poll_timeout(srv, now));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error(SERVE_CMD, "poll: %s", strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        now = serve_now();
        for (i = 0; i < srv->nconns; i++)
            if (srv->pfds[2 + i].revents != 0)
                serve_conn_handle(srv, srv->conns[i], srv->pfds[2 + i].revents, now);
        if (srv->pfds[0].revents != 0 && serve_drain_signals(srv) > 0) {
            if (srv->stopping) {
                for (i = 0; i < srv->nconns; i++)
                    srv->conns[i]->dead = 1; /* asked twice: stop now */
            } else {
                serve_begin_stop(srv, now);
            }
        }
        if (srv->pfds[1].revents != 0 && srv->listen_fd >= 0)
            serve_accept(srv, now);
        serve_sweep(srv);
    }
}

/* serve_listen - socket, SO_REUSEADDR, bind, listen; the fd, or -1 after reporting why */
static int serve_listen(const struct serve_config *cfg)
{
    char addr[INET_ADDRSTRLEN];
    struct sockaddr_in bound;
    socklen_t bound_len = sizeof bound;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_ntop(AF_INET, &cfg->addr.sin_addr, addr, sizeof addr);
    if (fd < 0) {
        cli_error(SERVE_CMD, "socket: %s", strerror(errno));
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        serve_fd_setup(fd) != 0) {
        cli_error(SERVE_CMD, "socket options: %s", strerror(errno));
        (void)close(fd);
        return -1;
    }
    if (bind(fd, (const struct sockaddr *)&cfg->addr, sizeof cfg->addr) != 0 ||
        listen(fd, SERVE_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
        cli_error(SERVE_CMD, "cannot listen on %s:%u: %s", addr, ntohs(cfg->addr.sin_port),
                  strerror(errno));
        (void)close(fd);
        return -1;
    }
    /* Tests and scripts read the real port from this line when they asked for port 0. */
    printf("listening on %s:%u\n", addr, ntohs(bound.sin_port));
    if (fflush(stdout) != 0)
        cli_error(SERVE_CMD, "cannot print the listening address: %s", strerror(errno));
    return fd;
}

/* serve_raise_fd_limit - make room for max_conn sockets if the hard limit allows; warn if not */
static void serve_raise_fd_limit(unsigned long max_conn)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)max_conn + 16; /* stdio, listener, self-pipe, and some slack */

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
        cli_error(SERVE_CMD, "warning: the open files limit is below --max-conn %lu", max_conn);
}

/* serve_run - set up listener, self-pipe and signals, run the loop, tear down */
static int serve_run(const struct serve_config *cfg)
{
    struct serve srv;
    int pipefd[2];
    int rc;
    size_t i;

    memset(&srv, 0, sizeof srv);
    srv.cfg = cfg;
    serve_raise_fd_limit(cfg->max_conn);
    srv.conns = calloc(cfg->max_conn, sizeof *srv.conns);
    srv.pfds = calloc(cfg->max_conn + 2, sizeof *srv.pfds);
    if (srv.conns == NULL || srv.pfds == NULL) {
        cli_error(SERVE_CMD, "out of memory");
        free(srv.conns);
        free(srv.pfds);
        return CLI_EXIT_FAILURE;
    }
    if (pipe(pipefd) != 0 || serve_fd_setup(pipefd[0]) != 0 || serve_fd_setup(pipefd[1]) != 0) {
        cli_error(SERVE_CMD, "self-pipe: %s", strerror(errno));
        free(srv.conns);
        free(srv.pfds);
        return CLI_EXIT_FAILURE;
    }
    srv.signal_rd = pipefd[0];
    srv.signal_wr = pipefd[1];
    serve_signal_fd = srv.signal_wr;
    rc = CLI_EXIT_FAILURE;
    if (serve_signals(serve_on_signal) != 0) {
        cli_error(SERVE_CMD, "sigaction: %s", strerror(errno));
    } else {
        srv.listen_fd = serve_listen(cfg);
        if (srv.listen_fd >= 0)
            rc = serve_loop(&srv);
    }
    (void)serve_signals(SIG_DFL);
    serve_signal_fd = -1;
    for (i = 0; i < srv.nconns; i++)
        serve_conn_free(srv.conns[i]);
    if (srv.listen_fd >= 0)
        (void)close(srv.listen_fd);
    (void)close(srv.signal_rd);
    (void)close(srv.signal_wr);
    free(srv.conns);
    free(srv.pfds);
    return rc;
}

/* Options of "smtpfuzz serve", in table order. */
enum serve_opt {
    SERVE_OPT_HELP,
    SERVE_OPT_LISTEN,
    SERVE_OPT_MAX_CONN,
    SERVE_OPT_IDLE_TIMEOUT,
    SERVE_OPT_COUNT
};

static const struct cli_option serve_options[SERVE_OPT_COUNT] = {
    [SERVE_OPT_HELP] = {"help", 'h', 0},
    [SERVE_OPT_LISTEN] = {"listen", 0, 1},
    [SERVE_OPT_MAX_CONN] = {"max-conn", 0, 1},
    [SERVE_OPT_IDLE_TIMEOUT] = {"idle-timeout", 0, 1},
};

static const char serve_usage[] =
    "usage: smtpfuzz serve --listen IPV4:PORT [--max-conn N] [--idle-timeout SECONDS]\n"
    "\n"
    "Run the reference SMTP responder as a TCP server. With PORT 0 the system\n"
    "picks a free port; either way the first line on standard output is\n"
    "'listening on IPV4:PORT'. SIGINT or SIGTERM stops it gracefully: open\n"
    "sessions get '421 4.3.2 Shutting down', then it exits 0 (a second signal\n"
    "closes everything at once).\n"
    "\n"
    "options:\n"
    "  --listen IPV4:PORT       address to listen on, an IPv4 literal such as\n"
    "                           127.0.0.1:2525 (required; no host names, no IPv6)\n"
    "  --max-conn N             at most N open connections, 1..65535 (default 256);\n"
    "                           one more gets '421 4.3.2 Too many connections'\n"
    "  --idle-timeout SECONDS   a session that sends and reads nothing this long\n"
    "                           gets '421 4.4.2 Idle timeout', 0..86400, 0 = never\n"
    "                           (default 300)\n"
    "  -h, --help               show this help and exit\n";

/* serve_number - parse an option's number or report a usage error; 1 when *out was set */
static int serve_number(const char *opt, const char *value, unsigned long min, unsigned long max,
                        unsigned long *out)
{
    char q[CLI_QUOTE_MAX];
    enum cli_num_status st = cli_parse_ulong(value, min, max, out);

    if (st == CLI_NUM_OK)
        return 1;
    cli_usage_error(SERVE_CMD, "--%s %s: %s (want %lu..%lu)", opt, cli_quote(value, q),
                    cli_num_status_name(st), min, max);
    return 0;
}

/* cli_serve_main - the reference responder as a single-threaded TCP server */
int cli_serve_main(int argc, char **argv)
{
    struct serve_config cfg;
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value;
    int have_listen = 0;
    size_t opt;

    memset(&cfg, 0, sizeof cfg);
    cfg.max_conn = SERVE_MAX_CONN_DEFAULT;
    cfg.idle_timeout = SERVE_IDLE_DEFAULT;
    cli_parser_init(&p, SERVE_CMD, serve_options, SERVE_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        char q[CLI_QUOTE_MAX];
        enum cli_addr_status as;

        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            cli_usage_error(SERVE_CMD, "unexpected argument %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        switch ((enum serve_opt)opt) {
        case SERVE_OPT_HELP:
            return cli_print_stdout(SERVE_CMD, serve_usage);
        case SERVE_OPT_LISTEN:
            as = cli_parse_ipv4_port(value, &cfg.addr);
            if (as != CLI_ADDR_OK) {
                cli_usage_error(SERVE_CMD, "--listen %s: %s", cli_quote(value, q),
                                cli_addr_status_name(as));
                return CLI_EXIT_USAGE;
            }
            have_listen = 1;
            break;
        case SERVE_OPT_MAX_CONN:
            if (!serve_number("max-conn", value, 1, SERVE_MAX_CONN_LIMIT, &cfg.max_conn))
                return CLI_EXIT_USAGE;
            break;
        case SERVE_OPT_IDLE_TIMEOUT:
            if (!serve_number("idle-timeout", value, 0, SERVE_IDLE_LIMIT, &cfg.idle_timeout))
                return CLI_EXIT_USAGE;
            break;
        case SERVE_OPT_COUNT:
            cli_panic(__func__, "option row out of range");
        }
    }
    if (!have_listen) {
        cli_usage_error(SERVE_CMD, "missing --listen IPV4:PORT");
        return CLI_EXIT_USAGE;
    }
    return serve_run(&cfg);
}

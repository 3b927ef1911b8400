/*
 * ext_session - one SMTP session against an external target: the poll
 * loop (contract in ext_run.h).
 *
 * One poll(2) loop serves both modes. What may be written is bounded by
 * the oracle's own walk over the client stream (fuzz/oracle_stream.h):
 * each complete reply the reply parser reads back moves it on, so the
 * runner and the judge agree on which octets a reply answers. In
 * lock-step mode only the current unit may be written (a BDAT line with
 * its chunk is one unit); in pipelined mode everything may, and the walk
 * only tells when every owed reply is in. Deadlines: greeting, reply
 * (since the last progress while a reply is owed), drain (after the walk
 * is done) and the whole session.
 */
#include "ext_run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "ext_process.h"
#include "oracle_stream.h"
#include "proc_rss.h"
#include "sanitizer_report.h"
#include "smtp_reply_parse.h"

#define READ_CHUNK 16384             /* octets per read(2) */
#define RSS_POLL_MS 10               /* VmRSS sampling period when a limit is set */
#define RSS_SAMPLE_OCTETS (1u << 20) /* ... and a sample after this many client octets */
#define EXIT_GRACE_MS 500            /* after the session: time for the child to exit by itself */
#define EXT_STALL_DIVISOR 4   /* lock-step sends the rest after a quarter of the reply timeout */
#define SHELL_SIGNAL_BASE 128 /* a shell reports a child killed by signal N as 128 + N */
#define DECISION_MIN_MS 50    /* the least a held-back chunk waits for a refusal */
#define GROUP_UNITS_MAX 64    /* units one RFC 2920 group may span (a bound on the look-ahead) */

/* The run: the peer, deadlines, the walk and the stderr scanner. */
struct run {
    const struct ext_options *o;
    const char *c;
    size_t clen;
    struct ext_result *res;
    size_t reply_cap;
    struct ext_peer peer;
    int out_eof, err_eof;
    double t0, progress, drain_deadline;
    struct smtp_rp rp;
    size_t reply_start;        /* where the reply being read began in res->replies */
    struct oracle_stream walk; /* the judge's walk: what each reply answers */
    size_t unit_end;           /* client octets the current unit needs out before its reply */
    int awaiting;              /* a reply is owed for the current unit */
    int greeted, over, done;
    int stalled;           /* lock-step gave up waiting and sent the rest */
    int ends_with_quit;    /* the stream's last line is QUIT: the FIN may follow it at once */
    int chunk_wait;        /* lock-step: the current BDAT line's chunk is held back */
    int lf_wait;           /* the current line ends in a bare LF the server may not end it at */
    size_t chunk_end;      /* where that chunk ends */
    double unit_out_at;    /* when the current unit was all sent (0: not yet) */
    double max_latency_ms; /* the longest a reply took after its unit was out */
    size_t cut_i;          /* the next cut (o->cuts) not yet reached */
    double write_at;       /* no write before this (the pause after a cut) */
    int base_known;        /* res->base_rss_kb was sampled */
    double rss_at;         /* the next VmRSS sample is due ... */
    size_t rss_sent;       /* ... or once this many more octets than this are out */
    struct sanitizer_scan scan;
};

/* now_ms - the monotonic clock in milliseconds */
static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ */
/* The walk                                                             */

/* ends_with_quit - the stream's last line is QUIT (any case), with nothing after it */
static int ends_with_quit(const char *c, size_t len)
{
    static const char quit[] = "QUIT\r\n";
    size_t n = sizeof quit - 1, i;

    if (len < n || (len > n && c[len - n - 1] != '\n'))
        return 0;
    for (i = 0; i < n; i++) {
        char ch = c[len - n + i];
        if ((ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch) != quit[i])
            return 0;
    }
    return 1;
}

static void settle_unit(struct run *r);

/*
 * model_settle - move past units owed nothing; set what may be sent and whether a reply is
 * owed; a unit already out (pipelined) counts as sent now
 */
static void model_settle(struct run *r)
{
    settle_unit(r);
    if (r->awaiting && r->unit_out_at == 0 && r->res->sent >= r->unit_end && r->greeted)
        r->unit_out_at = now_ms();
}

/* settle_unit - model_settle's walk to the next unit that owes a reply */
static void settle_unit(struct run *r)
{
    r->unit_out_at = 0;
    r->chunk_wait = 0;
    r->lf_wait = 0;
    for (;;) {
        const struct oracle_unit *u = oracle_stream_unit(&r->walk);

        switch (u->kind) {
        case ORACLE_UNIT_GREETING:
            r->awaiting = 1;
            r->unit_end = 0;
            return;
        case ORACLE_UNIT_LINE:
        case ORACLE_UNIT_AUTH:
            if (u->chunk_short)
                break; /* the stream ends inside the chunk: the server may wait for the rest,
                          and owes a reply only if it refuses the line at once (drained) */
            /*
             * A chunk goes out with its BDAT line: the server answers once it has both. Held
             * back, outside pipelined mode, until the server has had time to answer the line
             * alone (contract section 8.5): one whose size a server may refuse unread (more
             * than nine digits), and any BDAT after an EHLO or HELO reply that did not offer
             * CHUNKING (a server that does not know BDAT reads no chunk). A refusal in that
             * time means the octets are command lines; silence, that the server waits for
             * the chunk, which then goes. Before any EHLO reply the chunk goes with its line.
             */
            r->awaiting = 1;
            r->unit_end = u->off + u->len + u->chunk_len;
            r->lf_wait = u->kind == ORACLE_UNIT_LINE && u->len >= 1 &&
                         r->c[u->off + u->len - 1] == '\n' &&
                         (u->len < 2 || r->c[u->off + u->len - 2] != '\r');
            if (u->chunk && !u->chunk_certain) {
                if (r->o->mode != EXT_PIPELINE && (u->chunk_long || u->chunk_unoffered)) {
                    r->chunk_wait = 1;
                    r->chunk_end = r->unit_end;
                    r->unit_end = u->off + u->len;
                } else {
                    oracle_stream_chunk_sent(&r->walk);
                }
            }
            return;
        case ORACLE_UNIT_TEXT:
            if (u->owed) {
                r->awaiting = 1;
                r->unit_end = u->off + u->len;
                return;
            }
            break; /* the stream ends inside the message: nothing more is owed */
        case ORACLE_UNIT_CHUNK:
            oracle_stream_skip(&r->walk); /* already sent with its line */
            continue;
        case ORACLE_UNIT_AFTER:
            r->over = 1; /* 221 or 421: nothing more is sent */
            r->awaiting = 0;
            return;
        case ORACLE_UNIT_TAIL:
        case ORACLE_UNIT_UNCHECKED:
        case ORACLE_UNIT_END:
        case ORACLE_UNIT_KIND_COUNT:
            break;
        }
        r->awaiting = 0;
        r->done = 1;
        r->unit_end = r->clen;
        return;
    }
}

/* model_reply - a complete reply with this code arrived: pair it with the owed unit */
static void model_reply(struct run *r, unsigned code, const char *text, size_t len, double now)
{
    r->res->replies_seen++;
    if (r->over || r->done || !r->awaiting)
        return; /* an extra reply: kept for the oracle, nothing to pair */
    if (r->unit_out_at > 0 && now - r->unit_out_at > r->max_latency_ms)
        r->max_latency_ms = now - r->unit_out_at;
    r->greeted = 1;
    oracle_stream_reply_text(&r->walk, code, text, len);
    model_settle(r);
}

/* continues_group - line[0..len) is a MAIL, RCPT, RSET or BDAT command (RFC 2920 3.1) */
static int continues_group(const char *line, size_t len)
{
    static const char *const verbs[] = {"MAIL", "RCPT", "RSET", "BDAT"};
    size_t v, i;

    if (len < 6 || (line[4] != ' ' && line[4] != '\r'))
        return 0;
    for (v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
        for (i = 0; i < 4; i++) {
            char ch = line[i];
            if ((ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch) != verbs[v][i])
                break;
        }
        if (i == 4)
            return 1;
    }
    return 0;
}

/*
 * group_end - groups mode: how far the client stream may be out now. Once PIPELINING was
 * offered, a copy of the walk looks ahead: a line that may continue a group (a well-framed
 * MAIL, RCPT, RSET, or BDAT with a chunk every reading agrees on) takes the next unit along,
 * whatever its reply (none of them changes where the next unit begins).
 */
static size_t group_end(const struct run *r)
{
    static const char pipelining[] = "PIPELINING";
    struct oracle_stream w;
    size_t end = r->unit_end;
    int k;

    if (!r->awaiting || !oracle_stream_offers(&r->walk, pipelining, sizeof pipelining - 1))
        return end;
    w = r->walk;
    for (k = 0; k < GROUP_UNITS_MAX; k++) {
        const struct oracle_unit *u = oracle_stream_unit(&w);
        if (u->kind != ORACLE_UNIT_LINE || u->fault != ORACLE_FAULT_NONE || u->chunk_short ||
            (u->chunk && !u->chunk_certain) || !continues_group(r->c + u->off, u->len))
            break;
        oracle_stream_reply(&w, 250); /* what-if: the framing does not depend on it */
        u = oracle_stream_unit(&w);
        if (u->kind == ORACLE_UNIT_CHUNK) {
            oracle_stream_skip(&w);
            u = oracle_stream_unit(&w);
        }
        if (u->kind != ORACLE_UNIT_LINE || u->chunk_short || (u->chunk && !u->chunk_certain))
            break;
        end = u->off + u->len + u->chunk_len;
    }
    return end;
}

/* decision_ms - how long a held-back chunk waits for a refusal: the server's pace, bounded */
static double decision_ms(const struct run *r)
{
    double stall = (double)r->o->reply_timeout_ms / EXT_STALL_DIVISOR;
    double w = 4 * r->max_latency_ms;

    return w < DECISION_MIN_MS ? DECISION_MIN_MS : w > stall ? stall : w;
}

/* ------------------------------------------------------------------ */
/* Reading and writing                                                  */

/* keep_stderr - the last EXT_STDERR_TAIL octets, the total, and the sanitizer scan */
static void keep_stderr(struct run *r, const char *buf, size_t n)
{
    struct ext_result *res = r->res;

    res->stderr_total += n;
    if (n >= EXT_STDERR_TAIL) {
        memcpy(res->stderr_tail, buf + n - EXT_STDERR_TAIL, EXT_STDERR_TAIL);
        res->stderr_len = EXT_STDERR_TAIL;
    } else {
        size_t keep = res->stderr_len + n > EXT_STDERR_TAIL ? EXT_STDERR_TAIL - n : res->stderr_len;
        memmove(res->stderr_tail, res->stderr_tail + res->stderr_len - keep, keep);
        memcpy(res->stderr_tail + keep, buf, n);
        res->stderr_len = keep + n;
    }
    sanitizer_scan_feed(&r->scan, buf, n);
}

/* read_err - read what the child wrote on stderr; sets err_eof */
static void read_err(struct run *r)
{
    char buf[READ_CHUNK];

    for (;;) {
        ssize_t n = read(r->peer.err_fd, buf, sizeof buf);
        if (n > 0) {
            keep_stderr(r, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            r->err_eof = 1;
        return;
    }
}

/* read_out - read replies into the caller's buffer and feed the walk; 1 on FLOOD */
static int read_out(struct run *r)
{
    struct ext_result *res = r->res;

    for (;;) {
        char spill[1];
        size_t room = r->reply_cap - res->replies_len;
        char *dst = room > 0 ? res->replies + res->replies_len : spill;
        ssize_t n =
            read(r->peer.out_fd, dst, room > 0 ? (room < READ_CHUNK ? room : READ_CHUNK) : 1);
        size_t off;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) {
            r->out_eof = 1; /* end of stream, or ECONNRESET and the like: the peer is gone */
            return 0;
        }
        if (room == 0)
            return 1;
        r->progress = now_ms();
        off = res->replies_len;
        res->replies_len += (size_t)n;
        while (off < res->replies_len) {
            struct smtp_rp_line line;
            struct smtp_rp_reply rep;
            size_t used = 0;
            enum smtp_rp_result rr = smtp_rp_feed(&r->rp, res->replies + off,
                                                  res->replies_len - off, &used, &line, &rep);
            off += used > 0 ? used : res->replies_len - off;
            if (rr == SMTP_RP_REPLY) {
                model_reply(r, rep.code, res->replies + r->reply_start, off - r->reply_start,
                            r->progress);
                r->reply_start = off;
            } else if (rr == SMTP_RP_NEED_MORE) {
                break;
            }
        }
    }
}

/* cut_limit - limit, or the next cut when that comes first */
static size_t cut_limit(struct run *r, size_t limit)
{
    const struct ext_options *o = r->o;

    while (r->cut_i < o->ncuts && o->cuts[r->cut_i] <= r->res->sent)
        r->cut_i++;
    return r->cut_i < o->ncuts && o->cuts[r->cut_i] < limit ? o->cuts[r->cut_i] : limit;
}

/* write_in - write what the mode and the cuts allow; handles a peer that stopped reading */
static void write_in(struct run *r, size_t limit)
{
    while (r->res->sent < limit && now_ms() >= r->write_at) {
        size_t upto = cut_limit(r, limit);
        ssize_t n = write(r->peer.in_fd, r->c + r->res->sent, upto - r->res->sent);
        if (n > 0) {
            r->res->sent += (size_t)n;
            r->progress = now_ms();
            if (r->res->sent >= r->unit_end && r->unit_out_at == 0)
                r->unit_out_at = r->progress;
            if (r->res->sent == upto && upto < limit)
                r->write_at = r->progress + r->o->cut_pause_ms; /* at a cut: let it be read */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        ext_peer_half_close(&r->peer); /* EPIPE, ECONNRESET: the target does not read any more */
        return;
    }
}

/* ------------------------------------------------------------------ */
/* The loop                                                             */

/* min_deadline - fold deadline d into *best */
static void min_deadline(double *best, double d)
{
    if (d < *best)
        *best = d;
}

/* check_memory - sample the target's VmRSS; 1 when it passed the limit (outcome set) */
static int check_memory(struct run *r, double now, double *next)
{
    const struct ext_options *o = r->o;
    unsigned long kb;

    if ((o->rss_limit_kb == 0 && o->rss_growth_kb == 0) || r->peer.pid <= 0)
        return 0;
    /* Every RSS_POLL_MS, and every RSS_SAMPLE_OCTETS written (a long line fills memory
     * faster than the clock ticks), and once right after the greeting: not on every wake-up. */
    if (now < r->rss_at && r->res->sent < r->rss_sent + RSS_SAMPLE_OCTETS &&
        !(r->greeted && !r->base_known)) {
        min_deadline(next, r->rss_at);
        return 0;
    }
    r->rss_at = now + RSS_POLL_MS;
    r->rss_sent = r->res->sent;
    kb = r->peer.direct ? proc_rss_kb(r->peer.pid)
                        : proc_rss_tree_kb(r->peer.pid, PROC_RSS_TREE_DEPTH);
    if (kb > r->res->peak_rss_kb)
        r->res->peak_rss_kb = kb;
    if (r->greeted && !r->base_known) {
        r->base_known = 1;
        r->res->base_rss_kb = kb;
    }
    if (o->rss_limit_kb > 0 && kb > o->rss_limit_kb) {
        r->res->outcome = EXT_MEMORY;
        snprintf(r->res->detail, sizeof r->res->detail, "VmRSS %lu kB > limit %lu kB", kb,
                 o->rss_limit_kb);
        return 1;
    }
    if (o->rss_growth_kb > 0 && r->base_known && kb > r->res->base_rss_kb) {
        unsigned long grew = kb - r->res->base_rss_kb, half_sent = r->res->sent / 2048;
        if (grew > o->rss_growth_kb && grew > half_sent) {
            r->res->outcome = EXT_MEMORY;
            snprintf(r->res->detail, sizeof r->res->detail,
                     "VmRSS grew %lu kB after the greeting (limit %lu kB) with %zu client octets "
                     "sent",
                     grew, o->rss_growth_kb, r->res->sent);
            return 1;
        }
    }
    min_deadline(next, now + RSS_POLL_MS);
    return 0;
}

/*
 * pace - while replies are owed: stall or hang decisions and the deadline; returns the client
 * octets that may be out now, or (size_t)-1 when the run hangs (outcome set)
 */
static size_t pace(struct run *r, double now, double *next)
{
    const struct ext_options *o = r->o;
    struct ext_result *res = r->res;
    double limit_ms = r->greeted ? o->reply_timeout_ms : o->greeting_timeout_ms;
    double stall_ms = limit_ms / EXT_STALL_DIVISOR;
    /* more to send, or the FIN held back: a server waiting for either must not deadlock us */
    int may_stall =
        r->greeted && !r->over && !r->stalled && (res->sent < r->clen || !r->peer.write_closed);

    if (may_stall && now < r->progress + stall_ms)
        min_deadline(next, r->progress + stall_ms);
    if (may_stall && now >= r->progress + stall_ms) {
        /*
         * No reply for a while, and more to send: the target may be waiting
         * for octets it believes are owed (a BDAT size it read differently,
         * message text it thinks has begun). Send the rest and the FIN, and
         * let the reply timeout decide.
         */
        r->stalled = 1;
        res->stalled = 1;
        r->progress = now;
    }
    if (now >= r->progress + limit_ms) {
        res->outcome = EXT_HANG;
        snprintf(res->detail, sizeof res->detail,
                 "no %s within %u ms (client octet %zu of %zu sent)",
                 r->greeted ? "reply" : "greeting", (unsigned)limit_ms, res->sent, r->clen);
        return (size_t)-1;
    }
    min_deadline(next, r->progress + limit_ms);
    if (!r->greeted || r->over)
        return 0;
    if (r->chunk_wait && r->unit_out_at > 0) {
        /* No refusal of the BDAT line alone: the server waits for the chunk. Send it. */
        double at = r->unit_out_at + decision_ms(r);
        if (now >= at) {
            oracle_stream_chunk_sent(&r->walk);
            r->chunk_wait = 0;
            r->unit_end = r->chunk_end;
            r->unit_out_at = 0;
        } else {
            min_deadline(next, at);
        }
    }
    if (r->lf_wait && r->unit_out_at > 0) {
        /* No reply at the bare LF: this server reads on to CR LF (RFC 5321 2.3.8). Follow it. */
        double at = r->unit_out_at + decision_ms(r);
        if (now >= at) {
            oracle_stream_lf_inside(&r->walk);
            model_settle(r);
        } else {
            min_deadline(next, at);
        }
    }
    /*
     * The FIN: right after a final QUIT (exim holds its 221 until it comes), or once every
     * owed reply is in (a server may drop a reply it cannot send before our close: exim's
     * "connection lost after final dot"), or when lock-step gave up waiting.
     */
    if (res->sent == r->clen && (r->ends_with_quit || r->done || r->stalled))
        ext_peer_half_close(&r->peer);
    if (o->mode == EXT_PIPELINE || r->stalled)
        return r->clen;
    return o->mode == EXT_GROUPS && !r->chunk_wait ? group_end(r) : r->unit_end;
}

/* wait_io - one poll over the peer's descriptors until next; reads and writes what is ready */
static void wait_io(struct run *r, double now, double next, size_t limit)
{
    struct ext_result *res = r->res;
    struct pollfd p[3];
    int np = 0, io, iw = -1, ie = -1;
    double wait = next - now;
    int rc;

    if (!r->peer.write_closed && res->sent < limit && now < r->write_at) {
        if (r->write_at < next)
            wait = r->write_at - now;
    } else if (!r->peer.write_closed && res->sent < limit) {
        iw = np;
        p[np++] = (struct pollfd){.fd = r->peer.in_fd, .events = POLLOUT, .revents = 0};
    }
    io = np;
    p[np++] = (struct pollfd){.fd = r->peer.out_fd, .events = POLLIN, .revents = 0};
    if (r->peer.err_fd >= 0 && !r->err_eof) {
        ie = np;
        p[np++] = (struct pollfd){.fd = r->peer.err_fd, .events = POLLIN, .revents = 0};
    }
    rc = poll(p, (nfds_t)np, wait <= 0 ? 0 : (int)wait + 1);
    if (rc < 0 && errno != EINTR) {
        res->outcome = EXT_HANG;
        snprintf(res->detail, sizeof res->detail, "poll failed: %s", strerror(errno));
        return;
    }
    if (rc <= 0)
        return;
    if (ie >= 0 && p[ie].revents != 0)
        read_err(r);
    if (iw >= 0 && p[iw].revents != 0)
        write_in(r, limit);
    if (p[io].revents != 0 && read_out(r)) {
        res->outcome = EXT_FLOOD;
        snprintf(res->detail, sizeof res->detail, "more than %zu reply octets", r->reply_cap);
    }
}

/* session_loop - drive the session until it ends; sets the outcome for HANG, FLOOD, MEMORY */
static void session_loop(struct run *r)
{
    struct ext_result *res = r->res;
    double session_end = r->t0 + r->o->session_timeout_ms;

    r->progress = r->t0;
    while (res->outcome == EXT_OK) {
        double now = now_ms(), next = session_end;
        /* over, or every unit paired with its reply and every octet out */
        int finished =
            r->greeted && (r->over || (r->done && (res->sent == r->clen || r->peer.write_closed)));
        size_t limit = 0;

        if (check_memory(r, now, &next))
            return;
        if (r->out_eof) {
            if (!finished)
                res->peer_closed = 1;
            return;
        }
        if (now >= session_end) {
            res->outcome = EXT_HANG;
            snprintf(res->detail, sizeof res->detail, "session timeout (%u ms) after %zu replies",
                     r->o->session_timeout_ms, res->replies_seen);
            return;
        }
        if (finished) {
            /* Drain until end of stream, or until the server has been quiet for drain_ms. */
            if (r->drain_deadline < r->progress + r->o->drain_ms)
                r->drain_deadline = (r->progress > now ? r->progress : now) + r->o->drain_ms;
            ext_peer_half_close(&r->peer);
            if (now >= r->drain_deadline)
                return;
            min_deadline(&next, r->drain_deadline);
        } else if ((limit = pace(r, now, &next)) == (size_t)-1) {
            return;
        }
        wait_io(r, now, next, limit);
    }
}

/* reap_child - let the child exit (or kill it), kill its group, reap it, collect stderr */
static void reap_child(struct run *r)
{
    struct ext_result *res = r->res;
    double grace_end = now_ms() + (res->outcome == EXT_OK ? EXIT_GRACE_MS : 0);
    long nap_us = 50;
    int st = 0;

    ext_peer_half_close(&r->peer);
    /* stderr usually reaches end of file exactly when the child exits */
    while (!r->err_eof && now_ms() < grace_end) {
        struct pollfd p = {.fd = r->peer.err_fd, .events = POLLIN, .revents = 0};
        double left = grace_end - now_ms();
        if (poll(&p, 1, left > 0 ? (int)left + 1 : 0) > 0)
            read_err(r);
    }
    while (!ext_peer_exited(&r->peer) && now_ms() < grace_end) {
        struct timespec ts = {0, nap_us * 1000};
        nanosleep(&ts, NULL);
        if (nap_us < 5000)
            nap_us *= 2;
    }
    if (!ext_peer_exited(&r->peer))
        res->killed_by_us = 1;
    (void)ext_peer_reap(&r->peer, &st);
    if (!r->err_eof)
        read_err(r); /* what is left without blocking */
    if (WIFEXITED(st)) {
        res->exited = 1;
        res->exit_status = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        res->term_signal = WTERMSIG(st);
    }
}

/* classify_end - a sanitizer report or a signal we did not send outranks our own stop reasons */
static void classify_end(struct run *r)
{
    struct ext_result *res = r->res;
    char sb[32];

    if (res->sanitizer) {
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "sanitizer report on stderr");
    } else if (res->exited && !r->peer.direct && res->exit_status > SHELL_SIGNAL_BASE &&
               res->exit_status < SHELL_SIGNAL_BASE + 65 && !res->killed_by_us) {
        /* the shell's child died of a signal: the shell can only say so in its status */
        res->term_signal = res->exit_status - SHELL_SIGNAL_BASE;
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "killed by %s (exit status %d from the shell)",
                 sanitizer_signal_name(res->term_signal, sb, sizeof sb), res->exit_status);
    } else if (res->term_signal != 0 && !res->killed_by_us) {
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "killed by %s",
                 sanitizer_signal_name(res->term_signal, sb, sizeof sb));
    }
}

/* ext_run - run one session and fill *res; EXT_ERR_NONE when it ran */
enum ext_error ext_run(const struct ext_target *t, const struct ext_options *o, const char *client,
                       size_t client_len, char *reply_buf, size_t reply_cap, struct ext_result *res)
{
    struct oracle_reading reading;
    struct run *r;
    enum ext_error err;

    CLI_ASSERT(t != NULL && o != NULL && res != NULL && reply_buf != NULL);
    CLI_ASSERT(client != NULL || client_len == 0);
    memset(res, 0, sizeof *res);
    res->replies = reply_buf;
    res->outcome = EXT_OK;
    r = calloc(1, sizeof *r); /* a few kB: kept off the stack of callers that run many */
    if (r == NULL)
        return EXT_ERR_RESOURCE;
    r->o = o;
    r->c = client != NULL ? client : "";
    r->clen = client_len;
    r->res = res;
    r->reply_cap = reply_cap;
    ext_peer_init(&r->peer);
    /* The live reading: a held-back chunk follows its line only when the runner sent it. */
    oracle_reading_reference(&reading);
    reading.live = 1;
    oracle_stream_init(&r->walk, r->c, r->clen, &reading);
    r->ends_with_quit = ends_with_quit(r->c, r->clen);
    model_settle(r);
    r->t0 = now_ms();
    if (t->kind == EXT_TARGET_EXEC)
        err = ext_peer_spawn(&r->peer, t->command);
    else
        err =
            ext_peer_connect(&r->peer, t, o->greeting_timeout_ms, res->detail, sizeof res->detail);
    if (err == EXT_ERR_NONE)
        session_loop(r);
    if (r->peer.pid > 0)
        reap_child(r);
    ext_peer_close(&r->peer);
    res->elapsed_ms = now_ms() - r->t0;
    res->sanitizer = r->scan.found;
    res->report_len = r->scan.report_len < EXT_REPORT_MAX ? r->scan.report_len : EXT_REPORT_MAX;
    memcpy(res->report, r->scan.report, res->report_len);
    if (err == EXT_ERR_NONE)
        classify_end(r);
    free(r);
    return err;
}

/* ext_crash_key - "heap-buffer-overflow in foo", "runtime-error in foo" or "SIGSEGV" */
void ext_crash_key(const struct ext_result *res, char *buf, size_t cap)
{
    struct sanitizer_info info;
    char sb[32];

    CLI_ASSERT(res != NULL && buf != NULL && cap > 0);
    if (res->sanitizer && sanitizer_report_read(res->report, res->report_len, &info)) {
        sanitizer_report_key(&info, buf, cap);
        return;
    }
    if (res->term_signal != 0) {
        snprintf(buf, cap, "%s", sanitizer_signal_name(res->term_signal, sb, sizeof sb));
        return;
    }
    snprintf(buf, cap, "%s", ext_outcome_id(res->outcome));
}

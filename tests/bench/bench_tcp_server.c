/*
 * bench_tcp_server - a minimal C SMTP responder on loopback TCP, for
 * tests/bench/bench_check.sh: the target "smtpfuzz check --connect" and
 * the bare client are both timed against.
 *
 * Usage: bench_tcp_server [PORT]    (default 0: the kernel picks one)
 *
 * Listens on 127.0.0.1, prints "port N" on standard output once it
 * listens, then serves one connection at a time, forever: the in-process
 * target (fuzz/fuzz_target.h; tests/bench/CMakeLists.txt links the correct
 * mini responder of tests/broken/) is opened per connection, fed what
 * arrives, and its replies are written back after each read, lock-step.
 * It keeps no state between connections. SIGTERM or SIGINT end it (the
 * default action). Exit status: 1 when it cannot listen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_target.h"

#define TCP_READ_MAX 4096

/* Replies the target emitted since the last flush. */
struct tcp_out {
    int fd;
    char *buf;
    size_t len, cap;
    int failed; /* out of memory or a write failed: the connection is dropped */
};

/* tcp_sink - collect reply octets, growing the buffer */
static void tcp_sink(void *ctx, const char *bytes, size_t len)
{
    struct tcp_out *o = ctx;

    if (o->failed)
        return;
    if (len > o->cap - o->len) {
        size_t cap = (o->cap + len) * 2;
        char *nb = realloc(o->buf, cap);
        if (nb == NULL) {
            o->failed = 1;
            return;
        }
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, bytes, len);
    o->len += len;
}

/* tcp_flush - write what was collected; 0 or -1 */
static int tcp_flush(struct tcp_out *o)
{
    size_t done = 0;

    while (!o->failed && done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            o->failed = 1;
        else
            done += (size_t)n;
    }
    o->len = 0;
    return o->failed ? -1 : 0;
}

/* serve - one connection, start to end */
static void serve(int fd, struct tcp_out *out)
{
    char in[TCP_READ_MAX];
    void *session;

    out->fd = fd;
    out->len = 0;
    out->failed = 0;
    session = smtpfuzz_target->open(tcp_sink, out);
    if (session == NULL)
        return;
    while (tcp_flush(out) == 0) {
        ssize_t n = read(fd, in, sizeof in);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (smtpfuzz_target->feed(session, in, (size_t)n) == SMTP_TARGET_CLOSED) {
            (void)tcp_flush(out);
            break;
        }
    }
    smtpfuzz_target->close(session);
    (void)tcp_flush(out);
}

/* main - listen on 127.0.0.1, say the port, serve connections in turn */
int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof sa;
    struct tcp_out out = {-1, NULL, 0, 0, 0};
    int ls, one = 1;

    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &slen) != 0) {
        perror("bench_tcp_server: listen");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("bench_tcp_server: accept");
            return 1;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(fd, &out);
        close(fd);
    }
}

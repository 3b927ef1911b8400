/*
 * broken_stdio - any in-process target (fuzz/fuzz_target.h: the symbol
 * smtpfuzz_target) as an SMTP server on standard input and output, like
 * "exim -bs", so "smtpfuzz check --exec" can drive it out of process.
 *
 * tests/check.cmake links it with tests/broken/mini_responder.c built with
 * one -DBROKEN_<BUG>: the deliberately broken responders then become
 * external programs, and check must find each bug the way it would find it
 * in a real server.
 *
 * Reads stdin with read(2), feeds every chunk to the target, writes the
 * replies it emitted before the next read; exits 0 after the target closed
 * the session (QUIT) or at end of input, 1 on an I/O error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"

#define STDIO_READ_MAX 4096

/* Replies the target emitted since the last flush. */
struct stdio_out {
    char *buf;
    size_t len, cap;
    int failed;
};

/* stdio_sink - collect reply octets, growing the buffer */
static void stdio_sink(void *ctx, const char *bytes, size_t len)
{
    struct stdio_out *o = ctx;

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

/* stdio_flush - write what was collected to stdout; 0 or -1 */
static int stdio_flush(struct stdio_out *o)
{
    size_t done = 0;

    while (done < o->len) {
        ssize_t n = write(STDOUT_FILENO, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    o->len = 0;
    return o->failed ? -1 : 0;
}

/* main - the target on stdin/stdout */
int main(void)
{
    struct stdio_out out = {NULL, 0, 0, 0};
    char in[STDIO_READ_MAX];
    void *session;
    int rc = 0;

    signal(SIGPIPE, SIG_IGN);
    session = smtpfuzz_target->open(stdio_sink, &out);
    if (session == NULL)
        return 1;
    if (stdio_flush(&out) != 0)
        rc = 1;
    while (rc == 0) {
        ssize_t n = read(STDIN_FILENO, in, sizeof in);
        enum smtp_target_state st;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0;
            break;
        }
        st = smtpfuzz_target->feed(session, in, (size_t)n);
        if (stdio_flush(&out) != 0)
            rc = 1;
        if (st == SMTP_TARGET_CLOSED)
            break;
    }
    smtpfuzz_target->close(session);
    if (stdio_flush(&out) != 0)
        rc = 1;
    free(out.buf);
    return rc;
}

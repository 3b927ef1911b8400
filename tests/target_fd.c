/*
 * target_fd - one session of smtpfuzz_target over file descriptors.
 *
 * Replies are collected while the target runs and written after each read,
 * so a reply is never split by a partial write in the middle of feed().
 */
#include "target_fd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"

#define TARGET_FD_READ_MAX 4096

/* Replies the target emitted since the last flush. */
struct fd_out {
    int fd;
    char *buf;
    size_t len, cap;
    int failed; /* out of memory or a write failed */
};

/* fd_sink - collect reply octets, growing the buffer */
static void fd_sink(void *ctx, const char *bytes, size_t len)
{
    struct fd_out *o = ctx;

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

/* fd_flush - write what was collected; 0 or -1 */
static int fd_flush(struct fd_out *o)
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

int target_fd_serve(int in_fd, int out_fd)
{
    struct fd_out out = {out_fd, NULL, 0, 0, 0};
    char in[TARGET_FD_READ_MAX];
    void *session;
    int rc = 0;

    session = smtpfuzz_target->open(fd_sink, &out);
    if (session == NULL)
        return -1;
    rc = fd_flush(&out);
    while (rc == 0) {
        ssize_t n = read(in_fd, in, sizeof in);
        enum smtp_target_state st;

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        st = smtpfuzz_target->feed(session, in, (size_t)n);
        rc = fd_flush(&out);
        if (st == SMTP_TARGET_CLOSED)
            break;
    }
    smtpfuzz_target->close(session);
    if (fd_flush(&out) != 0)
        rc = -1;
    free(out.buf);
    return rc;
}

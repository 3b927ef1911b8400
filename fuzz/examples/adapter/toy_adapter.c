/*
 * toy_adapter - plugs toy_smtpd into smtpfuzz's fuzz drivers: the file to
 * copy when you fuzz your own server (docs/adapter.md walks through it).
 *
 * smtpfuzz drives any server through four things (smtp_target.h):
 *
 *   open(sink, ctx)  start a session; every reply octet, greeting
 *                    included, goes to sink(ctx, bytes, len) in wire order
 *   feed(s, b, n)    the next n client octets, in any split; return
 *                    SMTP_TARGET_CLOSED once the session is over (QUIT)
 *   close(s)         end of input: free everything open() made
 *
 * plus the one symbol fuzz_session.c looks for, smtpfuzz_target. The
 * adapter's only job is translation: toy_smtpd wants a write callback with
 * its own signature and reports "done" its own way. Keep the server's
 * state in the session object; nothing may survive from one session to
 * the next (no globals, no statics), since a fuzzer runs millions of
 * sessions in one process and compares two runs of each input.
 */
#include <stdlib.h>

#include "fuzz_target.h" /* smtpfuzz_target and struct smtp_target (smtp_target.h) */
#include "toy_smtpd.h"

/* One session: where smtpfuzz wants the replies, and the server's connection. */
struct toy_session {
    smtp_reply_sink sink;
    void *sink_ctx;
    struct toy_smtpd *conn;
};

/* toy_session_write - toy_smtpd's write callback: hand the octets to smtpfuzz's sink */
static int toy_session_write(const char *buf, size_t len, void *arg)
{
    struct toy_session *s = arg;

    s->sink(s->sink_ctx, buf, len);
    return 0; /* the sink cannot fail: it collects, smtpfuzz judges afterwards */
}

/* toy_session_open - a fresh connection; toy_smtpd_new already writes the greeting */
static void *toy_session_open(smtp_reply_sink sink, void *sink_ctx)
{
    struct toy_session *s = malloc(sizeof *s);

    if (s == NULL)
        return NULL;
    /* Set the sink before the server exists: it writes the greeting from inside new(). */
    s->sink = sink;
    s->sink_ctx = sink_ctx;
    s->conn = toy_smtpd_new(toy_session_write, s);
    if (s->conn == NULL) {
        free(s);
        return NULL; /* out of memory: the driver skips the input, no finding */
    }
    return s;
}

/* toy_session_feed - pass the client octets on; map the server's "done" to CLOSED */
static enum smtp_target_state toy_session_feed(void *session, const char *bytes, size_t len)
{
    struct toy_session *s = session;

    if (toy_smtpd_input(s->conn, bytes, len) == TOY_SMTPD_DONE)
        return SMTP_TARGET_CLOSED;
    return SMTP_TARGET_OPEN;
}

/* toy_session_close - free the connection and the session (toy_smtpd writes nothing here) */
static void toy_session_close(void *session)
{
    struct toy_session *s = session;

    toy_smtpd_free(s->conn);
    free(s);
}

static const struct smtp_target toy_target = {
    .name = "toy_smtpd",
    .open = toy_session_open,
    .feed = toy_session_feed,
    .close = toy_session_close,
};

/* The target fuzz_session.c drives: exactly one adapter per fuzzer defines it. */
const struct smtp_target *const smtpfuzz_target = &toy_target;

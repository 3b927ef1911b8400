/*
 * smtp_target - the in-process target interface: how any SMTP
 * implementation written in C is driven by smtpfuzz's fuzz targets, the
 * oracle and the CLI (docs/contract.md section 7).
 *
 * To fuzz your own server or parser, write an adapter: a const struct
 * smtp_target whose four functions wrap your code. smtpfuzz then
 *
 *   1. calls open() once per session, giving it a reply sink;
 *   2. calls feed() with the client's bytes, in arbitrary splits (one call,
 *      one byte at a time, random chunks: replies must not depend on it);
 *   3. calls close() at end of input, which frees everything open() made.
 *
 * Your adapter writes every reply octet, greeting included, through the
 * sink, in order, as it would go on the wire. The sink may be called any
 * number of times with any split; smtpfuzz reassembles and parses. An
 * adapter must not keep state between sessions (globals, statics): fuzzers
 * run millions of sessions in one process and compare them.
 *
 * The reference responder (smtp_session.h) is the first implementation:
 * smtp_session_target.
 */
#ifndef SMTP_TARGET_H
#define SMTP_TARGET_H

#include <stddef.h>

/* Receives reply bytes as the target would send them on the wire. */
typedef void (*smtp_reply_sink)(void *sink_ctx, const char *bytes, size_t len);

/* What feed() tells the driver. */
enum smtp_target_state {
    SMTP_TARGET_OPEN,  /* the session goes on: feed more */
    SMTP_TARGET_CLOSED /* the session ended (QUIT, 421): further input is ignored */
};

struct smtp_target {
    const char *name; /* short, for logs and reports */

    /* open - start a session, emit the greeting; NULL when out of memory */
    void *(*open)(smtp_reply_sink sink, void *sink_ctx);

    /* feed - give the session the next len client octets; may emit replies */
    enum smtp_target_state (*feed)(void *session, const char *bytes, size_t len);

    /* close - end of input: free the session (replies may still be emitted) */
    void (*close)(void *session);
};

#endif

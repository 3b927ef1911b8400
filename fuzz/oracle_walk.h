/*
 * oracle_walk - the oracle's pairing of client units and replies, for the
 * files of the judge that show it (oracle_print.c: the transcript, the
 * reply-to-line lookup). Not installed: the public face is oracle.h.
 *
 * What it does: walks a session exactly as oracle_judge does under one
 * profile and one reading, and tells an observer about every unit: the
 * greeting, each command line and its reply, message text and the reply to
 * its end, each chunk, tail, line after the close or unchecked octets,
 * with the verdict found there.
 *
 * What it never does: allocate, keep state between calls, or stop before
 * the first violation.
 */
#ifndef ORACLE_WALK_H
#define ORACLE_WALK_H

#include <stddef.h>

#include "oracle.h"

/* What a unit the walk reached was. */
enum oracle_event_kind {
    ORACLE_EV_GREETING, /* the first reply */
    ORACLE_EV_LINE,     /* a command line (or AUTH response) and its reply */
    ORACLE_EV_DATA,     /* message text (end of data included) and the reply to its end */
    ORACLE_EV_CHUNK,    /* BDAT chunk octets (their reply went with the BDAT line) */
    ORACLE_EV_TAIL,     /* an unterminated tail: no reply expected */
    ORACLE_EV_AFTER,    /* a line after the session ended: no reply expected */
    ORACLE_EV_UNCHECKED /* client octets the oracle does not pair (after STARTTLS, a 554 greeting)
                         */
};

/* One unit the walk reached. */
struct oracle_event {
    enum oracle_event_kind kind;
    size_t off, len;             /* client octets */
    int has_reply;               /* a reply was paired with it */
    size_t reply_off, reply_len; /* that reply, in the server stream */
    enum oracle_rule verdict;    /* ORACLE_OK or the violation found here */
    int tolerance;               /* the rfc tolerance that let its reply pass, or -1 */
};

typedef void (*oracle_observer)(void *ctx, const struct oracle_event *ev);

/*
 * oracle_walk_observe - walk the session under how and reading r (NULL: the reference's),
 * calling observe for every unit; returns the walk's rule, and where it stopped in the client
 * (*client_pos) and server (*server_pos) streams
 */
enum oracle_rule oracle_walk_observe(const struct oracle_judging *how,
                                     const struct oracle_reading *r, const char *client,
                                     size_t client_len, const char *server, size_t server_len,
                                     oracle_observer observe, void *ctx, size_t *client_pos,
                                     size_t *server_pos);

#endif

/*
 * smtp_line - incremental SMTP command-line tokenizer (docs/contract.md sections 1-2).
 *
 * What it does: takes the client byte stream in any split, (ptr, len) at a
 * time, and reports each finished line (every LF ends one) as a struct
 * smtp_cmd: either a well-framed command (verb as an enum, argument as a
 * slice) or a malformed line with its reason as an enum.
 *
 * What it never does: allocate, read outside (ptr, len), keep more than
 * SMTP_LINE_MAX octets of a line however long the line is, or touch any
 * global or static mutable state. All state lives in a caller-owned,
 * zero-initialisable struct smtp_line of fixed size (O(1) per session).
 *
 * How it fails: bad input is never an error of the tokenizer; it is a
 * line status (enum smtp_line_status). Caller bugs (NULL pointers) trip an
 * always-on assert naming the function.
 *
 * Framing rules (docs/contract.md section 1): a line is well framed when it ends in CR LF, is
 * at most 512 octets including the CR LF, and its content holds only
 * 0x20..0x7E plus well-formed UTF-8 (RFC 3629) in the arguments. An
 * unterminated tail is held (up to the cap) and reported only when its LF
 * arrives.
 */
#ifndef SMTP_LINE_H
#define SMTP_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_verb.h"

#define SMTP_LINE_MAX 512         /* octets of a command line, CR LF included */
#define SMTP_LINE_CONTENT_MAX 510 /* octets before the CR LF */

/*
 * X(name, text): why a line is (not) a well-framed command. When several
 * apply, the first in this list wins, so the reason does not depend on how
 * the stream was split.
 */
#define SMTP_LINE_STATUS_LIST(X)                                                                   \
    X(SMTP_LINE_OK, "well-framed command")                                                         \
    X(SMTP_LINE_TOO_LONG, "line longer than 512 octets")                                           \
    X(SMTP_LINE_BARE_LF, "line ended by a bare LF")                                                \
    X(SMTP_LINE_BARE_CR, "bare CR in the line")                                                    \
    X(SMTP_LINE_CTRL, "forbidden control byte (NUL, HT, C0 or DEL)")                               \
    X(SMTP_LINE_BAD_UTF8, "invalid UTF-8 in the line")                                             \
    X(SMTP_LINE_BAD_VERB, "empty verb or a verb that is not all ASCII letters")                    \
    X(SMTP_LINE_UNKNOWN_VERB, "unrecognised verb")

#define SMTP_LINE_STATUS_ENUM_(name, text) name,
enum smtp_line_status { SMTP_LINE_STATUS_LIST(SMTP_LINE_STATUS_ENUM_) SMTP_LINE_STATUS_COUNT };
#undef SMTP_LINE_STATUS_ENUM_

/* What smtp_line_feed() reports. */
enum smtp_line_result {
    SMTP_LINE_NEED_MORE, /* all input consumed, no line finished yet */
    SMTP_LINE_READY      /* a line finished; *cmd describes it */
};

/*
 * One finished line. Pointers are valid until the next call that uses the
 * same struct smtp_line, and only while the caller's input buffer lives
 * (they may point into either).
 *
 * The terminator is CR LF when the octet before the LF is CR, else the LF
 * alone (then status is BARE_LF or TOO_LONG). text is the line without its
 * terminator, cut to its first SMTP_LINE_MAX octets; it may hold any octet
 * (NUL included) when status is not OK, so never treat it as a C string.
 * text, arg and octets are filled for every status, so a log can show what
 * a malformed line held; only verb depends on status.
 *
 * TOO_LONG means octets > SMTP_LINE_MAX (512). A 511-octet content ended by
 * a bare LF is 512 octets, so it is BARE_LF, not TOO_LONG; with CR LF it is
 * 513 octets and TOO_LONG.
 */
struct smtp_cmd {
    enum smtp_line_status status;
    enum smtp_verb verb; /* SMTP_VERB_NONE unless status == SMTP_LINE_OK */
    const char *text;    /* the line without terminator, at most SMTP_LINE_MAX octets of it */
    size_t text_len;     /* octets; a too-long line is cut, never grown */
    const char *arg;     /* inside text, after its first SP; text + text_len when no SP */
    size_t arg_len;      /* may be 0 ("HELP" and "HELP " both give an empty arg) */
    uint64_t octets;     /* whole line on the wire, terminator included (may exceed 512) */
};

/*
 * Private state. Zero-initialise it (or call smtp_line_reset); never read
 * its fields. Its size is fixed: a line of any length costs the same.
 */
struct smtp_line {
    uint64_t octets; /* octets of the current line seen so far, its LF not yet */
    uint32_t kept;   /* of those, octets held in buf: min(octets, SMTP_LINE_MAX) */
    char buf[SMTP_LINE_MAX];
};

/* smtp_line_reset - forget any partial line; the state is as if zero-initialised */
void smtp_line_reset(struct smtp_line *lp);

/*
 * smtp_line_feed - consume input up to and including the next LF
 *
 * Sets *used to the octets consumed from buf (always <= len). Returns
 * SMTP_LINE_READY and fills *cmd when an LF finished a line (the caller
 * feeds buf + *used next; *used >= 1), or SMTP_LINE_NEED_MORE when all of
 * buf was consumed without finishing one (*cmd untouched). len may be 0,
 * and buf may then be NULL. lp, used and cmd must not be NULL.
 */
enum smtp_line_result smtp_line_feed(struct smtp_line *lp, const char *buf, size_t len,
                                     size_t *used, struct smtp_cmd *cmd);

/* smtp_line_pending - true when part of an unterminated line has been consumed */
int smtp_line_pending(const struct smtp_line *lp);

/* smtp_line_status_name - a short English description of a line status (never NULL) */
const char *smtp_line_status_name(enum smtp_line_status status);

#endif

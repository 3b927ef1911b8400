/*
 * smtp_data - the DATA-mode message-text reader (docs/contract.md section 5; RFC 5321
 * 4.1.1.4, 4.5.2, 4.5.3.1.6).
 *
 * What it does: takes the octets that follow a DATA command's CR LF, in
 * any split, (ptr, len) at a time, and finds the end of data: the exact
 * sequence CR LF "." CR LF, where the first CR LF may be the DATA command's
 * own terminator (so ".\r\n" at once is an empty message). Nothing else
 * ends the data: not LF . LF, LF . CR LF, CR . CR LF, CR LF . LF (the SMTP
 * smuggling family, CVE-2023-51764/5/6). On the way it removes the leading
 * dot of every line that starts with one and has more on it (dot-
 * unstuffing), counts the message octets that remain, and flags a bare CR,
 * a bare LF and any line longer than 1000 octets including its CR LF, not
 * counting a doubled leading dot.
 *
 * Lines here are CR LF lines: a bare LF is message text (and a problem),
 * not a line end, so a dot after it is neither end of data nor stuffing.
 *
 * What it never does: allocate, keep message text (at most one CR is
 * "held", and that is a state, not a buffer), read outside (ptr, len), or
 * touch global or static mutable state. The result never depends on how
 * the input was split.
 *
 * How it fails: bad message text is a verdict (enum smtp_data_verdict),
 * never an error of the reader. Caller bugs (NULL pointers, an output
 * buffer that is too small) trip an always-on assert naming the function.
 */
#ifndef SMTP_DATA_H
#define SMTP_DATA_H

#include <stddef.h>
#include <stdint.h>

#define SMTP_DATA_LINE_MAX 1000 /* octets of a message line, CR LF included (4.5.3.1.6) */

/*
 * X(name, text): what the message text looked like at the end of data.
 * When several problems were seen, the first in this list wins, so the
 * verdict does not depend on where in the text each one was.
 */
#define SMTP_DATA_VERDICT_LIST(X)                                                                  \
    X(SMTP_DATA_CLEAN, "message text well formed")                                                 \
    X(SMTP_DATA_BARE_CR, "bare CR in the message text")                                            \
    X(SMTP_DATA_BARE_LF, "bare LF in the message text")                                            \
    X(SMTP_DATA_LONG_LINE, "message line longer than 1000 octets")

#define SMTP_DATA_VERDICT_ENUM_(name, text) name,
enum smtp_data_verdict { SMTP_DATA_VERDICT_LIST(SMTP_DATA_VERDICT_ENUM_) SMTP_DATA_VERDICT_COUNT };
#undef SMTP_DATA_VERDICT_ENUM_

/* What smtp_data_feed() reports. */
enum smtp_data_result {
    SMTP_DATA_NEED_MORE, /* all input consumed, end of data not reached yet */
    SMTP_DATA_END        /* end of data reached; *end describes the message */
};

/* The message, once its end was reached. */
struct smtp_data_end {
    enum smtp_data_verdict verdict;
    uint64_t octets; /* message octets after unstuffing, without the final ". CR LF" */
};

/*
 * Private state. Zero-initialise it (or call smtp_data_reset) right after
 * the DATA command's CR LF; never read its fields.
 */
struct smtp_data {
    uint64_t octets;      /* message octets so far (after unstuffing) */
    uint32_t line_octets; /* octets of the current line so far, saturating past the limit */
    uint32_t flags;       /* verdicts seen so far, one bit per enum value */
    unsigned char state;  /* where we are in a line: see smtp_data.c */
};

/* smtp_data_reset - start a new message; the state is as if zero-initialised */
void smtp_data_reset(struct smtp_data *dp);

/*
 * smtp_data_feed - consume message text up to and including the end of data
 *
 * Sets *used to the octets consumed from buf (always <= len). Returns
 * SMTP_DATA_END and fills *end when the final LF of CR LF . CR LF was among
 * them (buf + *used is the first octet after the data; the state is reset
 * for the next message), or SMTP_DATA_NEED_MORE when all of buf was
 * consumed without reaching it.
 *
 * When out is not NULL it receives the unstuffed message octets this call
 * settles (at most len + 1: a CR held from the previous call may be
 * settled now) and *out_len their number; out_cap must be >= len + 1.
 * Pass out = NULL, out_cap = 0, out_len = NULL to keep nothing.
 */
enum smtp_data_result smtp_data_feed(struct smtp_data *dp, const char *buf, size_t len,
                                     size_t *used, char *out, size_t out_cap, size_t *out_len,
                                     struct smtp_data_end *end);

/* smtp_data_verdict_name - a short English description of a verdict */
const char *smtp_data_verdict_name(enum smtp_data_verdict verdict);

#endif

/*
 * smtp_reply_parse - client-side reader of any server's reply stream
 * (docs/contract.md section 4; RFC 5321 4.2, RFC 2034).
 *
 * What it does: takes server output in any split and reports each reply
 * line, and each finished reply (code, line count, enhanced status code
 * when every line carries the same one), flagging every line that breaks
 * the reply grammar with a status value:
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                   Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 *   textstring = 1*( %d09 / %d32-126 )
 *
 * plus: a line is at most 512 octets including CR LF, all lines of a reply
 * carry the same code, and an enhanced code's class digit equals the reply
 * code's first digit.
 *
 * A malformed line ends the reply it is in (the reply carries that line's
 * status, the first error of the reply, since the lines before it were
 * well formed), so one bad line never swallows the rest of the stream. The
 * malformed line counts as a line of the reply it ends; the next line
 * starts a new reply. Every LF ends a line, so the parser always
 * resynchronises.
 *
 * Which status a line gets (the first that applies, in list order, so the
 * result does not depend on how the stream was split):
 *   TOO_LONG      more than 512 octets including the terminator, counted
 *                 however long (only the first 512 are held);
 *   BARE_LF       the LF is not preceded by CR;
 *   BAD_CODE      fewer than 3 octets, or not a valid code ("199", "260",
 *                 "2a0", "600"); the line's code is then 0;
 *   BAD_SEPARATOR the code is followed by something other than '-', SP or
 *                 CR LF ("250x", "2500");
 *   EMPTY_TEXT    "code SP" CR LF: SP promises a 1*char textstring;
 *   BAD_TEXT      a text octet other than HT or 0x20..0x7E (a bare CR,
 *                 NUL, DEL, 8-bit);
 *   CODE_CHANGED  a later line of a multi-line reply has another code.
 * Reply-level only:
 *   BAD_ENH       the reply's enhanced code was lifted (below) and its
 *                 class digit differs from the code's first digit. Only a
 *                 lifted code is judged: text that merely starts with
 *                 digits and dots on some lines is text (RFC 2034 servers
 *                 put the code on every line), which also keeps a client's
 *                 echoed text at the start of a wrapped line from looking
 *                 like a server fault;
 *   INCOMPLETE    from smtp_rp_finish() only.
 *
 * Enhanced code lifting: a reply's enh is set only when every line's text
 * begins with the same smtp_wire_enh_prefix() (byte for byte). To get the
 * text after it, skip the prefix and then one SP if any text follows; this
 * is exactly what the generator puts back, so parse -> format round-trips.
 *
 * What it never does: allocate, read outside (ptr, len), hold more than
 * SMTP_REPLY_LINE_MAX octets of a line, or use mutable static state.
 */
#ifndef SMTP_REPLY_PARSE_H
#define SMTP_REPLY_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_wire.h"

/* X(name, text): what is wrong with a reply line or reply; first match in this order wins. */
#define SMTP_RP_STATUS_LIST(X)                                                                     \
    X(SMTP_RP_OK, "well-formed")                                                                   \
    X(SMTP_RP_TOO_LONG, "reply line longer than 512 octets")                                       \
    X(SMTP_RP_BARE_LF, "reply line ended by a bare LF")                                            \
    X(SMTP_RP_BAD_CODE, "reply code is not 3 digits in 2-5 / 0-5 / 0-9")                           \
    X(SMTP_RP_BAD_SEPARATOR, "reply code not followed by SP, '-' or CR LF")                        \
    X(SMTP_RP_EMPTY_TEXT, "SP after the code of a last line but no text")                          \
    X(SMTP_RP_BAD_TEXT, "reply text holds a byte other than HT or 0x20..0x7E")                     \
    X(SMTP_RP_CODE_CHANGED, "a line of a multi-line reply changed the code")                       \
    X(SMTP_RP_BAD_ENH, "enhanced status code class differs from the reply code")                   \
    X(SMTP_RP_INCOMPLETE, "stream ended inside a reply")

#define SMTP_RP_STATUS_ENUM_(name, text) name,
enum smtp_rp_status { SMTP_RP_STATUS_LIST(SMTP_RP_STATUS_ENUM_) SMTP_RP_STATUS_COUNT };
#undef SMTP_RP_STATUS_ENUM_

enum smtp_rp_result {
    SMTP_RP_NEED_MORE, /* all input consumed, no line finished */
    SMTP_RP_LINE,      /* a line finished that does not end its reply: *line is set */
    SMTP_RP_REPLY      /* a line finished that ends its reply: *line and *reply are set */
};

/* One reply line. text points into the parser's own buffer, valid until the next call on it. */
struct smtp_rp_line {
    enum smtp_rp_status status;
    unsigned code; /* 0 when the line does not begin with a valid code */
    int last;      /* no '-' after the code */
    /* After "code-" / "code SP" without CR LF (the whole held content when there is no valid code
     * and separator); a TOO_LONG line's text is cut where the parser stopped holding octets. */
    const char *text;
    size_t text_len;
    uint64_t octets; /* the whole line on the wire, terminator included */
};

/* One finished reply. */
struct smtp_rp_reply {
    enum smtp_rp_status status; /* first problem of any of its lines, BAD_ENH, or SMTP_RP_OK */
    unsigned code;              /* code of its first line (0 if unreadable) */
    size_t nlines;              /* finished lines (INCOMPLETE: not counting a partial one) */
    char enh[SMTP_ENH_MAX + 1]; /* lifted enhanced code (status OK or BAD_ENH only), or "" */
    uint64_t octets;            /* all its lines on the wire, a partial last line included */
};

/*
 * Private state: zero-initialise or smtp_rp_reset(); never read its fields.
 * A reply in progress holds no error: the first malformed line ends it.
 */
struct smtp_rp {
    /* the line in progress */
    uint64_t line_octets; /* octets so far, LF not yet seen */
    uint32_t kept;        /* its first octets held in buf (at most SMTP_REPLY_LINE_MAX) */
    /* the reply in progress (nlines == 0: between replies) */
    uint64_t reply_octets;     /* octets of its finished lines */
    size_t nlines;             /* its finished lines */
    unsigned code;             /* code of its first line */
    size_t enh_len;            /* enhanced code prefix of its first line; 0 when none */
    unsigned char enh_uniform; /* every line so far began with that same prefix */
    char enh[SMTP_ENH_MAX + 1];
    char buf[SMTP_REPLY_LINE_MAX]; /* a legal line's content plus CR is at most 511 octets */
};

/* smtp_rp_reset - forget any partial line or reply */
void smtp_rp_reset(struct smtp_rp *rp);

/*
 * smtp_rp_feed - consume server output up to and including the next LF
 *
 * Sets *used to the octets consumed (all of them with SMTP_RP_NEED_MORE).
 * Returns SMTP_RP_NEED_MORE, or SMTP_RP_LINE / SMTP_RP_REPLY with *line
 * (and, for SMTP_RP_REPLY only, *reply) filled. Call again with the rest of
 * the buffer to get the following lines. All pointers must be non-NULL
 * (buf may be NULL when len is 0); a caller bug trips an always-on assert.
 */
enum smtp_rp_result smtp_rp_feed(struct smtp_rp *rp, const char *buf, size_t len, size_t *used,
                                 struct smtp_rp_line *line, struct smtp_rp_reply *reply);

/*
 * smtp_rp_finish - end of stream: returns 1 and fills *reply with status
 * SMTP_RP_INCOMPLETE when a line or a multi-line reply was left unfinished,
 * else 0. The parser is reset either way.
 */
int smtp_rp_finish(struct smtp_rp *rp, struct smtp_rp_reply *reply);

/* smtp_rp_status_name - a short English description of a parser status, never NULL */
const char *smtp_rp_status_name(enum smtp_rp_status status);

#endif

/*
 * smtp_reply_parse - client-side reader of any server's reply stream
 * (SPEC section 4; RFC 5321 4.2, RFC 2034).
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
 * A malformed line ends the reply it is in (the reply carries the first
 * error seen), so one bad line never swallows the rest of the stream.
 *
 * What it never does: allocate, read outside (ptr, len), hold more than
 * SMTP_REPLY_LINE_MAX octets of a line, or use mutable static state.
 */
#ifndef SMTP_REPLY_PARSE_H
#define SMTP_REPLY_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_reply.h"

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

/* One reply line. text points into the parser or the caller's buffer until the next feed. */
struct smtp_rp_line {
    enum smtp_rp_status status;
    unsigned code;    /* 0 when the line has no 3-digit code */
    int last;         /* no '-' after the code */
    const char *text; /* after "code-" / "code SP", without CR LF; cut at the cap */
    size_t text_len;
    uint64_t octets; /* the whole line on the wire, terminator included */
};

/* One finished reply. */
struct smtp_rp_reply {
    enum smtp_rp_status status; /* first problem of any of its lines, or SMTP_RP_OK */
    unsigned code;              /* code of its first line (0 if unreadable) */
    size_t nlines;
    char enh[SMTP_ENH_MAX + 1]; /* enhanced code common to every line, or "" */
    uint64_t octets;
};

/* Private state: zero-initialise or smtp_rp_reset(); never read its fields. */
struct smtp_rp {
    uint64_t line_octets; /* octets of the current line so far */
    uint64_t reply_octets;
    uint32_t kept;         /* octets of the current line held in buf */
    unsigned char cr_held; /* previous byte was CR */
    /* reply in progress */
    unsigned code;
    size_t nlines;
    enum smtp_rp_status status;
    char enh[SMTP_ENH_MAX + 1];
    unsigned char enh_uniform; /* every line so far carried enh */
    char buf[SMTP_REPLY_LINE_MAX];
};

/* smtp_rp_reset - forget any partial line or reply */
void smtp_rp_reset(struct smtp_rp *rp);

/*
 * smtp_rp_feed - consume server output up to and including the next LF
 *
 * Sets *used to the octets consumed. Returns SMTP_RP_NEED_MORE, or
 * SMTP_RP_LINE / SMTP_RP_REPLY with *line (and *reply) filled.
 */
enum smtp_rp_result smtp_rp_feed(struct smtp_rp *rp, const char *buf, size_t len, size_t *used,
                                 struct smtp_rp_line *line, struct smtp_rp_reply *reply);

/*
 * smtp_rp_finish - end of stream: returns 1 and fills *reply with status
 * SMTP_RP_INCOMPLETE when a line or a multi-line reply was left unfinished,
 * else 0. The parser is reset either way.
 */
int smtp_rp_finish(struct smtp_rp *rp, struct smtp_rp_reply *reply);

/*
 * smtp_rp_enh_prefix - octets of the enhanced status code that begins text
 * (RFC 2034: "class.subject.detail" then SP and more text, or the whole
 * text), or 0 when text does not begin with one
 */
size_t smtp_rp_enh_prefix(const char *text, size_t len);

/* smtp_rp_status_name - a short English description of a parser status */
const char *smtp_rp_status_name(enum smtp_rp_status status);

#endif

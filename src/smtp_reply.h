/*
 * smtp_reply - the reply generator: the one choke point every reply of the
 * reference responder goes through (docs/contract.md section 4).
 *
 * What it does: formats a reply code, an optional enhanced status code
 * (RFC 2034/3463) and text into wire bytes (RFC 5321 4.2):
 *
 *   - the text is the concatenation of the spec's segments; it splits into
 *     reply lines at every '\n' of an SMTP_TEXT_OURS segment, and any line
 *     longer than fits is hard-wrapped (cut every N octets, no search for a
 *     space) onto further lines, so every line is at most 512 octets
 *     including CR LF. N is 506 without an enhanced code ("250-" + 506 +
 *     CR LF = 512) and 506 - strlen(enh) - 1 with one;
 *   - "code-" on every line but the last, "code SP" on the last; a line
 *     with empty text is "code-" CR LF or "code" CR LF (the RFC 5321
 *     textstring is 1*char, so "code SP" CR LF would be illegal);
 *   - with an enhanced code every line is "code[-| ]enh" followed by
 *     " text" only when the text is non-empty ("250 2.0.0" CR LF);
 *   - a text that ends in '\n' ends with an empty line, an empty text is
 *     one empty line; a line that fills exactly N octets and is followed by
 *     '\n' does not produce an extra empty line (the '\n' ends it);
 *   - the whole reply is at most the caller's capacity: when it does not
 *     fit it is cut after the last whole line that fits, and that line is
 *     written as the final "code SP" line, so the cut reply is still one
 *     well-formed reply.
 *
 * Round trip (what fuzz_reply_parse checks): for any reply the parser in
 * smtp_reply_parse.h accepts, formatting its code, its lifted enhanced
 * code (or none) and its line texts (enhanced code and SP removed, joined
 * with '\n' in one SMTP_TEXT_OURS segment) gives back the same bytes.
 *
 * What it never does: write a CR, LF or other control byte that came from
 * text. Text segments marked SMTP_TEXT_CLIENT (echoed client bytes) keep
 * only 0x20..0x7E; everything else (CR, LF, NUL, HT, DEL, 8-bit) becomes
 * '?', so client bytes can never end a line or start a second reply.
 * Segments marked SMTP_TEXT_OURS are the program's own literals: '\n' in
 * them starts a new reply line, HT is kept (the RFC 5321 textstring allows
 * it), any other byte outside 0x20..0x7E becomes '?'. It never allocates
 * and has no mutable static state.
 *
 * How it fails: an invalid code or enhanced code is a returned status and
 * nothing is written; a reply that does not fit is cut and reported.
 * Caller bugs (NULL spec, out or out_len; NULL text with a length; an
 * origin that is neither of the two) trip an always-on assert naming the
 * function.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stddef.h>

#include "smtp_wire.h"

#define SMTP_REPLY_MAX 8192 /* a comfortable buffer for any reply this project sends */

#define SMTP_REPLY_STATUS_LIST(X)                                                                  \
    X(SMTP_REPLY_OK, "reply formatted")                                                            \
    X(SMTP_REPLY_TRUNCATED, "reply cut at a line boundary to fit the buffer")                      \
    X(SMTP_REPLY_BAD_CODE, "reply code outside 2-5 / 0-5 / 0-9")                                   \
    X(SMTP_REPLY_BAD_ENH, "enhanced status code malformed or its class differs from the code")     \
    X(SMTP_REPLY_NO_ROOM, "buffer too small for a single reply line")

#define SMTP_REPLY_STATUS_ENUM_(name, text) name,
enum smtp_reply_status { SMTP_REPLY_STATUS_LIST(SMTP_REPLY_STATUS_ENUM_) SMTP_REPLY_STATUS_COUNT };
#undef SMTP_REPLY_STATUS_ENUM_

/* Where a piece of text comes from decides how strictly it is sanitised. */
enum smtp_text_origin {
    SMTP_TEXT_OURS,  /* our literal: '\n' breaks the line, HT kept */
    SMTP_TEXT_CLIENT /* echoed client bytes: only 0x20..0x7E survive */
};

struct smtp_text {
    const char *ptr;
    size_t len;
    enum smtp_text_origin origin;
};

/* A reply to format: code, optional enhanced code, and text pieces concatenated. */
struct smtp_reply_spec {
    unsigned code;                /* 200..559 with the middle digit 0..5 */
    const char *enh;              /* "2.0.0"-style, NUL-terminated; NULL or "" for none */
    const struct smtp_text *text; /* may be NULL when ntext == 0 */
    size_t ntext;
};

/*
 * smtp_reply_format - write the reply into out[0..cap), set *out_len
 *
 * On SMTP_REPLY_OK or SMTP_REPLY_TRUNCATED, out holds a well-formed reply
 * of *out_len octets that the reply parser accepts. On any other status
 * *out_len is 0 and out is untouched. Checks, in this order:
 *   SMTP_REPLY_BAD_CODE  code fails smtp_wire_code_valid();
 *   SMTP_REPLY_BAD_ENH   enh is not valid, or its class digit is not the
 *                        code's first digit (so 3yz replies take no enh);
 *   SMTP_REPLY_NO_ROOM   not even the first line fits in cap;
 *   SMTP_REPLY_BAD_ENH   no enh was given, but every line written would
 *                        begin with the same enhanced code of another class
 *                        (a reader would lift it as the reply's code and
 *                        find the class wrong; e.g. 250 with text
 *                        "5.0.0 no"); the caller must pass the enh instead;
 *   SMTP_REPLY_TRUNCATED the lines after the last one that fits were cut.
 */
enum smtp_reply_status smtp_reply_format(const struct smtp_reply_spec *spec, char *out, size_t cap,
                                         size_t *out_len);

/* smtp_reply_status_name - a short English description of a generator status, never NULL */
const char *smtp_reply_status_name(enum smtp_reply_status status);

#endif

/*
 * smtp_reply - the reply generator: the one choke point every reply of the
 * reference responder goes through (SPEC section 4).
 *
 * What it does: formats a reply code, an optional enhanced status code
 * (RFC 2034/3463) and text into wire bytes: "code-" on every line but the
 * last, "code SP" (or a bare "code" when the text is empty) on the last,
 * every line at most 512 octets including CR LF (long text is wrapped onto
 * further lines), the whole reply at most the caller's capacity (cut at a
 * line boundary, still well formed).
 *
 * What it never does: write a CR, LF or other control byte that came from
 * text. Text segments marked SMTP_TEXT_CLIENT (echoed client bytes) keep
 * only 0x20..0x7E; everything else becomes '?'. Segments marked
 * SMTP_TEXT_OURS are the program's own literals: '\n' in them starts a new
 * reply line, HT is kept (the RFC 5321 textstring allows it), any other
 * byte outside 0x20..0x7E becomes '?'. It never allocates and has no
 * mutable static state.
 *
 * How it fails: an invalid code or enhanced code is a returned status and
 * nothing is written; a reply that does not fit is cut and reported.
 */
#ifndef SMTP_REPLY_H
#define SMTP_REPLY_H

#include <stddef.h>

#define SMTP_REPLY_LINE_MAX 512 /* octets of a reply line, CR LF included (RFC 5321 4.5.3.1.5) */
#define SMTP_REPLY_MAX 8192     /* a comfortable buffer for any reply this project sends */
#define SMTP_ENH_MAX 11         /* "5.999.999" plus room: longest enhanced code */

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
    const char *enh;              /* "2.0.0"-style, NUL-terminated, or NULL for none */
    const struct smtp_text *text; /* may be NULL when ntext == 0 */
    size_t ntext;
};

/*
 * smtp_reply_format - write the reply into out[0..cap), set *out_len
 *
 * On SMTP_REPLY_OK or SMTP_REPLY_TRUNCATED, out holds a well-formed reply
 * of *out_len octets. On any other status *out_len is 0.
 */
enum smtp_reply_status smtp_reply_format(const struct smtp_reply_spec *spec, char *out, size_t cap,
                                         size_t *out_len);

/* smtp_reply_code_valid - true when code matches %x32-35 %x30-35 %x30-39 */
int smtp_reply_code_valid(unsigned code);

/* smtp_reply_enh_valid - true when (ptr, len) is class.subject.detail with class 2, 4 or 5 */
int smtp_reply_enh_valid(const char *ptr, size_t len);

/* smtp_reply_status_name - a short English description of a generator status */
const char *smtp_reply_status_name(enum smtp_reply_status status);

#endif

/*
 * naive_line - the plain docs/contract.md sections 1-2 classifier (see naive_line.h): decode
 * each UTF-8 code point and judge it, then match the verb against its own
 * list of the fourteen verbs rather than src/'s table.
 */
#include "naive_line.h"

#include <stdint.h>
#include <string.h>

/* utf8_len - octets of the well-formed UTF-8 sequence at p (n available), or 0 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len, k;
    uint32_t cp;

    if (p[0] >= 0xC0 && p[0] < 0xE0)
        len = 2, cp = p[0] & 0x1Fu;
    else if (p[0] >= 0xE0 && p[0] < 0xF0)
        len = 3, cp = p[0] & 0x0Fu;
    else if (p[0] >= 0xF0 && p[0] < 0xF8)
        len = 4, cp = p[0] & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3Fu);
    }
    /* overlong, a surrogate, or past U+10FFFF */
    if (cp < min_cp[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

enum smtp_line_status naive_line_classify(const unsigned char *p, size_t n, enum smtp_verb *verb)
{
    /* the contract's order, which is enum smtp_verb's order after SMTP_VERB_NONE */
    static const char *const verbs[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT",     "RSET",
                                        "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH"};
    size_t content, i, k, vlen;
    int cr = 0, ctrl = 0, utf8 = 0, bad_verb = 0;

    *verb = SMTP_VERB_NONE;
    if (n > 512)
        return SMTP_LINE_TOO_LONG;
    if (n < 2 || p[n - 2] != '\r')
        return SMTP_LINE_BARE_LF;
    content = n - 2;
    for (i = 0; i < content; i += k) {
        k = 1;
        if (p[i] == '\r')
            cr = 1;
        else if (p[i] < 0x20 || p[i] == 0x7F)
            ctrl = 1;
        else if (p[i] >= 0x80 && (k = utf8_len(p + i, content - i)) == 0)
            utf8 = 1, k = 1; /* go on after the bad octet, so later ones still count */
    }
    if (cr)
        return SMTP_LINE_BARE_CR;
    if (ctrl)
        return SMTP_LINE_CTRL;
    if (utf8)
        return SMTP_LINE_BAD_UTF8;
    for (vlen = 0; vlen < content && p[vlen] != ' '; vlen++) {
        if (!((p[vlen] >= 'A' && p[vlen] <= 'Z') || (p[vlen] >= 'a' && p[vlen] <= 'z')))
            bad_verb = 1;
    }
    if (vlen == 0 || bad_verb)
        return SMTP_LINE_BAD_VERB;
    for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strlen(verbs[i]) != vlen)
            continue;
        for (k = 0; k < vlen; k++) {
            unsigned char c = p[k] >= 'a' ? (unsigned char)(p[k] - ('a' - 'A')) : p[k];
            if (c != (unsigned char)verbs[i][k])
                break;
        }
        if (k == vlen) {
            *verb = (enum smtp_verb)(SMTP_VERB_NONE + 1 + (int)i);
            return SMTP_LINE_OK;
        }
    }
    return SMTP_LINE_UNKNOWN_VERB;
}

/*
 * fuzz_path - the argument grammar (src/smtp_path.h) against a plain model
 * written here, and the reference responder's replies to HELO/EHLO, MAIL
 * and RCPT against the same model.
 *
 * Input (at most FUZZ_PATH_INPUT_MAX octets): byte 0 picks the mode, the
 * rest is the argument.
 *
 *   bits 0-1  0 domain        smtp_path_domain; the responder gets EHLO <arg>
 *             1 reverse-path  smtp_path_parse, SMTP_PATH_NULL; MAIL FROM:<arg>
 *             2 forward-path  smtp_path_parse, SMTP_PATH_POSTMASTER; RCPT TO:<arg>
 *             3 bare path     smtp_path_parse, neither; no command
 *   bit 2     SMTP_PATH_UTF8 (for MAIL: the command carries SMTPUTF8; for
 *             RCPT: the MAIL before it does; HELO/EHLO stay ASCII-only)
 *   bit 3     domain mode: HELO instead of EHLO
 *
 * The model is written in another style than the module: the argument is
 * first decoded into symbols (an ASCII octet, a whole UTF-8 character
 * checked by its code point, or a bad octet), then cut at the delimiters
 * the grammar fixes ('<', the first ':' of a source route, the first '@'
 * or the closing quote, the first ']' or '>') and each piece is checked on
 * its own: a Domain split at its dots, a Dot-string at its dots, an IPv4
 * literal at its dots, an IPv6 literal at its "::" and last ':' (RFC 5321
 * 4.1.2, 4.1.3; RFC 6531 3.3). The module instead reads left to right with
 * one cursor and one function per rule.
 *
 * Checks (rule r7-argument-grammar), in this order:
 *   1. the module and the model agree on accept or refuse; on accept, on a
 *      path's octets used and whether it held UTF-8; and on the statuses
 *      that can be told without parsing, both ways: EMPTY, UTF8_NOT_ALLOWED
 *      (refused, but accepted with SMTP_PATH_UTF8) and, for a path,
 *      NO_OPEN_ANGLE, NULL_PATH_NOT_ALLOWED and TRAILING_JUNK (a good path,
 *      then neither SP nor the end);
 *   2. when the argument makes a well-framed command line (0x20..0x7E and
 *      well-formed UTF-8 only, at most 512 octets with the verb and CR LF;
 *      framing itself is fuzz_line's), the reference responder answers it
 *      as the model says: EHLO/HELO 250 or 501; MAIL 250, 553 (UTF-8
 *      without SMTPUTF8) or 501, and never 501 when parameters follow a
 *      good path; RCPT 250, 553 or 501, and 555 when anything follows a
 *      good path (no RCPT parameters).
 * A disagreement prints the mode, the argument (escaped) and both answers,
 * and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "smtp_path.h"
#include "smtp_reply_parse.h"
#include "smtp_session.h"

#define FUZZ_PATH_INPUT_MAX 4096
#define LINE_MAX_OCTETS 512   /* RFC 5321 4.5.3.1.4, CR LF included */
#define REPLIES_MAX 8         /* replies a run may get: greeting and three commands, with room */
#define SINK_MAX 8192         /* reply octets kept from one run */
#define MAIL_UTF8 " SMTPUTF8" /* the parameter the UTF-8 reverse-path mode adds */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------------ */
/* The model: symbols first, then the grammar cut at its delimiters.    */

#define SYM_UTF8 0x100u /* a whole, valid non-ASCII UTF-8 character */
#define SYM_BAD 0x101u  /* an octet that starts no valid UTF-8 character */
#define SYM_END 0x102u  /* past the last symbol */
#define NONE ((size_t)-1)

struct sym {
    unsigned c; /* an ASCII octet (0..0x7F), SYM_UTF8 or SYM_BAD */
    size_t off; /* its first octet */
};

/* The argument as symbols; s[n].off is its length in octets. */
struct text {
    const char *p;
    struct sym *s;
    size_t n;
};

enum verdict {
    M_REFUSE, /* not in the grammar */
    M_JUNK,   /* a good path, then neither SP nor the end */
    M_ACCEPT
};

static const char *verdict_name(enum verdict v)
{
    return v == M_ACCEPT ? "accept" : v == M_JUNK ? "refuse (junk after the path)" : "refuse";
}

/* m_decode_one - octets of the UTF-8 character at p, judged by its code point (RFC 3629), or 0 */
static size_t m_decode_one(const unsigned char *p, size_t avail)
{
    unsigned long cp;
    size_t len, k;

    if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (avail < len)
        return 0;
    for (k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0; /* overlong */
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0; /* a surrogate, or beyond Unicode */
    return len;
}

/* m_decode - (p, n) as symbols into s (room for n + 1); returns how many */
static size_t m_decode(const char *p, size_t n, struct sym *s)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, k = 0;

    while (i < n) {
        size_t len = u[i] < 0x80 ? 1 : m_decode_one(u + i, n - i);
        s[k].off = i;
        s[k].c = u[i] < 0x80 ? u[i] : len > 0 ? SYM_UTF8 : SYM_BAD;
        k++;
        i += len > 0 ? len : 1;
    }
    s[k].off = n;
    return k;
}

/* m_at - symbol i, or SYM_END past the last */
static unsigned m_at(const struct text *t, size_t i)
{
    return i < t->n ? t->s[i].c : SYM_END;
}

/* m_find - the first symbol ch in [from, to), or NONE */
static size_t m_find(const struct text *t, size_t from, size_t to, unsigned ch)
{
    for (size_t i = from; i < to; i++) {
        if (t->s[i].c == ch)
            return i;
    }
    return NONE;
}

static int m_letdig(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int m_hexdig(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* m_atext - RFC 5322 3.2.3 atext, the specials spelled out as the RFC lists them */
static int m_atext(unsigned c)
{
    static const char specials[] = "!#$%&'*+-/=?^_`{|}~";

    for (size_t i = 0; i + 1 < sizeof specials; i++) {
        if (c == (unsigned char)specials[i])
            return 1;
    }
    return m_letdig(c);
}

/* m_utf8 - a UTF-8 character where UTF-8 is allowed */
static int m_utf8(unsigned c, int utf8)
{
    return utf8 && c == SYM_UTF8;
}

/* m_label - sub-domain over symbols [a, b): Let-dig (or UTF-8) first, no '-' last */
static int m_label(const struct text *t, size_t a, size_t b, int utf8)
{
    if (b <= a)
        return 0;
    if (!m_letdig(t->s[a].c) && !m_utf8(t->s[a].c, utf8))
        return 0;
    if (t->s[b - 1].c == '-')
        return 0;
    for (size_t i = a; i < b; i++) {
        unsigned c = t->s[i].c;
        if (!m_letdig(c) && c != '-' && !m_utf8(c, utf8))
            return 0;
    }
    return 1;
}

/* m_domain - Domain over [a, b): the pieces between dots are all labels */
static int m_domain(const struct text *t, size_t a, size_t b, int utf8)
{
    size_t start = a;

    for (size_t i = a; i <= b; i++) {
        if (i == b || t->s[i].c == '.') {
            if (!m_label(t, start, i, utf8))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

/* m_ipv4 - four dot-separated numbers of 1 to 3 digits, each at most 255 */
static int m_ipv4(const char *s, size_t len)
{
    size_t parts = 0, start = 0;

    for (size_t i = 0; i <= len; i++) {
        size_t digits = i - start;
        unsigned value = 0;

        if (i < len && s[i] != '.')
            continue;
        if (digits < 1 || digits > 3)
            return 0;
        for (size_t k = start; k < i; k++) {
            if (s[k] < '0' || s[k] > '9')
                return 0;
            value = value * 10 + (unsigned)(s[k] - '0');
        }
        if (value > 255)
            return 0;
        parts++;
        start = i + 1;
    }
    return parts == 4;
}

/* m_groups - how many IPv6-hex (1 to 4 HEXDIG) separated by single ':' make s; -1 if not */
static int m_groups(const char *s, size_t len)
{
    int groups = 0;
    size_t start = 0;

    if (len == 0)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ':')
            continue;
        if (i - start < 1 || i - start > 4)
            return -1;
        for (size_t k = start; k < i; k++) {
            if (!m_hexdig((unsigned char)s[k]))
                return -1;
        }
        groups++;
        start = i + 1;
    }
    return groups;
}

/* m_two_sides - s[0, len) is [left] "::" [right], "::" at dc, both sides groups, at most max */
static int m_two_sides(const char *s, size_t len, size_t dc, int max)
{
    int left = m_groups(s, dc), right = m_groups(s + dc + 2, len - dc - 2);

    return left >= 0 && right >= 0 && left + right <= max;
}

/* m_ipv6 - IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp, as RFC 5321 4.1.3 writes them */
static int m_ipv6(const char *s, size_t len)
{
    size_t dc = NONE, last_colon = NONE;

    for (size_t i = 0; i + 1 < len && dc == NONE; i++) {
        if (s[i] == ':' && s[i + 1] == ':')
            dc = i;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':')
            last_colon = i;
    }
    if (memchr(s, '.', len) == NULL) {
        if (dc == NONE)
            return m_groups(s, len) == 8; /* IPv6-hex 7(":" IPv6-hex) */
        return m_two_sides(s, len, dc, 6);
    }
    /* An IPv4 tail after the last ':'; before it, that ':' included, the head. */
    if (last_colon == NONE || !m_ipv4(s + last_colon + 1, len - last_colon - 1))
        return 0;
    if (dc == NONE)
        return m_groups(s, last_colon) == 6; /* IPv6-hex 5(":" IPv6-hex) ":" */
    if (dc + 1 == last_colon)
        return m_two_sides(s, dc + 2, dc, 4); /* the head ends with "::" */
    /* [left] "::" right ":", right not empty */
    return m_groups(s + dc + 2, last_colon - dc - 2) > 0 && m_two_sides(s, last_colon, dc, 4);
}

/* m_general - Standardized-tag ":" 1*dcontent, cut at the first ':' */
static int m_general(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t tag, i;

    if (colon == NULL)
        return 0;
    tag = (size_t)(colon - s);
    if (tag == 0 || !m_letdig((unsigned char)s[tag - 1]))
        return 0;
    for (i = 0; i < tag; i++) {
        if (!m_letdig((unsigned char)s[i]) && s[i] != '-')
            return 0;
    }
    if (tag + 1 == len)
        return 0;
    for (i = tag + 1; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']')
            return 0;
    }
    return 1;
}

/* m_literal - the content of "[...]", symbols [a, b): ASCII only, then IPv4, IPv6 or general */
static int m_literal(const struct text *t, size_t a, size_t b)
{
    const char *s = t->p + t->s[a].off;
    size_t len = t->s[b].off - t->s[a].off;

    for (size_t i = a; i < b; i++) {
        if (t->s[i].c > 0x7F)
            return 0;
    }
    if (m_ipv4(s, len))
        return 1;
    if (len >= 5 && (s[0] == 'i' || s[0] == 'I') && (s[1] == 'p' || s[1] == 'P') &&
        (s[2] == 'v' || s[2] == 'V') && s[3] == '6' && s[4] == ':')
        return m_ipv6(s + 5, len - 5);
    return m_general(s, len);
}

/* m_domain_arg - all of the text is a Domain or an address-literal */
static enum verdict m_domain_arg(const struct text *t, int utf8)
{
    size_t close;

    if (t->n == 0)
        return M_REFUSE;
    if (m_at(t, 0) != '[')
        return m_domain(t, 0, t->n, utf8) ? M_ACCEPT : M_REFUSE;
    close = m_find(t, 1, t->n, ']');
    if (close != t->n - 1)
        return M_REFUSE;
    return m_literal(t, 1, close) ? M_ACCEPT : M_REFUSE;
}

/* m_postmaster - the text begins with "<Postmaster>" in any case */
static int m_postmaster(const struct text *t)
{
    static const char lower[] = "<postmaster>", upper[] = "<POSTMASTER>";

    if (t->s[t->n].off < sizeof lower - 1)
        return 0;
    for (size_t i = 0; i + 1 < sizeof lower; i++) {
        if (t->p[i] != lower[i] && t->p[i] != upper[i])
            return 0;
    }
    return 1;
}

/* m_local - a Local-part from symbol pos, and the '@' after it at *at; 0 when not */
static int m_local(const struct text *t, size_t pos, int utf8, size_t *at)
{
    if (m_at(t, pos) == '"') {
        size_t j = pos + 1;
        for (;;) {
            unsigned c = m_at(t, j);
            if (c == '"')
                break;
            if (c == '\\') {
                unsigned q = m_at(t, j + 1);
                if (q < 32 || q > 126)
                    return 0;
                j += 2;
            } else if ((c >= 32 && c <= 126 && c != '"' && c != '\\') || m_utf8(c, utf8)) {
                j++;
            } else {
                return 0;
            }
        }
        *at = j + 1;
        return m_at(t, *at) == '@';
    }
    *at = m_find(t, pos, t->n, '@');
    if (*at == NONE)
        return 0;
    /* Dot-string: the pieces between dots are non-empty runs of atext. */
    for (size_t i = pos, start = pos; i <= *at; i++) {
        if (i < *at && t->s[i].c != '.') {
            if (!m_atext(t->s[i].c) && !m_utf8(t->s[i].c, utf8))
                return 0;
            continue;
        }
        if (i == start)
            return 0;
        start = i + 1;
    }
    return 1;
}

/* m_path - a Path at the start of the text; *used its octets unless M_REFUSE */
static enum verdict m_path(const struct text *t, unsigned flags, size_t *used)
{
    int utf8 = (flags & SMTP_PATH_UTF8) != 0;
    size_t end, pos = 1, at, close;

    *used = 0;
    if (t->n == 0)
        return M_REFUSE;
    if ((flags & SMTP_PATH_POSTMASTER) && m_postmaster(t)) {
        end = 12;
    } else if (m_at(t, 0) != '<') {
        return M_REFUSE;
    } else if (m_at(t, 1) == '>') {
        if (!(flags & SMTP_PATH_NULL))
            return M_REFUSE;
        end = 2;
    } else {
        if (m_at(t, pos) == '@') {
            /* A-d-l ":" - the route ends at the first ':', which no Domain holds. */
            size_t colon = m_find(t, pos, t->n, ':'), start = pos;
            if (colon == NONE)
                return M_REFUSE;
            for (size_t i = pos; i <= colon; i++) {
                if (i < colon && t->s[i].c != ',')
                    continue;
                if (m_at(t, start) != '@' || !m_domain(t, start + 1, i, utf8))
                    return M_REFUSE;
                start = i + 1;
            }
            pos = colon + 1;
        }
        if (!m_local(t, pos, utf8, &at))
            return M_REFUSE;
        if (m_at(t, at + 1) == '[') {
            size_t bracket = m_find(t, at + 2, t->n, ']');
            if (bracket == NONE || !m_literal(t, at + 2, bracket))
                return M_REFUSE;
            close = bracket + 1;
        } else {
            close = m_find(t, at + 1, t->n, '>');
            if (close == NONE || !m_domain(t, at + 1, close, utf8))
                return M_REFUSE;
        }
        if (m_at(t, close) != '>')
            return M_REFUSE;
        end = close + 1;
    }
    *used = t->s[end].off;
    if (*used < t->s[t->n].off && t->p[*used] != ' ')
        return M_JUNK;
    return M_ACCEPT;
}

/* ------------------------------------------------------------------ */
/* Reports                                                              */

static const char *const mode_names[4] = {"domain", "reverse-path", "forward-path", "bare path"};

/* fail_head - a report's first lines: the rule, what differed, the mode and the argument */
static void fail_head(const char *what, unsigned mode, unsigned flags, const char *arg, size_t n)
{
    fprintf(stderr, "fuzz_path: r7-argument-grammar: %s\n  mode: %s, flags%s%s%s%s\n", what,
            mode_names[mode & 3], flags == 0 ? " none" : "", flags & SMTP_PATH_UTF8 ? " UTF8" : "",
            flags & SMTP_PATH_NULL ? " NULL" : "",
            flags & SMTP_PATH_POSTMASTER ? " POSTMASTER" : "");
    fprintf(stderr, "  argument (%zu octets): \"", n);
    escape_print(stderr, arg, n, 400);
    fputs("\"\n", stderr);
}

/* ------------------------------------------------------------------ */
/* Check 1: the module                                                  */

/* check_module - the module's answer against the model's, with the input's own flags */
static void check_module(unsigned mode, unsigned flags, const struct text *t)
{
    /* The statuses the model tells without parsing; a domain has only the first two. */
    static const enum smtp_path_status crisp[] = {
        SMTP_PATH_EMPTY, SMTP_PATH_UTF8_NOT_ALLOWED, SMTP_PATH_NO_OPEN_ANGLE,
        SMTP_PATH_NULL_PATH_NOT_ALLOWED, SMTP_PATH_TRAILING_JUNK};
    const char *arg = t->p;
    size_t n = t->s[t->n].off, used = 0, ncrisp = (mode & 3) == 0 ? 2 : 5;
    struct smtp_path_result res = {0, 0};
    enum smtp_path_status got;
    enum verdict v, v_utf8;
    int nonascii = 0, want = -1, bad;

    if ((mode & 3) == 0) {
        got = smtp_path_domain(arg, n, flags);
        v = m_domain_arg(t, (flags & SMTP_PATH_UTF8) != 0);
        v_utf8 = m_domain_arg(t, 1);
    } else {
        size_t ignored;
        got = smtp_path_parse(arg, n, flags, &res);
        v = m_path(t, flags, &used);
        v_utf8 = m_path(t, flags | SMTP_PATH_UTF8, &ignored);
        for (size_t i = 0; i < used && v == M_ACCEPT; i++)
            nonascii |= (unsigned char)arg[i] > 0x7F;
    }
    if (n == 0)
        want = SMTP_PATH_EMPTY;
    else if (v != M_ACCEPT && v_utf8 == M_ACCEPT)
        want = SMTP_PATH_UTF8_NOT_ALLOWED;
    else if ((mode & 3) != 0 && arg[0] != '<')
        want = SMTP_PATH_NO_OPEN_ANGLE;
    else if ((mode & 3) != 0 && n >= 2 && arg[1] == '>' && !(flags & SMTP_PATH_NULL))
        want = SMTP_PATH_NULL_PATH_NOT_ALLOWED;
    else if ((mode & 3) != 0 && v == M_JUNK)
        want = SMTP_PATH_TRAILING_JUNK;

    bad = (got == SMTP_PATH_OK) != (v == M_ACCEPT) ||
          (got == SMTP_PATH_OK && (res.used != used || res.nonascii != nonascii));
    for (size_t k = 0; k < ncrisp; k++)
        bad |= (got == crisp[k]) != (want == (int)crisp[k]);
    if (bad) {
        fail_head("the module disagrees with the model", mode, flags, arg, n);
        fprintf(stderr, "  module: %s, used %zu, nonascii %d\n", smtp_path_status_name(got),
                res.used, res.nonascii);
        fprintf(stderr, "  model: %s, used %zu, nonascii %d, status %s\n", verdict_name(v),
                v == M_ACCEPT ? used : 0, nonascii,
                want >= 0       ? smtp_path_status_name((enum smtp_path_status)want)
                : v == M_ACCEPT ? smtp_path_status_name(SMTP_PATH_OK)
                                : "(any refusal)");
        abort();
    }
}

/* ------------------------------------------------------------------ */
/* Check 2: the responder                                               */

struct sink {
    char buf[SINK_MAX];
    size_t len;
    int full;
};

/* sink_write - the smtp_reply_sink: keep up to SINK_MAX octets */
static void sink_write(void *ctx, const char *bytes, size_t len)
{
    struct sink *s = ctx;

    if (len > sizeof s->buf - s->len) {
        s->full = 1;
        return;
    }
    memcpy(s->buf + s->len, bytes, len);
    s->len += len;
}

/* respond - one session over the client bytes; its replies' codes, how many, or -1 unreadable */
static int respond(const char *client, size_t len, struct sink *out, unsigned *codes, size_t max)
{
    const struct smtp_target *t = &smtp_session_target;
    struct smtp_rp rp;
    struct smtp_rp_line line;
    struct smtp_rp_reply reply;
    size_t off = 0, used, count = 0;
    void *session;

    out->len = 0;
    out->full = 0;
    session = t->open(sink_write, out);
    if (session == NULL)
        return -1;
    (void)t->feed(session, client, len);
    t->close(session);
    if (out->full)
        return -1;
    smtp_rp_reset(&rp);
    while (off < out->len) {
        enum smtp_rp_result r =
            smtp_rp_feed(&rp, out->buf + off, out->len - off, &used, &line, &reply);
        off += used;
        if (r == SMTP_RP_NEED_MORE || line.status != SMTP_RP_OK)
            return -1;
        if (r == SMTP_RP_REPLY) {
            if (reply.status != SMTP_RP_OK || count == max)
                return -1;
            codes[count++] = reply.code;
        }
    }
    return (int)count;
}

/* framed - the text can stand in a command line: 0x20..0x7E and whole UTF-8 characters only */
static int framed(const struct text *t)
{
    for (size_t i = 0; i < t->n; i++) {
        unsigned c = t->s[i].c;
        if (c != SYM_UTF8 && (c < 0x20 || c > 0x7E))
            return 0;
    }
    return 1;
}

/* append - copy n octets to the end of the client bytes */
static void append(char *client, size_t *len, const char *p, size_t n)
{
    memcpy(client + *len, p, n);
    *len += n;
}

/* check_responder - send the command of the mode with the argument in it; the reply to it
 * must be what the model says (client: room for two lines and the stage before them) */
static void check_responder(unsigned mode, unsigned flags, const struct text *t, char *client,
                            struct sink *out)
{
    const char *arg = t->p, *prefix, *verb, *suffix = "";
    size_t n = t->s[t->n].off, len = 0, used = 0, lines = 0;
    int utf8 = (flags & SMTP_PATH_UTF8) != 0, nonascii = 0, replies, stage_ok = 1;
    unsigned codes[REPLIES_MAX], want, got;
    enum verdict v;

    if ((mode & 3) == 0) {
        prefix = "";
        verb = mode & 8 ? "HELO " : "EHLO ";
        /* HELO/EHLO take an ASCII domain only: the responder's flags are none. */
        v = m_domain_arg(t, 0);
    } else if ((mode & 3) == 1) {
        prefix = "EHLO client.example\r\n";
        verb = "MAIL FROM:";
        suffix = utf8 ? MAIL_UTF8 : "";
        v = m_path(t, SMTP_PATH_NULL | SMTP_PATH_UTF8, &used);
    } else {
        prefix = utf8 ? "EHLO client.example\r\nMAIL FROM:<>" MAIL_UTF8 "\r\n"
                      : "EHLO client.example\r\nMAIL FROM:<>\r\n";
        verb = "RCPT TO:";
        v = m_path(t, SMTP_PATH_POSTMASTER | SMTP_PATH_UTF8, &used);
    }
    if (strlen(verb) + n + strlen(suffix) + 2 > LINE_MAX_OCTETS || !framed(t))
        return; /* not a well-framed line: the tokenizer's business (fuzz_line) */
    for (size_t i = 0; i < used; i++)
        nonascii |= (unsigned char)arg[i] > 0x7F;
    /* What the responder must answer (smtp_session.h; RFC 5321 4.1.1; RFC 6531 3.4). */
    if ((mode & 3) == 0)
        want = v == M_ACCEPT ? 250 : 501;
    else if (v != M_ACCEPT)
        want = 501;
    else if (used < n)
        want = (mode & 3) == 2 ? 555 : 0; /* 0: MAIL parameters follow, anything but 501 */
    else if (nonascii && !utf8)
        want = 553; /* UTF-8 in a path needs SMTPUTF8 on the MAIL */
    else
        want = 250;

    append(client, &len, prefix, strlen(prefix));
    append(client, &len, verb, strlen(verb));
    append(client, &len, arg, n);
    append(client, &len, suffix, strlen(suffix));
    append(client, &len, "\r\n", 2);
    for (size_t i = 0; i < len; i++)
        lines += client[i] == '\n';

    replies = respond(client, len, out, codes, REPLIES_MAX);
    if (replies < 0 || (size_t)replies != lines + 1) {
        fail_head("the responder disagrees with the model", mode, flags, arg, n);
        fprintf(stderr, "  responder: %d readable replies to %zu lines, want %zu\n", replies, lines,
                lines + 1);
        abort();
    }
    got = replies > 0 ? codes[replies - 1] : 0; /* replies > 0 here; cppcheck cannot tell */
    /* Every command before the last one only sets the stage, and must succeed. */
    for (size_t i = 1; i + 1 < (size_t)replies; i++)
        stage_ok &= codes[i] == 250;
    if (!stage_ok || (want != 0 && got != want) || (want == 0 && got == 501)) {
        fail_head("the responder disagrees with the model", mode, flags, arg, n);
        fputs("  client: \"", stderr);
        escape_print(stderr, client, len, 600);
        fprintf(stderr, "\"\n  responder: %u to the last line%s\n", got,
                stage_ok ? "" : ", and not 250 to a line before it");
        fprintf(stderr, "  model: %s (%zu octets used), want %s%u\n", verdict_name(v), used,
                want == 0 ? "anything but " : "", want == 0 ? 501 : want);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct text t;
    struct sym *syms;
    struct sink *out;
    char *client;
    unsigned mode, flags;

    if (size == 0 || size > FUZZ_PATH_INPUT_MAX)
        return 0;
    mode = data[0];
    flags = mode & 4 ? SMTP_PATH_UTF8 : 0;
    if ((mode & 3) == 1)
        flags |= SMTP_PATH_NULL;
    else if ((mode & 3) == 2)
        flags |= SMTP_PATH_POSTMASTER;
    syms = malloc(size * sizeof *syms);
    client = malloc(2 * LINE_MAX_OCTETS + 64);
    out = malloc(sizeof *out);
    if (syms == NULL || client == NULL || out == NULL)
        goto done; /* out of memory is the harness's problem, not a finding */
    /* The argument is the rest of the input, read in place: its end is the buffer's end. */
    t.p = (const char *)data + 1;
    t.s = syms;
    t.n = m_decode(t.p, size - 1, syms);

    check_module(mode, flags, &t);
    if ((mode & 3) != 3)
        check_responder(mode, flags, &t, client, out);
done:
    free(syms);
    free(client);
    free(out);
    return 0;
}

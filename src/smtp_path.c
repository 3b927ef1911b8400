/*
 * smtp_path - RFC 5321 4.1.2 / 4.1.3 argument grammar (with RFC 6531 3.3
 * UTF-8): a cursor over the argument and one function per rule.
 *
 * Shape. Every rule is a function that advances a cursor over (p, n) and
 * returns whether the rule matched there; none backtracks, because the
 * grammar never needs it: a Domain ends at the first octet that is not a
 * Let-dig, "-", "." or (allowed) UTF-8, a Dot-string at the first octet
 * that is not atext or ".", an address literal at its first "]". The
 * public functions turn where the cursor stopped into a status.
 *
 * UTF-8 is read a whole RFC 3629 character at a time (cur_utf8), so a
 * truncated or overlong sequence never matches. The responder's lines are
 * already well-formed UTF-8 (smtp_line.h), so there this only ever sees
 * whole characters.
 */
#include "smtp_path.h"

#include <stdio.h>
#include <stdlib.h>

#define PATH_FLAGS_ALL (SMTP_PATH_UTF8 | SMTP_PATH_NULL | SMTP_PATH_POSTMASTER)
#define PATH_POSTMASTER "<POSTMASTER>" /* RFC 5321 4.1.1.3, compared ignoring ASCII case */

#define SMTP_PATH_STATUS_TEXT_(name, text) text,
static const char *const path_status_text[SMTP_PATH_STATUS_COUNT] = {
    SMTP_PATH_STATUS_LIST(SMTP_PATH_STATUS_TEXT_)};
#undef SMTP_PATH_STATUS_TEXT_

/* path_require - a caller bug aborts, whatever NDEBUG says */
static void path_require(int ok, const char *func, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s: caller bug: %s\n", func, what);
        abort();
    }
}

/* ---- byte classes (RFC 5321 4.1.2, 4.1.3; RFC 5322 3.2.3), ranges only ---- */

/* in_range - lo <= c <= hi */
static int in_range(unsigned c, unsigned lo, unsigned hi)
{
    return c >= lo && c <= hi;
}

/* is_digit - DIGIT */
static int is_digit(unsigned c)
{
    return in_range(c, '0', '9');
}

/* is_hex - HEXDIG in either case */
static int is_hex(unsigned c)
{
    return is_digit(c) || in_range(c, 'A', 'F') || in_range(c, 'a', 'f');
}

/* is_letdig - Let-dig = ALPHA / DIGIT */
static int is_letdig(unsigned c)
{
    return in_range(c, 'A', 'Z') || in_range(c, 'a', 'z') || is_digit(c);
}

/* is_atext - atext (RFC 5322 3.2.3): Let-dig and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ */
static int is_atext(unsigned c)
{
    return is_letdig(c) || c == 33 || in_range(c, 35, 39) || in_range(c, 42, 43) || c == 45 ||
           c == 47 || c == 61 || c == 63 || in_range(c, 94, 96) || in_range(c, 123, 126);
}

/* is_qtext - qtextSMTP = %d32-33 / %d35-91 / %d93-126 */
static int is_qtext(unsigned c)
{
    return in_range(c, 32, 33) || in_range(c, 35, 91) || in_range(c, 93, 126);
}

/* is_dcontent - dcontent = %d33-90 / %d94-126 */
static int is_dcontent(unsigned c)
{
    return in_range(c, 33, 90) || in_range(c, 94, 126);
}

/* ascii_upper - fold one ASCII letter to upper case */
static unsigned ascii_upper(unsigned c)
{
    return in_range(c, 'a', 'z') ? c - 'a' + 'A' : c;
}

/* ascii_iprefix - (p, n) begins with the upper-case literal lit, ignoring ASCII case */
static int ascii_iprefix(const unsigned char *p, size_t n, const char *lit)
{
    size_t i;

    for (i = 0; lit[i] != '\0'; i++) {
        if (i >= n || ascii_upper(p[i]) != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

/* utf8_len - octets of the UTF8-non-ascii character at p (RFC 3629 4), or 0 */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    unsigned lo = 0x80, hi = 0xBF;
    size_t len, k;

    if (avail == 0)
        return 0;
    if (in_range(p[0], 0xC2, 0xDF)) {
        len = 2;
    } else if (in_range(p[0], 0xE0, 0xEF)) {
        len = 3;
        lo = p[0] == 0xE0 ? 0xA0 : lo; /* 80..9F would be overlong */
        hi = p[0] == 0xED ? 0x9F : hi; /* A0..BF would be a surrogate */
    } else if (in_range(p[0], 0xF0, 0xF4)) {
        len = 4;
        lo = p[0] == 0xF0 ? 0x90 : lo; /* 80..8F would be overlong */
        hi = p[0] == 0xF4 ? 0x8F : hi; /* 90..BF would be above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < len || !in_range(p[1], lo, hi))
        return 0;
    for (k = 2; k < len; k++) {
        if (!in_range(p[k], 0x80, 0xBF))
            return 0;
    }
    return len;
}

/* has_nonascii - some octet of (p, n) is above 0x7F */
static int has_nonascii(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] > 0x7F)
            return 1;
    }
    return 0;
}

/* ---- the cursor ---- */

struct cursor {
    const unsigned char *p;
    size_t n;
    size_t i;
    int utf8_ok;  /* UTF-8 characters may appear (RFC 6531); else they stop the rule */
    int nonascii; /* a UTF-8 character was consumed */
};

/* cur_peek - the next octet, or -1 at the end */
static int cur_peek(const struct cursor *c)
{
    return c->i < c->n ? c->p[c->i] : -1;
}

/* cur_eat - consume ch when it is next */
static int cur_eat(struct cursor *c, int ch)
{
    if (cur_peek(c) != ch)
        return 0;
    c->i++;
    return 1;
}

/* cur_utf8 - consume one whole UTF-8 character when one is next and allowed */
static int cur_utf8(struct cursor *c)
{
    size_t k;

    if (!c->utf8_ok)
        return 0;
    k = utf8_len(c->p + c->i, c->n - c->i);
    if (k == 0)
        return 0;
    c->i += k;
    c->nonascii = 1;
    return 1;
}

/* ---- the rules ---- */

/* parse_subdomain - sub-domain = Let-dig [Ldh-str]; with RFC 6531 a UTF-8 character may stand
 * wherever a Let-dig may */
static int parse_subdomain(struct cursor *c)
{
    size_t start = c->i;
    int hyphen_last = 0;

    for (;;) {
        int b = cur_peek(c);
        if (b >= 0 && is_letdig((unsigned)b)) {
            c->i++;
            hyphen_last = 0;
        } else if (b == '-' && c->i > start) {
            c->i++;
            hyphen_last = 1;
        } else if (cur_utf8(c)) {
            hyphen_last = 0;
        } else {
            break;
        }
    }
    /* Ldh-str ends in a Let-dig: no trailing hyphen. */
    return c->i > start && !hyphen_last;
}

/* parse_domain - Domain = sub-domain *("." sub-domain) */
static int parse_domain(struct cursor *c)
{
    if (!parse_subdomain(c))
        return 0;
    while (cur_eat(c, '.')) {
        if (!parse_subdomain(c))
            return 0;
    }
    return 1;
}

/* parse_ipv4 - IPv4-address-literal = Snum 3("." Snum), Snum 1*3DIGIT of 0..255, over exactly
 * (p, n) */
static int parse_ipv4(const unsigned char *p, size_t n)
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned value = 0;
        size_t digits = 0;
        if (part > 0 && (i >= n || p[i++] != '.'))
            return 0;
        while (i < n && is_digit(p[i]) && digits < 3) {
            value = value * 10 + (unsigned)(p[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || value > 255)
            return 0;
    }
    return i == n;
}

/* parse_ipv6 - IPv6-addr (IPv6-full, -comp, v4-full, v4-comp) over exactly (p, n) */
static int parse_ipv6(const unsigned char *p, size_t n)
{
    size_t i = 0;
    unsigned groups = 0;
    int dcolon = 0;
    int v4 = 0;

    if (n >= 2 && p[0] == ':' && p[1] == ':') {
        dcolon = 1;
        i = 2;
    }
    while (i < n) {
        size_t end = i;
        int dot = 0;
        while (end < n && p[end] != ':') {
            dot |= p[end] == '.';
            end++;
        }
        if (dot) {
            /* An embedded IPv4 address must be the last piece. */
            if (end != n || !parse_ipv4(p + i, n - i))
                return 0;
            v4 = 1;
            break;
        }
        if (end == i || end - i > 4)
            return 0;
        for (size_t k = i; k < end; k++) {
            if (!is_hex(p[k]))
                return 0;
        }
        groups++;
        i = end;
        if (i == n)
            break;
        i++; /* the ':' */
        if (i < n && p[i] == ':') {
            if (dcolon)
                return 0;
            dcolon = 1;
            i++;
        } else if (i == n) {
            return 0; /* a single trailing ':' */
        }
    }
    /* RFC 5321 4.1.3: at most 6 (v4: 4) groups beside "::"; exactly 8 (v4: 6) without. */
    if (v4)
        return dcolon ? groups <= 4 : groups == 6;
    return dcolon ? groups <= 6 : groups == 8;
}

/* parse_general - General-address-literal = Standardized-tag ":" 1*dcontent, over exactly
 * (p, n); Standardized-tag = Ldh-str */
static int parse_general(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n && (is_letdig(p[i]) || p[i] == '-'))
        i++;
    if (i == 0 || p[i - 1] == '-' || i >= n || p[i] != ':')
        return 0;
    if (++i == n)
        return 0;
    for (; i < n; i++) {
        if (!is_dcontent(p[i]))
            return 0;
    }
    return 1;
}

/* parse_address_literal - "[" ( IPv4 / "IPv6:" IPv6 / General ) "]"; the content ends at the
 * first "]" */
static int parse_address_literal(struct cursor *c)
{
    size_t start, len;
    const unsigned char *p;

    if (!cur_eat(c, '['))
        return 0;
    start = c->i;
    while (c->i < c->n && c->p[c->i] != ']')
        c->i++;
    len = c->i - start;
    if (!cur_eat(c, ']') || len == 0)
        return 0;
    p = c->p + start;
    if (parse_ipv4(p, len))
        return 1;
    if (ascii_iprefix(p, len, "IPV6:"))
        return parse_ipv6(p + 5, len - 5); /* no fallback to the general form */
    return parse_general(p, len);
}

/* parse_quoted - Quoted-string = DQUOTE *QcontentSMTP DQUOTE; QcontentSMTP = qtextSMTP /
 * quoted-pairSMTP, quoted-pairSMTP = %d92 %d32-126 (RFC 6531: UTF-8 in qtextSMTP only) */
static int parse_quoted(struct cursor *c)
{
    if (!cur_eat(c, '"'))
        return 0;
    for (;;) {
        int b = cur_peek(c);
        if (b == '"') {
            c->i++;
            return 1;
        }
        if (b == '\\') {
            c->i++;
            b = cur_peek(c);
            if (b < 0 || !in_range((unsigned)b, 32, 126))
                return 0;
            c->i++;
        } else if (b >= 0 && is_qtext((unsigned)b)) {
            c->i++;
        } else if (!cur_utf8(c)) {
            return 0; /* the end, a control, or UTF-8 not allowed */
        }
    }
}

/* parse_local_part - Local-part = Dot-string / Quoted-string; Dot-string = Atom *("." Atom),
 * Atom = 1*atext (RFC 6531: UTF-8 in atext) */
static int parse_local_part(struct cursor *c)
{
    if (cur_peek(c) == '"')
        return parse_quoted(c);
    do {
        size_t start = c->i;
        for (;;) {
            int b = cur_peek(c);
            if (b >= 0 && is_atext((unsigned)b))
                c->i++;
            else if (!cur_utf8(c))
                break;
        }
        if (c->i == start)
            return 0; /* empty atom: leading, trailing or doubled dot */
    } while (cur_eat(c, '.'));
    return 1;
}

/* path_rule - Path = "<" [ A-d-l ":" ] Mailbox ">", "<>" and "<Postmaster>" as the flags say,
 * then SP or the end; the cursor ends after the '>' */
static enum smtp_path_status path_rule(struct cursor *c, unsigned flags)
{
    if (c->n == 0)
        return SMTP_PATH_EMPTY;
    if ((flags & SMTP_PATH_POSTMASTER) && ascii_iprefix(c->p, c->n, PATH_POSTMASTER)) {
        c->i = sizeof(PATH_POSTMASTER) - 1;
    } else {
        if (!cur_eat(c, '<'))
            return SMTP_PATH_NO_OPEN_ANGLE;
        if (cur_eat(c, '>')) {
            if (!(flags & SMTP_PATH_NULL))
                return SMTP_PATH_NULL_PATH_NOT_ALLOWED;
        } else {
            if (cur_peek(c) == '@') {
                /* A source route: RFC 5321 4.1.2 says accept it and ignore it. */
                do {
                    if (!cur_eat(c, '@') || !parse_domain(c))
                        return SMTP_PATH_BAD_SOURCE_ROUTE;
                } while (cur_eat(c, ','));
                if (!cur_eat(c, ':'))
                    return SMTP_PATH_BAD_SOURCE_ROUTE;
            }
            if (!parse_local_part(c))
                return SMTP_PATH_BAD_LOCAL_PART;
            if (!cur_eat(c, '@'))
                return SMTP_PATH_NO_AT;
            if (cur_peek(c) == '[') {
                if (!parse_address_literal(c))
                    return SMTP_PATH_BAD_ADDRESS_LITERAL;
            } else if (!parse_domain(c)) {
                return SMTP_PATH_BAD_DOMAIN;
            }
            if (!cur_eat(c, '>'))
                return SMTP_PATH_NO_CLOSE_ANGLE;
        }
    }
    /* RFC 5321 4.1.1.2, 4.1.1.3: Mail-parameters / Rcpt-parameters follow after one SP. */
    if (c->i < c->n && c->p[c->i] != ' ')
        return SMTP_PATH_TRAILING_JUNK;
    return SMTP_PATH_OK;
}

/* domain_rule - ( Domain / address-literal ) over exactly (p, n) */
static enum smtp_path_status domain_rule(struct cursor *c)
{
    if (c->n == 0)
        return SMTP_PATH_EMPTY;
    if (cur_peek(c) == '[') {
        if (!parse_address_literal(c))
            return SMTP_PATH_BAD_ADDRESS_LITERAL;
    } else if (!parse_domain(c)) {
        return SMTP_PATH_BAD_DOMAIN;
    }
    return c->i == c->n ? SMTP_PATH_OK : SMTP_PATH_TRAILING_JUNK;
}

/* smtp_path_domain - whether all of (p, n) is a Domain or an address-literal */
enum smtp_path_status smtp_path_domain(const char *p, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)p;
    struct cursor c = {u, n, 0, (flags & SMTP_PATH_UTF8) != 0, 0};
    enum smtp_path_status st;

    path_require(p != NULL || n == 0, "smtp_path_domain", "NULL argument with a length");
    path_require((flags & ~(unsigned)SMTP_PATH_UTF8) == 0, "smtp_path_domain",
                 "flags other than SMTP_PATH_UTF8");
    st = domain_rule(&c);
    if (st != SMTP_PATH_OK && !c.utf8_ok && has_nonascii(u, n)) {
        struct cursor again = {u, n, 0, 1, 0};
        if (domain_rule(&again) == SMTP_PATH_OK)
            st = SMTP_PATH_UTF8_NOT_ALLOWED;
    }
    return st;
}

/* smtp_path_parse - whether (p, n) begins with a Path followed by SP or the end */
enum smtp_path_status smtp_path_parse(const char *p, size_t n, unsigned flags,
                                      struct smtp_path_result *res)
{
    const unsigned char *u = (const unsigned char *)p;
    struct cursor c = {u, n, 0, (flags & SMTP_PATH_UTF8) != 0, 0};
    enum smtp_path_status st;

    path_require(res != NULL, "smtp_path_parse", "NULL result");
    path_require(p != NULL || n == 0, "smtp_path_parse", "NULL argument with a length");
    path_require((flags & ~(unsigned)PATH_FLAGS_ALL) == 0, "smtp_path_parse", "unknown flags");
    res->used = 0;
    res->nonascii = 0;
    st = path_rule(&c, flags);
    if (st == SMTP_PATH_OK) {
        res->used = c.i;
        res->nonascii = c.nonascii;
    } else if (!c.utf8_ok && has_nonascii(u, n)) {
        struct cursor again = {u, n, 0, 1, 0};
        if (path_rule(&again, flags) == SMTP_PATH_OK)
            st = SMTP_PATH_UTF8_NOT_ALLOWED;
    }
    return st;
}

/* smtp_path_status_name - a short English description of a status */
const char *smtp_path_status_name(enum smtp_path_status status)
{
    return (unsigned)status < SMTP_PATH_STATUS_COUNT ? path_status_text[status]
                                                     : "invalid path status";
}

/*
 * test_smtp_reply - the reply generator (src/smtp_reply.h, docs/contract.md section 4).
 *
 * Table-driven: every row names a behaviour and says "got X, want Y" when
 * it fails. Every reply the generator accepts is also read back with the
 * reply parser, which must find exactly one well-formed reply; output
 * buffers are allocated at exactly the capacity passed, so ASan catches a
 * write past it, and a guard-page test catches reads past the text.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for the guard page */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smtp_reply.h"
#include "smtp_reply_parse.h"

#define OURS(s)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1, SMTP_TEXT_OURS                                                           \
    }
#define CLIENT(s)                                                                                  \
    {                                                                                              \
        s, sizeof(s) - 1, SMTP_TEXT_CLIENT                                                         \
    }
#define MAX_SEGS 4

/* escape - printable rendering of wire bytes for failure messages, cut to fit dst */
static const char *escape(const char *p, size_t n, char *dst, size_t cap)
{
    size_t o = 0, i;

    for (i = 0; i < n && o + 5 < cap; i++) {
        unsigned char b = (unsigned char)p[i];
        if (b == '\r')
            o += (size_t)snprintf(dst + o, cap - o, "\\r");
        else if (b == '\n')
            o += (size_t)snprintf(dst + o, cap - o, "\\n");
        else if (b >= 0x20 && b <= 0x7E && b != '\\')
            dst[o++] = (char)b;
        else
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", b);
    }
    if (i < n && o + 4 <= cap)
        o += (size_t)snprintf(dst + o, cap - o, "...");
    dst[o < cap ? o : cap - 1] = '\0';
    return dst;
}

/*
 * expect_one_reply - the bytes must read back as exactly one well-formed
 * reply with this code (and nlines lines when nlines > 0)
 */
static void expect_one_reply(const char *name, const char *out, size_t len, unsigned code,
                             size_t nlines)
{
    struct smtp_rp rp;
    struct smtp_rp_line line;
    struct smtp_rp_reply reply;
    size_t off = 0, used, replies = 0, lines = 0;
    char esc[1200];

    memset(&rp, 0, sizeof(rp));
    while (off < len) {
        enum smtp_rp_result r = smtp_rp_feed(&rp, out + off, len - off, &used, &line, &reply);
        off += used;
        if (r == SMTP_RP_NEED_MORE)
            break;
        lines++;
        if (line.status != SMTP_RP_OK || line.octets > SMTP_REPLY_LINE_MAX)
            fail_msg("%s: line %zu: got %s (%llu octets), want a well-formed line <= 512 in %s",
                     name, lines, smtp_rp_status_name(line.status), (unsigned long long)line.octets,
                     escape(out, len, esc, sizeof(esc)));
        if (r == SMTP_RP_REPLY) {
            replies++;
            if (reply.status != SMTP_RP_OK || reply.code != code)
                fail_msg("%s: got reply %s code %u, want OK code %u", name,
                         smtp_rp_status_name(reply.status), reply.code, code);
            if (nlines > 0 && reply.nlines != nlines)
                fail_msg("%s: got %zu lines, want %zu", name, reply.nlines, nlines);
            if (off != len)
                fail_msg("%s: reply ended at %zu of %zu octets", name, off, len);
        }
    }
    if (replies != 1 || smtp_rp_finish(&rp, &reply))
        fail_msg("%s: got %zu complete replies, want exactly 1 in %s", name, replies,
                 escape(out, len, esc, sizeof(esc)));
}

struct fmt_case {
    const char *name;
    unsigned code;
    const char *enh;
    struct smtp_text text[MAX_SEGS]; /* used up to the first NULL ptr */
    size_t cap;                      /* 0: SMTP_REPLY_MAX */
    enum smtp_reply_status want;
    const char *want_out; /* NULL when nothing is written */
};

static const struct fmt_case fmt_cases[] = {
    /* shapes */
    {"single line", 250, NULL, {OURS("OK")}, 0, SMTP_REPLY_OK, "250 OK\r\n"},
    {"single line with enh", 250, "2.0.0", {OURS("OK")}, 0, SMTP_REPLY_OK, "250 2.0.0 OK\r\n"},
    {"multi-line", 250, NULL, {OURS("a\nb\nc")}, 0, SMTP_REPLY_OK, "250-a\r\n250-b\r\n250 c\r\n"},
    {"multi-line with enh",
     214,
     "2.0.0",
     {OURS("a\nb")},
     0,
     SMTP_REPLY_OK,
     "214-2.0.0 a\r\n214 2.0.0 b\r\n"},
    {"no text at all", 250, NULL, {{NULL, 0, SMTP_TEXT_OURS}}, 0, SMTP_REPLY_OK, "250\r\n"},
    {"empty segment", 250, NULL, {OURS("")}, 0, SMTP_REPLY_OK, "250\r\n"},
    {"empty text with enh", 250, "2.0.0", {OURS("")}, 0, SMTP_REPLY_OK, "250 2.0.0\r\n"},
    {"empty enh string means none", 250, "", {OURS("OK")}, 0, SMTP_REPLY_OK, "250 OK\r\n"},
    {"empty middle line",
     250,
     NULL,
     {OURS("a\n\nb")},
     0,
     SMTP_REPLY_OK,
     "250-a\r\n250-\r\n250 b\r\n"},
    {"empty middle line with enh",
     250,
     "2.0.0",
     {OURS("a\n\nb")},
     0,
     SMTP_REPLY_OK,
     "250-2.0.0 a\r\n250-2.0.0\r\n250 2.0.0 b\r\n"},
    {"trailing newline gives an empty last line",
     250,
     NULL,
     {OURS("a\n")},
     0,
     SMTP_REPLY_OK,
     "250-a\r\n250\r\n"},
    {"leading newline gives an empty first line",
     250,
     NULL,
     {OURS("\na")},
     0,
     SMTP_REPLY_OK,
     "250-\r\n250 a\r\n"},
    {"segments concatenate",
     250,
     "2.1.0",
     {OURS("Hello "), CLIENT("bob"), OURS(", ok")},
     0,
     SMTP_REPLY_OK,
     "250 2.1.0 Hello bob, ok\r\n"},
    {"newline across segments",
     250,
     NULL,
     {OURS("a"), OURS("\n"), CLIENT("b")},
     0,
     SMTP_REPLY_OK,
     "250-a\r\n250 b\r\n"},
    {"HT kept in our text", 250, NULL, {OURS("a\tb")}, 0, SMTP_REPLY_OK, "250 a\tb\r\n"},
    {"text of one SP", 250, NULL, {OURS(" ")}, 0, SMTP_REPLY_OK, "250  \r\n"},
    {"our control bytes",
     250,
     NULL,
     {OURS("a\rb\x01\x7f\x80\xff")},
     0,
     SMTP_REPLY_OK,
     "250 a?b????\r\n"},
    {"our CR LF: CR sanitised, LF breaks",
     250,
     NULL,
     {OURS("a\r\nb")},
     0,
     SMTP_REPLY_OK,
     "250-a?\r\n250 b\r\n"},
    {"lowest code", 200, NULL, {OURS("x")}, 0, SMTP_REPLY_OK, "200 x\r\n"},
    {"highest code", 559, NULL, {OURS("x")}, 0, SMTP_REPLY_OK, "559 x\r\n"},
    {"3yz without enh", 354, NULL, {OURS("go")}, 0, SMTP_REPLY_OK, "354 go\r\n"},
    {"longest enh", 550, "5.999.999", {OURS("x")}, 0, SMTP_REPLY_OK, "550 5.999.999 x\r\n"},
    {"enh with leading zeros",
     451,
     "4.00.000",
     {OURS("x")},
     0,
     SMTP_REPLY_OK,
     "451 4.00.000 x\r\n"},
    /* reply injection: client bytes never end a line */
    {"client CR LF and a second reply",
     250,
     NULL,
     {CLIENT("x\r\n250 OK")},
     0,
     SMTP_REPLY_OK,
     "250 x??250 OK\r\n"},
    {"client NUL", 250, NULL, {CLIENT("a\0b")}, 0, SMTP_REPLY_OK, "250 a?b\r\n"},
    {"client bare CR", 250, NULL, {CLIENT("a\rb")}, 0, SMTP_REPLY_OK, "250 a?b\r\n"},
    {"client LF", 250, "2.0.0", {CLIENT("a\nb")}, 0, SMTP_REPLY_OK, "250 2.0.0 a?b\r\n"},
    {"client HT", 250, NULL, {CLIENT("a\tb")}, 0, SMTP_REPLY_OK, "250 a?b\r\n"},
    {"client DEL", 250, NULL, {CLIENT("a\x7f")}, 0, SMTP_REPLY_OK, "250 a?\r\n"},
    {"client 8-bit UTF-8", 250, NULL, {CLIENT("caf\xc3\xa9")}, 0, SMTP_REPLY_OK, "250 caf??\r\n"},
    {"client dot line",
     250,
     NULL,
     {CLIENT("\r\n.\r\nMAIL FROM:<>")},
     0,
     SMTP_REPLY_OK,
     "250 ??.??MAIL FROM:<>\r\n"},
    /* invalid codes */
    {"code 199", 199, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"code 260 (middle digit 6)", 260, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"code 600", 600, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"code 0", 0, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"code 1000", 1000, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"code 560", 560, NULL, {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    {"bad code wins over bad enh", 199, "9.9", {OURS("x")}, 0, SMTP_REPLY_BAD_CODE, NULL},
    /* invalid enhanced codes */
    {"enh class 3", 250, "3.0.0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh on a 3yz reply", 354, "3.0.0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh missing detail", 250, "2.0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh subject of 4 digits", 250, "2.1000.0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh detail of 4 digits", 250, "2.0.1000", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh class differs from code", 250, "5.0.0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh 4 on a 5yz", 550, "4.7.1", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh with trailing SP", 250, "2.0.0 ", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh with CR LF", 250, "2.0.0\r\n", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh empty subject", 250, "2..0", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    {"enh far too long", 250, "2.0.0000000000000000", {OURS("x")}, 0, SMTP_REPLY_BAD_ENH, NULL},
    /* text that a reader would take for an enhanced code of the wrong class */
    {"text starts with a wrong-class enh",
     250,
     NULL,
     {OURS("5.0.0 no")},
     0,
     SMTP_REPLY_BAD_ENH,
     NULL},
    {"every line starts with a wrong-class enh",
     250,
     NULL,
     {OURS("5.0.0 a\n5.0.0 b")},
     0,
     SMTP_REPLY_BAD_ENH,
     NULL},
    {"client text makes a wrong-class enh",
     250,
     NULL,
     {CLIENT("4.0.0")},
     0,
     SMTP_REPLY_BAD_ENH,
     NULL},
    {"wrong-class enh on one line only is text",
     250,
     NULL,
     {OURS("5.0.0 a\nb")},
     0,
     SMTP_REPLY_OK,
     "250-5.0.0 a\r\n250 b\r\n"},
    {"right-class enh in text",
     250,
     NULL,
     {OURS("2.0.0 ok")},
     0,
     SMTP_REPLY_OK,
     "250 2.0.0 ok\r\n"},
    {"enh then SP only is text", 250, NULL, {OURS("5.0.0 ")}, 0, SMTP_REPLY_OK, "250 5.0.0 \r\n"},
    {"class 3 in text is text",
     354,
     NULL,
     {OURS("3.0.0 go")},
     0,
     SMTP_REPLY_OK,
     "354 3.0.0 go\r\n"},
    {"wrong-class enh left by truncation",
     250,
     NULL,
     {OURS("5.0.0 a\n5.0.0 b\nc")},
     28,
     SMTP_REPLY_BAD_ENH,
     NULL},
    {"wrong-class enh after our own enh",
     250,
     "2.0.0",
     {OURS("5.0.0 x")},
     0,
     SMTP_REPLY_OK,
     "250 2.0.0 5.0.0 x\r\n"},
    /* truncation at a line boundary */
    {"three lines cut to two",
     250,
     NULL,
     {OURS("a\nb\nc")},
     14,
     SMTP_REPLY_TRUNCATED,
     "250-a\r\n250 b\r\n"},
    {"one octet short of three lines",
     250,
     NULL,
     {OURS("a\nb\nc")},
     20,
     SMTP_REPLY_TRUNCATED,
     "250-a\r\n250 b\r\n"},
    {"exactly three lines",
     250,
     NULL,
     {OURS("a\nb\nc")},
     21,
     SMTP_REPLY_OK,
     "250-a\r\n250-b\r\n250 c\r\n"},
    {"cut to one line", 250, NULL, {OURS("a\nb")}, 7, SMTP_REPLY_TRUNCATED, "250 a\r\n"},
    {"cut before an empty line ends with code CR LF",
     250,
     NULL,
     {OURS("\n\nx")},
     11,
     SMTP_REPLY_TRUNCATED,
     "250-\r\n250\r\n"},
    {"cut with enh", 250, "2.0.0", {OURS("a\nb")}, 13, SMTP_REPLY_TRUNCATED, "250 2.0.0 a\r\n"},
    {"empty reply in 5 octets", 250, NULL, {OURS("")}, 5, SMTP_REPLY_OK, "250\r\n"},
    {"no room for one line", 250, NULL, {OURS("a\nb")}, 6, SMTP_REPLY_NO_ROOM, NULL},
    {"no room for an empty reply", 250, NULL, {OURS("")}, 4, SMTP_REPLY_NO_ROOM, NULL},
    {"no room with enh", 250, "2.0.0", {OURS("a\nb")}, 12, SMTP_REPLY_NO_ROOM, NULL},
};

/* count_segs - segments of a row: up to the first one without a pointer */
static size_t count_segs(const struct smtp_text *text)
{
    size_t n = 0;

    while (n < MAX_SEGS && text[n].ptr != NULL)
        n++;
    return n;
}

static void test_format_table(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(fmt_cases) / sizeof(fmt_cases[0]); k++) {
        const struct fmt_case *c = &fmt_cases[k];
        struct smtp_reply_spec spec = {c->code, c->enh, c->text, count_segs(c->text)};
        size_t cap = c->cap ? c->cap : SMTP_REPLY_MAX, len = 12345, i;
        char *out = malloc(cap); /* exactly cap: ASan sees any write past it */
        char got_esc[600], want_esc[600];
        enum smtp_reply_status st;

        assert_non_null(out);
        memset(out, 0xAA, cap);
        st = smtp_reply_format(&spec, out, cap, &len);
        if (st != c->want)
            fail_msg("%s: got status %s, want %s", c->name, smtp_reply_status_name(st),
                     smtp_reply_status_name(c->want));
        if (c->want_out == NULL) {
            if (len != 0)
                fail_msg("%s: got out_len %zu, want 0", c->name, len);
            for (i = 0; i < cap; i++) {
                if ((unsigned char)out[i] != 0xAA)
                    fail_msg("%s: refused reply wrote octet %zu", c->name, i);
            }
        } else {
            if (len != strlen(c->want_out) || memcmp(out, c->want_out, len) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", c->name, escape(out, len, got_esc, 600),
                         escape(c->want_out, strlen(c->want_out), want_esc, 600));
            expect_one_reply(c->name, out, len, c->code, 0);
        }
        free(out);
    }
}

/* Zero capacity and no buffer at all is a legal call that fits nothing. */
static void test_format_zero_cap(void **state)
{
    struct smtp_text t = OURS("x");
    struct smtp_reply_spec spec = {250, NULL, &t, 1};
    size_t len = 99;

    (void)state;
    assert_int_equal(smtp_reply_format(&spec, NULL, 0, &len), SMTP_REPLY_NO_ROOM);
    assert_int_equal(len, 0);
}

/* One case per byte value: a client byte is copied only when printable, else it becomes '?'. */
static void test_format_every_client_byte(void **state)
{
    unsigned b;

    (void)state;
    for (b = 0; b < 256; b++) {
        char in[1] = {(char)b}, out[64], want[16];
        struct smtp_text t = {in, 1, SMTP_TEXT_CLIENT};
        struct smtp_reply_spec spec = {500, "5.5.2", &t, 1};
        size_t len;
        enum smtp_reply_status st = smtp_reply_format(&spec, out, sizeof(out), &len);

        snprintf(want, sizeof(want), "500 5.5.2 %c\r\n", b >= 0x20 && b <= 0x7E ? (char)b : '?');
        if (st != SMTP_REPLY_OK || len != strlen(want) || memcmp(out, want, len) != 0)
            fail_msg("client byte 0x%02x: got status %s, %zu octets, want \"%s\"", b,
                     smtp_reply_status_name(st), len, want);
    }
}

/* One case per byte value of our own text: only '\n' breaks, only HT survives besides 0x20..0x7E.
 */
static void test_format_every_ours_byte(void **state)
{
    unsigned b;

    (void)state;
    for (b = 0; b < 256; b++) {
        char in[3] = {'a', (char)b, 'z'}, out[64], want[32];
        struct smtp_text t = {in, 3, SMTP_TEXT_OURS};
        struct smtp_reply_spec spec = {214, NULL, &t, 1};
        size_t len;
        enum smtp_reply_status st = smtp_reply_format(&spec, out, sizeof(out), &len);

        if (b == '\n')
            snprintf(want, sizeof(want), "214-a\r\n214 z\r\n");
        else
            snprintf(want, sizeof(want), "214 a%cz\r\n",
                     b == '\t' || (b >= 0x20 && b <= 0x7E) ? (char)b : '?');
        if (st != SMTP_REPLY_OK || len != strlen(want) || memcmp(out, want, len) != 0)
            fail_msg("our byte 0x%02x: got status %s, %zu octets, want \"%s\"", b,
                     smtp_reply_status_name(st), len, want);
    }
}

struct wrap_case {
    const char *name;
    const char *enh;
    size_t text_len;    /* octets of one text line, no '\n' */
    size_t want_lines;  /* reply lines after wrapping */
    size_t want_first;  /* octets of the first line, CR LF included */
    size_t want_last;   /* octets of the last line */
    const char *suffix; /* OURS text appended after the long line, or NULL */
};

/* Text width is 506 octets without an enh, 500 with "2.0.0", 496 with "2.999.999". */
static const struct wrap_case wrap_cases[] = {
    {"505 octets fit", NULL, 505, 1, 511, 511, NULL},
    {"506 octets make a 512-octet line", NULL, 506, 1, 512, 512, NULL},
    {"507 octets wrap one octet", NULL, 507, 2, 512, 7, NULL},
    {"509 octets", NULL, 509, 2, 512, 9, NULL},
    {"510 octets", NULL, 510, 2, 512, 10, NULL},
    {"511 octets", NULL, 511, 2, 512, 11, NULL},
    {"two full lines", NULL, 1012, 2, 512, 512, NULL},
    {"two full lines and one octet", NULL, 1013, 3, 512, 7, NULL},
    {"full line then newline: no empty line", NULL, 506, 2, 512, 7, "\nb"},
    {"full line then trailing newline", NULL, 506, 2, 512, 5, "\n"},
    {"enh: 499 octets fit", "2.0.0", 499, 1, 511, 511, NULL},
    {"enh: 500 octets make a 512-octet line", "2.0.0", 500, 1, 512, 512, NULL},
    {"enh: 501 octets wrap", "2.0.0", 501, 2, 512, 13, NULL},
    {"enh: 509 octets", "2.0.0", 509, 2, 512, 21, NULL},
    {"enh: 510 octets", "2.0.0", 510, 2, 512, 22, NULL},
    {"enh: 511 octets", "2.0.0", 511, 2, 512, 23, NULL},
    {"enh: full line then trailing newline", "2.0.0", 500, 2, 512, 11, "\n"},
    {"long enh: 496 octets fit", "2.999.999", 496, 1, 512, 512, NULL},
    {"long enh: 497 octets wrap", "2.999.999", 497, 2, 512, 17, NULL},
};

static void test_format_wrap(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(wrap_cases) / sizeof(wrap_cases[0]); k++) {
        const struct wrap_case *c = &wrap_cases[k];
        char text[1100], back[1200], out[SMTP_REPLY_MAX];
        struct smtp_text t[2] = {{text, c->text_len, SMTP_TEXT_CLIENT},
                                 {c->suffix, c->suffix ? strlen(c->suffix) : 0, SMTP_TEXT_OURS}};
        struct smtp_reply_spec spec = {250, c->enh, t, 2};
        size_t len, i, start = 0, lines = 0, first = 0, last = 0, nback = 0;
        size_t head = 4 + (c->enh ? strlen(c->enh) + 1 : 0); /* "250-" [enh SP] */
        enum smtp_reply_status st;

        for (i = 0; i < c->text_len; i++)
            text[i] = (char)('a' + i % 26);
        st = smtp_reply_format(&spec, out, sizeof(out), &len);
        if (st != SMTP_REPLY_OK)
            fail_msg("%s: got status %s, want OK", c->name, smtp_reply_status_name(st));
        for (i = 0; i + 1 < len; i++) {
            if (out[i] == '\r' && out[i + 1] == '\n') {
                size_t n = i + 2 - start;
                lines++;
                first = lines == 1 ? n : first;
                last = n;
                if (n > SMTP_REPLY_LINE_MAX)
                    fail_msg("%s: line %zu is %zu octets, want <= 512", c->name, lines, n);
                /* Gather the text back (lines short of the header hold none). */
                if (n - 2 > head) {
                    memcpy(back + nback, out + start + head, n - 2 - head);
                    nback += n - 2 - head;
                }
                start = i + 2;
            }
        }
        if (lines != c->want_lines || first != c->want_first || last != c->want_last)
            fail_msg("%s: got %zu lines (first %zu, last %zu octets), want %zu (%zu, %zu)", c->name,
                     lines, first, last, c->want_lines, c->want_first, c->want_last);
        if (nback < c->text_len || memcmp(back, text, c->text_len) != 0)
            fail_msg("%s: wrapped text does not read back as the input", c->name);
        expect_one_reply(c->name, out, len, 250, c->want_lines);
    }
}

/* A huge client text is cut to the buffer, never overflows it, and stays one reply. */
static void test_format_huge_text(void **state)
{
    size_t n = 100000, len, i;
    char *text = malloc(n), *out = malloc(SMTP_REPLY_MAX);
    struct smtp_text t[2] = {{"Hello ", 6, SMTP_TEXT_OURS}, {text, n, SMTP_TEXT_CLIENT}};
    struct smtp_reply_spec spec = {250, "2.0.0", t, 2};

    (void)state;
    assert_non_null(text);
    assert_non_null(out);
    for (i = 0; i < n; i++)
        text[i] = (char)(i * 7 % 256); /* every byte value, CR and LF included */
    assert_int_equal(smtp_reply_format(&spec, out, SMTP_REPLY_MAX, &len), SMTP_REPLY_TRUNCATED);
    assert_true(len <= SMTP_REPLY_MAX);
    assert_true(len > SMTP_REPLY_MAX - SMTP_REPLY_LINE_MAX); /* cut at the last line that fits */
    expect_one_reply("huge text", out, len, 250, 0);
    free(text);
    free(out);
}

/* Text that ends on a guard page: the generator must not read one octet past a segment. */
static void test_format_guard_page(void **state)
{
    long page = sysconf(_SC_PAGESIZE);
    char *map, out[SMTP_REPLY_MAX];
    size_t len, n;

    (void)state;
    assert_true(page > 0);
    map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
    for (n = 0; n <= 600; n += 7) {
        char *text = map + page - n;
        struct smtp_text t = {text, n, SMTP_TEXT_OURS};
        struct smtp_reply_spec spec = {250, NULL, &t, 1};
        memset(text, n % 3 ? 'x' : '\n', n);
        assert_int_equal(smtp_reply_format(&spec, out, sizeof(out), &len), SMTP_REPLY_OK);
        expect_one_reply("guard page", out, len, 250, 0);
    }
    munmap(map, (size_t)page * 2);
}

/* The code rule, checked against every number by an independent digit test. */
static void test_code_valid_exhaustive(void **state)
{
    unsigned code;

    (void)state;
    for (code = 0; code < 1200; code++) {
        unsigned d1 = code / 100, d2 = code / 10 % 10;
        int want = code < 1000 && d1 >= 2 && d1 <= 5 && d2 <= 5;
        if (smtp_wire_code_valid(code) != want)
            fail_msg("code %u: got %d, want %d", code, smtp_wire_code_valid(code), want);
    }
}

struct enh_case {
    const char *in;
    int want;
};

static const struct enh_case enh_cases[] = {
    {"2.0.0", 1},   {"4.7.1", 1},  {"5.999.999", 1}, {"2.000.000", 1}, {"5.5.12", 1}, {"3.0.0", 0},
    {"1.0.0", 0},   {"2.0", 0},    {"2.1000.0", 0},  {"2.0.1000", 0},  {"2..0", 0},   {"2.0.", 0},
    {".2.0.0", 0},  {"2.0.0 ", 0}, {"x.0.0", 0},     {"", 0},          {"2,0,0", 0},  {"22.0.0", 0},
    {"2.0.0.0", 0}, {"2.a.0", 0},  {"2.0.0\n", 0},   {" 2.0.0", 0},
};

static void test_enh_valid_table(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(enh_cases) / sizeof(enh_cases[0]); k++) {
        int got = smtp_wire_enh_valid(enh_cases[k].in, strlen(enh_cases[k].in));
        if (got != enh_cases[k].want)
            fail_msg("enh \"%s\": got %d, want %d", enh_cases[k].in, got, enh_cases[k].want);
    }
    assert_false(smtp_wire_enh_valid(NULL, 0));
}

/* Every status has its own name, from the one X-macro list. */
static void test_status_names(void **state)
{
    int i, j;

    (void)state;
    for (i = 0; i < SMTP_REPLY_STATUS_COUNT; i++) {
        assert_non_null(smtp_reply_status_name((enum smtp_reply_status)i));
        for (j = 0; j < i; j++)
            assert_string_not_equal(smtp_reply_status_name((enum smtp_reply_status)i),
                                    smtp_reply_status_name((enum smtp_reply_status)j));
    }
    assert_non_null(smtp_reply_status_name(SMTP_REPLY_STATUS_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_table),
        cmocka_unit_test(test_format_zero_cap),
        cmocka_unit_test(test_format_every_client_byte),
        cmocka_unit_test(test_format_every_ours_byte),
        cmocka_unit_test(test_format_wrap),
        cmocka_unit_test(test_format_huge_text),
        cmocka_unit_test(test_format_guard_page),
        cmocka_unit_test(test_code_valid_exhaustive),
        cmocka_unit_test(test_enh_valid_table),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests_name("smtp_reply", tests, NULL, NULL);
}

/*
 * test_smtp_reply_parse - the client-side reply parser
 * (src/smtp_reply_parse.h, docs/contract.md section 4).
 *
 * Every row is fed whole, byte by byte and in random chunks (several
 * seeds); the results are rendered to one line of text ("OK 250-; OK 250
 * => OK 250 n2 e2.0.0") and compared with the row's expectation, so a row
 * reads like a transcript and any split that changes a result fails with
 * "got X, want Y". The round-trip tests check the property the reply fuzz
 * targets rely on, in both directions: spec -> format -> parse -> format,
 * and bytes -> parse -> format.
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

#include "feed_split.h"
#include "smtp_reply.h"
#include "smtp_reply_parse.h"

#define RANDOM_SEEDS 8
#define RENDER_MAX 8192

/* Status names without the "SMTP_RP_" prefix, from the one X-macro list. */
#define STATUS_SHORT_(name, text) #name,
static const char *const status_short[SMTP_RP_STATUS_COUNT] = {SMTP_RP_STATUS_LIST(STATUS_SHORT_)};
#undef STATUS_SHORT_

static const char *sname(enum smtp_rp_status st)
{
    return (unsigned)st < SMTP_RP_STATUS_COUNT ? status_short[st] + 8 : "?";
}

/* How much a rendering shows besides statuses, codes and line counts. */
enum { SHOW_OCTETS = 1, SHOW_TEXT = 2 };

/* What one run of the parser over a stream produced, rendered as text. */
struct render {
    struct smtp_rp rp;
    int show; /* SHOW_* bits */
    char out[RENDER_MAX];
    size_t pos;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct render *r, const char *fmt, ...);

/* put - append printf-style text to the rendering; it must fit */
static void put(struct render *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(r->out + r->pos, sizeof(r->out) - r->pos, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(r->out) - r->pos);
    r->pos += (size_t)n;
}

static void put_reply(struct render *r, const struct smtp_rp_reply *reply)
{
    put(r, " => %s %u n%zu", sname(reply->status), reply->code, reply->nlines);
    if (reply->enh[0] != '\0')
        put(r, " e%s", reply->enh);
    if (r->show & SHOW_OCTETS)
        put(r, " o%llu", (unsigned long long)reply->octets);
}

/* render_feed - feed_split callback: parse one chunk, render what finished */
static void render_feed(void *ctx, const char *ptr, size_t len)
{
    struct render *r = ctx;
    size_t off = 0, used, i;

    for (;;) {
        struct smtp_rp_line line;
        struct smtp_rp_reply reply;
        enum smtp_rp_result res = smtp_rp_feed(&r->rp, ptr + off, len - off, &used, &line, &reply);
        assert_true(used <= len - off);
        off += used;
        if (res == SMTP_RP_NEED_MORE) {
            assert_int_equal(off, len);
            return;
        }
        /* The parser promises never to hold more than one legal line. */
        assert_true(line.text_len <= SMTP_REPLY_LINE_MAX);
        put(r, "%s%s %u%s", r->pos ? "; " : "", sname(line.status), line.code,
            line.last ? "" : "-");
        if (r->show & SHOW_OCTETS)
            put(r, " o%llu", (unsigned long long)line.octets);
        if (r->show & SHOW_TEXT) {
            put(r, " [");
            for (i = 0; i < line.text_len; i++) {
                unsigned char b = (unsigned char)line.text[i];
                put(r, b >= 0x20 && b < 0x7F && b != '\\' ? "%c" : "\\x%02x", b);
            }
            put(r, "]");
        }
        if (res == SMTP_RP_REPLY)
            put_reply(r, &reply);
        if (off == len)
            return;
    }
}

/* run - render everything the parser reports for in[0..len), end of stream included */
static void run(struct render *r, const char *in, size_t len, enum feed_mode mode, uint64_t seed,
                int show)
{
    struct smtp_rp_reply reply;

    memset(r, 0, sizeof(*r));
    r->show = show;
    feed_split(in, len, mode, seed, render_feed, r);
    if (smtp_rp_finish(&r->rp, &reply)) {
        put(r, "%sEOF", r->pos ? "; " : "");
        put_reply(r, &reply);
    }
}

struct rp_case {
    const char *name;
    const char *in;
    size_t in_len;
    const char *want;
};

#define IN(s) s, sizeof(s) - 1

static const struct rp_case rp_cases[] = {
    /* legal replies */
    {"single line", IN("250 OK\r\n"), "OK 250 => OK 250 n1"},
    {"multi-line", IN("250-a\r\n250-b\r\n250 c\r\n"), "OK 250-; OK 250-; OK 250 => OK 250 n3"},
    {"uniform enh is lifted", IN("250-2.0.0 a\r\n250 2.0.0 b\r\n"),
     "OK 250-; OK 250 => OK 250 n2 e2.0.0"},
    {"non-uniform enh is not lifted", IN("250-2.0.0 a\r\n250 2.1.0 b\r\n"),
     "OK 250-; OK 250 => OK 250 n2"},
    {"enh on one line only", IN("250-2.0.0 a\r\n250 b\r\n"), "OK 250-; OK 250 => OK 250 n2"},
    {"enh as the whole text", IN("250 2.0.0\r\n"), "OK 250 => OK 250 n1 e2.0.0"},
    {"enh alone on a middle line", IN("250-2.0.0 a\r\n250-2.0.0\r\n250 2.0.0 b\r\n"),
     "OK 250-; OK 250-; OK 250 => OK 250 n3 e2.0.0"},
    {"enh then SP and nothing is text", IN("250 2.0.0 \r\n"), "OK 250 => OK 250 n1"},
    {"enh with 3-digit parts", IN("250 2.999.999 x\r\n"), "OK 250 => OK 250 n1 e2.999.999"},
    {"4-digit subject is text", IN("250 2.1000.0 x\r\n"), "OK 250 => OK 250 n1"},
    {"enh glued to text is text", IN("250 2.0.0x\r\n"), "OK 250 => OK 250 n1"},
    {"class 3 is text", IN("354 3.0.0 go ahead\r\n"), "OK 354 => OK 354 n1"},
    {"HT in text", IN("250 a\tb\r\n"), "OK 250 => OK 250 n1"},
    {"HT as the whole text", IN("250 \t\r\n"), "OK 250 => OK 250 n1"},
    {"SP as the whole text", IN("250  \r\n"), "OK 250 => OK 250 n1"},
    {"dash and no text", IN("250-\r\n250\r\n"), "OK 250-; OK 250 => OK 250 n2"},
    {"bare code", IN("250\r\n"), "OK 250 => OK 250 n1"},
    {"lowest and highest codes", IN("200 a\r\n559 b\r\n"),
     "OK 200 => OK 200 n1; OK 559 => OK 559 n1"},
    {"pipelined replies", IN("250 a\r\n354 b\r\n221 c\r\n"),
     "OK 250 => OK 250 n1; OK 354 => OK 354 n1; OK 221 => OK 221 n1"},
    {"empty stream", IN(""), ""},
    /* one minimal example per status */
    {"BARE_LF", IN("250 OK\n"), "BARE_LF 250 => BARE_LF 250 n1"},
    {"BARE_LF empty line", IN("\n"), "BARE_LF 0 => BARE_LF 0 n1"},
    {"BAD_CODE 199", IN("199 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE 260", IN("260 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE 600", IN("600 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE 099", IN("099 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE letter", IN("2a0 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE empty line", IN("\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE two digits", IN("25\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_CODE leading SP", IN(" 250 x\r\n"), "BAD_CODE 0 => BAD_CODE 0 n1"},
    {"BAD_SEPARATOR letter", IN("250x\r\n"), "BAD_SEPARATOR 250 => BAD_SEPARATOR 250 n1"},
    {"BAD_SEPARATOR fourth digit", IN("2500 x\r\n"), "BAD_SEPARATOR 250 => BAD_SEPARATOR 250 n1"},
    {"BAD_SEPARATOR HT", IN("250\tx\r\n"), "BAD_SEPARATOR 250 => BAD_SEPARATOR 250 n1"},
    {"BAD_SEPARATOR CR", IN("250\r\r\n"), "BAD_SEPARATOR 250 => BAD_SEPARATOR 250 n1"},
    {"EMPTY_TEXT", IN("250 \r\n"), "EMPTY_TEXT 250 => EMPTY_TEXT 250 n1"},
    {"BAD_TEXT 8-bit", IN("250 caf\xc3\xa9\r\n"), "BAD_TEXT 250 => BAD_TEXT 250 n1"},
    {"BAD_TEXT bare CR", IN("250 a\rb\r\n"), "BAD_TEXT 250 => BAD_TEXT 250 n1"},
    {"BAD_TEXT NUL", IN("250 a\0b\r\n"), "BAD_TEXT 250 => BAD_TEXT 250 n1"},
    {"BAD_TEXT DEL", IN("250 \x7f\r\n"), "BAD_TEXT 250 => BAD_TEXT 250 n1"},
    {"BAD_TEXT control on a dash line", IN("250-\x01\r\n"), "BAD_TEXT 250- => BAD_TEXT 250 n1"},
    {"CODE_CHANGED", IN("250-a\r\n251 b\r\n"), "OK 250-; CODE_CHANGED 251 => CODE_CHANGED 250 n2"},
    {"BAD_ENH", IN("250 5.0.0 x\r\n"), "OK 250 => BAD_ENH 250 n1 e5.0.0"},
    {"BAD_ENH on a 3yz", IN("354 5.0.0 x\r\n"), "OK 354 => BAD_ENH 354 n1 e5.0.0"},
    {"BAD_ENH multi-line uniform", IN("250-4.0.0 a\r\n250 4.0.0 b\r\n"),
     "OK 250-; OK 250 => BAD_ENH 250 n2 e4.0.0"},
    {"wrong class on some lines is text", IN("250-5.0.0 a\r\n250 b\r\n"),
     "OK 250-; OK 250 => OK 250 n2"},
    {"INCOMPLETE multi-line", IN("250-a\r\n"), "OK 250-; EOF => INCOMPLETE 250 n1"},
    {"INCOMPLETE line", IN("250 OK"), "EOF => INCOMPLETE 250 n0"},
    {"INCOMPLETE CR", IN("250 OK\r"), "EOF => INCOMPLETE 250 n0"},
    {"INCOMPLETE garbage", IN("garbage"), "EOF => INCOMPLETE 0 n0"},
    /* precedence: the first status in list order wins */
    {"BARE_LF beats BAD_CODE", IN("199\n"), "BARE_LF 0 => BARE_LF 0 n1"},
    {"BARE_LF beats EMPTY_TEXT", IN("250 \n"), "BARE_LF 250 => BARE_LF 250 n1"},
    {"BAD_SEPARATOR beats BAD_TEXT", IN("250x\x80\r\n"),
     "BAD_SEPARATOR 250 => BAD_SEPARATOR 250 n1"},
    {"BAD_TEXT beats CODE_CHANGED", IN("250-a\r\n251 \x80\r\n"),
     "OK 250-; BAD_TEXT 251 => BAD_TEXT 250 n2"},
    {"CODE_CHANGED beats BAD_ENH", IN("250-5.0.0 a\r\n251 5.0.0 b\r\n"),
     "OK 250-; CODE_CHANGED 251 => CODE_CHANGED 250 n2"},
    /* a malformed line ends its reply; the stream goes on */
    {"bad line ends the reply", IN("250-a\r\n250-\x80\r\n250 c\r\n"),
     "OK 250-; BAD_TEXT 250- => BAD_TEXT 250 n2; OK 250 => OK 250 n1"},
    {"garbage then a reply", IN("hello\r\n250 ok\r\n"),
     "BAD_CODE 0 => BAD_CODE 0 n1; OK 250 => OK 250 n1"},
    {"bare LF inside a multi-line reply", IN("250-a\n250 b\r\n"),
     "BARE_LF 250- => BARE_LF 250 n1; OK 250 => OK 250 n1"},
    {"injected reply is two replies", IN("250 x\r\n250 OK\r\n"),
     "OK 250 => OK 250 n1; OK 250 => OK 250 n1"},
};

static void expect_all_splits(const char *name, const char *in, size_t len, const char *want,
                              int show)
{
    static struct render r; /* large; only this single-threaded test uses it */
    int mode;
    uint64_t seed;

    for (mode = 0; mode < FEED_MODE_COUNT; mode++) {
        uint64_t seeds = mode == FEED_RANDOM ? RANDOM_SEEDS : 1;
        for (seed = 0; seed < seeds; seed++) {
            run(&r, in, len, (enum feed_mode)mode, seed, show);
            if (strcmp(r.out, want) != 0)
                fail_msg("%s (%s, seed %llu): got \"%s\", want \"%s\"", name,
                         feed_mode_name((enum feed_mode)mode), (unsigned long long)seed, r.out,
                         want);
        }
    }
}

static void test_parse_table(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(rp_cases) / sizeof(rp_cases[0]); k++)
        expect_all_splits(rp_cases[k].name, rp_cases[k].in, rp_cases[k].in_len, rp_cases[k].want,
                          0);
}

/* line_of - "250 " + n octets of text + CR LF (or bare LF) into buf; returns its octets */
static size_t line_of(char *buf, size_t text, int bare_lf)
{
    size_t pos = 0, i;

    memcpy(buf, "250 ", 4);
    pos = 4;
    for (i = 0; i < text; i++)
        buf[pos++] = (char)('a' + i % 26);
    if (!bare_lf)
        buf[pos++] = '\r';
    buf[pos++] = '\n';
    return pos;
}

struct long_case {
    const char *name;
    size_t text;
    int bare_lf;
    const char *want; /* the line's status and octets, then the next line's */
};

static const struct long_case long_cases[] = {
    {"511 octets", 505, 0, "OK 250 o511 => OK 250 n1 o511"},
    {"512 octets", 506, 0, "OK 250 o512 => OK 250 n1 o512"},
    {"513 octets", 507, 0, "TOO_LONG 250 o513 => TOO_LONG 250 n1 o513"},
    {"512 octets, bare LF", 507, 1, "BARE_LF 250 o512 => BARE_LF 250 n1 o512"},
    {"513 octets, bare LF", 508, 1, "TOO_LONG 250 o513 => TOO_LONG 250 n1 o513"},
    {"100000 octets", 99994, 0, "TOO_LONG 250 o100000 => TOO_LONG 250 n1 o100000"},
};

static void test_parse_long_lines(void **state)
{
    size_t k;
    char *buf = malloc(100100);

    (void)state;
    assert_non_null(buf);
    for (k = 0; k < sizeof(long_cases) / sizeof(long_cases[0]); k++) {
        const struct long_case *c = &long_cases[k];
        size_t n = line_of(buf, c->text, c->bare_lf);
        char want[200];

        /* A well-formed reply after it proves the parser resynchronised. */
        memcpy(buf + n, "221 bye\r\n", 9);
        snprintf(want, sizeof(want), "%s; OK 221 o9 => OK 221 n1 o9", c->want);
        expect_all_splits(c->name, buf, n + 9, want, SHOW_OCTETS);
    }
    free(buf);
}

/* A mixed stream: every split must report the same lines, texts and octet counts. */
static void test_parse_split_invariance(void **state)
{
    static char in[4096];
    static struct render whole;
    size_t len = 0, k;

    (void)state;
    for (k = 0; k < sizeof(rp_cases) / sizeof(rp_cases[0]); k++) {
        memcpy(in + len, rp_cases[k].in, rp_cases[k].in_len);
        len += rp_cases[k].in_len;
    }
    run(&whole, in, len, FEED_WHOLE, 0, SHOW_OCTETS | SHOW_TEXT);
    expect_all_splits("all rows in one stream", in, len, whole.out, SHOW_OCTETS | SHOW_TEXT);
}

struct prefix_case {
    const char *in;
    size_t want;
};

static const struct prefix_case prefix_cases[] = {
    {"2.0.0", 5},  {"2.0.0 ok", 5},  {"5.999.999 x", 9}, {"2.0.0  x", 5}, {"2.0.0 \t", 5},
    {"2.0.0 ", 0}, {"2.0.0x", 0},    {"3.0.0 x", 0},     {"2.0 x", 0},    {"2.1000.0 x", 0},
    {"", 0},       {" 2.0.0 x", 0},  {"2.0.0\tx", 0},    {"x", 0},        {"2.0.0.0 x", 0},
    {"4.7.1", 5},  {"5.5.2 bad", 5},
};

static void test_enh_prefix(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(prefix_cases) / sizeof(prefix_cases[0]); k++) {
        size_t got = smtp_wire_enh_prefix(prefix_cases[k].in, strlen(prefix_cases[k].in));
        if (got != prefix_cases[k].want)
            fail_msg("prefix of \"%s\": got %zu, want %zu", prefix_cases[k].in, got,
                     prefix_cases[k].want);
    }
    assert_int_equal(smtp_wire_enh_prefix(NULL, 0), 0);
}

/* A stream that ends on a guard page: the parser must not read past (ptr, len). */
static void test_parse_guard_page(void **state)
{
    static const char reply[] = "250-2.0.0 a\r\n250 2.0.0 b\r\n";
    long page = sysconf(_SC_PAGESIZE);
    char *map, *in;
    static struct render r;
    int mode;

    (void)state;
    assert_true(page > 0);
    map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
    in = map + page - (sizeof(reply) - 1);
    memcpy(in, reply, sizeof(reply) - 1);
    for (mode = 0; mode < FEED_MODE_COUNT; mode++) {
        run(&r, in, sizeof(reply) - 1, (enum feed_mode)mode, 1, 0);
        assert_string_equal(r.out, "OK 250-; OK 250 => OK 250 n2 e2.0.0");
    }
    run(&r, in + sizeof(reply) - 2, 1, FEED_WHOLE, 0, 0); /* a lone LF at the very end */
    assert_string_equal(r.out, "BARE_LF 0 => BARE_LF 0 n1");
    munmap(map, (size_t)page * 2);
}

/* ---- round trip ---------------------------------------------------------------------------- */

/* A splitmix64 step: deterministic pseudo-random numbers for generated cases. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t below(uint64_t *s, size_t n)
{
    return (size_t)(rnd(s) % n);
}

/* A text octet, biased toward what makes replies interesting. */
static char rnd_octet(uint64_t *s)
{
    static const char pick[] = "aZ09 .-\t\n\r\x00\x7f\x80\xff";
    return below(s, 3) ? (char)(0x20 + below(s, 95)) : pick[below(s, sizeof(pick) - 1)];
}

/* A random fragment: plain octets or something that looks like an enhanced code. */
static size_t rnd_fragment(uint64_t *s, char *dst, size_t room)
{
    static const char *const enh[] = {"2.0.0 ", "2.0.0",    "5.5.1 ",  "4.7.1 ",  "2.1.5 ",
                                      "3.0.0 ", "2.000.0 ", "2.0.0\n", "\n2.0.0 "};
    size_t n, i;

    if (below(s, 4) == 0) {
        const char *e = enh[below(s, sizeof(enh) / sizeof(enh[0]))];
        n = strlen(e) < room ? strlen(e) : room;
        memcpy(dst, e, n);
        return n;
    }
    n = below(s, 8) == 0 ? below(s, 1500) : below(s, 24);
    if (n > room)
        n = room;
    for (i = 0; i < n; i++)
        dst[i] = rnd_octet(s);
    return n;
}

static unsigned rnd_code(uint64_t *s)
{
    return (unsigned)(200 + below(s, 4) * 100 + below(s, 6) * 10 + below(s, 10));
}

/* The most lines a reply in SMTP_REPLY_MAX octets can have ("250" CR LF is the shortest). */
#define RT_MAX_LINES (SMTP_REPLY_MAX / 5 + 1)

/* The lines of one parsed reply, copied out of the parser. */
struct parsed {
    struct smtp_rp_reply reply;
    size_t nlines;
    size_t len[RT_MAX_LINES];
    char text[RT_MAX_LINES][SMTP_REPLY_LINE_MAX];
};

/* regenerate - format a parsed reply again, the way the fuzz target does */
static enum smtp_reply_status regenerate(const struct parsed *p, char *out, size_t cap,
                                         size_t *out_len)
{
    static char joined[RT_MAX_LINES * SMTP_REPLY_LINE_MAX];
    size_t pos = 0, i, e = strlen(p->reply.enh);
    struct smtp_text t = {joined, 0, SMTP_TEXT_OURS};
    struct smtp_reply_spec spec = {p->reply.code, e ? p->reply.enh : NULL, &t, 1};

    for (i = 0; i < p->nlines; i++) {
        size_t skip = e;
        if (e > 0 && p->len[i] > e)
            skip++; /* the SP between the enhanced code and the text */
        if (i > 0)
            joined[pos++] = '\n';
        memcpy(joined + pos, p->text[i] + skip, p->len[i] - skip);
        pos += p->len[i] - skip;
    }
    t.len = pos;
    return smtp_reply_format(&spec, out, cap, out_len);
}

/*
 * round_trip_stream - every well-formed reply in the stream must regenerate
 * to its own bytes; returns how many did, and sets *clean when the stream
 * was nothing but well-formed, finished replies
 */
static size_t round_trip_stream(const char *in, size_t len, const char *what, int *clean)
{
    static struct parsed p;
    static char again[SMTP_REPLY_MAX * 2];
    struct smtp_rp rp;
    struct smtp_rp_reply tail;
    size_t off = 0, used, start = 0, ok = 0, again_len, d;

    memset(&rp, 0, sizeof(rp));
    p.nlines = 0;
    *clean = 1;
    while (off < len) {
        struct smtp_rp_line line;
        enum smtp_rp_result r = smtp_rp_feed(&rp, in + off, len - off, &used, &line, &p.reply);
        off += used;
        if (r == SMTP_RP_NEED_MORE)
            break;
        if (p.nlines < RT_MAX_LINES) {
            memcpy(p.text[p.nlines], line.text, line.text_len);
            p.len[p.nlines] = line.text_len;
        }
        p.nlines++;
        if (r != SMTP_RP_REPLY)
            continue;
        if (p.reply.status != SMTP_RP_OK || p.nlines > RT_MAX_LINES) {
            *clean = 0;
        } else {
            enum smtp_reply_status st = regenerate(&p, again, sizeof(again), &again_len);
            for (d = 0; d < again_len && d < off - start && again[d] == in[start + d]; d++)
                ;
            if (st != SMTP_REPLY_OK || again_len != off - start || d != again_len)
                fail_msg("%s: reply at %zu (%zu octets, code %u, enh \"%s\") regenerates as %s, "
                         "%zu octets, first difference at octet %zu",
                         what, start, off - start, p.reply.code, p.reply.enh,
                         smtp_reply_status_name(st), again_len, d);
            ok++;
        }
        start = off;
        p.nlines = 0;
    }
    if (smtp_rp_finish(&rp, &tail))
        *clean = 0;
    return ok;
}

/* spec -> format -> parse (one well-formed reply) -> format again: the same bytes. */
static void test_round_trip_from_specs(void **state)
{
    static char frag[4][2000];
    static char out[SMTP_REPLY_MAX];
    uint64_t s = 0x5EED;
    size_t iter, formatted = 0, refused = 0;

    (void)state;
    for (iter = 0; iter < 20000; iter++) {
        struct smtp_text t[4];
        char enh[16];
        struct smtp_reply_spec spec;
        size_t n = below(&s, 5), i, len, cap;
        enum smtp_reply_status st;
        int clean;

        for (i = 0; i < n; i++) {
            size_t fl = 0, parts = 1 + below(&s, 3), j;
            for (j = 0; j < parts; j++)
                fl += rnd_fragment(&s, frag[i] + fl, sizeof(frag[i]) - fl);
            t[i] =
                (struct smtp_text){frag[i], fl, below(&s, 2) ? SMTP_TEXT_OURS : SMTP_TEXT_CLIENT};
        }
        spec = (struct smtp_reply_spec){rnd_code(&s), NULL, t, n};
        if (spec.code / 100 != 3 && below(&s, 2)) {
            snprintf(enh, sizeof(enh), "%u.%u.%u", spec.code / 100, (unsigned)below(&s, 1000),
                     (unsigned)below(&s, 1000));
            spec.enh = enh;
        }
        cap = below(&s, 4) ? SMTP_REPLY_MAX : below(&s, 700);
        st = smtp_reply_format(&spec, out, cap, &len);
        if (st == SMTP_REPLY_BAD_ENH && spec.enh == NULL) {
            refused++; /* text that reads as a wrong-class enhanced code */
            continue;
        }
        if (st == SMTP_REPLY_NO_ROOM && cap < SMTP_REPLY_LINE_MAX)
            continue;
        if (st != SMTP_REPLY_OK && st != SMTP_REPLY_TRUNCATED)
            fail_msg("spec %zu: got status %s, want OK or TRUNCATED", iter,
                     smtp_reply_status_name(st));
        if (round_trip_stream(out, len, "from specs", &clean) != 1 || !clean)
            fail_msg("spec %zu (code %u): output is not one well-formed reply", iter, spec.code);
        formatted++;
    }
    print_message("round trip from specs: %zu formatted, %zu refused as wrong-class text enh\n",
                  formatted, refused);
    assert_true(formatted > 10000);
}

/* random bytes shaped like replies -> parse -> every well-formed reply regenerates exactly. */
static void test_round_trip_from_bytes(void **state)
{
    static char in[64 * 1024];
    uint64_t s = 0xB17E5;
    size_t iter, ok = 0;

    (void)state;
    for (iter = 0; iter < 3000; iter++) {
        size_t len = 0, lines = 1 + below(&s, 12), i;
        unsigned code = rnd_code(&s);
        for (i = 0; i < lines && len < sizeof(in) - 4096; i++) {
            int last = i + 1 == lines || below(&s, 6) == 0;
            size_t tl = 0, want_tl;
            if (below(&s, 20) == 0)
                code = rnd_code(&s); /* sometimes a changed code */
            len += (size_t)snprintf(in + len, 5, "%u", code);
            if (below(&s, 10) != 0 || !last)
                in[len++] = last ? ' ' : '-';
            /* Text: an enhanced-code-like start or not, then mostly legal octets; some too long. */
            if (below(&s, 2))
                tl = rnd_fragment(&s, in + len, 20);
            want_tl = tl + (below(&s, 4) == 0 ? below(&s, 520) : below(&s, 40));
            while (tl < want_tl)
                in[len + tl++] = below(&s, 30) ? (char)(0x20 + below(&s, 95)) : '\t';
            len += tl;
            if (below(&s, 40) != 0)
                in[len++] = '\r';
            in[len++] = '\n';
        }
        int clean;
        ok += round_trip_stream(in, len, "from bytes", &clean);
    }
    print_message("round trip from bytes: %zu well-formed replies regenerated\n", ok);
    assert_true(ok > 1000);
}

static void test_status_names(void **state)
{
    int i, j;

    (void)state;
    for (i = 0; i < SMTP_RP_STATUS_COUNT; i++) {
        assert_non_null(smtp_rp_status_name((enum smtp_rp_status)i));
        for (j = 0; j < i; j++)
            assert_string_not_equal(smtp_rp_status_name((enum smtp_rp_status)i),
                                    smtp_rp_status_name((enum smtp_rp_status)j));
    }
    assert_non_null(smtp_rp_status_name(SMTP_RP_STATUS_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_long_lines),
        cmocka_unit_test(test_parse_split_invariance),
        cmocka_unit_test(test_enh_prefix),
        cmocka_unit_test(test_parse_guard_page),
        cmocka_unit_test(test_round_trip_from_specs),
        cmocka_unit_test(test_round_trip_from_bytes),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests_name("smtp_reply_parse", tests, NULL, NULL);
}

/*
 * test_smtp_line_simd - the vector path of the tokenizer equals the scalar path.
 *
 * smtp_line_feed_scalar() is the reference (tests/test_smtp_line.c checks
 * it, and smtp_line_feed(), against docs/contract.md sections 1-2); here smtp_line_feed_simd()
 * and smtp_line_feed() must give the same result, *used, line fields and
 * octets of text as the scalar path, call after call, for: every line
 * length 0..600 at every split, lines starting at every offset across the
 * 16- and 64-octet blocks, CR, LF, NUL, DEL, SP and 8-bit octets at every
 * position, verb shapes around SMTP_VERB_MAX_LEN and 16 letters, and random
 * streams in random chunks. Each piece is copied to the end of a page
 * followed by a PROT_NONE page, so a load past the input faults.
 */
/* MAP_ANONYMOUS is not in POSIX.1-2008, which the build selects; glibc and BSDs have it. */
#define _DEFAULT_SOURCE 1

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "feed_split.h"
#include "smtp_line.h"
#include "smtp_line_simd.h"

#define MAX_INPUT 4096

typedef enum smtp_line_result (*line_feed_fn)(struct smtp_line *, const char *, size_t, size_t *,
                                              struct smtp_cmd *);

/* One path under test: its state and its own guard-paged copy of the current piece. */
struct path {
    line_feed_fn feed;
    struct smtp_line lp;
    char *area; /* MAX_INPUT readable octets (rounded up to pages), then a PROT_NONE page */
    size_t size;
};

/* A comparison of two paths over one input. */
struct pair {
    struct path ref, alt;
    const char *alt_name;
    const char *row;
    size_t lines;
    int failed; /* report the first difference of a row only */
};

static int failures;
static char *guard_base;
static size_t guard_total;

static int setup(void **state)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = (MAX_INPUT + page - 1) / page * page;

    (void)state;
    /* Two areas, each followed by its guard page. */
    guard_total = 2 * (size + page);
    guard_base =
        mmap(NULL, guard_total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard_base == MAP_FAILED)
        return -1;
    if (mprotect(guard_base + size, page, PROT_NONE) != 0 ||
        mprotect(guard_base + 2 * size + page, page, PROT_NONE) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return munmap(guard_base, guard_total);
}

static void pair_open(struct pair *p, line_feed_fn alt, const char *alt_name, const char *row)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = (MAX_INPUT + page - 1) / page * page;

    memset(p, 0, sizeof *p);
    p->ref.feed = smtp_line_feed_scalar;
    p->ref.area = guard_base;
    p->ref.size = size;
    p->alt.feed = alt;
    p->alt.area = guard_base + size + page;
    p->alt.size = size;
    p->alt_name = alt_name;
    p->row = row;
}

static void differ(struct pair *p, const char *what, unsigned long long ref, unsigned long long alt)
{
    if (!p->failed)
        print_error("%s: %s differs from scalar in %s at line %zu: scalar %llu, %s %llu\n", p->row,
                    p->alt_name, what, p->lines, ref, p->alt_name, alt);
    p->failed = 1;
}

/* feed_piece - give one piece to both paths in lock step, comparing every call */
static void feed_piece(void *ctx, const char *ptr, size_t len)
{
    struct pair *p = ctx;
    char *a = p->ref.area + p->ref.size - len;
    char *b = p->alt.area + p->alt.size - len;
    size_t off = 0;

    assert_true(len <= MAX_INPUT);
    if (len > 0) {
        memcpy(a, ptr, len);
        memcpy(b, ptr, len);
    }
    do {
        struct smtp_cmd x, y;
        size_t ux = (size_t)-1, uy = (size_t)-2;
        enum smtp_line_result rx = p->ref.feed(&p->ref.lp, a + off, len - off, &ux, &x);
        enum smtp_line_result ry = p->alt.feed(&p->alt.lp, b + off, len - off, &uy, &y);

        if (rx != ry || ux != uy) {
            differ(p, rx != ry ? "result" : "used", rx != ry ? rx : ux, rx != ry ? ry : uy);
            return;
        }
        if (smtp_line_pending(&p->ref.lp) != smtp_line_pending(&p->alt.lp))
            differ(p, "pending", (unsigned)smtp_line_pending(&p->ref.lp),
                   (unsigned)smtp_line_pending(&p->alt.lp));
        if (rx == SMTP_LINE_READY) {
            if (x.status != y.status)
                differ(p, "status", x.status, y.status);
            if (x.verb != y.verb)
                differ(p, "verb", x.verb, y.verb);
            if (x.octets != y.octets)
                differ(p, "octets", x.octets, y.octets);
            if (x.text_len != y.text_len)
                differ(p, "text_len", x.text_len, y.text_len);
            else if (memcmp(x.text, y.text, x.text_len) != 0)
                differ(p, "text", 0, 1);
            if (x.arg - x.text != y.arg - y.text)
                differ(p, "arg offset", (unsigned long long)(x.arg - x.text),
                       (unsigned long long)(y.arg - y.text));
            if (x.arg_len != y.arg_len)
                differ(p, "arg_len", x.arg_len, y.arg_len);
            p->lines++;
        }
        off += ux;
    } while (off < len && !p->failed);
}

/* Each alternative path checked against the scalar one. */
static const struct {
    line_feed_fn feed;
    const char *name;
} alts[] = {
    {smtp_line_feed_simd, "smtp_line_feed_simd"},
    {smtp_line_feed, "smtp_line_feed"},
};
#define NALTS (sizeof alts / sizeof alts[0])

/* check_split - input fed as [0, cut) then [cut, len) to every path pair */
static void check_split(const char *row, const char *in, size_t len, size_t cut)
{
    size_t k;

    for (k = 0; k < NALTS; k++) {
        struct pair p;

        pair_open(&p, alts[k].feed, alts[k].name, row);
        feed_piece(&p, in, cut);
        feed_piece(&p, in + cut, len - cut);
        if (p.failed)
            failures++;
    }
}

/* check_modes - input fed whole, byte by byte and in random chunks to every path pair */
static void check_modes(const char *row, const char *in, size_t len, uint64_t seeds)
{
    size_t k;
    uint64_t seed;

    for (k = 0; k < NALTS; k++) {
        int mode;

        for (mode = 0; mode < FEED_MODE_COUNT; mode++) {
            for (seed = 1; seed <= (mode == FEED_RANDOM ? seeds : 1); seed++) {
                struct pair p;

                pair_open(&p, alts[k].feed, alts[k].name, row);
                feed_split(in, len, (enum feed_mode)mode, seed, feed_piece, &p);
                if (smtp_line_pending(&p.ref.lp) != smtp_line_pending(&p.alt.lp))
                    differ(&p, "pending at the end", 0, 1);
                if (p.failed)
                    failures++;
            }
        }
    }
}

/* A splitmix64 step (deterministic per seed). */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* make_line - "MAIL FROM:<aaa...>" cut or padded to content octets, then term; returns length */
static size_t make_line(char *buf, size_t content, const char *term)
{
    static const char head[] = "MAIL FROM:<";
    size_t i;

    for (i = 0; i < content; i++)
        buf[i] = i < sizeof head - 1 ? head[i] : (char)('a' + i % 26);
    if (content > sizeof head)
        buf[content - 1] = '>';
    memcpy(buf + content, term, strlen(term));
    return content + strlen(term);
}

/* The path in use: where the build has SSE2 (always on x86-64), the vector path is SSE2. */
static void test_simd_path_in_use(void **state)
{
    (void)state;
#if defined(__SSE2__) && defined(__GNUC__)
    assert_string_equal(smtp_line_simd_name(), "sse2");
#else
    assert_string_equal(smtp_line_simd_name(), "none");
#endif
}

/* Every content length 0..600, CR LF, bare LF or no terminator, then a line: every split. */
static void test_every_length_every_split(void **state)
{
    static const char *const terms[] = {"\r\n", "\n", "\r", ""};
    char *in = malloc(MAX_INPUT);
    size_t content, t, cut;
    (void)state;

    assert_non_null(in);
    failures = 0;
    for (t = 0; t < sizeof terms / sizeof terms[0]; t++) {
        for (content = 0; content <= 600 && failures == 0; content++) {
            char row[64];
            size_t len = make_line(in, content, terms[t]);

            memcpy(in + len, "HELP\r\n", 6);
            len += 6;
            snprintf(row, sizeof row, "content %zu term %zu", content, t);
            for (cut = 0; cut <= len; cut++)
                check_split(row, in, len, cut);
        }
    }
    free(in);
    assert_int_equal(failures, 0);
}

/* Lines starting at every offset of a 64-octet block, of every length around the blocks. */
static void test_block_boundaries(void **state)
{
    char in[512];
    size_t pre, content;
    (void)state;

    failures = 0;
    for (pre = 0; pre < 64; pre++) {
        for (content = 0; content < 140; content++) {
            size_t len = 0;
            char row[64];

            if (pre >= 2) {
                len = make_line(in, pre - 2, "\r\n"); /* a first line of pre octets */
            } else if (pre == 1) {
                in[0] = '\n';
                len = 1;
            }
            len += make_line(in + len, content, "\r\n");
            memcpy(in + len, "NOOP\r\nQUIT\r\n", 12);
            len += 12;
            snprintf(row, sizeof row, "offset %zu content %zu", pre, content);
            check_modes(row, in, len, 2);
        }
    }
    assert_int_equal(failures, 0);
}

/* One special octet at every position of lines of 40, 100 and 530 octets of content. */
static void test_special_octet_everywhere(void **state)
{
    static const unsigned char specials[] = {'\r', '\n', 0x00, '\t', 0x1F, 0x7F, ' ', 0x80,
                                             0xBF, 0xC3, 0xE2, 0xF0, 0xF4, 0xFF, 'A', ':'};
    static const size_t contents[] = {40, 100, 530};
    char in[1024];
    size_t c, s, pos;
    (void)state;

    failures = 0;
    for (c = 0; c < sizeof contents / sizeof contents[0]; c++) {
        for (s = 0; s < sizeof specials; s++) {
            for (pos = 0; pos < contents[c] + 2; pos++) {
                size_t len = make_line(in, contents[c], "\r\n");
                char row[64];

                in[pos] = (char)specials[s];
                memcpy(in + len, "HELP x\r\n", 8);
                len += 8;
                snprintf(row, sizeof row, "content %zu octet 0x%02X at %zu", contents[c],
                         specials[s], pos);
                check_split(row, in, len, 0);
                check_split(row, in, len, pos);
                check_split(row, in, len, pos + 1);
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* Verb shapes: every verb in three cases, too long, too short, 1..20 letters, then SP/CR/':'. */
static void test_verb_shapes(void **state)
{
    static const char *const ends[] = {" arg", "", ":x y", "1 x", " ", "\xc3\xa9 x", "  x"};
    static const char *const pads[] = {"", " padding the line past sixty-four octets, so the "
                                           "four-vector scan runs"};
    char in[512], verb[32], row[96];
    int v, c;
    size_t n, e, pd, i;
    (void)state;

    failures = 0;
    for (v = SMTP_VERB_NONE + 1; v < SMTP_VERB_COUNT; v++) {
        const char *name = smtp_verb_name((enum smtp_verb)v);

        for (c = 0; c < 4; c++) {
            size_t len = strlen(name);

            for (i = 0; i < len; i++)
                verb[i] = c == 1 || (c == 2 && i % 2) ? (char)(name[i] | 0x20) : name[i];
            if (c == 3)
                verb[len++] = 'X'; /* one letter too many */
            verb[len] = '\0';
            for (e = 0; e < sizeof ends / sizeof ends[0]; e++) {
                for (pd = 0; pd < 2; pd++) {
                    int k = snprintf(in, sizeof in, "%s%s%s\r\n", verb, ends[e], pads[pd]);

                    snprintf(row, sizeof row, "verb %s end %zu pad %zu", verb, e, pd);
                    check_modes(row, in, (size_t)k, 1);
                    if (len > 1) {
                        /* And the verb cut short by one letter. */
                        k = snprintf(in, sizeof in, "%.*s%s%s\r\n", (int)len - 1, verb, ends[e],
                                     pads[pd]);
                        check_modes(row, in, (size_t)k, 1);
                    }
                }
            }
        }
    }
    /* Runs of 0..20 letters: around SMTP_VERB_MAX_LEN and the 16 octets of one vector. */
    for (n = 0; n <= 20; n++) {
        for (e = 0; e < sizeof ends / sizeof ends[0]; e++) {
            for (pd = 0; pd < 2; pd++) {
                int k;

                for (i = 0; i < n; i++)
                    verb[i] = "STARTTLSHELPNOOPABCDEFGH"[i];
                verb[n] = '\0';
                k = snprintf(in, sizeof in, "%s%s%s\r\n", verb, ends[e], pads[pd]);
                snprintf(row, sizeof row, "letters %zu end %zu pad %zu", n, e, pd);
                check_modes(row, in, (size_t)k, 1);
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* Random streams from the pieces that matter, in random chunks. */
static void test_random_streams(void **state)
{
    /* clang-format off */
    static const char *const pieces[] = {
        "HELP", "help", "NOOP", "StartTls", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d>", "HELPX",
        " ", " ", "x", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\t", "\x7f", "\x01", "\0", "1",
        ":", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xc3", "\xe2\x82",
        "\x80", "\xbf", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
        "abcdefghijklmnopqrstuvwxyz0123456789", "EHLO client.example.org",
    };
    /* clang-format on */
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    char *in = malloc(MAX_INPUT);
    uint64_t rng = 7;
    int iter;
    (void)state;

    assert_non_null(in);
    failures = 0;
    for (iter = 0; iter < 3000 && failures == 0; iter++) {
        size_t len = 0;
        int npiece = (int)(next_rand(&rng) % 40);
        char row[48];

        while (npiece-- > 0) {
            uint64_t r = next_rand(&rng);

            if (r % 29 == 0) {
                /* Sometimes a long run, to cross the 512-octet cap. */
                size_t run_len = 300 + (size_t)(r >> 8) % 300;

                if (len + run_len > MAX_INPUT - 64)
                    break;
                memset(in + len, (r >> 40) & 1 ? 'a' : ' ', run_len);
                len += run_len;
            } else {
                const char *pc = pieces[(r >> 8) % npieces];
                size_t pl = pc[0] == '\0' ? 1 : strlen(pc); /* "\0" is one octet */

                if (len + pl > MAX_INPUT)
                    break;
                memcpy(in + len, pc, pl);
                len += pl;
            }
        }
        snprintf(row, sizeof row, "random stream %d", iter);
        check_modes(row, in, len, 3);
    }
    free(in);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simd_path_in_use), cmocka_unit_test(test_every_length_every_split),
        cmocka_unit_test(test_block_boundaries), cmocka_unit_test(test_special_octet_everywhere),
        cmocka_unit_test(test_verb_shapes),      cmocka_unit_test(test_random_streams),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

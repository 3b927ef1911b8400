/*
 * test_session_probe - the probing sessions check sends: determinism and
 * bounds, framing (every line CR LF terminated, no control octet), and
 * that what fuzz/session_probe.h promises shows up over a few thousand
 * seeds: arguments at and around each buffer size, each special at the
 * start, middle and end, keywords, UTF-8 lines longer than 512 octets but
 * far shorter in characters, BDAT 0 and BDAT 0 LAST followed at once by
 * another command, trains; and the long-line probe's exact length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session_probe.h"

#define BIG (256u << 10)
#define GUARD 64
#define GUARD_BYTE 0xA5
#define SEEDS 3000

static const size_t sizes[] = {16, 64, 128, 255, 256, 512, 1000, 1024, 4096};
static const char specials[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/* What the seeds showed, summed over every line. */
struct seen {
    unsigned arg_len[4100];               /* lines by argument length (after the verb and SP) */
    unsigned special_at[128][3];          /* special c at the start, middle or end of an argument */
    unsigned utf8_long;                   /* lines over 512 octets with at most 300 characters */
    unsigned bdat0_then, bdat0_last_then; /* BDAT 0 (LAST) with another command right after */
    unsigned help_word;                   /* an argument that is "help" in some case */
};

/* chars - UTF-8 characters in p[0..n) (octets that do not continue a sequence) */
static size_t chars(const uint8_t *p, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

/* look - one line p[0..n) (CR LF excluded) into *s */
static void look(const uint8_t *p, size_t n, const uint8_t *next, size_t left, struct seen *s)
{
    const uint8_t *sp = memchr(p, ' ', n);
    size_t verb = sp != NULL ? (size_t)(sp - p) : n, alen = n > verb ? n - verb - 1 : 0;
    const uint8_t *arg = p + verb + 1;

    if (n + 2 > 512 && chars(p, n) <= 300)
        s->utf8_long++;
    if (alen < sizeof s->arg_len / sizeof s->arg_len[0])
        s->arg_len[alen]++;
    if (alen > 2 && arg[0] < 128 && strchr(specials, arg[0]) != NULL)
        s->special_at[arg[0]][0]++;
    if (alen > 2 && arg[alen / 2] < 128 && strchr(specials, arg[alen / 2]) != NULL)
        s->special_at[arg[alen / 2]][1]++;
    if (alen > 2 && arg[alen - 1] < 128 && strchr(specials, arg[alen - 1]) != NULL)
        s->special_at[arg[alen - 1]][2]++;
    if (alen == 4 && (arg[0] | 0x20) == 'h' && (arg[1] | 0x20) == 'e' && (arg[2] | 0x20) == 'l' &&
        (arg[3] | 0x20) == 'p')
        s->help_word++;
    if (left > 0 && next[0] >= 'A' && next[0] <= 'Z') {
        if (n == 6 && memcmp(p, "BDAT 0", 6) == 0)
            s->bdat0_then++;
        if (n == 11 && memcmp(p, "BDAT 0 LAST", 11) == 0)
            s->bdat0_last_then++;
    }
}

/* walk - check the framing of a session and collect what it shows */
static void walk(const uint8_t *a, size_t n, struct seen *s)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if (a[i] != '\n')
            continue;
        assert_true(i > start && a[i - 1] == '\r'); /* CR LF, never a bare LF */
        for (size_t k = start; k + 1 < i; k++)
            assert_true(a[k] >= 0x20 && a[k] != 0x7f); /* no control octet */
        look(a + start, i - 1 - start, a + i + 1, n - i - 1, s);
        start = i + 1;
    }
}

static void test_deterministic_and_bounded(void **state)
{
    uint8_t *a = malloc(BIG + GUARD), *b = malloc(BIG);
    uint64_t seed;
    size_t k;

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    for (seed = 0; seed < 500; seed++) {
        size_t n, m, max = seed % 3 == 0 ? 100 + seed * 7 : BIG;
        memset(a + max, GUARD_BYTE, GUARD);
        n = session_probe(a, max, seed);
        m = session_probe(b, max, seed);
        assert_true(n > 0 && n <= max);
        assert_int_equal(n, m);
        assert_memory_equal(a, b, n);
        for (k = 0; k < GUARD; k++)
            assert_int_equal(a[max + k], GUARD_BYTE);
    }
    assert_int_equal(session_probe(NULL, 0, 1), 0);
    assert_int_equal(session_probe_long_line(NULL, 0, 1, 1000), 0);
    free(a);
    free(b);
}

static void test_promises_show_up(void **state)
{
    uint8_t *a = malloc(BIG);
    struct seen *s = calloc(1, sizeof *s);
    uint64_t seed;
    size_t k, d;

    (void)state;
    assert_non_null(a);
    assert_non_null(s);
    for (seed = 0; seed < SEEDS; seed++)
        walk(a, session_probe(a, BIG, seed), s);
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) /* each size give or take one */
        for (d = 0; d < 3; d++)
            assert_true(s->arg_len[sizes[k] + d - 1] > 0);
    for (k = 0; specials[k] != '\0'; k++) /* each special at each place */
        for (d = 0; d < 3; d++)
            assert_true(s->special_at[(unsigned char)specials[k]][d] > 0);
    assert_true(s->utf8_long > 0);
    assert_true(s->bdat0_then > 0);
    assert_true(s->bdat0_last_then > 0);
    assert_true(s->help_word > 0);
    free(a);
    free(s);
}

static void test_long_line(void **state)
{
    size_t want = 3u << 20, n, i, start;
    uint8_t *a = malloc(want + 1024);

    (void)state;
    assert_non_null(a);
    n = session_probe_long_line(a, want + 1024, 5, want);
    start = strlen("EHLO probe.example\r\n");
    assert_memory_equal(a, "EHLO probe.example\r\n", start);
    for (i = start; a[i] != '\n'; i++)
        assert_true(a[i] != '\r' || a[i + 1] == '\n');
    assert_int_equal(i + 1 - start, want); /* the line, CR LF included */
    assert_memory_equal(a + i + 1, "QUIT\r\n", 6);
    assert_int_equal(n, i + 1 + 6);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_and_bounded),
        cmocka_unit_test(test_promises_show_up),
        cmocka_unit_test(test_long_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

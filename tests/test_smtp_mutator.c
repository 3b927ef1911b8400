/*
 * test_smtp_mutator - the structure-aware mutator and the session
 * generator: determinism per seed, bounds (random inputs at every size
 * from 0 to the maximum, guard octets after the buffer), every mutation
 * kind reachable, crossover bounds, generated sessions well framed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session_gen.h"
#include "smtp_mutator.h"

#define GUARD 64
#define GUARD_BYTE 0xA5
#define BIG 4096

static const char sample[] = "EHLO client.example\r\n"
                             "MAIL FROM:<a@b.example>\r\n"
                             "RCPT TO:<c@d.example>\r\n"
                             "DATA\r\n"
                             "Subject: hi\r\n"
                             "\r\n"
                             ".leading dot\r\n"
                             ".\r\n"
                             "HELP\r\n"
                             "QUIT\r\n";

/* splitmix64 for the test's own random inputs */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* fill_random - random octets, biased towards CR, LF, '.', SP and letters */
static void fill_random(uint8_t *p, size_t n, uint64_t *s)
{
    static const char bias[] = "\r\n. HELPDATAhelp";
    size_t i;

    for (i = 0; i < n; i++) {
        uint64_t r = next_rand(s);
        p[i] = (r & 1) ? (uint8_t)bias[(r >> 8) % (sizeof bias - 1)] : (uint8_t)(r >> 16);
    }
}

/* guard_ok - the guard octets after max are untouched */
static int guard_ok(const uint8_t *buf, size_t max)
{
    size_t i;

    for (i = 0; i < GUARD; i++)
        if (buf[max + i] != GUARD_BYTE)
            return 0;
    return 1;
}

static void test_deterministic(void **state)
{
    uint8_t a[BIG], b[BIG];
    uint64_t seed;

    (void)state;
    for (seed = 0; seed < 500; seed++) {
        size_t la, lb;
        memcpy(a, sample, sizeof sample - 1);
        memcpy(b, sample, sizeof sample - 1);
        la = smtp_mutate(a, sizeof sample - 1, sizeof a, seed);
        lb = smtp_mutate(b, sizeof sample - 1, sizeof b, seed);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
    }
}

static void test_seeds_differ(void **state)
{
    uint8_t a[BIG], b[BIG];
    size_t la, lb, differ = 0;
    uint64_t seed;

    (void)state;
    for (seed = 0; seed < 100; seed++) {
        memcpy(a, sample, sizeof sample - 1);
        memcpy(b, sample, sizeof sample - 1);
        la = smtp_mutate(a, sizeof sample - 1, sizeof a, seed);
        lb = smtp_mutate(b, sizeof sample - 1, sizeof b, seed + 1000);
        differ += la != lb || memcmp(a, b, la) != 0;
    }
    assert_true(differ > 90);
}

static void test_bounds_random(void **state)
{
    uint8_t *buf = malloc(BIG + GUARD);
    uint64_t s = 42;
    size_t iter;

    (void)state;
    assert_non_null(buf);
    for (iter = 0; iter < 20000; iter++) {
        size_t max = (size_t)(next_rand(&s) % (iter % 10 == 0 ? 16 : BIG + 1));
        size_t size = max == 0 ? 0 : (size_t)(next_rand(&s) % (max + 1));
        size_t out;

        if (iter % 7 == 0)
            size = max; /* full buffer: nothing may grow */
        fill_random(buf, size, &s);
        memset(buf + max, GUARD_BYTE, GUARD);
        out = iter % 2 ? smtp_mutate(buf, size, max, next_rand(&s))
                       : smtp_mutate_kind(buf, size, max, next_rand(&s),
                                          (enum smtp_mut_kind)(iter % SMTP_MUT_COUNT));
        assert_true(out <= max);
        assert_true(guard_ok(buf, max));
    }
    free(buf);
}

static void test_empty_and_zero_max(void **state)
{
    uint8_t buf[GUARD];
    int k;

    (void)state;
    for (k = 0; k < SMTP_MUT_COUNT; k++) {
        memset(buf, GUARD_BYTE, sizeof buf);
        assert_int_equal(smtp_mutate_kind(buf, 0, 0, 7, (enum smtp_mut_kind)k), 0);
        assert_true(guard_ok(buf, 0));
    }
    assert_int_equal(smtp_mutate(buf, 0, 0, 1), 0);
}

static void test_every_kind_reachable(void **state)
{
    uint8_t buf[BIG];
    int k;

    (void)state;
    for (k = 0; k < SMTP_MUT_COUNT; k++) {
        uint64_t seed;
        int changed = 0;
        for (seed = 0; seed < 64 && !changed; seed++) {
            size_t n;
            memcpy(buf, sample, sizeof sample - 1);
            n = smtp_mutate_kind(buf, sizeof sample - 1, sizeof buf, seed, (enum smtp_mut_kind)k);
            changed = n != sizeof sample - 1 || memcmp(buf, sample, n) != 0;
        }
        if (!changed)
            fail_msg("mutation %s never changed the sample",
                     smtp_mut_kind_id((enum smtp_mut_kind)k));
    }
}

/* contains - needle occurs in (p, n) */
static int contains(const uint8_t *p, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;

    for (i = 0; i + m <= n; i++)
        if (memcmp(p + i, needle, m) == 0)
            return 1;
    return 0;
}

static void test_kinds_do_what_they_say(void **state)
{
    static const struct {
        enum smtp_mut_kind kind;
        const char *needle;
    } rows[] = {
        {SMTP_MUT_WRAP_BDAT, "BDAT "},
        {SMTP_MUT_WRAP_DATA, "DATA\r\n"},
        {SMTP_MUT_EOD_VARIANT, "\n.\n"},
        {SMTP_MUT_EOD_VARIANT, "\r.\r"},
        {SMTP_MUT_TERMINATOR, "\r\r\n"},
        {SMTP_MUT_SWAP_VERB, "XCLIENT"},
        {SMTP_MUT_SWAP_VERB, "XEXCH50"},
        {SMTP_MUT_INJECT_BYTE, "\xc0\xaf"},
        {SMTP_MUT_PIPELINE_BATCH, "RSET\r\nNOOP\r\n"},
        {SMTP_MUT_DOT_STUFF, ".."},
    };
    static const char base[] = "EHLO x\r\nNOOP\r\nHELP\r\nQUIT\r\n";
    uint8_t buf[BIG];
    size_t r;

    (void)state;
    for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        uint64_t seed;
        int seen = 0;
        assert_false(contains((const uint8_t *)base, sizeof base - 1, rows[r].needle));
        for (seed = 0; seed < 2000 && !seen; seed++) {
            size_t n;
            memcpy(buf, base, sizeof base - 1);
            n = smtp_mutate_kind(buf, sizeof base - 1, sizeof buf, seed, rows[r].kind);
            seen = contains(buf, n, rows[r].needle);
        }
        if (!seen)
            fail_msg("%s never produced the expected octets (row %zu)",
                     smtp_mut_kind_id(rows[r].kind), r);
    }
}

static void test_grow_hits_boundaries(void **state)
{
    uint8_t *buf = malloc(70000);
    int seen512 = 0, seen1000 = 0;
    uint64_t seed;

    (void)state;
    assert_non_null(buf);
    for (seed = 0; seed < 400; seed++) {
        size_t n, i, start = 0;
        memcpy(buf, "NOOP\r\n", 6);
        n = smtp_mutate_kind(buf, 6, 70000, seed, SMTP_MUT_GROW_LINE);
        for (i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                size_t len = i + 1 - start;
                seen512 |= len >= 509 && len <= 514;
                seen1000 |= len >= 998 && len <= 1002;
                start = i + 1;
            }
        }
    }
    free(buf);
    assert_true(seen512);
    assert_true(seen1000);
}

static void test_crossover(void **state)
{
    uint8_t out[BIG + GUARD], out2[BIG];
    uint64_t s = 9;
    size_t iter;

    (void)state;
    for (iter = 0; iter < 5000; iter++) {
        uint8_t a[600], b[600];
        size_t alen = (size_t)(next_rand(&s) % sizeof a), blen = (size_t)(next_rand(&s) % sizeof b);
        size_t max = (size_t)(next_rand(&s) % 1300), n, n2;
        uint64_t seed = next_rand(&s);

        fill_random(a, alen, &s);
        fill_random(b, blen, &s);
        memset(out + max, GUARD_BYTE, GUARD);
        n = smtp_crossover(a, alen, b, blen, out, max, seed);
        assert_true(n <= max);
        assert_true(guard_ok(out, max));
        n2 = smtp_crossover(a, alen, b, blen, out2, max, seed);
        assert_int_equal(n, n2);
        assert_memory_equal(out, out2, n);
    }
    assert_int_equal(smtp_crossover(NULL, 0, NULL, 0, out, 10, 1), 0);
}

static void test_session_gen(void **state)
{
    uint8_t a[BIG + GUARD], b[BIG];
    uint64_t seed;

    (void)state;
    for (seed = 0; seed < 2000; seed++) {
        size_t n, m, i, start = 0;
        int in_data = 0;

        memset(a + BIG, GUARD_BYTE, GUARD);
        n = session_gen(a, BIG, seed);
        m = session_gen(b, BIG, seed);
        assert_true(n > 0 && n <= BIG);
        assert_true(guard_ok(a, BIG));
        assert_int_equal(n, m);
        assert_memory_equal(a, b, n);
        /* every command line ends in CR LF and stays under 512 octets (chunks aside) */
        for (i = 0; i < n && !in_data; i++) {
            if (a[i] == '\n') {
                assert_true(i > start && a[i - 1] == '\r');
                assert_true(i + 1 - start <= 512);
                in_data = memcmp(a + start, "BDAT", 4) == 0; /* chunk octets follow */
                start = i + 1;
            }
        }
    }
    assert_int_equal(session_gen(a, 5, 1), 5); /* cut at the end of the buffer */
    assert_int_equal(session_gen(NULL, 0, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),        cmocka_unit_test(test_seeds_differ),
        cmocka_unit_test(test_bounds_random),        cmocka_unit_test(test_empty_and_zero_max),
        cmocka_unit_test(test_every_kind_reachable), cmocka_unit_test(test_kinds_do_what_they_say),
        cmocka_unit_test(test_grow_hits_boundaries), cmocka_unit_test(test_crossover),
        cmocka_unit_test(test_session_gen),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

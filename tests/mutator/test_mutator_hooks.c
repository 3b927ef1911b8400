/*
 * test_mutator_hooks - libFuzzer's hooks over the mutator
 * (fuzz/mutator_libfuzzer.c), linked here with a stand-in for
 * LLVMFuzzerMutate so they run without libFuzzer (and under ASan).
 *
 * The stand-in writes a marker no SMTP mutation produces, so every test
 * can tell which mutator made an output without any shared counter. The
 * cases: the split between smtp_mutate and LLVMFuzzerMutate (3 to 1),
 * determinism per seed, the bound, a size above max_size clamped,
 * SMTPFUZZ_NO_CUSTOM_MUTATOR (set, "0", empty), and the crossover hook's
 * bound and determinism. Every buffer is a heap block of exactly its
 * size, so ASan sees any access past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

#define ENV_OFF "SMTPFUZZ_NO_CUSTOM_MUTATOR"
#define SEEDS 4000u
#define MAX 4096u

static const char marker[] = "\x01libFuzzer-was-here\x02";
#define MARKER_LEN (sizeof marker - 1)

static const char sample[] = "EHLO client.example\r\n"
                             "MAIL FROM:<a@b.example>\r\n"
                             "RCPT TO:<c@d.example>\r\n"
                             "DATA\r\n"
                             "hello\r\n"
                             ".\r\n"
                             "HELP\r\n"
                             "QUIT\r\n";
#define SAMPLE_LEN (sizeof sample - 1)

/* LLVMFuzzerMutate - the stand-in: the marker (cut to max_size) in place of the input */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    size_t n = MARKER_LEN < max_size ? MARKER_LEN : max_size;

    (void)size;
    memcpy(data, marker, n);
    return n;
}

/* is_marker - the output is the stand-in's */
static int is_marker(const uint8_t *p, size_t n)
{
    return n == MARKER_LEN && memcmp(p, marker, n) == 0;
}

/* mutate_sample - the sample through the hook in a max-octet block; the size, block in *out */
static size_t mutate_sample(unsigned seed, size_t max, uint8_t **out)
{
    uint8_t *buf = malloc(max);
    size_t n;

    assert_non_null(buf);
    memcpy(buf, sample, SAMPLE_LEN);
    n = LLVMFuzzerCustomMutator(buf, SAMPLE_LEN, max, seed);
    assert_true(n <= max);
    *out = buf;
    return n;
}

/* count_delegated - how many of SEEDS calls went to LLVMFuzzerMutate */
static unsigned count_delegated(void)
{
    unsigned seed, delegated = 0;

    for (seed = 0; seed < SEEDS; seed++) {
        uint8_t *buf;
        size_t n = mutate_sample(seed, MAX, &buf);
        delegated += is_marker(buf, n);
        free(buf);
    }
    return delegated;
}

static void test_split_three_to_one(void **state)
{
    unsigned delegated;

    (void)state;
    unsetenv(ENV_OFF);
    delegated = count_delegated();
    /* one call in four, from the seed: 1000 of 4000 give or take the spread of a hash */
    assert_in_range(delegated, SEEDS / 4 - SEEDS / 20, SEEDS / 4 + SEEDS / 20);
}

static void test_deterministic(void **state)
{
    unsigned seed;

    (void)state;
    unsetenv(ENV_OFF);
    for (seed = 0; seed < 300; seed++) {
        uint8_t *a, *b;
        size_t na = mutate_sample(seed, MAX, &a), nb = mutate_sample(seed, MAX, &b);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        free(a);
        free(b);
    }
}

static void test_bound_small_max(void **state)
{
    unsigned seed;
    size_t max;

    (void)state;
    unsetenv(ENV_OFF);
    for (max = SAMPLE_LEN; max < SAMPLE_LEN + 40; max += 3) {
        for (seed = 0; seed < 200; seed++) {
            uint8_t *buf;
            size_t n = mutate_sample(seed, max, &buf); /* asserts n <= max */
            (void)n;
            free(buf);
        }
    }
}

static void test_size_above_max_clamped(void **state)
{
    unsigned seed;

    (void)state;
    unsetenv(ENV_OFF);
    for (seed = 0; seed < 200; seed++) {
        uint8_t *buf = malloc(SAMPLE_LEN);
        size_t n;

        assert_non_null(buf);
        memcpy(buf, sample, SAMPLE_LEN);
        /* libFuzzer never passes size > max_size; the hook must cope rather than assert */
        n = LLVMFuzzerCustomMutator(buf, SAMPLE_LEN, SAMPLE_LEN / 2, seed);
        assert_true(n <= SAMPLE_LEN / 2);
        free(buf);
    }
}

static void test_env_off(void **state)
{
    static const char *const on_values[] = {"0", ""};
    unsigned seed, k;
    uint8_t a[] = "HELP\r\nNOOP\r\n", b[] = "MAIL FROM:<a@b>\r\nDATA\r\n";

    (void)state;
    setenv(ENV_OFF, "1", 1);
    assert_int_equal(count_delegated(), SEEDS);
    for (seed = 0; seed < 200; seed++) {
        uint8_t *out = malloc(MAX);
        assert_non_null(out);
        assert_int_equal(
            LLVMFuzzerCustomCrossOver(a, sizeof a - 1, b, sizeof b - 1, out, MAX, seed), 0);
        free(out);
    }
    for (k = 0; k < sizeof on_values / sizeof on_values[0]; k++) {
        setenv(ENV_OFF, on_values[k], 1);
        assert_true(count_delegated() < SEEDS / 2);
    }
    unsetenv(ENV_OFF);
}

static void test_crossover(void **state)
{
    unsigned seed;
    size_t max;
    uint8_t *a = malloc(SAMPLE_LEN), *b = malloc(12);

    (void)state;
    unsetenv(ENV_OFF);
    assert_non_null(a);
    assert_non_null(b);
    memcpy(a, sample, SAMPLE_LEN);
    memcpy(b, "HELP\r\nRSET\r\n", 12);
    for (max = 0; max < SAMPLE_LEN + 20; max += 7) {
        for (seed = 0; seed < 100; seed++) {
            uint8_t *o1 = malloc(max > 0 ? max : 1), *o2 = malloc(max > 0 ? max : 1);
            size_t n1, n2;

            assert_non_null(o1);
            assert_non_null(o2);
            n1 = LLVMFuzzerCustomCrossOver(a, SAMPLE_LEN, b, 12, o1, max, seed);
            n2 = LLVMFuzzerCustomCrossOver(a, SAMPLE_LEN, b, 12, o2, max, seed);
            assert_true(n1 <= max);
            assert_int_equal(n1, n2);
            assert_memory_equal(o1, o2, n1);
            free(o1);
            free(o2);
        }
    }
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_three_to_one),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bound_small_max),
        cmocka_unit_test(test_size_above_max_clamped),
        cmocka_unit_test(test_env_off),
        cmocka_unit_test(test_crossover),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

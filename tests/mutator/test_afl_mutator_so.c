/*
 * test_afl_mutator_so - the AFL++ custom mutator library
 * (libsmtpfuzz_afl_mutator.so, fuzz/mutator_afl.c) loaded the way
 * afl-fuzz loads it: dlopen(), then the three symbols by name.
 *
 * Usage: test_afl_mutator_so PATH/libsmtpfuzz_afl_mutator.so
 *
 * The cases: afl_custom_init, afl_custom_fuzz and afl_custom_deinit are
 * exported; afl_custom_fuzz returns 1..max_size octets whatever the entry
 * (empty, larger than max_size, with and without a second entry to splice)
 * and *out_buf points at that many readable octets; two states with the
 * same seed give the same sequence (afl-fuzz -s reproducible); deinit
 * takes NULL. Entries are heap blocks of exactly their size, so an ASan
 * build of the library reports any access past them.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef void *(*afl_init_fn)(void *afl, unsigned int seed);
typedef size_t (*afl_fuzz_fn)(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                              uint8_t *add_buf, size_t add_buf_size, size_t max_size);
typedef void (*afl_deinit_fn)(void *data);

/* The library under test, as the group setup found it. */
struct lib {
    const char *path;
    void *handle;
    afl_init_fn init;
    afl_fuzz_fn fuzz;
    afl_deinit_fn deinit;
};

#define ROUNDS 3000

/* splitmix64 for the test's own choices */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* entry - an exactly sized block of n octets of SMTP-ish text (any pointer for 0) */
static uint8_t *entry(size_t n, uint64_t *s)
{
    static const char text[] = "EHLO a.example\r\nHELP\r\nMAIL FROM:<a@b>\r\nDATA\r\nx\r\n.\r\n";
    uint8_t *p = malloc(n > 0 ? n : 1);
    size_t i, off = (size_t)(next_rand(s) % (sizeof text - 1));

    assert_non_null(p);
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)text[(off + i) % (sizeof text - 1)];
    return p;
}

/* lib_open - dlopen the library and look up the three symbols; 0 or -1 (said on stderr) */
static int lib_open(struct lib *l)
{
    l->handle = dlopen(l->path, RTLD_NOW | RTLD_LOCAL);
    if (l->handle == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", l->path, dlerror());
        return -1;
    }
    /* POSIX: a dlsym result converts to a function pointer through this cast */
    *(void **)&l->init = dlsym(l->handle, "afl_custom_init");
    *(void **)&l->fuzz = dlsym(l->handle, "afl_custom_fuzz");
    *(void **)&l->deinit = dlsym(l->handle, "afl_custom_deinit");
    return 0;
}

static void test_symbols(void **state)
{
    struct lib *l = *state;

    assert_non_null(l->init);
    assert_non_null(l->fuzz);
    assert_non_null(l->deinit);
}

/* one_round - one afl_custom_fuzz call with random sizes; checks the result's bounds */
static size_t one_round(const struct lib *l, void *m, uint64_t *s, uint8_t *copy, size_t cap)
{
    size_t buf_size = (size_t)(next_rand(s) % 300), add_size = (size_t)(next_rand(s) % 200);
    size_t max_size = 1 + (size_t)(next_rand(s) % 1024), n, i;
    int with_add = (int)(next_rand(s) % 2);
    uint8_t *buf = entry(buf_size, s), *add = with_add ? entry(add_size, s) : NULL, *out = NULL;
    unsigned sum = 0;

    n = l->fuzz(m, buf, buf_size, &out, add, with_add ? add_size : 0, max_size);
    assert_in_range(n, 1, max_size);
    assert_non_null(out);
    for (i = 0; i < n; i++)
        sum += out[i]; /* every octet readable (ASan) */
    (void)sum;
    if (copy != NULL) {
        assert_true(n <= cap);
        memcpy(copy, out, n);
    }
    free(buf);
    free(add);
    return n;
}

static void test_fuzz_bounds(void **state)
{
    struct lib *l = *state;
    void *m;
    uint64_t s = 1;
    int r;

    assert_non_null(l->fuzz);
    m = l->init(NULL, 7);
    assert_non_null(m);
    for (r = 0; r < ROUNDS; r++)
        (void)one_round(l, m, &s, NULL, 0);
    l->deinit(m);
}

static void test_fuzz_edges(void **state)
{
    struct lib *l = *state;
    uint8_t *out = NULL, *big;
    void *m;
    size_t n;
    uint64_t s = 3;

    assert_non_null(l->fuzz);
    m = l->init(NULL, 1);
    assert_non_null(m);
    /* an empty entry: something comes out all the same (AFL++ wants at least one octet) */
    n = l->fuzz(m, NULL, 0, &out, NULL, 0, 64);
    assert_in_range(n, 1, 64);
    /* max_size 1 */
    big = entry(100, &s);
    n = l->fuzz(m, big, 100, &out, NULL, 0, 1);
    assert_int_equal(n, 1);
    /* an entry larger than max_size */
    n = l->fuzz(m, big, 100, &out, big, 100, 40);
    assert_in_range(n, 1, 40);
    free(big);
    l->deinit(m);
    l->deinit(NULL);
}

static void test_same_seed_same_sequence(void **state)
{
    struct lib *l = *state;
    uint8_t a[1024], b[1024];
    void *m1, *m2;
    uint64_t s1 = 9, s2 = 9;
    int r;

    assert_non_null(l->fuzz);
    m1 = l->init(NULL, 42);
    m2 = l->init(NULL, 42);
    assert_non_null(m1);
    assert_non_null(m2);
    for (r = 0; r < 500; r++) {
        size_t n1 = one_round(l, m1, &s1, a, sizeof a), n2 = one_round(l, m2, &s2, b, sizeof b);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
    }
    l->deinit(m1);
    l->deinit(m2);
}

int main(int argc, char **argv)
{
    struct lib l;
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_symbols, &l),
        cmocka_unit_test_prestate(test_fuzz_bounds, &l),
        cmocka_unit_test_prestate(test_fuzz_edges, &l),
        cmocka_unit_test_prestate(test_same_seed_same_sequence, &l),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH/libsmtpfuzz_afl_mutator.so\n", argv[0]);
        return 2;
    }
    memset(&l, 0, sizeof l);
    l.path = argv[1];
    if (lib_open(&l) != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    dlclose(l.handle);
    return rc;
}

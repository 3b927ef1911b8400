/*
 * fuzz_mutator - the structure-aware mutator (smtp_mutator.h) against its
 * own contract, with the input choosing the data, the sizes and the seed.
 *
 * Input: a 12-octet header, then the payload (the bytes to mutate), at
 * most FUZZ_MUTATOR_INPUT_MAX octets in all (larger inputs are skipped;
 * shorter than the header: nothing to do).
 *
 *   octets 0-7   seed, little-endian
 *   octet  8     flags: bit 0  max_size below the payload (the payload is
 *                              cut to it, as a caller must);
 *                       bits 1-2 smtp_mutate rounds, 1 to 4, each fed the
 *                              last one's output (as an engine stacks them);
 *                       bit 3  65536 more octets of room (for grow-line's
 *                              longest lines);
 *                       bit 4  the crossover's max_out below alen + blen;
 *                       bit 5  the crossover's two inputs are one buffer
 *   octets 9-10  extra, little-endian: room beyond the payload (or, with
 *                bit 0, how far below it max_size is, modulo its size)
 *   octet  11    where the payload splits into the crossover's a and b
 *
 * Each iteration checks, for smtp_mutate (all rounds), smtp_mutate_kind
 * (one call of the kind the seed picks: seed modulo the number of kinds)
 * and smtp_crossover:
 *
 *   - bound: the returned size is at most max_size (max_out);
 *   - determinism: the same input and seed, run again in a fresh buffer,
 *     give the same size and the same octets; the room past the data is
 *     filled with 0x00 the first time and 0xff the second (every run starts
 *     from a fresh copy of the payload), so reading it (it holds nothing
 *     yet) shows up as a difference;
 *   - memory: every buffer is a heap block of exactly max_size (max_out,
 *     alen, blen) octets, so ASan reports any access outside it; UBSan
 *     watches the arithmetic.
 *
 * smtp_mut_kind_id must name every kind and say "invalid" past the last.
 * A violation prints the rule, the kind, the seed and the sizes, then
 * aborts; nothing is printed otherwise; no state outlives a call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_mutator.h"

#define FUZZ_MUTATOR_INPUT_MAX 8192
#define FUZZ_MUTATOR_HEADER 12
#define FUZZ_MUTATOR_BIG_ROOM 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one iteration works with, decoded from the header. */
struct plan {
    uint64_t seed;
    const uint8_t *payload;
    size_t payload_len;
    size_t max_size; /* for smtp_mutate and smtp_mutate_kind */
    size_t len;      /* the payload cut to max_size: the size passed in */
    unsigned rounds; /* smtp_mutate rounds */
    size_t alen;     /* crossover: a = payload[0..alen), b = payload[alen..) or a again */
    int same;        /* crossover: b is a */
    size_t max_out;
};

/* mut_fail - report a broken promise and abort */
static _Noreturn void mut_fail(const char *rule, const char *what, const char *kind,
                               const struct plan *p, size_t got, size_t limit)
{
    fprintf(stderr,
            "fuzz_mutator: %s: %s\n  %s, seed 0x%016llx, size %zu, max %zu, returned %zu "
            "(limit %zu)\n",
            rule, what, kind, (unsigned long long)p->seed, p->len, p->max_size, got, limit);
    abort();
}

/* heap - an exactly sized block (any pointer, NULL included, for 0); aborts when out of memory */
static uint8_t *heap(size_t n)
{
    uint8_t *b = malloc(n);

    if (b == NULL && n > 0) {
        fputs("fuzz_mutator: out of memory\n", stderr);
        abort(); /* a harness failure must not pass for a clean run */
    }
    return b;
}

/* plan_read - decode the header; 0, or -1 when the input is too short or too long */
static int plan_read(struct plan *p, const uint8_t *data, size_t size)
{
    uint8_t flags;
    size_t extra, blen;
    int k;

    if (size < FUZZ_MUTATOR_HEADER || size > FUZZ_MUTATOR_INPUT_MAX)
        return -1;
    p->seed = 0;
    for (k = 7; k >= 0; k--)
        p->seed = p->seed << 8 | data[k];
    flags = data[8];
    extra = (size_t)data[9] | (size_t)data[10] << 8;
    p->payload = data + FUZZ_MUTATOR_HEADER;
    p->payload_len = size - FUZZ_MUTATOR_HEADER;
    if (flags & 1u) {
        p->max_size = p->payload_len - extra % (p->payload_len + 1);
    } else {
        p->max_size = p->payload_len + extra;
        if (flags & 8u)
            p->max_size += FUZZ_MUTATOR_BIG_ROOM;
    }
    p->len = p->payload_len < p->max_size ? p->payload_len : p->max_size;
    p->rounds = 1u + ((flags >> 1) & 3u);
    p->alen = p->payload_len * data[11] / 256;
    p->same = (flags & 32u) != 0;
    blen = p->same ? p->alen : p->payload_len - p->alen;
    if (flags & 16u)
        p->max_out = extra % (p->alen + blen + 1);
    else
        p->max_out = p->alen + blen + extra;
    return 0;
}

/* refill - the payload (cut to size) at the start of the max_size block, fill after it */
static void refill(const struct plan *p, uint8_t *b, uint8_t fill)
{
    if (p->len > 0)
        memcpy(b, p->payload, p->len);
    if (p->max_size > p->len)
        memset(b + p->len, fill, p->max_size - p->len);
}

/*
 * run_mutate - in block b (max_size octets), smtp_mutate for all rounds
 * (kind == SMTP_MUT_COUNT) or one smtp_mutate_kind; the size returned
 */
static size_t run_mutate(const struct plan *p, enum smtp_mut_kind kind, uint8_t fill, uint8_t *b)
{
    size_t n = p->len;
    unsigned r;

    refill(p, b, fill);
    if (kind == SMTP_MUT_COUNT) {
        for (r = 0; r < p->rounds; r++) {
            n = smtp_mutate(b, n, p->max_size, p->seed + r);
            if (n > p->max_size)
                mut_fail("bound", "smtp_mutate returned more than max_size", "all kinds", p, n,
                         p->max_size);
        }
    } else {
        n = smtp_mutate_kind(b, n, p->max_size, p->seed, kind);
        if (n > p->max_size)
            mut_fail("bound", "smtp_mutate_kind returned more than max_size",
                     smtp_mut_kind_id(kind), p, n, p->max_size);
    }
    return n;
}

/* check_mutate - one mutation run twice (room 0x00 in a, then 0xff in b): same size, octets */
static void check_mutate(const struct plan *p, enum smtp_mut_kind kind, uint8_t *a, uint8_t *b)
{
    const char *name = kind == SMTP_MUT_COUNT ? "all kinds" : smtp_mut_kind_id(kind);
    size_t na = run_mutate(p, kind, 0x00, a), nb = run_mutate(p, kind, 0xff, b);

    if (na != nb)
        mut_fail("determinism", "the same input and seed gave another size", name, p, nb, na);
    if (na > 0 && memcmp(a, b, na) != 0)
        mut_fail("determinism", "the same input and seed gave other octets", name, p, nb, na);
}

/* run_crossover - smtp_crossover into a fresh max_out block (caller frees); the size */
static size_t run_crossover(const struct plan *p, const uint8_t *a, const uint8_t *b, size_t blen,
                            uint8_t fill, uint8_t **out)
{
    uint8_t *o = heap(p->max_out);
    size_t n;

    if (p->max_out > 0)
        memset(o, fill, p->max_out);
    n = smtp_crossover(a, p->alen, b, blen, o, p->max_out, p->seed);
    if (n > p->max_out)
        mut_fail("bound", "smtp_crossover returned more than max_out", "crossover", p, n,
                 p->max_out);
    *out = o;
    return n;
}

/* check_crossover - a and b in blocks of exactly their size; two runs agree */
static void check_crossover(const struct plan *p)
{
    size_t blen = p->same ? p->alen : p->payload_len - p->alen, n1, n2;
    uint8_t *a = heap(p->alen), *b = p->same ? a : heap(blen), *o1, *o2;

    if (p->alen > 0)
        memcpy(a, p->payload, p->alen);
    if (!p->same && blen > 0)
        memcpy(b, p->payload + p->alen, blen);
    n1 = run_crossover(p, a, b, blen, 0x00, &o1);
    n2 = run_crossover(p, a, b, blen, 0xff, &o2);
    if (n1 != n2 || (n1 > 0 && memcmp(o1, o2, n1) != 0))
        mut_fail("determinism", "the same inputs and seed gave another splice", "crossover", p, n2,
                 n1);
    free(o1);
    free(o2);
    if (!p->same)
        free(b);
    free(a);
}

/* check_kind_ids - every kind has its own name; past the last is "invalid" */
static void check_kind_ids(const struct plan *p)
{
    int k;

    for (k = 0; k < SMTP_MUT_COUNT; k++) {
        const char *id = smtp_mut_kind_id((enum smtp_mut_kind)k);
        if (id == NULL || id[0] == '\0' || strcmp(id, "invalid") == 0)
            mut_fail("kind-id", "a mutation kind has no name", "kind table", p, (size_t)k, 0);
    }
    if (strcmp(smtp_mut_kind_id(SMTP_MUT_COUNT), "invalid") != 0)
        mut_fail("kind-id", "the kind past the last is not \"invalid\"", "kind table", p, 0, 0);
}

/* LLVMFuzzerTestOneInput - decode the plan, then hold every entry point to its contract */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct plan p;
    uint8_t *a, *b;

    if (plan_read(&p, data, size) != 0)
        return 0;
    check_kind_ids(&p);
    /* two blocks of exactly max_size, refilled for every run (fewer, larger allocations keep
       ASan's quarantine and the allocator's caches small) */
    a = heap(p.max_size);
    b = heap(p.max_size);
    check_mutate(&p, SMTP_MUT_COUNT, a, b);
    /* One kind per input, not every kind: each run refills up to 128 KiB of room, and the
       engine reaches every kind through the seed anyway, at two runs per input, not sixteen. */
    check_mutate(&p, (enum smtp_mut_kind)(p.seed % SMTP_MUT_COUNT), a, b);
    free(a);
    free(b);
    check_crossover(&p);
    return 0;
}

/*
 * mutator_afl - AFL++ custom mutator library over the project's one
 * structure-aware mutator (smtp_mutator.h), for session-level targets.
 *
 * Built as libsmtpfuzz_afl_mutator.so (smtpfuzz_add_afl_mutator() in
 * fuzz/SmtpfuzzFuzzer.cmake: in the afl preset with AFL_NOOPT=1, so without
 * AFL instrumentation or sanitizers) and loaded by afl-fuzz with
 *
 *     AFL_CUSTOM_MUTATOR_LIBRARY=build-afl/fuzz/libsmtpfuzz_afl_mutator.so
 *
 * (scripts/fuzz.sh sets it for fuzz_session*). AFL_CUSTOM_MUTATOR_ONLY is
 * left unset, so AFL++ runs its own deterministic, havoc and splice stages
 * too and this library adds one more stage.
 *
 * The API is AFL++ 4.04c's: afl_custom_init, afl_custom_fuzz,
 * afl_custom_deinit (no fuzz_send, no splice_optout, no fuzz_count: AFL++
 * sizes the stage from the entry's performance score).
 *
 * afl_custom_fuzz copies the entry into a buffer the state owns (grown as
 * needed, never past max_size, reused between calls), then 1 time in 4,
 * when AFL++ offers a second entry, splices the two at line boundaries
 * (smtp_crossover) and mutates the result half of the time; otherwise it
 * applies smtp_mutate. Every random choice comes from a splitmix64 stream
 * seeded with the seed AFL++ passes to afl_custom_init, so a run with -s
 * is reproducible. It never returns 0 octets (AFL++ requires > 0): an
 * input mutated to nothing becomes "NOOP\r\n". On out of memory it returns
 * the entry unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_mutator.h"
#include "splitmix.h"

/* The state AFL++ carries between calls (afl_custom_init's return value). */
struct afl_mutator {
    uint64_t rng; /* splitmix64 state */
    uint8_t *buf; /* the output, owned here, valid until the next call */
    size_t cap;
};

/* AFL++ passes its afl_state_t *; this library never looks inside it. */
void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

#define AFL_MUT_HEADROOM 65536u /* room to grow beyond the inputs, within max_size */
#define AFL_MUT_SPLICE_MASK 3u  /* (r & mask) == 0: splice, 1 time in 4 */

static const char afl_mut_empty[] = "NOOP\r\n"; /* what an input mutated to nothing becomes */

/* afl_mut_next - splitmix64 */
static uint64_t afl_mut_next(struct afl_mutator *m)
{
    return splitmix_next(&m->rng);
}

/* afl_custom_init - a fresh state seeded from AFL++'s seed; NULL when out of memory */
void *afl_custom_init(void *afl, unsigned int seed)
{
    struct afl_mutator *m = calloc(1, sizeof *m);

    (void)afl;
    if (m == NULL)
        return NULL; /* AFL++ then stops with "custom mutator init failed" */
    m->rng = (uint64_t)seed * 0x2545f4914f6cdd1dULL + 0x5851f42d4c957f2dULL;
    return m;
}

/* afl_mut_reserve - make the output buffer hold n octets; 0 or -1 when out of memory */
static int afl_mut_reserve(struct afl_mutator *m, size_t n)
{
    uint8_t *grown;

    if (n <= m->cap)
        return 0;
    grown = realloc(m->buf, n);
    if (grown == NULL)
        return -1;
    m->buf = grown;
    m->cap = n;
    return 0;
}

/* afl_custom_fuzz - one mutated input in *out_buf; returns its length (1..max_size) */
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
    struct afl_mutator *m = data;
    uint64_t r = afl_mut_next(m);
    size_t limit, n;

    *out_buf = buf; /* the fallback: the entry unchanged */
    if (buf_size > max_size)
        buf_size = max_size;
    if (add_buf == NULL)
        add_buf_size = 0;
    /* limit = min(max_size, buf_size + add_buf_size + headroom), without overflow */
    limit = max_size;
    if (limit - buf_size > add_buf_size && limit - buf_size - add_buf_size > AFL_MUT_HEADROOM)
        limit = buf_size + add_buf_size + AFL_MUT_HEADROOM;
    if (limit == 0 || afl_mut_reserve(m, limit) != 0)
        return buf_size;

    if (add_buf_size > 0 && (r & AFL_MUT_SPLICE_MASK) == 0) {
        n = smtp_crossover(buf, buf_size, add_buf, add_buf_size, m->buf, limit, afl_mut_next(m));
        if ((r >> 2) & 1)
            n = smtp_mutate(m->buf, n, limit, afl_mut_next(m));
    } else {
        if (buf_size > 0)
            memcpy(m->buf, buf, buf_size);
        n = smtp_mutate(m->buf, buf_size, limit, afl_mut_next(m));
    }
    if (n == 0) {
        n = sizeof afl_mut_empty - 1 < limit ? sizeof afl_mut_empty - 1 : limit;
        memcpy(m->buf, afl_mut_empty, n);
    }
    *out_buf = m->buf;
    return n;
}

/* afl_custom_deinit - free the state */
void afl_custom_deinit(void *data)
{
    struct afl_mutator *m = data;

    if (m == NULL)
        return;
    free(m->buf);
    free(m);
}

/*
 * broken_mutator - the real mutator (fuzz/smtp_mutator.c, its entry points
 * built under real_* names by tests/mutator.cmake) behind the public names,
 * with at most one deliberate bug, so the tests can show that fuzz_mutator
 * catches each broken promise of smtp_mutator.h:
 *
 *   (no macro)            the real mutator, passed through: must stay clean
 *   BROKEN_BOUND          smtp_crossover returns alen + blen when      bound
 *                         max_out is less
 *   BROKEN_READS_ROOM     smtp_mutate_kind appends the octet after its   determinism
 *                         output, read from room it never wrote
 *   BROKEN_WRITES_PAST    smtp_mutate writes one octet past max_size    heap-buffer-overflow
 *                                                                       (ASan builds only)
 *   BROKEN_KIND_ID        the last kind has no name of its own          kind-id
 *
 * Each bug fires on ordinary inputs: the committed corpus/fuzz_mutator
 * seeds trip it (tests/mutator.cmake, mutator_broken_*).
 */
#include <stddef.h>
#include <stdint.h>

#include "smtp_mutator.h"

size_t real_smtp_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed);
size_t real_smtp_mutate_kind(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
                             enum smtp_mut_kind kind);
size_t real_smtp_crossover(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                           uint8_t *out, size_t max_out, uint64_t seed);
const char *real_smtp_mut_kind_id(enum smtp_mut_kind kind);

size_t smtp_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed)
{
    size_t n = real_smtp_mutate(data, size, max_size, seed);
#ifdef BROKEN_WRITES_PAST
    data[max_size] = 0; /* an off-by-one bound */
#endif
    return n;
}

size_t smtp_mutate_kind(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
                        enum smtp_mut_kind kind)
{
    size_t n = real_smtp_mutate_kind(data, size, max_size, seed, kind);
#ifdef BROKEN_READS_ROOM
    if (n < max_size)
        n++; /* "the output ends one further": the octet there was never written */
#endif
    return n;
}

size_t smtp_crossover(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out,
                      size_t max_out, uint64_t seed)
{
    size_t n = real_smtp_crossover(a, alen, b, blen, out, max_out, seed);
#ifdef BROKEN_BOUND
    if (alen + blen > max_out)
        n = alen + blen; /* claims the whole splice though max_out cut it */
#endif
    return n;
}

const char *smtp_mut_kind_id(enum smtp_mut_kind kind)
{
#ifdef BROKEN_KIND_ID
    if (kind == SMTP_MUT_COUNT - 1)
        return "";
#endif
    return real_smtp_mut_kind_id(kind);
}

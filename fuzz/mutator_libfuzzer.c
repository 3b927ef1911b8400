/*
 * mutator_libfuzzer - libFuzzer's custom mutator and crossover hooks over
 * the project's one structure-aware mutator (smtp_mutator.h).
 *
 * Linked only into the libFuzzer builds of session-level targets
 * (smtpfuzz_add_fuzzer(... MUTATOR), fuzz/SmtpfuzzFuzzer.cmake): their
 * inputs are raw client streams, which is what smtp_mutate understands.
 *
 *   LLVMFuzzerCustomMutator    3 times in 4 smtp_mutate (line, verb,
 *                              terminator, DATA/BDAT, length mutations),
 *                              1 time in 4 libFuzzer's own LLVMFuzzerMutate
 *                              (byte flips, -dict entries, CMP-guided
 *                              values, libFuzzer's crossover), chosen from
 *                              the seed libFuzzer passes
 *   LLVMFuzzerCustomCrossOver  smtp_crossover: lines of one input spliced
 *                              at line boundaries into lines of another
 *
 * SMTPFUZZ_NO_CUSTOM_MUTATOR=1 (any non-empty value but "0") in the
 * environment turns the hooks off at run time without a second binary:
 * the mutator then always delegates to LLVMFuzzerMutate and the crossover
 * returns 0, which libFuzzer treats as "this mutation did not apply" and
 * picks another; what remains is libFuzzer's default mutation set
 * (its own crossover included, through LLVMFuzzerMutate). scripts/bench.sh
 * uses it for the with/without comparison.
 *
 * These two files are compiled without coverage instrumentation
 * (-fno-sanitize=fuzzer-no-link): the mutator's own branches are not the
 * target's coverage. ASan and UBSan stay on. No state outlives a call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "smtp_mutator.h"
#include "splitmix.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

#define HOOK_FALLBACK_MASK 3u /* (mix & mask) == 0: libFuzzer's mutator, 1 time in 4 */

/* hooks_off - true when SMTPFUZZ_NO_CUSTOM_MUTATOR asks for libFuzzer's mutations only */
static int hooks_off(void)
{
    const char *v = getenv("SMTPFUZZ_NO_CUSTOM_MUTATOR");

    return v != NULL && v[0] != '\0' && !(v[0] == '0' && v[1] == '\0');
}

/* mix - spread libFuzzer's 32-bit seed over 64 bits (splitmix64 finaliser) */
static uint64_t mix(unsigned int seed)
{
    return splitmix_mix((uint64_t)seed);
}

/* LLVMFuzzerCustomMutator - smtp_mutate mostly, libFuzzer's own mutator now and then */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint64_t m = mix(seed);

    if (size > max_size)
        size = max_size; /* libFuzzer never does this; smtp_mutate would assert */
    if (hooks_off() || (m & HOOK_FALLBACK_MASK) == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    return smtp_mutate(data, size, max_size, m >> 2);
}

/* LLVMFuzzerCustomCrossOver - splice two inputs at line boundaries (smtp_crossover) */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
    if (hooks_off())
        return 0;
    return smtp_crossover(data1, size1, data2, size2, out, max_out_size, mix(seed));
}

/*
 * bench_empty - the empty fuzz target: the engine's own cost per input,
 * the ceiling every target's exec/s is compared with (scripts/bench.sh).
 *
 * Built like a fuzz target (fuzz/SmtpfuzzFuzzer.cmake, from
 * tests/bench/baselines.cmake): bench_empty under libFuzzer, the AFL++
 * persistent loop (engine_afl.c), its fork-server build and a replay build.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - look at nothing, return 0 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}

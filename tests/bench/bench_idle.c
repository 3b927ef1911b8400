/*
 * bench_idle - the empty persistent loop with a fuzz target's core linked
 * in but never run, for scripts/bench.sh's AFL++ table.
 *
 * AFL++ sizes its coverage map to the edges instrumented in the binary,
 * run or not, and afl-fuzz reads and classifies that whole map after every
 * input. So the empty loop of bench_empty (a handful of edges) is cheaper
 * per input than any real target even before the target runs. This loop
 * has the target's map but does no work: the target's exec/s over this
 * loop's is what the target's own code costs.
 *
 * The core stays linked through a volatile switch that is never set.
 * Without afl-clang-fast (no __AFL_FUZZ_TESTCASE_LEN) main only exits: the
 * bench runs this under afl-fuzz alone.
 */
#include <stdint.h>
#include <stddef.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Never set: reading it each time keeps the compiler from dropping the call, and the core. */
static volatile int bench_idle_run_core;

#ifdef __AFL_FUZZ_TESTCASE_LEN

__AFL_FUZZ_INIT();

int main(void)
{
    unsigned char *buf;

    __AFL_INIT();
    buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000)) { /* engine_afl.c's AFL_LOOP_COUNT */
        size_t len = __AFL_FUZZ_TESTCASE_LEN;
        if (bench_idle_run_core)
            (void)LLVMFuzzerTestOneInput(buf, len);
    }
    return 0;
}

#else

int main(void)
{
    if (bench_idle_run_core)
        (void)LLVMFuzzerTestOneInput(NULL, 0);
    return 0;
}

#endif

/*
 * engine_afl - AFL++ persistent-mode adapter for a fuzz target's core
 * (LLVMFuzzerTestOneInput), with test cases passed in shared memory.
 *
 * Built by afl-clang-fast (which defines __AFL_FUZZ_TESTCASE_LEN and
 * friends): one process runs up to AFL_LOOP_COUNT inputs before AFL++
 * forks a fresh one; the cores keep no state between inputs, so every
 * iteration starts clean (AFL++ "stability"). Each input is copied into a
 * buffer of exactly its size, so an over-read trips ASan (AFL_USE_ASAN=1)
 * instead of silently reading the rest of the shared-memory area.
 *
 * Built by any other compiler, the same file is a plain driver: it reads
 * standard input whole (every read and allocation checked) and runs it
 * once, so the file always compiles and the binary can be tried by hand:
 * `fuzz_session < input`.
 *
 * Exit status: 0 after the inputs ran; 1 when standard input could not be
 * read (fallback build only). Violations abort inside the core.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AFL_LOOP_COUNT 100000 /* inputs per process before AFL++ restarts it */
#define STDIN_MAX (1u << 20)  /* octets read from stdin by the fallback (AFL++'s own limit) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run_copy - run (data, size) from a buffer of exactly size octets; 0 or -1 when out of memory */
static int run_copy(const unsigned char *data, size_t size)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);

    if (copy == NULL)
        return -1;
    if (size > 0)
        memcpy(copy, data, size);
    (void)LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    return 0;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN

__AFL_FUZZ_INIT();

int main(void)
{
    unsigned char *buf;

    /* Fork server starts here: everything above is done once, not per input. */
    __AFL_INIT();
    buf = __AFL_FUZZ_TESTCASE_BUF; /* after __AFL_INIT: the shared memory is mapped by then */
    while (__AFL_LOOP(AFL_LOOP_COUNT)) {
        size_t len = __AFL_FUZZ_TESTCASE_LEN;
        if (run_copy(buf, len) != 0) {
            fputs("engine_afl: out of memory\n", stderr);
            abort(); /* a harness failure must not pass for a clean run */
        }
    }
    return 0;
}

#else /* not afl-clang-fast: read standard input once */

int main(void)
{
    unsigned char *buf = malloc(STDIN_MAX);
    size_t len = 0;
    int rc = 0;

    if (buf == NULL) {
        fputs("engine_afl: out of memory\n", stderr);
        return 1;
    }
    for (;;) {
        ssize_t n = read(0, buf + len, STDIN_MAX - len);
        if (n > 0) {
            len += (size_t)n;
            if (len == STDIN_MAX)
                break; /* the rest is ignored, as AFL++ itself caps inputs */
            continue;
        }
        if (n == 0)
            break;
        perror("engine_afl: read");
        free(buf);
        return 1;
    }
    if (run_copy(buf, len) != 0) {
        fputs("engine_afl: out of memory\n", stderr);
        rc = 1;
    }
    free(buf);
    return rc;
}

#endif

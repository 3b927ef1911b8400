/*
 * bench_forkserver - the fork-server driver of a fuzz target's core, for
 * scripts/bench.sh's AFL++ table: no persistent loop, no shared-memory
 * test cases. Compiled by afl-clang-fast, the fork server starts before
 * main (AFL++'s constructor), so every input costs a fork; the input
 * arrives on standard input as a file, as AFL++ writes it.
 *
 * main reads standard input whole (every read and allocation checked),
 * runs it once through LLVMFuzzerTestOneInput from a buffer of exactly its
 * size, and exits 0; 1 when standard input could not be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORKSERVER_INPUT_MAX (1u << 20) /* AFL++'s own cap on a test case */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* main - one input from standard input through the core */
int main(void)
{
    uint8_t *buf = malloc(FORKSERVER_INPUT_MAX), *copy;
    size_t len = 0;

    if (buf == NULL) {
        fputs("bench_forkserver: out of memory\n", stderr);
        return 1;
    }
    while (len < FORKSERVER_INPUT_MAX) {
        ssize_t n = read(STDIN_FILENO, buf + len, FORKSERVER_INPUT_MAX - len);
        if (n == 0)
            break;
        if (n < 0) {
            perror("bench_forkserver: read");
            free(buf);
            return 1;
        }
        len += (size_t)n;
    }
    copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        fputs("bench_forkserver: out of memory\n", stderr);
        free(buf);
        return 1;
    }
    if (len > 0)
        memcpy(copy, buf, len);
    free(buf);
    (void)LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

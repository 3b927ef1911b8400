/*
 * bench_splitter - a minimal line splitter with no oracle: the least a
 * line-based SMTP target does per input (find every LF, note whether a CR
 * precedes it). scripts/bench.sh holds fuzz_line and fuzz_session to a
 * share of its exec/s under the same engine, flags and corpus.
 *
 * The octet count is checked against the input size so the compiler
 * cannot drop the scan; the check never fails on a correct build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - split into lines with memchr; count lines and CR LF endings */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    size_t lines = 0, crlf = 0, octets = 0;

    while (p < end) {
        const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));
        if (lf == NULL)
            break; /* an unterminated tail: not a line */
        lines++;
        crlf += lf > p && lf[-1] == '\r';
        octets += (size_t)(lf + 1 - p);
        p = lf + 1;
    }
    if (octets + (size_t)(end - p) != size || crlf > lines)
        abort(); /* cannot happen: keeps the scan alive */
    return 0;
}

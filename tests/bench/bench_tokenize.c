/*
 * bench_tokenize - the code fuzz_line tests, run alone: the command-line
 * tokenizer over the input once, every line finished, nothing checked.
 *
 * A floor, not a target: fuzz_line runs this three times per input (whole,
 * split, scalar) and judges every line with the oracle, so its exec/s can
 * never pass this one's under the same engine and flags. scripts/bench.sh
 * prints it beside the minimal splitter to show how far below the splitter
 * the tokenizer alone already is.
 *
 * The lines' octets and the held tail are checked against the input size
 * so the compiler cannot drop the work; the check never fails on a
 * correct tokenizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "smtp_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - feed the input whole, once; the lines' octets must add up */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct smtp_line lp;
    struct smtp_cmd cmd;
    size_t off = 0;
    uint64_t octets = 0;

    smtp_line_reset(&lp);
    while (off < size) {
        size_t used = 0;
        if (smtp_line_feed(&lp, in + off, size - off, &used, &cmd) != SMTP_LINE_READY) {
            off += used;
            break; /* an unterminated tail, held */
        }
        octets += cmd.octets;
        off += used;
    }
    if (off != size || octets > size || smtp_line_pending(&lp) != (octets < size))
        abort(); /* cannot happen: keeps the scan alive */
    return 0;
}

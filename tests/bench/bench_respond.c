/*
 * bench_respond - the code fuzz_session tests, run alone: one session of
 * the in-process target (the reference responder) over the input, fed
 * whole, the replies counted and dropped, nothing checked.
 *
 * A floor, not a target: fuzz_session runs two such sessions per input
 * (whole and split), keeps every reply octet and judges them with the
 * oracle, so its exec/s can never pass this one's under the same engine
 * and flags. scripts/bench.sh prints it beside the minimal splitter.
 *
 * A session that could not open (out of memory) aborts, as in
 * fuzz_session: a harness failure must not pass for a clean run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* count_sink - the smtp_reply_sink: add up the reply octets, keep none */
static void count_sink(void *ctx, const char *bytes, size_t len)
{
    (void)bytes;
    *(size_t *)ctx += len;
}

/* LLVMFuzzerTestOneInput - one whole-feed session; a session with no greeting aborts */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct smtp_target *t = smtpfuzz_target;
    size_t replied = 0;
    void *session = t->open(count_sink, &replied);

    if (session == NULL)
        abort();
    (void)t->feed(session, (const char *)data, size);
    t->close(session);
    if (replied == 0)
        abort(); /* cannot happen: every session greets; keeps the work alive */
    return 0;
}

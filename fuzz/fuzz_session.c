/*
 * fuzz_session - a whole SMTP session through an in-process target
 * (smtpfuzz_target, fuzz_target.h; the reference responder by default),
 * judged by the oracle (docs/contract.md section 6).
 *
 * Input: the raw client byte stream, exactly what a client would send (so
 * a saved input replays with `smtpfuzz replay FILE`), at most
 * FUZZ_SESSION_INPUT_MAX octets; larger inputs are skipped (64 KiB holds
 * any interesting pipeline, several over-long lines and a message or two,
 * and keeps an iteration around a millisecond).
 *
 * Each iteration:
 *   1. opens a session, feeds the input in one call (stopping if the
 *      target says CLOSED), closes it, collecting every reply octet;
 *   2. the reply octets may not pass FUZZ_SESSION_REPLY_PER_LINE per
 *      client line (greeting included): a flood is r6-memory;
 *   3. oracle_check() on (input, replies): rules 1, 2, 3 and 5;
 *   4. opens a second session and feeds the same input in the split
 *      fuzz_split.h picks (each chunk copied to the end of a stack buffer so
 *      ASan sees over-reads): the replies must be byte-identical (rule 4).
 * A violation prints the rule, the line and the reply (oracle_report) and
 * aborts; nothing is printed otherwise, unless SMTPFUZZ_TRANSCRIPT is set in
 * the environment: then the annotated transcript goes to stderr first. Rule 6 is the engine's:
 * crashes, sanitizer reports, timeouts, leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fuzz_split.h"
#include "fuzz_target.h"
#include "oracle.h"

#define FUZZ_SESSION_INPUT_MAX 65536
#define FUZZ_SESSION_REPLY_PER_LINE 4096 /* reply octets allowed per client line */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the reply octets go: a growable buffer with a hard limit. */
struct sink {
    char *buf;
    size_t len, cap;
    size_t limit;
    int flooded; /* the target tried to write past limit */
};

/* sink_write - the smtp_reply_sink: append, growing by doubling up to the limit */
static void sink_write(void *ctx, const char *bytes, size_t len)
{
    struct sink *s = ctx;

    if (s->flooded || len == 0)
        return;
    if (len > s->limit - s->len) {
        s->flooded = 1;
        return;
    }
    if (len > s->cap - s->len) {
        size_t want = s->cap > 0 ? s->cap : 4096;
        char *grown;
        while (want - s->len < len)
            want = want <= s->limit / 2 ? want * 2 : s->limit;
        grown = realloc(s->buf, want);
        if (grown == NULL) {
            fputs("fuzz_session: out of memory for replies\n", stderr);
            abort(); /* a harness failure must not pass for a clean run */
        }
        s->buf = grown;
        s->cap = want;
    }
    memcpy(s->buf + s->len, bytes, len);
    s->len += len;
}

/*
 * run_session - one session over the input, whole (split == NULL) or in
 * the given split; returns 0, or -1 when the target could not open one
 */
static int run_session(const char *in, size_t size, struct fuzz_split *split, char *chunk_buf,
                       struct sink *out)
{
    const struct smtp_target *t = smtpfuzz_target;
    void *session = t->open(sink_write, out);
    size_t off = 0;

    if (session == NULL)
        return -1;
    if (split == NULL) {
        (void)t->feed(session, in, size);
    } else {
        do {
            size_t n = fuzz_split_next(split, size - off);
            char *chunk = chunk_buf + FUZZ_SPLIT_CHUNK_MAX - n;
            if (n > 0)
                memcpy(chunk, in + off, n);
            off += n;
            if (t->feed(session, chunk, n) == SMTP_TARGET_CLOSED)
                break; /* further input is ignored, as on a closed connection */
        } while (off < size);
    }
    t->close(session);
    return 0;
}

/* split_fail - report the first octet where the split run's replies differ, and abort */
static _Noreturn void split_fail(const char *in, size_t size, const struct sink *whole,
                                 const struct sink *split)
{
    struct oracle_verdict v;
    const struct sink *at;
    size_t d = 0, n = whole->len < split->len ? whole->len : split->len, start, end;
    char a[80], b[80];

    while (d < n && whole->buf[d] == split->buf[d])
        d++;
    /* Show the reply line holding the difference, from whichever run has one there. */
    at = d < whole->len ? whole : split;
    start = d;
    while (start > 0 && at->buf[start - 1] != '\n')
        start--;
    end = d;
    while (end < at->len && at->buf[end++] != '\n')
        continue;
    memset(&v, 0, sizeof v);
    v.rule = ORACLE_SPLIT_CHANGED;
    v.reply_off = start;
    v.reply_len = end - start;
    if (d < whole->len)
        (void)oracle_line_for_reply(in, size, whole->buf, whole->len, d, &v.line_off, &v.line_len);
    escape_format(a, sizeof a, whole->buf + d, whole->len - d, 32);
    escape_format(b, sizeof b, split->buf + d, split->len - d, 32);
    snprintf(v.detail, sizeof v.detail,
             "replies differ from octet %zu: whole feed \"%s\", split feed \"%s\" (%s run shown)",
             d, a, b, at == whole ? "whole" : "split");
    oracle_fail(&v, in, at->buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct sink whole, split;
    struct oracle_verdict v;
    struct fuzz_split sp;
    char chunk_buf[FUZZ_SPLIT_CHUNK_MAX];
    size_t lines = 0, i;

    if (size > FUZZ_SESSION_INPUT_MAX)
        return 0;
    for (i = 0; i < size; i++)
        lines += in[i] == '\n';
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    whole.limit = split.limit = FUZZ_SESSION_REPLY_PER_LINE * (lines + 2);

    if (run_session(in, size, NULL, chunk_buf, &whole) != 0)
        goto done;
    if (whole.flooded) {
        memset(&v, 0, sizeof v);
        v.rule = ORACLE_MEMORY;
        snprintf(v.detail, sizeof v.detail,
                 "the replies passed %zu octets (%d per client line, greeting included)",
                 whole.limit, FUZZ_SESSION_REPLY_PER_LINE);
        oracle_fail(&v, in, whole.buf);
    }
    /* scripts/reproduce.sh asks for the annotated transcript; printed before any abort. */
    if (getenv("SMTPFUZZ_TRANSCRIPT") != NULL)
        oracle_transcript(stderr, in, size, whole.buf, whole.len);
    if (oracle_check(in, size, whole.buf, whole.len, &v) != ORACLE_OK)
        oracle_fail(&v, in, whole.buf);

    fuzz_split_init(&sp, data, size);
    if (run_session(in, size, &sp, chunk_buf, &split) != 0)
        goto done;
    if (split.flooded || split.len != whole.len ||
        (whole.len > 0 && memcmp(split.buf, whole.buf, whole.len) != 0))
        split_fail(in, size, &whole, &split);
done:
    free(whole.buf);
    free(split.buf);
    return 0;
}

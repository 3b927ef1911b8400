/*
 * transcript_run - replay a client byte stream through the reference
 * responder (smtp_session_target) and print or check its replies.
 *
 *   transcript_run IN        write the reply bytes to standard output
 *   transcript_run IN REF    exit 0 only when the reply bytes equal REF
 *
 * Either way IN is fed three ways (whole, byte by byte, random chunks with
 * a few seeds) and the run fails when the outputs differ (docs/contract.md section 5)
 * or when the reply parser finds a malformed or unfinished reply
 * (docs/contract.md section 4). Differences are shown escaped, so no raw control byte of a
 * transcript reaches the terminal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed_split.h"
#include "smtp_reply_parse.h"
#include "smtp_session.h"
#include "smtp_target.h"

#define RUN_SEEDS 3 /* random splits per input */

/* A growable byte buffer: the replies of one run. */
struct bytes {
    char *ptr;
    size_t len;
    size_t cap;
};

/* One run: the target's session and what it wrote. */
struct run {
    void *session;
    int closed;
    struct bytes out;
};

/* die - report and exit with status 2 (a problem of the runner, not of the target) */
static void die(const char *what, const char *arg)
{
    fprintf(stderr, "transcript_run: %s%s%s\n", what, arg != NULL ? ": " : "",
            arg != NULL ? arg : "");
    exit(2);
}

/* bytes_add - append, growing as needed; out of memory is fatal */
static void bytes_add(struct bytes *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        char *grown;
        while (n > cap - b->len) {
            if (cap > SIZE_MAX / 2)
                die("output too large", NULL);
            cap *= 2;
        }
        grown = realloc(b->ptr, cap);
        if (grown == NULL)
            die("out of memory", NULL);
        b->ptr = grown;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
}

/* read_file - the whole file, or exit */
static struct bytes read_file(const char *path)
{
    struct bytes b = {NULL, 0, 0};
    char chunk[65536];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        die("cannot open", path);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        bytes_add(&b, chunk, n);
    if (ferror(f))
        die("cannot read", path);
    fclose(f);
    bytes_add(&b, "", 0);
    return b;
}

/* run_sink - the target's reply sink */
static void run_sink(void *ctx, const char *bytes, size_t len)
{
    struct run *r = ctx;
    bytes_add(&r->out, bytes, len);
}

/* run_feed - feed_split callback; after CLOSED the target must ignore what follows */
static void run_feed(void *ctx, const char *ptr, size_t len)
{
    struct run *r = ctx;
    if (smtp_session_target.feed(r->session, ptr, len) == SMTP_TARGET_CLOSED)
        r->closed = 1;
    else if (r->closed)
        die("target reopened after CLOSED", NULL);
}

/* run_once - one full session over in, split as mode/seed say */
static struct bytes run_once(const struct bytes *in, enum feed_mode mode, uint64_t seed)
{
    struct run r;

    memset(&r, 0, sizeof(r));
    r.session = smtp_session_target.open(run_sink, &r);
    if (r.session == NULL)
        die("target open failed", NULL);
    feed_split(in->ptr, in->len, mode, seed, run_feed, &r);
    smtp_session_target.close(r.session);
    return r.out;
}

/* print_escaped - bytes as C-like escapes, one output line per reply line */
static void print_escaped(FILE *f, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r')
            fputs("\\r", f);
        else if (c == '\n')
            fputs("\\n\n", f);
        else if (c == '\\')
            fputs("\\\\", f);
        else if (c >= 0x20 && c <= 0x7E)
            fputc(c, f);
        else
            fprintf(f, "\\x%02X", c);
    }
    if (n > 0 && p[n - 1] != '\n')
        fputc('\n', f);
}

/* check_replies - every reply well formed and finished; returns the reply count or -1 */
static long check_replies(const struct bytes *out)
{
    struct smtp_rp rp;
    struct smtp_rp_line line;
    struct smtp_rp_reply reply;
    size_t off = 0;
    long count = 0;

    memset(&rp, 0, sizeof(rp));
    while (off < out->len) {
        size_t used = 0;
        enum smtp_rp_result r =
            smtp_rp_feed(&rp, out->ptr + off, out->len - off, &used, &line, &reply);
        off += used;
        if (r == SMTP_RP_REPLY) {
            if (reply.status != SMTP_RP_OK) {
                fprintf(stderr, "transcript_run: reply %ld malformed: %s\n", count + 1,
                        smtp_rp_status_name(reply.status));
                return -1;
            }
            count++;
        }
    }
    if (smtp_rp_finish(&rp, &reply)) {
        fprintf(stderr, "transcript_run: output ends inside a reply\n");
        return -1;
    }
    return count;
}

/* same - two outputs are byte-identical; explain when not */
static int same(const struct bytes *a, const struct bytes *b, const char *what)
{
    size_t i = 0;

    if (a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0)
        return 1;
    while (i < a->len && i < b->len && a->ptr[i] == b->ptr[i])
        i++;
    fprintf(stderr, "transcript_run: %s: first difference at octet %zu\n--- got:\n", what, i);
    print_escaped(stderr, a->ptr, a->len);
    fprintf(stderr, "--- want:\n");
    print_escaped(stderr, b->ptr, b->len);
    return 0;
}

int main(int argc, char **argv)
{
    struct bytes in, whole;
    int ok = 1;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: transcript_run IN [REF]\n");
        return 2;
    }
    in = read_file(argv[1]);
    whole = run_once(&in, FEED_WHOLE, 0);
    {
        struct bytes bytes = run_once(&in, FEED_BYTES, 0);
        ok &= same(&bytes, &whole, "byte-by-byte feed differs from whole feed");
        free(bytes.ptr);
    }
    for (uint64_t seed = 1; seed <= RUN_SEEDS && ok; seed++) {
        struct bytes chunks = run_once(&in, FEED_RANDOM, seed);
        ok &= same(&chunks, &whole, "random-chunk feed differs from whole feed");
        free(chunks.ptr);
    }
    if (ok && check_replies(&whole) < 0)
        ok = 0;
    if (ok && argc == 3) {
        struct bytes ref = read_file(argv[2]);
        ok &= same(&whole, &ref, "replies differ from the reference transcript");
        free(ref.ptr);
    }
    if (ok && argc == 2 && whole.len > 0 && fwrite(whole.ptr, 1, whole.len, stdout) != whole.len)
        die("cannot write", "standard output");
    free(whole.ptr);
    free(in.ptr);
    return ok ? 0 : 1;
}

/*
 * fuzz_reply_parse - the reply parser (src/smtp_reply_parse.h) on
 * arbitrary server output: split invariance, and format(parse(x)) == x
 * for every reply it accepts.
 *
 * Input: raw server bytes, at most FUZZ_REPLY_PARSE_INPUT_MAX octets. They
 * are parsed twice, whole and in the input-chosen split of fuzz_split.h
 * (each chunk copied to the end of a stack buffer so ASan sees over-reads);
 * both runs must report the same lines (status, code, last, text,
 * octets) and replies (status, code, lines, enhanced code, octets), and
 * the same thing at the end (smtp_rp_finish).
 *
 * Round trip (the contract in smtp_reply.h): every reply accepted with
 * status OK is formatted again from its code, its lifted enhanced code (or
 * none) and its line texts (lifted code and one SP removed, joined with
 * '\n' in one SMTP_TEXT_OURS segment); the result must be status OK and
 * the very same octets.
 *
 * A mismatch prints what differed and the reply (escaped), then aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fuzz_split.h"
#include "smtp_reply.h"
#include "smtp_reply_parse.h"

#define FUZZ_REPLY_PARSE_INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void parse_fail(const char *what, const char *bytes, size_t off, size_t len,
                                 const char *got, size_t got_len)
{
    fprintf(stderr, "fuzz_reply_parse: %s\n  reply @%zu (%zu octets): \"", what, off, len);
    escape_print(stderr, bytes, len, 400);
    fputs("\"\n", stderr);
    if (got != NULL) {
        fprintf(stderr, "  formatted again (%zu octets): \"", got_len);
        escape_print(stderr, got, got_len, 400);
        fputs("\"\n", stderr);
    }
    abort();
}

static int same_line(const struct smtp_rp_line *a, const struct smtp_rp_line *b)
{
    return a->status == b->status && a->code == b->code && a->last == b->last &&
           a->octets == b->octets && a->text_len == b->text_len &&
           (a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0);
}

static int same_reply(const struct smtp_rp_reply *a, const struct smtp_rp_reply *b)
{
    return a->status == b->status && a->code == b->code && a->nlines == b->nlines &&
           a->octets == b->octets && strcmp(a->enh, b->enh) == 0;
}

/* Rebuilding one reply's text for the round trip. */
struct rebuild {
    char *text; /* joined line texts, sized by the caller */
    size_t len;
    size_t start; /* input offset of the reply's first line */
};

/* rebuild_line - append one OK line's text, without the lifted enhanced code (known later) */
static void rebuild_line(struct rebuild *rb, const struct smtp_rp_line *line)
{
    memcpy(rb->text + rb->len, line->text, line->text_len);
    rb->len += line->text_len;
    rb->text[rb->len++] = '\n';
}

/* round_trip - format the reply again and compare with its octets in[start..end) */
static void round_trip(struct rebuild *rb, const struct smtp_rp_reply *reply, const char *in,
                       size_t end, char *out, size_t cap)
{
    size_t enh_len = strlen(reply->enh), r = 0, w = 0, out_len = 0;
    struct smtp_text seg;
    struct smtp_reply_spec spec;
    enum smtp_reply_status st;

    /* Strip the lifted code and one SP from every line (text was joined with '\n'). */
    if (enh_len > 0) {
        while (r < rb->len) {
            r += enh_len; /* every line begins with it: that is what lifting means */
            if (rb->text[r] == ' ')
                r++;
            while (rb->text[r] != '\n')
                rb->text[w++] = rb->text[r++];
            rb->text[w++] = rb->text[r++];
        }
        rb->len = w;
    }
    seg.ptr = rb->text;
    seg.len = rb->len - 1; /* the last '\n' only ended the last line */
    seg.origin = SMTP_TEXT_OURS;
    spec.code = reply->code;
    spec.enh = enh_len > 0 ? reply->enh : NULL;
    spec.text = &seg;
    spec.ntext = 1;
    st = smtp_reply_format(&spec, out, cap, &out_len);
    if (st != SMTP_REPLY_OK)
        parse_fail(smtp_reply_status_name(st), in + rb->start, rb->start, end - rb->start, out,
                   st == SMTP_REPLY_TRUNCATED ? out_len : 0);
    if (out_len != end - rb->start || memcmp(out, in + rb->start, out_len) != 0)
        parse_fail("formatting the parsed reply again gave other octets", in + rb->start, rb->start,
                   end - rb->start, out, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct smtp_rp whole, split;
    struct smtp_rp_line la, lb;
    struct smtp_rp_reply ra, rb_reply;
    struct fuzz_split sp;
    struct rebuild rb;
    char chunk_buf[FUZZ_SPLIT_CHUNK_MAX], *out;
    size_t a_off = 0, b_off = 0, cap = size + 16;
    int ok_so_far = 1; /* every line of the reply in progress was OK */
    int fa, fb;

    if (size > FUZZ_REPLY_PARSE_INPUT_MAX)
        return 0;
    rb.text = malloc(size + 1);
    out = malloc(cap);
    if (rb.text == NULL || out == NULL)
        goto done; /* out of memory is the harness's problem, not a finding */
    rb.len = 0;
    rb.start = 0;
    memset(&la, 0, sizeof la);
    memset(&lb, 0, sizeof lb);
    smtp_rp_reset(&whole);
    smtp_rp_reset(&split);
    fuzz_split_init(&sp, data, size);

    do {
        size_t n = fuzz_split_next(&sp, size - b_off), c_used = 0;
        char *chunk = chunk_buf + FUZZ_SPLIT_CHUNK_MAX - n;

        if (n > 0)
            memcpy(chunk, in + b_off, n);
        do {
            size_t used = 0, a_used = 0, line_off = a_off;
            enum smtp_rp_result res_b, res_a;

            res_b = smtp_rp_feed(&split, chunk + c_used, n - c_used, &used, &lb, &rb_reply);
            if (res_b == SMTP_RP_NEED_MORE) {
                if (used != n - c_used)
                    parse_fail("NEED_MORE without consuming the chunk", in + b_off, b_off, n, NULL,
                               0);
                break;
            }
            c_used += used;
            res_a = smtp_rp_feed(&whole, in + a_off, size - a_off, &a_used, &la, &ra);
            a_off += a_used;
            if (res_a != res_b || a_off != b_off + c_used || !same_line(&la, &lb) ||
                (res_a == SMTP_RP_REPLY && !same_reply(&ra, &rb_reply)))
                parse_fail("r4-split-changed: whole and split parses differ", in + line_off,
                           line_off, a_off - line_off, NULL, 0);
            if (la.status == SMTP_RP_OK)
                rebuild_line(&rb, &la);
            else
                ok_so_far = 0;
            if (res_a == SMTP_RP_REPLY) {
                if (ok_so_far && ra.status == SMTP_RP_OK)
                    round_trip(&rb, &ra, in, a_off, out, cap);
                rb.len = 0;
                rb.start = a_off;
                ok_so_far = 1;
            }
        } while (c_used < n);
        b_off += n;
    } while (b_off < size);

    if (a_off < size) {
        size_t used = 0;
        if (smtp_rp_feed(&whole, in + a_off, size - a_off, &used, &la, &ra) != SMTP_RP_NEED_MORE)
            parse_fail("r4-split-changed: the whole run found a line the split run did not",
                       in + a_off, a_off, size - a_off, NULL, 0);
    }
    fa = smtp_rp_finish(&whole, &ra);
    fb = smtp_rp_finish(&split, &rb_reply);
    if (fa != fb || (fa && !same_reply(&ra, &rb_reply)))
        parse_fail("r4-split-changed: the end of the stream differs", in + rb.start, rb.start,
                   size - rb.start, NULL, 0);
done:
    free(rb.text);
    free(out);
    return 0;
}

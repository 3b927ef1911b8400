/*
 * fuzz_reply - the reply generator (src/smtp_reply.h) against a plain
 * model of its contract and against the reply parser.
 *
 * Input (at most FUZZ_REPLY_INPUT_MAX octets; missing bytes read as 0):
 *
 *   byte 0-1  code: if byte 0 has its top bit set, ((b0 & 0x7f) << 8 | b1)
 *             % 1000 (anything, mostly invalid); else 200 + (b0 << 8 | b1)
 *             % 360 (200..559, middle digit 6..9 now and then)
 *   byte 2    bits 0-1: enhanced code: 0 none (NULL), 1 "c.s.d" with the
 *             code's class and the next two bytes (% 1000) as subject and
 *             detail, 2 raw: next byte % 16 octets (a NUL ends it), 3 ""
 *             bits 2-4: capacity: 0 SMTP_REPLY_MAX, 1 SMTP_REPLY_LINE_MAX,
 *             2 next byte (0..255), 3 next two bytes (0..65535),
 *             4 4 * SMTP_REPLY_MAX, 5-7 SMTP_REPLY_MAX
 *   then      up to 16 segments: a header byte (top bit: SMTP_TEXT_CLIENT,
 *             else OURS; low 7 bits the length, 127 meaning "the next two
 *             bytes are the length"), then that many octets of text
 *
 * The model follows the header's contract literally: sanitise (OURS: '\n'
 * breaks the line, HT kept, other bytes outside 0x20..0x7E become '?';
 * CLIENT: only 0x20..0x7E kept), hard-wrap every N octets (N = 506, less
 * the enhanced code and its SP), write "code-"/"code SP" lines with the
 * enhanced code on each, cut after the last whole line that fits. The
 * generator must give the model's status, length and bytes exactly; a
 * refused spec must leave the buffer untouched. Independently, the output
 * must parse back (smtp_rp_feed) as exactly one reply, status OK, same
 * code, the expected number of lines, none over 512 octets.
 *
 * A mismatch prints the spec and both outputs (escaped) and aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "smtp_reply.h"
#include "smtp_reply_parse.h"

#define FUZZ_REPLY_INPUT_MAX 65536
#define FUZZ_REPLY_SEGMENTS 16
#define MODEL_ENH_LONGEST 9 /* "5.999.999" */
#define MODEL_WIDTH 506     /* text octets of a line without an enhanced code */
#define FILL 0xA5           /* what an untouched output buffer holds */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct reader {
    const uint8_t *p;
    size_t n, off;
};

static unsigned take(struct reader *r)
{
    return r->off < r->n ? r->p[r->off++] : 0;
}

/* The decoded spec plus everything the model and the report need. */
struct fuzz_spec {
    struct smtp_reply_spec spec;
    struct smtp_text seg[FUZZ_REPLY_SEGMENTS];
    char enh[20];
    const char *enh_ptr;
    size_t cap;
};

static void decode(const uint8_t *data, size_t size, struct fuzz_spec *fs)
{
    struct reader r = {data, size, 0};
    unsigned b0 = take(&r), b1 = take(&r), flags = take(&r);
    size_t i, n;

    memset(fs, 0, sizeof *fs);
    fs->spec.code = (b0 & 0x80) ? ((b0 & 0x7f) << 8 | b1) % 1000 : 200 + ((b0 << 8 | b1) % 360);
    switch (flags & 3) {
    case 1: {
        unsigned cls = fs->spec.code / 100, s = take(&r), d = take(&r);
        snprintf(fs->enh, sizeof fs->enh, "%u.%u.%u", cls >= 2 && cls <= 5 ? cls : 2, s % 1000,
                 d % 1000);
        fs->enh_ptr = fs->enh;
        break;
    }
    case 2:
        n = take(&r) % 16;
        for (i = 0; i < n; i++)
            fs->enh[i] = (char)take(&r);
        fs->enh[n] = '\0';
        fs->enh_ptr = fs->enh;
        break;
    case 3:
        fs->enh_ptr = ""; /* the same as none */
        break;
    default:
        fs->enh_ptr = NULL;
        break;
    }
    switch ((flags >> 2) & 7) {
    case 1:
        fs->cap = SMTP_REPLY_LINE_MAX;
        break;
    case 2:
        fs->cap = take(&r);
        break;
    case 3:
        fs->cap = take(&r) << 8;
        fs->cap |= take(&r);
        break;
    case 4:
        fs->cap = 4 * SMTP_REPLY_MAX;
        break;
    default:
        fs->cap = SMTP_REPLY_MAX;
        break;
    }
    while (r.off < r.n && fs->spec.ntext < FUZZ_REPLY_SEGMENTS) {
        struct smtp_text *t = &fs->seg[fs->spec.ntext++];
        unsigned h = take(&r);
        size_t len = h & 0x7f;
        if (len == 0x7f) {
            len = take(&r) << 8;
            len |= take(&r);
        }
        if (len > r.n - r.off)
            len = r.n - r.off;
        t->origin = (h & 0x80) ? SMTP_TEXT_CLIENT : SMTP_TEXT_OURS;
        t->ptr = (const char *)data + r.off;
        t->len = len;
        r.off += len;
    }
    fs->spec.enh = fs->enh_ptr;
    fs->spec.text = fs->spec.ntext > 0 ? fs->seg : NULL;
}

/* ------------------------------------------------------------------ */
/* The model                                                            */

static int m_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* m_digits - 1..3 digits at s[*i..n), advancing *i; 0 when not */
static int m_digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;

    while (*i < n && m_digit(s[*i]) && *i - start < 4)
        (*i)++;
    return *i - start >= 1 && *i - start <= 3;
}

/* m_enh_valid - RFC 3463: class "." 1*3digit "." 1*3digit, class 2, 4 or 5 */
static int m_enh_valid(const char *s, size_t n)
{
    size_t i = 2;

    if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return 0;
    if (!m_digits(s, n, &i) || i >= n || s[i] != '.')
        return 0;
    i++;
    return m_digits(s, n, &i) && i == n;
}

/* m_enh_prefix - what a reader lifts as an enhanced code from a line's text (RFC 2034) */
static size_t m_enh_prefix(const char *t, size_t n)
{
    size_t q = 0;

    while (q < n && t[q] != ' ' && q <= MODEL_ENH_LONGEST)
        q++;
    if (q > MODEL_ENH_LONGEST || !m_enh_valid(t, q))
        return 0;
    return q == n || q + 1 < n ? q : 0;
}

/* A wire line of the model: a slice of the sanitised text. */
struct m_line {
    size_t off, len;
};

/*
 * model - expected status, length and bytes (into exp[0..fs->cap]); text
 * is scratch for the sanitised text, lines for the wire lines (both sized
 * by the caller: total text octets + 1 each)
 */
static enum smtp_reply_status model(const struct fuzz_spec *fs, char *text, struct m_line *lines,
                                    char *exp, size_t *exp_len, size_t *nlines_out)
{
    unsigned code = fs->spec.code;
    const char *enh = fs->enh_ptr != NULL && fs->enh_ptr[0] != '\0' ? fs->enh_ptr : NULL;
    size_t enh_len = enh != NULL ? strlen(enh) : 0;
    size_t width = MODEL_WIDTH - (enh != NULL ? enh_len + 1 : 0);
    size_t tlen = 0, nlines = 0, line_start = 0, i, k, total, fit, o;

    *exp_len = 0;
    *nlines_out = 0;
    if (!(code >= 200 && code <= 559 && (code / 10) % 10 <= 5))
        return SMTP_REPLY_BAD_CODE;
    if (enh != NULL && (!m_enh_valid(enh, enh_len) || enh[0] != (char)('0' + code / 100)))
        return SMTP_REPLY_BAD_ENH;

    /* Sanitise into one buffer, cutting logical lines at OURS '\n', wrapping at width. */
    for (k = 0; k < fs->spec.ntext; k++) {
        const struct smtp_text *t = &fs->seg[k];
        for (i = 0; i < t->len; i++) {
            unsigned char c = (unsigned char)t->ptr[i];
            if (t->origin == SMTP_TEXT_OURS && c == '\n') {
                lines[nlines].off = line_start;
                lines[nlines++].len = tlen - line_start;
                line_start = tlen;
                continue;
            }
            if (tlen - line_start == width) { /* hard wrap: this octet starts a new line */
                lines[nlines].off = line_start;
                lines[nlines++].len = width;
                line_start = tlen;
            }
            if (c >= 0x20 && c <= 0x7e)
                text[tlen++] = (char)c;
            else if (c == '\t' && t->origin == SMTP_TEXT_OURS)
                text[tlen++] = '\t';
            else
                text[tlen++] = '?';
        }
    }
    lines[nlines].off = line_start;
    lines[nlines++].len = tlen - line_start;

    /* How many lines fit, the last written as "code SP" (never longer than "code-"). */
    fit = 0;
    total = 0;
    for (k = 0; k < nlines; k++) {
        size_t body = enh != NULL ? 1 + enh_len + (lines[k].len > 0 ? 1 + lines[k].len : 0)
                                  : (lines[k].len > 0 ? 1 + lines[k].len : 1);
        size_t last_body = enh == NULL && lines[k].len == 0 ? 0 : body;
        if (total + 3 + last_body + 2 > fs->cap)
            break;
        fit = k + 1;
        total += 3 + body + 2;
    }
    if (fit == 0)
        return SMTP_REPLY_NO_ROOM;
    if (enh == NULL) {
        /* Refused when every written line would begin with one enhanced code of another class. */
        size_t p0 = m_enh_prefix(text + lines[0].off, lines[0].len);
        int same = p0 > 0 && text[lines[0].off] != (char)('0' + code / 100);
        for (k = 1; same && k < fit; k++) {
            size_t p = m_enh_prefix(text + lines[k].off, lines[k].len);
            same = p == p0 && memcmp(text + lines[k].off, text + lines[0].off, p0) == 0;
        }
        if (same)
            return SMTP_REPLY_BAD_ENH;
    }
    o = 0;
    for (k = 0; k < fit; k++) {
        int last = k + 1 == fit;
        exp[o++] = (char)('0' + code / 100); /* 200..559 by now: three digits */
        exp[o++] = (char)('0' + code / 10 % 10);
        exp[o++] = (char)('0' + code % 10);
        if (enh != NULL || lines[k].len > 0 || !last)
            exp[o++] = last ? ' ' : '-';
        if (enh != NULL) {
            memcpy(exp + o, enh, enh_len);
            o += enh_len;
            if (lines[k].len > 0)
                exp[o++] = ' ';
        }
        memcpy(exp + o, text + lines[k].off, lines[k].len);
        o += lines[k].len;
        exp[o++] = '\r';
        exp[o++] = '\n';
    }
    *exp_len = o;
    *nlines_out = fit;
    return fit < nlines ? SMTP_REPLY_TRUNCATED : SMTP_REPLY_OK;
}

/* ------------------------------------------------------------------ */

static _Noreturn void reply_fail(const char *what, const struct fuzz_spec *fs,
                                 enum smtp_reply_status got, const char *out, size_t out_len,
                                 enum smtp_reply_status want, const char *exp, size_t exp_len)
{
    size_t k;

    fprintf(stderr, "fuzz_reply: r2-bad-reply: %s\n  spec: code %u, enh ", what, fs->spec.code);
    if (fs->enh_ptr == NULL)
        fputs("NULL", stderr);
    else
        fputc('"', stderr), escape_print(stderr, fs->enh_ptr, strlen(fs->enh_ptr), 40),
            fputc('"', stderr);
    fprintf(stderr, ", cap %zu, %zu segments\n", fs->cap, fs->spec.ntext);
    for (k = 0; k < fs->spec.ntext; k++) {
        fprintf(stderr, "    %s \"", fs->seg[k].origin == SMTP_TEXT_CLIENT ? "client" : "ours  ");
        escape_print(stderr, fs->seg[k].ptr, fs->seg[k].len, 160);
        fputs("\"\n", stderr);
    }
    fprintf(stderr, "  generator: %s, %zu octets: \"", smtp_reply_status_name(got), out_len);
    escape_print(stderr, out, out_len, 400);
    fprintf(stderr, "\"\n  model:     %s, %zu octets: \"", smtp_reply_status_name(want), exp_len);
    escape_print(stderr, exp, exp_len, 400);
    fputs("\"\n", stderr);
    abort();
}

/* all_fill - every one of the n octets at p is FILL (true for n == 0) */
static int all_fill(const char *p, size_t n)
{
    /*
     * Each octet equal to the next one means all equal the first: one
     * library compare (vectorised) instead of a loop over up to 64 KiB,
     * run for every refused spec, which random codes mostly are.
     */
    return n == 0 || ((unsigned char)p[0] == FILL && memcmp(p, p + 1, n - 1) == 0);
}

/* parse_back - the output is one well-formed reply of nlines lines with this code */
static const char *parse_back(const char *out, size_t len, unsigned code, size_t nlines)
{
    struct smtp_rp rp;
    struct smtp_rp_line line;
    struct smtp_rp_reply reply;
    size_t off = 0, used;

    smtp_rp_reset(&rp);
    while (off < len) {
        enum smtp_rp_result res = smtp_rp_feed(&rp, out + off, len - off, &used, &line, &reply);
        off += used;
        if (res == SMTP_RP_NEED_MORE)
            return "output does not end with CR LF";
        if (line.status != SMTP_RP_OK || line.octets > SMTP_REPLY_LINE_MAX)
            return smtp_rp_status_name(line.status);
        if (res == SMTP_RP_REPLY) {
            if (off != len)
                return "more than one reply";
            if (reply.status != SMTP_RP_OK)
                return smtp_rp_status_name(reply.status);
            if (reply.code != code)
                return "the parser reads another code";
            if (reply.nlines != nlines)
                return "the parser counts another number of lines";
            return NULL;
        }
    }
    return "no complete reply";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_spec fs;
    enum smtp_reply_status got, want;
    char *out, *exp, *text;
    struct m_line *lines;
    size_t out_len = 12345, exp_len = 0, nlines = 0;
    const char *bad;

    if (size > FUZZ_REPLY_INPUT_MAX)
        return 0;
    decode(data, size, &fs);
    out = malloc(fs.cap > 0 ? fs.cap : 1); /* exactly cap octets: ASan sees any overflow */
    exp = malloc(fs.cap + 1);
    text = malloc(size + 1);
    lines = malloc((size + 1) * sizeof *lines);
    if (out == NULL || exp == NULL || text == NULL || lines == NULL)
        goto done; /* out of memory is the harness's problem, not a finding */

    want = model(&fs, text, lines, exp, &exp_len, &nlines);
    /*
     * FILL never appears in a reply, so it shows every octet the generator
     * should have written and did not. Only a refusal is checked past the
     * expected length, so only then is the whole buffer filled.
     */
    memset(out, FILL, want == SMTP_REPLY_OK || want == SMTP_REPLY_TRUNCATED ? exp_len : fs.cap);
    got = smtp_reply_format(&fs.spec, out, fs.cap, &out_len);
    if (got != want)
        reply_fail("status differs from the contract", &fs, got, out,
                   got <= SMTP_REPLY_TRUNCATED ? out_len : 0, want, exp, exp_len);
    if (got != SMTP_REPLY_OK && got != SMTP_REPLY_TRUNCATED) {
        if (!all_fill(out, fs.cap))
            reply_fail("a refused reply wrote to the buffer", &fs, got, out, fs.cap, want, exp, 0);
        if (out_len != 0)
            reply_fail("a refused reply has a length", &fs, got, out, 0, want, exp, 0);
        goto done;
    }
    if (out_len > fs.cap)
        reply_fail("length beyond the capacity", &fs, got, out, fs.cap, want, exp, exp_len);
    if (out_len != exp_len || memcmp(out, exp, exp_len) != 0)
        reply_fail("bytes differ from the contract", &fs, got, out, out_len, want, exp, exp_len);
    bad = parse_back(out, out_len, fs.spec.code, nlines);
    if (bad != NULL)
        reply_fail(bad, &fs, got, out, out_len, want, exp, exp_len);
done:
    free(out);
    free(exp);
    free(text);
    free(lines);
    return 0;
}

/*
 * smtp_mutator - structure-aware mutations of SMTP client streams
 * (contract in smtp_mutator.h).
 *
 * Everything works in place on data[0..max_size) through four primitives
 * that check the bound themselves: insert (cut to fit), fill (a run of one
 * octet, cut to fit), erase, and rotate (three reversals, for swapping two
 * lines without a scratch buffer). Lines are found on demand: a random
 * octet, then back to the octet after the previous LF. The random source is
 * splitmix64 in a local struct, so a mutation depends only on its input and
 * seed.
 */
#include "smtp_mutator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "splitmix.h"

#define MUT_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s: assertion failed: %s\n", __func__, #cond);                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MUT_LINE_MAX 160 /* a generated command line */
#define MUT_STACK_MAX 4  /* mutations stacked by smtp_mutate */
#define MUT_HAVOC_MAX 8  /* byte operations of one havoc */
#define MUT_RUN_MAX 4    /* lines wrapped into DATA or BDAT */

#define KIND_ID_(name, id) [name] = id,
static const char *const kind_ids[SMTP_MUT_COUNT] = {SMTP_MUT_LIST(KIND_ID_)};
#undef KIND_ID_

/* smtp_mut_kind_id - the id of a mutation kind */
const char *smtp_mut_kind_id(enum smtp_mut_kind kind)
{
    return (unsigned)kind < SMTP_MUT_COUNT ? kind_ids[kind] : "invalid";
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */

/* The contract's verbs, near misses, and extension verbs real servers know. */
static const char *const mut_verbs[] = {
    "HELO",  "EHLO", "MAIL",  "RCPT",  "DATA",         "BDAT",        "RSET",    "VRFY",
    "EXPN",  "HELP", "NOOP",  "QUIT",  "STARTTLS",     "AUTH",        "help",    "Help",
    "HELPX", "HEL",  "HELP:", "H3LP",  "XCLIENT",      "XFORWARD",    "ETRN",    "TURN",
    "ATRN",  "SOML", "SEND",  "SAML",  "VERB",         "ONEX",        "XEXCH50", "X-EXPS",
    "BURL",  "LHLO", "XUSR",  "XQUE",  "X-LINK2STATE", "XTELLMEMORE", "DEBUG",   "WIZ",
    "KILL",  "",     "MAILX", "RCPT2", "QUITQUIT",
};
#define N_VERBS (sizeof mut_verbs / sizeof mut_verbs[0])

static const char *const mut_args[] = {
    "FROM:<a@b.example>",
    "TO:<c@d.example>",
    "client.example",
    "[127.0.0.1]",
    "5",
    "5 LAST",
    "0 LAST",
    "PLAIN",
    "PLAIN dGVzdAB0ZXN0AHRlc3Q=",
    "postmaster",
    "DATA",
    "FROM:<>",
    "FROM:<a@b> SIZE=99999999999",
    "FROM:<a@b> BODY=8BITMIME SMTPUTF8",
    "TO:<\"x y\"@d.example>",
    "FROM:<\xc3\xbc@b.example> SMTPUTF8",
    "NAME=spoofed ADDR=10.0.0.1",
    "#example.org",
    "=",
    " ",
};
#define N_ARGS (sizeof mut_args / sizeof mut_args[0])

/* Terminators a line can be given. */
static const char *const mut_terms[] = {"\r\n", "\n", "\r", "\r\r\n", "", "\n\r"};
#define N_TERMS (sizeof mut_terms / sizeof mut_terms[0])

/* Forbidden or suspicious octet sequences (docs/contract.md section 1): control, 8-bit, bad UTF-8.
 */
static const struct {
    const char *b;
    size_t n;
} mut_bytes[] = {
    {"\0", 1},
    {"\t", 1},
    {"\x7f", 1},
    {"\x01", 1},
    {"\x1b", 1},
    {"\x0b", 1},
    {"\x0c", 1},
    {"\r", 1},
    {"\n", 1},
    {"\x80", 1},
    {"\xff", 1},
    {"\xc0\xaf", 2},
    {"\xc1\xbf", 2},
    {"\xe0\x80\xaf", 3},
    {"\xf0\x80\x80\xaf", 4},
    {"\xed\xa0\x80", 3},
    {"\xf4\x90\x80\x80", 4},
    {"\xc3", 1},
    {"\xc3\xbc", 2},
    {"\xf5\x80\x80\x80", 4},
    {"\xe2\x82", 2},
    {"\xef\xbb\xbf", 3},
};
#define N_BYTES (sizeof mut_bytes / sizeof mut_bytes[0])

/* End of data and the smuggling look-alikes (CVE-2023-51764/5/6). */
static const char *const mut_eods[] = {
    "\r\n.\r\n", "\n.\n", "\n.\r\n",    "\r.\r\n", "\r\n.\n",
    "\r.\r",     ".\r\n", "\r\n..\r\n", "\r\n.\r",
};
#define N_EODS (sizeof mut_eods / sizeof mut_eods[0])

/* Pipelined batches (RFC 2920). */
static const char *const mut_batches[] = {
    "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@f.example>\r\nDATA\r\n",
    "RSET\r\nNOOP\r\nHELP\r\nVRFY postmaster\r\n",
    "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 3 LAST\r\nabc",
    "HELP\r\nhelp\r\nHELP DATA\r\nXYZZY\r\n",
    "EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nx\r\n.\r\n",
};
#define N_BATCHES (sizeof mut_batches / sizeof mut_batches[0])

/* Line lengths worth hitting: around 512 (commands) and 1000 (message lines). */
static const size_t mut_lengths[] = {509, 510,  511,  512,  513,  514,  998,
                                     999, 1000, 1001, 1002, 2048, 4096, 65536};
#define N_LENGTHS (sizeof mut_lengths / sizeof mut_lengths[0])

/* ------------------------------------------------------------------ */
/* Random numbers and primitives                                        */

struct rng {
    uint64_t s;
};

/* rng_next - splitmix64 */
static uint64_t rng_next(struct rng *r)
{
    return splitmix_next(&r->s);
}

/* rng_below - uniform-enough in [0, n); 0 when n is 0 */
static size_t rng_below(struct rng *r, size_t n)
{
    return n == 0 ? 0 : (size_t)(rng_next(r) % n);
}

/* insert - put src[0..n) at data+at, cut to fit max; returns the new size */
static size_t insert(uint8_t *data, size_t size, size_t max, size_t at, const void *src, size_t n)
{
    if (at > size)
        at = size;
    if (n > max - size)
        n = max - size;
    if (n == 0)
        return size;
    memmove(data + at + n, data + at, size - at);
    memcpy(data + at, src, n);
    return size + n;
}

/* fill - put n copies of octet c at data+at, cut to fit max; returns the new size */
static size_t fill(uint8_t *data, size_t size, size_t max, size_t at, uint8_t c, size_t n)
{
    if (at > size)
        at = size;
    if (n > max - size)
        n = max - size;
    if (n == 0)
        return size;
    memmove(data + at + n, data + at, size - at);
    memset(data + at, c, n);
    return size + n;
}

/* erase - remove data[at..at+n); returns the new size */
static size_t erase(uint8_t *data, size_t size, size_t at, size_t n)
{
    if (at >= size)
        return size;
    if (n > size - at)
        n = size - at;
    memmove(data + at, data + at + n, size - at - n);
    return size - n;
}

/* reverse - reverse data[a..b) */
static void reverse(uint8_t *data, size_t a, size_t b)
{
    while (a + 1 < b) {
        uint8_t t = data[a];
        data[a++] = data[--b];
        data[b] = t;
    }
}

/* swap_blocks - [a1,b1) and [a2,b2) trade places (b1 <= a2), the gap between kept */
static void swap_blocks(uint8_t *data, size_t a1, size_t b1, size_t a2, size_t b2)
{
    /* X G Y -> (X G Y)' = Y' G' X', then each piece reversed back: Y G X */
    size_t ly = b2 - a2, lg = a2 - b1;

    reverse(data, a1, b2);
    reverse(data, a1, a1 + ly);
    reverse(data, a1 + ly, a1 + ly + lg);
    reverse(data, a1 + ly + lg, b2);
}

/* line_start - where the line holding octet pos starts: after the last LF before pos, or 0 */
static size_t line_start(const uint8_t *data, size_t pos)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t w;

    /*
     * Eight octets at a time while none of them is an LF: inputs grown to
     * long lines would otherwise cost a byte loop per pick (no memrchr in
     * C11). The zero-byte test on w ^ LFs is exact as a yes/no answer.
     */
    while (pos >= 8) {
        memcpy(&w, data + pos - 8, sizeof w);
        w ^= ones * '\n';
        if (((w - ones) & ~w & highs) != 0)
            break;
        pos -= 8;
    }
    while (pos > 0 && data[pos - 1] != '\n')
        pos--;
    return pos;
}

/* line_at - the line holding octet pos: [*start, *end), end after its LF or at size */
static void line_at(const uint8_t *data, size_t size, size_t pos, size_t *start, size_t *end)
{
    size_t s = line_start(data, pos), e = pos;
    const uint8_t *lf = e < size ? memchr(data + e, '\n', size - e) : NULL;

    *start = s;
    *end = lf != NULL ? (size_t)(lf - data) + 1 : size;
}

/* pick_line - a random line; 0 when data is empty */
static int pick_line(struct rng *r, const uint8_t *data, size_t size, size_t *start, size_t *end)
{
    if (size == 0)
        return 0;
    line_at(data, size, rng_below(r, size), start, end);
    return 1;
}

/* pick_boundary - a random line start, or size (the end) */
static size_t pick_boundary(struct rng *r, const uint8_t *data, size_t size)
{
    size_t s, e;

    if (size == 0 || rng_below(r, 8) == 0)
        return size;
    line_at(data, size, rng_below(r, size), &s, &e);
    return rng_below(r, 2) ? s : e;
}

/* term_len - octets of the terminator ending [s, e): CR LF, LF, or 0 */
static size_t term_len(const uint8_t *data, size_t s, size_t e)
{
    if (e > s && data[e - 1] == '\n')
        return e - 1 > s && data[e - 2] == '\r' ? 2 : 1;
    return 0;
}

/* make_line - "VERB[ ARG]\r\n" from the tables into buf; returns its length */
static size_t make_line(struct rng *r, char *buf, size_t cap)
{
    const char *verb = mut_verbs[rng_below(r, N_VERBS)];
    int n;

    if (rng_below(r, 3) == 0)
        n = snprintf(buf, cap, "%s\r\n", verb);
    else
        n = snprintf(buf, cap, "%s %s\r\n", verb, mut_args[rng_below(r, N_ARGS)]);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ------------------------------------------------------------------ */
/* The mutations                                                        */

static size_t mut_insert_line(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    char line[MUT_LINE_MAX];
    size_t n = make_line(r, line, sizeof line);

    return insert(d, size, max, pick_boundary(r, d, size), line, n);
}

static size_t mut_delete_line(struct rng *r, uint8_t *d, size_t size)
{
    size_t s, e;

    if (!pick_line(r, d, size, &s, &e))
        return size;
    return erase(d, size, s, e - s);
}

static size_t mut_dup_line(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t s, e, copies, k;

    if (!pick_line(r, d, size, &s, &e))
        return size;
    copies = 1 + rng_below(r, 3);
    for (k = 0; k < copies; k++)
        size = insert(d, size, max, e, d + s, e - s); /* the source sits before e: unmoved */
    return size;
}

static size_t mut_swap_lines(struct rng *r, uint8_t *d, size_t size)
{
    size_t s1, e1, s2, e2;

    if (!pick_line(r, d, size, &s1, &e1) || !pick_line(r, d, size, &s2, &e2))
        return size;
    if (s2 < s1) {
        size_t ts = s1, te = e1;
        s1 = s2, e1 = e2, s2 = ts, e2 = te;
    }
    if (s1 == s2) {
        if (e1 >= size)
            return size;                /* the only line */
        line_at(d, size, e1, &s2, &e2); /* its neighbour */
    }
    swap_blocks(d, s1, e1, s2, e2);
    return size;
}

static size_t mut_swap_verb(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    const char *verb = mut_verbs[rng_below(r, N_VERBS)];
    size_t s, e, v;

    if (!pick_line(r, d, size, &s, &e))
        return insert(d, size, max, 0, verb, strlen(verb));
    for (v = s; v < e && d[v] != ' ' && d[v] != '\r' && d[v] != '\n'; v++)
        ;
    size = erase(d, size, s, v - s);
    return insert(d, size, max, s, verb, strlen(verb));
}

static size_t mut_flip_case(struct rng *r, uint8_t *d, size_t size)
{
    size_t s, e, i;
    int mode;

    if (!pick_line(r, d, size, &s, &e))
        return size;
    mode = (int)rng_below(r, 3); /* 0: random letters, 1: all lower, 2: all upper */
    for (i = s; i < e; i++) {
        uint8_t c = d[i];
        int lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
        if (!lower && !upper)
            continue;
        if ((mode == 0 && rng_below(r, 2)) || (mode == 1 && upper) || (mode == 2 && lower))
            d[i] = (uint8_t)(c ^ 0x20);
    }
    return size;
}

static size_t mut_grow_line(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t s, e, t, want, have;
    uint8_t pad = rng_below(r, 4) == 0 ? (uint8_t)('a' + rng_below(r, 26)) : 'x';

    if (!pick_line(r, d, size, &s, &e)) {
        s = e = 0;
    }
    t = term_len(d, s, e);
    want = mut_lengths[rng_below(r, N_LENGTHS)] + rng_below(r, 2) * (rng_below(r, 3)); /* +0..2 */
    have = e - s;
    if (want < t)
        want = t;
    if (have > want)
        return erase(d, size, e - t - (have - want), have - want);
    return fill(d, size, max, e - t, pad, want - have);
}

static size_t mut_terminator(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    const char *term = mut_terms[rng_below(r, N_TERMS)];
    size_t s, e, t;

    if (!pick_line(r, d, size, &s, &e))
        return insert(d, size, max, 0, term, strlen(term));
    t = term_len(d, s, e);
    if (t == 2 && e - s >= 3 && d[e - 3] == '\r')
        t = 3; /* CR CR LF */
    size = erase(d, size, e - t, t);
    return insert(d, size, max, e - t, term, strlen(term));
}

static size_t mut_inject_byte(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t k = rng_below(r, N_BYTES), s, e, at;

    if (!pick_line(r, d, size, &s, &e))
        return insert(d, size, max, 0, mut_bytes[k].b, mut_bytes[k].n);
    /* in the verb half the time (a "bad verb"), elsewhere in the line otherwise */
    at = rng_below(r, 2) ? s + rng_below(r, e - s < 5 ? e - s : 5) : s + rng_below(r, e - s);
    if (rng_below(r, 3) == 0 && at + mut_bytes[k].n <= e) {
        memcpy(d + at, mut_bytes[k].b, mut_bytes[k].n); /* overwrite */
        return size;
    }
    return insert(d, size, max, at, mut_bytes[k].b, mut_bytes[k].n);
}

/* pick_run - a run of 1..MUT_RUN_MAX whole lines starting at a random line */
static int pick_run(struct rng *r, const uint8_t *d, size_t size, size_t *a, size_t *b)
{
    size_t s, e, k, n = 1 + rng_below(r, MUT_RUN_MAX);

    if (!pick_line(r, d, size, &s, &e))
        return 0;
    for (k = 1; k < n && e < size; k++) {
        size_t s2;
        line_at(d, size, e, &s2, &e);
    }
    *a = s;
    *b = e;
    return 1;
}

/* Envelope so a wrapped DATA or BDAT is in sequence. */
static const char mut_envelope[] = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n";

static size_t mut_wrap_data(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t a, b, before;
    const char *end;

    if (!pick_run(r, d, size, &a, &b))
        a = b = 0;
    /* the end first (it lies after a), then the head */
    end = b > a && d[b - 1] == '\n' && b - a >= 2 && d[b - 2] == '\r' ? ".\r\n" : "\r\n.\r\n";
    if (rng_below(r, 4) == 0)
        end = mut_eods[rng_below(r, N_EODS)];
    size = insert(d, size, max, b, end, strlen(end));
    before = size;
    size = insert(d, size, max, a, "DATA\r\n", 6);
    if (size == before + 6 && rng_below(r, 2))
        size = insert(d, size, max, a, mut_envelope, sizeof mut_envelope - 1);
    return size;
}

static size_t mut_wrap_bdat(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    char head[64];
    size_t a, b, n, hl;
    unsigned long long sz;
    int k;

    if (!pick_run(r, d, size, &a, &b))
        a = b = 0;
    n = b - a;
    switch (rng_below(r, 8)) {
    case 0:
        sz = n + 1;
        break;
    case 1:
        sz = n > 0 ? n - 1 : 0;
        break;
    case 2:
        sz = 0;
        break;
    case 3:
        sz = 999999999ULL; /* 9 digits: valid, and far more than follows */
        break;
    case 4:
        sz = 1234567890ULL; /* 10 digits: a malformed size (501, nothing consumed) */
        break;
    default:
        sz = n;
        break;
    }
    k = snprintf(head, sizeof head, "BDAT %llu%s\r\n", sz, rng_below(r, 2) ? " LAST" : "");
    hl = k > 0 ? (size_t)k : 0;
    if (rng_below(r, 8) == 0 && hl > 7)
        head[1] = 'd'; /* "BdAT": case must not matter */
    size = insert(d, size, max, a, head, hl);
    if (rng_below(r, 2))
        size = insert(d, size, max, a, mut_envelope, sizeof mut_envelope - 1);
    return size;
}

static size_t mut_eod_variant(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    const char *eod = mut_eods[rng_below(r, N_EODS)];
    size_t at = rng_below(r, 2) ? pick_boundary(r, d, size) : rng_below(r, size + 1);

    return insert(d, size, max, at, eod, strlen(eod));
}

static size_t mut_pipeline_batch(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t a, b;

    if (rng_below(r, 2) && pick_run(r, d, size, &a, &b))
        return insert(d, size, max, b, d + a, b - a); /* the run again, right after itself */
    {
        const char *batch = mut_batches[rng_below(r, N_BATCHES)];
        return insert(d, size, max, pick_boundary(r, d, size), batch, strlen(batch));
    }
}

/* Leading dots: a stuffed dot, a lone dot (an end of data in message text), ". ". */
static const char *const mut_dots[] = {".", "..", ". ", ".\r\n"};
#define N_DOTS (sizeof mut_dots / sizeof mut_dots[0])

static size_t mut_dot_stuff(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    const char *dot = mut_dots[rng_below(r, N_DOTS)];
    size_t s, e;

    if (!pick_line(r, d, size, &s, &e))
        s = 0;
    return insert(d, size, max, s, dot, strlen(dot));
}

static size_t mut_havoc(struct rng *r, uint8_t *d, size_t size, size_t max)
{
    size_t k, n = 1 + rng_below(r, MUT_HAVOC_MAX);

    for (k = 0; k < n; k++) {
        uint8_t byte = (uint8_t)rng_next(r);
        switch (rng_below(r, 4)) {
        case 0:
            if (size > 0)
                d[rng_below(r, size)] ^= (uint8_t)(1u << rng_below(r, 8));
            break;
        case 1:
            if (size > 0)
                d[rng_below(r, size)] = byte;
            break;
        case 2:
            size = insert(d, size, max, rng_below(r, size + 1), &byte, 1);
            break;
        default:
            if (size > 0)
                size = erase(d, size, rng_below(r, size), 1 + rng_below(r, 4));
            break;
        }
    }
    return size;
}

/* smtp_mutate_kind - apply one mutation of the given kind; returns the new size */
size_t smtp_mutate_kind(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
                        enum smtp_mut_kind kind)
{
    struct rng r = {seed ^ ((uint64_t)kind << 56) ^ 0x5bd1e995u};

    MUT_ASSERT(data != NULL || max_size == 0);
    MUT_ASSERT(size <= max_size);
    if (data == NULL)
        return 0;
    switch (kind) {
    case SMTP_MUT_INSERT_LINE:
        return mut_insert_line(&r, data, size, max_size);
    case SMTP_MUT_DELETE_LINE:
        return mut_delete_line(&r, data, size);
    case SMTP_MUT_DUP_LINE:
        return mut_dup_line(&r, data, size, max_size);
    case SMTP_MUT_SWAP_LINES:
        return mut_swap_lines(&r, data, size);
    case SMTP_MUT_SWAP_VERB:
        return mut_swap_verb(&r, data, size, max_size);
    case SMTP_MUT_FLIP_CASE:
        return mut_flip_case(&r, data, size);
    case SMTP_MUT_GROW_LINE:
        return mut_grow_line(&r, data, size, max_size);
    case SMTP_MUT_TERMINATOR:
        return mut_terminator(&r, data, size, max_size);
    case SMTP_MUT_INJECT_BYTE:
        return mut_inject_byte(&r, data, size, max_size);
    case SMTP_MUT_WRAP_DATA:
        return mut_wrap_data(&r, data, size, max_size);
    case SMTP_MUT_WRAP_BDAT:
        return mut_wrap_bdat(&r, data, size, max_size);
    case SMTP_MUT_EOD_VARIANT:
        return mut_eod_variant(&r, data, size, max_size);
    case SMTP_MUT_PIPELINE_BATCH:
        return mut_pipeline_batch(&r, data, size, max_size);
    case SMTP_MUT_DOT_STUFF:
        return mut_dot_stuff(&r, data, size, max_size);
    case SMTP_MUT_HAVOC:
        return mut_havoc(&r, data, size, max_size);
    case SMTP_MUT_COUNT:
        break;
    }
    MUT_ASSERT(!"mutation kind out of range");
    return size;
}

/* smtp_mutate - apply 1 to 4 randomly chosen mutations in place; returns the new size */
size_t smtp_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed)
{
    struct rng r = {seed};
    size_t k, n = 1 + rng_below(&r, MUT_STACK_MAX);

    MUT_ASSERT(data != NULL || max_size == 0);
    MUT_ASSERT(size <= max_size);
    for (k = 0; k < n; k++) {
        enum smtp_mut_kind kind = (enum smtp_mut_kind)rng_below(&r, SMTP_MUT_COUNT);
        size = smtp_mutate_kind(data, size, max_size, rng_next(&r), kind);
    }
    return size;
}

/* smtp_crossover - lines of a, lines of b, maybe the rest of a, into out; returns the length */
size_t smtp_crossover(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out,
                      size_t max_out, uint64_t seed)
{
    struct rng r = {seed ^ 0xc2b2ae3d27d4eb4fULL};
    size_t cut_a, from_b, to_b, resume, n = 0, len;

    MUT_ASSERT((a != NULL || alen == 0) && (b != NULL || blen == 0));
    MUT_ASSERT(out != NULL || max_out == 0);
    if (out == NULL)
        return 0;
    cut_a = a != NULL ? pick_boundary(&r, a, alen) : 0;
    from_b = b != NULL ? pick_boundary(&r, b, blen) : 0;
    to_b =
        b != NULL && from_b < blen ? pick_boundary(&r, b + from_b, blen - from_b) + from_b : from_b;
    if (to_b == from_b)
        to_b = blen;
    resume = rng_below(&r, 2) && cut_a < alen ? pick_boundary(&r, a + cut_a, alen - cut_a) + cut_a
                                              : alen;
    len = cut_a < max_out ? cut_a : max_out;
    if (len > 0)
        memcpy(out, a, len);
    n = len;
    len = to_b - from_b < max_out - n ? to_b - from_b : max_out - n;
    if (len > 0)
        memcpy(out + n, b + from_b, len);
    n += len;
    len = alen - resume < max_out - n ? alen - resume : max_out - n;
    if (len > 0)
        memcpy(out + n, a + resume, len);
    return n + len;
}

/*
 * session_probe - sessions aimed at argument handling and input buffers
 * (contract in session_probe.h).
 *
 * An argument is built in a scratch buffer from three choices: its shape
 * (what the verb expects), a target length (a buffer size, give or take
 * two octets, counted for the argument, the line's content or the whole
 * line) and its specials (where and which). A writer appends to the
 * caller's buffer and silently stops at its end.
 */
#include "session_probe.h"

#include <string.h>

#include "session_writer.h"

#define PROBE_ARG_MAX 4200 /* the longest argument built (4096 + slack) */
#define PROBES_MAX 4
#define BATCH_MIN 8 /* argument probes come in batches: a line costs far less than a session */
#define BATCH_MAX 24
#define TRAIN_MIN 4
#define TRAIN_MAX 10
#define LINE_LIMIT 512 /* octets of a command line in the contract, CR LF included */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* How an argument is shaped for its verb. QUIT is left out: a 221 would end the batch. */
enum shape { SHAPE_WORDS, SHAPE_NAME, SHAPE_FROM, SHAPE_TO, SHAPE_SIZE };

static const struct {
    const char *verb;
    enum shape shape;
} verbs[] = {
    {"HELO", SHAPE_NAME},      {"EHLO", SHAPE_NAME},      {"MAIL", SHAPE_FROM},
    {"RCPT", SHAPE_TO},        {"DATA", SHAPE_WORDS},     {"BDAT", SHAPE_SIZE},
    {"RSET", SHAPE_WORDS},     {"VRFY", SHAPE_WORDS},     {"EXPN", SHAPE_WORDS},
    {"HELP", SHAPE_WORDS},     {"NOOP", SHAPE_WORDS},     {"AUTH", SHAPE_WORDS},
    {"STARTTLS", SHAPE_WORDS}, {"ETRN", SHAPE_WORDS},     {"XYZZY", SHAPE_WORDS},
    {"VRFYX", SHAPE_WORDS},    {"MAILFROM", SHAPE_WORDS},
};

/* The buffer sizes servers are written with; a target length lands on one, give or take 2. */
static const size_t sizes[] = {16, 64, 128, 255, 256, 512, 1000, 1024, 4096};

/* Printable specials and the escape and quote characters, one of which a probe plants. */
static const char specials[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ";

/* Whole arguments a server may treat specially. */
static const char *const keywords[] = {
    "help", "HELP", "?",     "*",    "ALL",  "postmaster", "<>",     "LAST", "0",    "-1",
    "%s%n", "%",    "$(id)", "\\",   "\"\"", "..",         "@",      "MAIL", "DATA", "QUIT",
    "HELO", "EXPN", "VRFY",  "RSET", "=",    "<@>",        "\"\\\"", "::",   "[]",   ":<>"};

/* Commands whose replies tell them apart, sent right after a zero-length chunk. */
static const char *const followers[] = {"XYZZY\r\n", "HELP\r\n",           "VRFY postmaster\r\n",
                                        "NOOP\r\n",  "BDAT 3 LAST\r\nabc", "RSET\r\n",
                                        "DATA\r\n",  "EXPN staff\r\n"};

/* Short commands for trains. */
static const char *const shorts[] = {"NOOP\r\n",
                                     "RSET\r\n",
                                     "HELP\r\n",
                                     "VRFY postmaster\r\n",
                                     "EXPN staff\r\n",
                                     "XYZZY\r\n",
                                     "EHLO probe.example\r\n",
                                     "HELO probe.example\r\n",
                                     "MAIL FROM:<a@example.org>\r\n",
                                     "RCPT TO:<b@example.org>\r\n",
                                     "BDAT 0\r\n",
                                     "BDAT 0 LAST\r\n",
                                     "BDAT 5\r\nhello",
                                     "DATA\r\n",
                                     "help\r\n",
                                     "noop x\r\n",
                                     "QUIT\r\n"};

/* filler - n octets an argument of this shape is made of */
static void filler(struct session_writer *w, char *a, size_t n, enum shape shape)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t i;

    for (i = 0; i < n; i++)
        a[i] = alnum[sw_below(w, sizeof alnum - 1)];
    if (shape == SHAPE_NAME && n > 4)
        for (i = 3; i + 1 < n; i += 4 + sw_below(w, 12))
            a[i] = '.'; /* labels */
    if (shape == SHAPE_SIZE)
        for (i = 0; i < n; i++)
            a[i] = (char)('0' + sw_below(w, 10));
}

/* plant - put specials into a[0..n): at the start, the middle or the end, or everywhere */
static void plant(struct session_writer *w, char *a, size_t n)
{
    size_t k, count = 1 + sw_below(w, 3);
    char c = specials[sw_below(w, sizeof specials - 1)];

    if (n == 0)
        return;
    if (sw_below(w, 6) == 0) {
        for (k = 0; k < n; k += 1 + sw_below(w, 3)) /* sprinkled all along */
            a[k] = c;
        return;
    }
    for (k = 0; k < count; k++) {
        size_t where = sw_below(w, 3);
        size_t at = where == 0 ? 0 : where == 1 ? n / 2 : n - 1;
        a[at] = sw_below(w, 2) == 0 ? c : specials[sw_below(w, sizeof specials - 1)];
    }
}

/* target_length - a buffer size give or take 2 octets, or a short length */
static size_t target_length(struct session_writer *w)
{
    size_t base, delta;

    if (sw_below(w, 5) == 0)
        return sw_below(w, 12);
    base = sizes[sw_below(w, N_OF(sizes))];
    delta = sw_below(w, 5);
    return base + delta >= 2 ? base + delta - 2 : 0;
}

/* argument_probe - one verb with an argument built for the probe */
static void argument_probe(struct session_writer *w)
{
    char a[PROBE_ARG_MAX];
    size_t v = sw_below(w, N_OF(verbs)), vlen = strlen(verbs[v].verb), n, head, i;
    enum shape shape = verbs[v].shape;
    const char *pre = shape == SHAPE_FROM ? "FROM:<" : shape == SHAPE_TO ? "TO:<" : "";
    const char *post = shape == SHAPE_FROM || shape == SHAPE_TO ? "@example.org>" : "";
    char verb[16];

    memcpy(verb, verbs[v].verb, vlen + 1);
    if (sw_below(w, 4) == 0)
        for (i = 0; i < vlen; i++) /* servers must not care about case */
            if (sw_below(w, 2) == 0)
                verb[i] = (char)(verb[i] - 'A' + 'a');
    sw_put_str(w, verb);
    if (sw_below(w, 3) == 0) { /* a keyword as the whole argument: cheap to try, often special */
        sw_put_str(w, " ");
        sw_put_str(w, keywords[sw_below(w, N_OF(keywords))]);
        sw_put_str(w, "\r\n");
        return;
    }
    n = target_length(w);
    head = vlen + 1 + strlen(pre) + strlen(post);
    switch (sw_below(w, 3)) {
    case 0: /* the argument itself */
        break;
    case 1: /* the line's content */
        n = n > head ? n - head : 0;
        break;
    default: /* the whole line, CR LF included */
        n = n > head + 2 ? n - head - 2 : 0;
        break;
    }
    if (n > sizeof a)
        n = sizeof a;
    filler(w, a, n, shape);
    if (sw_below(w, 3) != 0)
        plant(w, a, n);
    sw_put_str(w, " ");
    sw_put_str(w, pre);
    sw_put(w, a, n);
    sw_put_str(w, post);
    sw_put_str(w, "\r\n");
    if (strcmp(verbs[v].verb, "DATA") == 0)
        sw_put_str(w, "probe text\r\n.\r\n"); /* ends the message when DATA was taken */
}

/* utf8_probe - a line of multi-octet UTF-8 at or just past the limit, in octets */
static void utf8_probe(struct session_writer *w)
{
    static const char *const chars[] = {"\xc3\xa9",     "\xd0\xb4",         "\xe2\x82\xac",
                                        "\xe6\x97\xa5", "\xf0\x9f\x93\xa7", "\xf0\x90\x8d\x88"};
    static const char *const heads[] = {"NOOP ",  "VRFY ",       "HELP ",     "EXPN ",
                                        "XYZZY ", "MAIL FROM:<", "RCPT TO:<", "EHLO "};
    size_t h = sw_below(w, N_OF(heads)), len = strlen(heads[h]);
    /* content octets before CR LF: at the limit (510), one past, or a few past */
    size_t want = LINE_LIMIT - 2 - 2 + sw_below(w, 8);
    int straddle = sw_below(w, 2) == 0;

    sw_put_str(w, heads[h]);
    while (len < want) {
        const char *c = chars[sw_below(w, N_OF(chars))];
        size_t cl = strlen(c);
        if (len + cl > want && !straddle)
            break;
        sw_put(w, c, cl);
        len += cl;
    }
    while (len < want) { /* pad with ASCII to the exact length */
        sw_put_str(w, "a");
        len++;
    }
    sw_put_str(w, h >= 5 && h <= 6 ? "@example.org>\r\n" : "\r\n");
}

/* chunk_zero_probe - BDAT 0 (LAST or not), then a command that tells the replies apart */
static void chunk_zero_probe(struct session_writer *w)
{
    if (sw_below(w, 4) != 0)
        sw_put_str(w, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n");
    sw_put_str(w, sw_below(w, 2) == 0 ? "BDAT 0\r\n" : "BDAT 0 LAST\r\n");
    sw_put_str(w, followers[sw_below(w, N_OF(followers))]);
    if (sw_below(w, 2) == 0)
        sw_put_str(w, followers[sw_below(w, N_OF(followers))]);
}

/* train_probe - short commands back to back */
static void train_probe(struct session_writer *w)
{
    size_t k, n = TRAIN_MIN + sw_below(w, TRAIN_MAX - TRAIN_MIN + 1);

    for (k = 0; k < n; k++) {
        const char *c = shorts[sw_below(w, N_OF(shorts) - 1)]; /* QUIT only at the end */
        sw_put_str(w, c);
        if (strcmp(c, "DATA\r\n") == 0)
            sw_put_str(w, "x\r\n.\r\n");
    }
}

/* hello - EHLO most of the time (the extensions are offered there), HELO or none */
static void hello(struct session_writer *w)
{
    size_t h = sw_below(w, 20);

    if (h < 18)
        sw_put_str(w, "EHLO probe.example\r\n");
    else if (h == 18)
        sw_put_str(w, "HELO probe.example\r\n");
}

/* session_probe - one probing session for seed into out[0..max); returns its length */
size_t session_probe(uint8_t *out, size_t max, uint64_t seed)
{
    struct session_writer w = {out, out != NULL ? max : 0, 0, seed ^ 0x6a09e667f3bcc909ULL};
    size_t k, n;

    hello(&w);
    n = 1 + sw_below(&w, PROBES_MAX);
    for (k = 0; k < n; k++) {
        switch (sw_below(&w, 8)) {
        case 0:
        case 1:
        case 2:
        case 3: {
            size_t b, lines = BATCH_MIN + sw_below(&w, BATCH_MAX - BATCH_MIN + 1);
            for (b = 0; b < lines; b++)
                argument_probe(&w);
            break;
        }
        case 4:
            utf8_probe(&w);
            break;
        case 5:
        case 6:
            chunk_zero_probe(&w);
            break;
        default:
            train_probe(&w);
            break;
        }
    }
    if (sw_below(&w, 10) != 0)
        sw_put_str(&w, "QUIT\r\n");
    return w.len;
}

/* session_probe_long_line - EHLO, one line of line_octets octets, QUIT */
size_t session_probe_long_line(uint8_t *out, size_t max, uint64_t seed, size_t line_octets)
{
    static const char *const heads[] = {"NOOP ", "XYZZY ", "MAIL FROM:<", "VRFY ", "HELO "};
    struct session_writer w = {out, out != NULL ? max : 0, 0, seed ^ 0xbb67ae8584caa73bULL};
    const char *head = heads[sw_below(&w, N_OF(heads))];
    size_t hl = strlen(head), n = line_octets > hl + 2 ? line_octets - hl - 2 : 0;

    sw_put_str(&w, "EHLO probe.example\r\n");
    sw_put_str(&w, head);
    if (n > w.max - w.len)
        n = w.max - w.len;
    if (n > 0)
        memset(w.out + w.len, 'a', n);
    w.len += n;
    sw_put_str(&w, "\r\nQUIT\r\n");
    return w.len;
}

/*
 * test_smtp_line - the command-line tokenizer (docs/contract.md sections 1-2), table-driven.
 *
 * Every row is fed whole, byte by byte and in random chunks (several
 * seeds); all runs must give the row's expected lines and exactly the same
 * results as the whole run. Each piece is first copied to the very end of
 * a page followed by a PROT_NONE page, so a read past the input faults
 * (picohttpparser-style guard page) in every split mode.
 */
/* MAP_ANONYMOUS is not in POSIX.1-2008, which the build selects; glibc and BSDs have it. */
#define _DEFAULT_SOURCE 1

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feed_split.h"
#include "naive_line.h"
#include "smtp_line.h"

#define MAX_LINES 8
#define RANDOM_SEEDS 5

/* Enum identifiers for messages, from the same X-macro as the enum. */
#define STATUS_ID_(name, text) #name,
static const char *const status_id[] = {SMTP_LINE_STATUS_LIST(STATUS_ID_)};
#undef STATUS_ID_

static const char *status_label(enum smtp_line_status s)
{
    return (unsigned)s < SMTP_LINE_STATUS_COUNT ? status_id[s] : "(bad status)";
}

static const char *verb_label(enum smtp_verb v)
{
    return v == SMTP_VERB_NONE ? "NONE" : smtp_verb_name(v);
}

/* What one run saw: copies, since cmd pointers die at the next call. */
struct got_line {
    enum smtp_line_status status;
    enum smtp_verb verb;
    char text[SMTP_LINE_MAX];
    size_t text_len;
    size_t arg_off; /* arg - text */
    size_t arg_len;
    uint64_t octets;
};

struct got {
    size_t n;       /* lines reported (may exceed MAX_LINES; only the first are kept) */
    int pending;    /* smtp_line_pending() after the last piece */
    int api_errors; /* broken *used / return contracts, counted by the feeder */
    struct got_line line[MAX_LINES];
};

/* A page-aligned area whose last page is PROT_NONE. */
struct guard {
    char *base;
    size_t size; /* readable octets, a multiple of the page size */
    size_t total;
};

struct feeder {
    struct smtp_line lp;
    struct got *got;
    struct guard *guard;
};

static int failures;

static void guard_open(struct guard *g, size_t need)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    g->size = (need + page - 1) / page * page;
    if (g->size == 0)
        g->size = page;
    g->total = g->size + page;
    g->base = mmap(NULL, g->total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g->base != MAP_FAILED);
    assert_int_equal(mprotect(g->base + g->size, page, PROT_NONE), 0);
}

static void guard_close(struct guard *g)
{
    assert_int_equal(munmap(g->base, g->total), 0);
}

static void record(struct got *got, const struct smtp_cmd *cmd)
{
    struct got_line *l;

    if (got->n >= MAX_LINES) {
        got->n++;
        return;
    }
    l = &got->line[got->n++];
    l->status = cmd->status;
    l->verb = cmd->verb;
    l->octets = cmd->octets;
    l->text_len = cmd->text_len;
    l->arg_len = cmd->arg_len;
    /* Structural promises of struct smtp_cmd, checked on every line. */
    if (cmd->text_len > SMTP_LINE_MAX || cmd->text == NULL || cmd->text_len >= cmd->octets ||
        cmd->arg < cmd->text || cmd->arg + cmd->arg_len != cmd->text + cmd->text_len ||
        (cmd->status != SMTP_LINE_OK && cmd->verb != SMTP_VERB_NONE) ||
        (cmd->status == SMTP_LINE_OK && cmd->verb == SMTP_VERB_NONE)) {
        got->api_errors++;
        l->text_len = 0;
        l->arg_off = 0;
        return;
    }
    memcpy(l->text, cmd->text, cmd->text_len);
    l->arg_off = (size_t)(cmd->arg - cmd->text);
}

/* feed_piece - copy the piece against the guard page, then feed it all */
static void feed_piece(void *ctx, const char *ptr, size_t len)
{
    struct feeder *f = ctx;
    char *at = f->guard->base + f->guard->size - len;
    size_t off = 0;

    if (len > 0)
        memcpy(at, ptr, len);
    do {
        struct smtp_cmd cmd;
        size_t used = (size_t)-1;
        enum smtp_line_result r = smtp_line_feed(&f->lp, at + off, len - off, &used, &cmd);

        if (used > len - off || (r == SMTP_LINE_READY && used == 0) ||
            (r == SMTP_LINE_NEED_MORE && used != len - off) ||
            (r != SMTP_LINE_READY && r != SMTP_LINE_NEED_MORE)) {
            f->got->api_errors++;
            return;
        }
        if (r == SMTP_LINE_READY)
            record(f->got, &cmd);
        off += used;
    } while (off < len);
}

static void run(const char *in, size_t len, enum feed_mode mode, uint64_t seed, struct got *got)
{
    struct feeder f;
    struct guard g;

    memset(got, 0, sizeof *got);
    memset(&f, 0, sizeof f); /* a zeroed struct smtp_line is a fresh one */
    f.got = got;
    f.guard = &g;
    guard_open(&g, len);
    feed_split(in, len, mode, seed, feed_piece, &f);
    got->pending = smtp_line_pending(&f.lp);
    guard_close(&g);
}

/* What a row expects of one line; NULL text/arg and octets 0 mean "not checked". */
struct want {
    enum smtp_line_status status;
    enum smtp_verb verb;
    const char *text;
    const char *arg;
    uint64_t octets;
};

static void mismatch(const char *row, const char *how, size_t line, const char *field,
                     const char *got, const char *want)
{
    print_error("%s [%s] line %zu %s: got %s, want %s\n", row, how, line, field, got, want);
    failures++;
}

static void mismatch_u(const char *row, const char *how, size_t line, const char *field,
                       uint64_t got, uint64_t want)
{
    char g[32], w[32];

    snprintf(g, sizeof g, "%llu", (unsigned long long)got);
    snprintf(w, sizeof w, "%llu", (unsigned long long)want);
    mismatch(row, how, line, field, g, w);
}

/* Quote a slice printably for messages (octets as \xNN). */
static const char *quote(char *out, size_t cap, const char *p, size_t n)
{
    size_t o = 0, i;

    for (i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
    }
    if (i < n && o + 4 < cap)
        o += (size_t)snprintf(out + o, cap - o, "...");
    out[o] = '\0';
    return out;
}

static void check_slice(const char *row, const char *how, size_t i, const char *field,
                        const char *got, size_t got_len, const char *want)
{
    char g[200], w[200];

    if (want != NULL && (got_len != strlen(want) || memcmp(got, want, got_len) != 0))
        mismatch(row, how, i, field, quote(g, sizeof g, got, got_len),
                 quote(w, sizeof w, want, strlen(want)));
}

static void check_want(const char *row, const char *how, const struct got *got,
                       const struct want *want, size_t n, int pending)
{
    size_t i;

    if (got->api_errors)
        mismatch_u(row, how, 0, "API contract errors", (uint64_t)got->api_errors, 0);
    if (got->n != n)
        mismatch_u(row, how, 0, "lines", got->n, n);
    if (got->pending != pending)
        mismatch_u(row, how, 0, "pending", (uint64_t)got->pending, (uint64_t)pending);
    for (i = 0; i < n && i < got->n && i < MAX_LINES; i++) {
        const struct got_line *l = &got->line[i];

        if (l->status != want[i].status)
            mismatch(row, how, i, "status", status_label(l->status), status_label(want[i].status));
        if (l->verb != want[i].verb)
            mismatch(row, how, i, "verb", verb_label(l->verb), verb_label(want[i].verb));
        if (want[i].octets != 0 && l->octets != want[i].octets)
            mismatch_u(row, how, i, "octets", l->octets, want[i].octets);
        check_slice(row, how, i, "text", l->text, l->text_len, want[i].text);
        check_slice(row, how, i, "arg", l->text + l->arg_off, l->arg_len, want[i].arg);
    }
}

/* Split invariance: a run must equal the whole run in every field, text octets included. */
static void check_same(const char *row, const char *how, const struct got *a, const struct got *b)
{
    size_t i;

    if (a->n != b->n || a->pending != b->pending) {
        mismatch(row, how, 0, "lines/pending", "differs from", "the whole run");
        return;
    }
    for (i = 0; i < a->n && i < MAX_LINES; i++) {
        const struct got_line *x = &a->line[i], *y = &b->line[i];

        if (x->status != y->status || x->verb != y->verb || x->octets != y->octets ||
            x->text_len != y->text_len || x->arg_off != y->arg_off || x->arg_len != y->arg_len ||
            memcmp(x->text, y->text, x->text_len) != 0)
            mismatch(row, how, i, "line", "differs from", "the whole run");
    }
}

/* check_row - feed in every split mode; every run must give want, and all must agree */
static void check_row(const char *row, const char *in, size_t len, const struct want *want,
                      size_t n, int pending)
{
    struct got whole, other;
    uint64_t seed;
    char how[32];

    run(in, len, FEED_WHOLE, 0, &whole);
    check_want(row, "whole", &whole, want, n, pending);
    run(in, len, FEED_BYTES, 0, &other);
    check_want(row, "bytes", &other, want, n, pending);
    check_same(row, "bytes", &other, &whole);
    for (seed = 1; seed <= RANDOM_SEEDS; seed++) {
        snprintf(how, sizeof how, "random seed %llu", (unsigned long long)seed);
        run(in, len, FEED_RANDOM, seed, &other);
        check_want(row, how, &other, want, n, pending);
        check_same(row, how, &other, &whole);
    }
}

struct row {
    const char *name;
    const char *in;
    size_t len;
    size_t n;
    struct want want[4];
    int pending;
};

/* One row per line keeps the table readable as a table. */
/* clang-format off */
#define IN(s) s, sizeof(s) - 1
#define OK(verb, text, arg, octets) {SMTP_LINE_OK, SMTP_VERB_##verb, text, arg, octets}
#define BAD(status, octets) {SMTP_LINE_##status, SMTP_VERB_NONE, NULL, NULL, octets}
#define BADT(status, text, arg, octets) {SMTP_LINE_##status, SMTP_VERB_NONE, text, arg, octets}

static const struct row rows[] = {
    /* Well-framed commands. */
    {"HELP", IN("HELP\r\n"), 1, {OK(HELP, "HELP", "", 6)}, 0},
    {"HELP arg", IN("HELP me please\r\n"), 1, {OK(HELP, "HELP me please", "me please", 16)}, 0},
    {"HELP SP only", IN("HELP \r\n"), 1, {OK(HELP, "HELP ", "", 7)}, 0},
    {"HELP two SP", IN("HELP  x\r\n"), 1, {OK(HELP, "HELP  x", " x", 9)}, 0},
    {"help lower", IN("help\r\n"), 1, {OK(HELP, "help", "", 6)}, 0},
    {"hElP mixed", IN("hElP ME\r\n"), 1, {OK(HELP, "hElP ME", "ME", 9)}, 0},
    {"MAIL FROM", IN("MAIL FROM:<a@b.example>\r\n"), 1,
     {OK(MAIL, NULL, "FROM:<a@b.example>", 25)}, 0},
    {"STARTTLS", IN("starttls\r\n"), 1, {OK(STARTTLS, "starttls", "", 10)}, 0},
    {"arg with punctuation", IN("RCPT TO:<x@y> NOTIFY=NEVER ~!#$%^&*()\r\n"), 1,
     {OK(RCPT, NULL, "TO:<x@y> NOTIFY=NEVER ~!#$%^&*()", 0)}, 0},
    /* Several lines and tails. */
    {"three lines", IN("HELO a\r\nMAIL FROM:<>\r\nQUIT\r\n"), 3,
     {OK(HELO, "HELO a", "a", 8), OK(MAIL, "MAIL FROM:<>", "FROM:<>", 14), OK(QUIT, "QUIT", "", 6)},
     0},
    {"good bad good", IN("NOOP\r\nHELP\nNOOP\r\n"), 3,
     {OK(NOOP, NULL, NULL, 6), BAD(BARE_LF, 5), OK(NOOP, NULL, NULL, 6)}, 0},
    {"empty input", IN(""), 0, {{0}}, 0},
    {"tail only", IN("HELP"), 0, {{0}}, 1},
    {"tail after line", IN("NOOP\r\nHEL"), 1, {OK(NOOP, "NOOP", "", 6)}, 1},
    {"tail ending in CR", IN("NOOP\r\nHELP\r"), 1, {OK(NOOP, "NOOP", "", 6)}, 1},
    {"blank lines", IN("\r\n\n\r\n"), 3, {BAD(BAD_VERB, 2), BAD(BARE_LF, 1), BAD(BAD_VERB, 2)}, 0},
    /* Bare LF, bare CR. */
    {"bare LF", IN("HELP\n"), 1, {BADT(BARE_LF, "HELP", "", 5)}, 0},
    {"bare LF alone", IN("\n"), 1, {BADT(BARE_LF, "", "", 1)}, 0},
    {"bare LF after arg", IN("HELP x\n"), 1, {BADT(BARE_LF, "HELP x", "x", 7)}, 0},
    {"bare CR mid verb", IN("HE\rLP\r\n"), 1, {BADT(BARE_CR, "HE\rLP", "", 7)}, 0},
    {"bare CR before CR LF", IN("A\r\r\n"), 1, {BADT(BARE_CR, "A\r", "", 4)}, 0},
    {"bare CR only", IN("\r\r\n"), 1, {BADT(BARE_CR, "\r", "", 3)}, 0},
    {"bare CR in arg", IN("HELP a\rb\r\n"), 1, {BADT(BARE_CR, "HELP a\rb", "a\rb", 10)}, 0},
    {"bare CR then bare LF", IN("HELP\rX\n"), 1, {BAD(BARE_LF, 7)}, 0},
    {"CR CR LF LF", IN("HELP\r\r\n\n"), 2, {BAD(BARE_CR, 7), BAD(BARE_LF, 1)}, 0},
    /* Control bytes: one row per class. */
    {"NUL in arg", IN("HELP \0x\r\n"), 1, {BAD(CTRL, 9)}, 0},
    {"NUL in verb", IN("HE\0LP\r\n"), 1, {BAD(CTRL, 7)}, 0},
    {"NUL alone", IN("\0\r\n"), 1, {BAD(CTRL, 3)}, 0},
    {"HT in arg", IN("HELP\tx\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"HT after SP", IN("MAIL FROM:<a>\t\r\n"), 1, {BAD(CTRL, 16)}, 0},
    {"SOH 0x01", IN("HELP \x01\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"BS 0x08", IN("HELP \x08\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"VT 0x0B", IN("HELP \x0b\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"FF 0x0C", IN("HELP \x0c\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"ESC 0x1B", IN("HELP \x1b[0m\r\n"), 1, {BAD(CTRL, 11)}, 0},
    {"US 0x1F", IN("HELP \x1f\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"DEL 0x7F", IN("HELP \x7f\r\n"), 1, {BAD(CTRL, 8)}, 0},
    {"DEL in verb", IN("HEL\x7fP\r\n"), 1, {BAD(CTRL, 7)}, 0},
    /* Precedence: the list order wins, wherever the problems sit. */
    {"CTRL beats BAD_UTF8 (utf8 first)", IN("HELP \xff\tx\r\n"), 1, {BAD(CTRL, 10)}, 0},
    {"CTRL beats BAD_UTF8 (ctrl first)", IN("HELP \t\xff\r\n"), 1, {BAD(CTRL, 9)}, 0},
    {"BARE_CR beats CTRL (ctrl first)", IN("X\x01\rY\r\n"), 1, {BAD(BARE_CR, 6)}, 0},
    {"BARE_CR beats BAD_UTF8", IN("HELP \xc3\rx\r\n"), 1, {BAD(BARE_CR, 10)}, 0},
    {"BARE_LF beats CTRL", IN("HE\x01LP\n"), 1, {BAD(BARE_LF, 6)}, 0},
    {"CTRL beats BAD_VERB", IN("1\x01\r\n"), 1, {BAD(CTRL, 4)}, 0},
    {"BAD_UTF8 beats BAD_VERB", IN("\xff\r\n"), 1, {BAD(BAD_UTF8, 3)}, 0},
    {"BAD_UTF8 in arg of unknown verb", IN("HELPX \xc0\x80\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    /* Verbs. */
    {"empty line", IN("\r\n"), 1, {BADT(BAD_VERB, "", "", 2)}, 0},
    {"leading SP", IN(" HELP\r\n"), 1, {BADT(BAD_VERB, " HELP", "HELP", 7)}, 0},
    {"SP only", IN(" \r\n"), 1, {BADT(BAD_VERB, " ", "", 3)}, 0},
    {"digit verb", IN("1234\r\n"), 1, {BAD(BAD_VERB, 6)}, 0},
    {"digit in verb", IN("HEL1 x\r\n"), 1, {BADT(BAD_VERB, "HEL1 x", "x", 8)}, 0},
    {"punctuation in verb", IN("HELP:x y\r\n"), 1, {BADT(BAD_VERB, "HELP:x y", "y", 10)}, 0},
    {"verb-dash", IN("H-LP\r\n"), 1, {BAD(BAD_VERB, 6)}, 0},
    {"UTF-8 in verb", IN("H\xc3\xa9LP\r\n"), 1, {BAD(BAD_VERB, 7)}, 0},
    {"UTF-8 verb then arg", IN("\xc3\xa9 x\r\n"), 1, {BADT(BAD_VERB, "\xc3\xa9 x", "x", 6)}, 0},
    {"HELPX", IN("HELPX\r\n"), 1, {BADT(UNKNOWN_VERB, "HELPX", "", 7)}, 0},
    {"HELPX arg", IN("HELPX me\r\n"), 1, {BADT(UNKNOWN_VERB, "HELPX me", "me", 10)}, 0},
    {"HEL", IN("HEL\r\n"), 1, {BAD(UNKNOWN_VERB, 5)}, 0},
    {"X", IN("X\r\n"), 1, {BAD(UNKNOWN_VERB, 3)}, 0},
    {"long word", IN("STARTTLSSTARTTLS\r\n"), 1, {BAD(UNKNOWN_VERB, 18)}, 0},
    /* UTF-8 in arguments: valid edges. */
    {"utf8 2-byte", IN("HELP \xc3\xa9\r\n"), 1, {OK(HELP, NULL, "\xc3\xa9", 9)}, 0},
    {"utf8 U+0080", IN("HELP \xc2\x80\r\n"), 1, {OK(HELP, NULL, "\xc2\x80", 9)}, 0},
    {"utf8 U+07FF", IN("HELP \xdf\xbf\r\n"), 1, {OK(HELP, NULL, NULL, 9)}, 0},
    {"utf8 3-byte euro", IN("HELP \xe2\x82\xac\r\n"), 1, {OK(HELP, NULL, "\xe2\x82\xac", 10)}, 0},
    {"utf8 U+0800", IN("HELP \xe0\xa0\x80\r\n"), 1, {OK(HELP, NULL, NULL, 10)}, 0},
    {"utf8 U+D7FF", IN("HELP \xed\x9f\xbf\r\n"), 1, {OK(HELP, NULL, NULL, 10)}, 0},
    {"utf8 U+E000", IN("HELP \xee\x80\x80\r\n"), 1, {OK(HELP, NULL, NULL, 10)}, 0},
    {"utf8 U+FFFF", IN("HELP \xef\xbf\xbf\r\n"), 1, {OK(HELP, NULL, NULL, 10)}, 0},
    {"utf8 4-byte emoji", IN("HELP \xf0\x9f\x98\x80\r\n"), 1, {OK(HELP, NULL, NULL, 11)}, 0},
    {"utf8 U+10000", IN("HELP \xf0\x90\x80\x80\r\n"), 1, {OK(HELP, NULL, NULL, 11)}, 0},
    {"utf8 U+10FFFF", IN("HELP \xf4\x8f\xbf\xbf\r\n"), 1, {OK(HELP, NULL, NULL, 11)}, 0},
    {"utf8 mixed run", IN("MAIL FROM:<j\xc3\xb6rg@\xe4\xbe\x8b.\xf0\x9f\x98\x80>\r\n"), 1,
     {OK(MAIL, NULL, NULL, 0)}, 0},
    /* UTF-8: invalid. */
    {"overlong C0 80", IN("HELP \xc0\x80\r\n"), 1, {BAD(BAD_UTF8, 9)}, 0},
    {"overlong C1 BF", IN("HELP \xc1\xbf\r\n"), 1, {BAD(BAD_UTF8, 9)}, 0},
    {"overlong E0 80 80", IN("HELP \xe0\x80\x80\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"overlong E0 9F BF", IN("HELP \xe0\x9f\xbf\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"overlong F0 80 80 80", IN("HELP \xf0\x80\x80\x80\r\n"), 1, {BAD(BAD_UTF8, 11)}, 0},
    {"overlong F0 8F BF BF", IN("HELP \xf0\x8f\xbf\xbf\r\n"), 1, {BAD(BAD_UTF8, 11)}, 0},
    {"surrogate ED A0 80", IN("HELP \xed\xa0\x80\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"surrogate ED BF BF", IN("HELP \xed\xbf\xbf\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"above max F4 90 80 80", IN("HELP \xf4\x90\x80\x80\r\n"), 1, {BAD(BAD_UTF8, 11)}, 0},
    {"lead F5", IN("HELP \xf5\x80\x80\x80\r\n"), 1, {BAD(BAD_UTF8, 11)}, 0},
    {"lead F8", IN("HELP \xf8\x88\x80\x80\x80\r\n"), 1, {BAD(BAD_UTF8, 12)}, 0},
    {"byte FE", IN("HELP \xfe\r\n"), 1, {BAD(BAD_UTF8, 8)}, 0},
    {"byte FF", IN("HELP \xff\r\n"), 1, {BAD(BAD_UTF8, 8)}, 0},
    {"lone continuation 80", IN("HELP \x80\r\n"), 1, {BAD(BAD_UTF8, 8)}, 0},
    {"lone continuation BF", IN("HELP a\xbf\r\n"), 1, {BAD(BAD_UTF8, 9)}, 0},
    {"extra continuation", IN("HELP \xc3\xa9\xa9\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"truncated 2 at end", IN("HELP \xc3\r\n"), 1, {BAD(BAD_UTF8, 8)}, 0},
    {"truncated 3 at end", IN("HELP \xe2\x82\r\n"), 1, {BAD(BAD_UTF8, 9)}, 0},
    {"truncated 4 at end", IN("HELP \xf0\x9f\x98\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"truncated by SP", IN("HELP \xc3 x\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"truncated by ASCII", IN("HELP \xe2\x82x\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"truncated then valid", IN("HELP \xe2\xc3\xa9\r\n"), 1, {BAD(BAD_UTF8, 10)}, 0},
    {"lead only line", IN("\xc3\r\n"), 1, {BAD(BAD_UTF8, 3)}, 0},
    {"invalid then good line", IN("HELP \xc0\xaf\r\nHELP\r\n"), 2,
     {BAD(BAD_UTF8, 9), OK(HELP, "HELP", "", 6)}, 0},
};
/* clang-format on */

static void test_rows(void **state)
{
    size_t i;
    (void)state;

    failures = 0;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_row(rows[i].name, rows[i].in, rows[i].len, rows[i].want, rows[i].n, rows[i].pending);
    assert_int_equal(failures, 0);
}

/* Every C0 control but CR and LF, and DEL, in the argument: CTRL each. */
static void test_every_control_byte(void **state)
{
    unsigned b;
    (void)state;

    failures = 0;
    for (b = 0; b < 0x80; b++) {
        char in[16], name[32];
        struct want w = BAD(CTRL, 9);

        if (b == '\r' || b == '\n' || (b >= 0x20 && b < 0x7F))
            continue;
        memcpy(in, "NOOP a\0b\r\n", 10);
        in[6] = (char)b;
        snprintf(name, sizeof name, "control 0x%02X", b);
        w.octets = 10;
        check_row(name, in, 10, &w, 1, 0);
    }
    assert_int_equal(failures, 0);
}

/* Every printable octet is allowed in the argument. */
static void test_every_printable_byte(void **state)
{
    char in[128];
    size_t n = 0;
    unsigned b;
    struct want w = OK(NOOP, NULL, NULL, 0);
    (void)state;

    failures = 0;
    memcpy(in, "NOOP ", 5);
    n = 5;
    for (b = 0x20; b < 0x7F; b++)
        in[n++] = (char)b;
    in[n++] = '\r';
    in[n++] = '\n';
    w.octets = n;
    check_row("all printable", in, n, &w, 1, 0);
    assert_int_equal(failures, 0);
}

/* Every verb in upper, lower, mixed case, with and without an argument. */
static void test_every_verb(void **state)
{
    int v;
    (void)state;

    failures = 0;
    for (v = SMTP_VERB_NONE + 1; v < SMTP_VERB_COUNT; v++) {
        const char *name = smtp_verb_name((enum smtp_verb)v);
        size_t len = strlen(name), i;
        int c;

        for (c = 0; c < 3; c++) {
            static const char *const case_name[] = {"upper", "lower", "mixed"};
            char verb[16], in[64], row[64];
            int arg;

            for (i = 0; i < len; i++) {
                int lower = c == 1 || (c == 2 && i % 2 == 1);
                verb[i] = lower ? (char)(name[i] - 'A' + 'a') : name[i];
            }
            verb[len] = '\0';
            for (arg = 0; arg < 2; arg++) {
                struct want w = {SMTP_LINE_OK, (enum smtp_verb)v, NULL, NULL, 0};
                int n = snprintf(in, sizeof in, "%s%s\r\n", verb, arg ? " some <arg>" : "");

                w.text = NULL;
                w.arg = arg ? "some <arg>" : "";
                w.octets = (uint64_t)n;
                snprintf(row, sizeof row, "%s %s%s", name, case_name[c], arg ? " with arg" : "");
                check_row(row, in, (size_t)n, &w, 1, 0);
            }
        }
    }
    assert_int_equal(failures, 0);
}

/* A line of `content` octets ("NOOP " then 'a'), then `term`, into buf; returns its length. */
static size_t make_line(char *buf, size_t content, const char *term)
{
    size_t i;

    memcpy(buf, "NOOP ", 5);
    for (i = 5; i < content; i++)
        buf[i] = 'a';
    memcpy(buf + content, term, strlen(term));
    return content + strlen(term);
}

/* 510 octets of content + CR LF is the longest good line (RFC 5321 4.5.3.1.4). */
static void test_length_boundary(void **state)
{
    static char buf[2048], tail[2048];
    size_t n;
    struct want w[2];
    (void)state;

    failures = 0;
    n = make_line(buf, 510, "\r\n");
    w[0] = (struct want)OK(NOOP, NULL, NULL, 512);
    check_row("510 content + CRLF (512 octets)", buf, n, w, 1, 0);

    n = make_line(buf, 509, "\r\n");
    w[0] = (struct want)OK(NOOP, NULL, NULL, 511);
    check_row("509 content + CRLF", buf, n, w, 1, 0);

    n = make_line(buf, 511, "\r\n");
    w[0] = (struct want)BAD(TOO_LONG, 513);
    check_row("511 content + CRLF (513 octets)", buf, n, w, 1, 0);

    n = make_line(buf, 512, "\r\n");
    w[0] = (struct want)BAD(TOO_LONG, 514);
    check_row("512 content + CRLF", buf, n, w, 1, 0);

    n = make_line(buf, 513, "\r\n");
    w[0] = (struct want)BAD(TOO_LONG, 515);
    check_row("513 content + CRLF", buf, n, w, 1, 0);

    /* Bare LF lines: TOO_LONG only above 512 octets, LF included. */
    n = make_line(buf, 511, "\n");
    w[0] = (struct want)BAD(BARE_LF, 512);
    check_row("511 content + LF (512 octets)", buf, n, w, 1, 0);
    n = make_line(buf, 512, "\n");
    w[0] = (struct want)BAD(TOO_LONG, 513);
    check_row("512 content + LF (513 octets)", buf, n, w, 1, 0);

    /* Bare CR just before the terminator, at the edge. */
    n = make_line(buf, 509, "\r\r\n");
    w[0] = (struct want)BAD(BARE_CR, 512);
    check_row("509 content + CR CR LF (512 octets)", buf, n, w, 1, 0);
    n = make_line(buf, 510, "\r\r\n");
    w[0] = (struct want)BAD(TOO_LONG, 513);
    check_row("510 content + CR CR LF (513 octets)", buf, n, w, 1, 0);

    /* TOO_LONG outranks whatever else the line holds. */
    n = make_line(buf, 600, "\r\n");
    buf[3] = '\0';
    buf[300] = '\r';
    buf[550] = '\xff';
    w[0] = (struct want)BAD(TOO_LONG, 602);
    check_row("too long with NUL, bare CR, bad UTF-8", buf, n, w, 1, 0);

    /* A too-long line does not disturb the next one. */
    n = make_line(buf, 700, "\r\n");
    memcpy(buf + n, "HELP\r\n", 6);
    n += 6;
    w[0] = (struct want)BAD(TOO_LONG, 702);
    w[1] = (struct want)OK(HELP, "HELP", "", 6);
    check_row("too long then HELP", buf, n, w, 2, 0);

    /* The text of a too-long line is its first 512 octets; without the CR when it fits. */
    n = make_line(buf, 511, "\r\n");
    memcpy(tail, buf, 511);
    tail[511] = '\0';
    w[0] = (struct want)BADT(TOO_LONG, tail, tail + 5, 513);
    check_row("511 content: text is all of it", buf, n, w, 1, 0);
    n = make_line(buf, 512, "\r\n");
    memcpy(tail, buf, 512);
    tail[512] = '\0';
    w[0] = (struct want)BADT(TOO_LONG, tail, tail + 5, 514);
    check_row("512 content: text is all of it", buf, n, w, 1, 0);
    n = make_line(buf, 900, "\r\n");
    w[0] = (struct want)BADT(TOO_LONG, tail, tail + 5, 902);
    check_row("900 content: text is the first 512", buf, n, w, 1, 0);
    assert_int_equal(failures, 0);
}

/* A 10^6-octet line: one TOO_LONG, exact octet count, bounded state; then resync. */
static void test_megabyte_line(void **state)
{
    const size_t big = 1000000;
    char *buf = malloc(big + 16);
    char first[SMTP_LINE_MAX + 1];
    struct want w[2];
    (void)state;

    assert_non_null(buf);
    failures = 0;
    make_line(buf, big - 2, "\r\n");
    memcpy(first, buf, SMTP_LINE_MAX);
    first[SMTP_LINE_MAX] = '\0';
    memcpy(buf + big, "QUIT\r\n", 6);
    w[0] = (struct want)BADT(TOO_LONG, first, first + 5, big);
    w[1] = (struct want)OK(QUIT, "QUIT", "", 6);
    check_row("10^6-octet line then QUIT", buf, big + 6, w, 2, 0);

    buf[big - 2] = 'a'; /* now ends in a bare LF: still TOO_LONG, reported once */
    w[0] = (struct want)BAD(TOO_LONG, big);
    check_row("10^6-octet line, bare LF", buf, big, w, 1, 0);

    check_row("10^6-octet unterminated", buf, big - 1, w, 0, 1);
    free(buf);

    /* O(1) memory: the state is the 512-octet buffer plus a few counters, whatever the line. */
    assert_true(sizeof(struct smtp_line) <= SMTP_LINE_MAX + 32);
    assert_int_equal(failures, 0);
}

/*
 * Inputs that end exactly at the guard page, cut at every length, so every
 * branch that looks ahead (a CR, a UTF-8 lead, the word-at-a-time scan's
 * tail) meets the end of input. check_row already guards every piece; this
 * sweeps the cut points.
 */
static void test_guard_page_prefixes(void **state)
{
    static const char *const lines[] = {
        "MAIL FROM:<someone@example.org> SIZE=1000\r\nHELP\r\n",
        "HELP \xf0\x9f\x98\x80\xe2\x82\xac\xc3\xa9 abcdefghijklmnop\r\n",
        "HELP \xf0\x9f\x98\r\n",
        "NOOP\r\r\r\n\n\r\n",
    };
    size_t i, cut;
    (void)state;

    failures = 0;
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t len = strlen(lines[i]);

        for (cut = 0; cut <= len; cut++) {
            struct got whole, other;
            char row[64];
            int mode;

            snprintf(row, sizeof row, "input %zu cut at %zu", i, cut);
            run(lines[i], cut, FEED_WHOLE, 0, &whole);
            if (whole.api_errors)
                mismatch_u(row, "whole", 0, "API contract errors", whole.api_errors, 0);
            for (mode = FEED_BYTES; mode < FEED_MODE_COUNT; mode++) {
                run(lines[i], cut, (enum feed_mode)mode, cut + 1, &other);
                check_same(row, feed_mode_name((enum feed_mode)mode), &other, &whole);
            }
        }
    }
    assert_int_equal(failures, 0);
}

/*
 * The reference for random inputs is naive_line_classify (tests/naive_line.c): docs/contract.md
 * sections 1-2 written out plainly, sharing no code with the tokenizer.
 */

/* A splitmix64 step for the generator (deterministic per seed). */
static uint64_t gen_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Random inputs built from the pieces that matter, against the reference, in every split. */
static void test_random_vs_reference(void **state)
{
    /* clang-format off */
    static const char *const pieces[] = {
        "HELP", "help", "NOOP", "StartTls", "MAIL FROM:<a@b>", "HELPX", " ", " ", "x",
        "\r\n", "\r\n", "\r\n", "\n", "\r", "\t", "\x7f", "\x01", "1", ":",
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xc3",
        "\xe2\x82", "\xf0\x9f", "\x80", "\xbf", "\xc0\x80", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf5", "\xff", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",
    };
    /* clang-format on */
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    char *in = malloc(4096);
    uint64_t rng = 42;
    int iter;
    (void)state;

    assert_non_null(in);
    failures = 0;
    for (iter = 0; iter < 3000 && failures == 0; iter++) {
        struct want want[MAX_LINES];
        size_t len = 0, start = 0, n = 0, i;
        int npiece = (int)(gen_next(&rng) % 24);
        char row[48];

        while (npiece-- > 0) {
            uint64_t r = gen_next(&rng);
            if (r % 61 == 0) {
                /* Sometimes a long run, to cross the 512-octet cap. */
                size_t run_len = 400 + (size_t)(r >> 8) % 200;
                if (len + run_len > 3500)
                    break;
                memset(in + len, 'a', run_len);
                len += run_len;
            } else {
                const char *pc = pieces[(r >> 8) % npieces];
                size_t pl = strlen(pc);
                memcpy(in + len, pc, pl);
                len += pl;
            }
        }
        /* Build the reference result line by line. */
        for (i = 0; i < len; i++) {
            if (in[i] != '\n')
                continue;
            if (n < MAX_LINES) {
                want[n].status = naive_line_classify((const unsigned char *)in + start,
                                                     i + 1 - start, &want[n].verb);
                want[n].text = NULL;
                want[n].arg = NULL;
                want[n].octets = i + 1 - start;
            }
            n++;
            start = i + 1;
        }
        if (n > MAX_LINES)
            continue; /* keep only inputs the recorder holds whole */
        snprintf(row, sizeof row, "random input %d", iter);
        check_row(row, in, len, want, n, start < len);
    }
    free(in);
    assert_int_equal(failures, 0);
}

/* Reset drops a partial line; pending reports it. */
static void test_reset_and_pending(void **state)
{
    struct smtp_line lp;
    struct smtp_cmd cmd;
    size_t used;
    (void)state;

    memset(&lp, 0, sizeof lp);
    assert_false(smtp_line_pending(&lp));
    assert_int_equal(smtp_line_feed(&lp, "HEL", 3, &used, &cmd), SMTP_LINE_NEED_MORE);
    assert_int_equal(used, 3);
    assert_true(smtp_line_pending(&lp));
    assert_int_equal(smtp_line_feed(&lp, NULL, 0, &used, &cmd), SMTP_LINE_NEED_MORE);
    assert_int_equal(used, 0);
    smtp_line_reset(&lp);
    assert_false(smtp_line_pending(&lp));
    assert_int_equal(smtp_line_feed(&lp, "P\r\nNOOP\r\n", 9, &used, &cmd), SMTP_LINE_READY);
    assert_int_equal(used, 3);
    assert_int_equal(cmd.status, SMTP_LINE_UNKNOWN_VERB); /* "P": HELP without the reset */
    assert_int_equal(cmd.octets, 3);
    assert_int_equal(smtp_line_feed(&lp, "NOOP\r\n", 6, &used, &cmd), SMTP_LINE_READY);
    assert_int_equal(cmd.verb, SMTP_VERB_NOOP);
    assert_false(smtp_line_pending(&lp));
}

static void test_status_names(void **state)
{
    int s;
    (void)state;

    for (s = 0; s < SMTP_LINE_STATUS_COUNT; s++) {
        const char *name = smtp_line_status_name((enum smtp_line_status)s);
        assert_non_null(name);
        assert_true(name[0] != '\0');
    }
    assert_string_equal(smtp_line_status_name(SMTP_LINE_OK), "well-framed command");
    assert_string_equal(smtp_line_status_name(SMTP_LINE_STATUS_COUNT), "invalid line status");
    assert_string_equal(smtp_line_status_name((enum smtp_line_status)(0 - 1)),
                        "invalid line status");
}

/* Caller bugs abort, whatever NDEBUG says; run each in a child. */
enum null_case { NULL_LP, NULL_BUF, NULL_USED, NULL_CMD, NULL_RESET, NULL_PENDING, NULL_COUNT };

static void call_with_null(enum null_case c)
{
    struct smtp_line lp;
    struct smtp_cmd cmd;
    size_t used;

    memset(&lp, 0, sizeof lp);
    switch (c) {
    case NULL_LP:
        smtp_line_feed(NULL, "x", 1, &used, &cmd);
        break;
    case NULL_BUF:
        smtp_line_feed(&lp, NULL, 1, &used, &cmd);
        break;
    case NULL_USED:
        smtp_line_feed(&lp, "x", 1, NULL, &cmd);
        break;
    case NULL_CMD:
        smtp_line_feed(&lp, "x", 1, &used, NULL);
        break;
    case NULL_RESET:
        smtp_line_reset(NULL);
        break;
    default:
        smtp_line_pending(NULL);
        break;
    }
}

static void test_null_aborts(void **state)
{
    int c;
    (void)state;

    for (c = 0; c < NULL_COUNT; c++) {
        int status = 0;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (freopen("/dev/null", "w", stderr) == NULL)
                _exit(2);
            call_with_null((enum null_case)c);
            _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            fail_msg("null case %d: got exit status 0x%x, want SIGABRT", c, status);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_every_control_byte),
        cmocka_unit_test(test_every_printable_byte),
        cmocka_unit_test(test_every_verb),
        cmocka_unit_test(test_length_boundary),
        cmocka_unit_test(test_megabyte_line),
        cmocka_unit_test(test_guard_page_prefixes),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_reset_and_pending),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_null_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

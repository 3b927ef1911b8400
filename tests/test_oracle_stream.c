/*
 * test_oracle_stream - the walk over a client stream (fuzz/oracle_stream.h),
 * table-driven: each row is a client stream, the reply codes a server
 * gives in turn, and the units the walk must cut, written as a string
 * ("G L0+6 T6+10 ..."; each unit's kind letter, offset and length; "*"
 * marks a unit owed a reply; "c5" a line carrying a 5-octet chunk).
 *
 * The driver answers every owed unit with the next code of the row and
 * skips units owed nothing; a row whose codes run out skips the rest.
 * Rows cover what the replies decide (DATA 354 vs 503, BDAT with and
 * without its chunk, 221/421, AUTH 334, STARTTLS, a 554 greeting, the EHLO
 * offer of CHUNKING), each reading of the choices the RFCs leave (a size of
 * 10+ digits read or refused, a BDAT refused without CHUNKING read or not,
 * a bare LF a line end or not, the live runner's sent-or-not chunk), the
 * end of data under the proper rule and under a hypothesis, and the edges
 * (BDAT 0, a chunk or text cut short by the end of the stream, a tail).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "oracle_stream.h"

#define CODES_MAX 16

struct row {
    const char *name;
    const char *client; /* NUL-free */
    /* the reading, as words: "" is the reference's; "eod=N", "lf-inside", "long-chunk",
     * "unoffered-nochunk", "live" (a held-back chunk is never sent), "live-sent" (it is) */
    const char *reading;
    unsigned codes[CODES_MAX]; /* 0 ends the list */
    const char *want;
};

/* The EHLO reply every row's EHLO line gets (with its 250): CHUNKING offered unless "nochunking"
 * is in the reading words. */
#define EHLO_CHUNKING "250-server.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
#define EHLO_PLAIN "250-server.example\r\n250 PIPELINING\r\n"

static const char kind_letter[ORACLE_UNIT_KIND_COUNT] = {
    [ORACLE_UNIT_GREETING] = 'G', [ORACLE_UNIT_LINE] = 'L',      [ORACLE_UNIT_AUTH] = 'A',
    [ORACLE_UNIT_TEXT] = 'T',     [ORACLE_UNIT_CHUNK] = 'C',     [ORACLE_UNIT_TAIL] = 'E',
    [ORACLE_UNIT_AFTER] = 'X',    [ORACLE_UNIT_UNCHECKED] = 'U', [ORACLE_UNIT_END] = '.'};

/* clang-format off */
static const struct row rows[] = {
    {"plain session",
     "EHLO a\r\nHELP\r\nQUIT\r\n",
     "",
     {220, 250, 214, 221},
     "G* L0+8* L8+6* L14+6* ."},
    {"lines after 221 are owed nothing",
     "QUIT\r\nNOOP\r\nNOOP",
     "",
     {220, 221},
     "G* L0+6* X6+6 E12+4 ."},
    {"421 to a line ends the session", "NOOP\r\nNOOP\r\n", "", {220, 421}, "G* L0+6* X6+6 ."},
    {"421 greeting", "EHLO a\r\n", "", {421}, "G* X0+8 ."},
    {"554 greeting: nothing is paired", "EHLO a\r\nQUIT\r\n", "", {554}, "G* U0+14"},
    {"DATA 354: message text to CR LF . CR LF",
     "DATA\r\nhi\r\n.\r\nQUIT\r\n",
     "",
     {220, 354, 250, 221},
     "G* L0+6* T6+7* L13+6* ."},
    {"DATA refused: the text is command lines",
     "DATA\r\nhi\r\n.\r\n",
     "",
     {220, 503, 500, 500},
     "G* L0+6* L6+4* L10+3* ."},
    {"the DATA line's CR LF is the first of the end",
     "DATA\r\n.\r\nNOOP\r\n",
     "",
     {220, 354, 250, 250},
     "G* L0+6* T6+3* L9+6* ."},
    {"a look-alike is text under the proper rule",
     "DATA\r\na\n.\nb\r\n.\r\n",
     "",
     {220, 354, 250},
     "G* L0+6* T6+10* ."},
    {"a look-alike ends the text under its hypothesis",
     "DATA\r\na\n.\nb\r\n.\r\n",
     "eod=1",
     {220, 354, 250, 500, 500},
     "G* L0+6* T6+4* L10+3* L13+3* ."},
    {"text cut short: no reply owed", "DATA\r\nhello", "", {220, 354}, "G* L0+6* T6+5 ."},
    {"BDAT: the chunk goes with the line",
     "BDAT 5\r\nabcdeQUIT\r\n",
     "",
     {220, 250, 221},
     "G* L0+8*c5 C8+5 L13+6* ."},
    {"BDAT refused 503: the chunk still follows",
     "BDAT 3 LAST\r\nx\r\nNOOP\r\n",
     "",
     {220, 503, 250},
     "G* L0+13*c3 C13+3 L16+6* ."},
    {"BDAT refused, read with no chunk: lines",
     "BDAT 3\r\nx\r\nNOOP\r\n",
     "unoffered-nochunk",
     {220, 500, 500, 250},
     "G* L0+8*c3 L8+3* L11+6* ."},
    {"BDAT refused, the reference's reading: still a chunk",
     "BDAT 3\r\nx\r\nNOOP\r\n",
     "",
     {220, 500, 250},
     "G* L0+8*c3 C8+3 L11+6* ."},
    {"BDAT 0 LAST: an empty chunk", "BDAT 0 LAST\r\n", "", {220, 250}, "G* L0+13*c0 C13+0 ."},
    {"BDAT cut short by the end of the stream",
     "BDAT 10\r\nabc",
     "",
     {220, 250},
     "G* L0+9*c3 C9+3 ."},
    {"BDAT with 10 digits refused: no chunk", "BDAT 1234567890\r\nNOOP\r\n", "",
     {220, 501, 250}, "G* L0+17*c6 L17+6* ."},
    {"BDAT with 10 digits read as a chunk", "BDAT 1234567890\r\nNOOP\r\n", "long-chunk",
     {220, 250}, "G* L0+17*c6 C17+6 ."},
    {"CHUNKING offered: the chunk is certain", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     "unoffered-nochunk", {220, 250, 503, 250}, "G* L0+8* L8+8*c3! C16+3 L19+6* ."},
    {"CHUNKING not offered: refused BDAT reads no chunk", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     "nochunking unoffered-nochunk", {220, 250, 502, 500}, "G* L0+8* L8+8*c3 L16+9* ."},
    {"CHUNKING not offered: a BDAT taken reads its chunk", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     "nochunking unoffered-nochunk", {220, 250, 250, 250}, "G* L0+8* L8+8*c3 C16+3 L19+6* ."},
    {"live: a reply before the chunk was sent", "BDAT 3\r\nabcNOOP\r\n", "live", {220, 501, 500},
     "G* L0+8*c3 L8+9* ."},
    {"live: the chunk went out before the reply", "BDAT 3\r\nabcNOOP\r\n", "live-sent",
     {220, 250, 250}, "G* L0+8*c3 C8+3 L11+6* ."},
    {"a bare LF inside a line (only CR LF ends it)", "NOOP\nNOOP\r\nQUIT\r\n", "lf-inside",
     {220, 250, 221}, "G* L0+11* L11+6* ."},
    {"a bare LF line end (the reference's reading)", "NOOP\nNOOP\r\nQUIT\r\n", "",
     {220, 500, 250, 221}, "G* L0+5* L5+6* L11+6* ."},
    {"only CR LF ends a line: a trailing bare LF is a tail", "NOOP\r\nNOOP\n", "lf-inside",
     {220, 250}, "G* L0+6* E6+5 ."},
    {"BDAT answered 421 reads no chunk", "BDAT 2\r\nab\r\n", "", {220, 421}, "G* L0+8*c2 X8+4 ."},
    {"AUTH 334: the next line is a response",
     "AUTH PLAIN\r\nxyz\r\nabc\r\nNOOP\r\n",
     "",
     {220, 334, 334, 235, 250},
     "G* L0+12* A12+5* A17+5* L22+6* ."},
    {"STARTTLS 220: the rest is not paired",
     "STARTTLS\r\n\x16\x03\x01",
     "",
     {220, 220},
     "G* L0+10* U10+3"},
    {"STARTTLS refused: lines go on",
     "STARTTLS\r\nNOOP\r\n",
     "",
     {220, 502, 250},
     "G* L0+10* L10+6* ."},
    {"unterminated tail", "NOOP\r\nNOO", "", {220, 250}, "G* L0+6* E6+3 ."},
    {"empty stream", "", "", {220}, "G* ."},
};
/* clang-format on */

/* has_word - the reading words of a row hold w */
static int has_word(const char *words, const char *w)
{
    size_t n = strlen(w);
    const char *p = words;

    while ((p = strstr(p, w)) != NULL) {
        if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* walk - the units of row r, in the row's notation */
static void walk(const struct row *r, char *out, size_t cap)
{
    struct oracle_stream s;
    struct oracle_reading rd;
    size_t used = 0, next_code = 0, steps;
    const char *eod = strstr(r->reading, "eod=");
    const char *ehlo = has_word(r->reading, "nochunking") ? EHLO_PLAIN : EHLO_CHUNKING;

    oracle_reading_reference(&rd);
    rd.eod = eod != NULL ? (unsigned)(eod[4] - '0') : ORACLE_EOD_PROPER;
    rd.bare_lf_ends_line = !has_word(r->reading, "lf-inside");
    if (has_word(r->reading, "long-chunk"))
        rd.bdat_digits = 255;
    rd.unoffered_bdat_chunk = !has_word(r->reading, "unoffered-nochunk");
    rd.live = has_word(r->reading, "live") || has_word(r->reading, "live-sent");
    oracle_stream_init(&s, r->client, strlen(r->client), &rd);
    out[0] = '\0';
    for (steps = 0; steps < 64; steps++) {
        const struct oracle_unit *u = oracle_stream_unit(&s);
        char one[64];

        if (u->kind == ORACLE_UNIT_GREETING)
            snprintf(one, sizeof one, "G%s", u->owed ? "*" : "");
        else if (u->kind == ORACLE_UNIT_END)
            snprintf(one, sizeof one, ".");
        else
            snprintf(one, sizeof one, "%c%zu+%zu%s", kind_letter[u->kind], u->off, u->len,
                     u->owed ? "*" : "");
        if (u->chunk)
            snprintf(one + strlen(one), sizeof one - strlen(one), "c%zu%s", u->chunk_len,
                     u->chunk_certain ? "!" : "");
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used > 0 ? " " : "", one);
        if (u->kind == ORACLE_UNIT_END || u->kind == ORACLE_UNIT_UNCHECKED)
            return;
        if (u->chunk && has_word(r->reading, "live-sent"))
            oracle_stream_chunk_sent(&s);
        if (u->owed && next_code < CODES_MAX && r->codes[next_code] != 0) {
            unsigned code = r->codes[next_code++];
            const char *text = "";
            if (u->kind == ORACLE_UNIT_LINE && code == 250 && u->len >= 4 &&
                strncmp(r->client + u->off, "EHLO", 4) == 0)
                text = ehlo;
            oracle_stream_reply_text(&s, code, text, strlen(text));
        } else {
            oracle_stream_skip(&s);
        }
    }
    fail_msg("%s: the walk did not end", r->name);
}

static void test_rows(void **state)
{
    size_t k;
    int bad = 0;

    (void)state;
    for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        char got[512];
        walk(&rows[k], got, sizeof got);
        if (strcmp(got, rows[k].want) != 0) {
            print_error("%s:\n  got  %s\n  want %s\n", rows[k].name, got, rows[k].want);
            bad = 1;
        }
    }
    assert_false(bad);
}

/* The line classification rides along: rule 1 judges each reply by it. */
static void test_line_class(void **state)
{
    struct oracle_stream s;
    const struct oracle_unit *u;

    (void)state;
    oracle_stream_init(&s, "help me\r\nXYZ\r\nNOOP\n", 19, NULL);
    oracle_stream_reply(&s, 220);
    u = oracle_stream_unit(&s);
    assert_int_equal(u->cls, ORACLE_LINE_HELP);
    oracle_stream_reply(&s, 214);
    u = oracle_stream_unit(&s);
    assert_int_equal(u->cls, ORACLE_LINE_MALFORMED);
    assert_int_equal(u->fault, ORACLE_FAULT_UNKNOWN_VERB);
    oracle_stream_reply(&s, 500);
    u = oracle_stream_unit(&s);
    assert_int_equal(u->fault, ORACLE_FAULT_BARE_LF);
    assert_int_equal(u->owed, 1);
}

/* End-of-data rules: names, the proper one first, look-alikes found where they are. */
static void test_eod_rules(void **state)
{
    static const char text[] = "\r\nab\n.\ncd\r\n.\r\n";
    size_t at = 0, end = 0;
    unsigned k;

    (void)state;
    assert_true(oracle_eod_rules() >= 8);
    assert_string_equal(oracle_eod_name(ORACLE_EOD_PROPER), "CR LF . CR LF");
    for (k = 0; k < oracle_eod_rules(); k++)
        assert_non_null(oracle_eod_name(k));
    assert_true(oracle_eod_find(ORACLE_EOD_PROPER, text, sizeof text - 1, 0, &at, &end));
    assert_int_equal(at, 9);
    assert_int_equal(end, 14);
    assert_true(oracle_eod_lookalike(text, sizeof text - 1, 0, sizeof text - 1, &at));
    assert_int_equal(at, 4);
    assert_false(oracle_eod_lookalike(text, sizeof text - 1, 5, 9, &at));
    assert_string_equal(oracle_unit_id(ORACLE_UNIT_TEXT), "message-text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_line_class),
        cmocka_unit_test(test_eod_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_smtp_data - the DATA-mode reader, table-driven: where the data
 * ends (only at CR LF . CR LF), dot-unstuffing, bare CR / bare LF and long
 * lines, each row fed whole, byte by byte and in random chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed_split.h"
#include "smtp_data.h"

#define TERM "\r\n.\r\n" /* what closes every row that must not end early */

/* One row: an input, where the data must end, what is left, the verdict. */
struct data_row {
    const char *name;
    const char *in;
    size_t in_len;
    size_t want_used; /* octets up to the end of data; in_len + 1 means "never ends" */
    enum smtp_data_verdict want_verdict;
    const char *want_out; /* the unstuffed message */
    size_t want_out_len;
};

#define ROW(name, in, used, verdict, out)                                                          \
    {                                                                                              \
        name, in, sizeof(in) - 1, used, verdict, out, sizeof(out) - 1                              \
    }
#define WHOLE(in) (sizeof(in) - 1) /* the row ends exactly at its end */

static const struct data_row end_rows[] = {
    ROW("empty message right after DATA", ".\r\n", 3, SMTP_DATA_CLEAN, ""),
    ROW("one line", "abc\r\n.\r\n", 8, SMTP_DATA_CLEAN, "abc\r\n"),
    ROW("end then the next command", "a\r\n.\r\nQUIT\r\n", 6, SMTP_DATA_CLEAN, "a\r\n"),
    ROW("empty line then end", "\r\n.\r\n", 5, SMTP_DATA_CLEAN, "\r\n"),
    ROW("two lines", "Subject: x\r\n\r\nbody\r\n.\r\n", WHOLE("Subject: x\r\n\r\nbody\r\n.\r\n"),
        SMTP_DATA_CLEAN, "Subject: x\r\n\r\nbody\r\n"),
    /* The smuggling family: none of these ends the data (CVE-2023-51764/5/6). */
    ROW("LF . LF", "a\n.\nb" TERM, WHOLE("a\n.\nb" TERM), SMTP_DATA_BARE_LF, "a\n.\nb\r\n"),
    ROW("LF . CR LF", "a\n.\r\nb" TERM, WHOLE("a\n.\r\nb" TERM), SMTP_DATA_BARE_LF,
        "a\n.\r\nb\r\n"),
    ROW("CR . CR", "a\r.\rb" TERM, WHOLE("a\r.\rb" TERM), SMTP_DATA_BARE_CR, "a\r.\rb\r\n"),
    ROW("CR . CR LF", "a\r.\r\nb" TERM, WHOLE("a\r.\r\nb" TERM), SMTP_DATA_BARE_CR,
        "a\r.\r\nb\r\n"),
    ROW("CR LF . LF", "a\r\n.\nb" TERM, WHOLE("a\r\n.\nb" TERM), SMTP_DATA_BARE_LF, "a\r\n\nb\r\n"),
    ROW("CR LF . CR x", "a\r\n.\rb" TERM, WHOLE("a\r\n.\rb" TERM), SMTP_DATA_BARE_CR,
        "a\r\n\rb\r\n"),
    ROW("CR LF . CR CR LF", "a\r\n.\r\r\nb" TERM, WHOLE("a\r\n.\r\r\nb" TERM), SMTP_DATA_BARE_CR,
        "a\r\n\r\r\nb\r\n"),
    ROW(". LF right after DATA", ".\nb" TERM, WHOLE(".\nb" TERM), SMTP_DATA_BARE_LF, "\nb\r\n"),
    ROW("LF . LF right after DATA", "\n.\n" TERM, WHOLE("\n.\n" TERM), SMTP_DATA_BARE_LF,
        "\n.\n\r\n"),
    ROW("CR LF . SP CR LF", "a\r\n. \r\nb" TERM, WHOLE("a\r\n. \r\nb" TERM), SMTP_DATA_CLEAN,
        "a\r\n \r\nb\r\n"),
    ROW("CR CR LF . CR LF ends (the CR LF is real)", "a\r\r\n.\r\n", WHOLE("a\r\r\n.\r\n"),
        SMTP_DATA_BARE_CR, "a\r\r\n"),
    ROW("LF CR LF . CR LF ends", "a\n\r\n.\r\n", WHOLE("a\n\r\n.\r\n"), SMTP_DATA_BARE_LF,
        "a\n\r\n"),
    ROW("NUL and 8-bit octets are plain text", "a\0\xff\r\n.\r\n", WHOLE("a\0\xff\r\n.\r\n"),
        SMTP_DATA_CLEAN, "a\0\xff\r\n"),
    ROW("never ends", "a\r\n.\n.\r.\r\n..\r\n", WHOLE("a\r\n.\n.\r.\r\n..\r\n") + 1,
        SMTP_DATA_CLEAN, ""),
    /* Dot-unstuffing (RFC 5321 4.5.2). */
    ROW("doubled dot alone", "..\r\n.\r\n", WHOLE("..\r\n.\r\n"), SMTP_DATA_CLEAN, ".\r\n"),
    ROW("doubled dot then text", "a\r\n..b\r\n.\r\n", WHOLE("a\r\n..b\r\n.\r\n"), SMTP_DATA_CLEAN,
        "a\r\n.b\r\n"),
    ROW("single leading dot dropped", ".a\r\n.\r\n", WHOLE(".a\r\n.\r\n"), SMTP_DATA_CLEAN,
        "a\r\n"),
    ROW("three dots become two", "...\r\n.\r\n", WHOLE("...\r\n.\r\n"), SMTP_DATA_CLEAN, "..\r\n"),
    ROW("dots inside a line stay", "a.b.\r\n.\r\n", WHOLE("a.b.\r\n.\r\n"), SMTP_DATA_CLEAN,
        "a.b.\r\n"),
    ROW("dot after a bare LF is not stuffing", "a\n..\r\n.\r\n", WHOLE("a\n..\r\n.\r\n"),
        SMTP_DATA_BARE_LF, "a\n..\r\n"),
    /* When several problems occur, the first in the verdict list wins. */
    ROW("bare LF then bare CR: bare CR wins", "a\nb\rc\r\n.\r\n", WHOLE("a\nb\rc\r\n.\r\n"),
        SMTP_DATA_BARE_CR, "a\nb\rc\r\n"),
};

/* What one feeding of a row produced. */
struct data_got {
    struct smtp_data dp;
    int ended;
    size_t used; /* octets consumed up to the end of data */
    struct smtp_data_end end;
    char *out;
    size_t out_len;
    int keep; /* pass an output buffer */
};

/* got_feed - feed_split callback: consume one piece, stop at the end of data */
static void got_feed(void *ctx, const char *ptr, size_t len)
{
    struct data_got *g = ctx;
    char *piece = malloc(len + 1);
    size_t used = 0, out_len = 0;
    enum smtp_data_result r;

    assert_non_null(piece);
    if (g->ended) {
        free(piece);
        return;
    }
    r = smtp_data_feed(&g->dp, ptr, len, &used, g->keep ? piece : NULL, g->keep ? len + 1 : 0,
                       g->keep ? &out_len : NULL, &g->end);
    assert_true(used <= len);
    if (g->keep) {
        memcpy(g->out + g->out_len, piece, out_len);
        g->out_len += out_len;
    }
    g->used += used;
    if (r == SMTP_DATA_END)
        g->ended = 1;
    else
        assert_int_equal(used, len);
    free(piece);
}

/* run_row - feed a row in one mode and check every expectation */
static void run_row(const struct data_row *row, enum feed_mode mode, uint64_t seed, int keep)
{
    struct data_got g;
    int want_end = row->want_used <= row->in_len;

    memset(&g, 0, sizeof(g));
    g.keep = keep;
    g.out = malloc(row->in_len + 2);
    assert_non_null(g.out);
    feed_split(row->in, row->in_len, mode, seed, got_feed, &g);
    if (g.ended != want_end || (want_end && g.used != row->want_used)) {
        print_error("row \"%s\" (%s, seed %llu): got end=%d after %zu octets, want end=%d "
                    "after %zu\n",
                    row->name, feed_mode_name(mode), (unsigned long long)seed, g.ended, g.used,
                    want_end, row->want_used);
        fail();
    }
    if (want_end) {
        if (g.end.verdict != row->want_verdict) {
            print_error("row \"%s\" (%s): got verdict \"%s\", want \"%s\"\n", row->name,
                        feed_mode_name(mode), smtp_data_verdict_name(g.end.verdict),
                        smtp_data_verdict_name(row->want_verdict));
            fail();
        }
        assert_int_equal(g.end.octets, row->want_out_len);
        if (keep) {
            if (g.out_len != row->want_out_len ||
                memcmp(g.out, row->want_out, row->want_out_len) != 0) {
                print_error("row \"%s\" (%s): unstuffed output differs (got %zu octets, want "
                            "%zu)\n",
                            row->name, feed_mode_name(mode), g.out_len, row->want_out_len);
                fail();
            }
        }
        /* The reader is ready for the next message: zero state again. */
        {
            struct smtp_data zero;
            memset(&zero, 0, sizeof(zero));
            assert_memory_equal(&g.dp, &zero, sizeof(zero));
        }
    }
    free(g.out);
}

/* run_rows - every row, whole, byte by byte and in random chunks, with and without output */
static void run_rows(const struct data_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int keep = 0; keep < 2; keep++) {
            run_row(&rows[i], FEED_WHOLE, 0, keep);
            run_row(&rows[i], FEED_BYTES, 0, keep);
            for (uint64_t seed = 1; seed <= 8; seed++)
                run_row(&rows[i], FEED_RANDOM, seed, keep);
        }
    }
}

/* test_end_of_data - only CR LF . CR LF ends; unstuffing; bare CR/LF flagged */
static void test_end_of_data(void **state)
{
    (void)state;
    run_rows(end_rows, sizeof(end_rows) / sizeof(end_rows[0]));
}

/* make_line_row - a row with one line of n content octets (after a prefix) then the end */
static char *make_line(const char *prefix, size_t n, size_t *len)
{
    size_t plen = strlen(prefix);
    char *buf = malloc(plen + n + sizeof(TERM));

    assert_non_null(buf);
    memcpy(buf, prefix, plen);
    memset(buf + plen, 'x', n);
    memcpy(buf + plen + n, TERM, sizeof(TERM) - 1);
    *len = plen + n + sizeof(TERM) - 1;
    return buf;
}

/* test_line_length - 1000 octets with CR LF pass, 1001 fail; a doubled dot is not counted */
static void test_line_length(void **state)
{
    static const struct {
        const char *name;
        const char *prefix; /* on the wire, before the 'x' run */
        size_t xs;
        enum smtp_data_verdict want;
    } cases[] = {
        {"998 + CR LF = 1000", "", 998, SMTP_DATA_CLEAN},
        {"999 + CR LF = 1001", "", 999, SMTP_DATA_LONG_LINE},
        {"100000-octet line", "", 100000, SMTP_DATA_LONG_LINE},
        {"doubled dot + 997 = 1000 after unstuffing", "..", 997, SMTP_DATA_CLEAN},
        {"doubled dot + 998 = 1001 after unstuffing", "..", 998, SMTP_DATA_LONG_LINE},
        {"second line 998", "short\r\n", 998, SMTP_DATA_CLEAN},
        {"second line 999", "short\r\n", 999, SMTP_DATA_LONG_LINE},
        {"bare CR counts as content: 997 + CR", "\r", 997, SMTP_DATA_BARE_CR},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *in = make_line(cases[i].prefix, cases[i].xs, &len);
        struct data_row row = {cases[i].name, in, len, len, cases[i].want, NULL, 0};
        /* Expected output: unstuffed prefix, the x run, CR LF. */
        size_t plen = strlen(cases[i].prefix);
        const char *unstuffed =
            plen >= 2 && cases[i].prefix[0] == '.' ? cases[i].prefix + 1 : cases[i].prefix;
        size_t ulen = strlen(unstuffed);
        char *want = malloc(ulen + cases[i].xs + 2);

        assert_non_null(want);
        memcpy(want, unstuffed, ulen);
        memset(want + ulen, 'x', cases[i].xs);
        memcpy(want + ulen + cases[i].xs, "\r\n", 2);
        row.want_out = want;
        row.want_out_len = ulen + cases[i].xs + 2;
        run_row(&row, FEED_WHOLE, 0, 1);
        run_row(&row, FEED_BYTES, 0, 1);
        run_row(&row, FEED_RANDOM, 7, 1);
        run_row(&row, FEED_RANDOM, 8, 0);
        free(want);
        free(in);
    }
}

/* test_back_to_back - the state resets itself: two messages in one buffer */
static void test_back_to_back(void **state)
{
    static const char in[] = ".\r\nab\r\n..\r\n.\r\nrest";
    struct smtp_data dp;
    struct smtp_data_end end;
    size_t used = 0;

    (void)state;
    memset(&dp, 0, sizeof(dp));
    assert_int_equal(smtp_data_feed(&dp, in, sizeof(in) - 1, &used, NULL, 0, NULL, &end),
                     SMTP_DATA_END);
    assert_int_equal(used, 3);
    assert_int_equal(end.octets, 0);
    assert_int_equal(smtp_data_feed(&dp, in + 3, sizeof(in) - 4, &used, NULL, 0, NULL, &end),
                     SMTP_DATA_END);
    assert_int_equal(used, 11);
    assert_int_equal(end.octets, 7); /* "ab\r\n.\r\n" */
    assert_int_equal(end.verdict, SMTP_DATA_CLEAN);
    /* Zero-length input is fine and changes nothing. */
    assert_int_equal(smtp_data_feed(&dp, NULL, 0, &used, NULL, 0, NULL, &end), SMTP_DATA_NEED_MORE);
    assert_int_equal(used, 0);
}

/* test_verdict_names - every verdict has a name; out of range is safe */
static void test_verdict_names(void **state)
{
    (void)state;
    for (int v = 0; v < SMTP_DATA_VERDICT_COUNT; v++)
        assert_true(strlen(smtp_data_verdict_name((enum smtp_data_verdict)v)) > 0);
    assert_string_equal(smtp_data_verdict_name(SMTP_DATA_VERDICT_COUNT), "unknown verdict");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_of_data),
        cmocka_unit_test(test_line_length),
        cmocka_unit_test(test_back_to_back),
        cmocka_unit_test(test_verdict_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_oracle_profile - judging other servers under profiles strict and
 * rfc (fuzz/oracle_profile.h, docs/contract.md section 8), table-driven.
 *
 * Each row is a session a server could produce: a client stream, the reply
 * stream, whether the server closed the connection first, and the verdict
 * and tolerance each profile must give. The rows come in pairs: a correct
 * server taking an RFC-legal choice (must pass under rfc, and under strict
 * wherever the contract is silent: the BDAT readings), and a broken server
 * next to it that each profile must still catch, so no tolerance is wider
 * than its RFC clause. Together they pin the false patterns seen on real
 * servers: long BDAT sizes read as chunks, BDAT without CHUNKING, closes
 * after errors, "code SP" with no text, HELP refused, lenient arguments,
 * bare LF not a line end, a reply to the client's close, an extension verb
 * the server offered, 500 for a rejected message; and Exim's: ETRN refused
 * with 458, 503 for everything after a failed BDAT (whose chunks it then
 * does not read), BDAT sizes read with strtoul, lines cut at its buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_profile.h"

#define G "220 mx.example ESMTP\r\n"
#define EHLO_CHUNKING "250-mx.example\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
#define EHLO_PLAIN "250-mx.example\r\n250 PIPELINING\r\n"
#define EHLO_XCLIENT "250-mx.example\r\n250 XCLIENT NAME ADDR\r\n"
#define NONE (-1)

struct row {
    const char *name;
    const char *client, *server;
    int closed; /* the server closed the connection before the client did */
    enum oracle_rule strict, rfc;
    int strict_tol, rfc_tol; /* a tolerance that must have been counted, or NONE */
};

static const struct row rows[] = {
    /* 1. BDAT sizes of 10+ digits (RFC 3030: chunk-size = 1*DIGIT) */
    {"long BDAT size read as a chunk", "EHLO a\r\nBDAT 0000000003\r\nabcQUIT\r\n",
     G EHLO_CHUNKING "250 3 octets\r\n221 bye\r\n", 0, ORACLE_OK, ORACLE_OK, NONE, NONE},
    {"long BDAT size refused at once", "EHLO a\r\nBDAT 0000000003\r\nabcQUIT\r\n",
     G EHLO_CHUNKING "501 size too long\r\n500 what\r\n", 0, ORACLE_OK, ORACLE_OK, NONE, NONE},
    {"refused BDATs read up to 18 digits, refused unread past them",
     "EHLO a\r\nBDAT 0000000003\r\nabcBDAT 0000000000000000000003\r\nxyzNOOP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n552 chunk too large\r\n500 what\r\n", 0, ORACLE_OK,
     ORACLE_OK, NONE, NONE},
    /* 2. BDAT when CHUNKING was not offered */
    {"BDAT refused without CHUNKING: no chunk", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     G EHLO_PLAIN "502 no\r\n500 what\r\n", 0, ORACLE_OK, ORACLE_OK, NONE, NONE},
    {"BDAT answered 500 without CHUNKING", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     G EHLO_PLAIN "500 what\r\n500 what\r\n", 0, ORACLE_500_FOR_COMMAND, ORACLE_OK, NONE,
     ORACLE_TOL_500_EXTENSION},
    {"BDAT answered 500 with CHUNKING offered (a bug)", "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
     G EHLO_CHUNKING "500 what\r\n500 what\r\n", 0, ORACLE_500_FOR_COMMAND, ORACLE_500_FOR_COMMAND,
     NONE, NONE},
    /* 3. closing after errors (RFC 5321 7.8) */
    {"close after repeated 5yz", "EHLO a\r\nXYZ\r\nXYZ\r\nNOOP\r\nNOOP\r\n",
     G EHLO_PLAIN "500 what\r\n500 too many errors\r\n", 1, ORACLE_MISSING_REPLY, ORACLE_OK, NONE,
     ORACLE_TOL_CLOSE_AFTER_ERROR},
    {"silence after a 5yz without a close (a bug)", "EHLO a\r\nXYZ\r\nNOOP\r\n",
     G EHLO_PLAIN "500 what\r\n", 0, ORACLE_MISSING_REPLY, ORACLE_MISSING_REPLY, NONE, NONE},
    {"close after a 2yz (a bug)", "EHLO a\r\nNOOP\r\nNOOP\r\n", G EHLO_PLAIN "250 ok\r\n", 1,
     ORACLE_MISSING_REPLY, ORACLE_MISSING_REPLY, NONE, NONE},
    {"421 after errors", "EHLO a\r\nXYZ\r\nXYZ\r\nNOOP\r\n",
     G EHLO_PLAIN "500 what\r\n421 too many errors\r\n", 1, ORACLE_MALFORMED_NOT_500, ORACLE_OK,
     NONE, ORACLE_TOL_421},
    /* 5. a last line of code and SP with no text (RFC 5321 4.2) */
    {"code SP, no text", "NOOP\r\n", G "250 \r\n", 0, ORACLE_BAD_REPLY, ORACLE_OK, NONE,
     ORACLE_TOL_EMPTY_TEXT},
    {"a control octet in reply text (a bug)", "NOOP\r\n", G "250 o\001k\r\n", 0, ORACLE_BAD_REPLY,
     ORACLE_BAD_REPLY, NONE, NONE},
    /* 6. HELP refused, or 211 */
    {"HELP with an argument refused", "HELP foo\r\n", G "504 5.5.4 no topic\r\n", 0,
     ORACLE_HELP_NOT_214, ORACLE_OK, NONE, ORACLE_TOL_HELP_REFUSED},
    {"HELP not implemented", "HELP\r\n", G "502 5.5.1 no\r\n", 0, ORACLE_HELP_NOT_214, ORACLE_OK,
     NONE, ORACLE_TOL_HELP_REFUSED},
    {"HELP answered 211", "HELP\r\n", G "211 help\r\n", 0, ORACLE_HELP_NOT_214, ORACLE_OK, NONE,
     ORACLE_TOL_HELP_211},
    {"HELP answered 250 (a bug)", "HELP\r\n", G "250 help\r\n", 0, ORACLE_HELP_NOT_214,
     ORACLE_HELP_NOT_214, NONE, NONE},
    {"HELP answered 503 (a bug: HELP may come any time)", "HELP\r\n", G "503 bad sequence\r\n", 0,
     ORACLE_HELP_NOT_214, ORACLE_HELP_NOT_214, NONE, NONE},
    /* 7. lenient arguments once the verb is recognised */
    {"NOOP with an HT in its argument, 250", "NOOP a\tb\r\n", G "250 ok\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, ORACLE_TOL_LENIENT_ARGUMENT},
    {"an unknown verb answered 250 (a bug)", "XYZZY a\r\n", G "250 ok\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_MALFORMED_NOT_500, NONE, NONE},
    {"214 for NOOP (a bug)", "NOOP\r\n", G "214 help\r\n", 0, ORACLE_214_NOT_HELP,
     ORACLE_214_NOT_HELP, NONE, NONE},
    /* 8. a bare LF not taken as a line end (RFC 5321 2.3.8) */
    {"bare LF inside a line", "NOOP\nNOOP\r\nHELP\r\n", G "250 ok\r\n214 help\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, ORACLE_TOL_BARE_LF_INSIDE},
    {"bare LF taken as a line end", "NOOP\nQUIT\r\n", G "250 ok\r\n221 bye\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, ORACLE_TOL_BARE_LF},
    {"HELP ended by a bare LF answered 250 (a bug)", "HELP\n", G "250 ok\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_HELP_NOT_214, NONE, NONE},
    /* 9. one reply to the client's close */
    {"a reply to the end of input", "NOOP\r\n", G "250 ok\r\n554 error reading command: EOF\r\n", 1,
     ORACLE_EXTRA_REPLY, ORACLE_OK, NONE, ORACLE_TOL_FINAL_REPLY},
    {"two replies after the end of input (a bug)", "NOOP\r\n", G "250 ok\r\n554 eof\r\n554 eof\r\n",
     1, ORACLE_EXTRA_REPLY, ORACLE_EXTRA_REPLY, NONE, NONE},
    {"a reply after 221 (a bug)", "QUIT\r\n", G "221 bye\r\n554 eof\r\n", 1, ORACLE_EXTRA_REPLY,
     ORACLE_EXTRA_REPLY, NONE, NONE},
    /* 10. end of data: any 5yz for a rejected message */
    {"500 line too long at the end of data",
     "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
     "DATA\r\nx\r\n.\r\nQUIT\r\n",
     G EHLO_PLAIN "250 ok\r\n250 ok\r\n354 go\r\n"
                  "500 5.5.2 line too long\r\n221 bye\r\n",
     0, ORACLE_OK, ORACLE_OK, NONE, NONE},
    {"end of data at LF . LF (smuggling)",
     "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
     "DATA\r\nx\n.\nNOOP\r\n.\r\n",
     G EHLO_PLAIN "250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"
                  "250 ok\r\n500 what\r\n",
     0, ORACLE_DATA_END, ORACLE_DATA_END, NONE, NONE},
    /* 11. an extension verb the server offered */
    {"an offered extension verb", "EHLO a\r\nXCLIENT NAME=x\r\n", G EHLO_XCLIENT "220 ok\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, ORACLE_TOL_OFFERED_VERB},
    {"the same verb not offered, 220 (a bug)", "EHLO a\r\nXCLIENT NAME=x\r\n",
     G EHLO_PLAIN "220 ok\r\n", 0, ORACLE_MALFORMED_NOT_500, ORACLE_MALFORMED_NOT_500, NONE, NONE},
    /* 12. a verb of the SMTP registry the contract leaves out (Exim's ETRN: 458) */
    {"ETRN refused with 458", "ETRN x\r\n", G "458 prohibited\r\n", 0, ORACLE_MALFORMED_NOT_500,
     ORACLE_OK, NONE, ORACLE_TOL_REGISTERED_VERB},
    {"an unregistered verb answered 458 (a bug)", "XTRN x\r\n", G "458 prohibited\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_MALFORMED_NOT_500, NONE, NONE},
    /* 13. after a failed BDAT only RSET (Exim's "only RSET accepted now", RFC 3030 2) */
    {"HELP answered 503 after a failed BDAT", "EHLO a\r\nBDAT 3\r\nabcHELP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n503 only RSET accepted now\r\n", 0, ORACLE_HELP_NOT_214,
     ORACLE_OK, NONE, ORACLE_TOL_BDAT_FAILED},
    {"HELP answered 503 after a failed BDAT and RSET (a bug)",
     "EHLO a\r\nBDAT 3\r\nabcRSET\r\nHELP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n250 ok\r\n503 only RSET accepted now\r\n", 0,
     ORACLE_HELP_NOT_214, ORACLE_HELP_NOT_214, NONE, NONE},
    {"a BDAT after a failed one refused unread", "EHLO a\r\nBDAT 3\r\nabcBDAT 5\r\nNOOP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n503 only RSET\r\n503 only RSET\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, NONE},
    {"a refused BDAT read unread without an earlier failure (a bug)",
     "EHLO a\r\nBDAT 5\r\nNOOP\r\nQUIT\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n250 ok\r\n221 bye\r\n", 0, ORACLE_MALFORMED_NOT_500,
     ORACLE_MALFORMED_NOT_500, NONE, NONE},
    /* 14. a BDAT size read past RFC 3030's grammar (Exim parses it with strtoul) */
    {"BDAT 3x read as a chunk of 3", "EHLO a\r\nBDAT 3x\r\nabcNOOP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n250 ok\r\n", 0, ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE,
     NONE},
    {"BDAT x3 read as a chunk (a bug: no size to read)", "EHLO a\r\nBDAT x3\r\nabcNOOP\r\n",
     G EHLO_CHUNKING "503 need RCPT\r\n250 ok\r\n", 0, ORACLE_MALFORMED_NOT_500,
     ORACLE_MALFORMED_NOT_500, NONE, NONE},
    /* 15. a chunk that ends in CR: the LF after it starts the next line, which only CR LF ends */
    {"LF after a chunk ending in CR", "EHLO a\r\nBDAT 3\r\nab\r\nNOOP\r\nHELP\r\n",
     G EHLO_CHUNKING "250 3 octets\r\n501 control octet\r\n214 help\r\n", 0,
     ORACLE_MALFORMED_NOT_500, ORACLE_OK, NONE, ORACLE_TOL_BARE_LF_INSIDE},
    {"LF after a chunk ending in CR, answered as NOOP (a bug)",
     "EHLO a\r\nBDAT 3\r\nab\r\nNOOP\r\nHELP\r\n",
     G EHLO_CHUNKING "250 3 octets\r\n250 ok\r\n214 help\r\n", 0, ORACLE_MALFORMED_NOT_500,
     ORACLE_MALFORMED_NOT_500, NONE, NONE},
};

/* judge - the verdict on a row under profile p, with the tolerances counted */
static enum oracle_rule judge(const struct row *r, enum oracle_profile p,
                              struct oracle_profile_result *res)
{
    struct oracle_judging how = {p, r->closed};

    return oracle_profile_check(&how, r->client, strlen(r->client), r->server, strlen(r->server),
                                res);
}

static void test_rows(void **state)
{
    size_t k;
    int bad = 0;

    (void)state;
    for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const struct row *r = &rows[k];
        struct oracle_profile_result res;
        int p;

        for (p = 0; p < ORACLE_PROFILE_COUNT; p++) {
            enum oracle_rule want = p == ORACLE_PROFILE_STRICT ? r->strict : r->rfc;
            int tol = p == ORACLE_PROFILE_STRICT ? r->strict_tol : r->rfc_tol;
            enum oracle_rule got = judge(r, (enum oracle_profile)p, &res);
            if (got != want) {
                print_error("%s, %s: got %s, want %s (%s)\n", r->name,
                            oracle_profile_name((enum oracle_profile)p), oracle_rule_id(got),
                            oracle_rule_id(want), res.v.detail);
                bad = 1;
            } else if (tol != NONE && res.judged.tolerated[tol] == 0) {
                print_error("%s, %s: %s was not counted\n", r->name,
                            oracle_profile_name((enum oracle_profile)p),
                            oracle_tol_id((enum oracle_tol)tol));
                bad = 1;
            }
        }
    }
    assert_false(bad);
}

/* Strict never counts a tolerance: it has none. */
/* cut_row - "NOOP " and n letters, then QUIT, answered as a server cutting at 1024 would */
static void cut_row(struct row *r, char *client, size_t n)
{
    memcpy(client, "NOOP ", 5);
    memset(client + 5, 'a', n);
    memcpy(client + 5 + n, "\r\nQUIT\r\n", 9);
    memset(r, 0, sizeof *r);
    r->name = "a line cut at a 1024-octet buffer";
    r->client = client;
    r->server = G "500 line too long\r\n500 what\r\n221 bye\r\n";
}

/* A line over a power-of-two buffer answered in pieces (Exim: 16384); one shorter may not be. */
static void test_line_cut(void **state)
{
    static char client[2048];
    struct oracle_profile_result res;
    struct row r;

    (void)state;
    cut_row(&r, client, 1100); /* 1105 + CR LF: a piece of 1024, then 83 octets */
    assert_int_equal(judge(&r, ORACLE_PROFILE_RFC, &res), ORACLE_OK);
    assert_true(res.judged.tolerated[ORACLE_TOL_LINE_CUT] > 0);
    assert_int_equal(res.judged.reading.line_cut, 1024);
    assert_int_not_equal(judge(&r, ORACLE_PROFILE_STRICT, &res), ORACLE_OK);
    cut_row(&r, client, 700); /* no buffer size it outgrows: two replies to one line */
    assert_int_not_equal(judge(&r, ORACLE_PROFILE_RFC, &res), ORACLE_OK);
}

static void test_strict_tolerates_nothing(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        struct oracle_profile_result res;
        (void)judge(&rows[k], ORACLE_PROFILE_STRICT, &res);
        if (res.judged.ntolerated != 0)
            fail_msg("%s: strict counted %zu tolerances", rows[k].name, res.judged.ntolerated);
    }
}

/* A long session leaning on a tolerance on every line still passes (no budget runs out). */
static void test_long_session(void **state)
{
    enum { LINES = 3000 };
    char *client = malloc(LINES * 6 + 1), *server = malloc(sizeof G + LINES * 8 + 1);
    struct oracle_judging how = {ORACLE_PROFILE_RFC, 0};
    struct oracle_profile_result res;
    size_t c = 0, s = 0;
    int k;

    (void)state;
    assert_non_null(client);
    assert_non_null(server);
    memcpy(server, G, sizeof G - 1);
    s = sizeof G - 1;
    for (k = 0; k < LINES; k++) {
        memcpy(client + c, "NOOP\n", 5), c += 5;
        memcpy(server + s, "250 ok\r\n", 8), s += 8;
    }
    assert_int_equal(oracle_profile_check(&how, client, c, server, s, &res), ORACLE_OK);
    assert_int_equal(res.judged.tolerated[ORACLE_TOL_BARE_LF], LINES);
    free(client);
    free(server);
}

/* The transcript names the reading followed and each tolerance where it applied. */
static void test_transcript(void **state)
{
    static const struct row r = {"BDAT refused without CHUNKING",
                                 "EHLO a\r\nBDAT 3\r\nabcNOOP\r\n",
                                 G EHLO_PLAIN "502 no\r\n500 what\r\n",
                                 0,
                                 ORACLE_OK,
                                 ORACLE_OK,
                                 NONE,
                                 NONE};
    struct oracle_profile_result res;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    assert_int_equal(judge(&r, ORACLE_PROFILE_STRICT, &res), ORACLE_OK);
    assert_int_equal(res.judged.reading.unoffered_bdat_chunk, 0); /* not the reference's */
    oracle_profile_transcript(f, &res);
    fclose(f);
    /* The octets the reference would read as a chunk are shown as the line they were. */
    assert_non_null(strstr(text, "C: abcNOOP\\r\\n"));
    assert_null(strstr(text, "B: [chunk"));
    assert_non_null(strstr(text, "verdict: ok"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),       cmocka_unit_test(test_strict_tolerates_nothing),
        cmocka_unit_test(test_line_cut),   cmocka_unit_test(test_long_session),
        cmocka_unit_test(test_transcript),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

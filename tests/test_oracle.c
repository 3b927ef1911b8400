/*
 * test_oracle - the oracle (fuzz/oracle.h), table-driven.
 *
 * Classifier rows: one per malformed class, HELP spellings, every
 * recognised verb, the 510/511-octet boundary and the precedence of
 * faults. Session rows: for every rule the oracle itself judges (r1, r2,
 * r3, r5) at least one (client, server) pair from a deliberately wrong
 * server that must be flagged with exactly that rule, and correct pairs
 * that must pass (message text full of end-of-data look-alikes, BDAT
 * chunks holding "HELP\r\n", input after QUIT, an unterminated tail...).
 * r4 and r6 belong to the drivers; the lookup they use
 * (oracle_line_for_reply) and the report/transcript printers are tested
 * here too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "oracle.h"

/* A literal and its length, NUL bytes included. */
#define S(lit) lit, sizeof(lit) - 1

#define FAULT_ID_(name, text) #name,
static const char *const fault_id[] = {ORACLE_FAULT_LIST(FAULT_ID_)};
#undef FAULT_ID_

/* ------------------------------------------------------------------ */
/* Classifier                                                           */

struct class_row {
    const char *name;
    const char *line;
    size_t len;
    enum oracle_fault fault;
    enum oracle_class cls;
};

#define MAL(name, lit, fault)                                                                      \
    {                                                                                              \
        name, S(lit), fault, ORACLE_LINE_MALFORMED                                                 \
    }
#define CMD(name, lit)                                                                             \
    {                                                                                              \
        name, S(lit), ORACLE_FAULT_NONE, ORACLE_LINE_COMMAND                                       \
    }
#define HLP(name, lit)                                                                             \
    {                                                                                              \
        name, S(lit), ORACLE_FAULT_NONE, ORACLE_LINE_HELP                                          \
    }

static const struct class_row class_rows[] = {
    HLP("HELP", "HELP\r\n"),
    HLP("help lower case", "help\r\n"),
    HLP("HeLp mixed case with argument", "HeLp me please\r\n"),
    HLP("HELP with a trailing SP", "HELP \r\n"),
    HLP("HELP with any argument", "HELP ~!@#$%^&*()_+ 123\r\n"),
    HLP("HELP with UTF-8 argument", "HELP \xc3\xa9t\xc3\xa9\r\n"),
    CMD("NOOP", "NOOP\r\n"),
    CMD("MAIL with argument", "MAIL FROM:<a@b.example>\r\n"),
    CMD("starttls lower case", "starttls\r\n"),
    CMD("two-byte UTF-8 argument", "NOOP \xc3\xa9\r\n"),
    CMD("three-byte UTF-8 argument", "NOOP \xe2\x82\xac\r\n"),
    CMD("four-byte UTF-8 argument", "NOOP \xf0\x9f\x98\x80\r\n"),
    CMD("largest code point U+10FFFF", "NOOP \xf4\x8f\xbf\xbf\r\n"),
    CMD("U+E000 after the surrogates", "NOOP \xee\x80\x80\r\n"),
    MAL("bare LF", "HELP\n", ORACLE_FAULT_BARE_LF),
    MAL("no LF at all", "HELP\r", ORACLE_FAULT_BARE_LF),
    MAL("empty buffer", "", ORACLE_FAULT_BARE_LF),
    MAL("LF alone", "\n", ORACLE_FAULT_BARE_LF),
    MAL("bare CR inside", "NOOP a\rb\r\n", ORACLE_FAULT_BARE_CR),
    MAL("CR CR LF", "NOOP\r\r\n", ORACLE_FAULT_BARE_CR),
    MAL("NUL", "MAIL\x00\r\n", ORACLE_FAULT_CTRL),
    MAL("HT", "MAIL\tFROM:<a@b>\r\n", ORACLE_FAULT_CTRL),
    MAL("ESC", "NOOP \x1b[0m\r\n", ORACLE_FAULT_CTRL),
    MAL("DEL", "NOOP \x7f\r\n", ORACLE_FAULT_CTRL),
    MAL("truncated UTF-8", "NOOP \xc3\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("lone continuation byte", "NOOP \x80\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("overlong two-byte (C0 AF)", "NOOP \xc0\xaf\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("overlong three-byte", "NOOP \xe0\x80\xaf\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("overlong four-byte", "NOOP \xf0\x80\x80\xaf\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("surrogate U+D800", "NOOP \xed\xa0\x80\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("above U+10FFFF", "NOOP \xf4\x90\x80\x80\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("F5 lead byte", "NOOP \xf5\x80\x80\x80\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("FF byte", "NOOP \xff\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("sequence cut by the CR", "NOOP \xe2\x82\r\n", ORACLE_FAULT_BAD_UTF8),
    MAL("empty line", "\r\n", ORACLE_FAULT_BAD_VERB),
    MAL("leading SP", " HELP\r\n", ORACLE_FAULT_BAD_VERB),
    MAL("digit in the verb", "HE1P\r\n", ORACLE_FAULT_BAD_VERB),
    MAL("punctuation in the verb", "HELP: x\r\n", ORACLE_FAULT_BAD_VERB),
    MAL("UTF-8 in the verb", "\xc3\xa9HLO x\r\n", ORACLE_FAULT_BAD_VERB),
    MAL("HELPX", "HELPX\r\n", ORACLE_FAULT_UNKNOWN_VERB),
    MAL("unknown word", "XYZZY\r\n", ORACLE_FAULT_UNKNOWN_VERB),
    MAL("prefix of a verb", "HEL\r\n", ORACLE_FAULT_UNKNOWN_VERB),
    /* Precedence: the first fault of the list wins. */
    MAL("bare LF beats bare CR", "NO\rOP\n", ORACLE_FAULT_BARE_LF),
    MAL("bare CR beats NUL", "\x00NOOP\r\r\n", ORACLE_FAULT_BARE_CR),
    MAL("NUL beats bad UTF-8", "\xff\x00\r\n", ORACLE_FAULT_CTRL),
    MAL("bad UTF-8 beats bad verb", "1\xff\r\n", ORACLE_FAULT_BAD_UTF8),
};

static void test_classify_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof class_rows / sizeof class_rows[0]; i++) {
        const struct class_row *r = &class_rows[i];
        enum oracle_fault f = oracle_line_fault(r->line, r->len);
        enum oracle_class c = oracle_classify(r->line, r->len);
        if (f != r->fault || c != r->cls)
            fail_msg("%s: got %s / class %d, want %s / class %d", r->name, fault_id[f], c,
                     fault_id[r->fault], r->cls);
    }
}

static void test_every_verb(void **state)
{
    static const char *const verbs[] = {"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT",     "RSET",
                                        "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH"};
    char line[32];
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        size_t n = strlen(verbs[i]);
        enum oracle_class want =
            strcmp(verbs[i], "HELP") == 0 ? ORACLE_LINE_HELP : ORACLE_LINE_COMMAND;
        for (k = 0; k < 3; k++) { /* upper, lower, with an argument */
            size_t j;
            memcpy(line, verbs[i], n);
            for (j = 0; k == 1 && j < n; j++)
                line[j] = (char)(line[j] - 'A' + 'a');
            if (k == 2) {
                memcpy(line + n, " x\r\n", 4);
                assert_int_equal(oracle_classify(line, n + 4), want);
            } else {
                memcpy(line + n, "\r\n", 2);
                assert_int_equal(oracle_classify(line, n + 2), want);
            }
        }
        /* One letter more is unknown. */
        memcpy(line, verbs[i], n);
        memcpy(line + n, "X\r\n", 3);
        assert_int_equal(oracle_line_fault(line, n + 3), ORACLE_FAULT_UNKNOWN_VERB);
    }
}

/* boundary - a line of content octets ("NOOP " or "HELP " then 'a's) plus CR LF */
static void boundary(const char *verb, size_t content, enum oracle_fault want, int crlf)
{
    char line[600];

    memset(line, 'a', sizeof line);
    memcpy(line, verb, 5);
    if (crlf) {
        line[content] = '\r';
        line[content + 1] = '\n';
    } else {
        line[content] = '\n';
    }
    if (oracle_line_fault(line, content + (crlf ? 2 : 1)) != want)
        fail_msg("%s with %zu content octets: got %s, want %s", verb, content,
                 fault_id[oracle_line_fault(line, content + (crlf ? 2 : 1))], fault_id[want]);
}

static void test_length_boundary(void **state)
{
    (void)state;
    boundary("NOOP ", 509, ORACLE_FAULT_NONE, 1);
    boundary("NOOP ", 510, ORACLE_FAULT_NONE, 1); /* 512 octets: the limit */
    boundary("NOOP ", 511, ORACLE_FAULT_TOO_LONG, 1);
    boundary("HELP ", 510, ORACLE_FAULT_NONE, 1);
    boundary("HELP ", 511, ORACLE_FAULT_TOO_LONG, 1);
    boundary("NOOP ", 511, ORACLE_FAULT_BARE_LF, 0); /* 512 octets with a bare LF */
    boundary("NOOP ", 512, ORACLE_FAULT_TOO_LONG, 0);
    boundary("NOOP ", 590, ORACLE_FAULT_TOO_LONG, 1);
}

/* ------------------------------------------------------------------ */
/* Sessions                                                             */

#define G "220 test.example ESMTP\r\n"
#define ENVELOPE "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
#define ENVELOPE_OK "250-test.example\r\n250 PIPELINING\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"

struct session_row {
    const char *name;
    const char *client;
    size_t client_len;
    const char *server;
    size_t server_len;
    enum oracle_rule want;
};

#define ROW(name, c, s, want)                                                                      \
    {                                                                                              \
        name, S(c), S(s), want                                                                     \
    }

static const struct session_row session_rows[] = {
    /* Correct servers: must pass. */
    ROW("greeting only", "", G, ORACLE_OK),
    ROW("HELP gets 214", "HELP\r\n", G "214 2.0.0 see RFC 5321\r\n", ORACLE_OK),
    ROW("multi-line 214", "help me\r\n", G "214-2.0.0 a\r\n214 2.0.0 b\r\n", ORACLE_OK),
    ROW("unknown verb gets 500", "FOO\r\n", G "500 5.5.1 unrecognized\r\n", ORACLE_OK),
    ROW("bare LF HELP gets 500", "HELP\n", G "500 5.5.2 syntax\r\n", ORACLE_OK),
    ROW("command gets 250", "NOOP\r\n", G "250 2.0.0 ok\r\n", ORACLE_OK),
    ROW("command gets 501/502/503", "MAIL x\r\nAUTH x\r\nRCPT TO:<a@b>\r\n",
        G "501 5.5.4 syntax\r\n502 5.5.1 no\r\n503 5.5.1 sequence\r\n", ORACLE_OK),
    ROW("non-220 greeting tolerated", "NOOP\r\n", G "250 ok\r\n", ORACLE_OK),
    ROW("pipelined lines in order", "NOOP\r\nHELP\r\nBAD\r\nNOOP\r\n",
        G "250 ok\r\n214 help\r\n500 bad\r\n250 ok\r\n", ORACLE_OK),
    ROW("DATA with look-alikes inside, handled correctly",
        ENVELOPE "DATA\r\nline\n.\nHELP\r\nx\r.\rNOOP\r\n\r\n.\nQUIT\r\n..\r\n\r\n.\r\nQUIT\r\n",
        G ENVELOPE_OK "354 go\r\n550 5.6.0 bare LF\r\n221 bye\r\n", ORACLE_OK),
    ROW("empty message: the DATA line's CR LF counts", ENVELOPE "DATA\r\n.\r\nNOOP\r\n",
        G ENVELOPE_OK "354 go\r\n250 2.0.0 queued\r\n250 ok\r\n", ORACLE_OK),
    ROW("DATA refused: following lines are commands", "DATA\r\nHELP\r\n",
        G "503 5.5.1 need RCPT\r\n214 help\r\n", ORACLE_OK),
    ROW("input ends inside message text", ENVELOPE "DATA\r\nabc\r\nHELP\r\n",
        G ENVELOPE_OK "354 go\r\n", ORACLE_OK),
    ROW("BDAT chunk holding HELP", ENVELOPE "BDAT 6 LAST\r\nHELP\r\nNOOP\r\n",
        G ENVELOPE_OK "250 2.0.0 ok\r\n250 ok\r\n", ORACLE_OK),
    ROW("BDAT refused still consumes its chunk", "bdat 6 last\r\nHELP\r\nNOOP\r\n",
        G "503 5.5.1 need RCPT\r\n250 ok\r\n", ORACLE_OK),
    ROW("BDAT chunk holding CR LF . CR LF", ENVELOPE "BDAT 5\r\n\r\n.\r\nBDAT 0 LAST\r\n",
        G ENVELOPE_OK "250 ok\r\n250 ok\r\n", ORACLE_OK),
    ROW("BDAT with a bad size consumes nothing", "BDAT x\r\nHELP\r\n",
        G "501 5.5.4 bad size\r\n214 help\r\n", ORACLE_OK),
    ROW("BDAT with 10 digits is a bad size", "BDAT 1234567890\r\nHELP\r\n",
        G "501 5.5.4 bad size\r\n214 help\r\n", ORACLE_OK),
    ROW("BDAT with two SPs is a bad size", "BDAT  1\r\nHELP\r\n",
        G "501 5.5.4 bad size\r\n214 help\r\n", ORACLE_OK),
    ROW("BDAT chunk cut by the end, no reply yet", "BDAT 100\r\nabc", G, ORACLE_OK),
    ROW("BDAT chunk cut by the end, replied", "BDAT 100\r\nabc", G "503 no\r\n", ORACLE_OK),
    ROW("QUIT then more input", "QUIT\r\nNOOP\r\nHELP\r\nx", G "221 2.0.0 bye\r\n", ORACLE_OK),
    ROW("421 to a command ends the session", "NOOP\r\nNOOP\r\n", G "421 4.3.0 closing\r\n",
        ORACLE_OK),
    ROW("unterminated tail gets no reply", "NOOP\r\nHEL", G "250 ok\r\n", ORACLE_OK),
    ROW("421 greeting: nothing more", "NOOP\r\nHELP\r\n", "421 busy\r\n", ORACLE_OK),
    ROW("554 greeting: not paired", "NOOP\r\nHELP\r\n", "554 no\r\n503 x\r\n503 x\r\n", ORACLE_OK),
    ROW("AUTH continuation line", "AUTH PLAIN\r\ndGVzdA==\r\nNOOP\r\n",
        G "334 VXNlcm5hbWU6\r\n235 2.7.0 ok\r\n250 ok\r\n", ORACLE_OK),

    /* r1: the 214/500 invariants and their converses. */
    ROW("r1 bare LF line answered 214", "HELP\n", G "214 help\r\n", ORACLE_MALFORMED_NOT_500),
    ROW("r1 511-octet content accepted",
        "NOOP "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "\r\n",
        G "250 ok\r\n", ORACLE_MALFORMED_NOT_500),
    ROW("r1 unknown verb answered 502", "XYZZY\r\n", G "502 no\r\n", ORACLE_MALFORMED_NOT_500),
    ROW("r1 HELP answered 250", "HELP\r\n", G "250 help\r\n", ORACLE_HELP_NOT_214),
    ROW("r1 help (lower case) answered 500", "help\r\n", G "500 what\r\n", ORACLE_HELP_NOT_214),
    ROW("r1 NOOP answered 500", "NOOP\r\n", G "500 what\r\n", ORACLE_500_FOR_COMMAND),
    ROW("r1 greeting is 500", "", "500 what\r\n", ORACLE_500_FOR_COMMAND),
    ROW("r1 NOOP answered 214", "NOOP\r\n", G "214 help\r\n", ORACLE_214_NOT_HELP),
    ROW("r1 greeting is 214", "", "214 help\r\n", ORACLE_214_NOT_HELP),

    /* r2: well-formed replies. */
    ROW("r2 reply ended by a bare LF", "NOOP\r\n", G "250 ok\n", ORACLE_BAD_REPLY),
    ROW("r2 raw CR echoed into a reply", "X\rY\r\n", G "500 X\rY unknown\r\n", ORACLE_BAD_REPLY),
    ROW("r2 code 600", "NOOP\r\n", G "600 what\r\n", ORACLE_BAD_REPLY),
    ROW("r2 multi-line reply changes code", "NOOP\r\n", G "250-a\r\n251 b\r\n", ORACLE_BAD_REPLY),
    ROW("r2 reply cut by the end of the stream", "NOOP\r\n", G "250-a\r\n", ORACLE_BAD_REPLY),
    ROW("r2 bad greeting", "", "22 hello\r\n", ORACLE_BAD_REPLY),
    ROW("r2 enhanced code of another class", "NOOP\r\n", G "250 5.0.0 ok\r\n", ORACLE_BAD_REPLY),

    /* r3: one reply per line, none for a tail, none after the session ended. */
    ROW("r3 no greeting", "NOOP\r\n", "", ORACLE_MISSING_REPLY),
    ROW("r3 second line unanswered", "NOOP\r\nNOOP\r\n", G "250 ok\r\n", ORACLE_MISSING_REPLY),
    ROW("r3 line after HELP unanswered", "HELP\r\nNOOP\r\n", G "214 help\r\n",
        ORACLE_MISSING_REPLY),
    ROW("r3 two replies to one line", "NOOP\r\n", G "250 ok\r\n250 ok\r\n", ORACLE_EXTRA_REPLY),
    ROW("r3 reply to an unterminated tail", "NOOP", G "500 what\r\n", ORACLE_EXTRA_REPLY),
    ROW("r3 reply after 221", "QUIT\r\nNOOP\r\n", G "221 bye\r\n250 ok\r\n", ORACLE_EXTRA_REPLY),
    ROW("r3 reply after a 421 greeting", "NOOP\r\n", "421 busy\r\n250 ok\r\n", ORACLE_EXTRA_REPLY),

    /* r5: end of data only at CR LF . CR LF. */
    ROW("r5 LF . LF ends the data", ENVELOPE "DATA\r\nx\n.\nNOOP\r\n.\r\n",
        G ENVELOPE_OK "354 go\r\n250 queued\r\n250 ok\r\n500 what\r\n", ORACLE_DATA_END),
    ROW("r5 LF . LF, smuggled HELP, more commands after",
        ENVELOPE "DATA\r\nx\n.\nHELP\r\n.\r\nNOOP\r\n",
        G ENVELOPE_OK "354 go\r\n250 queued\r\n214 help\r\n500 what\r\n250 ok\r\n",
        ORACLE_DATA_END),
    ROW("r5 CR . CR ends the data", ENVELOPE "DATA\r\nx\r.\rRSET\r\n.\r\n",
        G ENVELOPE_OK "354 go\r\n250 queued\r\n250 reset\r\n500 what\r\n", ORACLE_DATA_END),
    ROW("r5 input ends in data, server ended at LF . CR LF", ENVELOPE "DATA\r\nx\n.\r\nNOOP\r\n",
        G ENVELOPE_OK "354 go\r\n250 queued\r\n250 ok\r\n", ORACLE_DATA_END),
    ROW("end of data answered 500: a refusal of the message, not r5",
        ENVELOPE "DATA\r\nabc\r\n.\r\n", G ENVELOPE_OK "354 go\r\n500 line too long\r\n",
        ORACLE_OK),
    ROW("r5 end of data answered 214", ENVELOPE "DATA\r\nabc\r\n.\r\n",
        G ENVELOPE_OK "354 go\r\n214 help\r\n", ORACLE_DATA_END),
    ROW("r5 the '.' line answered 500 after an early end at LF . LF",
        ENVELOPE "DATA\r\nx\n.\nHELP\r\n.\r\n",
        G ENVELOPE_OK "354 go\r\n250 queued\r\n214 help\r\n500 what\r\n", ORACLE_DATA_END),
    ROW("r5 end of data never answered", ENVELOPE "DATA\r\nabc\r\n.\r\n",
        G ENVELOPE_OK "354 go\r\n", ORACLE_DATA_END),
};

static void test_session_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof session_rows / sizeof session_rows[0]; i++) {
        const struct session_row *r = &session_rows[i];
        struct oracle_verdict v;
        enum oracle_rule got = oracle_check(r->client, r->client_len, r->server, r->server_len, &v);
        if (got != r->want) {
            oracle_report(&v, r->client, r->server);
            fail_msg("%s: got %s, want %s", r->name, oracle_rule_id(got), oracle_rule_id(r->want));
        }
        if (got != v.rule)
            fail_msg("%s: returned %s but the verdict says %s", r->name, oracle_rule_id(got),
                     oracle_rule_id(v.rule));
        if (v.line_off + v.line_len > r->client_len || v.reply_off + v.reply_len > r->server_len)
            fail_msg("%s: verdict offsets outside the streams", r->name);
    }
}

/* The 511-octet row above must really be 511 octets of content. */
static void test_long_row_length(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof session_rows / sizeof session_rows[0]; i++) {
        if (strstr(session_rows[i].name, "511-octet") != NULL)
            assert_int_equal(session_rows[i].client_len, 513);
    }
}

static void test_verdict_offsets(void **state)
{
    static const char client[] = "NOOP\r\nHELP\r\n";
    static const char server[] = G "250 ok\r\n250 help\r\n";
    struct oracle_verdict v;

    (void)state;
    assert_int_equal(oracle_check(S(client), S(server), &v), ORACLE_HELP_NOT_214);
    assert_int_equal(v.line_off, 6);
    assert_int_equal(v.line_len, 6);
    assert_int_equal(v.reply_off, strlen(G) + 8);
    assert_int_equal(v.reply_len, 10);
    assert_non_null(strstr(v.detail, "250"));
}

static void test_line_for_reply(void **state)
{
    static const char client[] = "NOOP\r\nBDAT 6\r\nHELP\r\nHELP\r\n";
    static const char server[] = G "250 ok\r\n503 no\r\n214-a\r\n214 b\r\n";
    size_t off = 99, len = 99;
    size_t s3 = strlen(G) + 8 + 8 + 7; /* inside "214 b" */

    (void)state;
    assert_true(oracle_line_for_reply(S(client), S(server), 0, &off, &len));
    assert_int_equal(len, 0); /* the greeting answers no line */
    assert_true(oracle_line_for_reply(S(client), S(server), strlen(G) + 9, &off, &len));
    assert_int_equal(off, 6); /* the BDAT line */
    assert_int_equal(len, 8);
    assert_true(oracle_line_for_reply(S(client), S(server), s3, &off, &len));
    assert_int_equal(off, 20); /* the HELP after the chunk */
    assert_false(oracle_line_for_reply(S(client), S(server), sizeof server + 5, &off, &len));
}

/* capture - run fn's output into a string the test frees */
static char *capture_transcript(const char *client, size_t clen, const char *server, size_t slen)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);

    assert_non_null(f);
    oracle_transcript(f, client, clen, server, slen);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void test_transcript(void **state)
{
    static const char client[] = "NOOP\r\nHELP\r\nMORE\r\nx";
    static const char server[] = G "250 ok\r\n250 help\r\n500 what\r\n";
    char *t;

    (void)state;
    t = capture_transcript(S(client), S(server));
    assert_non_null(strstr(t, "S: 220 test.example ESMTP\\r\\n\n"));
    assert_non_null(strstr(t, "C: NOOP\\r\\n\nS: 250 ok\\r\\n\n   = ok\n"));
    assert_non_null(strstr(t, "C: HELP\\r\\n\nS: 250 help\\r\\n\n   = r1-help-not-214\n"));
    assert_non_null(strstr(t, "not paired"));
    assert_non_null(strstr(t, "C: MORE\\r\\n\n"));
    assert_non_null(strstr(t, "verdict: r1-help-not-214"));
    free(t);

    t = capture_transcript(S(ENVELOPE "DATA\r\nx\n.\nNOOP\r\n.\r\n"),
                           S(G ENVELOPE_OK "354 go\r\n250 queued\r\n250 ok\r\n500 what\r\n"));
    assert_non_null(strstr(t, "D: x\\n\n"));
    assert_non_null(strstr(t, "verdict: r5-data-end"));
    assert_non_null(strstr(t, "LF . LF"));
    free(t);

    t = capture_transcript(S("QUIT\r\nNOOP\r\nBDA"), S(G "221 bye\r\n"));
    assert_non_null(strstr(t, "after the session ended"));
    assert_non_null(strstr(t, "verdict: ok"));
    free(t);
}

static void test_rule_ids(void **state)
{
    int r;

    (void)state;
    assert_string_equal(oracle_rule_id(ORACLE_OK), "ok");
    assert_string_equal(oracle_rule_id(ORACLE_HELP_NOT_214), "r1-help-not-214");
    assert_string_equal(oracle_rule_id(ORACLE_SPLIT_CHANGED), "r4-split-changed");
    assert_string_equal(oracle_rule_id(ORACLE_DATA_END), "r5-data-end");
    assert_string_equal(oracle_rule_id(ORACLE_RULE_COUNT), "invalid-rule");
    for (r = 0; r < ORACLE_RULE_COUNT; r++) {
        assert_true(strlen(oracle_rule_text((enum oracle_rule)r)) > 0);
        assert_true(r == 0 || oracle_rule_id((enum oracle_rule)r)[0] == 'r');
    }
}

static void test_escape(void **state)
{
    char out[128];
    size_t n;

    (void)state;
    n = escape_format(out, sizeof out, S("A\r\n\t\\\"\x00\xff"), 100);
    assert_int_equal(n, 8);
    assert_string_equal(out, "A\\r\\n\\t\\\\\\\"\\x00\\xff");
    n = escape_format(out, sizeof out, S("abcdefghij"), 4);
    assert_int_equal(n, 4);
    assert_string_equal(out, "abcd...(+6 octets)");
    n = escape_format(out, 8, S("abcdefghij"), 100); /* the buffer, not the width, limits */
    assert_true(strlen(out) < 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_rows),   cmocka_unit_test(test_every_verb),
        cmocka_unit_test(test_length_boundary), cmocka_unit_test(test_session_rows),
        cmocka_unit_test(test_long_row_length), cmocka_unit_test(test_verdict_offsets),
        cmocka_unit_test(test_line_for_reply),  cmocka_unit_test(test_transcript),
        cmocka_unit_test(test_rule_ids),        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

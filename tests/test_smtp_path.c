/*
 * test_smtp_path - the argument grammar (src/smtp_path.h) row by row,
 * from the RFC 5321 4.1.2 / 4.1.3 ABNF and RFC 6531 3.3.
 *
 * Table-driven: every row names a behaviour and a failure says "got X,
 * want Y" with the row's name. Every status value is some row's answer
 * (test_every_status_has_a_row), so a new status needs a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtp_path.h"

enum row_kind {
    DOMAIN, /* smtp_path_domain */
    PATH    /* smtp_path_parse */
};

#define U SMTP_PATH_UTF8
#define N SMTP_PATH_NULL
#define M SMTP_PATH_POSTMASTER

struct row {
    const char *name;
    enum row_kind kind;
    unsigned flags;
    const char *in;
    enum smtp_path_status want;
    size_t used;  /* PATH rows answered OK: octets of the path */
    int nonascii; /* PATH rows answered OK */
};

/* An input spelled with escapes ("\xc3\xa9") must not run into the next hex digit: "\xa9" "x". */
#define OK_PATH(name, flags, in, used)                                                             \
    {                                                                                              \
        name, PATH, flags, in, SMTP_PATH_OK, used, 0                                               \
    }
#define OK_PATH_UTF8(name, flags, in, used)                                                        \
    {                                                                                              \
        name, PATH, flags, in, SMTP_PATH_OK, used, 1                                               \
    }
#define BAD_PATH(name, flags, in, want)                                                            \
    {                                                                                              \
        name, PATH, flags, in, SMTP_PATH_##want, 0, 0                                              \
    }
#define DOM(name, flags, in, want)                                                                 \
    {                                                                                              \
        name, DOMAIN, flags, in, SMTP_PATH_##want, 0, 0                                            \
    }

/* 64, 65 and 256 octets: the RFC 5321 4.5.3.1 limits, which this grammar does not enforce. */
#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16
#define LABEL63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"
#define DOMAIN256 LABEL63 "." LABEL63 "." LABEL63 "." LABEL63 "x"

static const struct row rows[] = {
    /* ---- Domain (HELO/EHLO): sub-domain = Let-dig [Ldh-str] ---- */
    DOM("domain: two labels", 0, "example.com", OK),
    DOM("domain: one letter", 0, "a", OK),
    DOM("domain: all digits", 0, "123.45", OK),
    DOM("domain: hyphens inside labels", 0, "xn--bcher-kva.a-b-c.example", OK),
    DOM("domain: empty", 0, "", EMPTY),
    DOM("domain: leading hyphen", 0, "-a.example", BAD_DOMAIN),
    DOM("domain: trailing hyphen in the first label", 0, "a-.example", BAD_DOMAIN),
    DOM("domain: trailing hyphen at the end", 0, "example-", BAD_DOMAIN),
    DOM("domain: only a hyphen", 0, "-", BAD_DOMAIN),
    DOM("domain: empty label", 0, "a..b", BAD_DOMAIN),
    DOM("domain: leading dot", 0, ".a", BAD_DOMAIN),
    DOM("domain: dot at the end", 0, "example.com.", BAD_DOMAIN),
    DOM("domain: underscore stops it", 0, "exa_mple.com", TRAILING_JUNK),
    DOM("domain: trailing SP", 0, "example.com ", TRAILING_JUNK),
    DOM("domain: two words", 0, "a b", TRAILING_JUNK),
    DOM("domain: a path is not a domain", 0, "<a@b>", BAD_DOMAIN),
    DOM("domain: label of 63 octets", 0, LABEL63 ".example", OK),
    DOM("domain: label of 64 octets (no length limit)", 0, LABEL63 "x.example", OK),
    DOM("domain: 256 octets (no length limit)", 0, DOMAIN256, OK),
    /* RFC 6531 3.3: sub-domain =/ U-label */
    DOM("domain: UTF-8 without the flag", 0,
        "b\xc3\xbc"
        "cher.example",
        UTF8_NOT_ALLOWED),
    DOM("domain: UTF-8 with the flag", U,
        "b\xc3\xbc"
        "cher.example",
        OK),
    DOM("domain: label starting with UTF-8", U,
        "\xc3\xa9"
        "t\xc3\xa9.example",
        OK),
    DOM("domain: hyphen after UTF-8", U, "\xc3\xa9-x", OK),
    DOM("domain: hyphen last after UTF-8", U, "\xc3\xa9-", BAD_DOMAIN),
    DOM("domain: 4-octet UTF-8", U, "\xf0\x9f\x93\xa7.example", OK),
    DOM("domain: truncated UTF-8", U, "x\xc3", TRAILING_JUNK),
    DOM("domain: truncated UTF-8 without the flag", 0, "x\xc3", TRAILING_JUNK),
    DOM("domain: overlong UTF-8", U, "\xc0\x80", BAD_DOMAIN),
    DOM("domain: UTF-16 surrogate", U, "\xed\xa0\x80", BAD_DOMAIN),
    DOM("domain: above U+10FFFF", U, "\xf4\x90\x80\x80", BAD_DOMAIN),
    DOM("domain: lone continuation octet", U, "a.\x80", BAD_DOMAIN),

    /* ---- IPv4-address-literal = Snum 3("." Snum) ---- */
    DOM("ipv4: documentation address", 0, "[192.0.2.1]", OK),
    DOM("ipv4: all zero", 0, "[0.0.0.0]", OK),
    DOM("ipv4: all 255", 0, "[255.255.255.255]", OK),
    DOM("ipv4: leading zeros (1*3DIGIT)", 0, "[001.02.3.004]", OK),
    DOM("ipv4: 256 first", 0, "[256.1.1.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: 256 last", 0, "[1.2.3.256]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: four digits", 0, "[1234.1.1.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: three parts", 0, "[1.2.3]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: leading part missing", 0, "[.1.2.3]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: last part missing", 0, "[1.2.3.]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: five parts", 0, "[1.2.3.4.5]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: comma", 0, "[1.2.3,4]", BAD_ADDRESS_LITERAL),
    DOM("ipv4: SP inside", 0, "[ 1.2.3.4]", BAD_ADDRESS_LITERAL),
    DOM("literal: no closing bracket", 0, "[192.0.2.1", BAD_ADDRESS_LITERAL),
    DOM("literal: empty", 0, "[]", BAD_ADDRESS_LITERAL),
    DOM("literal: junk after the bracket", 0, "[192.0.2.1]x", TRAILING_JUNK),
    DOM("literal: UTF-8 inside, even with the flag", U, "[\xc3\xa9]", BAD_ADDRESS_LITERAL),

    /* ---- IPv6: "IPv6:" IPv6-addr, four forms ---- */
    DOM("ipv6: full", 0, "[IPv6:2001:db8:0:0:0:0:0:1]", OK),
    DOM("ipv6: tag in any case, comp", 0, "[ipv6:2001:DB8::1]", OK),
    DOM("ipv6: only ::", 0, "[IPv6:::]", OK),
    DOM("ipv6: ::1", 0, "[IPv6:::1]", OK),
    DOM("ipv6: 1::", 0, "[IPv6:1::]", OK),
    DOM("ipv6: comp with 6 groups", 0, "[IPv6:1:2:3:4:5:6::]", OK),
    DOM("ipv6: comp with 6 groups split", 0, "[IPv6:1:2:3::4:5:6]", OK),
    DOM("ipv6: comp with 7 groups", 0, "[IPv6:1:2:3:4:5:6:7::]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: comp with 7 groups split", 0, "[IPv6:1:2:3:4::5:6:7]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: 7 groups without ::", 0, "[IPv6:1:2:3:4:5:6:7]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: 9 groups", 0, "[IPv6:1:2:3:4:5:6:7:8:9]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: two ::", 0, "[IPv6:1::2::3]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: :::", 0, "[IPv6:1:::2]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: single trailing colon", 0, "[IPv6:1:2:]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: single leading colon", 0, "[IPv6::1:2]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: five hex digits", 0, "[IPv6:12345::]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: not hex", 0, "[IPv6:g::1]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: empty after the tag", 0, "[IPv6:]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4-comp", 0, "[IPv6:::ffff:192.0.2.1]", OK),
    DOM("ipv6: v4-comp, only ::", 0, "[IPv6:::192.0.2.1]", OK),
    DOM("ipv6: v4-comp with 4 groups", 0, "[IPv6:1:2:3:4::192.0.2.1]", OK),
    DOM("ipv6: v4-comp with 5 groups", 0, "[IPv6:1:2:3:4:5::192.0.2.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4-full", 0, "[IPv6:0:0:0:0:0:0:192.0.2.1]", OK),
    DOM("ipv6: v4-full with 5 groups", 0, "[IPv6:0:0:0:0:0:192.0.2.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4-full with 7 groups", 0, "[IPv6:0:0:0:0:0:0:0:192.0.2.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4 tail not last", 0, "[IPv6:1.2.3.4:1::]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4 tail with 256", 0, "[IPv6:1::256.1.1.1]", BAD_ADDRESS_LITERAL),
    DOM("ipv6: v4 tail alone", 0, "[IPv6:192.0.2.1]", BAD_ADDRESS_LITERAL),

    /* ---- General-address-literal = Standardized-tag ":" 1*dcontent ---- */
    DOM("general: tag and content", 0, "[x-tag:abc]", OK),
    DOM("general: colons in the content", 0, "[tag:a:b]", OK),
    DOM("general: '>' is dcontent", 0, "[tag:a>b]", OK),
    DOM("general: tag may begin with '-' (Ldh-str)", 0, "[-tag:x]", OK),
    DOM("general: tag ends with '-'", 0, "[tag-:abc]", BAD_ADDRESS_LITERAL),
    DOM("general: no content", 0, "[tag:]", BAD_ADDRESS_LITERAL),
    DOM("general: no tag", 0, "[:abc]", BAD_ADDRESS_LITERAL),
    DOM("general: no colon", 0, "[notag]", BAD_ADDRESS_LITERAL),
    DOM("general: backslash is not dcontent", 0, "[tag:a\\b]", BAD_ADDRESS_LITERAL),
    DOM("general: '[' is not dcontent", 0, "[tag:a[b]", BAD_ADDRESS_LITERAL),
    DOM("general: SP is not dcontent", 0, "[tag:a b]", BAD_ADDRESS_LITERAL),
    DOM("general: ']' ends the literal", 0, "[tag:a]b]", TRAILING_JUNK),
    DOM("general: an IPv6 tag is never general", 0, "[IPv6:x-tag]", BAD_ADDRESS_LITERAL),

    /* ---- Path = "<" [ A-d-l ":" ] Mailbox ">", then SP or the end ---- */
    OK_PATH("path: plain mailbox", 0, "<a@example.com>", 15),
    OK_PATH("path: then SP and parameters", 0, "<a@b> SIZE=1", 5),
    OK_PATH("path: then SP alone", 0, "<a@b> ", 5),
    BAD_PATH("path: empty", 0, "", EMPTY),
    BAD_PATH("path: no angle brackets", 0, "a@b", NO_OPEN_ANGLE),
    BAD_PATH("path: SP before '<'", 0, " <a@b>", NO_OPEN_ANGLE),
    BAD_PATH("path: junk after '>'", 0, "<a@b>x", TRAILING_JUNK),
    BAD_PATH("path: second '>'", 0, "<a@b>>", TRAILING_JUNK),
    BAD_PATH("path: no '@'", 0, "<ab>", NO_AT),
    BAD_PATH("path: SP in the local part", 0, "<a b@c>", NO_AT),
    BAD_PATH("path: nothing after '@'", 0, "<a@>", BAD_DOMAIN),
    BAD_PATH("path: no '>'", 0, "<a@b", NO_CLOSE_ANGLE),
    BAD_PATH("path: SP in the domain", 0, "<a@b c>", NO_CLOSE_ANGLE),
    BAD_PATH("path: domain ends in a dot", 0, "<a@b.>", BAD_DOMAIN),
    BAD_PATH("path: domain starts with a hyphen", 0, "<a@-b>", BAD_DOMAIN),
    BAD_PATH("path: domain ends with a hyphen", 0, "<a@b->", BAD_DOMAIN),
    BAD_PATH("path: two '@'", 0, "<a@b@c>", NO_CLOSE_ANGLE),
    /* the null path and Postmaster */
    OK_PATH("null path where allowed", N, "<>", 2),
    OK_PATH("null path, then SP", N, "<> SMTPUTF8", 2),
    BAD_PATH("null path where not allowed", 0, "<>", NULL_PATH_NOT_ALLOWED),
    BAD_PATH("null path in RCPT", M | U, "<>", NULL_PATH_NOT_ALLOWED),
    BAD_PATH("null path, then junk", N, "<>x", TRAILING_JUNK),
    BAD_PATH("null path, junk, not allowed", 0, "<>x", NULL_PATH_NOT_ALLOWED),
    OK_PATH("Postmaster where allowed", M, "<Postmaster>", 12),
    OK_PATH("Postmaster in any case", M, "<postMASTER>", 12),
    OK_PATH("Postmaster, then SP", M, "<Postmaster> x", 12),
    BAD_PATH("Postmaster, then junk", M, "<Postmaster>x", TRAILING_JUNK),
    BAD_PATH("Postmaster where not allowed", N, "<Postmaster>", NO_AT),
    BAD_PATH("Postmaster with more letters", M, "<Postmasters>", NO_AT),
    OK_PATH("Postmaster with a domain", 0, "<Postmaster@example.com>", 24),
    /* Dot-string */
    OK_PATH("local: dots between atoms", 0, "<a.b.c@d>", 9),
    OK_PATH("local: every atext special", 0, "<!#$%&'*+-/=?^_`{|}~@b>", 23),
    BAD_PATH("local: leading dot", 0, "<.a@b>", BAD_LOCAL_PART),
    BAD_PATH("local: trailing dot", 0, "<a.@b>", BAD_LOCAL_PART),
    BAD_PATH("local: doubled dot", 0, "<a..b@c>", BAD_LOCAL_PART),
    BAD_PATH("path: only '@'", 0, "<@>", BAD_SOURCE_ROUTE),
    BAD_PATH("local: '(' is not atext", 0, "<a(b@c>", NO_AT),
    BAD_PATH("local: '\"' after an atom", 0, "<a\"b\"@c>", NO_AT),
    OK_PATH("local: 64 octets", 0, "<" X64 "@b>", 68),
    OK_PATH("local: 65 octets (no length limit)", 0, "<" X64 "x@b>", 69),
    OK_PATH("path: domain of 256 octets (no length limit)", 0, "<a@" DOMAIN256 ">", 260),
    /* Quoted-string */
    OK_PATH("quoted: with SP", 0, "<\"a b\"@c>", 9),
    OK_PATH("quoted: empty", 0, "<\"\"@c>", 6),
    OK_PATH("quoted: escaped quote", 0, "<\"a\\\"b\"@c>", 10),
    OK_PATH("quoted: escaped backslash", 0, "<\"a\\\\\"@c>", 9),
    OK_PATH("quoted: escaped SP", 0, "<\"a\\ b\"@c>", 10),
    OK_PATH("quoted: '@' and '>' inside", 0, "<\"a@b>c\"@d>", 11),
    BAD_PATH("quoted: unterminated", 0, "<\"abc@d>", BAD_LOCAL_PART),
    BAD_PATH("quoted: escape at the end", 0, "<\"a\\", BAD_LOCAL_PART),
    BAD_PATH("quoted: escaped control", 0, "<\"a\\\x01\"@c>", BAD_LOCAL_PART),
    BAD_PATH("quoted: bare control", 0, "<\"a\x7f\"@c>", BAD_LOCAL_PART),
    BAD_PATH("quoted: then more atoms", 0, "<\"a\".b@c>", NO_AT),
    /* UTF-8 (RFC 6531 3.3) */
    BAD_PATH("utf8: local part without the flag", N, "<\xc3\xa9@b>", UTF8_NOT_ALLOWED),
    OK_PATH_UTF8("utf8: local part with the flag", N | U, "<\xc3\xa9@b>", 6),
    OK_PATH_UTF8("utf8: domain with the flag", U, "<a@b\xc3\xa9.example>", 15),
    OK_PATH_UTF8("utf8: quoted with the flag", U, "<\"\xc3\xa9\"@b>", 8),
    BAD_PATH("utf8: quoted without the flag", 0, "<\"\xc3\xa9\"@b>", UTF8_NOT_ALLOWED),
    BAD_PATH("utf8: in a quoted pair", U, "<\"a\\\xc3\xa9\"@b>", BAD_LOCAL_PART),
    BAD_PATH("utf8: in an address literal", U, "<a@[\xc3\xa9]>", BAD_ADDRESS_LITERAL),
    BAD_PATH("utf8: truncated", U, "<\xc3@b>", BAD_LOCAL_PART),
    BAD_PATH("utf8: without the flag, and bad anyway", 0, "<\xc3\xa9@b>x", BAD_LOCAL_PART),
    OK_PATH("utf8: after the path is the caller's", 0, "<a@b> \xc3\xa9", 5),
    OK_PATH("utf8: ASCII path with the flag", U, "<a@b>", 5),
    OK_PATH_UTF8("utf8: in a source route", U, "<@\xc3\xa9.example:a@b>", 17),
    /* A-d-l: accepted and ignored */
    OK_PATH("route: two hops", 0, "<@a.example,@b.example:c@d>", 27),
    OK_PATH("route: one hop", 0, "<@a:c@d>", 8),
    BAD_PATH("route: no second '@'", 0, "<@a,c@d>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: no ':'", 0, "<@a c@d>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: bad hop domain", 0, "<@-a:c@d>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: literal hop", 0, "<@[192.0.2.1]:c@d>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: no mailbox", 0, "<@a,@b>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: '@' alone", 0, "<@b>", BAD_SOURCE_ROUTE),
    BAD_PATH("route: a second route", 0, "<@a:@b:c@d>", BAD_LOCAL_PART),
    /* address literals in a mailbox */
    OK_PATH("mailbox: IPv4 literal", 0, "<a@[192.0.2.1]>", 15),
    OK_PATH("mailbox: IPv6 literal", 0, "<a@[IPv6:::1]>", 14),
    OK_PATH("mailbox: general literal holding '>'", 0, "<a@[tag:a>b]>", 13),
    BAD_PATH("mailbox: bad literal", 0, "<a@[bad]>", BAD_ADDRESS_LITERAL),
    BAD_PATH("mailbox: IPv4 literal with 256", 0, "<a@[192.0.2.256]>", BAD_ADDRESS_LITERAL),
    BAD_PATH("mailbox: unclosed literal", 0, "<a@[192.0.2.1>", BAD_ADDRESS_LITERAL),
    BAD_PATH("mailbox: junk after the literal", 0, "<a@[192.0.2.1]x>", NO_CLOSE_ANGLE),
};

static const char *status_label(enum smtp_path_status st)
{
    static const char *const names[] = {
#define ROW_NAME_(name, text) #name,
        SMTP_PATH_STATUS_LIST(ROW_NAME_)
#undef ROW_NAME_
    };
    return (unsigned)st < SMTP_PATH_STATUS_COUNT ? names[st] : "(out of range)";
}

static void test_rows(void **state)
{
    size_t k;
    int failures = 0;
    (void)state;

    for (k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const struct row *r = &rows[k];
        size_t n = strlen(r->in);
        enum smtp_path_status got;
        struct smtp_path_result res = {99, 99};

        if (r->kind == DOMAIN) {
            got = smtp_path_domain(r->in, n, r->flags);
        } else {
            got = smtp_path_parse(r->in, n, r->flags, &res);
        }
        if (got != r->want) {
            print_error("%s: got %s, want %s\n", r->name, status_label(got), status_label(r->want));
            failures++;
            continue;
        }
        if (r->kind == DOMAIN)
            continue;
        if (res.used != r->used || res.nonascii != r->nonascii) {
            print_error("%s: got used %zu nonascii %d, want used %zu nonascii %d\n", r->name,
                        res.used, res.nonascii, r->used, r->nonascii);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* An octet the table's C strings cannot hold: a NUL ends nothing. */
static void test_nul_octets(void **state)
{
    struct smtp_path_result res;
    (void)state;

    assert_int_equal(smtp_path_domain("a\0b", 3, 0), SMTP_PATH_TRAILING_JUNK);
    assert_int_equal(smtp_path_parse("<a@b>\0", 6, 0, &res), SMTP_PATH_TRAILING_JUNK);
    assert_int_equal(smtp_path_parse("<a\0@b>", 6, 0, &res), SMTP_PATH_NO_AT);
    assert_int_equal(res.used, 0);
    /* Only n octets are read: the NUL-free prefix of a longer buffer stands alone. */
    assert_int_equal(smtp_path_parse("<a@b>xyz", 5, 0, &res), SMTP_PATH_OK);
    assert_int_equal(res.used, 5);
    assert_int_equal(smtp_path_domain("example.com-", 11, 0), SMTP_PATH_OK);
    assert_int_equal(smtp_path_domain(NULL, 0, 0), SMTP_PATH_EMPTY);
    assert_int_equal(smtp_path_parse(NULL, 0, SMTP_PATH_NULL, &res), SMTP_PATH_EMPTY);
}

static void test_every_status_has_a_row(void **state)
{
    unsigned seen = 0, all = (1u << SMTP_PATH_STATUS_COUNT) - 1;
    size_t k;
    int st;
    (void)state;

    for (k = 0; k < sizeof rows / sizeof rows[0]; k++)
        seen |= 1u << rows[k].want;
    for (st = 0; st < SMTP_PATH_STATUS_COUNT; st++) {
        if (!(seen & (1u << st)))
            print_error("%s: got no row, want at least one\n", status_label(st));
    }
    assert_int_equal(seen, all);
}

static void test_status_names(void **state)
{
    int a, b;
    (void)state;

    for (a = 0; a < SMTP_PATH_STATUS_COUNT; a++) {
        const char *name = smtp_path_status_name((enum smtp_path_status)a);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        for (b = 0; b < a; b++)
            assert_string_not_equal(name, smtp_path_status_name((enum smtp_path_status)b));
    }
    assert_string_equal(smtp_path_status_name(SMTP_PATH_STATUS_COUNT), "invalid path status");
    assert_string_equal(smtp_path_status_name((enum smtp_path_status) - 1), "invalid path status");
}

/* aborts - fn(arg) ends the process with SIGABRT (a caller bug) */
static void aborts(void (*fn)(int), int arg)
{
    pid_t pid;
    int status = 0;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Keep the expected diagnostic out of the test log. */
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        fn(arg);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void caller_bug(int which)
{
    struct smtp_path_result res;

    switch (which) {
    case 0:
        (void)smtp_path_domain(NULL, 1, 0);
        break;
    case 1:
        (void)smtp_path_domain("a", 1, SMTP_PATH_NULL);
        break;
    case 2:
        (void)smtp_path_parse("<a@b>", 5, 0, NULL);
        break;
    case 3:
        (void)smtp_path_parse(NULL, 1, 0, &res);
        break;
    default:
        (void)smtp_path_parse("<a@b>", 5, 8, &res);
        break;
    }
}

static void test_caller_bugs_abort(void **state)
{
    (void)state;
    for (int which = 0; which < 5; which++)
        aborts(caller_bug, which);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_nul_octets),
        cmocka_unit_test(test_every_status_has_a_row),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_caller_bugs_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_smtp_verb - the verb table: names, case-insensitive lookup, rejects (docs/contract.md
 * section 2) */
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

#include "smtp_verb.h"

/* The verbs docs/contract.md section 2 names, spelled out independently of the X-macro list. */
static const char *const spec_verbs[] = {"HELO", "EHLO", "MAIL",     "RCPT", "DATA",
                                         "BDAT", "RSET", "VRFY",     "EXPN", "HELP",
                                         "NOOP", "QUIT", "STARTTLS", "AUTH"};

static const char *verb_label(enum smtp_verb v)
{
    return v == SMTP_VERB_NONE ? "NONE" : smtp_verb_name(v);
}

static int failures;

static void expect_verb(const char *row, const char *in, size_t len, enum smtp_verb want)
{
    enum smtp_verb got = smtp_verb_lookup(in, len);

    if (got != want) {
        print_error("%s: got %s, want %s\n", row, verb_label(got), verb_label(want));
        failures++;
    }
}

static void test_names_match_spec(void **state)
{
    size_t i;
    (void)state;

    failures = 0;
    if (SMTP_VERB_COUNT - 1 != sizeof spec_verbs / sizeof spec_verbs[0]) {
        print_error("verb count: got %d, want %zu\n", SMTP_VERB_COUNT - 1,
                    sizeof spec_verbs / sizeof spec_verbs[0]);
        failures++;
    }
    for (i = 0; i < sizeof spec_verbs / sizeof spec_verbs[0]; i++) {
        enum smtp_verb v = smtp_verb_lookup(spec_verbs[i], strlen(spec_verbs[i]));

        if (v == SMTP_VERB_NONE || strcmp(smtp_verb_name(v), spec_verbs[i]) != 0) {
            print_error("%s: got %s, want %s\n", spec_verbs[i], verb_label(v), spec_verbs[i]);
            failures++;
        }
        if (strlen(spec_verbs[i]) > SMTP_VERB_MAX_LEN) {
            print_error("%s: longer than SMTP_VERB_MAX_LEN\n", spec_verbs[i]);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_name_edges(void **state)
{
    (void)state;
    assert_string_equal(smtp_verb_name(SMTP_VERB_NONE), "");
    assert_string_equal(smtp_verb_name(SMTP_VERB_COUNT), "");
    assert_string_equal(smtp_verb_name((enum smtp_verb)(0 - 1)), "");
    assert_string_equal(smtp_verb_name((enum smtp_verb)1000), "");
    assert_string_equal(smtp_verb_name(SMTP_VERB_HELP), "HELP");
    assert_string_equal(smtp_verb_name(SMTP_VERB_STARTTLS), "STARTTLS");
}

/* Every verb in upper, lower and two mixed cases. */
static void test_every_verb_any_case(void **state)
{
    int v;
    (void)state;

    failures = 0;
    for (v = SMTP_VERB_NONE + 1; v < SMTP_VERB_COUNT; v++) {
        const char *name = smtp_verb_name((enum smtp_verb)v);
        size_t len = strlen(name), i;
        char lower[16], mixed1[16], mixed2[16], row[64];

        for (i = 0; i < len; i++) {
            char lc = (char)(name[i] - 'A' + 'a');
            lower[i] = lc;
            mixed1[i] = i % 2 ? lc : name[i];
            mixed2[i] = i % 2 ? name[i] : lc;
        }
        snprintf(row, sizeof row, "%s upper", name);
        expect_verb(row, name, len, (enum smtp_verb)v);
        snprintf(row, sizeof row, "%s lower", name);
        expect_verb(row, lower, len, (enum smtp_verb)v);
        snprintf(row, sizeof row, "%s mixed1", name);
        expect_verb(row, mixed1, len, (enum smtp_verb)v);
        snprintf(row, sizeof row, "%s mixed2", name);
        expect_verb(row, mixed2, len, (enum smtp_verb)v);
    }
    assert_int_equal(failures, 0);
}

/* ref_lookup - the obvious slow lookup over spec_verbs, to compare against */
static enum smtp_verb ref_lookup(const char *in, size_t len)
{
    size_t i, k;

    for (i = 0; i < sizeof spec_verbs / sizeof spec_verbs[0]; i++) {
        const char *name = spec_verbs[i];

        if (strlen(name) != len)
            continue;
        for (k = 0; k < len; k++) {
            if (in[k] != name[k] && in[k] != name[k] - 'A' + 'a')
                break;
        }
        if (k == len)
            return smtp_verb_lookup(name, len); /* names are checked by test_names_match_spec */
    }
    return SMTP_VERB_NONE;
}

/*
 * Change one octet of each verb to every value: the result must be what the
 * slow reference says (the same verb for the other case of that letter,
 * HELP for HELO with 'P', and so on). This catches sloppy case folding
 * ("& 0xDF" maps '{' onto '[' and 0xE8 onto 0xC8, "| 0x20" maps '@' onto '`').
 */
static void test_one_octet_off(void **state)
{
    int v;
    (void)state;

    failures = 0;
    for (v = SMTP_VERB_NONE + 1; v < SMTP_VERB_COUNT; v++) {
        const char *name = smtp_verb_name((enum smtp_verb)v);
        size_t len = strlen(name), pos;

        for (pos = 0; pos < len; pos++) {
            unsigned b;

            for (b = 0; b < 256; b++) {
                char buf[16], row[64];

                memcpy(buf, name, len);
                buf[pos] = (char)b;
                snprintf(row, sizeof row, "%s with octet %zu = 0x%02X", name, pos, b);
                expect_verb(row, buf, len, ref_lookup(buf, len));
            }
        }
    }
    assert_int_equal(failures, 0);
}

struct reject_row {
    const char *name;
    const char *in;
    size_t len;
};

#define IN(s) s, sizeof(s) - 1

static const struct reject_row reject_rows[] = {
    {"empty", IN("")},
    {"HELPX", IN("HELPX")},
    {"HEL", IN("HEL")},
    {"H", IN("H")},
    {"STARTTLSX (9 octets)", IN("STARTTLSX")},
    {"STARTTL", IN("STARTTL")},
    {"HELP with SP", IN("HELP ")},
    {"SP HELP", IN(" HELP")},
    {"HELP NUL", IN("HELP\0")},
    {"NOOP NUL (key padding)", IN("NOOP\0")},
    {"HEL NUL", IN("HEL\0")},
    {"digits", IN("1234")},
    {"HELP1", IN("HELP1")},
    {"HELP CR", IN("HELP\r")},
    {"UTF-8 e-acute", IN("H\xc3\xa9LP")},
    {"long word", IN("HELPHELPHELPHELP")},
};

static void test_rejects(void **state)
{
    size_t i;
    (void)state;

    failures = 0;
    for (i = 0; i < sizeof reject_rows / sizeof reject_rows[0]; i++)
        expect_verb(reject_rows[i].name, reject_rows[i].in, reject_rows[i].len, SMTP_VERB_NONE);
    /* Only the first len octets count: a longer buffer does not leak into the match. */
    expect_verb("prefix HELP of HELPX", "HELPX", 4, SMTP_VERB_HELP);
    expect_verb("NULL, 0", NULL, 0, SMTP_VERB_NONE);
    assert_int_equal(failures, 0);
}

/* A NULL pointer with a length is a caller bug: the process must abort, even in release builds. */
static void test_null_aborts(void **state)
{
    pid_t pid;
    int status = 0;
    (void)state;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Keep the expected diagnostic out of the test log. */
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        (void)smtp_verb_lookup(NULL, 4);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_match_spec),
        cmocka_unit_test(test_name_edges),
        cmocka_unit_test(test_every_verb_any_case),
        cmocka_unit_test(test_one_octet_off),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_null_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_session_split - rule r4's pieces for external targets: the cuts
 * (ascending, inside the stream, some between a CR and its LF, the same
 * for a seed) and the comparison of two reply streams by code and line
 * count (equal streams and streams differing only in text agree; a
 * changed code, a changed line count, a missing or an extra reply do not,
 * each with a cause that names reply classes only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session_split.h"

static const char session[] = "EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d>\r\n"
                              "NOOP\r\nHELP\r\nVRFY x\r\nRSET\r\nNOOP\r\nQUIT\r\n";

static void test_cuts(void **state)
{
    size_t cuts[SESSION_CUTS_MAX], again[SESSION_CUTS_MAX], n, m, k, len = strlen(session);
    uint64_t seed;
    int between = 0, inside = 0;

    (void)state;
    for (seed = 0; seed < 200; seed++) {
        n = session_split_cuts(session, len, seed, cuts, SESSION_CUTS_MAX);
        m = session_split_cuts(session, len, seed, again, SESSION_CUTS_MAX);
        assert_int_equal(n, m);
        assert_memory_equal(cuts, again, n * sizeof cuts[0]);
        for (k = 0; k < n; k++) {
            assert_true(cuts[k] > 0 && cuts[k] < len);
            if (k > 0)
                assert_true(cuts[k] > cuts[k - 1]);
            if (session[cuts[k] - 1] == '\r' && session[cuts[k]] == '\n')
                between++;
            else
                inside++;
        }
    }
    assert_true(between > 0);
    assert_true(inside > 0);
    assert_int_equal(session_split_cuts(session, len, 1, cuts, 2) <= 2, 1);
    assert_int_equal(session_split_cuts("", 0, 1, cuts, SESSION_CUTS_MAX), 0);
}

static void test_compare(void **state)
{
    static const char whole[] = "220 hi\r\n250-a\r\n250 b\r\n250 ok\r\n221 bye\r\n";
    static const char text[] = "220 other\r\n250-x\r\n250 y\r\n250 queued as 12\r\n221 x\r\n";
    static const char code[] = "220 hi\r\n250-a\r\n250 b\r\n500 no\r\n221 bye\r\n";
    static const char lines[] = "220 hi\r\n250 a\r\n250 ok\r\n221 bye\r\n";
    static const char fewer[] = "220 hi\r\n250-a\r\n250 b\r\n250 ok\r\n";
    static const char more[] = "220 hi\r\n250-a\r\n250 b\r\n250 ok\r\n221 bye\r\n421 x\r\n";
    char why[256];

    (void)state;
    assert_int_equal(
        session_split_compare(whole, strlen(whole), whole, strlen(whole), why, sizeof why), 0);
    assert_int_equal(
        session_split_compare(whole, strlen(whole), text, strlen(text), why, sizeof why), 0);
    assert_int_equal(
        session_split_compare(whole, strlen(whole), code, strlen(code), why, sizeof why), 1);
    assert_non_null(strstr(why, "a 2yz reply became 5yz;"));
    assert_int_equal(
        session_split_compare(whole, strlen(whole), lines, strlen(lines), why, sizeof why), 1);
    assert_non_null(strstr(why, "line count"));
    assert_int_equal(
        session_split_compare(whole, strlen(whole), fewer, strlen(fewer), why, sizeof why), 1);
    assert_non_null(strstr(why, "replies went missing;"));
    assert_int_equal(
        session_split_compare(whole, strlen(whole), more, strlen(more), why, sizeof why), 1);
    assert_non_null(strstr(why, "extra replies came;"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cuts),
        cmocka_unit_test(test_compare),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

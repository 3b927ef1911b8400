/*
 * test_sanitizer_report - reading crash reports (cli/sanitizer_report.h):
 * real report shapes from clang 14's runtimes and libFuzzer, the key each
 * gets, the first stack only, and the stream scanner finding a marker
 * however the stderr octets were split into reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "sanitizer_report.h"

static const char asan[] =
    "INFO: Seed: 1\n"
    "=================================================================\n"
    "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000031 at pc "
    "0x4f5e bp 0x7ffc sp 0x7ffc\n"
    "WRITE of size 1 at 0x602000000031 thread T0\n"
    "    #0 0x4f5e in mini_feed /src/tests/broken/mini_responder.c:321:17\n"
    "    #1 0x4a10 in run_split /src/fuzz/fuzz_session.c:88:5\n"
    "    #2 0x4b20 in LLVMFuzzerTestOneInput /src/fuzz/fuzz_session.c:150:9 (BuildId: 1234abcd)\n"
    "\n"
    "0x602000000031 is located 0 bytes to the right of 1-byte region\n"
    "allocated by thread T0 here:\n"
    "    #0 0x4c00 in malloc\n"
    "    #1 0x4f00 in mini_open /src/tests/broken/mini_responder.c:100:3\n"
    "SUMMARY: AddressSanitizer: heap-buffer-overflow /src/tests/broken/mini_responder.c:321:17 "
    "in mini_feed (BuildId: 1234abcd)\n";

static const char ubsan[] = "/src/fuzz/oracle.c:77:9: runtime error: signed integer overflow: "
                            "2147483647 + 1 cannot be represented in type 'int'\n"
                            "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
                            "/src/fuzz/oracle.c:77:9\n";

static const char lsan[] = "==77==ERROR: LeakSanitizer: detected memory leaks\n\n"
                           "Direct leak of 64 byte(s) in 1 object(s) allocated from:\n"
                           "    #0 0x4c00 in malloc\n"
                           "    #1 0x5000 in leaky /src/x.c:9:3\n\n"
                           "SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s).\n";

static const char timeout[] = "ALARM: working on the last Unit for 26 seconds\n"
                              "==9== ERROR: libFuzzer: timeout after 26 seconds\n"
                              "    #0 0x1 in spin /src/y.c:3:1\n"
                              "SUMMARY: libFuzzer: timeout\n";

static void test_asan(void **state)
{
    struct sanitizer_info info;
    char key[128];

    (void)state;
    assert_true(sanitizer_report_read(asan, sizeof asan - 1, &info));
    assert_string_equal(info.tool, "AddressSanitizer");
    assert_string_equal(info.type, "heap-buffer-overflow");
    assert_int_equal(info.nframes, 3); /* the allocation stack is not the crash's */
    assert_string_equal(info.frames[0].fn, "mini_feed");
    assert_string_equal(info.frames[0].where, "/src/tests/broken/mini_responder.c:321:17");
    assert_string_equal(info.frames[2].where, "/src/fuzz/fuzz_session.c:150:9");
    assert_string_equal(info.summary, "SUMMARY: AddressSanitizer: heap-buffer-overflow "
                                      "/src/tests/broken/mini_responder.c:321:17 in mini_feed");
    sanitizer_report_key(&info, key, sizeof key);
    assert_string_equal(key, "heap-buffer-overflow in mini_feed");
}

static void test_ubsan_lsan_libfuzzer(void **state)
{
    struct sanitizer_info info;
    char key[128];

    (void)state;
    assert_true(sanitizer_report_read(ubsan, sizeof ubsan - 1, &info));
    assert_string_equal(info.tool, "UndefinedBehaviorSanitizer");
    assert_string_equal(info.type, "runtime-error");
    assert_string_equal(info.place, "/src/fuzz/oracle.c:77:9");
    sanitizer_report_key(&info, key, sizeof key);
    assert_string_equal(key, "runtime-error in /src/fuzz/oracle.c:77:9");

    assert_true(sanitizer_report_read(lsan, sizeof lsan - 1, &info));
    assert_string_equal(info.tool, "LeakSanitizer");
    assert_string_equal(info.type, "memory-leak");
    assert_string_equal(info.frames[1].fn, "leaky");

    assert_true(sanitizer_report_read(timeout, sizeof timeout - 1, &info));
    assert_string_equal(info.tool, "libFuzzer");
    assert_string_equal(info.type, "timeout");
    sanitizer_report_key(&info, key, sizeof key);
    assert_string_equal(key, "timeout in spin");
}

static void test_no_report(void **state)
{
    static const char clean[] = "INFO: Running with entropic power schedule\n#2 INITED\n"
                                "smtpfuzz oracle: r1-help-not-214: HELP not answered\n";
    struct sanitizer_info info;

    (void)state;
    assert_false(sanitizer_report_read(clean, sizeof clean - 1, &info));
    assert_false(sanitizer_report_read("", 0, &info));
}

/* The marker is found whether reads split it or not, and the report starts at its line. */
static void test_scan_splits(void **state)
{
    size_t step;

    (void)state;
    for (step = 1; step <= sizeof asan; step += 7) {
        struct sanitizer_scan s;
        size_t off;

        memset(&s, 0, sizeof s);
        for (off = 0; off < sizeof asan - 1; off += step) {
            size_t n = sizeof asan - 1 - off < step ? sizeof asan - 1 - off : step;
            sanitizer_scan_feed(&s, asan + off, n);
        }
        assert_true(s.found);
        assert_true(s.report_len > 20);
        assert_memory_equal(s.report, "==4242==ERROR", 13);
    }
}

static void test_signal_names(void **state)
{
    char buf[32];

    (void)state;
    assert_string_equal(sanitizer_signal_name(SIGSEGV, buf, sizeof buf), "SIGSEGV");
    assert_string_equal(sanitizer_signal_name(77, buf, sizeof buf), "signal 77");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asan),         cmocka_unit_test(test_ubsan_lsan_libfuzzer),
        cmocka_unit_test(test_no_report),    cmocka_unit_test(test_scan_splits),
        cmocka_unit_test(test_signal_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_ext_run - the external-target runner against small shell and
 * Python targets: address rules, lock-step and pipelined sessions, the
 * session model (DATA, BDAT), every outcome (ok, crash by signal or
 * sanitizer report, hang, flood, memory), a target that does not start,
 * and hygiene: no descriptor and no child left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ext_run.h"

#define REPLY_CAP 65536

/* An echo-free responder in sh: greeting, then one reply per line; DATA text to a lone "." */
static const char sh_responder[] = "printf '220 t\\r\\n'; "
                                   "while IFS= read -r l; do case \"$l\" in "
                                   "QUIT*) printf '221 bye\\r\\n'; exit 0;; "
                                   "DATA*) printf '354 go\\r\\n'; while IFS= read -r d; do [ "
                                   "\"$d\" = \"$(printf '.\\r')\" ] && break; done; "
                                   "printf '250 got it\\r\\n';; "
                                   "HELP*) printf '214 help\\r\\n';; "
                                   "*) printf '250 ok\\r\\n';; esac; done";

struct fixture {
    char *replies;
    struct ext_result *res;
    struct ext_options o;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    f->replies = malloc(REPLY_CAP);
    f->res = malloc(sizeof *f->res);
    if (f->replies == NULL || f->res == NULL)
        return -1;
    ext_options_default(&f->o);
    f->o.reply_timeout_ms = 1000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    free(f->replies);
    free(f->res);
    free(f);
    return 0;
}

/* run_exec - one session against an --exec command */
static enum ext_error run_exec(struct fixture *f, const char *cmd, const char *client)
{
    struct ext_target t;

    ext_target_exec(&t, cmd);
    return ext_run(&t, &f->o, client, strlen(client), f->replies, REPLY_CAP, f->res);
}

/* replies_are - the reply stream equals want */
static void replies_are(const struct fixture *f, const char *want)
{
    if (f->res->replies_len != strlen(want) || memcmp(f->replies, want, strlen(want)) != 0)
        fail_msg("replies: got \"%.*s\", want \"%s\"", (int)f->res->replies_len, f->replies, want);
}

/* open_fds - descriptors this process has open */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

static void test_connect_addresses(void **state)
{
    static const struct {
        const char *addr;
        enum ext_error want;
    } rows[] = {
        {"127.0.0.1:25", EXT_ERR_NONE},
        {"127.1.2.3:2525", EXT_ERR_NONE},
        {"[::1]:25", EXT_ERR_NONE},
        {"localhost:25", EXT_ERR_NONE},
        {"10.0.0.1:25", EXT_ERR_NOT_LOOPBACK},
        {"192.0.2.1:25", EXT_ERR_NOT_LOOPBACK},
        {"[2001:db8::1]:25", EXT_ERR_NOT_LOOPBACK},
        {"[::]:25", EXT_ERR_NOT_LOOPBACK},
        {"0.0.0.0:25", EXT_ERR_NOT_LOOPBACK},
        {"127.0.0.1", EXT_ERR_ADDRESS},
        {"127.0.0.1:", EXT_ERR_ADDRESS},
        {"127.0.0.1:0", EXT_ERR_ADDRESS},
        {"127.0.0.1:65536", EXT_ERR_ADDRESS},
        {"127.0.0.1:25x", EXT_ERR_ADDRESS},
        {"::1:25", EXT_ERR_ADDRESS},
        {"mail.example:25", EXT_ERR_ADDRESS},
        {"", EXT_ERR_ADDRESS},
    };
    struct ext_target t;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        enum ext_error got = ext_target_connect(&t, rows[i].addr);
        if (got != rows[i].want)
            fail_msg("%s: got %s, want %s", rows[i].addr, ext_error_name(got),
                     ext_error_name(rows[i].want));
    }
}

static void test_lockstep_session(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(run_exec(f, sh_responder, "EHLO x\r\nHELP\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"),
                     EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    replies_are(f, "220 t\r\n250 ok\r\n214 help\r\n354 go\r\n250 got it\r\n221 bye\r\n");
    assert_int_equal(f->res->replies_seen, 6);
    assert_true(f->res->exited);
    assert_int_equal(f->res->exit_status, 0);
}

static void test_pipeline_session(void **state)
{
    struct fixture *f = *state;

    f->o.mode = EXT_PIPELINE;
    assert_int_equal(run_exec(f, sh_responder, "EHLO x\r\nNOOP\r\nQUIT\r\nNOOP\r\n"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    replies_are(f, "220 t\r\n250 ok\r\n250 ok\r\n221 bye\r\n");
}

static void test_no_quit_tail(void **state)
{
    struct fixture *f = *state;

    /* the tail gets no reply; the FIN ends the target's loop */
    assert_int_equal(run_exec(f, sh_responder, "NOOP\r\nunterminated"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    replies_are(f, "220 t\r\n250 ok\r\n");
    assert_int_equal(f->res->sent, 18);
}

static void test_bdat_chunk_sent_whole(void **state)
{
    struct fixture *f = *state;
    /* a target that answers BDAT once it has the whole chunk (5 octets, one of them LF) */
    const char *cmd = "printf '220 t\\r\\n'; IFS= read -r l; printf '250 ok\\r\\n'; "
                      "head -c 5 >/dev/null; printf '250 chunk\\r\\n'; IFS= read -r l; "
                      "printf '221 bye\\r\\n'";

    assert_int_equal(run_exec(f, cmd, "BDAT 5 LAST\r\na\nbcdQUIT\r\n"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    replies_are(f, "220 t\r\n250 ok\r\n250 chunk\r\n221 bye\r\n");
}

static void test_hang(void **state)
{
    struct fixture *f = *state;

    f->o.reply_timeout_ms = 300;
    assert_int_equal(run_exec(f, "printf '220 t\\r\\n'; exec sleep 30", "NOOP\r\nNOOP\r\n"),
                     EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_HANG);
    assert_true(f->res->killed_by_us);
    assert_true(f->res->elapsed_ms < 5000);
}

static void test_no_greeting_hang(void **state)
{
    struct fixture *f = *state;

    f->o.greeting_timeout_ms = 300;
    assert_int_equal(run_exec(f, "exec sleep 30", "NOOP\r\n"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_HANG);
    assert_int_equal(f->res->replies_len, 0);
    assert_int_equal(f->res->sent, 0); /* nothing is sent before the greeting */
}

static void test_flood(void **state)
{
    struct fixture *f = *state;
    struct ext_target t;

    ext_target_exec(&t, "printf '220 t\\r\\n'; exec yes '250 ok'");
    assert_int_equal(ext_run(&t, &f->o, "NOOP\r\n", 6, f->replies, 4096, f->res), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_FLOOD);
    assert_int_equal(f->res->replies_len, 4096);
}

static void test_crash_signal(void **state)
{
    struct fixture *f = *state;
    char key[64];

    assert_int_equal(run_exec(f, "printf '220 t\\r\\n'; read l; kill -SEGV $$", "NOOP\r\n"),
                     EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_CRASH);
    assert_int_equal(f->res->term_signal, SIGSEGV);
    ext_crash_key(f->res, key, sizeof key);
    assert_string_equal(key, "SIGSEGV");
}

static void test_crash_sanitizer(void **state)
{
    struct fixture *f = *state;
    char key[96];

    assert_int_equal(
        run_exec(f,
                 "printf '220 t\\r\\n'; read l; "
                 "echo '==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1' >&2; "
                 "echo '    #0 0x55 in mini_helo /src/mini.c:12:3' >&2; exit 1",
                 "HELO x\r\n"),
        EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_CRASH);
    assert_true(f->res->sanitizer);
    assert_true(f->res->exited);
    ext_crash_key(f->res, key, sizeof key);
    assert_string_equal(key, "heap-buffer-overflow in mini_helo");
}

static void test_memory(void **state)
{
    struct fixture *f = *state;

    f->o.rss_limit_kb = 50 * 1024;
    assert_int_equal(
        run_exec(f,
                 "/usr/bin/python3 -c 'import sys, time; sys.stdout.write(\"220 t\\r\\n\"); "
                 "sys.stdout.flush(); x = b\"x\" * (200 << 20); time.sleep(10)'",
                 "NOOP\r\n"),
        EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_MEMORY);
    assert_true(f->res->peak_rss_kb > 50 * 1024);
}

static void test_not_found(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(run_exec(f, "smtpfuzz-no-such-command-here", "NOOP\r\n"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    assert_true(f->res->exited);
    assert_int_equal(f->res->exit_status, 127);
    assert_int_equal(f->res->replies_len, 0);
    assert_true(f->res->stderr_len > 0);
}

static void test_connect_refused(void **state)
{
    struct fixture *f = *state;
    struct ext_target t;

    assert_int_equal(ext_target_connect(&t, "127.0.0.1:1"), EXT_ERR_NONE);
    assert_int_equal(ext_run(&t, &f->o, "NOOP\r\n", 6, f->replies, REPLY_CAP, f->res),
                     EXT_ERR_CONNECT);
}

static void test_reference_respond(void **state)
{
    struct fixture *f = *state;
    const char *exe = getenv("SMTPFUZZ_EXE");
    char cmd[1024];

    if (exe == NULL) {
        skip();
        return;
    }
    snprintf(cmd, sizeof cmd, "%s respond", exe);
    assert_int_equal(run_exec(f, cmd, "EHLO x\r\nHELP\r\nXYZZY\r\nQUIT\r\n"), EXT_ERR_NONE);
    assert_int_equal(f->res->outcome, EXT_OK);
    assert_int_equal(f->res->replies_seen, 5);
}

static void test_no_leaks(void **state)
{
    struct fixture *f = *state;
    int before = open_fds(), k;

    f->o.reply_timeout_ms = 200;
    for (k = 0; k < 40; k++) {
        const char *cmd = k % 4 == 0   ? sh_responder
                          : k % 4 == 1 ? "printf '220 t\\r\\n'; exec sleep 30"
                          : k % 4 == 2 ? "printf '220 t\\r\\n'; (sleep 30 &) ; exec cat >/dev/null"
                                       : "printf '220 t\\r\\n'; kill -KILL $$";
        assert_int_equal(run_exec(f, cmd, "NOOP\r\nNOOP\r\n"), EXT_ERR_NONE);
    }
    assert_int_equal(open_fds(), before);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG),
                     -1); /* no child of ours is left, not even a zombie */
    assert_int_equal(errno, ECHILD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_addresses),
        cmocka_unit_test_setup_teardown(test_lockstep_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_quit_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bdat_chunk_sent_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_greeting_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_sanitizer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_respond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_leaks, setup, teardown),
    };

    if (ext_ignore_sigpipe() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}

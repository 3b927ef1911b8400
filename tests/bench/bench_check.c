/*
 * bench_check - the bare clients "smtpfuzz check" is measured against
 * (tests/bench/bench_check.sh, scripts/bench.sh).
 *
 *   bench_check runner  (--exec CMD | --connect HOST:PORT) RUNS SEED [pipeline]
 *       the sessions "smtpfuzz check --seed SEED --corpus EMPTY" sends, in
 *       the same order, each through the same runner (ext_run, lock-step
 *       by default), with nothing judged and nothing saved
 *   bench_check raw     --exec CMD RUNS SEED
 *       the least a client can do: spawn "sh -c CMD", write the session,
 *       close, read to end of file, reap; no session model, no timeouts
 *   bench_check blind   --exec CMD SECONDS SEED
 *       a protocol-blind fuzzer, the baseline of scripts/bench.sh's
 *       bug-finding table: sessions of 1 to 512 uniformly random octets
 *       (no corpus, no grammar, no SMTP-aware mutation) through ext_run,
 *       judged like check judges them (session_judge, strict profile),
 *       until the first violation or SECONDS
 *
 * runner and raw print "sessions/s: N"; blind prints "first-finding: S RULE"
 * (S seconds from the start) or "first-finding: none after S".
 *
 * The runner's sessions are check's own: check_build_input (cli/check.h)
 * with an empty corpus, each in the mode check picks for it, and a session
 * check runs again cut (rule r4) is run again cut here too, so both clients
 * send the same traffic and only the judging differs.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ext_run.h"
#include "oracle_profile.h"
#include "session_report.h"
#include "splitmix.h"

#define BENCH_INPUT_MAX CHECK_SESSION_MAX
#define BENCH_REPLY_MAX CHECK_REPLY_MAX
#define BENCH_BLIND_MAX 512 /* octets of a blind session at most */

extern char **environ;

/* What every mode works in: allocated once, checked once. */
struct bench {
    uint8_t *in;     /* the session (check's input buffer) */
    struct check ck; /* check's session builder, with an empty corpus */
    struct check_corpus *corpus;
    char *replies;
    char *cbuf; /* judging scratch (blind) */
    char *sbuf;
    struct ext_result *res;
    struct oracle_profile_result *pr;
};

/* bench_now - seconds on the monotonic clock */
static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* raw_session - spawn, write all, close, read to EOF, reap; 0 or -1 */
static int raw_session(const char *cmd, const uint8_t *in, size_t len, char *buf, size_t cap)
{
    int pin[2], pout[2];
    posix_spawn_file_actions_t fa;
    char *argv[] = {"sh", "-c", (char *)(uintptr_t)cmd, NULL};
    pid_t pid;
    size_t off = 0;
    int st;

    if (pipe(pin) != 0)
        return -1;
    if (pipe(pout) != 0) {
        close(pin[0]);
        close(pin[1]);
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_addclose(&fa, pin[1]);
    posix_spawn_file_actions_addclose(&fa, pout[0]);
    st = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pin[0]);
    close(pout[1]);
    if (st != 0) {
        close(pin[1]);
        close(pout[0]);
        return -1;
    }
    while (off < len) {
        ssize_t n = write(pin[1], in + off, len - off);
        if (n <= 0)
            break; /* the target stopped reading */
        off += (size_t)n;
    }
    close(pin[1]);
    for (;;) {
        ssize_t n = read(pout[0], buf, cap);
        if (n <= 0 && !(n < 0 && errno == EINTR))
            break;
    }
    close(pout[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

/* blind - random sessions until the first violation or the budget; the exit status */
static int blind(struct bench *b, const struct ext_target *t, const struct ext_options *o,
                 double seconds, uint64_t seed)
{
    double t0 = bench_now(), now = t0;
    uint64_t s = seed;
    unsigned long i;

    for (i = 0; now - t0 < seconds; i++, now = bench_now()) {
        size_t len = 1 + (size_t)(splitmix_mix(s++) % BENCH_BLIND_MAX), k;
        enum oracle_rule rule;

        for (k = 0; k < len; k += 8) {
            uint64_t r = splitmix_mix(s++);
            size_t n = len - k < 8 ? len - k : 8;
            memcpy(b->in + k, &r, n);
        }
        if (ext_run(t, o, (const char *)b->in, len, b->replies, BENCH_REPLY_MAX, b->res) !=
            EXT_ERR_NONE)
            return 2;
        rule = session_judge(b->res, ORACLE_PROFILE_STRICT, (const char *)b->in, len, b->pr);
        if (rule != ORACLE_OK) {
            printf("first-finding: %.3f %s (session %lu)\n", bench_now() - t0, oracle_rule_id(rule),
                   i);
            return 0;
        }
    }
    printf("first-finding: none after %.3f (%lu sessions)\n", now - t0, i);
    return 0;
}

/* bench_free - release what main allocated (any of it may be NULL) */
static void bench_free(struct bench *b)
{
    free(b->in);
    free(b->corpus);
    free(b->replies);
    free(b->cbuf);
    free(b->sbuf);
    free(b->res);
    free(b->pr);
}

/* main - run the chosen client and print its figure */
int main(int argc, char **argv)
{
    struct bench b;
    struct ext_target t;
    struct ext_options o;
    unsigned long runs, i;
    uint64_t seed;
    double t0;
    int raw, rc = 0;

    if (argc < 6 || (strcmp(argv[1], "runner") != 0 && strcmp(argv[1], "raw") != 0 &&
                     strcmp(argv[1], "blind") != 0)) {
        fprintf(stderr, "usage: bench_check runner|raw|blind --exec CMD|--connect HOST:PORT "
                        "RUNS|SECONDS SEED [pipeline]\n");
        return 2;
    }
    memset(&b, 0, sizeof b);
    b.in = malloc(BENCH_INPUT_MAX);
    b.corpus = calloc(1, sizeof *b.corpus);
    b.replies = malloc(BENCH_REPLY_MAX);
    b.cbuf = malloc(CHECK_INPUT_MAX);
    b.sbuf = malloc(CHECK_INPUT_MAX);
    b.res = malloc(sizeof *b.res);
    b.pr = malloc(sizeof *b.pr);
    if (b.in == NULL || b.corpus == NULL || b.replies == NULL || b.cbuf == NULL || b.sbuf == NULL ||
        b.res == NULL || b.pr == NULL) {
        fputs("bench_check: out of memory\n", stderr);
        bench_free(&b);
        return 2;
    }
    raw = strcmp(argv[1], "raw") == 0;
    runs = strtoul(argv[4], NULL, 10);
    seed = strtoull(argv[5], NULL, 10);
    ext_options_default(&o);
    if (argc > 6 && strcmp(argv[6], "pipeline") == 0)
        o.mode = EXT_PIPELINE;
    /* check's builder, as "smtpfuzz check --seed SEED --corpus EMPTY" sets it up */
    b.ck.a.seed = seed;
    b.ck.a.eo = o;
    b.ck.a.mode_given = o.mode == EXT_PIPELINE;
    b.ck.corpus = b.corpus;
    b.ck.input = b.in;
    b.ck.cbuf = b.cbuf;
    b.ck.sbuf = b.sbuf;
    if (strcmp(argv[2], "--exec") == 0)
        ext_target_exec(&t, argv[3]);
    else if (ext_target_connect(&t, argv[3]) != EXT_ERR_NONE)
        rc = 2;
    if (rc == 0 && raw && t.kind != EXT_TARGET_EXEC)
        rc = 2; /* raw spawns a command: --exec only */
    if (rc == 0)
        ext_ignore_sigpipe();
    if (rc == 0 && strcmp(argv[1], "blind") == 0) {
        rc = blind(&b, &t, &o, (double)runs, seed);
    } else if (rc == 0) {
        t0 = bench_now();
        for (i = 0; i < runs && rc == 0; i++) {
            int pass;
            check_build_input(&b.ck, i);
            for (pass = 0; pass < (b.ck.ncuts > 0 ? 2 : 1) && rc == 0; pass++) {
                struct ext_options so = o;
                so.mode = b.ck.mode;
                so.cuts = pass > 0 ? b.ck.cuts : NULL;
                so.ncuts = pass > 0 ? b.ck.ncuts : 0;
                so.cut_pause_ms = SESSION_CUT_PAUSE_MS;
                if (raw ? raw_session(argv[3], b.in, b.ck.input_len, b.replies, BENCH_REPLY_MAX) !=
                              0
                        : ext_run(&t, &so, (const char *)b.in, b.ck.input_len, b.replies,
                                  BENCH_REPLY_MAX, b.res) != EXT_ERR_NONE)
                    rc = 1;
            }
        }
        if (rc == 0)
            printf("sessions/s: %.1f\n", (double)runs / (bench_now() - t0));
    }
    bench_free(&b);
    return rc;
}

/*
 * bench_check - the bare clients "smtpfuzz check" is measured against
 * (tests/bench/bench_check.sh): the same kind of sessions (grammar
 * sessions, mutated), sent to the same target, with no checking at all.
 *
 *   bench_check runner  (--exec CMD | --connect HOST:PORT) RUNS SEED [pipeline]
 *       each session through ext_run (lock-step by default), nothing judged
 *   bench_check raw     --exec CMD RUNS SEED
 *       the least a client can do: spawn "sh -c CMD", write the session,
 *       close, read to end of file, reap; no session model, no timeouts
 *
 * Prints "sessions/s: N" on stdout.
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

#include "ext_run.h"
#include "session_gen.h"
#include "smtp_mutator.h"

#define BENCH_INPUT_MAX (128u << 10)
#define BENCH_REPLY_MAX (4u << 20)

extern char **environ;

/* bench_now - seconds on the monotonic clock */
static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* make_session - a grammar session for run i, mutated three times out of four */
static size_t make_session(uint8_t *in, uint64_t seed, unsigned long i)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + i;
    size_t len = session_gen(in, BENCH_INPUT_MAX, s);

    if (s % 4 != 0)
        len = smtp_mutate(in, len, BENCH_INPUT_MAX, s ^ 0x1234);
    return len;
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

    if (pipe(pin) != 0 || pipe(pout) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_addclose(&fa, pin[1]);
    posix_spawn_file_actions_addclose(&fa, pout[0]);
    if (posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ) != 0)
        return -1;
    posix_spawn_file_actions_destroy(&fa);
    close(pin[0]);
    close(pout[1]);
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

/* main - run the chosen bare client and print its rate */
int main(int argc, char **argv)
{
    struct ext_target t;
    struct ext_options o;
    struct ext_result *res = malloc(sizeof *res);
    uint8_t *in = malloc(BENCH_INPUT_MAX);
    char *replies = malloc(BENCH_REPLY_MAX);
    unsigned long runs, i;
    uint64_t seed;
    double t0;
    int raw;

    if (argc < 6 || res == NULL || in == NULL || replies == NULL) {
        fprintf(stderr, "usage: bench_check runner|raw --exec CMD|--connect HOST:PORT RUNS SEED "
                        "[pipeline]\n");
        return 2;
    }
    raw = strcmp(argv[1], "raw") == 0;
    runs = strtoul(argv[4], NULL, 10);
    seed = strtoull(argv[5], NULL, 10);
    ext_options_default(&o);
    if (argc > 6 && strcmp(argv[6], "pipeline") == 0)
        o.mode = EXT_PIPELINE;
    if (strcmp(argv[2], "--exec") == 0)
        ext_target_exec(&t, argv[3]);
    else if (ext_target_connect(&t, argv[3]) != EXT_ERR_NONE)
        return 2;
    if (raw && t.kind != EXT_TARGET_EXEC)
        return 2;
    ext_ignore_sigpipe();
    t0 = bench_now();
    for (i = 0; i < runs; i++) {
        size_t len = make_session(in, seed, i);
        if (raw ? raw_session(argv[3], in, len, replies, BENCH_REPLY_MAX) != 0
                : ext_run(&t, &o, (const char *)in, len, replies, BENCH_REPLY_MAX, res) !=
                      EXT_ERR_NONE)
            return 1;
    }
    printf("sessions/s: %.1f\n", (double)runs / (bench_now() - t0));
    free(res);
    free(in);
    free(replies);
    return 0;
}

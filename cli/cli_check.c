/*
 * cli_check - "smtpfuzz check": fuzz another SMTP server, out of process,
 * against the oracle (docs/contract.md section 7).
 *
 * What it does: for each run, builds one client session (a grammar
 * session from session_gen, or a corpus seed; most of them then mutated
 * by smtp_mutator, some crossed with another input), runs it against the
 * target with ext_run (--exec: a program speaking SMTP on stdin/stdout,
 * one process per session; --connect: a TCP server on loopback), judges
 * it (how the run ended, then the oracle under the chosen profile) and
 * saves the first input of every distinct finding under --out as
 * <rule-id>-<hash>.in (the replayable client stream), .transcript and
 * .rule. Findings are told apart by rule, and crashes also by their
 * sanitizer bug type and first frame, or their signal.
 *
 * Every run's seed derives from --seed and the run number, so a seed
 * replays the same sessions against the same target.
 *
 * Exit status: 0 nothing found; 1 something found; 2 a usage or setup
 * error (bad option, the command cannot start or sends no greeting, the
 * port refuses, the out folder cannot be written).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "ext_run.h"
#include "oracle_profile.h"
#include "session_gen.h"
#include "session_report.h"
#include "smtp_mutator.h"

#define CHECK_INPUT_MAX (128u << 10)   /* octets of one session */
#define CHECK_REPLY_MAX (4u << 20)     /* reply octets of one session (more: flood) */
#define CHECK_CORPUS_FILES 4096        /* seeds loaded at most */
#define CHECK_CORPUS_BYTES (32u << 20) /* their octets at most */
#define CHECK_KEYS_MAX 256             /* distinct findings remembered */
#define CHECK_KEY_MAX 128
#define CHECK_DEFAULT_SECONDS 10
/* Where the session seeds are when --corpus is not given, in this order: the installed ones
 * (CMake passes the path), the source tree this program was built from, the current folder. */
#ifndef SMTPFUZZ_INSTALLED_CORPUS
#define SMTPFUZZ_INSTALLED_CORPUS ""
#endif
#ifndef SMTPFUZZ_SOURCE_CORPUS
#define SMTPFUZZ_SOURCE_CORPUS ""
#endif
#define CHECK_DEFAULT_CORPUS "corpus/fuzz_session"
#define CHECK_DEFAULT_OUT "check-out"
#define CHECK_PATH_MAX 4096

/* Set by SIGINT/SIGTERM: finish the session, print the table, exit. */
static volatile sig_atomic_t check_stop;

/* check_on_signal - ask the loop to stop */
static void check_on_signal(int sig)
{
    (void)sig;
    check_stop = 1;
}

enum check_opt {
    CHECK_OPT_HELP,
    CHECK_OPT_EXEC,
    CHECK_OPT_CONNECT,
    CHECK_OPT_OUT,
    CHECK_OPT_SECONDS,
    CHECK_OPT_RUNS,
    CHECK_OPT_SEED,
    CHECK_OPT_CORPUS,
    CHECK_OPT_LOCKSTEP,
    CHECK_OPT_PIPELINE,
    CHECK_OPT_PROFILE,
    CHECK_OPT_LIST_RULES,
    CHECK_OPT_REPLY_TIMEOUT,
    CHECK_OPT_RSS_LIMIT,
    CHECK_OPT_QUIET,
    CHECK_OPT_COUNT
};

static const struct cli_option check_options[CHECK_OPT_COUNT] = {
    [CHECK_OPT_HELP] = {"help", 'h', 0},
    [CHECK_OPT_EXEC] = {"exec", 0, 1},
    [CHECK_OPT_CONNECT] = {"connect", 0, 1},
    [CHECK_OPT_OUT] = {"out", 0, 1},
    [CHECK_OPT_SECONDS] = {"seconds", 0, 1},
    [CHECK_OPT_RUNS] = {"runs", 0, 1},
    [CHECK_OPT_SEED] = {"seed", 0, 1},
    [CHECK_OPT_CORPUS] = {"corpus", 0, 1},
    [CHECK_OPT_LOCKSTEP] = {"lockstep", 0, 0},
    [CHECK_OPT_PIPELINE] = {"pipeline", 0, 0},
    [CHECK_OPT_PROFILE] = {"profile", 0, 1},
    [CHECK_OPT_LIST_RULES] = {"list-rules", 0, 0},
    [CHECK_OPT_REPLY_TIMEOUT] = {"reply-timeout", 0, 1},
    [CHECK_OPT_RSS_LIMIT] = {"rss-limit", 0, 1},
    [CHECK_OPT_QUIET] = {"quiet", 'q', 0},
};

static const char check_usage[] =
    "usage: smtpfuzz check (--exec 'COMMAND' | --connect HOST:PORT) [--out DIR]\n"
    "                      [--seconds N] [--runs N] [--seed N] [--corpus DIR]\n"
    "                      [--lockstep | --pipeline] [--profile strict|rfc] [--list-rules]\n"
    "                      [--reply-timeout MS] [--rss-limit MB] [--quiet]\n"
    "\n"
    "Fuzz another SMTP server with generated and mutated sessions and check every\n"
    "reply with the oracle. Each distinct finding is saved under DIR as\n"
    "<rule>-<hash>.in (replay it with 'smtpfuzz replay'), .transcript and .rule.\n"
    "\n"
    "options:\n"
    "  --exec 'COMMAND'     a program speaking SMTP on stdin/stdout (like 'exim -bs'),\n"
    "                       run with /bin/sh -c, one process per session\n"
    "  --connect HOST:PORT  a TCP server on 127.0.0.0/8 or [::1], one connection per\n"
    "                       session\n"
    "  --out DIR            where findings go (default check-out, made when needed)\n"
    "  --seconds N          stop after N seconds (default 10 unless --runs is given)\n"
    "  --runs N             stop after N sessions\n"
    "  --seed N             the seed of the session generator (default: from the clock;\n"
    "                       printed, so a run can be repeated)\n"
    "  --corpus DIR         seeds to mutate (default corpus/fuzz_session when present,\n"
    "                       else generated sessions only)\n"
    "  --lockstep           wait for each reply before the next command (default)\n"
    "  --pipeline           send each session at once after the greeting, then read\n"
    "  --profile NAME       strict (default: the contract as written) or rfc (RFC 5321\n"
    "                       latitude: see --list-rules)\n"
    "  --list-rules         print the rules of the profile, and what it tolerates\n"
    "  --reply-timeout MS   no reply this long is a hang (default 2000)\n"
    "  --rss-limit MB       --exec: the target's VmRSS past this is r6-memory\n"
    "  -q, --quiet          no progress lines on stderr\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 nothing found, 1 something found, 2 usage or setup error.\n";

/* The command line, parsed. */
struct check_args {
    const char *exec, *connect, *out, *corpus;
    unsigned long seconds, runs;
    uint64_t seed;
    int seed_given, list_rules, quiet;
    enum oracle_profile profile;
    struct ext_options eo;
};

/* The loaded seeds: one arena, offsets into it. */
struct check_corpus {
    char *arena;
    size_t used;
    size_t n;
    size_t off[CHECK_CORPUS_FILES], len[CHECK_CORPUS_FILES];
};

/* One distinct finding. */
struct check_key {
    char key[CHECK_KEY_MAX];
    unsigned long count;
    char saved[CHECK_PATH_MAX + 16];
};

/* Everything a run of check works with. */
struct check {
    const char *cmd;
    struct check_args a;
    struct ext_target target;
    struct check_corpus *corpus;
    const char *corpus_dir; /* where the seeds came from, or NULL */
    uint8_t *input, *prev;
    size_t input_len, prev_len;
    char *replies, *cbuf, *sbuf;
    struct ext_result *run;
    unsigned long sessions;
    unsigned long per_rule[ORACLE_RULE_COUNT];
    struct check_key *keys;
    size_t nkeys;
    int out_made;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* check_now - seconds on the monotonic clock */
static double check_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mix64 - splitmix64's finaliser: a run's seed from the base seed and the run number */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* fnv1a - the 64-bit FNV-1a hash of an input, for file names */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* load_corpus - every regular file of dir in name order (up to the limits); 0 or -1 with errno */
static int load_corpus(struct check_corpus *c, const char *dir)
{
    struct dirent **names;
    char path[CHECK_PATH_MAX];
    int n = scandir(dir, &names, NULL, alphasort), k; /* sorted: --seed means the same seeds */

    if (n < 0)
        return -1;
    for (k = 0; k < n; k++) {
        const char *name = names[k]->d_name;
        struct stat st;
        size_t len = 0;

        if (name[0] == '.' || c->n == CHECK_CORPUS_FILES ||
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
            continue;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
            (uint64_t)st.st_size > CHECK_INPUT_MAX ||
            (size_t)st.st_size > CHECK_CORPUS_BYTES - c->used)
            continue;
        if (session_read_file(path, c->arena + c->used, (size_t)st.st_size, &len) !=
            SESSION_FILE_OK)
            continue;
        c->off[c->n] = c->used;
        c->len[c->n] = len;
        c->used += len;
        c->n++;
    }
    for (k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return 0;
}

/* default_corpus - the first seed folder of the usual places that exists, or NULL */
static const char *default_corpus(void)
{
    static const char *const places[] = {SMTPFUZZ_INSTALLED_CORPUS, SMTPFUZZ_SOURCE_CORPUS,
                                         CHECK_DEFAULT_CORPUS};
    size_t k;

    for (k = 0; k < sizeof places / sizeof places[0]; k++) {
        struct stat st;
        if (places[k][0] != '\0' && stat(places[k], &st) == 0 && S_ISDIR(st.st_mode))
            return places[k];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Building a session                                                   */

/* build_input - the client session of run number i into ck->input */
static void build_input(struct check *ck, unsigned long i)
{
    uint64_t s = mix64(ck->a.seed ^ mix64((uint64_t)i));
    uint8_t *in = ck->input;
    size_t len, max = CHECK_INPUT_MAX;
    unsigned pick = (unsigned)(s % 16);
    struct check_corpus *c = ck->corpus;

    s = mix64(s);
    if (i == 0 || pick < 2) {
        /* plain grammar: the first run probes the target with a clean session */
        ck->input_len = session_gen(in, max, s);
        return;
    }
    if (c->n > 0 && pick < 9) {
        size_t k = (size_t)(mix64(s) % c->n);
        len = c->len[k];
        memcpy(in, c->arena + c->off[k], len);
    } else {
        len = session_gen(in, max, s);
    }
    s = mix64(s + 1);
    if (s % 8 == 0) {
        /* crossover with a second input: another seed, or another grammar session */
        uint8_t *other = (uint8_t *)ck->sbuf; /* crossover scratch */
        size_t olen;
        if (c->n > 0 && (s >> 8) % 2 == 0) {
            size_t k = (size_t)(mix64(s) % c->n);
            olen = c->len[k];
            memcpy(other, c->arena + c->off[k], olen);
        } else {
            olen = session_gen(other, max, mix64(s ^ 0xabcdef));
        }
        /* out must not alias a: copy a to the reply scratch first */
        memcpy(ck->cbuf, in, len);
        len = smtp_crossover((const uint8_t *)ck->cbuf, len, other, olen, in, max, s);
    }
    len = smtp_mutate(in, len, max, mix64(s + 2));
    ck->input_len = len;
}

/* ------------------------------------------------------------------ */
/* Findings                                                             */

/* make_dirs - mkdir -p: path and its missing parents; 0 or -1 with errno */
static int make_dirs(const char *path)
{
    char buf[CHECK_PATH_MAX];
    size_t i, n = strlen(path);

    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        buf[i] = path[i];
    }
    return 0;
}

/* save_file - write (p, n) to path; 0 or -1 with errno */
static int save_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int bad;

    if (f == NULL)
        return -1;
    bad = n > 0 && fwrite(p, 1, n, f) != n;
    if (fclose(f) != 0 || bad)
        return -1;
    return 0;
}

/* save_finding - the .in, .transcript and .rule of a new finding; 0 or -1 (reported) */
static int save_finding(struct check *ck, struct check_key *k, enum oracle_rule rule,
                        const uint8_t *input, size_t len, const struct oracle_profile_result *pr,
                        const char *crash_key)
{
    char base[CHECK_PATH_MAX], path[CHECK_PATH_MAX + 16];
    char q[CLI_QUOTE_MAX];
    FILE *f;

    if (!ck->out_made) {
        if (make_dirs(ck->a.out) != 0) {
            cli_error(ck->cmd, "cannot make %s: %s", cli_quote(ck->a.out, q), strerror(errno));
            return -1;
        }
        ck->out_made = 1;
    }
    if ((size_t)snprintf(base, sizeof base, "%s/%s-%016llx", ck->a.out, oracle_rule_id(rule),
                         (unsigned long long)fnv1a(input, len)) >= sizeof base) {
        cli_error(ck->cmd, "--out path too long");
        return -1;
    }
    snprintf(path, sizeof path, "%s.in", base);
    if (save_file(path, input, len) != 0) {
        cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
        return -1;
    }
    snprintf(k->saved, sizeof k->saved, "%s", path);
    snprintf(path, sizeof path, "%s.transcript", base);
    f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "# smtpfuzz check: %s, profile %s, session %lu, seed %llu\n",
                oracle_rule_id(rule), oracle_profile_name(ck->a.profile), ck->sessions,
                (unsigned long long)ck->a.seed);
        fprintf(f, "# target: %s %s\n", ck->a.exec != NULL ? "--exec" : "--connect",
                ck->a.exec != NULL ? ck->a.exec : ck->a.connect);
        fprintf(f, "# replay: smtpfuzz replay %s%s%s '%s.in'\n\n",
                ck->a.profile == ORACLE_PROFILE_RFC ? "--profile rfc " : "",
                ck->a.eo.mode == EXT_PIPELINE ? "--pipeline " : "",
                ck->a.exec != NULL ? "--exec '...'" : "--connect ...", base);
        session_report_print(f, ck->a.profile, ck->run, pr, rule);
        if (fclose(f) != 0) {
            cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s.rule", base);
    f = fopen(path, "w");
    if (f == NULL) {
        cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
        return -1;
    }
    fprintf(f, "%s\n%s\n", oracle_rule_id(rule), oracle_rule_text(rule));
    if (crash_key != NULL)
        fprintf(f, "crash: %s\n", crash_key);
    else if (pr->v.detail[0] != '\0')
        fprintf(f, "detail: %s\n", pr->v.detail);
    if (fclose(f) != 0) {
        cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
        return -1;
    }
    return 0;
}

/* record - count a finding; save it when its key is new; 0 or -1 when saving failed */
static int record(struct check *ck, enum oracle_rule rule, const uint8_t *input, size_t len,
                  const struct oracle_profile_result *pr)
{
    char key[CHECK_KEY_MAX], crash[96];
    const char *crash_key = NULL;
    size_t k;

    ck->per_rule[rule]++;
    if (rule == ORACLE_CRASH) {
        ext_crash_key(ck->run, crash, sizeof crash);
        crash_key = crash;
        snprintf(key, sizeof key, "%s/%s", oracle_rule_id(rule), crash);
    } else {
        snprintf(key, sizeof key, "%s", oracle_rule_id(rule));
    }
    for (k = 0; k < ck->nkeys; k++) {
        if (strcmp(ck->keys[k].key, key) == 0) {
            ck->keys[k].count++;
            return 0;
        }
    }
    if (ck->nkeys == CHECK_KEYS_MAX)
        return 0; /* counted, not saved: the table is full of distinct crashes already */
    k = ck->nkeys++;
    snprintf(ck->keys[k].key, sizeof ck->keys[k].key, "%s", key);
    ck->keys[k].count = 1;
    ck->keys[k].saved[0] = '\0';
    if (!ck->a.quiet)
        fprintf(stderr, "%s: new finding %s (session %lu)\n", ck->cmd, key, ck->sessions);
    return save_finding(ck, &ck->keys[k], rule, input, len, pr, crash_key);
}

/* ------------------------------------------------------------------ */
/* The loop and the table                                               */

/* print_table - what was run and found, on stdout */
static void print_table(const struct check *ck, double secs)
{
    int r;
    size_t k;
    unsigned long found = 0;

    printf("smtpfuzz check: target %s %s; profile %s; %s; seed %llu; corpus %zu seeds\n",
           ck->a.exec != NULL ? "--exec" : "--connect",
           ck->a.exec != NULL ? ck->a.exec : ck->a.connect, oracle_profile_name(ck->a.profile),
           ck->a.eo.mode == EXT_PIPELINE ? "pipelined" : "lock-step",
           (unsigned long long)ck->a.seed, ck->corpus->n);
    printf("sessions: %lu in %.1f s (%.1f sessions/s)\n", ck->sessions, secs,
           secs > 0 ? (double)ck->sessions / secs : 0.0);
    printf("rules checked: %d\n", ORACLE_RULE_COUNT - 1);
    printf("  %-22s %10s\n", "rule", "sessions");
    for (r = 1; r < ORACLE_RULE_COUNT; r++) {
        printf("  %-22s %10lu\n", oracle_rule_id((enum oracle_rule)r), ck->per_rule[r]);
        found += ck->per_rule[r];
    }
    if (ck->nkeys == 0) {
        printf("findings: none\n");
        return;
    }
    printf("findings: %zu distinct in %lu sessions, saved under %s/\n", ck->nkeys, found,
           ck->a.out);
    for (k = 0; k < ck->nkeys; k++)
        printf("  %-40s x%-8lu %s\n", ck->keys[k].key, ck->keys[k].count,
               ck->keys[k].saved[0] != '\0' ? ck->keys[k].saved : "(not saved)");
}

/* check_loop - run sessions until the budget is spent; the exit status */
static int check_loop(struct check *ck)
{
    double t0 = check_now(), next_progress = t0 + 1.0, now = t0;
    struct oracle_profile_result *pr = malloc(sizeof *pr);
    int status = CLI_EXIT_OK;

    if (pr == NULL) {
        cli_error(ck->cmd, "out of memory");
        return CLI_EXIT_USAGE;
    }
    for (;;) {
        enum ext_error err;
        enum oracle_rule rule;

        now = check_now();
        if (check_stop || (ck->a.runs > 0 && ck->sessions >= ck->a.runs) ||
            (ck->a.seconds > 0 && now - t0 >= (double)ck->a.seconds))
            break;
        if (!ck->a.quiet && now >= next_progress) {
            fprintf(stderr, "%s: %.0f s, %lu sessions (%.0f/s), %zu distinct findings\n", ck->cmd,
                    now - t0, ck->sessions, (double)ck->sessions / (now - t0), ck->nkeys);
            next_progress = now + 1.0;
        }
        build_input(ck, ck->sessions);
        err = ext_run(&ck->target, &ck->a.eo, (const char *)ck->input, ck->input_len, ck->replies,
                      CHECK_REPLY_MAX, ck->run);
        if (err != EXT_ERR_NONE) {
            if (ck->sessions > 0 && err == EXT_ERR_CONNECT) {
                /* it served before: the last session took it down */
                char why[EXT_DETAIL_MAX];
                snprintf(why, sizeof why, "%s", ck->run->detail);
                memset(ck->run, 0, sizeof *ck->run);
                ck->run->replies = ck->replies;
                ck->run->outcome = EXT_CRASH;
                snprintf(ck->run->detail, sizeof ck->run->detail,
                         "the target stopped accepting connections after this session");
                memset(pr, 0, sizeof *pr);
                pr->client = (const char *)ck->prev;
                pr->client_len = ck->prev_len;
                pr->server = ck->replies;
                if (record(ck, ORACLE_CRASH, ck->prev, ck->prev_len, pr) != 0)
                    status = CLI_EXIT_USAGE;
                cli_error(ck->cmd, "%s (%s): the target went away", ext_error_name(err), why);
                break;
            }
            cli_error(ck->cmd, "%s%s%s", ext_error_name(err),
                      ck->run->detail[0] != '\0' ? ": " : "", ck->run->detail);
            status = CLI_EXIT_USAGE;
            break;
        }
        /*
         * Nothing at all from the first session: a plain exit (or a closed connection) is a
         * target that cannot be used, a setup error; a death by signal, a sanitizer report,
         * a hang or memory growth before the greeting is a finding like any other.
         */
        if (ck->sessions == 0 && session_unusable(ck->run)) {
            session_explain_silence(ck->cmd, ck->run);
            status = CLI_EXIT_USAGE;
            break;
        }
        ck->sessions++;
        rule = session_judge(ck->run, ck->a.profile, (const char *)ck->input, ck->input_len, pr);
        if (rule != ORACLE_OK && record(ck, rule, ck->input, ck->input_len, pr) != 0) {
            status = CLI_EXIT_USAGE;
            break;
        }
        memcpy(ck->prev, ck->input, ck->input_len);
        ck->prev_len = ck->input_len;
    }
    free(pr);
    if (status == CLI_EXIT_USAGE && ck->sessions == 0)
        return status; /* a setup error: nothing was run, no table */
    print_table(ck, check_now() - t0);
    fflush(stdout);
    if (status == CLI_EXIT_OK && ck->nkeys > 0)
        status = CLI_EXIT_FAILURE;
    return status;
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

/* parse_args - the command line into *a; CLI_EXIT_OK, or the status to exit with */
static int parse_args(int argc, char **argv, struct check_args *a, int *help)
{
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value;
    char q[CLI_QUOTE_MAX];
    size_t opt;
    unsigned long num;

    memset(a, 0, sizeof *a);
    a->out = CHECK_DEFAULT_OUT;
    a->profile = ORACLE_PROFILE_STRICT;
    ext_options_default(&a->eo);
    *help = 0;
    cli_parser_init(&p, argv[0], check_options, CHECK_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            cli_usage_error(argv[0], "unexpected argument %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        switch ((enum check_opt)opt) {
        case CHECK_OPT_HELP:
            *help = 1;
            return CLI_EXIT_OK;
        case CHECK_OPT_EXEC:
            a->exec = value;
            break;
        case CHECK_OPT_CONNECT:
            a->connect = value;
            break;
        case CHECK_OPT_OUT:
            if (value[0] == '\0') {
                cli_usage_error(argv[0], "--out: empty folder name");
                return CLI_EXIT_USAGE;
            }
            a->out = value;
            break;
        case CHECK_OPT_CORPUS:
            a->corpus = value;
            break;
        case CHECK_OPT_SECONDS:
        case CHECK_OPT_RUNS:
        case CHECK_OPT_SEED:
        case CHECK_OPT_REPLY_TIMEOUT:
        case CHECK_OPT_RSS_LIMIT: {
            unsigned long lo = opt == CHECK_OPT_SEED ? 0 : 1;
            unsigned long hi = opt == CHECK_OPT_SECONDS         ? 31536000UL
                               : opt == CHECK_OPT_REPLY_TIMEOUT ? 3600000UL
                               : opt == CHECK_OPT_RSS_LIMIT     ? 1048576UL
                                                                : (unsigned long)-1;
            enum cli_num_status ns = cli_parse_ulong(value, lo, hi, &num);
            if (ns != CLI_NUM_OK) {
                cli_usage_error(argv[0], "--%s: %s: %s", check_options[opt].name,
                                cli_num_status_name(ns), cli_quote(value, q));
                return CLI_EXIT_USAGE;
            }
            if (opt == CHECK_OPT_SECONDS)
                a->seconds = num;
            else if (opt == CHECK_OPT_RUNS)
                a->runs = num;
            else if (opt == CHECK_OPT_SEED)
                a->seed = num, a->seed_given = 1;
            else if (opt == CHECK_OPT_REPLY_TIMEOUT)
                a->eo.reply_timeout_ms = (unsigned)num;
            else
                a->eo.rss_limit_kb = num * 1024;
            break;
        }
        case CHECK_OPT_LOCKSTEP:
            a->eo.mode = EXT_LOCKSTEP;
            break;
        case CHECK_OPT_PIPELINE:
            a->eo.mode = EXT_PIPELINE;
            break;
        case CHECK_OPT_PROFILE:
            if (!oracle_profile_parse(value, &a->profile)) {
                cli_usage_error(argv[0], "--profile: want strict or rfc, got %s",
                                cli_quote(value, q));
                return CLI_EXIT_USAGE;
            }
            break;
        case CHECK_OPT_LIST_RULES:
            a->list_rules = 1;
            break;
        case CHECK_OPT_QUIET:
            a->quiet = 1;
            break;
        case CHECK_OPT_COUNT:
            break;
        }
    }
    if (a->list_rules)
        return CLI_EXIT_OK;
    if ((a->exec == NULL) == (a->connect == NULL)) {
        cli_usage_error(argv[0], a->exec == NULL ? "want --exec 'COMMAND' or --connect HOST:PORT"
                                                 : "--exec and --connect exclude each other");
        return CLI_EXIT_USAGE;
    }
    if (a->exec != NULL && a->exec[0] == '\0') {
        cli_usage_error(argv[0], "--exec: empty command");
        return CLI_EXIT_USAGE;
    }
    if (a->connect != NULL && a->eo.rss_limit_kb > 0) {
        cli_usage_error(argv[0], "--rss-limit needs --exec (a TCP server is not our child)");
        return CLI_EXIT_USAGE;
    }
    if (a->seconds == 0 && a->runs == 0)
        a->seconds = CHECK_DEFAULT_SECONDS;
    if (!a->seed_given)
        a->seed = mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
    return CLI_EXIT_OK;
}

/* check_signals - SIGINT/SIGTERM end the loop cleanly; SIGPIPE becomes EPIPE */
static int check_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = check_on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return ext_ignore_sigpipe();
}

/* cli_check_main - fuzz another SMTP server (--exec or --connect) against the oracle */
int cli_check_main(int argc, char **argv)
{
    struct check ck;
    char q[CLI_QUOTE_MAX];
    int help, rc;
    const char *corpus_dir;

    memset(&ck, 0, sizeof ck);
    ck.cmd = argv[0];
    rc = parse_args(argc, argv, &ck.a, &help);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (help)
        return cli_print_stdout(argv[0], check_usage);
    if (ck.a.list_rules) {
        oracle_profile_list_rules(stdout, ck.a.profile);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
    if (ck.a.exec != NULL) {
        ext_target_exec(&ck.target, ck.a.exec);
    } else {
        enum ext_error err = ext_target_connect(&ck.target, ck.a.connect);
        if (err != EXT_ERR_NONE) {
            cli_usage_error(argv[0], "--connect %s: %s", cli_quote(ck.a.connect, q),
                            ext_error_name(err));
            return CLI_EXIT_USAGE;
        }
    }
    if (check_signals() != 0) {
        cli_error(argv[0], "cannot set up signal handling: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    ck.corpus = calloc(1, sizeof *ck.corpus);
    ck.input = malloc(CHECK_INPUT_MAX);
    ck.prev = malloc(CHECK_INPUT_MAX);
    ck.replies = malloc(CHECK_REPLY_MAX);
    ck.cbuf = malloc(CHECK_INPUT_MAX);
    ck.sbuf = malloc(CHECK_INPUT_MAX);
    ck.run = malloc(sizeof *ck.run);
    ck.keys = calloc(CHECK_KEYS_MAX, sizeof *ck.keys);
    rc = CLI_EXIT_USAGE;
    if (ck.corpus == NULL || ck.input == NULL || ck.prev == NULL || ck.replies == NULL ||
        ck.cbuf == NULL || ck.sbuf == NULL || ck.run == NULL || ck.keys == NULL) {
        cli_error(argv[0], "out of memory");
        goto done;
    }
    corpus_dir = ck.a.corpus != NULL ? ck.a.corpus : default_corpus();
    if (corpus_dir != NULL) {
        ck.corpus->arena = malloc(CHECK_CORPUS_BYTES);
        if (ck.corpus->arena == NULL) {
            cli_error(argv[0], "out of memory");
            goto done;
        }
        if (load_corpus(ck.corpus, corpus_dir) != 0) {
            cli_usage_error(argv[0], "--corpus %s: %s", cli_quote(corpus_dir, q), strerror(errno));
            goto done;
        }
    }
    if (ck.corpus->n == 0 && !ck.a.quiet)
        fprintf(stderr,
                "%s: warning: no seeds (%s): only generated sessions will be run; "
                "give --corpus DIR\n",
                argv[0], corpus_dir != NULL ? "the corpus folder holds none" : "no corpus found");
    ck.corpus_dir = corpus_dir;
    rc = check_loop(&ck);
done:
    if (ck.corpus != NULL)
        free(ck.corpus->arena);
    free(ck.corpus), free(ck.input), free(ck.prev), free(ck.replies), free(ck.cbuf);
    free(ck.sbuf), free(ck.run), free(ck.keys);
    return rc;
}

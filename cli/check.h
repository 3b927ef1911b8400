/*
 * check - what the files of "smtpfuzz check" share (docs/contract.md
 * section 7.4): the parsed command line (check_args.c), the sessions it
 * sends (check_input.c), the findings it keeps and writes
 * (check_findings.c), and the loop (cli_check.c). Not a public interface.
 *
 * What it never does: keep global state other than the stop flag the
 * signal handler sets (in cli_check.c).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ext_run.h"
#include "finding.h"
#include "oracle_profile.h"
#include "session_report.h"
#include "session_split.h"

#define CHECK_INPUT_MAX (128u << 10)        /* octets of one mutated session */
#define CHECK_SESSION_MAX SESSION_INPUT_MAX /* octets of any session (a long-line probe) */
#define CHECK_LONG_LINE (12u << 20)         /* octets of the long-line probe's line */
#define CHECK_LONG_EVERY 64                 /* one session in this many is the long-line probe */
#define CHECK_PROBE_IN_16 4                 /* sixteenths of the sessions that are probes */
#define CHECK_GROUPS_EVERY 4                /* mixed modes: one session in this many is grouped */
#define CHECK_SPLIT_EVERY 8                 /* one session in this many is run again, cut */
#define CHECK_RSS_GROWTH_MB 8               /* --exec: the default --rss-growth */
#define CHECK_REPLY_MAX (4u << 20)          /* reply octets of one session (more: flood) */
#define CHECK_CORPUS_FILES 4096             /* seeds loaded at most */
#define CHECK_CORPUS_BYTES (32u << 20)      /* their octets at most */
#define CHECK_FINDINGS_MAX 256              /* distinct findings remembered */
#define CHECK_PATH_MAX 4096

/* The command line, parsed. */
struct check_args {
    const char *exec, *connect, *out, *corpus, *json, *sarif;
    unsigned long seconds, runs, keep;
    uint64_t seed;
    int seed_given, list_rules, quiet;
    int mode_given;       /* --lockstep, --pipeline or --groups: every session so; else mixed */
    int no_split;         /* --no-split: no session is run again cut (rule r4) */
    int growth_given;     /* --rss-growth was given */
    int first;            /* --first: stop at the first finding */
    int timeout_given;    /* --reply-timeout was given (it wins over a record's) */
    int profile_given;    /* --profile was given (it wins over a record's) */
    const char *minimize; /* --minimize FILE */
    int as_recorded;      /* --as-recorded: --minimize runs the target the record names */
    unsigned rules;       /* bit r: rule r counts as a finding (--only, --ignore) */
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

/* Where the sessions of a run came from, and how they were sent (the table says). */
#define CHECK_KIND_LIST(X)                                                                         \
    X(CHECK_KIND_GENERATED, "generated")                                                           \
    X(CHECK_KIND_SEED, "from seeds")                                                               \
    X(CHECK_KIND_PROBE, "argument probes")                                                         \
    X(CHECK_KIND_LONG_LINE, "long-line probes")

#define CHECK_KIND_ENUM_(name, text) name,
enum check_kind { CHECK_KIND_LIST(CHECK_KIND_ENUM_) CHECK_KIND_COUNT };
#undef CHECK_KIND_ENUM_

/* Everything a run of check works with. */
struct check {
    const char *cmd;
    struct check_args a;
    struct ext_target target;
    struct finding_origin origin;
    struct check_corpus *corpus;
    const char *corpus_dir; /* where the seeds came from, or NULL */
    uint8_t *input, *prev;  /* CHECK_SESSION_MAX octets each */
    size_t input_len, prev_len;
    enum check_kind kind;          /* where this session came from */
    enum ext_mode mode;            /* how it is sent */
    size_t cuts[FINDING_CUTS_MAX]; /* where its split run cuts it (a record's: up to 24) ... */
    size_t ncuts;                  /* ... (0: it is not run again cut) */
    char *whole;                   /* the replies of its whole run, kept for the split run */
    char minimize_fingerprint[24]; /* --minimize: the record's fingerprint, or "" */
    char minimize_target[FINDING_PATH_MAX]; /* --as-recorded: the record's target */
    unsigned long per_kind[CHECK_KIND_COUNT], grouped, split_runs;
    unsigned long peak_rss_kb; /* the largest VmRSS any session showed (--exec) */
    char *cbuf, *sbuf;         /* crossover scratch */
    char *replies;
    struct ext_result *run;
    struct finding_run totals;
    struct finding *findings;
    size_t nfindings;
    int out_made;
};

/*
 * check_parse_args - the command line into *a; CLI_EXIT_OK (with *help set for --help), or
 * the status to exit with (a usage error, already reported)
 */
int check_parse_args(int argc, char **argv, struct check_args *a, int *help);

/* check_usage_text - the help text */
const char *check_usage_text(void);

/* check_default_corpus - the first seed folder of the usual places that exists, or NULL */
const char *check_default_corpus(void);

/* check_load_corpus - every regular file of dir in name order (up to the limits); 0, or -1 */
int check_load_corpus(struct check_corpus *c, const char *dir);

/*
 * check_build_input - the client session of run number i into ck->input (from ck->a.seed),
 * with its kind, its mode and its cuts
 */
void check_build_input(struct check *ck, unsigned long i);

/*
 * check_split_run - in[0..len) again, cut at cuts (rule r4), its replies compared with those of
 * the whole run now in ck->replies; the split run's rule, ORACLE_SPLIT_CHANGED (pr's detail
 * says what changed) when they differ; *err set when it could not run
 */
enum oracle_rule check_split_run(struct check *ck, const uint8_t *in, size_t len,
                                 enum ext_mode mode, const size_t *cuts, size_t ncuts,
                                 struct oracle_profile_result *pr, enum ext_error *err);

/*
 * check_run_input - in[0..len) against the target in this mode, judged; when clean and cuts
 * are given, run again cut (check_split_run); the rule, with *err set when it could not run
 */
enum oracle_rule check_run_input(struct check *ck, const uint8_t *in, size_t len,
                                 enum ext_mode mode, const size_t *cuts, size_t ncuts,
                                 struct oracle_profile_result *pr, enum ext_error *err);

/* check_stopped - SIGINT or SIGTERM asked the run to stop */
int check_stopped(void);

/*
 * check_minimize - --minimize FILE: shrink the saved input while its finding's fingerprint
 * still fires (lines, then octets); the exit status
 */
int check_minimize(struct check *ck);

/*
 * check_record - count a violation of the last session; save its input when its fingerprint
 * is new or kept fewer than --keep times; 0, or -1 when saving failed (reported)
 */
int check_record(struct check *ck, enum oracle_rule rule, const uint8_t *input, size_t len,
                 const struct oracle_profile_result *pr);

/* check_print_table - what was run and found, on stdout */
void check_print_table(const struct check *ck);

/* check_write_reports - --json and --sarif, when asked for; 0, or -1 (reported) */
int check_write_reports(const struct check *ck);

#endif

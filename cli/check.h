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

#define CHECK_INPUT_MAX (128u << 10)   /* octets of one session */
#define CHECK_REPLY_MAX (4u << 20)     /* reply octets of one session (more: flood) */
#define CHECK_CORPUS_FILES 4096        /* seeds loaded at most */
#define CHECK_CORPUS_BYTES (32u << 20) /* their octets at most */
#define CHECK_FINDINGS_MAX 256         /* distinct findings remembered */
#define CHECK_PATH_MAX 4096

/* The command line, parsed. */
struct check_args {
    const char *exec, *connect, *out, *corpus, *json, *sarif;
    unsigned long seconds, runs, keep;
    uint64_t seed;
    int seed_given, list_rules, quiet;
    unsigned rules; /* bit r: rule r counts as a finding (--only, --ignore) */
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

/* Everything a run of check works with. */
struct check {
    const char *cmd;
    struct check_args a;
    struct ext_target target;
    struct finding_origin origin;
    struct check_corpus *corpus;
    const char *corpus_dir; /* where the seeds came from, or NULL */
    uint8_t *input, *prev;
    size_t input_len, prev_len;
    char *cbuf, *sbuf; /* crossover scratch */
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

/* check_build_input - the client session of run number i into ck->input (from ck->a.seed) */
void check_build_input(struct check *ck, unsigned long i);

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

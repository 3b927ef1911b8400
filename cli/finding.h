/*
 * finding - one finding, whoever found it: what tells it apart from the
 * others (its fingerprint), the record saved beside its input so anyone can
 * run it again, and the JSON and SARIF a run writes for CI (docs/contract.md
 * section 7.10).
 *
 * What it does:
 *   - finding_describe: the rule and its cause (for oracle rules, the kind
 *     of line and of reply involved; for crashes, the sanitizer's error and
 *     first frame or the signal; for hangs and memory, the outcome), and
 *     the fingerprint, a hash of the two: the same bug found in two runs, on
 *     two machines, gets the same fingerprint;
 *   - finding_write_record / finding_read_record: <input>.json, how the
 *     finding was found (target, profile, mode, seed, session, limits, the
 *     smtpfuzz version), read back by "replay" and scripts/reproduce.sh;
 *   - finding_write_json / finding_write_sarif: every finding of a run, in
 *     the versioned JSON format (FINDING_FORMAT) and as SARIF 2.1.0.
 *
 * Paths written are relative (to the current folder) whenever the folder
 * holding them is below it; nothing else of the machine is written.
 *
 * What it never does: run a command, keep global state, or write a client
 * or server octet unescaped.
 *
 * How it fails: an I/O error is -1 with errno; a record that cannot be read
 * back is -1 with a reason in the caller's buffer.
 */
#ifndef FINDING_H
#define FINDING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ext_run.h"
#include "oracle_profile.h"

#define FINDING_FORMAT "smtpfuzz-findings" /* the "format" of --json files */
#define FINDING_RECORD "smtpfuzz-finding"  /* the "format" of a saved finding's record */
#define FINDING_VERSION 2                  /* both formats' version (2: groups, mixed, cuts) */
#define FINDING_VERSION_MIN 1              /* the oldest record version read */
#define FINDING_KEEP_MAX 16                /* inputs kept per fingerprint at most (--keep) */
#define FINDING_PATH_MAX 4096
#define FINDING_CUTS_MAX 24 /* cuts a record may hold when read (check writes up to 12) */

/* How a run found its findings: enough to run them again. */
struct finding_origin {
    const char *command;     /* "check" */
    const char *target_kind; /* "exec", "connect" or "reference" */
    const char *target;      /* the command or HOST:PORT ("" for the reference) */
    enum oracle_profile profile;
    enum ext_mode mode; /* the session's: check sets it before each record */
    int mixed;          /* the run sent sessions lock-step and in RFC 2920 groups */
    uint64_t seed;
    unsigned reply_timeout_ms;
    unsigned long rss_limit_kb;
    unsigned long rss_growth_kb;
    const size_t *cuts; /* the session's cuts when it was a split run (rule r4), else NULL */
    size_t ncuts;
    unsigned cut_pause_ms;
};

/* One distinct finding of a run. */
struct finding {
    enum oracle_rule rule;
    char cause[160];       /* what tells it apart within its rule */
    char fingerprint[17];  /* 16 hex digits: the rule and its cause, hashed */
    char detail[256];      /* the first occurrence's detail, one line */
    unsigned long count;   /* sessions that showed it */
    unsigned long session; /* the first of them (1-based) */
    size_t nsaved;         /* inputs saved */
    char saved[FINDING_KEEP_MAX][FINDING_PATH_MAX];
};

/* How a run went, for the JSON summary. */
struct finding_run {
    unsigned long sessions;
    double seconds;
    unsigned long per_rule[ORACLE_RULE_COUNT]; /* sessions per rule, as found */
    unsigned long ignored;                     /* violations left out by --only / --ignore */
};

/* A saved finding's record, read back. Strings are NUL-terminated, "" when absent. */
struct finding_record {
    char rule[48];
    char fingerprint[24];
    char target_kind[16];
    char target[FINDING_PATH_MAX];
    char profile[16];
    char mode[16];
    char tool_version[32];
    uint64_t seed;
    unsigned long session;
    unsigned long reply_timeout_ms;
    unsigned long rss_limit_kb;
    unsigned long rss_growth_kb;
    size_t ncuts; /* a split run's cuts (0: written whole) */
    size_t cuts[FINDING_CUTS_MAX];
    unsigned long cut_pause_ms;
};

/*
 * finding_describe - fill f's rule, cause, fingerprint and detail from a judged session: its
 * rule, the verdict under the profile (pr) and the run (for crashes); count and files untouched
 */
void finding_describe(struct finding *f, enum oracle_rule rule,
                      const struct oracle_profile_result *pr, const struct ext_result *run);

/* finding_mode_name - "lock-step", "pipelined" or "groups" */
const char *finding_mode_name(enum ext_mode mode);

/*
 * finding_write_record - path (a saved input's NAME.json): how f was found; 0, or -1 with
 * errno
 */
int finding_write_record(const char *path, const struct finding *f, const struct finding_origin *o,
                         unsigned long session);

/* finding_mode_parse - a finding_mode_name back into *mode; 1, or 0 when unknown */
int finding_mode_parse(const char *name, enum ext_mode *mode);

/* finding_read_record - read a record back; 0, or -1 with a reason in why[0..cap) */
int finding_read_record(const char *path, struct finding_record *r, char *why, size_t cap);

/* finding_write_json - the run and its findings in the FINDING_FORMAT JSON; 0 or -1 */
int finding_write_json(FILE *out, const struct finding_origin *o, const struct finding_run *run,
                       const struct finding *fs, size_t n);

/* finding_write_sarif - the findings as a SARIF 2.1.0 log, one result each; 0 or -1 */
int finding_write_sarif(FILE *out, const struct finding_origin *o, const struct finding *fs,
                        size_t n);

/* finding_relative - path relative to the current folder when below it, else as given */
const char *finding_relative(const char *path, char *buf, size_t cap);

#endif

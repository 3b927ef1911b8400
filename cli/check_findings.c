/*
 * check_findings - the findings of "smtpfuzz check" (contract in check.h):
 * counted by fingerprint (finding.h), each saved under --out with what
 * reproduces it, the table at the end, and --json and --sarif.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "cli.h"
#include "cli_util.h"
#include "session_report.h"

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

/* write_transcript - NAME.transcript: how it was found, then the annotated session */
static int write_transcript(const struct check *ck, const char *path, const struct finding *f,
                            const char *input, const struct oracle_profile_result *pr)
{
    FILE *out = fopen(path, "w");
    size_t k;

    if (out == NULL)
        return -1;
    fprintf(out, "# smtpfuzz check: %s (%s), profile %s, %s, session %lu, seed %llu\n",
            oracle_rule_id(f->rule), f->fingerprint, oracle_profile_name(ck->a.profile),
            finding_mode_name(ck->origin.mode), ck->totals.sessions,
            (unsigned long long)ck->a.seed);
    fprintf(out, "# cause: %s\n", f->cause);
    if (ck->origin.ncuts > 0) {
        fprintf(out, "# sent cut at octets");
        for (k = 0; k < ck->origin.ncuts; k++)
            fprintf(out, " %zu", ck->origin.cuts[k]);
        fprintf(out, " (%u ms after each); the transcript is of that run\n",
                ck->origin.cut_pause_ms);
    }
    fprintf(out, "# target: %s %s\n", ck->a.exec != NULL ? "--exec" : "--connect",
            ck->origin.target);
    fprintf(out, "# replay: smtpfuzz replay --as-recorded '%s'\n\n", input);
    session_report_print(out, ck->a.profile, ck->run, pr, f->rule);
    return fclose(out);
}

/* write_rule - NAME.rule: the rule id, its text, the cause (what scripts read first) */
static int write_rule(const char *path, const struct finding *f)
{
    FILE *out = fopen(path, "w");

    if (out == NULL)
        return -1;
    fprintf(out, "%s\n%s\n", oracle_rule_id(f->rule), oracle_rule_text(f->rule));
    fprintf(out, "%s: %s\n", f->rule == ORACLE_CRASH ? "crash" : "cause", f->cause);
    if (f->detail[0] != '\0')
        fprintf(out, "detail: %s\n", f->detail);
    fprintf(out, "fingerprint: %s\n", f->fingerprint);
    return fclose(out);
}

/* save - the input and its companions, named after the rule, fingerprint and input */
static int save(struct check *ck, struct finding *f, const uint8_t *input, size_t len,
                const struct oracle_profile_result *pr)
{
    char base[CHECK_PATH_MAX - 16], path[CHECK_PATH_MAX], q[CLI_QUOTE_MAX];
    const char *failed = path;

    if (!ck->out_made && make_dirs(ck->a.out) != 0) {
        cli_error(ck->cmd, "cannot make %s: %s", cli_quote(ck->a.out, q), strerror(errno));
        return -1;
    }
    ck->out_made = 1;
    if ((size_t)snprintf(base, sizeof base, "%s/%s-%.8s-%08llx", ck->a.out, oracle_rule_id(f->rule),
                         f->fingerprint,
                         (unsigned long long)(fnv1a(input, len) & 0xffffffffu)) >= sizeof base) {
        cli_error(ck->cmd, "--out path too long");
        return -1;
    }
    snprintf(path, sizeof path, "%s.in", base);
    if (save_file(path, input, len) != 0)
        goto fail;
    snprintf(f->saved[f->nsaved++], sizeof f->saved[0], "%s", path);
    failed = base; /* the companions' names differ only in their suffix */
    snprintf(path, sizeof path, "%s.transcript", base);
    if (write_transcript(ck, path, f, f->saved[f->nsaved - 1], pr) != 0)
        goto fail;
    snprintf(path, sizeof path, "%s.rule", base);
    if (write_rule(path, f) != 0)
        goto fail;
    snprintf(path, sizeof path, "%s.in.json", base);
    if (finding_write_record(path, f, &ck->origin, ck->totals.sessions) != 0)
        goto fail;
    return 0;
fail:
    cli_error(ck->cmd, "cannot write %s: %s", cli_quote(failed == base ? path : failed, q),
              strerror(errno));
    return -1;
}

int check_record(struct check *ck, enum oracle_rule rule, const uint8_t *input, size_t len,
                 const struct oracle_profile_result *pr)
{
    struct finding probe, *f = NULL;
    size_t k;

    if (!(ck->a.rules & (1u << rule))) {
        ck->totals.ignored++;
        return 0;
    }
    ck->totals.per_rule[rule]++;
    memset(&probe, 0, sizeof probe);
    finding_describe(&probe, rule, pr, ck->run);
    for (k = 0; k < ck->nfindings && f == NULL; k++)
        if (strcmp(ck->findings[k].fingerprint, probe.fingerprint) == 0)
            f = &ck->findings[k];
    if (f == NULL) {
        if (ck->nfindings == CHECK_FINDINGS_MAX)
            return 0; /* counted, not kept: the table is full of distinct findings already */
        f = &ck->findings[ck->nfindings++];
        *f = probe;
        f->session = ck->totals.sessions;
        if (!ck->a.quiet)
            fprintf(stderr, "%s: new finding %s: %s (session %lu)\n", ck->cmd, oracle_rule_id(rule),
                    f->cause, ck->totals.sessions);
    }
    f->count++;
    if (f->nsaved >= ck->a.keep)
        return 0;
    return save(ck, f, input, len, pr);
}

#define KIND_NAME_(name, text) [name] = text,
static const char *const kind_names[CHECK_KIND_COUNT] = {CHECK_KIND_LIST(KIND_NAME_)};
#undef KIND_NAME_

void check_print_table(const struct check *ck)
{
    int r;
    size_t k;
    unsigned long found = 0;

    printf("smtpfuzz check: target %s %s; profile %s; %s; seed %llu; corpus %zu seeds%s%s\n",
           ck->a.exec != NULL ? "--exec" : "--connect", ck->origin.target,
           oracle_profile_name(ck->a.profile),
           ck->a.mode_given ? finding_mode_name(ck->a.eo.mode) : "lock-step and groups",
           (unsigned long long)ck->a.seed, ck->corpus->n, ck->corpus_dir != NULL ? " from " : "",
           ck->corpus_dir != NULL ? ck->corpus_dir : "");
    printf("sessions: %lu in %.1f s (%.1f sessions/s)\n", ck->totals.sessions, ck->totals.seconds,
           ck->totals.seconds > 0 ? (double)ck->totals.sessions / ck->totals.seconds : 0.0);
    printf("sessions by kind:");
    for (r = 0; r < CHECK_KIND_COUNT; r++)
        printf("%s %lu %s", r > 0 ? "," : "", ck->per_kind[r], kind_names[r]);
    printf("; %lu sent in RFC 2920 groups; %lu sent again cut (r4)\n", ck->grouped, ck->split_runs);
    if (ck->a.eo.rss_limit_kb > 0 || ck->a.eo.rss_growth_kb > 0) {
        printf("memory (r6-memory):");
        if (ck->a.eo.rss_limit_kb > 0)
            printf(" VmRSS past %lu MiB;", ck->a.eo.rss_limit_kb / 1024);
        if (ck->a.eo.rss_growth_kb > 0)
            printf(" growth after the greeting past %lu MiB and past half the octets sent;",
                   ck->a.eo.rss_growth_kb / 1024);
        printf(" the largest VmRSS seen %lu kB\n", ck->peak_rss_kb);
    } else if (ck->a.exec != NULL) {
        printf("memory: not watched (--rss-growth 0)\n");
    }
    printf("rules checked: %d\n", ORACLE_RULE_COUNT - 1);
    printf("  %-22s %10s\n", "rule", "sessions");
    for (r = 1; r < ORACLE_RULE_COUNT; r++) {
        printf("  %-22s %10lu%s\n", oracle_rule_id((enum oracle_rule)r), ck->totals.per_rule[r],
               ck->a.rules & (1u << r) ? "" : "  (ignored)");
        found += ck->totals.per_rule[r];
    }
    if (ck->totals.ignored > 0)
        printf("ignored: %lu violations of rules left out by --only/--ignore\n",
               ck->totals.ignored);
    if (ck->nfindings == 0) {
        printf("findings: none\n");
        return;
    }
    printf("findings: %zu distinct in %lu sessions, saved under %s/\n", ck->nfindings, found,
           ck->a.out);
    for (k = 0; k < ck->nfindings; k++) {
        const struct finding *f = &ck->findings[k];
        printf("  %-22s %s x%-6lu %s\n      %s\n", oracle_rule_id(f->rule), f->fingerprint,
               f->count, f->nsaved > 0 ? f->saved[0] : "(not saved)", f->cause);
    }
}

/* write_report - one report file with writer; 0, or -1 (reported) */
static int write_report(const struct check *ck, const char *path, int sarif)
{
    char q[CLI_QUOTE_MAX];
    FILE *out = fopen(path, "w");
    int bad;

    if (out == NULL) {
        cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
        return -1;
    }
    bad = sarif ? finding_write_sarif(out, &ck->origin, ck->findings, ck->nfindings)
                : finding_write_json(out, &ck->origin, &ck->totals, ck->findings, ck->nfindings);
    if (fclose(out) != 0 || bad != 0) {
        cli_error(ck->cmd, "cannot write %s: %s", cli_quote(path, q), strerror(errno));
        return -1;
    }
    return 0;
}

int check_write_reports(const struct check *ck)
{
    int rc = 0;

    if (ck->a.json != NULL && write_report(ck, ck->a.json, 0) != 0)
        rc = -1;
    if (ck->a.sarif != NULL && write_report(ck, ck->a.sarif, 1) != 0)
        rc = -1;
    return rc;
}

/*
 * check_minimize - "smtpfuzz check --minimize FILE" (contract in check.h):
 * shrink a saved input while the same finding still fires, the way ddmin
 * does: drop ever smaller runs of whole lines, then of octets, keeping
 * each drop after which the target still shows the same fingerprint (the
 * rule and its cause, finding.h). A split run's cuts move with the octets
 * around them (a cut inside a dropped run goes).
 *
 * The result is NAME.min.in beside FILE with its record (NAME.min.in.json),
 * so "smtpfuzz replay --as-recorded" replays it. --runs bounds the tries
 * (default 500), --seconds the time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cli.h"
#include "cli_util.h"

#define MINIMIZE_TRIES 500          /* tries when neither --runs nor --seconds is given */
#define MINIMIZE_OCTETS (64u << 10) /* octet-level passes only below this size */

/* The input being shrunk and what it must keep doing. */
struct shrink {
    struct check *ck;
    uint8_t *best, *cand; /* CHECK_SESSION_MAX each */
    size_t len;
    size_t cuts[FINDING_CUTS_MAX], ncuts;
    enum ext_mode mode;
    char want[sizeof((struct finding *)0)->fingerprint];
    struct finding found; /* the finding as it last fired */
    struct oracle_profile_result *pr;
    unsigned long tries, max_tries;
    double deadline; /* seconds on the monotonic clock, 0 for none */
    size_t *bounds;  /* unit starts (lines or octets), and len last */
};

/* now_s - seconds on the monotonic clock */
static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* spent - the budget is gone */
static int spent(const struct shrink *m)
{
    return m->tries >= m->max_tries || (m->deadline > 0 && now_s() >= m->deadline);
}

/* fires - in[0..len) with these cuts still shows the wanted fingerprint; -1 when it cannot run */
static int fires(struct shrink *m, const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts)
{
    enum ext_error err;
    enum oracle_rule rule;
    struct finding f;

    m->tries++;
    rule = check_run_input(m->ck, in, len, m->mode, cuts, ncuts, m->pr, &err);
    if (err != EXT_ERR_NONE)
        return -1;
    if (rule == ORACLE_OK)
        return 0;
    memset(&f, 0, sizeof f);
    finding_describe(&f, rule, m->pr, m->ck->run);
    if (strcmp(f.fingerprint, m->want) != 0)
        return 0;
    m->found = f;
    return 1;
}

/* without - try the best input minus [a, b); 1 when kept, 0 when not, -1 on a setup error */
static int without(struct shrink *m, size_t a, size_t b)
{
    size_t n = m->len - (b - a), cuts[FINDING_CUTS_MAX], nc = 0, k;
    int rc;

    memcpy(m->cand, m->best, a);
    memcpy(m->cand + a, m->best + b, m->len - b);
    for (k = 0; k < m->ncuts; k++) {
        size_t c = m->cuts[k] <= a ? m->cuts[k] : m->cuts[k] >= b ? m->cuts[k] - (b - a) : 0;
        if (c > 0 && c < n && (nc == 0 || c > cuts[nc - 1]))
            cuts[nc++] = c;
    }
    rc = fires(m, m->cand, n, cuts, nc);
    if (rc == 1) {
        memcpy(m->best, m->cand, n);
        m->len = n;
        memcpy(m->cuts, cuts, nc * sizeof cuts[0]);
        m->ncuts = nc;
    }
    return rc;
}

/* units - the starts of the lines (or of every octet) of the best input; their count */
static size_t units(struct shrink *m, int octets)
{
    size_t i, n = 0;

    for (i = 0; i < m->len; i++)
        if (octets || i == 0 || m->best[i - 1] == '\n')
            m->bounds[n++] = i;
    m->bounds[n] = m->len;
    return n;
}

/* ddmin - drop runs of units, halving their size down to one; -1 on a setup error */
static int ddmin(struct shrink *m, int octets)
{
    size_t n = units(m, octets), parts = 2;

    while (n >= 2 && !spent(m) && !check_stopped()) {
        size_t size = (n + parts - 1) / parts, start;
        int dropped = 0;

        for (start = 0; start < n && !spent(m); start += size) {
            size_t end = start + size < n ? start + size : n;
            int rc = without(m, m->bounds[start], m->bounds[end]);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                dropped = 1;
                n = units(m, octets);
                break;
            }
        }
        if (dropped) {
            parts = parts > 2 ? parts - 1 : 2;
            continue;
        }
        if (parts >= n)
            break;
        parts = parts * 2 < n ? parts * 2 : n;
    }
    return 0;
}

/* save - NAME.min.in and its record beside the original; 0, or -1 (reported) */
static int save(struct shrink *m, const char *path)
{
    char out[CHECK_PATH_MAX], rec[CHECK_PATH_MAX + 8], q[CLI_QUOTE_MAX];
    size_t n = strlen(path);
    FILE *f;
    int bad;

    if (n > 3 && strcmp(path + n - 3, ".in") == 0)
        n -= 3;
    if ((size_t)snprintf(out, sizeof out, "%.*s.min.in", (int)n, path) >= sizeof out) {
        cli_error(m->ck->cmd, "%s: name too long", cli_quote(path, q));
        return -1;
    }
    f = fopen(out, "wb");
    if (f == NULL) {
        cli_error(m->ck->cmd, "cannot write %s: %s", cli_quote(out, q), strerror(errno));
        return -1;
    }
    bad = m->len > 0 && fwrite(m->best, 1, m->len, f) != m->len;
    if (fclose(f) != 0 || bad) {
        cli_error(m->ck->cmd, "cannot write %s: %s", cli_quote(out, q), strerror(errno));
        return -1;
    }
    m->ck->origin.mode = m->mode;
    m->ck->origin.cuts = m->ncuts > 0 ? m->cuts : NULL;
    m->ck->origin.ncuts = m->ncuts;
    snprintf(rec, sizeof rec, "%s.json", out);
    if (finding_write_record(rec, &m->found, &m->ck->origin, 0) != 0) {
        cli_error(m->ck->cmd, "cannot write %s: %s", cli_quote(rec, q), strerror(errno));
        return -1;
    }
    printf("saved %s (and its record); replay it: smtpfuzz replay --as-recorded %s\n",
           cli_quote(out, q), out);
    return 0;
}

/* lines - LF-ended lines in p[0..n) (a tail counts as one) */
static size_t lines(const uint8_t *p, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        c += p[i] == '\n';
    return c + (n > 0 && p[n - 1] != '\n');
}

/* reproduce - the first run: the finding fires, and which it is; CLI_EXIT_OK or the status */
static int reproduce(struct shrink *m, const char *recorded)
{
    int k, rc = 0;

    for (k = 0; k < 3 && rc == 0; k++) { /* a finding that depends on timing gets three tries */
        enum ext_error err;
        enum oracle_rule rule =
            check_run_input(m->ck, m->best, m->len, m->mode, m->cuts, m->ncuts, m->pr, &err);
        m->tries++;
        if (err != EXT_ERR_NONE) {
            cli_error(m->ck->cmd, "%s", ext_error_name(err));
            return CLI_EXIT_USAGE;
        }
        if (rule == ORACLE_OK)
            continue;
        memset(&m->found, 0, sizeof m->found);
        finding_describe(&m->found, rule, m->pr, m->ck->run);
        rc = recorded[0] == '\0' || strcmp(m->found.fingerprint, recorded) == 0;
    }
    if (rc == 0) {
        cli_error(m->ck->cmd, "the input does not reproduce %s%s in 3 runs: nothing to minimize",
                  recorded[0] != '\0' ? "the recorded finding " : "a finding", recorded);
        return CLI_EXIT_FAILURE;
    }
    snprintf(m->want, sizeof m->want, "%s", m->found.fingerprint);
    return CLI_EXIT_OK;
}

int check_minimize(struct check *ck)
{
    struct shrink m;
    size_t len0, lines0;
    char q[CLI_QUOTE_MAX];
    int rc = CLI_EXIT_USAGE;

    memset(&m, 0, sizeof m);
    m.ck = ck;
    m.best = ck->input;
    m.cand = ck->prev;
    m.len = ck->input_len;
    m.mode = ck->mode;
    m.ncuts = ck->ncuts;
    memcpy(m.cuts, ck->cuts, sizeof m.cuts);
    m.max_tries = ck->a.runs > 0      ? ck->a.runs
                  : ck->a.seconds > 0 ? (unsigned long)-1
                                      : MINIMIZE_TRIES;
    m.deadline = ck->a.seconds > 0 ? now_s() + (double)ck->a.seconds : 0;
    m.pr = malloc(sizeof *m.pr);
    m.bounds = malloc((m.len + 1) * sizeof *m.bounds); /* the input only shrinks */
    if (m.pr == NULL || m.bounds == NULL) {
        cli_error(ck->cmd, "out of memory");
        goto done;
    }
    len0 = m.len;
    lines0 = lines(m.best, m.len);
    rc = reproduce(&m, ck->minimize_fingerprint);
    if (rc != CLI_EXIT_OK)
        goto done;
    printf("minimizing %s: %s (%s), %zu octets in %zu lines\n", cli_quote(ck->a.minimize, q),
           oracle_rule_id(m.found.rule), m.found.fingerprint, len0, lines0);
    if (ddmin(&m, 0) != 0 || (m.len <= MINIMIZE_OCTETS && ddmin(&m, 1) != 0)) {
        cli_error(ck->cmd, "the target could not be run any more");
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    printf("minimized: %zu octets in %zu lines (from %zu in %zu) after %lu tries%s; %s still "
           "fires: %s\n",
           m.len, lines(m.best, m.len), len0, lines0, m.tries,
           spent(&m) || check_stopped() ? " (budget spent)" : "", m.found.fingerprint,
           m.found.cause);
    rc = save(&m, ck->a.minimize) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
done:
    free(m.pr);
    free(m.bounds);
    return rc;
}

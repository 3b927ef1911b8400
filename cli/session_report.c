/*
 * session_report - running, judging and reporting one session for check
 * and replay (contract in session_report.h).
 */
#include "session_report.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "oracle_stream.h"
#include "smtp_session.h"

#define REPORT_STDERR_WIDTH 4000 /* escaped characters of the target's stderr in a report */

/* session_read_file - the whole file into buf[0..cap) */
enum session_file session_read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not hang; only regular files are read. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    size_t n = 0;
    struct stat st;

    if (fd < 0)
        return SESSION_FILE_UNREADABLE;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        (void)close(fd);
        return SESSION_FILE_NOT_REGULAR;
    }
    for (;;) {
        char extra;
        ssize_t got = n < cap ? read(fd, buf + n, cap - n) : read(fd, &extra, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            (void)close(fd);
            errno = e;
            return SESSION_FILE_UNREADABLE;
        }
        if (got == 0)
            break;
        if (n == cap) {
            (void)close(fd);
            return SESSION_FILE_TOO_LARGE;
        }
        n += (size_t)got;
    }
    (void)close(fd);
    *len = n;
    return SESSION_FILE_OK;
}

/* The in-process sink: replies into the caller's buffer, FLOOD past its end. */
struct ref_sink {
    char *buf;
    size_t cap, len;
    int flood;
};

/* ref_sink_put - the reference responder's reply sink */
static void ref_sink_put(void *ctx, const char *bytes, size_t len)
{
    struct ref_sink *s = ctx;
    size_t room = s->cap - s->len;

    if (len > room) {
        s->flood = 1;
        len = room;
    }
    if (len > 0)
        memcpy(s->buf + s->len, bytes, len);
    s->len += len;
}

/* session_run_reference - the in-process reference responder on the whole input */
void session_run_reference(const char *client, size_t client_len, char *reply_buf, size_t reply_cap,
                           struct ext_result *res)
{
    const struct smtp_target *t = &smtp_session_target;
    struct ref_sink sink = {reply_buf, reply_cap, 0, 0};
    void *session;

    memset(res, 0, sizeof *res);
    res->replies = reply_buf;
    res->outcome = EXT_OK;
    session = t->open(ref_sink_put, &sink);
    if (session == NULL) {
        res->outcome = EXT_MEMORY;
        snprintf(res->detail, sizeof res->detail, "the reference responder is out of memory");
        return;
    }
    if (client_len > 0)
        (void)t->feed(session, client, client_len); /* CLOSED: it ignores the rest itself */
    t->close(session);
    res->sent = client_len;
    res->replies_len = sink.len;
    if (sink.flood) {
        res->outcome = EXT_FLOOD;
        snprintf(res->detail, sizeof res->detail, "more than %zu reply octets", reply_cap);
    }
}

int session_unusable(const struct ext_result *run)
{
    return run->replies_len == 0 && run->outcome == EXT_OK;
}

void session_explain_silence(const char *cmd, const struct ext_result *run)
{
    fprintf(stderr, "smtpfuzz %s: the target sent nothing, not even a greeting (%s%s%s)\n", cmd,
            ext_outcome_id(run->outcome), run->detail[0] != '\0' ? ": " : "", run->detail);
    if (run->exited)
        fprintf(stderr, "  exit status %d%s\n", run->exit_status,
                run->exit_status == 127   ? " (command not found)"
                : run->exit_status == 126 ? " (command not executable)"
                                          : "");
    if (run->stderr_len > 0) {
        fputs("  stderr: ", stderr);
        escape_print(stderr, run->stderr_tail, run->stderr_len, 400);
        fputc('\n', stderr);
    }
}

/* session_outcome_rule - the r6 rule of an ext outcome */
enum oracle_rule session_outcome_rule(enum ext_outcome outcome)
{
    switch (outcome) {
    case EXT_OK:
        return ORACLE_OK;
    case EXT_CRASH:
        return ORACLE_CRASH;
    case EXT_MEMORY:
        return ORACLE_MEMORY;
    case EXT_HANG:
    case EXT_FLOOD: /* endless output is a liveness failure, like a hang */
    case EXT_OUTCOME_COUNT:
        break;
    }
    return ORACLE_HANG;
}

/* session_judge - the r6 rule of the run, else the oracle's verdict under profile p */
enum oracle_rule session_judge(const struct ext_result *run, enum oracle_profile p,
                               const char *client, size_t client_len,
                               struct oracle_profile_result *pr)
{
    /* A server that closed before the client did may have ended the session itself. */
    struct oracle_judging how = {p, run->peer_closed};
    enum oracle_rule r6 = session_outcome_rule(run->outcome);
    enum oracle_rule rule =
        oracle_profile_check(&how, client, client_len, run->replies, run->replies_len, pr);

    /*
     * A hang is the target's only when the replies it did send were right
     * up to where they stopped. An earlier violation (a reply the contract does
     * not allow, an extra reply) is what made the runner's session model
     * wait for a reply the target never owed: report that violation.
     */
    if (run->outcome == EXT_HANG && rule != ORACLE_OK && rule != ORACLE_MISSING_REPLY)
        return rule;
    return r6 != ORACLE_OK ? r6 : rule;
}

/* session_report_print - transcript, tolerated deviations, outcome, stderr, result */
void session_report_print(FILE *out, enum oracle_profile p, const struct ext_result *run,
                          const struct oracle_profile_result *pr, enum oracle_rule rule)
{
    struct oracle_reading ref;
    char rb[256];
    int k;

    oracle_profile_transcript(out, pr);
    oracle_reading_reference(&ref);
    if (memcmp(&ref, &pr->judged.reading, sizeof ref) != 0)
        fprintf(out, "reading followed: %s\n",
                oracle_reading_describe(&pr->judged.reading, rb, sizeof rb));
    if (pr->judged.ntolerated > 0) {
        fprintf(out, "tolerated under profile %s:\n", oracle_profile_name(p));
        for (k = 0; k < ORACLE_TOL_COUNT; k++)
            if (pr->judged.tolerated[k] > 0)
                fprintf(out, "  %s x%u\n", oracle_tol_id((enum oracle_tol)k),
                        pr->judged.tolerated[k]);
    }
    fprintf(out, "run: %s (%zu client octets sent, %zu reply octets, %zu replies, %.1f ms)",
            ext_outcome_id(run->outcome), run->sent, run->replies_len, run->replies_seen,
            run->elapsed_ms);
    if (run->detail[0] != '\0')
        fprintf(out, ": %s", run->detail);
    if (run->stalled)
        fputs(" (lock-step stalled: the rest was sent at once)", out);
    fputc('\n', out);
    if (run->exited || run->term_signal != 0) {
        if (run->exited)
            fprintf(out, "target: exit status %d\n", run->exit_status);
        else
            fprintf(out, "target: ended by signal %d%s\n", run->term_signal,
                    run->killed_by_us ? " (ours)" : "");
    }
    if (run->report_len > 0) {
        fputs("sanitizer report:\n  ", out);
        escape_print(out, run->report, run->report_len, REPORT_STDERR_WIDTH);
        fputc('\n', out);
    } else if (run->stderr_len > 0) {
        fprintf(out, "target stderr (last %zu of %llu octets):\n  ", run->stderr_len,
                (unsigned long long)run->stderr_total);
        escape_print(out, run->stderr_tail, run->stderr_len, REPORT_STDERR_WIDTH);
        fputc('\n', out);
    }
    fprintf(out, "result (profile %s): %s: %s\n", oracle_profile_name(p), oracle_rule_id(rule),
            oracle_rule_text(rule));
}

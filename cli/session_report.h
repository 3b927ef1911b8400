/*
 * session_report - what "smtpfuzz check" and "smtpfuzz replay" share: one
 * session run against the reference responder in process, the verdict on
 * a session (how the run ended, then the oracle under a profile), the
 * printed report (annotated transcript, verdict, target's stderr), and
 * reading a saved input.
 *
 * What it never does: keep global state, or print a byte of the session
 * unescaped (the transcript goes through oracle_transcript's escaping;
 * stderr through escape_print).
 *
 * How it fails: an unreadable or too large file is an enum value; running
 * out of reply room in process is a flood, like ext_run's.
 */
#ifndef SESSION_REPORT_H
#define SESSION_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "ext_run.h"
#include "oracle.h"
#include "oracle_profile.h"

#define SESSION_INPUT_MAX (16u << 20) /* octets of one session check sends or replay reads */

/* What session_read_file found. */
enum session_file {
    SESSION_FILE_OK,
    SESSION_FILE_UNREADABLE, /* open or read failed: errno tells */
    SESSION_FILE_TOO_LARGE,  /* more than the buffer holds */
    SESSION_FILE_NOT_REGULAR /* a folder, a FIFO, a device: not a saved input */
};

/* session_read_file - the whole file into buf[0..cap); *len set on SESSION_FILE_OK */
enum session_file session_read_file(const char *path, char *buf, size_t cap, size_t *len);

/*
 * session_run_reference - feed client to the in-process reference
 * responder at once, collect its replies in reply_buf[0..reply_cap) and
 * describe the run in *res the way ext_run would (outcome OK or FLOOD)
 */
void session_run_reference(const char *client, size_t client_len, char *reply_buf, size_t reply_cap,
                           struct ext_result *res);

/*
 * session_unusable - the run got nothing from the target and it simply ended (exited, or
 * closed the connection): the target cannot be used, a setup error rather than a finding
 */
int session_unusable(const struct ext_result *run);

/* session_explain_silence - why a target sent nothing, on stderr (exit status, its stderr) */
void session_explain_silence(const char *cmd, const struct ext_result *run);

/* session_outcome_rule - the r6 rule of an ext outcome (EXT_OK: ORACLE_OK) */
enum oracle_rule session_outcome_rule(enum ext_outcome outcome);

/*
 * session_judge - the verdict on a run: its r6 rule when it did not end
 * normally, else the oracle's under profile p (told whether the server
 * closed first); pr is always filled
 */
enum oracle_rule session_judge(const struct ext_result *run, enum oracle_profile p,
                               const char *client, size_t client_len,
                               struct oracle_profile_result *pr);

/*
 * session_report_print - the transcript of the (normalised) session, the
 * tolerated deviations, the run's outcome and stderr, and "result: RULE"
 */
void session_report_print(FILE *out, enum oracle_profile p, const struct ext_result *run,
                          const struct oracle_profile_result *pr, enum oracle_rule rule);

#endif

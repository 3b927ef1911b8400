/*
 * cli_check - "smtpfuzz check": fuzz another SMTP server, out of process,
 * against the oracle (docs/contract.md section 7.4).
 *
 * What it does: for each run, builds one client session (check_input.c),
 * runs it against the target with ext_run (--exec: a program speaking
 * SMTP on stdin/stdout, one process per session; --connect: a TCP server
 * on loopback), judges it (how the run ended, then the oracle under the
 * chosen profile, told whether the server closed first) and keeps every
 * distinct finding by fingerprint, saving its input with what reproduces
 * it (check_findings.c). The options are in check_args.c.
 *
 * Exit status: 0 nothing found; 1 something found; 2 a usage or setup
 * error (bad option, the command cannot start or ends without a greeting,
 * the port refuses, the out folder cannot be written).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cli.h"
#include "cli_util.h"
#include "session_report.h"

/* Set by SIGINT/SIGTERM: finish the session, print the table, exit. */
static volatile sig_atomic_t check_stop;

int check_stopped(void)
{
    return check_stop != 0;
}

/* check_on_signal - ask the loop to stop */
static void check_on_signal(int sig)
{
    (void)sig;
    check_stop = 1;
}

/* check_now - seconds on the monotonic clock */
static double check_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * went_away - a --connect target that served before refuses connections now: the last
 * session took it down, a crash of that session's
 */
static int went_away(struct check *ck, struct oracle_profile_result *pr, const uint8_t *input,
                     size_t len)
{
    char why[EXT_DETAIL_MAX];

    snprintf(why, sizeof why, "%s", ck->run->detail);
    memset(ck->run, 0, sizeof *ck->run);
    ck->run->replies = ck->replies;
    ck->run->outcome = EXT_CRASH;
    snprintf(ck->run->detail, sizeof ck->run->detail,
             "the target stopped accepting connections after this session");
    memset(pr, 0, sizeof *pr);
    pr->client = (const char *)input;
    pr->client_len = len;
    pr->server = ck->replies;
    cli_error(ck->cmd, "%s (%s): the target went away", ext_error_name(EXT_ERR_CONNECT), why);
    return check_record(ck, ORACLE_CRASH, input, len, pr) != 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* one_session - run and judge session number ck->totals.sessions; CLI_EXIT_OK to go on */
static int one_session(struct check *ck, struct oracle_profile_result *pr, int *stop)
{
    struct ext_options eo = ck->a.eo;
    enum ext_error err;
    enum oracle_rule rule;

    check_build_input(ck, ck->totals.sessions);
    eo.mode = ck->mode;
    err = ext_run(&ck->target, &eo, (const char *)ck->input, ck->input_len, ck->replies,
                  CHECK_REPLY_MAX, ck->run);
    if (err != EXT_ERR_NONE) {
        *stop = 1;
        if (ck->totals.sessions > 0 && err == EXT_ERR_CONNECT)
            return went_away(ck, pr, ck->prev, ck->prev_len);
        cli_error(ck->cmd, "%s%s%s", ext_error_name(err), ck->run->detail[0] != '\0' ? ": " : "",
                  ck->run->detail);
        return CLI_EXIT_USAGE;
    }
    /*
     * Nothing at all from the first session: a plain exit (or a closed connection) is a
     * target that cannot be used, a setup error; a death by signal, a sanitizer report,
     * a hang or memory growth before the greeting is a finding like any other.
     */
    if (ck->totals.sessions == 0 && session_unusable(ck->run)) {
        session_explain_silence(ck->cmd, ck->run);
        *stop = 1;
        return CLI_EXIT_USAGE;
    }
    ck->totals.sessions++;
    if (ck->run->peak_rss_kb > ck->peak_rss_kb)
        ck->peak_rss_kb = ck->run->peak_rss_kb;
    rule = session_judge(ck->run, ck->a.profile, (const char *)ck->input, ck->input_len, pr);
    ck->origin.mode = ck->mode;
    ck->origin.cuts = NULL;
    ck->origin.ncuts = 0;
    if (rule == ORACLE_OK && ck->ncuts > 0) {
        ck->split_runs++;
        rule =
            check_split_run(ck, ck->input, ck->input_len, ck->mode, ck->cuts, ck->ncuts, pr, &err);
        if (err != EXT_ERR_NONE) {
            *stop = 1;
            if (err == EXT_ERR_CONNECT) /* the whole run of this session took it down */
                return went_away(ck, pr, ck->input, ck->input_len);
            cli_error(ck->cmd, "%s", ext_error_name(err));
            return CLI_EXIT_USAGE;
        }
        ck->origin.cuts = ck->cuts;
        ck->origin.ncuts = ck->ncuts;
    }
    if (rule != ORACLE_OK && check_record(ck, rule, ck->input, ck->input_len, pr) != 0) {
        *stop = 1;
        return CLI_EXIT_USAGE;
    }
    memcpy(ck->prev, ck->input, ck->input_len);
    ck->prev_len = ck->input_len;
    return CLI_EXIT_OK;
}

/* check_loop - run sessions until the budget is spent; the exit status */
static int check_loop(struct check *ck)
{
    double t0 = check_now(), next_progress = t0 + 1.0, now;
    struct oracle_profile_result *pr = malloc(sizeof *pr);
    int status = CLI_EXIT_OK, stop = 0;

    if (pr == NULL) {
        cli_error(ck->cmd, "out of memory");
        return CLI_EXIT_USAGE;
    }
    while (!stop) {
        now = check_now();
        if (check_stop || (ck->a.runs > 0 && ck->totals.sessions >= ck->a.runs) ||
            (ck->a.seconds > 0 && now - t0 >= (double)ck->a.seconds))
            break;
        if (!ck->a.quiet && now >= next_progress) {
            fprintf(stderr, "%s: %.0f s, %lu sessions (%.0f/s), %zu distinct findings\n", ck->cmd,
                    now - t0, ck->totals.sessions, (double)ck->totals.sessions / (now - t0),
                    ck->nfindings);
            next_progress = now + 1.0;
        }
        status = one_session(ck, pr, &stop);
        if (ck->a.first && ck->nfindings > 0)
            break;
    }
    free(pr);
    if (status == CLI_EXIT_USAGE && ck->totals.sessions == 0)
        return status; /* a setup error: nothing was run, no table */
    ck->totals.seconds = check_now() - t0;
    check_print_table(ck);
    fflush(stdout);
    if (check_write_reports(ck) != 0)
        status = CLI_EXIT_USAGE;
    if (status == CLI_EXIT_OK && ck->nfindings > 0)
        status = CLI_EXIT_FAILURE;
    return status;
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

/* setup_target - the target and the origin findings record; CLI_EXIT_OK or a usage error */
static int setup_target(struct check *ck)
{
    char q[CLI_QUOTE_MAX];

    if (ck->a.exec != NULL) {
        ext_target_exec(&ck->target, ck->a.exec);
    } else {
        enum ext_error err = ext_target_connect(&ck->target, ck->a.connect);
        if (err != EXT_ERR_NONE) {
            cli_usage_error(ck->cmd, "--connect %s: %s", cli_quote(ck->a.connect, q),
                            ext_error_name(err));
            return CLI_EXIT_USAGE;
        }
    }
    ck->origin.command = "check";
    ck->origin.target_kind = ck->a.exec != NULL ? "exec" : "connect";
    ck->origin.target = ck->a.exec != NULL ? ck->a.exec : ck->a.connect;
    ck->origin.profile = ck->a.profile;
    ck->origin.mode = ck->a.eo.mode;
    ck->origin.seed = ck->a.seed;
    ck->origin.reply_timeout_ms = ck->a.eo.reply_timeout_ms;
    ck->origin.rss_limit_kb = ck->a.eo.rss_limit_kb;
    ck->origin.rss_growth_kb = ck->a.eo.rss_growth_kb;
    ck->origin.mixed = !ck->a.mode_given;
    ck->origin.cut_pause_ms = SESSION_CUT_PAUSE_MS;
    return CLI_EXIT_OK;
}

/* setup_corpus - load the seeds (--corpus, else the usual places); CLI_EXIT_OK or an error */
static int setup_corpus(struct check *ck)
{
    char q[CLI_QUOTE_MAX];

    ck->corpus_dir = ck->a.corpus != NULL ? ck->a.corpus : check_default_corpus();
    if (ck->corpus_dir != NULL) {
        ck->corpus->arena = malloc(CHECK_CORPUS_BYTES);
        if (ck->corpus->arena == NULL) {
            cli_error(ck->cmd, "out of memory");
            return CLI_EXIT_USAGE;
        }
        if (check_load_corpus(ck->corpus, ck->corpus_dir) != 0) {
            cli_usage_error(ck->cmd, "--corpus %s: %s", cli_quote(ck->corpus_dir, q),
                            strerror(errno));
            return CLI_EXIT_USAGE;
        }
    }
    if (ck->corpus->n == 0 && !ck->a.quiet)
        fprintf(stderr,
                "%s: warning: no seeds (%s): only generated sessions will be run; "
                "give --corpus DIR\n",
                ck->cmd, ck->corpus_dir != NULL ? "the corpus folder holds none" : "none found");
    return CLI_EXIT_OK;
}

/*
 * setup_minimize - --minimize FILE: the input, and from its record (when there is one) what
 * the command line left open: profile, mode, cuts, the fingerprint to keep, and with
 * --as-recorded the target; CLI_EXIT_OK or a usage error (reported)
 */
static int setup_minimize(struct check *ck)
{
    struct finding_record *rec = malloc(sizeof *rec);
    char rpath[CHECK_PATH_MAX + 8], why[160], q[CLI_QUOTE_MAX];
    enum session_file fs;
    int have, rc = CLI_EXIT_USAGE;

    if (rec == NULL) {
        cli_error(ck->cmd, "out of memory");
        return CLI_EXIT_USAGE;
    }
    fs = session_read_file(ck->a.minimize, (char *)ck->input, CHECK_SESSION_MAX, &ck->input_len);
    if (fs != SESSION_FILE_OK) {
        cli_error(ck->cmd, "--minimize %s: %s", cli_quote(ck->a.minimize, q),
                  fs == SESSION_FILE_TOO_LARGE     ? "too large"
                  : fs == SESSION_FILE_NOT_REGULAR ? "not a regular file"
                                                   : strerror(errno));
        goto done;
    }
    ck->mode = ck->a.eo.mode;
    snprintf(rpath, sizeof rpath, "%s.json", ck->a.minimize);
    have = finding_read_record(rpath, rec, why, sizeof why) == 0;
    if (!have && ck->a.as_recorded) {
        cli_error(ck->cmd, "--as-recorded: %s: %s", cli_quote(rpath, q), why);
        goto done;
    }
    if (have) {
        if ((!ck->a.profile_given && !oracle_profile_parse(rec->profile, &ck->a.profile)) ||
            (!ck->a.mode_given && !finding_mode_parse(rec->mode, &ck->mode))) {
            cli_error(ck->cmd, "%s: unknown profile or mode (%s, %s)", cli_quote(rpath, q),
                      rec->profile, rec->mode);
            goto done;
        }
        if (!ck->a.no_split) {
            ck->ncuts = rec->ncuts;
            memcpy(ck->cuts, rec->cuts, rec->ncuts * sizeof rec->cuts[0]);
        }
        snprintf(ck->minimize_fingerprint, sizeof ck->minimize_fingerprint, "%s", rec->fingerprint);
        if (!ck->a.growth_given && ck->a.eo.rss_limit_kb == 0) {
            ck->a.eo.rss_growth_kb = rec->rss_growth_kb; /* memory as it was watched */
            ck->a.eo.rss_limit_kb = rec->rss_limit_kb;
        }
        if (rec->reply_timeout_ms > 0 && !ck->a.timeout_given)
            ck->a.eo.reply_timeout_ms = (unsigned)rec->reply_timeout_ms;
    }
    if (ck->a.as_recorded) {
        snprintf(ck->minimize_target, sizeof ck->minimize_target, "%s", rec->target);
        if (strcmp(rec->target_kind, "exec") == 0)
            ck->a.exec = ck->minimize_target;
        else if (strcmp(rec->target_kind, "connect") == 0)
            ck->a.connect = ck->minimize_target;
        else {
            cli_error(ck->cmd, "--as-recorded: %s names no external target", cli_quote(rpath, q));
            goto done;
        }
        printf("recorded target: --%s %s\n", rec->target_kind, cli_quote(rec->target, q));
    }
    rc = CLI_EXIT_OK;
done:
    free(rec);
    return rc;
}

/* cli_check_main - fuzz another SMTP server (--exec or --connect) against the oracle */
int cli_check_main(int argc, char **argv)
{
    struct check ck;
    int help, rc;

    memset(&ck, 0, sizeof ck);
    ck.cmd = argv[0];
    rc = check_parse_args(argc, argv, &ck.a, &help);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (help)
        return cli_print_stdout(argv[0], check_usage_text());
    if (ck.a.list_rules) {
        oracle_profile_list_rules(stdout, ck.a.profile);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
    if (ck.a.minimize == NULL && setup_target(&ck) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (check_signals() != 0) {
        cli_error(argv[0], "cannot set up signal handling: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    ck.corpus = calloc(1, sizeof *ck.corpus);
    ck.input = malloc(CHECK_SESSION_MAX);
    ck.prev = malloc(CHECK_SESSION_MAX);
    ck.replies = malloc(CHECK_REPLY_MAX);
    ck.whole = malloc(CHECK_REPLY_MAX);
    ck.cbuf = malloc(CHECK_INPUT_MAX);
    ck.sbuf = malloc(CHECK_INPUT_MAX);
    ck.run = malloc(sizeof *ck.run);
    ck.findings = calloc(CHECK_FINDINGS_MAX, sizeof *ck.findings);
    rc = CLI_EXIT_USAGE;
    if (ck.corpus == NULL || ck.input == NULL || ck.prev == NULL || ck.replies == NULL ||
        ck.whole == NULL || ck.cbuf == NULL || ck.sbuf == NULL || ck.run == NULL ||
        ck.findings == NULL)
        cli_error(argv[0], "out of memory");
    else if (ck.a.minimize != NULL)
        rc = setup_minimize(&ck) != CLI_EXIT_OK || setup_target(&ck) != CLI_EXIT_OK
                 ? CLI_EXIT_USAGE
                 : check_minimize(&ck);
    else if (setup_corpus(&ck) == CLI_EXIT_OK)
        rc = check_loop(&ck);
    if (ck.corpus != NULL)
        free(ck.corpus->arena);
    free(ck.corpus), free(ck.input), free(ck.prev), free(ck.replies), free(ck.cbuf);
    free(ck.sbuf), free(ck.run), free(ck.findings), free(ck.whole);
    return rc;
}

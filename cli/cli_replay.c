/*
 * cli_replay - "smtpfuzz replay": replay saved client streams (check's
 * .in files, the fuzzers' crash files, corpus entries, hand-written
 * sessions) through the reference responder in process (the default) or
 * an external target, and print each annotated transcript with the
 * verdict (docs/contract.md section 7.5).
 *
 * A check finding carries a record beside it (NAME.in.json, finding.h):
 * replay then judges it under the recorded profile and mode, prints the
 * recorded target and the exact command, and runs that target only when
 * told to (--as-recorded): a command taken from a file is never run
 * without the user asking. Options given on the command line win over the
 * record. A record with cuts (a split run's finding, rule r4) makes an
 * external replay run twice, whole and cut as recorded, and compare the
 * replies as check did (session_split.h).
 *
 * Exit status: 0 every file clean; 1 some file broke a rule (or crashed,
 * hung, flooded, passed the memory limit); 2 a usage error, an unreadable
 * file or record, or a target that cannot be started or reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"
#include "ext_run.h"
#include "finding.h"
#include "oracle_profile.h"
#include "session_report.h"
#include "session_split.h"

#define REPLAY_INPUT_MAX SESSION_INPUT_MAX /* octets of one saved input */
#define REPLAY_REPLY_MAX (16u << 20)       /* reply octets of one session */

enum replay_opt {
    REPLAY_OPT_HELP,
    REPLAY_OPT_EXEC,
    REPLAY_OPT_CONNECT,
    REPLAY_OPT_LOCKSTEP,
    REPLAY_OPT_PIPELINE,
    REPLAY_OPT_GROUPS,
    REPLAY_OPT_NO_SPLIT,
    REPLAY_OPT_PROFILE,
    REPLAY_OPT_REPLY_TIMEOUT,
    REPLAY_OPT_RSS_LIMIT,
    REPLAY_OPT_AS_RECORDED,
    REPLAY_OPT_COUNT
};

static const struct cli_option replay_options[REPLAY_OPT_COUNT] = {
    [REPLAY_OPT_HELP] = {"help", 'h', 0},
    [REPLAY_OPT_EXEC] = {"exec", 0, 1},
    [REPLAY_OPT_CONNECT] = {"connect", 0, 1},
    [REPLAY_OPT_LOCKSTEP] = {"lockstep", 0, 0},
    [REPLAY_OPT_PIPELINE] = {"pipeline", 0, 0},
    [REPLAY_OPT_GROUPS] = {"groups", 0, 0},
    [REPLAY_OPT_NO_SPLIT] = {"no-split", 0, 0},
    [REPLAY_OPT_PROFILE] = {"profile", 0, 1},
    [REPLAY_OPT_REPLY_TIMEOUT] = {"reply-timeout", 0, 1},
    [REPLAY_OPT_RSS_LIMIT] = {"rss-limit", 0, 1},
    [REPLAY_OPT_AS_RECORDED] = {"as-recorded", 0, 0},
};

static const char replay_usage[] =
    "usage: smtpfuzz replay [--exec 'COMMAND' | --connect HOST:PORT | --as-recorded]\n"
    "                       [--lockstep | --groups | --pipeline] [--no-split]\n"
    "                       [--profile strict|rfc] [--reply-timeout MS]\n"
    "                       [--rss-limit MB] FILE...\n"
    "\n"
    "Replay saved client streams (check's .in files, fuzzers' crash files, corpus\n"
    "entries) and print each annotated transcript with the oracle's verdict. The\n"
    "target is the reference responder in process unless --exec (a program speaking\n"
    "SMTP on stdin/stdout, one per session) or --connect (a TCP server on 127.0.0.0/8\n"
    "or [::1]) names another. A check finding's record (FILE.json) gives the profile\n"
    "and mode it was found under, and its target, which is run only with --as-recorded;\n"
    "a finding of a split run (r4) is run whole and cut as recorded, and compared.\n"
    "\n"
    "options:\n"
    "  --exec 'COMMAND'     run COMMAND with /bin/sh -c, one process per file\n"
    "  --connect HOST:PORT  one loopback connection per file\n"
    "  --as-recorded        replay each finding against the target its record names\n"
    "  --lockstep           wait for each reply before the next command (default)\n"
    "  --groups             lock-step until EHLO offers PIPELINING, then RFC 2920 groups\n"
    "  --pipeline           send everything after the greeting, then read all\n"
    "  --no-split           ignore a record's cuts: run each file once, whole\n"
    "  --profile NAME       strict (default: the contract) or rfc (what the RFCs require;\n"
    "                       see 'smtpfuzz check --list-rules --profile rfc')\n"
    "  --reply-timeout MS   wait this long for a reply (default 2000)\n"
    "  --rss-limit MB       --exec: stop the target past this VmRSS (default none)\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 all clean, 1 a violation, crash or hang, 2 usage error,\n"
    "unreadable file or record, or a target that cannot be started or reached.\n";

/* The command line, parsed; *_given: set on the command line (it wins over a record). */
struct replay_args {
    const char *exec, *connect;
    enum oracle_profile profile;
    struct ext_options eo;
    int profile_given, mode_given, timeout_given, rss_given, as_recorded, nfiles, no_split;
};

/* The buffers every file reuses. */
struct replay_bufs {
    char *in, *replies, *whole;
};

/* set_option - one option into *a; CLI_EXIT_OK, or a usage error (reported) */
static int set_option(struct replay_args *a, const char *cmd, enum replay_opt opt,
                      const char *value)
{
    char q[CLI_QUOTE_MAX];
    unsigned long num;

    switch (opt) {
    case REPLAY_OPT_EXEC:
        a->exec = value;
        break;
    case REPLAY_OPT_CONNECT:
        a->connect = value;
        break;
    case REPLAY_OPT_LOCKSTEP:
    case REPLAY_OPT_PIPELINE:
    case REPLAY_OPT_GROUPS:
        a->eo.mode = opt == REPLAY_OPT_PIPELINE ? EXT_PIPELINE
                     : opt == REPLAY_OPT_GROUPS ? EXT_GROUPS
                                                : EXT_LOCKSTEP;
        a->mode_given = 1;
        break;
    case REPLAY_OPT_NO_SPLIT:
        a->no_split = 1;
        break;
    case REPLAY_OPT_PROFILE:
        if (!oracle_profile_parse(value, &a->profile)) {
            cli_usage_error(cmd, "--profile: want strict or rfc, got %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        a->profile_given = 1;
        break;
    case REPLAY_OPT_REPLY_TIMEOUT:
    case REPLAY_OPT_RSS_LIMIT: {
        int timeout = opt == REPLAY_OPT_REPLY_TIMEOUT;
        if (cli_parse_ulong(value, 1, timeout ? 3600000 : 1048576, &num) != CLI_NUM_OK) {
            cli_usage_error(cmd, "--%s: want 1..%s, got %s", replay_options[opt].name,
                            timeout ? "3600000 ms" : "1048576 MB", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        if (timeout)
            a->eo.reply_timeout_ms = (unsigned)num, a->timeout_given = 1;
        else
            a->eo.rss_limit_kb = num * 1024, a->rss_given = 1;
        break;
    }
    case REPLAY_OPT_AS_RECORDED:
        a->as_recorded = 1;
        break;
    default:
        break;
    }
    return CLI_EXIT_OK;
}

/* parse_args - the options (operands only counted); CLI_EXIT_OK, *help, or a usage error */
static int parse_args(int argc, char **argv, struct replay_args *a, int *help)
{
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value;
    size_t opt;

    memset(a, 0, sizeof *a);
    ext_options_default(&a->eo);
    *help = 0;
    cli_parser_init(&p, argv[0], replay_options, REPLAY_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            a->nfiles++;
        } else if (opt == REPLAY_OPT_HELP) {
            *help = 1;
            return CLI_EXIT_OK;
        } else if (set_option(a, argv[0], (enum replay_opt)opt, value) != CLI_EXIT_OK) {
            return CLI_EXIT_USAGE;
        }
    }
    if ((a->exec != NULL) + (a->connect != NULL) + a->as_recorded > 1) {
        cli_usage_error(argv[0], "--exec, --connect and --as-recorded exclude each other");
        return CLI_EXIT_USAGE;
    }
    if (a->nfiles == 0) {
        cli_usage_error(argv[0], "no FILE to replay");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* target_of - the target spec kind/spec into *t; CLI_EXIT_OK, or a usage error (reported) */
static int target_of(const char *cmd, const char *kind, const char *spec, struct ext_target *t)
{
    char q[CLI_QUOTE_MAX];
    enum ext_error err;

    if (strcmp(kind, "exec") == 0) {
        ext_target_exec(t, spec);
        return CLI_EXIT_OK;
    }
    err = ext_target_connect(t, spec);
    if (err != EXT_ERR_NONE) {
        cli_usage_error(cmd, "--connect %s: %s", cli_quote(spec, q), ext_error_name(err));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* How one file is replayed, once the command line and its record are weighed. */
struct replay_plan {
    enum oracle_profile profile;
    struct ext_options eo;
    struct ext_target target;
    int external; /* target is set; else the reference responder in process */
};

/*
 * plan_file - the plan for path: the command line, then its record (when there is one) for
 * what the command line left open; CLI_EXIT_OK or a usage error (reported)
 */
static int plan_file(const char *cmd, const char *path, const struct replay_args *a,
                     struct replay_plan *plan, struct finding_record *rec)
{
    char rpath[FINDING_PATH_MAX + 8], why[160], q[CLI_QUOTE_MAX];
    int have;

    plan->profile = a->profile;
    plan->eo = a->eo;
    plan->external = 0;
    snprintf(rpath, sizeof rpath, "%s.json", path);
    have = finding_read_record(rpath, rec, why, sizeof why) == 0;
    if (!have && a->as_recorded) {
        cli_error(cmd, "--as-recorded: %s: %s", cli_quote(rpath, q), why);
        return CLI_EXIT_USAGE;
    }
    if (have) {
        if (!a->profile_given && !oracle_profile_parse(rec->profile, &plan->profile)) {
            cli_error(cmd, "%s: unknown profile %s", cli_quote(rpath, q), rec->profile);
            return CLI_EXIT_USAGE;
        }
        if (!a->mode_given && !finding_mode_parse(rec->mode, &plan->eo.mode)) {
            cli_error(cmd, "%s: unknown mode %s", cli_quote(rpath, q), rec->mode);
            return CLI_EXIT_USAGE;
        }
        if (!a->timeout_given && rec->reply_timeout_ms > 0)
            plan->eo.reply_timeout_ms = (unsigned)rec->reply_timeout_ms;
        if (!a->rss_given && a->as_recorded) {
            plan->eo.rss_limit_kb = rec->rss_limit_kb;
            plan->eo.rss_growth_kb = rec->rss_growth_kb;
        }
        if (!a->no_split && rec->ncuts > 0) {
            plan->eo.cuts = rec->cuts;
            plan->eo.ncuts = rec->ncuts;
            plan->eo.cut_pause_ms =
                rec->cut_pause_ms > 0 ? (unsigned)rec->cut_pause_ms : SESSION_CUT_PAUSE_MS;
        }
    }
    if (a->exec != NULL || a->connect != NULL) {
        plan->external = 1;
        return target_of(cmd, a->exec != NULL ? "exec" : "connect",
                         a->exec != NULL ? a->exec : a->connect, &plan->target);
    }
    if (a->as_recorded) {
        if (strcmp(rec->target_kind, "exec") != 0 && strcmp(rec->target_kind, "connect") != 0) {
            cli_error(cmd, "--as-recorded: %s names no external target", cli_quote(rpath, q));
            return CLI_EXIT_USAGE;
        }
        plan->external = 1;
        return target_of(cmd, rec->target_kind, rec->target, &plan->target);
    }
    return CLI_EXIT_OK;
}

/* print_record - the recorded finding and the exact command that replays it as found */
static void print_record(const char *path, const struct finding_record *rec, int used)
{
    char q[CLI_QUOTE_MAX];

    size_t k;

    printf("recorded: %s (%s) found by smtpfuzz %s, profile %s, %s, seed %llu, session %lu\n",
           rec->rule, rec->fingerprint, rec->tool_version, rec->profile, rec->mode,
           (unsigned long long)rec->seed, rec->session);
    if (rec->ncuts > 0) {
        printf("recorded cuts (a split run, compared with the whole run):");
        for (k = 0; k < rec->ncuts; k++)
            printf(" %zu", rec->cuts[k]);
        printf(", %lu ms after each\n", rec->cut_pause_ms);
    }
    printf("recorded target: --%s %s\n", rec->target_kind, cli_quote(rec->target, q));
    printf("%s: smtpfuzz replay --as-recorded %s\n",
           used ? "replayed as recorded" : "to replay against it", cli_quote(path, q));
}

/*
 * run_split - the plan has cuts and the whole run (in run, its replies in b->replies) was clean:
 * run again cut and compare (rule r4); the rule, with the split run in run and pr; -1 when it
 * could not run (reported); what it found, in one line, into said[0..cap)
 */
static int run_split(const char *cmd, const char *path, struct replay_plan *plan,
                     struct replay_bufs *b, size_t len, struct ext_result *run,
                     struct oracle_profile_result *pr, char *said, size_t cap)
{
    size_t whole_len = run->replies_len;
    char why[sizeof pr->v.detail], q[CLI_QUOTE_MAX];
    enum ext_error err;
    enum oracle_rule rule;

    memcpy(b->whole, b->replies, whole_len);
    err = ext_run(&plan->target, &plan->eo, b->in, len, b->replies, REPLAY_REPLY_MAX, run);
    if (err != EXT_ERR_NONE) {
        cli_error(cmd, "%s: %s", cli_quote(path, q), ext_error_name(err));
        return -1;
    }
    rule = session_judge(run, plan->profile, b->in, len, pr);
    if (run->outcome != EXT_CRASH && run->outcome != EXT_MEMORY &&
        session_split_compare(b->whole, whole_len, b->replies, run->replies_len, why, sizeof why)) {
        snprintf(pr->v.detail, sizeof pr->v.detail, "%s", why);
        pr->v.line_len = 0;
        pr->v.reply_len = 0;
        rule = ORACLE_SPLIT_CHANGED;
    }
    snprintf(said, cap, "split run (cut at %zu places): %s", plan->eo.ncuts,
             rule == ORACLE_SPLIT_CHANGED ? why : "the same replies as whole");
    return (int)rule;
}

/* replay_one - replay one file; CLI_EXIT_OK clean, CLI_EXIT_FAILURE violation, USAGE error */
static int replay_one(const char *cmd, const char *path, const struct replay_args *a,
                      struct replay_bufs *b)
{
    struct ext_result *run = malloc(sizeof *run);
    struct finding_record *rec = malloc(sizeof *rec);
    struct oracle_profile_result pr;
    struct replay_plan plan;
    enum oracle_rule rule;
    enum session_file fs;
    char q[CLI_QUOTE_MAX], said[sizeof pr.v.detail + 64] = "";
    size_t len = 0;
    int rc = CLI_EXIT_USAGE;

    if (run == NULL || rec == NULL) {
        cli_error(cmd, "out of memory");
        goto done;
    }
    fs = session_read_file(path, b->in, REPLAY_INPUT_MAX, &len);
    if (fs != SESSION_FILE_OK) {
        if (fs == SESSION_FILE_TOO_LARGE)
            cli_error(cmd, "%s: larger than %u octets", cli_quote(path, q), REPLAY_INPUT_MAX);
        else if (fs == SESSION_FILE_NOT_REGULAR)
            cli_error(cmd, "%s: not a regular file (a saved input is one file)",
                      cli_quote(path, q));
        else
            cli_error(cmd, "cannot read %s: %s", cli_quote(path, q), strerror(errno));
        goto done;
    }
    if (plan_file(cmd, path, a, &plan, rec) != CLI_EXIT_OK)
        goto done;
    if (!plan.external) {
        session_run_reference(b->in, len, b->replies, REPLAY_REPLY_MAX, run);
    } else {
        struct ext_options whole = plan.eo;
        enum ext_error err;

        whole.cuts = NULL;
        whole.ncuts = 0;
        err = ext_run(&plan.target, &whole, b->in, len, b->replies, REPLAY_REPLY_MAX, run);
        if (err != EXT_ERR_NONE) {
            cli_error(cmd, "%s: %s", cli_quote(path, q), ext_error_name(err));
            goto done;
        }
        if (session_unusable(run)) {
            session_explain_silence(cmd, run);
            goto done;
        }
    }
    rule = session_judge(run, plan.profile, b->in, len, &pr);
    printf("== %s (%zu octets) ==\n", cli_quote(path, q), len);
    if (plan.external && plan.eo.ncuts > 0 && rule == ORACLE_OK) {
        int split = run_split(cmd, path, &plan, b, len, run, &pr, said, sizeof said);
        if (split < 0)
            goto done;
        rule = (enum oracle_rule)split;
    }
    if (rec->rule[0] != '\0')
        print_record(path, rec, a->as_recorded);
    if (said[0] != '\0')
        printf("%s\n", said);
    session_report_print(stdout, plan.profile, run, &pr, rule);
    fflush(stdout);
    rc = rule == ORACLE_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
done:
    free(run);
    free(rec);
    return rc;
}

/* cli_replay_main - replay saved inputs with the oracle's verdict */
int cli_replay_main(int argc, char **argv)
{
    struct cli_parser p;
    enum cli_parse_status st;
    struct replay_args a;
    struct replay_bufs b;
    const char *value;
    int help, worst = CLI_EXIT_OK, k;
    size_t opt;

    if (parse_args(argc, argv, &a, &help) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (help)
        return cli_print_stdout(argv[0], replay_usage);
    if (ext_ignore_sigpipe() != 0) {
        cli_error(argv[0], "cannot ignore SIGPIPE: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    b.in = malloc(REPLAY_INPUT_MAX);
    b.replies = malloc(REPLAY_REPLY_MAX);
    b.whole = malloc(REPLAY_REPLY_MAX);
    if (b.in == NULL || b.replies == NULL || b.whole == NULL) {
        free(b.in), free(b.replies), free(b.whole);
        cli_error(argv[0], "out of memory");
        return CLI_EXIT_USAGE;
    }
    /* The operands again, in order: the parser has checked the options already. */
    cli_parser_init(&p, argv[0], replay_options, REPLAY_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st != CLI_PARSE_OPERAND)
            continue;
        k = replay_one(argv[0], value, &a, &b);
        if (k > worst)
            worst = k;
    }
    free(b.in), free(b.replies), free(b.whole);
    return worst;
}

/*
 * cli_replay - "smtpfuzz replay": replay saved client streams (check's
 * .in files, the fuzzers' crash files, corpus entries, hand-written
 * sessions) through the reference responder in process (the default) or
 * an external target, and print each annotated transcript with the
 * verdict (docs/contract.md section 7).
 *
 * Exit status: 0 every file clean; 1 some file broke a rule (or crashed,
 * hung, flooded, passed the memory limit); 2 a usage error, an unreadable
 * file, or a target that cannot be started or reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"
#include "ext_run.h"
#include "oracle_profile.h"
#include "session_report.h"

#define REPLAY_INPUT_MAX (16u << 20) /* octets of one saved input */
#define REPLAY_REPLY_MAX (16u << 20) /* reply octets of one session */

enum replay_opt {
    REPLAY_OPT_HELP,
    REPLAY_OPT_EXEC,
    REPLAY_OPT_CONNECT,
    REPLAY_OPT_LOCKSTEP,
    REPLAY_OPT_PIPELINE,
    REPLAY_OPT_PROFILE,
    REPLAY_OPT_REPLY_TIMEOUT,
    REPLAY_OPT_RSS_LIMIT,
    REPLAY_OPT_COUNT
};

static const struct cli_option replay_options[REPLAY_OPT_COUNT] = {
    [REPLAY_OPT_HELP] = {"help", 'h', 0},
    [REPLAY_OPT_EXEC] = {"exec", 0, 1},
    [REPLAY_OPT_CONNECT] = {"connect", 0, 1},
    [REPLAY_OPT_LOCKSTEP] = {"lockstep", 0, 0},
    [REPLAY_OPT_PIPELINE] = {"pipeline", 0, 0},
    [REPLAY_OPT_PROFILE] = {"profile", 0, 1},
    [REPLAY_OPT_REPLY_TIMEOUT] = {"reply-timeout", 0, 1},
    [REPLAY_OPT_RSS_LIMIT] = {"rss-limit", 0, 1},
};

static const char replay_usage[] =
    "usage: smtpfuzz replay [--exec 'COMMAND' | --connect HOST:PORT] [--lockstep | --pipeline]\n"
    "                       [--profile strict|rfc] [--reply-timeout MS] [--rss-limit MB] FILE...\n"
    "\n"
    "Replay saved client streams (check's .in files, fuzzers' crash files, corpus\n"
    "entries) and print each annotated transcript with the oracle's verdict. The\n"
    "target is the reference responder in process unless --exec (a program speaking\n"
    "SMTP on stdin/stdout, one per session) or --connect (a TCP server on 127.0.0.0/8\n"
    "or [::1]) names another.\n"
    "\n"
    "options:\n"
    "  --exec 'COMMAND'     run COMMAND with /bin/sh -c, one process per file\n"
    "  --connect HOST:PORT  one loopback connection per file\n"
    "  --lockstep           wait for each reply before the next command (default)\n"
    "  --pipeline           send everything after the greeting, then read all\n"
    "  --profile NAME       strict (default: the contract) or rfc (RFC 5321 latitude;\n"
    "                       see 'smtpfuzz check --list-rules --profile rfc')\n"
    "  --reply-timeout MS   wait this long for a reply (default 2000)\n"
    "  --rss-limit MB       --exec: stop the target past this VmRSS (default none)\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 all clean, 1 a violation, crash or hang, 2 usage error,\n"
    "unreadable file, or a target that cannot be started or reached.\n";

/* replay_one - replay one file; CLI_EXIT_OK clean, CLI_EXIT_FAILURE violation, USAGE error */
static int replay_one(const char *cmd, const char *path, const struct ext_target *target,
                      const struct ext_options *eo, enum oracle_profile profile, char *in,
                      char *replies)
{
    struct ext_result *run = malloc(sizeof *run);
    struct oracle_profile_result pr;
    enum oracle_rule rule;
    char q[CLI_QUOTE_MAX];
    size_t len = 0;
    int rc;

    if (run == NULL) {
        cli_error(cmd, "out of memory");
        return CLI_EXIT_USAGE;
    }
    switch (session_read_file(path, in, REPLAY_INPUT_MAX, &len)) {
    case SESSION_FILE_OK:
        break;
    case SESSION_FILE_TOO_LARGE:
        cli_error(cmd, "%s: larger than %u octets", cli_quote(path, q), REPLAY_INPUT_MAX);
        free(run);
        return CLI_EXIT_USAGE;
    case SESSION_FILE_UNREADABLE:
        cli_error(cmd, "cannot read %s: %s", cli_quote(path, q), strerror(errno));
        free(run);
        return CLI_EXIT_USAGE;
    case SESSION_FILE_NOT_REGULAR:
        cli_error(cmd, "%s: not a regular file (a saved input is one file)", cli_quote(path, q));
        free(run);
        return CLI_EXIT_USAGE;
    }
    if (target == NULL) {
        session_run_reference(in, len, replies, REPLAY_REPLY_MAX, run);
    } else {
        enum ext_error err = ext_run(target, eo, in, len, replies, REPLAY_REPLY_MAX, run);
        if (err != EXT_ERR_NONE) {
            cli_error(cmd, "%s: %s", cli_quote(path, q), ext_error_name(err));
            free(run);
            return CLI_EXIT_USAGE;
        }
        if (session_unusable(run)) {
            session_explain_silence(cmd, run);
            free(run);
            return CLI_EXIT_USAGE;
        }
    }
    rule = session_judge(run, profile, in, len, &pr);
    printf("== %s (%zu octets) ==\n", cli_quote(path, q), len);
    session_report_print(stdout, profile, run, &pr, rule);
    fflush(stdout);
    rc = rule == ORACLE_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    free(run);
    return rc;
}

/* cli_replay_main - replay saved inputs with the oracle's verdict */
int cli_replay_main(int argc, char **argv)
{
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value, *exec = NULL, *connect = NULL;
    enum oracle_profile profile = ORACLE_PROFILE_STRICT;
    struct ext_target target;
    struct ext_options eo;
    char q[CLI_QUOTE_MAX];
    char *in, *replies;
    int nfiles = 0, worst = CLI_EXIT_OK, k;
    size_t opt;
    unsigned long num;

    ext_options_default(&eo);
    cli_parser_init(&p, argv[0], replay_options, REPLAY_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            nfiles++;
            continue;
        }
        switch ((enum replay_opt)opt) {
        case REPLAY_OPT_HELP:
            return cli_print_stdout(argv[0], replay_usage);
        case REPLAY_OPT_EXEC:
            exec = value;
            break;
        case REPLAY_OPT_CONNECT:
            connect = value;
            break;
        case REPLAY_OPT_LOCKSTEP:
            eo.mode = EXT_LOCKSTEP;
            break;
        case REPLAY_OPT_PIPELINE:
            eo.mode = EXT_PIPELINE;
            break;
        case REPLAY_OPT_PROFILE:
            if (!oracle_profile_parse(value, &profile)) {
                cli_usage_error(argv[0], "--profile: want strict or rfc, got %s",
                                cli_quote(value, q));
                return CLI_EXIT_USAGE;
            }
            break;
        case REPLAY_OPT_REPLY_TIMEOUT:
            if (cli_parse_ulong(value, 1, 3600000, &num) != CLI_NUM_OK) {
                cli_usage_error(argv[0], "--reply-timeout: want 1..3600000 ms, got %s",
                                cli_quote(value, q));
                return CLI_EXIT_USAGE;
            }
            eo.reply_timeout_ms = (unsigned)num;
            break;
        case REPLAY_OPT_RSS_LIMIT:
            if (cli_parse_ulong(value, 1, 1048576, &num) != CLI_NUM_OK) {
                cli_usage_error(argv[0], "--rss-limit: want 1..1048576 MB, got %s",
                                cli_quote(value, q));
                return CLI_EXIT_USAGE;
            }
            eo.rss_limit_kb = num * 1024;
            break;
        case REPLAY_OPT_COUNT:
            break;
        }
    }
    if (exec != NULL && connect != NULL) {
        cli_usage_error(argv[0], "--exec and --connect exclude each other");
        return CLI_EXIT_USAGE;
    }
    if (nfiles == 0) {
        cli_usage_error(argv[0], "no FILE to replay");
        return CLI_EXIT_USAGE;
    }
    if (exec != NULL)
        ext_target_exec(&target, exec);
    if (connect != NULL) {
        enum ext_error err = ext_target_connect(&target, connect);
        if (err != EXT_ERR_NONE) {
            cli_usage_error(argv[0], "--connect %s: %s", cli_quote(connect, q),
                            ext_error_name(err));
            return CLI_EXIT_USAGE;
        }
    }
    if (ext_ignore_sigpipe() != 0) {
        cli_error(argv[0], "cannot ignore SIGPIPE: %s", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    in = malloc(REPLAY_INPUT_MAX);
    replies = malloc(REPLAY_REPLY_MAX);
    if (in == NULL || replies == NULL) {
        free(in), free(replies);
        cli_error(argv[0], "out of memory");
        return CLI_EXIT_USAGE;
    }
    /* The operands again, in order: the parser has checked the options already. */
    cli_parser_init(&p, argv[0], replay_options, REPLAY_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st != CLI_PARSE_OPERAND)
            continue;
        k = replay_one(argv[0], value, exec != NULL || connect != NULL ? &target : NULL, &eo,
                       profile, in, replies);
        if (k > worst)
            worst = k;
    }
    free(in), free(replies);
    return worst;
}

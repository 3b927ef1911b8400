/*
 * check_args - the command line of "smtpfuzz check" (contract in check.h):
 * one option table, and one small handler per kind of value.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "cli_util.h"
#include "splitmix.h"

enum check_opt {
    CHECK_OPT_HELP,
    CHECK_OPT_EXEC,
    CHECK_OPT_CONNECT,
    CHECK_OPT_OUT,
    CHECK_OPT_SECONDS,
    CHECK_OPT_RUNS,
    CHECK_OPT_SEED,
    CHECK_OPT_CORPUS,
    CHECK_OPT_LOCKSTEP,
    CHECK_OPT_PIPELINE,
    CHECK_OPT_GROUPS,
    CHECK_OPT_NO_SPLIT,
    CHECK_OPT_PROFILE,
    CHECK_OPT_LIST_RULES,
    CHECK_OPT_REPLY_TIMEOUT,
    CHECK_OPT_RSS_LIMIT,
    CHECK_OPT_RSS_GROWTH,
    CHECK_OPT_KEEP,
    CHECK_OPT_ONLY,
    CHECK_OPT_IGNORE,
    CHECK_OPT_JSON,
    CHECK_OPT_SARIF,
    CHECK_OPT_QUIET,
    CHECK_OPT_FIRST,
    CHECK_OPT_MINIMIZE,
    CHECK_OPT_AS_RECORDED,
    CHECK_OPT_COUNT
};

static const struct cli_option check_options[CHECK_OPT_COUNT] = {
    [CHECK_OPT_HELP] = {"help", 'h', 0},
    [CHECK_OPT_EXEC] = {"exec", 0, 1},
    [CHECK_OPT_CONNECT] = {"connect", 0, 1},
    [CHECK_OPT_OUT] = {"out", 0, 1},
    [CHECK_OPT_SECONDS] = {"seconds", 0, 1},
    [CHECK_OPT_RUNS] = {"runs", 0, 1},
    [CHECK_OPT_SEED] = {"seed", 0, 1},
    [CHECK_OPT_CORPUS] = {"corpus", 0, 1},
    [CHECK_OPT_LOCKSTEP] = {"lockstep", 0, 0},
    [CHECK_OPT_PIPELINE] = {"pipeline", 0, 0},
    [CHECK_OPT_GROUPS] = {"groups", 0, 0},
    [CHECK_OPT_NO_SPLIT] = {"no-split", 0, 0},
    [CHECK_OPT_PROFILE] = {"profile", 0, 1},
    [CHECK_OPT_LIST_RULES] = {"list-rules", 0, 0},
    [CHECK_OPT_REPLY_TIMEOUT] = {"reply-timeout", 0, 1},
    [CHECK_OPT_RSS_LIMIT] = {"rss-limit", 0, 1},
    [CHECK_OPT_RSS_GROWTH] = {"rss-growth", 0, 1},
    [CHECK_OPT_KEEP] = {"keep", 0, 1},
    [CHECK_OPT_ONLY] = {"only", 0, 1},
    [CHECK_OPT_IGNORE] = {"ignore", 0, 1},
    [CHECK_OPT_JSON] = {"json", 0, 1},
    [CHECK_OPT_SARIF] = {"sarif", 0, 1},
    [CHECK_OPT_QUIET] = {"quiet", 'q', 0},
    [CHECK_OPT_FIRST] = {"first", 0, 0},
    [CHECK_OPT_MINIMIZE] = {"minimize", 0, 1},
    [CHECK_OPT_AS_RECORDED] = {"as-recorded", 0, 0},
};

/* The numeric options: their range. */
static const struct {
    enum check_opt opt;
    unsigned long lo, hi;
} numbers[] = {
    {CHECK_OPT_SECONDS, 1, 31536000UL},     {CHECK_OPT_RUNS, 1, (unsigned long)-1},
    {CHECK_OPT_SEED, 0, (unsigned long)-1}, {CHECK_OPT_REPLY_TIMEOUT, 1, 3600000UL},
    {CHECK_OPT_RSS_LIMIT, 1, 1048576UL},    {CHECK_OPT_KEEP, 1, FINDING_KEEP_MAX},
    {CHECK_OPT_RSS_GROWTH, 0, 1048576UL},
};

static const char check_usage[] =
    "usage: smtpfuzz check (--exec 'COMMAND' | --connect HOST:PORT) [--out DIR]\n"
    "                      [--seconds N] [--runs N] [--seed N] [--corpus DIR]\n"
    "                      [--lockstep | --groups | --pipeline] [--no-split]\n"
    "                      [--profile strict|rfc] [--list-rules] [--reply-timeout MS]\n"
    "                      [--rss-limit MB] [--rss-growth MB] [--keep N]\n"
    "                      [--only RULE,...] [--ignore RULE,...] [--json FILE]\n"
    "                      [--sarif FILE] [--first] [--quiet]\n"
    "       smtpfuzz check --minimize FILE (--exec 'COMMAND' | --connect HOST:PORT |\n"
    "                      --as-recorded) [--runs N] [--seconds N] [--profile NAME]\n"
    "\n"
    "Fuzz another SMTP server with generated, mutated and probing sessions (every\n"
    "verb's argument at buffer-size lengths with specials, UTF-8 lines at the 512-octet\n"
    "limit, zero-length chunks, a 12 MiB line) and check every reply with the oracle.\n"
    "One session in 8 is sent again cut into pieces (a CR and its LF in two reads):\n"
    "other replies then are r4. Findings are told apart by their fingerprint (the rule and\n"
    "its cause: the kind of line and reply, or the crash); each is saved under DIR as\n"
    "<rule>-<fingerprint>-<hash>.in, with .transcript, .rule and .json (how it was\n"
    "found: replay it with 'smtpfuzz replay --as-recorded FILE').\n"
    "\n"
    "options:\n"
    "  --exec 'COMMAND'     a program speaking SMTP on stdin/stdout (like 'exim -bs'),\n"
    "                       run with /bin/sh -c, one process per session\n"
    "  --connect HOST:PORT  a TCP server on 127.0.0.0/8 or [::1], one connection per\n"
    "                       session\n"
    "  --out DIR            where findings go (default check-out, made when needed)\n"
    "  --seconds N          stop after N seconds (default 10 unless --runs is given)\n"
    "  --runs N             stop after N sessions\n"
    "  --seed N             the seed of the session generator (default: from the clock;\n"
    "                       printed, so a run can be repeated)\n"
    "  --corpus DIR         seeds to mutate (default: the installed session seeds, or\n"
    "                       this source tree's; generated sessions only when none)\n"
    "  --lockstep           wait for each reply before the next command\n"
    "  --groups             lock-step until EHLO offers PIPELINING, then the command\n"
    "                       groups RFC 2920 allows (MAIL, RCPT, RSET, BDAT and the\n"
    "                       command after them at once)\n"
    "  --pipeline           send each session at once after the greeting, then read\n"
    "                       (default: lock-step, one session in 4 in groups)\n"
    "  --no-split           never send a session again cut (no rule r4)\n"
    "  --profile NAME       strict (default: the contract as written) or rfc (what the\n"
    "                       RFCs require: see --list-rules)\n"
    "  --list-rules         print the rules of the profile, and what it tolerates\n"
    "  --reply-timeout MS   no reply this long is a hang (default 2000)\n"
    "  --rss-limit MB       --exec: the target's VmRSS past this is r6-memory\n"
    "  --rss-growth MB      --exec: VmRSS growth after the greeting past this and past\n"
    "                       half the octets sent is r6-memory (default 8; 0: off)\n"
    "  --keep N             inputs saved per fingerprint (default 1, at most 16)\n"
    "  --only RULE,...      count only these rules as findings (ids: --list-rules)\n"
    "  --ignore RULE,...    count every rule but these\n"
    "  --json FILE          write every finding, the counts and how to reproduce them\n"
    "                       (format smtpfuzz-findings, version 2: docs/contract.md 7.10)\n"
    "  --sarif FILE         write the findings as SARIF 2.1.0, for code scanning in CI\n"
    "  --first              stop at the first finding (a CI job that fails fast)\n"
    "  --minimize FILE      shrink a saved finding (lines, then octets) while the same\n"
    "                       fingerprint still fires; writes FILE's name with .min.in\n"
    "                       and its record (tries: --runs, default 500, or --seconds)\n"
    "  --as-recorded        --minimize against the target FILE's record names\n"
    "  -q, --quiet          no progress lines on stderr\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 nothing found, 1 something found, 2 usage or setup error.\n";

const char *check_usage_text(void)
{
    return check_usage;
}

/* set_number - a numeric option in range into its field; CLI_EXIT_OK or a usage error */
static int set_number(struct check_args *a, const char *cmd, enum check_opt opt, const char *value)
{
    char q[CLI_QUOTE_MAX];
    enum cli_num_status ns;
    unsigned long num, lo, hi;
    size_t k;

    for (k = 0, lo = hi = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
        if (numbers[k].opt == opt) {
            lo = numbers[k].lo, hi = numbers[k].hi;
            break;
        }
    }
    CLI_ASSERT(k < sizeof numbers / sizeof numbers[0]); /* every numeric option has a row */
    ns = cli_parse_ulong(value, lo, hi, &num);
    if (ns != CLI_NUM_OK) {
        cli_usage_error(cmd, "--%s: %s: %s", check_options[opt].name, cli_num_status_name(ns),
                        cli_quote(value, q));
        return CLI_EXIT_USAGE;
    }
    switch (opt) {
    case CHECK_OPT_SECONDS:
        a->seconds = num;
        break;
    case CHECK_OPT_RUNS:
        a->runs = num;
        break;
    case CHECK_OPT_SEED:
        a->seed = num, a->seed_given = 1;
        break;
    case CHECK_OPT_REPLY_TIMEOUT:
        a->eo.reply_timeout_ms = (unsigned)num;
        a->timeout_given = 1;
        break;
    case CHECK_OPT_RSS_LIMIT:
        a->eo.rss_limit_kb = num * 1024;
        break;
    case CHECK_OPT_RSS_GROWTH:
        a->eo.rss_growth_kb = num * 1024;
        a->growth_given = 1;
        break;
    default:
        a->keep = num;
        break;
    }
    return CLI_EXIT_OK;
}

/* rule_set - "r1-help-not-214,r2-bad-reply" into bits; CLI_EXIT_OK or a usage error */
static int rule_set(const char *cmd, const char *opt, const char *value, unsigned *bits)
{
    char q[CLI_QUOTE_MAX];
    const char *p = value;

    *bits = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        int r;
        for (r = 1; r < ORACLE_RULE_COUNT; r++) {
            const char *id = oracle_rule_id((enum oracle_rule)r);
            if (strlen(id) == n && strncmp(id, p, n) == 0)
                break;
        }
        if (n == 0 || r == ORACLE_RULE_COUNT) {
            cli_usage_error(cmd, "--%s: unknown rule in %s (the ids: smtpfuzz check --list-rules)",
                            opt, cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        *bits |= 1u << r;
        p += n + (p[n] == ',');
    }
    return CLI_EXIT_OK;
}

/* set_value - an option with a string value; CLI_EXIT_OK or a usage error */
static int set_value(struct check_args *a, const char *cmd, enum check_opt opt, const char *value)
{
    char q[CLI_QUOTE_MAX];
    unsigned bits;

    switch (opt) {
    case CHECK_OPT_EXEC:
        a->exec = value;
        return CLI_EXIT_OK;
    case CHECK_OPT_CONNECT:
        a->connect = value;
        return CLI_EXIT_OK;
    case CHECK_OPT_CORPUS:
        a->corpus = value;
        return CLI_EXIT_OK;
    case CHECK_OPT_PROFILE:
        if (!oracle_profile_parse(value, &a->profile)) {
            cli_usage_error(cmd, "--profile: want strict or rfc, got %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        a->profile_given = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_ONLY:
    case CHECK_OPT_IGNORE:
        if (rule_set(cmd, check_options[opt].name, value, &bits) != CLI_EXIT_OK)
            return CLI_EXIT_USAGE;
        a->rules = opt == CHECK_OPT_ONLY ? bits : a->rules & ~bits;
        return CLI_EXIT_OK;
    default:
        break;
    }
    if (value[0] == '\0') {
        cli_usage_error(cmd, "--%s: empty file or folder name", check_options[opt].name);
        return CLI_EXIT_USAGE;
    }
    if (opt == CHECK_OPT_MINIMIZE)
        a->minimize = value;
    else if (opt == CHECK_OPT_OUT)
        a->out = value;
    else if (opt == CHECK_OPT_JSON)
        a->json = value;
    else
        a->sarif = value;
    return CLI_EXIT_OK;
}

/* set_option - one option; CLI_EXIT_OK or a usage error */
static int set_option(struct check_args *a, const char *cmd, enum check_opt opt, const char *value,
                      int *help)
{
    switch (opt) {
    case CHECK_OPT_HELP:
        *help = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_LOCKSTEP:
    case CHECK_OPT_PIPELINE:
    case CHECK_OPT_GROUPS:
        a->eo.mode = opt == CHECK_OPT_PIPELINE ? EXT_PIPELINE
                     : opt == CHECK_OPT_GROUPS ? EXT_GROUPS
                                               : EXT_LOCKSTEP;
        a->mode_given = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_NO_SPLIT:
        a->no_split = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_LIST_RULES:
        a->list_rules = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_QUIET:
        a->quiet = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_FIRST:
        a->first = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_AS_RECORDED:
        a->as_recorded = 1;
        return CLI_EXIT_OK;
    case CHECK_OPT_SECONDS:
    case CHECK_OPT_RUNS:
    case CHECK_OPT_SEED:
    case CHECK_OPT_REPLY_TIMEOUT:
    case CHECK_OPT_RSS_LIMIT:
    case CHECK_OPT_RSS_GROWTH:
    case CHECK_OPT_KEEP:
        return set_number(a, cmd, opt, value);
    default:
        return set_value(a, cmd, opt, value);
    }
}

/* check_combination - what the options say together; CLI_EXIT_OK or a usage error */
static int check_combination(struct check_args *a, const char *cmd)
{
    if (a->as_recorded && (a->minimize == NULL || a->exec != NULL || a->connect != NULL)) {
        cli_usage_error(cmd, "--as-recorded goes with --minimize FILE, instead of --exec and "
                             "--connect");
        return CLI_EXIT_USAGE;
    }
    if (a->as_recorded)
        return CLI_EXIT_OK; /* the target comes from the record */
    if ((a->exec == NULL) == (a->connect == NULL)) {
        cli_usage_error(cmd, a->exec == NULL ? "want --exec 'COMMAND' or --connect HOST:PORT"
                                             : "--exec and --connect exclude each other");
        return CLI_EXIT_USAGE;
    }
    if (a->exec != NULL && a->exec[0] == '\0') {
        cli_usage_error(cmd, "--exec: empty command");
        return CLI_EXIT_USAGE;
    }
    if (a->connect != NULL && (a->eo.rss_limit_kb > 0 || a->growth_given)) {
        cli_usage_error(cmd, "--rss-limit and --rss-growth need --exec (a TCP server is not our "
                             "child)");
        return CLI_EXIT_USAGE;
    }
    if (a->exec != NULL && !a->growth_given)
        a->eo.rss_growth_kb = CHECK_RSS_GROWTH_MB * 1024UL;
    if (a->rules == 0) {
        cli_usage_error(cmd, "--only and --ignore leave no rule to check");
        return CLI_EXIT_USAGE;
    }
    if (a->seconds == 0 && a->runs == 0 && a->minimize == NULL)
        a->seconds = 10;
    if (!a->seed_given)
        a->seed = splitmix_mix((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
    return CLI_EXIT_OK;
}

int check_parse_args(int argc, char **argv, struct check_args *a, int *help)
{
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value;
    char q[CLI_QUOTE_MAX];
    size_t opt;

    memset(a, 0, sizeof *a);
    a->out = "check-out";
    a->keep = 1;
    a->profile = ORACLE_PROFILE_STRICT;
    a->rules = ((1u << ORACLE_RULE_COUNT) - 1) & ~1u; /* every rule but ORACLE_OK */
    ext_options_default(&a->eo);
    *help = 0;
    cli_parser_init(&p, argv[0], check_options, CHECK_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            cli_usage_error(argv[0], "unexpected argument %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        if (set_option(a, argv[0], (enum check_opt)opt, value, help) != CLI_EXIT_OK)
            return CLI_EXIT_USAGE;
        if (*help)
            return CLI_EXIT_OK;
    }
    if (a->list_rules)
        return CLI_EXIT_OK;
    return check_combination(a, argv[0]);
}

/*
 * main - the smtpfuzz program: "smtpfuzz COMMAND [OPTIONS]" (docs/contract.md section 7).
 *
 * Dispatch is one table of subcommands, {name, entry point, summary}; the
 * help text is printed from the same table, so a new subcommand (check and
 * replay come with the fuzzing work) is one row plus its entry point in
 * cli.h. A row whose entry point is NULL is listed as not built yet.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"

#ifndef SMTPFUZZ_VERSION
#define SMTPFUZZ_VERSION "unknown" /* CMake defines it from the project version */
#endif

/* One subcommand: "smtpfuzz NAME ..." runs run(argc, argv) with argv[0] == NAME. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* NULL: not in this build yet */
    const char *summary;               /* one line for --help */
};

static const struct cli_command cli_commands[] = {
    {"respond", cli_respond_main,
     "the reference responder on standard input/output, like exim -bs"},
    {"serve", cli_serve_main, "the reference responder as a TCP server on an IPv4 address"},
    {"check", cli_check_main, "fuzz another SMTP server (--exec or --connect) against the oracle"},
    {"replay", cli_replay_main, "replay saved inputs with the oracle's verdict"},
    {"sanitizer-report", cli_sanitizer_main,
     "read a crash log: sanitizer or libFuzzer report, key and stack"},
};

#define CLI_NCOMMANDS (sizeof cli_commands / sizeof cli_commands[0])

/* main_help - print the program's usage and the subcommand table to stdout */
static int main_help(void)
{
    char text[2048];
    size_t len;
    size_t i;

    len = (size_t)snprintf(text, sizeof text,
                           "usage: smtpfuzz COMMAND [OPTIONS]\n"
                           "       smtpfuzz --help | -h | --version\n"
                           "\n"
                           "SMTP protocol fuzzing harness, version %s.\n"
                           "\n"
                           "commands:\n",
                           SMTPFUZZ_VERSION);
    for (i = 0; i < CLI_NCOMMANDS && len < sizeof text; i++) {
        const struct cli_command *c = &cli_commands[i];

        len +=
            (size_t)snprintf(text + len, sizeof text - len, "  %-16s %s%s\n", c->name, c->summary,
                             c->run != NULL ? ""
                                            : "\n            (comes with the fuzzing "
                                              "work; not in this build yet)");
    }
    if (len < sizeof text)
        snprintf(text + len, sizeof text - len,
                 "\n"
                 "Run 'smtpfuzz COMMAND --help' for the options of a command.\n"
                 "Exit status: 0 success, 1 runtime failure, 2 usage error.\n");
    CLI_ASSERT(len < sizeof text);
    return cli_print_stdout(NULL, text);
}

/* main_version - print "smtpfuzz <version>" to stdout */
static int main_version(void)
{
    return cli_print_stdout(NULL, "smtpfuzz " SMTPFUZZ_VERSION "\n");
}

/* main - dispatch argv[1] to a subcommand, or answer --help / --version */
int main(int argc, char **argv)
{
    char q[CLI_QUOTE_MAX];
    const char *word;
    size_t i;

    if (argc < 2) {
        cli_usage_error(NULL, "missing command");
        return CLI_EXIT_USAGE;
    }
    word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 || strcmp(word, "--version") == 0) {
        if (argc > 2) {
            cli_usage_error(NULL, "%s takes no arguments, got %s", word, cli_quote(argv[2], q));
            return CLI_EXIT_USAGE;
        }
        return strcmp(word, "--version") == 0 ? main_version() : main_help();
    }
    if (word[0] == '-') {
        cli_usage_error(NULL, "unknown option %s", cli_quote(word, q));
        return CLI_EXIT_USAGE;
    }
    for (i = 0; i < CLI_NCOMMANDS; i++) {
        if (strcmp(word, cli_commands[i].name) != 0)
            continue;
        if (cli_commands[i].run == NULL) {
            cli_usage_error(NULL, "command '%s' is not in this build yet", cli_commands[i].name);
            return CLI_EXIT_USAGE;
        }
        return cli_commands[i].run(argc - 1, argv + 1);
    }
    cli_usage_error(NULL, "unknown command %s", cli_quote(word, q));
    return CLI_EXIT_USAGE;
}

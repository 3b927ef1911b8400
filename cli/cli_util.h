/*
 * cli_util - what every smtpfuzz subcommand needs from its command line:
 * an option parser, strict number and address parsers, and one format for
 * error messages.
 *
 * What it does: parses "--name VALUE", "--name=VALUE", "-h" and "--" from a
 * table of options; parses decimal numbers with a range (no sign, no
 * blanks, no trailing junk, no overflow) and "a.b.c.d:PORT" addresses;
 * prints usage errors as one line on stderr ending in the hint
 * "try 'smtpfuzz --help'".
 *
 * What it never does: keep global state (unlike getopt's optind/opterr),
 * permute argv, resolve host names, or print an argument unescaped: user
 * text in messages goes through cli_quote (escaped, width-capped).
 *
 * How it fails: bad input is a returned status (an enum, named by the
 * matching *_name function); the option parser reports its own errors on
 * stderr and returns CLI_PARSE_ERROR. Caller bugs trip CLI_ASSERT, which
 * stays on in release builds.
 */
#ifndef CLI_UTIL_H
#define CLI_UTIL_H

#include <stddef.h>
#include <stdlib.h>

#include <netinet/in.h>

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define CLI_PRINTF(fmt, first)
#endif

/*
 * CLI_ASSERT - always-on assert for caller bugs; names the function, then aborts (abort() after
 * cli_panic, which never returns, so static checkers see the branch end too)
 */
#define CLI_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            cli_panic(__func__, #cond);                                                            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* cli_panic - report a broken invariant in function fn and abort */
_Noreturn void cli_panic(const char *fn, const char *what);

/* cli_usage_error - "smtpfuzz CMD: MESSAGE; try 'smtpfuzz --help'" on stderr (cmd may be NULL) */
void cli_usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* cli_error - "smtpfuzz CMD: MESSAGE" on stderr, for runtime failures (cmd may be NULL) */
void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* cli_print_stdout - write text to stdout and flush; CLI_EXIT_OK or, on error, CLI_EXIT_FAILURE */
int cli_print_stdout(const char *cmd, const char *text);

/* buffer for cli_quote: 1024 shown bytes (a whole path), 4 octets each, quotes and a cut mark */
#define CLI_QUOTE_MAX (1024 * 4 + 8)

/* cli_quote - s in single quotes, non-printables as \xNN, cut after 1024 bytes; returns buf */
const char *cli_quote(const char *s, char buf[CLI_QUOTE_MAX]);

/* Decimal number parser results. */
#define CLI_NUM_STATUS_LIST(X)                                                                     \
    X(CLI_NUM_OK, "a number in range")                                                             \
    X(CLI_NUM_EMPTY, "empty")                                                                      \
    X(CLI_NUM_NOT_DECIMAL, "not a decimal number")                                                 \
    X(CLI_NUM_RANGE, "out of range")

#define CLI_NUM_STATUS_ENUM_(name, text) name,
enum cli_num_status { CLI_NUM_STATUS_LIST(CLI_NUM_STATUS_ENUM_) CLI_NUM_STATUS_COUNT };
#undef CLI_NUM_STATUS_ENUM_

/* cli_parse_ulong - s is all ASCII digits and min <= value <= max; *out set only on CLI_NUM_OK */
enum cli_num_status cli_parse_ulong(const char *s, unsigned long min, unsigned long max,
                                    unsigned long *out);

/* cli_num_status_name - a short English description of a number parser status */
const char *cli_num_status_name(enum cli_num_status status);

/* Address parser results. */
#define CLI_ADDR_STATUS_LIST(X)                                                                    \
    X(CLI_ADDR_OK, "an IPv4 address and port")                                                     \
    X(CLI_ADDR_NO_PORT, "missing ':PORT' (want IPV4:PORT, e.g. 127.0.0.1:2525)")                   \
    X(CLI_ADDR_IPV6, "IPv6 addresses are not supported (want an IPv4 literal, e.g. 127.0.0.1)")    \
    X(CLI_ADDR_NOT_IPV4, "not an IPv4 address literal a.b.c.d (host names are not resolved)")      \
    X(CLI_ADDR_BAD_PORT, "port is not a decimal number 0..65535")

#define CLI_ADDR_STATUS_ENUM_(name, text) name,
enum cli_addr_status { CLI_ADDR_STATUS_LIST(CLI_ADDR_STATUS_ENUM_) CLI_ADDR_STATUS_COUNT };
#undef CLI_ADDR_STATUS_ENUM_

/* cli_parse_ipv4_port - "a.b.c.d:PORT" (PORT 0..65535) into *out; *out set only on CLI_ADDR_OK */
enum cli_addr_status cli_parse_ipv4_port(const char *s, struct sockaddr_in *out);

/* cli_addr_status_name - a short English description of an address parser status */
const char *cli_addr_status_name(enum cli_addr_status status);

/* One row of a subcommand's option table. */
struct cli_option {
    const char *name; /* long name without the dashes: "listen" for --listen */
    char short_name;  /* 'h' for -h, or 0 for none */
    int has_value;    /* 1: takes a value ("--name V" or "--name=V"); 0: a flag */
};

/* What cli_parser_next found. */
enum cli_parse_status {
    CLI_PARSE_OPTION,  /* an option: *index is its row, *value its value or NULL */
    CLI_PARSE_OPERAND, /* a non-option argument: *value */
    CLI_PARSE_END,     /* no arguments left */
    CLI_PARSE_ERROR    /* a usage error, already reported on stderr */
};

/* A walk over one subcommand's arguments; set up by cli_parser_init. */
struct cli_parser {
    const char *cmd;               /* subcommand name, for messages */
    const struct cli_option *opts; /* the option table */
    size_t nopts;                  /* its row count */
    int argc;                      /* argument count, argv[0] excluded by cli_parser_init */
    char **argv;                   /* the arguments */
    int next;                      /* index of the next argument to look at */
    int operands_only;             /* set after "--": everything left is an operand */
};

/* cli_parser_init - walk argv[1..argc) of subcommand cmd with the given option table */
void cli_parser_init(struct cli_parser *p, const char *cmd, const struct cli_option *opts,
                     size_t nopts, int argc, char **argv);

/* cli_parser_next - the next option or operand, or the end, or an error already reported */
enum cli_parse_status cli_parser_next(struct cli_parser *p, size_t *index, const char **value);

#endif

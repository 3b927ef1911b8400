/*
 * cli_util - option, number and address parsing and error messages for
 * the smtpfuzz subcommands; the contract is in cli_util.h.
 *
 * Why a hand parser and not getopt_long: getopt_long keeps its cursor in
 * globals (optind, opterr, optarg; resetting them differs between glibc
 * and the BSDs), glibc permutes argv unless told otherwise, and it prints
 * its own messages in its own format. Our needs are a handful of long
 * options with at most one value each, so a table and a loop are shorter
 * than the workarounds and keep every message in one format.
 */
#include "cli_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CLI_QUOTE_SHOWN 1024 /* bytes of user text shown in a message: a whole path */

/* cli_panic - report a broken invariant in function fn and abort */
_Noreturn void cli_panic(const char *fn, const char *what)
{
    fprintf(stderr, "smtpfuzz: %s: internal error: %s\n", fn, what);
    abort();
}

/* cli_vmessage - "smtpfuzz[ CMD]: MESSAGE[SUFFIX]\n" on stderr */
static void cli_vmessage(const char *cmd, const char *suffix, const char *fmt, va_list ap)
    CLI_PRINTF(3, 0);

/* cli_vmessage - "smtpfuzz[ CMD]: MESSAGE[SUFFIX]\n" on stderr */
static void cli_vmessage(const char *cmd, const char *suffix, const char *fmt, va_list ap)
{
    char msg[512];

    vsnprintf(msg, sizeof msg, fmt, ap);
    if (cmd != NULL)
        fprintf(stderr, "smtpfuzz %s: %s%s\n", cmd, msg, suffix);
    else
        fprintf(stderr, "smtpfuzz: %s%s\n", msg, suffix);
}

/* cli_usage_error - "smtpfuzz CMD: MESSAGE; try 'smtpfuzz --help'" on stderr (cmd may be NULL) */
void cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_vmessage(cmd, "; try 'smtpfuzz --help'", fmt, ap);
    va_end(ap);
}

/* cli_error - "smtpfuzz CMD: MESSAGE" on stderr, for runtime failures (cmd may be NULL) */
void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cli_vmessage(cmd, "", fmt, ap);
    va_end(ap);
}

/* cli_print_stdout - write text to stdout and flush; CLI_EXIT_OK or, on error, CLI_EXIT_FAILURE */
int cli_print_stdout(const char *cmd, const char *text)
{
    if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
        cli_error(cmd, "cannot write to standard output: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* cli_quote - s in single quotes, non-printables as \xNN, cut after 40 bytes; returns buf */
const char *cli_quote(const char *s, char buf[CLI_QUOTE_MAX])
{
    static const char hex[] = "0123456789abcdef";
    size_t out = 0;
    size_t i;

    buf[out++] = '\'';
    for (i = 0; i < CLI_QUOTE_SHOWN && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c <= 0x7e && c != '\\') {
            buf[out++] = (char)c;
        } else {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[c >> 4];
            buf[out++] = hex[c & 0x0f];
        }
    }
    buf[out++] = '\'';
    if (s[i] != '\0') {
        memcpy(buf + out, "...", 3);
        out += 3;
    }
    buf[out] = '\0';
    CLI_ASSERT(out < CLI_QUOTE_MAX);
    return buf;
}

/* cli_parse_ulong - s is all ASCII digits and min <= value <= max; *out set only on CLI_NUM_OK */
enum cli_num_status cli_parse_ulong(const char *s, unsigned long min, unsigned long max,
                                    unsigned long *out)
{
    unsigned long value = 0;
    int too_big = 0;
    size_t i;

    if (s[0] == '\0')
        return CLI_NUM_EMPTY;
    /* Digits only: strtoul would take blanks, a sign and "0x", and wrap "-1" to ULONG_MAX. */
    for (i = 0; s[i] != '\0'; i++) {
        unsigned digit;

        if (s[i] < '0' || s[i] > '9')
            return CLI_NUM_NOT_DECIMAL;
        digit = (unsigned)(s[i] - '0');
        if (value > max / 10 || (value == max / 10 && digit > max % 10))
            too_big = 1; /* keep scanning: "99999x" is junk before it is out of range */
        else
            value = value * 10 + digit;
    }
    if (too_big || value < min)
        return CLI_NUM_RANGE;
    *out = value;
    return CLI_NUM_OK;
}

/* cli_num_status_name - a short English description of a number parser status */
const char *cli_num_status_name(enum cli_num_status status)
{
#define CLI_NUM_STATUS_TEXT_(name, text) text,
    static const char *const names[] = {CLI_NUM_STATUS_LIST(CLI_NUM_STATUS_TEXT_)};
#undef CLI_NUM_STATUS_TEXT_

    CLI_ASSERT((size_t)status < sizeof names / sizeof names[0]);
    return names[status];
}

/* cli_parse_ipv4_port - "a.b.c.d:PORT" (PORT 0..65535) into *out; *out set only on CLI_ADDR_OK */
enum cli_addr_status cli_parse_ipv4_port(const char *s, struct sockaddr_in *out)
{
    char host[INET6_ADDRSTRLEN + 2]; /* room for "[v6]" too, so it can be recognised */
    const char *colon = strrchr(s, ':');
    struct in6_addr addr6;
    struct in_addr addr;
    unsigned long port;
    size_t host_len = colon != NULL ? (size_t)(colon - s) : strlen(s);

    if (host_len < sizeof host) {
        memcpy(host, s, host_len);
        host[host_len] = '\0';
    } else {
        host[0] = '\0';
    }
    /* Name IPv6 as such ("[::1]:25", "::1:25", "::1"), so the message says what is missing. */
    if (s[0] == '[' || inet_pton(AF_INET6, host, &addr6) == 1 ||
        inet_pton(AF_INET6, s, &addr6) == 1)
        return CLI_ADDR_IPV6;
    if (colon == NULL)
        return CLI_ADDR_NO_PORT;
    /* inet_pton, unlike inet_aton, takes exactly four decimal parts: no "127.1", no hex. */
    if (host_len == 0 || host_len >= sizeof host || inet_pton(AF_INET, host, &addr) != 1)
        return CLI_ADDR_NOT_IPV4;
    if (cli_parse_ulong(colon + 1, 0, 65535, &port) != CLI_NUM_OK)
        return CLI_ADDR_BAD_PORT;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_addr = addr;
    out->sin_port = htons((unsigned short)port);
    return CLI_ADDR_OK;
}

/* cli_addr_status_name - a short English description of an address parser status */
const char *cli_addr_status_name(enum cli_addr_status status)
{
#define CLI_ADDR_STATUS_TEXT_(name, text) text,
    static const char *const names[] = {CLI_ADDR_STATUS_LIST(CLI_ADDR_STATUS_TEXT_)};
#undef CLI_ADDR_STATUS_TEXT_

    CLI_ASSERT((size_t)status < sizeof names / sizeof names[0]);
    return names[status];
}

/* cli_parser_init - walk argv[1..argc) of subcommand cmd with the given option table */
void cli_parser_init(struct cli_parser *p, const char *cmd, const struct cli_option *opts,
                     size_t nopts, int argc, char **argv)
{
    CLI_ASSERT(argc >= 1 && argv != NULL && opts != NULL);
    p->cmd = cmd;
    p->opts = opts;
    p->nopts = nopts;
    p->argc = argc;
    p->argv = argv;
    p->next = 1;
    p->operands_only = 0;
}

/* cli_parser_find - the row of option "--name" (name_len bytes) or "-c"; nopts when unknown */
static size_t cli_parser_find(const struct cli_parser *p, const char *name, size_t name_len,
                              char short_name)
{
    size_t i;

    for (i = 0; i < p->nopts; i++) {
        const struct cli_option *o = &p->opts[i];

        if (short_name != 0) {
            if (o->short_name == short_name)
                break;
        } else if (name != NULL && strlen(o->name) == name_len &&
                   memcmp(o->name, name, name_len) == 0) {
            break;
        }
    }
    return i;
}

/* cli_parser_next - the next option or operand, or the end, or an error already reported */
enum cli_parse_status cli_parser_next(struct cli_parser *p, size_t *index, const char **value)
{
    char q[CLI_QUOTE_MAX];
    const char *arg;
    const char *eq;
    size_t row;

    if (p->next >= p->argc)
        return CLI_PARSE_END;
    arg = p->argv[p->next++];
    if (p->operands_only || arg[0] != '-' || arg[1] == '\0') {
        *value = arg; /* "-" alone is an operand, by convention standard input */
        return CLI_PARSE_OPERAND;
    }
    if (strcmp(arg, "--") == 0) {
        p->operands_only = 1;
        return cli_parser_next(p, index, value);
    }
    if (arg[1] != '-') {
        /* Short options are single letters and never bundled: "-h", not "-hv". */
        row = arg[2] == '\0' ? cli_parser_find(p, NULL, 0, arg[1]) : p->nopts;
        eq = NULL;
    } else {
        eq = strchr(arg + 2, '=');
        row = cli_parser_find(p, arg + 2, eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2), 0);
    }
    if (row == p->nopts) {
        cli_usage_error(p->cmd, "unknown option %s", cli_quote(arg, q));
        return CLI_PARSE_ERROR;
    }
    *index = row;
    *value = NULL;
    if (!p->opts[row].has_value) {
        if (eq != NULL) {
            cli_usage_error(p->cmd, "option --%s takes no value", p->opts[row].name);
            return CLI_PARSE_ERROR;
        }
        return CLI_PARSE_OPTION;
    }
    if (eq != NULL) {
        *value = eq + 1;
    } else if (p->next < p->argc) {
        *value = p->argv[p->next++];
    } else {
        cli_usage_error(p->cmd, "option --%s needs a value", p->opts[row].name);
        return CLI_PARSE_ERROR;
    }
    return CLI_PARSE_OPTION;
}

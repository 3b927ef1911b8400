/*
 * cli_sanitizer - "smtpfuzz sanitizer-report": what a saved crash log says,
 * read by the same code check uses (sanitizer_report.h), for scripts that
 * turn findings into reports (scripts/report.sh).
 *
 * Usage: smtpfuzz sanitizer-report [FILE]   (standard input when FILE is
 * absent or "-"). Prints one "name: value" line each for tool, type, key,
 * summary and place (empty values left out), then one "frame: N FUNCTION
 * WHERE" line per frame of the first stack.
 *
 * Exit status: 0 a report was found; 1 none was (or the file could not be
 * read: said on stderr); 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_util.h"
#include "sanitizer_report.h"

#define SANITIZER_LOG_MAX (64u << 20) /* octets of a log read at most */

static const char sanitizer_usage[] =
    "usage: smtpfuzz sanitizer-report [FILE]\n"
    "\n"
    "Read a crash log (a sanitizer's or libFuzzer's report, anywhere in FILE or\n"
    "standard input) and print what it says: tool, type, the key check groups\n"
    "crashes by, the SUMMARY line and the frames of the first stack.\n"
    "\n"
    "Exit status: 0 a report was found, 1 none was, 2 usage error.\n";

/* read_all - the whole stream into a malloc'd buffer; NULL with errno on failure */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);

    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *bigger = cap < SANITIZER_LOG_MAX ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL)
                break; /* the first SANITIZER_LOG_MAX octets hold the report, if any */
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* print_field - "name: value" when value is not empty */
static void print_field(const char *name, const char *value)
{
    if (value[0] != '\0')
        printf("%s: %s\n", name, value);
}

/* cli_sanitizer_main - read a crash log and print what it says */
int cli_sanitizer_main(int argc, char **argv)
{
    const char *path = NULL;
    struct sanitizer_info info;
    char key[256], q[CLI_QUOTE_MAX];
    FILE *f = stdin;
    size_t len = 0, k;
    char *text;
    int found;

    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        return cli_print_stdout(argv[0], sanitizer_usage);
    if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')) {
        cli_usage_error(argv[0], "want at most one FILE");
        return CLI_EXIT_USAGE;
    }
    if (argc == 2 && strcmp(argv[1], "-") != 0)
        path = argv[1];
    if (path != NULL && (f = fopen(path, "rb")) == NULL) {
        cli_error(argv[0], "cannot read %s: %s", cli_quote(path, q), strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    text = read_all(f, &len);
    if (f != stdin)
        (void)fclose(f);
    if (text == NULL) {
        cli_error(argv[0], "cannot read %s: %s", path != NULL ? cli_quote(path, q) : "stdin",
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    found = sanitizer_report_read(text, len, &info);
    free(text);
    if (!found)
        return CLI_EXIT_FAILURE;
    sanitizer_report_key(&info, key, sizeof key);
    print_field("tool", info.tool);
    print_field("type", info.type);
    print_field("key", key);
    print_field("summary", info.summary);
    print_field("place", info.place);
    for (k = 0; k < info.nframes; k++)
        printf("frame: %zu %s %s\n", k, info.frames[k].fn, info.frames[k].where);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/*
 * finding - fingerprints, records, JSON and SARIF (contract in finding.h).
 *
 * JSON is written and read by hand: the tool depends on nothing but libc,
 * and both formats are ours and flat (a record is one object of strings and
 * numbers), so a reader of exactly that is a page; a general JSON library
 * would be the larger risk to carry.
 */
#define _XOPEN_SOURCE                                                                              \
    700 /* realpath(): XSI, beside the POSIX 2008 the rest of the tree asks for                    \
         */

#include "finding.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oracle.h"

#ifndef SMTPFUZZ_VERSION
#define SMTPFUZZ_VERSION "unknown" /* CMake defines it from the project version */
#endif

#define RECORD_MAX (64u << 10) /* octets of a record read at most */

/* ------------------------------------------------------------------ */
/* Fingerprints                                                         */

/* fnv1a - the 64-bit FNV-1a hash of a string */
static uint64_t fnv1a(const char *p)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (; *p != '\0'; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* normalise - detail without the numbers that change from session to session (offsets) */
static void normalise(char *out, size_t cap, const char *in)
{
    size_t n = 0;

    while (*in != '\0' && n + 1 < cap) {
        if (*in >= '0' && *in <= '9') {
            while (*in >= '0' && *in <= '9')
                in++;
            out[n++] = '#';
            continue;
        }
        out[n++] = *in++;
    }
    out[n] = '\0';
}

/* reply_class - "5yz" for the reply at the verdict, "no reply" when there is none */
static const char *reply_class(const struct oracle_profile_result *pr, char buf[8])
{
    const char *r = pr->server + pr->v.reply_off;

    if (pr->v.reply_len < 3 || r[0] < '0' || r[0] > '9')
        return pr->v.reply_len == 0 ? "no reply" : "an unreadable reply";
    snprintf(buf, 8, "%cyz", r[0]);
    return buf;
}

void finding_describe(struct finding *f, enum oracle_rule rule,
                      const struct oracle_profile_result *pr, const struct ext_result *run)
{
    char key[256], rc[8];

    f->rule = rule;
    snprintf(f->detail, sizeof f->detail, "%s", pr->v.detail);
    switch (rule) {
    case ORACLE_CRASH:
        ext_crash_key(run, f->cause, sizeof f->cause);
        snprintf(f->detail, sizeof f->detail, "%s", run->detail);
        break;
    case ORACLE_SPLIT_CHANGED: {
        /* "<cause>; <where>": the cause names reply classes only (session_split.h) */
        size_t n = strcspn(pr->v.detail, ";");
        snprintf(f->cause, sizeof f->cause, "%.*s", (int)n, pr->v.detail);
        break;
    }
    case ORACLE_HANG:
    case ORACLE_MEMORY:
        snprintf(f->cause, sizeof f->cause, "%s", ext_outcome_id(run->outcome));
        snprintf(f->detail, sizeof f->detail, "%s", run->detail);
        break;
    case ORACLE_MALFORMED_NOT_500:
    case ORACLE_HELP_NOT_214:
    case ORACLE_500_FOR_COMMAND:
    case ORACLE_214_NOT_HELP:
        if (pr->v.line_len == 0) {
            snprintf(f->cause, sizeof f->cause, "the greeting got %s", reply_class(pr, rc));
        } else {
            enum oracle_class cls;
            enum oracle_fault fault =
                oracle_line_judge(pr->client + pr->v.line_off, pr->v.line_len, &cls);
            snprintf(f->cause, sizeof f->cause, "%s%s%s%s got %s",
                     cls == ORACLE_LINE_MALFORMED ? "a malformed line"
                     : cls == ORACLE_LINE_HELP    ? "HELP"
                                                  : "a recognised command",
                     cls == ORACLE_LINE_MALFORMED ? " (" : "",
                     cls == ORACLE_LINE_MALFORMED ? oracle_fault_name(fault) : "",
                     cls == ORACLE_LINE_MALFORMED ? ")" : "", reply_class(pr, rc));
        }
        break;
    default:
        normalise(f->cause, sizeof f->cause, pr->v.detail);
        break;
    }
    snprintf(key, sizeof key, "%s|%s", oracle_rule_id(rule), f->cause);
    snprintf(f->fingerprint, sizeof f->fingerprint, "%016llx", (unsigned long long)fnv1a(key));
}

const char *finding_mode_name(enum ext_mode mode)
{
    return mode == EXT_PIPELINE ? "pipelined" : mode == EXT_GROUPS ? "groups" : "lock-step";
}

int finding_mode_parse(const char *name, enum ext_mode *mode)
{
    static const enum ext_mode modes[] = {EXT_LOCKSTEP, EXT_PIPELINE, EXT_GROUPS};
    size_t k;

    for (k = 0; k < sizeof modes / sizeof modes[0]; k++) {
        if (strcmp(name, finding_mode_name(modes[k])) == 0) {
            *mode = modes[k];
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writing JSON                                                         */

/* json_str - s as a JSON string: quotes, backslashes, control and 8-bit octets escaped */
static void json_str(FILE *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, out);
        else /* \u00XX: valid JSON whatever the octet; readers get the octet back */
            fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
    }
    fputc('"', out);
}

/* json_uri - a relative path as a URI reference: unreserved octets and '/' kept */
static void json_uri(FILE *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
            fputc(c, out);
        else
            fprintf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    fputc('"', out);
}

const char *finding_relative(const char *path, char *buf, size_t cap)
{
    char cwd[PATH_MAX], dir[PATH_MAX], abs[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n;

    snprintf(buf, cap, "%s", path);
    if (path[0] != '/' || getcwd(cwd, sizeof cwd) == NULL || slash == NULL)
        return buf; /* already relative (or no way to tell) */
    n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return buf;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (realpath(n > 0 ? dir : "/", abs) == NULL)
        return buf;
    n = strlen(cwd);
    if (strncmp(abs, cwd, n) == 0 && (abs[n] == '/' || abs[n] == '\0'))
        snprintf(buf, cap, "%s%s%s", abs[n] == '/' ? abs + n + 1 : "", abs[n] == '/' ? "/" : "",
                 slash + 1);
    return buf;
}

int finding_write_record(const char *path, const struct finding *f, const struct finding_origin *o,
                         unsigned long session)
{
    FILE *out = fopen(path, "w");
    size_t k;
    int bad;

    if (out == NULL)
        return -1;
    fprintf(out,
            "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"tool_version\": ", FINDING_RECORD,
            FINDING_VERSION);
    json_str(out, SMTPFUZZ_VERSION);
    fputs(",\n  \"rule\": ", out);
    json_str(out, oracle_rule_id(f->rule));
    fputs(",\n  \"fingerprint\": ", out);
    json_str(out, f->fingerprint);
    fputs(",\n  \"cause\": ", out);
    json_str(out, f->cause);
    fputs(",\n  \"detail\": ", out);
    json_str(out, f->detail);
    fputs(",\n  \"command\": ", out);
    json_str(out, o->command);
    fputs(",\n  \"target_kind\": ", out);
    json_str(out, o->target_kind);
    fputs(",\n  \"target\": ", out);
    json_str(out, o->target);
    fputs(",\n  \"profile\": ", out);
    json_str(out, oracle_profile_name(o->profile));
    fputs(",\n  \"mode\": ", out);
    json_str(out, finding_mode_name(o->mode));
    fprintf(out,
            ",\n  \"seed\": %llu,\n  \"session\": %lu,\n  \"reply_timeout_ms\": %u,\n"
            "  \"rss_limit_kb\": %lu,\n  \"rss_growth_kb\": %lu,\n  \"cuts\": [",
            (unsigned long long)o->seed, session, o->reply_timeout_ms, o->rss_limit_kb,
            o->rss_growth_kb);
    for (k = 0; k < o->ncuts && k < FINDING_CUTS_MAX; k++)
        fprintf(out, "%s%zu", k > 0 ? ", " : "", o->cuts[k]);
    fprintf(out, "],\n  \"cut_pause_ms\": %u\n}\n", o->ncuts > 0 ? o->cut_pause_ms : 0);
    bad = ferror(out);
    if (fclose(out) != 0 || bad)
        return -1;
    return 0;
}

int finding_write_json(FILE *out, const struct finding_origin *o, const struct finding_run *run,
                       const struct finding *fs, size_t n)
{
    char rel[FINDING_PATH_MAX];
    size_t k, s;
    int r, first = 1;

    fprintf(out,
            "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"tool\": {\"name\": \"smtpfuzz\", "
            "\"version\": ",
            FINDING_FORMAT, FINDING_VERSION);
    json_str(out, SMTPFUZZ_VERSION);
    fputs("},\n  \"command\": ", out);
    json_str(out, o->command);
    fputs(",\n  \"target\": {\"kind\": ", out);
    json_str(out, o->target_kind);
    fputs(", \"spec\": ", out);
    json_str(out, o->target);
    fputs("},\n  \"profile\": ", out);
    json_str(out, oracle_profile_name(o->profile));
    fputs(",\n  \"mode\": ", out);
    json_str(out, o->mixed ? "mixed" : finding_mode_name(o->mode));
    fprintf(out, ",\n  \"seed\": %llu,\n  \"sessions\": %lu,\n  \"seconds\": %.3f,\n",
            (unsigned long long)o->seed, run->sessions, run->seconds);
    fprintf(out, "  \"ignored\": %lu,\n  \"per_rule\": {", run->ignored);
    for (r = 1; r < ORACLE_RULE_COUNT; r++) {
        fprintf(out, "%s\n    ", first ? "" : ",");
        json_str(out, oracle_rule_id((enum oracle_rule)r));
        fprintf(out, ": %lu", run->per_rule[r]);
        first = 0;
    }
    fputs("\n  },\n  \"findings\": [", out);
    for (k = 0; k < n; k++) {
        const struct finding *f = &fs[k];
        fprintf(out, "%s\n    {\"rule\": ", k > 0 ? "," : "");
        json_str(out, oracle_rule_id(f->rule));
        fputs(", \"fingerprint\": ", out);
        json_str(out, f->fingerprint);
        fputs(", \"cause\": ", out);
        json_str(out, f->cause);
        fprintf(out, ", \"count\": %lu, \"first_session\": %lu,\n     \"detail\": ", f->count,
                f->session);
        json_str(out, f->detail);
        fputs(",\n     \"inputs\": [", out);
        for (s = 0; s < f->nsaved; s++) {
            fputs(s > 0 ? ", " : "", out);
            json_str(out, finding_relative(f->saved[s], rel, sizeof rel));
        }
        fputs("]}", out);
    }
    fputs(n > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

/* rule_name - SARIF's readable rule name, not its id: "r1-help-not-214" -> "HelpNot214" */
static const char *rule_name(enum oracle_rule rule, char *buf, size_t cap)
{
    const char *id = oracle_rule_id(rule), *p = strchr(id, '-');
    size_t n = 0;
    int up = 1;

    for (p = p != NULL ? p + 1 : id; *p != '\0' && n + 1 < cap; p++) {
        if (*p == '-') {
            up = 1;
            continue;
        }
        buf[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        up = 0;
    }
    buf[n] = '\0';
    return buf;
}

int finding_write_sarif(FILE *out, const struct finding_origin *o, const struct finding *fs,
                        size_t n)
{
    char rel[FINDING_PATH_MAX], name[64];
    size_t k;
    int r;

    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
          "  \"version\": \"2.1.0\",\n  \"runs\": [{\n    \"tool\": {\"driver\": {\n"
          "      \"name\": \"smtpfuzz\", \"version\": ",
          out);
    json_str(out, SMTPFUZZ_VERSION);
    fputs(",\n      \"informationUri\": \"https://www.rfc-editor.org/rfc/rfc5321\",\n"
          "      \"rules\": [",
          out);
    for (r = 1; r < ORACLE_RULE_COUNT; r++) { /* ruleIndex = rule - 1 */
        fprintf(out, "%s\n        {\"id\": ", r > 1 ? "," : "");
        json_str(out, oracle_rule_id((enum oracle_rule)r));
        fputs(", \"name\": ", out);
        json_str(out, rule_name((enum oracle_rule)r, name, sizeof name));
        fputs(", \"shortDescription\": {\"text\": ", out);
        json_str(out, oracle_rule_text((enum oracle_rule)r));
        fputs("}}", out);
    }
    fputs("\n      ]}},\n    \"properties\": {\"target\": ", out);
    json_str(out, o->target);
    fputs(", \"profile\": ", out);
    json_str(out, oracle_profile_name(o->profile));
    fputs("},\n    \"results\": [", out);
    for (k = 0; k < n; k++) {
        const struct finding *f = &fs[k];
        const char *input = f->nsaved > 0 ? f->saved[0] : NULL;
        struct stat st;
        char msg[512];

        snprintf(msg, sizeof msg, "%s: %s (%lu session%s)", oracle_rule_text(f->rule), f->cause,
                 f->count, f->count == 1 ? "" : "s");
        fprintf(out, "%s\n      {\"ruleId\": ", k > 0 ? "," : "");
        json_str(out, oracle_rule_id(f->rule));
        fprintf(out, ", \"ruleIndex\": %d, \"level\": \"error\",\n       \"message\": {\"text\": ",
                (int)f->rule - 1);
        json_str(out, msg);
        fputs("},\n       \"partialFingerprints\": {\"smtpfuzzFinding/v1\": ", out);
        json_str(out, f->fingerprint);
        fputs("}", out);
        if (input != NULL) {
            /* The finding's place is its input: the server under test is not our source. */
            fputs(",\n       \"locations\": [{\"physicalLocation\": {\"artifactLocation\": "
                  "{\"uri\": ",
                  out);
            json_uri(out, finding_relative(input, rel, sizeof rel));
            fputs("}", out);
            if (stat(input, &st) == 0 && st.st_size > 0)
                fprintf(out, ", \"region\": {\"byteOffset\": 0, \"byteLength\": %lld}",
                        (long long)st.st_size);
            fputs("}}]", out);
        }
        fprintf(out, ",\n       \"properties\": {\"count\": %lu, \"cause\": ", f->count);
        json_str(out, f->cause);
        fputs("}}", out);
    }
    fputs(n > 0 ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Reading a record                                                     */

/* hexval - the value of a hex digit, or -1 */
static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* value_at - where the value of "key" starts in text, or NULL */
static const char *value_at(const char *text, const char *key)
{
    size_t n = strlen(key);
    const char *p = text;

    while ((p = strchr(p, '"')) != NULL) {
        if (strncmp(p + 1, key, n) == 0 && p[n + 1] == '"') {
            const char *q = p + n + 2;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                q++;
            if (*q == ':') {
                q++;
                while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                    q++;
                return q;
            }
        }
        p++;
    }
    return NULL;
}

/* get_string - the string value of key into out; 0, or -1 when absent or not a string */
static int get_string(const char *text, const char *key, char *out, size_t cap)
{
    const char *p = value_at(text, key);
    size_t n = 0;

    out[0] = '\0';
    if (p == NULL || *p != '"')
        return -1;
    for (p++; *p != '\0' && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            p++;
            if (*p == 'u' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0 && hexval(p[3]) >= 0 &&
                hexval(p[4]) >= 0) {
                c = (char)(hexval(p[3]) << 4 | hexval(p[4])); /* we write only \u00XX */
                p += 4;
            } else if (*p == 'n' || *p == 't' || *p == 'r') {
                c = *p == 'n' ? '\n' : *p == 't' ? '\t' : '\r';
            } else if (*p == '\0') {
                return -1;
            } else {
                c = *p;
            }
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return *p == '"' ? 0 : -1;
}

/* get_numbers - the array of whole numbers of key into v[0..max); how many, or -1 */
static int get_numbers(const char *text, const char *key, size_t *v, size_t max)
{
    const char *p = value_at(text, key);
    size_t n = 0;

    if (p == NULL || *p != '[')
        return -1;
    for (p++;;) {
        char *end;
        unsigned long long x;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ',')
            p++;
        if (*p == ']')
            return (int)n;
        if (*p < '0' || *p > '9' || n == max)
            return -1;
        errno = 0;
        x = strtoull(p, &end, 10);
        if (errno != 0 || x > SIZE_MAX || (n > 0 && x <= v[n - 1]))
            return -1; /* cuts ascend */
        v[n++] = (size_t)x;
        p = end;
    }
}

/* get_number - the whole-number value of key; 0, or -1 */
static int get_number(const char *text, const char *key, unsigned long long *v)
{
    const char *p = value_at(text, key);
    char *end;

    if (p == NULL || *p < '0' || *p > '9')
        return -1;
    errno = 0;
    *v = strtoull(p, &end, 10);
    return errno == 0 && end != p ? 0 : -1;
}

int finding_read_record(const char *path, struct finding_record *r, char *why, size_t cap)
{
    FILE *in = fopen(path, "r");
    char *text;
    size_t n;
    unsigned long long v;
    char format[32];
    int rc = -1;

    memset(r, 0, sizeof *r);
    if (in == NULL) {
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    text = malloc(RECORD_MAX + 1);
    if (text == NULL) {
        fclose(in);
        snprintf(why, cap, "out of memory");
        return -1;
    }
    n = fread(text, 1, RECORD_MAX, in);
    text[n] = '\0';
    fclose(in);
    if (get_string(text, "format", format, sizeof format) != 0 ||
        strcmp(format, FINDING_RECORD) != 0) {
        snprintf(why, cap, "not a smtpfuzz finding record (no \"format\": \"%s\")", FINDING_RECORD);
    } else if (get_number(text, "version", &v) != 0 || v < FINDING_VERSION_MIN ||
               v > FINDING_VERSION) {
        snprintf(why, cap, "record version %llu, this smtpfuzz reads versions %d to %d", v,
                 FINDING_VERSION_MIN, FINDING_VERSION);
    } else if (get_string(text, "rule", r->rule, sizeof r->rule) != 0 ||
               get_string(text, "target_kind", r->target_kind, sizeof r->target_kind) != 0 ||
               get_string(text, "target", r->target, sizeof r->target) != 0 ||
               get_string(text, "profile", r->profile, sizeof r->profile) != 0 ||
               get_string(text, "mode", r->mode, sizeof r->mode) != 0) {
        snprintf(why, cap, "a field is missing or malformed (rule, target, profile, mode)");
    } else {
        (void)get_string(text, "fingerprint", r->fingerprint, sizeof r->fingerprint);
        (void)get_string(text, "tool_version", r->tool_version, sizeof r->tool_version);
        if (get_number(text, "seed", &v) == 0)
            r->seed = v;
        if (get_number(text, "session", &v) == 0)
            r->session = (unsigned long)v;
        if (get_number(text, "reply_timeout_ms", &v) == 0)
            r->reply_timeout_ms = (unsigned long)v;
        if (get_number(text, "rss_limit_kb", &v) == 0)
            r->rss_limit_kb = (unsigned long)v;
        if (get_number(text, "rss_growth_kb", &v) == 0)
            r->rss_growth_kb = (unsigned long)v;
        if (get_number(text, "cut_pause_ms", &v) == 0)
            r->cut_pause_ms = (unsigned long)v;
        if (value_at(text, "cuts") != NULL) {
            int nc = get_numbers(text, "cuts", r->cuts, FINDING_CUTS_MAX);
            if (nc < 0) {
                snprintf(why, cap, "\"cuts\" is not an ascending list of at most %d offsets",
                         FINDING_CUTS_MAX);
                free(text);
                return -1;
            }
            r->ncuts = (size_t)nc;
        }
        rc = 0;
    }
    free(text);
    return rc;
}

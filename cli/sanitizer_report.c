/*
 * sanitizer_report - reading crash reports (contract in
 * sanitizer_report.h).
 *
 * The formats read here are the compiler-rt runtimes' (LLVM 14) and
 * libFuzzer's: "==PID==ERROR: AddressSanitizer: TYPE on ...", "ERROR:
 * LeakSanitizer: detected memory leaks", "FILE:LINE:COL: runtime error:
 * ...", "==PID== ERROR: libFuzzer: timeout after N seconds", frames as
 * "    #N 0xADDR in FUNCTION FILE:LINE:COL", and "SUMMARY: ...".
 */
#include "sanitizer_report.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Markers that start a report on stderr; the line holding one is the report's first. */
static const char *const markers[] = {
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "ERROR: MemorySanitizer",
    "WARNING: ThreadSanitizer",
    "ERROR: UndefinedBehaviorSanitizer",
    "runtime error:",
    "ERROR: libFuzzer:",
};
#define N_MARKERS (sizeof markers / sizeof markers[0])

/* The error types libFuzzer names itself, and what we call them. */
static const struct {
    const char *says;
    const char *type;
} libfuzzer_types[] = {
    {"timeout", "timeout"},
    {"out-of-memory", "out-of-memory"},
    {"deadly signal", "deadly-signal"},
    {"fuzz target exited", "fuzz-target-exited"},
};

/* Signal names for reports (strsignal's text is locale-dependent prose). */
static const struct {
    int sig;
    const char *name;
} signal_names[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
    {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGPIPE, "SIGPIPE"},
    {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
};

const char *sanitizer_signal_name(int sig, char *buf, size_t cap)
{
    size_t i;

    for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
        if (signal_names[i].sig == sig) {
            snprintf(buf, cap, "%s", signal_names[i].name);
            return buf;
        }
    }
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/* find - the first place (needle, its length) occurs in p[0..n), or NULL */
static const char *find(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; k <= n && i <= n - k; i++) {
        if (p[i] == needle[0] && memcmp(p + i, needle, k) == 0)
            return p + i;
    }
    return NULL;
}

/* line_start - the first octet of the line holding p */
static const char *line_start(const char *base, const char *p)
{
    while (p > base && p[-1] != '\n')
        p--;
    return p;
}

/* line_end - just past the last octet before the LF (or the end) of the line starting at p */
static const char *line_end(const char *p, const char *end)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    return lf != NULL ? lf : end;
}

/* copy_span - [p, q) into buf (cut to cap - 1 octets), NUL-terminated */
static void copy_span(char *buf, size_t cap, const char *p, const char *q)
{
    size_t n = (size_t)(q - p);

    if (n >= cap)
        n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

/* copy_word - the token at p (up to a blank or the end of the line) into buf */
static void copy_word(char *buf, size_t cap, const char *p, const char *end)
{
    const char *q = p;

    while (q < end && *q != ' ' && *q != '\n' && *q != '\r' && *q != '\t')
        q++;
    copy_span(buf, cap, p, q);
}

void sanitizer_scan_feed(struct sanitizer_scan *s, const char *buf, size_t n)
{
    char joined[SANITIZER_CARRY + 4096];
    size_t done = 0;

    if (s->found) {
        size_t room = SANITIZER_REPORT_MAX - s->report_len, m = n < room ? n : room;
        memcpy(s->report + s->report_len, buf, m);
        s->report_len += m;
        return;
    }
    /* In pieces, so the carry plus a piece always fits the joined buffer. */
    while (done < n && !s->found) {
        size_t piece =
            n - done < sizeof joined - SANITIZER_CARRY ? n - done : sizeof joined - SANITIZER_CARRY;
        size_t jlen = s->carry_len + piece, k;
        const char *hit = NULL;

        memcpy(joined, s->carry, s->carry_len);
        memcpy(joined + s->carry_len, buf + done, piece);
        for (k = 0; k < N_MARKERS; k++) {
            const char *h = find(joined, jlen, markers[k]);
            if (h != NULL && (hit == NULL || h < hit))
                hit = h;
        }
        done += piece;
        if (hit != NULL) {
            /* From the start of the marker's line, as far as we still have it. */
            const char *from = line_start(joined, hit);
            size_t m = jlen - (size_t)(from - joined);
            s->found = 1;
            if (m > SANITIZER_REPORT_MAX)
                m = SANITIZER_REPORT_MAX;
            memcpy(s->report, from, m);
            s->report_len = m;
            sanitizer_scan_feed(s, buf + done, n - done); /* the rest goes to the report */
            return;
        }
        s->carry_len = jlen < SANITIZER_CARRY ? jlen : SANITIZER_CARRY;
        memmove(s->carry, joined + jlen - s->carry_len, s->carry_len);
    }
}

/* read_type - tool and type from the report's first marker line */
static int read_type(const char *text, const char *end, struct sanitizer_info *info)
{
    const char *p = find(text, (size_t)(end - text), "ERROR: ");
    const char *ub = find(text, (size_t)(end - text), "runtime error:");
    size_t k;

    if (ub != NULL && (p == NULL || ub < p)) {
        /* UBSan names the place before the marker: "file.c:12:3: runtime error: ..." */
        const char *ls = line_start(text, ub);
        snprintf(info->tool, sizeof info->tool, "UndefinedBehaviorSanitizer");
        snprintf(info->type, sizeof info->type, "runtime-error");
        if (ub - ls >= 2)
            copy_span(info->place, sizeof info->place, ls, ub - 2);
        return 1;
    }
    for (; p != NULL; p = find(p + 1, (size_t)(end - p - 1), "ERROR: ")) {
        const char *tool = p + 7, *colon = line_end(tool, end), *q;
        for (q = tool; q < colon && *q != ':'; q++)
            ;
        if (q == colon || q + 2 > end)
            continue;
        copy_span(info->tool, sizeof info->tool, tool, q);
        if (strcmp(info->tool, "libFuzzer") == 0) {
            for (k = 0; k < sizeof libfuzzer_types / sizeof libfuzzer_types[0]; k++) {
                if (find(q, (size_t)(colon - q), libfuzzer_types[k].says) != NULL) {
                    snprintf(info->type, sizeof info->type, "%s", libfuzzer_types[k].type);
                    return 1;
                }
            }
            copy_word(info->type, sizeof info->type, q + 2, end);
            return 1;
        }
        if (strcmp(info->tool, "LeakSanitizer") == 0) {
            snprintf(info->type, sizeof info->type, "memory-leak");
            return 1;
        }
        if (strstr(info->tool, "Sanitizer") != NULL) {
            copy_word(info->type, sizeof info->type, q + 2, end);
            if (strcmp(info->type, "ABRT") == 0) /* "ABRT on unknown address": an abort() */
                snprintf(info->type, sizeof info->type, "abort");
            return 1;
        }
    }
    info->tool[0] = '\0';
    return 0;
}

/* read_frames - the frames of the first stack: "#N 0xADDR in FN WHERE" */
static void read_frames(const char *text, const char *end, struct sanitizer_info *info)
{
    const char *p = text;

    while (p < end && info->nframes < SANITIZER_FRAMES) {
        const char *le = line_end(p, end), *q = p, *in;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (q + 1 < le && q[0] == '#' && q[1] >= '0' && q[1] <= '9') {
            if (q[1] == '0' && q[2] == ' ' && info->nframes > 0)
                return; /* a second stack (ASan's allocation stack): only the first counts */
            in = find(q, (size_t)(le - q), " in ");
            if (in != NULL) {
                struct sanitizer_frame *f = &info->frames[info->nframes++];
                const char *fn = in + 4, *sp = fn;
                while (sp < le && *sp != ' ')
                    sp++;
                copy_span(f->fn, sizeof f->fn, fn, sp);
                if (sp < le) {
                    const char *w = sp + 1, *bid = find(w, (size_t)(le - w), " (BuildId:");
                    copy_span(f->where, sizeof f->where, w, bid != NULL ? bid : le);
                } else {
                    f->where[0] = '\0';
                }
            }
        }
        p = le < end ? le + 1 : end;
    }
}

int sanitizer_report_read(const char *text, size_t len, struct sanitizer_info *info)
{
    const char *end = text + len, *sum;

    memset(info, 0, sizeof *info);
    if (text == NULL || len == 0 || !read_type(text, end, info))
        return 0;
    read_frames(text, end, info);
    sum = find(text, len, "SUMMARY: ");
    if (sum != NULL && line_start(text, sum) == sum) {
        const char *le = line_end(sum, end), *bid = find(sum, (size_t)(le - sum), " (BuildId:");
        copy_span(info->summary, sizeof info->summary, sum, bid != NULL ? bid : le);
    }
    return 1;
}

void sanitizer_report_key(const struct sanitizer_info *info, char *buf, size_t cap)
{
    const char *type = info->type[0] != '\0' ? info->type : "sanitizer";

    if (cap == 0)
        return;
    if (info->nframes > 0)
        snprintf(buf, cap, "%s in %s", type, info->frames[0].fn);
    else if (info->place[0] != '\0')
        snprintf(buf, cap, "%s in %s", type, info->place);
    else
        snprintf(buf, cap, "%s in ?", type);
}

/*
 * sanitizer_report - reading what a crashing program printed: a
 * sanitizer's report (ASan, LSan, UBSan, MSan, TSan) or libFuzzer's own
 * (timeout, out of memory, deadly signal), and the key findings are told
 * apart by (docs/contract.md "Crashes, hangs and memory").
 *
 * What it does:
 *   - sanitizer_scan_feed: watches a program's stderr as it arrives, in
 *     any split, for the first line that starts a report, and keeps the
 *     report from that line on (bounded);
 *   - sanitizer_report_read: reads a whole report (or a whole log holding
 *     one): which tool, which error type, the SUMMARY line and the frames
 *     of the first stack, the way llvm-symbolizer prints them;
 *   - sanitizer_report_key: "heap-buffer-overflow in foo", the key check
 *     deduplicates crashes by.
 * "smtpfuzz sanitizer-report FILE" prints the same reading for
 * scripts/report.sh, so the shell pipeline and check agree.
 *
 * What it never does: allocate, keep global state, run a symbolizer, or
 * read outside the buffer it is given. Everything is pure.
 */
#ifndef SANITIZER_REPORT_H
#define SANITIZER_REPORT_H

#include <stddef.h>

#define SANITIZER_REPORT_MAX 2048 /* octets of a report kept, from its first line */
#define SANITIZER_CARRY 40        /* octets kept between reads to find a marker split by a read */
#define SANITIZER_FRAMES 24       /* frames of the first stack kept */

/* Watching a stream for a report: zero-initialise. */
struct sanitizer_scan {
    int found;                         /* a report began */
    size_t report_len;                 /* octets in report */
    char report[SANITIZER_REPORT_MAX]; /* from the start of the marker's line */
    size_t carry_len;
    char carry[SANITIZER_CARRY];
};

/* One frame of a stack: "#0 0x4f5e in foo /src/x.c:12:3" -> fn "foo", where "/src/x.c:12:3". */
struct sanitizer_frame {
    char fn[96];
    char where[192];
};

/* What a report says; empty strings where it says nothing. */
struct sanitizer_info {
    char tool[32];     /* "AddressSanitizer", "UndefinedBehaviorSanitizer", ..., "libFuzzer" */
    char type[64];     /* "heap-buffer-overflow", "runtime-error", "memory-leak", "timeout", ... */
    char summary[256]; /* the "SUMMARY: ..." line, build ids dropped */
    char place[192];   /* UBSan: the "file:line:col" before "runtime error" */
    size_t nframes;
    struct sanitizer_frame frames[SANITIZER_FRAMES];
};

/* sanitizer_scan_feed - look at n more stderr octets; once a report began, keep its octets */
void sanitizer_scan_feed(struct sanitizer_scan *s, const char *buf, size_t n);

/* sanitizer_report_read - read text for a report into *info; 1 when one was found, else 0 */
int sanitizer_report_read(const char *text, size_t len, struct sanitizer_info *info);

/*
 * sanitizer_report_key - "TYPE in FUNCTION" from the first frame ("runtime-error in FILE:LINE"
 * for UBSan without a stack); writes a NUL-terminated string of at most cap octets
 */
void sanitizer_report_key(const struct sanitizer_info *info, char *buf, size_t cap);

/* sanitizer_signal_name - "SIGSEGV", or "signal N" for one without a name here; returns buf */
const char *sanitizer_signal_name(int sig, char *buf, size_t cap);

#endif

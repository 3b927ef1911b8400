/*
 * bench_tokenizer - speed of the command-line tokenizer against a memchr line scan.
 *
 * Generates a deterministic stream of realistic command lines (EHLO, MAIL,
 * RCPT, NOOP, HELP, DATA, unknown verbs, a few 8-bit and malformed lines;
 * about 32 octets per line), then times, interleaved and repeated in one
 * process:
 *
 *   memchr  one memchr per line (the yardstick; ratios are against it)
 *   bulk    an SSE2 64-octet LF bitmap scan (how fast finding LFs can be)
 *   simple  a naive split-and-match tokenizer written from docs/contract.md sections 1-2
 *           (tests/naive_line.c, also test_smtp_line's reference)
 *   scalar  smtp_line_feed_scalar (the portable path)
 *   simd    smtp_line_feed (the default path: SSE2 where available)
 *
 * Each tokenizer's line count and status/verb histogram must agree with
 * the others, or the run fails. Ratios are medians of per-round ratios,
 * so a slow round (the machine is shared) moves every variant alike.
 * --gate fails the run when the simd ratio is above the limit.
 * --callgrind runs a small stream once per variant: run it under
 * `valgrind --tool=callgrind` and read the inclusive cost of bench_run_*.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "naive_line.h"
#include "smtp_line.h"
#include "smtp_line_simd.h"

/* What one variant computed: enough to compare variants and keep the work alive. */
struct tally {
    uint64_t lines;
    uint64_t octets;
    uint64_t status[SMTP_LINE_STATUS_COUNT];
    uint64_t verb[SMTP_VERB_COUNT];
};

struct variant {
    const char *name;
    const char *what;
    void (*run)(const char *buf, size_t len, struct tally *t);
    int tokenizer; /* its histogram must match the other tokenizers' */
};

/* A splitmix64 step: the stream depends on the seed only. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* make_line - one realistic command line (terminator included) into out; returns its length */
static size_t make_line(char *out, size_t cap, uint64_t *rng)
{
    static const char *const hosts[] = {"mx1.mail.example.org", "smtp-out.example.com",
                                        "client-42.dyn.example.net", "[192.0.2.17]",
                                        "relay.internal.example"};
    static const char *const users[] = {"alice.liddell", "bob", "postmaster", "j.random.hacker",
                                        "noreply+bounce-1234"};
    static const char *const doms[] = {"example.org", "mail.example.com", "sub.example.net",
                                       "example.io"};
    uint64_t r = next_rand(rng);
    unsigned pick = (unsigned)(r % 1000);
    const char *h = hosts[(r >> 10) % 5], *u = users[(r >> 14) % 5], *d = doms[(r >> 18) % 4];
    unsigned num = (unsigned)(r >> 24) % 100000;
    int n;

    if (pick < 130)
        n = snprintf(out, cap, "EHLO %s\r\n", h);
    else if (pick < 330)
        n = snprintf(out, cap, "MAIL FROM:<%s@%s> SIZE=%u\r\n", u, d, num);
    else if (pick < 600)
        n = snprintf(out, cap, "RCPT TO:<%s%u@%s>\r\n", u, num % 100, d);
    else if (pick < 680)
        n = snprintf(out, cap, "NOOP\r\n");
    else if (pick < 720)
        n = snprintf(out, cap, "HELP\r\n");
    else if (pick < 750)
        n = snprintf(out, cap, "HELP %s\r\n", (r >> 40) & 1 ? "RCPT" : "mail");
    else if (pick < 800)
        n = snprintf(out, cap, "DATA\r\n");
    else if (pick < 820)
        n = snprintf(out, cap, "RSET\r\n");
    else if (pick < 835)
        n = snprintf(out, cap, "QUIT\r\n");
    else if (pick < 875)
        n = snprintf(out, cap, "mail from:<%s@%s>\r\n", u, d); /* lower case */
    else if (pick < 935)
        n = snprintf(out, cap, "XCLIENT ADDR=192.0.2.%u NAME=%s\r\n", num % 256, h);
    else if (pick < 960)
        n = snprintf(out, cap, "X-UNKNOWN-%u\r\n", num); /* bad verb */
    else if (pick < 985)
        n = snprintf(out, cap, "MAIL FROM:<j\xc3\xb6rg@\xe4\xbe\x8b.example> SMTPUTF8\r\n");
    else if (pick < 993)
        n = snprintf(out, cap, "NOOP\n"); /* bare LF */
    else if (pick < 997)
        n = snprintf(out, cap, "HELP\tme\r\n"); /* control */
    else
        n = snprintf(out, cap, "EHLO \xc0\xaf\r\n"); /* bad UTF-8 */
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* make_stream - size octets of whole lines (padded with NOOP lines), deterministic per seed */
static char *make_stream(size_t size, uint64_t seed, uint64_t *lines)
{
    char *buf = malloc(size);
    size_t off = 0;
    char line[256];

    if (buf == NULL)
        return NULL;
    *lines = 0;
    for (;;) {
        size_t n = make_line(line, sizeof line, &seed);

        if (n == 0 || n > size - off)
            break;
        memcpy(buf + off, line, n);
        off += n;
        ++*lines;
    }
    /* Fill the rest with short complete lines so the stream ends with an LF. */
    while (size - off >= 6) {
        memcpy(buf + off, "NOOP\r\n", 6);
        off += 6;
        ++*lines;
    }
    while (off < size) {
        memcpy(buf + off, "\n", 1);
        off++;
        ++*lines;
    }
    return buf;
}

/* bench_run_memchr - the yardstick: find each LF with one memchr call */
__attribute__((noinline)) static void bench_run_memchr(const char *buf, size_t len, struct tally *t)
{
    const char *p = buf, *end = buf + len;

    while (p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));

        if (lf == NULL)
            break;
        t->lines++;
        t->octets += (uint64_t)(lf + 1 - p);
        p = lf + 1;
    }
}

/* bench_run_bulk - LFs from a 64-octet SSE2 bitmap at a time (a lower bound for line finding) */
__attribute__((noinline)) static void bench_run_bulk(const char *buf, size_t len, struct tally *t)
{
    size_t i = 0, start = 0;

#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');

    for (; i + 64 <= len; i += 64) {
        const __m128i *q = (const __m128i *)(const void *)(buf + i);
        uint64_t m =
            (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q), nl)) |
            (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 1), nl))
                << 16 |
            (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 2), nl))
                << 32 |
            (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(q + 3), nl)) << 48;

        while (m != 0) {
            size_t at = i + (size_t)__builtin_ctzll(m);

            t->lines++;
            t->octets += at + 1 - start;
            start = at + 1;
            m &= m - 1;
        }
    }
#endif
    for (; i < len; i++) {
        if (buf[i] == '\n') {
            t->lines++;
            t->octets += i + 1 - start;
            start = i + 1;
        }
    }
}

/* bench_run_simple - split with memchr, then classify each line plainly */
__attribute__((noinline)) static void bench_run_simple(const char *buf, size_t len, struct tally *t)
{
    const char *p = buf, *end = buf + len;

    while (p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        enum smtp_verb verb;
        enum smtp_line_status s;

        if (lf == NULL)
            break;
        s = naive_line_classify((const unsigned char *)p, (size_t)(lf + 1 - p), &verb);
        t->lines++;
        t->octets += (uint64_t)(lf + 1 - p);
        t->status[s]++;
        t->verb[verb]++;
        p = lf + 1;
    }
}

typedef enum smtp_line_result (*feed_fn)(struct smtp_line *, const char *, size_t, size_t *,
                                         struct smtp_cmd *);

/*
 * run_feed - the whole buffer through one feed function, one line per call
 * (always inlined, so the call is direct, as in a real caller)
 */
__attribute__((always_inline)) static inline void run_feed(feed_fn feed, const char *buf,
                                                           size_t len, struct tally *t)
{
    struct smtp_line lp;
    size_t off = 0;

    memset(&lp, 0, sizeof lp);
    while (off < len) {
        struct smtp_cmd cmd;
        size_t used;

        if (feed(&lp, buf + off, len - off, &used, &cmd) == SMTP_LINE_READY) {
            t->lines++;
            t->octets += cmd.octets;
            t->status[cmd.status]++;
            t->verb[cmd.verb]++;
        }
        off += used;
    }
}

__attribute__((noinline)) static void bench_run_scalar(const char *buf, size_t len, struct tally *t)
{
    run_feed(smtp_line_feed_scalar, buf, len, t);
}

__attribute__((noinline)) static void bench_run_simd(const char *buf, size_t len, struct tally *t)
{
    run_feed(smtp_line_feed, buf, len, t);
}

static const struct variant variants[] = {
    {"memchr", "memchr per line (yardstick)", bench_run_memchr, 0},
    {"bulk", "SSE2 64-octet LF bitmap, no validation", bench_run_bulk, 0},
    {"simple", "naive split-and-match tokenizer", bench_run_simple, 1},
    {"scalar", "smtp_line_feed_scalar", bench_run_scalar, 1},
    {"simd", "smtp_line_feed (default path)", bench_run_simd, 1},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])
#define MAX_REPS 101

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_tokenizer [--size MIB] [--reps N] [--seed N] [--only NAME]\n"
            "                       [--gate [RATIO]] [--callgrind] [--help]\n"
            "\n"
            "Times the SMTP command-line tokenizer against a memchr line scan of the\n"
            "same deterministic stream, in one process, variants interleaved.\n"
            "\n"
            "  --size MIB     stream size in MiB (default 64)\n"
            "  --reps N       rounds; each runs every variant once (default 9, max %d)\n"
            "  --seed N       stream seed (default 1)\n"
            "  --only NAME    run only memchr and NAME (memchr bulk simple scalar simd)\n"
            "  --gate [R]     exit 1 when the simd/memchr time ratio is above R (1.5)\n"
            "  --callgrind    1 MiB stream, one round: for\n"
            "                   valgrind --tool=callgrind --dump-instr=no ./bench_tokenizer "
            "--callgrind\n"
            "                   callgrind_annotate --inclusive=yes callgrind.out.PID | grep "
            "bench_run_\n"
            "                 (instructions per octet = inclusive Ir / stream octets)\n"
            "\n"
            "Exit status: 0 ok, 1 gate failed, 2 usage or tokenizers disagree.\n",
            MAX_REPS);
}

int main(int argc, char **argv)
{
    size_t size_mib = 64, reps = 9, i, r, v;
    uint64_t seed = 1, lines;
    double gate = 0;
    int callgrind = 0, status = 0;
    const char *only = NULL;
    static double ns[NVARIANTS][MAX_REPS], ratio[NVARIANTS][MAX_REPS];
    struct tally tally[NVARIANTS];
    int ran[NVARIANTS];
    size_t len;
    char *buf;

    for (i = 1; i < (size_t)argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--size") == 0 && i + 1 < (size_t)argc) {
            size_mib = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--reps") == 0 && i + 1 < (size_t)argc) {
            reps = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--seed") == 0 && i + 1 < (size_t)argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(a, "--only") == 0 && i + 1 < (size_t)argc) {
            only = argv[++i];
        } else if (strcmp(a, "--gate") == 0) {
            gate = 1.5;
            if (i + 1 < (size_t)argc && argv[i + 1][0] != '-')
                gate = strtod(argv[++i], NULL);
        } else if (strcmp(a, "--callgrind") == 0) {
            callgrind = 1;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (callgrind) {
        size_mib = 1;
        reps = 1;
    }
    if (size_mib == 0 || size_mib > 4096 || reps == 0 || reps > MAX_REPS || gate < 0) {
        usage(stderr);
        return 2;
    }
    len = size_mib << 20;
    buf = make_stream(len, seed, &lines);
    if (buf == NULL) {
        fprintf(stderr, "bench_tokenizer: out of memory for %zu MiB\n", size_mib);
        return 2;
    }
    for (v = 0; v < NVARIANTS; v++)
        ran[v] = only == NULL || v == 0 || strcmp(only, variants[v].name) == 0;

    printf("stream: %zu MiB, %llu lines, %.1f octets/line; simd path: %s; %zu rounds\n", size_mib,
           (unsigned long long)lines, (double)len / (double)lines, smtp_line_simd_name(), reps);
    for (r = 0; r < reps; r++) {
        for (v = 0; v < NVARIANTS; v++) {
            /* Rotate the start so no variant always runs first (cache, frequency). */
            size_t k = (v + r) % NVARIANTS;
            double t0;

            if (!ran[k])
                continue;
            memset(&tally[k], 0, sizeof tally[k]);
            t0 = now_ns();
            variants[k].run(buf, len, &tally[k]);
            ns[k][r] = now_ns() - t0;
        }
        for (v = 0; v < NVARIANTS; v++)
            ratio[v][r] = ran[v] ? ns[v][r] / ns[0][r] : 0;
    }

    /* Every variant must have seen every line; every tokenizer the same verdicts. */
    for (v = 0; v < NVARIANTS; v++) {
        size_t w;

        if (!ran[v])
            continue;
        if (tally[v].lines != lines || tally[v].octets != len) {
            fprintf(stderr, "bench_tokenizer: %s saw %llu lines / %llu octets, want %llu / %zu\n",
                    variants[v].name, (unsigned long long)tally[v].lines,
                    (unsigned long long)tally[v].octets, (unsigned long long)lines, len);
            status = 2;
        }
        for (w = 0; w < v; w++) {
            if (ran[w] && variants[v].tokenizer && variants[w].tokenizer &&
                (memcmp(tally[v].status, tally[w].status, sizeof tally[v].status) != 0 ||
                 memcmp(tally[v].verb, tally[w].verb, sizeof tally[v].verb) != 0)) {
                fprintf(stderr, "bench_tokenizer: %s and %s disagree on verdicts\n",
                        variants[v].name, variants[w].name);
                status = 2;
            }
        }
    }
    for (v = 0; v < SMTP_LINE_STATUS_COUNT; v++) {
        size_t k = NVARIANTS - 1;

        if (ran[k] && tally[k].status[v] != 0)
            printf("  %-44s %10llu lines\n", smtp_line_status_name((enum smtp_line_status)v),
                   (unsigned long long)tally[k].status[v]);
    }

    printf("\n%-8s %10s %10s %9s %9s %15s  %s\n", "variant", "median ms", "MB/s", "ns/line",
           "ratio", "ratio min-max", "what");
    for (v = 0; v < NVARIANTS; v++) {
        double t, q, lo, hi;

        if (!ran[v])
            continue;
        t = median(ns[v], reps);
        q = median(ratio[v], reps); /* sorts: lo and hi are the ends */
        lo = ratio[v][0];
        hi = ratio[v][reps - 1];
        printf("%-8s %10.2f %10.0f %9.2f %9.2f %7.2f-%-7.2f  %s\n", variants[v].name, t / 1e6,
               (double)len / (t / 1e9) / 1e6, t / (double)lines, q, lo, hi, variants[v].what);
        if (gate > 0 && strcmp(variants[v].name, "simd") == 0 && q > gate) {
            fprintf(stderr, "bench_tokenizer: gate failed: simd ratio %.2f > %.2f\n", q, gate);
            if (status == 0)
                status = 1;
        }
    }
    free(buf);
    return status;
}

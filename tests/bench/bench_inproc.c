/*
 * bench_inproc - a fuzz target's cost per input on fixed inputs, with the
 * engine left out: scripts/bench.sh's "same inputs" column of table b.
 *
 * Usage: <target>_inproc SECONDS DIR...
 *
 * Loads every regular file directly in each DIR into memory once (every
 * read and allocation checked), then runs them through
 * LLVMFuzzerTestOneInput, in name order, pass after pass, until SECONDS
 * have passed (the clock is read after each pass, so at least one pass
 * runs). Each input is copied into a block of exactly its size first, as
 * the engines' adapters do. Prints "inputs/s: R (P passes of N inputs)".
 * Built from a target's replay sources (tests/bench/baselines.cmake), so
 * it carries the same instrumentation as that build.
 *
 * Exit status: 0 ran, 1 a file or folder could not be read, 2 usage.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The inputs, loaded once. */
struct inputs {
    uint8_t **data;
    size_t *len;
    size_t n, cap;
};

/* inproc_now - seconds on the monotonic clock */
static double inproc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* load_file - append one file's bytes; 0 or -1 */
static int load_file(struct inputs *in, const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    size_t size;

    if (fp == NULL || fstat(fileno(fp), &st) != 0 || st.st_size < 0) {
        if (fp != NULL)
            fclose(fp);
        return -1;
    }
    size = (size_t)st.st_size;
    buf = malloc(size > 0 ? size : 1);
    if (buf == NULL || (size > 0 && fread(buf, 1, size, fp) != size)) {
        free(buf);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 256;
        uint8_t **d = realloc(in->data, cap * sizeof *d);
        size_t *l;
        if (d == NULL) {
            free(buf);
            return -1;
        }
        in->data = d;
        l = realloc(in->len, cap * sizeof *l);
        if (l == NULL) {
            free(buf);
            return -1;
        }
        in->len = l;
        in->cap = cap;
    }
    in->data[in->n] = buf;
    in->len[in->n] = size;
    in->n++;
    return 0;
}

/* load_dir - every regular file directly in dir, in name order; 0 or -1 */
static int load_dir(struct inputs *in, const char *dir)
{
    struct dirent **names;
    char path[4096];
    int n = scandir(dir, &names, NULL, alphasort), k, rc = 0;

    if (n < 0)
        return -1;
    for (k = 0; k < n; k++) {
        struct stat st;
        if (rc == 0 && strcmp(names[k]->d_name, ".") != 0 && strcmp(names[k]->d_name, "..") != 0 &&
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, names[k]->d_name) < sizeof path &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = load_file(in, path);
        free(names[k]);
    }
    free(names);
    return rc;
}

/* main - load, then run passes until the time is up */
int main(int argc, char **argv)
{
    struct inputs in = {NULL, NULL, 0, 0};
    double seconds, t0, el;
    unsigned long passes = 0;
    size_t i;
    int a;

    if (argc < 3 || (seconds = strtod(argv[1], NULL)) <= 0) {
        fprintf(stderr, "usage: %s SECONDS DIR...\n", argv[0]);
        return 2;
    }
    for (a = 2; a < argc; a++) {
        if (load_dir(&in, argv[a]) != 0) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[a]);
            return 1;
        }
    }
    if (in.n == 0) {
        fprintf(stderr, "%s: no inputs\n", argv[0]);
        return 1;
    }
    t0 = inproc_now();
    do {
        for (i = 0; i < in.n; i++) {
            uint8_t *copy = malloc(in.len[i] > 0 ? in.len[i] : 1);
            if (copy == NULL) {
                fprintf(stderr, "%s: out of memory\n", argv[0]);
                return 1;
            }
            if (in.len[i] > 0)
                memcpy(copy, in.data[i], in.len[i]);
            (void)LLVMFuzzerTestOneInput(copy, in.len[i]);
            free(copy);
        }
        passes++;
        el = inproc_now() - t0;
    } while (el < seconds);
    printf("inputs/s: %.0f (%lu passes of %zu inputs)\n", (double)passes * (double)in.n / el,
           passes, in.n);
    for (i = 0; i < in.n; i++)
        free(in.data[i]);
    free(in.data);
    free(in.len);
    return 0;
}

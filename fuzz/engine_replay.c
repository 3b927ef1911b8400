/*
 * engine_replay - run saved inputs through a fuzz target's core without
 * any fuzzing engine, so corpora and regression files replay under any
 * compiler (gcc included) and in ctest (docs/contract.md section 9.6).
 *
 * Usage: <target>_replay [-v] PATH...
 *
 * Every PATH that is a file is one input; every PATH that is a directory
 * contributes its regular files (not recursing, in name order, hidden
 * files included). Each input is read whole into a buffer of exactly its
 * size (so ASan sees any over-read) and given to LLVMFuzzerTestOneInput
 * once. A violation aborts inside the core, as it would under an engine.
 * Arguments that look like libFuzzer flags ("-name=value") are ignored,
 * so the same command line works for both.
 *
 * Output: with -v, the name of each input on stderr before it runs (so a
 * crash names its file); always a one-line summary on stdout.
 * Exit status: 0 all inputs ran clean, 1 some path could not be read
 * (missing, unreadable, a read error, out of memory), 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct replay {
    const char *prog;
    int verbose;
    size_t inputs;   /* inputs run */
    uint64_t octets; /* their total size */
    size_t failures; /* paths that could not be read */
};

/* replay_fail - note a path that could not be used */
static void replay_fail(struct replay *rp, const char *path, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", rp->prog, path, what);
    rp->failures++;
}

/* replay_file - read one file whole and run it; every read and malloc is checked */
static void replay_file(struct replay *rp, const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    unsigned char *buf;
    size_t size, got;
    int extra;

    if (fp == NULL) {
        replay_fail(rp, path, strerror(errno));
        return;
    }
    if (fstat(fileno(fp), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX - 1) {
        replay_fail(rp, path, "cannot stat or too large");
        fclose(fp);
        return;
    }
    size = (size_t)st.st_size;
    /* Exactly size octets (at least 1, so malloc never returns a shared zero-size block). */
    buf = malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        replay_fail(rp, path, "out of memory");
        fclose(fp);
        return;
    }
    got = size > 0 ? fread(buf, 1, size, fp) : 0;
    extra = fgetc(fp); /* the file must not have grown since fstat */
    if (got != size || ferror(fp) || extra != EOF) {
        replay_fail(rp, path, ferror(fp) ? "read error" : "size changed while reading");
        free(buf);
        fclose(fp);
        return;
    }
    fclose(fp);
    if (rp->verbose) {
        fprintf(stderr, "%s: running %s (%zu octets)\n", rp->prog, path, size);
        fflush(stderr);
    }
    (void)LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    rp->inputs++;
    rp->octets += size;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_dir - every regular file directly in dir, in name order */
static void replay_dir(struct replay *rp, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL, **grown;
    size_t n = 0, cap = 0, i;

    if (d == NULL) {
        replay_fail(rp, dir, strerror(errno));
        return;
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(dir) + 1 + strlen(de->d_name) + 1;
        char *path;
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        path = malloc(len);
        if (path == NULL) {
            replay_fail(rp, dir, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path); /* subfolders and specials are not inputs */
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            grown = realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                free(path);
                replay_fail(rp, dir, "out of memory");
                break;
            }
            names = grown;
        }
        names[n++] = path;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, name_order);
    for (i = 0; i < n; i++) {
        replay_file(rp, names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    struct replay rp;
    int i, paths = 0;

    memset(&rp, 0, sizeof rp);
    rp.prog = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
    for (i = 1; i < argc; i++) {
        struct stat st;

        if (strcmp(argv[i], "-v") == 0) {
            rp.verbose = 1;
            continue;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("Usage: %s [-v] PATH...\nRuns every file, and every regular file of every "
                   "directory, through the fuzz target once.\n",
                   rp.prog);
            return 0;
        }
        if (argv[i][0] == '-' && strchr(argv[i], '=') != NULL)
            continue; /* a libFuzzer flag: meaningless here */
        if (argv[i][0] == '-') {
            fprintf(stderr, "%s: unknown option '%s' (usage: %s [-v] PATH...)\n", rp.prog, argv[i],
                    rp.prog);
            return 2;
        }
        paths++;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            replay_dir(&rp, argv[i]);
        else
            replay_file(&rp, argv[i]);
    }
    if (paths == 0) {
        fprintf(stderr, "usage: %s [-v] PATH...\n", rp.prog);
        return 2;
    }
    printf("%s: %zu inputs, %llu octets, clean; %zu unreadable\n", rp.prog, rp.inputs,
           (unsigned long long)rp.octets, rp.failures);
    return rp.failures > 0 ? 1 : 0;
}

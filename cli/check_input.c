/*
 * check_input - the sessions "smtpfuzz check" sends (contract in check.h):
 * the seeds it finds and loads, and one client stream per run, made from a
 * seed or the grammar, then mutated and sometimes crossed with another; or
 * a probe (fuzz/session_probe.h) aimed at arguments and input buffers. Some
 * sessions are sent in RFC 2920 groups, some are run again cut into pieces.
 *
 * Every run's seed derives from --seed and the run number, so a seed
 * replays the same sessions against the same target.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "session_gen.h"
#include "session_probe.h"
#include "session_report.h"
#include "smtp_mutator.h"
#include "splitmix.h"

/* Where the session seeds are when --corpus is not given, in this order: the installed ones
 * (CMake passes the path), the source tree this program was built from, the current folder. */
#ifndef SMTPFUZZ_INSTALLED_CORPUS
#define SMTPFUZZ_INSTALLED_CORPUS ""
#endif
#ifndef SMTPFUZZ_SOURCE_CORPUS
#define SMTPFUZZ_SOURCE_CORPUS ""
#endif
#define CHECK_CWD_CORPUS "corpus/fuzz_session"

const char *check_default_corpus(void)
{
    static const char *const places[] = {SMTPFUZZ_INSTALLED_CORPUS, SMTPFUZZ_SOURCE_CORPUS,
                                         CHECK_CWD_CORPUS};
    size_t k;

    for (k = 0; k < sizeof places / sizeof places[0]; k++) {
        struct stat st;
        if (places[k][0] != '\0' && stat(places[k], &st) == 0 && S_ISDIR(st.st_mode))
            return places[k];
    }
    return NULL;
}

int check_load_corpus(struct check_corpus *c, const char *dir)
{
    struct dirent **names;
    char path[CHECK_PATH_MAX];
    int n = scandir(dir, &names, NULL, alphasort), k; /* sorted: --seed means the same seeds */

    if (n < 0)
        return -1;
    for (k = 0; k < n; k++) {
        const char *name = names[k]->d_name;
        struct stat st;
        size_t len = 0;

        if (name[0] == '.' || c->n == CHECK_CORPUS_FILES ||
            (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
            continue;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
            (uint64_t)st.st_size > CHECK_INPUT_MAX ||
            (size_t)st.st_size > CHECK_CORPUS_BYTES - c->used)
            continue;
        if (session_read_file(path, c->arena + c->used, (size_t)st.st_size, &len) !=
            SESSION_FILE_OK)
            continue;
        c->off[c->n] = c->used;
        c->len[c->n] = len;
        c->used += len;
        c->n++;
    }
    for (k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return 0;
}

/* fill - the session itself: generated, a probe, a long line, or a seed mutated */
static void fill(struct check *ck, unsigned long i, uint64_t s)
{
    uint8_t *in = ck->input;
    size_t len, max = CHECK_INPUT_MAX;
    unsigned pick = (unsigned)(s % 16);
    struct check_corpus *c = ck->corpus;

    s = splitmix_mix(s);
    if (i == 0 || pick < 2) {
        /* plain grammar: the first run probes the target with a clean session */
        ck->kind = CHECK_KIND_GENERATED;
        ck->input_len = session_gen(in, max, s);
        return;
    }
    if (i % CHECK_LONG_EVERY == CHECK_LONG_EVERY / 2) {
        /* a line a server must not keep: what a growing command buffer shows on */
        ck->kind = CHECK_KIND_LONG_LINE;
        ck->input_len = session_probe_long_line(in, CHECK_SESSION_MAX, s, CHECK_LONG_LINE);
        return;
    }
    if (pick < 2 + CHECK_PROBE_IN_16) {
        ck->kind = CHECK_KIND_PROBE;
        len = session_probe(in, max, s);
        /* mostly sent as built: the probe's lengths and characters are the point */
        ck->input_len = (s >> 8) % 4 == 0 ? smtp_mutate(in, len, max, splitmix_mix(s + 2)) : len;
        return;
    }
    if (c->n > 0 && pick < 10) {
        size_t k = (size_t)(splitmix_mix(s) % c->n);
        ck->kind = CHECK_KIND_SEED;
        len = c->len[k];
        memcpy(in, c->arena + c->off[k], len);
    } else {
        ck->kind = CHECK_KIND_GENERATED;
        len = session_gen(in, max, s);
    }
    s = splitmix_mix(s + 1);
    if (s % 8 == 0) {
        /* crossover with a second input: another seed, or another grammar session */
        uint8_t *other = (uint8_t *)ck->sbuf; /* crossover scratch */
        size_t olen;
        if (c->n > 0 && (s >> 8) % 2 == 0) {
            size_t k = (size_t)(splitmix_mix(s) % c->n);
            olen = c->len[k];
            memcpy(other, c->arena + c->off[k], olen);
        } else {
            olen = session_gen(other, max, splitmix_mix(s ^ 0xabcdef));
        }
        /* out must not alias a: copy a to the other scratch first */
        memcpy(ck->cbuf, in, len);
        len = smtp_crossover((const uint8_t *)ck->cbuf, len, other, olen, in, max, s);
    }
    ck->input_len = smtp_mutate(in, len, max, splitmix_mix(s + 2));
}

void check_build_input(struct check *ck, unsigned long i)
{
    uint64_t s = splitmix_mix(ck->a.seed ^ splitmix_mix((uint64_t)i));

    fill(ck, i, s);
    ck->per_kind[ck->kind]++;
    ck->mode = ck->a.eo.mode;
    ck->ncuts = 0;
    if (i == 0 || ck->kind == CHECK_KIND_LONG_LINE)
        return; /* the first session stays plain; a long line is about memory */
    if (!ck->a.mode_given && splitmix_mix(s + 3) % CHECK_GROUPS_EVERY == 0) {
        ck->mode = EXT_GROUPS;
        ck->grouped++;
    }
    if (!ck->a.no_split && splitmix_mix(s + 4) % CHECK_SPLIT_EVERY == 0)
        ck->ncuts = session_split_cuts((const char *)ck->input, ck->input_len, splitmix_mix(s + 5),
                                       ck->cuts, SESSION_CUTS_MAX);
}

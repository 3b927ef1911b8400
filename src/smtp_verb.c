/*
 * smtp_verb - the one table of SMTP command verbs (docs/contract.md section 2).
 *
 * The table is generated from SMTP_VERB_LIST and indexed by enum smtp_verb,
 * so the enum, the names and the lookup cannot drift apart (docs/contract.md section 9.4).
 * Row SMTP_VERB_NONE is the "unknown" answer: the lookup loop starts after
 * it and falls back to it, and it is bounded by SMTP_VERB_COUNT, not by a
 * sentinel.
 */
#include "smtp_verb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * key is the name zero-padded to SMTP_VERB_MAX_LEN octets, so a candidate
 * is one 64-bit compare per row instead of a memcmp call: the lookup runs
 * once per command line, so it is on the hot path.
 */
struct verb_row {
    const char *name; /* upper case, as RFC 5321 spells it */
    size_t len;
    char key[SMTP_VERB_MAX_LEN + 1];
};

#define VERB_ROW_(name) [SMTP_VERB_##name] = {#name, sizeof(#name) - 1, #name},
static const struct verb_row verb_table[SMTP_VERB_COUNT] = {[SMTP_VERB_NONE] = {"", 0, ""},
                                                            SMTP_VERB_LIST(VERB_ROW_)};
#undef VERB_ROW_

/* The lookup folds into one 64-bit word of SMTP_VERB_MAX_LEN octets: every name must fit. */
_Static_assert(SMTP_VERB_MAX_LEN == sizeof(uint64_t), "keys are compared as one uint64_t");
#define VERB_FITS_(name)                                                                           \
    _Static_assert(sizeof(#name) - 1 <= SMTP_VERB_MAX_LEN, #name " exceeds SMTP_VERB_MAX_LEN");
SMTP_VERB_LIST(VERB_FITS_)
#undef VERB_FITS_

/* verb_require - a caller bug aborts, whatever NDEBUG says (docs/contract.md section 9.2) */
static void verb_require(int ok, const char *func, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s: caller bug: %s\n", func, what);
        abort();
    }
}

enum smtp_verb smtp_verb_lookup(const char *ptr, size_t len)
{
    char upper[SMTP_VERB_MAX_LEN] = {0};
    uint64_t want;
    size_t i;
    int v;

    verb_require(ptr != NULL || len == 0, "smtp_verb_lookup", "ptr is NULL");
    if (len == 0 || len > SMTP_VERB_MAX_LEN)
        return SMTP_VERB_NONE;
    /*
     * Fold only a..z: the names are upper-case letters, so any other octet
     * (digits, '@', '[', 8-bit bytes) keeps its value and cannot match. A
     * blanket "& 0xDF" would fold e.g. 0xF0 or '{' onto something else.
     */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)ptr[i];
        upper[i] = (char)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
    }
    memcpy(&want, upper, sizeof want);
    for (v = SMTP_VERB_NONE + 1; v < SMTP_VERB_COUNT; v++) {
        uint64_t key;

        /* The length test keeps "NOOP\0" from matching the zero padding of "NOOP". */
        memcpy(&key, verb_table[v].key, sizeof key);
        if (key == want && verb_table[v].len == len)
            return (enum smtp_verb)v;
    }
    return SMTP_VERB_NONE;
}

const char *smtp_verb_name(enum smtp_verb verb)
{
    /* The cast makes a negative (corrupt) value out of range too. */
    return (unsigned)verb < SMTP_VERB_COUNT ? verb_table[verb].name : "";
}

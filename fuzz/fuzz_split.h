/*
 * fuzz_split - the input-chosen split every fuzz target feeds its second
 * run with (docs/contract.md section 5: any split must give the same result).
 *
 * The split is derived from a hash of the whole input, so inputs stay raw
 * protocol bytes (a session corpus file is exactly what a client sends,
 * replayable by `smtpfuzz replay`) and still every input picks its own
 * split, reproducibly. One input in eight is fed one octet at a time; the
 * others in chunks of mostly 1..16 octets, sometimes up to 600, now and
 * then an empty one (zero-length feeds are legal input too).
 *
 * Header-only (static functions), no state outside the caller's struct.
 */
#ifndef FUZZ_SPLIT_H
#define FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "splitmix.h"

#define FUZZ_SPLIT_CHUNK_MAX 600 /* largest chunk, octets */

struct fuzz_split {
    uint64_t state;
    int bytewise;
};

/* fuzz_split_init - seed the split from the input itself (FNV-1a) */
static inline void fuzz_split_init(struct fuzz_split *s, const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325u;
    size_t i;

    for (i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3u;
    s->state = h;
    s->bytewise = (h >> 61) == 0;
}

/* fuzz_split_next - the size of the next chunk, at most left (0 only now and then) */
static inline size_t fuzz_split_next(struct fuzz_split *s, size_t left)
{
    uint64_t z;
    size_t n;

    if (s->bytewise)
        return left > 0 ? 1 : 0;
    z = splitmix_next(&s->state);
    if ((z & 31) == 0)
        n = 0;
    else if (z & 3)
        n = 1 + (size_t)(z >> 8) % 16;
    else
        n = 1 + (size_t)(z >> 8) % FUZZ_SPLIT_CHUNK_MAX;
    return n < left ? n : left;
}

#endif

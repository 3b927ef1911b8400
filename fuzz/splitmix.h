/*
 * splitmix - the one pseudo-random generator every part of smtpfuzz that
 * needs reproducible choices uses (session generator and probes, mutator,
 * engine glue, check's per-run seeds, split points): splitmix64, small,
 * fast, and the same stream for the same seed on every machine.
 *
 * What it never does: keep global state (the caller owns the 64-bit
 * state) or promise anything cryptographic.
 */
#ifndef SPLITMIX_H
#define SPLITMIX_H

#include <stddef.h>
#include <stdint.h>

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ULL

/* splitmix_finish - splitmix64's output function: the bits of z well spread */
static inline uint64_t splitmix_finish(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* splitmix_next - the next number of the stream whose state is *s */
static inline uint64_t splitmix_next(uint64_t *s)
{
    *s += SPLITMIX_GAMMA;
    return splitmix_finish(*s);
}

/* splitmix_mix - a seed derived from z (the first number of the stream that starts at z) */
static inline uint64_t splitmix_mix(uint64_t z)
{
    return splitmix_finish(z + SPLITMIX_GAMMA);
}

/* splitmix_below - a number in [0, n) from the stream *s (uniform enough); 0 when n is 0 */
static inline size_t splitmix_below(uint64_t *s, size_t n)
{
    return n == 0 ? 0 : (size_t)(splitmix_next(s) % n);
}

#endif

/* feed_split - deliver a buffer whole, byte by byte, or in random chunks */
#include "feed_split.h"

/* A splitmix64 step: tiny, deterministic, good enough to pick chunk sizes. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void feed_split(const char *buf, size_t len, enum feed_mode mode, uint64_t seed, feed_fn fn,
                void *ctx)
{
    size_t off = 0;

    if (mode == FEED_WHOLE) {
        fn(ctx, buf, len);
        return;
    }
    while (off < len) {
        size_t n = 1;
        if (mode == FEED_RANDOM) {
            /* Mostly short chunks, sometimes long ones, so both paths are hit. */
            uint64_t r = next_rand(&seed);
            n = (r & 3) ? (size_t)(r >> 8) % 17 : (size_t)(r >> 8) % 1200;
        }
        if (n > len - off)
            n = len - off;
        fn(ctx, buf + off, n); /* zero-length pieces are legal input too */
        off += n;
    }
}

const char *feed_mode_name(enum feed_mode mode)
{
    static const char *const names[FEED_MODE_COUNT] = {"whole", "bytes", "random"};
    return mode < FEED_MODE_COUNT ? names[mode] : "?";
}

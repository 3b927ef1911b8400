/*
 * feed_split - test helper: deliver a buffer to a consumer whole, one
 * byte at a time, or in pseudo-random chunks (deterministic per seed), so
 * every test can assert that splitting never changes the outcome
 * (docs/contract.md section 5, docs/contract.md section 9.5).
 */
#ifndef FEED_SPLIT_H
#define FEED_SPLIT_H

#include <stddef.h>
#include <stdint.h>

enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM, FEED_MODE_COUNT };

typedef void (*feed_fn)(void *ctx, const char *ptr, size_t len);

/* feed_split - call fn on consecutive pieces of buf that together make all of it */
void feed_split(const char *buf, size_t len, enum feed_mode mode, uint64_t seed, feed_fn fn,
                void *ctx);

/* feed_mode_name - "whole", "bytes" or "random" */
const char *feed_mode_name(enum feed_mode mode);

#endif

/*
 * session_split - rule r4 against external targets (docs/contract.md
 * section 7.4): a server must answer the same octets the same way however
 * its reads cut them. A split run writes the client stream in pieces, with
 * a pause after each cut so the target reads them apart; its replies are
 * then compared with those of the same stream written whole.
 *
 * What it compares: each reply's code and line count, and how many
 * replies there were; never reply text (queue ids, dates and counters
 * differ between any two runs of a real server).
 *
 * What it never does: allocate, keep state, or read past the buffers it
 * is given.
 */
#ifndef SESSION_SPLIT_H
#define SESSION_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#define SESSION_CUTS_MAX 12    /* cuts in one split run */
#define SESSION_CUT_PAUSE_MS 1 /* the pause after each, so the target reads the pieces apart */

/*
 * session_split_cuts - where to cut client[0..len) for seed: between the CR and the LF of
 * some lines and inside others; ascending, each in 1..len-1; returns how many (at most max)
 */
size_t session_split_cuts(const char *client, size_t len, uint64_t seed, size_t *cuts, size_t max);

/*
 * session_split_compare - 1 when the replies in split[0..split_len) differ from those in
 * whole[0..whole_len) by a code, a line count or their number, with what changed in why
 * ("<cause>; <where>": the cause names reply classes only, so it fingerprints the bug);
 * 0 when they agree
 */
int session_split_compare(const char *whole, size_t whole_len, const char *split, size_t split_len,
                          char *why, size_t cap);

#endif

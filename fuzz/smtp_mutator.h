/*
 * smtp_mutator - a structure-aware mutator for SMTP client streams, for
 * "smtpfuzz check" and, through thin hooks, libFuzzer's
 * LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver and AFL++'s
 * afl_custom_fuzz.
 *
 * What it does: treats its input as a sequence of lines (every LF ends
 * one) and applies one or more SMTP-minded mutations (the list below):
 * line insert/delete/duplicate/swap, verb swaps (the contract's verbs, near
 * misses and real-world extension verbs), case flips, growing a line to
 * the interesting lengths (509-514 octets on the wire around the 512 cap,
 * 998-1002 around the 1000-octet message line limit, or very long),
 * terminator changes (CR LF, LF, CR, CR CR LF, none), forbidden bytes
 * (NUL, HT, DEL, C0, 8-bit, invalid and overlong UTF-8), wrapping lines
 * into DATA or BDAT (right and wrong sizes), end-of-data variants and their
 * smuggling look-alikes, pipelined batches, dot stuffing, and plain byte
 * havoc. smtp_crossover splices lines of two inputs.
 *
 * What it never does: allocate, keep global or static mutable state, read
 * or write outside data[0..max_size) (out[0..max_out)), or return more than
 * max_size. The same (input, seed) always gives the same output.
 *
 * How it fails: it does not; a mutation that does not fit is skipped or
 * cut to fit. Caller bugs (NULL data with a non-zero size, size > max_size)
 * trip an always-on assert naming the function.
 */
#ifndef SMTP_MUTATOR_H
#define SMTP_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/* X(name, id): every mutation kind; ids are for statistics and tests. */
#define SMTP_MUT_LIST(X)                                                                           \
    X(SMTP_MUT_INSERT_LINE, "insert-line")                                                         \
    X(SMTP_MUT_DELETE_LINE, "delete-line")                                                         \
    X(SMTP_MUT_DUP_LINE, "duplicate-line")                                                         \
    X(SMTP_MUT_SWAP_LINES, "swap-lines")                                                           \
    X(SMTP_MUT_SWAP_VERB, "swap-verb")                                                             \
    X(SMTP_MUT_FLIP_CASE, "flip-case")                                                             \
    X(SMTP_MUT_GROW_LINE, "grow-line")                                                             \
    X(SMTP_MUT_TERMINATOR, "change-terminator")                                                    \
    X(SMTP_MUT_INJECT_BYTE, "inject-byte")                                                         \
    X(SMTP_MUT_WRAP_DATA, "wrap-data")                                                             \
    X(SMTP_MUT_WRAP_BDAT, "wrap-bdat")                                                             \
    X(SMTP_MUT_EOD_VARIANT, "end-of-data-variant")                                                 \
    X(SMTP_MUT_PIPELINE_BATCH, "pipeline-batch")                                                   \
    X(SMTP_MUT_DOT_STUFF, "dot-stuff")                                                             \
    X(SMTP_MUT_HAVOC, "byte-havoc")

#define SMTP_MUT_ENUM_(name, id) name,
enum smtp_mut_kind { SMTP_MUT_LIST(SMTP_MUT_ENUM_) SMTP_MUT_COUNT };
#undef SMTP_MUT_ENUM_

/*
 * smtp_mutate - apply 1 to 4 randomly chosen mutations to data[0..size)
 * in place; returns the new size (<= max_size)
 */
size_t smtp_mutate(uint8_t *data, size_t size, size_t max_size, uint64_t seed);

/*
 * smtp_mutate_kind - apply one mutation of the given kind; returns the new
 * size (<= max_size; size itself when the kind could not apply)
 */
size_t smtp_mutate_kind(uint8_t *data, size_t size, size_t max_size, uint64_t seed,
                        enum smtp_mut_kind kind);

/*
 * smtp_crossover - lines of a, then (at a line boundary) lines of b, then
 * possibly the rest of a, into out[0..max_out); returns the octets written
 */
size_t smtp_crossover(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out,
                      size_t max_out, uint64_t seed);

/* smtp_mut_kind_id - the id of a mutation kind ("wrap-bdat"); "invalid" when out of range */
const char *smtp_mut_kind_id(enum smtp_mut_kind kind);

#endif

/*
 * naive_line - docs/contract.md sections 1-2 written out plainly for one command line: a slow,
 * obviously correct classifier, kept apart from src/ on purpose.
 *
 * Two users, one definition: test_smtp_line compares the tokenizer with it
 * on random inputs (a reference that shares no code with what it checks),
 * and bench_tokenizer times it as the naive split-and-match tokenizer the
 * real one is measured against.
 */
#ifndef NAIVE_LINE_H
#define NAIVE_LINE_H

#include <stddef.h>

#include "smtp_line.h"

/* naive_line_classify - the status of line (p, n), LF included; *verb is set only for OK */
enum smtp_line_status naive_line_classify(const unsigned char *p, size_t n, enum smtp_verb *verb);

#endif

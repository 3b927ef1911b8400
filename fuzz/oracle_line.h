/*
 * oracle_line - the oracle's own reading of one client line: is it well
 * framed, which verb, is it a BDAT with a chunk size (docs/contract.md
 * "Lines" and "Verbs").
 *
 * What it does: classifies a line the plain way, one question per pass,
 * with its own verb list and its own UTF-8 decoder. It shares no code
 * with the library's tokenizer (src/smtp_line.c) or verb table
 * (src/smtp_verb.c): a judge that reused them would agree with their bugs.
 * oracle.h declares the public entry points (oracle_classify,
 * oracle_line_fault, oracle_line_judge); this header adds what the rest
 * of the judge needs: the verb itself and the BDAT size.
 *
 * What it never does: allocate, keep state, or read outside (line, len).
 */
#ifndef ORACLE_LINE_H
#define ORACLE_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

/* The recognised verbs (docs/contract.md "Verbs"); deliberately not src/smtp_verb.h's list. */
/* clang-format 14 reflows this macro differently on each run: keep it as written. */
/* clang-format off */
#define ORACLE_VERB_LIST(X) \
    X(HELO) X(EHLO) X(MAIL) X(RCPT) X(DATA) X(BDAT) X(RSET) \
    X(VRFY) X(EXPN) X(HELP) X(NOOP) X(QUIT) X(STARTTLS) X(AUTH)
/* clang-format on */

#define ORACLE_VERB_ENUM_(name) ORACLE_V_##name,
enum oracle_verb { ORACLE_V_NONE = -1, ORACLE_VERB_LIST(ORACLE_VERB_ENUM_) ORACLE_V_COUNT };
#undef ORACLE_VERB_ENUM_

/* BDAT sizes every reading reads as a chunk; longer ones are a server's choice. */
#define ORACLE_BDAT_DIGITS_MAX 9

/*
 * oracle_line_verb - why one line (terminator included) is malformed, or
 * ORACLE_FAULT_NONE; *verb is its recognised verb when well framed, else
 * ORACLE_V_NONE
 */
enum oracle_fault oracle_line_verb(const char *line, size_t len, enum oracle_verb *verb);

/*
 * oracle_content_verb - the fault and verb content[0..n) would have as a line ended by CR LF
 * (a bare-LF line as a server that takes LF for CR LF reads it)
 */
enum oracle_fault oracle_content_verb(const char *content, size_t n, enum oracle_verb *verb);

/*
 * oracle_first_word_verb - the recognised verb a lenient server reads: the leading letters,
 * ended by SP, HT, CR, LF, NUL or the end (so "NOOP<HT>x" is NOOP); ORACLE_V_NONE otherwise
 */
enum oracle_verb oracle_first_word_verb(const char *line, size_t len);

/*
 * oracle_first_word - octets of the line's first word as an EHLO keyword could spell it
 * (letters, digits, '-'), ended by SP, HT, CR, LF, NUL or the end; 0 when it is not one
 */
size_t oracle_first_word(const char *line, size_t len);

/* oracle_class_of - the class a line's fault and verb add up to */
enum oracle_class oracle_class_of(enum oracle_fault fault, enum oracle_verb verb);

/*
 * oracle_bdat_line - for a well-framed line, 1 with the chunk size (saturated at UINT64_MAX)
 * and its digit count when it is exactly "BDAT" SP 1*DIGIT [SP "LAST"] CR LF (any case), else 0
 */
int oracle_bdat_line(const char *line, size_t len, uint64_t *size, size_t *digits);

/*
 * oracle_bdat_lenient - a BDAT line oracle_bdat_line refuses whose argument starts with digits
 * anyway, after any white space ("BDAT 1804&x", "BDAT  5", a bare CR after the size): 1 with
 * the size those digits give, else 0
 */
int oracle_bdat_lenient(const char *line, size_t len, uint64_t *size, size_t *digits);

/* oracle_same_word - (p, n) spells word (upper case, n octets long) in any ASCII case */
int oracle_same_word(const char *p, size_t n, const char *word);

#endif

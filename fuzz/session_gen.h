/*
 * session_gen - a grammar-based generator of plausible SMTP client
 * sessions, the seeds "smtpfuzz check" mutates when it has no corpus (and
 * half the time when it has one).
 *
 * What it does: writes one session for a seed: an optional EHLO or HELO,
 * then 1 to 8 items (a mail transaction with 1-3 RCPT and a DATA message
 * (dot-stuffed where needed) or BDAT chunks with exact sizes; RSET, NOOP,
 * VRFY, EXPN, HELP with and without an argument, in either case; an
 * unknown verb), usually QUIT at the end. Every line is well framed (CR
 * LF, under 512 octets), so against a correct server a generated session
 * is clean: the findings come from the mutator.
 *
 * What it never does: allocate, keep state, or write past out[0..max).
 * Output that does not fit is cut (at any octet); the same seed always
 * gives the same session.
 */
#ifndef SESSION_GEN_H
#define SESSION_GEN_H

#include <stddef.h>
#include <stdint.h>

/* session_gen - one session for seed into out[0..max); returns its length */
size_t session_gen(uint8_t *out, size_t max, uint64_t seed);

#endif

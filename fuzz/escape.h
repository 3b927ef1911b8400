/*
 * escape - the one way untrusted bytes reach a log, a report or a
 * transcript: every byte outside printable ASCII (and the backslash) is
 * written as a C-style escape, and the output is cut at a width cap with a
 * note of how many octets were left out.
 *
 *   CR -> \r   LF -> \n   HT -> \t   '\' -> \\   '"' -> \"
 *   any other byte outside 0x20..0x7E -> \xHH
 *
 * Never allocates, has no static state, never writes past its buffer.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Octets escape_format needs for one input byte at most ("\xHH"). */
#define ESCAPE_MAX_PER_BYTE 4

/*
 * escape_format - write the escaped form of (in, len) into out[0..cap) as a
 * NUL-terminated string of at most width characters before the cut note
 * ("...(+N octets)"); returns the input octets represented (<= len)
 */
size_t escape_format(char *out, size_t cap, const char *in, size_t len, size_t width);

/* escape_print - escape_format to a stream, same width rule; returns the octets represented */
size_t escape_print(FILE *out, const char *in, size_t len, size_t width);

#endif

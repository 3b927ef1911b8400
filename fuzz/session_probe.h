/*
 * session_probe - client sessions aimed at how a server handles each
 * verb's argument and its input buffers, the bugs random mutation of
 * whole sessions rarely reaches (docs/contract.md section 7.4).
 *
 * What it does: session_probe writes one session for a seed: an EHLO
 * (usually), one to four probes, usually QUIT. A probe is one of
 *   argument  8 to 24 lines, each a verb (the contract's but QUIT, the
 *             extensions', an unknown one, in any case) with an argument
 *             shaped for it (a path for MAIL and RCPT, a name for HELO
 *             and EHLO, words otherwise) whose length, or whose line's length, sits at or next to a
 *             common buffer size (16, 64, 128, 255, 256, 512, 1000, 1024,
 *             4096 octets), with printable specials and escape or quote
 *             characters at its start, middle or end, or a keyword
 *             ("help", "?", "%s", a verb) as the whole argument;
 *   utf-8     a line of multi-octet UTF-8 whose length in octets is at or
 *             just past the 512-octet limit while its length in
 *             characters is far below it, sometimes with a character
 *             straddling octet 512;
 *   chunk 0   "BDAT 0" or "BDAT 0 LAST", inside a transaction or not,
 *             followed at once by a command whose reply tells it apart
 *             (an unknown verb, HELP, VRFY, another chunk);
 *   train     four to ten short commands of every verb back to back, for
 *             a runner that pipelines them.
 * session_probe_long_line writes an EHLO, one command line of a given
 * length (the memory probe: a server must not keep such a line) and QUIT.
 *
 * Every line but the probed ones is well framed; a probe line is CR LF
 * terminated and holds no control octet, so it is malformed only by its
 * length or its verb.
 *
 * What it never does: allocate, keep state, or write past out[0..max).
 * Output that does not fit is cut; the same seed gives the same session.
 */
#ifndef SESSION_PROBE_H
#define SESSION_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* session_probe - one probing session for seed into out[0..max); returns its length */
size_t session_probe(uint8_t *out, size_t max, uint64_t seed);

/*
 * session_probe_long_line - EHLO, one command line of line_octets octets (CR LF included) and
 * QUIT, into out[0..max); returns the length written
 */
size_t session_probe_long_line(uint8_t *out, size_t max, uint64_t seed, size_t line_octets);

#endif

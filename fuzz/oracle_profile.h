/*
 * oracle_profile - how strictly "smtpfuzz check" and "replay" judge a
 * session: the contract as written (strict), or RFC 5321's latitude (rfc).
 *
 * strict  oracle_check as it is (docs/contract.md sections 1-6).
 * rfc     the same rules, minus a documented list of tolerated deviations
 *         (ORACLE_TOL_LIST below): policy differences between correct
 *         servers, not bugs. Everything else stays a violation, notably:
 *         control bytes or any other malformation in a reply (r2), a
 *         missing or extra reply (r3), end of data anywhere but CR LF . CR
 *         LF (r5: smuggling), 214 to anything but HELP, 500 to an
 *         argument-less DATA, RSET, QUIT or NOOP, and r6.
 *
 * How rfc works: re-checking with a relaxed comparison. oracle_check finds
 * the first violation; when a tolerance covers it, the streams are
 * normalised at exactly that spot (copies in caller-provided scratch) and
 * checked again, until they pass or a violation no tolerance covers
 * remains. The normalisations:
 *   - a bare LF line end gets its CR back (the server read LF as CR LF);
 *   - a tolerated reply code is rewritten, on every line of the reply, to
 *     a code the strict rules accept (500, 214, 501, 502);
 *   - a BDAT the server did not recognise (500) is renamed XDAT, so the
 *     oracle reads no chunk after it, like the server;
 *   - after a 421 the client stream is cut: nothing more is sent or owed;
 *     a 421 that ends the reply stream after the input ran out (a server
 *     saying goodbye at end of input without QUIT) is dropped.
 * So the verdict and the offsets in it refer to the normalised streams,
 * which oracle_profile_check hands back for the transcript.
 *
 * What it never does: allocate, keep global state, or change the caller's
 * streams. How it fails: scratch too small for a normalisation means the
 * strict verdict stands (never a silent pass).
 */
#ifndef ORACLE_PROFILE_H
#define ORACLE_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "oracle.h"

/* X(name, id, text): the profiles. */
#define ORACLE_PROFILE_LIST(X)                                                                     \
    X(ORACLE_PROFILE_STRICT, "strict",                                                             \
      "the contract as written: 500 for every malformed line, "                                    \
      "214 for every HELP")                                                                        \
    X(ORACLE_PROFILE_RFC, "rfc",                                                                   \
      "RFC 5321 latitude: the strict rules minus the deviations "                                  \
      "listed as tolerated")

#define ORACLE_PROFILE_ENUM_(name, id, text) name,
enum oracle_profile { ORACLE_PROFILE_LIST(ORACLE_PROFILE_ENUM_) ORACLE_PROFILE_COUNT };
#undef ORACLE_PROFILE_ENUM_

/* X(name, id, rule, text): what the rfc profile tolerates, and which strict rule it relaxes. */
#define ORACLE_TOL_LIST(X)                                                                         \
    X(ORACLE_TOL_BARE_LF, "rfc-bare-lf-line-end", ORACLE_MALFORMED_NOT_500,                        \
      "a command line ended by a bare LF is answered as if it ended in CR LF (a framing "          \
      "policy; the line is then judged as the CR LF line)")                                        \
    X(ORACLE_TOL_HELP_211, "rfc-help-211", ORACLE_HELP_NOT_214,                                    \
      "HELP answered 211 (RFC 5321 4.2.2: \"System status, or system help reply\")")               \
    X(ORACLE_TOL_MALFORMED_5YZ, "rfc-malformed-any-5yz", ORACLE_MALFORMED_NOT_500,                 \
      "a malformed or unrecognised line answered with another 5yz (501, 502, 504, 550, ...)")      \
    X(ORACLE_TOL_500_BAD_ARG, "rfc-500-bad-argument", ORACLE_500_FOR_COMMAND,                      \
      "500 for HELO, EHLO, MAIL, RCPT or VRFY (whose argument may be unparseable), or for "        \
      "DATA, RSET or QUIT given an argument they do not take")                                     \
    X(ORACLE_TOL_500_EXTENSION, "rfc-500-unoffered-extension", ORACLE_500_FOR_COMMAND,             \
      "500 for BDAT, STARTTLS, AUTH or EXPN: a server without the extension does not "             \
      "recognise the verb (a BDAT answered 500 then reads no chunk)")                              \
    X(ORACLE_TOL_LONG_LINE, "rfc-long-line-accepted", ORACLE_MALFORMED_NOT_500,                    \
      "a command line over 512 octets answered as a command (RFC 5321 4.5.3.1: servers should "    \
      "avoid length limits), as long as it gets exactly one reply")                                \
    X(ORACLE_TOL_421, "rfc-421-closes", ORACLE_EXTRA_REPLY,                                        \
      "421 in answer to any line, or as the last reply when the input ends without QUIT "          \
      "(RFC 5321 3.8: the server closes the session); nothing may follow it")

#define ORACLE_TOL_ENUM_(name, id, rule, text) name,
enum oracle_tol { ORACLE_TOL_LIST(ORACLE_TOL_ENUM_) ORACLE_TOL_COUNT };
#undef ORACLE_TOL_ENUM_

#define ORACLE_PROFILE_FIXES_MAX 256 /* normalisations per session; client scratch: len + this */

/* The verdict under a profile, with the streams it refers to. */
struct oracle_profile_result {
    enum oracle_rule rule;
    struct oracle_verdict v; /* offsets into client/server below */
    const char *client;      /* the normalised client stream (the input itself under strict) */
    size_t client_len;
    const char *server; /* the normalised reply stream */
    size_t server_len;
    unsigned tolerated[ORACLE_TOL_COUNT]; /* how often each tolerance applied */
    size_t ntolerated;                    /* their sum */
};

/*
 * oracle_profile_check - oracle_check under profile p; cbuf (at least
 * client_len + ORACLE_PROFILE_FIXES_MAX octets) and sbuf (server_len) are
 * scratch for the normalised copies; fills *res and returns its rule
 */
enum oracle_rule oracle_profile_check(enum oracle_profile p, const char *client, size_t client_len,
                                      const char *server, size_t server_len, char *cbuf,
                                      size_t cbuf_cap, char *sbuf, size_t sbuf_cap,
                                      struct oracle_profile_result *res);

/* oracle_profile_parse - "strict" or "rfc" into *p; 1 on success, 0 when unknown */
int oracle_profile_parse(const char *name, enum oracle_profile *p);

/* oracle_profile_name - the name of a profile ("rfc") */
const char *oracle_profile_name(enum oracle_profile p);

/* oracle_tol_id - the stable id of a tolerance ("rfc-help-211") */
const char *oracle_tol_id(enum oracle_tol t);

/* oracle_profile_list_rules - print the rules profile p checks and what it tolerates */
void oracle_profile_list_rules(FILE *out, enum oracle_profile p);

#endif

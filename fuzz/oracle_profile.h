/*
 * oracle_profile - the profiles by name, and the verdict on a session
 * under one with the streams it refers to, for "smtpfuzz check" and
 * "replay" (docs/contract.md section 8).
 *
 * strict  the contract as written (sections 1-6).
 * rfc     what the RFCs require: the same rules minus a documented list
 *         of tolerated deviations (ORACLE_TOL_LIST in oracle.h): policy
 *         differences between correct servers, not bugs. Everything else
 *         stays a violation, notably: control bytes or any other
 *         malformation in a reply (r2), a missing or extra reply (r3), end
 *         of data anywhere but CR LF . CR LF (r5: smuggling), 214 to
 *         anything but HELP, 500 to an argument-less DATA, RSET, QUIT or
 *         NOOP, and r6.
 *
 * Both profiles follow every legal reading of the choices that move
 * framing (oracle_judge); the judging itself lives in oracle.c, the
 * tolerances' rules in oracle_tolerance.c.
 *
 * What it never does: allocate, keep global state, or change the caller's
 * streams.
 */
#ifndef ORACLE_PROFILE_H
#define ORACLE_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "oracle.h"

/* The verdict under a profile, with the streams it refers to. */
struct oracle_profile_result {
    enum oracle_rule rule;
    enum oracle_profile profile;
    int server_closed;       /* as judged: the server closed before the client did */
    struct oracle_verdict v; /* offsets into client/server below */
    const char *client;      /* the client stream judged (the caller's) */
    size_t client_len;
    const char *server; /* the reply stream judged (the caller's) */
    size_t server_len;
    struct oracle_judged judged; /* the reading that fitted, the tolerances used */
};

/* oracle_profile_check - oracle_judge as how says; fills *res and returns its rule */
enum oracle_rule oracle_profile_check(const struct oracle_judging *how, const char *client,
                                      size_t client_len, const char *server, size_t server_len,
                                      struct oracle_profile_result *res);

/* oracle_profile_transcript - the annotated transcript of res, paired as it was judged */
void oracle_profile_transcript(FILE *out, const struct oracle_profile_result *res);

/* oracle_reading_describe - one line of English on the choices reading r takes, into buf */
const char *oracle_reading_describe(const struct oracle_reading *r, char *buf, size_t cap);

/* oracle_profile_parse - "strict" or "rfc" into *p; 1 on success, 0 when unknown */
int oracle_profile_parse(const char *name, enum oracle_profile *p);

/* oracle_profile_list_rules - print the rules profile p checks and what it tolerates */
void oracle_profile_list_rules(FILE *out, enum oracle_profile p);

#endif

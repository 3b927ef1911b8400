/*
 * oracle_tolerance - which reply codes rule 1 accepts for a client line,
 * under each profile (docs/contract.md sections 3 and 8).
 *
 * What it does: given what the walk knows about a line (its fault and
 * class, the verb a lenient server would read, whether its first word is
 * an EHLO keyword the server offered, whether CHUNKING was offered) and
 * the code of its reply, says whether the reply breaks rule 1, and which
 * tolerance of profile rfc let it pass when the strict rule would not.
 *
 * What it never does: look at anything but the line and the code, keep
 * state, or allocate. Replies that close the session (421) and the reply
 * grammar (r2) are the walk's business, not this file's.
 */
#ifndef ORACLE_TOLERANCE_H
#define ORACLE_TOLERANCE_H

#include <stddef.h>

#include "oracle.h"

/* What rule 1 needs to know about one command line. */
struct oracle_line_facts {
    const char *line; /* the line, terminator included */
    size_t len;
    enum oracle_fault fault; /* as oracle_line_fault() */
    enum oracle_class cls;   /* as oracle_classify() */
    int offered_verb;        /* its first word is a keyword of the server's EHLO reply */
    int chunking_offered;    /* the server's EHLO reply listed CHUNKING */
};

#define ORACLE_TOL_NONE (-1) /* no tolerance was needed (or none applies) */

/*
 * oracle_rule1 - ORACLE_OK when a reply with code answers the line as profile p allows, else
 * the rule 1 violation; *tol is the tolerance that let it pass, or ORACLE_TOL_NONE
 */
enum oracle_rule oracle_rule1(enum oracle_profile p, const struct oracle_line_facts *f,
                              unsigned code, int *tol);

#endif

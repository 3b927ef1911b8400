/*
 * oracle_tolerance - rule 1 under each profile (contract in
 * oracle_tolerance.h).
 *
 * The strict rule is the contract's table (section 3.1). Profile rfc then
 * asks, of a reply the strict rule refuses, whether an RFC lets a correct
 * server send it (section 8.4): each "yes" names the tolerance, so the
 * summary can say how often a server leaned on which latitude.
 */
#include "oracle_tolerance.h"

#include <stdint.h>

#include "oracle_line.h"

/* strict_rule - the contract's rule 1 for a reply with code to a line of class cls */
static enum oracle_rule strict_rule(enum oracle_class cls, unsigned code)
{
    if (cls == ORACLE_LINE_MALFORMED && code != 500)
        return ORACLE_MALFORMED_NOT_500;
    if (cls == ORACLE_LINE_HELP && code != 214)
        return ORACLE_HELP_NOT_214;
    if (cls == ORACLE_LINE_COMMAND && code == 500)
        return ORACLE_500_FOR_COMMAND;
    if (cls == ORACLE_LINE_COMMAND && code == 214)
        return ORACLE_214_NOT_HELP;
    return ORACLE_OK;
}

/* has_argument - the line's content goes on after its verb */
static int has_argument(const char *line, size_t len)
{
    size_t content = len, v = 0;

    while (content > 0 && (line[content - 1] == '\n' || line[content - 1] == '\r'))
        content--;
    while (v < content && line[v] != ' ')
        v++;
    return v < content;
}

/* five_hundred - rfc: may a correct server answer this recognised command 500? */
static int five_hundred(const struct oracle_line_facts *f, enum oracle_verb verb, int *tol)
{
    switch (verb) {
    case ORACLE_V_BDAT: {
        uint64_t size;
        size_t digits;
        if (!oracle_bdat_line(f->line, f->len, &size, &digits)) {
            *tol = ORACLE_TOL_500_BAD_ARG; /* a size RFC 3030's grammar does not allow */
            return 1;
        }
        /* RFC 3030 2: a server that did not offer CHUNKING does not know BDAT */
        *tol = ORACLE_TOL_500_EXTENSION;
        return !f->chunking_offered;
    }
    case ORACLE_V_STARTTLS:
    case ORACLE_V_AUTH:
        *tol = ORACLE_TOL_500_EXTENSION;
        return !f->offered_verb; /* RFC 3207, RFC 4954: extensions the server need not have */
    case ORACLE_V_EXPN:
        *tol = ORACLE_TOL_500_EXTENSION; /* RFC 5321 4.5.1: EXPN is not required */
        return 1;
    case ORACLE_V_HELO:
    case ORACLE_V_EHLO:
    case ORACLE_V_MAIL:
    case ORACLE_V_RCPT:
    case ORACLE_V_VRFY:
        *tol = ORACLE_TOL_500_BAD_ARG; /* an argument the server cannot parse at all */
        return 1;
    case ORACLE_V_DATA:
    case ORACLE_V_RSET:
    case ORACLE_V_QUIT:
        *tol = ORACLE_TOL_500_BAD_ARG; /* RFC 5321 4.1.1: these take no argument */
        return has_argument(f->line, f->len);
    default:
        return 0; /* NOOP, HELP: nothing a correct server could object to */
    }
}

/* registered - the line's first word is an SMTP verb of the registry the contract leaves out */
static int registered(const char *line, size_t len)
{
    static const char *const verbs[] = {"TURN", "SEND", "SOML", "SAML", "ETRN", "ATRN", "BURL"};
    size_t v, i;

    if (len < 5 || (line[4] != ' ' && line[4] != '\r'))
        return 0;
    for (v = 0; v < sizeof verbs / sizeof verbs[0]; v++) {
        i = 0;
        while (i < 4 && (line[i] & ~0x20) == verbs[v][i]) /* letters in either case */
            i++;
        if (i == 4)
            return 1;
    }
    return 0;
}

/* malformed - rfc: may a correct server answer this malformed line with code? */
static enum oracle_rule malformed(const struct oracle_line_facts *f, unsigned code, int *tol)
{
    enum oracle_verb lenient = oracle_first_word_verb(f->line, f->len);

    if (code == 214 && lenient != ORACLE_V_HELP)
        return ORACLE_MALFORMED_NOT_500; /* 214 answers HELP only, under every profile */
    if (f->fault == ORACLE_FAULT_BARE_LF && f->len > 0 && f->line[f->len - 1] == '\n') {
        /* Answered as if the LF were CR LF: judge the line that server read. */
        struct oracle_line_facts crlf = *f;
        enum oracle_verb verb = ORACLE_V_NONE;
        enum oracle_rule rule;
        int t = ORACLE_TOL_NONE;

        crlf.fault = oracle_content_verb(f->line, f->len - 1, &verb);
        crlf.cls = oracle_class_of(crlf.fault, verb);
        crlf.len = f->len - 1; /* content only: has_argument and the lenient verb stop there */
        rule = oracle_rule1(ORACLE_PROFILE_RFC, &crlf, code, &t);
        *tol = ORACLE_TOL_BARE_LF;
        return rule;
    }
    if (f->fault == ORACLE_FAULT_TOO_LONG) {
        *tol = ORACLE_TOL_LONG_LINE;
        return ORACLE_OK;
    }
    if (lenient == ORACLE_V_HELP) {
        /* HELP with a malformed argument: the HELP latitude, or a refusal of the line */
        *tol = code == 211 ? ORACLE_TOL_HELP_211 : ORACLE_TOL_LENIENT_ARGUMENT;
        return code == 214 || code == 211 || (code / 100 == 5 && code != 503) ? ORACLE_OK
                                                                              : ORACLE_HELP_NOT_214;
    }
    if (lenient != ORACLE_V_NONE) {
        *tol = ORACLE_TOL_LENIENT_ARGUMENT;
        return ORACLE_OK;
    }
    if (f->offered_verb) {
        *tol = ORACLE_TOL_OFFERED_VERB;
        return ORACLE_OK;
    }
    if (f->fault == ORACLE_FAULT_UNKNOWN_VERB && registered(f->line, f->len)) {
        *tol = ORACLE_TOL_REGISTERED_VERB;
        return ORACLE_OK;
    }
    if (code / 100 == 5) {
        *tol = ORACLE_TOL_MALFORMED_5YZ;
        return ORACLE_OK;
    }
    return ORACLE_MALFORMED_NOT_500;
}

enum oracle_rule oracle_rule1(enum oracle_profile p, const struct oracle_line_facts *f,
                              unsigned code, int *tol)
{
    enum oracle_rule rule = strict_rule(f->cls, code);
    enum oracle_verb verb = ORACLE_V_NONE;

    *tol = ORACLE_TOL_NONE;
    if (rule == ORACLE_OK || p != ORACLE_PROFILE_RFC)
        return rule;
    switch (rule) {
    case ORACLE_MALFORMED_NOT_500:
        return malformed(f, code, tol);
    case ORACLE_HELP_NOT_214:
        /* RFC 5321 4.2.2 names 211; 4.5.1 leaves HELP out of the minimum; 4.1.1.8 "MAY" */
        if (code == 211) {
            *tol = ORACLE_TOL_HELP_211;
            return ORACLE_OK;
        }
        if (code / 100 == 5 && code != 503) { /* 4.1.4: HELP "can be used at any time" */
            *tol = ORACLE_TOL_HELP_REFUSED;
            return ORACLE_OK;
        }
        return rule;
    case ORACLE_500_FOR_COMMAND:
        verb =
            oracle_first_word_verb(f->line, f->len); /* a command: its verb, as the walk read it */
        if (five_hundred(f, verb, tol))
            return ORACLE_OK;
        *tol = ORACLE_TOL_NONE;
        return rule;
    default:
        return rule; /* 214 for anything but HELP, under every profile */
    }
}

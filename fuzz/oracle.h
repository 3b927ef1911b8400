/*
 * oracle - the independent judge of an SMTP session (SPEC section 6).
 *
 * What it does: given the whole client byte stream and the whole reply
 * stream a target produced for it, classifies every client line with its
 * own plain classifier (SPEC sections 1-3; it shares no framing or verb
 * code with src/smtp_line.c or src/smtp_verb.c), reads the replies with
 * the reply parser (src/smtp_reply_parse.h), and checks the rules:
 *
 *   1. malformed line -> one reply, 500; HELP -> one reply, 214; 500 never
 *      for a well-framed recognised command, 214 only for HELP;
 *   2. every reply well formed (SPEC section 4);
 *   3. one reply per command line, in order; none for an unterminated tail;
 *   4. split invariance (checked by the drivers, which compare two runs);
 *   5. end of data only at CR LF . CR LF;
 *   6. crashes, hangs and memory are the engines' and drivers' business.
 *
 * Session awareness: the greeting is the first reply; a DATA line answered
 * 3yz switches to message text up to CR LF . CR LF (whose end gets one
 * reply); a syntactically valid "BDAT <1-9 digits> [LAST]" line is
 * followed by exactly that many octets of chunk data, whatever its reply;
 * a 221 or 421 reply ends the session (nothing may follow).
 *
 * What it never does: allocate per line beyond its bounded working state,
 * keep global mutable state, or abort by itself (oracle_fail does that).
 */
#ifndef ORACLE_H
#define ORACLE_H

#include <stddef.h>
#include <stdio.h>

/* X(name, id, text): every rule the oracle can report; id is stable, for file names and SARIF. */
#define ORACLE_RULE_LIST(X)                                                                        \
    X(ORACLE_OK, "ok", "no violation")                                                             \
    X(ORACLE_MALFORMED_NOT_500, "r1-malformed-not-500", "malformed line not answered with 500")    \
    X(ORACLE_HELP_NOT_214, "r1-help-not-214", "HELP not answered with 214")                        \
    X(ORACLE_500_FOR_COMMAND, "r1-500-for-command",                                                \
      "500 sent for a well-framed line with a recognised verb")                                    \
    X(ORACLE_214_NOT_HELP, "r1-214-not-help", "214 sent in answer to something other than HELP")  \
    X(ORACLE_BAD_REPLY, "r2-bad-reply", "reply not well formed")                                   \
    X(ORACLE_MISSING_REPLY, "r3-missing-reply", "a command line got no reply")                     \
    X(ORACLE_EXTRA_REPLY, "r3-extra-reply", "a reply that answers no line")                        \
    X(ORACLE_SPLIT_CHANGED, "r4-split-changed", "feeding the bytes in another split changed the replies") \
    X(ORACLE_DATA_END, "r5-data-end", "message data ended other than at CR LF . CR LF")            \
    X(ORACLE_CRASH, "r6-crash", "the target crashed or a sanitizer reported")                      \
    X(ORACLE_HANG, "r6-hang", "the target stopped answering")                                      \
    X(ORACLE_MEMORY, "r6-memory", "the target's memory grew past the limit")

#define ORACLE_RULE_ENUM_(name, id, text) name,
enum oracle_rule { ORACLE_RULE_LIST(ORACLE_RULE_ENUM_) ORACLE_RULE_COUNT };
#undef ORACLE_RULE_ENUM_

/* How a client line is classified (SPEC sections 1-3). */
enum oracle_class {
    ORACLE_LINE_MALFORMED, /* must get 500 */
    ORACLE_LINE_HELP,      /* must get 214 */
    ORACLE_LINE_COMMAND    /* well framed, recognised verb other than HELP: neither 500 nor 214 */
};

/* A violation: which rule, where in the client stream, which reply. */
struct oracle_verdict {
    enum oracle_rule rule;
    size_t line_off, line_len;   /* the offending client line (len 0 when none) */
    size_t reply_off, reply_len; /* the offending reply in the server stream (len 0 when none) */
    char detail[256];            /* one line of English, escaped */
};

/* oracle_classify - classify one client line (terminator included) */
enum oracle_class oracle_classify(const char *line, size_t len);

/*
 * oracle_check - check a whole session; ORACLE_OK or the first violation,
 * described in *v
 */
enum oracle_rule oracle_check(const char *client, size_t client_len, const char *server,
                              size_t server_len, struct oracle_verdict *v);

/*
 * oracle_transcript - print the annotated transcript of a session to out:
 * each client line (escaped), the reply or replies it got, the oracle's
 * verdict on it
 */
void oracle_transcript(FILE *out, const char *client, size_t client_len, const char *server,
                       size_t server_len);

/* oracle_report - print a violation to stderr: rule, offending line and reply, escaped */
void oracle_report(const struct oracle_verdict *v, const char *client, const char *server);

/* oracle_fail - oracle_report, then abort() so every engine records a crash */
_Noreturn void oracle_fail(const struct oracle_verdict *v, const char *client, const char *server);

/* oracle_rule_id - the stable id of a rule ("r1-help-not-214") */
const char *oracle_rule_id(enum oracle_rule rule);

/* oracle_rule_text - one line of English describing a rule */
const char *oracle_rule_text(enum oracle_rule rule);

#endif

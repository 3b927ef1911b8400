/*
 * smtp_verb - the one table of SMTP command verbs (docs/contract.md section 2).
 *
 * The verb is the content of a command line up to its first SP. It is
 * 1 or more ASCII letters, matched without regard to case. The table below
 * is the single source of the enum, the canonical names and the lookup; no
 * other file repeats it.
 *
 * Never allocates, has no mutable state, never reads past (ptr, len).
 */
#ifndef SMTP_VERB_H
#define SMTP_VERB_H

#include <stddef.h>

/* X(name): every recognised verb, in the order RFC 5321 4.1 lists them. */
#define SMTP_VERB_LIST(X)                                                                          \
    X(HELO)                                                                                        \
    X(EHLO)                                                                                        \
    X(MAIL)                                                                                        \
    X(RCPT)                                                                                        \
    X(DATA)                                                                                        \
    X(BDAT)                                                                                        \
    X(RSET)                                                                                        \
    X(VRFY)                                                                                        \
    X(EXPN)                                                                                        \
    X(HELP)                                                                                        \
    X(NOOP)                                                                                        \
    X(QUIT)                                                                                        \
    X(STARTTLS)                                                                                    \
    X(AUTH)

#define SMTP_VERB_ENUM_(name) SMTP_VERB_##name,
enum smtp_verb {
    SMTP_VERB_NONE = 0, /* not a recognised verb (malformed or unknown) */
    SMTP_VERB_LIST(SMTP_VERB_ENUM_) SMTP_VERB_COUNT
};
#undef SMTP_VERB_ENUM_

/* The longest recognised verb (STARTTLS), so callers can size look-ahead. */
#define SMTP_VERB_MAX_LEN 8

/* smtp_verb_lookup - the verb spelled by (ptr, len) in any case, or SMTP_VERB_NONE */
enum smtp_verb smtp_verb_lookup(const char *ptr, size_t len);

/* smtp_verb_name - the upper-case name of a verb; "" for SMTP_VERB_NONE or out of range */
const char *smtp_verb_name(enum smtp_verb verb);

#endif

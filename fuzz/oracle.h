/*
 * oracle - the independent judge of an SMTP session (docs/contract.md section 6).
 *
 * What it does: given the whole client byte stream and the whole reply
 * stream a target produced for it, classifies every client line with its
 * own plain classifier (docs/contract.md sections 1-3; it shares no framing or verb
 * code with src/smtp_line.c or src/smtp_verb.c), reads the replies with
 * the reply parser (src/smtp_reply_parse.h), and checks the rules:
 *
 *   1. malformed line -> one reply, 500; HELP -> one reply, 214; 500 never
 *      for a well-framed recognised command, 214 only for HELP;
 *   2. every reply well formed (docs/contract.md section 4);
 *   3. one reply per command line, in order; none for an unterminated tail;
 *   4. split invariance (checked by the drivers, which compare two runs);
 *   5. end of data only at CR LF . CR LF;
 *   6. crashes, hangs and memory are the engines' and drivers' business.
 *
 * Session awareness (how replies are paired with lines):
 *
 *   - Greeting: the first reply. It must be well formed (r2), not 214
 *     (r1-214-not-help) and not 500 (r1-500-for-command: 500 answers only
 *     malformed lines, none was sent yet); any other code is tolerated. A
 *     421 greeting ends the session (nothing may follow); after a 554
 *     greeting the server only waits for QUIT (RFC 5321 3.1), so the rest
 *     is not paired or checked. No greeting at all is r3-missing-reply.
 *   - Command mode: every LF-ended line gets exactly one reply, checked
 *     against its class (malformed -> 500, HELP -> 214, a recognised
 *     command -> neither). Bytes after the last LF get none.
 *   - 221 or 421 in answer to a command line (or to the end of data) ends
 *     the session: later lines are owed nothing, any further reply is
 *     r3-extra-reply. A 421 to a malformed line or to HELP is still r1.
 *   - DATA: a well-framed DATA line answered 3yz starts message text, up to
 *     and including the first CR LF . CR LF, the DATA line's own CR LF
 *     counting as the first CR LF. The end of data gets exactly one reply,
 *     well formed, and neither 500 nor 214 (those answer command lines: the
 *     server took the "." line for one); a wrong or missing one is r5. A
 *     stream that ends inside the text owes no reply for its end.
 *   - BDAT: a well-framed line that is exactly "BDAT" SP 1*9DIGIT [SP
 *     "LAST"] (any case, single SPs, nothing else) is followed by exactly
 *     that many chunk octets, whatever its reply (250, 503, ...). Any other
 *     BDAT line (more digits, extra SPs, trailing text) reads no chunk. A
 *     chunk cut short by the end of the stream makes the BDAT's reply
 *     optional (the server may still be waiting for the octets).
 *   - AUTH answered 334: the next line is an AUTH response (RFC 4954),
 *     owed one reply of any code. STARTTLS answered 2yz: TLS follows, the
 *     rest is not paired or checked. (The reference offers neither.)
 *   - Rule 5 also covers smuggling found through the replies: when the
 *     walk fails (r1 or r3) and some message text held an end-of-data
 *     look-alike (LF . LF, LF . CR LF, CR LF . LF, CR . CR, CR . CR LF,
 *     CR LF . CR, any CR/LF mix), the session is walked again as if the
 *     server also ended data at that look-alike; if the replies then fit
 *     exactly, the verdict is r5 and names it. An r3 found right after such
 *     a message (its end, the first line after it, or the end of the
 *     stream) is r5 too. An r1 alone is not, so an unrelated bug right after
 *     a message is not reported as smuggling.
 *
 * Verdicts name the first violation only, with the offsets of the client
 * line (or message text, or look-alike) and of the reply involved.
 *
 * Profiles (docs/contract.md section 8): strict holds a server to the
 * contract; rfc to what the RFCs require, tolerating the deviations of
 * ORACLE_TOL_LIST. Both follow every legal reading of the choices that move
 * framing (a BDAT size of 10+ digits read or refused, a BDAT refused when
 * CHUNKING was not offered, and under rfc a bare LF not taken as a line
 * end), each kept for the whole session.
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
    X(ORACLE_214_NOT_HELP, "r1-214-not-help", "214 sent in answer to something other than HELP")   \
    X(ORACLE_BAD_REPLY, "r2-bad-reply", "reply not well formed")                                   \
    X(ORACLE_MISSING_REPLY, "r3-missing-reply", "a command line got no reply")                     \
    X(ORACLE_EXTRA_REPLY, "r3-extra-reply", "a reply that answers no line")                        \
    X(ORACLE_SPLIT_CHANGED, "r4-split-changed",                                                    \
      "feeding the bytes in another split changed the replies")                                    \
    X(ORACLE_DATA_END, "r5-data-end", "message data ended other than at CR LF . CR LF")            \
    X(ORACLE_CRASH, "r6-crash", "the target crashed or a sanitizer reported")                      \
    X(ORACLE_HANG, "r6-hang", "the target stopped answering")                                      \
    X(ORACLE_MEMORY, "r6-memory", "the target's memory grew past the limit")

#define ORACLE_RULE_ENUM_(name, id, text) name,
enum oracle_rule { ORACLE_RULE_LIST(ORACLE_RULE_ENUM_) ORACLE_RULE_COUNT };
#undef ORACLE_RULE_ENUM_

/* How a client line is classified (docs/contract.md sections 1-3). */
enum oracle_class {
    ORACLE_LINE_MALFORMED, /* must get 500 */
    ORACLE_LINE_HELP,      /* must get 214 */
    ORACLE_LINE_COMMAND    /* well framed, recognised verb other than HELP: neither 500 nor 214 */
};

/*
 * X(name, text): why a line is malformed, as the oracle sees it. When
 * several apply, the first in this list wins (the same precedence docs/contract.md
 * sections 1-2 imply and src/smtp_line.h documents, so fuzz_line can
 * compare reasons too). A buffer that does not end in LF at all (an
 * unterminated tail) is reported as ORACLE_FAULT_BARE_LF: it is not CR LF
 * terminated.
 */
#define ORACLE_FAULT_LIST(X)                                                                       \
    X(ORACLE_FAULT_NONE, "well framed, recognised verb")                                           \
    X(ORACLE_FAULT_TOO_LONG, "longer than 512 octets")                                             \
    X(ORACLE_FAULT_BARE_LF, "not ended by CR LF")                                                  \
    X(ORACLE_FAULT_BARE_CR, "bare CR")                                                             \
    X(ORACLE_FAULT_CTRL, "control byte (NUL, HT, other C0, DEL)")                                  \
    X(ORACLE_FAULT_BAD_UTF8, "invalid UTF-8")                                                      \
    X(ORACLE_FAULT_BAD_VERB, "verb empty or not all ASCII letters")                                \
    X(ORACLE_FAULT_UNKNOWN_VERB, "unrecognised verb")

#define ORACLE_FAULT_ENUM_(name, text) name,
enum oracle_fault { ORACLE_FAULT_LIST(ORACLE_FAULT_ENUM_) ORACLE_FAULT_COUNT };
#undef ORACLE_FAULT_ENUM_

#define ORACLE_LINE_MAX 512 /* octets of a well-framed command line, CR LF included */

/* X(name, id, text): how strictly a session is judged (docs/contract.md section 8). */
#define ORACLE_PROFILE_LIST(X)                                                                     \
    X(ORACLE_PROFILE_STRICT, "strict",                                                             \
      "the contract as written: 500 for every malformed line, "                                    \
      "214 for every HELP")                                                                        \
    X(ORACLE_PROFILE_RFC, "rfc",                                                                   \
      "what the RFCs require: the strict rules minus the deviations "                              \
      "listed as tolerated")

#define ORACLE_PROFILE_ENUM_(name, id, text) name,
enum oracle_profile { ORACLE_PROFILE_LIST(ORACLE_PROFILE_ENUM_) ORACLE_PROFILE_COUNT };
#undef ORACLE_PROFILE_ENUM_

/*
 * X(name, id, rule, text): what profile rfc tolerates (docs/contract.md section 8.2), and
 * which strict rule each relaxes.
 */
#define ORACLE_TOL_LIST(X)                                                                         \
    X(ORACLE_TOL_BARE_LF, "rfc-bare-lf-line-end", ORACLE_MALFORMED_NOT_500,                        \
      "a command line ended by a bare LF is answered as if it ended in CR LF (the line is "        \
      "then judged as the CR LF line)")                                                            \
    X(ORACLE_TOL_BARE_LF_INSIDE, "rfc-bare-lf-not-line-end", ORACLE_MISSING_REPLY,                 \
      "a bare LF not taken as a line end (RFC 5321 2.3.8): the line runs to the next CR LF "       \
      "and gets one reply")                                                                        \
    X(ORACLE_TOL_HELP_211, "rfc-help-211", ORACLE_HELP_NOT_214,                                    \
      "HELP answered 211 (RFC 5321 4.2.2: \"System status, or system help reply\")")               \
    X(ORACLE_TOL_HELP_REFUSED, "rfc-help-refused", ORACLE_HELP_NOT_214,                            \
      "HELP refused with a 5yz other than 503: HELP is not in the minimum command set (RFC "       \
      "5321 4.5.1), its argument is optional (4.1.1.8), and it may be sent any time (4.1.4)")      \
    X(ORACLE_TOL_MALFORMED_5YZ, "rfc-malformed-any-5yz", ORACLE_MALFORMED_NOT_500,                 \
      "a malformed or unrecognised line answered with another 5yz (501, 502, 504, 550, ...)")      \
    X(ORACLE_TOL_LENIENT_ARGUMENT, "rfc-lenient-argument", ORACLE_MALFORMED_NOT_500,               \
      "a line whose verb is recognised, with a malformed argument (control octet, bad "            \
      "UTF-8, bare CR), answered as a command: the server understood the verb")                    \
    X(ORACLE_TOL_OFFERED_VERB, "rfc-offered-extension-verb", ORACLE_MALFORMED_NOT_500,             \
      "a verb the server listed in its EHLO reply (XCLIENT, ETRN, ...) answered as a command "     \
      "(RFC 5321 4.1.5)")                                                                          \
    X(ORACLE_TOL_REGISTERED_VERB, "rfc-registered-verb", ORACLE_MALFORMED_NOT_500,                 \
      "a verb of the SMTP registry the contract leaves out (TURN, SEND, SOML, SAML, ETRN, ATRN, "  \
      "BURL) answered as a command, offered or not: a server that knows it may refuse it with a "  \
      "4yz (ETRN's 458)")                                                                          \
    X(ORACLE_TOL_BDAT_FAILED, "rfc-503-after-failed-bdat", ORACLE_HELP_NOT_214,                    \
      "HELP answered 503 after a BDAT failed and before RSET (RFC 3030 2: the transaction has "    \
      "failed, and a server may take nothing but RSET)")                                           \
    X(ORACLE_TOL_500_BAD_ARG, "rfc-500-bad-argument", ORACLE_500_FOR_COMMAND,                      \
      "500 for HELO, EHLO, MAIL, RCPT, VRFY or BDAT (whose argument may be unparseable), or for "  \
      "DATA, RSET or QUIT given an argument they do not take")                                     \
    X(ORACLE_TOL_500_EXTENSION, "rfc-500-unoffered-extension", ORACLE_500_FOR_COMMAND,             \
      "500 for BDAT when CHUNKING was not offered, or for STARTTLS, AUTH or EXPN: a server "       \
      "without the extension does not recognise the verb")                                         \
    X(ORACLE_TOL_LONG_LINE, "rfc-long-line-accepted", ORACLE_MALFORMED_NOT_500,                    \
      "a command line over 512 octets answered as a command (RFC 5321 4.5.3.1: servers should "    \
      "avoid length limits), as long as it gets exactly one reply")                                \
    X(ORACLE_TOL_LINE_CUT, "rfc-long-line-cut", ORACLE_EXTRA_REPLY,                                \
      "a line longer than the server's line buffer (1024 to 65536 octets) read as pieces of that " \
      "size, each answered as a line of its own (RFC 5321 4.5.3.1.4 sets no reading for "          \
      "over-long lines)")                                                                          \
    X(ORACLE_TOL_EMPTY_TEXT, "rfc-code-sp-no-text", ORACLE_BAD_REPLY,                              \
      "a last reply line of code and SP with no text (RFC 5321 4.2: clients take it)")             \
    X(ORACLE_TOL_421, "rfc-421-closes", ORACLE_MALFORMED_NOT_500,                                  \
      "421 in answer to any line (RFC 5321 3.8: the server closes the session); nothing may "      \
      "follow it")                                                                                 \
    X(ORACLE_TOL_CLOSE_AFTER_ERROR, "rfc-close-after-error", ORACLE_MISSING_REPLY,                 \
      "the server closed the connection right after a 5yz reply (RFC 5321 7.8): the lines "        \
      "after it are owed nothing")                                                                 \
    X(ORACLE_TOL_FINAL_REPLY, "rfc-reply-to-end-of-input", ORACLE_EXTRA_REPLY,                     \
      "one last 4yz, 5yz or 221 reply after the input ended without QUIT (a server answering "     \
      "the client's close, RFC 5321 4.1.1.5)")

#define ORACLE_TOL_ENUM_(name, id, rule, text) name,
enum oracle_tol { ORACLE_TOL_LIST(ORACLE_TOL_ENUM_) ORACLE_TOL_COUNT };
#undef ORACLE_TOL_ENUM_

/*
 * One reading of the choices the RFCs leave a server that move framing
 * (docs/contract.md section 8.4). A walk follows one reading for the whole
 * session; the judge tries the others when the replies do not fit.
 */
struct oracle_reading {
    unsigned eod; /* the end-of-data rule: ORACLE_EOD_PROPER or a smuggling hypothesis */
    /* 1: every LF ends a command line (the contract, and most servers); 0: only CR LF does
     * (RFC 5321 2.3.8), a bare LF stays inside a line that ends at the next CR LF */
    unsigned char bare_lf_ends_line;
    /* a BDAT refused with a size of more digits than this (RFC 3030: chunk-size = 1*DIGIT) was
     * refused at once and read no chunk; up to it, the chunk was read (9: the reference's cap;
     * a server that parses 64-bit sizes reads up to 18 or 19) */
    unsigned char bdat_digits;
    /* 1: a BDAT refused (not 2yz) when CHUNKING was not offered still reads its chunk (as the
     * reference does for an out-of-sequence BDAT); 0: it reads none, the octets are lines */
    unsigned char unoffered_bdat_chunk;
    /* a live session (the external runner): a chunk not every reading agrees on follows its
     * line exactly when oracle_stream_chunk_sent() said it went out before the reply came */
    unsigned char live;
    /* 0: a line ends at its LF however long; else (rfc) the server's line buffer: a line whose
     * LF comes after its first line_cut + 1 octets is read as a piece of line_cut octets, and
     * the rest as the next line (Exim 4.96: 16384) */
    unsigned line_cut;
    /* 1 (rfc): a BDAT line whose argument starts with digits but breaks RFC 3030's grammar
     * ("BDAT 1804&x") still reads a chunk of that size, whatever its reply (Exim 4.96) */
    unsigned char bdat_lenient;
    /* 1: a BDAT refused after an earlier one failed (and before RSET) still reads its chunk,
     * as any refused BDAT with CHUNKING offered; 0 (rfc): it reads none, the octets are lines
     * (RFC 3030 2 forbids the client that BDAT; only a server that offered PIPELINING must
     * still read and discard its chunk) */
    unsigned char failed_bdat_chunk;
};

/* How to judge a session. */
struct oracle_judging {
    enum oracle_profile profile;
    int server_closed; /* out of process: the server closed the connection before the client */
};

/* What judging settled besides the verdict. */
struct oracle_judged {
    struct oracle_reading reading;        /* the reading the replies fit (or fit longest) */
    unsigned tolerated[ORACLE_TOL_COUNT]; /* how often each tolerance let a reply pass */
    size_t ntolerated;                    /* their sum */
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

/* oracle_line_fault - why one client line (terminator included) is malformed, or FAULT_NONE */
enum oracle_fault oracle_line_fault(const char *line, size_t len);

/* oracle_line_judge - oracle_line_fault() and oracle_classify() of one line in one pass */
enum oracle_fault oracle_line_judge(const char *line, size_t len, enum oracle_class *cls);

/* oracle_fault_name - a short English description of a fault (never NULL) */
const char *oracle_fault_name(enum oracle_fault fault);

/*
 * oracle_check - check a whole session under profile strict; ORACLE_OK or the first
 * violation, described in *v
 */
enum oracle_rule oracle_check(const char *client, size_t client_len, const char *server,
                              size_t server_len, struct oracle_verdict *v);

/*
 * oracle_judge - check a whole session as how says: every reading of the RFCs' framing
 * choices is tried until one fits; ORACLE_OK, or the first violation of the reading the
 * replies fit longest, in *v. j (may be NULL) gets that reading and the tolerances used.
 */
enum oracle_rule oracle_judge(const struct oracle_judging *how, const char *client,
                              size_t client_len, const char *server, size_t server_len,
                              struct oracle_verdict *v, struct oracle_judged *j);

/*
 * oracle_transcript_judged - the annotated transcript as oracle_judge paired the session:
 * under profile how, following reading r (NULL: the reference's)
 */
void oracle_transcript_judged(FILE *out, const struct oracle_judging *how,
                              const struct oracle_reading *r, const char *client, size_t client_len,
                              const char *server, size_t server_len);

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

/*
 * oracle_line_for_reply - find the client line the reply holding server
 * octet reply_off answers (as oracle_check pairs them); returns 1 and sets
 * *line_off, *line_len (len 0 for the greeting), or 0 when no line does
 */
int oracle_line_for_reply(const char *client, size_t client_len, const char *server,
                          size_t server_len, size_t reply_off, size_t *line_off, size_t *line_len);

/* oracle_rule_id - the stable id of a rule ("r1-help-not-214") */
const char *oracle_rule_id(enum oracle_rule rule);

/* oracle_rule_text - one line of English describing a rule */
const char *oracle_rule_text(enum oracle_rule rule);

/* oracle_profile_name - the name of a profile ("rfc") */
const char *oracle_profile_name(enum oracle_profile p);

/* oracle_tol_id - the stable id of a tolerance ("rfc-help-211") */
const char *oracle_tol_id(enum oracle_tol t);

#endif

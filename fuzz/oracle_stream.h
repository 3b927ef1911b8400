/*
 * oracle_stream - the walk over a client byte stream: where each command
 * line, message text and BDAT chunk begins and ends, and which of them
 * are owed a reply (docs/contract.md "Session" and "How replies are
 * paired").
 *
 * What it does: cuts the client stream into units, one at a time, and
 * moves on when told the reply the current unit got. The replies decide
 * what comes next, exactly where the protocol lets them:
 *
 *   greeting   the first unit: no client octets, owed the server's first
 *              reply. 421 ends the session; after 554 the server only
 *              waits for QUIT (RFC 5321 3.1), so the rest is unchecked.
 *   line       every LF-ended line in command mode (under the reading that
 *              only CR LF ends a line: every CR LF-ended one), owed one
 *              reply. A line "BDAT" SP 1*DIGIT [SP "LAST"] may carry a
 *              chunk: the unit says how many octets would follow the line
 *              (chunk_len), and whether every reading agrees they do
 *              (chunk_certain: CHUNKING was offered and the size has at most
 *              nine digits), so a runner sends them with the line.
 *   chunk      after such a BDAT line's reply, its octets (owed nothing:
 *              the reply went with the line), unless the reply closed the
 *              session or the reading says the server read none: a size
 *              of ten or more digits refused at once, or a BDAT refused
 *              when CHUNKING was not offered.
 *   text       after a DATA line answered 3yz: message text through the
 *              first end of data (CR LF . CR LF, the DATA line's own CR LF
 *              counting as the first CR LF; or, for a hypothesis, one of
 *              its look-alikes), owed one reply; none when the stream ends
 *              inside the text.
 *   auth       after an AUTH line (or an AUTH response) answered 334: the
 *              next line, owed one reply of any code (RFC 4954).
 *   tail       bytes after the last LF: owed nothing.
 *   after      a line after 221 or 421 ended the session: owed nothing.
 *   unchecked  everything after STARTTLS answered 2yz (RFC 3207) or a 554
 *              greeting: not plain SMTP the walk can pair; owed nothing.
 *   end        nothing left.
 *
 * The same walk serves the oracle, which replays a finished session, and
 * the external runner, which drives a live server and needs to know, as
 * replies arrive, what to send next and how many replies are still owed;
 * so both pair lines and replies by the same rules.
 *
 * End of data and its look-alikes: rule 0 (ORACLE_EOD_PROPER) is the only
 * end the contract allows; the others are hypotheses the oracle tries
 * when the replies do not fit (a server with the SMTP smuggling bug ends
 * data at LF . LF, CR . CR, ...).
 *
 * What it never does: allocate, keep global state, or read outside the
 * client stream and the replies it is given. Of reply text it reads only
 * an EHLO reply's keywords (to know whether CHUNKING was offered).
 */
#ifndef ORACLE_STREAM_H
#define ORACLE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

/* X(name, id): the kinds of unit a client stream is cut into. */
#define ORACLE_UNIT_LIST(X)                                                                        \
    X(ORACLE_UNIT_GREETING, "greeting")                                                            \
    X(ORACLE_UNIT_LINE, "line")                                                                    \
    X(ORACLE_UNIT_AUTH, "auth-response")                                                           \
    X(ORACLE_UNIT_TEXT, "message-text")                                                            \
    X(ORACLE_UNIT_CHUNK, "chunk")                                                                  \
    X(ORACLE_UNIT_TAIL, "tail")                                                                    \
    X(ORACLE_UNIT_AFTER, "after-close")                                                            \
    X(ORACLE_UNIT_UNCHECKED, "unchecked")                                                          \
    X(ORACLE_UNIT_END, "end")

#define ORACLE_UNIT_ENUM_(name, id) name,
enum oracle_unit_kind { ORACLE_UNIT_LIST(ORACLE_UNIT_ENUM_) ORACLE_UNIT_KIND_COUNT };
#undef ORACLE_UNIT_ENUM_

#define ORACLE_KEYWORDS_MAX 24 /* EHLO keywords remembered (the reference lists 6) */
#define ORACLE_KEYWORD_MAX 20  /* octets of one remembered keyword */

#define ORACLE_EOD_PROPER 0u /* CR LF . CR LF: the only end of data the contract allows */

/* One unit of the client stream. */
struct oracle_unit {
    enum oracle_unit_kind kind;
    size_t off, len; /* its client octets (a line: LF included; text: end of data included) */
    int owed;        /* 1 when exactly one reply is owed for it, else 0 */
    /* LINE and AUTH */
    enum oracle_fault fault; /* why the line is malformed, or ORACLE_FAULT_NONE */
    enum oracle_class cls;   /* the class rule 1 judges its reply by (AUTH: not judged) */
    int chunk;               /* LINE: a well-formed BDAT line: a chunk may follow it (RFC 3030) */
    int chunk_certain;       /* LINE: every reading has the chunk follow, whatever the reply */
    size_t chunk_digits;     /* LINE: digits of the BDAT size */
    int chunk_long;          /* LINE: more digits than a server must read (RFC 3030 sets none) */
    size_t chunk_len;        /* LINE: the chunk octets the stream holds right after the line */
    int chunk_short;         /* LINE: the stream ends before the chunk does */
    int chunk_lenient;       /* LINE: the size was read past RFC 3030's grammar (the reading's) */
    int after_failed;        /* LINE: a BDAT after a failed one, before RSET (RFC 3030 2) */
    int chunk_unoffered;     /* LINE: the server's EHLO (or HELO) reply did not offer CHUNKING */
    /* TEXT */
    int text_ended; /* an end of data was found (else the stream ends inside the text) */
    size_t eod_at;  /* where that end-of-data sequence begins */
};

/* Private state: set up by oracle_stream_init; read it only through the functions below. */
struct oracle_stream {
    const char *c;
    size_t len;
    struct oracle_reading reading;
    int greeted;      /* the greeting's reply was given */
    int over;         /* 221 or 421 ended the session */
    int unchecked;    /* the rest is not paired */
    int auth;         /* the next line is an AUTH response */
    int text_next;    /* the next unit is message text */
    int chunk_next;   /* the next unit is the chunk of the line before */
    size_t chunk_len; /* its octets */
    int chunk_sent;   /* live: the current line's chunk went out before its reply */
    int bdat_open;    /* a BDAT without LAST was taken: only BDAT or RSET may follow */
    int bdat_failed;  /* the BDAT transaction failed (a BDAT refused, or another command after
                         a BDAT without LAST refused), and no RSET, HELO or EHLO took it back */
    size_t pos;       /* where the next unit begins */
    /* what the last EHLO (or HELO) reply offered */
    int hello_known; /* an EHLO or HELO was answered 250: the keywords below are the offer */
    unsigned nkeywords;
    char keywords[ORACLE_KEYWORDS_MAX][ORACLE_KEYWORD_MAX + 1]; /* upper case, NUL-terminated */
    struct oracle_unit unit;
};

/* oracle_reading_reference - the reading of the reference responder (and the contract) */
void oracle_reading_reference(struct oracle_reading *r);

/* oracle_stream_init - walk client[0..len) under reading r (NULL: the reference's) */
void oracle_stream_init(struct oracle_stream *s, const char *client, size_t len,
                        const struct oracle_reading *r);

/* oracle_stream_unit - the current unit (valid until the next call that moves the walk) */
const struct oracle_unit *oracle_stream_unit(const struct oracle_stream *s);

/*
 * oracle_stream_reply - the current unit (owed a reply) got one with this code (0 when
 * unreadable): move to the unit the reply makes next
 */
void oracle_stream_reply(struct oracle_stream *s, unsigned code);

/*
 * oracle_stream_reply_text - as oracle_stream_reply, with the reply's octets (reply[0..len)): an
 * EHLO or HELO answered 250 sets what the server offers (its EHLO keywords)
 */
void oracle_stream_reply_text(struct oracle_stream *s, unsigned code, const char *reply,
                              size_t len);

/* oracle_stream_chunk_sent - live: the current BDAT line's chunk went out before its reply */
void oracle_stream_chunk_sent(struct oracle_stream *s);

/* oracle_stream_offers - the last EHLO reply listed keyword (p, n), in any case */
int oracle_stream_offers(const struct oracle_stream *s, const char *p, size_t n);

/*
 * oracle_stream_lf_inside - live: the server did not answer a line at its bare LF; from the
 * current unit on, only CR LF ends a command line (the reading RFC 5321 2.3.8 allows)
 */
void oracle_stream_lf_inside(struct oracle_stream *s);

/* oracle_stream_bdat_failed - a BDAT failed and no RSET, HELO or EHLO answered 2yz since */
int oracle_stream_bdat_failed(const struct oracle_stream *s);

/* oracle_stream_skip - move past the current unit without a reply (any unit but END) */
void oracle_stream_skip(struct oracle_stream *s);

/* oracle_stream_over - 221 or 421 ended the session */
int oracle_stream_over(const struct oracle_stream *s);

/* oracle_unit_id - the stable id of a unit kind ("message-text") */
const char *oracle_unit_id(enum oracle_unit_kind kind);

/* oracle_eod_rules - how many end-of-data rules there are (the proper one and the hypotheses) */
unsigned oracle_eod_rules(void);

/* oracle_eod_name - the end-of-data sequences of rule k in words ("LF . LF") */
const char *oracle_eod_name(unsigned k);

/*
 * oracle_eod_find - the first end of data of rule k in c[from..len): 1 with *at (its first
 * octet) and *end (just past it), or 0
 */
int oracle_eod_find(unsigned k, const char *c, size_t len, size_t from, size_t *at, size_t *end);

/*
 * oracle_eod_lookalike - the first look-alike (a hypothesis's sequence other than CR LF . CR
 * LF) that starts in c[from..until) and fits in c[0..len): 1 with *at, or 0
 */
int oracle_eod_lookalike(const char *c, size_t len, size_t from, size_t until, size_t *at);

#endif

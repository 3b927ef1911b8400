/*
 * oracle_stream - the walk over a client stream (contract in
 * oracle_stream.h).
 *
 * Design: the walk holds where the next unit begins and the few facts the
 * replies so far have settled (greeted, over, unchecked, an AUTH response
 * or message text or a chunk comes next); the current unit is computed
 * from those whenever the walk moves, so a caller only ever reads it.
 */
#include "oracle_stream.h"

#include <string.h>

#include "oracle_line.h"

#define UNIT_ID_(name, id) [name] = id,
static const char *const unit_ids[ORACLE_UNIT_KIND_COUNT] = {ORACLE_UNIT_LIST(UNIT_ID_)};
#undef UNIT_ID_

const char *oracle_unit_id(enum oracle_unit_kind kind)
{
    return (unsigned)kind < ORACLE_UNIT_KIND_COUNT ? unit_ids[kind] : "invalid-unit";
}

/* ------------------------------------------------------------------ */
/* End of data and its look-alikes                                      */

/*
 * The proper end (CR LF . CR LF) and the hypotheses rule 5 tries: each is
 * a set of sequences that would end the data for a server with that bug,
 * besides the proper one. The search for every sequence starts at the CR
 * LF of the DATA line itself, so it counts as the first CR LF.
 */
#define EOD_PROPER "\r\n.\r\n"
#define EOD_SEQS_MAX 5

struct eod_rule {
    const char *name;
    const char *seq[EOD_SEQS_MAX]; /* NULL-terminated when shorter */
};

static const struct eod_rule eod_rules[] = {
    {"CR LF . CR LF", {EOD_PROPER, NULL}}, /* ORACLE_EOD_PROPER */
    {"LF . LF", {EOD_PROPER, "\n.\n", NULL}},
    {"LF . CR LF", {EOD_PROPER, "\n.\r\n", NULL}},
    {"LF . LF or LF . CR LF (LF-framed lines, CR stripped)",
     {EOD_PROPER, "\n.\n", "\n.\r\n", NULL}},
    {"CR LF . LF", {EOD_PROPER, "\r\n.\n", NULL}},
    {"CR . CR", {EOD_PROPER, "\r.\r", NULL}},
    {"CR . CR LF", {EOD_PROPER, "\r.\r\n", NULL}},
    {"CR LF . CR", {"\r\n.\r", NULL}},
    {"CR or LF . CR or LF (CR and LF both end lines)",
     {EOD_PROPER, "\r.\r", "\r.\n", "\n.\r", "\n.\n"}},
};
#define EOD_RULES ((unsigned)(sizeof eod_rules / sizeof eod_rules[0]))

unsigned oracle_eod_rules(void)
{
    return EOD_RULES;
}

const char *oracle_eod_name(unsigned k)
{
    return k < EOD_RULES ? eod_rules[k].name : "invalid end-of-data rule";
}

int oracle_eod_find(unsigned k, const char *c, size_t len, size_t from, size_t *at, size_t *end)
{
    const struct eod_rule *rule = &eod_rules[k < EOD_RULES ? k : ORACLE_EOD_PROPER];
    size_t p, q;

    for (p = from; p < len; p++) {
        for (q = 0; q < EOD_SEQS_MAX && rule->seq[q] != NULL; q++) {
            size_t n;
            if (c[p] != rule->seq[q][0])
                continue; /* the first octet rules out nearly every place, cheaply */
            n = strlen(rule->seq[q]);
            if (n <= len - p && memcmp(c + p, rule->seq[q], n) == 0) {
                *at = p;
                *end = p + n;
                return 1;
            }
        }
    }
    return 0;
}

int oracle_eod_lookalike(const char *c, size_t len, size_t from, size_t until, size_t *at)
{
    size_t p, q;
    unsigned h;

    for (p = from; p < until; p++) {
        for (h = ORACLE_EOD_PROPER + 1; h < EOD_RULES; h++) {
            for (q = 0; q < EOD_SEQS_MAX && eod_rules[h].seq[q] != NULL; q++) {
                const char *s = eod_rules[h].seq[q];
                size_t n;
                if (c[p] != s[0])
                    continue; /* the first octet rules out nearly every place, cheaply */
                n = strlen(s);
                if (n <= len - p && memcmp(c + p, s, n) == 0 && strcmp(s, EOD_PROPER) != 0) {
                    *at = p;
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* What the server offered                                              */

void oracle_reading_reference(struct oracle_reading *r)
{
    memset(r, 0, sizeof *r);
    r->eod = ORACLE_EOD_PROPER;
    r->bare_lf_ends_line = 1;                /* every LF ends a line (contract section 1.1) */
    r->bdat_digits = ORACLE_BDAT_DIGITS_MAX; /* the reference refuses longer sizes unread */
    r->unoffered_bdat_chunk = 1; /* a well-formed BDAT always consumes its chunk (5.6) */
    r->failed_bdat_chunk = 1;    /* ... after a failed one too */
}

/* upper - ASCII upper case of c; other octets unchanged */
static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

int oracle_stream_offers(const struct oracle_stream *s, const char *p, size_t n)
{
    unsigned k;
    size_t i;

    for (k = 0; k < s->nkeywords; k++) {
        const char *kw = s->keywords[k];
        for (i = 0; i < n && kw[i] != '\0' && upper(p[i]) == kw[i]; i++)
            ;
        if (i == n && kw[i] == '\0')
            return 1;
    }
    return 0;
}

/*
 * note_offer - an EHLO or HELO answered 250: its keywords are the offer
 * (RFC 5321 4.1.1.1: the first line greets, each later line starts with
 * an ehlo-keyword; a HELO reply offers nothing)
 */
static void note_offer(struct oracle_stream *s, const char *reply, size_t len, int ehlo)
{
    size_t off = 0;
    int first = 1;

    s->hello_known = 1;
    s->nkeywords = 0;
    while (ehlo && off < len) {
        const char *lf = memchr(reply + off, '\n', len - off);
        size_t end = lf != NULL ? (size_t)(lf - reply) : len, i = off + 4, n = 0;

        if (!first && end > off + 4 && s->nkeywords < ORACLE_KEYWORDS_MAX) {
            char *kw = s->keywords[s->nkeywords];
            while (i < end && n < ORACLE_KEYWORD_MAX && reply[i] != ' ' && reply[i] != '\r')
                kw[n++] = upper(reply[i++]);
            kw[n] = '\0';
            s->nkeywords += n > 0;
        }
        first = 0;
        off = end + 1;
    }
}

/* ------------------------------------------------------------------ */
/* The walk                                                             */

/* unit_line - the command line (or AUTH response) at s->pos, ending at end */
static void unit_line(struct oracle_stream *s, size_t end)
{
    struct oracle_unit *u = &s->unit;
    enum oracle_verb verb = ORACLE_V_NONE;
    uint64_t chunk = 0;
    size_t digits = 0;

    u->kind = s->auth ? ORACLE_UNIT_AUTH : ORACLE_UNIT_LINE;
    u->len = end - s->pos;
    u->owed = 1;
    u->fault = oracle_line_verb(s->c + s->pos, u->len, &verb);
    u->cls = oracle_class_of(u->fault, verb);
    /* A lenient server reads the size of any line starting "BDAT" SP, malformed or not. */
    if (!s->auth && s->reading.bdat_lenient &&
        oracle_bdat_lenient(s->c + s->pos, u->len, &chunk, &digits))
        u->chunk_lenient = 1;
    if (!s->auth &&
        (u->chunk_lenient ||
         (verb == ORACLE_V_BDAT && oracle_bdat_line(s->c + s->pos, u->len, &chunk, &digits)))) {
        size_t room = s->len - end;
        u->chunk = 1;
        u->chunk_digits = digits;
        u->chunk_long = digits > ORACLE_BDAT_DIGITS_MAX;
        u->chunk_len = chunk < room ? (size_t)chunk : room;
        u->chunk_short = chunk > room;
        /* Every reading reads it as a chunk: CHUNKING offered, a size no server refuses. */
        /* RFC 3030 2: a server that offered PIPELINING "MUST be prepared to accept and
         * discard" the chunks of BDATs after a failed one; only one that did not may not */
        u->after_failed =
            s->bdat_failed && !(s->hello_known && oracle_stream_offers(s, "PIPELINING", 10));
        u->chunk_unoffered = s->hello_known && !oracle_stream_offers(s, "CHUNKING", 8);
        u->chunk_certain = !u->chunk_lenient && !u->after_failed &&
                           digits <= ORACLE_BDAT_DIGITS_MAX && s->hello_known &&
                           oracle_stream_offers(s, "CHUNKING", 8);
    }
}

/* unit_text - message text from s->pos through its end of data, or to the end of the stream */
static void unit_text(struct oracle_stream *s)
{
    struct oracle_unit *u = &s->unit;
    size_t at, end;

    u->kind = ORACLE_UNIT_TEXT;
    /* The DATA line's own CR LF is the first CR LF of the end of data. */
    if (oracle_eod_find(s->reading.eod, s->c, s->len, s->pos - 2, &at, &end)) {
        u->len = end - s->pos;
        u->owed = 1;
        u->text_ended = 1;
        u->eod_at = at;
    } else {
        u->len = s->len - s->pos;
    }
}

/* lf_end - just past the LF that ends the command line at s->pos (0: none, a tail) */
static size_t lf_end(const struct oracle_stream *s)
{
    size_t p = s->pos;

    for (;;) {
        const char *lf = memchr(s->c + p, '\n', s->len - p);
        if (lf == NULL)
            return 0;
        p = (size_t)(lf - s->c) + 1;
        /* RFC 5321 2.3.8 read strictly: only CR LF ends a line, a bare LF is inside it. */
        if (s->reading.bare_lf_ends_line || (p - s->pos >= 2 && s->c[p - 2] == '\r'))
            return p;
    }
}

/* line_end - where the line at s->pos ends under the reading: its LF, or a cut (0: a tail) */
static size_t line_end(const struct oracle_stream *s)
{
    size_t end = lf_end(s), k = s->reading.line_cut;
    size_t upto = end != 0 ? end : s->len;

    if (k > 0 && upto - s->pos > k + 1)
        return s->pos + k; /* the server's buffer filled before the LF: a piece */
    return end;
}

/* compute - the unit at s->pos, from what the replies so far settled */
static void compute(struct oracle_stream *s)
{
    struct oracle_unit *u = &s->unit;
    size_t end;

    memset(u, 0, sizeof *u);
    u->off = s->pos;
    if (!s->greeted) {
        u->kind = ORACLE_UNIT_GREETING;
        u->owed = 1;
        return;
    }
    if (s->chunk_next) {
        /* A chunk is a unit even when empty (BDAT 0) or cut short by the end of the stream. */
        u->kind = ORACLE_UNIT_CHUNK;
        u->len = s->chunk_len;
        return;
    }
    if (s->unchecked) {
        u->kind = ORACLE_UNIT_UNCHECKED;
        u->len = s->len - s->pos;
        return;
    }
    if (s->pos >= s->len) {
        u->kind = ORACLE_UNIT_END;
        return;
    }
    if (s->text_next) {
        unit_text(s);
        return;
    }
    end = line_end(s);
    if (end == 0) {
        u->kind = ORACLE_UNIT_TAIL;
        u->len = s->len - s->pos;
        return;
    }
    if (s->over) {
        u->kind = ORACLE_UNIT_AFTER;
        u->len = end - s->pos;
        return;
    }
    unit_line(s, end);
}

void oracle_stream_init(struct oracle_stream *s, const char *client, size_t len,
                        const struct oracle_reading *r)
{
    memset(s, 0, sizeof *s);
    s->c = client != NULL ? client : "";
    s->len = client != NULL ? len : 0;
    if (r != NULL)
        s->reading = *r;
    else
        oracle_reading_reference(&s->reading);
    if (s->reading.eod >= EOD_RULES)
        s->reading.eod = ORACLE_EOD_PROPER;
    compute(s);
}

const struct oracle_unit *oracle_stream_unit(const struct oracle_stream *s)
{
    return &s->unit;
}

int oracle_stream_over(const struct oracle_stream *s)
{
    return s->over;
}

void oracle_stream_lf_inside(struct oracle_stream *s)
{
    if (!s->reading.bare_lf_ends_line)
        return;
    s->reading.bare_lf_ends_line = 0;
    if (s->unit.kind == ORACLE_UNIT_LINE || s->unit.kind == ORACLE_UNIT_TAIL)
        compute(s); /* the current line now runs on to the next CR LF */
}

int oracle_stream_bdat_failed(const struct oracle_stream *s)
{
    return s->bdat_failed;
}

void oracle_stream_chunk_sent(struct oracle_stream *s)
{
    s->chunk_sent = 1;
}

/* closes - a reply that ends the session (RFC 5321 3.8, 4.1.1.10) */
static int closes(unsigned code)
{
    return code == 221 || code == 421;
}

/* chunk_read - did the server read the chunk a BDAT line announced, given its reply? */
static int chunk_read(const struct oracle_stream *s, const struct oracle_unit *u, unsigned code)
{
    if (u->chunk_certain || code / 100 == 2 || u->chunk_lenient)
        return 1; /* a server that took the BDAT (or read its size anyway) has read its chunk */
    if (u->after_failed && !s->reading.live && !s->reading.failed_bdat_chunk)
        return 0; /* a BDAT the client must not have sent (RFC 3030 2): its octets are lines */
    if (s->reading.live)
        return s->chunk_sent; /* what the runner saw: the reply came before or after the chunk */
    if (u->chunk_digits > ORACLE_BDAT_DIGITS_MAX)
        return u->chunk_digits <= s->reading.bdat_digits;
    if (s->hello_known && !u->chunk_unoffered)
        return 1; /* CHUNKING offered: a refused BDAT reads its chunk (a failed one aside) */
    /* CHUNKING not offered (or no EHLO yet), the BDAT refused: read or not, by the reading */
    return s->reading.unoffered_bdat_chunk;
}

/* after_line - a command line's reply: what it makes of the octets that follow */
/* ends_last - a BDAT line's content ends in SP "LAST" (any case) */
static int ends_last(const char *line, size_t len)
{
    size_t n = len;

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    return n >= 5 && line[n - 5] == ' ' && oracle_same_word(line + n - 4, 4, "LAST");
}

static void after_line(struct oracle_stream *s, const struct oracle_unit *u, unsigned code,
                       const char *reply, size_t rlen)
{
    enum oracle_verb verb = ORACLE_V_NONE;

    if (u->kind == ORACLE_UNIT_AUTH) {
        s->auth = code == 334; /* RFC 4954: 334 asks for one more response line */
        return;
    }
    if (u->chunk) {
        if (chunk_read(s, u, code)) {
            s->chunk_next = 1;
            s->chunk_len = u->chunk_len;
        }
        if (code / 100 == 4 || code / 100 == 5)
            s->bdat_failed = 1; /* RFC 3030 2: the transaction failed; RSET is owed */
        else if (code / 100 == 2)
            s->bdat_open = !ends_last(s->c + u->off, u->len);
        return;
    }
    (void)oracle_line_verb(s->c + u->off, u->len, &verb);
    if (code / 100 == 2 &&
        (verb == ORACLE_V_RSET || verb == ORACLE_V_HELO || verb == ORACLE_V_EHLO))
        s->bdat_failed = 0, s->bdat_open = 0;
    else if (s->bdat_open && (code / 100 == 4 || code / 100 == 5))
        s->bdat_failed = 1; /* after a BDAT without LAST only BDAT or RSET may come */
    if (verb == ORACLE_V_DATA && code / 100 == 3)
        s->text_next = 1;
    else if (verb == ORACLE_V_AUTH && code == 334)
        s->auth = 1;
    else if (verb == ORACLE_V_STARTTLS && code / 100 == 2)
        s->unchecked = 1; /* RFC 3207: TLS from here on */
    else if ((verb == ORACLE_V_EHLO || verb == ORACLE_V_HELO) && code == 250 && reply != NULL)
        note_offer(s, reply, rlen, verb == ORACLE_V_EHLO);
}

void oracle_stream_reply_text(struct oracle_stream *s, unsigned code, const char *reply, size_t len)
{
    struct oracle_unit u = s->unit;

    switch (u.kind) {
    case ORACLE_UNIT_GREETING:
        s->greeted = 1;
        /* RFC 5321 3.1/3.8: 421 closes at once; after 554 the server only waits for QUIT. */
        s->over = code == 421;
        s->unchecked = code == 554;
        break;
    case ORACLE_UNIT_LINE:
    case ORACLE_UNIT_AUTH:
        s->pos = u.off + u.len;
        if (closes(code))
            s->over = 1, s->auth = 0;
        else
            after_line(s, &u, code, reply, len);
        break;
    case ORACLE_UNIT_TEXT:
        s->pos = u.off + u.len;
        s->text_next = 0;
        s->over = closes(code);
        break;
    default:
        oracle_stream_skip(s); /* nothing was owed: a reply changes nothing */
        return;
    }
    s->chunk_sent = 0;
    compute(s);
}

void oracle_stream_reply(struct oracle_stream *s, unsigned code)
{
    oracle_stream_reply_text(s, code, NULL, 0);
}

void oracle_stream_skip(struct oracle_stream *s)
{
    struct oracle_unit u = s->unit;

    switch (u.kind) {
    case ORACLE_UNIT_GREETING:
        s->greeted = 1;
        break;
    case ORACLE_UNIT_LINE:
        /* Unanswered: the octets a BDAT line announced follow it all the same. */
        s->pos = u.off + u.len;
        if (u.chunk) {
            s->chunk_next = 1;
            s->chunk_len = u.chunk_len;
        }
        break;
    case ORACLE_UNIT_CHUNK:
        s->chunk_next = 0;
        s->pos = u.off + u.len;
        break;
    case ORACLE_UNIT_TEXT:
        s->text_next = 0;
        s->pos = u.off + u.len;
        break;
    case ORACLE_UNIT_AUTH:
    case ORACLE_UNIT_TAIL:
    case ORACLE_UNIT_AFTER:
    case ORACLE_UNIT_UNCHECKED:
        s->pos = u.off + u.len;
        break;
    case ORACLE_UNIT_END:
    case ORACLE_UNIT_KIND_COUNT:
        return;
    }
    s->chunk_sent = 0;
    compute(s);
}

/*
 * oracle - the independent judge of an SMTP session (contract in oracle.h).
 *
 * Independence. Nothing here comes from src/smtp_line.c, src/smtp_verb.c
 * or src/smtp_data.c: the line classifier, the verb list and the end-of-
 * data search are written again, the plain way (one pass per question,
 * decode-then-range-check for UTF-8, a naive substring search for the end
 * of data). Only the reply parser is shared: reading any server's replies
 * is its job, and it is fuzzed on its own (fuzz_reply_parse).
 *
 * The walk. Client units and replies are paired in one pass: the stream
 * walk (oracle_stream.c) says where each command line, message text and
 * chunk ends, the replies move it on, and a "cursor" pulls the next reply
 * out of the server stream on demand, so no reply list is built and
 * nothing is allocated. The walk stops at the first violation. Each reply
 * is judged under the profile (rule 1: oracle_tolerance.c). Events
 * (greeting, line, message text, chunk, ...) go to an optional observer;
 * the transcript printer and oracle_line_for_reply (oracle_print.c) are
 * observers, so they pair lines and replies exactly as the check does.
 *
 * Readings. The RFCs leave a server some choices that move framing (a BDAT
 * size of 10+ digits, a BDAT when CHUNKING was not offered, under profile
 * rfc a bare LF that is not a line end). oracle_judge walks the reference's
 * reading first; when that fails and the stream holds such a choice, every
 * other combination is walked, each held for the whole session (a server
 * that mixes readings fits none). The first that passes wins; if none does,
 * the verdict is that of the reading the replies fit longest.
 *
 * Rule 5, smuggling. When the walk fails with an r1 or r3 violation and
 * some message text held an end-of-data look-alike (LF . LF, CR . CR, ...),
 * the walk is run again under each hypothesis "the server also ends data
 * at <look-alike>". If the replies fit one hypothesis exactly, the server
 * ended the data early: the verdict is r5, naming the look-alike. If none
 * fits but a reply-count (r3) violation came right after such a message
 * (at its end-of-data reply, the first line after it, or the end of the
 * stream with no line answered in between), it is r5 too. Otherwise the
 * original verdict stands, so an unrelated bug is not called smuggling.
 * The end of data itself must get one reply that is neither 500 nor 214
 * (those answer command lines only: such a reply means the server took the
 * "." line for a command); a missing one is r5 as well.
 */
#include "oracle.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "oracle_line.h"
#include "oracle_stream.h"
#include "oracle_tolerance.h"
#include "oracle_walk.h"
#include "smtp_reply_parse.h"

/* ------------------------------------------------------------------ */
/* Rules                                                                */

#define RULE_ID_(name, id, text) [name] = id,
static const char *const rule_ids[ORACLE_RULE_COUNT] = {ORACLE_RULE_LIST(RULE_ID_)};
#undef RULE_ID_
#define RULE_TEXT_(name, id, text) [name] = text,
static const char *const rule_texts[ORACLE_RULE_COUNT] = {ORACLE_RULE_LIST(RULE_TEXT_)};
#undef RULE_TEXT_

const char *oracle_rule_id(enum oracle_rule rule)
{
    return (unsigned)rule < ORACLE_RULE_COUNT ? rule_ids[rule] : "invalid-rule";
}

const char *oracle_rule_text(enum oracle_rule rule)
{
    return (unsigned)rule < ORACLE_RULE_COUNT ? rule_texts[rule] : "invalid rule";
}

#define PROFILE_ID_(name, id, text) [name] = id,
static const char *const profile_ids[ORACLE_PROFILE_COUNT] = {ORACLE_PROFILE_LIST(PROFILE_ID_)};
#undef PROFILE_ID_
#define TOL_ID_(name, id, rule, text) [name] = id,
static const char *const tol_ids[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_ID_)};
#undef TOL_ID_

const char *oracle_profile_name(enum oracle_profile p)
{
    return (unsigned)p < ORACLE_PROFILE_COUNT ? profile_ids[p] : "invalid";
}

const char *oracle_tol_id(enum oracle_tol t)
{
    return (unsigned)t < ORACLE_TOL_COUNT ? tol_ids[t] : "invalid";
}

/* ------------------------------------------------------------------ */
/* The reply cursor: the server stream as a sequence of replies          */

struct reply {
    size_t off, len;            /* where it sits in the server stream */
    unsigned code;              /* 0 when unreadable */
    enum smtp_rp_status status; /* SMTP_RP_OK when well formed */
};

struct cursor {
    struct smtp_rp rp;
    const char *buf;
    size_t len, off;
    size_t start; /* where the reply being read began */
    int finished; /* smtp_rp_finish was called */
};

static void cursor_init(struct cursor *c, const char *buf, size_t len)
{
    memset(c, 0, sizeof *c);
    c->buf = buf;
    c->len = len;
}

/* cursor_next - the next reply of the stream into *r; 0 when there is none */
static int cursor_next(struct cursor *c, struct reply *r)
{
    struct smtp_rp_line line;
    struct smtp_rp_reply rep;

    while (c->off < c->len) {
        size_t used = 0;
        enum smtp_rp_result res =
            smtp_rp_feed(&c->rp, c->buf + c->off, c->len - c->off, &used, &line, &rep);
        c->off += used <= c->len - c->off ? used : c->len - c->off;
        if (res == SMTP_RP_REPLY) {
            r->off = c->start;
            r->len = c->off - c->start;
            r->code = rep.code;
            r->status = rep.status;
            c->start = c->off;
            return 1;
        }
        if (res == SMTP_RP_NEED_MORE)
            c->off = c->len; /* the contract: all consumed; never loop on a parser bug */
    }
    if (!c->finished) {
        c->finished = 1;
        if (smtp_rp_finish(&c->rp, &rep)) {
            r->off = c->start;
            r->len = c->len - c->start;
            r->code = rep.code;
            r->status = rep.status;
            c->start = c->len;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The walk                                                             */

struct walk {
    const char *c;
    size_t clen;
    const char *srv; /* the server stream (EHLO keywords are read from it) */
    struct oracle_judging how;
    struct oracle_reading reading;
    struct oracle_stream s; /* where each unit ends, settled by the replies (oracle_stream.h) */
    struct cursor cur;
    oracle_observer observe;
    void *ctx;
    struct oracle_verdict *v;
    unsigned tolerated[ORACLE_TOL_COUNT];
    size_t paired;             /* replies paired without a violation: how far the reading fits */
    unsigned last_code;        /* the code of the last reply paired */
    size_t pos;                /* client octets walked so far (for the transcript's rest) */
    size_t last_off, last_len; /* the last client line read, for an extra reply at the end */
    int closed;                /* rfc: the server closed after an error; the rest is owed nothing */
    /* for rule 5 */
    int saw_lookalike; /* some message text held a look-alike */
    int suspect;       /* a violation now is "right after" such a message */
    size_t suspect_at; /* where that look-alike is */
    int diverged;      /* a hypothesis ended some message before its proper end */
    size_t diverge_at; /* where */
    struct reply diverge_reply;
};

static void emit(struct walk *w, enum oracle_event_kind kind, size_t off, size_t len,
                 const struct reply *r, enum oracle_rule verdict, int tol)
{
    struct oracle_event ev;

    if (w->observe == NULL)
        return;
    ev.kind = kind;
    ev.off = off;
    ev.len = len;
    ev.has_reply = r != NULL;
    ev.reply_off = r != NULL ? r->off : 0;
    ev.reply_len = r != NULL ? r->len : 0;
    ev.verdict = verdict;
    ev.tolerance = tol;
    w->observe(w->ctx, &ev);
}

/* tolerate - count a tolerance that let a reply pass */
static void tolerate(struct walk *w, int tol)
{
    if (tol >= 0 && tol < ORACLE_TOL_COUNT)
        w->tolerated[tol]++;
}

/* code_desc - "500" or "an unreadable reply" into buf */
static const char *code_desc(const struct reply *r, char buf[32])
{
    if (r->code != 0)
        snprintf(buf, 32, "%03u", r->code);
    else
        snprintf(buf, 32, "an unreadable reply");
    return buf;
}

/*
 * violate - record the first violation in w->v and return its rule
 *
 * An r3 (reply count) violation found right after message text holding an
 * end-of-data look-alike becomes r5: a server that ended the data there
 * answers the rest of the message as commands, which is exactly such a
 * count mismatch. r1 is left alone here (an unrelated HELP bug right after
 * a message must not be reported as smuggling); oracle_judge's hypothesis
 * walks turn it into r5 when the replies really fit an early end.
 */
static enum oracle_rule violate(struct walk *w, enum oracle_rule rule, size_t off, size_t len,
                                const struct reply *r, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static enum oracle_rule violate(struct walk *w, enum oracle_rule rule, size_t off, size_t len,
                                const struct reply *r, const char *fmt, ...)
{
    struct oracle_verdict *v = w->v;
    va_list ap;
    size_t n;

    if (w->suspect && (rule == ORACLE_MISSING_REPLY || rule == ORACLE_EXTRA_REPLY)) {
        n = (size_t)snprintf(v->detail, sizeof v->detail,
                             "right after message text holding an end-of-data look-alike at "
                             "client octet %zu, %s: ",
                             w->suspect_at, oracle_rule_id(rule));
        rule = ORACLE_DATA_END;
    } else {
        n = 0;
    }
    if (n < sizeof v->detail) {
        va_start(ap, fmt);
        vsnprintf(v->detail + n, sizeof v->detail - n, fmt, ap);
        va_end(ap);
    }
    v->rule = rule;
    v->line_off = off;
    v->line_len = len;
    v->reply_off = r != NULL ? r->off : 0;
    v->reply_len = r != NULL ? r->len : 0;
    return rule;
}

static const char *class_name(enum oracle_class cls)
{
    return cls == ORACLE_LINE_MALFORMED ? "a malformed line"
           : cls == ORACLE_LINE_HELP    ? "HELP"
                                        : "a recognised command";
}

/*
 * reply_ok - the reply is well formed, or (profile rfc) its only flaw is a
 * last line of code and SP with no text, which RFC 5321 4.2 asks clients to
 * take; *tol says so
 */
static int reply_ok(const struct walk *w, const struct reply *r, int *tol)
{
    *tol = ORACLE_TOL_NONE;
    if (r->status == SMTP_RP_OK)
        return 1;
    if (w->how.profile == ORACLE_PROFILE_RFC && r->status == SMTP_RP_EMPTY_TEXT) {
        *tol = ORACLE_TOL_EMPTY_TEXT;
        return 1;
    }
    return 0;
}

/* paired - a reply was judged correct: note how far the reading fits, and its code */
static void paired(struct walk *w, const struct reply *r)
{
    w->paired++;
    w->last_code = r->code;
}

/*
 * closed_after_error - rfc: a unit got no reply because the server closed
 * the connection right after a 5yz (RFC 5321 7.8): the session is over
 */
static int closed_after_error(struct walk *w)
{
    if (w->how.profile != ORACLE_PROFILE_RFC || !w->how.server_closed || w->last_code / 100 != 5)
        return 0;
    tolerate(w, ORACLE_TOL_CLOSE_AFTER_ERROR);
    w->closed = 1;
    return 1;
}

/* walk_greeting - check the first reply */
static enum oracle_rule walk_greeting(struct walk *w)
{
    struct reply r;
    enum oracle_rule rule = ORACLE_OK;
    int tol;
    char cb[32];

    if (!cursor_next(&w->cur, &r)) {
        emit(w, ORACLE_EV_GREETING, 0, 0, NULL, ORACLE_MISSING_REPLY, -1);
        return violate(w, ORACLE_MISSING_REPLY, 0, 0, NULL, "no greeting: the server sent nothing");
    }
    if (!reply_ok(w, &r, &tol))
        rule = ORACLE_BAD_REPLY;
    else if (r.code == 214)
        rule = ORACLE_214_NOT_HELP;
    else if (r.code == 500)
        rule = ORACLE_500_FOR_COMMAND; /* 500 answers only malformed lines; none was sent */
    emit(w, ORACLE_EV_GREETING, 0, 0, &r, rule, tol);
    if (rule == ORACLE_BAD_REPLY)
        return violate(w, rule, 0, 0, &r, "greeting: %s", smtp_rp_status_name(r.status));
    if (rule != ORACLE_OK)
        return violate(w, rule, 0, 0, &r, "greeting is %s, before any line was sent",
                       code_desc(&r, cb));
    tolerate(w, tol);
    paired(w, &r);
    oracle_stream_reply(&w->s, r.code);
    return ORACLE_OK;
}

/* walk_data - message text after a DATA line answered 3yz, and the reply to its end */
static enum oracle_rule walk_data(struct walk *w, const struct oracle_unit *u)
{
    size_t start = u->off, end = u->off + u->len, at = u->eod_at, la, proper_at, proper_end;
    int found = u->text_ended, has_la, tol;
    struct reply r;
    char cb[32];

    /* Look-alikes before the end this walk uses (or before the end of the stream). */
    has_la = oracle_eod_lookalike(w->c, w->clen, start - 2, found ? at : w->clen, &la);
    if (has_la) {
        w->saw_lookalike = 1;
        w->suspect_at = la;
    }
    if (w->reading.eod != ORACLE_EOD_PROPER && !w->diverged && found &&
        (!oracle_eod_find(ORACLE_EOD_PROPER, w->c, w->clen, start - 2, &proper_at, &proper_end) ||
         proper_at != at)) {
        w->diverged = 1; /* filled with the reply below */
        w->diverge_at = at;
        memset(&w->diverge_reply, 0, sizeof w->diverge_reply);
    }
    w->pos = end;
    w->suspect = has_la;
    if (!found) {
        /* The stream ends inside the message: its end gets no reply. */
        emit(w, ORACLE_EV_DATA, start, end - start, NULL, ORACLE_OK, -1);
        oracle_stream_skip(&w->s);
        return ORACLE_OK;
    }
    w->last_off = start;
    w->last_len = end - start;
    if (!cursor_next(&w->cur, &r)) {
        emit(w, ORACLE_EV_DATA, start, end - start, NULL, ORACLE_DATA_END, -1);
        return violate(
            w, ORACLE_DATA_END, start, end - start, NULL,
            "no reply after CR LF . CR LF: the server did not see the end of data there");
    }
    if (w->diverged && w->diverge_at == at && w->diverge_reply.len == 0)
        w->diverge_reply = r;
    if (!reply_ok(w, &r, &tol)) {
        emit(w, ORACLE_EV_DATA, start, end - start, &r, ORACLE_BAD_REPLY, -1);
        return violate(w, ORACLE_BAD_REPLY, start, end - start, &r, "reply to the end of data: %s",
                       smtp_rp_status_name(r.status));
    }
    if (r.code == 214) {
        /* 214 answers HELP only: the server took the "." line for a command. A 500 is a
         * legal refusal of the message (contract section 5.5); if the server really read
         * the "." as a command, a smuggling hypothesis fits the replies and says so. */
        emit(w, ORACLE_EV_DATA, start, end - start, &r, ORACLE_DATA_END, tol);
        return violate(w, ORACLE_DATA_END, start, end - start, &r,
                       "end of data answered %s, as if the \".\" line were a command",
                       code_desc(&r, cb));
    }
    emit(w, ORACLE_EV_DATA, start, end - start, &r, ORACLE_OK, tol);
    tolerate(w, tol);
    paired(w, &r);
    oracle_stream_reply_text(&w->s, r.code, w->srv + r.off, r.len);
    return ORACLE_OK;
}

/* line_facts - what rule 1 needs to know about the line of unit u */
static void line_facts(const struct walk *w, const struct oracle_unit *u,
                       struct oracle_line_facts *f)
{
    const char *line = w->c + u->off;
    size_t word = oracle_first_word(line, u->len);

    f->line = line;
    f->len = u->len;
    f->fault = u->fault;
    f->cls = u->cls;
    f->offered_verb = word > 0 && oracle_stream_offers(&w->s, line, word);
    f->chunking_offered = oracle_stream_offers(&w->s, "CHUNKING", 8);
}

/* walk_line - one command line (or AUTH response line) and its reply */
static enum oracle_rule walk_line(struct walk *w, const struct oracle_unit *u)
{
    size_t off = u->off, len = u->len;
    int auth = u->kind == ORACLE_UNIT_AUTH, tol, rtol = ORACLE_TOL_NONE;
    enum oracle_class cls = u->cls;
    enum oracle_rule rule;
    struct oracle_line_facts f;
    struct reply r;
    char cb[32];

    w->pos = off + len;
    w->last_off = off;
    w->last_len = len;
    if (!cursor_next(&w->cur, &r)) {
        if (u->chunk_short || closed_after_error(w)) {
            /* The stream ends inside the chunk (the server may still wait for it), or the
             * server closed after an error reply: nothing more is owed. */
            emit(w, ORACLE_EV_LINE, off, len, NULL, ORACLE_OK,
                 w->closed ? ORACLE_TOL_CLOSE_AFTER_ERROR : -1);
            oracle_stream_skip(&w->s);
            return ORACLE_OK;
        }
        emit(w, ORACLE_EV_LINE, off, len, NULL, ORACLE_MISSING_REPLY, -1);
        return violate(w, ORACLE_MISSING_REPLY, off, len, NULL, "%s got no reply",
                       auth ? "an AUTH response line" : class_name(cls));
    }
    if (!reply_ok(w, &r, &tol)) {
        emit(w, ORACLE_EV_LINE, off, len, &r, ORACLE_BAD_REPLY, -1);
        return violate(w, ORACLE_BAD_REPLY, off, len, &r, "%s", smtp_rp_status_name(r.status));
    }
    line_facts(w, u, &f);
    rule = auth ? ORACLE_OK : oracle_rule1(w->how.profile, &f, r.code, &rtol);
    if (rule != ORACLE_OK && r.code == 421 && w->how.profile == ORACLE_PROFILE_RFC)
        rule = ORACLE_OK, rtol = ORACLE_TOL_421; /* RFC 5321 3.8: any command may get it */
    if (rule == ORACLE_HELP_NOT_214 && r.code == 503 && oracle_stream_bdat_failed(&w->s) &&
        w->how.profile == ORACLE_PROFILE_RFC)
        rule = ORACLE_OK, rtol = ORACLE_TOL_BDAT_FAILED; /* RFC 3030 2: RSET is owed first */
    emit(w, ORACLE_EV_LINE, off, len, &r, rule, rtol != ORACLE_TOL_NONE ? rtol : tol);
    if (rule != ORACLE_OK) {
        int bad = cls == ORACLE_LINE_MALFORMED;
        return violate(w, rule, off, len, &r, "%s%s%s%s got %s", class_name(cls), bad ? " (" : "",
                       bad ? oracle_fault_name(u->fault) : "", bad ? ")" : "", code_desc(&r, cb));
    }
    /* The line was answered correctly: a violation from now on is not "right after" data. */
    w->suspect = 0;
    tolerate(w, tol);
    tolerate(w, rtol);
    if (w->reading.bare_lf_ends_line == 0 && memchr(w->c + off, '\n', len - 1) != NULL)
        tolerate(w, ORACLE_TOL_BARE_LF_INSIDE);
    if (w->reading.line_cut > 0 && len == w->reading.line_cut && w->c[off + len - 1] != '\n')
        tolerate(w, ORACLE_TOL_LINE_CUT);
    paired(w, &r);
    oracle_stream_reply_text(&w->s, r.code, w->srv + r.off, r.len);
    return ORACLE_OK;
}

/* walk_quiet - a unit owed no reply: report it to the observer and move on */
static void walk_quiet(struct walk *w, const struct oracle_unit *u)
{
    static const enum oracle_event_kind kinds[ORACLE_UNIT_KIND_COUNT] = {
        [ORACLE_UNIT_CHUNK] = ORACLE_EV_CHUNK,
        [ORACLE_UNIT_TAIL] = ORACLE_EV_TAIL,
        [ORACLE_UNIT_AFTER] = ORACLE_EV_AFTER,
        [ORACLE_UNIT_UNCHECKED] = ORACLE_EV_UNCHECKED};

    emit(w, kinds[u->kind], u->off, u->len, NULL, ORACLE_OK, -1);
    w->pos = u->off + u->len;
    if (u->kind == ORACLE_UNIT_TAIL) {
        w->last_off = u->off;
        w->last_len = u->len;
    }
    oracle_stream_skip(&w->s);
}

/*
 * walk_end - the client stream is walked: any reply left is extra, except
 * (rfc) one last 4yz, 5yz or 221 answering the client's close
 */
static enum oracle_rule walk_end(struct walk *w)
{
    struct reply r, more;
    int tol;

    if (!cursor_next(&w->cur, &r))
        return ORACLE_OK;
    if (w->how.profile == ORACLE_PROFILE_RFC && !oracle_stream_over(&w->s) && !w->closed &&
        reply_ok(w, &r, &tol) && (r.code / 100 == 4 || r.code / 100 == 5 || r.code == 221) &&
        !cursor_next(&w->cur, &more)) {
        emit(w, ORACLE_EV_AFTER, w->clen, 0, &r, ORACLE_OK, ORACLE_TOL_FINAL_REPLY);
        tolerate(w, ORACLE_TOL_FINAL_REPLY);
        return ORACLE_OK;
    }
    return violate(w, ORACLE_EXTRA_REPLY, w->last_off, w->last_len, &r,
                   oracle_stream_over(&w->s) ? "a reply after the session ended (221 or 421)"
                                             : "a reply that answers no line");
}

/* walk_run - pair the whole session under w's reading; ORACLE_OK or the first violation */
static enum oracle_rule walk_run(struct walk *w)
{
    enum oracle_rule rule = ORACLE_OK;

    for (;;) {
        const struct oracle_unit *u = oracle_stream_unit(&w->s);

        if (w->closed && u->kind != ORACLE_UNIT_END && u->kind != ORACLE_UNIT_UNCHECKED) {
            /* The server closed after an error: the rest is owed nothing. */
            emit(w, ORACLE_EV_AFTER, u->off, w->clen - u->off, NULL, ORACLE_OK, -1);
            w->pos = w->clen;
            return ORACLE_OK;
        }
        switch (u->kind) {
        case ORACLE_UNIT_GREETING:
            rule = walk_greeting(w);
            break;
        case ORACLE_UNIT_LINE:
        case ORACLE_UNIT_AUTH:
            rule = walk_line(w, u);
            break;
        case ORACLE_UNIT_TEXT:
            rule = walk_data(w, u);
            break;
        case ORACLE_UNIT_UNCHECKED:
            if (u->len > 0)
                walk_quiet(w, u);
            return ORACLE_OK; /* replies from here on are not the oracle's business */
        case ORACLE_UNIT_CHUNK:
        case ORACLE_UNIT_TAIL:
        case ORACLE_UNIT_AFTER:
            walk_quiet(w, u);
            break;
        case ORACLE_UNIT_END:
        case ORACLE_UNIT_KIND_COUNT:
            return walk_end(w);
        }
        if (rule != ORACLE_OK)
            return rule;
    }
}

static void walk_init(struct walk *w, const struct oracle_judging *how,
                      const struct oracle_reading *reading, const char *client, size_t client_len,
                      const char *server, size_t server_len, struct oracle_verdict *v)
{
    memset(w, 0, sizeof *w);
    w->c = client != NULL ? client : "";
    w->clen = client != NULL ? client_len : 0;
    w->srv = server != NULL ? server : "";
    w->how = *how;
    if (reading != NULL)
        w->reading = *reading;
    else
        oracle_reading_reference(&w->reading);
    oracle_stream_init(&w->s, w->c, w->clen, &w->reading);
    cursor_init(&w->cur, w->srv, server != NULL ? server_len : 0);
    w->v = v;
    memset(v, 0, sizeof *v);
    v->rule = ORACLE_OK;
}

enum oracle_rule oracle_walk_observe(const struct oracle_judging *how,
                                     const struct oracle_reading *r, const char *client,
                                     size_t client_len, const char *server, size_t server_len,
                                     oracle_observer observe, void *ctx, size_t *client_pos,
                                     size_t *server_pos)
{
    struct oracle_verdict v;
    struct walk w;
    enum oracle_rule rule;

    walk_init(&w, how, r, client, client_len, server, server_len, &v);
    w.observe = observe;
    w.ctx = ctx;
    rule = walk_run(&w);
    *client_pos = w.pos;
    *server_pos = w.cur.start;
    return rule;
}

/* ------------------------------------------------------------------ */
/* Judging: every reading, then the smuggling hypotheses                 */

#define DIGIT_CHOICES 6 /* distinct long BDAT sizes whose reading is tried */

/* The line buffers a server may cut an over-long line at (profile rfc): powers of two. */
static const unsigned cut_sizes[] = {1024, 2048, 4096, 8192, 16384, 32768, 65536};
#define CUT_CHOICES (sizeof cut_sizes / sizeof cut_sizes[0])

/* What the client stream holds that a reading could read another way. */
struct choices {
    int bare_lf;    /* a command could end in a bare LF */
    int bdat;       /* any BDAT line (its chunk may be refused unread) */
    size_t ndigits; /* distinct digit counts over 9 of BDAT sizes */
    unsigned char digits[DIGIT_CHOICES];
    size_t longest; /* octets of the longest line, LF included (or of the tail) */
    int lenient;    /* a BDAT line whose size only a lenient parse reads */
    int bdats;      /* BDAT lines (up to 2: a second may follow a failed first) */
};

/* note_digits - one more long BDAT size: remember its digit count once */
static void note_digits(struct choices *ch, size_t d)
{
    size_t k;
    unsigned char v = d > 254 ? 254 : (unsigned char)d;

    for (k = 0; k < ch->ndigits; k++)
        if (ch->digits[k] == v)
            return;
    if (ch->ndigits < DIGIT_CHOICES)
        ch->digits[ch->ndigits++] = v;
}

/* scan_choices - a cheap look over the whole stream (it may hold any octets) */
static void scan_choices(const char *c, size_t len, struct choices *ch)
{
    size_t i = 0;

    memset(ch, 0, sizeof *ch);
    while (i < len) {
        const char *lf = memchr(c + i, '\n', len - i);
        size_t end = lf != NULL ? (size_t)(lf - c) + 1 : len, d = 0;
        if (lf != NULL && (end - i < 2 || c[end - 2] != '\r'))
            ch->bare_lf = 1;
        if (end - i > ch->longest)
            ch->longest = end - i;
        if (end - i >= 7 && oracle_same_word(c + i, 4, "BDAT") && c[i + 4] == ' ') {
            ch->bdat = 1;
            ch->bdats += ch->bdats < 2;
            while (i + 5 + d < end && c[i + 5 + d] >= '0' && c[i + 5 + d] <= '9')
                d++;
            if (d > ORACLE_BDAT_DIGITS_MAX)
                note_digits(ch, d);
            if (lf != NULL) {
                uint64_t size;
                size_t n;
                ch->lenient |= oracle_bdat_lenient(c + i, end - i, &size, &n);
            }
        }
        i = end;
    }
    /* A chunk may end in CR, and the LF after it start the next command line: a bare LF the
     * scan above, blind to chunks, takes for half of a CR LF. */
    ch->bare_lf |= ch->bdat;
}

/*
 * How many values each choice takes in this stream, under this profile: a bare LF a line end
 * or not (rfc), each digit count a refused BDAT may stop being read at, a refused BDAT without
 * CHUNKING read or not, each line buffer an over-long line may be cut at (rfc), a BDAT size
 * read past RFC 3030's grammar or not (rfc). Reading 0 is the reference's.
 */
struct span {
    unsigned bare, digits, unoffered, cut, lenient, failed;
};

/* choice_span - the span of every choice for this stream and profile */
static void choice_span(const struct oracle_judging *how, const struct choices *ch, struct span *sp)
{
    int rfc = how->profile == ORACLE_PROFILE_RFC;

    sp->bare = rfc && ch->bare_lf ? 2 : 1;
    sp->digits = 1 + (unsigned)ch->ndigits;
    sp->unoffered = ch->bdat ? 2 : 1;
    sp->cut = 1;
    while (rfc && sp->cut - 1 < CUT_CHOICES && ch->longest > cut_sizes[sp->cut - 1] + 1)
        sp->cut++; /* the buffer sizes some line outgrows */
    sp->lenient = rfc && ch->lenient ? 2 : 1;
    sp->failed = rfc && ch->bdats > 1 ? 2 : 1;
}

/* reading_of - reading number k of the span into *r (mixed radix); 0 past the last */
static int reading_of(const struct choices *ch, const struct span *sp, unsigned k,
                      struct oracle_reading *r)
{
    unsigned d;

    oracle_reading_reference(r);
    d = k % sp->bare, k /= sp->bare;
    r->bare_lf_ends_line = (unsigned char)(d == 0);
    d = k % sp->digits, k /= sp->digits;
    r->bdat_digits = d == 0 ? ORACLE_BDAT_DIGITS_MAX : ch->digits[d - 1];
    d = k % sp->unoffered, k /= sp->unoffered;
    r->unoffered_bdat_chunk = (unsigned char)(d == 0);
    d = k % sp->cut, k /= sp->cut;
    r->line_cut = d == 0 ? 0 : cut_sizes[d - 1];
    d = k % sp->lenient, k /= sp->lenient;
    r->bdat_lenient = (unsigned char)d;
    d = k % sp->failed, k /= sp->failed;
    r->failed_bdat_chunk = (unsigned char)(d == 0);
    return k == 0;
}

/*
 * pairing_rule - a missing or an extra reply: what a reading that frames the stream wrongly
 * sees, so between two readings that fit equally far, the one that names a reply wins
 */
static int pairing_rule(enum oracle_rule rule)
{
    return rule == ORACLE_MISSING_REPLY || rule == ORACLE_EXTRA_REPLY;
}

/* judge_walk - one walk under (how, reading); the rule, with the walk left in *w */
static enum oracle_rule judge_walk(struct walk *w, const struct oracle_judging *how,
                                   const struct oracle_reading *reading, const char *client,
                                   size_t client_len, const char *server, size_t server_len,
                                   struct oracle_verdict *v)
{
    walk_init(w, how, reading, client, client_len, server, server_len, v);
    return walk_run(w);
}

/* keep - the walk's reading and tolerances into *j */
static void keep(const struct walk *w, struct oracle_judged *j)
{
    int t;

    if (j == NULL)
        return;
    memset(j, 0, sizeof *j);
    j->reading = w->reading;
    for (t = 0; t < ORACLE_TOL_COUNT; t++) {
        j->tolerated[t] = w->tolerated[t];
        j->ntolerated += w->tolerated[t];
    }
}

/*
 * smuggled - rule 5 by hypothesis: do the replies fit a server that also
 * ends message data at a look-alike? 1 with the r5 verdict in *v, else 0
 */
static int smuggled(struct walk *h, const struct oracle_judging *how,
                    const struct oracle_reading *framing, const char *client, size_t client_len,
                    const char *server, size_t server_len, struct oracle_verdict *v)
{
    struct oracle_verdict hv;
    struct oracle_reading r = *framing;
    unsigned k;

    for (k = ORACLE_EOD_PROPER + 1; k < oracle_eod_rules(); k++) {
        r.eod = k;
        if (judge_walk(h, how, &r, client, client_len, server, server_len, &hv) != ORACLE_OK ||
            !h->diverged)
            continue;
        memset(v, 0, sizeof *v);
        v->rule = ORACLE_DATA_END;
        v->line_off = h->diverge_at;
        v->line_len = h->diverge_at < client_len ? client_len - h->diverge_at : 0;
        if (v->line_len > 64)
            v->line_len = 64;
        v->reply_off = h->diverge_reply.off;
        v->reply_len = h->diverge_reply.len;
        snprintf(v->detail, sizeof v->detail,
                 "the replies fit a server that ends message data at %s (client octet %zu), "
                 "not only at CR LF . CR LF",
                 oracle_eod_name(k), h->diverge_at);
        return 1;
    }
    return 0;
}

enum oracle_rule oracle_judge(const struct oracle_judging *how, const char *client,
                              size_t client_len, const char *server, size_t server_len,
                              struct oracle_verdict *v, struct oracle_judged *j)
{
    struct walk w[2], *best = &w[1];
    struct oracle_verdict tv;
    struct oracle_reading r;
    struct choices ch;
    enum oracle_rule rule, best_rule;
    struct span span;
    unsigned k;

    if (client == NULL)
        client_len = 0;
    if (server == NULL)
        server_len = 0;
    best_rule = judge_walk(best, how, NULL, client, client_len, server, server_len, v);
    if (best_rule == ORACLE_OK)
        goto done;
    /* Every other reading the stream gives a chance to, each for the whole session. */
    scan_choices(client, client_len, &ch);
    choice_span(how, &ch, &span);
    for (k = 1; reading_of(&ch, &span, k, &r); k++) {
        rule = judge_walk(&w[0], how, &r, client, client_len, server, server_len, &tv);
        if (rule == ORACLE_OK) {
            keep(&w[0], j);
            memset(v, 0, sizeof *v);
            return ORACLE_OK;
        }
        if (w[0].paired > best->paired ||
            (w[0].paired == best->paired && pairing_rule(best_rule) && !pairing_rule(rule))) {
            best[0] = w[0];
            best_rule = rule;
            *v = tv;
        }
    }
    /* Smuggling: only a reading the replies fit up to a message with a look-alike in it. */
    if (best_rule != ORACLE_BAD_REPLY && best->saw_lookalike) {
        struct oracle_reading framing = best->reading;
        if (smuggled(&w[0], how, &framing, client, client_len, server, server_len, v)) {
            keep(&w[0], j);
            return ORACLE_DATA_END;
        }
    }
done:
    keep(best, j);
    return best_rule;
}

enum oracle_rule oracle_check(const char *client, size_t client_len, const char *server,
                              size_t server_len, struct oracle_verdict *v)
{
    struct oracle_judging how = {ORACLE_PROFILE_STRICT, 0};

    return oracle_judge(&how, client, client_len, server, server_len, v, NULL);
}

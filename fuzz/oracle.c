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
 * The walk. Client lines and replies are paired in one pass; a "cursor"
 * pulls the next reply out of the server stream on demand, so no reply
 * list is built and nothing is allocated. The walk stops at the first
 * violation. Events (greeting, line, message text, chunk, ...) go to an
 * optional observer; the transcript printer and oracle_line_for_reply are
 * observers, so they pair lines and replies exactly as the check does.
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
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "oracle_line.h"
#include "oracle_stream.h"
#include "smtp_reply_parse.h"

#define REPORT_WIDTH 240     /* escaped characters of a line or reply in a report */
#define TRANSCRIPT_WIDTH 200 /* escaped characters per transcript row */

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

enum event_kind {
    EV_GREETING, /* the first reply */
    EV_LINE,     /* a command line and its reply */
    EV_DATA,     /* message text (end of data included) and the reply to its end */
    EV_CHUNK,    /* BDAT chunk octets (their reply went with the BDAT line) */
    EV_TAIL,     /* an unterminated tail: no reply expected */
    EV_AFTER,    /* a line after the session ended: no reply expected */
    EV_UNCHECKED /* client octets the oracle does not pair (after STARTTLS, a 554 greeting) */
};

struct event {
    enum event_kind kind;
    size_t off, len;           /* client octets */
    const struct reply *reply; /* NULL when none */
    enum oracle_rule verdict;  /* ORACLE_OK or the violation found here */
};

typedef void (*observer_fn)(void *ctx, const struct event *ev);

struct walk {
    const char *c;
    size_t clen;
    struct oracle_stream s; /* where each unit ends, settled by the replies (oracle_stream.h) */
    struct cursor cur;
    unsigned eod; /* the end-of-data rule this walk follows */
    observer_fn observe;
    void *ctx;
    struct oracle_verdict *v;
    size_t pos;                /* client octets walked so far (for the transcript's rest) */
    size_t last_off, last_len; /* the last client line read, for an extra reply at the end */
    /* for rule 5 */
    int saw_lookalike; /* some message text held a look-alike */
    int suspect;       /* a violation now is "right after" such a message */
    size_t suspect_at; /* where that look-alike is */
    int diverged;      /* a hypothesis ended some message before its proper end */
    size_t diverge_at; /* where */
    struct reply diverge_reply;
};

static void emit(struct walk *w, enum event_kind kind, size_t off, size_t len,
                 const struct reply *r, enum oracle_rule verdict)
{
    struct event ev;

    if (w->observe == NULL)
        return;
    ev.kind = kind;
    ev.off = off;
    ev.len = len;
    ev.reply = r;
    ev.verdict = verdict;
    w->observe(w->ctx, &ev);
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
 * a message must not be reported as smuggling); oracle_check's hypothesis
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

/* check_class - the r1 rules for a reply to a line of class cls, or ORACLE_OK */
static enum oracle_rule check_class(enum oracle_class cls, unsigned code)
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

static const char *class_name(enum oracle_class cls)
{
    return cls == ORACLE_LINE_MALFORMED ? "a malformed line"
           : cls == ORACLE_LINE_HELP    ? "HELP"
                                        : "a recognised command";
}

/* walk_greeting - check the first reply */
static enum oracle_rule walk_greeting(struct walk *w)
{
    struct reply r;
    enum oracle_rule rule = ORACLE_OK;
    char cb[32];

    if (!cursor_next(&w->cur, &r)) {
        emit(w, EV_GREETING, 0, 0, NULL, ORACLE_MISSING_REPLY);
        return violate(w, ORACLE_MISSING_REPLY, 0, 0, NULL, "no greeting: the server sent nothing");
    }
    if (r.status != SMTP_RP_OK)
        rule = ORACLE_BAD_REPLY;
    else if (r.code == 214)
        rule = ORACLE_214_NOT_HELP;
    else if (r.code == 500)
        rule = ORACLE_500_FOR_COMMAND; /* 500 answers only malformed lines; none was sent */
    emit(w, EV_GREETING, 0, 0, &r, rule);
    if (rule == ORACLE_BAD_REPLY)
        return violate(w, rule, 0, 0, &r, "greeting: %s", smtp_rp_status_name(r.status));
    if (rule != ORACLE_OK)
        return violate(w, rule, 0, 0, &r, "greeting is %s, before any line was sent",
                       code_desc(&r, cb));
    oracle_stream_reply(&w->s, r.code);
    return ORACLE_OK;
}

/* walk_data - message text after a DATA line answered 3yz, and the reply to its end */
static enum oracle_rule walk_data(struct walk *w, const struct oracle_unit *u)
{
    size_t start = u->off, end = u->off + u->len, at = u->eod_at, la, proper_at, proper_end;
    int found = u->text_ended;
    int has_la;
    struct reply r;
    char cb[32];

    /* Look-alikes before the end this walk uses (or before the end of the stream). */
    has_la = oracle_eod_lookalike(w->c, w->clen, start - 2, found ? at : w->clen, &la);
    if (has_la) {
        w->saw_lookalike = 1;
        w->suspect_at = la;
    }
    if (w->eod != ORACLE_EOD_PROPER && !w->diverged && found &&
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
        emit(w, EV_DATA, start, end - start, NULL, ORACLE_OK);
        oracle_stream_skip(&w->s);
        return ORACLE_OK;
    }
    w->last_off = start;
    w->last_len = end - start;
    if (!cursor_next(&w->cur, &r)) {
        emit(w, EV_DATA, start, end - start, NULL, ORACLE_DATA_END);
        return violate(
            w, ORACLE_DATA_END, start, end - start, NULL,
            "no reply after CR LF . CR LF: the server did not see the end of data there");
    }
    if (w->diverged && w->diverge_at == at && w->diverge_reply.len == 0)
        w->diverge_reply = r;
    if (r.status != SMTP_RP_OK) {
        emit(w, EV_DATA, start, end - start, &r, ORACLE_BAD_REPLY);
        return violate(w, ORACLE_BAD_REPLY, start, end - start, &r, "reply to the end of data: %s",
                       smtp_rp_status_name(r.status));
    }
    if (r.code == 500 || r.code == 214) {
        /* 500 and 214 answer command lines only: the server took the "." line for one. */
        emit(w, EV_DATA, start, end - start, &r, ORACLE_DATA_END);
        return violate(w, ORACLE_DATA_END, start, end - start, &r,
                       "end of data answered %s, as if the \".\" line were a command",
                       code_desc(&r, cb));
    }
    emit(w, EV_DATA, start, end - start, &r, ORACLE_OK);
    oracle_stream_reply(&w->s, r.code);
    return ORACLE_OK;
}

/* walk_line - one command line (or AUTH response line) and its reply */
static enum oracle_rule walk_line(struct walk *w, const struct oracle_unit *u)
{
    size_t off = u->off, len = u->len;
    int auth = u->kind == ORACLE_UNIT_AUTH;
    enum oracle_class cls = u->cls;
    enum oracle_rule rule;
    struct reply r;
    char cb[32];

    w->pos = off + len;
    w->last_off = off;
    w->last_len = len;
    if (!cursor_next(&w->cur, &r)) {
        if (u->chunk_short) {
            /* The stream ends inside the chunk: the server may still be waiting for it. */
            emit(w, EV_LINE, off, len, NULL, ORACLE_OK);
            oracle_stream_skip(&w->s);
            return ORACLE_OK;
        }
        emit(w, EV_LINE, off, len, NULL, ORACLE_MISSING_REPLY);
        return violate(w, ORACLE_MISSING_REPLY, off, len, NULL, "%s got no reply",
                       auth ? "an AUTH response line" : class_name(cls));
    }
    if (r.status != SMTP_RP_OK) {
        emit(w, EV_LINE, off, len, &r, ORACLE_BAD_REPLY);
        return violate(w, ORACLE_BAD_REPLY, off, len, &r, "%s", smtp_rp_status_name(r.status));
    }
    rule = auth ? ORACLE_OK : check_class(cls, r.code);
    emit(w, EV_LINE, off, len, &r, rule);
    if (rule != ORACLE_OK) {
        int bad = cls == ORACLE_LINE_MALFORMED;
        return violate(w, rule, off, len, &r, "%s%s%s%s got %s", class_name(cls), bad ? " (" : "",
                       bad ? oracle_fault_name(u->fault) : "", bad ? ")" : "", code_desc(&r, cb));
    }
    /* The line was answered correctly: a violation from now on is not "right after" data. */
    w->suspect = 0;
    oracle_stream_reply(&w->s, r.code);
    return ORACLE_OK;
}

/* walk_quiet - a unit owed no reply: report it to the observer and move on */
static void walk_quiet(struct walk *w, const struct oracle_unit *u)
{
    static const enum event_kind kinds[ORACLE_UNIT_KIND_COUNT] = {[ORACLE_UNIT_CHUNK] = EV_CHUNK,
                                                                  [ORACLE_UNIT_TAIL] = EV_TAIL,
                                                                  [ORACLE_UNIT_AFTER] = EV_AFTER,
                                                                  [ORACLE_UNIT_UNCHECKED] =
                                                                      EV_UNCHECKED};

    emit(w, kinds[u->kind], u->off, u->len, NULL, ORACLE_OK);
    w->pos = u->off + u->len;
    if (u->kind == ORACLE_UNIT_TAIL) {
        w->last_off = u->off;
        w->last_len = u->len;
    }
    oracle_stream_skip(&w->s);
}

/* walk_run - pair the whole session under w->eod; ORACLE_OK or the first violation */
static enum oracle_rule walk_run(struct walk *w)
{
    enum oracle_rule rule = ORACLE_OK;
    struct reply r;

    for (;;) {
        const struct oracle_unit *u = oracle_stream_unit(&w->s);

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
            if (cursor_next(&w->cur, &r)) {
                return violate(w, ORACLE_EXTRA_REPLY, w->last_off, w->last_len, &r,
                               oracle_stream_over(&w->s)
                                   ? "a reply after the session ended (221 or 421)"
                                   : "a reply that answers no line");
            }
            return ORACLE_OK;
        }
        if (rule != ORACLE_OK)
            return rule;
    }
}

static void walk_init(struct walk *w, const char *client, size_t client_len, const char *server,
                      size_t server_len, unsigned eod, struct oracle_verdict *v)
{
    memset(w, 0, sizeof *w);
    w->c = client;
    w->clen = client_len;
    oracle_stream_init(&w->s, client, client_len, eod, 0);
    cursor_init(&w->cur, server, server_len);
    w->eod = eod;
    w->v = v;
    memset(v, 0, sizeof *v);
    v->rule = ORACLE_OK;
}

/* ------------------------------------------------------------------ */
/* The public entry points                                              */

enum oracle_rule oracle_check(const char *client, size_t client_len, const char *server,
                              size_t server_len, struct oracle_verdict *v)
{
    struct walk w, h;
    struct oracle_verdict hv;
    enum oracle_rule rule;
    unsigned k;

    if (client == NULL)
        client_len = 0;
    if (server == NULL)
        server_len = 0;
    walk_init(&w, client, client_len, server, server_len, ORACLE_EOD_PROPER, v);
    rule = walk_run(&w);
    if (rule == ORACLE_OK || rule == ORACLE_BAD_REPLY || !w.saw_lookalike)
        return rule;

    /* Would the replies fit a server that also ends data at a look-alike? */
    for (k = ORACLE_EOD_PROPER + 1; k < oracle_eod_rules(); k++) {
        walk_init(&h, client, client_len, server, server_len, k, &hv);
        if (walk_run(&h) != ORACLE_OK || !h.diverged)
            continue;
        memset(v, 0, sizeof *v);
        v->rule = ORACLE_DATA_END;
        v->line_off = h.diverge_at;
        v->line_len = h.diverge_at < client_len ? client_len - h.diverge_at : 0;
        if (v->line_len > 64)
            v->line_len = 64;
        v->reply_off = h.diverge_reply.off;
        v->reply_len = h.diverge_reply.len;
        snprintf(v->detail, sizeof v->detail,
                 "the replies fit a server that ends message data at %s (client octet %zu), "
                 "not only at CR LF . CR LF",
                 oracle_eod_name(k), h.diverge_at);
        return ORACLE_DATA_END;
    }
    return rule;
}

/* print_field - "  <label> @off (n octets): "escaped"" */
static void print_field(FILE *out, const char *label, const char *base, size_t off, size_t len)
{
    fprintf(out, "  %-6s @%zu (%zu octets): \"", label, off, len);
    escape_print(out, base + off, len, REPORT_WIDTH);
    fputs("\"\n", out);
}

void oracle_report(const struct oracle_verdict *v, const char *client, const char *server)
{
    if (v == NULL)
        return;
    fprintf(stderr, "smtpfuzz oracle: %s: %s\n", oracle_rule_id(v->rule),
            oracle_rule_text(v->rule));
    if (v->detail[0] != '\0')
        fprintf(stderr, "  detail: %s\n", v->detail);
    if (client != NULL && v->line_len > 0)
        print_field(stderr, "line", client, v->line_off, v->line_len);
    else
        fputs("  line   (none)\n", stderr);
    if (server != NULL && v->reply_len > 0)
        print_field(stderr, "reply", server, v->reply_off, v->reply_len);
    else
        fputs("  reply  (none)\n", stderr);
    fflush(stderr);
}

_Noreturn void oracle_fail(const struct oracle_verdict *v, const char *client, const char *server)
{
    oracle_report(v, client, server);
    abort();
}

/* ------------------------------------------------------------------ */
/* Observers: the transcript and the reply-to-line lookup               */

/* print_rows - one row per LF-ended piece of (p, n), each prefixed, escaped and capped */
static void print_rows(FILE *out, const char *prefix, const char *p, size_t n)
{
    size_t off = 0;

    while (off < n) {
        const char *lf = memchr(p + off, '\n', n - off);
        size_t k = lf != NULL ? (size_t)(lf - (p + off)) + 1 : n - off;
        fputs(prefix, out);
        escape_print(out, p + off, k, TRANSCRIPT_WIDTH);
        fputc('\n', out);
        off += k;
    }
}

struct transcript {
    FILE *out;
    const char *client, *server;
};

static void transcript_event(void *ctx, const struct event *ev)
{
    struct transcript *t = ctx;
    const char *note = NULL;

    switch (ev->kind) {
    case EV_GREETING:
        fputs("   (greeting)\n", t->out);
        break;
    case EV_LINE:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        break;
    case EV_DATA:
        print_rows(t->out, "D: ", t->client + ev->off, ev->len);
        if (ev->reply == NULL && ev->verdict == ORACLE_OK)
            note = "(input ends inside the message text: no reply expected)";
        break;
    case EV_CHUNK:
        fprintf(t->out, "B: [chunk, %zu octets] \"", ev->len);
        escape_print(t->out, t->client + ev->off, ev->len, TRANSCRIPT_WIDTH);
        fputs("\"\n", t->out);
        break;
    case EV_TAIL:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(unterminated tail: no reply expected)";
        break;
    case EV_AFTER:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(after the session ended: no reply expected)";
        break;
    case EV_UNCHECKED:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(not plain SMTP from here on: not checked)";
        break;
    }
    if (ev->reply != NULL)
        print_rows(t->out, "S: ", t->server + ev->reply->off, ev->reply->len);
    if (note != NULL)
        fprintf(t->out, "   %s\n", note);
    else if (ev->kind != EV_CHUNK || ev->verdict != ORACLE_OK)
        fprintf(t->out, "   = %s\n", ev->verdict == ORACLE_OK ? "ok" : oracle_rule_id(ev->verdict));
}

void oracle_transcript(FILE *out, const char *client, size_t client_len, const char *server,
                       size_t server_len)
{
    struct oracle_verdict v, wv;
    struct transcript t;
    struct walk w;
    enum oracle_rule rule;

    if (out == NULL)
        return;
    if (client == NULL)
        client_len = 0;
    if (server == NULL)
        server_len = 0;
    rule = oracle_check(client, client_len, server, server_len, &v);

    t.out = out;
    t.client = client;
    t.server = server;
    walk_init(&w, client, client_len, server, server_len, ORACLE_EOD_PROPER, &wv);
    w.observe = transcript_event;
    w.ctx = &t;
    if (walk_run(&w) != ORACLE_OK) {
        /* Whatever follows the first violation, unpaired, so nothing is hidden. */
        if (w.pos < client_len) {
            fputs("   -- client octets after the first violation, not paired --\n", out);
            print_rows(out, "C: ", client + w.pos, client_len - w.pos);
        }
        if (w.cur.start < server_len) {
            fputs("   -- server octets after the first violation, not paired --\n", out);
            print_rows(out, "S: ", server + w.cur.start, server_len - w.cur.start);
        }
    }
    if (rule == ORACLE_OK) {
        fputs("verdict: ok\n", out);
        return;
    }
    fprintf(out, "verdict: %s: %s\n", oracle_rule_id(rule), oracle_rule_text(rule));
    if (v.detail[0] != '\0')
        fprintf(out, "  detail: %s\n", v.detail);
    if (v.line_len > 0) {
        fprintf(out, "  line   @%zu (%zu octets): \"", v.line_off, v.line_len);
        escape_print(out, client + v.line_off, v.line_len, REPORT_WIDTH);
        fputs("\"\n", out);
    }
    if (v.reply_len > 0) {
        fprintf(out, "  reply  @%zu (%zu octets): \"", v.reply_off, v.reply_len);
        escape_print(out, server + v.reply_off, v.reply_len, REPORT_WIDTH);
        fputs("\"\n", out);
    }
}

struct locate {
    size_t want;
    int found;
    size_t off, len;
};

static void locate_event(void *ctx, const struct event *ev)
{
    struct locate *l = ctx;

    if (l->found || ev->reply == NULL)
        return;
    if (l->want >= ev->reply->off && l->want - ev->reply->off < ev->reply->len) {
        l->found = 1;
        l->off = ev->kind == EV_GREETING ? 0 : ev->off;
        l->len = ev->kind == EV_GREETING ? 0 : ev->len;
    }
}

int oracle_line_for_reply(const char *client, size_t client_len, const char *server,
                          size_t server_len, size_t reply_off, size_t *line_off, size_t *line_len)
{
    struct oracle_verdict v;
    struct locate l;
    struct walk w;

    memset(&l, 0, sizeof l);
    l.want = reply_off;
    walk_init(&w, client, client != NULL ? client_len : 0, server, server != NULL ? server_len : 0,
              ORACLE_EOD_PROPER, &v);
    w.observe = locate_event;
    w.ctx = &l;
    (void)walk_run(&w);
    if (!l.found)
        return 0;
    *line_off = l.off;
    *line_len = l.len;
    return 1;
}

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
#include "smtp_reply_parse.h"

#define REPORT_WIDTH 240     /* escaped characters of a line or reply in a report */
#define TRANSCRIPT_WIDTH 200 /* escaped characters per transcript row */
#define BDAT_DIGITS_MAX 9    /* "BDAT <1-9 digits>": more is a malformed size (501) */

/* ------------------------------------------------------------------ */
/* Rules                                                                */

#define RULE_ID_(name, id, text) [name] = id,
static const char *const rule_ids[ORACLE_RULE_COUNT] = {ORACLE_RULE_LIST(RULE_ID_)};
#undef RULE_ID_
#define RULE_TEXT_(name, id, text) [name] = text,
static const char *const rule_texts[ORACLE_RULE_COUNT] = {ORACLE_RULE_LIST(RULE_TEXT_)};
#undef RULE_TEXT_
#define FAULT_TEXT_(name, text) [name] = text,
static const char *const fault_texts[ORACLE_FAULT_COUNT] = {ORACLE_FAULT_LIST(FAULT_TEXT_)};
#undef FAULT_TEXT_

const char *oracle_rule_id(enum oracle_rule rule)
{
    return (unsigned)rule < ORACLE_RULE_COUNT ? rule_ids[rule] : "invalid-rule";
}

const char *oracle_rule_text(enum oracle_rule rule)
{
    return (unsigned)rule < ORACLE_RULE_COUNT ? rule_texts[rule] : "invalid rule";
}

const char *oracle_fault_name(enum oracle_fault fault)
{
    return (unsigned)fault < ORACLE_FAULT_COUNT ? fault_texts[fault] : "invalid fault";
}

/* ------------------------------------------------------------------ */
/* The classifier (SPEC sections 1-3), written for obviousness          */

/* The oracle's own verb list (SPEC 2). Deliberately not src/smtp_verb.h. */
/* clang-format 14 reflows this macro differently on each run: keep it as written. */
/* clang-format off */
#define ORACLE_VERB_LIST(X) \
    X(HELO) X(EHLO) X(MAIL) X(RCPT) X(DATA) X(BDAT) X(RSET) \
    X(VRFY) X(EXPN) X(HELP) X(NOOP) X(QUIT) X(STARTTLS) X(AUTH)
/* clang-format on */

#define VERB_ENUM_(name) V_##name,
enum verb { V_NONE = -1, ORACLE_VERB_LIST(VERB_ENUM_) V_COUNT };
#undef VERB_ENUM_
#define VERB_NAME_(name) #name,
static const char *const verb_names[V_COUNT] = {ORACLE_VERB_LIST(VERB_NAME_)};
#undef VERB_NAME_
/* Lengths known at compile time: verb_of() runs on every line of every input. */
#define VERB_LEN_(name) sizeof #name - 1,
static const size_t verb_lens[V_COUNT] = {ORACLE_VERB_LIST(VERB_LEN_)};
#undef VERB_LEN_

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* upper - ASCII upper case of c; other bytes unchanged */
static unsigned char upper(unsigned char c)
{
    return is_lower(c) ? (unsigned char)(c - 'a' + 'A') : c;
}

/* same_word - (p, n) spells word (upper case, n octets long) in any ASCII case */
static int same_word(const char *p, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (upper((unsigned char)p[i]) != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

/* verb_of - the recognised verb spelled by (p, n), or V_NONE */
static enum verb verb_of(const char *p, size_t n)
{
    int v;

    for (v = 0; v < V_COUNT; v++) {
        if (verb_lens[v] == n && same_word(p, n, verb_names[v]))
            return (enum verb)v;
    }
    return V_NONE;
}

/*
 * utf8_length - octets of the well-formed UTF-8 sequence at p[0..n), or 0
 *
 * RFC 3629 section 3, read literally: decode the sequence its lead byte
 * announces, then reject overlongs (value below the smallest one needing
 * that many octets), surrogates (U+D800..U+DFFF) and values above
 * U+10FFFF. A sequence cut short by the end of the content is invalid.
 */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    static const uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t need, i;
    uint32_t cp;

    if (p[0] >= 0xC0 && p[0] <= 0xDF) {
        need = 2, cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 3, cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF7) {
        need = 4, cp = p[0] & 0x07u;
    } else {
        return 0; /* a continuation byte alone, or F8..FF */
    }
    if (need > n)
        return 0;
    for (i = 1; i < need; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < smallest[need] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return need;
}

/* line_judge - oracle_line_fault(), also setting *verb (V_NONE unless well framed) */
static enum oracle_fault line_judge(const char *line, size_t len, enum verb *verb)
{
    const unsigned char *u = (const unsigned char *)line;
    size_t content, i, k, verb_len;
    int cr = 0, ctrl = 0, bad_utf8 = 0;

    if (len > ORACLE_LINE_MAX)
        return ORACLE_FAULT_TOO_LONG;
    if (len < 2 || u[len - 1] != '\n' || u[len - 2] != '\r')
        return ORACLE_FAULT_BARE_LF;
    content = len - 2;

    /* One pass over the content noting every problem; precedence is applied after. */
    for (i = 0; i < content; i += k) {
        k = 1;
        if (u[i] == '\r')
            cr = 1;
        else if (u[i] < 0x20 || u[i] == 0x7F)
            ctrl = 1; /* NUL, HT, LF (only if the caller passed one inside), other C0, DEL */
        else if (u[i] >= 0x80 && (k = utf8_length(u + i, content - i)) == 0)
            bad_utf8 = 1, k = 1; /* resume after the bad byte so later bytes still count */
    }
    if (cr)
        return ORACLE_FAULT_BARE_CR;
    if (ctrl)
        return ORACLE_FAULT_CTRL;
    if (bad_utf8)
        return ORACLE_FAULT_BAD_UTF8;

    /* The verb: up to the first SP, 1+ ASCII letters (so no UTF-8 in it). */
    for (verb_len = 0; verb_len < content && u[verb_len] != ' '; verb_len++) {
        if (!is_upper(u[verb_len]) && !is_lower(u[verb_len]))
            return ORACLE_FAULT_BAD_VERB;
    }
    if (verb_len == 0)
        return ORACLE_FAULT_BAD_VERB;
    *verb = verb_of(line, verb_len);
    return *verb == V_NONE ? ORACLE_FAULT_UNKNOWN_VERB : ORACLE_FAULT_NONE;
}

enum oracle_fault oracle_line_fault(const char *line, size_t len)
{
    enum verb verb = V_NONE;
    return line_judge(line, len, &verb);
}

/* class_of - the class line_judge()'s two answers add up to */
static enum oracle_class class_of(enum oracle_fault fault, enum verb verb)
{
    if (fault != ORACLE_FAULT_NONE)
        return ORACLE_LINE_MALFORMED;
    return verb == V_HELP ? ORACLE_LINE_HELP : ORACLE_LINE_COMMAND;
}

enum oracle_fault oracle_line_judge(const char *line, size_t len, enum oracle_class *cls)
{
    enum verb verb = V_NONE;
    enum oracle_fault fault = line_judge(line, len, &verb);

    *cls = class_of(fault, verb);
    return fault;
}

enum oracle_class oracle_classify(const char *line, size_t len)
{
    enum oracle_class cls;
    (void)oracle_line_judge(line, len, &cls);
    return cls;
}

/*
 * bdat_size - for a well-framed line, 1 and the chunk size when it is
 * exactly "BDAT" SP 1*9DIGIT [SP "LAST"] CR LF (any case), else 0
 *
 * RFC 3030 section 2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]
 * CR LF. Anything else (extra SPs, more digits, trailing text) is a
 * malformed size: the server answers 501 and reads no chunk (SPEC 5).
 */
static int bdat_size(const char *line, size_t len, uint64_t *size)
{
    size_t content = len - 2, i = 5, digits = 0;
    uint64_t n = 0;

    if (content < 6 || !same_word(line, 4, "BDAT") || line[4] != ' ')
        return 0;
    while (i < content && is_digit((unsigned char)line[i]) && digits < BDAT_DIGITS_MAX + 1) {
        n = n * 10 + (uint64_t)(line[i] - '0');
        i++, digits++;
    }
    if (digits == 0 || digits > BDAT_DIGITS_MAX)
        return 0;
    if (i != content && !(content - i == 5 && line[i] == ' ' && same_word(line + i + 1, 4, "LAST")))
        return 0;
    *size = n;
    return 1;
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
    const char *seq[EOD_SEQS_MAX]; /* NULL-terminated */
};

static const struct eod_rule eod_proper = {"CR LF . CR LF", {EOD_PROPER, NULL}};

static const struct eod_rule eod_hypotheses[] = {
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
#define EOD_HYPOTHESES (sizeof eod_hypotheses / sizeof eod_hypotheses[0])

/*
 * eod_find - the first sequence of rule in c[from..len): sets *at (its
 * first octet) and *end (just past it) and returns 1, or returns 0
 */
static int eod_find(const struct eod_rule *rule, const char *c, size_t len, size_t from, size_t *at,
                    size_t *end)
{
    size_t p, k;

    for (p = from; p < len; p++) {
        for (k = 0; k < EOD_SEQS_MAX && rule->seq[k] != NULL; k++) {
            size_t n;
            if (c[p] != rule->seq[k][0])
                continue; /* the first octet rules out nearly every place, cheaply */
            n = strlen(rule->seq[k]);
            if (n <= len - p && memcmp(c + p, rule->seq[k], n) == 0) {
                *at = p;
                *end = p + n;
                return 1;
            }
        }
    }
    return 0;
}

/*
 * lookalike_at - the first look-alike (a hypothesis sequence other than the
 * proper one) that starts in c[from..until) and fits in c[0..len); returns
 * 1 and sets *at, or returns 0
 */
static int lookalike_at(const char *c, size_t len, size_t from, size_t until, size_t *at)
{
    size_t p, h, k;

    for (p = from; p < until; p++) {
        for (h = 0; h < EOD_HYPOTHESES; h++) {
            for (k = 0; k < EOD_SEQS_MAX && eod_hypotheses[h].seq[k] != NULL; k++) {
                const char *s = eod_hypotheses[h].seq[k];
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

enum walk_mode {
    MODE_COMMAND,  /* pairing lines and replies */
    MODE_OVER,     /* 221 or 421 was sent: no reply may follow */
    MODE_UNCHECKED /* the rest is not plain SMTP the oracle can pair */
};

struct walk {
    const char *c;
    size_t clen;
    struct cursor cur;
    const struct eod_rule *eod;
    observer_fn observe;
    void *ctx;
    struct oracle_verdict *v;
    size_t pos;                /* next client octet to read */
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

/* walk_greeting - check the first reply; sets *mode */
static enum oracle_rule walk_greeting(struct walk *w, enum walk_mode *mode)
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
    /* RFC 5321 3.1/3.8: 421 closes at once; after 554 the server only waits for QUIT. */
    *mode = r.code == 421 ? MODE_OVER : r.code == 554 ? MODE_UNCHECKED : MODE_COMMAND;
    return ORACLE_OK;
}

/*
 * walk_data - message text after a DATA line answered 3yz; start is the
 * first octet after the DATA line
 */
static enum oracle_rule walk_data(struct walk *w, size_t start, enum walk_mode *mode)
{
    size_t at, end, la, proper_at, proper_end;
    int found = eod_find(w->eod, w->c, w->clen, start - 2, &at, &end);
    int has_la;
    struct reply r;
    char cb[32];

    /* Look-alikes before the end this walk uses (or before the end of the stream). */
    has_la = lookalike_at(w->c, w->clen, start - 2, found ? at : w->clen, &la);
    if (has_la) {
        w->saw_lookalike = 1;
        w->suspect_at = la;
    }
    if (w->eod != &eod_proper && !w->diverged && found &&
        (!eod_find(&eod_proper, w->c, w->clen, start - 2, &proper_at, &proper_end) ||
         proper_at != at)) {
        w->diverged = 1; /* filled with the reply below */
        w->diverge_at = at;
        memset(&w->diverge_reply, 0, sizeof w->diverge_reply);
    }
    if (!found) {
        /* The stream ends inside the message: its end gets no reply. */
        emit(w, EV_DATA, start, w->clen - start, NULL, ORACLE_OK);
        w->pos = w->clen;
        w->suspect = has_la;
        return ORACLE_OK;
    }
    w->pos = end;
    w->last_off = start;
    w->last_len = end - start;
    w->suspect = has_la;
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
    if (r.code == 221 || r.code == 421)
        *mode = MODE_OVER;
    return ORACLE_OK;
}

/* walk_line - one command line [off, end) in command mode */
static enum oracle_rule walk_line(struct walk *w, size_t off, size_t end, int *auth_cont,
                                  enum walk_mode *mode)
{
    const char *line = w->c + off;
    size_t len = end - off;
    enum verb verb = V_NONE;
    enum oracle_fault fault = line_judge(line, len, &verb);
    enum oracle_class cls = class_of(fault, verb);
    uint64_t chunk = 0;
    int is_bdat = verb == V_BDAT && bdat_size(line, len, &chunk);
    int short_chunk = is_bdat && chunk > w->clen - end;
    enum oracle_rule rule;
    struct reply r;
    char cb[32];

    w->pos = end;
    w->last_off = off;
    w->last_len = len;
    if (!cursor_next(&w->cur, &r)) {
        if (short_chunk) {
            /* The stream ends inside the chunk: the server may still be waiting for it. */
            emit(w, EV_LINE, off, len, NULL, ORACLE_OK);
            emit(w, EV_CHUNK, end, w->clen - end, NULL, ORACLE_OK);
            w->pos = w->clen;
            return ORACLE_OK;
        }
        emit(w, EV_LINE, off, len, NULL, ORACLE_MISSING_REPLY);
        return violate(w, ORACLE_MISSING_REPLY, off, len, NULL, "%s got no reply",
                       *auth_cont ? "an AUTH response line" : class_name(cls));
    }
    if (r.status != SMTP_RP_OK) {
        emit(w, EV_LINE, off, len, &r, ORACLE_BAD_REPLY);
        return violate(w, ORACLE_BAD_REPLY, off, len, &r, "%s", smtp_rp_status_name(r.status));
    }
    rule = *auth_cont ? ORACLE_OK : check_class(cls, r.code);
    emit(w, EV_LINE, off, len, &r, rule);
    if (rule != ORACLE_OK) {
        return violate(w, rule, off, len, &r, "%s%s%s%s got %s", class_name(cls),
                       cls == ORACLE_LINE_MALFORMED ? " (" : "",
                       cls == ORACLE_LINE_MALFORMED ? oracle_fault_name(fault) : "",
                       cls == ORACLE_LINE_MALFORMED ? ")" : "", code_desc(&r, cb));
    }
    /* The line was answered correctly: a violation from now on is not "right after" data. */
    w->suspect = 0;

    if (r.code == 221 || r.code == 421) {
        *mode = MODE_OVER;
        return ORACLE_OK;
    }
    if (*auth_cont) {
        *auth_cont = r.code == 334; /* RFC 4954: 334 asks for one more response line */
        return ORACLE_OK;
    }
    if (is_bdat) {
        size_t n = short_chunk ? w->clen - end : (size_t)chunk;
        emit(w, EV_CHUNK, end, n, NULL, ORACLE_OK);
        w->pos = end + n;
        return ORACLE_OK;
    }
    if (verb == V_DATA && r.code / 100 == 3)
        return walk_data(w, end, mode);
    if (verb == V_AUTH && r.code == 334)
        *auth_cont = 1;
    if (verb == V_STARTTLS && r.code / 100 == 2)
        *mode = MODE_UNCHECKED; /* RFC 3207: TLS from here on */
    return ORACLE_OK;
}

/* walk_run - pair the whole session under w->eod; ORACLE_OK or the first violation */
static enum oracle_rule walk_run(struct walk *w)
{
    enum walk_mode mode = MODE_COMMAND;
    int auth_cont = 0;
    enum oracle_rule rule;
    struct reply r;

    rule = walk_greeting(w, &mode);
    if (rule != ORACLE_OK)
        return rule;
    while (w->pos < w->clen) {
        const char *lf = memchr(w->c + w->pos, '\n', w->clen - w->pos);
        size_t off = w->pos;
        size_t end = lf != NULL ? (size_t)(lf - w->c) + 1 : w->clen;

        if (mode == MODE_UNCHECKED) {
            emit(w, EV_UNCHECKED, off, w->clen - off, NULL, ORACLE_OK);
            return ORACLE_OK; /* replies from here on are not the oracle's business */
        }
        if (lf == NULL) {
            emit(w, EV_TAIL, off, end - off, NULL, ORACLE_OK);
            w->pos = end;
            w->last_off = off;
            w->last_len = end - off;
            break;
        }
        if (mode == MODE_OVER) {
            emit(w, EV_AFTER, off, end - off, NULL, ORACLE_OK);
            w->pos = end;
            continue;
        }
        rule = walk_line(w, off, end, &auth_cont, &mode);
        if (rule != ORACLE_OK)
            return rule;
    }
    if (mode != MODE_UNCHECKED && cursor_next(&w->cur, &r)) {
        return violate(w, ORACLE_EXTRA_REPLY, w->last_off, w->last_len, &r,
                       mode == MODE_OVER ? "a reply after the session ended (221 or 421)"
                                         : "a reply that answers no line");
    }
    return ORACLE_OK;
}

static void walk_init(struct walk *w, const char *client, size_t client_len, const char *server,
                      size_t server_len, const struct eod_rule *eod, struct oracle_verdict *v)
{
    memset(w, 0, sizeof *w);
    w->c = client;
    w->clen = client_len;
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
    size_t k;

    if (client == NULL)
        client_len = 0;
    if (server == NULL)
        server_len = 0;
    walk_init(&w, client, client_len, server, server_len, &eod_proper, v);
    rule = walk_run(&w);
    if (rule == ORACLE_OK || rule == ORACLE_BAD_REPLY || !w.saw_lookalike)
        return rule;

    /* Would the replies fit a server that also ends data at a look-alike? */
    for (k = 0; k < EOD_HYPOTHESES; k++) {
        walk_init(&h, client, client_len, server, server_len, &eod_hypotheses[k], &hv);
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
                 eod_hypotheses[k].name, h.diverge_at);
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
    walk_init(&w, client, client_len, server, server_len, &eod_proper, &wv);
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
              &eod_proper, &v);
    w.observe = locate_event;
    w.ctx = &l;
    (void)walk_run(&w);
    if (!l.found)
        return 0;
    *line_off = l.off;
    *line_len = l.len;
    return 1;
}

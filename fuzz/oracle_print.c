/*
 * oracle_print - how the oracle shows a verdict: the violation report on
 * stderr (what a fuzz target prints before it aborts), the annotated
 * transcript, and the lookup of the line a reply answers (contract in
 * oracle.h). Every client and server octet goes through the escaper.
 *
 * The transcript and the lookup observe the same walk the judge runs
 * (oracle_walk.h), so they pair lines and replies exactly as it does.
 */
#include "oracle.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "oracle_walk.h"

#define REPORT_WIDTH 240     /* escaped characters of a line or reply in a report */
#define TRANSCRIPT_WIDTH 200 /* escaped characters per transcript row */

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

static void transcript_event(void *ctx, const struct oracle_event *ev)
{
    struct transcript *t = ctx;
    const char *note = NULL;

    switch (ev->kind) {
    case ORACLE_EV_GREETING:
        fputs("   (greeting)\n", t->out);
        break;
    case ORACLE_EV_LINE:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        break;
    case ORACLE_EV_DATA:
        print_rows(t->out, "D: ", t->client + ev->off, ev->len);
        if (!ev->has_reply && ev->verdict == ORACLE_OK)
            note = "(input ends inside the message text: no reply expected)";
        break;
    case ORACLE_EV_CHUNK:
        fprintf(t->out, "B: [chunk, %zu octets] \"", ev->len);
        escape_print(t->out, t->client + ev->off, ev->len, TRANSCRIPT_WIDTH);
        fputs("\"\n", t->out);
        break;
    case ORACLE_EV_TAIL:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(unterminated tail: no reply expected)";
        break;
    case ORACLE_EV_AFTER:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(after the session ended: no reply expected)";
        break;
    case ORACLE_EV_UNCHECKED:
        print_rows(t->out, "C: ", t->client + ev->off, ev->len);
        note = "(not plain SMTP from here on: not checked)";
        break;
    }
    if (ev->has_reply)
        print_rows(t->out, "S: ", t->server + ev->reply_off, ev->reply_len);
    if (note != NULL)
        fprintf(t->out, "   %s\n", note);
    else if (ev->verdict == ORACLE_OK && ev->tolerance >= 0)
        fprintf(t->out, "   = ok, tolerated: %s\n", oracle_tol_id((enum oracle_tol)ev->tolerance));
    else if (ev->kind != ORACLE_EV_CHUNK || ev->verdict != ORACLE_OK)
        fprintf(t->out, "   = %s\n", ev->verdict == ORACLE_OK ? "ok" : oracle_rule_id(ev->verdict));
}

/* print_verdict - the verdict lines closing a transcript */
static void print_verdict(FILE *out, enum oracle_rule rule, const struct oracle_verdict *v,
                          const char *client, const char *server)
{
    if (rule == ORACLE_OK) {
        fputs("verdict: ok\n", out);
        return;
    }
    fprintf(out, "verdict: %s: %s\n", oracle_rule_id(rule), oracle_rule_text(rule));
    if (v->detail[0] != '\0')
        fprintf(out, "  detail: %s\n", v->detail);
    if (v->line_len > 0) {
        fprintf(out, "  line   @%zu (%zu octets): \"", v->line_off, v->line_len);
        escape_print(out, client + v->line_off, v->line_len, REPORT_WIDTH);
        fputs("\"\n", out);
    }
    if (v->reply_len > 0) {
        fprintf(out, "  reply  @%zu (%zu octets): \"", v->reply_off, v->reply_len);
        escape_print(out, server + v->reply_off, v->reply_len, REPORT_WIDTH);
        fputs("\"\n", out);
    }
}

/* print_pairs - the walk under (how, r), event by event, then whatever it left unpaired */
static void print_pairs(FILE *out, const struct oracle_judging *how, const struct oracle_reading *r,
                        const char *client, size_t client_len, const char *server,
                        size_t server_len)
{
    struct transcript t;
    size_t cpos = 0, spos = 0;

    t.out = out;
    t.client = client;
    t.server = server;
    if (oracle_walk_observe(how, r, client, client_len, server, server_len, transcript_event, &t,
                            &cpos, &spos) == ORACLE_OK)
        return;
    /* Whatever follows the first violation, unpaired, so nothing is hidden. */
    if (cpos < client_len) {
        fputs("   -- client octets after the first violation, not paired --\n", out);
        print_rows(out, "C: ", client + cpos, client_len - cpos);
    }
    if (spos < server_len) {
        fputs("   -- server octets after the first violation, not paired --\n", out);
        print_rows(out, "S: ", server + spos, server_len - spos);
    }
}

void oracle_transcript_judged(FILE *out, const struct oracle_judging *how,
                              const struct oracle_reading *r, const char *client, size_t client_len,
                              const char *server, size_t server_len)
{
    struct oracle_verdict v;
    struct oracle_judged j;
    enum oracle_rule rule;

    if (out == NULL)
        return;
    if (client == NULL)
        client_len = 0;
    if (server == NULL)
        server_len = 0;
    rule = oracle_judge(how, client, client_len, server, server_len, &v, &j);
    print_pairs(out, how, r != NULL ? r : &j.reading, client, client_len, server, server_len);
    print_verdict(out, rule, &v, client, server);
}

void oracle_transcript(FILE *out, const char *client, size_t client_len, const char *server,
                       size_t server_len)
{
    struct oracle_judging how = {ORACLE_PROFILE_STRICT, 0};

    oracle_transcript_judged(out, &how, NULL, client, client_len, server, server_len);
}

struct locate {
    size_t want;
    int found;
    size_t off, len;
};

static void locate_event(void *ctx, const struct oracle_event *ev)
{
    struct locate *l = ctx;

    if (l->found || !ev->has_reply)
        return;
    if (l->want >= ev->reply_off && l->want - ev->reply_off < ev->reply_len) {
        l->found = 1;
        l->off = ev->kind == ORACLE_EV_GREETING ? 0 : ev->off;
        l->len = ev->kind == ORACLE_EV_GREETING ? 0 : ev->len;
    }
}

int oracle_line_for_reply(const char *client, size_t client_len, const char *server,
                          size_t server_len, size_t reply_off, size_t *line_off, size_t *line_len)
{
    struct oracle_judging how = {ORACLE_PROFILE_STRICT, 0};
    struct locate l;
    size_t cpos, spos;

    memset(&l, 0, sizeof l);
    l.want = reply_off;
    (void)oracle_walk_observe(&how, NULL, client, client != NULL ? client_len : 0, server,
                              server != NULL ? server_len : 0, locate_event, &l, &cpos, &spos);
    if (!l.found)
        return 0;
    *line_off = l.off;
    *line_len = l.len;
    return 1;
}

/*
 * oracle_profile - strict and rfc judging of a session (contract in
 * oracle_profile.h): oracle_check, then normalise-and-recheck for each
 * violation an rfc tolerance covers.
 */
#include "oracle_profile.h"

#include <string.h>

#define PROFILE_ID_(name, id, text) [name] = id,
static const char *const profile_ids[ORACLE_PROFILE_COUNT] = {ORACLE_PROFILE_LIST(PROFILE_ID_)};
#undef PROFILE_ID_
#define PROFILE_TEXT_(name, id, text) [name] = text,
static const char *const profile_texts[ORACLE_PROFILE_COUNT] = {ORACLE_PROFILE_LIST(PROFILE_TEXT_)};
#undef PROFILE_TEXT_
#define TOL_ID_(name, id, rule, text) [name] = id,
static const char *const tol_ids[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_ID_)};
#undef TOL_ID_
#define TOL_RULE_(name, id, rule, text) [name] = rule,
static const enum oracle_rule tol_rules[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_RULE_)};
#undef TOL_RULE_
#define TOL_TEXT_(name, id, rule, text) [name] = text,
static const char *const tol_texts[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_TEXT_)};
#undef TOL_TEXT_

/* oracle_profile_name - the name of a profile */
const char *oracle_profile_name(enum oracle_profile p)
{
    return (unsigned)p < ORACLE_PROFILE_COUNT ? profile_ids[p] : "invalid";
}

/* oracle_tol_id - the stable id of a tolerance */
const char *oracle_tol_id(enum oracle_tol t)
{
    return (unsigned)t < ORACLE_TOL_COUNT ? tol_ids[t] : "invalid";
}

/* oracle_profile_parse - "strict" or "rfc" into *p */
int oracle_profile_parse(const char *name, enum oracle_profile *p)
{
    int k;

    for (k = 0; k < ORACLE_PROFILE_COUNT; k++) {
        if (strcmp(name, profile_ids[k]) == 0) {
            *p = (enum oracle_profile)k;
            return 1;
        }
    }
    return 0;
}

/* oracle_profile_list_rules - print the rules profile p checks and what it tolerates */
void oracle_profile_list_rules(FILE *out, enum oracle_profile p)
{
    int k;

    fprintf(out, "profile %s: %s\n\nrules:\n", oracle_profile_name(p),
            (unsigned)p < ORACLE_PROFILE_COUNT ? profile_texts[p] : "");
    for (k = 1; k < ORACLE_RULE_COUNT; k++) /* 0 is ORACLE_OK */
        fprintf(out, "  %-22s %s\n", oracle_rule_id((enum oracle_rule)k),
                oracle_rule_text((enum oracle_rule)k));
    if (p != ORACLE_PROFILE_RFC)
        return;
    fputs("\ntolerated (relaxing the rule named in brackets):\n", out);
    for (k = 0; k < ORACLE_TOL_COUNT; k++)
        fprintf(out, "  %-28s [%s] %s\n", tol_ids[k], oracle_rule_id(tol_rules[k]), tol_texts[k]);
    fputs(
        "\nnever tolerated: control bytes or other malformations in replies (r2), missing or\n"
        "extra replies (r3), end of data other than CR LF . CR LF (r5), 214 for anything but\n"
        "HELP, 500 for NOOP or argument-less DATA, RSET, QUIT, and crashes, hangs, memory (r6).\n",
        out);
}

/* Verbs the rfc tolerances name. */
enum pverb { PV_OTHER, PV_BDAT, PV_EXTENSION, PV_NEEDS_ARG, PV_NO_ARG };

/* The verbs the 500 tolerances name, and how. */
static const struct {
    const char *verb;
    enum pverb kind;
} pverbs[] = {
    {"BDAT", PV_BDAT},      {"STARTTLS", PV_EXTENSION}, {"AUTH", PV_EXTENSION},
    {"EXPN", PV_EXTENSION}, {"HELO", PV_NEEDS_ARG},     {"EHLO", PV_NEEDS_ARG},
    {"MAIL", PV_NEEDS_ARG}, {"RCPT", PV_NEEDS_ARG},     {"VRFY", PV_NEEDS_ARG},
    {"DATA", PV_NO_ARG},    {"RSET", PV_NO_ARG},        {"QUIT", PV_NO_ARG},
};

/* verb_kind - how the verb of line [p, p+n) figures in the 500 tolerances; *has_arg set */
static enum pverb verb_kind(const char *p, size_t n, int *has_arg)
{
    size_t v = 0, k, i, content = n;

    while (content > 0 && (p[content - 1] == '\n' || p[content - 1] == '\r'))
        content--;
    while (v < content && p[v] != ' ')
        v++;
    *has_arg = v < content;
    for (k = 0; k < sizeof pverbs / sizeof pverbs[0]; k++) {
        const char *w = pverbs[k].verb;
        if (strlen(w) != v)
            continue;
        for (i = 0; i < v; i++) {
            char c = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : p[i];
            if (c != w[i])
                break;
        }
        if (i == v)
            return pverbs[k].kind;
    }
    return PV_OTHER;
}

/* reply_code - the 3-digit code at the start of a reply */
static unsigned reply_code(const char *r, size_t n)
{
    if (n < 3)
        return 0;
    return (unsigned)(r[0] - '0') * 100 + (unsigned)(r[1] - '0') * 10 + (unsigned)(r[2] - '0');
}

/* set_code - write code over the code of every line of the reply [r, r+n) */
static void set_code(char *r, size_t n, unsigned code)
{
    size_t i = 0;

    while (i + 3 <= n) {
        const char *lf;
        r[i] = (char)('0' + code / 100);
        r[i + 1] = (char)('0' + code / 10 % 10);
        r[i + 2] = (char)('0' + code % 10);
        lf = memchr(r + i, '\n', n - i);
        if (lf == NULL)
            break;
        i = (size_t)(lf - r) + 1;
    }
}

/* The normalised streams while re-checking. */
struct norm {
    char *c, *s;
    size_t clen, slen, ccap;
};

/*
 * final_421 - the reply stream ends with a one-line 421 reply (after which
 * nothing was sent): drop it from the normalised copy; 1 when dropped
 */
static int final_421(struct norm *n)
{
    size_t start;

    if (n->slen < 6 || n->s[n->slen - 1] != '\n')
        return 0;
    start = n->slen - 1;
    while (start > 0 && n->s[start - 1] != '\n')
        start--;
    if (n->slen - start < 5 || memcmp(n->s + start, "421", 3) != 0 ||
        (n->s[start + 3] != ' ' && n->s[start + 3] != '\r'))
        return 0;
    n->slen = start;
    return 1;
}

/* tolerate - normalise the spot of violation v if a tolerance covers it; its id, or -1 */
static int tolerate(struct norm *n, enum oracle_rule rule, const struct oracle_verdict *v)
{
    const char *line = n->c + v->line_off;
    unsigned code = reply_code(n->s + v->reply_off, v->reply_len);
    enum oracle_class cls;
    int has_arg;
    enum pverb kind;

    if ((rule == ORACLE_EXTRA_REPLY || rule == ORACLE_DATA_END) && final_421(n))
        return ORACLE_TOL_421;
    if (v->line_len == 0 || v->reply_len < 3 || v->line_off + v->line_len > n->clen ||
        v->reply_off + v->reply_len > n->slen)
        return -1; /* the greeting, an absent reply, or no line: nothing to relax */
    cls = oracle_classify(line, v->line_len);
    if (rule != ORACLE_MALFORMED_NOT_500 && rule != ORACLE_HELP_NOT_214 &&
        rule != ORACLE_500_FOR_COMMAND)
        return -1;
    if (code == 421) {
        set_code(n->s + v->reply_off, v->reply_len, cls == ORACLE_LINE_HELP ? 214 : 500);
        n->clen = v->line_off + v->line_len;
        return ORACLE_TOL_421;
    }
    if (rule == ORACLE_MALFORMED_NOT_500) {
        if (oracle_line_fault(line, v->line_len) == ORACLE_FAULT_BARE_LF &&
            line[v->line_len - 1] == '\n') {
            size_t lf = v->line_off + v->line_len - 1;
            if (n->clen + 1 > n->ccap)
                return -1;
            memmove(n->c + lf + 1, n->c + lf, n->clen - lf);
            n->c[lf] = '\r';
            n->clen++;
            return ORACLE_TOL_BARE_LF;
        }
        if (code / 100 == 5) {
            set_code(n->s + v->reply_off, v->reply_len, 500);
            return ORACLE_TOL_MALFORMED_5YZ;
        }
        if (oracle_line_fault(line, v->line_len) == ORACLE_FAULT_TOO_LONG) {
            set_code(n->s + v->reply_off, v->reply_len, 500);
            return ORACLE_TOL_LONG_LINE;
        }
        return -1;
    }
    if (rule == ORACLE_HELP_NOT_214) {
        if (code != 211)
            return -1;
        set_code(n->s + v->reply_off, v->reply_len, 214);
        return ORACLE_TOL_HELP_211;
    }
    kind = verb_kind(line, v->line_len, &has_arg);
    if (kind == PV_BDAT) {
        n->c[v->line_off] = 'X'; /* unrecognised by the server: no chunk follows */
        return ORACLE_TOL_500_EXTENSION;
    }
    if (kind == PV_EXTENSION) {
        set_code(n->s + v->reply_off, v->reply_len, 502);
        return ORACLE_TOL_500_EXTENSION;
    }
    if (kind == PV_NEEDS_ARG || (kind == PV_NO_ARG && has_arg)) {
        set_code(n->s + v->reply_off, v->reply_len, 501);
        return ORACLE_TOL_500_BAD_ARG;
    }
    return -1;
}

/* oracle_profile_check - oracle_check under profile p; fills *res and returns its rule */
enum oracle_rule oracle_profile_check(enum oracle_profile p, const char *client, size_t client_len,
                                      const char *server, size_t server_len, char *cbuf,
                                      size_t cbuf_cap, char *sbuf, size_t sbuf_cap,
                                      struct oracle_profile_result *res)
{
    struct norm n;
    int copied = 0, fixes;

    memset(res, 0, sizeof *res);
    res->client = client;
    res->client_len = client_len;
    res->server = server;
    res->server_len = server_len;
    res->rule = oracle_check(client, client_len, server, server_len, &res->v);
    if (p != ORACLE_PROFILE_RFC || res->rule == ORACLE_OK || cbuf == NULL || sbuf == NULL ||
        cbuf_cap < client_len || sbuf_cap < server_len)
        return res->rule;
    memset(&n, 0, sizeof n);
    for (fixes = 0; fixes < ORACLE_PROFILE_FIXES_MAX && res->rule != ORACLE_OK; fixes++) {
        struct oracle_verdict before = res->v;
        int t;

        if (!copied) {
            if (client_len > 0)
                memcpy(cbuf, client, client_len);
            if (server_len > 0)
                memcpy(sbuf, server, server_len);
            n.c = cbuf, n.s = sbuf, n.clen = client_len, n.slen = server_len, n.ccap = cbuf_cap;
            copied = 1;
        }
        t = tolerate(&n, res->rule, &before);
        if (t < 0)
            break;
        res->tolerated[t]++;
        res->ntolerated++;
        res->client = n.c;
        res->client_len = n.clen;
        res->server = n.s;
        res->server_len = n.slen;
        res->rule = oracle_check(n.c, n.clen, n.s, n.slen, &res->v);
    }
    return res->rule;
}

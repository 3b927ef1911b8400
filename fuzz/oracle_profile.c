/*
 * oracle_profile - the profiles by name, and the verdict under one
 * (contract in oracle_profile.h).
 */
#include "oracle_profile.h"

#include <string.h>

#define PROFILE_TEXT_(name, id, text) [name] = text,
static const char *const profile_texts[ORACLE_PROFILE_COUNT] = {ORACLE_PROFILE_LIST(PROFILE_TEXT_)};
#undef PROFILE_TEXT_
#define TOL_RULE_(name, id, rule, text) [name] = rule,
static const enum oracle_rule tol_rules[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_RULE_)};
#undef TOL_RULE_
#define TOL_TEXT_(name, id, rule, text) [name] = text,
static const char *const tol_texts[ORACLE_TOL_COUNT] = {ORACLE_TOL_LIST(TOL_TEXT_)};
#undef TOL_TEXT_

int oracle_profile_parse(const char *name, enum oracle_profile *p)
{
    int k;

    for (k = 0; k < ORACLE_PROFILE_COUNT; k++) {
        if (strcmp(name, oracle_profile_name((enum oracle_profile)k)) == 0) {
            *p = (enum oracle_profile)k;
            return 1;
        }
    }
    return 0;
}

void oracle_profile_list_rules(FILE *out, enum oracle_profile p)
{
    int k;

    fprintf(out, "profile %s: %s\n\nrules:\n", oracle_profile_name(p),
            (unsigned)p < ORACLE_PROFILE_COUNT ? profile_texts[p] : "");
    for (k = 1; k < ORACLE_RULE_COUNT; k++) /* 0 is ORACLE_OK */
        fprintf(out, "  %-22s %s\n", oracle_rule_id((enum oracle_rule)k),
                oracle_rule_text((enum oracle_rule)k));
    fputs("\nreadings followed (each for a whole session; docs/contract.md section 8.6):\n"
          "  a BDAT size of 10 or more digits read as a chunk, or refused with none read;\n"
          "  a BDAT refused when CHUNKING was not offered with its chunk read, or not",
          out);
    fputs(p == ORACLE_PROFILE_RFC
              ? ";\n  a bare LF taken as a line end, or not;\n"
                "  a line longer than a 1024..65536-octet buffer read in pieces of that size;\n"
                "  a BDAT size read past RFC 3030's grammar (\"BDAT 12x\") with its chunk;\n"
                "  a BDAT refused after a failed one, PIPELINING not offered, with no chunk.\n"
              : ".\n",
          out);
    if (p != ORACLE_PROFILE_RFC)
        return;
    fputs("\ntolerated (relaxing the rule named in brackets):\n", out);
    for (k = 0; k < ORACLE_TOL_COUNT; k++)
        fprintf(out, "  %-28s [%s] %s\n", oracle_tol_id((enum oracle_tol)k),
                oracle_rule_id(tol_rules[k]), tol_texts[k]);
    fputs("\nnever tolerated: control bytes or other malformations in replies (r2), missing or\n"
          "extra replies (r3) but where a tolerance above says, end of data other than CR LF . CR\n"
          "LF (r5), 214 for anything but HELP, 500 for NOOP or argument-less DATA, RSET, QUIT,\n"
          "replies that differ when the stream is cut (r4), and crashes, hangs, memory (r6).\n",
          out);
}

enum oracle_rule oracle_profile_check(const struct oracle_judging *how, const char *client,
                                      size_t client_len, const char *server, size_t server_len,
                                      struct oracle_profile_result *res)
{
    memset(res, 0, sizeof *res);
    res->profile = how->profile;
    res->server_closed = how->server_closed;
    res->client = client;
    res->client_len = client_len;
    res->server = server;
    res->server_len = server_len;
    res->rule = oracle_judge(how, client, client_len, server, server_len, &res->v, &res->judged);
    return res->rule;
}

void oracle_profile_transcript(FILE *out, const struct oracle_profile_result *res)
{
    struct oracle_judging how = {res->profile, res->server_closed};

    oracle_transcript_judged(out, &how, &res->judged.reading, res->client, res->client_len,
                             res->server, res->server_len);
}

const char *oracle_reading_describe(const struct oracle_reading *r, char *buf, size_t cap)
{
    char digits[48], cut[80] = "";

    if (r->line_cut > 0)
        snprintf(cut, sizeof cut, "; a line longer than %u octets read in pieces of that size",
                 r->line_cut);
    if (r->bdat_digits == 255)
        snprintf(digits, sizeof digits, "any refused BDAT reads its chunk");
    else
        snprintf(digits, sizeof digits, "a refused BDAT of over %u digits reads none",
                 (unsigned)r->bdat_digits);
    snprintf(
        buf, cap, "%s; %s; BDAT without CHUNKING offered %s%s%s%s%s",
        r->bare_lf_ends_line ? "a bare LF ends a line" : "only CR LF ends a line", digits,
        r->unoffered_bdat_chunk ? "reads its chunk when refused" : "reads no chunk when refused",
        cut, r->bdat_lenient ? "; a BDAT size read past RFC 3030's grammar reads its chunk" : "",
        r->failed_bdat_chunk ? "" : "; a BDAT refused after a failed one reads no chunk",
        r->eod != 0 ? "; end of data at a look-alike (smuggling hypothesis)" : "");
    return buf;
}

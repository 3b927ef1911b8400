/*
 * session_split - the cuts of a split run and the comparison of its
 * replies with the whole run's (contract in session_split.h).
 */
#include "session_split.h"

#include <stdio.h>
#include <string.h>

#include "smtp_reply_parse.h"
#include "splitmix.h"

size_t session_split_cuts(const char *client, size_t len, uint64_t seed, size_t *cuts, size_t max)
{
    uint64_t s = seed ^ 0x3c6ef372fe94f82bULL;
    size_t n = 0, start = 0, i;

    for (i = 0; i < len && n < max; i++) {
        if (client[i] != '\n')
            continue;
        /* the line client[start..i]: cut between its CR and LF, or somewhere inside it */
        switch (splitmix_next(&s) % 4) {
        case 0:
        case 1:
            if (i > start && client[i - 1] == '\r' && i - 1 > 0)
                cuts[n++] = i; /* after the CR, before the LF */
            break;
        case 2:
            if (i > start + 1)
                cuts[n++] = start + 1 + (size_t)(splitmix_next(&s) % (i - start - 1));
            break;
        default:
            break;
        }
        start = i + 1;
    }
    /* ascending and distinct by construction (one cut per line, lines in order) */
    while (n > 0 && cuts[n - 1] >= len)
        n--;
    return n;
}

/* A walk over one reply stream, one reply at a time. */
struct replies {
    struct smtp_rp rp;
    const char *p;
    size_t len, off;
};

/* next_reply - the next complete reply's code and line count; 1, or 0 at the end */
static int next_reply(struct replies *r, unsigned *code, size_t *lines)
{
    while (r->off < r->len) {
        struct smtp_rp_line line;
        struct smtp_rp_reply rep;
        size_t used = 0;
        enum smtp_rp_result rr =
            smtp_rp_feed(&r->rp, r->p + r->off, r->len - r->off, &used, &line, &rep);
        r->off += used > 0 ? used : r->len - r->off;
        if (rr == SMTP_RP_REPLY) {
            *code = rep.code;
            *lines = rep.nlines;
            return 1;
        }
    }
    return 0;
}

/* replies_left - how many complete replies the walk has still to give */
static size_t replies_left(struct replies *r)
{
    unsigned code;
    size_t lines, n = 0;

    while (next_reply(r, &code, &lines))
        n++;
    return n;
}

/* klass - "2yz" for a code, "an unreadable reply" for 0 */
static const char *klass(unsigned code, char buf[8])
{
    if (code < 100 || code > 599)
        return "an unreadable reply";
    snprintf(buf, 8, "%uyz", code / 100);
    return buf;
}

int session_split_compare(const char *whole, size_t whole_len, const char *split, size_t split_len,
                          char *why, size_t cap)
{
    struct replies w, s;
    size_t k = 0, wl = 0, sl = 0, nw, ns;
    unsigned wc = 0, sc = 0;
    char a[8], b[8];

    memset(&w, 0, sizeof w);
    memset(&s, 0, sizeof s);
    smtp_rp_reset(&w.rp);
    smtp_rp_reset(&s.rp);
    w.p = whole, w.len = whole_len;
    s.p = split, s.len = split_len;
    for (;;) {
        int hw = next_reply(&w, &wc, &wl), hs = next_reply(&s, &sc, &sl);
        if (!hw || !hs) {
            nw = k + (size_t)hw + replies_left(&w);
            ns = k + (size_t)hs + replies_left(&s);
            break;
        }
        k++;
        if (wc != sc) {
            snprintf(why, cap, "a %s reply became %s; reply %zu was %u whole and %u when cut",
                     klass(wc, a), klass(sc, b), k, wc, sc);
            return 1;
        }
        if (wl != sl) {
            snprintf(why, cap,
                     "a %s reply changed its line count; reply %zu had %zu lines whole and %zu "
                     "when cut",
                     klass(wc, a), k, wl, sl);
            return 1;
        }
    }
    if (nw != ns) {
        snprintf(why, cap, "%s; %zu replies whole, %zu when cut",
                 nw > ns ? "replies went missing" : "extra replies came", nw, ns);
        return 1;
    }
    return 0;
}

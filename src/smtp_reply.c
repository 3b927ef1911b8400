/*
 * smtp_reply - the reply generator (contract in smtp_reply.h).
 *
 * Design: the text is read through a cursor that yields sanitised octets
 * and line breaks, never raw caller bytes, so no path can copy a CR or LF
 * from the text to the wire. Formatting takes two passes over the same
 * cursor: the first measures the lines and finds how many fit in the
 * caller's buffer (the last line written must use "code SP", and whether a
 * line is last is only known once the next one has been measured); the
 * second writes exactly those lines. Nothing is written before every check
 * has passed, so a refused spec leaves the buffer untouched. The first pass
 * stops at the first line that does not fit, so a huge text costs at most
 * the caller's capacity in work.
 *
 * The generator asks the wire grammar's rule (smtp_wire_enh_prefix), the
 * same one the reply parser lifts enhanced codes with, what a reader would
 * take for an enhanced code, so the two halves of the reply grammar cannot
 * drift apart without either calling the other.
 */
#include "smtp_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* reply_panic - report a caller bug, naming the function, and stop (docs/contract.md section 9.2)
 */
static _Noreturn void reply_panic(const char *fn, const char *what)
{
    fprintf(stderr, "%s: caller bug: %s\n", fn, what);
    abort();
}

/* Always on, unlike assert(): a caller bug must not become an overflow in a release build. */
#define REPLY_REQUIRE(fn, cond) ((cond) ? (void)0 : reply_panic((fn), #cond))

#define REPLY_CODE_LEN 3 /* "250" */
#define REPLY_SEP_LEN 1  /* '-' or SP */
#define REPLY_CRLF_LEN 2
/* Text octets of a line without an enhanced code: "250-" + 506 + CR LF = 512 (RFC 5321 4.5.3.1.5).
 */
#define REPLY_TEXT_MAX (SMTP_REPLY_LINE_MAX - REPLY_CODE_LEN - REPLY_SEP_LEN - REPLY_CRLF_LEN)

/*
 * What each text octet becomes in a reply, one table per origin:
 * 0x20..0x7E stay, every other octet becomes '?' (so a client's CR, LF or
 * NUL can never split a reply), and HT stays only in our own literals
 * (RFC 5321 textstring allows it). Our '\n' is a line break, found first.
 */
#define TEXT_MAP_(b, ht)                                                                           \
    (unsigned char)(((b) >= 0x20 && (b) <= 0x7E) || ((ht) && (b) == '\t') ? (b) : '?')
#define TEXT_MAP4_(b, ht)                                                                          \
    TEXT_MAP_(b, ht), TEXT_MAP_((b) + 1, ht), TEXT_MAP_((b) + 2, ht), TEXT_MAP_((b) + 3, ht)
#define TEXT_MAP16_(b, ht)                                                                         \
    TEXT_MAP4_(b, ht), TEXT_MAP4_((b) + 4, ht), TEXT_MAP4_((b) + 8, ht), TEXT_MAP4_((b) + 12, ht)
#define TEXT_MAP64_(b, ht)                                                                         \
    TEXT_MAP16_(b, ht), TEXT_MAP16_((b) + 16, ht), TEXT_MAP16_((b) + 32, ht),                      \
        TEXT_MAP16_((b) + 48, ht)
#define TEXT_MAP256_(ht)                                                                           \
    TEXT_MAP64_(0, ht), TEXT_MAP64_(64, ht), TEXT_MAP64_(128, ht), TEXT_MAP64_(192, ht)
static const unsigned char text_map_ours[256] = {TEXT_MAP256_(1)};
static const unsigned char text_map_client[256] = {TEXT_MAP256_(0)};
#undef TEXT_MAP256_
#undef TEXT_MAP64_
#undef TEXT_MAP16_
#undef TEXT_MAP4_
#undef TEXT_MAP_

/* Where the reader stands in the caller's text segments. */
struct text_cursor {
    const struct smtp_text *seg;
    size_t nseg;
    size_t i;   /* current segment */
    size_t off; /* next octet within it */
};

/* text_used_up - step over used-up segments; 1 when no text is left */
static int text_used_up(struct text_cursor *c)
{
    while (c->i < c->nseg && c->off >= c->seg[c->i].len) {
        c->i++;
        c->off = 0;
    }
    return c->i == c->nseg;
}

/*
 * text_take_line - copy the next reply line's text (at most width octets)
 * to dst, return its length, and set *done when the text is used up
 *
 * A '\n' right after a full line ends that line instead of adding an empty
 * one, so a text of lines that each fit is never reshaped (the round trip).
 */
static size_t text_take_line(struct text_cursor *c, size_t width, char *dst, int *done)
{
    size_t n = 0;

    /* Whole runs per segment through a table, not a test per octet: this is the generator's
     * hot loop (every reply passes here), and under libFuzzer's comparison tracing every test
     * on an octet is a call. */
    for (;;) {
        const unsigned char *p, *map;
        const unsigned char *nl = NULL;
        size_t avail, run, k;

        if (text_used_up(c)) {
            *done = 1;
            return n;
        }
        p = (const unsigned char *)c->seg[c->i].ptr + c->off;
        avail = c->seg[c->i].len - c->off;
        run = avail < width - n ? avail : width - n;
        if (c->seg[c->i].origin == SMTP_TEXT_OURS) {
            /* Our '\n' ends the line, also right after a full one (hence the + 1). */
            nl = memchr(p, '\n', avail < width - n + 1 ? avail : width - n + 1);
            map = text_map_ours;
        } else {
            map = text_map_client;
        }
        if (nl != NULL)
            run = (size_t)(nl - p);
        for (k = 0; k < run; k++)
            dst[n + k] = (char)map[p[k]];
        n += run;
        c->off += run;
        if (nl != NULL) {
            c->off++;
            return n;
        }
        if (run < avail)
            return n; /* hard wrap: the rest goes on the next line */
    }
}

/* line_octets - octets on the wire of one line with t octets of text */
static size_t line_octets(size_t enh_len, size_t t, int last)
{
    if (enh_len > 0)
        return REPLY_CODE_LEN + REPLY_SEP_LEN + enh_len + (t > 0 ? 1 + t : 0) + REPLY_CRLF_LEN;
    if (t == 0 && last)
        return REPLY_CODE_LEN + REPLY_CRLF_LEN; /* "250" CR LF: textstring is 1*char */
    return REPLY_CODE_LEN + REPLY_SEP_LEN + t + REPLY_CRLF_LEN;
}

/* put_line - write one line at dst (room already checked), return its octets */
static size_t put_line(char *dst, unsigned code, const char *enh, size_t enh_len, const char *text,
                       size_t t, int last)
{
    size_t pos = 0;

    dst[pos++] = (char)('0' + code / 100);
    dst[pos++] = (char)('0' + code / 10 % 10);
    dst[pos++] = (char)('0' + code % 10);
    if (enh_len > 0 || t > 0 || !last)
        dst[pos++] = last ? ' ' : '-';
    if (enh_len > 0) {
        memcpy(dst + pos, enh, enh_len);
        pos += enh_len;
        if (t > 0)
            dst[pos++] = ' ';
    }
    if (t > 0) {
        memcpy(dst + pos, text, t);
        pos += t;
    }
    dst[pos++] = '\r';
    dst[pos++] = '\n';
    return pos;
}

/* enh_length - length of the NUL-terminated enh, or SMTP_ENH_MAX + 1 when longer than any valid one
 */
static size_t enh_length(const char *enh)
{
    size_t n = 0;

    while (n <= SMTP_ENH_MAX && enh[n] != '\0')
        n++;
    return n;
}

enum smtp_reply_status smtp_reply_format(const struct smtp_reply_spec *spec, char *out, size_t cap,
                                         size_t *out_len)
{
    struct text_cursor cur;
    char line[REPLY_TEXT_MAX];
    char first_enh[SMTP_ENH_MAX];
    size_t enh_len = 0, width, t, fit = 0, used = 0, pos = 0, first_len = 0, last_at = 0, i;
    int done = 0, cut = 0, uniform = 1;

    REPLY_REQUIRE(__func__, out_len != NULL);
    *out_len = 0;
    REPLY_REQUIRE(__func__, spec != NULL);
    REPLY_REQUIRE(__func__, out != NULL || cap == 0);
    REPLY_REQUIRE(__func__, spec->text != NULL || spec->ntext == 0);
    for (i = 0; i < spec->ntext; i++) {
        REPLY_REQUIRE(__func__, spec->text[i].ptr != NULL || spec->text[i].len == 0);
        REPLY_REQUIRE(__func__, spec->text[i].origin == SMTP_TEXT_OURS ||
                                    spec->text[i].origin == SMTP_TEXT_CLIENT);
    }

    if (!smtp_wire_code_valid(spec->code))
        return SMTP_REPLY_BAD_CODE;
    if (spec->enh != NULL)
        enh_len = enh_length(spec->enh); /* "" means none: the parser reports "no enh" that way */
    if (enh_len > 0 && (enh_len > SMTP_ENH_MAX || !smtp_wire_enh_valid(spec->enh, enh_len) ||
                        spec->enh[0] != (char)('0' + spec->code / 100)))
        return SMTP_REPLY_BAD_ENH;
    width = REPLY_TEXT_MAX - (enh_len > 0 ? enh_len + 1 : 0);

    /* Pass 1: how many lines fit, each measured as if it were the last one. With an enh every
     * line is as long as a last one, so the lines go straight to out (nothing can fail once one
     * fits), all as continuation lines, and the last one's separator is set at the end: one
     * pass over the text instead of two. */
    cur = (struct text_cursor){spec->text, spec->ntext, 0, 0};
    while (!done) {
        t = text_take_line(&cur, width, line, &done);
        if (used + line_octets(enh_len, t, 1) > cap) {
            cut = 1;
            break;
        }
        if (enh_len > 0) {
            last_at = used;
            (void)put_line(out + used, spec->code, spec->enh, enh_len, line, t, 0);
        } else {
            /* Would a reader lift an enhanced code from the text of every line? */
            size_t p = smtp_wire_enh_prefix(line, t);
            if (fit == 0) {
                memcpy(first_enh, line, p);
                first_len = p;
            } else if (p != first_len || memcmp(line, first_enh, p) != 0) {
                uniform = 0;
            }
        }
        fit++;
        used += line_octets(enh_len, t, 0);
    }
    if (fit == 0)
        return SMTP_REPLY_NO_ROOM;
    if (enh_len > 0) {
        out[last_at + REPLY_CODE_LEN] = ' ';
        *out_len = used;
        return cut ? SMTP_REPLY_TRUNCATED : SMTP_REPLY_OK;
    }
    if (uniform && first_len > 0 && first_enh[0] != (char)('0' + spec->code / 100))
        return SMTP_REPLY_BAD_ENH;

    /* Pass 2 (no enh): write the lines that fit; the last one written ends the reply. */
    cur = (struct text_cursor){spec->text, spec->ntext, 0, 0};
    done = 0;
    for (i = 0; i < fit; i++) {
        int last = i + 1 == fit;
        t = text_take_line(&cur, width, line, &done);
        REPLY_REQUIRE(__func__, pos + line_octets(enh_len, t, last) <= cap); /* pass 1 promised */
        pos += put_line(out + pos, spec->code, spec->enh, enh_len, line, t, last);
    }
    *out_len = pos;
    return cut ? SMTP_REPLY_TRUNCATED : SMTP_REPLY_OK;
}

const char *smtp_reply_status_name(enum smtp_reply_status status)
{
#define SMTP_REPLY_STATUS_TEXT_(name, text) text,
    static const char *const names[SMTP_REPLY_STATUS_COUNT] = {
        SMTP_REPLY_STATUS_LIST(SMTP_REPLY_STATUS_TEXT_)};
#undef SMTP_REPLY_STATUS_TEXT_

    return (unsigned)status < SMTP_REPLY_STATUS_COUNT ? names[status] : "unknown reply status";
}

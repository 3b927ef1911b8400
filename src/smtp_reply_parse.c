/*
 * smtp_reply_parse - client-side reader of a reply stream (contract in
 * smtp_reply_parse.h).
 *
 * Design: bytes are only copied (at most SMTP_REPLY_LINE_MAX of a line)
 * and counted until the LF arrives; the line is judged once, from the held
 * octets and the count. A legal line is at most 512 octets, so when the
 * count says "not too long" the whole line is held, and the judgement sees
 * exactly the same octets however the stream was split. There is no
 * per-byte state machine to get wrong across chunk boundaries.
 */
#include "smtp_reply_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rp_panic - report a caller bug, naming the function, and stop (docs/contract.md section 9.2) */
static _Noreturn void rp_panic(const char *fn, const char *what)
{
    fprintf(stderr, "%s: caller bug: %s\n", fn, what);
    abort();
}

/* Always on, unlike assert(): a caller bug must not become a wild read in a release build. */
#define RP_REQUIRE(fn, cond) ((cond) ? (void)0 : rp_panic((fn), #cond))

/* Byte classes as explicit ranges (docs/contract.md section 9.3), never <ctype.h>. */
static int is_digit(unsigned char b)
{
    return b >= '0' && b <= '9';
}

/* RFC 5321 4.2: textstring = 1*( %d09 / %d32-126 ). */
static int is_text(unsigned char b)
{
    return b == '\t' || (b >= 0x20 && b <= 0x7E);
}

/* code_at - the reply code in p[0..3) when it is a valid one, else 0 */
static unsigned code_at(const char *p, size_t len)
{
    unsigned code;

    if (len < 3 || !is_digit((unsigned char)p[0]) || !is_digit((unsigned char)p[1]) ||
        !is_digit((unsigned char)p[2]))
        return 0;
    code = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
    return smtp_wire_code_valid(code) ? code : 0;
}

void smtp_rp_reset(struct smtp_rp *rp)
{
    RP_REQUIRE(__func__, rp != NULL);
    memset(rp, 0, sizeof(*rp));
}

/* rp_judge - fill *line from the held octets of a line of octets octets (terminator included) */
static void rp_judge(const struct smtp_rp *rp, uint64_t octets, struct smtp_rp_line *line)
{
    const char *p = rp->buf;
    size_t n = rp->kept, i;
    int crlf = 0, sep_ok = 0;

    /* The CR of CR LF is the held line's last octet only when nothing was dropped. */
    if (octets - 1 == rp->kept && n > 0 && p[n - 1] == '\r') {
        crlf = 1;
        n--;
    }
    line->octets = octets;
    line->code = code_at(p, n);
    line->last = 1;
    line->text = p;
    line->text_len = n;
    if (line->code != 0) {
        if (n == 3) {
            sep_ok = 1; /* "250" CR LF: last line, no text */
            line->text = p + 3;
            line->text_len = 0;
        } else if (p[3] == '-' || p[3] == ' ') {
            sep_ok = 1;
            line->last = p[3] == ' ';
            line->text = p + 4;
            line->text_len = n - 4;
        }
    }

    if (octets > SMTP_REPLY_LINE_MAX)
        line->status = SMTP_RP_TOO_LONG;
    else if (!crlf)
        line->status = SMTP_RP_BARE_LF;
    else if (line->code == 0)
        line->status = SMTP_RP_BAD_CODE;
    else if (!sep_ok)
        line->status = SMTP_RP_BAD_SEPARATOR;
    else if (n > 3 && p[3] == ' ' && line->text_len == 0)
        line->status = SMTP_RP_EMPTY_TEXT;
    else
        line->status = SMTP_RP_OK;
    for (i = 0; line->status == SMTP_RP_OK && i < line->text_len; i++) {
        if (!is_text((unsigned char)line->text[i]))
            line->status = SMTP_RP_BAD_TEXT; /* a bare CR lands here too */
    }
}

/* rp_end_reply - fill *reply from the reply in progress, which ends with a line of status st */
static void rp_end_reply(struct smtp_rp *rp, enum smtp_rp_status st, struct smtp_rp_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    reply->status = st;
    reply->code = rp->code;
    reply->nlines = rp->nlines;
    reply->octets = rp->reply_octets;
    if (st == SMTP_RP_OK && rp->enh_len > 0 && rp->enh_uniform) {
        memcpy(reply->enh, rp->enh, rp->enh_len);
        /* RFC 3463 section 3.1: the class must agree with the reply code. */
        if (rp->enh[0] != (char)('0' + rp->code / 100))
            reply->status = SMTP_RP_BAD_ENH;
    }
    rp->nlines = 0;
    rp->reply_octets = 0;
    rp->code = 0;
    rp->enh_len = 0;
    rp->enh_uniform = 0;
}

enum smtp_rp_result smtp_rp_feed(struct smtp_rp *rp, const char *buf, size_t len, size_t *used,
                                 struct smtp_rp_line *line, struct smtp_rp_reply *reply)
{
    const char *lf;
    size_t n, room;
    uint64_t octets;

    RP_REQUIRE(__func__, rp != NULL && used != NULL && line != NULL && reply != NULL);
    RP_REQUIRE(__func__, buf != NULL || len == 0);
    lf = len > 0 ? memchr(buf, '\n', len) : NULL;
    n = lf != NULL ? (size_t)(lf - buf) : len;

    /* Hold the line's first octets only: memory stays fixed however long the line is. */
    room = SMTP_REPLY_LINE_MAX - rp->kept;
    if (n < room)
        room = n;
    if (room > 0) { /* buf may be NULL when len is 0, and memcpy must not see NULL */
        memcpy(rp->buf + rp->kept, buf, room);
        rp->kept += (uint32_t)room;
    }
    rp->line_octets += n;
    if (lf == NULL) {
        *used = len;
        return SMTP_RP_NEED_MORE;
    }
    *used = n + 1;
    octets = rp->line_octets + 1;
    rp_judge(rp, octets, line);
    rp->line_octets = 0;
    rp->kept = 0; /* buf keeps its octets, so line->text stays valid until the next call */

    if (rp->nlines == 0) {
        size_t p =
            line->status == SMTP_RP_OK ? smtp_wire_enh_prefix(line->text, line->text_len) : 0;
        rp->code = line->code;
        memcpy(rp->enh, line->text, p);
        rp->enh_len = p;
        rp->enh_uniform = p > 0;
    } else if (line->status == SMTP_RP_OK) {
        size_t p = smtp_wire_enh_prefix(line->text, line->text_len);
        if (line->code != rp->code)
            line->status = SMTP_RP_CODE_CHANGED;
        else if (p != rp->enh_len || memcmp(line->text, rp->enh, p) != 0)
            rp->enh_uniform = 0;
    }
    rp->nlines++;
    rp->reply_octets += octets;
    if (line->status != SMTP_RP_OK || line->last) {
        rp_end_reply(rp, line->status, reply);
        return SMTP_RP_REPLY;
    }
    return SMTP_RP_LINE;
}

int smtp_rp_finish(struct smtp_rp *rp, struct smtp_rp_reply *reply)
{
    int open;

    RP_REQUIRE(__func__, rp != NULL && reply != NULL);
    open = rp->line_octets > 0 || rp->nlines > 0;
    if (open) {
        memset(reply, 0, sizeof(*reply));
        reply->status = SMTP_RP_INCOMPLETE;
        reply->code = rp->nlines > 0 ? rp->code : code_at(rp->buf, rp->kept);
        reply->nlines = rp->nlines;
        reply->octets = rp->reply_octets + rp->line_octets;
    }
    smtp_rp_reset(rp);
    return open;
}

const char *smtp_rp_status_name(enum smtp_rp_status status)
{
#define SMTP_RP_STATUS_TEXT_(name, text) text,
    static const char *const names[SMTP_RP_STATUS_COUNT] = {
        SMTP_RP_STATUS_LIST(SMTP_RP_STATUS_TEXT_)};
#undef SMTP_RP_STATUS_TEXT_

    return (unsigned)status < SMTP_RP_STATUS_COUNT ? names[status] : "unknown parser status";
}

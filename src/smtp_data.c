/*
 * smtp_data - DATA-mode message-text reader: end of data only at
 * CR LF . CR LF, dot-unstuffing, bare CR / bare LF / long-line detection.
 *
 * The reader is a byte state machine over five states (below). Its whole
 * memory is the state, two counters and a flag word, so it works the same
 * whatever the split of its input: every decision is made from the state
 * and the one byte in hand, and a byte whose meaning depends on the next
 * one (a CR, a dot at the start of a line) is "held" as a state rather
 * than kept in a buffer. Held bytes are always the same literal ('.' or
 * CR), so they can be re-emitted later from the state alone.
 *
 * Why CR LF lines only: a server that treats a bare LF as a line end can be
 * made to see an end of data ("\n.\n", "\n.\r\n") where the next hop sees
 * message text, which is how SMTP smuggling (CVE-2023-51764/5/6) splits one
 * message into two. RFC 5321 2.3.8 says CR and LF must only occur together
 * as CR LF in message text, so a bare one is reported, never honoured.
 */
#include "smtp_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum data_state {
    DATA_LINE_START = 0, /* just after CR LF (or the DATA command's): a '.' here is special */
    DATA_DOT,            /* CR LF '.': end of data if CR LF follows, otherwise a stuffing dot */
    DATA_DOT_CR,         /* CR LF '.' CR: LF ends the data; anything else makes this CR bare */
    DATA_MID,            /* inside a line (a bare LF leaves us here too): nothing held */
    DATA_CR              /* a CR inside a line: LF makes it a line end, anything else bare */
};

/* Where settled message octets go: an optional caller buffer and a count. */
struct data_out {
    char *ptr; /* NULL when the caller keeps nothing */
    size_t cap;
    size_t len;
};

#define SMTP_DATA_VERDICT_TEXT_(name, text) text,
static const char *const data_verdict_text[SMTP_DATA_VERDICT_COUNT] = {
    SMTP_DATA_VERDICT_LIST(SMTP_DATA_VERDICT_TEXT_)};
#undef SMTP_DATA_VERDICT_TEXT_

/* data_panic - report a caller bug and stop; never returns */
static void data_panic(const char *func, const char *what)
{
    fprintf(stderr, "%s: caller bug: %s\n", func, what);
    abort();
}

/* data_flag - remember a problem; the verdict is picked at the end */
static void data_flag(struct smtp_data *dp, enum smtp_data_verdict v)
{
    dp->flags |= 1u << v;
}

/* data_emit - one settled message octet that is line content (not CR LF) */
static void data_emit(struct smtp_data *dp, struct data_out *o, char c)
{
    if (o->ptr != NULL) {
        if (o->len >= o->cap)
            data_panic("smtp_data_feed", "output buffer smaller than len + 1");
        o->ptr[o->len] = c;
    }
    o->len++;
    dp->octets++;
    /* Saturate just past the limit: the counter stays small however long the line. */
    if (dp->line_octets <= SMTP_DATA_LINE_MAX)
        dp->line_octets++;
    /* Content plus the CR LF that must still come: RFC 5321 4.5.3.1.6. */
    if (dp->line_octets > SMTP_DATA_LINE_MAX - 2)
        data_flag(dp, SMTP_DATA_LONG_LINE);
}

/* data_line_end - a CR LF ended a line: both octets belong to the message */
static void data_line_end(struct smtp_data *dp, struct data_out *o)
{
    if (o->ptr != NULL) {
        if (o->len > o->cap || o->cap - o->len < 2)
            data_panic("smtp_data_feed", "output buffer smaller than len + 1");
        o->ptr[o->len] = '\r';
        o->ptr[o->len + 1] = '\n';
    }
    o->len += 2;
    dp->octets += 2;
    dp->line_octets = 0;
    dp->state = DATA_LINE_START;
}

/* data_mid - one byte inside a line, nothing held before it */
static void data_mid(struct smtp_data *dp, struct data_out *o, char c)
{
    if (c == '\r') {
        dp->state = DATA_CR; /* terminator or bare: the next byte decides */
        return;
    }
    if (c == '\n')
        data_flag(dp, SMTP_DATA_BARE_LF); /* text, not a line end: see the file comment */
    data_emit(dp, o, c);
    dp->state = DATA_MID;
}

/* data_verdict - the first problem in list order, or SMTP_DATA_CLEAN */
static enum smtp_data_verdict data_verdict(const struct smtp_data *dp)
{
    for (unsigned v = SMTP_DATA_CLEAN + 1; v < SMTP_DATA_VERDICT_COUNT; v++) {
        if (dp->flags & (1u << v))
            return (enum smtp_data_verdict)v;
    }
    return SMTP_DATA_CLEAN;
}

/* smtp_data_reset - start a new message */
void smtp_data_reset(struct smtp_data *dp)
{
    if (dp == NULL)
        data_panic("smtp_data_reset", "NULL state");
    memset(dp, 0, sizeof(*dp));
}

/* smtp_data_feed - consume message text up to and including the end of data */
enum smtp_data_result smtp_data_feed(struct smtp_data *dp, const char *buf, size_t len,
                                     size_t *used, char *out, size_t out_cap, size_t *out_len,
                                     struct smtp_data_end *end)
{
    struct data_out o = {out, out_cap, 0};

    if (dp == NULL || used == NULL || end == NULL || (buf == NULL && len > 0))
        data_panic("smtp_data_feed", "NULL argument");
    if (out != NULL && (out_len == NULL || out_cap < len || out_cap - len < 1))
        data_panic("smtp_data_feed", "output buffer smaller than len + 1 or no out_len");

    for (size_t i = 0; i < len; i++) {
        char c = buf[i];

        switch ((enum data_state)dp->state) {
        case DATA_LINE_START:
            if (c == '.')
                dp->state = DATA_DOT; /* held: end of data or a stuffing dot */
            else
                data_mid(dp, &o, c);
            break;
        case DATA_DOT:
            if (c == '\r') {
                dp->state = DATA_DOT_CR;
            } else {
                /* RFC 5321 4.5.2: a leading dot with more on the line is dropped. */
                data_mid(dp, &o, c);
            }
            break;
        case DATA_DOT_CR:
            if (c == '\n') {
                end->verdict = data_verdict(dp);
                end->octets = dp->octets;
                memset(dp, 0, sizeof(*dp)); /* ready for the next message */
                *used = i + 1;
                if (out_len != NULL)
                    *out_len = o.len;
                return SMTP_DATA_END;
            }
            /* "." CR x: the dot was stuffing, the CR is bare (CR . CR x is not an end). */
            data_flag(dp, SMTP_DATA_BARE_CR);
            data_emit(dp, &o, '\r');
            data_mid(dp, &o, c);
            break;
        case DATA_MID:
            data_mid(dp, &o, c);
            break;
        case DATA_CR:
            if (c == '\n') {
                data_line_end(dp, &o);
            } else {
                data_flag(dp, SMTP_DATA_BARE_CR);
                data_emit(dp, &o, '\r');
                data_mid(dp, &o, c);
            }
            break;
        default:
            data_panic("smtp_data_feed", "corrupt state (not zero-initialised?)");
        }
    }
    *used = len;
    if (out_len != NULL)
        *out_len = o.len;
    return SMTP_DATA_NEED_MORE;
}

/* smtp_data_verdict_name - a short English description of a verdict */
const char *smtp_data_verdict_name(enum smtp_data_verdict verdict)
{
    if ((unsigned)verdict >= SMTP_DATA_VERDICT_COUNT)
        return "unknown verdict";
    return data_verdict_text[verdict];
}

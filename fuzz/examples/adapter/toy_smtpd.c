/*
 * toy_smtpd - a tiny, strict SMTP responder (the contract is toy_smtpd.h).
 *
 * One object per connection; the octets are consumed one phase at a time:
 * command lines (a bounded buffer, judged when their LF arrives), message
 * text (a matcher for CR LF . CR LF plus a few counters, nothing kept) and
 * BDAT chunks (counted, never looked at). Every reply is one of our own
 * literals, so no client octet can reach the wire.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toy_smtpd.h"

#define TOY_LINE_MAX 512  /* a command line, CR LF included (RFC 5321 4.5.3.1.4) */
#define TOY_TEXT_MAX 1000 /* a line of message text, CR LF included (RFC 5321 4.5.3.1.6) */
#define TOY_BDAT_DIGITS 9 /* BDAT sizes up to 999999999: anything longer is refused */

/* The one sequence that ends message text (RFC 5321 4.1.1.4); nothing else does. */
static const char toy_eod[] = "\r\n.\r\n";

/* The shortest code point each UTF-8 sequence length may encode (RFC 3629: no overlongs). */
static const uint32_t toy_utf8_least[5] = {0, 0, 0x80, 0x800, 0x10000};

enum toy_phase {
    TOY_COMMAND, /* reading command lines */
    TOY_TEXT,    /* after 354: message text up to CR LF . CR LF */
    TOY_CHUNK,   /* after a valid BDAT: skipping its octets, whatever they are */
    TOY_OVER     /* after 221 or a failed write: everything is ignored */
};

struct toy_smtpd {
    toy_smtpd_write_fn write;
    void *arg;
    enum toy_phase phase;

    /* TOY_COMMAND: the line so far, content and CR; its LF is never stored */
    char line[TOY_LINE_MAX - 1];
    size_t len;
    int too_long; /* more arrived than line[] holds: skip to the LF, answer once there */

    /* the mail transaction */
    int hello; /* HELO or EHLO accepted */
    int mail;  /* MAIL accepted */
    int rcpt;  /* at least one RCPT accepted */

    /* TOY_TEXT */
    size_t eod;   /* octets of toy_eod matched so far */
    char prev;    /* the previous octet of text */
    char lead;    /* the first octet of the current text line */
    size_t col;   /* octets of the current text line, saturating past TOY_TEXT_MAX */
    int stuffed;  /* the current line began "..": the first dot is transparency, not text */
    int bad_text; /* a bare CR, a bare LF or an over-long line was seen */

    /* TOY_CHUNK */
    size_t chunk_left; /* octets still to skip */
    int chunk_last;    /* the BDAT said LAST */
    int chunk_refused; /* the BDAT came out of sequence: 503 once its octets are skipped */
};

/* toy_say - write one of our reply literals; a failed write ends the connection */
static void toy_say(struct toy_smtpd *c, const char *reply)
{
    if (c->phase == TOY_OVER)
        return;
    if (c->write(reply, strlen(reply), c->arg) != 0)
        c->phase = TOY_OVER;
}

/* toy_upper - ASCII upper case of a-z, other octets unchanged (no locale) */
static char toy_upper(char o)
{
    return (o >= 'a' && o <= 'z') ? (char)(o - 'a' + 'A') : o;
}

/* toy_has_prefix - (p, n) starts with word (upper case), without regard to case */
static int toy_has_prefix(const char *p, size_t n, const char *word)
{
    size_t i, w = strlen(word);

    if (n < w)
        return 0;
    for (i = 0; i < w; i++)
        if (toy_upper(p[i]) != word[i])
            return 0;
    return 1;
}

/* toy_utf8_seq - octets of the well-formed UTF-8 sequence at p, or 0 (RFC 3629 section 3) */
static size_t toy_utf8_seq(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t len, i;

    if (p[0] >= 0xC0 && p[0] <= 0xDF) {
        len = 2;
        cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF7) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0; /* a continuation octet, or a lead octet no code point uses */
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    /* Decode first, then reject overlongs, surrogates and what lies past U+10FFFF. */
    if (cp < toy_utf8_least[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* toy_octets_ok - printable ASCII and well-formed UTF-8 only: no control octet, no DEL */
static int toy_octets_ok(const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, k;

    while (i < n) {
        if (p[i] >= 0x20 && p[i] <= 0x7E) {
            i++;
            continue;
        }
        k = toy_utf8_seq(p + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* toy_refuse_arg - answer 501 when a verb that takes no argument got one; 1 when it did */
static int toy_refuse_arg(struct toy_smtpd *c, size_t n)
{
    if (n == 0)
        return 0;
    toy_say(c, "501 5.5.4 No argument allowed\r\n");
    return 1;
}

/* toy_forget_mail - back to the state right after HELO/EHLO (RSET, end of a message) */
static void toy_forget_mail(struct toy_smtpd *c)
{
    c->mail = 0;
    c->rcpt = 0;
}

/* The verbs. Replies to HELO/EHLO carry no enhanced status code (RFC 2034 section 3). */

static void toy_helo(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    if (n == 0) {
        toy_say(c, "501 Syntax: HELO domain\r\n");
        return;
    }
    c->hello = 1;
    toy_forget_mail(c);
    toy_say(c, "250 toy.example\r\n");
}

static void toy_ehlo(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    if (n == 0) {
        toy_say(c, "501 Syntax: EHLO domain\r\n");
        return;
    }
    c->hello = 1;
    toy_forget_mail(c);
    toy_say(c, "250-toy.example\r\n"
               "250-PIPELINING\r\n"
               "250-8BITMIME\r\n"
               "250-SMTPUTF8\r\n"
               "250-ENHANCEDSTATUSCODES\r\n"
               "250 CHUNKING\r\n");
}

static void toy_mail(struct toy_smtpd *c, const char *arg, size_t n)
{
    if (!c->hello)
        toy_say(c, "503 5.5.1 Say HELO or EHLO first\r\n");
    else if (c->mail)
        toy_say(c, "503 5.5.1 Sender already given\r\n");
    else if (!toy_has_prefix(arg, n, "FROM:<"))
        toy_say(c, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    else {
        c->mail = 1;
        toy_say(c, "250 2.1.0 Sender ok\r\n");
    }
}

static void toy_rcpt(struct toy_smtpd *c, const char *arg, size_t n)
{
    if (!c->mail)
        toy_say(c, "503 5.5.1 Give MAIL first\r\n");
    else if (!toy_has_prefix(arg, n, "TO:<"))
        toy_say(c, "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    else {
        c->rcpt = 1;
        toy_say(c, "250 2.1.5 Recipient ok\r\n");
    }
}

static void toy_data(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    if (toy_refuse_arg(c, n))
        return;
    if (!c->rcpt) {
        toy_say(c, "503 5.5.1 Give RCPT first\r\n");
        return;
    }
    /* The DATA line's own CR LF counts as the first CR LF of CR LF . CR LF. */
    c->phase = TOY_TEXT;
    c->eod = 2;
    c->prev = '\n';
    c->col = 0;
    c->stuffed = 0;
    c->bad_text = 0;
    toy_say(c, "354 Send the text, end with <CR><LF>.<CR><LF>\r\n");
}

/* toy_chunk_done - every octet of a BDAT chunk has been skipped: answer the BDAT */
static void toy_chunk_done(struct toy_smtpd *c)
{
    c->phase = TOY_COMMAND;
    if (c->chunk_refused) {
        toy_say(c, "503 5.5.1 Give RCPT first\r\n");
    } else if (c->chunk_last) {
        toy_forget_mail(c);
        toy_say(c, "250 2.0.0 Message accepted\r\n");
    } else {
        toy_say(c, "250 2.0.0 Chunk accepted\r\n");
    }
}

/* BDAT SP 1*9DIGIT [SP "LAST"] (RFC 3030 section 2); a valid one always eats its octets */
static void toy_bdat(struct toy_smtpd *c, const char *arg, size_t n)
{
    size_t size = 0, i = 0;

    while (i < n && i <= TOY_BDAT_DIGITS && arg[i] >= '0' && arg[i] <= '9')
        size = size * 10 + (size_t)(arg[i++] - '0');
    if (i == 0 || i > TOY_BDAT_DIGITS ||
        (i < n && !(n - i == 5 && arg[i] == ' ' && toy_has_prefix(arg + i + 1, 4, "LAST")))) {
        toy_say(c, "501 5.5.4 Syntax: BDAT size [LAST]\r\n");
        return;
    }
    c->phase = TOY_CHUNK;
    c->chunk_left = size;
    c->chunk_last = i < n;
    c->chunk_refused = !c->rcpt;
    if (size == 0)
        toy_chunk_done(c);
}

static void toy_rset(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    if (toy_refuse_arg(c, n))
        return;
    toy_forget_mail(c);
    toy_say(c, "250 2.0.0 Reset\r\n");
}

static void toy_noop(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    (void)n; /* RFC 5321 4.1.1.9: NOOP may carry a string, which is ignored */
    toy_say(c, "250 2.0.0 Ok\r\n");
}

static void toy_help(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    (void)n; /* the same help whatever the topic */
    toy_say(c, "214-2.0.0 toy_smtpd understands\r\n"
               "214-2.0.0   HELO EHLO MAIL RCPT DATA BDAT\r\n"
               "214 2.0.0   RSET NOOP HELP QUIT\r\n");
}

static void toy_quit(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    if (toy_refuse_arg(c, n))
        return;
    toy_say(c, "221 2.0.0 Bye\r\n");
    c->phase = TOY_OVER;
}

/* VRFY, EXPN, STARTTLS, AUTH: recognised, so never 500, but not offered. */
static void toy_not_offered(struct toy_smtpd *c, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
    toy_say(c, "502 5.5.1 Not implemented\r\n");
}

struct toy_verb {
    const char *name; /* upper case; matched without regard to case */
    void (*run)(struct toy_smtpd *c, const char *arg, size_t n);
};

static const struct toy_verb toy_verbs[] = {
    {"HELO", toy_helo},        {"EHLO", toy_ehlo},
    {"MAIL", toy_mail},        {"RCPT", toy_rcpt},
    {"DATA", toy_data},        {"BDAT", toy_bdat},
    {"RSET", toy_rset},        {"NOOP", toy_noop},
    {"HELP", toy_help},        {"QUIT", toy_quit},
    {"VRFY", toy_not_offered}, {"EXPN", toy_not_offered},
    {"AUTH", toy_not_offered}, {"STARTTLS", toy_not_offered},
};

/* toy_find_verb - the row whose name is (p, n) in any case, or NULL (digits, "", unknown) */
static const struct toy_verb *toy_find_verb(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof toy_verbs / sizeof toy_verbs[0]; i++)
        if (strlen(toy_verbs[i].name) == n && toy_has_prefix(p, n, toy_verbs[i].name))
            return &toy_verbs[i];
    return NULL;
}

/* toy_line - an LF arrived: judge the command line in line[] and answer it exactly once */
static void toy_line(struct toy_smtpd *c)
{
    size_t n = c->len, verb = 0, skip;
    const struct toy_verb *v;

    if (c->too_long) {
        toy_say(c, "500 5.5.2 Line too long\r\n");
        return;
    }
#ifdef TOY_SMTPD_BUG_BARE_LF
    /* The planted bug: "strip an optional CR", so a bare LF ends a command like CR LF. */
    if (n > 0 && c->line[n - 1] == '\r')
        n--;
#else
    if (n == 0 || c->line[n - 1] != '\r') {
        toy_say(c, "500 5.5.2 Line not ended by CR LF\r\n");
        return;
    }
    n--;
#endif
    /* A CR left inside the content is a bare CR: refused with the other control octets. */
    if (!toy_octets_ok(c->line, n)) {
        toy_say(c, "500 5.5.2 Invalid octet in command\r\n");
        return;
    }
    while (verb < n && c->line[verb] != ' ')
        verb++;
    v = toy_find_verb(c->line, verb);
    if (v == NULL) {
        toy_say(c, "500 5.5.1 Command unrecognized\r\n");
        return;
    }
    skip = verb < n ? verb + 1 : verb; /* the SP after the verb is not part of the argument */
    v->run(c, c->line + skip, n - skip);
}

/* toy_command_octet - one octet in command mode: keep it, or skip it once the line is too long */
static void toy_command_octet(struct toy_smtpd *c, char o)
{
    if (o == '\n') {
        toy_line(c);
        c->len = 0;
        c->too_long = 0;
    } else if (c->len < sizeof c->line) {
        c->line[c->len++] = o;
    } else {
        c->too_long = 1; /* 512 octets before the LF: the line cannot fit in 512 with it */
    }
}

/* toy_text_octet - one octet of message text: check it, and watch for CR LF . CR LF */
static void toy_text_octet(struct toy_smtpd *c, char o)
{
    /* RFC 5321 2.3.8: CR and LF travel only as a pair. */
    if ((o == '\n' && c->prev != '\r') || (c->prev == '\r' && o != '\n'))
        c->bad_text = 1;
    if (c->col == 0)
        c->lead = o;
    else if (c->col == 1 && c->lead == '.' && o == '.')
        c->stuffed = 1;
    if (c->col <= TOY_TEXT_MAX + 1) /* room for the one stuffed dot taken off below */
        c->col++;
    if (o == '\n') {
        if (c->col - (size_t)c->stuffed > TOY_TEXT_MAX)
            c->bad_text = 1;
        c->col = 0;
        c->stuffed = 0;
    }
    c->prev = o;

    /* On a mismatch the longest restart is a lone CR: toy_eod repeats no longer prefix. */
    if (o == toy_eod[c->eod])
        c->eod++;
    else
        c->eod = o == '\r' ? 1 : 0;
    if (c->eod < sizeof toy_eod - 1)
        return;
    c->phase = TOY_COMMAND;
    toy_forget_mail(c);
    if (c->bad_text)
        toy_say(c, "554 5.6.0 Message refused: bare CR, bare LF or a line over 1000 octets\r\n");
    else
        toy_say(c, "250 2.0.0 Message accepted\r\n");
}

/* toy_smtpd_new - allocate a connection and greet the client */
struct toy_smtpd *toy_smtpd_new(toy_smtpd_write_fn write, void *arg)
{
    struct toy_smtpd *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->write = write;
    c->arg = arg;
    c->phase = TOY_COMMAND;
    toy_say(c, "220 toy.example ESMTP toy_smtpd\r\n");
    return c;
}

/* toy_smtpd_input - run the octets through whichever phase the connection is in */
enum toy_smtpd_status toy_smtpd_input(struct toy_smtpd *c, const char *buf, size_t len)
{
    size_t i = 0, take;

    while (i < len && c->phase != TOY_OVER) {
        switch (c->phase) {
        case TOY_CHUNK:
            take = len - i < c->chunk_left ? len - i : c->chunk_left;
            c->chunk_left -= take;
            i += take;
            if (c->chunk_left == 0)
                toy_chunk_done(c);
            break;
        case TOY_TEXT:
            toy_text_octet(c, buf[i++]);
            break;
        default: /* TOY_COMMAND; the loop never runs in TOY_OVER */
            toy_command_octet(c, buf[i++]);
            break;
        }
    }
    return c->phase == TOY_OVER ? TOY_SMTPD_DONE : TOY_SMTPD_MORE;
}

/* toy_smtpd_free - free the connection */
void toy_smtpd_free(struct toy_smtpd *c)
{
    free(c);
}

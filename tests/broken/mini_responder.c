/*
 * mini_responder - a small, self-contained SMTP responder, written the way
 * a third party would write one, that proves the fuzz targets find bugs.
 *
 * It shares no code with src/: its own line buffer, its own byte classes,
 * its own verb table and its own reply texts. Only the in-process target
 * interface (src/smtp_target.h) is common, because that is how any C
 * server is plugged into fuzz/fuzz_session.c.
 *
 * Built with no BROKEN_* macro it follows docs/contract.md sections 1-5 as far as the
 * oracle can see (fuzz_session_mini, the control, must find nothing).
 * Built with exactly one -DBROKEN_<BUG> it carries one small deviation,
 * each a mistake real servers make (FACTS.md), each tripping one rule:
 *
 *   BROKEN_BARE_LF         a bare LF ends a line like CR LF  r1-malformed-not-500
 *   BROKEN_LINE_511        off-by-one cap: 511 octets of     r1-malformed-not-500
 *                          content (513 on the wire) pass
 *   BROKEN_HELP_CASE       HELP matched case-sensitively,    r1-help-not-214
 *                          so "help" gets 500
 *   BROKEN_LONG_TWICE      an over-long line is answered at  r3-extra-reply (or,
 *                          the cap and again at its LF       as the oracle pairs
 *                                                            replies in order, the
 *                                                            next line's r1 rule)
 *   BROKEN_ECHO_RAW        the verb of a 500 is echoed       r2-bad-reply
 *                          unsanitised (bare CR, NUL, 8-bit
 *                          bytes reach the wire)
 *   BROKEN_DATA_LF_DOT_LF  LF . LF ends the message text     r5-data-end (SMTP
 *                          (bare LF taken as a data line end) smuggling)
 *   BROKEN_HEAP_OVERFLOW   HELO/EHLO copy their argument     ASan heap-buffer-
 *                          into a 64-octet heap buffer       overflow
 *                          without a bound
 *   BROKEN_HELP_250        HELP answered 250 (as aiosmtpd)   r1-help-not-214
 *
 * And the bug classes "smtpfuzz check" must find in a server's argument
 * handling and input buffers (tests/check.cmake runs each as a stdio
 * server, from a folder without the repository's seeds):
 *
 *   BROKEN_STACK_ARG       VRFY copies an argument holding   r6-crash (ASan:
 *                          '%' into a 64-octet stack buffer  stack-buffer-
 *                          without a bound                   overflow; else the
 *                                                            stack protector)
 *   BROKEN_LOOP_ARG        NOOP strips trailing backslashes  r6-hang
 *                          with a loop that never moves
 *   BROKEN_HELP_ECHO       "EXPN help" answered with the     r1-214-not-help
 *                          HELP text
 *   BROKEN_LINE_CHARS      the line limit counts characters  r1-malformed-not-500
 *                          (UTF-8 sequences), not octets     (profile strict)
 *   BROKEN_GROWING_BUFFER  the command line is kept whole    r6-memory
 *                          in a buffer that grows with it,
 *                          judged too long only at its LF
 *   BROKEN_CRLF_ONE_READ   a CR that ends one read is        r4-split-changed
 *                          dropped, so a CR LF split across
 *                          two reads is a bare LF
 *   BROKEN_BDAT0_OVERTAKE  the reply to BDAT 0 is held       r1 or r3 (replies
 *                          until the next command's reply    out of order)
 *                          has gone out
 *
 * What it never does (without BROKEN_*): hold more than 511 octets of a
 * command line, keep message text, keep global or static mutable state,
 * or write a reply byte outside CR LF-terminated, well-formed reply lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h" /* smtpfuzz_target, the symbol fuzz/fuzz_session.c drives */

#define MINI_LINE_MAX 512       /* octets of a command line, CR LF included */
#define MINI_DATA_LINE_MAX 1000 /* octets of a message line, CR LF included */
#define MINI_NAME_MAX 64        /* heap buffer for the HELO/EHLO name, NUL included */
#define MINI_ECHO_MAX 32        /* octets of client text echoed into a reply */

/*
 * Octets of a command line kept before its LF: the content and its CR.
 * BROKEN_LINE_511 keeps one more, so a 511-octet content plus CR still
 * fits and the line is never seen as too long.
 */
#ifdef BROKEN_LINE_511
#define MINI_KEEP MINI_LINE_MAX
#else
#define MINI_KEEP (MINI_LINE_MAX - 1)
#endif

/* BROKEN_LINE_CHARS: up to four octets a character, so the buffer is four times as long. */
#ifdef BROKEN_LINE_CHARS
#define MINI_LINE_OCTETS (4 * MINI_LINE_MAX)
#else
#define MINI_LINE_OCTETS MINI_LINE_MAX
#endif

enum mini_mode {
    MINI_COMMAND, /* reading command lines */
    MINI_DATA,    /* after 354: message text up to CR LF . CR LF */
    MINI_BDAT,    /* skipping the octets of a BDAT chunk */
    MINI_CLOSED   /* after 221: everything is ignored */
};

/* Where the message-text scanner stands; CR LF . CR LF is the only way out. */
enum mini_data_state {
    MINI_D_BOL,   /* at the start of a line (after CR LF, or right after the DATA line) */
    MINI_D_TEXT,  /* inside a line */
    MINI_D_CR,    /* inside a line, just after a CR (terminator or bare CR: not known yet) */
    MINI_D_DOT,   /* "." at the start of a line */
    MINI_D_DOT_CR /* "." CR at the start of a line: an LF now ends the data */
};

struct mini_session {
    smtp_reply_sink sink;
    void *sink_ctx;
    enum mini_mode mode;

    /* command line being read */
    size_t len;   /* octets kept in line[] */
    int overflow; /* the line outgrew line[]: it is too long, the rest is skipped */
#ifdef BROKEN_GROWING_BUFFER
    char *line; /* the whole line, however long: grows by doubling */
    size_t cap;
#else
    char line[MINI_LINE_OCTETS];
#endif
#ifdef BROKEN_LINE_CHARS
    size_t chars; /* characters kept: octets that do not continue a UTF-8 sequence */
#endif
#ifdef BROKEN_BDAT0_OVERTAKE
    int bdat0_owed; /* a BDAT 0 is answered after the next command */
#endif

    /* transaction */
    int greeted; /* HELO or EHLO seen */
    int in_mail; /* MAIL accepted */
    int rcpts;   /* RCPT accepted */
    char *name;  /* the HELO/EHLO argument, MINI_NAME_MAX octets on the heap */

    /* message text */
    enum mini_data_state dstate;
    size_t dcol; /* octets of the current message line so far, after dot-unstuffing */
    int dbad;    /* a bare CR, bare LF or over-long line was seen */

    /* BDAT chunk */
    uint64_t chunk_left; /* octets still to skip */
    int chunk_last;      /* the chunk was sent with LAST */
    int chunk_refused;   /* the BDAT came out of sequence: 503 once skipped */
};

/* mini_send - write a reply (our literal, CR LF included) */
static void mini_send(struct mini_session *s, const char *reply)
{
    s->sink(s->sink_ctx, reply, strlen(reply));
}

/* mini_is_letter - ASCII letter, by range (no locale) */
static int mini_is_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* mini_upper - ASCII upper case of a letter; other bytes unchanged */
static unsigned char mini_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/* mini_same - (p, n) spells word (upper case) without regard to case */
static int mini_same(const char *p, size_t n, const char *word)
{
    size_t i;

    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (mini_upper((unsigned char)p[i]) != (unsigned char)word[i])
            return 0;
    return 1;
}

/* mini_starts - (p, n) begins with word (upper case) without regard to case */
static int mini_starts(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);

    return n >= w && mini_same(p, w, word);
}

/*
 * mini_send_echo - write "<head><client text><tail>", the client text cut
 * to MINI_ECHO_MAX octets and, unless BROKEN_ECHO_RAW, with every byte
 * outside 0x20..0x7E turned into '?' so no client byte can end or split
 * the reply
 */
static void mini_send_echo(struct mini_session *s, const char *head, const char *text, size_t n,
                           const char *tail)
{
    char buf[MINI_LINE_MAX];
    size_t hl = strlen(head), tl = strlen(tail), i;

    if (n > MINI_ECHO_MAX)
        n = MINI_ECHO_MAX;
    if (hl + n + tl > sizeof(buf)) /* our literals are short: cannot happen */
        abort();
    memcpy(buf, head, hl);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
#ifdef BROKEN_ECHO_RAW
        buf[hl + i] = (char)c;
#else
        buf[hl + i] = (c >= 0x20 && c <= 0x7E) ? (char)c : '?';
#endif
    }
    memcpy(buf + hl + n, tail, tl);
    s->sink(s->sink_ctx, buf, hl + n + tl);
}

/*
 * mini_utf8_len - octets of the well-formed UTF-8 sequence at p (RFC 3629
 * section 4: no overlongs, no surrogates, nothing above U+10FFFF), or 0
 */
static size_t mini_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need, i;

    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        need = 1;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        need = 2;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        need = 3;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0; /* overlong below U+0800 */
    else if (p[0] == 0xED)
        hi = 0x9F; /* surrogates U+D800..U+DFFF */
    else if (p[0] == 0xF0)
        lo = 0x90; /* overlong below U+10000 */
    else if (p[0] == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (n < need + 1)
        return 0;
    for (i = 1; i <= need; i++) {
        if (p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

/* mini_text_ok - content holds only 0x20..0x7E and well-formed UTF-8 */
static int mini_text_ok(const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, k;

    while (i < n) {
        if (p[i] >= 0x20 && p[i] <= 0x7E) {
            i++;
            continue;
        }
        k = mini_utf8_len(p + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* mini_reset_mail - forget the transaction (RSET, EHLO, end of message) */
static void mini_reset_mail(struct mini_session *s)
{
    s->in_mail = 0;
    s->rcpts = 0;
}

/* mini_keep_name - remember the HELO/EHLO argument (and say hello) */
static void mini_keep_name(struct mini_session *s, const char *arg, size_t n)
{
    size_t keep = n;

#ifndef BROKEN_HEAP_OVERFLOW
    if (keep > MINI_NAME_MAX - 1)
        keep = MINI_NAME_MAX - 1;
#endif
    memcpy(s->name, arg, keep);
    s->name[keep] = '\0';
    s->greeted = 1;
    mini_reset_mail(s);
}

static void mini_helo(struct mini_session *s, const char *arg, size_t n)
{
    if (n == 0) {
        mini_send(s, "501 Syntax: HELO hostname\r\n");
        return;
    }
    mini_keep_name(s, arg, n);
    mini_send_echo(s, "250 mini.example Hello ", s->name, strlen(s->name), "\r\n");
}

static void mini_ehlo(struct mini_session *s, const char *arg, size_t n)
{
    if (n == 0) {
        mini_send(s, "501 Syntax: EHLO hostname\r\n");
        return;
    }
    mini_keep_name(s, arg, n);
    mini_send_echo(s, "250-mini.example Hello ", s->name, strlen(s->name), "\r\n");
    mini_send(s, "250-PIPELINING\r\n"
                 "250-8BITMIME\r\n"
                 "250-SMTPUTF8\r\n"
                 "250-ENHANCEDSTATUSCODES\r\n"
                 "250-CHUNKING\r\n"
                 "250 SIZE 10485760\r\n");
}

static void mini_mail(struct mini_session *s, const char *arg, size_t n)
{
    if (!s->greeted)
        mini_send(s, "503 5.5.1 Send HELO or EHLO first\r\n");
    else if (s->in_mail)
        mini_send(s, "503 5.5.1 Nested MAIL command\r\n");
    else if (!mini_starts(arg, n, "FROM:<"))
        mini_send(s, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    else {
        s->in_mail = 1;
        mini_send(s, "250 2.1.0 Sender OK\r\n");
    }
}

static void mini_rcpt(struct mini_session *s, const char *arg, size_t n)
{
    if (!s->in_mail)
        mini_send(s, "503 5.5.1 Need MAIL first\r\n");
    else if (!mini_starts(arg, n, "TO:<"))
        mini_send(s, "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    else {
        s->rcpts++;
        mini_send(s, "250 2.1.5 Recipient OK\r\n");
    }
}

static void mini_data(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    if (n != 0)
        mini_send(s, "501 5.5.4 DATA takes no argument\r\n");
    else if (s->rcpts == 0)
        mini_send(s, "503 5.5.1 Need RCPT first\r\n");
    else {
        s->mode = MINI_DATA;
        s->dstate = MINI_D_BOL;
        s->dcol = 0;
        s->dbad = 0;
        mini_send(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
    }
}

/* mini_chunk_reply - the reply to a BDAT whose octets have all been skipped */
static void mini_chunk_reply(struct mini_session *s)
{
    if (s->chunk_refused)
        mini_send(s, "503 5.5.1 Need RCPT first\r\n");
    else if (s->chunk_last) {
        mini_reset_mail(s);
        mini_send(s, "250 2.0.0 Message accepted\r\n");
    } else
        mini_send(s, "250 2.0.0 Chunk accepted\r\n");
}

/* mini_chunk_done - back to commands, and answer the BDAT */
static void mini_chunk_done(struct mini_session *s)
{
    s->mode = MINI_COMMAND;
    mini_chunk_reply(s);
}

/* BDAT <1-9 digits> [SP LAST] (RFC 3030 section 2) */
static void mini_bdat(struct mini_session *s, const char *arg, size_t n)
{
    uint64_t size = 0;
    size_t i = 0;

    while (i < n && i < 10 && arg[i] >= '0' && arg[i] <= '9')
        size = size * 10 + (uint64_t)(arg[i++] - '0');
    if (i == 0 || i > 9 ||
        (i < n && !(n - i == 5 && arg[i] == ' ' && mini_same(arg + i + 1, 4, "LAST")))) {
        mini_send(s, "501 5.5.4 Syntax: BDAT size [LAST]\r\n");
        return;
    }
    s->chunk_left = size;
    s->chunk_last = i < n;
    s->chunk_refused = s->rcpts == 0;
#ifdef BROKEN_BDAT0_OVERTAKE
    if (size == 0) {
        s->bdat0_owed = 2; /* counted down after this line and the next: then answered */
        return;
    }
#endif
    s->mode = MINI_BDAT;
    if (size == 0)
        mini_chunk_done(s);
}

static void mini_rset(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
    mini_reset_mail(s);
    mini_send(s, "250 2.0.0 OK\r\n");
}

static void mini_noop(struct mini_session *s, const char *arg, size_t n)
{
#ifdef BROKEN_LOOP_ARG
    volatile size_t end = n; /* strip escapes at the end: the decrement was forgotten */

    while (end > 0 && arg[end - 1] == '\\') {
    }
#endif
    (void)arg;
    (void)n;
    mini_send(s, "250 2.0.0 OK\r\n");
}

#ifdef BROKEN_STACK_ARG
/*
 * mini_decode_user - VRFY's argument with '%' read as '@', through a 64-octet stack buffer "no
 * local part outgrows", into echo[0..MINI_ECHO_MAX); its length. Kept out of line, and the
 * buffer written through a pointer the compiler cannot see through, so the overflow lands on
 * this frame's guard as it would in a real server.
 */
__attribute__((noinline)) static size_t mini_decode_user(const char *arg, size_t n, char *echo)
{
    char user[64];
    char *volatile to = user;
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        to[k++] = arg[i] == '%' ? '@' : arg[i]; /* no bound */
    k = k < MINI_ECHO_MAX ? k : MINI_ECHO_MAX;
    memcpy(echo, user, k);
    return k;
}
#endif

static void mini_vrfy(struct mini_session *s, const char *arg, size_t n)
{
#ifdef BROKEN_STACK_ARG
    if (memchr(arg, '%', n) != NULL) {
        char echo[MINI_ECHO_MAX];
        size_t k = mini_decode_user(arg, n, echo);

        mini_send_echo(s, "252 2.1.5 Cannot VRFY ", echo, k, "\r\n");
        return;
    }
#endif
    (void)arg;
    (void)n;
    mini_send(s, "252 2.1.5 Cannot VRFY user, but will accept message\r\n");
}

static void mini_help(struct mini_session *s, const char *arg, size_t n);

static void mini_expn(struct mini_session *s, const char *arg, size_t n)
{
#ifdef BROKEN_HELP_ECHO
    if (mini_same(arg, n, "HELP")) { /* "EXPN help" meant as a help request */
        mini_help(s, arg, 0);
        return;
    }
#endif
    (void)arg;
    (void)n;
    mini_send(s, "502 5.5.1 EXPN not implemented\r\n");
}

static void mini_help(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
#ifdef BROKEN_HELP_250
    mini_send(s, "250 2.0.0 Supported commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT\r\n");
#else
    mini_send(s, "214-2.0.0 Supported commands:\r\n"
                 "214-2.0.0   HELO EHLO MAIL RCPT DATA BDAT\r\n"
                 "214 2.0.0   RSET NOOP VRFY EXPN HELP QUIT\r\n");
#endif
}

static void mini_quit(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
    s->mode = MINI_CLOSED;
    mini_send(s, "221 2.0.0 Bye\r\n");
}

static void mini_starttls(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
    mini_send(s, "454 4.7.0 TLS not available\r\n");
}

static void mini_auth(struct mini_session *s, const char *arg, size_t n)
{
    (void)arg;
    (void)n;
    mini_send(s, "502 5.5.1 AUTH not available\r\n");
}

/* One row per verb; lookup walks it in order. */
struct mini_verb {
    const char *name; /* upper case */
    int exact;        /* match the spelling exactly instead of without regard to case */
    void (*run)(struct mini_session *s, const char *arg, size_t n);
};

#ifdef BROKEN_HELP_CASE
#define MINI_HELP_EXACT 1
#else
#define MINI_HELP_EXACT 0
#endif

static const struct mini_verb mini_verbs[] = {
    {"HELO", 0, mini_helo},
    {"EHLO", 0, mini_ehlo},
    {"MAIL", 0, mini_mail},
    {"RCPT", 0, mini_rcpt},
    {"DATA", 0, mini_data},
    {"BDAT", 0, mini_bdat},
    {"RSET", 0, mini_rset},
    {"NOOP", 0, mini_noop},
    {"VRFY", 0, mini_vrfy},
    {"EXPN", 0, mini_expn},
    {"HELP", MINI_HELP_EXACT, mini_help},
    {"QUIT", 0, mini_quit},
    {"STARTTLS", 0, mini_starttls},
    {"AUTH", 0, mini_auth},
};

/* mini_find_verb - the row spelled by (p, n), or NULL */
static const struct mini_verb *mini_find_verb(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(mini_verbs) / sizeof(mini_verbs[0]); i++) {
        const struct mini_verb *v = &mini_verbs[i];
        if (v->exact ? (strlen(v->name) == n && memcmp(v->name, p, n) == 0)
                     : mini_same(p, n, v->name))
            return v;
    }
    return NULL;
}

/* mini_line_done - an LF arrived: judge the command line and answer it once */
static void mini_line_done(struct mini_session *s)
{
    const char *p = s->line;
    size_t n = s->len, verb_len = 0;
    const struct mini_verb *v;

#ifdef BROKEN_GROWING_BUFFER
    if (n > MINI_KEEP)
        s->overflow = 1; /* judged only now, with the whole line in memory */
#endif
    if (s->overflow) {
        mini_send(s, "500 5.5.2 Line too long\r\n");
        return;
    }
    if (n > 0 && p[n - 1] == '\r') {
        n--;
    } else {
#ifndef BROKEN_BARE_LF
        mini_send(s, "500 5.5.2 Line must end with CR LF\r\n");
        return;
#endif
    }
    while (verb_len < n && p[verb_len] != ' ')
        verb_len++;
    if (!mini_text_ok(p, n)) {
        mini_send_echo(s, "500 5.5.2 Bad character in command ", p, verb_len, "\r\n");
        return;
    }
    for (size_t i = 0; i < verb_len; i++) {
        if (!mini_is_letter((unsigned char)p[i])) {
            mini_send_echo(s, "500 5.5.1 Bad command ", p, verb_len, "\r\n");
            return;
        }
    }
    v = verb_len == 0 ? NULL : mini_find_verb(p, verb_len);
    if (v == NULL) {
        mini_send_echo(s, "500 5.5.1 Unknown command ", p, verb_len, "\r\n");
        return;
    }
    if (verb_len < n)
        v->run(s, p + verb_len + 1, n - verb_len - 1);
    else
        v->run(s, p + n, 0);
}

/* mini_data_end - CR LF . CR LF arrived: answer the message */
static void mini_data_end(struct mini_session *s)
{
    s->mode = MINI_COMMAND;
    mini_reset_mail(s);
    if (s->dbad)
        mini_send(s, "550 5.6.0 Message has a bare CR, bare LF or an over-long line\r\n");
    else
        mini_send(s, "250 2.0.0 Message accepted\r\n");
}

/* mini_data_byte - one octet of message text (RFC 5321 4.1.1.4, 4.5.2, 4.5.3.1.6) */
static void mini_data_byte(struct mini_session *s, unsigned char c)
{
    switch (s->dstate) {
    case MINI_D_BOL:
        s->dcol = 0;
        if (c == '.') {
            s->dcol = 1;
            s->dstate = MINI_D_DOT;
            return;
        }
        break;
    case MINI_D_DOT:
        if (c == '\r') {
            s->dstate = MINI_D_DOT_CR;
            return;
        }
#ifdef BROKEN_DATA_LF_DOT_LF
        if (c == '\n') { /* ".\n" taken as the end: "\n.\n" smuggles commands */
            mini_data_end(s);
            return;
        }
#endif
        if (c == '.') { /* a doubled leading dot: the first is transparency, not text */
            s->dstate = MINI_D_TEXT;
            return;
        }
        break;
    case MINI_D_DOT_CR:
        if (c == '\n') {
            mini_data_end(s);
            return;
        }
        s->dbad = 1; /* ". CR x": that CR was bare */
        s->dcol++;
        break;
    case MINI_D_CR:
        if (c == '\n') {
            if (s->dcol + 1 > MINI_DATA_LINE_MAX)
                s->dbad = 1;
            s->dstate = MINI_D_BOL;
            return;
        }
        s->dbad = 1; /* the CR before this byte was bare (already counted) */
        break;
    case MINI_D_TEXT:
        break;
    }
    /* c is an ordinary octet of a line, a CR that may end it, or a bare LF */
    if (c == '\r') {
        s->dcol++;
        s->dstate = MINI_D_CR;
    } else if (c == '\n') {
        s->dbad = 1;
#ifdef BROKEN_DATA_LF_DOT_LF
        s->dstate = MINI_D_BOL; /* like CR LF: the classic LF-framing mistake */
#else
        s->dcol++;
        s->dstate = MINI_D_TEXT;
#endif
    } else {
        s->dcol++;
        s->dstate = MINI_D_TEXT;
    }
    if (s->dcol > MINI_DATA_LINE_MAX)
        s->dbad = 1;
}

/* mini_command_byte - one octet of a command line */
static void mini_command_byte(struct mini_session *s, char c)
{
    if (c == '\n') {
        mini_line_done(s);
        s->len = 0;
        s->overflow = 0;
#ifdef BROKEN_LINE_CHARS
        s->chars = 0;
#endif
#ifdef BROKEN_BDAT0_OVERTAKE
        if (s->bdat0_owed > 0 && --s->bdat0_owed == 0)
            mini_chunk_reply(s); /* after the reply of the command that followed it */
#endif
        return;
    }
    if (s->overflow)
        return; /* skip the excess; answer once, at the LF */
#ifdef BROKEN_GROWING_BUFFER
    if (s->len == s->cap) {
        char *bigger = realloc(s->line, s->cap * 2);
        if (bigger == NULL)
            abort();
        s->line = bigger;
        s->cap *= 2;
    }
    s->line[s->len++] = c;
    return;
#endif
#ifdef BROKEN_LINE_CHARS
    if (((unsigned char)c & 0xC0) != 0x80)
        s->chars++; /* a character starts: continuation octets are not counted */
    if (s->chars <= MINI_KEEP && s->len < sizeof s->line) {
        s->line[s->len++] = c;
        return;
    }
#else
    if (s->len < MINI_KEEP) {
        s->line[s->len++] = c;
        return;
    }
#endif
    s->overflow = 1;
#ifdef BROKEN_LONG_TWICE
    mini_send(s, "500 5.5.2 Line too long\r\n"); /* ...and again at the LF */
#endif
}

static void *mini_open(smtp_reply_sink sink, void *sink_ctx)
{
    struct mini_session *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->name = malloc(MINI_NAME_MAX);
    if (s->name == NULL) {
        free(s);
        return NULL;
    }
    s->name[0] = '\0';
#ifdef BROKEN_GROWING_BUFFER
    s->cap = MINI_LINE_MAX;
    s->line = malloc(s->cap);
    if (s->line == NULL) {
        free(s->name);
        free(s);
        return NULL;
    }
#endif
    s->sink = sink;
    s->sink_ctx = sink_ctx;
    s->mode = MINI_COMMAND;
    mini_send(s, "220 mini.example ESMTP mini_responder\r\n");
    return s;
}

static enum smtp_target_state mini_feed(void *session, const char *bytes, size_t len)
{
    struct mini_session *s = session;
    size_t i = 0;

    while (i < len && s->mode != MINI_CLOSED) {
#ifdef BROKEN_CRLF_ONE_READ
        if (i + 1 == len && bytes[i] == '\r' && s->mode == MINI_COMMAND)
            break; /* "its LF is in this read too": a CR that ends a read is lost */
#endif
        if (s->mode == MINI_BDAT) {
            size_t take = len - i;
            if ((uint64_t)take > s->chunk_left)
                take = (size_t)s->chunk_left;
            s->chunk_left -= take;
            i += take;
            if (s->chunk_left == 0)
                mini_chunk_done(s);
        } else if (s->mode == MINI_DATA) {
            mini_data_byte(s, (unsigned char)bytes[i++]);
        } else {
            mini_command_byte(s, bytes[i++]);
        }
    }
    return s->mode == MINI_CLOSED ? SMTP_TARGET_CLOSED : SMTP_TARGET_OPEN;
}

static void mini_close(void *session)
{
    struct mini_session *s = session;

    if (s == NULL)
        return;
    free(s->name);
#ifdef BROKEN_GROWING_BUFFER
    free(s->line);
#endif
    free(s);
}

static const struct smtp_target mini_target = {
    .name = "mini",
    .open = mini_open,
    .feed = mini_feed,
    .close = mini_close,
};

const struct smtp_target *const smtpfuzz_target = &mini_target;

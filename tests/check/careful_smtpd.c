/*
 * careful_smtpd - an independent, careful SMTP server on standard input and
 * output (like "exim -bs"), written for the test suite.
 *
 * What it is for. "smtpfuzz check --profile rfc" is run against it for
 * thousands of fuzzed sessions and must report nothing. It shares no code
 * with the project (libc and POSIX only) and is written in another shape
 * than the reference responder (src/smtp_session.c): a fixed input buffer
 * read with read(2), a getline-like command reader, a per-session struct,
 * a { name, function } command table, and replies gathered in an output
 * buffer that is written out after each chunk of input has been handled.
 *
 * Where RFC 5321 and RFC 3030 leave a choice, it takes the one the
 * reference responder does not, so that the rfc profile is exercised on
 * every reading it promises to accept:
 *
 * - Only CR LF ends a command line (RFC 5321 2.3.8); a bare LF stays inside
 *   the line, which then gets one reply at the next CR LF. The reference
 *   cuts a line at every LF.
 * - Command lines may be 2000 octets long, CR LF included (RFC 5321
 *   4.5.3.1: limits are minimums; the reference stops at 512).
 * - A control octet in a command line gets 501 (RFC 5321 4.1.2: a command
 *   using invalid character codes "MUST" get 501); the reference says 500.
 * - HELP answers 211 (RFC 5321 4.2.2 "System status, or system help
 *   reply") and refuses a topic with 504 (4.1.1.8: arguments are a MAY).
 * - BDAT (RFC 3030) is an extension offered only with --chunking; without
 *   it, BDAT is a command not implemented (502, RFC 5321 4.2.4) and no
 *   chunk follows. With it, chunk sizes of up to 18 digits are read (RFC
 *   3030 2 puts no bound on chunk-size); the reference stops at 9.
 * - MAIL and RCPT check the order of commands before their arguments
 *   (RFC 5321 4.1.4 fixes no order between the two checks); they do not
 *   look inside the angle brackets, and ignore parameters. (RFC 5321
 *   4.1.1.11 describes 555 for a parameter the server does not know; the
 *   ones a client may send after this EHLO reply, SIZE and BODY, are
 *   known, and ignoring them is harmless here.)
 * - RCPT is still taken after a BDAT chunk (RFC 3030 2 forbids only mixing
 *   DATA and BDAT); the reference refuses it.
 * - Message text may hold bare CR and bare LF (RFC 5321 4.1.1.4 only says
 *   they do not end the text); a text line over 1000 octets makes the
 *   message fail with 552 (RFC 5321 4.5.3.1.6; the failure reply at the
 *   end of the text, 4.1.1.4).
 * - After 10 consecutive 5yz replies the server says 421 and closes (RFC
 *   5321 7.8); the reference never closes before QUIT.
 * - When the input ends without QUIT it says 421 before it goes (RFC 5321
 *   3.8, and 4.2.2: 421 "may be a reply to any command if the service
 *   knows it must shut down"); the reference stays silent.
 * - Reply texts never repeat client octets at all; the reference echoes up
 *   to 40 sanitised octets. Every reply line is built by one helper that
 *   turns anything but printable ASCII into '?' and stays under 512 octets
 *   (RFC 5321 4.5.3.1.5), so nothing echoed could split a reply.
 *
 * Usage: careful_smtpd [--chunking]. Exit status 0 after QUIT, after the
 * close that follows repeated errors, at end of input, and when standard
 * output went away (EPIPE); 1 on another I/O error; 2 on a bad argument.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HOST "careful.test"
#define COMMAND_LINE_MAX 2000 /* octets of a command line, CR LF included (RFC 5321 4.5.3.1) */
#define TEXT_LINE_MAX 1000    /* octets of a text line, CR LF included (RFC 5321 4.5.3.1.6) */
#define REPLY_LINE_MAX 512    /* octets of a reply line, CR LF included (RFC 5321 4.5.3.1.5) */
#define RCPT_MAX 100          /* recipients per message (RFC 5321 4.5.3.1.8) */
#define ERROR_LIMIT 10        /* consecutive 5yz replies before closing (RFC 5321 7.8) */
#define CHUNK_DIGITS_MAX 18   /* BDAT sizes below 10^18: they fit in 64 bits */
#define INPUT_SIZE 4096
#define OUTPUT_SIZE 8192

enum reading {
    READ_COMMANDS, /* command lines, each ended by CR LF */
    READ_TEXT,     /* DATA message text, ended by CR LF . CR LF */
    READ_CHUNK     /* the octets of a BDAT chunk */
};

/* Where the text reader is in the search for CR LF . CR LF (RFC 5321 4.1.1.4). */
enum text_at {
    TEXT_LINE_START, /* just after CR LF (the DATA line's own CR LF counts) */
    TEXT_MIDDLE,     /* inside a text line */
    TEXT_CR,         /* after a CR inside a line */
    TEXT_DOT,        /* after CR LF . */
    TEXT_DOT_CR      /* after CR LF . CR */
};

struct server {
    int chunking;         /* --chunking: CHUNKING offered, BDAT taken */
    int finished;         /* QUIT answered, or closed after errors */
    int output_failed;    /* a write failed: stop at once */
    int output_errno;     /* why */
    unsigned errors;      /* consecutive 5yz replies (RFC 5321 7.8) */
    enum reading reading; /* what the next input octets are */

    /* The session and its mail transaction (RFC 5321 3.3, 4.1.4). */
    int greeted;     /* HELO or EHLO was accepted */
    int in_mail;     /* MAIL was accepted: a transaction is open */
    unsigned rcpts;  /* recipients accepted in it */
    int chunks_sent; /* a BDAT chunk was accepted in it (RFC 3030 2) */

    /* The command line being read. */
    char line[COMMAND_LINE_MAX + 1]; /* room for a NUL in place of the CR */
    size_t line_len;                 /* octets seen, capped at COMMAND_LINE_MAX + 1 */
    int line_cr;                     /* the last octet seen was CR */

    /* The message text being read: counted, never kept. */
    enum text_at text_at;
    size_t text_line_len; /* octets of the current text line, capped */
    int text_line_dot;    /* it began with a dot (not counted: RFC 5321 4.5.3.1.6) */
    int text_too_long;    /* some text line was over TEXT_LINE_MAX */
    uint64_t text_octets; /* octets of text so far */

    /* The BDAT chunk being read. */
    uint64_t chunk_size;
    uint64_t chunk_left;
    int chunk_last;    /* BDAT ... LAST */
    int chunk_refused; /* answered 503 once read */

    char input[INPUT_SIZE];
    char output[OUTPUT_SIZE];
    size_t output_len;
};

/* ---- output --------------------------------------------------------------------------------- */

/* write_all - write n octets to fd, through EINTR, short writes and a non-blocking fd */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT, .revents = 0};
            (void)poll(&pfd, 1, -1);
        } else {
            if (w == 0)
                errno = EIO;
            return -1;
        }
    }
    return 0;
}

/* flush - write out the buffered replies */
static void flush(struct server *srv)
{
    if (srv->output_len > 0 && !srv->output_failed &&
        write_all(STDOUT_FILENO, srv->output, srv->output_len) < 0) {
        srv->output_failed = 1;
        srv->output_errno = errno;
    }
    srv->output_len = 0;
}

/* put - append octets to the output buffer, writing it out first when full */
static void put(struct server *srv, const char *p, size_t n)
{
    if (srv->output_len + n > sizeof srv->output)
        flush(srv);
    memcpy(srv->output + srv->output_len, p, n);
    srv->output_len += n;
}

/*
 * put_reply_line - one reply line "code SP text" or "code-text" with CR LF
 * (RFC 5321 4.2). The text is forced to printable ASCII and cut so that the
 * line stays within REPLY_LINE_MAX octets (RFC 5321 4.5.3.1.5).
 */
__attribute__((format(printf, 4, 0))) static void
put_reply_line(struct server *srv, int code, char sep, const char *fmt, va_list ap)
{
    char buf[REPLY_LINE_MAX];
    size_t len, i;
    int n;

    n = snprintf(buf, sizeof buf, "%03d%c", code, sep);
    if (n != 4)
        return; /* not a three-digit code: a bug here; send nothing rather than garbage */
    n = vsnprintf(buf + 4, sizeof buf - 4 - 2, fmt, ap);
    len = 4;
    if (n > 0)
        len += (size_t)n < sizeof buf - 4 - 2 ? (size_t)n : sizeof buf - 4 - 2 - 1;
    for (i = 4; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c > 0x7E)
            buf[i] = '?';
    }
    if (len == 4)
        buf[len++] = '.'; /* never a bare "code SP" (RFC 5321 4.2.1); no text of ours is empty */
    buf[len++] = '\r';
    buf[len++] = '\n';
    put(srv, buf, len);
}

/* reply_line - one reply line, sep ' ' for the last line of a reply and '-' for the others */
__attribute__((format(printf, 4, 5))) static void reply_line(struct server *srv, int code, char sep,
                                                             const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    put_reply_line(srv, code, sep, fmt, ap);
    va_end(ap);
}

/*
 * reply - the last (or only) line of a reply. It keeps the count of
 * consecutive 5yz replies: the one that makes it ERROR_LIMIT is followed by
 * 421 and the end of the session (RFC 5321 7.8; 421 may come at any time,
 * 3.8). Any other reply starts the count again.
 */
__attribute__((format(printf, 3, 4))) static void reply(struct server *srv, int code,
                                                        const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    put_reply_line(srv, code, ' ', fmt, ap);
    va_end(ap);

    if (code / 100 != 5) {
        srv->errors = 0;
    } else if (++srv->errors == ERROR_LIMIT && !srv->finished) {
        reply_line(srv, 421, ' ', "4.7.0 Too many errors, closing");
        srv->finished = 1;
    }
}

/* ---- the session ---------------------------------------------------------------------------- */

/* end_transaction - forget the sender, recipients and chunks (RFC 5321 4.1.1.5, 4.1.1.4) */
static void end_transaction(struct server *srv)
{
    srv->in_mail = 0;
    srv->rcpts = 0;
    srv->chunks_sent = 0;
}

/* upper - ASCII upper case, other octets unchanged (no locale) */
static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* is_letter - an ASCII letter */
static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* starts_with - text begins with word (upper case) in any ASCII case; 0 or word's length */
static size_t starts_with(const char *text, const char *word)
{
    size_t i;

    for (i = 0; word[i] != '\0'; i++) {
        if (upper(text[i]) != word[i])
            return 0; /* also stops at the NUL ending text */
    }
    return i;
}

/*
 * path_ok - arg is KEYWORD followed by "<", anything, ">" and then the end
 * or SP and parameters (RFC 5321 4.1.1.2, 4.1.1.3). Nothing inside the
 * brackets is checked and parameters are ignored.
 */
static int path_ok(const char *arg, const char *keyword)
{
    size_t n;
    const char *p;

    if (arg == NULL || (n = starts_with(arg, keyword)) == 0 || arg[n] != '<')
        return 0;
    for (p = arg + n + 1; *p != '\0'; p++) {
        if (*p == '>' && (p[1] == '\0' || p[1] == ' '))
            return 1;
    }
    return 0;
}

/* HELO/EHLO (RFC 5321 4.1.1.1): both start the session over (4.1.4) */
static int greet(struct server *srv, const char *arg)
{
    if (arg == NULL || *arg == '\0') {
        reply(srv, 501, "5.5.4 Syntax: EHLO hostname");
        return 0;
    }
    end_transaction(srv);
    srv->greeted = 1;
    return 1;
}

static void cmd_helo(struct server *srv, const char *arg)
{
    if (greet(srv, arg))
        reply(srv, 250, "%s", HOST);
}

/* EHLO lists the extensions (RFC 5321 4.1.1.1; RFC 2920, RFC 6152, RFC 1870, RFC 3030) */
static void cmd_ehlo(struct server *srv, const char *arg)
{
    if (!greet(srv, arg))
        return;
    reply_line(srv, 250, '-', "%s", HOST);
    reply_line(srv, 250, '-', "PIPELINING");
    reply_line(srv, 250, '-', "8BITMIME");
    if (srv->chunking)
        reply_line(srv, 250, '-', "CHUNKING");
    reply(srv, 250, "SIZE 1000000");
}

/* MAIL (RFC 5321 4.1.1.2): order first, then syntax (4.1.4 leaves the order open) */
static void cmd_mail(struct server *srv, const char *arg)
{
    if (!srv->greeted)
        reply(srv, 503, "5.5.1 Send HELO first");
    else if (srv->in_mail)
        reply(srv, 503, "5.5.1 Nested MAIL");
    else if (!path_ok(arg, "FROM:"))
        reply(srv, 501, "5.5.4 Syntax: MAIL FROM:<address>");
    else {
        srv->in_mail = 1;
        reply(srv, 250, "2.1.0 Sender ok");
    }
}

/* RCPT (RFC 5321 4.1.1.3); at most RCPT_MAX recipients, then 452 (4.5.3.1.10) */
static void cmd_rcpt(struct server *srv, const char *arg)
{
    if (!srv->in_mail)
        reply(srv, 503, "5.5.1 Need MAIL first");
    else if (!path_ok(arg, "TO:"))
        reply(srv, 501, "5.5.4 Syntax: RCPT TO:<address>");
    else if (srv->rcpts >= RCPT_MAX)
        reply(srv, 452, "4.5.3 Too many recipients");
    else {
        srv->rcpts++;
        reply(srv, 250, "2.1.5 Recipient ok");
    }
}

/* DATA (RFC 5321 4.1.1.4): 354, then the text; never mixed with BDAT (RFC 3030 2) */
static void cmd_data(struct server *srv, const char *arg)
{
    if (arg != NULL) {
        reply(srv, 501, "5.5.4 No parameters allowed");
    } else if (srv->rcpts == 0) {
        reply(srv, 503, "5.5.1 Need RCPT first");
    } else if (srv->chunks_sent) {
        reply(srv, 503, "5.5.1 BDAT in progress");
    } else {
        reply(srv, 354, "Start mail input; end with <CRLF>.<CRLF>");
        srv->reading = READ_TEXT;
        srv->text_at = TEXT_LINE_START; /* the DATA line's CR LF is the first CR LF */
        srv->text_line_len = 0;
        srv->text_line_dot = 0;
        srv->text_too_long = 0;
        srv->text_octets = 0;
    }
}

/* chunk_done - every octet of a BDAT chunk has arrived: its one reply (RFC 3030 2) */
static void chunk_done(struct server *srv)
{
    srv->reading = READ_COMMANDS;
    if (srv->chunk_refused) {
        reply(srv, 503, "5.5.1 Need RCPT first");
    } else if (srv->chunk_last) {
        end_transaction(srv);
        reply(srv, 250, "2.0.0 Message accepted");
    } else {
        srv->chunks_sent = 1;
        reply(srv, 250, "2.0.0 %llu octets received", (unsigned long long)srv->chunk_size);
    }
}

/*
 * BDAT (RFC 3030 2): "BDAT" SP chunk-size [SP "LAST"]. Only a well-formed
 * BDAT of an offered CHUNKING has a chunk; it is read whole, then answered.
 */
static void cmd_bdat(struct server *srv, const char *arg)
{
    size_t digits = 0, i;
    uint64_t size = 0;
    int last = 0;

    if (!srv->chunking) {
        reply(srv, 502, "5.5.1 BDAT not available"); /* not offered: no chunk (RFC 5321 4.2.4) */
        return;
    }
    if (arg != NULL) {
        while (arg[digits] >= '0' && arg[digits] <= '9')
            digits++;
    }
    if (digits > 0 && arg[digits] == ' ' && starts_with(arg + digits + 1, "LAST") == 4 &&
        arg[digits + 5] == '\0')
        last = 1;
    else if (digits == 0 || arg[digits] != '\0') {
        reply(srv, 501, "5.5.4 Syntax: BDAT size [LAST]");
        return;
    }
    if (digits > CHUNK_DIGITS_MAX) {
        reply(srv, 552, "5.3.4 Chunk too large");
        return;
    }
    for (i = 0; i < digits; i++)
        size = size * 10 + (uint64_t)(arg[i] - '0');

    srv->chunk_size = size;
    srv->chunk_left = size;
    srv->chunk_last = last;
    srv->chunk_refused = srv->rcpts == 0;
    if (size == 0)
        chunk_done(srv);
    else
        srv->reading = READ_CHUNK;
}

/* RSET (RFC 5321 4.1.1.5): no parameters in its syntax */
static void cmd_rset(struct server *srv, const char *arg)
{
    if (arg != NULL) {
        reply(srv, 501, "5.5.4 No parameters allowed");
    } else {
        end_transaction(srv);
        reply(srv, 250, "2.0.0 Reset");
    }
}

/* NOOP (RFC 5321 4.1.1.9): "If a parameter string is specified, servers SHOULD ignore it" */
static void cmd_noop(struct server *srv, const char *arg)
{
    (void)arg;
    reply(srv, 250, "2.0.0 OK");
}

/* VRFY (RFC 5321 4.1.1.6, 3.5.3): 252 for "cannot verify, will accept" */
static void cmd_vrfy(struct server *srv, const char *arg)
{
    if (arg == NULL || *arg == '\0')
        reply(srv, 501, "5.5.4 Syntax: VRFY name");
    else
        reply(srv, 252, "2.1.5 Cannot verify");
}

/* EXPN (RFC 5321 4.1.1.7, 3.5.2): may be disabled */
static void cmd_expn(struct server *srv, const char *arg)
{
    (void)arg;
    reply(srv, 502, "5.5.1 EXPN not available");
}

/* STARTTLS (RFC 3207), AUTH (RFC 4954): neither is offered (RFC 5321 4.2.4: 502) */
static void cmd_not_offered(struct server *srv, const char *arg)
{
    (void)arg;
    reply(srv, 502, "5.5.1 Not available");
}

/* HELP (RFC 5321 4.1.1.8): 211 is a "system help reply" (4.2.2); topics are a MAY */
static void cmd_help(struct server *srv, const char *arg)
{
    if (arg == NULL)
        reply(srv, 211, "%s: see RFC 5321", HOST);
    else
        reply(srv, 504, "5.5.4 No help on that");
}

/* QUIT (RFC 5321 4.1.1.10): 221, then close */
static void cmd_quit(struct server *srv, const char *arg)
{
    if (arg != NULL) {
        reply(srv, 501, "5.5.4 No parameters allowed");
    } else {
        reply(srv, 221, "2.0.0 Bye");
        srv->finished = 1;
    }
}

struct cmd {
    const char *name; /* upper case */
    void (*fn)(struct server *srv, const char *arg);
};

static const struct cmd commands[] = {
    {"HELO", cmd_helo},
    {"EHLO", cmd_ehlo},
    {"MAIL", cmd_mail},
    {"RCPT", cmd_rcpt},
    {"DATA", cmd_data},
    {"BDAT", cmd_bdat},
    {"RSET", cmd_rset},
    {"NOOP", cmd_noop},
    {"VRFY", cmd_vrfy},
    {"EXPN", cmd_expn},
    {"HELP", cmd_help},
    {"QUIT", cmd_quit},
    {"STARTTLS", cmd_not_offered},
    {"AUTH", cmd_not_offered},
};

/*
 * command - one command line, CR LF removed and NUL in its place. The
 * verb is the leading run of letters, any case (RFC 5321 2.4), ended by SP
 * or the end of the line; the argument is everything after that SP (NULL
 * when there is no SP, possibly empty when there is).
 */
static void command(struct server *srv, const char *text, size_t len)
{
    size_t i, verb_len = 0;
    const char *arg = NULL;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7F) {
            /* bare CR, bare LF, HT, NUL ...: not allowed in a command (RFC 5321 4.1.2, 2.3.8) */
            reply(srv, 501, "5.5.2 Invalid character in command");
            return;
        }
    }
    while (verb_len < len && is_letter(text[verb_len]))
        verb_len++;
    if (verb_len < len) {
        if (text[verb_len] != ' ')
            verb_len = 0; /* a verb must end at SP or the end of the line */
        else
            arg = text + verb_len + 1;
    }
    for (i = 0; verb_len > 0 && i < sizeof commands / sizeof commands[0]; i++) {
        if (strlen(commands[i].name) == verb_len && starts_with(text, commands[i].name)) {
            commands[i].fn(srv, arg);
            return;
        }
    }
    reply(srv, 500, "5.5.1 Command unrecognized"); /* RFC 5321 4.2.4 */
}

/* ---- the three readers ---------------------------------------------------------------------- */

/*
 * take_line - the getline of command mode: takes octets up to and
 * including the next LF; when that LF follows a CR, the line is complete.
 * Only CR LF ends a line (RFC 5321 2.3.8): a bare LF is kept in the line.
 * At most COMMAND_LINE_MAX octets are kept; a longer line is skipped to its
 * CR LF and answered once. Returns the octets taken.
 */
static size_t take_line(struct server *srv, const char *in, size_t n)
{
    const char *lf = memchr(in, '\n', n);
    size_t span = lf != NULL ? (size_t)(lf - in) + 1 : n;
    size_t room = srv->line_len < COMMAND_LINE_MAX ? COMMAND_LINE_MAX - srv->line_len : 0;
    int complete = lf != NULL && (span >= 2 ? in[span - 2] == '\r' : srv->line_cr);
    size_t len;

    memcpy(srv->line + srv->line_len, in, span < room ? span : room);
    if (span > COMMAND_LINE_MAX + 1 - srv->line_len)
        srv->line_len = COMMAND_LINE_MAX + 1; /* too long: only the count goes on */
    else
        srv->line_len += span;
    srv->line_cr = in[span - 1] == '\r';
    if (!complete)
        return span;

    len = srv->line_len;
    srv->line_len = 0;
    srv->line_cr = 0;
    if (len > COMMAND_LINE_MAX) {
        reply(srv, 500, "5.5.2 Line too long"); /* RFC 5321 4.5.3.1.4 */
        return span;
    }
    len -= 2; /* the CR LF */
    srv->line[len] = '\0';
    command(srv, srv->line, len);
    return span;
}

/* text_line_end - a CR LF ended a text line: was it longer than allowed? */
static void text_line_end(struct server *srv)
{
    /* A leading dot is not counted (RFC 5321 4.5.3.1.6, 4.5.2). */
    if (srv->text_line_len - (size_t)srv->text_line_dot > TEXT_LINE_MAX)
        srv->text_too_long = 1;
    srv->text_line_len = 0;
    srv->text_line_dot = 0;
}

/*
 * take_text - message text up to CR LF . CR LF and nothing else (RFC 5321
 * 4.1.1.4: a bare CR or LF does not count). Returns the octets taken.
 */
static size_t take_text(struct server *srv, const char *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = in[i];

        if (srv->text_line_len <= TEXT_LINE_MAX + 1)
            srv->text_line_len++;
        srv->text_octets++;
        switch (srv->text_at) {
        case TEXT_LINE_START:
            if (c == '.')
                srv->text_line_dot = 1;
            srv->text_at = c == '.' ? TEXT_DOT : c == '\r' ? TEXT_CR : TEXT_MIDDLE;
            break;
        case TEXT_MIDDLE:
            srv->text_at = c == '\r' ? TEXT_CR : TEXT_MIDDLE;
            break;
        case TEXT_CR:
            if (c == '\n')
                text_line_end(srv);
            srv->text_at = c == '\n' ? TEXT_LINE_START : c == '\r' ? TEXT_CR : TEXT_MIDDLE;
            break;
        case TEXT_DOT:
            srv->text_at = c == '\r' ? TEXT_DOT_CR : TEXT_MIDDLE;
            break;
        case TEXT_DOT_CR:
            if (c == '\n') {
                /* the end of the text; the transaction ends either way (RFC 5321 4.1.1.4) */
                srv->reading = READ_COMMANDS;
                end_transaction(srv);
                if (srv->text_too_long)
                    reply(srv, 552, "5.3.4 Line too long in message");
                else
                    reply(srv, 250, "2.0.0 Message accepted");
                return i + 1;
            }
            srv->text_at = c == '\r' ? TEXT_CR : TEXT_MIDDLE;
            break;
        }
    }
    return n;
}

/* take_chunk - octets of a BDAT chunk, whatever they are (RFC 3030 2) */
static size_t take_chunk(struct server *srv, const char *in, size_t n)
{
    size_t take = n;

    (void)in;
    if ((uint64_t)take > srv->chunk_left)
        take = (size_t)srv->chunk_left;
    srv->chunk_left -= take;
    if (srv->chunk_left == 0)
        chunk_done(srv);
    return take;
}

/* feed - hand n octets of input to whichever reader is current */
static void feed(struct server *srv, const char *in, size_t n)
{
    size_t pos = 0;

    while (pos < n && !srv->finished && !srv->output_failed) {
        switch (srv->reading) {
        case READ_COMMANDS:
            pos += take_line(srv, in + pos, n - pos);
            break;
        case READ_TEXT:
            pos += take_text(srv, in + pos, n - pos);
            break;
        case READ_CHUNK:
            pos += take_chunk(srv, in + pos, n - pos);
            break;
        }
    }
}

/* ---- main ----------------------------------------------------------------------------------- */

/* finish - exit status for the way the session ended */
static int finish(struct server *srv)
{
    flush(srv);
    if (!srv->output_failed || srv->output_errno == EPIPE)
        return 0; /* a reader that went away is not an error of ours */
    fprintf(stderr, "careful_smtpd: write: %s\n", strerror(srv->output_errno));
    return 1;
}

int main(int argc, char **argv)
{
    struct server srv; /* the whole session: passed down, never global */
    struct sigaction sa;
    int i;

    memset(&srv, 0, sizeof srv);

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chunking") == 0) {
            srv.chunking = 1;
        } else {
            fprintf(stderr, "usage: careful_smtpd [--chunking]\n");
            return 2;
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGPIPE, &sa, NULL); /* a closed stdout is EPIPE, not death */

    srv.reading = READ_COMMANDS;
    reply(&srv, 220, "%s ESMTP ready", HOST); /* RFC 5321 4.3.1 */
    flush(&srv);

    while (!srv.finished && !srv.output_failed) {
        ssize_t n = read(STDIN_FILENO, srv.input, sizeof srv.input);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
            (void)poll(&pfd, 1, -1);
            continue;
        }
        if (n < 0) {
            fprintf(stderr, "careful_smtpd: read: %s\n", strerror(errno));
            flush(&srv);
            return 1;
        }
        if (n == 0) {
            /* End of input without QUIT (RFC 5321 4.1.1.5, 3.8): a partial line or a
             * cut-off text or chunk gets no reply of its own. */
            reply(&srv, 421, "4.4.2 Connection closed by client");
            break;
        }
        feed(&srv, srv.input, (size_t)n);
        flush(&srv);
    }
    return finish(&srv);
}

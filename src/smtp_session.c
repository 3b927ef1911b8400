/*
 * smtp_session - the reference SMTP responder: a session state machine
 * over three readers (command lines, DATA text, BDAT chunks) and one
 * verb table.
 *
 * Shape. A session is in one of four modes: reading command lines
 * (smtp_line), reading DATA message text (smtp_data), skipping the octets
 * of a BDAT chunk, or closed. Every finished command line goes through one
 * dispatch: a malformed line gets its 500; otherwise the verb's row of
 * session_cmds[] is used in three steps, as OpenSMTPD splits
 * smtp_check_* from smtp_proceed_*:
 *
 *   1. check   - argument syntax only; replies 501/555 itself on failure
 *   2. need    - sequence rules (RFC 5321 4.1.4, RFC 3030); the first rule
 *                that does not hold names the 503
 *   3. proceed - the command's effect and its positive (or policy) reply
 *
 * The argument grammar of HELO/EHLO, MAIL and RCPT (domains, address
 * literals, paths) is smtp_path's; the checks here add what is the verb's:
 * the keyword, the parameters, which of <>, <Postmaster> and UTF-8 to take.
 *
 * Syntax is checked before sequence for every verb, because BDAT must work
 * that way (a well-formed BDAT consumes its chunk even when refused, a
 * malformed one consumes nothing), and one order for all verbs is easier
 * to predict than one per verb.
 *
 * Replies. Every reply goes through smtp_reply_format (the one choke
 * point); client bytes are only ever passed as SMTP_TEXT_CLIENT segments,
 * capped at SESSION_ECHO_MAX octets, so no client can split a reply.
 * Replies are emitted as soon as the command (or its data) is complete,
 * so the reply bytes cannot depend on how the input was split.
 *
 * Decisions the contract leaves to the responder (user documentation should say the same):
 * - UTF-8 in MAIL/RCPT paths is accepted only in a transaction whose MAIL
 *   carried SMTPUTF8 (RFC 6531 3.4); otherwise 553 5.6.7. HELO/EHLO take
 *   an ASCII domain or address literal only (501 otherwise).
 * - Verbs that take no argument (DATA, RSET, QUIT) refuse even a trailing
 *   SP with 501 5.5.4: the RFC 5321 grammar has none, and accepting one
 *   would make "DATA " ambiguous between two readers.
 * - No space is allowed after "FROM:" / "TO:" (RFC 5321 3.3). A source
 *   route (<@a,@b:x@y>) is accepted and ignored (RFC 5321 4.1.2). XXX No
 *   length limit below the 512-octet line is put on paths (RFC 5321
 *   4.5.3.1 allows servers to enforce 64/255/256 octets; we do not).
 * - MAIL parameters: SIZE=<digits> (over SMTP_SESSION_SIZE_MAX: 552
 *   5.3.4), BODY=7BIT|8BITMIME, SMTPUTF8, each at most once, in any case;
 *   anything else, a repeat or an empty parameter is 555 5.5.4. RCPT takes
 *   no parameters (no DSN): any is 555 5.5.4.
 * - HELP's topic is its argument up to the first SP; a verb in any case
 *   gets that verb's help, anything else "No help for ..." (still 214).
 * - EXPN, STARTTLS and AUTH get 502 5.5.1 whatever their arguments.
 * - End of DATA: a content problem (550 5.6.0) wins over size (552 5.3.4).
 * - BDAT replies come after the chunk's octets were consumed, refused or
 *   not; a chunk cut off by the end of input gets no reply, like an
 *   unterminated command line. Non-LAST chunks get 250 even once the
 *   total is over SIZE; the LAST chunk then gets 552 (XXX a real server
 *   may refuse earlier; one decision point keeps the oracle simple).
 * - RCPT and DATA are refused (503) once a BDAT chunk was accepted in the
 *   transaction (RFC 3030 2: no DATA after BDAT; RSET starts over).
 */
#include "smtp_session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_data.h"
#include "smtp_line.h"
#include "smtp_path.h"
#include "smtp_reply.h"
#include "smtp_verb.h"

#define SESSION_NAME "smtpfuzz.localhost" /* our host name in every reply that names one */
#define SESSION_RCPT_MAX 100              /* RFC 5321 4.5.3.1.8: the minimum a server must take */
#define SESSION_ECHO_MAX 40               /* octets of client text echoed in one reply */
#define SESSION_BDAT_DIGITS 9             /* BDAT sizes up to 999999999 octets */

enum session_mode {
    SESSION_COMMAND = 0, /* reading command lines */
    SESSION_DATA,        /* reading DATA text up to CR LF . CR LF */
    SESSION_CHUNK,       /* consuming the octets of a BDAT chunk */
    SESSION_CLOSED       /* QUIT answered: nothing more, ever */
};

/*
 * X(name, text): sequence rules, in the order they are tested; the first
 * that fails names the 503 (RFC 5321 4.1.4, RFC 3030 2).
 */
#define SESSION_RULE_LIST(X)                                                                       \
    X(SESSION_NEED_HELO, "send HELO or EHLO first")                                                \
    X(SESSION_NEED_NO_MAIL, "a mail transaction is already open (nested MAIL)")                    \
    X(SESSION_NEED_MAIL, "send MAIL first")                                                        \
    X(SESSION_NEED_RCPT, "send RCPT first")                                                        \
    X(SESSION_NEED_NO_BDAT, "BDAT transfer in progress; send BDAT or RSET")

#define SESSION_RULE_ENUM_(name, text) name,
enum session_rule { SESSION_RULE_LIST(SESSION_RULE_ENUM_) SESSION_RULE_COUNT };
#undef SESSION_RULE_ENUM_

#define SESSION_RULE_TEXT_(name, text) text,
static const char *const session_rule_text[SESSION_RULE_COUNT] = {
    SESSION_RULE_LIST(SESSION_RULE_TEXT_)};
#undef SESSION_RULE_TEXT_

#define NEED(rule) (1u << (rule))
#define SESSION_STR_(x) #x
#define SESSION_STR(x) SESSION_STR_(x) /* a numeric macro as a string literal */

struct smtp_session {
    smtp_reply_sink sink;
    void *sink_ctx;
    enum session_mode mode;
    /* Envelope state: what RSET, HELO/EHLO and the end of a message clear. */
    unsigned char greeted;   /* a HELO or EHLO succeeded */
    unsigned char mail;      /* MAIL succeeded: a transaction is open */
    unsigned char smtputf8;  /* that MAIL carried SMTPUTF8 */
    unsigned char bdat_used; /* a BDAT chunk was accepted in this transaction */
    unsigned rcpts;          /* recipients accepted */
    uint64_t bdat_octets;    /* octets over all accepted chunks (saturating) */
    /* The BDAT chunk being consumed (mode SESSION_CHUNK). */
    uint64_t chunk_left;
    uint64_t chunk_size;
    unsigned char chunk_last;
    unsigned char chunk_refused;  /* the chunk is skipped and answered with 503 */
    enum session_rule chunk_rule; /* why, when refused */
    struct smtp_line line;        /* command-line tokenizer state */
    struct smtp_data data;        /* DATA text reader state */
};

/* What a check extracts from the argument for proceed. */
struct session_args {
    const char *arg; /* the whole argument (after the verb's SP) */
    size_t arg_len;
    int nonascii;   /* the path holds UTF-8 beyond ASCII */
    int smtputf8;   /* MAIL ... SMTPUTF8 */
    uint64_t size;  /* MAIL ... SIZE=n (0 when absent) */
    uint64_t chunk; /* BDAT n */
    int chunk_last; /* BDAT n LAST */
    enum smtp_verb verb;
};

/* One row of the verb table. */
struct session_cmd {
    /* check - argument syntax; 0 when fine, else it replied (501/555) */
    int (*check)(struct smtp_session *s, struct session_args *a);
    unsigned need; /* NEED() bits that must hold, else 503 */
    /* refuse - a rule failed; NULL means answer 503 now */
    void (*refuse)(struct smtp_session *s, enum session_rule rule, const struct session_args *a);
    /* proceed - the command's effect and reply */
    void (*proceed)(struct smtp_session *s, const struct session_args *a);
    const char *help; /* HELP <verb>: first line syntax, then what it does */
};

#define OURS(lit)                                                                                  \
    {                                                                                              \
        (lit), sizeof(lit) - 1, SMTP_TEXT_OURS                                                     \
    }

/* session_panic - report a caller bug (or our own) and stop; never returns */
static void session_panic(const char *func, const char *what)
{
    fprintf(stderr, "%s: bug: %s\n", func, what);
    abort();
}

/* ---- byte classes (RFC 5321 4.1.2, RFC 6531 3.3), ranges only ---- */

/* in_range - lo <= c <= hi */
static int in_range(unsigned char c, unsigned char lo, unsigned char hi)
{
    return c >= lo && c <= hi;
}

/* is_alpha - ALPHA */
static int is_alpha(unsigned char c)
{
    return in_range(c, 'A', 'Z') || in_range(c, 'a', 'z');
}

/* is_digit - DIGIT */
static int is_digit(unsigned char c)
{
    return in_range(c, '0', '9');
}

/* is_letdig - Let-dig */
static int is_letdig(unsigned char c)
{
    return is_alpha(c) || is_digit(c);
}

/* is_utf8 - a byte of a UTF-8 multi-byte sequence (the tokenizer checked them) */
static int is_utf8(unsigned char c)
{
    return c >= 0x80;
}

/* is_value - esmtp-value octet (RFC 5321 4.1.2, RFC 6531 3.3) */
static int is_value(unsigned char c)
{
    return in_range(c, 33, 60) || in_range(c, 62, 126) || is_utf8(c);
}

/* ascii_upper - fold one ASCII letter to upper case */
static unsigned char ascii_upper(unsigned char c)
{
    return in_range(c, 'a', 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/* ascii_ieq - (p, n) equals the upper-case literal lit, ignoring ASCII case */
static int ascii_ieq(const char *p, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (ascii_upper((unsigned char)p[i]) != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

/* ascii_iprefix - (p, n) begins with the upper-case literal lit, ignoring ASCII case */
static int ascii_iprefix(const char *p, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && ascii_ieq(p, m, lit);
}

/* ---- replies: everything leaves through session_reply ---- */

/* session_reply - format one reply and hand it to the sink */
static void session_reply(struct smtp_session *s, unsigned code, const char *enh,
                          const struct smtp_text *text, size_t ntext)
{
    char out[SMTP_REPLY_MAX];
    size_t len = 0;
    struct smtp_reply_spec spec = {code, enh, text, ntext};
    enum smtp_reply_status st = smtp_reply_format(&spec, out, sizeof(out), &len);

    if (st != SMTP_REPLY_OK && st != SMTP_REPLY_TRUNCATED)
        session_panic("session_reply", smtp_reply_status_name(st));
    s->sink(s->sink_ctx, out, len);
}

/* session_say - a reply whose text is one literal of ours */
static void session_say(struct smtp_session *s, unsigned code, const char *enh, const char *text)
{
    struct smtp_text t = {text, strlen(text), SMTP_TEXT_OURS};
    session_reply(s, code, enh, &t, 1);
}

/* session_say_echo - ours, then quoted client bytes (capped), then ours */
static void session_say_echo(struct smtp_session *s, unsigned code, const char *enh,
                             const char *before, const char *echo, size_t echo_len,
                             const char *after)
{
    int cut = echo_len > SESSION_ECHO_MAX;
    struct smtp_text t[4] = {
        {before, strlen(before), SMTP_TEXT_OURS},
        {echo, cut ? SESSION_ECHO_MAX : echo_len, SMTP_TEXT_CLIENT},
        {cut ? "...\"" : "\"", cut ? 4u : 1u, SMTP_TEXT_OURS},
        {after, strlen(after), SMTP_TEXT_OURS},
    };
    session_reply(s, code, enh, t, 4);
}

/* session_say_count - ours, "<n> octet(s)", ours */
static void session_say_count(struct smtp_session *s, unsigned code, const char *enh,
                              const char *before, uint64_t n, const char *after)
{
    char num[32];
    int len = snprintf(num, sizeof(num), "%" PRIu64 " octet%s", n, n == 1 ? "" : "s");
    struct smtp_text t[3] = {
        {before, strlen(before), SMTP_TEXT_OURS},
        {num, len > 0 ? (size_t)len : 0, SMTP_TEXT_OURS},
        {after, strlen(after), SMTP_TEXT_OURS},
    };
    session_reply(s, code, enh, t, 3);
}

/* ---- session state ---- */

/* session_reset_tx - forget the mail transaction (RSET, HELO/EHLO, end of message) */
static void session_reset_tx(struct smtp_session *s)
{
    s->mail = 0;
    s->smtputf8 = 0;
    s->bdat_used = 0;
    s->rcpts = 0;
    s->bdat_octets = 0;
}

/* session_rule_holds - is this sequence rule satisfied now */
static int session_rule_holds(const struct smtp_session *s, enum session_rule rule)
{
    switch (rule) {
    case SESSION_NEED_HELO:
        return s->greeted;
    case SESSION_NEED_NO_MAIL:
        return !s->mail;
    case SESSION_NEED_MAIL:
        return s->mail;
    case SESSION_NEED_RCPT:
        return s->rcpts > 0;
    case SESSION_NEED_NO_BDAT:
        return !s->bdat_used;
    case SESSION_RULE_COUNT:
        break;
    }
    session_panic("session_rule_holds", "rule out of range");
    return 0;
}

/* session_refuse_now - the default refusal: 503 naming the broken rule */
static void session_refuse_now(struct smtp_session *s, enum session_rule rule)
{
    struct smtp_text t[2] = {
        OURS("Bad sequence of commands: "),
        {session_rule_text[rule], strlen(session_rule_text[rule]), SMTP_TEXT_OURS}};
    session_reply(s, 503, "5.5.1", t, 2);
}

/* ---- checks: argument syntax only ---- */

/* check_any - no syntax to check (NOOP, HELP, and the verbs we do not implement) */
static int check_any(struct smtp_session *s, struct session_args *a)
{
    (void)s;
    (void)a;
    return 0;
}

/* check_none - the verb takes no argument, not even a trailing SP */
static int check_none(struct smtp_session *s, struct session_args *a)
{
    if (a->arg == NULL)
        return 0;
    {
        const char *name = smtp_verb_name(a->verb);
        struct smtp_text t[3] = {OURS("Syntax error: "),
                                 {name, strlen(name), SMTP_TEXT_OURS},
                                 OURS(" takes no parameters")};
        session_reply(s, 501, "5.5.4", t, 3);
    }
    return -1;
}

/* check_hello - HELO/EHLO SP ( Domain / address-literal ), ASCII only */
static int check_hello(struct smtp_session *s, struct session_args *a)
{
    int ok = a->arg != NULL && smtp_path_domain(a->arg, a->arg_len, 0) == SMTP_PATH_OK;

    if (!ok) {
        /* docs/contract.md section 4: replies to HELO/EHLO carry no enhanced status code. */
        const char *name = smtp_verb_name(a->verb);
        struct smtp_text t[3] = {OURS("Syntax: "),
                                 {name, strlen(name), SMTP_TEXT_OURS},
                                 OURS(" <domain or address literal>")};
        session_reply(s, 501, NULL, t, 3);
        return -1;
    }
    return 0;
}

/* bad_param - 555 naming the parameter */
static int bad_param(struct smtp_session *s, const char *p, size_t n)
{
    session_say_echo(s, 555, "5.5.4", "Unsupported or malformed parameter \"", p, n, "");
    return -1;
}

/* check_mail_params - SIZE=n, BODY=7BIT|8BITMIME, SMTPUTF8, each at most once (RFC 1870, 6152,
 * 6531) */
static int check_mail_params(struct smtp_session *s, struct session_args *a, const char *p,
                             size_t n)
{
    int seen_size = 0, seen_body = 0;
    size_t i = 0;

    for (;;) {
        size_t start = i, eq = SIZE_MAX, k, end;
        while (i < n && p[i] != ' ')
            i++;
        end = i;
        /* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") ["=" esmtp-value] */
        for (k = start; k < end; k++) {
            unsigned char b = (unsigned char)p[k];
            if (b == '=') {
                eq = k;
                break;
            }
            if (!(is_letdig(b) || (b == '-' && k > start)))
                return bad_param(s, p + start, end - start);
        }
        if (k == start)
            return bad_param(s, p + start, end - start); /* empty parameter or keyword */
        if (eq != SIZE_MAX) {
            if (eq + 1 == end)
                return bad_param(s, p + start, end - start);
            for (k = eq + 1; k < end; k++) {
                if (!is_value((unsigned char)p[k]))
                    return bad_param(s, p + start, end - start);
            }
        }
        {
            size_t klen = (eq != SIZE_MAX ? eq : end) - start;
            const char *val = eq != SIZE_MAX ? p + eq + 1 : NULL;
            size_t vlen = eq != SIZE_MAX ? end - eq - 1 : 0;

            if (ascii_ieq(p + start, klen, "SIZE") && val != NULL && !seen_size) {
                uint64_t v = 0;
                for (k = 0; k < vlen; k++) {
                    if (!is_digit((unsigned char)val[k]))
                        return bad_param(s, p + start, end - start);
                    /* Stop growing past the maximum: every such size is refused alike. */
                    if (v <= SMTP_SESSION_SIZE_MAX)
                        v = v * 10 + (uint64_t)(val[k] - '0');
                }
                a->size = v;
                seen_size = 1;
            } else if (ascii_ieq(p + start, klen, "BODY") && val != NULL && !seen_body &&
                       (ascii_ieq(val, vlen, "7BIT") || ascii_ieq(val, vlen, "8BITMIME"))) {
                seen_body = 1;
            } else if (ascii_ieq(p + start, klen, "SMTPUTF8") && val == NULL && !a->smtputf8) {
                a->smtputf8 = 1;
            } else {
                return bad_param(s, p + start, end - start);
            }
        }
        if (i == n)
            return 0;
        i++; /* the SP; an empty parameter after it is caught above */
    }
}

/* check_path_cmd - "FROM:" / "TO:" Path [SP params]: the shared part of MAIL and RCPT */
static int check_path_cmd(struct smtp_session *s, struct session_args *a, const char *keyword,
                          const char *usage, const char *bad_enh, const char *bad_text, int is_mail)
{
    size_t klen = strlen(keyword), n, used;
    const char *p;
    struct smtp_path_result res;
    /* UTF-8 is taken here and refused by proceed (553) without SMTPUTF8 (RFC 6531 3.4). */
    unsigned flags = SMTP_PATH_UTF8 | (is_mail ? SMTP_PATH_NULL : SMTP_PATH_POSTMASTER);

    if (a->arg == NULL || !ascii_iprefix(a->arg, a->arg_len, keyword)) {
        session_say(s, 501, "5.5.4", usage);
        return -1;
    }
    p = a->arg + klen;
    n = a->arg_len - klen;
    /* Any refusal, junk right after '>' included, is the same 501. */
    if (smtp_path_parse(p, n, flags, &res) != SMTP_PATH_OK) {
        session_say(s, 501, bad_enh, bad_text);
        return -1;
    }
    a->nonascii = res.nonascii;
    used = res.used;
    if (used == n)
        return 0;
    used++; /* the SP */
    if (!is_mail) {
        /* We offer no RCPT parameters (no DSN). */
        return bad_param(s, p + used, n - used);
    }
    return check_mail_params(s, a, p + used, n - used);
}

/* check_mail - MAIL FROM:<reverse-path> [SP Mail-parameters] */
static int check_mail(struct smtp_session *s, struct session_args *a)
{
    return check_path_cmd(s, a, "FROM:", "Syntax: MAIL FROM:<address> [parameters]", "5.1.7",
                          "Bad sender address syntax", 1);
}

/* check_rcpt - RCPT TO:<forward-path> or TO:<Postmaster> */
static int check_rcpt(struct smtp_session *s, struct session_args *a)
{
    return check_path_cmd(s, a, "TO:", "Syntax: RCPT TO:<address>", "5.1.3",
                          "Bad recipient address syntax", 0);
}

/* check_bdat - BDAT SP 1*9DIGIT [SP "LAST"] (RFC 3030 2, with our 9-digit cap) */
static int check_bdat(struct smtp_session *s, struct session_args *a)
{
    size_t n = a->arg != NULL ? a->arg_len : 0, i = 0;
    uint64_t v = 0;

    while (i < n && i <= SESSION_BDAT_DIGITS && is_digit((unsigned char)a->arg[i])) {
        v = v * 10 + (uint64_t)(a->arg[i] - '0');
        i++;
    }
    /* 1 to 9 digits, then nothing or exactly " LAST" in any case: no sign, no extra SP. */
    if (i == 0 || i > SESSION_BDAT_DIGITS || (i < n && !ascii_ieq(a->arg + i, n - i, " LAST"))) {
        session_say(s, 501, "5.5.4", "Syntax: BDAT <size of 1 to 9 digits> [LAST]");
        return -1;
    }
    a->chunk = v;
    a->chunk_last = i < n;
    return 0;
}

/* check_vrfy - VRFY SP String */
static int check_vrfy(struct smtp_session *s, struct session_args *a)
{
    if (a->arg != NULL && a->arg_len > 0)
        return 0;
    session_say(s, 501, "5.5.4", "Syntax: VRFY <user or mailbox>");
    return -1;
}

/* ---- proceed: the effect of a well-formed, in-sequence command ---- */

/* proceed_helo - identify, no extensions */
static void proceed_helo(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    session_reset_tx(s);
    s->greeted = 1;
    session_say(s, 250, NULL, SESSION_NAME);
}

/* proceed_ehlo - identify and list the extensions (RFC 5321 4.1.1.1) */
static void proceed_ehlo(struct smtp_session *s, const struct session_args *a)
{
    struct smtp_text t[3] = {
        OURS(SESSION_NAME " Hello "),
        {a->arg, a->arg_len, SMTP_TEXT_CLIENT},
        OURS("\nPIPELINING\n8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\nCHUNKING"
             "\nSIZE " SESSION_STR(SMTP_SESSION_SIZE_MAX)),
    };

    session_reset_tx(s);
    s->greeted = 1;
    session_reply(s, 250, NULL, t, 3);
}

/* proceed_mail - open a transaction, unless policy says no */
static void proceed_mail(struct smtp_session *s, const struct session_args *a)
{
    if (a->nonascii && !a->smtputf8) {
        session_say(s, 553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
        return;
    }
    if (a->size > SMTP_SESSION_SIZE_MAX) {
        session_say(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
        return;
    }
    s->mail = 1;
    s->smtputf8 = (unsigned char)a->smtputf8;
    session_say(s, 250, "2.1.0", "Sender OK");
}

/* proceed_rcpt - add a recipient, unless policy says no */
static void proceed_rcpt(struct smtp_session *s, const struct session_args *a)
{
    if (a->nonascii && !s->smtputf8) {
        session_say(s, 553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
        return;
    }
    if (s->rcpts >= SESSION_RCPT_MAX) {
        session_say(s, 452, "4.5.3", "Too many recipients");
        return;
    }
    s->rcpts++;
    session_say(s, 250, "2.1.5", "Recipient OK");
}

/* proceed_data - 354, then message text until CR LF . CR LF */
static void proceed_data(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    smtp_data_reset(&s->data);
    s->mode = SESSION_DATA;
    session_say(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
}

/* session_data_done - the one reply after the end of data */
static void session_data_done(struct smtp_session *s, const struct smtp_data_end *end)
{
    s->mode = SESSION_COMMAND;
    if (end->verdict != SMTP_DATA_CLEAN) {
        const char *why = smtp_data_verdict_name(end->verdict);
        struct smtp_text t[2] = {OURS("Message rejected: "), {why, strlen(why), SMTP_TEXT_OURS}};
        session_reply(s, 550, "5.6.0", t, 2);
    } else if (end->octets > SMTP_SESSION_SIZE_MAX) {
        session_say(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
    } else {
        session_say_count(s, 250, "2.0.0", "Message accepted (", end->octets, ")");
    }
    session_reset_tx(s);
}

/* session_chunk_done - the reply to a BDAT once its octets are consumed */
static void session_chunk_done(struct smtp_session *s)
{
    s->mode = SESSION_COMMAND;
    if (s->chunk_refused) {
        session_refuse_now(s, s->chunk_rule);
        return;
    }
    if (!s->chunk_last) {
        session_say_count(s, 250, "2.0.0", "", s->chunk_size, " received");
        return;
    }
    if (s->bdat_octets > SMTP_SESSION_SIZE_MAX)
        session_say(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
    else
        session_say_count(s, 250, "2.0.0", "Message accepted (", s->bdat_octets, ")");
    session_reset_tx(s);
}

/* session_chunk_start - consume a chunk's octets; answer when the last one arrives */
static void session_chunk_start(struct smtp_session *s, const struct session_args *a, int refused,
                                enum session_rule rule)
{
    s->chunk_left = a->chunk;
    s->chunk_size = a->chunk;
    s->chunk_last = (unsigned char)a->chunk_last;
    s->chunk_refused = (unsigned char)refused;
    s->chunk_rule = rule;
    s->mode = SESSION_CHUNK;
    if (s->chunk_left == 0)
        session_chunk_done(s); /* BDAT 0 [LAST]: nothing to wait for */
}

/* proceed_bdat - accept a chunk (RFC 3030) */
static void proceed_bdat(struct smtp_session *s, const struct session_args *a)
{
    s->bdat_used = 1;
    /* Saturate rather than wrap, so no number of chunks brings the total back under SIZE. */
    s->bdat_octets =
        UINT64_MAX - s->bdat_octets < a->chunk ? UINT64_MAX : s->bdat_octets + a->chunk;
    session_chunk_start(s, a, 0, SESSION_NEED_HELO);
}

/* refuse_bdat - refuse a chunk, but still consume it so the stream stays in step */
static void refuse_bdat(struct smtp_session *s, enum session_rule rule,
                        const struct session_args *a)
{
    session_chunk_start(s, a, 1, rule);
}

/* proceed_rset - back to the post-EHLO state */
static void proceed_rset(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    session_reset_tx(s);
    session_say(s, 250, "2.0.0", "Reset state");
}

/* proceed_vrfy - RFC 5321 3.5.3: 252 when we will not verify */
static void proceed_vrfy(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    session_say(s, 252, "2.5.0", "Cannot verify the user; send mail and delivery will be tried");
}

/* proceed_not_offered - EXPN, STARTTLS, AUTH: recognised, not implemented */
static void proceed_not_offered(struct smtp_session *s, const struct session_args *a)
{
    const char *name = smtp_verb_name(a->verb);
    struct smtp_text t[2] = {{name, strlen(name), SMTP_TEXT_OURS}, OURS(" not implemented")};
    session_reply(s, 502, "5.5.1", t, 2);
}

/* proceed_noop - NOOP [SP String] */
static void proceed_noop(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    session_say(s, 250, "2.0.0", "OK");
}

/* proceed_quit - 221, then the session is closed */
static void proceed_quit(struct smtp_session *s, const struct session_args *a)
{
    (void)a;
    session_say(s, 221, "2.0.0", SESSION_NAME " closing connection");
    s->mode = SESSION_CLOSED;
}

static void proceed_help(struct smtp_session *s, const struct session_args *a);

#define SESSION_VERB_WORD_(name) " " #name

/* The verb table: one row per recognised verb, indexed by enum smtp_verb. */
static const struct session_cmd session_cmds[SMTP_VERB_COUNT] = {
    [SMTP_VERB_HELO] = {check_hello, 0, NULL, proceed_helo,
                        "HELO <domain>\nIdentify the client (no service extensions)"},
    [SMTP_VERB_EHLO] = {check_hello, 0, NULL, proceed_ehlo,
                        "EHLO <domain>\nIdentify the client and list the service extensions"},
    [SMTP_VERB_MAIL] = {check_mail, NEED(SESSION_NEED_HELO) | NEED(SESSION_NEED_NO_MAIL), NULL,
                        proceed_mail,
                        "MAIL FROM:<sender> [SIZE=<octets>] [BODY=7BIT|8BITMIME] [SMTPUTF8]\n"
                        "Start a mail transaction; <> is the null sender"},
    [SMTP_VERB_RCPT] = {check_rcpt,
                        NEED(SESSION_NEED_HELO) | NEED(SESSION_NEED_MAIL) |
                            NEED(SESSION_NEED_NO_BDAT),
                        NULL, proceed_rcpt,
                        "RCPT TO:<recipient>\nAdd a recipient (at most 100 per message)"},
    [SMTP_VERB_DATA] = {check_none,
                        NEED(SESSION_NEED_HELO) | NEED(SESSION_NEED_MAIL) |
                            NEED(SESSION_NEED_RCPT) | NEED(SESSION_NEED_NO_BDAT),
                        NULL, proceed_data,
                        "DATA\nSend the message text, ended by a line holding only \".\""},
    [SMTP_VERB_BDAT] = {check_bdat,
                        NEED(SESSION_NEED_HELO) | NEED(SESSION_NEED_MAIL) | NEED(SESSION_NEED_RCPT),
                        refuse_bdat, proceed_bdat,
                        "BDAT <octets> [LAST]\n"
                        "Send the next chunk of the message: exactly <octets> octets follow"},
    [SMTP_VERB_RSET] = {check_none, 0, NULL, proceed_rset, "RSET\nAbort the mail transaction"},
    [SMTP_VERB_VRFY] = {check_vrfy, 0, NULL, proceed_vrfy,
                        "VRFY <user>\nUsers are not verified here (252)"},
    [SMTP_VERB_EXPN] = {check_any, 0, NULL, proceed_not_offered,
                        "EXPN <list>\nNot implemented (502)"},
    [SMTP_VERB_HELP] = {check_any, 0, NULL, proceed_help,
                        "HELP [<command>]\nList the commands, or explain one"},
    [SMTP_VERB_NOOP] = {check_any, 0, NULL, proceed_noop, "NOOP [<text>]\nDo nothing"},
    [SMTP_VERB_QUIT] = {check_none, 0, NULL, proceed_quit, "QUIT\nEnd the session"},
    [SMTP_VERB_STARTTLS] = {check_any, 0, NULL, proceed_not_offered,
                            "STARTTLS\nNot offered here (502)"},
    [SMTP_VERB_AUTH] = {check_any, 0, NULL, proceed_not_offered,
                        "AUTH <mechanism>\nNot offered here (502)"},
};

/* proceed_help - always 214 (docs/contract.md section 3), whatever the argument */
static void proceed_help(struct smtp_session *s, const struct session_args *a)
{
    size_t tlen = 0;
    enum smtp_verb topic;

    while (a->arg != NULL && tlen < a->arg_len && a->arg[tlen] != ' ')
        tlen++;
    if (tlen == 0) {
        session_say(s, 214, "2.0.0",
                    SESSION_NAME
                    ": the smtpfuzz reference responder\n"
                    "Commands:" SMTP_VERB_LIST(
                        SESSION_VERB_WORD_) "\n"
                                            "Send HELP <command> for more; end of HELP info");
        return;
    }
    topic = smtp_verb_lookup(a->arg, tlen);
    if (topic == SMTP_VERB_NONE || session_cmds[topic].help == NULL) {
        session_say_echo(s, 214, "2.0.0", "No help for \"", a->arg, tlen,
                         "\nSend HELP for the list of commands");
        return;
    }
    session_say(s, 214, "2.0.0", session_cmds[topic].help);
}

/* session_malformed - the one 500 for a line that is not a well-framed known command */
static void session_malformed(struct smtp_session *s, const struct smtp_cmd *cmd)
{
    if (cmd->status == SMTP_LINE_UNKNOWN_VERB) {
        const char *sp = memchr(cmd->text, ' ', cmd->text_len);
        size_t vlen = sp != NULL ? (size_t)(sp - cmd->text) : cmd->text_len;
        session_say_echo(s, 500, "5.5.1", "Command unrecognized: \"", cmd->text, vlen, "");
    } else {
        const char *why = smtp_line_status_name(cmd->status);
        struct smtp_text t[2] = {OURS("Syntax error, "), {why, strlen(why), SMTP_TEXT_OURS}};
        session_reply(s, 500, "5.5.2", t, 2);
    }
}

/* session_command - dispatch one finished command line: check, need, proceed */
static void session_command(struct smtp_session *s, const struct smtp_cmd *cmd)
{
    const struct session_cmd *row;
    struct session_args a;

    if (cmd->status != SMTP_LINE_OK) {
        session_malformed(s, cmd);
        return;
    }
    if ((unsigned)cmd->verb >= SMTP_VERB_COUNT || session_cmds[cmd->verb].proceed == NULL)
        session_panic("session_command", "verb without a row in session_cmds");
    row = &session_cmds[cmd->verb];

    memset(&a, 0, sizeof(a));
    a.verb = cmd->verb;
    /* arg stays NULL when the line is the bare verb; "VERB " gives an empty argument. */
    if (memchr(cmd->text, ' ', cmd->text_len) != NULL) {
        a.arg = cmd->arg;
        a.arg_len = cmd->arg_len;
    }
    if (row->check(s, &a) != 0)
        return;
    for (unsigned r = 0; r < SESSION_RULE_COUNT; r++) {
        if ((row->need & NEED(r)) && !session_rule_holds(s, (enum session_rule)r)) {
            if (row->refuse != NULL)
                row->refuse(s, (enum session_rule)r, &a);
            else
                session_refuse_now(s, (enum session_rule)r);
            return;
        }
    }
    row->proceed(s, &a);
}

/* smtp_session_new - allocate a session and emit its greeting */
struct smtp_session *smtp_session_new(smtp_reply_sink sink, void *sink_ctx)
{
    struct smtp_session *s;

    if (sink == NULL)
        session_panic("smtp_session_new", "NULL sink");
    s = calloc(1, sizeof(*s)); /* the session's one allocation; zero is every reader's start */
    if (s == NULL)
        return NULL;
    s->sink = sink;
    s->sink_ctx = sink_ctx;
    /* docs/contract.md section 4: the greeting carries no enhanced status code. */
    session_say(s, 220, NULL, SESSION_NAME " ESMTP smtpfuzz");
    return s;
}

/* smtp_session_feed - consume client bytes, emit replies */
enum smtp_target_state smtp_session_feed(struct smtp_session *s, const char *buf, size_t len)
{
    size_t off = 0;

    if (s == NULL || (buf == NULL && len > 0))
        session_panic("smtp_session_feed", "NULL argument");
    while (off < len && s->mode != SESSION_CLOSED) {
        size_t used = 0;

        if (s->mode == SESSION_COMMAND) {
            struct smtp_cmd cmd;
            if (smtp_line_feed(&s->line, buf + off, len - off, &used, &cmd) == SMTP_LINE_READY)
                session_command(s, &cmd);
        } else if (s->mode == SESSION_DATA) {
            struct smtp_data_end end;
            if (smtp_data_feed(&s->data, buf + off, len - off, &used, NULL, 0, NULL, &end) ==
                SMTP_DATA_END)
                session_data_done(s, &end);
        } else {
            /* A BDAT chunk: its octets are opaque, whatever they hold (RFC 3030 2). */
            used = len - off < s->chunk_left ? len - off : (size_t)s->chunk_left;
            s->chunk_left -= used;
            if (s->chunk_left == 0)
                session_chunk_done(s);
        }
        if (used == 0 && s->mode != SESSION_CLOSED)
            session_panic("smtp_session_feed", "a reader made no progress");
        off += used;
    }
    return s->mode == SESSION_CLOSED ? SMTP_TARGET_CLOSED : SMTP_TARGET_OPEN;
}

/* smtp_session_free - release a session */
void smtp_session_free(struct smtp_session *s)
{
    free(s);
}

/* session_target_open - smtp_target adapter for smtp_session_new */
static void *session_target_open(smtp_reply_sink sink, void *sink_ctx)
{
    return smtp_session_new(sink, sink_ctx);
}

/* session_target_feed - smtp_target adapter for smtp_session_feed */
static enum smtp_target_state session_target_feed(void *session, const char *bytes, size_t len)
{
    return smtp_session_feed(session, bytes, len);
}

/* session_target_close - smtp_target adapter for smtp_session_free */
static void session_target_close(void *session)
{
    smtp_session_free(session);
}

const struct smtp_target smtp_session_target = {"reference", session_target_open,
                                                session_target_feed, session_target_close};

/*
 * test_smtp_session - the reference responder (docs/contract.md sections 3-5),
 * table-driven: each row is a client byte stream and the reply codes it
 * must get ("got X, want Y"), optionally a text the replies must hold.
 *
 * Every row is fed whole, byte by byte and in random chunks (several
 * seeds); the reply bytes must be identical, and the reply parser must
 * read every reply as well formed (so echoed client bytes never split a
 * reply). Each piece is copied to the very end of a page followed by a
 * PROT_NONE page, so a read past the input faults in every split mode.
 */
/* MAP_ANONYMOUS is not in POSIX.1-2008, which the build selects; glibc and BSDs have it. */
#define _DEFAULT_SOURCE 1

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "feed_split.h"
#include "smtp_reply_parse.h"
#include "smtp_session.h"

#define RANDOM_SEEDS 4
#define GUARD_SPAN (2u << 20) /* the largest piece a guarded feed can take */

#define EHLO "EHLO client.example\r\n"
#define MAIL "MAIL FROM:<alice@example.org>\r\n"
#define RCPT "RCPT TO:<bob@example.net>\r\n"
#define TX EHLO MAIL RCPT /* a transaction ready for DATA or BDAT */
#define TX_CODES "220 250 250 250"

/* ---- running a session ---- */

struct bytes {
    char *ptr;
    size_t len;
    size_t cap;
};

/* bytes_add - append, growing as needed */
static void bytes_add(struct bytes *b, const char *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 1024;
        while (n > cap - b->len)
            cap *= 2;
        b->ptr = realloc(b->ptr, cap);
        assert_non_null(b->ptr);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
}

/* A guard region: pieces are copied to its end, right before a PROT_NONE page. */
struct guard {
    char *base;
    size_t span;
};

/* guard_map - map GUARD_SPAN readable octets followed by one inaccessible page */
static struct guard guard_map(void)
{
    struct guard g;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p =
        mmap(NULL, GUARD_SPAN + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    assert_true(p != MAP_FAILED);
    assert_int_equal(mprotect((char *)p + GUARD_SPAN, page, PROT_NONE), 0);
    g.base = p;
    g.span = GUARD_SPAN;
    return g;
}

/* guard_unmap - release a guard region */
static void guard_unmap(struct guard *g)
{
    munmap(g->base, g->span + (size_t)sysconf(_SC_PAGESIZE));
}

struct run {
    struct smtp_session *s;
    struct bytes out;
    struct guard *guard; /* NULL: feed the caller's buffer as is */
    int closed;
};

/* run_sink - collect reply bytes */
static void run_sink(void *ctx, const char *bytes, size_t len)
{
    struct run *r = ctx;
    bytes_add(&r->out, bytes, len);
}

/* run_feed - feed_split callback: one piece, guarded when asked */
static void run_feed(void *ctx, const char *ptr, size_t len)
{
    struct run *r = ctx;
    const char *p = ptr;
    enum smtp_target_state st;

    if (r->guard != NULL && len <= r->guard->span) {
        char *end = r->guard->base + r->guard->span;
        memcpy(end - len, ptr, len);
        p = end - len;
    }
    st = smtp_session_feed(r->s, p, len);
    if (r->closed)
        assert_int_equal(st, SMTP_TARGET_CLOSED); /* closed stays closed */
    r->closed = st == SMTP_TARGET_CLOSED;
}

/* run_session - one session over (in, len) split by mode/seed; returns the reply bytes */
static struct bytes run_session(const char *in, size_t len, enum feed_mode mode, uint64_t seed,
                                struct guard *guard)
{
    struct run r;

    memset(&r, 0, sizeof(r));
    r.guard = guard;
    r.s = smtp_session_new(run_sink, &r);
    assert_non_null(r.s);
    feed_split(in, len, mode, seed, run_feed, &r);
    smtp_session_free(r.s);
    bytes_add(&r.out, "", 0);
    return r.out;
}

/* replies_codes - parse the reply stream; every reply must be well formed; codes as "220 250" */
static size_t replies_codes(const struct bytes *out, char *codes, size_t cap, const char *name)
{
    struct smtp_rp rp;
    struct smtp_rp_line line;
    struct smtp_rp_reply reply;
    size_t off = 0, n = 0, clen = 0;

    memset(&rp, 0, sizeof(rp));
    codes[0] = '\0';
    while (off < out->len) {
        size_t used = 0;
        enum smtp_rp_result r =
            smtp_rp_feed(&rp, out->ptr + off, out->len - off, &used, &line, &reply);
        off += used;
        if (r != SMTP_RP_REPLY)
            continue;
        if (reply.status != SMTP_RP_OK) {
            print_error("row \"%s\": reply %zu malformed: %s\n", name, n + 1,
                        smtp_rp_status_name(reply.status));
            fail();
        }
        n++;
        if (clen + 5 < cap)
            clen += (size_t)snprintf(codes + clen, cap - clen, "%s%u", clen ? " " : "", reply.code);
    }
    if (smtp_rp_finish(&rp, &reply)) {
        print_error("row \"%s\": reply stream ends inside a reply\n", name);
        fail();
    }
    return n;
}

/* find - memmem without the GNU extension */
static int find(const struct bytes *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= hay->len && i <= hay->len - n; i++) {
        if (memcmp(hay->ptr + i, needle, n) == 0)
            return 1;
    }
    return 0;
}

/* print_escaped - show reply bytes without raw control octets */
static void print_escaped(const struct bytes *b)
{
    for (size_t i = 0; i < b->len && i < 4000; i++) {
        unsigned char c = (unsigned char)b->ptr[i];
        if (c == '\n')
            print_error("\\n\n");
        else if (c == '\r')
            print_error("\\r");
        else if (c >= 0x20 && c <= 0x7E)
            print_error("%c", c);
        else
            print_error("\\x%02X", c);
    }
}

/* A row: input, the reply codes wanted, and optionally a text the replies must contain. */
struct session_row {
    const char *name;
    const char *in;
    size_t in_len;
    const char *want_codes;
    const char *want_text; /* NULL: no text check */
};

/* check_input - run all splits of in; identical replies, well formed, wanted codes and text */
static void check_input(const char *name, const char *in, size_t len, const char *want_codes,
                        const char *want_text, int guarded)
{
    struct guard g;
    struct bytes whole;
    char codes[4096];

    if (guarded)
        g = guard_map();
    whole = run_session(in, len, FEED_WHOLE, 0, guarded ? &g : NULL);
    for (int mode = FEED_BYTES; mode < FEED_MODE_COUNT; mode++) {
        int seeds = mode == FEED_RANDOM ? RANDOM_SEEDS : 1;
        for (int seed = 1; seed <= seeds; seed++) {
            struct bytes other =
                run_session(in, len, (enum feed_mode)mode, (uint64_t)seed, guarded ? &g : NULL);
            if (other.len != whole.len || memcmp(other.ptr, whole.ptr, whole.len) != 0) {
                print_error("row \"%s\": %s feed (seed %d) differs from whole feed\n", name,
                            feed_mode_name((enum feed_mode)mode), seed);
                fail();
            }
            free(other.ptr);
        }
    }
    replies_codes(&whole, codes, sizeof(codes), name);
    if (want_codes != NULL && strcmp(codes, want_codes) != 0) {
        print_error("row \"%s\": got codes \"%s\", want \"%s\"; replies:\n", name, codes,
                    want_codes);
        print_escaped(&whole);
        fail();
    }
    if (want_text != NULL && !find(&whole, want_text)) {
        print_error("row \"%s\": replies lack \"%s\"; got:\n", name, want_text);
        print_escaped(&whole);
        fail();
    }
    free(whole.ptr);
    if (guarded)
        guard_unmap(&g);
}

/* run_rows - check every row of a table */
static void run_rows(const struct session_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_input(rows[i].name, rows[i].in, rows[i].in_len, rows[i].want_codes, rows[i].want_text,
                    1);
}

#define ROW(name, in, codes, text)                                                                 \
    {                                                                                              \
        name, in, sizeof(in) - 1, codes, text                                                      \
    }
#define RUN_TABLE(rows) run_rows(rows, sizeof(rows) / sizeof(rows[0]))

/* ---- the 214 / 500 invariants (docs/contract.md section 3) and framing (docs/contract.md sections
 * 1-2) ---- */

static const struct session_row invariant_rows[] = {
    ROW("greeting alone", "", "220", "220 smtpfuzz.localhost ESMTP smtpfuzz\r\n"),
    ROW("HELP", "HELP\r\n", "220 214", "214-2.0.0 smtpfuzz.localhost: "),
    ROW("help in lower case", "help\r\n", "220 214", "214 2.0.0 Send HELP <command>"),
    ROW("HeLp in mixed case", "HeLp\r\n", "220 214", NULL),
    ROW("HELP with trailing SP", "HELP \r\n", "220 214", NULL),
    ROW("HELP mail (any case)", "HELP mail\r\n", "220 214", "214-2.0.0 MAIL FROM:<sender>"),
    ROW("HELP BDAT", "HELP BDAT\r\n", "220 214", "214-2.0.0 BDAT <octets> [LAST]\r\n"),
    ROW("HELP on every verb",
        "HELP HELO\r\nHELP EHLO\r\nHELP RCPT\r\nHELP DATA\r\nHELP RSET\r\n"
        "HELP VRFY\r\nHELP EXPN\r\nHELP HELP\r\nHELP NOOP\r\nHELP QUIT\r\nHELP STARTTLS\r\n"
        "HELP AUTH\r\n",
        "220 214 214 214 214 214 214 214 214 214 214 214 214", NULL),
    ROW("HELP unknown topic", "HELP frobnicate now\r\n", "220 214",
        "214-2.0.0 No help for \"frobnicate\"\r\n"),
    ROW("HELP with UTF-8 topic", "HELP \xc3\xa9t\xc3\xa9\r\n", "220 214", "No help for \"??t??\""),
    ROW("HELP in a transaction", TX "HELP\r\n", TX_CODES " 214", NULL),
    ROW("HELP ended by a bare LF", "HELP\n", "220 500", "500 5.5.2 Syntax error, "),
    ROW("HELP with a bare CR", "HELP\r\r\n", "220 500", NULL),
    ROW("HELP with NUL", "HELP \0x\r\n", "220 500", NULL),
    ROW("HELP with HT", "HELP\tmail\r\n", "220 500", NULL),
    ROW("HELP with DEL", "HELP \x7f\r\n", "220 500", NULL),
    ROW("HELP with invalid UTF-8", "HELP \xc3\x28\r\n", "220 500", NULL),
    ROW("HELP with an overlong UTF-8", "HELP \xc0\xaf\r\n", "220 500", NULL),
    ROW("HELP with a surrogate", "HELP \xed\xa0\x80\r\n", "220 500", NULL),
    ROW("HELPX", "HELPX\r\n", "220 500", "500 5.5.1 Command unrecognized: \"HELPX\"\r\n"),
    ROW("unknown verb", "FROB x y\r\n", "220 500", "Command unrecognized: \"FROB\""),
    ROW("unknown verb over 40 letters is cut", "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJKLMNOP\r\n",
        "220 500", "\"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ...\""),
    ROW("empty line", "\r\n", "220 500", NULL),
    ROW("leading SP", " HELP\r\n", "220 500", NULL),
    ROW("digit in the verb", "HEL0 x\r\n", "220 500", NULL),
    ROW("punctuation verb", "MAIL: x\r\n", "220 500", NULL),
    ROW("UTF-8 in the verb", "H\xc3\xa9LO x\r\n", "220 500", NULL),
    ROW("bare LF after a good command", "NOOP\n", "220 500", NULL),
    ROW("lone CR LF pairs", "\r\n\r\n", "220 500 500", NULL),
    ROW("unterminated tail gets nothing", "NOOP\r\nNOOP", "220 250", NULL),
    ROW("unterminated CR tail gets nothing", "NOOP\r\nHELP\r", "220 250", NULL),
    ROW("never 500 for recognised verbs",
        EHLO "MAIL x\r\nRCPT x\r\nDATA x\r\nBDAT x\r\n"
             "RSET x\r\nVRFY\r\nEXPN\r\nNOOP x\r\nQUIT x\r\nSTARTTLS x\r\nAUTH\r\nHELO\r\n",
        "220 250 501 501 501 501 501 501 502 250 501 502 502 501", NULL),
};

/* test_invariants - docs/contract.md section 3: malformed -> one 500, HELP -> one 214, and the
 * converses */
static void test_invariants(void **state)
{
    (void)state;
    RUN_TABLE(invariant_rows);
}

/* padded - prefix, n copies of fill, suffix, in a fresh buffer */
static char *padded(const char *prefix, size_t n, char fill, const char *suffix, size_t *len)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *buf = malloc(p + n + s + 1);

    assert_non_null(buf);
    memcpy(buf, prefix, p);
    memset(buf + p, fill, n);
    memcpy(buf + p + n, suffix, s + 1);
    *len = p + n + s;
    return buf;
}

/* test_long_lines - 512 octets with CR LF pass, 513 get one 500, 10^6 get one 500 */
static void test_long_lines(void **state)
{
    static const struct {
        const char *name;
        const char *prefix;
        size_t fill;
        const char *suffix;
        const char *codes;
    } cases[] = {
        {"NOOP, 510 octets of content", "NOOP ", 505, "\r\n", "220 250"},
        {"NOOP, 511 octets of content", "NOOP ", 506, "\r\n", "220 500"},
        {"HELP, 510 octets of content", "HELP ", 505, "\r\n", "220 214"},
        {"HELP, 511 octets of content", "HELP ", 506, "\r\n", "220 500"},
        {"HELP with a 500-octet argument", "HELP ", 500, "\r\n", "220 214"},
        {"511 octets then bare LF", "NOOP ", 506, "\n", "220 500"},
        {"10^6-octet line, then a command", "NOOP ", 1000000, "\r\nNOOP\r\n", "220 500 250"},
        {"10^6-octet unknown verb", "", 1000000, "\r\nHELP\r\n", "220 500 214"},
        {"10^6-octet line without LF gets nothing", "NOOP ", 1000000, "", "220"},
        {"EHLO with a 505-octet domain", "EHLO ", 505, "\r\n", "220 250"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *in = padded(cases[i].prefix, cases[i].fill, 'a', cases[i].suffix, &len);
        check_input(cases[i].name, in, len, cases[i].codes, NULL, 1);
        free(in);
    }
}

/* ---- greeting, HELO/EHLO ---- */

static const struct session_row hello_rows[] = {
    ROW("EHLO lists the extensions", "EHLO client.example\r\n", "220 250",
        "250-smtpfuzz.localhost Hello client.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
        "250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 SIZE 10485760\r\n"),
    ROW("HELO", "HELO client.example\r\n", "220 250", "\r\n250 smtpfuzz.localhost\r\n"),
    ROW("EHLO twice", EHLO EHLO, "220 250 250", NULL),
    ROW("EHLO without domain, no enhanced code", "EHLO\r\n", "220 501",
        "501 Syntax: EHLO <domain or address literal>\r\n"),
    ROW("HELO without domain", "HELO \r\n", "220 501", "501 Syntax: HELO"),
    ROW("EHLO with trailing words", "EHLO client.example extra\r\n", "220 501", NULL),
    ROW("EHLO hyphen first", "EHLO -bad.example\r\n", "220 501", NULL),
    ROW("EHLO hyphen last", "EHLO bad-.example\r\n", "220 501", NULL),
    ROW("EHLO empty label", "EHLO a..example\r\n", "220 501", NULL),
    ROW("EHLO trailing dot", "EHLO a.example.\r\n", "220 501", NULL),
    ROW("EHLO underscore", "EHLO my_host\r\n", "220 501", NULL),
    ROW("EHLO UTF-8 domain", "EHLO caf\xc3\xa9.example\r\n", "220 501", NULL),
    ROW("EHLO single label", "EHLO localhost\r\n", "220 250", NULL),
    ROW("EHLO IPv4 literal", "EHLO [192.0.2.1]\r\n", "220 250", "Hello [192.0.2.1]"),
    ROW("EHLO IPv4 literal over 255", "EHLO [192.0.2.256]\r\n", "220 501", NULL),
    ROW("EHLO IPv4 literal, 3 parts", "EHLO [192.0.2]\r\n", "220 501", NULL),
    ROW("EHLO IPv6 ::1", "EHLO [IPv6:::1]\r\n", "220 250", NULL),
    ROW("EHLO IPv6 full", "EHLO [IPv6:2001:db8:0:0:0:0:0:1]\r\n", "220 250", NULL),
    ROW("EHLO IPv6 compressed", "EHLO [ipv6:2001:db8::1]\r\n", "220 250", NULL),
    ROW("EHLO IPv6 with IPv4", "EHLO [IPv6:::ffff:192.0.2.1]\r\n", "220 250", NULL),
    ROW("EHLO IPv6 too few groups", "EHLO [IPv6:1:2:3]\r\n", "220 501", NULL),
    ROW("EHLO IPv6 two ::", "EHLO [IPv6:1::2::3]\r\n", "220 501", NULL),
    ROW("EHLO IPv6 5-digit group", "EHLO [IPv6:12345::1]\r\n", "220 501", NULL),
    ROW("EHLO general literal", "EHLO [x-tag:abc]\r\n", "220 250", NULL),
    ROW("EHLO empty literal", "EHLO []\r\n", "220 501", NULL),
    ROW("EHLO unclosed literal", "EHLO [192.0.2.1\r\n", "220 501", NULL),
    ROW("HELO resets the transaction", TX "HELO client.example\r\nDATA\r\n", TX_CODES " 250 503",
        NULL),
};

/* test_hello - greeting, HELO, EHLO and their 501s (no enhanced codes) */
static void test_hello(void **state)
{
    (void)state;
    RUN_TABLE(hello_rows);
}

/* ---- MAIL, RCPT ---- */

#define MAILX(path) EHLO "MAIL FROM:" path "\r\n"

static const struct session_row envelope_rows[] = {
    ROW("MAIL ok", MAILX("<alice@example.org>"), "220 250 250", "250 2.1.0 Sender OK\r\n"),
    ROW("MAIL null sender", MAILX("<>"), "220 250 250", NULL),
    ROW("mail from: in lower case", EHLO "mail from:<a@example.org>\r\n", "220 250 250", NULL),
    ROW("MAIL before EHLO", MAIL, "220 503",
        "503 5.5.1 Bad sequence of commands: send HELO or EHLO first\r\n"),
    ROW("MAIL nested", EHLO MAIL MAIL, "220 250 250 503", "(nested MAIL)"),
    ROW("MAIL without FROM:", EHLO "MAIL alice@example.org\r\n", "220 250 501",
        "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]\r\n"),
    ROW("MAIL TO:", EHLO "MAIL TO:<a@example.org>\r\n", "220 250 501", NULL),
    ROW("MAIL SP after colon", MAILX(" <a@example.org>"), "220 250 501",
        "501 5.1.7 Bad sender address syntax\r\n"),
    ROW("MAIL no brackets", MAILX("a@example.org"), "220 250 501", NULL),
    ROW("MAIL junk after >", MAILX("<a@example.org>x"), "220 250 501", NULL),
    ROW("MAIL no domain", MAILX("<a@>"), "220 250 501", NULL),
    ROW("MAIL no @", MAILX("<a>"), "220 250 501", NULL),
    ROW("MAIL double dot", MAILX("<a..b@example.org>"), "220 250 501", NULL),
    ROW("MAIL leading dot", MAILX("<.a@example.org>"), "220 250 501", NULL),
    ROW("MAIL trailing dot", MAILX("<a.@example.org>"), "220 250 501", NULL),
    ROW("MAIL atext specials", MAILX("<a!#$%&'*+-/=?^_`{|}~@example.org>"), "220 250 250", NULL),
    ROW("MAIL quoted local part", MAILX("<\"john doe\"@example.org>"), "220 250 250", NULL),
    ROW("MAIL quoted pair", MAILX("<\"a\\\"b>c\"@example.org>"), "220 250 250", NULL),
    ROW("MAIL unclosed quote", MAILX("<\"ab@example.org>"), "220 250 501", NULL),
    ROW("MAIL source route", MAILX("<@r1.example,@r2.example:a@example.org>"), "220 250 250", NULL),
    ROW("MAIL address literal", MAILX("<a@[192.0.2.1]>"), "220 250 250", NULL),
    ROW("MAIL SIZE at the maximum", MAILX("<a@example.org> SIZE=10485760"), "220 250 250", NULL),
    ROW("MAIL SIZE over the maximum", MAILX("<a@example.org> SIZE=10485761"), "220 250 552",
        "552 5.3.4 "),
    ROW("MAIL SIZE huge", MAILX("<a@example.org> SIZE=99999999999999999999999999"), "220 250 552",
        NULL),
    ROW("MAIL refused for SIZE opens nothing", MAILX("<a@example.org> SIZE=20000000") RCPT,
        "220 250 552 503", NULL),
    ROW("MAIL all parameters", MAILX("<a@example.org> size=1 body=8bitmime smtputf8"),
        "220 250 250", NULL),
    ROW("MAIL BODY=7BIT", MAILX("<a@example.org> BODY=7BIT"), "220 250 250", NULL),
    ROW("MAIL BODY=BINARYMIME", MAILX("<a@example.org> BODY=BINARYMIME"), "220 250 555",
        "555 5.5.4 Unsupported or malformed parameter \"BODY=BINARYMIME\"\r\n"),
    ROW("MAIL SIZE not a number", MAILX("<a@example.org> SIZE=12k"), "220 250 555", NULL),
    ROW("MAIL SIZE empty", MAILX("<a@example.org> SIZE="), "220 250 555", NULL),
    ROW("MAIL SIZE twice", MAILX("<a@example.org> SIZE=1 SIZE=2"), "220 250 555", NULL),
    ROW("MAIL SMTPUTF8 with a value", MAILX("<a@example.org> SMTPUTF8=yes"), "220 250 555", NULL),
    ROW("MAIL unknown parameter", MAILX("<a@example.org> X-FOO=bar"), "220 250 555", NULL),
    ROW("MAIL trailing SP", MAILX("<a@example.org> "), "220 250 555", NULL),
    ROW("MAIL two SPs", MAILX("<a@example.org>  SIZE=1"), "220 250 555", NULL),
    ROW("MAIL parameter with UTF-8 is echoed as ?", MAILX("<a@example.org> X\xc3\xa9=1"),
        "220 250 555", "\"X?\?=1\""),
    ROW("MAIL UTF-8 without SMTPUTF8", MAILX("<j\xc3\xb6rg@example.org>"), "220 250 553",
        "553 5.6.7 "),
    ROW("MAIL UTF-8 with SMTPUTF8", MAILX("<j\xc3\xb6rg@b\xc3\xbc\x63her.example> SMTPUTF8"),
        "220 250 250", NULL),
    ROW("RCPT ok", TX, TX_CODES, "250 2.1.5 Recipient OK\r\n"),
    ROW("RCPT before MAIL", EHLO RCPT, "220 250 503", "send MAIL first"),
    ROW("RCPT before EHLO", RCPT, "220 503", "send HELO or EHLO first"),
    ROW("RCPT null path", EHLO MAIL "RCPT TO:<>\r\n", "220 250 250 501",
        "501 5.1.3 Bad recipient address syntax\r\n"),
    ROW("RCPT <Postmaster>", EHLO MAIL "RCPT TO:<Postmaster>\r\n", "220 250 250 250", NULL),
    ROW("rcpt to:<postmaster>", EHLO MAIL "rcpt to:<postmaster>\r\n", "220 250 250 250", NULL),
    ROW("RCPT without TO:", EHLO MAIL "RCPT <b@example.net>\r\n", "220 250 250 501",
        "501 5.5.4 Syntax: RCPT TO:<address>\r\n"),
    ROW("RCPT parameter", TX "RCPT TO:<c@example.net> NOTIFY=NEVER\r\n", TX_CODES " 555", NULL),
    ROW("RCPT UTF-8 without SMTPUTF8", TX "RCPT TO:<\xc3\xbc@example.net>\r\n", TX_CODES " 553",
        NULL),
    ROW("RCPT UTF-8 after MAIL SMTPUTF8",
        EHLO "MAIL FROM:<a@example.org> SMTPUTF8\r\nRCPT TO:<\xc3\xbc@example.net>\r\n",
        "220 250 250 250", NULL),
    ROW("RSET clears SMTPUTF8",
        EHLO "MAIL FROM:<a@example.org> SMTPUTF8\r\nRSET\r\n" MAIL
             "RCPT TO:<\xc3\xbc@example.net>\r\n",
        "220 250 250 250 250 553", NULL),
};

/* test_envelope - MAIL and RCPT: path syntax, parameters, sequence */
static void test_envelope(void **state)
{
    (void)state;
    RUN_TABLE(envelope_rows);
}

/* test_many_recipients - 100 recipients are fine, the 101st gets 452 4.5.3 */
static void test_many_recipients(void **state)
{
    struct bytes in = {NULL, 0, 0};
    struct bytes codes = {NULL, 0, 0};

    (void)state;
    bytes_add(&in, EHLO MAIL, strlen(EHLO MAIL));
    bytes_add(&codes, "220 250 250", 11);
    for (int i = 0; i < 101; i++) {
        bytes_add(&in, RCPT, strlen(RCPT));
        bytes_add(&codes, i < 100 ? " 250" : " 452", 4);
    }
    bytes_add(&in, "DATA\r\n.\r\n", 9);
    bytes_add(&codes, " 354 250", 9); /* the NUL ends the codes string */
    check_input("101 recipients", in.ptr, in.len, codes.ptr, "452 4.5.3 Too many recipients\r\n",
                1);
    free(in.ptr);
    free(codes.ptr);
}

/* ---- the other verbs ---- */

static const struct session_row verb_rows[] = {
    ROW("RSET", EHLO "RSET\r\n", "220 250 250", "250 2.0.0 Reset state\r\n"),
    ROW("RSET before EHLO", "RSET\r\n", "220 250", NULL),
    ROW("RSET with an argument", EHLO "RSET now\r\n", "220 250 501",
        "501 5.5.4 Syntax error: RSET takes no parameters\r\n"),
    ROW("RSET with a trailing SP", EHLO "RSET \r\n", "220 250 501", NULL),
    ROW("RSET keeps EHLO, ends the transaction", TX "RSET\r\n" MAIL "DATA\r\n",
        TX_CODES " 250 250 503", "send RCPT first"),
    ROW("NOOP", "NOOP\r\n", "220 250", "250 2.0.0 OK\r\n"),
    ROW("NOOP with anything", "NOOP \xc3\xa9 whatever \"x\"\r\n", "220 250", NULL),
    ROW("VRFY", "VRFY bob\r\n", "220 252", "252 2.5.0 "),
    ROW("VRFY without argument", "VRFY\r\n", "220 501", "501 5.5.4 "),
    ROW("EXPN", "EXPN staff\r\n", "220 502", "502 5.5.1 EXPN not implemented\r\n"),
    ROW("EXPN without argument", "EXPN\r\n", "220 502", NULL),
    ROW("STARTTLS", EHLO "STARTTLS\r\n", "220 250 502", "502 5.5.1 STARTTLS not implemented\r\n"),
    ROW("AUTH", EHLO "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "220 250 502", NULL),
    ROW("QUIT", "QUIT\r\n", "220 221", "221 2.0.0 smtpfuzz.localhost closing connection\r\n"),
    ROW("QUIT with an argument", "QUIT now\r\nQUIT\r\n", "220 501 221", NULL),
    ROW("QUIT then more input", "QUIT\r\nNOOP\r\nHELP\r\nxx\n", "220 221", NULL),
    ROW("QUIT in a pipelined batch", EHLO "QUIT\r\n" MAIL RCPT, "220 250 221", NULL),
    ROW("QUIT during DATA is text", TX "DATA\r\nQUIT\r\n.\r\nNOOP\r\n", TX_CODES " 354 250 250",
        NULL),
};

/* test_verbs - RSET, NOOP, VRFY, EXPN, STARTTLS, AUTH, QUIT */
static void test_verbs(void **state)
{
    (void)state;
    RUN_TABLE(verb_rows);
}

/* ---- DATA ---- */

static const struct session_row data_rows[] = {
    ROW("DATA before RCPT", EHLO MAIL "DATA\r\n", "220 250 250 503", "send RCPT first"),
    ROW("DATA before MAIL", EHLO "DATA\r\n", "220 250 503", "send MAIL first"),
    ROW("DATA with an argument", TX "DATA now\r\n", TX_CODES " 501", NULL),
    ROW("DATA clean", TX "DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n", TX_CODES " 354 250",
        "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Message accepted (18 octets)\r\n"),
    ROW("DATA empty message", TX "DATA\r\n.\r\n", TX_CODES " 354 250", "(0 octets)"),
    ROW("DATA dot-unstuffing counted", TX "DATA\r\n..\r\n...x\r\n.\r\n", TX_CODES " 354 250",
        "(8 octets)"),
    ROW("DATA lines are not commands", TX "DATA\r\nRSET\r\nQUIT\r\nHELP\r\n.\r\n",
        TX_CODES " 354 250", NULL),
    ROW("DATA ends the transaction", TX "DATA\r\n.\r\n" RCPT, TX_CODES " 354 250 503", NULL),
    ROW("DATA pipelined commands after the end", TX "DATA\r\nx\r\n.\r\nNOOP\r\nHELP\r\n",
        TX_CODES " 354 250 250 214", NULL),
    ROW("DATA refused: the text is commands", EHLO "DATA\r\nNOOP\r\n.\r\n", "220 250 503 250 500",
        NULL),
    ROW("DATA smuggling LF . LF",
        TX "DATA\r\nx\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<v@example.net>\r\n"
           "DATA\r\nforged\r\n.\r\nNOOP\r\n",
        TX_CODES " 354 550 250", "550 5.6.0 Message rejected: bare LF in the message text\r\n"),
    ROW("DATA smuggling LF . CR LF", TX "DATA\r\nx\n.\r\nMAIL FROM:<e@example.org>\r\n.\r\n",
        TX_CODES " 354 550", NULL),
    ROW("DATA smuggling CR . CR LF", TX "DATA\r\nx\r.\r\nMAIL FROM:<e@example.org>\r\n.\r\n",
        TX_CODES " 354 550", "bare CR"),
    ROW("DATA smuggling CR LF . LF", TX "DATA\r\nx\r\n.\nMAIL FROM:<e@example.org>\r\n.\r\n",
        TX_CODES " 354 550", NULL),
    ROW("DATA smuggling CR LF . CR", TX "DATA\r\nx\r\n.\rMAIL FROM:<e@example.org>\r\n.\r\n",
        TX_CODES " 354 550", NULL),
    ROW("DATA smuggling CR . CR", TX "DATA\r\nx\r.\rMAIL FROM:<e@example.org>\r\n.\r\n",
        TX_CODES " 354 550", NULL),
    ROW("DATA smuggling . LF right after DATA", TX "DATA\r\n.\nNOOP\r\n.\r\n", TX_CODES " 354 550",
        NULL),
    ROW("DATA unterminated: no reply", TX "DATA\r\nx\n.\n", TX_CODES " 354", NULL),
    ROW("DATA NUL and 8-bit are text", TX "DATA\r\n\0\xff\xfe\r\n.\r\n", TX_CODES " 354 250", NULL),
    ROW("DATA after BDAT", TX "BDAT 2\r\nabDATA\r\n", TX_CODES " 250 503",
        "BDAT transfer in progress"),
    ROW("DATA after DATA", TX "DATA\r\n.\r\nDATA\r\n", TX_CODES " 354 250 503", NULL),
};

/* test_data - DATA: sequence, end of data, smuggling, verdicts */
static void test_data(void **state)
{
    (void)state;
    RUN_TABLE(data_rows);
}

/* test_data_long_lines - 1000 octets with CR LF pass, 1001 get 550; stuffing not counted */
static void test_data_long_lines(void **state)
{
    static const struct {
        const char *name;
        const char *prefix;
        size_t fill;
        const char *codes;
    } cases[] = {
        {"message line of 1000 octets", TX "DATA\r\n", 998, TX_CODES " 354 250"},
        {"message line of 1001 octets", TX "DATA\r\n", 999, TX_CODES " 354 550"},
        {"stuffed line of 1000 octets", TX "DATA\r\n..", 997, TX_CODES " 354 250"},
        {"stuffed line of 1001 octets", TX "DATA\r\n..", 998, TX_CODES " 354 550"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *in = padded(cases[i].prefix, cases[i].fill, 'x', "\r\n.\r\nNOOP\r\n", &len);
        size_t n = strlen(cases[i].codes);
        char *codes = padded(cases[i].codes, 0, ' ', " 250", &n);
        check_input(cases[i].name, in, len, codes, NULL, 1);
        free(codes);
        free(in);
    }
}

/* test_data_size - a message over SIZE gets 552 5.3.4, one octet less gets 250 */
static void test_data_size(void **state)
{
    /* Lines of 998 octets + CR LF, then one short line to land on an exact size. */
    static const size_t sizes[] = {SMTP_SESSION_SIZE_MAX, SMTP_SESSION_SIZE_MAX + 1};
    (void)state;
    for (size_t k = 0; k < 2; k++) {
        struct bytes in = {NULL, 0, 0};
        char line[1000];
        size_t left = sizes[k];
        struct bytes out;
        char codes[256];

        bytes_add(&in, TX "DATA\r\n", strlen(TX "DATA\r\n"));
        memset(line, 'y', sizeof(line));
        line[998] = '\r';
        line[999] = '\n';
        while (left >= 1000) {
            bytes_add(&in, line, 1000);
            left -= 1000;
        }
        assert_true(left >= 2);
        bytes_add(&in, line + 1000 - left, left); /* 'y'... then CR LF */
        bytes_add(&in, ".\r\n", 3);
        /* Whole and random chunks: byte by byte over 10 MiB is slow under sanitizers. */
        out = run_session(in.ptr, in.len, FEED_WHOLE, 0, NULL);
        replies_codes(&out, codes, sizeof(codes), "message size");
        assert_string_equal(codes, k == 0 ? TX_CODES " 354 250" : TX_CODES " 354 552");
        {
            struct bytes other = run_session(in.ptr, in.len, FEED_RANDOM, 3, NULL);
            assert_int_equal(other.len, out.len);
            assert_memory_equal(other.ptr, out.ptr, out.len);
            free(other.ptr);
        }
        free(out.ptr);
        free(in.ptr);
    }
}

/* ---- BDAT (RFC 3030) ---- */

static const struct session_row bdat_rows[] = {
    ROW("BDAT LAST", TX "BDAT 5 LAST\r\nhello", TX_CODES " 250",
        "250 2.0.0 Message accepted (5 octets)\r\n"),
    ROW("BDAT chunks", TX "BDAT 3\r\nabcBDAT 2 LAST\r\nde", TX_CODES " 250 250",
        "250 2.0.0 3 octets received\r\n250 2.0.0 Message accepted (5 octets)\r\n"),
    ROW("BDAT last in lower case", TX "bdat 1 last\r\nx", TX_CODES " 250", NULL),
    ROW("BDAT leading zeros", TX "BDAT 000000002 LAST\r\nxy", TX_CODES " 250", "(2 octets)"),
    ROW("BDAT 0 LAST", TX "BDAT 0 LAST\r\n", TX_CODES " 250", "(0 octets)"),
    ROW("BDAT 0 then LAST", TX "BDAT 0\r\nBDAT 1 LAST\r\nz", TX_CODES " 250 250", NULL),
    ROW("BDAT content is opaque", TX "BDAT 12 LAST\r\nQUIT\r\n.\r\n\n\0\rNOOP\r\n",
        TX_CODES " 250 250", NULL),
    ROW("BDAT ends the transaction", TX "BDAT 1 LAST\r\nx" RCPT, TX_CODES " 250 503", NULL),
    ROW("BDAT then MAIL again", TX "BDAT 1 LAST\r\nx" MAIL RCPT "BDAT 0 LAST\r\n",
        TX_CODES " 250 250 250 250", NULL),
    ROW("BDAT without RCPT still consumes", EHLO MAIL "BDAT 6\r\nQUIT\r\nNOOP\r\n",
        "220 250 250 503 250", "503 5.5.1 Bad sequence of commands: send RCPT first\r\n"),
    ROW("BDAT before EHLO still consumes", "BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n", "220 503 250", NULL),
    ROW("BDAT 0 refused at once", "BDAT 0\r\nNOOP\r\n", "220 503 250", NULL),
    ROW("BDAT after DATA still consumes", TX "DATA\r\n.\r\nBDAT 6\r\nQUIT\r\nNOOP\r\n",
        TX_CODES " 354 250 503 250", NULL),
    ROW("BDAT without size", TX "BDAT\r\nNOOP\r\n", TX_CODES " 501 250",
        "501 5.5.4 Syntax: BDAT <size of 1 to 9 digits> [LAST]\r\n"),
    ROW("BDAT 10 digits consumes nothing", TX "BDAT 1234567890\r\nNOOP\r\n", TX_CODES " 501 250",
        NULL),
    ROW("BDAT 9 digits is fine", TX "BDAT 000000001 LAST\r\nx", TX_CODES " 250", NULL),
    ROW("BDAT negative", TX "BDAT -1\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT letters", TX "BDAT x\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT extra argument", TX "BDAT 4 LAST now\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT two SPs", TX "BDAT 4  LAST\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT trailing SP", TX "BDAT 4 \r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT LASTX", TX "BDAT 4 LASTX\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT with sign", TX "BDAT +4\r\nNOOP\r\n", TX_CODES " 501 250", NULL),
    ROW("BDAT cut by the end of input: no reply", TX "BDAT 10\r\nabc", TX_CODES, NULL),
    ROW("RCPT after BDAT", TX "BDAT 1\r\nx" RCPT, TX_CODES " 250 503", NULL),
    ROW("RSET after BDAT", TX "BDAT 1\r\nxRSET\r\n" MAIL RCPT "DATA\r\n.\r\n",
        TX_CODES " 250 250 250 250 354 250", NULL),
};

/* test_bdat - BDAT in and out of sequence, malformed sizes, stream kept in step */
static void test_bdat(void **state)
{
    (void)state;
    RUN_TABLE(bdat_rows);
}

/* test_bdat_size - chunks summing over SIZE: 250 per chunk, 552 on LAST */
static void test_bdat_size(void **state)
{
    size_t half = SMTP_SESSION_SIZE_MAX / 2 + 1, len;
    char head[128];
    struct bytes in = {NULL, 0, 0};
    char *chunk = padded("", half, 'z', "", &len);

    (void)state;
    bytes_add(&in, TX, strlen(TX));
    snprintf(head, sizeof(head), "BDAT %zu\r\n", half);
    bytes_add(&in, head, strlen(head));
    bytes_add(&in, chunk, half);
    snprintf(head, sizeof(head), "BDAT %zu LAST\r\n", half);
    bytes_add(&in, head, strlen(head));
    bytes_add(&in, chunk, half);
    bytes_add(&in, "NOOP\r\n", 6);
    {
        struct bytes out = run_session(in.ptr, in.len, FEED_WHOLE, 0, NULL);
        char codes[256];
        replies_codes(&out, codes, sizeof(codes), "BDAT size");
        assert_string_equal(codes, TX_CODES " 250 552 250");
        free(out.ptr);
    }
    free(chunk);
    free(in.ptr);
}

/* ---- pipelining and reply injection ---- */

static const struct session_row pipeline_rows[] = {
    ROW("whole session in one batch",
        EHLO MAIL RCPT "RCPT TO:<c@example.net>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n",
        TX_CODES " 250 354 250 221", NULL),
    ROW("mixed good and bad lines", "NOOP\r\nFOO\r\nHELP\r\n\n\r\nNOOP\n",
        "220 250 500 214 500 500 500", NULL),
    ROW("injection: CR in the middle of a line", "NOOP\r250 fake\r\n", "220 500", NULL),
    ROW("injection: a reply inside HELP", "HELP x\r\n250 fake\r\n", "220 214 500", NULL),
    ROW("injection: NUL in an unknown verb line", "FOO\0BAR\r\n", "220 500", NULL),
    ROW("injection: CR LF in a parameter", MAILX("<a@example.org> X=\r\n250 x"), "220 250 555 500",
        NULL),
    ROW("injection: echo of a long unknown verb",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", "220 500",
        NULL),
    ROW("injection: quote in the HELP topic", "HELP \"\r\n214 x\r\n", "220 214 500",
        "No help for \"\"\""),
    ROW("injection: HT in EHLO", "EHLO a\tb\r\n", "220 500", NULL),
};

/* test_pipelining - batches, one reply per command in order; nothing splits a reply */
static void test_pipelining(void **state)
{
    (void)state;
    RUN_TABLE(pipeline_rows);
}

/* ---- random streams: split invariance and well-formed replies, whatever the input ---- */

/* test_random_streams - token soup of commands, data and line-end fragments */
static void test_random_streams(void **state)
{
    static const char *const tokens[] = {EHLO,
                                         "HELO x\r\n",
                                         MAIL,
                                         RCPT,
                                         "DATA\r\n",
                                         "BDAT 3\r\n",
                                         "BDAT 0 LAST\r\n",
                                         "BDAT 2 LAST\r\n",
                                         "RSET\r\n",
                                         "NOOP\r\n",
                                         "HELP\r\n",
                                         "help data\r\n",
                                         "QUIT\r\n",
                                         "VRFY x\r\n",
                                         "FOO\r\n",
                                         ".\r\n",
                                         "..\r\n",
                                         "\r\n",
                                         "\n",
                                         "\r",
                                         ".",
                                         "x",
                                         "\0",
                                         "\xc3\xa9",
                                         "\xff",
                                         " ",
                                         "MAIL FROM:<a@b.example> SIZE=99999999\r\n"};
    uint64_t rng = 42;

    (void)state;
    for (int round = 0; round < 300; round++) {
        struct bytes in = {NULL, 0, 0};
        int ntok;
        char name[32];

        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        ntok = 1 + (int)((rng >> 33) % 40);
        for (int t = 0; t < ntok; t++) {
            const char *tok;
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            tok = tokens[(rng >> 33) % (sizeof(tokens) / sizeof(tokens[0]))];
            /* "\0" is one octet, not an empty string. */
            bytes_add(&in, tok, tok[0] == '\0' ? 1 : strlen(tok));
        }
        snprintf(name, sizeof(name), "random stream %d", round);
        check_input(name, in.ptr, in.len, NULL, NULL, 0);
        free(in.ptr);
    }
}

/* ---- the session object and the target ---- */

/* test_closed - QUIT closes: feed returns CLOSED and nothing more is emitted */
static void test_closed(void **state)
{
    struct run r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.s = smtp_session_new(run_sink, &r);
    assert_non_null(r.s);
    assert_int_equal(smtp_session_feed(r.s, NULL, 0), SMTP_TARGET_OPEN);
    assert_int_equal(smtp_session_feed(r.s, "NOOP\r\nQUIT\r\nNOOP\r\n", 18), SMTP_TARGET_CLOSED);
    {
        size_t len = r.out.len;
        assert_int_equal(smtp_session_feed(r.s, "HELP\r\n", 6), SMTP_TARGET_CLOSED);
        assert_int_equal(smtp_session_feed(r.s, NULL, 0), SMTP_TARGET_CLOSED);
        assert_int_equal(r.out.len, len);
    }
    smtp_session_free(r.s);
    smtp_session_free(NULL);
    free(r.out.ptr);
}

/* test_target - the in-process target wraps the session one to one */
static void test_target(void **state)
{
    struct run r;
    void *t;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_non_null(smtp_session_target.name);
    t = smtp_session_target.open(run_sink, &r);
    assert_non_null(t);
    assert_int_equal(smtp_session_target.feed(t, "HELP\r\n", 6), SMTP_TARGET_OPEN);
    assert_int_equal(smtp_session_target.feed(t, "QUIT\r\n", 6), SMTP_TARGET_CLOSED);
    smtp_session_target.close(t);
    bytes_add(&r.out, "", 0);
    {
        char codes[64];
        replies_codes(&r.out, codes, sizeof(codes), "target");
        assert_string_equal(codes, "220 214 221");
    }
    free(r.out.ptr);
}

/* test_independent_sessions - two interleaved sessions do not see each other */
static void test_independent_sessions(void **state)
{
    static const char a_in[] = TX "DATA\r\nx\r\n.\r\nQUIT\r\n";
    static const char b_in[] = "HELP\r\nBDAT 3\r\nabcNOOP\r\n";
    struct run a, b;
    struct bytes a_alone, b_alone;
    size_t i;

    (void)state;
    a_alone = run_session(a_in, sizeof(a_in) - 1, FEED_WHOLE, 0, NULL);
    b_alone = run_session(b_in, sizeof(b_in) - 1, FEED_WHOLE, 0, NULL);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.s = smtp_session_new(run_sink, &a);
    b.s = smtp_session_new(run_sink, &b);
    assert_non_null(a.s);
    assert_non_null(b.s);
    for (i = 0; i < sizeof(a_in) - 1 || i < sizeof(b_in) - 1; i++) {
        if (i < sizeof(a_in) - 1)
            smtp_session_feed(a.s, a_in + i, 1);
        if (i < sizeof(b_in) - 1)
            smtp_session_feed(b.s, b_in + i, 1);
    }
    smtp_session_free(a.s);
    smtp_session_free(b.s);
    assert_int_equal(a.out.len, a_alone.len);
    assert_memory_equal(a.out.ptr, a_alone.ptr, a_alone.len);
    assert_int_equal(b.out.len, b_alone.len);
    assert_memory_equal(b.out.ptr, b_alone.ptr, b_alone.len);
    free(a.out.ptr);
    free(b.out.ptr);
    free(a_alone.ptr);
    free(b_alone.ptr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_hello),
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_many_recipients),
        cmocka_unit_test(test_verbs),
        cmocka_unit_test(test_data),
        cmocka_unit_test(test_data_long_lines),
        cmocka_unit_test(test_data_size),
        cmocka_unit_test(test_bdat),
        cmocka_unit_test(test_bdat_size),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_random_streams),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_independent_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

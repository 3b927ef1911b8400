/*
 * session_gen - grammar-based SMTP client sessions (contract in
 * session_gen.h).
 *
 *   session     = [hello] 1*8item [QUIT]
 *   hello       = EHLO name / HELO name
 *   item        = transaction / RSET / NOOP [text] / VRFY user / EXPN list
 *               / HELP [topic] / help / unknown-verb
 *   transaction = MAIL FROM:<path> [params] 1*3(RCPT TO:<path>) (data / bdat)
 *   data        = DATA *5message-line "."
 *   bdat        = 1*3(BDAT n chunk) with LAST on the last
 *
 * A session_writer appends and silently stops at the end of the buffer.
 */
#include "session_gen.h"

#include <stdio.h>
#include <string.h>

#include "session_writer.h"

#define GEN_ITEMS_MAX 8
#define GEN_MSG_LINES_MAX 5
#define GEN_MSG_LINE_MAX 78
#define GEN_CHUNK_MAX 120

static const char *const gen_names[] = {"client.example", "mail.example.org", "[127.0.0.1]",
                                        "localhost", "x"};
static const char *const gen_paths[] = {"a@b.example", "postmaster", "user+tag@example.org",
                                        "\"quoted local\"@example.net", "x@[127.0.0.1]"};
static const char *const gen_params[] = {"", " SIZE=1000", " BODY=8BITMIME", " BODY=7BIT",
                                         " SIZE=10 BODY=8BITMIME"};
static const char *const gen_simple[] = {
    "RSET\r\n",       "NOOP\r\n",  "NOOP hello there\r\n", "VRFY postmaster\r\n",
    "EXPN staff\r\n", "HELP\r\n",  "HELP MAIL\r\n",        "help\r\n",
    "Help data\r\n",  "XYZZY\r\n", "FOO bar\r\n",          "HELP HELP\r\n",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* message_line - printable text, sometimes starting with a dot (stuffed here) */
static void message_line(struct session_writer *g)
{
    char line[GEN_MSG_LINE_MAX + 4];
    size_t n = sw_below(g, GEN_MSG_LINE_MAX), i, k = 0;

    if (sw_below(g, 6) == 0)
        line[k++] = '.', line[k++] = '.'; /* a text line starting with "." goes out as ".." */
    for (i = 0; i < n; i++)
        line[k++] = (char)(0x20 + sw_below(g, 0x7f - 0x20));
    line[k++] = '\r';
    line[k++] = '\n';
    sw_put(g, line, k);
}

/* transaction - MAIL, RCPTs, then DATA or BDAT */
static void transaction(struct session_writer *g)
{
    char buf[160];
    size_t k, n = 1 + sw_below(g, 3);

    snprintf(buf, sizeof buf, "MAIL FROM:<%s>%s\r\n", sw_pick(g, gen_paths, N_OF(gen_paths)),
             sw_pick(g, gen_params, N_OF(gen_params)));
    sw_put_str(g, buf);
    for (k = 0; k < n; k++) {
        snprintf(buf, sizeof buf, "RCPT TO:<%s>\r\n", sw_pick(g, gen_paths, N_OF(gen_paths)));
        sw_put_str(g, buf);
    }
    if (sw_below(g, 3) != 0) {
        sw_put_str(g, sw_below(g, 8) == 0 ? "data\r\n" : "DATA\r\n");
        n = sw_below(g, GEN_MSG_LINES_MAX + 1);
        for (k = 0; k < n; k++)
            message_line(g);
        sw_put_str(g, ".\r\n");
        return;
    }
    n = 1 + sw_below(g, 3);
    for (k = 0; k < n; k++) {
        size_t len = (k + 1 == n ? 0 : 1) + sw_below(g, GEN_CHUNK_MAX - 1), i;
        uint8_t chunk[GEN_CHUNK_MAX];

        snprintf(buf, sizeof buf, "BDAT %zu%s\r\n", len, k + 1 == n ? " LAST" : "");
        sw_put_str(g, buf);
        for (i = 0; i < len; i++) /* chunk octets are anything, CR LF and dots included */
            chunk[i] = sw_below(g, 4) == 0 ? (uint8_t) "\r\n."[sw_below(g, 3)]
                                           : (uint8_t)(0x20 + sw_below(g, 0x5f));
        sw_put(g, chunk, len);
    }
}

/* session_gen - one session for seed into out[0..max); returns its length */
size_t session_gen(uint8_t *out, size_t max, uint64_t seed)
{
    struct session_writer g = {out, out != NULL ? max : 0, 0, seed ^ 0x2545f4914f6cdd1dULL};
    char buf[96];
    size_t k, items;
    unsigned hello = (unsigned)sw_below(&g, 20);

    if (hello < 17) {
        snprintf(buf, sizeof buf, "EHLO %s\r\n", sw_pick(&g, gen_names, N_OF(gen_names)));
        sw_put_str(&g, buf);
    } else if (hello < 19) {
        snprintf(buf, sizeof buf, "HELO %s\r\n", sw_pick(&g, gen_names, N_OF(gen_names)));
        sw_put_str(&g, buf);
    }
    items = 1 + sw_below(&g, GEN_ITEMS_MAX);
    for (k = 0; k < items; k++) {
        if (sw_below(&g, 3) == 0)
            transaction(&g);
        else
            sw_put_str(&g, sw_pick(&g, gen_simple, N_OF(gen_simple)));
    }
    if (sw_below(&g, 5) != 0)
        sw_put_str(&g, "QUIT\r\n");
    return g.len;
}

/*
 * smtp_line - incremental SMTP command-line tokenizer (SPEC sections 1-2).
 *
 * Design. A line is classified only once it is complete (its LF has
 * arrived), from the octets before the LF. That keeps the per-call state to
 * two counters and a 512-octet buffer, and makes split invariance hold by
 * construction: the classifier sees the same octets whatever the split.
 * Nothing is lost by waiting: a line that fits the cap is held whole, and a
 * line that does not is TOO_LONG, which outranks every other finding, so
 * the octets that were skipped could not have changed the verdict.
 *
 * Hot path. When nothing is held and the caller's buffer holds the whole
 * line, the line is classified in place (no copy): memchr finds the LF,
 * then the content is checked 8 octets at a time for the printable-ASCII
 * common case, falling back to a 256-entry class table for anything else.
 *
 * Slow path. Otherwise octets are appended to lp->buf until it holds
 * SMTP_LINE_MAX of them; past that the line is only counted (the discard
 * state of STYLE rule 3, implicit in kept == SMTP_LINE_MAX), and reported
 * once, as TOO_LONG, when its LF arrives.
 */
#include "smtp_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one content octet can be, for the table below. */
enum byte_class {
    B_PRINT, /* 0x20..0x7E: allowed anywhere */
    B_CR,    /* CR inside the content: always bare, the terminating CR is not content */
    B_CTRL,  /* NUL, HT, the other C0 controls, DEL (LF never reaches the table) */
    B_BAD,   /* never valid in UTF-8: continuation 80..BF alone, C0, C1 (overlong), F5..FF */
    B_U2,    /* C2..DF: 80..BF */
    B_E0,    /* E0: A0..BF 80..BF (80..9F would be overlong) */
    B_U3,    /* E1..EC, EE, EF: 80..BF 80..BF */
    B_ED,    /* ED: 80..9F 80..BF (A0..BF would be a surrogate, D800..DFFF) */
    B_F0,    /* F0: 90..BF 80..BF 80..BF (80..8F would be overlong) */
    B_U4,    /* F1..F3: 80..BF 80..BF 80..BF */
    B_F4     /* F4: 80..8F 80..BF 80..BF (90..BF would be above U+10FFFF) */
};

/* clang-format off */
#define P_ B_PRINT
#define C_ B_CTRL
#define X_ B_BAD
static const unsigned char byte_class[256] = {
    C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   B_CR, C_,   C_,
    C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,   C_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,
    P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   P_,   C_,
    X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,
    X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,
    X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,
    X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,
    X_,   X_,   B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2,
    B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2, B_U2,
    B_E0, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_U3, B_ED, B_U3, B_U3,
    B_F0, B_U4, B_U4, B_U4, B_F4, X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,   X_,
};
#undef P_
#undef C_
#undef X_
/* clang-format on */

/*
 * For each lead class: the sequence length and the range of the second
 * octet (RFC 3629 section 4); the third and fourth are always 80..BF.
 */
static const struct utf8_lead {
    unsigned char len, lo, hi;
} utf8_lead[] = {
    [B_U2] = {2, 0x80, 0xBF}, [B_E0] = {3, 0xA0, 0xBF}, [B_U3] = {3, 0x80, 0xBF},
    [B_ED] = {3, 0x80, 0x9F}, [B_F0] = {4, 0x90, 0xBF}, [B_U4] = {4, 0x80, 0xBF},
    [B_F4] = {4, 0x80, 0x8F},
};

/* One bit per status, so findings collect in any order and precedence is applied once. */
#define STATUS_BIT(status) (1u << (status))
_Static_assert(SMTP_LINE_STATUS_COUNT <= 32, "status bits must fit an unsigned");
/* scan_content() stops at the first CR because it outranks the other content findings. */
_Static_assert(SMTP_LINE_BARE_CR < SMTP_LINE_CTRL && SMTP_LINE_CTRL < SMTP_LINE_BAD_UTF8,
               "content findings are listed in precedence order");

/* line_require - a caller bug aborts, whatever NDEBUG says (STYLE rule 5) */
static void line_require(int ok, const char *func, const char *what)
{
    if (!ok) {
        fprintf(stderr, "%s: caller bug: %s\n", func, what);
        abort();
    }
}

/* word_printable - true when all 8 octets at p are 0x20..0x7E */
static int word_printable(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t highs = 0x8080808080808080u;
    uint64_t w;
    uint64_t below, above;

    memcpy(&w, p, sizeof w); /* unaligned load without aliasing games */
    /*
     * Classic "has a byte < n" / "has a byte > n" tests: exact as yes/no
     * answers for the whole word, which is all we need here.
     */
    below = (w - ones * 0x20) & ~w & highs;
    above = ((w + ones * (0x7F - 0x7E)) | w) & highs;
    return (below | above) == 0;
}

/* utf8_seq_len - octets of the well-formed sequence at p (lead class cls), or 0 */
static size_t utf8_seq_len(const unsigned char *p, size_t avail, unsigned cls)
{
    const struct utf8_lead *lead = &utf8_lead[cls];
    size_t k;

    /* A sequence cut by the end of the content (e.g. by the CR LF) is truncated. */
    if (avail < lead->len || p[1] < lead->lo || p[1] > lead->hi)
        return 0;
    for (k = 2; k < lead->len; k++) {
        if (p[k] < 0x80 || p[k] > 0xBF)
            return 0;
    }
    return lead->len;
}

/* all_printable - true when all n octets at p are 0x20..0x7E (the common case, checked fast) */
static int all_printable(const unsigned char *p, size_t n)
{
    size_t i;

    if (n < 8) {
        for (i = 0; i < n; i++) {
            if (byte_class[p[i]] != B_PRINT)
                return 0;
        }
        return 1;
    }
    for (i = 0; i + 8 < n; i += 8) {
        if (!word_printable(p + i))
            return 0;
    }
    /* The last word may overlap the previous one: rechecking octets is cheaper than a tail loop. */
    return word_printable(p + n - 8);
}

/* scan_content - the BARE_CR, CTRL and BAD_UTF8 bits that apply to the content */
static unsigned scan_content(const unsigned char *p, size_t n)
{
    unsigned found = 0;
    size_t i = 0;
    size_t k;

    if (all_printable(p, n))
        return 0;
    while (i < n) {
        unsigned cls = byte_class[p[i]];

        switch (cls) {
        case B_PRINT:
            i++;
            break;
        case B_CR:
            /* The first of the three in precedence: nothing else can matter now. */
            return STATUS_BIT(SMTP_LINE_BARE_CR);
        case B_CTRL:
            found |= STATUS_BIT(SMTP_LINE_CTRL);
            i++;
            break;
        case B_BAD:
            found |= STATUS_BIT(SMTP_LINE_BAD_UTF8);
            i++;
            break;
        default:
            k = utf8_seq_len(p + i, n - i, cls);
            if (k == 0) {
                /* Resume right after the lead, so a CR or control byte inside still counts. */
                found |= STATUS_BIT(SMTP_LINE_BAD_UTF8);
                k = 1;
            }
            i += k;
            break;
        }
    }
    return found;
}

/* is_letter - ASCII A..Z or a..z (explicit range: no <ctype.h>, no locale) */
static int is_letter(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

/*
 * finish - classify a complete line into *cmd
 *
 * p holds the first `held` octets of the line before its LF: all of them
 * (held == octets - 1) unless the line is longer than SMTP_LINE_MAX.
 * octets counts the whole line, LF included.
 */
static void finish(struct smtp_cmd *cmd, const char *p, size_t held, uint64_t octets)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t text_len = held;
    const char *sp; /* the first SP of the text, if any */
    size_t verb_len;
    unsigned found;
    int letters;
    enum smtp_line_status status;
    enum smtp_verb verb = SMTP_VERB_NONE;
    int crlf = 0;

    /*
     * The terminator is CR LF when the octet before the LF is CR. When the
     * line was cut, text_len is already SMTP_LINE_MAX and the content is at
     * least that long, so the unseen octet before the LF does not matter.
     */
    if ((uint64_t)held + 1 == octets && held > 0 && p[held - 1] == '\r') {
        crlf = 1;
        text_len--;
    }
    /*
     * The verb (SPEC 2) is 1+ ASCII letters up to the first SP or the end.
     * Walking the letters also finds that SP for a good line; only a line
     * with a non-letter before its first SP needs a search for it.
     */
    for (verb_len = 0; verb_len < text_len && is_letter(u[verb_len]); verb_len++)
        continue;
    if (verb_len < text_len && u[verb_len] == ' ') {
        sp = p + verb_len;
        letters = verb_len > 0;
    } else if (verb_len < text_len) {
        sp = memchr(p + verb_len, ' ', text_len - verb_len);
        letters = 0;
    } else {
        sp = NULL;
        letters = verb_len > 0;
    }

    /* Apply the checks in SMTP_LINE_STATUS_LIST order: the first that applies wins. */
    if (octets > SMTP_LINE_MAX) {
        status = SMTP_LINE_TOO_LONG;
    } else if (!crlf) {
        status = SMTP_LINE_BARE_LF;
    } else if ((found = scan_content(u, text_len)) != 0) {
        status = SMTP_LINE_BARE_CR;
        while ((found & STATUS_BIT(status)) == 0)
            status++;
    } else if (!letters) {
        status = SMTP_LINE_BAD_VERB;
    } else {
        verb = smtp_verb_lookup(p, verb_len);
        status = verb != SMTP_VERB_NONE ? SMTP_LINE_OK : SMTP_LINE_UNKNOWN_VERB;
    }

    cmd->status = status;
    cmd->verb = verb;
    cmd->text = p;
    cmd->text_len = text_len;
    /* For every line, OK or not, so a log can show what the client sent. */
    cmd->arg = sp != NULL ? sp + 1 : p + text_len;
    cmd->arg_len = sp != NULL ? text_len - (size_t)(sp - p) - 1 : 0;
    cmd->octets = octets;
}

/* hold - append n octets of the current line, keeping at most SMTP_LINE_MAX */
static void hold(struct smtp_line *lp, const char *p, size_t n)
{
    size_t room = SMTP_LINE_MAX - lp->kept;
    size_t k = n < room ? n : room;

    if (k > 0) {
        memcpy(lp->buf + lp->kept, p, k);
        lp->kept += (uint32_t)k;
    }
    /* XXX wraps after 2^64 octets on one line; no connection lives that long. */
    lp->octets += n;
}

void smtp_line_reset(struct smtp_line *lp)
{
    line_require(lp != NULL, "smtp_line_reset", "lp is NULL");
    memset(lp, 0, sizeof *lp);
}

enum smtp_line_result smtp_line_feed(struct smtp_line *lp, const char *buf, size_t len,
                                     size_t *used, struct smtp_cmd *cmd)
{
    const char *lf;
    size_t n;

    line_require(lp != NULL, "smtp_line_feed", "lp is NULL");
    line_require(buf != NULL || len == 0, "smtp_line_feed", "buf is NULL");
    line_require(used != NULL, "smtp_line_feed", "used is NULL");
    line_require(cmd != NULL, "smtp_line_feed", "cmd is NULL");

    lf = len > 0 ? memchr(buf, '\n', len) : NULL;
    if (lf == NULL) {
        if (len > 0)
            hold(lp, buf, len);
        *used = len;
        return SMTP_LINE_NEED_MORE;
    }
    n = (size_t)(lf - buf);
    *used = n + 1;
    if (lp->octets == 0) {
        /* Fast path: the whole line is in the caller's buffer; classify it in place. */
        finish(cmd, buf, n < SMTP_LINE_MAX ? n : SMTP_LINE_MAX, (uint64_t)n + 1);
    } else {
        hold(lp, buf, n);
        finish(cmd, lp->buf, lp->kept, lp->octets + 1);
        /* The next line starts empty; lp->buf stays intact for cmd until the next call. */
        lp->octets = 0;
        lp->kept = 0;
    }
    return SMTP_LINE_READY;
}

int smtp_line_pending(const struct smtp_line *lp)
{
    line_require(lp != NULL, "smtp_line_pending", "lp is NULL");
    return lp->octets > 0;
}

#define STATUS_TEXT_(name, text) [name] = text,
static const char *const status_text[SMTP_LINE_STATUS_COUNT] = {
    SMTP_LINE_STATUS_LIST(STATUS_TEXT_)};
#undef STATUS_TEXT_

const char *smtp_line_status_name(enum smtp_line_status status)
{
    return (unsigned)status < SMTP_LINE_STATUS_COUNT ? status_text[status] : "invalid line status";
}

/*
 * smtp_line - incremental SMTP command-line tokenizer (docs/contract.md sections 1-2).
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
 * line, the line is classified in place (no copy). The vector path (SSE2,
 * baseline on x86-64) makes one pass that finds the first octet outside
 * 0x20..0x7E: for a good line that octet is the CR of its CR LF, so the
 * same pass has found the line end and proved the content printable, and
 * only the verb is left to check (on the first 16 octets, already loaded).
 * Anything else (a bare LF, a control, an 8-bit octet) falls back to the
 * general classifier from where the pass stopped. The scalar path finds
 * the LF with memchr, then checks the content 8 octets at a time for the
 * printable-ASCII common case, falling back to a 256-entry class table.
 * Both paths give the same results bit for bit; tests run both.
 *
 * Slow path. Otherwise octets are appended to lp->buf until it holds
 * SMTP_LINE_MAX of them; past that the line is only counted (the discard
 * state of docs/contract.md section 9.1, implicit in kept == SMTP_LINE_MAX), and reported
 * once, as TOO_LONG, when its LF arrives.
 */
#include "smtp_line.h"
#include "smtp_line_simd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SSE2 is baseline on x86-64; the builtins (ctz) need GCC or clang, which define __GNUC__. */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define LINE_SSE2 1
#else
#define LINE_SSE2 0
#endif

/* The two paths share one body, specialised per entry point by a constant flag. */
#if defined(__GNUC__)
#define LINE_INLINE static inline __attribute__((always_inline))
#else
#define LINE_INLINE static inline
#endif

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

/* line_require - a caller bug aborts, whatever NDEBUG says (docs/contract.md section 9.2) */
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

#if LINE_SSE2
/* load16 - the 16 octets at p, unaligned */
static inline __m128i load16(const unsigned char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* special_mask - one bit per octet of v that is outside 0x20..0x7E */
static inline unsigned special_mask(__m128i v)
{
    /*
     * After adding 1, exactly the octets 0x20..0x7E are (signed) above
     * 0x20: 0x7F wraps to -128, 0x80..0xFF become negative or 0, and the
     * C0 controls stay at or below 0x20.
     */
    __m128i ok = _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(1)), _mm_set1_epi8(0x20));

    return (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;
}

/* letter_mask - one bit per octet of v that is an ASCII letter */
static inline unsigned letter_mask(__m128i v)
{
    /*
     * (c | 0x20) - 'a' < 26 as an unsigned test, done signed: adding
     * 0x80 - 'a' moves 'a'..'z' to -128..-103, and nothing else lands there.
     */
    __m128i t = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x80 - 'a'));

    return (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(t, _mm_set1_epi8(-128 + 26)));
}

/* first_special_sse2 - where the first octet outside 0x20..0x7E is in p[from, n), or n (n >= 16) */
static size_t first_special_sse2(const unsigned char *p, size_t from, size_t n)
{
    size_t i;
    unsigned m;

    for (i = from; i + 16 <= n; i += 16) {
        m = special_mask(load16(p + i));
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < n) {
        /* The last 16 octets, overlapping checked ones, so no load reaches past p + n. */
        m = special_mask(load16(p + n - 16)) >> (16 - (n - i));
        if (m != 0)
            return i + (size_t)__builtin_ctz(m);
    }
    return n;
}
#endif

/* all_printable - true when all n octets at p are 0x20..0x7E (the common case, checked fast) */
LINE_INLINE int all_printable(const unsigned char *p, size_t n, int simd)
{
    size_t i;

#if LINE_SSE2
    if (simd && n >= 16)
        return first_special_sse2(p, 0, n) == n;
#else
    (void)simd;
#endif
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
LINE_INLINE unsigned scan_content(const unsigned char *p, size_t n, int simd)
{
    unsigned found = 0;
    size_t i = 0;
    size_t k;

    if (all_printable(p, n, simd))
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
LINE_INLINE void finish(struct smtp_cmd *cmd, const char *p, size_t held, uint64_t octets, int simd)
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
     * The verb (docs/contract.md section 2) is 1+ ASCII letters up to the first SP or the end.
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
    } else if ((found = scan_content(u, text_len, simd)) != 0) {
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

#if LINE_SSE2
/*
 * verb_key - each verb's name zero-padded to SMTP_VERB_MAX_LEN octets, from
 * the one list (SMTP_VERB_LIST), so it cannot drift from smtp_verb.c. The
 * vector path compares an 8-octet word against it inline: a call to
 * smtp_verb_lookup() (copy, fold, compare) cost more than the whole scan.
 */
#define VERB_KEY_(name) [SMTP_VERB_##name] = #name,
static const char verb_key[SMTP_VERB_COUNT][SMTP_VERB_MAX_LEN + 1] = {SMTP_VERB_LIST(VERB_KEY_)};
#undef VERB_KEY_

/* verb_word - the key of verb v as a word (a constant: the compiler folds the load) */
static inline uint64_t verb_word(enum smtp_verb v)
{
    uint64_t key;

    memcpy(&key, verb_key[v], sizeof key);
    return key;
}

/* VERB_LO - the low 32 bits of verb v's key (0, which no word of letters matches, past the last) */
#define VERB_LO(v) ((v) < SMTP_VERB_COUNT ? (int)(uint32_t)verb_word((enum smtp_verb)(v)) : 0)
_Static_assert(SMTP_VERB_COUNT <= 17, "verbs 1..16 fit the four vectors of verb_of_word");

/*
 * verb_of_word - the verb whose zero-padded upper-case name is the 8 octets of word, or NONE.
 *
 * The first 4 octets of word are compared with those of every verb at once (16 lanes, lane
 * i for verb i + 1; the keys are constants the compiler folds), then the one candidate is
 * checked whole. No loop, no early exit: an if-chain mispredicts on most lines of a real
 * session. Should two verbs ever share their first 4 octets, several lanes hit and the
 * table lookup decides (p, len: the verb as sent).
 */
static inline enum smtp_verb verb_of_word(uint64_t word, const char *p, size_t len)
{
    const __m128i w = _mm_set1_epi32((int)(uint32_t)word);
    unsigned hits;
    int v;

    hits = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(
        _mm_cmpeq_epi32(_mm_setr_epi32(VERB_LO(1), VERB_LO(2), VERB_LO(3), VERB_LO(4)), w)));
    hits |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(
                _mm_cmpeq_epi32(_mm_setr_epi32(VERB_LO(5), VERB_LO(6), VERB_LO(7), VERB_LO(8)), w)))
            << 4;
    hits |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
                _mm_setr_epi32(VERB_LO(9), VERB_LO(10), VERB_LO(11), VERB_LO(12)), w)))
            << 8;
    hits |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(
                _mm_setr_epi32(VERB_LO(13), VERB_LO(14), VERB_LO(15), VERB_LO(16)), w)))
            << 12;
    if ((hits & (hits - 1)) != 0)
        return smtp_verb_lookup(p, len);
    /* Bit 16 stands for "none": then v is SMTP_VERB_COUNT or beyond, never a verb. */
    v = __builtin_ctz(hits | 1u << 16) + 1;
    return v < SMTP_VERB_COUNT && verb_word((enum smtp_verb)v) == word ? (enum smtp_verb)v
                                                                       : SMTP_VERB_NONE;
}

/*
 * classify_printable - fill *cmd for a line known to end in CR LF, to be at
 * most SMTP_LINE_MAX octets and to hold text_len octets of printable ASCII
 * before its CR, of which the first lead octets (at most 16) are letters
 * and the next is not (or is the 17th): the general case, out of line
 */
__attribute__((noinline)) static void classify_printable(struct smtp_cmd *cmd, const char *p,
                                                         size_t text_len, size_t lead)
{
    size_t sp = text_len; /* the first SP, or text_len */
    enum smtp_line_status status = SMTP_LINE_BAD_VERB;
    const char *at;

    while (lead < text_len && is_letter((unsigned char)p[lead]))
        lead++;
    at = memchr(p + lead, ' ', text_len - lead);
    sp = at != NULL ? (size_t)(at - p) : text_len;
    /* All letters up to the SP or the end, but too many for any verb; else a non-letter. */
    if (lead == sp && lead > SMTP_VERB_MAX_LEN)
        status = SMTP_LINE_UNKNOWN_VERB;
    cmd->status = status;
    cmd->verb = SMTP_VERB_NONE;
    cmd->text = p;
    cmd->text_len = text_len;
    cmd->arg = sp < text_len ? p + sp + 1 : p + text_len;
    cmd->arg_len = sp < text_len ? text_len - sp - 1 : 0;
    cmd->octets = (uint64_t)text_len + 2;
}

/*
 * classify_fast - classify_printable for the common lines: v0 holds the
 * first 16 octets of the line (text_len may be less: the CR is no letter,
 * so the leading letters counted in v0 stop within the text)
 */
static inline void classify_fast(struct smtp_cmd *cmd, const char *p, size_t text_len, __m128i v0)
{
    size_t lead = (size_t)__builtin_ctz(~letter_mask(v0)); /* leading letters, up to 16 */
    enum smtp_line_status status = SMTP_LINE_BAD_VERB;
    enum smtp_verb verb = SMTP_VERB_NONE;

    if (lead < text_len && (p[lead] != ' ' || lead > SMTP_VERB_MAX_LEN)) {
        classify_printable(cmd, p, text_len, lead);
        return;
    }
    /* lead letters, then SP or the end of the text. */
    if (lead > SMTP_VERB_MAX_LEN) {
        status = SMTP_LINE_UNKNOWN_VERB;
    } else if (lead > 0) {
        /*
         * The line has 16+ octets here. x86 is little-endian, so the first
         * octets are the low ones; & 0xDF upper-cases the letters.
         */
        uint64_t word;

        memcpy(&word, p, sizeof word);
        word &= ~(uint64_t)0 >> (64 - 8 * lead);
        verb = verb_of_word(word & 0xDFDFDFDFDFDFDFDFu, p, lead);
        status = verb != SMTP_VERB_NONE ? SMTP_LINE_OK : SMTP_LINE_UNKNOWN_VERB;
    }
    cmd->status = status;
    cmd->verb = verb;
    cmd->text = p;
    cmd->text_len = text_len;
    cmd->arg = lead < text_len ? p + lead + 1 : p + text_len;
    cmd->arg_len = lead < text_len ? text_len - lead - 1 : 0;
    cmd->octets = (uint64_t)text_len + 2;
}
#endif

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

/*
 * feed_general - the rest of smtp_line_feed after the checks: any held
 * part, any line that is not plainly good; from is where to look for the LF
 */
LINE_INLINE enum smtp_line_result feed_general(struct smtp_line *lp, const char *buf, size_t len,
                                               size_t *used, struct smtp_cmd *cmd, int simd,
                                               size_t from)
{
    const char *lf;
    size_t n;

    lf = len > from ? memchr(buf + from, '\n', len - from) : NULL;
    if (lf == NULL) {
        if (len > 0)
            hold(lp, buf, len);
        *used = len;
        return SMTP_LINE_NEED_MORE;
    }
    n = (size_t)(lf - buf);
    *used = n + 1;
    if (lp->octets == 0) {
        /* The whole line is in the caller's buffer; classify it in place. */
        finish(cmd, buf, n < SMTP_LINE_MAX ? n : SMTP_LINE_MAX, (uint64_t)n + 1, simd);
    } else {
        hold(lp, buf, n);
        finish(cmd, lp->buf, lp->kept, lp->octets + 1, simd);
        /* The next line starts empty; lp->buf stays intact for cmd until the next call. */
        lp->octets = 0;
        lp->kept = 0;
    }
    return SMTP_LINE_READY;
}

#if LINE_SSE2
/* feed_general_sse2 - feed_general for the vector path, out of line to keep the fast path lean */
__attribute__((noinline)) static enum smtp_line_result
feed_general_sse2(struct smtp_line *lp, const char *buf, size_t len, size_t *used,
                  struct smtp_cmd *cmd, size_t from)
{
    return feed_general(lp, buf, len, used, cmd, 1, from);
}

/* feed_sse2 - smtp_line_feed on the vector path, after the checks */
LINE_INLINE enum smtp_line_result feed_sse2(struct smtp_line *lp, const char *buf, size_t len,
                                            size_t *used, struct smtp_cmd *cmd)
{
    const unsigned char *u = (const unsigned char *)buf;
    size_t lim, b;
    __m128i v0;

    if (lp->octets != 0 || len < 16)
        return feed_general_sse2(lp, buf, len, used, cmd, 0);
    /*
     * One pass to the first octet outside 0x20..0x7E (LF and CR included),
     * never past the cap. When it is the CR of a CR LF, the line is well
     * framed and printable, and only its verb is left to check.
     */
    lim = len < SMTP_LINE_MAX ? len : SMTP_LINE_MAX;
    v0 = load16(u);
    if (lim >= 64) {
        /*
         * Four vectors before the first branch: nearly every command line
         * ends within 64 octets, so the line length (which varies from
         * line to line) seldom decides a branch, and seldom mispredicts it.
         */
        uint64_t m64 = (uint64_t)special_mask(v0) | (uint64_t)special_mask(load16(u + 16)) << 16 |
                       (uint64_t)special_mask(load16(u + 32)) << 32 |
                       (uint64_t)special_mask(load16(u + 48)) << 48;

        if (m64 != 0)
            b = (size_t)__builtin_ctzll(m64);
        else
            b = first_special_sse2(u, 64, lim);
    } else {
        b = first_special_sse2(u, 0, lim);
    }
    if (b < lim && b <= SMTP_LINE_CONTENT_MAX && u[b] == '\r' && b + 1 < len && u[b + 1] == '\n') {
        *used = b + 2;
        classify_fast(cmd, buf, b, v0);
        return SMTP_LINE_READY;
    }
    /* Every octet before b is printable, so the LF is not there. */
    return feed_general_sse2(lp, buf, len, used, cmd, b);
}

#endif

/* line_require_feed - the caller-bug checks of every smtp_line_feed entry point */
LINE_INLINE void line_require_feed(const struct smtp_line *lp, const char *buf, size_t len,
                                   const size_t *used, const struct smtp_cmd *cmd, const char *func)
{
    line_require(lp != NULL, func, "lp is NULL");
    line_require(buf != NULL || len == 0, func, "buf is NULL");
    line_require(used != NULL, func, "used is NULL");
    line_require(cmd != NULL, func, "cmd is NULL");
}

enum smtp_line_result smtp_line_feed(struct smtp_line *lp, const char *buf, size_t len,
                                     size_t *used, struct smtp_cmd *cmd)
{
    line_require_feed(lp, buf, len, used, cmd, "smtp_line_feed");
#if LINE_SSE2
    return feed_sse2(lp, buf, len, used, cmd);
#else
    return feed_general(lp, buf, len, used, cmd, 0, 0);
#endif
}

enum smtp_line_result smtp_line_feed_scalar(struct smtp_line *lp, const char *buf, size_t len,
                                            size_t *used, struct smtp_cmd *cmd)
{
    line_require_feed(lp, buf, len, used, cmd, "smtp_line_feed_scalar");
    return feed_general(lp, buf, len, used, cmd, 0, 0);
}

enum smtp_line_result smtp_line_feed_simd(struct smtp_line *lp, const char *buf, size_t len,
                                          size_t *used, struct smtp_cmd *cmd)
{
    line_require_feed(lp, buf, len, used, cmd, "smtp_line_feed_simd");
#if LINE_SSE2
    return feed_sse2(lp, buf, len, used, cmd);
#else
    return feed_general(lp, buf, len, used, cmd, 0, 0);
#endif
}

const char *smtp_line_simd_name(void)
{
    return LINE_SSE2 ? "sse2" : "none";
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

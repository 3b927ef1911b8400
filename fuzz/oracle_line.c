/*
 * oracle_line - the oracle's own line classifier (contract in oracle_line.h).
 */
#include "oracle_line.h"

#include <string.h>

#define FAULT_TEXT_(name, text) [name] = text,
static const char *const fault_texts[ORACLE_FAULT_COUNT] = {ORACLE_FAULT_LIST(FAULT_TEXT_)};
#undef FAULT_TEXT_

const char *oracle_fault_name(enum oracle_fault fault)
{
    return (unsigned)fault < ORACLE_FAULT_COUNT ? fault_texts[fault] : "invalid fault";
}

/* ------------------------------------------------------------------ */
/* The classifier (docs/contract.md "Lines", "Verbs"), written for obviousness */

#define VERB_NAME_(name) #name,
static const char *const verb_names[ORACLE_V_COUNT] = {ORACLE_VERB_LIST(VERB_NAME_)};
#undef VERB_NAME_
/* Lengths known at compile time: verb_of() runs on every line of every input. */
#define VERB_LEN_(name) sizeof #name - 1,
static const size_t verb_lens[ORACLE_V_COUNT] = {ORACLE_VERB_LIST(VERB_LEN_)};
#undef VERB_LEN_

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* upper - ASCII upper case of c; other bytes unchanged */
static unsigned char upper(unsigned char c)
{
    return is_lower(c) ? (unsigned char)(c - 'a' + 'A') : c;
}

/* same_word - (p, n) spells word (upper case, n octets long) in any ASCII case */
int oracle_same_word(const char *p, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (upper((unsigned char)p[i]) != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

/* verb_of - the recognised verb spelled by (p, n), or ORACLE_V_NONE */
static enum oracle_verb verb_of(const char *p, size_t n)
{
    int v;

    for (v = 0; v < ORACLE_V_COUNT; v++) {
        if (verb_lens[v] == n && oracle_same_word(p, n, verb_names[v]))
            return (enum oracle_verb)v;
    }
    return ORACLE_V_NONE;
}

/*
 * utf8_length - octets of the well-formed UTF-8 sequence at p[0..n), or 0
 *
 * RFC 3629 section 3, read literally: decode the sequence its lead byte
 * announces, then reject overlongs (value below the smallest one needing
 * that many octets), surrogates (U+D800..U+DFFF) and values above
 * U+10FFFF. A sequence cut short by the end of the content is invalid.
 */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    static const uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t need, i;
    uint32_t cp;

    if (p[0] >= 0xC0 && p[0] <= 0xDF) {
        need = 2, cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 3, cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF7) {
        need = 4, cp = p[0] & 0x07u;
    } else {
        return 0; /* a continuation byte alone, or F8..FF */
    }
    if (need > n)
        return 0;
    for (i = 1; i < need; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < smallest[need] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return need;
}

/* content_judge - the faults of content c[0..n) of a CR LF line, in precedence order */
static enum oracle_fault content_judge(const char *c, size_t n, enum oracle_verb *verb)
{
    const unsigned char *u = (const unsigned char *)c;
    size_t i, k, verb_len;
    int cr = 0, ctrl = 0, bad_utf8 = 0;

    if (n + 2 > ORACLE_LINE_MAX)
        return ORACLE_FAULT_TOO_LONG;
    /* One pass over the content noting every problem; precedence is applied after. */
    for (i = 0; i < n; i += k) {
        k = 1;
        if (u[i] == '\r')
            cr = 1;
        else if (u[i] < 0x20 || u[i] == 0x7F)
            ctrl = 1; /* NUL, HT, LF (only if the caller passed one inside), other C0, DEL */
        else if (u[i] >= 0x80 && (k = utf8_length(u + i, n - i)) == 0)
            bad_utf8 = 1, k = 1; /* resume after the bad byte so later bytes still count */
    }
    if (cr)
        return ORACLE_FAULT_BARE_CR;
    if (ctrl)
        return ORACLE_FAULT_CTRL;
    if (bad_utf8)
        return ORACLE_FAULT_BAD_UTF8;

    /* The verb: up to the first SP, 1+ ASCII letters (so no UTF-8 in it). */
    for (verb_len = 0; verb_len < n && u[verb_len] != ' '; verb_len++) {
        if (!is_upper(u[verb_len]) && !is_lower(u[verb_len]))
            return ORACLE_FAULT_BAD_VERB;
    }
    if (verb_len == 0)
        return ORACLE_FAULT_BAD_VERB;
    *verb = verb_of(c, verb_len);
    return *verb == ORACLE_V_NONE ? ORACLE_FAULT_UNKNOWN_VERB : ORACLE_FAULT_NONE;
}

enum oracle_fault oracle_line_verb(const char *line, size_t len, enum oracle_verb *verb)
{
    const unsigned char *u = (const unsigned char *)line;

    if (len > ORACLE_LINE_MAX)
        return ORACLE_FAULT_TOO_LONG;
    if (len < 2 || u[len - 1] != '\n' || u[len - 2] != '\r')
        return ORACLE_FAULT_BARE_LF;
    return content_judge(line, len - 2, verb);
}

enum oracle_fault oracle_content_verb(const char *content, size_t n, enum oracle_verb *verb)
{
    *verb = ORACLE_V_NONE;
    return content_judge(content, n, verb);
}

/* is_word_end - an octet a lenient server may take as the end of the verb */
static int is_word_end(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

enum oracle_verb oracle_first_word_verb(const char *line, size_t len)
{
    const unsigned char *u = (const unsigned char *)line;
    size_t n = 0;

    while (n < len && (is_upper(u[n]) || is_lower(u[n])))
        n++;
    if (n == 0 || (n < len && !is_word_end(u[n])))
        return ORACLE_V_NONE;
    return verb_of(line, n);
}

size_t oracle_first_word(const char *line, size_t len)
{
    const unsigned char *u = (const unsigned char *)line;
    size_t n = 0;

    while (n < len && (is_upper(u[n]) || is_lower(u[n]) || is_digit(u[n]) || u[n] == '-'))
        n++;
    return n < len && !is_word_end(u[n]) ? 0 : n;
}

enum oracle_fault oracle_line_fault(const char *line, size_t len)
{
    enum oracle_verb verb = ORACLE_V_NONE;
    return oracle_line_verb(line, len, &verb);
}

/* class_of - the class line_judge()'s two answers add up to */
enum oracle_class oracle_class_of(enum oracle_fault fault, enum oracle_verb verb)
{
    if (fault != ORACLE_FAULT_NONE)
        return ORACLE_LINE_MALFORMED;
    return verb == ORACLE_V_HELP ? ORACLE_LINE_HELP : ORACLE_LINE_COMMAND;
}

enum oracle_fault oracle_line_judge(const char *line, size_t len, enum oracle_class *cls)
{
    enum oracle_verb verb = ORACLE_V_NONE;
    enum oracle_fault fault = oracle_line_verb(line, len, &verb);

    *cls = oracle_class_of(fault, verb);
    return fault;
}

enum oracle_class oracle_classify(const char *line, size_t len)
{
    enum oracle_class cls;
    (void)oracle_line_judge(line, len, &cls);
    return cls;
}

/*
 * oracle_bdat_line - RFC 3030 section 2: bdat-cmd = "BDAT" SP chunk-size
 * [ SP end-marker ] CR LF, chunk-size = 1*DIGIT. Anything else (extra SPs,
 * a sign, trailing text) is a malformed size that reads no chunk in every
 * reading; how many digits a server takes is its own choice.
 */
int oracle_bdat_line(const char *line, size_t len, uint64_t *size, size_t *digits)
{
    size_t content = len - 2, i = 5, n = 0;
    uint64_t v = 0;

    if (len < 2 || content < 6 || !oracle_same_word(line, 4, "BDAT") || line[4] != ' ')
        return 0;
    while (i < content && is_digit((unsigned char)line[i])) {
        unsigned d = (unsigned)(line[i] - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d; /* saturate: octets we lack */
        i++, n++;
    }
    if (n == 0)
        return 0;
    if (i != content &&
        !(content - i == 5 && line[i] == ' ' && oracle_same_word(line + i + 1, 4, "LAST")))
        return 0;
    *size = v;
    *digits = n;
    return 1;
}

/*
 * oracle_bdat_lenient - a line oracle_bdat_line refuses whose argument still starts with
 * digits, after any white space ("BDAT 1804&x", "BDAT  5", "BDAT 9\rx"): what a server
 * parsing the size with strtoul reads
 */
int oracle_bdat_lenient(const char *line, size_t len, uint64_t *size, size_t *digits)
{
    size_t content = len - 2, i = 5, n = 0;
    uint64_t v = 0;

    if (len < 2 || content < 6 || !oracle_same_word(line, 4, "BDAT") || line[4] != ' ' ||
        oracle_bdat_line(line, len, size, digits))
        return 0;
    while (i < content && (line[i] == ' ' || line[i] == '\t'))
        i++; /* strtoul skips white space */
    while (i < content && is_digit((unsigned char)line[i])) {
        unsigned d = (unsigned)(line[i] - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
        i++, n++;
    }
    if (n == 0)
        return 0;
    *size = v;
    *digits = n;
    return 1;
}

/*
 * fuzz_line - the command-line tokenizer (src/smtp_line.h) against the
 * oracle's own classifier (fuzz/oracle.h), whole and split.
 *
 * Input: raw client bytes, at most FUZZ_LINE_INPUT_MAX octets (larger
 * inputs are skipped: long lines are as long at 64 KiB as at 1 MiB). The
 * bytes are fed twice: whole (one buffer; the tokenizer is called again
 * after each line) and in the input-chosen split of fuzz_split.h, each
 * chunk copied to the very end of a stack buffer so ASan catches a read
 * past the chunk. For every finished line:
 *
 *   - status OK exactly when the oracle finds no fault, and the same
 *     reason when it does (both follow the precedence of docs/contract.md sections 1-2);
 *   - HELP exactly when the oracle says HELP; the verb's name matches the
 *     line's verb in any case;
 *   - octets equal the line's length on the wire; text is the line without
 *     its terminator cut to 512 octets; arg follows text's first SP;
 *   - the split run yields the same lines with the same results;
 *   - the scalar scan (smtp_line_feed_scalar, what builds without SSE2
 *     run) yields the same lines as the vector scan, so the fallback is
 *     fuzzed too and the two paths check each other;
 *   - an unterminated tail leaves both tokenizers pending, nothing else.
 *
 * A mismatch prints what differed, the line (escaped) and both verdicts,
 * then aborts. Nothing is printed otherwise; no state outlives a call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "fuzz_split.h"
#include "oracle.h"
#include "smtp_line.h"
#include "smtp_line_simd.h"

#define FUZZ_LINE_INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tokenizer status each oracle fault must map to (both lists share their order). */
static const enum smtp_line_status fault_status[ORACLE_FAULT_COUNT] = {
    [ORACLE_FAULT_NONE] = SMTP_LINE_OK,
    [ORACLE_FAULT_TOO_LONG] = SMTP_LINE_TOO_LONG,
    [ORACLE_FAULT_BARE_LF] = SMTP_LINE_BARE_LF,
    [ORACLE_FAULT_BARE_CR] = SMTP_LINE_BARE_CR,
    [ORACLE_FAULT_CTRL] = SMTP_LINE_CTRL,
    [ORACLE_FAULT_BAD_UTF8] = SMTP_LINE_BAD_UTF8,
    [ORACLE_FAULT_BAD_VERB] = SMTP_LINE_BAD_VERB,
    [ORACLE_FAULT_UNKNOWN_VERB] = SMTP_LINE_UNKNOWN_VERB,
};

/* line_fail - report a tokenizer/oracle disagreement on one line and abort */
static _Noreturn void line_fail(const char *rule, const char *what, const char *line, size_t off,
                                size_t len, const struct smtp_cmd *cmd, enum oracle_fault fault)
{
    fprintf(stderr, "fuzz_line: %s: %s\n  line @%zu (%zu octets): \"", rule, what, off, len);
    escape_print(stderr, line, len, 240);
    fprintf(stderr, "\"\n  tokenizer: %s, verb \"%s\", %llu octets, text %zu octets\n",
            smtp_line_status_name(cmd->status), smtp_verb_name(cmd->verb),
            (unsigned long long)cmd->octets, cmd->text_len);
    fprintf(stderr, "  oracle:    %s (%s)\n", oracle_fault_name(fault),
            fault != ORACLE_FAULT_NONE ? "malformed" : "well framed");
    abort();
}

/* upper_eq - (p, n) equals the NUL-terminated upper-case word in any ASCII case */
static int upper_eq(const char *p, size_t n, const char *word)
{
    size_t i;

    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (c != (unsigned char)word[i])
            return 0;
    }
    return 1;
}

/* check_line - one line of the whole run against the oracle */
static void check_line(const char *line, size_t off, size_t len, const struct smtp_cmd *cmd)
{
    enum oracle_class cls;
    enum oracle_fault fault = oracle_line_judge(line, len, &cls);
    size_t content = len - 1 - (len >= 2 && line[len - 2] == '\r');
    size_t want_text = content < SMTP_LINE_MAX ? content : SMTP_LINE_MAX;
    const char *sp;

    if (cmd->octets != len)
        line_fail("r3", "octets differ from the line's length", line, off, len, cmd, fault);
    if ((cmd->status == SMTP_LINE_OK) != (fault == ORACLE_FAULT_NONE))
        line_fail("r1", "well-framed verdicts differ", line, off, len, cmd, fault);
    if (cmd->status != fault_status[fault])
        line_fail("r1", "malformed for another reason", line, off, len, cmd, fault);
    if ((cmd->status == SMTP_LINE_OK && cmd->verb == SMTP_VERB_HELP) != (cls == ORACLE_LINE_HELP))
        line_fail("r1", "HELP verdicts differ", line, off, len, cmd, fault);
    if (cmd->status != SMTP_LINE_OK && cmd->verb != SMTP_VERB_NONE)
        line_fail("r1", "a malformed line has a verb", line, off, len, cmd, fault);
    if (cmd->text_len != want_text || (want_text > 0 && memcmp(cmd->text, line, want_text) != 0))
        line_fail("r1", "text is not the line without its terminator", line, off, len, cmd, fault);
    sp = memchr(line, ' ', want_text);
    if (sp != NULL ? cmd->arg != cmd->text + (sp - line) + 1 ||
                         cmd->arg_len != want_text - (size_t)(sp - line) - 1
                   : cmd->arg != cmd->text + cmd->text_len || cmd->arg_len != 0)
        line_fail("r1", "arg is not what follows the first SP", line, off, len, cmd, fault);
    if (cmd->status == SMTP_LINE_OK) {
        size_t vlen = sp != NULL ? (size_t)(sp - line) : want_text;
        if (!upper_eq(line, vlen, smtp_verb_name(cmd->verb)))
            line_fail("r1", "verb differs from the line's verb", line, off, len, cmd, fault);
    }
}

/* same_cmd - the split run found the same line as the whole run */
static int same_cmd(const struct smtp_cmd *a, const struct smtp_cmd *b)
{
    return a->status == b->status && a->verb == b->verb && a->octets == b->octets &&
           a->text_len == b->text_len &&
           (a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0) &&
           a->arg_len == b->arg_len && a->arg - a->text == b->arg - b->text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct smtp_line whole, split, scalar;
    struct smtp_cmd a, b, c;
    struct fuzz_split sp;
    char chunk_buf[FUZZ_SPLIT_CHUNK_MAX];
    size_t a_off = 0, b_off = 0;

    if (size > FUZZ_LINE_INPUT_MAX)
        return 0;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    smtp_line_reset(&scalar);
    smtp_line_reset(&whole);
    smtp_line_reset(&split);
    fuzz_split_init(&sp, data, size);

    do {
        size_t n = fuzz_split_next(&sp, size - b_off), c_used = 0;
        char *chunk = chunk_buf + FUZZ_SPLIT_CHUNK_MAX - n;

        if (n > 0)
            memcpy(chunk, in + b_off, n);
        do {
            size_t used = 0, a_used = 0, s_used = 0, line_off = a_off;
            if (smtp_line_feed(&split, chunk + c_used, n - c_used, &used, &b) != SMTP_LINE_READY) {
                if (used != n - c_used)
                    line_fail("r4", "NEED_MORE without consuming the chunk", in + b_off, b_off, n,
                              &b, ORACLE_FAULT_NONE);
                break;
            }
            c_used += used;
            if (used == 0 || chunk[c_used - 1] != '\n')
                line_fail("r3", "a line did not end at an LF", in + b_off, b_off, c_used, &b,
                          ORACLE_FAULT_NONE);
            /* The whole run must finish the same line now. */
            if (smtp_line_feed(&whole, in + a_off, size - a_off, &a_used, &a) != SMTP_LINE_READY)
                line_fail("r4", "the split run finished a line the whole run did not",
                          in + line_off, line_off, size - line_off, &b, ORACLE_FAULT_NONE);
            /* The scalar path must agree with the vector path octet for octet. */
            if (smtp_line_feed_scalar(&scalar, in + line_off, size - line_off, &s_used, &c) !=
                    SMTP_LINE_READY ||
                s_used != a_used || !same_cmd(&a, &c))
                line_fail("r4-scalar-differs", "the scalar scan disagrees with the vector scan",
                          in + line_off, line_off, a_used, &c,
                          oracle_line_fault(in + line_off, a_used));
            a_off += a_used;
            check_line(in + line_off, line_off, a_off - line_off, &a);
            if (a_off != b_off + c_used || !same_cmd(&a, &b))
                line_fail("r4-split-changed", "whole and split runs differ on this line",
                          in + line_off, line_off, a_off - line_off, &b,
                          oracle_line_fault(in + line_off, a_off - line_off));
        } while (c_used < n);
        b_off += n;
    } while (b_off < size);

    /* Nothing left but an unterminated tail, pending in both. */
    if (a_off < size) {
        size_t used = 0;
        if (smtp_line_feed(&whole, in + a_off, size - a_off, &used, &a) != SMTP_LINE_NEED_MORE ||
            used != size - a_off)
            line_fail("r4", "the whole run finished a line the split run did not", in + a_off,
                      a_off, size - a_off, &a, ORACLE_FAULT_NONE);
        if (smtp_line_feed_scalar(&scalar, in + a_off, size - a_off, &used, &c) !=
                SMTP_LINE_NEED_MORE ||
            used != size - a_off)
            line_fail("r4-scalar-differs", "the scalar scan finished a line in the tail",
                      in + a_off, a_off, size - a_off, &c, ORACLE_FAULT_NONE);
    }
    if (smtp_line_pending(&whole) != (a_off < size) ||
        smtp_line_pending(&split) != (a_off < size) || smtp_line_pending(&scalar) != (a_off < size))
        line_fail("r3", "pending state wrong after the last LF", in + a_off, a_off, size - a_off,
                  &a, ORACLE_FAULT_NONE);
    return 0;
}

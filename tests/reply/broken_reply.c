/*
 * broken_reply - the real reply generator (src/smtp_reply.c, with
 * smtp_reply_format built as real_smtp_reply_format by tests/reply.cmake)
 * behind the public name, with at most one deliberate bug, so the tests can
 * show that fuzz_reply catches each broken promise of smtp_reply.h:
 *
 *   (no macro)            the real generator, passed through: stays clean
 *   BROKEN_REFUSED_HEAD   a refusal writes its first octet anyway   wrote to the buffer
 *   BROKEN_REFUSED_TAIL   a refusal writes the buffer's last octet  wrote to the buffer
 *   BROKEN_SKIPPED_OCTET  a reply leaves its middle octet unwritten bytes differ
 *   BROKEN_LONGER         a reply claims one octet more than it has bytes differ
 *   BROKEN_REFUSED_LENGTH a refusal reports a length                a refused reply has a length
 *   BROKEN_PAST_CAP       a reply claims a length beyond cap        length beyond the capacity
 *   BROKEN_ACCEPTS_CODE   a bad code is formatted as if it were 250 status differs
 *   BROKEN_WRITES_PAST    a reply writes one octet past cap         heap-buffer-overflow
 *                                                                   (ASan builds only)
 *
 * Each bug fires on ordinary inputs: the committed corpus/fuzz_reply seeds
 * trip it (tests/reply.cmake, reply_broken_*).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

enum smtp_reply_status real_smtp_reply_format(const struct smtp_reply_spec *spec, char *out,
                                              size_t cap, size_t *out_len);

/* formatted - the generator reported a reply, not a refusal */
static int formatted(enum smtp_reply_status st)
{
    return st == SMTP_REPLY_OK || st == SMTP_REPLY_TRUNCATED;
}

enum smtp_reply_status smtp_reply_format(const struct smtp_reply_spec *spec, char *out, size_t cap,
                                         size_t *out_len)
{
    enum smtp_reply_status st;
#ifdef BROKEN_SKIPPED_OCTET
    /* The buffer as it was, so the octet the bug skips keeps its old value. */
    char *old = cap > 0 ? malloc(cap) : NULL;
    char before_mid = 0;

    if (old != NULL)
        memcpy(old, out, cap);
#endif

#ifdef BROKEN_ACCEPTS_CODE
    if (spec != NULL && !smtp_wire_code_valid(spec->code)) {
        struct smtp_reply_spec as_250 = *spec;
        as_250.code = 250;
        as_250.enh = NULL; /* so a class-5 enh cannot refuse it after all */
        return real_smtp_reply_format(&as_250, out, cap, out_len);
    }
#endif
    st = real_smtp_reply_format(spec, out, cap, out_len);
#ifdef BROKEN_SKIPPED_OCTET
    if (old != NULL && formatted(st))
        before_mid = old[*out_len / 2];
    free(old);
#endif
#ifdef BROKEN_REFUSED_HEAD
    if (!formatted(st) && cap > 0)
        out[0] = '5'; /* a start made before the check failed */
#endif
#ifdef BROKEN_REFUSED_TAIL
    if (!formatted(st) && cap > 1)
        out[cap - 1] = '\n'; /* scratch written at the far end */
#endif
#ifdef BROKEN_SKIPPED_OCTET
    if (formatted(st) && *out_len > 2)
        out[*out_len / 2] = before_mid; /* that octet keeps what the buffer held before */
#endif
#ifdef BROKEN_LONGER
    if (formatted(st) && *out_len < cap)
        (*out_len)++;
#endif
#ifdef BROKEN_REFUSED_LENGTH
    if (!formatted(st))
        *out_len = 1; /* a length left over from the attempt */
#endif
#ifdef BROKEN_PAST_CAP
    if (formatted(st))
        *out_len = cap + 1; /* counts the terminator it had no room for */
#endif
#ifdef BROKEN_WRITES_PAST
    if (formatted(st))
        out[cap] = '\0'; /* an off-by-one terminator */
#endif
    (void)formatted; /* used by most bugs, not by the control */
    return st;
}

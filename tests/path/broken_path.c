/*
 * broken_path - the real argument grammar (src/smtp_path.c, with
 * smtp_path_domain and smtp_path_parse built as real_smtp_path_domain and
 * real_smtp_path_parse by tests/path.cmake) behind the public names, with at
 * most one deliberate bug, so the tests can show that fuzz_path catches each
 * kind of broken promise of smtp_path.h; the responder (smtp_session.c)
 * calls the broken names too:
 *
 *   (no macro)              the real grammar, passed through: stays clean
 *   BROKEN_TRAILING_HYPHEN  a domain may end with '-'              the module disagrees
 *   BROKEN_REFUSES_QUOTED   a quoted local part is refused         the module disagrees
 *   BROKEN_ACCEPTS_256      an IPv4 Snum of 256 is taken as 255    the module disagrees
 *   BROKEN_UTF8_ANYWHERE    UTF-8 is taken without SMTP_PATH_UTF8  the module disagrees
 *   BROKEN_NULL_ANYWHERE    "<>" is taken without SMTP_PATH_NULL   the module disagrees
 *   BROKEN_USED_SHORT       the '>' is left out of the octets used the module disagrees
 *   BROKEN_JUNK_STATUS      junk after '>' is called NO_CLOSE_ANGLE the module disagrees
 *   BROKEN_RCPT_NULL        the grammar is right, the responder    the responder disagrees
 *                           passes SMTP_PATH_NULL for RCPT too
 *                           (smtp_session.c compiled in here with
 *                           its call rewritten)
 *   BROKEN_READS_PAST       the octet after (p, n) is read         heap-buffer-overflow
 *                                                                  (ASan builds only)
 *
 * Each bug fires on ordinary inputs: the committed corpus/fuzz_path seeds
 * trip it (tests/path.cmake, path_broken_*).
 */
#include <stddef.h>
#include <string.h>

#include "smtp_path.h"

#define BROKEN_COPY_MAX 4096 /* longest argument a bug that edits a copy looks at */

enum smtp_path_status real_smtp_path_domain(const char *p, size_t n, unsigned flags);
enum smtp_path_status real_smtp_path_parse(const char *p, size_t n, unsigned flags,
                                           struct smtp_path_result *res);

/* touch_past - read the octet after the argument, as an off-by-one loop would */
static void touch_past(const char *p, size_t n)
{
#ifdef BROKEN_READS_PAST
    if (p != NULL)
        (void)*(const volatile char *)(p + n);
#else
    (void)p;
    (void)n;
#endif
}

/* without_256 - a copy of (p, n) into buf with every "256" made "255"; 0 when none or too long */
static int without_256(const char *p, size_t n, char *buf)
{
    int found = 0;

    if (p == NULL || n > BROKEN_COPY_MAX)
        return 0;
    memcpy(buf, p, n);
    for (size_t i = 0; i + 3 <= n; i++) {
        if (memcmp(buf + i, "256", 3) == 0) {
            buf[i + 2] = '5';
            found = 1;
        }
    }
    return found;
}

enum smtp_path_status smtp_path_domain(const char *p, size_t n, unsigned flags)
{
    enum smtp_path_status st;
#ifdef BROKEN_ACCEPTS_256
    char copy[BROKEN_COPY_MAX];
#endif

    touch_past(p, n);
#ifdef BROKEN_UTF8_ANYWHERE
    flags |= SMTP_PATH_UTF8;
#endif
    st = real_smtp_path_domain(p, n, flags);
#ifdef BROKEN_TRAILING_HYPHEN
    if (st != SMTP_PATH_OK && n > 1 && p[n - 1] == '-' &&
        real_smtp_path_domain(p, n - 1, flags) == SMTP_PATH_OK)
        st = SMTP_PATH_OK;
#endif
#ifdef BROKEN_ACCEPTS_256
    if (st != SMTP_PATH_OK && without_256(p, n, copy))
        st = real_smtp_path_domain(copy, n, flags);
#endif
    (void)without_256; /* used by one bug only */
    return st;
}

enum smtp_path_status smtp_path_parse(const char *p, size_t n, unsigned flags,
                                      struct smtp_path_result *res)
{
    enum smtp_path_status st;
#if defined(BROKEN_ACCEPTS_256) || defined(BROKEN_TRAILING_HYPHEN)
    char copy[BROKEN_COPY_MAX];
#endif

    touch_past(p, n);
#ifdef BROKEN_UTF8_ANYWHERE
    flags |= SMTP_PATH_UTF8;
#endif
#ifdef BROKEN_NULL_ANYWHERE
    flags |= SMTP_PATH_NULL;
#endif
    st = real_smtp_path_parse(p, n, flags, res);
#ifdef BROKEN_TRAILING_HYPHEN
    /* "-" right before the first '>' is dropped, and the path read again. */
    if (st != SMTP_PATH_OK && p != NULL && n <= BROKEN_COPY_MAX) {
        const char *gt = memchr(p, '>', n);
        size_t at = gt != NULL ? (size_t)(gt - p) : 0;
        if (at > 0 && p[at - 1] == '-') {
            memcpy(copy, p, at - 1);
            memcpy(copy + at - 1, p + at, n - at);
            st = real_smtp_path_parse(copy, n - 1, flags, res);
            if (st == SMTP_PATH_OK)
                res->used++;
        }
    }
#endif
#ifdef BROKEN_ACCEPTS_256
    if (st != SMTP_PATH_OK && without_256(p, n, copy))
        st = real_smtp_path_parse(copy, n, flags, res);
#endif
#ifdef BROKEN_REFUSES_QUOTED
    if (st == SMTP_PATH_OK && memchr(p, '"', res->used) != NULL) {
        st = SMTP_PATH_BAD_LOCAL_PART;
        res->used = 0;
        res->nonascii = 0;
    }
#endif
#ifdef BROKEN_USED_SHORT
    if (st == SMTP_PATH_OK)
        res->used--;
#endif
#ifdef BROKEN_JUNK_STATUS
    if (st == SMTP_PATH_TRAILING_JUNK)
        st = SMTP_PATH_NO_CLOSE_ANGLE;
#endif
    return st;
}

#ifdef BROKEN_RCPT_NULL
/*
 * The responder with one call changed: check_path_cmd passes SMTP_PATH_NULL
 * whatever the verb, so RCPT TO:<> is taken. smtp_path.h came first, so only
 * the call below is rewritten, not the prototype.
 */
#define smtp_path_parse(p, n, flags, res) smtp_path_parse(p, n, (flags) | SMTP_PATH_NULL, res)
#include "smtp_session.c"
#endif

/*
 * smtp_wire - the reply grammar's leaf (contract in smtp_wire.h).
 */
#include "smtp_wire.h"

#include <stdio.h>
#include <stdlib.h>

/* wire_panic - report a caller bug, naming the function, and stop */
static _Noreturn void wire_panic(const char *fn, const char *what)
{
    fprintf(stderr, "%s: caller bug: %s\n", fn, what);
    abort();
}

/* Always on, unlike assert(): a caller bug must not become a wild read in a release build. */
#define WIRE_REQUIRE(fn, cond) ((cond) ? (void)0 : wire_panic((fn), #cond))

/* Byte classes as explicit ranges: <ctype.h> depends on the locale. */
static int is_digit(unsigned char b)
{
    return b >= '0' && b <= '9';
}

int smtp_wire_code_valid(unsigned code)
{
    /* RFC 5321 4.2: %x32-35 %x30-35 %x30-39. */
    return code >= 200 && code <= 559 && (code / 10) % 10 <= 5;
}

/* digit_run - length of the 1..3 digits at p[0..len), 0 when there are none or more than 3 */
static size_t digit_run(const char *p, size_t len)
{
    size_t n = 0;

    while (n < len && is_digit((unsigned char)p[n])) {
        if (++n > 3)
            return 0;
    }
    return n;
}

int smtp_wire_enh_valid(const char *ptr, size_t len)
{
    size_t pos, n;

    WIRE_REQUIRE(__func__, ptr != NULL || len == 0);
    /* RFC 3463 section 2: class "." subject "." detail; class is 2, 4 or 5. */
    if (len < 5 || (ptr[0] != '2' && ptr[0] != '4' && ptr[0] != '5') || ptr[1] != '.')
        return 0;
    pos = 2;
    n = digit_run(ptr + pos, len - pos);
    if (n == 0)
        return 0;
    pos += n;
    if (pos >= len || ptr[pos] != '.')
        return 0;
    pos++;
    n = digit_run(ptr + pos, len - pos);
    return n > 0 && pos + n == len;
}

size_t smtp_wire_enh_prefix(const char *text, size_t len)
{
    size_t q = 0;

    WIRE_REQUIRE(__func__, text != NULL || len == 0);
    while (q < len && q <= SMTP_ENH_MAX && text[q] != ' ')
        q++;
    if (q > SMTP_ENH_MAX || !smtp_wire_enh_valid(text, q))
        return 0;
    /* The whole text, or the code, SP and at least one more octet (RFC 2034 section 4). */
    return q == len || q + 1 < len ? q : 0;
}

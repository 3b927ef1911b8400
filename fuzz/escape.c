/* escape - printable, width-capped rendering of untrusted bytes */
#include "escape.h"

#include <assert.h>
#include <string.h>

/* escape_byte - the escaped spelling of one byte into e[0..4]; returns its length */
static size_t escape_byte(unsigned char c, char e[ESCAPE_MAX_PER_BYTE])
{
    static const char hex[] = "0123456789abcdef";

    switch (c) {
    case '\r':
        e[0] = '\\', e[1] = 'r';
        return 2;
    case '\n':
        e[0] = '\\', e[1] = 'n';
        return 2;
    case '\t':
        e[0] = '\\', e[1] = 't';
        return 2;
    case '\\':
    case '"':
        e[0] = '\\', e[1] = (char)c;
        return 2;
    default:
        break;
    }
    if (c >= 0x20 && c <= 0x7e) {
        e[0] = (char)c;
        return 1;
    }
    e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
    return 4;
}

size_t escape_format(char *out, size_t cap, const char *in, size_t len, size_t width)
{
    size_t used = 0, i;
    char note[48];

    assert(out != NULL && cap > 0 && "escape_format: no room");
    /* Leave room for the cut note and the NUL whatever happens. */
    if (width + sizeof note + 1 > cap)
        width = cap > sizeof note + 1 ? cap - sizeof note - 1 : 0;
    for (i = 0; i < len; i++) {
        char e[ESCAPE_MAX_PER_BYTE];
        size_t n = escape_byte((unsigned char)in[i], e);
        if (used + n > width)
            break;
        memcpy(out + used, e, n);
        used += n;
    }
    out[used] = '\0';
    if (i < len && cap - used > 1) {
        int k = snprintf(note, sizeof note, "...(+%zu octets)", len - i);
        if (k > 0 && (size_t)k < cap - used)
            memcpy(out + used, note, (size_t)k + 1);
    }
    return i;
}

size_t escape_print(FILE *out, const char *in, size_t len, size_t width)
{
    size_t used = 0, i;

    for (i = 0; i < len; i++) {
        char e[ESCAPE_MAX_PER_BYTE];
        size_t n = escape_byte((unsigned char)in[i], e);
        if (used + n > width)
            break;
        fwrite(e, 1, n, out);
        used += n;
    }
    if (i < len)
        fprintf(out, "...(+%zu octets)", len - i);
    return i;
}

/*
 * session_writer - what the session generator (session_gen.c) and the
 * probes (session_probe.c) write with: a bounded buffer that silently stops
 * at its end, and the splitmix stream their choices come from. Private to
 * those two files.
 */
#ifndef SESSION_WRITER_H
#define SESSION_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "splitmix.h"

struct session_writer {
    uint8_t *out;
    size_t max, len; /* len never passes max */
    uint64_t s;      /* splitmix state */
};

/* sw_below - a number in [0, n) */
static inline size_t sw_below(struct session_writer *w, size_t n)
{
    return splitmix_below(&w->s, n);
}

/* sw_put - append n octets, cut at the end of the buffer */
static inline void sw_put(struct session_writer *w, const void *p, size_t n)
{
    if (n > w->max - w->len)
        n = w->max - w->len;
    if (n > 0)
        memcpy(w->out + w->len, p, n);
    w->len += n;
}

/* sw_put_str - append a C string */
static inline void sw_put_str(struct session_writer *w, const char *s)
{
    sw_put(w, s, strlen(s));
}

/* sw_pick - one of n strings */
static inline const char *sw_pick(struct session_writer *w, const char *const *list, size_t n)
{
    return list[sw_below(w, n)];
}

#endif

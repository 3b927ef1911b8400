/*
 * ext_target - what a session runs against and with which limits, and the
 * names of outcomes and errors (contract in ext_run.h).
 */
#include "ext_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#define OUTCOME_ID_(name, id, text) [name] = id,
static const char *const outcome_ids[EXT_OUTCOME_COUNT] = {EXT_OUTCOME_LIST(OUTCOME_ID_)};
#undef OUTCOME_ID_
#define OUTCOME_TEXT_(name, id, text) [name] = text,
static const char *const outcome_texts[EXT_OUTCOME_COUNT] = {EXT_OUTCOME_LIST(OUTCOME_TEXT_)};
#undef OUTCOME_TEXT_
#define ERROR_TEXT_(name, text) [name] = text,
static const char *const error_texts[EXT_ERROR_COUNT] = {EXT_ERROR_LIST(ERROR_TEXT_)};
#undef ERROR_TEXT_

/* ext_outcome_id - the stable id of an outcome */
const char *ext_outcome_id(enum ext_outcome outcome)
{
    return (unsigned)outcome < EXT_OUTCOME_COUNT ? outcome_ids[outcome] : "invalid";
}

/* ext_outcome_text - one line of English describing an outcome */
const char *ext_outcome_text(enum ext_outcome outcome)
{
    return (unsigned)outcome < EXT_OUTCOME_COUNT ? outcome_texts[outcome] : "invalid outcome";
}

/* ext_error_name - one line of English describing a setup error */
const char *ext_error_name(enum ext_error err)
{
    return (unsigned)err < EXT_ERROR_COUNT ? error_texts[err] : "invalid error";
}

/* ext_options_default - lock-step, 5 s greeting, 2 s reply, 20 s session, 200 ms drain */
void ext_options_default(struct ext_options *o)
{
    CLI_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    o->mode = EXT_LOCKSTEP;
    o->greeting_timeout_ms = 5000;
    o->reply_timeout_ms = EXT_REPLY_TIMEOUT_MS;
    o->session_timeout_ms = 20000;
    o->drain_ms = 200;
    o->rss_limit_kb = 0;
}

/* ext_target_exec - a target run as "/bin/sh -c command", one process per session */
void ext_target_exec(struct ext_target *t, const char *command)
{
    CLI_ASSERT(t != NULL && command != NULL);
    memset(t, 0, sizeof *t);
    t->kind = EXT_TARGET_EXEC;
    t->command = command;
}

/* parse_port - all decimal digits, 1..65535; 0 on failure */
static unsigned parse_port(const char *s)
{
    unsigned long v = 0;

    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > 65535)
            return 0;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    return v >= 1 && v <= 65535 ? (unsigned)v : 0;
}

/* ext_target_connect - parse "a.b.c.d:PORT", "[::1]:PORT" or "localhost:PORT"; loopback only */
enum ext_error ext_target_connect(struct ext_target *t, const char *hostport)
{
    char host[64];
    const char *colon, *portstr;
    size_t hlen;
    unsigned port;

    CLI_ASSERT(t != NULL && hostport != NULL);
    memset(t, 0, sizeof *t);
    t->kind = EXT_TARGET_CONNECT;
    if (hostport[0] == '[') {
        const char *close = strchr(hostport, ']');
        if (close == NULL || close[1] != ':')
            return EXT_ERR_ADDRESS;
        hlen = (size_t)(close - hostport - 1);
        if (hlen >= sizeof host)
            return EXT_ERR_ADDRESS;
        memcpy(host, hostport + 1, hlen);
        portstr = close + 2;
    } else {
        colon = strrchr(hostport, ':');
        if (colon == NULL)
            return EXT_ERR_ADDRESS;
        hlen = (size_t)(colon - hostport);
        if (hlen >= sizeof host || memchr(hostport, ':', hlen) != NULL)
            return EXT_ERR_ADDRESS; /* an IPv6 literal must be bracketed */
        memcpy(host, hostport, hlen);
        portstr = colon + 1;
    }
    host[hlen] = '\0';
    port = parse_port(portstr);
    if (port == 0)
        return EXT_ERR_ADDRESS;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    {
        struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;

        if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
            if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
                return EXT_ERR_NOT_LOOPBACK;
            sin->sin_family = AF_INET;
            sin->sin_port = htons((uint16_t)port);
            t->addr_len = sizeof *sin;
            return EXT_ERR_NONE;
        }
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
            if (memcmp(&sin6->sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) != 0)
                return EXT_ERR_NOT_LOOPBACK;
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons((uint16_t)port);
            t->addr_len = sizeof *sin6;
            return EXT_ERR_NONE;
        }
    }
    return EXT_ERR_ADDRESS;
}

/* ext_ignore_sigpipe - make writes to a closed pipe or socket fail with EPIPE; 0 or -1 */
int ext_ignore_sigpipe(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGPIPE, &sa, NULL);
}

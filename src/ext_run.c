/*
 * ext_run - one SMTP session against an external target (contract in
 * ext_run.h).
 *
 * One poll(2) loop serves both modes. What may be written is bounded by a
 * small session model that walks the client stream unit by unit (a command
 * line; the message text after a DATA answered 3yz; a BDAT line with its
 * chunk; an unterminated tail) and is advanced by each complete reply the
 * reply parser (smtp_reply_parse.h) reads back. In lock-step mode only the
 * current unit may be written; in pipelined mode everything may, and the
 * model only tells when every expected reply is in. Deadlines: greeting,
 * reply (since the last progress while a reply is awaited), drain (after
 * the model is done) and the whole session.
 *
 * The child: posix_spawn of /bin/sh -c COMMAND in a new process group, with
 * SIGPIPE back to its default and our descriptors closed on exec. It is
 * always reaped; before reaping, while the leader is still a zombie (so its
 * process group id cannot be reused), the whole group gets SIGKILL, which
 * also removes anything the command left running.
 */
#include "ext_run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtp_reply_parse.h"

extern char **environ;

#define EXT_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s: assertion failed: %s\n", __func__, #cond);                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define READ_CHUNK 16384      /* octets per read(2) */
#define MARKER_CARRY 40       /* stderr octets kept between reads to find a split marker */
#define RSS_POLL_MS 10        /* VmRSS sampling period when a limit is set */
#define EXIT_GRACE_MS 500     /* after the session: time for the child to exit by itself */
#define BDAT_DIGITS_MAX 9     /* "BDAT <1-9 digits> [LAST]" (oracle.h) */
#define EXT_STALL_DIVISOR 4   /* lock-step sends the rest after a quarter of the reply timeout */
#define EXT_COMMAND_MAX 4096  /* longer simple commands keep their shell */
#define SHELL_SIGNAL_BASE 128 /* a shell reports a child killed by signal N as 128 + N */

/* ------------------------------------------------------------------ */
/* Names                                                                */

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

/* Markers that start a sanitizer report on stderr. */
static const char *const sanitizer_markers[] = {
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "ERROR: MemorySanitizer",
    "WARNING: ThreadSanitizer",
    "ERROR: UndefinedBehaviorSanitizer",
    "runtime error:",
};
#define N_MARKERS (sizeof sanitizer_markers / sizeof sanitizer_markers[0])

/* Signal names for reports (strsignal's text is locale-dependent prose). */
static const struct {
    int sig;
    const char *name;
} signal_names[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
    {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGPIPE, "SIGPIPE"},
    {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
};

/* signal_name - "SIGSEGV" or "signal N" into buf */
static const char *signal_name(int sig, char *buf, size_t cap)
{
    size_t i;

    for (i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
        if (signal_names[i].sig == sig) {
            snprintf(buf, cap, "%s", signal_names[i].name);
            return buf;
        }
    }
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/* ------------------------------------------------------------------ */
/* Options and targets                                                  */

/* ext_options_default - lock-step, 5 s greeting, 2 s reply, 20 s session, 200 ms drain */
void ext_options_default(struct ext_options *o)
{
    EXT_ASSERT(o != NULL);
    memset(o, 0, sizeof *o);
    o->mode = EXT_LOCKSTEP;
    o->greeting_timeout_ms = 5000;
    o->reply_timeout_ms = 2000;
    o->session_timeout_ms = 20000;
    o->drain_ms = 200;
    o->rss_limit_kb = 0;
}

/* ext_target_exec - a target run as "/bin/sh -c command", one process per session */
void ext_target_exec(struct ext_target *t, const char *command)
{
    EXT_ASSERT(t != NULL && command != NULL);
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

    EXT_ASSERT(t != NULL && hostport != NULL);
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

/* ------------------------------------------------------------------ */
/* The session model                                                    */

/* The run: descriptors, deadlines, the model and the stderr scanner. */
struct run {
    const struct ext_options *o;
    const char *c;
    size_t clen;
    struct ext_result *res;
    size_t reply_cap;
    int is_socket;
    int in_fd;  /* client octets go here; -1 once closed (pipes) */
    int out_fd; /* replies come from here */
    int err_fd; /* the child's stderr, or -1 */
    pid_t pid;  /* the child (its process group too), or -1 */
    int write_closed, out_eof, err_eof;
    double t0, progress, drain_deadline;
    /* the model */
    struct smtp_rp rp;
    size_t unit_end;    /* end of the current unit (valid when !done) */
    int awaiting;       /* the current unit expects a reply */
    int unit_is_data;   /* the current unit is a DATA command line */
    size_t unit_start;  /* where the current unit begins */
    size_t chunk_start; /* for a BDAT unit: where its chunk begins (0: not a BDAT unit) */
    size_t skip;        /* replies owed for chunk lines the server read as commands */
    int next_is_data;   /* the next unit is message text */
    int greeted, over, done;
    /* stderr scanning */
    size_t carry_len;
    char carry[MARKER_CARRY];
    int in_report; /* copying a sanitizer report into res->report */
    int direct;    /* the command was exec'd: the child is the target itself */
    int stalled;   /* lock-step gave up waiting and sent the rest */
};

/* now_ms - the monotonic clock in milliseconds */
static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* same_word_ci - p[0..n) spells word (upper case) in any case */
static int same_word_ci(const char *p, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (unsigned char)(ch - 'a' + 'A');
        if (word[i] == '\0' || ch != (unsigned char)word[i])
            return 0;
    }
    return word[n] == '\0';
}

/* line_verb_is - the line [p, p+n) (LF included) starts with verb followed by SP, CR or LF */
static int line_verb_is(const char *p, size_t n, const char *verb)
{
    size_t vl = strlen(verb);

    return n > vl && same_word_ci(p, vl, verb) && (p[vl] == ' ' || p[vl] == '\r' || p[vl] == '\n');
}

/* bdat_chunk - a valid "BDAT <1-9 digits> [LAST]" CR LF line: 1 and *size, else 0 */
static int bdat_chunk(const char *p, size_t n, uint64_t *size)
{
    size_t content, i = 5, digits = 0;
    uint64_t v = 0;

    if (n < 8 || p[n - 1] != '\n' || p[n - 2] != '\r')
        return 0;
    content = n - 2;
    if (!same_word_ci(p, 4, "BDAT") || p[4] != ' ')
        return 0;
    while (i < content && p[i] >= '0' && p[i] <= '9' && digits <= BDAT_DIGITS_MAX) {
        v = v * 10 + (uint64_t)(p[i] - '0');
        i++, digits++;
    }
    if (digits == 0 || digits > BDAT_DIGITS_MAX)
        return 0;
    if (i != content && !(content - i == 5 && p[i] == ' ' && same_word_ci(p + i + 1, 4, "LAST")))
        return 0;
    *size = v;
    return 1;
}

/* find_eod - the first CR LF . CR LF in c[from..len): its end, or 0 when none */
static size_t find_eod(const char *c, size_t len, size_t from)
{
    size_t p = from;

    while (p + 5 <= len) {
        const char *cr = memchr(c + p, '\r', len - p);
        if (cr == NULL)
            return 0;
        p = (size_t)(cr - c);
        if (p + 5 <= len && memcmp(c + p, "\r\n.\r\n", 5) == 0)
            return p + 5;
        p++;
    }
    return 0;
}

/* model_next - the unit that starts at pos: sets unit_end, awaiting, unit_is_data, done */
static void model_next(struct run *r, size_t pos)
{
    const char *lf;
    uint64_t chunk;

    r->unit_is_data = 0;
    r->unit_start = pos;
    r->chunk_start = 0;
    if (pos >= r->clen) {
        r->done = 1;
        r->awaiting = 0;
        r->unit_end = r->clen;
        return;
    }
    if (r->next_is_data) {
        /* The DATA line's own CR LF may be the first CR LF of CR LF . CR LF. */
        size_t from = pos >= 2 && r->c[pos - 2] == '\r' && r->c[pos - 1] == '\n' ? pos - 2 : pos;
        size_t end = find_eod(r->c, r->clen, from);

        r->next_is_data = 0;
        r->awaiting = end != 0;
        r->unit_end = end != 0 ? end : r->clen;
        return;
    }
    lf = memchr(r->c + pos, '\n', r->clen - pos);
    if (lf == NULL) {
        r->awaiting = 0; /* an unterminated tail: no reply */
        r->unit_end = r->clen;
        return;
    }
    r->awaiting = 1;
    r->unit_end = (size_t)(lf - r->c) + 1;
    r->unit_is_data = line_verb_is(r->c + pos, r->unit_end - pos, "DATA");
    if (bdat_chunk(r->c + pos, r->unit_end - pos, &chunk)) {
        uint64_t room = r->clen - r->unit_end;
        r->chunk_start = r->unit_end;
        r->unit_end += (size_t)(chunk < room ? chunk : room);
    }
}

/* model_reply - a complete reply with this code arrived: pair it with the awaited unit */
static void model_reply(struct run *r, unsigned code)
{
    r->res->replies_seen++;
    if (!r->greeted) {
        r->greeted = 1;
        if (code == 421 || code == 221)
            r->over = 1;
        model_next(r, 0);
        return;
    }
    if (r->skip > 0) {
        r->skip--; /* answers a chunk line the server took for a command */
        return;
    }
    if (r->over || r->done || !r->awaiting)
        return; /* an extra reply: kept for the oracle, nothing to pair */
    if (code == 221 || code == 421) {
        r->over = 1;
        return;
    }
    if (r->unit_is_data && code / 100 == 3)
        r->next_is_data = 1;
    if (r->chunk_start != 0 && (code == 500 || code == 502)) {
        /* BDAT not recognised (no CHUNKING): its chunk octets are command lines to the server */
        size_t k;
        for (k = r->chunk_start; k < r->unit_end; k++)
            r->skip += r->c[k] == '\n';
    }
    model_next(r, r->unit_end);
}

/* ------------------------------------------------------------------ */
/* Descriptors                                                          */

/* set_nonblock_cloexec - O_NONBLOCK (when nb) and FD_CLOEXEC on fd; 0 or -1 */
static int set_flags(int fd, int nb)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || (nb && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* close_fd - close *fd when open and mark it closed */
static void close_fd(int *fd)
{
    if (*fd >= 0) {
        (void)close(*fd);
        *fd = -1;
    }
}

/* half_close - no more client octets: FIN on a socket, close the child's stdin pipe */
static void half_close(struct run *r)
{
    if (r->write_closed)
        return;
    r->write_closed = 1;
    if (r->is_socket)
        (void)shutdown(r->in_fd, SHUT_WR);
    else
        close_fd(&r->in_fd);
}

/* make_pipe - a pipe whose both ends are above 2 and close on exec; 0 or -1 */
static int make_pipe(int p[2])
{
    int k;

    if (pipe(p) != 0)
        return -1;
    for (k = 0; k < 2; k++) {
        if (p[k] <= 2) {
            /* dup2 onto 0-2 in the child would keep FD_CLOEXEC on an fd already there */
            int moved = fcntl(p[k], F_DUPFD, 3);
            if (moved < 0) {
                (void)close(p[0]);
                (void)close(p[1]);
                return -1;
            }
            (void)close(p[k]);
            p[k] = moved;
        }
        if (fcntl(p[k], F_SETFD, FD_CLOEXEC) < 0) {
            (void)close(p[0]);
            (void)close(p[1]);
            return -1;
        }
    }
    return 0;
}

/* Words that make a command more than a plain program call. */
static const char *const shell_keywords[] = {"if",   "for",  "while",    "until",  "case", "!",
                                             "exec", "time", "function", "select", ".",    "{"};

/*
 * simple_command - command is one plain command: no shell syntax beyond
 * words, blanks and quotes, and no leading assignment or keyword. Such a
 * command runs as "exec COMMAND", so no shell stays between us and the
 * target: its signals, exit status and VmRSS are the target's own.
 */
static int simple_command(const char *command)
{
    size_t i, w = strcspn(command, " \t");

    if (command[strspn(command, " \t")] == '\0' || w == 0)
        return 0;
    if (strpbrk(command, ";&|<>()`$\n{}*?[~#\\") != NULL || memchr(command, '=', w) != NULL)
        return 0; /* shell syntax, or "NAME=value cmd" */
    for (i = 0; i < sizeof shell_keywords / sizeof shell_keywords[0]; i++)
        if (strlen(shell_keywords[i]) == w && strncmp(command, shell_keywords[i], w) == 0)
            return 0;
    return 1;
}

/* spawn_child - /bin/sh -c command in a new process group on three pipes */
static enum ext_error spawn_child(struct run *r, const char *command, char *scratch,
                                  size_t scratch_cap)
{
    int pin[2], pout[2], perr[2];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t def, none;
    char *argv[4];
    pid_t pid;
    int rc;

    if (make_pipe(pin) != 0)
        return EXT_ERR_RESOURCE;
    if (make_pipe(pout) != 0) {
        (void)close(pin[0]), (void)close(pin[1]);
        return EXT_ERR_RESOURCE;
    }
    if (make_pipe(perr) != 0) {
        (void)close(pin[0]), (void)close(pin[1]), (void)close(pout[0]), (void)close(pout[1]);
        return EXT_ERR_RESOURCE;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
    posix_spawnattr_init(&at);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE); /* ignored here; an ignored signal would stay ignored across exec */
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = (char *)(uintptr_t)command; /* posix_spawn's prototype lacks const */
    if (simple_command(command) && strlen(command) + 6 <= scratch_cap) {
        snprintf(scratch, scratch_cap, "exec %s", command);
        argv[2] = scratch;
        r->direct = 1;
    }
    argv[3] = NULL;
    rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    (void)close(pin[0]), (void)close(pout[1]), (void)close(perr[1]);
    if (rc != 0) {
        (void)close(pin[1]), (void)close(pout[0]), (void)close(perr[0]);
        return EXT_ERR_SPAWN;
    }
    r->pid = pid;
    r->in_fd = pin[1];
    r->out_fd = pout[0];
    r->err_fd = perr[0];
    if (set_flags(r->in_fd, 1) != 0 || set_flags(r->out_fd, 1) != 0 || set_flags(r->err_fd, 1) != 0)
        return EXT_ERR_RESOURCE; /* the caller cleans up; the child is reaped */
    return EXT_ERR_NONE;
}

/* connect_target - one non-blocking TCP connection, within the greeting timeout */
static enum ext_error connect_target(struct run *r, const struct ext_target *t)
{
    int fd = socket(t->addr.ss_family, SOCK_STREAM, 0);
    int one = 1, err = 0;
    socklen_t elen = sizeof err;

    if (fd < 0)
        return EXT_ERR_RESOURCE;
    if (set_flags(fd, 1) != 0) {
        (void)close(fd);
        return EXT_ERR_RESOURCE;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr *)&t->addr, t->addr_len) != 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        int rc;

        if (errno != EINPROGRESS) {
            err = errno;
        } else if ((rc = poll(&p, 1, (int)r->o->greeting_timeout_ms)) != 1) {
            err = rc == 0 ? ETIMEDOUT : errno;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
            err = errno;
        }
        if (err != 0) {
            snprintf(r->res->detail, sizeof r->res->detail, "connect: %s", strerror(err));
            (void)close(fd);
            return EXT_ERR_CONNECT;
        }
    }
    r->is_socket = 1;
    r->in_fd = fd;
    r->out_fd = fd;
    return EXT_ERR_NONE;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/* scan_stderr - keep the tail, spot sanitizer markers, copy the report */
static void scan_stderr(struct run *r, const char *buf, size_t n)
{
    struct ext_result *res = r->res;
    char joined[MARKER_CARRY + READ_CHUNK];
    size_t jlen, i, k, start = 0;

    res->stderr_total += n;
    /* the tail: the last EXT_STDERR_TAIL octets */
    if (n >= EXT_STDERR_TAIL) {
        memcpy(res->stderr_tail, buf + n - EXT_STDERR_TAIL, EXT_STDERR_TAIL);
        res->stderr_len = EXT_STDERR_TAIL;
    } else {
        size_t keep = res->stderr_len + n > EXT_STDERR_TAIL ? EXT_STDERR_TAIL - n : res->stderr_len;
        memmove(res->stderr_tail, res->stderr_tail + res->stderr_len - keep, keep);
        memcpy(res->stderr_tail + keep, buf, n);
        res->stderr_len = keep + n;
    }
    if (r->in_report) {
        size_t room = EXT_REPORT_MAX - res->report_len;
        size_t m = n < room ? n : room;
        memcpy(res->report + res->report_len, buf, m);
        res->report_len += m;
        return;
    }
    EXT_ASSERT(n <= READ_CHUNK);
    memcpy(joined, r->carry, r->carry_len);
    memcpy(joined + r->carry_len, buf, n);
    jlen = r->carry_len + n;
    for (i = 0; i < jlen && !r->in_report; i++) {
        for (k = 0; k < N_MARKERS; k++) {
            size_t ml = strlen(sanitizer_markers[k]);
            if (ml <= jlen - i && memcmp(joined + i, sanitizer_markers[k], ml) == 0) {
                r->in_report = 1;
                res->sanitizer = 1;
                start = i;
                /* from the start of the marker's line, as far as we still have it */
                while (start > 0 && joined[start - 1] != '\n')
                    start--;
                break;
            }
        }
    }
    if (r->in_report) {
        size_t m = jlen - start < EXT_REPORT_MAX ? jlen - start : EXT_REPORT_MAX;
        memcpy(res->report, joined + start, m);
        res->report_len = m;
        return;
    }
    r->carry_len = jlen < MARKER_CARRY ? jlen : MARKER_CARRY;
    memmove(r->carry, joined + jlen - r->carry_len, r->carry_len);
}

/* read_err - read what the child wrote on stderr; sets err_eof */
static void read_err(struct run *r)
{
    char buf[READ_CHUNK];

    for (;;) {
        ssize_t n = read(r->err_fd, buf, sizeof buf);
        if (n > 0) {
            scan_stderr(r, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            r->err_eof = 1;
        return;
    }
}

/* read_out - read replies into the caller's buffer and feed the model; 1 on FLOOD */
static int read_out(struct run *r)
{
    struct ext_result *res = r->res;

    for (;;) {
        char spill[1];
        size_t room = r->reply_cap - res->replies_len;
        char *dst = room > 0 ? res->replies + res->replies_len : spill;
        ssize_t n = read(r->out_fd, dst, room > 0 ? (room < READ_CHUNK ? room : READ_CHUNK) : 1);
        size_t off;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) {
            r->out_eof = 1; /* end of stream, or ECONNRESET and the like: the peer is gone */
            return 0;
        }
        if (room == 0)
            return 1;
        r->progress = now_ms();
        off = res->replies_len;
        res->replies_len += (size_t)n;
        while (off < res->replies_len) {
            struct smtp_rp_line line;
            struct smtp_rp_reply rep;
            size_t used = 0;
            enum smtp_rp_result rr = smtp_rp_feed(&r->rp, res->replies + off,
                                                  res->replies_len - off, &used, &line, &rep);
            off += used > 0 ? used : res->replies_len - off;
            if (rr == SMTP_RP_REPLY)
                model_reply(r, rep.code);
            else if (rr == SMTP_RP_NEED_MORE)
                break;
        }
    }
}

/* rss_kb - VmRSS of pid in kB from /proc, or 0 when unknown */
static unsigned long rss_kb(pid_t pid)
{
    char path[64], buf[2048];
    int fd;
    ssize_t n;
    const char *p;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    p = strstr(buf, "VmRSS:");
    return p != NULL ? strtoul(p + 6, NULL, 10) : 0;
}

#define RSS_TREE_DEPTH 4 /* levels of descendants summed (sh -c, then the target, ...) */

/*
 * tree_rss_kb - VmRSS of pid and its descendants (via /proc/PID/task/PID/
 * children), so a target behind a shell is measured too
 */
static unsigned long tree_rss_kb(pid_t pid, int depth)
{
    char path[96], buf[512];
    unsigned long total = rss_kb(pid);
    ssize_t n;
    char *p, *end;
    int fd;

    if (depth <= 0)
        return total;
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return total;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    if (n <= 0)
        return total;
    buf[n] = '\0';
    for (p = buf;; p = end) {
        long child = strtol(p, &end, 10);
        if (end == p || child <= 0)
            break;
        total += tree_rss_kb((pid_t)child, depth - 1);
    }
    return total;
}

/* write_in - write what the mode allows; handles a peer that stopped reading */
static void write_in(struct run *r, size_t limit)
{
    while (r->res->sent < limit) {
        ssize_t n = write(r->in_fd, r->c + r->res->sent, limit - r->res->sent);
        if (n > 0) {
            r->res->sent += (size_t)n;
            r->progress = now_ms();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        half_close(r); /* EPIPE, ECONNRESET: the target does not read any more */
        return;
    }
}

/* ------------------------------------------------------------------ */
/* The loop                                                             */

/* min_deadline - fold deadline d into *best */
static void min_deadline(double *best, double d)
{
    if (d < *best)
        *best = d;
}

/* session_loop - drive the session until it ends; sets the outcome for HANG, FLOOD, MEMORY */
static void session_loop(struct run *r)
{
    const struct ext_options *o = r->o;
    struct ext_result *res = r->res;
    double session_end = r->t0 + o->session_timeout_ms;

    r->progress = r->t0;
    for (;;) {
        struct pollfd p[3];
        int np = 0, io = -1, iw = -1, ie = -1;
        double now = now_ms(), next = session_end;
        /* over, or every unit paired with its reply and every octet out */
        int finished =
            r->greeted &&
            (r->over || (r->done && !r->awaiting && (res->sent == r->clen || r->write_closed)));
        size_t limit = 0;

        if (o->rss_limit_kb > 0 && r->pid > 0) {
            unsigned long kb = r->direct ? rss_kb(r->pid) : tree_rss_kb(r->pid, RSS_TREE_DEPTH);
            if (kb > res->peak_rss_kb)
                res->peak_rss_kb = kb;
            if (kb > o->rss_limit_kb) {
                res->outcome = EXT_MEMORY;
                snprintf(res->detail, sizeof res->detail, "VmRSS %lu kB > limit %lu kB", kb,
                         o->rss_limit_kb);
                return;
            }
            min_deadline(&next, now + RSS_POLL_MS);
        }
        if (r->out_eof) {
            if (!finished)
                res->peer_closed = 1;
            return;
        }
        if (now >= session_end) {
            res->outcome = EXT_HANG;
            snprintf(res->detail, sizeof res->detail, "session timeout (%u ms) after %zu replies",
                     o->session_timeout_ms, res->replies_seen);
            return;
        }
        if (finished) {
            if (r->drain_deadline == 0)
                r->drain_deadline = now + o->drain_ms;
            half_close(r);
            if (now >= r->drain_deadline)
                return;
            min_deadline(&next, r->drain_deadline);
        } else {
            double limit_ms = r->greeted ? o->reply_timeout_ms : o->greeting_timeout_ms;
            double stall_ms = limit_ms / EXT_STALL_DIVISOR;

            int may_stall = r->greeted && !r->over && !r->stalled && o->mode == EXT_LOCKSTEP &&
                            res->sent < r->clen;

            if (may_stall && now < r->progress + stall_ms)
                min_deadline(&next, r->progress + stall_ms);
            if (may_stall && now >= r->progress + stall_ms) {
                /*
                 * No reply for a while, and more to send: the target may be
                 * waiting for octets it believes are owed (a BDAT size it read
                 * differently, message text it thinks has begun). Send the
                 * rest and the FIN, and let the reply timeout decide.
                 */
                r->stalled = 1;
                res->stalled = 1;
                r->progress = now;
            }
            if (now >= r->progress + limit_ms) {
                res->outcome = EXT_HANG;
                snprintf(res->detail, sizeof res->detail,
                         "no %s within %u ms (client octet %zu of %zu sent)",
                         r->greeted ? "reply" : "greeting", (unsigned)limit_ms, res->sent, r->clen);
                return;
            }
            min_deadline(&next, r->progress + limit_ms);
            if (r->greeted && !r->over)
                limit = o->mode == EXT_PIPELINE || r->stalled ? r->clen : r->unit_end;
            if (r->greeted && !r->over && res->sent == r->clen)
                half_close(r); /* the FIN right after the last octet (exim corks its 221) */
        }
        if (!r->write_closed && res->sent < limit) {
            iw = np;
            p[np++] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT, .revents = 0};
        }
        io = np;
        p[np++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN, .revents = 0};
        if (r->err_fd >= 0 && !r->err_eof) {
            ie = np;
            p[np++] = (struct pollfd){.fd = r->err_fd, .events = POLLIN, .revents = 0};
        }
        {
            double wait = next - now;
            int ms = wait <= 0 ? 0 : (int)wait + 1;
            int rc = poll(p, (nfds_t)np, ms);
            if (rc < 0 && errno != EINTR) {
                res->outcome = EXT_HANG;
                snprintf(res->detail, sizeof res->detail, "poll failed: %s", strerror(errno));
                return;
            }
            if (rc <= 0)
                continue;
        }
        if (ie >= 0 && p[ie].revents != 0)
            read_err(r);
        if (iw >= 0 && p[iw].revents != 0)
            write_in(r, limit);
        if (p[io].revents != 0 && read_out(r)) {
            res->outcome = EXT_FLOOD;
            snprintf(res->detail, sizeof res->detail, "more than %zu reply octets", r->reply_cap);
            return;
        }
    }
}

/* child_exited - the leader has exited (not reaped yet: its group id stays reserved) */
static int child_exited(pid_t pid)
{
    siginfo_t si;

    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return 1; /* ECHILD: nothing to wait for */
    return si.si_pid == pid;
}

/* reap_child - let the child exit (or kill it), kill its group, reap it, collect stderr */
static void reap_child(struct run *r)
{
    struct ext_result *res = r->res;
    double grace_end = now_ms() + (res->outcome == EXT_OK ? EXIT_GRACE_MS : 0);
    long nap_us = 50;
    int st = 0;

    half_close(r);
    /* stderr usually reaches end of file exactly when the child exits */
    while (!r->err_eof && now_ms() < grace_end) {
        struct pollfd p = {.fd = r->err_fd, .events = POLLIN, .revents = 0};
        double left = grace_end - now_ms();
        if (poll(&p, 1, left > 0 ? (int)left + 1 : 0) > 0)
            read_err(r);
    }
    while (!child_exited(r->pid) && now_ms() < grace_end) {
        struct timespec ts = {0, nap_us * 1000};
        nanosleep(&ts, NULL);
        if (nap_us < 5000)
            nap_us *= 2;
    }
    if (!child_exited(r->pid))
        res->killed_by_us = 1;
    (void)kill(-r->pid, SIGKILL); /* the group: stragglers too; the leader may be a zombie */
    while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!r->err_eof)
        read_err(r); /* what is left without blocking */
    if (WIFEXITED(st)) {
        res->exited = 1;
        res->exit_status = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        res->term_signal = WTERMSIG(st);
    }
}

/* ext_run - run one session and fill *res; EXT_ERR_NONE when it ran */
enum ext_error ext_run(const struct ext_target *t, const struct ext_options *o, const char *client,
                       size_t client_len, char *reply_buf, size_t reply_cap, struct ext_result *res)
{
    struct run r;
    enum ext_error err;
    char sb[32];
    char cmdbuf[EXT_COMMAND_MAX + 8];

    EXT_ASSERT(t != NULL && o != NULL && res != NULL && reply_buf != NULL);
    EXT_ASSERT(client != NULL || client_len == 0);
    memset(res, 0, sizeof *res);
    res->replies = reply_buf;
    res->outcome = EXT_OK;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.c = client != NULL ? client : "";
    r.clen = client_len;
    r.res = res;
    r.reply_cap = reply_cap;
    r.in_fd = r.out_fd = r.err_fd = -1;
    r.pid = -1;
    r.t0 = now_ms();
    if (t->kind == EXT_TARGET_EXEC)
        err = spawn_child(&r, t->command, cmdbuf, sizeof cmdbuf);
    else
        err = connect_target(&r, t);
    if (err == EXT_ERR_NONE)
        session_loop(&r);
    if (r.pid > 0) {
        reap_child(&r);
    } else if (r.is_socket) {
        close_fd(&r.in_fd);
        r.out_fd = -1;
    }
    if (!r.is_socket) {
        close_fd(&r.in_fd);
        close_fd(&r.out_fd);
    }
    close_fd(&r.err_fd);
    res->elapsed_ms = now_ms() - r.t0;
    if (err != EXT_ERR_NONE)
        return err;
    /* A sanitizer report or a signal we did not send outranks our own stop reasons. */
    if (res->sanitizer) {
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "sanitizer report on stderr");
    } else if (res->exited && !r.direct && res->exit_status > SHELL_SIGNAL_BASE &&
               res->exit_status < SHELL_SIGNAL_BASE + 65 && !res->killed_by_us) {
        /* the shell's child died of a signal: the shell can only say so in its status */
        res->term_signal = res->exit_status - SHELL_SIGNAL_BASE;
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "killed by %s (exit status %d from the shell)",
                 signal_name(res->term_signal, sb, sizeof sb), res->exit_status);
    } else if (res->term_signal != 0 && !res->killed_by_us) {
        res->outcome = EXT_CRASH;
        snprintf(res->detail, sizeof res->detail, "killed by %s",
                 signal_name(res->term_signal, sb, sizeof sb));
    }
    return EXT_ERR_NONE;
}

/* copy_word - the token at p (up to blank or end of line) into buf */
static void copy_word(char *buf, size_t cap, const char *p, const char *end)
{
    size_t n = 0;

    while (p < end && *p != ' ' && *p != '\n' && *p != '\r' && n + 1 < cap)
        buf[n++] = *p++;
    buf[n] = '\0';
}

/* ext_crash_key - "heap-buffer-overflow in foo", "runtime-error in foo" or "SIGSEGV" */
void ext_crash_key(const struct ext_result *res, char *buf, size_t cap)
{
    EXT_ASSERT(res != NULL && buf != NULL && cap > 0);
    if (res->sanitizer && res->report_len > 0) {
        const char *p = res->report, *end = res->report + res->report_len;
        char kind[64] = "sanitizer", fn[96] = "?";
        const char *hit;
        size_t i;

        /* "ERROR: AddressSanitizer: heap-buffer-overflow on ..." -> heap-buffer-overflow */
        for (i = 0; i + 2 < res->report_len; i++) {
            if (i + 11 <= res->report_len && memcmp(p + i, "Sanitizer: ", 11) == 0) {
                copy_word(kind, sizeof kind, p + i + 11, end);
                break;
            }
            if (i + 14 <= res->report_len && memcmp(p + i, "runtime error:", 14) == 0) {
                snprintf(kind, sizeof kind, "runtime-error");
                /* UBSan names the place before the marker: "file.c:12:3: runtime error" */
                break;
            }
        }
        /* the first frame: "#0 0x... in FUNCTION ..." */
        for (i = 0; i + 3 < res->report_len; i++) {
            if (p[i] == '#' && p[i + 1] == '0' && p[i + 2] == ' ') {
                const char *q = p + i;
                hit = NULL;
                while (q + 4 <= end && *q != '\n') {
                    if (memcmp(q, " in ", 4) == 0) {
                        hit = q + 4;
                        break;
                    }
                    q++;
                }
                if (hit != NULL)
                    copy_word(fn, sizeof fn, hit, end);
                break;
            }
        }
        if (strcmp(kind, "runtime-error") == 0 && strcmp(fn, "?") == 0)
            copy_word(fn, sizeof fn, p, end); /* the file:line:col token */
        snprintf(buf, cap, "%s in %s", kind, fn);
        return;
    }
    if (res->term_signal != 0) {
        char sb[32];
        snprintf(buf, cap, "%s", signal_name(res->term_signal, sb, sizeof sb));
        return;
    }
    snprintf(buf, cap, "%s", ext_outcome_id(res->outcome));
}

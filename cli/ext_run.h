/*
 * ext_run - run one SMTP session against an external target and capture
 * everything it did (docs/contract.md "Checking other servers": "smtpfuzz
 * check" and "replay").
 *
 * What it does: given the whole client byte stream of one session, starts
 * the target (--exec: "/bin/sh -c COMMAND" in its own process group, with
 * stdin, stdout and stderr on pipes; --connect: one TCP connection to a
 * loopback address), waits for the greeting, sends the stream and collects
 * the reply stream, then ends the session and reports an outcome:
 *
 *   lock-step  sends one unit of the client stream, waits for its whole
 *              reply (read with smtp_rp_feed), then the next. The units
 *              and the replies they are owed come from the oracle's own
 *              walk (fuzz/oracle_stream.h), moved on by each reply as it
 *              arrives: a command line; the message text after a DATA
 *              answered 3yz, up to CR LF . CR LF, sent at once, then one
 *              reply; a BDAT line with its chunk octets, then one reply (a
 *              BDAT answered 500 or 502 was not recognised: its octets are
 *              command lines to that server). An unterminated tail gets no
 *              reply. 221 or 421 ends the session (nothing more is sent).
 *   pipelined  sends everything after the greeting, half-closes, reads all
 *              (the same walk counts replies to know when all are in).
 *   groups     lock-step, until an EHLO reply offers PIPELINING; from then
 *              on the groups RFC 2920 section 3.1 allows: a MAIL, RCPT,
 *              RSET or BDAT line (with a chunk every reading agrees on) is
 *              followed at once by the next unit, and so on up to and
 *              including a line with any other verb, which ends the group
 *              (EHLO, DATA, VRFY, EXPN, NOOP and QUIT must, and servers such
 *              as Exim also check after unknown verbs and HELP).
 *
 * Cuts (ext_options.cuts): whatever the mode, a write never goes past the
 * next cut, and the next write waits cut_pause_ms after it, so the target
 * reads the stream in those pieces (a CR in one read, its LF in the next).
 *
 * Memory (--exec only): with rss_limit_kb, VmRSS past it is MEMORY; with
 * rss_growth_kb, growth over the VmRSS at the greeting past both that and
 * half the client octets sent so far is MEMORY too: a server that keeps a
 * line it should have refused grows with what it is sent.
 *
 * In lock-step mode, when a reply does not come within a quarter of the
 * reply timeout, the rest of the stream and the FIN are sent at once
 * (res->stalled): a target that believes it is owed more octets (it read a
 * BDAT size or a DATA line differently) then sees the end of its input
 * instead of a deadlock, and only a target that still says nothing for the
 * whole reply timeout hangs.
 *
 * The write side is half-closed as soon as the last client octet is out,
 * so servers that wait for the client's FIN after QUIT are not waited on.
 * After the last expected reply the runner drains: it reads until end of
 * stream or until the drain time passes (replies that come then are kept,
 * so the oracle sees extra replies).
 *
 * Where it lives: ext_target.c (targets, options, names), ext_process.c
 * (the child or the connection), ext_session.c (the loop), with the pure
 * readers proc_rss.c (memory) and sanitizer_report.c (crash reports).
 *
 * Outcomes (enum ext_outcome): OK (the session ran; a peer that closed
 * early is OK too, the oracle judges the replies), CRASH (the child was
 * killed by a signal it did not get from us, or a sanitizer report
 * appeared on its stderr), HANG (an expected reply did not come within the
 * reply timeout, or the session timeout passed), FLOOD (more reply octets
 * than the reply buffer holds), MEMORY (--exec: the child's VmRSS passed
 * the limit).
 *
 * What it never does: leave a child or a descriptor behind (every child is
 * reaped; on a timeout, flood or memory stop, and after every session, its
 * whole process group gets SIGKILL), connect anywhere but 127.0.0.0/8 or
 * ::1, block without a deadline, let SIGPIPE kill the caller (it is the
 * caller's job to ignore SIGPIPE once: ext_ignore_sigpipe), keep global
 * state, or hold more than the caller's reply buffer and a fixed stderr
 * capture.
 *
 * How it fails: setup problems (the shell cannot be spawned, the port
 * refuses, the address is not loopback) are an enum ext_error; what the
 * target did is never an error but an outcome. Caller bugs trip an
 * always-on assert naming the function.
 */
#ifndef EXT_RUN_H
#define EXT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

/* X(name, id, text): what happened to a session; id is stable (reports, file names). */
#define EXT_OUTCOME_LIST(X)                                                                        \
    X(EXT_OK, "ok", "the session ran to its end")                                                  \
    X(EXT_CRASH, "crash", "the target died of a signal or a sanitizer reported")                   \
    X(EXT_HANG, "hang", "the target did not answer in time")                                       \
    X(EXT_FLOOD, "flood", "the target sent more reply octets than the limit")                      \
    X(EXT_MEMORY, "memory", "the target's resident memory passed the limit")

#define EXT_OUTCOME_ENUM_(name, id, text) name,
enum ext_outcome { EXT_OUTCOME_LIST(EXT_OUTCOME_ENUM_) EXT_OUTCOME_COUNT };
#undef EXT_OUTCOME_ENUM_

/* X(name, text): why a session could not be run at all. */
#define EXT_ERROR_LIST(X)                                                                          \
    X(EXT_ERR_NONE, "no error")                                                                    \
    X(EXT_ERR_ADDRESS, "not an address literal HOST:PORT (IPv4 a.b.c.d, [::1] or localhost)")      \
    X(EXT_ERR_NOT_LOOPBACK,                                                                        \
      "refusing a non-loopback address: only 127.0.0.0/8 and ::1 are allowed")                     \
    X(EXT_ERR_SPAWN, "cannot start /bin/sh for the command")                                       \
    X(EXT_ERR_CONNECT, "cannot connect to the target")                                             \
    X(EXT_ERR_RESOURCE, "out of descriptors or memory")

#define EXT_ERROR_ENUM_(name, text) name,
enum ext_error { EXT_ERROR_LIST(EXT_ERROR_ENUM_) EXT_ERROR_COUNT };
#undef EXT_ERROR_ENUM_

/* How the client stream is sent. */
enum ext_mode {
    EXT_LOCKSTEP, /* one command, its reply, the next command */
    EXT_PIPELINE, /* everything at once, then read all */
    EXT_GROUPS    /* lock-step until an EHLO reply offers PIPELINING, then RFC 2920 groups: a
                     MAIL, RCPT, RSET or BDAT line goes out with the lines after it, up to and
                     including the next other command, before any of their replies */
};

/* What to run. Fill with ext_target_exec or ext_target_connect. */
struct ext_target {
    enum { EXT_TARGET_EXEC, EXT_TARGET_CONNECT } kind;
    const char *command;          /* EXEC: given to /bin/sh -c; must outlive the target */
    struct sockaddr_storage addr; /* CONNECT: a loopback address */
    socklen_t addr_len;
};

/* Limits of one session; ext_options_default gives sensible values. */
struct ext_options {
    enum ext_mode mode;
    unsigned greeting_timeout_ms; /* until the greeting is complete */
    unsigned reply_timeout_ms;    /* without progress while a reply is expected */
    unsigned session_timeout_ms;  /* the whole session, drain included */
    unsigned drain_ms;            /* after the last expected reply: wait for end of stream */
    unsigned long rss_limit_kb;   /* EXEC only: VmRSS limit; 0 for none */
    unsigned long rss_growth_kb;  /* EXEC only: VmRSS growth over its value at the greeting
                                     past this and past half the client octets sent so far is
                                     MEMORY (a server that keeps what it is sent); 0 for none */
    const size_t *cuts;           /* client offsets, ascending, where a write stops ... */
    size_t ncuts;                 /* ... how many (0: write as much as the mode allows) */
    unsigned cut_pause_ms;        /* ... and the pause after each before the next write */
};

#define EXT_REPLY_TIMEOUT_MS 2000 /* ext_options_default's reply timeout */
#define EXT_STDERR_TAIL 4096      /* last octets of the child's stderr kept */
#define EXT_REPORT_MAX 2048       /* octets of a sanitizer report kept (SANITIZER_REPORT_MAX) */
#define EXT_DETAIL_MAX 160

/* What one session did. replies points into the caller's buffer. */
struct ext_result {
    enum ext_outcome outcome;
    char *replies;             /* the caller's reply buffer */
    size_t replies_len;        /* reply octets received (at most the buffer's capacity) */
    size_t sent;               /* client octets written */
    size_t replies_seen;       /* complete replies read, greeting included */
    int peer_closed;           /* the target closed its output before the model was done */
    int stalled;               /* lock-step: no reply for a quarter of the reply timeout, so the
                                  rest was sent at once (the target may wait for octets it thinks
                                  are owed) */
    int exited;                /* EXEC: the child was reaped with an exit status */
    int exit_status;           /* EXEC: its exit status when exited */
    int term_signal;           /* EXEC: the signal that ended it, or 0 */
    int killed_by_us;          /* EXEC: we sent SIGKILL (timeout, flood, memory, cleanup) */
    int sanitizer;             /* a sanitizer report was seen on stderr */
    unsigned long peak_rss_kb; /* EXEC: largest VmRSS seen (when a limit was set) */
    unsigned long base_rss_kb; /* EXEC: VmRSS when the greeting was complete (growth limit) */
    double elapsed_ms;
    size_t stderr_len;                 /* octets in stderr_tail */
    uint64_t stderr_total;             /* all stderr octets seen */
    char stderr_tail[EXT_STDERR_TAIL]; /* the last stderr octets (not NUL-terminated) */
    size_t report_len;                 /* octets in report */
    char report[EXT_REPORT_MAX];       /* the sanitizer report from its marker line on */
    char detail[EXT_DETAIL_MAX];       /* one line of English on the outcome, NUL-terminated */
};

/*
 * ext_options_default - lock-step, 5 s greeting, 2 s reply, 20 s session, 200 ms drain, no
 * memory limit, no cuts
 */
void ext_options_default(struct ext_options *o);

/* ext_target_exec - a target run as "/bin/sh -c command", one process per session */
void ext_target_exec(struct ext_target *t, const char *command);

/* ext_target_connect - parse "a.b.c.d:PORT", "[::1]:PORT" or "localhost:PORT"; loopback only */
enum ext_error ext_target_connect(struct ext_target *t, const char *hostport);

/*
 * ext_run - run one session: send client[0..client_len), collect replies
 * into reply_buf[0..reply_cap) and fill *res; EXT_ERR_NONE when the
 * session ran (whatever its outcome), else why it could not
 */
enum ext_error ext_run(const struct ext_target *t, const struct ext_options *o, const char *client,
                       size_t client_len, char *reply_buf, size_t reply_cap,
                       struct ext_result *res);

/* ext_ignore_sigpipe - make writes to a closed pipe or socket fail with EPIPE; 0 or -1 */
int ext_ignore_sigpipe(void);

/*
 * ext_crash_key - a short stable key for deduplicating crashes: the
 * sanitizer's bug type and first frame function ("heap-buffer-overflow in
 * foo"), or the signal name ("SIGSEGV"); writes a NUL-terminated string
 */
void ext_crash_key(const struct ext_result *res, char *buf, size_t cap);

/* ext_outcome_id - the stable id of an outcome ("hang"); "invalid" when out of range */
const char *ext_outcome_id(enum ext_outcome outcome);

/* ext_outcome_text - one line of English describing an outcome */
const char *ext_outcome_text(enum ext_outcome outcome);

/* ext_error_name - one line of English describing a setup error */
const char *ext_error_name(enum ext_error err);

#endif

/*
 * cli_respond - "smtpfuzz respond": the reference responder (smtp_session)
 * on standard input and output, like "exim -bs" (docs/contract.md section 7).
 *
 * What it does: writes the greeting, then reads stdin with read(2) and
 * feeds each chunk to the session; the replies one chunk produces are
 * collected in a buffer and written with write(2) before the next read,
 * so a lock-step client gets every reply as soon as its command is in.
 * Exits 0 after the 221 to QUIT is written, or at end of input.
 *
 * What it never does: use stdio on the protocol stream, or hold more than
 * one read chunk and one output buffer: a reply burst larger than the
 * buffer is written out as it fills.
 *
 * How it fails: a read or write error is one line on stderr and exit 1;
 * a reader that went away (EPIPE) ends the program quietly with exit 1.
 * SIGPIPE is ignored so that EPIPE arrives as an error, not a signal.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_util.h"
#include "smtp_session.h"

#define RESPOND_READ_MAX 16384 /* octets per read(2) */
#define RESPOND_OUT_MAX 65536  /* replies collected before a write(2) */
#define RESPOND_CMD "respond"  /* our name in messages */

/* How the output side is doing. */
enum respond_io {
    RESPOND_IO_OK,        /* all writes so far succeeded */
    RESPOND_IO_PEER_GONE, /* EPIPE: nobody reads our replies any more */
    RESPOND_IO_ERROR      /* another write error, errno kept in err */
};

/* The reply sink's context: collected replies and the state of stdout. */
struct respond_out {
    int fd;
    enum respond_io io;
    int err; /* errno of the failed write when io == RESPOND_IO_ERROR */
    size_t len;
    char buf[RESPOND_OUT_MAX];
};

/* respond_wait - block until fd is ready for events (for descriptors left non-blocking) */
static void respond_wait(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};

    (void)poll(&p, 1, -1); /* an error or EINTR only makes the caller retry */
}

/* respond_flush - write all collected replies, retrying short writes and EINTR */
static void respond_flush(struct respond_out *o)
{
    size_t done = 0;

    while (o->io == RESPOND_IO_OK && done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);

        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            respond_wait(o->fd, POLLOUT);
        } else if (n < 0 && errno == EPIPE) {
            o->io = RESPOND_IO_PEER_GONE;
        } else {
            o->io = RESPOND_IO_ERROR;
            o->err = n < 0 ? errno : EIO; /* write() returning 0 for len > 0: treat as EIO */
        }
    }
    o->len = 0;
}

/* respond_sink - the session's reply sink: collect bytes, writing out when the buffer fills */
static void respond_sink(void *ctx, const char *bytes, size_t len)
{
    struct respond_out *o = ctx;

    while (o->io == RESPOND_IO_OK && len > 0) {
        size_t room = sizeof o->buf - o->len;
        size_t n = len < room ? len : room;

        memcpy(o->buf + o->len, bytes, n);
        o->len += n;
        bytes += n;
        len -= n;
        if (o->len == sizeof o->buf)
            respond_flush(o);
    }
}

/* respond_read - read(2) that retries EINTR and waits out EAGAIN; -1 with errno on error */
static ssize_t respond_read(int fd, char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);

        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        respond_wait(fd, POLLIN);
    }
}

/* respond_ignore_sigpipe - make a write to a closed pipe fail with EPIPE instead of killing us */
static int respond_ignore_sigpipe(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGPIPE, &sa, NULL);
}

/* respond_run - the session loop over fds in and out; returns the exit status */
static int respond_run(int in, int out_fd)
{
    struct respond_out out;
    struct smtp_session *session;
    char inbuf[RESPOND_READ_MAX];
    int read_err = 0;

    out.fd = out_fd;
    out.io = RESPOND_IO_OK;
    out.err = 0;
    out.len = 0;
    session = smtp_session_new(respond_sink, &out);
    if (session == NULL) {
        cli_error(RESPOND_CMD, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    respond_flush(&out); /* the greeting goes out before we wait for input */
    while (out.io == RESPOND_IO_OK) {
        ssize_t n = respond_read(in, inbuf, sizeof inbuf);
        enum smtp_target_state state;

        if (n <= 0) {
            read_err = n < 0 ? errno : 0;
            break; /* end of input, or an error reported below */
        }
        state = smtp_session_feed(session, inbuf, (size_t)n);
        respond_flush(&out);
        if (state == SMTP_TARGET_CLOSED)
            break; /* QUIT was answered and its 221 written */
    }
    smtp_session_free(session);
    respond_flush(&out);
    if (out.io == RESPOND_IO_PEER_GONE)
        return CLI_EXIT_FAILURE;
    if (out.io == RESPOND_IO_ERROR) {
        cli_error(RESPOND_CMD, "cannot write to standard output: %s", strerror(out.err));
        return CLI_EXIT_FAILURE;
    }
    if (read_err != 0) {
        cli_error(RESPOND_CMD, "cannot read standard input: %s", strerror(read_err));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* Options of "smtpfuzz respond", in table order. */
enum respond_opt { RESPOND_OPT_HELP, RESPOND_OPT_COUNT };

static const struct cli_option respond_options[RESPOND_OPT_COUNT] = {
    [RESPOND_OPT_HELP] = {"help", 'h', 0},
};

static const char respond_usage[] =
    "usage: smtpfuzz respond [--help]\n"
    "\n"
    "Run the reference SMTP responder on standard input and output, like\n"
    "'exim -bs': print the 220 greeting, then answer the SMTP commands that\n"
    "arrive on standard input, each reply written as soon as its command is\n"
    "in. Exits 0 after answering QUIT with 221, or at end of input; 1 when\n"
    "standard input or output fails (quietly when the reader went away).\n"
    "\n"
    "options:\n"
    "  -h, --help   show this help and exit\n";

/* cli_respond_main - the reference responder on stdin/stdout, like exim -bs */
int cli_respond_main(int argc, char **argv)
{
    struct cli_parser p;
    enum cli_parse_status st;
    const char *value;
    size_t opt;

    cli_parser_init(&p, argv[0], respond_options, RESPOND_OPT_COUNT, argc, argv);
    while ((st = cli_parser_next(&p, &opt, &value)) != CLI_PARSE_END) {
        char q[CLI_QUOTE_MAX];

        if (st == CLI_PARSE_ERROR)
            return CLI_EXIT_USAGE;
        if (st == CLI_PARSE_OPERAND) {
            cli_usage_error(argv[0], "unexpected argument %s", cli_quote(value, q));
            return CLI_EXIT_USAGE;
        }
        if (opt == RESPOND_OPT_HELP)
            return cli_print_stdout(argv[0], respond_usage);
    }
    if (respond_ignore_sigpipe() != 0) {
        cli_error(argv[0], "cannot ignore SIGPIPE: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return respond_run(STDIN_FILENO, STDOUT_FILENO);
}

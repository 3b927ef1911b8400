/*
 * ext_process - the other end of a session (contract in ext_process.h).
 *
 * The child: posix_spawn of /bin/sh -c COMMAND in a new process group, with
 * SIGPIPE back to its default and our descriptors closed on exec. Before
 * reaping, while the leader is still a zombie (so its process group id
 * cannot be reused), the whole group gets SIGKILL, which also removes
 * anything the command left running.
 */
#include "ext_process.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* set_flags - O_NONBLOCK (when nb) and FD_CLOEXEC on fd; 0 or -1 */
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

void ext_peer_init(struct ext_peer *p)
{
    memset(p, 0, sizeof *p);
    p->in_fd = p->out_fd = p->err_fd = -1;
    p->pid = -1;
}

void ext_peer_half_close(struct ext_peer *p)
{
    if (p->write_closed)
        return;
    p->write_closed = 1;
    if (p->is_socket)
        (void)shutdown(p->in_fd, SHUT_WR);
    else
        close_fd(&p->in_fd);
}

void ext_peer_close(struct ext_peer *p)
{
    if (p->is_socket) {
        close_fd(&p->in_fd);
        p->out_fd = -1; /* the same descriptor */
    } else {
        close_fd(&p->in_fd);
        close_fd(&p->out_fd);
    }
    close_fd(&p->err_fd);
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

enum ext_error ext_peer_spawn(struct ext_peer *r, const char *command)
{
    int pin[2], pout[2], perr[2];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t def, none;
    char *argv[4];
    char scratch[EXT_COMMAND_MAX + 8];
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
    if (simple_command(command) && strlen(command) + 6 <= sizeof scratch) {
        snprintf(scratch, sizeof scratch, "exec %s", command);
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

enum ext_error ext_peer_connect(struct ext_peer *r, const struct ext_target *t, unsigned timeout_ms,
                                char *detail, size_t cap)
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
        } else if ((rc = poll(&p, 1, (int)timeout_ms)) != 1) {
            err = rc == 0 ? ETIMEDOUT : errno;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
            err = errno;
        }
        if (err != 0) {
            snprintf(detail, cap, "connect: %s", strerror(err));
            (void)close(fd);
            return EXT_ERR_CONNECT;
        }
    }
    r->is_socket = 1;
    r->in_fd = fd;
    r->out_fd = fd;
    return EXT_ERR_NONE;
}

int ext_peer_exited(const struct ext_peer *p)
{
    siginfo_t si;

    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return 1; /* ECHILD: nothing to wait for */
    return si.si_pid == p->pid;
}

int ext_peer_reap(struct ext_peer *p, int *status)
{
    int st = 0;

    if (p->pid <= 0)
        return -1;
    (void)kill(-p->pid, SIGKILL); /* the group: stragglers too; the leader may be a zombie */
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    p->pid = -1;
    *status = st;
    return 0;
}

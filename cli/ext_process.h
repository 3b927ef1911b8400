/*
 * ext_process - the other end of a session: a child process on three
 * pipes, or one TCP connection to a loopback address (docs/contract.md
 * "Checking other servers").
 *
 * What it does: starts "/bin/sh -c COMMAND" in a process group of its own
 * (or "exec COMMAND" when the command is one plain program call, so no
 * shell stands between us and the target's signals, exit status and
 * memory), or connects within a deadline; half-closes the write side;
 * and, once a session is over, kills whatever the command left running
 * and reaps the child.
 *
 * What it never does: block without a deadline, leave a descriptor open
 * past ext_peer_close, leave a child unreaped after ext_peer_reap, or
 * connect anywhere the caller did not name (ext_run.h checks loopback).
 *
 * How it fails: an enum ext_error (ext_run.h) and, for a refused
 * connection, a line of English in the caller's detail buffer.
 */
#ifndef EXT_PROCESS_H
#define EXT_PROCESS_H

#include <stddef.h>

#include <sys/types.h>

#include "ext_run.h"

#define EXT_COMMAND_MAX 4096 /* longer plain commands keep their shell */

/* The peer of one session. */
struct ext_peer {
    int in_fd;  /* client octets go here; -1 once closed (pipes) */
    int out_fd; /* replies come from here */
    int err_fd; /* the child's stderr, or -1 */
    pid_t pid;  /* the child (its process group too), or -1 */
    int is_socket;
    int direct;       /* the command was exec'd: the child is the target itself */
    int write_closed; /* the write side was half-closed */
};

/* ext_peer_init - a peer with nothing open */
void ext_peer_init(struct ext_peer *p);

/* ext_peer_spawn - start command on three non-blocking pipes; EXT_ERR_NONE or why not */
enum ext_error ext_peer_spawn(struct ext_peer *p, const char *command);

/*
 * ext_peer_connect - one non-blocking TCP connection to t's address within timeout_ms;
 * EXT_ERR_NONE, or why not with strerror's words in detail[0..cap)
 */
enum ext_error ext_peer_connect(struct ext_peer *p, const struct ext_target *t, unsigned timeout_ms,
                                char *detail, size_t cap);

/* ext_peer_half_close - no more client octets: FIN on a socket, close the child's stdin */
void ext_peer_half_close(struct ext_peer *p);

/* ext_peer_exited - the child has exited (not reaped: its process group id stays reserved) */
int ext_peer_exited(const struct ext_peer *p);

/*
 * ext_peer_reap - SIGKILL the child's whole group (stragglers too), reap the child and set
 * *status as waitpid does; 0, or -1 when there is no child
 */
int ext_peer_reap(struct ext_peer *p, int *status);

/* ext_peer_close - close every descriptor still open */
void ext_peer_close(struct ext_peer *p);

#endif

/*
 * bench_tcp_server - a minimal C SMTP responder on loopback TCP, for
 * tests/bench/bench_check.sh: the target "smtpfuzz check --connect" and
 * the bare client are both timed against.
 *
 * Usage: bench_tcp_server [PORT]    (default 0: the kernel picks one)
 *
 * Listens on 127.0.0.1, prints "port N" on standard output once it
 * listens, then serves one connection at a time, forever: the in-process
 * target (fuzz/fuzz_target.h; tests/bench/CMakeLists.txt links the correct
 * mini responder of tests/broken/) is opened per connection, fed what
 * arrives, and its replies are written back after each read, lock-step.
 * It keeps no state between connections. SIGTERM or SIGINT end it (the
 * default action). Exit status: 1 when it cannot listen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "target_fd.h"

/* main - listen on 127.0.0.1, say the port, serve connections in turn */
int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof sa;
    int ls, one = 1;

    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &slen) != 0) {
        perror("bench_tcp_server: listen");
        return 1;
    }
    printf("port %u\n", (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("bench_tcp_server: accept");
            return 1;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        (void)target_fd_serve(fd, fd); /* one connection, start to end */
        close(fd);
    }
}

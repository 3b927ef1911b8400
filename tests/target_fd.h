/*
 * target_fd - run one session of an in-process target (fuzz/fuzz_target.h:
 * the symbol smtpfuzz_target) over file descriptors, so a test program can
 * serve it on stdin/stdout (tests/check/broken_stdio.c) or on a TCP
 * connection (tests/bench/bench_tcp_server.c) with the same loop.
 */
#ifndef TARGET_FD_H
#define TARGET_FD_H

/*
 * target_fd_serve - open a session, feed it what in_fd delivers, write its
 * replies to out_fd after each read, close it after QUIT or end of input;
 * 0, or -1 on an I/O error or when out of memory
 */
int target_fd_serve(int in_fd, int out_fd);

#endif

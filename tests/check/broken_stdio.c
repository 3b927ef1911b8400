/*
 * broken_stdio - any in-process target (fuzz/fuzz_target.h: the symbol
 * smtpfuzz_target) as an SMTP server on standard input and output, like
 * "exim -bs", so "smtpfuzz check --exec" can drive it out of process.
 *
 * tests/check.cmake links it with tests/broken/mini_responder.c built with
 * one -DBROKEN_<BUG>: the deliberately broken responders then become
 * external programs, and check must find each bug the way it would find it
 * in a real server.
 *
 * Reads stdin with read(2), feeds every chunk to the target, writes the
 * replies it emitted before the next read; exits 0 after the target closed
 * the session (QUIT) or at end of input, 1 on an I/O error.
 */
#include <signal.h>

#include "target_fd.h"

/* main - the target on stdin/stdout */
int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a server that hung up is an I/O error, not a death */
    return target_fd_serve(0, 1) == 0 ? 0 : 1;
}

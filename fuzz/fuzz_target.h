/*
 * fuzz_target - the one symbol that plugs an SMTP implementation into the
 * fuzz_session driver (fuzz/fuzz_session.c).
 *
 * fuzz_session.c drives whatever smtpfuzz_target points at. The reference
 * responder is the default (fuzz/target_reference.c); to fuzz your own
 * server, write a file that defines
 *
 *     const struct smtp_target *const smtpfuzz_target = &my_target;
 *
 * (the interface is src/smtp_target.h) and pass it as the ADAPTER of
 * smtpfuzz_add_fuzzer() (fuzz/SmtpfuzzFuzzer.cmake):
 *
 *     smtpfuzz_add_fuzzer(NAME fuzz_session_mine
 *                         CORE ${SMTPFUZZ_FUZZ_DIR}/fuzz_session.c
 *                         ADAPTER my_adapter.c SOURCES my_server.c)
 *
 * which builds fuzz_session_mine_replay always and, per SMTPFUZZ_ENGINE,
 * the libFuzzer or AFL++ (persistent + CMPLOG) binaries. The adapter must
 * not keep state between sessions: every open() starts from scratch.
 */
#ifndef FUZZ_TARGET_H
#define FUZZ_TARGET_H

#include "smtp_target.h"

/* The target fuzz_session drives: defined by exactly one adapter file per fuzzer. */
extern const struct smtp_target *const smtpfuzz_target;

#endif

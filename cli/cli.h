/*
 * cli - the subcommands of the smtpfuzz program (docs/contract.md section 7).
 *
 * What it does: main.c dispatches "smtpfuzz NAME ARGS..." through a table
 * of rows {name, entry point, summary}; each entry point below is one row.
 * An entry point gets argv with argv[0] set to the subcommand's name and
 * returns the process exit status.
 *
 * Exit status, shared by every subcommand: 0 success; 1 a runtime failure
 * (I/O error, out of memory, the peer went away); 2 a usage error (unknown
 * option, missing or bad argument), reported as one line on stderr.
 */
#ifndef CLI_H
#define CLI_H

/* The exit statuses every subcommand returns. */
enum cli_exit {
    CLI_EXIT_OK = 0,      /* done, no error */
    CLI_EXIT_FAILURE = 1, /* runtime failure: I/O, memory, peer gone */
    CLI_EXIT_USAGE = 2    /* bad command line */
};

/* cli_respond_main - the reference responder on stdin/stdout, like exim -bs */
int cli_respond_main(int argc, char **argv);

/* cli_serve_main - the reference responder as a single-threaded TCP server */
int cli_serve_main(int argc, char **argv);

/* cli_check_main - fuzz another SMTP server (--exec or --connect) against the oracle */
int cli_check_main(int argc, char **argv);

/* cli_replay_main - replay saved inputs through a target and print the oracle's verdict */
int cli_replay_main(int argc, char **argv);

/* cli_sanitizer_main - read a crash log and print what it says (tool, type, key, frames) */
int cli_sanitizer_main(int argc, char **argv);

#endif

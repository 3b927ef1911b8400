# cli.cmake - the smtpfuzz command line: --version, --help, usage errors
# (exit 2, one line on stderr), and "smtpfuzz respond" on a short session.
# Every test runs tests/e2e/run_cli.cmake, which checks the exact exit
# status; see that file for its parameters.

set(SMTPFUZZ_CLI_DRIVER ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run_cli.cmake)

# smtpfuzz_cli_test(NAME RC ARGS [driver -D settings...]) - one run of the program.
function(smtpfuzz_cli_test name rc args)
  set(defs "")
  foreach(def IN LISTS ARGN)
    list(APPEND defs "-D${def}")
  endforeach()
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:smtpfuzz> "-DARGS=${args}"
                   -DEXPECT_RC=${rc} ${defs} -P ${SMTPFUZZ_CLI_DRIVER})
  set_tests_properties(${name} PROPERTIES TIMEOUT 60 LABELS cli)
endfunction()

# What succeeds: exit 0, output on stdout, nothing on stderr.
smtpfuzz_cli_test(cli_version 0 "--version" "STDOUT_REGEX=^smtpfuzz [0-9]+\\.[0-9]+\\.[0-9]+\n$"
                  STDERR=empty)
foreach(flag --help -h)
  smtpfuzz_cli_test(cli_help${flag} 0 "${flag}"
                    "STDOUT_REGEX=usage: smtpfuzz.*respond.*serve.*check.*replay" STDERR=empty)
endforeach()
foreach(cmd respond serve)
  foreach(flag --help -h)
    smtpfuzz_cli_test(cli_${cmd}_help${flag} 0 "${cmd}|${flag}"
                      "STDOUT_REGEX=^usage: smtpfuzz ${cmd}" STDERR=empty)
  endforeach()
endforeach()

# Usage errors: exit 2 and one line on stderr that ends in the hint.
set(usage_errors
    "cli_no_command|"
    "cli_unknown_command|bogus"
    "cli_unknown_option|--bogus"
    "cli_version_extra|--version|x"
    "cli_respond_unknown_option|respond|--bogus"
    "cli_respond_operand|respond|extra"
    "cli_respond_help_value|respond|--help=yes"
    "cli_serve_unknown_option|serve|--listen|127.0.0.1:0|--bogus"
    "cli_serve_operand|serve|--listen|127.0.0.1:0|extra"
    "cli_serve_missing_listen|serve"
    "cli_serve_listen_no_value|serve|--listen"
    "cli_serve_listen_empty|serve|--listen="
    "cli_serve_listen_no_port|serve|--listen|127.0.0.1"
    "cli_serve_listen_empty_port|serve|--listen|127.0.0.1:"
    "cli_serve_listen_port_range|serve|--listen|127.0.0.1:65536"
    "cli_serve_listen_port_huge|serve|--listen|127.0.0.1:99999999999999999999999"
    "cli_serve_listen_port_junk|serve|--listen|127.0.0.1:25x"
    "cli_serve_listen_port_sign|serve|--listen|127.0.0.1:+25"
    "cli_serve_listen_port_negative|serve|--listen|127.0.0.1:-1"
    "cli_serve_listen_hostname|serve|--listen|localhost:25"
    "cli_serve_listen_ipv6|serve|--listen|[::1]:25"
    "cli_serve_listen_ipv6_bare|serve|--listen|::1"
    "cli_serve_listen_octet_range|serve|--listen|256.0.0.1:25"
    "cli_serve_listen_short_ipv4|serve|--listen|127.1:25"
    "cli_serve_listen_blank|serve|--listen| 127.0.0.1:25"
    "cli_serve_max_conn_zero|serve|--listen|127.0.0.1:0|--max-conn|0"
    "cli_serve_max_conn_range|serve|--listen|127.0.0.1:0|--max-conn|65536"
    "cli_serve_max_conn_junk|serve|--listen|127.0.0.1:0|--max-conn=12x"
    "cli_serve_max_conn_word|serve|--listen|127.0.0.1:0|--max-conn|many"
    "cli_serve_max_conn_empty|serve|--listen|127.0.0.1:0|--max-conn="
    "cli_serve_max_conn_no_value|serve|--listen|127.0.0.1:0|--max-conn"
    "cli_serve_idle_negative|serve|--listen|127.0.0.1:0|--idle-timeout|-1"
    "cli_serve_idle_fraction|serve|--listen|127.0.0.1:0|--idle-timeout|1.5"
    "cli_serve_idle_range|serve|--listen|127.0.0.1:0|--idle-timeout|86401")
foreach(row IN LISTS usage_errors)
  string(FIND "${row}" "|" bar)
  string(SUBSTRING "${row}" 0 ${bar} name)
  math(EXPR rest "${bar} + 1")
  string(SUBSTRING "${row}" ${rest} -1 args)
  smtpfuzz_cli_test(${name} 2 "${args}" STDERR=one-line
                    "STDERR_REGEX=^smtpfuzz[^\n]*: [^\n]+. try 'smtpfuzz --help'\n$")
endforeach()

# respond on a short session from a file: 220, 214, 500, 214, 221; nothing after QUIT.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/cli_respond_session.in
     "HELP\r\nXYZZY\r\nhelp\r\nQUIT\r\nNOOP\r\n")
smtpfuzz_cli_test(cli_respond_session 0 "respond" "INPUT=${CMAKE_CURRENT_BINARY_DIR}/cli_respond_session.in"
                  "EXPECT_CODES=220|214|500|214|221" STDERR=empty)
# respond at end of input without QUIT: the greeting and the replies, exit 0.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/cli_respond_eof.in "NOOP\r\nHELP me\r\nunterminated")
smtpfuzz_cli_test(cli_respond_eof 0 "respond" "INPUT=${CMAKE_CURRENT_BINARY_DIR}/cli_respond_eof.in"
                  "EXPECT_CODES=220|250|214" STDERR=empty)

# serve on an address this host does not have (TEST-NET-1): a runtime failure, exit 1.
smtpfuzz_cli_test(cli_serve_bind_error 1 "serve|--listen|192.0.2.1:0" STDERR=one-line
                  "STDERR_REGEX=^smtpfuzz serve: cannot listen on 192.0.2.1:0: ")

# e2e.cmake - end-to-end tests: "smtpfuzz serve" against real SMTP clients
# (Python smtplib, curl, swaks) and raw sockets, and "smtpfuzz respond" on
# a 10^6-octet line and on a closed stdout. One ctest per case of
# tests/e2e/smtpfuzz_e2e.py; each case starts and stops its own server on
# 127.0.0.1:0. Debian's Python is named explicitly (stdlib only); a missing
# python3, curl or swaks makes the test fail, never skip.

set(SMTPFUZZ_E2E_PYTHON /usr/bin/python3
    CACHE FILEPATH "Python 3 for the end-to-end tests (standard library only)")
set(SMTPFUZZ_E2E_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/e2e/smtpfuzz_e2e.py)

set(SMTPFUZZ_E2E_CASES
    smtplib
    concurrent
    pipelining
    idle_timeout
    max_conn
    sigterm
    sigint
    backpressure
    accept_emfile
    curl
    swaks
    swaks_variants
    respond_long_line
    respond_epipe)

foreach(case IN LISTS SMTPFUZZ_E2E_CASES)
  add_test(NAME e2e_${case}
           COMMAND ${SMTPFUZZ_E2E_PYTHON} ${SMTPFUZZ_E2E_SCRIPT} --smtpfuzz $<TARGET_FILE:smtpfuzz>
                   ${case})
  set_tests_properties(e2e_${case} PROPERTIES TIMEOUT 120 LABELS e2e)
endforeach()
# Memory and stall timing are measured: keep other tests off the two cores meanwhile.
set_tests_properties(e2e_backpressure PROPERTIES RUN_SERIAL ON)

# check.cmake - "smtpfuzz check" and "smtpfuzz replay" against external targets: the reference
# responder (must stay clean), deliberately broken responders and a broken script (each bug must
# be found and saved), and two real servers, Exim (exim4 -bs) and python3-aiosmtpd (loopback
# TCP), whose known behaviour the reports must match. Every run is bounded (--runs or
# --seconds) and seeded. tests/check/run_check.cmake checks exit status, output and saved files.
#
# What the real servers do (probed by hand, pinned by the replay cases below):
#   Exim 4.96  HELP (any case, any argument) 214; unknown verbs and control bytes 500; a bare LF
#              ends a line (NOOP\n -> 250: strict r1-malformed-not-500, tolerated by rfc); a
#              600-octet line is accepted (strict r1, rfc tolerates), one over 16385 octets is
#              read as pieces of 16384, each answered (strict r3, rfc-long-line-cut); a bare CR
#              inside MAIL parameters is echoed raw into the 501 (r2 under both profiles); at
#              end of input without QUIT it says "421 lost input connection" (strict
#              r3-extra-reply, rfc ok); "BDAT 0" without LAST in a transaction, then RSET:
#              killed by SIGSEGV (r6-crash under both; found by check's zero-length-chunk
#              probes).
#   aiosmtpd   HELP 250 (r1-help-not-214 under both profiles); the unknown verb is echoed raw,
#              control bytes included (r2-bad-reply under both profiles).

set(SMTPFUZZ_CHECK_DRIVER ${CMAKE_CURRENT_SOURCE_DIR}/check/run_check.cmake)
set(SMTPFUZZ_CHECK_WORK ${CMAKE_CURRENT_BINARY_DIR}/check-work)
# Broken targets are bounded by sessions, not seconds, so a busy machine cannot make a run too
# short to reach the bug: with --seed 1 each is found well within the first 150 sessions.
set(SMTPFUZZ_CHECK_RUNS 300 CACHE STRING "Sessions each check run against a broken target runs")
set(SMTPFUZZ_CHECK_SERVER_SECONDS 10 CACHE STRING "Seconds each check run against a real server takes")
set(smtpfuzz_exe $<TARGET_FILE:smtpfuzz>)
set(smtpfuzz_corpus ${PROJECT_SOURCE_DIR}/corpus/fuzz_session)

# smtpfuzz_check_test(NAME RC CMD [driver -D settings...]) - one run through run_check.cmake.
function(smtpfuzz_check_test name rc cmd)
  set(defs "")
  foreach(def IN LISTS ARGN)
    list(APPEND defs "-D${def}")
  endforeach()
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} "-DCMD=${cmd}" -DEXPECT_RC=${rc} ${defs}
                   -P ${SMTPFUZZ_CHECK_DRIVER})
  set_tests_properties(${name} PROPERTIES TIMEOUT 180 LABELS check)
endfunction()

# --- command line --------------------------------------------------------------------------
smtpfuzz_check_test(check_list_rules_rfc 0 "${smtpfuzz_exe}|check|--list-rules|--profile|rfc"
                    "STDOUT_REGEX=r1-help-not-214.*rfc-bare-lf-line-end.*rfc-help-211")
smtpfuzz_check_test(check_no_target 2 "${smtpfuzz_exe}|check|--runs|1")
smtpfuzz_check_test(check_both_targets 2
                    "${smtpfuzz_exe}|check|--exec|true|--connect|127.0.0.1:25")
smtpfuzz_check_test(check_bad_profile 2 "${smtpfuzz_exe}|check|--exec|true|--profile|lax")
smtpfuzz_check_test(check_not_loopback 2 "${smtpfuzz_exe}|check|--connect|192.0.2.1:25")
smtpfuzz_check_test(check_hostname 2 "${smtpfuzz_exe}|check|--connect|mail.example:25")
smtpfuzz_check_test(check_port_refused 2 "${smtpfuzz_exe}|check|--connect|127.0.0.1:1|--runs|3")
smtpfuzz_check_test(check_command_not_found 2
                    "${smtpfuzz_exe}|check|--exec|smtpfuzz-no-such-command|--runs|3")
smtpfuzz_check_test(replay_no_file 2 "${smtpfuzz_exe}|replay")
smtpfuzz_check_test(replay_unreadable 2 "${smtpfuzz_exe}|replay|${SMTPFUZZ_CHECK_WORK}/nothing.in")
# Bad input to replay: the whole file name in the message, no hang on a FIFO, and a command that
# does not exist is a setup error that says so (exit 2), not a finding.
set(long_name "${SMTPFUZZ_CHECK_WORK}/a-saved-input-whose-name-is-longer-than-forty-octets.in")
smtpfuzz_check_test(replay_long_name 2 "${smtpfuzz_exe}|replay|${long_name}"
                    "STDERR_REGEX=longer-than-forty-octets\\.in'")
smtpfuzz_check_test(replay_fifo 2 "${smtpfuzz_exe}|replay|${SMTPFUZZ_CHECK_WORK}/replay.fifo"
                    "FIFO=${SMTPFUZZ_CHECK_WORK}/replay.fifo" "STDERR_REGEX=not a regular file")
smtpfuzz_check_test(replay_exec_not_found 2
  "${smtpfuzz_exe}|replay|--exec|smtpfuzz-no-such-command|${smtpfuzz_corpus}/help"
  "STDERR_REGEX=command not found")

# --- the reference responder stays clean ---------------------------------------------------
smtpfuzz_check_test(check_reference_lockstep 0
  "${smtpfuzz_exe}|check|--exec|${smtpfuzz_exe} respond|--profile|strict|--runs|300|--seed|1|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/reference|--quiet"
  "OUT=${SMTPFUZZ_CHECK_WORK}/reference" "STDOUT_REGEX=sessions: 300 .*findings: none")
smtpfuzz_check_test(check_reference_pipeline 0
  "${smtpfuzz_exe}|check|--exec|${smtpfuzz_exe} respond|--pipeline|--runs|200|--seed|2|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/reference-pipe|--quiet"
  "OUT=${SMTPFUZZ_CHECK_WORK}/reference-pipe" "STDOUT_REGEX=sessions: 200 .*findings: none")
# --- zero findings on correct servers: 2,000 sessions per applicable profile and mode ---------
# The reference (both profiles) and careful_smtpd, an independent server that takes the other
# RFC choice wherever there is one (tests/check/careful_smtpd.c says which), under rfc, with
# and without CHUNKING. Run once, in the plain build: a sanitizer build only makes them slow.
set(SMTPFUZZ_CHECK_CLEAN_RUNS 2000 CACHE STRING "Sessions each zero-findings check run sends")
add_executable(careful_smtpd ${CMAKE_CURRENT_SOURCE_DIR}/check/careful_smtpd.c)
if(NOT SMTPFUZZ_SANITIZE)
  set(clean_runs
      "reference_strict|${smtpfuzz_exe} respond|strict"
      "reference_rfc|${smtpfuzz_exe} respond|rfc"
      "careful_rfc|$<TARGET_FILE:careful_smtpd>|rfc"
      "careful_chunking_rfc|$<TARGET_FILE:careful_smtpd> --chunking|rfc")
  foreach(row ${clean_runs})
    string(REPLACE "|" ";" f "${row}")
    list(GET f 0 name)
    list(GET f 1 target)
    list(GET f 2 profile)
    # mixed: lock-step with one session in 4 in RFC 2920 groups (check's default)
    foreach(mode mixed pipeline)
      set(out ${SMTPFUZZ_CHECK_WORK}/clean-${name}-${mode})
      set(how "")
      if(mode STREQUAL "pipeline")
        set(how "--pipeline|")
      endif()
      smtpfuzz_check_test(check_clean_${name}_${mode} 0
        "${smtpfuzz_exe}|check|--exec|${target}|--profile|${profile}|${how}--runs|${SMTPFUZZ_CHECK_CLEAN_RUNS}|--seed|7|--corpus|${smtpfuzz_corpus}|--out|${out}|--quiet"
        "OUT=${out}" "STDOUT_REGEX=sessions: ${SMTPFUZZ_CHECK_CLEAN_RUNS} .*findings: none")
      set_tests_properties(check_clean_${name}_${mode} PROPERTIES LABELS "check;slow")
    endforeach()
  endforeach()
endif()

foreach(f ${smtpfuzz_corpus}/data-basic ${smtpfuzz_corpus}/bdat-chunks)
  get_filename_component(n ${f} NAME)
  smtpfuzz_check_test(replay_reference_${n} 0 "${smtpfuzz_exe}|replay|${f}"
                      "STDOUT_REGEX=result \\(profile strict\\): ok")
  smtpfuzz_check_test(replay_exec_reference_${n} 0
                      "${smtpfuzz_exe}|replay|--exec|${smtpfuzz_exe} respond|${f}"
                      "STDOUT_REGEX=result \\(profile strict\\): ok")
endforeach()

# --- a broken server script: HELP answered 250 -------------------------------------------------
find_program(SMTPFUZZ_CHECK_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(SMTPFUZZ_CHECK_PYTHON)
  set(help250 ${CMAKE_CURRENT_SOURCE_DIR}/servers/help250.py)
  smtpfuzz_check_test(check_script_help250 1
    "${smtpfuzz_exe}|check|--exec|${SMTPFUZZ_CHECK_PYTHON} ${help250}|--runs|60|--seed|1|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/help250|--quiet"
    "OUT=${SMTPFUZZ_CHECK_WORK}/help250" "FIND=r1-help-not-214"
    "NOT_FIND=r1-malformed-not-500|r1-500-for-command|r2-bad-reply|r6-crash|r6-hang"
    "REPLAY=${smtpfuzz_exe}|replay|--exec|${SMTPFUZZ_CHECK_PYTHON} ${help250}")
endif()

# --- the deliberately broken responders of tests/broken/, as stdio servers ----------------------
set(smtpfuzz_mini ${PROJECT_SOURCE_DIR}/tests/broken/mini_responder.c)

# smtpfuzz_mini_stdio(NAME BUG) - the mini responder as a stdio server (broken_stdio.c), built
# with -DBROKEN_<BUG> (upper case), or as the clean control when BUG is "".
function(smtpfuzz_mini_stdio name bug)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/check/broken_stdio.c
                         ${CMAKE_CURRENT_SOURCE_DIR}/target_fd.c ${smtpfuzz_mini})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE smtpfuzz_core)
  if(NOT bug STREQUAL "")
    string(TOUPPER "${bug}" macro)
    target_compile_definitions(${name} PRIVATE BROKEN_${macro})
  endif()
endfunction()

if(EXISTS ${smtpfuzz_mini})
  set(smtpfuzz_stdio_bugs
      "mini=" "help_250=r1-help-not-214" "bare_lf=r1-malformed-not-500" "echo_raw=r2-bad-reply"
      "long_twice=r3-extra-reply" "data_lf_dot_lf=r5-data-end")
  if(SMTPFUZZ_SANITIZE MATCHES "address")
    list(APPEND smtpfuzz_stdio_bugs "heap_overflow=r6-crash")
  endif()
  foreach(row ${smtpfuzz_stdio_bugs})
    string(REGEX REPLACE "=.*" "" bug "${row}")
    string(REGEX REPLACE "^[^=]*=" "" rule "${row}")
    if(bug STREQUAL "mini")
      smtpfuzz_mini_stdio(check_stdio_${bug} "")
    else()
      smtpfuzz_mini_stdio(check_stdio_${bug} ${bug})
    endif()
    set(out ${SMTPFUZZ_CHECK_WORK}/stdio-${bug})
    if(rule STREQUAL "")
      smtpfuzz_check_test(check_stdio_${bug} 0
        "${smtpfuzz_exe}|check|--exec|$<TARGET_FILE:check_stdio_${bug}>|--runs|300|--seed|1|--corpus|${smtpfuzz_corpus}|--out|${out}|--quiet"
        "OUT=${out}" "STDOUT_REGEX=findings: none")
    else()
      set(no_crash "NOT_FIND=r6-crash") # a bug that is not a crash must not crash
      if(rule STREQUAL "r6-crash")
        set(no_crash "NOT_FIND=r6-memory")
      endif()
      smtpfuzz_check_test(check_stdio_${bug} 1
        "${smtpfuzz_exe}|check|--exec|$<TARGET_FILE:check_stdio_${bug}>|--runs|${SMTPFUZZ_CHECK_RUNS}|--seed|1|--corpus|${smtpfuzz_corpus}|--out|${out}|--quiet"
        "OUT=${out}" "FIND=${rule}" "${no_crash}"
        "REPLAY=${smtpfuzz_exe}|replay|--exec|$<TARGET_FILE:check_stdio_${bug}>")
    endif()
  endforeach()

  # The bug classes check must find in a server's argument handling and input buffers, each
  # planted in the mini responder (its header says how), from a folder with no seeds, within
  # 30 s (--first stops at the finding), and each finding replays as recorded.
  set(smtpfuzz_class_bugs
      "stack_arg=r6-crash=strict" "loop_arg=r6-hang=rfc" "help_echo=r1-214-not-help=rfc"
      "line_chars=r1-malformed-not-500=strict" "growing_buffer=r6-memory=rfc"
      "crlf_one_read=r4-split-changed=rfc"
      "bdat0_overtake=r1-500-for-command|r1-malformed-not-500|r1-214-not-help|r3-missing-reply|r3-extra-reply=rfc")
  set(no_seeds ${SMTPFUZZ_CHECK_WORK}/no-seeds)
  foreach(row ${smtpfuzz_class_bugs})
    string(REPLACE "=" ";" f "${row}")
    list(GET f 0 bug)
    list(GET f 1 rules)
    list(GET f 2 profile)
    smtpfuzz_mini_stdio(check_class_${bug} ${bug})
    if(bug STREQUAL "stack_arg" AND NOT SMTPFUZZ_SANITIZE MATCHES "address")
      # without ASan, the stack protector is what turns the overflow into a crash
      target_compile_options(check_class_${bug} PRIVATE -fstack-protector-all)
    endif()
    set(out ${SMTPFUZZ_CHECK_WORK}/class-${bug})
    smtpfuzz_check_test(check_class_${bug} 1
      "${smtpfuzz_exe}|check|--exec|$<TARGET_FILE:check_class_${bug}>|--profile|${profile}|--seconds|30|--first|--seed|1|--corpus|${no_seeds}-${bug}|--out|${out}|--quiet"
      "OUT=${out}" "FIND_ANY=${rules}" "EMPTY_DIR=${no_seeds}-${bug}"
      "REPLAY=${smtpfuzz_exe}|replay|--as-recorded")
  endforeach()

  # --minimize: a real finding shrunk while its fingerprint fires, and replayed as recorded.
  if(SMTPFUZZ_BASH)
    add_test(NAME check_minimize
             COMMAND ${SMTPFUZZ_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/check/minimize-check.sh
                     ${smtpfuzz_exe} $<TARGET_FILE:check_class_help_echo>
                     ${SMTPFUZZ_CHECK_WORK}/minimize)
    set_tests_properties(check_minimize PROPERTIES TIMEOUT 120 LABELS check)
  endif()
  smtpfuzz_check_test(check_as_recorded_alone 2 "${smtpfuzz_exe}|check|--as-recorded"
                      "STDERR_REGEX=--as-recorded goes with --minimize")
  smtpfuzz_check_test(check_minimize_missing 2
    "${smtpfuzz_exe}|check|--minimize|${SMTPFUZZ_CHECK_WORK}/no-such.in|--exec|true"
    "STDERR_REGEX=no-such.in")

  # What check writes about its findings: fingerprints, --keep, the records replay
  # --as-recorded and scripts/reproduce.sh use, --only, --json and SARIF checked by Microsoft's
  # SARIF Multitool (installed from the npm registry into this build folder, once).
  if(SMTPFUZZ_BASH AND SMTPFUZZ_CHECK_PYTHON)
    add_test(NAME check_findings_files
             COMMAND ${SMTPFUZZ_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/findings/findings-check.sh
                     ${smtpfuzz_exe} $<TARGET_FILE:check_stdio_help_250>
                     ${SMTPFUZZ_CHECK_WORK}/findings ${PROJECT_SOURCE_DIR}
                     ${CMAKE_BINARY_DIR}/sarif-tool)
    set_tests_properties(check_findings_files PROPERTIES TIMEOUT 300 LABELS check)
  endif()
endif()

# --- Exim: exim4 -bs with a private configuration (needs root: -C and -D) ------------------------
execute_process(COMMAND id -u OUTPUT_VARIABLE smtpfuzz_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(EXISTS /usr/sbin/exim4 AND smtpfuzz_uid STREQUAL "0")
  set(exim "${CMAKE_CURRENT_SOURCE_DIR}/servers/exim4.sh ${SMTPFUZZ_CHECK_WORK}/exim-spool")
  set(probes ${CMAKE_CURRENT_SOURCE_DIR}/check/exim)
  # name, file, strict exit, strict result, rfc exit, rfc result
  set(exim_probes
      "help|help.in|0|ok|0|ok"
      "unknown_verbs|unknown-verbs.in|0|ok|0|ok"
      "bare_lf|bare-lf.in|1|r1-malformed-not-500|0|ok"
      "long_line|long-line-600.in|1|r1-malformed-not-500|0|ok"
      "reply_bare_cr|reply-bare-cr.in|1|r2-bad-reply|1|r2-bad-reply"
      "no_quit|no-quit.in|1|r3-extra-reply|0|ok"
      "bdat0_rset|bdat0-rset.in|1|r6-crash|1|r6-crash")
  foreach(row ${exim_probes})
    string(REPLACE "|" ";" f "${row}")
    list(GET f 0 name)
    list(GET f 1 file)
    list(GET f 2 src)
    list(GET f 3 sres)
    list(GET f 4 rrc)
    list(GET f 5 rres)
    smtpfuzz_check_test(replay_exim_${name}_strict ${src}
      "${smtpfuzz_exe}|replay|--exec|${exim}|${probes}/${file}"
      "STDOUT_REGEX=result \\(profile strict\\): ${sres}")
    smtpfuzz_check_test(replay_exim_${name}_rfc ${rrc}
      "${smtpfuzz_exe}|replay|--profile|rfc|--exec|${exim}|${probes}/${file}"
      "STDOUT_REGEX=result \\(profile rfc\\): ${rres}")
  endforeach()
  smtpfuzz_check_test(check_exim_strict 1
    "${smtpfuzz_exe}|check|--exec|${exim}|--seconds|${SMTPFUZZ_CHECK_SERVER_SECONDS}|--seed|1|--reply-timeout|1000|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/exim-strict|--quiet"
    "OUT=${SMTPFUZZ_CHECK_WORK}/exim-strict" "FIND=r1-malformed-not-500" "NOT_FIND=r6-memory")
  smtpfuzz_check_test(check_exim_rfc 1
    "${smtpfuzz_exe}|check|--profile|rfc|--exec|${exim}|--seconds|${SMTPFUZZ_CHECK_SERVER_SECONDS}|--seed|1|--reply-timeout|1000|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/exim-rfc|--quiet"
    "OUT=${SMTPFUZZ_CHECK_WORK}/exim-rfc" "NOT_FIND=r6-memory|r1-500-for-command")
  set_tests_properties(check_exim_strict check_exim_rfc PROPERTIES RUN_SERIAL ON)
else()
  message(STATUS "check: Exim tests skipped (they need /usr/sbin/exim4 and root for -C)")
endif()

# --- aiosmtpd on loopback ----------------------------------------------------------------------
if(SMTPFUZZ_CHECK_PYTHON)
  execute_process(COMMAND ${SMTPFUZZ_CHECK_PYTHON} -c "import aiosmtpd" RESULT_VARIABLE aio_rc
                  OUTPUT_QUIET ERROR_QUIET)
endif()
if(SMTPFUZZ_CHECK_PYTHON AND aio_rc EQUAL 0)
  set(aio ${CMAKE_CURRENT_SOURCE_DIR}/servers/aiosmtpd.sh)
  set(probes ${CMAKE_CURRENT_SOURCE_DIR}/check/aiosmtpd)
  foreach(profile strict rfc)
    smtpfuzz_check_test(replay_aiosmtpd_help_${profile} 1
      "${aio}|${smtpfuzz_exe}|replay|--profile|${profile}|--connect|127.0.0.1:@PORT@|${probes}/help.in"
      "STDOUT_REGEX=HELP got 250.*result \\(profile ${profile}\\): r1-help-not-214")
    smtpfuzz_check_test(replay_aiosmtpd_ctrl_${profile} 1
      "${aio}|${smtpfuzz_exe}|replay|--profile|${profile}|--connect|127.0.0.1:@PORT@|${probes}/ctrl-echoed.in"
      "STDOUT_REGEX=result \\(profile ${profile}\\): r2-bad-reply")
  endforeach()
  smtpfuzz_check_test(check_aiosmtpd_strict 1
    "${aio}|${smtpfuzz_exe}|check|--connect|127.0.0.1:@PORT@|--seconds|${SMTPFUZZ_CHECK_SERVER_SECONDS}|--seed|1|--reply-timeout|500|--corpus|${smtpfuzz_corpus}|--out|${SMTPFUZZ_CHECK_WORK}/aiosmtpd|--quiet"
    "OUT=${SMTPFUZZ_CHECK_WORK}/aiosmtpd" "FIND=r1-help-not-214|r2-bad-reply"
    "NOT_FIND=r1-214-not-help|r6-crash")
  set_tests_properties(check_aiosmtpd_strict PROPERTIES RUN_SERIAL ON)
else()
  message(STATUS "check: aiosmtpd tests skipped (python3 -c 'import aiosmtpd' failed)")
endif()

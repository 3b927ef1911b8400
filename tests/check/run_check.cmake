# run_check.cmake - run "smtpfuzz check" or "smtpfuzz replay" once and check what it reported
# (cmake -P driver for tests/check.cmake).
#
#   cmake -DCMD="prog|arg|arg" -DEXPECT_RC=1 [-DOUT=dir] [-DFIND="r1-help-not-214|r2-bad-reply"]
#         [-DNOT_FIND="r6-crash|r6-hang"] [-DSTDOUT_REGEX=re] [-DSTDOUT_NOT_REGEX=re]
#         [-DSTDERR_REGEX=re] [-DFIFO=path] [-DREPLAY="smtpfuzz|replay|--exec|target"]
#         [-DFIND_ANY="r1-500-for-command|r3-missing-reply"] [-DEMPTY_DIR=path]
#         -P run_check.cmake
#
# CMD items are separated by '|' (ctest would split ';'). OUT is wiped first; FIND names rule ids
# that must each have a saved <rule>-*.in, .transcript and .rule in OUT; NOT_FIND rule ids that
# must not. REPLAY is a replay command: run with the first FIND rule's saved .in appended, it
# must exit 1 naming that rule (a saved finding reproduces). Prints the command's output, and
# fails naming what was expected and what came. FIFO is made (mkfifo) before the command runs,
# with no writer, so a command that opens it blocking would hang until the driver's timeout.
# FIND_ANY: at least one of these rule ids has a saved input in OUT (REPLAY then replays the
# first found). EMPTY_DIR is made empty before the command runs (a corpus with no seeds).
cmake_minimum_required(VERSION 3.18)

if(NOT DEFINED CMD OR NOT DEFINED EXPECT_RC)
  message(FATAL_ERROR "run_check.cmake: CMD and EXPECT_RC are required")
endif()
string(REPLACE "|" ";" cmd "${CMD}")
if(DEFINED OUT)
  file(REMOVE_RECURSE "${OUT}")
endif()
if(DEFINED EMPTY_DIR)
  file(REMOVE_RECURSE "${EMPTY_DIR}")
  file(MAKE_DIRECTORY "${EMPTY_DIR}")
endif()
if(DEFINED FIFO)
  get_filename_component(fifo_dir "${FIFO}" DIRECTORY)
  file(MAKE_DIRECTORY "${fifo_dir}")
  file(REMOVE "${FIFO}")
  execute_process(COMMAND mkfifo "${FIFO}" RESULT_VARIABLE mk)
  if(NOT mk EQUAL 0)
    message(FATAL_ERROR "mkfifo ${FIFO} failed")
  endif()
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 120)
message(STATUS "command: ${cmd}\nexit: ${rc}\nstdout:\n${out}\nstderr:\n${err}")
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit status: got '${rc}', want '${EXPECT_RC}'")
endif()
if(DEFINED STDOUT_REGEX AND NOT out MATCHES "${STDOUT_REGEX}")
  message(FATAL_ERROR "stdout does not match '${STDOUT_REGEX}'")
endif()
if(DEFINED STDERR_REGEX AND NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr does not match '${STDERR_REGEX}'")
endif()
if(DEFINED STDOUT_NOT_REGEX AND out MATCHES "${STDOUT_NOT_REGEX}")
  message(FATAL_ERROR "stdout matches '${STDOUT_NOT_REGEX}', which it must not")
endif()
if(DEFINED FIND)
  string(REPLACE "|" ";" find "${FIND}")
  foreach(rule IN LISTS find)
    foreach(ext IN ITEMS in transcript rule)
      file(GLOB hits "${OUT}/${rule}-*.${ext}")
      if(NOT hits)
        file(GLOB all "${OUT}/*.in")
        message(FATAL_ERROR "no ${rule}-*.${ext} saved under ${OUT} (saved: ${all})")
      endif()
    endforeach()
  endforeach()
endif()
if(DEFINED FIND_ANY)
  string(REPLACE "|" ";" any "${FIND_ANY}")
  foreach(rule IN LISTS any)
    file(GLOB hits "${OUT}/${rule}-*.in")
    if(hits)
      set(FIND "${rule}")
      break()
    endif()
  endforeach()
  if(NOT DEFINED FIND)
    file(GLOB all "${OUT}/*.in")
    message(FATAL_ERROR "none of ${FIND_ANY} saved under ${OUT} (saved: ${all})")
  endif()
endif()
if(DEFINED NOT_FIND)
  string(REPLACE "|" ";" notfind "${NOT_FIND}")
  foreach(rule IN LISTS notfind)
    file(GLOB hits "${OUT}/${rule}-*.in")
    if(hits)
      message(FATAL_ERROR "unexpected finding ${rule}: ${hits}")
    endif()
  endforeach()
endif()
if(DEFINED REPLAY AND DEFINED FIND)
  string(REPLACE "|" ";" find "${FIND}")
  list(GET find 0 rule)
  file(GLOB hits "${OUT}/${rule}-*.in")
  list(GET hits 0 saved)
  string(REPLACE "|" ";" replay "${REPLAY}")
  execute_process(COMMAND ${replay} ${saved} RESULT_VARIABLE rrc OUTPUT_VARIABLE rout
                  ERROR_VARIABLE rerr TIMEOUT 60)
  message(STATUS "replay: ${replay} ${saved}\nexit: ${rrc}\nstdout:\n${rout}\nstderr:\n${rerr}")
  if(NOT rrc STREQUAL "1" OR NOT rout MATCHES "result \\(profile [a-z]+\\): ${rule}")
    message(FATAL_ERROR "replaying ${saved} did not reproduce ${rule} (exit ${rrc})")
  endif()
endif()

# run_cli.cmake - run the smtpfuzz program once and check what it did (cmake -P driver).
#
#   cmake -DEXE=path/to/smtpfuzz -DARGS="serve|--listen|x" -DEXPECT_RC=2
#         [-DINPUT=file] [-DSTDERR=empty|nonempty|one-line] [-DSTDOUT_REGEX=re]
#         [-DSTDERR_REGEX=re] [-DEXPECT_CODES="220|214|500|221"] -P run_cli.cmake
#
# ARGS and EXPECT_CODES separate items with '|' because ctest would split a
# ';'. EXPECT_CODES is the exact sequence of reply codes on stdout, one per
# reply (multi-line replies count once, at their last line); every stdout
# line must then look like a reply line ("ddd", "ddd-text", "ddd text").
# Fails (exit non-zero, FATAL_ERROR) naming what was expected and what came.
cmake_minimum_required(VERSION 3.18)

if(NOT DEFINED EXE OR NOT DEFINED EXPECT_RC)
  message(FATAL_ERROR "run_cli.cmake: EXE and EXPECT_RC are required")
endif()
set(args "")
if(DEFINED ARGS AND NOT ARGS STREQUAL "")
  string(REPLACE "|" ";" args "${ARGS}")
endif()
set(input_args "")
if(DEFINED INPUT)
  set(input_args INPUT_FILE "${INPUT}")
endif()

execute_process(COMMAND "${EXE}" ${args} ${input_args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
message(STATUS "command: ${EXE} ${args}\nexit: ${rc}\nstdout:\n${out}\nstderr:\n${err}")

if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit status: got '${rc}', want '${EXPECT_RC}'")
endif()

if(DEFINED STDERR)
  string(STRIP "${err}" err_stripped)
  string(REGEX MATCHALL "\n" err_newlines "${err}")
  list(LENGTH err_newlines err_lines)
  if(STDERR STREQUAL "empty" AND NOT err STREQUAL "")
    message(FATAL_ERROR "stderr: got output, want none")
  elseif(STDERR STREQUAL "nonempty" AND err_stripped STREQUAL "")
    message(FATAL_ERROR "stderr: got nothing, want a message")
  elseif(STDERR STREQUAL "one-line" AND (err_stripped STREQUAL "" OR NOT err_lines EQUAL 1))
    message(FATAL_ERROR "stderr: got ${err_lines} lines, want exactly one line")
  endif()
endif()
if(DEFINED STDERR_REGEX AND NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr: does not match '${STDERR_REGEX}'")
endif()
if(DEFINED STDOUT_REGEX AND NOT out MATCHES "${STDOUT_REGEX}")
  message(FATAL_ERROR "stdout: does not match '${STDOUT_REGEX}'")
endif()

if(DEFINED EXPECT_CODES)
  string(REPLACE "|" ";" want_codes "${EXPECT_CODES}")
  # Neutralise list syntax before splitting the output into lines.
  string(REPLACE ";" "," text "${out}")
  string(REPLACE "\r\n" "\n" text "${text}")
  string(REGEX MATCHALL "[^\n]*\n" lines "${text}")
  set(got_codes "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "\n$" "" line "${line}")
    if(line MATCHES "^([2-5][0-9][0-9])$" OR line MATCHES "^([2-5][0-9][0-9]) ")
      list(APPEND got_codes "${CMAKE_MATCH_1}")
    elseif(NOT line MATCHES "^[2-5][0-9][0-9]-")
      message(FATAL_ERROR "stdout: not a reply line: '${line}'")
    endif()
  endforeach()
  if(NOT text MATCHES "\n$" AND NOT text STREQUAL "")
    message(FATAL_ERROR "stdout: the last reply line does not end in CR LF")
  endif()
  if(NOT got_codes STREQUAL want_codes)
    message(FATAL_ERROR "reply codes: got '${got_codes}', want '${want_codes}'")
  endif()
endif()

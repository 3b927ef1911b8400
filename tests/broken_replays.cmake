# broken_replays.cmake - smtpfuzz_broken_replays(): a fuzz target's checks shown to catch planted
# bugs. Included by tests/mutator.cmake and tests/reply.cmake (include_guard: once).
#
#   smtpfuzz_broken_replays(TARGET <fuzz target> TEST <test prefix> CORPUS <seed dir>
#                           LABEL <ctest label> SOURCES <file>... [LIBRARIES <lib>...]
#                           ROWS <bug>=<pattern>... [ASAN_ROWS <bug>=<pattern>...])
#
# For each row: <TARGET>_broken_<bug>_replay, the replay build of fuzz/<TARGET>.c with SOURCES
# (a wrapper that plants the bug named by BROKEN_<BUG>, and the real code renamed behind it), and
# the ctest <TEST>_broken_<bug>: over the seeds in CORPUS it must report <pattern>, or run clean
# when the pattern is "clean" (the control row, with no bug planted). ASAN_ROWS are rows only an
# ASan build can catch (an out-of-bounds write may go unnoticed without it): added when
# SMTPFUZZ_SANITIZE has address.
include_guard(GLOBAL)

function(smtpfuzz_broken_replays)
  cmake_parse_arguments(PARSE_ARGV 0 B "" "TARGET;TEST;CORPUS;LABEL"
                        "SOURCES;LIBRARIES;ROWS;ASAN_ROWS")
  if(SMTPFUZZ_SANITIZE MATCHES "address")
    list(APPEND B_ROWS ${B_ASAN_ROWS})
  endif()
  foreach(row ${B_ROWS})
    string(REGEX REPLACE "=.*" "" bug "${row}")
    string(REGEX REPLACE "^[^=]*=" "" expect "${row}")
    string(TOUPPER "${bug}" macro)
    set(bin ${B_TARGET}_broken_${bug}_replay)
    add_executable(${bin} ${PROJECT_SOURCE_DIR}/fuzz/${B_TARGET}.c
                          ${PROJECT_SOURCE_DIR}/fuzz/engine_replay.c ${B_SOURCES})
    target_include_directories(${bin} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
    target_compile_definitions(${bin} PRIVATE BROKEN_${macro})
    if(B_LIBRARIES)
      target_link_libraries(${bin} PRIVATE ${B_LIBRARIES})
    endif()
    add_test(NAME ${B_TEST}_broken_${bug}
             COMMAND ${SMTPFUZZ_BASH} ${PROJECT_SOURCE_DIR}/tests/broken/fuzz-check.sh seeds
                     $<TARGET_FILE:${bin}> ${B_CORPUS} ${expect})
    set_tests_properties(${B_TEST}_broken_${bug} PROPERTIES LABELS ${B_LABEL} TIMEOUT 60)
  endforeach()
endfunction()

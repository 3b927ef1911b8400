# The fuzzers find real bugs. Each deliberately broken responder (tests/broken/) breaks one
# oracle rule; these tests prove the harness catches every one of them, and that the correct
# builds stay clean:
#
#   broken_seeds_<bug>, broken_seeds_mini   (any compiler, milliseconds)
#       the replay build of each responder over corpus/fuzz_session/: the hand-made seeds
#       alone must trip each bug's rule, and none may trip the correct mini responder
#   broken_find_<bug>                       (clang-14 with libFuzzer)
#       libFuzzer from the fuzz_session seeds and dict, a fixed seed and a time bound, must
#       save a finding, and scripts/reproduce.sh must replay it to the expected report
#   broken_clean_reference, broken_clean_mini
#       the reference responder and the correct mini responder get a fixed budget and must
#       stay clean
#
# The libFuzzer tests need that build: the broken_build_libfuzzer fixture configures and
# builds the libfuzzer preset in SMTPFUZZ_LIBFUZZER_DIR first (incremental when it is there).
option(SMTPFUZZ_BROKEN_TESTS "Fuzz the deliberately broken responders under ctest" ON)
set(SMTPFUZZ_BROKEN_SECONDS 30 CACHE STRING
    "Upper bound, in seconds, of each broken-responder fuzz run (each stops at its finding)")
set(SMTPFUZZ_CLEAN_SECONDS 20 CACHE STRING
    "Seconds the reference and the correct mini responder are fuzzed and must stay clean")

if(NOT SMTPFUZZ_BROKEN_TESTS)
  return()
endif()
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_BASH)
  message(STATUS "broken-responder tests skipped: they need bash")
  return()
endif()

include(${PROJECT_SOURCE_DIR}/tests/broken/bugs.cmake)
set(smtpfuzz_check ${PROJECT_SOURCE_DIR}/tests/broken/fuzz-check.sh)
set(smtpfuzz_seeds ${PROJECT_SOURCE_DIR}/corpus/fuzz_session)

# The seeds alone, through the replay builds (built with everything else).
if(TARGET fuzz_session_mini_replay)
  add_test(NAME broken_seeds_mini
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_check} seeds $<TARGET_FILE:fuzz_session_mini_replay>
            ${smtpfuzz_seeds} clean)
  set_tests_properties(broken_seeds_mini PROPERTIES TIMEOUT 60 LABELS "fuzz;broken")
  foreach(row ${SMTPFUZZ_BROKEN_BUGS})
    string(REGEX REPLACE "=.*" "" bug "${row}")
    string(REGEX REPLACE "^[^=]*=" "" expect "${row}")
    # A heap overflow shows only under ASan; without it the replay may well run on.
    if(expect MATCHES "buffer-overflow" AND NOT SMTPFUZZ_SANITIZE MATCHES "address")
      continue()
    endif()
    add_test(NAME broken_seeds_${bug}
      COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_check} seeds
              $<TARGET_FILE:fuzz_session_broken_${bug}_replay> ${smtpfuzz_seeds} ${expect})
    set_tests_properties(broken_seeds_${bug} PROPERTIES TIMEOUT 60 LABELS "fuzz;broken")
  endforeach()
endif()

# Fuzzing proper: libFuzzer, so clang-14.
find_program(SMTPFUZZ_CLANG_14 clang-14)
if(NOT SMTPFUZZ_CLANG_14)
  message(STATUS "broken-responder fuzz tests skipped: they need clang-14 (libFuzzer)")
  return()
endif()
set(smtpfuzz_work ${CMAKE_BINARY_DIR}/broken-work)
set(smtpfuzz_seed 1) # fixed, so a failure replays the same way

set(smtpfuzz_broken_targets fuzz_session fuzz_session_replay fuzz_session_mini
                            fuzz_session_mini_replay)
foreach(row ${SMTPFUZZ_BROKEN_BUGS})
  string(REGEX REPLACE "=.*" "" bug "${row}")
  list(APPEND smtpfuzz_broken_targets fuzz_session_broken_${bug} fuzz_session_broken_${bug}_replay)
endforeach()

add_test(NAME broken_build_libfuzzer
  COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_check} build ${SMTPFUZZ_LIBFUZZER_DIR}
          ${smtpfuzz_broken_targets})
set_tests_properties(broken_build_libfuzzer PROPERTIES
  FIXTURES_SETUP smtpfuzz_libfuzzer_build TIMEOUT 1200 RESOURCE_LOCK smtpfuzz_libfuzzer_dir
  LABELS "fuzz;broken")

math(EXPR timeout "${SMTPFUZZ_BROKEN_SECONDS} + 120")
foreach(row ${SMTPFUZZ_BROKEN_BUGS})
  string(REGEX REPLACE "=.*" "" bug "${row}")
  string(REGEX REPLACE "^[^=]*=" "" expect "${row}")
  add_test(NAME broken_find_${bug}
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_check} find ${SMTPFUZZ_LIBFUZZER_DIR}
            fuzz_session_broken_${bug} ${SMTPFUZZ_BROKEN_SECONDS} ${smtpfuzz_seed}
            ${smtpfuzz_work}/${bug} ${expect})
  set_tests_properties(broken_find_${bug} PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_libfuzzer_build TIMEOUT ${timeout} LABELS "fuzz;broken")
endforeach()

math(EXPR timeout "${SMTPFUZZ_CLEAN_SECONDS} + 120")
foreach(what reference mini)
  set(target fuzz_session)
  if(what STREQUAL "mini")
    set(target fuzz_session_mini)
  endif()
  add_test(NAME broken_clean_${what}
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_check} clean ${SMTPFUZZ_LIBFUZZER_DIR} ${target}
            ${SMTPFUZZ_CLEAN_SECONDS} ${smtpfuzz_seed} ${smtpfuzz_work}/clean-${what})
  set_tests_properties(broken_clean_${what} PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_libfuzzer_build TIMEOUT ${timeout} LABELS "fuzz;broken")
endforeach()

# mutator.cmake - the structure-aware mutator is wired into every consumer, and its fuzz target
# replays its corpus. Included by tests/CMakeLists.txt.
#
# Any compiler, no fuzzer build (so they run in the default and the ASan passes):
#   mutator_libfuzzer_hooks    fuzz/mutator_libfuzzer.c with a stand-in LLVMFuzzerMutate: the
#                              3-to-1 split, determinism, bounds, SMTPFUZZ_NO_CUSTOM_MUTATOR
#   mutator_afl_dlopen         this build's libsmtpfuzz_afl_mutator.so through dlopen(), as
#                              afl-fuzz loads it: the three afl_custom_* symbols, 1..max_size
#   mutator_broken_<bug>       fuzz_mutator over corpus/fuzz_mutator/ with a deliberately broken
#                              mutator (tests/mutator/broken_mutator.c) reports the rule the bug
#                              breaks: bound, determinism, kind-id, an ASan overflow (ASan builds);
#                              mutator_broken_none, the unbroken control, stays clean
# Label "fuzz", since they need the fuzzer builds (the ASan pass runs ctest -LE fuzz):
#   mutator_libfuzzer_active   the libfuzzer preset's fuzz_session (built by broken.cmake's
#                              fixture): hooks linked, uninstrumented, used, and switched off by
#                              SMTPFUZZ_NO_CUSTOM_MUTATOR=1 (a few seconds)
#   mutator_afl_build          fixture: the afl preset's mutator library and fuzz_session in
#                              SMTPFUZZ_AFL_DIR (incremental when it is there)
#   mutator_afl_loaded         that library uninstrumented, through the dlopen test, then loaded
#                              by afl-fuzz for 5 seconds of fuzz_session: its stage must add
#                              queue entries
# The scalar and SIMD tokenizer paths are held equal by test_smtp_line_simd; fuzz_mutator's
# corpus replays in fuzz_replay_fuzz_mutator (registered with the target, fuzz/CMakeLists.txt).
set(smtpfuzz_mutator_dir ${CMAKE_CURRENT_SOURCE_DIR}/mutator)

if(TARGET fuzz_mutator_replay)
  add_executable(test_mutator_hooks ${smtpfuzz_mutator_dir}/test_mutator_hooks.c
                                    ${PROJECT_SOURCE_DIR}/fuzz/mutator_libfuzzer.c)
  target_include_directories(test_mutator_hooks PRIVATE ${CMOCKA_INCLUDE_DIR})
  target_link_libraries(test_mutator_hooks PRIVATE smtpfuzz_fuzzing ${CMOCKA_LIBRARY})
  add_test(NAME mutator_libfuzzer_hooks COMMAND test_mutator_hooks)
  set_tests_properties(mutator_libfuzzer_hooks PROPERTIES LABELS mutator TIMEOUT 120)
endif()

add_executable(test_afl_mutator_so ${smtpfuzz_mutator_dir}/test_afl_mutator_so.c)
target_include_directories(test_afl_mutator_so PRIVATE ${CMOCKA_INCLUDE_DIR})
target_link_libraries(test_afl_mutator_so PRIVATE ${CMOCKA_LIBRARY} ${CMAKE_DL_LIBS})
if(TARGET smtpfuzz_afl_mutator)
  add_test(NAME mutator_afl_dlopen
           COMMAND test_afl_mutator_so $<TARGET_FILE:smtpfuzz_afl_mutator>)
  set_tests_properties(mutator_afl_dlopen PROPERTIES LABELS mutator TIMEOUT 120)
endif()

if(NOT SMTPFUZZ_BASH)
  message(STATUS "mutator: the fuzzer-build tests are skipped (they need bash)")
  return()
endif()
set(smtpfuzz_mutator_check ${smtpfuzz_mutator_dir}/mutator-check.sh)

# fuzz_mutator catches a broken mutator: the real one renamed (real_smtp_mutate, ...) behind
# tests/mutator/broken_mutator.c, built once per bug and once with none (the control), each
# replaying corpus/fuzz_mutator/. The pattern is the rule fuzz_mutator must report.
add_library(smtpfuzz_mutator_renamed OBJECT ${PROJECT_SOURCE_DIR}/fuzz/smtp_mutator.c)
target_include_directories(smtpfuzz_mutator_renamed PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
target_compile_definitions(smtpfuzz_mutator_renamed PRIVATE
  smtp_mutate=real_smtp_mutate smtp_mutate_kind=real_smtp_mutate_kind
  smtp_crossover=real_smtp_crossover smtp_mut_kind_id=real_smtp_mut_kind_id)
set(smtpfuzz_broken_mutators
  "none=clean"
  "bound=fuzz_mutator: bound: "
  "reads_room=fuzz_mutator: determinism: "
  "kind_id=fuzz_mutator: kind-id: ")
include(${CMAKE_CURRENT_SOURCE_DIR}/broken_replays.cmake)
smtpfuzz_broken_replays(TARGET fuzz_mutator TEST mutator
  CORPUS ${PROJECT_SOURCE_DIR}/corpus/fuzz_mutator LABEL mutator LIBRARIES smtpfuzz_oracle
  SOURCES ${smtpfuzz_mutator_dir}/broken_mutator.c $<TARGET_OBJECTS:smtpfuzz_mutator_renamed>
  ROWS ${smtpfuzz_broken_mutators} ASAN_ROWS "writes_past=heap-buffer-overflow")

# libFuzzer: reuse broken.cmake's build of the libfuzzer preset when it is there.
if(TEST broken_build_libfuzzer)
  add_test(NAME mutator_libfuzzer_active
           COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_mutator_check} libfuzzer ${SMTPFUZZ_LIBFUZZER_DIR}
                   ${CMAKE_BINARY_DIR}/mutator-work/libfuzzer)
  set_tests_properties(mutator_libfuzzer_active PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_libfuzzer_build TIMEOUT 300 LABELS "fuzz;mutator")
endif()

# AFL++: its own fixture, since nothing else here builds the afl preset.
find_program(SMTPFUZZ_AFL_FUZZ afl-fuzz)
find_program(SMTPFUZZ_AFL_CLANG_FAST afl-clang-fast)
if(SMTPFUZZ_AFL_FUZZ AND SMTPFUZZ_AFL_CLANG_FAST)
  add_test(NAME mutator_afl_build
           COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_mutator_check} afl-build ${SMTPFUZZ_AFL_DIR})
  set_tests_properties(mutator_afl_build PROPERTIES
    FIXTURES_SETUP smtpfuzz_afl_build TIMEOUT 1200 RESOURCE_LOCK smtpfuzz_afl_dir
    LABELS "fuzz;mutator")
  add_test(NAME mutator_afl_loaded
           COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_mutator_check} afl ${SMTPFUZZ_AFL_DIR}
                   $<TARGET_FILE:test_afl_mutator_so> ${CMAKE_BINARY_DIR}/mutator-work/afl 5)
  set_tests_properties(mutator_afl_loaded PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_afl_build TIMEOUT 300 RESOURCE_LOCK smtpfuzz_afl_dir
    LABELS "fuzz;mutator")
else()
  message(STATUS "mutator: the AFL++ tests are skipped (afl-fuzz or afl-clang-fast missing)")
endif()

# SmtpfuzzFuzzer.cmake - smtpfuzz_add_fuzzer(), the one way a fuzz target gets all its builds.
#
#   smtpfuzz_add_fuzzer(NAME <name> CORE <core.c> [MUTATOR]
#                       [ADAPTER <adapter.c>] [DEFINES <macro>...] [SOURCES <file>...])
#
# CORE defines LLVMFuzzerTestOneInput. ADAPTER is the in-process target a session core drives
# (it defines smtpfuzz_target, fuzz/fuzz_target.h); SOURCES are further files of that target
# (your server). DEFINES are compile definitions for CORE, ADAPTER and SOURCES. Every build
# links ${SMTPFUZZ_ORACLE_LIBRARY} (the oracle, the reply parser, the reference responder).
#
# MUTATOR, for targets whose input is a raw SMTP client stream (fuzz_session and its kin): the
# structure-aware mutator (smtp_mutator.h) is used by the engine too.
#   libfuzzer  mutator_libfuzzer.c + smtp_mutator.c are linked in (LLVMFuzzerCustomMutator,
#              LLVMFuzzerCustomCrossOver; SMTPFUZZ_NO_CUSTOM_MUTATOR=1 turns them off at run
#              time). They are compiled without coverage instrumentation (the mutator's own
#              branches are not the target's coverage: -fno-sanitize=fuzzer-no-link), with
#              ASan and UBSan kept, as the object library smtpfuzz_mutator_libfuzzer.
#   afl        the binaries are unchanged; building them builds libsmtpfuzz_afl_mutator.so
#              beside them (target smtpfuzz_afl_mutator), for AFL_CUSTOM_MUTATOR_LIBRARY.
#   replay     unchanged (nothing is mutated there).
#
# Builds, all written to ${CMAKE_BINARY_DIR}/fuzz/:
#   <name>_replay   always: engine_replay.c, any compiler; runs files and folders once (ctest)
#   <name>          SMTPFUZZ_ENGINE=libfuzzer: linked with -fsanitize=fuzzer (set
#                   SMTPFUZZ_SANITIZE=fuzzer-no-link,address,undefined so that every library is
#                   instrumented too; the libfuzzer preset does)
#   <name>          SMTPFUZZ_ENGINE=afl: engine_afl.c, AFL++ persistent mode, shared-memory
#                   inputs (configure with CMAKE_C_COMPILER=afl-clang-fast)
#   <name>_cmplog   SMTPFUZZ_ENGINE=afl: the same, every source (the libraries' too, when their
#                   sources are known) compiled again with AFL_LLVM_CMPLOG=1, for afl-fuzz -c
#   libsmtpfuzz_afl_mutator.so
#                   SMTPFUZZ_ENGINE=afl and MUTATOR (or smtpfuzz_add_afl_mutator()): the AFL++
#                   custom mutator library (mutator_afl.c + smtp_mutator.c), compiled with
#                   AFL_NOOPT=1 (no AFL instrumentation) and no sanitizer, since afl-fuzz itself
#                   loads it
#
# Variables it reads (so an outside project can use it from an installed package):
#   SMTPFUZZ_FUZZ_DIR          folder holding engine_replay.c, engine_afl.c, the headers and,
#                              for MUTATOR, mutator_libfuzzer.c, mutator_afl.c, smtp_mutator.c
#                              (default: the folder of this file)
#   SMTPFUZZ_ORACLE_LIBRARY    target to link (default smtpfuzz_oracle; e.g. smtpfuzz::oracle)
#   SMTPFUZZ_CMPLOG_LIBRARY    target to link into _cmplog builds instead (default: the
#                              _cmplog variant when it exists, else SMTPFUZZ_ORACLE_LIBRARY)
#   SMTPFUZZ_ENGINE            none, libfuzzer or afl
include_guard(GLOBAL)

set(SMTPFUZZ_FUZZ_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE PATH
    "Folder with the smtpfuzz engine adapters and fuzz headers")
if(NOT DEFINED SMTPFUZZ_ENGINE)
  set(SMTPFUZZ_ENGINE none)
endif()
if(NOT DEFINED SMTPFUZZ_ORACLE_LIBRARY)
  set(SMTPFUZZ_ORACLE_LIBRARY smtpfuzz_oracle)
endif()

# _smtpfuzz_fuzzer_target - one executable of a fuzzer: sources, defines, library, folder.
function(_smtpfuzz_fuzzer_target target defines library)
  add_executable(${target} ${ARGN})
  target_include_directories(${target} PRIVATE ${SMTPFUZZ_FUZZ_DIR})
  target_compile_definitions(${target} PRIVATE ${defines})
  target_link_libraries(${target} PRIVATE ${library})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endfunction()

# smtpfuzz_add_afl_mutator - the target smtpfuzz_afl_mutator, libsmtpfuzz_afl_mutator.so in
# ${CMAKE_BINARY_DIR}/fuzz/ (once; later calls do nothing). Under afl-clang-fast it is built
# with AFL_NOOPT=1 and no sanitizer: afl-fuzz, which dlopen()s it, has neither. Elsewhere it
# keeps the folder's flags (an ASan build then checks the library's memory use in tests) but
# never libFuzzer's coverage hooks, which nothing loading it would provide.
function(smtpfuzz_add_afl_mutator)
  if(TARGET smtpfuzz_afl_mutator)
    return()
  endif()
  add_library(smtpfuzz_afl_mutator SHARED ${SMTPFUZZ_FUZZ_DIR}/mutator_afl.c
                                          ${SMTPFUZZ_FUZZ_DIR}/smtp_mutator.c)
  target_include_directories(smtpfuzz_afl_mutator PRIVATE ${SMTPFUZZ_FUZZ_DIR})
  set_target_properties(smtpfuzz_afl_mutator PROPERTIES
    OUTPUT_NAME smtpfuzz_afl_mutator
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz
    C_VISIBILITY_PRESET default)
  if(SMTPFUZZ_ENGINE STREQUAL "afl")
    set_target_properties(smtpfuzz_afl_mutator PROPERTIES C_COMPILER_LAUNCHER "env;AFL_NOOPT=1")
    target_compile_options(smtpfuzz_afl_mutator PRIVATE -fno-sanitize=all)
  elseif(SMTPFUZZ_SANITIZE MATCHES "fuzzer")
    target_compile_options(smtpfuzz_afl_mutator PRIVATE -fno-sanitize=fuzzer-no-link)
  endif()
endfunction()

# _smtpfuzz_libfuzzer_mutator - the object library smtpfuzz_mutator_libfuzzer (once): the hooks
# and the mutator, ASan and UBSan as configured, without libFuzzer's coverage instrumentation.
function(_smtpfuzz_libfuzzer_mutator)
  if(TARGET smtpfuzz_mutator_libfuzzer)
    return()
  endif()
  add_library(smtpfuzz_mutator_libfuzzer OBJECT ${SMTPFUZZ_FUZZ_DIR}/mutator_libfuzzer.c
                                                ${SMTPFUZZ_FUZZ_DIR}/smtp_mutator.c)
  target_include_directories(smtpfuzz_mutator_libfuzzer PRIVATE ${SMTPFUZZ_FUZZ_DIR})
  # A folder outside this project may not compile with SMTPFUZZ_SANITIZE: add it here then.
  get_directory_property(dir_options COMPILE_OPTIONS)
  if(SMTPFUZZ_SANITIZE AND NOT "-fsanitize=${SMTPFUZZ_SANITIZE}" IN_LIST dir_options)
    target_compile_options(smtpfuzz_mutator_libfuzzer PRIVATE -fsanitize=${SMTPFUZZ_SANITIZE}
                           -fno-omit-frame-pointer -fno-sanitize-recover=all)
  endif()
  # Last on the command line, so it wins over the folder's -fsanitize=fuzzer-no-link,...
  target_compile_options(smtpfuzz_mutator_libfuzzer PRIVATE -fno-sanitize=fuzzer-no-link)
endfunction()

function(smtpfuzz_add_fuzzer)
  cmake_parse_arguments(PARSE_ARGV 0 F "MUTATOR" "NAME;CORE;ADAPTER" "DEFINES;SOURCES")
  if(NOT F_NAME OR NOT F_CORE)
    message(FATAL_ERROR "smtpfuzz_add_fuzzer: NAME and CORE are required")
  endif()
  if(F_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "smtpfuzz_add_fuzzer(${F_NAME}): unknown arguments ${F_UNPARSED_ARGUMENTS}")
  endif()
  set(sources ${F_CORE} ${F_ADAPTER} ${F_SOURCES})

  # Always: the replay build, so the corpus runs under any compiler.
  _smtpfuzz_fuzzer_target(${F_NAME}_replay "${F_DEFINES}" ${SMTPFUZZ_ORACLE_LIBRARY}
                          ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_replay.c)

  if(SMTPFUZZ_ENGINE STREQUAL "libfuzzer")
    _smtpfuzz_fuzzer_target(${F_NAME} "${F_DEFINES}" ${SMTPFUZZ_ORACLE_LIBRARY} ${sources})
    target_compile_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    if(F_MUTATOR)
      _smtpfuzz_libfuzzer_mutator()
      target_link_libraries(${F_NAME} PRIVATE smtpfuzz_mutator_libfuzzer)
    endif()
  elseif(SMTPFUZZ_ENGINE STREQUAL "afl")
    _smtpfuzz_fuzzer_target(${F_NAME} "${F_DEFINES}" ${SMTPFUZZ_ORACLE_LIBRARY}
                            ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_afl.c)
    set(cmplog_library ${SMTPFUZZ_ORACLE_LIBRARY})
    if(DEFINED SMTPFUZZ_CMPLOG_LIBRARY)
      set(cmplog_library ${SMTPFUZZ_CMPLOG_LIBRARY})
    elseif(TARGET ${SMTPFUZZ_ORACLE_LIBRARY}_cmplog)
      set(cmplog_library ${SMTPFUZZ_ORACLE_LIBRARY}_cmplog)
    endif()
    _smtpfuzz_fuzzer_target(${F_NAME}_cmplog "${F_DEFINES}" ${cmplog_library}
                            ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_afl.c)
    set_target_properties(${F_NAME}_cmplog PROPERTIES C_COMPILER_LAUNCHER "env;AFL_LLVM_CMPLOG=1")
    if(F_MUTATOR)
      # Building the fuzzer builds its mutator library too (scripts/fuzz.sh builds by target).
      smtpfuzz_add_afl_mutator()
      add_dependencies(${F_NAME} smtpfuzz_afl_mutator)
    endif()
  elseif(NOT SMTPFUZZ_ENGINE STREQUAL "none")
    message(FATAL_ERROR "smtpfuzz_add_fuzzer: SMTPFUZZ_ENGINE is '${SMTPFUZZ_ENGINE}' "
                        "(want none, libfuzzer or afl)")
  endif()
endfunction()

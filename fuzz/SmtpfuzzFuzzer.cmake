# SmtpfuzzFuzzer.cmake - smtpfuzz_add_fuzzer(), the one way a fuzz target gets all its builds.
#
#   smtpfuzz_add_fuzzer(NAME <name> CORE <core.c>
#                       [ADAPTER <adapter.c>] [DEFINES <macro>...] [SOURCES <file>...])
#
# CORE defines LLVMFuzzerTestOneInput. ADAPTER is the in-process target a session core drives
# (it defines smtpfuzz_target, fuzz/fuzz_target.h); SOURCES are further files of that target
# (your server). DEFINES are compile definitions for CORE, ADAPTER and SOURCES. Every build
# links ${SMTPFUZZ_ORACLE_LIBRARY} (the oracle, the reply parser, the reference responder).
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
#
# Variables it reads (so an outside project can use it from an installed package):
#   SMTPFUZZ_FUZZ_DIR          folder holding engine_replay.c, engine_afl.c and the headers
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

function(smtpfuzz_add_fuzzer)
  cmake_parse_arguments(PARSE_ARGV 0 F "" "NAME;CORE;ADAPTER" "DEFINES;SOURCES")
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
  elseif(NOT SMTPFUZZ_ENGINE STREQUAL "none")
    message(FATAL_ERROR "smtpfuzz_add_fuzzer: SMTPFUZZ_ENGINE is '${SMTPFUZZ_ENGINE}' "
                        "(want none, libfuzzer or afl)")
  endif()
endfunction()

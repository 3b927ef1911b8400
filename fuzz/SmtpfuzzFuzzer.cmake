# SmtpfuzzFuzzer.cmake - smtpfuzz_add_fuzzer(), the one way a fuzz target gets all its builds,
# its replay test and its row in the target registry.
#
#   smtpfuzz_add_fuzzer(NAME <name> CORE <core.c> [MUTATOR]
#                       [ADAPTER <adapter.c>] [SOURCES <file>...] [LIBRARIES <lib>...]
#                       [DEFINES <macro>...] [GROUP <group>] [CORPUS <name>] [NO_REPLAY_TEST])
#
# CORE defines LLVMFuzzerTestOneInput. ADAPTER is the in-process target a session core drives
# (it defines smtpfuzz_target, fuzz/fuzz_target.h); SOURCES are further files of that target
# (your server); LIBRARIES what they link beyond the oracle (smtpfuzz_core for the library's
# own code under test). DEFINES are compile definitions for CORE, ADAPTER and SOURCES. Every
# build links ${SMTPFUZZ_ORACLE_LIBRARY} (the oracle and the reply parser only).
#
# GROUP says what the target is for (default "default"):
#   default   run by scripts/fuzz.sh, coverage and the OSS-Fuzz build unless told otherwise
#   extra     known to every script and shipped to OSS-Fuzz, but not run by default
#   broken    a deliberately broken build that tests prove the harness catches
#   bench     a yardstick scripts/bench.sh measures the targets against
#   adapter   a user's target made with smtpfuzz_add_target()
# CORPUS names the seed folder, dictionary and options under SMTPFUZZ_CORPUS_DIR (default: the
# target's own name; the broken builds share fuzz_session's). Unless NO_REPLAY_TEST, or the
# group is broken or bench, the ctest fuzz_replay_<name> runs <name>_replay over the corpus and,
# when SMTPFUZZ_REGRESSIONS_DIR is set, over <dir>/<name>/ and the files directly in <dir>.
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
#   <name>          SMTPFUZZ_ENGINE=external: linked with SMTPFUZZ_ENGINE_LINK (OSS-Fuzz's
#                   $LIB_FUZZING_ENGINE) by the C++ driver when C++ is enabled; no mutator
#   <name>_cmplog   SMTPFUZZ_ENGINE=afl: the same, every source (and the <lib>_cmplog twin of
#                   each library, when one exists) compiled with AFL_LLVM_CMPLOG=1, for
#                   afl-fuzz -c
#   libsmtpfuzz_afl_mutator.so
#                   SMTPFUZZ_ENGINE=afl and MUTATOR (or smtpfuzz_add_afl_mutator()): the AFL++
#                   custom mutator library (mutator_afl.c + smtp_mutator.c), compiled with
#                   AFL_NOOPT=1 (no AFL instrumentation) and no sanitizer, since afl-fuzz itself
#                   loads it
#
# The registry: ${CMAKE_BINARY_DIR}/smtpfuzz-targets.tsv, written when the top folder is done,
# one row per target in definition order (a header line first):
#   name  group  corpus-folder  dict  options  replay-binary  engine-binary  mutator
# (absolute paths; "-" for none). scripts/, bench, coverage and the OSS-Fuzz build read it, so
# the list of targets is written in one place: the smtpfuzz_add_fuzzer() calls.
#
# Variables it reads (so an outside project can use it from an installed package):
#   SMTPFUZZ_FUZZ_DIR          folder holding engine_replay.c, engine_afl.c, the headers and,
#                              for MUTATOR, mutator_libfuzzer.c, mutator_afl.c, smtp_mutator.c
#                              (default: the folder of this file)
#   SMTPFUZZ_CORPUS_DIR        folder of the seed folders, dictionaries and options (default:
#                              ../corpus from this file, right in the source tree and installed)
#   SMTPFUZZ_ORACLE_LIBRARY    the judge every build links (default smtpfuzz_oracle, or
#                              smtpfuzz::oracle from the package)
#   SMTPFUZZ_REGRESSIONS_DIR   saved findings the replay tests run too (default: none)
#   SMTPFUZZ_ENGINE            none, libfuzzer, afl or external
#   SMTPFUZZ_ENGINE_LINK       SMTPFUZZ_ENGINE=external: the flags that link the engine in
include_guard(GLOBAL)

set(SMTPFUZZ_FUZZ_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE PATH
    "Folder with the smtpfuzz engine adapters and fuzz headers")
get_filename_component(_smtpfuzz_corpus_default "${CMAKE_CURRENT_LIST_DIR}/../corpus" ABSOLUTE)
set(SMTPFUZZ_CORPUS_DIR "${_smtpfuzz_corpus_default}" CACHE PATH
    "Folder with smtpfuzz's seed folders, dictionaries and options")
unset(_smtpfuzz_corpus_default)
if(NOT DEFINED SMTPFUZZ_ENGINE)
  set(SMTPFUZZ_ENGINE none)
endif()
if(NOT DEFINED SMTPFUZZ_ORACLE_LIBRARY)
  if(TARGET smtpfuzz::oracle)
    set(SMTPFUZZ_ORACLE_LIBRARY smtpfuzz::oracle)
  else()
    set(SMTPFUZZ_ORACLE_LIBRARY smtpfuzz_oracle)
  endif()
endif()

# _smtpfuzz_fuzzer_target - one executable of a fuzzer: sources, defines, libraries, folder.
function(_smtpfuzz_fuzzer_target target defines libraries)
  add_executable(${target} ${ARGN})
  target_include_directories(${target} PRIVATE ${SMTPFUZZ_FUZZ_DIR})
  target_compile_definitions(${target} PRIVATE ${defines})
  target_link_libraries(${target} PRIVATE ${libraries})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endfunction()

# _smtpfuzz_cmplog_libraries OUT LIB... - each library's _cmplog twin when there is one
function(_smtpfuzz_cmplog_libraries out)
  set(result "")
  foreach(lib ${ARGN})
    if(TARGET ${lib}_cmplog)
      list(APPEND result ${lib}_cmplog)
    else()
      list(APPEND result ${lib})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
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

# _smtpfuzz_engine_builds NAME DEFINES LIBRARIES MUTATOR SOURCES... - the engine's own builds
function(_smtpfuzz_engine_builds name defines libraries mutator)
  set(sources ${ARGN})
  if(SMTPFUZZ_ENGINE STREQUAL "libfuzzer")
    _smtpfuzz_fuzzer_target(${name} "${defines}" "${libraries}" ${sources})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    if(mutator)
      _smtpfuzz_libfuzzer_mutator()
      target_link_libraries(${name} PRIVATE smtpfuzz_mutator_libfuzzer)
    endif()
  elseif(SMTPFUZZ_ENGINE STREQUAL "afl")
    _smtpfuzz_fuzzer_target(${name} "${defines}" "${libraries}"
                            ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_afl.c)
    _smtpfuzz_cmplog_libraries(cmplog_libraries ${libraries})
    _smtpfuzz_fuzzer_target(${name}_cmplog "${defines}" "${cmplog_libraries}"
                            ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_afl.c)
    set_target_properties(${name}_cmplog PROPERTIES C_COMPILER_LAUNCHER "env;AFL_LLVM_CMPLOG=1")
    if(mutator)
      # Building the fuzzer builds its mutator library too (scripts/fuzz.sh builds by target).
      smtpfuzz_add_afl_mutator()
      add_dependencies(${name} smtpfuzz_afl_mutator)
    endif()
  elseif(SMTPFUZZ_ENGINE STREQUAL "external")
    _smtpfuzz_fuzzer_target(${name} "${defines}" "${libraries}" ${sources})
    # As link items, not options: after the objects, so an engine archive (AFL++'s
    # libAFLDriver.a) resolves LLVMFuzzerTestOneInput from them.
    separate_arguments(engine_link UNIX_COMMAND "${SMTPFUZZ_ENGINE_LINK}")
    target_link_libraries(${name} PRIVATE ${engine_link})
    if(CMAKE_CXX_COMPILER_LOADED)
      # OSS-Fuzz links with the C++ driver even for C, so every engine finds its C++ runtime.
      set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
    endif()
  elseif(NOT SMTPFUZZ_ENGINE STREQUAL "none")
    message(FATAL_ERROR "smtpfuzz_add_fuzzer: SMTPFUZZ_ENGINE is '${SMTPFUZZ_ENGINE}' "
                        "(want none, libfuzzer, afl or external)")
  endif()
endfunction()

# _smtpfuzz_replay_test NAME CORPUS - the ctest fuzz_replay_<name> (inert without enable_testing)
function(_smtpfuzz_replay_test name corpus)
  set(dirs "${corpus}")
  if(SMTPFUZZ_REGRESSIONS_DIR)
    string(APPEND dirs "|${SMTPFUZZ_REGRESSIONS_DIR}/${name}|${SMTPFUZZ_REGRESSIONS_DIR}")
  endif()
  add_test(NAME fuzz_replay_${name}
           COMMAND ${CMAKE_COMMAND} -DREPLAY=$<TARGET_FILE:${name}_replay> "-DDIRS=${dirs}"
                   -P ${SMTPFUZZ_FUZZ_DIR}/SmtpfuzzReplay.cmake)
  set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS "replay" TIMEOUT 300)
endfunction()

# _smtpfuzz_write_registry - the registry file, once every folder has defined its targets
function(_smtpfuzz_write_registry)
  get_property(names GLOBAL PROPERTY SMTPFUZZ_TARGETS)
  set(tab "\t")
  set(rows "# name${tab}group${tab}corpus${tab}dict${tab}options${tab}replay${tab}engine${tab}mutator\n")
  foreach(name ${names})
    get_target_property(group ${name}_replay SMTPFUZZ_GROUP)
    get_target_property(corpus ${name}_replay SMTPFUZZ_CORPUS)
    get_target_property(dict ${name}_replay SMTPFUZZ_DICT)
    get_target_property(options ${name}_replay SMTPFUZZ_OPTIONS)
    get_target_property(mutator ${name}_replay SMTPFUZZ_MUTATOR)
    set(engine "-")
    if(TARGET ${name})
      set(engine "$<TARGET_FILE:${name}>")
    endif()
    string(APPEND rows "${name}${tab}${group}${tab}${corpus}${tab}${dict}${tab}${options}${tab}"
                       "$<TARGET_FILE:${name}_replay>${tab}${engine}${tab}${mutator}\n")
  endforeach()
  # Runs deferred, in the top folder's scope: only CMAKE_BINARY_DIR is known for sure there.
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/smtpfuzz-targets.tsv" CONTENT "${rows}")
endfunction()

# _smtpfuzz_register NAME GROUP CORPUS-NAME MUTATOR - the target's row and its replay test
function(_smtpfuzz_register name group corpus_name mutator)
  set(corpus "${SMTPFUZZ_CORPUS_DIR}/${corpus_name}")
  foreach(kind dict options)
    set(${kind} "${SMTPFUZZ_CORPUS_DIR}/${corpus_name}.${kind}")
    if(NOT EXISTS "${${kind}}")
      set(${kind} "-")
    endif()
  endforeach()
  set_target_properties(${name}_replay PROPERTIES SMTPFUZZ_GROUP ${group} SMTPFUZZ_CORPUS "${corpus}"
                        SMTPFUZZ_DICT "${dict}" SMTPFUZZ_OPTIONS "${options}"
                        SMTPFUZZ_MUTATOR ${mutator})
  set_property(GLOBAL APPEND PROPERTY SMTPFUZZ_TARGETS ${name})
  get_property(deferred GLOBAL PROPERTY SMTPFUZZ_REGISTRY_DEFERRED)
  if(NOT deferred)
    set_property(GLOBAL PROPERTY SMTPFUZZ_REGISTRY_DEFERRED ON)
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _smtpfuzz_write_registry)
  endif()
endfunction()

# smtpfuzz_set_target_corpus NAME FOLDER [DICT FILE] [OPTIONS FILE] - point the registry row at
# other seed files (smtpfuzz_add_target's copies beside the binaries)
function(smtpfuzz_set_target_corpus name folder)
  cmake_parse_arguments(PARSE_ARGV 2 C "" "DICT;OPTIONS" "")
  set_target_properties(${name}_replay PROPERTIES SMTPFUZZ_CORPUS "${folder}")
  if(C_DICT)
    set_target_properties(${name}_replay PROPERTIES SMTPFUZZ_DICT "${C_DICT}")
  endif()
  if(C_OPTIONS)
    set_target_properties(${name}_replay PROPERTIES SMTPFUZZ_OPTIONS "${C_OPTIONS}")
  endif()
endfunction()

function(smtpfuzz_add_fuzzer)
  cmake_parse_arguments(PARSE_ARGV 0 F "MUTATOR;NO_REPLAY_TEST" "NAME;CORE;ADAPTER;GROUP;CORPUS"
                        "DEFINES;SOURCES;LIBRARIES")
  if(NOT F_NAME OR NOT F_CORE)
    message(FATAL_ERROR "smtpfuzz_add_fuzzer: NAME and CORE are required")
  endif()
  if(F_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "smtpfuzz_add_fuzzer(${F_NAME}): unknown arguments ${F_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT F_GROUP)
    set(F_GROUP default)
  endif()
  if(NOT F_GROUP MATCHES "^(default|extra|broken|bench|adapter)$")
    message(FATAL_ERROR "smtpfuzz_add_fuzzer(${F_NAME}): GROUP '${F_GROUP}' is not one of "
                        "default, extra, broken, bench, adapter")
  endif()
  if(NOT F_CORPUS)
    set(F_CORPUS ${F_NAME})
  endif()
  set(sources ${F_CORE} ${F_ADAPTER} ${F_SOURCES})
  set(libraries ${SMTPFUZZ_ORACLE_LIBRARY} ${F_LIBRARIES})
  set(mutator 0)
  if(F_MUTATOR)
    set(mutator 1)
  endif()

  # Always: the replay build, so the corpus runs under any compiler.
  _smtpfuzz_fuzzer_target(${F_NAME}_replay "${F_DEFINES}" "${libraries}"
                          ${sources} ${SMTPFUZZ_FUZZ_DIR}/engine_replay.c)
  _smtpfuzz_engine_builds(${F_NAME} "${F_DEFINES}" "${libraries}" ${mutator} ${sources})
  _smtpfuzz_register(${F_NAME} ${F_GROUP} ${F_CORPUS} ${mutator})
  if(NOT F_NO_REPLAY_TEST AND NOT F_GROUP MATCHES "^(broken|bench)$")
    _smtpfuzz_replay_test(${F_NAME} "${SMTPFUZZ_CORPUS_DIR}/${F_CORPUS}")
  endif()
endfunction()

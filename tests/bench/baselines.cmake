# baselines.cmake - the yardsticks scripts/bench.sh measures the fuzz targets against, built
# exactly like the targets (smtpfuzz_add_fuzzer: same engine, flags and adapters).
#
# Included from fuzz/CMakeLists.txt (so it runs in that folder's scope, in every build):
#   bench_empty          an empty LLVMFuzzerTestOneInput: the engine's own cost per input
#   bench_splitter       a minimal line splitter with no oracle
#   bench_tokenize       fuzz_line's code under test alone (the tokenizer, once, unchecked)
#   bench_respond        fuzz_session's code under test alone (one session, unchecked)
# each with its replay build and, per SMTPFUZZ_ENGINE, its libFuzzer or AFL++ persistent build
# (under AFL++ bench_empty is the empty persistent loop). In every build:
#   <t>_inproc           every target's core (fuzz targets and the four above) with
#                        bench_inproc.c instead of engine_replay.c: fixed inputs loaded once and
#                        run in passes for a time, no engine, the replay build's flags. Not built
#                        by default.
# And, with SMTPFUZZ_ENGINE=afl:
#   <t>_forkserver       every target's core (fuzz targets and the four above) with
#                        bench_forkserver.c instead of engine_afl.c: AFL++'s fork server, one
#                        fork per input, the input on stdin. Not built by default (only
#                        scripts/bench.sh asks for them by name).
#   <t>_idle             every target's core (as above) with bench_idle.c, not engine_afl.c:
#                        the empty persistent loop with the core linked but never run, so its
#                        coverage map is the target's (afl-fuzz's cost per input grows with
#                        the map). Not built by default either.
smtpfuzz_add_fuzzer(NAME bench_empty CORE ${CMAKE_CURRENT_LIST_DIR}/bench_empty.c)
smtpfuzz_add_fuzzer(NAME bench_splitter CORE ${CMAKE_CURRENT_LIST_DIR}/bench_splitter.c)
# The floors: no target that checks this code can run more inputs per second than the code alone.
smtpfuzz_add_fuzzer(NAME bench_tokenize CORE ${CMAKE_CURRENT_LIST_DIR}/bench_tokenize.c)
smtpfuzz_add_fuzzer(NAME bench_respond CORE ${CMAKE_CURRENT_LIST_DIR}/bench_respond.c
                    ADAPTER ${SMTPFUZZ_FUZZ_DIR}/target_reference.c)

# _smtpfuzz_bench_variant - <t><suffix>: <t>'s sources without the adapter matching drop,
# with driver instead; excluded from "all"
function(_smtpfuzz_bench_variant t from suffix drop driver)
  get_target_property(srcs ${from} SOURCES)
  list(FILTER srcs EXCLUDE REGEX "${drop}")
  get_target_property(defs ${from} COMPILE_DEFINITIONS)
  add_executable(${t}${suffix} EXCLUDE_FROM_ALL ${srcs} ${driver})
  target_include_directories(${t}${suffix} PRIVATE ${SMTPFUZZ_FUZZ_DIR})
  if(defs)
    target_compile_definitions(${t}${suffix} PRIVATE ${defs})
  endif()
  target_link_libraries(${t}${suffix} PRIVATE ${SMTPFUZZ_ORACLE_LIBRARY})
  set_target_properties(${t}${suffix} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endfunction()

set(smtpfuzz_bench_targets fuzz_line fuzz_session fuzz_reply fuzz_reply_parse fuzz_mutator
                           bench_empty bench_splitter bench_tokenize bench_respond)
foreach(t ${smtpfuzz_bench_targets})
  if(TARGET ${t}_replay)
    _smtpfuzz_bench_variant(${t} ${t}_replay _inproc "engine_replay\\.c$"
                            ${CMAKE_CURRENT_LIST_DIR}/bench_inproc.c)
  endif()
endforeach()

if(SMTPFUZZ_ENGINE STREQUAL "afl")
  foreach(t ${smtpfuzz_bench_targets})
    if(TARGET ${t})
      _smtpfuzz_bench_variant(${t} ${t} _forkserver "engine_afl\\.c$"
                              ${CMAKE_CURRENT_LIST_DIR}/bench_forkserver.c)
      _smtpfuzz_bench_variant(${t} ${t} _idle "engine_afl\\.c$"
                              ${CMAKE_CURRENT_LIST_DIR}/bench_idle.c)
    endif()
  endforeach()
endif()

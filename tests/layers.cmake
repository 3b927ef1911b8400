# layers.cmake - the three layers stay three (README "Architecture"). Included by
# tests/CMakeLists.txt.
#
#   layers_includes        every quoted include in src/, fuzz/ and cli/ runs downward (src <-
#                          fuzz <- cli) and the include graph has no cycle
#   layers_selftest        the include check fails on a scratch tree with an upward include and
#                          on one with a cycle, and passes a clean one
#   layers_oracle_symbols  the oracle archive references nothing of the code it judges (the
#                          tokenizer, the data reader, the reply generator, the responder):
#                          only the reply parser and the wire grammar. A build that broke it
#                          would link, so this is the test that keeps the judge independent.
#   layers_symbols_selftest  that check fails on a scratch archive calling the tokenizer or the
#                          responder, and passes one calling only the reply parser
# tests/layers/check-layers.py does them all.
find_program(SMTPFUZZ_LAYERS_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(SMTPFUZZ_NM NAMES ${CMAKE_NM} nm)
if(NOT SMTPFUZZ_LAYERS_PYTHON)
  message(STATUS "layers: skipped (python3 missing)")
  return()
endif()
set(smtpfuzz_layers ${CMAKE_CURRENT_LIST_DIR}/layers/check-layers.py)
add_test(NAME layers_includes
         COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} includes ${PROJECT_SOURCE_DIR})
add_test(NAME layers_selftest COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} selftest)
set_tests_properties(layers_includes layers_selftest PROPERTIES LABELS "layers" TIMEOUT 60)
if(SMTPFUZZ_NM)
  add_test(NAME layers_oracle_symbols
           COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} symbols ${SMTPFUZZ_NM}
                   $<TARGET_FILE:smtpfuzz_oracle>)
  add_test(NAME layers_symbols_selftest
           COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} symbols-selftest ${SMTPFUZZ_NM}
                   ${CMAKE_C_COMPILER} ${CMAKE_AR})
  set_tests_properties(layers_oracle_symbols layers_symbols_selftest PROPERTIES
                       LABELS "layers" TIMEOUT 60)
endif()

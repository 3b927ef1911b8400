# layers.cmake - the three layers stay three (README "Architecture"). Included by
# tests/CMakeLists.txt.
#
#   layers_includes        every quoted include in src/, fuzz/ and cli/ runs downward (src <-
#                          fuzz <- cli) and the include graph has no cycle
#   layers_oracle_symbols  the oracle archive references nothing of the code it judges (the
#                          tokenizer, the data reader, the reply generator, the responder):
#                          only the reply parser and the wire grammar. A build that broke it
#                          would link, so this is the test that keeps the judge independent.
# tests/layers/check-layers.py does both.
find_program(SMTPFUZZ_LAYERS_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
find_program(SMTPFUZZ_NM NAMES ${CMAKE_NM} nm)
if(NOT SMTPFUZZ_LAYERS_PYTHON)
  message(STATUS "layers: skipped (python3 missing)")
  return()
endif()
set(smtpfuzz_layers ${CMAKE_CURRENT_LIST_DIR}/layers/check-layers.py)
add_test(NAME layers_includes
         COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} includes ${PROJECT_SOURCE_DIR})
set_tests_properties(layers_includes PROPERTIES LABELS "layers" TIMEOUT 60)
if(SMTPFUZZ_NM)
  add_test(NAME layers_oracle_symbols
           COMMAND ${SMTPFUZZ_LAYERS_PYTHON} ${smtpfuzz_layers} symbols ${SMTPFUZZ_NM}
                   $<TARGET_FILE:smtpfuzz_oracle>)
  set_tests_properties(layers_oracle_symbols PROPERTIES LABELS "layers" TIMEOUT 60)
endif()

# coverage.cmake - scripts/coverage.sh writes its HTML report and summary, and the committed
# corpus keeps its coverage of the tokenizer, reply generator, reply parser and responder
# (floors in tests/coverage/check-coverage.sh; figures and gaps in docs/coverage.md).
# It builds the coverage preset's replay builds in its own folder (about a minute).
find_program(SMTPFUZZ_LLVM_COV_14 llvm-cov-14)
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_LLVM_COV_14 OR NOT SMTPFUZZ_BASH)
  message(STATUS "coverage test skipped: it needs llvm-cov-14 and bash")
  return()
endif()
add_test(NAME coverage_committed_corpus
  COMMAND ${SMTPFUZZ_BASH} ${CMAKE_CURRENT_LIST_DIR}/coverage/check-coverage.sh
          ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/coverage-build ${CMAKE_BINARY_DIR}/coverage-report)
# Label fuzz: clang-only tooling, run once (the ASan pass runs ctest -LE fuzz).
set_tests_properties(coverage_committed_corpus PROPERTIES LABELS "fuzz;coverage" TIMEOUT 900)

# Static checks CI enforces: clang-format (the project's .clang-format) and cppcheck.
find_program(SMTPFUZZ_CLANG_FORMAT NAMES clang-format-14 clang-format)
find_program(SMTPFUZZ_CPPCHECK NAMES cppcheck)

if(SMTPFUZZ_CLANG_FORMAT)
  add_test(NAME lint_clang_format
    COMMAND ${CMAKE_COMMAND} -DCLANG_FORMAT=${SMTPFUZZ_CLANG_FORMAT}
            -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_SOURCE_DIR}/lint_format.cmake)
else()
  add_test(NAME lint_clang_format COMMAND ${CMAKE_COMMAND} -E false)
  message(WARNING "clang-format not found: lint_clang_format will fail (scripts/setup.sh test installs it)")
endif()

if(SMTPFUZZ_CPPCHECK)
  # Every layer must be clean; --error-exitcode makes any finding fail.
  add_test(NAME lint_cppcheck
    COMMAND ${SMTPFUZZ_CPPCHECK} --quiet --error-exitcode=1 --std=c11 --language=c
            --enable=warning,performance,portability --inline-suppr
            --suppress=missingIncludeSystem
            -I ${PROJECT_SOURCE_DIR}/src -I ${PROJECT_SOURCE_DIR}/fuzz -I ${PROJECT_SOURCE_DIR}/cli
            ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/fuzz ${PROJECT_SOURCE_DIR}/cli)
else()
  add_test(NAME lint_cppcheck COMMAND ${CMAKE_COMMAND} -E false)
endif()

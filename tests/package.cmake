# The adapter kit from the outside (docs/adapter.md): this build, installed as a CMake package,
# must let a project of its own fuzz its server with one smtpfuzz_add_target() call. The
# project is fuzz/examples/adapter (toy_smtpd behind toy_adapter.c); tests/package/run.sh
# drives each step:
#
#   package_install       cmake --install this build into a scratch prefix (the fixture)
#   package_replay        the example configured against the prefix with this build's compiler
#                         and sanitizers (find_package(smtpfuzz)): its replay build runs every
#                         installed seed clean, with dict, options and corpus beside it
#   package_replay_bug    the same with toy_smtpd's planted bug (TOY_SMTPD_BUG_BARE_LF): a
#                         crafted session and the installed seeds must fail, naming the rule
#   package_libfuzzer     clang-14 libFuzzer build of the buggy toy, fuzzed with the copied
#                         corpus and dict: must save a finding naming the rule (label "fuzz",
#                         so the sanitizer pass, ctest -LE fuzz, leaves it out; skipped when
#                         clang-14 cannot build libFuzzer binaries)
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_BASH)
  message(STATUS "package tests skipped: they need bash")
  return()
endif()
find_program(SMTPFUZZ_CLANG_14 clang-14)

set(smtpfuzz_pkg_run ${CMAKE_CURRENT_LIST_DIR}/package/run.sh)
set(smtpfuzz_pkg_work ${CMAKE_BINARY_DIR}/package-test)
set(smtpfuzz_pkg_prefix ${smtpfuzz_pkg_work}/prefix)
set(smtpfuzz_pkg_example ${PROJECT_SOURCE_DIR}/fuzz/examples/adapter)
set(smtpfuzz_pkg_sanitize "${SMTPFUZZ_SANITIZE}")
if(NOT smtpfuzz_pkg_sanitize)
  set(smtpfuzz_pkg_sanitize "-")
endif()

add_test(NAME package_install
  COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_pkg_run} install ${CMAKE_BINARY_DIR} ${smtpfuzz_pkg_prefix})
set_tests_properties(package_install PROPERTIES
  FIXTURES_SETUP smtpfuzz_package TIMEOUT 60 LABELS "package")

foreach(mode replay bug)
  set(name package_replay)
  if(mode STREQUAL "bug")
    set(name package_replay_bug)
  endif()
  add_test(NAME ${name}
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_pkg_run} ${mode} ${smtpfuzz_pkg_prefix}
            ${smtpfuzz_pkg_example} ${smtpfuzz_pkg_work}/${mode} ${CMAKE_C_COMPILER}
            ${smtpfuzz_pkg_sanitize} "${CMAKE_GENERATOR}" "${CMAKE_BUILD_TYPE}")
  set_tests_properties(${name} PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_package TIMEOUT 120 LABELS "package")
endforeach()

# The tool alone (-DBUILD_TESTING=OFF), installed and run from outside the tree. Not under
# sanitizers: it builds its own copy, with the compiler alone.
if(NOT SMTPFUZZ_SANITIZE)
  add_test(NAME package_tool
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_pkg_run} tool ${PROJECT_SOURCE_DIR}
            ${smtpfuzz_pkg_work}/tool ${CMAKE_C_COMPILER})
  set_tests_properties(package_tool PROPERTIES TIMEOUT 300 LABELS "package;slow")
endif()

if(SMTPFUZZ_CLANG_14)
  add_test(NAME package_libfuzzer
    COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_pkg_run} libfuzzer ${smtpfuzz_pkg_prefix}
            ${smtpfuzz_pkg_example} ${smtpfuzz_pkg_work}/libfuzzer ${SMTPFUZZ_CLANG_14} 10)
  set_tests_properties(package_libfuzzer PROPERTIES
    FIXTURES_REQUIRED smtpfuzz_package TIMEOUT 180 SKIP_RETURN_CODE 77 LABELS "package;fuzz")
else()
  message(STATUS "package_libfuzzer skipped: it needs clang-14 (libFuzzer)")
endif()

# ossfuzz.cmake - the OSS-Fuzz / ClusterFuzzLite build works as those services run it.
#
# Included by tests/CMakeLists.txt. scripts/ossfuzz-build-test.sh runs .clusterfuzzlite/build.sh
# with the compile step's environment (SRC/WORK/OUT in a temporary folder, CC/CFLAGS/
# LIB_FUZZING_ENGINE as OSS-Fuzz sets them), then every built fuzzer over its seed corpus zip and
# for a few seconds of fuzzing with its dict and options:
#   ossfuzz_build_address    libFuzzer and AFL++ (libAFLDriver.a), ASan  (~45 s)
#   ossfuzz_build_undefined  libFuzzer, OSS-Fuzz's UBSan checks          (~20 s)
# Both build in their own temporary trees (nothing under build-*), need clang and AFL++ (the
# script installs them as root through scripts/setup.sh fuzz) and report "skipped" without them.
option(SMTPFUZZ_OSSFUZZ_TESTS "Test the OSS-Fuzz/ClusterFuzzLite build script (needs clang, AFL++)" ON)
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_OSSFUZZ_TESTS OR NOT SMTPFUZZ_BASH)
  return()
endif()

set(smtpfuzz_ossfuzz_test ${PROJECT_SOURCE_DIR}/scripts/ossfuzz-build-test.sh)
add_test(NAME ossfuzz_build_address
  COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_ossfuzz_test} --engine all --sanitizer address --seconds 3)
add_test(NAME ossfuzz_build_undefined
  COMMAND ${SMTPFUZZ_BASH} ${smtpfuzz_ossfuzz_test} --engine libfuzzer --sanitizer undefined
          --seconds 3)
set_tests_properties(ossfuzz_build_address ossfuzz_build_undefined PROPERTIES
  LABELS "fuzz;ossfuzz" TIMEOUT 300 SKIP_RETURN_CODE 77
  # Each fuzzes on the shared cores; run them one at a time.
  RESOURCE_LOCK smtpfuzz_ossfuzz)

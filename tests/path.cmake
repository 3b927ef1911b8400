# path.cmake - fuzz_path catches a broken argument grammar, and a responder that calls it
# wrongly. Included by tests/CMakeLists.txt.
#
#   path_broken_<bug>   fuzz_path over corpus/fuzz_path/ with a deliberately broken grammar
#                       (tests/path/broken_path.c: the real one renamed, real_smtp_path_domain
#                       and real_smtp_path_parse, behind the public names) reports the check the
#                       bug breaks: a trailing hyphen taken, a quoted local part refused, 256 taken
#                       in an IPv4 literal, UTF-8 or "<>" taken where not allowed, the octets used
#                       one short, junk after '>' given another status (the module against the
#                       model); RCPT TO:<> taken by a responder that passes the wrong flags (the
#                       responder against the model); an ASan over-read (ASan builds);
#                       path_broken_none, the unbroken control, stays clean.
# Any compiler, no fuzzer build, so they run in the default and the ASan passes.
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_BASH OR NOT TARGET smtpfuzz_oracle)
  message(STATUS "path: the broken-grammar tests are skipped (they need bash)")
  return()
endif()

add_library(smtpfuzz_path_renamed OBJECT ${PROJECT_SOURCE_DIR}/src/smtp_path.c)
target_include_directories(smtpfuzz_path_renamed PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(smtpfuzz_path_renamed PRIVATE
  smtp_path_domain=real_smtp_path_domain smtp_path_parse=real_smtp_path_parse)
set(smtpfuzz_path_module "fuzz_path: r7-argument-grammar: the module disagrees with the model")
set(smtpfuzz_broken_paths
  "none=clean"
  "trailing_hyphen=${smtpfuzz_path_module}"
  "refuses_quoted=${smtpfuzz_path_module}"
  "accepts_256=${smtpfuzz_path_module}"
  # HELO/EHLO are ASCII-only: whichever check sees it first (the seeds run in name order)
  "utf8_anywhere=fuzz_path: r7-argument-grammar: the (module|responder) disagrees with the model"
  "null_anywhere=${smtpfuzz_path_module}"
  "used_short=${smtpfuzz_path_module}"
  "junk_status=${smtpfuzz_path_module}"
  "rcpt_null=fuzz_path: r7-argument-grammar: the responder disagrees with the model")
include(${CMAKE_CURRENT_SOURCE_DIR}/broken_replays.cmake)
smtpfuzz_broken_replays(TARGET fuzz_path TEST path CORPUS ${PROJECT_SOURCE_DIR}/corpus/fuzz_path
  LABEL path LIBRARIES smtpfuzz_oracle smtpfuzz_core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/path/broken_path.c $<TARGET_OBJECTS:smtpfuzz_path_renamed>
  ROWS ${smtpfuzz_broken_paths} ASAN_ROWS "reads_past=heap-buffer-overflow")

# reply.cmake - fuzz_reply catches a broken reply generator. Included by tests/CMakeLists.txt.
#
#   reply_broken_<bug>   fuzz_reply over corpus/fuzz_reply/ with a deliberately broken generator
#                        (tests/reply/broken_reply.c: the real one renamed, real_smtp_reply_format,
#                        behind the public name) reports the rule the bug breaks: a refusal that
#                        writes (first or last octet) or reports a length, an octet left
#                        unwritten, a length one too long or past the capacity, a bad code
#                        accepted, an ASan overflow (ASan builds);
#                        reply_broken_none, the unbroken control, stays clean.
# Any compiler, no fuzzer build, so they run in the default and the ASan passes.
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_BASH OR NOT TARGET smtpfuzz_oracle)
  message(STATUS "reply: the broken-generator tests are skipped (they need bash)")
  return()
endif()

add_library(smtpfuzz_reply_renamed OBJECT ${PROJECT_SOURCE_DIR}/src/smtp_reply.c)
target_include_directories(smtpfuzz_reply_renamed PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(smtpfuzz_reply_renamed PRIVATE smtp_reply_format=real_smtp_reply_format)
set(smtpfuzz_broken_replies
  "none=clean"
  "refused_head=fuzz_reply: r2-bad-reply: a refused reply wrote to the buffer"
  "refused_tail=fuzz_reply: r2-bad-reply: a refused reply wrote to the buffer"
  "skipped_octet=fuzz_reply: r2-bad-reply: bytes differ from the contract"
  "longer=fuzz_reply: r2-bad-reply: bytes differ from the contract"
  "accepts_code=fuzz_reply: r2-bad-reply: status differs from the contract"
  "refused_length=fuzz_reply: r2-bad-reply: a refused reply has a length"
  "past_cap=fuzz_reply: r2-bad-reply: length beyond the capacity")
include(${CMAKE_CURRENT_SOURCE_DIR}/broken_replays.cmake)
smtpfuzz_broken_replays(TARGET fuzz_reply TEST reply CORPUS ${PROJECT_SOURCE_DIR}/corpus/fuzz_reply
  LABEL reply LIBRARIES smtpfuzz_oracle
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/reply/broken_reply.c $<TARGET_OBJECTS:smtpfuzz_reply_renamed>
  ROWS ${smtpfuzz_broken_replies} ASAN_ROWS "writes_past=heap-buffer-overflow")

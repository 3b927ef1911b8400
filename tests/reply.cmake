# reply.cmake - fuzz_reply catches a broken reply generator. Included by tests/CMakeLists.txt.
#
#   reply_broken_<bug>   fuzz_reply over corpus/fuzz_reply/ with a deliberately broken generator
#                        (tests/reply/broken_reply.c: the real one renamed, real_smtp_reply_format,
#                        behind the public name) reports the rule the bug breaks: a refusal that
#                        writes (first or last octet), an octet left unwritten, a length one too
#                        long, a bad code accepted, an ASan overflow (ASan builds);
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
  "accepts_code=fuzz_reply: r2-bad-reply: status differs from the contract")
# An out-of-bounds write shows only under ASan; without it the replay may well run on.
if(SMTPFUZZ_SANITIZE MATCHES "address")
  list(APPEND smtpfuzz_broken_replies "writes_past=heap-buffer-overflow")
endif()
foreach(row ${smtpfuzz_broken_replies})
  string(REGEX REPLACE "=.*" "" bug "${row}")
  string(REGEX REPLACE "^[^=]*=" "" expect "${row}")
  string(TOUPPER "${bug}" macro)
  add_executable(fuzz_reply_broken_${bug}_replay
    ${PROJECT_SOURCE_DIR}/fuzz/fuzz_reply.c ${PROJECT_SOURCE_DIR}/fuzz/engine_replay.c
    ${CMAKE_CURRENT_SOURCE_DIR}/reply/broken_reply.c $<TARGET_OBJECTS:smtpfuzz_reply_renamed>)
  target_include_directories(fuzz_reply_broken_${bug}_replay PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
  target_compile_definitions(fuzz_reply_broken_${bug}_replay PRIVATE BROKEN_${macro})
  target_link_libraries(fuzz_reply_broken_${bug}_replay PRIVATE smtpfuzz_oracle)
  add_test(NAME reply_broken_${bug}
    COMMAND ${SMTPFUZZ_BASH} ${PROJECT_SOURCE_DIR}/tests/broken/fuzz-check.sh seeds
            $<TARGET_FILE:fuzz_reply_broken_${bug}_replay> ${PROJECT_SOURCE_DIR}/corpus/fuzz_reply
            ${expect})
  set_tests_properties(reply_broken_${bug} PROPERTIES LABELS reply TIMEOUT 60)
endforeach()

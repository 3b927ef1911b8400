# Transcript tests for the reference responder (Postfix-style .in/.ref pairs):
# tests/data/session_<name>.in is a client byte stream (CR LF as real bytes),
# tests/data/session_<name>.ref the exact reply bytes it must produce.
# transcript_run feeds each .in whole, byte by byte and in random chunks, fails
# when those differ or a reply is malformed, and compares with the .ref.
# To (re)generate a .ref after checking it by eye:
#   build/tests/transcript_run tests/data/session_<name>.in > tests/data/session_<name>.ref
add_executable(transcript_run
  ${CMAKE_CURRENT_SOURCE_DIR}/transcript_run.c
  ${CMAKE_CURRENT_SOURCE_DIR}/feed_split.c)
target_include_directories(transcript_run PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(transcript_run PRIVATE smtpfuzz_core)

file(GLOB SMTPFUZZ_SESSION_TRANSCRIPTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/data/session_*.in)
foreach(in ${SMTPFUZZ_SESSION_TRANSCRIPTS})
  get_filename_component(name ${in} NAME_WE)
  get_filename_component(dir ${in} DIRECTORY)
  add_test(NAME transcript_${name} COMMAND transcript_run ${in} ${dir}/${name}.ref)
endforeach()

# fuzz_replay.cmake - ctest replays of the saved fuzz inputs (STYLE rule 11).
#
# Included by tests/CMakeLists.txt: one ctest per fuzz target, fuzz_replay_<t>, which runs
# <t>_replay over corpus/<t>/, tests/regressions/<t>/ and the files directly in
# tests/regressions/ (every target must take any bytes cleanly). The folders are looked at when
# the test runs, not when CMake configures, so seeds added later are replayed without a new
# configure, and a missing or empty folder is simply nothing to replay.
#
# Run as a script (cmake -P, by those tests): -DREPLAY=<binary> -DDIRS=<dir|dir...> ('|' rather
# than ';', which would not survive the trip through add_test).
if(CMAKE_SCRIPT_MODE_FILE)
  string(REPLACE "|" ";" dirs "${DIRS}")
  set(paths "")
  foreach(dir ${dirs})
    if(IS_DIRECTORY "${dir}")
      list(APPEND paths "${dir}")
    endif()
  endforeach()
  if(NOT paths)
    message(STATUS "nothing to replay in ${DIRS}")
    return()
  endif()
  execute_process(COMMAND "${REPLAY}" -v ${paths} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${REPLAY} failed (${rc})")
  endif()
  return()
endif()

if(TARGET test_oracle AND TARGET smtpfuzz_oracle)
  target_link_libraries(test_oracle PRIVATE smtpfuzz_oracle)
endif()

foreach(t fuzz_line fuzz_session fuzz_reply fuzz_reply_parse)
  if(TARGET ${t}_replay)
    add_test(NAME fuzz_replay_${t}
             COMMAND ${CMAKE_COMMAND} -DREPLAY=$<TARGET_FILE:${t}_replay>
                     "-DDIRS=${PROJECT_SOURCE_DIR}/corpus/${t}|${PROJECT_SOURCE_DIR}/tests/regressions/${t}|${PROJECT_SOURCE_DIR}/tests/regressions"
                     -P ${CMAKE_CURRENT_LIST_FILE})
  endif()
endforeach()

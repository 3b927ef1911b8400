# SmtpfuzzReplay.cmake - what each fuzz_replay_<target> ctest runs (smtpfuzz_add_fuzzer):
#
#   cmake -DREPLAY=<target>_replay -DDIRS=<dir|dir...> -P SmtpfuzzReplay.cmake
#
# runs the replay build once over every folder of DIRS that exists ('|' rather than ';', which
# would not survive the trip through add_test). The folders are looked at when the test runs,
# not when CMake configures, so seeds added later are replayed without a new configure, and a
# missing or empty folder is simply nothing to replay. Fails when the replay build does.
if(NOT REPLAY OR NOT DEFINED DIRS)
  message(FATAL_ERROR "usage: cmake -DREPLAY=<binary> -DDIRS=<dir|dir...> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
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

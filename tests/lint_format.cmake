# cmake -P script: fail when any C file of the project is not clang-formatted.
file(GLOB_RECURSE files
  ${SOURCE_DIR}/src/*.c ${SOURCE_DIR}/src/*.h
  ${SOURCE_DIR}/fuzz/*.c ${SOURCE_DIR}/fuzz/*.h
  ${SOURCE_DIR}/cli/*.c ${SOURCE_DIR}/cli/*.h
  ${SOURCE_DIR}/tests/*.c ${SOURCE_DIR}/tests/*.h)
set(bad "")
foreach(f ${files})
  execute_process(COMMAND ${CLANG_FORMAT} --style=file --dry-run -Werror ${f}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "not clang-formatted (run clang-format -i):\n  ${bad}")
endif()

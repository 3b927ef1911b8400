# SmtpfuzzTarget.cmake - smtpfuzz_add_target(): one call that turns an adapter for your C SMTP
# server into smtpfuzz's session fuzz targets (docs/adapter.md).
#
#   smtpfuzz_add_target(NAME <name> ADAPTER <adapter.c>
#                       [SOURCES <file>...] [LIBRARIES <lib>...] [INCLUDES <dir>...]
#                       [DEFINES <macro>...])
#
# ADAPTER defines smtpfuzz_target (fuzz_target.h) over your server; SOURCES are your server's
# files, LIBRARIES the targets or libraries it links (your server as a CMake library, say, or
# smtpfuzz::core when it is built on smtpfuzz's library), INCLUDES the folders its headers live
# in, DEFINES compile definitions for all of these. The core is smtpfuzz's fuzz_session.c: it
# drives the adapter, checks every session with the oracle and feeds each input twice, whole
# and split, comparing the replies. The engines use smtpfuzz's structure-aware SMTP mutator
# (smtpfuzz_add_fuzzer's MUTATOR). The target is registered (group "adapter") like smtpfuzz's
# own, so the registry file lists it for the scripts.
#
# Builds (smtpfuzz_add_fuzzer in SmtpfuzzFuzzer.cmake), in ${CMAKE_BINARY_DIR}/fuzz/:
#   <name>_replay        always, any compiler: runs files and folders of inputs once
#   <name>               SMTPFUZZ_ENGINE=libfuzzer (clang) or afl (afl-clang-fast)
#   <name>_cmplog        SMTPFUZZ_ENGINE=afl: the CMPLOG build for afl-fuzz -c
# and, beside them, what the fuzz commands read (copies of smtpfuzz's session seeds, made when
# CMake configures):
#   <name>_corpus/       the seed corpus (hand-written sessions, named by intent)
#   <name>.dict          the SMTP dictionary (libFuzzer -dict=, afl-fuzz -x)
#   <name>.options       libFuzzer options, OSS-Fuzz style, naming <name>.dict
# and a ctest, fuzz_replay_<name>, replaying the seeds (when the project enables testing).
#
# Variables it reads:
#   SMTPFUZZ_ENGINE        none (default), libfuzzer or afl
#   SMTPFUZZ_SANITIZE      sanitizers for these builds, e.g. fuzzer-no-link,address,undefined
#                          for libFuzzer (skipped when the folder already compiles with them,
#                          as inside the smtpfuzz tree)
#   SMTPFUZZ_CORPUS_DIR    the folder holding fuzz_session/, fuzz_session.dict and .options
#                          (default: ../corpus from this file, right both in the source tree
#                          and in an installed package)
# and those of SmtpfuzzFuzzer.cmake (SMTPFUZZ_FUZZ_DIR, SMTPFUZZ_ORACLE_LIBRARY). The installed
# package (smtpfuzzConfig.cmake) includes this file and points the library at smtpfuzz::oracle.
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/SmtpfuzzFuzzer.cmake)


# _smtpfuzz_target_files - copy the seeds, the dict and the options next to <name>'s binaries.
function(_smtpfuzz_target_files name)
  set(from "${SMTPFUZZ_CORPUS_DIR}")
  set(to "${CMAKE_BINARY_DIR}/fuzz")
  foreach(file fuzz_session fuzz_session.dict fuzz_session.options)
    if(NOT EXISTS "${from}/${file}")
      message(FATAL_ERROR "smtpfuzz_add_target(${name}): ${from}/${file} is missing "
                          "(set SMTPFUZZ_CORPUS_DIR)")
    endif()
  endforeach()

  # Copies, not links: libFuzzer adds what it finds to the first corpus folder it is given.
  file(COPY "${from}/fuzz_session/" DESTINATION "${to}/${name}_corpus")
  configure_file("${from}/fuzz_session.dict" "${to}/${name}.dict" COPYONLY)
  # The options name their dictionary: keep that pointing at the renamed copy.
  file(READ "${from}/fuzz_session.options" options)
  string(REGEX REPLACE "(dict[ \t]*=[ \t]*)fuzz_session\\.dict" "\\1${name}.dict"
         options "${options}")
  set(old "")
  if(EXISTS "${to}/${name}.options")
    file(READ "${to}/${name}.options" old)
  endif()
  if(NOT old STREQUAL options) # untouched otherwise, so nothing downstream sees a new file
    file(WRITE "${to}/${name}.options" "${options}")
  endif()
  # Configure again when seeds are added or removed, or the options change.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${from}/fuzz_session" "${from}/fuzz_session.options")

  smtpfuzz_set_target_corpus(${name} "${to}/${name}_corpus" DICT "${to}/${name}.dict"
                             OPTIONS "${to}/${name}.options")
endfunction()

function(smtpfuzz_add_target)
  cmake_parse_arguments(PARSE_ARGV 0 T "" "NAME;ADAPTER" "SOURCES;LIBRARIES;INCLUDES;DEFINES")
  if(NOT T_NAME OR NOT T_ADAPTER)
    message(FATAL_ERROR "smtpfuzz_add_target: NAME and ADAPTER are required")
  endif()
  if(T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "smtpfuzz_add_target(${T_NAME}): unknown arguments ${T_UNPARSED_ARGUMENTS}")
  endif()
  smtpfuzz_add_fuzzer(NAME ${T_NAME}
                      CORE ${SMTPFUZZ_FUZZ_DIR}/fuzz_session.c
                      ADAPTER ${T_ADAPTER}
                      SOURCES ${T_SOURCES}
                      DEFINES ${T_DEFINES}
                      LIBRARIES ${T_LIBRARIES}
                      GROUP adapter CORPUS fuzz_session
                      MUTATOR)

  # What smtpfuzz_add_fuzzer does not know about: your libraries, headers and sanitizers.
  set(sanitize "")
  if(SMTPFUZZ_SANITIZE)
    get_directory_property(dir_options COMPILE_OPTIONS)
    if(NOT "-fsanitize=${SMTPFUZZ_SANITIZE}" IN_LIST dir_options)
      set(sanitize -fsanitize=${SMTPFUZZ_SANITIZE})
    endif()
  endif()
  foreach(target ${T_NAME}_replay ${T_NAME} ${T_NAME}_cmplog)
    if(NOT TARGET ${target})
      continue()
    endif()
    target_include_directories(${target} PRIVATE ${T_INCLUDES})
    if(sanitize)
      target_compile_options(${target} PRIVATE ${sanitize} -fno-omit-frame-pointer
                             -fno-sanitize-recover=all)
      target_link_options(${target} PRIVATE ${sanitize})
    endif()
  endforeach()

  _smtpfuzz_target_files(${T_NAME})
endfunction()

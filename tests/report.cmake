# report.cmake - scripts/report.sh turns a finding into a complete report and a valid SARIF entry.
#
# Included by tests/CMakeLists.txt: one ctest, report_broken_help_case (label fuzz). It replays a
# known violating session (lower-case "help" answered 500) through the deliberately broken
# responder fuzz_session_broken_help_case (tests/broken/; report.sh builds it and its replay in
# SMTPFUZZ_LIBFUZZER_DIR, the libfuzzer preset, incrementally), twice and through a second
# equivalent input, then checks:
#   - ARTIFACT.report.md has every section, names r1-help-not-214, the reproduce command and the
#     input's hex dump;
#   - the SARIF log is SARIF 2.1.0 ($schema, version, runs[0].tool.driver.name smtpfuzz, rules
#     holding the ruleId, results with ruleId r1-help-not-214, level error, a message, a location
#     and partialFingerprints), with ONE result after three reports of the same finding, and both
#     artifacts listed in it;
#   - a sanitizer finding (fuzz_session_broken_heap_overflow) is a second, distinct result;
#   - bad input (missing file, unknown target) exits 2.
# Everything is written under the build folder; corpus/ and artifacts/ are not touched.
#
# Run as a script (cmake -P, by the test): -DROOT=<source> -DWORK=<scratch> -DBUILD=<libfuzzer dir>
if(CMAKE_SCRIPT_MODE_FILE)
  find_program(PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT PYTHON3)
    find_program(PYTHON3 python3 REQUIRED)
  endif()
  file(REMOVE_RECURSE "${WORK}")
  set(art "${WORK}/artifacts/fuzz_session_broken_help_case")
  set(heap "${WORK}/artifacts/fuzz_session_broken_heap_overflow")
  file(MAKE_DIRECTORY "${art}" "${heap}")
  set(sarif "${WORK}/findings.sarif")
  # The violating sessions, written byte-exact by python (CMake strings cannot hold CR safely).
  execute_process(COMMAND ${PYTHON3} -c
    "import sys; open(sys.argv[1],'wb').write(b'EHLO client.example\\r\\nhelp\\r\\nQUIT\\r\\n'); open(sys.argv[2],'wb').write(b'Help me\\r\\n'); open(sys.argv[3],'wb').write(b'EHLO ' + b'a' * 200 + b'\\r\\nQUIT\\r\\n')"
    "${art}/libfuzzer-crash-help" "${art}/afl-crash-help2" "${heap}/libfuzzer-crash-heap"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write the test inputs")
  endif()

  function(run_report expect_rc)
    execute_process(COMMAND bash "${ROOT}/scripts/report.sh" ${ARGN} --sarif "${sarif}"
                            --build-dir "${BUILD}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    message(STATUS "report.sh ${ARGN}: ${rc}\n${out}${err}")
    if(NOT rc EQUAL ${expect_rc})
      message(FATAL_ERROR "report.sh ${ARGN} exited ${rc}, want ${expect_rc}")
    endif()
  endfunction()

  run_report(0 "${art}/libfuzzer-crash-help")
  run_report(0 "${art}/libfuzzer-crash-help" --no-build)
  run_report(0 "${art}/afl-crash-help2" --no-build)
  run_report(2 "${WORK}/no-such-file" --no-build)
  run_report(2 "${art}/libfuzzer-crash-help" --target no_such_target --no-build)

  set(report "${art}/libfuzzer-crash-help.report.md")
  if(NOT EXISTS "${report}")
    message(FATAL_ERROR "${report} was not written")
  endif()
  file(READ "${report}" md)
  foreach(want "# Finding: r1-help-not-214 in fuzz_session_broken_help_case" "| target |"
               "| engine | libfuzzer |" "## Rule broken" "- id: `r1-help-not-214` (oracle)"
               "## Input, escaped" "help\\r\\n" "## Input, hex dump" "00000000: 4548 4c4f"
               "## Annotated transcript" "## Stack (symbolized)" "oracle_fail"
               "## Reproduce" "scripts/reproduce.sh" "## Fuzzer output")
    string(FIND "${md}" "${want}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${report} lacks \"${want}\":\n${md}")
    endif()
  endforeach()
  if(NOT EXISTS "${art}/afl-crash-help2.report.md")
    message(FATAL_ERROR "the second finding's report was not written beside it")
  endif()

  # One result for three reports of one finding; then a sanitizer finding makes a second.
  set(check_py "
import json, sys
d = json.load(open(sys.argv[1]))
want_results = int(sys.argv[2])
assert d.get('version') == '2.1.0', 'version'
assert 'sarif' in d.get('$schema', ''), '$schema'
runs = d['runs']
assert len(runs) == 1, 'one run'
drv = runs[0]['tool']['driver']
assert drv['name'] == 'smtpfuzz', 'driver name'
ids = [r['id'] for r in drv['rules']]
assert len(ids) == len(set(ids)), 'rule ids unique'
res = runs[0]['results']
assert len(res) == want_results, 'want %d results, got %d' % (want_results, len(res))
fps = set()
for r in res:
    assert r['ruleId'] in ids, 'ruleId in rules'
    assert ids[r['ruleIndex']] == r['ruleId'], 'ruleIndex'
    assert r['level'] == 'error', 'level'
    assert r['message']['text'], 'message'
    loc = r['locations'][0]['physicalLocation']
    assert loc['artifactLocation']['uri'], 'location uri'
    fp = r['partialFingerprints']['smtpfuzzFinding/v1']
    assert fp not in fps, 'fingerprints distinct'
    fps.add(fp)
help_ = [r for r in res if r['ruleId'] == 'r1-help-not-214']
assert len(help_) == 1, 'one r1-help-not-214 result'
arts = help_[0]['properties']['artifacts']
assert len(arts) == 2, 'both help artifacts listed: %r' % arts
assert help_[0]['locations'][0]['physicalLocation']['artifactLocation']['uri'] == 'fuzz/fuzz_session.c'
if want_results == 2:
    heap = [r for r in res if r['ruleId'] == 'heap-buffer-overflow']
    assert len(heap) == 1, 'one heap-buffer-overflow result'
    uri = heap[0]['locations'][0]['physicalLocation']['artifactLocation']['uri']
    assert uri == 'tests/broken/mini_responder.c', uri
print('SARIF ok: %d result(s), rules %s' % (len(res), ids))
")
  execute_process(COMMAND ${PYTHON3} -c "${check_py}" "${sarif}" 1 RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${sarif} is not the SARIF log wanted (one result)")
  endif()
  run_report(0 "${heap}/libfuzzer-crash-heap")
  run_report(0 "${heap}/libfuzzer-crash-heap" --no-build)
  execute_process(COMMAND ${PYTHON3} -c "${check_py}" "${sarif}" 2 RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${sarif} is not the SARIF log wanted (two results)")
  endif()
  return()
endif()

find_program(SMTPFUZZ_CLANG_14 clang-14)
find_program(SMTPFUZZ_BASH bash)
if(NOT SMTPFUZZ_CLANG_14 OR NOT SMTPFUZZ_BASH)
  message(STATUS "report test skipped: it needs clang-14 (libFuzzer) and bash")
  return()
endif()
add_test(NAME report_broken_help_case
  COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -DWORK=${CMAKE_BINARY_DIR}/report-work
          -DBUILD=${SMTPFUZZ_LIBFUZZER_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
# Builds into the libFuzzer folder the broken-responder tests use: one at a time.
set_tests_properties(report_broken_help_case PROPERTIES
  LABELS "fuzz;report" TIMEOUT 900 RESOURCE_LOCK smtpfuzz_libfuzzer_dir)

# The main job writes the reports itself: scripts/fuzz.sh on a broken responder for a few
# seconds must exit 1 with every saved finding reported (FILE.report.md) and a SARIF log.
add_test(NAME fuzz_sh_reports_findings
  COMMAND ${SMTPFUZZ_BASH} ${CMAKE_CURRENT_LIST_DIR}/report/fuzz-sh-reports.sh
          ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/fuzz-sh-report-work ${SMTPFUZZ_LIBFUZZER_DIR})
set_tests_properties(fuzz_sh_reports_findings PROPERTIES
  LABELS "fuzz;report" TIMEOUT 900 RESOURCE_LOCK smtpfuzz_libfuzzer_dir)

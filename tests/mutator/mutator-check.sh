#!/usr/bin/env bash
# mutator-check.sh - ctest driver of tests/mutator.cmake: the structure-aware mutator is really
# wired into the fuzzer builds, not just present in the tree.
#
#   mutator-check.sh libfuzzer BUILD_DIR WORK_DIR
#       BUILD_DIR is a libfuzzer-preset build (fuzz_session built). Checks that
#         - the hooks' objects carry ASan but no libFuzzer coverage instrumentation;
#         - fuzz_session and every fuzz_session_broken_* / _mini that is built export
#           LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver;
#         - a short fixed-seed run of fuzz_session uses them: libFuzzer names every mutation of
#           a new input ("MS: ..."); with the hooks on, some read "CustomCrossOver" or a bare
#           "Custom" (smtp_mutate itself); with SMTPFUZZ_NO_CUSTOM_MUTATOR=1 none do, every
#           "Custom" being a delegation that libFuzzer's own mutation precedes.
#   mutator-check.sh afl-build BUILD_DIR
#       configure the afl preset into BUILD_DIR and build smtpfuzz_afl_mutator and fuzz_session
#   mutator-check.sh afl BUILD_DIR DLOPEN_TEST WORK_DIR SECONDS
#       BUILD_DIR is an afl-preset build. Checks that libsmtpfuzz_afl_mutator.so has no AFL++
#       instrumentation, passes DLOPEN_TEST (the exported API), and that afl-fuzz (4.04c) loads
#       it for fuzz_session and its custom stage adds queue entries in SECONDS of fuzzing.
#
# Exit status: 0 pass, 1 fail, 2 usage or setup error.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=mutator-check.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

# ms_counts LOG - "<CustomCrossOver count> <bare Custom count>" over the log's MS: fields
ms_counts() {
    grep -a -o 'MS: [0-9]* [A-Za-z-]*' "$1" | awk '
        { n = split($3, m, "-")
          prev = ""
          for (i = 1; i <= n; i++) {
              if (m[i] == "CustomCrossOver") cross++
              # smtp_mutate ran: "Custom" with no libFuzzer mutation just before it
              if (m[i] == "Custom" && (prev == "" || prev == "Custom" || prev == "CustomCrossOver"))
                  bare++
              prev = m[i]
          } }
        END { printf "%d %d\n", cross, bare }'
}

case ${1:-} in
libfuzzer)
    [ $# -eq 3 ] || sf_die 2 "usage: mutator-check.sh libfuzzer BUILD_DIR WORK_DIR"
    dir=$2 work=$3
    bin=$dir/fuzz/fuzz_session
    [ -x "$bin" ] || sf_die 2 "$bin is missing: the build fixture did not run or failed"
    for o in "$dir"/fuzz/CMakeFiles/smtpfuzz_mutator_libfuzzer.dir/*.o; do
        [ -f "$o" ] || fail "no objects of smtpfuzz_mutator_libfuzzer in $dir"
        nm "$o" | grep -q -E '__sanitizer_cov|__sancov' && fail "$(basename "$o") has coverage instrumentation"
        nm "$o" | grep -q '__asan_' || fail "$(basename "$o") has no ASan instrumentation"
    done
    echo "ok: the hooks' objects: ASan, no coverage instrumentation"
    for b in "$bin" "$dir"/fuzz/fuzz_session_mini "$dir"/fuzz/fuzz_session_broken_*; do
        case $b in *_replay | *_cmplog) continue ;; esac
        [ -x "$b" ] || continue
        for sym in LLVMFuzzerCustomMutator LLVMFuzzerCustomCrossOver; do
            nm "$b" | grep -q -E " T $sym\$" || fail "$(basename "$b") does not define $sym"
        done
        echo "ok: $(basename "$b") defines the hooks"
    done
    rm -rf "$work"
    mkdir -p "$work/on" "$work/off"
    sf_sanitizer_env
    "$bin" -runs=4000 -seed=1 -max_len=4096 "$work/on" >"$work/on.log" 2>&1 ||
        { tail -n 30 "$work/on.log"; fail "fuzz_session failed with the hooks on"; }
    SMTPFUZZ_NO_CUSTOM_MUTATOR=1 "$bin" -runs=4000 -seed=1 -max_len=4096 "$work/off" \
        >"$work/off.log" 2>&1 ||
        { tail -n 30 "$work/off.log"; fail "fuzz_session failed with the hooks off"; }
    grep -a -q 'INFO: found LLVMFuzzerCustomMutator' "$work/on.log" ||
        fail "libFuzzer did not find LLVMFuzzerCustomMutator"
    read -r on_cross on_bare < <(ms_counts "$work/on.log")
    read -r off_cross off_bare < <(ms_counts "$work/off.log")
    echo "hooks on:  $on_cross CustomCrossOver, $on_bare smtp_mutate among the new inputs' mutations"
    echo "hooks off: $off_cross CustomCrossOver, $off_bare smtp_mutate"
    if [ "$on_cross" -eq 0 ] || [ "$on_bare" -eq 0 ]; then
        fail "with the hooks on, no new input came from them"
    fi
    if [ "$off_cross" -ne 0 ] || [ "$off_bare" -ne 0 ]; then
        fail "SMTPFUZZ_NO_CUSTOM_MUTATOR=1 did not turn the hooks off"
    fi
    echo "PASS: the libFuzzer hooks are linked and active, and the switch turns them off"
    ;;
afl-build)
    [ $# -eq 2 ] || sf_die 2 "usage: mutator-check.sh afl-build BUILD_DIR"
    sf_build afl "$2" smtpfuzz_afl_mutator fuzz_session
    ;;
afl)
    [ $# -eq 5 ] || sf_die 2 "usage: mutator-check.sh afl BUILD_DIR DLOPEN_TEST WORK_DIR SECONDS"
    dir=$2 dlopen_test=$3 work=$4 seconds=$5
    so=$dir/fuzz/libsmtpfuzz_afl_mutator.so
    bin=$dir/fuzz/fuzz_session
    if [ ! -f "$so" ] || [ ! -x "$bin" ]; then
        sf_die 2 "$so or $bin is missing: the build fixture did not run"
    fi
    nm -D "$so" | grep -q -E '__afl|__sanitizer_cov|__asan' &&
        fail "$(basename "$so") carries AFL++ or sanitizer instrumentation"
    echo "ok: $(basename "$so") is not instrumented"
    "$dlopen_test" "$so" || fail "the dlopen test failed on $so"
    rm -rf "$work"
    mkdir -p "$work/in"
    cp "$SF_ROOT"/corpus/fuzz_session/* "$work/in/"
    sf_afl_env
    AFL_NO_AFFINITY=1 AFL_CUSTOM_MUTATOR_LIBRARY=$so \
        afl-fuzz -i "$work/in" -o "$work/out" -V "$seconds" -- "$bin" >"$work/afl.log" 2>&1 ||
        { tail -n 30 "$work/afl.log"; fail "afl-fuzz failed"; }
    grep -a -q "Custom mutator '.*libsmtpfuzz_afl_mutator.so' installed successfully" "$work/afl.log" ||
        { tail -n 30 "$work/afl.log"; fail "afl-fuzz did not install the custom mutator"; }
    # Queue entries are named after the stage that found them: op:<library> for this one.
    custom=$(find "$work/out/default/queue" -name '*op:libsmtpfuzz_afl_mutator*' | wc -l)
    execs=$(sed -n 's/^execs_done *: *//p' "$work/out/default/fuzzer_stats")
    echo "afl-fuzz: ${execs:-?} execs in ${seconds}s, $custom queue entries from the custom stage"
    [ "$custom" -gt 0 ] || fail "the custom stage added nothing to the queue"
    echo "PASS: AFL++ loads the mutator library and its custom stage runs"
    ;;
*)
    sf_die 2 "usage: mutator-check.sh libfuzzer|afl-build|afl ... (see the comment at the top)"
    ;;
esac
exit 0

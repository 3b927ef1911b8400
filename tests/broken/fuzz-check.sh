#!/usr/bin/env bash
# fuzz-check.sh - ctest driver of tests/broken.cmake: fuzz one target for a bounded time
# and check the outcome (a finding that reproduces with the expected rule, or none).
#
#   fuzz-check.sh build BUILD_DIR TARGET...
#       configure the libfuzzer preset into BUILD_DIR and build the TARGETs
#   fuzz-check.sh find BUILD_DIR TARGET SECONDS SEED WORK_DIR PATTERN
#       fuzz TARGET (fuzz_session's seeds and dict) until it fails or SECONDS pass; pass when
#       it failed, saved an artifact, and scripts/reproduce.sh on that artifact exits 1 and
#       prints PATTERN (an oracle rule id or a sanitizer report name)
#   fuzz-check.sh clean BUILD_DIR TARGET SECONDS SEED WORK_DIR
#       fuzz TARGET the same way; pass when nothing was found
#   fuzz-check.sh seeds REPLAY_BIN CORPUS_DIR PATTERN|clean
#       run the replay build (no fuzzing engine, any compiler) over the seeds; pass when it
#       fails printing PATTERN, or, for "clean", when every seed runs clean
#
# Never writes into corpus/: new inputs go to WORK_DIR/corpus, findings to WORK_DIR/artifacts.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=fuzz-check.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

mode=${1:-}
case $mode in
seeds)
    [ $# -eq 4 ] || sf_die 2 "usage: fuzz-check.sh seeds REPLAY_BIN CORPUS_DIR PATTERN|clean"
    [ -x "$2" ] || sf_die 2 "$2 is missing"
    out=$("$2" "$3" 2>&1)
    status=$?
    printf '%s\n' "$out" | grep -v -E '^\s+#[0-9]+ '
    if [ "$4" = clean ]; then
        [ "$status" -eq 0 ] || fail "$(basename "$2") failed on a seed (status $status)"
        echo "PASS: every seed runs clean"
    else
        [ "$status" -ne 0 ] || fail "$(basename "$2") ran every seed clean (expected $4)"
        printf '%s\n' "$out" | grep -q -E -e "$4" || fail "no '$4' in the report"
        echo "PASS: the seeds catch $4"
    fi
    exit 0
    ;;
build)
    [ $# -ge 3 ] || sf_die 2 "usage: fuzz-check.sh build BUILD_DIR TARGET..."
    dir=$2
    shift 2
    sf_build libfuzzer "$dir" "$@"
    exit 0
    ;;
find)
    [ $# -eq 7 ] || sf_die 2 "usage: fuzz-check.sh find BUILD_DIR TARGET SECONDS SEED WORK_DIR PATTERN"
    ;;
clean)
    [ $# -eq 6 ] || sf_die 2 "usage: fuzz-check.sh clean BUILD_DIR TARGET SECONDS SEED WORK_DIR"
    ;;
*)
    sf_die 2 "usage: fuzz-check.sh build|find|clean ... (see the comment at the top)"
    ;;
esac

dir=$2 target=$3 seconds=$4 seed=$5 work=$6 pattern=${7:-}
bin=$dir/fuzz/$target
[ -x "$bin" ] || sf_die 2 "$bin is missing: the build fixture did not run or failed"
sf_use_registry "$dir"
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
mapfile -t flags < <(sf_libfuzzer_flags "$target")
sf_sanitizer_env

start=$(date +%s%N)
"$bin" "${flags[@]}" -seed="$seed" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$(sf_target_field "$target" corpus)" >"$work/fuzz.log" 2>&1
status=$?
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
artifact=$(find "$work/artifacts" -type f | head -n 1)

echo "$target: fuzzer exit $status after ${ms} ms, ${runs:-?} runs, seed $seed"

if [ "$mode" = clean ]; then
    if [ "$status" -ne 0 ] || [ -n "$artifact" ]; then
        tail -n 40 "$work/fuzz.log"
        fail "$target found something in ${seconds}s: ${artifact:-see the log above}"
    fi
    echo "PASS: $target: nothing found in ${seconds}s"
    exit 0
fi

if [ "$status" -eq 0 ] || [ -z "$artifact" ]; then
    tail -n 20 "$work/fuzz.log"
    fail "$target: no finding in ${seconds}s (expected $pattern)"
fi
echo "time-to-find: ${ms} ms ($(basename "$artifact"), $(wc -c <"$artifact") octets)"

"$SF_ROOT/scripts/reproduce.sh" "$artifact" "$target" --no-build --build-dir "$dir" >"$work/reproduce.log" 2>&1
rstatus=$?
cat "$work/reproduce.log"
[ "$rstatus" -eq 1 ] || fail "$target: reproduce.sh exited $rstatus, want 1 (reproduced)"
grep -q -E -e "$pattern" "$work/reproduce.log" ||
    fail "$target: reproduce.sh did not report '$pattern'"
echo "PASS: $target: found and reproduced $pattern"
exit 0

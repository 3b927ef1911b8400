#!/usr/bin/env bash
# test.sh - the whole test suite, as CI runs it (one of the README's two commands).
#
#   scripts/test.sh [--quick] [-- CTEST-ARGS...]
#
# Installs what is missing (scripts/setup.sh test), then builds and runs
# ctest twice: the `ci` preset (the default compiler, -Werror) and the
# `asan` preset (clang-14, ASan + UBSan + LSan). Tests labelled `fuzz`
# (libFuzzer/AFL++ runs, which build their own instrumented trees) run in
# the first pass only. --quick runs the first pass only. Exits non-zero
# when anything fails; the last lines are ctest's closing summary.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2

quick=0
ctest_args=()
while (($#)); do
    case "$1" in
    --quick) quick=1 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

scripts/setup.sh test || exit 2
jobs=$(nproc 2>/dev/null || echo 2)

status=0
run_preset() {
    local preset=$1
    shift
    echo "== configure + build: $preset"
    if ! cmake --preset "$preset" >/dev/null; then
        echo "test.sh: configuring preset $preset failed" >&2
        return 1
    fi
    local log
    log=$(mktemp)
    if ! cmake --build --preset "$preset" -j "$jobs" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "test.sh: building preset $preset failed" >&2
        return 1
    fi
    rm -f "$log"
    echo "== ctest: $preset"
    ctest --preset "$preset" -j "$jobs" "$@" "${ctest_args[@]}"
}

run_preset ci || status=1
if ((quick == 0)); then
    run_preset asan -LE fuzz || status=1
fi
exit $status

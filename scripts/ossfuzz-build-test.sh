#!/usr/bin/env bash
# ossfuzz-build-test.sh - run .clusterfuzzlite/build.sh the way OSS-Fuzz's compile step does,
# then run what it built: every seed corpus once and a few seconds of fuzzing per target.
#
# Usage: scripts/ossfuzz-build-test.sh [--engine libfuzzer|afl|all] [--sanitizer address|undefined]
#                                      [--seconds N] [--keep DIR]
#
# For each engine (default: all = libfuzzer, then afl):
#   1. a fresh SRC/WORK/OUT under a temporary folder, SRC holding a copy of this tree as
#      $SRC/smtpfuzz (build folders, artifacts and .git left out, as in a clean checkout);
#   2. build.sh with the compile step's environment:
#        libfuzzer  CC=clang CXX=clang++, CFLAGS with the sanitizer and -fsanitize=fuzzer-no-link,
#                   LIB_FUZZING_ENGINE=-fsanitize=fuzzer
#        afl        CC=afl-clang-fast CXX=afl-clang-fast++, CFLAGS with the sanitizer (no
#                   fuzzer-no-link), LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a
#   3. checks $OUT: a binary for every fuzz/fuzz_*.c core (so no target can miss the registry
#      fall behind), and <t>_seed_corpus.zip, <t>.dict, <t>.options where corpus/ has them;
#   4. runs each binary over its unzipped seed corpus (libFuzzer: -runs=0 over the folder;
#      AFL++'s driver: the files as arguments), then fuzzes it for N seconds (default 3) with its
#      dict and options (libFuzzer: -max_total_time=N; AFL++: afl-fuzz -V N, one instance, no
#      kernel settings touched). Any crash, sanitizer report or non-zero exit fails the test.
#
# Exit status: 0 passed, 1 failed, 2 usage or setup error, 77 skipped (clang or AFL++ missing
# and not installable: ctest's SKIP_RETURN_CODE).
set -uo pipefail

prog=ossfuzz-build-test.sh
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    local status=$1
    shift
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit "$status"
}

say() {
    printf '%s: %s\n' "$prog" "$*"
}

engines=all
sanitizer=address
seconds=3
keep=""
while [ $# -gt 0 ]; do
    case $1 in
    --engine) [ $# -ge 2 ] || die 2 "--engine needs a value"; engines=$2; shift 2 ;;
    --engine=*) engines=${1#*=}; shift ;;
    --sanitizer) [ $# -ge 2 ] || die 2 "--sanitizer needs a value"; sanitizer=$2; shift 2 ;;
    --sanitizer=*) sanitizer=${1#*=}; shift ;;
    --seconds) [ $# -ge 2 ] || die 2 "--seconds needs a value"; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --keep) [ $# -ge 2 ] || die 2 "--keep needs a value"; keep=$2; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown argument '$1' (see --help)" ;;
    esac
done
case $engines in
all) engines="libfuzzer afl" ;;
libfuzzer | afl) ;;
*) die 2 "unknown engine '$engines': use libfuzzer, afl or all" ;;
esac
case $seconds in
'' | *[!0-9]* | 0) die 2 "--seconds wants a positive whole number, not '$seconds'" ;;
esac

# The sanitizer part of CFLAGS, as OSS-Fuzz's base-builder sets it (SANITIZER_FLAGS_*).
common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,integer-divide-by-zero,null
ubsan_checks=$ubsan_checks,object-size,return,returns-nonnull-attribute,shift
ubsan_checks=$ubsan_checks,signed-integer-overflow,unreachable,vla-bound
case $sanitizer in
address) san_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
undefined)
    san_flags="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks"
    ;;
*) die 2 "unknown sanitizer '$sanitizer': use address or undefined" ;;
esac
# How ClusterFuzz runs them: leaks on, unsigned wrap-around (legal C) not reported.
export ASAN_OPTIONS="detect_leaks=1:symbolize=1:abort_on_error=1:handle_abort=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:silence_unsigned_overflow=1"
sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
[ -n "$sym" ] && export ASAN_SYMBOLIZER_PATH=$sym

# Tools: clang (with libFuzzer) always, AFL++ for the afl engine; setup.sh installs as root.
cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
need_afl=0
case " $engines " in *" afl "*) need_afl=1 ;; esac
if [ -z "$cc" ] || [ -z "$cxx" ] || ! command -v cmake >/dev/null 2>&1 ||
    ! command -v unzip >/dev/null 2>&1 ||
    { [ "$need_afl" -eq 1 ] && ! command -v afl-fuzz >/dev/null 2>&1; }; then
    "$root/scripts/setup.sh" fuzz >&2 || { say "SKIPPED: clang-14, cmake, unzip or AFL++ missing"; exit 77; }
    cc=$(command -v clang-14 || command -v clang || true)
    cxx=$(command -v clang++-14 || command -v clang++ || true)
fi
if [ -z "$cc" ] || [ -z "$cxx" ]; then
    say "SKIPPED: no clang"
    exit 77
fi
afl_driver=/usr/lib/afl/libAFLDriver.a
if [ "$need_afl" -eq 1 ] && { ! command -v afl-clang-fast >/dev/null 2>&1 || [ ! -f "$afl_driver" ]; }; then
    say "SKIPPED: afl-clang-fast or $afl_driver missing"
    exit 77
fi

if [ -n "$keep" ]; then
    mkdir -p "$keep" || die 2 "cannot create $keep"
    top=$(cd "$keep" && pwd)
else
    top=$(mktemp -d "${TMPDIR:-/tmp}/ossfuzz-test.XXXXXX") || die 2 "mktemp failed"
    trap 'rm -rf "$top"' EXIT
fi

failures=0
fail() {
    printf '%s: FAIL: %s\n' "$prog" "$*"
    failures=$((failures + 1))
}

# The fuzz targets the tree defines: every fuzz/fuzz_*.c that holds LLVMFuzzerTestOneInput.
targets=""
for f in "$root"/fuzz/fuzz_*.c; do
    grep -q 'LLVMFuzzerTestOneInput *(const uint8_t' "$f" || continue
    t=$(basename "$f" .c)
    targets="$targets $t"
done
[ -n "$targets" ] || die 2 "no fuzz targets under $root/fuzz"

# option_flags OUT T - libFuzzer flags from $OUT/T.options ([libfuzzer]), dict made absolute
option_flags() {
    local out=$1 t=$2
    [ -f "$out/$t.options" ] || return 0
    awk -v out="$out" '
        /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
        in_lf && /^[ \t]*[a-z_]+[ \t]*=/ {
            key = $0; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]*/, "", key)
            value = $0; sub(/^[^=]*=[ \t]*/, "", value); sub(/[ \t]*$/, "", value)
            if (key == "dict" && value !~ /^\//) value = out "/" value
            printf "-%s=%s\n", key, value
        }' "$out/$t.options"
}

# compile ENGINE - the compile step for one engine into $top/ENGINE/{src,work,out}
compile() {
    local engine=$1 base=$top/$1 log cflags cc_e cxx_e lib
    rm -rf "$base"
    mkdir -p "$base/src/smtpfuzz" "$base/work" "$base/out"
    # A clean checkout: what git would give, without the local build trees and findings.
    tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=./artifacts \
        --exclude=./work-corpus --exclude=./out -cf - . | tar -C "$base/src/smtpfuzz" -xf - ||
        die 2 "copying the tree failed"
    cp "$root/.clusterfuzzlite/build.sh" "$base/src/build.sh"
    if [ "$engine" = libfuzzer ]; then
        cc_e=$cc cxx_e=$cxx cflags="$common $san_flags -fsanitize=fuzzer-no-link"
        lib=-fsanitize=fuzzer
    else
        cc_e=afl-clang-fast cxx_e=afl-clang-fast++ cflags="$common $san_flags" lib=$afl_driver
    fi
    log=$base/compile.log
    say "$engine/$sanitizer: compiling (log ${log#"$top"/})"
    # The compile step: cd $SRC/<project>, run $SRC/build.sh with bash -eu.
    if ! (cd "$base/src/smtpfuzz" &&
        env SRC="$base/src" WORK="$base/work" OUT="$base/out" CC="$cc_e" CXX="$cxx_e" \
            CFLAGS="$cflags" CXXFLAGS="$cflags" LIB_FUZZING_ENGINE="$lib" \
            SANITIZER="$sanitizer" FUZZING_ENGINE="$engine" FUZZING_LANGUAGE=c \
            ARCHITECTURE=x86_64 AFL_QUIET=1 bash -eu "$base/src/build.sh") >"$log" 2>&1; then
        tail -n 30 "$log"
        fail "$engine: build.sh failed"
        return 1
    fi
    return 0
}

# check_out ENGINE - every target built, with its seeds, dict and options beside it
check_out() {
    local out=$top/$1/out t
    for t in $targets; do
        [ -x "$out/$t" ] || fail "$1: \$OUT/$t missing (register it with smtpfuzz_add_fuzzer)"
        if [ -d "$root/corpus/$t" ]; then
            [ -s "$out/${t}_seed_corpus.zip" ] || fail "$1: \$OUT/${t}_seed_corpus.zip missing"
        fi
        for ext in dict options; do
            if [ -f "$root/corpus/$t.$ext" ]; then
                cmp -s "$root/corpus/$t.$ext" "$out/$t.$ext" || fail "$1: \$OUT/$t.$ext missing or differs"
            fi
        done
    done
}

# unzip_seeds OUT T DIR - the seed corpus of T into DIR (a file named "empty" when there is none)
unzip_seeds() {
    mkdir -p "$3"
    if [ -f "$1/${2}_seed_corpus.zip" ]; then
        unzip -q -o "$1/${2}_seed_corpus.zip" -d "$3" || return 1
    fi
    [ -n "$(ls -A "$3")" ] || printf 'HELP\r\n' >"$3/default"
}

run_libfuzzer() {
    local out=$top/libfuzzer/out t run n flags log start
    for t in $targets; do
        [ -x "$out/$t" ] || continue
        run=$top/libfuzzer/run/$t
        mkdir -p "$run/corpus"
        unzip_seeds "$out" "$t" "$run/seeds" || { fail "libfuzzer: $t: bad seed zip"; continue; }
        n=$(find "$run/seeds" -type f | wc -l)
        mapfile -t flags < <(option_flags "$out" "$t")
        log=$run/seeds.log
        if ! (cd "$run" && "$out/$t" "${flags[@]}" -runs=0 -artifact_prefix="$run/" \
            "$run/seeds") >"$log" 2>&1 || ! grep -q 'INITED' "$log"; then
            tail -n 30 "$log"
            fail "libfuzzer: $t: the seed corpus does not run clean ($n inputs)"
            continue
        fi
        say "libfuzzer: $t: $n seeds clean; fuzzing ${seconds}s"
        log=$run/fuzz.log
        start=$(date +%s)
        if ! (cd "$run" && "$out/$t" "${flags[@]}" -max_total_time="$seconds" -timeout=25 \
            -rss_limit_mb=2560 -artifact_prefix="$run/" "$run/corpus" "$run/seeds") \
            >"$log" 2>&1; then
            grep -a -E 'ERROR|SUMMARY|oracle|Test unit written' "$log" | head -n 20
            fail "libfuzzer: $t: fuzzing found something (log kept in --keep DIR)"
            continue
        fi
        say "libfuzzer: $t: $(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | tr -s ' ' | cut -c1-90)" \
            "($(($(date +%s) - start))s)"
    done
}

run_afl() {
    local out=$top/afl/out t run n dict maxlen crashes execs log f bad
    for t in $targets; do
        [ -x "$out/$t" ] || continue
        run=$top/afl/run/$t
        unzip_seeds "$out" "$t" "$run/seeds" || { fail "afl: $t: bad seed zip"; continue; }
        n=$(find "$run/seeds" -type f | wc -l)
        # The driver runs each file given as an argument once, outside afl-fuzz.
        log=$run/seeds.log
        bad=0
        for f in "$run/seeds"/*; do
            if ! "$out/$t" "$f" >>"$log" 2>&1; then
                bad=1
                break
            fi
        done
        if [ "$bad" -ne 0 ]; then
            tail -n 30 "$log"
            fail "afl: $t: the driver fails on seed $(basename "$f")"
            continue
        fi
        say "afl: $t: $n seeds clean; afl-fuzz -V $seconds"
        dict=()
        [ -f "$out/$t.dict" ] && dict=(-x "$out/$t.dict")
        maxlen=$(option_flags "$out" "$t" | sed -n 's/^-max_len=//p')
        [ -n "$maxlen" ] && dict+=(-G "$maxlen")
        log=$run/afl.log
        # One instance, bounded; no CPU binding (other jobs may hold the cores), nothing
        # written to /proc/sys. AFL++ sets its own ASAN_OPTIONS (abort_on_error, no symbolizer).
        if ! env -u ASAN_OPTIONS -u UBSAN_OPTIONS AFL_SKIP_CPUFREQ=1 \
            AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
            timeout $((seconds + 90)) afl-fuzz -i "$run/seeds" -o "$run/out" "${dict[@]}" \
            -V "$seconds" -- "$out/$t" >"$log" 2>&1; then
            tail -n 20 "$log"
            fail "afl: $t: afl-fuzz did not run to its time limit"
            continue
        fi
        crashes=$(sed -n 's/^saved_crashes *: *//p' "$run/out/default/fuzzer_stats" 2>/dev/null)
        execs=$(sed -n 's/^execs_done *: *//p' "$run/out/default/fuzzer_stats" 2>/dev/null)
        if [ -z "$execs" ] || [ "${execs:-0}" -eq 0 ]; then
            tail -n 20 "$log"
            fail "afl: $t: afl-fuzz ran no input"
        elif [ "${crashes:-0}" -ne 0 ]; then
            fail "afl: $t: afl-fuzz saved $crashes crash(es) in $run/out/default/crashes"
        else
            say "afl: $t: $execs execs, no crash"
        fi
    done
}

start_all=$(date +%s)
for engine in $engines; do
    compile "$engine" || continue
    check_out "$engine"
    case $engine in
    libfuzzer) run_libfuzzer ;;
    afl) run_afl ;;
    esac
done
say "$sanitizer, engines: $engines; $(($(date +%s) - start_all))s"
if [ "$failures" -gt 0 ]; then
    say "$failures failure(s)"
    exit 1
fi
say "passed"
exit 0

# shellcheck shell=bash
# lib.sh - shell helpers shared by scripts/fuzz.sh, reproduce.sh and minimize-corpus.sh.
#
# Source it after setting SF_PROG (the calling script's name, for messages). It defines
# functions only, plus SF_ROOT (the source tree) and the lists of known targets; it runs
# nothing and changes no directory.
#
# Exit status convention of every script that uses it: 0 clean, 1 a finding, 2 usage or
# setup error (bad option, unknown target, missing tool, failed build).

SF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SF_PROG=${SF_PROG:-smtpfuzz}

# The project's own fuzz targets, in the order the scripts run them by default.
SF_DEFAULT_TARGETS="fuzz_line fuzz_session fuzz_reply fuzz_reply_parse"
# Known but not run by default: the mutator's own target fuzzes our tool, not an SMTP parser.
SF_EXTRA_TARGETS="fuzz_mutator"

# sf_say - a progress or information line on stderr
sf_say() {
    printf '%s: %s\n' "$SF_PROG" "$*" >&2
}

# sf_die - an error line on stderr, then exit with status $1
sf_die() {
    local status=$1
    shift
    printf '%s: error: %s\n' "$SF_PROG" "$*" >&2
    exit "$status"
}

# sf_broken_targets - the fuzz_session_mini control and every fuzz_session_broken_<bug>
sf_broken_targets() {
    local file=$SF_ROOT/tests/broken/bugs.cmake
    [ -f "$file" ] || return 0
    echo fuzz_session_mini
    sed -n 's/^ *"\([a-z0-9_]*\)=.*/fuzz_session_broken_\1/p' "$file"
}

# sf_all_targets - every target the scripts can build and run, on one line
sf_all_targets() {
    # shellcheck disable=SC2046,SC2086 # word lists, joined on purpose
    echo $SF_DEFAULT_TARGETS $SF_EXTRA_TARGETS $(sf_broken_targets)
}

# sf_known_target NAME - true when NAME is one of sf_all_targets
sf_known_target() {
    local t
    for t in $(sf_all_targets); do
        [ "$t" = "$1" ] && return 0
    done
    return 1
}

# sf_need_target NAME - exit 2 with the list of known targets unless NAME is one
sf_need_target() {
    sf_known_target "$1" || sf_die 2 "unknown target '$1' (known: $(sf_all_targets))"
}

# sf_corpus_name TARGET - the corpus, dict and options name: broken builds share fuzz_session's
sf_corpus_name() {
    case $1 in
    fuzz_session_*) echo fuzz_session ;;
    *) echo "$1" ;;
    esac
}

# sf_preset_dir PRESET - the build folder of a configure preset (CMakePresets.json)
sf_preset_dir() {
    echo "$SF_ROOT/build-$1"
}

# sf_need_tools ENGINE - install what ENGINE needs when missing (apt-get, as root only)
sf_need_tools() {
    local engine=$1 missing="" pkgs=""
    command -v cmake >/dev/null 2>&1 || { missing="$missing cmake"; pkgs="$pkgs cmake"; }
    command -v clang-14 >/dev/null 2>&1 || { missing="$missing clang-14"; pkgs="$pkgs clang-14"; }
    if ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 &&
        ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
        missing="$missing libFuzzer-runtime"
        pkgs="$pkgs libclang-rt-14-dev"
    fi
    command -v llvm-symbolizer-14 >/dev/null 2>&1 || command -v llvm-symbolizer >/dev/null 2>&1 ||
        { missing="$missing llvm-symbolizer"; pkgs="$pkgs llvm-14"; }
    if [ "$engine" = afl ]; then
        command -v afl-fuzz >/dev/null 2>&1 && command -v afl-clang-fast >/dev/null 2>&1 ||
            { missing="$missing afl-fuzz"; pkgs="$pkgs afl++"; }
    fi
    [ -z "$pkgs" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        sf_die 2 "missing:$missing; install them as root: apt-get install -y$pkgs"
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        sf_die 2 "missing:$missing, and no apt-get here to install$pkgs"
    fi
    sf_say "installing$pkgs (missing:$missing)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >&2 ||
        sf_die 2 "apt-get install$pkgs failed"
}

# sf_build PRESET DIR TARGET... - configure PRESET into DIR (when needed) and build TARGETs
sf_build() {
    local preset=$1 dir=$2
    shift 2
    local log
    log=$(mktemp)
    # Configuring again is cheap and picks up fuzz targets added since the last run.
    if ! (cd "$SF_ROOT" && cmake --preset "$preset" -B "$dir") >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        sf_die 2 "cmake --preset $preset -B ${dir#"$SF_ROOT"/} failed"
    fi
    sf_say "building $* (${dir#"$SF_ROOT"/})"
    if ! cmake --build "$dir" --parallel "$(sf_ncpu)" --target "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        rm -f "$log"
        sf_die 2 "build of $* failed"
    fi
    rm -f "$log"
}

# sf_ncpu - processors to build with
sf_ncpu() {
    nproc 2>/dev/null || echo 2
}

# sf_option CORPUS_NAME KEY - a value of the [libfuzzer] section of corpus/<name>.options
sf_option() {
    local file=$SF_ROOT/corpus/$1.options
    [ -f "$file" ] || return 0
    awk -v key="$2" '
        /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
        in_lf && $0 ~ "^[ \t]*" key "[ \t]*=" {
            sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]*$/, ""); print; exit
        }' "$file"
}

# sf_libfuzzer_flags CORPUS_NAME - libFuzzer flags from corpus/<name>.options and the dict
sf_libfuzzer_flags() {
    local name=$1 file=$SF_ROOT/corpus/$1.options key value
    if [ -f "$file" ]; then
        awk '
            /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
            in_lf && /^[ \t]*[a-z_]+[ \t]*=/ {
                key = $0; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]*/, "", key)
                value = $0; sub(/^[^=]*=[ \t]*/, "", value); sub(/[ \t]*$/, "", value)
                print key, value
            }' "$file" | while read -r key value; do
            if [ "$key" = dict ]; then
                printf -- '-dict=%s\n' "$SF_ROOT/corpus/$value"
            else
                printf -- '-%s=%s\n' "$key" "$value"
            fi
        done
    fi
    if [ -z "$(sf_option "$name" dict)" ] && [ -f "$SF_ROOT/corpus/$name.dict" ]; then
        printf -- '-dict=%s\n' "$SF_ROOT/corpus/$name.dict"
    fi
}

# sf_afl_env - the environment every AFL++ tool gets (no kernel settings are touched);
# AFL++ refuses sanitizer options that do not abort, so they are set its way
sf_afl_env() {
    export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
    export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
    export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
}

# sf_sanitizer_env - symbolized, abort-on-error sanitizer reports
sf_sanitizer_env() {
    local sym
    sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
    [ -n "$sym" ] && export ASAN_SYMBOLIZER_PATH=$sym
    export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1:detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}
}

# sf_hash FILE - the SHA-1 of a file's contents, the name found inputs get
sf_hash() {
    sha1sum "$1" | cut -d' ' -f1
}

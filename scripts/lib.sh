# shellcheck shell=bash
# lib.sh - shell helpers shared by scripts/fuzz.sh, reproduce.sh and minimize-corpus.sh.
#
# Source it after setting SF_PROG (the calling script's name, for messages). It defines
# functions only, plus SF_ROOT (the source tree) and SF_REGISTRY (the target registry in use,
# set by sf_use_registry); it runs nothing and changes no directory.
#
# Exit status convention of every script that uses it: 0 clean, 1 a finding, 2 usage or
# setup error (bad option, unknown target, missing tool, failed build).

SF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SF_PROG=${SF_PROG:-smtpfuzz}

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

# The target registry: build/smtpfuzz-targets.tsv, which CMake writes from the
# smtpfuzz_add_fuzzer() calls (fuzz/SmtpfuzzFuzzer.cmake), one row per target:
#   name group corpus dict options replay engine mutator
# Scripts read targets, seeds, dictionaries and options from it (sf_use_registry first), so a
# target added to the build, or made with the adapter kit, is known everywhere at once.
SF_REGISTRY=""

# sf_configure PRESET DIR - configure PRESET into DIR (cheap when done before; picks up targets
# added since)
sf_configure() {
    local preset=$1 dir=$2 log
    log=$(mktemp)
    if ! (cd "$SF_ROOT" && cmake --preset "$preset" -B "$dir") >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        sf_die 2 "cmake --preset $preset -B ${dir#"$SF_ROOT"/} failed"
    fi
    rm -f "$log"
}

# sf_use_registry DIR [PRESET] - use DIR's registry; configure PRESET into DIR when it has none
sf_use_registry() {
    local dir=$1 preset=${2:-}
    if [ ! -f "$dir/smtpfuzz-targets.tsv" ] && [ -n "$preset" ]; then
        sf_configure "$preset" "$dir"
    fi
    [ -f "$dir/smtpfuzz-targets.tsv" ] ||
        sf_die 2 "no target registry in ${dir#"$SF_ROOT"/} (is it a configured smtpfuzz build?)"
    SF_REGISTRY=$dir/smtpfuzz-targets.tsv
}

# sf_targets GROUP... - the names of the registered targets of those groups, in build order
# (groups: default, extra, broken, bench, adapter; "all": every group but bench)
sf_targets() {
    local want=" $* "
    [ "$want" = " all " ] && want=" default extra broken adapter "
    awk -F '\t' -v want="$want" '!/^#/ && index(want, " " $2 " ") { print $1 }' "$SF_REGISTRY"
}

# sf_default_targets - what the scripts run when given no target, on one line
sf_default_targets() {
    # shellcheck disable=SC2046 # a word list, joined on purpose
    echo $(sf_targets default)
}

# sf_all_targets - every target the scripts can build and run, on one line
sf_all_targets() {
    # shellcheck disable=SC2046 # a word list, joined on purpose
    echo $(sf_targets all)
}

# sf_target_field NAME FIELD - one column of NAME's row (group, corpus, dict, options, replay,
# engine, mutator); "-" stands for none and prints nothing
sf_target_field() {
    local col
    case $2 in
    group) col=2 ;; corpus) col=3 ;; dict) col=4 ;; options) col=5 ;; replay) col=6 ;;
    engine) col=7 ;; mutator) col=8 ;;
    *) sf_die 2 "sf_target_field: unknown field '$2'" ;;
    esac
    awk -F '\t' -v name="$1" -v col="$col" \
        '!/^#/ && $1 == name { if ($col != "-") print $col; exit }' "$SF_REGISTRY"
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

# sf_build PRESET DIR TARGET... - configure PRESET into DIR and build TARGETs
sf_build() {
    local preset=$1 dir=$2
    shift 2
    local log
    # Configuring again is cheap and picks up fuzz targets added since the last run.
    sf_configure "$preset" "$dir"
    log=$(mktemp)
    sf_say "building $* (${dir#"$SF_ROOT"/})"
    if ! cmake --build "$dir" --parallel "$(sf_ncpu)" --target "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        rm -f "$log"
        sf_die 2 "build of $* failed"
    fi
    rm -f "$log"
}

# sf_smtpfuzz NOBUILD - the smtpfuzz program to run: $SMTPFUZZ when set, else build/smtpfuzz
# (built first unless NOBUILD is 1), else one on PATH (an installed tool)
sf_smtpfuzz() {
    local dir=$SF_ROOT/build
    if [ -n "${SMTPFUZZ:-}" ]; then # the caller names the program (tests, other builds)
        [ -x "$SMTPFUZZ" ] || sf_die 2 "SMTPFUZZ=$SMTPFUZZ is not an executable"
        echo "$SMTPFUZZ"
        return
    fi
    if [ "$1" != 1 ] && [ -f "$SF_ROOT/CMakeLists.txt" ]; then
        sf_build default "$dir" smtpfuzz >&2
    fi
    if [ -x "$dir/smtpfuzz" ]; then
        echo "$dir/smtpfuzz"
    elif command -v smtpfuzz >/dev/null 2>&1; then
        command -v smtpfuzz
    else
        sf_die 2 "no smtpfuzz program: build one (cmake --preset default) or install it"
    fi
}

# sf_ncpu - processors to build with
sf_ncpu() {
    nproc 2>/dev/null || echo 2
}

# sf_option TARGET KEY - a value of the [libfuzzer] section of TARGET's options file
sf_option() {
    local file
    file=$(sf_target_field "$1" options)
    [ -n "$file" ] && [ -f "$file" ] || return 0
    awk -v key="$2" '
        /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
        in_lf && $0 ~ "^[ \t]*" key "[ \t]*=" {
            sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]*$/, ""); print; exit
        }' "$file"
}

# sf_libfuzzer_flags TARGET - libFuzzer flags from TARGET's options file, and its dictionary
# (a dict named in the options file is beside it)
sf_libfuzzer_flags() {
    local file dict key value
    file=$(sf_target_field "$1" options)
    dict=$(sf_target_field "$1" dict)
    if [ -n "$file" ] && [ -f "$file" ]; then
        awk '
            /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
            in_lf && /^[ \t]*[a-z_]+[ \t]*=/ {
                key = $0; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]*/, "", key)
                value = $0; sub(/^[^=]*=[ \t]*/, "", value); sub(/[ \t]*$/, "", value)
                print key, value
            }' "$file" | while read -r key value; do
            if [ "$key" = dict ]; then
                printf -- '-dict=%s\n' "$(dirname "$file")/$value"
            else
                printf -- '-%s=%s\n' "$key" "$value"
            fi
        done
    fi
    if [ -z "$(sf_option "$1" dict)" ] && [ -n "$dict" ] && [ -f "$dict" ]; then
        printf -- '-dict=%s\n' "$dict"
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

#!/usr/bin/env bash
# reproduce.sh - replay one saved input (a finding or a corpus file) through its fuzz target.
#
# Usage: scripts/reproduce.sh FILE [TARGET] [--minimize] [--build-dir DIR] [--no-build]
#
# Runs FILE through the libFuzzer (ASan + UBSan) build of TARGET and prints the symbolized
# stack and the oracle's message, then the annotated transcript from the replay build.
# Exit status: 1 the input reproduces a finding, 0 it runs clean, 2 usage or setup error.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=reproduce.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/reproduce.sh FILE [TARGET] [--minimize] [--build-dir D] [--afl-build-dir D]
                           [--no-build]

Replays FILE (libFuzzer crash-*/timeout-*/leak-* files, AFL++ crashes/id:* files, corpus
entries) through the libFuzzer build of TARGET, with a symbolized stack on a sanitizer
report, then prints the oracle's annotated transcript of the session when the target has
one (fuzz_session targets: <target>_replay with SMTPFUZZ_TRANSCRIPT=1 when it supports it,
else "smtpfuzz replay" for the reference responder).

  TARGET          fuzz target name; guessed from the path (artifacts/<target>/...,
                  corpus/<target>/..., work-corpus/<target>/...) when left out
  --minimize      shrink a reproducing input: libFuzzer -minimize_crash=1 (afl-tmin for
                  AFL++ inputs when the afl build exists and crashes on it); the result is
                  kept beside the input as FILE.min, then replayed
  --build-dir D   libFuzzer build folder (default: build-libfuzzer, preset libfuzzer)
  --afl-build-dir D  AFL++ build folder afl-tmin uses (default: build-afl; not rebuilt)
  --no-build      do not (re)build; fail if the binary is missing
  -h, --help      this text

Exit status: 1 the input reproduces a finding (crash, sanitizer report or oracle
violation), 0 it runs clean, 2 usage or setup error.
EOF
}

file=""
target=""
minimize=0
nobuild=0
build=$(sf_preset_dir libfuzzer)
afl_build=$(sf_preset_dir afl)

while [ $# -gt 0 ]; do
    case $1 in
    --minimize) minimize=1; shift ;;
    --no-build) nobuild=1; shift ;;
    --build-dir) [ $# -ge 2 ] || sf_die 2 "--build-dir needs a value"; build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --afl-build-dir) [ $# -ge 2 ] || sf_die 2 "--afl-build-dir needs a value"; afl_build=$2; shift 2 ;;
    --afl-build-dir=*) afl_build=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) sf_die 2 "unknown option '$1' (see --help)" ;;
    *)
        if [ -z "$file" ]; then
            file=$1
        elif [ -z "$target" ]; then
            target=$1
        else
            sf_die 2 "too many arguments: '$1' (see --help)"
        fi
        shift
        ;;
    esac
done

[ -n "$file" ] || { usage >&2; exit 2; }
[ -f "$file" ] || sf_die 2 "no such file: $file"
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")

# A "smtpfuzz check" finding carries its record (FILE.json): replay it against the target it
# was found on, under the profile and mode it was found with.
if grep -q '"format": "smtpfuzz-finding"' "$file.json" 2>/dev/null; then
    [ "$minimize" -eq 0 ] || sf_die 2 "--minimize: a check finding shrinks with 'smtpfuzz check --minimize FILE'"
    cli=$(sf_smtpfuzz "$nobuild")
    echo "== smtpfuzz replay --as-recorded ${file#"$SF_ROOT"/}"
    "$cli" replay --as-recorded "$file"
    status=$?
    case $status in
    0) echo "== clean: the recorded target ran the input without a finding"; exit 0 ;;
    1) echo "== reproduced: the recorded target broke the rule again"; exit 1 ;;
    *) sf_die 2 "smtpfuzz replay --as-recorded failed (status $status)" ;;
    esac
fi

# Targets come from the build's registry (configured when it has none).
build=$(mkdir -p "$build" && cd "$build" && pwd)
[ "$nobuild" -eq 1 ] || sf_need_tools libfuzzer
sf_use_registry "$build" libfuzzer

# The target is the folder under artifacts/, corpus/ or work-corpus/ (or any fuzz_* folder).
if [ -z "$target" ]; then
    d=$(dirname "$file")
    while [ "$d" != / ]; do
        b=$(basename "$d")
        if sf_known_target "$b"; then
            target=$b
            break
        fi
        d=$(dirname "$d")
    done
    [ -n "$target" ] || sf_die 2 "cannot tell the target from the path $file: name it (see --help)"
fi
sf_need_target "$target"
# The seed folder's name tells which inputs the target takes (fuzz_session: client streams).
name=$(basename "$(sf_target_field "$target" corpus)")
bin=$build/fuzz/$target
replay=$build/fuzz/${target}_replay

if [ "$nobuild" -eq 0 ]; then
    extra=""
    [ "$target" = fuzz_session ] && extra=smtpfuzz # its "replay" prints the transcript
    # shellcheck disable=SC2086
    sf_build libfuzzer "$build" "$target" "${target}_replay" $extra
fi
[ -x "$bin" ] || sf_die 2 "$bin is missing (build the libfuzzer preset, or drop --no-build)"

sf_sanitizer_env
# Options from the target's options file, except those that would stop a long input running.
mapfile -t flags < <(sf_libfuzzer_flags "$target" | grep -v -E '^-(max_len|dict)=')

# run_input FILE - replay once; prints everything, returns the fuzzer's status
run_input() {
    echo "== $target < ${1#"$SF_ROOT"/} ($(wc -c <"$1") octets)"
    "$bin" "${flags[@]}" -timeout=25 -rss_limit_mb=2560 -runs=1 "$1" 2>&1 |
        grep -v -E '^(INFO: |MS: |base unit: |Running: |Executed .* in [0-9]+ ms|\*\*\*)'
    return "${PIPESTATUS[0]}"
}

run_input "$file"
status=$?

# transcript FILE - the oracle's annotated transcript of the session, when one can be had:
# from the target's replay build when it prints one on request (SMTPFUZZ_TRANSCRIPT=1), else,
# for the reference responder, from "smtpfuzz replay"
transcript() {
    if [ -x "$replay" ] && grep -q -a SMTPFUZZ_TRANSCRIPT "$replay"; then
        echo "== transcript"
        SMTPFUZZ_TRANSCRIPT=1 "$replay" "$1" 2>&1 | grep -v -E '^(INFO: |Running: )'
    elif [ "$target" = fuzz_session ] && [ -x "$build/smtpfuzz" ] &&
        "$build/smtpfuzz" replay --help >/dev/null 2>&1; then
        echo "== transcript (smtpfuzz replay)"
        "$build/smtpfuzz" replay "$1" 2>&1
    else
        echo "== no transcript: $target has no transcript printer"
    fi
}

case $name in
fuzz_session) transcript "$file" ;;
esac

if [ "$status" -eq 0 ]; then
    echo "== clean: the input runs without a finding"
    exit 0
fi
echo "== reproduced: the target failed (status $status)"

if [ "$minimize" -eq 1 ]; then
    min=$file.min
    case $(basename "$file") in
    afl-* | id:*) afl_input=1 ;;
    *) afl_input=0 ;;
    esac
    afl_bin=$afl_build/fuzz/$target
    done_min=0
    if [ "$afl_input" -eq 1 ] && [ -x "$afl_bin" ] && command -v afl-tmin >/dev/null 2>&1; then
        echo "== minimizing with afl-tmin into ${min#"$SF_ROOT"/}"
        if (sf_afl_env && afl-tmin -i "$file" -o "$min" -- "$afl_bin") >/dev/null 2>&1 &&
            [ -s "$min" ] &&
            ! "$bin" -runs=1 "$min" >/dev/null 2>&1; then
            done_min=1
        else
            echo "   afl-tmin did not keep the finding; falling back to libFuzzer"
        fi
    fi
    if [ "$done_min" -eq 0 ]; then
        echo "== minimizing with libFuzzer -minimize_crash=1 into ${min#"$SF_ROOT"/}"
        tmp=$(mktemp -d)
        (cd "$tmp" && "$bin" "${flags[@]}" -minimize_crash=1 -runs=20000 -max_total_time=60 \
            -timeout=25 -exact_artifact_path="$min" "$file" >"$tmp/log" 2>&1)
        rm -rf "$tmp"
        [ -s "$min" ] || cp "$file" "$min"
    fi
    echo "== $(wc -c <"$file") -> $(wc -c <"$min") octets"
    run_input "$min"
    case $name in
    fuzz_session) transcript "$min" ;;
    esac
fi
exit 1

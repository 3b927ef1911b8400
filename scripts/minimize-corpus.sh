#!/usr/bin/env bash
# minimize-corpus.sh - merge the working corpus back into the committed seeds.
#
# Usage: scripts/minimize-corpus.sh [--engine libfuzzer|afl] [--work DIR] [--build-dir D]
#                                   [TARGET...]
#
# For each target, only inputs of <work>/<target>/ that add coverage to corpus/<target>/
# are added to it, named by their SHA-1. The hand-written seeds (named by intent) are kept
# as they are: they are regression cases, whatever coverage they add.
# Exit status: 0 done, 2 usage or setup error.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=minimize-corpus.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/minimize-corpus.sh [--engine libfuzzer|afl] [--work DIR] [--build-dir D]
                                  [TARGET...]

Adds to corpus/<target>/ the inputs of the working corpus (<work>/<target>/, filled by
scripts/fuzz.sh) that add coverage to the seeds already there, each named by its SHA-1.
Seeds already in corpus/ are never removed or renamed.

  --engine E   libfuzzer (default: -merge=1 with the ASan build) or afl (afl-showmap with
               the AFL++ build: an input is kept when it adds a tuple to the seeds')
  --work DIR   working corpus folder (default: work-corpus)
  --build-dir D  build folder (default: build-libfuzzer or build-afl, the preset's)
  -h, --help   this text

Targets: any the build registers whose seeds are its own (default: the "default" group).
Exit status: 0 done, 2 usage or setup error.
EOF
}

engine=libfuzzer
work=$SF_ROOT/work-corpus
build=""
targets=""
while [ $# -gt 0 ]; do
    case $1 in
    --engine) [ $# -ge 2 ] || sf_die 2 "--engine needs a value"; engine=$2; shift 2 ;;
    --engine=*) engine=${1#*=}; shift ;;
    --work) [ $# -ge 2 ] || sf_die 2 "--work needs a value"; work=$2; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || sf_die 2 "--build-dir needs a value"; build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --work=*) work=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) sf_die 2 "unknown option '$1' (see --help)" ;;
    *) targets="$targets $1"; shift ;;
    esac
done
case $engine in
libfuzzer | afl) ;;
*) sf_die 2 "unknown engine '$engine': use libfuzzer or afl" ;;
esac
sf_need_tools "$engine"
[ -n "$build" ] || build=$(sf_preset_dir "$engine")
mkdir -p "$build" || sf_die 2 "cannot create $build"
build=$(cd "$build" && pwd)
sf_configure "$engine" "$build"
sf_use_registry "$build"
[ -n "${targets# }" ] || targets=$(sf_default_targets)
for t in $targets; do
    sf_need_target "$t"
    seeds=$(sf_target_field "$t" corpus)
    [ "$(basename "$seeds")" = "$t" ] ||
        sf_die 2 "'$t' shares ${seeds#"$SF_ROOT"/}: merge with the target that owns it"
done

# shellcheck disable=SC2086
sf_build "$engine" "$build" $targets

for t in $targets; do
    seeds=$(sf_target_field "$t" corpus)
    wc=$work/$t
    if [ ! -d "$wc" ] || [ -z "$(ls -A "$wc" 2>/dev/null)" ]; then
        sf_say "$t: nothing in ${wc#"$SF_ROOT"/} to merge"
        continue
    fi
    mkdir -p "$seeds"
    tmp=$(mktemp -d)
    # Work on a copy so an interrupted merge leaves corpus/ as it was.
    cp -p "$seeds"/* "$tmp/" 2>/dev/null
    before=$(ls "$tmp" | wc -l)
    if [ "$engine" = libfuzzer ]; then
        mapfile -t flags < <(sf_libfuzzer_flags "$t" | grep -v '^-dict=')
        sf_sanitizer_env
        # -merge=1 adds to the first folder only the inputs that bring new features.
        if ! "$build/fuzz/$t" "${flags[@]}" -merge=1 -timeout=25 \
            -merge_control_file="$tmp.control" "$tmp" "$wc" >"$tmp.log" 2>&1; then
            tail -n 20 "$tmp.log" >&2
            rm -rf "$tmp" "$tmp.log" "$tmp.control"
            sf_die 2 "$t: libFuzzer -merge=1 failed"
        fi
        rm -f "$tmp.log" "$tmp.control"
    else
        sf_afl_env
        # The seeds' tuples (afl-showmap, hit counts bucketed as afl-cmin does), then each
        # working input, smallest first, kept when it adds a tuple to those known so far.
        if ! { afl-showmap -i "$seeds" -o "$tmp.seedmaps" -- "$build/fuzz/$t" &&
            afl-showmap -i "$wc" -o "$tmp.workmaps" -- "$build/fuzz/$t"; } >"$tmp.log" 2>&1; then
            tail -n 20 "$tmp.log" >&2
            rm -rf "$tmp" "$tmp.seedmaps" "$tmp.workmaps" "$tmp.log"
            sf_die 2 "$t: afl-showmap failed"
        fi
        cat "$tmp.seedmaps"/* 2>/dev/null | sort -u >"$tmp.known"
        # shellcheck disable=SC2045 # working-corpus names are SHA-1s: no spaces
        for f in $(ls -S -r "$wc"); do
            m=$tmp.workmaps/$f
            [ -f "$wc/$f" ] && [ -f "$m" ] || continue
            if [ -n "$(sort -u "$m" | comm -23 - "$tmp.known")" ]; then
                cp "$wc/$f" "$tmp/"
                sort -u "$m" "$tmp.known" -o "$tmp.known"
            fi
        done
        rm -rf "$tmp.seedmaps" "$tmp.workmaps" "$tmp.log" "$tmp.known"
    fi
    # New files only, named by hash, skipping any whose contents a seed already holds.
    added=0
    known=$(for f in "$seeds"/*; do [ -f "$f" ] && sf_hash "$f"; done)
    for f in "$tmp"/*; do
        [ -f "$f" ] || continue
        [ -e "$seeds/$(basename "$f")" ] && continue
        h=$(sf_hash "$f")
        if ! printf '%s\n' "$known" | grep -q -x "$h"; then
            cp "$f" "$seeds/$h"
            added=$((added + 1))
        fi
    done
    rm -rf "$tmp"
    sf_say "$t: $before seeds, $added added from ${wc#"$SF_ROOT"/} ($(ls "$seeds" | wc -l) now)"
done
exit 0

#!/usr/bin/env bash
# coverage.sh - source-based coverage of the fuzz targets over a corpus: HTML report and a
# one-screen summary of src/.
#
# Usage: scripts/coverage.sh [--corpus DIR]... [--out DIR] [--build-dir DIR] [--no-build]
#                            [TARGET...]
#
# Builds the `coverage` preset (clang-14 -fprofile-instr-generate -fcoverage-mapping; the replay
# builds build-coverage/fuzz/<target>_replay), runs every input of corpus/<target>/ (and of
# DIR/<target>/ for each --corpus DIR: a working corpus such as work-corpus/) through each
# target once, merges the profiles with llvm-profdata-14 and writes, into the --out folder
# (default build-coverage/report):
#
#   html/index.html   llvm-cov-14 show -format=html, every project file the targets run
#                     (src/ and fuzz/), with branch counts
#   summary.txt       lines, branches and functions per file of src/ (also printed)
#   uncovered.txt     every src/ line never run and every src/ branch never taken either way,
#                     by file, for writing seeds
#   coverage.json     llvm-cov-14 export -summary-only (all files)
#   merged.profdata   the merged profile
#
#   TARGET            fuzz targets to run (default: the "default" group of the target
#                     registry, build-coverage/smtpfuzz-targets.tsv)
#   --corpus DIR      also replay DIR/<target>/ (repeatable); the committed seeds always run
#   --out DIR         where the report goes
#   --build-dir DIR   coverage build folder (default build-coverage)
#   --no-build        use the build folder as it is
#
# Inputs run one process per folder; when a folder's process fails (an input that violates
# the oracle aborts, and an aborted process writes no profile) its inputs run again one process
# each, so the others still count, and the failing inputs are named.
# Exit status: 0 report written, 1 report written but some input failed, 2 usage or setup error.
set -uo pipefail

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=coverage.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
root=$SF_ROOT

corpora=()
out=""
build=$root/build-coverage
nobuild=0
targets=""
while [ $# -gt 0 ]; do
    case $1 in
    --corpus) [ $# -ge 2 ] || sf_die 2 "--corpus needs a value"; corpora+=("$2"); shift 2 ;;
    --corpus=*) corpora+=("${1#*=}"); shift ;;
    --out) [ $# -ge 2 ] || sf_die 2 "--out needs a value"; out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || sf_die 2 "--build-dir needs a value"; build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --no-build) nobuild=1; shift ;;
    -h | --help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) sf_die 2 "unknown option '$1' (see --help)" ;;
    *) targets="$targets $1"; shift ;;
    esac
done
for c in "${corpora[@]+"${corpora[@]}"}"; do
    [ -d "$c" ] || sf_die 2 "--corpus $c: no such folder"
done

# Tools: clang-14, llvm-profdata-14, llvm-cov-14 (scripts/setup.sh fuzz installs them).
if ! command -v clang-14 >/dev/null 2>&1 || ! command -v llvm-profdata-14 >/dev/null 2>&1 ||
    ! command -v llvm-cov-14 >/dev/null 2>&1 || ! command -v cmake >/dev/null 2>&1; then
    "$root/scripts/setup.sh" fuzz >&2 || sf_die 2 "clang-14, llvm-14 or cmake missing (scripts/setup.sh fuzz)"
fi
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3 || true)
[ -n "$python" ] || sf_die 2 "python3 is missing (apt-get install python3)"

mkdir -p "$build" || sf_die 2 "cannot create $build"
build=$(cd "$build" && pwd)
# The targets: the registry's default group unless named (the coverage build's registry).
sf_configure coverage "$build"
sf_use_registry "$build"
[ -n "${targets# }" ] || targets=$(sf_default_targets)
known=$(sf_targets default extra | tr '\n' ' ')
for t in $targets; do
    case " $known " in
    *" $t "*) ;;
    *) sf_die 2 "unknown target '$t' (known: $known)" ;;
    esac
done
[ -n "$out" ] || out=$build/report
mkdir -p "$out" || sf_die 2 "cannot create $out"
out=$(cd "$out" && pwd)

if [ "$nobuild" -eq 0 ]; then
    log=$(mktemp)
    replays=""
    for t in $targets; do replays="$replays ${t}_replay"; done
    sf_say "building the coverage preset into ${build#"$root"/}:$replays"
    # shellcheck disable=SC2086
    if ! (cmake --build "$build" --parallel "$(nproc 2>/dev/null || echo 2)" --target $replays \
            >>"$log" 2>&1); then
        tail -n 40 "$log" >&2
        rm -f "$log"
        sf_die 2 "building the coverage preset failed"
    fi
    rm -f "$log"
fi

profdir=$out/profraw
rm -rf "$profdir" "$out/html"
mkdir -p "$profdir"
failed=0
bins=()

# run_dir TARGET DIR - every regular file of DIR through TARGET's replay build
run_dir() {
    local t=$1 dir=$2 bin=$build/fuzz/${1}_replay f n
    n=$(find "$dir" -maxdepth 1 -type f | wc -l)
    [ "$n" -gt 0 ] || return 0
    if LLVM_PROFILE_FILE="$profdir/$t-dir-%p.profraw" "$bin" "$dir" >/dev/null 2>&1; then
        sf_say "$t: ${dir#"$root"/}: $n inputs"
        return 0
    fi
    sf_say "$t: ${dir#"$root"/}: the run failed; running its $n inputs one by one"
    rm -f "$profdir/$t"-dir-*.profraw
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        if ! LLVM_PROFILE_FILE="$profdir/$t-one-%p.profraw" "$bin" "$f" >/dev/null 2>&1; then
            sf_say "$t: FAILED (no profile): ${f#"$root"/}"
            failed=$((failed + 1))
        fi
    done
}

for t in $targets; do
    bin=$build/fuzz/${t}_replay
    [ -x "$bin" ] || sf_die 2 "$bin is missing (drop --no-build)"
    bins+=("$bin")
    run_dir "$t" "$root/corpus/$t"
    for c in "${corpora[@]+"${corpora[@]}"}"; do
        [ -d "$c/$t" ] && run_dir "$t" "$(cd "$c/$t" && pwd)"
    done
done

profiles=("$profdir"/*.profraw)
[ -f "${profiles[0]}" ] || sf_die 2 "no profile was written (no inputs?)"
llvm-profdata-14 merge -sparse "${profiles[@]}" -o "$out/merged.profdata" ||
    sf_die 2 "llvm-profdata-14 merge failed"
rm -rf "$profdir"

objects=("${bins[0]}")
for b in "${bins[@]:1}"; do objects+=(-object "$b"); done
# Project files only: system headers and the build tree are not ours.
ignore='^/usr/|/build[^/]*/'
llvm-cov-14 show "${objects[@]}" -instr-profile="$out/merged.profdata" -format=html \
    -output-dir="$out/html" -show-branches=count -show-line-counts-or-regions \
    -ignore-filename-regex="$ignore" -project-title="smtpfuzz: $targets" ||
    sf_die 2 "llvm-cov-14 show failed"
llvm-cov-14 export "${objects[@]}" -instr-profile="$out/merged.profdata" -summary-only \
    -ignore-filename-regex="$ignore" >"$out/coverage.json" || sf_die 2 "llvm-cov-14 export failed"

# Uncovered lines and branches of src/, from the text rendering (count 0 in the line column;
# "Branch (L:C): [True: a, False: b]" with a or b 0).
llvm-cov-14 show "${objects[@]}" -instr-profile="$out/merged.profdata" -show-branches=count \
    "$root"/src/*.c "$root"/src/*.h 2>/dev/null |
    awk -v root="$root/" '
        /^\/.*:$/ { file = substr($0, 1, length($0) - 1); sub(root, "", file); next }
        /^ *[0-9]+\| *0\|/ {
            split($0, p, "|"); gsub(/ /, "", p[1]);
            text = substr($0, index($0, p[2]) + length(p[2]) + 1)
            printf "%s:%s: line never run: %s\n", file, p[1], text; next
        }
        /Branch \([0-9]+:[0-9]+\): \[True: 0,|, False: 0\]/ {
            line = $0; sub(/^[ |]*/, "", line)
            printf "%s: %s\n", file, line
        }' >"$out/uncovered.txt"

# The one-screen summary: src/ files, lines / branches / functions.
"$python" - "$out/coverage.json" "$root/src/" <<'EOF' | tee "$out/summary.txt"
import json, sys
data = json.load(open(sys.argv[1]))
prefix = sys.argv[2]
rows, tot = [], {"lines": [0, 0], "branches": [0, 0], "functions": [0, 0]}
for f in data["data"][0]["files"]:
    name = f["filename"]
    if not name.startswith(prefix):
        continue
    s = f["summary"]
    row = [name[len(prefix) - 4:]]
    for k in ("lines", "branches", "functions"):
        c, n = s[k]["covered"], s[k]["count"]
        tot[k][0] += c
        tot[k][1] += n
        row.append((c, n))
    rows.append(row)
def cell(c, n):
    pct = 100.0 * c / n if n else 100.0
    return "%6.2f%% %5d/%-5d" % (pct, c, n)
print("%-26s %-20s %-20s %-20s" % ("file (src/)", "lines", "branches", "functions"))
rows = [r for r in rows if r[1][1] or r[2][1] or r[3][1]]
for r in sorted(rows):
    print("%-26s %-20s %-20s %-20s" % (r[0], cell(*r[1]), cell(*r[2]), cell(*r[3])))
print("%-26s %-20s %-20s %-20s" % ("TOTAL", cell(*tot["lines"]), cell(*tot["branches"]),
                                   cell(*tot["functions"])))
EOF
sf_say "HTML report: ${out#"$root"/}/html/index.html; uncovered lines and branches: ${out#"$root"/}/uncovered.txt"
if [ "$failed" -gt 0 ]; then
    sf_say "$failed input(s) failed and are not counted"
    exit 1
fi
exit 0

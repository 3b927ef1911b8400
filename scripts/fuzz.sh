#!/usr/bin/env bash
# fuzz.sh - build the fuzz targets and fuzz them for a bounded time, libFuzzer or AFL++.
#
# Usage: scripts/fuzz.sh [--engine libfuzzer|afl] [--seconds N] [--jobs N] [--work DIR]
#                        [--artifacts DIR] [--build-dir D] [--no-report] [TARGET...]
#
# Starts from the committed seeds (corpus/<target>/, never written) and the working corpus
# (<work>/<target>/, grown by the run), with corpus/<target>.dict and .options. Findings
# land in artifacts/<target>/ named by engine (libfuzzer-crash-<sha1>, afl-crash-<sha1>, ...),
# each with a report (scripts/report.sh: FILE.report.md, and artifacts/findings.sarif).
# Exit status: 0 nothing found, 1 something found, 2 usage or setup error.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=fuzz.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/fuzz.sh [--engine libfuzzer|afl] [--seconds N] [--jobs N] [--work DIR]
                       [--artifacts DIR] [--build-dir D] [--no-report] [TARGET...]

Builds the fuzz targets (preset libfuzzer -> build-libfuzzer/, or preset afl -> build-afl/)
and fuzzes each TARGET in turn, sharing the time budget among them.

  --engine E    libfuzzer (default: ASan + UBSan builds) or afl (AFL++ persistent + CMPLOG)
  --seconds N   total fuzzing time in seconds, split evenly among the targets (default 60)
  --jobs N      parallel workers per target: libFuzzer -fork=N, AFL++ one -M and N-1 -S
                instances (default 1; on 2 cores more than 2 only slows things down)
  --work DIR    working corpus folder, one subfolder per target (default: work-corpus)
  --artifacts DIR  where findings go, one subfolder per target (default: artifacts)
  --build-dir D build folder (default: build-libfuzzer or build-afl, the preset's)
  --no-report   do not write a report for each finding (FILE.report.md, findings.sarif)
  --list-targets  print the registered targets and their groups, then exit
  -h, --help    this text

Targets: every one the build registers (build/smtpfuzz-targets.tsv, written by CMake from
the smtpfuzz_add_fuzzer() calls); --list-targets prints them with their groups. Default:
the "default" group (fuzz_line fuzz_session fuzz_reply fuzz_reply_parse ...); "extra" holds
fuzz_mutator (the structure-aware mutator itself), "broken" the deliberately broken
responders of tests/broken/ and their control, "adapter" targets made with the adapter kit.

Seeds are read from corpus/<target>/ and never written; new inputs go to <work>/<target>/
(merge them back with scripts/minimize-corpus.sh). Findings are saved in
artifacts/<target>/, each with FILE.report.md beside it and a result in
artifacts/findings.sarif (scripts/report.sh), and replayed with scripts/reproduce.sh FILE.

Exit status: 0 nothing found, 1 at least one finding, 2 usage or setup error.
Missing tools (cmake, clang-14, libclang-rt-14-dev, llvm-14, afl++) are installed with
apt-get when running as root; otherwise the script says what to install.
EOF
}

engine=libfuzzer
seconds=60
jobs=1
work=$SF_ROOT/work-corpus
artifacts=$SF_ROOT/artifacts
report=1
build=""
targets=""
list_targets=0

while [ $# -gt 0 ]; do
    case $1 in
    --engine) [ $# -ge 2 ] || sf_die 2 "--engine needs a value"; engine=$2; shift 2 ;;
    --engine=*) engine=${1#*=}; shift ;;
    --seconds) [ $# -ge 2 ] || sf_die 2 "--seconds needs a value"; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --jobs) [ $# -ge 2 ] || sf_die 2 "--jobs needs a value"; jobs=$2; shift 2 ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    --work) [ $# -ge 2 ] || sf_die 2 "--work needs a value"; work=$2; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || sf_die 2 "--build-dir needs a value"; build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --work=*) work=${1#*=}; shift ;;
    --artifacts) [ $# -ge 2 ] || sf_die 2 "--artifacts needs a value"; artifacts=$2; shift 2 ;;
    --artifacts=*) artifacts=${1#*=}; shift ;;
    --no-report) report=0; shift ;;
    --list-targets) list_targets=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; targets="$targets $*"; break ;;
    -*) sf_die 2 "unknown option '$1' (see --help)" ;;
    *) targets="$targets $1"; shift ;;
    esac
done

case $engine in
libfuzzer | afl) ;;
*) sf_die 2 "unknown engine '$engine': use libfuzzer or afl" ;;
esac
case $seconds in
'' | *[!0-9]*) sf_die 2 "--seconds wants a positive whole number, not '$seconds'" ;;
esac
[ "$seconds" -ge 1 ] || sf_die 2 "--seconds must be at least 1"
case $jobs in
'' | *[!0-9]*) sf_die 2 "--jobs wants a positive whole number, not '$jobs'" ;;
esac
[ "$jobs" -ge 1 ] || sf_die 2 "--jobs must be at least 1"
sf_need_tools "$engine"
[ -n "$build" ] || build=$(sf_preset_dir "$engine")
mkdir -p "$build" || sf_die 2 "cannot create $build"
build=$(cd "$build" && pwd)
sf_configure "$engine" "$build"
sf_use_registry "$build"
if [ "$list_targets" -eq 1 ]; then
    awk -F '\t' '!/^#/ { printf "%-32s %s\n", $1, $2 }' "$SF_REGISTRY"
    exit 0
fi
[ -n "${targets# }" ] || targets=$(sf_default_targets)
for t in $targets; do
    sf_need_target "$t"
done
mkdir -p "$work" || sf_die 2 "cannot create $work"
work=$(cd "$work" && pwd)
mkdir -p "$artifacts" || sf_die 2 "cannot create $artifacts"
artifacts=$(cd "$artifacts" && pwd)

ntargets=$(echo $targets | wc -w)
per=$((seconds / ntargets))
[ "$per" -ge 1 ] || per=1

build_targets=""
for t in $targets; do
    build_targets="$build_targets $t"
    [ "$engine" = afl ] && build_targets="$build_targets ${t}_cmplog"
done
# shellcheck disable=SC2086
sf_build "$engine" "$build" $build_targets

# Results, one line per target: target engine execs/s coverage corpus findings
results=$(mktemp)
# New findings, one line each: target engine file (for the reports)
new_findings=$(mktemp)
trap 'rm -f "$results" "$new_findings"' EXIT
total_findings=0

# count_files DIR - number of regular files directly in DIR
count_files() {
    find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l
}

# run_libfuzzer TARGET - fuzz one target with libFuzzer for $per seconds
run_libfuzzer() {
    local t=$1 seeds bin wc art log pid start now next line cov corpus units rate found flags
    seeds=$(sf_target_field "$t" corpus)
    bin=$build/fuzz/$t
    [ -x "$bin" ] || sf_die 2 "$bin was not built"
    wc=$work/$t
    art=$artifacts/$t
    mkdir -p "$wc" "$art"
    log=$work/$t.libfuzzer.log
    mapfile -t flags < <(sf_libfuzzer_flags "$t")
    if [ "$jobs" -gt 1 ]; then
        flags+=("-fork=$jobs")
    fi
    sf_say "$t: libFuzzer for ${per}s from ${seeds#"$SF_ROOT"/} into ${wc#"$SF_ROOT"/}, log ${log#"$SF_ROOT"/}"
    sf_sanitizer_env
    start=$(date +%s)
    next=$((start + 5))
    # libFuzzer writes new inputs only into the first folder: the working corpus.
    "$bin" "${flags[@]}" -max_total_time="$per" -print_final_stats=1 \
        -artifact_prefix="$art/libfuzzer-" "$wc" "$seeds" >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        now=$(date +%s)
        if [ "$now" -ge "$next" ]; then
            next=$((now + 5))
            line=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | tr -s ' \t' ' ')
            sf_say "$t: $((now - start))s ${line:-starting}"
        fi
    done
    wait "$pid"
    now=$(date +%s)
    line=$(grep -a -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    [ -n "$units" ] || units=$(printf '%s' "$line" | sed -E 's/^#([0-9]+).*/\1/')
    rate=$((${units:-0} / ((now - start) > 0 ? (now - start) : 1)))
    cov=$(printf '%s' "$line" | sed -n -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*/cov:\1,ft:\2/p')
    corpus=$(printf '%s' "$line" | sed -n -E 's/.*corp: ([0-9]+).*/\1/p')
    # Every saved finding is announced as "Test unit written to <path>" (slow units are not findings).
    found=$(grep -a -E 'Test unit written to .*libfuzzer-(crash|timeout|leak|oom)-' "$log" | sort -u | wc -l)
    printf '%s libfuzzer %s %s %s %s\n' "$t" "$rate" "${cov:-?}" "${corpus:-?}" "$found" >>"$results"
    if [ "$found" -gt 0 ]; then
        grep -a -E 'Test unit written to' "$log" | sed 's/.*Test unit written to /  /' >&2
        grep -a -o -E 'Test unit written to .*libfuzzer-(crash|timeout|leak|oom)-[0-9a-f]+' "$log" |
            sed 's/^Test unit written to //' | sort -u |
            while read -r f; do printf '%s libfuzzer %s\n' "$t" "$f"; done >>"$new_findings"
        grep -a -E '^(==[0-9]+==ERROR|SUMMARY|oracle)|r[0-9]-[a-z0-9-]+' "$log" | head -n 6 >&2
        sf_say "$t: FOUND $found input(s) in ${art#"$SF_ROOT"/}/ (full log: ${log#"$SF_ROOT"/})"
    fi
    total_findings=$((total_findings + found))
}

# afl_stat DIR KEY - one value of an AFL++ fuzzer_stats file
afl_stat() {
    sed -n "s/^$2 *: *//p" "$1/fuzzer_stats" 2>/dev/null | head -n 1
}

# run_afl TARGET - fuzz one target with AFL++ for $per seconds
run_afl() {
    local t=$1 seeds bin cmplog wc art out in dict maxlen i pids start now next inst f h d p l line kind
    local found=0 rate=0 edges="" bitmap="" corpus
    seeds=$(sf_target_field "$t" corpus)
    bin=$build/fuzz/$t
    cmplog=$build/fuzz/${t}_cmplog
    [ -x "$bin" ] || sf_die 2 "$bin was not built"
    wc=$work/$t
    art=$artifacts/$t
    out=$work/.afl/$t
    in=$work/.afl/$t.in
    mkdir -p "$wc" "$art"
    rm -rf "$out" "$in"
    mkdir -p "$out" "$in"
    # AFL++ takes one input folder: the seeds plus the working corpus, by hash.
    for f in "$seeds"/* "$wc"/*; do
        [ -f "$f" ] && [ -s "$f" ] && cp "$f" "$in/$(sf_hash "$f")"
    done
    [ -n "$(ls -A "$in")" ] || printf 'HELP\r\n' >"$in/default"
    dict=()
    d=$(sf_target_field "$t" dict)
    [ -n "$d" ] && [ -f "$d" ] && dict=(-x "$d")
    maxlen=$(sf_option "$t" max_len)
    [ -n "$maxlen" ] && dict+=(-G "$maxlen")
    sf_afl_env
    # Session targets take raw client streams: AFL++ adds a stage of the structure-aware mutator
    # (libsmtpfuzz_afl_mutator.so, built with them) to its own. Other targets get none, and the
    # setting must not carry over from one target to the next.
    unset AFL_CUSTOM_MUTATOR_LIBRARY
    if [ "$(sf_target_field "$t" mutator)" = 1 ]; then
        if [ -f "$build/fuzz/libsmtpfuzz_afl_mutator.so" ]; then
            export AFL_CUSTOM_MUTATOR_LIBRARY=$build/fuzz/libsmtpfuzz_afl_mutator.so
        else
            sf_say "$t: no $build/fuzz/libsmtpfuzz_afl_mutator.so: AFL++'s own mutations only"
        fi
    fi
    sf_say "$t: AFL++ for ${per}s with $jobs instance(s), state ${out#"$SF_ROOT"/}"
    start=$(date +%s)
    next=$((start + 5))
    pids=()
    for ((i = 0; i < jobs; i++)); do
        if [ "$i" -eq 0 ]; then
            inst=main
            set -- -M main
            [ -x "$cmplog" ] && set -- "$@" -c "$cmplog"
        else
            inst=s$i
            set -- -S "s$i"
        fi
        [ "$jobs" -eq 1 ] && { set -- "${@:3}"; inst=default; }
        afl-fuzz -i "$in" -o "$out" "$@" "${dict[@]}" -V "$per" -- "$bin" \
            >"$work/$t.afl-$inst.log" 2>&1 &
        pids+=($!)
    done
    while :; do
        running=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
        [ "$running" -eq 1 ] || break
        sleep 1
        now=$(date +%s)
        if [ "$now" -ge "$next" ]; then
            next=$((now + 5))
            # afl-fuzz rewrites fuzzer_stats rarely without its UI; its log says more often.
            for l in "$work/$t".afl-*.log; do
                line=$(grep -a -o -E 'Fuzzing test case #[0-9]+ \([0-9]+ total, [0-9]+ crashes saved' "$l" |
                    tail -n 1 | sed -E 's/.*#([0-9]+) \(([0-9]+) total, ([0-9]+) crashes.*/entry \1, corpus \2, crashes \3/')
                inst=${l##*.afl-}
                sf_say "$t: $((now - start))s [${inst%.log}] ${line:-calibrating the seeds}"
            done
        fi
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for d in "$out"/*/; do
        [ -f "$d/fuzzer_stats" ] || {
            sf_say "$t: afl-fuzz did not start; its log:"
            tail -n 20 "$work/$t.afl-"*.log >&2
            sf_die 2 "afl-fuzz failed on $t"
        }
        rate=$(awk -v a="$rate" -v b="$(afl_stat "$d" execs_per_sec)" 'BEGIN { printf "%d", a + b }')
        # Coverage: the instance that saw the most edges (they share finds when in sync).
        if [ "$(afl_stat "$d" edges_found)" -gt "${edges:-0}" ] 2>/dev/null; then
            edges=$(afl_stat "$d" edges_found)
            bitmap=$(afl_stat "$d" bitmap_cvg)
        fi
        # The queue feeds the working corpus, by hash, whatever instance found it.
        for f in "$d"queue/id:*; do
            [ -f "$f" ] && cp -n "$f" "$wc/$(sf_hash "$f")"
        done
        for f in "$d"crashes/id:* "$d"hangs/id:*; do
            [ -f "$f" ] || continue
            case $f in */hangs/*) kind=hang ;; *) kind=crash ;; esac
            h=$art/afl-$kind-$(sf_hash "$f")
            if [ ! -f "$h" ]; then
                cp "$f" "$h"
                printf '%s afl %s\n' "$t" "$h" >>"$new_findings"
                found=$((found + 1))
                [ "$found" -le 5 ] && sf_say "$t: FOUND ${h#"$SF_ROOT"/} (${f#"$SF_ROOT"/})"
            fi
        done
    done
    # afl-fuzz skips a seed that crashes ("results in a crash, skipping"): still a finding.
    for f in $(grep -a -h -o -E "orig:[0-9a-f]{40}' results in a crash" "$work/$t".afl-*.log |
        sed -E "s/orig:([0-9a-f]{40}).*/\1/" | sort -u); do
        [ -f "$in/$f" ] || continue
        h=$art/afl-crash-$f
        if [ ! -f "$h" ]; then
            cp "$in/$f" "$h"
            printf '%s afl %s\n' "$t" "$h" >>"$new_findings"
            found=$((found + 1))
            [ "$found" -le 5 ] && sf_say "$t: FOUND ${h#"$SF_ROOT"/} (a seed that crashes)"
        fi
    done
    [ "$found" -gt 5 ] && sf_say "$t: FOUND $found new inputs in all, in ${art#"$SF_ROOT"/}/"
    corpus=$(count_files "$wc")
    printf '%s afl %s edges:%s/bitmap:%s %s %s\n' "$t" "$rate" "${edges:-?}" "${bitmap:-?}" \
        "$corpus" "$found" >>"$results"
    total_findings=$((total_findings + found))
}

for t in $targets; do
    if [ "$engine" = libfuzzer ]; then
        run_libfuzzer "$t"
    else
        run_afl "$t"
    fi
done

# A report beside every new finding, and one SARIF log for them all (deduplicated there by
# rule and stack). A report that cannot be made is said, but the finding stays a finding.
if [ "$report" -eq 1 ] && [ -s "$new_findings" ]; then
    sf_say "writing the finding reports (scripts/report.sh)"
    while read -r t e f; do
        rflags=(--target "$t" --engine "$e" --sarif "$artifacts/findings.sarif")
        # The libFuzzer build that found it is the one to symbolize with; AFL++ findings get
        # theirs from the libfuzzer preset (report.sh builds it).
        [ "$e" = libfuzzer ] && rflags+=(--build-dir "$build" --no-build)
        rlog=$work/report-$(basename "$f").log
        if "$SF_ROOT/scripts/report.sh" "$f" "${rflags[@]}" >"$rlog" 2>&1; then
            sf_say "$t: report ${f#"$SF_ROOT"/}.report.md"
        else
            sf_say "$t: report for ${f#"$SF_ROOT"/} incomplete (exit $?; see ${rlog#"$SF_ROOT"/})"
        fi
    done <"$new_findings"
fi

echo
printf '%-30s %-9s %10s  %-24s %7s %8s\n' target engine execs/s coverage corpus findings
printf '%-30s %-9s %10s  %-24s %7s %8s\n' ------ ------ ------- -------- ------ --------
while read -r t e r c n f; do
    printf '%-30s %-9s %10s  %-24s %7s %8s\n' "$t" "$e" "$r" "$c" "$n" "$f"
done <"$results"
echo
if [ "$total_findings" -gt 0 ]; then
    echo "$total_findings finding(s) in ${artifacts#"$SF_ROOT"/}/: replay with scripts/reproduce.sh FILE"
    [ "$report" -eq 1 ] && echo "reports: FILE.report.md beside each, ${artifacts#"$SF_ROOT"/}/findings.sarif"
    exit 1
fi
echo "no findings"
exit 0

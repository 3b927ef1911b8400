#!/usr/bin/env bash
# bench.sh - the speed benchmarks of issue 5, each goal a ratio measured in one run.
#
# Usage: scripts/bench.sh [--only a,b,c,d,e] [--seconds N] [--rounds N] [--budget N]
#                         [--seeds N] [--jobs N] [--cpu N] [--no-gate] [--no-build] [--keep DIR]
#
# Prints one Markdown table per benchmark, then the goals met and missed. Exit status: 0 every
# goal met (or --no-gate), 1 a goal missed, 2 usage or setup error.
set -u

# shellcheck disable=SC2034 # SF_PROG is read by lib.sh
SF_PROG=bench.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<'EOF'
Usage: scripts/bench.sh [--only a,b,c,d,e] [--seconds N] [--rounds N] [--budget N]
                        [--seeds N] [--jobs N] [--cpu N] [--no-gate] [--no-build] [--keep DIR]

Measures, in one run, the ratios issue 5 sets as goals, and prints a Markdown table for each:

  a  tokenizer: smtp_line_feed on a 64 MiB stream of ~32-octet command lines against a memchr
     line scan of the same buffer, same process (bench_tokenizer, median of 9 rounds), and
     instructions per octet under valgrind --tool=callgrind (exact).
     Goal: simd time <= 1.5 x memchr time.
  b  libFuzzer exec/s (ASan + UBSan, build-libfuzzer): an empty target, a minimal line splitter
     with no oracle, then every project target; same flags (-seed=1 -max_len=65536
     -len_control=100, hooks off), same seeds (corpus/fuzz_session), --seconds each; exec/s is
     executed units / wall time. Goals: fuzz_line >= 1.0 x splitter, fuzz_session >= 0.5 x.
     fuzz_session is also shown as scripts/fuzz.sh runs it (its options and dict, mutator on),
     and both beside their floors: the code each tests, run alone once and unchecked
     (bench_tokenize, bench_respond), which no target running that code can outpace.
  c  AFL++ exec/s (build-afl): every target in persistent mode with shared-memory test cases,
     against the empty persistent loop and against the target's own fork-server build (one
     fork per input, input on stdin); same seeds (corpus/fuzz_session), no dict, no custom
     mutator, afl-fuzz -V --seconds. Goals: persistent >= 0.9 x empty loop, >= 8 x fork server.
     Also shown: the empty loop with the target linked but never run (its coverage map), and
     the floors of b in persistent mode.
  d  smtpfuzz check against a bare client sending the same sessions with nothing judged
     (tests/bench/bench_check.sh): smtpfuzz respond on stdio, the minimal C responder on
     loopback TCP; both ends pinned to --cpu. Goal: check >= 0.8 x the bare client, both.
  e  bug finding: for each deliberately broken responder (tests/broken/bugs.cmake), the time to
     the first finding over --seeds seeds, a miss counted as --budget:
       libFuzzer  (a) corpus + dict + mutator  (m) dict + mutator, empty corpus
                  (b) plain libFuzzer: empty corpus, no dict, SMTPFUZZ_NO_CUSTOM_MUTATOR=1,
                      -len_control=100 (libFuzzer's own default)
       check      (a) smtpfuzz check --exec with the corpus  (m) with an empty corpus
                  (b) a protocol-blind client: uniformly random octets (bench_check blind)
     the responders run as stdio servers for check. Goals, on medians: (a) <= 30 s for every
     responder, and median(b) / median(a) >= 5. libFuzzer's table also shows each responder's
     floor: its build started on one input that trips it (kept from a trial), 5 runs, median.

  --only LIST    the benchmarks to run, e.g. a,b (default a,b,c,d,e)
  --seconds N    seconds of each exec/s measurement in b and c (default 10: libFuzzer's own
                 rate figure is whole seconds, so do not go much lower)
  --rounds N     rounds of b, c and d, the median kept (default 1 for b and c, 3 for d)
  --budget N     seconds a bug-finding trial may take (default 60)
  --seeds N      seeds per responder and configuration in e (default 5)
  --jobs N       e's trials run N at a time (default 2; on 2 cores more only adds noise)
  --cpu N        the CPU d pins client and server to (default 0)
  --no-gate      print only: exit 0 whatever the ratios
  --no-build     use the build folders as they are
  --keep DIR     keep the logs and working folders in DIR (default: a temporary folder)
  -h, --help     this text

Cost, with the defaults, on 2 vCPUs: a ~15 s, b ~3.5 min and c ~5 min per round, d ~2 min,
  and e up to 8 responders x 5 seeds x 6 configurations x 60 s / 2 jobs = 2 h in the worst
  case; in practice (a) and (m) stop within seconds and only the plain runs that miss take the
  budget: e took 15 min with --budget 30 (the whole run, --rounds 3, 45 min:
  docs/performance.md), so about 30 min with the default 60. Builds, when needed, add a few
  minutes.
Build folders: build-bench (default preset), build-libfuzzer and build-afl (the presets).
EOF
}

only=a,b,c,d,e
seconds=10
rounds=""
budget=60
seeds=5
jobs=2
cpu=0
gate=1
build=1
keep=""

while [ $# -gt 0 ]; do
    case $1 in
    --only) [ $# -ge 2 ] || sf_die 2 "--only needs a value"; only=$2; shift 2 ;;
    --only=*) only=${1#*=}; shift ;;
    --seconds) [ $# -ge 2 ] || sf_die 2 "--seconds needs a value"; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --rounds) [ $# -ge 2 ] || sf_die 2 "--rounds needs a value"; rounds=$2; shift 2 ;;
    --rounds=*) rounds=${1#*=}; shift ;;
    --budget) [ $# -ge 2 ] || sf_die 2 "--budget needs a value"; budget=$2; shift 2 ;;
    --budget=*) budget=${1#*=}; shift ;;
    --seeds) [ $# -ge 2 ] || sf_die 2 "--seeds needs a value"; seeds=$2; shift 2 ;;
    --seeds=*) seeds=${1#*=}; shift ;;
    --jobs) [ $# -ge 2 ] || sf_die 2 "--jobs needs a value"; jobs=$2; shift 2 ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    --cpu) [ $# -ge 2 ] || sf_die 2 "--cpu needs a value"; cpu=$2; shift 2 ;;
    --cpu=*) cpu=${1#*=}; shift ;;
    --keep) [ $# -ge 2 ] || sf_die 2 "--keep needs a value"; keep=$2; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    --no-gate) gate=0; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) sf_die 2 "unknown argument '$1' (see --help)" ;;
    esac
done

# whole NAME VALUE MIN - VALUE is a whole number >= MIN, or die
whole() {
    case $2 in
    '' | *[!0-9]*) sf_die 2 "$1 wants a whole number, not '$2'" ;;
    esac
    [ "$2" -ge "$3" ] || sf_die 2 "$1 must be at least $3"
}
whole --seconds "$seconds" 1
[ -z "$rounds" ] || whole --rounds "$rounds" 1
whole --budget "$budget" 1
whole --seeds "$seeds" 1
whole --jobs "$jobs" 1
whole --cpu "$cpu" 0
want() { case ",$only," in *",$1,"*) return 0 ;; esac; return 1; }
for t in ${only//,/ }; do
    case $t in a | b | c | d | e) ;; *) sf_die 2 "--only: unknown benchmark '$t' (a b c d e)" ;; esac
done

if [ -n "$keep" ]; then
    mkdir -p "$keep" || sf_die 2 "cannot create $keep"
    work=$(cd "$keep" && pwd)
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/smtpfuzz-bench.XXXXXX") || sf_die 2 "mktemp failed"
    trap 'rm -rf "$work"' EXIT
fi

bench_dir=$SF_ROOT/build-bench
lf_dir=$(sf_preset_dir libfuzzer)
afl_dir=$(sf_preset_dir afl)
seeds_dir=$SF_ROOT/corpus/fuzz_session
# The project's fuzz targets: the registry's default and extra groups (the bench build's
# registry, configured here when it has none).
sf_use_registry "$bench_dir" default
targets=$(sf_targets default extra | tr '\n' ' ')
# the code fuzz_line and fuzz_session test, run alone and unchecked: no target can pass these
floors="bench_tokenize bench_respond"
bugs=$(sed -n 's/^ *"\([a-z0-9_]*\)=.*/\1/p' "$SF_ROOT/tests/broken/bugs.cmake")
[ -n "$bugs" ] || sf_die 2 "no broken responders in tests/broken/bugs.cmake"

# ---------------------------------------------------------------------------------------------
# Helpers

# ratio A B - A / B to 2 places, 4 below 0.1 ("-" when either is missing or B is 0)
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else if (a / b < 0.1) printf "%.4f", a / b; else printf "%.2f", a / b }'
}

# median - the median of the numbers on stdin, one a line ("-" for none)
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# list_median LIST - the median of a space-separated list of numbers, "-" entries left out
list_median() {
    # shellcheck disable=SC2086 # a list of numbers, split on purpose
    printf '%s\n' $1 | grep -v '^-$' | median
}

# now - seconds since the epoch, nanosecond resolution
now() { date +%s.%N; }

# since T0 - seconds elapsed since T0 (from now), 3 places
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

goals=$work/goals
: >"$goals"
# goal NAME MEASURED OK(0/1) [FLOOR LIMIT WHAT] - note a goal and whether it was met; with a floor
# (what WHAT, the least a target must do, reaches on the goal's scale), the note says so and, when
# that is short of LIMIT, that the goal is out of reach whatever the target does
goal() {
    local note=""
    if [ $# -ge 6 ] && [ "$4" != - ] && [ -n "$4" ]; then
        note="$6 reaches $4 x"
        [ "$(at_least "$4" "$5")" = 1 ] || note="out of reach: $note"
    fi
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$([ "$3" = 1 ] && echo met || echo MISSED)" "$note" >>"$goals"
}

# at_least X LIMIT - 1 when X >= LIMIT (X numeric), else 0
at_least() { awk -v x="$1" -v l="$2" 'BEGIN { print (x != "-" && x != "" && x + 0 >= l + 0) ? 1 : 0 }'; }
# at_most X LIMIT - 1 when X <= LIMIT (X numeric), else 0
at_most() { awk -v x="$1" -v l="$2" 'BEGIN { print (x != "-" && x != "" && x + 0 <= l + 0) ? 1 : 0 }'; }

# ---------------------------------------------------------------------------------------------
# Builds

if [ "$build" = 1 ]; then
    want b || want e && sf_need_tools libfuzzer
    want c && sf_need_tools afl
    if want a || want d || want e; then
        list="smtpfuzz bench_tokenizer bench_check bench_tcp_server bench_stdio_mini"
        for b in $bugs; do list="$list bench_stdio_$b"; done
        # shellcheck disable=SC2086
        sf_build default "$bench_dir" $list
    fi
    if want b || want e; then
        list=""
        for t in bench_empty bench_splitter $floors $targets; do list="$list $t ${t}_inproc"; done
        want e && for b in $bugs; do list="$list fuzz_session_broken_$b"; done
        # shellcheck disable=SC2086
        sf_build libfuzzer "$lf_dir" $list
    fi
    if want c; then
        list=""
        for t in bench_empty $targets; do list="$list $t ${t}_forkserver"; done
        for t in $targets; do list="$list ${t}_idle"; done
        list="$list $floors"
        # shellcheck disable=SC2086
        sf_build afl "$afl_dir" $list
    fi
fi

# ---------------------------------------------------------------------------------------------
# The machine

cpu_model=$(sed -n 's/^model name[ \t]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
commit=$(git -C "$SF_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$SF_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit+changes"
echo "# smtpfuzz benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc 2>/dev/null || echo ?) CPUs, ${cpu_model:-unknown CPU}, load average at start $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "- tools: $(clang-14 --version 2>/dev/null | head -n 1 | sed 's/ (.*//'), $(afl-fuzz -h 2>&1 | head -n 1 | sed 's/\x1b\[[0-9;]*m//g; s/ based on.*//')"
echo "- commit: $commit"
echo "- command: scripts/bench.sh --only $only --seconds $seconds${rounds:+ --rounds $rounds} --budget $budget --seeds $seeds --jobs $jobs --cpu $cpu$([ "$gate" = 0 ] && echo ' --no-gate')"

# ---------------------------------------------------------------------------------------------
# a. Tokenizer vs memchr

bench_a() {
    local bin=$bench_dir/tests/bench/bench_tokenizer out=$work/a.tokenizer cg=$work/a.callgrind v
    [ -x "$bin" ] || sf_die 2 "$bin is missing (run without --no-build)"
    sf_say "a: tokenizer, 64 MiB x 9 rounds"
    "$bin" --size 64 --reps 9 >"$out" 2>&1 || { cat "$out" >&2; sf_die 2 "bench_tokenizer failed"; }
    declare -A ir
    if command -v valgrind >/dev/null 2>&1 && command -v callgrind_annotate >/dev/null 2>&1; then
        sf_say "a: callgrind, 1 MiB once per variant"
        (cd "$work" && valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$cg" \
            "$bin" --callgrind >"$work/a.callgrind.log" 2>&1) &&
            while read -r count name; do
                ir[$name]=$(awk -v c="${count//,/}" 'BEGIN { printf "%.2f", c / 1048576 }')
            done < <(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null |
                sed -n -E 's/^ *([0-9,]+) \( *[0-9.]+%\)  [^=]*:bench_run_([a-z]+) \[.*/\1 \2/p')
    fi
    echo
    echo "## a. Tokenizer: time against a memchr line scan of the same buffer"
    echo
    sed -n 's/^stream: /stream: /p' "$out"
    echo
    echo "| variant | what | time / memchr (median, min-max) | MB/s | instructions/octet (callgrind) |"
    echo "| --- | --- | ---: | ---: | ---: |"
    awk '/^variant/ { on = 1; next } on && NF >= 7 {
            what = ""; for (i = 7; i <= NF; i++) what = what (i > 7 ? " " : "") $i
            printf "%s\t%s\t%s\t%s\t%s\n", $1, what, $5, $6, $3 }' "$out" |
        while IFS=$'\t' read -r v what r range mbs; do
            echo "| $v | $what | $r ($range) | $mbs | ${ir[$v]:-n/a} |"
        done
    echo
    echo "callgrind runs valgrind's own memchr (it replaces the C library's), so the memchr row's"
    echo "instruction count is not glibc's vector memchr; the time ratios are."
    v=$(awk '/^simd / { print $5 }' "$out")
    goal "a: tokenizer time <= 1.5 x memchr" "${v:-?} x" "$(at_most "${v:--}" 1.5)"
}

# ---------------------------------------------------------------------------------------------
# b. libFuzzer exec/s

# lf_rate NAME BIN [ENV=VALUE...] -- FLAGS... - run BIN from the seeds for $seconds; exec/s
lf_rate() {
    local name=$1 bin=$2 dir log t0 el units
    shift 2
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    dir=$work/b.$name.$RANDOM
    log=$dir.log
    mkdir -p "$dir"
    t0=$(now)
    env "${envs[@]}" "$bin" "$@" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2560 -artifact_prefix="$dir/" "$dir" "$seeds_dir" >"$log" 2>&1
    el=$(since "$t0")
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ -z "$units" ]; then
        sf_say "b: $name printed no stats; its log:"
        tail -n 15 "$log" >&2
        echo "-"
        return
    fi
    awk -v u="$units" -v e="$el" 'BEGIN { printf "%.0f", u / e }'
    rm -rf "$dir"
}

# inproc_rate BIN - inputs/s of an _inproc build over the seeds for $seconds (no engine)
inproc_rate() {
    local v
    v=$("$1" "$seconds" "$seeds_dir" 2>"$work/b.inproc.log" | sed -n 's/^inputs\/s: \([0-9]*\).*/\1/p')
    echo "${v:--}"
}

bench_b() {
    local r t v n splitter line session name
    local same=(-seed=1 -max_len=65536 -len_control=100)
    n=${rounds:-1}
    declare -A rates inproc
    for ((r = 1; r <= n; r++)); do
        for t in bench_empty bench_splitter $floors $targets; do
            [ -x "$lf_dir/fuzz/$t" ] || sf_die 2 "$lf_dir/fuzz/$t is missing (run without --no-build)"
            sf_say "b: round $r/$n: $t, ${seconds}s"
            v=$(lf_rate "$t" "$lf_dir/fuzz/$t" SMTPFUZZ_NO_CUSTOM_MUTATOR=1 -- "${same[@]}")
            rates[$t]="${rates[$t]:-} $v"
        done
        for t in bench_empty bench_splitter $floors $targets; do
            sf_say "b: round $r/$n: ${t}_inproc, the seeds in passes for ${seconds}s (same inputs)"
            v=$(inproc_rate "$lf_dir/fuzz/${t}_inproc")
            inproc[$t]="${inproc[$t]:-} $v"
        done
        sf_say "b: round $r/$n: fuzz_session as scripts/fuzz.sh runs it, ${seconds}s"
        mapfile -t flags < <(sf_libfuzzer_flags fuzz_session)
        v=$(lf_rate fuzz_session_deployed "$lf_dir/fuzz/fuzz_session" SMTPFUZZ_NO_CUSTOM_MUTATOR=0 -- -seed=1 "${flags[@]}")
        rates[deployed]="${rates[deployed]:-} $v"
    done
    for t in "${!rates[@]}"; do rates[$t]=$(list_median "${rates[$t]}"); done
    for t in "${!inproc[@]}"; do inproc[$t]=$(list_median "${inproc[$t]}"); done
    splitter=${rates[bench_splitter]}
    echo
    echo "## b. libFuzzer exec/s (ASan + UBSan), same flags, seeds and time"
    echo
    echo "Flags: -seed=1 -max_len=65536 -len_control=100 -timeout=10, SMTPFUZZ_NO_CUSTOM_MUTATOR=1;"
    echo "seeds: corpus/fuzz_session ($(find "$seeds_dir" -maxdepth 1 -type f | wc -l) files); ${seconds} s each, $n round(s), median; exec/s = executed units / wall time."
    echo
    echo "| target | exec/s | / empty | / splitter | goal | same inputs, no engine: inputs/s | / splitter |"
    echo "| --- | ---: | ---: | ---: | --- | ---: | ---: |"
    for t in bench_empty bench_splitter $floors $targets deployed; do
        v=${rates[$t]}
        name=$t
        case $t in
        bench_empty) name="empty LLVMFuzzerTestOneInput" ;;
        bench_splitter) name="minimal line splitter, no oracle" ;;
        bench_tokenize) name="floor of fuzz_line: the tokenizer alone, once, unchecked" ;;
        bench_respond) name="floor of fuzz_session: one session alone, unchecked" ;;
        deployed) name="fuzz_session as fuzz.sh runs it (options, dict, mutator on)" ;;
        esac
        g=""
        [ "$t" = fuzz_line ] && g=">= 1.0 x splitter"
        [ "$t" = fuzz_session ] && g=">= 0.5 x splitter"
        echo "| $name | $v | $(ratio "$v" "${rates[bench_empty]}") | $(ratio "$v" "$splitter") | $g |" \
            "${inproc[$t]:--} | $(ratio "${inproc[$t]:--}" "${inproc[bench_splitter]}") |"
    done
    echo
    echo "The last two columns run each target's core without the engine (<t>_inproc: the same"
    echo "ASan + UBSan + coverage flags) over the same seed files, loaded once, in passes for"
    echo "${seconds} s: the cost of the target on identical inputs. libFuzzer's exec/s does not"
    echo "measure that, since each target's corpus, and so its input lengths, follows its own"
    echo "coverage: the splitter's 7 edges keep a handful of tiny inputs."
    echo
    echo "The two floors run the code fuzz_line and fuzz_session test, once per input, with"
    echo "nothing checked (tests/bench/bench_tokenize.c, bench_respond.c). fuzz_line runs the"
    echo "tokenizer three times and judges every line; fuzz_session runs two sessions and judges"
    echo "every reply; so neither can run more inputs per second than its floor. Against the"
    echo "splitter the floors reach $(ratio "${rates[bench_tokenize]}" "$splitter") x and $(ratio "${rates[bench_respond]}" "$splitter") x: a goal above its floor's ratio cannot be met"
    echo "by any target that runs that code. The targets reach $(ratio "${rates[fuzz_line]}" "${rates[bench_tokenize]}") x and $(ratio "${rates[fuzz_session]}" "${rates[bench_respond]}") x their floors' exec/s"
    echo "($(ratio "${inproc[fuzz_line]:--}" "${inproc[bench_tokenize]:--}") x and $(ratio "${inproc[fuzz_session]:--}" "${inproc[bench_respond]:--}") x on the same inputs)."
    line=$(ratio "${rates[fuzz_line]}" "$splitter")
    session=$(ratio "${rates[fuzz_session]}" "$splitter")
    goal "b: libFuzzer fuzz_line >= 1.0 x splitter" "$line x" "$(at_least "$line" 1.0)" \
        "$(ratio "${rates[bench_tokenize]}" "$splitter")" 1.0 "the tokenizer alone"
    goal "b: libFuzzer fuzz_session >= 0.5 x splitter" "$session x" "$(at_least "$session" 0.5)" \
        "$(ratio "${rates[bench_respond]}" "$splitter")" 0.5 "one session alone"
}

# ---------------------------------------------------------------------------------------------
# c. AFL++ exec/s

# afl_rate NAME BIN - afl-fuzz BIN from the seeds for $seconds; its execs_per_sec and, after
# a space, corpus_found (the queue entries it added); "-" when afl-fuzz did not run
afl_rate() {
    local name=$1 bin=$2 dir=$work/c.$1.$RANDOM v found
    mkdir -p "$dir/in"
    cp "$seeds_dir"/* "$dir/in/"
    (sf_afl_env
        unset AFL_CUSTOM_MUTATOR_LIBRARY AFL_NO_AFFINITY
        afl-fuzz -i "$dir/in" -o "$dir/out" -V "$seconds" -- "$bin") >"$dir.log" 2>&1
    v=$(sed -n 's/^execs_per_sec *: *//p' "$dir/out/default/fuzzer_stats" 2>/dev/null | head -n 1)
    found=$(sed -n 's/^corpus_found *: *//p' "$dir/out/default/fuzzer_stats" 2>/dev/null | head -n 1)
    if [ -z "$v" ]; then
        sf_say "c: afl-fuzz did not run $name; its log:"
        tail -n 15 "$dir.log" >&2
        echo "- -"
        return
    fi
    printf '%.0f %s' "$v" "${found:--}"
    rm -rf "$dir"
}

bench_c() {
    local r t n v f e empty pe pf pi
    local -a floor_of
    n=${rounds:-1}
    declare -A pers fork idle found paired
    # every persistent build, the empty loop's fork server, and each target's fork server and idle loop
    local need="bench_empty $targets $floors bench_empty_forkserver"
    for t in $targets; do need="$need ${t}_forkserver ${t}_idle"; done
    for f in $need; do
        [ -x "$afl_dir/fuzz/$f" ] || sf_die 2 "$afl_dir/fuzz/$f is missing (run without --no-build)"
    done
    for ((r = 1; r <= n; r++)); do
        sf_say "c: round $r/$n: the empty loop's fork server, ${seconds}s"
        v=$(afl_rate bench_empty_forkserver "$afl_dir/fuzz/bench_empty_forkserver")
        fork[bench_empty]="${fork[bench_empty]:-} ${v% *}"
        for t in $targets $floors; do
            # The empty loop runs right before each target, and the ratio is taken per pair,
            # so a machine that speeds up or slows down over the run moves both sides alike.
            sf_say "c: round $r/$n: the empty loop, then $t persistent, ${seconds}s each"
            e=$(afl_rate bench_empty "$afl_dir/fuzz/bench_empty")
            pers[bench_empty]="${pers[bench_empty]:-} ${e% *}"
            v=$(afl_rate "$t" "$afl_dir/fuzz/$t")
            pers[$t]="${pers[$t]:-} ${v% *}"
            found[$t]="${found[$t]:-} ${v#* }"
            paired[$t]="${paired[$t]:-} $(ratio "${v% *}" "${e% *}")"
            case " $floors " in *" $t "*) continue ;; esac
            sf_say "c: round $r/$n: $t fork server, then its idle loop (its map, not run), ${seconds}s each"
            v=$(afl_rate "${t}_forkserver" "$afl_dir/fuzz/${t}_forkserver")
            fork[$t]="${fork[$t]:-} ${v% *}"
            v=$(afl_rate "${t}_idle" "$afl_dir/fuzz/${t}_idle")
            idle[$t]="${idle[$t]:-} ${v% *}"
        done
    done
    for t in bench_empty $targets $floors; do
        pers[$t]=$(list_median "${pers[$t]}")
        fork[$t]=$(list_median "${fork[$t]:-}")
        idle[$t]=$(list_median "${idle[$t]:-}")
        found[$t]=$(list_median "${found[$t]:-}")
        paired[$t]=$(list_median "${paired[$t]:-}")
    done
    empty=${pers[bench_empty]}
    echo
    echo "## c. AFL++ exec/s: persistent + shared memory, against the empty loop and the fork server"
    echo
    echo "afl-fuzz -V ${seconds} from corpus/fuzz_session, no dict, no custom mutator, one instance;"
    echo "execs_per_sec of fuzzer_stats; $n round(s), median. The empty loop ran right before each"
    echo "target; persistent / empty loop is the median of those pairs' ratios."
    echo
    echo "| target | persistent exec/s | fork server exec/s | persistent / empty loop (>= 0.9) | persistent / fork server (>= 8) | idle loop, same map: exec/s | persistent / idle loop | new queue entries (persistent) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    echo "| empty loop (all its runs) | $empty | ${fork[bench_empty]} | 1.00 | $(ratio "$empty" "${fork[bench_empty]}") | - | - | 0 |"
    for t in $targets; do
        pe=${paired[$t]}
        pf=$(ratio "${pers[$t]}" "${fork[$t]}")
        pi=$(ratio "${pers[$t]}" "${idle[$t]}")
        echo "| $t | ${pers[$t]} | ${fork[$t]} | $pe | $pf | ${idle[$t]} | $pi | ${found[$t]} |"
        case $t in
        fuzz_line) floor_of=(tokenize "the tokenizer alone") ;;
        fuzz_session) floor_of=(respond "one session alone") ;;
        *) floor_of=(none "") ;;
        esac
        goal "c: AFL++ $t persistent >= 0.9 x empty loop" "$pe x" "$(at_least "$pe" 0.9)" \
            "${paired[bench_${floor_of[0]}]:--}" 0.9 "${floor_of[1]}"
        goal "c: AFL++ $t persistent >= 8 x fork server" "$pf x" "$(at_least "$pf" 8)"
    done
    echo "| floor of fuzz_line: the tokenizer alone, unchecked | ${pers[bench_tokenize]} | - | ${paired[bench_tokenize]} | - | - | - | ${found[bench_tokenize]} |"
    echo "| floor of fuzz_session: one session alone, unchecked | ${pers[bench_respond]} | - | ${paired[bench_respond]} | - | - | - | ${found[bench_respond]} |"
    echo
    echo "The idle loop is the empty persistent loop with the target's core linked in but never"
    echo "run (tests/bench/bench_idle.c): the target's coverage map and binary at no cost per"
    echo "input. New queue entries are fuzzer_stats' corpus_found: each one costs afl-fuzz a file"
    echo "write and a calibration, work the empty and idle loops, which find nothing, never do."
    echo "The floors (as in table b) run the code fuzz_line and fuzz_session test, unchecked: what"
    echo "a target reaches below its floor's ratio is the cost of its checks."
}

# ---------------------------------------------------------------------------------------------
# d. smtpfuzz check vs a bare client

bench_d() {
    local out=$work/d.log target c n w q
    sf_say "d: smtpfuzz check against bare clients, 2000 sessions x ${rounds:-3} rounds x 2 targets"
    sh "$SF_ROOT/tests/bench/bench_check.sh" "$bench_dir" 2000 "${rounds:-3}" "$cpu" >"$out" 2>&1 ||
        { cat "$out" >&2; sf_die 2 "tests/bench/bench_check.sh failed"; }
    echo
    echo "## d. smtpfuzz check against a bare client sending the same sessions"
    echo
    echo "2000 sessions (check --seed 1, empty corpus) per client and round, ${rounds:-3} rounds, median;"
    echo "client and server pinned to CPU $cpu."
    echo
    echo "| target | check sessions/s | bare client (same runner, no oracle) | check / bare (>= 0.8) | spawn-write-read client |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    while read -r _ target c n w q; do
        c=${c#check=} n=${n#runner=} w=${w#raw=} q=${q#ratio=}
        case $target in
        stdio) echo "| smtpfuzz respond, stdio (--exec) | $c | $n | $q | $w |" ;;
        tcp) echo "| minimal C responder, loopback TCP (--connect) | $c | $n | $q | - |" ;;
        esac
        goal "d: check >= 0.8 x bare client, $target" "$q x" "$(at_least "$q" 0.8)"
    done < <(grep '^RESULT ' "$out")
}

# ---------------------------------------------------------------------------------------------
# e. Bug finding

# trial_lf BUG CONFIG SEED OUT - one libFuzzer trial; "<seconds> found|miss" into OUT
trial_lf() {
    local bug=$1 config=$2 seed=$3 out=$4 dir bin t0 el rc flags=() envs=()
    dir=$work/e.lf.$bug.$config.$seed
    bin=$lf_dir/fuzz/fuzz_session_broken_$bug
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    case $config in
    a | m)
        mapfile -t flags < <(sf_libfuzzer_flags fuzz_session)
        envs=(SMTPFUZZ_NO_CUSTOM_MUTATOR=0)
        ;;
    b)
        flags=(-len_control=100)
        envs=(SMTPFUZZ_NO_CUSTOM_MUTATOR=1)
        ;;
    esac
    local dirs=("$dir/corpus")
    [ "$config" = a ] && dirs+=("$seeds_dir")
    t0=$(now)
    env "${envs[@]}" ASAN_OPTIONS=detect_leaks=1:symbolize=0 "$bin" "${flags[@]}" -seed="$seed" \
        -max_total_time="$budget" -timeout=10 -rss_limit_mb=2560 \
        -artifact_prefix="$dir/artifacts/" "${dirs[@]}" >"$dir.log" 2>&1
    rc=$?
    el=$(since "$t0")
    if [ "$rc" -ne 0 ] && [ -n "$(ls -A "$dir/artifacts")" ]; then
        echo "$el found" >"$out"
        # kept for the floor: the least time any run could take to find this bug
        cp "$(find "$dir/artifacts" -type f | head -n 1)" "$work/e.trip.$bug.$config.$seed"
    else
        echo "$budget miss" >"$out"
    fi
    rm -rf "$dir"
}

# trial_check BUG CONFIG SEED OUT - one smtpfuzz check (a, m) or blind client (b) trial
trial_check() {
    local bug=$1 config=$2 seed=$3 out=$4 dir srv t0 pid first el line
    dir=$work/e.ck.$bug.$config.$seed
    srv=$bench_dir/tests/bench/bench_stdio_$bug
    rm -rf "$dir"
    mkdir -p "$dir/empty"
    if [ "$config" = b ]; then
        line=$("$bench_dir/tests/bench/bench_check" blind --exec "$srv" "$budget" "$seed" 2>"$dir.log")
        case $line in
        "first-finding: none"*) echo "$budget miss" >"$out" ;;
        "first-finding: "*) echo "$(echo "$line" | cut -d' ' -f2) found" >"$out" ;;
        *) echo "$budget miss" >"$out"; sf_say "e: blind client on $bug: ${line:-no output}" ;;
        esac
        rm -rf "$dir"
        return
    fi
    local corpus=$seeds_dir
    [ "$config" = m ] && corpus=$dir/empty
    t0=$(now)
    (cd "$dir" && exec "$bench_dir/smtpfuzz" check --exec "$srv" --seconds "$budget" --seed "$seed" \
        --corpus "$corpus" --out "$dir/out") >"$dir.log" 2>&1 &
    pid=$!
    first=""
    # check saves a finding the moment it judges it: its first .in file's time is the answer
    while kill -0 "$pid" 2>/dev/null; do
        first=$(find "$dir/out" -name '*.in' -printf '%T@\n' 2>/dev/null | sort -g | head -n 1)
        [ -n "$first" ] && break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -n "$first" ] || first=$(find "$dir/out" -name '*.in' -printf '%T@\n' 2>/dev/null | sort -g | head -n 1)
    if [ -n "$first" ]; then
        el=$(awk -v a="$t0" -v b="$first" 'BEGIN { printf "%.3f", b - a }')
        echo "$el found" >"$out"
    else
        echo "$budget miss" >"$out"
    fi
    rm -rf "$dir"
}

# floor_lf BUG - median seconds, over 5 runs, for the broken build to start, run one input that
# trips it (kept by a trial) and report: no libFuzzer run can find the bug sooner; "-" if none
floor_lf() {
    local bug=$1 bin=$lf_dir/fuzz/fuzz_session_broken_$1 trip t0 times=""
    trip=$(find "$work" -maxdepth 1 -name "e.trip.$bug.*" | sort | head -n 1)
    [ -n "$trip" ] || { echo "-"; return; }
    for _ in 1 2 3 4 5; do
        t0=$(now)
        if SMTPFUZZ_NO_CUSTOM_MUTATOR=1 ASAN_OPTIONS=detect_leaks=1:symbolize=0 "$bin" \
            -artifact_prefix="$work/e.floor." "$trip" >"$work/e.floor.log" 2>&1; then
            sf_say "e: $bug's kept input did not trip it again; no floor"
            echo "-"
            return
        fi
        times="$times $(since "$t0")"
    done
    # shellcheck disable=SC2086 # a list of numbers, split on purpose
    printf '%s\n' $times | median
}

bench_e() {
    local b c s engine res=$work/e.results n=0 total file cells
    local lf_bin ck_bin
    mkdir -p "$res"
    for b in $bugs; do
        lf_bin=$lf_dir/fuzz/fuzz_session_broken_$b
        ck_bin=$bench_dir/tests/bench/bench_stdio_$b
        if [ ! -x "$lf_bin" ] || [ ! -x "$ck_bin" ]; then
            sf_die 2 "$lf_bin or $ck_bin is missing (run without --no-build)"
        fi
    done
    [ -x "$bench_dir/tests/bench/bench_check" ] || sf_die 2 "bench_check is missing"
    sf_sanitizer_env
    export ASAN_OPTIONS=detect_leaks=1:symbolize=0
    # Trials interleaved: seed-major, so the medians fill in evenly if the run is cut short.
    local list=$work/e.trials
    : >"$list"
    for ((s = 1; s <= seeds; s++)); do
        for b in $bugs; do
            for engine in lf ck; do
                for c in a m b; do
                    echo "$engine $b $c $s" >>"$list"
                done
            done
        done
    done
    total=$(wc -l <"$list")
    sf_say "e: $total trials, $jobs at a time, budget ${budget}s each (worst case $((total * budget / jobs / 60)) min)"
    local running=0
    while read -r engine b c s; do
        file=$res/$engine.$b.$c.$s
        if [ "$engine" = lf ]; then
            trial_lf "$b" "$c" "$s" "$file" &
        else
            trial_check "$b" "$c" "$s" "$file" &
        fi
        running=$((running + 1))
        n=$((n + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait -n
            running=$((running - 1))
        fi
        [ $((n % 20)) -eq 0 ] && sf_say "e: $n/$total trials started"
    done <"$list"
    wait

    # cell ENGINE BUG CONFIG - "median found/seeds" for the table
    for engine in lf ck; do
        echo
        if [ "$engine" = lf ]; then
            echo "## e. Bug finding, libFuzzer: median seconds to the first finding"
            echo
            echo "(a) corpus/fuzz_session + fuzz_session.dict + the mutator (as scripts/fuzz.sh runs it);"
            echo "(m) the dict and the mutator from an empty corpus; (b) plain libFuzzer: empty corpus,"
            echo "no dict, SMTPFUZZ_NO_CUSTOM_MUTATOR=1, -len_control=100."
        else
            echo "## e. Bug finding, smtpfuzz check --exec on the responders as stdio servers"
            echo
            echo "(a) smtpfuzz check with corpus/fuzz_session; (m) with an empty corpus (its session"
            echo "grammar and mutator only); (b) a protocol-blind client: 1-512 uniformly random octets"
            echo "per session, judged the same way (bench_check blind)."
        fi
        echo "$seeds seeds each, budget ${budget} s, a miss counted as the budget; (found/seeds)."
        if [ "$engine" = lf ]; then
            echo "Floor: median of 5 runs of the broken build on one input that trips it (start-up, one"
            echo "input, the report): no configuration can find the bug sooner, so median(b) / floor is the"
            echo "most any (a) could reach."
        fi
        echo
        if [ "$engine" = lf ]; then
            echo "| responder | (a) | (m) | (b) | median(b) / median(a) (>= 5) | (a) <= 30 s | floor | median(b) / floor |"
            echo "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
        else
            echo "| responder | (a) | (m) | (b) | median(b) / median(a) (>= 5) | (a) <= 30 s |"
            echo "| --- | ---: | ---: | ---: | ---: | --- |"
        fi
        for b in $bugs; do
            declare -A med=() hit=()
            for c in a m b; do
                med[$c]=$(cat "$res/$engine.$b.$c".* 2>/dev/null | awk '{ print $1 }' | median)
                hit[$c]=$(cat "$res/$engine.$b.$c".* 2>/dev/null | grep -c found)
            done
            local q ok_q ok_a bound=""
            q=$(awk -v a="${med[a]}" -v b="${med[b]}" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.1f", b / (a > 0.001 ? a : 0.001) }')
            # every (b) trial missed: the ratio is a lower bound
            [ "${hit[b]}" -lt $(((seeds + 1) / 2)) ] && bound=">= "
            ok_q=$(at_least "$q" 5)
            ok_a=$(at_most "${med[a]}" 30)
            [ "${hit[a]}" -gt $((seeds / 2)) ] || ok_a=0
            cells=""
            for c in a m b; do cells="$cells | ${med[$c]} (${hit[$c]}/$seeds)"; done
            local fl="" most=""
            if [ "$engine" = lf ]; then
                sf_say "e: $b: the floor, 5 runs on one tripping input"
                fl=$(floor_lf "$b")
                most=$(ratio "${med[b]}" "$fl")
                fl=" $fl | $bound$most |"
                # a lower bound cannot show a goal out of reach
                [ -z "$bound" ] || most=""
            fi
            echo "| $b$cells | $bound$q | $([ "$ok_a" = 1 ] && echo yes || echo NO) |$fl"
            goal "e: $([ "$engine" = lf ] && echo libFuzzer || echo check) $b: (a) <= 30 s" "${med[a]} s" "$ok_a"
            goal "e: $([ "$engine" = lf ] && echo libFuzzer || echo check) $b: (b)/(a) >= 5" "$bound$q x" "$ok_q" \
                "${most:--}" 5 "plain libFuzzer's median over the floor"
            unset med hit
        done
    done
}

want a && bench_a
want b && bench_b
want c && bench_c
want d && bench_d
want e && bench_e

echo
echo "## Goals"
echo
echo "| goal | measured | | the floor |"
echo "| --- | ---: | --- | --- |"
missed=0
while IFS=$'\t' read -r g m ok note; do
    echo "| $g | $m | $ok | $note |"
    [ "$ok" = met ] || missed=$((missed + 1))
done <"$goals"
echo
echo "$(grep -c . "$goals") goals, $missed missed; load average at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
if [ "$gate" = 1 ] && [ "$missed" -gt 0 ]; then
    exit 1
fi
exit 0

#!/bin/sh
# bench_check.sh - sessions/s of "smtpfuzz check" against a bare client sending the same sessions
# with no checking, measured in one run, so the ratio is taken under the same load.
#
#   tests/bench/bench_check.sh BUILD_DIR [RUNS [ROUNDS [CPU]]]
#
# BUILD_DIR is a default-preset build with smtpfuzz, tests/bench/bench_check and
# tests/bench/bench_tcp_server built. Two targets:
#   stdio  smtpfuzz respond, the reference responder on stdin/stdout (check --exec: one process
#          per session)
#   tcp    bench_tcp_server, the minimal C responder (tests/broken's correct mini responder) on
#          loopback TCP (check --connect: one connection per session)
# Clients, each sending the same RUNS sessions (default 2000; those of check --seed 1 with an
# empty corpus, bench_check.c mirrors how check builds them):
#   check   smtpfuzz check: the sessions, the oracle on every one, the bookkeeping
#   runner  bench_check runner: the same runner (ext_run, lock-step), nothing judged
#   raw     bench_check raw (stdio only): spawn, write all, close, read to EOF, reap
# ROUNDS rounds (default 3), check and runner alternating, so a slow moment of the shared machine
# hits both; the ratio is the median of the per-round ratios. Every process runs on one CPU
# (taskset -c CPU, default 0), client and server together (FACTS.md: the steadier setup).
# The goal: check >= 0.8 x runner for both targets.
#
# Output: a line per client and round, then one line per target for scripts/bench.sh:
#   RESULT <target> check=<median/s> runner=<median/s> raw=<median/s|-> ratio=<median check/runner>
set -eu
build=$(cd "${1:?usage: bench_check.sh BUILD_DIR [RUNS [ROUNDS [CPU]]]}" && pwd)
runs=${2:-2000}
rounds=${3:-3}
cpu=${4:-0}
exe=$build/smtpfuzz
client=$build/tests/bench/bench_check
server_bin=$build/tests/bench/bench_tcp_server
for f in "$exe" "$client" "$server_bin"; do
    [ -x "$f" ] || { echo "bench_check.sh: $f is missing (build it first)" >&2; exit 2; }
done
work=$(mktemp -d)
mkdir "$work/empty"
server=""
trap 'rm -rf "$work"; [ -n "$server" ] && kill "$server" 2>/dev/null; true' EXIT
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c $cpu"

rate() { sed -n 's/^sessions: [0-9]* in [0-9.]* s (\([0-9.]*\) sessions\/s)$/\1/p; s/^sessions\/s: //p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b > 0 ? a / b : 0) }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME TARGET_FLAG TARGET - ROUNDS rounds of check and runner (and raw for --exec)
measure() {
    name=$1 flag=$2 target=$3
    : >"$work/$name.check"
    : >"$work/$name.runner"
    : >"$work/$name.raw"
    : >"$work/$name.ratio"
    r=1
    while [ "$r" -le "$rounds" ]; do
        c=$(cd "$work" && $pin "$exe" check "$flag" "$target" --runs "$runs" --seed 1 --quiet \
            --corpus "$work/empty" --out "$work/out-$name" | rate)
        n=$($pin "$client" runner "$flag" "$target" "$runs" 1 | rate)
        if [ -z "$c" ] || [ -z "$n" ]; then
            echo "bench_check.sh: a client printed no rate against $name" >&2
            exit 2
        fi
        echo "$name round $r: check $c sessions/s, runner $n sessions/s, check/runner $(ratio "$c" "$n")"
        echo "$c" >>"$work/$name.check"
        echo "$n" >>"$work/$name.runner"
        ratio "$c" "$n" >>"$work/$name.ratio"
        if [ "$flag" = --exec ]; then
            w=$($pin "$client" raw "$flag" "$target" "$runs" 1 | rate)
            echo "$name round $r: raw client $w sessions/s, check/raw $(ratio "$c" "$w")"
            echo "$w" >>"$work/$name.raw"
        fi
        r=$((r + 1))
    done
    if [ -d "$work/out-$name" ]; then
        echo "bench_check.sh: check reported findings against $name: $(find "$work/out-$name" -name '*.in' | head -n 3)" >&2
    fi
    echo "RESULT $name check=$(median <"$work/$name.check") runner=$(median <"$work/$name.runner")" \
        "raw=$(median <"$work/$name.raw") ratio=$(median <"$work/$name.ratio")"
}

measure stdio --exec "$exe respond"

$pin "$server_bin" >"$work/port" &
server=$!
i=0
while [ ! -s "$work/port" ] && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
port=$(sed -n 's/^port //p' "$work/port")
[ -n "$port" ] || { echo "bench_check.sh: bench_tcp_server did not start" >&2; exit 2; }
measure tcp --connect "127.0.0.1:$port"

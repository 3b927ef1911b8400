#!/bin/sh
# bench_check.sh - sessions/s of "smtpfuzz check" against bare clients sending the same kind of
# sessions with no checking, in one run, so the ratio is measured under the same load.
#
#   tests/bench/bench_check.sh BUILD_DIR [RUNS]
#
# Targets: the reference responder as a stdio program (--exec 'smtpfuzz respond') and as a
# loopback TCP server (smtpfuzz serve). Bare clients (tests/bench/bench_check.c, compiled here):
#   runner  the same runner (ext_run, lock-step), no generation bookkeeping, no oracle
#   raw     spawn, write everything, close, read to end of file, reap (exec only)
# The goal: check >= 0.8 x runner. Both processes are pinned to one CPU when taskset exists
# (FACTS.md: client and server on one vCPU is the faster and steadier setup).
set -eu
build=${1:?usage: bench_check.sh BUILD_DIR [RUNS]}
runs=${2:-2000}
src=$(cd "$(dirname "$0")/../.." && pwd)
exe=$(cd "$build" && pwd)/smtpfuzz
work=$(mktemp -d)
mkdir "$work/empty"
trap 'rm -rf "$work"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null; true' EXIT
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

cc=${CC:-cc}
$cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I"$src/src" -I"$src/fuzz" -o "$work/bench_check" \
    "$src/tests/bench/bench_check.c" "$src/src/ext_run.c" "$src/fuzz/session_gen.c" \
    "$src/fuzz/smtp_mutator.c" "$src/src/smtp_reply_parse.c" "$src/src/smtp_reply.c"

rate() { sed -n 's/^sessions: [0-9]* in [0-9.]* s (\([0-9.]*\) sessions\/s)$/\1/p; s/^sessions\/s: //p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "== --exec '$exe respond' ($runs sessions each, no corpus)"
c=$(cd "$work" && $pin "$exe" check --exec "$exe respond" --runs "$runs" --seed 1 --quiet \
      --corpus "$work/empty" --out "$work/out" | rate)
r=$($pin "$work/bench_check" runner --exec "$exe respond" "$runs" 1 | rate)
w=$($pin "$work/bench_check" raw --exec "$exe respond" "$runs" 1 | rate)
echo "check:          $c sessions/s"
echo "runner, no check: $r sessions/s   check/runner = $(ratio "$c" "$r")"
echo "raw client:     $w sessions/s   check/raw    = $(ratio "$c" "$w")"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$pin "$exe" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
sleep 0.5
echo "== --connect 127.0.0.1:$port (smtpfuzz serve)"
c=$(cd "$work" && $pin "$exe" check --connect "127.0.0.1:$port" --runs "$runs" --seed 1 --quiet \
      --corpus "$work/empty" --out "$work/out" | rate)
r=$($pin "$work/bench_check" runner --connect "127.0.0.1:$port" "$runs" 1 | rate)
echo "check:          $c sessions/s"
echo "runner, no check: $r sessions/s   check/runner = $(ratio "$c" "$r")"

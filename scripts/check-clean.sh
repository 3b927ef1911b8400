#!/usr/bin/env bash
# check-clean.sh - the zero-findings run at scale: "smtpfuzz check" against the servers that
# must give no finding, the reference responder (profiles strict and rfc) and careful_smtpd
# (tests/check/careful_smtpd.c, profile rfc, with and without CHUNKING), each in the default
# mixed mode (lock-step, one session in 4 in RFC 2920 groups) and pipelined. ctest runs the
# same matrix with 2,000 sessions per cell; this runs it as long as you like (a soak, not a
# test: a heavy run belongs here, not in ctest).
#
# usage: scripts/check-clean.sh [--sessions N] [--build DIR] [--out DIR] [--seed N]
#   --sessions N  sessions per cell (default 20000)
#   --build DIR   the build folder with smtpfuzz and tests/careful_smtpd (default build)
#   --out DIR     where each cell's findings go (default check-clean-out)
#   --seed N      the seed of every cell (default 7)
#
# Prints one line per cell (sessions, time, rate, findings) and a total. Exit status: 0 no
# finding anywhere, 1 a finding (kept under --out, with what reproduces it), 2 usage or setup
# error.
set -u
SF_PROG=check-clean.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

sessions=20000 build=$SF_ROOT/build out=check-clean-out seed=7
while [ $# -gt 0 ]; do
    case $1 in
    --sessions) sessions=${2:-}; shift 2 ;;
    --build) build=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --seed) seed=${2:-}; shift 2 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) sf_die 2 "unknown option '$1' (see --help)" ;;
    esac
done
case $sessions in '' | *[!0-9]* | 0) sf_die 2 "--sessions wants a positive number, got '$sessions'" ;; esac
case $seed in '' | *[!0-9]*) sf_die 2 "--seed wants a number, got '$seed'" ;; esac
smtpfuzz=$build/smtpfuzz careful=$build/tests/careful_smtpd
[ -x "$smtpfuzz" ] || sf_die 2 "no $smtpfuzz: build first (cmake --preset default && cmake --build --preset default)"
[ -x "$careful" ] || sf_die 2 "no $careful: build the tests too"
mkdir -p "$out" || sf_die 2 "cannot make $out"

status=0 total=0 t0=$(date +%s)
cell() { # NAME PROFILE MODEFLAG TARGET...
    local name=$1 profile=$2 flag=$3 start end line
    shift 3
    start=$(date +%s.%N)
    line=$("$smtpfuzz" check --exec "$*" --profile "$profile" $flag --runs "$sessions" \
        --seed "$seed" --out "$out/$name" --quiet 2>"$out/$name.err")
    local rc=$?
    end=$(date +%s.%N)
    printf '%s\n' "$line" >"$out/$name.txt"
    printf '%-34s %s; %s\n' "$name" "$(grep '^sessions:' "$out/$name.txt")" \
        "$(grep '^findings' "$out/$name.txt")"
    total=$((total + sessions))
    if [ $rc -eq 1 ]; then
        status=1
    elif [ $rc -ne 0 ]; then
        cat "$out/$name.err" >&2
        sf_die 2 "cell $name could not run (exit $rc)"
    fi
}
for mode in mixed pipeline; do
    flag=""
    [ $mode = pipeline ] && flag=--pipeline
    cell "reference-strict-$mode" strict "$flag" "$smtpfuzz" respond
    cell "reference-rfc-$mode" rfc "$flag" "$smtpfuzz" respond
    cell "careful-rfc-$mode" rfc "$flag" "$careful"
    cell "careful-chunking-rfc-$mode" rfc "$flag" "$careful" --chunking
done
printf 'total: %d sessions in %d s; %s\n' "$total" $(($(date +%s) - t0)) \
    "$([ $status -eq 0 ] && echo 'no finding' || echo "findings under $out/")"
exit $status

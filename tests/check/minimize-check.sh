#!/usr/bin/env bash
# minimize-check.sh SMTPFUZZ SERVER WORK - "smtpfuzz check --minimize" on a real finding: check
# finds the planted "EXPN help" bug of SERVER (a stdio server), --minimize --as-recorded shrinks
# the saved input while its fingerprint still fires, and the result replays as recorded to the
# same rule and fingerprint. Also: a file that does not reproduce exits 1 and writes nothing.
set -u
smtpfuzz=$1 server=$2 work=$3

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

rm -rf "$work"
mkdir -p "$work/seeds"
"$smtpfuzz" check --exec "$server" --profile rfc --seconds 30 --first --seed 1 --corpus "$work/seeds" \
    --out "$work/out" --quiet >"$work/check.log" 2>&1
[ $? -eq 1 ] || { cat "$work/check.log"; fail "check did not find the planted bug"; }
found=$(ls "$work"/out/r1-214-not-help-*.in | head -n 1)
[ -n "$found" ] || fail "no r1-214-not-help finding saved"
fp=$(sed -n 's/.*"fingerprint": "\([0-9a-f]*\)".*/\1/p' "$found.json")

"$smtpfuzz" check --minimize "$found" --as-recorded >"$work/min.log" 2>&1 ||
    { cat "$work/min.log"; fail "--minimize failed"; }
cat "$work/min.log"
min=${found%.in}.min.in
[ -s "$min" ] && [ -s "$min.json" ] || fail "no $min with its record"
before=$(wc -c <"$found") after=$(wc -c <"$min")
[ "$after" -lt "$before" ] && [ "$after" -le 64 ] || fail "not minimized: $before -> $after octets"
grep -qi '^expn help' "$min" || fail "the minimized input lost the line that trips the bug: $(cat "$min")"
"$smtpfuzz" replay --as-recorded "$min" >"$work/replay.log" 2>&1
[ $? -eq 1 ] && grep -q 'result (profile rfc): r1-214-not-help' "$work/replay.log" ||
    { cat "$work/replay.log"; fail "the minimized input does not replay to r1-214-not-help"; }
grep -q "\"fingerprint\": \"$fp\"" "$min.json" || fail "the minimized record lost fingerprint $fp"

# A file that does not reproduce the finding: exit 1, nothing written.
printf 'EHLO x\r\nNOOP\r\nQUIT\r\n' >"$work/clean.in"
"$smtpfuzz" check --minimize "$work/clean.in" --exec "$server" >"$work/clean.log" 2>&1
[ $? -eq 1 ] || { cat "$work/clean.log"; fail "a clean input did not exit 1"; }
[ ! -e "$work/clean.min.in" ] || fail "a clean input was written out"
echo "PASS: $before -> $after octets, fingerprint $fp kept, replays as recorded"

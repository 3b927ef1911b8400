#!/usr/bin/env bash
# fuzz-sh-reports.sh ROOT WORK BUILD - scripts/fuzz.sh, pointed at a deliberately broken
# responder (lower-case "help" answered 500), must find it, exit 1, and leave a report.md
# beside every saved finding plus a SARIF 2.1.0 log naming the oracle rule.
set -u
root=$1 work=$2 build=$3
rm -rf "$work"
mkdir -p "$work"
fail() {
    echo "FAIL: $*"
    exit 1
}

"$root/scripts/fuzz.sh" --seconds 5 --work "$work/corpus" --artifacts "$work/artifacts" \
    --build-dir "$build" fuzz_session_broken_help_case >"$work/fuzz.log" 2>&1
rc=$?
cat "$work/fuzz.log"
[ "$rc" -eq 1 ] || fail "fuzz.sh exited $rc, want 1 (a finding)"
art=$work/artifacts/fuzz_session_broken_help_case
n=0
for f in "$art"/libfuzzer-*; do
    case $f in *.report.md | *.min | *.rule | *.transcript) continue ;; esac
    [ -f "$f" ] || continue
    n=$((n + 1))
    [ -s "$f.report.md" ] || fail "no report beside $f"
    grep -q '^# Finding: r1-help-not-214' "$f.report.md" || fail "$f.report.md names no rule"
    grep -q 'scripts/reproduce.sh' "$f.report.md" || fail "$f.report.md has no reproduce command"
    grep -q "^verdict: r1-help-not-214" "$f.report.md" || fail "$f.report.md has no annotated transcript"
done
[ "$n" -ge 1 ] || fail "no finding saved in $art"
python3 - "$work/artifacts/findings.sarif" <<'PY' || fail "findings.sarif is not what it should be"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
res = d["runs"][0]["results"]
assert res and all(r["ruleId"] == "r1-help-not-214" for r in res), res
print("SARIF: %d result(s)" % len(res))
PY
echo "PASS: $n finding(s), each with a report; SARIF valid"

#!/usr/bin/env bash
# findings-check.sh - what "smtpfuzz check" writes about its findings, checked end to end
# (ctest check_findings_*; tests/check.cmake):
#
#   findings-check.sh SMTPFUZZ TARGET WORK ROOT [SARIF_TOOL_DIR]
#
# runs check against TARGET (a broken stdio server: every session that trips its bug is a
# finding) with --keep 2, --json and --sarif, from inside WORK with a relative --out, then checks:
#   - the JSON: format smtpfuzz-findings version 1, per-rule counts, each finding's
#     fingerprint, cause, count and inputs (at most 2, relative paths that exist);
#   - each saved input's record (NAME.in.json): replay --as-recorded reproduces its rule,
#     plain replay prints the recorded target and the command instead of running it, and
#     scripts/reproduce.sh reproduces it too;
#   - --only with another rule ignores the finding (exit 0, counted as ignored);
#   - the SARIF log passes Microsoft's SARIF Multitool, installed into SARIF_TOOL_DIR by
#     sarif-tool.sh (from the npm registry) when given; without npm that one check is skipped,
#     and says so.
# Exit 0 when every check passes, 1 naming the first that did not.
set -u
smtpfuzz=$1 target=$2 work=$3 root=$4 sarif_dir=${5:-}

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

rm -rf "$work"
mkdir -p "$work"
cd "$work" || fail "cannot enter $work"
"$smtpfuzz" check --exec "$target" --runs 300 --seed 1 --keep 2 --out out --json run.json \
    --sarif run.sarif --quiet >check.log 2>&1
rc=$?
cat check.log
[ "$rc" -eq 1 ] || fail "check exited $rc, want 1 (a finding)"

python3 - run.json <<'PYEOF' || fail "run.json"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "smtpfuzz-findings" and d["version"] == 2, "format/version"
assert d["command"] == "check" and d["target"]["kind"] == "exec", "command/target"
assert d["profile"] == "strict" and d["mode"] == "mixed" and d["seed"] == 1, "run settings"
assert d["sessions"] == 300, "sessions"
assert sum(d["per_rule"].values()) >= 1 and len(d["per_rule"]) == 12, "per_rule"
assert d["findings"], "findings"
fps = set()
for f in d["findings"]:
    assert len(f["fingerprint"]) == 16 and f["fingerprint"] not in fps, "fingerprint"
    fps.add(f["fingerprint"])
    assert f["cause"] and f["count"] >= 1 and f["rule"] in d["per_rule"], "finding fields"
    assert 1 <= len(f["inputs"]) <= 2, "keep 2"
    for p in f["inputs"]:
        assert not os.path.isabs(p) and os.path.isfile(p), "input path %s" % p
print("ok: run.json: %d findings, fingerprints distinct, inputs relative" % len(d["findings"]))
PYEOF

n=0
for in in out/*.in; do
    rule=$(head -n 1 "${in%.in}.rule")
    [ -f "$in.json" ] || fail "$in has no record"
    out=$("$smtpfuzz" replay --as-recorded "$in" 2>&1)
    rc=$?
    [ "$rc" -eq 1 ] || { printf '%s\n' "$out"; fail "replay --as-recorded $in exited $rc"; }
    printf '%s\n' "$out" | grep -q "^result (profile strict): $rule:" ||
        fail "replay --as-recorded $in did not name $rule"
    out=$("$smtpfuzz" replay "$in" 2>&1)
    printf '%s\n' "$out" | grep -q "^to replay against it: smtpfuzz replay --as-recorded" ||
        fail "plain replay of $in did not print the recorded command"
    out=$(SMTPFUZZ=$smtpfuzz bash "$root/scripts/reproduce.sh" "$in" 2>&1)
    rc=$?
    [ "$rc" -eq 1 ] || { printf '%s\n' "$out"; fail "reproduce.sh $in exited $rc, want 1"; }
    n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no saved input"
echo "ok: $n saved inputs reproduce their rule (replay --as-recorded, reproduce.sh)"

"$smtpfuzz" check --exec "$target" --runs 300 --seed 1 --out only --only r2-bad-reply \
    --quiet >only.log 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat only.log; fail "--only r2-bad-reply exited $rc, want 0"; }
grep -q '^ignored: [1-9]' only.log || { cat only.log; fail "--only: no ignored count"; }
echo "ok: --only leaves the other rules out"

sarif_tool=""
if [ -n "$sarif_dir" ]; then
    sarif_tool=$(bash "$root/tests/findings/sarif-tool.sh" "$sarif_dir" | tail -n 1)
    case $sarif_tool in SKIP*) echo "$sarif_tool: the SARIF log is not validated"; sarif_tool="" ;; esac
fi
if [ -n "$sarif_tool" ]; then
    "$sarif_tool" validate run.sarif >sarif.log 2>&1 || { cat sarif.log; fail "SARIF Multitool rejects run.sarif"; }
    if grep -q -E 'error|warning' sarif.log; then
        cat sarif.log
        fail "SARIF Multitool reports errors or warnings"
    fi
    echo "ok: run.sarif passes the SARIF Multitool"
fi
echo "PASS"

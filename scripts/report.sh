#!/usr/bin/env bash
# report.sh - a finding report (Markdown) and a SARIF 2.1.0 entry for one saved finding.
#
# Usage: scripts/report.sh ARTIFACT [--target T] [--engine E] [--sarif FILE]
#                          [--build-dir DIR] [--no-build]
#
# ARTIFACT is one finding file: a libFuzzer crash-*/timeout-*/leak-*/oom-* file (fuzz.sh names
# them libfuzzer-crash-<sha1>, ...), an AFL++ crashes/id:* or hangs/id:* file (afl-crash-<sha1>
# in artifacts/), or a `smtpfuzz check` finding (<rule>-<hash>.in, with its .rule and
# .transcript beside it). Writes ARTIFACT.report.md beside it (one report per finding, so
# findings sharing artifacts/<target>/ never overwrite each other's) holding:
#
#   - target, engine, the artifact (size, SHA-1) and its minimized form (ARTIFACT.min, made by
#     scripts/reproduce.sh --minimize) when there is one;
#   - the rule broken: the oracle rule id the target printed (fuzz/oracle.h, "r1-help-not-214"),
#     or the sanitizer's report kind and SUMMARY line ("heap-buffer-overflow"), or the engine's
#     ("timeout", "out-of-memory", "deadly-signal");
#   - the input (the .min when there is one): escaped, and as a hex dump;
#   - the annotated transcript (the replay build's, `smtpfuzz replay` for the reference
#     responder, or check's .transcript) when one can be had;
#   - the symbolized stack (the libFuzzer ASan+UBSan build run on the input, llvm-symbolizer-14);
#   - the command that reproduces it: scripts/reproduce.sh FILE TARGET.
#
# and adds the finding to the SARIF log (default artifacts/findings.sarif): the rule in
# runs[0].tool.driver.rules, one result per distinct finding (target + rule + top project
# frames, kept in partialFingerprints), the artifact listed in the result's properties.
# Running it again on the same or an equivalent finding adds no result.
#
#   --target T      fuzz target (default: guessed from the path, artifacts/<target>/...)
#   --engine E      libfuzzer, afl or check (default: guessed from the file name)
#   --sarif FILE    SARIF log to update (default: artifacts/findings.sarif)
#   --build-dir D   libFuzzer build folder (default: build-libfuzzer, preset libfuzzer)
#   --no-build      do not (re)build; use the binaries as they are
#
# Exit status: 0 report written and the finding reproduced; 1 report written but the input did
# not reproduce (no SARIF entry is added); 2 usage or setup error (missing file, unknown target).
set -u

SF_PROG=report.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'
}

file=""
target=""
engine=""
sarif=$SF_ROOT/artifacts/findings.sarif
build=$(sf_preset_dir libfuzzer)
nobuild=0
while [ $# -gt 0 ]; do
    case $1 in
    --target) [ $# -ge 2 ] || sf_die 2 "--target needs a value"; target=$2; shift 2 ;;
    --target=*) target=${1#*=}; shift ;;
    --engine) [ $# -ge 2 ] || sf_die 2 "--engine needs a value"; engine=$2; shift 2 ;;
    --engine=*) engine=${1#*=}; shift ;;
    --sarif) [ $# -ge 2 ] || sf_die 2 "--sarif needs a value"; sarif=$2; shift 2 ;;
    --sarif=*) sarif=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || sf_die 2 "--build-dir needs a value"; build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --no-build) nobuild=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) sf_die 2 "unknown option '$1' (see --help)" ;;
    *)
        [ -z "$file" ] || sf_die 2 "one ARTIFACT at a time ('$1' is extra; see --help)"
        file=$1
        shift
        ;;
    esac
done

[ -n "$file" ] || { usage >&2; exit 2; }
[ -f "$file" ] || sf_die 2 "no such file: $file"
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
base=$(basename "$file")
case $base in
*.report.md | *.min | *.rule | *.transcript)
    sf_die 2 "$base is a companion file; give the finding itself" ;;
esac

# The engine, from the name when not given.
if [ -z "$engine" ]; then
    case $base in
    afl-* | id:*) engine=afl ;;
    libfuzzer-* | crash-* | timeout-* | leak-* | oom-* | slow-unit-*) engine=libfuzzer ;;
    r[0-9]-*.in) engine=check ;;
    *) engine=libfuzzer ;; # corpus entries and hand-made inputs replay like libFuzzer's
    esac
fi
case $engine in
libfuzzer | afl | check) ;;
*) sf_die 2 "unknown engine '$engine': use libfuzzer, afl or check" ;;
esac

# Targets come from the build's registry (libFuzzer build folder; configured when it has none).
if [ "$engine" != check ]; then
    mkdir -p "$build" || sf_die 2 "cannot create $build"
    build=$(cd "$build" && pwd)
    [ "$nobuild" -eq 1 ] || sf_need_tools libfuzzer
    sf_use_registry "$build" libfuzzer
fi

# The target, from the path when not given (check findings have none of ours).
if [ -z "$target" ] && [ "$engine" != check ]; then
    d=$(dirname "$file")
    while [ "$d" != / ]; do
        if sf_known_target "$(basename "$d")"; then
            target=$(basename "$d")
            break
        fi
        d=$(dirname "$d")
    done
    [ -n "$target" ] || sf_die 2 "cannot tell the target from the path $file: name it with --target"
fi
if [ "$engine" = check ]; then
    [ -f "${file%.in}.rule" ] || sf_die 2 "${file%.in}.rule is missing: not a 'smtpfuzz check' finding?"
    target=${target:-external}
else
    sf_need_target "$target"
fi

python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3 || true)
[ -n "$python" ] || sf_die 2 "python3 is missing (apt-get install python3)"

input=$file
[ -s "$file.min" ] && input=$file.min
tmp=$(mktemp -d) || sf_die 2 "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/run.log"
: >"$tmp/transcript.txt"
status_run=0

if [ "$engine" != check ]; then
    bin=$build/fuzz/$target
    replay=$build/fuzz/${target}_replay
    if [ "$nobuild" -eq 0 ]; then
        # smtpfuzz too: its sanitizer-report reads the run's crash report.
        sf_build libfuzzer "$build" "$target" "${target}_replay" smtpfuzz
    fi
    [ -x "$bin" ] || sf_die 2 "$bin is missing (build the libfuzzer preset, or drop --no-build)"

    # The libFuzzer ASan+UBSan build on the input: the oracle's message, the sanitizer's report
    # and the symbolized stack. Bounded: libFuzzer's own -timeout, then a hard stop.
    sf_sanitizer_env
    export ASAN_OPTIONS="symbolize=1:detect_leaks=1:abort_on_error=0:handle_abort=1"
    mapfile -t flags < <(sf_libfuzzer_flags "$target" | grep -v -E '^-(max_len|dict)=')
    (cd "$tmp" && timeout -k 5 120 "$bin" "${flags[@]}" -timeout=25 -rss_limit_mb=2560 -runs=1 \
        "$input") >"$tmp/run.log" 2>&1
    status_run=$?
    # What the crash report says, read by the code check uses (smtpfuzz sanitizer-report),
    # not by a second parser here.
    cli=""
    for c in "$build/smtpfuzz" "$SF_ROOT/build/smtpfuzz"; do
        [ -x "$c" ] && { cli=$c; break; }
    done
    [ -n "$cli" ] || sf_die 2 "no smtpfuzz program in ${build#"$SF_ROOT"/} or build/ to read the crash report (drop --no-build)"
    "$cli" sanitizer-report "$tmp/run.log" >"$tmp/sanitizer.txt"

    # The transcript: the replay build's when it prints one, else "smtpfuzz replay" for the
    # reference responder (the only target it runs in process).
    if [ -x "$replay" ] && grep -q -a SMTPFUZZ_TRANSCRIPT "$replay"; then
        SMTPFUZZ_TRANSCRIPT=1 timeout -k 5 60 "$replay" "$input" >"$tmp/transcript.txt" 2>&1
        echo "source: SMTPFUZZ_TRANSCRIPT=1 ${replay#"$SF_ROOT"/}" >"$tmp/transcript.src"
    elif grep -q -a SMTPFUZZ_TRANSCRIPT "$bin"; then
        # No replay build (fuzz.sh builds only the fuzzer): the fuzzer prints the same
        # transcript; libFuzzer's lines are dropped, and the oracle's abort message and the
        # stack after it, which have sections of their own.
        (cd "$tmp" && SMTPFUZZ_TRANSCRIPT=1 timeout -k 5 60 "$bin" -runs=1 "$input") 2>&1 |
            awk '/^smtpfuzz oracle:|^==[0-9]+==|^=+$/ { exit }
                 !/^(INFO:|Running:|Executed |MS:|base unit)|: Running [0-9]+ inputs/' \
                >"$tmp/transcript.txt"
        echo "source: SMTPFUZZ_TRANSCRIPT=1 ${bin#"$SF_ROOT"/}" >"$tmp/transcript.src"
    elif [ "$target" = fuzz_session ]; then
        for cli in "$build/smtpfuzz" "$SF_ROOT/build/smtpfuzz"; do
            if [ -x "$cli" ] && "$cli" replay --help >/dev/null 2>&1; then
                timeout -k 5 60 "$cli" replay "$input" >"$tmp/transcript.txt" 2>&1
                echo "source: ${cli#"$SF_ROOT"/} replay" >"$tmp/transcript.src"
                break
            fi
        done
    fi
else
    # A check finding is reproduced by replaying it against its recorded target (the record,
    # FILE.json, says which, and under which profile and mode), not taken on trust.
    cp "${file%.in}.rule" "$tmp/run.log"
    if [ -f "$file.json" ]; then
        cli=$(sf_smtpfuzz "$nobuild")
        timeout -k 5 120 "$cli" replay --as-recorded "$file" >"$tmp/transcript.txt" 2>&1
        status_run=$?
        echo "source: smtpfuzz replay --as-recorded (the recorded target, run now)" \
            >"$tmp/transcript.src"
        [ "$status_run" -le 1 ] || sf_die 2 "smtpfuzz replay --as-recorded failed (status $status_run)"
        # Reproduced means the same rule again, not just any finding.
        grep -q "^result (profile [a-z]*): $(head -n 1 "${file%.in}.rule"):" "$tmp/transcript.txt" ||
            status_run=0
    else
        tr_file=${file%.in}.transcript
        [ -f "$tr_file" ] && cp "$tr_file" "$tmp/transcript.txt"
        echo "source: ${tr_file#"$SF_ROOT"/} (written by smtpfuzz check; no record to replay it)" \
            >"$tmp/transcript.src"
        status_run=0 # not replayed: not known to reproduce
    fi
fi

report=$file.report.md
mkdir -p "$(dirname "$sarif")" || sf_die 2 "cannot create the folder of $sarif"
version=$(sed -n 's/^project(smtpfuzz VERSION \([0-9.]*\).*/\1/p' "$SF_ROOT/CMakeLists.txt")

# Everything else (parsing the run, the Markdown, the SARIF merge) is plain Python (stdlib only).
lock=$sarif.lock
(
    command -v flock >/dev/null 2>&1 && flock -w 60 9
    "$python" - "$SF_ROOT" "$file" "$input" "$target" "$engine" "$status_run" "$tmp" "$report" \
        "$sarif" "${version:-0}" <<'PYEOF'
import hashlib, json, os, re, subprocess, sys

root, artifact, inp, target, engine, status, tmp, report, sarif_path, version = sys.argv[1:11]
status = int(status)
rel = lambda p: os.path.relpath(p, root) if os.path.abspath(p).startswith(root + os.sep) else p
log = open(os.path.join(tmp, "run.log"), "rb").read().decode("utf-8", "replace")
transcript = open(os.path.join(tmp, "transcript.txt"), "rb").read().decode("utf-8", "replace")
src_file = os.path.join(tmp, "transcript.src")
transcript_src = open(src_file).read().strip() if os.path.exists(src_file) else ""
# What smtpfuzz sanitizer-report read from the run (tool, type, key, summary, place, frames).
sani, sani_frames = {}, []
sani_file = os.path.join(tmp, "sanitizer.txt")
if os.path.exists(sani_file):
    for l in open(sani_file, encoding="utf-8", errors="replace").read().splitlines():
        name, _, value = l.partition(": ")
        if name == "frame":
            parts = value.split(" ", 2)
            if len(parts) >= 2:
                sani_frames.append((parts[1], parts[2] if len(parts) > 2 else ""))
        elif name:
            sani[name] = value

# Oracle rules: ids and texts from the one X-macro list (fuzz/oracle.h).
rules_text = {}
oracle_h = os.path.join(root, "fuzz", "oracle.h")
if os.path.exists(oracle_h):
    text = open(oracle_h).read()
    for m in re.finditer(r'X\(ORACLE_[A-Z0-9_]+,\s*"([a-z0-9-]+)",\s*((?:"[^"]*"\s*)+)\)', text):
        rules_text[m.group(1)] = "".join(re.findall(r'"([^"]*)"', m.group(2)))

# ---- what broke ----
rule, kind, summary, detail = None, "", "", []
lines = log.splitlines()
if engine == "check":
    rule = lines[0].strip() if lines else "unknown"
    kind = "oracle" if rule in rules_text else "check"
    summary = lines[1].strip() if len(lines) > 1 else rules_text.get(rule, "")
    detail = [l for l in lines[2:] if l.strip()]
else:
    for i, l in enumerate(lines):
        m = re.match(r"smtpfuzz oracle: (r[0-9]-[a-z0-9-]+): (.*)", l)
        if m:
            rule, kind, summary = m.group(1), "oracle", m.group(2)
            detail = [x for x in lines[i + 1:i + 4] if x.startswith("  ")]
            break
        m = re.match(r"(fuzz_[a-z_]+): (r[0-9][a-z0-9-]*): (.*)", l)
        if m:  # a harness's own check (fuzz_line, fuzz_reply): the contract rule it names
            rule = m.group(2) if m.group(2) in rules_text else "%s-%s" % (m.group(1), m.group(2))
            kind, summary = "harness", m.group(3)
            detail = [x for x in lines[i + 1:i + 6] if x.startswith("  ")]
            break
        m = re.match(r"(fuzz_[a-z_]+): (.*)", l)
        if m and not l.startswith(m.group(1) + ": Running"):
            rule, kind, summary = m.group(1) + "-contract", "harness", m.group(2)
            detail = [x for x in lines[i + 1:i + 6] if x.startswith("  ")]
            break
    if rule is None and sani.get("type"):
        kind, rule = sani.get("tool", "crash"), sani["type"]
        summary = sani.get("summary", "")
        if sani.get("place"):
            detail = [l for l in lines if "runtime error:" in l][:1]
    elif rule is None and status not in (0,):
        kind, rule = "libFuzzer", "crash"
reproduced = status != 0  # check findings too: replayed against their recorded target
if not reproduced:
    rule, kind = None, ""

# ---- the stack: symbolized frames, as smtpfuzz sanitizer-report read them ----
frames = [tuple(f) for f in sani_frames]
stack_text = "\n".join("#%d %s %s" % (i, f, where) for i, (f, where) in enumerate(frames))
skip_fn = re.compile(r"^(abort|raise|__|fuzzer::|oracle_fail|oracle_report|[a-z_]*_fail$|_start|main$)")
proj = []
for f, where in frames:
    m = re.match(r"(/\S+?):(\d+)(?::\d+)?$", where)
    if not m or not m.group(1).startswith(root + os.sep) or skip_fn.match(f):
        continue
    proj.append((f, rel(m.group(1)), int(m.group(2))))
top = proj[0] if proj else None

# ---- the input ----
data = open(inp, "rb").read()
def escape(b, cap=4096):
    out = []
    for c in b[:cap]:
        if c == 0x0A:
            out.append("\\n\n")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x09:
            out.append("\\t")
        elif c == 0x5C:
            out.append("\\\\")
        elif 0x20 <= c <= 0x7E:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    s = "".join(out)
    if len(b) > cap:
        s += "\n... (%d more octets not shown)" % (len(b) - cap)
    return s
def hexdump(b, cap=4096):
    try:
        h = subprocess.run(["xxd", "-l", str(cap)], input=b, capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        h = subprocess.run(["od", "-A", "x", "-t", "x1z", "-v", "-N", str(cap)], input=b,
                           capture_output=True).stdout.decode()
    if len(b) > cap:
        h += "... (%d more octets not shown)\n" % (len(b) - cap)
    return h
sha1 = lambda p: hashlib.sha1(open(p, "rb").read()).hexdigest()

def fence(text):
    f = "```"
    while f in text:
        f += "`"
    return f + "\n" + text.rstrip("\n") + "\n" + f + "\n"

rule_title = rules_text.get(rule or "", summary)
if engine == "check" and target == "external":
    m = re.search(r"^(?:recorded target|# target): (?:--exec|--connect) (.*)$", transcript, re.M)
    if m:  # tell servers apart: the dedup key holds the target
        target = "external: " + m.group(1).strip()
repro = ("scripts/reproduce.sh %s %s" % (rel(artifact), target)) if engine != "check" else None
if engine == "check":
    repro = "scripts/reproduce.sh %s   # = smtpfuzz replay --as-recorded %s" % (
        rel(artifact), rel(artifact))

md = []
md.append("# Finding: %s in %s\n" % (rule or "not reproduced", target))
md.append("| | |\n| --- | --- |")
md.append("| target | `%s` |" % target)
md.append("| engine | %s |" % engine)
md.append("| artifact | `%s` (%d octets, SHA-1 %s) |" % (rel(artifact), os.path.getsize(artifact), sha1(artifact)))
if inp != artifact:
    md.append("| minimized | `%s` (%d octets) |" % (rel(inp), os.path.getsize(inp)))
elif engine == "check":
    md.append("| minimized | none |")
else:
    md.append("| minimized | none (make one: `scripts/reproduce.sh %s %s --minimize`) |" % (rel(artifact), target))
md.append("| reproduced | %s |" % ("yes" if reproduced else "**no**: the input ran clean now"))
md.append("")
md.append("## Rule broken\n")
if reproduced:
    md.append("- id: `%s` (%s)" % (rule, kind))
    if rule_title:
        md.append("- what: %s" % rule_title)
    if summary and summary != rule_title:
        md.append("- summary: %s" % summary)
    if top:
        md.append("- top project frame: `%s` at `%s:%d`" % top)
    if detail:
        md.append("")
        md.append(fence("\n".join(detail)))
else:
    md.append("The input did not reproduce a finding with the current build (exit status 0).")
md.append("")
md.append("## Input%s, escaped\n" % (" (minimized)" if inp != artifact else ""))
md.append(fence(escape(data) if data else "(empty)"))
md.append("## Input, hex dump\n")
md.append(fence(hexdump(data) if data else "(empty)"))
md.append("## Annotated transcript\n")
if transcript.strip():
    if transcript_src:
        md.append("(%s)\n" % transcript_src)
    md.append(fence(transcript[:65536]))
else:
    md.append("Not available for `%s`: its replay build prints no transcript (SMTPFUZZ_TRANSCRIPT), "
              "and `smtpfuzz replay` runs the reference responder only.\n" % target)
md.append("## Stack (symbolized)\n")
md.append(fence(stack_text) if stack_text else "No stack: %s.\n" % (
    "a check finding runs out of process" if engine == "check" else "the run printed none"))
md.append("## Reproduce\n")
md.append(fence(repro))
if engine != "check":
    md.append("## Fuzzer output\n")
    keep = [l for l in lines if not re.match(r"(INFO: |MS: |base unit: |\s*#\d+ 0x)", l)]
    out_text = re.sub(r"==\d+==", "==PID==", "\n".join(keep))
    md.append(fence(out_text[:16384] if out_text.strip() else "(no output)"))
tmp_report = report + ".tmp"
with open(tmp_report, "w") as f:
    f.write("\n".join(md))
os.replace(tmp_report, report)
print("report.sh: wrote %s" % rel(report))

if not reproduced:
    print("report.sh: the input did not reproduce; no SARIF entry added")
    sys.exit(1)

# ---- SARIF 2.1.0 ----
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
log_obj = None
if os.path.exists(sarif_path) and os.path.getsize(sarif_path) > 0:
    try:
        log_obj = json.load(open(sarif_path))
        if log_obj.get("version") != "2.1.0" or not log_obj.get("runs"):
            raise ValueError("not a SARIF 2.1.0 log")
    except (ValueError, json.JSONDecodeError) as e:
        print("report.sh: error: %s: %s (move it away to start a new log)" % (sarif_path, e), file=sys.stderr)
        sys.exit(2)
if log_obj is None:
    log_obj = {"$schema": SCHEMA, "version": "2.1.0", "runs": []}
if not log_obj["runs"]:
    log_obj["runs"].append({})
run = log_obj["runs"][0]
driver = run.setdefault("tool", {}).setdefault("driver", {})
driver["name"] = "smtpfuzz"
driver.setdefault("version", version)
driver.setdefault("informationUri", "https://www.rfc-editor.org/rfc/rfc5321")
rules = driver.setdefault("rules", [])
if not any(r.get("id") == rule for r in rules):
    desc = rules_text.get(rule) or {
        "oracle": "SMTP oracle rule", "harness": "fuzz target contract check",
        "libFuzzer": "libFuzzer: " + rule}.get(kind, "%s: %s" % (kind, rule))
    rules.append({"id": rule, "name": rule, "shortDescription": {"text": desc},
                  "properties": {"kind": kind}})
    rules.sort(key=lambda r: r["id"])
results = run.setdefault("results", [])
run.setdefault("columnKind", "unicodeCodePoints")
run.setdefault("originalUriBaseIds", {"SRCROOT": {"description": {"text": "the smtpfuzz source tree"}}})

# Dedup key: target, rule and the top three project frames (function names, not line numbers,
# so an edit above the bug does not make it new).
key = "|".join([target, rule] + [f for f, _, _ in proj[:3]])
fp = hashlib.sha256(key.encode()).hexdigest()[:32]
existing = [r for r in results if r.get("partialFingerprints", {}).get("smtpfuzzFinding/v1") == fp]
art = rel(artifact)
if existing:
    props = existing[0].setdefault("properties", {})
    arts = props.setdefault("artifacts", [])
    if art not in arts:
        arts.append(art)
        arts.sort()
    print("report.sh: %s: already in %s (same target, rule and frames)" % (rule, rel(sarif_path)))
else:
    msg = "%s in %s (%s): %s" % (rule, target, engine, rule_title or summary or rule)
    if summary and summary != rule_title:
        msg += " - " + summary
    why = [d.strip()[len("detail:"):].strip() for d in detail if d.strip().startswith("detail:")]
    if why:
        msg += " (%s)" % why[0]
    res = {"ruleId": rule, "ruleIndex": [r["id"] for r in rules].index(rule), "level": "error",
           "message": {"text": msg},
           "partialFingerprints": {"smtpfuzzFinding/v1": fp},
           "properties": {"target": target, "engine": engine, "artifacts": [art],
                          "report": rel(report)}}
    if top:
        res["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": top[1], "uriBaseId": "SRCROOT"},
            "region": {"startLine": top[2]}},
            "logicalLocations": [{"name": top[0], "kind": "function"}]}]
    else:
        where = {"uri": art, "uriBaseId": "SRCROOT"} if not os.path.isabs(art) else {"uri": "file://" + art}
        res["locations"] = [{"physicalLocation": {"artifactLocation": where}}]
    results.append(res)
    print("report.sh: %s: added to %s" % (rule, rel(sarif_path)))
# ruleIndex must follow the sorted rules.
ids = [r["id"] for r in rules]
for r in results:
    if r.get("ruleId") in ids:
        r["ruleIndex"] = ids.index(r["ruleId"])
tmp_sarif = sarif_path + ".tmp"
with open(tmp_sarif, "w") as f:
    json.dump(log_obj, f, indent=2, sort_keys=True)
    f.write("\n")
os.replace(tmp_sarif, sarif_path)
PYEOF
) 9>"$lock"
status=$?
rm -f "$lock"
exit "$status"

#!/usr/bin/env bash
# check-coverage.sh ROOT BUILD OUT - scripts/coverage.sh over the committed corpus must write the
# HTML report and the summary, and the corpus must keep the coverage it has: the floors below
# are the goal (95% of lines, 90% of branches) where it is met, and the measured figure less a
# little where the rest is unreachable (docs/coverage.md says what and why).
set -u
root=$1 build=$2 out=$3
rm -rf "$out"
"$root/scripts/coverage.sh" --build-dir "$build" --out "$out" || {
    echo "FAIL: coverage.sh exited $?"
    exit 1
}
[ -s "$out/html/index.html" ] || { echo "FAIL: no $out/html/index.html"; exit 1; }
[ -s "$out/summary.txt" ] || { echo "FAIL: no $out/summary.txt"; exit 1; }
# file  lines%  branches%
awk '
    BEGIN {
        floor["src/smtp_line.c"] = "95 90"
        # 92/88 since the code and enhanced-code checks moved to smtp_wire.c (fully covered
        # there): the same caller-bug lines left uncovered, out of fewer lines
        floor["src/smtp_reply.c"] = "92 88"
        floor["src/smtp_wire.c"] = "90 89"
        floor["src/smtp_reply_parse.c"] = "92 88"
        floor["src/smtp_session.c"] = "95 85"
    }
    $1 in floor {
        split(floor[$1], f, " ")
        l = $2; b = $4; sub(/%/, "", l); sub(/%/, "", b)
        seen[$1] = 1
        if (l + 0 < f[1] || b + 0 < f[2]) {
            printf "FAIL: %s lines %s%% (floor %s%%), branches %s%% (floor %s%%)\n", $1, l, f[1], b, f[2]
            bad = 1
        } else {
            printf "ok:   %s lines %s%% (floor %s%%), branches %s%% (floor %s%%)\n", $1, l, f[1], b, f[2]
        }
    }
    END {
        for (k in floor) if (!(k in seen)) { printf "FAIL: %s missing from the summary\n", k; bad = 1 }
        exit bad
    }' "$out/summary.txt"

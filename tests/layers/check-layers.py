#!/usr/bin/env python3
"""check-layers.py - the tree keeps its three layers (README "Architecture").

    check-layers.py includes SOURCE_ROOT
        Every #include "..." in src/, fuzz/ and cli/ resolves to a header of the same layer or
        a lower one (src < fuzz < cli; tests/ is never included from them), and the include
        graph between files has no cycle. Prints each offending include or cycle; exit 1.

    check-layers.py selftest
        The include check catches what it names: a scratch tree with an include that runs
        upward, and one with a cycle, must each fail; a clean one must pass.

    check-layers.py symbols-selftest NM CC AR
        The symbol check catches what it names: an archive whose object calls smtp_line_feed
        (the tokenizer) or smtp_session_open must fail, one calling smtp_rp_feed must pass.

    check-layers.py symbols NM ORACLE_ARCHIVE
        The oracle archive references no symbol of the code it judges: nothing of the
        tokenizer (smtp_line_*), the verb table (smtp_verb_*), the data reader (smtp_data_*),
        the reply generator (smtp_reply_format, smtp_reply_status_name), the argument grammar
        (smtp_path_*) or the responder (smtp_session*). Only the reply parser (smtp_rp_*), the
        wire grammar (smtp_wire_*), its own objects and the C library. Exit 1 naming them.
"""
import os
import re
import subprocess
import sys

LAYERS = ["src", "fuzz", "cli"]  # each may include only itself and the ones before it
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
FORBIDDEN = re.compile(r"^(smtp_line_|smtp_verb_|smtp_data_|smtp_reply_format$|"
                       r"smtp_reply_status_name$|smtp_path_|smtp_session)")
ALLOWED_SMTP = re.compile(r"^(smtp_rp_|smtp_wire_)")


def headers_by_layer(root):
    found = {}
    for layer in LAYERS:
        for dirpath, _, files in os.walk(os.path.join(root, layer)):
            for f in files:
                if f.endswith(".h"):
                    found.setdefault(f, []).append((layer, os.path.join(dirpath, f)))
    return found


def check_includes(root):
    headers = headers_by_layer(root)
    bad = []
    graph = {}
    for layer in LAYERS:
        rank = LAYERS.index(layer)
        for dirpath, _, files in os.walk(os.path.join(root, layer)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                text = open(path, encoding="utf-8", errors="replace").read()
                for name in INCLUDE.findall(text):
                    where = headers.get(os.path.basename(name))
                    if where is None:
                        bad.append("%s: includes \"%s\", which no layer holds" % (rel, name))
                        continue
                    # Same folder first (the compiler's rule for quoted includes).
                    local = [w for w in where if os.path.dirname(w[1]) == dirpath]
                    target_layer, target = (local or where)[0]
                    if LAYERS.index(target_layer) > rank:
                        bad.append("%s (%s) includes %s (%s): an include that runs upward"
                                   % (rel, layer, os.path.relpath(target, root), target_layer))
                    graph.setdefault(rel, set()).add(os.path.relpath(target, root))
    # Cycles among files: depth-first search with colours.
    colour = {}
    stack = []

    def visit(node):
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                bad.append("include cycle: " + " -> ".join(cycle))
            elif colour.get(nxt) is None:
                visit(nxt)
        stack.pop()
        colour[node] = 2

    for node in sorted(graph):
        if colour.get(node) is None:
            visit(node)
    for line in bad:
        print("FAIL:", line)
    if bad:
        return 1
    print("ok: %d files, every include runs downward (src <- fuzz <- cli), no cycle"
          % len(graph))
    return 0


def check_symbols(nm, archive):
    out = subprocess.run([nm, "-u", archive], capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL: %s -u %s: %s" % (nm, archive, out.stderr.strip()))
        return 1
    undefined = sorted({l.split()[-1] for l in out.stdout.splitlines()
                        if l.strip() and not l.endswith(":")})
    defined = subprocess.run([nm, "--defined-only", archive], capture_output=True, text=True)
    own = {l.split()[-1] for l in defined.stdout.splitlines() if len(l.split()) >= 3}
    bad = [s for s in undefined if s not in own and FORBIDDEN.match(s)]
    smtp = [s for s in undefined if s not in own and s.startswith("smtp_")]
    stray = [s for s in smtp if not ALLOWED_SMTP.match(s) and s not in bad]
    for s in bad:
        print("FAIL: the oracle references %s, which belongs to the code it judges" % s)
    for s in stray:
        print("FAIL: the oracle references %s, which is neither the reply parser nor the "
              "wire grammar" % s)
    if bad or stray:
        return 1
    print("ok: the oracle references only %s from the library" % (", ".join(smtp) or "nothing"))
    return 0


def selftest():
    import contextlib
    import io
    import tempfile

    def tree(files):
        root = tempfile.mkdtemp(prefix="layers-selftest.")
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            open(os.path.join(root, rel), "w").write(text)
        return root

    def verdict(files):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            rc = check_includes(tree(files))
        return rc, out.getvalue()

    clean = {"src/a.h": "", "src/a.c": '#include "a.h"\n', "fuzz/j.h": '#include "a.h"\n',
             "cli/m.c": '#include "j.h"\n#include "a.h"\n'}
    upward = dict(clean, **{"src/b.c": '#include "j.h"\n'})
    cycle = dict(clean, **{"fuzz/k.h": '#include "l.h"\n', "fuzz/l.h": '#include "k.h"\n'})
    failures = 0
    for name, files, want in (("clean", clean, 0), ("upward", upward, 1), ("cycle", cycle, 1)):
        rc, out = verdict(files)
        ok = rc == want and (want == 0 or ("upward" in out if name == "upward" else "cycle" in out))
        print("%s: %s tree: exit %d, want %d" % ("ok" if ok else "FAIL", name, rc, want))
        failures += not ok
    return 1 if failures else 0


def symbols_selftest(nm, cc, ar):
    import contextlib
    import io
    import tempfile

    failures = 0
    for name, call, want in (("tokenizer", "smtp_line_feed", 1), ("responder", "smtp_session_open", 1),
                             ("reply parser", "smtp_rp_feed", 0)):
        d = tempfile.mkdtemp(prefix="layers-symbols.")
        src, obj, lib = (os.path.join(d, f) for f in ("o.c", "o.o", "libo.a"))
        open(src, "w").write("int %s(void);\nint judge(void);\nint judge(void) { return %s(); }\n"
                             % (call, call))
        if subprocess.run([cc, "-c", src, "-o", obj]).returncode != 0 or \
                subprocess.run([ar, "rcs", lib, obj]).returncode != 0:
            print("FAIL: cannot build the scratch archive with %s and %s" % (cc, ar))
            return 1
        with contextlib.redirect_stdout(io.StringIO()):
            rc = check_symbols(nm, lib)
        ok = rc == want
        print("%s: an oracle calling the %s (%s): exit %d, want %d"
              % ("ok" if ok else "FAIL", name, call, rc, want))
        failures += not ok
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "selftest":
        return selftest()
    if len(argv) == 5 and argv[1] == "symbols-selftest":
        return symbols_selftest(argv[2], argv[3], argv[4])
    if len(argv) == 3 and argv[1] == "includes":
        return check_includes(argv[2])
    if len(argv) == 4 and argv[1] == "symbols":
        return check_symbols(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

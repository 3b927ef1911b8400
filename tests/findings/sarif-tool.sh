#!/usr/bin/env bash
# sarif-tool.sh DIR - Microsoft's SARIF Multitool (@microsoft/sarif-multitool, from the npm
# registry: it carries the official SARIF 2.1.0 schema; no Debian package does) into DIR, once.
# Prints the path of the validator. Exit 77 (ctest's "skipped") when npm is missing or the
# registry cannot be reached.
set -u
dir=$1
tool=$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$tool" ]; then
    command -v npm >/dev/null 2>&1 || { echo "SKIP: npm missing"; exit 77; }
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --silent @microsoft/sarif-multitool \
        >"$dir/npm.log" 2>&1 || { cat "$dir/npm.log"; echo "SKIP: npm install failed"; exit 77; }
    # npm 11 does not run the package's install script, which would mark it executable.
    [ -f "$tool" ] && chmod u+x "$tool"
fi
[ -x "$tool" ] || { echo "SKIP: no $tool after npm install"; exit 77; }
echo "$dir/node_modules/.bin/sarif-multitool"

#!/usr/bin/env bash
# setup.sh - install what smtpfuzz needs from Debian, only what is missing.
#
#   scripts/setup.sh [build|fuzz|test|all]
#
# build: compilers and CMake; fuzz: + clang-14 runtimes, llvm-14 tools, AFL++;
# test: + cmocka, the real clients and servers the end-to-end tests start,
# and the linters CI runs. Installing needs root (apt-get); without root,
# the script names what is missing and exits 2.
set -euo pipefail

want=${1:-all}
case "$want" in
build | fuzz | test | all) ;;
-h | --help)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "setup.sh: unknown profile '$want' (want build, fuzz, test or all)" >&2
    exit 2
    ;;
esac

# package:probe pairs; the probe is a command or a file that proves the package is there.
build_pkgs=(cmake:cmake gcc:gcc make:make)
fuzz_pkgs=(clang-14:clang-14 libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
    llvm-14:llvm-profdata-14 afl++:afl-fuzz zip:zip unzip:unzip)
test_pkgs=(libcmocka-dev:/usr/include/cmocka.h python3:/usr/bin/python3 curl:curl swaks:swaks
    valgrind:valgrind clang-format-14:clang-format-14 cppcheck:cppcheck
    exim4-daemon-light:/usr/sbin/exim4 python3-aiosmtpd:/usr/lib/python3/dist-packages/aiosmtpd)

pkgs=("${build_pkgs[@]}")
case "$want" in
fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
test | all) pkgs+=("${fuzz_pkgs[@]}" "${test_pkgs[@]}") ;;
esac

missing=()
for pair in "${pkgs[@]}"; do
    pkg=${pair%%:*}
    probe=${pair#*:}
    if [[ $probe == /* ]]; then
        [[ -e $probe ]] && continue
    else
        command -v "$probe" >/dev/null 2>&1 && continue
    fi
    missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "setup.sh: missing Debian packages: ${missing[*]}" >&2
    echo "setup.sh: run as root (sudo $0 $want) or install them with apt-get" >&2
    exit 2
fi
echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; a failing update is not fatal if the lists exist.
apt-get update -qq >/dev/null || echo "setup.sh: apt-get update failed; trying the lists at hand" >&2
# Debian's exim4 tries to start a daemon on install; a policy that forbids it keeps CI quiet.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

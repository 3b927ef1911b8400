#!/bin/bash -eu
# build.sh - the OSS-Fuzz / ClusterFuzzLite compile step for smtpfuzz.
#
# Builds every fuzz target the project registers (groups "default" and "extra" of the registry
# CMake writes, build/smtpfuzz-targets.tsv: the smtpfuzz_add_fuzzer() calls are the one list)
# with the toolchain the compile step hands over, and writes, for each target <t> (artifacts
# share the target's name):
#
#   $OUT/<t>                  the fuzzer, linked with $LIB_FUZZING_ENGINE
#   $OUT/<t>_seed_corpus.zip  corpus/<t>/ (the committed seeds)
#   $OUT/<t>.dict             corpus/<t>.dict
#   $OUT/<t>.options          corpus/<t>.options ([libfuzzer] section; its dict = names the
#                             .dict beside the binary)
#
# Environment, as OSS-Fuzz and ClusterFuzzLite set it:
#   CC CXX CFLAGS CXXFLAGS    compilers and flags (sanitizers, coverage, engine instrumentation:
#                             -fsanitize=fuzzer-no-link for libFuzzer; afl-clang-fast for AFL++)
#   LIB_FUZZING_ENGINE        what links the engine in: -fsanitize=fuzzer, or an archive such as
#                             libAFLDriver.a
#   SRC WORK OUT              source root (the tree is $SRC/smtpfuzz), scratch, output
#   SMTPFUZZ_SRC              (ours, optional) the source tree, when not $SRC/smtpfuzz
#
# How: the project's own CMake, SMTPFUZZ_ENGINE=external, with $CC/$CXX and $CFLAGS only (no
# sanitizer of ours, no tests, no program): every target and library gets the compile step's
# flags, and each fuzzer is linked by the C++ driver (OSS-Fuzz links with it even for C, so
# every engine's runtime finds its C++ library) with $LIB_FUZZING_ENGINE.

src=${SMTPFUZZ_SRC:-$SRC/smtpfuzz}
build=$WORK/smtpfuzz-cflite
jobs=$(nproc 2>/dev/null || echo 2)
: "${CXX:=clang++}"
: "${CXXFLAGS:=$CFLAGS}"

die() {
    echo "build.sh: error: $*" >&2
    exit 1
}

[ -f "$src/CMakeLists.txt" ] || die "no smtpfuzz source tree at $src (set SMTPFUZZ_SRC)"
command -v cmake >/dev/null 2>&1 || die "cmake is missing (the Dockerfile installs it)"
mkdir -p "$build" "$OUT"

# 1. Configure. Build type None adds no flags of CMake's own (no -O2, no -DNDEBUG), so CFLAGS
#    decides optimisation and debug info.
cmake -S "$src" -B "$build" \
    -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_CXX_COMPILER="$CXX" \
    -DCMAKE_C_FLAGS="$CFLAGS" \
    -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DCMAKE_BUILD_TYPE=None \
    -DSMTPFUZZ_ENGINE=external \
    -DSMTPFUZZ_ENGINE_LINK="$LIB_FUZZING_ENGINE" \
    -DSMTPFUZZ_SANITIZE= \
    -DSMTPFUZZ_COVERAGE=OFF \
    -DSMTPFUZZ_WERROR=OFF \
    -DBUILD_TESTING=OFF \
    -DSMTPFUZZ_TEST_TARGETS=OFF \
    -DSMTPFUZZ_BUILD_PROGRAM=OFF \
    -DSMTPFUZZ_BUILD_FUZZERS=ON >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; die "cmake configure failed"; }
registry=$build/smtpfuzz-targets.tsv
[ -f "$registry" ] || die "cmake wrote no target registry ($registry)"

# 2. The targets OSS-Fuzz runs: the project's own (default and extra), not adapter examples.
names=$(awk -F '\t' '!/^#/ && ($2 == "default" || $2 == "extra") { print $1 }' "$registry")
[ -n "$names" ] || die "the registry lists no fuzz targets"
# shellcheck disable=SC2086 # a word list
cmake --build "$build" --parallel "$jobs" --target $names

zip_dir() { # zip_dir DIR ZIP - every regular file of DIR, flat, in name order
    local dir=$1 zipfile=$2
    rm -f "$zipfile"
    if command -v zip >/dev/null 2>&1; then
        (cd "$dir" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort |
            zip -q -X -@ "$zipfile")
    else
        python3 - "$dir" "$zipfile" <<'PYEOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isfile(path):
            z.write(path, name)
PYEOF
    fi
}

# 3. Each binary with its seeds, dictionary and options beside it.
built=""
while IFS=$'\t' read -r name group corpus dict options _replay engine _mutator; do
    case $name in '#'*) continue ;; esac
    case $group in default | extra) ;; *) continue ;; esac
    [ -x "$engine" ] || die "$name was not built ($engine)"
    cp "$engine" "$OUT/$name"
    if [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ]; then
        zip_dir "$corpus" "$OUT/${name}_seed_corpus.zip"
    fi
    [ "$dict" = - ] || cp "$dict" "$OUT/$name.dict"
    [ "$options" = - ] || cp "$options" "$OUT/$name.options"
    echo "build.sh: built $OUT/$name"
    built="$built $name"
done <"$registry"
echo "build.sh: done:$built in $OUT"

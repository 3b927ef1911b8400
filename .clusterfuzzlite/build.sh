#!/bin/bash -eu
# build.sh - the OSS-Fuzz / ClusterFuzzLite compile step for smtpfuzz.
#
# Builds every fuzz target with the toolchain the compile step hands over and writes, for
# each target <t> (STYLE rule 12: artifacts share the target's name):
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
# How: the two libraries every target links (smtpfuzz_core: src/; smtpfuzz_oracle: the oracle,
# the escaper) are built by the project's own CMake with $CC and $CFLAGS only (no engine, no
# sanitizer of ours, no tests, no CLI), so their source lists stay in one place. Each target's
# own files are then compiled here and linked with $CXX (OSS-Fuzz links with the C++ driver
# even for C, so every engine's runtime finds its C++ library) and $LIB_FUZZING_ENGINE.
#
# The targets: keep TARGETS in step with fuzz/CMakeLists.txt (smtpfuzz_add_fuzzer calls);
# scripts/ossfuzz-build-test.sh fails when a fuzz/fuzz_*.c core has no entry here.

src=${SMTPFUZZ_SRC:-$SRC/smtpfuzz}
build=$WORK/smtpfuzz-cflite
jobs=$(nproc 2>/dev/null || echo 2)
: "${CXX:=clang++}"
: "${CXXFLAGS:=$CFLAGS}"

# name:core[,adapter...] (files under fuzz/)
TARGETS="fuzz_line:fuzz_line.c
fuzz_session:fuzz_session.c,target_reference.c
fuzz_reply:fuzz_reply.c
fuzz_reply_parse:fuzz_reply_parse.c
fuzz_mutator:fuzz_mutator.c,smtp_mutator.c"

die() {
    echo "build.sh: error: $*" >&2
    exit 1
}

[ -f "$src/CMakeLists.txt" ] || die "no smtpfuzz source tree at $src (set SMTPFUZZ_SRC)"
command -v cmake >/dev/null 2>&1 || die "cmake is missing (the Dockerfile installs it)"
mkdir -p "$build" "$OUT"

# 1. The libraries, with the compile step's compiler and flags only. Build type None adds no
#    flags of CMake's own (no -O2, no -DNDEBUG), so CFLAGS decides optimisation and debug info.
cmake -S "$src" -B "$build" \
    -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_C_FLAGS="$CFLAGS" \
    -DCMAKE_BUILD_TYPE=None \
    -DSMTPFUZZ_ENGINE=none \
    -DSMTPFUZZ_SANITIZE= \
    -DSMTPFUZZ_COVERAGE=OFF \
    -DSMTPFUZZ_WERROR=OFF \
    -DSMTPFUZZ_BUILD_TESTS=OFF \
    -DSMTPFUZZ_BUILD_FUZZERS=ON >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; die "cmake configure failed"; }
cmake --build "$build" --parallel "$jobs" --target smtpfuzz_oracle smtpfuzz_core
libs="$build/fuzz/libsmtpfuzz_oracle.a $build/src/libsmtpfuzz_core.a"
for lib in $libs; do
    [ -f "$lib" ] || die "$lib was not built"
done

# 2. The targets. The same defines and include folders the CMake build gives them.
cflags_t="-std=c11 -D_POSIX_C_SOURCE=200809L -I$src/fuzz -I$src/src"
objdir=$build/targets
mkdir -p "$objdir"
for row in $TARGETS; do
    name=${row%%:*}
    files=${row#*:}
    objs=""
    for f in ${files//,/ }; do
        obj=$objdir/${name}__${f%.c}.o
        # shellcheck disable=SC2086 # CFLAGS is a list of flags
        $CC $CFLAGS $cflags_t -c "$src/fuzz/$f" -o "$obj"
        objs="$objs $obj"
    done
    # shellcheck disable=SC2086 # flag lists
    $CXX $CXXFLAGS $objs -o "$OUT/$name" $LIB_FUZZING_ENGINE $libs
    echo "build.sh: built $OUT/$name"
done

# 3. Seeds, dictionaries and options beside each binary.
zip_dir() { # zip_dir DIR ZIP - every regular file of DIR, flat, in name order
    local dir=$1 zipfile=$2
    rm -f "$zipfile"
    if command -v zip >/dev/null 2>&1; then
        (cd "$dir" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort |
            zip -q -X -@ "$zipfile")
    else
        python3 - "$dir" "$zipfile" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isfile(path):
            z.write(path, name)
EOF
    fi
}

for row in $TARGETS; do
    name=${row%%:*}
    if [ -d "$src/corpus/$name" ] && [ -n "$(ls -A "$src/corpus/$name")" ]; then
        zip_dir "$src/corpus/$name" "$OUT/${name}_seed_corpus.zip"
    fi
    for ext in dict options; do
        if [ -f "$src/corpus/$name.$ext" ]; then
            cp "$src/corpus/$name.$ext" "$OUT/$name.$ext"
        fi
    done
done
echo "build.sh: done: $(for row in $TARGETS; do printf '%s ' "${row%%:*}"; done)in $OUT"

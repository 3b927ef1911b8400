#!/usr/bin/env bash
# run.sh - ctest driver of tests/package.cmake: install this build as a CMake package, then
# build fuzz/examples/adapter (toy_smtpd behind toy_adapter.c) as a project of its own against
# it, the way a user of the adapter kit would (docs/adapter.md).
#
#   run.sh install BUILD_DIR PREFIX
#       cmake --install BUILD_DIR into an emptied PREFIX; check the package's files are there
#   run.sh replay PREFIX EXAMPLE_DIR WORK CC SANITIZE GENERATOR BUILD_TYPE
#       configure and build the example against PREFIX (find_package(smtpfuzz)); pass when its
#       replay build runs the installed seeds clean, the dict, options and corpus sit next to
#       the binaries, and the example's own ctest passes
#   run.sh bug PREFIX EXAMPLE_DIR WORK CC SANITIZE GENERATOR BUILD_TYPE
#       the same with -DTOY_SMTPD_BUG_BARE_LF=ON; pass when a crafted session, and the installed
#       seeds, make the replay build fail naming r1-malformed-not-500
#   run.sh libfuzzer PREFIX EXAMPLE_DIR WORK CLANG SECONDS
#       the libFuzzer build of the buggy toy (clang, fuzzer-no-link,address,undefined); pass when
#       fuzzing with the options file (its dict) from the copied seeds that do not trip the bug
#       by themselves saves a finding that names the rule and replays; exit 77 (skipped) when
#       CLANG cannot build a libFuzzer binary
#
#   run.sh tool SOURCE_DIR WORK CC
#       the tool alone: configure SOURCE_DIR with -DBUILD_TESTING=OFF (no test tool may be
#       looked for), build, install into WORK/prefix, and from a folder outside any tree run
#       the installed smtpfuzz: check must find the installed seeds, replay must run one
#
# SANITIZE is "-" for none. Never writes outside PREFIX and WORK.
set -u

RULE=r1-malformed-not-500 # what toy_smtpd's planted bug breaks: a bare-LF line got no 500

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

usage() {
    printf 'usage: run.sh install|replay|bug|libfuzzer|tool ... (see the comment at the top)\n' >&2
    exit 2
}

# configure_example PREFIX EXAMPLE_DIR BUILD_DIR CMAKE_ARG... - configure and build the example
configure_example() {
    local prefix=$1 example=$2 dir=$3
    shift 3
    rm -rf "$dir"
    cmake -S "$example" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" "$@" >"$dir.configure.log" 2>&1 ||
        { cat "$dir.configure.log"; fail "configuring the example against $prefix failed"; }
    # find_package must have found the package just installed, not another one on the system.
    grep -q "^smtpfuzz_DIR:PATH=$prefix/" "$dir/CMakeCache.txt" ||
        fail "find_package(smtpfuzz) did not pick $prefix: $(grep '^smtpfuzz_DIR' "$dir/CMakeCache.txt")"
    cmake --build "$dir" --parallel 2 >"$dir.build.log" 2>&1 ||
        { tail -n 40 "$dir.build.log"; fail "building the example failed"; }
}

# replay_expect BIN PATTERN|clean PATH... - run the replay build; check the verdict
replay_expect() {
    local bin=$1 want=$2 out status
    shift 2
    out=$("$bin" "$@" 2>&1)
    status=$?
    printf '%s\n' "$out" | grep -v -E '^\s+#[0-9]+ ' | tail -n 12
    if [ "$want" = clean ]; then
        [ "$status" -eq 0 ] || fail "$(basename "$bin") failed (status $status) on $*"
    else
        [ "$status" -ne 0 ] || fail "$(basename "$bin") ran $* clean, expected $want"
        printf '%s\n' "$out" | grep -q -e "$want" || fail "no '$want' in the report"
    fi
}

# example_args CC SANITIZE GENERATOR BUILD_TYPE - cmake arguments for the example's build
example_args() {
    printf '%s\n' "-DCMAKE_C_COMPILER=$1" "-G" "$3" "-DCMAKE_BUILD_TYPE=$4"
    [ "$2" = - ] || printf '%s\n' "-DSMTPFUZZ_SANITIZE=$2"
}

# crafted WORK - a session whose NOOP ends in a bare LF: the planted bug answers it 250
crafted() {
    printf 'EHLO client.example\r\nNOOP\n' >"$1/noop-bare-lf"
    echo "$1/noop-bare-lf"
}

mode=${1:-}
case $mode in
install)
    [ $# -eq 3 ] || usage
    build=$2 prefix=$3
    rm -rf "$prefix"
    cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install $build failed"
    for f in lib/cmake/smtpfuzz/smtpfuzzConfig.cmake lib/cmake/smtpfuzz/smtpfuzzConfigVersion.cmake \
        lib/libsmtpfuzz_core.a lib/libsmtpfuzz_oracle.a lib/libsmtpfuzz_wire.a \
        lib/libsmtpfuzz_reply_parse.a include/smtpfuzz/smtp_target.h include/smtpfuzz/smtp_wire.h \
        include/smtpfuzz/fuzz_target.h include/smtpfuzz/oracle.h include/smtpfuzz/oracle_stream.h \
        share/smtpfuzz/fuzz/SmtpfuzzTarget.cmake share/smtpfuzz/fuzz/SmtpfuzzReplay.cmake \
        share/smtpfuzz/fuzz/fuzz_session.c share/smtpfuzz/fuzz/target_reference.c \
        share/smtpfuzz/corpus/fuzz_session.dict \
        share/smtpfuzz/corpus/fuzz_session.options share/smtpfuzz/corpus/fuzz_session/help; do
        [ -e "$prefix/$f" ] || fail "the package lacks $f"
    done
    echo "PASS: installed to $prefix ($(find "$prefix" -type f | wc -l) files)"
    ;;
replay | bug)
    [ $# -eq 8 ] || usage
    prefix=$2 example=$3 work=$4
    mapfile -t args < <(example_args "$5" "$6" "$7" "$8")
    seeds=$prefix/share/smtpfuzz/corpus/fuzz_session
    mkdir -p "$work"
    if [ "$mode" = replay ]; then
        configure_example "$prefix" "$example" "$work/build" "${args[@]}"
        bin=$work/build/fuzz/fuzz_toy_replay
        for f in fuzz_toy_replay fuzz_toy.dict fuzz_toy.options fuzz_toy_corpus/help; do
            [ -e "$work/build/fuzz/$f" ] || fail "$f is not next to the binaries"
        done
        grep -q '^dict = fuzz_toy.dict' "$work/build/fuzz/fuzz_toy.options" ||
            fail "fuzz_toy.options does not name fuzz_toy.dict"
        replay_expect "$bin" clean "$seeds"
        replay_expect "$bin" clean "$(crafted "$work")"
        # The toy is all its own code: its target links the judge, not smtpfuzz's responder.
        ! nm "$bin" | grep -q -E ' T smtp_(session|line|data)_' ||
            fail "fuzz_toy_replay holds smtpfuzz's responder or tokenizer: the judge links too much"
        # The second target brings the library's reference responder (smtpfuzz::core).
        ref=$work/build/fuzz/fuzz_toy_reference_replay
        [ -x "$ref" ] || fail "fuzz_toy_reference_replay was not built"
        nm "$ref" | grep -q ' T smtp_session_' || fail "fuzz_toy_reference_replay lacks the responder"
        replay_expect "$ref" clean "$seeds"
        (cd "$work/build" && ctest --output-on-failure) >"$work/ctest.log" 2>&1 ||
            { cat "$work/ctest.log"; fail "the example's own ctest (fuzz_replay_*) failed"; }
        grep -q 'fuzz_replay_fuzz_toy_reference' "$work/ctest.log" ||
            fail "the example's ctest did not replay fuzz_toy_reference's seeds"
        awk -F '\t' '$1 == "fuzz_toy" && $2 == "adapter"' "$work/build/smtpfuzz-targets.tsv" |
            grep -q . || fail "the example's registry does not list fuzz_toy as an adapter target"
        echo "PASS: the toy (judge only) and the reference (with the library), built against the package, run every installed seed clean"
    else
        configure_example "$prefix" "$example" "$work/build" "${args[@]}" -DTOY_SMTPD_BUG_BARE_LF=ON
        bin=$work/build/fuzz/fuzz_toy_replay
        replay_expect "$bin" "$RULE" "$(crafted "$work")"
        replay_expect "$bin" "$RULE" "$seeds"
        echo "PASS: the oracle catches the planted bug ($RULE), crafted and from the seeds"
    fi
    ;;
libfuzzer)
    [ $# -eq 6 ] || usage
    prefix=$2 example=$3 work=$4 clang=$5 seconds=$6
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    printf '%s\n' 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);' \
        'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (void)d, (void)n, 0; }' \
        >"$work/probe.c"
    if ! "$clang" -fsanitize=fuzzer,address,undefined "$work/probe.c" -o "$work/probe" >/dev/null 2>&1; then
        echo "SKIP: $clang cannot build a libFuzzer binary"
        exit 77
    fi
    configure_example "$prefix" "$example" "$work/build" "-DCMAKE_C_COMPILER=$clang" \
        -DSMTPFUZZ_ENGINE=libfuzzer -DSMTPFUZZ_SANITIZE=fuzzer-no-link,address,undefined \
        -DTOY_SMTPD_BUG_BARE_LF=ON
    dir=$work/build/fuzz
    [ -x "$dir/fuzz_toy" ] || fail "no libFuzzer binary fuzz_toy"
    # The flags come from the copied options file, as OSS-Fuzz's runner would take them.
    mapfile -t flags < <(awk -v dir="$dir" '
        /^[ \t]*\[/ { in_lf = ($0 ~ /^[ \t]*\[libfuzzer\]/); next }
        in_lf && /^[ \t]*[a-z_]+[ \t]*=/ {
            key = $0; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]*/, "", key)
            value = $0; sub(/^[^=]*=[ \t]*/, "", value); sub(/[ \t]*$/, "", value)
            if (key == "dict") value = dir "/" value
            print "-" key "=" value
        }' "$dir/fuzz_toy.options")
    printf '%s\n' "${flags[@]}" | grep -q -e '^-dict=.*fuzz_toy.dict$' || fail "no dict in fuzz_toy.options"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    # Seeds that trip the bug by themselves (bare-LF ones) are left out: the finding must be
    # the fuzzer's, made by mutating seeds the buggy toy answers correctly.
    mkdir -p "$work/seeds"
    for seed in "$dir"/fuzz_toy_corpus/*; do
        { "$dir/fuzz_toy_replay" "$seed"; } >/dev/null 2>&1 && cp "$seed" "$work/seeds/"
    done
    kept=$(find "$work/seeds" -type f | wc -l)
    [ "$kept" -gt 50 ] || fail "only $kept seeds run clean on the buggy toy"
    echo "fuzzing from $kept of $(find "$dir/fuzz_toy_corpus" -type f | wc -l) seeds, for at most ${seconds}s"
    "$dir/fuzz_toy" "${flags[@]}" -seed=1 -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
    status=$?
    artifact=$(find "$work/artifacts" -type f | head -n 1)
    grep -E "^(smtpfuzz oracle|  (detail|line|reply)|==[0-9]+==)" "$work/fuzz.log" | head -n 8
    grep -E "^#[0-9]+" "$work/fuzz.log" | tail -n 1
    if [ "$status" -eq 0 ] || [ -z "$artifact" ]; then
        tail -n 20 "$work/fuzz.log"
        fail "libFuzzer found nothing in ${seconds}s (status $status)"
    fi
    grep -q -e "$RULE" "$work/fuzz.log" || fail "the finding does not name $RULE"
    replay_expect "$dir/fuzz_toy_replay" "$RULE" "$artifact"
    echo "PASS: libFuzzer found $RULE in the buggy toy; $(basename "$artifact") replays it"
    ;;
tool)
    # The tool alone, the way a user builds and installs it: -DBUILD_TESTING=OFF must need no
    # cmocka, clang or AFL++; the installed smtpfuzz, run from a folder outside any source tree,
    # must find its installed seeds and check a server with them.
    [ $# -eq 4 ] || usage
    source_dir=$2 work=$3 cc=$4
    rm -rf "$work"
    mkdir -p "$work/outside"
    cmake -S "$source_dir" -B "$work/build" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_INSTALL_PREFIX="$work/prefix" >"$work/configure.log" 2>&1 ||
        { cat "$work/configure.log"; fail "configuring with -DBUILD_TESTING=OFF failed"; }
    ! grep -qi -e cmocka -e afl -e libfuzzer "$work/configure.log" ||
        fail "-DBUILD_TESTING=OFF still looked for test tools: $(grep -i -e cmocka -e afl -e libfuzzer "$work/configure.log" | head -n 3)"
    cmake --build "$work/build" --parallel 2 >"$work/build.log" 2>&1 ||
        { tail -n 40 "$work/build.log"; fail "building the tool alone failed"; }
    cmake --install "$work/build" >"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; fail "installing the tool failed"; }
    tool=$work/prefix/bin/smtpfuzz
    [ -x "$tool" ] || fail "no $tool after the install"
    corpus=$work/prefix/share/smtpfuzz/corpus/fuzz_session
    cd "$work/outside" || fail "cannot enter $work/outside"
    "$tool" check --exec "$tool respond" --runs 40 --seed 1 --quiet >check.out 2>check.err ||
        { cat check.out check.err; fail "the installed tool's check of its own responder failed"; }
    grep -q "corpus [1-9][0-9]* seeds from $corpus\$" check.out ||
        { cat check.out; fail "the installed tool did not use its installed seeds ($corpus)"; }
    ! grep -q warning check.err || { cat check.err; fail "check warned: $(cat check.err)"; }
    "$tool" replay "$corpus/help" >replay.out 2>&1 ||
        { cat replay.out; fail "the installed tool's replay of an installed seed failed"; }
    echo "PASS: built with -DBUILD_TESTING=OFF, installed, and run from $work/outside"
    ;;
*)
    usage
    ;;
esac
exit 0

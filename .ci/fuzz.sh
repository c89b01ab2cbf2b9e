#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing: builds the libFuzzer targets of tests/fuzz (clang, -fsanitize=fuzzer,address,
# undefined; a CMake project of its own in build/fuzz, so the gcc builds are untouched) and
# runs each for FUZZ_SECONDS (default 60) from its committed seed corpus. Fails on any
# crash, leak, timeout or sanitizer report (libFuzzer exits non-zero and leaves a crash-*
# / leak-* / timeout-* artifact in build/fuzz/artifacts/).
#   .ci/fuzz.sh                 every target, 60 s each
#   FUZZ_SECONDS=10 .ci/fuzz.sh
# Needs: clang, libclang-rt-14-dev (libFuzzer and the sanitizer runtimes), libmnl-dev,
# qt6-base-dev (packaging/install-deps.sh --extra installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=build/fuzz

for tool in clang clang++; do
    command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
done
cmake -S tests/fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j2 --target fuzz_decoder fuzz_csvreader fuzz_eventcodec fuzz_recordingreader \
    fuzz_rtmonreader fuzz_pcapreader fuzz_csvimport
# The seed writers are built too (not run), so that a link error in them is seen here rather
# than the next time someone regenerates the corpus.
cmake --build "$build" -j2 --target ncv_recording_corpus ncv_capture_corpus

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/artifacts"
status=0
for target in decoder csvreader eventcodec recordingreader rtmonreader pcapreader csvimport; do
    seeds=tests/fuzz/corpus/$target
    # An empty or missing seed directory would let the target start from nothing unnoticed.
    [ -n "$(ls -A "$seeds" 2>/dev/null)" ] || { echo "fuzz.sh: no seed corpus in $seeds" >&2; exit 1; }
    work=$build/corpus-$target # new inputs go here; the committed seeds stay untouched
    mkdir -p "$work"
    log=$build/fuzz-$target.log
    echo "=== fuzz_$target: ${seconds}s, seeds $(ls "$seeds" | wc -l) files"
    set +e
    "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    set -e
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "$log" || true
    if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$log"; then
        echo "fuzz.sh: fuzz_$target FAILED (exit $rc); log: $log" >&2
        grep -E -A30 'ERROR: |runtime error:' "$log" | head -60 >&2 || tail -40 "$log" >&2
        status=1
    else
        echo "fuzz_$target: no crash, leak or sanitizer report"
    fi
done
exit $status

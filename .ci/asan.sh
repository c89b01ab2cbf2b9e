#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer: configures and
# builds the `asan` preset (CMakePresets.json: gcc, -fsanitize=address,undefined,
# -fno-sanitize-recover=undefined, Debug with -g1: line tables, enough for the reports'
# stacks; the tree takes 7.4 GB instead of 9.1 GB with full debug information) into
# build/asan and runs `ctest --preset asan`.
# Any sanitizer report fails the run: ASan and UBSan halt on the first error, LeakSanitizer
# is on, and a report makes the test process exit non-zero (ctest then fails).
#   .ci/asan.sh            build + all tests
#   .ci/asan.sh -R tst_x   extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${NCV_JOBS:-2}

cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:exitcode=23:suppressions=$PWD/.ci/asan.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=24
# Suppressions name only libraries that are not ours (see the files for why).
export LSAN_OPTIONS=exitcode=23:suppressions=$PWD/.ci/lsan.supp
export QT_QPA_PLATFORM=offscreen
ctest --preset asan --output-on-failure "$@"

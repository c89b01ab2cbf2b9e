#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Windows platform layer: cross-builds the Qt-free platform library and its tests with
# MinGW-w64 (warnings are errors, the "mingw" CMake preset) and runs the tests under Wine,
# headless, in a fresh WINEPREFIX under a temporary directory.
#
# Installs nothing. Needs these Debian 12 packages:
#   mingw-w64     (x86_64-w64-mingw32-g++-posix, via g++-mingw-w64-x86-64-posix)
#   wine64        (/usr/lib/wine/wine64 and /usr/lib/wine/wineserver64)
#   cmake ninja-build
# (packaging/install-deps.sh --windows installs them; the "wine" package is optional.)
#
# Exit status: 0 when everything built and every test passed; non-zero otherwise.
# Environment: NCV_JOBS (parallel build jobs, default 2), NCV_WINE (a wine loader to use).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'windows-tests: %s\n' "$*"; }
die() { printf 'windows-tests: error: %s\n' "$*" >&2; exit 1; }

# --- tools ----------------------------------------------------------------------------
for tool in cmake ninja x86_64-w64-mingw32-g++-posix; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (install the Debian packages: mingw-w64 wine64 cmake ninja-build)"
done
wine=${NCV_WINE:-}
if [ -z "$wine" ]; then
    for candidate in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then wine=$candidate; break; fi
    done
fi
[ -n "$wine" ] || die "no wine loader found (install the Debian package wine64)"
wineserver=
for candidate in /usr/lib/wine/wineserver64 "$(command -v wineserver || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then wineserver=$candidate; break; fi
done
[ -n "$wineserver" ] || die "no wineserver found (install the Debian package wine64)"
say "compiler: $(x86_64-w64-mingw32-g++-posix --version | head -n1)"
say "wine: $wine ($("$wine" --version 2>/dev/null || echo unknown version))"

# --- a fresh, private, headless Wine prefix ------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ncv-wine.XXXXXX")
export WINEPREFIX="$tmp/prefix"
export WINEARCH=win64
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono / Gecko install prompts
export WINELOADER="$wine"
export WINESERVER="$wineserver"
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
    "$wineserver" -k >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

say "creating WINEPREFIX $WINEPREFIX"
# Keep one wineserver for the whole run (so it is not a child of the test pipes).
"$wineserver" -p </dev/null >/dev/null 2>&1 || true
if ! timeout 300 "$wine" wineboot --init </dev/null >"$tmp/wineboot.log" 2>&1; then
    cat "$tmp/wineboot.log" >&2
    die "wineboot --init failed"
fi
timeout 120 "$wineserver" -w || true # wait until the prefix is written
[ -f "$WINEPREFIX/system.reg" ] || { cat "$tmp/wineboot.log" >&2; die "WINEPREFIX was not created"; }

# --- configure and build (warnings are errors: the preset sets NCV_WERROR=ON) -----------
rm -f build/mingw/CMakeCache.txt
say "configure: cmake --preset mingw"
cmake --preset mingw -DNCV_WINE="$wine" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; die "configure failed"; }
say "build: cmake --build --preset mingw -j ${NCV_JOBS:-2}"
cmake --build --preset mingw -j "${NCV_JOBS:-2}" || die "build failed"

# --- run the tests under Wine ---------------------------------------------------------
say "test: ctest --preset mingw (under $wine)"
status=0
timeout 1200 ctest --preset mingw --verbose --timeout 300 </dev/null >"$tmp/ctest.log" 2>&1 || status=$?
# The test runner's own summary lines, then ctest's.
grep -E '^[0-9]+: (Test command|\[doctest\] test cases:)|ERROR: ' "$tmp/ctest.log" \
    | sed -e 's/^[0-9]*: Test command: .*\/\(tst_[A-Za-z0-9_]*\.exe\).*/  \1/' -e 's/^[0-9]*: /    /' || true
grep -E 'tests passed|tests failed|Passed|\*\*\*|Failed|Not Run|Timeout' "$tmp/ctest.log" | grep -v '^[0-9]*: ' || true
if [ "$status" -ne 0 ]; then
    say "ctest failed (exit $status); full log:"
    cat "$tmp/ctest.log"
    exit "$status"
fi
# doctest's closing line: "[doctest] test cases: 7 | 7 passed | 0 failed | 0 skipped".
summaries=$(grep -cE '^[0-9]+: \[doctest\] test cases: +[1-9][0-9]* \| +[0-9]+ passed \| 0 failed' "$tmp/ctest.log" || true)
tests=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#' "$tmp/ctest.log" || true)
[ "$summaries" -eq "$tests" ] && [ "$tests" -gt 0 ] || die "expected a doctest summary with 0 failed from each of $tests tests, found $summaries"
say "all $tests Windows test programs passed under Wine"

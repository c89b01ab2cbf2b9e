#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian/Ubuntu packages NetChangeView needs to build, test and run.
#   packaging/install-deps.sh            build + run + Linux tests
#   packaging/install-deps.sh --windows  also MinGW-w64 and Wine (Windows cross build + tests)
#   packaging/install-deps.sh --extra    also Xvfb/ImageMagick (screenshots), clang sanitizer runtimes and the
#                                        package checkers (lintian, desktop-file-validate, appstreamcli, man,
#                                        systemd-analyze) that .ci/package.sh runs
# Runs apt-get as root (through sudo when not root). Idempotent.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-tools-dev qt6-qpa-plugins libgl-dev
    libmnl-dev libpcap-dev libsystemd-dev doctest-dev libsqlite3-dev sqlite3
    iproute2 fonts-dejavu-core
    tshark # the nlmon capture tests check the reader against it (they skip without it)
    help2man # the manual page is made from --help (packaging/CMakeLists.txt)
)
for arg in "$@"; do
    case "$arg" in
    --windows) packages+=(mingw-w64 wine64 wine) ;;
    --extra) packages+=(xvfb xauth imagemagick clang libclang-rt-14-dev time python3
                        dpkg-dev lintian desktop-file-utils appstream man-db systemd
                        openssh-server) ;; # the real-ssh remote host test (it skips without sshd)
    *) echo "install-deps.sh: unknown option '$arg' (use --windows, --extra)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps.sh: all ${#packages[@]} packages already installed"
    exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps.sh: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
fi
echo "install-deps.sh: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

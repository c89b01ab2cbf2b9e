#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package from build/ci (after the README test command built it), checks
# it (lintian, desktop-file-validate, appstreamcli, systemd-analyze), installs it with apt
# as a user would, runs the installed program (--version, a headless recording of route
# changes in a private network namespace, the manual page), purges it and checks that
# nothing it installed or made is left. Runs as root (CI), on a machine where the package
# is not installed otherwise. Exit 0 = all good.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
build=${NCV_BUILD:-build/ci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package.sh: FAIL: $*" >&2; exit 1; }
say() { printf '\n--- %s\n' "$*"; }

say "cpack -G DEB"
# What the package installs (cpack builds the rest of "all" itself, already built in CI).
cmake --build "$build" --target netchangeview ncv_manpage ncv_changelog
rm -f "$build"/netchangeview_*.deb
(cd "$build" && cpack -G DEB >"$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack"; }
debs=("$build"/netchangeview_*_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one netchangeview_<version>_<arch>.deb in $build"
deb=$(realpath "${debs[0]}")
echo "$deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $1, $6}'

say "lintian (errors fail; warnings are explained in packaging/README.md)"
lintian --fail-on error --info "$deb" || fail "lintian found errors"

say "desktop-file-validate, appstreamcli validate"
desktop-file-validate packaging/netchangeview.desktop
appstreamcli validate --no-net packaging/org.netchangeview.NetChangeView.metainfo.xml

say "apt-get install $deb"
if dpkg-query -W netchangeview >/dev/null 2>&1; then fail "netchangeview is installed already"; fi
apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }
dpkg-query -W -f='${Package} ${Version} ${Status}\nDepends: ${Depends}\n' netchangeview
dpkg -L netchangeview | sort >"$work/files"

say "netchangeview --version (the installed program)"
[ "$(command -v netchangeview)" = /usr/bin/netchangeview ] || fail "netchangeview is not /usr/bin/netchangeview"
version=$(netchangeview --version)
echo "$version"
[[ $version =~ ^NetChangeView\ [0-9.]+\ \(commit\ [^\)]+\)$ ]] || fail "unexpected --version output"

say "headless recording of route changes in a private network namespace"
unshare -n bash -euo pipefail -c '
    work=$1
    ip link set lo up
    netchangeview --headless --record "$work/rec.ncv" --duration 60 2>"$work/rec.err" &
    pid=$!
    for _ in $(seq 100); do grep -q "^ready:" "$work/rec.err" && break; sleep 0.1; done
    grep "^ready:" "$work/rec.err"
    ip link add pk0 type veth peer name pk1
    ip link set pk0 up
    ip link set pk1 up
    ip route add 10.98.1.0/24 dev pk0
    ip route add 10.98.2.0/24 dev pk0 metric 7
    ip route del 10.98.1.0/24 dev pk0
    sleep 0.5
    kill -TERM "$pid"
    wait "$pid"
    cat "$work/rec.err"
' _ "$work"
netchangeview --headless "$work/rec.ncv" --export-csv "$work/rec.csv"
grep -E ',route,add,.*,10\.98\.1\.0/24,' "$work/rec.csv" || fail "the recording lacks the route add of 10.98.1.0/24"
grep -E ',route,delete,.*,10\.98\.1\.0/24,' "$work/rec.csv" || fail "the recording lacks the route delete"
grep -E ',route,add,.*,10\.98\.2\.0/24,' "$work/rec.csv" || fail "the recording lacks the route add of 10.98.2.0/24"

say "man -l: the manual page renders without warnings"
page=/usr/share/man/man1/netchangeview.1.gz
[ -f "$page" ] || fail "no $page"
MANWIDTH=80 man --warnings -l "$page" >"$work/man.txt" 2>"$work/man.err"
if [ -s "$work/man.err" ]; then cat "$work/man.err"; fail "man warnings"; fi
for option in $(netchangeview --help | grep -oE -- '--[a-z0-9-]+' | sort -u); do
    grep -q -- "$option" "$work/man.txt" || fail "the manual page lacks $option"
done
for code in 0 1 2 3 4 5 6; do grep -qE "^ +$code\b" "$work/man.txt" || fail "the manual page lacks exit status $code"; done
head -n 5 "$work/man.txt"

say "systemd-analyze verify / security (offline: systemd need not be running)"
unit=/lib/systemd/system/netchangeview-recorder.service
systemd-analyze verify "$unit"
systemd-analyze security --offline=true --no-pager "$unit" | tail -n 1

say "apt-get purge: nothing left behind"
apt-get purge -y -qq netchangeview >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "apt-get purge"; }
left=()
while read -r path; do
    # Shared directories (/usr, /usr/share/man/man1...) stay; every file and every directory
    # of the package's own (its name in the path) must be gone.
    if [ -d "$path" ] && [[ $path != *netchangeview* ]]; then continue; fi
    if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
done <"$work/files"
for path in /var/lib/netchangeview /var/lib/private/netchangeview /etc/default/netchangeview-recorder; do
    [ -e "$path" ] && left+=("$path")
done
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
dpkg-query -W netchangeview >/dev/null 2>&1 && fail "still known to dpkg after purge"
echo "purged: none of the $(wc -l <"$work/files") paths the package installed that are its own remains"
echo "package.sh: OK"

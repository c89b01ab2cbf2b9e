#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Route Lookup panel's answer at N routes, side by side with the kernel's `ip route get`
# on the same routes, in a fresh private network namespace. Figures are printed, never asserted.
#   tests/bench/lookup.sh [N [BATCHES]]     (default: 1000000 20)
# ncv_lookupbench builds the same N /32 routes in a Routes table (no kernel) and prints the
# panel's former whole-table answer (scan_*) against CoveringRoutes (covering_*); here the
# routes are loaded into the namespace with ip -batch and 1000 `route get` of the same
# destination are timed in one ip -batch (one netlink request and answer each).
# Needs the ci (or release) build with target ncv_lookupbench, iproute2 and awk.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
ncv_find_build tests/bench/ncv_lookupbench
n=${1:-1000000}
batches=${2:-20}
if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    ncv_rerun_in_private_ns "$n" "$batches"
    exit $?
fi

ncv_work_dir no_pid
ncv_add_veth
echo "# ours: $build/tests/bench/ncv_lookupbench $n $batches"
"$build/tests/bench/ncv_lookupbench" "$n" "$batches"

# The destination ncv_lookupbench looks up: the N/2-th route's.
i=$((n / 2))
dest="$((20 + i / 16777216)).$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
ncv_route_batch "$n" "$work/batch"
printf 'route add 0.0.0.0/0 via 10.9.0.3\nroute add 20.0.0.0/8 via 10.9.0.3\n' >> "$work/batch"
t0=$(now); ip -batch "$work/batch"; t1=$(now)
echo "# kernel: ip -batch of $n routes, then 1000 x 'route get $dest' in one ip -batch"
echo "kernel_routes $(ip -4 route show table all | wc -l)"
echo "kernel_load_s $(calc "$t1 - $t0")"
for _ in $(seq 1 1000); do echo "route get $dest"; done > "$work/get"
best=
for _ in 1 2 3; do
    t0=$(now); ip -batch "$work/get" > /dev/null; t1=$(now)
    t=$(calc "($t1 - $t0) * 1000" 1)
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
done
echo "kernel_route_get_us $(calc "$best" 1)"
echo "kernel_answer $(ip route get "$dest" | head -1)"

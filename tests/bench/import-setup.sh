# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the import benchmarks (rtmon-import.sh, pcap-import.sh) after `set -euo
# pipefail`: finds ncv_bench, reads N and ROUNDS ($1 $2, default 1000000 3), runs the
# calling script again inside a private network namespace, and there sets up a work folder
# removed at exit (with the process in $recorder killed), now / calc / best / field /
# import_round helpers (field reads ncv_bench's output in $work/bench.txt), and a veth pair
# nb0 / nb1 with 10.9.0.1/24 on nb0 for the routes to go through 10.9.0.2.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
ncv_find_build tests/bench/ncv_bench
bench=$build/tests/bench/ncv_bench
n=${1:-1000000}
rounds=${2:-3}
export QT_QPA_PLATFORM=offscreen

if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    ncv_rerun_in_private_ns "$n" "$rounds"
    exit
fi

recorder=
ncv_work_dir recorder
best() { awk -v a="${1:-1e9}" -v b="$2" 'BEGIN { print (b < a) ? b : a }'; } # best BEST_SO_FAR NEW
field() { awk -v k="$1" '$1 == k { print $2 }' "$work/bench.txt"; } # field KEY: a figure ncv_bench printed
# import_round MODE FILE PREFIX: ncv_bench MODE FILE into a new $work/out.ncv; sets read_s,
# import_s, events and rss from its figures PREFIX_read_s, PREFIX_import_s, ...
import_round() {
    rm -f "$work/out.ncv"
    "$bench" "$1" "$2" "$work/out.ncv" >"$work/bench.txt"
    read_s=$(field "$3_read_s")
    import_s=$(field "$3_import_s")
    events=$(field "$3_import_events")
    rss=$(field "$3_import_rss_mb")
}

ncv_add_veth

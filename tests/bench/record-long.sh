#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A long recording: the headless recorder (--record) in a private network namespace while
# ip -batch adds N routes and ip route flush removes them again, cycle after cycle, until
# EVENTS events were made. Prints the recorder's resident memory after each cycle and its
# peak (VmHWM) beside the events recorded and the file's bytes per event, and the time the
# recorder took to catch up with each cycle against ip's own time. Figures are printed,
# never asserted.
#   tests/bench/record-long.sh [EVENTS [N]]   (default: 10000000 events, N = 1000000 routes)
# Needs the ci (or release) build with target netchangeview, iproute2, sqlite3 and awk.
# Runs as root (unshare -n) or in a user namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
ncv_find_build app/netchangeview
command -v sqlite3 >/dev/null || { echo "record-long.sh: needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
events=${1:-10000000}
n=${2:-1000000}

if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
    echo "build:   $build"
    ncv_rerun_in_private_ns "$events" "$n"
    exit
fi

rec_pid=
ncv_work_dir rec_pid
ncv_add_veth

status_mb() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$rec_pid/status"; }
committed() { sqlite3 "file:$rec?mode=ro" "SELECT coalesce(max(seq), 0) FROM events" 2>/dev/null || echo 0; }

ncv_route_batch "$n" "$work/batch"

rec=$work/long.ncv
"$build/app/netchangeview" --headless -4 --record "$rec" 2> "$work/rec.err" &
rec_pid=$!
for _ in $(seq 1 300); do grep -qs '^ready' "$work/rec.err" && break; sleep 0.1; done
grep -q '^ready' "$work/rec.err" || { cat "$work/rec.err" >&2; echo "record-long.sh: recorder did not start" >&2; exit 1; }
base=$(committed)

# ip route flush gives up after about 30 s ("Flush not completed") on a loaded machine: go on
# until the routes are gone.
flush() {
    for _ in 1 2 3 4 5; do
        ip -4 route flush root 20.0.0.0/6 2>/dev/null && return 0
    done
    ip -4 route flush root 20.0.0.0/6
}

# Waits until the recorder committed $1 events (sequence numbers from $base on).
wait_for() {
    for _ in $(seq 1 6000); do
        [ "$(committed)" -ge $((base + $1)) ] && return 0
        sleep 0.05
    done
    echo "record-long.sh: the recorder did not catch up with $1 events" >&2
    exit 1
}

printf '| %5s | %-6s | %10s | %6s | %12s | %14s | %8s |\n' cycle change "events" "ip, s" "caught up, s" "file+WAL, B/ev" "RSS, MB"
printf '| %5s | %-6s | %10s | %6s | %12s | %14s | %8s |\n' --- --- --- --- --- --- ---
made=0
cycle=0
while [ "$made" -lt "$events" ]; do
    cycle=$((cycle + 1))
    for change in add delete; do
        t0=$(now)
        if [ "$change" = add ]; then ip -batch "$work/batch"; else flush; fi
        t1=$(now)
        made=$((made + n))
        wait_for "$made"
        t2=$(now)
        bytes=$(( $(stat -c %s "$rec") + $(stat -c %s "$rec-wal" 2>/dev/null || echo 0) ))
        printf '| %5s | %-6s | %10s | %6s | %12s | %14s | %8s |\n' "$cycle" "$change" "$made" \
            "$(calc "$t1 - $t0" 2)" "$(calc "$t2 - $t0" 2)" "$(calc "$bytes / ($made + $base)" 1)" "$(status_mb VmRSS)"
        [ "$made" -lt "$events" ] || break
    done
done
peak=$(status_mb VmHWM)
kill -TERM "$rec_pid"
wait "$rec_pid" || { cat "$work/rec.err" >&2; exit 1; }
rec_pid=
recorded=$(sqlite3 "$rec" "SELECT count(*) FROM events")
echo
echo "events recorded: $recorded (made: $made, plus $base at the start)"
echo "file: $(calc "$(stat -c %s "$rec") / 1048576" 1) MB, $(calc "$(stat -c %s "$rec") / $recorded" 1) bytes per event (goal <= 60)"
echo "recorder peak RSS (VmHWM): $peak MB (goal <= 150 MB)"
echo "keyframes: $(sqlite3 "$rec" "SELECT coalesce(sum(n), 0) || ' (' || coalesce(group_concat(reason || ' ' || n, ', '), '') || ')' FROM (SELECT reason, count(*) AS n FROM keyframes GROUP BY reason)"), largest $(sqlite3 "$rec" "SELECT coalesce(max(routes), 0) FROM keyframes") routes"

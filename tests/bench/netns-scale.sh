#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Watching every network namespace at scale: NS namespaces, each with a veth pair and R routes,
# watched by the headless recorder (--netns all --record, and a second one with --stream)
# beside `ip -ts -o monitor all-nsid` in the same run, while R more routes are added in every
# namespace (a burst, `ip -n NS -batch` one namespace after the other) and then CHURN neighbor
# changes are made across them (`neigh replace ... nud reachable|stale extern_learn`). Prints
# one table: how long each took to catch up after the last change, events seen against those
# made, the recording's tables at its end against `ip -n NS route show` / `ip -n NS neigh show`
# namespace by namespace (none lost), the recorder's peak RSS, CPU seconds and bytes per
# event, and the snapshot of every namespace: `ip -all netns exec ip route show` against the
# recording's `--at END --export-csv` and the live `--netns all --duration 0 --export-csv`.
# With ncv_bench built, the live window (`netchangeview --netns all`, offscreen) watches the
# same burst and churn twice, with its live recording and with --no-record (`ncv_bench guins`,
# the real MainWindow wired as the app wires it): its catch-up, the changes its event history
# holds, its event-loop stall p99 / max (a 1 ms probe timer, as bench.sh's GUI rows), peak
# RSS and CPU seconds, in the same table.
# Figures are printed, never asserted.
#   tests/bench/netns-scale.sh [NS [R [CHURN]]]   (default 100 namespaces, 1000 routes, 100000)
#   tests/bench/netns-scale.sh --smoke            (5 namespaces, 100 routes, 2000: seconds)
# Needs the ci (or release) build with target netchangeview (ncv_bench too for the live and
# recording windows' figures), iproute2, sqlite3, python3 and awk. Runs as root (unshare -n -m) or in a
# user namespace (unshare -rnm); the namespaces, their names (a tmpfs on /run) and the
# neighbors are all inside it.
#
# The neighbors are extern_learn entries: the kernel keeps them out of its garbage collection
# (gc_thresh3 counts every namespace's ARP entries together, 1024 by default), and changing
# that threshold would change the host's. Each namespace's neighbors end STALE, a state
# without a timer, so the tables at the end stay what the script made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
ncv_find_build app/netchangeview
for tool in sqlite3 python3; do
    command -v "$tool" >/dev/null || { echo "netns-scale.sh: needs $tool" >&2; exit 1; }
done
if [ "${1:-}" = --smoke ]; then set -- 5 100 2000; fi
nns=${1:-100}
nroutes=${2:-1000}
churn=${3:-100000}
bin=$build/app/netchangeview
bench=$build/tests/bench/ncv_bench

if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
    echo "build:   $build"
    echo "size:    $nns namespaces x $nroutes routes, then $nroutes more routes in each, then $churn neighbor changes"
    ncv_rerun_in_private_ns_and_mounts "$nns" "$nroutes" "$churn"
    exit
fi

ncv_private_run
rec_pid='' stream_pid='' mon_pid='' gui_pid='' guinr_pid=''
ncv_work_dir rec_pid
# The cleanup kills the recorder; the other watchers too.
stop_watchers() {
    local pid
    for pid in "$stream_pid" "$mon_pid" "$gui_pid" "$guinr_pid"; do [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; done
}
trap 'stop_watchers; ncv_cleanup' EXIT
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/runtime
mkdir -m 700 "$XDG_RUNTIME_DIR"
ip link set lo up

rows=()
row() { rows+=("$(printf '| %-74s | %14s | %14s | %7s |' "$@")"); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# Neighbors per namespace and rounds: every round replaces each neighbor once, alternating
# REACHABLE (the first round adds them) and STALE; an even number of rounds ends STALE.
per_ns=$((churn / nns))
nneigh=$((per_ns / 2))
[ "$nneigh" -le 250 ] || nneigh=250
[ "$nneigh" -ge 1 ] || nneigh=1
rounds=$(((per_ns / nneigh) / 2 * 2))
[ "$rounds" -ge 2 ] || rounds=2
churn_made=$((nns * nneigh * rounds))

# The batches: each namespace's setup (lo, the veth pair, its /16, R routes), the burst of R
# more routes and the neighbor churn.
{
    echo "link set lo up"
    echo "link add nb0 type veth peer name nb1"
    echo "link set nb0 up"
    echo "link set nb1 up"
    echo "addr add 10.9.0.1/16 dev nb0"
} > "$work/setup"
ncv_route_batch "$nroutes" "$work/routes"
cat "$work/routes" >> "$work/setup"
ncv_route_batch "$nroutes" "$work/burst" "$nroutes"
awk -v k="$nneigh" -v r="$rounds" 'BEGIN { for (j = 0; j < r; j++) for (i = 0; i < k; i++)
    printf "neigh replace 10.9.%d.%d lladdr 02:00:00:00:%02x:%02x dev nb0 nud %s extern_learn\n",
        1 + int(i / 256), i % 256, int(i / 256), i % 256, (j % 2 == 0) ? "reachable" : "stale" }' > "$work/churn"

names=()
for i in $(seq 1 "$nns"); do names+=("nsb$i"); done
t0=$(now)
for ns in "${names[@]}"; do
    ip netns add "$ns"
    # An id here, so ip monitor all-nsid hears the namespace.
    ip netns set "$ns" auto
    ip -n "$ns" -batch "$work/setup"
done
setup_s=$(calc "$(now) - $t0" 2)
# The IPv6 link-local addresses of the veths come about a second after they are up.
sleep 2

status_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }
max_seq() { sqlite3 "file:$rec?mode=ro" "SELECT coalesce(max(seq), 0) FROM events" 2>/dev/null || echo 0; }
wait_ready() {
    for _ in $(seq 1 1200); do grep -qs '^ready' "$1" && return 0; sleep 0.1; done
    cat "$1" >&2
    echo "netns-scale.sh: $2 did not start" >&2
    exit 1
}

# The watchers: the recorder, the streaming recorder, ip monitor all-nsid.
rec=$work/all.ncv
t0=$(now)
"$bin" --headless --netns all --record "$rec" 2> "$work/rec.err" &
rec_pid=$!
wait_ready "$work/rec.err" recorder
rec_ready_s=$(calc "$(now) - $t0" 2)
"$bin" --headless --netns all --stream "$work/stream.jsonl" 2> "$work/stream.err" &
stream_pid=$!
wait_ready "$work/stream.err" "streaming recorder"
# The live window on every namespace, with its live recording (gui) and without (guinr):
# ready once its snapshot is in; its stall figures count from $work/gui.go (made just before
# the burst) until 1 s after it held the last change; it stops when $work/gui.stop exists.
gui=
if [ -x "$bench" ]; then
    gui=1
    "$bench" guins all "$work/gui.go" "$work/gui.stop" > "$work/gui.out" 2> "$work/gui.err" &
    gui_pid=$!
    wait_ready "$work/gui.out" "live window"
    NCV_BENCH_NO_RECORD=1 "$bench" guins all "$work/gui.go" "$work/gui.stop" > "$work/guinr.out" 2> "$work/guinr.err" &
    guinr_pid=$!
    wait_ready "$work/guinr.out" "live window (--no-record)"
fi
gui_size() { if [ -n "$gui" ]; then stat -c %s "$work/$1.out"; else echo 0; fi; }
ip -ts -o monitor all-nsid > "$work/monitor.txt" 2> "$work/monitor.err" &
mon_pid=$!
sleep 1 # ip monitor has no ready line
rec_base=$(max_seq)
stream_base=$(wc -l < "$work/stream.jsonl")
mon_base=$(wc -l < "$work/monitor.txt")

# The changes.
touch "$work/gui.go"
[ -z "$gui" ] || sleep 0.1 # the windows look for it every 50 ms
t0=$(now)
for ns in "${names[@]}"; do ip -n "$ns" -batch "$work/burst"; done
t1=$(now)
for ns in "${names[@]}"; do ip -n "$ns" -batch "$work/churn"; done
t2=$(now)
burst_s=$(calc "$t1 - $t0" 2)
churn_s=$(calc "$t2 - $t1" 2)

# Caught up: when each watcher had written the last change's event (the recording's
# committed sequence number, each file's size, sampled every 0.1 s until none has written for
# 5 s), less the time the last change was made. Events that are not the script's changes
# (the namespace scan's, IPv6 autoconfiguration's) do not count.
: > "$work/rec.samples"; : > "$work/stream.samples"; : > "$work/mon.samples"
last_all='' at_last=$t2
while :; do
    t=$(now)
    a=$(max_seq) b=$(stat -c %s "$work/stream.jsonl") c=$(stat -c %s "$work/monitor.txt")
    echo "$t $a" >> "$work/rec.samples"; echo "$t $b" >> "$work/stream.samples"; echo "$t $c" >> "$work/mon.samples"
    # The windows print a sample line whenever their history grew.
    d="$(gui_size gui) $(gui_size guinr)"
    [ "$a $b $c $d" = "$last_all" ] || { last_all="$a $b $c $d" at_last=$t; }
    [ "$(awk -v t="$t" -v a="$at_last" 'BEGIN { print (t - a >= 5) ? 1 : 0 }')" = 0 ] || break
    [ "$(calc "$t - $t2" 0)" -lt 900 ] || { echo "netns-scale.sh: still writing 900 s after the last change" >&2; break; }
    sleep 0.1
done
# caught_up SAMPLES TARGET: seconds from the last change to the first sample at TARGET or more.
caught_up() { awk -v target="$2" -v t2="$t2" '$2 >= target { printf "%.2f", $1 - t2; found = 1; exit } END { if (!found) print "never" }' "$1"; }
# end_of_last FILE REGEX: the byte offset just after FILE's last line matching REGEX.
end_of_last() { LC_ALL=C awk -v re="$2" '{ off += length($0) + 1 } $0 ~ re { last = off } END { print last + 0 }' "$1"; }
# What the kernel holds now, namespace by namespace (before the recorder stops: the end of
# the recording is after this).
for ns in "${names[@]}"; do
    ip -n "$ns" -4 route show | awk -v ns="$ns" '$1 ~ /^2[0-3]\./ { print ns, $1 }'
done | sort > "$work/ip.routes"
for ns in "${names[@]}"; do
    ip -n "$ns" -4 neigh show dev nb0 | awk -v ns="$ns" '{ print ns, $1, $NF }'
done | sort > "$work/ip.neigh"

rec_hwm=$(status_mb "$rec_pid" VmHWM)
rec_cpu=$(cpu_s "$rec_pid")
stream_hwm=$(status_mb "$stream_pid" VmHWM)
stream_cpu=$(cpu_s "$stream_pid")
mon_cpu=$(cpu_s "$mon_pid")
kill -TERM "$rec_pid"
wait "$rec_pid" || { cat "$work/rec.err" >&2; exit 1; }
rec_pid=
kill -INT "$stream_pid"
wait "$stream_pid" || { cat "$work/stream.err" >&2; exit 1; }
stream_pid=
kill "$mon_pid"
wait "$mon_pid" 2>/dev/null || true
mon_pid=
if [ -n "$gui" ]; then
    gui_hwm=$(status_mb "$gui_pid" VmHWM) gui_cpu=$(cpu_s "$gui_pid")
    guinr_hwm=$(status_mb "$guinr_pid" VmHWM) guinr_cpu=$(cpu_s "$guinr_pid")
    touch "$work/gui.stop"
    wait "$gui_pid" || { cat "$work/gui.err" >&2; exit 1; }
    gui_pid=
    wait "$guinr_pid" || { cat "$work/guinr.err" >&2; exit 1; }
    guinr_pid=
fi

# Events: route adds of the burst (20.x.x.x) and neighbor changes (10.9.x.x, not 10.9.0.0/16
# routes) after each watcher's start.
rec_events=$(sqlite3 "$rec" "SELECT count(*) FROM events")
rec_routes=$(sqlite3 "$rec" "SELECT count(*) FROM events WHERE seq > $rec_base AND object = 3 AND change = 1 AND destination LIKE '2_.%'")
rec_neigh=$(sqlite3 "$rec" "SELECT count(*) FROM events WHERE seq > $rec_base AND object = 6 AND change IN (1, 3) AND destination LIKE '10.9.%'")
rec_gaps=$(sqlite3 "$rec" "SELECT count(*) FROM events WHERE object = 5")
rec_bytes=$(stat -c %s "$rec")
tail -n +"$((stream_base + 1))" "$work/stream.jsonl" > "$work/stream.new"
stream_re='"object":"(route","change":"add".*"destination":"2[0-3]\\.|neighbor",.*"destination":"10\\.9\\.)'
mon_re='\\[nsid [0-9]+\\](2[0-3]\\.[0-9.]+ via|10\\.9\\.[0-9]+\\.[0-9]+ dev)'
stream_routes=$(grep -c '"object":"route","change":"add".*"destination":"2[0-3]\.' "$work/stream.new" || true)
stream_neigh=$(grep -Ec '"object":"neighbor","change":"(add|parameter)".*"destination":"10\.9\.' "$work/stream.new" || true)
stream_lines=$(wc -l < "$work/stream.jsonl")
stream_bytes=$(stat -c %s "$work/stream.jsonl")
tail -n +"$((mon_base + 1))" "$work/monitor.txt" > "$work/monitor.new"
mon_routes=$(grep -Ec '\[nsid [0-9]+\]2[0-3]\.[0-9.]+ via' "$work/monitor.new" || true)
mon_neigh=$(grep -Ec '\[nsid [0-9]+\]10\.9\.[0-9]+\.[0-9]+ dev' "$work/monitor.new" || true)
mon_lines=$(wc -l < "$work/monitor.txt")
# ip monitor says "netlink receive error No buffer space available" where it lost events.
mon_enobufs=$(grep -c 'No buffer space' "$work/monitor.err" || true)
mon_bytes=$(stat -c %s "$work/monitor.txt")

rec_last=$(sqlite3 "$rec" "SELECT coalesce(max(seq), 0) FROM events WHERE seq > $rec_base AND ((object = 3 AND change = 1 AND destination LIKE '2_.%') OR (object = 6 AND destination LIKE '10.9.%'))")
rec_catch=$(caught_up "$work/rec.samples" "$rec_last")
stream_catch=$(caught_up "$work/stream.samples" "$(end_of_last "$work/stream.jsonl" "$stream_re")")
mon_catch=$(caught_up "$work/mon.samples" "$(end_of_last "$work/monitor.txt" "$mon_re")")
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
if [ -n "$gui" ]; then
    # A window caught up when its history held the last of the script's changes.
    for w in gui guinr; do awk '$1 == "sample" { print $2, $3 }' "$work/$w.out" > "$work/$w.samples"; done
    gui_catch=$(caught_up "$work/gui.samples" "$(val guins_last_change_events "$work/gui.out")")
    guinr_catch=$(caught_up "$work/guinr.samples" "$(val guins_last_change_events "$work/guinr.out")")
fi

# The snapshot of every namespace: ip against the recording's end and the live export.
best3() { # best3 OUT CMD...: the best wall seconds of 3 runs of CMD > OUT
    local best='' t a
    for _ in 1 2 3; do
        t=$(now); "${@:2}" > "$1"; a=$(calc "$(now) - $t")
        best=$(awk -v a="$a" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    echo "$best"
}
ip_all_s=$(best3 "$work/ip.all" ip -all netns exec ip route show)
ip_all_lines=$(wc -l < "$work/ip.all")
end_rel=$(sqlite3 "$rec" "SELECT (CAST(e.value AS INTEGER) - CAST(s.value AS INTEGER)) / 1e6 FROM meta e, meta s WHERE e.name = 'end_time_us' AND s.name = 'start_time_us'")
at_export() { rm -f "$work/at.csv"; "$bin" --headless "$rec" --at "+$end_rel" --export-csv "$work/at.csv" 2> "$work/at.err" || { cat "$work/at.err" >&2; exit 1; }; }
at_s=$(best3 /dev/null at_export)
live_export() { rm -f "$work/live.csv"; "$bin" --headless --netns all --duration 0 --export-csv "$work/live.csv" 2> "$work/live.err" || { cat "$work/live.err" >&2; exit 1; }; }
live_s=$(best3 /dev/null live_export)
# The tables at the end, per namespace, as the ip lists above: routes in 20.0.0.0/6 and
# the churn's neighbors (IPv4 on nb0) with their state.
python3 - "$work/at.csv" "$work" <<'EOF'
import csv, sys
rows = csv.DictReader(open(sys.argv[1], newline=''))
routes, neigh = [], []
for r in rows:
    ns = r.get('namespace') or ''
    if r['object'] == 'route' and r['destination'][:3] in ('20.', '21.', '22.', '23.'):
        routes.append(f"{ns} {r['destination'].removesuffix('/32')}")
    elif r['object'] == 'neighbor' and r['family'] == 'ipv4' and r['if_name'] == 'nb0':
        state = r['details'].split()[-1] if r['details'] else ''
        neigh.append(f"{ns} {r['destination']} {state}")
open(sys.argv[2] + '/at.routes', 'w').write(''.join(x + '\n' for x in sorted(routes)))
open(sys.argv[2] + '/at.neigh', 'w').write(''.join(x + '\n' for x in sorted(neigh)))
EOF
LC_ALL=C sort -o "$work/ip.routes" "$work/ip.routes"; LC_ALL=C sort -o "$work/at.routes" "$work/at.routes"
LC_ALL=C sort -o "$work/ip.neigh" "$work/ip.neigh"; LC_ALL=C sort -o "$work/at.neigh" "$work/at.neigh"
# differ A B: lines in one list and not the other, and the namespaces they are in.
differ() { LC_ALL=C comm -3 "$1" "$2" | awk '{ n++; ns[$1] = 1 } END { k = 0; for (x in ns) k++; printf "%d (%d ns)", n, k }'; }
route_diff=$(differ "$work/at.routes" "$work/ip.routes")
neigh_diff=$(differ "$work/at.neigh" "$work/ip.neigh")

# The recording window: a recording of several namespaces opens in it (one namespace's
# tables at a time).
seek=
if [ -x "$bench" ]; then
    if "$bench" seek "$rec" "+$end_rel" 3 > "$work/seek" 2> "$work/seek.err"; then seek=1; else cat "$work/seek.err" >&2; fi
fi

expected_routes=$((nns * nroutes))
row "setup: $nns namespaces, veth + $nroutes routes each (ip -batch), s" "$setup_s" "-" "-"
row "recorder ready (--netns all: snapshot of $((nns * nroutes)) routes), s" "$rec_ready_s" "-" "-"
row "burst: $expected_routes route adds (ip -n NS -batch, ${nns}x), s" "$burst_s" "-" "-"
row "churn: $churn_made neighbor changes ($nneigh x $rounds per ns), s" "$churn_s" "-" "-"
row "caught up after the last change, s: --record (ref: ip monitor)" "$rec_catch" "$mon_catch" "$(ratio "$rec_catch" "$mon_catch")"
row "caught up after the last change, s: --stream (ref: ip monitor)" "$stream_catch" "$mon_catch" "$(ratio "$stream_catch" "$mon_catch")"
row "route adds seen: --record (ref: ip monitor all-nsid; made $expected_routes)" "$rec_routes" "$mon_routes" "$(ratio "$rec_routes" "$mon_routes")"
row "route adds seen: --stream (ref: ip monitor all-nsid)" "$stream_routes" "$mon_routes" "$(ratio "$stream_routes" "$mon_routes")"
row "neighbor changes seen: --record (ref: ip monitor; made $churn_made)" "$rec_neigh" "$mon_neigh" "$(ratio "$rec_neigh" "$mon_neigh")"
row "neighbor changes seen: --stream (ref: ip monitor)" "$stream_neigh" "$mon_neigh" "$(ratio "$stream_neigh" "$mon_neigh")"
row "events lost: gap rows in the recording (ref: ip monitor ENOBUFS)" "$rec_gaps" "$mon_enobufs" "-"
if [ -n "$gui" ]; then
    for w in gui guinr; do
        if [ "$w" = gui ]; then what="GUI" catch=$gui_catch hwm=$gui_hwm cpu=$gui_cpu; else what="GUI --no-record" catch=$guinr_catch hwm=$guinr_hwm cpu=$guinr_cpu; fi
        o=$work/$w.out
        row "$what: caught up after the last change, s (ref: ip monitor)" "$catch" "$mon_catch" "$(ratio "$catch" "$mon_catch")"
        row "$what: route adds held (ref: ip monitor; made $expected_routes)" "$(calc "$(val guins_route_adds "$o")" 0)" "$mon_routes" "$(ratio "$(val guins_route_adds "$o")" "$mon_routes")"
        row "$what: neighbor changes held (ref: ip monitor; made $churn_made)" "$(calc "$(val guins_neighbor_changes "$o")" 0)" "$mon_neigh" "$(ratio "$(val guins_neighbor_changes "$o")" "$mon_neigh")"
        if [ "$w" = gui ]; then
            row "$what: events in its live recording (ref: in its history)" "$(calc "$(val guins_recorded_events "$o")" 0)" "$(calc "$(val guins_history_events "$o")" 0)" "-"
        fi
        row "$what: stall p99 / max, ms (1 ms probe; goal p99 <= 50)" "$(calc "$(val guins_stall_p99_ms "$o")" 1) / $(calc "$(val guins_stall_max_ms "$o")" 1)" "-" "-"
        row "$what: peak RSS (VmHWM), MB (ref: --record)" "$hwm" "$rec_hwm" "$(ratio "$hwm" "$rec_hwm")"
        row "$what: CPU s (ref: ip monitor)" "$cpu" "$mon_cpu" "$(ratio "$cpu" "$mon_cpu")"
    done
fi
row "routes at the end (--at END; ref: ip -n NS route show, all ns)" "$(wc -l < "$work/at.routes")" "$(wc -l < "$work/ip.routes")" "-"
row "  routes that differ (namespaces)" "$route_diff" "-" "-"
row "neighbors + state at the end (--at END; ref: ip -n NS neigh)" "$(wc -l < "$work/at.neigh")" "$(wc -l < "$work/ip.neigh")" "-"
row "  neighbors that differ (namespaces)" "$neigh_diff" "-" "-"
row "recorder peak RSS (VmHWM), MB: --record (--stream)" "$rec_hwm ($stream_hwm)" "-" "-"
row "CPU s: --record (ref: ip monitor); --stream $stream_cpu" "$rec_cpu" "$mon_cpu" "$(ratio "$rec_cpu" "$mon_cpu")"
row "bytes per event: recording ($rec_events ev; ref: monitor line)" "$(calc "$rec_bytes / $rec_events" 1)" "$(calc "$mon_bytes / $mon_lines" 1)" "-"
row "bytes per event: stream line ($stream_lines lines)" "$(calc "$stream_bytes / $stream_lines" 1)" "$(calc "$mon_bytes / $mon_lines" 1)" "-"
row "every ns' tables: recording --at END -> CSV, s (ref: ip -all netns exec)" "$at_s" "$ip_all_s" "$(ratio "$at_s" "$ip_all_s")"
row "every ns' tables: live --netns all --duration 0 -> CSV, s (ref: same)" "$live_s" "$ip_all_s" "$(ratio "$live_s" "$ip_all_s")"
if [ -n "$seek" ]; then
    row "recording window: open (one event), s" "$(calc "$(val seek_open_s "$work/seek")" 3)" "-" "-"
    row "recording window: every ns' tables at END read ($(calc "$(val seek_state_routes "$work/seek")" 0) routes), s" "$(calc "$(val seek_state_s "$work/seek")" 3)" "-" "-"
    row "recording window: one ns' tables at END shown ($(calc "$(val seek_routes "$work/seek")" 0) routes), s" "$(calc "$(val seek_tables_s "$work/seek")" 3)" "-" "-"
    row "recording window: the same on a worker, s (GUI thread busy at most, ms)" "$(calc "$(val seek_async_s "$work/seek")" 3) ($(calc "$(val seek_async_gui_max_ms "$work/seek")" 1))" "-" "-"
fi
echo
printf '| %-74s | %14s | %14s | %7s |\n' figure ours reference ratio
printf '| %-74s | %14s | %14s | %7s |\n' --- --- --- ---
printf '%s\n' "${rows[@]}"
echo
echo "ip -all netns exec ip route show: $ip_all_lines lines; recording: $(calc "$rec_bytes / 1048576" 1) MB; stream: $(calc "$stream_bytes / 1048576" 1) MB; ip monitor: $(calc "$mon_bytes / 1048576" 1) MB"

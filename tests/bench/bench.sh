#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# NetChangeView benchmark, side by side with iproute2 in the same private
# network namespace and the same run. Prints ONE table per N: figure | ours | reference |
# ratio | goal. Figures are printed, never asserted.
#   tests/bench/bench.sh [N ...]        (default: 100000; the goals' sizes: 100000 1000000)
# Needs the ci (or release) build with targets netchangeview and ncv_bench, iproute2,
# awk and GNU time (/usr/bin/time). Runs as root (unshare -n) or in a user namespace.
#   NCV_BENCH_TIMELINE=M   events for the timeline figure (default 10000000; 0 skips it)
#   NCV_BENCH_NO_RECORD=1  the GUI figures without the live window's recording (it records by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
ncv_find_build app/netchangeview tests/bench/ncv_bench
bin=$build/app/netchangeview
bench=$build/tests/bench/ncv_bench
[ -x /usr/bin/time ] || { echo "bench.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000)
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/ncv-bench-runtime}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
    echo "build:   $build"
    for n in "${sizes[@]}"; do
        # One fresh private namespace per size.
        ncv_rerun_in_private_ns "$n"
    done
    exit 0
fi

n=${sizes[0]}
gui_pid=
ncv_work_dir gui_pid
ncv_add_veth

val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
rows=()
row() { rows+=("$(printf '| %-58s | %12s | %12s | %7s | %-22s |' "$@")"); }

# N /32 host routes in 20.0.0.0/6 via the veth peer.
ncv_route_batch "$n" "$work/batch"

# GUI burst OUT BATCH: the real MainWindow (offscreen) runs; once its snapshot is in, BATCH
# is loaded with ip -batch; the GUI's figures go to $work/OUT, the load time to $burst_s.
gui_burst() {
    "$bench" gui "$expected" $((60 + n / 2000)) > "$work/$1" 2> "$work/$1.err" &
    gui_pid=$!
    for _ in $(seq 1 300); do grep -qs '^ready' "$work/$1" && break; sleep 0.1; done
    grep -q '^ready' "$work/$1" || { cat "$work/$1.err" >&2; echo "bench.sh: GUI did not start" >&2; exit 1; }
    local t0 t1
    t0=$(now); ip -batch "$2"; t1=$(now)
    burst_s=$(calc "$t1 - $t0")
    wait "$gui_pid" || { cat "$work/$1.err" >&2; exit 1; }
    gui_pid=
}

# 1. GUI: a burst of N routes with ip -batch.
before=$(ip -4 route show table all | wc -l)
expected=$((before + n))
gui_burst gui "$work/batch"
load_s=$burst_s
after=$(ip -4 route show table all | wc -l)

# 1b. The same burst in random order, as a full BGP table arrives, into a new GUI: the
#     Routes table is sorted by destination, so every batch lands all over it.
ip -4 route flush root 20.0.0.0/6
shuf --random-source=<(yes) "$work/batch" > "$work/batch.random"
gui_burst gui2 "$work/batch.random"
load2_s=$burst_s

# 2. Reference: ip -4 route show table all > file (best of 3), then ours: the initial
#    snapshot to a finished headless CSV, with its peak RSS.
ref=
for _ in 1 2 3; do
    t0=$(now); ip -4 route show table all > "$work/ip.txt"; t1=$(now)
    t=$(calc "$t1 - $t0")
    if [ -z "$ref" ] || awk -v a="$t" -v b="$ref" 'BEGIN { exit !(a < b) }'; then ref=$t; fi
done
t0=$(now)
/usr/bin/time -f '%M' -o "$work/rss" "$bin" --headless --duration 0 -4 --export-csv "$work/ours.csv" 2> "$work/err" || {
    cat "$work/err" >&2; exit 1; }
t1=$(now)
ours=$(calc "$t1 - $t0")
rss_mb=$(calc "$(tail -1 "$work/rss") / 1024" 1)
csv_routes=$(grep -c ',route,initial,' "$work/ours.csv" || true)

# 3. Synthetic figures (no kernel): history bytes/event, CSV export, Routes table sort/filter.
"$bench" model "$n" > "$work/model" 2> "$work/model.err" || { cat "$work/model.err" >&2; exit 1; }
# 4. Timeline with 10M events.
tl=${NCV_BENCH_TIMELINE:-10000000}
if [ "$tl" != 0 ]; then
    "$bench" timeline "$tl" > "$work/timeline" 2> "$work/timeline.err" || { cat "$work/timeline.err" >&2; exit 1; }
fi

# 5. Recording the burst to disk (--record) against ip -batch: catch-up ratio, events
#    lost, file bytes per event, peak RSS; then converting that recording to CSV against
#    the live headless export of section 2.
rec_done=
if command -v sqlite3 >/dev/null; then
    ip -4 route flush root 20.0.0.0/6
    rec=$work/burst.ncv
    /usr/bin/time -f '%M' -o "$work/rec.rss" "$bin" --headless -4 --record "$rec" 2> "$work/rec.err" &
    rec_pid=$!
    for _ in $(seq 1 300); do grep -qs '^ready' "$work/rec.err" && break; sleep 0.1; done
    grep -q '^ready' "$work/rec.err" || { cat "$work/rec.err" >&2; echo "bench.sh: recorder did not start" >&2; exit 1; }
    # The events before the burst (its snapshot), committed once the recorder says ready.
    for _ in $(seq 1 100); do
        base=$(sqlite3 "file:$rec?mode=ro" "SELECT coalesce(max(seq), -1) FROM events" 2>/dev/null || echo -1)
        [ "$base" -ge 0 ] && break
        sleep 0.05
    done
    t0=$(now); ip -batch "$work/batch"; t1=$(now)
    rec_load_s=$(calc "$t1 - $t0")
    # Caught up when every route add is committed (readable by another connection). Polled
    # by the newest sequence number (the primary key: a lookup), not by counting a million
    # rows each time: a count takes about as long as the slack being measured, on the cores
    # the recorder needs. The count is checked once the sequence says the adds are in.
    for _ in $(seq 1 3000); do
        last=$(sqlite3 "file:$rec?mode=ro" "SELECT coalesce(max(seq), 0) FROM events" 2>/dev/null || echo 0)
        if [ "$last" -ge $((base + n)) ]; then
            adds=$(sqlite3 "file:$rec?mode=ro" "SELECT count(*) FROM events WHERE object = 3 AND change = 1" 2>/dev/null || echo 0)
            [ "$adds" -ge "$n" ] && break
        fi
        sleep 0.05
    done
    t2=$(now)
    rec_catchup_s=$(calc "$t2 - $t0")
    rec_routes_ip=$(ip -4 route show table all | wc -l)
    # /usr/bin/time is the recorder's parent: SIGTERM the recorder itself.
    kill -TERM "$(pgrep -P "$rec_pid" -x netchangeview || echo "$rec_pid")" 2>/dev/null || true
    wait "$rec_pid" || { cat "$work/rec.err" >&2; exit 1; }
    rec_rss_mb=$(calc "$(tail -1 "$work/rec.rss") / 1024" 1)
    rec_events=$(sqlite3 "$rec" "SELECT count(*) FROM events")
    rec_bytes=$(stat -c %s "$rec")
    rec_bpe=$(calc "$rec_bytes / $rec_events" 1)
    end_rel=$(sqlite3 "$rec" "SELECT (CAST(e.value AS INTEGER) - CAST(s.value AS INTEGER)) / 1e6 FROM meta e, meta s WHERE e.name = 'end_time_us' AND s.name = 'start_time_us'")
    # The tables at the recording's end: N route events after the start's keyframe (the
    # periodic keyframe is not due while the state grows as fast as the events), to CSV
    # (--at) and into the window's tables (ncv_bench seek), best of 3 each.
    at_s=
    for _ in 1 2 3; do
        t0=$(now)
        "$bin" --headless "$rec" --at "+$end_rel" --export-csv "$work/rec-at.csv" 2> "$work/rec-at.err" || { cat "$work/rec-at.err" >&2; exit 1; }
        t1=$(now)
        t=$(calc "$t1 - $t0")
        if [ -z "$at_s" ] || awk -v a="$t" -v b="$at_s" 'BEGIN { exit !(a < b) }'; then at_s=$t; fi
    done
    rec_routes_at=$(grep -c ',route,initial,' "$work/rec-at.csv" || true)
    "$bench" seek "$rec" "+$end_rel" 3 > "$work/seek" 2> "$work/seek.err" || { cat "$work/seek.err" >&2; exit 1; }
    # The moment farthest from its keyframe, in a file of N route adds and then 2N changes
    # in place (synthetic: a periodic keyframe once the events since the last one reach
    # the rows held): its tables shown, best of 3.
    "$bench" writeroutes "$work/churn.ncv" "$n" "$((2 * n))" > /dev/null 2> "$work/churn.err" || { cat "$work/churn.err" >&2; exit 1; }
    "$bench" seek "$work/churn.ncv" far 3 > "$work/seekfar" 2> "$work/seekfar.err" || { cat "$work/seekfar.err" >&2; exit 1; }
    rm -f "$work/churn.ncv"
    # Which route 20.0.0.1 (one of the burst's) takes over the recording: one pass over
    # every event, holding only the routes that cover it.
    t0=$(now)
    "$bin" --headless "$rec" --lookup 20.0.0.1 --export-csv "$work/lookup.csv" 2> "$work/lookup.err" || { cat "$work/lookup.err" >&2; exit 1; }
    t1=$(now)
    lookup_s=$(calc "$t1 - $t0")
    lookup_rows=$(($(wc -l < "$work/lookup.csv") - 1))
    t0=$(now)
    "$bin" --headless "$rec" --export-csv "$work/rec.csv" 2> "$work/conv.err" || { cat "$work/conv.err" >&2; exit 1; }
    t1=$(now)
    conv_s=$(calc "$t1 - $t0")
    rec_done=1
fi

# 6. Streaming the burst as JSON Lines (--stream FILE) against ip -batch, with ip's own
#    monitor (`ip -ts monitor route`: iproute2 6.1 has no JSON monitor) writing the same
#    burst to a file in the same run: seconds from the start of the load until every line is
#    in each file, and the lines each wrote.
ip -4 route flush root 20.0.0.0/6
"$bin" --headless -4 --stream "$work/stream.jsonl" 2> "$work/stream.err" &
stream_pid=$!
ip -ts monitor route > "$work/monitor.txt" 2>&1 &
monitor_pid=$!
for _ in $(seq 1 300); do grep -qs '^ready' "$work/stream.err" && break; sleep 0.1; done
grep -q '^ready' "$work/stream.err" || { cat "$work/stream.err" >&2; echo "bench.sh: streaming recorder did not start" >&2; exit 1; }
sleep 0.5 # ip monitor has no ready line: give it the time the recorder's snapshot took, and more
stream_initial=$(wc -l < "$work/stream.jsonl")
t0=$(now); ip -batch "$work/batch"; t1=$(now)
stream_load_s=$(calc "$t1 - $t0")
stream_s= monitor_s= monitor_seen=0 monitor_still=0
for _ in $(seq 1 6000); do
    if [ -z "$stream_s" ] && [ "$(wc -l < "$work/stream.jsonl")" -ge $((stream_initial + n)) ]; then stream_s=$(calc "$(now) - $t0"); fi
    monitor_now=$(wc -l < "$work/monitor.txt")
    if [ -z "$monitor_s" ] && [ "$monitor_now" -ge "$n" ]; then monitor_s=$(calc "$(now) - $t0"); fi
    [ -n "$stream_s" ] && [ -n "$monitor_s" ] && break
    # ip monitor loses what overflows its socket (ENOBUFS): it never gets all n lines then.
    if [ "$monitor_now" -eq "$monitor_seen" ]; then monitor_still=$((monitor_still + 1)); else monitor_still=0; fi
    monitor_seen=$monitor_now
    [ -n "$stream_s" ] && [ "$monitor_still" -ge 40 ] && break
    sleep 0.05
done
kill -INT "$stream_pid" 2>/dev/null || true
wait "$stream_pid" || { cat "$work/stream.err" >&2; exit 1; }
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
stream_adds=$(grep -c '"object":"route","change":"add"' "$work/stream.jsonl" || true)
monitor_lines=$(wc -l < "$work/monitor.txt")
stream_bpe=$(calc "$(stat -c %s "$work/stream.jsonl") / $(wc -l < "$work/stream.jsonl")" 0)
rm -f "$work/stream.jsonl" "$work/monitor.txt"

# 7. What naming the requester costs: the burst into an rtnetlink source that resolves each
#    notification's port id to a process, and into one that does not (ncv_bench attribution
#    on|off), each against its own ip -batch load. Never fails the run: a source that does
#    not catch up shows as such.
attribution_run() { # on|off -> "catch-up ratio named"
    ip -4 route flush root 20.0.0.0/6
    "$bench" attribution "$1" "$n" > "$work/attr-$1" 2> "$work/attr-$1.err" &
    local pid=$! t0 t1
    for _ in $(seq 1 600); do grep -qs '^ready' "$work/attr-$1" && break; sleep 0.1; done
    t0=$(now); ip -batch "$work/batch"; t1=$(now)
    if wait "$pid"; then
        echo "$(calc "($(val attribution_done_s "$work/attr-$1") - $t0) / ($t1 - $t0)" 2) $(calc "$(val attribution_named "$work/attr-$1")" 0)"
    else
        echo "- -"
    fi
}
read -r attr_on attr_on_named <<< "$(attribution_run on)"
read -r attr_off attr_off_named <<< "$(attribution_run off)"

row "figure" "ours" "reference" "ratio" "goal"
row "---" "---:" "---:" "---:" "---"
row "snapshot -> headless CSV, s (ref: ip -4 route show > file)" "$ours" "$ref" "$(calc "$ours / $ref" 2)" "<= 1.5 x"
row "peak RSS of that run, MB" "$rss_mb" "-" "-" "<= 300 MB (at 1M)"
row "routes in CSV (ref: ip route show lines)" "$csv_routes" "$(wc -l < "$work/ip.txt")" "-" "equal"
row "GUI burst: routes in table after burst (ref: ip route show)" "$(calc "$(val gui_routes "$work/gui")" 0)" "$after" "-" "equal, none lost"
row "GUI burst: catch-up after snapshot, s (ref: ip -batch load)" "$(val gui_catchup_s "$work/gui")" "$load_s" "$(calc "$(val gui_catchup_s "$work/gui") / $load_s" 2)" "-"
row "GUI stall p50, ms (1 ms probe timer)" "$(calc "$(val gui_stall_p50_ms "$work/gui")" 1)" "-" "-" "-"
row "GUI stall p99, ms" "$(calc "$(val gui_stall_p99_ms "$work/gui")" 1)" "-" "-" "-"
row "GUI stall max, ms" "$(calc "$(val gui_stall_max_ms "$work/gui")" 1)" "-" "-" "<= 50 ms"
row "GUI RSS when the table held N routes, MB" "$(calc "$(val gui_rss_at_count_mb "$work/gui")" 1)" "-" "-" "-"
row "GUI RSS 3 s after the burst, source running, MB" "$(calc "$(val gui_rss_mb "$work/gui")" 1)" "-" "-" "<= 200 MB"
row "same, heap in use (glibc mallinfo2), MB" "$(calc "$(val gui_heap_used_mb "$work/gui")" 1)" "-" "-" "-"
row "same after stopping the source (its route store freed), MB" "$(calc "$(val gui_rss_stopped_mb "$work/gui")" 1)" "-" "-" "-"
# The window records every event to its live recording as users get it (NCV_BENCH_NO_RECORD=1: not).
row "GUI burst: events written to the live recording (ref: history)" "$(calc "$(val gui_recorded_events "$work/gui")" 0)" "$(calc "$(val gui_history_events "$work/gui")" 0)" "-" "equal (0: not recording)"
row "GUI burst in random order: routes in table (ref: ip route show)" "$(calc "$(val gui_routes "$work/gui2")" 0)" "$after" "-" "equal, none lost"
row "GUI burst in random order: catch-up, s (ref: ip -batch load)" "$(val gui_catchup_s "$work/gui2")" "$load2_s" "$(calc "$(val gui_catchup_s "$work/gui2") / $load2_s" 2)" "-"
row "GUI burst in random order: stall p99 / max, ms" "$(calc "$(val gui_stall_p99_ms "$work/gui2")" 1) / $(calc "$(val gui_stall_max_ms "$work/gui2")" 1)" "-" "-" "max <= 50 ms"
row "CSV export of N events, MB/s (ref: raw write same bytes)" "$(calc "$(val export_mb_s "$work/model")" 1)" "$(calc "$(val raw_write_mb_s "$work/model")" 1)" "-" ">= 100 MB/s"
row "event history, bytes per stored event" "$(calc "$(val event_bytes "$work/model")" 1)" "-" "-" "<= 100"
row "apply N routes to table + history, s (max slice ms)" "$(calc "$(val apply_s "$work/model")" 2) ($(calc "$(val apply_slice_max_ms "$work/model")" 0))" "-" "-" "-"
row "Routes table at N rows: slowest column sort, s" "$(calc "$(val sort_max_s "$work/model")" 3)" "-" "-" "<= 1 s"
# What the user waits for after a keystroke in the Routes tab: the debounce
# (TableSection::FilterDelayMs) plus the filter through the real widgets, painted.
debounce_s=$(calc "$(grep -o 'FilterDelayMs = [0-9]*' "$root/views/tablesection.h" | grep -o '[0-9]*$') / 1000" 3)
row "Routes filter, first keystroke: debounce + filter + paint, s" "$(calc "$debounce_s + $(val view_filter_first_s "$work/model")" 3)" "-" "-" "<= 0.3 s"
row "Routes filter, widen to nearly all rows: same, s" "$(calc "$debounce_s + $(val view_filter_widen_all_s "$work/model")" 3)" "-" "-" "<= 0.3 s"
if [ "$tl" != 0 ]; then
    row "timeline redraw, $tl events, ms (median / max of 20)" "$(calc "$(val timeline_redraw_ms_median "$work/timeline")" 1) / $(calc "$(val timeline_redraw_ms_max "$work/timeline")" 1)" "-" "-" "<= 16 ms"
fi
if [ -n "$rec_done" ]; then
    row "record burst to disk: caught up, s (ref: ip -batch load)" "$rec_catchup_s" "$rec_load_s" "$(calc "$rec_catchup_s / $rec_load_s" 2)" "<= 1.05 x"
    row "recording: routes at the end (--at; ref: ip route show)" "$rec_routes_at" "$rec_routes_ip" "-" "equal, none lost"
    row "recording file, bytes per event ($rec_events events)" "$rec_bpe" "-" "-" "<= 60"
    row "recorder peak RSS, MB" "$rec_rss_mb" "-" "-" "<= 150 MB"
    row "recording -> CSV, s (ref: live headless export above)" "$conv_s" "$ours" "$(calc "$conv_s / $ours" 2)" "<= 1.5 x"
    row "recording --at T -> CSV, s (ref: live headless export)" "$at_s" "$ours" "$(calc "$at_s / $ours" 2)" "-"
    row "recording --lookup 20.0.0.1 over every event -> CSV, s (rows)" "$lookup_s ($lookup_rows)" "$ours" "$(calc "$lookup_s / $ours" 2)" "-"
    row "recording window: tables at T shown, s (stateAt part)" "$(calc "$(val seek_tables_s "$work/seek")" 3) ($(calc "$(val seek_state_s "$work/seek")" 3))" "-" "-" "<= 1 s"
    row "same, T farthest from its keyframe (+$(val seek_far_events "$work/seekfar") events), s" "$(calc "$(val seek_tables_s "$work/seekfar")" 3) ($(calc "$(val seek_state_s "$work/seekfar")" 3))" "-" "-" "<= 1 s"
fi
row "stream burst (--stream FILE): all lines out, s (ref: ip -batch load)" "${stream_s:-not caught up}" "$stream_load_s" "$( [ -n "$stream_s" ] && calc "$stream_s / $stream_load_s" 2 || echo -)" "<= 1.05 x"
row "same burst, ip -ts monitor route > file: all lines out, s" "${monitor_s:-lost some}" "$stream_load_s" "$( [ -n "$monitor_s" ] && calc "$monitor_s / $stream_load_s" 2 || echo -)" "-"
row "stream: route add lines (ref: ip monitor lines), bytes per line" "$stream_adds ($stream_bpe B)" "$monitor_lines" "-" "equal, none lost"
row "burst catch-up x ip -batch: named (ref: resolver off)" "$attr_on" "$attr_off" "$( [ "$attr_on" != - ] && [ "$attr_off" != - ] && calc "$attr_on / $attr_off" 2 || echo -)" "same"
row "route adds named after a process (ref: resolver off)" "$attr_on_named" "$attr_off_named" "-" "all / 0"
echo
echo "N = $n IPv4 routes"
echo
printf '%s\n' "${rows[@]}"

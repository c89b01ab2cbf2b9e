#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Importing an rtmon file, side by side with `ip monitor file F > /dev/null` on the same
# file in the same run. In a private network namespace, `rtmon file F` records while
# `ip -batch` adds N /32 routes in slices of 20,000 (about N + 30 messages), then, ROUNDS times alternating:
#   ip monitor file F > /dev/null                    (iproute2's own reader and printer)
#   ncv_bench importrtmon F OUT                      (rtmon_read_s: decoder + state store only;
#                                                     rtmon_import_s: into a recording, as
#                                                     File > Open and --headless do)
# Prints every round's wall seconds, the best of each and the ratios, and the load average.
# Figures are printed, never asserted.
#   tests/bench/rtmon-import.sh [N [ROUNDS]]   (default 1000000 3)
set -euo pipefail
. "$(dirname "$0")/import-setup.sh"
f=$work/routes.rtmon
rtmon file "$f" &
recorder=$!
sleep 0.5
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "route add 20.%d.%d.%d/32 via 10.9.0.2\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' >"$work/batch"
# In slices, so that rtmon (a 1 MiB receive buffer) keeps up: a message the kernel drops
# for it (ENOBUFS, "netlink receive error") is not in the file.
split -l 20000 "$work/batch" "$work/slice."
t0=$(now)
for slice in "$work"/slice.*; do ip -batch "$slice"; sleep 0.05; done
echo "ip -batch: $n route adds in $(calc "$(now) - $t0" 1) s"
# rtmon writes each message as it reads it: wait until the file stops growing.
last=-1
while size=$(stat -c %s "$f"); [ "$size" != "$last" ]; do last=$size; sleep 1; done
kill "$recorder"; wait "$recorder" 2>/dev/null || true; recorder=
messages=$(ip monitor file "$f" | grep -c '^Timestamp:' || true)
echo "rtmon file: $(calc "$(stat -c %s "$f") / 1048576" 1) MiB, $messages stamped messages"

best_ip=; best_read=; best_import=
for r in $(seq 1 "$rounds"); do
    t0=$(now); ip monitor file "$f" >/dev/null; ip_s=$(calc "$(now) - $t0")
    import_round importrtmon "$f" rtmon
    echo "round $r: ip monitor file $ip_s s | read (decode + store) $read_s s | import into a recording $import_s s ($events events, $(calc "$(stat -c %s "$work/out.ncv") / 1048576" 1) MiB, RSS $rss MB) | load $(cut -d' ' -f1-3 /proc/loadavg)"
    best_ip=$(best "${best_ip:-}" "$ip_s")
    best_read=$(best "${best_read:-}" "$read_s")
    best_import=$(best "${best_import:-}" "$import_s")
done
echo "best of $rounds: ip monitor file $best_ip s; read $best_read s ($(calc "$best_read / $best_ip" 2)x); import $best_import s ($(calc "$best_import / $best_ip" 2)x; goal 1.5x)"

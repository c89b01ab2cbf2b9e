#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Importing an nlmon capture of N route additions, beside tcpdump and tshark reading it.
# In a private network namespace: a small netlink listener (python3, AF_NETLINK) subscribed
# to the IPv4 route group writes each datagram the kernel sends it as a LINKTYPE_NETLINK
# pcap packet behind the cooked header nlmon builds (the nlmon device itself is not
# available everywhere), while `ip -batch` adds N /32 routes. Then ROUNDS rounds,
# alternating on the same file: `tcpdump -r F > /dev/null`, `tshark -r F > /dev/null`,
# `ncv_bench importpcap F OUT` (read: PcapReader through the decoder and state store,
# records dropped; import: into a recording, as File > Open and --headless do).
# Prints each round's wall seconds, the best of each and the load average. Figures are
# printed, never asserted.
#   tests/bench/pcap-import.sh [N [ROUNDS]]   (default 1000000 3)
set -euo pipefail
. "$(dirname "$0")/import-setup.sh"
f=$work/routes.pcap
python3 - "$f" <<'PY' &
import socket, struct, sys, time, signal
out = open(sys.argv[1], "wb", buffering=1 << 20)
out.write(struct.pack("=IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144, 253))  # ns pcap, LINKTYPE_NETLINK
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
s.bind((0, 0x40))  # RTMGRP_IPV4_ROUTE
cooked = struct.pack(">HHH8sH", 4, 824, 0, b"", 0)
signal.signal(signal.SIGTERM, lambda *a: (out.close(), sys.exit(0)))
while True:
    try:
        data = s.recv(1 << 16)
    except OSError:  # ENOBUFS: the kernel dropped some for us; they are not in the capture
        continue
    t = time.time_ns()
    out.write(struct.pack("=IIII", t // 10**9, t % 10**9, 16 + len(data), 16 + len(data)) + cooked + data)
PY
recorder=$!
sleep 0.5
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "route add 20.%d.%d.%d/32 via 10.9.0.2\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' >"$work/batch"
split -l 20000 "$work/batch" "$work/slice."
t0=$(now)
for slice in "$work"/slice.*; do ip -batch "$slice"; done
echo "ip -batch: $n route adds in $(calc "$(now) - $t0" 1) s"
last=-1
while size=$(stat -c %s "$f"); [ "$size" != "$last" ]; do last=$size; sleep 1; done
kill "$recorder"; wait "$recorder" 2>/dev/null || true; recorder=
echo "capture: $(calc "$(stat -c %s "$f") / 1048576" 1) MiB"

best_td=; best_ts=; best_read=; best_import=
for r in $(seq 1 "$rounds"); do
    t0=$(now); tcpdump -r "$f" >/dev/null 2>&1; td_s=$(calc "$(now) - $t0")
    t0=$(now); tshark -r "$f" >/dev/null 2>&1; ts_s=$(calc "$(now) - $t0")
    import_round importpcap "$f" pcap
    packets=$(field pcap_packets)
    echo "round $r: tcpdump -r $td_s s | tshark -r $ts_s s | read (libpcap + decode + store) $read_s s | import into a recording $import_s s ($packets packets, $events events, RSS $rss MB) | load $(cut -d' ' -f1-3 /proc/loadavg)"
    best_td=$(best "${best_td:-}" "$td_s")
    best_ts=$(best "${best_ts:-}" "$ts_s")
    best_read=$(best "${best_read:-}" "$read_s")
    best_import=$(best "${best_import:-}" "$import_s")
done
echo "best of $rounds: tcpdump -r $best_td s; tshark -r $best_ts s; read $best_read s ($(calc "$best_read / $best_td" 2)x tcpdump); import $best_import s ($(calc "$best_import / $best_td" 2)x tcpdump, $(calc "$best_import / $best_ts" 2)x tshark)"

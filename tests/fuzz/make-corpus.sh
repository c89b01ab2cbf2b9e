#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the decoder seed corpus (tests/fuzz/corpus/decoder) from real kernel
# messages: builds ncv_capture_corpus (build/fuzz), sets up a private network namespace
# with veths, IPv4/IPv6 addresses (one with lifetimes), multipath routes, nexthop objects (gateway, blackhole, fdb, groups),
# a route with an expiry, routes in another table and of other protocols, then dumps.
# Needs root (or unprivileged user namespaces) and iproute2.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/fuzz}
[ -x "$build/ncv_capture_corpus" ] || cmake --build "$build" --target ncv_capture_corpus
out=tests/fuzz/corpus/decoder
mkdir -p "$out"
rm -f "$out"/*.bin
unshare -n -- bash -euc '
    ip link set lo up
    sysctl -qw net.ipv6.conf.default.addr_gen_mode=0
    ip link add fz0 type veth peer name fz1
    ip link add br0 type bridge
    ip link set fz1 master br0
    ip link set fz0 up; ip link set fz1 up; ip link set br0 up
    ip link set fz0 alias "fuzz seed link"
    ip addr add 10.1.0.1/24 dev fz0
    ip addr add 10.1.0.9/24 dev fz0
    ip addr add 10.3.0.1 peer 10.3.0.2/32 dev br0
    ip addr add 2001:db8:1::1/64 dev fz0 nodad
    ip addr add 2001:db8:5::1/64 dev fz0 valid_lft 300 preferred_lft 200 nodad
    ip route add 10.9.0.0/24 nexthop via 10.1.0.2 dev fz0 weight 1 nexthop via 10.1.0.3 dev fz0 weight 3
    ip route add 10.8.0.0/24 dev fz0 table 100 proto bird metric 7
    ip route add blackhole 10.66.0.0/16
    ip route add 10.5.0.0/24 via 10.1.0.2 src 10.1.0.9 proto static
    ip nexthop add id 10 via 10.1.0.2 dev fz0
    ip nexthop add id 11 via 10.1.0.3 dev fz0 onlink proto static
    ip nexthop add id 12 blackhole
    ip nexthop add id 13 via 2001:db8:1::2 dev fz0
    ip nexthop add id 14 via 10.1.0.9 fdb
    ip nexthop add id 20 group 10/11,3
    ip nexthop add id 21 group 10,2/11 type resilient buckets 16
    ip route add 10.7.0.0/24 nhid 10
    ip -6 route add 2001:db8:9::/64 nexthop via 2001:db8:1::2 dev fz0 weight 1 nexthop via 2001:db8:1::3 dev fz0 weight 2
    ip -6 route add 2001:db8:e::/64 dev fz0 expires 600
    ip -6 route add unreachable 2001:db8:dead::/48
    sleep 0.5
    "$0" "$1"
' "$build/ncv_capture_corpus" "$out"
ls "$out" | wc -l
du -sh "$out"

# Seeds of fuzz_recordingreader: small recordings (512-byte pages) made by our writer.
[ -x "$build/ncv_recording_corpus" ] || cmake --build "$build" --target ncv_recording_corpus
mkdir -p tests/fuzz/corpus/recordingreader
rm -f tests/fuzz/corpus/recordingreader/*.ncv
"$build/ncv_recording_corpus" tests/fuzz/corpus/recordingreader
ls tests/fuzz/corpus/recordingreader | wc -l

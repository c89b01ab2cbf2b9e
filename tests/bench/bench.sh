#!/usr/bin/env bash
# NetChangeView benchmark, side by side with iproute2 in the same private network
# namespace and the same run. Prints a table: figure, ours, reference, ratio, goal.
#   tests/bench/bench.sh [N ...]        (default: 100000)
# Needs a built build/release (or NCV_BIN=path/to/netchangeview), iproute2 and GNU time
# (/usr/bin/time; Debian package "time"). Runs as root (unshare -n) or in a user namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${NCV_BIN:-$root/build/release/app/netchangeview}
[ -x "$bin" ] || bin=$root/build/ci/app/netchangeview
[ -x "$bin" ] || { echo "bench.sh: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000)

if [ "${NCV_BENCH_IN_NS:-}" != 1 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        exec unshare -n env NCV_BENCH_IN_NS=1 NCV_BIN="$bin" "$0" "${sizes[@]}"
    else
        exec unshare -rn env NCV_BENCH_IN_NS=1 NCV_BIN="$bin" "$0" "${sizes[@]}"
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ip link set lo up
ip link add nb0 type veth peer name nb1
ip link set nb0 up
ip link set nb1 up
ip addr add 10.9.0.1/24 dev nb0

now() { date +%s.%N; }
fmt() { awk -v v="$1" 'BEGIN { printf "%.3f", v }'; }
row() { printf '| %-52s | %12s | %12s | %7s | %-18s |\n' "$@"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "binary:  $bin"
loaded=0
for n in "${sizes[@]}"; do
    # Load routes up to n (10.x is the veth's; use 20.0.0.0/6 /32 host routes).
    python3 - "$loaded" "$n" > "$work/batch" <<'PY'
import sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
for i in range(lo, hi):
    print(f"route add {20 + (i >> 24)}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 via 10.9.0.2")
PY
    t0=$(now); ip -batch "$work/batch"; t1=$(now)
    loaded=$n
    echo
    echo "N = $n IPv4 routes (loaded with ip -batch in $(fmt "$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')") s)"
    row "figure" "ours" "reference" "ratio" "goal"
    row "---" "---" "---" "---" "---"

    # Reference: ip -4 route show table all > file
    t0=$(now); ip -4 route show table all > "$work/ip.txt"; t1=$(now)
    ref=$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')

    # Ours: initial snapshot to a finished headless CSV, with peak RSS.
    t0=$(now)
    /usr/bin/time -f '%M' -o "$work/rss" "$bin" --headless --duration 0 -4 --export-csv "$work/ours.csv" 2> "$work/err" || {
        cat "$work/err" >&2; exit 1; }
    t1=$(now)
    ours=$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')
    rss_kb=$(tail -1 "$work/rss")
    rows=$(($(wc -l < "$work/ours.csv") - 1))
    routes=$(grep -c ',route,initial,' "$work/ours.csv" || true)
    ratio=$(awk -v a="$ours" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')
    row "snapshot -> headless CSV, s (ip -4 route show > file)" "$(fmt "$ours")" "$(fmt "$ref")" "$ratio" "<= 1.5 x"
    row "peak RSS of that run, MB" "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" "-" "-" "<= 300 MB"
    row "routes in CSV (ip route show lines)" "$routes" "$(wc -l < "$work/ip.txt")" "-" "equal"
    row "CSV rows / bytes" "$rows" "$(stat -c %s "$work/ours.csv")" "-" "-"
    csv_mb=$(awk -v b="$(stat -c %s "$work/ours.csv")" 'BEGIN { printf "%.1f", b / 1048576 }')
    row "CSV size, MiB" "$csv_mb" "-" "-" "-"
done

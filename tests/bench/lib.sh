# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared by the benchmark scripts: sourced after they set $root (the source tree); they call
# ncv_find_build first, which sets $build.

# ncv_find_build TARGET...: sets $build to $NCV_BUILD, else to the first of build/release,
# build/ci and build/dev under $root that holds every TARGET (a path in the build tree, such
# as app/netchangeview); when none does, says what to build and exits 1.
ncv_find_build() {
    build=${NCV_BUILD:-}
    [ -z "$build" ] || return 0
    local b t found
    for b in "$root/build/release" "$root/build/ci" "$root/build/dev"; do
        found=1
        for t in "$@"; do [ -x "$b/$t" ] || found=0; done
        if [ "$found" = 1 ]; then build=$b; return 0; fi
    done
    local targets=()
    for t in "$@"; do targets+=("$(basename "$t")"); done
    echo "$(basename "$0"): build first: cmake --preset ci && cmake --build --preset ci --target ${targets[*]}" >&2
    exit 1
}

# ncv_rerun_in_private_ns ARGS...: runs this script again, with ARGS, in a fresh private
# network namespace (unshare -n as root, else inside a user namespace: unshare -rn), where
# NCV_BENCH_IN_NS=1 says it is there and NCV_BUILD carries $build. Returns its exit status.
ncv_rerun_in_private_ns() {
    local unshare=(unshare -n)
    [ "$(id -u)" -eq 0 ] || unshare=(unshare -rn)
    "${unshare[@]}" env NCV_BENCH_IN_NS=1 NCV_BUILD="${build:?}" "$0" "$@"
}

# ncv_rerun_in_private_ns_and_mounts ARGS...: the same in a private mount namespace too
# (unshare -n -m), for scripts that mount a tmpfs on /run so the names `ip netns add` makes
# stay theirs. The script calls ncv_private_run first thing there.
ncv_rerun_in_private_ns_and_mounts() {
    local unshare=(unshare -n -m)
    [ "$(id -u)" -eq 0 ] || unshare=(unshare -rnm)
    "${unshare[@]}" env NCV_BENCH_IN_NS=1 NCV_BUILD="${build:?}" "$0" "$@"
}

# ncv_private_run: in the private mount namespace, every mount made private (nothing goes
# back to the host) and a tmpfs on /run, so /run/netns holds this script's namespaces only.
ncv_private_run() {
    mount --make-rprivate /
    mount -t tmpfs -o size=16m,mode=0755 tmpfs /run
}

# ncv_add_veth: in the namespace, lo up and the veth pair nb0 (10.9.0.1/24) - nb1, both up:
# the routes the scripts add go via 10.9.0.2 on nb0.
ncv_add_veth() {
    ip link set lo up
    ip link add nb0 type veth peer name nb1
    ip link set nb0 up
    ip link set nb1 up
    ip addr add 10.9.0.1/24 dev nb0
}

now() { date +%s.%N; }
# calc EXPR [DIGITS]: EXPR evaluated by awk, printed with DIGITS (3) fraction digits.
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# ncv_work_dir PIDVAR: a work folder in $work, removed at exit, after the process whose PID
# the variable named PIDVAR holds then (when set) is killed.
ncv_work_dir() {
    work=$(mktemp -d)
    ncv_pid_var=$1
    trap ncv_cleanup EXIT
}
ncv_cleanup() {
    local pid=${!ncv_pid_var:-}
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}

# ncv_route_batch N FILE [FIRST]: an ip -batch file adding N /32 host routes in 20.0.0.0/6
# via 10.9.0.2 (the veth peer of ncv_add_veth), the FIRST-th (default 0) of that range first.
ncv_route_batch() {
    awk -v n="$1" -v first="${3:-0}" 'BEGIN { for (i = first; i < first + n; i++)
        printf "route add %d.%d.%d.%d/32 via 10.9.0.2\n", 20 + int(i / 16777216), int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' > "$2"
}

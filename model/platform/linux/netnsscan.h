// SPDX-License-Identifier: GPL-2.0-or-later
// Which network namespaces exist, and what a user calls them: the named ones (`ip netns add`
// bind-mounts a namespace file to /run/netns/NAME, which `ip netns list` lists) and the
// unnamed ones that only processes hold (every container: its processes' /proc/PID/ns/net).
// A namespace is identified as `ip netns identify` does it: by the st_dev and st_ino of its
// nsfs file (stat() follows the /proc/PID/ns/net magic link to it); the inode is the number
// in "net:[4026531840]".
//
// Names, in the order a user knows them: the /run/netns name; else the container that holds
// it, from the holder's cgroup (Docker, Podman, containerd / CRI-O under Kubernetes, LXC,
// systemd-nspawn: containerFromCgroup()) with the holder's command and PID; else the holder's
// command and PID; else "net:[inode]". The namespace of PID 1 is "host" unless it has a name.
//
// Qt-free; any thread; reads /proc and the named directory on each call (no cache).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ncv::platform {

/// A container a cgroup path belongs to, as containerFromCgroup() recognised it.
struct ContainerRef {
    /// "docker", "podman", "containerd", "crio", "kubernetes" (kubelet's cgroupfs layout, which
    /// does not name the runtime), "lxc", "machine" (registered with systemd-machined:
    /// systemd-nspawn containers, libvirt guests).
    std::string runtime;
    /// The container's name (lxc, machine) or the first 12 hex digits of its id (as `docker ps`
    /// and `podman ps` show it).
    std::string id;
};

/// The container of a /proc/PID/cgroup line or path ("0::/system.slice/docker-<64 hex>.scope",
/// "12:pids:/docker/<64 hex>", ".../kubepods-burstable-pod<uid>.slice/cri-containerd-<64 hex>.scope",
/// ".../crio-<64 hex>.scope", "/machine.slice/libpod-<64 hex>.scope", "/lxc.payload.NAME/...",
/// "/lxc/NAME", "/machine.slice/machine-NAME.scope", "/kubepods/besteffort/pod<uid>/<64 hex>"); nullopt for anything
/// else (a service, a user session, the root). The last container segment of the path wins (nested runtimes).
std::optional<ContainerRef> containerFromCgroup(std::string_view cgroup);

/// One network namespace found by scanNetNamespaces().
struct NetNamespaceInfo {
    std::uint64_t device = 0; ///< st_dev of the namespace's nsfs file
    std::uint64_t inode = 0; ///< st_ino of it: the namespace id of "net:[inode]"
    bool current = false; ///< the scanning process's own namespace (/proc/self/ns/net)
    /// The namespace of PID 1 (the host's, seen from this PID namespace); where PID 1 cannot be
    /// read, the namespace of PID 2 when that is a kernel thread (kernel threads run in the initial one).
    bool initial = false;
    /// The names bound to it in the named directory (/run/netns), sorted; empty when none.
    std::vector<std::string> names;
    /// The lowest PID whose /proc/PID/ns/net is this namespace (in a container: usually its
    /// init); 0 when no readable process holds it (a named namespace nothing runs in).
    int holderPid = 0;
    std::string holderCommand; ///< /proc/PID/comm of holderPid, without the newline
    std::string holderCgroup; ///< first line of /proc/PID/cgroup of holderPid
    std::optional<ContainerRef> container; ///< containerFromCgroup(holderCgroup)
    int processCount = 0; ///< readable processes in it
    /// A file to open for setns(2): /run/netns/NAME for a named one, else /proc/PID/ns/net of
    /// the holder (valid while it lives).
    std::string path;

    /// The name to show: names.front(); else "host" for the initial namespace; else
    /// "docker:3f2a1b9c0d12 (nginx 4242)"; else "sleep (4242)"; else "net:[inode]".
    std::string displayName() const;
};

/// What scanNetNamespaces() looked at.
struct NetNamespaceScan {
    /// Every namespace found, the current one first, then the initial one, then by name
    /// (named ones), then by holder PID.
    std::vector<NetNamespaceInfo> namespaces;
    /// Processes whose /proc/PID/ns/net could not be read (another user's process without
    /// CAP_SYS_PTRACE): namespaces only they hold are missing from the list.
    int unreadableProcesses = 0;
    /// Entries of the named directory that are not namespace files (a name being created,
    /// a stale file after a failed `ip netns add`).
    int unusableNames = 0;
    /// Set when the named directory exists but could not be listed ("cannot list /run/netns: ...").
    std::string namedDirError;
};

struct NetNamespaceScanOptions {
    std::string namedDir = "/run/netns"; ///< where `ip netns add` puts its names
    std::string procRoot = "/proc";
};

/// Lists the network namespaces this process can see. Never throws; unreadable entries are
/// counted, not fatal. Cost: one stat() per process in procRoot and per name, and reading
/// comm and cgroup of one holder per namespace.
NetNamespaceScan scanNetNamespaces(const NetNamespaceScanOptions &options = {});

/// Runs fn on a short-lived thread that first joins the network namespace of path (a
/// NetNamespaceInfo::path, /run/netns/NAME, /proc/PID/ns/net) with setns(2), and waits for
/// it. Sockets fn creates belong to that namespace for their whole life, whichever thread
/// uses them later; the caller's thread never changes namespace. Returns an empty string on
/// success, else why fn did not run ("cannot open /run/netns/x: No such file or directory",
/// "setns(/run/netns/x): Operation not permitted": joining needs CAP_SYS_ADMIN).
std::string runInNetNamespace(const std::string &path, const std::function<void()> &fn);

} // namespace ncv::platform

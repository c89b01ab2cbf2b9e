// SPDX-License-Identifier: GPL-2.0-or-later
// Who asked for a change: the kernel sends each rtnetlink notification that a request caused
// (route, address, rule, link ...) with nlmsg_pid = the netlink port id of the requesting
// socket, and 0 for the changes it makes on its own (link down, address lifetime end, the
// prefix and local routes implied by an address). NetlinkOwnerResolver maps such a port id
// to the process that holds the socket.
//
// Sources: /proc/net/netlink (net/netlink/af_netlink.c, netlink_seq_show: "sk Eth Pid Groups
// Rmem Wmem Dump Locks Drops Inode", Pid = the port id printed unsigned, Inode = the socket's
// inode) gives port id -> socket inode; the process whose /proc/PID/fd has a link to
// "socket:[inode]" holds it. A process's first netlink socket of a protocol gets port id =
// its PID (netlink_autobind tries the tgid first), later ones get negative ids (-4097
// downwards, printed as 4294963199 ...) or whatever the library binds (libnl: PID + (n << 22)).
//
// Qt-free; not thread-safe (one resolver per reading thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ncv::platform {

/// The process behind a netlink port id, as NetlinkOwnerResolver::resolve() found it.
struct NetlinkOwner {
    enum class State {
        Unknown, ///< no process known: the port id is not in the socket table and cannot be a PID, or
                 ///< the socket's holder could not be read (pid may still be set then)
        Kernel, ///< port id 0: the kernel made the change on its own
        Found, ///< pid is a live process that held the socket (or, with pidFromPortId, had this PID)
        Exited, ///< pid is known, but that process is gone (or is a zombie) or its PID now
                ///< belongs to a process started after the notification
    };
    State state = State::Unknown;
    std::uint32_t portId = 0; ///< the port id asked about (nlmsg_pid)
    int pid = 0; ///< 0 when not known. A PID of the resolver's PID namespace (its /proc).
    /// True when the socket itself was never seen in the table (already closed): the pid is
    /// then the port id, as the kernel gives a process's first netlink socket its PID. A
    /// guess, though a good one: a program may bind any port id it likes.
    bool pidFromPortId = false;
    std::string command; ///< /proc/PID/comm without its newline (at most 15 bytes); empty when unknown
    /// /proc/PID/cmdline with the NULs between arguments as spaces, at most
    /// Options::maxCommandLine bytes; empty for kernel threads, zombies and when unknown.
    std::string commandLine;
    /// /proc/PID/stat field 22 (starttime, clock ticks of sysconf(_SC_CLK_TCK)) as time since
    /// boot (CLOCK_BOOTTIME, the clock the kernel uses for it since Linux 5.3). nullopt when unknown.
    std::optional<std::chrono::nanoseconds> startTime;
    /// First line of /proc/PID/cgroup ("0::/system.slice/foo.service" on cgroup v2); tells
    /// which container or service the process runs in. Empty when unknown.
    std::string cgroup;
};

/// Text for a state: "unknown", "kernel", "found", "exited".
std::string_view ownerStateName(NetlinkOwner::State state);

/// Maps netlink port ids (nlmsg_pid of notifications) to processes, for the network namespace
/// whose /proc/net/netlink it reads: that file lists the sockets of the reader's own network
/// namespace only, so for another namespace pass Options::netlinkTable =
/// "/proc/<a PID in it>/net/netlink".
///
/// resolve() answers from a cache of port id -> owner. It refreshes the cache (reads the
/// socket table, then looks for the holders of the sockets it does not know yet) only when
/// the port id is not cached, or was cached without a live owner longer than
/// Options::missRetryInterval ago, and at most once per Options::minRefreshInterval overall,
/// so a flood of notifications from one id whose socket is gone does not rescan /proc each
/// time. The cache holds at most Options::capacity port ids (least recently asked dropped).
///
/// A port id that could be a PID is first looked up as one (/proc/<port id>/stat, comm,
/// cmdline), before the table is read: a short-lived requester (`ip` waits only for its ACK)
/// is often gone once the table has been read and searched, and its name would be lost. That
/// early reading is the answer only when the table does not name a holder (the socket is
/// closed, or its holder cannot be read).
///
/// Cost of a refresh: reading /proc/net/netlink (one row per netlink socket), and, when that
/// shows sockets not cached yet, one readlink() per open file descriptor of /proc/*/fd until
/// all are found: first the processes whose PID the port id suggests (the port id itself, or
/// its low 22 bits for libnl's ids), then every process. A socket whose holder cannot be read
/// (another user's process without CAP_SYS_PTRACE, another PID namespace) costs a scan of all
/// processes: milliseconds for a few hundred processes, more on a loaded machine (the test
/// "refresh cost" prints the figure).
///
/// A cached owner is checked at most once per minRefreshInterval: a process that is gone
/// or whose /proc/PID/stat start time changed (the PID was reused) is reported Exited with
/// its PID and the fields read when its socket was seen, never as the new process. A process
/// that started after the notification time is never the requester.
///
/// Limits: while a cached holder lives, its port ids are taken to stay its own (the kernel
/// autobinds a PID-valued port id only for that process; a negative one could go to another
/// socket after the holder closed it, until a refresh sees the new socket). A socket passed
/// to another process (fork, SCM_RIGHTS) is attributed to the first holder found; threads
/// with their own file table (clone without CLONE_FILES) are not searched; the start time
/// has a resolution of one clock tick (10 ms), so a PID reused within the tick of the
/// notification is not told apart.
class NetlinkOwnerResolver {
public:
    using Clock = std::function<std::chrono::nanoseconds()>;

    struct Options {
        std::string procRoot = "/proc"; ///< where /proc is mounted (a copy in tests)
        std::string netlinkTable; ///< the socket table; empty = procRoot + "/net/netlink"
        /// >= 0: the socket table is read through this open descriptor instead (rewound for each
        /// refresh): /proc/thread-self/net/netlink opened by a thread that joined another network
        /// namespace, which keeps listing that namespace's sockets. Not owned: it must stay open
        /// as long as the resolver.
        int netlinkTableFd = -1;
        /// The inode of the network namespace (net:[inode]) whose port ids are resolved, or 0.
        /// When set, a PID inferred from a port id is taken only if /proc/PID/ns/net is that
        /// namespace (or cannot be read: a zombie's, or one gone): a process in a container's own
        /// PID namespace gets its PID there as port id, which here names an unrelated process.
        std::uint64_t netNamespace = 0;
        int protocol = 0; ///< Eth column to match: 0 = NETLINK_ROUTE (the port ids are per protocol)
        std::chrono::milliseconds minRefreshInterval {250}; ///< between two refreshes, and between two
                                                            ///< liveness checks of one cached owner
        std::chrono::milliseconds missRetryInterval {5000}; ///< before a port id without a live owner
                                                            ///< may cause another refresh
        std::size_t capacity = 1024; ///< port ids kept in the cache (at least 1)
        std::size_t maxCommandLine = 1024; ///< bytes of NetlinkOwner::commandLine
        bool inferPidFromPortId = true; ///< see NetlinkOwner::pidFromPortId
        Clock clock; ///< time since boot; empty = bootClockNow() (tests move it on)
    };

    /// Counters since construction, for tests and diagnostics.
    struct Stats {
        std::uint64_t refreshes = 0; ///< socket table reads
        std::uint64_t scans = 0; ///< refreshes that searched /proc/*/fd
        std::uint64_t processesScanned = 0; ///< /proc/PID/fd directories read
    };

    NetlinkOwnerResolver();
    explicit NetlinkOwnerResolver(Options options);

    /// The owner of portId as of notificationTime (CLOCK_BOOTTIME, like bootClockNow(); pass
    /// the time the notification was read). Port 0 is State::Kernel without any file access.
    /// Never throws for bad or unreadable /proc entries: they give State::Unknown.
    NetlinkOwner resolve(std::uint32_t portId, std::chrono::nanoseconds notificationTime);
    /// The same with notificationTime = now.
    NetlinkOwner resolve(std::uint32_t portId);

    /// Reads the socket table and resolves the sockets not cached yet now, ignoring the rate
    /// limit (tests, measurements).
    void refresh();

    const Stats &stats() const { return m_stats; }
    std::size_t cacheSize() const { return m_entries.size(); }

    /// clock_gettime(CLOCK_BOOTTIME): the clock of /proc/PID/stat's start time.
    static std::chrono::nanoseconds bootClockNow();

    /// The holders of the given socket inodes: inode -> PID of the first process found whose
    /// procRoot/PID/fd links to "socket:[inode]". The PIDs in firstPids are searched first,
    /// then every numeric entry of procRoot, stopping once all are found. Unreadable entries
    /// are skipped. *processesScanned (if given) is increased by the fd directories read.
    static std::unordered_map<std::uint64_t, int> findSocketHolders(const std::string &procRoot,
                                                                    const std::unordered_set<std::uint64_t> &inodes,
                                                                    const std::vector<int> &firstPids,
                                                                    std::uint64_t *processesScanned = nullptr);

private:
    struct Entry {
        NetlinkOwner owner; // the owner as of the last check
        std::uint64_t inode = 0; // the socket seen in the table on this port; 0 = not in it
        std::uint64_t startTicks = 0; // /proc/PID/stat starttime when the socket was seen
        std::chrono::nanoseconds refreshedAt {}; // the last refresh that looked for this port id
        std::chrono::nanoseconds checkedAt {}; // the last liveness check of owner
        std::list<std::uint32_t>::iterator lru;
    };

    std::chrono::nanoseconds now() const;
    void refreshAt(std::chrono::nanoseconds now, std::optional<std::uint32_t> requested);
    Entry &store(std::uint32_t portId);
    void touch(Entry &entry);
    void checkAlive(Entry &entry, std::chrono::nanoseconds now);
    NetlinkOwner inferFromPortId(std::uint32_t portId, std::chrono::nanoseconds notificationTime) const;
    bool startedAfter(std::uint64_t startTicks, std::chrono::nanoseconds time) const;

    Options m_options;
    std::string m_table;
    long m_ticksPerSecond = 100;
    std::unordered_map<std::uint32_t, Entry> m_entries;
    std::list<std::uint32_t> m_lru; // most recently asked first
    std::optional<std::chrono::nanoseconds> m_lastRefresh;
    Stats m_stats;
};

} // namespace ncv::platform

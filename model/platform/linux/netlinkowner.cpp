// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/linux/netlinkowner.h"

#include "platform/linux/procnet.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace ncv::platform {

namespace {

using std::chrono::nanoseconds;

// The kernel's PID_MAX_LIMIT on 64-bit: no PID is larger, whatever kernel.pid_max says.
constexpr std::uint32_t kPidMaxLimit = 4u * 1024 * 1024;

using procnet::fields;
using procnet::firstLine;
using procnet::number;
using procnet::readFile;

struct TableRow {
    std::uint32_t portId = 0;
    std::uint64_t inode = 0;
};

// /proc/net/netlink: the columns are found by the header line (netlink_seq_show prints
// "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode"); rows that do not parse are skipped.
std::vector<TableRow> parseNetlinkTable(std::string_view text, int protocol)
{
    std::vector<TableRow> rows;
    int ethColumn = -1;
    int pidColumn = -1;
    int inodeColumn = -1;
    bool header = true;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::vector<std::string_view> cells = fields(text.substr(start, end - start));
        start = end + 1;
        if (header) {
            header = false;
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (cells[i] == "Eth")
                    ethColumn = int(i);
                else if (cells[i] == "Pid")
                    pidColumn = int(i);
                else if (cells[i] == "Inode")
                    inodeColumn = int(i);
            }
            if (ethColumn < 0 || pidColumn < 0 || inodeColumn < 0)
                return rows;
            continue;
        }
        if (int(cells.size()) <= std::max({ethColumn, pidColumn, inodeColumn}))
            continue;
        const auto eth = number<int>(cells[std::size_t(ethColumn)]);
        const auto port = number<std::uint32_t>(cells[std::size_t(pidColumn)]);
        const auto inode = number<std::uint64_t>(cells[std::size_t(inodeColumn)]);
        if (!eth || !port || !inode || *eth != protocol || *port == 0 || *inode == 0)
            continue;
        rows.push_back({*port, *inode});
    }
    return rows;
}

struct ProcessStat {
    char state = '?';
    std::uint64_t startTicks = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ... starttime ...". comm may hold spaces and
// parentheses, so the fields are counted from the last ')': state is field 3, starttime 22.
std::optional<ProcessStat> readStat(const std::string &procRoot, int pid)
{
    const auto text = readFile(procRoot + '/' + std::to_string(pid) + "/stat", 4096);
    if (!text)
        return std::nullopt;
    const std::size_t close = text->rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    const std::vector<std::string_view> cells = fields(std::string_view(*text).substr(close + 1));
    constexpr std::size_t kStart = 22 - 3; // index of field 22 when field 3 is index 0
    if (cells.size() <= kStart || cells[0].size() != 1)
        return std::nullopt;
    const auto ticks = number<std::uint64_t>(cells[kStart]);
    if (!ticks)
        return std::nullopt;
    return ProcessStat {cells[0][0], *ticks};
}

bool isGone(char state)
{
    return state == 'Z' || state == 'X' || state == 'x';
}

// Fills command, command line and cgroup of owner.pid; missing files leave them empty.
void readDetails(const std::string &procRoot, std::size_t maxCommandLine, NetlinkOwner &owner)
{
    const std::string dir = procRoot + '/' + std::to_string(owner.pid);
    owner.command = firstLine(readFile(dir + "/comm", 256).value_or(std::string()));
    std::string cmdline = readFile(dir + "/cmdline", maxCommandLine).value_or(std::string());
    while (!cmdline.empty() && cmdline.back() == '\0')
        cmdline.pop_back();
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    owner.commandLine = std::move(cmdline);
    owner.cgroup = firstLine(readFile(dir + "/cgroup", 4096).value_or(std::string()));
}

std::optional<int> pidOfName(const char *name)
{
    const auto pid = number<int>(std::string_view(name));
    if (!pid || *pid <= 0)
        return std::nullopt;
    return pid;
}

// The inode of /proc/PID/ns/net ("net:[4026531840]"); nullopt when it cannot be read (a
// zombie has no namespaces left, a process gone has no entry).
std::optional<std::uint64_t> netNamespaceOf(const std::string &procRoot, int pid)
{
    char link[64];
    const std::string path = procRoot + '/' + std::to_string(pid) + "/ns/net";
    const ssize_t n = ::readlink(path.c_str(), link, sizeof link);
    if (n <= 0 || std::size_t(n) >= sizeof link)
        return std::nullopt;
    const std::string_view text(link, std::size_t(n));
    constexpr std::string_view prefix = "net:[";
    if (text.size() < prefix.size() + 2 || text.substr(0, prefix.size()) != prefix || text.back() != ']')
        return std::nullopt;
    return number<std::uint64_t>(text.substr(prefix.size(), text.size() - prefix.size() - 1));
}

// "socket:[12345]" -> 12345
std::optional<std::uint64_t> socketInode(std::string_view link)
{
    constexpr std::string_view prefix = "socket:[";
    if (link.size() < prefix.size() + 2 || link.substr(0, prefix.size()) != prefix || link.back() != ']')
        return std::nullopt;
    return number<std::uint64_t>(link.substr(prefix.size(), link.size() - prefix.size() - 1));
}

} // namespace

std::string_view ownerStateName(NetlinkOwner::State state)
{
    switch (state) {
    case NetlinkOwner::State::Unknown: return "unknown";
    case NetlinkOwner::State::Kernel: return "kernel";
    case NetlinkOwner::State::Found: return "found";
    case NetlinkOwner::State::Exited: return "exited";
    }
    return "unknown";
}

NetlinkOwnerResolver::NetlinkOwnerResolver() : NetlinkOwnerResolver(Options {}) { }

NetlinkOwnerResolver::NetlinkOwnerResolver(Options options) : m_options(std::move(options))
{
    m_table = m_options.netlinkTable.empty() ? m_options.procRoot + "/net/netlink" : m_options.netlinkTable;
    m_options.capacity = std::max<std::size_t>(m_options.capacity, 1);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks > 0)
        m_ticksPerSecond = ticks;
}

nanoseconds NetlinkOwnerResolver::bootClockNow()
{
    timespec ts {};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return std::chrono::seconds(ts.tv_sec) + nanoseconds(ts.tv_nsec);
}

nanoseconds NetlinkOwnerResolver::now() const
{
    return m_options.clock ? m_options.clock() : bootClockNow();
}

bool NetlinkOwnerResolver::startedAfter(std::uint64_t startTicks, nanoseconds time) const
{
    // starttime is rounded down to a tick: only a start tick beyond `time` is certainly later.
    const auto start = nanoseconds(std::int64_t(startTicks) * (1'000'000'000 / m_ticksPerSecond));
    return start > time;
}

std::unordered_map<std::uint64_t, int>
NetlinkOwnerResolver::findSocketHolders(const std::string &procRoot, const std::unordered_set<std::uint64_t> &inodes,
                                        const std::vector<int> &firstPids, std::uint64_t *processesScanned)
{
    std::unordered_map<std::uint64_t, int> found;
    if (inodes.empty())
        return found;
    const auto scan = [&](int pid) {
        const int dirFd
            = ::open((procRoot + '/' + std::to_string(pid) + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirFd < 0)
            return;
        DIR *dir = ::fdopendir(dirFd);
        if (!dir) {
            ::close(dirFd);
            return;
        }
        if (processesScanned)
            ++*processesScanned;
        char link[64];
        while (const dirent *entry = ::readdir(dir)) {
            if (entry->d_name[0] == '.')
                continue;
            const ssize_t n = ::readlinkat(dirFd, entry->d_name, link, sizeof link);
            if (n <= 0 || std::size_t(n) >= sizeof link)
                continue;
            const auto inode = socketInode(std::string_view(link, std::size_t(n)));
            if (inode && inodes.count(*inode) && !found.count(*inode))
                found.emplace(*inode, pid);
        }
        ::closedir(dir);
    };
    for (const int pid : firstPids) {
        if (pid > 0)
            scan(pid);
        if (found.size() == inodes.size())
            return found;
    }
    DIR *proc = ::opendir(procRoot.c_str());
    if (!proc)
        return found;
    while (const dirent *entry = ::readdir(proc)) {
        const auto pid = pidOfName(entry->d_name);
        if (!pid || std::find(firstPids.begin(), firstPids.end(), *pid) != firstPids.end())
            continue;
        scan(*pid);
        if (found.size() == inodes.size())
            break;
    }
    ::closedir(proc);
    return found;
}

void NetlinkOwnerResolver::touch(Entry &entry)
{
    m_lru.splice(m_lru.begin(), m_lru, entry.lru);
}

NetlinkOwnerResolver::Entry &NetlinkOwnerResolver::store(std::uint32_t portId)
{
    auto it = m_entries.find(portId);
    if (it != m_entries.end()) {
        touch(it->second);
        return it->second;
    }
    while (m_entries.size() >= m_options.capacity) {
        m_entries.erase(m_lru.back());
        m_lru.pop_back();
    }
    m_lru.push_front(portId);
    Entry &entry = m_entries[portId];
    entry.lru = m_lru.begin();
    return entry;
}

void NetlinkOwnerResolver::refresh()
{
    refreshAt(now(), std::nullopt);
}

void NetlinkOwnerResolver::refreshAt(nanoseconds time, std::optional<std::uint32_t> requested)
{
    m_lastRefresh = time;
    ++m_stats.refreshes;
    const auto text = m_options.netlinkTableFd >= 0
        ? procnet::readFromStart(m_options.netlinkTableFd, procnet::kMaxTableBytes)
        : readFile(m_table, procnet::kMaxTableBytes);
    const std::vector<TableRow> rows = text ? parseNetlinkTable(*text, m_options.protocol) : std::vector<TableRow>();

    // The sockets to look for: those not cached with this inode (new, or a new socket on a
    // known port id), and the requested one if its holder could not be read before.
    std::unordered_set<std::uint64_t> wanted;
    std::vector<TableRow> wantedRows;
    bool requestedInTable = false;
    for (const TableRow &row : rows) {
        const auto it = m_entries.find(row.portId);
        const bool isRequested = requested && *requested == row.portId;
        requestedInTable = requestedInTable || isRequested;
        // A requested socket whose cached holder is unreadable or gone is looked for again:
        // the socket may have been passed on (fork) to a process that is still alive.
        const bool known = it != m_entries.end() && it->second.inode == row.inode
            && (!isRequested || it->second.owner.state == NetlinkOwner::State::Found);
        if (known) {
            if (isRequested)
                touch(it->second);
            continue;
        }
        // Fill at most the cache: more would only push out the entries just found.
        if (wantedRows.size() >= m_options.capacity && !isRequested)
            continue;
        wanted.insert(row.inode);
        wantedRows.push_back(row);
    }

    std::unordered_map<std::uint64_t, int> holders;
    if (!wanted.empty()) {
        ++m_stats.scans;
        std::vector<int> firstPids;
        if (requested) {
            // The port id a process's first socket gets is its PID; libnl's later ones keep the
            // PID in the low 22 bits.
            if (*requested <= kPidMaxLimit)
                firstPids.push_back(int(*requested));
            const int low = int(*requested & (kPidMaxLimit - 1));
            if (low > 0 && std::uint32_t(low) != *requested)
                firstPids.push_back(low);
        }
        holders = findSocketHolders(m_options.procRoot, wanted, firstPids, &m_stats.processesScanned);
    }

    // The requested port id last, so it is the most recently used entry.
    std::stable_partition(wantedRows.begin(), wantedRows.end(),
                          [&](const TableRow &row) { return !requested || row.portId != *requested; });
    for (const TableRow &row : wantedRows) {
        Entry &entry = store(row.portId);
        entry.inode = row.inode;
        entry.refreshedAt = time;
        entry.checkedAt = time;
        entry.startTicks = 0;
        entry.owner = NetlinkOwner {};
        entry.owner.portId = row.portId;
        const auto holder = holders.find(row.inode);
        if (holder == holders.end())
            continue; // Unknown: nobody we can read holds it
        entry.owner.pid = holder->second;
        const auto stat = readStat(m_options.procRoot, holder->second);
        if (!stat)
            continue; // Unknown, pid kept: the process vanished or its stat is unreadable
        readDetails(m_options.procRoot, m_options.maxCommandLine, entry.owner);
        entry.startTicks = stat->startTicks;
        entry.owner.startTime = nanoseconds(std::int64_t(stat->startTicks) * (1'000'000'000 / m_ticksPerSecond));
        // A comm that cannot be read after the stat could: the process went away between the
        // two reads (`ip` exits right after its ACK). Exited with its PID, not Found nameless.
        entry.owner.state = isGone(stat->state) || entry.owner.command.empty() ? NetlinkOwner::State::Exited
                                                                               : NetlinkOwner::State::Found;
    }
    if (requested && !requestedInTable) {
        Entry &entry = store(*requested);
        entry.inode = 0;
        entry.refreshedAt = time;
    } else if (requested) {
        if (const auto it = m_entries.find(*requested); it != m_entries.end())
            it->second.refreshedAt = time;
    }
}

void NetlinkOwnerResolver::checkAlive(Entry &entry, nanoseconds time)
{
    if (entry.owner.state != NetlinkOwner::State::Found || time - entry.checkedAt < m_options.minRefreshInterval)
        return;
    entry.checkedAt = time;
    const auto stat = readStat(m_options.procRoot, entry.owner.pid);
    if (!stat || stat->startTicks != entry.startTicks || isGone(stat->state))
        entry.owner.state = NetlinkOwner::State::Exited;
}

NetlinkOwner NetlinkOwnerResolver::inferFromPortId(std::uint32_t portId, nanoseconds notificationTime) const
{
    NetlinkOwner owner;
    owner.portId = portId;
    if (!m_options.inferPidFromPortId || portId > kPidMaxLimit)
        return owner;
    owner.pid = int(portId);
    owner.pidFromPortId = true;
    owner.state = NetlinkOwner::State::Exited;
    const auto stat = readStat(m_options.procRoot, owner.pid);
    // A process that started after the notification has a reused PID: not the requester.
    if (!stat || startedAfter(stat->startTicks, notificationTime))
        return owner;
    if (m_options.netNamespace != 0) {
        const auto ns = netNamespaceOf(m_options.procRoot, owner.pid);
        if (ns && *ns != m_options.netNamespace) {
            owner = NetlinkOwner {}; // lives in another namespace: not the requester
            owner.portId = portId;
            return owner;
        }
    }
    readDetails(m_options.procRoot, m_options.maxCommandLine, owner);
    owner.startTime = nanoseconds(std::int64_t(stat->startTicks) * (1'000'000'000 / m_ticksPerSecond));
    if (!isGone(stat->state) && !owner.command.empty()) // no comm: gone between the two reads
        owner.state = NetlinkOwner::State::Found;
    return owner;
}

NetlinkOwner NetlinkOwnerResolver::resolve(std::uint32_t portId)
{
    return resolve(portId, now());
}

NetlinkOwner NetlinkOwnerResolver::resolve(std::uint32_t portId, nanoseconds notificationTime)
{
    if (portId == 0) {
        NetlinkOwner kernel;
        kernel.state = NetlinkOwner::State::Kernel;
        return kernel;
    }
    const nanoseconds time = now();
    auto it = m_entries.find(portId);
    const bool stale = it == m_entries.end()
        || (it->second.owner.state != NetlinkOwner::State::Found
            && time - it->second.refreshedAt >= m_options.missRetryInterval);
    // The process whose PID the port id is, read before the table (see the class comment):
    // the answer when the table names no holder.
    std::optional<NetlinkOwner> early;
    const auto inferred = [&] { return early ? *early : inferFromPortId(portId, notificationTime); };
    if (stale && (!m_lastRefresh || time - *m_lastRefresh >= m_options.minRefreshInterval)) {
        early = inferFromPortId(portId, notificationTime);
        refreshAt(time, portId);
        it = m_entries.find(portId);
    }
    if (it == m_entries.end())
        return inferred();
    Entry &entry = it->second;
    touch(entry);
    checkAlive(entry, time);
    if (entry.inode == 0)
        return inferred();
    const NetlinkOwner &owner = entry.owner;
    if (owner.state == NetlinkOwner::State::Unknown && owner.pid == 0)
        return inferred(); // the holder is unreadable: guess from the id
    if (owner.state == NetlinkOwner::State::Found && startedAfter(entry.startTicks, notificationTime)) {
        // This socket's holder started after the notification: an earlier socket with this
        // port id asked for the change (the inference rejects this holder by its start time).
        return inferred();
    }
    return owner;
}

} // namespace ncv::platform

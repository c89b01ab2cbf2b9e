// SPDX-License-Identifier: GPL-2.0-or-later
// Who asked for a change (the "By" of an event): a process (from the netlink port id of
// the notification, nlmsg_pid, resolved on the reader thread by NetlinkOwnerResolver), the
// kernel (port id 0), only a port id (a recorded stream read later: no process to ask), or
// the cause of an inferred event ("kernel (link d1 down)", "resync after gap").
//
// Events are kept by the million, so a ChangeRecord holds only a small id
// (ChangeRecord::requester) into the process-wide RequesterTable, which interns each
// distinct Requester once. Qt-free.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ncv::platform {

/// One answer to "who asked for this change".
struct Requester {
    enum class Kind : std::uint8_t {
        None = 0, ///< nothing known: dump replies, Windows (IP Helper names no requester), markers
        Kernel = 1, ///< nlmsg_pid 0: the kernel made the change on its own
        Process = 2, ///< a process that held the requesting socket and was alive when the notification was read
        Exited = 3, ///< pid known, the process was gone when the notification was read (command may be known
                    ///< from an earlier sighting)
        Port = 4, ///< only the port id is known (a recorded stream, or a socket whose holder could not be read)
        Cause = 5, ///< an inferred event: cause says why
    };
    Kind kind = Kind::None;
    std::uint32_t portId = 0; ///< the notification's nlmsg_pid (netlink port id); 0 for the kernel
    std::int32_t pid = 0; ///< PID (of the reader's PID namespace); 0 when not known
    std::string command; ///< /proc/PID/comm (at most 15 bytes); empty when not known
    std::string commandLine; ///< /proc/PID/cmdline, arguments joined by spaces; empty when not known
    std::string cgroup; ///< first line of /proc/PID/cgroup ("0::/system.slice/foo.service"); empty when not known
    std::string cause; ///< Kind::Cause: "kernel (link d1 down)", "resync after gap"

    friend bool operator==(const Requester &, const Requester &) = default;
};

/// Short text for the event log's "By" column and the CSV's process column:
/// "ip (4006)" (a process, also one that exited after it was seen), "4006 (exited)" (the
/// name was never seen), "kernel", "port 4006", the cause of an inferred event; "" for None.
std::string requesterText(const Requester &r);
/// The PID text of the CSV's pid column: "4006", or "" when no PID is known.
std::string requesterPidText(const Requester &r);
/// Kind names as the recording stores them: "none", "kernel", "process", "exited", "port", "cause".
const char *requesterKindName(Requester::Kind kind);

/// The process-wide table of requesters. id 0 is Kind::None (the default of
/// ChangeRecord::requester). Entries are never removed or changed, so a reference from
/// get() stays valid for the program's lifetime. Thread-safe (one mutex; callers on hot
/// paths keep their own small cache of ids, as RtnetlinkSource does per port id).
class RequesterTable {
public:
    /// The id of r, adding it when new.
    static std::uint32_t intern(const Requester &r);
    /// The requester of id (Kind::None for 0 or an unknown id).
    static const Requester &get(std::uint32_t id);
    /// Shorthands: the id of a Kind::Cause requester with this text, of the kernel, of a
    /// bare port id (Kind::Kernel for 0).
    static std::uint32_t cause(const std::string &text);
    static std::uint32_t kernel();
    static std::uint32_t port(std::uint32_t portId);
    /// Number of entries (including id 0).
    static std::size_t size();

private:
    RequesterTable();
    static RequesterTable &instance();
    struct Hash {
        std::size_t operator()(const Requester &r) const noexcept;
    };
    std::mutex m_mutex;
    std::deque<Requester> m_entries; // deque: references stay valid as it grows
    std::unordered_map<Requester, std::uint32_t, Hash> m_ids;
};

} // namespace ncv::platform

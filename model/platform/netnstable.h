// SPDX-License-Identifier: GPL-2.0-or-later
// Which network namespace a change happened in. Events are kept by the million, so a
// ChangeRecord holds only a small id (ChangeRecord::netns) into the process-wide
// NamespaceTable, which interns each distinct namespace (identity and name) once, as
// RequesterTable does for requesters. Id 0 is the namespace the program runs in when it
// watches only that one: it has no name, and every output leaves its namespace cell empty,
// so a default run writes what it wrote before namespaces were shown. Qt-free.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ncv::platform {

/// One watched network namespace, as the user knows it.
struct NetNamespace {
    /// The name shown: the /run/netns name, else the container or process holding it
    /// ("docker:3f2a1b9c0d12 (nginx 4242)", "sleep (4242)"), else "net:[inode]"
    /// (NetNamespaceInfo::displayName()). Empty only for id 0.
    std::string name;
    std::uint64_t inode = 0; ///< st_ino of its nsfs file, the number of "net:[inode]"; 0 when not known
    std::uint64_t device = 0; ///< st_dev of its nsfs file; 0 when not known

    friend bool operator==(const NetNamespace &, const NetNamespace &) = default;
};

/// The process-wide table of namespaces. Entries are never removed or changed (a namespace
/// renamed gets a second id, so older events keep the name they had), so a reference from
/// get() stays valid for the program's lifetime. Thread-safe (one mutex; reader threads
/// intern once per namespace, not per record).
class NamespaceTable {
public:
    /// The id of ns, adding it when new; 0 for a default (empty) NetNamespace.
    static std::uint32_t intern(const NetNamespace &ns);
    /// The namespace of id (the empty one for 0 or an unknown id).
    static const NetNamespace &get(std::uint32_t id);
    /// Its name; "" for 0.
    static const std::string &name(std::uint32_t id) { return get(id).name; }
    /// The first id whose name is name; 0 when none.
    static std::uint32_t find(const std::string &name);
    /// Number of entries (including id 0).
    static std::size_t size();

private:
    NamespaceTable();
    static NamespaceTable &instance();
    struct Hash {
        std::size_t operator()(const NetNamespace &ns) const noexcept;
    };
    std::mutex m_mutex;
    std::deque<NetNamespace> m_entries; // deque: references stay valid as it grows
    std::unordered_map<NetNamespace, std::uint32_t, Hash> m_ids;
};

} // namespace ncv::platform

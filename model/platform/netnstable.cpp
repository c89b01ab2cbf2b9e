// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/netnstable.h"

#include <functional>

namespace ncv::platform {

std::size_t NamespaceTable::Hash::operator()(const NetNamespace &ns) const noexcept
{
    return std::hash<std::string>()(ns.name) ^ (std::hash<std::uint64_t>()(ns.inode) * 31)
        ^ (std::hash<std::uint64_t>()(ns.device) * 131);
}

NamespaceTable::NamespaceTable()
{
    m_entries.emplace_back();
    m_ids.emplace(NetNamespace {}, 0);
}

NamespaceTable &NamespaceTable::instance()
{
    static NamespaceTable table;
    return table;
}

std::uint32_t NamespaceTable::intern(const NetNamespace &ns)
{
    NamespaceTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    const auto [it, inserted] = t.m_ids.try_emplace(ns, std::uint32_t(t.m_entries.size()));
    if (inserted)
        t.m_entries.push_back(ns);
    return it->second;
}

const NetNamespace &NamespaceTable::get(std::uint32_t id)
{
    NamespaceTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    return id < t.m_entries.size() ? t.m_entries[id] : t.m_entries.front();
}

std::uint32_t NamespaceTable::find(const std::string &name)
{
    NamespaceTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    for (std::size_t i = 1; i < t.m_entries.size(); ++i) {
        if (t.m_entries[i].name == name)
            return std::uint32_t(i);
    }
    return 0;
}

std::size_t NamespaceTable::size()
{
    NamespaceTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    return t.m_entries.size();
}

} // namespace ncv::platform

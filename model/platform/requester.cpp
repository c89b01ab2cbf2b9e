// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/requester.h"

#include <functional>

namespace ncv::platform {

std::string requesterText(const Requester &r)
{
    switch (r.kind) {
    case Requester::Kind::None: return {};
    case Requester::Kind::Kernel: return "kernel";
    case Requester::Kind::Process:
    case Requester::Kind::Exited:
        if (!r.command.empty())
            return r.command + " (" + std::to_string(r.pid) + ")";
        if (r.pid != 0)
            return std::to_string(r.pid) + (r.kind == Requester::Kind::Exited ? " (exited)" : "");
        return "port " + std::to_string(r.portId);
    case Requester::Kind::Port: return "port " + std::to_string(r.portId);
    case Requester::Kind::Cause: return r.cause;
    }
    return {};
}

std::string requesterPidText(const Requester &r)
{
    return r.pid != 0 ? std::to_string(r.pid) : std::string();
}

const char *requesterKindName(Requester::Kind kind)
{
    switch (kind) {
    case Requester::Kind::None: return "none";
    case Requester::Kind::Kernel: return "kernel";
    case Requester::Kind::Process: return "process";
    case Requester::Kind::Exited: return "exited";
    case Requester::Kind::Port: return "port";
    case Requester::Kind::Cause: return "cause";
    }
    return "none";
}

std::size_t RequesterTable::Hash::operator()(const Requester &r) const noexcept
{
    std::size_t h = std::hash<std::string>()(r.commandLine);
    const auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
    mix(std::size_t(r.kind));
    mix(r.portId);
    mix(std::size_t(r.pid));
    mix(std::hash<std::string>()(r.command));
    mix(std::hash<std::string>()(r.cgroup));
    mix(std::hash<std::string>()(r.cause));
    return h;
}

RequesterTable::RequesterTable()
{
    m_entries.emplace_back();
    m_ids.emplace(Requester {}, 0);
}

RequesterTable &RequesterTable::instance()
{
    static RequesterTable table;
    return table;
}

std::uint32_t RequesterTable::intern(const Requester &r)
{
    RequesterTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    const auto [it, inserted] = t.m_ids.try_emplace(r, std::uint32_t(t.m_entries.size()));
    if (inserted)
        t.m_entries.push_back(r);
    return it->second;
}

const Requester &RequesterTable::get(std::uint32_t id)
{
    RequesterTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    return id < t.m_entries.size() ? t.m_entries[id] : t.m_entries.front();
}

std::uint32_t RequesterTable::cause(const std::string &text)
{
    Requester r;
    r.kind = Requester::Kind::Cause;
    r.cause = text;
    return intern(r);
}

std::uint32_t RequesterTable::kernel()
{
    Requester r;
    r.kind = Requester::Kind::Kernel;
    return intern(r);
}

std::uint32_t RequesterTable::port(std::uint32_t portId)
{
    if (portId == 0)
        return kernel();
    Requester r;
    r.kind = Requester::Kind::Port;
    r.portId = portId;
    return intern(r);
}

std::size_t RequesterTable::size()
{
    RequesterTable &t = instance();
    std::lock_guard lock(t.m_mutex);
    return t.m_entries.size();
}

} // namespace ncv::platform

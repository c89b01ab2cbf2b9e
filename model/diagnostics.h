// SPDX-License-Identifier: GPL-2.0-or-later
// Diagnostics of the event socket for the diagnostics view: net.core.rmem_max and the
// netlink socket's drop counter. On Linux these read /proc through the platform layer
// (platform/linux/procnet.h, where the parsers live); elsewhere they say "not available
// on this system". QtCore only; any thread.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>

namespace ncv::diagnostics {

/// A /proc/net/netlink row: Eth = netlink protocol (0 = NETLINK_ROUTE), Pid = port id,
/// Rmem = bytes queued, Drops = messages dropped.
struct NetlinkSocketInfo {
    int protocol = -1;
    std::uint32_t portId = 0;
    std::uint64_t rmem = 0;
    std::uint64_t drops = 0;
};

/// True on Linux (where the /proc files exist).
bool available();

/// net.core.rmem_max in bytes. nullopt with *error set ("not available on this system",
/// "cannot read ...") otherwise.
std::optional<std::int64_t> readRmemMax(QString *error = nullptr);
/// The NETLINK_ROUTE socket with this port id in /proc/net/netlink; nullopt with *error set
/// otherwise.
std::optional<NetlinkSocketInfo> readNetlinkSocket(std::uint32_t portId, QString *error = nullptr);

} // namespace ncv::diagnostics

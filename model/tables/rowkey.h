// SPDX-License-Identifier: GPL-2.0-or-later
// Fixed-size identity keys for table rows (no heap allocation per row).
// A key is a superset of both OS key schemes (StateStore::KeyScheme Linux and Windows),
// so it is unique whenever the source's key is; the table models look a changed row up
// by the key of its `before` row and re-key it when `after` differs.
#pragma once

#include "platform/types.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace ncv {

struct RowKey {
    std::array<std::uint8_t, 60> bytes {};
    std::uint8_t length = 0;
    friend bool operator==(const RowKey &a, const RowKey &b) { return a.length == b.length && a.bytes == b.bytes; }
};

struct RowKeyHash {
    std::size_t operator()(const RowKey &key) const noexcept;
};

/// interface: (ifIndex, LUID, family)
RowKey rowKey(const platform::InterfaceRow &row);
/// address: (ifIndex, LUID, address, prefix length)
RowKey rowKey(const platform::AddressRow &row);
/// route: (family, table, destination, prefix length, tos, metric, LUID, and for a single-path
/// route its next hop's ifindex and gateway)
RowKey rowKey(const platform::RouteRow &row);
/// entity: (protocol space, protocol)
RowKey rowKey(const platform::NeighborRow &row);
/// rule: every field (see platform::RuleRow), hashed when too long for the key
RowKey rowKey(const platform::RuleRow &row);
/// nexthop object: its id (NHA_ID)
RowKey rowKey(const platform::NexthopRow &row);
RowKey rowKey(const platform::EntityRow &row);

} // namespace ncv

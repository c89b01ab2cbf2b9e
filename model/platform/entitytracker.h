// SPDX-License-Identifier: GPL-2.0-or-later
// EntityTracker: routing entities (route origins) in the sense of the routing table
// manager's RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED events, derived from the route
// records a registration delivers. Qt-free. Not thread-safe: one instance per
// registration, used on that registration's delivery thread.
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace ncv::platform {

/// Counts routes per origin (RouteRow::protocol in its ProtocolSpace) and turns the first
/// route of an origin into an entity / registered record and the removal of its last
/// route into an entity / deregistered record.
///
/// Records made: object = ObjectKind::Entity, family = Family::Unspec, origin and timeUs
/// copied from the route record that caused them.
///  - Initial: after = EntityRow {protocol, space, routes held}; from appendInitial().
///  - Registered: after = EntityRow {.., routeCount = 1 (the routes held after the change)};
///    placed BEFORE the route record that brought the first route.
///  - Deregistered: before = EntityRow {.., routeCount = 0}; placed AFTER the route record
///    that removed the last route.
/// A Parameter record whose protocol changed moves the route from one entity to the other.
class EntityTracker {
public:
    /// Counts a route of the initial snapshot without making a record.
    void countInitial(const RouteRow &route);
    /// Appends one Initial entity record per origin with routes, ordered by (space, protocol).
    void appendInitial(std::int64_t timeUs, std::vector<ChangeRecord> &out) const;

    /// Appends record to out, preceded / followed by the entity records it causes. Records
    /// that are not about routes are appended unchanged; Initial route records are counted
    /// (as countInitial) and appended without entity records.
    void process(ChangeRecord &&record, std::vector<ChangeRecord> &out);

    /// Routes currently counted for an origin (0 when unknown).
    std::uint64_t routeCount(std::uint32_t protocol, ProtocolSpace space = ProtocolSpace::RtmProtocol) const;
    /// Number of origins with at least one route.
    std::size_t entityCount() const { return m_counts.size(); }
    void clear() { m_counts.clear(); }

private:
    using Origin_ = std::pair<ProtocolSpace, std::uint32_t>;
    void increment(const RouteRow &route, const ChangeRecord &cause, std::vector<ChangeRecord> &out);
    bool decrement(const RouteRow &route, const ChangeRecord &cause, ChangeRecord *deregistered);

    std::map<Origin_, std::uint64_t> m_counts;
};

} // namespace ncv::platform

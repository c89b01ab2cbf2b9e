// SPDX-License-Identifier: GPL-2.0-or-later
// EntityTracker (see entitytracker.h). Runs on the delivering thread of one registration.
#include "platform/entitytracker.h"

namespace ncv::platform {

namespace {

ChangeRecord entityRecord(ChangeKind change, std::uint32_t protocol, ProtocolSpace space, std::uint64_t count,
                          const ChangeRecord &cause)
{
    ChangeRecord r;
    r.object = ObjectKind::Entity;
    r.change = change;
    r.origin = cause.origin;
    r.family = Family::Unspec;
    r.timeUs = cause.timeUs;
    r.requester = cause.requester; // the route's requester registered or deregistered the origin
    r.portId = cause.portId;
    EntityRow row;
    row.protocol = protocol;
    row.protocolSpace = space;
    row.routeCount = count;
    if (change == ChangeKind::Deregistered)
        r.before = row;
    else
        r.after = row;
    return r;
}

} // namespace

void EntityTracker::countInitial(const RouteRow &route)
{
    ++m_counts[{route.protocolSpace, route.protocol}];
}

void EntityTracker::appendInitial(std::int64_t timeUs, std::vector<ChangeRecord> &out) const
{
    ChangeRecord cause;
    cause.timeUs = timeUs;
    for (const auto &[origin, count] : m_counts)
        out.push_back(entityRecord(ChangeKind::Initial, origin.second, origin.first, count, cause));
}

void EntityTracker::increment(const RouteRow &route, const ChangeRecord &cause, std::vector<ChangeRecord> &out)
{
    auto &count = m_counts[{route.protocolSpace, route.protocol}];
    if (++count == 1)
        out.push_back(entityRecord(ChangeKind::Registered, route.protocol, route.protocolSpace, 1, cause));
}

bool EntityTracker::decrement(const RouteRow &route, const ChangeRecord &cause, ChangeRecord *deregistered)
{
    auto it = m_counts.find({route.protocolSpace, route.protocol});
    if (it == m_counts.end())
        return false; // a route this tracker never counted (should not happen)
    if (--it->second > 0)
        return false;
    m_counts.erase(it);
    *deregistered = entityRecord(ChangeKind::Deregistered, route.protocol, route.protocolSpace, 0, cause);
    return true;
}

void EntityTracker::process(ChangeRecord &&record, std::vector<ChangeRecord> &out)
{
    if (record.object != ObjectKind::Route) {
        out.push_back(std::move(record));
        return;
    }
    const auto *before = std::get_if<RouteRow>(&record.before);
    const auto *after = std::get_if<RouteRow>(&record.after);
    ChangeRecord deregistered;
    bool hasDeregistered = false;
    switch (record.change) {
    case ChangeKind::Initial:
        if (after)
            countInitial(*after);
        break;
    case ChangeKind::Add:
        if (after)
            increment(*after, record, out);
        break;
    case ChangeKind::Delete:
    case ChangeKind::Expired:
        if (before)
            hasDeregistered = decrement(*before, record, &deregistered);
        break;
    case ChangeKind::Parameter:
        if (before && after && (before->protocol != after->protocol || before->protocolSpace != after->protocolSpace)) {
            increment(*after, record, out);
            hasDeregistered = decrement(*before, record, &deregistered);
        }
        break;
    default: break;
    }
    out.push_back(std::move(record));
    if (hasDeregistered)
        out.push_back(std::move(deregistered));
}

std::uint64_t EntityTracker::routeCount(std::uint32_t protocol, ProtocolSpace space) const
{
    auto it = m_counts.find({space, protocol});
    return it == m_counts.end() ? 0 : it->second;
}

} // namespace ncv::platform

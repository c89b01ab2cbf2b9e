// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/recordstate.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace ncv::recording {

using namespace platform;

RecordState::RecordState(StateStore::KeyScheme scheme) : m_routes(scheme) { }

namespace {

template<typename R, typename Map, typename KeyOf> void applyKeyed(Map &map, const ChangeRecord &r, const KeyOf &keyOf)
{
    const R *before = std::get_if<R>(&r.before);
    const R *after = std::get_if<R>(&r.after);
    switch (r.change) {
    case ChangeKind::Initial:
    case ChangeKind::Add:
    case ChangeKind::Parameter:
        if (!after)
            return;
        if (before) {
            const std::string old = keyOf(*before);
            if (old != keyOf(*after))
                map.erase(old);
        }
        map[keyOf(*after)] = *after;
        break;
    case ChangeKind::Delete:
    case ChangeKind::Expired:
        if (before)
            map.erase(keyOf(*before));
        break;
    default: break;
    }
}

} // namespace

void RecordState::apply(const ChangeRecord &r)
{
    switch (r.object) {
    case ObjectKind::Interface:
        applyKeyed<InterfaceRow>(m_interfaces, r, [this](const InterfaceRow &row) { return m_routes.key(row); });
        break;
    case ObjectKind::Address:
        applyKeyed<AddressRow>(m_addresses, r, [this](const AddressRow &row) { return m_routes.key(row); });
        break;
    case ObjectKind::Neighbor:
        applyKeyed<NeighborRow>(m_neighbors, r, [this](const NeighborRow &row) { return m_routes.key(row); });
        break;
    case ObjectKind::Rule:
        applyKeyed<RuleRow>(m_rules, r, [this](const RuleRow &row) { return m_routes.key(row); });
        break;
    case ObjectKind::Nexthop:
        applyKeyed<NexthopRow>(m_nexthops, r, [this](const NexthopRow &row) { return m_routes.key(row); });
        break;
    case ObjectKind::Route: {
        const RouteRow *before = std::get_if<RouteRow>(&r.before);
        const RouteRow *after = std::get_if<RouteRow>(&r.after);
        switch (r.change) {
        case ChangeKind::Initial:
        case ChangeKind::Add:
            if (after)
                m_routes.upsert(*after, r.timeUs, r.origin, nullptr);
            break;
        case ChangeKind::Parameter:
            if (!after)
                break;
            // The kernel replaced the held route (its next hops may have changed identity):
            // replace what the record says was held, else take after as it is.
            if (!before || !m_routes.replaceRoute(*before, *after, r.timeUs, r.origin, nullptr))
                m_routes.upsert(*after, r.timeUs, r.origin, nullptr, true);
            break;
        case ChangeKind::Delete:
        case ChangeKind::Expired:
            if (before)
                m_routes.remove(*before, r.timeUs, r.origin, nullptr);
            break;
        default: break;
        }
        break;
    }
    default: break;
    }
}

void RecordState::insert(const Row &row)
{
    if (const auto *i = std::get_if<InterfaceRow>(&row))
        m_interfaces[m_routes.key(*i)] = *i;
    else if (const auto *a = std::get_if<AddressRow>(&row))
        m_addresses[m_routes.key(*a)] = *a;
    else if (const auto *r = std::get_if<RouteRow>(&row))
        m_routes.upsert(*r, 0, Origin::Observed, nullptr);
    else if (const auto *n = std::get_if<NeighborRow>(&row))
        m_neighbors[m_routes.key(*n)] = *n;
    else if (const auto *u = std::get_if<RuleRow>(&row))
        m_rules[m_routes.key(*u)] = *u;
    else if (const auto *h = std::get_if<NexthopRow>(&row))
        m_nexthops[m_routes.key(*h)] = *h;
}

void RecordState::prefetch(const ChangeRecord &record) const
{
    if (record.object != ObjectKind::Route)
        return;
    // apply() looks up the `before` route when there is one (replace, delete), else `after`.
    if (const auto *before = std::get_if<RouteRow>(&record.before))
        m_routes.prefetch(*before);
    else if (const auto *after = std::get_if<RouteRow>(&record.after))
        m_routes.prefetch(*after);
}

void RecordState::prefetch(const Row &row) const
{
    if (const auto *r = std::get_if<RouteRow>(&row))
        m_routes.prefetch(*r);
}

void RecordState::clear()
{
    m_interfaces.clear();
    m_addresses.clear();
    m_neighbors.clear();
    m_rules.clear();
    m_nexthops.clear();
    m_routes.clear();
}

void RecordState::forEach(const std::function<void(const Row &)> &visit) const
{
    Row row;
    forEach(
        [&](const InterfaceRow &r) {
            row = r;
            visit(row);
        },
        [&](const AddressRow &r) {
            row = r;
            visit(row);
        },
        [&](const RouteRow &r) {
            row = r;
            visit(row);
        },
        [&](const NeighborRow &r) {
            row = r;
            visit(row);
        },
        [&](const RuleRow &r) {
            row = r;
            visit(row);
        },
        [&](const NexthopRow &r) {
            row = r;
            visit(row);
        });
}

void RecordState::forEach(const std::function<void(const InterfaceRow &)> &interface,
                          const std::function<void(const AddressRow &)> &address,
                          const std::function<void(const RouteRow &)> &route,
                          const std::function<void(const NeighborRow &)> &neighbor,
                          const std::function<void(const RuleRow &)> &rule,
                          const std::function<void(const NexthopRow &)> &nexthop) const
{
    std::vector<const InterfaceRow *> interfaces;
    interfaces.reserve(m_interfaces.size());
    for (const auto &[k, row] : m_interfaces)
        interfaces.push_back(&row);
    std::stable_sort(interfaces.begin(), interfaces.end(),
                     [](const InterfaceRow *a, const InterfaceRow *b) { return a->ifIndex < b->ifIndex; });
    for (const InterfaceRow *i : interfaces)
        interface(*i);
    std::vector<const AddressRow *> addresses;
    addresses.reserve(m_addresses.size());
    for (const auto &[k, a] : m_addresses)
        addresses.push_back(&a);
    std::stable_sort(addresses.begin(), addresses.end(), [](const AddressRow *a, const AddressRow *b) {
        return std::tie(a->ifIndex, a->address.family, a->address.bytes, a->prefixLength)
            < std::tie(b->ifIndex, b->address.family, b->address.bytes, b->prefixLength);
    });
    for (const AddressRow *a : addresses)
        address(*a);
    m_routes.anyRoute([&route](const RouteRow &r) {
        route(r);
        return false; // visit them all
    });
    if (rule) {
        std::vector<const RuleRow *> rules;
        rules.reserve(m_rules.size());
        for (const auto &[k, u] : m_rules) // keys start with the family
            rules.push_back(&u);
        std::stable_sort(rules.begin(), rules.end(), [](const RuleRow *a, const RuleRow *b) {
            return std::tie(a->family, a->priority) < std::tie(b->family, b->priority);
        });
        for (const RuleRow *u : rules)
            rule(*u);
    }
    if (nexthop)
        for (const auto &[k, h] : m_nexthops) // keys are the ids, big-endian: by id
            nexthop(h);
    if (!neighbor)
        return;
    std::vector<const NeighborRow *> neighbors;
    neighbors.reserve(m_neighbors.size());
    for (const auto &[k, n] : m_neighbors)
        neighbors.push_back(&n);
    std::stable_sort(neighbors.begin(), neighbors.end(), [](const NeighborRow *a, const NeighborRow *b) {
        return std::make_tuple(a->ifIndex, a->address.family, a->address.bytes, a->isProxy())
            < std::make_tuple(b->ifIndex, b->address.family, b->address.bytes, b->isProxy());
    });
    for (const NeighborRow *n : neighbors)
        neighbor(*n);
}

const InterfaceRow *RecordState::interface(std::uint32_t ifIndex) const
{
    for (const auto &[k, row] : m_interfaces)
        if (row.ifIndex == ifIndex)
            return &row;
    return nullptr;
}

void NamespaceStates::prefetch(const ChangeRecord &record) const
{
    if (m_last && record.netns == m_lastNetns)
        m_last->prefetch(record);
    else if (const RecordState *s = find(record.netns))
        s->prefetch(record);
}

RecordState &NamespaceStates::state(std::uint32_t netns)
{
    // Runs of records come from one namespace (a dump, a burst): no look-up for them.
    if (m_last && netns == m_lastNetns)
        return *m_last;
    m_last = &m_states.try_emplace(netns, m_scheme).first->second;
    m_lastNetns = netns;
    return *m_last;
}

const RecordState *NamespaceStates::find(std::uint32_t netns) const
{
    const auto it = m_states.find(netns);
    return it == m_states.end() ? nullptr : &it->second;
}

std::size_t NamespaceStates::rowCount() const
{
    std::size_t n = 0;
    for (const auto &[netns, s] : m_states)
        n += s.rowCount();
    return n;
}

} // namespace ncv::recording

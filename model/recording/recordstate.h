// SPDX-License-Identifier: GPL-2.0-or-later
// RecordState: the interface, address and route tables rebuilt from change records, for
// the recording's keyframes (writer thread) and for the state at a past time (reader).
// Routes sit in a platform::StateStore (packed, about 40 bytes a route at a million);
// interfaces and addresses, a few thousand at most, in ordered maps keyed as the store
// keys them. Markers, gaps and entities change nothing (entities follow from the routes).
// Not thread-safe: one owner.
#pragma once

#include "platform/statestore.h"
#include "platform/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace ncv::recording {

class RecordState {
public:
    explicit RecordState(platform::StateStore::KeyScheme scheme = platform::StateStore::KeyScheme::Linux);

    /// Applies one record: Initial / Add / Parameter put the `after` row in (a Parameter
    /// whose key changed drops the `before` key), Delete / Expired take the `before` row's
    /// key out. Other objects and kinds are ignored.
    void apply(const platform::ChangeRecord &record);
    /// Puts a row in as it is (keyframe rows); monostate and entities are ignored.
    void insert(const platform::Row &row);
    /// Hints the CPU to load what apply(record) / insert(row) will look at first (the route
    /// index is far larger than the caches at a million routes): call it a few rows ahead.
    void prefetch(const platform::ChangeRecord &record) const;
    void prefetch(const platform::Row &row) const;
    void clear();

    std::size_t interfaceCount() const { return m_interfaces.size(); }
    std::size_t addressCount() const { return m_addresses.size(); }
    std::size_t routeCount() const { return m_routes.routeCount(); }
    std::size_t neighborCount() const { return m_neighbors.size(); }
    std::size_t ruleCount() const { return m_rules.size(); }
    std::size_t nexthopCount() const { return m_nexthops.size(); }
    std::size_t rowCount() const
    {
        return interfaceCount() + addressCount() + routeCount() + neighborCount() + ruleCount() + nexthopCount();
    }

    /// Calls visit for every row: interfaces by ifindex, then addresses by interface,
    /// family and address, then routes (in store order), then rules by family and priority,
    /// then nexthop objects by id, then neighbors by interface, family, address and proxy.
    void forEach(const std::function<void(const platform::Row &)> &visit) const;
    /// The same rows in the same order, each kind to its own visitor (no copy into a Row).
    void forEach(const std::function<void(const platform::InterfaceRow &)> &interface,
                 const std::function<void(const platform::AddressRow &)> &address,
                 const std::function<void(const platform::RouteRow &)> &route,
                 const std::function<void(const platform::NeighborRow &)> &neighbor = {},
                 const std::function<void(const platform::RuleRow &)> &rule = {},
                 const std::function<void(const platform::NexthopRow &)> &nexthop = {}) const;
    /// The held interface with that index, or nullptr.
    const platform::InterfaceRow *interface(std::uint32_t ifIndex) const;

private:
    platform::StateStore m_routes; // routes only; also gives the key bytes of the other rows
    std::map<std::string, platform::InterfaceRow> m_interfaces;
    std::map<std::string, platform::AddressRow> m_addresses;
    std::map<std::string, platform::NeighborRow> m_neighbors;
    std::map<std::string, platform::RuleRow> m_rules; // by StateStore::key(): family first
    std::map<std::string, platform::NexthopRow> m_nexthops; // by StateStore::key(): the id
};

/// The tables of every network namespace of a recording, each apart (ifindex 2 exists in
/// every one): one RecordState per namespace, keyed by the NamespaceTable id that
/// ChangeRecord::netns carries (platform/netnstable.h; 0 = the namespace recorded by
/// default). A namespace's state exists once a record or row of it came, also when it is
/// empty again. Not thread-safe: one owner.
class NamespaceStates {
public:
    explicit NamespaceStates(platform::StateStore::KeyScheme scheme = platform::StateStore::KeyScheme::Linux)
        : m_scheme(scheme)
    { }

    /// Applies record to the state of its namespace (record.netns).
    void apply(const platform::ChangeRecord &record) { state(record.netns).apply(record); }
    /// As RecordState::prefetch() in the state of record.netns, when it exists.
    void prefetch(const platform::ChangeRecord &record) const;
    /// The state of namespace netns, made empty when new.
    RecordState &state(std::uint32_t netns);
    /// The state of namespace netns, or nullptr when none came.
    const RecordState *find(std::uint32_t netns) const;
    /// Every namespace's state by NamespaceTable id (0 first: ids are given in the order
    /// the namespaces were first seen, so a file's namespaces come in its order).
    const std::map<std::uint32_t, RecordState> &states() const { return m_states; }
    /// Rows held in all namespaces.
    std::size_t rowCount() const;
    void clear()
    {
        m_states.clear();
        m_last = nullptr;
    }

private:
    platform::StateStore::KeyScheme m_scheme;
    std::map<std::uint32_t, RecordState> m_states;
    std::uint32_t m_lastNetns = 0; // the namespace state() returned last, and its state
    RecordState *m_last = nullptr;
};

} // namespace ncv::recording

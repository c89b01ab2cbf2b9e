// SPDX-License-Identifier: GPL-2.0-or-later
// StateStore: the source-side copy of current state, keyed like the OS keys objects,
// that classifies each decoded row into add / parameter / delete (or nothing, for a
// no-op) and reconciles a fresh snapshot against what it held (resync, polling).
// Not thread-safe: owned and used by one reader thread.
#pragma once

#include "platform/packedroutetable.h"
#include "platform/types.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ncv::platform {

/// A full set of rows, as a dump (Linux) or Get*Table2 calls (Windows) return them.
struct Snapshot {
    std::vector<InterfaceRow> interfaces;
    std::vector<AddressRow> addresses;
    std::vector<RouteRow> routes;
    std::vector<NeighborRow> neighbors;
    std::vector<RuleRow> rules;
    std::vector<NexthopRow> nexthops;
};

/// The rows of a StateStore at one moment, filtered as a registration filters its records
/// (matchesFilter: object mask and family), for another thread to read while the store
/// goes on changing: a recording's keyframe written on the writer's thread, placed in the
/// record stream exactly after the records that built this state. The few interfaces,
/// addresses and duplicate routes are copied; the packed routes are shared with the store
/// (PackedRouteTable::Image: copy-on-write chunks), so making one costs a few dozen
/// references at a million routes, and the store copies a 1 MiB chunk only when it writes
/// into one while an image holds it. Immutable once made; any thread may read, copy or
/// destroy it.
class StateImage {
public:
    /// Calls the visitors for every row: interfaces by ifindex, then addresses by
    /// (ifindex, family, address, prefix length), then routes (store order, then the
    /// routes sharing a base key with another).
    /// then neighbors by (ifindex, family, address, proxy) when onNeighbor is set, then rules
    /// by (family, priority) when onRule is set, then nexthop objects by id when onNexthop is set.
    /// (Parameters not named "interface": a macro of the Windows headers.)
    void forEach(const std::function<void(const InterfaceRow &)> &onInterface,
                 const std::function<void(const AddressRow &)> &onAddress,
                 const std::function<void(const RouteRow &)> &onRoute,
                 const std::function<void(const NeighborRow &)> &onNeighbor = {},
                 const std::function<void(const RuleRow &)> &onRule = {},
                 const std::function<void(const NexthopRow &)> &onNexthop = {}) const;
    std::size_t interfaceCount() const { return m_interfaces.size(); }
    std::size_t addressCount() const { return m_addresses.size(); }
    std::size_t neighborCount() const { return m_neighbors.size(); }
    std::size_t ruleCount() const { return m_rules.size(); }
    std::size_t nexthopCount() const { return m_nexthops.size(); }
    /// Routes the store held (before the family filter, which forEach() applies): an
    /// upper bound of the routes visited, exact when the store holds only routes that pass.
    std::size_t heldRouteCount() const { return m_routes.size() + m_duplicates.size(); }

private:
    friend class StateStore;
    std::vector<InterfaceRow> m_interfaces;
    std::vector<AddressRow> m_addresses;
    std::vector<NeighborRow> m_neighbors;
    std::vector<RuleRow> m_rules;
    std::vector<NexthopRow> m_nexthops;
    PackedRouteTable::Image m_routes;
    std::vector<RouteRow> m_duplicates;
    bool m_wantsRoutes = true;
    Family m_family = Family::Unspec; ///< routes of other families are skipped
};

class StateStore {
public:
    /// How objects are identified.
    /// Linux: interface = ifindex; address = (ifindex, address, prefix length);
    ///        route = (family, RTA_TABLE, destination, prefix length, tos, RTA_PRIORITY);
    ///        neighbor = (family, ifindex, NDA_DST, proxy): the kernel holds proxy entries
    ///        in a table of their own (pneigh), so one can exist beside a normal entry;
    ///        rule = every field (the kernel gives a rule no id; see RuleRow);
    ///        nexthop object = NHA_ID (one id space for every family).
    /// Windows: interface = (LUID, family); address = (LUID, address); neighbor = (LUID, address);
    ///        route = (LUID, destination prefix, next hop) as MIB_IPFORWARD_ROW2 keys them.
    enum class KeyScheme : std::uint8_t { Linux, Windows };

    explicit StateStore(KeyScheme scheme = KeyScheme::Linux);

    /// Inserts or updates. Returns true and fills *out with an Add (new key) or a
    /// Parameter (shown fields differ; changedFields set, before/after filled) record;
    /// returns false when nothing shown changed (the stored row is still refreshed,
    /// e.g. lifetimes). out->timeUs = timeUs, out->origin = origin.
    bool upsert(const InterfaceRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool upsert(const AddressRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool upsert(const NeighborRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    /// Rules: an Add, or nothing when an equal rule is held (every field is key). Two equal
    /// rules (possible without NLM_F_EXCL) are held as one.
    bool upsert(const RuleRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool upsert(const NexthopRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    /// Routes (KeyScheme::Linux): the kernel lets several routes share (table, prefix,
    /// tos, metric) when they differ in next hop (IPv6 addrconf routes per device,
    /// `ip route append`), so a route is identified by that base key plus its first next
    /// hop (interface, gateway). replace = the message carried NLM_F_REPLACE: the kernel
    /// replaced the held route with the same base key, which is then a Parameter change
    /// (nexthops) rather than a second route.
    bool upsert(const RouteRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out, bool replace = false);
    /// Replaces the held route identified as held is (base key plus next hop identity) with
    /// after, which has the same base key, as a Parameter change in *out (a route whose next
    /// hops changed identity, e.g. a nexthop group that lost members). Returns false, and
    /// changes nothing, when held is not held or nothing shown differs.
    bool replaceRoute(const RouteRow &held, const RouteRow &after, std::int64_t timeUs, Origin origin,
                      ChangeRecord *out);

    /// Removes the object with row's key. Returns true and fills *out with a Delete
    /// record (before = the held row) when it was held; false when unknown.
    bool remove(const InterfaceRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool remove(const AddressRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool remove(const RouteRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool remove(const NeighborRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool remove(const RuleRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    bool remove(const NexthopRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out);

    /// Makes the store equal to snapshot, appending one record per difference
    /// (Add, Parameter, Delete) with the given origin. Interfaces first, then addresses,
    /// neighbors, rules, nexthop objects (groups after the others), then routes; deletes of
    /// routes, rules, nexthop objects (groups first), neighbors and addresses before deletes
    /// of interfaces.
    void reconcile(const Snapshot &snapshot, std::int64_t timeUs, Origin origin, std::vector<ChangeRecord> &out);
    /// Receives the records of a reconcile pass one at a time, in order.
    using RecordSink = std::function<void(ChangeRecord &&)>;
    /// reconcile() in steps, so routes can come straight from a dump (no snapshot of them):
    /// beginReconcile(snapshot) applies its interfaces, addresses and neighbors (snapshot.routes is
    /// ignored) and starts marking routes; reconcileRoute(row) for each route as it is read
    /// (Add / Parameter into *out, true, as upsert()); endReconcile() hands the deletes of
    /// the routes not seen, then addresses, then interfaces, to emit as it makes them, so
    /// that a resync after a million routes vanished never holds a million records at once.
    /// cancelReconcile() instead stops without deleting anything (the route dump failed).
    /// The routes not seen are listed kReconcileSliceRoutes at a time (not all at once).
    static constexpr std::size_t kReconcileSliceRoutes = 65'536;
    void beginReconcile(const Snapshot &snapshot, std::int64_t timeUs, Origin origin, const RecordSink &emit);
    bool reconcileRoute(const RouteRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out);
    void endReconcile(std::int64_t timeUs, Origin origin, const RecordSink &emit);
    void cancelReconcile();

    /// The rows held now that pass objects (ObjectMask bits) and family (Unspec = all), as
    /// matchesFilter() passes records; see StateImage (the store's route chunks are shared
    /// with it, copied by the store before it writes into one).
    StateImage image(std::uint32_t objects, Family family) const;

    /// Appends every held row as a ChangeKind::Initial record (interfaces, addresses,
    /// neighbors, routes).
    void appendInitial(std::int64_t timeUs, std::vector<ChangeRecord> &out) const;

    /// Starts loading what an upsert / remove of row will look at first (a hint; call it a
    /// little ahead, e.g. while decoding the next message).
    void prefetch(const RouteRow &row) const;

    /// Lookups (nullptr when absent). Pointers are valid until the next mutation.
    const InterfaceRow *findInterface(std::uint32_t ifIndex) const;
    /// True when pred(route) holds for a held route (stops at the first).
    bool anyRoute(const std::function<bool(const RouteRow &)> &pred) const;
    /// Puts every held route for which pred holds into list (a compact copy to work through
    /// while the store changes) and returns how many.
    std::size_t routesWhere(const std::function<bool(const RouteRow &)> &pred, PackedRouteList *list) const;

    /// Confirming which held routes a dump still lists, at a million routes without a copy
    /// of each (silent deletions): clearRouteMarks(), markRoute(row) for each listed row
    /// (marks the held route with row's identity; false when none is held), then
    /// unmarkedRoutes(pred, &list) puts the unmarked held routes for which pred holds into
    /// list and returns how many marked ones pred holds for. reconcile() clears the marks.
    void clearRouteMarks();
    /// differs (optional): set to whether a shown field of the held route differs from row's.
    bool markRoute(const RouteRow &row, bool *differs = nullptr);
    std::size_t unmarkedRoutes(const std::function<bool(const RouteRow &)> &pred, PackedRouteList *list) const;

    /// Addresses on ifIndex of the given family (Unspec = all).
    std::vector<AddressRow> addressesOn(std::uint32_t ifIndex, Family family) const;
    /// Neighbors on ifIndex; only the proxy entries when proxyOnly.
    std::vector<NeighborRow> neighborsOn(std::uint32_t ifIndex, bool proxyOnly) const;
    /// The nexthop object with id NHA_ID, nullptr when none (valid until the next mutation).
    const NexthopRow *findNexthop(std::uint32_t id) const;
    /// Every held nexthop object, by id.
    std::vector<NexthopRow> nexthops() const;

    std::size_t interfaceCount() const { return m_interfaces.size(); }
    std::size_t addressCount() const { return m_addresses.size(); }
    std::size_t neighborCount() const { return m_neighbors.size(); }
    std::size_t ruleCount() const { return m_rules.size(); }
    std::size_t nexthopCount() const { return m_nexthops.size(); }
    std::size_t routeCount() const { return m_routes.size() + m_routeDuplicates.size(); }
    /// Approximate heap bytes holding the routes (index + arena of the packed table, plus
    /// the node-held duplicates), for measurements.
    std::size_t routeMemoryBytes() const;
    /// Route arena chunks copied because an image shared them (for tests and measurements).
    std::size_t routeChunkCopies() const { return m_routes.chunkCopies(); }
    /// Frees everything (routes: a few dozen blocks, not one per route).
    void clear();

    /// Key bytes of a row under this store's scheme (for tests and backends).
    std::string key(const InterfaceRow &row) const;
    std::string key(const AddressRow &row) const;
    std::string key(const RouteRow &row) const;
    std::string key(const NeighborRow &row) const;
    std::string key(const RuleRow &row) const; ///< the family, then the compact form of every field
    std::string key(const NexthopRow &row) const; ///< the id, 4 bytes big-endian (orders as the ids)

    /// Fixed-size key (no heap allocation per stored row). Bytes past length are zero.
    struct Key {
        std::array<std::uint8_t, 48> bytes {};
        std::uint8_t length = 0;
        friend bool operator==(const Key &a, const Key &b) { return a.length == b.length && a.bytes == b.bytes; }
    };
    struct KeyHash {
        std::size_t operator()(const Key &key) const noexcept;
    };

private:
    Key makeKey(const InterfaceRow &row) const;
    Key makeKey(const AddressRow &row) const;
    Key makeKey(const NeighborRow &row) const;
    Key makeKey(const RouteRow &row) const; ///< base key (Linux) / full key (Windows)
    Key identityKey(const RouteRow &row) const; ///< base key + next hop identity
    bool sameRoute(const RouteRow &held, const RouteRow &row) const; ///< same next hop identity

    KeyScheme m_scheme;
    std::unordered_map<Key, InterfaceRow, KeyHash> m_interfaces;
    std::unordered_map<Key, AddressRow, KeyHash> m_addresses;
    std::unordered_map<Key, NeighborRow, KeyHash> m_neighbors;
    std::unordered_map<std::string, RuleRow> m_rules; ///< by key(row): longer than Key holds
    std::map<std::uint32_t, NexthopRow> m_nexthops; ///< by NHA_ID
    /// Routes by base key (hash of makeKey(row)): the first route of each base key, packed
    /// (see packedroutetable.h: ~25 bytes per IPv4 route plus a 16-byte index share at 1M).
    PackedRouteTable m_routes;
    /// Further routes sharing a base key with one in m_routes (rare: a few per device for
    /// IPv6 kernel routes, `ip route append`).
    std::unordered_multimap<Key, RouteRow, KeyHash> m_routeDuplicates;
    RouteRow m_held; ///< scratch: the packed route being looked at (keeps its next-hop capacity)
    /// During reconcile(): route upserts mark the packed row they land on, or put the
    /// identity key of a duplicate here (no key set of a million routes).
    std::unordered_set<Key, KeyHash> *m_seenDuplicates = nullptr;
    std::unordered_set<Key, KeyHash> m_markedDuplicates; ///< markRoute() of a duplicate: its identity
    std::unordered_set<Key, KeyHash> m_seenInterfaces, m_seenAddresses,
        m_seenNeighbors; ///< between begin/endReconcile()
    std::unordered_set<std::string> m_seenRules; ///< between begin/endReconcile()
    std::unordered_set<std::uint32_t> m_seenNexthops; ///< between begin/endReconcile()
    /// Slot in m_routes of the route with row's base key (decoded into m_held), or npos.
    std::uint32_t findPrimary(const Key &base, std::uint64_t hash);
};

} // namespace ncv::platform

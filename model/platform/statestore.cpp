// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/statestore.h"

#include "platform/diff.h"
#include "platform/rowfields.h"
#include "platform/source.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <unordered_set>

namespace ncv::platform {

namespace {

class KeyWriter {
public:
    explicit KeyWriter(StateStore::Key &key) : m_key(key) { }
    void put(const void *data, std::size_t len)
    {
        std::memcpy(m_key.bytes.data() + m_key.length, data, len);
        m_key.length = std::uint8_t(m_key.length + len);
    }
    template<typename T> void value(T v) { put(&v, sizeof v); }
    void address(const IpAddress &a)
    {
        value(static_cast<std::uint8_t>(a.family));
        put(a.bytes.data(), a.byteLength());
    }

private:
    StateStore::Key &m_key;
};

Family familyOf(const InterfaceRow &row)
{
    return row.family;
}
Family familyOf(const AddressRow &row)
{
    return row.address.family;
}
Family familyOf(const RouteRow &row)
{
    return row.family();
}
Family familyOf(const NeighborRow &row)
{
    return row.address.family;
}
Family familyOf(const RuleRow &row)
{
    return row.family;
}
Family familyOf(const NexthopRow &row)
{
    return row.family;
}

// A delete within this margin of (or after) the row's absolute expiry is an expiry: the
// kernel's garbage collector (IPv6 routes: net.ipv6.route.gc_interval; addresses: the
// addrconf verify work) runs a little before or after the exact time.
constexpr std::int64_t kExpiryToleranceUs = 1000000;

bool hasExpired(const InterfaceRow &, std::int64_t)
{
    return false;
}
bool hasExpired(const AddressRow &row, std::int64_t timeUs)
{
    return row.validUntilUs != 0 && row.validUntilUs <= timeUs + kExpiryToleranceUs;
}
bool hasExpired(const RuleRow &, std::int64_t)
{
    return false;
}
bool hasExpired(const NexthopRow &, std::int64_t)
{
    return false;
}
bool hasExpired(const NeighborRow &, std::int64_t)
{
    return false; // neighbor entries have no lifetime: the kernel's garbage collector deletes them
}
bool hasExpired(const RouteRow &row, std::int64_t timeUs)
{
    return row.expiresUs != 0 && row.expiresUs <= timeUs + kExpiryToleranceUs;
}
ChangeKind removalKind(const auto &held, std::int64_t timeUs)
{
    return hasExpired(held, timeUs) ? ChangeKind::Expired : ChangeKind::Delete;
}

/// True when every next hop of part is one of whole's (IPv6 multipath siblings).
bool hopsContained(const std::vector<NextHop> &part, const std::vector<NextHop> &whole)
{
    if (part.empty())
        return false;
    for (const NextHop &hop : part) {
        bool found = false;
        for (const NextHop &w : whole)
            if (w.ifIndex == hop.ifIndex && w.gateway == hop.gateway)
                found = true;
        if (!found)
            return false;
    }
    return true;
}

/// The order of neighbors in images, initial records and lists: (ifindex, family, address, proxy).
bool neighborOrder(const NeighborRow &a, const NeighborRow &b)
{
    return std::make_tuple(a.ifIndex, a.address.family, a.address.bytes, a.isProxy())
        < std::make_tuple(b.ifIndex, b.address.family, b.address.bytes, b.isProxy());
}

/// The order of rules in images, initial records and lists: (family, priority, key), as
/// `ip rule show` lists them by priority (the kernel keeps equal priorities in insertion
/// order, which the store does not know).
bool ruleOrder(const std::pair<const std::string *, const RuleRow *> &a,
               const std::pair<const std::string *, const RuleRow *> &b)
{
    return std::tie(a.second->family, a.second->priority, *a.first)
        < std::tie(b.second->family, b.second->priority, *b.first);
}
template<typename Map> std::vector<std::pair<const std::string *, const RuleRow *>> sortedRules(const Map &rules)
{
    std::vector<std::pair<const std::string *, const RuleRow *>> out;
    out.reserve(rules.size());
    for (const auto &[k, row] : rules)
        out.emplace_back(&k, &row);
    std::sort(out.begin(), out.end(), ruleOrder);
    return out;
}

/// Sets the scalar fields of a route record written in place (out keeps its allocations).
void setRouteRecord(ChangeRecord *out, ChangeKind change, Family family, std::int64_t timeUs, Origin origin)
{
    out->object = ObjectKind::Route;
    out->change = change;
    out->origin = origin;
    out->family = family;
    out->timeUs = timeUs;
    out->changedFields = 0;
    out->requester = 0;
    out->portId = 0;
    out->note.clear();
}

/// True when row is one of out's rows (a caller passing a record's own row back).
bool aliases(const RouteRow &row, const ChangeRecord *out)
{
    return out && (&row == std::get_if<RouteRow>(&out->before) || &row == std::get_if<RouteRow>(&out->after));
}

ObjectKind kindOf(const InterfaceRow &)
{
    return ObjectKind::Interface;
}
ObjectKind kindOf(const AddressRow &)
{
    return ObjectKind::Address;
}
ObjectKind kindOf(const RouteRow &)
{
    return ObjectKind::Route;
}
ObjectKind kindOf(const NeighborRow &)
{
    return ObjectKind::Neighbor;
}
ObjectKind kindOf(const RuleRow &)
{
    return ObjectKind::Rule;
}
ObjectKind kindOf(const NexthopRow &)
{
    return ObjectKind::Nexthop;
}

template<typename R, typename Map, typename KeyFn>
bool upsertIn(Map &map, const R &row, KeyFn makeKey, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    auto key = makeKey(row);
    auto [it, inserted] = map.try_emplace(key, row);
    ChangeRecord record;
    record.object = kindOf(row);
    record.family = familyOf(row);
    record.timeUs = timeUs;
    record.origin = origin;
    if (inserted) {
        record.change = ChangeKind::Add;
        record.after = row;
    } else {
        const FieldMask mask = diff(it->second, row);
        if (mask == 0) {
            it->second = row; // refresh what is not shown (lifetimes, counters)
            return false;
        }
        record.change = ChangeKind::Parameter;
        record.changedFields = mask;
        record.before = std::move(it->second);
        it->second = row;
        record.after = row;
    }
    if (out)
        *out = std::move(record);
    return true;
}

template<typename R, typename Map, typename KeyFn>
bool removeIn(Map &map, const R &keyRow, KeyFn makeKey, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    auto it = map.find(makeKey(keyRow));
    if (it == map.end())
        return false;
    if (out) {
        ChangeRecord record;
        record.object = kindOf(keyRow);
        record.change = removalKind(it->second, timeUs);
        record.family = familyOf(it->second);
        record.timeUs = timeUs;
        record.origin = origin;
        record.before = std::move(it->second);
        *out = std::move(record);
    }
    map.erase(it);
    return true;
}

} // namespace

std::size_t StateStore::KeyHash::operator()(const Key &key) const noexcept
{
    // Word-wise multiply-xorshift over the zero-padded 48 key bytes (bytes past length are
    // zero), then a murmur3-style finalizer, so the low bits (the index's home slot) mix well.
    std::uint64_t words[sizeof key.bytes / 8];
    std::memcpy(words, key.bytes.data(), sizeof words);
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ key.length;
    for (std::uint64_t w : words) {
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
}

StateStore::StateStore(KeyScheme scheme) : m_scheme(scheme) { }

StateStore::Key StateStore::makeKey(const InterfaceRow &row) const
{
    Key key;
    KeyWriter w(key);
    if (m_scheme == KeyScheme::Windows) {
        w.value(row.luid);
        w.value(static_cast<std::uint8_t>(row.family));
    } else {
        w.value(row.ifIndex);
    }
    return key;
}

StateStore::Key StateStore::makeKey(const AddressRow &row) const
{
    Key key;
    KeyWriter w(key);
    if (m_scheme == KeyScheme::Windows) {
        w.value(row.luid);
        w.address(row.address);
    } else {
        w.value(row.ifIndex);
        w.address(row.address);
        w.value(row.prefixLength);
    }
    return key;
}

StateStore::Key StateStore::makeKey(const NeighborRow &row) const
{
    Key key;
    KeyWriter w(key);
    if (m_scheme == KeyScheme::Windows) {
        w.value(row.luid);
        w.address(row.address);
    } else {
        w.value(row.ifIndex);
        w.address(row.address);
        w.value(static_cast<std::uint8_t>(row.isProxy() ? 1 : 0));
    }
    return key;
}

StateStore::Key StateStore::makeKey(const RouteRow &row) const
{
    Key key;
    KeyWriter w(key);
    if (m_scheme == KeyScheme::Windows) {
        w.value(row.luid);
        w.address(row.destination);
        w.value(row.prefixLength);
        w.address(row.nextHops.empty() ? IpAddress {} : row.nextHops.front().gateway);
    } else {
        w.address(row.destination);
        w.value(row.prefixLength);
        w.value(row.tos);
        w.value(row.table);
        w.value(row.metric);
    }
    return key;
}

StateStore::Key StateStore::identityKey(const RouteRow &row) const
{
    Key key = makeKey(row);
    if (m_scheme == KeyScheme::Linux && row.nextHops.size() == 1) {
        KeyWriter w(key);
        w.value(row.nextHops.front().ifIndex);
        w.address(row.nextHops.front().gateway);
    }
    return key;
}

bool StateStore::sameRoute(const RouteRow &held, const RouteRow &row) const
{
    if (m_scheme == KeyScheme::Windows)
        return true; // the key already holds the next hop
    if (held.nextHops.size() != 1 || row.nextHops.size() != 1)
        return held.nextHops.size() != 1 && row.nextHops.size() != 1; // multipath or none: one per base key
    return held.nextHops.front().ifIndex == row.nextHops.front().ifIndex
        && held.nextHops.front().gateway == row.nextHops.front().gateway;
}

std::string StateStore::key(const InterfaceRow &row) const
{
    const Key k = makeKey(row);
    return std::string(reinterpret_cast<const char *>(k.bytes.data()), k.length);
}
std::string StateStore::key(const AddressRow &row) const
{
    const Key k = makeKey(row);
    return std::string(reinterpret_cast<const char *>(k.bytes.data()), k.length);
}
std::string StateStore::key(const RuleRow &row) const
{
    // The compact form is lossless, so equal keys are equal rules; the family byte first
    // keeps the families' keys apart in ordered maps.
    std::string key(1, char(row.family));
    encodeRow(row, key);
    return key;
}
std::string StateStore::key(const NexthopRow &row) const
{
    const char bytes[4] = {char(row.id >> 24), char(row.id >> 16), char(row.id >> 8), char(row.id)};
    return std::string(bytes, 4);
}
std::string StateStore::key(const NeighborRow &row) const
{
    const Key k = makeKey(row);
    return std::string(reinterpret_cast<const char *>(k.bytes.data()), k.length);
}
std::string StateStore::key(const RouteRow &row) const
{
    const Key k = identityKey(row);
    return std::string(reinterpret_cast<const char *>(k.bytes.data()), k.length);
}

bool StateStore::upsert(const InterfaceRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsertIn(
        m_interfaces, row, [this](const InterfaceRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::upsert(const AddressRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsertIn(
        m_addresses, row, [this](const AddressRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::upsert(const RuleRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsertIn(
        m_rules, row, [this](const RuleRow &r) { return key(r); }, timeUs, origin, out);
}
bool StateStore::upsert(const NexthopRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsertIn(
        m_nexthops, row, [](const NexthopRow &r) { return r.id; }, timeUs, origin, out);
}
bool StateStore::upsert(const NeighborRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsertIn(
        m_neighbors, row, [this](const NeighborRow &r) { return makeKey(r); }, timeUs, origin, out);
}
std::uint32_t StateStore::findPrimary(const Key &base, std::uint64_t hash)
{
    return m_routes.find(
        hash, [&](const RouteRow &held) { return makeKey(held) == base; }, &m_held);
}

void StateStore::prefetch(const RouteRow &row) const
{
    m_routes.prefetch(KeyHash {}(makeKey(row)));
}

bool StateStore::upsert(const RouteRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out, bool replace)
{
    if (aliases(row, out)) { // row lives in *out, which is written in place below
        ChangeRecord record;
        const bool changed = upsert(row, timeUs, origin, &record, replace);
        if (changed)
            *out = std::move(record);
        return changed;
    }
    const Key base = makeKey(row);
    const std::uint64_t hash = KeyHash {}(base);
    const std::uint32_t slot = findPrimary(base, hash); // the held primary is decoded into m_held
    enum class Held { None, Primary, Duplicate } held = Held::None;
    auto dup = m_routeDuplicates.end();
    if (slot != PackedRouteTable::npos) {
        if (sameRoute(m_held, row)) {
            held = Held::Primary;
        } else {
            auto [first, last] = m_routeDuplicates.equal_range(base);
            for (auto it = first; it != last; ++it) {
                if (sameRoute(it->second, row)) {
                    held = Held::Duplicate;
                    dup = it;
                }
            }
            if (held == Held::None && m_scheme == KeyScheme::Linux && row.family() == Family::IPv6
                && row.nextHops.size() > 1) {
                // IPv6 multipath: `ip -6 route append` of a gateway route with the same
                // prefix and metric makes it a sibling; the kernel then announces the whole
                // route (RTA_MULTIPATH), which replaces the held route(s) of its hops.
                if (hopsContained(m_held.nextHops, row.nextHops))
                    held = Held::Primary;
                for (auto it = first; held == Held::None && it != last; ++it) {
                    if (hopsContained(it->second.nextHops, row.nextHops)) {
                        held = Held::Duplicate;
                        dup = it;
                    }
                }
            }
            if (held == Held::None && replace)
                held = Held::Primary; // NLM_F_REPLACE: the kernel replaced its first match
        }
    }
    const bool marking = m_seenDuplicates != nullptr;
    if (marking && (held == Held::Duplicate || (held == Held::None && slot != PackedRouteTable::npos)))
        m_seenDuplicates->insert(identityKey(row));
    if (held == Held::None) {
        if (slot == PackedRouteTable::npos)
            m_routes.insert(hash, row, marking);
        else
            m_routeDuplicates.emplace(base, row);
        if (out) {
            setRouteRecord(out, ChangeKind::Add, row.family(), timeUs, origin);
            out->before = std::monostate {};
            out->after = row; // assigned in place: out's next-hop vector keeps its capacity
        }
        return true;
    }
    RouteRow &current = held == Held::Primary ? m_held : dup->second;
    const FieldMask mask = diff(current, row);
    if (mask != 0 && out) {
        setRouteRecord(out, ChangeKind::Parameter, row.family(), timeUs, origin);
        out->changedFields = mask;
        out->before = current;
        out->after = row;
    }
    // Stored even when nothing shown changed (refreshes what is not shown).
    if (held == Held::Primary) {
        m_routes.assign(slot, row);
        if (marking)
            m_routes.mark(slot);
    } else {
        current = row;
    }
    return mask != 0;
}
bool StateStore::replaceRoute(const RouteRow &held, const RouteRow &after, std::int64_t timeUs, Origin origin,
                              ChangeRecord *out)
{
    const Key base = makeKey(held);
    if (!(makeKey(after) == base))
        return false;
    const std::uint32_t slot = findPrimary(base, KeyHash {}(base)); // decoded into m_held
    if (slot == PackedRouteTable::npos)
        return false;
    RouteRow *current = nullptr;
    if (sameRoute(m_held, held)) {
        current = &m_held;
    } else {
        auto [first, last] = m_routeDuplicates.equal_range(base);
        for (auto it = first; it != last && !current; ++it)
            if (sameRoute(it->second, held))
                current = &it->second;
    }
    if (!current)
        return false;
    const FieldMask mask = diff(*current, after);
    if (mask == 0)
        return false;
    if (out) {
        setRouteRecord(out, ChangeKind::Parameter, after.family(), timeUs, origin);
        out->changedFields = mask;
        out->before = *current;
        out->after = after;
    }
    if (current == &m_held)
        m_routes.assign(slot, after);
    else
        *current = after;
    return true;
}

bool StateStore::remove(const InterfaceRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_interfaces, keyRow, [this](const InterfaceRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::remove(const NexthopRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_nexthops, keyRow, [](const NexthopRow &r) { return r.id; }, timeUs, origin, out);
}
bool StateStore::remove(const RuleRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_rules, keyRow, [this](const RuleRow &r) { return key(r); }, timeUs, origin, out);
}
bool StateStore::remove(const NeighborRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_neighbors, keyRow, [this](const NeighborRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::remove(const AddressRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_addresses, keyRow, [this](const AddressRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::remove(const RouteRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    if (aliases(keyRow, out)) {
        ChangeRecord record;
        const bool removed = remove(keyRow, timeUs, origin, &record);
        if (removed)
            *out = std::move(record);
        return removed;
    }
    const Key base = makeKey(keyRow);
    const std::uint32_t slot = findPrimary(base, KeyHash {}(base)); // decoded into m_held
    if (slot == PackedRouteTable::npos)
        return false;
    if (m_scheme == KeyScheme::Linux && keyRow.family() == Family::IPv6 && keyRow.nextHops.size() == 1
        && !keyRow.nextHops.front().gateway.isUnspecified()) {
        // IPv6 multipath: deleting one sibling (`ip -6 route del X via A dev d`) removes
        // only that next hop from the held multipath route: a parameter change (nexthops).
        auto shrink = [&](RouteRow &held) {
            if (held.nextHops.size() < 2 || !hopsContained(keyRow.nextHops, held.nextHops))
                return false;
            RouteRow after = held;
            const NextHop &gone = keyRow.nextHops.front();
            std::erase_if(after.nextHops,
                          [&](const NextHop &h) { return h.ifIndex == gone.ifIndex && h.gateway == gone.gateway; });
            if (after.nextHops.size() == 1)
                after.nextHops.front().weight = 1; // a single-path route has no weight
            if (out) {
                setRouteRecord(out, ChangeKind::Parameter, after.family(), timeUs, origin);
                out->changedFields = diff(held, after);
                out->before = held;
                out->after = after;
            }
            held = std::move(after);
            return true;
        };
        if (shrink(m_held)) {
            m_routes.assign(slot, m_held);
            return true;
        }
        auto [first, last] = m_routeDuplicates.equal_range(base);
        for (auto it = first; it != last; ++it)
            if (shrink(it->second))
                return true;
    }
    auto fillDelete = [&](const RouteRow &removed) {
        if (!out)
            return;
        setRouteRecord(out, removalKind(removed, timeUs), removed.family(), timeUs, origin);
        out->before = removed;
        out->after = std::monostate {};
    };
    // A delete that names no next hop takes the first route with the base key, as the kernel does.
    if (keyRow.nextHops.empty() || sameRoute(m_held, keyRow)) {
        fillDelete(m_held);
        auto dup = m_routeDuplicates.find(base);
        if (dup != m_routeDuplicates.end()) { // promote the next route with this base key
            m_routes.assign(slot, dup->second);
            m_routeDuplicates.erase(dup);
        } else {
            m_routes.erase(slot);
        }
        return true;
    }
    auto [first, last] = m_routeDuplicates.equal_range(base);
    auto it = first;
    while (it != last && !sameRoute(it->second, keyRow))
        ++it;
    if (it == last)
        return false;
    fillDelete(it->second);
    m_routeDuplicates.erase(it);
    return true;
}

void StateStore::reconcile(const Snapshot &snapshot, std::int64_t timeUs, Origin origin, std::vector<ChangeRecord> &out)
{
    const RecordSink append = [&out](ChangeRecord &&record) { out.push_back(std::move(record)); };
    beginReconcile(snapshot, timeUs, origin, append);
    ChangeRecord record;
    for (const RouteRow &row : snapshot.routes)
        if (reconcileRoute(row, timeUs, origin, &record))
            out.push_back(std::move(record));
    endReconcile(timeUs, origin, append);
}

void StateStore::beginReconcile(const Snapshot &snapshot, std::int64_t timeUs, Origin origin, const RecordSink &emit)
{
    m_seenInterfaces.clear();
    m_seenAddresses.clear();
    m_seenNeighbors.clear();
    m_seenRules.clear();
    m_seenNexthops.clear();
    ChangeRecord record;
    for (const InterfaceRow &row : snapshot.interfaces) {
        m_seenInterfaces.insert(makeKey(row));
        if (upsert(row, timeUs, origin, &record))
            emit(std::move(record));
    }
    for (const AddressRow &row : snapshot.addresses) {
        m_seenAddresses.insert(makeKey(row));
        if (upsert(row, timeUs, origin, &record))
            emit(std::move(record));
    }
    for (const NeighborRow &row : snapshot.neighbors) {
        m_seenNeighbors.insert(makeKey(row));
        if (upsert(row, timeUs, origin, &record))
            emit(std::move(record));
    }
    for (const RuleRow &row : snapshot.rules) {
        m_seenRules.insert(key(row));
        if (upsert(row, timeUs, origin, &record))
            emit(std::move(record));
    }
    // Nexthop objects: a group's members before the group, as the kernel requires them.
    for (const bool groups : {false, true})
        for (const NexthopRow &row : snapshot.nexthops) {
            if (row.isGroup() != groups)
                continue;
            m_seenNexthops.insert(row.id);
            if (upsert(row, timeUs, origin, &record))
                emit(std::move(record));
        }
    // Routes: each upsert marks the packed row it lands on (or notes a duplicate's identity).
    clearRouteMarks();
    m_seenDuplicates = &m_markedDuplicates;
}

bool StateStore::reconcileRoute(const RouteRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return upsert(row, timeUs, origin, out);
}

void StateStore::cancelReconcile()
{
    m_seenDuplicates = nullptr;
    m_seenInterfaces.clear();
    m_seenAddresses.clear();
    m_seenNeighbors.clear();
    m_seenRules.clear();
    m_seenNexthops.clear();
}

void StateStore::endReconcile(std::int64_t timeUs, Origin origin, const RecordSink &emit)
{
    m_seenDuplicates = nullptr;
    auto sweep = [&](auto &map, const auto &seen, auto keyOf) {
        for (auto it = map.begin(); it != map.end();) {
            if (seen.count(keyOf(*it))) {
                ++it;
                continue;
            }
            ChangeRecord del;
            del.object = kindOf(it->second);
            del.change = removalKind(it->second, timeUs);
            del.family = familyOf(it->second);
            del.timeUs = timeUs;
            del.origin = origin;
            del.before = std::move(it->second);
            emit(std::move(del));
            it = map.erase(it);
        }
    };
    // Routes: the unseen ones are removed through remove(), so a duplicate is promoted
    // correctly. They are listed (compactly) a slice at a time, not all first: a resync
    // that finds a million routes gone would hold a list of them all (~15 MB) while their
    // deletes go out. A removed row is dead, so each pass of the packed rows goes on with
    // the next unmarked ones; a seen duplicate promoted into a removed row's place takes the
    // mark (the place kept the removed row's), an unseen one is listed by a later pass.
    // The unseen duplicates left go last.
    PackedRouteList gone;
    ChangeRecord record;
    bool removed = false;
    const auto removeListed = [&] {
        gone.forEach([&](const RouteRow &row) {
            if (remove(row, timeUs, origin, &record)) {
                removed = true;
                emit(std::move(record));
            }
            if (m_markedDuplicates.empty())
                return;
            const Key base = makeKey(row);
            const std::uint32_t slot = findPrimary(base, KeyHash {}(base));
            if (slot != PackedRouteTable::npos && m_markedDuplicates.count(identityKey(m_held)))
                m_routes.mark(slot);
        });
        gone.clear();
    };
    for (;;) {
        std::size_t listed = 0;
        m_routes.forEachUnmarkedWhile([&](const RouteRow &row) {
            gone.push(row);
            return ++listed < kReconcileSliceRoutes;
        });
        if (listed == 0)
            break;
        removed = false;
        removeListed();
        if (!removed)
            break; // cannot happen (a held row is always removable); never loop on it
    }
    for (const auto &[k, row] : m_routeDuplicates)
        if (!m_markedDuplicates.count(identityKey(row)))
            gone.push(row);
    removeListed();
    auto byMapKey = [](const auto &entry) { return entry.first; };
    sweep(m_rules, m_seenRules, byMapKey);
    // Nexthop groups go before their members (the routes using them are gone already).
    for (const bool groups : {true, false})
        for (auto it = m_nexthops.begin(); it != m_nexthops.end();) {
            if (it->second.isGroup() != groups || m_seenNexthops.count(it->first)) {
                ++it;
                continue;
            }
            ChangeRecord del;
            del.object = ObjectKind::Nexthop;
            del.change = ChangeKind::Delete;
            del.family = it->second.family;
            del.timeUs = timeUs;
            del.origin = origin;
            del.before = std::move(it->second);
            emit(std::move(del));
            it = m_nexthops.erase(it);
        }
    sweep(m_neighbors, m_seenNeighbors, byMapKey);
    sweep(m_addresses, m_seenAddresses, byMapKey);
    sweep(m_interfaces, m_seenInterfaces, byMapKey);
    m_seenInterfaces.clear();
    m_seenAddresses.clear();
    m_seenNeighbors.clear();
    m_seenRules.clear();
    m_seenNexthops.clear();
}

StateImage StateStore::image(std::uint32_t objects, Family family) const
{
    StateImage image;
    image.m_interfaces.reserve(m_interfaces.size());
    for (const auto &[k, row] : m_interfaces)
        if (matchesFilter(ObjectKind::Interface, row.family, objects, family))
            image.m_interfaces.push_back(row);
    std::sort(image.m_interfaces.begin(), image.m_interfaces.end(),
              [](const InterfaceRow &a, const InterfaceRow &b) { return a.ifIndex < b.ifIndex; });
    image.m_addresses.reserve(m_addresses.size());
    for (const auto &[k, row] : m_addresses)
        if (matchesFilter(ObjectKind::Address, row.address.family, objects, family))
            image.m_addresses.push_back(row);
    std::sort(image.m_addresses.begin(), image.m_addresses.end(), [](const AddressRow &a, const AddressRow &b) {
        return std::tie(a.ifIndex, a.address.family, a.address.bytes, a.prefixLength)
            < std::tie(b.ifIndex, b.address.family, b.address.bytes, b.prefixLength);
    });
    image.m_neighbors.reserve(m_neighbors.size());
    for (const auto &[k, row] : m_neighbors)
        if (matchesFilter(ObjectKind::Neighbor, row.address.family, objects, family))
            image.m_neighbors.push_back(row);
    std::sort(image.m_neighbors.begin(), image.m_neighbors.end(), neighborOrder);
    image.m_rules.reserve(m_rules.size());
    for (const auto &[k, row] : sortedRules(m_rules))
        if (matchesFilter(ObjectKind::Rule, row->family, objects, family))
            image.m_rules.push_back(*row);
    for (const auto &[id, row] : m_nexthops)
        if (matchesFilter(ObjectKind::Nexthop, row.family, objects, family))
            image.m_nexthops.push_back(row);
    image.m_wantsRoutes = (objects & RoutesMask) != 0;
    image.m_family = family;
    if (image.m_wantsRoutes) {
        image.m_routes = m_routes.image();
        for (const auto &[k, row] : m_routeDuplicates)
            if (matchesFilter(ObjectKind::Route, row.family(), objects, family))
                image.m_duplicates.push_back(row);
    }
    return image;
}

void StateImage::forEach(const std::function<void(const InterfaceRow &)> &onInterface,
                         const std::function<void(const AddressRow &)> &onAddress,
                         const std::function<void(const RouteRow &)> &onRoute,
                         const std::function<void(const NeighborRow &)> &onNeighbor,
                         const std::function<void(const RuleRow &)> &onRule,
                         const std::function<void(const NexthopRow &)> &onNexthop) const
{
    for (const InterfaceRow &row : m_interfaces)
        onInterface(row);
    for (const AddressRow &row : m_addresses)
        onAddress(row);
    if (onNeighbor)
        for (const NeighborRow &row : m_neighbors)
            onNeighbor(row);
    if (onRule)
        for (const RuleRow &row : m_rules)
            onRule(row);
    if (onNexthop)
        for (const NexthopRow &row : m_nexthops)
            onNexthop(row);
    if (!m_wantsRoutes)
        return;
    m_routes.forEach([&](const RouteRow &row) {
        if (m_family == Family::Unspec || row.family() == m_family)
            onRoute(row);
    });
    for (const RouteRow &row : m_duplicates)
        onRoute(row);
}

void StateStore::appendInitial(std::int64_t timeUs, std::vector<ChangeRecord> &out) const
{
    auto emit = [&](const auto &row) {
        ChangeRecord record;
        record.object = kindOf(row);
        record.change = ChangeKind::Initial;
        record.family = familyOf(row);
        record.timeUs = timeUs;
        record.after = row;
        out.push_back(std::move(record));
    };
    std::vector<const InterfaceRow *> interfaces;
    interfaces.reserve(m_interfaces.size());
    for (const auto &[k, row] : m_interfaces)
        interfaces.push_back(&row);
    std::sort(interfaces.begin(), interfaces.end(), [](auto *a, auto *b) { return a->ifIndex < b->ifIndex; });
    for (auto *row : interfaces)
        emit(*row);
    std::vector<const AddressRow *> addresses;
    addresses.reserve(m_addresses.size());
    for (const auto &[k, row] : m_addresses)
        addresses.push_back(&row);
    std::sort(addresses.begin(), addresses.end(), [](auto *a, auto *b) {
        return std::tie(a->ifIndex, a->address, a->prefixLength) < std::tie(b->ifIndex, b->address, b->prefixLength);
    });
    for (auto *row : addresses)
        emit(*row);
    std::vector<const NeighborRow *> neighbors;
    neighbors.reserve(m_neighbors.size());
    for (const auto &[k, row] : m_neighbors)
        neighbors.push_back(&row);
    std::sort(neighbors.begin(), neighbors.end(), [](auto *a, auto *b) { return neighborOrder(*a, *b); });
    for (auto *row : neighbors)
        emit(*row);
    for (const auto &[k, row] : sortedRules(m_rules))
        emit(*row);
    for (const bool groups : {false, true}) // members before the groups naming them
        for (const auto &[id, row] : m_nexthops)
            if (row.isGroup() == groups)
                emit(row);
    out.reserve(out.size() + routeCount());
    m_routes.forEach(emit);
    for (const auto &[k, row] : m_routeDuplicates)
        emit(row);
}

const InterfaceRow *StateStore::findInterface(std::uint32_t ifIndex) const
{
    if (m_scheme == KeyScheme::Linux) {
        InterfaceRow probe;
        probe.ifIndex = ifIndex;
        auto it = m_interfaces.find(makeKey(probe));
        return it == m_interfaces.end() ? nullptr : &it->second;
    }
    for (const auto &[k, row] : m_interfaces)
        if (row.ifIndex == ifIndex)
            return &row;
    return nullptr;
}

bool StateStore::anyRoute(const std::function<bool(const RouteRow &)> &pred) const
{
    if (m_routes.any(pred))
        return true;
    for (const auto &[k, row] : m_routeDuplicates)
        if (pred(row))
            return true;
    return false;
}

std::size_t StateStore::routesWhere(const std::function<bool(const RouteRow &)> &pred, PackedRouteList *list) const
{
    std::size_t count = 0;
    auto take = [&](const RouteRow &row) {
        if (pred(row)) {
            list->push(row);
            ++count;
        }
    };
    m_routes.forEach(take);
    for (const auto &[k, row] : m_routeDuplicates)
        take(row);
    return count;
}

void StateStore::clearRouteMarks()
{
    m_routes.clearMarks();
    m_markedDuplicates.clear();
}

bool StateStore::markRoute(const RouteRow &row, bool *differs)
{
    const Key base = makeKey(row);
    const std::uint32_t slot = findPrimary(base, KeyHash {}(base));
    if (slot == PackedRouteTable::npos)
        return false;
    if (sameRoute(m_held, row)) {
        m_routes.mark(slot);
        if (differs)
            *differs = diff(m_held, row) != 0;
        return true;
    }
    auto [first, last] = m_routeDuplicates.equal_range(base);
    for (auto it = first; it != last; ++it) {
        if (sameRoute(it->second, row)) {
            m_markedDuplicates.insert(identityKey(row));
            if (differs)
                *differs = diff(it->second, row) != 0;
            return true;
        }
    }
    return false;
}

std::size_t StateStore::unmarkedRoutes(const std::function<bool(const RouteRow &)> &pred, PackedRouteList *list) const
{
    std::size_t marked = 0;
    m_routes.forEachWithMark([&](const RouteRow &row, bool isMarked) {
        if (!pred(row))
            return;
        if (isMarked)
            ++marked;
        else
            list->push(row);
    });
    for (const auto &[k, row] : m_routeDuplicates) {
        if (!pred(row))
            continue;
        if (m_markedDuplicates.count(identityKey(row)))
            ++marked;
        else
            list->push(row);
    }
    return marked;
}

std::vector<AddressRow> StateStore::addressesOn(std::uint32_t ifIndex, Family family) const
{
    std::vector<AddressRow> out;
    for (const auto &[k, row] : m_addresses)
        if (row.ifIndex == ifIndex && (family == Family::Unspec || row.address.family == family))
            out.push_back(row);
    return out;
}

std::vector<NeighborRow> StateStore::neighborsOn(std::uint32_t ifIndex, bool proxyOnly) const
{
    std::vector<NeighborRow> out;
    for (const auto &[k, row] : m_neighbors)
        if (row.ifIndex == ifIndex && (!proxyOnly || row.isProxy()))
            out.push_back(row);
    std::sort(out.begin(), out.end(), neighborOrder);
    return out;
}

const NexthopRow *StateStore::findNexthop(std::uint32_t id) const
{
    const auto it = m_nexthops.find(id);
    return it == m_nexthops.end() ? nullptr : &it->second;
}

std::vector<NexthopRow> StateStore::nexthops() const
{
    std::vector<NexthopRow> out;
    out.reserve(m_nexthops.size());
    for (const auto &[id, row] : m_nexthops)
        out.push_back(row);
    return out;
}

std::size_t StateStore::routeMemoryBytes() const
{
    // A node of the duplicates map: the node (key + row + next pointer + cached hash), the
    // next-hop block and the bucket pointer; an estimate, as allocators round up.
    const std::size_t perDuplicate = sizeof(Key) + sizeof(RouteRow) + 2 * sizeof(void *) + sizeof(NextHop) + 16;
    return m_routes.memoryBytes() + m_routeDuplicates.size() * perDuplicate;
}

void StateStore::clear()
{
    m_interfaces.clear();
    m_addresses.clear();
    m_neighbors.clear();
    m_rules.clear();
    m_nexthops.clear();
    m_routes.clear();
    m_routeDuplicates.clear();
    m_markedDuplicates.clear();
}

} // namespace ncv::platform

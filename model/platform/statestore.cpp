#include "statestore.h"

#include "format.h"

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
    // FNV-1a, 64 bit
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < key.length; ++i) {
        h ^= key.bytes[i];
        h *= 1099511628211ull;
    }
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
bool StateStore::upsert(const RouteRow &row, std::int64_t timeUs, Origin origin, ChangeRecord *out, bool replace)
{
    const Key base = makeKey(row);
    auto primary = m_routes.find(base);
    RouteRow *held = nullptr;
    if (primary != m_routes.end()) {
        if (sameRoute(primary->second, row)) {
            held = &primary->second;
        } else {
            auto [first, last] = m_routeDuplicates.equal_range(base);
            for (auto it = first; it != last; ++it)
                if (sameRoute(it->second, row))
                    held = &it->second;
            if (!held && m_scheme == KeyScheme::Linux && row.family() == Family::IPv6 && row.nextHops.size() > 1) {
                // IPv6 multipath: `ip -6 route append` of a gateway route with the same
                // prefix and metric makes it a sibling; the kernel then announces the whole
                // route (RTA_MULTIPATH), which replaces the held route(s) of its hops.
                if (hopsContained(primary->second.nextHops, row.nextHops))
                    held = &primary->second;
                for (auto it = first; !held && it != last; ++it)
                    if (hopsContained(it->second.nextHops, row.nextHops))
                        held = &it->second;
            }
            if (!held && replace)
                held = &primary->second; // NLM_F_REPLACE: the kernel replaced its first match
        }
    }
    ChangeRecord record;
    record.object = ObjectKind::Route;
    record.family = row.family();
    record.timeUs = timeUs;
    record.origin = origin;
    if (!held) {
        if (primary == m_routes.end())
            m_routes.emplace(base, row);
        else
            m_routeDuplicates.emplace(base, row);
        record.change = ChangeKind::Add;
        record.after = row;
    } else {
        const FieldMask mask = diff(*held, row);
        if (mask == 0) {
            *held = row;
            return false;
        }
        record.change = ChangeKind::Parameter;
        record.changedFields = mask;
        record.before = std::move(*held);
        *held = row;
        record.after = row;
    }
    if (out)
        *out = std::move(record);
    return true;
}
bool StateStore::remove(const InterfaceRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_interfaces, keyRow, [this](const InterfaceRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::remove(const AddressRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    return removeIn(
        m_addresses, keyRow, [this](const AddressRow &r) { return makeKey(r); }, timeUs, origin, out);
}
bool StateStore::remove(const RouteRow &keyRow, std::int64_t timeUs, Origin origin, ChangeRecord *out)
{
    const Key base = makeKey(keyRow);
    auto primary = m_routes.find(base);
    if (primary == m_routes.end())
        return false;
    RouteRow removed;
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
                ChangeRecord record;
                record.object = ObjectKind::Route;
                record.change = ChangeKind::Parameter;
                record.family = after.family();
                record.timeUs = timeUs;
                record.origin = origin;
                record.changedFields = diff(held, after);
                record.before = held;
                record.after = after;
                *out = std::move(record);
            }
            held = std::move(after);
            return true;
        };
        if (shrink(primary->second))
            return true;
        auto [first, last] = m_routeDuplicates.equal_range(base);
        for (auto it = first; it != last; ++it)
            if (shrink(it->second))
                return true;
    }
    // A delete that names no next hop takes the first route with the base key, as the kernel does.
    if (keyRow.nextHops.empty() || sameRoute(primary->second, keyRow)) {
        removed = std::move(primary->second);
        auto dup = m_routeDuplicates.find(base);
        if (dup != m_routeDuplicates.end()) { // promote the next route with this base key
            primary->second = std::move(dup->second);
            m_routeDuplicates.erase(dup);
        } else {
            m_routes.erase(primary);
        }
    } else {
        auto [first, last] = m_routeDuplicates.equal_range(base);
        auto it = first;
        while (it != last && !sameRoute(it->second, keyRow))
            ++it;
        if (it == last)
            return false;
        removed = std::move(it->second);
        m_routeDuplicates.erase(it);
    }
    if (out) {
        ChangeRecord record;
        record.object = ObjectKind::Route;
        record.change = removalKind(removed, timeUs);
        record.family = removed.family();
        record.timeUs = timeUs;
        record.origin = origin;
        record.before = std::move(removed);
        *out = std::move(record);
    }
    return true;
}

void StateStore::reconcile(const Snapshot &snapshot, std::int64_t timeUs, Origin origin, std::vector<ChangeRecord> &out)
{
    std::unordered_set<Key, KeyHash> seenInterfaces, seenAddresses, seenRoutes;
    ChangeRecord record;
    for (const InterfaceRow &row : snapshot.interfaces) {
        seenInterfaces.insert(makeKey(row));
        if (upsert(row, timeUs, origin, &record))
            out.push_back(std::move(record));
    }
    for (const AddressRow &row : snapshot.addresses) {
        seenAddresses.insert(makeKey(row));
        if (upsert(row, timeUs, origin, &record))
            out.push_back(std::move(record));
    }
    for (const RouteRow &row : snapshot.routes) {
        seenRoutes.insert(identityKey(row));
        if (upsert(row, timeUs, origin, &record))
            out.push_back(std::move(record));
    }
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
            out.push_back(std::move(del));
            it = map.erase(it);
        }
    };
    // Routes: collect the unseen ones first, then remove them through remove() so a
    // duplicate is promoted correctly.
    std::vector<RouteRow> goneRoutes;
    auto collectGone = [&](const auto &map) {
        for (const auto &[k, row] : map)
            if (!seenRoutes.count(identityKey(row)))
                goneRoutes.push_back(row);
    };
    collectGone(m_routes);
    collectGone(m_routeDuplicates);
    for (const RouteRow &row : goneRoutes)
        if (remove(row, timeUs, origin, &record))
            out.push_back(std::move(record));
    auto byMapKey = [](const auto &entry) { return entry.first; };
    sweep(m_addresses, seenAddresses, byMapKey);
    sweep(m_interfaces, seenInterfaces, byMapKey);
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
    out.reserve(out.size() + routeCount());
    for (const auto &[k, row] : m_routes)
        emit(row);
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

std::vector<RouteRow> StateStore::routesUsingInterface(std::uint32_t ifIndex, Family family) const
{
    std::vector<RouteRow> out;
    auto scan = [&](const auto &map) {
        for (const auto &[k, row] : map) {
            if (family != Family::Unspec && row.family() != family)
                continue;
            for (const NextHop &hop : row.nextHops) {
                if (hop.ifIndex == ifIndex) {
                    out.push_back(row);
                    break;
                }
            }
        }
    };
    scan(m_routes);
    scan(m_routeDuplicates);
    return out;
}

std::vector<RouteRow> StateStore::routesUsingNexthop(std::uint32_t nhId, Family family) const
{
    std::vector<RouteRow> out;
    auto scan = [&](const auto &map) {
        for (const auto &[k, row] : map)
            if (row.nhId == nhId && (family == Family::Unspec || row.family() == family))
                out.push_back(row);
    };
    scan(m_routes);
    scan(m_routeDuplicates);
    return out;
}

std::vector<AddressRow> StateStore::addressesOn(std::uint32_t ifIndex, Family family) const
{
    std::vector<AddressRow> out;
    for (const auto &[k, row] : m_addresses)
        if (row.ifIndex == ifIndex && (family == Family::Unspec || row.address.family == family))
            out.push_back(row);
    return out;
}

void StateStore::clear()
{
    m_interfaces.clear();
    m_addresses.clear();
    m_routes.clear();
    m_routeDuplicates.clear();
}

} // namespace ncv::platform

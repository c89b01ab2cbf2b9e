// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/eventcolumns.h"

#include "platform/format.h"
#include "platform/rowdelta.h"
#include "platform/rowfields.h"

#include <array>
#include <charconv>
#include <string_view>

namespace ncv::recording {

using namespace platform;

namespace {

using Reader = compact::CheckedReader;

constexpr unsigned kHasChangedFields = 0x40;
constexpr unsigned kHasNote = 0x80;

/// "10.0.0.0/24" -> address and prefix length; false when it is not such a text.
bool parseCidr(std::string_view text, IpAddress *address, std::uint8_t *prefixLength)
{
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return false;
    unsigned length = 0;
    const char *end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data() + slash + 1, end, length);
    if (ec != std::errc() || p != end || length > 128)
        return false;
    *prefixLength = std::uint8_t(length);
    const std::string_view host = text.substr(0, slash);
    if (host.find(':') != std::string_view::npos) {
        *address = IpAddress::parse(std::string(host));
        return address->family != Family::Unspec;
    }
    // Dotted quad, as toCidr() writes it (the common case: read once per event).
    std::array<std::uint8_t, 4> bytes {};
    const char *q = host.data();
    const char *hostEnd = q + host.size();
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned value = 0;
        const auto [next, err] = std::from_chars(q, hostEnd, value);
        if (err != std::errc() || value > 255 || next - q > 3)
            return false;
        bytes[i] = std::uint8_t(value);
        q = next;
        if (i < 3) {
            if (q == hostEnd || *q != '.')
                return false;
            ++q;
        }
    }
    if (q != hostEnd)
        return false;
    *address = IpAddress::v4(bytes[0], bytes[1], bytes[2], bytes[3]);
    return true;
}

/// row holding a default R (the storage of the one it held kept: no allocation per event).
template<typename R> R &resetRow(Row &row)
{
    static const R empty {};
    if (R *held = std::get_if<R>(&row)) {
        *held = empty;
        return *held;
    }
    return row.emplace<R>();
}

/// The destination column of a neighbor: its address, " proxy" after a proxy entry's (the
/// key of a proxy entry differs from a normal one's for the same address).
std::string neighborDestination(const NeighborRow &n)
{
    return n.isProxy() ? toString(n.address) + " proxy" : toString(n.address);
}
void parseNeighborDestination(std::string_view text, NeighborRow &n)
{
    constexpr std::string_view kProxy = " proxy";
    if (text.size() > kProxy.size() && text.substr(text.size() - kProxy.size()) == kProxy) {
        text.remove_suffix(kProxy.size());
        n.flags = NtfProxy;
    }
    n.address = IpAddress::parse(std::string(text));
}

/// row = a default row of the Row alternative index (0 when it is out of range).
void resetTo(Row &row, std::size_t index)
{
    const bool known = withRowIndex(index, [&](auto type) {
        using R = typename decltype(type)::type;
        if constexpr (std::is_same_v<R, std::monostate>)
            row = std::monostate {};
        else
            resetRow<R>(row);
    });
    if (!known)
        row = std::monostate {};
}

void putDelta(const Row &row, const Row &ref, std::string &out)
{
    std::visit(
        [&](const auto &r) {
            using R = std::remove_cvref_t<decltype(r)>;
            if constexpr (!std::is_same_v<R, std::monostate>)
                encodeRowDelta(r, std::get<R>(ref), out);
        },
        row);
}

void getDelta(Reader &in, Row &row)
{
    std::visit(
        [&](auto &r) {
            if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(r)>, std::monostate>)
                decodeRowDelta(in, r);
        },
        row);
}

} // namespace

EventColumns EventColumns::of(const ChangeRecord &r)
{
    EventColumns c;
    c.object = r.object;
    c.change = r.change;
    c.family = r.family;
    c.origin = r.origin;
    const Row &row = r.row();
    c.ifIndex = rowIfIndex(row);
    if (const auto *route = std::get_if<RouteRow>(&row)) {
        c.destination = toCidr(route->destination, route->prefixLength);
        c.routeKeys = true;
        c.table = route->table;
        c.metric = route->metric;
        c.tos = route->tos;
        c.hasProtocol = true;
        c.protocol = route->protocol;
    } else if (const auto *a = std::get_if<AddressRow>(&row)) {
        c.destination = toCidr(a->address, a->prefixLength);
    } else if (const auto *e = std::get_if<EntityRow>(&row)) {
        c.hasProtocol = true;
        c.protocol = e->protocol;
    } else if (const auto *n = std::get_if<NeighborRow>(&row)) {
        c.destination = neighborDestination(*n);
    } else if (const auto *u = std::get_if<RuleRow>(&row)) {
        // The selectors and action as `ip rule` writes them: with the priority (metric), the
        // table, tos and protocol columns, every field of the rule (its key).
        fieldtext::ruleText(c.destination, *u);
        c.routeKeys = true;
        c.table = u->table;
        c.metric = u->priority;
        c.tos = u->tos;
        c.hasProtocol = true;
        c.protocol = u->protocol;
    } else if (std::holds_alternative<NexthopRow>(row)) {
        // "id 5": the key; the other fields are the record's delta.
        c.destination = keyText(row);
    } else if (r.object == ObjectKind::Nsid) {
        // The id in decimal: the whole event with the ns column (no row; record holds none).
        c.destination = std::to_string(r.nsid);
    }
    return c;
}

void EventColumns::keyRow(Row &row) const
{
    switch (object) {
    case ObjectKind::Interface: resetRow<InterfaceRow>(row).ifIndex = ifIndex; break;
    case ObjectKind::Address: {
        AddressRow &a = resetRow<AddressRow>(row);
        a.ifIndex = ifIndex;
        parseCidr(destination, &a.address, &a.prefixLength);
        break;
    }
    case ObjectKind::Route: {
        RouteRow &r = resetRow<RouteRow>(row);
        parseCidr(destination, &r.destination, &r.prefixLength);
        if (routeKeys) {
            r.table = table;
            r.metric = metric;
            r.tos = std::uint8_t(tos);
        }
        if (hasProtocol)
            r.protocol = protocol;
        break;
    }
    case ObjectKind::Entity: {
        EntityRow &e = resetRow<EntityRow>(row);
        if (hasProtocol)
            e.protocol = protocol;
        break;
    }
    case ObjectKind::Neighbor: {
        NeighborRow &n = resetRow<NeighborRow>(row);
        n.ifIndex = ifIndex;
        parseNeighborDestination(destination, n);
        break;
    }
    case ObjectKind::Rule: {
        RuleRow &u = resetRow<RuleRow>(row);
        u.family = family;
        u.priority = metric;
        if (hasProtocol)
            u.protocol = std::uint8_t(protocol);
        if (!parseRuleText(destination, u)) { // not from this writer: the record's delta says it all
            const RuleRow bare = u;
            u = RuleRow {};
            u.family = bare.family;
            u.priority = bare.priority;
            u.protocol = bare.protocol;
        }
        break;
    }
    case ObjectKind::Nexthop: {
        NexthopRow &h = resetRow<NexthopRow>(row);
        h.family = family;
        h.ifIndex = ifIndex;
        std::string_view id(destination);
        if (id.substr(0, 3) == "id ")
            id.remove_prefix(3);
        std::uint32_t value = 0;
        if (std::from_chars(id.data(), id.data() + id.size(), value).ec == std::errc())
            h.id = value;
        break;
    }
    default: row = std::monostate {}; break;
    }
}

std::size_t EventColumns::keyRowIndex() const
{
    switch (object) {
    case ObjectKind::Interface: return 1;
    case ObjectKind::Address: return 2;
    case ObjectKind::Route: return 3;
    case ObjectKind::Entity: return 4;
    case ObjectKind::Neighbor: return 5;
    case ObjectKind::Rule: return 6;
    case ObjectKind::Nexthop: return 7;
    default: return 0;
    }
}

void encodeRecord(const ChangeRecord &r, const EventColumns &c, std::string &out)
{
    thread_local Row key, ref;
    c.keyRow(key);
    const auto refFor = [](const Row &row, const Row &preferred) -> const Row & {
        if (row.index() == preferred.index())
            return preferred;
        resetTo(ref, row.index());
        return ref;
    };
    unsigned flags = unsigned(r.before.index()) | unsigned(r.after.index()) << 3;
    if (r.changedFields)
        flags |= kHasChangedFields;
    if (!r.note.empty())
        flags |= kHasNote;
    out.push_back(char(flags));
    if (r.changedFields)
        compact::append(out, compact::kMaxVarint, [&r](char *p) { return compact::putVarint(p, r.changedFields); });
    putDelta(r.before, refFor(r.before, key), out);
    putDelta(r.after, refFor(r.after, r.after.index() == r.before.index() ? r.before : key), out);
    if (!r.note.empty())
        compact::append(out, ValueCodec<std::string>::maxSize(r.note),
                        [&r](char *p) { return ValueCodec<std::string>::put(p, r.note); });
}

bool decodeRecord(const EventColumns &c, const char *data, const char *end, ChangeRecord *r)
{
    Reader in {reinterpret_cast<const std::uint8_t *>(data), reinterpret_cast<const std::uint8_t *>(end)};
    r->object = c.object;
    r->change = c.change;
    r->family = c.family;
    r->origin = c.origin;
    const unsigned flags = in.byte();
    const std::size_t beforeIndex = flags & 7, afterIndex = (flags >> 3) & 7;
    if (!in.ok || beforeIndex >= std::variant_size_v<Row> || afterIndex >= std::variant_size_v<Row>)
        return false;
    r->changedFields = (flags & kHasChangedFields) ? FieldMask(in.varint()) : 0;
    // The rows are built in place (a record reused for the next event keeps its storage).
    const std::size_t keyIndex = c.keyRowIndex();
    if (beforeIndex == keyIndex)
        c.keyRow(r->before);
    else
        resetTo(r->before, beforeIndex);
    getDelta(in, r->before);
    if (afterIndex == beforeIndex)
        r->after = r->before;
    else if (afterIndex == keyIndex)
        c.keyRow(r->after);
    else
        resetTo(r->after, afterIndex);
    if (in.ok)
        getDelta(in, r->after);
    if (in.ok && (flags & kHasNote))
        ValueCodec<std::string>::get(in, r->note, 0);
    else
        r->note.clear();
    r->nsid = -1;
    if (c.object == ObjectKind::Nsid) {
        // From the destination column; an event of this kind has no rows.
        std::int32_t id = -1;
        const std::string &text = c.destination;
        if (std::from_chars(text.data(), text.data() + text.size(), id).ec != std::errc() || id < 0 || beforeIndex != 0
            || afterIndex != 0)
            return false;
        r->nsid = id;
    }
    return in.ok && in.p == in.end;
}

} // namespace ncv::recording

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/eventcolumns.h"

#include "platform/format.h"
#include "platform/rowdelta.h"
#include "platform/rowfields.h"

#include <charconv>

namespace ncv::recording {

using namespace platform;

namespace {

using Reader = compact::CheckedReader;

constexpr unsigned kHasChangedFields = 0x40;
constexpr unsigned kHasNote = 0x80;

/// "10.0.0.0/24" -> address and prefix length; false when it is not such a text.
bool parseCidr(const std::string &text, IpAddress *address, std::uint8_t *prefixLength)
{
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos)
        return false;
    unsigned length = 0;
    const char *end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data() + slash + 1, end, length);
    if (ec != std::errc() || p != end || length > 128)
        return false;
    *address = IpAddress::parse(text.substr(0, slash));
    *prefixLength = std::uint8_t(length);
    return address->family != Family::Unspec;
}

/// row = a default row of the Row alternative index (0 when it is out of range).
void resetTo(Row &row, std::size_t index)
{
    switch (index) {
    case 1: row = InterfaceRow {}; break;
    case 2: row = AddressRow {}; break;
    case 3: row = RouteRow {}; break;
    case 4: row = EntityRow {}; break;
    default: row = std::monostate {}; break;
    }
}
static_assert(std::variant_size_v<Row> == 5, "resetTo() makes every Row alternative");

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
    }
    return c;
}

void EventColumns::keyRow(Row &row) const
{
    switch (object) {
    case ObjectKind::Interface: {
        InterfaceRow &i = row.emplace<InterfaceRow>();
        i.ifIndex = ifIndex;
        break;
    }
    case ObjectKind::Address: {
        AddressRow &a = row.emplace<AddressRow>();
        a.ifIndex = ifIndex;
        parseCidr(destination, &a.address, &a.prefixLength);
        break;
    }
    case ObjectKind::Route: {
        RouteRow &r = row.emplace<RouteRow>();
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
        EntityRow &e = row.emplace<EntityRow>();
        if (hasProtocol)
            e.protocol = protocol;
        break;
    }
    default: row = std::monostate {}; break;
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
    thread_local Row key;
    c.keyRow(key);
    if (beforeIndex == key.index())
        r->before = key;
    else
        resetTo(r->before, beforeIndex);
    getDelta(in, r->before);
    if (afterIndex == beforeIndex)
        r->after = r->before;
    else if (afterIndex == key.index())
        r->after = key;
    else
        resetTo(r->after, afterIndex);
    if (in.ok)
        getDelta(in, r->after);
    if (in.ok && (flags & kHasNote))
        ValueCodec<std::string>::get(in, r->note, 0);
    else
        r->note.clear();
    return in.ok && in.p == in.end;
}

} // namespace ncv::recording

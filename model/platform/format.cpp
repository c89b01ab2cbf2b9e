// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/format.h"

#include <cstdio>

namespace ncv::platform {

namespace {

std::string hex16(unsigned value)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%x", value);
    return buf;
}

std::string number(std::uint64_t value)
{
    return std::to_string(value);
}

std::string ifText(std::uint32_t ifIndex)
{
    return ifIndex ? "if " + number(ifIndex) : std::string();
}

std::string nextHopText(const NextHop &hop, bool withWeight)
{
    std::string text;
    if (!hop.gateway.isUnspecified())
        text = "via " + toString(hop.gateway);
    if (hop.ifIndex) {
        if (!text.empty())
            text += ' ';
        text += "dev " + number(hop.ifIndex);
    }
    if (withWeight) {
        if (!text.empty())
            text += ' ';
        text += "weight " + number(hop.weight);
    }
    return text;
}

std::string nextHopsText(const RouteRow &route)
{
    if (route.nextHops.empty())
        return "-";
    std::string text;
    const bool multi = route.nextHops.size() > 1;
    for (const NextHop &hop : route.nextHops) {
        if (!text.empty())
            text += ", ";
        text += nextHopText(hop, multi);
    }
    return text.empty() ? "on-link" : text;
}

std::string expiryText(std::int64_t untilUs)
{
    if (untilUs == 0)
        return "never";
    const std::int64_t left = (untilUs - nowUs()) / 1000000;
    return left <= 0 ? "expired" : "in " + std::to_string(left) + "s";
}

std::string boolText(bool value)
{
    return value ? "yes" : "no";
}

std::string fieldValue(const InterfaceRow &r, Field f)
{
    switch (f) {
    case Field::IfName: return r.name;
    case Field::IfAlias: return r.alias;
    case Field::IfKind: return r.kind;
    case Field::IfOperState: return std::string(operStateName(r.operState));
    case Field::IfAdminUp: return r.adminUp ? "up" : "down";
    case Field::IfCarrier: return boolText(r.carrier);
    case Field::IfMtu: return number(r.mtu);
    case Field::IfMac: return macText(r.mac.data(), r.macLength);
    case Field::IfMaster: return r.masterIndex ? number(r.masterIndex) : std::string();
    default: return {};
    }
}

std::string fieldValue(const AddressRow &r, Field f)
{
    switch (f) {
    case Field::AddrScope: return scopeName(r.scope);
    case Field::AddrFlags: return addressFlagsText(r.flags, r.address.family);
    case Field::AddrPeer: return toString(r.peer);
    case Field::AddrLabel: return r.label;
    case Field::AddrLifetimeKind: return r.validLifetime == kInfiniteLifetime ? "forever" : "finite";
    default: return {};
    }
}

std::string fieldValue(const RouteRow &r, Field f)
{
    switch (f) {
    case Field::RouteNextHops: return nextHopsText(r);
    case Field::RouteProtocol: return protocolName(r.protocol, r.protocolSpace);
    case Field::RouteScope: return scopeName(r.scope);
    case Field::RouteType: return routeTypeName(r.type);
    case Field::RoutePrefSrc: return toString(r.prefSrc);
    case Field::RouteMetric: return number(r.metric);
    case Field::RouteNhId: return r.nhId ? number(r.nhId) : std::string();
    case Field::RouteExpires: return r.expiresUs ? "finite" : "never";
    default: return {};
    }
}

std::string fieldValue(const Row &row, Field f)
{
    if (auto *i = std::get_if<InterfaceRow>(&row))
        return fieldValue(*i, f);
    if (auto *a = std::get_if<AddressRow>(&row))
        return fieldValue(*a, f);
    if (auto *r = std::get_if<RouteRow>(&row))
        return fieldValue(*r, f);
    return {};
}

std::string routeAttributes(const RouteRow &r)
{
    std::string text = nextHopsText(r);
    if (text == "-")
        text.clear();
    auto add = [&text](const std::string &part) {
        if (!text.empty())
            text += ' ';
        text += part;
    };
    if (r.type != 1)
        add(routeTypeName(r.type));
    add("metric " + number(r.metric));
    if (r.protocolSpace == ProtocolSpace::RtmProtocol)
        add("table " + tableName(r.table));
    add("proto " + protocolName(r.protocol, r.protocolSpace));
    if (!r.prefSrc.isUnspecified())
        add("src " + toString(r.prefSrc));
    return text;
}

std::string addressAttributes(const AddressRow &a)
{
    std::string text = "scope " + scopeName(a.scope);
    const std::string flags = addressFlagsText(a.flags, a.address.family);
    if (!flags.empty())
        text += ' ' + flags;
    if (a.validLifetime != kInfiniteLifetime)
        text += " valid " + lifetimeText(a.validLifetime) + " preferred " + lifetimeText(a.preferredLifetime);
    return text;
}

std::string interfaceAttributes(const InterfaceRow &i)
{
    std::string text = "ifindex " + number(i.ifIndex);
    if (!i.kind.empty())
        text += ' ' + i.kind;
    text += std::string(" ") + (i.adminUp ? "up" : "down");
    text += " operstate " + std::string(operStateName(i.operState));
    text += " mtu " + number(i.mtu);
    if (i.macLength)
        text += " mac " + macText(i.mac.data(), i.macLength);
    if (i.masterIndex)
        text += " master " + number(i.masterIndex);
    if (!i.alias.empty())
        text += " alias " + i.alias;
    return text;
}

std::string attributes(const Row &row)
{
    if (auto *i = std::get_if<InterfaceRow>(&row))
        return interfaceAttributes(*i);
    if (auto *a = std::get_if<AddressRow>(&row))
        return addressAttributes(*a);
    if (auto *r = std::get_if<RouteRow>(&row))
        return routeAttributes(*r);
    if (auto *e = std::get_if<EntityRow>(&row))
        return "routes " + number(e->routeCount);
    return {};
}

} // namespace

std::string toString(const IpAddress &address)
{
    const auto &b = address.bytes;
    if (address.family == Family::IPv4)
        return std::to_string(b[0]) + '.' + std::to_string(b[1]) + '.' + std::to_string(b[2]) + '.'
            + std::to_string(b[3]);
    if (address.family != Family::IPv6)
        return {};
    unsigned groups[8];
    for (int k = 0; k < 8; ++k)
        groups[k] = unsigned(b[2 * k] << 8) | b[2 * k + 1];
    // IPv4-mapped ::ffff:a.b.c.d
    if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xffff)
        return "::ffff:" + std::to_string(b[12]) + '.' + std::to_string(b[13]) + '.' + std::to_string(b[14]) + '.'
            + std::to_string(b[15]);
    // RFC 5952: the longest run (>= 2) of zero groups becomes "::" (the first on a tie).
    int bestStart = -1, bestLen = 0;
    for (int k = 0; k < 8;) {
        if (groups[k] != 0) {
            ++k;
            continue;
        }
        int end = k;
        while (end < 8 && groups[end] == 0)
            ++end;
        if (end - k > bestLen && end - k >= 2) {
            bestStart = k;
            bestLen = end - k;
        }
        k = end;
    }
    std::string text;
    for (int k = 0; k < 8; ++k) {
        if (k == bestStart) {
            text += "::";
            k += bestLen - 1;
            continue;
        }
        if (!text.empty() && text.back() != ':')
            text += ':';
        text += hex16(groups[k]);
    }
    return text;
}

std::string toCidr(const IpAddress &address, unsigned prefixLength)
{
    if (address.family == Family::Unspec)
        return {};
    return toString(address) + '/' + std::to_string(prefixLength);
}

std::string_view familyName(Family family)
{
    switch (family) {
    case Family::IPv4: return "ipv4";
    case Family::IPv6: return "ipv6";
    case Family::Unspec: break;
    }
    return "unspec";
}

std::string_view objectName(ObjectKind object)
{
    switch (object) {
    case ObjectKind::Interface: return "interface";
    case ObjectKind::Address: return "address";
    case ObjectKind::Route: return "route";
    case ObjectKind::Entity: return "entity";
    case ObjectKind::Gap: return "gap";
    case ObjectKind::None: break;
    }
    return "";
}

std::string_view changeName(ChangeKind change)
{
    switch (change) {
    case ChangeKind::Initial: return "initial";
    case ChangeKind::Add: return "add";
    case ChangeKind::Delete: return "delete";
    case ChangeKind::Parameter: return "parameter";
    case ChangeKind::Expired: return "expired";
    case ChangeKind::Registered: return "registered";
    case ChangeKind::Deregistered: return "deregistered";
    case ChangeKind::Gap: return "gap";
    case ChangeKind::SnapshotComplete: return "snapshot-complete";
    }
    return "";
}

std::string_view originName(Origin origin)
{
    return origin == Origin::Inferred ? "inferred" : "observed";
}

std::string_view fieldName(Field field)
{
    switch (field) {
    case Field::IfName: return "name";
    case Field::IfAlias: return "alias";
    case Field::IfKind: return "kind";
    case Field::IfOperState: return "operstate";
    case Field::IfAdminUp: return "admin_up";
    case Field::IfCarrier: return "carrier";
    case Field::IfMtu: return "mtu";
    case Field::IfMac: return "mac";
    case Field::IfMaster: return "master";
    case Field::AddrScope: return "scope";
    case Field::AddrFlags: return "flags";
    case Field::AddrPeer: return "peer";
    case Field::AddrLabel: return "label";
    case Field::AddrLifetimeKind: return "lifetime";
    case Field::RouteNextHops: return "nexthops";
    case Field::RouteProtocol: return "protocol";
    case Field::RouteScope: return "scope";
    case Field::RouteType: return "type";
    case Field::RoutePrefSrc: return "prefsrc";
    case Field::RouteMetric: return "metric";
    case Field::RouteNhId: return "nhid";
    case Field::RouteExpires: return "expires";
    case Field::FieldCount: break;
    }
    return "";
}

std::string fieldList(FieldMask mask, std::string_view sep)
{
    std::string text;
    for (unsigned f = 0; f < static_cast<unsigned>(Field::FieldCount); ++f) {
        if (!(mask & (FieldMask(1) << f)))
            continue;
        if (!text.empty())
            text += sep;
        text += fieldName(static_cast<Field>(f));
    }
    return text;
}

std::string_view operStateName(OperState state)
{
    switch (state) {
    case OperState::Unknown: return "unknown";
    case OperState::NotPresent: return "notpresent";
    case OperState::Down: return "down";
    case OperState::LowerLayerDown: return "lowerlayerdown";
    case OperState::Testing: return "testing";
    case OperState::Dormant: return "dormant";
    case OperState::Up: return "up";
    }
    return "unknown";
}

std::string protocolName(std::uint32_t protocol, ProtocolSpace space)
{
    if (space == ProtocolSpace::MibIpProto) {
        // NL_ROUTE_PROTOCOL / MIB_IPFORWARD_PROTO (ipifcons.h, nldef.h)
        switch (protocol) {
        case 1: return "other";
        case 2: return "local";
        case 3: return "netmgmt";
        case 4: return "icmp";
        case 5: return "egp";
        case 6: return "ggp";
        case 7: return "hello";
        case 8: return "rip";
        case 9: return "is-is";
        case 10: return "es-is";
        case 11: return "cisco";
        case 12: return "bbn";
        case 13: return "ospf";
        case 14: return "bgp";
        case 15: return "idpr";
        case 16: return "eigrp";
        case 17: return "dvmrp";
        case 18: return "rpl";
        case 19: return "dhcp";
        case 10002: return "nt-autostatic";
        case 10006: return "nt-static";
        case 10007: return "nt-static-non-dod";
        default: return number(protocol);
        }
    }
    // RTPROT_* (linux/rtnetlink.h) and the names iproute2 gives in rt_protos.
    switch (protocol) {
    case 0: return "unspec";
    case 1: return "redirect";
    case 2: return "kernel";
    case 3: return "boot";
    case 4: return "static";
    case 8: return "gated";
    case 9: return "ra";
    case 10: return "mrt";
    case 11: return "zebra";
    case 12: return "bird";
    case 13: return "dnrouted";
    case 14: return "xorp";
    case 15: return "ntk";
    case 16: return "dhcp";
    case 17: return "mrouted";
    case 18: return "keepalived";
    case 42: return "babel";
    case 99: return "openr";
    case 186: return "bgp";
    case 187: return "isis";
    case 188: return "ospf";
    case 189: return "rip";
    case 192: return "eigrp";
    default: return number(protocol);
    }
}

std::string scopeName(std::uint8_t scope)
{
    switch (scope) {
    case 0: return "universe";
    case 200: return "site";
    case 253: return "link";
    case 254: return "host";
    case 255: return "nowhere";
    default: return number(scope);
    }
}

std::string routeTypeName(std::uint8_t type)
{
    switch (type) {
    case 0: return "unspec";
    case 1: return "unicast";
    case 2: return "local";
    case 3: return "broadcast";
    case 4: return "anycast";
    case 5: return "multicast";
    case 6: return "blackhole";
    case 7: return "unreachable";
    case 8: return "prohibit";
    case 9: return "throw";
    case 10: return "nat";
    case 11: return "xresolve";
    default: return number(type);
    }
}

std::string tableName(std::uint32_t table)
{
    switch (table) {
    case 253: return "default";
    case 254: return "main";
    case 255: return "local";
    default: return number(table);
    }
}

std::string addressFlagsText(std::uint32_t flags, Family family)
{
    static const struct {
        std::uint32_t bit;
        const char *name;
    } names[] = {
        {AddrSecondary, "secondary"},         {AddrNoDad, "nodad"},         {AddrOptimistic, "optimistic"},
        {AddrDadFailed, "dadfailed"},         {AddrHomeAddress, "home"},    {AddrDeprecated, "deprecated"},
        {AddrTentative, "tentative"},         {AddrPermanent, "permanent"}, {AddrManageTempAddr, "mngtmpaddr"},
        {AddrNoPrefixRoute, "noprefixroute"}, {AddrMcAutoJoin, "autojoin"}, {AddrStablePrivacy, "stable-privacy"},
    };
    std::string text;
    for (const auto &n : names) {
        if (!(flags & n.bit))
            continue;
        if (!text.empty())
            text += ' ';
        // IFA_F_SECONDARY is IFA_F_TEMPORARY for IPv6 (RFC 4941 privacy address).
        text += (n.bit == AddrSecondary && family == Family::IPv6) ? "temporary" : n.name;
    }
    return text;
}

std::string macText(const std::uint8_t *mac, std::size_t length)
{
    std::string text;
    char buf[4];
    for (std::size_t i = 0; i < length; ++i) {
        std::snprintf(buf, sizeof buf, i ? ":%02x" : "%02x", mac[i]);
        text += buf;
    }
    return text;
}

std::string lifetimeText(std::uint32_t seconds)
{
    return seconds == kInfiniteLifetime ? "forever" : std::to_string(seconds) + "s";
}

std::string gatewayList(const RouteRow &route)
{
    std::string text;
    for (const NextHop &hop : route.nextHops) {
        if (hop.gateway.isUnspecified())
            continue;
        if (!text.empty())
            text += ';';
        text += toString(hop.gateway);
    }
    return text;
}

std::string keyText(const Row &row)
{
    if (auto *i = std::get_if<InterfaceRow>(&row))
        return i->name.empty() ? "if " + number(i->ifIndex) : i->name;
    if (auto *a = std::get_if<AddressRow>(&row))
        return toCidr(a->address, a->prefixLength);
    if (auto *r = std::get_if<RouteRow>(&row))
        return toCidr(r->destination, r->prefixLength);
    if (auto *e = std::get_if<EntityRow>(&row))
        return protocolName(e->protocol, e->protocolSpace);
    return {};
}

std::string details(const ChangeRecord &record)
{
    if (record.object == ObjectKind::Gap || record.object == ObjectKind::None)
        return record.note;
    if (record.change == ChangeKind::Parameter) {
        std::string text;
        for (unsigned f = 0; f < static_cast<unsigned>(Field::FieldCount); ++f) {
            if (!(record.changedFields & (FieldMask(1) << f)))
                continue;
            const Field field = static_cast<Field>(f);
            if (!text.empty())
                text += "; ";
            std::string before = fieldValue(record.before, field);
            std::string after = fieldValue(record.after, field);
            if (before.empty())
                before = "-";
            if (after.empty())
                after = "-";
            text += std::string(fieldName(field)) + ' ' + before + " -> " + after;
        }
        return text;
    }
    std::string text = attributes(record.row());
    if (!record.note.empty())
        text += (text.empty() ? "" : "; ") + record.note;
    return text;
}

std::string summary(const ChangeRecord &record, std::string_view ifName)
{
    if (record.object == ObjectKind::Gap || record.object == ObjectKind::None)
        return std::string(changeName(record.change)) + (record.note.empty() ? "" : ": " + record.note);
    std::string text = std::string(changeName(record.change)) + ' ' + std::string(objectName(record.object)) + ' '
        + keyText(record.row());
    const Row &row = record.row();
    std::string dev;
    if (!ifName.empty())
        dev = std::string(ifName);
    else if (auto *a = std::get_if<AddressRow>(&row))
        dev = ifText(a->ifIndex);
    else if (auto *r = std::get_if<RouteRow>(&row))
        dev = ifText(r->outIfIndex());
    if (record.object != ObjectKind::Interface && !dev.empty())
        text += " on " + dev;
    const std::string d = details(record);
    if (!d.empty())
        text += record.change == ChangeKind::Parameter ? ": " + d : " (" + d + ")";
    return text;
}

std::vector<std::pair<std::string, std::string>> fieldTexts(const Row &row)
{
    std::vector<std::pair<std::string, std::string>> out;
    if (auto *i = std::get_if<InterfaceRow>(&row)) {
        out.emplace_back("ifindex", number(i->ifIndex));
        if (i->luid)
            out.emplace_back("luid", number(i->luid));
        if (i->family != Family::Unspec)
            out.emplace_back("family", std::string(familyName(i->family)));
        for (Field f : {Field::IfName, Field::IfAlias, Field::IfKind, Field::IfOperState, Field::IfAdminUp,
                        Field::IfCarrier, Field::IfMtu, Field::IfMac, Field::IfMaster})
            out.emplace_back(std::string(fieldName(f)), fieldValue(*i, f));
    } else if (auto *a = std::get_if<AddressRow>(&row)) {
        out.emplace_back("ifindex", number(a->ifIndex));
        if (a->luid)
            out.emplace_back("luid", number(a->luid));
        out.emplace_back("family", std::string(familyName(a->address.family)));
        out.emplace_back("address", toCidr(a->address, a->prefixLength));
        for (Field f : {Field::AddrPeer, Field::AddrScope, Field::AddrFlags, Field::AddrLabel})
            out.emplace_back(std::string(fieldName(f)), fieldValue(*a, f));
        out.emplace_back("valid_lft", lifetimeText(a->validLifetime));
        out.emplace_back("preferred_lft", lifetimeText(a->preferredLifetime));
    } else if (auto *r = std::get_if<RouteRow>(&row)) {
        out.emplace_back("family", std::string(familyName(r->family())));
        out.emplace_back("destination", toCidr(r->destination, r->prefixLength));
        out.emplace_back("nexthops", nextHopsText(*r));
        out.emplace_back("metric", number(r->metric));
        if (r->protocolSpace == ProtocolSpace::RtmProtocol) {
            out.emplace_back("table", tableName(r->table));
            out.emplace_back("tos", number(r->tos));
        }
        if (r->luid)
            out.emplace_back("luid", number(r->luid));
        for (Field f :
             {Field::RouteProtocol, Field::RouteScope, Field::RouteType, Field::RoutePrefSrc, Field::RouteNhId})
            out.emplace_back(std::string(fieldName(f)), fieldValue(*r, f));
        out.emplace_back("expires", expiryText(r->expiresUs));
    } else if (auto *e = std::get_if<EntityRow>(&row)) {
        out.emplace_back("protocol", protocolName(e->protocol, e->protocolSpace));
        out.emplace_back("protocol_number", number(e->protocol));
        out.emplace_back("routes", number(e->routeCount));
    }
    return out;
}

FieldMask diff(const InterfaceRow &b, const InterfaceRow &a)
{
    FieldMask m = 0;
    if (b.name != a.name)
        m |= fieldBit(Field::IfName);
    if (b.alias != a.alias)
        m |= fieldBit(Field::IfAlias);
    if (b.kind != a.kind)
        m |= fieldBit(Field::IfKind);
    if (b.operState != a.operState)
        m |= fieldBit(Field::IfOperState);
    if (b.adminUp != a.adminUp)
        m |= fieldBit(Field::IfAdminUp);
    if (b.carrier != a.carrier)
        m |= fieldBit(Field::IfCarrier);
    if (b.mtu != a.mtu)
        m |= fieldBit(Field::IfMtu);
    if (b.macLength != a.macLength || b.mac != a.mac)
        m |= fieldBit(Field::IfMac);
    if (b.masterIndex != a.masterIndex)
        m |= fieldBit(Field::IfMaster);
    return m;
}

FieldMask diff(const AddressRow &b, const AddressRow &a)
{
    FieldMask m = 0;
    if (b.scope != a.scope)
        m |= fieldBit(Field::AddrScope);
    if (b.flags != a.flags)
        m |= fieldBit(Field::AddrFlags);
    if (b.peer != a.peer)
        m |= fieldBit(Field::AddrPeer);
    if (b.label != a.label)
        m |= fieldBit(Field::AddrLabel);
    // A lifetime renewal (the countdown restarting) is not a change; going between
    // finite and forever is.
    if ((b.validLifetime == kInfiniteLifetime) != (a.validLifetime == kInfiniteLifetime))
        m |= fieldBit(Field::AddrLifetimeKind);
    return m;
}

FieldMask diff(const RouteRow &b, const RouteRow &a)
{
    FieldMask m = 0;
    if (b.nextHops != a.nextHops)
        m |= fieldBit(Field::RouteNextHops);
    if (b.protocol != a.protocol || b.protocolSpace != a.protocolSpace)
        m |= fieldBit(Field::RouteProtocol);
    if (b.scope != a.scope)
        m |= fieldBit(Field::RouteScope);
    if (b.type != a.type)
        m |= fieldBit(Field::RouteType);
    if (b.prefSrc != a.prefSrc)
        m |= fieldBit(Field::RoutePrefSrc);
    if (b.metric != a.metric)
        m |= fieldBit(Field::RouteMetric);
    if (b.nhId != a.nhId)
        m |= fieldBit(Field::RouteNhId);
    if ((b.expiresUs == 0) != (a.expiresUs == 0))
        m |= fieldBit(Field::RouteExpires);
    return m;
}

} // namespace ncv::platform

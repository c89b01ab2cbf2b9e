// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/format.h"

#include "platform/rowfields.h"

#include <cstdio>

namespace ncv::platform {

namespace {

/// Appends a 16-bit group in lower-case hex without leading zeros ("0" for 0).
void appendHex16(std::string &out, unsigned value)
{
    static constexpr char digits[] = "0123456789abcdef";
    char buf[4];
    int n = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned d = (value >> shift) & 0xf;
        if (d != 0 || n > 0 || shift == 0)
            buf[n++] = digits[d];
    }
    out.append(buf, std::size_t(n));
}

std::string number(std::uint64_t value)
{
    return std::to_string(value);
}

std::string ifText(std::uint32_t ifIndex)
{
    return ifIndex ? "if " + number(ifIndex) : std::string();
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
    text.reserve(39);
    for (int k = 0; k < 8; ++k) {
        if (k == bestStart) {
            text += "::";
            k += bestLen - 1;
            continue;
        }
        if (!text.empty() && text.back() != ':')
            text += ':';
        appendHex16(text, groups[k]);
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
    case ObjectKind::Neighbor: return "neighbor";
    case ObjectKind::Rule: return "rule";
    case ObjectKind::Nexthop: return "nexthop";
    case ObjectKind::Nsid: return "nsid";
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
    fieldtext::gatewaysCsv(text, route);
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
    if (auto *n = std::get_if<NeighborRow>(&row))
        return n->isProxy() ? toString(n->address) + " proxy" : toString(n->address);
    if (auto *h = std::get_if<NexthopRow>(&row))
        return "id " + number(h->id);
    if (auto *u = std::get_if<RuleRow>(&row)) {
        std::string text = number(u->priority) + ": ";
        fieldtext::ruleText(text, *u);
        return text;
    }
    return {};
}

std::string recordKeyText(const ChangeRecord &record)
{
    if (record.object == ObjectKind::Nsid)
        return std::to_string(record.nsid);
    if (record.object == ObjectKind::Gap || record.object == ObjectKind::None)
        return {};
    return keyText(record.row());
}

std::string details(const ChangeRecord &record)
{
    std::string text;
    appendDetails(text, record);
    return text;
}

void appendDetails(std::string &out, const ChangeRecord &record, KnownFields known, std::string_view ifName)
{
    // A note stands for the whole description: what a gap says, or the text a record was
    // imported with when its rows do not hold the values it describes.
    if (!record.note.empty() || record.object == ObjectKind::Gap || record.object == ObjectKind::None) {
        out += record.note;
        return;
    }
    if (record.object == ObjectKind::Nsid) {
        // What RTM_NEWNSID / RTM_DELNSID say: an id, of a peer namespace they do not name.
        out += record.change == ChangeKind::Delete ? "id of a peer namespace removed" : "id given to a peer namespace";
        return;
    }
    if (record.change == ChangeKind::Parameter) {
        // appendChanges() separates from what out already holds.
        if (out.empty()) {
            appendChanges(out, record, known, ifName);
        } else {
            thread_local std::string changes;
            changes.clear();
            appendChanges(changes, record, known, ifName);
            out += changes;
        }
        return;
    }
    appendAttributes(out, record.row(), known, ifName);
}

std::string summary(const ChangeRecord &record, std::string_view ifName)
{
    std::string text;
    if (record.object == ObjectKind::Gap || record.object == ObjectKind::None) {
        appendSummary(text, record, ifName, {});
        return text;
    }
    appendSummary(text, record, ifName, recordKeyText(record));
    return text;
}

void appendSummary(std::string &out, const ChangeRecord &record, std::string_view ifName, std::string_view key)
{
    out += changeName(record.change);
    if (record.object == ObjectKind::Gap || record.object == ObjectKind::None) {
        if (!record.note.empty()) {
            out += ": ";
            out += record.note;
        }
        return;
    }
    out += ' ';
    out += objectName(record.object);
    out += ' ';
    out += key;
    if (record.object != ObjectKind::Interface) {
        const Row &row = record.row();
        std::string numbered;
        if (ifName.empty()) {
            if (auto *a = std::get_if<AddressRow>(&row))
                numbered = ifText(a->ifIndex);
            else if (auto *r = std::get_if<RouteRow>(&row))
                numbered = ifText(r->outIfIndex());
        }
        const std::string_view dev = ifName.empty() ? std::string_view(numbered) : ifName;
        if (!dev.empty()) {
            out += " on ";
            out += dev;
        }
    }
    const std::size_t open = out.size();
    out += record.change == ChangeKind::Parameter ? ": " : " (";
    const std::size_t start = out.size();
    appendDetails(out, record, KnownFields::All, ifName);
    // A rule's key is its priority and its whole text ("900: from all blackhole"), and its
    // attributes start with that text: only what follows it (the protocol) is added.
    if (const auto *rule = std::get_if<RuleRow>(&record.row());
        rule && record.change != ChangeKind::Parameter && record.note.empty()) {
        std::string text;
        fieldtext::ruleText(text, *rule);
        const std::string_view added = std::string_view(out).substr(start);
        if (!text.empty() && added.substr(0, text.size()) == text
            && (added.size() == text.size() || added[text.size()] == ' '))
            out.erase(start, std::min(added.size(), text.size() + 1));
    }
    if (out.size() == start)
        out.resize(open);
    else if (record.change != ChangeKind::Parameter)
        out += ')';
}

} // namespace ncv::platform

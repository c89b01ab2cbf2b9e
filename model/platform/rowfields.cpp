// SPDX-License-Identifier: GPL-2.0-or-later
// The functions the descriptions name, and what the descriptions drive (see rowfields.h).
#include "platform/rowfields.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace ncv::platform {

namespace fielddetail {

void appendUnsigned(std::string &out, std::uint64_t v)
{
    char buf[24];
    out.append(buf, std::size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

void appendSigned(std::string &out, std::int64_t v)
{
    char buf[24];
    out.append(buf, std::size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

void appendAddress(std::string &out, const IpAddress &a)
{
    if (a.family == Family::IPv4) {
        char buf[20];
        out.append(buf, std::size_t(writeIpv4(buf, a.bytes.data()) - buf));
    } else if (a.family == Family::IPv6) {
        out += toString(a);
    }
}

void appendCidr(std::string &out, const IpAddress &a, unsigned prefixLength)
{
    if (a.family == Family::IPv4) {
        char buf[24];
        char *p = writeIpv4(buf, a.bytes.data());
        *p++ = '/';
        p = std::to_chars(p, buf + sizeof buf, prefixLength).ptr;
        out.append(buf, std::size_t(p - buf));
    } else if (a.family == Family::IPv6) {
        out += toString(a);
        out += '/';
        appendUnsigned(out, prefixLength);
    }
}

int compareAddress(const IpAddress &a, const IpAddress &b)
{
    if (a.family != b.family)
        return cmp(int(a.family), int(b.family));
    const int c = std::memcmp(a.bytes.data(), b.bytes.data(), a.byteLength());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::uint64_t addressBits(const IpAddress &a, bool &exact)
{
    std::uint64_t key = std::uint64_t(a.family) << 48;
    const std::size_t length = a.byteLength();
    for (std::size_t k = 0; k < std::min<std::size_t>(length, 6); ++k)
        key |= std::uint64_t(a.bytes[k]) << (40 - 8 * k);
    exact = length <= 6;
    return key;
}

} // namespace fielddetail

using fielddetail::appendAddress;
using fielddetail::appendCidr;
using fielddetail::appendUnsigned;
using fielddetail::cmp;

namespace fieldtext {

namespace {

bool unspecified(const IpAddress &a)
{
    if (a.family == Family::IPv4)
        return (a.bytes[0] | a.bytes[1] | a.bytes[2] | a.bytes[3]) == 0;
    return a.isUnspecified();
}

std::string_view familyLabel(Family f)
{
    switch (f) {
    case Family::IPv4: return "IPv4";
    case Family::IPv6: return "IPv6";
    case Family::Unspec: break;
    }
    return {};
}

/// Microseconds from now until untilUs, 0 when that has passed (no overflow for any value).
std::int64_t microsecondsLeft(std::int64_t untilUs)
{
    const std::int64_t now = nowUs();
    return untilUs > now ? untilUs - now : 0;
}

/// Seconds left until untilUs, now, rounded down (never below 0).
std::int64_t secondsLeft(std::int64_t untilUs)
{
    return microsecondsLeft(untilUs) / 1'000'000;
}

std::uint64_t untilKey(std::int64_t untilUs)
{
    return untilUs == 0 ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t(untilUs);
}

int compareUntil(std::int64_t a, std::int64_t b)
{
    return cmp(untilKey(a), untilKey(b));
}

void countdown(std::string &out, std::int64_t untilUs)
{
    if (untilUs == 0) {
        out += "forever";
        return;
    }
    appendUnsigned(out, std::uint64_t(secondsLeft(untilUs)));
    out += 's';
}

} // namespace

void familyLabelOf(std::string &out, unsigned family)
{
    out += familyLabel(Family(family));
}

void adminState(std::string &out, const InterfaceRow &r)
{
    out += r.adminUp ? "up" : "down";
}

void mac(std::string &out, const InterfaceRow &r)
{
    out += macText(r.mac.data(), std::min<std::size_t>(r.macLength, r.mac.size()));
}

bool macDiffers(const InterfaceRow &a, const InterfaceRow &b)
{
    return a.macLength != b.macLength || a.mac != b.mac;
}

std::size_t masterIndex(const InterfaceRow &r, std::uint32_t *out, std::size_t max)
{
    if (r.masterIndex == 0)
        return 0;
    if (max > 0)
        out[0] = r.masterIndex;
    return 1;
}

std::size_t addressIfIndex(const AddressRow &r, std::uint32_t *out, std::size_t max)
{
    if (max > 0)
        out[0] = r.ifIndex;
    return 1;
}

void addressFamily(std::string &out, const AddressRow &r)
{
    out += familyName(r.address.family);
}

void addressFamilyLabel(std::string &out, const AddressRow &r)
{
    out += familyLabel(r.address.family);
}

int addressFamilyValue(const AddressRow &r)
{
    return int(r.address.family);
}

void addressCidr(std::string &out, const AddressRow &r)
{
    appendCidr(out, r.address, r.prefixLength);
}

void addressCell(std::string &out, const AddressRow &r)
{
    appendCidr(out, r.address, r.prefixLength);
    if (!r.peer.isUnspecified() && r.peer != r.address) {
        out += " peer ";
        appendAddress(out, r.peer);
    }
}

int compareAddressCidr(const AddressRow &a, const AddressRow &b)
{
    const int c = fielddetail::compareAddress(a.address, b.address);
    return c ? c : cmp(a.prefixLength, b.prefixLength);
}

std::uint64_t addressCidrKey(const AddressRow &r, bool &exact)
{
    const std::uint64_t bits = fielddetail::addressBits(r.address, exact) << 8;
    return exact ? bits | r.prefixLength : bits;
}

void addressFlags(std::string &out, const AddressRow &r)
{
    out += addressFlagsText(r.flags, r.address.family);
}

bool lifetimeKindDiffers(const AddressRow &a, const AddressRow &b)
{
    // A renewal (the countdown restarting) is not a change; going between finite and
    // forever is.
    return (a.validLifetime == kInfiniteLifetime) != (b.validLifetime == kInfiniteLifetime);
}

bool validForever(const AddressRow &r)
{
    return r.validLifetime == kInfiniteLifetime;
}

void validCountdown(std::string &out, const AddressRow &r)
{
    countdown(out, r.validUntilUs);
}

void preferredCountdown(std::string &out, const AddressRow &r)
{
    countdown(out, r.preferredUntilUs);
}

int compareValidUntil(const AddressRow &a, const AddressRow &b)
{
    return compareUntil(a.validUntilUs, b.validUntilUs);
}

int comparePreferredUntil(const AddressRow &a, const AddressRow &b)
{
    return compareUntil(a.preferredUntilUs, b.preferredUntilUs);
}

std::uint64_t validUntilKey(const AddressRow &r, bool &exact)
{
    exact = true;
    return untilKey(r.validUntilUs);
}

std::uint64_t preferredUntilKey(const AddressRow &r, bool &exact)
{
    exact = true;
    return untilKey(r.preferredUntilUs);
}

void routeFamily(std::string &out, const RouteRow &r)
{
    out += familyName(r.family());
}

void routeFamilyLabel(std::string &out, const RouteRow &r)
{
    out += familyLabel(r.family());
}

int routeFamilyValue(const RouteRow &r)
{
    return int(r.family());
}

int compareRouteFamily(const RouteRow &a, const RouteRow &b)
{
    return cmp(int(a.family()), int(b.family()));
}

std::uint64_t routeFamilyKey(const RouteRow &r, bool &exact)
{
    exact = true;
    return std::uint64_t(r.family());
}

void destination(std::string &out, const RouteRow &r)
{
    appendCidr(out, r.destination, r.prefixLength);
}

int compareDestination(const RouteRow &a, const RouteRow &b)
{
    const int c = fielddetail::compareAddress(a.destination, b.destination);
    return c ? c : cmp(a.prefixLength, b.prefixLength);
}

std::uint64_t destinationKey(const RouteRow &r, bool &exact)
{
    const std::uint64_t bits = fielddetail::addressBits(r.destination, exact) << 8;
    return exact ? bits | r.prefixLength : bits;
}

namespace {
void gateways(std::string &out, const RouteRow &r, std::string_view sep)
{
    bool first = true;
    for (const NextHop &hop : r.nextHops) {
        if (hop.gateway.isUnspecified())
            continue;
        if (!first)
            out += sep;
        first = false;
        appendAddress(out, hop.gateway);
    }
}
} // namespace

void gatewaysCsv(std::string &out, const RouteRow &r)
{
    gateways(out, r, ";");
}

void gatewaysCell(std::string &out, const RouteRow &r)
{
    gateways(out, r, ", ");
}

int compareGateways(const RouteRow &l, const RouteRow &r)
{
    // Gateways in order (on-link hops have none), like the joined display text.
    if (l.nextHops.size() == 1 && r.nextHops.size() == 1) {
        const IpAddress &lg = l.nextHops.front().gateway, &rg = r.nextHops.front().gateway;
        const bool lNone = unspecified(lg), rNone = unspecified(rg);
        if (lNone || rNone)
            return lNone && rNone ? 0 : lNone ? -1 : 1;
        return fielddetail::compareAddress(lg, rg);
    }
    std::size_t i = 0, j = 0;
    for (;;) {
        while (i < l.nextHops.size() && unspecified(l.nextHops[i].gateway))
            ++i;
        while (j < r.nextHops.size() && unspecified(r.nextHops[j].gateway))
            ++j;
        const bool lEnd = i == l.nextHops.size(), rEnd = j == r.nextHops.size();
        if (lEnd || rEnd)
            return lEnd && rEnd ? 0 : lEnd ? -1 : 1;
        if (const int c = fielddetail::compareAddress(l.nextHops[i].gateway, r.nextHops[j].gateway))
            return c;
        ++i;
        ++j;
    }
}

std::uint64_t gatewaysKey(const RouteRow &r, bool &exact)
{
    // No gateway first; then by the first gateway (exact for one IPv4 gateway).
    int count = 0;
    const IpAddress *first = nullptr;
    for (const NextHop &hop : r.nextHops) {
        if (!unspecified(hop.gateway) && count++ == 0)
            first = &hop.gateway;
    }
    exact = true;
    if (!first)
        return 0;
    const std::uint64_t key = (std::uint64_t(1) << 63) | fielddetail::addressBits(*first, exact);
    exact = exact && count == 1;
    return key;
}

void nextHops(std::string &out, const RouteRow &r)
{
    nextHopsNamed(out, r, {});
}

void nextHopsNamed(std::string &out, const RouteRow &r, std::string_view ifName)
{
    if (r.nextHops.empty()) {
        out += '-';
        return;
    }
    const std::size_t start = out.size();
    const bool multi = r.nextHops.size() > 1;
    for (const NextHop &hop : r.nextHops) {
        if (out.size() > start)
            out += ", ";
        const std::size_t hopStart = out.size();
        if (!hop.gateway.isUnspecified()) {
            out += "via ";
            appendAddress(out, hop.gateway);
        }
        if (hop.ifIndex) {
            if (out.size() > hopStart)
                out += ' ';
            out += "dev ";
            // ifName is the name of the row's interface, the first hop's: another hop's
            // device keeps its index.
            appendDeviceName(out, hop.ifIndex, hop.ifIndex == r.outIfIndex() ? ifName : std::string_view());
        }
        if (multi) {
            if (out.size() > hopStart)
                out += ' ';
            out += "weight ";
            appendUnsigned(out, hop.weight);
        }
    }
    if (out.size() == start)
        out += "on-link";
}

bool noNextHops(const RouteRow &r)
{
    return r.nextHops.empty();
}

void outIfIndex(std::string &out, const RouteRow &r)
{
    if (r.outIfIndex() != 0)
        appendUnsigned(out, r.outIfIndex());
}

std::size_t hopIfIndexes(const RouteRow &r, std::uint32_t *out, std::size_t max)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < r.nextHops.size(); ++i) {
        const std::uint32_t ifIndex = r.nextHops[i].ifIndex;
        if (ifIndex == 0)
            continue;
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j)
            seen = r.nextHops[j].ifIndex == ifIndex;
        if (seen)
            continue;
        if (n < max)
            out[n] = ifIndex;
        ++n;
    }
    return n;
}

bool mibSpace(const RouteRow &r)
{
    return r.protocolSpace != ProtocolSpace::RtmProtocol;
}

void protocol(std::string &out, const RouteRow &r)
{
    out += protocolName(r.protocol, r.protocolSpace);
}

bool protocolDiffers(const RouteRow &a, const RouteRow &b)
{
    return a.protocol != b.protocol || a.protocolSpace != b.protocolSpace;
}

void rtmProtocolOf(std::string &out, unsigned protocol)
{
    out += protocolName(protocol, ProtocolSpace::RtmProtocol);
}

int protocolValue(const RouteRow &r)
{
    return r.protocolSpace == ProtocolSpace::RtmProtocol && r.protocol <= 255 ? int(r.protocol) : -1;
}

bool unicast(const RouteRow &r)
{
    return r.type == 1;
}

void prefSrc(std::string &out, const RouteRow &r)
{
    appendAddress(out, r.prefSrc);
}

bool noPrefSrc(const RouteRow &r)
{
    return r.prefSrc.isUnspecified();
}

int comparePrefSrc(const RouteRow &a, const RouteRow &b)
{
    const bool aNone = a.prefSrc.isUnspecified(), bNone = b.prefSrc.isUnspecified();
    if (aNone || bNone)
        return aNone && bNone ? 0 : aNone ? -1 : 1;
    return fielddetail::compareAddress(a.prefSrc, b.prefSrc);
}

std::uint64_t prefSrcKey(const RouteRow &r, bool &exact)
{
    exact = true;
    if (r.prefSrc.isUnspecified())
        return 0;
    return (std::uint64_t(1) << 63) | fielddetail::addressBits(r.prefSrc, exact);
}

void expiry(std::string &out, const RouteRow &r)
{
    if (r.expiresUs == 0) {
        out += "never";
        return;
    }
    const std::int64_t left = secondsLeft(r.expiresUs);
    if (left <= 0) {
        out += "expired";
        return;
    }
    out += "in ";
    appendUnsigned(out, std::uint64_t(left));
    out += 's';
}

void expiryKind(std::string &out, const RouteRow &r)
{
    // Not the time left: a diff line reads the same whenever it is written.
    out += r.expiresUs ? "finite" : "never";
}

bool expiryKindDiffers(const RouteRow &a, const RouteRow &b)
{
    return (a.expiresUs == 0) != (b.expiresUs == 0);
}

void expiryCountdown(std::string &out, const RouteRow &r)
{
    if (r.expiresUs == 0)
        return;
    const std::int64_t us = microsecondsLeft(r.expiresUs);
    const std::int64_t left = us / 1'000'000 + (us % 1'000'000 != 0 ? 1 : 0); // rounded up
    appendUnsigned(out, std::uint64_t(left));
    out += 's';
}

int compareExpiry(const RouteRow &a, const RouteRow &b)
{
    // By the expiry time itself (never = last): the order of the seconds shown, with
    // routes of the same second in the order they expire.
    return compareUntil(a.expiresUs, b.expiresUs);
}

std::uint64_t expiryKey(const RouteRow &r, bool &exact)
{
    exact = true;
    return untilKey(r.expiresUs);
}

std::size_t neighborIfIndex(const NeighborRow &r, std::uint32_t *out, std::size_t max)
{
    if (max > 0)
        out[0] = r.ifIndex;
    return 1;
}

void neighborFamily(std::string &out, const NeighborRow &r)
{
    out += familyName(r.address.family);
}

void neighborFamilyLabel(std::string &out, const NeighborRow &r)
{
    out += familyLabel(r.address.family);
}

int neighborFamilyValue(const NeighborRow &r)
{
    return int(r.address.family);
}

void neighborAddress(std::string &out, const NeighborRow &r)
{
    appendAddress(out, r.address);
    if (r.isProxy())
        out += " proxy";
}

void neighborAddressCell(std::string &out, const NeighborRow &r)
{
    appendAddress(out, r.address);
}

void lladdr(std::string &out, const NeighborRow &r)
{
    out += macText(r.lladdr.data(), std::min<std::size_t>(r.lladdrLength, r.lladdr.size()));
}

bool lladdrDiffers(const NeighborRow &a, const NeighborRow &b)
{
    return a.lladdrLength != b.lladdrLength || a.lladdr != b.lladdr;
}

namespace {
/// Appends the names of the bits of value that names has, space-separated, then the
/// unnamed bits as one hex number.
template<std::size_t N>
void appendBitNames(std::string &out, std::uint32_t value, const std::array<ValueName, N> &names)
{
    std::uint32_t rest = value;
    for (const ValueName &n : names) {
        if (!(value & n.value))
            continue;
        if (!out.empty() && out.back() != ' ')
            out += ' ';
        out += n.name;
        rest &= ~n.value;
    }
    if (rest != 0) {
        if (!out.empty() && out.back() != ' ')
            out += ' ';
        static constexpr char kHex[] = "0123456789abcdef";
        out += "0x";
        bool started = false;
        for (int shift = 28; shift >= 0; shift -= 4) {
            const unsigned digit = (rest >> shift) & 0xf;
            if (digit == 0 && !started && shift > 0)
                continue;
            started = true;
            out += kHex[digit];
        }
    }
}
} // namespace

void neighborState(std::string &out, const NeighborRow &r)
{
    // `ip neigh` (iproute2 print_neigh_state): the names of the set bits, in this order;
    // NONE for 0 is left out, as ip shows nothing for it.
    static constexpr std::array<ValueName, 8> kStates {
        ValueName {NudIncomplete, "INCOMPLETE"}, ValueName {NudReachable, "REACHABLE"}, ValueName {NudStale, "STALE"},
        ValueName {NudDelay, "DELAY"},           ValueName {NudProbe, "PROBE"},         ValueName {NudFailed, "FAILED"},
        ValueName {NudNoArp, "NOARP"},           ValueName {NudPermanent, "PERMANENT"},
    };
    std::string text;
    appendBitNames(text, r.state, kStates);
    out += text;
}

void neighborFlags(std::string &out, const NeighborRow &r)
{
    // The words `ip neigh` prints for ndm_flags; "use" is a request bit, not a state.
    static constexpr std::array<ValueName, 8> kFlags {
        ValueName {NtfRouter, "router"},     ValueName {NtfProxy, "proxy"},   ValueName {NtfExtLearned, "extern_learn"},
        ValueName {NtfOffloaded, "offload"}, ValueName {NtfSticky, "sticky"}, ValueName {NtfSelf, "self"},
        ValueName {NtfMaster, "master"},     ValueName {NtfUse, "use"},
    };
    std::string text;
    appendBitNames(text, r.flags, kFlags);
    out += text;
}

void neighborExtFlags(std::string &out, const NeighborRow &r)
{
    static constexpr std::array<ValueName, 2> kFlags {ValueName {NtfExtManaged, "managed"},
                                                      ValueName {NtfExtLocked, "locked"}};
    std::string text;
    appendBitNames(text, r.extFlags, kFlags);
    out += text;
}

void neighborProtocol(std::string &out, const NeighborRow &r)
{
    if (r.protocol != 0)
        rtmProtocolOf(out, r.protocol);
}

namespace {
void appendHex(std::string &out, std::uint64_t v)
{
    // As printf's %#llx: "0" for 0, else "0x..." in lower case.
    if (v == 0) {
        out += '0';
        return;
    }
    char buf[24];
    out += "0x";
    out.append(buf, std::size_t(std::to_chars(buf, buf + sizeof buf, v, 16).ptr - buf));
}

void appendPrefix(std::string &out, const IpAddress &a, std::uint8_t length)
{
    // `ip rule` leaves a host prefix's length out ("from 10.1.0.1").
    appendAddress(out, a);
    if (length != a.byteLength() * 8) {
        out += '/';
        appendUnsigned(out, length);
    }
}

void appendRange(std::string &out, std::uint32_t start, std::uint32_t end)
{
    appendUnsigned(out, start);
    if (end != start) {
        out += '-';
        appendUnsigned(out, end);
    }
}

/// The attribute-line texts of RuleRow fields [first, last] (description order), joined
/// by spaces as appendAttributes() joins them.
void appendRuleFields(std::string &out, const RuleRow &r, int first, int last)
{
    const auto &infos = fieldInfos<RuleRow>;
    const std::size_t start = out.size();
    for (int i = first; i <= last; ++i) {
        const auto &info = infos[std::size_t(i)];
        if (!info.has(InAttributes) || (info.usual && info.usual(r)))
            continue;
        const std::size_t before = out.size();
        if (before > start)
            out += ' ';
        if (!info.attr.empty()) {
            out += info.attr;
            out += ' ';
        }
        const std::size_t valueAt = out.size();
        info.text(out, r);
        if (out.size() == valueAt)
            out.resize(before);
    }
}

/// IP protocol names as /etc/protocols has them (iproute2 asks getprotobynumber()).
constexpr std::array<ValueName, 10> kIpProtoNames {
    ValueName {1, "icmp"},       ValueName {2, "igmp"},   ValueName {6, "tcp"},  ValueName {17, "udp"},
    ValueName {33, "dccp"},      ValueName {47, "gre"},   ValueName {50, "esp"}, ValueName {51, "ah"},
    ValueName {58, "ipv6-icmp"}, ValueName {132, "sctp"},
};
} // namespace

void ruleFamilyLabel(std::string &out, const RuleRow &r)
{
    familyLabelOf(out, unsigned(r.family));
}

void ruleSelector(std::string &out, const RuleRow &r)
{
    appendRuleFields(out, r, fieldIndex<RuleRow>("not"), fieldIndex<RuleRow>("tun_id"));
}

void ruleActionCell(std::string &out, const RuleRow &r)
{
    appendRuleFields(out, r, fieldIndex<RuleRow>("table"), fieldIndex<RuleRow>("action"));
    if (out.empty() && r.l3mdev != 0)
        out += "lookup [l3mdev-table]";
}

void ruleText(std::string &out, const RuleRow &r)
{
    appendRuleFields(out, r, fieldIndex<RuleRow>("not"), fieldIndex<RuleRow>("goto"));
}

void ruleInvert(std::string &out, const RuleRow &r)
{
    if (r.invert)
        out += "not";
}

void ruleFrom(std::string &out, const RuleRow &r)
{
    if (r.source.family == Family::Unspec) {
        if (r.sourceLength == 0) {
            out += "all";
            return;
        }
        out += '0'; // a prefix length without an address, as ip writes it
        out += '/';
        appendUnsigned(out, r.sourceLength);
        return;
    }
    appendPrefix(out, r.source, r.sourceLength);
}

void ruleTo(std::string &out, const RuleRow &r)
{
    if (r.destination.family == Family::Unspec) {
        if (r.destinationLength != 0) {
            out += "0/";
            appendUnsigned(out, r.destinationLength);
        }
        return;
    }
    appendPrefix(out, r.destination, r.destinationLength);
}

void ruleTos(std::string &out, const RuleRow &r)
{
    if (r.tos != 0)
        appendHex(out, r.tos);
}

void ruleFwmark(std::string &out, const RuleRow &r)
{
    if (r.fwmark == 0 && r.fwmask == 0)
        return;
    appendHex(out, r.fwmark);
    if (r.fwmask != 0xffffffffu && r.fwmask != 0) {
        out += '/';
        appendHex(out, r.fwmask);
    }
}

void ruleL3mdev(std::string &out, const RuleRow &r)
{
    if (r.l3mdev != 0)
        out += "[l3mdev-table]";
}

void ruleUidRange(std::string &out, const RuleRow &r)
{
    if (!r.hasUidRange)
        return;
    appendUnsigned(out, r.uidStart);
    out += '-';
    appendUnsigned(out, r.uidEnd);
}

void ruleIpProto(std::string &out, const RuleRow &r)
{
    if (r.ipProto == 0)
        return;
    for (const ValueName &n : kIpProtoNames)
        if (n.value == r.ipProto) {
            out += n.name;
            return;
        }
    out += "ipproto-";
    appendUnsigned(out, r.ipProto);
}

void ruleSport(std::string &out, const RuleRow &r)
{
    if (r.sportStart != 0 || r.sportEnd != 0)
        appendRange(out, r.sportStart, r.sportEnd);
}

void ruleDport(std::string &out, const RuleRow &r)
{
    if (r.dportStart != 0 || r.dportEnd != 0)
        appendRange(out, r.dportStart, r.dportEnd);
}

void ruleTable(std::string &out, const RuleRow &r)
{
    if (r.table != 0)
        out += tableName(r.table);
}

void ruleSuppressPrefixLength(std::string &out, const RuleRow &r)
{
    if (r.suppressPrefixLength != kNoRuleSuppress)
        fielddetail::appendSigned(out, r.suppressPrefixLength);
}

void ruleSuppressIfgroup(std::string &out, const RuleRow &r)
{
    if (r.suppressIfgroup == kNoRuleSuppress)
        return;
    if (r.suppressIfgroup == 0)
        out += "default"; // /etc/iproute2/group names group 0
    else
        fielddetail::appendSigned(out, r.suppressIfgroup);
}

void ruleAction(std::string &out, const RuleRow &r)
{
    switch (r.action) {
    case RuleToTable: break;
    case RuleGoto:
        out += "goto ";
        appendUnsigned(out, r.gotoPriority);
        break;
    case RuleNop: out += "nop"; break;
    case RuleBlackhole: out += "blackhole"; break;
    case RuleUnreachable: out += "unreachable"; break;
    case RuleProhibit: out += "prohibit"; break;
    default:
        out += "action ";
        appendUnsigned(out, r.action);
        break;
    }
}

void ruleProtocol(std::string &out, const RuleRow &r)
{
    rtmProtocolOf(out, r.protocol);
}

bool ruleNoTo(const RuleRow &r)
{
    return r.destination.family == Family::Unspec && r.destinationLength == 0;
}

bool ruleNoFwmark(const RuleRow &r)
{
    return r.fwmark == 0 && r.fwmask == 0;
}

bool ruleNoUidRange(const RuleRow &r)
{
    return !r.hasUidRange;
}

bool ruleNoSuppressPrefixLength(const RuleRow &r)
{
    return r.suppressPrefixLength == kNoRuleSuppress;
}

bool ruleNoSuppressIfgroup(const RuleRow &r)
{
    return r.suppressIfgroup == kNoRuleSuppress;
}

bool ruleProtocolUsual(const RuleRow &r)
{
    return r.protocol == 0 || r.protocol == 2; // RTPROT_KERNEL: ip rule show writes it only with -d
}

std::size_t nexthopIfIndex(const NexthopRow &r, std::uint32_t *out, std::size_t max)
{
    if (r.ifIndex == 0)
        return 0;
    if (max > 0)
        out[0] = r.ifIndex;
    return 1;
}

void nexthopFamilyLabel(std::string &out, const NexthopRow &r)
{
    if (r.family != Family::Unspec)
        out += familyLabel(r.family);
}

void nexthopGateway(std::string &out, const NexthopRow &r)
{
    appendAddress(out, r.gateway);
}

void nexthopDevice(std::string &out, const NexthopRow &r)
{
    if (r.ifIndex != 0)
        appendUnsigned(out, r.ifIndex);
}

void appendDeviceName(std::string &out, std::uint32_t ifIndex, std::string_view ifName)
{
    if (ifIndex == 0)
        return;
    if (!ifName.empty() && ifName.find_first_of(" \t\n") == std::string_view::npos)
        out += ifName;
    else
        appendUnsigned(out, ifIndex);
}

void nexthopDeviceNamed(std::string &out, const NexthopRow &r, std::string_view ifName)
{
    appendDeviceName(out, r.ifIndex, ifName);
}

void nexthopBlackhole(std::string &out, const NexthopRow &r)
{
    if (r.blackhole)
        out += "blackhole";
}

void nexthopGroup(std::string &out, const NexthopRow &r)
{
    // iproute2 print_nh_group(): "id[,weight]" joined by '/'.
    for (std::size_t i = 0; i < r.group.size(); ++i) {
        if (i > 0)
            out += '/';
        appendUnsigned(out, r.group[i].id);
        if (r.group[i].weight != 1) {
            out += ',';
            appendUnsigned(out, r.group[i].weight);
        }
    }
}

void nexthopGroupType(std::string &out, const NexthopRow &r)
{
    // A type belongs to a group: NHA_GROUP_TYPE's 0 on a single nexthop means nothing.
    if (r.group.empty() && r.groupType == NexthopGroupMpath)
        return;
    switch (r.groupType) {
    case NexthopGroupMpath: out += "mpath"; break;
    case NexthopGroupResilient: out += "resilient"; break;
    default: appendUnsigned(out, r.groupType); break;
    }
}

bool nexthopNotResilient(const NexthopRow &r)
{
    return r.groupType == NexthopGroupMpath;
}

bool nexthopNotGroup(const NexthopRow &r)
{
    return r.group.empty();
}

void nexthopProtocol(std::string &out, const NexthopRow &r)
{
    rtmProtocolOf(out, r.protocol);
}

bool nexthopProtocolUnspec(const NexthopRow &r)
{
    return r.protocol == 0;
}

namespace {
/// The words `ip nexthop` writes for nh_flags (iproute2 print_rt_flags), in its order.
constexpr std::array<ValueName, 7> kNexthopFlags {
    ValueName {RtnhDead, "dead"},
    ValueName {RtnhOnlink, "onlink"},
    ValueName {RtnhPervasive, "pervasive"},
    ValueName {RtnhOffload, "offload"},
    ValueName {RtnhTrap, "trap"},
    ValueName {RtnhLinkdown, "linkdown"},
    ValueName {RtnhUnresolved, "unresolved"},
};
} // namespace

void nexthopFlags(std::string &out, const NexthopRow &r)
{
    std::string text;
    appendBitNames(text, r.flags, kNexthopFlags);
    out += text;
}

void nexthopFdb(std::string &out, const NexthopRow &r)
{
    if (r.fdb)
        out += "fdb";
}

void nexthopText(std::string &out, const NexthopRow &r)
{
    nexthopNamedText(out, r, {});
}

void nexthopNamedText(std::string &out, const NexthopRow &r, std::string_view ifName)
{
    out += "id ";
    appendUnsigned(out, r.id);
    const auto &infos = fieldInfos<NexthopRow>;
    for (int i = fieldIndex<NexthopRow>("gateway"); i <= fieldIndex<NexthopRow>("fdb"); ++i) {
        const auto &info = infos[std::size_t(i)];
        // The protocol has a CSV column of its own; the group type is written when it is
        // not the default only.
        if (!info.has(InAttributes) || i == fieldIndex<NexthopRow>("protocol") || (info.absent && info.absent(r))
            || (info.usual && info.usual(r)))
            continue;
        const std::size_t before = out.size();
        out += ' ';
        if (!info.attr.empty()) {
            out += info.attr;
            out += ' ';
        }
        const std::size_t valueAt = out.size();
        if (info.namedText)
            info.namedText(out, r, ifName);
        else
            info.text(out, r);
        if (out.size() == valueAt)
            out.resize(before);
    }
}

void entityProtocol(std::string &out, const EntityRow &e)
{
    out += protocolName(e.protocol, e.protocolSpace);
}

void entityNumber(std::string &out, const EntityRow &e)
{
    appendUnsigned(out, e.protocol);
}

int compareEntityNumber(const EntityRow &a, const EntityRow &b)
{
    return cmp(a.protocol, b.protocol);
}

std::uint64_t entityNumberKey(const EntityRow &e, bool &exact)
{
    exact = true;
    return e.protocol;
}

} // namespace fieldtext

namespace {

/// Calls f(description infos of the row's type, the row) for a row that has one.
template<typename F> void withRow(const Row &row, F &&f)
{
    std::visit(
        [&](const auto &r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (!std::is_same_v<R, std::monostate>)
                f(fieldInfos<R>, r);
        },
        row);
}

/// Calls f(description infos) of an object kind; false when it has none.
template<typename F> bool withKind(ObjectKind object, F &&f)
{
    switch (object) {
    case ObjectKind::Interface: f(fieldInfos<InterfaceRow>); return true;
    case ObjectKind::Address: f(fieldInfos<AddressRow>); return true;
    case ObjectKind::Route: f(fieldInfos<RouteRow>); return true;
    case ObjectKind::Entity: f(fieldInfos<EntityRow>); return true;
    case ObjectKind::Neighbor: f(fieldInfos<NeighborRow>); return true;
    case ObjectKind::Rule: f(fieldInfos<RuleRow>); return true;
    case ObjectKind::Nexthop: f(fieldInfos<NexthopRow>); return true;
    default: return false;
    }
}

} // namespace

FieldMask knownFields(ObjectKind object, KnownFields known)
{
    if (known == KnownFields::All)
        return kAnyField;
    switch (object) {
    case ObjectKind::Interface: return csvRowFields<InterfaceRow>;
    case ObjectKind::Address: return csvRowFields<AddressRow>;
    case ObjectKind::Route: return csvRowFields<RouteRow>;
    case ObjectKind::Entity: return csvRowFields<EntityRow>;
    case ObjectKind::Neighbor: return csvRowFields<NeighborRow>;
    case ObjectKind::Rule: return csvRowFields<RuleRow>;
    case ObjectKind::Nexthop: return csvRowFields<NexthopRow>;
    default: return 0;
    }
}

void forEachFieldText(const Row &row, const std::function<void(std::string_view name, std::string_view text)> &f,
                      KnownFields known, std::string_view ifName)
{
    std::string text;
    withRow(row, [&](const auto &infos, const auto &r) {
        const FieldMask mask = knownFieldsOf<std::decay_t<decltype(r)>>(known);
        for (std::size_t i = 0; i < infos.size(); ++i) {
            const auto &info = infos[i];
            if (!info.has(InDetails) || (info.absent && info.absent(r)))
                continue;
            text.clear();
            if (!(mask & (FieldMask(1) << i))) {
            } else if (info.namedText && info.csv != CsvColumn::IfIndex) { // the ifindex stays a number
                info.namedText(text, r, ifName);
            } else {
                info.text(text, r);
            }
            f(info.name, text);
        }
    });
}

std::vector<std::pair<std::string, std::string>> fieldTexts(const Row &row, KnownFields known, std::string_view ifName)
{
    std::vector<std::pair<std::string, std::string>> out;
    forEachFieldText(
        row, [&out](std::string_view name, std::string_view text) { out.emplace_back(name, text); }, known, ifName);
    return out;
}

void appendAttributes(std::string &out, const Row &row, KnownFields known, std::string_view ifName)
{
    withRow(row, [&out, known, ifName](const auto &infos, const auto &r) {
        const FieldMask mask = knownFieldsOf<std::decay_t<decltype(r)>>(known);
        const std::size_t start = out.size();
        for (int pass = 0; pass < 2; ++pass) { // free text last
            for (std::size_t i = 0; i < infos.size(); ++i) {
                const auto &info = infos[i];
                if (!(mask & (FieldMask(1) << i)) || !info.has(InAttributes) || info.has(FreeText) != (pass == 1)
                    || (info.absent && info.absent(r)) || (info.usual && info.usual(r)))
                    continue;
                const std::size_t before = out.size();
                if (before > start)
                    out += ' ';
                if (!info.attr.empty()) {
                    out += info.attr;
                    out += ' ';
                }
                const std::size_t valueAt = out.size();
                if (info.namedText)
                    info.namedText(out, r, ifName);
                else
                    info.text(out, r);
                if (out.size() == valueAt) // no value: leave the field out
                    out.resize(before);
            }
        }
    });
}

void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known, std::string_view ifName)
{
    // ifName names the interface of record.row(): a side on another interface (a route
    // whose first hop moved) is written by index.
    const std::uint32_t named = rowIfIndex(record.row());
    appendChanges(out, record, known, rowIfIndex(record.before) == named ? ifName : std::string_view(),
                  rowIfIndex(record.after) == named ? ifName : std::string_view());
}

void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known, std::string_view beforeName,
                   std::string_view afterName)
{
    const FieldMask changed = record.changedFields & knownFields(record.object, known);
    const auto one = [&](const auto &infos, const auto *before, const auto *after) {
        for (std::size_t i = 0; i < infos.size(); ++i) {
            if (!(changed & (FieldMask(1) << i)))
                continue;
            const auto &info = infos[i];
            if (!out.empty())
                out += "; ";
            out += info.name;
            const auto value = [&](const auto *row, std::string_view name) {
                out += ' ';
                const std::size_t at = out.size();
                if (!row) {
                } else if (info.diffText) {
                    info.diffText(out, *row);
                } else if (info.namedText && info.csv != CsvColumn::IfIndex) {
                    info.namedText(out, *row, name);
                } else {
                    info.text(out, *row);
                }
                if (out.size() == at)
                    out += '-';
            };
            value(before, beforeName);
            out += " ->";
            value(after, afterName);
        }
    };
    withRow(record.row(), [&](const auto &infos, const auto &r) {
        using R = std::decay_t<decltype(r)>;
        one(infos, std::get_if<R>(&record.before), std::get_if<R>(&record.after));
    });
}

std::string fieldList(ObjectKind object, FieldMask mask, std::string_view sep)
{
    std::string text;
    withKind(object, [&](const auto &infos) {
        for (std::size_t i = 0; i < infos.size(); ++i) {
            if (!(mask & (FieldMask(1) << i)))
                continue;
            if (!text.empty())
                text += sep;
            text += infos[i].name;
        }
    });
    return text;
}

std::string_view fieldName(ObjectKind object, int index)
{
    std::string_view name;
    withKind(object, [&](const auto &infos) {
        if (index >= 0 && std::size_t(index) < infos.size())
            name = infos[std::size_t(index)].name;
    });
    return name;
}

/// For each CsvColumn, the index of the field written there (-1: none), so that a CSV row
/// does not search the description once per cell.
template<typename R>
constexpr auto csvFieldIndex = [] {
    std::array<std::int8_t, std::size_t(CsvColumn::Table) + 1> index {};
    index.fill(-1);
    for (std::size_t i = 0; i < fieldInfos<R>.size(); ++i)
        if (fieldInfos<R>[i].csv != CsvColumn::None)
            index[std::size_t(fieldInfos<R>[i].csv)] = std::int8_t(i);
    return index;
}();

void appendCsvCell(std::string &out, const Row &row, CsvColumn column, std::string_view ifName)
{
    withRow(row, [&](const auto &infos, const auto &r) {
        using R = std::decay_t<decltype(r)>;
        if (const int i = csvFieldIndex<R>[std::size_t(column)]; i >= 0) {
            const auto &info = infos[std::size_t(i)];
            // if_index is the number whatever else names the interface.
            if (info.namedText && column != CsvColumn::IfIndex)
                info.namedText(out, r, ifName);
            else
                info.text(out, r);
        }
    });
}

std::uint32_t rowIfIndex(const Row &row)
{
    if (const auto *i = std::get_if<InterfaceRow>(&row))
        return i->ifIndex;
    if (const auto *a = std::get_if<AddressRow>(&row))
        return a->ifIndex;
    if (const auto *r = std::get_if<RouteRow>(&row))
        return r->outIfIndex();
    if (const auto *n = std::get_if<NeighborRow>(&row))
        return n->ifIndex;
    if (const auto *h = std::get_if<NexthopRow>(&row))
        return h->ifIndex;
    return 0;
}

namespace {
bool parseNumber(std::string_view text, std::uint64_t &v, int base = 10)
{
    if (base == 16) {
        if (text == "0") {
            v = 0;
            return true;
        }
        if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
            return false;
        text.remove_prefix(2);
    }
    if (text.empty())
        return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    return ec == std::errc() && end == text.data() + text.size();
}

template<typename T> bool parseBounded(std::string_view text, T &out, std::uint64_t max, int base = 10)
{
    std::uint64_t v = 0;
    if (!parseNumber(text, v, base) || v > max)
        return false;
    out = T(v);
    return true;
}

bool parseSigned(std::string_view text, std::int32_t &out)
{
    if (text.empty())
        return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

/// "A" or "A-B" into start, end (end = start for "A").
template<typename T> bool parseRange(std::string_view text, T &start, T &end, std::uint64_t max)
{
    const std::size_t dash = text.find('-');
    if (!parseBounded(text.substr(0, dash), start, max))
        return false;
    if (dash == std::string_view::npos) {
        end = start;
        return true;
    }
    return parseBounded(text.substr(dash + 1), end, max);
}

/// "10.1.0.0/16", "10.1.0.1" (a host), "0/8" (a length alone).
bool parsePrefix(std::string_view text, IpAddress &address, std::uint8_t &length)
{
    const std::size_t slash = text.find('/');
    const std::string_view addressText = text.substr(0, slash);
    if (addressText == "0" && slash != std::string_view::npos) {
        address = IpAddress {};
    } else {
        address = IpAddress::parse(std::string(addressText));
        if (address.family == Family::Unspec)
            return false;
    }
    const std::uint64_t maxLength = address.family == Family::Unspec ? 128 : address.byteLength() * 8;
    if (slash == std::string_view::npos) {
        length = std::uint8_t(maxLength);
        return true;
    }
    return parseBounded(text.substr(slash + 1), length, maxLength);
}

bool parseTable(std::string_view text, std::uint32_t &table)
{
    if (text == "main")
        table = 254;
    else if (text == "local")
        table = 255;
    else if (text == "default")
        table = 253;
    else
        return parseBounded(text, table, 0xffffffffu);
    return true;
}

// The words of a text as `ip` prints it, read one after the other (runs of spaces are one).
class Words {
public:
    explicit Words(std::string_view text)
    {
        while (!text.empty()) {
            const std::size_t space = text.find(' ');
            if (space != 0)
                m_words.push_back(text.substr(0, space));
            text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        }
    }
    /// The next word in value; false (value unchanged) after the last.
    bool next(std::string_view &value)
    {
        if (m_next >= m_words.size())
            return false;
        value = m_words[m_next++];
        return true;
    }

private:
    std::vector<std::string_view> m_words;
    std::size_t m_next = 0;
};

} // namespace

bool parseRuleText(std::string_view text, RuleRow &row)
{
    const RuleRow kept = row;
    row = RuleRow {};
    row.family = kept.family;
    row.priority = kept.priority;
    row.protocol = kept.protocol;
    Words words(text);
    bool sawFrom = false;
    for (std::string_view word; words.next(word);) {
        std::string_view v;
        if (word == "not") {
            row.invert = true;
        } else if (word == "nop") {
            row.action = RuleNop;
        } else if (word == "blackhole") {
            row.action = RuleBlackhole;
        } else if (word == "unreachable") {
            row.action = RuleUnreachable;
        } else if (word == "prohibit") {
            row.action = RuleProhibit;
        } else if (!words.next(v)) {
            return false; // every other word takes a value
        } else if (word == "from") {
            sawFrom = true;
            if (v != "all" && !parsePrefix(v, row.source, row.sourceLength))
                return false;
        } else if (word == "to") {
            if (!parsePrefix(v, row.destination, row.destinationLength))
                return false;
        } else if (word == "tos") {
            if (!parseBounded(v, row.tos, 0xff, 16))
                return false;
        } else if (word == "fwmark") {
            const std::size_t slash = v.find('/');
            if (!parseBounded(v.substr(0, slash), row.fwmark, 0xffffffffu, 16))
                return false;
            row.fwmask = 0xffffffffu;
            if (slash != std::string_view::npos && !parseBounded(v.substr(slash + 1), row.fwmask, 0xffffffffu, 16))
                return false;
        } else if (word == "iif") {
            row.inputInterface = std::string(v);
        } else if (word == "oif") {
            row.outputInterface = std::string(v);
        } else if (word == "lookup") {
            if (v == "[l3mdev-table]")
                row.l3mdev = 1;
            else if (!parseTable(v, row.table))
                return false;
        } else if (word == "uidrange") {
            row.hasUidRange = true;
            if (v.find('-') == std::string_view::npos || !parseRange(v, row.uidStart, row.uidEnd, 0xffffffffu))
                return false;
        } else if (word == "ipproto") {
            bool named = false;
            for (const ValueName &n : fieldtext::kIpProtoNames)
                if (n.name == v) {
                    row.ipProto = std::uint8_t(n.value);
                    named = true;
                }
            if (!named
                && !(v.substr(0, 8) == "ipproto-" ? parseBounded(v.substr(8), row.ipProto, 255)
                                                  : parseBounded(v, row.ipProto, 255)))
                return false;
        } else if (word == "sport") {
            if (!parseRange(v, row.sportStart, row.sportEnd, 0xffff))
                return false;
        } else if (word == "dport") {
            if (!parseRange(v, row.dportStart, row.dportEnd, 0xffff))
                return false;
        } else if (word == "tun_id") {
            std::uint64_t id = 0;
            if (!parseNumber(v, id))
                return false;
            row.tunId = id;
        } else if (word == "suppress_prefixlength") {
            if (!parseSigned(v, row.suppressPrefixLength))
                return false;
        } else if (word == "suppress_ifgroup") {
            if (v == "default")
                row.suppressIfgroup = 0;
            else if (!parseSigned(v, row.suppressIfgroup))
                return false;
        } else if (word == "goto") {
            row.action = RuleGoto;
            if (!parseBounded(v, row.gotoPriority, 0xffffffffu))
                return false;
        } else if (word == "action") {
            if (!parseBounded(v, row.action, 0xff))
                return false;
        } else {
            return false;
        }
    }
    return sawFrom;
}

bool parseNexthopText(std::string_view text, NexthopRow &row, std::string_view *device)
{
    const std::uint8_t protocol = row.protocol;
    row = NexthopRow {};
    row.protocol = protocol;
    Words words(text);
    bool sawId = false;
    for (std::string_view word; words.next(word);) {
        std::string_view v;
        bool flag = false;
        for (const ValueName &n : fieldtext::kNexthopFlags)
            if (n.name == word) {
                row.flags |= n.value;
                flag = true;
            }
        if (flag) {
            continue;
        } else if (word.substr(0, 2) == "0x") { // flag bits without a name
            std::uint32_t bits = 0;
            if (!parseBounded(word, bits, 0xffffffffu, 16))
                return false;
            row.flags |= bits;
        } else if (word == "blackhole") {
            row.blackhole = true;
        } else if (word == "fdb") {
            row.fdb = true;
        } else if (!words.next(v)) {
            return false; // every other word takes a value
        } else if (word == "id") {
            sawId = true;
            if (!parseBounded(v, row.id, 0xffffffffu) || row.id == 0)
                return false;
        } else if (word == "via") {
            row.gateway = IpAddress::parse(std::string(v));
            if (row.gateway.family == Family::Unspec)
                return false;
        } else if (word == "dev") {
            // A name (nexthopNamedText) or the index (nexthopText).
            if (device)
                *device = v;
            const bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits ? !parseBounded(v, row.ifIndex, 0xffffffffu) : !device)
                return false;
        } else if (word == "group") {
            while (!v.empty()) {
                const std::size_t slash = v.find('/');
                const std::string_view member = v.substr(0, slash);
                v = slash == std::string_view::npos ? std::string_view() : v.substr(slash + 1);
                const std::size_t comma = member.find(',');
                NexthopGroupMember m;
                if (!parseBounded(member.substr(0, comma), m.id, 0xffffffffu)
                    || (comma != std::string_view::npos
                        && (!parseBounded(member.substr(comma + 1), m.weight, 0x10000u) || m.weight == 0)))
                    return false;
                row.group.push_back(m);
                if (slash != std::string_view::npos && v.empty())
                    return false; // a trailing '/'
            }
            if (row.group.empty())
                return false;
        } else if (word == "type") {
            if (v == "mpath")
                row.groupType = NexthopGroupMpath;
            else if (v == "resilient")
                row.groupType = NexthopGroupResilient;
            else if (!parseBounded(v, row.groupType, 0xffff))
                return false;
        } else {
            return false;
        }
    }
    return sawId;
}

} // namespace ncv::platform

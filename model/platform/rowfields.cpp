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
            appendUnsigned(out, hop.ifIndex);
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
    default: return 0;
    }
}

void forEachFieldText(const Row &row, const std::function<void(std::string_view name, std::string_view text)> &f,
                      KnownFields known)
{
    std::string text;
    withRow(row, [&](const auto &infos, const auto &r) {
        const FieldMask mask = knownFieldsOf<std::decay_t<decltype(r)>>(known);
        for (std::size_t i = 0; i < infos.size(); ++i) {
            const auto &info = infos[i];
            if (!info.has(InDetails) || (info.absent && info.absent(r)))
                continue;
            text.clear();
            if (mask & (FieldMask(1) << i))
                info.text(text, r);
            f(info.name, text);
        }
    });
}

std::vector<std::pair<std::string, std::string>> fieldTexts(const Row &row, KnownFields known)
{
    std::vector<std::pair<std::string, std::string>> out;
    forEachFieldText(
        row, [&out](std::string_view name, std::string_view text) { out.emplace_back(name, text); }, known);
    return out;
}

void appendAttributes(std::string &out, const Row &row, KnownFields known)
{
    withRow(row, [&out, known](const auto &infos, const auto &r) {
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
                info.text(out, r);
                if (out.size() == valueAt) // no value: leave the field out
                    out.resize(before);
            }
        }
    });
}

void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known)
{
    const FieldMask changed = record.changedFields & knownFields(record.object, known);
    const auto one = [&out, changed](const auto &infos, const auto *before, const auto *after) {
        for (std::size_t i = 0; i < infos.size(); ++i) {
            if (!(changed & (FieldMask(1) << i)))
                continue;
            const auto &info = infos[i];
            if (!out.empty())
                out += "; ";
            out += info.name;
            const auto value = [&](const auto *row) {
                out += ' ';
                const std::size_t at = out.size();
                if (row)
                    (info.diffText ? info.diffText : info.text)(out, *row);
                if (out.size() == at)
                    out += '-';
            };
            value(before);
            out += " ->";
            value(after);
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

void appendCsvCell(std::string &out, const Row &row, CsvColumn column)
{
    withRow(row, [&](const auto &infos, const auto &r) {
        using R = std::decay_t<decltype(r)>;
        if (const int i = csvFieldIndex<R>[std::size_t(column)]; i >= 0)
            infos[std::size_t(i)].text(out, r);
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
    return 0;
}

} // namespace ncv::platform

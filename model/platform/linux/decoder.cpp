// SPDX-License-Identifier: GPL-2.0-or-later
// Netlink message decoder (see decoder.h). Runs on RtnetlinkSource's reader thread.
#include "platform/linux/decoder.h"

#include "platform/textescape.h"

#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>
#include <vector>

namespace ncv::platform::netlink {

namespace {

// Attribute index tables: pointers to the last occurrence of each type up to Max.
template<std::size_t Max> using AttrTable = std::array<const nlattr *, Max + 1>;

const char *messageName(std::uint16_t type)
{
    switch (type) {
    case RTM_NEWLINK: return "RTM_NEWLINK";
    case RTM_DELLINK: return "RTM_DELLINK";
    case RTM_NEWADDR: return "RTM_NEWADDR";
    case RTM_DELADDR: return "RTM_DELADDR";
    case RTM_NEWROUTE: return "RTM_NEWROUTE";
    case RTM_DELROUTE: return "RTM_DELROUTE";
    case RTM_NEWNEIGH: return "RTM_NEWNEIGH";
    case RTM_DELNEIGH: return "RTM_DELNEIGH";
    case RTM_NEWRULE: return "RTM_NEWRULE";
    case RTM_DELRULE: return "RTM_DELRULE";
    case RTM_NEWNEXTHOP: return "RTM_NEWNEXTHOP";
    case RTM_DELNEXTHOP: return "RTM_DELNEXTHOP";
    case RTM_NEWNSID: return "RTM_NEWNSID";
    case RTM_DELNSID: return "RTM_DELNSID";
    default: return "message";
    }
}

void fail(std::string &reason, const char *msg, const char *what, const char *detail)
{
    reason.assign(msg);
    reason.append(": ");
    reason.append(what);
    reason.append(detail);
}

/// Walks the attributes in [start, start+len) into tb. Every attribute header and
/// payload must lie inside the range; types above Max are ignored.
template<std::size_t Max>
bool collect(const void *start, std::size_t len, AttrTable<Max> &tb, std::string &reason, const char *msg)
{
    tb.fill(nullptr);
    if (len > 0x7fffffff) {
        fail(reason, msg, "attribute area too large", "");
        return false;
    }
    int remaining = static_cast<int>(len);
    auto *attr = static_cast<const nlattr *>(start);
    while (remaining > 0) {
        if (!mnl_attr_ok(attr, remaining)) {
            fail(reason, msg, "truncated or malformed attribute", "");
            return false;
        }
        const std::uint16_t type = mnl_attr_get_type(attr);
        if (type <= Max)
            tb[type] = attr;
        const int step = static_cast<int>(MNL_ALIGN(mnl_attr_get_len(attr)));
        remaining -= step;
        attr = reinterpret_cast<const nlattr *>(reinterpret_cast<const char *>(attr) + step);
    }
    return true;
}

std::uint16_t payloadLen(const nlattr *a)
{
    return mnl_attr_get_payload_len(a);
}

bool readU32(const nlattr *a, std::uint32_t &value, std::string &reason, const char *msg, const char *name)
{
    if (payloadLen(a) != sizeof(std::uint32_t)) {
        fail(reason, msg, name, " is not a u32");
        return false;
    }
    std::memcpy(&value, mnl_attr_get_payload(a), sizeof value);
    return true;
}

bool readU8(const nlattr *a, std::uint8_t &value, std::string &reason, const char *msg, const char *name)
{
    if (payloadLen(a) != sizeof(std::uint8_t)) {
        fail(reason, msg, name, " is not a u8");
        return false;
    }
    std::memcpy(&value, mnl_attr_get_payload(a), sizeof value);
    return true;
}

/// A string attribute as text: its bytes up to the first NUL or the payload's end (NUL
/// not required), made valid UTF-8 by textFromBytes (names and aliases are bytes to the
/// kernel; the escape keeps them recoverable).
void readString(const nlattr *a, std::string &out)
{
    const auto *p = static_cast<const char *>(mnl_attr_get_payload(a));
    out = textFromBytes(std::string_view(p, strnlen(p, payloadLen(a))));
}

bool readAddress(const nlattr *a, Family family, IpAddress &out, std::string &reason, const char *msg, const char *name)
{
    const std::size_t want = family == Family::IPv4 ? 4 : 16;
    if (payloadLen(a) != want) {
        fail(reason, msg, name, family == Family::IPv4 ? " is not 4 bytes" : " is not 16 bytes");
        return false;
    }
    out = IpAddress::fromBytes(family, mnl_attr_get_payload(a), want);
    return true;
}

/// RTA_VIA: struct rtvia { sa_family_t family; u8 addr[]; }, family may differ from the route's.
bool readVia(const nlattr *a, IpAddress &out, std::string &reason, const char *msg)
{
    const std::size_t len = payloadLen(a);
    std::uint16_t af = 0;
    if (len < sizeof af) {
        fail(reason, msg, "RTA_VIA", " too short");
        return false;
    }
    std::memcpy(&af, mnl_attr_get_payload(a), sizeof af);
    const Family family = af == AF_INET ? Family::IPv4 : af == AF_INET6 ? Family::IPv6 : Family::Unspec;
    const std::size_t want = family == Family::IPv4 ? 4 : family == Family::IPv6 ? 16 : 0;
    if (want == 0) {
        fail(reason, msg, "RTA_VIA", " has an unsupported address family");
        return false;
    }
    if (len != sizeof af + want) {
        fail(reason, msg, "RTA_VIA", " has the wrong length");
        return false;
    }
    out = IpAddress::fromBytes(family, static_cast<const char *>(mnl_attr_get_payload(a)) + sizeof af, want);
    return true;
}

/// Copies the fixed header T at the start of nlh's payload into header (the payload may be
/// unaligned); false with reason set ("shorter than struct T") when the payload is shorter.
template<typename T>
bool readFixedHeader(const nlmsghdr *nlh, T &header, const char *msg, const char *shorter, std::string &reason)
{
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(T)) {
        fail(reason, msg, shorter, "");
        return false;
    }
    std::memcpy(&header, mnl_nlmsg_get_payload(nlh), sizeof header);
    return true;
}

/// collect() over the attributes that follow the fixed header T (at its aligned end).
template<typename T, typename Table>
bool collectAfterHeader(const nlmsghdr *nlh, Table &tb, std::string &reason, const char *msg)
{
    const std::size_t payload = mnl_nlmsg_get_payload_len(nlh);
    const std::size_t offset = MNL_ALIGN(sizeof(T));
    return collect<std::tuple_size_v<Table> - 1>(static_cast<const char *>(mnl_nlmsg_get_payload(nlh)) + offset,
                                                 payload > offset ? payload - offset : 0, tb, reason, msg);
}

Family familyOfAf(int af)
{
    return af == AF_INET ? Family::IPv4 : af == AF_INET6 ? Family::IPv6 : Family::Unspec;
}

std::int64_t absoluteFromSeconds(std::int64_t nowUs, std::uint32_t seconds)
{
    if (seconds == kInfiniteLifetime)
        return 0;
    return nowUs + std::int64_t(seconds) * 1000000;
}

} // namespace

long userHz()
{
    static const long hz = [] {
        const long v = sysconf(_SC_CLK_TCK);
        return v > 0 ? v : 100;
    }();
    return hz;
}

std::string kindFromLinkType(unsigned linkType)
{
    switch (linkType) {
    case ARPHRD_LOOPBACK: return "loopback";
    case ARPHRD_ETHER: return "ether";
    case ARPHRD_NONE: return "none";
    case ARPHRD_TUNNEL: return "ipip";
    case ARPHRD_TUNNEL6: return "ip6tnl";
    case ARPHRD_SIT: return "sit";
    case ARPHRD_IPGRE: return "gre";
    case ARPHRD_IP6GRE: return "ip6gre";
    case ARPHRD_PPP: return "ppp";
    case ARPHRD_INFINIBAND: return "infiniband";
    case ARPHRD_IEEE80211:
    case ARPHRD_IEEE80211_RADIOTAP: return "wlan";
    case ARPHRD_CAN: return "can";
    case ARPHRD_VOID: return "void";
    case ARPHRD_RAWIP: return "rawip";
    case ARPHRD_IEEE802154: return "wpan";
    default: return "arphrd-" + std::to_string(linkType);
    }
}

DecodeStatus decodeLink(const nlmsghdr *nlh, InterfaceRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    ifinfomsg ifi;
    if (!readFixedHeader(nlh, ifi, msg, "shorter than struct ifinfomsg", reason))
        return DecodeStatus::Error;
    if (ifi.ifi_family != AF_UNSPEC) {
        // AF_BRIDGE: bridge port information (a port leaving a bridge sends RTM_DELLINK
        // with AF_BRIDGE while the interface itself stays); not the interface.
        fail(reason, msg, "not an AF_UNSPEC link message (bridge port or per-family info)", "");
        return DecodeStatus::Skip;
    }
    if (ifi.ifi_index <= 0) {
        fail(reason, msg, "ifi_index is not positive", "");
        return DecodeStatus::Error;
    }
    AttrTable<IFLA_MAX> tb;
    if (!collectAfterHeader<ifinfomsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;

    row.ifIndex = static_cast<std::uint32_t>(ifi.ifi_index);
    row.luid = 0;
    row.family = Family::Unspec;
    row.linkType = ifi.ifi_type;
    row.adminUp = (ifi.ifi_flags & IFF_UP) != 0;
    row.carrier = (ifi.ifi_flags & IFF_LOWER_UP) != 0;
    row.name.clear();
    row.alias.clear();
    row.kind.clear();
    row.operState = OperState::Unknown;
    row.mtu = 0;
    row.macLength = 0;
    row.mac.fill(0);
    row.masterIndex = 0;

    if (tb[IFLA_IFNAME])
        readString(tb[IFLA_IFNAME], row.name);
    if (tb[IFLA_IFALIAS])
        readString(tb[IFLA_IFALIAS], row.alias);
    if (tb[IFLA_LINKINFO]) {
        AttrTable<IFLA_INFO_MAX> info;
        if (!collect<IFLA_INFO_MAX>(mnl_attr_get_payload(tb[IFLA_LINKINFO]), payloadLen(tb[IFLA_LINKINFO]), info,
                                    reason, msg))
            return DecodeStatus::Error;
        if (info[IFLA_INFO_KIND])
            readString(info[IFLA_INFO_KIND], row.kind);
    }
    if (row.kind.empty())
        row.kind = kindFromLinkType(ifi.ifi_type);
    if (tb[IFLA_OPERSTATE]) {
        std::uint8_t v = 0;
        if (!readU8(tb[IFLA_OPERSTATE], v, reason, msg, "IFLA_OPERSTATE"))
            return DecodeStatus::Error;
        row.operState = v <= static_cast<std::uint8_t>(OperState::Up) ? static_cast<OperState>(v) : OperState::Unknown;
    }
    if (tb[IFLA_CARRIER]) {
        std::uint8_t v = 0;
        if (!readU8(tb[IFLA_CARRIER], v, reason, msg, "IFLA_CARRIER"))
            return DecodeStatus::Error;
        row.carrier = v != 0;
    }
    if (tb[IFLA_MTU] && !readU32(tb[IFLA_MTU], row.mtu, reason, msg, "IFLA_MTU"))
        return DecodeStatus::Error;
    if (tb[IFLA_MASTER] && !readU32(tb[IFLA_MASTER], row.masterIndex, reason, msg, "IFLA_MASTER"))
        return DecodeStatus::Error;
    if (tb[IFLA_ADDRESS]) {
        const std::size_t n = std::min<std::size_t>(payloadLen(tb[IFLA_ADDRESS]), row.mac.size());
        std::memcpy(row.mac.data(), mnl_attr_get_payload(tb[IFLA_ADDRESS]), n);
        row.macLength = static_cast<std::uint8_t>(n);
    }
    return DecodeStatus::Ok;
}

DecodeStatus decodeAddress(const nlmsghdr *nlh, std::int64_t nowUs, AddressRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    ifaddrmsg ifa;
    if (!readFixedHeader(nlh, ifa, msg, "shorter than struct ifaddrmsg", reason))
        return DecodeStatus::Error;
    const Family family = familyOfAf(ifa.ifa_family);
    if (family == Family::Unspec) {
        fail(reason, msg, "address family is neither AF_INET nor AF_INET6", "");
        return DecodeStatus::Skip;
    }
    if (ifa.ifa_prefixlen > (family == Family::IPv4 ? 32 : 128)) {
        fail(reason, msg, "ifa_prefixlen is too large", "");
        return DecodeStatus::Error;
    }
    AttrTable<IFA_MAX> tb;
    if (!collectAfterHeader<ifaddrmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;

    IpAddress local, address;
    if (tb[IFA_LOCAL] && !readAddress(tb[IFA_LOCAL], family, local, reason, msg, "IFA_LOCAL"))
        return DecodeStatus::Error;
    if (tb[IFA_ADDRESS] && !readAddress(tb[IFA_ADDRESS], family, address, reason, msg, "IFA_ADDRESS"))
        return DecodeStatus::Error;
    if (!tb[IFA_LOCAL] && !tb[IFA_ADDRESS]) {
        fail(reason, msg, "has neither IFA_LOCAL nor IFA_ADDRESS", "");
        return DecodeStatus::Error;
    }

    row.ifIndex = ifa.ifa_index;
    row.luid = 0;
    row.prefixLength = ifa.ifa_prefixlen;
    row.scope = ifa.ifa_scope;
    row.flags = ifa.ifa_flags;
    if (tb[IFA_LOCAL]) {
        row.address = local;
        row.peer = (tb[IFA_ADDRESS] && address != local) ? address : IpAddress {};
    } else {
        row.address = address;
        row.peer = IpAddress {};
    }
    if (tb[IFA_FLAGS] && !readU32(tb[IFA_FLAGS], row.flags, reason, msg, "IFA_FLAGS"))
        return DecodeStatus::Error;
    row.validLifetime = kInfiniteLifetime;
    row.preferredLifetime = kInfiniteLifetime;
    row.validUntilUs = 0;
    row.preferredUntilUs = 0;
    if (tb[IFA_CACHEINFO]) {
        if (payloadLen(tb[IFA_CACHEINFO]) < sizeof(ifa_cacheinfo)) {
            fail(reason, msg, "IFA_CACHEINFO", " is too short");
            return DecodeStatus::Error;
        }
        ifa_cacheinfo ci;
        std::memcpy(&ci, mnl_attr_get_payload(tb[IFA_CACHEINFO]), sizeof ci);
        row.validLifetime = ci.ifa_valid;
        row.preferredLifetime = ci.ifa_prefered;
        row.validUntilUs = absoluteFromSeconds(nowUs, ci.ifa_valid);
        row.preferredUntilUs = absoluteFromSeconds(nowUs, ci.ifa_prefered);
    }
    row.label.clear();
    if (tb[IFA_LABEL])
        readString(tb[IFA_LABEL], row.label);
    return DecodeStatus::Ok;
}

DecodeStatus decodeRoute(const nlmsghdr *nlh, std::int64_t nowUs, RouteRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    rtmsg rtm;
    if (!readFixedHeader(nlh, rtm, msg, "shorter than struct rtmsg", reason))
        return DecodeStatus::Error;
    const Family family = familyOfAf(rtm.rtm_family);
    if (family == Family::Unspec) {
        fail(reason, msg, "route family is neither AF_INET nor AF_INET6", "");
        return DecodeStatus::Skip;
    }
    if (rtm.rtm_flags & RTM_F_CLONED) {
        fail(reason, msg, "cloned (cache) route", "");
        return DecodeStatus::Skip;
    }
    if (rtm.rtm_dst_len > (family == Family::IPv4 ? 32 : 128)) {
        fail(reason, msg, "rtm_dst_len is too large", "");
        return DecodeStatus::Error;
    }
    AttrTable<RTA_MAX> tb;
    if (!collectAfterHeader<rtmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;

    // Every member back to its default (what an absent attribute means); the next-hop
    // vector keeps its capacity (row is reused message after message).
    std::vector<NextHop> hops = std::move(row.nextHops);
    hops.clear();
    row = RouteRow {};
    row.nextHops = std::move(hops);
    row.destination.family = family;
    row.prefixLength = rtm.rtm_dst_len;
    row.tos = rtm.rtm_tos;
    row.protocol = rtm.rtm_protocol;
    row.protocolSpace = ProtocolSpace::RtmProtocol;
    row.scope = rtm.rtm_scope;
    row.type = rtm.rtm_type;
    row.table = rtm.rtm_table;

    if (tb[RTA_DST] && !readAddress(tb[RTA_DST], family, row.destination, reason, msg, "RTA_DST"))
        return DecodeStatus::Error;
    if (tb[RTA_TABLE] && !readU32(tb[RTA_TABLE], row.table, reason, msg, "RTA_TABLE"))
        return DecodeStatus::Error;
    if (tb[RTA_PRIORITY] && !readU32(tb[RTA_PRIORITY], row.metric, reason, msg, "RTA_PRIORITY"))
        return DecodeStatus::Error;
    if (tb[RTA_PREFSRC] && !readAddress(tb[RTA_PREFSRC], family, row.prefSrc, reason, msg, "RTA_PREFSRC"))
        return DecodeStatus::Error;
    if (tb[RTA_NH_ID] && !readU32(tb[RTA_NH_ID], row.nhId, reason, msg, "RTA_NH_ID"))
        return DecodeStatus::Error;
    if (tb[RTA_PREF] && !readU8(tb[RTA_PREF], row.pref, reason, msg, "RTA_PREF"))
        return DecodeStatus::Error;
    if (tb[RTA_CACHEINFO]) {
        if (payloadLen(tb[RTA_CACHEINFO]) < sizeof(rta_cacheinfo)) {
            fail(reason, msg, "RTA_CACHEINFO", " is too short");
            return DecodeStatus::Error;
        }
        rta_cacheinfo ci;
        std::memcpy(&ci, mnl_attr_get_payload(tb[RTA_CACHEINFO]), sizeof ci);
        const std::int32_t ticks = static_cast<std::int32_t>(ci.rta_expires);
        if (ticks > 0)
            row.expiresUs = nowUs + std::int64_t(ticks) * 1000000 / userHz();
        else if (ticks < 0)
            row.expiresUs = nowUs; // already past its expiry
    }

    if (tb[RTA_MULTIPATH]) {
        const auto *p = static_cast<const char *>(mnl_attr_get_payload(tb[RTA_MULTIPATH]));
        std::size_t remaining = payloadLen(tb[RTA_MULTIPATH]);
        while (remaining > 0) {
            rtnexthop rtnh;
            if (remaining < sizeof rtnh) {
                fail(reason, msg, "RTA_MULTIPATH", " has a truncated rtnexthop");
                return DecodeStatus::Error;
            }
            std::memcpy(&rtnh, p, sizeof rtnh);
            if (rtnh.rtnh_len < sizeof rtnh || rtnh.rtnh_len > remaining) {
                fail(reason, msg, "RTA_MULTIPATH", " has an rtnexthop with a bad length");
                return DecodeStatus::Error;
            }
            NextHop hop;
            hop.ifIndex = static_cast<std::uint32_t>(rtnh.rtnh_ifindex);
            hop.weight = static_cast<std::uint16_t>(rtnh.rtnh_hops + 1);
            AttrTable<RTA_MAX> nh;
            const std::size_t hdr = RTNH_ALIGN(sizeof rtnh);
            if (!collect<RTA_MAX>(p + hdr, rtnh.rtnh_len > hdr ? rtnh.rtnh_len - hdr : 0, nh, reason, msg))
                return DecodeStatus::Error;
            if (nh[RTA_GATEWAY] && !readAddress(nh[RTA_GATEWAY], family, hop.gateway, reason, msg, "RTA_GATEWAY"))
                return DecodeStatus::Error;
            if (nh[RTA_VIA] && !readVia(nh[RTA_VIA], hop.gateway, reason, msg))
                return DecodeStatus::Error;
            row.nextHops.push_back(hop);
            const std::size_t step = RTNH_ALIGN(rtnh.rtnh_len);
            if (step >= remaining)
                break;
            remaining -= step;
            p += step;
        }
        if (family == Family::IPv6) {
            // IPv6 multipath routes are sibling lists: a notification lists the announced
            // sibling first, a dump the list in insertion order. Sorted, both compare equal.
            std::sort(row.nextHops.begin(), row.nextHops.end(), [](const NextHop &a, const NextHop &b) {
                return std::tie(a.ifIndex, a.gateway, a.weight) < std::tie(b.ifIndex, b.gateway, b.weight);
            });
        }
    } else {
        NextHop hop;
        if (tb[RTA_GATEWAY] && !readAddress(tb[RTA_GATEWAY], family, hop.gateway, reason, msg, "RTA_GATEWAY"))
            return DecodeStatus::Error;
        if (tb[RTA_VIA] && !readVia(tb[RTA_VIA], hop.gateway, reason, msg))
            return DecodeStatus::Error;
        if (tb[RTA_OIF] && !readU32(tb[RTA_OIF], hop.ifIndex, reason, msg, "RTA_OIF"))
            return DecodeStatus::Error;
        if (tb[RTA_GATEWAY] || tb[RTA_VIA] || tb[RTA_OIF])
            row.nextHops.push_back(hop);
    }
    return DecodeStatus::Ok;
}

DecodeStatus decodeNeighbor(const nlmsghdr *nlh, NeighborRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    ndmsg ndm;
    if (!readFixedHeader(nlh, ndm, msg, "shorter than struct ndmsg", reason))
        return DecodeStatus::Error;
    const Family family = familyOfAf(ndm.ndm_family);
    if (family == Family::Unspec) {
        fail(reason, msg, "family is neither AF_INET nor AF_INET6 (a bridge FDB entry)", "");
        return DecodeStatus::Skip;
    }
    AttrTable<NDA_MAX> tb;
    if (!collectAfterHeader<ndmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;
    if (!tb[NDA_DST]) {
        fail(reason, msg, "has no NDA_DST", "");
        return DecodeStatus::Error;
    }
    if (!readAddress(tb[NDA_DST], family, row.address, reason, msg, "NDA_DST"))
        return DecodeStatus::Error;
    row.ifIndex = static_cast<std::uint32_t>(ndm.ndm_ifindex);
    row.luid = 0;
    row.state = ndm.ndm_state;
    row.flags = ndm.ndm_flags;
    row.type = ndm.ndm_type;
    row.lladdrLength = 0;
    row.lladdr = {};
    if (tb[NDA_LLADDR]) {
        const std::size_t n = std::min<std::size_t>(payloadLen(tb[NDA_LLADDR]), row.lladdr.size());
        std::memcpy(row.lladdr.data(), mnl_attr_get_payload(tb[NDA_LLADDR]), n);
        row.lladdrLength = static_cast<std::uint8_t>(n);
    }
    row.extFlags = 0;
    if (tb[NDA_FLAGS_EXT] && !readU32(tb[NDA_FLAGS_EXT], row.extFlags, reason, msg, "NDA_FLAGS_EXT"))
        return DecodeStatus::Error;
    row.protocol = 0;
    if (tb[NDA_PROTOCOL] && !readU8(tb[NDA_PROTOCOL], row.protocol, reason, msg, "NDA_PROTOCOL"))
        return DecodeStatus::Error;
    return DecodeStatus::Ok;
}

DecodeStatus decodeRule(const nlmsghdr *nlh, RuleRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    fib_rule_hdr frh;
    if (!readFixedHeader(nlh, frh, msg, "shorter than struct fib_rule_hdr", reason))
        return DecodeStatus::Error;
    const Family family = familyOfAf(frh.family);
    if (family == Family::Unspec) {
        fail(reason, msg, "family is neither AF_INET nor AF_INET6 (an ipmr / ip6mr or decnet rule)", "");
        return DecodeStatus::Skip;
    }
    AttrTable<FRA_MAX> tb;
    if (!collectAfterHeader<fib_rule_hdr>(nlh, tb, reason, msg))
        return DecodeStatus::Error;
    const std::uint8_t maxLength = family == Family::IPv4 ? 32 : 128;
    if (frh.src_len > maxLength || frh.dst_len > maxLength) {
        fail(reason, msg, "src_len or dst_len is longer than the family's addresses", "");
        return DecodeStatus::Error;
    }
    row = RuleRow {};
    row.family = family;
    row.sourceLength = frh.src_len;
    row.destinationLength = frh.dst_len;
    row.tos = frh.tos;
    row.action = frh.action;
    row.table = frh.table;
    // FIB_RULE_INVERT is the rule's; the other flags are state the kernel sets when it
    // answers (iif / oif detached, goto unresolved) and changes without a notification.
    row.invert = (frh.flags & FIB_RULE_INVERT) != 0;
    if (tb[FRA_SRC] && !readAddress(tb[FRA_SRC], family, row.source, reason, msg, "FRA_SRC"))
        return DecodeStatus::Error;
    if (tb[FRA_DST] && !readAddress(tb[FRA_DST], family, row.destination, reason, msg, "FRA_DST"))
        return DecodeStatus::Error;
    if (tb[FRA_PRIORITY] && !readU32(tb[FRA_PRIORITY], row.priority, reason, msg, "FRA_PRIORITY"))
        return DecodeStatus::Error;
    if (tb[FRA_IIFNAME])
        readString(tb[FRA_IIFNAME], row.inputInterface);
    if (tb[FRA_OIFNAME])
        readString(tb[FRA_OIFNAME], row.outputInterface);
    if (tb[FRA_FWMARK] && !readU32(tb[FRA_FWMARK], row.fwmark, reason, msg, "FRA_FWMARK"))
        return DecodeStatus::Error;
    if (tb[FRA_FWMASK] && !readU32(tb[FRA_FWMASK], row.fwmask, reason, msg, "FRA_FWMASK"))
        return DecodeStatus::Error;
    if (tb[FRA_TABLE] && !readU32(tb[FRA_TABLE], row.table, reason, msg, "FRA_TABLE"))
        return DecodeStatus::Error;
    if (tb[FRA_GOTO] && !readU32(tb[FRA_GOTO], row.gotoPriority, reason, msg, "FRA_GOTO"))
        return DecodeStatus::Error;
    std::uint32_t suppress = 0;
    if (tb[FRA_SUPPRESS_PREFIXLEN]) {
        if (!readU32(tb[FRA_SUPPRESS_PREFIXLEN], suppress, reason, msg, "FRA_SUPPRESS_PREFIXLEN"))
            return DecodeStatus::Error;
        row.suppressPrefixLength = std::int32_t(suppress);
    }
    if (tb[FRA_SUPPRESS_IFGROUP]) {
        if (!readU32(tb[FRA_SUPPRESS_IFGROUP], suppress, reason, msg, "FRA_SUPPRESS_IFGROUP"))
            return DecodeStatus::Error;
        row.suppressIfgroup = std::int32_t(suppress);
    }
    if (tb[FRA_L3MDEV] && !readU8(tb[FRA_L3MDEV], row.l3mdev, reason, msg, "FRA_L3MDEV"))
        return DecodeStatus::Error;
    if (tb[FRA_PROTOCOL] && !readU8(tb[FRA_PROTOCOL], row.protocol, reason, msg, "FRA_PROTOCOL"))
        return DecodeStatus::Error;
    if (tb[FRA_IP_PROTO] && !readU8(tb[FRA_IP_PROTO], row.ipProto, reason, msg, "FRA_IP_PROTO"))
        return DecodeStatus::Error;
    if (tb[FRA_TUN_ID]) {
        if (payloadLen(tb[FRA_TUN_ID]) != sizeof(std::uint64_t)) {
            fail(reason, msg, "FRA_TUN_ID", " is not a u64");
            return DecodeStatus::Error;
        }
        std::uint64_t id = 0;
        std::memcpy(&id, mnl_attr_get_payload(tb[FRA_TUN_ID]), sizeof id);
        row.tunId = be64toh(id); // __be64
    }
    if (tb[FRA_UID_RANGE]) {
        if (payloadLen(tb[FRA_UID_RANGE]) != sizeof(fib_rule_uid_range)) {
            fail(reason, msg, "FRA_UID_RANGE", " is not a struct fib_rule_uid_range");
            return DecodeStatus::Error;
        }
        fib_rule_uid_range range;
        std::memcpy(&range, mnl_attr_get_payload(tb[FRA_UID_RANGE]), sizeof range);
        row.hasUidRange = true;
        row.uidStart = range.start;
        row.uidEnd = range.end;
    }
    for (const auto &[type, name, start, end] :
         {std::tuple {FRA_SPORT_RANGE, "FRA_SPORT_RANGE", &row.sportStart, &row.sportEnd},
          std::tuple {FRA_DPORT_RANGE, "FRA_DPORT_RANGE", &row.dportStart, &row.dportEnd}}) {
        if (!tb[type])
            continue;
        if (payloadLen(tb[type]) != sizeof(fib_rule_port_range)) {
            fail(reason, msg, name, " is not a struct fib_rule_port_range");
            return DecodeStatus::Error;
        }
        fib_rule_port_range range;
        std::memcpy(&range, mnl_attr_get_payload(tb[type]), sizeof range);
        *start = range.start;
        *end = range.end;
    }
    return DecodeStatus::Ok;
}

DecodeStatus decodeNexthop(const nlmsghdr *nlh, NexthopRow &row, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    nhmsg nhm;
    if (!readFixedHeader(nlh, nhm, msg, "shorter than struct nhmsg", reason))
        return DecodeStatus::Error;
    if (nhm.nh_family != AF_UNSPEC && nhm.nh_family != AF_INET && nhm.nh_family != AF_INET6) {
        fail(reason, msg, "family is neither AF_UNSPEC, AF_INET nor AF_INET6", "");
        return DecodeStatus::Skip;
    }
    AttrTable<NHA_MAX> tb;
    if (!collectAfterHeader<nhmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;
    if (!tb[NHA_ID]) {
        fail(reason, msg, "has no NHA_ID", "");
        return DecodeStatus::Error;
    }
    row.group.clear(); // keeps its capacity
    std::vector<NexthopGroupMember> group = std::move(row.group);
    row = NexthopRow {};
    if (!readU32(tb[NHA_ID], row.id, reason, msg, "NHA_ID"))
        return DecodeStatus::Error;
    row.family = familyOfAf(nhm.nh_family);
    row.protocol = nhm.nh_protocol;
    row.flags = nhm.nh_flags;
    if (tb[NHA_GATEWAY]) {
        const std::size_t len = payloadLen(tb[NHA_GATEWAY]);
        if (len != 4 && len != 16) {
            fail(reason, msg, "NHA_GATEWAY", " is neither 4 nor 16 bytes");
            return DecodeStatus::Error;
        }
        row.gateway
            = IpAddress::fromBytes(len == 4 ? Family::IPv4 : Family::IPv6, mnl_attr_get_payload(tb[NHA_GATEWAY]), len);
    }
    if (tb[NHA_OIF] && !readU32(tb[NHA_OIF], row.ifIndex, reason, msg, "NHA_OIF"))
        return DecodeStatus::Error;
    row.blackhole = tb[NHA_BLACKHOLE] != nullptr;
    row.fdb = tb[NHA_FDB] != nullptr;
    if (tb[NHA_GROUP_TYPE]) {
        if (payloadLen(tb[NHA_GROUP_TYPE]) != sizeof(std::uint16_t)) {
            fail(reason, msg, "NHA_GROUP_TYPE", " is not a u16");
            return DecodeStatus::Error;
        }
        std::memcpy(&row.groupType, mnl_attr_get_payload(tb[NHA_GROUP_TYPE]), sizeof row.groupType);
    }
    if (tb[NHA_GROUP]) {
        // struct nexthop_grp: u32 id, u8 weight - 1, u8 weight_high (resvd1 before 6.12:
        // 0), u16 reserved; read by offset, so that older headers do not matter.
        constexpr std::size_t kEntry = 8;
        const std::size_t len = payloadLen(tb[NHA_GROUP]);
        if (len == 0 || len % kEntry != 0) {
            fail(reason, msg, "NHA_GROUP", " is not an array of struct nexthop_grp");
            return DecodeStatus::Error;
        }
        const auto *p = static_cast<const std::uint8_t *>(mnl_attr_get_payload(tb[NHA_GROUP]));
        group.resize(len / kEntry);
        for (NexthopGroupMember &m : group) {
            std::memcpy(&m.id, p, sizeof m.id);
            m.weight = ((std::uint32_t(p[5]) << 8) | p[4]) + 1;
            p += kEntry;
        }
        row.group = std::move(group);
    }
    return DecodeStatus::Ok;
}

DecodeStatus decodeNexthopId(const nlmsghdr *nlh, std::uint32_t &id, std::string &reason)
{
    const char *msg = nlh->nlmsg_type == RTM_NEWNEXTHOP ? "RTM_NEWNEXTHOP" : "RTM_DELNEXTHOP";
    if (nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP) {
        reason = "not a nexthop message";
        return DecodeStatus::Skip;
    }
    nhmsg nhm;
    if (!readFixedHeader(nlh, nhm, msg, "shorter than struct nhmsg", reason))
        return DecodeStatus::Error;
    AttrTable<NHA_MAX> tb;
    if (!collectAfterHeader<nhmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;
    if (!tb[NHA_ID]) {
        fail(reason, msg, "has no NHA_ID", "");
        return DecodeStatus::Error;
    }
    return readU32(tb[NHA_ID], id, reason, msg, "NHA_ID") ? DecodeStatus::Ok : DecodeStatus::Error;
}

DecodeStatus decodeNsid(const nlmsghdr *nlh, std::int32_t &nsid, std::string &reason)
{
    const char *msg = messageName(nlh->nlmsg_type);
    rtgenmsg gen;
    if (!readFixedHeader(nlh, gen, msg, "shorter than struct rtgenmsg", reason))
        return DecodeStatus::Error;
    AttrTable<NETNSA_MAX> tb;
    if (!collectAfterHeader<rtgenmsg>(nlh, tb, reason, msg))
        return DecodeStatus::Error;
    if (!tb[NETNSA_NSID]) {
        fail(reason, msg, "has no NETNSA_NSID", "");
        return DecodeStatus::Error;
    }
    std::uint32_t value = 0;
    if (!readU32(tb[NETNSA_NSID], value, reason, msg, "NETNSA_NSID"))
        return DecodeStatus::Error;
    // An s32 in the kernel (idr ids, 0 and up; -1 means "not assigned" in answers only).
    if (value > 0x7fffffffu) {
        fail(reason, msg, "NETNSA_NSID", " is negative");
        return DecodeStatus::Error;
    }
    nsid = std::int32_t(value);
    return DecodeStatus::Ok;
}

DecodeStatus decode(const nlmsghdr *nlh, std::int64_t nowUs, DecodedMessage &out)
{
    out.object = ObjectKind::None;
    out.isDelete = false;
    out.nlmsgFlags = nlh->nlmsg_flags;
    out.reason.clear();
    DecodeStatus status = DecodeStatus::Skip;
    switch (nlh->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
        status = decodeLink(nlh, out.interface, out.reason);
        out.object = ObjectKind::Interface;
        out.isDelete = nlh->nlmsg_type == RTM_DELLINK;
        break;
    case RTM_NEWADDR:
    case RTM_DELADDR:
        status = decodeAddress(nlh, nowUs, out.address, out.reason);
        out.object = ObjectKind::Address;
        out.isDelete = nlh->nlmsg_type == RTM_DELADDR;
        break;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
        status = decodeRoute(nlh, nowUs, out.route, out.reason);
        out.object = ObjectKind::Route;
        out.isDelete = nlh->nlmsg_type == RTM_DELROUTE;
        break;
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
        status = decodeNeighbor(nlh, out.neighbor, out.reason);
        out.object = ObjectKind::Neighbor;
        out.isDelete = nlh->nlmsg_type == RTM_DELNEIGH;
        break;
    case RTM_NEWRULE:
    case RTM_DELRULE:
        status = decodeRule(nlh, out.rule, out.reason);
        out.object = ObjectKind::Rule;
        out.isDelete = nlh->nlmsg_type == RTM_DELRULE;
        break;
    case RTM_NEWNEXTHOP:
    case RTM_DELNEXTHOP:
        status = decodeNexthop(nlh, out.nexthop, out.reason);
        out.object = ObjectKind::Nexthop;
        out.isDelete = nlh->nlmsg_type == RTM_DELNEXTHOP;
        break;
    case RTM_NEWNSID:
    case RTM_DELNSID:
        status = decodeNsid(nlh, out.nsid, out.reason);
        out.object = ObjectKind::Nsid;
        out.isDelete = nlh->nlmsg_type == RTM_DELNSID;
        break;
    default:
        out.reason = "message type " + std::to_string(nlh->nlmsg_type) + " is not decoded";
        return DecodeStatus::Skip;
    }
    if (status != DecodeStatus::Ok)
        out.object = ObjectKind::None;
    return status;
}

bool messageOk(const nlmsghdr *msg, std::size_t remaining)
{
    return remaining >= sizeof(nlmsghdr) && msg->nlmsg_len >= sizeof(nlmsghdr) && msg->nlmsg_len <= remaining;
}

const nlmsghdr *nextMessage(const nlmsghdr *msg, std::size_t &remaining)
{
    const std::size_t step = NLMSG_ALIGN(std::size_t(msg->nlmsg_len));
    if (step >= remaining) {
        remaining = 0; // the end: messageOk() is false from here
        return msg;
    }
    remaining -= step;
    return reinterpret_cast<const nlmsghdr *>(reinterpret_cast<const char *>(msg) + step);
}

DecodeStatus decode(const void *data, std::size_t len, std::int64_t nowUs, DecodedMessage &out)
{
    out.object = ObjectKind::None;
    out.isDelete = false;
    if (!data || reinterpret_cast<std::uintptr_t>(data) % alignof(nlmsghdr) != 0) {
        out.reason = "netlink message: buffer is null or not 4-byte aligned";
        return DecodeStatus::Error;
    }
    if (!messageOk(static_cast<const nlmsghdr *>(data), len)) {
        out.reason = "netlink message: truncated (nlmsg_len does not fit the buffer)";
        return DecodeStatus::Error;
    }
    return decode(static_cast<const nlmsghdr *>(data), nowUs, out);
}

} // namespace ncv::platform::netlink

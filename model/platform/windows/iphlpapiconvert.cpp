// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/windows/iphlpapiconvert.h"

#include "platform/textescape.h"

#include <algorithm>
#include <cstring>

namespace ncv::platform::win {

std::string utf8FromWide(const wchar_t *text, std::size_t maxChars)
{
    if (!text)
        return {};
    std::size_t len = 0;
    while (len < maxChars && text[len] != 0)
        ++len;
    if (len == 0)
        return {};
    const int bytes = WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(len), nullptr, 0, nullptr, nullptr);
    if (bytes <= 0)
        return {};
    std::string out(static_cast<std::size_t>(bytes), '\0');
    WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(len), out.data(), bytes, nullptr, nullptr);
    return out;
}

IpAddress addressFromSockaddr(const SOCKADDR_INET &address)
{
    if (address.si_family == AF_INET)
        return IpAddress::fromBytes(Family::IPv4, &address.Ipv4.sin_addr, 4);
    if (address.si_family == AF_INET6)
        return IpAddress::fromBytes(Family::IPv6, &address.Ipv6.sin6_addr, 16);
    return {};
}

SOCKADDR_INET sockaddrFromAddress(const IpAddress &address)
{
    SOCKADDR_INET out;
    std::memset(&out, 0, sizeof out);
    if (address.family == Family::IPv4) {
        out.Ipv4.sin_family = AF_INET;
        std::memcpy(&out.Ipv4.sin_addr, address.bytes.data(), 4);
    } else if (address.family == Family::IPv6) {
        out.Ipv6.sin6_family = AF_INET6;
        std::memcpy(&out.Ipv6.sin6_addr, address.bytes.data(), 16);
    }
    return out;
}

OperState operStateFromIfOper(IF_OPER_STATUS status)
{
    switch (status) {
    case IfOperStatusUp: return OperState::Up;
    case IfOperStatusDown: return OperState::Down;
    case IfOperStatusTesting: return OperState::Testing;
    case IfOperStatusUnknown: return OperState::Unknown;
    case IfOperStatusDormant: return OperState::Dormant;
    case IfOperStatusNotPresent: return OperState::NotPresent;
    case IfOperStatusLowerLayerDown: return OperState::LowerLayerDown;
    }
    return OperState::Unknown;
}

std::string ifTypeName(std::uint32_t ifType)
{
    switch (ifType) {
    case 1: // IF_TYPE_OTHER
        return "other";
    case 6: // IF_TYPE_ETHERNET_CSMACD
        return "ethernet";
    case 23: // IF_TYPE_PPP
        return "ppp";
    case 24: // IF_TYPE_SOFTWARE_LOOPBACK
        return "loopback";
    case 71: // IF_TYPE_IEEE80211
        return "wifi";
    case 131: // IF_TYPE_TUNNEL
        return "tunnel";
    case 144: // IF_TYPE_IEEE1394
        return "ieee1394";
    case 243: // IF_TYPE_WWANPP
    case 244: // IF_TYPE_WWANPP2
        return "wwan";
    default: return "iftype " + std::to_string(ifType);
    }
}

std::uint32_t addressFlagsFromMib(NL_DAD_STATE dad, NL_PREFIX_ORIGIN prefixOrigin, NL_SUFFIX_ORIGIN suffixOrigin)
{
    std::uint32_t flags = 0;
    switch (dad) {
    case IpDadStateTentative: flags |= AddrTentative; break;
    case IpDadStateDuplicate: flags |= AddrDadFailed; break;
    case IpDadStateDeprecated: flags |= AddrDeprecated; break;
    default: break;
    }
    if (suffixOrigin == IpSuffixOriginRandom)
        flags |= AddrSecondary;
    if (prefixOrigin == IpPrefixOriginManual)
        flags |= AddrPermanent;
    return flags;
}

std::uint8_t scopeFromAddress(const IpAddress &address)
{
    const auto &b = address.bytes;
    if (address.family == Family::IPv4) {
        if (b[0] == 127)
            return 254;
        if (b[0] == 169 && b[1] == 254)
            return 253;
        return 0;
    }
    if (address.family == Family::IPv6) {
        static constexpr std::uint8_t loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        if (std::memcmp(b.data(), loopback, 16) == 0)
            return 254;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
            return 253;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
            return 200;
    }
    return 0;
}

InterfaceRow interfaceFromIfRow(const MIB_IF_ROW2 &row)
{
    InterfaceRow out;
    out.ifIndex = row.InterfaceIndex;
    out.luid = row.InterfaceLuid.Value;
    out.family = Family::Unspec;
    // Through the same escape as the Linux names, so a `\xHH` typed into a name reads back as typed.
    out.name = textFromBytes(utf8FromWide(row.Alias, IF_MAX_STRING_SIZE + 1));
    out.alias = textFromBytes(utf8FromWide(row.Description, IF_MAX_STRING_SIZE + 1));
    out.kind = ifTypeName(row.Type);
    out.linkType = row.Type;
    out.operState = operStateFromIfOper(row.OperStatus);
    out.adminUp = row.AdminStatus == NET_IF_ADMIN_STATUS_UP;
    out.carrier = row.MediaConnectState == MediaConnectStateConnected;
    out.mtu = row.Mtu;
    const std::size_t macLength
        = row.PhysicalAddressLength < out.mac.size() ? row.PhysicalAddressLength : out.mac.size();
    out.macLength = static_cast<std::uint8_t>(macLength);
    std::memcpy(out.mac.data(), row.PhysicalAddress, macLength);
    return out;
}

InterfaceRow mergeIpInterface(InterfaceRow base, const MIB_IPINTERFACE_ROW &row)
{
    base.ifIndex = row.InterfaceIndex;
    base.luid = row.InterfaceLuid.Value;
    base.family = row.Family == AF_INET ? Family::IPv4 : row.Family == AF_INET6 ? Family::IPv6 : Family::Unspec;
    if (row.NlMtu != 0)
        base.mtu = row.NlMtu;
    return base;
}

namespace {
std::int64_t untilUs(std::uint32_t seconds, std::int64_t nowUs)
{
    return seconds == kInfiniteLifetime ? 0 : nowUs + static_cast<std::int64_t>(seconds) * 1000000;
}
} // namespace

AddressRow addressFromMib(const MIB_UNICASTIPADDRESS_ROW &row, std::int64_t nowUs)
{
    AddressRow out;
    out.ifIndex = row.InterfaceIndex;
    out.luid = row.InterfaceLuid.Value;
    out.address = addressFromSockaddr(row.Address);
    out.prefixLength = row.OnLinkPrefixLength;
    out.scope = scopeFromAddress(out.address);
    out.flags = addressFlagsFromMib(row.DadState, row.PrefixOrigin, row.SuffixOrigin);
    out.validLifetime = row.ValidLifetime;
    out.preferredLifetime = row.PreferredLifetime;
    out.validUntilUs = untilUs(row.ValidLifetime, nowUs);
    out.preferredUntilUs = untilUs(row.PreferredLifetime, nowUs);
    return out;
}

RouteRow routeFromMib(const MIB_IPFORWARD_ROW2 &row, std::int64_t nowUs)
{
    RouteRow out;
    out.destination = addressFromSockaddr(row.DestinationPrefix.Prefix);
    out.prefixLength = row.DestinationPrefix.PrefixLength;
    out.protocol = static_cast<std::uint32_t>(row.Protocol);
    out.protocolSpace = ProtocolSpace::MibIpProto;
    out.scope = 0;
    out.type = row.Loopback ? 2 : 1; // RTN_LOCAL for loopback routes, else RTN_UNICAST
    out.table = 0;
    out.metric = row.Metric;
    out.luid = row.InterfaceLuid.Value;
    NextHop hop;
    hop.gateway = addressFromSockaddr(row.NextHop);
    if (hop.gateway.family == Family::Unspec) // on-link, with the family of the destination
        hop.gateway.family = out.destination.family;
    hop.ifIndex = row.InterfaceIndex;
    hop.weight = 1;
    out.nextHops.push_back(hop);
    out.expiresUs = untilUs(row.ValidLifetime, nowUs);
    return out;
}

std::uint16_t neighborStateFromNl(NL_NEIGHBOR_STATE state)
{
    switch (state) {
    case NlnsUnreachable: return NudFailed;
    case NlnsIncomplete: return NudIncomplete;
    case NlnsProbe: return NudProbe;
    case NlnsDelay: return NudDelay;
    case NlnsStale: return NudStale;
    case NlnsReachable: return NudReachable;
    case NlnsPermanent: return NudPermanent;
    default: return 0;
    }
}

NeighborRow neighborFromMib(const MIB_IPNET_ROW2 &row)
{
    NeighborRow n;
    n.ifIndex = row.InterfaceIndex;
    n.luid = row.InterfaceLuid.Value;
    n.address = addressFromSockaddr(row.Address);
    n.lladdrLength = std::uint8_t(std::min<ULONG>(row.PhysicalAddressLength, ULONG(n.lladdr.size())));
    std::copy_n(row.PhysicalAddress, n.lladdrLength, n.lladdr.begin());
    n.state = neighborStateFromNl(row.State);
    n.flags = row.IsRouter ? NtfRouter : 0;
    n.type = 1; // unicast: the table holds no other kind
    return n;
}

} // namespace ncv::platform::win

// SPDX-License-Identifier: GPL-2.0-or-later
// Conversion of the IP Helper MIB rows (MIB_IF_ROW2, MIB_IPINTERFACE_ROW,
// MIB_UNICASTIPADDRESS_ROW, MIB_IPFORWARD_ROW2) into the platform row types, and the
// Windows name tables the shared format code does not have. Pure functions, no state:
// callable from tests with rows they build. Qt-free; Windows only.
#pragma once

#include "platform/types.h"

// clang-format off
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
// clang-format on

#include <cstdint>
#include <string>

namespace ncv::platform::win {

/// UTF-8 text of a NUL-terminated WCHAR string of at most maxChars characters.
std::string utf8FromWide(const wchar_t *text, std::size_t maxChars);

/// SOCKADDR_INET (AF_INET / AF_INET6) -> IpAddress; Family::Unspec for any other family.
IpAddress addressFromSockaddr(const SOCKADDR_INET &address);

/// IF_OPER_STATUS (MIB_IF_ROW2.OperStatus) -> RFC 2863 OperState.
OperState operStateFromIfOper(IF_OPER_STATUS status);

/// IFTYPE (MIB_IF_ROW2.Type) as a short kind: "loopback", "ethernet", "wifi", "ppp",
/// "tunnel", "other", else "iftype <n>".
std::string ifTypeName(std::uint32_t ifType);

/// MIB_UNICASTIPADDRESS_ROW DadState / PrefixOrigin / SuffixOrigin -> AddressFlag bits:
/// tentative -> AddrTentative, duplicate -> AddrDadFailed, deprecated -> AddrDeprecated,
/// random suffix (IPv6 privacy address) -> AddrSecondary ("temporary"), manual prefix
/// origin -> AddrPermanent.
std::uint32_t addressFlagsFromMib(NL_DAD_STATE dad, NL_PREFIX_ORIGIN prefixOrigin, NL_SUFFIX_ORIGIN suffixOrigin);

/// RT_SCOPE_* value for an address, from its class (what ScopeId distinguishes):
/// loopback -> host (254), link-local (169.254/16, fe80::/10) -> link (253),
/// site-local fec0::/10 -> site (200), else universe (0).
std::uint8_t scopeFromAddress(const IpAddress &address);

/// MIB_IF_ROW2 -> InterfaceRow (family Unspec): index, LUID, Alias -> name,
/// Description -> alias, Type -> kind + linkType, OperStatus, AdminStatus,
/// MediaConnectState -> carrier, Mtu, PhysicalAddress.
InterfaceRow interfaceFromIfRow(const MIB_IF_ROW2 &row);

/// Merges a MIB_IPINTERFACE_ROW into an InterfaceRow (from interfaceFromIfRow, or a
/// default row when the MIB_IF_ROW2 is unknown): family, index, LUID and NlMtu (when
/// non-zero). Returns the merged row.
InterfaceRow mergeIpInterface(InterfaceRow base, const MIB_IPINTERFACE_ROW &row);

/// MIB_UNICASTIPADDRESS_ROW -> AddressRow. Lifetimes (seconds, 0xFFFFFFFF = infinite)
/// become absolute times from nowUs (microseconds since the epoch).
AddressRow addressFromMib(const MIB_UNICASTIPADDRESS_ROW &row, std::int64_t nowUs);

/// MIB_IPFORWARD_ROW2 -> RouteRow: DestinationPrefix, one NextHop (unspecified =
/// on-link) on InterfaceIndex, Metric, Protocol raw (NL_ROUTE_PROTOCOL / MIB_IPPROTO_*, ProtocolSpace::MibIpProto),
/// LUID, table 0, type unicast (local for Loopback routes), expiry from ValidLifetime.
RouteRow routeFromMib(const MIB_IPFORWARD_ROW2 &row, std::int64_t nowUs);

/// NL_NEIGHBOR_STATE (MIB_IPNET_ROW2.State) as the NUD_* bit Linux shows for the same state:
/// unreachable -> NudFailed, incomplete, probe, delay, stale, reachable, permanent -> the
/// NUD_* of that name; any other value -> 0 (shown as "none").
std::uint16_t neighborStateFromNl(NL_NEIGHBOR_STATE state);

/// MIB_IPNET_ROW2 -> NeighborRow: Address, InterfaceIndex, InterfaceLuid,
/// PhysicalAddress[PhysicalAddressLength] -> lladdr, State -> state (neighborStateFromNl),
/// IsRouter -> NtfRouter; type unicast (1), protocol 0 (Windows does not say who added it).
NeighborRow neighborFromMib(const MIB_IPNET_ROW2 &row);

/// SOCKADDR_INET for an address (zeroed for Family::Unspec).
SOCKADDR_INET sockaddrFromAddress(const IpAddress &address);

} // namespace ncv::platform::win

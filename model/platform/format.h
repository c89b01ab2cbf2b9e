// SPDX-License-Identifier: GPL-2.0-or-later
// Text forms of platform values: the single place that names rtm_protocol, scopes, route
// types and flags, and the record summaries. The text of each field of a row comes from
// its description (rowfields.h). Qt-free; used by the model for display and CSV.
#pragma once

#include "platform/types.h"

#include <string>
#include <string_view>

namespace ncv::platform {

/// "192.0.2.1", "2001:db8::1" (RFC 5952 compression); "" for Family::Unspec.
std::string toString(const IpAddress &address);
/// "10.0.0.0/8", "::/0". Prefix length in bits.
std::string toCidr(const IpAddress &address, unsigned prefixLength);

std::string_view familyName(Family family); ///< "ipv4", "ipv6", "unspec"
std::string_view objectName(ObjectKind object); ///< "interface", "address", "route", "entity", "gap", ""
std::string_view changeName(ChangeKind change); ///< "initial", "add", "delete", "parameter", "expired", ...
std::string_view originName(Origin origin); ///< "observed", "inferred"

std::string_view operStateName(OperState state); ///< "up", "down", "lowerlayerdown", ...
/// rtm_protocol by name (kernel, boot, static, ra, dhcp, bird, ...), else the number.
/// For ProtocolSpace::MibIpProto: MIB_IPPROTO_* names (local, netmgmt, icmp, ...).
std::string protocolName(std::uint32_t protocol, ProtocolSpace space = ProtocolSpace::RtmProtocol);
/// RT_SCOPE_*: universe, site, link, host, nowhere; else the number.
std::string scopeName(std::uint8_t scope);
/// RTN_*: unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, nat...
std::string routeTypeName(std::uint8_t type);
/// 254 -> "main", 255 -> "local", 253 -> "default", else the number.
std::string tableName(std::uint32_t table);
/// Space-separated IFA_F_* names: "permanent", "temporary" (IPv6 secondary), "deprecated"...
std::string addressFlagsText(std::uint32_t flags, Family family);
/// "aa:bb:cc:dd:ee:ff"; "" when length is 0.
std::string macText(const std::uint8_t *mac, std::size_t length);
/// "forever" for kInfiniteLifetime, else "<n>s".
std::string lifetimeText(std::uint32_t seconds);

/// Next hops: "192.0.2.1" or "192.0.2.1;192.0.2.2"; "" when all on-link.
std::string gatewayList(const RouteRow &route);

/// Human one-liner for the event log: "add route 10.0.0.0/8 on eth0 (via 192.0.2.1 dev 3
/// metric 100 ...)". ifName may be empty (then "if N" is used).
std::string summary(const ChangeRecord &record, std::string_view ifName = {});
/// summary() appended to out, with the row's keyText() given as key (ignored for gaps):
/// the same text without formatting the key twice or building temporaries.
void appendSummary(std::string &out, const ChangeRecord &record, std::string_view ifName, std::string_view key);
/// "operstate down -> up; mtu 1500 -> 9000" for Parameter (appendChanges); for others the
/// row's attribute line (appendAttributes). A record with a note has the note instead: a
/// gap's or marker's text, or the description a record was imported with when its rows
/// hold only part of the fields (a CSV import: the details cell as written).
std::string details(const ChangeRecord &record);
/// details() appended to out; ifName: the name of the row's interface where the writer
/// knows it, for the attributes that name it as `ip` does (appendAttributes()).
void appendDetails(std::string &out, const ChangeRecord &record, KnownFields known = KnownFields::All,
                   std::string_view ifName = {});

/// Key text of a row: interface name (or index), "address/plen", route "prefix".
std::string keyText(const Row &row);
/// Key text of a record: keyText() of its row; a namespace id event's id ("5"), which it
/// holds outside any row; "" for gaps and markers.
std::string recordKeyText(const ChangeRecord &record);

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// Every field of every row type, described once (see fielddef.h for what an entry says).
// The compact form of the event history and of PackedRouteTable, diff(), the details panel,
// the attribute line, the CSV cells, the table columns and their sorting and filtering all
// follow these lists. A new field is one entry here (and its member in types.h); a member
// without an entry does not compile (everyMemberDescribed).
// Order: the details panel's and the attribute line's, and the tables' column order.
// Qt-free.
#pragma once

#include "platform/fielddef.h"
#include "platform/format.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ncv::platform {

/// Text, comparison and codec functions that the descriptions below name.
namespace fieldtext {
inline constexpr std::string_view kAddressChars = "0123456789abcdef.:/, ";
void familyLabelOf(std::string &out, unsigned family); ///< "IPv4" / "IPv6" for a Family value
void adminState(std::string &out, const InterfaceRow &r); ///< "up" / "down"
void mac(std::string &out, const InterfaceRow &r); ///< "aa:bb:cc:dd:ee:ff"
bool macDiffers(const InterfaceRow &a, const InterfaceRow &b);
std::size_t masterIndex(const InterfaceRow &r, std::uint32_t *out, std::size_t max);
/// A link-layer address member Bytes (std::array of up to 255 bytes) with its length member
/// Len: u8 length, then that many bytes (at most the array's size).
template<auto Len, auto Bytes> struct HwAddressCodec {
    using R = typename fielddetail::MemberOf<decltype(Bytes)>::Class;
    static constexpr std::size_t kCapacity = std::tuple_size_v<typename fielddetail::MemberOf<decltype(Bytes)>::Type>;
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(const R &) { return 1 + kCapacity; }
    static char *put(char *p, const R &r)
    {
        *p++ = char(r.*Len);
        return compact::putBytes(p, (r.*Bytes).data(), std::min<std::size_t>(r.*Len, kCapacity));
    }
    template<typename In> static void get(In &in, R &r, std::uint32_t)
    {
        r.*Len = in.byte();
        r.*Bytes = {};
        const std::size_t n = std::min<std::size_t>(r.*Len, kCapacity);
        if (const std::uint8_t *p = in.take(n))
            std::memcpy((r.*Bytes).data(), p, n);
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t)
    {
        return p + 1 + std::min<std::size_t>(*p, kCapacity);
    }
};
/// MAC: u8 length, then that many bytes (at most 32).
using MacCodec = HwAddressCodec<&InterfaceRow::macLength, &InterfaceRow::mac>;

std::size_t addressIfIndex(const AddressRow &r, std::uint32_t *out, std::size_t max);
void addressFamily(std::string &out, const AddressRow &r); ///< "ipv4"
void addressFamilyLabel(std::string &out, const AddressRow &r); ///< "IPv4"
int addressFamilyValue(const AddressRow &r);
void addressCidr(std::string &out, const AddressRow &r); ///< "10.1.0.1/24"
void addressCell(std::string &out, const AddressRow &r); ///< "10.1.0.1/24 peer 10.1.0.2"
int compareAddressCidr(const AddressRow &a, const AddressRow &b);
std::uint64_t addressCidrKey(const AddressRow &r, bool &exact);
void addressFlags(std::string &out, const AddressRow &r); ///< "permanent temporary"
bool lifetimeKindDiffers(const AddressRow &a, const AddressRow &b); ///< finite <-> forever
bool validForever(const AddressRow &r);
void validCountdown(std::string &out, const AddressRow &r); ///< "forever" / "12s" left now
void preferredCountdown(std::string &out, const AddressRow &r);
int compareValidUntil(const AddressRow &a, const AddressRow &b);
int comparePreferredUntil(const AddressRow &a, const AddressRow &b);
std::uint64_t validUntilKey(const AddressRow &r, bool &exact);
std::uint64_t preferredUntilKey(const AddressRow &r, bool &exact);

void routeFamily(std::string &out, const RouteRow &r); ///< "ipv4"
void routeFamilyLabel(std::string &out, const RouteRow &r); ///< "IPv4"
int routeFamilyValue(const RouteRow &r);
int compareRouteFamily(const RouteRow &a, const RouteRow &b);
std::uint64_t routeFamilyKey(const RouteRow &r, bool &exact);
void destination(std::string &out, const RouteRow &r); ///< "10.0.0.0/8"
int compareDestination(const RouteRow &a, const RouteRow &b);
std::uint64_t destinationKey(const RouteRow &r, bool &exact);
void gatewaysCsv(std::string &out, const RouteRow &r); ///< "192.0.2.1;192.0.2.2"
void gatewaysCell(std::string &out, const RouteRow &r); ///< "192.0.2.1, 192.0.2.2"
int compareGateways(const RouteRow &a, const RouteRow &b);
std::uint64_t gatewaysKey(const RouteRow &r, bool &exact);
/// The next hops as `ip route` writes each: "via 192.0.2.1 dev 3", "via 192.0.2.1 dev 3
/// weight 1, via 192.0.2.9 dev 4 weight 1" (multipath: RTA_MULTIPATH's rtnh_hops + 1),
/// "on-link" (none with a gateway or device), "-" (none: blackhole...). Devices by ifindex.
void nextHops(std::string &out, const RouteRow &r);
/// nextHops() with the device of each hop on the row's interface (RouteRow::outIfIndex(),
/// the first hop's) by name, as appendDeviceName() writes ifName: "via 192.0.2.1 dev eth0".
/// The other hops of a multipath route keep their ifindex: these writers know the name of
/// the row's interface only ("via 192.0.2.1 dev eth0 weight 1, via 192.0.2.9 dev 4 weight 1").
void nextHopsNamed(std::string &out, const RouteRow &r, std::string_view ifName);
bool noNextHops(const RouteRow &r);
void outIfIndex(std::string &out, const RouteRow &r); ///< first next hop's ifindex, "" for none
std::size_t hopIfIndexes(const RouteRow &r, std::uint32_t *out, std::size_t max); ///< distinct, non-zero
bool mibSpace(const RouteRow &r); ///< a Windows route: no table, no TOS
void protocol(std::string &out, const RouteRow &r); ///< rtm_protocol / MIB_IPPROTO_* name
bool protocolDiffers(const RouteRow &a, const RouteRow &b);
int protocolValue(const RouteRow &r); ///< rtm_protocol <= 255, else -1
void rtmProtocolOf(std::string &out, unsigned protocol); ///< rtm_protocol name
bool unicast(const RouteRow &r);
void prefSrc(std::string &out, const RouteRow &r); ///< "" when unspecified
bool noPrefSrc(const RouteRow &r);
int comparePrefSrc(const RouteRow &a, const RouteRow &b);
std::uint64_t prefSrcKey(const RouteRow &r, bool &exact);
void expiry(std::string &out, const RouteRow &r); ///< "never", "in 12s", "expired" (now)
void expiryKind(std::string &out, const RouteRow &r); ///< "never" / "finite"
bool expiryKindDiffers(const RouteRow &a, const RouteRow &b);
void expiryCountdown(std::string &out, const RouteRow &r); ///< "" / "12s" left now (rounded up)
int compareExpiry(const RouteRow &a, const RouteRow &b);
std::uint64_t expiryKey(const RouteRow &r, bool &exact);

std::size_t neighborIfIndex(const NeighborRow &r, std::uint32_t *out, std::size_t max);
void neighborFamily(std::string &out, const NeighborRow &r); ///< "ipv4"
void neighborFamilyLabel(std::string &out, const NeighborRow &r); ///< "IPv4"
int neighborFamilyValue(const NeighborRow &r);
/// "10.1.0.2", "10.1.0.2 proxy" for a proxy entry: the key as the CSV and recordings write it.
void neighborAddress(std::string &out, const NeighborRow &r);
void neighborAddressCell(std::string &out, const NeighborRow &r); ///< the address alone
void lladdr(std::string &out, const NeighborRow &r); ///< "aa:bb:cc:dd:ee:ff", "" when none
bool lladdrDiffers(const NeighborRow &a, const NeighborRow &b);
void neighborState(std::string &out, const NeighborRow &r); ///< "REACHABLE", "STALE", "NOARP"... as `ip neigh`
void neighborFlags(std::string &out, const NeighborRow &r); ///< "router proxy extern_learn" as `ip neigh`
void neighborExtFlags(std::string &out, const NeighborRow &r); ///< "managed locked"
void neighborProtocol(std::string &out, const NeighborRow &r); ///< NDA_PROTOCOL by name, "" for 0

void ruleFamilyLabel(std::string &out, const RuleRow &r); ///< "IPv4" / "IPv6"
/// The selectors as `ip rule show` writes them: "not from 10.1.0.0/16 to 192.0.2.0/24 tos 0x10
/// fwmark 0x1/0xff iif v0 oif v1 uidrange 1000-2000 ipproto tcp sport 80 dport 1000-2000";
/// "from all" when none.
void ruleSelector(std::string &out, const RuleRow &r);
/// The action with its table: "lookup main", "lookup 100 suppress_prefixlength 0",
/// "lookup [l3mdev-table]", "goto 32000", "nop", "blackhole", "unreachable", "prohibit".
void ruleActionCell(std::string &out, const RuleRow &r);
/// Selectors then action, as `ip rule show` writes a rule after its "PRIORITY:" (without
/// proto): the rule's identity besides its family, priority and protocol. parseRuleText()
/// reads it back.
void ruleText(std::string &out, const RuleRow &r);
void ruleInvert(std::string &out, const RuleRow &r); ///< "not" / ""
void ruleFrom(std::string &out, const RuleRow &r); ///< "all", "10.1.0.1", "10.1.0.0/16"
void ruleTo(std::string &out, const RuleRow &r); ///< "" (any), "192.0.2.0/24"
void ruleTos(std::string &out, const RuleRow &r); ///< "" (any), "0x10"
void ruleFwmark(std::string &out, const RuleRow &r); ///< "" (none), "0x1", "0x1/0xff"
void ruleL3mdev(std::string &out, const RuleRow &r); ///< "[l3mdev-table]" / ""
void ruleUidRange(std::string &out, const RuleRow &r); ///< "1000-2000", "" when none
void ruleIpProto(std::string &out, const RuleRow &r); ///< "tcp", "udp", "ipv6-icmp", "ipproto-N"; "" for 0
void ruleSport(std::string &out, const RuleRow &r); ///< "80", "1000-2000", "" when none
void ruleDport(std::string &out, const RuleRow &r);
void ruleTable(std::string &out, const RuleRow &r); ///< "main", "100"; "" for 0
void ruleSuppressPrefixLength(std::string &out, const RuleRow &r); ///< "0".."128", "" for -1
void ruleSuppressIfgroup(std::string &out, const RuleRow &r); ///< "default" (0), "5", "" for -1
/// The action word as `ip rule` writes it: "" for lookup (the table says it), "goto 32000",
/// "nop", "blackhole", "unreachable", "prohibit"; other FR_ACT_* values as numbers.
void ruleAction(std::string &out, const RuleRow &r);
void ruleProtocol(std::string &out, const RuleRow &r); ///< FRA_PROTOCOL by name ("kernel", "boot", "static"...)
bool ruleProtocolUsual(const RuleRow &r); ///< 0 or kernel: `ip rule show` leaves it out
bool ruleNoTo(const RuleRow &r); ///< no FRA_DST and dst_len 0: left out of the details
bool ruleNoFwmark(const RuleRow &r); ///< mark and mask 0
bool ruleNoUidRange(const RuleRow &r); ///< no FRA_UID_RANGE
bool ruleNoSuppressPrefixLength(const RuleRow &r); ///< -1
bool ruleNoSuppressIfgroup(const RuleRow &r); ///< -1

std::size_t nexthopIfIndex(const NexthopRow &r, std::uint32_t *out, std::size_t max); ///< NHA_OIF, none for 0
void nexthopFamilyLabel(std::string &out, const NexthopRow &r); ///< "IPv4" / "IPv6" / "" (groups)
void nexthopGateway(std::string &out, const NexthopRow &r); ///< "10.1.0.2", "" when none
void nexthopDevice(std::string &out, const NexthopRow &r); ///< the ifindex, "" for 0
/// The device as `ip nexthop` writes it: ifName when usable (appendDeviceName), else the
/// ifindex; "" for 0.
void nexthopDeviceNamed(std::string &out, const NexthopRow &r, std::string_view ifName);
/// An interface as `ip` writes it after "dev": ifName, the name the writer knows for
/// ifIndex, when it is one (not empty and without spaces: Linux names have none, so
/// "if 3", what a writer says for an interface it does not know, is no name); else
/// ifIndex in decimal. Nothing for ifIndex 0.
void appendDeviceName(std::string &out, std::uint32_t ifIndex, std::string_view ifName);
void nexthopBlackhole(std::string &out, const NexthopRow &r); ///< "blackhole" / ""
/// Members as `ip nexthop` writes them: "5/6", "1,3/2" (",weight" when not 1); "" for none.
void nexthopGroup(std::string &out, const NexthopRow &r);
void nexthopGroupType(std::string &out, const NexthopRow &r); ///< "mpath", "resilient", else the number
bool nexthopNotResilient(const NexthopRow &r); ///< mpath: `ip nexthop` leaves the type out
bool nexthopNotGroup(const NexthopRow &r);
void nexthopProtocol(std::string &out, const NexthopRow &r); ///< nh_protocol by name ("static", "zebra"...)
bool nexthopProtocolUnspec(const NexthopRow &r); ///< 0: `ip nexthop` leaves it out
void nexthopFlags(std::string &out, const NexthopRow &r); ///< "onlink dead linkdown", as `ip nexthop`
void nexthopFdb(std::string &out, const NexthopRow &r); ///< "fdb" / ""
/// The whole nexthop but its protocol, as `ip nexthop` writes it: "id 5 via 10.1.0.2 dev 3
/// onlink", "id 3 blackhole", "id 10 group 1,3/2 type resilient" (the CSV destination);
/// parseNexthopText() reads it back. The device by index: nexthopNamedText() names it.
void nexthopText(std::string &out, const NexthopRow &r);
/// nexthopText() with the device by name as nexthopDeviceNamed() writes it: "id 5 via
/// 10.1.0.2 dev veth0 onlink".
void nexthopNamedText(std::string &out, const NexthopRow &r, std::string_view ifName);
/// NHA_GROUP members: varint count, then per member varint id and varint weight.
struct NexthopGroupCodec {
    static constexpr unsigned bits = 0;
    static std::size_t maxSize(const NexthopRow &r) { return compact::kMaxVarint * (1 + 2 * r.group.size()); }
    static char *put(char *p, const NexthopRow &r)
    {
        p = compact::putVarint(p, r.group.size());
        for (const NexthopGroupMember &m : r.group)
            p = compact::putVarint(compact::putVarint(p, m.id), m.weight);
        return p;
    }
    template<typename In> static void get(In &in, NexthopRow &r, std::uint32_t)
    {
        r.group.resize(in.count()); // keeps the vector's capacity
        for (NexthopGroupMember &m : r.group) {
            m.id = std::uint32_t(in.varint());
            m.weight = std::uint32_t(in.varint());
        }
    }
    static const std::uint8_t *skip(const std::uint8_t *p, std::uint32_t)
    {
        std::uint64_t n = 0;
        p = compact::readVarint(p, n);
        for (std::uint64_t i = 0; i < 2 * n; ++i)
            p = compact::skipVarint(p);
        return p;
    }
};

void entityProtocol(std::string &out, const EntityRow &e);
void entityNumber(std::string &out, const EntityRow &e);
int compareEntityNumber(const EntityRow &a, const EntityRow &b);
std::uint64_t entityNumberKey(const EntityRow &e, bool &exact);
} // namespace fieldtext

template<> struct Description<InterfaceRow> {
    using R = InterfaceRow;
    static constexpr auto fields = std::tuple {
        field<&R::ifIndex>("ifindex", "ifinfomsg.ifi_index / MIB_IF_ROW2.InterfaceIndex, u32")
            .numberColumn("ifindex")
            .key()
            .attr("ifindex")
            .csv(CsvColumn::IfIndex),
        field<&R::luid>("luid", "NET_LUID.Value (Windows); 0 on Linux").key().absentWhenZero(),
        field<&R::family>("family", "MIB_IPINTERFACE_ROW.Family (Windows); unspec on Linux")
            .names<familyName>()
            .key()
            .absentWhenZero()
            .inCsvRow(),
        field<&R::name>("name", "IFLA_IFNAME / MIB_IF_ROW2.Alias (friendly name), UTF-8").column("Name").inCsvRow(),
        field<&R::alias>("alias", "IFLA_IFALIAS / MIB_IF_ROW2.Description, UTF-8")
            .column("Alias")
            .attr("alias")
            .flags(FreeText),
        field<&R::kind>("kind", "IFLA_INFO_KIND, else from ifi_type (loopback, ether...) / MIB_IF_ROW2.Type")
            .column("Kind")
            .attr(),
        field<&R::operState>("operstate", "IFLA_OPERSTATE, u8 (RFC 2863) / MIB_IF_ROW2.OperStatus")
            .names<operStateName>()
            .column("Operstate")
            .attr("operstate"),
        field<&R::adminUp>("admin_up", "ifi_flags & IFF_UP / MIB_IF_ROW2.AdminStatus")
            .text(fieldtext::adminState)
            .column("Admin")
            .attr("admin"),
        field<&R::carrier>("carrier", "IFLA_CARRIER (else IFF_LOWER_UP) / MIB_IF_ROW2.MediaConnectState")
            .column("Carrier"),
        field<&R::mtu>("mtu", "IFLA_MTU, u32, bytes / MIB_IPINTERFACE_ROW.NlMtu").numberColumn("MTU").attr("mtu"),
        field<&R::mac>("mac", "IFLA_ADDRESS / MIB_IF_ROW2.PhysicalAddress")
            .text(fieldtext::mac)
            .differs(fieldtext::macDiffers)
            .column("MAC")
            .attr("mac")
            .codec<fieldtext::MacCodec>(),
        field<&R::macLength>("mac_length", "bytes of mac in use").hidden().codedElsewhere(),
        field<&R::masterIndex>("master", "IFLA_MASTER, u32 ifindex; 0 = none")
            .nonZero()
            .column("Master")
            .attr("master")
            .interfaces(fieldtext::masterIndex),
        field<&R::linkType>("link_type", "ifinfomsg.ifi_type (ARPHRD_*) / MIB_IF_ROW2.Type (IFTYPE)").hidden(),
    };
};

template<> struct Description<AddressRow> {
    using R = AddressRow;
    static constexpr auto fields = std::tuple {
        field<&R::ifIndex>("ifindex", "ifa_index / MIB_UNICASTIPADDRESS_ROW.InterfaceIndex, u32")
            .column("Interface")
            .key()
            .csv(CsvColumn::IfIndex)
            .interfaces(fieldtext::addressIfIndex)
            .markedBy("label"),
        field<&R::luid>("luid", "InterfaceLuid (Windows); 0 on Linux").key().absentWhenZero(),
        derived<R>("family", "ifa_family / Address.si_family")
            .text(fieldtext::addressFamily)
            .cell(fieldtext::addressFamilyLabel)
            .column("Family")
            .small(fieldtext::addressFamilyValue, fieldtext::familyLabelOf)
            .flags(InDetails)
            .inCsvRow(),
        field<&R::address>("address", "IFA_LOCAL (else IFA_ADDRESS) and ifa_prefixlen / Address, OnLinkPrefixLength")
            .text(fieldtext::addressCidr)
            .cell(fieldtext::addressCell)
            .column("Address")
            .key()
            .csv(CsvColumn::Destination)
            .compare(fieldtext::compareAddressCidr)
            .sortKey(fieldtext::addressCidrKey)
            .markedBy("peer"),
        field<&R::prefixLength>("prefix_length", "ifa_prefixlen / OnLinkPrefixLength, bits").hidden().inCsvRow(),
        field<&R::peer>("peer", "IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point)"),
        field<&R::scope>("scope", "ifa_scope (RT_SCOPE_*) / mapped from ScopeId")
            .names<scopeName>()
            .column("Scope")
            .attr("scope"),
        field<&R::flags>("flags", "IFA_FLAGS (u32), else ifa_flags: IFA_F_* / DadState, SuffixOrigin")
            .text(fieldtext::addressFlags)
            .column("Flags")
            .sortByText()
            .attr(),
        field<&R::label>("label", "IFA_LABEL (IPv4)"),
        field<&R::validLifetime>("valid_lft", "IFA_CACHEINFO.ifa_valid / ValidLifetime, seconds left when observed")
            .names<lifetimeText>()
            .differs(fieldtext::lifetimeKindDiffers)
            .numberColumn("Valid")
            .cell(fieldtext::validCountdown)
            .compare(fieldtext::compareValidUntil)
            .sortKey(fieldtext::validUntilKey)
            .attr("valid")
            .usualWhen(fieldtext::validForever),
        field<&R::preferredLifetime>("preferred_lft",
                                     "IFA_CACHEINFO.ifa_prefered / PreferredLifetime, seconds left when observed")
            .names<lifetimeText>()
            .untracked()
            .numberColumn("Preferred")
            .cell(fieldtext::preferredCountdown)
            .compare(fieldtext::comparePreferredUntil)
            .sortKey(fieldtext::preferredUntilKey)
            .markedBy("valid_lft")
            .attr("preferred")
            .usualWhen(fieldtext::validForever),
        field<&R::validUntilUs>("valid_until", "absolute expiry, us since the epoch (UTC); 0 = forever").hidden(),
        field<&R::preferredUntilUs>("preferred_until", "absolute, as valid_until").hidden(),
    };
};

/// RFC 4191 route preferences as `ip -6 route` names them (linux/icmpv6.h ICMPV6_ROUTER_PREF_*).
inline constexpr NameTable kRoutePrefNames {ValueName {3, "low"}, ValueName {0, "medium"}, ValueName {1, "high"},
                                            ValueName {kNoRoutePref, ""}};

template<> struct Description<RouteRow> {
    using R = RouteRow;
    static constexpr auto fields = std::tuple {
        derived<R>("family", "rtm_family / DestinationPrefix.Prefix.si_family")
            .text(fieldtext::routeFamily)
            .cell(fieldtext::routeFamilyLabel)
            .column("Family")
            .compare(fieldtext::compareRouteFamily)
            .sortKey(fieldtext::routeFamilyKey)
            .small(fieldtext::routeFamilyValue, fieldtext::familyLabelOf)
            .alwaysSmall()
            .reads("destination")
            .flags(InDetails)
            .inCsvRow(),
        field<&R::destination>("destination", "RTA_DST and rtm_dst_len / DestinationPrefix")
            .text(fieldtext::destination)
            .column("Destination")
            .key()
            .csv(CsvColumn::Destination)
            .compare(fieldtext::compareDestination)
            .sortKey(fieldtext::destinationKey)
            .textByKey()
            .charset(fieldtext::kAddressChars)
            .reads("destination prefix_length")
            .flags(CidrText),
        field<&R::prefixLength>("prefix_length", "rtm_dst_len / DestinationPrefix.PrefixLength, bits")
            .hidden()
            .inCsvRow(),
        derived<R>("gateways", "the next hops' gateways")
            .text(fieldtext::gatewaysCsv)
            .cell(fieldtext::gatewaysCell)
            .column("Next hop")
            .csv(CsvColumn::Gateway)
            .compare(fieldtext::compareGateways)
            .sortKey(fieldtext::gatewaysKey)
            .textByKey()
            .markedBy("nexthops nhid")
            .charset(fieldtext::kAddressChars)
            .reads("nexthops"),
        field<&R::nextHops>("nexthops", "RTA_GATEWAY / RTA_VIA + RTA_OIF, or RTA_MULTIPATH / NextHop, InterfaceIndex")
            .text(fieldtext::nextHops)
            .namedText(fieldtext::nextHopsNamed)
            .attr()
            .usualWhen(fieldtext::noNextHops)
            .inCsvRow(),
        derived<R>("interface", "first next hop's RTA_OIF / InterfaceIndex")
            .text(fieldtext::outIfIndex)
            .column("Interface")
            .csv(CsvColumn::IfIndex)
            .interfaces(fieldtext::hopIfIndexes)
            .markedBy("nexthops")
            .reads("nexthops"),
        field<&R::metric>("metric", "RTA_PRIORITY, u32 / MIB_IPFORWARD_ROW2.Metric")
            .numberColumn("Metric")
            .attr("metric")
            .csv(CsvColumn::Metric),
        field<&R::table>("table", "RTA_TABLE, u32 (254 main, 255 local); none on Windows")
            .names<tableName>()
            .column("Table")
            .key()
            .attr("table")
            .csv(CsvColumn::Table)
            .absentWhen(fieldtext::mibSpace),
        field<&R::tos>("tos", "rtm_tos").key().absentWhen(fieldtext::mibSpace),
        field<&R::luid>("luid", "MIB_IPFORWARD_ROW2.InterfaceLuid (Windows); 0 on Linux").key().absentWhenZero(),
        field<&R::protocol>("protocol", "rtm_protocol, u8 (RTPROT_*) / MIB_IPFORWARD_ROW2.Protocol (NL_ROUTE_PROTOCOL)")
            .text(fieldtext::protocol)
            .differs(fieldtext::protocolDiffers)
            .small(fieldtext::protocolValue, fieldtext::rtmProtocolOf)
            .reads("protocol protocol_space")
            .column("Protocol")
            .sortByText()
            .attr("proto")
            .csv(CsvColumn::Protocol),
        field<&R::protocolSpace>("protocol_space", "which name table protocol numbers come from").hidden().inCsvRow(),
        field<&R::scope>("scope", "rtm_scope (RT_SCOPE_*)").names<scopeName>().column("Scope"),
        field<&R::type>("type", "rtm_type (RTN_*); Windows: local for loopback routes, else unicast")
            .names<routeTypeName>()
            .column("Type")
            .sortByText()
            .attr()
            .usualWhen(fieldtext::unicast),
        field<&R::prefSrc>("prefsrc", "RTA_PREFSRC")
            .text(fieldtext::prefSrc)
            .column("Pref. source")
            .attr("src")
            .usualWhen(fieldtext::noPrefSrc)
            .compare(fieldtext::comparePrefSrc)
            .sortKey(fieldtext::prefSrcKey)
            .textByKey()
            .charset(fieldtext::kAddressChars)
            .reads("prefsrc"),
        field<&R::nhId>("nhid", "RTA_NH_ID (nexthop object id), u32; 0 = none").nonZero(),
        field<&R::expiresUs>("expires",
                             "RTA_CACHEINFO.rta_expires (USER_HZ) / ValidLifetime, stored as an absolute "
                             "time, us since the epoch (UTC); 0 = never")
            .text(fieldtext::expiry)
            .diffText(fieldtext::expiryKind)
            .differs(fieldtext::expiryKindDiffers)
            .numberColumn("Expires")
            .cell(fieldtext::expiryCountdown)
            .compare(fieldtext::compareExpiry)
            .sortKey(fieldtext::expiryKey)
            .charset("0123456789s")
            .reads("expires"),
        field<&R::pref>("pref", "RTA_PREF, u8 (RFC 4191: low, medium, high); none for IPv4 and on Windows")
            .nameTable<kRoutePrefNames>()
            .column("Pref")
            .sortByText()
            .attr("pref"),
    };
};

template<> struct Description<EntityRow> {
    using R = EntityRow;
    static constexpr auto fields = std::tuple {
        field<&R::protocol>("protocol", "rtm_protocol / MIB_IPFORWARD_ROW2.Protocol, by name")
            .text(fieldtext::entityProtocol)
            .column("Protocol")
            .key()
            .sortByText()
            .csv(CsvColumn::Protocol),
        field<&R::protocolSpace>("protocol_space", "which name table the number comes from").hidden().inCsvRow(),
        derived<R>("protocol_number", "the raw protocol number")
            .text(fieldtext::entityNumber)
            .numberColumn("Number")
            .compare(fieldtext::compareEntityNumber)
            .sortKey(fieldtext::entityNumberKey)
            .flags(InDetails)
            .charset("0123456789")
            .inCsvRow(),
        field<&R::routeCount>("routes", "routes of this origin held when the record was made")
            .untracked()
            .attr("routes"),
    };
};

template<> struct Description<NeighborRow> {
    using R = NeighborRow;
    static constexpr auto fields = std::tuple {
        field<&R::ifIndex>("ifindex", "ndm_ifindex / MIB_IPNET_ROW2.InterfaceIndex, u32")
            .column("Interface")
            .key()
            .csv(CsvColumn::IfIndex)
            .interfaces(fieldtext::neighborIfIndex),
        field<&R::luid>("luid", "InterfaceLuid (Windows); 0 on Linux").key().absentWhenZero(),
        derived<R>("family", "ndm_family / Address.si_family")
            .text(fieldtext::neighborFamily)
            .cell(fieldtext::neighborFamilyLabel)
            .column("Family")
            .small(fieldtext::neighborFamilyValue, fieldtext::familyLabelOf)
            .flags(InDetails)
            .inCsvRow(),
        field<&R::address>("address", "NDA_DST / MIB_IPNET_ROW2.Address (\" proxy\" after a proxy entry's)")
            .text(fieldtext::neighborAddress)
            .cell(fieldtext::neighborAddressCell)
            .reads("address")
            .column("Address")
            .key()
            .csv(CsvColumn::Destination)
            .charset(fieldtext::kAddressChars),
        field<&R::lladdr>("lladdr", "NDA_LLADDR / MIB_IPNET_ROW2.PhysicalAddress")
            .text(fieldtext::lladdr)
            .differs(fieldtext::lladdrDiffers)
            .column("Link address")
            .attr("lladdr")
            .codec<fieldtext::HwAddressCodec<&R::lladdrLength, &R::lladdr>>(),
        field<&R::lladdrLength>("lladdr_length", "bytes of lladdr in use").hidden().codedElsewhere(),
        field<&R::flags>("flags", "ndm_flags, u8: NTF_* (router, proxy, extern_learn...)")
            .text(fieldtext::neighborFlags)
            .column("Flags")
            .sortByText()
            .attr(),
        field<&R::extFlags>("ext_flags", "NDA_FLAGS_EXT, u32: NTF_EXT_* (managed, locked)")
            .text(fieldtext::neighborExtFlags)
            .attr(),
        field<&R::state>("state", "ndm_state, u16: NUD_* (REACHABLE, STALE, PERMANENT...)")
            .text(fieldtext::neighborState)
            .column("State")
            .sortByText()
            .attr(),
        field<&R::type>("type", "ndm_type (RTN_*)").names<routeTypeName>(),
        field<&R::protocol>("protocol", "NDA_PROTOCOL, u8 (RTPROT_*: who installed it); 0 when absent")
            .text(fieldtext::neighborProtocol)
            .attr("proto"),
    };
};

template<> struct Description<RuleRow> {
    using R = RuleRow;
    // Every member is part of the key (types.h RuleRow): none is tracked. The attribute
    // line is the text `ip rule show` writes after "PRIORITY:", in its order.
    static constexpr auto fields = std::tuple {
        field<&R::priority>("priority", "FRA_PRIORITY, u32").numberColumn("Priority").key().csv(CsvColumn::Metric),
        field<&R::family>("family", "fib_rule_hdr.family (AF_INET / AF_INET6)")
            .names<familyName>()
            .cell(fieldtext::ruleFamilyLabel)
            .column("Family")
            .key()
            .inCsvRow(),
        derived<R>("selector", "the selectors, as ip rule writes them")
            .text(fieldtext::ruleSelector)
            .column("Selector")
            .inCsvRow(),
        field<&R::invert>("not", "fib_rule_hdr.flags & FIB_RULE_INVERT")
            .text(fieldtext::ruleInvert)
            .key()
            .attr()
            .inCsvRow()
            .absentWhenZero(),
        field<&R::source>("from", "FRA_SRC and fib_rule_hdr.src_len; all when absent")
            .text(fieldtext::ruleFrom)
            .key()
            .attr("from")
            .inCsvRow(),
        field<&R::sourceLength>("src_len", "fib_rule_hdr.src_len, bits").hidden().inCsvRow(),
        field<&R::destination>("to", "FRA_DST and fib_rule_hdr.dst_len")
            .text(fieldtext::ruleTo)
            .key()
            .attr("to")
            .inCsvRow()
            .absentWhen(fieldtext::ruleNoTo),
        field<&R::destinationLength>("dst_len", "fib_rule_hdr.dst_len, bits").hidden().inCsvRow(),
        field<&R::tos>("tos", "fib_rule_hdr.tos, u8; 0 = any")
            .text(fieldtext::ruleTos)
            .key()
            .attr("tos")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::fwmark>("fwmark", "FRA_FWMARK / FRA_FWMASK, u32")
            .text(fieldtext::ruleFwmark)
            .key()
            .attr("fwmark")
            .inCsvRow()
            .absentWhen(fieldtext::ruleNoFwmark),
        field<&R::fwmask>("fwmask", "FRA_FWMASK, u32").hidden().inCsvRow(),
        field<&R::inputInterface>("iif", "FRA_IIFNAME (a name: the interface need not exist)")
            .key()
            .attr("iif")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::outputInterface>("oif", "FRA_OIFNAME").key().attr("oif").inCsvRow().absentWhenZero(),
        field<&R::l3mdev>("l3mdev", "FRA_L3MDEV, u8")
            .text(fieldtext::ruleL3mdev)
            .key()
            .attr("lookup")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::hasUidRange>("has_uidrange", "FRA_UID_RANGE present").hidden().inCsvRow(),
        field<&R::uidStart>("uidrange", "FRA_UID_RANGE (struct fib_rule_uid_range), u32 start-end")
            .text(fieldtext::ruleUidRange)
            .key()
            .attr("uidrange")
            .inCsvRow()
            .absentWhen(fieldtext::ruleNoUidRange),
        field<&R::uidEnd>("uid_end", "FRA_UID_RANGE end").hidden().inCsvRow(),
        field<&R::ipProto>("ipproto", "FRA_IP_PROTO, u8 (IPPROTO_*)")
            .text(fieldtext::ruleIpProto)
            .key()
            .attr("ipproto")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::sportStart>("sport", "FRA_SPORT_RANGE (struct fib_rule_port_range), u16 start-end")
            .text(fieldtext::ruleSport)
            .key()
            .attr("sport")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::sportEnd>("sport_end", "FRA_SPORT_RANGE end").hidden().inCsvRow(),
        field<&R::dportStart>("dport", "FRA_DPORT_RANGE (struct fib_rule_port_range), u16 start-end")
            .text(fieldtext::ruleDport)
            .key()
            .attr("dport")
            .inCsvRow()
            .absentWhenZero(),
        field<&R::dportEnd>("dport_end", "FRA_DPORT_RANGE end").hidden().inCsvRow(),
        field<&R::tunId>("tun_id", "FRA_TUN_ID, u64").nonZero().key().attr("tun_id").inCsvRow().absentWhenZero(),
        field<&R::table>("table", "FRA_TABLE, u32, else fib_rule_hdr.table (254 main, 255 local)")
            .text(fieldtext::ruleTable)
            .key()
            .attr("lookup")
            .csv(CsvColumn::Table)
            .absentWhenZero(),
        field<&R::suppressPrefixLength>("suppress_prefixlength", "FRA_SUPPRESS_PREFIXLEN, s32; -1 = none")
            .text(fieldtext::ruleSuppressPrefixLength)
            .key()
            .attr("suppress_prefixlength")
            .inCsvRow()
            .absentWhen(fieldtext::ruleNoSuppressPrefixLength),
        field<&R::suppressIfgroup>("suppress_ifgroup", "FRA_SUPPRESS_IFGROUP, s32; -1 = none")
            .text(fieldtext::ruleSuppressIfgroup)
            .key()
            .attr("suppress_ifgroup")
            .inCsvRow()
            .absentWhen(fieldtext::ruleNoSuppressIfgroup),
        field<&R::action>("action", "fib_rule_hdr.action, u8 (FR_ACT_*), with FRA_GOTO")
            .text(fieldtext::ruleAction)
            .cell(fieldtext::ruleActionCell)
            .column("Action")
            .key()
            .attr()
            .inCsvRow(),
        field<&R::gotoPriority>("goto", "FRA_GOTO, u32 (the action's text shows it)").hidden().inCsvRow(),
        field<&R::protocol>("protocol", "FRA_PROTOCOL, u8 (RTPROT_*: who installed it); 0 when absent")
            .text(fieldtext::ruleProtocol)
            .column("Protocol")
            .sortByText()
            .key()
            .attr("proto")
            .usualWhen(fieldtext::ruleProtocolUsual)
            .csv(CsvColumn::Protocol),
        derived<R>("rule", "selectors and action as ip rule writes them (the CSV destination)")
            .text(fieldtext::ruleText)
            .csv(CsvColumn::Destination),
    };
};

template<> struct Description<NexthopRow> {
    using R = NexthopRow;
    // Keyed by id; `ip nexthop replace` changes any other field in place: all tracked. The
    // attribute line is what `ip nexthop show` writes after "id N", in its order.
    static constexpr auto fields = std::tuple {
        field<&R::id>("id", "NHA_ID, u32").numberColumn("Id").key().inCsvRow(),
        field<&R::family>("family", "nhmsg.nh_family (AF_INET / AF_INET6; unspec for groups)")
            .names<familyName>()
            .cell(fieldtext::nexthopFamilyLabel)
            .column("Family")
            .inCsvRow(),
        field<&R::gateway>("gateway", "NHA_GATEWAY (4 or 16 bytes)")
            .text(fieldtext::nexthopGateway)
            .column("Gateway")
            .attr("via")
            .csv(CsvColumn::Gateway)
            .absentWhenZero()
            .charset(fieldtext::kAddressChars)
            .reads("gateway"),
        field<&R::ifIndex>("ifindex", "NHA_OIF, u32")
            .text(fieldtext::nexthopDevice)
            .namedText(fieldtext::nexthopDeviceNamed)
            .column("Interface")
            .attr("dev")
            .csv(CsvColumn::IfIndex)
            .interfaces(fieldtext::nexthopIfIndex)
            .absentWhenZero(),
        field<&R::blackhole>("blackhole", "NHA_BLACKHOLE (flag)")
            .text(fieldtext::nexthopBlackhole)
            .column("Blackhole")
            .attr()
            .inCsvRow()
            .absentWhenZero(),
        field<&R::group>("group", "NHA_GROUP (struct nexthop_grp: id, weight - 1)")
            .text(fieldtext::nexthopGroup)
            .column("Group")
            .attr("group")
            .inCsvRow()
            .absentWhen(fieldtext::nexthopNotGroup)
            .codec<fieldtext::NexthopGroupCodec>(),
        field<&R::groupType>("group_type", "NHA_GROUP_TYPE, u16 (NEXTHOP_GRP_TYPE_*: mpath, resilient)")
            .text(fieldtext::nexthopGroupType)
            .column("Type")
            .attr("type")
            .inCsvRow()
            .usualWhen(fieldtext::nexthopNotResilient)
            .absentWhen(fieldtext::nexthopNotGroup),
        field<&R::protocol>("protocol", "nhmsg.nh_protocol, u8 (RTPROT_*: who installed it)")
            .text(fieldtext::nexthopProtocol)
            .column("Protocol")
            .sortByText()
            .attr("proto")
            .usualWhen(fieldtext::nexthopProtocolUnspec)
            .csv(CsvColumn::Protocol),
        field<&R::flags>("flags", "nhmsg.nh_flags, u32: RTNH_F_* (onlink, dead, linkdown...)")
            .text(fieldtext::nexthopFlags)
            .column("Flags")
            .sortByText()
            .attr()
            .inCsvRow(),
        field<&R::fdb>("fdb", "NHA_FDB (flag)").text(fieldtext::nexthopFdb).attr().inCsvRow().absentWhenZero(),
        derived<R>("nexthop", "the nexthop as ip nexthop writes it, without its protocol (the CSV destination)")
            .text(fieldtext::nexthopText)
            .namedText(fieldtext::nexthopNamedText)
            .csv(CsvColumn::Destination),
    };
};

static_assert(
    everyMemberDescribed<
        NexthopRow> && everyMemberDescribed<RuleRow> && everyMemberDescribed<NeighborRow> && everyMemberDescribed<InterfaceRow> && everyMemberDescribed<AddressRow> && everyMemberDescribed<RouteRow> && everyMemberDescribed<EntityRow>,
    "every member of a row type needs an entry in its description");
static_assert(fieldCount<InterfaceRow> <= 32 && fieldCount<AddressRow> <= 32 && fieldCount<RouteRow> <= 32
                  && fieldCount<EntityRow> <= 32 && fieldCount<NeighborRow> <= 32 && fieldCount<RuleRow> <= 32
                  && fieldCount<NexthopRow> <= 32,
              "changedFields has one bit per field");

// --- what the descriptions drive (rowfields.cpp) ----------------------------------------

/// The field bits of an object kind's fields that rows known by `known` hold values for:
/// kAnyField for KnownFields::All; for KnownFields::CsvRow those marked InCsvRow
/// (csvRowFields: the CSV columns, if_name and family, and what those read).
FieldMask knownFields(ObjectKind object, KnownFields known);
/// knownFields() of row type R.
template<typename R> constexpr FieldMask knownFieldsOf(KnownFields known)
{
    return known == KnownFields::All ? kAnyField : csvRowFields<R>;
}

/// Every field of a row shown in the details panel, as (name, text) pairs in description
/// order; fields that are absent (absentWhen) are left out, fields that are not known
/// (knownFields) have an empty text. ifName: the name of the row's interface (rowIfIndex())
/// where the caller knows it, for the fields that name it (FieldInfo::namedText: a route's
/// "via 10.1.0.2 dev eth0"); the fields that fill if_index keep the number.
std::vector<std::pair<std::string, std::string>> fieldTexts(const Row &row, KnownFields known = KnownFields::All,
                                                            std::string_view ifName = {});
/// fieldTexts() without the vector: f(name, text) for each such field, in description order;
/// text is valid until f returns.
void forEachFieldText(const Row &row, const std::function<void(std::string_view name, std::string_view text)> &f,
                      KnownFields known = KnownFields::All, std::string_view ifName = {});
/// The attribute line of a row, appended: "via 192.0.2.1 dev 3 metric 100 table main proto
/// boot"; what add, delete and initial records show as details. Fields that are not known
/// are left out. ifName: the name of the row's interface (rowIfIndex()) where the writer
/// knows it, for the fields that name it as `ip` does (FieldInfo::namedText: a nexthop
/// object's "dev veth0", a route's "via 10.1.0.2 dev eth0").
void appendAttributes(std::string &out, const Row &row, KnownFields known = KnownFields::All,
                      std::string_view ifName = {});
/// The changes of a Parameter record, appended: "operstate down -> up; mtu 1500 -> 9000"
/// ("-" for an empty value). Fields that are not known are left out.
/// ifName: the name of the interface of record.row() where the writer knows it, as
/// appendAttributes() takes it; a side on another interface is written by index.
void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known = KnownFields::All,
                   std::string_view ifName = {});
/// appendChanges() with the name of each side's interface (rowIfIndex() of record.before and
/// record.after) as that side's state knows it, "" where not known: the Compare dialog's two
/// moments.
void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known, std::string_view beforeName,
                   std::string_view afterName);
/// Names of the fields of an object kind in mask, joined by sep, in description order.
std::string fieldList(ObjectKind object, FieldMask mask, std::string_view sep = ";");
/// Name of field index of an object kind ("" when there is none).
std::string_view fieldName(ObjectKind object, int index);
/// The text a row gives a fixed CSV column (empty when none of its fields fills it);
/// ifName as appendAttributes() takes it (CsvColumn::IfIndex stays the number).
void appendCsvCell(std::string &out, const Row &row, CsvColumn column, std::string_view ifName = {});

/// Interface index of a row as the event log and CSV give it: the first field with
/// CsvColumn::IfIndex (an interface's or address's ifindex, a route's first next hop's); 0 otherwise.
std::uint32_t rowIfIndex(const Row &row);

/// Reads ruleText() back into row's selectors and action (family, priority and protocol are
/// left as they are; the other members are reset first). False, with row unspecified, for a
/// text ruleText() does not write ("from 10.1.0.0/33", an unknown word).
bool parseRuleText(std::string_view text, RuleRow &row);
/// Reads nexthopText() or nexthopNamedText() back into row (the protocol is left as it is;
/// the other members are reset first, the family too: give it after). The word after "dev"
/// goes to *device when given: a decimal one is also row.ifIndex, a name leaves ifIndex 0
/// (the caller knows the index: the CSV's if_index). False for a text neither writes (no
/// "id", an unknown word, a bad address or number).
bool parseNexthopText(std::string_view text, NexthopRow &row, std::string_view *device = nullptr);

} // namespace ncv::platform

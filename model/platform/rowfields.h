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
void nextHops(std::string &out, const RouteRow &r); ///< "via 192.0.2.1 dev 3", "on-link", "-"
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

static_assert(
    everyMemberDescribed<
        NeighborRow> && everyMemberDescribed<InterfaceRow> && everyMemberDescribed<AddressRow> && everyMemberDescribed<RouteRow> && everyMemberDescribed<EntityRow>,
    "every member of a row type needs an entry in its description");
static_assert(fieldCount<InterfaceRow> <= 32 && fieldCount<AddressRow> <= 32 && fieldCount<RouteRow> <= 32
                  && fieldCount<EntityRow> <= 32 && fieldCount<NeighborRow> <= 32,
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
/// (knownFields) have an empty text.
std::vector<std::pair<std::string, std::string>> fieldTexts(const Row &row, KnownFields known = KnownFields::All);
/// fieldTexts() without the vector: f(name, text) for each such field, in description order;
/// text is valid until f returns.
void forEachFieldText(const Row &row, const std::function<void(std::string_view name, std::string_view text)> &f,
                      KnownFields known = KnownFields::All);
/// The attribute line of a row, appended: "via 192.0.2.1 dev 3 metric 100 table main proto
/// boot"; what add, delete and initial records show as details. Fields that are not known
/// are left out.
void appendAttributes(std::string &out, const Row &row, KnownFields known = KnownFields::All);
/// The changes of a Parameter record, appended: "operstate down -> up; mtu 1500 -> 9000"
/// ("-" for an empty value). Fields that are not known are left out.
void appendChanges(std::string &out, const ChangeRecord &record, KnownFields known = KnownFields::All);
/// Names of the fields of an object kind in mask, joined by sep, in description order.
std::string fieldList(ObjectKind object, FieldMask mask, std::string_view sep = ";");
/// Name of field index of an object kind ("" when there is none).
std::string_view fieldName(ObjectKind object, int index);
/// The text a row gives a fixed CSV column (empty when none of its fields fills it).
void appendCsvCell(std::string &out, const Row &row, CsvColumn column);

/// Interface index of a row as the event log and CSV give it: the first field with
/// CsvColumn::IfIndex (an interface's or address's ifindex, a route's first next hop's); 0 otherwise.
std::uint32_t rowIfIndex(const Row &row);

} // namespace ncv::platform

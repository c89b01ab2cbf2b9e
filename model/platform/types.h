// SPDX-License-Identifier: GPL-2.0-or-later
// NetChangeView platform layer: plain value types shared by every source.
// No Qt here: this header builds with MinGW-w64 and MSVC alone.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ncv::platform {

/// Address family of an object. Registration takes the OS AF_* value
/// (AF_INET, AF_INET6, AF_UNSPEC) and maps it to this enum.
enum class Family : std::uint8_t { Unspec = 0, IPv4 = 1, IPv6 = 2 };

/// What kind of object a ChangeRecord is about.
/// Entity is a route origin (RTM_ENTITY_*); Gap marks events lost. Nsid is a namespace id
/// assigned or removed (RTM_NEWNSID / RTM_DELNSID): an event without a row, its id in
/// ChangeRecord::nsid (no table holds nsids). The values are stored in recordings
/// (object_kinds.code): a new kind takes the next free value.
enum class ObjectKind : std::uint8_t {
    None = 0,
    Interface,
    Address,
    Route,
    Entity,
    Gap,
    Neighbor,
    Rule,
    Nexthop,
    Nsid
};
/// The highest ObjectKind value (loops over every kind, tables indexed by kind).
inline constexpr ObjectKind kLastObjectKind = ObjectKind::Nsid;

/// Bit mask of object kinds for a registration.
enum ObjectMask : std::uint32_t {
    InterfacesMask = 1u << 0,
    AddressesMask = 1u << 1,
    RoutesMask = 1u << 2,
    NeighborsMask = 1u << 3,
    RulesMask = 1u << 4, ///< policy routing rules (Linux)
    NexthopsMask = 1u << 5, ///< nexthop objects (Linux `ip nexthop`)
    NsidsMask = 1u << 6, ///< namespace ids assigned and removed (Linux RTNLGRP_NSID, `ip netns set`)
    /// The kinds a registration gets unless it asks for more (neighbors churn: opt in).
    AllObjectsMask = InterfacesMask | AddressesMask | RoutesMask,
    /// Every kind, neighbors, rules, nexthop objects and namespace ids included.
    EveryObjectMask = AllObjectsMask | NeighborsMask | RulesMask | NexthopsMask | NsidsMask,
};

/// The change kinds: the MIB_NOTIFICATION_TYPE values (MibInitialNotification,
/// MibAddInstance, MibDeleteInstance, MibParameterNotification), the routing table
/// manager's RTM_ROUTE_EXPIRED / RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED,
/// a gap (events lost, e.g. ENOBUFS), and SnapshotComplete: delivered exactly once per
/// registration, with no row, when the initial snapshot has been delivered and
/// notifications are live (delivered whether or not initial rows were requested).
enum class ChangeKind : std::uint8_t {
    Initial = 0,
    Add,
    Delete,
    Parameter,
    Expired,
    Registered,
    Deregistered,
    Gap,
    SnapshotComplete,
};

/// observed: the OS reported the change. inferred: derived by NetChangeView
/// (resync after overflow, silent kernel deletion, polling fallback).
enum class Origin : std::uint8_t { Observed = 0, Inferred };

/// An IPv4 or IPv6 address in network byte order. IPv4 uses bytes[0..3].
struct IpAddress {
    Family family = Family::Unspec;
    std::array<std::uint8_t, 16> bytes {};

    bool isUnspecified() const; ///< true for Family::Unspec or all-zero bytes
    std::size_t byteLength() const { return family == Family::IPv4 ? 4 : family == Family::IPv6 ? 16 : 0; }
    friend bool operator==(const IpAddress &, const IpAddress &) = default;
    friend auto operator<=>(const IpAddress &, const IpAddress &) = default;

    static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
    static IpAddress fromBytes(Family family, const void *data, std::size_t len);
    /// Parses dotted-quad or RFC 4291 text. Returns Family::Unspec on error.
    static IpAddress parse(const std::string &text);
};

/// RFC 2863 operational state, numbered as Linux IF_OPER_* (IFLA_OPERSTATE, u8).
/// Windows IF_OPER_STATUS (MIB_IF_ROW2.OperStatus) is mapped onto it.
enum class OperState : std::uint8_t {
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
};

/// Where a route's protocol number comes from, which decides its name table.
enum class ProtocolSpace : std::uint8_t {
    RtmProtocol = 0, ///< Linux rtm_protocol (RTPROT_*), u8
    MibIpProto = 1, ///< Windows MIB_IPFORWARD_ROW2.Protocol (NL_ROUTE_PROTOCOL / MIB_IPPROTO_*)
};

/// Address flag bits, valued as Linux IFA_F_* (IFA_FLAGS, u32). Windows maps
/// DadState / SuffixOrigin onto these.
enum AddressFlag : std::uint32_t {
    AddrSecondary = 0x01, ///< IFA_F_SECONDARY (called temporary for IPv6)
    AddrNoDad = 0x02,
    AddrOptimistic = 0x04,
    AddrDadFailed = 0x08,
    AddrHomeAddress = 0x10,
    AddrDeprecated = 0x20,
    AddrTentative = 0x40,
    AddrPermanent = 0x80,
    AddrManageTempAddr = 0x100,
    AddrNoPrefixRoute = 0x200,
    AddrMcAutoJoin = 0x400,
    AddrStablePrivacy = 0x800,
};

/// Sentinel for "infinite" lifetimes, as in IFA_CACHEINFO (INFINITY_LIFE_TIME).
inline constexpr std::uint32_t kInfiniteLifetime = 0xFFFFFFFFu;

/// One network interface.
/// Linux: RTM_NEWLINK (struct ifinfomsg + IFLA_* attributes).
/// Windows: MIB_IF_ROW2 / MIB_IPINTERFACE_ROW keyed by InterfaceLuid.
struct InterfaceRow {
    std::uint32_t ifIndex = 0; ///< ifinfomsg.ifi_index / MIB_IF_ROW2.InterfaceIndex
    std::uint64_t luid = 0; ///< Windows NET_LUID.Value; 0 on Linux
    Family family = Family::Unspec; ///< Unspec on Linux; MIB_IPINTERFACE_ROW.Family on Windows
    // The OS's text fields are valid UTF-8 here: bytes that are not (a Linux name or alias
    // can hold any) are escaped as `\xHH` by textFromBytes (textescape.h), which
    // bytesFromText undoes.
    std::string name; ///< IFLA_IFNAME / MIB_IF_ROW2.Alias (friendly name), UTF-8 (escaped)
    std::string alias; ///< IFLA_IFALIAS / MIB_IF_ROW2.Description, UTF-8 (escaped)
    std::string kind; ///< IFLA_INFO_KIND (escaped), else from ifi_type (loopback, ether...) / MIB_IF_ROW2.Type name
    OperState operState = OperState::Unknown; ///< IFLA_OPERSTATE, u8 / MIB_IF_ROW2.OperStatus
    bool adminUp = false; ///< ifi_flags & IFF_UP / MIB_IF_ROW2.AdminStatus == up
    bool carrier = false; ///< IFLA_CARRIER (or IFF_LOWER_UP) / MIB_IF_ROW2.MediaConnectState
    std::uint32_t mtu = 0; ///< IFLA_MTU, u32, bytes / MIB_IPINTERFACE_ROW.NlMtu
    std::uint8_t macLength = 0; ///< bytes used in mac
    std::array<std::uint8_t, 32> mac {}; ///< IFLA_ADDRESS / MIB_IF_ROW2.PhysicalAddress
    std::uint32_t masterIndex = 0; ///< IFLA_MASTER, u32 ifindex; 0 = none
    std::uint32_t linkType = 0; ///< ifinfomsg.ifi_type (ARPHRD_*) / MIB_IF_ROW2.Type (IFTYPE)
};

/// One unicast address.
/// Linux: RTM_NEWADDR (struct ifaddrmsg + IFA_*). Windows: MIB_UNICASTIPADDRESS_ROW.
struct AddressRow {
    std::uint32_t ifIndex = 0; ///< ifa_index / InterfaceIndex
    std::uint64_t luid = 0; ///< InterfaceLuid on Windows; 0 on Linux
    IpAddress address; ///< IFA_LOCAL (else IFA_ADDRESS) / Address
    IpAddress peer; ///< IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point); else unspecified
    std::uint8_t prefixLength = 0; ///< ifa_prefixlen / OnLinkPrefixLength
    std::uint8_t scope = 0; ///< ifa_scope (RT_SCOPE_*) / mapped from ScopeId
    std::uint32_t flags = 0; ///< IFA_FLAGS (u32) else ifa_flags, AddressFlag bits
    std::uint32_t validLifetime
        = kInfiniteLifetime; ///< seconds left when observed: IFA_CACHEINFO.ifa_valid / ValidLifetime
    std::uint32_t preferredLifetime
        = kInfiniteLifetime; ///< seconds left when observed: IFA_CACHEINFO.ifa_prefered / PreferredLifetime
    std::int64_t validUntilUs = 0; ///< absolute expiry, microseconds since the Unix epoch (UTC); 0 = forever
    std::int64_t preferredUntilUs = 0; ///< absolute, as validUntilUs
    std::string label; ///< IFA_LABEL (IPv4 only), UTF-8 escaped as InterfaceRow::name; empty otherwise
};

/// One next hop of a route.
struct NextHop {
    IpAddress gateway; ///< RTA_GATEWAY / RTA_VIA (in rtnexthop) / MIB_IPFORWARD_ROW2.NextHop; unspecified = on-link
    std::uint32_t ifIndex = 0; ///< RTA_OIF / rtnh_ifindex / InterfaceIndex
    std::uint16_t weight = 1; ///< rtnh_hops + 1; 1 for single-path routes
    friend bool operator==(const NextHop &, const NextHop &) = default;
};

/// RouteRow::pref when a route has none (IPv4 routes; Windows has no route preference).
inline constexpr std::uint8_t kNoRoutePref = 0xFF;

/// One route (one row even when multipath).
/// Linux: RTM_NEWROUTE (struct rtmsg + RTA_*). Windows: MIB_IPFORWARD_ROW2.
struct RouteRow {
    IpAddress destination; ///< RTA_DST (absent = default) / DestinationPrefix.Prefix
    std::uint8_t prefixLength = 0; ///< rtm_dst_len / DestinationPrefix.PrefixLength
    std::uint8_t tos = 0; ///< rtm_tos (IPv4 routes are keyed by it)
    std::uint32_t protocol = 0; ///< rtm_protocol (RTPROT_*, u8) raw, or MIB_IPFORWARD_ROW2.Protocol (NL_ROUTE_PROTOCOL,
                                ///< up to 10007); see protocolSpace
    ProtocolSpace protocolSpace = ProtocolSpace::RtmProtocol;
    std::uint8_t scope = 0; ///< rtm_scope (RT_SCOPE_*)
    std::uint8_t type
        = 1; ///< rtm_type (RTN_*: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit...)
    std::uint32_t table = 254; ///< RTA_TABLE, u32 (254 main, 255 local); 0 on Windows
    std::uint32_t metric = 0; ///< RTA_PRIORITY, u32 / MIB_IPFORWARD_ROW2.Metric
    std::uint64_t luid = 0; ///< InterfaceLuid on Windows; 0 on Linux
    IpAddress prefSrc; ///< RTA_PREFSRC; unspecified when absent
    std::vector<NextHop>
        nextHops; ///< RTA_GATEWAY+RTA_OIF as one entry, or RTA_MULTIPATH entries; empty for blackhole etc.
    std::uint32_t nhId = 0; ///< RTA_NH_ID (nexthop object id), 0 = none
    std::int64_t expiresUs
        = 0; ///< absolute expiry from RTA_CACHEINFO.rta_expires (USER_HZ), microseconds since epoch; 0 = never
    std::uint8_t pref = kNoRoutePref; ///< RTA_PREF, u8, RFC 4191: ICMPV6_ROUTER_PREF_LOW 3, MEDIUM 0, HIGH 1

    Family family() const { return destination.family; }
    /// First next hop's interface, or 0.
    std::uint32_t outIfIndex() const { return nextHops.empty() ? 0 : nextHops.front().ifIndex; }
};

/// A routing entity: one route origin (rtm_protocol on Linux, MIB_IPFORWARD_ROW2.Protocol
/// on Windows), as the routing table manager's RTM_ENTITY_REGISTERED /
/// RTM_ENTITY_DEREGISTERED events see clients. Registered when its first route appears,
/// deregistered when its last route goes.
struct EntityRow {
    std::uint32_t protocol = 0; ///< rtm_protocol / MIB_IPFORWARD_ROW2.Protocol, raw
    ProtocolSpace protocolSpace = ProtocolSpace::RtmProtocol;
    std::uint64_t routeCount = 0; ///< routes of this origin held when the record was made
};

/// Neighbor cache states, valued as Linux NUD_* (ndm_state, u16), one bit each.
enum NeighborState : std::uint16_t {
    NudIncomplete = 0x01,
    NudReachable = 0x02,
    NudStale = 0x04,
    NudDelay = 0x08,
    NudProbe = 0x10,
    NudFailed = 0x20,
    NudNoArp = 0x40,
    NudPermanent = 0x80,
};

/// Neighbor flag bits, valued as Linux NTF_* (ndm_flags, u8).
enum NeighborFlag : std::uint8_t {
    NtfUse = 0x01,
    NtfSelf = 0x02,
    NtfMaster = 0x04,
    NtfProxy = 0x08, ///< a proxy entry (the kernel's pneigh table): keyed apart from a normal entry
    NtfExtLearned = 0x10,
    NtfOffloaded = 0x20,
    NtfSticky = 0x40,
    NtfRouter = 0x80,
};

/// Extended neighbor flag bits, valued as Linux NTF_EXT_* (NDA_FLAGS_EXT, u32).
enum NeighborExtFlag : std::uint32_t {
    NtfExtManaged = 0x01,
    NtfExtLocked = 0x02,
};

/// One neighbor cache entry (ARP for IPv4, NDP for IPv6), or a proxy entry.
/// Linux: RTM_NEWNEIGH (struct ndmsg + NDA_*), families AF_INET / AF_INET6 only (bridge FDB
/// entries, AF_BRIDGE, are not neighbors). Keyed as the kernel keys them: (family,
/// ifindex, NDA_DST), proxy entries (NTF_PROXY) in a table of their own.
/// Windows (MIB_IPNET_ROW2) would fill ifIndex, luid, address, lladdr and state.
struct NeighborRow {
    std::uint32_t ifIndex = 0; ///< ndmsg.ndm_ifindex / MIB_IPNET_ROW2.InterfaceIndex
    std::uint64_t luid = 0; ///< InterfaceLuid on Windows; 0 on Linux
    IpAddress address; ///< NDA_DST (its family is ndm_family) / MIB_IPNET_ROW2.Address
    std::uint8_t lladdrLength = 0; ///< bytes used in lladdr; 0 = none (NDA_LLADDR absent)
    std::array<std::uint8_t, 32> lladdr {}; ///< NDA_LLADDR / MIB_IPNET_ROW2.PhysicalAddress
    std::uint16_t state = 0; ///< ndmsg.ndm_state, NeighborState (NUD_*) bits
    std::uint8_t flags = 0; ///< ndmsg.ndm_flags, NeighborFlag (NTF_*) bits
    std::uint32_t extFlags = 0; ///< NDA_FLAGS_EXT, u32, NeighborExtFlag (NTF_EXT_*) bits; 0 when absent
    std::uint8_t type = 0; ///< ndmsg.ndm_type (RTN_*: 1 unicast...)
    std::uint8_t protocol = 0; ///< NDA_PROTOCOL, u8 (RTPROT_*: who installed it); 0 when absent

    bool isProxy() const { return (flags & NtfProxy) != 0; }
};

/// FRA_SUPPRESS_PREFIXLEN / FRA_SUPPRESS_IFGROUP when a rule has none (the kernel's -1).
inline constexpr std::int32_t kNoRuleSuppress = -1;

/// Rule actions, valued as Linux FR_ACT_* (fib_rule_hdr.action, u8).
enum RuleAction : std::uint8_t {
    RuleToTable = 1, ///< FR_ACT_TO_TBL: look the packet up in table ("lookup T")
    RuleGoto = 2, ///< FR_ACT_GOTO: go on at the rule of priority gotoPriority
    RuleNop = 3, ///< FR_ACT_NOP
    RuleBlackhole = 6, ///< FR_ACT_BLACKHOLE: drop silently
    RuleUnreachable = 7, ///< FR_ACT_UNREACHABLE: network unreachable
    RuleProhibit = 8, ///< FR_ACT_PROHIBIT: administratively prohibited
};

/// One policy routing rule (`ip rule`). Linux: RTM_NEWRULE / RTM_DELRULE (struct fib_rule_hdr
/// + FRA_* attributes, linux/fib_rules.h), families AF_INET and AF_INET6.
/// The kernel gives a rule no id: a rule is identified by all of its selectors, its action
/// and its priority together, as the kernel's rule_exists() compares them when `ip rule add`
/// refuses a duplicate (EEXIST). Every member is therefore part of the key: a rule never
/// changes in place, a "change" is a delete and an add. Rules have no interface index: iif
/// and oif are names (a rule may name an interface that does not exist yet).
struct RuleRow {
    Family family = Family::IPv4; ///< fib_rule_hdr.family (AF_INET / AF_INET6)
    std::uint32_t priority = 0; ///< FRA_PRIORITY, u32 (0 when absent: the local rule)
    IpAddress source; ///< FRA_SRC ("from"); unspecified = all
    std::uint8_t sourceLength = 0; ///< fib_rule_hdr.src_len, bits
    IpAddress destination; ///< FRA_DST ("to"); unspecified = all
    std::uint8_t destinationLength = 0; ///< fib_rule_hdr.dst_len, bits
    std::uint8_t tos = 0; ///< fib_rule_hdr.tos (DSCP / traffic class); 0 = any
    std::string inputInterface; ///< FRA_IIFNAME ("iif"), escaped as InterfaceRow::name; "" = any
    std::string outputInterface; ///< FRA_OIFNAME ("oif"), escaped; "" = any
    std::uint32_t fwmark = 0; ///< FRA_FWMARK, u32; 0 with fwmask 0 = none
    std::uint32_t fwmask = 0; ///< FRA_FWMASK, u32 (the kernel makes it 0xffffffff for a mark given alone)
    std::uint8_t ipProto = 0; ///< FRA_IP_PROTO, u8 (IPPROTO_*); 0 = any
    std::uint16_t sportStart = 0, sportEnd = 0; ///< FRA_SPORT_RANGE (struct fib_rule_port_range); 0-0 = any
    std::uint16_t dportStart = 0, dportEnd = 0; ///< FRA_DPORT_RANGE; 0-0 = any
    bool hasUidRange = false; ///< FRA_UID_RANGE present (the kernel sends it only when set)
    std::uint32_t uidStart = 0, uidEnd = 0; ///< FRA_UID_RANGE (struct fib_rule_uid_range)
    std::uint8_t l3mdev = 0; ///< FRA_L3MDEV, u8: 1 = look up the l3mdev (VRF) table of the packet's device
    std::uint64_t tunId = 0; ///< FRA_TUN_ID, u64 (host order); 0 = any
    bool invert = false; ///< fib_rule_hdr.flags & FIB_RULE_INVERT ("not"): the selectors' answer inverted
    std::uint8_t action = RuleToTable; ///< fib_rule_hdr.action, RuleAction (FR_ACT_*)
    std::uint32_t table = 0; ///< FRA_TABLE, u32, else fib_rule_hdr.table (254 main, 255 local); 0 = none
    std::uint32_t gotoPriority = 0; ///< FRA_GOTO, u32: the priority a goto rule jumps to
    std::int32_t suppressPrefixLength = kNoRuleSuppress; ///< FRA_SUPPRESS_PREFIXLEN (s32 in a u32); -1 = none
    std::int32_t suppressIfgroup = kNoRuleSuppress; ///< FRA_SUPPRESS_IFGROUP (s32 in a u32); -1 = none
    std::uint8_t protocol = 0; ///< FRA_PROTOCOL, u8 (RTPROT_*: who installed it); 0 when absent
};

/// Nexthop group types, valued as Linux NEXTHOP_GRP_TYPE_* (NHA_GROUP_TYPE, u16).
enum NexthopGroupType : std::uint16_t {
    NexthopGroupMpath = 0, ///< NEXTHOP_GRP_TYPE_MPATH: hash-threshold multipath (the default)
    NexthopGroupResilient = 1, ///< NEXTHOP_GRP_TYPE_RES: resilient hashing (buckets)
};

/// Next-hop flag bits, valued as Linux RTNH_F_* (nhmsg.nh_flags, u32).
enum NexthopFlag : std::uint32_t {
    RtnhDead = 0x01, ///< RTNH_F_DEAD: the device is down
    RtnhPervasive = 0x02, ///< RTNH_F_PERVASIVE
    RtnhOnlink = 0x04, ///< RTNH_F_ONLINK: the gateway is taken as on-link ("onlink")
    RtnhOffload = 0x08, ///< RTNH_F_OFFLOAD
    RtnhLinkdown = 0x10, ///< RTNH_F_LINKDOWN: the carrier is down
    RtnhUnresolved = 0x20, ///< RTNH_F_UNRESOLVED
    RtnhTrap = 0x40, ///< RTNH_F_TRAP
};

/// One member of a nexthop group: struct nexthop_grp in NHA_GROUP.
struct NexthopGroupMember {
    std::uint32_t id = 0; ///< nexthop_grp.id: the member nexthop object's NHA_ID
    /// nexthop_grp.weight + 1 (the kernel stores weight - 1 in a u8, with weight_high as
    /// its high byte since 6.12): 1..65536 in principle, 1..256 in practice
    std::uint32_t weight = 1;
    friend bool operator==(const NexthopGroupMember &, const NexthopGroupMember &) = default;
};

/// One nexthop object (`ip nexthop`). Linux: RTM_NEWNEXTHOP / RTM_DELNEXTHOP (struct nhmsg +
/// NHA_* attributes, linux/nexthop.h). Keyed by NHA_ID alone: ids are unique across
/// families, and `ip nexthop replace` changes any other field in place (a Parameter change).
/// A nexthop is one of: a gateway and / or device (family AF_INET / AF_INET6), a blackhole,
/// or a group of other nexthops (family unspec). Routes name one with RTA_NH_ID
/// (RouteRow::nhId).
struct NexthopRow {
    std::uint32_t id = 0; ///< NHA_ID, u32 (1..2^32-1)
    /// nhmsg.nh_family: IPv4 / IPv6 for a gateway or device nexthop; Unspec for groups,
    /// and for blackholes added without a family
    Family family = Family::Unspec;
    IpAddress gateway; ///< NHA_GATEWAY (4 or 16 bytes: an IPv4 nexthop may have an IPv6 gateway); unspecified = none
    std::uint32_t ifIndex = 0; ///< NHA_OIF, u32; 0 = none (groups, blackholes)
    bool blackhole = false; ///< NHA_BLACKHOLE (a flag attribute): packets are dropped
    std::vector<NexthopGroupMember> group; ///< NHA_GROUP (array of struct nexthop_grp); empty = not a group
    std::uint16_t groupType = NexthopGroupMpath; ///< NHA_GROUP_TYPE, u16, NexthopGroupType; mpath when absent
    std::uint8_t protocol = 0; ///< nhmsg.nh_protocol (RTPROT_*: who installed it; 0 unspec)
    std::uint32_t flags = 0; ///< nhmsg.nh_flags, NexthopFlag (RTNH_F_*) bits
    bool fdb = false; ///< NHA_FDB (a flag attribute): a nexthop for the bridge / VXLAN FDB only

    bool isGroup() const { return !group.empty(); }
};

/// Fields of a Parameter change: bit i is field i of the row type's description
/// (rowfields.h; fieldBit<RouteRow>("nexthops")).
using FieldMask = std::uint32_t;

/// Which fields of its rows a source's records (or a recording's states) hold values for.
enum class KnownFields : std::uint8_t {
    All = 0, ///< every field: live sources, recordings, rtmon files and captures
    /// Only those a row of our CSV export gives (rowfields.h InCsvRow): a recording converted
    /// from a CSV export. The other members hold their defaults, which say nothing about the
    /// object: shown as blanks.
    CsvRow,
};

/// The alternatives' indexes are stored (recordings' record byte): a new row type goes last.
using Row
    = std::variant<std::monostate, InterfaceRow, AddressRow, RouteRow, EntityRow, NeighborRow, RuleRow, NexthopRow>;

/// Calls f(std::type_identity<R>{}) for the Row alternative R at index (1..: the stored
/// row type codes; 0 is monostate, which f also receives) and returns true; false when
/// index names no alternative. One switch for every reader of stored row type codes.
template<typename F> bool withRowIndex(std::size_t index, F &&f)
{
    return [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        return ((index == I ? (f(std::type_identity<std::variant_alternative_t<I, Row>> {}), true) : false) || ...);
    }
    (std::make_index_sequence<std::variant_size_v<Row>> {});
}

/// One classified change, produced by a source's reader thread and handed to the
/// registration's callback. Plain value; safe to copy between threads.
struct ChangeRecord {
    ObjectKind object = ObjectKind::None;
    ChangeKind change = ChangeKind::Initial;
    Origin origin = Origin::Observed;
    Family family = Family::Unspec;
    /// Nanoseconds past timeUs, 0..999: set only by sources whose clock has nanoseconds (a
    /// pcapng or nanosecond pcap capture); 0 otherwise.
    std::uint16_t timeSubUsNs = 0;
    /// Who asked for the change: an id of RequesterTable (requester.h); 0 = not known (dump
    /// replies, Windows, markers). Set by the reader thread that decoded the notification.
    std::uint32_t requester = 0;
    /// The network namespace the change happened in: an id of NamespaceTable (netnstable.h);
    /// 0 = the one the program runs in when it watches only that one (the default). Set by
    /// the source that watches several (NamespaceSetSource).
    std::uint32_t netns = 0;
    std::int64_t timeUs = 0; ///< when the source decoded it: microseconds since the Unix epoch, UTC
    FieldMask changedFields = 0; ///< for Parameter: the changed fields (bits by description, rowfields.h)
    /// Linux: the notification's nlmsg_pid, the netlink port id of the socket that asked for
    /// the change (0 = the kernel itself); meaningful only when requester is a process, an
    /// exited process, a port or the kernel. 0 for dump replies and on Windows.
    std::uint32_t portId = 0;
    /// ObjectKind::Nsid only: NETNSA_NSID (s32), the id that the namespace of the event (netns)
    /// assigned to (Add, RTM_NEWNSID) or removed from (Delete, RTM_DELNSID) a peer namespace;
    /// -1 otherwise. The message names no peer: `ip monitor` looks its name up itself.
    std::int32_t nsid = -1;
    Row before; ///< previous state: set for Parameter, Delete, Expired; monostate otherwise
    Row after; ///< new state: set for Initial, Add, Parameter; monostate otherwise
    std::string note; ///< free text for Gap / SnapshotComplete (e.g. "ENOBUFS: 1234 events lost")

    /// The row that identifies the object: after if set, else before. monostate for markers.
    const Row &row() const { return std::holds_alternative<std::monostate>(after) ? before : after; }
};

/// The object kind of a row (None for monostate).
ObjectKind objectKindOf(const Row &row);
/// The family a record of the row carries: the address's / destination's; an interface's
/// family member (Unspec on Linux); Unspec for entities and monostate.
Family rowFamily(const Row &row);

/// Current time, microseconds since the Unix epoch (UTC), from the system clock.
std::int64_t nowUs();

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// Route lookup: which route the kernel would choose for a destination (and optionally a
// source address, fwmark, input / output interface, TOS, uid), from a set of routes and
// the policy rules, following Linux's FIB: the rules in priority order (fib_rules_lookup:
// selectors, goto, nop, blackhole / unreachable / prohibit, lookup table T with
// suppress_prefixlength), and in each table the longest prefix that covers the destination,
// its aliases by TOS then metric (lowest first), falling back to shorter prefixes when no
// alias fits (fib_table_lookup); a throw route or a table without a match goes on with the
// next rule. The kernel (`ip route get`) is the reference in the tests.
// A route that names a nexthop object (RTA_NH_ID) goes where the object says at the moment
// of the lookup: with net.ipv4.nexthop_compat_mode = 0 the kernel sends such routes with
// RTA_NH_ID alone, and it never announces them again when their object changes.
//
// Not modelled: the choice among a multipath route's next hops (the kernel hashes the flow
// with a per-boot seed: the answer lists every next hop), input-route checks (forwarding
// off, rp_filter, martians) of a lookup with an input interface, the l3mdev, tunnel id,
// IP protocol, port and ifgroup selectors (a rule with one never matches a query here,
// as the kernel's never matches a query that gives none), and IPv6's neighbour-reachability
// scoring among routes of equal metric (the first is taken).
// Qt-free; pure functions, thread-safe.
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace ncv::platform {

/// One policy routing rule as the FIB rules engine applies it.
/// Linux: RTM_NEWRULE (struct fib_rule_hdr + FRA_* attributes); `ip rule` prints it.
struct PolicyRule {
    /// FR_ACT_* (fib_rule_hdr.action).
    enum class Action : std::uint8_t {
        Lookup = 1, ///< FR_ACT_TO_TBL: look the destination up in table
        Goto = 2, ///< FR_ACT_GOTO: go on at the rule of priority gotoPriority
        Nop = 3, ///< FR_ACT_NOP: nothing
        Blackhole = 6, ///< FR_ACT_BLACKHOLE: drop silently (EINVAL)
        Unreachable = 7, ///< FR_ACT_UNREACHABLE: ENETUNREACH
        Prohibit = 8, ///< FR_ACT_PROHIBIT: EACCES
    };
    Family family = Family::IPv4; ///< fib_rule_hdr.family
    std::uint32_t priority = 0; ///< FRA_PRIORITY, u32
    IpAddress source; ///< FRA_SRC ("from"); unspecified = any
    std::uint8_t sourceLength = 0; ///< fib_rule_hdr.src_len
    IpAddress destination; ///< FRA_DST ("to"); unspecified = any
    std::uint8_t destinationLength = 0; ///< fib_rule_hdr.dst_len
    std::uint8_t tos = 0; ///< fib_rule_hdr.tos; 0 = any
    std::string inputInterface; ///< FRA_IIFNAME ("iif"); "" = any. Local lookups come in on "lo".
    std::string outputInterface; ///< FRA_OIFNAME ("oif"); "" = any
    std::uint32_t fwmark = 0; ///< FRA_FWMARK, u32
    std::uint32_t fwmask = 0; ///< FRA_FWMASK, u32 (0xffffffff when a mark is given without one)
    bool hasUidRange = false; ///< FRA_UID_RANGE present
    std::uint32_t uidStart = 0, uidEnd = 0; ///< FRA_UID_RANGE (struct fib_rule_uid_range)
    /// A selector not modelled here (FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE,
    /// FRA_L3MDEV, FRA_TUN_ID): the rule never matches a query (which gives none of them).
    bool unmodelledSelector = false;
    bool invert = false; ///< FIB_RULE_INVERT ("not"): the selectors' answer inverted
    Action action = Action::Lookup;
    std::uint32_t table = 0; ///< FRA_TABLE, u32 (else fib_rule_hdr.table); 254 main, 255 local, 253 default
    std::uint32_t gotoPriority = 0; ///< FRA_GOTO, u32
    std::int32_t suppressPrefixLength = -1; ///< FRA_SUPPRESS_PREFIXLEN; -1 = none
};

/// The rule as the engine applies it: every field of row, those it does not model
/// (FRA_IP_PROTO, the port ranges, FRA_L3MDEV, FRA_TUN_ID, FRA_SUPPRESS_IFGROUP) marking
/// it unmodelledSelector.
PolicyRule policyRuleOf(const RuleRow &row);

/// The kernel's rules when nobody changed them: IPv4 0 local, 32766 main, 32767 default;
/// IPv6 0 local, 32766 main.
std::vector<PolicyRule> defaultPolicyRules(Family family);

/// What is looked up, as `ip route get DESTINATION [from SOURCE] [mark FWMARK] [iif IN]
/// [oif OUT] [tos TOS] [uid UID]` asks it.
struct RouteQuery {
    IpAddress destination;
    IpAddress source; ///< unspecified = none given (rules with "from" then do not match)
    std::uint32_t fwmark = 0;
    std::string inputInterface; ///< "" = a locally generated packet (the kernel uses "lo")
    std::uint32_t outputInterface = 0; ///< ifindex; 0 = any
    std::string outputInterfaceName; ///< the name of outputInterface, for rules with "oif"
    std::uint8_t tos = 0;
    std::uint32_t uid = 0; ///< the kernel uses the asking process's uid (0 for root)
};

/// The kernel's answer to a RouteQuery.
struct RouteAnswer {
    enum class Outcome : std::uint8_t {
        Route = 0, ///< a route (unicast, local, broadcast, multicast, anycast): route says which
        NoRoute, ///< no rule's table had one: ENETUNREACH ("Network is unreachable")
        Blackhole, ///< a blackhole route or rule: EINVAL ("Invalid argument")
        Unreachable, ///< an unreachable route (EHOSTUNREACH) or rule (ENETUNREACH)
        Prohibit, ///< a prohibit route or rule: EACCES ("Permission denied")
    };
    Outcome outcome = Outcome::NoRoute;
    /// The chosen route, also for a blackhole / unreachable / prohibit route; empty
    /// (hasRoute false) for a rule's action or no route.
    bool hasRoute = false;
    RouteRow route;
    /// The rule that decided (the lookup rule whose table gave the route, or the rule whose
    /// action answered); hasRule false when none did (NoRoute).
    bool hasRule = false;
    PolicyRule rule;
    std::uint32_t table = 0; ///< the table of route; 0 without one

    /// errno the kernel answers `ip route get` with (0 for a route).
    int error() const;
    /// "via 192.0.2.1 dev 3 table 100 (rule 5210, route 0.0.0.0/0 metric 0)", "unreachable
    /// (rule 100)", "no route"; interface names by ifName when given.
    std::string text() const;
    /// Same outcome, rule priority, table and route key and next hops (for "did the answer
    /// change": a route's other fields changing does not change which route it is).
    bool sameChoice(const RouteAnswer &other) const;
};

/// The nexthop objects (`ip nexthop`) routes can name, by id (NHA_ID).
using NexthopObjects = std::map<std::uint32_t, NexthopRow>;

/// Where a route through nexthop object id goes, as objects have it: *hops gets the
/// object's next hop (NHA_GATEWAY, NHA_OIF; weight 1), or a group's members' in the group's
/// order with their weights (members not in objects left out), the form the kernel gives
/// such a route in compat mode (RTA_GATEWAY + RTA_OIF, RTA_MULTIPATH); *blackhole: the route
/// drops (a blackhole object, or a group of one blackhole member: the kernel's
/// nexthop_is_blackhole()). False, with neither touched, when id is not in objects.
bool resolveNexthopObject(std::uint32_t id, const NexthopObjects &objects, std::vector<NextHop> *hops, bool *blackhole);

/// Looks query up in routes (any order; every table; rows of the other family and tables
/// no rule names are passed over) through rules (any order: taken by priority, ties in the
/// given order, as the kernel keeps them in insertion order). Rules of the other family
/// are passed over. nexthops: the nexthop objects at the moment; a route through one of
/// them (nhId) takes its next hops and its type from it (resolveNexthopObject(); the
/// answer's route holds them): unicast, or Blackhole when it drops, as fib_table_lookup
/// answers (the type a row holds is the object's when the kernel last wrote the route).
/// A route whose object is not there is passed over: the kernel removes the routes using
/// an object it deletes. Without nexthops (nullptr: objects not known, e.g. a recording
/// made before they were recorded) routes keep the next hops and type they came with.
RouteAnswer lookupRoute(const RouteQuery &query, std::span<const RouteRow> routes, std::span<const PolicyRule> rules,
                        const NexthopObjects *nexthops = nullptr);

/// True when route's prefix covers address (same family, first prefixLength bits equal).
bool prefixCovers(const RouteRow &route, const IpAddress &address);

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/routelookup.h"

#include "platform/format.h"

#include <algorithm>
#include <cerrno>

namespace ncv::platform {

namespace {

// RTN_* values of RouteRow::type.
constexpr std::uint8_t kRtnUnicast = 1;
constexpr std::uint8_t kRtnBlackhole = 6;
constexpr std::uint8_t kRtnUnreachable = 7;
constexpr std::uint8_t kRtnProhibit = 8;
constexpr std::uint8_t kRtnThrow = 9;
constexpr std::uint8_t kRtnNat = 10;

// The first length bits of a and b are equal (an unspecified address counts as all zero,
// as the kernel's flow key holds 0 for an address not given).
bool samePrefix(const IpAddress &a, const IpAddress &b, unsigned length)
{
    const std::size_t bytes = std::max(a.byteLength(), b.byteLength());
    length = std::min<unsigned>(length, unsigned(bytes * 8));
    for (unsigned i = 0; i < length / 8; ++i) {
        if (a.bytes[i] != b.bytes[i])
            return false;
    }
    if (const unsigned rest = length % 8) {
        const std::uint8_t mask = std::uint8_t(0xFF << (8 - rest));
        if ((a.bytes[length / 8] & mask) != (b.bytes[length / 8] & mask))
            return false;
    }
    return true;
}

// fib_rule_match + fib4_rule_match / fib6_rule_match.
bool ruleMatches(const PolicyRule &rule, const RouteQuery &q)
{
    bool match = !rule.unmodelledSelector;
    if (match && !rule.inputInterface.empty())
        match = rule.inputInterface == (q.inputInterface.empty() ? std::string("lo") : q.inputInterface);
    if (match && !rule.outputInterface.empty())
        match = q.outputInterface != 0 && rule.outputInterface == q.outputInterfaceName;
    if (match && ((rule.fwmark ^ q.fwmark) & rule.fwmask) != 0)
        match = false;
    if (match && rule.hasUidRange)
        match = q.uid >= rule.uidStart && q.uid <= rule.uidEnd;
    if (match && rule.sourceLength > 0)
        match = samePrefix(q.source, rule.source, rule.sourceLength);
    if (match && rule.destinationLength > 0)
        match = samePrefix(q.destination, rule.destination, rule.destinationLength);
    if (match && rule.tos != 0)
        match = rule.tos == q.tos;
    return rule.invert ? !match : match;
}

enum class TableResult { Found, Again };

// fib_table_lookup over the candidates of one table, longest prefix first, then by TOS
// (non-zero first) and metric: the first alias that fits answers; none: Again.
TableResult lookupTable(std::span<const RouteRow *const> candidates, std::uint32_t table, const RouteQuery &q,
                        const NexthopObjects *nexthops, RouteAnswer *answer)
{
    std::vector<NextHop> resolved;
    for (const RouteRow *route : candidates) {
        if (route->table != table)
            continue;
        if (route->tos != 0 && route->tos != q.tos)
            continue;
        // Through a nexthop object: where the object goes now. fib_table_lookup takes the
        // object's next hops and answers a blackhole object with EINVAL; the kernel writes
        // such a route's type from its object when it writes the route (blackhole or
        // unicast), so the type a row holds is the object's of that moment.
        bool throughObject = false;
        bool blackhole = false;
        if (route->nhId != 0 && nexthops && (route->type == kRtnUnicast || route->type == kRtnBlackhole)) {
            resolved.clear();
            throughObject = resolveNexthopObject(route->nhId, *nexthops, &resolved, &blackhole);
            // Its object is gone, and the route with it (the kernel removes the routes
            // using an object it deletes; the record of that may follow the object's).
            if (!throughObject)
                continue;
        }
        RouteAnswer::Outcome outcome = RouteAnswer::Outcome::Route;
        switch (throughObject ? (blackhole ? kRtnBlackhole : kRtnUnicast) : route->type) {
        case kRtnThrow: return TableResult::Again;
        case kRtnBlackhole:
        case kRtnNat: outcome = RouteAnswer::Outcome::Blackhole; break;
        case kRtnUnreachable: outcome = RouteAnswer::Outcome::Unreachable; break;
        case kRtnProhibit: outcome = RouteAnswer::Outcome::Prohibit; break;
        default: break;
        }
        const std::vector<NextHop> &hops = throughObject ? resolved : route->nextHops;
        if (outcome == RouteAnswer::Outcome::Route && q.outputInterface != 0) {
            const bool onOif = std::any_of(hops.begin(), hops.end(),
                                           [&](const NextHop &hop) { return hop.ifIndex == q.outputInterface; });
            if (!onOif)
                continue;
        }
        answer->outcome = outcome;
        answer->hasRoute = true;
        answer->route = *route;
        if (throughObject) {
            answer->route.nextHops = std::move(resolved);
            answer->route.type = blackhole ? kRtnBlackhole : kRtnUnicast;
        }
        answer->table = table;
        return TableResult::Found;
    }
    return TableResult::Again;
}

PolicyRule makeRule(Family family, std::uint32_t priority, std::uint32_t table)
{
    PolicyRule rule;
    rule.family = family;
    rule.priority = priority;
    rule.table = table;
    return rule;
}

} // namespace

PolicyRule policyRuleOf(const RuleRow &row)
{
    PolicyRule r;
    r.family = row.family;
    r.priority = row.priority;
    r.source = row.source;
    r.sourceLength = row.sourceLength;
    r.destination = row.destination;
    r.destinationLength = row.destinationLength;
    r.tos = row.tos;
    r.inputInterface = row.inputInterface;
    r.outputInterface = row.outputInterface;
    r.fwmark = row.fwmark;
    r.fwmask = row.fwmask;
    r.hasUidRange = row.hasUidRange;
    r.uidStart = row.uidStart;
    r.uidEnd = row.uidEnd;
    // suppress_ifgroup too: the query names no interface group, so the engine cannot apply it.
    r.unmodelledSelector = row.ipProto != 0 || row.sportStart != 0 || row.sportEnd != 0 || row.dportStart != 0
        || row.dportEnd != 0 || row.l3mdev != 0 || row.tunId != 0 || row.suppressIfgroup != kNoRuleSuppress;
    r.invert = row.invert;
    r.action = PolicyRule::Action(row.action);
    r.table = row.table;
    r.gotoPriority = row.gotoPriority;
    r.suppressPrefixLength = row.suppressPrefixLength;
    return r;
}

std::vector<PolicyRule> defaultPolicyRules(Family family)
{
    std::vector<PolicyRule> rules {makeRule(family, 0, 255), makeRule(family, 32766, 254)};
    if (family == Family::IPv4)
        rules.push_back(makeRule(family, 32767, 253));
    return rules;
}

bool resolveNexthopObject(std::uint32_t id, const NexthopObjects &objects, std::vector<NextHop> *hops, bool *blackhole)
{
    const auto it = objects.find(id);
    if (it == objects.end())
        return false;
    const NexthopRow &object = it->second;
    hops->clear();
    *blackhole = object.blackhole;
    const auto hopOf = [](const NexthopRow &h, std::uint32_t weight) {
        return NextHop {h.gateway, h.ifIndex, std::uint16_t(std::min<std::uint32_t>(weight, 0xFFFF))};
    };
    if (object.group.empty()) {
        if (!object.blackhole)
            hops->push_back(hopOf(object, 1));
        return true;
    }
    // Members are never groups themselves (the kernel refuses nested groups); a blackhole
    // may only be the one member of its group.
    for (const NexthopGroupMember &m : object.group) {
        const auto member = objects.find(m.id);
        if (member == objects.end())
            continue;
        if (member->second.blackhole)
            *blackhole = object.group.size() == 1;
        else
            hops->push_back(hopOf(member->second, m.weight));
    }
    return true;
}

bool prefixCovers(const RouteRow &route, const IpAddress &address)
{
    return route.destination.family == address.family && samePrefix(route.destination, address, route.prefixLength);
}

RouteAnswer lookupRoute(const RouteQuery &query, std::span<const RouteRow> routes, std::span<const PolicyRule> rules,
                        const NexthopObjects *nexthops)
{
    const Family family = query.destination.family;
    std::vector<const RouteRow *> candidates;
    for (const RouteRow &route : routes) {
        if (route.family() == family && prefixCovers(route, query.destination))
            candidates.push_back(&route);
    }
    // The order fib_table_lookup tries them in: longest prefix first; a prefix's aliases
    // with a TOS first (they are kept sorted by TOS, descending), then by metric.
    std::stable_sort(candidates.begin(), candidates.end(), [](const RouteRow *a, const RouteRow *b) {
        if (a->prefixLength != b->prefixLength)
            return a->prefixLength > b->prefixLength;
        if (a->tos != b->tos)
            return a->tos > b->tos;
        return a->metric < b->metric;
    });

    std::vector<const PolicyRule *> order;
    for (const PolicyRule &rule : rules) {
        if (rule.family == family)
            order.push_back(&rule);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const PolicyRule *a, const PolicyRule *b) { return a->priority < b->priority; });

    RouteAnswer answer;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const PolicyRule &rule = *order[i];
        if (!ruleMatches(rule, query))
            continue;
        RouteAnswer::Outcome outcome = RouteAnswer::Outcome::Route;
        switch (rule.action) {
        case PolicyRule::Action::Goto: {
            // The target is the first rule of that priority; it must match in turn.
            const auto target = std::find_if(order.begin(), order.end(),
                                             [&](const PolicyRule *r) { return r->priority == rule.gotoPriority; });
            if (target != order.end() && std::size_t(target - order.begin()) > i)
                i = std::size_t(target - order.begin()) - 1;
            continue;
        }
        case PolicyRule::Action::Nop: continue;
        case PolicyRule::Action::Blackhole: outcome = RouteAnswer::Outcome::Blackhole; break;
        case PolicyRule::Action::Unreachable: outcome = RouteAnswer::Outcome::Unreachable; break;
        case PolicyRule::Action::Prohibit: outcome = RouteAnswer::Outcome::Prohibit; break;
        case PolicyRule::Action::Lookup: break;
        }
        if (outcome != RouteAnswer::Outcome::Route) {
            answer = RouteAnswer();
            answer.outcome = outcome;
            answer.hasRule = true;
            answer.rule = rule;
            return answer;
        }
        RouteAnswer found;
        if (lookupTable(candidates, rule.table, query, nexthops, &found) == TableResult::Again)
            continue;
        // suppress_prefixlength: a route this short (or shorter) is as if not found.
        if (found.outcome == RouteAnswer::Outcome::Route && rule.suppressPrefixLength >= 0
            && int(found.route.prefixLength) <= rule.suppressPrefixLength)
            continue;
        found.hasRule = true;
        found.rule = rule;
        return found;
    }
    answer.outcome = RouteAnswer::Outcome::NoRoute;
    return answer;
}

int RouteAnswer::error() const
{
    switch (outcome) {
    case Outcome::Route: return 0;
    case Outcome::NoRoute: return ENETUNREACH;
    case Outcome::Blackhole: return EINVAL;
    case Outcome::Unreachable:
        // An IPv4 unreachable route answers EHOSTUNREACH; IPv6's, and the rule action, ENETUNREACH.
        return hasRoute && route.family() == Family::IPv4 ? EHOSTUNREACH : ENETUNREACH;
    case Outcome::Prohibit: return EACCES;
    }
    return 0;
}

std::string RouteAnswer::text() const
{
    std::string out;
    switch (outcome) {
    case Outcome::NoRoute: return "no route";
    case Outcome::Blackhole: out = "blackhole"; break;
    case Outcome::Unreachable: out = "unreachable"; break;
    case Outcome::Prohibit: out = "prohibit"; break;
    case Outcome::Route:
        if (hasRoute && route.type != 1)
            out = routeTypeName(route.type);
        if (hasRoute) {
            for (const NextHop &hop : route.nextHops) {
                if (!out.empty())
                    out += ' ';
                if (!hop.gateway.isUnspecified())
                    out += "via " + toString(hop.gateway) + ' ';
                out += "dev " + std::to_string(hop.ifIndex);
            }
        }
        break;
    }
    if (hasRoute)
        out += " table " + tableName(table);
    out += " (";
    if (hasRule)
        out += "rule " + std::to_string(rule.priority);
    if (hasRoute) {
        if (hasRule)
            out += ", ";
        out += "route " + toCidr(route.destination, route.prefixLength) + " metric " + std::to_string(route.metric);
    }
    out += ')';
    return out;
}

bool RouteAnswer::sameChoice(const RouteAnswer &other) const
{
    if (outcome != other.outcome || hasRoute != other.hasRoute || hasRule != other.hasRule)
        return false;
    if (hasRule && rule.priority != other.rule.priority)
        return false;
    if (!hasRoute)
        return true;
    return table == other.table && route.destination == other.route.destination
        && route.prefixLength == other.route.prefixLength && route.tos == other.route.tos
        && route.metric == other.route.metric && route.type == other.route.type
        && route.nextHops == other.route.nextHops;
}

} // namespace ncv::platform

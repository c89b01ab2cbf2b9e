// SPDX-License-Identifier: GPL-2.0-or-later
// EntityTracker: routing entities (route origins) registered with their first route and
// deregistered with their last, in order around the route records that cause them.
#include "support/platformtest.h"

#include "platform/entitytracker.h"
#include "platform/format.h"
#include "platform/rowfields.h"

using namespace ncv::platform;

namespace {
RouteRow route(const char *dst, std::uint32_t protocol, ProtocolSpace space = ProtocolSpace::RtmProtocol)
{
    RouteRow r;
    r.destination = IpAddress::parse(dst);
    r.prefixLength = 24;
    r.protocol = protocol;
    r.protocolSpace = space;
    return r;
}

ChangeRecord routeRecord(ChangeKind change, const RouteRow &before, const RouteRow &after, std::int64_t t = 5)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = change;
    r.family = Family::IPv4;
    r.timeUs = t;
    if (change != ChangeKind::Add && change != ChangeKind::Initial)
        r.before = before;
    if (change != ChangeKind::Delete && change != ChangeKind::Expired)
        r.after = after;
    return r;
}

/// "registered bird 1", "route add", ...
std::string describe(const std::vector<ChangeRecord> &records)
{
    std::string out;
    for (const auto &r : records) {
        if (!out.empty())
            out += ", ";
        if (r.object == ObjectKind::Entity) {
            const auto &e = std::get<EntityRow>(r.row());
            out += std::string(changeName(r.change)) + " " + keyText(r.row()) + " " + std::to_string(e.routeCount);
        } else {
            out += std::string(objectName(r.object)) + " " + std::string(changeName(r.change));
        }
    }
    return out;
}
} // namespace

TEST_CASE("first_route_registers_last_route_deregisters")
{
    EntityTracker t;
    std::vector<ChangeRecord> out;
    const RouteRow a = route("10.0.0.0", 12), b = route("10.1.0.0", 12);
    t.process(routeRecord(ChangeKind::Add, {}, a), out);
    CHECK_EQ(describe(out), std::string("registered bird 1, route add"));
    CHECK(out[0].family == Family::Unspec);
    CHECK_EQ(out[0].timeUs, std::int64_t(5));
    out.clear();
    t.process(routeRecord(ChangeKind::Add, {}, b), out);
    CHECK_EQ(describe(out), std::string("route add"));
    CHECK_EQ(t.routeCount(12), std::uint64_t(2));
    out.clear();
    t.process(routeRecord(ChangeKind::Delete, a, {}), out);
    CHECK_EQ(describe(out), std::string("route delete"));
    out.clear();
    t.process(routeRecord(ChangeKind::Expired, b, {}), out);
    CHECK_EQ(describe(out), std::string("route expired, deregistered bird 0"));
    CHECK(std::holds_alternative<std::monostate>(out[1].after));
    CHECK_EQ(t.entityCount(), std::size_t(0));
}

TEST_CASE("origin_is_copied_and_other_objects_pass")
{
    EntityTracker t;
    std::vector<ChangeRecord> out;
    ChangeRecord add = routeRecord(ChangeKind::Add, {}, route("10.0.0.0", 4));
    add.origin = Origin::Inferred;
    t.process(std::move(add), out);
    CHECK(out[0].origin == Origin::Inferred);
    out.clear();
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    t.process(std::move(gap), out);
    CHECK_EQ(out.size(), std::size_t(1));
}

TEST_CASE("protocol_change_moves_the_route")
{
    EntityTracker t;
    std::vector<ChangeRecord> out;
    const RouteRow bird = route("10.0.0.0", 12), zebra = route("10.0.0.0", 11), boot = route("10.1.0.0", 3);
    t.process(routeRecord(ChangeKind::Add, {}, bird), out);
    t.process(routeRecord(ChangeKind::Add, {}, boot), out);
    out.clear();
    ChangeRecord p = routeRecord(ChangeKind::Parameter, bird, zebra);
    p.changedFields = fieldBit<RouteRow>("protocol");
    t.process(std::move(p), out);
    CHECK_EQ(describe(out), std::string("registered zebra 1, route parameter, deregistered bird 0"));
    out.clear();
    // A parameter change that keeps the protocol does nothing to the entities.
    RouteRow moved = zebra;
    moved.metric = 5;
    t.process(routeRecord(ChangeKind::Parameter, zebra, moved), out);
    CHECK_EQ(describe(out), std::string("route parameter"));
}

TEST_CASE("initial_counts_and_spaces")
{
    EntityTracker t;
    std::vector<ChangeRecord> out;
    t.countInitial(route("10.0.0.0", 2));
    t.countInitial(route("10.1.0.0", 2));
    t.process(routeRecord(ChangeKind::Initial, {}, route("10.2.0.0", 4)), out); // counted, no entity record
    t.countInitial(route("10.3.0.0", 2, ProtocolSpace::MibIpProto)); // same number, other space
    CHECK_EQ(describe(out), std::string("route initial"));
    out.clear();
    t.appendInitial(9, out);
    CHECK_EQ(describe(out), std::string("initial kernel 2, initial static 1, initial " + keyText(out[2].after) + " 1"));
    CHECK(out[2].change == ChangeKind::Initial);
    CHECK(std::get<EntityRow>(out[2].after).protocolSpace == ProtocolSpace::MibIpProto);
    CHECK_EQ(out[0].timeUs, std::int64_t(9));
    CHECK_EQ(t.entityCount(), std::size_t(3));
    // A delete of a route never counted makes no record and no negative count.
    out.clear();
    t.process(routeRecord(ChangeKind::Delete, route("10.9.0.0", 99), {}), out);
    CHECK_EQ(describe(out), std::string("route delete"));
    CHECK_EQ(t.routeCount(99), std::uint64_t(0));
}

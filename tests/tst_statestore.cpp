// StateStore classification: add / parameter (with changed fields) / no-op / delete,
// route identity per key scheme, and snapshot reconciliation.
#include "plaintest.h"

#include "format.h"
#include "statestore.h"

using namespace ncv::platform;

namespace {
RouteRow route(const char *dst, int plen, const char *gw, std::uint32_t metric, std::uint32_t table = 254)
{
    RouteRow r;
    r.destination = IpAddress::parse(dst);
    r.prefixLength = std::uint8_t(plen);
    r.metric = metric;
    r.table = table;
    r.nextHops = {NextHop {IpAddress::parse(gw), 2, 1}};
    return r;
}
} // namespace

TEST_CASE(interface_add_parameter_noop_delete)
{
    StateStore store;
    InterfaceRow i;
    i.ifIndex = 7;
    i.name = "v0";
    i.mtu = 1500;
    ChangeRecord r;
    CHECK(store.upsert(i, 1, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK(r.object == ObjectKind::Interface);
    CHECK_EQ(r.timeUs, std::int64_t(1));
    CHECK(!store.upsert(i, 2, Origin::Observed, &r)); // no-op
    i.mtu = 9000;
    CHECK(store.upsert(i, 3, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::IfMtu));
    CHECK_EQ(std::get<InterfaceRow>(r.before).mtu, 1500u);
    CHECK_EQ(std::get<InterfaceRow>(r.after).mtu, 9000u);
    CHECK(store.findInterface(7) != nullptr);
    CHECK(store.remove(i, 4, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Delete);
    CHECK_EQ(std::get<InterfaceRow>(r.before).name, std::string("v0"));
    CHECK(!store.remove(i, 5, Origin::Observed, &r));
    CHECK_EQ(store.interfaceCount(), std::size_t(0));
}

TEST_CASE(linux_route_key_includes_metric_and_table)
{
    StateStore store(StateStore::KeyScheme::Linux);
    ChangeRecord r;
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.2", 100), 1, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    // same key, new gateway with NLM_F_REPLACE (ip route replace): parameter "nexthops"
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.3", 100), 2, Origin::Observed, &r, true));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::RouteNextHops));
    // other metric or table: another route
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.3", 200), 3, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.3", 100, 1000), 3, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK_EQ(store.routeCount(), std::size_t(3));
}

TEST_CASE(windows_route_key_makes_metric_a_parameter)
{
    StateStore store(StateStore::KeyScheme::Windows);
    ChangeRecord r;
    RouteRow a = route("0.0.0.0", 0, "192.168.1.1", 25, 0);
    a.luid = 42;
    CHECK(store.upsert(a, 1, Origin::Observed, &r));
    a.metric = 35;
    CHECK(store.upsert(a, 2, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::RouteMetric));
    RouteRow b = a;
    b.nextHops[0].gateway = IpAddress::parse("192.168.1.254");
    CHECK(store.upsert(b, 3, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add); // another next hop is another row on Windows
    CHECK_EQ(store.routeCount(), std::size_t(2));
}

TEST_CASE(reconcile_emits_differences)
{
    StateStore store;
    ChangeRecord r;
    InterfaceRow lo;
    lo.ifIndex = 1;
    lo.name = "lo";
    store.upsert(lo, 1, Origin::Observed, &r);
    InterfaceRow gone;
    gone.ifIndex = 9;
    gone.name = "old";
    store.upsert(gone, 1, Origin::Observed, &r);
    store.upsert(route("10.0.0.0", 8, "10.9.0.1", 0), 1, Origin::Observed, &r);
    store.upsert(route("10.1.0.0", 16, "10.9.0.1", 0), 1, Origin::Observed, &r);

    Snapshot snap;
    lo.mtu = 65536;
    snap.interfaces = {lo};
    snap.routes = {route("10.0.0.0", 8, "10.9.0.1", 0), route("10.2.0.0", 16, "10.9.0.1", 0)};
    std::vector<ChangeRecord> out;
    store.reconcile(snap, 7, Origin::Inferred, out);
    CHECK_EQ(out.size(), std::size_t(4));
    int params = 0, adds = 0, deletes = 0;
    for (const auto &rec : out) {
        CHECK(rec.origin == Origin::Inferred);
        CHECK_EQ(rec.timeUs, std::int64_t(7));
        params += rec.change == ChangeKind::Parameter;
        adds += rec.change == ChangeKind::Add;
        deletes += rec.change == ChangeKind::Delete;
    }
    CHECK_EQ(params, 1); // lo mtu
    CHECK_EQ(adds, 1); // 10.2/16
    CHECK_EQ(deletes, 2); // 10.1/16, interface 9
    CHECK(out.back().object == ObjectKind::Interface); // interfaces deleted last
    CHECK_EQ(store.routeCount(), std::size_t(2));
    CHECK_EQ(store.interfaceCount(), std::size_t(1));

    out.clear();
    store.reconcile(snap, 8, Origin::Inferred, out);
    CHECK(out.empty()); // idempotent
    store.appendInitial(9, out);
    CHECK_EQ(out.size(), std::size_t(3));
    CHECK(out.front().object == ObjectKind::Interface);
    CHECK(out.front().change == ChangeKind::Initial);
}

TEST_CASE(routes_using_interface)
{
    StateStore store;
    ChangeRecord r;
    RouteRow a = route("10.0.0.0", 8, "10.9.0.1", 0);
    a.nextHops[0].ifIndex = 4;
    RouteRow b = route("2001:db8::", 32, "fe80::1", 0);
    b.nextHops[0].ifIndex = 4;
    RouteRow c = route("10.1.0.0", 16, "10.9.0.1", 0);
    c.nextHops[0].ifIndex = 5;
    store.upsert(a, 1, Origin::Observed, &r);
    store.upsert(b, 1, Origin::Observed, &r);
    store.upsert(c, 1, Origin::Observed, &r);
    CHECK_EQ(store.routesUsingInterface(4, Family::IPv4).size(), std::size_t(1));
    CHECK_EQ(store.routesUsingInterface(4, Family::Unspec).size(), std::size_t(2));
}

TEST_CASE(linux_routes_differing_in_next_hop_coexist)
{
    // The kernel keeps fe80::/64 metric 256 once per device, and `ip route append` adds a
    // route with the same (table, prefix, tos, metric) but another next hop.
    StateStore store(StateStore::KeyScheme::Linux);
    ChangeRecord r;
    RouteRow v0 = route("fe80::", 64, "::", 256);
    v0.nextHops[0].ifIndex = 2;
    RouteRow v1 = v0;
    v1.nextHops[0].ifIndex = 3;
    CHECK(store.upsert(v0, 1, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK(store.upsert(v1, 2, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK_EQ(store.routeCount(), std::size_t(2));
    CHECK(store.key(v0) != store.key(v1));
    CHECK(!store.upsert(v1, 3, Origin::Observed, &r)); // no-op for the second one too
    v1.protocol = 4;
    CHECK(store.upsert(v1, 4, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::RouteProtocol));
    CHECK_EQ(std::get<RouteRow>(r.after).nextHops[0].ifIndex, 3u);

    // Deleting the first promotes the second; deleting it again finds nothing.
    CHECK(store.remove(v0, 5, Origin::Observed, &r));
    CHECK_EQ(std::get<RouteRow>(r.before).nextHops[0].ifIndex, 2u);
    CHECK(!store.remove(v0, 6, Origin::Observed, &r));
    CHECK_EQ(store.routeCount(), std::size_t(1));
    CHECK(store.remove(v1, 7, Origin::Observed, &r));
    CHECK_EQ(store.routeCount(), std::size_t(0));
}

TEST_CASE(linux_replace_flag_turns_new_next_hop_into_parameter)
{
    StateStore store(StateStore::KeyScheme::Linux);
    ChangeRecord r;
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.2", 100), 1, Origin::Observed, &r));
    // Without NLM_F_REPLACE a new next hop is another route (ip route append) ...
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.4", 100), 2, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Add);
    CHECK(store.remove(route("10.20.0.0", 16, "10.9.0.4", 100), 3, Origin::Observed, &r));
    // ... with it, the held route was replaced.
    CHECK(store.upsert(route("10.20.0.0", 16, "10.9.0.3", 100), 4, Origin::Observed, &r, true));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::RouteNextHops));
    CHECK_EQ(toString(std::get<RouteRow>(r.before).nextHops[0].gateway), std::string("10.9.0.2"));
    CHECK_EQ(toString(std::get<RouteRow>(r.after).nextHops[0].gateway), std::string("10.9.0.3"));
    CHECK_EQ(store.routeCount(), std::size_t(1));
}

TEST_CASE(reconcile_with_coexisting_routes)
{
    StateStore store(StateStore::KeyScheme::Linux);
    ChangeRecord r;
    RouteRow a = route("fe80::", 64, "::", 256);
    a.nextHops[0].ifIndex = 2;
    RouteRow b = a;
    b.nextHops[0].ifIndex = 3;
    RouteRow c = a;
    c.nextHops[0].ifIndex = 4;
    Snapshot snap;
    snap.routes = {a, b, c};
    std::vector<ChangeRecord> out;
    store.reconcile(snap, 1, Origin::Inferred, out);
    CHECK_EQ(out.size(), std::size_t(3));
    out.clear();
    store.reconcile(snap, 2, Origin::Inferred, out);
    CHECK(out.empty());
    snap.routes = {a, c}; // b went away
    store.reconcile(snap, 3, Origin::Inferred, out);
    CHECK_EQ(out.size(), std::size_t(1));
    CHECK(out[0].change == ChangeKind::Delete);
    CHECK_EQ(std::get<RouteRow>(out[0].before).nextHops[0].ifIndex, 3u);
    CHECK_EQ(store.routeCount(), std::size_t(2));
    CHECK_EQ(store.routesUsingInterface(4, Family::IPv6).size(), std::size_t(1));
}

TEST_CASE(removal_past_expiry_is_expired)
{
    StateStore store;
    ChangeRecord r;
    RouteRow rt = route("2001:db8:e::", 64, "2001:db8::1", 1024);
    rt.expiresUs = 10'000'000;
    CHECK(store.upsert(rt, 1, Origin::Observed, &r));
    // Removed long before the expiry: a delete.
    CHECK(store.remove(rt, 2'000'000, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Delete);
    // Removed within 1 s before, or after, the expiry: expired.
    CHECK(store.upsert(rt, 3, Origin::Observed, &r));
    CHECK(store.remove(rt, 9'100'000, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Expired);
    CHECK(std::holds_alternative<RouteRow>(r.before));
    CHECK(store.upsert(rt, 4, Origin::Observed, &r));
    CHECK(store.remove(rt, 60'000'000, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Expired);
    // No expiry (0): always a delete.
    rt.expiresUs = 0;
    CHECK(store.upsert(rt, 5, Origin::Observed, &r));
    CHECK(store.remove(rt, 60'000'000, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Delete);

    AddressRow a;
    a.ifIndex = 2;
    a.address = IpAddress::parse("2001:db8:5::1");
    a.prefixLength = 64;
    a.validLifetime = 2;
    a.validUntilUs = 5'000'000;
    CHECK(store.upsert(a, 1, Origin::Observed, &r));
    CHECK(store.remove(a, 4'500'000, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Expired);
    // Reconcile (resync) classifies the same way.
    CHECK(store.upsert(a, 1, Origin::Observed, &r));
    std::vector<ChangeRecord> out;
    store.reconcile({}, 6'000'000, Origin::Inferred, out);
    CHECK_EQ(out.size(), std::size_t(1));
    CHECK(out[0].change == ChangeKind::Expired);
    CHECK(out[0].origin == Origin::Inferred);
}

TEST_CASE(ipv6_multipath_siblings)
{
    StateStore store;
    ChangeRecord r;
    auto hop = [](const char *gw, std::uint32_t ifIndex, std::uint16_t weight) {
        return NextHop {IpAddress::parse(gw), ifIndex, weight};
    };
    // A single gateway route, then the kernel announces it with an appended sibling.
    RouteRow single = route("2001:db8:9::", 64, "2001:db8:1::2", 1024);
    single.nextHops = {hop("2001:db8:1::2", 2, 1)};
    CHECK(store.upsert(single, 1, Origin::Observed, &r));
    RouteRow multi = single;
    multi.nextHops = {hop("2001:db8:1::2", 2, 1), hop("2001:db8:2::2", 3, 1)};
    CHECK(store.upsert(multi, 2, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Parameter);
    CHECK_EQ(r.changedFields, fieldBit(Field::RouteNextHops));
    CHECK_EQ(store.routeCount(), std::size_t(1));
    // Deleting one sibling (the kernel names only that next hop) shrinks the route.
    RouteRow one = single;
    one.nextHops = {hop("2001:db8:1::2", 2, 1)};
    CHECK(store.remove(one, 3, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Parameter);
    const auto &after = std::get<RouteRow>(r.after);
    CHECK_EQ(after.nextHops.size(), std::size_t(1));
    CHECK_EQ(after.nextHops[0].ifIndex, 3u);
    CHECK_EQ(after.nextHops[0].weight, std::uint16_t(1));
    CHECK_EQ(store.routeCount(), std::size_t(1));
    // The rest goes as a whole.
    RouteRow rest = single;
    rest.nextHops = {hop("2001:db8:2::2", 3, 1)};
    CHECK(store.remove(rest, 4, Origin::Observed, &r));
    CHECK(r.change == ChangeKind::Delete);
    CHECK_EQ(store.routeCount(), std::size_t(0));
    // IPv4 is not treated this way: a single-hop delete does not touch a multipath route.
    RouteRow v4 = route("10.9.0.0", 24, "10.1.0.2", 0);
    v4.nextHops = {hop("10.1.0.2", 2, 1), hop("10.2.0.2", 3, 2)};
    CHECK(store.upsert(v4, 5, Origin::Observed, &r));
    RouteRow v4one = v4;
    v4one.nextHops = {hop("10.1.0.2", 2, 1)};
    CHECK(!store.remove(v4one, 6, Origin::Observed, &r));
    CHECK_EQ(store.routeCount(), std::size_t(1));
}

TEST_CASE(routes_using_nexthop_object)
{
    StateStore store;
    ChangeRecord r;
    RouteRow a = route("10.7.0.0", 24, "10.1.0.2", 0), b = route("10.8.0.0", 24, "10.1.0.2", 0);
    a.nhId = 10;
    CHECK(store.upsert(a, 1, Origin::Observed, &r));
    CHECK(store.upsert(b, 1, Origin::Observed, &r));
    CHECK_EQ(store.routesUsingNexthop(10, Family::IPv4).size(), std::size_t(1));
    CHECK_EQ(store.routesUsingNexthop(10, Family::IPv6).size(), std::size_t(0));
    CHECK_EQ(store.routesUsingNexthop(11, Family::Unspec).size(), std::size_t(0));
}

NCV_PLAIN_TEST_MAIN()

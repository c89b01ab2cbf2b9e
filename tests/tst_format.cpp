// SPDX-License-Identifier: GPL-2.0-or-later
// Text forms of platform values: addresses (RFC 5952), names of rtm_protocol,
// scopes, types, flags, field lists, and the details/summary lines.
#include "support/platformtest.h"

#include "platform/diff.h"
#include "platform/format.h"
#include "platform/rowfields.h"

using namespace ncv::platform;

TEST_CASE("ipv4_round_trip")
{
    CHECK_EQ(toString(IpAddress::v4(192, 0, 2, 1)), std::string("192.0.2.1"));
    CHECK_EQ(toString(IpAddress::parse("10.20.30.40")), std::string("10.20.30.40"));
    CHECK_EQ(toCidr(IpAddress::v4(0, 0, 0, 0), 0), std::string("0.0.0.0/0"));
    CHECK(IpAddress::parse("256.1.1.1").family == Family::Unspec);
    CHECK(IpAddress::parse("1.2.3").family == Family::Unspec);
    CHECK(IpAddress::parse("1.2.3.4.5").family == Family::Unspec);
    CHECK(IpAddress::parse("").family == Family::Unspec);
}

TEST_CASE("ipv6_rfc5952")
{
    const char *cases[][2] = {
        {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
        {"::", "::"},
        {"::1", "::1"},
        {"fe80::", "fe80::"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // a single zero group is not compressed
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, // the longest run wins
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // first run on a tie
        {"2001:DB8::ABCD", "2001:db8::abcd"},
        {"::ffff:192.0.2.7", "::ffff:192.0.2.7"},
    };
    for (auto &c : cases) {
        const IpAddress a = IpAddress::parse(c[0]);
        CHECK(a.family == Family::IPv6);
        CHECK_EQ(toString(a), std::string(c[1]));
    }
    CHECK(IpAddress::parse("1::2::3").family == Family::Unspec);
    CHECK(IpAddress::parse("12345::").family == Family::Unspec);
    CHECK(IpAddress::parse("1:2:3:4:5:6:7:8:9").family == Family::Unspec);
    CHECK(IpAddress::parse(":1").family == Family::Unspec);
    CHECK(IpAddress::parse("1:").family == Family::Unspec);
    CHECK_EQ(toCidr(IpAddress::parse("2001:db8::"), 32), std::string("2001:db8::/32"));
}

TEST_CASE("names")
{
    CHECK_EQ(protocolName(2), std::string("kernel"));
    CHECK_EQ(protocolName(4), std::string("static"));
    CHECK_EQ(protocolName(9), std::string("ra"));
    CHECK_EQ(protocolName(16), std::string("dhcp"));
    CHECK_EQ(protocolName(12), std::string("bird"));
    CHECK_EQ(protocolName(77), std::string("77"));
    CHECK_EQ(protocolName(3, ProtocolSpace::MibIpProto), std::string("netmgmt"));
    CHECK_EQ(protocolName(10002, ProtocolSpace::MibIpProto), std::string("nt-autostatic"));
    CHECK_EQ(tableName(254), std::string("main"));
    CHECK_EQ(tableName(255), std::string("local"));
    CHECK_EQ(tableName(1000), std::string("1000"));
    CHECK_EQ(scopeName(253), std::string("link"));
    CHECK_EQ(routeTypeName(6), std::string("blackhole"));
    CHECK_EQ(std::string(changeName(ChangeKind::Parameter)), std::string("parameter"));
    CHECK_EQ(std::string(familyName(Family::IPv6)), std::string("ipv6"));
    CHECK_EQ(addressFlagsText(AddrPermanent | AddrSecondary, Family::IPv6), std::string("temporary permanent"));
    CHECK_EQ(addressFlagsText(AddrPermanent | AddrSecondary, Family::IPv4), std::string("secondary permanent"));
    const std::uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0xab, 0xff};
    CHECK_EQ(macText(mac, 6), std::string("02:00:5e:10:ab:ff"));
    CHECK_EQ(fieldList(ObjectKind::Interface, fieldBit<InterfaceRow>("mtu") | fieldBit<InterfaceRow>("operstate")),
             std::string("operstate;mtu"));
}

TEST_CASE("diff_and_details")
{
    InterfaceRow a;
    a.ifIndex = 5;
    a.name = "v0";
    a.mtu = 1500;
    a.operState = OperState::Down;
    InterfaceRow b = a;
    CHECK_EQ(diff(a, b), FieldMask(0));
    b.mtu = 9000;
    b.operState = OperState::Up;
    CHECK_EQ(diff(a, b), fieldBit<InterfaceRow>("mtu") | fieldBit<InterfaceRow>("operstate"));
    ChangeRecord r;
    r.object = ObjectKind::Interface;
    r.change = ChangeKind::Parameter;
    r.changedFields = diff(a, b);
    r.before = a;
    r.after = b;
    CHECK_EQ(details(r), std::string("operstate down -> up; mtu 1500 -> 9000"));
    CHECK_EQ(summary(r), std::string("parameter interface v0: operstate down -> up; mtu 1500 -> 9000"));

    AddressRow x;
    x.address = IpAddress::parse("10.1.0.1");
    x.prefixLength = 24;
    x.validLifetime = 100;
    AddressRow y = x;
    y.validLifetime = 3600; // a renewal is not a change
    CHECK_EQ(diff(x, y), FieldMask(0));
    y.validLifetime = kInfiniteLifetime;
    CHECK_EQ(diff(x, y), fieldBit<AddressRow>("valid_lft"));

    RouteRow p;
    p.destination = IpAddress::parse("10.20.0.0");
    p.prefixLength = 16;
    p.nextHops = {NextHop {IpAddress::parse("10.9.0.2"), 3, 1}};
    RouteRow q = p;
    q.nextHops[0].gateway = IpAddress::parse("10.9.0.3");
    CHECK_EQ(diff(p, q), fieldBit<RouteRow>("nexthops"));
    CHECK_EQ(gatewayList(q), std::string("10.9.0.3"));
    q.nextHops.push_back(NextHop {IpAddress::parse("10.9.0.4"), 3, 2});
    CHECK_EQ(gatewayList(q), std::string("10.9.0.3;10.9.0.4"));
    CHECK_EQ(keyText(Row(q)), std::string("10.20.0.0/16"));
}

TEST_CASE("rule_summary_says_the_rule_once")
{
    RuleRow u;
    u.priority = 900;
    u.destination = IpAddress::parse("203.0.113.0");
    u.destinationLength = 24;
    u.action = RuleBlackhole;
    u.protocol = 4; // RTPROT_STATIC
    ChangeRecord r;
    r.object = ObjectKind::Rule;
    r.change = ChangeKind::Add;
    r.after = u;
    CHECK_EQ(keyText(r.after), std::string("900: from all to 203.0.113.0/24 blackhole"));
    CHECK_EQ(details(r), std::string("from all to 203.0.113.0/24 blackhole proto static"));
    // The key already says the rule: the parentheses hold only what it does not.
    CHECK_EQ(summary(r), std::string("add rule 900: from all to 203.0.113.0/24 blackhole (proto static)"));
    u.protocol = 0;
    r.change = ChangeKind::Delete;
    r.before = u;
    r.after = {};
    CHECK_EQ(summary(r), std::string("delete rule 900: from all to 203.0.113.0/24 blackhole"));
}

TEST_CASE("entity_rows")
{
    EntityRow e;
    e.protocol = 12;
    e.routeCount = 3;
    ChangeRecord r;
    r.object = ObjectKind::Entity;
    r.change = ChangeKind::Registered;
    r.after = e;
    CHECK_EQ(keyText(r.after), std::string("bird"));
    CHECK_EQ(summary(r), std::string("registered entity bird (routes 3)"));
    CHECK_EQ(fieldTexts(r.after).size(), std::size_t(3));
}

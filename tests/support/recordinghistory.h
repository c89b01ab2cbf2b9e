// SPDX-License-Identifier: GPL-2.0-or-later
// A short history with every kind of event a recording holds (interfaces, addresses of
// both families, routes added, replaced, deleted, multipath and in another table, an
// entity, an interface change, a gap with its note, an inferred event): written by the
// recording tests in the current format, and the history behind the kept format-1 file
// tests/data/recording-v1.ncv. Header only, Qt-free.
#pragma once

#include "platform/rowfields.h"
#include "support/modeltestrows.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ncvtest {

struct HistoryEvent {
    std::int64_t timeUs = 0; ///< µs since the epoch
    ChangeRecord record;
    std::string ifName; ///< as the recorder passes it to RecordingWriter::append()
};

/// The first event's time (2026-09-21); event i is 1 ms after event i - 1.
inline constexpr std::int64_t kHistoryT0 = 1'790'000'000'000'000;
/// A keyframe ("start") is requested after this many events.
inline constexpr int kHistoryStartEvents = 4;

inline std::vector<HistoryEvent> recordingHistory()
{
    std::vector<HistoryEvent> events;
    const auto push = [&events](ObjectKind object, ChangeKind change, Family family, const Row &before,
                                const Row &after, const std::string &ifName) -> ChangeRecord & {
        HistoryEvent e;
        e.timeUs = kHistoryT0 + 1000 * std::int64_t(events.size());
        e.record.object = object;
        e.record.change = change;
        e.record.family = family;
        e.record.before = before;
        e.record.after = after;
        e.ifName = ifName;
        events.push_back(e);
        return events.back().record;
    };
    const Row none;
    const InterfaceRow lo = iface(1, "lo", 65536);
    const InterfaceRow eth = iface(2, "eth0");
    push(ObjectKind::Interface, ChangeKind::Initial, Family::Unspec, none, lo, "lo");
    push(ObjectKind::Interface, ChangeKind::Initial, Family::Unspec, none, eth, "eth0");
    const AddressRow a4 = address(2, "192.0.2.10", 24);
    AddressRow a6 = address(2, "2001:db8::10", 64);
    a6.validLifetime = 3600;
    a6.validUntilUs = kHistoryT0 + 3'600'000'000;
    push(ObjectKind::Address, ChangeKind::Initial, Family::IPv4, none, a4, "eth0");
    push(ObjectKind::Address, ChangeKind::Initial, Family::IPv6, none, a6, "eth0");

    const RouteRow r1 = route("10.0.0.0", 24, "192.0.2.1", 2);
    push(ObjectKind::Route, ChangeKind::Add, Family::IPv4, none, r1, "eth0");
    RouteRow r6 = route("2001:db8:1::", 48, "fe80::1", 2, 1024);
    r6.pref = 0;
    r6.protocol = 9;
    push(ObjectKind::Route, ChangeKind::Add, Family::IPv6, none, r6, "eth0");
    RouteRow r1b = r1;
    r1b.nextHops.front().gateway = IpAddress::parse("192.0.2.2");
    push(ObjectKind::Route, ChangeKind::Parameter, Family::IPv4, r1, r1b, "eth0").changedFields
        = fieldBit<RouteRow>("nexthops") | fieldBit<RouteRow>("gateways");
    EntityRow entity;
    entity.protocol = 9;
    entity.routeCount = 1;
    push(ObjectKind::Entity, ChangeKind::Registered, Family::IPv6, none, entity, "");
    InterfaceRow eth9000 = eth;
    eth9000.mtu = 9000;
    eth9000.alias = "uplink \xc3\xa9";
    push(ObjectKind::Interface, ChangeKind::Parameter, Family::Unspec, eth, eth9000, "eth0").changedFields
        = fieldBit<InterfaceRow>("mtu") | fieldBit<InterfaceRow>("alias");
    push(ObjectKind::Gap, ChangeKind::Gap, Family::Unspec, none, none, "").note = "ENOBUFS: events were lost";
    RouteRow r2 = route("10.1.0.0", 16, nullptr, 2, 100, 100);
    r2.scope = 253;
    r2.tos = 8;
    push(ObjectKind::Route, ChangeKind::Add, Family::IPv4, none, r2, "eth0").origin = Origin::Inferred;
    push(ObjectKind::Route, ChangeKind::Delete, Family::IPv4, r1b, none, "eth0");
    RouteRow multi = route("0.0.0.0", 0, "192.0.2.1", 2, 0);
    multi.nextHops.push_back(NextHop {IpAddress::parse("192.0.2.3"), 2, 3});
    multi.prefSrc = IpAddress::parse("192.0.2.10");
    multi.expiresUs = kHistoryT0 + 60'000'000;
    push(ObjectKind::Route, ChangeKind::Add, Family::IPv4, none, multi, "eth0");
    push(ObjectKind::Address, ChangeKind::Delete, Family::IPv6, a6, none, "eth0");
    RouteRow blackhole = route("198.51.100.0", 24, nullptr, 0);
    blackhole.nextHops.clear();
    blackhole.type = 6;
    push(ObjectKind::Route, ChangeKind::Add, Family::IPv4, none, blackhole, "");
    return events;
}

} // namespace ncvtest

// SPDX-License-Identifier: GPL-2.0-or-later
// A recording of every kind of event the log shows, for the text filter's tests: interfaces
// (names with non-ASCII letters, one with U+212A KELVIN SIGN, which folds to 'k'), IPv4 and
// IPv6 addresses and routes (gateways, metrics, tables, protocols, multipath) added,
// changed and deleted, entities, gaps with notes, inferred events with notes, and time
// jumps of seconds; most events in the namespace watched by default, some in two named
// network namespaces ("blue", a container's). Deterministic (seeded). Header only: the programs that include it link
// ncv_model.
#pragma once

#include "model/history/eventcodec.h"
#include "model/recording/recordingwriter.h"
#include "platform/diff.h"
#include "platform/netnstable.h"
#include "support/testrecording.h"
#include "support/viewstestdata.h"

#include <QString>

#include <array>
#include <cstdint>
#include <random>
#include <string>

namespace ncv::testdata {

/// Writes events events to path (which must not exist), the first at startUs. Returns false
/// with *error.
inline bool writeVariedRecording(const QString &path, std::int64_t events, std::int64_t startUs, QString *error)
{
    recording::RecordingWriter writer;
    if (!writer.open(path, testRecordingMeta(QStringLiteral("varied")), error))
        return false;
    const std::array<std::string, 6> names
        = {"eth0", "eth1", "wl\xc3\xa4n0", "br-LAN", "\xe2\x84\xaa-link", "veth9f3"}; // wlän0, Klink (KELVIN SIGN)
    std::mt19937_64 g(20261202);
    std::uint64_t seq = 0;
    std::int64_t t = startUs;
    std::string bytes;
    const std::uint32_t blue = platform::NamespaceTable::intern({"blue", 4026532591, 4});
    const std::uint32_t container
        = platform::NamespaceTable::intern({"docker:3f2a1b9c0d12 (nginx 4242)", 4026532777, 4});
    const auto put = [&](ChangeRecord c, const std::string &ifName) {
        c.timeUs = t;
        c.netns = seq % 5 == 4 ? blue : seq % 11 == 7 ? container : 0;
        bytes.clear();
        eventcodec::encode(c, bytes);
        writer.append(++seq, c.timeUs, bytes, QString::fromStdString(ifName));
    };
    std::array<std::uint32_t, 6> mtu {};
    for (std::uint32_t i = 0; i < names.size(); ++i) {
        ChangeRecord c;
        c.object = ObjectKind::Interface;
        c.change = ChangeKind::Initial;
        mtu[i] = 1500;
        c.after = interfaceRow(i + 2, names[i], i == 5 ? "veth" : "ether", mtu[i]);
        put(c, names[i]);
    }
    writer.requestKeyframe(QStringLiteral("start"));
    const std::array<std::uint32_t, 4> metrics = {0, 100, 1024, 4242};
    const std::array<std::uint32_t, 3> tables = {254, 100, 255};
    const std::array<std::uint8_t, 4> protocols = {4, 2, 186, 16};
    const auto addressOf = [](std::uint64_t n, bool v6) {
        char text[48];
        if (v6)
            std::snprintf(text, sizeof text, "2001:db8:%x:%x::%x", unsigned(n >> 8 & 0xff), unsigned(n & 0xff),
                          unsigned(n % 7 + 1));
        else
            std::snprintf(text, sizeof text, "10.%u.%u.%u", unsigned(n >> 16 & 0xff), unsigned(n >> 8 & 0xff),
                          unsigned(n & 0xff));
        return std::string(text);
    };
    while (std::int64_t(seq) < events) {
        t += g() % 50 == 0 ? std::int64_t(g() % 5'000'000) : 1000; // now and then a pause of seconds
        const std::uint64_t n = g();
        const std::uint32_t ifi = std::uint32_t(n % names.size());
        const bool v6 = (n >> 8) % 4 == 0;
        ChangeRecord c;
        c.family = v6 ? Family::IPv6 : Family::IPv4;
        switch ((n >> 12) % 16) {
        case 0: { // an interface's MTU or state changes
            c.object = ObjectKind::Interface;
            c.family = Family::Unspec;
            c.change = ChangeKind::Parameter;
            c.before = interfaceRow(ifi + 2, names[ifi], "ether", mtu[ifi]);
            mtu[ifi] = mtu[ifi] == 1500 ? 9000 : 1500;
            c.after = interfaceRow(ifi + 2, names[ifi], "ether", mtu[ifi], (n >> 20) % 2 == 0);
            c.changedFields = platform::diff(std::get<InterfaceRow>(c.before), std::get<InterfaceRow>(c.after));
            break;
        }
        case 1:
        case 2: { // addresses
            c.object = ObjectKind::Address;
            const AddressRow a = addressRow(ifi + 2, addressOf(n >> 24, v6), v6 ? 64 : 24, v6 ? 253 : 0);
            c.change = (n >> 20) % 2 ? ChangeKind::Add : ChangeKind::Delete;
            (c.change == ChangeKind::Add ? c.after : c.before) = a;
            break;
        }
        case 3: { // a route origin
            c.object = ObjectKind::Entity;
            c.family = Family::Unspec;
            c.change = ChangeKind::Registered;
            EntityRow e;
            e.protocol = protocols[(n >> 20) % protocols.size()];
            c.after = e;
            break;
        }
        case 4: // events lost
            c.object = ObjectKind::Gap;
            c.family = Family::Unspec;
            c.change = ChangeKind::Gap;
            c.note = "ENOBUFS: " + std::to_string(n >> 40) + " events lost";
            put(c, std::string());
            continue;
        default: { // routes, with gateways and metrics of every kind
            c.object = ObjectKind::Route;
            const std::uint64_t d = n >> 24;
            RouteRow r = routeRow(addressOf(d << 8, v6), v6 ? 64 : std::uint8_t(16 + d % 17),
                                  v6 ? "fe80::" + std::to_string(d % 9 + 1) : "192.0.2." + std::to_string(d % 200 + 1),
                                  ifi + 2, metrics[d % metrics.size()], protocols[(d >> 3) % protocols.size()],
                                  tables[(d >> 5) % tables.size()]);
            if (d % 11 == 0) { // multipath
                NextHop hop;
                hop.gateway = IpAddress::parse(v6 ? "fe80::99" : "198.51.100.7");
                hop.ifIndex = (ifi + 1) % names.size() + 2;
                r.nextHops.push_back(hop);
            }
            switch ((n >> 16) % 4) {
            case 0:
            case 1:
                c.change = ChangeKind::Add;
                c.after = r;
                break;
            case 2:
                c.change = ChangeKind::Delete;
                c.before = r;
                if (d % 3 == 0) {
                    c.origin = Origin::Inferred;
                    c.note = "link down: " + names[ifi];
                }
                break;
            default: {
                c.change = ChangeKind::Parameter;
                c.before = r;
                r.metric = metrics[d % metrics.size()];
                r.nextHops[0].gateway = IpAddress::parse(v6 ? "fe80::dead" : "203.0.113.9");
                c.after = r;
                c.changedFields = platform::diff(std::get<RouteRow>(c.before), std::get<RouteRow>(c.after));
                break;
            }
            }
            break;
        }
        }
        put(c, names[ifi]);
    }
    return writer.finish(error);
}

} // namespace ncv::testdata

// SPDX-License-Identifier: GPL-2.0-or-later
// A synthetic recording of any length written through RecordingWriter, for the
// file-backed event log's test and the benchmark: 4 interfaces at the start (initial,
// keyframe "start"), then route events 1 ms apart: an IPv4 route 10.x.y.0/24 added on
// eth0..eth3 (by its number) and deleted 1001 events later (IPv6 2001:db8:x:y::/64 every
// 8th), and every 5000th event an MTU change of eth1. Header only: the programs that
// include it link ncv_model.
#pragma once

#include "model/history/eventcodec.h"
#include "model/recording/recordingwriter.h"
#include "platform/diff.h"
#include "platform/requester.h"
#include "support/testrecording.h"
#include "support/viewstestdata.h"

#include <QString>

#include <cstdint>
#include <cstdio>
#include <string>

namespace ncv::testdata {

/// Writes events events (>= 4) to path (which must not exist), the first at startUs (µs
/// since the epoch). Returns false with *error.
inline bool writeSyntheticRecording(const QString &path, std::int64_t events, std::int64_t startUs, QString *error)
{
    recording::RecordingWriter writer;
    const recording::RecordingMeta meta = testRecordingMeta(QStringLiteral("synthetic"));
    if (!writer.open(path, meta, error))
        return false;
    std::uint64_t seq = 0;
    std::string bytes;
    const QString names[4]
        = {QStringLiteral("eth0"), QStringLiteral("eth1"), QStringLiteral("eth2"), QStringLiteral("eth3")};
    const auto put = [&](const ChangeRecord &c, const QString &ifName) {
        bytes.clear();
        eventcodec::encode(c, bytes);
        writer.append(++seq, c.timeUs, bytes, ifName);
    };
    for (std::uint32_t i = 0; i < 4; ++i) {
        ChangeRecord c;
        c.object = ObjectKind::Interface;
        c.change = ChangeKind::Initial;
        c.timeUs = startUs;
        c.after = interfaceRow(i + 2, names[i].toStdString(), "ether", 1500);
        put(c, names[i]);
    }
    writer.requestKeyframe(QStringLiteral("start"));
    const auto route = [](std::int64_t n) {
        const std::uint32_t ifIndex = std::uint32_t(n % 4) + 2;
        if (n % 8 == 7) {
            char text[40];
            std::snprintf(text, sizeof text, "2001:db8:%x:%x::", unsigned((n >> 16) & 0xffff), unsigned(n & 0xffff));
            return routeRow(text, 64, "", ifIndex, 1024);
        }
        return routeRow("10." + std::to_string((n >> 16) & 0xff) + '.' + std::to_string((n >> 8) & 0xff) + '.'
                            + std::to_string(n & 0xff),
                        32, "192.168.1.1", ifIndex, 100);
    };
    std::uint32_t mtu = 1500;
    // Who asked: the kernel for the interface changes, three processes in turn for the routes.
    const std::uint32_t kernel = platform::RequesterTable::kernel();
    std::uint32_t processes[3] = {};
    const char *commands[3] = {"ip", "NetworkManager", "bird"};
    for (int i = 0; i < 3; ++i) {
        platform::Requester r;
        r.kind = platform::Requester::Kind::Process;
        r.command = commands[i];
        r.pid = 4000 + i;
        r.portId = std::uint32_t(r.pid);
        processes[i] = platform::RequesterTable::intern(r);
    }
    for (std::int64_t n = 4; n < events; ++n) {
        ChangeRecord c;
        c.timeUs = startUs + n * 1000;
        c.requester = n % 5000 == 0 ? kernel : processes[n % 3];
        if (n % 5000 == 0) {
            c.object = ObjectKind::Interface;
            c.change = ChangeKind::Parameter;
            c.before = interfaceRow(3, "eth1", "ether", mtu);
            mtu = mtu == 1500 ? 9000 : 1500;
            c.after = interfaceRow(3, "eth1", "ether", mtu);
            c.changedFields = platform::diff(std::get<InterfaceRow>(c.before), std::get<InterfaceRow>(c.after));
            put(c, names[1]);
            continue;
        }
        // Even n adds route n / 2; odd n deletes the route added 1001 events before (the
        // first odd ones add routes of their own).
        c.object = ObjectKind::Route;
        std::int64_t id = n / 2;
        if (n % 2 == 0 || n < 1005) {
            c.change = ChangeKind::Add;
            id += (n % 2) << 30;
            c.after = route(id);
        } else {
            c.change = ChangeKind::Delete;
            id = (n - 1001) / 2;
            c.before = route(id);
        }
        c.family = std::get<RouteRow>(c.row()).family();
        put(c, names[id % 4]);
    }
    return writer.finish(error);
}

} // namespace ncv::testdata

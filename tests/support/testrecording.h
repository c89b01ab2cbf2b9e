// SPDX-License-Identifier: GPL-2.0-or-later
// A small real recording for the window's tests, written through RecordingWriter: a
// snapshot (2 interfaces, 1 address, 2 routes) at t0, then a route added at t1, another
// added at t2, and at t3 the first one deleted and eth0's MTU changed from 1500 to 9000
// (t0 + 0 / 5 / 10 / 15 s). Header only: the
// tests that include it link ncv_model.
#pragma once

#include "model/history/eventcodec.h"
#include "model/recording/recordingwriter.h"
#include "platform/diff.h"
#include "support/viewstestdata.h"

#include <QString>

#include <cstdint>
#include <string>
#include <type_traits>

namespace ncv::testdata {

struct TestRecording {
    qint64 t0 = 0, t1 = 0, t2 = 0, t3 = 0; ///< µs since the epoch
    int events = 0;
};

/// The route added at t1 and deleted at t3.
inline RouteRow firstAddedRoute()
{
    return routeRow("10.9.0.0", 16, "192.168.1.254", 2, 0);
}
/// The route added at t2.
inline RouteRow secondAddedRoute()
{
    return routeRow("10.10.0.0", 16, "192.168.1.254", 2, 0);
}

/// The meta of the tests' recordings: host "testhost" (or hostName), source "manual".
inline recording::RecordingMeta testRecordingMeta(const QString &hostName = QStringLiteral("testhost"))
{
    recording::RecordingMeta meta;
    meta.hostName = hostName;
    meta.source = QStringLiteral("manual");
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QStringLiteral("test");
    return meta;
}

/// One event of row at t: object and family from the row; row is the after (the before
/// for Delete); before is the Parameter's previous row.
inline ChangeRecord recordOf(ChangeKind change, std::int64_t t, const Row &row, const Row &before = {})
{
    ChangeRecord c;
    c.change = change;
    c.timeUs = t;
    std::visit(
        [&c](const auto &x) {
            using R = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<R, InterfaceRow>) {
                c.object = ObjectKind::Interface;
            } else if constexpr (std::is_same_v<R, AddressRow>) {
                c.object = ObjectKind::Address;
                c.family = x.address.family;
            } else if constexpr (std::is_same_v<R, RouteRow>) {
                c.object = ObjectKind::Route;
                c.family = x.family();
            }
        },
        row);
    if (change == ChangeKind::Delete)
        c.before = row;
    else
        c.after = row;
    if (change == ChangeKind::Parameter)
        c.before = before;
    return c;
}

/// Writes the recording to path (which must not exist). t0 is a few seconds after now, so
/// every event is inside the recording's [start, end]. Returns false with *error.
inline bool writeTestRecording(const QString &path, TestRecording *out, QString *error)
{
    recording::RecordingWriter writer;
    const recording::RecordingMeta meta = testRecordingMeta();
    if (!writer.open(path, meta, error))
        return false;
    TestRecording r;
    r.t0 = (nowUs() / 1'000'000 + 3) * 1'000'000 + 123'456;
    r.t1 = r.t0 + 5'000'000;
    r.t2 = r.t0 + 10'000'000;
    r.t3 = r.t0 + 15'000'000;
    std::uint64_t seq = 0;
    const auto add
        = [&](ChangeKind change, std::int64_t t, const Row &row, const QString &ifName, const Row &before = {}) {
              ChangeRecord c = recordOf(change, t, row, before);
              if (change == ChangeKind::Parameter)
                  c.changedFields = platform::diff(std::get<InterfaceRow>(before), std::get<InterfaceRow>(row));
              std::string bytes;
              eventcodec::encode(c, bytes);
              writer.append(++seq, t, bytes, ifName);
          };
    add(ChangeKind::Initial, r.t0, interfaceRow(1, "lo", "loopback", 65536), QStringLiteral("lo"));
    add(ChangeKind::Initial, r.t0, interfaceRow(2, "eth0", "ether", 1500), QStringLiteral("eth0"));
    add(ChangeKind::Initial, r.t0, addressRow(2, "192.168.1.20", 24), QStringLiteral("eth0"));
    add(ChangeKind::Initial, r.t0, routeRow("0.0.0.0", 0, "192.168.1.1", 2, 100), QStringLiteral("eth0"));
    add(ChangeKind::Initial, r.t0, routeRow("192.168.1.0", 24, "", 2, 100, 2, 254, 253), QStringLiteral("eth0"));
    writer.requestKeyframe(QStringLiteral("start"));
    add(ChangeKind::Add, r.t1, firstAddedRoute(), QStringLiteral("eth0"));
    add(ChangeKind::Add, r.t2, secondAddedRoute(), QStringLiteral("eth0"));
    add(ChangeKind::Delete, r.t3, firstAddedRoute(), QStringLiteral("eth0"));
    add(ChangeKind::Parameter, r.t3, interfaceRow(2, "eth0", "ether", 9000), QStringLiteral("eth0"),
        interfaceRow(2, "eth0", "ether", 1500));
    r.events = int(seq);
    if (!writer.finish(error))
        return false;
    if (out)
        *out = r;
    return true;
}

} // namespace ncv::testdata

// SPDX-License-Identifier: GPL-2.0-or-later
// The scenario of real changes the readers of other tools' files are tested on: a veth
// pair, IPv4 and IPv6 addresses and routes, a neighbor, an MTU change, a link going down
// (the kernel then deletes its IPv4 routes without a message) and up, an address and the
// link deleted, and a last link added so that a test knows every listener saw everything.
#pragma once

#include "support/recordcollector.h"
#include "support/runtool.h"

#include <QDebug>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace ncv::test {

/// A std::string as a QString (UTF-8).
inline QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

/// Arguments of `ip` for each change, in order. The last one adds kScenarioLastLink.
inline QStringList changeScenario()
{
    return {
        u"link add ncv0 type veth peer name ncv1"_s,
        u"link set ncv1 up"_s,
        u"link set ncv0 up"_s,
        u"addr add 10.1.0.1/24 dev ncv0"_s,
        u"-6 addr add 2001:db8:1::1/64 dev ncv0 nodad"_s,
        u"route add 10.2.0.0/24 via 10.1.0.2"_s,
        u"route add 10.3.0.0/24 dev ncv0 metric 7"_s,
        u"-6 route add 2001:db8:9::/64 via 2001:db8:1::2"_s,
        u"neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev ncv0"_s,
        u"link set ncv0 mtu 1400"_s,
        u"link set ncv0 down"_s,
        u"link set ncv0 up"_s,
        u"route add 10.4.0.0/24 dev ncv0"_s,
        u"addr del 10.1.0.1/24 dev ncv0"_s,
        u"link del ncv0"_s,
        u"link add ncvend type veth peer name ncvend1"_s,
    };
}

/// Registers collector for every change the source delivers (initial state included) and
/// waits for its initial snapshot. False when registering fails or the snapshot does not
/// come in time.
inline bool watchAll(Source &source, Collector &collector, Handle *handle)
{
    RegisterParams params;
    params.callback = &Collector::callback;
    params.callerContext = &collector;
    params.objects = EveryObjectMask;
    return source.registerChanges(params, handle).ok() && collector.waitForSnapshot();
}

/// True when a reader delivered the events the live source did (describeAll() texts, in
/// order); else false after printing both lists, so that a failure shows where they part.
/// A gap marker of the live source is its own (a dump of the silent-deletion check
/// interrupted by the changes, an overflow on a loaded machine): a recorded stream cannot
/// hold it, so it is left out of the comparison, and the events around it must still match.
inline bool sameAsLive(const QStringList &imported, const QStringList &liveWithGaps)
{
    QStringList live;
    for (const QString &line : liveWithGaps) {
        if (line.startsWith(QStringLiteral("gap ")))
            qInfo().noquote() << "the live source had a gap here (left out of the comparison):" << line;
        else
            live.push_back(line);
    }
    if (imported == live)
        return true;
    qWarning().noquote() << QStringLiteral("live:\n  ") + live.join(QStringLiteral("\n  "));
    qWarning().noquote() << QStringLiteral("import:\n  ") + imported.join(QStringLiteral("\n  "));
    return false;
}

/// Waits until collector has the record of the scenario's last link.
inline bool waitForScenarioEnd(Collector &collector)
{
    return collector.waitUntil([](const std::vector<ChangeRecord> &records) {
        return std::any_of(records.begin(), records.end(), [](const ChangeRecord &r) {
            const auto *i = std::get_if<InterfaceRow>(&r.after);
            return i && i->name == "ncvend";
        });
    });
}

} // namespace ncv::test

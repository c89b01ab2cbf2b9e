// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingSession and ReplaySource over a real recording file written by RecordingWriter:
// the events land in the history with their recorded numbers, the tables show the state
// at the cursor (never adding events) exactly as row-by-row Initial records would, previous
// / next change, limits, cancel and files that are not recordings.
#include "model/recordingsession.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordstate.h"
#include "model/replaysource.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/format.h"
#include "support/testrecording.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <atomic>
#include <memory>

using namespace ncv;
using namespace ncv::testdata;

namespace {

QStringList destinations(const RouteTableModel *routes)
{
    QStringList out;
    for (int r = 0; r < routes->rowCount(); ++r)
        out << routes->index(r, RouteTableModel::Destination).data().toString();
    out.sort();
    return out;
}

/// What the tables showed of a state when it came as one Initial record per row (in
/// RecordState::forEach order, as a live snapshot comes), each applied to the table models.
struct RowByRowTables {
    InterfaceNames names;
    InterfaceTableModel interfaces {&names};
    AddressTableModel addresses {&names};
    RouteTableModel routes {&names};
    EntityTableModel entities;

    explicit RowByRowTables(const recording::RecordState &state)
    {
        state.forEach([&](const Row &row) {
            ChangeRecord c;
            c.change = ChangeKind::Initial;
            c.after = row;
            if (const auto *i = std::get_if<InterfaceRow>(&row)) {
                c.object = ObjectKind::Interface;
                names.set(i->ifIndex, QString::fromStdString(i->name));
                interfaces.apply(c);
            } else if (const auto *a = std::get_if<AddressRow>(&row)) {
                c.object = ObjectKind::Address;
                c.family = a->address.family;
                addresses.apply(c);
            } else if (const auto *r = std::get_if<RouteRow>(&row)) {
                c.object = ObjectKind::Route;
                c.family = r->family();
                routes.apply(c);
                entities.apply(c);
            }
        });
        interfaces.endBatch();
        addresses.endBatch();
        routes.endBatch();
        entities.endBatch();
    }
};

/// Every cell of got equals want's: same rows in the same order, same texts, sort values,
/// tool tips and marks.
void compareCells(const QAbstractItemModel &got, const QAbstractItemModel &want, const char *what)
{
    QCOMPARE(got.columnCount(), want.columnCount());
    QVERIFY2(got.rowCount() == want.rowCount(),
             qPrintable(QStringLiteral("%1: %2 rows, expected %3")
                            .arg(QLatin1StringView(what))
                            .arg(got.rowCount())
                            .arg(want.rowCount())));
    const std::array roles {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(SortRole), int(ChangeStateRole),
                            int(ChangedColumnsRole)};
    for (int r = 0; r < got.rowCount(); ++r) {
        for (int c = 0; c < got.columnCount(); ++c) {
            for (const int role : roles) {
                const QVariant g = got.index(r, c).data(role), w = want.index(r, c).data(role);
                QVERIFY2(g == w,
                         qPrintable(QStringLiteral("%1 row %2 column %3 role %4: \"%5\", expected \"%6\"")
                                        .arg(QLatin1StringView(what))
                                        .arg(r)
                                        .arg(c)
                                        .arg(role)
                                        .arg(g.toString(), w.toString())));
            }
        }
    }
}

/// A recording with enough rows to sort and filter: 4 interfaces, 6 addresses, 240 IPv4
/// routes (4 protocols, 3 interfaces, one multipath) and 40 IPv6 routes at t0, a keyframe;
/// at t1 20 routes added, 30 deleted, one route's protocol changed and wlan0 renamed eth3;
/// at t2 veth1 and its address deleted. Returns the times (µs).
bool writeRichRecording(const QString &path, std::array<qint64, 3> *times, QString *error)
{
    recording::RecordingWriter writer;
    const recording::RecordingMeta meta = testRecordingMeta();
    if (!writer.open(path, meta, error))
        return false;
    const qint64 t0 = (nowUs() / 1'000'000 + 3) * 1'000'000;
    const qint64 t1 = t0 + 5'000'000, t2 = t0 + 10'000'000;
    std::uint64_t seq = 0;
    const auto add = [&](ChangeKind change, qint64 t, const Row &row, const Row &before = {}) {
        const ChangeRecord c = recordOf(change, t, row, before);
        const auto *interface = std::get_if<InterfaceRow>(&row);
        const QString ifName = interface ? QString::fromStdString(interface->name) : QString();
        std::string bytes;
        eventcodec::encode(c, bytes);
        writer.append(++seq, t, bytes, ifName);
    };
    const auto v4 = [](int i) {
        RouteRow r = routeRow("10." + std::to_string(i / 200) + "." + std::to_string(i % 200) + ".0", 24,
                              "192.168.1." + std::to_string(1 + i % 5), std::uint32_t(2 + i % 3), std::uint32_t(i % 7),
                              std::array<std::uint8_t, 4> {4, 2, 186, 16}[std::size_t(i % 4)]);
        if (i == 7) { // multipath: the Interface column names both
            NextHop second;
            second.gateway = IpAddress::parse("192.168.2.1");
            second.ifIndex = 3;
            r.nextHops.push_back(second);
        }
        return r;
    };
    const auto v6 = [](int i) {
        return routeRow("2001:db8:" + std::to_string(i) + "::", 64, "fe80::1", std::uint32_t(2 + i % 2),
                        std::uint32_t(1024 - i % 3), i % 2 ? 2 : 4);
    };
    const InterfaceRow wlan = interfaceRow(3, "wlan0", "wlan", 1500);
    InterfaceRow renamed = wlan;
    renamed.name = "eth3";
    const InterfaceRow veth = interfaceRow(4, "veth1", "veth", 1500, false);
    add(ChangeKind::Initial, t0, interfaceRow(1, "lo", "loopback", 65536));
    add(ChangeKind::Initial, t0, interfaceRow(2, "eth0", "ether", 1500));
    add(ChangeKind::Initial, t0, wlan);
    add(ChangeKind::Initial, t0, veth);
    add(ChangeKind::Initial, t0, addressRow(1, "127.0.0.1", 8, 254));
    add(ChangeKind::Initial, t0, addressRow(2, "192.168.1.20", 24));
    add(ChangeKind::Initial, t0, addressRow(2, "2001:db8::20", 64));
    add(ChangeKind::Initial, t0, addressRow(3, "192.168.2.20", 24));
    add(ChangeKind::Initial, t0, addressRow(3, "fe80::3", 64, 253));
    add(ChangeKind::Initial, t0, addressRow(4, "10.200.0.1", 30));
    for (int i = 0; i < 240; ++i)
        add(ChangeKind::Initial, t0, v4(i));
    for (int i = 0; i < 40; ++i)
        add(ChangeKind::Initial, t0, v6(i));
    writer.requestKeyframe(QStringLiteral("start"));
    for (int i = 240; i < 260; ++i)
        add(ChangeKind::Add, t1, v4(i));
    for (int i = 0; i < 30; ++i)
        add(ChangeKind::Delete, t1, v4(i * 7 + 1));
    RouteRow moved = v4(10);
    moved.protocol = 3; // boot
    add(ChangeKind::Parameter, t1, moved, v4(10));
    add(ChangeKind::Parameter, t1, renamed, wlan);
    add(ChangeKind::Delete, t2, addressRow(4, "10.200.0.1", 30));
    add(ChangeKind::Delete, t2, veth);
    if (!writer.finish(error))
        return false;
    *times = {t0, t1, t2};
    return true;
}

} // namespace

class TestRecordingSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensAtTheEnd();
    void stateBetweenChanges();
    void previousAndNextChange();
    void diffGivesNetChanges();
    void diffNamesTheDevicesOfEachSide();
    void readsTheLogFromTheFileBeyondTheLimit();
    void cancelStopsOpening();
    void seekOnAWorkerShowsTheMoment();
    void theLatestSeekWins();
    void cancelledSeekKeepsTheTables();
    void stateAtStopsWhenCancelled();
    void refusesWhatIsNotARecording_data();
    void refusesWhatIsNotARecording();
    void replaySourceFollowsTheSourceRules();
    void seekShowsWhatRowByRowRecordsShowed_data();
    void seekShowsWhatRowByRowRecordsShowed();

private:
    QTemporaryDir m_dir;
    QString m_path;
    TestRecording m_rec;
};

void TestRecordingSession::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("rec.ncv"));
    QString error;
    QVERIFY2(writeTestRecording(m_path, &m_rec, &error), qPrintable(error));
}

void TestRecordingSession::opensAtTheEnd()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    QCOMPARE(qint64(session.info().eventCount), qint64(m_rec.events));
    QCOMPARE(session.hostName(), QStringLiteral("testhost"));
    NotificationModel *model = session.model();
    // The recorded events, numbered as recorded, with their interface names.
    QCOMPARE(model->history()->size(), qint64(m_rec.events));
    QCOMPARE(session.loadedEvents(), qint64(m_rec.events));
    QCOMPARE(session.unloadedEvents(), qint64(0));
    QCOMPARE(model->history()->sequence(0), quint64(1));
    QCOMPARE(model->history()->timeUs(5), m_rec.t1);
    QCOMPARE(model->history()->ifName(5), QStringLiteral("eth0"));
    // The tables at the end: the t1 route was deleted at t3, the t2 route stays.
    QVERIFY(session.isAtEnd());
    QCOMPARE(session.cursorUs(), qint64(session.info().endUs));
    QCOMPARE(model->interfaces()->liveRowCount(), 2);
    QCOMPARE(model->addresses()->liveRowCount(), 1);
    QCOMPARE(
        destinations(model->routes()),
        (QStringList {QStringLiteral("0.0.0.0/0"), QStringLiteral("10.10.0.0/16"), QStringLiteral("192.168.1.0/24")}));
    // The state's rows are not events.
    QCOMPARE(model->history()->size(), qint64(m_rec.events));
    QCOMPARE(model->totalEvents(), qint64(0));
}

void TestRecordingSession::stateBetweenChanges()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    RouteTableModel *routes = session.model()->routes();
    QSignalSpy shown(&session, &RecordingSession::stateShown);

    QVERIFY2(session.showStateAt(m_rec.t1 + 2'000'000, &error), qPrintable(error));
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.at(0).at(0).toLongLong(), m_rec.t1 + 2'000'000);
    QVERIFY(!session.isAtEnd());
    QCOMPARE(
        destinations(routes),
        (QStringList {QStringLiteral("0.0.0.0/0"), QStringLiteral("10.9.0.0/16"), QStringLiteral("192.168.1.0/24")}));
    // At an event's own time the state includes it.
    QVERIFY(session.showStateAt(m_rec.t2, &error));
    QCOMPARE(routes->liveRowCount(), 4);
    // Before the snapshot: nothing yet.
    QVERIFY(session.showStateAt(m_rec.t0 - 1, &error));
    QCOMPARE(routes->liveRowCount(), 0);
    QCOMPARE(session.model()->interfaces()->liveRowCount(), 0);
    // Back to the end, and beyond it is the end.
    QVERIFY(session.showStateAt(session.info().endUs + 10'000'000, &error));
    QVERIFY(session.isAtEnd());
    QCOMPARE(routes->liveRowCount(), 3);
    QCOMPARE(session.model()->history()->size(), qint64(m_rec.events));
}

void TestRecordingSession::previousAndNextChange()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    QCOMPARE(session.nextChangeUs(m_rec.t1 + 1), m_rec.t2);
    QCOMPARE(session.nextChangeUs(m_rec.t1), m_rec.t2);
    QCOMPARE(session.previousChangeUs(m_rec.t2), m_rec.t1);
    QCOMPARE(session.previousChangeUs(m_rec.t1), m_rec.t0);
    QCOMPARE(session.previousChangeUs(m_rec.t0), qint64(-1));
    QCOMPARE(session.nextChangeUs(m_rec.t3), qint64(-1));
}

void TestRecordingSession::diffGivesNetChanges()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    const auto text = [](const std::vector<StateChange> &changes) {
        QStringList out;
        for (const StateChange &c : changes)
            out << stateChangeKindName(c.kind) + u' ' + QString::fromLatin1(platform::objectName(c.object)) + u' '
                    + stateChangeKey(c) + u' ' + stateChangeFields(c);
        return out;
    };
    std::vector<StateChange> changes;
    // From the snapshot to between t1 and t2: one route more.
    QVERIFY2(session.diff(m_rec.t0, m_rec.t1 + 1, &changes, &error), qPrintable(error));
    QCOMPARE(text(changes), QStringList {QStringLiteral("added route 10.9.0.0/16 ")});
    // Across t1..t3: the t1 route came and went (no net change), the t2 route stays, eth0's
    // MTU changed; reversed bounds give the same.
    QVERIFY(session.diff(m_rec.t3 + 1, m_rec.t1 - 1, &changes, &error));
    QCOMPARE(text(changes),
             (QStringList {QStringLiteral("changed interface eth0 mtu"), QStringLiteral("added route 10.10.0.0/16 ")}));
    QCOMPARE(stateChangeBefore(changes[0]).contains(QStringLiteral("1500")), true);
    QCOMPARE(stateChangeAfter(changes[0]).contains(QStringLiteral("9000")), true);
    // Between t1 and the end: removed and added (routes in the store's key order).
    QVERIFY(session.diff(m_rec.t1, m_rec.t3, &changes, &error));
    QCOMPARE(text(changes),
             (QStringList {QStringLiteral("changed interface eth0 mtu"), QStringLiteral("removed route 10.9.0.0/16 "),
                           QStringLiteral("added route 10.10.0.0/16 ")}));
    const QByteArray csv = stateDiffCsv(changes, m_rec.t1, m_rec.t3);
    const QList<QByteArray> lines = csv.split('\n');
    QCOMPARE(lines.value(0), QByteArray("from_utc,to_utc,change,object,family,key,changed_fields,before,after\r"));
    QCOMPARE(lines.size(), 5); // header, 3 rows, "" after the last line end
    QVERIFY2(lines.value(2).contains(",removed,route,ipv4,10.9.0.0/16,,"), lines.value(2).constData());
    QVERIFY2(lines.value(1).contains(",changed,interface,unspec,eth0,mtu,"), lines.value(1).constData());
    QVERIFY(lines.value(1).startsWith(QByteArray(csv::isoTimeUtc(m_rec.t1) + ',' + csv::isoTimeUtc(m_rec.t3) + ',')));
}

void TestRecordingSession::diffNamesTheDevicesOfEachSide()
{
    // A nexthop's device is named as `ip nexthop` names it, from the interfaces of the state
    // its row is from: ifindex 2 was eth0 before and is wan0 after; ifindex 5 is in neither.
    using namespace platform;
    const auto interface = [](std::uint32_t ifIndex, const char *name) {
        InterfaceRow row;
        row.ifIndex = ifIndex;
        row.name = name;
        return row;
    };
    const auto nexthop = [](std::uint32_t id, std::uint32_t ifIndex) {
        NexthopRow row;
        row.id = id;
        row.family = Family::IPv4;
        row.ifIndex = ifIndex;
        return row;
    };
    recording::RecordState from;
    recording::RecordState to;
    from.insert(interface(2, "eth0"));
    to.insert(interface(2, "wan0"));
    from.insert(nexthop(7, 2)); // removed
    to.insert(nexthop(8, 2)); // added
    to.insert(nexthop(9, 5)); // added, its interface unknown
    from.insert(nexthop(10, 2)); // changed: moved to ifindex 5
    to.insert(nexthop(10, 5));
    QHash<QString, StateChange> byKey;
    for (const StateChange &c : diffStates(from, to))
        if (c.object == ObjectKind::Nexthop)
            byKey.insert(stateChangeKey(c), c);
    QCOMPARE(byKey.size(), 4);
    const auto before = [&](const char *key) { return stateChangeBefore(byKey.value(QLatin1StringView(key))); };
    const auto after = [&](const char *key) { return stateChangeAfter(byKey.value(QLatin1StringView(key))); };
    QVERIFY2(before("id 7").contains(QStringLiteral("dev eth0")), qPrintable(before("id 7")));
    QVERIFY2(after("id 8").contains(QStringLiteral("dev wan0")), qPrintable(after("id 8")));
    QVERIFY2(after("id 9").contains(QStringLiteral("dev 5")), qPrintable(after("id 9")));
    QVERIFY2(before("id 10").contains(QStringLiteral("dev eth0")), qPrintable(before("id 10")));
    QVERIFY2(after("id 10").contains(QStringLiteral("dev 5")), qPrintable(after("id 10")));
    QVERIFY(after("id 7").isEmpty());

    // A route's next hops, as `ip route` writes them: the hops on the route's interface (the
    // first hop's) by the name its side knows, the other hops of a multipath route by index.
    const auto route = [](std::uint8_t third, std::initializer_list<std::pair<std::uint32_t, std::uint8_t>> hops) {
        RouteRow row;
        row.destination = IpAddress::v4(10, 66, third, 0);
        row.prefixLength = 24;
        for (const auto &[ifIndex, last] : hops) {
            NextHop hop;
            hop.ifIndex = ifIndex;
            hop.gateway = IpAddress::v4(10, 62, 0, last);
            row.nextHops.push_back(hop);
        }
        return row;
    };
    from.insert(route(1, {{2, 2}})); // removed
    to.insert(route(2, {{2, 2}, {5, 3}})); // added, multipath
    from.insert(route(3, {{2, 2}, {5, 3}})); // changed: its first hop's gateway
    to.insert(route(3, {{2, 4}, {5, 3}}));
    byKey.clear();
    for (const StateChange &c : diffStates(from, to))
        if (c.object == ObjectKind::Route)
            byKey.insert(stateChangeKey(c), c);
    QCOMPARE(byKey.size(), 3);
    // Each side names ifindex 2 as its state does.
    QCOMPARE(stateChangeChanges(byKey.value(QStringLiteral("10.66.3.0/24"))),
             QStringLiteral("nexthops via 10.62.0.2 dev eth0 weight 1, via 10.62.0.3 dev 5 weight 1 -> "
                            "via 10.62.0.4 dev wan0 weight 1, via 10.62.0.3 dev 5 weight 1"));
    QVERIFY2(before("10.66.1.0/24").startsWith(QStringLiteral("via 10.62.0.2 dev eth0 ")),
             qPrintable(before("10.66.1.0/24")));
    QVERIFY2(after("10.66.2.0/24")
                 .startsWith(QStringLiteral("via 10.62.0.2 dev wan0 weight 1, via 10.62.0.3 dev 5 weight 1 ")),
             qPrintable(after("10.66.2.0/24")));
}

void TestRecordingSession::readsTheLogFromTheFileBeyondTheLimit()
{
    RecordingSession loaded;
    RecordingSession session;
    QString error;
    QVERIFY2(loaded.open(m_path, &error), qPrintable(error));
    QVERIFY(!loaded.fileEventLog());
    QVERIFY(!loaded.model()->fileEventLog());
    QVERIFY2(session.open(m_path, &error, {}, 5), qPrintable(error));
    // 9 events do not fit in 5: none is loaded, the log reads them from the file.
    QCOMPARE(session.loadedEvents(), qint64(0));
    QCOMPARE(session.unloadedEvents(), qint64(0));
    QCOMPARE(session.model()->history()->capacity(), qint64(5));
    FileEventLogModel *log = session.fileEventLog();
    QVERIFY(log);
    QCOMPARE(session.model()->fileEventLog(), log);
    QCOMPARE(log->rowCount(), m_rec.events);
    QCOMPARE(log->index(5, EventLogModel::Time).data(TimeUsRole).toLongLong(), m_rec.t1);
    QCOMPARE(log->index(5, EventLogModel::Interface).data().toString(), QStringLiteral("eth0"));
    // The timeline counts the same changes as when the events are loaded, on a worker
    // after open() returned.
    QVERIFY(session.isCountingTimeline());
    QSignalSpy counted(&session, &RecordingSession::timelineCounted);
    QSignalSpy progress(&session, &RecordingSession::timelineProgress);
    QTRY_COMPARE(counted.count(), 1);
    // Nothing comes after the end (a window would show the progress again).
    const qsizetype progressAtEnd = progress.count();
    QTest::qWait(100);
    QCOMPARE(progress.count(), progressAtEnd);
    QCOMPARE(counted.at(0).at(0).toString(), QString());
    QVERIFY(!session.isCountingTimeline());
    QCOMPARE(session.timelineEventsCounted(), qint64(m_rec.events));
    QCOMPARE(session.model()->timeline()->total(), loaded.model()->timeline()->total());
    QCOMPARE(session.model()->timeline()->total(), qint64(4));
    QCOMPARE(session.model()->timeline()->firstUs(), loaded.model()->timeline()->firstUs());
    QCOMPARE(session.model()->timeline()->lastUs(), loaded.model()->timeline()->lastUs());
    QVERIFY(!loaded.isCountingTimeline());
    // Time travel over the file's events as over the loaded ones.
    for (const qint64 us : {m_rec.t0 - 1, m_rec.t0, m_rec.t1, m_rec.t2 + 1, m_rec.t3, m_rec.t3 + 1}) {
        QCOMPARE(session.eventIndexAt(us), loaded.eventIndexAt(us));
        QCOMPARE(session.previousChangeUs(us), loaded.previousChangeUs(us));
        QCOMPARE(session.nextChangeUs(us), loaded.nextChangeUs(us));
    }
    QCOMPARE(session.eventIndexAt(m_rec.t1), qint64(5));
    // The tables come from the file, as always.
    QCOMPARE(session.model()->routes()->liveRowCount(), 3);
}

void TestRecordingSession::cancelStopsOpening()
{
    RecordingSession session;
    QString error;
    int calls = 0;
    QVERIFY(!session.open(
        m_path, &error,
        [&calls](qint64, qint64) {
            ++calls;
            return false;
        },
        0));
    QCOMPARE(calls, 1);
    QVERIFY2(error.contains(QStringLiteral("cancelled")), qPrintable(error));
}

void TestRecordingSession::seekOnAWorkerShowsTheMoment()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    QSignalSpy started(&session, &RecordingSession::seekStarted);
    QSignalSpy shown(&session, &RecordingSession::stateShown);
    QSignalSpy finished(&session, &RecordingSession::seekFinished);
    session.requestStateAt(m_rec.t2);
    QVERIFY(session.isSeeking());
    QCOMPARE(session.seekTargetUs(), m_rec.t2);
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(0).toLongLong(), m_rec.t2);
    // The tables change only when the event loop takes the result in.
    QVERIFY(session.isAtEnd());
    QCOMPARE(session.model()->routes()->liveRowCount(), 3);
    QTRY_VERIFY(!session.isSeeking());
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toLongLong(), m_rec.t2);
    QVERIFY(finished.at(0).at(1).toBool());
    QCOMPARE(shown.count(), 1);
    QCOMPARE(session.cursorUs(), m_rec.t2);
    QCOMPARE(session.seekTargetUs(), m_rec.t2);
    QCOMPARE(session.model()->routes()->liveRowCount(), 4);
    // Clamped as showStateAt() clamps: before the first event is the first event's moment.
    session.requestStateAt(m_rec.t0 - 10'000'000);
    QVERIFY(session.waitForSeek(&error));
    QVERIFY(session.cursorUs() > m_rec.t0 - 10'000'000);
    QVERIFY(session.cursorUs() <= m_rec.t0);
}

void TestRecordingSession::theLatestSeekWins()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    QSignalSpy shown(&session, &RecordingSession::stateShown);
    QSignalSpy finished(&session, &RecordingSession::seekFinished);
    session.requestStateAt(m_rec.t1 + 2'000'000);
    session.requestStateAt(m_rec.t2);
    QCOMPARE(session.seekTargetUs(), m_rec.t2);
    QTRY_VERIFY(!session.isSeeking());
    QTest::qWait(100); // the first worker's result, if it were still delivered
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.at(0).at(0).toLongLong(), m_rec.t2);
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(0).at(0).toLongLong(), m_rec.t1 + 2'000'000); // superseded: not shown
    QVERIFY(!finished.at(0).at(1).toBool());
    QCOMPARE(finished.at(0).at(2).toString(), QString());
    QVERIFY(finished.at(1).at(1).toBool());
    QCOMPARE(session.cursorUs(), m_rec.t2);
    QCOMPARE(session.model()->routes()->liveRowCount(), 4);
    // A synchronous showStateAt() is the latest too.
    session.requestStateAt(m_rec.t0 - 1);
    QVERIFY2(session.showStateAt(m_rec.t1 + 2'000'000, &error), qPrintable(error));
    QVERIFY(!session.isSeeking());
    QTest::qWait(100);
    QCOMPARE(session.cursorUs(), m_rec.t1 + 2'000'000);
    QVERIFY(destinations(session.model()->routes()).contains(QStringLiteral("10.9.0.0/16")));
}

void TestRecordingSession::cancelledSeekKeepsTheTables()
{
    RecordingSession session;
    QString error;
    QVERIFY2(session.open(m_path, &error), qPrintable(error));
    const qint64 end = session.cursorUs();
    QSignalSpy shown(&session, &RecordingSession::stateShown);
    QSignalSpy finished(&session, &RecordingSession::seekFinished);
    session.requestStateAt(m_rec.t0 - 1); // the tables before the snapshot: empty
    session.cancelSeek();
    QVERIFY(!session.isSeeking());
    QCOMPARE(finished.count(), 1);
    QVERIFY(!finished.at(0).at(1).toBool());
    QCOMPARE(finished.at(0).at(2).toString(), QString());
    QTest::qWait(200);
    QCOMPARE(shown.count(), 0);
    QCOMPARE(session.cursorUs(), end);
    QCOMPARE(session.model()->routes()->liveRowCount(), 3);
    QCOMPARE(session.model()->interfaces()->liveRowCount(), 2);
    QVERIFY(!session.waitForSeek(&error)); // nothing runs
    // A seek left running when the session goes is stopped and waited for.
    auto doomed = std::make_unique<RecordingSession>();
    QVERIFY2(doomed->open(m_path, &error), qPrintable(error));
    doomed->requestStateAt(m_rec.t1);
    doomed.reset();
}

void TestRecordingSession::stateAtStopsWhenCancelled()
{
    recording::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(m_path, &error), qPrintable(error));
    recording::RecordState state;
    std::atomic<bool> cancel {false};
    QVERIFY2(reader.stateAt(m_rec.t2, &state, &error, &cancel), qPrintable(error));
    QCOMPARE(state.routeCount(), std::size_t(4));
    cancel = true;
    QVERIFY(!reader.stateAt(m_rec.t2, &state, &error, &cancel));
    QCOMPARE(error, recording::RecordingReader::cancelledError());
    // At the snapshot's moment, stopped as well.
    error.clear();
    QVERIFY(!reader.stateAt(m_rec.t0, &state, &error, &cancel));
    QCOMPARE(error, recording::RecordingReader::cancelledError());
}

void TestRecordingSession::refusesWhatIsNotARecording_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("create");
    QTest::newRow("missing") << QByteArray() << false;
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("text") << QByteArray("sequence,time_utc,object\n1,2026-11-21T11:42:03Z,route\n") << true;
    QTest::newRow("sqlite header, garbage after")
        << (QByteArray("SQLite format 3", 16) + QByteArray(4080, '\x5a')) << true;
}

void TestRecordingSession::refusesWhatIsNotARecording()
{
    QFETCH(QByteArray, content);
    QFETCH(bool, create);
    const QString path = m_dir.filePath(
        QStringLiteral("bad-%1").arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-')));
    if (create) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    RecordingSession session;
    QString error;
    QVERIFY(!session.open(path, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(!error.contains(u'\n'), qPrintable(error));
    QVERIFY2(error.contains(QFileInfo(path).fileName()), qPrintable(error));
    QCOMPARE(session.model()->history()->size(), qint64(0));
}

void TestRecordingSession::replaySourceFollowsTheSourceRules()
{
    ReplaySource source;
    platform::Handle handle = 0;
    platform::RegisterParams params;
    params.addressFamily = platform::afUnspec();
    QCOMPARE(source.registerChanges(params, &handle).error, platform::Error::InvalidParameter); // no callback
    int snapshotComplete = 0;
    params.callback = [](void *context, std::span<const platform::ChangeRecord> records) {
        for (const auto &r : records)
            *static_cast<int *>(context) += r.change == platform::ChangeKind::SnapshotComplete ? 1 : 1000;
    };
    params.callerContext = &snapshotComplete;
    QVERIFY(source.registerChanges(params, &handle).ok()); // no state: an empty snapshot
    QCOMPARE(snapshotComplete, 1);
    QVERIFY(handle != 0);
    QVERIFY(source.cancel(handle).ok());
    QCOMPARE(source.cancel(handle).error, platform::Error::InvalidHandle);
    QCOMPARE(source.cancel(0).error, platform::Error::InvalidParameter);
}

void TestRecordingSession::seekShowsWhatRowByRowRecordsShowed_data()
{
    QTest::addColumn<int>("sortColumn");
    QTest::addColumn<int>("order");
    QTest::addColumn<QString>("filter");
    QTest::newRow("source order") << -1 << int(Qt::AscendingOrder) << QString();
    QTest::newRow("by interface, filtered")
        << int(RouteTableModel::Interface) << int(Qt::DescendingOrder) << QStringLiteral("eth0");
    QTest::newRow("by destination, filtered")
        << int(RouteTableModel::Destination) << int(Qt::AscendingOrder) << QStringLiteral("10.0.1");
    QTest::newRow("by protocol, filtered")
        << int(RouteTableModel::Protocol) << int(Qt::DescendingOrder) << QStringLiteral("static");
}

void TestRecordingSession::seekShowsWhatRowByRowRecordsShowed()
{
    QFETCH(int, sortColumn);
    QFETCH(int, order);
    QFETCH(QString, filter);
    static int files = 0;
    const QString path = m_dir.filePath(QStringLiteral("rich-%1.ncv").arg(++files));
    std::array<qint64, 3> t {};
    QString error;
    QVERIFY2(writeRichRecording(path, &t, &error), qPrintable(error));
    RecordingSession session;
    QVERIFY2(session.open(path, &error), qPrintable(error));
    recording::RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    NotificationModel *model = session.model();

    // The window's proxies over the session's tables, sorted and filtered before the seeks.
    const auto proxyOf = [&](QAbstractItemModel *table) {
        auto proxy = std::make_unique<ChangeTableProxy>();
        proxy->setRankThreshold(0);
        proxy->setSourceModel(table);
        // Sort by the same column where the table has it (the route table's columns
        // decide the column numbers here).
        proxy->sort(sortColumn < table->columnCount() ? sortColumn : -1, Qt::SortOrder(order));
        proxy->setFilterText(filter);
        return proxy;
    };
    QAbstractItemModel *tables[] = {model->interfaces(), model->addresses(), model->routes()};
    std::vector<std::unique_ptr<ChangeTableProxy>> proxies;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;
    for (QAbstractItemModel *table : tables) {
        proxies.push_back(proxyOf(table));
        testers.push_back(std::make_unique<QAbstractItemModelTester>(proxies.back().get()));
        testers.push_back(std::make_unique<QAbstractItemModelTester>(table));
    }
    const char *names[] = {"interfaces", "addresses", "routes"};

    // Back and forth: later, earlier, across the keyframe, the same moment again.
    const qint64 moments[] = {t[1] + 1, t[0] + 1, t[2] + 1, t[0] + 1, t[1], t[2] + 1};
    for (const qint64 at : moments) {
        std::vector<std::unique_ptr<QSignalSpy>> resets, inserts;
        for (QAbstractItemModel *table : tables) {
            resets.push_back(std::make_unique<QSignalSpy>(table, &QAbstractItemModel::modelReset));
            inserts.push_back(std::make_unique<QSignalSpy>(table, &QAbstractItemModel::rowsInserted));
        }
        QVERIFY2(session.showStateAt(at, &error), qPrintable(error));
        for (std::size_t k = 0; k < 3; ++k) {
            QCOMPARE(resets[k]->count(), 1); // the whole table at once
            QCOMPARE(inserts[k]->count(), 0);
        }

        recording::RecordState state;
        QVERIFY2(reader.stateAt(at, &state, &error), qPrintable(error));
        RowByRowTables want(state);
        QVERIFY(want.routes.rowCount() > 0);
        QAbstractItemModel *wanted[] = {&want.interfaces, &want.addresses, &want.routes};
        for (std::size_t k = 0; k < 3; ++k) {
            compareCells(*tables[k], *wanted[k], names[k]);
            if (QTest::currentTestFailed())
                return;
            const auto wantProxy = proxyOf(wanted[k]);
            compareCells(*proxies[k], *wantProxy, names[k]);
            if (QTest::currentTestFailed())
                return;
        }
        if (!filter.isEmpty())
            QVERIFY(proxies[2]->rowCount() < model->routes()->rowCount()); // the filter hides some
        QCOMPARE(model->liveCount(ObjectKind::Interface), qint64(want.interfaces.rowCount()));
        QCOMPARE(model->liveCount(ObjectKind::Address), qint64(want.addresses.rowCount()));
        QCOMPARE(model->liveCount(ObjectKind::Route), qint64(want.routes.rowCount()));
        for (quint32 ifIndex = 1; ifIndex <= 5; ++ifIndex)
            QCOMPARE(model->interfaceName(ifIndex), want.names.name(ifIndex));
        for (const int protocol : {2, 3, 4, 16, 186})
            QCOMPARE(model->entities()->routeCount(std::uint32_t(protocol), ProtocolSpace::RtmProtocol),
                     want.entities.routeCount(std::uint32_t(protocol), ProtocolSpace::RtmProtocol));
        QCOMPARE(model->entities()->rowCount(), want.entities.rowCount());
        QVERIFY(model->isSnapshotComplete());
        QCOMPARE(model->totalEvents(), qint64(0)); // the rows are not events
    }
    // The moments differ where the recording says they do.
    QVERIFY(session.showStateAt(t[0] + 1, &error));
    QCOMPARE(model->routes()->rowCount(), 280);
    QCOMPARE(model->interfaceName(3), QStringLiteral("wlan0"));
    QVERIFY(session.showStateAt(t[2] + 1, &error));
    QCOMPARE(model->routes()->rowCount(), 270);
    QCOMPARE(model->interfaceName(3), QStringLiteral("eth3"));
    QCOMPARE(model->interfaces()->rowCount(), 3);
    QCOMPARE(model->entities()->routeCount(3, ProtocolSpace::RtmProtocol), qint64(1));
}

QTEST_GUILESS_MAIN(TestRecordingSession)
#include "tst_recordingsession.moc"

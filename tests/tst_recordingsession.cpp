// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingSession and ReplaySource over a real recording file written by RecordingWriter:
// the events land in the history with their recorded numbers, the tables show the state
// at the cursor (never adding events), previous / next change, limits, cancel and files
// that are not recordings.
#include "model/recordingsession.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/replaysource.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/format.h"
#include "support/testrecording.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

} // namespace

class TestRecordingSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensAtTheEnd();
    void stateBetweenChanges();
    void previousAndNextChange();
    void diffGivesNetChanges();
    void readsTheLogFromTheFileBeyondTheLimit();
    void cancelStopsOpening();
    void refusesWhatIsNotARecording_data();
    void refusesWhatIsNotARecording();
    void replaySourceFollowsTheSourceRules();

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
    // The timeline counts the same changes as when the events are loaded.
    QCOMPARE(session.model()->timeline()->total(), loaded.model()->timeline()->total());
    QCOMPARE(session.model()->timeline()->total(), qint64(4));
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

QTEST_GUILESS_MAIN(TestRecordingSession)
#include "tst_recordingsession.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// NotificationModel: batching (one queued call per batch), marshalling from another
// thread, order, markers vs events, errors, stop/start, stats; time-budgeted slices
// (SliceSizer, driven with given durations); a stream applied once per update interval;
// Mode::HistoryOnly stores what Full stores; several namespaces: the tables show one at a time.
#include "model/history/eventhistory.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "platform/netnstable.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <QTimer>

#include <algorithm>
#include <numeric>

#include <atomic>
#include <thread>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;
using namespace Qt::StringLiterals;

namespace {
int destinationIndex(const ChangeRecord &r)
{
    const auto *route = std::get_if<RouteRow>(&r.row());
    if (!route)
        return -1;
    return route->destination.bytes[1] * 256 + route->destination.bytes[2];
}
} // namespace

class TestNotificationModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startRefusesBadFamily()
    {
        ManualSource source;
        NotificationModel model(&source);
        QSignalSpy errors(&model, &NotificationModel::errorOccurred);
        QString error;
        QVERIFY(!model.start(12345, true, &error));
        QVERIFY2(error.contains(QStringLiteral("12345")), qPrintable(error));
        QCOMPARE(errors.count(), 1);
        QVERIFY(!model.isRunning());
    }

    void noSourceIsAnError()
    {
        NotificationModel model(nullptr);
        QString error;
        QVERIFY(!model.start(platform::afUnspec(), true, &error));
        QVERIFY(!error.isEmpty());
    }

    void familyHelpersAreDistinct()
    {
        QVERIFY(platform::afInet() != platform::afInet6());
        QVERIFY(platform::afInet() != platform::afUnspec());
        QCOMPARE(platform::afUnspec(), 0);
    }

    void snapshotCompleteIsNotAnEventButGapIs()
    {
        ManualSource source;
        source.upsert(iface(1, "lo"));
        source.upsert(address(1, "127.0.0.1", 8));
        NotificationModel model(&source);
        QSignalSpy complete(&model, &NotificationModel::snapshotComplete);
        QSignalSpy running(&model, &NotificationModel::runningChanged);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QCOMPARE(model.sourceName(), QStringLiteral("manual"));
        QVERIFY(model.isRunning());
        QCOMPARE(running.count(), 1);
        QTRY_COMPARE(complete.count(), 1);
        QCOMPARE(model.history()->size(), qint64(2));
        QCOMPARE(model.totalEvents(), qint64(2));
        QCOMPARE(model.history()->record(0).change, ChangeKind::Initial);
        QCOMPARE(model.history()->ifName(0), QStringLiteral("lo"));
        QCOMPARE(model.history()->ifName(1), QStringLiteral("lo"));
        QCOMPARE(model.history()->sequence(1), quint64(2));

        ChangeRecord gap;
        gap.object = ObjectKind::Gap;
        gap.change = ChangeKind::Gap;
        gap.timeUs = nowUs();
        gap.note = "ENOBUFS: events lost";
        source.deliver({gap});
        QTRY_COMPARE(model.history()->size(), qint64(3));
        QCOMPARE(model.history()->record(2).change, ChangeKind::Gap);
        QCOMPARE(model.timeline()->total(), qint64(1)); // the gap; snapshot rows are not changes
        QCOMPARE(complete.count(), 1);
    }

    void noInitialStillCompletes()
    {
        ManualSource source;
        source.upsert(iface(1, "lo"));
        NotificationModel model(&source);
        QSignalSpy complete(&model, &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), false, &error));
        QTRY_COMPARE(complete.count(), 1);
        QCOMPARE(model.history()->size(), qint64(0));
        QCOMPARE(model.interfaces()->rowCount(), 0);
    }

    void noInitialStillNamesInterfaces_data()
    {
        QTest::addColumn<bool>("historyOnly");
        QTest::newRow("full") << false;
        QTest::newRow("history only") << true;
    }
    void noInitialStillNamesInterfaces()
    {
        // The snapshot is not recorded, but an interface that exists before the start and
        // never changes still names the events on it: "d0", not "if 3".
        QFETCH(bool, historyOnly);
        const auto mode = historyOnly ? NotificationModel::Mode::HistoryOnly : NotificationModel::Mode::Full;
        ManualSource source;
        source.upsert(iface(3, "d0"));
        source.upsert(address(3, "10.1.0.1", 24));
        source.upsert(route("10.9.0.0", 16, nullptr, 3));
        NotificationModel model(&source, mode);
        QString error;
        QVERIFY(model.start(afUnspec(), false, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        QCOMPARE(model.history()->size(), qint64(0));
        QCOMPARE(model.interfaceName(3), u"d0"_s);
        QCOMPARE(model.liveCount(ObjectKind::Interface), qint64(0)); // not recorded, not counted
        QCOMPARE(model.liveCount(ObjectKind::Route), qint64(0));

        source.upsert(address(3, "10.2.0.1", 24));
        source.upsert(route("10.50.0.0", 16, "10.1.0.2", 3));
        source.remove(route("10.9.0.0", 16, nullptr, 3));
        QTRY_COMPARE(model.history()->size(), qint64(3));
        for (qint64 i = 0; i < 3; ++i) {
            QCOMPARE(model.history()->record(i).change == ChangeKind::Initial, false);
            QCOMPARE(model.history()->ifName(i), u"d0"_s);
        }
        if (mode == NotificationModel::Mode::Full) {
            QCOMPARE(model.interfaces()->rowCount(), 0);
            QCOMPARE(model.addresses()->rowCount(), 1);
            QCOMPARE(model.routes()->rowCount(), 1); // the new one; the deleted one was never shown
        }
    }

    void sameThreadPushesMakeOneBatch()
    {
        ManualSource source;
        NotificationModel model(&source);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        QSignalSpy batches(&model, &NotificationModel::batchApplied);
        QSignalSpy timeline(model.timeline(), &TimelineBins::changed);
        QSignalSpy appended(model.history(), &EventHistory::appended);
        for (int i = 0; i < 500; ++i)
            source.upsert(numberedRoute(i));
        QTRY_COMPARE(batches.count(), 1);
        QCOMPARE(batches.at(0).at(0).toInt(), 500);
        QCOMPARE(timeline.count(), 1);
        QCOMPARE(appended.count(), 1);
        QCOMPARE(model.routes()->rowCount(), 500);
    }

    void recordsFromAnotherThreadAreBatchedAndOrdered_data()
    {
        QTest::addColumn<bool>("concurrent");
        QTest::newRow("gui-busy") << false; // all pushed while the GUI thread is busy
        QTest::newRow("concurrent") << true; // GUI thread applying while the thread pushes
    }
    void recordsFromAnotherThreadAreBatchedAndOrdered()
    {
        QFETCH(bool, concurrent);
        constexpr int N = 20000;
        ManualSource source;
        NotificationModel model(&source);
        model.setSliceBudgetMs(1e12); // batching, not slicing: N < kMaxSliceRecords goes in one slice
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        QSignalSpy batches(&model, &NotificationModel::batchApplied);
        QSignalSpy inserted(model.routes(), &QAbstractItemModel::rowsInserted);
        std::atomic<bool> done {false};
        std::thread pusher([&] {
            for (int i = 0; i < N; ++i)
                source.upsert(numberedRoute(i));
            done = true;
        });
        if (!concurrent)
            pusher.join(); // GUI thread blocked: everything lands in one pending batch
        else
            QThread::msleep(100); // GUI thread busy for a while: records pile up meanwhile
        QTRY_COMPARE_WITH_TIMEOUT(model.totalEvents(), qint64(N), 30000);
        // The rate counts the last second's events: read it now, before the checks below
        // (seconds of them in a sanitizer build) let that second pass.
        const double rate = model.eventsPerSecond();
        if (concurrent)
            pusher.join();
        QVERIFY(done);
        QCOMPARE(model.routes()->rowCount(), N);
        qint64 applied = 0;
        for (const auto &args : batches)
            applied += args.at(0).toInt();
        QCOMPARE(applied, qint64(N));
        QCOMPARE(inserted.count(), batches.count()); // one ranged insert per batch
        int largest = 0;
        for (const auto &args : batches)
            largest = std::max(largest, args.at(0).toInt());
        if (!concurrent) {
            QCOMPARE(batches.count(), 1);
        } else {
            // How many batches depends on the machine (a fast GUI thread drains each record
            // as it comes; ASan builds do). What must hold: what piled up while the GUI
            // thread was busy went in one batch, so there are fewer batches than records.
            QVERIFY2(largest > 1, qPrintable(QString::number(largest)));
            QVERIFY2(batches.count() < N, qPrintable(QString::number(batches.count())));
        }
        qDebug() << N << "records in" << batches.count() << "batches";
        // Receive order kept in the history and in the table.
        for (int i = 0; i < N; ++i) {
            QCOMPARE(destinationIndex(model.history()->record(model.history()->size() - N + i)), i);
            QVERIFY(model.routes()->rowAt(i).destination == numberedRoute(i).destination);
        }
        QVERIFY(rate > 0);
    }

    void sliceSizerFollowsTheMeasuredCost()
    {
        // Budget 20 ms, slices of 1,000 .. 50,000 records; durations are given, not measured.
        SliceSizer sizer(20, 1000, 50'000);
        QCOMPARE(sizer.nsPerRecord(), SliceSizer::kInitialNsPerRecord); // nothing measured yet
        QCOMPARE(sizer.next(), std::size_t(20e6 / SliceSizer::kInitialNsPerRecord));
        sizer.record(5000, 20'000'000); // 4 us per record: slower, believed at once
        QCOMPARE(sizer.nsPerRecord(), 4000.0);
        QCOMPARE(sizer.next(), std::size_t(5000));
        sizer.record(5000, 10'000'000); // 2 us: faster, averaged in -> 3 us
        QCOMPARE(sizer.nsPerRecord(), 3000.0);
        QCOMPARE(sizer.next(), std::size_t(6666));
        sizer.record(6666, 0); // ignored
        sizer.record(0, 5'000'000'000); // ignored
        QCOMPARE(sizer.next(), std::size_t(6666));
        for (int i = 0; i < 30; ++i)
            sizer.record(sizer.next(), 1000); // very fast slices
        QCOMPARE(sizer.next(), std::size_t(50'000)); // capped at the maximum
        sizer.record(50'000, 2'000'000'000); // one very slow slice (40 us per record)
        QCOMPARE(sizer.next(), std::size_t(1000)); // floored at the minimum at once
        sizer.record(1000, 1'000'000); // fast again: recovers by halves
        sizer.record(1000, 1'000'000);
        QCOMPARE(sizer.nsPerRecord(), 10'750.0);
        QCOMPARE(sizer.next(), std::size_t(1860));

        // A slice smaller than the minimum counts as the minimum: its fixed cost is not
        // taken for a per-record cost (10 records in 1 ms would be 100 us per record).
        SliceSizer small(20, 1000, 50'000);
        small.record(10, 1'000'000); // 1 us (as 1,000 records): averaged in -> 1.5 us
        QCOMPARE(small.nsPerRecord(), 1500.0);
        QCOMPARE(small.next(), std::size_t(13'333));
        small.record(10, 30'000'000); // still too slow for a small slice: believed
        QCOMPARE(small.next(), std::size_t(1000));
        small.setBudgetMs(0);
        QCOMPARE(small.next(), std::size_t(1000));
        small.setBudgetMs(1e12);
        QCOMPARE(small.next(), std::size_t(50'000));
        QCOMPARE(small.budgetMs(), 1e12);
    }

    void hugeBurstIsAppliedInSlices_data()
    {
        QTest::addColumn<double>("budgetMs");
        QTest::newRow("default budget") << NotificationModel::kSliceBudgetMs; // sizes depend on the machine
        QTest::newRow("zero budget: minimum slices") << 0.0;
        QTest::newRow("huge budget: maximum slices") << 1e12;
    }
    void hugeBurstIsAppliedInSlices()
    {
        QFETCH(double, budgetMs);
        constexpr int kMin = int(NotificationModel::kMinSliceRecords);
        constexpr int kMax = int(NotificationModel::kMaxSliceRecords);
        const int N = kMax * 2 + 10;
        ManualSource source;
        NotificationModel model(&source);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        model.setSliceBudgetMs(budgetMs);
        model.setPublishBudgetMs(0);
        model.setUpdateIntervalMs(0); // every slice published (in a turn of its own)
        QSignalSpy batches(&model, &NotificationModel::batchApplied);
        int turnsBetween = 0;
        std::vector<int> routesAfterSlice;
        connect(&model, &NotificationModel::batchApplied, this, [&] {
            routesAfterSlice.push_back(model.routes()->rowCount());
            // The event loop turns between slices: a zero timer started now fires before the next slice.
            QTimer::singleShot(0, this, [&] { ++turnsBetween; });
        });
        // Pushed on this (the GUI) thread: all N wait in one pending batch.
        for (int i = 0; i < N; ++i)
            source.upsert(numberedRoute(i % 60000, i < 60000 ? "192.0.2.1" : "192.0.2.2"), true);
        QCOMPARE(batches.count(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(model.totalEvents(), qint64(N), 60000);
        std::vector<int> sizes;
        for (const auto &args : batches)
            sizes.push_back(args.at(0).toInt());
        qDebug() << N << "records in" << sizes.size() << "slices; estimate" << model.sliceSizer().nsPerRecord()
                 << "ns per record";
        // Nothing lost, several slices, each within the bounds (all but the last at least the minimum).
        QCOMPARE(std::accumulate(sizes.begin(), sizes.end(), qint64(0)), qint64(N));
        QVERIFY2(sizes.size() >= 3, qPrintable(QString::number(sizes.size())));
        for (std::size_t k = 0; k < sizes.size(); ++k) {
            QVERIFY2(sizes[k] <= kMax, qPrintable(QString::number(sizes[k])));
            if (k + 1 < sizes.size())
                QVERIFY2(sizes[k] >= kMin, qPrintable(QString::number(sizes[k])));
        }
        if (budgetMs == 0) {
            QCOMPARE(sizes.size(), std::size_t(N / kMin + 1));
            QCOMPARE(sizes.back(), N % kMin);
        } else if (budgetMs > 1e9) {
            QCOMPARE(sizes, (std::vector<int> {kMax, kMax, 10}));
        }
        QTRY_COMPARE(turnsBetween, int(sizes.size()));
        // In order: the table grew slice by slice (60,000 new routes, then replacements).
        int expected = 0;
        for (std::size_t k = 0; k < sizes.size(); ++k) {
            expected = std::min(60000, expected + sizes[k]);
            QCOMPARE(routesAfterSlice[k], expected);
        }
        QCOMPARE(model.routes()->rowCount(), 60000);
        QVERIFY(model.routes()->rowAt(5).nextHops.front().gateway == IpAddress::parse("192.0.2.2"));
        QVERIFY(model.routes()->rowAt(59999).nextHops.front().gateway == IpAddress::parse("192.0.2.1"));
        for (int i : {0, 59999, 60000, N - 1})
            QCOMPARE(destinationIndex(model.history()->record(model.history()->size() - N + i)), i % 60000);
        const NotificationModel::ApplyStats stats = model.applyStats();
        QCOMPARE(stats.lastRecords, sizes.back());
        QCOMPARE(stats.maxRecords, *std::max_element(sizes.begin(), sizes.end()));
    }

    void aBurstIsPublishedOncePerUpdateInterval_data()
    {
        QTest::addColumn<int>("intervalMs");
        QTest::addColumn<double>("publishBudgetMs");
        QTest::newRow("interval 1.5 s: the first slice, then the rest at the end") << 1500 << 1e12;
        QTest::newRow("publication of at most the minimum: each slice") << 1500 << 0.0;
        QTest::newRow("interval 0: each slice") << 0 << 1e12;
    }
    void aBurstIsPublishedOncePerUpdateInterval()
    {
        QFETCH(int, intervalMs);
        QFETCH(double, publishBudgetMs);
        constexpr int kSlice = int(NotificationModel::kMinSliceRecords);
        const int N = 10 * kSlice + 5;
        ManualSource source;
        NotificationModel model(&source);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        model.setSliceBudgetMs(0); // slices of kMinSliceRecords
        model.setPublishBudgetMs(publishBudgetMs);
        model.setUpdateIntervalMs(intervalMs);
        const qint64 historyBefore = model.history()->size();
        QTest::qWait(intervalMs + 100); // the burst comes after a quiet interval: applied at once
        // What the views could see at the turns of the event loop.
        struct Seen {
            int rows;
            qint64 history;
            qint64 applied;
        };
        std::vector<Seen> turns;
        QTimer turn;
        turn.setInterval(0);
        connect(&turn, &QTimer::timeout, this, [&] {
            turns.push_back(
                {model.routes()->rowCount(), model.history()->size() - historyBefore, model.applyStats().batches});
        });
        std::vector<Seen> published;
        connect(&model, &NotificationModel::batchApplied, this, [&](int records) {
            published.push_back({model.routes()->rowCount(), model.history()->size() - historyBefore, records});
        });
        for (int i = 0; i < N; ++i)
            source.upsert(numberedRoute(i));
        const qint64 slicesBefore = model.applyStats().batches;
        turn.start();
        QTRY_COMPARE_WITH_TIMEOUT(model.routes()->rowCount(), N, 30000);
        turn.stop();
        const qint64 slices = model.applyStats().batches - slicesBefore;
        QCOMPARE(slices, qint64(N / kSlice + 1));
        // Every record was published, with the tables and the history agreeing each time.
        qint64 sum = 0;
        for (const Seen &p : published) {
            sum += p.applied;
            QCOMPARE(p.rows, int(sum));
            QCOMPARE(p.history, sum);
        }
        QCOMPARE(sum, qint64(N));
        if (intervalMs > 0 && publishBudgetMs > 1) {
            // The first slice after a quiet interval at once, then the rest at the end of
            // the backlog (within the interval).
            QCOMPARE(published.size(), std::size_t(2));
            QCOMPARE(published.front().applied, qint64(kSlice));
        } else
            QCOMPARE(published.size(), std::size_t(slices)); // each slice, in a turn of its own
        // At every turn the tables and the history showed the same publication (never a
        // slice the other had not been told of yet), and turns came during the burst.
        QVERIFY(turns.size() >= 2);
        for (const Seen &t : turns) {
            QCOMPARE(qint64(t.rows), t.history);
            QVERIFY2(
                t.rows == 0
                    || std::any_of(published.begin(), published.end(), [&](const Seen &p) { return p.rows == t.rows; }),
                qPrintable(QString::number(t.rows)));
        }
    }

    void streamIsAppliedOncePerUpdateIntervalButABacklogWithoutWaiting()
    {
        ManualSource source;
        NotificationModel model(&source);
        QCOMPARE(model.updateIntervalMs(), NotificationModel::kUpdateIntervalMs);
        NotificationModel lean(&source, NotificationModel::Mode::HistoryOnly);
        QCOMPARE(lean.updateIntervalMs(), 0); // nothing to repaint headless
        model.setUpdateIntervalMs(0);
        model.setSliceBudgetMs(0); // slices of kMinSliceRecords
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        QSignalSpy batches(&model, &NotificationModel::batchApplied);
        // From the first slice on the interval is an hour; the rest of the burst (a
        // backlog) must still come slice after slice without waiting.
        connect(&model, &NotificationModel::batchApplied, this, [&] { model.setUpdateIntervalMs(3'600'000); });
        const int N = 3 * int(NotificationModel::kMinSliceRecords) + 5;
        for (int i = 0; i < N; ++i)
            source.upsert(numberedRoute(i));
        QTRY_COMPARE(model.totalEvents(), qint64(N));
        QCOMPARE(batches.count(), 4);
        // Records that come now (no backlog, the last slice just ended) wait for the interval.
        source.upsert(numberedRoute(N));
        QTest::qWait(100);
        QCOMPARE(model.totalEvents(), qint64(N));
        QCOMPARE(batches.count(), 4);
        model.stop(); // applies them
        QCOMPARE(model.totalEvents(), qint64(N + 1));
        QCOMPARE(model.routes()->rowCount(), N + 1);
    }

    void historyOnlyModeKeepsTheSameHistory()
    {
        // A Full and a HistoryOnly model on the same source: the history-only one has no
        // tables, and the same events (records, interface names, counts) in its history,
        // although it never decodes route and address records.
        ManualSource source;
        source.upsert(iface(1, "lo"));
        source.upsert(iface(2, "eth0"));
        source.upsert(address(2, "10.0.0.2", 24));
        source.upsert(route("10.0.0.0", 24, nullptr, 2));
        source.upsert(route("10.9.0.0", 24, "10.0.0.1", 9)); // unknown interface: "if 9"
        NotificationModel full(&source);
        NotificationModel lean(&source, NotificationModel::Mode::HistoryOnly);
        QCOMPARE(full.mode(), NotificationModel::Mode::Full);
        QCOMPARE(lean.mode(), NotificationModel::Mode::HistoryOnly);
        QVERIFY(!lean.interfaces() && !lean.addresses() && !lean.routes() && !lean.entities());
        QVERIFY(!lean.eventLog() && !lean.timeline());
        QVERIFY(lean.history());
        QSignalSpy leanComplete(&lean, &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY(full.start(platform::afUnspec(), true, &error));
        QVERIFY(lean.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(full.isSnapshotComplete() && lean.isSnapshotComplete());
        QCOMPARE(leanComplete.count(), 1);
        QCOMPARE(lean.liveCount(ObjectKind::Interface), qint64(2));
        QCOMPARE(lean.liveCount(ObjectKind::Address), qint64(1));
        QCOMPARE(lean.liveCount(ObjectKind::Route), qint64(2));
        QCOMPARE(lean.liveCount(ObjectKind::Gap), qint64(0));

        source.upsert(iface(2, "wan0")); // renamed: later events say wan0
        source.upsert(route("10.1.0.0", 16, "10.0.0.1", 2));
        source.upsert(iface(9, "tun9")); // the unknown interface gets a name
        source.upsert(route("10.9.0.0", 24, "10.0.0.1", 9, 5));
        source.remove(route("10.0.0.0", 24, nullptr, 2));
        source.upsert(address(9, "10.9.0.1", 24));
        source.remove(iface(2, "wan0")); // gone: its index is "if 2" again
        source.upsert(route("10.2.0.0", 16, "10.0.0.1", 2));
        ChangeRecord gap;
        gap.object = ObjectKind::Gap;
        gap.change = ChangeKind::Gap;
        gap.timeUs = nowUs();
        gap.note = "ENOBUFS";
        source.deliver({gap});
        full.stop(); // applies everything
        lean.stop();

        const EventHistory &a = *full.history();
        const EventHistory &b = *lean.history();
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.size(), qint64(5 + 9));
        for (qint64 i = 0; i < a.size(); ++i) {
            std::string bytesA;
            std::string bytesB;
            eventcodec::encode(a.record(i), bytesA);
            eventcodec::encode(b.record(i), bytesB);
            QVERIFY2(bytesA == bytesB, qPrintable(QString::number(i)));
            QCOMPARE(b.ifName(i), a.ifName(i));
            if (i >= 5) // after the snapshot both got the same records (same times)
                QCOMPARE(b.timeUs(i), a.timeUs(i));
        }
        QStringList initialNames;
        QStringList laterNames;
        for (qint64 i = 0; i < b.size(); ++i)
            (i < 5 ? initialNames : laterNames) << b.ifName(i);
        initialNames.sort(); // the snapshot's order is the source's
        QCOMPARE(initialNames, (QStringList {u"eth0"_s, u"eth0"_s, u"eth0"_s, u"if 9"_s, u"lo"_s}));
        QCOMPARE(laterNames,
                 (QStringList {u"wan0"_s, u"wan0"_s, u"tun9"_s, u"tun9"_s, u"wan0"_s, u"tun9"_s, u"wan0"_s, u"if 2"_s,
                               QString()}));
        for (ObjectKind kind : {ObjectKind::Interface, ObjectKind::Address, ObjectKind::Route})
            QCOMPARE(lean.liveCount(kind), full.liveCount(kind));
        QCOMPARE(full.liveCount(ObjectKind::Interface), qint64(full.interfaces()->liveRowCount()));
        QCOMPARE(full.liveCount(ObjectKind::Address), qint64(full.addresses()->liveRowCount()));
        QCOMPARE(full.liveCount(ObjectKind::Route), qint64(full.routes()->liveRowCount()));
        QCOMPARE(lean.liveCount(ObjectKind::Interface), qint64(2));
        QCOMPARE(lean.liveCount(ObjectKind::Address), qint64(2));
        QCOMPARE(lean.liveCount(ObjectKind::Route), qint64(4)); // 2 + 3 added - 1 removed
        QCOMPARE(lean.totalEvents(), full.totalEvents());
        QCOMPARE(lean.gapCount(), qint64(1));
        QCOMPARE(full.gapCount(), qint64(1));
        QCOMPARE(lean.interfaceName(9), u"tun9"_s);
        QCOMPARE(lean.interfaceName(2), u"if 2"_s);
    }

    void stopAppliesWhatArrivedAndIsIdempotent()
    {
        ManualSource source;
        NotificationModel model(&source);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        source.upsert(iface(4, "eth4"));
        QCOMPARE(model.interfaces()->rowCount(), 0); // not applied yet
        QSignalSpy running(&model, &NotificationModel::runningChanged);
        model.stop();
        QCOMPARE(model.interfaces()->rowCount(), 1); // applied by stop()
        QVERIFY(model.isSnapshotComplete());
        QVERIFY(!model.isRunning());
        QCOMPARE(running.count(), 1);
        QCOMPARE(source.registrationCount(), std::size_t(0));
        model.stop(); // safe when not running
        QCOMPARE(running.count(), 1);
        source.upsert(iface(5, "eth5")); // after cancel: never reaches the model
        QTest::qWait(50);
        QCOMPARE(model.interfaces()->rowCount(), 1);
    }

    void historyOnlyHoldsTheSourceWhilePendingIsFull()
    {
        // A burst from the source's thread while the GUI thread is busy: in HistoryOnly mode
        // at most the bound waits for it (the source's thread is held meanwhile); nothing is
        // lost and the order is kept. Full mode is not bounded.
        ManualSource source;
        QCOMPARE(NotificationModel(&source).pendingLimit(), std::size_t(0));
        NotificationModel model(&source, NotificationModel::Mode::HistoryOnly);
        QCOMPARE(model.pendingLimit(), NotificationModel::kHistoryOnlyPendingRecords);
        constexpr std::size_t kLimit = 500;
        model.setPendingLimit(kLimit);
        model.setSliceBudgetMs(0); // slices of kMinSliceRecords
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        constexpr int N = 20000;
        std::atomic<int> pushed {0};
        std::thread pusher([&] {
            for (int i = 0; i < N; ++i) {
                source.upsert(numberedRoute(i)); // one record per delivery
                ++pushed;
            }
        });
        // GUI thread busy (no event loop): the pusher is held once kLimit records wait.
        for (int i = 0; i < 1000 && pushed.load() < int(kLimit); ++i)
            QThread::msleep(10);
        QThread::msleep(100);
        QCOMPARE(pushed.load(), int(kLimit));
        QCOMPARE(model.maxPendingRecords(), kLimit);
        QTRY_COMPARE_WITH_TIMEOUT(model.totalEvents(), qint64(N), 30000);
        pusher.join();
        QVERIFY2(model.maxPendingRecords() <= kLimit, qPrintable(QString::number(model.maxPendingRecords())));
        QCOMPARE(model.liveCount(ObjectKind::Route), qint64(N));
        const qint64 first = model.history()->size() - N;
        for (int i = 0; i < N; ++i)
            QCOMPARE(destinationIndex(model.history()->record(first + i)), i);
    }

    void stopLetsAHeldSourceGo()
    {
        // stop() while the source's thread is held in its callback: cancel() waits for that
        // callback, so stop() lets it go first; what it delivered is applied, in order.
        ManualSource source;
        NotificationModel model(&source, NotificationModel::Mode::HistoryOnly);
        constexpr std::size_t kLimit = 100;
        model.setPendingLimit(kLimit);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        const qint64 before = model.history()->size();
        std::atomic<int> pushed {0};
        std::thread pusher([&] {
            for (int i = 0; i < 1000; ++i) {
                source.upsert(numberedRoute(i));
                ++pushed;
            }
        });
        // Not QTRY: the event loop must not run (it would apply the pending records).
        for (int i = 0; i < 1000 && pushed.load() < int(kLimit); ++i)
            QThread::msleep(10);
        QThread::msleep(50); // held in the next delivery
        QCOMPARE(pushed.load(), int(kLimit));
        model.stop();
        pusher.join(); // the rest is pushed after the cancel: never delivered
        const qint64 got = model.history()->size() - before;
        // The held one, and any the pusher delivered before cancel() closed the source.
        QVERIFY2(got > qint64(kLimit) && got <= pushed.load(), qPrintable(QString::number(got)));
        for (qint64 i = 0; i < got; ++i)
            QCOMPARE(destinationIndex(model.history()->record(before + i)), int(i));
    }

    void destroyWhileRegisteredCancels()
    {
        ManualSource source;
        {
            NotificationModel model(&source);
            QString error;
            QVERIFY(model.start(platform::afUnspec(), true, &error));
            source.upsert(iface(4, "eth4")); // pending queued call to a model about to die
        }
        QCOMPARE(source.registrationCount(), std::size_t(0));
        QTest::qWait(20); // the queued call is dropped with the object
    }

    // Several namespaces (--netns all): each has its own ifindex 2; the tables show one
    // namespace, the history every one; a switch shows the other's rows whole, and what
    // came for it while hidden.
    void tablesShowOneOfSeveralNamespaces()
    {
        const std::uint32_t blue = NamespaceTable::intern({"nm-blue", 4026540001, 7});
        const std::uint32_t red = NamespaceTable::intern({"nm-red", 4026540002, 7});
        ManualSource source;
        NotificationModel model(&source);
        QAbstractItemModelTester routesTester(model.routes(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester ifTester(model.interfaces(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setUpdateIntervalMs(0);
        model.setSeveralNamespaces(true);
        QSignalSpy switched(&model, &NotificationModel::tablesNamespaceChanged);
        model.setNamespaceWatched(blue, true);
        model.setNamespaceWatched(red, true);
        QCOMPARE(model.watchedNamespaces(), (QList<quint32> {blue, red}));
        QCOMPARE(model.tablesNamespace(), blue); // the first watched
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        const auto add = [](std::uint32_t netns, Row row) {
            ChangeRecord r;
            r.object = objectKindOf(row);
            r.change = ChangeKind::Add;
            r.netns = netns;
            r.timeUs = nowUs();
            r.after = std::move(row);
            return r;
        };
        source.deliver({add(blue, iface(2, "blue0")), add(red, iface(2, "red0")),
                        add(blue, route("10.1.0.0", 16, nullptr, 2)), add(red, route("10.2.0.0", 16, nullptr, 2)),
                        add(red, route("10.3.0.0", 16, nullptr, 2))});
        QTRY_COMPARE(model.history()->size(), qint64(5));
        QCOMPARE(model.namespaceIds(), (QList<quint32> {blue, red}));
        const auto cell
            = [](const QAbstractItemModel *m, int row, int column) { return m->index(row, column).data().toString(); };
        QCOMPARE(model.interfaces()->rowCount(), 1);
        QCOMPARE(model.routes()->rowCount(), 1);
        QCOMPARE(cell(model.routes(), 0, RouteTableModel::Destination), u"10.1.0.0/16"_s);
        QCOMPARE(cell(model.routes(), 0, RouteTableModel::Interface), u"blue0"_s);
        QCOMPARE(model.liveCount(ObjectKind::Route), qint64(1));

        model.setTablesNamespace(red);
        QCOMPARE(switched.count(), 2); // blue at the first watch, then red
        QCOMPARE(model.interfaces()->rowCount(), 1);
        QCOMPARE(model.routes()->rowCount(), 2);
        QCOMPARE(cell(model.routes(), 0, RouteTableModel::Interface), u"red0"_s);
        QCOMPARE(model.liveCount(ObjectKind::Route), qint64(2));

        // blue changes while red is shown: not in red's tables, in blue's after the switch.
        source.deliver({add(blue, route("10.4.0.0", 16, nullptr, 2))});
        QTRY_COMPARE(model.history()->size(), qint64(6));
        QCOMPARE(model.routes()->rowCount(), 2);
        model.setTablesNamespace(blue);
        QCOMPARE(model.routes()->rowCount(), 2);
        QStringList destinations {cell(model.routes(), 0, RouteTableModel::Destination),
                                  cell(model.routes(), 1, RouteTableModel::Destination)};
        destinations.sort();
        QCOMPARE(destinations, (QStringList {u"10.1.0.0/16"_s, u"10.4.0.0/16"_s}));

        // The shown namespace goes: the first one left is shown.
        model.setNamespaceWatched(blue, false);
        QCOMPARE(model.tablesNamespace(), red);
        QCOMPARE(model.routes()->rowCount(), 2);
        QCOMPARE(model.watchedNamespaces(), QList<quint32> {red});
        model.stop();
    }

    // A large namespace is prepared on a worker: the tables are empty meanwhile, its
    // records that come then are held and applied after the swap, in order; another
    // namespace's records go to its kept state; a switch while one is prepared waits for
    // it; the model can go while one is prepared.
    void tablesSwitchOnAWorker()
    {
        const std::uint32_t blue = NamespaceTable::intern({"nm-wblue", 4026540011, 7});
        const std::uint32_t red = NamespaceTable::intern({"nm-wred", 4026540012, 7});
        ManualSource source;
        auto model = std::make_unique<NotificationModel>(&source);
        model->setUpdateIntervalMs(0);
        model->setSeveralNamespaces(true);
        model->setSwitchOnWorkerAbove(1000);
        QSignalSpy switching(model.get(), &NotificationModel::tablesNamespaceSwitching);
        QSignalSpy switched(model.get(), &NotificationModel::tablesNamespaceChanged);
        model->setNamespaceWatched(blue, true);
        model->setNamespaceWatched(red, true);
        QString error;
        QVERIFY(model->start(platform::afUnspec(), true, &error));
        const auto make = [](std::uint32_t netns, ChangeKind change, Row row) {
            ChangeRecord r;
            r.object = objectKindOf(row);
            r.change = change;
            r.netns = netns;
            r.timeUs = nowUs();
            (change == ChangeKind::Delete ? r.before : r.after) = std::move(row);
            return r;
        };
        // red: enough routes that preparing them takes a while (the records below come first).
        constexpr int kRed = 200000;
        std::vector<ChangeRecord> batch {make(blue, ChangeKind::Add, iface(2, "blue0")),
                                         make(red, ChangeKind::Add, iface(2, "red0")),
                                         make(blue, ChangeKind::Add, route("10.1.0.0", 16, nullptr, 2))};
        for (int i = 0; i < kRed; ++i)
            batch.push_back(make(red, ChangeKind::Add,
                                 route("20." + std::to_string(i >> 16) + '.' + std::to_string((i >> 8) & 255) + '.'
                                           + std::to_string(i & 255),
                                       32, nullptr, 2)));
        source.deliver(batch);
        QTRY_COMPARE_WITH_TIMEOUT(model->history()->size(), qint64(kRed + 3), 60000);
        QCOMPARE(model->tablesNamespace(), blue);
        QCOMPARE(model->routes()->rowCount(), 1);
        const int switchedBefore = int(switched.count());

        model->setTablesNamespace(red);
        QVERIFY(model->isSwitchingTables());
        QCOMPARE(switching.count(), 1);
        QCOMPARE(switching.constLast().constFirst().toUInt(), red);
        QCOMPARE(model->routes()->rowCount(), 0); // emptied, not blue's rows under red's names
        QCOMPARE(model->tablesNamespace(), red);
        // While it is prepared: red's changes are held, blue's go to blue's kept state.
        source.deliver({make(red, ChangeKind::Delete, route("20.0.0.0", 32, nullptr, 2)),
                        make(red, ChangeKind::Add, route("10.9.0.0", 16, nullptr, 2)),
                        make(blue, ChangeKind::Add, route("10.4.0.0", 16, nullptr, 2))});
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSwitchingTables(), 60000);
        QCOMPARE(switched.count(), switchedBefore + 1);
        QCOMPARE(switched.constLast().constFirst().toUInt(), red);
        QTRY_COMPARE(model->history()->size(), qint64(kRed + 6));
        // One deleted (its row stays, marked, until the marks are swept), one added.
        QCOMPARE(model->routes()->liveRowCount(), qint64(kRed));
        QCOMPARE(model->liveCount(ObjectKind::Route), qint64(kRed));
        bool sawAdded = false;
        for (int row = 0; row < model->routes()->rowCount() && !sawAdded; ++row)
            sawAdded = model->routes()->index(row, RouteTableModel::Destination).data().toString() == u"10.9.0.0/16"_s;
        QVERIFY(sawAdded);

        // Blue is small: at once, with the route that came while red was prepared.
        model->setTablesNamespace(blue);
        QVERIFY(!model->isSwitchingTables());
        QCOMPARE(model->routes()->liveRowCount(), qint64(2));
        // Red again, then blue before red's rows are ready: red's switch is waited for, then
        // blue shown; red's kept state still whole when shown after.
        model->setTablesNamespace(red);
        QVERIFY(model->isSwitchingTables());
        model->setTablesNamespace(blue);
        QVERIFY(!model->isSwitchingTables());
        QCOMPARE(model->routes()->liveRowCount(), qint64(2));
        model->setTablesNamespace(red);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isSwitchingTables(), 60000);
        QCOMPARE(model->routes()->liveRowCount(), qint64(kRed));
        // Gone while one is prepared: waits for the worker, nothing leaks or crashes.
        model->setTablesNamespace(blue);
        model->setTablesNamespace(red);
        QVERIFY(model->isSwitchingTables());
        model->stop();
        model.reset();
    }

private:
};

QTEST_GUILESS_MAIN(TestNotificationModel)
#include "tst_notificationmodel.moc"

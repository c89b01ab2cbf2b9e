// SPDX-License-Identifier: GPL-2.0-or-later
// TimelineBins: bucket counts per kind, bucket width vs maxPoints, markers ignored,
// one changed() per batch, the requester filter.
#include "model/history/timelinebins.h"
#include "platform/netnstable.h"
#include "platform/requester.h"

#include <QSignalSpy>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kT0 = 1'795'000'000'000'000; // aligned to 100 ms

ChangeRecord makeEvent(ObjectKind kind, qint64 timeUs, ChangeKind change = ChangeKind::Add)
{
    ChangeRecord r;
    r.object = kind;
    r.change = change;
    r.timeUs = timeUs;
    return r;
}

qint64 sumY(const QList<QPointF> &points)
{
    qint64 sum = 0;
    for (const QPointF &p : points)
        sum += qint64(p.y());
    return sum;
}
} // namespace

class TestTimelineBins : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bucketCounts()
    {
        TimelineBins bins;
        QSignalSpy changed(&bins, &TimelineBins::changed);
        std::vector<ChangeRecord> batch;
        // 3 routes in [0, 100 ms), 2 in [200, 300 ms), 1 address at 250 ms, a marker.
        for (qint64 t : {0, 10'000, 99'999, 200'000, 299'999})
            batch.push_back(makeEvent(ObjectKind::Route, kT0 + t));
        batch.push_back(makeEvent(ObjectKind::Address, kT0 + 250'000));
        batch.push_back(makeEvent(ObjectKind::None, kT0 + 250'000, ChangeKind::SnapshotComplete));
        batch.push_back(
            makeEvent(ObjectKind::Route, kT0 + 50'000, ChangeKind::Initial)); // a snapshot row: not a change
        bins.addBatch(batch);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(bins.total(), qint64(6));
        QCOMPARE(bins.firstUs(), kT0);
        QCOMPARE(bins.lastUs(), kT0 + 299'999);

        const QList<QPointF> routes = bins.series(ObjectKind::Route, kT0, kT0 + 299'999, 100);
        QCOMPARE(routes.size(), 3);
        QCOMPARE(routes.at(0), QPointF(double(kT0 / 1000), 3));
        QCOMPARE(routes.at(1), QPointF(double(kT0 / 1000 + 100), 0));
        QCOMPARE(routes.at(2), QPointF(double(kT0 / 1000 + 200), 2));
        const QList<QPointF> addrs = bins.series(ObjectKind::Address, kT0, kT0 + 299'999, 100);
        QCOMPARE(addrs.at(2).y(), 1.0);
        QCOMPARE(sumY(bins.series(ObjectKind::None, kT0, kT0 + 299'999, 100)), qint64(6));
        QCOMPARE(sumY(bins.series(ObjectKind::Interface, kT0, kT0 + 299'999, 100)), qint64(0));

        // Empty batch (only a marker): no signal.
        bins.addBatch(std::vector<ChangeRecord> {makeEvent(ObjectKind::None, kT0, ChangeKind::SnapshotComplete)});
        QCOMPARE(changed.count(), 1);
    }

    void maxPointsBound_data()
    {
        QTest::addColumn<qint64>("spanUs");
        QTest::addColumn<int>("maxPoints");
        QTest::newRow("1 s / 1000") << qint64(1'000'000) << 1000;
        QTest::newRow("1 min / 600") << qint64(60'000'000) << 600;
        QTest::newRow("1 h / 800") << qint64(3'600'000'000) << 800;
        QTest::newRow("1 h / 7") << qint64(3'600'000'000) << 7;
        QTest::newRow("1 h / 2") << qint64(3'600'000'000) << 2;
        QTest::newRow("1 h / 1") << qint64(3'600'000'000) << 1;
        QTest::newRow("unaligned 1234567 / 3") << qint64(1'234'567) << 3;
    }
    void maxPointsBound()
    {
        QFETCH(qint64, spanUs);
        QFETCH(int, maxPoints);
        TimelineBins bins;
        std::vector<ChangeRecord> batch;
        const int n = 5000;
        for (int i = 0; i < n; ++i)
            batch.push_back(makeEvent(ObjectKind::Route, kT0 + 37 + spanUs * i / n));
        bins.addBatch(batch);
        const QList<QPointF> points = bins.series(ObjectKind::Route, kT0 + 37, kT0 + 37 + spanUs, maxPoints);
        QVERIFY2(points.size() <= maxPoints, qPrintable(QString::number(points.size())));
        QVERIFY(!points.isEmpty());
        QCOMPARE(sumY(points), qint64(n)); // every event counted once
        for (int i = 1; i < points.size(); ++i)
            QVERIFY(points.at(i).x() > points.at(i - 1).x());
    }

    void outOfOrderAndEmpty()
    {
        TimelineBins bins;
        QVERIFY(bins.series(ObjectKind::Route, kT0, kT0 + 1000, 0).isEmpty());
        QVERIFY(bins.series(ObjectKind::Route, kT0 + 1000, kT0, 10).isEmpty());
        QCOMPARE(sumY(bins.series(ObjectKind::Route, kT0, kT0 + 1'000'000, 10)), qint64(0));
        bins.add(makeEvent(ObjectKind::Route, kT0 + 1'000'000));
        bins.add(makeEvent(ObjectKind::Interface, kT0)); // earlier: grows at the front
        bins.add(makeEvent(ObjectKind::Route, kT0 + 50'000));
        QCOMPARE(bins.firstUs(), kT0);
        const QList<QPointF> all = bins.series(ObjectKind::None, kT0, kT0 + 1'099'999, 11);
        QCOMPARE(all.size(), 11);
        QCOMPARE(all.at(0).y(), 2.0);
        QCOMPARE(all.at(10).y(), 1.0);
        QCOMPARE(bins.series(ObjectKind::Route, kT0, kT0 + 1'099'999, 11).at(0).y(), 1.0);
        QSignalSpy changed(&bins, &TimelineBins::changed);
        bins.clear();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(bins.total(), qint64(0));
    }

    void mergeEqualsAddingOneByOne()
    {
        // Counts made apart (a worker's passes, in two parts, the second partly earlier than
        // the first) merged in give what adding every event gives.
        const std::vector<ChangeRecord> first
            = {makeEvent(ObjectKind::Route, kT0 + 1'000'000), makeEvent(ObjectKind::Route, kT0 + 1'050'000),
               makeEvent(ObjectKind::Address, kT0 + 1'250'000),
               makeEvent(ObjectKind::Route, kT0 + 5, ChangeKind::Initial)};
        const std::vector<ChangeRecord> second
            = {makeEvent(ObjectKind::Interface, kT0 + 7), makeEvent(ObjectKind::Route, kT0 + 1'099'999),
               makeEvent(ObjectKind::Gap, kT0 + 2'000'001, ChangeKind::Gap)};
        TimelineBins direct;
        direct.addBatch(first);
        direct.addBatch(second);
        TimelineBins::Counts a, b;
        for (const ChangeRecord &r : first)
            a.add(r.object, r.change, r.timeUs);
        for (const ChangeRecord &r : second)
            b.add(r.object, r.change, r.timeUs);
        TimelineBins merged;
        QSignalSpy changed(&merged, &TimelineBins::changed);
        merged.merge(a);
        merged.merge(TimelineBins::Counts()); // nothing: no signal
        merged.merge(b);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(merged.total(), direct.total());
        QCOMPARE(merged.total(), qint64(6));
        QCOMPARE(merged.firstUs(), kT0 + 7);
        QCOMPARE(merged.lastUs(), kT0 + 2'000'001);
        for (const ObjectKind kind :
             {ObjectKind::None, ObjectKind::Interface, ObjectKind::Address, ObjectKind::Route, ObjectKind::Gap}) {
            QCOMPARE(merged.series(kind, kT0, kT0 + 2'099'999, 21), direct.series(kind, kT0, kT0 + 2'099'999, 21));
        }
    }

    // The requester filter: RequesterMatcher's rule, gaps kept, counts from then on, a
    // recount for an older filter ignored.
    void requesterFilter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QList<int>>("kept"); // indexes into the requesters below
        // 0 ip (4006), 1 NetworkManager (812), 2 exited 4100 without a name, 3 kernel,
        // 4 the cause "kernel (link d1 down)", 5 "resync after gap", 6 port 77, 7 pipewire (90)
        QTest::newRow("name") << u"ip"_s << QList<int> {0};
        QTest::newRow("name, other case") << u"networkmanager"_s << QList<int> {1};
        QTest::newRow("pid") << u"812"_s << QList<int> {1};
        QTest::newRow("by text") << u"4100 (exited)"_s << QList<int> {2};
        QTest::newRow("kernel and its causes") << u"kernel"_s << QList<int> {3, 4};
        QTest::newRow("cause") << u"resync after gap"_s << QList<int> {5};
        QTest::newRow("port") << u"port 77"_s << QList<int> {6};
        QTest::newRow("pattern") << u"*manager"_s << QList<int> {1};
        QTest::newRow("one character") << u"i?"_s << QList<int> {0};
        QTest::newRow("not a part") << u"pip"_s << QList<int> {};
        QTest::newRow("nobody") << u"tailscaled"_s << QList<int> {};
    }
    void requesterFilter()
    {
        QFETCH(QString, text);
        QFETCH(QList<int>, kept);
        const auto process = [](Requester::Kind kind, const char *command, int pid) {
            Requester r;
            r.kind = kind;
            r.command = command;
            r.pid = pid;
            r.portId = std::uint32_t(pid);
            return RequesterTable::intern(r);
        };
        const std::uint32_t ids[] = {process(Requester::Kind::Process, "ip", 4006),
                                     process(Requester::Kind::Process, "NetworkManager", 812),
                                     process(Requester::Kind::Exited, "", 4100),
                                     RequesterTable::kernel(),
                                     RequesterTable::cause("kernel (link d1 down)"),
                                     RequesterTable::cause("resync after gap"),
                                     RequesterTable::port(77),
                                     process(Requester::Kind::Process, "pipewire", 90)};
        TimelineBins bins;
        std::vector<ChangeRecord> batch;
        for (int i = 0; i < 8; ++i) {
            ChangeRecord r = makeEvent(ObjectKind::Route, kT0 + i * 100'000);
            r.requester = ids[i];
            batch.push_back(r);
        }
        batch.push_back(makeEvent(ObjectKind::Route, kT0 + 900'000)); // names nobody
        batch.push_back(makeEvent(ObjectKind::Gap, kT0 + 950'000, ChangeKind::Gap));
        bins.addBatch(batch);
        QCOMPARE(bins.total(), qint64(10));

        // Set after the events: the filtered counts are empty until recounted.
        QSignalSpy filterChanged(&bins, &TimelineBins::filterChanged);
        bins.setRequesterFilter(text);
        QCOMPARE(filterChanged.count(), 1);
        QCOMPARE(bins.total(), qint64(0));
        QCOMPARE(bins.totalUnfiltered(), qint64(10));
        TimelineBins::Counts recount;
        for (const ChangeRecord &r : batch) {
            if (bins.keeps(r.object, r.requester, r.netns))
                recount.add(r.object, r.change, r.timeUs);
        }
        bins.mergeFiltered(recount, bins.filterGeneration() - 1); // an older filter's
        QCOMPARE(bins.total(), qint64(0));
        bins.mergeFiltered(recount, bins.filterGeneration());
        QCOMPARE(bins.total(), qint64(kept.size() + 1)); // + the gap
        QCOMPARE(sumY(bins.series(ObjectKind::Route, kT0, kT0 + 999'999, 10)), qint64(kept.size()));
        for (int i = 0; i < 8; ++i) {
            const auto points = bins.series(ObjectKind::Route, kT0, kT0 + 999'999, 10);
            QCOMPARE(points.at(i).y(), kept.contains(i) ? 1.0 : 0.0);
        }
        QCOMPARE(sumY(bins.series(ObjectKind::Gap, kT0, kT0 + 999'999, 10)), qint64(1));

        // Added while it applies: counted in both.
        bins.addBatch(std::vector<ChangeRecord>(batch.begin(), batch.begin() + 8));
        QCOMPARE(bins.total(), qint64(2 * kept.size() + 1));
        QCOMPARE(bins.totalUnfiltered(), qint64(18));
        bins.setRequesterFilter(text + u"  "_s); // the same, trimmed: nothing
        QCOMPARE(filterChanged.count(), 1);
        bins.setRequesterFilter(QString());
        QCOMPARE(bins.total(), qint64(18));
    }
    // One namespace's changes, alone or with a requester filter; gaps of that namespace
    // only (a gap is one namespace's source losing events).
    void namespaceFilter()
    {
        const std::uint32_t blue = NamespaceTable::intern({"blue", 4026532901, 0});
        const std::uint32_t red = NamespaceTable::intern({"red", 4026532902, 0});
        const std::uint32_t ip = RequesterTable::cause("ip");
        TimelineBins bins;
        std::vector<ChangeRecord> batch;
        for (int i = 0; i < 6; ++i) {
            ChangeRecord r = makeEvent(ObjectKind::Route, kT0 + i * 100'000);
            r.netns = i % 3 == 0 ? blue : i % 3 == 1 ? red : 0; // blue 0, 3; red 1, 4; default 2, 5
            r.requester = i < 3 ? ip : 0;
            batch.push_back(r);
        }
        ChangeRecord gap = makeEvent(ObjectKind::Gap, kT0 + 700'000, ChangeKind::Gap);
        gap.netns = red;
        batch.push_back(gap);
        bins.addBatch(batch);
        QCOMPARE(bins.total(), qint64(7));
        QVERIFY(!bins.hasFilter());

        QSignalSpy filterChanged(&bins, &TimelineBins::filterChanged);
        bins.setNamespaceFilter(red);
        QCOMPARE(filterChanged.count(), 1);
        QVERIFY(bins.hasFilter());
        QCOMPARE(bins.namespaceFilter(), red);
        QCOMPARE(bins.total(), qint64(0)); // until recounted
        const auto recount = [&] {
            TimelineBins::Counts counts;
            for (const ChangeRecord &r : batch) {
                if (bins.keeps(r.object, r.requester, r.netns))
                    counts.add(r.object, r.change, r.timeUs);
            }
            bins.mergeFiltered(counts, bins.filterGeneration());
        };
        recount();
        QCOMPARE(bins.total(), qint64(3)); // routes 1 and 4, the gap
        QCOMPARE(sumY(bins.series(ObjectKind::Route, kT0, kT0 + 999'999, 10)), qint64(2));
        bins.setNamespaceFilter(blue);
        recount();
        QCOMPARE(bins.total(), qint64(2)); // routes 0 and 3; red's gap is not blue's
        // With a requester filter too: both must keep the event.
        bins.setRequesterFilter(u"ip"_s);
        QCOMPARE(filterChanged.count(), 3);
        recount();
        QCOMPARE(bins.total(), qint64(1)); // route 0
        bins.addBatch(std::span<const ChangeRecord>(batch.data(), 1)); // added while they apply
        QCOMPARE(bins.total(), qint64(2));
        bins.setNamespaceFilter(blue); // the same: nothing
        QCOMPARE(filterChanged.count(), 3);
        bins.setNamespaceFilter(0);
        bins.setRequesterFilter(QString());
        QVERIFY(!bins.hasFilter());
        QCOMPARE(bins.total(), qint64(8));
    }
};

QTEST_GUILESS_MAIN(TestTimelineBins)
#include "tst_timelinebins.moc"

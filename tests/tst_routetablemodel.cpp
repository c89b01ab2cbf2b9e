// SPDX-License-Identifier: GPL-2.0-or-later
// RouteTableModel through NotificationModel + ManualSource: ranged inserts, changes and
// removals under QAbstractItemModelTester (attached before any data), texts, marks; the
// compact row storage read back, sorted and filtered against the same rows in a vector,
// and a whole state swapped in.
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/routetablemodel.h"
#include "platform/diff.h"
#include "platform/packedrows.h"
#include "platform/rowfields.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"
#include "support/randomrows.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {

ChangeRecord addRecord(const RouteRow &row)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Add;
    r.family = row.family();
    r.after = row;
    return r;
}

ChangeRecord parameterRecord(const RouteRow &before, const RouteRow &after)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Parameter;
    r.family = after.family();
    r.before = before;
    r.after = after;
    r.changedFields = diff(before, after);
    return r;
}

ChangeRecord deleteRecord(const RouteRow &row)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Delete;
    r.family = row.family();
    r.before = row;
    return r;
}

// The cell text of a column for a row held outside the table (interfaces as "if N").
QString cellOf(const RouteRow &row, int column)
{
    const FieldInfo<RouteRow> &info = fieldInfos<RouteRow>[columnFields<RouteRow>[std::size_t(column)]];
    if (info.has(InterfaceIndexes)) {
        std::uint32_t ifs[16];
        const std::size_t n = std::min<std::size_t>(info.ifIndexes(row, ifs, 16), 16);
        QStringList names;
        for (std::size_t i = 0; i < n; ++i)
            if (ifs[i] != 0)
                names << QStringLiteral("if %1").arg(ifs[i]);
        return names.join(QStringLiteral(", "));
    }
    std::string text;
    (info.cell ? info.cell : info.text)(text, row);
    return QString::fromStdString(text);
}

// Sorting every column and filtering by a few needles through the proxy gives what the
// held rows give: the proxy's order never breaks the column's order (the description's
// compare, else the cell text), and the accepted rows are those with a cell containing
// the needle.
void checkSortAndFilter(RouteTableModel &routes, const std::vector<RouteRow> &held)
{
    for (int threshold : {0, 1'000'000}) {
        ChangeTableProxy proxy;
        proxy.setRankThreshold(threshold); // ranked (0) and compared row by row
        proxy.setSourceModel(&routes);
        for (int column = 0; column < RouteTableModel::ColumnCount; ++column) {
            proxy.sort(column);
            QCOMPARE(proxy.rowCount(), int(held.size()));
            const FieldInfo<RouteRow> &info = fieldInfos<RouteRow>[columnFields<RouteRow>[std::size_t(column)]];
            const bool byValue = info.compare && !info.has(SortByText) && !info.has(InterfaceIndexes);
            for (int row = 1; row < proxy.rowCount(); ++row) {
                const RouteRow &a = held[std::size_t(proxy.mapToSource(proxy.index(row - 1, 0)).row())];
                const RouteRow &b = held[std::size_t(proxy.mapToSource(proxy.index(row, 0)).row())];
                const int order = byValue ? info.compare(a, b)
                    : info.has(InterfaceIndexes)
                    ? QString::compare(cellOf(a, column), cellOf(b, column))
                    : cellOf(a, column).toStdString().compare(cellOf(b, column).toStdString());
                if (order > 0)
                    QFAIL(qPrintable(QStringLiteral("column %1 out of order at proxy row %2: %3 before %4")
                                         .arg(column)
                                         .arg(row)
                                         .arg(cellOf(a, column), cellOf(b, column))));
            }
        }
        for (const char *needle : {"2001:DB8:1", "192.0.2.2", "if 3", "static", "IPv6", "200", "zzz"}) {
            proxy.setFilterText(QString::fromLatin1(needle));
            std::set<int> expected;
            for (std::size_t i = 0; i < held.size(); ++i)
                for (int column = 0; column < RouteTableModel::ColumnCount; ++column)
                    if (cellOf(held[i], column).contains(QString::fromLatin1(needle), Qt::CaseInsensitive))
                        expected.insert(int(i));
            std::set<int> accepted;
            for (int row = 0; row < proxy.rowCount(); ++row)
                accepted.insert(proxy.mapToSource(proxy.index(row, 0)).row());
            if (accepted != expected)
                QFAIL(qPrintable(QStringLiteral("filter \"%1\": %2 rows accepted, %3 expected")
                                     .arg(QString::fromLatin1(needle))
                                     .arg(accepted.size())
                                     .arg(expected.size())));
        }
        proxy.setFilterText(QString());
    }
}

} // namespace

class TestRouteTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_source = std::make_unique<ManualSource>();
        m_model = std::make_unique<NotificationModel>(m_source.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model->routes(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
        m_source.reset();
    }

    void initialSnapshotIsOneRangedInsertWithoutMarks()
    {
        for (int i = 0; i < 50; ++i)
            m_source->upsert(numberedRoute(i));
        RouteTableModel *routes = m_model->routes();
        QSignalSpy inserted(routes, &QAbstractItemModel::rowsInserted);
        QSignalSpy complete(m_model.get(), &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY2(m_model->start(platform::afUnspec(), true, &error), qPrintable(error));
        QCOMPARE(routes->rowCount(), 0); // applied on the event loop, not inside the callback
        QTRY_COMPARE(complete.count(), 1);
        QCOMPARE(routes->rowCount(), 50);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 49);
        for (int row = 0; row < 50; ++row)
            QCOMPARE(routes->index(row, 0).data(ChangeStateRole).toInt(), int(ChangeNone));
    }

    void incrementalInsertsChangesAndRemovals()
    {
        RouteTableModel *routes = m_model->routes();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(m_model->isSnapshotComplete());

        // Three batches of inserts, each one ranged insert.
        QSignalSpy inserted(routes, &QAbstractItemModel::rowsInserted);
        for (int batch = 0; batch < 3; ++batch) {
            for (int i = 0; i < 10; ++i)
                m_source->upsert(numberedRoute(batch * 10 + i));
            QTRY_COMPARE(routes->rowCount(), (batch + 1) * 10);
        }
        QCOMPARE(inserted.count(), 3);
        QCOMPARE(inserted.at(1).at(1).toInt(), 10);
        QCOMPARE(inserted.at(1).at(2).toInt(), 19);
        QCOMPARE(routes->index(25, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));

        // Parameter changes of rows 12..17 in one batch: one merged dataChanged.
        QSignalSpy changed(routes, &QAbstractItemModel::dataChanged);
        for (int i = 12; i <= 17; ++i)
            m_source->upsert(numberedRoute(i, "192.0.2.99"), true); // as ip route replace
        QTRY_COMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 12);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 17);
        QCOMPARE(changed.at(0).at(1).toModelIndex().column(), RouteTableModel::ColumnCount - 1);
        QCOMPARE(routes->index(12, RouteTableModel::NextHops).data().toString(), QStringLiteral("192.0.2.99"));
        QCOMPARE(routes->index(12, 0).data(ChangeStateRole).toInt(), int(ChangeChanged));
        QVERIFY(routes->index(12, RouteTableModel::NextHops).data(ChangedColumnsRole).toBool());
        QVERIFY(!routes->index(12, RouteTableModel::Metric).data(ChangedColumnsRole).toBool());

        // Deletes: rows stay (state 3) until the sweep, then ranged removes.
        QSignalSpy removed(routes, &QAbstractItemModel::rowsRemoved);
        for (int i : {3, 4, 5, 20, 29})
            m_source->remove(numberedRoute(i));
        QTRY_COMPARE(routes->liveRowCount(), 25);
        QCOMPARE(routes->rowCount(), 30);
        QCOMPARE(routes->index(4, 0).data(ChangeStateRole).toInt(), int(ChangeDeleted));
        routes->sweep(routes->markClockMs() + kDeletedRowMs - 200); // too early: nothing goes
        QCOMPARE(removed.count(), 0);
        routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(routes->rowCount(), 25);
        QCOMPARE(removed.count(), 3); // 29, 20, 3..5
        QCOMPARE(removed.at(2).at(1).toInt(), 3);
        QCOMPARE(removed.at(2).at(2).toInt(), 5);

        // The index was rebuilt: a change to a row after the removed ones lands on it.
        m_source->upsert(numberedRoute(28, "192.0.2.77"), true); // as ip route replace
        QTRY_COMPARE(routes->index(routes->rowCount() - 1, RouteTableModel::NextHops).data().toString(),
                     QStringLiteral("192.0.2.77"));
        QVERIFY(routes->rowAt(routes->rowCount() - 1).destination == numberedRoute(28).destination);

        // Marks expire after ~1.5 s; the sweep clears them with dataChanged, and with none
        // marked the marks' storage goes back.
        QVERIFY(routes->markMemoryBytes() >= 25 * 8);
        routes->sweep(routes->markClockMs() + kChangeMarkMs + 100);
        for (int row = 0; row < routes->rowCount(); ++row)
            QCOMPARE(routes->index(row, 0).data(ChangeStateRole).toInt(), int(ChangeNone));
        QCOMPARE(routes->markMemoryBytes(), std::size_t(0));

        // The next change marks its row again (and only it); rows added after come marked
        // too, while the others stay unmarked.
        m_source->upsert(numberedRoute(7, "192.0.2.55"), true);
        m_source->upsert(numberedRoute(100));
        QTRY_COMPARE(routes->rowCount(), 26);
        QVERIFY(routes->markMemoryBytes() >= 26 * 8);
        for (int row = 0; row < routes->rowCount(); ++row) {
            const bool seven = routes->rowAt(row).destination == numberedRoute(7).destination;
            const bool added = routes->rowAt(row).destination == numberedRoute(100).destination;
            QCOMPARE(routes->index(row, 0).data(ChangeStateRole).toInt(),
                     int(seven       ? ChangeChanged
                             : added ? ChangeAdded
                                     : ChangeNone));
        }
        // A delete right after the storage went back: the row is marked deleted, then removed.
        routes->sweep(routes->markClockMs() + kChangeMarkMs + 100);
        QCOMPARE(routes->markMemoryBytes(), std::size_t(0));
        m_source->remove(numberedRoute(100));
        QTRY_COMPARE(routes->liveRowCount(), 25);
        QCOMPARE(routes->rowCount(), 26);
        routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(routes->rowCount(), 25);
        QCOMPARE(routes->markMemoryBytes(), std::size_t(0));
    }

    void sweepEndsAnOpenBatchFirst()
    {
        // The model publishes a burst's slices once per update interval, so the mark sweep
        // can find rows applied but not yet published: they are published before any row
        // is removed, or the removal would renumber rows their signals still name.
        RouteTableModel *routes = m_model->routes();
        for (int i = 0; i < 10; ++i)
            routes->apply(addRecord(numberedRoute(i)));
        routes->endBatch();
        routes->apply(deleteRecord(numberedRoute(2)));
        routes->apply(deleteRecord(numberedRoute(3)));
        routes->endBatch();
        QCOMPARE(routes->rowCount(), 10);
        // The open batch: two new rows and a change to a row after the deleted ones.
        routes->apply(addRecord(numberedRoute(10)));
        routes->apply(addRecord(numberedRoute(11)));
        routes->apply(parameterRecord(numberedRoute(8), numberedRoute(8, "192.0.2.88")));
        QCOMPARE(routes->rowCount(), 10); // not published yet
        QStringList changedGateways; // the next hop of each changed row when its signal came
        connect(routes, &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &from, const QModelIndex &to) {
            for (int row = from.row(); row <= to.row(); ++row)
                changedGateways << routes->index(row, RouteTableModel::NextHops).data().toString();
        });
        QSignalSpy inserted(routes, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(routes, &QAbstractItemModel::rowsRemoved);
        routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(routes->rowCount(), 10); // 12 published, 2 removed
        QVERIFY2(changedGateways.contains(QStringLiteral("192.0.2.88")), qPrintable(changedGateways.join(u',')));
        const int row8 = routes->indexOf(numberedRoute(8, "192.0.2.88"));
        QCOMPARE(row8, 6);
        QCOMPARE(routes->index(row8, RouteTableModel::NextHops).data().toString(), QStringLiteral("192.0.2.88"));
        QCOMPARE(routes->indexOf(numberedRoute(11)), 9);
        QCOMPARE(routes->indexOf(numberedRoute(3)), -1);
    }

    void timerSweepWaitsForTheOpenBatch()
    {
        // The owner publishes a batch with its history; the timer's sweep must not publish
        // the table alone meanwhile (the event log would lag behind the tables).
        RouteTableModel *routes = m_model->routes();
        for (int i = 0; i < 10; ++i)
            routes->apply(addRecord(numberedRoute(i)));
        routes->endBatch(); // marks set: the sweep timer runs
        routes->apply(deleteRecord(numberedRoute(2)));
        routes->endBatch();
        routes->apply(addRecord(numberedRoute(10))); // the open batch
        QVERIFY(routes->batchOpen());
        QSignalSpy inserted(routes, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(routes, &QAbstractItemModel::rowsRemoved);
        QTest::qWait(kDeletedRowMs + 600); // the deleted row's time is up, several ticks pass
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(routes->rowCount(), 10);
        QVERIFY(routes->batchOpen());
        routes->endBatch();
        QCOMPARE(routes->rowCount(), 11);
        QTRY_COMPARE_WITH_TIMEOUT(removed.count(), 1, 2000); // the next tick sweeps
        QCOMPARE(routes->rowCount(), 10);
        QCOMPARE(routes->indexOf(numberedRoute(2)), -1);
        QCOMPARE(routes->indexOf(numberedRoute(10)), 9);
    }

    void deletedThenReaddedBeforeSweepStays()
    {
        RouteTableModel *routes = m_model->routes();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        m_source->upsert(numberedRoute(1));
        QTRY_COMPARE(routes->rowCount(), 1);
        m_source->remove(numberedRoute(1));
        m_source->upsert(numberedRoute(1)); // the same route again: the greyed row comes back
        QTRY_COMPARE(m_model->totalEvents(), qint64(3));
        QCOMPARE(routes->rowCount(), 1);
        QCOMPARE(routes->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));
        routes->sweep(routes->markClockMs() + 5000);
        QCOMPARE(routes->rowCount(), 1);

        // Another next hop is another route (ip route append; fe80::/64 per device): the
        // deleted one stays greyed until the sweep, next to the new one.
        m_source->remove(numberedRoute(1));
        m_source->upsert(numberedRoute(1, "192.0.2.5"));
        QTRY_COMPARE(m_model->totalEvents(), qint64(5));
        QCOMPARE(routes->rowCount(), 2);
        QCOMPARE(routes->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeDeleted));
        QCOMPARE(routes->index(1, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));
        routes->sweep(routes->markClockMs() + 5000);
        QCOMPARE(routes->rowCount(), 1);
        QVERIFY(routes->rowAt(0).nextHops.front().gateway == IpAddress::parse("192.0.2.5"));
    }

    void realTimerSweepsDeletedRows()
    {
        RouteTableModel *routes = m_model->routes();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        m_source->upsert(numberedRoute(1));
        m_source->upsert(numberedRoute(2));
        QTRY_COMPARE(routes->rowCount(), 2);
        m_source->remove(numberedRoute(1));
        QTRY_COMPARE(routes->liveRowCount(), 1);
        QCOMPARE(routes->rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(routes->rowCount(), 1, 3000);
        QVERIFY(routes->rowAt(0).destination == numberedRoute(2).destination);
    }

    // Removing rows renumbers only the rows after the first removed one: only their keys
    // are hashed again (not the whole table), and every row is still found by its key
    // afterwards, so later changes and deletes land on the right rows.
    void sweepReindexesOnlyRowsAfterTheFirstRemoved()
    {
        constexpr int n = 1000;
        for (int i = 0; i < n; ++i)
            m_source->upsert(numberedRoute(i));
        RouteTableModel *routes = m_model->routes();
        QString error;
        QVERIFY2(m_model->start(afUnspec(), true, &error), qPrintable(error));
        QTRY_COMPARE(routes->rowCount(), n);

        // Three ranges near the end, removed in one sweep.
        for (int i : {900, 901, 950, 990, 991, 992})
            m_source->remove(numberedRoute(i));
        QTRY_COMPARE(routes->liveRowCount(), n - 6);
        const quint64 before = routes->reindexedKeyCount();
        routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(routes->rowCount(), n - 6);
        // Rows 902..999 less the four removed among them: 94 keys, not 994.
        QCOMPARE(routes->reindexedKeyCount() - before, quint64(n - 6 - 900));
        for (int row = 0; row < routes->rowCount(); ++row)
            QCOMPARE(routes->indexOf(routes->rowAt(row)), row);
        for (int i : {900, 901, 950, 990, 991, 992})
            QCOMPARE(routes->indexOf(numberedRoute(i)), -1);

        // A change and a delete after the removed rows, and an add, land where they should.
        m_source->upsert(numberedRoute(951, "192.0.2.77"), true); // as ip route replace
        m_source->remove(numberedRoute(999));
        m_source->upsert(numberedRoute(2000));
        QTRY_COMPARE(routes->rowCount(), n - 5);
        const int changed = routes->indexOf(numberedRoute(951, "192.0.2.77")); // the next hop is in the key
        QCOMPARE(changed, 951 - 3); // 900, 901 and 950 went
        QCOMPARE(routes->index(changed, RouteTableModel::NextHops).data().toString(), QStringLiteral("192.0.2.77"));
        QCOMPARE(routes->changeState(routes->indexOf(numberedRoute(999))), ChangeDeleted);
        QCOMPARE(routes->indexOf(numberedRoute(2000)), n - 6);

        // A removal at the very start renumbers every row (all keys, as it must).
        m_source->remove(numberedRoute(0));
        QTRY_COMPARE(routes->changeState(0), ChangeDeleted);
        const quint64 beforeFirst = routes->reindexedKeyCount();
        routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(routes->rowCount(), n - 7);
        QCOMPARE(routes->reindexedKeyCount() - beforeFirst, quint64(n - 7));
        for (int row = 0; row < routes->rowCount(); ++row)
            QCOMPARE(routes->indexOf(routes->rowAt(row)), row);
    }

    // Scattered removals (many ranges per sweep) mixed with adds, round after round: every
    // row is found by its key afterwards and no removed route is.
    void indexSurvivesScatteredRemovals()
    {
        RouteTableModel *routes = m_model->routes();
        QString error;
        QVERIFY2(m_model->start(afUnspec(), true, &error), qPrintable(error));
        std::mt19937 random(7);
        std::set<int> held;
        int next = 0;
        for (int round = 0; round < 4; ++round) {
            for (int k = 0; k < 150; ++k) {
                m_source->upsert(numberedRoute(next));
                held.insert(next++);
            }
            std::vector<int> gone;
            std::sample(held.begin(), held.end(), std::back_inserter(gone), 60, random);
            for (int i : gone) {
                m_source->remove(numberedRoute(i));
                held.erase(i);
            }
            QTRY_COMPARE(routes->liveRowCount(), int(held.size()));
            routes->sweep(routes->markClockMs() + kDeletedRowMs + 100);
            QCOMPARE(routes->rowCount(), int(held.size()));
            for (int row = 0; row < routes->rowCount(); ++row)
                QCOMPARE(routes->indexOf(routes->rowAt(row)), row);
            for (int i : gone)
                QCOMPARE(routes->indexOf(numberedRoute(i)), -1);
        }
    }

    // The rows are stored in their compact form: every row reads back as applied (IPv4 and
    // IPv6, multipath, changes that alter a row's encoded length, deleted rows still shown
    // with their last state), and sorting and filtering through the proxy agree with the
    // same rows held in a plain vector (by the description's compare and cell texts).
    void packedRowsReadSortAndFilterAsApplied()
    {
        RouteTableModel routes;
        QAbstractItemModelTester tester(&routes, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::mt19937 random(11);
        std::vector<RouteRow> held;
        const char *gateways[] = {"192.0.2.1", "9.9.9.9", nullptr, "fe80::1", "2001:db8::9"};
        for (int i = 0; i < 600; ++i) {
            RouteRow r = i % 3 == 0
                ? route("2001:db8:" + std::to_string(i) + "::", 64, gateways[i % 5], 1 + i % 4, random() % 2000)
                : numberedRoute(i, gateways[i % 5], random() % 300);
            r.protocol = std::uint32_t(random() % 20);
            if (i % 7 == 0) { // multipath
                NextHop second;
                second.gateway = IpAddress::parse(i % 2 ? "192.0.2.200" : "fe80::2");
                second.ifIndex = 5;
                r.nextHops.push_back(second);
            }
            if (i % 11 == 0)
                r.expiresUs = 1'000'000 + qint64(i);
            held.push_back(r);
            routes.apply(addRecord(r));
            if (i % 97 == 96)
                routes.endBatch();
        }
        routes.endBatch();
        QCOMPARE(routes.rowCount(), int(held.size()));
        // Changes: some keep their length, some grow (another next hop, a longer expiry).
        for (std::size_t i = 0; i < held.size(); i += 5) {
            RouteRow after = held[i];
            after.prefSrc = IpAddress::parse(i % 2 ? "10.1.2.3" : "2001:db8::1");
            after.protocol = 200;
            if (after.nextHops.size() > 1)
                after.nextHops.push_back(after.nextHops.back());
            ChangeRecord change = parameterRecord(held[i], after);
            held[i] = after;
            routes.apply(change);
        }
        routes.endBatch();
        // Deleted rows stay (marked, with their last state) until the sweep.
        std::vector<std::size_t> deleted;
        for (std::size_t i = 4; i < held.size(); i += 9) {
            routes.apply(deleteRecord(held[i]));
            deleted.push_back(i);
        }
        routes.endBatch();
        QCOMPARE(routes.liveRowCount(), int(held.size() - deleted.size()));
        for (std::size_t i = 0; i < held.size(); ++i) {
            QCOMPARE(QString::fromStdString(firstDifference(routes.rowAt(int(i)), held[i])), QString());
            const bool gone = std::find(deleted.begin(), deleted.end(), i) != deleted.end();
            QCOMPARE(routes.changeState(int(i)), gone ? ChangeDeleted : i % 5 == 0 ? ChangeChanged : ChangeAdded);
            QCOMPARE(routes.indexOf(held[i]), int(i));
        }
        checkSortAndFilter(routes, held);

        routes.sweep(routes.markClockMs() + kDeletedRowMs + 100);
        for (auto it = deleted.rbegin(); it != deleted.rend(); ++it)
            held.erase(held.begin() + std::ptrdiff_t(*it));
        QCOMPARE(routes.rowCount(), int(held.size()));
        for (std::size_t i = 0; i < held.size(); ++i) {
            QCOMPARE(QString::fromStdString(firstDifference(routes.rowAt(int(i)), held[i])), QString());
            QCOMPARE(routes.indexOf(held[i]), int(i));
        }
        checkSortAndFilter(routes, held);
        QVERIFY(routes.rowMemoryBytes() > 0);
    }

    // The filter scan (fields located in the compact bytes, only those a column reads
    // decoded, answers reused while their bytes repeat) accepts exactly the rows with a
    // decoded cell containing the needle, ignoring case: random rows (IPv6, no family,
    // Windows protocol numbers, no or many next hops, empty fields), runs of rows that
    // share every field but the destination, and many needles (cell pieces in mixed case).
    void filterScanMatchesDecodedCells()
    {
        RouteTableModel routes;
        Random g(21);
        for (int i = 0; i < 4000; ++i) {
            RouteRow r = randomRow<RouteRow>(g);
            if (i % 3 == 1) { // IPv4 destinations with short octets ("10.0.0.0/8", "1.1.10.0/24")
                r.destination = IpAddress::v4(std::uint8_t(g() % 12), std::uint8_t(g() % 3 ? g() % 12 : g()),
                                              std::uint8_t(g() % 12), std::uint8_t(g() % 2 ? 0 : g()));
                r.prefixLength = std::uint8_t(i % 6 == 1 ? g() % 33 : g());
            }
            if (i == 4)
                r.destination = IpAddress::v4(10, 0, 0, 0), r.prefixLength = 8;
            if (i % 4 != 0 && routes.rowCount() > 0) { // the row before, another destination
                RouteRow before = routes.rowAt(routes.rowCount() - 1);
                before.destination = r.destination;
                before.prefixLength = r.prefixLength;
                r = before;
            }
            if (i % 5 == 0) {
                r.protocolSpace = ProtocolSpace::MibIpProto;
                r.protocol = std::uint32_t(g() % 20);
            }
            if (i % 7 == 0)
                r.nextHops.clear();
            r.expiresUs = i % 3 == 0 ? 0 : 1 + std::int64_t(g() % 1000); // no countdown moves meanwhile
            routes.apply(addRecord(r));
            if (i % 500 == 499)
                routes.endBatch();
        }
        routes.endBatch();
        std::vector<QStringList> cells(std::size_t(routes.rowCount()));
        for (int i = 0; i < routes.rowCount(); ++i)
            for (int column = 0; column < RouteTableModel::ColumnCount; ++column)
                cells[std::size_t(i)].push_back(cellOf(routes.rowAt(i), column));
        QStringList needles
            = {QStringLiteral("20.0.1"), QStringLiteral("2"),       QStringLiteral("IPV6"), QStringLiteral("ipv4"),
               QStringLiteral("static"), QStringLiteral("NETMGMT"), QStringLiteral("main"), QStringLiteral("::"),
               QStringLiteral("if 1"),   QStringLiteral(", "),      QStringLiteral("s"),    QStringLiteral("zzz"),
               QStringLiteral("\u00fc"), QStringLiteral("unicast"), QStringLiteral("high")};
        // Destinations (IPv4 cells are written from the compact bytes): single characters,
        // octet and prefix edges, needles of 8 bytes and longer, longer than any IPv4 cell.
        needles << QStringLiteral("0") << QStringLiteral(".") << QStringLiteral("/") << QStringLiteral("1.1")
                << QStringLiteral("/3") << QStringLiteral("25") << QStringLiteral("255.")
                << QStringLiteral("10.0.0.0/8") << QStringLiteral("0.0.0/8") << QStringLiteral("10.0.0.0")
                << QStringLiteral(".0/") << QStringLiteral("/8") << QStringLiteral("/255") << QStringLiteral("0/0")
                << QStringLiteral("10.0.0.0/8 ") << QStringLiteral("255.255.255.255/255")
                << QStringLiteral("1.1.1.1.1.1.1.1.1.1.1") << QStringLiteral("A") << QStringLiteral("FE80:")
                << QStringLiteral(":0/") << QStringLiteral("/12");
        for (int k = 0; k < 300; ++k) {
            const QString &cell = cells[std::size_t(g() % cells.size())][qsizetype(g() % RouteTableModel::ColumnCount)];
            if (cell.isEmpty())
                continue;
            const qsizetype at = qsizetype(g() % std::uint64_t(cell.size()));
            QString needle = cell.mid(at, 1 + qsizetype(g() % 6));
            if (k % 2)
                needle = needle.toUpper();
            needles << needle;
        }
        quint64 generation = quint64(1) << 40;
        for (const QString &text : std::as_const(needles)) {
            ChangeTableModel::Needle needle;
            needle.text = text;
            needle.lowerUtf8 = text.toLower().toStdString();
            needle.generation = ++generation;
            for (int i = 0; i < routes.rowCount(); ++i) {
                bool expected = false;
                for (const QString &cell : cells[std::size_t(i)])
                    expected = expected || cell.contains(text, Qt::CaseInsensitive);
                if (routes.rowContains(i, needle) != expected)
                    QFAIL(qPrintable(QStringLiteral("needle \"%1\", row %2 (%3): scan %4")
                                         .arg(text)
                                         .arg(i)
                                         .arg(cells[std::size_t(i)].join(QStringLiteral(" | ")))
                                         .arg(expected ? QStringLiteral("rejects") : QStringLiteral("accepts"))));
            }
        }
    }

    // A whole state swapped in (as time travel shows the tables at a past moment): one
    // model reset, the new rows without marks and found by their keys, updates land on
    // them, and the previous rows come back out unchanged.
    void swapRowsShowsAnotherState()
    {
        RouteTableModel routes;
        QAbstractItemModelTester tester(&routes, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 300; ++i)
            routes.apply(addRecord(numberedRoute(i)));
        routes.endBatch();
        platform::PackedRows<RouteRow> past;
        for (int i = 1000; i < 1050; ++i)
            past.push_back(numberedRoute(i, "192.0.2.9"));
        QSignalSpy reset(&routes, &QAbstractItemModel::modelReset);
        routes.swapRows(past);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(routes.rowCount(), 50);
        QCOMPARE(routes.liveRowCount(), 50);
        QCOMPARE(past.size(), std::size_t(300));
        for (int row = 0; row < 50; ++row) {
            QCOMPARE(routes.changeState(row), ChangeNone);
            QCOMPARE(routes.indexOf(numberedRoute(1000 + row, "192.0.2.9")), row);
        }
        QCOMPARE(routes.indexOf(numberedRoute(0)), -1);
        routes.apply(deleteRecord(numberedRoute(1010, "192.0.2.9")));
        routes.endBatch();
        QCOMPARE(routes.changeState(10), ChangeDeleted);
        routes.swapRows(past);
        QCOMPARE(routes.rowCount(), 300);
        for (int row = 0; row < 300; ++row)
            QCOMPARE(QString::fromStdString(firstDifference(routes.rowAt(row), numberedRoute(row))), QString());
        QCOMPARE(routes.indexOf(numberedRoute(299)), 299);
    }

    void texts_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::newRow("family") << int(RouteTableModel::Family) << QStringLiteral("IPv6");
        QTest::newRow("destination") << int(RouteTableModel::Destination) << QStringLiteral("2001:db8::/32");
        QTest::newRow("nexthops") << int(RouteTableModel::NextHops) << QStringLiteral("fe80::1, fe80::2");
        QTest::newRow("interface") << int(RouteTableModel::Interface) << QStringLiteral("eth0, wlan0");
        QTest::newRow("metric") << int(RouteTableModel::Metric) << QStringLiteral("1024");
        QTest::newRow("table") << int(RouteTableModel::Table) << QStringLiteral("main");
        QTest::newRow("protocol") << int(RouteTableModel::Protocol) << QStringLiteral("static");
        QTest::newRow("scope") << int(RouteTableModel::Scope) << QStringLiteral("universe");
        QTest::newRow("type") << int(RouteTableModel::Type) << QStringLiteral("unicast");
        QTest::newRow("prefsrc") << int(RouteTableModel::PrefSrc) << QStringLiteral("2001:db8::5");
    }
    void texts()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        m_source->upsert(iface(2, "eth0"));
        m_source->upsert(iface(3, "wlan0"));
        RouteRow r = route("2001:db8::", 32, "fe80::1", 2, 1024);
        NextHop second;
        second.gateway = IpAddress::parse("fe80::2");
        second.ifIndex = 3;
        r.nextHops.push_back(second);
        r.prefSrc = IpAddress::parse("2001:db8::5");
        m_source->upsert(r);
        QString error;
        QVERIFY(m_model->start(platform::afInet6(), true, &error));
        QTRY_COMPARE(m_model->routes()->rowCount(), 1);
        QCOMPARE(m_model->routes()->index(0, column).data().toString(), text);
        QCOMPARE(m_model->routes()->headerData(column, Qt::Horizontal).toString().isEmpty(), false);
    }

    void sortRoleIsRaw()
    {
        m_source->upsert(numberedRoute(1, "192.0.2.1", 100));
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        QTRY_COMPARE(m_model->routes()->rowCount(), 1);
        const QVariant metric = m_model->routes()->index(0, RouteTableModel::Metric).data(SortRole);
        QCOMPARE(metric.typeId(), QMetaType::LongLong);
        QCOMPARE(metric.toLongLong(), 100);
    }

    // RTA_PREF: its own column ("Pref"), filterable and sortable like the other names; a
    // change of it alone is a parameter change that marks that column.
    void preferenceColumn()
    {
        RouteRow high = route("2001:db8:1::", 64, nullptr, 1, 1024);
        high.pref = 1; // ICMPV6_ROUTER_PREF_HIGH
        RouteRow low = route("2001:db8:2::", 64, nullptr, 1, 1024);
        low.pref = 3; // ICMPV6_ROUTER_PREF_LOW
        m_source->upsert(high);
        m_source->upsert(low);
        m_source->upsert(numberedRoute(1)); // IPv4: no preference
        QString error;
        QVERIFY(m_model->start(afUnspec(), true, &error));
        QTRY_COMPARE(m_model->routes()->rowCount(), 3);
        RouteTableModel *routes = m_model->routes();
        int column = -1;
        for (int c = 0; c < routes->columnCount(); ++c)
            if (routes->headerData(c, Qt::Horizontal).toString() == QStringLiteral("Pref"))
                column = c;
        QVERIFY(column >= 0);
        QVERIFY(routes->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().startsWith(u"RTA_PREF"));
        QStringList texts;
        for (int row = 0; row < routes->rowCount(); ++row)
            texts << routes->index(row, column).data().toString();
        QCOMPARE(texts, (QStringList {QStringLiteral("high"), QStringLiteral("low"), QString()}));

        ChangeTableProxy proxy;
        proxy.setSourceModel(routes);
        proxy.setFilterText(QStringLiteral("HIGH"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setFilterText(QString());
        proxy.sort(column);
        QCOMPARE(proxy.index(0, column).data().toString(), QString());
        QCOMPARE(proxy.index(1, column).data().toString(), QStringLiteral("high"));

        high.pref = 0; // medium
        m_source->upsert(high, true);
        QTRY_COMPARE(routes->index(0, column).data().toString(), QStringLiteral("medium"));
        QCOMPARE(routes->changeState(0), ChangeChanged);
        QVERIFY(routes->index(0, column).data(ChangedColumnsRole).toBool());
        QVERIFY(!routes->index(0, RouteTableModel::Metric).data(ChangedColumnsRole).toBool());
        const ChangeRecord last = m_model->history()->record(m_model->history()->size() - 1);
        QCOMPARE(last.changedFields, fieldBit<RouteRow>("pref"));
        QCOMPARE(QString::fromStdString(details(last)), QStringLiteral("pref high -> medium"));
    }

    void familyFilterAndRestartResets()
    {
        m_source->upsert(numberedRoute(1));
        m_source->upsert(route("2001:db8::", 32, nullptr, 1));
        QString error;
        QVERIFY(m_model->start(platform::afInet(), true, &error));
        QTRY_VERIFY(m_model->isSnapshotComplete());
        QCOMPARE(m_model->routes()->rowCount(), 1);
        QSignalSpy reset(m_model->routes(), &QAbstractItemModel::modelReset);
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        QCOMPARE(reset.count(), 1);
        QTRY_VERIFY(m_model->isSnapshotComplete());
        QCOMPARE(m_model->routes()->rowCount(), 2);
        QCOMPARE(m_model->history()->size(), qint64(3)); // history kept across restarts
    }

private:
    std::unique_ptr<ManualSource> m_source;
    std::unique_ptr<NotificationModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_GUILESS_MAIN(TestRouteTableModel)
#include "tst_routetablemodel.moc"

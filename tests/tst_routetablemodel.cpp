// SPDX-License-Identifier: GPL-2.0-or-later
// RouteTableModel through NotificationModel + ManualSource: ranged inserts, changes and
// removals under QAbstractItemModelTester (attached before any data), texts, marks.
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/routetablemodel.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

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

        // Marks expire after ~1.5 s; the sweep clears them with dataChanged.
        routes->sweep(routes->markClockMs() + kChangeMarkMs + 100);
        for (int row = 0; row < routes->rowCount(); ++row)
            QCOMPARE(routes->index(row, 0).data(ChangeStateRole).toInt(), int(ChangeNone));
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

// SPDX-License-Identifier: GPL-2.0-or-later
// InterfaceTableModel through NotificationModel + ManualSource, QAbstractItemModelTester
// attached before data: inserts, renames (and the Interface columns elsewhere), removals.
#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

class TestInterfaceTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_source = std::make_unique<ManualSource>();
        m_model = std::make_unique<NotificationModel>(m_source.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model->interfaces(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
        m_source.reset();
    }

    void texts_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("header");
        QTest::newRow("ifindex") << int(InterfaceTableModel::IfIndex) << QStringLiteral("7")
                                 << QStringLiteral("ifindex");
        QTest::newRow("name") << int(InterfaceTableModel::Name) << QStringLiteral("veth0") << QStringLiteral("Name");
        QTest::newRow("alias") << int(InterfaceTableModel::Alias) << QStringLiteral("Wohnzimmer-Brücke ünd 日本")
                               << QStringLiteral("Alias");
        QTest::newRow("kind") << int(InterfaceTableModel::Kind) << QStringLiteral("veth") << QStringLiteral("Kind");
        QTest::newRow("operstate") << int(InterfaceTableModel::OperState) << QStringLiteral("up")
                                   << QStringLiteral("Operstate");
        QTest::newRow("admin") << int(InterfaceTableModel::AdminUp) << QStringLiteral("up") << QStringLiteral("Admin");
        QTest::newRow("carrier") << int(InterfaceTableModel::Carrier) << QStringLiteral("yes")
                                 << QStringLiteral("Carrier");
        QTest::newRow("mtu") << int(InterfaceTableModel::Mtu) << QStringLiteral("9000") << QStringLiteral("MTU");
        QTest::newRow("mac") << int(InterfaceTableModel::Mac) << QStringLiteral("02:00:00:00:00:07")
                             << QStringLiteral("MAC");
        QTest::newRow("master") << int(InterfaceTableModel::Master) << QStringLiteral("br0")
                                << QStringLiteral("Master");
    }
    void texts()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        QFETCH(QString, header);
        m_source->upsert(iface(3, "br0"));
        InterfaceRow row = iface(7, "veth0", 9000);
        row.alias = "Wohnzimmer-Brücke ünd 日本";
        row.masterIndex = 3;
        m_source->upsert(row);
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        QTRY_COMPARE(m_model->interfaces()->rowCount(), 2);
        const int r = m_model->interfaces()->indexOf(iface(7, "veth0"));
        QCOMPARE(r, 1);
        QCOMPARE(m_model->interfaces()->index(r, column).data().toString(), text);
        QCOMPARE(m_model->interfaces()->headerData(column, Qt::Horizontal).toString(), header);
    }

    void renameUpdatesRowAndInterfaceColumns()
    {
        InterfaceTableModel *ifaces = m_model->interfaces();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        m_source->upsert(iface(2, "eth0"));
        m_source->upsert(iface(5, "eth1"));
        m_source->upsert(address(2, "10.0.0.1", 24));
        m_source->upsert(route("10.1.0.0", 16, "10.0.0.254", 2));
        QTRY_COMPARE(ifaces->rowCount(), 2);
        QCOMPARE(m_model->addresses()->index(0, AddressTableModel::Interface).data().toString(),
                 QStringLiteral("eth0"));
        QCOMPARE(m_model->interfaceName(2), QStringLiteral("eth0"));
        QCOMPARE(m_model->interfaceName(99), QStringLiteral("if 99"));

        QSignalSpy ifChanged(ifaces, &QAbstractItemModel::dataChanged);
        QSignalSpy addrChanged(m_model->addresses(), &QAbstractItemModel::dataChanged);
        QSignalSpy routeChanged(m_model->routes(), &QAbstractItemModel::dataChanged);
        m_source->upsert(iface(2, "uplink"));
        QTRY_COMPARE(ifChanged.count(), 1);
        QCOMPARE(ifChanged.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(ifaces->index(0, InterfaceTableModel::Name).data().toString(), QStringLiteral("uplink"));
        QCOMPARE(ifaces->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeChanged));
        QVERIFY(ifaces->index(0, InterfaceTableModel::Name).data(ChangedColumnsRole).toBool());
        QVERIFY(!ifaces->index(0, InterfaceTableModel::Mtu).data(ChangedColumnsRole).toBool());
        QCOMPARE(addrChanged.count(), 1);
        QCOMPARE(addrChanged.at(0).at(0).toModelIndex().column(), int(AddressTableModel::Interface));
        QCOMPARE(routeChanged.count(), 1);
        QCOMPARE(m_model->addresses()->index(0, AddressTableModel::Interface).data().toString(),
                 QStringLiteral("uplink"));
        QCOMPARE(m_model->routes()->index(0, RouteTableModel::Interface).data().toString(), QStringLiteral("uplink"));

        // MTU change: only that column is marked.
        m_source->upsert(iface(5, "eth1", 1400));
        QTRY_COMPARE(ifaces->index(1, InterfaceTableModel::Mtu).data().toString(), QStringLiteral("1400"));
        QVERIFY(ifaces->index(1, InterfaceTableModel::Mtu).data(ChangedColumnsRole).toBool());
        QVERIFY(!ifaces->index(1, InterfaceTableModel::Name).data(ChangedColumnsRole).toBool());

        // Removal: greyed, then swept.
        QSignalSpy removed(ifaces, &QAbstractItemModel::rowsRemoved);
        m_source->remove(iface(2, "uplink"));
        QTRY_COMPARE(ifaces->changeState(0), ChangeDeleted);
        QCOMPARE(m_model->interfaceName(2), QStringLiteral("if 2"));
        ifaces->sweep(ifaces->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(ifaces->rowCount(), 1);
        QCOMPARE(ifaces->rowAt(0).name, std::string("eth1"));
        QCOMPARE(ifaces->indexOf(iface(5, "eth1")), 0);
    }

    void manyBatchesWithMixedChanges()
    {
        // Inserts, changes and deletes interleaved over several batches and sweeps.
        InterfaceTableModel *ifaces = m_model->interfaces();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        qint64 clock = 0;
        for (int round = 0; round < 5; ++round) {
            for (int i = 1; i <= 20; ++i)
                m_source->upsert(iface(std::uint32_t(round * 100 + i), "if" + std::to_string(round * 100 + i)));
            for (int i = 1; i <= 20; i += 3)
                m_source->upsert(iface(std::uint32_t(round * 100 + i), "if" + std::to_string(i), 1400));
            for (int i = 2; i <= 20; i += 4)
                m_source->remove(iface(std::uint32_t(round * 100 + i), ""));
            QTRY_COMPARE(ifaces->liveRowCount(), (round + 1) * 15);
            clock = std::max(clock, ifaces->markClockMs()) + 2000;
            ifaces->sweep(clock);
            QCOMPARE(ifaces->rowCount(), (round + 1) * 15);
        }
        for (int row = 0; row < ifaces->rowCount(); ++row)
            QCOMPARE(ifaces->indexOf(ifaces->rowAt(row)), row);
    }

private:
    std::unique_ptr<ManualSource> m_source;
    std::unique_ptr<NotificationModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_GUILESS_MAIN(TestInterfaceTableModel)
#include "tst_interfacetablemodel.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// AddressTableModel through NotificationModel + ManualSource, QAbstractItemModelTester
// attached before data: inserts, flag changes, lifetimes, removals.
#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

class TestAddressTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_source = std::make_unique<ManualSource>();
        m_model = std::make_unique<NotificationModel>(m_source.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model->addresses(),
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
        QTest::newRow("interface") << int(AddressTableModel::Interface) << QStringLiteral("eth0");
        QTest::newRow("family") << int(AddressTableModel::Family) << QStringLiteral("IPv6");
        QTest::newRow("address") << int(AddressTableModel::Address) << QStringLiteral("2001:db8::1/64");
        QTest::newRow("scope") << int(AddressTableModel::Scope) << QStringLiteral("universe");
        QTest::newRow("flags") << int(AddressTableModel::Flags) << QStringLiteral("permanent");
        QTest::newRow("valid") << int(AddressTableModel::ValidLifetime) << QStringLiteral("forever");
        QTest::newRow("preferred") << int(AddressTableModel::PreferredLifetime) << QStringLiteral("forever");
    }
    void texts()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        m_source->upsert(iface(2, "eth0"));
        m_source->upsert(address(2, "2001:db8::1", 64));
        QString error;
        QVERIFY(m_model->start(platform::afInet6(), true, &error));
        QTRY_COMPARE(m_model->addresses()->rowCount(), 1);
        QCOMPARE(m_model->addresses()->index(0, column).data().toString(), text);
    }

    void lifetimesCountDown()
    {
        AddressRow a = address(2, "10.0.0.5", 24);
        a.flags = 0;
        a.validLifetime = 300;
        a.preferredLifetime = 100;
        a.validUntilUs = nowUs() + 300'000'000 + 500'000;
        a.preferredUntilUs = nowUs() + 100'000'000 + 500'000;
        m_source->upsert(a);
        QString error;
        QVERIFY(m_model->start(platform::afInet(), true, &error));
        QTRY_COMPARE(m_model->addresses()->rowCount(), 1);
        QCOMPARE(m_model->addresses()->index(0, AddressTableModel::ValidLifetime).data().toString(),
                 QStringLiteral("300s"));
        QCOMPARE(m_model->addresses()->index(0, AddressTableModel::PreferredLifetime).data().toString(),
                 QStringLiteral("100s"));
        QCOMPARE(m_model->addresses()->index(0, AddressTableModel::ValidLifetime).data(SortRole).toLongLong(), 300);
        // One dataChanged over the lifetime columns per second.
        QSignalSpy changed(m_model->addresses(), &QAbstractItemModel::dataChanged);
        QVERIFY(changed.wait(2000));
        QCOMPARE(changed.at(0).at(0).toModelIndex().column(), int(AddressTableModel::ValidLifetime));
        QCOMPARE(changed.at(0).at(1).toModelIndex().column(), int(AddressTableModel::PreferredLifetime));
    }

    void incrementalChangesAndRemovals()
    {
        AddressTableModel *addrs = m_model->addresses();
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        for (int i = 1; i <= 10; ++i)
            m_source->upsert(address(2, ("10.0.0." + std::to_string(i)).c_str(), 24));
        QTRY_COMPARE(addrs->rowCount(), 10);
        AddressRow deprecated = address(2, "10.0.0.4", 24);
        deprecated.flags |= AddrDeprecated;
        QSignalSpy changed(addrs, &QAbstractItemModel::dataChanged);
        m_source->upsert(deprecated);
        QTRY_COMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
        QVERIFY(addrs->index(3, AddressTableModel::Flags).data().toString().contains(QStringLiteral("deprecated")));
        QVERIFY(addrs->index(3, AddressTableModel::Flags).data(ChangedColumnsRole).toBool());
        for (int i = 1; i <= 10; i += 2)
            m_source->remove(address(2, ("10.0.0." + std::to_string(i)).c_str(), 24));
        QTRY_COMPARE(addrs->liveRowCount(), 5);
        QSignalSpy removed(addrs, &QAbstractItemModel::rowsRemoved);
        addrs->sweep(addrs->markClockMs() + kDeletedRowMs + 100);
        QCOMPARE(removed.count(), 5); // none adjacent
        QCOMPARE(addrs->rowCount(), 5);
        QCOMPARE(addrs->index(1, AddressTableModel::Address).data().toString(), QStringLiteral("10.0.0.4/24"));
    }

private:
    std::unique_ptr<ManualSource> m_source;
    std::unique_ptr<NotificationModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_GUILESS_MAIN(TestAddressTableModel)
#include "tst_addresstablemodel.moc"

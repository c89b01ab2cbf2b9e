// SPDX-License-Identifier: GPL-2.0-or-later
// EntityTableModel through NotificationModel + ManualSource: Entity records add, update and
// remove rows (with the usual marks and a ranged removal by the sweep), the Routes column
// is counted live from route records, all under QAbstractItemModelTester attached before
// any data goes in.
#include "model/notificationmodel.h"
#include "model/tables/entitytablemodel.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {

constexpr std::uint32_t kBird = 12; // RTPROT_BIRD
constexpr std::uint32_t kKernel = 2; // RTPROT_KERNEL

ChangeRecord entityRecord(ChangeKind change, std::uint32_t protocol, std::uint64_t routes, std::int64_t timeUs)
{
    ChangeRecord r;
    r.object = ObjectKind::Entity;
    r.change = change;
    r.timeUs = timeUs;
    EntityRow e;
    e.protocol = protocol;
    e.routeCount = routes;
    if (change == ChangeKind::Deregistered)
        r.before = e;
    else
        r.after = e;
    return r;
}

RouteRow birdRoute(int i)
{
    RouteRow r = numberedRoute(i);
    r.protocol = kBird;
    return r;
}

} // namespace

class TestEntityTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_source = std::make_unique<ManualSource>();
        m_model = std::make_unique<NotificationModel>(m_source.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(m_model->entities(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QString error;
        QVERIFY2(m_model->start(platform::afUnspec(), true, &error), qPrintable(error));
        QTRY_VERIFY(m_model->isSnapshotComplete());
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
        m_source.reset();
    }

    void headers()
    {
        EntityTableModel *m = m_model->entities();
        QCOMPARE(m->columnCount(), int(EntityTableModel::ColumnCount));
        QCOMPARE(m->headerData(EntityTableModel::Protocol, Qt::Horizontal).toString(), QStringLiteral("Protocol"));
        QCOMPARE(m->headerData(EntityTableModel::Number, Qt::Horizontal).toString(), QStringLiteral("Number"));
        QCOMPARE(m->headerData(EntityTableModel::Routes, Qt::Horizontal).toString(), QStringLiteral("Routes"));
        QCOMPARE(m->headerData(EntityTableModel::RegisteredAt, Qt::Horizontal).toString(),
                 QStringLiteral("Registered at"));
    }

    void registerCountAndDeregister()
    {
        EntityTableModel *m = m_model->entities();
        QSignalSpy inserted(m, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(m, &QAbstractItemModel::dataChanged);
        QSignalSpy removed(m, &QAbstractItemModel::rowsRemoved);

        // Two bird routes, then the entity registration (as the platform orders them).
        m_source->upsert(birdRoute(1));
        m_source->upsert(birdRoute(2));
        const std::int64_t t = nowUs();
        m_source->deliver({entityRecord(ChangeKind::Registered, kBird, 2, t)});
        QTRY_COMPARE(m->rowCount(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m->index(0, EntityTableModel::Protocol).data().toString(), QStringLiteral("bird"));
        QCOMPARE(m->index(0, EntityTableModel::Number).data().toString(), QStringLiteral("12"));
        QCOMPARE(m->index(0, EntityTableModel::Routes).data().toString(), QStringLiteral("2"));
        QCOMPARE(m->index(0, EntityTableModel::Routes).data(SortRole).toLongLong(), 2);
        QCOMPARE(m->index(0, EntityTableModel::RegisteredAt).data(SortRole).toLongLong(), qint64(t));
        QVERIFY(!m->index(0, EntityTableModel::RegisteredAt).data().toString().isEmpty());
        QCOMPARE(m->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));

        // A third route: the count follows without any Entity record.
        changed.clear();
        m_source->upsert(birdRoute(3));
        QTRY_COMPARE(m->index(0, EntityTableModel::Routes).data().toString(), QStringLiteral("3"));
        QVERIFY(!changed.isEmpty());
        QCOMPARE(m->routeCount(kBird, ProtocolSpace::RtmProtocol), 3);

        // A second entity from the snapshot kind (Initial); other protocols are counted apart.
        RouteRow kernelRoute = route("192.168.7.0", 24, nullptr, 2);
        kernelRoute.protocol = kKernel;
        m_source->upsert(kernelRoute);
        m_source->deliver({entityRecord(ChangeKind::Initial, kKernel, 1, t + 1)});
        QTRY_COMPARE(m->rowCount(), 2);
        QCOMPARE(m->index(1, EntityTableModel::Protocol).data().toString(), QStringLiteral("kernel"));
        QCOMPARE(m->index(1, EntityTableModel::Routes).data().toString(), QStringLiteral("1"));
        QCOMPARE(m->index(1, 0).data(ChangeStateRole).toInt(), int(ChangeNone)); // snapshot rows are not marked

        // Deletes and an expiry decrement.
        m_source->remove(birdRoute(1));
        ChangeRecord expired;
        expired.object = ObjectKind::Route;
        expired.change = ChangeKind::Expired;
        expired.family = Family::IPv4;
        expired.timeUs = nowUs();
        expired.before = birdRoute(2);
        m_source->deliver({expired});
        QTRY_COMPARE(m->index(0, EntityTableModel::Routes).data().toString(), QStringLiteral("1"));

        // Deregistration: marked deleted, then removed by the sweep (one ranged removal).
        m_source->remove(birdRoute(3));
        m_source->deliver({entityRecord(ChangeKind::Deregistered, kBird, 0, nowUs())});
        QTRY_COMPARE(m->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeDeleted));
        QCOMPARE(m->index(0, EntityTableModel::Routes).data().toString(), QStringLiteral("0"));
        QCOMPARE(m->liveRowCount(), 1);
        m->sweep(m->markClockMs() + 10'000);
        QCOMPARE(m->rowCount(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(m->index(0, EntityTableModel::Protocol).data().toString(), QStringLiteral("kernel"));

        // Registered again later: a fresh row.
        m_source->upsert(birdRoute(9));
        m_source->deliver({entityRecord(ChangeKind::Registered, kBird, 1, nowUs())});
        QTRY_COMPARE(m->rowCount(), 2);
        QCOMPARE(m->index(1, EntityTableModel::Routes).data().toString(), QStringLiteral("1"));
    }

    void reRegisterBeforeSweepKeepsRow()
    {
        EntityTableModel *m = m_model->entities();
        m_source->deliver({entityRecord(ChangeKind::Registered, kBird, 0, nowUs())});
        QTRY_COMPARE(m->rowCount(), 1);
        m_source->deliver({entityRecord(ChangeKind::Deregistered, kBird, 0, nowUs()),
                           entityRecord(ChangeKind::Registered, kBird, 0, nowUs())});
        QTRY_COMPARE(m->index(0, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));
        m->sweep(m->markClockMs() + 10'000);
        QCOMPARE(m->rowCount(), 1);
    }

    void protocolChangeMovesCount()
    {
        EntityTableModel *m = m_model->entities();
        m_source->deliver({entityRecord(ChangeKind::Registered, kBird, 0, nowUs()),
                           entityRecord(ChangeKind::Registered, 4 /* static */, 0, nowUs())});
        RouteRow r = route("10.50.0.0", 16, "192.0.2.1", 1); // static
        m_source->upsert(r);
        QTRY_COMPARE(m->routeCount(4, ProtocolSpace::RtmProtocol), 1);
        r.protocol = kBird; // same key, another origin: a parameter change
        m_source->upsert(r);
        QTRY_COMPARE(m->routeCount(kBird, ProtocolSpace::RtmProtocol), 1);
        QCOMPARE(m->routeCount(4, ProtocolSpace::RtmProtocol), 0);
    }

    void restartClearsRowsAndCounts()
    {
        EntityTableModel *m = m_model->entities();
        m_source->upsert(birdRoute(1));
        m_source->deliver({entityRecord(ChangeKind::Registered, kBird, 1, nowUs())});
        QTRY_COMPARE(m->rowCount(), 1);
        QString error;
        QVERIFY(m_model->start(platform::afUnspec(), true, &error));
        QCOMPARE(m->rowCount(), 0);
        QTRY_VERIFY(m_model->isSnapshotComplete());
        // The snapshot's route is counted again (once).
        QCOMPARE(m->routeCount(kBird, ProtocolSpace::RtmProtocol), 1);
    }

private:
    std::unique_ptr<ManualSource> m_source;
    std::unique_ptr<NotificationModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

QTEST_GUILESS_MAIN(TestEntityTableModel)
#include "tst_entitytablemodel.moc"

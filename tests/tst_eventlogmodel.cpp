// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogModel and EventLogFilterProxy over EventHistory: ranged appends under
// QAbstractItemModelTester (attached before data), texts, roles, time range and text filter.
#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "platform/rowfields.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {
constexpr qint64 kT0 = 1'795'000'000'000'000; // 2026-11-18, µs

ChangeRecord routeAdd(int i, qint64 timeUs)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Add;
    r.family = Family::IPv4;
    r.timeUs = timeUs;
    r.after = numberedRoute(i);
    return r;
}

ChangeRecord ifaceParam(qint64 timeUs)
{
    ChangeRecord r;
    r.object = ObjectKind::Interface;
    r.change = ChangeKind::Parameter;
    r.timeUs = timeUs;
    r.before = iface(3, "veth0", 1500);
    r.after = iface(3, "veth0", 9000);
    r.changedFields = fieldBit<InterfaceRow>("mtu");
    return r;
}
} // namespace

class TestEventLogModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A history of nanosecond times keeps each event's nanoseconds (in its encoded record):
    // the Time column and the CSV show 9 fraction digits; a history of microseconds, 6.
    void nanosecondTimesShown()
    {
        EventHistory history;
        EventLogModel model(&history);
        ChangeRecord r = routeAdd(1, kT0 + 123'456);
        r.timeSubUsNs = 789;
        history.append(r, QStringLiteral("eth0"));
        history.append(routeAdd(2, kT0 + 123'457), QStringLiteral("eth0"));
        QCOMPARE(history.record(0).timeSubUsNs, std::uint16_t(789));
        QCOMPARE(history.record(1).timeSubUsNs, std::uint16_t(0));
        const auto timeText = [&](int row) { return model.index(row, EventLogModel::Time).data().toString(); };
        QVERIFY2(timeText(0).endsWith(u".123456"), qPrintable(timeText(0)));
        QVERIFY2(csv::row(history, 0).contains(".123456Z,"), csv::row(history, 0).constData());
        history.setNanosecondTimes(true);
        QVERIFY2(timeText(0).endsWith(u".123456789"), qPrintable(timeText(0)));
        QVERIFY2(timeText(1).endsWith(u".123457000"), qPrintable(timeText(1)));
        QVERIFY2(csv::row(history, 0).contains(".123456789Z,"), csv::row(history, 0).constData());
        QVERIFY2(csv::row(history, 1).contains(".123457000Z,"), csv::row(history, 1).constData());
    }

    void rangedAppendsUnderTester()
    {
        EventHistory history;
        EventLogModel model(&history);
        EventLogFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(EventLogModel::Time, Qt::DescendingOrder);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int batch = 0; batch < 4; ++batch) {
            std::vector<EventHistory::Entry> entries;
            for (int i = 0; i < 25; ++i)
                entries.push_back({routeAdd(batch * 25 + i, kT0 + (batch * 25 + i) * 1000), QStringLiteral("eth0")});
            history.append(std::move(entries));
            if (batch == 2)
                proxy.setTimeRange(kT0 + 10'000, kT0 + 59'000);
        }
        QCOMPARE(inserted.count(), 4);
        QCOMPARE(inserted.at(3).at(1).toInt(), 75);
        QCOMPARE(inserted.at(3).at(2).toInt(), 99);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(proxy.rowCount(), 50); // 10..59
        QCOMPARE(proxy.index(0, EventLogModel::Sequence).data().toString(), QStringLiteral("60"));
        proxy.clearTimeRange();
        QCOMPARE(proxy.rowCount(), 100);
        history.clear();
        QCOMPARE(model.rowCount(), 0);
        history.append(routeAdd(1, kT0), QString());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(history.sequence(0), quint64(101)); // numbering continues
    }

    void texts_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("text");
        QTest::newRow("sequence") << int(EventLogModel::Sequence) << QStringLiteral("2");
        QTest::newRow("object") << int(EventLogModel::Object) << QStringLiteral("interface");
        QTest::newRow("change") << int(EventLogModel::Change) << QStringLiteral("parameter");
        QTest::newRow("family") << int(EventLogModel::Family) << QString();
        QTest::newRow("interface") << int(EventLogModel::Interface) << QStringLiteral("veth0");
        QTest::newRow("key") << int(EventLogModel::Key) << QStringLiteral("veth0");
    }
    void texts()
    {
        QFETCH(int, column);
        QFETCH(QString, text);
        EventHistory history;
        EventLogModel model(&history);
        history.append(routeAdd(1, kT0), QStringLiteral("eth0"));
        history.append(ifaceParam(kT0 + 123'456), QStringLiteral("veth0"));
        QCOMPARE(model.index(1, column).data().toString(), text);
        QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
    }

    void timeAndSummaryAndRoles()
    {
        EventHistory history;
        EventLogModel model(&history);
        history.append(routeAdd(1, kT0), QStringLiteral("eth0"));
        history.append(ifaceParam(kT0 + 123'456), QStringLiteral("veth0"));
        const QString time = model.index(1, EventLogModel::Time).data().toString();
        QVERIFY2(time.endsWith(QStringLiteral(".123456")), qPrintable(time));
        QCOMPARE(time.size(), 15); // hh:mm:ss.uuuuuu
        QCOMPARE(model.index(0, EventLogModel::Family).data().toString(), QStringLiteral("IPv4"));
        QCOMPARE(model.index(0, EventLogModel::Key).data().toString(), QStringLiteral("10.0.1.0/24"));
        const QString summary = model.index(1, EventLogModel::Summary).data().toString();
        QVERIFY2(summary.contains(QStringLiteral("mtu 1500 -> 9000")), qPrintable(summary));
        QCOMPARE(model.index(1, 3).data(EventLogModel::EventIndexRole).toLongLong(), 1);
        QCOMPARE(model.index(1, 3).data(TimeUsRole).toLongLong(), kT0 + 123'456);
        QCOMPARE(model.index(1, EventLogModel::Time).data(SortRole).toLongLong(), kT0 + 123'456);
        QCOMPARE(model.index(1, EventLogModel::Sequence).data(SortRole).toULongLong(), quint64(2));
    }

    void filterProxy_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<qint64>("fromUs");
        QTest::addColumn<qint64>("toUs");
        QTest::addColumn<int>("rows");
        QTest::newRow("all") << QString() << qint64(-1) << qint64(-1) << 6;
        QTest::newRow("text veth0") << QStringLiteral("veth0") << qint64(-1) << qint64(-1) << 3;
        QTest::newRow("text case-insensitive") << QStringLiteral("VETH0") << qint64(-1) << qint64(-1) << 3;
        QTest::newRow("text route key") << QStringLiteral("10\\.0\\.2\\.0") << qint64(-1) << qint64(-1) << 1;
        QTest::newRow("range inclusive") << QString() << kT0 + 1000 << kT0 + 3000 << 3;
        QTest::newRow("range reversed") << QString() << kT0 + 3000 << kT0 + 1000 << 3;
        QTest::newRow("range and text") << QStringLiteral("parameter") << kT0 << kT0 + 2000 << 1;
        QTest::newRow("range empty") << QString() << kT0 + 10'000 << kT0 + 20'000 << 0;
    }
    void filterProxy()
    {
        QFETCH(QString, pattern);
        QFETCH(qint64, fromUs);
        QFETCH(qint64, toUs);
        QFETCH(int, rows);
        EventHistory history;
        EventLogModel model(&history);
        EventLogFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // times kT0 + 0, 1000, ... 5000: route, param, route, param, route, param
        for (int i = 0; i < 6; ++i) {
            if (i % 2 == 0)
                history.append(routeAdd(i, kT0 + i * 1000), QStringLiteral("eth0"));
            else
                history.append(ifaceParam(kT0 + i * 1000), QStringLiteral("veth0"));
        }
        if (!pattern.isEmpty())
            proxy.setFilterRegularExpression(pattern);
        if (fromUs >= 0) {
            proxy.setTimeRange(fromUs, toUs);
            QVERIFY(proxy.hasTimeRange());
        }
        QCOMPARE(proxy.rowCount(), rows);
        // New events pass through the same filter.
        history.append(ifaceParam(kT0 + 2500), QStringLiteral("veth0"));
        const bool passes = (pattern.isEmpty()
                             || QStringLiteral("veth0 parameter")
                                    .contains(QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption)))
            && (fromUs < 0 || (kT0 + 2500 >= std::min(fromUs, toUs) && kT0 + 2500 <= std::max(fromUs, toUs)));
        QCOMPARE(proxy.rowCount(), rows + (passes ? 1 : 0));
    }
};

QTEST_GUILESS_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"

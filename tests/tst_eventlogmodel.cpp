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

#include <algorithm>
#include <random>
#include <vector>

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
// count events numbered from next on: route adds on eth0 / eth1 and interface changes on
// veth0, times 1 ms apart that go back now and then (equal and earlier times).
void appendMixed(EventHistory &history, int &next, int count)
{
    std::vector<EventHistory::Entry> entries;
    for (int i = 0; i < count; ++i, ++next) {
        const qint64 t = kT0 + next * 1000 - (next % 7 == 0 ? 5000 : 0) - (next % 5 == 0 ? 1000 : 0);
        EventHistory::Entry entry;
        entry.record = next % 3 == 0 ? ifaceParam(t) : routeAdd(next, t);
        entry.ifName = next % 3 == 0 ? QStringLiteral("veth0")
            : next % 2               ? QStringLiteral("eth0")
                                     : QStringLiteral("eth1");
        entries.push_back(std::move(entry));
    }
    history.append(std::move(entries));
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

    // With no filter in the log's own order the proxy keeps nothing per row (rows pass
    // through); a filter, a time range or another order maps them through a
    // QSortFilterProxyModel, made and dropped as the settings change. Through random
    // settings, appends and drops of the oldest events, its rows are always the events the
    // settings keep, in their order, and a held persistent index stays on its event (or
    // goes invalid only when its event left).
    void passesThroughUntilAFilterOrOrderNeedsMapping()
    {
        EventHistory history;
        history.setCapacity(400);
        EventLogModel model(&history);
        EventLogFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        QVERIFY(!proxy.isMapping());
        std::mt19937 random(11);
        int next = 0;
        const auto append = [&](int count) { appendMixed(history, next, count); };
        append(150);
        const QStringList texts = {QString(),
                                   QString(),
                                   QString(),
                                   QString(),
                                   QStringLiteral("ETH0"),
                                   QStringLiteral("veth"),
                                   QStringLiteral("param"),
                                   QStringLiteral("no such text")};
        QString text;
        bool ranged = false;
        qint64 fromUs = 0, toUs = 0;
        int column = EventLogModel::Sequence;
        Qt::SortOrder order = Qt::AscendingOrder;
        int mapped = 0, passed = 0;
        for (int step = 0; step < 300; ++step) {
            QPersistentModelIndex held;
            qint64 heldEvent = -1;
            if (proxy.rowCount() > 0) {
                held = proxy.index(int(random() % unsigned(proxy.rowCount())), EventLogModel::Key);
                heldEvent = held.data(EventLogModel::EventIndexRole).toLongLong() + qint64(history.sequence(0));
            }
            switch (random() % 6) {
            case 0: append(1 + int(random() % 40)); break; // past 400, the oldest go
            case 1:
                text = texts[qsizetype(random() % unsigned(texts.size()))];
                proxy.setFilterFixedString(text);
                break;
            case 2:
                ranged = random() % 3 == 0;
                if (ranged) {
                    fromUs = kT0 + qint64(random() % unsigned(next + 1)) * 1000;
                    toUs = fromUs + qint64(random() % 200) * 1000;
                    proxy.setTimeRange(toUs, fromUs); // reversed: swapped
                } else {
                    proxy.clearTimeRange();
                }
                break;
            default: {
                const int columns[] = {-1, EventLogModel::Sequence, EventLogModel::Sequence, EventLogModel::Time};
                column = columns[random() % 4];
                order = random() % 3 ? Qt::AscendingOrder : Qt::DescendingOrder;
                proxy.sort(column, order);
                break;
            }
            }
            const bool ownOrder = column < 0 || (column == EventLogModel::Sequence && order == Qt::AscendingOrder);
            QCOMPARE(proxy.isMapping(), !text.isEmpty() || ranged || !ownOrder);
            (proxy.isMapping() ? mapped : passed) += 1;
            // The rows expected: kept events, in the order asked.
            std::vector<int> expected;
            for (int row = 0; row < model.rowCount(); ++row) {
                bool keep = text.isEmpty();
                for (int c = 0; c < EventLogModel::ColumnCount && !keep; ++c)
                    keep = model.index(row, c).data().toString().contains(text, Qt::CaseInsensitive);
                const qint64 t = history.timeUs(row);
                if (keep && (!ranged || (t >= fromUs && t <= toUs)))
                    expected.push_back(row);
            }
            if (column == EventLogModel::Time)
                std::sort(expected.begin(), expected.end(), [&](int a, int b) {
                    return std::pair(history.timeUs(a), a) < std::pair(history.timeUs(b), b);
                });
            if (column >= 0 && order == Qt::DescendingOrder)
                std::reverse(expected.begin(), expected.end());
            QCOMPARE(proxy.rowCount(), int(expected.size()));
            for (int row = 0; row < proxy.rowCount(); ++row) {
                QCOMPARE(proxy.mapToSource(proxy.index(row, 0)).row(), expected[std::size_t(row)]);
                QCOMPARE(proxy.mapFromSource(model.index(expected[std::size_t(row)], 2)), proxy.index(row, 2));
            }
            if (heldEvent >= 0) {
                const qint64 index = heldEvent - qint64(history.sequence(0)); // its row in the log now
                const bool shown
                    = index >= 0 && std::find(expected.begin(), expected.end(), int(index)) != expected.end();
                QCOMPARE(held.isValid(), shown);
                if (shown) {
                    QCOMPARE(held.data(EventLogModel::EventIndexRole).toLongLong(), index);
                    QCOMPARE(held.column(), int(EventLogModel::Key));
                }
            }
        }
        QVERIFY2(mapped > 50 && passed > 50, qPrintable(QStringLiteral("%1 / %2").arg(mapped).arg(passed)));
        QVERIFY(history.droppedCount() > 0);
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

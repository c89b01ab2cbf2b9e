// ChangeTableProxy over the Routes table (issue #4): sorting through compareRows() gives
// the order of QSortFilterProxyModel on SortRole for every column (next hops: by gateway
// address), the fast filter accepts exactly the rows a fixed-string filter over the
// display texts accepts, also while typing narrows it and after the table changed; the
// model tester watches throughout.
#include "changetablemodel.h"
#include "interfacenames.h"
#include "modeltestrows.h"
#include "routetablemodel.h"
#include "tablemodelroles.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {

ChangeRecord initial(const RouteRow &row)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = ChangeKind::Initial;
    r.family = row.family();
    r.after = row;
    return r;
}

void fillRoutes(RouteTableModel &model, int n)
{
    const char *gateways[] = {"192.0.2.1", "9.9.9.9", "10.0.0.1", nullptr, "fe80::1"};
    for (int i = 0; i < n; ++i) {
        const bool v6 = i % 7 == 0;
        RouteRow r = v6
            ? route("2001:db8:" + std::to_string(i) + "::", 64, i % 2 ? "fe80::1" : nullptr, 1 + i % 3,
                    std::uint32_t(i % 5))
            : route("10." + std::to_string(i % 256) + "." + std::to_string(i / 256) + ".0", std::uint8_t(16 + i % 9),
                    gateways[i % 4], 1 + i % 3, std::uint32_t((i * 37) % 11), i % 6 == 0 ? 255 : 254);
        r.protocol = std::uint32_t(i % 5 == 0 ? 2 : i % 5 == 1 ? 186 : 4);
        r.scope = std::uint8_t(i % 4 == 0 ? 253 : 0);
        r.type = std::uint8_t(i % 6 == 0 ? 2 : 1);
        if (i % 3 == 0)
            r.prefSrc = IpAddress::parse(v6 ? "2001:db8::1" : "10.9.0." + std::to_string(i % 200));
        model.apply(initial(r));
    }
    model.endBatch();
}

} // namespace

class TestChangeTableProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sortMatchesSortRole_data()
    {
        QTest::addColumn<int>("column");
        for (int c = 0; c < RouteTableModel::ColumnCount; ++c) {
            if (c != RouteTableModel::NextHops)
                QTest::newRow(qPrintable(QStringLiteral("column %1").arg(c))) << c;
        }
    }
    void sortMatchesSortRole()
    {
        QFETCH(int, column);
        InterfaceNames names;
        names.set(1, QStringLiteral("eth0"));
        names.set(2, QStringLiteral("Ünïcode"));
        names.set(3, QStringLiteral("br-lan"));
        RouteTableModel model(&names);
        fillRoutes(model, 300);
        ChangeTableProxy fast;
        QAbstractItemModelTester tester(&fast, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fast.setSourceModel(&model);
        QSortFilterProxyModel plain;
        plain.setSortRole(SortRole);
        plain.setSourceModel(&model);
        // QSortFilterProxyModel compares a QByteArray key as (lossy) text, so the check is
        // that the order is sorted by the SortRole key compared properly: bytes as bytes,
        // numbers as numbers, text as QString::compare.
        const auto less = [](const QVariant &l, const QVariant &r) {
            if (l.typeId() == QMetaType::QByteArray)
                return l.toByteArray() < r.toByteArray();
            if (l.typeId() == QMetaType::QString)
                return QString::compare(l.toString(), r.toString()) < 0;
            return l.toLongLong() < r.toLongLong();
        };
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            fast.sort(column, order);
            plain.sort(column, order);
            QCOMPARE(fast.rowCount(), plain.rowCount());
            for (int row = 0; row + 1 < fast.rowCount(); ++row) {
                const QVariant a = fast.index(row, column).data(SortRole);
                const QVariant b = fast.index(row + 1, column).data(SortRole);
                QVERIFY2(order == Qt::AscendingOrder ? !less(b, a) : !less(a, b),
                         qPrintable(QStringLiteral("row %1: %2 / %3").arg(row).arg(a.toString(), b.toString())));
            }
        }
    }

    void nextHopsSortByAddress()
    {
        RouteTableModel model;
        fillRoutes(model, 40);
        ChangeTableProxy fast;
        fast.setSourceModel(&model);
        fast.sort(RouteTableModel::NextHops);
        QStringList seen;
        for (int row = 0; row < fast.rowCount(); ++row)
            seen << fast.index(row, RouteTableModel::NextHops).data().toString();
        seen.removeDuplicates();
        // On-link first, then 9.9.9.9 < 10.0.0.1 < 192.0.2.1 (numeric, not text), IPv6 last.
        QCOMPARE(seen,
                 QStringList({QString(), QStringLiteral("9.9.9.9"), QStringLiteral("10.0.0.1"),
                              QStringLiteral("192.0.2.1"), QStringLiteral("fe80::1")}));
    }

    void filterMatchesFixedString()
    {
        InterfaceNames names;
        names.set(1, QStringLiteral("eth0"));
        names.set(2, QStringLiteral("Ünïcode"));
        RouteTableModel model(&names);
        fillRoutes(model, 500);
        ChangeTableProxy fast;
        QAbstractItemModelTester tester(&fast, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fast.setSourceModel(&model);
        fast.setDynamicSortFilter(true);
        fast.sort(RouteTableModel::Destination);
        QSortFilterProxyModel plain;
        plain.setFilterCaseSensitivity(Qt::CaseInsensitive);
        plain.setFilterKeyColumn(-1);
        plain.setSourceModel(&model);
        const auto check = [&](const QString &needle) {
            fast.setFilterText(needle);
            plain.setFilterFixedString(needle);
            QCOMPARE(fast.rowCount(), plain.rowCount());
        };
        // Typing narrows step by step, then other texts, then deleting letters widens.
        for (const char *needle : {"1",          "10",   "10.",   "10.1",   "10.12",    "10.12.", "IPV6", "ipv6",
                                   "2001:DB8:1", "MAIN", "local", "192.0",  "zzz",      "ünï",    "ÜNÏ",  "if 3",
                                   "253",        "link", "boot",  "static", "10.9.0.1", "10.9.0", "10.9", ""}) {
            check(QString::fromUtf8(needle));
            if (QTest::currentTestFailed())
                return;
        }
        fast.setFilterText(QStringLiteral("ünï"));
        QCOMPARE(fast.rowCount(), 167); // routes via ifindex 2 (i % 3 == 1)
        fast.setFilterText(QStringLiteral("10.12."));
        QVERIFY(fast.rowCount() > 0);
        // The table changes (rows added, one renamed interface): no stale rejections.
        check(QStringLiteral("10.3"));
        RouteRow extra = route("172.16.0.0", 12, "10.3.0.9", 1);
        model.apply(initial(extra));
        model.endBatch();
        check(QStringLiteral("10.3.0"));
        QVERIFY(fast.rowCount() >= 1);
        check(QStringLiteral("10.3.0.9"));
        QCOMPARE(fast.rowCount(), 1);
    }
};

QTEST_MAIN(TestChangeTableProxy)
#include "tst_changetableproxy.moc"

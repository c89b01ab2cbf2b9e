// SPDX-License-Identifier: GPL-2.0-or-later
// ChangeTableProxy over the Routes table: sorting through compareRows() gives the order
// of QSortFilterProxyModel on SortRole for every column (next hops: by gateway address;
// protocols of both name spaces, rtm_protocol and MIB_IPPROTO, by name), the fast filter
// accepts exactly the rows a fixed-string filter over the display texts accepts, also
// while typing narrows it and after the table changed; the model tester watches throughout.
#include "model/interfacenames.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/columnfilterproxy.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "support/modeltestrows.h"

#include <QAbstractItemModelTester>
#include <QAbstractProxyModel>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStringListModel>
#include <QTest>

#include <algorithm>
#include <iterator>
#include <limits>
#include <random>

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

ChangeRecord record(ChangeKind change, const RouteRow &before, const RouteRow &after)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = change;
    r.family = after.family();
    r.before = before;
    r.after = after;
    return r;
}

QList<int> sourceOrder(const QAbstractProxyModel &proxy)
{
    QList<int> rows;
    for (int row = 0; row < proxy.rowCount(); ++row)
        rows << proxy.mapToSource(proxy.index(row, 0)).row();
    return rows;
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
        if (i % 10 == 3) {
            // Windows routes: MIB_IPPROTO_* origins (netmgmt, local, rip, other), named
            // from another table than rtm_protocol and sorted by those names among them.
            const std::uint32_t mibProtocols[] = {3, 2, 8, 1};
            r.protocolSpace = ProtocolSpace::MibIpProto;
            r.protocol = mibProtocols[(i / 10) % 4];
        }
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
    void sortMatchesCompareRows_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("rankThreshold");
        for (int c = 0; c < RouteTableModel::ColumnCount; ++c) {
            QTest::newRow(qPrintable(QStringLiteral("column %1, compared").arg(c))) << c << 1'000'000;
            QTest::newRow(qPrintable(QStringLiteral("column %1, ranked").arg(c))) << c << 0;
        }
    }
    // The proxy's order (rows compared, or ranked from sortKeys()) is the order of the
    // table's compareRows() (the route description's compare), in both directions.
    void sortMatchesCompareRows()
    {
        QFETCH(int, column);
        QFETCH(int, rankThreshold);
        InterfaceNames names;
        names.set(1, QStringLiteral("eth0"));
        names.set(2, QStringLiteral("Ünïcode"));
        names.set(3, QStringLiteral("br-lan"));
        RouteTableModel model(&names);
        fillRoutes(model, 300);
        ChangeTableProxy fast;
        QAbstractItemModelTester tester(&fast, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fast.setRankThreshold(rankThreshold);
        fast.setSourceModel(&model);
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            fast.sort(column, order);
            QCOMPARE(fast.rowCount(), model.rowCount());
            for (int row = 0; row + 1 < fast.rowCount(); ++row) {
                const int a = fast.mapToSource(fast.index(row, column)).row();
                const int b = fast.mapToSource(fast.index(row + 1, column)).row();
                const int c = model.compareRows(a, b, column);
                QVERIFY2(order == Qt::AscendingOrder ? c <= 0 : c >= 0,
                         qPrintable(QStringLiteral("row %1: %2 / %3")
                                        .arg(row)
                                        .arg(model.index(a, column).data().toString(),
                                             model.index(b, column).data().toString())));
            }
        }
    }

    // What the description's compare promises: addresses numerically, names by text,
    // numbers by value.
    void sortOrdersOfTheDescription()
    {
        RouteTableModel model;
        fillRoutes(model, 300);
        ChangeTableProxy fast;
        fast.setSourceModel(&model);
        const auto firstRowOf = [&](int column, const QString &text) {
            for (int row = 0; row < fast.rowCount(); ++row)
                if (fast.index(row, column).data().toString() == text)
                    return row;
            return -1;
        };
        fast.sort(RouteTableModel::Destination);
        QVERIFY(firstRowOf(RouteTableModel::Destination, QStringLiteral("10.9.1.0/20"))
                < firstRowOf(RouteTableModel::Destination, QStringLiteral("10.10.0.0/17")));
        fast.sort(RouteTableModel::Protocol);
        QVERIFY(firstRowOf(RouteTableModel::Protocol, QStringLiteral("bgp"))
                < firstRowOf(RouteTableModel::Protocol, QStringLiteral("kernel")));
        QVERIFY(firstRowOf(RouteTableModel::Protocol, QStringLiteral("kernel"))
                < firstRowOf(RouteTableModel::Protocol, QStringLiteral("static")));
        fast.sort(RouteTableModel::Table);
        QVERIFY(firstRowOf(RouteTableModel::Table, QStringLiteral("main"))
                < firstRowOf(RouteTableModel::Table, QStringLiteral("local"))); // 254 < 255
        fast.sort(RouteTableModel::Metric);
        QVERIFY(firstRowOf(RouteTableModel::Metric, QStringLiteral("9"))
                < firstRowOf(RouteTableModel::Metric, QStringLiteral("10")));
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

    // Ranked sorts (sortKeys() + one sort of keys, used from 100,000 rows on) give exactly
    // the order of compareRows() for every column and both orders, with IPv6, multipath,
    // expiring routes and a protocol beyond 255 in the table.
    void rankedSortEqualsComparedSort()
    {
        InterfaceNames names;
        names.set(1, QStringLiteral("eth0"));
        names.set(2, QStringLiteral("Ünïcode"));
        names.set(3, QStringLiteral("br-lan"));
        RouteTableModel model(&names);
        fillRoutes(model, 400);
        RouteRow multi = route("192.168.0.0", 16, "10.0.0.1", 1);
        NextHop second;
        second.gateway = IpAddress::parse("10.0.0.2");
        second.ifIndex = 3;
        multi.nextHops.push_back(second);
        model.apply(initial(multi));
        RouteRow multi6 = route("2001:db8:ffff::", 48, "fe80::1", 2);
        second.gateway = IpAddress::parse("fe80::1:2");
        second.ifIndex = 1;
        multi6.nextHops.push_back(second);
        model.apply(initial(multi6));
        for (int i = 0; i < 6; ++i) {
            RouteRow expiring = route("172.16." + std::to_string(i) + ".0", 24, "10.0.0.9", 1);
            expiring.expiresUs = nowUs() + (i % 3) * 7'000'000 + 30'000'000;
            model.apply(initial(expiring));
        }
        RouteRow odd = route("198.51.100.0", 24, nullptr, 9);
        odd.protocol = 300;
        model.apply(initial(odd));
        model.endBatch();

        ChangeTableProxy ranked;
        ranked.setRankThreshold(0);
        QAbstractItemModelTester tester(&ranked, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ranked.setSourceModel(&model);
        ChangeTableProxy compared;
        compared.setRankThreshold(std::numeric_limits<int>::max());
        compared.setSourceModel(&model);
        for (int column = 0; column < RouteTableModel::ColumnCount; ++column) {
            for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                ranked.sort(column, order);
                compared.sort(column, order);
                QVERIFY(ranked.hasRanks());
                QVERIFY(!compared.hasRanks());
                QCOMPARE(sourceOrder(ranked), sourceOrder(compared));
            }
        }
    }

    // Rows prepared off the GUI thread (KeyedTableModel::prepare: index and ranks) and
    // swapped in: the proxy sorted by the ranked column takes the ranks made with them and
    // orders the rows as ranking them itself does; ranks made for another column, or
    // stale ones, are not taken.
    void preparedRanksAreTakenAtTheSwap()
    {
        RouteTableModel source;
        fillRoutes(source, 400);
        const auto prepared = [&source](int column) {
            RouteTableModel::Prepared p;
            source.forEachRow([&p](int, const RouteRow &r) { p.rows.push_back(r); });
            RouteTableModel::prepare(p, column);
            return p;
        };
        ChangeTableProxy compared;
        compared.setRankThreshold(std::numeric_limits<int>::max());
        compared.setSourceModel(&source);
        QList<int> sourceRows;
        for (int row = 0; row < source.rowCount(); ++row)
            sourceRows << row;
        int rankedColumns = 0;
        for (int column = 0; column < RouteTableModel::ColumnCount; ++column) {
            compared.sort(column);
            RouteTableModel target;
            ChangeTableProxy proxy;
            proxy.setRankThreshold(0);
            QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
            proxy.setSourceModel(&target);
            proxy.sort(column);
            RouteTableModel::Prepared p = prepared(column);
            if (p.rankColumn < 0) { // interface names, texts: the proxy ranks them itself
                QVERIFY(p.ranks.empty());
                continue;
            }
            ++rankedColumns;
            QCOMPARE(p.rankColumn, column);
            target.swapPrepared(p);
            QCOMPARE(target.rowCount(), source.rowCount());
            QVERIFY(proxy.hasRanks());
            QCOMPARE(sourceOrder(proxy), sourceOrder(compared));
            // The index came with the rows: every key is found.
            for (int row = 0; row < target.rowCount(); ++row)
                QCOMPARE(target.indexOf(target.rowAt(row)), row);

            // Ranks that say "all equal" are taken as they are: source order.
            RouteTableModel::Prepared equal = prepared(column);
            std::fill(equal.ranks.begin(), equal.ranks.end(), 0u);
            target.swapPrepared(equal);
            QCOMPARE(sourceOrder(proxy), sourceRows);
            // Not for another column (ranked by the proxy itself), nor once rows changed.
            RouteTableModel::Prepared other = prepared(column);
            std::fill(other.ranks.begin(), other.ranks.end(), 0u);
            other.rankColumn = column == 0 ? 1 : 0;
            target.swapPrepared(other);
            QCOMPARE(sourceOrder(proxy), sourceOrder(compared));
            proxy.setSourceModel(nullptr);
            RouteTableModel::Prepared stale = prepared(column);
            std::fill(stale.ranks.begin(), stale.ranks.end(), 0u);
            target.swapPrepared(stale);
            // A row changed in place (same row count): the ranks are stale.
            RouteRow changed = target.rowAt(0);
            changed.scope = std::uint8_t(changed.scope == 0 ? 253 : 0);
            target.apply(record(ChangeKind::Parameter, target.rowAt(0), changed));
            target.endBatch();
            QCOMPARE(target.rowCount(), source.rowCount());
            compared.setSourceModel(&target);
            compared.sort(column);
            proxy.setSourceModel(&target);
            proxy.sort(column);
            QCOMPARE(sourceOrder(proxy), sourceOrder(compared));
            compared.setSourceModel(&source);
        }
        QVERIFY(rankedColumns >= 3); // destination, metric, table at least
    }

    // While a filter and a ranked sort are active, rows added, changed (also re-keyed)
    // and removed appear and disappear as a plain fixed-string filter says, in sorted order.
    void liveUpdatesWhileFilteredAndRanked()
    {
        RouteTableModel model;
        fillRoutes(model, 600);
        ChangeTableProxy fast;
        fast.setRankThreshold(0);
        QAbstractItemModelTester tester(&fast, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fast.setSourceModel(&model);
        fast.sort(RouteTableModel::Destination, Qt::DescendingOrder);
        QVERIFY(fast.hasRanks());
        QSortFilterProxyModel plain;
        plain.setFilterCaseSensitivity(Qt::CaseInsensitive);
        plain.setFilterKeyColumn(-1);
        plain.setSourceModel(&model);
        const auto check = [&] {
            plain.setFilterFixedString(fast.filterText());
            QCOMPARE(fast.rowCount(), plain.rowCount());
            for (int row = 0; row + 1 < fast.rowCount(); ++row) {
                const int a = fast.mapToSource(fast.index(row, 0)).row();
                const int b = fast.mapToSource(fast.index(row + 1, 0)).row();
                QVERIFY2(model.compareRows(a, b, RouteTableModel::Destination) >= 0,
                         qPrintable(QStringLiteral("proxy rows %1 / %2").arg(row).arg(row + 1)));
            }
        };
        const QString needle = QStringLiteral("9.9"); // gateway 9.9.9.9 (no destination has it)
        fast.setFilterText(needle);
        check();
        const int before = fast.rowCount();
        QVERIFY(before > 0);

        // Added: one matching, one not.
        model.apply(initial(route("10.2.200.0", 24, "9.9.9.9", 1)));
        model.apply(initial(route("172.20.0.0", 16, "192.0.2.1", 1)));
        model.endBatch();
        check();
        QCOMPARE(fast.rowCount(), before + 1);

        // Changed: a non-matching route gets a matching gateway; a matching one loses it.
        const auto text = [&model](int row, int column) { return model.index(row, column).data().toString(); };
        int outside = -1, inside = -1;
        for (int row = 0; row < model.rowCount() && (outside < 0 || inside < 0); ++row) {
            if (model.rowAt(row).family() != Family::IPv4 || model.rowAt(row).nextHops.size() != 1)
                continue;
            const bool otherColumns = text(row, RouteTableModel::Destination).contains(needle)
                || text(row, RouteTableModel::PrefSrc).contains(needle);
            if (otherColumns)
                continue;
            if (outside < 0 && !text(row, RouteTableModel::NextHops).contains(needle))
                outside = row;
            if (inside < 0 && text(row, RouteTableModel::NextHops) == QStringLiteral("9.9.9.9"))
                inside = row;
        }
        QVERIFY(outside >= 0 && inside >= 0);
        RouteRow gains = model.rowAt(outside);
        gains.nextHops.front().gateway = IpAddress::parse("9.9.9.10");
        RouteRow loses = model.rowAt(inside);
        loses.nextHops.front().gateway = IpAddress::parse("192.0.2.77");
        model.apply(record(ChangeKind::Parameter, model.rowAt(outside), gains));
        model.apply(record(ChangeKind::Parameter, model.rowAt(inside), loses));
        model.endBatch();
        check();
        QCOMPARE(fast.rowCount(), before + 1);

        // Re-keyed: a matching route moves to another destination (and sorted place).
        int moved = fast.mapToSource(fast.index(fast.rowCount() - 1, 0)).row();
        RouteRow renamed = model.rowAt(moved);
        renamed.destination = IpAddress::parse("10.250.250.0");
        model.apply(record(ChangeKind::Parameter, model.rowAt(moved), renamed));
        model.endBatch();
        check();

        // Removed: deleted rows go at the sweep.
        for (int row = 0; row < 40; ++row)
            model.apply(record(ChangeKind::Delete, model.rowAt(row), model.rowAt(row)));
        model.endBatch();
        model.sweep(model.markClockMs() + 10'000);
        check();
        // And a wider text afterwards (no stale rejections or ranks).
        fast.setFilterText(QStringLiteral("9."));
        check();
        fast.setFilterText(QString());
        check();
        QCOMPARE(fast.rowCount(), model.rowCount());
    }

    // The Routes tab's proxy: a required Protocol value on top of the filter text, set and
    // cleared on a table large enough for the rebuilt (not incremental) mapping.
    void columnFilterRequiredValueWithFilter()
    {
        RouteTableModel model;
        fillRoutes(model, 900);
        ColumnFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RouteTableModel::Destination);
        proxy.setFilterText(QStringLiteral("10.1"));
        QSortFilterProxyModel plain;
        plain.setFilterCaseSensitivity(Qt::CaseInsensitive);
        plain.setFilterKeyColumn(-1);
        plain.setSourceModel(&model);
        plain.setFilterFixedString(QStringLiteral("10.1"));
        const QString value = model.index(1, RouteTableModel::Protocol).data().toString();
        int expected = 0;
        for (int row = 0; row < plain.rowCount(); ++row)
            expected += plain.index(row, RouteTableModel::Protocol).data().toString() == value;
        QVERIFY(expected > 0 && expected < plain.rowCount());
        proxy.setRequiredValue(RouteTableModel::Protocol, value);
        QCOMPARE(proxy.rowCount(), expected);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, RouteTableModel::Protocol).data().toString(), value);
        proxy.clearRequiredValue();
        QCOMPARE(proxy.rowCount(), plain.rowCount());
    }

    // The filter text is plain text matched against one column's display text, ignoring
    // case; for another source model the same, over its display texts.
    void filterTextIsPlainTextIgnoringCase()
    {
        RouteTableModel model;
        fillRoutes(model, 50);
        ChangeTableProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setFilterText(QStringLiteral("zzz"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setFilterText(QStringLiteral("IPV6")); // one column's text, ignoring case
        QCOMPARE(proxy.rowCount(), 8); // i % 7 == 0 below 50

        QStringListModel names({QStringLiteral("Alpha"), QStringLiteral("beta"), QStringLiteral("GAMMA")});
        ChangeTableProxy other;
        QAbstractItemModelTester otherTester(&other, QAbstractItemModelTester::FailureReportingMode::QtTest);
        other.setSourceModel(&names);
        other.setFilterText(QStringLiteral("ALP"));
        QCOMPARE(other.rowCount(), 1);
        other.setFilterText(QStringLiteral("a"));
        QCOMPARE(other.rowCount(), 3);
        other.setFilterText(QStringLiteral("a.*"));
        QCOMPARE(other.rowCount(), 0); // plain text, not a pattern
        other.setFilterText(QString());
        other.sort(0, Qt::DescendingOrder); // by display text, no SortRole there
        QCOMPARE(other.index(0, 0).data().toString(), QStringLiteral("beta"));
        QCOMPARE(other.index(2, 0).data().toString(), QStringLiteral("Alpha"));
    }

    // Random sequences of what a live Routes table goes through (batches of added routes,
    // parameter changes that move rows, deletions swept away, filter texts typed and
    // widened, other sort columns and orders), with and without ranks: after each step the
    // proxy shows exactly the rows a fixed-string filter accepts, in the order of a stable
    // sort by compareRows() (equal rows in source order), and the model tester is content.
    void randomLiveSequencesKeepOrderAndFilter_data()
    {
        QTest::addColumn<int>("rankThreshold");
        QTest::addColumn<unsigned>("seed");
        // setShownKeysBuildLimit(): 0 no kept keys (new rows placed by sampled keys or by
        // comparing), 20,000 kept keys made from the shown rows, 100 from every row's key.
        QTest::addColumn<int>("keptLimit");
        for (unsigned seed : {1u, 2u, 3u}) {
            QTest::newRow(qPrintable(QStringLiteral("compared, seed %1").arg(seed))) << 1'000'000 << seed << 0;
            QTest::newRow(qPrintable(QStringLiteral("compared, kept keys, seed %1").arg(seed)))
                << 1'000'000 << seed << 20'000;
            QTest::newRow(qPrintable(QStringLiteral("ranked, kept keys, seed %1").arg(seed))) << 0 << seed << 20'000;
        }
        QTest::newRow("ranked, kept keys of every row, seed 1") << 0 << 1u << 100;
        QTest::newRow("ranked, kept keys of every row, seed 4") << 0 << 4u << 100;
    }
    void randomLiveSequencesKeepOrderAndFilter()
    {
        QFETCH(int, rankThreshold);
        QFETCH(unsigned, seed);
        QFETCH(int, keptLimit);
        std::mt19937 random(seed);
        const auto pick = [&random](int n) { return int(random() % unsigned(n)); };
        InterfaceNames names;
        names.set(1, QStringLiteral("eth0"));
        names.set(2, QStringLiteral("wg0"));
        names.set(3, QStringLiteral("br-lan"));
        RouteTableModel model(&names);
        fillRoutes(model, 700);
        ChangeTableProxy fast;
        fast.setRankThreshold(rankThreshold);
        fast.setShownKeysBuildLimit(std::size_t(keptLimit));
        QAbstractItemModelTester tester(&fast, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fast.setSourceModel(&model);
        QSortFilterProxyModel plain;
        plain.setFilterCaseSensitivity(Qt::CaseInsensitive);
        plain.setFilterKeyColumn(-1);
        plain.setSourceModel(&model);
        const int columns[] = {RouteTableModel::Destination, RouteTableModel::NextHops, RouteTableModel::Metric,
                               RouteTableModel::Protocol, RouteTableModel::Interface};
        const char *texts[] = {"", "1", "10.1", "10.12", "9.9", "eth", "wg0", "IPV6", "zzz", "2", "192.0.2", "static"};
        int next = 100'000;
        int keptChecks = 0; // checks while the shown rows' keys were kept
        const auto check = [&](const char *step) {
            keptChecks += fast.hasShownKeys();
            plain.setFilterFixedString(fast.filterText());
            QList<int> expected;
            for (int row = 0; row < plain.rowCount(); ++row)
                expected << plain.mapToSource(plain.index(row, 0)).row();
            std::sort(expected.begin(), expected.end());
            if (fast.sortColumn() >= 0) {
                const int column = fast.sortColumn();
                const bool ascending = fast.sortOrder() == Qt::AscendingOrder;
                std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) {
                    const int c = model.compareRows(a, b, column);
                    return ascending ? c < 0 : c > 0;
                });
            }
            const QList<int> shown = sourceOrder(fast);
            if (shown != expected && shown.size() == expected.size()) {
                for (int i = 0; i < shown.size(); ++i)
                    if (shown[i] != expected[i]) {
                        qWarning("first difference at %d: shown %d (%s) expected %d (%s); sort %d order %d", i,
                                 shown[i], qPrintable(model.index(shown[i], fast.sortColumn()).data().toString()),
                                 expected[i], qPrintable(model.index(expected[i], fast.sortColumn()).data().toString()),
                                 fast.sortColumn(), int(fast.sortOrder()));
                        break;
                    }
            }
            QVERIFY2(shown == expected,
                     qPrintable(QStringLiteral("after %1: %2 rows shown, %3 expected")
                                    .arg(QLatin1String(step))
                                    .arg(shown.size())
                                    .arg(expected.size())));
        };
        fast.sort(RouteTableModel::Destination);
        for (int step = 0; step < 60; ++step) {
            switch (pick(6)) {
            case 0: { // a batch of new routes, spread over the order
                const int count = 1 + pick(step % 2 ? 40 : 3);
                for (int k = 0; k < count; ++k) {
                    RouteRow r
                        = numberedRoute(next++ % 60'000, pick(2) ? "9.9.9.9" : "192.0.2.1", std::uint32_t(pick(20)));
                    r.destination
                        = IpAddress::parse("10." + std::to_string(pick(256)) + "." + std::to_string(pick(256)) + ".0");
                    model.apply(record(ChangeKind::Add, RouteRow(), r));
                }
                model.endBatch();
                check("added");
                break;
            }
            case 1: { // parameter changes: metric, gateway, or the destination itself
                for (int k = 0, count = 1 + pick(step % 3 ? 5 : 120); k < count; ++k) {
                    const int row = pick(model.rowCount());
                    if (model.changeState(row) == ChangeDeleted)
                        continue;
                    RouteRow after = model.rowAt(row);
                    if (after.family() != Family::IPv4 || after.nextHops.empty())
                        continue;
                    const int what = pick(3);
                    if (what == 0)
                        after.metric = std::uint32_t(pick(30));
                    else if (what == 1)
                        after.nextHops.front().gateway = IpAddress::parse(pick(2) ? "9.9.9.7" : "203.0.113.5");
                    else
                        after.destination = IpAddress::parse("10.200." + std::to_string(pick(256)) + ".0");
                    model.apply(record(ChangeKind::Parameter, model.rowAt(row), after));
                }
                model.endBatch();
                check("changed");
                break;
            }
            case 2: { // deletions, then the sweep removes them
                for (int k = 0, count = 1 + pick(step % 2 ? 30 : 2); k < count; ++k) {
                    const int row = pick(model.rowCount());
                    if (model.changeState(row) != ChangeDeleted)
                        model.apply(record(ChangeKind::Delete, model.rowAt(row), model.rowAt(row)));
                }
                model.endBatch();
                check("deleted");
                model.sweep(model.markClockMs() + 10'000);
                check("swept");
                break;
            }
            case 3:
                fast.setFilterText(QString::fromUtf8(texts[pick(std::size(texts))]));
                check("filter");
                break;
            case 4:
                fast.sort(columns[pick(std::size(columns))], pick(2) ? Qt::AscendingOrder : Qt::DescendingOrder);
                check("sort");
                break;
            default:
                model.sweep(model.markClockMs() + 10'000); // marks expire: nothing moves
                check("marks expired");
                break;
            }
            if (QTest::currentTestFailed())
                return;
        }
        // The kept keys were in use (sorted by a column with keys, rows came, went, moved).
        if (keptLimit > 0)
            QVERIFY2(keptChecks >= 5, qPrintable(QString::number(keptChecks)));
        else
            QCOMPARE(keptChecks, 0);
    }

    // New rows find their places by sort keys (the shown rows' kept keys, or a sample of the
    // shown rows' keys and then the rows between two samples) when that decodes fewer rows:
    // the order is the one that comparing every row gives, for every column with keys, both
    // orders, batches of one row to hundreds, with equal keys (metrics, IPv6 destinations
    // equal in their first 64 bits).
    void keyedPlacesEqualComparedPlaces_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("ascending");
        QTest::addColumn<int>("keptLimit"); // setShownKeysBuildLimit()
        int columns = 0;
        for (int c = 0; c < RouteTableModel::ColumnCount; ++c) {
            if (!RouteTableModel::hasFieldSortKey(c))
                continue;
            ++columns;
            const QString name = RouteTableModel().headerData(c, Qt::Horizontal).toString();
            // Kept keys made from the shown rows (3,000 of them) or from every row's key
            // (more shown rows than the limit), or sampled keys.
            for (int limit : {20'000, 100, 0}) {
                const QString how = limit == 20'000 ? QStringLiteral(", kept keys of shown rows")
                    : limit > 0                     ? QStringLiteral(", kept keys of every row")
                                                    : QStringLiteral(", sampled keys");
                QTest::newRow(qPrintable(name + QStringLiteral(" ascending") + how)) << c << true << limit;
                QTest::newRow(qPrintable(name + QStringLiteral(" descending") + how)) << c << false << limit;
            }
        }
        QVERIFY(columns >= 3); // destination, metric, next hops at least
    }
    void keyedPlacesEqualComparedPlaces()
    {
        QFETCH(int, column);
        QFETCH(bool, ascending);
        QFETCH(int, keptLimit);
        const bool kept = keptLimit > 0;
        const Qt::SortOrder order = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
        RouteTableModel model;
        fillRoutes(model, 3000);
        ChangeTableProxy keyed, compared;
        keyed.setShownKeysBuildLimit(std::size_t(keptLimit));
        compared.setKeyedPlaces(false);
        QAbstractItemModelTester tester(&keyed, QAbstractItemModelTester::FailureReportingMode::QtTest);
        keyed.setSourceModel(&model);
        compared.setSourceModel(&model);
        keyed.sort(column, order);
        compared.sort(column, order);
        QCOMPARE(keyed.hasShownKeys(), kept); // made by the sort
        std::mt19937 random(unsigned(column) * 2 + ascending);
        int next = 0;
        for (int batch : {1, 40, 400, 3, 900}) {
            for (int k = 0; k < batch; ++k, ++next) {
                const unsigned n = random();
                RouteRow r = n % 4 == 0
                    ? route("2001:db8:" + std::to_string(n % 50) + "::" + std::to_string(next % 997 + 1), 128,
                            n % 8 == 0 ? "fe80::1" : "fe80::2", 1, n % 3)
                    : route("10." + std::to_string(n % 256) + "." + std::to_string((n >> 8) % 256) + "."
                                + std::to_string(next % 256),
                            32, n % 3 ? "192.0.2.1" : "9.9.9.9", 1 + n % 3, (n >> 16) % 4);
                model.apply(record(ChangeKind::Add, RouteRow(), r));
            }
            model.endBatch();
            QCOMPARE(keyed.hasShownKeys(), kept);
            QVERIFY(!compared.hasShownKeys());
            const QList<int> shown = sourceOrder(keyed);
            QCOMPARE(shown.size(), model.rowCount());
            QCOMPARE(shown, sourceOrder(compared));
            for (qsizetype i = 0; i < shown.size(); ++i) {
                QCOMPARE(keyed.mapFromSource(model.index(shown[i], 0)).row(), int(i)); // both mappings agree
                if (i + 1 == shown.size())
                    break;
                const int c = model.compareRows(shown[i], shown[i + 1], column);
                QVERIFY((ascending ? c < 0 : c > 0) || (c == 0 && shown[i] < shown[i + 1]));
            }
        }
    }

    // Kept keys of many shown rows are given back once inserts stop, and a large insert
    // makes them again; without them, rows still go to their sorted places. A table of few
    // rows keeps them.
    void shownKeysGoAtRestAndComeBackForABurst()
    {
        RouteTableModel model;
        fillRoutes(model, 3000);
        ChangeTableProxy keyed, few, compared;
        keyed.setShownKeysBuildLimit(100);
        keyed.setShownKeysIdle(50, 200);
        few.setShownKeysIdle(50, 200); // default limit: 20,000 rows
        compared.setKeyedPlaces(false);
        QAbstractItemModelTester tester(&keyed, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (ChangeTableProxy *p : {&keyed, &few, &compared}) {
            p->setSourceModel(&model);
            p->sort(RouteTableModel::Destination, Qt::DescendingOrder);
        }
        QVERIFY(keyed.hasShownKeys()); // made by the sort
        QTRY_VERIFY_WITH_TIMEOUT(!keyed.hasShownKeys(), 2000);
        QVERIFY(few.hasShownKeys());
        int next = 0;
        const auto add = [&](int rows) {
            for (int k = 0; k < rows; ++k, ++next)
                model.apply(record(ChangeKind::Add, RouteRow(),
                                   route("10.200." + std::to_string(next / 250) + "." + std::to_string(next % 250), 32,
                                         "192.0.2.1", 1, next % 3)));
            model.endBatch();
        };
        add(10); // fewer than 200: placed by sampled keys
        QVERIFY(!keyed.hasShownKeys());
        QCOMPARE(sourceOrder(keyed), sourceOrder(compared));
        add(250); // a burst: made again, in one pass
        QVERIFY(keyed.hasShownKeys());
        QCOMPARE(sourceOrder(keyed), sourceOrder(compared));
        add(3);
        QVERIFY(keyed.hasShownKeys()); // kept while inserts come
        QCOMPARE(sourceOrder(keyed), sourceOrder(compared));
        QTRY_VERIFY_WITH_TIMEOUT(!keyed.hasShownKeys(), 2000);
        QVERIFY(few.hasShownKeys());
        QCOMPARE(sourceOrder(few), sourceOrder(compared));
        keyed.setShownKeysIdle(0, 200); // 0: kept at rest
        add(300);
        QVERIFY(keyed.hasShownKeys());
        QTest::qWait(150);
        QVERIFY(keyed.hasShownKeys());
        QCOMPARE(sourceOrder(keyed), sourceOrder(compared));
    }

    // A filter change that brings back many rows is one layout change (not thousands of
    // row inserts), and the current and selected rows stay on their routes through it.
    void wideningFollowsTheCurrentRowInOneLayoutChange()
    {
        RouteTableModel model;
        fillRoutes(model, 2000);
        ChangeTableProxy proxy;
        proxy.setRankThreshold(0);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RouteTableModel::Destination, Qt::DescendingOrder);
        proxy.setFilterText(QStringLiteral("10.3"));
        QVERIFY2(proxy.rowCount() > 2 && proxy.rowCount() < 200, qPrintable(QString::number(proxy.rowCount())));
        const QPersistentModelIndex current = proxy.index(1, RouteTableModel::Metric);
        const int sourceRow = proxy.mapToSource(current).row();
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        proxy.setFilterText(QStringLiteral("10."));
        QVERIFY(proxy.rowCount() > 1000);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(layout.count(), 1);
        QVERIFY(current.isValid());
        QCOMPARE(current.column(), int(RouteTableModel::Metric));
        QCOMPARE(proxy.mapToSource(current).row(), sourceRow);
        // Narrowed again so that it is filtered out: the persistent index is gone.
        proxy.setFilterText(QStringLiteral("zzz"));
        QVERIFY(!current.isValid());
    }

    // Rows appended in a few places of a sorted table arrive as row inserts there; appended
    // all over it, as one layout change.
    void appendedRowsAreInsertedOrLaidOut()
    {
        RouteTableModel model;
        for (int i = 0; i < 400; ++i)
            model.apply(initial(numberedRoute(i * 2)));
        model.endBatch();
        ChangeTableProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.sort(RouteTableModel::Destination);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        model.apply(record(ChangeKind::Add, RouteRow(), numberedRoute(1))); // between 0 and 2
        model.apply(record(ChangeKind::Add, RouteRow(), numberedRoute(3)));
        model.endBatch();
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(proxy.index(1, RouteTableModel::Destination).data().toString(), QStringLiteral("10.0.1.0/24"));
        QCOMPARE(proxy.index(3, RouteTableModel::Destination).data().toString(), QStringLiteral("10.0.3.0/24"));
        inserted.clear();
        for (int i = 0; i < 100; ++i)
            model.apply(record(ChangeKind::Add, RouteRow(), numberedRoute(i * 8 + 5)));
        model.endBatch();
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(layout.count(), 1);
        QCOMPARE(proxy.rowCount(), 502);
        for (int row = 0; row + 1 < proxy.rowCount(); ++row)
            QVERIFY(model.compareRows(proxy.mapToSource(proxy.index(row, 0)).row(),
                                      proxy.mapToSource(proxy.index(row + 1, 0)).row(), RouteTableModel::Destination)
                    < 0);
    }

    // The Expires column counts down with one dataChanged per run of neighbouring rows
    // that have an expiry, over that column only (not over every route of the table).
    void expiresTickCoversOnlyExpiringRows()
    {
        RouteTableModel model;
        for (int i = 0; i < 12; ++i) {
            RouteRow r = numberedRoute(i);
            if (i == 2 || i == 3 || i == 7)
                r.expiresUs = nowUs() + 120'000'000;
            model.apply(initial(r));
        }
        model.endBatch();
        ChangeTableProxy proxy;
        proxy.setSourceModel(&model);
        proxy.setFilterText(QStringLiteral("s")); // "static", and the "Ns" countdowns
        QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 3000);
        QSet<QPair<int, int>> ranges;
        for (const QList<QVariant> &args : std::as_const(spy)) {
            const QModelIndex topLeft = args.at(0).toModelIndex();
            const QModelIndex bottomRight = args.at(1).toModelIndex();
            QCOMPARE(topLeft.column(), int(RouteTableModel::Expires));
            QCOMPARE(bottomRight.column(), int(RouteTableModel::Expires));
            ranges.insert({topLeft.row(), bottomRight.row()});
        }
        QCOMPARE(ranges, (QSet<QPair<int, int>> {{2, 3}, {7, 7}}));
        QCOMPARE(proxy.rowCount(), 12);
        QVERIFY(model.index(7, RouteTableModel::Expires).data().toString().endsWith(QLatin1Char('s')));
    }
};

QTEST_MAIN(TestChangeTableProxy)
#include "tst_changetableproxy.moc"

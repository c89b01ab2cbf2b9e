// SPDX-License-Identifier: GPL-2.0-or-later
// CoveringRoutes over a real RouteTableModel: after every batch of random adds, changes
// (in place and re-keyed), deletes, returns before the sweep and sweeps, the routes it holds
// are exactly those a read of the whole table finds covering the destination (not marked
// deleted), and it asked for the answer again (changed()) only when a covering route came,
// changed or went; a table reset and a new destination read the table again.
#include "model/tables/coveringroutes.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/diff.h"
#include "platform/routelookup.h"

#include <QSignalSpy>
#include <QTest>

#include <map>
#include <random>
#include <set>

using namespace ncv;
using namespace ncv::platform;

namespace {

ChangeRecord record(ChangeKind kind, const RouteRow *before, const RouteRow *after)
{
    ChangeRecord r;
    r.object = ObjectKind::Route;
    r.change = kind;
    r.family = Family::IPv4;
    if (before)
        r.before = *before;
    if (after)
        r.after = *after;
    if (before && after)
        r.changedFields = diff(*before, *after);
    return r;
}

// A route of 10.a.b.0/len (len in 8, 16, 24, 32, or 0 for the default) via if ifIndex.
RouteRow route(std::uint8_t a, std::uint8_t b, std::uint8_t len, std::uint32_t metric, std::uint32_t ifIndex)
{
    RouteRow r;
    r.destination = len == 0 ? IpAddress::v4(0, 0, 0, 0) : IpAddress::v4(10, a, b, 0);
    r.prefixLength = len;
    // Masked as the kernel keeps a prefix.
    if (len < 32 && len > 0) {
        for (unsigned i = len; i < 32; ++i)
            r.destination.bytes[i / 8] &= std::uint8_t(~(0x80u >> (i % 8)));
    }
    r.metric = metric;
    r.table = 254;
    r.protocol = 3;
    r.nextHops.push_back(NextHop {IpAddress::v4(10, 9, 0, 2), ifIndex, 1});
    return r;
}

// The key the table tells routes apart by (Linux: table, prefix, TOS, metric).
using Key = std::tuple<IpAddress, std::uint8_t, std::uint32_t>;
Key keyOf(const RouteRow &r)
{
    return {r.destination, r.prefixLength, r.metric};
}

std::set<Key> fullScan(const RouteTableModel &table, const IpAddress &destination)
{
    std::set<Key> out;
    table.forEachRow([&](int row, const RouteRow &r) {
        if (table.changeState(row) != ChangeDeleted && prefixCovers(r, destination))
            out.insert(keyOf(r));
    });
    return out;
}

std::set<Key> held(const CoveringRoutes &c)
{
    std::set<Key> out;
    for (const RouteRow &r : c.routes())
        out.insert(keyOf(r));
    return out;
}

} // namespace

class TestCoveringRoutes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsRandomChanges();
    void resetAndNewDestination();
};

void TestCoveringRoutes::followsRandomChanges()
{
    RouteTableModel table;
    CoveringRoutes covering;
    const IpAddress destination = IpAddress::v4(10, 1, 2, 3);
    covering.watch(&table, destination);
    QSignalSpy changed(&covering, &CoveringRoutes::changed);
    std::mt19937 g(42);
    std::map<Key, RouteRow> live; // what the table holds (not deleted)
    qint64 clockMs = 0;
    int coveringEvents = 0, otherEvents = 0;
    for (int batch = 0; batch < 300; ++batch) {
        bool coverTouched = false;
        const int n = 1 + int(g() % 8);
        for (int k = 0; k < n; ++k) {
            // Half the routes in 10.1.x.x (some covering 10.1.2.3), the rest elsewhere.
            const std::uint8_t a = g() % 2 ? 1 : std::uint8_t(2 + g() % 3);
            const std::uint8_t b = g() % 2 ? 2 : std::uint8_t(g() % 4);
            const std::uint8_t lens[] = {0, 8, 16, 24, 32};
            const std::uint8_t len = lens[g() % 5];
            RouteRow r = route(a, b, len, g() % 3, 1 + g() % 4);
            if (len == 32)
                r.destination = g() % 2 ? destination : IpAddress::v4(10, a, b, std::uint8_t(g() % 4));
            const bool covers = prefixCovers(r, destination);
            const auto it = live.find(keyOf(r));
            const unsigned op = g() % 4;
            if (it == live.end()) {
                table.apply(record(ChangeKind::Add, nullptr, &r));
                live.emplace(keyOf(r), r);
            } else if (op == 0) {
                table.apply(record(ChangeKind::Delete, &it->second, nullptr));
                live.erase(it);
            } else if (op == 1) {
                // Re-keyed: another metric (the same row, a new key).
                RouteRow after = it->second;
                after.metric += 3;
                if (live.count(keyOf(after)))
                    continue;
                table.apply(record(ChangeKind::Parameter, &it->second, &after));
                live.erase(it);
                live.emplace(keyOf(after), after);
            } else {
                RouteRow after = it->second;
                after.nextHops.front().ifIndex = 1 + g() % 4;
                if (after.nextHops == it->second.nextHops)
                    continue;
                table.apply(record(ChangeKind::Parameter, &it->second, &after));
                it->second = after;
            }
            coverTouched = coverTouched || covers;
            (covers ? coveringEvents : otherEvents)++;
        }
        const qsizetype before = changed.size();
        table.endBatch();
        if (g() % 3 == 0) {
            clockMs += 5000;
            table.sweep(table.markClockMs() + clockMs); // removes rows marked deleted, renumbers
        }
        QCOMPARE(held(covering), fullScan(table, destination));
        if (!coverTouched)
            QCOMPARE(changed.size(), before); // no covering route changed: no new answer
    }
    QVERIFY(coveringEvents > 100);
    QVERIFY(otherEvents > 100);
    QCOMPARE(covering.fullScans(), quint64(1)); // only the first read
}

void TestCoveringRoutes::resetAndNewDestination()
{
    RouteTableModel table;
    const RouteRow wide = route(0, 0, 8, 0, 1), narrow = route(1, 2, 24, 0, 2), other = route(5, 0, 16, 0, 3);
    for (const RouteRow *r : {&wide, &narrow, &other})
        table.apply(record(ChangeKind::Initial, nullptr, r));
    table.endBatch();
    CoveringRoutes covering;
    covering.watch(&table, IpAddress::v4(10, 1, 2, 3));
    QCOMPARE(covering.size(), std::size_t(2));
    covering.watch(&table, IpAddress::v4(10, 5, 0, 1));
    QCOMPARE(covering.size(), std::size_t(2));
    QCOMPARE(covering.fullScans(), quint64(2));
    // A whole state swapped in (the tables at another moment): read again, once.
    QSignalSpy changed(&covering, &CoveringRoutes::changed);
    platform::PackedRows<RouteRow> rows;
    rows.push_back(narrow);
    table.swapRows(rows);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(covering.size(), std::size_t(0));
    covering.watch(&table, IpAddress::v4(10, 1, 2, 200));
    QCOMPARE(covering.size(), std::size_t(1));
    // Another family or no destination: nothing held, nothing read.
    covering.watch(&table, IpAddress::parse("2001:db8::1"));
    QCOMPARE(covering.size(), std::size_t(0));
    covering.watch(nullptr, {});
    QCOMPARE(covering.size(), std::size_t(0));
}

QTEST_MAIN(TestCoveringRoutes)
#include "tst_coveringroutes.moc"

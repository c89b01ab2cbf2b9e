// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_lookupbench N [BATCHES]: the Route Lookup panel's work on the GUI thread with a Routes
// table of N /32 routes (20.x.y.z/32 via 10.9.0.2 dev 2, as ncv_bench and bench.sh load them)
// plus three covering routes (0.0.0.0/0, 20.0.0.0/8, and the destination's /32).
// Prints "key value" lines (figures, never asserted), side by side:
//   scan_*      the panel's former answer: decode every row, keep those covering the
//               destination, then lookupRoute() (what each recompute did, every 250 ms at most)
//   covering_*  CoveringRoutes: the one whole-table read (a new destination or table), the
//               answer from the rows it holds, and what a stream of changes costs it: BATCHES
//               batches of 1000 metric changes of routes that do not cover the destination
//               (table apply + endBatch, with and without it attached; its own part measured
//               inside it) and how many times it asked for the answer again (the former
//               panel: after every batch).
// tests/bench/lookup.sh runs it next to `ip route get` on the same routes in a namespace.
#include "model/tables/coveringroutes.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/routelookup.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ncv;
using namespace ncv::platform;

namespace {

void out(const char *key, double value)
{
    std::printf("%s %.9g\n", key, value);
    std::fflush(stdout);
}

RouteRow route(qint64 i)
{
    RouteRow r;
    r.destination
        = IpAddress::v4(std::uint8_t(20 + (i >> 24)), std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
    r.prefixLength = 32;
    r.protocol = 3;
    r.type = 1;
    r.table = 254;
    r.nextHops.push_back(NextHop {IpAddress::v4(10, 9, 0, 2), 2, 1});
    return r;
}

RouteRow covering(IpAddress destination, std::uint8_t length, std::uint32_t ifIndex)
{
    RouteRow r;
    r.destination = destination;
    r.prefixLength = length;
    r.protocol = 3;
    r.table = 254;
    r.nextHops.push_back(NextHop {IpAddress::v4(10, 9, 0, 3), ifIndex, 1});
    return r;
}

ChangeRecord record(ChangeKind kind, const RouteRow &before, const RouteRow &after)
{
    ChangeRecord c;
    c.object = ObjectKind::Route;
    c.change = kind;
    c.family = Family::IPv4;
    if (kind == ChangeKind::Parameter)
        c.before = before;
    c.after = after;
    return c;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// The panel's answer before CoveringRoutes: every row decoded and tested.
RouteAnswer scanAnswer(const RouteTableModel &table, const RouteQuery &query, std::span<const PolicyRule> rules)
{
    std::vector<RouteRow> routes;
    table.forEachRow([&](int row, const RouteRow &r) {
        if (table.changeState(row) != ChangeDeleted && prefixCovers(r, query.destination))
            routes.push_back(r);
    });
    return lookupRoute(query, routes, rules);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 n = args.value(1, QStringLiteral("1000000")).toLongLong();
    const int batches = args.value(2, QStringLiteral("20")).toInt();
    if (n < 1000 || batches < 1) {
        std::fprintf(stderr, "usage: ncv_lookupbench N [BATCHES]   (N >= 1000)\n");
        return 2;
    }

    RouteTableModel table;
    for (qint64 first = 0; first < n; first += 10000) {
        for (qint64 i = first; i < std::min(n, first + 10000); ++i)
            table.apply(record(ChangeKind::Initial, {}, route(i)));
        table.endBatch();
    }
    const qint64 target = n / 2;
    const RouteRow targetRoute = route(target);
    table.apply(record(ChangeKind::Initial, {}, covering(IpAddress::v4(0, 0, 0, 0), 0, 3)));
    table.apply(record(ChangeKind::Initial, {}, covering(IpAddress::v4(20, 0, 0, 0), 8, 4)));
    table.endBatch();
    out("routes", table.rowCount());

    RouteQuery query;
    query.destination = targetRoute.destination;
    const std::vector<PolicyRule> rules = defaultPolicyRules(Family::IPv4);
    constexpr int kRepeats = 7;

    std::vector<double> scanMs;
    RouteAnswer scanned;
    for (int i = 0; i < kRepeats; ++i) {
        QElapsedTimer t;
        t.start();
        scanned = scanAnswer(table, query, rules);
        scanMs.push_back(t.nsecsElapsed() / 1e6);
    }
    out("scan_answer_ms_median", median(scanMs));
    out("scan_answer_ms_max", *std::max_element(scanMs.begin(), scanMs.end()));

    CoveringRoutes cover;
    std::vector<double> readMs;
    for (int i = 0; i < kRepeats; ++i) {
        QElapsedTimer t;
        t.start();
        cover.watch(&table, IpAddress {});
        cover.watch(&table, query.destination);
        readMs.push_back(t.nsecsElapsed() / 1e6);
    }
    out("covering_read_ms_median", median(readMs));
    out("covering_held", double(cover.size()));
    std::vector<double> answerUs;
    RouteAnswer answered;
    for (int i = 0; i < 101; ++i) {
        QElapsedTimer t;
        t.start();
        const std::vector<RouteRow> routes = cover.routes();
        answered = lookupRoute(query, routes, rules);
        answerUs.push_back(t.nsecsElapsed() / 1e3);
    }
    out("covering_answer_us_median", median(answerUs));
    out("answers_equal", answered.sameChoice(scanned) ? 1 : 0);

    // A stream of changes that do not cover the destination: next-hop changes of /32s.
    int asked = 0;
    QObject::connect(&cover, &CoveringRoutes::changed, [&asked] { ++asked; });
    std::vector<double> withMs, withoutMs;
    qint64 next = 0;
    const auto batch = [&](std::vector<double> *ms) {
        QElapsedTimer t;
        t.start();
        for (int k = 0; k < 1000; ++k) {
            qint64 i = (next++ * 7919) % n;
            if (i == target)
                i = (i + 1) % n;
            const RouteRow before = route(i);
            RouteRow after = before;
            after.nextHops.front().ifIndex = 6; // not in the key: the row changes in place
            table.apply(record(ChangeKind::Parameter, before, after));
        }
        table.endBatch();
        ms->push_back(t.nsecsElapsed() / 1e6);
    };
    const quint64 examined0 = cover.rowsExamined();
    const qint64 follow0 = cover.followNs();
    for (int b = 0; b < batches; ++b)
        batch(&withMs);
    const quint64 examined = cover.rowsExamined() - examined0;
    // Its own time in the table's signals (the batch times below differ by noise only).
    out("covering_follow_us_per_batch", double(cover.followNs() - follow0) / 1e3 / batches);
    out("covering_batch_ms_median", median(withMs));
    out("covering_rows_examined_per_batch", double(examined) / batches);
    out("covering_answers_asked", asked);
    out("scan_answers_asked", batches); // the former panel recomputed after every batch
    cover.watch(nullptr, {});
    for (int b = 0; b < batches; ++b)
        batch(&withoutMs);
    out("table_batch_ms_median", median(withoutMs));

    // One change of a covering route: asked once, the answer follows it.
    cover.watch(&table, query.destination);
    asked = 0;
    RouteRow moved = covering(IpAddress::v4(20, 0, 0, 0), 8, 4);
    RouteRow movedAfter = moved;
    movedAfter.nextHops.front().ifIndex = 5;
    table.apply(record(ChangeKind::Parameter, moved, movedAfter));
    table.endBatch();
    out("covering_change_answers_asked", asked);
    out("scan_stream_gui_ms_per_s", median(scanMs) * (1000.0 / std::max<double>(250, 4 * median(scanMs))));
    return 0;
}

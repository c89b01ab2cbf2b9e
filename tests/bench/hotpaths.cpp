// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_bench hot N [R [PART]]: the hot paths of N routes, each measured as the best of R runs
// (default 5) in CPU seconds of the whole process (all threads): on a shared machine that
// is steadier than the time on the clock. Printed as "key value":
//   store_*     StateStore (the packed route table): N adds, N no-op upserts (lookup, decode,
//               diff), N parameter changes (a new gateway, replaced), N removes
//   codec_*     the event history's record codec: encode, decode, peek of N route events
//   csv_*       the CSV export of N route events into memory
//   table_*     the Routes table at N rows: sortKeys of every column (sum), a ranked proxy
//               sort of every column (sum), a whole state of N rows swapped in (swapRows:
//               one model reset and the key index rebuilt), a filter scan (rowContains)
//               per needle
//   insert_*    the sorted Routes table's proxy at N rows (arrived in random order) told of
//               publications of 5,000 more routes scattered over it (a full table arriving
//               in random order): CPU seconds per publication, places found by the shown
//               rows' kept keys (insert_kept_s: sorted while the table was empty), by
//               sampled keys (insert_sampled_s: kept keys off) and by comparing rows
//               (insert_compared_s); insert_rest_first_s: the first publication after
//               the kept keys were given back at rest (it makes them again, one pass over
//               every row), insert_rest_s: the publications after it
// PART (store, codec, csv, table, filter, insert) runs only that part (e.g. under perf stat).
// Synthetic routes: 7 of 8 IPv4 /32 via one gateway, 1 of 8 IPv6 /64 with two next hops.
#include "hotpaths.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/routetablemodel.h"
#include "platform/statestore.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <ctime>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace ncv;
using namespace ncv::platform;

namespace {

RouteRow hotRoute(qint64 i)
{
    RouteRow r;
    r.protocol = 3;
    r.table = 254;
    if (i % 8 == 7) {
        std::uint8_t bytes[16]
            = {0x20,           0x01, 0x0d, 0xb8, std::uint8_t(i >> 24), std::uint8_t(i >> 16), std::uint8_t(i >> 8),
               std::uint8_t(i)};
        r.destination = IpAddress::fromBytes(Family::IPv6, bytes, 16);
        r.prefixLength = 64;
        r.metric = 1024;
        NextHop a, b;
        a.gateway = IpAddress::parse("fe80::1");
        a.ifIndex = 2;
        a.weight = 1;
        b.gateway = IpAddress::parse("fe80::2");
        b.ifIndex = 3;
        b.weight = 2;
        r.nextHops = {a, b};
        return r;
    }
    r.destination
        = IpAddress::v4(std::uint8_t(20 + (i >> 24)), std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
    r.prefixLength = 32;
    NextHop hop;
    hop.gateway = IpAddress::v4(10, 9, 0, 2);
    hop.ifIndex = 2;
    r.nextHops.push_back(hop);
    return r;
}

ChangeRecord hotRecord(const RouteRow &r, qint64 i)
{
    ChangeRecord c;
    c.object = ObjectKind::Route;
    c.change = ChangeKind::Initial;
    c.family = r.family();
    c.timeUs = 1'795'000'000'000'000 + i;
    c.after = r;
    return c;
}

void out(const char *key, double value)
{
    std::printf("%s %.6g\n", key, value);
    std::fflush(stdout);
}

/// CPU time used by the process (every thread) since start() / restart().
class CpuClock {
public:
    CpuClock() { restart(); }
    void restart() { m_start = now(); }
    double seconds() const { return now() - m_start; }

private:
    static double now()
    {
        timespec t {};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
    }
    double m_start = 0;
};

/// Best of `repeats` runs of fn, CPU seconds. fn(clock) restarts the clock after its set-up.
double best(int repeats, const std::function<void(CpuClock &)> &fn)
{
    double s = std::numeric_limits<double>::max();
    for (int k = 0; k < repeats; ++k) {
        CpuClock clock;
        fn(clock);
        s = std::min(s, clock.seconds());
    }
    return s;
}

} // namespace

int benchHotPaths(qint64 n, int repeats, const QString &part)
{
    const auto run = [&part](const char *name) { return part.isEmpty() || part == QLatin1StringView(name); };
    std::vector<RouteRow> rows;
    rows.reserve(std::size_t(n));
    for (qint64 i = 0; i < n; ++i)
        rows.push_back(hotRoute(i));
    std::vector<RouteRow> moved = rows;
    for (RouteRow &r : moved)
        r.nextHops.front().gateway.bytes[r.family() == Family::IPv4 ? 3 : 15] ^= 1;
    volatile std::size_t sink = 0;

    // --- StateStore / PackedRouteTable -----------------------------------------------------
    double add = std::numeric_limits<double>::max(), noop = add, change = add, remove = add;
    for (int k = 0; k < (run("store") ? repeats : 0); ++k) {
        StateStore store;
        ChangeRecord r;
        CpuClock clock;
        for (const RouteRow &row : rows)
            sink = sink + store.upsert(row, 1, Origin::Observed, &r);
        add = std::min(add, clock.seconds());
        clock.restart();
        for (const RouteRow &row : rows)
            sink = sink + store.upsert(row, 2, Origin::Observed, &r);
        noop = std::min(noop, clock.seconds());
        clock.restart();
        for (const RouteRow &row : moved) // NLM_F_REPLACE: a new gateway is a parameter change
            sink = sink + store.upsert(row, 3, Origin::Observed, &r, true);
        change = std::min(change, clock.seconds());
        clock.restart();
        for (const RouteRow &row : moved)
            sink = sink + store.remove(row, 4, Origin::Observed, &r);
        remove = std::min(remove, clock.seconds());
    }
    if (run("store")) {
        out("store_add_s", add);
        out("store_noop_s", noop);
        out("store_change_s", change);
        out("store_remove_s", remove);
    }

    // --- event codec -------------------------------------------------------------------------
    std::vector<ChangeRecord> records;
    records.reserve(std::size_t(n));
    for (qint64 i = 0; i < n; ++i)
        records.push_back(hotRecord(rows[std::size_t(i)], i));
    std::string blob;
    std::vector<std::size_t> offsets;
    if (run("codec")) {
        out("codec_encode_s", best(repeats, [&](CpuClock &) {
                blob.clear();
                offsets.clear();
                for (const ChangeRecord &c : records) {
                    offsets.push_back(blob.size());
                    eventcodec::encode(c, blob);
                }
            }));
        out("codec_bytes_per_event", double(blob.size()) / double(std::max<qint64>(1, n)));
        out("codec_decode_s", best(repeats, [&](CpuClock &) {
                for (std::size_t i = 0; i < offsets.size(); ++i) {
                    ChangeRecord c;
                    eventcodec::decode(blob.data() + offsets[i], blob.data() + blob.size(), &c);
                    sink = sink + c.changedFields;
                }
            }));
        out("codec_peek_s", best(repeats, [&](CpuClock &) {
                for (std::size_t i = 0; i < offsets.size(); ++i) {
                    eventcodec::Peek peek;
                    eventcodec::peek(blob.data() + offsets[i], blob.data() + blob.size(), &peek);
                    sink = sink + peek.ifIndex;
                }
            }));
    }
    if (run("insert")) {
        constexpr int kPublication = 5000;
        constexpr int kPublications = 10;
        std::vector<ChangeRecord> arriving;
        arriving.reserve(std::size_t(n) + kPublication * kPublications);
        for (qint64 i = 0; i < n + kPublication * kPublications; ++i)
            arriving.push_back(hotRecord(hotRoute(i), i));
        std::mt19937 random(7);
        std::shuffle(arriving.begin(), arriving.end(), random);
        // kept: the proxy sorted while the table was empty keeps the shown rows' keys;
        // sampled: kept keys off (limit 0), it reads sampled keys per publication;
        // compared: no keys at all.
        for (const char *mode : {"kept", "rest", "sampled", "compared"}) {
            const bool rest = std::strcmp(mode, "rest") == 0;
            const bool kept = rest || std::strcmp(mode, "kept") == 0;
            double total = 0, first = 0;
            for (int k = 0; k < repeats; ++k) {
                RouteTableModel model;
                ChangeTableProxy proxy;
                proxy.setKeyedPlaces(std::strcmp(mode, "compared") != 0);
                if (!kept)
                    proxy.setShownKeysBuildLimit(0);
                if (kept) {
                    proxy.setSourceModel(&model);
                    proxy.sort(RouteTableModel::Destination);
                }
                for (qint64 i = 0; i < n; ++i)
                    model.apply(arriving[std::size_t(i)]);
                model.endBatch();
                if (!kept) {
                    proxy.setSourceModel(&model);
                    proxy.sort(RouteTableModel::Destination);
                }
                if (proxy.hasShownKeys() != kept) {
                    std::fprintf(stderr, "insert: shown keys %s where %s expected\n",
                                 proxy.hasShownKeys() ? "kept" : "missing", kept ? "kept" : "none");
                    return 1;
                }
                if (rest) { // the table at rest: its kept keys go
                    proxy.setShownKeysIdle(1, kPublication / 5);
                    QElapsedTimer waited;
                    waited.start();
                    while (proxy.hasShownKeys() && waited.elapsed() < 5000) {
                        QThread::msleep(2);
                        QCoreApplication::processEvents();
                    }
                    if (proxy.hasShownKeys()) {
                        std::fprintf(stderr, "insert: kept keys not given back at rest\n");
                        return 1;
                    }
                }
                double spent = 0;
                for (int p = 0; p < kPublications; ++p) {
                    for (qint64 i = 0; i < kPublication; ++i)
                        model.apply(arriving[std::size_t(n + p * kPublication + i)]);
                    CpuClock clock;
                    model.endBatch(); // the proxy places the new rows
                    const double seconds = clock.seconds();
                    if (rest && p == 0)
                        first = k == 0 ? seconds : std::min(first, seconds);
                    else
                        spent += seconds;
                }
                sink = sink + std::size_t(proxy.rowCount());
                total = k == 0 ? spent : std::min(total, spent);
            }
            if (rest)
                out("insert_rest_first_s", first);
            out((std::string("insert_") + mode + "_s").c_str(), total / (rest ? kPublications - 1 : kPublications));
        }
    }
    if (!run("csv") && !run("table") && !run("filter"))
        return sink == 42 ? 1 : 0;

    // --- CSV export ---------------------------------------------------------------------------
    EventHistory history;
    {
        std::vector<EventHistory::Entry> entries;
        entries.reserve(std::size_t(n));
        for (const ChangeRecord &c : records)
            entries.push_back({c, QStringLiteral("nb0")});
        history.append(std::move(entries));
    }
    qint64 csvBytes = 0;
    if (run("csv")) {
        out("csv_export_s", best(repeats, [&](CpuClock &clock) {
                QBuffer buffer;
                buffer.buffer().reserve(qsizetype(n) * 200);
                buffer.open(QIODevice::WriteOnly);
                clock.restart();
                QString error;
                csv::write(history, &buffer, &error);
                csvBytes = buffer.size();
            }));
        out("csv_bytes", double(csvBytes));
    }

    // --- Routes table ------------------------------------------------------------------------
    RouteTableModel table;
    for (const ChangeRecord &c : records)
        table.apply(c);
    table.endBatch();
    if (run("table")) {
        out("table_sortkeys_s", best(repeats, [&](CpuClock &) {
                std::vector<ChangeTableModel::SortKey> keys;
                for (int column = 0; column < table.columnCount(); ++column)
                    sink = sink + table.sortKeys(column, keys);
            }));
        double sortTotal = 0;
        for (int column = 0; column < table.columnCount(); ++column) {
            const double s = best(repeats, [&](CpuClock &clock) {
                ChangeTableProxy proxy;
                proxy.setRankThreshold(0);
                proxy.setSourceModel(&table);
                clock.restart();
                proxy.sort(column);
            });
            std::fprintf(stderr, "sort %s: %.4f s\n", qPrintable(table.headerData(column, Qt::Horizontal).toString()),
                         s);
            sortTotal += s;
        }
        out("table_sort_s", sortTotal);
        platform::PackedRows<RouteRow> state; // the same rows again, as another moment's state
        table.forEachRow([&](int, const RouteRow &r) { state.push_back(r); });
        out("table_swap_s", best(repeats, [&](CpuClock &clock) {
                clock.restart();
                table.swapRows(state);
            }));
    }
    if (!run("filter"))
        return sink == 42 ? 1 : 0;
    const char *needles[] = {"20.0.1", "2", "zzz", "boot", "fe80::2"};
    quint64 generation = 1'000'000;
    double filterTotal = 0;
    for (const char *text : needles) {
        ChangeTableModel::Needle needle;
        needle.text = QString::fromUtf8(text);
        needle.lowerUtf8 = text;
        int matched = 0;
        const double s = best(repeats, [&](CpuClock &clock) {
            needle.generation = ++generation;
            table.prepareContains(needle);
            clock.restart();
            matched = 0;
            for (int row = 0; row < table.rowCount(); ++row)
                matched += table.rowContains(row, needle);
        });
        std::fprintf(stderr, "filter \"%s\": %d rows, %.4f s\n", text, matched, s);
        filterTotal += s;
    }
    out("table_filter_s", filterTotal);
    return sink == 42 ? 1 : 0;
}

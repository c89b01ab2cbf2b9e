// SPDX-License-Identifier: GPL-2.0-or-later
// EventHistory's compact store: the record codec round-trips every row kind
// and rejects truncated input, storage stays under 100 bytes per IPv4 route event, the
// capacity limit drops the oldest events with signals (and EventLogModel follows under
// QAbstractItemModelTester), a Snapshot is immutable and readable from another thread
// while the history grows, clear() keeps sequence numbers going; peek() reads what decode()
// reads; appendEncoded() stores what append() stores.
#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "platform/format.h"
#include "platform/rowfields.h"
#include "support/modeltestrows.h"
#include "support/randomrows.h"

#include "model/tables/tablemodelroles.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <limits>
#include <thread>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {

ChangeRecord make(ObjectKind object, ChangeKind change, Row after, Row before = {}, qint64 t = 1'795'000'000'000'000)
{
    ChangeRecord r;
    r.object = object;
    r.change = change;
    r.timeUs = t;
    r.after = std::move(after);
    r.before = std::move(before);
    return r;
}

ChangeRecord routeEvent(qint64 i)
{
    RouteRow r;
    r.destination = IpAddress::v4(20, std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
    r.prefixLength = 32;
    r.protocol = 3;
    NextHop hop;
    hop.gateway = IpAddress::v4(10, 9, 0, 2);
    hop.ifIndex = 2;
    r.nextHops.push_back(hop);
    ChangeRecord c = make(ObjectKind::Route, ChangeKind::Initial, r, {}, 1'795'000'000'000'000 + i);
    c.family = Family::IPv4;
    return c;
}

/// Every field that the text forms show, plus the raw fields they do not.
QString describe(const ChangeRecord &r)
{
    QString text = QString::fromStdString(summary(r, "x") + " | " + details(r) + " | " + keyText(r.row()));
    for (const Row *row : {&r.before, &r.after}) {
        for (const auto &[name, value] : fieldTexts(*row))
            text += QString::fromStdString(" " + name + "=" + value);
        if (const auto *rt = std::get_if<RouteRow>(row))
            text += QStringLiteral(" exp=%1 nh=%2 tos=%3 luid=%4 w=%5")
                        .arg(rt->expiresUs)
                        .arg(rt->nhId)
                        .arg(rt->tos)
                        .arg(rt->luid)
                        .arg(rt->nextHops.empty() ? 0 : rt->nextHops.back().weight);
        if (const auto *a = std::get_if<AddressRow>(row))
            text += QStringLiteral(" vu=%1 pu=%2").arg(a->validUntilUs).arg(a->preferredUntilUs);
        if (const auto *i = std::get_if<InterfaceRow>(row))
            text += QStringLiteral(" lt=%1 luid=%2 fam=%3").arg(i->linkType).arg(i->luid).arg(int(i->family));
        if (const auto *e = std::get_if<EntityRow>(row))
            text += QStringLiteral(" ent=%1/%2/%3").arg(e->protocol).arg(int(e->protocolSpace)).arg(e->routeCount);
    }
    return text
        + QStringLiteral(" %1 %2 %3 %4 %5 %6")
              .arg(int(r.object))
              .arg(int(r.change))
              .arg(int(r.origin))
              .arg(int(r.family))
              .arg(r.changedFields)
              .arg(r.timeUs);
}

std::vector<ChangeRecord> samples()
{
    std::vector<ChangeRecord> out;
    InterfaceRow eth = iface(2, "eth0 \xc3\xbc");
    eth.alias = "Wohnzimmer, \"quoted\"";
    eth.luid = 0x0006000000000001ull;
    eth.family = Family::IPv6;
    eth.masterIndex = 7;
    eth.linkType = 772;
    InterfaceRow jumbo = eth;
    jumbo.mtu = 9000;
    jumbo.carrier = false;
    ChangeRecord param = make(ObjectKind::Interface, ChangeKind::Parameter, jumbo, eth);
    param.changedFields = fieldBit<InterfaceRow>("mtu") | fieldBit<InterfaceRow>("carrier");
    out.push_back(param);
    AddressRow addr = address(2, "fe80::1", 64);
    addr.peer = IpAddress::parse("fe80::2");
    addr.scope = 253;
    addr.validLifetime = 3600;
    addr.preferredLifetime = 1800;
    addr.validUntilUs = 1'795'000'003'600'000;
    addr.preferredUntilUs = -5;
    addr.label = "eth0:1";
    ChangeRecord addrAdd = make(ObjectKind::Address, ChangeKind::Add, addr);
    addrAdd.family = Family::IPv6;
    out.push_back(addrAdd);
    RouteRow multi = route("2001:db8::", 32, "fe80::1", 2, 1024, 1000);
    NextHop hop2;
    hop2.gateway = IpAddress::parse("fe80::2");
    hop2.ifIndex = 3;
    hop2.weight = 5;
    multi.nextHops.push_back(hop2);
    multi.prefSrc = IpAddress::parse("2001:db8::1");
    multi.expiresUs = 1'795'000'000'999'999;
    multi.nhId = 77;
    multi.tos = 4;
    multi.luid = 123456789;
    multi.protocolSpace = ProtocolSpace::MibIpProto;
    multi.protocol = 10002;
    ChangeRecord del = make(ObjectKind::Route, ChangeKind::Delete, {}, multi);
    del.origin = Origin::Inferred;
    del.family = Family::IPv6;
    out.push_back(del);
    RouteRow blackhole;
    blackhole.destination = IpAddress::v4(192, 0, 2, 0);
    blackhole.prefixLength = 24;
    blackhole.type = 6;
    out.push_back(make(ObjectKind::Route, ChangeKind::Add, blackhole));
    EntityRow entity;
    entity.protocol = 186;
    entity.routeCount = 1'000'000;
    out.push_back(make(ObjectKind::Entity, ChangeKind::Registered, entity));
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.timeUs = -1'000'001; // before the epoch
    gap.note = std::string(300, 'n') + "ENOBUFS";
    out.push_back(gap);
    out.push_back(routeEvent(5));
    return out;
}

} // namespace

class TestEventHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Random records with random rows of every kind (every described member random, see
    // randomrows.h): decode(encode(r)) is r, member by member; peek() agrees.
    void codecRoundTripsRandomRecords()
    {
        ncvtest::Random g(42);
        const auto randomRowOf = [&g](int kind) -> Row {
            switch (kind) {
            case 1: return ncvtest::randomRow<InterfaceRow>(g);
            case 2: return ncvtest::randomRow<AddressRow>(g);
            case 3: return ncvtest::randomRow<RouteRow>(g);
            case 4: return ncvtest::randomRow<EntityRow>(g);
            case 8: return ncvtest::randomRow<NexthopRow>(g);
            default: return std::monostate {};
            }
        };
        for (int i = 0; i < 5000; ++i) {
            ChangeRecord r;
            const int kind = int(g() % 6) == 5 ? int(ObjectKind::Nexthop) : int(g() % 5);
            r.object = ObjectKind(kind);
            r.change = ChangeKind(g() % 9);
            r.origin = Origin(g() % 2);
            r.family = Family(g() % 3);
            r.changedFields = FieldMask(g());
            // Half in the program's own namespace (no bytes), half in another (a varint).
            r.netns = g() % 2 ? std::uint32_t(g() % 70000) : 0;
            r.before = randomRowOf(g() % 2 ? kind : 0);
            r.after = randomRowOf(g() % 2 ? kind : 0);
            ncvtest::randomValue(g, r.note);
            std::string bytes;
            eventcodec::encode(r, bytes);
            ChangeRecord back;
            QCOMPARE(eventcodec::decode(bytes.data(), bytes.data() + bytes.size(), &back), bytes.data() + bytes.size());
            QCOMPARE(back.before.index(), r.before.index());
            QCOMPARE(back.after.index(), r.after.index());
            for (const auto &[mine, theirs] :
                 {std::pair {&r.before, &back.before}, std::pair {&r.after, &back.after}}) {
                const std::string differs = std::visit(
                    [&](const auto &row) -> std::string {
                        using R = std::remove_cvref_t<decltype(row)>;
                        if constexpr (std::is_same_v<R, std::monostate>)
                            return {};
                        else
                            return ncvtest::firstDifference(row, std::get<R>(*theirs));
                    },
                    *mine);
                QVERIFY2(differs.empty(), differs.c_str());
            }
            QCOMPARE(describe(back), describe(r));
            QCOMPARE(back.netns, r.netns);
            QCOMPARE(back.origin, r.origin);
            eventcodec::Peek peek;
            QCOMPARE(eventcodec::peek(bytes.data(), bytes.data() + bytes.size(), &peek), bytes.data() + bytes.size());
            QCOMPARE(peek.netns, r.netns);
            QCOMPARE(peek.object, r.object);
            QCOMPARE(peek.change, r.change);
            QCOMPARE(peek.ifIndex, rowIfIndex(r.row()));
        }
    }

    void codecRoundTripsEveryKind()
    {
        EventHistory h;
        const std::vector<ChangeRecord> in = samples();
        for (const ChangeRecord &r : in)
            h.append(r, QStringLiteral("eth0"));
        QCOMPARE(h.size(), qint64(in.size()));
        for (std::size_t i = 0; i < in.size(); ++i) {
            QCOMPARE(describe(h.record(qint64(i))), describe(in[i]));
            QCOMPARE(h.timeUs(qint64(i)), in[i].timeUs);
        }
        const ChangeRecord decoded = h.record(2);
        const auto *rt = std::get_if<RouteRow>(&decoded.before);
        QVERIFY(rt);
        QCOMPARE(rt->nextHops.size(), std::size_t(2));
        QVERIFY(rt->nextHops[1] == std::get<RouteRow>(in[2].before).nextHops[1]);
        QVERIFY(rt->prefSrc == std::get<RouteRow>(in[2].before).prefSrc);
    }

    void truncatedInputIsRejected()
    {
        for (const ChangeRecord &r : samples()) {
            std::string bytes;
            eventcodec::encode(r, bytes);
            ChangeRecord full;
            QCOMPARE(eventcodec::decode(bytes.data(), bytes.data() + bytes.size(), &full), bytes.data() + bytes.size());
            for (std::size_t n = 0; n < bytes.size(); ++n) {
                ChangeRecord partial;
                QVERIFY2(!eventcodec::decode(bytes.data(), bytes.data() + n, &partial), qPrintable(QString::number(n)));
            }
        }
        const std::string garbage(64, '\xff');
        ChangeRecord r;
        QVERIFY(!eventcodec::decode(garbage.data(), garbage.data() + garbage.size(), &r));
    }

    void peekReadsWhatDecodeReads()
    {
        for (const ChangeRecord &r : samples()) {
            std::string bytes;
            eventcodec::encode(r, bytes);
            bytes += "trailing"; // the next record in a blob
            const char *end = bytes.data() + bytes.size();
            eventcodec::Peek peek;
            ChangeRecord full;
            const char *decodedEnd = eventcodec::decode(bytes.data(), end, &full);
            QVERIFY(decodedEnd);
            QCOMPARE(eventcodec::peek(bytes.data(), end, &peek), decodedEnd);
            QCOMPARE(peek.object, r.object);
            QCOMPARE(peek.change, r.change);
            std::uint32_t ifIndex = 0;
            if (const auto *i = std::get_if<InterfaceRow>(&r.row()))
                ifIndex = i->ifIndex;
            else if (const auto *a = std::get_if<AddressRow>(&r.row()))
                ifIndex = a->ifIndex;
            else if (const auto *rt = std::get_if<RouteRow>(&r.row()))
                ifIndex = rt->outIfIndex();
            QCOMPARE(peek.ifIndex, ifIndex);
            // Every truncation is refused, as decode refuses it.
            const std::size_t size = std::size_t(decodedEnd - bytes.data());
            for (std::size_t n = 0; n < size; ++n)
                QVERIFY2(!eventcodec::peek(bytes.data(), bytes.data() + n, &peek), qPrintable(QString::number(n)));
        }
        // The sample route with two next hops is a Delete: its row is `before`, hop 0 is ifindex 2.
        std::string bytes;
        eventcodec::encode(samples()[2], bytes);
        eventcodec::Peek peek;
        QVERIFY(eventcodec::peek(bytes.data(), bytes.data() + bytes.size(), &peek));
        QCOMPARE(peek.ifIndex, 2u);
        const std::string garbage(64, '\xff');
        QVERIFY(!eventcodec::peek(garbage.data(), garbage.data() + garbage.size(), &peek));
    }

    void timesFarApartKeepTheirValues()
    {
        // Times are kept as 32-bit offsets from their chunk's first event, and whole beside
        // them when the offset does not fit: events hours apart, a clock stepped back by
        // days, and offsets at the edges of the 32-bit range all keep their exact times,
        // through append(), appendEncoded() and a snapshot, at a few bytes apiece.
        const qint64 t0 = 1'795'000'000'000'000;
        const qint64 edge = std::numeric_limits<qint32>::max();
        const std::vector<qint64> times = {t0,
                                           t0 + edge, // the last offset that fits
                                           t0 + edge + 1, // one more: a new chunk
                                           t0 + 2 * edge + 1,
                                           t0 - 86'400'000'000LL * 3, // three days back
                                           t0 - 86'400'000'000LL * 3 + 1,
                                           t0 - 86'400'000'000LL * 3 - edge - 1,
                                           t0 + 3'600'000'000LL * 5, // five hours on
                                           t0 + 3'600'000'000LL * 5 - 1,
                                           0,
                                           t0};
        EventHistory plain, encoded;
        std::string blob;
        std::vector<std::size_t> offsets;
        for (std::size_t k = 0; k < times.size(); ++k) {
            ChangeRecord r = routeEvent(qint64(k));
            r.timeUs = times[k];
            plain.append(r, QStringLiteral("eth0"));
            offsets.push_back(blob.size());
            eventcodec::encode(r, blob);
        }
        offsets.push_back(blob.size());
        std::vector<EventHistory::EncodedEntry> raw;
        for (std::size_t k = 0; k < times.size(); ++k)
            raw.push_back({times[k], blob.data() + offsets[k], offsets[k + 1] - offsets[k],
                           encoded.nameIndex(QStringLiteral("eth0"))});
        encoded.appendEncoded(raw);
        const EventHistory::Snapshot snapshot = plain.snapshot();
        for (std::size_t k = 0; k < times.size(); ++k) {
            const qint64 i = qint64(k);
            QCOMPARE(plain.timeUs(i), times[k]);
            QCOMPARE(plain.record(i).timeUs, times[k]);
            QCOMPARE(encoded.timeUs(i), times[k]);
            QCOMPARE(encoded.record(i).timeUs, times[k]);
            QCOMPARE(snapshot.timeUs(i), times[k]);
            QCOMPARE(snapshot.record(i).timeUs, times[k]);
            QVERIFY(std::get<RouteRow>(plain.record(i).after).destination
                    == std::get<RouteRow>(routeEvent(i).after).destination);
            QCOMPARE(plain.ifName(i), QStringLiteral("eth0"));
        }
        // Beyond the open chunk's room (what one event costs), a few bytes an event.
        EventHistory one;
        one.append(routeEvent(0), QString());
        const qint64 openRoom = one.storageBytes();
        QVERIFY2(plain.storageBytes() < openRoom + 10'000,
                 qPrintable(QStringLiteral("%1 against %2").arg(plain.storageBytes()).arg(openRoom)));
        // Times one hour apart (a quiet machine): still one event's cost apiece.
        EventHistory quiet;
        for (qint64 k = 0; k < 200; ++k) {
            ChangeRecord r = routeEvent(k);
            r.timeUs = t0 + k * 3'600'000'000LL;
            quiet.append(r, QString());
        }
        for (qint64 k = 0; k < 200; ++k)
            QCOMPARE(quiet.timeUs(k), t0 + k * 3'600'000'000LL);
        QCOMPARE(quiet.lastIndexAtOrBefore(t0 + 150 * 3'600'000'000LL), qint64(150));
        QVERIFY2(quiet.storageBytes() < openRoom + 200 * 100,
                 qPrintable(QStringLiteral("%1 against %2").arg(quiet.storageBytes()).arg(openRoom)));
        // Two clocks a day apart, interleaved (two hosts, one of them wrong), across chunks:
        // every time exact, about 12 bytes more for each far one.
        EventHistory skewed;
        const qint64 n = EventHistory::kChunkEvents + 5000;
        std::vector<EventHistory::Entry> entries;
        for (qint64 k = 0; k < n; ++k) {
            ChangeRecord r = routeEvent(k);
            r.timeUs = t0 + k + (k % 2 ? 86'400'000'000LL : 0);
            entries.push_back({r, QString()});
        }
        skewed.append(std::move(entries));
        for (qint64 k = 0; k < n; ++k)
            QCOMPARE(skewed.timeUs(k), t0 + k + (k % 2 ? 86'400'000'000LL : 0));
        QCOMPARE(skewed.snapshot().timeUs(n - 1), t0 + n - 1 + ((n - 1) % 2 ? 86'400'000'000LL : 0));
    }

    void appendEncodedStoresWhatAppendStores()
    {
        // The same events through append() and through appendEncoded() (bytes from encode(),
        // as NotificationModel passes them): identical records, names, times and signals,
        // also across a chunk boundary and with the capacity dropping old events.
        const qint64 n = EventHistory::kChunkEvents + 300;
        std::vector<ChangeRecord> events = samples();
        for (qint64 i = 0; i < n; ++i)
            events.push_back(routeEvent(i));
        const QStringList names {QString(), QStringLiteral("eth0"), QStringLiteral("nb0")};
        EventHistory plain;
        EventHistory encoded;
        plain.setCapacity(n); // a few of the first events are dropped
        encoded.setCapacity(n);
        QSignalSpy plainAppended(&plain, &EventHistory::appended);
        QSignalSpy encodedAppended(&encoded, &EventHistory::appended);
        QSignalSpy plainDropped(&plain, &EventHistory::droppedOldest);
        QSignalSpy encodedDropped(&encoded, &EventHistory::droppedOldest);
        std::size_t next = 0;
        for (const std::size_t batch : {std::size_t(3), std::size_t(40'000), events.size()}) {
            const std::size_t last = std::min(events.size(), next + batch);
            std::vector<EventHistory::Entry> entries;
            std::string blob;
            std::vector<std::size_t> offsets;
            for (std::size_t k = next; k < last; ++k) {
                entries.push_back({events[k], names[qsizetype(k % 3)]});
                offsets.push_back(blob.size());
                eventcodec::encode(events[k], blob);
            }
            offsets.push_back(blob.size());
            std::vector<EventHistory::EncodedEntry> raw;
            for (std::size_t k = next; k < last; ++k) {
                const std::size_t j = k - next;
                raw.push_back({events[k].timeUs, blob.data() + offsets[j], offsets[j + 1] - offsets[j],
                               encoded.nameIndex(names[qsizetype(k % 3)])});
            }
            plain.append(std::move(entries));
            encoded.appendEncoded(raw);
            next = last;
        }
        QCOMPARE(encoded.size(), plain.size());
        QCOMPARE(encoded.droppedCount(), plain.droppedCount());
        QVERIFY(plain.droppedCount() > 0);
        QCOMPARE(encodedAppended.count(), plainAppended.count());
        QCOMPARE(encodedDropped.count(), plainDropped.count());
        for (int k = 0; k < plainAppended.count(); ++k)
            QCOMPARE(encodedAppended.at(k), plainAppended.at(k));
        for (qint64 i = 0; i < plain.size(); ++i) {
            QCOMPARE(encoded.sequence(i), plain.sequence(i));
            QCOMPARE(encoded.timeUs(i), plain.timeUs(i));
            QCOMPARE(encoded.ifName(i), plain.ifName(i));
            if (i < 20 || i % 997 == 0 || i == plain.size() - 1)
                QCOMPARE(describe(encoded.record(i)), describe(plain.record(i)));
        }
        QCOMPARE(encoded.storageBytes(), plain.storageBytes());
        // A name index that the history did not give out counts as "".
        const std::string bytes = [] {
            std::string b;
            eventcodec::encode(routeEvent(1), b);
            return b;
        }();
        const EventHistory::EncodedEntry odd {7, bytes.data(), bytes.size(), 12345};
        encoded.appendEncoded(std::span(&odd, 1));
        QCOMPARE(encoded.ifName(encoded.size() - 1), QString());
        QCOMPARE(encoded.timeUs(encoded.size() - 1), qint64(7));
        ChangeRecord expected = routeEvent(1);
        expected.timeUs = 7;
        QCOMPARE(describe(encoded.record(encoded.size() - 1)), describe(expected));
    }

    void storageUnder100BytesPerRouteEvent()
    {
        EventHistory h;
        const qint64 n = 3 * EventHistory::kChunkEvents + 100;
        std::vector<EventHistory::Entry> entries;
        for (qint64 i = 0; i < n; ++i)
            entries.push_back({routeEvent(i), QStringLiteral("nb0")});
        h.append(std::move(entries));
        QCOMPARE(h.size(), n);
        const double perEvent = double(h.storageBytes()) / double(n);
        qInfo("%.1f bytes per stored IPv4 route event", perEvent);
        QVERIFY(perEvent <= 100);
        // Reads across chunk boundaries.
        for (qint64 i : {qint64(0), EventHistory::kChunkEvents - 1, EventHistory::kChunkEvents, n - 1})
            QCOMPARE(describe(h.record(i)), describe(routeEvent(i)));
    }

    void capacityDropsOldest()
    {
        EventHistory h;
        EventLogModel log(&h);
        QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy dropped(&h, &EventHistory::droppedOldest);
        QSignalSpy total(&h, &EventHistory::droppedCountChanged);
        h.setCapacity(10);
        for (int i = 0; i < 8; ++i)
            h.append(routeEvent(i), QString());
        QCOMPARE(dropped.count(), 0);
        std::vector<EventHistory::Entry> entries;
        for (int i = 8; i < 13; ++i)
            entries.push_back({routeEvent(i), QString()});
        h.append(std::move(entries)); // 13 > 10: the 3 oldest go
        QCOMPARE(h.size(), qint64(10));
        QCOMPARE(log.rowCount(), 10);
        QCOMPARE(h.droppedCount(), qint64(3));
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(dropped.at(0).at(0).toLongLong(), qint64(3));
        QCOMPARE(total.last().at(0).toLongLong(), qint64(3));
        QCOMPARE(h.sequence(0), quint64(4)); // numbers of kept events do not change
        QCOMPARE(describe(h.record(0)), describe(routeEvent(3)));
        QCOMPARE(describe(h.record(9)), describe(routeEvent(12)));
        // A batch larger than the capacity: only its newest events are kept.
        entries.clear();
        for (int i = 13; i < 40; ++i)
            entries.push_back({routeEvent(i), QString()});
        h.append(std::move(entries));
        QCOMPARE(h.size(), qint64(10));
        QCOMPARE(log.rowCount(), 10);
        QCOMPARE(h.droppedCount(), qint64(30));
        QCOMPARE(h.sequence(0), quint64(31));
        QCOMPARE(describe(h.record(0)), describe(routeEvent(30)));
        // Lowering the capacity drops at once.
        h.setCapacity(4);
        QCOMPARE(h.size(), qint64(4));
        QCOMPARE(log.rowCount(), 4);
        QCOMPARE(describe(h.record(0)), describe(routeEvent(36)));
        QCOMPARE(total.last().at(0).toLongLong(), qint64(36));
    }

    void capacityFreesWholeChunks()
    {
        EventHistory h;
        h.setCapacity(EventHistory::kChunkEvents * 2);
        qint64 peak = 0;
        for (int round = 0; round < 6; ++round) {
            std::vector<EventHistory::Entry> entries;
            for (qint64 i = 0; i < EventHistory::kChunkEvents; ++i)
                entries.push_back({routeEvent(round * EventHistory::kChunkEvents + i), QString()});
            h.append(std::move(entries));
            QVERIFY(h.size() <= h.capacity());
            peak = std::max(peak, h.storageBytes());
        }
        QVERIFY(peak < 4 * EventHistory::kChunkEvents * 100); // memory bounded by the capacity
        const qint64 last = 6 * EventHistory::kChunkEvents - 1;
        QCOMPARE(describe(h.record(h.size() - 1)), describe(routeEvent(last)));
        QCOMPARE(h.sequence(h.size() - 1), quint64(last + 1));
    }

    void snapshotIsImmutableAndThreadSafe()
    {
        EventHistory h;
        for (int i = 0; i < 100; ++i)
            h.append(routeEvent(i), QStringLiteral("a"));
        const EventHistory::Snapshot s = h.snapshot();
        QCOMPARE(s.size(), qint64(100));
        std::atomic<bool> ok {true};
        std::atomic<bool> stop {false};
        std::thread reader([&] {
            while (!stop) {
                for (qint64 i = 0; i < s.size(); ++i) {
                    const ChangeRecord r = s.record(i);
                    if (describe(r) != describe(routeEvent(i)) || s.ifName(i) != QStringLiteral("a")
                        || s.sequence(i) != quint64(i + 1))
                        ok = false;
                }
            }
        });
        // Meanwhile the history grows past chunk boundaries, drops and gets new names.
        h.setCapacity(EventHistory::kChunkEvents + 50);
        for (int round = 0; round < 3; ++round) {
            std::vector<EventHistory::Entry> entries;
            for (qint64 i = 0; i < EventHistory::kChunkEvents / 2; ++i)
                entries.push_back({routeEvent(i), QStringLiteral("b%1").arg(round)});
            h.append(std::move(entries));
        }
        stop = true;
        reader.join();
        QVERIFY(ok);
        QCOMPARE(s.size(), qint64(100));
        QCOMPARE(s.ifName(99), QStringLiteral("a"));
        const EventHistory::Snapshot s2 = h.snapshot();
        QCOMPARE(s2.size(), h.size());
        QCOMPARE(s2.sequence(0), h.sequence(0));
        QCOMPARE(describe(s2.record(s2.size() - 1)), describe(h.record(h.size() - 1)));
        QCOMPARE(s2.ifName(s2.size() - 1), QStringLiteral("b2"));
    }

    void eventLogProxySortsWithoutDecoding()
    {
        // EventLogFilterProxy compares "#" by source row and Time by TimeUsRole.
        EventHistory h;
        EventLogModel log(&h);
        EventLogFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&log);
        proxy.sort(EventLogModel::Sequence, Qt::DescendingOrder);
        const qint64 times[] = {50, 10, 40, 10, 30};
        for (int i = 0; i < 5; ++i) {
            ChangeRecord r = routeEvent(i);
            r.timeUs = times[i];
            h.append(r, QString());
        }
        for (int row = 0; row < 5; ++row)
            QCOMPARE(proxy.index(row, EventLogModel::Sequence).data(SortRole).toULongLong(), quint64(5 - row));
        proxy.sort(EventLogModel::Time, Qt::AscendingOrder);
        QList<qint64> sorted;
        QList<quint64> seq;
        for (int row = 0; row < 5; ++row) {
            sorted << proxy.index(row, EventLogModel::Time).data(TimeUsRole).toLongLong();
            seq << proxy.index(row, EventLogModel::Sequence).data(SortRole).toULongLong();
        }
        QCOMPARE(sorted, QList<qint64>({10, 10, 30, 40, 50}));
        QCOMPARE(seq, QList<quint64>({2, 4, 5, 3, 1})); // equal times in arrival order
    }

    void clearKeepsSequence()
    {
        EventHistory h;
        h.append(routeEvent(0), QString());
        h.append(routeEvent(1), QString());
        h.clear();
        QCOMPARE(h.size(), qint64(0));
        h.append(routeEvent(2), QString());
        QCOMPARE(h.sequence(0), quint64(3));
        QCOMPARE(describe(h.record(0)), describe(routeEvent(2)));
        QCOMPARE(h.droppedCount(), qint64(0));
    }
};

QTEST_MAIN(TestEventHistory)
#include "tst_eventhistory.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the JSON Lines stream back: every event the writer writes comes back exactly (rows
// made from the row descriptions, so new fields are covered without touching this test), in
// pieces of any size; a bad line, an unknown schema or a stream cut inside a line is one
// clear error and keeps every record before it.
#include "support/randomrows.h"

#include "model/export/jsonlines.h"
#include "model/export/jsonlinesreader.h"
#include "model/history/eventcodec.h"
#include "platform/requester.h"

#include <QtTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {

constexpr std::int64_t kTime = 1763725323123456;

template<typename R> Row randomOf(Random &g)
{
    return randomRow<R>(g);
}

// A record of each kind and change, with random rows.
std::vector<ChangeRecord> variedRecords(std::size_t count)
{
    Random g(7);
    std::vector<ChangeRecord> out;
    const std::uint32_t who[] = {0, RequesterTable::kernel(), RequesterTable::cause("resync after gap"),
                                 RequesterTable::intern({Requester::Kind::Process, 77, 4006, "ip", "ip r a", "", ""}),
                                 RequesterTable::intern({Requester::Kind::Exited, 78, 4007, "", "", "", ""})};
    for (std::size_t i = 0; i < count; ++i) {
        ChangeRecord r;
        r.timeUs = kTime + std::int64_t(i) * 1000;
        r.change = ChangeKind(g() % 7);
        r.origin = Origin(g() % 2);
        r.family = Family(g() % 3);
        r.requester = who[g() % std::size(who)];
        r.timeSubUsNs = g() % 4 == 0 ? std::uint16_t(g() % 1000) : 0;
        const int kind = int(g() % 5);
        const auto rowOf = [&g](int k) {
            return k == 0 ? randomOf<InterfaceRow>(g)
                : k == 1  ? randomOf<AddressRow>(g)
                : k == 2  ? randomOf<RouteRow>(g)
                : k == 3  ? randomOf<EntityRow>(g)
                          : randomOf<NexthopRow>(g);
        };
        Row row = rowOf(kind);
        r.object = kind == 4 ? ObjectKind::Nexthop : ObjectKind(kind + 1);
        if (r.change == ChangeKind::Delete || r.change == ChangeKind::Expired)
            r.before = row;
        else
            r.after = row;
        if (r.change == ChangeKind::Parameter) {
            r.before = rowOf(kind);
            r.changedFields = FieldMask(g() & 0xff);
        }
        out.push_back(std::move(r));
    }
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.origin = Origin::Inferred;
    gap.timeUs = kTime + 5;
    gap.note = "ENOBUFS: 1234 events lost";
    out.insert(out.begin() + std::ptrdiff_t(count / 2), gap);
    ChangeRecord done;
    done.change = ChangeKind::SnapshotComplete;
    done.timeUs = kTime + 6;
    out.insert(out.begin() + 1, done);
    return out;
}

std::string streamOf(const std::vector<ChangeRecord> &records)
{
    std::string out;
    std::uint64_t sequence = 0;
    for (const ChangeRecord &r : records)
        jsonlines::appendEvent(out, r, r.change == ChangeKind::SnapshotComplete ? 0 : ++sequence, "nb0",
                               r.timeSubUsNs != 0);
    return out;
}

// "" when a and b are the same event (the requester compared by its text: ids are per
// process), else what differs.
std::string difference(const ChangeRecord &a, const ChangeRecord &b)
{
    if (a.timeUs != b.timeUs)
        return "time";
    if (requesterText(RequesterTable::get(a.requester)) != requesterText(RequesterTable::get(b.requester))
        || requesterPidText(RequesterTable::get(a.requester)) != requesterPidText(RequesterTable::get(b.requester)))
        return "requester";
    ChangeRecord x = a;
    ChangeRecord y = b;
    x.requester = y.requester = 0;
    x.portId = y.portId = 0;
    std::string ex;
    std::string ey;
    eventcodec::encode(x, ex);
    eventcodec::encode(y, ey);
    if (ex != ey)
        return "event";
    // And the rows member by member, as the descriptions list them.
    const auto rows = [](const Row &p, const Row &q) -> std::string {
        if (p.index() != q.index())
            return "row kind";
        return std::visit(
            [&](const auto &rp) -> std::string {
                using R = std::decay_t<decltype(rp)>;
                if constexpr (std::is_same_v<R, std::monostate>)
                    return {};
                else
                    return firstDifference(rp, std::get<R>(q));
            },
            p);
    };
    if (std::string d = rows(a.before, b.before); !d.empty())
        return "before." + d;
    if (std::string d = rows(a.after, b.after); !d.empty())
        return "after." + d;
    return {};
}

} // namespace

class TestJsonLinesReader : public QObject {
    Q_OBJECT

private slots:
    void everyEventComesBackExactly_data()
    {
        QTest::addColumn<int>("piece");
        QTest::newRow("whole") << 0;
        QTest::newRow("1 byte") << 1;
        QTest::newRow("7 bytes") << 7;
        QTest::newRow("4096 bytes") << 4096;
    }
    void everyEventComesBackExactly()
    {
        QFETCH(int, piece);
        const std::vector<ChangeRecord> records = variedRecords(400);
        const std::string stream = streamOf(records);
        JsonLinesReader reader;
        std::vector<ChangeRecord> read;
        const std::size_t step = piece == 0 ? stream.size() : std::size_t(piece);
        for (std::size_t at = 0; at < stream.size(); at += step)
            QVERIFY2(reader.feed(stream.data() + at, std::min(step, stream.size() - at), &read),
                     qPrintable(reader.error()));
        QVERIFY2(reader.finish(), qPrintable(reader.error()));
        QCOMPARE(read.size(), records.size());
        QCOMPARE(reader.lines(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            QVERIFY2(difference(records[i], read[i]).empty(),
                     qPrintable(QStringLiteral("event %1: %2 differs")
                                    .arg(i)
                                    .arg(QString::fromStdString(difference(records[i], read[i])))));
        QCOMPARE(read[1].change, ChangeKind::SnapshotComplete);
    }

    void aBadLineStopsAndKeepsWhatCameBefore_data()
    {
        QTest::addColumn<QByteArray>("bad");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("kind"); // JsonLinesReader::ErrorKind
        QTest::addColumn<QString>("remoteSchema");
        using Kind = JsonLinesReader::ErrorKind;
        QTest::newRow("not JSON") << QByteArray("{\"schema\":\"netchangeview.event/1\",")
                                  << QStringLiteral("line 4: not JSON") << int(Kind::Damaged) << QString();
        QTest::newRow("not an object") << QByteArray("[1,2]") << QStringLiteral("line 4: not a JSON object")
                                       << int(Kind::Damaged) << QString();
        QTest::newRow("no schema") << QByteArray("{\"time_us\":1}") << QStringLiteral("line 4: no \"schema\"")
                                   << int(Kind::NotAnEventStream) << QString();
        QTest::newRow("other schema") << QByteArray("{\"schema\":\"acme.log/1\",\"time_us\":1}")
                                      << QStringLiteral("line 4: unknown schema \"acme.log/1\"")
                                      << int(Kind::NotAnEventStream) << QString();
        QTest::newRow("newer major") << QByteArray("{\"schema\":\"netchangeview.event/2\",\"time_us\":1}")
                                     << QStringLiteral("line 4: schema netchangeview.event/2, this netchangeview reads "
                                                       "netchangeview.event/1")
                                     << int(Kind::SchemaNewer) << QStringLiteral("netchangeview.event/2");
        QTest::newRow("older major") << QByteArray("{\"schema\":\"netchangeview.event/0\",\"time_us\":1}")
                                     << QStringLiteral("line 4: schema netchangeview.event/0") << int(Kind::SchemaOlder)
                                     << QStringLiteral("netchangeview.event/0");
        QTest::newRow("no time") << QByteArray("{\"schema\":\"netchangeview.event/1\",\"record\":\"AAAA\"}")
                                 << QStringLiteral("line 4: \"time_us\"") << int(Kind::Damaged) << QString();
        QTest::newRow("no record") << QByteArray("{\"schema\":\"netchangeview.event/1\",\"time_us\":1}")
                                   << QStringLiteral("line 4: no \"record\" member") << int(Kind::SchemaOlder)
                                   << QStringLiteral("netchangeview.event/1 without \"record\"");
        QTest::newRow("record not base64")
            << QByteArray("{\"schema\":\"netchangeview.event/1\",\"time_us\":1,\"record\":\"*!\"}")
            << QStringLiteral("line 4: \"record\" is not base64") << int(Kind::Damaged) << QString();
        QTest::newRow("record damaged") << QByteArray(
            "{\"schema\":\"netchangeview.event/1\",\"time_us\":1,\"record\":\"AwH/\"}")
                                        << QStringLiteral("line 4: \"record\" is damaged") << int(Kind::Damaged)
                                        << QString();
    }
    void aBadLineStopsAndKeepsWhatCameBefore()
    {
        QFETCH(QByteArray, bad);
        QFETCH(QString, error);
        QFETCH(int, kind);
        QFETCH(QString, remoteSchema);
        const std::vector<ChangeRecord> records = variedRecords(3); // 5 lines
        std::string stream = streamOf(records);
        // After the third line.
        std::size_t at = 0;
        for (int i = 0; i < 3; ++i)
            at = stream.find('\n', at) + 1;
        stream.insert(at, bad.toStdString() + "\n");
        JsonLinesReader reader;
        std::vector<ChangeRecord> read;
        QVERIFY(!reader.feed(stream.data(), stream.size(), &read));
        QVERIFY2(reader.error().startsWith(error), qPrintable(reader.error()));
        QCOMPARE(int(reader.errorKind()), kind);
        QCOMPARE(reader.remoteSchema(), remoteSchema);
        QCOMPARE(read.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            QVERIFY(difference(records[i], read[i]).empty());
        // Nothing after it, however much more comes.
        QVERIFY(!reader.feed(stream.data(), stream.size(), &read));
        QCOMPARE(read.size(), std::size_t(3));
        QVERIFY(!reader.finish());
    }

    // A writer of the same major that marks added members ("/1.3") is read as /1.
    void aMinorSchemaVersionIsRead()
    {
        const std::vector<ChangeRecord> records = variedRecords(3);
        std::string stream = streamOf(records);
        for (std::size_t at = 0; (at = stream.find("netchangeview.event/1\"", at)) != std::string::npos;)
            at = stream.replace(at, 22, "netchangeview.event/1.3\"").find('\n', at);
        QVERIFY(stream.find("event/1.3") != std::string::npos);
        JsonLinesReader reader;
        std::vector<ChangeRecord> read;
        QVERIFY2(reader.feed(stream.data(), stream.size(), &read), qPrintable(reader.error()));
        QCOMPARE(read.size(), records.size());
        QCOMPARE(int(reader.errorKind()), int(JsonLinesReader::ErrorKind::None));
    }

    void aStreamCutInsideALineIsAnError()
    {
        const std::vector<ChangeRecord> records = variedRecords(3);
        const std::string stream = streamOf(records);
        const std::size_t cut = stream.size() - 40; // inside the last line
        JsonLinesReader reader;
        std::vector<ChangeRecord> read;
        QVERIFY(reader.feed(stream.data(), cut, &read));
        QCOMPARE(read.size(), records.size() - 1);
        QVERIFY(!reader.finish());
        QVERIFY2(reader.error().startsWith(QStringLiteral("line %1 is cut off").arg(records.size())),
                 qPrintable(reader.error()));
        // A stream that ends after a newline is complete.
        JsonLinesReader whole;
        read.clear();
        QVERIFY(whole.feed(stream.data(), stream.size(), &read));
        QVERIFY(whole.finish());
        QCOMPARE(read.size(), records.size());
    }
};

QTEST_GUILESS_MAIN(TestJsonLinesReader)
#include "tst_jsonlinesreader.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// JSON Lines events: every line is one valid JSON object (parsed back with QJsonDocument's
// strict parser), typed like the CSV's columns, with the before and after rows, and text that
// stays valid UTF-8 whatever bytes a name or alias holds.
#include "support/modeltestrows.h"

#include "model/export/csvwriter.h"
#include "model/export/jsonlines.h"
#include "platform/diff.h"
#include "platform/requester.h"
#include "platform/textescape.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace ncv;
using namespace ncvtest;
using namespace Qt::StringLiterals;

namespace {

constexpr std::int64_t kTime = 1763725323123456; // 2025-11-21T11:42:03.123456Z

// The line of one event, checked to be one line ending in "\n", parsed as an object.
QJsonObject parsed(const ChangeRecord &r, std::uint64_t sequence, std::string_view ifName, std::string *raw = nullptr)
{
    std::string line;
    jsonlines::appendEvent(line, r, sequence, ifName);
    if (raw)
        *raw = line;
    if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1)
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(line.data(), qsizetype(line.size())), &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning() << "not JSON:" << error.errorString() << "at" << error.offset << line.c_str();
        return {};
    }
    return doc.object();
}

} // namespace

class TestJsonLines : public QObject {
    Q_OBJECT

private slots:
    void routeAddHasTheCsvColumnsTyped()
    {
        ChangeRecord r;
        r.object = ObjectKind::Route;
        r.change = ChangeKind::Add;
        r.family = Family::IPv4;
        r.timeUs = kTime;
        r.after = route("10.1.0.0", 24, "10.9.0.2", 2, 100);
        const QJsonObject o = parsed(r, 12, "nb0");
        QVERIFY(!o.isEmpty());
        QCOMPARE(o.value(QLatin1String("schema")).toString(), QString::fromLatin1(jsonlines::kSchema));
        QVERIFY(o.value(QLatin1String("sequence")).isDouble());
        QCOMPARE(o.value(QLatin1String("sequence")).toInteger(), 12);
        QCOMPARE(o.value(QLatin1String("time_utc")).toString(), QString::fromLatin1(csv::isoTimeUtc(kTime)));
        QCOMPARE(o.value(QLatin1String("time_us")).toInteger(), kTime);
        QCOMPARE(o.value(QLatin1String("object")).toString(), u"route"_s);
        QCOMPARE(o.value(QLatin1String("change")).toString(), u"add"_s);
        QCOMPARE(o.value(QLatin1String("family")).toString(), u"ipv4"_s);
        QVERIFY(o.value(QLatin1String("if_index")).isDouble());
        QCOMPARE(o.value(QLatin1String("if_index")).toInteger(), 2);
        QCOMPARE(o.value(QLatin1String("if_name")).toString(), u"nb0"_s);
        QCOMPARE(o.value(QLatin1String("destination")).toString(), u"10.1.0.0/24"_s);
        QCOMPARE(o.value(QLatin1String("gateway")).toString(), u"10.9.0.2"_s);
        QVERIFY(o.value(QLatin1String("metric")).isDouble());
        QCOMPARE(o.value(QLatin1String("metric")).toInteger(), 100);
        QCOMPARE(o.value(QLatin1String("protocol")).toString(), u"static"_s);
        QCOMPARE(o.value(QLatin1String("table")).toString(), u"main"_s);
        QCOMPARE(o.value(QLatin1String("changed_fields")).toArray(), QJsonArray());
        QCOMPARE(o.value(QLatin1String("origin")).toString(), u"observed"_s);
        QVERIFY(o.value(QLatin1String("process")).isNull()); // a record that names nobody
        QVERIFY(o.value(QLatin1String("pid")).isNull());
        QVERIFY(o.value(QLatin1String("before")).isNull());
        const QJsonObject after = o.value(QLatin1String("after")).toObject();
        QCOMPARE(after.value(QLatin1String("destination")).toString(), u"10.1.0.0/24"_s);
        QCOMPARE(after.value(QLatin1String("metric")).toString(), u"100"_s);
        // The details are the CSV's details cell.
        const QByteArray csvRow = csv::genericRow(r, 12, u"nb0"_s);
        QVERIFY2(csvRow.contains(o.value(QLatin1String("details")).toString().toUtf8()), csvRow.constData());
    }

    void parameterChangeListsItsFieldsAndBothRows()
    {
        ChangeRecord r;
        r.object = ObjectKind::Interface;
        r.change = ChangeKind::Parameter;
        r.timeUs = kTime;
        const InterfaceRow before = iface(3, "eth1", 1500);
        const InterfaceRow after = iface(3, "eth1", 9000);
        r.before = before;
        r.after = after;
        r.changedFields = diff(before, after);
        const QJsonObject o = parsed(r, 7, "eth1");
        QVERIFY(!o.isEmpty());
        QCOMPARE(o.value(QLatin1String("changed_fields")).toArray(), QJsonArray({u"mtu"_s}));
        QCOMPARE(o.value(QLatin1String("before")).toObject().value(QLatin1String("mtu")).toString(), u"1500"_s);
        QCOMPARE(o.value(QLatin1String("after")).toObject().value(QLatin1String("mtu")).toString(), u"9000"_s);
        QVERIFY(o.value(QLatin1String("metric")).isNull());
        QVERIFY(o.value(QLatin1String("gateway")).isNull());
        QCOMPARE(o.value(QLatin1String("details")).toString(), u"mtu 1500 -> 9000"_s);
    }

    void anyBytesInANameGiveValidJson()
    {
        // An interface name is bytes to the kernel; rows hold them as textFromBytes wrote them.
        const std::string bytes = std::string("q\"b\\s\tn\nc\x01 ") + "\xff\xfe" + "\u2028end";
        ChangeRecord r;
        r.object = ObjectKind::Interface;
        r.change = ChangeKind::Add;
        r.timeUs = kTime;
        InterfaceRow row = iface(4, textFromBytes(bytes));
        row.alias = textFromBytes(bytes);
        r.after = row;
        std::string raw;
        const QJsonObject o = parsed(r, 1, row.name, &raw);
        QVERIFY(!o.isEmpty());
        QCOMPARE(o.value(QLatin1String("if_name")).toString(), QString::fromStdString(textFromBytes(bytes)));
        QCOMPARE(o.value(QLatin1String("after")).toObject().value(QLatin1String("name")).toString(),
                 QString::fromStdString(textFromBytes(bytes)));
        QCOMPARE(bytesFromText(o.value(QLatin1String("if_name")).toString().toStdString()), bytes);
        QVERIFY(raw.find("\\u2028") != std::string::npos);
        QVERIFY(raw.find("\\u0001") != std::string::npos);
        QVERIFY(isValidUtf8(raw));

        // Bytes that are not UTF-8 given directly (a note, a name from elsewhere) are written
        // with the same escape instead of making the line invalid.
        std::string out;
        jsonlines::appendString(out,
                                "a\xff"
                                "b");
        QCOMPARE(QString::fromStdString(out), u"\"a\\\\xffb\""_s);
        out.clear();
        jsonlines::appendString(out, std::string_view("nul\0end", 7));
        QCOMPARE(QString::fromStdString(out), u"\"nul\\u0000end\""_s);
    }

    void nanosecondTimesKeepTheirDigits()
    {
        ChangeRecord r;
        r.object = ObjectKind::Route;
        r.change = ChangeKind::Delete;
        r.family = Family::IPv4;
        r.timeUs = kTime;
        r.timeSubUsNs = 789;
        r.before = route("10.1.0.0", 24, "10.9.0.2", 2, 100);
        std::string line;
        jsonlines::appendEvent(line, r, 5, "nb0", true);
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(line)).object();
        QCOMPARE(o.value(QLatin1String("time_utc")).toString(), u"2025-11-21T11:42:03.123456789Z"_s);
        QCOMPARE(o.value(QLatin1String("time_us")).toInteger(), kTime);
        QCOMPARE(o.value(QLatin1String("time_sub_us_ns")).toInteger(), 789);
        const QJsonObject micro = parsed(r, 5, "nb0");
        QCOMPARE(micro.value(QLatin1String("time_utc")).toString(), u"2025-11-21T11:42:03.123456Z"_s);
        QVERIFY(!micro.contains(QLatin1String("time_sub_us_ns")));
    }

    void markersAndDeletes()
    {
        ChangeRecord gap;
        gap.object = ObjectKind::Gap;
        gap.change = ChangeKind::Gap;
        gap.origin = Origin::Inferred;
        gap.timeUs = kTime;
        gap.note = "ENOBUFS: 1234 events lost";
        const QJsonObject g = parsed(gap, 0, "");
        QVERIFY(!g.isEmpty());
        QVERIFY(!g.contains(QLatin1String("sequence")));
        QCOMPARE(g.value(QLatin1String("object")).toString(), u"gap"_s);
        QCOMPARE(g.value(QLatin1String("origin")).toString(), u"inferred"_s);
        QVERIFY(g.value(QLatin1String("if_name")).isNull());
        QVERIFY(g.value(QLatin1String("if_index")).isNull());
        QVERIFY(g.value(QLatin1String("before")).isNull() && g.value(QLatin1String("after")).isNull());
        QVERIFY(g.value(QLatin1String("details")).toString().contains(u"1234 events lost"_s));

        ChangeRecord inferred = gap;
        inferred.requester = RequesterTable::cause("resync after gap");
        const QJsonObject i = parsed(inferred, 3, "");
        QCOMPARE(i.value(QLatin1String("process")).toString(), u"resync after gap"_s);
        QVERIFY(i.value(QLatin1String("pid")).isNull());
        ChangeRecord byKernel = gap;
        byKernel.requester = RequesterTable::kernel();
        QCOMPARE(parsed(byKernel, 4, "").value(QLatin1String("process")).toString(), u"kernel"_s);

        ChangeRecord del;
        del.object = ObjectKind::Address;
        del.change = ChangeKind::Delete;
        del.family = Family::IPv6;
        del.timeUs = kTime;
        del.before = address(2, "2001:db8::1", 64);
        const QJsonObject d = parsed(del, 99, "nb0");
        QVERIFY(!d.isEmpty());
        QCOMPARE(d.value(QLatin1String("destination")).toString(), u"2001:db8::1/64"_s);
        QCOMPARE(d.value(QLatin1String("if_index")).toInteger(), 2);
        QVERIFY(d.value(QLatin1String("after")).isNull());
        QCOMPARE(d.value(QLatin1String("before")).toObject().value(QLatin1String("address")).toString(),
                 u"2001:db8::1/64"_s);
    }
};

QTEST_GUILESS_MAIN(TestJsonLines)
#include "tst_jsonlines.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// CSV writer and reader: exact header, every column of each object kind, RFC 4180
// quoting, non-ASCII text, the formula guard, a full round trip through the reader,
// names and aliases of bytes that are not UTF-8 (escaped, read back byte for byte),
// QSaveFile all-or-nothing behaviour, cancel, broken input; export targets that are not
// regular files (device nodes and a full disk on a private tmpfs, a FIFO), symlinks in
// sticky directories, the owner and mode of a replaced file, the unique fallback file.
#include "model/export/csvevents.h"
#include "model/export/csvreader.h"
#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "platform/netnstable.h"
#include "platform/rowfields.h"
#include "platform/textescape.h"
#include "support/modeltestrows.h"
#include "support/mountns.h"
#include "support/randomrows.h"

#include <QBuffer>
#include <QFile>
#include <QStringDecoder>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <random>
#include <thread>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {
constexpr qint64 kT0 = 1'795'000'000'123'456; // 2026-11-18T11:06:40.123456Z

const QStringList kHeader
    = {QStringLiteral("sequence"),       QStringLiteral("time_utc"),    QStringLiteral("object"),
       QStringLiteral("change"),         QStringLiteral("family"),      QStringLiteral("if_index"),
       QStringLiteral("if_name"),        QStringLiteral("destination"), QStringLiteral("gateway"),
       QStringLiteral("metric"),         QStringLiteral("protocol"),    QStringLiteral("table"),
       QStringLiteral("changed_fields"), QStringLiteral("details"),     QStringLiteral("origin"),
       QStringLiteral("process"),        QStringLiteral("pid"),         QStringLiteral("namespace")};

ChangeRecord record(ObjectKind object, ChangeKind change, Row after, Row before = {})
{
    ChangeRecord r;
    r.object = object;
    r.change = change;
    r.timeUs = kT0;
    r.after = std::move(after);
    r.before = std::move(before);
    if (const auto *a = std::get_if<AddressRow>(&r.row()))
        r.family = a->address.family;
    if (const auto *rt = std::get_if<RouteRow>(&r.row()))
        r.family = rt->family();
    return r;
}

const std::string kAlias = "Wohnzimmer-Brücke ünd 日本, \"quoted\"\nnext line";
const std::string kEvil = "=cmd|' /C calc'!A0";

/// History with: interface initial (non-ASCII alias), interface parameter (mtu),
/// address add, multipath route add, on-link route delete (inferred), formula-like names, a gap.
void fill(EventHistory &h)
{
    InterfaceRow eth = iface(2, "eth0");
    h.append(record(ObjectKind::Interface, ChangeKind::Initial, eth), QStringLiteral("eth0"));
    InterfaceRow jumbo = eth;
    jumbo.mtu = 9000;
    ChangeRecord param = record(ObjectKind::Interface, ChangeKind::Parameter, jumbo, eth);
    param.changedFields = fieldBit<InterfaceRow>("mtu");
    h.append(param, QStringLiteral("eth0"));
    h.append(record(ObjectKind::Address, ChangeKind::Add, address(2, "10.1.0.1", 24)), QStringLiteral("eth0"));
    RouteRow multi = route("2001:db8::", 32, "fe80::1", 2, 1024);
    NextHop hop2;
    hop2.gateway = IpAddress::parse("fe80::2");
    hop2.ifIndex = 2;
    multi.nextHops.push_back(hop2);
    multi.protocol = 9; // ra
    h.append(record(ObjectKind::Route, ChangeKind::Add, multi), QStringLiteral("eth0"));
    ChangeRecord del = record(ObjectKind::Route, ChangeKind::Delete, {}, route("0.0.0.0", 0, nullptr, 2, 0, 255));
    del.origin = Origin::Inferred;
    h.append(del, QStringLiteral("eth0"));
    h.append(record(ObjectKind::Interface, ChangeKind::Add, iface(6, "-evil")), QStringLiteral("-evil"));
    h.append(record(ObjectKind::Interface, ChangeKind::Add, iface(7, "+plus")), QStringLiteral("+plus"));
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.timeUs = kT0 + 1;
    gap.note = "ENOBUFS: 12 events lost";
    h.append(gap, QString());
    // 9: alias set to a non-ASCII text with comma, quotes and a newline (parameter).
    InterfaceRow aliased = eth;
    aliased.alias = kAlias;
    ChangeRecord aliasParam = record(ObjectKind::Interface, ChangeKind::Parameter, aliased, eth);
    aliasParam.changedFields = fieldBit<InterfaceRow>("alias");
    h.append(aliasParam, QStringLiteral("eth0"));
    // 10: a name (Windows friendly name / IfAlias) that a spreadsheet would run.
    h.append(record(ObjectKind::Interface, ChangeKind::Add, iface(8, kEvil)), QString::fromStdString(kEvil));
    // 11: a non-ASCII name that needs quoting.
    h.append(record(ObjectKind::Interface, ChangeKind::Add, iface(9, kAlias)), QString::fromStdString(kAlias));
}

/// n route rows (about 110 bytes each in the CSV).
void fillRoutes(EventHistory &h, int n)
{
    for (int i = 0; i < n; ++i)
        h.append(record(ObjectKind::Route, ChangeKind::Add, numberedRoute(i)), QStringLiteral("eth0"));
}

/// The bytes csv::write produces for h.
QByteArray csvBytes(const EventHistory &h)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    if (!csv::write(h, &buffer, &error))
        qWarning("csv::write: %s", qPrintable(error));
    return buffer.data();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<cannot read>");
}

struct stat statOf(const QString &path)
{
    struct stat st { };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        st.st_mode = 0;
    return st;
}

/// Every name in dir (hidden ones too), sorted.
QStringList namesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}
/// Names of the described members of row that are outside csvRowFields<Row> and differ from
/// a default row's ("" when none): what a recording converted from a CSV export would show
/// as a value it does not have.
template<typename Row> QString setOutsideCsvFields(const Row &row)
{
    const Row defaults;
    QString names;
    std::size_t index = 0;
    std::apply(
        [&](const auto &...e) {
            (
                [&](const auto &entry) {
                    using E = std::remove_cvref_t<decltype(entry)>;
                    if constexpr (E::isMember) {
                        if (!(csvRowFields<Row> & (FieldMask(1) << index))
                            && !(row.*(E::member) == defaults.*(E::member)))
                            names += QString::fromLatin1(entry.info.name.data(), qsizetype(entry.info.name.size()))
                                + QLatin1Char(' ');
                    }
                    ++index;
                }(e),
                ...);
        },
        Description<Row>::fields);
    return names;
}

/// Random rows of type Row written as add events and read back by CsvEventReader: the reader
/// sets no member outside the fields the description marks InCsvRow (which the window then
/// shows blank), so the description and the reader agree.
template<typename Row> void checkReaderKeepsToCsvFields(ObjectKind object, std::uint64_t seed)
{
    Random g(seed);
    QByteArray data = csv::header();
    for (int i = 0; i < 200; ++i) {
        Row row = randomRow<Row>(g);
        ChangeRecord r;
        r.object = object;
        r.change = ChangeKind::Add;
        r.timeUs = 1'800'000'000'000'000 + i;
        QString ifName;
        if constexpr (std::is_same_v<Row, InterfaceRow>) {
            row.luid = 0;
            row.family = Family::Unspec;
            ifName = QString::fromStdString(row.name);
        } else if constexpr (std::is_same_v<Row, AddressRow>) {
            row.address = IpAddress::v4(10, 1, std::uint8_t(i), 1);
            row.prefixLength = 24;
            r.family = Family::IPv4;
        } else {
            row.destination = IpAddress::v4(10, 2, std::uint8_t(i), 0);
            row.prefixLength = 24;
            // A Linux route (a Windows one has no table in the CSV).
            row.protocolSpace = ProtocolSpace::RtmProtocol;
            row.protocol %= 256;
            r.family = Family::IPv4;
        }
        r.after = row;
        data += csv::genericRow(r, quint64(i) + 1, ifName);
    }
    int records = 0;
    csv::CsvEventReader reader([&](const ChangeRecord &record, const QString &) {
        ++records;
        const auto *read = std::get_if<Row>(&record.after);
        QVERIFY(read);
        const QString set = setOutsideCsvFields(*read);
        QVERIFY2(set.isEmpty(), qPrintable(QStringLiteral("set outside the CSV's fields: ") + set));
    });
    reader.feed(data.constData(), std::size_t(data.size()));
    reader.finish();
    QVERIFY2(reader.stats().firstBadRow.isEmpty(), qPrintable(reader.stats().firstBadRow));
    QCOMPARE(records, 200);
}

} // namespace

class TestCsvWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactHeader()
    {
        QCOMPARE(csv::header(),
                 QByteArray("sequence,time_utc,object,change,family,if_index,if_name,destination,gateway,metric,"
                            "protocol,table,changed_fields,details,origin,process,pid,namespace\r\n"));
    }

    // The namespace cell, last: empty for the program's own namespace (0), the name otherwise;
    // read back by the CSV import, also from an export of the 17 columns before it.
    void namespaceColumnRoundTrip()
    {
        using namespace platform;
        ChangeRecord r;
        r.object = ObjectKind::Interface;
        r.change = ChangeKind::Add;
        r.timeUs = 1'763'725'323'000'000;
        InterfaceRow row;
        row.ifIndex = 2;
        row.name = "d0";
        r.after = row;
        const QByteArray own = csv::genericRow(r, 1, QStringLiteral("d0"), KnownFields::All, false);
        QVERIFY2(own.endsWith(",observed,,,\r\n"), own.constData());
        NetNamespace blue;
        blue.name = "=blue";
        blue.inode = 4026532591;
        r.netns = NamespaceTable::intern(blue);
        QVERIFY(r.netns != 0);
        const QByteArray named = csv::genericRow(r, 2, QStringLiteral("d0"), KnownFields::All, false);
        QVERIFY2(named.endsWith(",observed,,,'=blue\r\n"), named.constData());

        std::vector<ChangeRecord> read;
        csv::CsvEventReader reader([&read](const ChangeRecord &record, const QString &) { read.push_back(record); });
        const QByteArray file = csv::header() + own + named;
        reader.feed(file.constData(), std::size_t(file.size()));
        reader.finish();
        QVERIFY2(reader.stats().firstBadRow.isEmpty(), qPrintable(reader.stats().firstBadRow));
        QCOMPARE(read.size(), std::size_t(2));
        QCOMPARE(read[0].netns, 0u);
        QCOMPARE(NamespaceTable::name(read[1].netns), std::string("=blue"));

        // An export written before the column: 17 cells, no namespace.
        read.clear();
        csv::CsvEventReader older([&read](const ChangeRecord &record, const QString &) { read.push_back(record); });
        const QByteArray oldFile = QByteArray(csv::kHeaderLineWithoutNamespace) + "\r\n" + own.chopped(3) + "\r\n";
        older.feed(oldFile.constData(), std::size_t(oldFile.size()));
        older.finish();
        QVERIFY2(older.stats().firstBadRow.isEmpty(), qPrintable(older.stats().firstBadRow));
        QCOMPARE(read.size(), std::size_t(1));
        QCOMPARE(read[0].netns, 0u);
    }

    // A namespace id event: no row; its id is the destination cell, the details say what it
    // is, and the CSV import reads the same event back. A malformed id is a bad row.
    void namespaceIdRows()
    {
        using namespace platform;
        ChangeRecord r;
        r.object = ObjectKind::Nsid;
        r.change = ChangeKind::Add;
        r.timeUs = 1'763'725'323'000'000;
        r.nsid = 7;
        NetNamespace blue;
        blue.name = "blue";
        r.netns = NamespaceTable::intern(blue);
        const QByteArray added = csv::genericRow(r, 1, QString(), KnownFields::All, false);
        QCOMPARE(added,
                 QByteArray("1,2025-11-21T11:42:03.000000Z,nsid,add,unspec,,,7,,,,,,id given to a peer "
                            "namespace,observed,,,blue\r\n"));
        r.change = ChangeKind::Delete;
        const QByteArray removed = csv::genericRow(r, 2, QString(), KnownFields::All, false);
        QVERIFY2(removed.contains(",nsid,delete,unspec,,,7,,,,,,id of a peer namespace removed,"), removed.constData());

        std::vector<ChangeRecord> read;
        csv::CsvEventReader reader([&read](const ChangeRecord &record, const QString &) { read.push_back(record); });
        const QByteArray bad = QByteArray(added).replace(",7,", ",-3,");
        const QByteArray file = csv::header() + added + removed + bad;
        reader.feed(file.constData(), std::size_t(file.size()));
        reader.finish();
        QCOMPARE(read.size(), std::size_t(2));
        QCOMPARE(reader.stats().badRows, std::int64_t(1));
        QVERIFY2(reader.stats().firstBadRow.contains(u"bad nsid \"-3\""), qPrintable(reader.stats().firstBadRow));
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(read[i].object, ObjectKind::Nsid);
            QCOMPARE(read[i].change, i == 0 ? ChangeKind::Add : ChangeKind::Delete);
            QCOMPARE(read[i].nsid, 7);
            QCOMPARE(NamespaceTable::name(read[i].netns), std::string("blue"));
            QVERIFY(read[i].note.empty());
            QCOMPARE(csv::genericRow(read[i], i + 1, QString(), KnownFields::All, false), i == 0 ? added : removed);
        }
    }

    void isoTime_data()
    {
        QTest::addColumn<qint64>("timeUs");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("epoch") << qint64(0) << QByteArray("1970-01-01T00:00:00.000000Z");
        QTest::newRow("README example") << qint64(1'795'261'323'123'456) << QByteArray("2026-11-21T11:42:03.123456Z");
        QTest::newRow("leap day") << qint64(951'782'400'000'001) << QByteArray("2000-02-29T00:00:00.000001Z");
        QTest::newRow("before epoch") << qint64(-1) << QByteArray("1969-12-31T23:59:59.999999Z");
    }
    void isoTime()
    {
        QFETCH(qint64, timeUs);
        QFETCH(QByteArray, text);
        QCOMPARE(csv::isoTimeUtc(timeUs), text);
        // Cross-check with QDateTime for the millisecond part.
        if (timeUs >= 0) {
            const QString qt = QDateTime::fromMSecsSinceEpoch(timeUs / 1000, Qt::UTC).toString(Qt::ISODateWithMs);
            QVERIFY2(QString::fromLatin1(text).startsWith(qt.left(23)), qPrintable(qt));
        }
    }

    void cellQuoting_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("written");
        QTest::newRow("plain") << QStringLiteral("eth0") << QByteArray("eth0");
        QTest::newRow("empty") << QString() << QByteArray("");
        QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QByteArray("\"a\nb\"");
        QTest::newRow("cr") << QStringLiteral("a\rb") << QByteArray("\"a\rb\"");
        QTest::newRow("non-ascii") << QStringLiteral("Wohnzimmer-Brücke ünd 日本")
                                   << QStringLiteral("Wohnzimmer-Brücke ünd 日本").toUtf8();
        QTest::newRow("guard =") << QStringLiteral("=cmd|' /C calc'!A0") << QByteArray("'=cmd|' /C calc'!A0");
        QTest::newRow("guard +") << QStringLiteral("+plus") << QByteArray("'+plus");
        QTest::newRow("guard -") << QStringLiteral("-evil") << QByteArray("'-evil");
        QTest::newRow("guard @") << QStringLiteral("@SUM(A1)") << QByteArray("'@SUM(A1)");
        QTest::newRow("guard tab") << QStringLiteral("\tx") << QByteArray("'\tx");
        QTest::newRow("guard cr, quoted") << QStringLiteral("\rx") << QByteArray("\"'\rx\"");
        QTest::newRow("guard and comma") << QStringLiteral("=1,2") << QByteArray("\"'=1,2\"");
        QTest::newRow("inner = not guarded") << QStringLiteral("a=b") << QByteArray("a=b");
        // The writer checks eight bytes at a time: each character that needs quotes, at
        // every position of a word, after ASCII and after multi-byte UTF-8 text.
        for (const char special : {',', '"', '\n', '\r'}) {
            for (const QString &lead : {QStringLiteral("0123456789abcdefghij"), QStringLiteral("ünd日本ünd日本ü")}) {
                for (int at = special == '\r' ? 1 : 0; at <= 17; ++at) { // a leading CR also gets the guard
                    const QString text = lead.left(at) + QLatin1Char(special) + QStringLiteral("tail");
                    QByteArray written = text.toUtf8();
                    written.replace('"', "\"\"");
                    written = '"' + written + '"';
                    QTest::addRow("0x%02x after %d of %s", special, at, lead.front() == u'0' ? "ascii" : "utf8")
                        << text << written;
                }
            }
        }
        QTest::newRow("no special in 17 bytes")
            << QStringLiteral("0123456789abcdefg") << QByteArray("0123456789abcdefg");
        // A text that begins with apostrophes before a formula character gets one more, so
        // that taking one off (csv::bytesFromCell) gives the text back.
        QTest::newRow("apostrophe then =") << QStringLiteral("'=x") << QByteArray("''=x");
        QTest::newRow("apostrophes then -") << QStringLiteral("''-x") << QByteArray("'''-x");
        QTest::newRow("apostrophe, text") << QStringLiteral("'x") << QByteArray("'x");
        QTest::newRow("apostrophe alone") << QStringLiteral("'") << QByteArray("'");
    }
    void cellQuoting()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, written);
        QCOMPARE(csv::cell(text), written);
    }

    void rowsHaveEveryColumn_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QStringList>("cells");
        const QString t = QStringLiteral("2026-11-18T11:06:40.123456Z");
        QTest::newRow("interface initial") << 0
                                           << QStringList {QStringLiteral("1"),
                                                           t,
                                                           QStringLiteral("interface"),
                                                           QStringLiteral("initial"),
                                                           QStringLiteral("unspec"),
                                                           QStringLiteral("2"),
                                                           QStringLiteral("eth0"),
                                                           {},
                                                           {},
                                                           {},
                                                           {},
                                                           {},
                                                           {},
                                                           QStringLiteral("*"),
                                                           QStringLiteral("observed")};
        QTest::newRow("interface parameter") << 1
                                             << QStringList {QStringLiteral("2"),
                                                             t,
                                                             QStringLiteral("interface"),
                                                             QStringLiteral("parameter"),
                                                             QStringLiteral("unspec"),
                                                             QStringLiteral("2"),
                                                             QStringLiteral("eth0"),
                                                             {},
                                                             {},
                                                             {},
                                                             {},
                                                             {},
                                                             QStringLiteral("mtu"),
                                                             QStringLiteral("mtu 1500 -> 9000"),
                                                             QStringLiteral("observed")};
        QTest::newRow("address add") << 2
                                     << QStringList {QStringLiteral("3"),
                                                     t,
                                                     QStringLiteral("address"),
                                                     QStringLiteral("add"),
                                                     QStringLiteral("ipv4"),
                                                     QStringLiteral("2"),
                                                     QStringLiteral("eth0"),
                                                     QStringLiteral("10.1.0.1/24"),
                                                     {},
                                                     {},
                                                     {},
                                                     {},
                                                     {},
                                                     QStringLiteral("*"),
                                                     QStringLiteral("observed")};
        QTest::newRow("multipath route add") << 3
                                             << QStringList {QStringLiteral("4"),
                                                             t,
                                                             QStringLiteral("route"),
                                                             QStringLiteral("add"),
                                                             QStringLiteral("ipv6"),
                                                             QStringLiteral("2"),
                                                             QStringLiteral("eth0"),
                                                             QStringLiteral("2001:db8::/32"),
                                                             QStringLiteral("fe80::1;fe80::2"),
                                                             QStringLiteral("1024"),
                                                             QStringLiteral("ra"),
                                                             QStringLiteral("main"),
                                                             {},
                                                             QStringLiteral("*"),
                                                             QStringLiteral("observed")};
        QTest::newRow("on-link route delete, inferred") << 4
                                                        << QStringList {QStringLiteral("5"),
                                                                        t,
                                                                        QStringLiteral("route"),
                                                                        QStringLiteral("delete"),
                                                                        QStringLiteral("ipv4"),
                                                                        QStringLiteral("2"),
                                                                        QStringLiteral("eth0"),
                                                                        QStringLiteral("0.0.0.0/0"),
                                                                        {},
                                                                        QStringLiteral("0"),
                                                                        QStringLiteral("static"),
                                                                        QStringLiteral("local"),
                                                                        {},
                                                                        QStringLiteral("*"),
                                                                        QStringLiteral("inferred")};
        QTest::newRow("formula guard on if_name") << 5
                                                  << QStringList {QStringLiteral("6"),
                                                                  t,
                                                                  QStringLiteral("interface"),
                                                                  QStringLiteral("add"),
                                                                  QStringLiteral("unspec"),
                                                                  QStringLiteral("6"),
                                                                  QStringLiteral("'-evil"),
                                                                  {},
                                                                  {},
                                                                  {},
                                                                  {},
                                                                  {},
                                                                  {},
                                                                  QStringLiteral("*"),
                                                                  QStringLiteral("observed")};
        QTest::newRow("gap") << 7
                             << QStringList {QStringLiteral("8"),
                                             QStringLiteral("2026-11-18T11:06:40.123457Z"),
                                             QStringLiteral("gap"),
                                             QStringLiteral("gap"),
                                             QStringLiteral("unspec"),
                                             {},
                                             {},
                                             {},
                                             {},
                                             {},
                                             {},
                                             {},
                                             {},
                                             QStringLiteral("ENOBUFS: 12 events lost"),
                                             QStringLiteral("observed")};
    }
    void rowsHaveEveryColumn()
    {
        QFETCH(int, row);
        QFETCH(QStringList, cells);
        EventHistory h;
        fill(h);
        QString error;
        const QList<QStringList> parsed = csv::parse(csv::row(h, row), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parsed.size(), 1);
        QCOMPARE(parsed.at(0).size(), kHeader.size());
        for (int c = 0; c < kHeader.size(); ++c) {
            const QString want = c < cells.size() ? cells.at(c) : QString(); // process, pid, namespace: none here
            if (want == QLatin1StringView("*")) // details: only non-empty and unguarded here
                QVERIFY2(!parsed.at(0).at(c).isEmpty(), qPrintable(kHeader.at(c)));
            else
                QVERIFY2(parsed.at(0).at(c) == want,
                         qPrintable(kHeader.at(c) + QStringLiteral(": ") + parsed.at(0).at(c) + QStringLiteral(" != ")
                                    + want));
        }
    }

    void roundTripEveryCell()
    {
        EventHistory h;
        fill(h);
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QString error;
        QList<qint64> progress;
        QVERIFY(csv::write(h, &buffer, &error, [&](qint64 done, qint64 total) {
            progress << done << total;
            return true;
        }));
        QVERIFY(error.isEmpty());
        QCOMPARE(progress.mid(progress.size() - 2), (QList<qint64> {h.size(), h.size()}));
        const QByteArray data = buffer.data();
        QVERIFY(data.startsWith(csv::header()));
        QVERIFY(data.contains(QStringLiteral("Wohnzimmer-Brücke ünd 日本").toUtf8())); // UTF-8, not escaped

        const QList<QStringList> parsed = csv::parse(data, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parsed.size(), int(h.size()) + 1);
        QCOMPARE(parsed.at(0), kHeader);
        // Every cell: the reader gives back what the writer meant (after the guard).
        for (qint64 i = 0; i < h.size(); ++i) {
            const QList<QStringList> one = csv::parse(csv::row(h, i), &error);
            QCOMPARE(parsed.at(int(i) + 1), one.at(0));
            QCOMPARE(one.at(0).size(), kHeader.size());
            for (const QString &cell : one.at(0)) {
                const QByteArray written = csv::cell(cell.startsWith(QLatin1Char('\'')) ? cell.mid(1) : cell);
                QVERIFY(data.contains(written));
            }
        }
        // The alias with comma, quotes and a newline survives in details and in if_name.
        const QString alias = QString::fromStdString(kAlias);
        QVERIFY2(parsed.at(9).at(13).contains(alias), qPrintable(parsed.at(9).at(13)));
        QCOMPARE(parsed.at(9).at(12), QStringLiteral("alias"));
        QCOMPARE(parsed.at(11).at(6), alias);
        // Formula guard on if_name.
        QCOMPARE(parsed.at(6).at(6), QStringLiteral("'-evil"));
        QCOMPARE(parsed.at(7).at(6), QStringLiteral("'+plus"));
        QCOMPARE(parsed.at(10).at(6), QStringLiteral("'=cmd|' /C calc'!A0"));
        for (const QStringList &row : parsed) {
            for (const QString &cell : row) {
                QVERIFY2(cell.isEmpty() || !QStringLiteral("=+-@\t\r").contains(cell.at(0)), qPrintable(cell));
            }
        }
    }

    void bytesThatAreNotUtf8RoundTrip()
    {
        // Names and aliases of arbitrary bytes (no NUL: the kernel's strings end there), as
        // the decoder hands them on: escaped by textFromBytes. The CSV is valid UTF-8 and
        // bytesFromCell gives every name, and the alias inside details, back byte for byte.
        std::mt19937 rng(4242);
        std::uniform_int_distribution<int> length(1, 15);
        std::uniform_int_distribution<int> byte(1, 255);
        std::uniform_int_distribution<int> special(0, 7);
        const auto randomBytes = [&] {
            std::string raw;
            for (int n = length(rng); n > 0; --n) {
                switch (special(rng)) { // bias towards the escape's own characters
                case 0: raw += '\\'; break;
                case 1: raw += 'x'; break;
                case 2: raw += "\xc3\xbc"; break; // ü
                default: raw += char(byte(rng)); break;
                }
            }
            return raw;
        };
        std::vector<std::pair<std::string, std::string>> raws = {
            {"d\xff\xfe", "bad\xff\xfe"}, // the names and alias of the end-to-end test
            {"-d\xff", "'=x\xfe"}, // guarded cells
            {"'=d", "a\\x41"}, // an apostrophe of its own; a typed escape
            {"=\x80", "\\\xff"},
        };
        for (int k = 0; k < 3000; ++k)
            raws.emplace_back(randomBytes(), randomBytes());

        EventHistory h;
        quint32 ifIndex = 100;
        for (const auto &[rawName, rawAlias] : raws) {
            // Qt's own UTF-8 check agrees with isValidUtf8 on these bytes.
            QCOMPARE(isValidUtf8(rawName), QByteArray::fromStdString(rawName).isValidUtf8());
            InterfaceRow row = iface(++ifIndex, textFromBytes(rawName));
            row.alias = textFromBytes(rawAlias);
            h.append(record(ObjectKind::Interface, ChangeKind::Add, row), QString::fromStdString(row.name));
        }
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QString error;
        QVERIFY(csv::write(h, &buffer, &error));
        const QByteArray data = buffer.data();
        QVERIFY(data.isValidUtf8());
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = decoder.decode(data);
        QVERIFY(!decoder.hasError());
        QCOMPARE(decoded.toUtf8(), data);

        QList<QStringList> parsed = csv::parse(data, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parsed.size(), qsizetype(raws.size()) + 1);
        for (std::size_t i = 0; i < raws.size(); ++i) {
            const QStringList &cells = parsed.at(qsizetype(i) + 1);
            const QByteArray name = QByteArray::fromStdString(raws[i].first);
            const QByteArray alias = QByteArray::fromStdString(raws[i].second);
            QVERIFY2(csv::bytesFromCell(cells.at(6)) == name,
                     qPrintable(QStringLiteral("row %1: %2").arg(i).arg(cells.at(6))));
            QVERIFY2(csv::bytesFromCell(cells.at(13)).endsWith(QByteArray(" alias " + alias)),
                     qPrintable(QStringLiteral("row %1: %2").arg(i).arg(cells.at(13))));
        }
        // What the text looks like: each stray byte as \xHH, a typed \x41 kept apart.
        QCOMPARE(parsed.at(1).at(6), QStringLiteral("d\\xff\\xfe"));
        QVERIFY(parsed.at(1).at(13).endsWith(QStringLiteral(" alias bad\\xff\\xfe")));
        QCOMPARE(parsed.at(2).at(6), QStringLiteral("'-d\\xff"));
        QCOMPARE(parsed.at(3).at(6), QStringLiteral("''=d"));
        QVERIFY(parsed.at(3).at(13).endsWith(QStringLiteral(" alias a\\x5cx41")));
    }

    // Route rows, byte for byte: the cells come from the route description (rowfields.h):
    // if_index, destination, gateway, metric, protocol and table from the fields marked for
    // them, details = the attribute line (in description order) or the changes, the device
    // by the if_name cell as `ip route` writes it (if_index keeps the number).
    void routeRowsFromTheDescription()
    {
        const QByteArray t = csv::isoTimeUtc(kT0);
        RouteRow r = route("20.0.0.1", 32, "10.9.0.2", 2, 100);
        r.protocol = 3; // boot
        r.prefSrc = IpAddress::parse("10.9.0.1");
        QCOMPARE(csv::genericRow(record(ObjectKind::Route, ChangeKind::Add, r), 7, QStringLiteral("nb0")),
                 "7," + t
                     + ",route,add,ipv4,2,nb0,20.0.0.1/32,10.9.0.2,100,boot,main,,"
                       "via 10.9.0.2 dev nb0 metric 100 table main proto boot src 10.9.0.1,observed,,,\r\n");

        RouteRow blackhole = route("192.0.2.0", 24, nullptr, 0, 0, 1000);
        blackhole.nextHops.clear();
        blackhole.type = 6;
        QCOMPARE(csv::genericRow(record(ObjectKind::Route, ChangeKind::Delete, {}, blackhole), 8, QString()),
                 "8," + t
                     + ",route,delete,ipv4,,,192.0.2.0/24,,0,static,1000,,metric 0 table 1000 proto static blackhole,"
                       "observed,,,\r\n");

        // Windows: MIB_IPFORWARD_ROW2 protocol names, no table in the details.
        RouteRow windows = route("0.0.0.0", 0, "192.168.1.1", 12, 25, 0);
        windows.protocol = 3; // netmgmt
        windows.protocolSpace = ProtocolSpace::MibIpProto;
        QCOMPARE(csv::genericRow(record(ObjectKind::Route, ChangeKind::Initial, windows), 9, QStringLiteral("=x")),
                 "9," + t
                     + ",route,initial,ipv4,12,'=x,0.0.0.0/0,192.168.1.1,25,netmgmt,0,,"
                       "via 192.168.1.1 dev =x metric 25 proto netmgmt,observed,,,\r\n");

        RouteRow moved = r;
        moved.nextHops.front().gateway = IpAddress::parse("10.9.0.3");
        ChangeRecord param = record(ObjectKind::Route, ChangeKind::Parameter, moved, r);
        param.changedFields = fieldBit<RouteRow>("nexthops");
        param.origin = Origin::Inferred;
        QCOMPARE(csv::genericRow(param, 10, QStringLiteral("nb0")),
                 "10," + t
                     + ",route,parameter,ipv4,2,nb0,20.0.0.1/32,10.9.0.3,100,boot,main,nexthops,"
                       "nexthops via 10.9.0.2 dev nb0 -> via 10.9.0.3 dev nb0,inferred,,,\r\n");
    }

    // RTA_PREF: "pref high" at the end of the details, as `ip -6 route` shows it.
    void routePreferenceInDetails()
    {
        RouteRow r = route("2001:db8::", 64, nullptr, 3, 1024);
        r.pref = 1; // ICMPV6_ROUTER_PREF_HIGH
        QCOMPARE(csv::genericRow(record(ObjectKind::Route, ChangeKind::Add, r), 1, QStringLiteral("x")),
                 "1," + csv::isoTimeUtc(kT0)
                     + ",route,add,ipv6,3,x,2001:db8::/64,,1024,static,main,,"
                       "dev x metric 1024 table main proto static pref high,observed,,,\r\n");
    }

    void exportInParallelBlocksKeepsOrder()
    {
        EventHistory h;
        const int n = 40'000; // several formatting blocks
        std::vector<EventHistory::Entry> entries;
        for (int i = 0; i < n; ++i) {
            ChangeRecord c = record(ObjectKind::Route, ChangeKind::Initial, numberedRoute(i));
            c.timeUs = kT0 + i;
            entries.push_back({std::move(c), i % 2 ? QStringLiteral("a") : QStringLiteral("b")});
        }
        h.append(std::move(entries));
        fill(h); // other kinds at the end (generic path)
        QByteArray expected = csv::header();
        for (qint64 i = 0; i < h.size(); ++i)
            expected += csv::genericRow(h.record(i), h.sequence(i), h.ifName(i));
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QString error;
        qint64 lastDone = -1;
        QVERIFY(csv::write(h, &buffer, &error, [&](qint64 done, qint64 total) {
            if (done < lastDone || total != h.size())
                return false;
            lastDone = done;
            return true;
        }));
        QCOMPARE(lastDone, h.size());
        QCOMPARE(buffer.data().size(), expected.size());
        QVERIFY(buffer.data() == expected);
    }

    // Values beyond the MIB_NOTIFICATION_TYPE set: change expired / registered / deregistered / gap, object entity (its
    // name in protocol) / gap, origin inferred.
    void entityGapExpiredRows()
    {
        EventHistory h;
        RouteRow ra = route("2001:db8:5::", 64, "fe80::1", 2, 1024);
        ra.protocol = 9; // ra
        ra.expiresUs = kT0 - 1;
        h.append(record(ObjectKind::Route, ChangeKind::Expired, {}, ra), QStringLiteral("eth0"));
        EntityRow bird;
        bird.protocol = 12;
        bird.routeCount = 1;
        h.append(record(ObjectKind::Entity, ChangeKind::Registered, bird), QString());
        EntityRow gone = bird;
        gone.routeCount = 0;
        h.append(record(ObjectKind::Entity, ChangeKind::Deregistered, {}, gone), QString());
        ChangeRecord gap;
        gap.object = ObjectKind::Gap;
        gap.change = ChangeKind::Gap;
        gap.timeUs = kT0;
        gap.note = "ENOBUFS";
        h.append(gap, QString());
        ChangeRecord inferred = record(ObjectKind::Address, ChangeKind::Add, address(2, "10.9.0.1", 24));
        inferred.origin = Origin::Inferred;
        h.append(inferred, QStringLiteral("eth0"));

        QString error;
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QVERIFY(csv::write(h, &buffer, &error));
        const QList<QStringList> parsed = csv::parse(buffer.data(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(parsed.size(), 6);
        const int object = 2, change = 3, protocol = 10, origin = 14, destination = 7, details = 13;
        // expired route: still a route row with its fields
        QCOMPARE(parsed.at(1).at(object), QStringLiteral("route"));
        QCOMPARE(parsed.at(1).at(change), QStringLiteral("expired"));
        QCOMPARE(parsed.at(1).at(destination), QStringLiteral("2001:db8:5::/64"));
        QCOMPARE(parsed.at(1).at(protocol), QStringLiteral("ra"));
        QCOMPARE(parsed.at(1).at(origin), QStringLiteral("observed"));
        // entity registered / deregistered: the name in protocol, no route columns
        QCOMPARE(parsed.at(2).at(object), QStringLiteral("entity"));
        QCOMPARE(parsed.at(2).at(change), QStringLiteral("registered"));
        QCOMPARE(parsed.at(2).at(protocol), QStringLiteral("bird"));
        QCOMPARE(parsed.at(2).at(destination), QString());
        QCOMPARE(parsed.at(2).at(9), QString()); // metric
        QCOMPARE(parsed.at(3).at(object), QStringLiteral("entity"));
        QCOMPARE(parsed.at(3).at(change), QStringLiteral("deregistered"));
        QCOMPARE(parsed.at(3).at(protocol), QStringLiteral("bird"));
        // gap
        QCOMPARE(parsed.at(4).at(object), QStringLiteral("gap"));
        QCOMPARE(parsed.at(4).at(change), QStringLiteral("gap"));
        QCOMPARE(parsed.at(4).at(details), QStringLiteral("ENOBUFS"));
        // inferred
        QCOMPARE(parsed.at(5).at(change), QStringLiteral("add"));
        QCOMPARE(parsed.at(5).at(origin), QStringLiteral("inferred"));
    }

    void droppedEventsAreCountedInAGapRowFirst_data()
    {
        QTest::addColumn<bool>("oneBatch");
        QTest::newRow("dropped from the store") << false;
        QTest::newRow("dropped unseen from a batch larger than the capacity") << true;
    }
    void droppedEventsAreCountedInAGapRowFirst()
    {
        QFETCH(bool, oneBatch);
        EventHistory h;
        h.setCapacity(5);
        std::vector<EventHistory::Entry> batch;
        for (int i = 0; i < 8; ++i) {
            ChangeRecord r = record(ObjectKind::Route, ChangeKind::Add, numberedRoute(i));
            r.timeUs = kT0 + i;
            if (oneBatch)
                batch.push_back({r, QStringLiteral("eth0")});
            else
                h.append(r, QStringLiteral("eth0"));
        }
        if (oneBatch)
            h.append(std::move(batch));
        QCOMPARE(h.size(), qint64(5));
        QCOMPARE(h.droppedSinceClear(), qint64(3));
        QCOMPARE(h.lastDroppedTimeUs(), kT0 + 2);

        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QString error;
        QVERIFY2(csv::write(h, &buffer, &error), qPrintable(error));
        QList<QStringList> rows = csv::parse(buffer.data(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(rows.size(), 1 + 1 + 5);
        QCOMPARE(rows.at(0), kHeader);
        const QStringList &gap = rows.at(1);
        QCOMPARE(gap.size(), kHeader.size());
        QCOMPARE(gap.at(0), QString()); // stands for no single event
        QCOMPARE(gap.at(1), QString::fromLatin1(csv::isoTimeUtc(kT0 + 2))); // the newest dropped one
        QCOMPARE(gap.at(2), QStringLiteral("gap"));
        QCOMPARE(gap.at(3), QStringLiteral("gap"));
        QCOMPARE(gap.at(13),
                 QStringLiteral("oldest events dropped: 3 events (sequence 1 to 3) are missing: the history keeps at "
                                "most 5 events"));
        QCOMPARE(gap.at(14), QStringLiteral("inferred"));
        QCOMPARE(rows.at(2).at(0), QStringLiteral("4"));
        QCOMPARE(rows.at(6).at(0), QStringLiteral("8"));

        // After clear() the missing events were removed on purpose: no gap row.
        h.clear();
        QCOMPARE(h.droppedSinceClear(), qint64(0));
        h.append(record(ObjectKind::Route, ChangeKind::Add, numberedRoute(9)), QStringLiteral("eth0"));
        QBuffer after;
        QVERIFY(after.open(QIODevice::WriteOnly));
        QVERIFY(csv::write(h, &after, &error));
        rows = csv::parse(after.data(), &error);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(1).at(0), QStringLiteral("9"));
    }

    void exportToFileWritesAndReplaces()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.csv"));
        EventHistory h;
        fill(h);
        QString error;
        QVERIFY2(csv::exportToFile(h, path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QStringList> parsed = csv::parse(file.readAll(), &error);
        QCOMPARE(parsed.size(), int(h.size()) + 1);
    }

    void unwritablePathFailsAndKeepsExistingFile()
    {
        EventHistory h;
        fill(h);
        QString error;
        // A directory that does not exist.
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("no/such/dir/out.csv"));
        QVERIFY(!csv::exportToFile(h, missing, &error));
        QVERIFY2(error.contains(missing), qPrintable(error));
        QVERIFY(!QFile::exists(missing));

        // An existing good file that cannot be replaced.
        QString existing;
        QByteArray before;
        if (geteuid() == 0) {
            existing = QStringLiteral("/proc/version"); // root can write anywhere but /proc
        } else {
            existing = dir.filePath(QStringLiteral("ro/good.csv"));
            QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("ro")));
            QFile good(existing);
            QVERIFY(good.open(QIODevice::WriteOnly));
            good.write("good\r\n");
            good.close();
            QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("ro")), QFile::ReadOwner | QFile::ExeOwner));
        }
        {
            QFile f(existing);
            QVERIFY(f.open(QIODevice::ReadOnly));
            before = f.readAll();
        }
        QVERIFY(!csv::exportToFile(h, existing, &error));
        QVERIFY2(error.contains(existing), qPrintable(error));
        QVERIFY2(error.size() > existing.size() + 16, qPrintable(error)); // a reason follows
        QFile f(existing);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        if (geteuid() != 0)
            QFile::setPermissions(dir.filePath(QStringLiteral("ro")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void writeErrorIsReported()
    {
        // Our own full device node (1,7) on a private tmpfs, not the machine's /dev/full.
        if (!test::mountNamespaceResult().entered)
            QSKIP(test::mountNamespaceResult().message.c_str());
        QTemporaryDir dir;
        test::TmpfsMount tmpfs(dir.path().toStdString(), 64);
        QVERIFY2(tmpfs.ok(), tmpfs.error().c_str());
        const QString node = dir.filePath(QStringLiteral("full"));
        if (const std::string why = test::makeCharDevice(node.toStdString(), 1, 7); !why.empty())
            QSKIP(why.c_str());
        QFile full(node);
        QVERIFY(full.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        EventHistory h;
        fill(h);
        QString error;
        QVERIFY(!csv::write(h, &full, &error));
        QCOMPARE(error, QStringLiteral("write failed: No space left on device"));
    }

    void cancelLeavesNoFileAndKeepsExisting()
    {
        EventHistory h;
        for (int i = 0; i < 10000; ++i)
            h.append(record(ObjectKind::Route, ChangeKind::Add, numberedRoute(i)), QStringLiteral("eth0"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.csv"));
        QString error;
        int calls = 0;
        const auto cancel = [&](qint64 done, qint64 total) {
            ++calls;
            return done < total / 2;
        };
        QVERIFY(!csv::exportToFile(h, path, &error, cancel));
        QVERIFY2(error.contains(QStringLiteral("cancelled")), qPrintable(error));
        QVERIFY(calls >= 2);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList()); // no temp file left
        {
            QFile good(path);
            QVERIFY(good.open(QIODevice::WriteOnly));
            good.write("good\r\n");
        }
        QVERIFY(!csv::exportToFile(h, path, &error, cancel));
        QFile good(path);
        QVERIFY(good.open(QIODevice::ReadOnly));
        QCOMPARE(good.readAll(), QByteArray("good\r\n"));
    }

    // A device is written in place, never replaced: exporting to a null device succeeds
    // and leaves the node; a full device (ENOSPC) is an error naming the cause. The nodes
    // are our own, on a tmpfs in a private mount namespace.
    void deviceTargetsAreWrittenInPlace()
    {
        if (!test::mountNamespaceResult().entered)
            QSKIP(test::mountNamespaceResult().message.c_str());
        QTemporaryDir dir;
        test::TmpfsMount tmpfs(dir.path().toStdString(), 1024);
        QVERIFY2(tmpfs.ok(), tmpfs.error().c_str());
        const QString null = dir.filePath(QStringLiteral("null"));
        const QString full = dir.filePath(QStringLiteral("full"));
        for (const auto &[path, minor] : {std::pair {null, 3u}, std::pair {full, 7u}}) {
            const std::string why = test::makeCharDevice(path.toStdString(), 1, minor);
            if (!why.empty())
                QSKIP(why.c_str());
        }
        EventHistory h;
        fill(h);
        QString error;
        QVERIFY2(csv::exportToFile(h, null, &error), qPrintable(error));
        QVERIFY(S_ISCHR(statOf(null).st_mode));
        QCOMPARE(statOf(null).st_rdev, makedev(1, 3));

        QVERIFY(!csv::exportToFile(h, full, &error));
        QCOMPARE(error, QStringLiteral("cannot write %1: No space left on device").arg(full));
        QVERIFY(S_ISCHR(statOf(full).st_mode));
        QCOMPARE(statOf(full).st_rdev, makedev(1, 7));
        QCOMPARE(namesIn(dir.path()), QStringList({QStringLiteral("full"), QStringLiteral("null")})); // no temp file
    }

    // A FIFO gets every row in order while its reader reads (the CSV is larger than the
    // pipe buffer), and stays a FIFO.
    void fifoTargetGetsTheRowsInOrder()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        // Open the read end first (non-blocking: there is no writer yet), so the export's
        // blocking open finds a reader.
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(fd >= 0);
        EventHistory h;
        fillRoutes(h, 5000);
        QByteArray received;
        std::thread reader([fd, &received] {
            char buf[65536];
            bool writerSeen = false;
            for (int idle = 0; idle < 100;) { // 10 s without data: give up
                pollfd p {fd, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0) {
                    ++idle;
                    continue;
                }
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n > 0) {
                    received.append(buf, n);
                    writerSeen = true;
                    idle = 0;
                } else if (n == 0 && writerSeen) {
                    break; // the writer closed
                } else {
                    ++idle;
                    ::usleep(100 * 1000);
                }
            }
        });
        QString error;
        const bool ok = csv::exportToFile(h, fifo, &error);
        reader.join();
        ::close(fd);
        QVERIFY2(ok, qPrintable(error));
        QVERIFY(S_ISFIFO(statOf(fifo).st_mode));
        QCOMPARE(received.size(), csvBytes(h).size());
        QVERIFY(received == csvBytes(h));
    }

    // Another user's symlink in a sticky world-writable directory (as /tmp) is not
    // followed, as the last component or as a directory on the way; the user's own link
    // and the directory owner's link are.
    void symlinkInStickyDirectoryIsRefused()
    {
        if (geteuid() != 0)
            QSKIP("making a symlink owned by another user needs root");
        QTemporaryDir sticky;
        QTemporaryDir elsewhere;
        QCOMPARE(::chmod(QFile::encodeName(sticky.path()).constData(), 01777), 0);
        const QString secret = elsewhere.filePath(QStringLiteral("secret"));
        {
            QFile f(secret);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("root only\n");
        }
        const QString link = sticky.filePath(QStringLiteral("out.csv"));
        const QString dirLink = sticky.filePath(QStringLiteral("dir"));
        QVERIFY(QFile::link(secret, link));
        QVERIFY(QFile::link(elsewhere.path(), dirLink));
        QCOMPARE(::lchown(QFile::encodeName(link).constData(), 65534, 65534), 0);
        QCOMPARE(::lchown(QFile::encodeName(dirLink).constData(), 65534, 65534), 0);
        EventHistory h;
        fill(h);
        QString error;
        QVERIFY(!csv::exportToFile(h, link, &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot write %1: refusing to follow the symlink").arg(link)),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("uid 65534")) && error.contains(QStringLiteral("fs.protected_symlinks")),
                 qPrintable(error));
        QVERIFY(!error.contains(u'\n'));
        const QString throughDir = dirLink + QStringLiteral("/secret");
        QVERIFY(!csv::exportToFile(h, throughDir, &error));
        QVERIFY2(error.contains(QStringLiteral("refusing to follow the symlink %1").arg(dirLink)), qPrintable(error));
        QCOMPARE(readAll(secret), QByteArray("root only\n"));
        QVERIFY(S_ISLNK(statOf(link).st_mode));

        // The directory's owner's link is followed.
        QCOMPARE(::chown(QFile::encodeName(sticky.path()).constData(), 65534, 65534), 0);
        QVERIFY2(csv::exportToFile(h, link, &error), qPrintable(error));
        QCOMPARE(readAll(secret), csvBytes(h));
        QVERIFY(S_ISLNK(statOf(link).st_mode)); // the target was replaced, not the link
        // And the user's own.
        QCOMPARE(::chown(QFile::encodeName(sticky.path()).constData(), 0, 0), 0);
        QCOMPARE(::lchown(QFile::encodeName(link).constData(), 0, 0), 0);
        QVERIFY2(csv::exportToFile(h, link, &error), qPrintable(error));
    }

    // Replacing a file keeps its owner, group and mode (we run as root: any owner can be
    // kept; as another user only the mode is checked).
    void replacedFileKeepsOwnerAndMode()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("theirs.csv"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old\n");
        }
        const QByteArray native = QFile::encodeName(path);
        const bool root = geteuid() == 0;
        if (root)
            QCOMPARE(::chown(native.constData(), 65534, 65534), 0);
        QCOMPARE(::chmod(native.constData(), 0604), 0);
        EventHistory h;
        fill(h);
        QString error;
        QVERIFY2(csv::exportToFile(h, path, &error), qPrintable(error));
        QCOMPARE(readAll(path), csvBytes(h));
        const struct stat st = statOf(path);
        QCOMPARE(st.st_mode & 07777, mode_t(0604));
        if (root) {
            QCOMPARE(st.st_uid, uid_t(65534));
            QCOMPARE(st.st_gid, gid_t(65534));
        }
    }

    // A full disk: one line naming the cause (strerror of ENOSPC), the existing file left
    // as it was and no temporary file left behind; for a write cut short by the full disk
    // (large export) and for a small export that fits the write buffer.
    void fullDiskIsNamedAndLeavesTheFile_data()
    {
        QTest::addColumn<int>("routes");
        QTest::newRow("large export, short write") << 10000;
        QTest::newRow("small export") << 3;
    }
    void fullDiskIsNamedAndLeavesTheFile()
    {
        QFETCH(int, routes);
        if (!test::mountNamespaceResult().entered)
            QSKIP(test::mountNamespaceResult().message.c_str());
        QTemporaryDir dir;
        test::TmpfsMount tmpfs(dir.path().toStdString(), 256);
        QVERIFY2(tmpfs.ok(), tmpfs.error().c_str());
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("good\r\n");
        }
        {
            // Fill the disk, leaving nothing (small export) or a little (large export) free.
            QFile filler(dir.filePath(QStringLiteral("filler")));
            QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
            const QByteArray block(4096, 'x');
            const int leave = routes > 100 ? 8 : 0;
            while (filler.write(block) == block.size()) { }
            filler.resize(filler.size() - leave * 4096);
        }
        EventHistory h;
        fillRoutes(h, routes);
        QString error;
        QVERIFY(!csv::exportToFile(h, path, &error));
        QCOMPARE(error, QStringLiteral("cannot write %1: No space left on device").arg(path));
        QCOMPARE(readAll(path), QByteArray("good\r\n"));
        QCOMPARE(namesIn(dir.path()), QStringList({QStringLiteral("filler"), QStringLiteral("out.csv")}));
    }

    // The fallback file: a new unique name each time, created exclusively, mode 0600,
    // complete.
    void newFileIsUniqueAndPrivate()
    {
        QTemporaryDir dir;
        EventHistory h;
        fill(h);
        const QString nameTemplate = dir.filePath(QStringLiteral("saved-XXXXXX.csv"));
        QString first;
        QString second;
        QString error;
        QVERIFY2(csv::exportToNewFile(h, nameTemplate, &first, &error), qPrintable(error));
        QVERIFY2(csv::exportToNewFile(h, nameTemplate, &second, &error), qPrintable(error));
        QVERIFY(first != second);
        for (const QString &path : {first, second}) {
            QVERIFY2(QFileInfo(path).fileName().startsWith(QStringLiteral("saved-")), qPrintable(path));
            QVERIFY2(path.endsWith(QStringLiteral(".csv")), qPrintable(path));
            QCOMPARE(QFileInfo(path).absolutePath(), dir.path());
            const struct stat st = statOf(path);
            QVERIFY(S_ISREG(st.st_mode));
            QCOMPARE(st.st_mode & 07777, mode_t(0600));
            QCOMPARE(readAll(path), csvBytes(h));
        }
        // A directory that cannot hold it: an error naming it, nothing made.
        QVERIFY(!csv::exportToNewFile(h, dir.filePath(QStringLiteral("missing/x-XXXXXX.csv")), &first, &error));
        QVERIFY2(error.contains(dir.filePath(QStringLiteral("missing"))), qPrintable(error));
    }

    void csvReaderSetsOnlyTheFieldsItKnows()
    {
        checkReaderKeepsToCsvFields<InterfaceRow>(ObjectKind::Interface, 1);
        checkReaderKeepsToCsvFields<AddressRow>(ObjectKind::Address, 2);
        checkReaderKeepsToCsvFields<RouteRow>(ObjectKind::Route, 3);
    }

    void reader_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QList<QStringList>>("records");
        QTest::addColumn<QString>("error");
        QTest::newRow("crlf") << QByteArray("a,b\r\nc,d\r\n")
                              << QList<QStringList> {{QStringLiteral("a"), QStringLiteral("b")},
                                                     {QStringLiteral("c"), QStringLiteral("d")}}
                              << QString();
        QTest::newRow("lf, no final newline")
            << QByteArray("a,b\nc,")
            << QList<QStringList> {{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("c"), QString()}}
            << QString();
        QTest::newRow("quoted specials") << QByteArray("\"a,\"\"b\"\"\r\nc\",x\r\n")
                                         << QList<QStringList> {{QStringLiteral("a,\"b\"\r\nc"), QStringLiteral("x")}}
                                         << QString();
        QTest::newRow("empty quoted") << QByteArray("\"\",\"\"\n") << QList<QStringList> {{QString(), QString()}}
                                      << QString();
        QTest::newRow("utf-8") << QStringLiteral("ü,日本\n").toUtf8()
                               << QList<QStringList> {{QStringLiteral("ü"), QStringLiteral("日本")}} << QString();
        QTest::newRow("unterminated") << QByteArray("a,b\nc,\"d\ne\n")
                                      << QList<QStringList> {{QStringLiteral("a"), QStringLiteral("b")}}
                                      << QStringLiteral("line 2: unterminated quoted field");
        QTest::newRow("quote in unquoted") << QByteArray("a,b\"c\n") << QList<QStringList> {}
                                           << QStringLiteral("line 1: quote inside an unquoted field");
        QTest::newRow("text after quote") << QByteArray("x\n\"a\"b\n") << QList<QStringList> {{QStringLiteral("x")}}
                                          << QStringLiteral("line 2: unexpected text after a closing quote");
    }
    void reader()
    {
        QFETCH(QByteArray, data);
        QFETCH(QList<QStringList>, records);
        QFETCH(QString, error);
        QString actualError = QStringLiteral("not cleared");
        const QList<QStringList> parsed = csv::parse(data, &actualError);
        QCOMPARE(actualError, error);
        QCOMPARE(parsed, records);
    }
};

int main(int argc, char **argv)
{
    ncv::test::enterPrivateMountNamespace(); // before any thread exists
    QCoreApplication app(argc, argv);
    TestCsvWriter test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_csvwriter.moc"

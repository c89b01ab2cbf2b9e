// SPDX-License-Identifier: GPL-2.0-or-later
// End to end: `netchangeview --headless --record FILE` inside a private network namespace
// with real kernel changes made by `ip`: the recording survives SIGKILL during a route
// burst, converts to the CSV the live export writes, gives the tables at a past time equal
// to what `ip -j` printed then, and bad recordings or times get one line and an exit code.
#include "model/export/csvevents.h"
#include "model/export/csvreader.h"
#include "model/export/csvwriter.h"
#include "model/history/eventlogmodel.h"
#include "model/notificationmodel.h"
#include "model/recording/fileimport.h"
#include "model/recording/lookupexport.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingformat.h"
#include "model/recording/recordingreader.h"
#include "model/recording/sqlitedb.h"
#include "model/recordingsession.h"
#include "model/statediff.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/nexthoptablemodel.h"
#include "model/tables/routetablemodel.h"
#include "platform/format.h"
#include "platform/linux/pcapreader.h"
#include "platform/rowfields.h"
#include "support/headlessrun.h"
#include "support/netns.h"
#include "support/runtool.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <map>

#include <set>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace ncv::recording;

namespace {

using ncv::test::ip;

/// "missing: a, b; unexpected: c" for two sets that should be equal.
QString setDiff(const std::set<QString> &got, const std::set<QString> &want)
{
    QStringList missing, extra;
    for (const QString &w : want)
        if (!got.count(w))
            missing << w;
    for (const QString &g : got)
        if (!want.count(g))
            extra << g;
    return u"missing: %1; unexpected: %2"_s.arg(missing.join(u", "_s), extra.join(u", "_s));
}

QByteArray ipOutput(const QString &args)
{
    QByteArray out;
    ip(args, &out);
    return out;
}

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

QList<QStringList> readCsv(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QString error;
    QList<QStringList> rows = ncv::csv::parse(f.readAll(), &error);
    if (!error.isEmpty() || rows.isEmpty())
        return {};
    rows.removeFirst();
    return rows;
}

/// What `ip -j route get address` answers now: "via GATEWAY dev DEVICE", or its error text
/// without "RTNETLINK answers: ".
QString ipRouteGet(const QString &address)
{
    QProcess g;
    g.start(u"ip"_s, {u"-j"_s, u"route"_s, u"get"_s, address});
    g.waitForFinished(10000);
    if (g.exitCode() != 0)
        return QString::fromLocal8Bit(g.readAllStandardError()).trimmed().remove(u"RTNETLINK answers: "_s);
    const QJsonObject o = QJsonDocument::fromJson(g.readAllStandardOutput()).array().first().toObject();
    return u"via %1 dev %2"_s.arg(o.value(u"gateway"_s).toString(), o.value(u"dev"_s).toString());
}

/// A --lookup CSV row's answer (outcome in column 4, gateway and device in 9 and 10) as
/// `ip route get` prints it: "via GATEWAY dev DEVICE", or its error text without
/// "RTNETLINK answers: "; an outcome it has no text for stays as it is.
QString asIpRouteGet(const QStringList &r)
{
    const QString outcome = r.value(4);
    if (outcome == u"unicast"_s)
        return u"via %1 dev %2"_s.arg(r.value(9), r.value(10));
    if (outcome == u"no route"_s)
        return u"Network is unreachable"_s;
    if (outcome == u"unreachable"_s)
        return u"No route to host"_s;
    if (outcome == u"blackhole"_s)
        return u"Invalid argument"_s;
    return outcome;
}

enum Col {
    Seq,
    Time,
    Object,
    Change,
    Family,
    IfIndex,
    IfName,
    Destination,
    Gateway,
    Metric,
    Protocol,
    Table,
    ChangedFields,
    Details,
    OriginCol,
    Process,
    Pid
};

/// `ip -j` route destinations as the CSV writes them ("default" -> 0.0.0.0/0, a host
/// route gets its /32 or /128).
QString cidrOf(const QString &dst, bool v6)
{
    if (dst == u"default")
        return v6 ? u"::/0"_s : u"0.0.0.0/0"_s;
    return dst.contains(u'/') ? dst : dst + (v6 ? u"/128"_s : u"/32"_s);
}

/// Our CSV export with an interface and n routes (one a millisecond).
QByteArray routesCsv(int n)
{
    QByteArray csv = ncv::csv::header();
    csv += "1,2026-11-21T11:00:00.000000Z,interface,initial,unspec,2,eth0,,,,,,,\"ether up mtu 1500\",observed\r\n";
    for (int i = 0; i < n; ++i) {
        const qint64 us = qint64(i) * 1000 + 1;
        csv += QStringLiteral("%1,2026-11-21T11:%2:%3.%4Z,route,add,ipv4,2,eth0,10.%5.%6.0/24,192.0.2.1,0,boot,main,,"
                              "via 192.0.2.1 dev 2 proto boot,observed\r\n")
                   .arg(i + 2)
                   .arg(us / 60'000'000 % 60, 2, 10, QLatin1Char('0'))
                   .arg(us / 1'000'000 % 60, 2, 10, QLatin1Char('0'))
                   .arg(us % 1'000'000, 6, 10, QLatin1Char('0'))
                   .arg(i / 256 % 256)
                   .arg(i % 256)
                   .toLatin1();
    }
    return csv;
}

/// The cells of the row of table m whose column titled keyHeader shows key, by column title;
/// empty when there is no such row.
QMap<QString, QString> tableRow(const QAbstractItemModel *m, const QString &keyHeader, const QString &key)
{
    int keyColumn = -1;
    for (int c = 0; c < m->columnCount(); ++c)
        if (m->headerData(c, Qt::Horizontal).toString() == keyHeader)
            keyColumn = c;
    QMap<QString, QString> cells;
    for (int r = 0; r < m->rowCount() && cells.isEmpty(); ++r) {
        if (keyColumn < 0 || m->index(r, keyColumn).data().toString() != key)
            continue;
        for (int c = 0; c < m->columnCount(); ++c)
            cells.insert(m->headerData(c, Qt::Horizontal).toString(), m->index(r, c).data().toString());
    }
    return cells;
}

/// The column titles whose cells are empty (blank) or not in a row of tableRow().
QStringList blankColumns(const QMap<QString, QString> &row, bool blank)
{
    QStringList out;
    for (auto it = row.begin(); it != row.end(); ++it)
        if (it.value().isEmpty() == blank)
            out << it.key();
    return out;
}

} // namespace

namespace {

// Rows of one query on db, each row's columns joined by '|' (NULL as "NULL").
QStringList query(sql::Db &db, const QByteArray &text)
{
    QStringList rows;
    sql::Stmt s;
    if (s.prepare(db, text.constData()) != SQLITE_OK)
        return {u"cannot prepare: "_s + QString::fromStdString(db.errorMessage())};
    const int columns = sqlite3_column_count(s.handle());
    while (s.step() == SQLITE_ROW) {
        QStringList row;
        for (int c = 0; c < columns; ++c)
            row << (s.isNull(c) ? u"NULL"_s : QString::fromUtf8(s.text(c).data(), qsizetype(s.text(c).size())));
        rows << row.join(u'|');
    }
    return rows;
}

// An imported recording is complete and is the format a live recording is: SQLite finds
// it intact, its schema is exactly the one the format defines (every table, view and
// generated column, same text), every event from 1 to the count is there with its time and
// key, every keyframe has all its parts, it is in rollback journal mode with no journal
// beside it, the documented queries run, and RecordingReader opens it.
void checkImportedFile(const QString &path, std::int64_t events)
{
    QVERIFY(!QFileInfo::exists(path + u"-wal"_s));
    QVERIFY(!QFileInfo::exists(path + u"-journal"_s));
    sql::Db db;
    std::string why;
    QVERIFY2(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why) == SQLITE_OK, why.c_str());
    QCOMPARE(query(db, "PRAGMA integrity_check"), QStringList {u"ok"_s});
    QCOMPARE(query(db, "PRAGMA journal_mode"), QStringList {u"delete"_s});
    QCOMPARE(query(db, "PRAGMA application_id"), QStringList {QString::number(kApplicationId)});
    QCOMPARE(query(db, "PRAGMA user_version"), QStringList {QString::number(kFormatVersion)});
    const QStringList base = query(db, "SELECT value FROM meta WHERE name = 'time_base_us'");
    QCOMPARE(base.size(), 1);
    sql::Db fresh;
    QCOMPARE(fresh.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &why), SQLITE_OK);
    QCOMPARE(fresh.exec(schema(base[0].toLongLong()).c_str()), SQLITE_OK);
    const char *schemaRows = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name";
    QCOMPARE(query(db, schemaRows), query(fresh, schemaRows));
    const QString n = QString::number(events);
    QCOMPARE(query(db, "SELECT count(*), min(seq), max(seq) FROM events"), QStringList {n + u"|1|"_s + n});
    QCOMPARE(query(db,
                   "SELECT count(*) FROM events WHERE key IS NULL OR time_us != "
                   "(SELECT value FROM meta WHERE name = 'time_base_us') + time_offset_us"),
             QStringList {u"0"_s});
    QCOMPARE(query(db, "SELECT count(*) FROM event_log"), QStringList {n});
    const QStringList keyframes = query(db, "SELECT count(*) FROM keyframes");
    QVERIFY(keyframes.value(0).toInt() >= 1);
    QCOMPARE(query(db,
                   "SELECT count(*) FROM keyframes k WHERE parts != "
                   "(SELECT count(*) FROM keyframe_rows r WHERE r.keyframe = k.id) OR seq > "
                       + QByteArray::number(events)),
             QStringList {u"0"_s});
    // The commit log covers every event once.
    QCOMPARE(query(db, "SELECT sum(last_seq - first_seq + 1), min(first_seq), max(last_seq) FROM commits"),
             QStringList {n + u"|1|"_s + n});
    QCOMPARE(query(db, "SELECT value FROM meta WHERE name = 'clean_end'"), QStringList {u"1"_s});
    db.close();
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.info().eventCount, events);
}

} // namespace

class TestHeadlessRecording : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordsToAFileAndConverts();
    void documentedExamplesRun();
    void sighupReopensAMovedRecording();
    void versionNamesTheCommit();
    void tablesAtATimeEqualWhatIpShowed();
    void lookupOverTimeEqualsIpRouteGet();
    void lookupFollowsTheRecordedRules();
    void lookupFollowsNexthopObjects();
    void neighborsAtATimeEqualWhatIpShowed();
    void rulesAtATimeEqualWhatIpShowed();
    void nexthopsAtATimeEqualWhatIpShowed();
    void nexthopTextsNameTheirDevice();
    void routeTextsNameTheirDevice();
    void badArgumentsGiveOneLine_data();
    void badArgumentsGiveOneLine();
    void badRecordingsAndTimesGiveOneLine_data();
    void badRecordingsAndTimesGiveOneLine();
    void convertsAnRtmonFile();
    void importedRtmonRecordingIsComplete();
    void damagedAndForeignRtmonInput_data();
    void damagedAndForeignRtmonInput();
    void convertsAnNlmonCapture();
    void nanosecondCaptureKeepsNanoseconds();
    void damagedAndForeignCaptures_data();
    void damagedAndForeignCaptures();
    void captureImportProgressCancelAndNote();
    void csvExportRoundTrips();
    void csvImportLeavesUnknownFieldsBlank();
    void killedImportIsRemovedByTheNext();
    void brokenCsvInput_data();
    void brokenCsvInput();
    void survivesSigkillDuringARouteBurst(); // last: leaves the most routes behind

private:
    /// The columns of the damaged-input tests: kind (what the test makes of its fixture),
    /// exitCode and says (checkConversion()), and the row every format has: "truncated".
    static void conversionColumns();
    /// Writes bytes as m_dir/name, converts it headless to CSV: the row's exitCode and a line
    /// with its says on standard error; the CSV has the valid part (or, exit 5, one line and
    /// no CSV).
    void checkConversion(const QString &name, const QByteArray &bytes);
    /// The capture fixture (pcap, this machine's byte order) and the offsets of its packet
    /// records (after the 24-byte file header; 16-byte record headers). False when unreadable.
    static bool readPcapFixture(QByteArray *bytes, QList<qsizetype> *records);
    bool startRecorder(QProcess &p, const QStringList &args);
    int run(const QStringList &args, QByteArray *err);
    QString m_binary = QStringLiteral(NCV_APP_BINARY);
    QTemporaryDir m_dir;
};

void TestHeadlessRecording::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"no private network namespace: "_s + QString::fromStdString(ns.message)));
    QVERIFY(QFileInfo::exists(m_binary));
    QVERIFY(m_dir.isValid());
}

bool TestHeadlessRecording::startRecorder(QProcess &p, const QStringList &args)
{
    p.setProgram(m_binary);
    p.setArguments(args);
    p.start();
    if (!p.waitForStarted(10000))
        return false;
    QByteArray err;
    if (ncv::test::readUntilReady(p, err, 20000))
        return true;
    qWarning("no ready: line; stderr: %s", err.constData());
    return false;
}

int TestHeadlessRecording::run(const QStringList &args, QByteArray *err)
{
    QProcess p;
    p.start(m_binary, args);
    if (!p.waitForFinished(120000))
        return -1;
    *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

namespace {

/// Whether the recording at path has events.time_sub_us_ns, and its meta time_precision.
bool hasNanosecondColumn(const QString &path, QString *precision = nullptr)
{
    sql::Db db;
    std::string why;
    if (db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why) != SQLITE_OK)
        return false;
    sql::Stmt s;
    if (precision) {
        precision->clear();
        if (s.prepare(db, "SELECT value FROM meta WHERE name = 'time_precision'") == SQLITE_OK
            && s.step() == SQLITE_ROW)
            *precision = QString::fromUtf8(s.text(0));
        s.finalize();
    }
    return s.prepare(db, "SELECT time_sub_us_ns FROM events LIMIT 0") == SQLITE_OK;
}

/// A time_utc cell in ns since the epoch; -1 when it is not one.
std::int64_t cellNs(const QString &cell)
{
    std::int64_t us = 0;
    std::uint16_t sub = 0;
    return ncv::csv::parseIsoTimeUtc(cell, &us, &sub) ? us * 1000 + sub : -1;
}

} // namespace

void TestHeadlessRecording::recordsToAFileAndConverts()
{
    const QString rec = m_dir.filePath(u"live.rec"_s); // any name: recognised by content
    const QString liveCsv = m_dir.filePath(u"live.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec, u"--export-csv"_s, liveCsv}));
    QVERIFY(ip(u"link add r0 type veth peer name r0p"_s));
    QVERIFY(ip(u"link set r0 up"_s));
    QVERIFY(ip(u"link set r0p up"_s));
    QVERIFY(ip(u"addr add 10.61.0.1/24 dev r0"_s));
    QVERIFY(ip(u"route add 10.62.0.0/16 via 10.61.0.2"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());
    QVERIFY2(err.contains("recorded ") && err.contains(rec.toLocal8Bit()), err.constData());
    QVERIFY2(!QFile::exists(rec + u"-wal"_s), "a finished recording is one file");

    const QList<QStringList> live = readCsv(liveCsv);
    QVERIFY(!live.isEmpty());
    const bool routeSeen = std::any_of(live.begin(), live.end(), [](const QStringList &r) {
        return r.value(Object) == u"route" && r.value(Change) == u"add" && r.value(Destination) == u"10.62.0.0/16";
    });
    QVERIFY(routeSeen);
    // A live source gives microseconds: 6 fraction digits, no nanosecond column or meta.
    static const QRegularExpression sixDigits(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"_s);
    QVERIFY(std::all_of(live.begin(), live.end(),
                        [](const QStringList &r) { return sixDigits.match(r.value(Time)).hasMatch(); }));
    QVERIFY(!hasNanosecondColumn(rec));

    // Converting the file gives the same CSV.
    const QString converted = m_dir.filePath(u"converted.csv"_s);
    QByteArray convErr;
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, converted}, &convErr), 0);
    QFile a(liveCsv), b(converted);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(b.readAll(), a.readAll());

    // --from / --to: the events of that time range only.
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(rec, &error), qPrintable(error));
    const QList<QStringList> all = readCsv(converted);
    const QString mid = all.at(all.size() / 2).value(Time);
    const QString part1 = m_dir.filePath(u"part1.csv"_s), part2 = m_dir.filePath(u"part2.csv"_s);
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, part1, u"--to"_s, mid}, &convErr), 0);
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, part2, u"--from"_s, mid}, &convErr), 0);
    const QList<QStringList> r1 = readCsv(part1), r2 = readCsv(part2);
    const qsizetype atMid
        = std::count_if(all.begin(), all.end(), [&mid](const QStringList &r) { return r.value(Time) == mid; });
    QCOMPARE(r1.size() + r2.size(), all.size() + atMid);
    QVERIFY(std::all_of(r1.begin(), r1.end(), [&mid](const QStringList &r) { return r.value(Time) <= mid; }));
    QVERIFY(std::all_of(r2.begin(), r2.end(), [&mid](const QStringList &r) { return r.value(Time) >= mid; }));
    QVERIFY(ip(u"link del r0"_s));
    QVERIFY(QFile::exists(rec)); // documentedExamplesRun() reads it
}

/// Log rotation: SIGHUP while FILE is still in place changes nothing; after FILE was moved
/// away, SIGHUP finishes it under its new name (with the events that came after the move)
/// and recording goes on in a new FILE, so the two files together hold every change.
void TestHeadlessRecording::sighupReopensAMovedRecording()
{
    const QString rec = m_dir.filePath(u"rotated.ncv"_s);
    const QString moved = m_dir.filePath(u"rotated.ncv.1"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    const auto cleanup = qScopeGuard([] { ip(u"link del h0"_s); });
    QVERIFY(ip(u"link add h0 type veth peer name h0p"_s));
    QVERIFY(ip(u"link set h0 up"_s));
    QVERIFY(ip(u"link set h0p up"_s));
    QVERIFY(ip(u"route add 10.72.1.0/24 dev h0"_s));
    // Not moved: SIGHUP leaves the recording as it is.
    ::kill(pid_t(p.processId()), SIGHUP);
    QVERIFY2(!p.waitForFinished(1500), "SIGHUP ended a recording to a file");
    QVERIFY(QFile::exists(rec));
    QVERIFY(ip(u"route add 10.72.2.0/24 dev h0"_s));
    QTest::qWait(300);
    QVERIFY(QFile::rename(rec, moved));
    // After the move, before SIGHUP: still written to the moved file.
    QVERIFY(ip(u"route add 10.72.3.0/24 dev h0"_s));
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(rec), 10000);
    QVERIFY(ip(u"route add 10.72.4.0/24 dev h0"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, err.constData());
    QVERIFY2(err.contains("SIGHUP received: re-opening"), err.constData());
    QVERIFY2(!QFile::exists(rec + u"-wal"_s), "the WAL of the first file was left behind");

    // Each file converts cleanly (exit 0: finished, not damaged) and starts with the tables.
    QList<QStringList> rows[2];
    const QString files[2] = {moved, rec};
    for (int i = 0; i < 2; ++i) {
        const QString csv = m_dir.filePath(u"rotated-%1.csv"_s.arg(i));
        QByteArray convErr;
        QCOMPARE(run({u"--headless"_s, files[i], u"--export-csv"_s, csv}, &convErr), 0);
        rows[i] = readCsv(csv);
        QVERIFY2(!rows[i].isEmpty(), qPrintable(files[i]));
        RecordingReader reader;
        QString error;
        QVERIFY2(reader.open(files[i], &error), qPrintable(error));
        QVERIFY2(reader.problems().isEmpty(), qPrintable(reader.problems().join(u"; "_s)));
    }
    const auto routeAdds = [](const QList<QStringList> &r) {
        std::set<QString> out;
        for (const QStringList &row : r)
            if (row.value(Object) == u"route" && row.value(Change) == u"add"
                && row.value(Destination).startsWith(u"10.72."_s))
                out.insert(row.value(Destination));
        return out;
    };
    const std::set<QString> first = routeAdds(rows[0]), second = routeAdds(rows[1]);
    QVERIFY2(first == (std::set<QString> {u"10.72.1.0/24"_s, u"10.72.2.0/24"_s, u"10.72.3.0/24"_s}),
             qPrintable(setDiff(first, {u"10.72.1.0/24"_s, u"10.72.2.0/24"_s, u"10.72.3.0/24"_s})));
    QVERIFY2(second == std::set<QString> {u"10.72.4.0/24"_s}, qPrintable(setDiff(second, {u"10.72.4.0/24"_s})));
    // The new file stands alone: the tables at its start hold the routes added before it.
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(rec, &error), qPrintable(error));
    const QString atStart = m_dir.filePath(u"rotated-at-start.csv"_s);
    QByteArray convErr;
    QCOMPARE(run({u"--headless"_s, rec, u"--at"_s, u"+0"_s, u"--export-csv"_s, atStart}, &convErr), 0);
    const QList<QStringList> tables = readCsv(atStart);
    QVERIFY(std::any_of(tables.begin(), tables.end(), [](const QStringList &r) {
        return r.value(Object) == u"route" && r.value(Destination) == u"10.72.3.0/24";
    }));
}

/// --version: the version and the commit the program was built from (git describe of the
/// source tree, "-dirty" with uncommitted changes), so a bug report names the exact source.
void TestHeadlessRecording::versionNamesTheCommit()
{
    QProcess p;
    p.start(m_binary, {u"--version"_s});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    static const QRegularExpression form(u"^NetChangeView (\\d+\\.\\d+\\.\\d+) \\(commit (\\S+)\\)\\n$"_s);
    const QRegularExpressionMatch m = form.match(out);
    QVERIFY2(m.hasMatch(), qPrintable(out));
    QProcess git;
    git.start(u"git"_s, {u"-C"_s, QStringLiteral(NCV_SOURCE_DIR), u"describe"_s, u"--always"_s, u"--abbrev=12"_s});
    if (!git.waitForFinished(10000) || git.exitCode() != 0)
        QSKIP("the source tree is not a git checkout (or git is missing): the commit is 'unknown'");
    const QString described = QString::fromUtf8(git.readAllStandardOutput()).trimmed();
    QVERIFY2(m.captured(2) == described || m.captured(2) == described + u"-dirty"_s,
             qPrintable(u"--version says %1, git describe %2"_s.arg(m.captured(2), described)));
}

/// The code block after "<!-- example: NAME -->" in docs/recording-format.md.
static QString docExample(const QString &name)
{
    QFile doc(QStringLiteral(NCV_SOURCE_DIR "/docs/recording-format.md"));
    if (!doc.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(doc.readAll());
    const qsizetype marker = text.indexOf(u"<!-- example: "_s + name + u" -->"_s);
    if (marker < 0)
        return {};
    const qsizetype begin = text.indexOf(u'\n', text.indexOf(u"```"_s, marker)) + 1;
    const qsizetype end = text.indexOf(u"\n```"_s, begin);
    return text.mid(begin, end - begin);
}

void TestHeadlessRecording::documentedExamplesRun()
{
    // The recording made by recordsToAFileAndConverts: it added 10.62.0.0/16 via r0.
    const QString rec = m_dir.filePath(u"live.rec"_s);
    QVERIFY(QFile::exists(rec));
    if (QStandardPaths::findExecutable(u"sqlite3"_s).isEmpty())
        QSKIP("the sqlite3 command-line tool is not installed (apt-get install sqlite3)");
    QString shell = docExample(u"sqlite3"_s);
    QVERIFY(!shell.isEmpty());
    shell.replace(u"file:rec.ncv"_s, u"file:"_s + rec);
    QProcess sh;
    sh.start(u"/bin/sh"_s, {u"-c"_s, shell});
    QVERIFY(sh.waitForFinished(30000));
    const QByteArray out = sh.readAllStandardOutput();
    QVERIFY2(sh.exitCode() == 0, sh.readAllStandardError().constData());
    QVERIFY2(out.startsWith("time_utc,change,destination,if_name"), out.constData());
    QVERIFY2(out.contains(",add,10.62.0.0/16,r0"), out.constData());

    // Who added it: the `ip` that ran (named while it lived, else its PID and "exited"),
    // its PID in the pid column; the kernel's own routes (pid NULL) are left out.
    QString byShell = docExample(u"sqlite3-by"_s);
    QVERIFY(!byShell.isEmpty());
    byShell.replace(u"file:rec.ncv"_s, u"file:"_s + rec);
    QProcess by;
    by.start(u"/bin/sh"_s, {u"-c"_s, byShell});
    QVERIFY(by.waitForFinished(30000));
    const QString byOut = QString::fromUtf8(by.readAllStandardOutput()).remove(u'\r');
    QVERIFY2(by.exitCode() == 0, by.readAllStandardError().constData());
    QVERIFY2(byOut.startsWith(u"time_utc,change,destination,process,pid,command_line\n"_s), qPrintable(byOut));
    const QRegularExpressionMatch added
        = QRegularExpression(
              u"^[^,]+,add,10\\.62\\.0\\.0/16,\"?(?:ip \\((\\d+)\\)|(\\d+) \\(exited\\))\"?,(\\d+),\"?(.*?)\"?$"_s,
              QRegularExpression::MultilineOption)
              .match(byOut);
    QVERIFY2(added.hasMatch(), qPrintable(byOut));
    const QString textPid = added.captured(1).isEmpty() ? added.captured(2) : added.captured(1);
    QCOMPARE(added.captured(3), textPid);
    // The command line when it was read (not from a zombie: the kernel has let it go), as
    // /proc/PID/cmdline has it: argv[0] is the path QProcess executed (/usr/sbin/ip), and
    // sqlite3 -csv quotes the field because it holds spaces.
    if (!added.captured(4).isEmpty())
        QVERIFY2(QRegularExpression(u"^(?:\\S*/)?ip route add 10\\.62\\.0\\.0/16 via 10\\.61\\.0\\.2$"_s)
                     .match(added.captured(4))
                     .hasMatch(),
                 qPrintable(added.captured(4)));
    QVERIFY2(!byOut.contains(u",kernel,"_s), qPrintable(byOut));

    if (!QFileInfo::exists(u"/usr/bin/python3"_s))
        QSKIP("/usr/bin/python3 is not installed (apt-get install python3)");
    const QString python = docExample(u"python"_s);
    QVERIFY(!python.isEmpty());
    QProcess py;
    py.start(u"/usr/bin/python3"_s, {u"-c"_s, python, rec});
    QVERIFY(py.waitForFinished(30000));
    const QByteArray pyOut = py.readAllStandardOutput();
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    QVERIFY2(QRegularExpression(u"^route add [1-9]"_s, QRegularExpression::MultilineOption)
                 .match(QString::fromUtf8(pyOut))
                 .hasMatch(),
             pyOut.constData());
    QVERIFY2(pyOut.contains("table 254: "), pyOut.constData());
}

void TestHeadlessRecording::lookupOverTimeEqualsIpRouteGet()
{
    const QString rec = m_dir.filePath(u"lookup.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    for (const QString &cmd : {u"link add l0 type veth peer name l0p"_s, u"link add l1 type veth peer name l1p"_s,
                               u"link set l0 up"_s, u"link set l0p up"_s, u"link set l1 up"_s, u"link set l1p up"_s,
                               u"addr add 10.61.0.1/24 dev l0"_s, u"addr add 10.62.0.1/24 dev l1"_s})
        QVERIFY(ip(cmd));
    // What `ip route get 10.66.7.8` answers after each step: "via GW dev DEV", or the error.
    const auto kernel = [] { return ipRouteGet(u"10.66.7.8"_s); };
    QStringList expected {kernel()};
    QTest::qWait(300);
    for (const QString &cmd :
         {u"route add 10.0.0.0/8 via 10.61.0.2"_s, u"route add 10.66.0.0/16 via 10.62.0.2 metric 20"_s,
          u"route add 10.66.0.0/16 via 10.61.0.2 metric 10"_s, u"route add 10.67.0.0/16 via 10.61.0.2"_s,
          u"route del 10.66.0.0/16 metric 10"_s, u"route add unreachable 10.66.7.0/24"_s, u"link set l1 down"_s,
          u"route del 10.66.7.0/24"_s, u"route del 10.0.0.0/8"_s}) {
        QVERIFY(ip(cmd));
        const QString answer = kernel();
        if (answer != expected.constLast())
            expected << answer;
        QTest::qWait(300); // each change in its own moment
    }
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);

    const QString csvPath = m_dir.filePath(u"lookup.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--lookup"_s, u"10.66.7.8"_s, u"--export-csv"_s, csvPath}, &err), 0);
    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QString parseError;
    const QList<QStringList> rows = ncv::csv::parse(f.readAll(), &parseError);
    QVERIFY2(parseError.isEmpty(), qPrintable(parseError));
    QCOMPARE(rows.constFirst().join(u','), QString::fromLatin1(ncv::recording::kLookupHeaderLine));
    // One row per answer the kernel gave, in order: the answers equal ip route get's.
    QStringList ours;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QStringList &r = rows[i];
        QCOMPARE(r.value(1), u"10.66.7.8"_s);
        ours << asIpRouteGet(r);
    }
    QCOMPARE(ours, expected);
    QCOMPARE(rows.value(1).value(11), u"state at start"_s);
    QVERIFY2(rows.value(2).value(11).startsWith(u"add route 10.0.0.0/8"_s), qPrintable(rows.value(2).join(u',')));
    const QString wrote = u"wrote %1 answers for 10.66.7.8"_s.arg(rows.size() - 1);
    QVERIFY2(QString::fromUtf8(err).contains(wrote), err.constData());

    // A bad address or an option without --lookup: one line, exit 2.
    QCOMPARE(run({u"--headless"_s, rec, u"--lookup"_s, u"10.66.7"_s, u"--export-csv"_s, csvPath}, &err), 2);
    QVERIFY2(err.contains("--lookup 10.66.7 is not an IPv4 or IPv6 address"), err.constData());
    QCOMPARE(run({u"--headless"_s, rec, u"--lookup"_s, u"10.66.7.8"_s, u"--from-address"_s, u"2001:db8::1"_s,
                  u"--export-csv"_s, csvPath},
                 &err),
             2);
    QVERIFY2(err.contains("--from-address 2001:db8::1 is not of the destination's family (10.66.7.8)"),
             err.constData());
    // ip reads a leading 0 as octal: refused rather than guessed.
    QCOMPARE(
        run({u"--headless"_s, rec, u"--lookup"_s, u"10.66.7.8"_s, u"--fwmark"_s, u"010"_s, u"--export-csv"_s, csvPath},
            &err),
        2);
    QVERIFY2(err.contains("--fwmark 010 has a leading 0"), err.constData());
    QCOMPARE(
        run({u"--headless"_s, rec, u"--lookup"_s, u"10.66.7.8"_s, u"--fwmark"_s, u"-1"_s, u"--export-csv"_s, csvPath},
            &err),
        2);
    QVERIFY2(err.contains("--fwmark -1 is not a 32-bit number"), err.constData());
    QCOMPARE(run({u"--headless"_s, rec, u"--fwmark"_s, u"0x1"_s, u"--export-csv"_s, csvPath}, &err), 2);
    QVERIFY2(err.contains("--from-address and --fwmark are for --lookup ADDRESS"), err.constData());
    QVERIFY(ip(u"link del l0"_s));
    QVERIFY(ip(u"link del l1"_s));
}

void TestHeadlessRecording::lookupFollowsNexthopObjects()
{
    // With net.ipv4.nexthop_compat_mode = 0 a route through a nexthop object comes with its
    // id alone, and the kernel says nothing of it when the object changes: the answers
    // follow the recorded objects, each change of one a row, as `ip route get` answered.
    const std::string why = ncv::test::setNexthopCompatMode(false);
    if (!why.empty())
        QSKIP(why.c_str());
    const auto restore = qScopeGuard([] { ncv::test::setNexthopCompatMode(true); });
    for (const QString &cmd : {u"link add q0 type veth peer name q0p"_s, u"link add q1 type veth peer name q1p"_s,
                               u"link set q0 up"_s, u"link set q0p up"_s, u"link set q1 up"_s, u"link set q1p up"_s,
                               u"addr add 10.85.0.1/24 dev q0"_s, u"addr add 10.86.0.1/24 dev q1"_s,
                               u"nexthop add id 851 via 10.85.0.2 dev q0"_s, u"route add 10.87.0.0/16 nhid 851"_s})
        QVERIFY2(ip(cmd), qPrintable(cmd));
    QVERIFY2(!ipOutput(u"route show 10.87.0.0/16"_s).contains("via"), "compat mode still on");
    const auto kernel = [] { return ipRouteGet(u"10.87.7.8"_s); };
    const QString rec = m_dir.filePath(u"lookup-nexthops.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    QStringList expected {kernel()};
    QStringList causes; // the event each change of the answer follows
    for (const QString &cmd :
         {u"nexthop replace id 851 via 10.85.0.3 dev q0"_s, u"nexthop add id 852 via 10.86.0.2 dev q1"_s,
          u"nexthop add id 860 group 852"_s, u"route replace 10.87.0.0/16 nhid 860"_s,
          u"nexthop replace id 852 via 10.86.0.3 dev q1"_s, u"nexthop add id 853 blackhole"_s,
          u"nexthop replace id 860 group 853"_s, u"nexthop replace id 860 group 851"_s,
          u"nexthop replace id 851 via 10.86.0.9 dev q1"_s, u"nexthop del id 860"_s}) {
        QVERIFY2(ip(cmd), qPrintable(cmd));
        const QString answer = kernel();
        if (answer != expected.constLast()) {
            expected << answer;
            causes << cmd;
        }
        QTest::qWait(300); // each change in its own moment
    }
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(expected.size(), 8); // every step but the three adds changed the kernel's answer

    const QString csvPath = m_dir.filePath(u"lookup-nexthops.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--lookup"_s, u"10.87.7.8"_s, u"--export-csv"_s, csvPath}, &err), 0);
    const QList<QStringList> rows = readCsv(csvPath);
    QStringList ours;
    for (const QStringList &r : rows)
        ours << asIpRouteGet(r);
    QCOMPARE(ours, expected);
    // The rows name the events: the objects' changes, which the kernel announced alone.
    for (qsizetype i = 0; i < causes.size(); ++i) {
        const QString cause = rows.value(i + 1).value(11);
        const QString id = causes[i].section(u' ', 3, 3);
        const bool object = causes[i].startsWith(u"nexthop"_s);
        QVERIFY2(cause.contains(object ? u"nexthop id "_s + id : u"route 10.87.0.0/16"_s),
                 qPrintable(causes[i] + u": "_s + cause));
    }
    QVERIFY(ip(u"link del q0"_s));
    QVERIFY(ip(u"link del q1"_s));
    QVERIFY(ip(u"nexthop flush"_s));
}

void TestHeadlessRecording::tablesAtATimeEqualWhatIpShowed()
{
    const QString rec = m_dir.filePath(u"at.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    QVERIFY(ip(u"link add a0 type veth peer name a0p"_s));
    QVERIFY(ip(u"link set a0 up"_s));
    QVERIFY(ip(u"link set a0p up"_s));
    QVERIFY(ip(u"addr add 10.50.0.1/24 dev a0"_s));
    QVERIFY(ip(u"-6 addr add 2001:db8:50::1/64 dev a0 nodad"_s));
    QVERIFY(ip(u"route add 10.51.0.0/16 via 10.50.0.2"_s));
    QVERIFY(ip(u"route add 10.52.0.0/24 dev a0 metric 7"_s));
    // The kernel adds the IPv6 link-local addresses once the link watch sees the carrier
    // (a second or more later on a busy machine) and announces them (RTM_NEWADDR) only when
    // duplicate address detection ends, about a second after that: a dump lists a tentative
    // address that no listener has heard of yet. Wait until both are announced, so that
    // nothing changes while ip lists.
    const auto announced = [](const QString &dev) {
        const QByteArray out = ipOutput(u"-6 addr show dev "_s + dev);
        return out.contains("fe80::") && !out.contains("tentative");
    };
    QTRY_VERIFY_WITH_TIMEOUT(announced(u"a0"_s) && announced(u"a0p"_s), 20000);
    QTest::qWait(200);
    const QByteArray routes4 = ipOutput(u"-j -4 route show"_s);
    const QByteArray routes6 = ipOutput(u"-j -6 route show"_s);
    const QByteArray addrs = ipOutput(u"-j addr show"_s);
    const QByteArray links = ipOutput(u"-j link show"_s);
    const qint64 after = nowUs();
    // The moment asked for lies in the quiet second after the listing: the recorder stamps
    // an event when it reads it, which on a loaded machine can be a little after the kernel
    // made the change.
    QTest::qWait(1000);
    QVERIFY(ip(u"route del 10.51.0.0/16"_s));
    QVERIFY(ip(u"addr add 10.50.0.9/24 dev a0"_s));
    QVERIFY(ip(u"link set a0 mtu 1400"_s));
    QVERIFY(ip(u"link add a1 type veth peer name a1p"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);

    const QString at = isoTime(after + 500'000);
    const QString csvPath = m_dir.filePath(u"at.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--at"_s, at, u"--export-csv"_s, csvPath}, &err), 0);
    const QList<QStringList> rows = readCsv(csvPath);
    QVERIFY(!rows.isEmpty());
    QVERIFY(std::all_of(rows.begin(), rows.end(),
                        [&at](const QStringList &r) { return r.value(Change) == u"initial" && r.value(Time) == at; }));

    // Routes of the main table, as `ip -j route show` lists them.
    std::set<QString> ipRoutes, ourRoutes;
    for (const auto &[json, v6] : {std::pair {routes4, false}, std::pair {routes6, true}}) {
        const QJsonArray list = QJsonDocument::fromJson(json).array();
        QVERIFY(!list.isEmpty());
        for (const QJsonValue &v : list) {
            const QJsonObject o = v.toObject();
            ipRoutes.insert(
                u"%1 dev %2 metric %3"_s.arg(cidrOf(o.value(u"dst"_s).toString(), v6), o.value(u"dev"_s).toString())
                    .arg(o.value(u"metric"_s).toInt()));
        }
    }
    for (const QStringList &r : rows)
        if (r.value(Object) == u"route" && r.value(Table) == u"main")
            ourRoutes.insert(u"%1 dev %2 metric %3"_s.arg(r.value(Destination), r.value(IfName), r.value(Metric)));
    QVERIFY2(ourRoutes == ipRoutes, qPrintable(setDiff(ourRoutes, ipRoutes)));
    QVERIFY(ourRoutes.count(u"10.51.0.0/16 dev a0 metric 0"_s)); // deleted later: the past state

    std::set<QString> ipAddrs, ourAddrs;
    for (const QJsonValue &v : QJsonDocument::fromJson(addrs).array()) {
        const QJsonObject o = v.toObject();
        for (const QJsonValue &a : o.value(u"addr_info"_s).toArray())
            ipAddrs.insert(u"%1 %2/%3"_s.arg(o.value(u"ifname"_s).toString(), a.toObject().value(u"local"_s).toString())
                               .arg(a.toObject().value(u"prefixlen"_s).toInt()));
    }
    for (const QStringList &r : rows)
        if (r.value(Object) == u"address")
            ourAddrs.insert(u"%1 %2"_s.arg(r.value(IfName), r.value(Destination)));
    QVERIFY2(ourAddrs == ipAddrs, qPrintable(setDiff(ourAddrs, ipAddrs)));

    std::set<QString> ipLinks, ourLinks;
    for (const QJsonValue &v : QJsonDocument::fromJson(links).array()) {
        const QJsonObject o = v.toObject();
        ipLinks.insert(u"%1 %2 mtu %3"_s.arg(o.value(u"ifindex"_s).toInt())
                           .arg(o.value(u"ifname"_s).toString())
                           .arg(o.value(u"mtu"_s).toInt()));
    }
    static const QRegularExpression mtu(u"\\bmtu (\\d+)"_s);
    for (const QStringList &r : rows)
        if (r.value(Object) == u"interface")
            ourLinks.insert(
                u"%1 %2 mtu %3"_s.arg(r.value(IfIndex), r.value(IfName), mtu.match(r.join(u' ')).captured(1)));
    QVERIFY2(ourLinks == ipLinks, qPrintable(setDiff(ourLinks, ipLinks)));
    QVERIFY(ip(u"link del a0"_s));
    QVERIFY(ip(u"link del a1"_s));
}

/// The neighbors `ip -j neigh show nud all` and `ip -j neigh show proxy` list, as our CSV
/// writes them: "if_name destination details" ("n0 10.60.0.2 lladdr 02:00:00:00:00:02
/// PERMANENT", "n0 10.60.0.50 proxy proxy"). Multicast entries (made by the kernel
/// without an announcement) are left out.
static std::set<QString> ipNeighbors()
{
    std::set<QString> out;
    for (const QString &args : {u"-j neigh show nud all"_s, u"-j neigh show proxy"_s}) {
        for (const QJsonValue &v : QJsonDocument::fromJson(ipOutput(args)).array()) {
            const QJsonObject o = v.toObject();
            const QString dst = o.value(u"dst"_s).toString();
            if (dst.startsWith(u"ff"_s) || dst.startsWith(u"224."_s))
                continue;
            QStringList details;
            if (o.contains(u"lladdr"_s))
                details << u"lladdr "_s + o.value(u"lladdr"_s).toString();
            for (const QString &flag : {u"router"_s, u"proxy"_s})
                if (o.contains(flag))
                    details << flag;
            for (const QJsonValue &s : o.value(u"state"_s).toArray())
                details << s.toString();
            out.insert(o.value(u"dev"_s).toString() + u' ' + dst + (o.contains(u"proxy"_s) ? u" proxy"_s : QString())
                       + u' ' + details.join(u' '));
        }
    }
    return out;
}

void TestHeadlessRecording::lookupFollowsTheRecordedRules()
{
    // Two ways to 10.85.0.0/16: main through lr0, table 100 through lr1; the rules added and
    // deleted while recording decide, as the kernel's do.
    for (const QString &cmd :
         {u"link add lr0 type veth peer name lr0p"_s, u"link add lr1 type veth peer name lr1p"_s, u"link set lr0 up"_s,
          u"link set lr0p up"_s, u"link set lr1 up"_s, u"link set lr1p up"_s, u"addr add 10.83.0.1/24 dev lr0"_s,
          u"addr add 10.84.0.1/24 dev lr1"_s, u"route add 10.85.0.0/16 via 10.83.0.2"_s,
          u"route add 10.85.0.0/16 via 10.84.0.2 table 100"_s})
        QVERIFY2(ip(cmd), qPrintable(cmd));
    const QString rec = m_dir.filePath(u"lookup-rules.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    const auto kernel = [] {
        QProcess g;
        g.start(u"ip"_s, {u"-j"_s, u"route"_s, u"get"_s, u"10.85.7.8"_s});
        g.waitForFinished(10000);
        if (g.exitCode() != 0)
            return QString::fromLocal8Bit(g.readAllStandardError()).trimmed().remove(u"RTNETLINK answers: "_s);
        const QJsonObject o = QJsonDocument::fromJson(g.readAllStandardOutput()).array().first().toObject();
        return u"via %1 dev %2"_s.arg(o.value(u"gateway"_s).toString(), o.value(u"dev"_s).toString());
    };
    QStringList expected {kernel()};
    QTest::qWait(300);
    for (const QString &cmd :
         {u"rule add to 10.85.0.0/16 lookup 100 pref 100"_s, u"rule add to 10.85.7.0/24 blackhole pref 50"_s,
          u"rule add to 10.85.7.0/24 prohibit pref 60"_s, u"rule del pref 50"_s, u"rule del pref 60"_s,
          u"rule del pref 100"_s}) {
        QVERIFY2(ip(cmd), qPrintable(cmd));
        const QString answer = kernel();
        if (answer != expected.constLast())
            expected << answer;
        QTest::qWait(300);
    }
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(expected.size(), 6); // main, table 100, blackhole, prohibit, table 100, main

    const QString csvPath = m_dir.filePath(u"lookup-rules.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--lookup"_s, u"10.85.7.8"_s, u"--export-csv"_s, csvPath}, &err), 0);
    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QString parseError;
    const QList<QStringList> rows = ncv::csv::parse(f.readAll(), &parseError);
    QVERIFY2(parseError.isEmpty(), qPrintable(parseError));
    QStringList ours;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QString outcome = rows[i].value(4);
        ours << (outcome == u"unicast"_s         ? u"via %1 dev %2"_s.arg(rows[i].value(9), rows[i].value(10))
                     : outcome == u"blackhole"_s ? u"Invalid argument"_s
                     : outcome == u"prohibit"_s  ? u"Permission denied"_s
                                                 : outcome);
    }
    QVERIFY2(ours == expected,
             qPrintable(ours.join(u" | "_s) + u" <- ours; ip route get -> "_s + expected.join(u" | "_s)));
    // Each row names the rule that decided and the rule event that changed the answer.
    QCOMPARE(rows.value(1).mid(5, 2), (QStringList {u"main"_s, u"32766"_s}));
    QCOMPARE(rows.value(2).mid(5, 2), (QStringList {u"100"_s, u"100"_s}));
    QVERIFY2(rows.value(2).value(11).startsWith(u"add rule 100: from all to 10.85.0.0/16 lookup 100"_s),
             qPrintable(rows.value(2).join(u',')));
    QCOMPARE(rows.value(3).value(6), u"50"_s);
    QCOMPARE(rows.value(4).value(6), u"60"_s); // the blackhole rule gone: the prohibit rule decides
    QVERIFY2(rows.value(4).value(11).startsWith(u"delete rule 50: from all to 10.85.7.0/24 blackhole"_s),
             qPrintable(rows.value(4).join(u',')));
    QVERIFY2(rows.value(5).value(11).startsWith(u"delete rule 60: from all to 10.85.7.0/24 prohibit"_s),
             qPrintable(rows.value(5).join(u',')));
    QCOMPARE(rows.value(6).mid(5, 2), (QStringList {u"main"_s, u"32766"_s}));
    QVERIFY2(rows.value(6).value(11).startsWith(u"delete rule 100: from all to 10.85.0.0/16 lookup 100"_s),
             qPrintable(rows.value(6).join(u',')));
    QVERIFY(ip(u"link del lr0"_s));
    QVERIFY(ip(u"link del lr1"_s));
}

void TestHeadlessRecording::neighborsAtATimeEqualWhatIpShowed()
{
    // Entries made before the recorder starts reach the file through its first keyframe
    // (a proxy entry only ever through a dump: the kernel does not announce it); those
    // made after, through events.
    QVERIFY(ip(u"link add n0 type veth peer name n0p"_s));
    QVERIFY(ip(u"link set n0 up"_s));
    QVERIFY(ip(u"link set n0p up"_s));
    QVERIFY(ip(u"neigh add proxy 10.60.0.50 dev n0"_s));
    QVERIFY(ip(u"neigh add 10.60.0.2 lladdr 02:00:00:00:00:02 dev n0 nud permanent"_s));
    const QString rec = m_dir.filePath(u"neigh.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    QVERIFY(ip(u"neigh add 10.60.0.3 lladdr 02:00:00:00:00:03 dev n0 nud reachable"_s));
    QVERIFY(ip(u"neigh add 2001:db8:60::3 lladdr 02:00:00:00:00:03 dev n0 nud permanent router"_s));
    QVERIFY(ip(u"neigh change 10.60.0.3 lladdr 02:00:00:00:00:03 dev n0 nud stale"_s));
    QTest::qWait(300);
    const std::set<QString> atT = ipNeighbors();
    const qint64 after = nowUs();
    QTest::qWait(1000);
    QVERIFY(ip(u"neigh del 10.60.0.2 dev n0"_s));
    QVERIFY(ip(u"neigh replace 2001:db8:60::3 lladdr 02:00:00:00:00:09 dev n0 nud permanent"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);

    const QString at = isoTime(after + 500'000);
    const QString csvPath = m_dir.filePath(u"neigh-at.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--at"_s, at, u"--export-csv"_s, csvPath}, &err), 0);
    std::set<QString> ours;
    for (const QStringList &r : readCsv(csvPath))
        if (r.value(Object) == u"neighbor" && !r.value(Destination).startsWith(u"ff"_s))
            ours.insert(r.value(IfName) + u' ' + r.value(Destination) + u' ' + r.value(Details));
    QVERIFY2(ours == atT, qPrintable(setDiff(ours, atT)));
    QVERIFY(ours.count(u"n0 10.60.0.50 proxy proxy"_s)); // from the keyframe
    QVERIFY(ours.count(u"n0 10.60.0.2 lladdr 02:00:00:00:00:02 PERMANENT"_s)); // deleted later: the past state
    QVERIFY(ours.count(u"n0 10.60.0.3 lladdr 02:00:00:00:00:03 STALE"_s));
    QVERIFY(ip(u"link del n0"_s));
}

/// The rules `ip -4 rule show` and `ip -6 rule show` list, as our CSV writes them:
/// "family priority: details" ("ipv4 500: from 10.61.0.0/24 fwmark 0x7/0xff lookup 100 proto static").
static std::set<QString> ipRules()
{
    std::set<QString> out;
    for (const auto &[flag, family] : {std::pair {u"-4"_s, u"ipv4"_s}, std::pair {u"-6"_s, u"ipv6"_s}})
        for (const QString &line : QString::fromUtf8(ipOutput(flag + u" rule show"_s)).split(u'\n', Qt::SkipEmptyParts))
            out.insert(family + u' ' + QString(line).replace(u'\t', u' ').trimmed());
    return out;
}

void TestHeadlessRecording::rulesAtATimeEqualWhatIpShowed()
{
    // A rule made before the recorder starts reaches the file through its first keyframe
    // (with the kernel's defaults); those made after, through events.
    QVERIFY(ip(u"rule add from 10.61.0.0/24 lookup 100 pref 500"_s));
    const QString rec = m_dir.filePath(u"rules.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    QVERIFY(ip(u"rule add fwmark 0x7/0xff iif lo lookup 101 pref 501 proto static"_s));
    QVERIFY(ip(u"-6 rule add from 2001:db8:61::/48 ipproto tcp dport 443 unreachable pref 502"_s));
    QVERIFY(ip(u"rule add not to 10.62.0.0/16 goto 32766 pref 503"_s));
    QTest::qWait(300);
    const std::set<QString> atT = ipRules();
    const qint64 after = nowUs();
    QTest::qWait(1000);
    QVERIFY(ip(u"rule del pref 500"_s));
    QVERIFY(ip(u"-6 rule del pref 502"_s));
    QVERIFY(ip(u"rule add blackhole pref 504"_s));
    QTest::qWait(300);
    const std::set<QString> atEnd = ipRules();
    const qint64 last = nowUs();
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);

    const auto rulesAt = [&](const QString &at, const QString &name, std::set<QString> *ours) {
        const QString csvPath = m_dir.filePath(name);
        QByteArray err;
        if (run({u"--headless"_s, rec, u"--at"_s, at, u"--export-csv"_s, csvPath}, &err) != 0)
            return false;
        for (const QStringList &r : readCsv(csvPath))
            if (r.value(Object) == u"rule")
                ours->insert(r.value(Family) + u' ' + r.value(Metric) + u": "_s + r.value(Details));
        return true;
    };
    std::set<QString> ours;
    QVERIFY(rulesAt(isoTime(after + 500'000), u"rules-at.csv"_s, &ours));
    QVERIFY2(ours == atT, qPrintable(setDiff(ours, atT)));
    QVERIFY(ours.count(u"ipv4 500: from 10.61.0.0/24 lookup 100"_s)); // from the keyframe, deleted later
    QVERIFY(ours.count(u"ipv4 501: from all fwmark 0x7/0xff iif lo lookup 101 proto static"_s));
    QVERIFY(ours.count(u"ipv6 502: from 2001:db8:61::/48 ipproto tcp dport 443 unreachable"_s));
    QVERIFY(ours.count(u"ipv4 32766: from all lookup main"_s)); // a default, from the keyframe
    QVERIFY(!ours.count(u"ipv4 504: from all blackhole"_s)); // not yet
    std::set<QString> end;
    QVERIFY(rulesAt(isoTime(last), u"rules-end.csv"_s, &end));
    QVERIFY2(end == atEnd, qPrintable(setDiff(end, atEnd)));

    // The event export has the rule rows: key columns and the details as ip writes them.
    const QString events = m_dir.filePath(u"rules-events.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, events}, &err), 0);
    const QList<QStringList> rows = readCsv(events);
    const auto has = [&](const QString &change, const QString &priority, const QString &destination,
                         const QString &table, const QString &protocol) {
        return std::any_of(rows.begin(), rows.end(), [&](const QStringList &r) {
            return r.value(Object) == u"rule" && r.value(Change) == change && r.value(Metric) == priority
                && r.value(Destination) == destination && r.value(Table) == table && r.value(Protocol) == protocol;
        });
    };
    QVERIFY(has(u"initial"_s, u"500"_s, u"from 10.61.0.0/24 lookup 100"_s, u"100"_s, u"unspec"_s));
    QVERIFY(has(u"add"_s, u"501"_s, u"from all fwmark 0x7/0xff iif lo lookup 101"_s, u"101"_s, u"static"_s));
    QVERIFY(has(u"delete"_s, u"502"_s, u"from 2001:db8:61::/48 ipproto tcp dport 443 unreachable"_s, QString(),
                u"unspec"_s));
    QVERIFY(has(u"add"_s, u"503"_s, u"not from all to 10.62.0.0/16 goto 32766"_s, QString(), u"unspec"_s));
    QVERIFY(ip(u"rule del pref 501"_s));
    QVERIFY(ip(u"rule del pref 503"_s));
    QVERIFY(ip(u"rule del pref 504"_s));
}

/// The nexthop objects `ip nexthop show` lists, as our CSV writes them: the destination
/// cell (the object as ip writes it, without the scope, which is no field of ours, and
/// the protocol) and the protocol after it when not unspec: "id 1 via 10.63.0.2 dev nh0
/// proto static". A resilient group's timers and unbalanced time are left out.
static std::set<QString> ipNexthops()
{
    std::set<QString> out;
    for (const QString &line : QString::fromUtf8(ipOutput(u"nexthop show"_s)).split(u'\n', Qt::SkipEmptyParts)) {
        QStringList words = line.split(u' ', Qt::SkipEmptyParts);
        QString proto;
        for (const QString &word :
             {u"scope"_s, u"proto"_s, u"buckets"_s, u"idle_timer"_s, u"unbalanced_timer"_s, u"unbalanced_time"_s}) {
            if (const qsizetype at = words.indexOf(word); at >= 0 && at + 1 < words.size()) {
                if (word == u"proto"_s)
                    proto = words.at(at + 1);
                words.remove(at, 2);
            }
        }
        out.insert(words.join(u' ') + (proto.isEmpty() ? QString() : u" proto "_s + proto));
    }
    return out;
}

void TestHeadlessRecording::nexthopsAtATimeEqualWhatIpShowed()
{
    // Objects made before the recorder starts reach the file through its first keyframe;
    // those made after, through events; those the kernel removes with their link without
    // a message, through inferred events.
    QVERIFY(ip(u"link add nh0 type veth peer name nh0p"_s));
    QVERIFY(ip(u"link set nh0 up"_s));
    QVERIFY(ip(u"link set nh0p up"_s));
    QVERIFY(ip(u"addr add 10.63.0.1/24 dev nh0"_s));
    QVERIFY(ip(u"nexthop add id 630 via 10.63.0.2 dev nh0 proto static"_s));
    QVERIFY(ip(u"nexthop add id 631 blackhole"_s));
    const QString rec = m_dir.filePath(u"nexthops.ncv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec}));
    QVERIFY(ip(u"nexthop add id 632 dev nh0p"_s));
    QVERIFY(ip(u"nexthop add id 633 group 630,2/632 type resilient buckets 8"_s));
    QVERIFY(ip(u"nexthop replace id 630 via 10.63.0.3 dev nh0 proto static"_s));
    QTest::qWait(300);
    const std::set<QString> atT = ipNexthops();
    const qint64 after = nowUs();
    QTest::qWait(1000);
    QVERIFY(ip(u"nexthop del id 632"_s));
    QVERIFY(ip(u"link del nh0"_s)); // 630 and the group go unannounced
    QTest::qWait(300);
    const std::set<QString> atEnd = ipNexthops();
    const qint64 last = nowUs();
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);

    const auto nexthopsAt = [&](const QString &at, const QString &name, std::set<QString> *ours) {
        const QString csvPath = m_dir.filePath(name);
        QByteArray err;
        if (run({u"--headless"_s, rec, u"--at"_s, at, u"--export-csv"_s, csvPath}, &err) != 0)
            return false;
        for (const QStringList &r : readCsv(csvPath))
            if (r.value(Object) == u"nexthop")
                ours->insert(r.value(Destination)
                             + (r.value(Protocol) != u"unspec"_s ? u" proto "_s + r.value(Protocol) : QString()));
        return true;
    };
    std::set<QString> ours;
    QVERIFY(nexthopsAt(isoTime(after + 500'000), u"nexthops-at.csv"_s, &ours));
    QVERIFY2(ours == atT, qPrintable(setDiff(ours, atT)));
    QVERIFY(ours.count(u"id 631 blackhole"_s)); // from the keyframe
    QVERIFY(std::any_of(ours.begin(), ours.end(),
                        [](const QString &o) { return o.startsWith(u"id 633 group 630,2/632 type resilient"_s); }));
    std::set<QString> end;
    QVERIFY(nexthopsAt(isoTime(last), u"nexthops-end.csv"_s, &end));
    QVERIFY2(end == atEnd, qPrintable(setDiff(end, atEnd)));
    QCOMPARE(end, std::set<QString>({u"id 631 blackhole"_s}));

    // The event export: the replace as a parameter change, the flush as inferred deletes.
    const QString events = m_dir.filePath(u"nexthops-events.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, events}, &err), 0);
    const QList<QStringList> rows = readCsv(events);
    const auto has
        = [&](const QString &change, const QString &destinationStart, const QString &details, const QString &origin) {
              return std::any_of(rows.begin(), rows.end(), [&](const QStringList &r) {
                  return r.value(Object) == u"nexthop" && r.value(Change) == change
                      && r.value(Destination).startsWith(destinationStart) && r.value(Details).startsWith(details)
                      && r.value(OriginCol) == origin;
              });
          };
    QVERIFY(has(u"initial"_s, u"id 630 via 10.63.0.2"_s, u"via 10.63.0.2"_s, u"observed"_s));
    QVERIFY(has(u"parameter"_s, u"id 630 via 10.63.0.3"_s, u"gateway 10.63.0.2 -> 10.63.0.3"_s, u"observed"_s));
    QVERIFY(has(u"parameter"_s, u"id 633 group 630,2 "_s, u"group 630,2/632 -> 630,2"_s, u"observed"_s));
    QVERIFY(has(u"delete"_s, u"id 630 "_s, u"via 10.63.0.3"_s, u"inferred"_s));
    QVERIFY(has(u"delete"_s, u"id 633 "_s, u"group 630,2"_s, u"inferred"_s));
    QVERIFY(ip(u"nexthop del id 631"_s));
}

void TestHeadlessRecording::nexthopTextsNameTheirDevice()
{
    using namespace ncv;
    // One scenario recorded, streamed as JSON Lines and exported as CSV at once: every text
    // of a nexthop names its device as `ip nexthop show` does, with the index in if_index.
    QVERIFY(ip(u"link add nd0 type veth peer name nd0p"_s));
    QVERIFY(ip(u"link set nd0 up"_s));
    QVERIFY(ip(u"link set nd0p up"_s));
    QVERIFY(ip(u"addr add 10.64.0.1/24 dev nd0"_s));
    QVERIFY(ip(u"nexthop add id 640 via 10.64.0.2 dev nd0 proto static"_s));
    const QString rec = m_dir.filePath(u"nexthop-names.ncv"_s);
    const QString liveCsv = m_dir.filePath(u"nexthop-names-live.csv"_s);
    const QString stream = m_dir.filePath(u"nexthop-names.jsonl"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec, u"--stream"_s, stream, u"--export-csv"_s, liveCsv}));
    QVERIFY(ip(u"nexthop add id 641 dev nd0p"_s));
    QVERIFY(ip(u"-6 nexthop add id 642 via 2001:db8:64::2 dev nd0 onlink"_s));
    QVERIFY(ip(u"nexthop add id 643 group 640/641"_s));
    QVERIFY(ip(u"nexthop replace id 641 dev nd0"_s)); // the device changes: a parameter change
    QTest::qWait(300);
    const std::set<QString> shown = ipNexthops();
    const qint64 last = nowUs();
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(shown.count(u"id 640 via 10.64.0.2 dev nd0 proto static"_s));
    QVERIFY(shown.count(u"id 642 via 2001:db8:64::2 dev nd0 onlink"_s));
    int nd0 = 0;
    for (const auto &v : QJsonDocument::fromJson(ipOutput(u"-j link show nd0"_s)).array())
        nd0 = v.toObject().value(u"ifindex"_s).toInt();
    QVERIFY(nd0 > 0);

    // The state at the end, from the recording: what ip showed, names and all.
    const QString atEnd = m_dir.filePath(u"nexthop-names-end.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--at"_s, isoTime(last), u"--export-csv"_s, atEnd}, &err), 0);
    std::set<QString> ours;
    for (const QStringList &r : readCsv(atEnd)) {
        if (r.value(Object) != u"nexthop")
            continue;
        ours.insert(r.value(Destination)
                    + (r.value(Protocol) != u"unspec"_s ? u" proto "_s + r.value(Protocol) : QString()));
        // The index stays in its column; the name beside it.
        if (r.value(Destination).contains(u" dev nd0"_s)) {
            QCOMPARE(r.value(IfIndex), QString::number(nd0));
            QCOMPARE(r.value(IfName), u"nd0"_s);
        }
    }
    QVERIFY2(ours == shown, qPrintable(setDiff(ours, shown)));

    // The events as the recording's export, the live CSV and the JSON Lines stream give
    // them: the same texts (change, if_index, if_name, destination, details).
    const QString events = m_dir.filePath(u"nexthop-names-events.csv"_s);
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, events}, &err), 0);
    const auto csvTexts = [](const QString &path) {
        std::set<QString> out;
        for (const QStringList &r : readCsv(path))
            if (r.value(Object) == u"nexthop")
                out.insert(QStringList {r.value(Change), r.value(IfIndex), r.value(IfName), r.value(Destination),
                                        r.value(Details)}
                               .join(u'|'));
        return out;
    };
    const std::set<QString> recorded = csvTexts(events);
    const std::set<QString> live = csvTexts(liveCsv);
    QVERIFY2(recorded == live, qPrintable(setDiff(recorded, live)));
    QFile jsonFile(stream);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    std::set<QString> streamed;
    for (const QByteArray &line : jsonFile.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(u"object"_s).toString() != u"nexthop"_s)
            continue;
        const QJsonValue ifIndex = o.value(u"if_index"_s);
        streamed.insert(QStringList {
            o.value(u"change"_s).toString(), ifIndex.isNull() ? QString() : QString::number(ifIndex.toInteger()),
            o.value(u"if_name"_s).toString(), o.value(u"destination"_s).toString(), o.value(u"details"_s).toString()}
                            .join(u'|'));
    }
    QVERIFY2(streamed == recorded, qPrintable(setDiff(streamed, recorded)));
    int nd0p = 0;
    for (const auto &v : QJsonDocument::fromJson(ipOutput(u"-j link show nd0p"_s)).array())
        nd0p = v.toObject().value(u"ifindex"_s).toInt();
    const QString i = QString::number(nd0);
    // The changes keep the field's value, the index ("ifindex 7 -> 6").
    for (const QString &want : QStringList {
             u"initial|"_s + i + u"|nd0|id 640 via 10.64.0.2 dev nd0|via 10.64.0.2 dev nd0 proto static"_s,
             u"add|"_s + i + u"|nd0|id 642 via 2001:db8:64::2 dev nd0 onlink|via 2001:db8:64::2 dev nd0 onlink"_s,
             u"add|||id 643 group 640/641|group 640/641"_s,
             u"parameter|"_s + i + u"|nd0|id 641 dev nd0|ifindex "_s + QString::number(nd0p) + u" -> "_s + i})
        QVERIFY2(std::any_of(recorded.begin(), recorded.end(), [&](const QString &r) { return r.startsWith(want); }),
                 qPrintable(want + u"\n"_s + QStringList(recorded.begin(), recorded.end()).join(u'\n')));

    // A CSV import reads the names back into indexes: exported again, the same texts; and
    // the Nexthops tab of the recording and of the import show the name.
    QString imported, error;
    recording::ImportResult result;
    QVERIFY2(recording::importFileToTemporary(events, &imported, {}, &result, &error), qPrintable(error));
    const auto removeImported = qScopeGuard([&imported] { QFile::remove(imported); });
    const QString again = m_dir.filePath(u"nexthop-names-again.csv"_s);
    QCOMPARE(run({u"--headless"_s, imported, u"--export-csv"_s, again}, &err), 0);
    const std::set<QString> reexported = csvTexts(again);
    QVERIFY2(reexported == recorded, qPrintable(setDiff(reexported, recorded)));
    RecordingSession session, fromCsv;
    QVERIFY2(session.open(rec, &error), qPrintable(error));
    QVERIFY2(fromCsv.open(imported, &error), qPrintable(error));
    for (RecordingSession *s : {&session, &fromCsv}) {
        const QMap<QString, QString> row = tableRow(s->model()->nexthops(), u"Id"_s, u"640"_s);
        QCOMPARE(row.value(u"Interface"_s), u"nd0"_s);
        QCOMPARE(row.value(u"Gateway"_s), u"10.64.0.2"_s);
    }
    QVERIFY(ip(u"link del nd0"_s));
}

void TestHeadlessRecording::routeTextsNameTheirDevice()
{
    using namespace ncv;
    // A route's next hops as `ip route` writes them, in every text that knows the name of
    // the route's interface (the first hop's): "via 10.62.0.2 dev lk1". A multipath route's
    // hops on another interface keep their index: the writers know one name per event.
    QVERIFY(ip(u"link add lk1 type veth peer name lk1p"_s));
    const auto cleanup = qScopeGuard([] { ip(u"link del lk1"_s); });
    QVERIFY(ip(u"link set lk1 up"_s));
    QVERIFY(ip(u"link set lk1p up"_s));
    QVERIFY(ip(u"addr add 10.62.0.1/24 dev lk1"_s));
    QVERIFY(ip(u"addr add 10.68.0.1/24 dev lk1p"_s));
    const QString rec = m_dir.filePath(u"route-names.ncv"_s);
    const QString liveCsv = m_dir.filePath(u"route-names-live.csv"_s);
    const QString stream = m_dir.filePath(u"route-names.jsonl"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--record"_s, rec, u"--stream"_s, stream, u"--export-csv"_s, liveCsv}));
    QVERIFY(ip(u"route add 10.66.0.0/16 via 10.62.0.2 dev lk1"_s));
    QVERIFY(ip(u"route add 10.67.0.0/16 nexthop via 10.62.0.2 dev lk1 nexthop via 10.68.0.2 dev lk1p"_s));
    // What ip writes of them, before the multipath route's first hop moves.
    const QStringList single
        = QString::fromUtf8(ipOutput(u"route show 10.66.0.0/16"_s)).split(u' ', Qt::SkipEmptyParts);
    QStringList hops;
    for (const QString &line : QString::fromUtf8(ipOutput(u"route show 10.67.0.0/16"_s)).split(u'\n'))
        if (const QString t = line.trimmed(); t.startsWith(u"nexthop "_s))
            hops << t.mid(8);
    QVERIFY(ip(u"route replace 10.67.0.0/16 nexthop via 10.62.0.3 dev lk1 nexthop via 10.68.0.2 dev lk1p"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    int lk1 = 0, lk1p = 0;
    for (const auto &v : QJsonDocument::fromJson(ipOutput(u"-j link show"_s)).array()) {
        const QJsonObject o = v.toObject();
        if (o.value(u"ifname"_s).toString() == u"lk1"_s)
            lk1 = o.value(u"ifindex"_s).toInt();
        else if (o.value(u"ifname"_s).toString() == u"lk1p"_s)
            lk1p = o.value(u"ifindex"_s).toInt();
    }
    QVERIFY(lk1 > 0 && lk1p > 0);
    // "10.66.0.0/16 via 10.62.0.2 dev lk1": the part after the prefix, as ip wrote it.
    QVERIFY2(single.size() >= 5 && single.at(3) == u"dev"_s, qPrintable(single.join(u' ')));
    const QString viaLk1 = single.mid(1, 4).join(u' ');
    QCOMPARE(viaLk1, u"via 10.62.0.2 dev lk1"_s);
    // "via 10.62.0.2 dev lk1 weight 1" and "via 10.68.0.2 dev lk1p weight 1": the second hop
    // is not on the route's interface and keeps its index.
    QCOMPARE(hops.size(), 2);
    QVERIFY2(hops.at(0).startsWith(viaLk1 + u' '), qPrintable(hops.at(0)));
    QVERIFY2(hops.at(1).contains(u" dev lk1p"_s), qPrintable(hops.at(1)));
    const QString multipath
        = hops.at(0) + u", "_s + QString(hops.at(1)).replace(u" dev lk1p"_s, u" dev "_s + QString::number(lk1p));
    const QString moved = QString(multipath).replace(u"via 10.62.0.2 "_s, u"via 10.62.0.3 "_s);

    // The recording's export, the live CSV and the JSON Lines stream: the same texts.
    const QString events = m_dir.filePath(u"route-names-events.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, events}, &err), 0);
    const auto ours = [](const QString &destination) {
        return destination == u"10.66.0.0/16"_s || destination == u"10.67.0.0/16"_s;
    };
    const auto csvTexts = [&](const QString &path) {
        std::set<QString> out;
        for (const QStringList &r : readCsv(path))
            if (r.value(Object) == u"route" && ours(r.value(Destination)))
                out.insert(QStringList {r.value(Change), r.value(IfIndex), r.value(IfName), r.value(Destination),
                                        r.value(Gateway), r.value(Details)}
                               .join(u'|'));
        return out;
    };
    const std::set<QString> recorded = csvTexts(events);
    const std::set<QString> live = csvTexts(liveCsv);
    QVERIFY2(recorded == live, qPrintable(setDiff(recorded, live)));
    QFile jsonFile(stream);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    std::set<QString> streamed;
    for (const QByteArray &line : jsonFile.readAll().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(u"object"_s).toString() != u"route"_s || !ours(o.value(u"destination"_s).toString()))
            continue;
        const QJsonValue ifIndex = o.value(u"if_index"_s);
        streamed.insert(QStringList {o.value(u"change"_s).toString(),
                                     ifIndex.isNull() ? QString() : QString::number(ifIndex.toInteger()),
                                     o.value(u"if_name"_s).toString(), o.value(u"destination"_s).toString(),
                                     o.value(u"gateway"_s).toString(), o.value(u"details"_s).toString()}
                            .join(u'|'));
    }
    QVERIFY2(streamed == recorded, qPrintable(setDiff(streamed, recorded)));
    const QString i = QString::number(lk1);
    for (const QString &want :
         QStringList {u"add|"_s + i + u"|lk1|10.66.0.0/16|10.62.0.2|"_s + viaLk1 + u" metric 0 table main proto boot"_s,
                      u"add|"_s + i + u"|lk1|10.67.0.0/16|10.62.0.2;10.68.0.2|"_s + multipath + u" metric 0 "_s,
                      u"parameter|"_s + i + u"|lk1|10.67.0.0/16|10.62.0.3;10.68.0.2|nexthops "_s + multipath + u" -> "_s
                          + moved})
        QVERIFY2(std::any_of(recorded.begin(), recorded.end(), [&](const QString &r) { return r.startsWith(want); }),
                 qPrintable(want + u"\n"_s + QStringList(recorded.begin(), recorded.end()).join(u'\n')));

    // The event log's summaries and the Routes tab, from the recording and from a CSV
    // import of its export, which reads the same rows back (the device from if_index) and
    // exports the same texts again.
    QString imported, error;
    recording::ImportResult result;
    QVERIFY2(recording::importFileToTemporary(events, &imported, {}, &result, &error), qPrintable(error));
    const auto removeImported = qScopeGuard([&imported] { QFile::remove(imported); });
    const QString again = m_dir.filePath(u"route-names-again.csv"_s);
    QCOMPARE(run({u"--headless"_s, imported, u"--export-csv"_s, again}, &err), 0);
    const std::set<QString> reexported = csvTexts(again);
    QVERIFY2(reexported == recorded, qPrintable(setDiff(reexported, recorded)));
    RecordingSession session, fromCsv;
    QVERIFY2(session.open(rec, &error), qPrintable(error));
    QVERIFY2(fromCsv.open(imported, &error), qPrintable(error));
    for (RecordingSession *s : {&session, &fromCsv}) {
        const EventLogModel *log = s->model()->eventLog();
        QStringList summaries;
        for (int row = 0; row < log->rowCount(); ++row)
            if (log->index(row, EventLogModel::Object).data().toString() == u"route"_s)
                summaries << log->index(row, EventLogModel::Summary).data().toString();
        QVERIFY2(
            summaries.contains(u"add route 10.66.0.0/16 on lk1 ("_s + viaLk1 + u" metric 0 table main proto boot)"_s),
            qPrintable(summaries.join(u'\n')));
        const QMap<QString, QString> row = tableRow(s->model()->routes(), u"Destination"_s, u"10.66.0.0/16"_s);
        QCOMPARE(row.value(u"Interface"_s), u"lk1"_s);
        QCOMPARE(row.value(u"Next hop"_s), u"10.62.0.2"_s);
        const QMap<QString, QString> multi = tableRow(s->model()->routes(), u"Destination"_s, u"10.67.0.0/16"_s);
        // The recording holds every hop's device; a CSV import the first hop's (if_index:
        // the gateway column has no devices, and the details cell is kept as written).
        QCOMPARE(multi.value(u"Interface"_s), s == &session ? u"lk1, lk1p"_s : u"lk1"_s);
        QCOMPARE(multi.value(u"Next hop"_s), u"10.62.0.3, 10.68.0.2"_s);
    }
}

void TestHeadlessRecording::badArgumentsGiveOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    const QString existing = QStringLiteral(NCV_APP_BINARY);
    QTest::newRow("record over an existing file")
        << QStringList {u"--headless"_s, u"--record"_s, existing, u"--duration"_s, u"0"_s} << 1 << u"exists"_s;
    QTest::newRow("record to stdout") << QStringList {u"--headless"_s, u"--record"_s, u"-"_s} << 1 << u"regular file"_s;
    QTest::newRow("record without initial")
        << QStringList {u"--headless"_s, u"--record"_s, u"/tmp/x.ncv"_s, u"--no-initial"_s} << 2 << u"--no-initial"_s;
    QTest::newRow("from without a recording")
        << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp/x.csv"_s, u"--from"_s, u"+1"_s} << 2
        << u"--from is for converting"_s;
    QTest::newRow("convert without csv") << QStringList {u"--headless"_s, existing} << 2 << u"--export-csv"_s;
    QTest::newRow("convert with duration")
        << QStringList {u"--headless"_s, existing, u"--export-csv"_s, u"/tmp/x.csv"_s, u"--duration"_s, u"1"_s} << 2
        << u"--duration is for recording"_s;
    QTest::newRow("record in the window") << QStringList {u"--record"_s, u"/tmp/x.ncv"_s} << 2 << u"--headless"_s;
}

void TestHeadlessRecording::badArgumentsGiveOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    QByteArray err;
    QCOMPARE(run(args, &err), exitCode);
    const QStringList lines = QString::fromLocal8Bit(err).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(!lines.isEmpty() && lines.constFirst().startsWith(u"netchangeview: "_s), err.constData());
    QVERIFY2(lines.constFirst().contains(says), err.constData());
}

void TestHeadlessRecording::badRecordingsAndTimesGiveOneLine_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    QTest::newRow("missing") << u"missing"_s << QStringList() << 1 << u"no such file"_s;
    QTest::newRow("text file") << u"text"_s << QStringList() << 5 << u"not a NetChangeView recording"_s;
    QTest::newRow("newer format") << u"newer"_s << QStringList() << 5 << u"is newer than this NetChangeView"_s;
    QTest::newRow("before the start") << u"good"_s << QStringList {u"--at"_s, u"2001-01-01T00:00:00Z"_s} << 2
                                      << u"is outside the recording"_s;
    QTest::newRow("after the end") << u"good"_s << QStringList {u"--from"_s, u"+100000"_s} << 2
                                   << u"is outside the recording"_s;
    QTest::newRow("not a time") << u"good"_s << QStringList {u"--at"_s, u"noon"_s} << 2 << u"is not a time"_s;
    QTest::newRow("at with from") << u"good"_s << QStringList {u"--at"_s, u"+0"_s, u"--from"_s, u"+0"_s} << 2
                                  << u"one or the other"_s;
    QTest::newRow("garbage") << u"garbage"_s << QStringList() << 5 << u"damaged"_s;
}

void TestHeadlessRecording::badRecordingsAndTimesGiveOneLine()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, extra);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    const QString good = m_dir.filePath(u"good.ncv"_s);
    if (!QFile::exists(good)) {
        QByteArray err;
        QCOMPARE(run({u"--headless"_s, u"--record"_s, good, u"--duration"_s, u"0"_s}, &err), 0);
    }
    QString path = m_dir.filePath(kind + u".ncv"_s);
    if (kind == u"good") {
        path = good;
    } else if (kind == u"text") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("sequence,time_utc\n");
    } else if (kind == u"newer" || kind == u"garbage") {
        QFile::remove(path);
        QVERIFY(QFile::copy(good, path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        if (kind == u"newer") {
            QVERIFY(f.seek(60)); // PRAGMA user_version, big-endian
            f.write(QByteArray("\0\0\0\x07", 4));
        } else {
            QVERIFY(f.seek(100)); // the schema page's content
            f.write(QByteArray(4000, '\x5a'));
        }
    }
    QByteArray err;
    const int code
        = run(QStringList {u"--headless"_s, path, u"--export-csv"_s, m_dir.filePath(u"bad.csv"_s)} + extra, &err);
    const QStringList lines = QString::fromLocal8Bit(err).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(code == exitCode, err.constData());
    QVERIFY2(lines.size() == 1 || (code == 2 && lines.size() <= 2), err.constData());
    QVERIFY2(lines.constFirst().contains(says), err.constData());
}

/// True when the CSV rows have a row of object, change, destination and origin (the last column).
static bool hasRow(const QList<QStringList> &rows, const QString &object, const QString &change,
                   const QString &destination, const QString &origin)
{
    return std::any_of(rows.begin(), rows.end(), [&](const QStringList &r) {
        return r[Object] == object && r[Change] == change && r[Destination] == destination && r[OriginCol] == origin;
    });
}

// A file `rtmon file F` wrote in a private namespace (tests/fuzz/corpus/rtmonreader, made
// during: veth v0/v1 up, 10.1.0.1/24 and 2001:db8::1/64 on v0, routes 10.2.0.0/24 via
// 10.1.0.2 and 10.3.0.0/24 metric 7, v0 down and up, the address deleted, v0 deleted).
static const QString kRtmonFixture = QStringLiteral(NCV_SOURCE_DIR "/tests/fuzz/corpus/rtmonreader/scenario.rtmon");

void TestHeadlessRecording::convertsAnRtmonFile()
{
    const QString out = m_dir.filePath(u"rtmon.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, kRtmonFixture, u"--export-csv"_s, out}, &err), 0);
    const QString said = QString::fromLocal8Bit(err);
    QVERIFY2(said.contains(u"imported "_s) && said.contains(u"not shown: "_s) && said.contains(u"netconf"_s),
             err.constData());
    QVERIFY2(said.contains(u"state before the first event incomplete: rtmon records links only"_s), err.constData());
    const QList<QStringList> rows = readCsv(out);
    QVERIFY(rows.size() > 20);
    // The links of rtmon's dump, then the gap row that says the rest of the state is unknown.
    QCOMPARE(rows[0][Object], u"interface"_s);
    QCOMPARE(rows[0][Change], u"initial"_s);
    qsizetype gap = -1;
    for (qsizetype i = 0; i < rows.size() && gap < 0; ++i)
        if (rows[i][Object] == u"gap")
            gap = i;
    QVERIFY(gap > 0);
    QVERIFY(rows[gap].join(u',').contains(u"state before the first event incomplete"_s));
    const auto has = [&rows](const QString &object, const QString &change, const QString &destination,
                             const QString &origin) { return hasRow(rows, object, change, destination, origin); };
    QVERIFY(has(u"address"_s, u"add"_s, u"10.1.0.1/24"_s, u"observed"_s));
    QVERIFY(has(u"address"_s, u"delete"_s, u"10.1.0.1/24"_s, u"observed"_s));
    QVERIFY(has(u"route"_s, u"add"_s, u"10.2.0.0/24"_s, u"observed"_s));
    // The kernel removed it with v0 going down, without a message: inferred, as live.
    QVERIFY(has(u"route"_s, u"delete"_s, u"10.2.0.0/24"_s, u"inferred"_s));
    // Who asked: the file keeps nlmsg_pid, but the processes cannot be asked afterwards.
    for (const QStringList &r : rows) {
        if (r[Object] == u"address" && r[Change] == u"add" && r[Destination] == u"10.1.0.1/24") {
            QVERIFY2(r[Process].startsWith(u"port "_s), qPrintable(r.join(u',')));
            QCOMPARE(r[Pid], QString());
        }
        if (r[Object] == u"route" && r[Change] == u"delete" && r[Destination] == u"10.2.0.0/24")
            QCOMPARE(r[Process], u"kernel (link v0 down)"_s);
    }

    // The tables at the file's first moment: the links, then the same note.
    const QString at = m_dir.filePath(u"rtmon-at.csv"_s);
    QCOMPARE(run({u"--headless"_s, kRtmonFixture, u"--at"_s, u"+0"_s, u"--export-csv"_s, at}, &err), 0);
    const QList<QStringList> tables = readCsv(at);
    QVERIFY(tables.size() >= 2);
    for (qsizetype i = 0; i + 1 < tables.size(); ++i)
        QCOMPARE(tables[i][Object], u"interface"_s);
    QCOMPARE(tables.last()[Object], u"gap"_s);
    QVERIFY(tables.last().join(u',').contains(u"state before the first event incomplete"_s));
}

// importFile() on an rtmon file: the recording is complete and in the format a live one
// has (checkImportedFile), and a cancel at the end of the reading still leaves no file.
void TestHeadlessRecording::importedRtmonRecordingIsComplete()
{
    const QString out = m_dir.filePath(u"imported-rtmon.ncv"_s);
    QFile::remove(out);
    ImportResult result;
    QString error;
    QVERIFY2(importFile(kRtmonFixture, out, {}, &result, &error), qPrintable(error));
    QVERIFY(result.events > 20);
    checkImportedFile(out, result.events);
    if (QTest::currentTestFailed())
        return;

    const QString cancelled = m_dir.filePath(u"cancelled-rtmon.ncv"_s);
    QFile::remove(cancelled);
    const auto cancel = [](std::int64_t, std::int64_t) { return false; };
    QVERIFY(!importFile(kRtmonFixture, cancelled, cancel, &result, &error));
    QVERIFY2(error.contains(u"cancelled"_s), qPrintable(error));
    QVERIFY(result.cancelled);
    for (const QString &suffix : {QString(), u"-wal"_s, u"-shm"_s, u"-journal"_s})
        QVERIFY2(!QFileInfo::exists(cancelled + suffix), qPrintable(cancelled + suffix));
}

void TestHeadlessRecording::conversionColumns()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    QTest::newRow("truncated") << u"truncated"_s << 6 << u"damaged: "_s;
}

void TestHeadlessRecording::checkConversion(const QString &name, const QByteArray &bytes)
{
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    const QString path = m_dir.filePath(name);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
    f.close();
    const QString out = m_dir.filePath(name + u".csv"_s);
    QFile::remove(out);
    QByteArray err;
    const int code = run({u"--headless"_s, path, u"--export-csv"_s, out}, &err);
    QVERIFY2(code == exitCode, err.constData());
    QVERIFY2(QString::fromLocal8Bit(err).contains(says), err.constData());
    if (exitCode != 5) {
        // The valid part is converted: the events before the damage are in the CSV.
        QVERIFY(readCsv(out).size() > 10);
    } else {
        QCOMPARE(QString::fromLocal8Bit(err).count(u'\n'), 1);
        QVERIFY(!QFile::exists(out));
    }
}

void TestHeadlessRecording::damagedAndForeignRtmonInput_data()
{
    conversionColumns();
    QTest::newRow("empty") << u"empty"_s << 5 << u"is empty"_s;
    QTest::newRow("random bytes") << u"random"_s << 5 << u"not a NetChangeView recording"_s;
    QTest::newRow("other byte order") << u"swapped"_s << 5 << u"other byte order"_s;
}

void TestHeadlessRecording::damagedAndForeignRtmonInput()
{
    QFETCH(QString, kind);
    QFile fixture(kRtmonFixture);
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    const QByteArray real = fixture.readAll();
    QByteArray bytes;
    if (kind == u"truncated") {
        bytes = real.left(real.size() / 2 + 3);
    } else if (kind == u"random") {
        QRandomGenerator rng(5);
        for (int i = 0; i < 4096; ++i)
            bytes.append(char(rng.bounded(256)));
    } else if (kind == u"swapped") {
        bytes = real.left(64);
        std::reverse(bytes.begin(), bytes.begin() + 4);
        std::reverse(bytes.begin() + 4, bytes.begin() + 6);
    }
    checkConversion(kind + u".rtmon"_s, bytes);
}

// A capture of real kernel messages written as nlmon would capture them, converted to
// pcapng with nanosecond times (tests/fuzz/corpus/pcapreader, made by tst_pcapreader: dumps
// of links, addresses and routes, then veth ncv0/ncv1 up, 10.1.0.1/24 and 2001:db8:1::1/64
// on ncv0, routes 10.2.0.0/24 via 10.1.0.2 and 10.3.0.0/24 metric 7, ncv0 down and up, the
// address deleted, ncv0 deleted; each notification twice, a refused request, a generic
// netlink packet).
static const QString kCaptureFixture = QStringLiteral(NCV_SOURCE_DIR "/tests/fuzz/corpus/pcapreader/scenario.pcapng");

void TestHeadlessRecording::convertsAnNlmonCapture()
{
    const QString out = m_dir.filePath(u"capture.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, kCaptureFixture, u"--export-csv"_s, out}, &err), 0);
    const QString said = QString::fromLocal8Bit(err);
    QVERIFY2(said.contains(u"from the nlmon capture scenario.pcapng (pcapng, "_s)
                 && said.contains(u"requests not applied"_s) && said.contains(u"1 generic packet"_s)
                 && said.contains(u"times to the nanosecond"_s),
             err.constData());
    QVERIFY2(!said.contains(u"incomplete"_s), err.constData()); // links, addresses and routes were dumped
    const QList<QStringList> rows = readCsv(out);
    QVERIFY(rows.size() > 20);
    QCOMPARE(rows[0][Change], u"initial"_s);
    const auto has = [&rows](const QString &object, const QString &change, const QString &destination,
                             const QString &origin) { return hasRow(rows, object, change, destination, origin); };
    QVERIFY(has(u"address"_s, u"initial"_s, u"127.0.0.1/8"_s, u"observed"_s)); // lo, from the dump
    QVERIFY(has(u"address"_s, u"add"_s, u"10.1.0.1/24"_s, u"observed"_s));
    QVERIFY(has(u"route"_s, u"add"_s, u"10.2.0.0/24"_s, u"observed"_s));
    QVERIFY(has(u"route"_s, u"delete"_s, u"10.2.0.0/24"_s, u"inferred"_s));
    QVERIFY(std::none_of(rows.begin(), rows.end(), [](const QStringList &r) { return r[Object] == u"gap"; }));

    // The tables at the first moment: lo and its addresses and routes, no note.
    const QString at = m_dir.filePath(u"capture-at.csv"_s);
    QCOMPARE(run({u"--headless"_s, kCaptureFixture, u"--at"_s, u"+0"_s, u"--export-csv"_s, at}, &err), 0);
    const QList<QStringList> tables = readCsv(at);
    QVERIFY(std::any_of(tables.begin(), tables.end(), [](const QStringList &r) { return r[Object] == u"route"; }));
    QVERIFY(tables.last()[Object] != u"gap"_s);
}

// The pcapng fixture has nanosecond times (if_tsresol 9, as tshark reads them): every event
// keeps its nanoseconds through the recording, a reopened recording and the CSV, and
// --from / --to / --at take 9 digits. The microsecond pcap of the same scenario gives 6.
void TestHeadlessRecording::nanosecondCaptureKeepsNanoseconds()
{
    if (QStandardPaths::findExecutable(u"tshark"_s).isEmpty())
        QSKIP("tshark (Debian tshark) is not installed");
    QProcess tshark;
    tshark.start(u"tshark"_s, {u"-r"_s, kCaptureFixture, u"-T"_s, u"fields"_s, u"-e"_s, u"frame.time_epoch"_s});
    QVERIFY(tshark.waitForFinished(60000) && tshark.exitCode() == 0);
    std::set<std::int64_t> packetNs;
    for (const QByteArray &line : tshark.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> parts = line.trimmed().split('.');
        if (parts.size() == 2)
            packetNs.insert(parts[0].toLongLong() * 1'000'000'000 + parts[1].leftJustified(9, '0').toLongLong());
    }
    QVERIFY(packetNs.size() > 20);
    QVERIFY(std::any_of(packetNs.begin(), packetNs.end(), [](std::int64_t ns) { return ns % 1000 != 0; }));

    // The capture straight to CSV: 9 digits in every row, each a packet's time to the ns.
    const QString direct = m_dir.filePath(u"ns-direct.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, kCaptureFixture, u"--export-csv"_s, direct}, &err), 0);
    QVERIFY2(err.contains("times to the nanosecond"), err.constData());
    static const QRegularExpression nineDigits(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z$"_s);
    const QList<QStringList> rows = readCsv(direct);
    QVERIFY(rows.size() > 20);
    bool belowUs = false;
    for (const QStringList &r : rows) {
        QVERIFY2(nineDigits.match(r[Time]).hasMatch(), qPrintable(r[Time]));
        QVERIFY2(packetNs.count(cellNs(r[Time])), qPrintable(r[Time] + u" is no packet's time"_s));
        belowUs = belowUs || cellNs(r[Time]) % 1000 != 0;
    }
    QVERIFY(belowUs);

    // Through a recording: the column and the meta, the event_log view's text, and the
    // reopened recording's CSV byte for byte.
    const QString rec = m_dir.filePath(u"ns.ncv"_s);
    QFile::remove(rec);
    ImportResult result;
    QString error;
    QVERIFY2(importFile(kCaptureFixture, rec, {}, &result, &error), qPrintable(error));
    QString precision;
    QVERIFY(hasNanosecondColumn(rec, &precision));
    QCOMPARE(precision, u"ns"_s);
    {
        sql::Db db;
        std::string why;
        QVERIFY(db.open(QFile::encodeName(rec).toStdString(), SQLITE_OPEN_READONLY, &why) == SQLITE_OK);
        sql::Stmt s;
        QVERIFY(s.prepare(db, "SELECT time_utc FROM event_log ORDER BY seq") == SQLITE_OK);
        QStringList viewTimes;
        while (s.step() == SQLITE_ROW)
            viewTimes << QString::fromUtf8(s.text(0));
        QStringList csvTimes;
        for (const QStringList &r : rows)
            csvTimes << r[Time];
        QCOMPARE(viewTimes, csvTimes);
    }
    const QString reopened = m_dir.filePath(u"ns-reopened.csv"_s);
    QCOMPARE(run({u"--headless"_s, rec, u"--export-csv"_s, reopened}, &err), 0);
    QFile a(direct), b(reopened);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(b.readAll(), a.readAll());

    // --from / --to to the ns: an added route's moment T, and the nanosecond before it
    // (in the same microsecond when T's nanoseconds are not 0).
    const auto added = std::find_if(rows.begin(), rows.end(), [](const QStringList &r) {
        return r[Change] == u"add" && r[Object] == u"route" && cellNs(r[Time]) % 1000 != 0;
    });
    QVERIFY(added != rows.end());
    const QString t = (*added)[Time];
    const std::int64_t tNs = cellNs(t);
    const QString before
        = QString::fromLatin1(ncv::csv::isoTimeUtc((tNs - 1) / 1000, true, unsigned((tNs - 1) % 1000)));
    QCOMPARE(cellNs(before), tNs - 1);
    const auto rowsIn = [&](const QStringList &args) {
        const QString out = m_dir.filePath(u"ns-part.csv"_s);
        QByteArray e;
        if (run(QStringList {u"--headless"_s, rec, u"--export-csv"_s, out} + args, &e) != 0)
            qWarning("%s", e.constData());
        return readCsv(out);
    };
    const auto count = [&rows](auto pred) { return qsizetype(std::count_if(rows.begin(), rows.end(), pred)); };
    const QList<QStringList> atT = rowsIn({u"--from"_s, t, u"--to"_s, t});
    QCOMPARE(atT.size(), count([&](const QStringList &r) { return r[Time] == t; }));
    QVERIFY(std::all_of(atT.begin(), atT.end(), [&t](const QStringList &r) { return r[Time] == t; }));
    QCOMPARE(rowsIn({u"--to"_s, before}).size(), count([&](const QStringList &r) { return cellNs(r[Time]) < tNs; }));
    QCOMPARE(rowsIn({u"--from"_s, t}).size(), count([&](const QStringList &r) { return cellNs(r[Time]) >= tNs; }));
    // T to the microsecond stands for that whole microsecond.
    const QString tUs = t.left(26) + u'Z';
    const std::int64_t usEndNs = tNs / 1000 * 1000 + 999;
    QCOMPARE(rowsIn({u"--to"_s, tUs}).size(), count([&](const QStringList &r) { return cellNs(r[Time]) <= usEndNs; }));

    // --at to the ns: the route is in the tables at T, not a nanosecond before; the rows
    // carry the moment given, with 9 digits.
    const QString destination = (*added)[Destination];
    const auto hasRoute = [&destination](const QList<QStringList> &tables) {
        return std::any_of(tables.begin(), tables.end(), [&destination](const QStringList &r) {
            return r[Object] == u"route" && r[Destination] == destination;
        });
    };
    const QList<QStringList> tablesAtT = rowsIn({u"--at"_s, t});
    QVERIFY(hasRoute(tablesAtT));
    QVERIFY(!hasRoute(rowsIn({u"--at"_s, before})));
    QVERIFY(std::all_of(tablesAtT.begin(), tablesAtT.end(), [&t](const QStringList &r) { return r[Time] == t; }));

    // The same scenario in a microsecond pcap: 6 digits, a recording without the column.
    static const QString usPcap = QStringLiteral(NCV_SOURCE_DIR "/tests/fuzz/corpus/pcapreader/scenario.pcap");
    const QString usCsv = m_dir.filePath(u"us.csv"_s);
    QCOMPARE(run({u"--headless"_s, usPcap, u"--export-csv"_s, usCsv}, &err), 0);
    QVERIFY2(!err.contains("nanosecond"), err.constData());
    static const QRegularExpression sixDigits(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"_s);
    const QList<QStringList> usRows = readCsv(usCsv);
    QVERIFY(usRows.size() > 20);
    QVERIFY(std::all_of(usRows.begin(), usRows.end(),
                        [](const QStringList &r) { return sixDigits.match(r[Time]).hasMatch(); }));
    const QString usRec = m_dir.filePath(u"us.ncv"_s);
    QFile::remove(usRec);
    QVERIFY2(importFile(usPcap, usRec, {}, &result, &error), qPrintable(error));
    QVERIFY(!hasNanosecondColumn(usRec, &precision));
    QVERIFY(precision.isEmpty());

    // Our CSV of nanoseconds read back: the import keeps them (9 digits again).
    const QString again = m_dir.filePath(u"ns-again.csv"_s);
    QCOMPARE(run({u"--headless"_s, direct, u"--export-csv"_s, again}, &err), 0);
    const QList<QStringList> againRows = readCsv(again);
    QCOMPARE(againRows.size(), rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i)
        QCOMPARE(againRows[i][Time], rows[i][Time]);
}

bool TestHeadlessRecording::readPcapFixture(QByteArray *bytes, QList<qsizetype> *records)
{
    QFile fixture(QStringLiteral(NCV_SOURCE_DIR "/tests/fuzz/corpus/pcapreader/scenario.pcap"));
    if (!fixture.open(QIODevice::ReadOnly))
        return false;
    *bytes = fixture.readAll();
    records->clear();
    for (qsizetype at = 24; at + 16 <= bytes->size();) {
        *records << at;
        quint32 caplen = 0;
        std::memcpy(&caplen, bytes->constData() + at + 8, 4);
        at += 16 + qsizetype(caplen);
    }
    return records->size() > 20;
}

// importFile() on a capture: the bytes read reported chunk by chunk up to the file's size,
// a cancel part way leaves no file, and the note a capture knows only after its dumps is
// in the recording's meta (and none when the dumps covered everything).
void TestHeadlessRecording::captureImportProgressCancelAndNote()
{
    QByteArray real;
    QList<qsizetype> records;
    QVERIFY(readPcapFixture(&real, &records));
    // The packets 60 times over, each pass 1000 s after the one before: several MiB.
    QByteArray big = real.left(24);
    const QByteArray packets = real.mid(24);
    for (quint32 pass = 0; pass < 60; ++pass) {
        QByteArray copy = packets;
        for (const qsizetype at : std::as_const(records)) {
            quint32 seconds = 0;
            std::memcpy(&seconds, copy.constData() + at - 24, 4);
            seconds += pass * 1000;
            std::memcpy(copy.data() + at - 24, &seconds, 4);
        }
        big += copy;
    }
    QVERIFY(big.size() > 3 * (1 << 20));
    const auto write = [this](const QString &name, const QByteArray &bytes) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
            return QString();
        return path;
    };
    const QString bigPath = write(u"big.pcap"_s, big);
    QVERIFY(!bigPath.isEmpty());

    // Whole: progress after every MiB and at the end, never past the size.
    QList<std::int64_t> seen;
    const auto count = [&seen, &big](std::int64_t done, std::int64_t total) {
        seen << done;
        return total == big.size();
    };
    const QString out = m_dir.filePath(u"big.ncv"_s);
    QFile::remove(out);
    ImportResult result;
    QString error;
    QVERIFY2(importFile(bigPath, out, count, &result, &error), qPrintable(error));
    QVERIFY2(seen.size() >= 4, qPrintable(QString::number(seen.size())));
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.first(), std::int64_t(1 << 20));
    QCOMPARE(seen.last(), std::int64_t(big.size()));
    QCOMPARE(result.bytesRead, std::int64_t(big.size()));
    QCOMPARE(result.format, u"nlmon capture"_s);
    QVERIFY(result.events > 100);
    QVERIFY2(result.note.isEmpty(), qPrintable(result.note)); // the first pass begins with dumps
    {
        RecordingReader reader;
        QVERIFY2(reader.open(out, &error), qPrintable(error));
        QCOMPARE(reader.info().meta.value(u"source"_s), u"nlmon capture"_s);
        QCOMPARE(reader.info().meta.value(u"imported_from"_s), u"big.pcap"_s);
        QVERIFY(!reader.info().meta.contains(u"note"_s));
        QCOMPARE(reader.info().eventCount, result.events);
    }
    checkImportedFile(out, result.events);
    if (QTest::currentTestFailed())
        return;

    // Cancelled once two MiB are read: false, said, and no file.
    const QString cancelled = m_dir.filePath(u"cancelled.ncv"_s);
    QFile::remove(cancelled);
    int calls = 0;
    const auto cancel = [&calls](std::int64_t done, std::int64_t) {
        ++calls;
        return done < 2 * (1 << 20);
    };
    QVERIFY(!importFile(bigPath, cancelled, cancel, &result, &error));
    QVERIFY2(error.contains(u"cancelled"_s), qPrintable(error));
    QVERIFY(result.cancelled);
    QCOMPARE(calls, 2);
    QCOMPARE(result.bytesRead, std::int64_t(2 << 20));
    QVERIFY(!QFileInfo::exists(cancelled));
    QVERIFY(!QFileInfo::exists(cancelled + u"-wal"_s));
    QVERIFY(!QFileInfo::exists(cancelled + u"-journal"_s));

    // Without the dumps: the note, known at the first event, is in the meta.
    const QString nodump = write(u"nodump.pcap"_s, real.left(24) + real.mid(records[10]));
    QVERIFY(!nodump.isEmpty());
    const QString noted = m_dir.filePath(u"nodump.ncv"_s);
    QFile::remove(noted);
    QVERIFY2(importFile(nodump, noted, {}, &result, &error), qPrintable(error));
    QVERIFY2(result.note.startsWith(QLatin1StringView(ncv::platform::kPcapIncompleteNote)), qPrintable(result.note));
    QVERIFY2(result.note.contains(u"no dump of links, addresses, routes"_s), qPrintable(result.note));
    RecordingReader reader;
    QVERIFY2(reader.open(noted, &error), qPrintable(error));
    QCOMPARE(reader.info().meta.value(u"note"_s), result.note);
}

void TestHeadlessRecording::damagedAndForeignCaptures_data()
{
    conversionColumns();
    QTest::newRow("a length past a packet's end") << u"past"_s << 6 << u"runs past"_s;
    QTest::newRow("no dump: the note") << u"nodump"_s << 0 << u"no dump of links, addresses, routes"_s;
    QTest::newRow("Ethernet") << u"ethernet"_s << 5 << u"link type 1 (Ethernet), not of netlink (253)"_s;
    QTest::newRow("header only") << u"header"_s << 5 << u"holds no event that can be read: no route netlink message"_s;
}

void TestHeadlessRecording::damagedAndForeignCaptures()
{
    QFETCH(QString, kind);
    QByteArray real;
    QList<qsizetype> records;
    QVERIFY(readPcapFixture(&real, &records));
    QByteArray bytes;
    if (kind == u"truncated") {
        bytes = real.left(records[records.size() / 2] + 30);
    } else if (kind == u"past") {
        bytes = real;
        const quint32 len = 5000;
        std::memcpy(bytes.data() + records[records.size() / 2] + 32, &len, 4);
    } else if (kind == u"nodump") {
        // The packets after the dumps (the first notification is in the tenth at the latest).
        bytes = real.left(24) + real.mid(records[10]);
    } else if (kind == u"ethernet" || kind == u"header") {
        bytes = real.left(24);
        if (kind == u"ethernet") {
            const quint32 ethernet = 1;
            std::memcpy(bytes.data() + 20, &ethernet, 4);
            bytes += real.mid(records[0], 16 + 33);
        }
    }
    checkConversion(kind + u".pcap"_s, bytes);
}

void TestHeadlessRecording::csvExportRoundTrips()
{
    // A real scenario recorded live: links, addresses, routes, a parameter change, a link
    // going down (the kernel flushes its IPv4 routes silently: inferred deletions).
    const QString rec = m_dir.filePath(u"roundtrip.rec"_s);
    const QString first = m_dir.filePath(u"roundtrip-1.csv"_s);
    const QStringList scenario = {
        u"link add rt0 type veth peer name rt0p"_s,
        u"link set rt0 up"_s,
        u"link set rt0p up"_s,
        u"addr add 10.71.0.1/24 dev rt0"_s,
        u"addr add 2001:db8:71::1/64 dev rt0 nodad"_s,
        u"route add 10.72.0.0/16 via 10.71.0.2 metric 5 proto static"_s,
        u"route add 10.73.0.0/16 dev rt0 table 100"_s,
        u"link set rt0 mtu 1400"_s,
        u"link set rt0 alias =cmd|x"_s, // a cell that needs the formula guard
        u"route del 10.73.0.0/16 table 100"_s,
        u"neigh add 10.71.0.5 lladdr 02:00:00:00:00:05 dev rt0 nud permanent"_s,
        u"neigh add 2001:db8:71::5 lladdr 02:00:00:00:00:06 dev rt0 nud reachable router"_s,
        u"neigh change 2001:db8:71::5 lladdr 02:00:00:00:00:06 dev rt0 nud stale router"_s,
        u"neigh del 10.71.0.5 dev rt0"_s,
        u"rule add from 10.71.0.0/24 fwmark 0x7/0xff iif rt0 lookup 100 pref 700 proto static"_s,
        u"-6 rule add to 2001:db8:71::/48 sport 1000-2000 prohibit pref 701"_s,
        u"rule del pref 700"_s,
        u"nexthop add id 71 via 10.71.0.2 dev rt0 proto static"_s,
        u"nexthop add id 72 blackhole"_s,
        u"nexthop add id 73 dev rt0p"_s,
        u"nexthop add id 74 group 71,2/73 type resilient buckets 8"_s,
        u"nexthop replace id 71 via 10.71.0.3 dev rt0 proto static onlink"_s,
        u"nexthop del id 73"_s,
        u"link set rt0 down"_s,
        u"link del rt0"_s,
        u"-6 rule del pref 701"_s,
        u"nexthop del id 72"_s,
    };
    QProcess recorder;
    QVERIFY(startRecorder(recorder, {u"--headless"_s, u"--record"_s, rec, u"--export-csv"_s, first}));
    for (const QString &command : scenario)
        QVERIFY2(ip(command), qPrintable(command));
    QTest::qWait(300);
    recorder.terminate();
    QVERIFY(recorder.waitForFinished(20000));
    QVERIFY2(recorder.exitCode() == 0, recorder.readAllStandardError().constData());

    // CSV -> recording -> CSV, recognised by content whatever the name.
    const QString input = m_dir.filePath(u"roundtrip-1.data"_s);
    QFile::remove(input);
    QVERIFY(QFile::copy(first, input));
    const QString second = m_dir.filePath(u"roundtrip-2.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, input, u"--export-csv"_s, second}, &err), 0);
    const QString said = QString::fromLocal8Bit(err);
    QVERIFY2(said.contains(u"imported "_s) && said.contains(u"CSV file"_s), err.constData());
    QVERIFY2(said.contains(u"note: from a CSV export"_s), err.constData());
    const QList<QStringList> a = readCsv(first), b = readCsv(second);
    QVERIFY(a.size() > 10);
    // The neighbor events are among the rows compared (a state change is a parameter event).
    QVERIFY(std::any_of(a.begin(), a.end(), [](const QStringList &r) {
        return r.value(Object) == u"neighbor" && r.value(Destination) == u"2001:db8:71::5"
            && r.value(Change) == u"parameter" && r.value(Details) == u"state REACHABLE -> STALE";
    }));
    // And the rule events, with their key columns.
    QVERIFY(std::any_of(a.begin(), a.end(), [](const QStringList &r) {
        return r.value(Object) == u"rule" && r.value(Change) == u"delete" && r.value(Metric) == u"700"
            && r.value(Destination) == u"from 10.71.0.0/24 fwmark 0x7/0xff iif rt0 lookup 100"
            && r.value(Protocol) == u"static";
    }));
    // And the nexthop events: the replace a parameter change, the link's flush inferred.
    QVERIFY(std::any_of(a.begin(), a.end(), [](const QStringList &r) {
        return r.value(Object) == u"nexthop" && r.value(Change) == u"parameter"
            && r.value(Destination).startsWith(u"id 71 via 10.71.0.3 dev "_s) && r.value(Protocol) == u"static"
            && r.value(Details) == u"gateway 10.71.0.2 -> 10.71.0.3; flags - -> onlink";
    }));
    const auto has = [&a](const QString &object, const QString &change, const QString &origin) {
        return std::any_of(a.begin(), a.end(), [&](const QStringList &r) {
            return r[Object] == object && r[Change] == change && r[OriginCol] == origin;
        });
    };
    QVERIFY(has(u"nexthop"_s, u"delete"_s, u"inferred"_s));
    QVERIFY(has(u"nexthop"_s, u"delete"_s, u"observed"_s));
    QVERIFY(has(u"interface"_s, u"parameter"_s, u"observed"_s));
    QVERIFY(has(u"route"_s, u"delete"_s, u"inferred"_s));
    // Every row and every column equal (the sequences are 1, 2, 3... in both).
    QCOMPARE(b.size(), a.size());
    for (qsizetype i = 0; i < a.size(); ++i)
        QCOMPARE(b[i], a[i]);
    QFile fa(first), fb(second);
    QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
    QCOMPARE(fb.readAll(), fa.readAll());

    // The tables at a moment: the objects with the CSV's columns.
    qsizetype routeAt = -1;
    for (qsizetype i = 0; i < a.size() && routeAt < 0; ++i)
        if (a[i][Object] == u"route" && a[i][Change] == u"add" && a[i][Destination] == u"10.73.0.0/16")
            routeAt = i;
    QVERIFY(routeAt > 0);
    const QString at = m_dir.filePath(u"roundtrip-at.csv"_s);
    QCOMPARE(run({u"--headless"_s, input, u"--at"_s, a[routeAt][Time], u"--export-csv"_s, at}, &err), 0);
    const QList<QStringList> tables = readCsv(at);
    const bool routeThere = std::any_of(tables.begin(), tables.end(), [&](const QStringList &r) {
        return r[Object] == u"route" && r[Destination] == u"10.73.0.0/16" && r[Table] == u"100" && r[IfName] == u"rt0";
    });
    QVERIFY2(routeThere, qPrintable(tables.isEmpty() ? QString() : tables.last().join(u',')));
    QVERIFY(tables.last().join(u',').contains(u"from a CSV export"_s));
}

void TestHeadlessRecording::csvImportLeavesUnknownFieldsBlank()
{
    using namespace ncv;
    // A real scenario, recorded live and exported as CSV at the same time.
    const QString rec = m_dir.filePath(u"known.rec"_s);
    const QString csvPath = m_dir.filePath(u"known.csv"_s);
    QProcess recorder;
    QVERIFY(startRecorder(recorder, {u"--headless"_s, u"--record"_s, rec, u"--export-csv"_s, csvPath}));
    for (const QString &command : {u"link add ck0 type veth peer name ck0p"_s, u"link set ck0 mtu 1400"_s,
                                   u"link set ck0 up"_s, u"link set ck0p up"_s, u"addr add 10.81.0.1/24 dev ck0"_s,
                                   u"route add 10.82.0.0/16 via 10.81.0.2 metric 5 proto static"_s})
        QVERIFY2(ip(command), qPrintable(command));
    QTest::qWait(300);
    recorder.terminate();
    QVERIFY(recorder.waitForFinished(20000));
    QVERIFY2(recorder.exitCode() == 0, recorder.readAllStandardError().constData());

    // Both open as recordings at their end: the live one knows every field, the CSV's
    // conversion only the CSV's columns.
    QString imported, error;
    recording::ImportResult result;
    QVERIFY2(recording::importFileToTemporary(csvPath, &imported, {}, &result, &error), qPrintable(error));
    const auto removeImported = qScopeGuard([&imported] { QFile::remove(imported); });
    RecordingSession live, fromCsv;
    QVERIFY2(live.open(rec, &error), qPrintable(error));
    QVERIFY2(fromCsv.open(imported, &error), qPrintable(error));
    QCOMPARE(live.model()->knownFields(), platform::KnownFields::All);
    QCOMPARE(fromCsv.model()->knownFields(), platform::KnownFields::CsvRow);

    const QMap<QString, QString> liveLink = tableRow(live.model()->interfaces(), u"Name"_s, u"ck0"_s);
    const QMap<QString, QString> csvLink = tableRow(fromCsv.model()->interfaces(), u"Name"_s, u"ck0"_s);
    QVERIFY(!liveLink.isEmpty() && !csvLink.isEmpty());
    QCOMPARE(liveLink.value(u"MTU"_s), u"1400"_s);
    QCOMPARE(liveLink.value(u"Admin"_s), u"up"_s);
    // The CSV has the index and the name of an interface, nothing else.
    QCOMPARE(blankColumns(csvLink, false), QStringList({u"Name"_s, u"ifindex"_s}));
    QCOMPARE(csvLink.value(u"ifindex"_s), liveLink.value(u"ifindex"_s));

    const QMap<QString, QString> csvAddress = tableRow(fromCsv.model()->addresses(), u"Address"_s, u"10.81.0.1/24"_s);
    QVERIFY(!csvAddress.isEmpty());
    QCOMPARE(blankColumns(csvAddress, false), QStringList({u"Address"_s, u"Family"_s, u"Interface"_s}));
    QCOMPARE(csvAddress.value(u"Interface"_s), u"ck0"_s);
    QVERIFY(!tableRow(live.model()->addresses(), u"Address"_s, u"10.81.0.1/24"_s).value(u"Scope"_s).isEmpty());

    const QMap<QString, QString> csvRoute = tableRow(fromCsv.model()->routes(), u"Destination"_s, u"10.82.0.0/16"_s);
    const QMap<QString, QString> liveRoute = tableRow(live.model()->routes(), u"Destination"_s, u"10.82.0.0/16"_s);
    QVERIFY(!csvRoute.isEmpty() && !liveRoute.isEmpty());
    QCOMPARE(csvRoute.value(u"Next hop"_s), u"10.81.0.2"_s);
    QCOMPARE(csvRoute.value(u"Metric"_s), u"5"_s);
    QCOMPARE(csvRoute.value(u"Protocol"_s), u"static"_s);
    QCOMPARE(csvRoute.value(u"Table"_s), u"main"_s);
    QCOMPARE(csvRoute.value(u"Interface"_s), u"ck0"_s);
    QCOMPARE(blankColumns(csvRoute, true),
             QStringList({u"Expires"_s, u"Pref"_s, u"Pref. source"_s, u"Scope"_s, u"Type"_s}));
    QCOMPARE(liveRoute.value(u"Scope"_s), u"universe"_s);
    QCOMPARE(liveRoute.value(u"Type"_s), u"unicast"_s);

    // The details panel's fields and the Compare dialog's rows: blank where unknown.
    platform::InterfaceRow link;
    bool found = false;
    fromCsv.model()->interfaces()->forEachRow([&](int, const platform::InterfaceRow &r) {
        if (r.name == "ck0") {
            link = r;
            found = true;
        }
    });
    QVERIFY(found);
    std::map<std::string, std::string> fields;
    for (const auto &[name, text] : platform::fieldTexts(link, platform::KnownFields::CsvRow))
        fields[name] = text;
    QCOMPARE(fields.at("mtu"), std::string());
    QCOMPARE(fields.at("operstate"), std::string());
    QCOMPARE(fields.at("admin_up"), std::string());
    QCOMPARE(fields.at("name"), std::string("ck0"));
    QVERIFY(!fields.at("ifindex").empty());
    StateChange added {StateChange::Added, platform::ObjectKind::Interface, {}, link, 0, {}, {}};
    const QString after = stateChangeAfter(added, platform::KnownFields::CsvRow);
    QVERIFY2(after.startsWith(u"ifindex "_s) && !after.contains(u"mtu"_s) && !after.contains(u"operstate"_s)
                 && !after.contains(u"admin"_s),
             qPrintable(after));
    QVERIFY(stateChangeAfter(added).contains(u"mtu 0"_s)); // what the defaults would say

    // The tables exported at a moment: the details say only what the CSV said.
    const QList<QStringList> events = readCsv(csvPath);
    QVERIFY(!events.isEmpty());
    const QString at = m_dir.filePath(u"known-at.csv"_s);
    QByteArray err;
    QCOMPARE(run({u"--headless"_s, csvPath, u"--at"_s, events.last()[Time], u"--export-csv"_s, at}, &err), 0);
    bool linkSeen = false, routeSeen = false;
    for (const QStringList &row : readCsv(at)) {
        if (row.size() <= Details)
            continue;
        if (row[Object] == u"interface" && row[IfName] == u"ck0") {
            linkSeen = true;
            QVERIFY2(row[Details].startsWith(u"ifindex "_s) && !row[Details].contains(u"mtu"_s),
                     qPrintable(row[Details]));
        }
        if (row[Object] == u"route" && row[Destination] == u"10.82.0.0/16") {
            routeSeen = true;
            QVERIFY2(row[Details].contains(u"metric 5"_s) && !row[Details].contains(u"scope"_s),
                     qPrintable(row[Details]));
        }
        if (row[Object] == u"address" && row[Destination] == u"10.81.0.1/24")
            QCOMPARE(row[Details], QString());
    }
    QVERIFY(linkSeen && routeSeen);
}

void TestHeadlessRecording::killedImportIsRemovedByTheNext()
{
    // Imports of this test only: their own temporary directory.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TMPDIR"_s, tmp.path());
    const auto leftovers
        = [&tmp] { return QDir(tmp.path()).entryList({u"netchangeview-import-*"_s}, QDir::Files | QDir::Hidden); };
    const QString big = m_dir.filePath(u"killed-big.csv"_s);
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(routesCsv(300'000)) > 0);
    }

    // A conversion killed while it writes its temporary recording leaves it behind...
    QProcess killed;
    killed.setProcessEnvironment(env);
    killed.start(m_binary, {u"--headless"_s, big, u"--export-csv"_s, m_dir.filePath(u"killed.csv"_s)});
    QVERIFY(killed.waitForStarted(10000));
    const QString killedPrefix = u"netchangeview-import-%1-"_s.arg(killed.processId());
    QTRY_VERIFY_WITH_TIMEOUT(!leftovers().isEmpty(), 60000);
    QVERIFY2(leftovers().constFirst().startsWith(killedPrefix), qPrintable(leftovers().join(u' ')));
    killed.kill(); // SIGKILL: no cleanup runs
    QVERIFY(killed.waitForFinished(10000));
    QVERIFY(!leftovers().isEmpty());
    // ...as does one of a process still running (another window's), which must stay.
    QProcess running;
    running.start(u"sleep"_s, {u"60"_s});
    QVERIFY(running.waitForStarted(10000));
    const auto stopRunning = qScopeGuard([&running] {
        running.kill();
        running.waitForFinished(10000);
    });
    const QString alive = u"netchangeview-import-%1-AbCdEf.ncv"_s.arg(running.processId());
    // And a name without a process id (an older version's): no owner to ask, kept.
    const QString unowned = u"netchangeview-import-AbCdEf.ncv"_s;
    for (const QString &name : QStringList {alive, alive + u"-wal"_s, unowned}) {
        QFile f(QDir(tmp.path()).filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
    }

    // The next import removes the killed one's files, and its own at its end.
    QProcess next;
    next.setProcessEnvironment(env);
    const QString small = m_dir.filePath(u"killed-small.csv"_s);
    {
        QFile f(small);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(routesCsv(10)) > 0);
    }
    next.start(m_binary, {u"--headless"_s, small, u"--export-csv"_s, m_dir.filePath(u"next.csv"_s)});
    QVERIFY(next.waitForFinished(60000));
    QVERIFY2(next.exitCode() == 0, next.readAllStandardError().constData());
    QStringList left = leftovers();
    left.sort();
    QStringList kept {alive, alive + u"-wal"_s, unowned};
    kept.sort();
    QCOMPARE(left, kept);
}

void TestHeadlessRecording::brokenCsvInput_data()
{
    QTest::addColumn<QByteArray>("lines"); // the rows after the header, the 2nd and 4th good
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    QTest::addColumn<int>("rowsKept");
    const QByteArray good1
        = "1,2026-11-21T11:42:03.000001Z,interface,add,unspec,5,x0,,,,,,,state up mtu 1500,observed\r\n";
    const QByteArray good2
        = "2,2026-11-21T11:42:04.000002Z,address,add,ipv4,5,x0,10.9.0.1/24,,,,,,scope global,observed\r\n";
    QTest::newRow("bad quoting") << good1
            + "3,2026-11-21T11:42:05.0Z,route,add,ipv4,5,x0,10.8.0.0/16,a\"b,0,boot,main,,,observed\r\n" + good2
                                 << 6 << u"line 3: "_s << 2;
    QTest::newRow("column count") << good1 + "3,2026-11-21T11:42:05.0Z,route,add\r\n" + good2 << 6
                                  << u"line 3: 18 columns expected, 4 found"_s << 2;
    QTest::newRow("bad time") << good1 + "3,yesterday,interface,add,unspec,6,x1,,,,,,,,observed\r\n" + good2 << 6
                              << u"line 3: bad time_utc \"yesterday\""_s << 2;
    QTest::newRow("unknown object") << good1 + "3,2026-11-21T11:42:05.0Z,bridge,add,unspec,6,x1,,,,,,,,observed\r\n"
            + good2 << 6 << u"line 3: unknown object \"bridge\""_s
                                    << 2;
    QTest::newRow("unknown change") << good1
            + "3,2026-11-21T11:42:05.0Z,interface,moved,unspec,6,x1,,,,,,,,observed\r\n" + good2
                                    << 6 << u"line 3: unknown change \"moved\""_s << 2;
    QTest::newRow("unterminated quote") << good1 + good2
            + "3,2026-11-21T11:42:05.0Z,interface,add,unspec,6,\"x1\r\n4,x\r\n"
                                        << 6 << u"line 4: unterminated quoted field; the "_s << 2;
    QTest::newRow("header only") << QByteArray() << 5 << u"holds no event"_s << 0;
}

void TestHeadlessRecording::brokenCsvInput()
{
    QFETCH(QByteArray, lines);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    QFETCH(int, rowsKept);
    const QString path
        = m_dir.filePath(u"broken-%1.txt"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(ncv::csv::header() + lines);
    f.close();
    const QString out = path + u".csv"_s;
    QFile::remove(out);
    QByteArray err;
    const int code = run({u"--headless"_s, path, u"--export-csv"_s, out}, &err);
    QVERIFY2(code == exitCode, err.constData());
    QVERIFY2(QString::fromLocal8Bit(err).contains(says), err.constData());
    if (rowsKept > 0) {
        const QList<QStringList> rows = readCsv(out);
        QCOMPARE(rows.size(), rowsKept);
        QCOMPARE(rows[1][Destination], u"10.9.0.1/24"_s);
    } else {
        QVERIFY(!QFile::exists(out));
    }
}

void TestHeadlessRecording::survivesSigkillDuringARouteBurst()
{
    const QString rec = m_dir.filePath(u"killed.ncv"_s);
    QVERIFY(ip(u"link add b0 type veth peer name b0p"_s));
    QVERIFY(ip(u"link set b0 up"_s));
    QVERIFY(ip(u"link set b0p up"_s));
    QProcess recorder;
    QVERIFY(startRecorder(recorder, {u"--headless"_s, u"-4"_s, u"--record"_s, rec}));

    // A paced burst through one `ip -batch -`: about 10k routes a second, well below what
    // the recorder keeps up with even on two loaded cores or under the sanitizers, so that
    // what is measured is what reached the disk, not how far the reader fell behind.
    QProcess batch;
    batch.start(u"ip"_s, {u"-batch"_s, u"-"_s});
    QVERIFY(batch.waitForStarted());
    constexpr int kTotal = 400'000, kPerTick = 100;
    int sent = 0;
    QTimer feeder;
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        QByteArray lines;
        for (int k = 0; k < kPerTick && sent < kTotal; ++k, ++sent)
            lines += QByteArray("route add 10.") + QByteArray::number(100 + sent / 65536) + '.'
                + QByteArray::number((sent / 256) % 256) + '.' + QByteArray::number(sent % 256) + " dev b0\n";
        batch.write(lines);
        if (sent >= kTotal)
            feeder.stop();
    });
    feeder.start(10);
    QTest::qWait(1000);
    // The routes the kernel holds now (the dump ends at dumped): all added before it.
    const QByteArray dump = ipOutput(u"-4 route show dev b0"_s);
    QElapsedTimer sinceDump;
    sinceDump.start();
    std::set<QByteArray> held;
    for (const QByteArray &line : dump.split('\n'))
        if (line.startsWith("10."))
            held.insert(line.left(line.indexOf(' ')) + "/32");
    QVERIFY2(held.size() > 1000, qPrintable(QString::number(held.size())));
    QTest::qWait(1000 - int(sinceDump.elapsed()));
    QVERIFY2(batch.state() == QProcess::Running && sent < kTotal, "the burst still runs at the kill");
    recorder.kill(); // SIGKILL
    QVERIFY(recorder.waitForFinished(10000));
    feeder.stop();
    batch.closeWriteChannel();
    batch.kill();
    batch.waitForFinished(10000);

    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(rec, &error), qPrintable(error));
    QVERIFY(!reader.info().cleanEnd);
    std::set<QByteArray> recorded;
    QVERIFY(reader.forEachEvent(
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        [&recorded](const RecordedEvent &e) {
            if (const auto *r = std::get_if<ncv::platform::RouteRow>(&e.record.after))
                recorded.insert(QByteArray::fromStdString(ncv::platform::toCidr(r->destination, r->prefixLength)));
            return true;
        },
        &error));
    QVERIFY(reader.problems().isEmpty());
    std::size_t missing = 0;
    for (const QByteArray &route : held)
        missing += recorded.count(route) == 0;
    qInfo("routes held 1 s before the kill: %zu; routes in the recording: %zu; missing: %zu", held.size(),
          recorded.size(), missing);
    QCOMPARE(missing, std::size_t(0));
    QVERIFY(ip(u"link del b0"_s));
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    QCoreApplication app(argc, argv);
    TestHeadlessRecording test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_headlessrecording.moc"

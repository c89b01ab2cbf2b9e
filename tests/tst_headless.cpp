// End to end: the built `netchangeview --headless` inside a private network namespace,
// real changes made with `ip`, stopped with SIGINT/SIGTERM or --duration, and the CSV it
// wrote read back with the project's RFC 4180 reader.
#include "model/export/csvreader.h"
#include "support/netns.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

const QStringList kHeader = {u"sequence"_s, u"time_utc"_s, u"object"_s,         u"change"_s,  u"family"_s,
                             u"if_index"_s, u"if_name"_s,  u"destination"_s,    u"gateway"_s, u"metric"_s,
                             u"protocol"_s, u"table"_s,    u"changed_fields"_s, u"details"_s, u"origin"_s};
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
    Changed,
    Details,
    Origin
};

bool ip(const QString &args)
{
    QProcess p;
    p.start(u"ip"_s, QProcess::splitCommand(args));
    if (!p.waitForFinished(10000) || p.exitCode() != 0) {
        qWarning("ip %s failed: %s", qPrintable(args), p.readAllStandardError().constData());
        return false;
    }
    return true;
}

/// Rows (header excluded) of the CSV at path; fails the test on a parse error.
QList<QStringList> readCsv(const QString &path, QStringList *header)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QString error;
    QList<QStringList> rows = ncv::csv::parse(f.readAll(), &error);
    if (!error.isEmpty()) {
        qWarning("CSV parse error: %s", qPrintable(error));
        return {};
    }
    if (rows.isEmpty())
        return {};
    *header = rows.takeFirst();
    return rows;
}

int countRows(const QList<QStringList> &rows, const std::function<bool(const QStringList &)> &pred)
{
    return int(std::count_if(rows.begin(), rows.end(), pred));
}

} // namespace

class TestHeadless : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordsLiveChangesUntilSigint();
    void durationZeroTakesTheSnapshot();
    void noInitialRecordsOnlyChanges();
    void sigtermWritesTheFile();
    void badArgumentsGiveOneLineErrors_data();
    void badArgumentsGiveOneLineErrors();

private:
    /// Starts the recorder and waits for its "ready:" line.
    bool startRecorder(QProcess &p, const QStringList &args);
    QString m_binary = QStringLiteral(NCV_APP_BINARY);
    QTemporaryDir m_dir;
};

void TestHeadless::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"no private network namespace: "_s + QString::fromStdString(ns.message)));
    QVERIFY(QFileInfo::exists(m_binary));
    QVERIFY(m_dir.isValid());
}

bool TestHeadless::startRecorder(QProcess &p, const QStringList &args)
{
    p.setProgram(m_binary);
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start();
    if (!p.waitForStarted(10000))
        return false;
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000) {
        p.waitForReadyRead(200); // stdout is unused; returns on stderr data or the timeout
        err += p.readAllStandardError();
        if (err.contains("ready:")) {
            const QByteArray line = err.mid(err.indexOf("ready:")).split('\n').constFirst();
            qInfo("%s", line.constData());
            return true;
        }
        if (p.state() == QProcess::NotRunning)
            break;
    }
    qWarning("no ready: line; stderr: %s", err.constData());
    return false;
}

void TestHeadless::recordsLiveChangesUntilSigint()
{
    const QString csvPath = m_dir.filePath(u"live.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--export-csv"_s, csvPath}));

    QVERIFY(ip(u"link add e2e0 type veth peer name =e2e1"_s)); // a name a spreadsheet would run
    QVERIFY(ip(u"link set e2e0 mtu 1400"_s));
    QVERIFY(ip(u"link set e2e0 up"_s));
    QVERIFY(ip(u"link set =e2e1 up"_s));
    QVERIFY(ip(u"addr add 10.77.0.1/24 dev e2e0"_s));
    QVERIFY(ip(u"-6 addr add 2001:db8:77::1/64 dev e2e0 nodad"_s));
    QVERIFY(ip(u"route add 10.78.0.0/16 via 10.77.0.2 metric 50 proto static"_s));
    QVERIFY(ip(u"route replace 10.78.0.0/16 via 10.77.0.3 metric 50 proto static"_s));
    QVERIFY(ip(u"route del 10.78.0.0/16 metric 50"_s));
    QTest::qWait(300);

    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardError().contains("SIGINT"));

    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QVERIFY(rows.size() > 10);
    const QRegularExpression iso(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"_s);
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].size(), kHeader.size());
        QCOMPARE(rows[i][Seq], QString::number(i + 1));
        QVERIFY2(iso.match(rows[i][Time]).hasMatch(), qPrintable(rows[i][Time]));
        QCOMPARE(rows[i][Origin], u"observed"_s);
    }
    // The snapshot: loopback and its addresses as initial rows.
    QVERIFY(countRows(rows,
                      [](const QStringList &r) {
                          return r[Object] == u"interface"_s && r[Change] == u"initial"_s && r[IfName] == u"lo"_s;
                      })
            == 1);
    QVERIFY(countRows(rows,
                      [](const QStringList &r) {
                          return r[Object] == u"address"_s && r[Change] == u"initial"_s
                              && r[Destination] == u"127.0.0.1/8"_s;
                      })
            == 1);
    // The changes, in order.
    auto find = [&rows](const std::function<bool(const QStringList &)> &pred) {
        for (int i = 0; i < rows.size(); ++i)
            if (pred(rows[i]))
                return i;
        return -1;
    };
    const int added = find([](const QStringList &r) {
        return r[Object] == u"interface"_s && r[Change] == u"add"_s && r[IfName] == u"e2e0"_s;
    });
    const int guarded = find([](const QStringList &r) {
        return r[Object] == u"interface"_s && r[Change] == u"add"_s && r[IfName] == u"'=e2e1"_s;
    });
    const int mtu = find([](const QStringList &r) {
        return r[Change] == u"parameter"_s && r[IfName] == u"e2e0"_s && r[Changed] == u"mtu"_s
            && r[Details] == u"mtu 1500 -> 1400"_s;
    });
    const int v4 = find([](const QStringList &r) {
        return r[Object] == u"address"_s && r[Change] == u"add"_s && r[Family] == u"ipv4"_s
            && r[Destination] == u"10.77.0.1/24"_s && r[IfName] == u"e2e0"_s;
    });
    const int v6 = find([](const QStringList &r) {
        return r[Object] == u"address"_s && r[Change] == u"add"_s && r[Family] == u"ipv6"_s
            && r[Destination] == u"2001:db8:77::1/64"_s;
    });
    const int routeAdd = find([](const QStringList &r) {
        return r[Object] == u"route"_s && r[Change] == u"add"_s && r[Destination] == u"10.78.0.0/16"_s
            && r[Gateway] == u"10.77.0.2"_s && r[Metric] == u"50"_s && r[Protocol] == u"static"_s
            && r[Table] == u"main"_s && r[IfName] == u"e2e0"_s;
    });
    const int routeReplace = find([](const QStringList &r) {
        return r[Object] == u"route"_s && r[Change] == u"parameter"_s && r[Destination] == u"10.78.0.0/16"_s
            && r[Changed] == u"nexthops"_s && r[Gateway] == u"10.77.0.3"_s;
    });
    const int routeDel = find([](const QStringList &r) {
        return r[Object] == u"route"_s && r[Change] == u"delete"_s && r[Destination] == u"10.78.0.0/16"_s;
    });
    QVERIFY(added >= 0);
    QVERIFY(guarded >= 0);
    QVERIFY(mtu > added);
    QVERIFY(v4 > mtu);
    QVERIFY(v6 > mtu);
    QVERIFY(routeAdd > v4);
    QVERIFY(routeReplace > routeAdd);
    QVERIFY(routeDel > routeReplace);
}

void TestHeadless::durationZeroTakesTheSnapshot()
{
    const QString csvPath = m_dir.filePath(u"snap.csv"_s);
    QProcess p;
    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"-4"_s, u"--export-csv"_s, csvPath});
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardError().contains("ready:"));
    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QVERIFY(!rows.isEmpty());
    for (const QStringList &r : rows) {
        QCOMPARE(r[Change], u"initial"_s);
        QVERIFY2(r[Family] != u"ipv6"_s, qPrintable(r.join(u',')));
    }
    QVERIFY(countRows(rows, [](const QStringList &r) { return r[Destination] == u"127.0.0.1/8"_s; }) == 1);
}

void TestHeadless::noInitialRecordsOnlyChanges()
{
    const QString csvPath = m_dir.filePath(u"noinit.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(
        p, {u"--headless"_s, u"--no-initial"_s, u"-6"_s, u"--duration"_s, u"1.5"_s, u"--export-csv"_s, csvPath}));
    QVERIFY(ip(u"link add e2e5 type veth peer name e2e6"_s));
    QVERIFY(ip(u"-6 addr add 2001:db8:5::1/64 dev e2e5 nodad"_s));
    QVERIFY(ip(u"addr add 10.55.0.1/24 dev e2e5"_s));
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QVERIFY(!rows.isEmpty());
    for (const QStringList &r : rows) {
        QVERIFY2(r[Change] != u"initial"_s, qPrintable(r.join(u',')));
        QVERIFY2(r[Family] != u"ipv4"_s, qPrintable(r.join(u',')));
    }
    QVERIFY(countRows(rows, [](const QStringList &r) { return r[Destination] == u"2001:db8:5::1/64"_s; }) == 1);
    QVERIFY(ip(u"link del e2e5"_s));
}

void TestHeadless::sigtermWritesTheFile()
{
    const QString csvPath = m_dir.filePath(u"term.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--export-csv"_s, csvPath}));
    p.terminate(); // SIGTERM
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QStringList header;
    QVERIFY(!readCsv(csvPath, &header).isEmpty());
    QCOMPARE(header, kHeader);
}

void TestHeadless::badArgumentsGiveOneLineErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown option") << QStringList {u"--bogus"_s} << 2 << u"bogus"_s;
    QTest::newRow("headless without file") << QStringList {u"--headless"_s} << 2 << u"--export-csv"_s;
    QTest::newRow("negative duration") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp/x.csv"_s,
                                                       u"--duration"_s, u"-3"_s}
                                       << 2 << u"--duration"_s;
    QTest::newRow("both families") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp/x.csv"_s, u"-4"_s,
                                                   u"-6"_s}
                                   << 2 << u"-4 and -6"_s;
    QTest::newRow("unwritable file") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/nonexistent-dir/x.csv"_s}
                                     << 1 << u"/nonexistent-dir/x.csv"_s;
    QTest::newRow("file is a directory") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp"_s} << 1
                                         << u"directory"_s;
}

void TestHeadless::badArgumentsGiveOneLineErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);
    QProcess p;
    p.start(m_binary, args);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), exitCode);
    const QString err = QString::fromLocal8Bit(p.readAllStandardError());
    QVERIFY2(err.startsWith(u"netchangeview: "_s), qPrintable(err));
    QVERIFY2(err.split(u'\n', Qt::SkipEmptyParts).constFirst().contains(mentions), qPrintable(err));
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    QCoreApplication app(argc, argv);
    TestHeadless test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_headless.moc"

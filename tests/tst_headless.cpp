// SPDX-License-Identifier: GPL-2.0-or-later
// End to end: the built `netchangeview --headless` inside a private network namespace,
// real changes made with `ip`, stopped with signals or --duration, and the CSV it wrote
// read back with the project's RFC 4180 reader. Export targets that are not plain files
// (device nodes, a full disk, FIFOs, standard output, planted symlinks) are made in
// temporary directories, device nodes and full disks on our own tmpfs in a private mount
// namespace: never the machine's real /dev. Also the window (offscreen, and under Xvfb
// when installed): closing on signals, and one line when no display can be opened.
#include "model/export/csvevents.h"
#include "model/export/csvreader.h"
#include "model/recording/recordingreader.h"
#include "support/mountns.h"
#include "support/netns.h"
#include "support/runtool.h"
#include "support/testrecording.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QStringDecoder>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

using ncv::test::ip;

const QStringList kHeader
    = {u"sequence"_s,       u"time_utc"_s,    u"object"_s,  u"change"_s,  u"family"_s,   u"if_index"_s,
       u"if_name"_s,        u"destination"_s, u"gateway"_s, u"metric"_s,  u"protocol"_s, u"table"_s,
       u"changed_fields"_s, u"details"_s,     u"origin"_s,  u"process"_s, u"pid"_s,      u"namespace"_s};
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

/// Runs a /bin/sh script: for names and aliases of bytes that are not UTF-8, which a
/// QProcess argument (a QString) cannot carry; printf '\377' makes them.
bool sh(const QString &script)
{
    QProcess p;
    p.start(u"/bin/sh"_s, {u"-c"_s, script});
    if (!p.waitForFinished(10000) || p.exitCode() != 0) {
        qWarning("sh -c '%s' failed: %s", qPrintable(script), p.readAllStandardError().constData());
        return false;
    }
    return true;
}

int countRows(const QList<QStringList> &rows, const std::function<bool(const QStringList &)> &pred)
{
    return int(std::count_if(rows.begin(), rows.end(), pred));
}

/// True once process pid has a handler installed for signo (the SigCgt mask in
/// /proc/PID/status): a signal sent after that is handled, not fatal by default.
bool catchesSignal(qint64 pid, int signo)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith("SigCgt:"))
            continue;
        bool ok = false;
        const quint64 mask = line.mid(7).trimmed().toULongLong(&ok, 16);
        return ok && (mask & (quint64(1) << (signo - 1)));
    }
    return false;
}

/// Waits up to timeoutMs for catchesSignal(); false when it never does (or p ended).
bool waitUntilCatching(QProcess &p, int signo, int timeoutMs = 15000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && p.state() == QProcess::Running) {
        if (catchesSignal(p.processId(), signo))
            return true;
        QTest::qWait(5);
    }
    return false;
}

/// The environment the window is started in: offscreen, and a private configuration
/// folder (QSettings writes $XDG_CONFIG_HOME/NetChangeView/NetChangeView.conf).
QProcessEnvironment guiEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"HOME"_s, home);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s); // the live window's recordings
    env.insert(u"XDG_RUNTIME_DIR"_s, home); // offscreen warns without one
    return env;
}

/// An X display number with no server and no socket or lock file (:90 and up).
int unusedDisplayNumber()
{
    for (int n = 90; n < 300; ++n) {
        if (!QFileInfo::exists(u"/tmp/.X11-unix/X%1"_s.arg(n)) && !QFileInfo::exists(u"/tmp/.X%1-lock"_s.arg(n)))
            return n;
    }
    return -1;
}

/// Standard error without Qt's own warnings about the offscreen/xcb session (lines that
/// do not start with "netchangeview:").
QStringList ourLines(const QByteArray &err)
{
    QStringList lines;
    const QStringList all = QString::fromLocal8Bit(err).split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : all)
        if (line.startsWith(u"netchangeview"_s))
            lines << line;
    return lines;
}

struct stat statOf(const QString &path)
{
    struct stat st { };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        st.st_mode = 0;
    return st;
}

/// The lines a finished recorder wrote to standard error, empty ones left out.
QStringList errLines(const QByteArray &err)
{
    return QString::fromLocal8Bit(err).split(u'\n', Qt::SkipEmptyParts);
}

/// The rows of CSV text; fails (returns nothing) on a parse error or a wrong header.
QList<QStringList> parseCsv(const QByteArray &data)
{
    QString error;
    QList<QStringList> rows = ncv::csv::parse(data, &error);
    if (!error.isEmpty() || rows.isEmpty() || rows.constFirst() != kHeader) {
        qWarning("not our CSV (%s): %s", qPrintable(error), data.left(200).constData());
        return {};
    }
    rows.removeFirst();
    return rows;
}

/// The file named in "... saved to FILE instead" on standard error, or empty.
QString fallbackFileIn(const QString &err)
{
    const QRegularExpressionMatch m = QRegularExpression(u"; the (\\d+) recorded events were saved to (.+) instead$"_s,
                                                         QRegularExpression::MultilineOption)
                                          .match(err);
    return m.hasMatch() ? m.captured(2) : QString();
}

} // namespace

class TestHeadless : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void recordsLiveChangesUntilSigint();
    void durationZeroTakesTheSnapshot();
    void noInitialRecordsOnlyChanges();
    void noInitialNamesInterfacesFromTheSnapshot();
    void bytesThatAreNotUtf8AreEscapedAndRecoverable();
    void sigtermWritesTheFile();
    void stopSignalsWriteTheFile_data();
    void stopSignalsWriteTheFile();
    void otherSignalsDoNotEndTheRecording();
    void sighupIgnoredUnderNohupStaysIgnored();
    void closedStandardErrorDoesNotKillTheRecorder();
    void maxEventsDropsTheOldestAndSaysSo();
    void badArgumentsGiveOneLineErrors_data();
    void badArgumentsGiveOneLineErrors();
    void windowClosesCleanlyOnSignals_data();
    void windowClosesCleanlyOnSignals();
    void displayThatCannotBeOpenedGivesOneLine_data();
    void displayThatCannotBeOpenedGivesOneLine();
    void windowOpensUnderXvfb();
    void windowWithNoRecordWritesNothing();
    void windowOpensARecording();

    void exportsToDevicesInPlace();
    void exportsToStandardOutputAndFifo();
    void fullDiskIsReportedInOneLine();
    void twoFailingRecordersSaveToTwoFiles();
    void refusesAnotherUsersSymlinkInStickyDirectory();
    void keepsOwnerAndModeOfReplacedFile();
    void longDurationIsKept();
    void streamsJsonLinesAsChangesHappen();
    void aStreamThatCannotBeWrittenEndsWithOneLine();
    void aStreamWhoseReaderWentAwayEndsOnAQuietHost();
    void sendsEveryEventToTheJournalAsFields();
    void stopDuringTheInitialSnapshotIsMarked(); // last: loads 200k routes

private:
    /// Starts the recorder and waits for its "ready:" line; *err gets standard error so far.
    bool startRecorder(QProcess &p, const QStringList &args, QByteArray *err = nullptr);
    /// Starts Xvfb on a display it chooses (-displayfd), requiring one of the cookies in
    /// authRecords (Xauthority file format) when not empty; returns its number, or -1.
    int startXvfb(QProcess &xvfb, const QByteArray &authRecords = {});
    /// Device nodes null (1,3) and full (1,7) on a fresh tmpfs at dir; empty or why not.
    QString makeDevices(const QString &dir, std::unique_ptr<ncv::test::TmpfsMount> &mount);
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

bool TestHeadless::startRecorder(QProcess &p, const QStringList &args, QByteArray *errSoFar)
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
            if (errSoFar)
                *errSoFar = err;
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

void TestHeadless::aStreamWhoseReaderWentAwayEndsOnAQuietHost()
{
    // Over ssh the reader is the window's ssh: when the connection drops, sshd closes the
    // pipe. Nothing changes here, so no write would tell the recorder: it must see the
    // closed pipe itself and stop, rather than be left behind on the host.
    // The reader: a process that reads nothing and ends after 3 s (the pipe holds the
    // snapshot's few lines).
    QProcess reader;
    QProcess p;
    p.setStandardOutputProcess(&reader);
    reader.start(u"sleep"_s, {u"3"_s});
    QVERIFY(reader.waitForStarted());
    QByteArray err;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--stream"_s, u"-"_s}, &err));
    QVERIFY(reader.waitForFinished(10000));
    QCOMPARE(p.state(), QProcess::Running); // nothing changed: no write failed
    QVERIFY2(p.waitForFinished(15000), "the recorder did not notice that its reader went away");
    err += p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(err.contains("the reader of standard output went away, stopping"), err.constData());
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

void TestHeadless::noInitialNamesInterfacesFromTheSnapshot()
{
    // ni0 exists, is up and settled before the recording starts, and does not change
    // during it: its name must still come from the (unrecorded) snapshot.
    QVERIFY(ip(u"link add ni0 type veth peer name ni1"_s));
    QVERIFY(ip(u"link set ni0 up"_s));
    QVERIFY(ip(u"link set ni1 up"_s));
    QTRY_VERIFY_WITH_TIMEOUT(
        [] {
            QProcess p;
            p.start(u"ip"_s, {u"-o"_s, u"link"_s, u"show"_s, u"ni0"_s});
            return p.waitForFinished(5000) && p.readAllStandardOutput().contains("state UP");
        }(),
        10000);
    QTest::qWait(500);

    const QString csvPath = m_dir.filePath(u"noinit-names.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--no-initial"_s, u"-4"_s, u"--export-csv"_s, csvPath}));
    QVERIFY(ip(u"addr add 10.66.0.1/24 dev ni0"_s));
    QVERIFY(ip(u"route add 10.67.0.0/16 via 10.66.0.2 dev ni0 proto static"_s));
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);

    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    const auto isNi0Interface
        = [](const QStringList &r) { return r[Object] == u"interface"_s && r[IfName] == u"ni0"_s; };
    QVERIFY2(countRows(rows, isNi0Interface) == 0, "ni0 changed during the recording; the test needs it unchanged");
    QCOMPARE(countRows(rows,
                       [](const QStringList &r) {
                           return r[Object] == u"address"_s && r[Change] == u"add"_s
                               && r[Destination] == u"10.66.0.1/24"_s && r[IfName] == u"ni0"_s;
                       }),
             1);
    QCOMPARE(countRows(rows,
                       [](const QStringList &r) {
                           return r[Object] == u"route"_s && r[Change] == u"add"_s
                               && r[Destination] == u"10.67.0.0/16"_s && r[IfName] == u"ni0"_s;
                       }),
             1);
    for (const QStringList &r : rows)
        QVERIFY2(!r[IfName].startsWith(u"if "_s), qPrintable(r.join(u',')));
    QVERIFY(ip(u"link del ni0"_s));
}

void TestHeadless::bytesThatAreNotUtf8AreEscapedAndRecoverable()
{
    // The kernel keeps names and aliases as bytes: "u8" 0xff 0xfe is a valid interface name
    // and any bytes make an alias. The CSV must be valid UTF-8 and give the bytes back.
    const QByteArray rawName("u8\xff\xfe");
    const QByteArray rawAlias("bad\xff\xfe");
    const QString name = u"\"$(printf 'u8\\377\\376')\""_s; // for sh
    const QString csvPath = m_dir.filePath(u"bytes.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"-4"_s, u"--export-csv"_s, csvPath}));
    QVERIFY(sh(u"ip link add "_s + name + u" type veth peer name u8p"_s));
    // The kernel announces an alias change only on a link that is up (netdev_state_change).
    QVERIFY(sh(u"ip link set "_s + name + u" up"_s));
    QVERIFY(ip(u"link set u8p up"_s));
    QVERIFY(sh(u"ip link set "_s + name + u" alias \"$(printf 'bad\\377\\376')\""_s));
    QVERIFY(sh(u"ip link set u8p alias 'typed\\x41'"_s)); // a backslash typed by a user
    QVERIFY(sh(u"ip addr add 10.88.0.1/24 dev "_s + name));
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);

    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray data = f.readAll();
    QVERIFY2(data.isValidUtf8(), "the CSV is not valid UTF-8");
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    (void)decoder.decode(data);
    QVERIFY(!decoder.hasError());

    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    const auto named = [&rawName](const QStringList &r) { return ncv::csv::bytesFromCell(r[IfName]) == rawName; };
    // The name as text: each stray byte as \xHH; the same text for the interface and the
    // address on it.
    QCOMPARE(countRows(rows,
                       [&](const QStringList &r) {
                           return r[Object] == u"interface"_s && r[Change] == u"add"_s && named(r)
                               && r[IfName] == u"u8\\xff\\xfe"_s;
                       }),
             1);
    QCOMPARE(countRows(rows,
                       [&](const QStringList &r) {
                           return r[Object] == u"address"_s && r[Destination] == u"10.88.0.1/24"_s && named(r);
                       }),
             1);
    // The alias, inside details, in both directions.
    QCOMPARE(countRows(rows,
                       [&](const QStringList &r) {
                           return r[Change] == u"parameter"_s && r[Changed] == u"alias"_s && named(r)
                               && r[Details].endsWith(u"-> bad\\xff\\xfe"_s)
                               && ncv::csv::bytesFromCell(r[Details]).endsWith(QByteArray("-> " + rawAlias));
                       }),
             1);
    QCOMPARE(countRows(rows,
                       [](const QStringList &r) {
                           return r[Change] == u"parameter"_s && r[IfName] == u"u8p"_s
                               && r[Details].endsWith(u"-> typed\\x5cx41"_s)
                               && ncv::csv::bytesFromCell(r[Details]).endsWith("-> typed\\x41");
                       }),
             1);
    QVERIFY(sh(u"ip link del "_s + name));
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

void TestHeadless::stopSignalsWriteTheFile_data()
{
    QTest::addColumn<int>("signo");
    QTest::addColumn<QString>("name");
    QTest::newRow("SIGHUP (the terminal closed)") << int(SIGHUP) << u"SIGHUP"_s;
    QTest::newRow("SIGQUIT") << int(SIGQUIT) << u"SIGQUIT"_s;
    QTest::newRow("SIGTERM") << int(SIGTERM) << u"SIGTERM"_s;
    QTest::newRow("SIGINT") << int(SIGINT) << u"SIGINT"_s;
}

void TestHeadless::stopSignalsWriteTheFile()
{
    QFETCH(int, signo);
    QFETCH(QString, name);
    const QString link = u"sig%1"_s.arg(signo);
    const QString csvPath = m_dir.filePath(link + u".csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--export-csv"_s, csvPath}));
    QVERIFY(ip(u"link add %1 type veth peer name %1p"_s.arg(link)));
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), signo);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains(QByteArray(name.toLatin1() + " received")), err.constData());
    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QCOMPARE(countRows(rows,
                       [&link](const QStringList &r) {
                           return r[Object] == u"interface"_s && r[Change] == u"add"_s && r[IfName] == link;
                       }),
             1);
    QVERIFY(ip(u"link del %1"_s.arg(link)));
}

void TestHeadless::otherSignalsDoNotEndTheRecording()
{
    const QString csvPath = m_dir.filePath(u"usr.csv"_s);
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--export-csv"_s, csvPath}));
    for (int signo : {SIGUSR1, SIGUSR2, SIGALRM}) {
        ::kill(pid_t(p.processId()), signo);
        QVERIFY2(!p.waitForFinished(300), qPrintable(u"ended by signal %1"_s.arg(signo)));
    }
    QVERIFY(ip(u"link add usr0 type veth peer name usr0p"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    // SIGUSR1 asks for a status line, like dd.
    const QStringList lines = ourLines(p.readAllStandardError());
    const QStringList status = lines.filter(u"SIGUSR1: recording, "_s);
    QCOMPARE(status.size(), 1);
    QVERIFY2(status.constFirst().contains(u" events so far, snapshot taken"_s), qPrintable(status.constFirst()));
    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(countRows(rows,
                       [](const QStringList &r) {
                           return r[Object] == u"interface"_s && r[Change] == u"add"_s && r[IfName] == u"usr0"_s;
                       }),
             1);
    QVERIFY(ip(u"link del usr0"_s));
}

void TestHeadless::sighupIgnoredUnderNohupStaysIgnored()
{
    const QString csvPath = m_dir.filePath(u"nohup.csv"_s);
    QProcess p;
    p.setChildProcessModifier([] { ::signal(SIGHUP, SIG_IGN); }); // what nohup does
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--export-csv"_s, csvPath}));
    ::kill(pid_t(p.processId()), SIGHUP);
    QVERIFY2(!p.waitForFinished(500), "SIGHUP ended a recording started under nohup");
    p.terminate();
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFileInfo::exists(csvPath));
}

void TestHeadless::closedStandardErrorDoesNotKillTheRecorder()
{
    // Standard error into a pipe whose reader reads one line and goes away, as with
    // `netchangeview ... 2>&1 | head -1`: the next write gets EPIPE (and SIGPIPE).
    int fds[2];
    QCOMPARE(::pipe2(fds, O_CLOEXEC), 0);
    const int writeEnd = fds[1];
    const QString csvPath = m_dir.filePath(u"pipe.csv"_s);
    QProcess p;
    p.setStandardOutputFile(QProcess::nullDevice());
    p.setStandardErrorFile(QProcess::nullDevice());
    p.setChildProcessModifier([writeEnd] { ::dup2(writeEnd, STDERR_FILENO); });
    p.start(m_binary, {u"--headless"_s, u"--export-csv"_s, csvPath});
    QVERIFY(p.waitForStarted(10000));
    ::close(fds[1]);
    QByteArray firstLine;
    char c = 0;
    pollfd pfd = {fds[0], POLLIN, 0};
    while (!firstLine.endsWith('\n') && ::poll(&pfd, 1, 15000) == 1 && ::read(fds[0], &c, 1) == 1)
        firstLine += c;
    ::close(fds[0]); // head -1 exits
    QVERIFY2(firstLine.startsWith("ready:"), firstLine.constData());
    QVERIFY(ip(u"link add pipe0 type veth peer name pipe0p"_s));
    QTest::qWait(300);
    p.terminate(); // its "SIGTERM received" line now goes to a closed pipe
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QCOMPARE(countRows(rows, [](const QStringList &r) { return r[IfName] == u"pipe0"_s && r[Change] == u"add"_s; }), 1);
    QVERIFY(ip(u"link del pipe0"_s));
}

void TestHeadless::maxEventsDropsTheOldestAndSaysSo()
{
    const QString csvPath = m_dir.filePath(u"capped.csv"_s);
    QProcess p;
    QByteArray err;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--max-events"_s, u"3"_s, u"--export-csv"_s, csvPath}, &err));
    QVERIFY(ip(u"link add cap0 type veth peer name cap0p"_s));
    QVERIFY(ip(u"link set cap0 mtu 1400"_s));
    QVERIFY(ip(u"link set cap0 up"_s));
    QTest::qWait(300);
    p.terminate();
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    const QStringList lines = ourLines(err + p.readAllStandardError());
    QVERIFY2(!lines.filter(u"warning: more than 3 events: dropping the oldest"_s).isEmpty(),
             qPrintable(lines.join(u'\n')));
    QVERIFY2(!lines.filter(u"oldest events were dropped"_s).isEmpty(), qPrintable(lines.join(u'\n')));

    QStringList header;
    const QList<QStringList> rows = readCsv(csvPath, &header);
    QCOMPARE(header, kHeader);
    QCOMPARE(rows.size(), 1 + 3);
    const QStringList &gap = rows.constFirst();
    QCOMPARE(gap[Seq], QString());
    QCOMPARE(gap[Object], u"gap"_s);
    QCOMPARE(gap[Change], u"gap"_s);
    QCOMPARE(gap[Origin], u"inferred"_s);
    const qint64 firstKept = rows[1][Seq].toLongLong();
    QVERIFY(firstKept > 1);
    QCOMPARE(gap[Details],
             u"oldest events dropped: %1 events (sequence 1 to %1) are missing: the history keeps at "
             "most 3 events"_s.arg(firstKept - 1));
    QCOMPARE(rows[3][Seq].toLongLong(), firstKept + 2);
    QVERIFY(ip(u"link del cap0"_s));
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
    QTest::newRow("max-events 0") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp/x.csv"_s,
                                                  u"--max-events"_s, u"0"_s}
                                  << 2 << u"--max-events"_s;
    QTest::newRow("file is a directory") << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp"_s} << 1
                                         << u"directory"_s;
    // The window's FILE: checked before any display is needed.
    QTest::newRow("window: no such recording")
        << QStringList {u"/nonexistent-dir/rec.ncv"_s} << 1 << u"/nonexistent-dir/rec.ncv: no such file"_s;
    QTest::newRow("window: not a recording") << QStringList {m_binary} << 5 << u"not a NetChangeView recording"_s;
    QTest::newRow("headless --no-record")
        << QStringList {u"--headless"_s, u"--record"_s, u"/tmp/x.ncv"_s, u"--no-record"_s} << 2
        << u"--no-record is for the live window"_s;
    QTest::newRow("stream without file") << QStringList {u"--headless"_s, u"--stream"_s, u""_s} << 2
                                         << u"--stream needs a file name"_s;
    QTest::newRow("stream and CSV both to stdout")
        << QStringList {u"--headless"_s, u"--stream"_s, u"-"_s, u"--export-csv"_s, u"-"_s} << 2
        << u"both write to standard output"_s;
    QTest::newRow("journal in the window") << QStringList {u"--journal"_s} << 2 << u"--journal is for --headless"_s;
    QTest::newRow("journal when converting")
        << QStringList {u"--headless"_s, u"rec.ncv"_s, u"--export-csv"_s, u"/tmp/x.csv"_s, u"--journal"_s} << 2
        << u"--journal is for recording"_s;
    QTest::newRow("stream in the window")
        << QStringList {u"--stream"_s, u"-"_s} << 2 << u"--stream is for --headless"_s;
    QTest::newRow("stream when converting")
        << QStringList {u"--headless"_s, u"rec.ncv"_s, u"--export-csv"_s, u"/tmp/x.csv"_s, u"--stream"_s, u"-"_s} << 2
        << u"--stream is for recording"_s;
    QTest::newRow("window: two files") << QStringList {u"a.ncv"_s, u"b.ncv"_s} << 2 << u"unexpected argument 'b.ncv'"_s;
    QTest::newRow("the same host twice") << QStringList {u"ssh://a"_s, u"ssh://b"_s, u"ssh://a"_s} << 2
                                         << u"ssh://a is given twice"_s;
    QTest::newRow("a host and a file")
        << QStringList {u"ssh://a"_s, u"b.ncv"_s} << 2
        << u"unexpected argument 'b.ncv' (several remote hosts are given as ssh://HOST ssh://HOST ...)"_s;
    // Longer than supported (QDeadlineTimer steps allow up to 1e9 s), or not a number.
    for (const QString &d : {u"1e99"_s, u"1000000001"_s, u"nan"_s, u"inf"_s, u"-inf"_s, u"-0.5"_s})
        QTest::addRow("duration %s", qPrintable(d))
            << QStringList {u"--headless"_s, u"--export-csv"_s, u"/tmp/x.csv"_s, u"--duration"_s, d} << 2
            << u"--duration"_s;
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

void TestHeadless::windowClosesCleanlyOnSignals_data()
{
    QTest::addColumn<int>("signo");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestHeadless::windowClosesCleanlyOnSignals()
{
    QFETCH(int, signo);
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString settingsFile = home.filePath(u"config/NetChangeView/NetChangeView.conf"_s);
    QProcess p;
    p.setProcessEnvironment(guiEnvironment(home.path()));
    p.start(m_binary, {});
    QVERIFY(p.waitForStarted(10000));
    QVERIFY2(waitUntilCatching(p, signo), "the window never handles the signal");
    ::kill(pid_t(p.processId()), signo);
    QVERIFY(p.waitForFinished(15000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    // Saved as File > Quit saves them (MainWindow::closeEvent).
    QFile settings(settingsFile);
    QVERIFY2(settings.open(QIODevice::ReadOnly), qPrintable(settingsFile + u": "_s + QString::fromLocal8Bit(err)));
    const QByteArray text = settings.readAll();
    QVERIFY2(text.contains("[mainWindow]") && text.contains("geometry="), text.constData());
    // The live window recorded into its data folder and closed the file cleanly.
    const QDir recordings(home.filePath(u"data/NetChangeView/NetChangeView/recordings"_s));
    const QStringList files = recordings.entryList({u"live-*"_s}, QDir::Files);
    QCOMPARE(files.size(), 1);
    ncv::recording::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(recordings.filePath(files.constFirst()), &error), qPrintable(error));
    QVERIFY(reader.info().cleanEnd); // (the signal may come before the snapshot's events)
}

void TestHeadless::windowWithNoRecordWritesNothing()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcess p;
    p.setProcessEnvironment(guiEnvironment(home.path()));
    p.start(m_binary, {u"--no-record"_s});
    QVERIFY(p.waitForStarted(10000));
    QVERIFY2(waitUntilCatching(p, SIGTERM), "the window never handles the signal");
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFileInfo::exists(home.filePath(u"config/NetChangeView/NetChangeView.conf"_s)));
    QVERIFY(!QFileInfo::exists(home.filePath(u"data/NetChangeView/NetChangeView/recordings"_s)));
}

void TestHeadless::windowOpensARecording()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QString path = home.filePath(u"rec.ncv"_s);
    QString error;
    QVERIFY2(ncv::testdata::writeTestRecording(path, nullptr, &error), qPrintable(error));
    QProcess p;
    p.setProcessEnvironment(guiEnvironment(home.path()));
    p.start(m_binary, {path});
    QVERIFY(p.waitForStarted(10000));
    QVERIFY2(waitUntilCatching(p, SIGTERM), "the window never opened");
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(15000));
    const QString err = QString::fromLocal8Bit(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(!err.contains(u"cannot"_s), qPrintable(err));
    // The file went to the recent files.
    QFile settings(home.filePath(u"config/NetChangeView/NetChangeView.conf"_s));
    QVERIFY2(settings.open(QIODevice::ReadOnly), qPrintable(err));
    const QByteArray text = settings.readAll();
    QVERIFY2(text.contains(path.toUtf8()), text.constData());
}

void TestHeadless::displayThatCannotBeOpenedGivesOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("set"); // NAME=VALUE
    QTest::addColumn<QStringList>("unset");
    QTest::addColumn<QString>("mentions");
    const int n = unusedDisplayNumber();
    QVERIFY(n > 0);
    const QString display = u":%1"_s.arg(n);
    const QStringList displays = {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"QT_QPA_PLATFORM"_s, u"XDG_SESSION_TYPE"_s};
    QTest::newRow("QT_QPA_PLATFORM=bogus")
        << QStringList() << QStringList {u"QT_QPA_PLATFORM=bogus"_s} << QStringList() << u"'bogus'"_s;
    QTest::newRow("-platform bogus") << QStringList {u"-platform"_s, u"bogus"_s}
                                     << QStringList {u"QT_QPA_PLATFORM=offscreen"_s} << QStringList() << u"'bogus'"_s;
    QTest::newRow("DISPLAY without an X server")
        << QStringList() << QStringList {u"DISPLAY="_s + display} << displays.mid(1) << display;
    QTest::newRow("xcb, DISPLAY without an X server")
        << QStringList() << QStringList {u"QT_QPA_PLATFORM=xcb"_s, u"DISPLAY=unix"_s + display}
        << QStringList {u"WAYLAND_DISPLAY"_s} << display;
    QTest::newRow("-display without an X server")
        << QStringList {u"-display"_s, display} << QStringList {u"QT_QPA_PLATFORM=xcb"_s, u"DISPLAY=:0"_s}
        << QStringList() << display;
    QTest::newRow("no display at all") << QStringList() << QStringList() << displays << u"DISPLAY"_s;
}

void TestHeadless::displayThatCannotBeOpenedGivesOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, set);
    QFETCH(QStringList, unset);
    QFETCH(QString, mentions);
    QTemporaryDir home;
    QProcessEnvironment env = guiEnvironment(home.path());
    for (const QString &name : std::as_const(unset))
        env.remove(name);
    for (const QString &pair : std::as_const(set))
        env.insert(pair.section(u'=', 0, 0), pair.section(u'=', 1));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_binary, args);
    QVERIFY(p.waitForFinished(15000));
    const QString err = QString::fromLocal8Bit(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit); // not Qt's abort()
    QCOMPARE(p.exitCode(), 4);
    const QStringList lines = err.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.constFirst().startsWith(u"netchangeview: cannot open a window"_s), qPrintable(err));
    QVERIFY2(lines.constFirst().contains(mentions), qPrintable(err));
    QVERIFY2(lines.constFirst().contains(u"--headless --export-csv FILE"_s), qPrintable(err));
}

int TestHeadless::startXvfb(QProcess &xvfb, const QByteArray &authRecords)
{
    const QString program = QStandardPaths::findExecutable(u"Xvfb"_s);
    if (program.isEmpty())
        return -1;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    const int numberFd = fds[1];
    // Cookies for -auth come through fd 4 (the file sits in /tmp, hidden below).
    int authFd = -1;
    QTemporaryFile auth;
    if (!authRecords.isEmpty() && auth.open() && auth.write(authRecords) == authRecords.size() && auth.flush())
        authFd = int(auth.handle());
    // Xvfb writes the display it picked to fd 3 (-displayfd).
    xvfb.setChildProcessModifier([numberFd, authFd] {
        for (const auto &[from, to] : {std::pair {numberFd, 3}, std::pair {authFd, 4}}) {
            if (from < 0)
                continue;
            if (from == to)
                ::fcntl(to, F_SETFD, 0); // keep it open across exec
            else
                ::dup2(from, to);
        }
    });
    xvfb.setStandardOutputFile(QProcess::nullDevice());
    xvfb.setStandardErrorFile(QProcess::nullDevice());
    // In a private mount namespace with its own /tmp: its sockets and lock file stay out
    // of the machine's /tmp. Clients in this network namespace reach it through the
    // abstract socket @/tmp/.X11-unix/XN, which belongs to the network namespace.
    QStringList args {u"-m"_s,      u"--propagation"_s,
                      u"private"_s, u"sh"_s,
                      u"-c"_s,      u"mount -t tmpfs tmpfs /tmp && exec \"$0\" \"$@\""_s,
                      program,      u"-displayfd"_s,
                      u"3"_s,       u"-nolisten"_s,
                      u"tcp"_s,     u"-screen"_s,
                      u"0"_s,       u"1280x1024x24"_s};
    if (authFd >= 0)
        args << u"-auth"_s << u"/proc/self/fd/4"_s;
    xvfb.start(u"unshare"_s, args);
    const bool started = xvfb.waitForStarted(10000);
    ::close(fds[1]);
    QByteArray number;
    char c = 0;
    pollfd pfd = {fds[0], POLLIN, 0};
    while (started && !number.endsWith('\n') && ::poll(&pfd, 1, 15000) == 1 && ::read(fds[0], &c, 1) == 1)
        number += c;
    ::close(fds[0]);
    bool ok = false;
    const int display = number.trimmed().toInt(&ok);
    return ok ? display : -1;
}

void TestHeadless::windowOpensUnderXvfb()
{
    if (QStandardPaths::findExecutable(u"Xvfb"_s).isEmpty())
        QSKIP("Xvfb is not installed (packaging/install-deps.sh --extra)");
    QTemporaryDir home;
    QVERIFY(home.isValid());
    {
        // The window opens on a real X server (the display check lets it through) and
        // closes on SIGTERM with its settings saved.
        QProcess xvfb;
        const int display = startXvfb(xvfb);
        QVERIFY2(display >= 0, "Xvfb did not start");
        QProcessEnvironment env = guiEnvironment(home.path());
        env.remove(u"QT_QPA_PLATFORM"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        env.remove(u"XDG_SESSION_TYPE"_s);
        env.insert(u"DISPLAY"_s, u":%1"_s.arg(display));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(m_binary, {});
        QVERIFY(p.waitForStarted(10000));
        const bool catching = waitUntilCatching(p, SIGTERM);
        if (!catching)
            p.waitForFinished(1000);
        QVERIFY2(catching, p.readAllStandardError().constData());
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY(QFileInfo::exists(home.filePath(u"config/NetChangeView/NetChangeView.conf"_s)));
        xvfb.terminate();
        xvfb.waitForFinished(5000);
    }
    {
        // An X server that refuses the connection (it wants a cookie the client does not
        // have): only Qt can find out, and its fatal error becomes the one line.
        // One Xauthority record (FamilyWild, MIT-MAGIC-COOKIE-1, 16 bytes): Xvfb -auth
        // loads the cookies whatever address and display they name.
        QByteArray record;
        const auto field = [&record](const QByteArray &bytes) {
            record += char(bytes.size() >> 8);
            record += char(bytes.size() & 0xff);
            record += bytes;
        };
        record += "\xff\xff";
        field(QByteArray());
        field(QByteArray());
        field("MIT-MAGIC-COOKIE-1");
        field(QByteArray(16, '\x5a'));
        QProcess xvfb;
        const int display = startXvfb(xvfb, record);
        QVERIFY2(display >= 0, "Xvfb did not start");
        QProcessEnvironment env = guiEnvironment(home.path());
        env.insert(u"QT_QPA_PLATFORM"_s, u"xcb"_s);
        env.insert(u"DISPLAY"_s, u":%1"_s.arg(display));
        env.insert(u"XAUTHORITY"_s, home.filePath(u"no-cookies"_s));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(m_binary, {});
        QVERIFY(p.waitForFinished(15000));
        const QByteArray errBytes = p.readAllStandardError();
        const QString err = QString::fromLocal8Bit(errBytes);
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 4);
        // libX11 may print the server's reason itself ("Authorization required..."): one
        // line is ours, and Qt's several lines are gone.
        const QStringList lines = ourLines(errBytes);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(!err.contains(u"Reinstalling the application"_s), qPrintable(err));
        QVERIFY2(lines.constFirst().startsWith(
                     u"netchangeview: cannot open a window (platform 'xcb', display ':%1')"_s.arg(display)),
                 qPrintable(err));
        QVERIFY2(lines.constFirst().contains(u"--headless"_s), qPrintable(err));
        xvfb.terminate();
        xvfb.waitForFinished(5000);
    }
}

void TestHeadless::stopDuringTheInitialSnapshotIsMarked()
{
    // Many routes, so that the kernel dump takes a while; SIGTERM as soon as the recorder
    // handles it (it is then still registering). Should the snapshot still be complete
    // by the time the signal is handled, more routes are added and it is tried again.
    QVERIFY(ip(u"link add snap0 type veth peer name snap0p"_s));
    QVERIFY(ip(u"link set snap0 up"_s));
    const auto cleanup = qScopeGuard([] { ip(u"link del snap0"_s); });
    int routes = 0;
    const auto addRoutes = [this, &routes](int count) {
        QFile batch(m_dir.filePath(u"routes.batch"_s));
        if (!batch.open(QIODevice::WriteOnly))
            return false;
        for (int i = routes; i < routes + count; ++i)
            batch.write(u"route add 11.%1.%2.%3/32 dev snap0 table 100\n"_s.arg(i >> 16)
                            .arg((i >> 8) & 0xff)
                            .arg(i & 0xff)
                            .toLatin1());
        batch.close();
        routes += count;
        return ip(u"-batch "_s + batch.fileName(), nullptr, 300000);
    };
    for (int attempt = 0; attempt < 3; ++attempt) {
        QVERIFY(addRoutes(200'000));
        const QString csvPath = m_dir.filePath(u"partial%1.csv"_s.arg(attempt));
        QProcess p;
        p.start(m_binary, {u"--headless"_s, u"--export-csv"_s, csvPath});
        QVERIFY(p.waitForStarted(10000));
        QVERIFY(waitUntilCatching(p, SIGTERM));
        ::kill(pid_t(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        const QByteArray err = p.readAllStandardError();
        if (p.exitCode() == 0 && err.contains("ready:")) {
            qInfo("the snapshot of %d routes was complete before SIGTERM was handled; trying with more", routes);
            continue;
        }
        QCOMPARE(p.exitCode(), 3);
        QVERIFY2(!err.contains("ready:"), err.constData());
        QVERIFY2(err.contains("warning: stopped before the initial snapshot was complete"), err.constData());
        QStringList header;
        const QList<QStringList> rows = readCsv(csvPath, &header);
        QCOMPARE(header, kHeader);
        QVERIFY(!rows.isEmpty());
        const QStringList &marker = rows.constLast();
        QCOMPARE(marker[Object], u"gap"_s);
        QCOMPARE(marker[Change], u"gap"_s);
        QCOMPARE(marker[Origin], u"inferred"_s);
        QCOMPARE(marker[Seq], QString::number(rows.size()));
        QVERIFY2(marker[Details].startsWith(u"initial snapshot incomplete: recording stopped after "_s),
                 qPrintable(marker[Details]));
        const int initialRoutes = countRows(rows, [](const QStringList &r) {
            return r[Object] == u"route"_s && r[Change] == u"initial"_s && r[Table] == u"100"_s;
        });
        qInfo("stopped after %d of %d routes", initialRoutes, routes);
        QVERIFY(initialRoutes < routes);
        for (int i = 0; i + 1 < rows.size(); ++i)
            QCOMPARE(rows[i][Change], u"initial"_s); // nothing after the snapshot began
        return;
    }
    QFAIL("the snapshot was complete every time before SIGTERM was handled");
}

QString TestHeadless::makeDevices(const QString &dir, std::unique_ptr<ncv::test::TmpfsMount> &mount)
{
    if (!ncv::test::mountNamespaceResult().entered)
        return QString::fromStdString(ncv::test::mountNamespaceResult().message);
    mount = std::make_unique<ncv::test::TmpfsMount>(dir.toStdString(), 1024);
    if (!mount->ok())
        return QString::fromStdString(mount->error());
    for (const auto &[name, minor] : {std::pair {"null", 3u}, std::pair {"full", 7u}}) {
        const std::string why
            = ncv::test::makeCharDevice(QString(dir + u'/' + QLatin1StringView(name)).toStdString(), 1, minor);
        if (!why.empty())
            return QString::fromStdString(why);
    }
    return {};
}

// A device node is written in place and stays a device: a null device takes the CSV
// (exit 0); a full one is an error naming ENOSPC on one line (exit 1, never "wrote"), and
// the events go to a fallback file.
void TestHeadless::exportsToDevicesInPlace()
{
    QTemporaryDir devDir;
    QTemporaryDir tmpDir;
    std::unique_ptr<ncv::test::TmpfsMount> mount;
    if (const QString why = makeDevices(devDir.path(), mount); !why.isEmpty())
        QSKIP(qPrintable(why));
    const QString null = devDir.filePath(u"null"_s);
    const QString full = devDir.filePath(u"full"_s);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TMPDIR"_s, tmpDir.path());

    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, null});
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(S_ISCHR(statOf(null).st_mode));
    QCOMPARE(statOf(null).st_rdev, makedev(1, 3));

    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, full});
    QVERIFY(p.waitForFinished(15000));
    const QString err = QString::fromLocal8Bit(p.readAllStandardError());
    QCOMPARE(p.exitCode(), 1);
    const QStringList lines = errLines(err.toLocal8Bit());
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(u"ready:"_s), qPrintable(err));
    QVERIFY2(lines[1].startsWith(u"netchangeview: cannot write %1: No space left on device; "_s.arg(full)),
             qPrintable(err));
    QVERIFY(!err.contains(u"wrote"_s));
    QVERIFY(S_ISCHR(statOf(full).st_mode));
    QCOMPARE(statOf(full).st_rdev, makedev(1, 7));
    const QString saved = fallbackFileIn(err);
    QVERIFY2(saved.startsWith(tmpDir.path() + u"/netchangeview-"_s), qPrintable(err));
    QFile f(saved);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!parseCsv(f.readAll()).isEmpty());
    QCOMPARE(QDir(devDir.path()).entryList(QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList({u"full"_s, u"null"_s}));
}

// "-" and /dev/stdout are standard output (here a pipe); a FIFO is written in place for
// a reader that opened it before the recorder started (the start-up check must not open
// it: its reader would see an end of file).
void TestHeadless::exportsToStandardOutputAndFifo()
{
    for (const QString &target : {u"-"_s, u"/dev/stdout"_s}) {
        QProcess p;
        p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, target});
        QVERIFY(p.waitForFinished(15000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 0);
        const QList<QStringList> rows = parseCsv(p.readAllStandardOutput());
        QVERIFY2(!rows.isEmpty(), err.constData());
        QVERIFY(countRows(rows, [](const QStringList &r) { return r[Destination] == u"127.0.0.1/8"_s; }) == 1);
        QVERIFY2(err.contains(target == u"-"_s ? "wrote " : "/dev/stdout"), err.constData());
        QVERIFY(!QFileInfo::exists(u"-"_s)); // no file named "-" in the working directory
    }

    QTemporaryDir dir;
    const QString fifo = dir.filePath(u"fifo"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QProcess reader;
    reader.start(u"cat"_s, {fifo});
    QVERIFY(reader.waitForStarted(5000));
    QTest::qWait(100); // cat is blocked in open(), waiting for a writer
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--duration"_s, u"0.5"_s, u"--export-csv"_s, fifo}));
    QVERIFY(ip(u"link add e2f0 type veth peer name e2f1"_s));
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(reader.waitForFinished(5000), "the FIFO's reader got no end of file");
    const QList<QStringList> rows = parseCsv(reader.readAllStandardOutput());
    QVERIFY(countRows(rows, [](const QStringList &r) { return r[Change] == u"add"_s && r[IfName] == u"e2f0"_s; }) == 1);
    QVERIFY(S_ISFIFO(statOf(fifo).st_mode));
    QVERIFY(ip(u"link del e2f0"_s));
}

// A full disk (our own 64 KiB tmpfs, filled): one line naming the cause, no duplicate
// warning, exit 1; the events are saved elsewhere, said on the same line.
void TestHeadless::fullDiskIsReportedInOneLine()
{
    if (!ncv::test::mountNamespaceResult().entered)
        QSKIP(ncv::test::mountNamespaceResult().message.c_str());
    QTemporaryDir diskDir;
    QTemporaryDir tmpDir;
    ncv::test::TmpfsMount disk(diskDir.path().toStdString(), 64);
    QVERIFY2(disk.ok(), disk.error().c_str());
    {
        QFile filler(diskDir.filePath(u"filler"_s));
        QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        const QByteArray block(4096, 'x');
        while (filler.write(block) == block.size()) { }
    }
    const QString target = diskDir.filePath(u"out.csv"_s);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TMPDIR"_s, tmpDir.path());
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, target});
    QVERIFY(p.waitForFinished(15000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 1);
    const QStringList lines = errLines(err);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(u"ready:"_s), err.constData());
    QVERIFY2(lines[1].startsWith(u"netchangeview: cannot write %1: No space left on device; the "_s.arg(target)),
             err.constData());
    QVERIFY(!QFileInfo::exists(target));
    QVERIFY(!fallbackFileIn(QString::fromLocal8Bit(err)).isEmpty());
}

// Two recorders failing at the same moment (their directory removed while they record)
// save their events to two different files, each new (made exclusively), mode 0600 and
// complete.
void TestHeadless::twoFailingRecordersSaveToTwoFiles()
{
    QTemporaryDir tmpDir;
    QTemporaryDir parent;
    const QString gone = parent.filePath(u"gone"_s);
    QVERIFY(QDir().mkdir(gone));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TMPDIR"_s, tmpDir.path());
    QProcess a;
    QProcess b;
    for (QProcess *p : {&a, &b}) {
        p->setProcessEnvironment(env);
        QVERIFY(startRecorder(*p, {u"--headless"_s, u"--export-csv"_s, gone + (p == &a ? u"/a.csv"_s : u"/b.csv"_s)}));
    }
    QVERIFY(QDir().rmdir(gone));
    ::kill(pid_t(a.processId()), SIGTERM);
    ::kill(pid_t(b.processId()), SIGTERM);
    QStringList files;
    for (QProcess *p : {&a, &b}) {
        QVERIFY(p->waitForFinished(15000));
        QCOMPARE(p->exitCode(), 1);
        const QString err = QString::fromLocal8Bit(p->readAllStandardError());
        const QRegularExpressionMatch m
            = QRegularExpression(u"the (\\d+) recorded events were saved to (.+) instead"_s).match(err);
        QVERIFY2(m.hasMatch(), qPrintable(err));
        const QString file = m.captured(2);
        const struct stat st = statOf(file);
        QVERIFY2(S_ISREG(st.st_mode), qPrintable(file));
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
        QCOMPARE(QFileInfo(file).absolutePath(), tmpDir.path());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(parseCsv(f.readAll()).size(), m.captured(1).toInt());
        files << file;
    }
    QVERIFY2(files[0] != files[1], qPrintable(files[0]));
}

// Another user's symlink in a sticky world-writable directory is refused before
// recording starts, in one line; the file it points at is untouched.
void TestHeadless::refusesAnotherUsersSymlinkInStickyDirectory()
{
    if (geteuid() != 0)
        QSKIP("making a symlink owned by another user needs root");
    QTemporaryDir sticky;
    QTemporaryDir elsewhere;
    QCOMPARE(::chmod(QFile::encodeName(sticky.path()).constData(), 01777), 0);
    const QString secret = elsewhere.filePath(u"secret"_s);
    {
        QFile f(secret);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("root only\n");
    }
    const QString link = sticky.filePath(u"out.csv"_s);
    QVERIFY(QFile::link(secret, link));
    QCOMPARE(::lchown(QFile::encodeName(link).constData(), 65534, 65534), 0);
    QProcess p;
    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, link});
    QVERIFY(p.waitForFinished(15000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 1);
    const QStringList lines = errLines(err);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].startsWith(u"netchangeview: cannot write %1: refusing to follow the symlink"_s.arg(link)),
             err.constData());
    QVERIFY2(lines[0].contains(u"sticky world-writable directory %1"_s.arg(sticky.path())), err.constData());
    QFile f(secret);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("root only\n"));
}

// Overwriting another user's file as root keeps its owner, group and mode.
void TestHeadless::keepsOwnerAndModeOfReplacedFile()
{
    if (geteuid() != 0)
        QSKIP("giving a file to another user needs root");
    QTemporaryDir dir;
    const QString path = dir.filePath(u"theirs.csv"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old\n");
    }
    QCOMPARE(::chown(QFile::encodeName(path).constData(), 65534, 65534), 0);
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0640), 0);
    QProcess p;
    p.start(m_binary, {u"--headless"_s, u"--duration"_s, u"0"_s, u"--export-csv"_s, path});
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    const struct stat st = statOf(path);
    QCOMPARE(st.st_uid, uid_t(65534));
    QCOMPARE(st.st_gid, gid_t(65534));
    QCOMPARE(st.st_mode & 07777, mode_t(0640));
    QStringList header;
    QVERIFY(!readCsv(path, &header).isEmpty());
}

// A duration longer than a QTimer can hold (24.8 days) is accepted and shown as given;
// the recorder runs until stopped (tst_recorder checks the deadline itself).
void TestHeadless::longDurationIsKept()
{
    QTemporaryDir dir;
    QProcess p;
    p.setProgram(m_binary);
    p.setArguments({u"--headless"_s, u"--duration"_s, u"3000000"_s, u"--export-csv"_s, dir.filePath(u"long.csv"_s)});
    p.start();
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("ready:") || p.state() == QProcess::NotRunning,
                             15000);
    QVERIFY2(err.contains("recording for 3000000 s"), err.constData());
    p.terminate();
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    ncv::test::enterPrivateMountNamespace();
    QCoreApplication app(argc, argv);
    TestHeadless test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_headless.moc"

void TestHeadless::streamsJsonLinesAsChangesHappen()
{
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--stream"_s, u"-"_s, u"-4"_s}));
    QVERIFY(ip(u"link add js0 type veth peer name js1"_s));
    QVERIFY(ip(u"link set js0 up"_s));
    QVERIFY(ip(u"addr add 10.79.0.1/24 dev js0"_s));
    QVERIFY(ip(u"route add 10.80.0.0/16 via 10.79.0.2 metric 50 proto static"_s));
    // Out while the recorder runs, not at its end.
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("\"destination\":\"10.80.0.0/16\""), 5000);
    QVERIFY(ip(u"route del 10.80.0.0/16 metric 50"_s));
    QTest::qWait(300);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    out += p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("netchangeview: streamed "), err.constData());

    QList<QJsonObject> lines;
    int markerAt = -1;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
        // The one marker line after the initial rows: not an event, no sequence.
        if (doc.object().value(QLatin1String("change")).toString() == u"snapshot-complete"_s) {
            QVERIFY(!doc.object().contains(QLatin1String("sequence")));
            QVERIFY2(markerAt < 0, "a second snapshot-complete marker");
            markerAt = int(lines.size());
            continue;
        }
        lines << doc.object();
    }
    QVERIFY(lines.size() > 5);
    QVERIFY(markerAt > 0);
    for (int i = 0; i < lines.size(); ++i)
        QCOMPARE(lines[i].value(QLatin1String("change")).toString() == u"initial"_s, i < markerAt);
    const QString streamed = u"streamed %1 events to standard output"_s.arg(lines.size());
    QVERIFY2(QString::fromUtf8(err).contains(streamed), err.constData());
    for (int i = 0; i < lines.size(); ++i) {
        QCOMPARE(lines[i].value(QLatin1String("schema")).toString(), u"netchangeview.event/1"_s);
        QCOMPARE(lines[i].value(QLatin1String("sequence")).toInteger(), i + 1);
    }
    const auto find = [&](const QString &change) {
        for (const QJsonObject &o : lines) {
            if (o.value(QLatin1String("object")).toString() == u"route"_s
                && o.value(QLatin1String("change")).toString() == change
                && o.value(QLatin1String("destination")).toString() == u"10.80.0.0/16"_s)
                return o;
        }
        return QJsonObject();
    };
    const QJsonObject added = find(u"add"_s);
    QVERIFY(!added.isEmpty());
    QVERIFY(added.value(QLatin1String("metric")).isDouble());
    QCOMPARE(added.value(QLatin1String("metric")).toInteger(), 50);
    QCOMPARE(added.value(QLatin1String("gateway")).toString(), u"10.79.0.2"_s);
    QCOMPARE(added.value(QLatin1String("if_name")).toString(), u"js0"_s);
    QCOMPARE(added.value(QLatin1String("protocol")).toString(), u"static"_s);
    QVERIFY(added.value(QLatin1String("before")).isNull());
    QCOMPARE(added.value(QLatin1String("after")).toObject().value(QLatin1String("destination")).toString(),
             u"10.80.0.0/16"_s);
    const QJsonObject deleted = find(u"delete"_s);
    QVERIFY(!deleted.isEmpty());
    QVERIFY(deleted.value(QLatin1String("after")).isNull());
    QVERIFY(deleted.value(QLatin1String("sequence")).toInteger() > added.value(QLatin1String("sequence")).toInteger());
    QVERIFY(ip(u"link del js0"_s));
}

namespace {

/// One journal entry as journald's native protocol carries it: "NAME=value\n", or for a
/// value with a newline "NAME\n", its length (64-bit little-endian), the value and "\n".
/// Empty on a malformed datagram.
QHash<QByteArray, QByteArray> parseJournalEntry(const QByteArray &d)
{
    QHash<QByteArray, QByteArray> fields;
    qsizetype i = 0;
    while (i < d.size()) {
        const qsizetype nl = d.indexOf('\n', i);
        if (nl < 0)
            return {};
        const QByteArray line = d.mid(i, nl - i);
        const qsizetype eq = line.indexOf('=');
        if (eq >= 0) {
            fields.insert(line.left(eq), line.mid(eq + 1));
            i = nl + 1;
            continue;
        }
        if (nl + 9 > d.size())
            return {};
        quint64 n = 0;
        for (int b = 7; b >= 0; --b)
            n = (n << 8) | quint8(d[nl + 1 + b]);
        if (qsizetype(nl + 9 + n + 1) > d.size())
            return {};
        fields.insert(line, d.mid(nl + 9, qsizetype(n)));
        i = nl + 9 + qsizetype(n) + 1;
    }
    return fields;
}

} // namespace

void TestHeadless::sendsEveryEventToTheJournalAsFields()
{
    if (!ncv::test::mountNamespaceResult().entered)
        QSKIP("needs a private mount namespace: journald's socket is faked on a tmpfs over /run");
    // journald's socket at its fixed address, in this test's mount namespace only (the
    // recorder inherits it): libsystemd's real sd_journal_sendv sends to us.
    ncv::test::TmpfsMount run("/run", 1024);
    QVERIFY2(run.ok(), run.error().c_str());
    QVERIFY(QDir().mkpath(u"/run/systemd/journal"_s));

    {
        // No journald: one line, exit 1, nothing recorded in vain.
        QProcess p;
        p.start(m_binary, {u"--headless"_s, u"--journal"_s, u"--duration"_s, u"5"_s});
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitCode(), 1);
        const QStringList lines = errLines(p.readAllStandardError());
        QCOMPARE(lines.size(), 1);
        QCOMPARE(lines.constFirst(),
                 u"netchangeview: cannot send to the systemd journal: /run/systemd/journal/socket: No such file or "
                 "directory (is systemd-journald running?)"_s);
    }

    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    QVERIFY(fd >= 0);
    const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, "/run/systemd/journal/socket");
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr), 0);
    QList<QHash<QByteArray, QByteArray>> entries;
    // The kernel queues few datagrams per socket: read while the recorder runs, or it blocks.
    const auto drain = [&] {
        QByteArray buffer(1 << 20, Qt::Uninitialized);
        for (;;) {
            const ssize_t n = ::recv(fd, buffer.data(), std::size_t(buffer.size()), 0);
            if (n <= 0)
                return;
            entries << parseJournalEntry(buffer.left(n));
        }
    };

    QProcess p;
    p.setProgram(m_binary);
    p.setArguments({u"--headless"_s, u"--journal"_s, u"-4"_s});
    p.start();
    QVERIFY(p.waitForStarted(10000));
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (!err.contains("ready:") && t.elapsed() < 15000 && p.state() == QProcess::Running) {
        p.waitForReadyRead(50);
        err += p.readAllStandardError();
        drain();
    }
    QVERIFY2(err.contains("ready:"), err.constData());
    QVERIFY(ip(u"link add jr0 type veth peer name jr1"_s));
    QVERIFY(ip(u"link set jr0 up"_s));
    QVERIFY(ip(u"addr add 10.83.0.1/24 dev jr0"_s));
    QVERIFY(ip(u"route add 10.84.0.0/16 via 10.83.0.2 metric 50 proto static"_s));
    QVERIFY(ip(u"link set jr0 mtu 1400"_s));
    QVERIFY(ip(u"route del 10.84.0.0/16 metric 50"_s));
    t.restart();
    while (t.elapsed() < 1000) {
        QTest::qWait(50);
        drain();
    }
    ::kill(pid_t(p.processId()), SIGINT);
    while (!p.waitForFinished(50))
        drain();
    drain();
    QCOMPARE(p.exitCode(), 0);
    err += p.readAllStandardError();

    QVERIFY(entries.size() > 6);
    for (const auto &e : entries)
        QVERIFY2(!e.isEmpty(), "a malformed journal datagram");
    // First the entry that says the recording started, then one per event, in order.
    QCOMPARE(entries.constFirst().value("SYSLOG_IDENTIFIER"), QByteArray("netchangeview"));
    QVERIFY(!entries.constFirst().contains("NCV_SEQUENCE"));
    const QString sent = u"netchangeview: sent %1 events to the systemd journal"_s.arg(entries.size() - 1);
    QVERIFY2(QString::fromUtf8(err).contains(sent), err.constData());
    for (qsizetype i = 1; i < entries.size(); ++i) {
        QCOMPARE(entries[i].value("NCV_SEQUENCE").toLongLong(), i);
        QCOMPARE(entries[i].value("NCV_SCHEMA"), QByteArray("netchangeview.journal/1"));
        QCOMPARE(entries[i].value("PRIORITY"), QByteArray("6"));
        QVERIFY(!entries[i].value("MESSAGE").isEmpty());
    }
    const auto find
        = [&](const QByteArray &object, const QByteArray &change, const QByteArray &key, const QByteArray &value) {
              for (const auto &e : entries)
                  if (e.value("NCV_OBJECT") == object && e.value("NCV_CHANGE") == change && e.value(key) == value)
                      return e;
              return QHash<QByteArray, QByteArray>();
          };
    const auto added = find("route", "add", "NCV_DESTINATION", "10.84.0.0/16");
    QVERIFY(!added.isEmpty());
    QCOMPARE(added.value("NCV_GATEWAY"), QByteArray("10.83.0.2"));
    QCOMPARE(added.value("NCV_METRIC"), QByteArray("50"));
    QCOMPARE(added.value("NCV_PROTOCOL"), QByteArray("static"));
    QCOMPARE(added.value("NCV_TABLE"), QByteArray("main"));
    QCOMPARE(added.value("NCV_IF_NAME"), QByteArray("jr0"));
    QCOMPARE(added.value("NCV_FAMILY"), QByteArray("ipv4"));
    QCOMPARE(added.value("NCV_ORIGIN"), QByteArray("observed"));
    // `ip` may have exited before its notification was read: then its PID and "exited".
    const QByteArray by = added.value("NCV_PROCESS");
    QVERIFY2(by == QByteArray("ip (") + added.value("NCV_PID") + ")"
                 || by == added.value("NCV_PID") + QByteArray(" (exited)"),
             by.constData());
    QVERIFY(added.value("NCV_PID").toInt() > 0);
    QVERIFY2(added.value("MESSAGE").startsWith("add route 10.84.0.0/16 on jr0")
                 && added.value("MESSAGE").endsWith(QByteArray(QByteArray(" by ") + by)),
             added.value("MESSAGE").constData());
    std::int64_t timeUs = 0;
    QVERIFY(ncv::csv::parseIsoTimeUtc(QString::fromLatin1(added.value("NCV_TIME_UTC")), &timeUs));
    QCOMPARE(QByteArray::number(timeUs), added.value("NCV_TIME_US"));
    bool mtuChange = false;
    for (const auto &e : entries)
        mtuChange = mtuChange
            || (e.value("NCV_OBJECT") == "interface" && e.value("NCV_CHANGE") == "parameter"
                && e.value("NCV_IF_NAME") == "jr0" && e.value("NCV_CHANGED_FIELDS").split(';').contains("mtu")
                && e.value("NCV_DETAILS").contains("mtu 1500 -> 1400"));
    QVERIFY(mtuChange);
    const auto deleted = find("route", "delete", "NCV_DESTINATION", "10.84.0.0/16");
    QVERIFY(!deleted.isEmpty());
    QVERIFY(deleted.value("NCV_SEQUENCE").toLongLong() > added.value("NCV_SEQUENCE").toLongLong());
    QVERIFY(!deleted.contains("NCV_CHANGED_FIELDS"));
    QVERIFY(ip(u"link del jr0"_s));
}

void TestHeadless::aStreamThatCannotBeWrittenEndsWithOneLine()
{
    if (!QFileInfo::exists(u"/dev/full"_s))
        QSKIP("needs /dev/full");
    QProcess p;
    QVERIFY(startRecorder(p, {u"--headless"_s, u"--stream"_s, u"/dev/full"_s}));
    // The snapshot's rows were written to it: the recorder notices and ends.
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    const QStringList lines = errLines(err);
    QVERIFY2(!lines.isEmpty()
                 && lines.constLast().startsWith(
                     u"netchangeview: writing the stream to /dev/full: No space left on device; the "_s),
             err.constData());
    // Nothing is lost silently: the events the stream could not take are saved as a CSV.
    const QString saved = fallbackFileIn(QString::fromLocal8Bit(err));
    QVERIFY2(!saved.isEmpty() && QFileInfo(saved).size() > 0, err.constData());
    QFile::remove(saved);
}

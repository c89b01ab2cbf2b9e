// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, real kernel: `netchangeview --headless --netns all` over named namespaces
// (`ip netns add`, on a tmpfs /run of a private mount namespace, so the machine's
// /run/netns is never touched) and an unnamed one (a process started with `unshare -n`),
// with changes in each, one namespace created and one destroyed while recording. Every
// change must come out with its namespace's name, and each namespace's IPv4 main-table
// routes rebuilt from the CSV must be what `ip -n NS route show` lists. The tables at a
// moment of such a recording (--at) must be, per namespace, what `ip -n NS -j` printed at that
// moment. Also the --netns errors: an unknown name, an empty one.
#include "model/recording/sqlitedb.h"
#include "support/headlessrun.h"
#include "support/mountns.h"
#include "support/netns.h"
#include "support/runtool.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

using ncv::test::ip;
using ncv::test::runTool;

/// `ip netns add ns`, its lo up, a veth pair d0 and d1 (ifindex 3 and 2 there), both up, and
/// address (CIDR) on d0. False at the first command that fails (ip() says which).
bool addNamespaceWithVeth(const QString &ns, const QString &address)
{
    return ip(u"netns add "_s + ns) && ip(u"-n %1 link set lo up"_s.arg(ns))
        && ip(u"-n %1 link add d0 type veth peer name d1"_s.arg(ns)) && ip(u"-n %1 link set d1 up"_s.arg(ns))
        && ip(u"-n %1 link set d0 up"_s.arg(ns)) && ip(u"-n %1 addr add %2 dev d0"_s.arg(ns, address));
}

/// The IPv4 main-table routes of a namespace as (destination, gateway) texts, as the CSV
/// writes them: "10.99.0.0/16 10.1.0.2", "10.1.0.0/24 ". nsArgs: "-n blue" or the nsenter form.
QSet<QString> kernelRoutes(const QString &program, const QStringList &prefix)
{
    QByteArray out;
    QStringList args = prefix;
    args << u"-4"_s << u"-o"_s << u"route"_s << u"show"_s << u"table"_s << u"main"_s;
    if (!runTool(program, args, &out))
        return {u"(ip failed)"_s};
    QSet<QString> routes;
    for (const QByteArray &line : out.split('\n')) {
        const QStringList f = QString::fromUtf8(line).split(u' ', Qt::SkipEmptyParts);
        if (f.isEmpty())
            continue;
        QString dst = f[0] == u"default"_s ? u"0.0.0.0/0"_s : f[0];
        if (!dst.contains(u'/'))
            dst += u"/32"_s;
        const qsizetype via = f.indexOf(u"via"_s);
        routes.insert(dst + u' ' + (via >= 0 ? f[via + 1] : QString()));
    }
    return routes;
}

/// What a namespace holds, as sets of texts the CSV and `ip -j` both give: interfaces
/// "ifindex name", IPv4 addresses "ifindex address/prefix", IPv4 main-table routes
/// "destination gateway dev".
struct Tables {
    QSet<QString> interfaces, addresses, routes;
    friend bool operator==(const Tables &, const Tables &) = default;
};

/// The tables of namespace ns now, from `ip -n ns -j`.
Tables kernelTables(const QString &ns)
{
    Tables t;
    const auto json = [&ns](const QString &args) {
        QByteArray out;
        if (!ip(u"-n %1 -j %2"_s.arg(ns, args), &out))
            return QJsonArray {QJsonValue(u"(ip failed)"_s)};
        return QJsonDocument::fromJson(out).array();
    };
    for (const QJsonValue &v : json(u"link show"_s)) {
        const QJsonObject o = v.toObject();
        t.interfaces.insert(u"%1 %2"_s.arg(o.value(u"ifindex"_s).toInt()).arg(o.value(u"ifname"_s).toString()));
    }
    for (const QJsonValue &v : json(u"-4 addr show"_s)) {
        const QJsonObject o = v.toObject();
        for (const QJsonValue &a : o.value(u"addr_info"_s).toArray())
            t.addresses.insert(u"%1 %2/%3"_s.arg(o.value(u"ifindex"_s).toInt())
                                   .arg(a.toObject().value(u"local"_s).toString())
                                   .arg(a.toObject().value(u"prefixlen"_s).toInt()));
    }
    for (const QJsonValue &v : json(u"-4 route show table main"_s)) {
        const QJsonObject o = v.toObject();
        QString dst = o.value(u"dst"_s).toString();
        if (dst == u"default"_s)
            dst = u"0.0.0.0/0"_s;
        else if (!dst.contains(u'/'))
            dst += u"/32"_s;
        t.routes.insert(dst + u' ' + o.value(u"gateway"_s).toString() + u' ' + o.value(u"dev"_s).toString());
    }
    return t;
}

QString describe(const Tables &t)
{
    const auto list = [](const QSet<QString> &s) {
        QStringList l = s.values();
        l.sort();
        return l.join(u"; "_s);
    };
    return u"interfaces: %1 | addresses: %2 | routes: %3"_s.arg(list(t.interfaces), list(t.addresses), list(t.routes));
}

} // namespace

class TestNetnsHeadless : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void everyNamespaceNamedAndRebuilt();
    void tablesAtAMomentPerNamespace();
    void requesterInsideANamespaceNamed();
    void unknownNamespaceIsOneLine();
    void emptyNamespaceNameIsOneLine();
    void windowShowsOneNamespace();
    void windowWatchesSeveralNamespaces();

private:
    QString m_binary = QStringLiteral(NCV_APP_BINARY);
    QTemporaryDir m_dir;
    std::unique_ptr<ncv::test::TmpfsMount> m_run;
};

void TestNetnsHeadless::initTestCase()
{
    std::string whyNot;
    m_run = ncv::test::privateRunForNamedNetns(whyNot);
    if (!m_run)
        QSKIP(whyNot.c_str());
    QVERIFY(QFileInfo::exists(m_binary));
    QVERIFY(m_dir.isValid());
}

void TestNetnsHeadless::everyNamespaceNamedAndRebuilt()
{
    // Three named namespaces, each with ifindex 2 = d0 (a veth pair: d1 is 2, d0 is 3) and its own routes, before
    // recording.
    const QStringList named = {u"nsa"_s, u"nsb"_s, u"nsc"_s};
    for (int i = 0; i < named.size(); ++i) {
        const QString &n = named[i];
        QVERIFY(addNamespaceWithVeth(n, u"10.%1.0.1/24"_s.arg(i + 1)));
        QVERIFY(ip(u"-n %1 route add 10.9%2.0.0/16 via 10.%2.0.2"_s.arg(n).arg(i + 1)));
    }
    // One unnamed: only a process holds it.
    QProcess holder;
    holder.start(u"unshare"_s, {u"-n"_s, u"sleep"_s, u"120"_s});
    QVERIFY(holder.waitForStarted());
    const QString pid = QString::number(holder.processId());
    const auto killHolder = qScopeGuard([&holder] {
        holder.kill();
        holder.waitForFinished();
    });
    const QStringList enter = {u"-t"_s, pid, u"-n"_s, u"ip"_s};
    QElapsedTimer t;
    t.start();
    // unshare execs sleep once it is in its new namespace.
    while (t.elapsed() < 5000) {
        QFile comm(u"/proc/%1/comm"_s.arg(pid));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "sleep")
            break;
        QTest::qWait(20);
    }
    QVERIFY(runTool(u"nsenter"_s, enter + u"link add u0 type veth peer name u1"_s.split(u' ')));
    QVERIFY(runTool(u"nsenter"_s, enter + u"link set u1 up"_s.split(u' ')));
    QVERIFY(runTool(u"nsenter"_s, enter + u"link set u0 up"_s.split(u' ')));
    QVERIFY(runTool(u"nsenter"_s, enter + u"addr add 10.7.0.1/24 dev u0"_s.split(u' ')));
    const QString unnamed = u"sleep (%1)"_s.arg(pid);

    const QString csvPath = m_dir.filePath(u"netns.csv"_s);
    const QString recordPath = m_dir.filePath(u"netns.ncv"_s);
    const QString streamPath = m_dir.filePath(u"netns.jsonl"_s);
    QProcess p;
    p.setProgram(m_binary);
    // All: nsd does not exist yet (a name given must exist at start). The other namespaces of
    // this machine come too (their rows are not looked at); one with many routes holds the
    // first snapshot back, hence the long wait for ready.
    const QString selection = u"all"_s;
    p.setArguments({u"--headless"_s, u"--netns"_s, selection, u"--export-csv"_s, csvPath, u"--record"_s, recordPath,
                    u"--stream"_s, streamPath});
    p.start();
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QVERIFY2(ncv::test::readUntilReady(p, err, 90000), err.constData());

    // Changes in each namespace while recording.
    for (int i = 0; i < named.size(); ++i)
        QVERIFY(ip(u"-n %1 route add 10.8%2.0.0/16 dev d0"_s.arg(named[i]).arg(i + 1)));
    QVERIFY(ip(u"-n nsb route del 10.92.0.0/16"_s));
    QVERIFY(runTool(u"nsenter"_s, enter + u"route add 10.77.0.0/16 via 10.7.0.2"_s.split(u' ')));
    // One namespace created while recording, one destroyed.
    QVERIFY(ip(u"netns add nsd"_s));
    QTest::qWait(1000); // seen: inotify, then the settle delay
    QVERIFY(ip(u"-n nsd link add e0 type veth peer name e1"_s));
    QVERIFY(ip(u"-n nsd link set e1 up"_s));
    QVERIFY(ip(u"-n nsd link set e0 up"_s));
    QVERIFY(ip(u"-n nsd addr add 10.4.0.1/24 dev e0"_s));
    QVERIFY(ip(u"-n nsd route add 10.94.0.0/16 via 10.4.0.2"_s));
    // ifindex 3 is e0 in nsd now, and still d0 in nsa.
    QVERIFY(ip(u"-n nsa route add 10.85.0.0/16 dev d0"_s));
    QVERIFY(ip(u"netns del nsc"_s));
    // Stopped (SIGTERM writes the CSV) once the stream shows the last change of each
    // namespace and nsc's end. nsd's rows may come late: `ip netns add` bind-mounts the
    // namespace after the inotify event, and when that takes longer than the settle delay
    // (seen under ASan), the next /proc scan (2 s) finds it.
    t.restart();
    bool seen = false;
    while (t.elapsed() < 20000 && !seen) {
        QFile stream(streamPath);
        const QByteArray lines = stream.open(QIODevice::ReadOnly) ? stream.readAll() : QByteArray();
        seen = lines.contains("namespace nsc destroyed") && lines.contains("10.85.0.0/16")
            && lines.contains("10.94.0.0/16");
        if (!seen)
            QTest::qWait(100);
    }
    if (!seen) {
        // Say what the recorder saw, for the checks below to be understood.
        QFile stream(streamPath);
        QSet<QString> names;
        if (stream.open(QIODevice::ReadOnly))
            for (const QByteArray &line : stream.readAll().split('\n'))
                names.insert(QJsonDocument::fromJson(line).object().value(u"namespace"_s).toString());
        QStringList sorted(names.cbegin(), names.cend());
        sorted.sort();
        qWarning("the stream lacks the last changes after 20 s; its namespaces: %s; the recorder said: %s",
                 qPrintable(sorted.join(u", "_s)), QByteArray(err + p.readAllStandardError()).constData());
    }
    QTest::qWait(300); // the rest of the deletions' batch
    p.terminate();
    QVERIFY(p.waitForFinished(30000));
    err += p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());

    QString error;
    const QList<QStringList> rows = ncv::test::readCsvFile(csvPath, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(rows.size() > 1);
    QCOMPARE(rows[0].constLast(), u"namespace"_s);
    const qsizetype nsCol = rows[0].size() - 1;
    const qsizetype object = rows[0].indexOf(u"object"_s), change = rows[0].indexOf(u"change"_s),
                    family = rows[0].indexOf(u"family"_s), dst = rows[0].indexOf(u"destination"_s),
                    gw = rows[0].indexOf(u"gateway"_s), table = rows[0].indexOf(u"table"_s),
                    origin = rows[0].indexOf(u"origin"_s), process = rows[0].indexOf(u"process"_s),
                    ifName = rows[0].indexOf(u"if_name"_s);

    const QHash<QString, QString> ifIndex3
        = {{u"nsa"_s, u"d0"_s}, {u"nsb"_s, u"d0"_s}, {u"nsc"_s, u"d0"_s}, {u"nsd"_s, u"e0"_s}, {unnamed, u"u0"_s}};
    QHash<QString, QSet<QString>> routes; // namespace -> rebuilt IPv4 main routes
    QHash<QString, QSet<QString>> changes; // namespace -> change kinds seen
    int nsdInitial = 0, nscDeletes = 0, nscRuleDeletes = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QStringList &r = rows[i];
        QCOMPARE(r.size(), rows[0].size());
        if (r[object] == u"gap"_s)
            continue;
        const QString ns = r[nsCol];
        QVERIFY2(!ns.isEmpty(), qPrintable(r.join(u',')));
        changes[ns].insert(r[change]);
        if (ns == u"nsd"_s && r[change] == u"initial"_s)
            ++nsdInitial;
        if (ns == u"nsc"_s && r[change] == u"delete"_s) {
            ++nscDeletes;
            nscRuleDeletes += r[object] == u"rule"_s;
            QCOMPARE(r[origin], u"inferred"_s);
            QCOMPARE(r[process], u"namespace nsc destroyed"_s);
        }
        // Interface names are per namespace: ifindex 3 is d0 in nsa, nsb, nsc, u0 in the
        // unnamed one, e0 in nsd.
        if (r[object] == u"route"_s && r[rows[0].indexOf(u"if_index"_s)] == u"3"_s && ifIndex3.contains(ns))
            QCOMPARE(r[ifName], ifIndex3.value(ns));
        if (r[object] != u"route"_s || r[family] != u"ipv4"_s || r[table] != u"main"_s)
            continue;
        const QString key = r[dst] + u' ' + r[gw];
        if (r[change] == u"initial"_s || r[change] == u"add"_s)
            routes[ns].insert(key);
        else if (r[change] == u"delete"_s || r[change] == u"expired"_s)
            routes[ns].remove(key);
    }
    QCOMPARE(nscRuleDeletes, 5); // its rules went with it: the defaults, IPv4 local main default, IPv6 local main
    // On a mismatch, also which namespaces the CSV has (a namespace recorded under another
    // name shows there).
    QStringList csvNamespaces = changes.keys();
    csvNamespaces.sort();
    for (const QString &n : {u"nsa"_s, u"nsb"_s, u"nsd"_s}) {
        const QSet<QString> kernel = kernelRoutes(u"ip"_s, {u"-n"_s, n});
        QVERIFY2(
            routes.value(n) == kernel,
            qPrintable(u"%1: rebuilt {%2}, ip route show {%3}; the CSV's namespaces: %4; the recorder said: %5"_s.arg(
                n, QStringList(routes.value(n).cbegin(), routes.value(n).cend()).join(u"; "_s),
                QStringList(kernel.cbegin(), kernel.cend()).join(u"; "_s), csvNamespaces.join(u", "_s),
                QString::fromLocal8Bit(err))));
    }
    QCOMPARE(routes.value(unnamed), kernelRoutes(u"nsenter"_s, {u"-t"_s, pid, u"-n"_s, u"ip"_s}));
    QVERIFY(routes.value(u"nsa"_s).contains(u"10.81.0.0/16 "_s));
    QVERIFY(routes.value(u"nsa"_s).contains(u"10.85.0.0/16 "_s));
    QVERIFY(!routes.value(u"nsb"_s).contains(u"10.92.0.0/16 10.2.0.2"_s));
    QVERIFY(routes.value(unnamed).contains(u"10.77.0.0/16 10.7.0.2"_s));
    // Created while recording: adds, not initial rows.
    QCOMPARE(nsdInitial, 0);
    QVERIFY(changes.value(u"nsd"_s).contains(u"add"_s));
    QVERIFY(routes.value(u"nsd"_s).contains(u"10.94.0.0/16 10.4.0.2"_s));
    // Destroyed while recording: everything of it deleted.
    QVERIFY(nscDeletes >= 4); // at least lo, d0, its address, its routes
    QVERIFY2(routes.value(u"nsc"_s).isEmpty(), qPrintable(routes.value(u"nsc"_s).values().join(u"; ")));
    // Both said on standard error as they happened.
    QVERIFY2(err.contains("network namespace nsd appeared: watching it\n"), err.constData());
    QVERIFY2(err.contains("network namespace nsc is gone\n"), err.constData());
    QVERIFY2(!err.contains("network namespace nsa"), err.constData()); // there at the start

    // The recording keeps each event's namespace: converted back to CSV, the same rows.
    const QString convertedPath = m_dir.filePath(u"converted.csv"_s);
    QVERIFY(runTool(m_binary, {u"--headless"_s, recordPath, u"--export-csv"_s, convertedPath}));
    const QList<QStringList> converted = ncv::test::readCsvFile(convertedPath, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(converted.size(), rows.size());
    for (qsizetype i = 1; i < rows.size(); ++i) {
        for (const qsizetype col : {qsizetype(0), object, change, dst, gw, ifName, process, nsCol})
            QCOMPARE(converted[i][col], rows[i][col]);
    }
    // And the JSON Lines stream names it in each line.
    QFile j(streamPath);
    QVERIFY(j.open(QIODevice::ReadOnly));
    QHash<QString, int> streamed, exported;
    for (const QByteArray &line : j.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        // Events only: not the snapshot-complete marker line (it has no sequence).
        if (o.contains(u"sequence"_s) && o.value(u"object"_s).toString() != u"gap"_s)
            ++streamed[o.value(u"namespace"_s).toString()];
    }
    for (qsizetype i = 1; i < rows.size(); ++i) {
        if (rows[i][object] != u"gap"_s)
            ++exported[rows[i][nsCol]];
    }
    QCOMPARE(streamed, exported);
}

void TestNetnsHeadless::tablesAtAMomentPerNamespace()
{
    // Two namespaces, each with ifindex 2 and 3 (a veth pair), different addresses, and one
    // route that is the same in both (10.50.0.0/16 dev d0): a state that keyed objects without
    // their namespace would lose one of each.
    const QStringList names = {u"nsat1"_s, u"nsat2"_s};
    for (int i = 0; i < names.size(); ++i) {
        const QString &n = names[i];
        QVERIFY(addNamespaceWithVeth(n, u"10.6%1.0.1/24"_s.arg(i + 1)));
        QVERIFY(ip(u"-n %1 route add 10.50.0.0/16 dev d0"_s.arg(n)));
        QVERIFY(ip(u"-n %1 route add 10.6%2.1.0/24 via 10.6%2.0.2"_s.arg(n).arg(i + 1)));
    }
    const auto removeNs = qScopeGuard([&names] {
        for (const QString &n : names)
            ip(u"netns del "_s + n);
    });
    const QString recordPath = m_dir.filePath(u"at.ncv"_s);
    QProcess p;
    p.start(m_binary, {u"--headless"_s, u"--netns"_s, names.join(u','), u"--record"_s, recordPath});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QVERIFY2(ncv::test::readUntilReady(p, err, 30000), err.constData());
    // A moment well apart from the changes around it: its time and what ip printed then.
    QList<QPair<QString, QHash<QString, Tables>>> moments;
    const auto takeMoment = [&] {
        QTest::qWait(1200);
        QHash<QString, Tables> tables;
        const QString at = QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd'T'hh:mm:ss.zzz'Z'"_s);
        for (const QString &n : names)
            tables.insert(n, kernelTables(n));
        moments.append({at, tables});
        QTest::qWait(1200);
    };
    takeMoment();
    QVERIFY(ip(u"-n nsat2 route del 10.50.0.0/16"_s));
    QVERIFY(ip(u"-n nsat1 addr add 10.61.5.1/24 dev d0"_s));
    QVERIFY(ip(u"-n nsat2 route add 10.52.0.0/16 via 10.62.0.2"_s));
    takeMoment();
    QVERIFY(ip(u"-n nsat1 route del 10.50.0.0/16"_s));
    QVERIFY(ip(u"-n nsat1 addr del 10.61.5.1/24 dev d0"_s));
    QVERIFY(ip(u"-n nsat2 link set d0 down"_s));
    QVERIFY(ip(u"-n nsat2 link set d0 name b0"_s));
    QVERIFY(ip(u"-n nsat2 link set b0 up"_s));
    QVERIFY(ip(u"-n nsat2 route add 10.50.0.0/16 dev b0"_s));
    takeMoment();
    p.terminate();
    QVERIFY(p.waitForFinished(30000));
    err += p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());

    // The keyframes hold each namespace's rows apart.
    {
        ncv::recording::sql::Db db;
        std::string why;
        QCOMPARE(db.open(QFile::encodeName(recordPath).toStdString(), SQLITE_OPEN_READONLY, &why), SQLITE_OK);
        ncv::recording::sql::Stmt s;
        QCOMPARE(s.prepare(db, "SELECT count(DISTINCT ns) FROM keyframe_ns_rows"), SQLITE_OK);
        QCOMPARE(s.step(), SQLITE_ROW);
        QCOMPARE(s.int64(0), std::int64_t(2));
    }
    // The same file as a build from before keyframe_ns_rows wrote it: its keyframes are
    // passed over and the tables are rebuilt from the events.
    const QString oldPath = m_dir.filePath(u"at-old.ncv"_s);
    QVERIFY(QFile::copy(recordPath, oldPath));
    {
        ncv::recording::sql::Db db;
        std::string why;
        QCOMPARE(db.open(QFile::encodeName(oldPath).toStdString(), SQLITE_OPEN_READWRITE, &why), SQLITE_OK);
        QCOMPARE(db.exec("DROP TABLE keyframe_ns_rows"), SQLITE_OK);
    }

    for (const QString &file : {recordPath, oldPath}) {
        for (const auto &[at, expected] : moments) {
            const QString csvPath = m_dir.filePath(u"at.csv"_s);
            QFile::remove(csvPath);
            QVERIFY(runTool(m_binary, {u"--headless"_s, file, u"--at"_s, at, u"--export-csv"_s, csvPath}));
            QString error;
            const QList<QStringList> rows = ncv::test::readCsvFile(csvPath, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY(rows.size() > 1);
            const QStringList &h = rows[0];
            const qsizetype object = h.indexOf(u"object"_s), family = h.indexOf(u"family"_s),
                            index = h.indexOf(u"if_index"_s), name = h.indexOf(u"if_name"_s),
                            dst = h.indexOf(u"destination"_s), gw = h.indexOf(u"gateway"_s),
                            table = h.indexOf(u"table"_s), nsCol = h.indexOf(u"namespace"_s);
            QHash<QString, Tables> got;
            for (qsizetype i = 1; i < rows.size(); ++i) {
                const QStringList &r = rows[i];
                QVERIFY2(names.contains(r[nsCol]), qPrintable(r.join(u',')));
                Tables &tables = got[r[nsCol]];
                if (r[object] == u"interface"_s)
                    tables.interfaces.insert(r[index] + u' ' + r[name]);
                else if (r[object] == u"address"_s && r[family] == u"ipv4"_s)
                    tables.addresses.insert(r[index] + u' ' + r[dst]);
                else if (r[object] == u"route"_s && r[family] == u"ipv4"_s && r[table] == u"main"_s)
                    tables.routes.insert(r[dst] + u' ' + r[gw] + u' ' + r[name]);
            }
            for (const QString &n : names)
                QVERIFY2(got.value(n) == expected.value(n),
                         qPrintable(u"%1 at %2 in %3:\n got      %4\n expected %5"_s.arg(
                             n, at, file, describe(got.value(n)), describe(expected.value(n)))));
        }
    }

    // Which route 10.50.1.1 takes: in one namespace, named.
    const QString lookupPath = m_dir.filePath(u"lookup.csv"_s);
    QProcess refused;
    refused.start(m_binary,
                  {u"--headless"_s, recordPath, u"--lookup"_s, u"10.50.1.1"_s, u"--export-csv"_s, lookupPath});
    QVERIFY(refused.waitForFinished(15000));
    const QByteArray refusal = refused.readAllStandardError();
    QCOMPARE(refused.exitCode(), 2);
    QCOMPARE(refusal.count('\n'), 1);
    QVERIFY2(refusal.contains("several network namespaces (nsat1, nsat2): pick one with --netns NAME"),
             refusal.constData());
    QProcess unknown;
    unknown.start(m_binary,
                  {u"--headless"_s, recordPath, u"--lookup"_s, u"10.50.1.1"_s, u"--netns"_s, u"nsat9"_s,
                   u"--export-csv"_s, lookupPath});
    QVERIFY(unknown.waitForFinished(15000));
    const QByteArray unknownError = unknown.readAllStandardError();
    QCOMPARE(unknown.exitCode(), 2);
    QCOMPARE(unknownError.count('\n'), 1);
    QVERIFY2(unknownError.contains("no network namespace of that name (it holds: nsat1, nsat2)"),
             unknownError.constData());
    QHash<QString, QStringList> answers; // namespace -> the route (prefix dev) of each answer row
    for (const QString &n : names) {
        QFile::remove(lookupPath);
        QVERIFY(runTool(m_binary,
                        {u"--headless"_s, recordPath, u"--lookup"_s, u"10.50.1.1"_s, u"--netns"_s, n, u"--export-csv"_s,
                         lookupPath}));
        QString error;
        const QList<QStringList> rows = ncv::test::readCsvFile(lookupPath, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const qsizetype route = rows[0].indexOf(u"route"_s), ifName = rows[0].indexOf(u"if_name"_s);
        for (qsizetype i = 1; i < rows.size(); ++i)
            answers[n].append(QString(rows[i][route] + u' ' + rows[i][ifName]).trimmed());
    }
    // nsat1 loses its route at the third moment; nsat2 loses it at the second and gets it back
    // through the renamed b0.
    QCOMPARE(answers.value(u"nsat1"_s), (QStringList {u"10.50.0.0/16 d0"_s, QString()}));
    QCOMPARE(answers.value(u"nsat2"_s), (QStringList {u"10.50.0.0/16 d0"_s, QString(), u"10.50.0.0/16 b0"_s}));
}

void TestNetnsHeadless::requesterInsideANamespaceNamed()
{
    // ncv_nlrequester lives in the named namespace and asks through its second socket, whose
    // port id is not its PID (the kernel autobinds a negative one): only that namespace's
    // socket table tells who holds it. Our own namespace's table does not list it, or lists
    // another socket that happens to have that id (port ids are per namespace).
    const QString ns = u"byprocr"_s;
    QVERIFY(ip(u"netns add "_s + ns));
    const auto removeNs = qScopeGuard([&ns] { ip(u"netns del "_s + ns); });
    const QString csvPath = m_dir.filePath(u"byproc.csv"_s);
    QProcess p;
    p.start(m_binary, {u"--headless"_s, u"--netns"_s, ns, u"--export-csv"_s, csvPath});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QVERIFY2(ncv::test::readUntilReady(p, err, 30000), err.constData());

    QProcess helper; // `ip netns exec` execs the helper: one PID
    helper.start(u"ip"_s, {u"netns"_s, u"exec"_s, ns, QStringLiteral(NCV_NLREQUESTER), u"2"_s});
    QVERIFY(helper.waitForStarted());
    const qint64 helperPid = helper.processId();
    const auto readLine = [&helper] {
        QDeadlineTimer deadline(10000);
        while (!helper.canReadLine() && !deadline.hasExpired())
            helper.waitForReadyRead(200);
        return helper.readLine().trimmed();
    };
    const QList<QByteArray> ports = readLine().split(' ');
    QCOMPARE(ports.size(), 2);
    QVERIFY2(ports[1].toLongLong() != helperPid, ports.join(' ').constData());
    helper.write("route add 1 51\n");
    QCOMPARE(readLine(), QByteArray("0"));
    QTest::qWait(500); // read and written out before SIGTERM
    p.terminate();
    QVERIFY(p.waitForFinished(30000));
    err += p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, err.constData());
    helper.closeWriteChannel();
    QVERIFY(helper.waitForFinished(10000));

    QString error;
    const QList<QStringList> rows = ncv::test::readCsvFile(csvPath, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const qsizetype object = rows[0].indexOf(u"object"_s), change = rows[0].indexOf(u"change"_s),
                    dst = rows[0].indexOf(u"destination"_s), process = rows[0].indexOf(u"process"_s),
                    pid = rows[0].indexOf(u"pid"_s), nsCol = rows[0].indexOf(u"namespace"_s);
    int found = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QStringList &r = rows[i];
        if (r.value(object) != u"route"_s || r.value(change) != u"add"_s || r.value(dst) != u"10.77.51.0/24"_s)
            continue;
        ++found;
        QCOMPARE(r.value(nsCol), ns);
        QCOMPARE(r.value(process), u"ncv_nlrequester (%1)"_s.arg(helperPid));
        QCOMPARE(r.value(pid), QString::number(helperPid));
    }
    QCOMPARE(found, 1);
}

void TestNetnsHeadless::unknownNamespaceIsOneLine()
{
    QProcess p;
    p.start(m_binary,
            {u"--headless"_s, u"--netns"_s, u"nosuchns"_s, u"--export-csv"_s, m_dir.filePath(u"x.csv"_s),
             u"--duration"_s, u"0"_s});
    QVERIFY(p.waitForFinished(15000));
    const QByteArray err = p.readAllStandardError();
    QVERIFY(p.exitCode() != 0);
    QCOMPARE(err.count('\n'), 1);
    QVERIFY2(err.contains("no network namespace named nosuchns"), err.constData());
    QVERIFY(!QFile::exists(m_dir.filePath(u"x.csv"_s)));
}

void TestNetnsHeadless::emptyNamespaceNameIsOneLine()
{
    QProcess p;
    p.start(m_binary,
            {u"--headless"_s, u"--netns"_s, u"a,,b"_s, u"--export-csv"_s, m_dir.filePath(u"y.csv"_s), u"--duration"_s,
             u"0"_s});
    QVERIFY(p.waitForFinished(15000));
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 2);
    QCOMPARE(err.count('\n'), 1);
    QVERIFY2(err.contains("empty namespace name"), err.constData());
}

void TestNetnsHeadless::windowShowsOneNamespace()
{
    // The window on one named namespace: what it shows, it records (the live recording), so
    // the recording converted to CSV tells what the window held: that namespace's objects,
    // named, and a change made there while it ran.
    QVERIFY(ip(u"netns add nsw"_s));
    QVERIFY(ip(u"-n nsw link set lo up"_s));
    QVERIFY(ip(u"-n nsw link add w0 type veth peer name w1"_s));
    QVERIFY(ip(u"-n nsw link set w0 up"_s));
    QVERIFY(ip(u"-n nsw link set w1 up"_s));
    QVERIFY(ip(u"-n nsw addr add 10.77.0.1/24 dev w0"_s));
    QVERIFY(ip(u"-n nsw route add 10.78.0.0/16 via 10.77.0.2"_s));

    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
    env.insert(u"XDG_RUNTIME_DIR"_s, home.path());
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_binary, {u"--netns"_s, u"nsw"_s});
    QVERIFY(p.waitForStarted());
    const auto recordings = [&] {
        QStringList found;
        QDirIterator it(home.filePath(u"data"_s), {u"*.ncv"_s}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            found << it.next();
        return found;
    };
    QElapsedTimer t;
    t.start();
    while (recordings().isEmpty() && t.elapsed() < 30000 && p.state() == QProcess::Running)
        QTest::qWait(100);
    QVERIFY2(!recordings().isEmpty(), p.readAllStandardError().constData());
    QTest::qWait(1000); // the snapshot is in before the change
    QVERIFY(ip(u"-n nsw route add 10.79.0.0/16 via 10.77.0.2"_s));
    QTest::qWait(1500); // a recording holds what is at most 1 s old
    p.terminate(); // SIGTERM closes the window as File > Quit does
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);

    const QStringList files = recordings();
    QCOMPARE(files.size(), 1);
    const QString csv = m_dir.filePath(u"window-nsw.csv"_s);
    QVERIFY(runTool(m_binary, {u"--headless"_s, files.constFirst(), u"--export-csv"_s, csv}));
    QString error;
    const QList<QStringList> rows = ncv::test::readCsvFile(csv, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(rows.size() > 1);
    const qsizetype nsCol = rows[0].indexOf(u"namespace"_s);
    const qsizetype dstCol = rows[0].indexOf(u"destination"_s);
    const qsizetype changeCol = rows[0].indexOf(u"change"_s);
    const qsizetype ifCol = rows[0].indexOf(u"if_name"_s);
    QVERIFY(nsCol >= 0 && dstCol >= 0 && changeCol >= 0 && ifCol >= 0);
    QSet<QString> namespaces;
    bool sawInitialW0 = false;
    bool sawAdd = false;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        namespaces.insert(rows[i][nsCol]);
        sawInitialW0 |= rows[i][changeCol] == u"initial"_s && rows[i][ifCol] == u"w0"_s;
        sawAdd |= rows[i][changeCol] == u"add"_s && rows[i][dstCol] == u"10.79.0.0/16"_s;
    }
    QCOMPARE(namespaces, QSet<QString> {u"nsw"_s});
    QVERIFY(sawInitialW0);
    QVERIFY(sawAdd);
    QVERIFY(ip(u"netns del nsw"_s));
}

void TestNetnsHeadless::windowWatchesSeveralNamespaces()
{
    // `--netns nsx,nsy`: the window watches both (its tables show one at a time, the log
    // both: tst_livenamespaces); its live recording, read while it runs, holds each
    // namespace's objects and a change made in each, named. Each has ifindex 2 and 3 (d1, d0).
    QVERIFY(addNamespaceWithVeth(u"nsx"_s, u"10.61.0.1/24"_s));
    QVERIFY(addNamespaceWithVeth(u"nsy"_s, u"10.62.0.1/24"_s));
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
    env.insert(u"XDG_RUNTIME_DIR"_s, home.path());
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(m_binary, {u"--netns"_s, u"nsx,nsy"_s});
    QVERIFY(p.waitForStarted());
    const auto stopWindow = qScopeGuard([&p] {
        p.kill();
        p.waitForFinished();
    });
    const auto recording = [&] {
        QDirIterator it(home.filePath(u"data"_s), {u"*.ncv"_s}, QDir::Files, QDirIterator::Subdirectories);
        return it.hasNext() ? it.next() : QString();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(!recording().isEmpty() || p.state() != QProcess::Running, "no live recording", 30000);
    QVERIFY2(p.state() == QProcess::Running, p.readAllStandardError().constData());
    QVERIFY(ip(u"-n nsx route add 10.71.0.0/16 dev d0"_s));
    QVERIFY(ip(u"-n nsy route add 10.72.0.0/16 dev d0"_s));
    // (namespace, destination) of every route event the recording holds so far.
    const QString csv = m_dir.filePath(u"window-nsxy.csv"_s);
    const auto recordedRoutes = [&] {
        QSet<QString> found;
        if (!runTool(m_binary, {u"--headless"_s, recording(), u"--export-csv"_s, csv}))
            return found;
        QString error;
        const QList<QStringList> rows = ncv::test::readCsvFile(csv, &error);
        if (rows.isEmpty())
            return found;
        const qsizetype nsCol = rows[0].indexOf(u"namespace"_s);
        const qsizetype dstCol = rows[0].indexOf(u"destination"_s);
        const qsizetype ifCol = rows[0].indexOf(u"if_name"_s);
        const qsizetype objectCol = rows[0].indexOf(u"object"_s);
        for (qsizetype i = 1; i < rows.size(); ++i) {
            const QString dst = rows[i].value(dstCol); // not the local table's /32 routes
            if (rows[i].value(objectCol) == u"route"_s && dst.startsWith(u"10."_s)
                && (dst.endsWith(u"/16"_s) || dst.endsWith(u"/24"_s)))
                found.insert(rows[i].value(nsCol) + u' ' + rows[i].value(dstCol) + u' ' + rows[i].value(ifCol));
        }
        return found;
    };
    const QSet<QString> expected
        = {u"nsx 10.61.0.0/24 d0"_s, u"nsy 10.62.0.0/24 d0"_s, u"nsx 10.71.0.0/16 d0"_s, u"nsy 10.72.0.0/16 d0"_s};
    QTRY_COMPARE_WITH_TIMEOUT(recordedRoutes(), expected, 30000);
    p.terminate(); // SIGTERM closes the window as File > Quit does
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QVERIFY(ip(u"netns del nsx"_s));
    QVERIFY(ip(u"netns del nsy"_s));
}

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    ncv::test::enterPrivateMountNamespace();
    QCoreApplication app(argc, argv);
    TestNetnsHeadless test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_netnsheadless.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// Watching a remote host over ssh, with a fake ssh program ($NETCHANGEVIEW_SSH): it checks
// that the host and `--` come where OpenSSH expects them, ignores the host and runs the
// command after `--` with this build's netchangeview, in the test's private network
// namespace, where the test makes changes with `ip`. The model's tables must then equal
// what `ip -j` lists there; a bad line in the stream is one error that keeps what came
// before; each way ssh fails (OpenSSH's messages, exit 255; the shell's "command not found",
// exit 127) and a stream of another schema is one line; a connection cut mid-stream is a gap,
// a reconnect and a resync. Then the real OpenSSH client and server on 127.0.0.1 in the
// namespace, and the remote host's window on them: the ssh client killed while sshd is down,
// a change made meanwhile, the window counting down, reconnecting and showing the change.
#include "support/headlessrun.h"
#include "support/netns.h"
#include "support/runtool.h"
#include "views/mainwindow.h"

#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/recording/sqlitedb.h"
#include "model/remotesession.h"
#include "model/remotesource.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/ruletablemodel.h"
#include "platform/format.h"
#include "platform/requester.h"
#include "platform/source.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <QScopeGuard>

#include <mutex>
#include <vector>

#include <sqlite3.h>

#include <csignal>
#include <set>
#include <sys/types.h>

using namespace ncv;
using namespace Qt::StringLiterals;

namespace {

using ncv::test::ip;

QJsonArray ipJson(const QString &args)
{
    QProcess p;
    p.start(u"ip"_s, QProcess::splitCommand(QString(u"-j "_s + args)));
    p.waitForFinished(10000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).array();
}

// The texts of the columns named by headers, joined by " | ", of every row of a table.
std::set<QString> tableRows(const QAbstractItemModel *m, const QStringList &headers)
{
    QList<int> columns;
    for (const QString &h : headers)
        for (int c = 0; c < m->columnCount(); ++c)
            if (m->headerData(c, Qt::Horizontal).toString() == h)
                columns << c;
    std::set<QString> rows;
    for (int r = 0; r < m->rowCount(); ++r) {
        QStringList cells;
        for (int c : columns)
            cells << m->index(r, c).data().toString();
        rows.insert(cells.join(u" | "_s));
    }
    return rows;
}

// What `ip -j` lists, in the same form: routes "destination | table", addresses
// "address/prefix", interfaces "ifindex | name".
QString withPrefix(QString dst, bool v6)
{
    if (dst == u"default")
        return v6 ? u"::/0"_s : u"0.0.0.0/0"_s;
    return dst.contains(u'/') ? dst : dst + (v6 ? u"/128"_s : u"/32"_s);
}
std::set<QString> kernelRoutes()
{
    std::set<QString> out;
    for (const bool v6 : {false, true})
        for (const QJsonValue v : ipJson(v6 ? u"-6 route show table all"_s : u"-4 route show table all"_s)) {
            const QJsonObject o = v.toObject();
            const QString table = o.value(u"table"_s).toString(u"main"_s);
            out.insert(withPrefix(o.value(u"dst"_s).toString(), v6) + u" | "_s + table);
        }
    return out;
}
std::set<QString> kernelAddresses()
{
    std::set<QString> out;
    for (const QJsonValue link : ipJson(u"address show"_s))
        for (const QJsonValue a : link.toObject().value(u"addr_info"_s).toArray())
            out.insert(a.toObject().value(u"local"_s).toString() + u'/'
                       + QString::number(a.toObject().value(u"prefixlen"_s).toInt()));
    return out;
}
std::set<QString> kernelInterfaces()
{
    std::set<QString> out;
    for (const QJsonValue link : ipJson(u"link show"_s))
        out.insert(QString::number(link.toObject().value(u"ifindex"_s).toInt()) + u" | "_s
                   + link.toObject().value(u"ifname"_s).toString());
    return out;
}

QString describe(const std::set<QString> &a, const std::set<QString> &b)
{
    QStringList onlyA;
    QStringList onlyB;
    for (const QString &s : a)
        if (!b.count(s))
            onlyA << s;
    for (const QString &s : b)
        if (!a.count(s))
            onlyB << s;
    return u"model only: ["_s + onlyA.join(u", "_s) + u"] kernel only: ["_s + onlyB.join(u", "_s) + u']';
}

// Waits until the model's rows equal the kernel's, both read in the same pass, and fails
// with the difference of the last pass. Not QTRY_VERIFY2: it evaluates its expression once
// more after the wait, and a link-local route the kernel adds when duplicate address
// detection ends, between the two evaluations, failed a comparison that had just held.
#define QTRY_SAME_ROWS(modelRows, kernelRows, timeoutMs)                                                               \
    do {                                                                                                               \
        std::set<QString> shownRows_, kernelRows_;                                                                     \
        const QDeadlineTimer deadline_(timeoutMs);                                                                     \
        for (;;) {                                                                                                     \
            shownRows_ = (modelRows);                                                                                  \
            kernelRows_ = (kernelRows);                                                                                \
            if (shownRows_ == kernelRows_ || deadline_.hasExpired())                                                   \
                break;                                                                                                 \
            QTest::qWait(50);                                                                                          \
        }                                                                                                              \
        QVERIFY2(shownRows_ == kernelRows_, qPrintable(describe(shownRows_, kernelRows_)));                            \
    } while (false)

// The events of history from index `from` on that a lost connection makes: its gap notes
// ("gap: NOTE") and the resync's inferred route events ("add 10.77.0.0/16 | resync after
// gap"); other inferred events as "inferred SUMMARY". In history order. Not the IPv6
// multicast neighbors (NOARP): the kernel makes them as it sends (MLD, neighbor discovery)
// without announcing them, so a resync's dump finds them whenever that happened.
QStringList outageEvents(const EventHistory &history, qint64 from)
{
    QStringList out;
    for (qint64 i = from; i < history.size(); ++i) {
        const platform::ChangeRecord r = history.record(i);
        if (const auto *n = std::get_if<platform::NeighborRow>(&r.row());
            n && n->address.family == platform::Family::IPv6 && n->address.bytes[0] == 0xff)
            continue;
        if (r.change == platform::ChangeKind::Gap) {
            out << u"gap: "_s + QString::fromStdString(r.note);
        } else if (r.origin == platform::Origin::Inferred) {
            const auto *route = std::get_if<platform::RouteRow>(&r.row());
            if (!route) {
                out << u"inferred "_s + QString::fromStdString(platform::summary(r));
                continue;
            }
            out << QString::fromStdString(std::string(platform::changeName(r.change))) + u' '
                    + QString::fromStdString(platform::toCidr(route->destination, route->prefixLength)) + u" | "_s
                    + QString::fromStdString(platform::requesterText(platform::RequesterTable::get(r.requester)));
        }
    }
    return out;
}

pid_t readPid(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? pid_t(f.readAll().trimmed().toLong()) : 0;
}

} // namespace

class TestRemoteSource : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_fakeSsh;
    QString m_argsFile;

private slots:
    void initTestCase()
    {
        const auto &ns = ncv::test::networkNamespaceResult();
        if (!ns.entered)
            QSKIP(qPrintable(u"needs a private network namespace: "_s + QString::fromStdString(ns.message)));
        QVERIFY(m_dir.isValid());
        m_fakeSsh = m_dir.filePath(u"fake-ssh"_s);
        m_argsFile = m_dir.filePath(u"args"_s);
        QFile f(m_fakeSsh);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // As OpenSSH: options, the host, "--", the remote command. FAKE_SSH_FAIL makes it
        // fail as ssh does (one line on stderr, exit FAKE_SSH_EXIT, default 255); FAKE_SSH_ONLY
        // is the one line the "remote" writes (then it hangs); FAKE_SSH_TAIL appends a line to
        // what the remote writes, then ends; FAKE_SSH_PID gets the pid of the "connection"
        // (the remote netchangeview itself, exec'd); while the file FAKE_SSH_DOWN exists the
        // host refuses connections.
        f.write("#!/bin/sh\n"
                "echo \"$@\" > \"$FAKE_SSH_ARGS\"\n"
                "[ -n \"$FAKE_SSH_PID\" ] && echo $$ > \"$FAKE_SSH_PID\"\n"
                "while [ $# -gt 0 ] && [ \"$1\" != \"--\" ]; do shift; done\n"
                "[ \"$1\" = \"--\" ] || { echo 'fake ssh: no --' >&2; exit 254; }\n"
                "shift\n"
                "if [ -n \"$FAKE_SSH_DOWN\" ] && [ -e \"$FAKE_SSH_DOWN\" ]; then\n"
                "  echo 'ssh: connect to host h port 22: Connection refused' >&2; exit 255\n"
                "fi\n"
                "if [ -n \"$FAKE_SSH_FAIL\" ]; then echo \"$FAKE_SSH_FAIL\" >&2; exit \"${FAKE_SSH_EXIT:-255}\"; fi\n"
                "if [ -n \"$FAKE_SSH_ONLY\" ]; then printf '%s\\n' \"$FAKE_SSH_ONLY\"; exec sleep 30; fi\n"
                "[ \"$1\" = netchangeview ] || { echo \"fake ssh: $1: command not found\" >&2; exit 127; }\n"
                "shift\n"
                "if [ -n \"$FAKE_SSH_TAIL\" ]; then\n"
                "  \"$NCV_APP\" \"$@\" --duration 1 2>/dev/null; printf '%s\\n' \"$FAKE_SSH_TAIL\"; exit 0\n"
                "fi\n"
                "exec \"$NCV_APP\" \"$@\"\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("NETCHANGEVIEW_SSH", m_fakeSsh.toLocal8Bit());
        qputenv("FAKE_SSH_ARGS", m_argsFile.toLocal8Bit());
        qputenv("NCV_APP", NCV_APP_BINARY);
        qunsetenv("FAKE_SSH_FAIL");
        qunsetenv("FAKE_SSH_TAIL");

        QVERIFY(ip(u"link add rs0 type veth peer name rs0p"_s));
        QVERIFY(ip(u"link set rs0 up"_s));
        QVERIFY(ip(u"link set rs0p up"_s));
        QVERIFY(ip(u"address add 10.71.0.1/24 dev rs0"_s));
        QVERIFY(ip(u"address add 2001:db8:71::1/64 dev rs0 nodad"_s));
        QVERIFY(ip(u"route add 10.72.0.0/16 via 10.71.0.2 metric 50"_s));
        QVERIFY(ip(u"route add 2001:db8:72::/48 via 2001:db8:71::2"_s));
    }

    void parsesHostAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("display");
        QTest::newRow("host") << u"ssh://router"_s << u"router"_s;
        QTest::newRow("user, port") << u"ssh://admin@router:2222"_s << u"admin@router:2222"_s;
        QTest::newRow("v6") << u"ssh://[2001:db8::1]:22"_s << u"[2001:db8::1]:22"_s;
        QTest::newRow("no scheme") << u"router"_s << u""_s;
        QTest::newRow("bad port") << u"ssh://router:0"_s << u""_s;
        QTest::newRow("option") << u"ssh://-oProxyCommand=x"_s << u""_s;
    }
    void parsesHostAddresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, display);
        RemoteHost h;
        QString error;
        QCOMPARE(RemoteHost::parse(text, &h, &error), !display.isEmpty());
        if (!display.isEmpty())
            QCOMPARE(h.display(), display);
        else
            QVERIFY(!error.isEmpty());
    }

    void tablesEqualTheRemoteNamespace()
    {
        RemoteHost host;
        host.host = u"remote.example"_s;
        host.user = u"ncv"_s;
        host.port = 2222;
        RemoteSession session(host);
        NotificationModel *model = session.model();
        QSignalSpy ready(model, &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY2(session.start(platform::afUnspec(), &error), qPrintable(error));
        QVERIFY2(ready.wait(30000) || ready.count() == 1, qPrintable(session.endMessage()));
        QFile args(m_argsFile);
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(args.readAll().trimmed(),
                 QByteArray("-T -o BatchMode=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -p 2222 -l ncv "
                            "remote.example -- netchangeview --headless --stream -"));
        const auto check = [&] {
            QTRY_SAME_ROWS(tableRows(model->routes(), {u"Destination"_s, u"Table"_s}), kernelRoutes(), 15000);
            QTRY_SAME_ROWS(tableRows(model->addresses(), {u"Address"_s}), kernelAddresses(), 15000);
            QTRY_SAME_ROWS(tableRows(model->interfaces(), {u"ifindex"_s, u"Name"_s}), kernelInterfaces(), 15000);
        };
        check();
        if (QTest::currentTestFailed())
            return;
        // Live changes on the "remote" side.
        QVERIFY(ip(u"link add rs1 type veth peer name rs1p"_s));
        QVERIFY(ip(u"link set rs1 up"_s));
        QVERIFY(ip(u"link set rs1p up"_s));
        QVERIFY(ip(u"address add 10.73.0.1/24 dev rs1"_s));
        QVERIFY(ip(u"route add 10.74.0.0/16 via 10.73.0.2 table 100"_s));
        QVERIFY(ip(u"route del 10.72.0.0/16"_s));
        QVERIFY(ip(u"address del 2001:db8:71::1/64 dev rs0"_s));
        check();
        if (QTest::currentTestFailed())
            return;
        // The silent IPv4 route deletions of a link going away arrive too.
        QVERIFY(ip(u"link del rs1"_s));
        check();
        QVERIFY(session.endMessage().isEmpty());
        QVERIFY(model->history()->size() > 0);
    }

    void aBadLineEndsTheStreamAndKeepsWhatCameBefore()
    {
        qputenv("FAKE_SSH_TAIL", "{\"schema\":\"netchangeview.event/1\",\"time_us\":");
        RemoteSession session(RemoteHost {QString(), u"h"_s, 0});
        QSignalSpy ended(&session, &RemoteSession::ended);
        QSignalSpy ready(session.model(), &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY(session.start(platform::afInet(), &error));
        QVERIFY(ended.wait(30000));
        qunsetenv("FAKE_SSH_TAIL");
        const QString message = ended.constFirst().constFirst().toString();
        QVERIFY2(message.startsWith(u"the stream from h is damaged: line "_s), qPrintable(message));
        QVERIFY2(message.contains(u"not JSON"_s), qPrintable(message));
        QCOMPARE(ready.count(), 1);
        // Everything before the bad line is there.
        QVERIFY(tableRows(session.model()->routes(), {u"Destination"_s}).count(u"10.72.0.0/16"_s) == 0);
        QVERIFY(tableRows(session.model()->addresses(), {u"Address"_s}).count(u"10.71.0.1/24"_s) == 1);
        QVERIFY(tableRows(session.model()->interfaces(), {u"Name"_s}).count(u"rs0"_s) == 1);
        // The end is an event too.
        QTRY_VERIFY(session.model()->history()->size() > 0);
    }

    // Each way ssh fails is one line: what happened, then ssh's (or the remote shell's) own
    // words; the messages are OpenSSH's, bash's and dash's, the exit codes theirs.
    void sshFailuresAreOneLine_data()
    {
        QTest::addColumn<QString>("said");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("line");
        const QString refused = u"ssh: connect to host nowhere port 22: Connection refused"_s;
        QTest::newRow("refused") << refused << 255
                                 << u"admin@nowhere refused the connection (no ssh server on that port?): "_s + refused;
        for (const char *why : {"No route to host", "Network is unreachable", "Connection timed out"}) {
            const QString said = u"ssh: connect to host nowhere port 22: "_s + QString::fromLatin1(why);
            QTest::newRow(why) << said << 255 << u"admin@nowhere is unreachable: "_s + said;
        }
        const QString name = u"ssh: Could not resolve hostname nowhere: Name or service not known"_s;
        QTest::newRow("name") << name << 255 << u"admin@nowhere: no such host (its name does not resolve): "_s + name;
        const QString denied = u"admin@nowhere: Permission denied (publickey,password)."_s;
        QTest::newRow("authentication")
            << denied << 255
            << u"authentication to admin@nowhere failed (no password is asked: give ssh a key, e.g. with ssh-add or "
               u"IdentityFile in ~/.ssh/config): "_s
                + denied;
        QTest::newRow("host key") << u"Host key verification failed."_s << 255
                                  << u"the host key of admin@nowhere is not known or has changed (check it and accept "
                                     u"it once with a plain ssh nowhere): Host key verification failed."_s;
        const QString notInstalled = u"netchangeview is not installed on admin@nowhere (or not on the PATH of a "
                                     u"non-interactive login): install it there with sudo apt-get install "
                                     u"./netchangeview_*_amd64.deb"_s;
        QTest::newRow("bash: command not found")
            << u"bash: line 1: netchangeview: command not found"_s << 127 << notInstalled;
        QTest::newRow("dash: not found") << u"sh: 1: netchangeview: not found"_s << 127 << notInstalled;
        const QString libraries = u"netchangeview: error while loading shared libraries: libQt6Charts.so.6: cannot "
                                  u"open shared object file: No such file or directory"_s;
        QTest::newRow("a library missing")
            << libraries << 127 << u"netchangeview cannot run on admin@nowhere (ssh exit code 127): "_s + libraries;
        QTest::newRow("other") << u"netchangeview: --stream: cannot write"_s << 1
                               << u"the stream from admin@nowhere ended (ssh exit code 1): netchangeview: --stream: "
                                  u"cannot write"_s;
    }
    void sshFailuresAreOneLine()
    {
        QFETCH(QString, said);
        QFETCH(int, exitCode);
        QFETCH(QString, line);
        qputenv("FAKE_SSH_FAIL", said.toLocal8Bit());
        qputenv("FAKE_SSH_EXIT", QByteArray::number(exitCode));
        RemoteOptions options;
        options.reconnectFirstMs = 50; // a first connection is never retried, however short the wait
        RemoteSession session(RemoteHost {u"admin"_s, u"nowhere"_s, 0}, options);
        QSignalSpy ended(&session, &RemoteSession::ended);
        QString error;
        QVERIFY(session.start(platform::afUnspec(), &error));
        QVERIFY(ended.wait(30000));
        qunsetenv("FAKE_SSH_FAIL");
        qunsetenv("FAKE_SSH_EXIT");
        QCOMPARE(ended.constFirst().constFirst().toString(), line);
        QVERIFY(!line.contains(u'\n'));
        QCOMPARE(session.state(), RemoteSession::State::Ended);
        QVERIFY(!session.model()->isSnapshotComplete());
        // The end is the history's one gap event, with that line.
        QTRY_COMPARE(session.model()->history()->size(), qint64(1));
        const platform::ChangeRecord gap = session.model()->history()->record(0);
        QCOMPARE(gap.change, platform::ChangeKind::Gap);
        QCOMPARE(QString::fromStdString(gap.note), line);
        QTest::qWait(200); // and no second attempt
        QCOMPARE(ended.count(), 1);
        QCOMPARE(session.model()->history()->size(), qint64(1));
    }

    // A remote whose stream is of another major schema: one line with both schemas and
    // which side to upgrade, whether it is the first line or comes after live events (which
    // are kept); ssh is ended, not waited for.
    void anotherSchemaSaysWhatToUpgrade_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<bool>("afterEvents");
        QTest::addColumn<QString>("message");
        const QString newer = u"h runs a newer netchangeview: its stream is netchangeview.event/2, this netchangeview "
                              u"reads netchangeview.event/1: upgrade netchangeview on this computer"_s;
        const QString older = u"h runs an older netchangeview: its stream is netchangeview.event/0, this netchangeview "
                              u"reads netchangeview.event/1: upgrade it there with sudo apt-get install "
                              u"./netchangeview_*_amd64.deb"_s;
        const QByteArray v2 = "{\"schema\":\"netchangeview.event/2\",\"time_us\":1,\"object\":\"route\"}";
        const QByteArray v0 = "{\"schema\":\"netchangeview.event/0\",\"time_us\":1}";
        QTest::newRow("newer, first line") << v2 << false << newer;
        QTest::newRow("older, first line") << v0 << false << older;
        QTest::newRow("newer, after events") << v2 << true << newer;
    }
    void anotherSchemaSaysWhatToUpgrade()
    {
        QFETCH(QByteArray, line);
        QFETCH(bool, afterEvents);
        QFETCH(QString, message);
        qputenv(afterEvents ? "FAKE_SSH_TAIL" : "FAKE_SSH_ONLY", line);
        RemoteSession session(RemoteHost {QString(), u"h"_s, 0});
        QSignalSpy ended(&session, &RemoteSession::ended);
        QElapsedTimer t;
        t.start();
        QString error;
        QVERIFY(session.start(platform::afInet(), &error));
        QVERIFY(ended.wait(30000));
        qunsetenv("FAKE_SSH_TAIL");
        qunsetenv("FAKE_SSH_ONLY");
        QCOMPARE(ended.constFirst().constFirst().toString(), message);
        QVERIFY2(t.elapsed() < 20000, "ssh was waited for"); // the fake hangs for 30 s after its line
        QCOMPARE(session.model()->isSnapshotComplete(), afterEvents);
        if (afterEvents)
            QCOMPARE(tableRows(session.model()->addresses(), {u"Address"_s}).count(u"10.71.0.1/24"_s), std::size_t(1));
        QCOMPARE(session.state(), RemoteSession::State::Ended);
    }

    // A connection lost mid-stream (the "ssh" process killed: here the remote netchangeview
    // the fake execs) is one gap event; it is tried again after the back-off, again while the
    // host refuses (each wait longer), and once back the changes made during the outage
    // arrive as the resync's inferred events, by "resync after gap", and nothing else; the
    // tables equal the kernel's and live changes go on.
    void aLostConnectionReconnectsAndResyncs()
    {
        const QString pidFile = m_dir.filePath(u"pid"_s);
        const QString downFile = m_dir.filePath(u"down"_s);
        qputenv("FAKE_SSH_PID", pidFile.toLocal8Bit());
        qputenv("FAKE_SSH_DOWN", downFile.toLocal8Bit());
        const auto restore = qScopeGuard([] {
            qunsetenv("FAKE_SSH_PID");
            qunsetenv("FAKE_SSH_DOWN");
        });
        RemoteOptions options;
        options.reconnectFirstMs = 300;
        options.reconnectMaxMs = 500; // doubled once, then held there
        std::mutex retriesLock;
        std::vector<int> retries; // retryInMs at each Waiting, from the reader thread
        options.status = [&](RemoteState state, const std::string &, int retryInMs) {
            if (state == RemoteState::Waiting) {
                std::lock_guard lock(retriesLock);
                retries.push_back(retryInMs);
            }
        };
        const auto retriesSoFar = [&] {
            std::lock_guard lock(retriesLock);
            return retries;
        };
        RemoteSession session(RemoteHost {QString(), u"h"_s, 0}, options);
        NotificationModel *model = session.model();
        QSignalSpy ready(model, &NotificationModel::snapshotComplete);
        QSignalSpy ended(&session, &RemoteSession::ended);
        QList<RemoteSession::State> states;
        QList<int> waits; // seconds to the next attempt, at each Waiting
        connect(&session, &RemoteSession::stateChanged, this, [&](RemoteSession::State state, const QString &) {
            states << state;
            if (state == RemoteSession::State::Waiting)
                waits << session.secondsToRetry();
        });
        QString error;
        QVERIFY(session.start(platform::afUnspec(), &error));
        QVERIFY2(ready.wait(30000), qPrintable(session.endMessage()));
        QTRY_COMPARE(session.state(), RemoteSession::State::Live);
        const QStringList routeColumns {u"Destination"_s, u"Table"_s};
        QVERIFY(ip(u"route add 10.78.0.0/16 via 10.71.0.2"_s));
        // Changes of every kind before the outage, so that the state the source holds for the
        // resync is what the stream's records built: a held state that drifted from the
        // remote's would show as inferred events nobody made.
        QVERIFY(ip(u"route replace 10.78.0.0/16 via 10.71.0.3"_s));
        QVERIFY(ip(u"address add 10.71.0.9/24 dev rs0"_s));
        QVERIFY(ip(u"address add 2001:db8:7a::1/64 dev rs0 nodad"_s));
        QVERIFY(ip(
            u"-6 route add 2001:db8:7b::/48 nexthop via 2001:db8:7a::2 dev rs0 nexthop via 2001:db8:7a::3 dev rs0"_s));
        QVERIFY(ip(u"-6 route del 2001:db8:7b::/48 via 2001:db8:7a::3 dev rs0"_s));
        QVERIFY(ip(u"link add rs2 type veth peer name rs2p"_s));
        QVERIFY(ip(u"link set rs2 up"_s));
        QVERIFY(ip(u"address add 10.7.2.1/24 dev rs2"_s));
        QVERIFY(ip(u"link set rs2 mtu 1400"_s));
        QVERIFY(ip(u"address del 10.71.0.9/24 dev rs0"_s));
        QVERIFY(ip(u"link del rs2"_s));
        QVERIFY(ip(u"rule add to 10.80.0.0/16 lookup 100 priority 3000"_s));
        QTRY_VERIFY_WITH_TIMEOUT(tableRows(model->rules(), {u"Priority"_s}).count(u"3000"_s) == 1, 15000);
        QTRY_SAME_ROWS(tableRows(model->routes(), routeColumns), kernelRoutes(), 15000);
        QTRY_SAME_ROWS(tableRows(model->addresses(), {u"Address"_s}), kernelAddresses(), 15000);
        QTRY_SAME_ROWS(tableRows(model->interfaces(), {u"ifindex"_s, u"Name"_s}), kernelInterfaces(), 15000);
        // The kernel's own changes done (duplicate address detection of the link-local
        // addresses), so that what changes during the outage is only what the test changes.
        QTRY_VERIFY_WITH_TIMEOUT(!QJsonDocument(ipJson(u"address show"_s)).toJson().contains("tentative"), 15000);
        QTest::qWait(300); // anything still on its way
        const qint64 before = model->history()->size();

        // The outage: the host refuses connections, and the one there is cut.
        QFile down(downFile);
        QVERIFY(down.open(QIODevice::WriteOnly));
        down.close();
        const pid_t pid = readPid(pidFile);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QTRY_COMPARE(session.state(), RemoteSession::State::Waiting);
        QCOMPARE(session.stateMessage(), u"the connection to h was lost (ssh was killed)"_s);
        QVERIFY(ip(u"route add 10.79.0.0/16 via 10.71.0.2"_s));
        QVERIFY(ip(u"route del 10.78.0.0/16"_s));
        QVERIFY(ip(u"rule del priority 3000"_s));
        QVERIFY(ip(u"rule add to 10.81.0.0/16 lookup 100 priority 3001"_s));
        // Tried again and refused: still waiting, longer, with the refusal as the reason.
        QTRY_VERIFY_WITH_TIMEOUT(session.stateMessage().startsWith(u"h refused the connection"_s), 10000);
        QTRY_VERIFY(states.count(RemoteSession::State::Waiting) >= 2);
        QCOMPARE(session.reconnects(), 0);
        // Refused again: the wait doubled to the cap and stays there.
        QTRY_VERIFY_WITH_TIMEOUT(retriesSoFar().size() >= 3, 10000);
        const std::vector<int> firstWaits = retriesSoFar();
        QCOMPARE(std::vector<int>(firstWaits.begin(), firstWaits.begin() + 3), (std::vector<int> {300, 500, 500}));
        QVERIFY(QFile::remove(downFile));

        QTRY_COMPARE_WITH_TIMEOUT(session.state(), RemoteSession::State::Live, 15000);
        QCOMPARE(session.reconnects(), 1);
        QVERIFY2(session.stateMessage().startsWith(u"reconnected to h: "_s), qPrintable(session.stateMessage()));
        QVERIFY(states.contains(RemoteSession::State::Reconnecting));
        QVERIFY(waits.size() >= 2);
        QCOMPARE(ended.count(), 0);
        QTRY_SAME_ROWS(tableRows(model->routes(), routeColumns), kernelRoutes(), 15000);
        QCOMPARE(outageEvents(*model->history(), before).join(u'\n'),
                 (QStringList {u"gap: the connection to h was lost (ssh was killed); reconnecting"_s,
                               u"inferred add rule 3001: from all to 10.81.0.0/16 lookup 100"_s,
                               u"add 10.79.0.0/16 | resync after gap"_s, u"delete 10.78.0.0/16 | resync after gap"_s,
                               u"inferred delete rule 3000: from all to 10.80.0.0/16 lookup 100"_s})
                     .join(u'\n'));
        QCOMPARE(tableRows(model->rules(), {u"Priority"_s}).count(u"3000"_s), std::size_t(0));
        QCOMPARE(tableRows(model->rules(), {u"Priority"_s}).count(u"3001"_s), std::size_t(1));
        QCOMPARE(model->gapCount(), qint64(1));
        platform::SourceStats stats;
        QVERIFY(model->sourceStats(&stats));
        QCOMPARE(stats.resyncs, std::uint64_t(1));
        // Live again: a change now is an observed event.
        QVERIFY(ip(u"route del 10.79.0.0/16"_s));
        QTRY_VERIFY(!tableRows(model->routes(), routeColumns).count(u"10.79.0.0/16 | main"_s));
        const platform::ChangeRecord last = model->history()->record(model->history()->size() - 1);
        QCOMPARE(last.change, platform::ChangeKind::Delete);
        QCOMPARE(last.origin, platform::Origin::Observed);
    }

    void headlessRecordingSaysWhySshFailedAndExits1()
    {
        QTemporaryDir out;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"FAKE_SSH_FAIL"_s, u"admin@router: Permission denied (publickey)."_s);
        p.setProcessEnvironment(env);
        p.start(QString::fromLocal8Bit(NCV_APP_BINARY),
                {u"--headless"_s, u"ssh://admin@router"_s, u"--export-csv"_s, out.filePath(u"out.csv"_s)});
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(u"netchangeview: authentication to admin@router failed (no password is asked: give ssh a "
                              u"key, e.g. with ssh-add or IdentityFile in ~/.ssh/config): admin@router: Permission "
                              u"denied (publickey).\n"_s),
                 qPrintable(err));
        // A live recording of the namespace through the fake ssh, with --duration.
        QProcess ok;
        ok.start(
            QString::fromLocal8Bit(NCV_APP_BINARY),
            {u"--headless"_s, u"ssh://h"_s, u"--export-csv"_s, out.filePath(u"ok.csv"_s), u"--duration"_s, u"1"_s});
        QVERIFY(ok.waitForFinished(30000));
        QCOMPARE(ok.exitCode(), 0);
        QFile csv(out.filePath(u"ok.csv"_s));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().contains(",route,initial,ipv4,"));
    }

    // The headless recorder records across a lost connection: it says so and when it is
    // back on standard error, the CSV has the gap, and it exits 0 at the end of --duration.
    void headlessRecordingReconnects()
    {
        QTemporaryDir out;
        const QString pidFile = out.filePath(u"pid"_s);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"FAKE_SSH_PID"_s, pidFile);
        p.setProcessEnvironment(env);
        p.start(
            QString::fromLocal8Bit(NCV_APP_BINARY),
            {u"--headless"_s, u"ssh://h"_s, u"--export-csv"_s, out.filePath(u"out.csv"_s), u"--duration"_s, u"8"_s});
        QByteArray err;
        QVERIFY2(ncv::test::readUntilReady(p, err, 20000), err.constData());
        const pid_t pid = readPid(pidFile);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(p.waitForFinished(30000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.contains("netchangeview: the connection to h was lost (ssh was killed); reconnecting in 1 s\n"),
                 err.constData());
        QVERIFY2(err.contains("netchangeview: reconnected to h: "), err.constData());
        QFile csv(out.filePath(u"out.csv"_s));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().contains("the connection to h was lost (ssh was killed); reconnecting"));
    }

    void aMissingSshProgramIsSaid()
    {
        RemoteOptions options;
        options.program = m_dir.filePath(u"no-such-ssh"_s);
        RemoteSession session(RemoteHost {QString(), u"h"_s, 0}, options);
        QSignalSpy ended(&session, &RemoteSession::ended);
        QString error;
        QVERIFY(session.start(platform::afUnspec(), &error));
        QVERIFY(ended.wait(30000));
        QVERIFY2(ended.constFirst().constFirst().toString().startsWith(u"cannot start "_s + options.program),
                 qPrintable(ended.constFirst().constFirst().toString()));
    }

    // The real OpenSSH client and server over loopback (in the test's namespace), when
    // sshd is installed (Debian: openssh-server): a throwaway host key, a user key in an
    // authorized_keys that puts this build's netchangeview on the PATH, and BatchMode
    // refusing a key the server does not know with ssh's own message.
    void realOpenSsh()
    {
        const QStringList sbin {u"/usr/sbin"_s, u"/usr/local/sbin"_s, u"/sbin"_s};
        const QString sshd = QStandardPaths::findExecutable(u"sshd"_s, sbin);
        const QString ssh = QStandardPaths::findExecutable(u"ssh"_s);
        const QString keygen = QStandardPaths::findExecutable(u"ssh-keygen"_s);
        if (sshd.isEmpty() || ssh.isEmpty() || keygen.isEmpty())
            QSKIP("needs OpenSSH's sshd, ssh and ssh-keygen (Debian: openssh-server, openssh-client)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto path = [&](const char *name) { return dir.filePath(QString::fromLatin1(name)); };
        for (const char *key : {"host_key", "user_key", "other_key"})
            QCOMPARE(
                QProcess::execute(keygen, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, path(key)}), 0);
        QVERIFY(QDir().mkpath(path("bin")));
        QVERIFY(QFile::link(QString::fromLocal8Bit(NCV_APP_BINARY), path("bin/netchangeview")));
        const auto write = [](const QString &file, const QByteArray &text) {
            QFile f(file);
            return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
        };
        QFile pub(path("user_key.pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QVERIFY(write(path("authorized_keys"),
                      "environment=\"PATH=" + path("bin").toLocal8Bit() + ":/usr/bin:/bin\" " + pub.readAll()));
        QVERIFY(write(path("sshd_config"),
                      "Port 2299\nListenAddress 127.0.0.1\nHostKey " + path("host_key").toLocal8Bit()
                          + "\nAuthorizedKeysFile " + path("authorized_keys").toLocal8Bit() + "\nPidFile "
                          + path("sshd.pid").toLocal8Bit()
                          + "\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication "
                            "no\nPermitUserEnvironment yes\nPermitRootLogin prohibit-password\n"));
        for (const char *key : {"user_key", "other_key"}) {
            const QString name = QString::fromLatin1(key);
            QVERIFY(write(dir.filePath(name + u".config"_s),
                          "Host *\n  IdentityFile " + path(key).toLocal8Bit()
                              + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + path("known_hosts").toLocal8Bit()
                              + "\n  StrictHostKeyChecking accept-new\n"));
            QVERIFY(write(dir.filePath(name + u".ssh"_s),
                          "#!/bin/sh\nexec " + ssh.toLocal8Bit() + " -F "
                              + dir.filePath(name + u".config"_s).toLocal8Bit() + " \"$@\"\n"));
            QVERIFY(QFile::setPermissions(dir.filePath(name + u".ssh"_s),
                                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        }
        QDir().mkpath(u"/run/sshd"_s); // its privilege separation directory (as root)
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(sshd, {u"-D"_s, u"-e"_s, u"-f"_s, path("sshd_config")});
        QByteArray said;
        QElapsedTimer t;
        t.start();
        while (!said.contains("Server listening") && server.state() != QProcess::NotRunning && t.elapsed() < 10000) {
            server.waitForReadyRead(200);
            said += server.readAll();
        }
        if (!said.contains("Server listening"))
            QSKIP(qPrintable(u"sshd does not start here: "_s + QString::fromLocal8Bit(said.trimmed())));

        RemoteHost host;
        QString error;
        QVERIFY(RemoteHost::parse(u"ssh://root@127.0.0.1:2299"_s, &host, &error));
        {
            RemoteOptions options;
            options.program = path("user_key.ssh");
            RemoteSession session(host, options);
            QSignalSpy ready(session.model(), &NotificationModel::snapshotComplete);
            QVERIFY(session.start(platform::afUnspec(), &error));
            QVERIFY2(ready.wait(30000), qPrintable(session.endMessage()));
            QVERIFY(ip(u"route add 10.75.0.0/16 via 10.71.0.3"_s));
            const QStringList routeColumns {u"Destination"_s, u"Table"_s};
            QTRY_SAME_ROWS(tableRows(session.model()->routes(), routeColumns), kernelRoutes(), 15000);
            QVERIFY(tableRows(session.model()->routes(), routeColumns).count(u"10.75.0.0/16 | main"_s));
            QVERIFY(session.endMessage().isEmpty());
        }
        {
            RemoteOptions options;
            options.program = path("other_key.ssh");
            RemoteSession session(host, options);
            QSignalSpy ended(&session, &RemoteSession::ended);
            QVERIFY(session.start(platform::afUnspec(), &error));
            QVERIFY(ended.wait(30000));
            const QString message = ended.constFirst().constFirst().toString();
            QVERIFY2(message.startsWith(u"authentication to root@127.0.0.1:2299 failed "_s)
                         && message.contains(u"Permission denied"_s),
                     qPrintable(message));
        }
        {
            // The window File > Open Remote Host opens, on this sshd. The ssh program notes
            // its pid first (exec keeps it), so the test cuts exactly the connection it made.
            const QString pidFile = path("ssh.pid");
            QVERIFY(write(path("pid.ssh"),
                          "#!/bin/sh\necho $$ > " + pidFile.toLocal8Bit() + "\nexec " + ssh.toLocal8Bit() + " -F "
                              + path("user_key.config").toLocal8Bit() + " \"$@\"\n"));
            QVERIFY(QFile::setPermissions(path("pid.ssh"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
            qputenv("NETCHANGEVIEW_SSH", path("pid.ssh").toLocal8Bit());
            const auto restore = qScopeGuard([this] { qputenv("NETCHANGEVIEW_SSH", m_fakeSsh.toLocal8Bit()); });
            QPointer<MainWindow> window
                = MainWindow::openRemoteWindow(host, platform::afUnspec(), MainWindow::LiveRecording::FromSettings);
            QVERIFY(window);
            window->resize(1500, 900);
            window->show();
            RemoteSession *session = window->remoteSession();
            NotificationModel *model = session->model();
            const QString title = u"root@127.0.0.1:2299 — NetChangeView"_s;
            QTRY_COMPARE_WITH_TIMEOUT(session->state(), RemoteSession::State::Live, 30000);
            QCOMPARE(window->windowTitle(), title);
            const QStringList routeColumns {u"Destination"_s, u"Table"_s};
            QVERIFY(ip(u"route add 10.76.0.0/16 via 10.71.0.3"_s));
            QTRY_VERIFY_WITH_TIMEOUT(tableRows(model->routes(), routeColumns).count(u"10.76.0.0/16 | main"_s), 15000);
            const QString recording = window->liveRecordingPath();
            QVERIFY(!recording.isEmpty());
            const qint64 before = model->history()->size();

            // The outage: sshd stops listening (the session it runs goes on), then the ssh
            // client is killed. Reconnecting is refused until sshd is back.
            server.terminate();
            QVERIFY(server.waitForFinished(5000));
            const pid_t pid = readPid(pidFile);
            QVERIFY(pid > 0);
            QCOMPARE(::kill(pid, SIGKILL), 0);
            QTRY_COMPARE_WITH_TIMEOUT(window->windowTitle(), u"root@127.0.0.1:2299 (reconnecting) — NetChangeView"_s,
                                      15000);
            QVERIFY(ip(u"route add 10.77.0.0/16 via 10.71.0.3"_s));
            QVERIFY(ip(u"route del 10.76.0.0/16"_s));
            QTRY_VERIFY_WITH_TIMEOUT(
                window->statusBar()->currentMessage().startsWith(
                    u"Connection lost: root@127.0.0.1:2299 refused the connection (no ssh server on that port?): ssh: "
                    u"connect to host 127.0.0.1 port 2299: Connection refused"_s),
                15000);
            QTRY_VERIFY(window->stateLabel()->text().startsWith(u"Connection lost · reconnecting in "_s));
            QTRY_VERIFY(window->connectionBanner()->isVisible()
                        && window->connectionBanner()->text().startsWith(u"Connection lost, reconnecting in "_s));
            QVERIFY2(window->connectionBanner()->text().endsWith(u" s: root@127.0.0.1:2299 refused the connection (no "
                                                                 u"ssh server on that port?): ssh: connect to host "
                                                                 u"127.0.0.1 port 2299: Connection refused"_s)
                         || window->connectionBanner()->text().startsWith(u"Connection lost, reconnecting now"_s),
                     qPrintable(window->connectionBanner()->text()));
            QCOMPARE(
                outageEvents(*model->history(), before),
                QStringList {u"gap: the connection to root@127.0.0.1:2299 was lost (ssh was killed); reconnecting"_s});
            QCOMPARE(window->resyncLabel()->text(), u"Resyncs: 1"_s);
            const QString shots = qEnvironmentVariable("NCV_TEST_SCREENSHOTS");
            if (!shots.isEmpty())
                window->grab().save(shots + u"/remote-reconnecting.png"_s);

            server.start(sshd, {u"-D"_s, u"-e"_s, u"-f"_s, path("sshd_config")});
            QVERIFY(server.waitForStarted(5000));
            QTRY_COMPARE_WITH_TIMEOUT(session->state(), RemoteSession::State::Live, 40000);
            QCOMPARE(window->windowTitle(), title);
            QVERIFY2(window->statusBar()->currentMessage().startsWith(u"Reconnected to root@127.0.0.1:2299: "_s),
                     qPrintable(window->statusBar()->currentMessage()));
            QTRY_SAME_ROWS(tableRows(model->routes(), routeColumns), kernelRoutes(), 15000);
            // The gap, then what changed while disconnected, found by the resync.
            QCOMPARE(
                outageEvents(*model->history(), before),
                (QStringList {u"gap: the connection to root@127.0.0.1:2299 was lost (ssh was killed); reconnecting"_s,
                              u"add 10.77.0.0/16 | resync after gap"_s, u"delete 10.76.0.0/16 | resync after gap"_s}));
            QVERIFY(window->stateLabel()->text().startsWith(u"Running"_s));
            QVERIFY(!window->connectionBanner()->isVisible());
            // Live again.
            QVERIFY(ip(u"route del 10.77.0.0/16"_s));
            QTRY_VERIFY_WITH_TIMEOUT(!tableRows(model->routes(), routeColumns).count(u"10.77.0.0/16 | main"_s), 15000);
            if (!shots.isEmpty())
                window->grab().save(shots + u"/remote-reconnected.png"_s);
            window->close(); // deleted on close; the recording is finished
            QTRY_VERIFY(!window);

            // The recording has the gap and, right after it, a keyframe: as after an overflow.
            recording::sql::Db db;
            std::string why;
            QVERIFY2(db.open(QFile::encodeName(recording).toStdString(), SQLITE_OPEN_READONLY, &why) == SQLITE_OK,
                     why.c_str());
            const auto column = [&](const char *text) {
                QList<qint64> values;
                recording::sql::Stmt q;
                if (q.prepare(db, text) == SQLITE_OK)
                    while (q.step() == SQLITE_ROW)
                        values << q.int64(0);
                return values;
            };
            const QList<qint64> gaps = column("SELECT seq FROM events WHERE object = 5");
            QCOMPARE(gaps.size(), 1);
            QCOMPARE(column("SELECT seq FROM keyframes WHERE reason = 'gap'"), gaps);
            QVERIFY(column("SELECT count(*) FROM events WHERE seq > (SELECT seq FROM events WHERE object = 5) AND "
                           "origin = 1")
                        .value(0)
                    >= 2);
            QFile::remove(recording);
        }
        server.terminate();
        server.waitForFinished(5000);
    }

    void cancelEndsSshWithoutAnEndMessage()
    {
        RemoteSession session(RemoteHost {QString(), u"h"_s, 0});
        QSignalSpy ended(&session, &RemoteSession::ended);
        QSignalSpy ready(session.model(), &NotificationModel::snapshotComplete);
        QString error;
        QVERIFY(session.start(platform::afUnspec(), &error));
        QVERIFY(ready.wait(30000));
        session.model()->stop();
        QTest::qWait(300);
        QCOMPARE(ended.count(), 0);
    }
};

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QStandardPaths::setTestModeEnabled(true); // the window's recordings, never the user's
    QApplication app(argc, argv);
    TestRemoteSource test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_remotesource.moc"

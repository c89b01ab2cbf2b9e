// SPDX-License-Identifier: GPL-2.0-or-later
// Watching a remote host over ssh, with a fake ssh program ($NETCHANGEVIEW_SSH): it checks
// that the host and `--` come where OpenSSH expects them, ignores the host and runs the
// command after `--` with this build's netchangeview, in the test's private network
// namespace, where the test makes changes with `ip`. The model's tables must then equal
// what `ip -j` lists there; a bad line in the stream is one error that keeps what came
// before; ssh failing (exit 255, a message on stderr) gives that message and exit code.
#include "support/netns.h"

#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/remotesession.h"
#include "model/remotesource.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "platform/format.h"
#include "platform/source.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace ncv;
using namespace Qt::StringLiterals;

namespace {

bool ip(const QString &args)
{
    QProcess p;
    p.start(u"ip"_s, QProcess::splitCommand(args));
    p.waitForFinished(10000);
    if (p.exitCode() != 0)
        qWarning() << "ip" << args << "failed:" << p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

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
        // fail as ssh does (exit 255, one line on stderr); FAKE_SSH_TAIL appends a line to
        // what the remote writes, then ends.
        f.write("#!/bin/sh\n"
                "echo \"$@\" > \"$FAKE_SSH_ARGS\"\n"
                "while [ $# -gt 0 ] && [ \"$1\" != \"--\" ]; do shift; done\n"
                "[ \"$1\" = \"--\" ] || { echo 'fake ssh: no --' >&2; exit 254; }\n"
                "shift\n"
                "if [ -n \"$FAKE_SSH_FAIL\" ]; then echo \"$FAKE_SSH_FAIL\" >&2; exit 255; fi\n"
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
            QTRY_VERIFY2_WITH_TIMEOUT(
                tableRows(model->routes(), {u"Destination"_s, u"Table"_s}) == kernelRoutes(),
                qPrintable(describe(tableRows(model->routes(), {u"Destination"_s, u"Table"_s}), kernelRoutes())),
                15000);
            QTRY_VERIFY2_WITH_TIMEOUT(
                tableRows(model->addresses(), {u"Address"_s}) == kernelAddresses(),
                qPrintable(describe(tableRows(model->addresses(), {u"Address"_s}), kernelAddresses())), 15000);
            QTRY_VERIFY2_WITH_TIMEOUT(
                tableRows(model->interfaces(), {u"ifindex"_s, u"Name"_s}) == kernelInterfaces(),
                qPrintable(describe(tableRows(model->interfaces(), {u"ifindex"_s, u"Name"_s}), kernelInterfaces())),
                15000);
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

    void sshFailingGivesItsMessageAndExitCode()
    {
        qputenv("FAKE_SSH_FAIL", "ssh: connect to host nowhere port 22: Connection refused");
        RemoteSession session(RemoteHost {QString(), u"nowhere"_s, 0});
        QSignalSpy ended(&session, &RemoteSession::ended);
        QString error;
        QVERIFY(session.start(platform::afUnspec(), &error));
        QVERIFY(ended.wait(30000));
        qunsetenv("FAKE_SSH_FAIL");
        QCOMPARE(ended.constFirst().constFirst().toString(),
                 u"the stream from nowhere ended (ssh exit code 255): ssh: connect to host nowhere port 22: "
                 u"Connection refused"_s);
        QVERIFY(!session.model()->isSnapshotComplete());
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
    QCoreApplication app(argc, argv);
    TestRemoteSource test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_remotesource.moc"

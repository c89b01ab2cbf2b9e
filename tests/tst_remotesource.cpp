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

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
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
        QVERIFY2(err.contains(u"netchangeview: the stream from admin@router ended (ssh exit code 255): "
                              u"admin@router: Permission denied (publickey).\n"_s),
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
            QTRY_VERIFY2_WITH_TIMEOUT(
                tableRows(session.model()->routes(), routeColumns) == kernelRoutes(),
                qPrintable(describe(tableRows(session.model()->routes(), routeColumns), kernelRoutes())), 15000);
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
            QVERIFY2(message.startsWith(u"the stream from root@127.0.0.1:2299 ended (ssh exit code 255): "_s)
                         && message.contains(u"Permission denied"_s),
                     qPrintable(message));
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
    QCoreApplication app(argc, argv);
    TestRemoteSource test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_remotesource.moc"

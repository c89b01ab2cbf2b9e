// SPDX-License-Identifier: GPL-2.0-or-later
// Several remote hosts in one window, for real: two OpenSSH servers, each in a network
// namespace of its own ("router": the test's private namespace, sshd on 127.0.0.1:2297;
// "switch": a named namespace reached over a veth pair, sshd on 10.81.0.2:2298), the real
// ssh client with a throwaway key and an ssh config naming the two hosts, and this build's
// netchangeview run by each sshd. A change made in each namespace arrives under its host's
// name in the event log (the "Host" column) and in the tables when that host is chosen in
// the Host box; the timeline's "in:" box lists both; each host's clock offset is measured.
// Then the switch's ssh connection is killed: its gap (naming it) and banner line, a change
// on the router arriving meanwhile, and the switch reconnecting with what changed there.
#include "support/mountns.h"
#include "support/netns.h"
#include "support/runtool.h"
#include "views/mainwindow.h"

#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/liverecordings.h"
#include "model/notificationmodel.h"
#include "model/remotesession.h"
#include "model/tables/routetablemodel.h"
#include "platform/netnstable.h"
#include "platform/source.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QPointer>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <set>
#include <sys/types.h>

using namespace ncv;
using namespace Qt::StringLiterals;

namespace {

using ncv::test::ip;

// The Destination cells of a route table.
std::set<QString> destinations(const QAbstractItemModel *m)
{
    int column = -1;
    for (int c = 0; c < m->columnCount(); ++c)
        if (m->headerData(c, Qt::Horizontal).toString() == u"Destination")
            column = c;
    std::set<QString> out;
    for (int r = 0; r < m->rowCount(); ++r)
        out.insert(m->index(r, column).data().toString());
    return out;
}

// "HOST | Object | Change | Key" of each event of the log (its Host column as shown).
QStringList logRows(const QAbstractItemModel *log)
{
    QStringList out;
    for (int r = 0; r < log->rowCount(); ++r)
        out << log->index(r, EventLogModel::Namespace).data().toString() + u" | "_s
                + log->index(r, EventLogModel::Object).data().toString() + u" | "_s
                + log->index(r, EventLogModel::Change).data().toString() + u" | "_s
                + log->index(r, EventLogModel::Key).data().toString();
    return out;
}

// A row of the log starting with start (the Key may go on with the table, the metric).
bool logHas(const QAbstractItemModel *log, const QString &start)
{
    const QStringList rows = logRows(log);
    return std::any_of(rows.begin(), rows.end(), [&](const QString &row) { return row.startsWith(start); });
}

pid_t readPid(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? pid_t(f.readAll().trimmed().toLong()) : 0;
}

bool write(const QString &file, const QByteArray &text)
{
    QFile f(file);
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

} // namespace

class TestRemoteHosts : public QObject {
    Q_OBJECT

    std::unique_ptr<ncv::test::TmpfsMount> m_run;
    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_liveDir;
    QString m_sshd;
    QList<QProcess *> m_servers;

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    // Starts sshd with config (prefix: a command to run it through, e.g. ip netns exec);
    // "" on success, else what it said.
    QString startSshd(const QStringList &prefix, const QString &config)
    {
        auto *server = new QProcess(this);
        server->setProcessChannelMode(QProcess::MergedChannels);
        QStringList args = prefix;
        args << m_sshd << u"-D"_s << u"-e"_s << u"-f"_s << config;
        server->start(args.takeFirst(), args);
        QByteArray said;
        QElapsedTimer t;
        t.start();
        while (!said.contains("Server listening") && server->state() != QProcess::NotRunning && t.elapsed() < 10000) {
            server->waitForReadyRead(200);
            said += server->readAll();
        }
        m_servers << server;
        return said.contains("Server listening") ? QString() : QString::fromLocal8Bit(said.trimmed());
    }

private slots:
    void initTestCase()
    {
        std::string whyNot;
        m_run = ncv::test::privateRunForNamedNetns(whyNot);
        if (!m_run)
            QSKIP(whyNot.c_str());
        const QStringList sbin {u"/usr/sbin"_s, u"/usr/local/sbin"_s, u"/sbin"_s};
        m_sshd = QStandardPaths::findExecutable(u"sshd"_s, sbin);
        const QString ssh = QStandardPaths::findExecutable(u"ssh"_s);
        const QString keygen = QStandardPaths::findExecutable(u"ssh-keygen"_s);
        if (m_sshd.isEmpty() || ssh.isEmpty() || keygen.isEmpty())
            QSKIP("needs OpenSSH's sshd, ssh and ssh-keygen (Debian: openssh-server, openssh-client)");
        QVERIFY(m_dir.isValid());
        QVERIFY(m_settingsDir.isValid());
        QVERIFY(m_liveDir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings settings(u"NetChangeView"_s, u"NetChangeView"_s);
        settings.clear();
        settings.setValue(QLatin1StringView(liverecordings::kFolderKey), m_liveDir.path()); // never the user's

        for (const char *key : {"host_key", "user_key"})
            QCOMPARE(
                QProcess::execute(keygen, {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, QString(), u"-f"_s, path(key)}), 0);
        QVERIFY(QDir().mkpath(path("bin")));
        QVERIFY(QFile::link(QString::fromLocal8Bit(NCV_APP_BINARY), path("bin/netchangeview")));
        QFile pub(path("user_key.pub"));
        QVERIFY(pub.open(QIODevice::ReadOnly));
        QVERIFY(write(path("authorized_keys"),
                      "environment=\"PATH=" + path("bin").toLocal8Bit() + ":/usr/bin:/bin\" " + pub.readAll()));
        const QByteArray common = "HostKey " + path("host_key").toLocal8Bit() + "\nAuthorizedKeysFile "
            + path("authorized_keys").toLocal8Bit()
            + "\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication "
              "no\nPermitUserEnvironment yes\nPermitRootLogin prohibit-password\n";
        QVERIFY(
            write(path("router.sshd"),
                  "Port 2297\nListenAddress 127.0.0.1\nPidFile " + path("router.pid").toLocal8Bit() + "\n" + common));
        QVERIFY(
            write(path("switch.sshd"),
                  "Port 2298\nListenAddress 10.81.0.2\nPidFile " + path("switch.pid").toLocal8Bit() + "\n" + common));
        // The two hosts by name; the ssh program notes each connection's pid by host (exec
        // keeps it), so the test cuts exactly the switch's.
        QVERIFY(write(path("ssh_config"),
                      "Host router\n  HostName 127.0.0.1\n  Port 2297\nHost switch\n  HostName 10.81.0.2\n  Port 2298\n"
                      "Host *\n  User root\n  LogLevel ERROR\n  IdentityFile "
                          + path("user_key").toLocal8Bit() + "\n  IdentitiesOnly yes\n  UserKnownHostsFile "
                          + path("known_hosts").toLocal8Bit() + "\n  StrictHostKeyChecking accept-new\n"));
        QVERIFY(write(path("ssh"),
                      "#!/bin/sh\nfor a; do case $a in router|switch) h=$a; break;; esac; done\necho $$ > "
                          + m_dir.path().toLocal8Bit() + "/$h.ssh.pid\nexec " + ssh.toLocal8Bit() + " -F "
                          + path("ssh_config").toLocal8Bit() + " \"$@\"\n"));
        QVERIFY(QFile::setPermissions(path("ssh"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("NETCHANGEVIEW_SSH", path("ssh").toLocal8Bit());

        // router: the test's namespace; switch: a named one behind a veth pair.
        QVERIFY(ip(u"netns add switch"_s));
        QVERIFY(ip(u"-n switch link set lo up"_s));
        QVERIFY(ip(u"link add sw0 type veth peer name sw1 netns switch"_s));
        QVERIFY(ip(u"address add 10.81.0.1/24 dev sw0"_s));
        QVERIFY(ip(u"link set sw0 up"_s));
        QVERIFY(ip(u"-n switch address add 10.81.0.2/24 dev sw1"_s));
        QVERIFY(ip(u"-n switch link set sw1 up"_s));
        QDir().mkpath(u"/run/sshd"_s); // its privilege separation directory (as root; /run is the test's)
        if (const QString said = startSshd({}, path("router.sshd")); !said.isEmpty())
            QSKIP(qPrintable(u"sshd does not start here: "_s + said));
        const QString said = startSshd({u"ip"_s, u"netns"_s, u"exec"_s, u"switch"_s}, path("switch.sshd"));
        QVERIFY2(said.isEmpty(), qPrintable(said));
    }

    void cleanupTestCase()
    {
        for (QProcess *server : std::as_const(m_servers)) {
            server->terminate();
            server->waitForFinished(5000);
        }
        ip(u"netns del switch"_s);
    }

    void twoHostsInOneWindow()
    {
        QList<RemoteHost> hosts;
        for (const QString &url : {u"ssh://router"_s, u"ssh://switch"_s}) {
            RemoteHost host;
            QString error;
            QVERIFY(RemoteHost::parse(url, &host, &error));
            hosts << host;
        }
        RemoteOptions options;
        options.reconnectFirstMs = 1500; // long enough to see the banner count down
        QPointer<MainWindow> window = MainWindow::openRemoteWindow(hosts, platform::afUnspec(),
                                                                   MainWindow::LiveRecording::FromSettings, options);
        QVERIFY(window);
        window->resize(1500, 900);
        window->show();
        RemoteSession *session = window->remoteSession();
        NotificationModel *model = session->model();
        QCOMPARE(session->hostCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(
            session->state(0) == RemoteSession::State::Live && session->state(1) == RemoteSession::State::Live, 20000);
        QTRY_VERIFY(model->isSnapshotComplete());
        QCOMPARE(window->windowTitle(), u"router, switch — NetChangeView"_s);
        QVERIFY2(window->stateLabel()->text() == u"2 hosts: 2 live"_s, qPrintable(window->stateLabel()->text()));

        // The Host box and the timeline's "in:" box name the hosts.
        QComboBox *hostBox = window->namespaceCombo();
        QVERIFY(hostBox);
        QCOMPARE(hostBox->count(), 2);
        QCOMPARE(hostBox->itemText(0), u"router"_s);
        QCOMPARE(hostBox->itemText(1), u"switch"_s);
        QCOMPARE(model->eventLog()->headerData(EventLogModel::Namespace, Qt::Horizontal).toString(), u"Host"_s);

        // Each host's clock against this one: the same clock here, so within the transport
        // delay (well under a second on loopback).
        QTRY_VERIFY(session->clockOffsetUs(0) && session->clockOffsetUs(1));
        for (int i = 0; i < 2; ++i) {
            QVERIFY2(std::abs(*session->clockOffsetUs(i)) < 2000000, qPrintable(session->clockText(i)));
            QVERIFY(hostBox->itemData(i, Qt::ToolTipRole)
                        .toString()
                        .startsWith(session->host(i).display() + u": clock "_s));
        }

        // A change in each namespace: under its host in the log, in the tables of its host.
        QVERIFY(ip(u"route add 10.82.0.0/16 dev lo"_s));
        QVERIFY(ip(u"-n switch route add 10.83.0.0/16 via 10.81.0.1"_s));
        QTRY_VERIFY_WITH_TIMEOUT(logHas(model->eventLog(), u"router | route | add | 10.82.0.0/16"_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(logHas(model->eventLog(), u"switch | route | add | 10.83.0.0/16"_s), 10000);
        QVERIFY(!logHas(model->eventLog(), u"switch | route | add | 10.82.0.0/16"_s));
        QCOMPARE(model->tablesNamespace(), session->hostNetns(0));
        QTRY_VERIFY(destinations(model->routes()).count(u"10.82.0.0/16"_s));
        QVERIFY(!destinations(model->routes()).count(u"10.83.0.0/16"_s));
        hostBox->setCurrentIndex(1);
        QCOMPARE(model->tablesNamespace(), session->hostNetns(1));
        QTRY_VERIFY(destinations(model->routes()).count(u"10.83.0.0/16"_s));
        QVERIFY(!destinations(model->routes()).count(u"10.82.0.0/16"_s));
        QVERIFY(destinations(model->routes()).count(u"10.81.0.0/24"_s)); // the switch's own link route
        QComboBox *in = window->timelineNamespaceCombo();
        QTRY_COMPARE(in->count(), 3);
        QCOMPARE(in->itemText(0), u"every host"_s);
        QVERIFY(in->findText(u"switch"_s) > 0 && in->findText(u"router"_s) > 0);

        const QString shots = qEnvironmentVariable("NCV_TEST_SCREENSHOTS");
        if (!shots.isEmpty())
            window->grab().save(shots + u"/remote-hosts.png"_s);

        // The switch's connection is cut: its gap and banner line; the router goes on.
        const qint64 before = model->history()->size();
        const pid_t pid = readPid(m_dir.filePath(u"switch.ssh.pid"_s));
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(session->state(1) != RemoteSession::State::Live, 10000);
        QVERIFY(ip(u"-n switch route add 10.84.0.0/16 via 10.81.0.1"_s)); // while it is away
        QVERIFY(ip(u"route add 10.85.0.0/16 dev lo"_s));
        QTRY_VERIFY_WITH_TIMEOUT(logHas(model->eventLog(), u"router | route | add | 10.85.0.0/16"_s), 10000);
        QCOMPARE(session->state(0), RemoteSession::State::Live);
        bool gapSeen = false;
        for (qint64 i = before; i < model->history()->size(); ++i) {
            const platform::ChangeRecord r = model->history()->record(i);
            if (r.change != platform::ChangeKind::Gap)
                continue;
            QCOMPARE(QString::fromStdString(platform::NamespaceTable::name(r.netns)), u"switch"_s);
            QCOMPARE(QString::fromStdString(r.note),
                     u"the connection to switch was lost (ssh was killed); reconnecting"_s);
            gapSeen = true;
        }
        QVERIFY(gapSeen);

        // Back: the switch's change made while away arrives inferred, by the resync.
        QTRY_VERIFY_WITH_TIMEOUT(session->state(1) == RemoteSession::State::Live && session->reconnects(1) == 1, 20000);
        QCOMPARE(session->reconnects(0), 0);
        QTRY_VERIFY_WITH_TIMEOUT(logHas(model->eventLog(), u"switch | route | add | 10.84.0.0/16"_s), 10000);
        QTRY_VERIFY(destinations(model->routes()).count(u"10.84.0.0/16"_s));
        QVERIFY(!window->connectionBanner()->isVisible());
        QCOMPARE(window->windowTitle(), u"router, switch — NetChangeView"_s);
        QVERIFY(ip(u"-n switch route del 10.83.0.0/16"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!destinations(model->routes()).count(u"10.83.0.0/16"_s), 10000);
        window->close();
        QTRY_VERIFY(!window);
    }

    // Headless, several hosts make one stream: each event's "namespace" is its host's name,
    // each host's clock offset is said on standard error.
    void headlessStreamOfTwoHosts()
    {
        const QString out = m_dir.filePath(u"hosts.jsonl"_s);
        QProcess app;
        app.start(QString::fromLocal8Bit(NCV_APP_BINARY),
                  {u"--headless"_s, u"ssh://router"_s, u"ssh://switch"_s, u"--stream"_s, out, u"--duration"_s, u"4"_s});
        QVERIFY(app.waitForStarted());
        QTest::qWait(2500);
        QVERIFY(ip(u"-n switch route add 10.87.0.0/16 via 10.81.0.1"_s));
        QVERIFY(app.waitForFinished(20000));
        const QString err = QString::fromLocal8Bit(app.readAllStandardError());
        QVERIFY2(app.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(u"router: clock "_s) && err.contains(u"switch: clock "_s), qPrintable(err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("\"namespace\":\"router\""));
        QVERIFY(text.contains("\"namespace\":\"switch\""));
        bool found = false;
        for (const QByteArray &line : text.split('\n'))
            found |= line.contains("10.87.0.0") && line.contains("\"namespace\":\"switch\"");
        QVERIFY(found);
        QVERIFY(ip(u"-n switch route del 10.87.0.0/16"_s));
    }

    // A host that cannot be reached ends alone: the other host's window goes on, the banner
    // names the one that ended.
    void oneHostFailingLeavesTheOther()
    {
        QList<RemoteHost> hosts;
        for (const QString &url : {u"ssh://router"_s, u"ssh://root@127.0.0.1:2296"_s}) {
            RemoteHost host;
            QString error;
            QVERIFY(RemoteHost::parse(url, &host, &error));
            hosts << host;
        }
        QPointer<MainWindow> window
            = MainWindow::openRemoteWindow(hosts, platform::afUnspec(), MainWindow::LiveRecording::Off);
        QVERIFY(window);
        window->show();
        RemoteSession *session = window->remoteSession();
        QTRY_COMPARE_WITH_TIMEOUT(session->state(1), RemoteSession::State::Ended, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(session->state(0), RemoteSession::State::Live, 20000);
        QTRY_VERIFY(session->model()->isSnapshotComplete());
        QVERIFY(session->endMessage(1).startsWith(u"root@127.0.0.1:2296 refused the connection"_s));
        QTRY_VERIFY(window->connectionBanner()->isVisible());
        QVERIFY2(window->connectionBanner()->text().startsWith(u"root@127.0.0.1:2296 — Ended: root@127.0.0.1:2296 "
                                                               u"refused the connection"_s),
                 qPrintable(window->connectionBanner()->text()));
        QVERIFY(window->stateLabel()->text() == u"2 hosts: 1 live · 1 ended"_s);
        QVERIFY(ip(u"route add 10.86.0.0/16 dev lo"_s));
        QTRY_VERIFY_WITH_TIMEOUT(logHas(session->model()->eventLog(), u"router | route | add | 10.86.0.0/16"_s), 10000);
        window->close();
        QTRY_VERIFY(!window);
    }
};

int main(int argc, char **argv)
{
    ncv::test::enterPrivateNetworkNamespace(); // before any thread exists
    ncv::test::enterPrivateMountNamespace();
    QApplication app(argc, argv);
    TestRemoteHosts test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_remotehosts.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// NetNamespaceWatcher against real namespaces: `unshare -n sleep` processes appear and go,
// a name bound the way `ip netns add` binds it (into a directory of the test's own, in a
// private mount namespace) is seen through inotify long before the next /proc scan.
// NetNamespaceSelection parses `--netns` and selects by name, display name and inode.
#include "support/mountns.h"
#include "support/netns.h"

#include "model/netnswatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>

using namespace ncv;
using platform::NetNamespaceInfo;

namespace {

std::uint64_t inodeOf(const QString &path)
{
    struct stat st { };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? std::uint64_t(st.st_ino) : 0;
}

QString nsPath(qint64 pid)
{
    return QStringLiteral("/proc/%1/ns/net").arg(pid);
}

// `unshare -n sleep 60`: a process in a namespace of its own. Returns once the namespace is
// in place (unshare has exec'd sleep), with the namespace's inode.
struct UnsharedSleep {
    QProcess process;
    std::uint64_t inode = 0;

    bool start()
    {
        process.start(QStringLiteral("unshare"), {QStringLiteral("-n"), QStringLiteral("sleep"), QStringLiteral("60")});
        if (!process.waitForStarted(5000))
            return false;
        const std::uint64_t own = inodeOf(QStringLiteral("/proc/self/ns/net"));
        for (int i = 0; i < 500; ++i) {
            QFile comm(QStringLiteral("/proc/%1/comm").arg(process.processId()));
            if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "sleep") {
                inode = inodeOf(nsPath(process.processId()));
                return inode != 0 && inode != own;
            }
            QTest::qWait(10);
        }
        return false;
    }
    void stop()
    {
        process.kill();
        process.waitForFinished(5000);
    }
    ~UnsharedSleep() { stop(); }
};

bool spyHolds(const QSignalSpy &spy, std::uint64_t inode)
{
    return std::any_of(spy.begin(), spy.end(), [&](const QList<QVariant> &args) {
        return args.at(0).value<NetNamespaceInfo>().inode == inode;
    });
}

const NetNamespaceInfo *findByInode(const NetNamespaceWatcher &watcher, std::uint64_t inode)
{
    for (const NetNamespaceInfo &info : watcher.namespaces()) {
        if (info.inode == inode)
            return &info;
    }
    return nullptr;
}

} // namespace

Q_DECLARE_METATYPE(ncv::platform::NetNamespaceInfo)

class TestNetNamespaceWatcher : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qRegisterMetaType<NetNamespaceInfo>();
        const auto &ns = ncv::test::networkNamespaceResult();
        if (!ns.entered)
            QSKIP(
                qPrintable(QStringLiteral("needs a private network namespace: ") + QString::fromStdString(ns.message)));
        if (QStandardPaths::findExecutable(QStringLiteral("unshare")).isEmpty())
            QSKIP("needs unshare (util-linux)");
    }

    void selectionParsesNetnsAndMatches()
    {
        NetNamespaceSelection all;
        QString error;
        QVERIFY(NetNamespaceSelection::parse(QStringLiteral("all"), &all, &error));
        QCOMPARE(all.kind, NetNamespaceSelection::Kind::All);

        NetNamespaceSelection named;
        QVERIFY(NetNamespaceSelection::parse(QStringLiteral("blue, net:[4026532000],sleep (42)"), &named, &error));
        QCOMPARE(named.kind, NetNamespaceSelection::Kind::Named);
        QCOMPARE(
            named.names,
            QStringList({QStringLiteral("blue"), QStringLiteral("net:[4026532000]"), QStringLiteral("sleep (42)")}));

        NetNamespaceSelection bad;
        QVERIFY(!NetNamespaceSelection::parse(QStringLiteral("a,,b"), &bad, &error));
        QCOMPARE(error, QStringLiteral("--netns: empty namespace name in \"a,,b\""));

        NetNamespaceInfo blue;
        blue.inode = 1;
        blue.names = {"red", "blue"};
        NetNamespaceInfo orphan;
        orphan.inode = 4026532000;
        NetNamespaceInfo sleeper;
        sleeper.inode = 2;
        sleeper.holderPid = 42;
        sleeper.holderCommand = "sleep";
        NetNamespaceInfo current;
        current.inode = 3;
        current.current = true;
        QVERIFY(named.matches(blue));
        QVERIFY(named.matches(orphan));
        QVERIFY(named.matches(sleeper));
        QVERIFY(!named.matches(current));
        QVERIFY(all.matches(current) && all.matches(orphan));
        const NetNamespaceSelection byDefault;
        QVERIFY(byDefault.matches(current));
        QVERIFY(!byDefault.matches(blue));
    }

    void processNamespacesAppearAndGo()
    {
        NetNamespaceWatcher::Options options;
        options.namedDir = QStringLiteral("/nonexistent/ncv-netns");
        options.scanIntervalMs = 100;
        NetNamespaceWatcher watcher(options);
        QSignalSpy added(&watcher, &NetNamespaceWatcher::namespaceAdded);
        QSignalSpy removed(&watcher, &NetNamespaceWatcher::namespaceRemoved);
        watcher.start();
        QVERIFY(!watcher.namespaces().empty());
        QVERIFY(watcher.namespaces().front().current);

        UnsharedSleep sleeper;
        QVERIFY(sleeper.start());
        QTRY_VERIFY_WITH_TIMEOUT(spyHolds(added, sleeper.inode), 5000);
        const NetNamespaceInfo *info = findByInode(watcher, sleeper.inode);
        QVERIFY(info);
        QCOMPARE(info->holderPid, int(sleeper.process.processId()));
        QCOMPARE(QString::fromStdString(info->displayName()),
                 QStringLiteral("sleep (%1)").arg(sleeper.process.processId()));
        QVERIFY(!spyHolds(removed, sleeper.inode));

        sleeper.stop();
        QTRY_VERIFY_WITH_TIMEOUT(spyHolds(removed, sleeper.inode), 5000);
        QVERIFY(!findByInode(watcher, sleeper.inode));
        watcher.stop();
    }

    void aBoundNameIsSeenWithoutWaitingForTheScan()
    {
        if (const auto &mountns = ncv::test::mountNamespaceResult(); !mountns.entered)
            QSKIP(qPrintable(QStringLiteral("needs a private mount namespace: ")
                             + QString::fromStdString(mountns.message)));
        QTemporaryDir run;
        QVERIFY(run.isValid());
        const QString namedDir = run.filePath(QStringLiteral("netns"));

        UnsharedSleep sleeper;
        QVERIFY(sleeper.start());
        NetNamespaceWatcher::Options options;
        options.namedDir = namedDir; // does not exist yet, as /run/netns before the first `ip netns add`
        options.scanIntervalMs = 600000; // only inotify can tell in time
        options.settleMs = 1000; // the mount below follows the file later than `ip netns add` does
        NetNamespaceWatcher watcher(options);
        QSignalSpy changed(&watcher, &NetNamespaceWatcher::namespaceChanged);
        watcher.start();
        const int scansAtStart = watcher.scanCount();
        QVERIFY(findByInode(watcher, sleeper.inode));

        // What `ip netns add blue` does: make the directory, create the name's file, then
        // bind-mount the namespace on it.
        QVERIFY(QDir().mkpath(namedDir));
        const QString blue = namedDir + QStringLiteral("/blue");
        QFile file(blue);
        QTRY_VERIFY_WITH_TIMEOUT(watcher.scanCount() > scansAtStart, 3000); // the directory was seen
        const int scansBeforeName = watcher.scanCount();
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        // The scan the new file causes finds no namespace on it yet: the mount that follows
        // is what `ip netns add` does next, and no inotify event tells of it.
        QTRY_VERIFY_WITH_TIMEOUT(watcher.scanCount() > scansBeforeName, 3000);
        QCOMPARE(::mount(QFile::encodeName(nsPath(sleeper.process.processId())).constData(),
                         QFile::encodeName(blue).constData(), nullptr, MS_BIND, nullptr),
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(findByInode(watcher, sleeper.inode)
                                     && findByInode(watcher, sleeper.inode)->names == std::vector<std::string> {"blue"},
                                 3000);
        QVERIFY(spyHolds(changed, sleeper.inode));
        QCOMPARE(QString::fromStdString(findByInode(watcher, sleeper.inode)->displayName()), QStringLiteral("blue"));

        // `ip netns del blue`: unmount, then remove the file.
        changed.clear();
        QCOMPARE(::umount2(QFile::encodeName(blue).constData(), MNT_DETACH), 0);
        QVERIFY(QFile::remove(blue));
        QTRY_VERIFY_WITH_TIMEOUT(spyHolds(changed, sleeper.inode), 3000);
        QVERIFY(findByInode(watcher, sleeper.inode)->names.empty());
        watcher.stop();
    }

    void aNamespaceBeingNamedIsNotNamedAfterItsProcess()
    {
        // `ip netns add green` creates the file, enters a new namespace, and only then
        // bind-mounts it there: in between, the namespace is held by the ip process alone.
        // It must be reported once, named green, not as "ip (PID)" first.
        if (const auto &mountns = ncv::test::mountNamespaceResult(); !mountns.entered)
            QSKIP(qPrintable(QStringLiteral("needs a private mount namespace: ")
                             + QString::fromStdString(mountns.message)));
        QTemporaryDir run;
        QVERIFY(run.isValid());
        const QString namedDir = run.filePath(QStringLiteral("netns"));
        QVERIFY(QDir().mkpath(namedDir));
        NetNamespaceWatcher::Options options;
        options.namedDir = namedDir;
        options.scanIntervalMs = 100;
        options.settleMs = 100;
        NetNamespaceWatcher watcher(options);
        QSignalSpy added(&watcher, &NetNamespaceWatcher::namespaceAdded);
        watcher.start();

        const QString green = namedDir + QStringLiteral("/green");
        QFile file(green);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        UnsharedSleep holder; // the ip process, in its new namespace
        QVERIFY(holder.start());
        const int scansWithoutName = watcher.scanCount();
        QTRY_VERIFY_WITH_TIMEOUT(watcher.scanCount() >= scansWithoutName + 2, 10000);
        QVERIFY(!spyHolds(added, holder.inode));
        QCOMPARE(::mount(QFile::encodeName(nsPath(holder.process.processId())).constData(),
                         QFile::encodeName(green).constData(), nullptr, MS_BIND, nullptr),
                 0);
        const auto unmount = qScopeGuard([&] { ::umount2(QFile::encodeName(green).constData(), MNT_DETACH); });
        QTRY_VERIFY_WITH_TIMEOUT(spyHolds(added, holder.inode), 10000);
        for (const QList<QVariant> &args : added) {
            const auto info = args.at(0).value<NetNamespaceInfo>();
            if (info.inode == holder.inode)
                QCOMPARE(QString::fromStdString(info.displayName()), QStringLiteral("green"));
        }

        // A name that stays a plain file (a failed add) holds a container's namespace back
        // only for a while.
        QFile stale(namedDir + QStringLiteral("/stale"));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.close();
        UnsharedSleep container;
        QVERIFY(container.start());
        QTRY_VERIFY_WITH_TIMEOUT(spyHolds(added, container.inode), NetNamespaceWatcher::kHoldUnnamedMs + 10000);
        QCOMPARE(QString::fromStdString(findByInode(watcher, container.inode)->displayName()),
                 QStringLiteral("sleep (%1)").arg(container.process.processId()));
        watcher.stop();
    }
};

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespaces.
    ncv::test::enterPrivateNetworkNamespace();
    ncv::test::enterPrivateMountNamespace();
    QCoreApplication app(argc, argv);
    TestNetNamespaceWatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_netnswatcher.moc"

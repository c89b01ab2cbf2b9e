// SPDX-License-Identifier: GPL-2.0-or-later
// NetNamespaceWatcher: which network namespaces exist now, kept up to date while running,
// so a source can be started for each one that appears and stopped for each one that goes.
//
// How it notices changes: inotify (QFileSystemWatcher) on the named directory (/run/netns:
// `ip netns add` / `del` are seen within Options::settleMs) plus a scan of /proc every
// Options::scanIntervalMs (containers make unnamed namespaces that nothing announces). NETLINK_LISTEN_ALL_NSID was
// not chosen: it delivers only from namespaces that have an nsid in ours (assigned when a
// veth peer or `ip netns set` links them), and a container with no link to ours
// (`--network none`, a pod whose veth peer is in another namespace) never gets one.
//
// A namespace is identified by the st_dev / st_ino of its nsfs file. The kernel may give a
// freed namespace's inode to a new one; if that happens between two scans, the new namespace
// is reported as a change of the old one (its holder and name), not as removed and added.
//
// A namespace being named (`ip netns add` has created the name's file and entered the new
// namespace, but not yet bind-mounted it there) is held only by the ip process for a moment.
// While the named directory holds such a file, a new namespace without a name is reported
// by a later scan, at most kHoldUnnamedMs on, so it comes named (its users keep the first
// name they were given).
//
// GUI thread (any thread with an event loop); the scans run on the global QThreadPool.
#pragma once

#include "platform/linux/netnsscan.h"

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <vector>

namespace ncv {

/// Which namespaces to watch: the command line's `--netns` (all | NAME[,NAME] | none given).
struct NetNamespaceSelection {
    enum class Kind {
        Current, ///< only the namespace the program runs in (the default)
        All, ///< every namespace, including those created later
        Named, ///< the namespaces whose /run/netns name, display name or "net:[inode]" is in names
    };
    Kind kind = Kind::Current;
    QStringList names;

    /// Parses a `--netns` value: "all", or names separated by commas. Empty names are an error:
    /// returns false with *error set ("--netns: empty namespace name in \"a,,b\"").
    static bool parse(const QString &text, NetNamespaceSelection *out, QString *error);
    /// Whether info is selected.
    bool matches(const platform::NetNamespaceInfo &info) const;
};

class NetNamespaceWatcher : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString namedDir = QStringLiteral("/run/netns");
        QString procRoot = QStringLiteral("/proc");
        int scanIntervalMs = 2000; ///< period of the /proc scan, milliseconds
        /// Delay of the second look after a change of the named directory, milliseconds:
        /// `ip netns add` mounts the namespace on the name's file just after creating it.
        int settleMs = 250;
    };

    /// Longest wait of a new unnamed namespace while the named directory holds a name that
    /// is not a namespace yet (see applyScan), milliseconds.
    static constexpr int kHoldUnnamedMs = 3000;

    explicit NetNamespaceWatcher(QObject *parent = nullptr);
    NetNamespaceWatcher(const Options &options, QObject *parent = nullptr);
    ~NetNamespaceWatcher() override;

    /// Scans once on the calling thread (namespaces() is filled when it returns; no signal is
    /// emitted for what this first scan finds), then watches.
    void start();
    /// Stops watching; a scan still running is waited for and its result dropped.
    void stop();

    /// The namespaces of the last scan, in scanNetNamespaces() order.
    const std::vector<platform::NetNamespaceInfo> &namespaces() const { return m_namespaces; }
    /// The last scan's counters (unreadable processes, unusable names, named-dir error).
    int unreadableProcesses() const { return m_unreadableProcesses; }
    /// Scans done so far (the first included).
    int scanCount() const { return m_scans; }

    /// Scans now (coalesced with one already running); for a caller that knows something changed.
    void rescan();

signals:
    void namespaceAdded(const ncv::platform::NetNamespaceInfo &info);
    void namespaceRemoved(const ncv::platform::NetNamespaceInfo &info);
    /// Its display name, names or holder changed (a name bound or removed, the holder exited).
    void namespaceChanged(const ncv::platform::NetNamespaceInfo &info);
    /// After each scan that reported anything.
    void namespacesChanged();

private:
    void watchNamedDir();
    void onNamedDirChanged();
    void applyScan(platform::NetNamespaceScan scan);

    Options m_options;
    QTimer m_timer;
    QTimer m_settle;
    QFileSystemWatcher m_fsWatcher;
    QFutureWatcher<platform::NetNamespaceScan> m_scan;
    QElapsedTimer m_unusableNamesSince; // valid while the last scans saw an unusable name
    bool m_rescanPending = false;
    bool m_running = false;
    int m_scans = 0;
    int m_unreadableProcesses = 0;
    std::vector<platform::NetNamespaceInfo> m_namespaces;
};

} // namespace ncv

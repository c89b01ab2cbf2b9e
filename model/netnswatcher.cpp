// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/netnswatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <map>
#include <utility>

namespace ncv {

using platform::NetNamespaceInfo;
using platform::NetNamespaceScan;
using platform::NetNamespaceScanOptions;

bool NetNamespaceSelection::parse(const QString &text, NetNamespaceSelection *out, QString *error)
{
    NetNamespaceSelection selection;
    const QString trimmed = text.trimmed();
    if (trimmed.compare(QLatin1String("all"), Qt::CaseInsensitive) == 0) {
        selection.kind = Kind::All;
    } else {
        selection.kind = Kind::Named;
        const QStringList parts = trimmed.split(u',');
        for (const QString &part : parts) {
            const QString name = part.trimmed();
            if (name.isEmpty()) {
                if (error)
                    *error = QStringLiteral("--netns: empty namespace name in \"%1\"").arg(text);
                return false;
            }
            selection.names.append(name);
        }
    }
    *out = selection;
    return true;
}

bool NetNamespaceSelection::matches(const NetNamespaceInfo &info) const
{
    switch (kind) {
    case Kind::Current: return info.current;
    case Kind::All: return true;
    case Kind::Named: break;
    }
    const QString display = QString::fromStdString(info.displayName());
    const QString inode = QStringLiteral("net:[%1]").arg(info.inode);
    for (const QString &name : names) {
        if (name == display || name == inode)
            return true;
        for (const std::string &bound : info.names) {
            if (name == QString::fromStdString(bound))
                return true;
        }
    }
    return false;
}

NetNamespaceWatcher::NetNamespaceWatcher(QObject *parent) : NetNamespaceWatcher(Options {}, parent) { }

NetNamespaceWatcher::NetNamespaceWatcher(const Options &options, QObject *parent) : QObject(parent), m_options(options)
{
    m_timer.setInterval(m_options.scanIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &NetNamespaceWatcher::rescan);
    m_settle.setSingleShot(true);
    m_settle.setInterval(m_options.settleMs);
    connect(&m_settle, &QTimer::timeout, this, &NetNamespaceWatcher::rescan);
    connect(&m_fsWatcher, &QFileSystemWatcher::directoryChanged, this, &NetNamespaceWatcher::onNamedDirChanged);
    connect(&m_scan, &QFutureWatcher<NetNamespaceScan>::finished, this, [this] {
        if (!m_running || m_scan.isCanceled())
            return;
        applyScan(m_scan.result());
        if (m_rescanPending) {
            m_rescanPending = false;
            rescan();
        }
    });
}

NetNamespaceWatcher::~NetNamespaceWatcher()
{
    stop();
}

void NetNamespaceWatcher::start()
{
    stop();
    m_running = true;
    const NetNamespaceScanOptions scanOptions {m_options.namedDir.toStdString(), m_options.procRoot.toStdString()};
    NetNamespaceScan first = platform::scanNetNamespaces(scanOptions);
    ++m_scans;
    m_unreadableProcesses = first.unreadableProcesses;
    m_namespaces = std::move(first.namespaces);
    watchNamedDir();
    m_timer.start();
}

void NetNamespaceWatcher::stop()
{
    m_running = false;
    m_rescanPending = false;
    m_timer.stop();
    m_settle.stop();
    if (!m_fsWatcher.directories().isEmpty())
        m_fsWatcher.removePaths(m_fsWatcher.directories());
    m_scan.waitForFinished();
}

void NetNamespaceWatcher::watchNamedDir()
{
    if (!m_running)
        return;
    // The named directory itself once it exists; until then its parent, to see it appear
    // (`ip netns add` makes /run/netns on first use). Not both: /run changes often.
    const QFileInfo named(m_options.namedDir);
    const QString wanted = named.isDir() ? named.absoluteFilePath() : named.absolutePath();
    const QStringList watched = m_fsWatcher.directories();
    for (const QString &dir : watched) {
        if (dir != wanted)
            m_fsWatcher.removePath(dir);
    }
    if (!watched.contains(wanted) && QFileInfo(wanted).isDir())
        m_fsWatcher.addPath(wanted);
}

void NetNamespaceWatcher::onNamedDirChanged()
{
    watchNamedDir();
    rescan();
    // `ip netns add` creates the name's file (the event we see) and only then bind-mounts the
    // namespace on it, which no inotify event reports: look again once it has had time to.
    m_settle.start();
}

void NetNamespaceWatcher::rescan()
{
    if (!m_running)
        return;
    if (m_scan.isRunning()) {
        m_rescanPending = true;
        return;
    }
    const NetNamespaceScanOptions scanOptions {m_options.namedDir.toStdString(), m_options.procRoot.toStdString()};
    m_scan.setFuture(QtConcurrent::run([scanOptions] { return platform::scanNetNamespaces(scanOptions); }));
}

void NetNamespaceWatcher::applyScan(NetNamespaceScan scan)
{
    ++m_scans;
    m_unreadableProcesses = scan.unreadableProcesses;
    using Key = std::pair<std::uint64_t, std::uint64_t>;
    std::map<Key, const NetNamespaceInfo *> before;
    for (const NetNamespaceInfo &info : m_namespaces)
        before.emplace(Key(info.device, info.inode), &info);

    // `ip netns add` creates the name's file, enters a new namespace and only then bind-mounts
    // it on the file. A scan in between finds the namespace held by the ip process alone and
    // would name it "ip (PID)" for good (records keep the id they were given, which the
    // name is part of). So while the named directory holds a name that is not a namespace
    // yet, a new namespace without a name waits for a later scan (settleMs on), for at
    // most kHoldUnnamedMs: a stale file left by a failed add must not hold containers back.
    if (scan.unusableNames == 0)
        m_unusableNamesSince.invalidate();
    else if (!m_unusableNamesSince.isValid())
        m_unusableNamesSince.start();
    const bool holdUnnamed = scan.unusableNames > 0 && m_unusableNamesSince.elapsed() < kHoldUnnamedMs;
    bool held = false;

    std::vector<NetNamespaceInfo> added;
    std::vector<NetNamespaceInfo> changed;
    for (auto next = scan.namespaces.begin(); next != scan.namespaces.end();) {
        const NetNamespaceInfo &info = *next;
        const auto it = before.find(Key(info.device, info.inode));
        if (it == before.end() && holdUnnamed && info.names.empty() && !info.current && !info.initial) {
            held = true;
            next = scan.namespaces.erase(next); // new again to the next scan
            continue;
        }
        ++next;
        if (it == before.end()) {
            added.push_back(info);
            continue;
        }
        const NetNamespaceInfo &old = *it->second;
        if (old.names != info.names || old.holderPid != info.holderPid || old.displayName() != info.displayName())
            changed.push_back(info);
        before.erase(it);
    }
    std::vector<NetNamespaceInfo> removed;
    for (const auto &[key, info] : before)
        removed.push_back(*info);

    m_namespaces = std::move(scan.namespaces);
    for (const NetNamespaceInfo &info : removed)
        emit namespaceRemoved(info);
    for (const NetNamespaceInfo &info : added)
        emit namespaceAdded(info);
    for (const NetNamespaceInfo &info : changed)
        emit namespaceChanged(info);
    if (!removed.empty() || !added.empty() || !changed.empty())
        emit namespacesChanged();
    if (held && m_running)
        m_settle.start();
}

} // namespace ncv

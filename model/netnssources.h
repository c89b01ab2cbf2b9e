// SPDX-License-Identifier: GPL-2.0-or-later
// NetNamespaceSources: the namespaces `--netns` selects, kept up to date while running. It
// owns a NamespaceSetSource (one rtnetlink source per namespace) and a NetNamespaceWatcher,
// starts watching each selected namespace that appears and stops watching each one that
// goes (the source then delivers its objects' deletions). Each namespace is interned in
// NamespaceTable under the name the watcher gives it (its /run/netns name, its container
// or holding process, net:[inode]); every record of it carries that id.
//
// Entering another namespace needs CAP_SYS_ADMIN: without it, start() says so in
// warning() and goes on with the program's own namespace alone.
//
// GUI thread (any thread with an event loop).
#pragma once

#include "model/netnswatcher.h"
#include "platform/linux/namespacesetsource.h"

#include <QHash>
#include <QObject>
#include <QPair>
#include <QString>

#include <memory>

namespace ncv {

class NotificationModel;

class NetNamespaceSources : public QObject {
    Q_OBJECT
public:
    NetNamespaceSources(const NetNamespaceSelection &selection, QObject *parent = nullptr,
                        const NetNamespaceWatcher::Options &watcherOptions = {});
    ~NetNamespaceSources() override;

    /// Scans the namespaces and adds the selected ones to source(); call before registering
    /// with it. Returns false with *error set when a name given matches no namespace
    /// ("--netns: no network namespace named x (there are: host, blue, red)").
    bool start(QString *error);
    /// The source to register with: every selected namespace's changes, tagged.
    platform::Source *source() const { return m_source.get(); }
    /// A line to show the user (no privilege to enter other namespaces), empty when none.
    QString warning() const { return m_warning; }
    /// The NamespaceTable ids of the namespaces watched now.
    QList<quint32> namespaceIds() const;
    /// True when the selection can hold more than one namespace (`all`, or several names).
    bool several() const;
    /// Wires model as the live window shows the selection: with several(), the model keeps
    /// each namespace's state apart (NotificationModel::setSeveralNamespaces) and follows the
    /// namespaces watched, now and as they come and go (setNamespaceWatched). Call before the
    /// model starts; the wiring ends with either object.
    void showIn(NotificationModel *model);

signals:
    /// A namespace started or stopped being watched (name as shown; added false = removed).
    void namespaceWatched(quint32 netns, const QString &name, bool added);
    /// A namespace could not be watched (one line).
    void problem(const QString &line);

private:
    bool add(const platform::NetNamespaceInfo &info);
    void remove(const platform::NetNamespaceInfo &info);

    NetNamespaceSelection m_selection;
    std::unique_ptr<platform::NamespaceSetSource> m_source;
    NetNamespaceWatcher m_watcher;
    QHash<QPair<quint64, quint64>, quint32> m_ids; // (st_dev, st_ino) -> NamespaceTable id
    bool m_currentOnly = false; // no privilege to enter others
    QString m_warning;
};

} // namespace ncv

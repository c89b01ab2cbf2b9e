// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/netnssources.h"

#include "model/notificationmodel.h"
#include "platform/netnstable.h"

#include <QSet>

namespace ncv {

using platform::NetNamespaceInfo;

NetNamespaceSources::NetNamespaceSources(const NetNamespaceSelection &selection, QObject *parent,
                                         const NetNamespaceWatcher::Options &watcherOptions)
    : QObject(parent), m_selection(selection), m_source(std::make_unique<platform::NamespaceSetSource>()),
      m_watcher(watcherOptions)
{
    connect(&m_watcher, &NetNamespaceWatcher::namespaceAdded, this, [this](const NetNamespaceInfo &info) {
        if (!m_currentOnly && m_selection.matches(info))
            add(info);
    });
    connect(&m_watcher, &NetNamespaceWatcher::namespaceRemoved, this,
            [this](const NetNamespaceInfo &info) { remove(info); });
}

NetNamespaceSources::~NetNamespaceSources()
{
    m_watcher.stop();
}

bool NetNamespaceSources::several() const
{
    return m_selection.kind != NetNamespaceSelection::Kind::Named || m_selection.names.size() > 1;
}

void NetNamespaceSources::showIn(NotificationModel *model)
{
    model->watchNamespaces(namespaceIds(), several());
    connect(this, &NetNamespaceSources::namespaceWatched, model,
            [model](quint32 netns, const QString &, bool added) { model->setNamespaceWatched(netns, added); });
}

bool NetNamespaceSources::start(QString *error)
{
    m_watcher.start();
    const std::vector<NetNamespaceInfo> &all = m_watcher.namespaces();
    if (m_selection.kind == NetNamespaceSelection::Kind::Named) {
        for (const QString &name : std::as_const(m_selection.names)) {
            NetNamespaceSelection one;
            one.kind = NetNamespaceSelection::Kind::Named;
            one.names = {name};
            bool found = false;
            for (const NetNamespaceInfo &info : all)
                found = found || one.matches(info);
            if (!found) {
                QStringList known;
                for (const NetNamespaceInfo &info : all)
                    known.append(QString::fromStdString(info.displayName()));
                if (error)
                    *error = QStringLiteral("--netns: no network namespace named %1 (there are: %2)")
                                 .arg(name, known.join(QStringLiteral(", ")));
                m_watcher.stop();
                return false;
            }
        }
    }
    // One try before anything else: without CAP_SYS_ADMIN no other namespace can be entered,
    // and one line says so instead of one per namespace.
    for (const NetNamespaceInfo &info : all) {
        if (info.current || !m_selection.matches(info))
            continue;
        const std::string why = platform::runInNetNamespace(info.path, [] {});
        if (!why.empty()) {
            m_currentOnly = true;
            m_warning = QStringLiteral("cannot enter other network namespaces (%1; it needs CAP_SYS_ADMIN): "
                                       "watching only the current one")
                            .arg(QString::fromStdString(why));
        }
        break;
    }
    for (const NetNamespaceInfo &info : all) {
        if (m_currentOnly ? info.current : m_selection.matches(info))
            add(info);
    }
    return true;
}

bool NetNamespaceSources::add(const NetNamespaceInfo &info)
{
    const QPair<quint64, quint64> key(info.device, info.inode);
    if (m_ids.contains(key))
        return true;
    platform::NetNamespace ns;
    ns.name = info.displayName();
    ns.inode = info.inode;
    ns.device = info.device;
    const quint32 id = platform::NamespaceTable::intern(ns);
    // The program's own namespace needs no setns: it is watched without privileges.
    const std::string problem = m_source->addNamespace(id, info.current ? std::string() : info.path);
    m_ids.insert(key, id);
    if (!problem.empty())
        emit this->problem(QString::fromStdString(problem));
    emit namespaceWatched(id, QString::fromStdString(ns.name), true);
    return problem.empty();
}

void NetNamespaceSources::remove(const NetNamespaceInfo &info)
{
    const QPair<quint64, quint64> key(info.device, info.inode);
    const auto it = m_ids.constFind(key);
    if (it == m_ids.constEnd())
        return;
    const quint32 id = *it;
    m_ids.erase(it);
    m_source->removeNamespace(id);
    emit namespaceWatched(id, QString::fromStdString(platform::NamespaceTable::name(id)), false);
}

QList<quint32> NetNamespaceSources::namespaceIds() const
{
    QList<quint32> ids;
    for (const std::uint32_t id : m_source->namespaces())
        ids.append(id);
    return ids;
}

} // namespace ncv

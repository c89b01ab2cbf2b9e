// SPDX-License-Identifier: GPL-2.0-or-later
// (namespace, ifindex) -> current interface name, shared by NotificationModel (which updates
// it from interface records) and the address / route table models (their "Interface"
// column). Keyed by namespace too: ifindex 2 exists in every network namespace
// (ChangeRecord::netns; 0 when only the program's own is watched). GUI thread only.
#pragma once

#include <QHash>
#include <QString>

namespace ncv {

class InterfaceNames {
public:
    /// Current name of ifIndex in namespace netns, else "if N" (N = ifIndex); "" for ifIndex 0.
    QString name(quint32 ifIndex, quint32 netns = 0) const;
    /// True when ifIndex has a known name.
    bool contains(quint32 ifIndex, quint32 netns = 0) const { return m_names.contains(key(ifIndex, netns)); }
    /// Sets the name; returns true when it differs from the previous one.
    bool set(quint32 ifIndex, const QString &name, quint32 netns = 0);
    /// Forgets ifIndex; returns true when it was known.
    bool remove(quint32 ifIndex, quint32 netns = 0);
    void clear() { m_names.clear(); }
    qsizetype size() const { return m_names.size(); }

    static quint64 key(quint32 ifIndex, quint32 netns) { return (quint64(netns) << 32) | ifIndex; }

private:
    QHash<quint64, QString> m_names;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// ifindex -> current interface name, shared by NotificationModel (which updates it from
// interface records) and the address / route table models (their "Interface" column).
// GUI thread only.
#pragma once

#include <QHash>
#include <QString>

namespace ncv {

class InterfaceNames {
public:
    /// Current name of ifIndex, else "if N" (N = ifIndex); "" for ifIndex 0.
    QString name(quint32 ifIndex) const;
    /// True when ifIndex has a known name.
    bool contains(quint32 ifIndex) const { return m_names.contains(ifIndex); }
    /// Sets the name; returns true when it differs from the previous one.
    bool set(quint32 ifIndex, const QString &name);
    /// Forgets ifIndex; returns true when it was known.
    bool remove(quint32 ifIndex);
    void clear() { m_names.clear(); }
    qsizetype size() const { return m_names.size(); }

private:
    QHash<quint32, QString> m_names;
};

} // namespace ncv

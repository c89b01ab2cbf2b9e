// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/interfacenames.h"

namespace ncv {

QString InterfaceNames::name(quint32 ifIndex, quint32 netns) const
{
    if (ifIndex == 0)
        return {};
    const auto it = m_names.constFind(key(ifIndex, netns));
    if (it != m_names.constEnd() && !it->isEmpty())
        return *it;
    return QStringLiteral("if %1").arg(ifIndex);
}

bool InterfaceNames::set(quint32 ifIndex, const QString &name, quint32 netns)
{
    auto it = m_names.find(key(ifIndex, netns));
    if (it != m_names.end()) {
        if (*it == name)
            return false;
        *it = name;
        return true;
    }
    m_names.insert(key(ifIndex, netns), name);
    return true;
}

bool InterfaceNames::remove(quint32 ifIndex, quint32 netns)
{
    return m_names.remove(key(ifIndex, netns)) > 0;
}

} // namespace ncv

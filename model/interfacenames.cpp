// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/interfacenames.h"

namespace ncv {

QString InterfaceNames::name(quint32 ifIndex) const
{
    if (ifIndex == 0)
        return {};
    const auto it = m_names.constFind(ifIndex);
    if (it != m_names.constEnd() && !it->isEmpty())
        return *it;
    return QStringLiteral("if %1").arg(ifIndex);
}

bool InterfaceNames::set(quint32 ifIndex, const QString &name)
{
    auto it = m_names.find(ifIndex);
    if (it != m_names.end()) {
        if (*it == name)
            return false;
        *it = name;
        return true;
    }
    m_names.insert(ifIndex, name);
    return true;
}

bool InterfaceNames::remove(quint32 ifIndex)
{
    return m_names.remove(ifIndex) > 0;
}

} // namespace ncv

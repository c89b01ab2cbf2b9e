// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/columnfilterproxy.h"

namespace ncv {

ColumnFilterProxy::ColumnFilterProxy(QObject *parent) : ChangeTableProxy(parent) { }

void ColumnFilterProxy::setRequiredValue(int column, const QString &value, int role)
{
    if (m_column == column && m_value == value && m_role == role)
        return;
    m_column = column;
    m_value = value;
    m_role = role;
    refilter();
    Q_EMIT requiredValueChanged();
}

void ColumnFilterProxy::clearRequiredValue()
{
    if (m_column < 0)
        return;
    m_column = -1;
    m_value.clear();
    refilter();
    Q_EMIT requiredValueChanged();
}

bool ColumnFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_column >= 0) {
        const QModelIndex cell = sourceModel()->index(sourceRow, m_column, sourceParent);
        if (cell.data(m_role).toString() != m_value)
            return false;
    }
    return ChangeTableProxy::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventlogfilterproxy.h"

#include "model/history/eventlogmodel.h"
#include "model/tables/tablemodelroles.h"

#include <utility>

namespace ncv {

EventLogFilterProxy::EventLogFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void EventLogFilterProxy::setTimeRange(qint64 fromUs, qint64 toUs)
{
    if (m_range.set(fromUs, toUs))
        invalidateFilter();
}

void EventLogFilterProxy::clearTimeRange()
{
    if (m_range.clear())
        invalidateFilter();
}

bool EventLogFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_range.active
        && !m_range.passes(sourceModel()->index(sourceRow, 0, sourceParent).data(TimeUsRole).toLongLong()))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

bool EventLogFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (qobject_cast<const EventLogModel *>(sourceModel())) {
        if (left.column() == EventLogModel::Sequence)
            return left.row() < right.row();
        if (left.column() == EventLogModel::Time) {
            const qint64 l = left.data(TimeUsRole).toLongLong(), r = right.data(TimeUsRole).toLongLong();
            return l != r ? l < r : left.row() < right.row();
        }
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace ncv

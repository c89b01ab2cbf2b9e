// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/rowwindowproxy.h"

#include <algorithm>

namespace ncv {

RowWindowProxy::RowWindowProxy(QObject *parent) : QAbstractProxyModel(parent) { }

void RowWindowProxy::setSourceModel(QAbstractItemModel *source)
{
    if (source == sourceModel())
        return;
    beginResetModel();
    if (QAbstractItemModel *old = sourceModel())
        disconnect(old, nullptr, this, nullptr);
    QAbstractProxyModel::setSourceModel(source);
    m_first = 0;
    if (source) {
        // A source that changes its rows is shown afresh: the window is re-clamped and the
        // view's rows reread. The file-backed log changes rows only by a reset (filter,
        // sort); anything else is rare enough that a precise mapping is not worth its code.
        connect(source, &QAbstractItemModel::modelAboutToBeReset, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::modelReset, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::layoutChanged, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::rowsInserted, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::rowsRemoved, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::columnsInserted, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::columnsRemoved, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles) {
                    const int rows = rowCount();
                    const int top = std::max(topLeft.row() - m_first, 0);
                    const int bottom = std::min(bottomRight.row() - m_first, rows - 1);
                    if (top <= bottom)
                        Q_EMIT dataChanged(index(top, topLeft.column()), index(bottom, bottomRight.column()), roles);
                });
        connect(source, &QAbstractItemModel::headerDataChanged, this, &QAbstractItemModel::headerDataChanged);
    }
    endResetModel();
}

void RowWindowProxy::beginSourceReset()
{
    if (m_resetting)
        return;
    m_resetting = true;
    beginResetModel();
}

void RowWindowProxy::endSourceReset()
{
    if (!m_resetting)
        return;
    m_first = clampFirst(m_first);
    m_resetting = false;
    endResetModel();
}

void RowWindowProxy::setWindowRows(int rows)
{
    rows = std::max(1, rows);
    if (rows == m_windowRows)
        return;
    beginResetModel();
    m_windowRows = rows;
    m_first = clampFirst(m_first);
    endResetModel();
}

int RowWindowProxy::sourceRowCount() const
{
    return sourceModel() ? sourceModel()->rowCount() : 0;
}

int RowWindowProxy::clampFirst(int first) const
{
    return std::clamp(first, 0, std::max(0, sourceRowCount() - m_windowRows));
}

bool RowWindowProxy::setWindowFirst(int first)
{
    first = clampFirst(first);
    if (first == m_first || m_resetting)
        return false;
    // A vertical re-sort as far as the view is concerned: rows move, columns do not.
    const QList<QPersistentModelIndex> none;
    Q_EMIT layoutAboutToBeChanged(none, VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    QModelIndexList to;
    to.reserve(from.size());
    const int rows = rowCount();
    for (const QModelIndex &old : from) {
        const int row = old.row() + m_first - first;
        to.append(row >= 0 && row < rows ? createIndex(row, old.column()) : QModelIndex());
    }
    m_first = first;
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged(none, VerticalSortHint);
    return true;
}

int RowWindowProxy::proxyRowOf(int sourceRow) const
{
    const int row = sourceRow - m_first;
    return sourceRow >= 0 && row >= 0 && row < rowCount() ? row : -1;
}

QModelIndex RowWindowProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex RowWindowProxy::parent(const QModelIndex &) const
{
    return {};
}

int RowWindowProxy::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || m_resetting)
        return 0;
    return std::clamp(sourceRowCount() - m_first, 0, m_windowRows);
}

int RowWindowProxy::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !sourceModel())
        return 0;
    return sourceModel()->columnCount();
}

bool RowWindowProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && rowCount() > 0 && columnCount() > 0;
}

QModelIndex RowWindowProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel())
        return {};
    return sourceModel()->index(proxyIndex.row() + m_first, proxyIndex.column());
}

QModelIndex RowWindowProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.parent().isValid())
        return {};
    const int row = proxyRowOf(sourceIndex.row());
    return row >= 0 ? index(row, sourceIndex.column()) : QModelIndex();
}

QVariant RowWindowProxy::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!sourceModel())
        return {};
    if (orientation == Qt::Vertical)
        return sourceModel()->headerData(section + m_first, orientation, role);
    return sourceModel()->headerData(section, orientation, role);
}

QModelIndex RowWindowProxy::sibling(int row, int column, const QModelIndex &idx) const
{
    return idx.isValid() ? index(row, column) : QModelIndex();
}

} // namespace ncv

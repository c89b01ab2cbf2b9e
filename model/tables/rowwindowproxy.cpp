// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/rowwindowproxy.h"

#include <algorithm>
#include <utility>

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
    m_pendingChange = {};
    m_inLayout = false;
    m_layoutFrom.clear();
    m_layoutSources.clear();
    if (source) {
        connect(source, &QAbstractItemModel::modelAboutToBeReset, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::modelReset, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, &RowWindowProxy::onLayoutAboutToBeChanged);
        connect(source, &QAbstractItemModel::layoutChanged, this, &RowWindowProxy::onLayoutChanged);
        connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, &RowWindowProxy::onRowsAboutToBeInserted);
        connect(source, &QAbstractItemModel::rowsInserted, this, &RowWindowProxy::onRowsInserted);
        connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, &RowWindowProxy::onRowsAboutToBeRemoved);
        connect(source, &QAbstractItemModel::rowsRemoved, this, &RowWindowProxy::onRowsRemoved);
        // Rare in flat tables: shown afresh.
        connect(source, &QAbstractItemModel::rowsAboutToBeMoved, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::rowsMoved, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::columnsAboutToBeInserted, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::columnsInserted, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::columnsAboutToBeRemoved, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::columnsRemoved, this, &RowWindowProxy::endSourceReset);
        connect(source, &QAbstractItemModel::columnsAboutToBeMoved, this, &RowWindowProxy::beginSourceReset);
        connect(source, &QAbstractItemModel::columnsMoved, this, &RowWindowProxy::endSourceReset);
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
    m_rows = fullRows(m_first);
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
    m_rows = fullRows(m_first);
    m_resetting = false;
    endResetModel();
    Q_EMIT sourceReordered();
}

void RowWindowProxy::onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last)
{
    m_pendingChange = {};
    if (parent.isValid() || m_resetting)
        return;
    const int count = last - first + 1;
    // At windowFirst() itself (unless that is the top): before the window, so that the rows
    // on screen stay where they are.
    if (first < m_first || (first == m_first && m_first > 0)) {
        m_pendingChange.before = count;
        return;
    }
    const int at = first - m_first; // <= m_rows: a window that is not full ends at the source's end
    if (at >= m_windowRows)
        return; // after a full window
    if (at + count >= m_windowRows && at < m_rows) {
        // Every row from `at` on is pushed out of the window: removed first, while the
        // source still holds them (after the insert, the rows past the new ones would map
        // to new rows, not to the ones they were).
        beginRemoveRows({}, at, m_rows - 1);
        m_rows = at;
        endRemoveRows();
    }
    const int shown = std::min(count, m_windowRows - at);
    beginInsertRows({}, at, at + shown - 1);
    m_pendingChange.inside = shown;
}

void RowWindowProxy::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_resetting)
        return;
    const PendingChange change = std::exchange(m_pendingChange, {});
    m_first += change.before;
    if (change.inside > 0) {
        m_rows += change.inside;
        endInsertRows();
        if (m_rows > m_windowRows) { // pushed past the window's end
            beginRemoveRows({}, m_windowRows, m_rows - 1);
            m_rows = m_windowRows;
            endRemoveRows();
        }
    }
    Q_EMIT sourceRowsInserted(first, last - first + 1);
}

void RowWindowProxy::onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last)
{
    m_pendingChange = {};
    if (parent.isValid() || m_resetting)
        return;
    m_pendingChange.before = std::max(0, std::min(last, m_first - 1) - first + 1);
    const int lo = std::max(first, m_first);
    const int hi = std::min(last, m_first + m_rows - 1);
    if (lo <= hi) {
        beginRemoveRows({}, lo - m_first, hi - m_first);
        m_pendingChange.inside = hi - lo + 1;
    }
}

void RowWindowProxy::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_resetting)
        return;
    const PendingChange change = std::exchange(m_pendingChange, {});
    // The rows kept before the removed ones were at windowFirst() + row and are now
    // `before` rows higher; those after them are at the same proxy row less `inside`.
    m_first -= change.before;
    if (change.inside > 0) {
        m_rows -= change.inside;
        endRemoveRows();
    }
    refill();
    Q_EMIT sourceRowsRemoved(first, last - first + 1);
}

void RowWindowProxy::refill()
{
    const int after = std::min(m_windowRows, sourceRowCount() - m_first);
    if (after > m_rows) {
        beginInsertRows({}, m_rows, after - 1);
        m_rows = after;
        endInsertRows();
    }
    if (m_rows < m_windowRows && m_first > 0) {
        const int add = std::min(m_first, m_windowRows - m_rows);
        beginInsertRows({}, 0, add - 1);
        m_first -= add;
        m_rows += add;
        endInsertRows();
    }
}

void RowWindowProxy::onLayoutAboutToBeChanged()
{
    if (m_resetting || m_inLayout)
        return;
    // The row count may change with it (a source that announces many inserts as one layout
    // change): no hint.
    Q_EMIT layoutAboutToBeChanged();
    m_inLayout = true;
    m_layoutFrom = persistentIndexList();
    m_layoutSources.clear();
    m_layoutSources.reserve(m_layoutFrom.size());
    for (const QModelIndex &index : std::as_const(m_layoutFrom))
        m_layoutSources.append(QPersistentModelIndex(mapToSource(index)));
}

void RowWindowProxy::onLayoutChanged()
{
    if (!m_inLayout)
        return;
    m_inLayout = false;
    m_first = clampFirst(m_first);
    m_rows = fullRows(m_first);
    QModelIndexList to;
    to.reserve(m_layoutFrom.size());
    for (qsizetype i = 0; i < m_layoutFrom.size(); ++i) {
        const QModelIndex source = m_layoutSources.at(i);
        const int row = source.isValid() ? proxyRowOf(source.row()) : -1;
        to.append(row >= 0 ? createIndex(row, m_layoutFrom.at(i).column()) : QModelIndex());
    }
    changePersistentIndexList(m_layoutFrom, to);
    m_layoutFrom.clear();
    m_layoutSources.clear();
    Q_EMIT layoutChanged();
    Q_EMIT sourceReordered();
}

void RowWindowProxy::setWindowRows(int rows)
{
    rows = std::max(1, rows);
    if (rows == m_windowRows)
        return;
    beginResetModel();
    m_windowRows = rows;
    m_first = clampFirst(m_first);
    m_rows = fullRows(m_first);
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

int RowWindowProxy::fullRows(int first) const
{
    return std::clamp(sourceRowCount() - first, 0, m_windowRows);
}

bool RowWindowProxy::setWindowFirst(int first)
{
    first = clampFirst(first);
    if (first == m_first || m_resetting || m_inLayout)
        return false;
    // A vertical re-sort as far as the view is concerned: rows move, columns do not.
    const QList<QPersistentModelIndex> none;
    Q_EMIT layoutAboutToBeChanged(none, VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    QModelIndexList to;
    to.reserve(from.size());
    const int rows = fullRows(first);
    for (const QModelIndex &old : from) {
        const int row = old.row() + m_first - first;
        to.append(row >= 0 && row < rows ? createIndex(row, old.column()) : QModelIndex());
    }
    m_first = first;
    m_rows = fullRows(first);
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
    return m_rows;
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

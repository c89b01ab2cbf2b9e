// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventlogfilterproxy.h"

#include "model/history/eventlogmodel.h"
#include "model/tables/tablemodelroles.h"

#include <utility>

namespace ncv {

bool EventLogFilterProxy::Sorter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_range->active
        && !m_range->passes(sourceModel()->index(sourceRow, 0, sourceParent).data(TimeUsRole).toLongLong()))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

bool EventLogFilterProxy::Sorter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // "#" compares source rows (they are in sequence order) and Time compares TimeUsRole,
    // without building QVariants of text (sorted inserts of 50k events into a million).
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

EventLogFilterProxy::EventLogFilterProxy(QObject *parent) : QAbstractProxyModel(parent), m_sorter(&m_range)
{
    m_sorter.setSortRole(SortRole);
    m_sorter.setFilterKeyColumn(-1);
    m_sorter.setDynamicSortFilter(true);
}

EventLogFilterProxy::~EventLogFilterProxy()
{
    disconnectSignals();
}

void EventLogFilterProxy::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    disconnectSignals();
    m_sorter.setSourceModel(nullptr);
    m_mapping = false;
    QAbstractProxyModel::setSourceModel(source);
    if (source && wantsMapping()) {
        m_sorter.setSourceModel(source);
        m_sorter.setFilterRegularExpression(m_filter);
        m_sorter.sort(m_sortColumn, m_sortOrder);
        m_mapping = true;
    }
    m_rows = source ? source->rowCount() : 0;
    if (source)
        connectSignals(m_mapping ? static_cast<QAbstractItemModel *>(&m_sorter) : source);
    endResetModel();
}

bool EventLogFilterProxy::wantsMapping() const
{
    const bool ownOrder
        = m_sortColumn < 0 || (m_sortColumn == EventLogModel::Sequence && m_sortOrder == Qt::AscendingOrder);
    return m_range.active || !m_filter.pattern().isEmpty() || !ownOrder;
}

QAbstractItemModel *EventLogFilterProxy::rowModel() const
{
    return m_mapping ? const_cast<Sorter *>(&m_sorter) : sourceModel();
}

void EventLogFilterProxy::updateMode()
{
    QAbstractItemModel *source = sourceModel();
    const bool want = source && wantsMapping();
    if (want == m_mapping)
        return;
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList ours = persistentIndexList();
    QList<QPersistentModelIndex> events; // each persistent index's event, in the source
    events.reserve(ours.size());
    for (const QModelIndex &index : ours)
        events.append(QPersistentModelIndex(mapToSource(index)));
    disconnectSignals();
    if (want) {
        m_sorter.setSourceModel(source);
        m_sorter.setFilterRegularExpression(m_filter);
        m_sorter.sort(m_sortColumn, m_sortOrder);
        m_mapping = true;
        connectSignals(&m_sorter);
    } else {
        m_sorter.setSourceModel(nullptr); // its mappings go
        m_mapping = false;
        m_rows = source->rowCount();
        connectSignals(source);
    }
    QModelIndexList moved;
    moved.reserve(ours.size());
    for (const QPersistentModelIndex &event : std::as_const(events))
        moved.append(event.isValid() ? mapFromSource(event) : QModelIndex());
    changePersistentIndexList(ours, moved);
    Q_EMIT layoutChanged();
}

bool EventLogFilterProxy::keepsMapping() const
{
    return m_mapping && sourceModel() && wantsMapping();
}

void EventLogFilterProxy::setTimeRange(qint64 fromUs, qint64 toUs)
{
    if (!m_range.set(fromUs, toUs))
        return;
    if (keepsMapping())
        m_sorter.invalidateFilter(); // it announces what comes and goes
    else
        updateMode();
}

void EventLogFilterProxy::clearTimeRange()
{
    if (!m_range.clear())
        return;
    if (keepsMapping())
        m_sorter.invalidateFilter();
    else
        updateMode();
}

void EventLogFilterProxy::setFilterFixedString(const QString &text)
{
    setFilterRegularExpression(QRegularExpression::escape(text));
}

void EventLogFilterProxy::setFilterRegularExpression(const QString &pattern)
{
    if (pattern == m_filter.pattern())
        return;
    m_filter = QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
    if (keepsMapping())
        m_sorter.setFilterRegularExpression(m_filter);
    else
        updateMode();
}

void EventLogFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (keepsMapping())
        m_sorter.sort(m_sortColumn, m_sortOrder);
    else
        updateMode();
}

void EventLogFilterProxy::connectSignals(QAbstractItemModel *from)
{
    // Rows of `from` are ours one for one.
    m_connections << connect(from, &QAbstractItemModel::rowsAboutToBeInserted, this,
                             [this](const QModelIndex &parent, int first, int last) {
                                 if (!parent.isValid())
                                     beginInsertRows({}, first, last);
                             });
    m_connections << connect(from, &QAbstractItemModel::rowsInserted, this,
                             [this](const QModelIndex &parent, int first, int last) {
                                 if (parent.isValid())
                                     return;
                                 m_rows += last - first + 1;
                                 endInsertRows();
                             });
    m_connections << connect(from, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                             [this](const QModelIndex &parent, int first, int last) {
                                 if (!parent.isValid())
                                     beginRemoveRows({}, first, last);
                             });
    m_connections << connect(from, &QAbstractItemModel::rowsRemoved, this,
                             [this](const QModelIndex &parent, int first, int last) {
                                 if (parent.isValid())
                                     return;
                                 m_rows -= last - first + 1;
                                 endRemoveRows();
                             });
    m_connections << connect(
        from, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles) {
            if (topLeft.parent().isValid())
                return;
            Q_EMIT dataChanged(index(topLeft.row(), topLeft.column()), index(bottomRight.row(), bottomRight.column()),
                               roles);
        });
    m_connections << connect(from, &QAbstractItemModel::headerDataChanged, this,
                             &QAbstractItemModel::headerDataChanged);
    m_connections << connect(from, &QAbstractItemModel::modelAboutToBeReset, this,
                             &EventLogFilterProxy::onAboutToBeReset);
    m_connections << connect(from, &QAbstractItemModel::modelReset, this, &EventLogFilterProxy::onReset);
    m_connections << connect(from, &QAbstractItemModel::layoutAboutToBeChanged, this,
                             &EventLogFilterProxy::onLayoutAboutToBeChanged);
    m_connections << connect(from, &QAbstractItemModel::layoutChanged, this, &EventLogFilterProxy::onLayoutChanged);
    // The log's columns are fixed; any column change is taken as a reset.
    for (auto begin : {&QAbstractItemModel::columnsAboutToBeInserted, &QAbstractItemModel::columnsAboutToBeRemoved})
        m_connections << connect(from, begin, this, &EventLogFilterProxy::onAboutToBeReset);
    for (auto end : {&QAbstractItemModel::columnsInserted, &QAbstractItemModel::columnsRemoved})
        m_connections << connect(from, end, this, &EventLogFilterProxy::onReset);
    if (QAbstractItemModel *source = sourceModel()) {
        // A source deleted first (at shutdown): no rows left, and no signals (views would
        // ask a dying model).
        m_connections << connect(source, &QObject::destroyed, this, [this] {
            m_rows = 0;
            m_mapping = false;
            disconnectSignals();
        });
    }
}

void EventLogFilterProxy::disconnectSignals()
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
}

void EventLogFilterProxy::onAboutToBeReset()
{
    beginResetModel();
}

void EventLogFilterProxy::onReset()
{
    m_rows = sourceModel() ? sourceModel()->rowCount() : 0;
    endResetModel();
}

void EventLogFilterProxy::onLayoutAboutToBeChanged()
{
    Q_EMIT layoutAboutToBeChanged();
    m_layoutOurs = persistentIndexList();
    m_layoutTheirs.clear();
    m_layoutTheirs.reserve(m_layoutOurs.size());
    QAbstractItemModel *rows = rowModel();
    for (const QModelIndex &index : std::as_const(m_layoutOurs))
        m_layoutTheirs.append(QPersistentModelIndex(rows->index(index.row(), index.column())));
}

void EventLogFilterProxy::onLayoutChanged()
{
    if (!m_mapping && sourceModel())
        m_rows = sourceModel()->rowCount();
    QModelIndexList moved;
    moved.reserve(m_layoutOurs.size());
    for (const QPersistentModelIndex &their : std::as_const(m_layoutTheirs))
        moved.append(their.isValid() ? index(their.row(), their.column()) : QModelIndex());
    changePersistentIndexList(m_layoutOurs, moved);
    m_layoutOurs.clear();
    m_layoutTheirs.clear();
    Q_EMIT layoutChanged();
}

QModelIndex EventLogFilterProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex EventLogFilterProxy::parent(const QModelIndex &) const
{
    return {};
}

int EventLogFilterProxy::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !sourceModel())
        return 0;
    return m_mapping ? m_sorter.rowCount() : m_rows;
}

int EventLogFilterProxy::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !sourceModel())
        return 0;
    return sourceModel()->columnCount();
}

bool EventLogFilterProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && rowCount() > 0;
}

QModelIndex EventLogFilterProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel())
        return {};
    if (m_mapping)
        return m_sorter.mapToSource(m_sorter.index(proxyIndex.row(), proxyIndex.column()));
    return sourceModel()->index(proxyIndex.row(), proxyIndex.column());
}

QModelIndex EventLogFilterProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid())
        return {};
    if (m_mapping) {
        const QModelIndex sorted = m_sorter.mapFromSource(sourceIndex);
        return sorted.isValid() ? createIndex(sorted.row(), sorted.column()) : QModelIndex();
    }
    return sourceIndex.row() < m_rows ? createIndex(sourceIndex.row(), sourceIndex.column()) : QModelIndex();
}

} // namespace ncv

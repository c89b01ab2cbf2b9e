// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogFilterProxy: sorts (by SortRole) and filters the event log: an optional time
// range [fromUs, toUs] (inclusive, µs since epoch) plus a text over every column (fixed
// string or regular expression, case-insensitive). GUI thread only.
//
// Why not a QSortFilterProxyModel alone: one keeps two 4-byte mappings per row even with no
// filter and the log's own order, 8 MB at a million events, and the log is shown that way
// nearly always. So with no filter and sorted by "#" ascending (or not sorted) this proxy
// passes rows straight through and keeps nothing per row; a filter or another order puts a
// QSortFilterProxyModel (with the log's sort and time rules) between, made when needed and
// dropped when no longer. The switch is one layout change: persistent indexes (the view's
// current row and selection) follow their events.
#pragma once

#include "model/history/timerange.h"

#include <QAbstractProxyModel>
#include <QList>
#include <QPersistentModelIndex>
#include <QRegularExpression>
#include <QSortFilterProxyModel>

namespace ncv {

class EventLogFilterProxy : public QAbstractProxyModel {
    Q_OBJECT
public:
    explicit EventLogFilterProxy(QObject *parent = nullptr);
    ~EventLogFilterProxy() override;

    void setSourceModel(QAbstractItemModel *source) override;

    /// Keeps only events with fromUs <= time <= toUs (swapped when given reversed).
    void setTimeRange(qint64 fromUs, qint64 toUs);
    void clearTimeRange();
    bool hasTimeRange() const { return m_range.active; }
    qint64 timeFromUs() const { return m_range.fromUs; }
    qint64 timeToUs() const { return m_range.toUs; }
    /// Keeps rows where some column's display text contains text, ignoring case ("" = all).
    void setFilterFixedString(const QString &text);
    /// Keeps rows where some column's display text matches pattern, ignoring case ("" = all).
    void setFilterRegularExpression(const QString &pattern);
    QRegularExpression filterRegularExpression() const { return m_filter; }

    /// Sorts by column (-1: the log's own order) in order: "#" by source row, Time by
    /// TimeUsRole (equal times in arrival order), other columns by SortRole.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    /// True while rows go through a QSortFilterProxyModel (a filter, or an order other than
    /// the log's own); false while they pass straight through, with no per-row memory.
    bool isMapping() const { return m_mapping; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;

private:
    /// The QSortFilterProxyModel used while mapping: the log's time range and order rules.
    class Sorter : public QSortFilterProxyModel {
    public:
        explicit Sorter(const TimeRange *range) : m_range(range) { }
        using QSortFilterProxyModel::invalidateFilter;

    protected:
        bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
        bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

    private:
        const TimeRange *m_range;
    };

    bool wantsMapping() const;
    /// True when rows are mapped now and still will be after a settings change: the
    /// sorter takes the change and announces what moves.
    bool keepsMapping() const;
    /// Switches between passing rows through and mapping them when the settings ask for the
    /// other, in one layout change.
    void updateMode();
    void connectSignals(QAbstractItemModel *from);
    void disconnectSignals();
    /// The model whose rows are ours one for one: the sorter while mapping, else the source.
    QAbstractItemModel *rowModel() const;

    void onAboutToBeReset();
    void onReset();
    void onLayoutAboutToBeChanged();
    void onLayoutChanged();

    Sorter m_sorter;
    bool m_mapping = false;
    int m_rows = 0; // rows while passing through (the source's, as last announced)
    TimeRange m_range;
    QRegularExpression m_filter;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QList<QMetaObject::Connection> m_connections;
    // Across a layout change: our persistent indexes and where they were in rowModel().
    QModelIndexList m_layoutOurs;
    QList<QPersistentModelIndex> m_layoutTheirs;
};

} // namespace ncv

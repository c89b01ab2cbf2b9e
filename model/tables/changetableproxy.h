// SPDX-License-Identifier: GPL-2.0-or-later
// ChangeTableProxy: the sort and filter proxy over a ChangeTableModel.
#pragma once

#include "model/tables/changetablemodel.h"

#include <QList>
#include <QProperty>
#include <QSortFilterProxyModel>

#include <vector>

namespace ncv {

/// Sorts and filters a ChangeTableModel through its compareRows() / rowContains() (no
/// QVariant per comparison, no copy of the rows). setFilterText() sets the filter: a row
/// stays when the display text of one of its columns contains the filter text, ignoring
/// case (plain text, not a pattern); while the text only grows (typing), rows rejected
/// by the previous text are rejected at once. For a ChangeTableModel source that is the
/// only filter: QSortFilterProxyModel's own (filterRegularExpression, set also by
/// setFilterFixedString / setFilterWildcard, with filterKeyColumn, filterCaseSensitivity
/// and filterRole) is not applied, and setting a pattern logs a warning saying so. The
/// scan of a new text runs on up to 4 threads (rowContains() is read-only) into an accept
/// bitmap that filterAcceptsRow() then only reads. A whole sort (sort(), or a filter change that
/// brings back many rows) first ranks the rows from the table's sortKeys() (one sort of
/// compact keys on two threads), so QSortFilterProxyModel's own sort compares two
/// integers. Other source models fall back to QSortFilterProxyModel's behaviour
/// (setFilterText() is then its case-insensitive fixed-string filter over every column).
/// GUI thread only.
class ChangeTableProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ChangeTableProxy(QObject *parent = nullptr);
    void setSourceModel(QAbstractItemModel *source) override;
    /// Filter text ("" = all rows); re-filters at once.
    void setFilterText(const QString &text);
    QString filterText() const { return m_needle.text; }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /// Sorts of more rows than this rank the rows first (default 100,000; tests use 0).
    void setRankThreshold(int rows) { m_rankThreshold = rows; }
    /// True while a column is ranked (its ranks are kept until most rows change).
    bool hasRanks() const { return m_rankColumn >= 0; }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    /// Re-filters every row after a subclass's own condition changed. At scale it rebuilds
    /// the mapping (one pass, one ranked sort) instead of invalidateFilter()'s per-run
    /// removes and inserts, which cost O(rows) each.
    void refilter();
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void warnIfPatternIgnored() const;
    void forgetRejected();
    /// Fills m_ranks for source column (rank of each source row in ascending order; equal
    /// rows share a rank). False when the table has no sort keys for it.
    bool computeRanks(int column);
    /// Ranks column unless current ranks for it cover nearly every row.
    void ensureRanks(int column);
    void dropRanks();
    /// Rows changed in the ranked column lose their rank (compared by compareRows()).
    void unrankRows(const QModelIndex &topLeft, const QModelIndex &bottomRight);

    // Rank of each source row in m_rankColumn (4 bytes per row while a column is ranked);
    // kept until the source removes rows, resets or changes most rows of that column.
    std::vector<quint32> m_ranks;
    int m_rankColumn = -1;
    int m_rankThreshold;

    const ChangeTableModel *m_table = nullptr;
    ChangeTableModel::Needle m_needle;
    // Rows the last filter pass rejected (by source row), valid until the source changes.
    // Computed on two threads in setFilterText(), before the proxy asks row by row.
    std::vector<char> m_rejected;
    std::vector<char> m_previousRejected;
    bool m_rejectedValid = false;
    bool m_narrowing = false;
    bool m_scanned = false; // inside setFilterText's invalidateFilter(): m_rejected is current
    QList<QMetaObject::Connection> m_connections;
    QPropertyNotifier m_patternNotifier; // warns about a pattern that is not applied
};

} // namespace ncv

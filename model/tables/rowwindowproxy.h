// SPDX-License-Identifier: GPL-2.0-or-later
// RowWindowProxy: a slice of a flat table model's rows — source rows [windowFirst(),
// windowFirst() + rowCount()) — re-based as the user scrolls, so a view over a 100M-row
// model holds per-row state (QHeaderView keeps an 8-byte section item per row, a
// QTreeView or QListView more) for the window's rows only. RowWindowScroller
// (views/rowwindowscroller.h) drives it from a scroll bar that spans every source row.
//
// - Re-basing (setWindowFirst) is a layout change, not a reset: persistent indexes (the
//   view's current index and selection) keep their source row while it stays in the
//   window and become invalid when it leaves.
// - Columns, headers, data and sort() are the source's; a source reset, layout change or
//   row insertion / removal resets the proxy, with the window clamped to the new row count
//   (the row count is at most windowRows()).
// GUI thread only.
#pragma once

#include <QAbstractProxyModel>

namespace ncv {

class RowWindowProxy : public QAbstractProxyModel {
    Q_OBJECT
public:
    /// Rows shown at a time by default: a few screens either side of the visible rows, so
    /// keyboard and wheel steps move inside the window and re-basing is rare (once per a few
    /// thousand rows scrolled), while the view's per-row state stays at a few tens of KB.
    static constexpr int kDefaultWindowRows = 4096;

    explicit RowWindowProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *source) override;

    /// Rows in the window (>= 1); the window shrinks to the source's row count.
    void setWindowRows(int rows);
    int windowRows() const { return m_windowRows; }
    /// Source row shown at proxy row 0.
    int windowFirst() const { return m_first; }
    /// Every source row (what a scroll bar over the whole model spans).
    int sourceRowCount() const;
    /// Moves the window to start at source row first, clamped to [0, sourceRowCount() -
    /// rowCount()]. Returns true when it moved (layoutAboutToBeChanged / layoutChanged).
    bool setWindowFirst(int first);
    /// Proxy row of sourceRow, -1 outside the window.
    int proxyRowOf(int sourceRow) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QModelIndex sibling(int row, int column, const QModelIndex &idx) const override;

private:
    void beginSourceReset();
    void endSourceReset();
    int clampFirst(int first) const;

    int m_windowRows = kDefaultWindowRows;
    int m_first = 0;
    bool m_resetting = false;
};

} // namespace ncv

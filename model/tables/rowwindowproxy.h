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
// - Columns, headers, data and sort() are the source's.
// - A live source's changes are followed, not reset (a live table at a million rows changes
//   many times a second, and a reset would lose the view's scroll position, current row
//   and selection each time):
//   - rows inserted or removed before the window keep the window on the rows it shows
//     (windowFirst() moves by their count, the proxy's rows do not change);
//   - rows inserted inside the window, or at its end while it is not full, are inserted
//     there (and the rows pushed past windowRows() removed from its end);
//   - rows removed inside the window are removed there, and the window is filled again from
//     the rows after it (or, at the end of the source, before it);
//   - a layout change (a sort, a publication that moves many rows) is a layout change of
//     the window at the same windowFirst(): the persistent indexes follow their source rows
//     and become invalid when those leave the window.
//   Each change is told by sourceRowsInserted() / sourceRowsRemoved() / sourceReordered()
//   once the proxy is consistent again (a scroll bar over every row follows them).
// - A source reset or a column change resets the proxy, with the window clamped to the new
//   row count.
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

Q_SIGNALS:
    /// count source rows were inserted at source row first (window already updated).
    void sourceRowsInserted(int first, int count);
    /// count source rows were removed from source row first (window already updated).
    void sourceRowsRemoved(int first, int count);
    /// The source's rows were reordered (layout change) or reset.
    void sourceReordered();

private:
    void beginSourceReset();
    void endSourceReset();
    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onLayoutAboutToBeChanged();
    void onLayoutChanged();
    /// Shows the rows the window can hold after a removal: from the rows after it, then,
    /// at the source's end, from the rows before it (row inserts, no layout change).
    void refill();
    int clampFirst(int first) const;
    int fullRows(int first) const; ///< rows a window at first holds: min(windowRows, source rows - first)

    int m_windowRows = kDefaultWindowRows;
    int m_first = 0;
    int m_rows = 0; ///< the proxy's row count, changed only inside begin/end pairs
    bool m_resetting = false;
    // Between a source's "about to" signal and its completion.
    struct PendingChange {
        int before = 0; ///< source rows inserted / removed before the window
        int inside = 0; ///< proxy rows inserted / removed
    } m_pendingChange;
    QList<QPersistentModelIndex> m_layoutSources; ///< the persistent indexes' source rows over a layout change
    QModelIndexList m_layoutFrom;
    bool m_inLayout = false;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// RowWindowScroller: scrolls a QTableView over a RowWindowProxy as if the view showed every
// source row. The view's own vertical scroll bar is hidden (it spans only the window); a
// separate scroll bar (scrollBar(), placed beside the view by its owner) spans every source
// row: its value is the source row at the top of the viewport.
//
// - Keyboard (arrows, PageUp/PageDown), the mouse wheel and scrollTo() move the view inside
//   the window as usual; when the top row comes within a margin (a quarter of the window,
//   at least two screens) of the window's edge, the window is re-based around it after the
//   event is handled (a layout change: the current row and selection keep their source
//   rows while they stay in the window).
// - Dragging the scroll bar re-bases the window at once when the rows to show leave it.
// - Home / Ctrl+Home and End / Ctrl+End go to the first / last source row (with Shift
//   the selection extends from the current row when it is still in the window).
// - The current row is remembered by source row: scrolled out of the window and back, it
//   is current and selected again (without a second currentChanged for the same row). A
//   selection of several rows keeps only the rows still in the window.
// - A live source: rows inserted or removed move the remembered current row with them
//   (a layout change forgets it unless it is in the window), and the scroll bar follows
//   the row count and the window's place (RowWindowProxy keeps the rows on screen when
//   rows come or go before the window).
// Rows have one fixed height (a scroll bar step is a row). GUI thread only.
#pragma once

#include <QAbstractItemView>
#include <QObject>

class QScrollBar;
class QTableView;

namespace ncv {

class RowWindowProxy;

class RowWindowScroller : public QObject {
    Q_OBJECT
public:
    /// view shows proxy (view->model() == proxy); the scroll bar is made a child of
    /// barParent. Hides the view's vertical scroll bar and scrolls it per row.
    RowWindowScroller(QTableView *view, RowWindowProxy *proxy, QWidget *barParent);

    /// Spans every source row: value = source row at the top, range 0..rows - visibleRows().
    QScrollBar *scrollBar() const { return m_bar; }
    /// Keeps the last row in view when rows come (without a reset) while it was in view and
    /// the view is sorted ascending: a log that follows its newest event. Off by default.
    void setFollowEnd(bool enabled) { m_followEnd = enabled; }
    /// Rows that fit the viewport entirely (at least 1).
    int visibleRows() const;
    /// Moves the window so sourceRow is in it (centered on the screen when it was not on
    /// it) and returns the proxy index of its column 0; invalid when out of range.
    QModelIndex revealSourceRow(int sourceRow);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateRange();
    /// After a source change: the bar's range and value from the window (no re-base).
    void followSource();
    void onViewScrolled(int value);
    void onBarMoved(int top);
    void showTop(int top);
    void rebase(int first, int top);
    void recenter();
    void restoreCurrent();
    void jumpTo(int sourceRow, Qt::KeyboardModifiers modifiers);

    QTableView *m_view = nullptr;
    QObject *m_viewport = nullptr; // m_view's viewport, as installed
    RowWindowProxy *m_proxy = nullptr;
    QScrollBar *m_bar = nullptr;
    bool m_syncing = false;
    bool m_recenterQueued = false;
    bool m_followEnd = false;
    int m_currentSourceRow = -1;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/rowwindowscroller.h"

#include "model/tables/rowwindowproxy.h"

#include <QEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QTableView>
#include <QTimer>

#include <algorithm>

namespace ncv {

RowWindowScroller::RowWindowScroller(QTableView *view, RowWindowProxy *proxy, QWidget *barParent)
    : QObject(view), m_view(view), m_proxy(proxy)
{
    m_bar = new QScrollBar(Qt::Vertical, barParent);
    m_bar->setObjectName(view->objectName() + QStringLiteral("ScrollBar"));
    m_bar->setSingleStep(1); // rows; the wheel moves QApplication::wheelScrollLines() of them
    m_view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // The view's scroll value is then its top row in the window: top source row = first + value.
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_view->installEventFilter(this);
    m_viewport = m_view->viewport();
    m_viewport->installEventFilter(this);

    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, &RowWindowScroller::onViewScrolled);
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] { updateRange(); });
    connect(m_bar, &QScrollBar::valueChanged, this, &RowWindowScroller::onBarMoved);
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_currentSourceRow = -1; });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        // A filter or sort: the rows are new, the window clamped; keep the top row where it
        // can stay (the bar's owner may then move it, e.g. to follow the bottom).
        updateRange();
        m_syncing = true;
        showTop(m_bar->value());
        m_syncing = false;
    });
    connect(m_proxy, &RowWindowProxy::sourceRowsInserted, this, [this](int first, int count) {
        if (m_currentSourceRow >= first)
            m_currentSourceRow += count;
        followSource();
    });
    connect(m_proxy, &RowWindowProxy::sourceRowsRemoved, this, [this](int first, int count) {
        if (m_currentSourceRow >= first + count)
            m_currentSourceRow -= count;
        else if (m_currentSourceRow >= first)
            m_currentSourceRow = -1;
        followSource();
    });
    connect(m_proxy, &RowWindowProxy::sourceReordered, this, [this] {
        const QModelIndex current = m_view->selectionModel()->currentIndex();
        m_currentSourceRow = current.isValid() ? m_proxy->windowFirst() + current.row() : -1;
        followSource();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_currentSourceRow = m_proxy->windowFirst() + current.row();
            });
    updateRange();
}

int RowWindowScroller::visibleRows() const
{
    // The view's own count (QTableView::updateGeometries, scrolling per row: rows that fit
    // entirely, at least 1), so that the last row of the window is the last one shown.
    return std::max(1, m_view->verticalScrollBar()->pageStep());
}

void RowWindowScroller::updateRange()
{
    const int page = visibleRows();
    m_bar->setPageStep(std::max(1, page));
    // Clamping the value emits valueChanged: onBarMoved() follows.
    m_bar->setRange(0, std::max(0, m_proxy->sourceRowCount() - page));
    // Shown only when there is somewhere to scroll, as the view's own bar would be. No
    // back and forth: hiding it widens the view, which can only leave more room for rows
    // (its horizontal bar may go), and showing it can only take room away.
    m_bar->setVisible(m_bar->maximum() > 0);
}

void RowWindowScroller::followSource()
{
    if (m_syncing)
        return; // inside a re-base of ours
    // The bar still has the range and value from before the change.
    const bool atEnd = m_bar->value() >= m_bar->maximum();
    // The view lays its rows out later: its rows per page and scroll range must be the
    // window's now, or the bar's range is made from stale ones.
    QScrollBar *inner = m_view->verticalScrollBar();
    if (inner->maximum() != std::max(0, m_proxy->rowCount() - inner->pageStep()))
        m_view->doItemsLayout();
    const int top = m_proxy->windowFirst() + inner->value();
    m_syncing = true;
    updateRange();
    m_bar->setValue(top);
    if (m_followEnd && atEnd && m_bar->value() < m_bar->maximum()
        && m_view->horizontalHeader()->sortIndicatorOrder() == Qt::AscendingOrder)
        showTop(m_bar->maximum());
    m_syncing = false;
}

void RowWindowScroller::onViewScrolled(int value)
{
    if (m_syncing)
        return;
    m_syncing = true;
    m_bar->setValue(m_proxy->windowFirst() + value);
    m_syncing = false;
    // Not now: a key press or scrollTo() may still hold plain indexes of the window's rows.
    if (!m_recenterQueued) {
        m_recenterQueued = true;
        QTimer::singleShot(0, this, &RowWindowScroller::recenter);
    }
}

void RowWindowScroller::onBarMoved(int top)
{
    if (m_syncing)
        return;
    m_syncing = true;
    showTop(top);
    m_syncing = false;
}

void RowWindowScroller::showTop(int top)
{
    const int page = visibleRows();
    const int first = m_proxy->windowFirst();
    const int rows = m_proxy->rowCount();
    if (top < first || top + page > first + rows)
        rebase(top - (rows - page) / 2, top);
    else
        rebase(first, top);
}

void RowWindowScroller::rebase(int first, int top)
{
    const bool moved = m_proxy->setWindowFirst(first);
    QScrollBar *inner = m_view->verticalScrollBar();
    // The view lays its rows out later (after a reset or a resize): its scroll range must be
    // the window's now, or the value below is clamped to a stale range.
    if (inner->maximum() != std::max(0, m_proxy->rowCount() - inner->pageStep()))
        m_view->doItemsLayout();
    inner->setValue(top - m_proxy->windowFirst());
    m_bar->setValue(m_proxy->windowFirst() + inner->value());
    if (moved)
        restoreCurrent();
}

void RowWindowScroller::recenter()
{
    m_recenterQueued = false;
    const int page = visibleRows();
    const int first = m_proxy->windowFirst();
    const int rows = m_proxy->rowCount();
    const int top = m_bar->value();
    const int margin = std::max(rows / 4, 2 * page);
    const bool nearStart = top - first < margin && first > 0;
    const bool nearEnd = first + rows - (top + page) < margin && first + rows < m_proxy->sourceRowCount();
    if (!nearStart && !nearEnd)
        return;
    m_syncing = true;
    rebase(top - (rows - page) / 2, top);
    m_syncing = false;
}

void RowWindowScroller::restoreCurrent()
{
    QItemSelectionModel *selection = m_view->selectionModel();
    if (selection->currentIndex().isValid() || m_currentSourceRow < 0)
        return;
    const int row = m_proxy->proxyRowOf(m_currentSourceRow);
    if (row < 0)
        return;
    {
        // The same event as before it left the window: no second currentRowChanged (it
        // would move the time cursor again).
        const QSignalBlocker blocker(selection);
        selection->setCurrentIndex(m_proxy->index(row, 0),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_view->viewport()->update();
}

QModelIndex RowWindowScroller::revealSourceRow(int sourceRow)
{
    if (sourceRow < 0 || sourceRow >= m_proxy->sourceRowCount())
        return {};
    if (m_proxy->proxyRowOf(sourceRow) < 0) {
        const int page = visibleRows();
        const int top = sourceRow - page / 2;
        m_syncing = true;
        rebase(top - (m_proxy->rowCount() - page) / 2, top);
        m_syncing = false;
    }
    return m_proxy->index(m_proxy->proxyRowOf(sourceRow), 0);
}

void RowWindowScroller::jumpTo(int sourceRow, Qt::KeyboardModifiers modifiers)
{
    QItemSelectionModel *selection = m_view->selectionModel();
    const QModelIndex from = selection->currentIndex();
    const int fromSource = from.isValid() ? m_proxy->windowFirst() + from.row() : -1;
    const QModelIndex to = revealSourceRow(sourceRow);
    if (!to.isValid())
        return;
    const int anchor = fromSource >= 0 ? m_proxy->proxyRowOf(fromSource) : -1;
    if ((modifiers & Qt::ShiftModifier) && anchor >= 0) {
        const QItemSelection range(m_proxy->index(anchor, 0), to);
        selection->select(range, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        selection->setCurrentIndex(to, QItemSelectionModel::NoUpdate);
    } else {
        selection->setCurrentIndex(to, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_view->scrollTo(to);
}

bool RowWindowScroller::eventFilter(QObject *watched, QEvent *event)
{
    // Compares pointers only: the filter also sees the events of the view's destruction,
    // when it is no longer a QAbstractScrollArea to call viewport() on.
    if (watched == m_viewport && event->type() == QEvent::Resize) {
        // After the view has counted the rows that fit (its scroll range follows).
        QMetaObject::invokeMethod(this, &RowWindowScroller::updateRange, Qt::QueuedConnection);
    } else if (watched == m_view && event->type() == QEvent::KeyPress) {
        // The view's own Home / End stay in the window (and in a row-selecting table only
        // change the column): a log goes to its first / last event.
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Home || key->key() == Qt::Key_End) {
            jumpTo(key->key() == Qt::Key_Home ? 0 : m_proxy->sourceRowCount() - 1, key->modifiers());
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace ncv

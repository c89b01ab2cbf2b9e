// SPDX-License-Identifier: GPL-2.0-or-later
// TableSection: one live table with its filter line — a QLineEdit (with clear button)
// above a QTableView that shows a source model through a proxy model. The filter keeps the rows where the display text
// of one column contains the typed text, ignoring case (plain text, not a pattern); it is applied FilterDelayMs after
// the last keystroke (single-shot QTimer debounce), at once when the line becomes empty. A live table
// (ChangeTableModel) gets a ChangeTableProxy (setFilterText(): ranked sorts and a threaded filter scan, so 1M-row
// tables sort in well under a second and show a filter's result within 300 ms of the last keystroke); a
// FileEventLogProxy passes the text to its FileEventLogModel (a scan of the file; the count says "filtering"
// meanwhile); other models get
// a QSortFilterProxyModel sorted by ncv::SortRole with its fixed-string filter over every column.
// The view holds a row window, not every row: a proxy that is a RowWindowProxy
// (FileEventLogProxy) is the window itself; any other proxy (a live table's ChangeTableProxy,
// the live event log's filter) is shown through a RowWindowProxy over it (QHeaderView keeps
// 8 bytes per row and walks every row on each layout change: 8 MB and a sixth of a
// publication's time at a million routes). A
// RowWindowScroller re-bases the window and its scroll bar (verticalScrollBar()) spans every
// row. The view's indexes are then the window's: viewIndex() / proxyIndex() map them.
#pragma once

#include <QHash>
#include <QPair>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QLineEdit;
class QAbstractProxyModel;
class QModelIndex;
class QScrollBar;
class QTableView;

namespace ncv {

class RowWindowProxy;
class RowWindowScroller;

class TableSection : public QWidget {
    Q_OBJECT
public:
    /// Debounce delay of the filter line, milliseconds (the filter itself then takes up to
    /// ~150 ms at 1M rows on a loaded 2-core machine: 300 ms in all).
    static constexpr int FilterDelayMs = 120;

    /// Shows source through proxy, a ChangeTableProxy or a QSortFilterProxyModel (when
    /// null: a ChangeTableProxy for a ChangeTableModel, else a QSortFilterProxyModel; the
    /// section takes ownership of proxy). objectName names the section in settings.
    TableSection(const QString &objectName, QAbstractItemModel *source, QAbstractProxyModel *proxy = nullptr,
                 QWidget *parent = nullptr);

    /// Shows source instead (through the same proxy: its sort and filter stay; a model
    /// reset for the view). Not owned; must outlive its use here.
    void setSourceModel(QAbstractItemModel *source);

    QTableView *view() const { return m_view; }
    /// The sorting and filtering proxy (its rows are every row shown, in order).
    QAbstractProxyModel *proxy() const { return m_proxy; }
    /// The view's index of proxy()'s index (a row window first moves to it, like
    /// revealSourceRow()); invalid for an invalid index.
    QModelIndex viewIndex(const QModelIndex &proxyIndex);
    /// proxy()'s index of one of the view's indexes.
    QModelIndex proxyIndex(const QModelIndex &viewIndex) const;
    QLineEdit *filterEdit() const { return m_filter; }
    /// The scroll bar that spans every row: the row window's (value = row at the top), else
    /// the view's own.
    QScrollBar *verticalScrollBar() const;
    /// The view's index (column 0) of the proxy's source row: mapped through the proxy (a
    /// file-backed log's proxy is the window itself), then the row window moves there
    /// (RowWindowScroller::revealSourceRow). Invalid when the row is out of range or
    /// filtered out.
    QModelIndex revealSourceRow(int sourceRow);
    /// Rows shown after filtering: every row of a row window's model, not the window's.
    int shownRowCount() const;

    /// Shows (non-empty text) or hides a note next to the filter line naming an extra
    /// condition applied by someone else (e.g. "Protocol: bird" from the Entities view),
    /// with a button that emits conditionCleared().
    void setConditionText(const QString &text);
    QString conditionText() const;

    /// Applies the filter text now (skipping the debounce).
    void applyFilterNow();

    /// Keeps the newest (bottom) row in view while the user has not scrolled up
    /// (for a log sorted ascending by time; sorted descending the top row is the newest).
    void setFollowBottom(bool enabled);
    bool isAtBottom() const { return m_atBottom; }
    /// Scrolls to the last / first row (of every row, with a row window).
    void scrollToBottom();
    void scrollToTop();

    /// Selected rows (whole rows, in view order) as tab-separated text with a header
    /// line; "" when nothing is selected. Tabs and newlines inside cells become spaces.
    /// After Select All (Ctrl+A in the view, selectAllRows()) that is every row shown, and
    /// after a Shift selection the rows of selectedRange(), also those outside a row
    /// window, until the selection changes otherwise.
    QString selectedRowsAsText() const;
    /// Selects every row shown (a row window over a live proxy selects the rows it holds and
    /// remembers that all are meant: they are re-selected as it moves, and copied; a
    /// recording's log read from the file selects the window's rows only).
    void selectAllRows();
    bool allRowsSelected() const { return m_allRowsSelected; }
    /// With a row window over a live proxy, a Shift selection (Shift+click, Shift+arrow,
    /// Shift+Page, Shift+Home/End) spans every row from the anchor row (the last row made
    /// current without Shift) to the new current row, also rows outside the window: the
    /// rows a moving window brings are selected as it moves, and copied. Rows that come or
    /// go between the two count as they are then. A click or key without Shift, or a sort
    /// or filter, ends it. (first, last) proxy rows of that range, or (-1, -1) when none.
    QPair<int, int> selectedRange() const;

    /// Fits column widths to the visible contents once (capped to maxWidth pixels), never
    /// narrower than a width reserved with reserveColumnWidth().
    void fitColumns(int maxWidth = 320);
    /// Keeps `column` at least as wide as `sample` (in the view's font) when fitting: for
    /// columns whose longest value usually arrives after the first fit (interface names:
    /// a veth or container interface added later would show as "veth-la...").
    void reserveColumnWidth(int column, const QString &sample);
    /// The sample for interface-name columns: IFNAMSIZ - 1 = 15 characters.
    static QString interfaceNameSample() { return QStringLiteral("veth-container0"); }

    /// Header state (widths, order, sort) for QSettings.
    QByteArray saveHeaderState() const;
    bool restoreHeaderState(const QByteArray &state);

Q_SIGNALS:
    /// The view or the filter line got the keyboard focus.
    void activated();
    /// The user clicked the clear button of the condition note.
    void conditionCleared();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateCountLabel();
    void selectWindowRows(); ///< every row of the view (the window's), as Select All's own
    void selectRangeRows(); ///< the window's rows inside selectedRange()
    void onCurrentChanged(const QModelIndex &current);
    /// A key or click on the view with these modifiers: sets m_extending (until the event
    /// loop runs again) and ends Select All and, without Shift, the range.
    void beginSelectingInput(Qt::KeyboardModifiers modifiers);

    QHash<int, QString> m_reservedWidths; ///< column -> sample text (reserveColumnWidth)

    QLineEdit *m_filter = nullptr;
    QLabel *m_count = nullptr;
    QWidget *m_condition = nullptr;
    QLabel *m_conditionLabel = nullptr;
    QTableView *m_view = nullptr;
    QAbstractProxyModel *m_proxy = nullptr;
    RowWindowProxy *m_window = nullptr; // the view's model when not m_proxy itself
    RowWindowScroller *m_rowWindow = nullptr; // with a row window only
    QTimer m_filterTimer;
    QTimer m_countTimer;
    bool m_followBottom = false;
    bool m_allRowsSelected = false; // Select All with a row window: every row, not the window's
    bool m_selectingAll = false;
    // Shift selection across the window: anchor and end as proxy rows (column 0) that follow
    // their rows; m_rangeSelected while it stands. m_extending / m_dragging: the last input
    // was a Shift key or click (extends from the anchor) / a mouse move with a button down
    // (Qt's own drag selection; keeps the anchor).
    QPersistentModelIndex m_anchor;
    QPersistentModelIndex m_rangeEnd;
    bool m_rangeSelected = false;
    bool m_rangeQueued = false;
    bool m_extending = false;
    bool m_dragging = false;
    QObject *m_viewport = nullptr; // m_view's viewport, as filtered (compared, never called)
    bool m_atBottom = true;
};

} // namespace ncv

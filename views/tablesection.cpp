// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/tablesection.h"

#include "model/history/eventlogfilterproxy.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/rowwindowproxy.h"
#include "model/tables/tablemodelroles.h"
#include "views/rowstatedelegate.h"
#include "views/rowwindowscroller.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMouseEvent>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace ncv {

TableSection::TableSection(const QString &objectName, QAbstractItemModel *source, QAbstractProxyModel *proxy,
                           QWidget *parent)
    : QWidget(parent), m_proxy(proxy ? proxy
                                   : qobject_cast<ChangeTableModel *>(source)
                                   ? static_cast<QAbstractProxyModel *>(new ChangeTableProxy(this))
                                   : new QSortFilterProxyModel(this))
{
    setObjectName(objectName);
    m_proxy->setParent(this);
    m_proxy->setSourceModel(source);
    if (auto *plain = qobject_cast<QSortFilterProxyModel *>(m_proxy)) {
        // applyFilterNow() gives these QSortFilterProxyModel's fixed-string filter; a
        // ChangeTableProxy sorts and filters by its own rules (setFilterText()).
        plain->setSortRole(SortRole);
        plain->setFilterCaseSensitivity(Qt::CaseInsensitive);
        plain->setFilterKeyColumn(-1);
        plain->setDynamicSortFilter(true);
    }

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(objectName + QStringLiteral("Filter"));
    m_filter->setPlaceholderText(tr("Filter (all columns)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this);

    m_count = new QLabel(this);
    m_count->setObjectName(objectName + QStringLiteral("Count"));
    m_count->setForegroundRole(QPalette::PlaceholderText);

    m_view = new QTableView(this);
    m_view->setObjectName(objectName + QStringLiteral("View"));
    if (!qobject_cast<RowWindowProxy *>(m_proxy)) {
        m_window = new RowWindowProxy(this);
        m_window->setObjectName(objectName + QStringLiteral("Window"));
        m_window->setSourceModel(m_proxy);
        m_view->setModel(m_window);
    } else {
        m_view->setModel(m_proxy);
    }
    m_view->setItemDelegate(new RowStateDelegate(m_view));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(0, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalHeader()->hide();
    // Uniform row heights: a fixed default section size, never per-row measuring.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    header->setSectionsMovable(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_view->installEventFilter(this);
    if (auto *window = qobject_cast<RowWindowProxy *>(m_view->model())) {
        m_rowWindow = new RowWindowScroller(m_view, window, this);
        // Select All means every row: the rows a moving window brings are selected too. A
        // click, a key (but Ctrl+A and Ctrl+C) or a new current row ends it; live rows
        // coming and going do not.
        m_viewport = m_view->viewport();
        m_viewport->installEventFilter(this);
        // Again, so that this filter sees the view's keys before the scroller's (which takes
        // Home / End): a Shift selection is known by its key.
        m_view->installEventFilter(this);
        connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &TableSection::onCurrentChanged);
        const auto reselect = [this] {
            if (m_allRowsSelected)
                selectWindowRows();
            else if (m_rangeSelected)
                selectRangeRows();
        };
        connect(window, &QAbstractItemModel::layoutChanged, this, reselect);
        connect(window, &QAbstractItemModel::rowsInserted, this, reselect);
        connect(window, &QAbstractItemModel::modelReset, this, [this] {
            m_allRowsSelected = false;
            m_rangeSelected = false;
        });
        // A new order puts other rows between the two ends: the range ends (the rows the
        // window holds stay selected, as the view keeps them).
        connect(m_view->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
                [this] { m_rangeSelected = false; });
    }

    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(FilterDelayMs);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        // Clearing the filter (clear button, select all + delete) needs no debounce: there is
        // no more typing to wait for.
        if (text.trimmed().isEmpty())
            applyFilterNow();
        else
            m_filterTimer.start();
    });
    connect(&m_filterTimer, &QTimer::timeout, this, &TableSection::applyFilterNow);

    // Row counts change per batch; refresh the label at most 4 times a second.
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(250);
    connect(&m_countTimer, &QTimer::timeout, this, &TableSection::updateCountLabel);
    const auto scheduleCount = [this] {
        if (!m_countTimer.isActive())
            m_countTimer.start();
    };
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, scheduleCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, scheduleCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, scheduleCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, scheduleCount);

    QScrollBar *bar = verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_atBottom = value >= bar->maximum(); });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        // Sorted descending, the newest rows arrive at the top, where a view at value 0
        // stays by itself; only an ascending order needs the push to the bottom.
        if (m_followBottom && m_atBottom && m_view->horizontalHeader()->sortIndicatorOrder() == Qt::AscendingOrder)
            bar->setValue(max);
    });

    m_condition = new QWidget(this);
    m_condition->setObjectName(objectName + QStringLiteral("Condition"));
    m_conditionLabel = new QLabel(m_condition);
    QFont bold = m_conditionLabel->font();
    bold.setBold(true);
    m_conditionLabel->setFont(bold);
    auto *clearCondition = new QToolButton(m_condition);
    clearCondition->setObjectName(objectName + QStringLiteral("ClearCondition"));
    clearCondition->setText(tr("Show all"));
    clearCondition->setAutoRaise(true);
    connect(clearCondition, &QToolButton::clicked, this, &TableSection::conditionCleared);
    auto *conditionLayout = new QHBoxLayout(m_condition);
    conditionLayout->setContentsMargins(0, 0, 0, 0);
    conditionLayout->addWidget(m_conditionLabel);
    conditionLayout->addWidget(clearCondition);
    m_condition->hide();

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_condition);
    top->addWidget(m_filter, 1);
    top->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    if (m_rowWindow) {
        auto *rows = new QHBoxLayout;
        rows->setContentsMargins(0, 0, 0, 0);
        rows->setSpacing(0);
        rows->addWidget(m_view, 1);
        rows->addWidget(m_rowWindow->scrollBar());
        layout->addLayout(rows, 1);
    } else {
        layout->addWidget(m_view, 1);
    }
    updateCountLabel();
}

void TableSection::setConditionText(const QString &text)
{
    m_conditionLabel->setText(text);
    m_condition->setVisible(!text.isEmpty());
    updateCountLabel();
}

QString TableSection::conditionText() const
{
    return m_condition->isHidden() ? QString() : m_conditionLabel->text();
}

void TableSection::applyFilterNow()
{
    m_filterTimer.stop();
    if (auto *fast = qobject_cast<ChangeTableProxy *>(m_proxy))
        fast->setFilterText(m_filter->text().trimmed());
    else if (auto *file = qobject_cast<FileEventLogProxy *>(m_proxy))
        file->setFilterText(m_filter->text().trimmed());
    else if (auto *log = qobject_cast<EventLogFilterProxy *>(m_proxy))
        log->setFilterFixedString(m_filter->text().trimmed());
    else if (auto *plain = qobject_cast<QSortFilterProxyModel *>(m_proxy))
        plain->setFilterFixedString(m_filter->text().trimmed());
    updateCountLabel();
}

void TableSection::setFollowBottom(bool enabled)
{
    m_followBottom = enabled;
    if (m_rowWindow)
        m_rowWindow->setFollowEnd(enabled); // rows that come without a reset
    if (enabled && m_atBottom)
        scrollToBottom();
}

QScrollBar *TableSection::verticalScrollBar() const
{
    return m_rowWindow ? m_rowWindow->scrollBar() : m_view->verticalScrollBar();
}

void TableSection::scrollToBottom()
{
    if (m_rowWindow)
        m_rowWindow->scrollBar()->setValue(m_rowWindow->scrollBar()->maximum());
    else
        m_view->scrollToBottom();
}

void TableSection::scrollToTop()
{
    if (m_rowWindow)
        m_rowWindow->scrollBar()->setValue(0);
    else
        m_view->scrollToTop();
}

QModelIndex TableSection::revealSourceRow(int sourceRow)
{
    if (m_rowWindow && !m_window)
        return m_rowWindow->revealSourceRow(sourceRow); // the proxy is the window
    if (!m_proxy->sourceModel() || sourceRow < 0 || sourceRow >= m_proxy->sourceModel()->rowCount())
        return {};
    return viewIndex(m_proxy->mapFromSource(m_proxy->sourceModel()->index(sourceRow, 0)));
}

QModelIndex TableSection::viewIndex(const QModelIndex &proxyIndex)
{
    if (!m_window || !proxyIndex.isValid())
        return proxyIndex;
    const QModelIndex row = m_rowWindow->revealSourceRow(proxyIndex.row());
    return row.isValid() ? row.siblingAtColumn(proxyIndex.column()) : QModelIndex();
}

QModelIndex TableSection::proxyIndex(const QModelIndex &viewIndex) const
{
    return m_window ? m_window->mapToSource(viewIndex) : viewIndex;
}

int TableSection::shownRowCount() const
{
    if (auto *window = qobject_cast<RowWindowProxy *>(m_view->model()))
        return window->sourceRowCount();
    return m_proxy->rowCount();
}

QPair<int, int> TableSection::selectedRange() const
{
    if (!m_rangeSelected || !m_anchor.isValid() || !m_rangeEnd.isValid())
        return {-1, -1};
    return {std::min(m_anchor.row(), m_rangeEnd.row()), std::max(m_anchor.row(), m_rangeEnd.row())};
}

QString TableSection::selectedRowsAsText() const
{
    // After Select All or a Shift range with a row window: rows of the proxy, not the
    // window's.
    const QPair<int, int> range = m_allRowsSelected ? qMakePair(0, m_proxy->rowCount() - 1) : selectedRange();
    const bool byRange = range.first >= 0;
    const QAbstractItemModel *shown = byRange ? static_cast<const QAbstractItemModel *>(m_proxy)
                                              : m_view->model(); // the selection's rows are the view's
    QList<int> selected; // the selection's rows, sorted (not filled for a range)
    if (!byRange) {
        const QModelIndexList rows
            = m_view->selectionModel() ? m_view->selectionModel()->selectedRows() : QModelIndexList();
        selected.reserve(rows.size());
        for (const QModelIndex &index : rows)
            selected.append(index.row());
        std::sort(selected.begin(), selected.end());
    }
    const int count = byRange ? range.second - range.first + 1 : int(selected.size());
    if (count == 0)
        return {};

    // Columns in visual order, hidden ones skipped.
    const QHeaderView *header = m_view->horizontalHeader();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns.append(logical);
    }
    const auto clean = [](QString text) {
        text.replace(QLatin1Char('\t'), QLatin1Char(' '));
        text.replace(QLatin1Char('\n'), QLatin1Char(' '));
        text.replace(QLatin1Char('\r'), QLatin1Char(' '));
        return text;
    };
    QStringList lines;
    QStringList cells;
    for (int column : std::as_const(columns))
        cells.append(clean(shown->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString()));
    lines.append(cells.join(QLatin1Char('\t')));
    for (int i = 0; i < count; ++i) {
        const int row = byRange ? range.first + i : selected.at(i);
        cells.clear();
        for (int column : std::as_const(columns))
            cells.append(clean(shown->index(row, column).data(Qt::DisplayRole).toString()));
        lines.append(cells.join(QLatin1Char('\t')));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void TableSection::fitColumns(int maxWidth)
{
    m_view->resizeColumnsToContents();
    QHeaderView *header = m_view->horizontalHeader();
    // Numbers (right-aligned cells: sequence, ifindex, metric, MTU, counts) grow while the
    // table is live: leave room for 8 digits so "300123" never shows as "30...".
    const int numberWidth = m_view->fontMetrics().horizontalAdvance(QStringLiteral("00000000")) + 12;
    const int textWidth = m_view->fontMetrics().horizontalAdvance(QStringLiteral("wlan0-uplink")) + 12;
    const QAbstractItemModel *model = m_view->model();
    for (int column = 0; column < header->count(); ++column) {
        const QVariant align = model->rowCount() > 0 ? model->index(0, column).data(Qt::TextAlignmentRole) : QVariant();
        const int alignment = align.metaType() == QMetaType::fromType<Qt::Alignment>()
            ? int(align.value<Qt::Alignment>())
            : align.toInt(); // models give Qt::Alignment or int
        if ((alignment & Qt::AlignRight) && header->sectionSize(column) < numberWidth)
            header->resizeSection(column, numberWidth);
        // A column empty so far (Alias, Master, Pref. source...) would be fitted to its
        // title and elide what arrives later: give it room for a short name.
        bool empty = true;
        for (int row = 0, rows = std::min(model->rowCount(), 1000); row < rows && empty; ++row)
            empty = model->index(row, column).data(Qt::DisplayRole).toString().isEmpty();
        if (empty && header->sectionSize(column) < textWidth)
            header->resizeSection(column, textWidth);
        if (header->sectionSize(column) > maxWidth)
            header->resizeSection(column, maxWidth);
        if (const auto it = m_reservedWidths.constFind(column); it != m_reservedWidths.constEnd()) {
            const int reserved = m_view->fontMetrics().horizontalAdvance(*it) + 12;
            if (header->sectionSize(column) < reserved)
                header->resizeSection(column, reserved);
        }
    }
}

void TableSection::reserveColumnWidth(int column, const QString &sample)
{
    m_reservedWidths.insert(column, sample);
}

QByteArray TableSection::saveHeaderState() const
{
    return m_view->horizontalHeader()->saveState();
}

bool TableSection::restoreHeaderState(const QByteArray &state)
{
    if (state.isEmpty())
        return false;
    QHeaderView *header = m_view->horizontalHeader();
    if (!header->restoreState(state))
        return false;
    // restoreState brings back the sort indicator; make the proxy follow it.
    m_view->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    return true;
}

void TableSection::setSourceModel(QAbstractItemModel *source)
{
    if (m_proxy->sourceModel() == source)
        return;
    m_proxy->setSourceModel(source);
    updateCountLabel();
}

void TableSection::selectWindowRows()
{
    m_selectingAll = true;
    m_view->selectAll();
    m_selectingAll = false;
}

void TableSection::selectRangeRows()
{
    m_rangeQueued = false;
    const QPair<int, int> range = selectedRange();
    if (range.first < 0 || !m_window) {
        m_rangeSelected = false;
        return;
    }
    // The window's rows inside the range: one run of rows.
    const int first = std::max(range.first - m_window->windowFirst(), 0);
    const int last = std::min(range.second - m_window->windowFirst(), m_window->rowCount() - 1);
    QItemSelection rows;
    if (first <= last)
        rows.select(m_window->index(first, 0), m_window->index(last, m_window->columnCount() - 1));
    m_selectingAll = true; // no current change comes of it; nothing to end
    m_view->selectionModel()->select(rows, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_selectingAll = false;
}

void TableSection::beginSelectingInput(Qt::KeyboardModifiers modifiers)
{
    // Select All ends; Shift (without Ctrl) extends a range from the anchor, anything else
    // ends the range.
    m_allRowsSelected = false;
    m_extending = (modifiers & Qt::ShiftModifier) && !(modifiers & Qt::ControlModifier);
    m_dragging = false;
    if (!m_extending)
        m_rangeSelected = false;
    // The click or key's own current change comes while it is handled; a later one (the
    // time cursor, a reveal) is not a Shift selection.
    QTimer::singleShot(0, this, [this] {
        m_extending = false;
        m_dragging = false;
    });
}

void TableSection::onCurrentChanged(const QModelIndex &current)
{
    if (m_selectingAll)
        return;
    m_allRowsSelected = false;
    const QModelIndex row = current.isValid() ? proxyIndex(current).siblingAtColumn(0) : QModelIndex();
    // The same row made current again (the window moved under it): nothing new.
    if (row.isValid() && (m_rangeSelected ? row == m_rangeEnd : row == m_anchor))
        return;
    // Not for a recording's log read from the file (no m_window: the proxy is the window),
    // as Select All: its rows may be a hundred million.
    if (m_window && m_extending && m_anchor.isValid() && row.isValid()) {
        m_rangeEnd = row;
        m_rangeSelected = true;
        // After the view's own selection of this click or key, which covers the window
        // only (its anchor may have left it).
        if (!m_rangeQueued) {
            m_rangeQueued = true;
            QMetaObject::invokeMethod(this, &TableSection::selectRangeRows, Qt::QueuedConnection);
        }
    } else if (!m_dragging) {
        m_anchor = row;
        m_rangeSelected = false;
    }
}

void TableSection::selectAllRows()
{
    selectWindowRows();
    // Not for a recording's log read from the file (the proxy is the window): its rows may
    // be a hundred million, read page by page.
    m_allRowsSelected = m_window != nullptr && m_view->model()->rowCount() > 0;
}

bool TableSection::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::FocusIn && (watched == m_view || watched == m_filter))
        Q_EMIT activated();
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::SelectAll)) {
            selectAllRows();
            return true;
        }
        const bool modifierOnly = key->key() == Qt::Key_Control || key->key() == Qt::Key_Shift
            || key->key() == Qt::Key_Alt || key->key() == Qt::Key_Meta;
        if (!modifierOnly && !key->matches(QKeySequence::Copy))
            beginSelectingInput(key->modifiers());
    } else if (watched == m_viewport && event->type() == QEvent::MouseButtonPress) {
        beginSelectingInput(static_cast<QMouseEvent *>(event)->modifiers());
    } else if (watched == m_viewport && event->type() == QEvent::MouseMove) {
        m_dragging = static_cast<QMouseEvent *>(event)->buttons() != Qt::NoButton;
    }
    return QWidget::eventFilter(watched, event);
}

void TableSection::updateCountLabel()
{
    const int shown = shownRowCount();
    int total = m_proxy->sourceModel() ? m_proxy->sourceModel()->rowCount() : 0;
    if (auto *file = qobject_cast<FileEventLogProxy *>(m_proxy); file && file->fileModel()) {
        total = int(file->fileModel()->totalEvents());
        if (file->fileModel()->isFiltering()) {
            m_count->setText(tr("filtering %1 rows...").arg(QLocale().toString(total)));
            return;
        }
    }
    // Grouped digits (as the locale writes them): a million rows reads at a glance.
    const QLocale locale;
    m_count->setText(shown == total ? tr("%Ln row(s)", nullptr, total)
                                    : tr("%1 of %2 rows").arg(locale.toString(shown), locale.toString(total)));
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/eventpane.h"

#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/notificationmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/tables/tablemodelroles.h"
#include "views/detailspanel.h"
#include "views/eventlogdelegate.h"
#include "views/tablesection.h"

#include <QAbstractProxyModel>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace ncv {

namespace {

QString clockText(qint64 us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("hh:mm:ss.zzz"));
}

} // namespace

EventPane::EventPane(NotificationModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("eventPane"));
    m_fileLog = m_model->fileEventLog();
    if (m_fileLog) {
        m_events = new TableSection(QStringLiteral("events"), m_fileLog, new FileEventLogProxy(this), this);
        QHeaderView *header = m_events->view()->horizontalHeader();
        connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int column, Qt::SortOrder order) {
            if (FileEventLogModel::canSortBy(column))
                m_sortColumn = column;
            else // refused (the header's tooltip says why): the indicator stays where the order is
                header->setSortIndicator(m_sortColumn, m_fileLog->sortOrder());
            Q_UNUSED(order);
        });
    } else {
        m_proxy = new EventLogFilterProxy(this);
        m_events = new TableSection(QStringLiteral("events"), m_model->eventLog(), m_proxy, this);
    }
    m_events->setFollowBottom(true);
    m_events->reserveColumnWidth(EventLogModel::Interface, TableSection::interfaceNameSample());
    // By: the snapshot's rows name nobody, so fitting to them would leave it too narrow for
    // the changes that follow.
    m_events->reserveColumnWidth(EventLogModel::By, QStringLiteral("NetworkManager (99999)"));
    m_events->reserveColumnWidth(EventLogModel::Namespace, QStringLiteral("docker:3f2a1b9c0d12"));
    m_events->view()->setItemDelegate(m_fileLog ? new EventLogDelegate(m_fileLog, m_events->view())
                                                : new EventLogDelegate(m_model->history(), m_events->view()));

    // The log: title, time filter bar (only while a range is selected), table.
    auto *log = new QWidget(this);
    auto *title = new QLabel(tr("<b>Event log</b>"), log);
    m_timeFilterBar = new QWidget(log);
    m_timeFilterBar->setObjectName(QStringLiteral("timeFilterBar"));
    m_timeFilterLabel = new QLabel(m_timeFilterBar);
    m_clearTimeFilterButton = new QToolButton(m_timeFilterBar);
    m_clearTimeFilterButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *barLayout = new QHBoxLayout(m_timeFilterBar);
    barLayout->setContentsMargins(0, 0, 0, 0);
    barLayout->addWidget(m_timeFilterLabel, 1);
    barLayout->addWidget(m_clearTimeFilterButton);
    m_timeFilterBar->hide();
    auto *logLayout = new QVBoxLayout(log);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->setSpacing(2);
    auto *titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(4, 2, 4, 0);
    titleRow->addWidget(title);
    titleRow->addWidget(m_timeFilterBar, 1);
    logLayout->addLayout(titleRow);
    logLayout->addWidget(m_events, 1);

    updateNamespaceColumn();
    connect(m_model, &NotificationModel::namespacesChanged, this, &EventPane::updateNamespaceColumn);

    m_details = new DetailsPanel(this);
    connect(m_events->view()->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onEventSelected(current); });

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("bottomSplitter"));
    m_splitter->addWidget(log);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
}

void EventPane::setClearTimeFilterAction(QAction *action)
{
    m_clearTimeFilterButton->setDefaultAction(action);
}

bool EventPane::hasTimeFilter() const
{
    return m_fileLog ? m_fileLog->hasTimeRange() : m_proxy->hasTimeRange();
}

QModelIndex EventPane::indexOfEvent(qint64 i) const
{
    if (i < 0)
        return {};
    if (m_fileLog) {
        const int row = m_fileLog->rowOfSequence(m_fileLog->info().firstSeq + std::uint64_t(i));
        return row >= 0 ? m_events->revealSourceRow(row) : QModelIndex();
    }
    return i < m_model->eventLog()->rowCount() ? m_events->revealSourceRow(int(i)) : QModelIndex();
}

void EventPane::fitColumns()
{
    m_events->fitColumns();
    QTableView *view = m_events->view();
    QFont italic = view->font();
    italic.setItalic(true);
    const int needed = QFontMetrics(italic).horizontalAdvance(tr("parameter · inferred")) + 16;
    if (view->horizontalHeader()->sectionSize(EventLogModel::Change) < needed)
        view->horizontalHeader()->resizeSection(EventLogModel::Change, needed);
}

void EventPane::updateNamespaceColumn()
{
    QHeaderView *header = m_events->view()->horizontalHeader();
    const bool shown = m_model->namespaceCount() >= 2;
    // Where the model has it (last): not moved by the user, nor by an earlier call.
    if (shown && header->visualIndex(EventLogModel::Namespace) == EventLogModel::Namespace)
        header->moveSection(EventLogModel::Namespace, header->visualIndex(EventLogModel::Interface) + 1);
    header->setSectionHidden(EventLogModel::Namespace, !shown);
}

void EventPane::setTimeFilter(qint64 fromUs, qint64 toUs)
{
    if (m_fileLog)
        m_fileLog->setTimeRange(fromUs, toUs);
    else
        m_proxy->setTimeRange(fromUs, toUs);
    m_timeFilterLabel->setText(tr("Time filter: %1 – %2").arg(clockText(fromUs), clockText(toUs)));
    m_timeFilterBar->show();
    Q_EMIT timeFilterChanged(true);
}

void EventPane::clearTimeFilter()
{
    if (m_fileLog)
        m_fileLog->clearTimeRange();
    else
        m_proxy->clearTimeRange();
    m_timeFilterBar->hide();
    Q_EMIT timeFilterChanged(false);
}

void EventPane::onEventSelected(const QModelIndex &current)
{
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    if (m_fileLog) {
        recording::RecordedEvent e;
        // The view shows a window of the model's rows.
        if (!m_fileLog->eventAt(m_events->proxy()->mapToSource(current).row(), &e)) {
            m_details->clear();
            return;
        }
        m_details->showRecord(e.record, e.seq, e.ifName, m_model->knownFields(), m_model->history()->nanosecondTimes());
        Q_EMIT eventTimeSelected(e.record.timeUs);
        return;
    }
    const qint64 i = current.data(EventIndexRole).toLongLong();
    const EventHistory *history = m_model->history();
    if (i < 0 || i >= history->size()) {
        m_details->clear();
        return;
    }
    m_details->showRecord(history->record(i), history->sequence(i), history->ifName(i), m_model->knownFields(),
                          history->nanosecondTimes());
    Q_EMIT eventTimeSelected(history->timeUs(i));
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// EventPane: the event history side of the window. On the left the "Event log" title, a
// time filter bar (shown only while a time range applies) and the event log: a TableSection
// over the NotificationModel's EventLogModel through an EventLogFilterProxy, styled by
// EventLogDelegate and following the newest event. On the right, beside it in a splitter,
// the DetailsPanel of the event log's current row. A recording too long to load shows its
// NotificationModel::fileEventLog() instead, through a FileEventLogProxy (the model reads
// rows from the file, filters by scanning it and sorts by # and Time only: clicking another
// column's header keeps the order, the header's tooltip says why; the view holds a window
// of its rows and a scroll bar over all of them, TableSection's RowWindowScroller).
// GUI thread only.
#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QModelIndex;
class QSplitter;
class QToolButton;

namespace ncv {

class DetailsPanel;
class EventLogFilterProxy;
class FileEventLogModel;
class NotificationModel;
class TableSection;

class EventPane : public QWidget {
    Q_OBJECT
public:
    /// Shows model's eventLog() and, for the current row, its history()'s record (not
    /// owned; must outlive the pane). The log's section is named "events" (its objectName,
    /// which the window uses as its settings key).
    explicit EventPane(NotificationModel *model, QWidget *parent = nullptr);

    TableSection *eventsSection() const { return m_events; }
    /// The in-memory log's proxy; nullptr when the log is read from the file.
    EventLogFilterProxy *filterProxy() const { return m_proxy; }
    /// The log read from the file (NotificationModel::fileEventLog()), or nullptr.
    FileEventLogModel *fileEventLog() const { return m_fileLog; }
    /// The view's index (column 0) of the log's event i, numbered as
    /// RecordingSession::eventIndexAt() numbers it (history index, or file offset);
    /// invalid when i < 0 or a filter hides it. A log read from the file first moves its
    /// row window there (TableSection::revealSourceRow), so the index stays valid until the
    /// view scrolls far away.
    QModelIndex indexOfEvent(qint64 i) const;
    DetailsPanel *detailsPanel() const { return m_details; }
    /// Log | details, side by side (objectName "bottomSplitter"; the window saves its state).
    QSplitter *splitter() const { return m_splitter; }

    /// The time filter bar's button triggers action (the window's Clear Time Filter, which
    /// calls clearTimeFilter()) and shows its icon and text. Not owned.
    void setClearTimeFilterAction(QAction *action);
    bool hasTimeFilter() const;

    /// Fits the log's columns to the rows shown (TableSection::fitColumns), leaving the
    /// Change column room for "parameter · inferred" (EventLogDelegate's inferred events),
    /// which the snapshot's rows do not need.
    void fitColumns();
    /// Shows the Namespace column while the log holds events of two or more network
    /// namespaces (NotificationModel::namespaceCount()), hides it otherwise; the first time
    /// it is shown it is placed after Interface. Called again after a saved header layout
    /// is restored (the layout may come from a run that showed it).
    void updateNamespaceColumn();

public Q_SLOTS:
    /// Shows only the events in [fromUs, toUs] (microseconds since the epoch), named with
    /// their clock times in the time filter bar.
    void setTimeFilter(qint64 fromUs, qint64 toUs);
    /// Shows every event again and hides the time filter bar.
    void clearTimeFilter();

Q_SIGNALS:
    /// A time filter was set (true) or cleared (false).
    void timeFilterChanged(bool active);
    /// The current row of the event log became the event at timeUs (µs since the epoch):
    /// the user selected it (the window moves the time cursor of a recording there).
    void eventTimeSelected(qint64 timeUs);

private:
    void onEventSelected(const QModelIndex &current);

    NotificationModel *m_model = nullptr;
    TableSection *m_events = nullptr;
    EventLogFilterProxy *m_proxy = nullptr;
    FileEventLogModel *m_fileLog = nullptr;
    int m_sortColumn = 0; // the file log's last accepted sort column
    DetailsPanel *m_details = nullptr;
    QSplitter *m_splitter = nullptr;
    QWidget *m_timeFilterBar = nullptr;
    QLabel *m_timeFilterLabel = nullptr;
    QToolButton *m_clearTimeFilterButton = nullptr;
};

} // namespace ncv

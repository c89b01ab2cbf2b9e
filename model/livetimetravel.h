// SPDX-License-Identifier: GPL-2.0-or-later
// LiveTimeTravel: the live window's time cursor. The live NotificationModel runs on
// untouched (its tables, event log and timeline keep receiving every event); this class
// holds a second NotificationModel (Full, on a ReplaySource) whose tables show
// RecordingReader::stateAt(T), read from the live recording file, swapped in whole
// (NotificationModel::showState; the rows are not events)
// (RecordingFeed::currentPath(), opened read-only beside the writer while the past is
// shown: SQLite WAL, one short read per statement, no long-lived read transaction). The window shows pastModel()'s
// tables while isInPast(), the live model's otherwise; backToLive() empties the past
// tables again, so a second table set exists only while the past is shown.
//
// Moving the cursor reads the state on a worker thread (TimeCursor::requestStateAt(): the
// GUI thread is not blocked, the latest request wins, cancelSeek() keeps the tables).
// Events not yet committed to the file (the writer's transactions last up to
// Options::transactionMs): the worker first waits, at most kCommitWaitMs, until the
// newest event of the live history at or before T is committed
// (RecordingFeed::waitCommitted, which has the writer commit as soon as its queue is
// drained); a click on the newest moment therefore shows
// every event the event log shows up to it. If the wait times out (a disk stalled) or the
// writer failed, the tables show what the file has, and note() says how many of the
// log's events up to T the file is missing. Records received but not yet applied to the
// live history (at most one update interval, NotificationModel::kUpdateIntervalMs) are
// after the newest moment the log shows and are not waited for.
//
// Compare (TimeCursor::requestDiff()) reads the same file the same way: its worker waits
// for the writer to commit the newest event of the live history at or before the later
// moment, then compares the two states (TimeCursor::readDiff()); the live tables and the
// past tables are not touched.
//
// Several network namespaces (NotificationModel::setSeveralNamespaces): the past tables
// show the namespace the live tables show (NotificationModel::tablesNamespace(), followed
// through TimeCursor::setNamespace(); a switch while the past is shown reads the new one
// at the same moment), and Compare compares that namespace.
//
// Without a recording (--no-record, the setting off, the file could not be created) the
// cursor is unavailable: a seek or a comparison fails with unavailableReason().
// GUI thread only (the models are Qt models); the worker touches only the file and the
// writer's commit wait (its own lock).
#pragma once

#include "model/timecursor.h"

#include <QPointer>
#include <QString>

#include <memory>

namespace ncv {

class NotificationModel;
class RecordingFeed;
class ReplaySource;

class LiveTimeTravel : public TimeCursor {
    Q_OBJECT
public:
    /// Longest wait for the writer in a seek, milliseconds.
    static constexpr int kCommitWaitMs = 2000;

    /// live: the window's model (not owned; must outlive this object).
    explicit LiveTimeTravel(NotificationModel *live, QObject *parent = nullptr);
    ~LiveTimeTravel() override;

    /// The live recording to read the past from (not owned; a QPointer: a feed deleted
    /// later makes the cursor unavailable). null: unavailable, with why as the reason
    /// ("" keeps the default "this window does not record"). A running seek or comparison
    /// is cancelled and waited for first (it may be waiting for the old feed's writer).
    void setFeed(RecordingFeed *feed, const QString &why = QString());
    bool isAvailable() const;
    /// One line: why the cursor is unavailable; "" when it is available.
    QString unavailableReason() const;

    /// The model whose tables show the past (owned). Its history stays empty.
    NotificationModel *pastModel() const { return m_past.get(); }
    /// True from a seek shown (stateShown()) until backToLive().
    bool isInPast() const { return m_inPast; }
    /// "" when the past tables hold every event of the live history up to cursorUs();
    /// else one line saying how many are not in the file yet.
    QString note() const { return m_note; }

    // The cursor (cursorUs(): valid while isInPast()) moves with TimeCursor::requestStateAt()
    // or showStateAt(): pastModel()'s tables get the state at atUs (clamped to [the first
    // event of the file or the history, now]) read from the live recording, after waiting
    // for the writer as the class comment says. A seek fails with one line when
    // unavailable or the file cannot be read (then the tables keep what they showed).

    /// Leaves the past: cancels a running seek, empties pastModel()'s tables and emits
    /// liveShown().
    void backToLive();

    /// Over the live history: the newest event time before us, or -1 when none.
    qint64 previousChangeUs(qint64 us) const;
    /// The oldest event time after us, or -1 when none.
    qint64 nextChangeUs(qint64 us) const;
    /// Index in the live history of the newest event at or before us, or -1 when none.
    qint64 eventIndexAt(qint64 us) const;

Q_SIGNALS:
    /// Back to live: the window shows the live tables again.
    void liveShown();

protected:
    qint64 seekTarget(qint64 atUs) const override;
    SeekWork seekWork(qint64 atUs) override;
    bool showSeekResult(SeekResult &result, QString *error) override;
    DiffWork diffWork(qint64 fromUs, qint64 toUs) override;

private:
    NotificationModel *m_live;
    QPointer<RecordingFeed> m_feed;
    QString m_unavailable;
    std::unique_ptr<ReplaySource> m_source;
    std::unique_ptr<NotificationModel> m_past; // after m_source: destroyed (cancelled) first
    bool m_inPast = false;
    QString m_note;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingSession: one recording file opened for the window, read-only. It holds the
// RecordingReader, and a NotificationModel (Full) that shows the recording:
// - the event history, event log and timeline hold the recording's events as they were
//   recorded (sequence numbers, times and interface names from the file), read through
//   RecordingReader::events() in pages, up to the history's capacity (the oldest first;
//   the rest is counted in unloadedEvents()). A recording with more events than that
//   (maxEvents, else the history's capacity) is not loaded: the window's event log reads
//   it from the file as it is shown (fileEventLog(), FileEventLogModel: bounded memory at
//   any length), the history stays empty, and the timeline's counts come from one pass
//   over the events' key columns (time, object, change; no record decoded) on a worker
//   thread with its own reader, started by open() and merged into the timeline as it goes
//   (timelineProgress(), about 5 times a second), so the window is shown before the pass
//   ends (10M events: seconds);
// - the interface, address and route tables hold the state at one moment (the cursor):
//   RecordingReader::stateAt(T) swapped into the tables whole (NotificationModel::showState:
//   one model reset per table; the rows are not events), on a registration with a
//   ReplaySource. Moving the cursor (TimeCursor::requestStateAt()) reads the state on a
//   worker thread (its own RecordingReader: one SQLite connection per thread) and swaps it
//   into the tables on the GUI thread when it is read; only the latest request is shown.
// - the comparison of two moments (TimeCursor::requestDiff()) likewise runs on a worker:
//   the latest request counts, cancelDiff() drops it.
// GUI thread only (the model's tables are Qt models); the workers touch only their own
// reader and what they hand back.
#pragma once

#include "model/recording/recordingreader.h"
#include "model/timecursor.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace ncv {

class FileEventLogModel;
class NotificationModel;
class ReplaySource;

class RecordingSession : public TimeCursor {
    Q_OBJECT
public:
    explicit RecordingSession(QObject *parent = nullptr);
    ~RecordingSession() override;

    /// Progress of open(): done of total events loaded; return false to cancel.
    using Progress = std::function<bool(qint64 done, qint64 total)>;
    /// Opens path (recognised by its content), loads its events into the history when they
    /// fit (maxEvents, the history's capacity when 0; else fileEventLog() reads them from
    /// the file) and shows the state at its end. Progress counts the events loaded, or the
    /// events counted for the timeline. Returns
    /// false with *error one line (the reader's, or "Opening FILE was cancelled.").
    /// Call once.
    bool open(const QString &path, QString *error, const Progress &progress = {}, qint64 maxEvents = 0);

    QString path() const { return m_path; }
    /// The file's metadata and range (RecordingReader::info()).
    const recording::RecordingInfo &info() const { return m_reader.info(); }
    /// meta host_name, "" when the recording does not say.
    QString hostName() const;
    /// Damage the reader met (RecordingReader::problems()).
    QStringList problems() const { return m_reader.problems(); }
    /// The model the window shows. Owned by the session.
    NotificationModel *model() const { return m_model.get(); }

    /// For a recording of several network namespaces (`--netns all` or a list): their
    /// platform::NamespaceTable ids in the file's order, of which the tables show one at a
    /// time (TimeCursor::setNamespace(); open() picks the first). Empty for a recording of one.
    QList<quint32> namespaces() const;

    /// Events of the recording in the history, and those left out (beyond the capacity).
    qint64 loadedEvents() const;
    qint64 unloadedEvents() const { return m_unloaded; }
    /// The event log read from the file (also NotificationModel::fileEventLog()), when the
    /// recording holds more events than the history would; nullptr when they were loaded.
    FileEventLogModel *fileEventLog() const { return m_fileLog.get(); }

    /// True while the tables show the end of the recording (info().endUs).
    bool isAtEnd() const { return m_cursorUs >= info().endUs; }
    /// Shows the tables at the end of the recording before it returns (showStateAt()).
    bool showEnd(QString *error) { return showStateAt(info().endUs, error); }

    /// True while the timeline's counts are still being read from the file (open() of a
    /// recording whose log is read from the file).
    bool isCountingTimeline() const;
    /// Events of the file gone over by the timeline's pass so far (every event once it ended).
    qint64 timelineEventsCounted() const { return m_timelineDone; }
    /// Waits (blocking) until the timeline's pass ended and its counts are in; for tests
    /// and benchmarks.
    void waitForTimeline();

    /// Index of the newest event of the log at or before us, or -1 when none: into the
    /// history, or the file's event offset (sequence - info().firstSeq) when the log is
    /// read from the file. Events are taken as in time order (receive order).
    qint64 eventIndexAt(qint64 us) const;
    /// The newest event time of the log before us, or -1 when none.
    qint64 previousChangeUs(qint64 us) const;
    /// The oldest event time of the log after us, or -1 when none.
    qint64 nextChangeUs(qint64 us) const;

Q_SIGNALS:
    /// The timeline's pass went over done of total events (their counts are in the timeline).
    void timelineProgress(qint64 done, qint64 total);
    /// The timeline's pass ended: error "" when every event was counted, else one line
    /// (the counts read before it stay).
    void timelineCounted(const QString &error);

protected:
    qint64 seekTarget(qint64 atUs) const override;
    SeekWork seekWork(qint64 atUs) override;
    bool showSeekResult(SeekResult &result, QString *error) override;
    DiffWork diffWork(qint64 fromUs, qint64 toUs) override;

private:
    struct TimelinePass;
    // Counts the file's events (filtered: those the timeline's requester filter keeps) on a
    // worker; its counts are merged into the timeline as it goes.
    std::unique_ptr<TimelinePass> startTimelinePass(bool filtered);
    void drainTimeline(TimelinePass *pass);
    void onTimelineFinished(TimelinePass *pass);
    bool loadEvents(const Progress &progress, QString *error); // up to the history's capacity
    bool openFileLog(QString *error);
    // The log's events (history or file) and the time of its event i.
    qint64 logEvents() const;
    qint64 logTimeUs(qint64 i) const;
    // First index of the log with time > us (>= us when orEqual is false).
    qint64 firstAfter(qint64 us, bool orEqual) const;

    mutable recording::RecordingReader m_reader; // eventTimeUs() on const lookups
    std::unique_ptr<FileEventLogModel> m_fileLog;
    std::unique_ptr<ReplaySource> m_source;
    std::unique_ptr<NotificationModel> m_model; // after m_source: destroyed (cancelled) first
    QString m_path;
    qint64 m_unloaded = 0;
    std::unique_ptr<TimelinePass> m_timeline; // the pass over every event (kept when it ends)
    std::unique_ptr<TimelinePass> m_filteredTimeline; // the requester filter's pass, if any
    qint64 m_timelineDone = 0;
};

} // namespace ncv

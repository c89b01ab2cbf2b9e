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
//   ReplaySource. Moving the cursor is a fresh registration with the new state, shown
//   before showStateAt() returns; or, for the window, requestStateAt(): the state is read
//   on a worker thread (its own RecordingReader: one SQLite connection per thread) and
//   swapped into the tables on the GUI thread when it is read. Only the latest request is
//   shown: a request cancels the one running (its result is dropped), and cancelSeek()
//   leaves the tables as they were.
// GUI thread only (the model's tables are Qt models); the workers touch only their own
// reader and what they hand back.
#pragma once

#include "model/recording/recordingreader.h"
#include "model/statediff.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ncv {

class FileEventLogModel;
class NotificationModel;
class ReplaySource;

class RecordingSession : public QObject {
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

    /// Events of the recording in the history, and those left out (beyond the capacity).
    qint64 loadedEvents() const;
    qint64 unloadedEvents() const { return m_unloaded; }
    /// The event log read from the file (also NotificationModel::fileEventLog()), when the
    /// recording holds more events than the history would; nullptr when they were loaded.
    FileEventLogModel *fileEventLog() const { return m_fileLog.get(); }

    /// The moment the tables show, µs since the epoch (UTC).
    qint64 cursorUs() const { return m_cursorUs; }
    /// True while the tables show the end of the recording (info().endUs).
    bool isAtEnd() const { return m_cursorUs >= info().endUs; }
    /// Shows the tables at atUs (clamped to [info().startUs, info().endUs]). Returns false
    /// with *error when the file cannot be read (the tables then keep the last state).
    bool showStateAt(qint64 atUs, QString *error);
    bool showEnd(QString *error) { return showStateAt(info().endUs, error); }

    /// Starts reading the tables at atUs (clamped as showStateAt() does) on a worker thread
    /// and returns at once; seekStarted() says the moment. When read, the tables show it
    /// (stateShown(), then seekFinished(moment, true, "")). A seek still running is
    /// cancelled and its result dropped (seekFinished(its moment, false, "") first).
    void requestStateAt(qint64 atUs);
    /// Cancels the running seek: the tables keep what they show; seekFinished(moment,
    /// false, ""). Nothing when no seek runs.
    void cancelSeek();
    /// True from requestStateAt() until its seekFinished().
    bool isSeeking() const { return m_seek != nullptr; }
    /// The moment the running seek reads, else cursorUs().
    qint64 seekTargetUs() const;
    /// Waits (blocking) for the running seek and shows its result; for tests and
    /// benchmarks. Returns false with *error when it failed or was cancelled ("cancelled").
    bool waitForSeek(QString *error);

    /// True while the timeline's counts are still being read from the file (open() of a
    /// recording whose log is read from the file).
    bool isCountingTimeline() const;
    /// Events of the file gone over by the timeline's pass so far (every event once it ended).
    qint64 timelineEventsCounted() const { return m_timelineDone; }
    /// Waits (blocking) until the timeline's pass ended and its counts are in; for tests
    /// and benchmarks.
    void waitForTimeline();

    /// The net changes from the tables at fromUs to the tables at toUs (two stateAt()
    /// reads; fromUs and toUs are swapped when given reversed), into *out. Returns false
    /// with *error when the file cannot be read.
    bool diff(qint64 fromUs, qint64 toUs, std::vector<StateChange> *out, QString *error);

    /// Index of the newest event of the log at or before us, or -1 when none: into the
    /// history, or the file's event offset (sequence - info().firstSeq) when the log is
    /// read from the file. Events are taken as in time order (receive order).
    qint64 eventIndexAt(qint64 us) const;
    /// The newest event time of the log before us, or -1 when none.
    qint64 previousChangeUs(qint64 us) const;
    /// The oldest event time of the log after us, or -1 when none.
    qint64 nextChangeUs(qint64 us) const;

Q_SIGNALS:
    /// The tables now show the state at atUs.
    void stateShown(qint64 atUs);
    /// requestStateAt() started reading the tables at atUs (after clamping).
    void seekStarted(qint64 atUs);
    /// The seek of atUs ended: shown (stateShown() came first), or not: cancelled or
    /// superseded (error "") or the file could not be read (error one line).
    void seekFinished(qint64 atUs, bool shown, const QString &error);
    /// The timeline's pass went over done of total events (their counts are in the timeline).
    void timelineProgress(qint64 done, qint64 total);
    /// The timeline's pass ended: error "" when every event was counted, else one line
    /// (the counts read before it stay).
    void timelineCounted(const QString &error);

private:
    struct Seek;
    struct TimelinePass;
    void startTimelinePass();
    void drainTimeline();
    void onTimelineFinished();
    // Shows a finished seek's result (stateShown(), seekFinished()); whether it was shown,
    // else *error ("" when cancelled).
    bool onSeekFinished(Seek *seek, QString *error);
    // Cancels the running seek without a signal; its moment, or nullopt when none ran.
    std::optional<qint64> dropSeek();
    // Deletes the dropped seeks that ended, from the event loop.
    void purgeDroppedLater();
    qint64 clampCursor(qint64 atUs) const;
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
    qint64 m_cursorUs = 0;
    qint64 m_unloaded = 0;
    std::unique_ptr<Seek> m_seek; // the seek whose result will be shown
    std::vector<std::unique_ptr<Seek>> m_dropped; // cancelled seeks still running: waited for at destruction
    std::unique_ptr<TimelinePass> m_timeline; // while the timeline's pass runs
    qint64 m_timelineDone = 0;
};

} // namespace ncv

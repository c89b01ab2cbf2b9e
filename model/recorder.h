// SPDX-License-Identifier: GPL-2.0-or-later
// Recorder: headless recording (no widgets). Registers through a NotificationModel in
// Mode::HistoryOnly (no tables, no timeline: only the events and interface names),
// emits ready() once the initial snapshot is in and notifications are live, records
// until durationSec has passed (counted from ready) or stop() is called, then cancels,
// applies what is pending, writes the CSV (csv::exportToFile) and emits
// finished(exitCode, error). Stopped before the initial snapshot was complete, it appends
// a marker event that says so (snapshotIncomplete()).
// With a recording file (RecorderOptions::recordPath) every event also goes to the file as
// it arrives (RecordingFeed: recording::RecordingWriter, its own thread), the history keeps only the
// newest kRecordingHistoryEvents (memory stays bounded however long it runs), and the CSV,
// when asked for too, is converted from the file at the end. GUI (main) thread only.
#pragma once

#include <QDeadlineTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace ncv {

namespace platform {
class Source;
}
class NotificationModel;
class RecordingFeed;
class StreamFeed;

struct RecorderOptions {
    QString csvPath; ///< CSV output file; may be empty when recordPath is given
    int addressFamily = 0; ///< AF_INET / AF_INET6 / AF_UNSPEC (use platform::afUnspec() etc.)
    bool initial = true; ///< record the snapshot as `initial` events
    /// Seconds after ready(); -1 = until stop(); 0 = stop at ready. Any length up to
    /// kMaxDurationSec: a QTimer's interval is an int of ms (24.8 days), so the deadline is
    /// kept in a QDeadlineTimer and the timer re-armed in steps of at most a day.
    double durationSec = -1;
    /// Most events kept (EventHistory capacity); older ones are dropped and the CSV starts
    /// with a marker row counting them. 0 = EventHistory::kDefaultCapacity.
    qint64 maxEvents = 0;
    /// Recording file (recordingwriter.h), created new; empty = none.
    QString recordPath {};
    /// A series of recording files instead of one (RecordingWriter::Options): bytes and
    /// seconds per file; 0 = no limit.
    qint64 maxFileBytes = 0;
    double maxFileSec = 0;
    /// JSON Lines stream of every event as it happens (StreamFeed): a file (appended to) or
    /// "-" for standard output; empty = none. A write error ends the recording with exit
    /// code 1 (a log pipeline that went away should not be recorded for in vain).
    QString streamPath {};
    /// Every event also to the systemd journal as structured fields (StreamFeed::openJournal);
    /// a send error ends the recording with exit code 1, as a stream's write error does.
    bool journal = false;
};

/// Events the history keeps while recording to a file. There the history is only the
/// channel from the model to the file (RecordingFeed copies each applied slice to the
/// writer at once; the CSV is converted from the file): it needs one slice of the model
/// (NotificationModel::kMaxSliceRecords), so none is dropped before the file gets it, and
/// no more. One chunk of EventHistory: at most two chunks (~8 MB) are held, where four
/// chunks of history held 26 MB at the peak of a 1M-route burst.
inline constexpr qint64 kRecordingHistoryEvents = 65'536;

/// The longest duration a Recorder accepts, in seconds (about 31.7 years).
inline constexpr double kMaxDurationSec = 1e9;

/// How the details cell of the marker event begins when recording stopped before the
/// initial snapshot was complete.
inline constexpr char kSnapshotIncompleteNote[] = "initial snapshot incomplete:";

class Recorder : public QObject {
    Q_OBJECT
public:
    /// Does not own source.
    Recorder(platform::Source *source, RecorderOptions options, QObject *parent = nullptr);
    ~Recorder() override;

    /// Creates the recording file and opens the stream (when asked) and registers. Returns
    /// false with *error set when one fails, or when no output (CSV, recording, stream) is given.
    bool start(QString *error);
    /// Finishes now (any time, also before ready): cancel, apply pending, write CSV,
    /// emit finished(). Does nothing after the first call.
    void stop();

    /// Log rotation (SIGHUP): with a recording file, finishes it and goes on in a new one
    /// (RecordingFeed::reopen(): FILE again when it was moved away, else the next part of a
    /// series); returns false without one (nothing to re-open).
    bool reopenRecording();

    NotificationModel *model() const { return m_model; }
    const RecorderOptions &options() const { return m_options; }
    bool isFinished() const { return m_finished; }
    /// After finishing: true when recording stopped before the source's initial snapshot
    /// was complete, so the `initial` rows are not the whole table. The history then ends
    /// with a marker event: object and change Gap, origin Inferred, note beginning with
    /// kSnapshotIncompleteNote and giving the number of initial rows recorded.
    bool snapshotIncomplete() const { return m_snapshotIncomplete; }
    /// When the duration ends: forever before ready() and without a duration.
    QDeadlineTimer deadline() const { return m_deadline; }
    /// True while events go to a recording file.
    bool isRecordingToFile() const;
    /// The recording file written now (the current part of a series); empty without one.
    QString recordingPath() const;
    /// Events handed to the recording file so far.
    qint64 recordedEvents() const;
    /// Events written to the JSON Lines stream so far (0 without one).
    qint64 streamedEvents() const;
    /// Events sent to the systemd journal so far (0 without --journal).
    qint64 journalEvents() const;

Q_SIGNALS:
    /// The initial snapshot has been applied and notifications are live (once).
    void ready();
    /// Recording ended: exitCode 0 and an empty error when the recording file and the CSV
    /// were written;
    /// non-zero and a message naming the file and the reason otherwise.
    void finished(int exitCode, const QString &error);

private:
    void onSnapshotComplete();
    void armDurationTimer();
    void onDurationTimer();
    bool openRecording(QString *error);
    // Closes the recording file and converts it to the CSV when asked; *error on failure.
    bool finishRecording(QString *error);

    RecorderOptions m_options;
    NotificationModel *m_model;
    QTimer m_durationTimer;
    QDeadlineTimer m_deadline {QDeadlineTimer::Forever};
    bool m_ready = false;
    bool m_finished = false;
    bool m_snapshotIncomplete = false;
    RecordingFeed *m_feed = nullptr; // with a recording file
    std::unique_ptr<StreamFeed> m_stream; // with --stream
    std::unique_ptr<StreamFeed> m_journal; // with --journal
    QTimer m_streamCheck; // notices a failed stream (its writer thread cannot call us)
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// TimeCursor: the moment a window's tables show, moved without blocking the GUI thread;
// the part the recording window (RecordingSession) and the live window (LiveTimeTravel)
// share. requestStateAt(T) reads RecordingReader::stateAt(T) on a worker thread
// (LatestRequest: its own reader, one SQLite connection per thread) and returns at once;
// when the state is read the subclass swaps it into its tables on the GUI thread
// (showSeekResult()) and stateShown() / seekFinished() say so. Only the latest request is
// shown: a request cancels the one running (its result is dropped, seekFinished(its
// moment, false, "")), and cancelSeek() leaves the tables as they were. showStateAt() is
// the same read, waited for.
// The comparison of two moments (requestDiff(): the net changes between the tables at T1
// and at T2, diffStates()) runs the same way on a worker of its own (the subclass gives
// the work, diffWork(), usually readDiff() after what its file needs first); the latest
// request counts, cancelDiff() drops it.
// GUI thread only; the workers touch only what seekWork() gave them.
#pragma once

#include "model/latestrequest.h"
#include "model/recording/recordstate.h"
#include "model/statediff.h"

#include <QObject>
#include <QString>

#include <array>
#include <atomic>
#include <limits>
#include <memory>
#include <vector>

namespace ncv {

namespace recording {
struct RecordingInfo;
class RecordingReader;
} // namespace recording
struct PreparedState;

class TimeCursor : public QObject {
    Q_OBJECT
public:
    ~TimeCursor() override;

    /// The moment the tables show, µs since the epoch (UTC).
    qint64 cursorUs() const { return m_cursorUs; }

    /// Starts reading the tables at atUs (clamped as the subclass says) on a worker thread
    /// and returns at once; seekStarted() says the moment. When read, the tables show it
    /// (stateShown(), then seekFinished(moment, true, "")). A seek still running is
    /// cancelled and its result dropped (seekFinished(its moment, false, "") first).
    void requestStateAt(qint64 atUs);
    /// Cancels the running seek: the tables keep what they show; seekFinished(moment,
    /// false, ""). Nothing when no seek runs.
    void cancelSeek();
    /// True from requestStateAt() until its seekFinished().
    bool isSeeking() const { return m_seeks.isRunning(); }
    /// The moment the running seek reads, else cursorUs().
    qint64 seekTargetUs() const { return isSeeking() ? m_seekUs : m_cursorUs; }
    /// The columns the interface, address and route tables are sorted by (-1: none), for
    /// the next requests: their workers rank the rows in them (ChangeTableModel::
    /// takePresetRanks()), so that the sort at the swap needs no ranking on this thread.
    void setRankColumns(const std::array<int, 3> &columns) { m_rankColumns = columns; }
    /// The network namespace whose tables the next requests show and compare, for a
    /// recording of several (RecordingReader::namespaceIds() has more than one): its
    /// platform::NamespaceTable id. A namespace without rows at a moment (not created yet,
    /// destroyed) shows empty tables. Ignored for a recording of one. 0 until set.
    void setNamespace(quint32 netns) { m_netns = netns; }
    quint32 namespaceId() const { return m_netns; }
    const std::array<int, 3> &rankColumns() const { return m_rankColumns; }
    /// Waits (blocking) for the running seek and shows its result; for tests, benchmarks
    /// and showStateAt(). Returns false with *error when it failed or was cancelled
    /// ("cancelled").
    bool waitForSeek(QString *error);
    /// requestStateAt(atUs), then waitForSeek(): the tables show atUs before it returns.
    /// Returns false with *error one line when the state cannot be read (the tables then
    /// keep what they showed).
    bool showStateAt(qint64 atUs, QString *error);

    /// The net changes from the tables at fromUs to the tables at toUs (two stateAt()
    /// reads; fromUs and toUs are swapped when given reversed), into *out, before it
    /// returns (requestDiff(), then waitForDiff()). Returns false with *error when the file
    /// cannot be read.
    bool diff(qint64 fromUs, qint64 toUs, std::vector<StateChange> *out, QString *error);
    /// Starts the comparison diff() makes on a worker thread and returns at once; a running
    /// one is cancelled (diffFinished(its moments, false, "") first). diffFinished() tells
    /// the end; takeDiff() then gives the changes.
    void requestDiff(qint64 fromUs, qint64 toUs);
    /// Cancels the running comparison: diffFinished(from, to, false, ""). Nothing when none runs.
    void cancelDiff();
    /// True from requestDiff() until its diffFinished().
    bool isDiffing() const { return m_diffs.isRunning(); }
    /// Waits (blocking) for the running comparison; its changes into *out. False with
    /// *error when it failed or was cancelled ("cancelled").
    bool waitForDiff(std::vector<StateChange> *out, QString *error);
    /// The changes of the requested comparison that ended last with done true (moved out:
    /// empty after; waitForDiff() gives its own instead).
    std::vector<StateChange> takeDiff() { return std::move(m_diffChanges); }
    /// One line about the comparison that ended last ("" when it read every event it
    /// should; else what the file was missing), for the status bar.
    QString diffNote() const { return m_diffNote; }

Q_SIGNALS:
    /// The tables now show the state at atUs.
    void stateShown(qint64 atUs);
    /// requestStateAt() started reading the tables at atUs (after clamping).
    void seekStarted(qint64 atUs);
    /// The seek of atUs (as seekStarted() said it) ended: shown (stateShown() came first),
    /// or not: cancelled or superseded (error "") or the state could not be read (error
    /// one line).
    void seekFinished(qint64 atUs, bool shown, const QString &error);
    /// The comparison of fromUs and toUs (ordered) ended: done (takeDiff() has the
    /// changes), or not: cancelled or superseded (error "") or the file could not be read
    /// (error one line).
    void diffFinished(qint64 fromUs, qint64 toUs, bool done, const QString &error);

public:
    /// The id under which reader knows the namespace netns (a platform::NamespaceTable id
    /// of this process, as ChangeRecord::netns gives it): netns itself when the file's ids
    /// hold it (a recording opened: its ids are the reader's), else the file's namespace
    /// with netns's name and inode (the live window reading its own recording: the file
    /// keeps no device, so the reader interns another id). Any thread.
    static quint32 fileNamespace(const recording::RecordingReader &reader, quint32 netns);

protected:
    explicit TimeCursor(QObject *parent = nullptr);

    /// What a seek's worker hands back.
    struct SeekResult {
        std::unique_ptr<recording::RecordState> state; ///< set by the worker (not movable itself)
        /// Instead of state, for a recording of several namespaces: every namespace's tables,
        /// of which prepareSeekResult() shows netns's.
        std::unique_ptr<recording::NamespaceStates> namespaces;
        quint32 netns = 0;
        /// state made ready for the tables by the worker (prepareSeekResult()); state is
        /// then gone.
        std::shared_ptr<PreparedState> prepared;
        qint64 atUs = 0; ///< the moment read (the worker may clamp it further)
        QString error; ///< one line when !ok
        bool ok = false;
        quint64 fileLastSeq = 0; ///< the newest event sequence in the file when read
        bool committed = true; ///< false: the live writer did not commit in time
    };
    using SeekWork = LatestRequest<SeekResult>::Work;
    /// What a comparison's worker hands back.
    struct DiffResult {
        std::vector<StateChange> changes;
        QString error; ///< one line when !ok
        QString note; ///< diffNote()
        bool ok = false;
    };
    using DiffWork = LatestRequest<DiffResult>::Work;

    /// The moment a request for atUs reads (GUI thread).
    virtual qint64 seekTarget(qint64 atUs) const = 0;
    /// The work that reads the state at atUs on a worker thread: it captures by value all
    /// it needs (a path, never this).
    virtual SeekWork seekWork(qint64 atUs) = 0;
    /// Swaps a read state into the tables (GUI thread). Returns false with *error one line.
    virtual bool showSeekResult(SeekResult &result, QString *error) = 0;
    /// The work that compares the tables at fromUs and toUs (fromUs <= toUs) on a worker
    /// thread; captures by value, as seekWork().
    virtual DiffWork diffWork(qint64 fromUs, qint64 toUs) = 0;
    /// The comparison itself, on the worker: opens path with its own reader, reads the
    /// state at fromUs and at toUs and diffs them with the file's key scheme (for a
    /// recording of several namespaces, the tables of namespace netns). With
    /// clampToStart, a moment before the file's start (or firstEventUs, when earlier) is
    /// read at that start, as a live seek clamps it. Not ok with error one line when the
    /// file cannot be read or cancelled became true.
    static DiffResult readDiff(const QString &path, qint64 fromUs, qint64 toUs, const std::atomic<bool> &cancelled,
                               bool clampToStart = false, qint64 firstEventUs = std::numeric_limits<qint64>::max(),
                               quint32 netns = 0);
    /// The earliest moment a cursor shows in a file: its start (its end when earlier), or
    /// firstEventUs when earlier still (events older than the recorder's start: a clock that
    /// was set back, a file converted from elsewhere).
    static qint64 firstMomentUs(const recording::RecordingInfo &info,
                                qint64 firstEventUs = std::numeric_limits<qint64>::max());
    /// On the worker, after a successful read: result.state packed, indexed and ranked for
    /// the tables (NotificationModel::prepareState) into result.prepared, the state freed.
    /// rankColumns: rankColumns() when the request was made.
    static void prepareSeekResult(SeekResult &result, int addressFamily, const std::array<int, 3> &rankColumns,
                                  const std::atomic<bool> &cancelled);
    /// Cancels every seek and comparison, dropped ones too, and waits for their workers:
    /// before what they read (the file, the writer) goes away.
    void stopSeeks()
    {
        m_seeks.stopAll();
        m_diffs.stopAll();
    }

    qint64 m_cursorUs = 0;
    quint32 m_netns = 0;

private:
    // Shows a finished seek's result (stateShown(), seekFinished()); whether it was shown,
    // else *error ("" when cancelled).
    bool finishSeek(SeekResult &result, QString *error);
    // Takes a finished comparison's result (diffFinished()): its changes into *out, else
    // for takeDiff(); whether it is done, else *error.
    bool finishDiff(DiffResult &result, QString *error, std::vector<StateChange> *out);

    std::array<int, 3> m_rankColumns {-1, -1, -1};
    LatestRequest<SeekResult> m_seeks;
    qint64 m_seekUs = 0; // the moment of the running (or last) seek
    LatestRequest<DiffResult> m_diffs;
    qint64 m_diffFromUs = 0; // the moments of the running (or last) comparison
    qint64 m_diffToUs = 0;
    std::vector<StateChange> m_diffChanges; // the last comparison done, until takeDiff()
    QString m_diffNote;
};

} // namespace ncv

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
// GUI thread only; the workers touch only what seekWork() gave them.
#pragma once

#include "model/latestrequest.h"
#include "model/recording/recordstate.h"

#include <QObject>
#include <QString>

#include <memory>

namespace ncv {

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
    /// Waits (blocking) for the running seek and shows its result; for tests, benchmarks
    /// and showStateAt(). Returns false with *error when it failed or was cancelled
    /// ("cancelled").
    bool waitForSeek(QString *error);
    /// requestStateAt(atUs), then waitForSeek(): the tables show atUs before it returns.
    /// Returns false with *error one line when the state cannot be read (the tables then
    /// keep what they showed).
    bool showStateAt(qint64 atUs, QString *error);

Q_SIGNALS:
    /// The tables now show the state at atUs.
    void stateShown(qint64 atUs);
    /// requestStateAt() started reading the tables at atUs (after clamping).
    void seekStarted(qint64 atUs);
    /// The seek of atUs (as seekStarted() said it) ended: shown (stateShown() came first),
    /// or not: cancelled or superseded (error "") or the state could not be read (error
    /// one line).
    void seekFinished(qint64 atUs, bool shown, const QString &error);

protected:
    explicit TimeCursor(QObject *parent = nullptr);

    /// What a seek's worker hands back.
    struct SeekResult {
        std::unique_ptr<recording::RecordState> state; ///< set by the worker (not movable itself)
        qint64 atUs = 0; ///< the moment read (the worker may clamp it further)
        QString error; ///< one line when !ok
        bool ok = false;
        quint64 fileLastSeq = 0; ///< the newest event sequence in the file when read
        bool committed = true; ///< false: the live writer did not commit in time
    };
    using SeekWork = LatestRequest<SeekResult>::Work;

    /// The moment a request for atUs reads (GUI thread).
    virtual qint64 seekTarget(qint64 atUs) const = 0;
    /// The work that reads the state at atUs on a worker thread: it captures by value all
    /// it needs (a path, never this).
    virtual SeekWork seekWork(qint64 atUs) = 0;
    /// Swaps a read state into the tables (GUI thread). Returns false with *error one line.
    virtual bool showSeekResult(SeekResult &result, QString *error) = 0;
    /// Cancels every seek, dropped ones too, and waits for their workers: before what
    /// they read (the file, the writer) goes away.
    void stopSeeks() { m_seeks.stopAll(); }

    qint64 m_cursorUs = 0;

private:
    // Shows a finished seek's result (stateShown(), seekFinished()); whether it was shown,
    // else *error ("" when cancelled).
    bool finishSeek(SeekResult &result, QString *error);

    LatestRequest<SeekResult> m_seeks;
    qint64 m_seekUs = 0; // the moment of the running (or last) seek
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingSession: one recording file opened for the window, read-only. It holds the
// RecordingReader, and a NotificationModel (Full) that shows the recording:
// - the event history, event log and timeline hold the recording's events as they were
//   recorded (sequence numbers, times and interface names from the file), read through
//   RecordingReader::events() in pages, up to the history's capacity (the oldest first;
//   the rest is counted in unloadedEvents());
// - the interface, address and route tables hold the state at one moment (the cursor):
//   RecordingReader::stateAt(T) served by a ReplaySource as the registration's initial
//   snapshot, whose rows fill the tables but are not events
//   (NotificationModel::setSnapshotRowsAreEvents(false)). Moving the cursor is a fresh
//   registration with the new state, applied before showStateAt() returns.
// GUI thread only (the model's tables are Qt models).
#pragma once

#include "model/recording/recordingreader.h"
#include "model/statediff.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace ncv {

class NotificationModel;
class ReplaySource;

class RecordingSession : public QObject {
    Q_OBJECT
public:
    explicit RecordingSession(QObject *parent = nullptr);
    ~RecordingSession() override;

    /// Progress of open(): done of total events loaded; return false to cancel.
    using Progress = std::function<bool(qint64 done, qint64 total)>;
    /// Opens path (recognised by its content), loads its events into the history (at most
    /// maxEvents, the history's capacity when 0) and shows the state at its end. Returns
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

    /// The moment the tables show, µs since the epoch (UTC).
    qint64 cursorUs() const { return m_cursorUs; }
    /// True while the tables show the end of the recording (info().endUs).
    bool isAtEnd() const { return m_cursorUs >= info().endUs; }
    /// Shows the tables at atUs (clamped to [info().startUs, info().endUs]). Returns false
    /// with *error when the file cannot be read (the tables then keep the last state).
    bool showStateAt(qint64 atUs, QString *error);
    bool showEnd(QString *error) { return showStateAt(info().endUs, error); }

    /// The net changes from the tables at fromUs to the tables at toUs (two stateAt()
    /// reads; fromUs and toUs are swapped when given reversed), into *out. Returns false
    /// with *error when the file cannot be read.
    bool diff(qint64 fromUs, qint64 toUs, std::vector<StateChange> *out, QString *error);

    /// Index in the history of the newest loaded event at or before us, or -1 when none.
    qint64 eventIndexAt(qint64 us) const;
    /// The newest loaded event time before us, or -1 when none.
    qint64 previousChangeUs(qint64 us) const;
    /// The oldest loaded event time after us, or -1 when none.
    qint64 nextChangeUs(qint64 us) const;

Q_SIGNALS:
    /// The tables now show the state at atUs.
    void stateShown(qint64 atUs);

private:
    bool loadEvents(const Progress &progress, qint64 maxEvents, QString *error);

    recording::RecordingReader m_reader;
    std::unique_ptr<ReplaySource> m_source;
    std::unique_ptr<NotificationModel> m_model; // after m_source: destroyed (cancelled) first
    QString m_path;
    qint64 m_cursorUs = 0;
    qint64 m_unloaded = 0;
};

} // namespace ncv

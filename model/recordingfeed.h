// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingFeed: hands a NotificationModel's events to a recording file as they arrive,
// the part the headless Recorder and the live window share. It opens a
// recording::RecordingWriter (its own thread: append() only queues) with the meta of this
// machine and source, appends every event of EventHistory::appended (sequence, time,
// compact record, interface name), asks for the "start" keyframe when the first snapshot
// is complete (when the source makes images of its state, every keyframe is written from
// such an image, asked for by the writer and handed in order with the events; otherwise
// the writer keeps its own copy of the tables), and closes the file cleanly in finish() (or the destructor).
// GUI (main) thread only, like the model.
#pragma once

#include "model/recording/recordingwriter.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace ncv::platform {
class StateImage;
}

namespace ncv {

class NotificationModel;

class RecordingFeed : public QObject {
    Q_OBJECT
public:
    /// Does not own model, which must outlive the feed.
    explicit RecordingFeed(NotificationModel *model, QObject *parent = nullptr);
    /// finish() when still open (its error is logged).
    ~RecordingFeed() override;

    /// The meta of a recording of model's source on this machine: host, OS, kernel, source
    /// name, family filter (from addressFamily: AF_INET / AF_INET6 / AF_UNSPEC), program
    /// version, key scheme and (Linux) the network namespace.
    static recording::RecordingMeta metaFor(const NotificationModel *model, int addressFamily);

    /// Creates path (new; see RecordingWriter::open) and from now on records every event
    /// the model's history appends. Events already in the history are not written: open
    /// before model->start(). Returns false with *error one line when the file cannot be
    /// created.
    bool open(const QString &path, int addressFamily, const recording::RecordingWriter::Options &options,
              QString *error);
    /// Drains the queue (the calling thread waits for the disk here), writes the end and
    /// closes the file; nothing is recorded afterwards. Returns false with *error when
    /// writing failed (now or earlier). Safe to call twice; true when never opened.
    bool finish(QString *error);

    /// Log rotation: the writer finishes its file and goes on in a new one
    /// (RecordingWriter::reopen(); a single file only when it was moved away). Does nothing
    /// when not open.
    void reopen();

    bool isOpen() const { return m_writer != nullptr && !m_finished; }
    /// The file written now (the current part of a series); empty when never opened.
    QString currentPath() const;
    /// Events handed to the writer so far.
    qint64 recordedEvents() const { return m_recorded; }
    /// True once the writer failed (events are dropped from then on; finish() says why).
    bool failed() const;
    /// Waits (the calling thread blocks) until the history's event with sequence number
    /// sequence is committed to the file, at most timeoutMs milliseconds
    /// (RecordingWriter::waitCommitted). False on timeout, when not recording or when the
    /// writer failed.
    bool waitCommitted(quint64 sequence, int timeoutMs);
    /// waitCommitted() for a worker thread, once open() succeeded and while the feed exists
    /// (the writer's own lock guards it; the feed's GUI-thread state is not read): gives up
    /// as soon as *stop is true (looked at every kStopCheckMs). False also after finish()
    /// unless the event was committed.
    bool waitCommittedFromWorker(quint64 sequence, int timeoutMs, const std::atomic<bool> &stop) const;
    static constexpr int kStopCheckMs = 20;

Q_SIGNALS:
    /// The writer failed (emitted once, from the append that noticed it; connect queued to
    /// stop from it).
    void writeFailed();

private:
    void onAppended(qint64 first, qint64 last);
    void onSnapshotComplete();
    void onStateImage(quint64 token, std::shared_ptr<const platform::StateImage> image);

    NotificationModel *m_model;
    std::unique_ptr<recording::RecordingWriter> m_writer;
    qint64 m_recorded = 0;
    bool m_startKeyframe = false; // the "start" keyframe was asked for
    bool m_failureSaid = false;
    bool m_finished = false;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recorder.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/modellogging.h"
#include "model/notificationmodel.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingreader.h"
#include "model/recordingfeed.h"
#include "model/streamfeed.h"
#include "platform/format.h"
#include "platform/source.h"

#include <QFile>
#include <QMetaObject>

#include <algorithm>
#include <chrono>
#include <limits>

namespace ncv {

// The history hands every applied slice to the file: a slice must fit whole.
static_assert(kRecordingHistoryEvents >= qint64(NotificationModel::kMaxSliceRecords) + 1);

Recorder::Recorder(platform::Source *source, RecorderOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)),
      // Only the history is written: no tables (a second copy of the state the source
      // keeps, ~190 MB at a million routes), no timeline, no decoding of the records.
      m_model(new NotificationModel(source, NotificationModel::Mode::HistoryOnly, this))
{
    m_durationTimer.setSingleShot(true);
    connect(&m_durationTimer, &QTimer::timeout, this, &Recorder::onDurationTimer);
    connect(m_model, &NotificationModel::snapshotComplete, this, &Recorder::onSnapshotComplete);
    if (m_options.maxEvents > 0)
        m_model->history()->setCapacity(m_options.maxEvents);
}

Recorder::~Recorder() = default;

bool Recorder::start(QString *error)
{
    if (m_options.csvPath.isEmpty() && m_options.recordPath.isEmpty() && m_options.streamPath.isEmpty()
        && !m_options.journal) {
        if (error)
            *error = QStringLiteral("no output given (a CSV file, a recording, a stream or the journal)");
        return false;
    }
    if (!m_options.streamPath.isEmpty()) {
        m_stream = std::make_unique<StreamFeed>(m_model->history());
        if (!m_stream->open(m_options.streamPath, error)) {
            m_stream.reset();
            return false;
        }
    }
    if (m_options.journal) {
        m_journal = std::make_unique<StreamFeed>(m_model->history());
        if (!m_journal->openJournal(error)) {
            m_journal.reset();
            m_stream.reset();
            return false;
        }
    }
    if (m_stream || m_journal) {
        // Without a CSV to write at the end, the history only hands events to the feeds.
        if (m_options.csvPath.isEmpty())
            m_model->history()->setCapacity(kRecordingHistoryEvents);
        m_streamCheck.setInterval(250);
        connect(&m_streamCheck, &QTimer::timeout, this, [this] {
            if ((m_stream && m_stream->failed()) || (m_journal && m_journal->failed()))
                stop();
        });
        m_streamCheck.start();
    }
    if (!m_options.recordPath.isEmpty() && !openRecording(error)) {
        m_stream.reset();
        m_journal.reset();
        return false;
    }
    if (m_model->start(m_options.addressFamily, m_options.initial, error))
        return true;
    if (m_feed) {
        // Nothing was recorded: leave no empty recording behind (the file was created new).
        const QString path = m_feed->currentPath();
        QString ignored;
        m_feed->finish(&ignored);
        delete m_feed;
        m_feed = nullptr;
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(path + suffix);
    }
    return false;
}

bool Recorder::openRecording(QString *error)
{
    auto *feed = new RecordingFeed(m_model, this);
    recording::RecordingWriter::Options options;
    options.maxFileBytes = m_options.maxFileBytes;
    options.maxFileDurationUs = qint64(m_options.maxFileSec * 1e6);
    if (!feed->open(m_options.recordPath, m_options.addressFamily, options, error)) {
        delete feed;
        return false;
    }
    m_feed = feed;
    m_model->history()->setCapacity(kRecordingHistoryEvents);
    // Stop when the disk fails: queued, never from inside the model's batch.
    connect(m_feed, &RecordingFeed::writeFailed, this, &Recorder::stop, Qt::QueuedConnection);
    return true;
}

bool Recorder::reopenRecording()
{
    if (!m_feed || m_finished)
        return false;
    m_feed->reopen();
    return true;
}

QString Recorder::recordingPath() const
{
    return m_feed ? m_feed->currentPath() : QString();
}

bool Recorder::isRecordingToFile() const
{
    return m_feed != nullptr;
}

qint64 Recorder::recordedEvents() const
{
    return m_feed ? m_feed->recordedEvents() : 0;
}

qint64 Recorder::streamedEvents() const
{
    return m_stream ? qint64(m_stream->writtenEvents()) : 0;
}

qint64 Recorder::journalEvents() const
{
    return m_journal ? qint64(m_journal->writtenEvents()) : 0;
}

bool Recorder::finishRecording(QString *error)
{
    if (!m_feed->finish(error))
        return false;
    if (m_options.csvPath.isEmpty())
        return true;
    recording::RecordingReader reader;
    QString why;
    std::int64_t rows = 0;
    if (!reader.open(m_options.recordPath, &why)
        || !recording::exportEvents(reader, std::numeric_limits<std::int64_t>::min(),
                                    std::numeric_limits<std::int64_t>::max(), m_options.csvPath, &rows, &why)) {
        if (error)
            *error = QStringLiteral("%1; the events are in the recording %2").arg(why, m_options.recordPath);
        return false;
    }
    return true;
}

void Recorder::onSnapshotComplete()
{
    if (m_ready || m_finished)
        return;
    m_ready = true; // the feed asks for the recording's "start" keyframe
    if (m_stream)
        m_stream->markSnapshotComplete(platform::nowUs());
    Q_EMIT ready();
    if (m_options.durationSec < 0)
        return; // until stop()
    const double ns = std::min(m_options.durationSec, kMaxDurationSec) * 1e9;
    m_deadline = QDeadlineTimer(std::chrono::nanoseconds(qint64(ns)), Qt::PreciseTimer);
    armDurationTimer();
}

void Recorder::armDurationTimer()
{
    // Queued even for 0, so we never finish from inside the model's batch application.
    constexpr qint64 kStepMs = qint64(24) * 3600 * 1000;
    m_durationTimer.start(int(std::min(m_deadline.remainingTime(), kStepMs)));
}

void Recorder::onDurationTimer()
{
    // A step ended (a coarse timer may also end one a little early): stop at the deadline.
    if (m_deadline.hasExpired())
        stop();
    else
        armDurationTimer();
}

void Recorder::stop()
{
    if (m_finished)
        return;
    if (m_model->isApplying()) {
        // Called from a slot inside the model's batch (e.g. on ready()): finish right after it.
        QMetaObject::invokeMethod(this, &Recorder::stop, Qt::QueuedConnection);
        return;
    }
    m_finished = true;
    m_durationTimer.stop();
    // Cancel (no callback runs after this) and apply what is still queued. In HistoryOnly
    // mode there are no table rows to free: the CSV is written right after.
    m_model->stop();
    m_model->applyAll();
    // The snapshot may have been delivered whole but not yet applied: applyAll() applied
    // it, so the model knows whether SnapshotComplete came.
    if (!m_model->isSnapshotComplete()) {
        m_snapshotIncomplete = true;
        const qint64 rows = m_model->liveCount(platform::ObjectKind::Interface)
            + m_model->liveCount(platform::ObjectKind::Address) + m_model->liveCount(platform::ObjectKind::Route)
            + m_model->liveCount(platform::ObjectKind::Neighbor) + m_model->liveCount(platform::ObjectKind::Rule)
            + m_model->liveCount(platform::ObjectKind::Nexthop);
        platform::ChangeRecord marker;
        marker.object = platform::ObjectKind::Gap;
        marker.change = platform::ChangeKind::Gap;
        marker.origin = platform::Origin::Inferred;
        marker.timeUs = platform::nowUs();
        marker.note = std::string(kSnapshotIncompleteNote)
            + (m_options.initial ? " recording stopped after " + std::to_string(rows)
                       + " initial rows, before the snapshot was complete: the rows present at start are not all "
                         "recorded"
                                 : std::string(" recording stopped before the snapshot was complete"));
        m_model->history()->append(std::move(marker), QString());
    }
    QString error;
    int exitCode = 0;
    if (m_feed) {
        if (!finishRecording(&error)) {
            exitCode = 1;
            qCInfo(lcModel) << error;
        }
    } else if (m_options.csvPath.isEmpty()) {
        // Streaming only: nothing to write at the end.
    } else if (!csv::exportToFile(*m_model->history(), m_options.csvPath, &error)) {
        exitCode = 1;
        qCInfo(lcModel) << error; // the caller reports it, from finished()
    } else {
        qCInfo(lcModel) << "wrote" << m_model->history()->size() << "events to" << m_options.csvPath;
    }
    m_streamCheck.stop();
    QString streamError;
    if (m_stream && !m_stream->finish(&streamError)) {
        exitCode = 1;
        error = error.isEmpty() ? streamError : error + QStringLiteral("; ") + streamError;
    }
    QString journalError;
    if (m_journal && !m_journal->finish(&journalError)) {
        exitCode = 1;
        error = error.isEmpty() ? journalError : error + QStringLiteral("; ") + journalError;
    }
    Q_EMIT finished(exitCode, error);
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recordingfeed.h"

#include "model/history/eventhistory.h"
#include "model/modellogging.h"
#include "model/notificationmodel.h"
#include "platform/format.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSysInfo>

#include <algorithm>

namespace ncv {

RecordingFeed::RecordingFeed(NotificationModel *model, QObject *parent) : QObject(parent), m_model(model) { }

RecordingFeed::~RecordingFeed()
{
    QString error;
    if (!finish(&error))
        qCWarning(lcModel) << error;
}

recording::RecordingMeta RecordingFeed::metaFor(const NotificationModel *model, int addressFamily)
{
    recording::RecordingMeta meta;
    meta.hostName = QSysInfo::machineHostName();
    meta.os = QSysInfo::prettyProductName();
    meta.kernel = QSysInfo::kernelType() + u' ' + QSysInfo::kernelVersion();
    meta.source = model->sourceName();
    platform::Family family = platform::Family::Unspec;
    platform::familyFromAf(addressFamily, &family);
    meta.familyFilter = QString::fromLatin1(platform::familyName(family));
    meta.programVersion = QCoreApplication::applicationVersion();
#ifdef Q_OS_WIN
    meta.keyScheme = QStringLiteral("windows");
#else
    // The namespace recorded: ifindexes and routes are per network namespace.
    meta.namespaceName = QFileInfo(QStringLiteral("/proc/self/ns/net")).symLinkTarget().section(u'/', -1);
#endif
    if (meta.source.startsWith(QLatin1StringView("ssh "))) {
        // A remote host (RemoteSource, named "ssh HOST"): this machine says nothing about it.
        meta.hostName = meta.source.mid(4);
        meta.os.clear();
        meta.kernel.clear();
        meta.namespaceName.clear();
        meta.note = QStringLiteral("watched over ssh: the times are the remote host's clock");
    }
    return meta;
}

bool RecordingFeed::open(const QString &path, int addressFamily, const recording::RecordingWriter::Options &options,
                         QString *error)
{
    if (m_writer) {
        if (error)
            *error = QStringLiteral("already recording to %1").arg(currentPath());
        return false;
    }
    auto writer = std::make_unique<recording::RecordingWriter>();
    const bool images = m_model->supportsImages();
    if (images) {
        // Keyframes from the source's own state (no second copy of the tables in the
        // writer). The writer asks from its thread; the request goes through this (GUI)
        // thread to the source, and the image comes back in order with the events.
        // The writer's thread ends in finish(), before this object goes; a call still
        // queued when it goes is dropped with it.
        writer->setImageRequester([this](std::uint64_t token) {
            QMetaObject::invokeMethod(
                this,
                [this, token] {
                    if (m_writer && !m_finished)
                        m_model->requestImage(token);
                },
                Qt::QueuedConnection);
        });
    }
    if (!writer->open(path, metaFor(m_model, addressFamily), options, error))
        return false;
    m_writer = std::move(writer);
    connect(m_model->history(), &EventHistory::appended, this, &RecordingFeed::onAppended);
    connect(m_model, &NotificationModel::snapshotComplete, this, &RecordingFeed::onSnapshotComplete);
    if (images)
        connect(m_model, &NotificationModel::stateImage, this, &RecordingFeed::onStateImage);
    return true;
}

QString RecordingFeed::currentPath() const
{
    return m_writer ? m_writer->currentPath() : QString();
}

void RecordingFeed::reopen()
{
    if (isOpen())
        m_writer->reopen();
}

bool RecordingFeed::failed() const
{
    return m_writer && m_writer->failed();
}

bool RecordingFeed::waitCommitted(quint64 sequence, int timeoutMs)
{
    return isOpen() && m_writer->waitCommitted(sequence, timeoutMs);
}

bool RecordingFeed::waitCommittedFromWorker(quint64 sequence, int timeoutMs, const std::atomic<bool> &stop) const
{
    // Worker thread: m_writer is set once by open() (before the worker started) and kept
    // until the feed is destroyed; the writer locks its own state.
    if (!m_writer)
        return false;
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        const int slice = int(std::clamp<qint64>(timeoutMs - clock.elapsed(), 0, kStopCheckMs));
        QElapsedTimer sliceClock;
        sliceClock.start();
        if (m_writer->waitCommitted(sequence, slice))
            return true;
        // Back before its time without the commit: the writer failed or was finished.
        if (slice == 0 || stop.load() || sliceClock.elapsed() < slice / 2)
            return false;
    }
}

void RecordingFeed::onAppended(qint64 first, qint64 last)
{
    if (!m_writer || m_finished)
        return;
    const EventHistory *h = m_model->history();
    for (qint64 i = first; i <= last; ++i)
        m_writer->append(h->sequence(i), h->timeUs(i), h->encoded(i), h->ifName(i));
    m_recorded += last - first + 1;
    if (m_writer->failed() && !m_failureSaid) {
        m_failureSaid = true;
        Q_EMIT writeFailed();
    }
}

void RecordingFeed::onStateImage(quint64 token, std::shared_ptr<const platform::StateImage> image)
{
    if (m_writer && !m_finished)
        m_writer->appendImage(token, std::move(image));
}

void RecordingFeed::onSnapshotComplete()
{
    // Only the first: a later snapshot (the window resumed, or switched family) lists the
    // rows again as initial events, which the writer's tables take as upserts.
    if (!m_writer || m_finished || m_startKeyframe)
        return;
    m_startKeyframe = true;
    m_writer->requestKeyframe(QStringLiteral("start"));
}

bool RecordingFeed::finish(QString *error)
{
    if (!m_writer || m_finished)
        return true;
    m_finished = true;
    disconnect(m_model->history(), nullptr, this, nullptr);
    disconnect(m_model, nullptr, this, nullptr);
    if (!m_writer->finish(error)) {
        if (error)
            *error = QStringLiteral("recording %1 failed: %2").arg(m_writer->currentPath(), *error);
        return false;
    }
    return true;
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/livetimetravel.h"

#include "model/history/eventhistory.h"
#include "model/modellogging.h"
#include "model/notificationmodel.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordstate.h"
#include "model/recordingfeed.h"
#include "model/replaysource.h"

#include <algorithm>
#include <climits>

namespace ncv {

LiveTimeTravel::LiveTimeTravel(NotificationModel *live, QObject *parent)
    : QObject(parent), m_live(live), m_source(std::make_unique<ReplaySource>()),
      m_past(std::make_unique<NotificationModel>(m_source.get()))
{
    m_past->setUpdateIntervalMs(0);
}

LiveTimeTravel::~LiveTimeTravel()
{
    m_past.reset(); // cancels its registration while the source still exists
}

void LiveTimeTravel::setFeed(RecordingFeed *feed, const QString &why)
{
    m_feed = feed;
    m_unavailable = why;
    if (m_reader && (!feed || feed->currentPath() != m_readerPath))
        m_reader.reset();
}

bool LiveTimeTravel::isAvailable() const
{
    return m_feed && m_feed->isOpen();
}

QString LiveTimeTravel::unavailableReason() const
{
    if (isAvailable())
        return QString();
    if (m_feed) // it was recording
        return tr("the live recording is closed");
    return m_unavailable.isEmpty() ? tr("this window does not record its events") : m_unavailable;
}

bool LiveTimeTravel::openReader(QString *error)
{
    const QString path = m_feed->currentPath();
    if (m_reader && m_readerPath == path)
        return m_reader->refresh(error); // the range grew since
    auto reader = std::make_unique<recording::RecordingReader>();
    if (!reader->open(path, error))
        return false;
    m_reader = std::move(reader);
    m_readerPath = path;
    return true;
}

bool LiveTimeTravel::showStateAt(qint64 atUs, QString *error)
{
    if (!isAvailable()) {
        if (error)
            *error = tr("The tables cannot show the past: %1.").arg(unavailableReason());
        return false;
    }
    const EventHistory *history = m_live->history();
    // The newest event the log shows at or before the moment: the file must hold it.
    atUs = std::min<qint64>(atUs, platform::nowUs());
    const qint64 newest = history->lastIndexAtOrBefore(atUs);
    qint64 missing = 0;
    if (newest >= 0 && !m_feed->waitCommitted(history->sequence(newest), kCommitWaitMs)) {
        qCWarning(lcModel) << "the live recording has not committed sequence" << history->sequence(newest);
        missing = -1; // counted below, from what the file has
    }
    if (!openReader(error))
        return false;
    const recording::RecordingInfo &info = m_reader->info();
    qint64 first = std::min<qint64>(info.startUs, info.endUs);
    if (history->size() > 0)
        first = std::min(first, history->timeUs(0));
    atUs = std::max<qint64>(atUs, first);
    if (missing < 0) {
        missing = 0;
        for (qint64 i = newest; i >= 0 && history->sequence(i) > info.lastSeq; --i)
            ++missing;
    }
    const auto scheme = info.meta.value(QStringLiteral("key_scheme")) == QLatin1StringView("windows")
        ? platform::StateStore::KeyScheme::Windows
        : platform::StateStore::KeyScheme::Linux;
    recording::RecordState state(scheme);
    if (!m_reader->stateAt(atUs, &state, error))
        return false;
    m_source->setMomentUs(atUs);
    QString startError;
    if (!m_past->showState(state, m_live->addressFamily(), &startError)) {
        if (error)
            *error = startError;
        return false;
    }
    m_note = missing > 0 ? tr("the newest %n event(s) up to this moment are not in the recording file yet", nullptr,
                              int(std::min<qint64>(missing, INT_MAX)))
                         : QString();
    m_inPast = true;
    m_cursorUs = atUs;
    Q_EMIT stateShown(atUs);
    return true;
}

void LiveTimeTravel::backToLive()
{
    if (!m_inPast)
        return;
    m_inPast = false;
    m_note.clear();
    // One copy of the state: the past tables go until the cursor is used again, and so does
    // the reader's connection to the file (reopened then, for its new range).
    m_reader.reset();
    m_past->stop();
    m_source->setMomentUs(0);
    QString ignored;
    if (m_past->start(m_live->addressFamily(), true, &ignored))
        m_past->applyAll();
    Q_EMIT liveShown();
}

qint64 LiveTimeTravel::previousChangeUs(qint64 us) const
{
    const EventHistory *h = m_live->history();
    const qint64 i = h->lastIndexAtOrBefore(us - 1);
    return i >= 0 ? h->timeUs(i) : -1;
}

qint64 LiveTimeTravel::nextChangeUs(qint64 us) const
{
    const EventHistory *h = m_live->history();
    const qint64 i = h->lastIndexAtOrBefore(us) + 1;
    return i < h->size() ? h->timeUs(i) : -1;
}

qint64 LiveTimeTravel::eventIndexAt(qint64 us) const
{
    return m_live->history()->lastIndexAtOrBefore(us);
}

} // namespace ncv

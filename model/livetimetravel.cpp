// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/livetimetravel.h"

#include "model/history/eventhistory.h"
#include "model/modellogging.h"
#include "model/notificationmodel.h"
#include "model/preparedstate.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordstate.h"
#include "model/recordingfeed.h"
#include "model/replaysource.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <limits>

namespace ncv {

LiveTimeTravel::LiveTimeTravel(NotificationModel *live, QObject *parent)
    : TimeCursor(parent), m_live(live), m_source(std::make_unique<ReplaySource>()),
      m_past(std::make_unique<NotificationModel>(m_source.get()))
{
    m_past->setUpdateIntervalMs(0);
    // Several namespaces: the past tables are those of the namespace the live tables show;
    // a switch while the past is shown reads that namespace at the same moment.
    setNamespace(live->tablesNamespace());
    connect(live, &NotificationModel::tablesNamespaceChanged, this, [this](quint32 netns) {
        setNamespace(netns);
        if (m_inPast || isSeeking())
            requestStateAt(seekTargetUs());
    });
}

LiveTimeTravel::~LiveTimeTravel()
{
    stopSeeks(); // a worker may wait for the feed's writer
    m_past.reset(); // cancels its registration while the source still exists
}

void LiveTimeTravel::setFeed(RecordingFeed *feed, const QString &why)
{
    if (feed != m_feed) {
        cancelSeek();
        cancelDiff();
        stopSeeks(); // the dropped ones too: they may wait for the old feed's writer
    }
    m_feed = feed;
    m_unavailable = why;
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

qint64 LiveTimeTravel::seekTarget(qint64 atUs) const
{
    // The lower bound (the file's start) is known to the worker once it opened the file.
    return std::min<qint64>(atUs, platform::nowUs());
}

namespace {

// What a worker needs to read the live recording up to a moment, taken on the GUI thread.
struct FileRead {
    const RecordingFeed *feed = nullptr; // outlives the worker: setFeed() and the destructor wait for it
    QString path;
    quint64 newestSeq = 0; // the newest event the log shows at or before the moment; 0: none
    qint64 historyFirstUs = std::numeric_limits<qint64>::max();

    // Worker thread: waits (the writer's own lock) until the file holds newestSeq. False
    // when it did not in time, or cancelled.
    bool waitCommitted(const std::atomic<bool> &cancelled) const
    {
        if (newestSeq == 0 || feed->waitCommittedFromWorker(newestSeq, LiveTimeTravel::kCommitWaitMs, cancelled))
            return true;
        if (!cancelled.load())
            qCWarning(lcModel) << "the live recording has not committed sequence" << newestSeq;
        return false;
    }
};

FileRead fileRead(const EventHistory *history, const RecordingFeed *feed, qint64 untilUs)
{
    FileRead read;
    read.feed = feed;
    read.path = feed->currentPath();
    // The file must hold the newest event the log shows up to the moment (and so every
    // event before it).
    const qint64 newest = history->lastIndexAtOrBefore(untilUs);
    read.newestSeq = newest >= 0 ? history->sequence(newest) : 0;
    if (history->size() > 0)
        read.historyFirstUs = history->timeUs(0);
    return read;
}

// The work of a request that cannot read the file: its result says why.
template<typename Result> std::function<Result(const std::atomic<bool> &)> failing(const QString &why)
{
    return [why](const std::atomic<bool> &) {
        Result result;
        result.error = why;
        return result;
    };
}

} // namespace

TimeCursor::SeekWork LiveTimeTravel::seekWork(qint64 atUs)
{
    if (!isAvailable())
        return failing<SeekResult>(tr("The tables cannot show the past: %1.").arg(unavailableReason()));
    // Worker thread (QThreadPool): the writer's commit wait, its own reader and state,
    // handed back whole.
    return [read = fileRead(m_live->history(), m_feed.data(), atUs), atUs, family = m_live->addressFamily(),
            rankColumns = rankColumns(), netns = namespaceId()](const std::atomic<bool> &cancelled) {
        SeekResult result;
        result.atUs = atUs;
        if (!read.waitCommitted(cancelled)) {
            if (cancelled.load())
                return result;
            result.committed = false; // showSeekResult() counts what the file misses
        }
        recording::RecordingReader reader;
        if (!reader.open(read.path, &result.error))
            return result;
        const recording::RecordingInfo &info = reader.info();
        result.fileLastSeq = info.lastSeq;
        result.atUs = std::max(atUs, firstMomentUs(info, read.historyFirstUs));
        if (reader.namespaceIds().size() > 1) {
            // Several namespaces (--netns all): the tables show one, setNamespace()'s.
            result.namespaces = std::make_unique<recording::NamespaceStates>(info.keyScheme());
            result.netns = fileNamespace(reader, netns);
            result.ok = reader.stateAt(result.atUs, result.namespaces.get(), &result.error, &cancelled);
        } else {
            result.state = std::make_unique<recording::RecordState>(info.keyScheme());
            result.ok = reader.stateAt(result.atUs, result.state.get(), &result.error, &cancelled);
        }
        prepareSeekResult(result, family, rankColumns, cancelled);
        return result;
    };
}

TimeCursor::DiffWork LiveTimeTravel::diffWork(qint64 fromUs, qint64 toUs)
{
    if (!isAvailable())
        return failing<DiffResult>(tr("Cannot compare: %1.").arg(unavailableReason()));
    // Worker thread (QThreadPool): as seekWork()'s, up to the later moment.
    return [read = fileRead(m_live->history(), m_feed.data(), toUs), fromUs, toUs, netns = namespaceId(),
            lagNote = tr("the newest events up to the end of the range are not in the recording file yet")](
               const std::atomic<bool> &cancelled) {
        const bool committed = read.waitCommitted(cancelled);
        if (cancelled.load())
            return DiffResult {}; // dropped unread: a cancelled request has no result
        DiffResult result = readDiff(read.path, fromUs, toUs, cancelled, true, read.historyFirstUs, netns);
        if (!committed)
            result.note = lagNote;
        return result;
    };
}

bool LiveTimeTravel::showSeekResult(SeekResult &result, QString *error)
{
    m_source->setMomentUs(result.atUs);
    if (!m_past->showPrepared(*result.prepared, error))
        return false;
    qint64 missing = 0;
    if (!result.committed) {
        const EventHistory *history = m_live->history();
        for (qint64 i = history->lastIndexAtOrBefore(result.atUs); i >= 0 && history->sequence(i) > result.fileLastSeq;
             --i)
            ++missing;
    }
    m_note = missing > 0 ? tr("the newest %n event(s) up to this moment are not in the recording file yet", nullptr,
                              int(std::min<qint64>(missing, INT_MAX)))
                         : QString();
    m_inPast = true;
    return true;
}

void LiveTimeTravel::backToLive()
{
    cancelSeek();
    if (!m_inPast)
        return;
    m_inPast = false;
    m_note.clear();
    // One copy of the state: the past tables go until the cursor is used again.
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

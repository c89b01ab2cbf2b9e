// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recordingsession.h"

#include "model/history/eventhistory.h"
#include "model/history/requestermatcher.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/preparedstate.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordstate.h"
#include "model/replaysource.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMutex>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <limits>
#include <vector>

namespace ncv {

namespace {
constexpr int kPageEvents = 4096;
constexpr int kProgressSteps = 1000;
// How often the timeline's pass hands its counts over: a few redraws a second.
constexpr int kTimelineHandOverMs = 200;
} // namespace

/// The timeline's pass: the worker merges its counts into pending under the mutex; the GUI
/// thread takes them out on each progress report and at the end.
struct RecordingSession::TimelinePass {
    struct Shared {
        QMutex mutex;
        TimelineBins::Counts pending; // guarded by mutex
        qint64 done = 0; // guarded by mutex
        QString error; // guarded by mutex
    };
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    QFutureWatcher<void> watcher;
    bool running = true;
    // A pass for the timeline's filter (TimelineBins::mergeFiltered): the events it keeps
    // only, for this generation of the filter; else every event.
    bool filtered = false;
    QString filter; // requester
    quint32 netnsFilter = 0;
    quint64 generation = 0;
};

RecordingSession::RecordingSession(QObject *parent)
    : TimeCursor(parent), m_source(std::make_unique<ReplaySource>()),
      m_model(std::make_unique<NotificationModel>(m_source.get()))
{
    m_model->setUpdateIntervalMs(0);
}

RecordingSession::~RecordingSession()
{
    // The workers read the file with their own connections: stop them and let them end.
    for (const auto *pass : {&m_timeline, &m_filteredTimeline}) {
        if (*pass) {
            (*pass)->watcher.disconnect(this);
            (*pass)->watcher.cancel();
            (*pass)->watcher.waitForFinished();
        }
    }
    stopSeeks();
    m_model.reset(); // cancels its registration while the source still exists
    m_fileLog.reset();
}

QString RecordingSession::hostName() const
{
    return info().meta.value(QStringLiteral("host_name"));
}

QList<quint32> RecordingSession::namespaces() const
{
    return m_reader.hasSeveralNamespaces() ? m_reader.namedNamespaceIds() : QList<quint32>();
}

qint64 RecordingSession::loadedEvents() const
{
    return m_model->history()->size();
}

bool RecordingSession::open(const QString &path, QString *error, const Progress &progress, qint64 maxEvents)
{
    m_path = path;
    if (!m_reader.open(path, error))
        return false;
    m_model->setKnownFields(info().knownFields());
    m_model->history()->setNanosecondTimes(info().nanosecondTimes());
    if (maxEvents > 0)
        m_model->history()->setCapacity(maxEvents);
    const bool fromFile = info().eventCount > m_model->history()->capacity();
    if (!(fromFile ? openFileLog(error) : loadEvents(progress, error))) {
        m_reader.close();
        return false;
    }
    // A recording of several namespaces shows one's tables at a time: the first recorded.
    if (const QList<quint32> ids = namespaces(); !ids.isEmpty())
        m_netns = ids.constFirst();
    if (!showEnd(error))
        return false;
    if (fromFile) {
        m_timeline = startTimelinePass(false);
        // The timeline's filter: the history is empty, the file is counted again.
        connect(m_model->timeline(), &TimelineBins::filterChanged, this, [this] {
            if (m_filteredTimeline) {
                m_filteredTimeline->watcher.disconnect(this);
                m_filteredTimeline->watcher.cancel();
                m_filteredTimeline->watcher.waitForFinished(); // stops within one page of events
                m_filteredTimeline.reset();
            }
            if (m_model->timeline()->hasFilter())
                m_filteredTimeline = startTimelinePass(true);
        });
    }
    return true;
}

bool RecordingSession::loadEvents(const Progress &progress, QString *error)
{
    const recording::RecordingInfo &in = info();
    EventHistory *history = m_model->history();
    const qint64 limit = history->capacity();
    const qint64 total = in.eventCount;
    const qint64 wanted = std::min(total, limit);
    if (total == 0)
        return true;
    history->setNextSequence(in.firstSeq);
    m_model->setLoadedNamespaces(m_reader.namedNamespaceIds());
    std::uint64_t next = in.firstSeq;
    std::vector<recording::RecordedEvent> page;
    std::vector<platform::ChangeRecord> records;
    qint64 loaded = 0;
    while (loaded < wanted) {
        page.clear();
        const int count = int(std::min<qint64>(kPageEvents, wanted - loaded));
        if (!m_reader.events(next, count, &page, error))
            return false;
        if (page.empty())
            break; // the rest could not be read (problems() says what)
        std::vector<EventHistory::Entry> entries;
        entries.reserve(page.size());
        records.clear();
        for (recording::RecordedEvent &e : page) {
            records.push_back(e.record);
            entries.push_back({std::move(e.record), e.ifName});
        }
        next = page.back().seq + 1;
        loaded += qint64(entries.size());
        history->append(std::move(entries));
        m_model->timeline()->addBatch(records);
        if (progress && !progress(loaded, wanted)) {
            if (error)
                *error = tr("Opening %1 was cancelled.").arg(QDir::toNativeSeparators(m_path));
            return false;
        }
    }
    m_unloaded = std::max<qint64>(0, total - loaded);
    return true;
}

bool RecordingSession::openFileLog(QString *error)
{
    // Nothing long here: the timeline's pass runs after open().
    auto log = std::make_unique<FileEventLogModel>();
    if (!log->open(m_path, error))
        return false;
    m_fileLog = std::move(log);
    m_model->setFileEventLog(m_fileLog.get());
    return true;
}

std::unique_ptr<RecordingSession::TimelinePass> RecordingSession::startTimelinePass(bool filtered)
{
    auto pass = std::make_unique<TimelinePass>();
    TimelinePass *p = pass.get();
    pass->filtered = filtered;
    pass->filter = m_model->timeline()->requesterFilter();
    pass->netnsFilter = m_model->timeline()->namespaceFilter();
    pass->generation = m_model->timeline()->filterGeneration();
    const std::shared_ptr<TimelinePass::Shared> shared = pass->shared;
    const QString path = m_path;
    const std::uint64_t firstSeq = info().firstSeq;
    const std::uint64_t lastSeq = info().lastSeq;
    const qint64 total = info().eventCount;
    connect(&pass->watcher, &QFutureWatcher<void>::progressValueChanged, this, [this, p] { drainTimeline(p); });
    connect(&pass->watcher, &QFutureWatcher<void>::finished, this, [this, p] { onTimelineFinished(p); });
    const QString filter = filtered ? pass->filter : QString();
    const quint32 netnsFilter = filtered ? pass->netnsFilter : 0;
    // Worker thread (QThreadPool): its own reader (one SQLite connection per thread) and
    // matcher; it touches only those, its local counts and the shared block.
    pass->watcher.setFuture(QtConcurrent::run(
        [path, firstSeq, lastSeq, total, shared, filtered, filter, netnsFilter](QPromise<void> &promise) {
            promise.setProgressRange(0, kProgressSteps);
            recording::RecordingReader reader;
            QString error;
            if (!reader.open(path, &error)) {
                const QMutexLocker lock(&shared->mutex);
                shared->error = error;
                return;
            }
            TimelineBins::Counts local;
            qint64 done = 0;
            QElapsedTimer clock;
            clock.start();
            const auto handOver = [&] {
                {
                    const QMutexLocker lock(&shared->mutex);
                    shared->pending.merge(local);
                    shared->done = done;
                }
                local = TimelineBins::Counts();
                promise.setProgressValue(total > 0 ? int(std::min<qint64>(done, total) * kProgressSteps / total)
                                                   : kProgressSteps);
            };
            RequesterMatcher matcher(filter);
            const auto visit = [&](const recording::EventKey &key) {
                if (!filtered || TimelineBins::keeps(matcher, netnsFilter, key.object, key.requester, key.netns))
                    local.add(key.object, key.change, key.timeUs);
                if (++done % kPageEvents != 0)
                    return true;
                if (promise.isCanceled())
                    return false;
                if (clock.elapsed() >= kTimelineHandOverMs) {
                    handOver();
                    clock.restart();
                }
                return true;
            };
            const bool ok = reader.forEachEventKey(firstSeq, lastSeq, visit, &error);
            handOver();
            if (!ok || !reader.problems().isEmpty()) {
                const QMutexLocker lock(&shared->mutex);
                shared->error = ok ? reader.problems().constFirst() : error;
            }
        }));
    return pass;
}

void RecordingSession::drainTimeline(TimelinePass *pass)
{
    // A progress report queued before the end may come after it: the end drained it all.
    if (!pass->running)
        return;
    TimelineBins::Counts counts;
    qint64 done = 0;
    {
        const QMutexLocker lock(&pass->shared->mutex);
        std::swap(counts, pass->shared->pending);
        done = pass->shared->done;
    }
    if (pass->filtered)
        m_model->timeline()->mergeFiltered(counts, pass->generation);
    else
        m_model->timeline()->merge(counts);
    // One progress at a time: the pass of every event first, then the filter's.
    if (pass->filtered && m_timeline && m_timeline->running)
        return;
    m_timelineDone = done;
    Q_EMIT timelineProgress(m_timelineDone, info().eventCount);
}

void RecordingSession::onTimelineFinished(TimelinePass *pass)
{
    if (!pass->running)
        return;
    drainTimeline(pass);
    pass->running = false;
    QString error;
    {
        const QMutexLocker lock(&pass->shared->mutex);
        error = pass->shared->error;
    }
    if (error.isEmpty() && pass->watcher.isCanceled())
        error = tr("Counting the events for the timeline was cancelled.");
    const TimelinePass *other = pass->filtered ? m_timeline.get() : m_filteredTimeline.get();
    if (other && other->running) {
        if (!pass->filtered && other->running) // the filter's pass reports from now on
            Q_EMIT timelineProgress(0, info().eventCount);
        return;
    }
    Q_EMIT timelineCounted(error);
}

bool RecordingSession::isCountingTimeline() const
{
    return (m_timeline && m_timeline->running) || (m_filteredTimeline && m_filteredTimeline->running);
}

void RecordingSession::waitForTimeline()
{
    for (const auto *pass : {&m_timeline, &m_filteredTimeline}) {
        if (*pass && (*pass)->running) {
            (*pass)->watcher.waitForFinished();
            onTimelineFinished(pass->get());
        }
    }
}

qint64 RecordingSession::logEvents() const
{
    return m_fileLog ? m_fileLog->totalEvents() : m_model->history()->size();
}

qint64 RecordingSession::logTimeUs(qint64 i) const
{
    return m_fileLog ? m_reader.eventTimeUs(info().firstSeq + std::uint64_t(i)) : m_model->history()->timeUs(i);
}

qint64 RecordingSession::firstAfter(qint64 us, bool orEqual) const
{
    // Events are in sequence order, which is time order as they were received.
    qint64 lo = 0, hi = logEvents();
    while (lo < hi) {
        const qint64 mid = lo + (hi - lo) / 2;
        const qint64 t = logTimeUs(mid);
        if (t < us || (orEqual && t == us))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

qint64 RecordingSession::seekTarget(qint64 atUs) const
{
    const recording::RecordingInfo &in = info();
    const qint64 first = firstMomentUs(in, logEvents() > 0 ? logTimeUs(0) : std::numeric_limits<qint64>::max());
    return std::clamp<qint64>(atUs, first, in.endUs);
}

TimeCursor::SeekWork RecordingSession::seekWork(qint64 atUs)
{
    // Worker thread (QThreadPool): its own reader and state, handed back whole.
    return [path = m_path, atUs, rankColumns = rankColumns(), netns = m_netns](const std::atomic<bool> &cancelled) {
        SeekResult result;
        result.atUs = atUs;
        recording::RecordingReader reader;
        if (reader.open(path, &result.error)) {
            const platform::StateStore::KeyScheme scheme = reader.info().keyScheme();
            if (reader.hasSeveralNamespaces()) {
                result.namespaces = std::make_unique<recording::NamespaceStates>(scheme);
                result.netns = netns;
                result.ok = reader.stateAt(atUs, result.namespaces.get(), &result.error, &cancelled);
            } else {
                result.state = std::make_unique<recording::RecordState>(scheme);
                result.ok = reader.stateAt(atUs, result.state.get(), &result.error, &cancelled);
            }
        }
        prepareSeekResult(result, platform::afUnspec(), rankColumns, cancelled);
        return result;
    };
}

bool RecordingSession::showSeekResult(SeekResult &result, QString *error)
{
    m_source->setMomentUs(result.atUs);
    return m_model->showPrepared(*result.prepared, error);
}

TimeCursor::DiffWork RecordingSession::diffWork(qint64 fromUs, qint64 toUs)
{
    // Worker thread (QThreadPool): readDiff() with its own reader.
    return [path = m_path, fromUs, toUs, netns = m_netns](const std::atomic<bool> &cancelled) {
        return readDiff(path, fromUs, toUs, cancelled, false, std::numeric_limits<qint64>::max(), netns);
    };
}

qint64 RecordingSession::previousChangeUs(qint64 us) const
{
    const qint64 i = firstAfter(us, false);
    return i > 0 ? logTimeUs(i - 1) : -1;
}

qint64 RecordingSession::eventIndexAt(qint64 us) const
{
    return firstAfter(us, true) - 1;
}

qint64 RecordingSession::nextChangeUs(qint64 us) const
{
    const qint64 i = firstAfter(us, true);
    return i < logEvents() ? logTimeUs(i) : -1;
}

} // namespace ncv

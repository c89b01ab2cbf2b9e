// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recordingsession.h"

#include "model/history/eventhistory.h"
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
    if (m_timeline) {
        m_timeline->watcher.disconnect(this);
        m_timeline->watcher.cancel();
        m_timeline->watcher.waitForFinished();
    }
    stopSeeks();
    m_model.reset(); // cancels its registration while the source still exists
    m_fileLog.reset();
}

QString RecordingSession::hostName() const
{
    return info().meta.value(QStringLiteral("host_name"));
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
    if (!showEnd(error))
        return false;
    if (fromFile)
        startTimelinePass();
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

void RecordingSession::startTimelinePass()
{
    m_timeline = std::make_unique<TimelinePass>();
    const std::shared_ptr<TimelinePass::Shared> shared = m_timeline->shared;
    const QString path = m_path;
    const std::uint64_t firstSeq = info().firstSeq;
    const std::uint64_t lastSeq = info().lastSeq;
    const qint64 total = info().eventCount;
    connect(&m_timeline->watcher, &QFutureWatcher<void>::progressValueChanged, this, &RecordingSession::drainTimeline);
    connect(&m_timeline->watcher, &QFutureWatcher<void>::finished, this, &RecordingSession::onTimelineFinished);
    // Worker thread (QThreadPool): its own reader (one SQLite connection per thread); it
    // touches only that, its local counts and the shared block.
    m_timeline->watcher.setFuture(QtConcurrent::run([path, firstSeq, lastSeq, total, shared](QPromise<void> &promise) {
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
        const bool ok = reader.forEachEventKey(
            firstSeq, lastSeq,
            [&](const recording::EventKey &key) {
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
            },
            &error);
        handOver();
        if (!ok || !reader.problems().isEmpty()) {
            const QMutexLocker lock(&shared->mutex);
            shared->error = ok ? reader.problems().constFirst() : error;
        }
    }));
}

void RecordingSession::drainTimeline()
{
    // A progress report queued before the end may come after it: the end drained it all.
    if (!m_timeline || !m_timeline->running)
        return;
    TimelineBins::Counts counts;
    {
        const QMutexLocker lock(&m_timeline->shared->mutex);
        std::swap(counts, m_timeline->shared->pending);
        m_timelineDone = m_timeline->shared->done;
    }
    m_model->timeline()->merge(counts);
    Q_EMIT timelineProgress(m_timelineDone, info().eventCount);
}

void RecordingSession::onTimelineFinished()
{
    if (!m_timeline || !m_timeline->running)
        return;
    drainTimeline();
    m_timeline->running = false;
    QString error;
    {
        const QMutexLocker lock(&m_timeline->shared->mutex);
        error = m_timeline->shared->error;
    }
    if (error.isEmpty() && m_timeline->watcher.isCanceled())
        error = tr("Counting the events for the timeline was cancelled.");
    Q_EMIT timelineCounted(error);
}

bool RecordingSession::isCountingTimeline() const
{
    return m_timeline && m_timeline->running;
}

void RecordingSession::waitForTimeline()
{
    if (!isCountingTimeline())
        return;
    m_timeline->watcher.waitForFinished();
    onTimelineFinished();
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
    return [path = m_path, atUs, rankColumns = rankColumns()](const std::atomic<bool> &cancelled) {
        SeekResult result;
        result.atUs = atUs;
        recording::RecordingReader reader;
        result.state = std::make_unique<recording::RecordState>();
        if (reader.open(path, &result.error))
            result.ok = reader.stateAt(atUs, result.state.get(), &result.error, &cancelled);
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
    return [path = m_path, fromUs, toUs](const std::atomic<bool> &cancelled) {
        return readDiff(path, fromUs, toUs, cancelled);
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

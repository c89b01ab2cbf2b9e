// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recordingsession.h"

#include "model/history/eventhistory.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordstate.h"
#include "model/replaysource.h"

#include <QDir>

#include <algorithm>
#include <vector>

namespace ncv {

namespace {
constexpr int kPageEvents = 4096;
}

RecordingSession::RecordingSession(QObject *parent)
    : QObject(parent), m_source(std::make_unique<ReplaySource>()),
      m_model(std::make_unique<NotificationModel>(m_source.get()))
{
    m_model->setUpdateIntervalMs(0);
}

RecordingSession::~RecordingSession()
{
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
    if (maxEvents > 0)
        m_model->history()->setCapacity(maxEvents);
    const bool fromFile = info().eventCount > m_model->history()->capacity();
    if (!(fromFile ? openFileLog(progress, error) : loadEvents(progress, error))) {
        m_reader.close();
        return false;
    }
    return showEnd(error);
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

bool RecordingSession::openFileLog(const Progress &progress, QString *error)
{
    auto log = std::make_unique<FileEventLogModel>();
    if (!log->open(m_path, error))
        return false;
    // The timeline counts every event: one pass over the key columns, in batches.
    const qint64 total = info().eventCount;
    std::vector<platform::ChangeRecord> batch;
    batch.reserve(kPageEvents);
    qint64 done = 0;
    bool cancelled = false;
    TimelineBins *timeline = m_model->timeline();
    const bool ok = m_reader.forEachEventKey(
        info().firstSeq, info().lastSeq,
        [&](const recording::EventKey &key) {
            platform::ChangeRecord &r = batch.emplace_back();
            r.object = key.object;
            r.change = key.change;
            r.timeUs = key.timeUs;
            if (batch.size() < std::size_t(kPageEvents))
                return true;
            timeline->addBatch(batch);
            done += qint64(batch.size());
            batch.clear();
            cancelled = progress && !progress(done, total);
            return !cancelled;
        },
        error);
    if (!ok)
        return false;
    if (cancelled) {
        if (error)
            *error = tr("Opening %1 was cancelled.").arg(QDir::toNativeSeparators(m_path));
        return false;
    }
    timeline->addBatch(batch);
    m_fileLog = std::move(log);
    m_model->setFileEventLog(m_fileLog.get());
    return true;
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

bool RecordingSession::showStateAt(qint64 atUs, QString *error)
{
    const recording::RecordingInfo &in = info();
    // Events may be older than the recorder's start (a clock that was set back, a file
    // converted from elsewhere): the earliest of both bounds the cursor.
    qint64 first = std::min(in.startUs, in.endUs);
    if (logEvents() > 0)
        first = std::min(first, logTimeUs(0));
    atUs = std::clamp<qint64>(atUs, first, in.endUs);
    recording::RecordState state;
    if (!m_reader.stateAt(atUs, &state, error))
        return false;
    m_source->setMomentUs(atUs);
    QString startError;
    if (!m_model->showState(state, platform::afUnspec(), &startError)) {
        if (error)
            *error = startError;
        return false;
    }
    m_cursorUs = atUs;
    Q_EMIT stateShown(atUs);
    return true;
}

bool RecordingSession::diff(qint64 fromUs, qint64 toUs, std::vector<StateChange> *out, QString *error)
{
    if (toUs < fromUs)
        std::swap(fromUs, toUs);
    const auto scheme = info().meta.value(QStringLiteral("key_scheme")) == QLatin1StringView("windows")
        ? platform::StateStore::KeyScheme::Windows
        : platform::StateStore::KeyScheme::Linux;
    recording::RecordState from(scheme);
    recording::RecordState to(scheme);
    if (!m_reader.stateAt(fromUs, &from, error) || !m_reader.stateAt(toUs, &to, error))
        return false;
    *out = diffStates(from, to, scheme);
    return true;
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

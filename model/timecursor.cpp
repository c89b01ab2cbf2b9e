// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/timecursor.h"

#include "model/notificationmodel.h"
#include "model/preparedstate.h"
#include "model/recording/recordingreader.h"
#include "platform/netnstable.h"

#include <algorithm>
#include <utility>

namespace ncv {

TimeCursor::TimeCursor(QObject *parent)
    : QObject(parent), m_seeks(this, [this](SeekResult &result) { finishSeek(result, nullptr); }),
      m_diffs(this, [this](DiffResult &result) { finishDiff(result, nullptr, nullptr); })
{ }

TimeCursor::~TimeCursor() = default;

void TimeCursor::requestStateAt(qint64 atUs)
{
    // The running seek is told it was replaced only once this one runs: isSeeking() stays
    // true throughout (the window's indicator does not blink between the two).
    const qint64 at = seekTarget(atUs);
    const qint64 replacedUs = m_seekUs;
    const bool replaced = m_seeks.start(seekWork(at));
    m_seekUs = at;
    if (replaced)
        Q_EMIT seekFinished(replacedUs, false, QString());
    Q_EMIT seekStarted(at);
}

void TimeCursor::cancelSeek()
{
    if (m_seeks.cancel())
        Q_EMIT seekFinished(m_seekUs, false, QString());
}

bool TimeCursor::waitForSeek(QString *error)
{
    std::optional<SeekResult> result = m_seeks.wait();
    if (!result) {
        if (error)
            *error = recording::RecordingReader::cancelledError();
        return false;
    }
    QString why;
    const bool shown = finishSeek(*result, &why);
    if (!shown && error)
        *error = why.isEmpty() ? recording::RecordingReader::cancelledError() : why;
    return shown;
}

bool TimeCursor::showStateAt(qint64 atUs, QString *error)
{
    requestStateAt(atUs);
    return waitForSeek(error);
}

bool TimeCursor::finishSeek(SeekResult &result, QString *error)
{
    QString why;
    bool shown = false;
    if (!result.ok)
        why = result.error;
    else if (!result.prepared) // the worker saw the cancel between the read and the packing
        why = recording::RecordingReader::cancelledError();
    else
        shown = showSeekResult(result, &why);
    result.state.reset(); // a million routes: gone now, not when the request is deleted
    result.prepared.reset();
    if (shown) {
        m_cursorUs = result.atUs;
        Q_EMIT stateShown(result.atUs);
    }
    if (error)
        *error = why;
    Q_EMIT seekFinished(m_seekUs, shown, why);
    return shown;
}

bool TimeCursor::diff(qint64 fromUs, qint64 toUs, std::vector<StateChange> *out, QString *error)
{
    requestDiff(fromUs, toUs);
    return waitForDiff(out, error);
}

void TimeCursor::requestDiff(qint64 fromUs, qint64 toUs)
{
    if (toUs < fromUs)
        std::swap(fromUs, toUs);
    const qint64 replacedFrom = m_diffFromUs;
    const qint64 replacedTo = m_diffToUs;
    const bool replaced = m_diffs.start(diffWork(fromUs, toUs));
    m_diffFromUs = fromUs;
    m_diffToUs = toUs;
    if (replaced)
        Q_EMIT diffFinished(replacedFrom, replacedTo, false, QString());
}

void TimeCursor::cancelDiff()
{
    if (m_diffs.cancel())
        Q_EMIT diffFinished(m_diffFromUs, m_diffToUs, false, QString());
}

bool TimeCursor::waitForDiff(std::vector<StateChange> *out, QString *error)
{
    std::optional<DiffResult> result = m_diffs.wait();
    if (!result) {
        if (error)
            *error = recording::RecordingReader::cancelledError();
        return false;
    }
    return finishDiff(*result, error, out);
}

bool TimeCursor::finishDiff(DiffResult &result, QString *error, std::vector<StateChange> *out)
{
    if (result.ok)
        (out ? *out : m_diffChanges) = std::move(result.changes);
    m_diffNote = result.note;
    if (error)
        *error = result.error;
    Q_EMIT diffFinished(m_diffFromUs, m_diffToUs, result.ok, result.error);
    return result.ok;
}

void TimeCursor::prepareSeekResult(SeekResult &result, int addressFamily, const std::array<int, 3> &rankColumns,
                                   const std::atomic<bool> &cancelled)
{
    // Worker thread: the state read and what is built from it are this request's own.
    if (!result.ok || (!result.state && !result.namespaces) || cancelled.load())
        return;
    const recording::RecordState &state
        = result.state ? *result.state : result.namespaces->state(result.netns); // empty when it had no rows
    result.prepared = NotificationModel::prepareState(state, addressFamily, rankColumns);
    result.state.reset();
    result.namespaces.reset();
}

qint64 TimeCursor::firstMomentUs(const recording::RecordingInfo &info, qint64 firstEventUs)
{
    return std::min<qint64>({info.startUs, info.endUs, firstEventUs});
}

quint32 TimeCursor::fileNamespace(const recording::RecordingReader &reader, quint32 netns)
{
    const QList<quint32> ids = reader.namespaceIds();
    if (netns == 0 || ids.contains(netns))
        return netns;
    // The file keeps a namespace's name and inode, not its device: the reader interns it
    // under an id of its own.
    const platform::NetNamespace &wanted = platform::NamespaceTable::get(netns);
    for (const quint32 id : ids) {
        const platform::NetNamespace &ns = platform::NamespaceTable::get(id);
        if (ns.name == wanted.name && ns.inode == wanted.inode)
            return id;
    }
    return netns;
}

TimeCursor::DiffResult TimeCursor::readDiff(const QString &path, qint64 fromUs, qint64 toUs,
                                            const std::atomic<bool> &cancelled, bool clampToStart, qint64 firstEventUs,
                                            quint32 netns)
{
    // Worker thread (QThreadPool): its own reader, both states and the changes.
    DiffResult result;
    recording::RecordingReader reader;
    if (!reader.open(path, &result.error))
        return result;
    const recording::RecordingInfo &info = reader.info();
    const platform::StateStore::KeyScheme scheme = info.keyScheme();
    const qint64 notBeforeUs = clampToStart ? firstMomentUs(info, firstEventUs) : std::numeric_limits<qint64>::min();
    const auto finish = [&](const recording::RecordState &from, const recording::RecordState &to) {
        if (result.ok && cancelled.load()) {
            result.ok = false;
            result.error = recording::RecordingReader::cancelledError();
        }
        if (result.ok)
            result.changes = diffStates(from, to, scheme);
    };
    if (reader.hasSeveralNamespaces()) {
        recording::NamespaceStates from(scheme);
        recording::NamespaceStates to(scheme);
        result.ok = reader.stateAt(std::max(fromUs, notBeforeUs), &from, &result.error, &cancelled)
            && reader.stateAt(std::max(toUs, notBeforeUs), &to, &result.error, &cancelled);
        const quint32 inFile = fileNamespace(reader, netns);
        finish(from.state(inFile), to.state(inFile));
        return result;
    }
    recording::RecordState from(scheme);
    recording::RecordState to(scheme);
    result.ok = reader.stateAt(std::max(fromUs, notBeforeUs), &from, &result.error, &cancelled)
        && reader.stateAt(std::max(toUs, notBeforeUs), &to, &result.error, &cancelled);
    finish(from, to);
    return result;
}

} // namespace ncv

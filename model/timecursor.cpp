// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/timecursor.h"

#include "model/recording/recordingreader.h"

namespace ncv {

TimeCursor::TimeCursor(QObject *parent)
    : QObject(parent), m_seeks(this, [this](SeekResult &result) { finishSeek(result, nullptr); })
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
    else
        shown = showSeekResult(result, &why);
    result.state.reset(); // a million routes: gone now, not when the request is deleted
    if (shown) {
        m_cursorUs = result.atUs;
        Q_EMIT stateShown(result.atUs);
    }
    if (error)
        *error = why;
    Q_EMIT seekFinished(m_seekUs, shown, why);
    return shown;
}

} // namespace ncv

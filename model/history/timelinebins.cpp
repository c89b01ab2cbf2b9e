// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/timelinebins.h"

#include <algorithm>

namespace ncv {

using namespace platform;

namespace {
// Floor division for possibly negative times.
qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}
} // namespace

TimelineBins::TimelineBins(QObject *parent) : QObject(parent) { }

void TimelineBins::Counts::add(ObjectKind object, ChangeKind change, qint64 timeUs, quint32 n)
{
    // Snapshot rows (Initial: hundreds on a real machine, again after every resume) are
    // not changes and would flatten every later change into the axis.
    if (change == ChangeKind::SnapshotComplete || change == ChangeKind::Initial || n == 0)
        return;
    const int kind = int(object);
    if (kind < 0 || kind >= kKinds)
        return;
    const qint64 start = floorDiv(timeUs, kBaseUs) * kBaseUs;
    if (total == 0) {
        originUs = start;
        firstUs = lastUs = timeUs;
    } else if (start < originUs) {
        // Earlier than anything so far (clock step): grow at the front.
        const std::size_t grow = std::size_t((originUs - start) / kBaseUs);
        for (auto &counts : buckets) {
            if (!counts.empty())
                counts.insert(counts.begin(), grow, 0u);
        }
        originUs = start;
    }
    firstUs = std::min<qint64>(firstUs, timeUs);
    lastUs = std::max<qint64>(lastUs, timeUs);
    const std::size_t bucket = std::size_t((start - originUs) / kBaseUs);
    // Kinds not yet seen start at the origin too (front growth above keeps them aligned).
    auto &counts = buckets[std::size_t(kind)];
    if (counts.size() <= bucket)
        counts.resize(bucket + 1, 0u);
    counts[bucket] += n;
    total += n;
}

void TimelineBins::add(const ChangeRecord &r)
{
    m_c.add(r.object, r.change, r.timeUs);
    if (keeps(r.object, r.requester, r.netns))
        m_filtered.add(r.object, r.change, r.timeUs);
}

void TimelineBins::Counts::merge(const Counts &other)
{
    if (other.total == 0)
        return;
    const bool wasEmpty = total == 0;
    const qint64 first = firstUs, last = lastUs;
    // Every bucket at its start time (which moves firstUs / lastUs to bucket starts); then
    // the exact first and last times.
    for (int k = 0; k < kKinds; ++k) {
        const auto &from = other.buckets[std::size_t(k)];
        for (std::size_t b = 0; b < from.size(); ++b)
            add(ObjectKind(k), ChangeKind::Add, other.originUs + qint64(b) * kBaseUs, from[b]);
    }
    firstUs = wasEmpty ? other.firstUs : std::min(first, other.firstUs);
    lastUs = wasEmpty ? other.lastUs : std::max(last, other.lastUs);
}

void TimelineBins::merge(const Counts &counts)
{
    if (counts.total == 0)
        return;
    m_c.merge(counts);
    Q_EMIT changed();
}

bool TimelineBins::keeps(RequesterMatcher &matcher, quint32 netnsFilter, ObjectKind object, std::uint32_t requester,
                         std::uint32_t netns)
{
    if (matcher.isEmpty() && netnsFilter == 0)
        return false;
    if (netnsFilter != 0 && netns != netnsFilter)
        return false;
    // Gaps name nobody, and the chart's bands must show them whoever is looked at: events
    // of that requester may have been lost there too.
    return matcher.isEmpty() || object == ObjectKind::Gap || matcher.matches(requester);
}

void TimelineBins::mergeFiltered(const Counts &counts, quint64 generation)
{
    if (counts.total == 0 || generation != m_generation || !hasFilter())
        return;
    m_filtered.merge(counts);
    Q_EMIT changed();
}

void TimelineBins::addBatch(std::span<const ChangeRecord> records)
{
    const qint64 before = m_c.total;
    for (const ChangeRecord &r : records)
        add(r);
    if (m_c.total != before)
        Q_EMIT changed();
}

void TimelineBins::clear()
{
    m_c = Counts(); // a new value: the buckets' memory goes with the old one
    m_filtered = Counts();
    Q_EMIT changed();
}

void TimelineBins::setRequesterFilter(const QString &text)
{
    RequesterMatcher matcher(text);
    if (matcher.text() == m_matcher.text())
        return;
    m_matcher = std::move(matcher);
    restartFiltered();
}

void TimelineBins::setNamespaceFilter(quint32 netns)
{
    if (netns == m_netns)
        return;
    m_netns = netns;
    restartFiltered();
}

void TimelineBins::restartFiltered()
{
    m_filtered = Counts();
    ++m_generation;
    Q_EMIT filterChanged();
    Q_EMIT changed();
}

QList<QPointF> TimelineBins::series(ObjectKind kind, qint64 fromUs, qint64 toUs, int maxPoints) const
{
    QList<QPointF> points;
    if (maxPoints < 1 || toUs < fromUs)
        return points;
    const qint64 span = toUs - fromUs + 1;
    // Width: the smallest multiple of kBaseUs giving at most maxPoints buckets (the range
    // start is aligned down to the width, which can add one bucket: account for it).
    qint64 width = std::max<qint64>(1, (span + maxPoints - 1) / maxPoints);
    width = ((width + kBaseUs - 1) / kBaseUs) * kBaseUs;
    qint64 start = floorDiv(fromUs, width) * width;
    if ((toUs - start) / width + 1 > maxPoints && maxPoints > 1) {
        // Aligning the start added a bucket: spread over maxPoints - 1 widths instead.
        width = std::max<qint64>(1, (span + maxPoints - 2) / (maxPoints - 1));
        width = ((width + kBaseUs - 1) / kBaseUs) * kBaseUs;
        start = floorDiv(fromUs, width) * width;
    }
    while ((toUs - start) / width + 1 > maxPoints) { // maxPoints == 1: a few doublings
        width *= 2;
        start = floorDiv(fromUs, width) * width;
    }
    const qint64 count = (toUs - start) / width + 1;
    points.reserve(count);

    const int kindIndex = int(kind);
    const Counts &c = shown();
    const auto countIn = [&c, kindIndex](qint64 fromBucket, qint64 toBucket) -> qint64 {
        // Sum of base buckets [fromBucket, toBucket) relative to c.originUs.
        qint64 sum = 0;
        for (int k = 0; k < kKinds; ++k) {
            if (kindIndex != 0 && k != kindIndex)
                continue;
            const auto &counts = c.buckets[std::size_t(k)];
            const qint64 lo = std::max<qint64>(0, fromBucket);
            const qint64 hi = std::min<qint64>(qint64(counts.size()), toBucket);
            for (qint64 b = lo; b < hi; ++b)
                sum += counts[std::size_t(b)];
        }
        return sum;
    };
    for (qint64 i = 0; i < count; ++i) {
        const qint64 bucketStart = start + i * width;
        qint64 y = 0;
        if (c.total > 0) {
            const qint64 fromBucket = floorDiv(bucketStart - c.originUs, kBaseUs);
            y = countIn(fromBucket, fromBucket + width / kBaseUs);
        }
        points.append(QPointF(double(floorDiv(bucketStart, 1000)), double(y)));
    }
    return points;
}

} // namespace ncv

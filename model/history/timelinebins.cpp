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

void TimelineBins::add(const ChangeRecord &r)
{
    // Snapshot rows (Initial: hundreds on a real machine, again after every resume) are
    // not changes and would flatten every later change into the axis.
    if (r.change == ChangeKind::SnapshotComplete || r.change == ChangeKind::Initial)
        return;
    const int kind = int(r.object);
    if (kind < 0 || kind >= kKinds)
        return;
    const qint64 start = floorDiv(r.timeUs, kBaseUs) * kBaseUs;
    if (m_total == 0) {
        m_originUs = start;
        m_firstUs = m_lastUs = r.timeUs;
    } else if (start < m_originUs) {
        // Earlier than anything so far (clock step): grow at the front.
        const std::size_t grow = std::size_t((m_originUs - start) / kBaseUs);
        for (auto &counts : m_counts) {
            if (!counts.empty())
                counts.insert(counts.begin(), grow, 0u);
        }
        m_originUs = start;
    }
    m_firstUs = std::min<qint64>(m_firstUs, r.timeUs);
    m_lastUs = std::max<qint64>(m_lastUs, r.timeUs);
    const std::size_t bucket = std::size_t((start - m_originUs) / kBaseUs);
    // Kinds not yet seen start at the origin too (front growth above keeps them aligned).
    auto &counts = m_counts[std::size_t(kind)];
    if (counts.size() <= bucket)
        counts.resize(bucket + 1, 0u);
    ++counts[bucket];
    ++m_total;
}

void TimelineBins::addBatch(std::span<const ChangeRecord> records)
{
    const qint64 before = m_total;
    for (const ChangeRecord &r : records)
        add(r);
    if (m_total != before)
        Q_EMIT changed();
}

void TimelineBins::clear()
{
    for (auto &counts : m_counts) {
        counts.clear();
        counts.shrink_to_fit();
    }
    m_originUs = m_firstUs = m_lastUs = 0;
    m_total = 0;
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
    const auto countIn = [this, kindIndex](qint64 fromBucket, qint64 toBucket) -> qint64 {
        // Sum of base buckets [fromBucket, toBucket) relative to m_originUs.
        qint64 sum = 0;
        for (int k = 0; k < kKinds; ++k) {
            if (kindIndex != 0 && k != kindIndex)
                continue;
            const auto &counts = m_counts[std::size_t(k)];
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
        if (m_total > 0) {
            const qint64 fromBucket = floorDiv(bucketStart - m_originUs, kBaseUs);
            y = countIn(fromBucket, fromBucket + width / kBaseUs);
        }
        points.append(QPointF(double(floorDiv(bucketStart, 1000)), double(y)));
    }
    return points;
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// TimelineBins: event counts per time bucket and object kind, for the timeline chart.
// Counts are kept in fixed base buckets (kBaseUs wide, one quint32 per kind and bucket),
// so memory grows with the covered time, not with the number of events, and a series
// over any range costs O(buckets in range). GUI thread only.
#pragma once

#include "platform/types.h"

#include <QList>
#include <QObject>
#include <QPointF>

#include <array>
#include <span>
#include <vector>

namespace ncv {

class TimelineBins : public QObject {
    Q_OBJECT
public:
    /// Width of a base bucket: 100 ms.
    static constexpr qint64 kBaseUs = 100'000;

    explicit TimelineBins(QObject *parent = nullptr);

    /// Counts one change. Initial records (snapshot rows) and markers such as
    /// SnapshotComplete are not changes and are ignored. No signal.
    void add(const platform::ChangeRecord &r);
    /// Counts a batch and emits changed() once when anything was counted.
    void addBatch(std::span<const platform::ChangeRecord> records);
    /// Forgets every count; emits changed().
    void clear();

    /// Points (x = bucket start in ms since the epoch, for QDateTimeAxis; y = events in the
    /// bucket) covering [fromUs, toUs], zero buckets included, with a bucket width (a
    /// multiple of kBaseUs) chosen so there are at most maxPoints points.
    /// kind ObjectKind::None sums all kinds. Empty when maxPoints < 1 or toUs < fromUs.
    QList<QPointF> series(platform::ObjectKind kind, qint64 fromUs, qint64 toUs, int maxPoints) const;

    /// Time of the first / last counted event (µs since epoch); 0 when empty.
    qint64 firstUs() const { return m_firstUs; }
    qint64 lastUs() const { return m_lastUs; }
    /// Events counted (all kinds).
    qint64 total() const { return m_total; }

Q_SIGNALS:
    /// Emitted at most once per addBatch() / clear().
    void changed();

private:
    static constexpr int kKinds = 6; // ObjectKind values 0..5
    std::array<std::vector<quint32>, kKinds> m_counts; // per kind, bucket b covers [m_originUs + b*kBaseUs, ...)
    qint64 m_originUs = 0;
    qint64 m_firstUs = 0;
    qint64 m_lastUs = 0;
    qint64 m_total = 0;
};

} // namespace ncv

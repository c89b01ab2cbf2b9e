// SPDX-License-Identifier: GPL-2.0-or-later
// TimelineBins: event counts per time bucket and object kind, for the timeline chart.
// Counts are kept in fixed base buckets (kBaseUs wide, one quint32 per kind and bucket),
// so memory grows with the covered time, not with the number of events, and a series
// over any range costs O(buckets in range). GUI thread only; a worker counts into a
// plain TimelineBins::Counts and hands it over to merge().
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

    /// The counts alone, a plain value: a worker thread fills one (a pass over a recording
    /// too long to load) and the GUI thread merges it in.
    struct Counts {
        static constexpr int kKinds = int(platform::kLastObjectKind) + 1; // every ObjectKind value
        std::array<std::vector<quint32>, kKinds> buckets; // per kind, bucket b covers [originUs + b*kBaseUs, ...)
        qint64 originUs = 0;
        qint64 firstUs = 0;
        qint64 lastUs = 0;
        qint64 total = 0;
        /// Counts one change (as TimelineBins::add()): Initial and SnapshotComplete are not.
        void add(platform::ObjectKind object, platform::ChangeKind change, qint64 timeUs)
        {
            add(object, change, timeUs, 1);
        }
        void add(platform::ObjectKind object, platform::ChangeKind change, qint64 timeUs, quint32 n);
        /// Adds other's counts, bucket by bucket.
        void merge(const Counts &other);
    };

    /// Counts one change. Initial records (snapshot rows) and markers such as
    /// SnapshotComplete are not changes and are ignored. No signal.
    void add(const platform::ChangeRecord &r);
    /// Counts a batch and emits changed() once when anything was counted.
    void addBatch(std::span<const platform::ChangeRecord> records);
    /// Adds counts gathered elsewhere (a worker's) and emits changed() when any.
    void merge(const Counts &counts);
    /// Forgets every count; emits changed().
    void clear();

    /// Points (x = bucket start in ms since the epoch, for QDateTimeAxis; y = events in the
    /// bucket) covering [fromUs, toUs], zero buckets included, with a bucket width (a
    /// multiple of kBaseUs) chosen so there are at most maxPoints points.
    /// kind ObjectKind::None sums all kinds. Empty when maxPoints < 1 or toUs < fromUs.
    QList<QPointF> series(platform::ObjectKind kind, qint64 fromUs, qint64 toUs, int maxPoints) const;

    /// Time of the first / last counted event (µs since epoch); 0 when empty.
    qint64 firstUs() const { return m_c.firstUs; }
    qint64 lastUs() const { return m_c.lastUs; }
    /// Events counted (all kinds).
    qint64 total() const { return m_c.total; }

Q_SIGNALS:
    /// Emitted at most once per addBatch() / clear().
    void changed();

private:
    static constexpr int kKinds = Counts::kKinds;
    Counts m_c;
};

} // namespace ncv

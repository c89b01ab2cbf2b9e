// SPDX-License-Identifier: GPL-2.0-or-later
// TimelineBins: event counts per time bucket and object kind, for the timeline chart.
// Counts are kept in fixed base buckets (kBaseUs wide, one quint32 per kind and bucket),
// so memory grows with the covered time, not with the number of events, and a series
// over any range costs O(buckets in range). GUI thread only; a worker counts into a
// plain TimelineBins::Counts and hands it over to merge().
// A filter makes the chart count only some events: those of one requester
// (setRequesterFilter: RequesterMatcher's rule), of one network namespace
// (setNamespaceFilter), or both. The counts of every event go on being kept, and those the
// filter keeps are counted beside them from the events added since it was set. Whoever
// holds the events counts the older ones again on filterChanged() (the history's
// NotificationModel, a recording's pass over its file) into mergeFiltered().
#pragma once

#include "model/history/requestermatcher.h"
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

    /// Counts one change (and, when the filter keeps it, in the filtered counts).
    /// Initial records (snapshot rows) and markers such as SnapshotComplete are not changes
    /// and are ignored. No signal.
    void add(const platform::ChangeRecord &r);
    /// Counts a batch and emits changed() once when anything was counted.
    void addBatch(std::span<const platform::ChangeRecord> records);
    /// Adds counts of every event gathered elsewhere (a worker's) and emits changed() when any.
    void merge(const Counts &counts);
    /// Adds counts of the events the current filter keeps, gathered elsewhere (a recount
    /// after filterChanged()); emits changed() when any. Ignored when generation is not
    /// filterGeneration() (a recount for an older filter).
    void mergeFiltered(const Counts &counts, quint64 generation);
    /// Forgets every count; emits changed().
    void clear();

    /// Shows (series(), total()) only the events whose requester matches text
    /// (RequesterMatcher); "" for every requester. A new text empties the filtered counts
    /// and emits filterChanged(), then changed(). The same text: nothing.
    void setRequesterFilter(const QString &text);
    QString requesterFilter() const { return m_matcher.text(); }
    /// Shows only the events of network namespace netns (a platform::NamespaceTable id,
    /// ChangeRecord::netns); 0 for every namespace. As setRequesterFilter(); both may be set
    /// (an event must pass both).
    void setNamespaceFilter(quint32 netns);
    quint32 namespaceFilter() const { return m_netns; }
    /// A requester or namespace filter is set.
    bool hasFilter() const { return !m_matcher.isEmpty() || m_netns != 0; }
    /// +1 per filter change: a recount names the filter it answers with it (mergeFiltered()).
    quint64 filterGeneration() const { return m_generation; }
    /// Whether the filter keeps an event of this object kind, requester (RequesterTable id)
    /// and namespace: gaps whatever their requester; false when there is no filter.
    bool keeps(platform::ObjectKind object, std::uint32_t requester, std::uint32_t netns)
    {
        return keeps(m_matcher, m_netns, object, requester, netns);
    }
    /// The same rule for a filter held elsewhere (a worker's copy): matcher (empty: every
    /// requester) and netnsFilter (0: every namespace); false when neither filters.
    static bool keeps(RequesterMatcher &matcher, quint32 netnsFilter, platform::ObjectKind object,
                      std::uint32_t requester, std::uint32_t netns);
    /// Every change counted, whatever the filter (total() is what the filter keeps).
    qint64 totalUnfiltered() const { return m_c.total; }

    /// Points (x = bucket start in ms since the epoch, for QDateTimeAxis; y = events in the
    /// bucket) covering [fromUs, toUs], zero buckets included, with a bucket width (a
    /// multiple of kBaseUs) chosen so there are at most maxPoints points.
    /// kind ObjectKind::None sums all kinds. Empty when maxPoints < 1 or toUs < fromUs.
    QList<QPointF> series(platform::ObjectKind kind, qint64 fromUs, qint64 toUs, int maxPoints) const;

    /// Time of the first / last counted event, filter or not (µs since epoch; the chart's
    /// range stays the recording's or the live one); 0 when empty.
    qint64 firstUs() const { return m_c.firstUs; }
    qint64 lastUs() const { return m_c.lastUs; }
    /// Events counted (all kinds) that the filter keeps (all without one).
    qint64 total() const { return shown().total; }

Q_SIGNALS:
    /// Emitted at most once per addBatch() / clear() / merge.
    void changed();
    /// The filter changed: the filtered counts are empty, to be recounted (with
    /// filterGeneration()) by whoever holds the events.
    void filterChanged();

private:
    static constexpr int kKinds = Counts::kKinds;
    const Counts &shown() const { return hasFilter() ? m_filtered : m_c; }
    void restartFiltered();
    Counts m_c;
    Counts m_filtered; // the events the filter keeps (empty without one)
    RequesterMatcher m_matcher;
    quint32 m_netns = 0;
    quint64 m_generation = 0;
};

} // namespace ncv

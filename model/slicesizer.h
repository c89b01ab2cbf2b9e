// SPDX-License-Identifier: GPL-2.0-or-later
// SliceSizer: how many records the GUI thread applies in one event-loop turn.
// QtCore only (qint64); not thread-safe.
#pragma once

#include <QtGlobal>

#include <cstddef>

namespace ncv {

/// Sizes the slices a burst is applied in so that one slice takes about budgetMs on the
/// GUI thread: next() = budget / estimated cost per record, within [minRecords, maxRecords].
/// The estimate comes from the slices measured so far (record()): a slower slice is
/// believed at once (the next slice shrinks right away), a faster one is averaged in
/// halfway. A slice smaller than minRecords counts as minRecords (its fixed cost is not
/// taken for a per-record cost). Before any measurement the cost is taken to be
/// kInitialNsPerRecord. Deterministic: it only knows the durations it is given. Not
/// thread-safe.
class SliceSizer {
public:
    /// The cost assumed before the first measurement: 2 us per record (about what a
    /// route costs the GUI thread with an empty table; 10,000 records in 20 ms).
    static constexpr double kInitialNsPerRecord = 2000;

    SliceSizer(double budgetMs, std::size_t minRecords, std::size_t maxRecords);
    /// Records for the next slice, in [minRecords, maxRecords].
    std::size_t next() const;
    /// A slice of `records` records took `ns` nanoseconds (ignored when either is <= 0).
    void record(std::size_t records, qint64 ns);
    /// Target duration of one slice, milliseconds (>= 0; 0 = always minRecords).
    void setBudgetMs(double ms);
    double budgetMs() const { return m_budgetNs / 1e6; }
    /// Current estimate, nanoseconds per record.
    double nsPerRecord() const { return m_nsPerRecord; }
    std::size_t minRecords() const { return m_min; }
    std::size_t maxRecords() const { return m_max; }

private:
    double m_budgetNs;
    std::size_t m_min;
    std::size_t m_max;
    double m_nsPerRecord = kInitialNsPerRecord;
};

} // namespace ncv

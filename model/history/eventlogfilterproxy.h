// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogFilterProxy: sorts (by SortRole) and filters the event log: an optional time
// range [fromUs, toUs] (inclusive, µs since epoch) plus the usual regular expression over
// every column (filterKeyColumn -1, case-insensitive by default). GUI thread only.
#pragma once

#include "model/history/timerange.h"

#include <QSortFilterProxyModel>

namespace ncv {

class EventLogFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EventLogFilterProxy(QObject *parent = nullptr);

    /// Keeps only events with fromUs <= time <= toUs (swapped when given reversed).
    void setTimeRange(qint64 fromUs, qint64 toUs);
    void clearTimeRange();
    bool hasTimeRange() const { return m_range.active; }
    qint64 timeFromUs() const { return m_range.fromUs; }
    qint64 timeToUs() const { return m_range.toUs; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    /// The "#" column compares source rows (they are in sequence order) and Time compares
    /// TimeUsRole, without building QVariants of text (sorted inserts of 50k events into a
    /// million); other columns as QSortFilterProxyModel.
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    TimeRange m_range;
};

} // namespace ncv

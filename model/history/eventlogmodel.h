// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogModel: the event log table over EventHistory (one row per event, in receive
// order). Appends arrive as ranged beginInsertRows (one per applied batch).
// GUI thread only.
#pragma once

#include "model/tables/tablemodelroles.h"

#include <QAbstractTableModel>

namespace ncv {

class EventHistory;

class EventLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// Headers: "#", "Time", "Object", "Change", "Family", "Interface", "Key", "Summary".
    /// Time: local time "hh:mm:ss.zzzzzz" (microseconds); Object "interface"/"address"/
    /// "route"/"gap"; Change "initial"/"add"/"delete"/"parameter"/...; Family
    /// "IPv4"/"IPv6"/"" ; Interface: name at arrival; Key: keyText (name, address/plen,
    /// prefix); Summary: platform summary().
    enum Column { Sequence, Time, Object, Change, Family, Interface, Key, Summary, ColumnCount };

    /// Same values as ncv::SortRole / EventIndexRole / TimeUsRole (tablemodelroles.h).
    static constexpr int SortRole = ncv::SortRole; ///< raw value: sequence quint64, time qint64 µs, text QString
    static constexpr int EventIndexRole = ncv::EventIndexRole; ///< qint64 index into EventHistory
    static constexpr int TimeUsRole = ncv::TimeUsRole; ///< qint64 µs since epoch (UTC)

    explicit EventLogModel(EventHistory *history, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    EventHistory *history() const { return m_history; }

    /// "hh:mm:ss.uuuuuu" local time of timeUs (microseconds since the epoch).
    static QString timeText(qint64 timeUs);

private:
    void onAppended(qint64 first, qint64 last);

    EventHistory *m_history;
    int m_count = 0; // published rows
};

} // namespace ncv

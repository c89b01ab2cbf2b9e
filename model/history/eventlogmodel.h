// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogModel: the event log table over EventHistory (one row per event, in receive
// order). Appends arrive as ranged beginInsertRows (one per applied batch).
// GUI thread only.
#pragma once

#include "model/tables/tablemodelroles.h"

#include "platform/types.h"

#include <QAbstractTableModel>

namespace ncv {

class EventHistory;

class EventLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// Headers: "#", "Time", "Object", "Change", "Family", "Interface", "Key", "By", "Summary",
    /// "Namespace".
    /// Time: local time "hh:mm:ss.zzzzzz" (microseconds); Object "interface"/"address"/
    /// "route"/"gap"; Change "initial"/"add"/"delete"/"parameter"/...; Family
    /// "IPv4"/"IPv6"/"" ; Interface: name at arrival; Key: keyText (name, address/plen,
    /// prefix); By: who asked for the change (platform::requesterText(): "ip (4006)",
    /// "kernel", "4006 (exited)", an inferred event's cause; "" when not known); Summary:
    /// platform summary(); Namespace: the network namespace of the change
    /// (platform::NamespaceTable::name(ChangeRecord::netns): "blue", "docker:3f2a1b9c0d12
    /// (nginx 4242)", "net:[4026532591]"; "" for the one namespace watched by default). Namespace
    /// is last so that a saved header layout keeps the columns it had; the log shows it
    /// after Interface, and only while events of several namespaces are shown.
    enum Column { Sequence, Time, Object, Change, Family, Interface, Key, By, Summary, Namespace, ColumnCount };

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
    /// The Namespace column's header: "Namespace" (the default), "Host" for a window on several
    /// remote hosts (each host's records carry its id as their namespace: HostSetSource).
    void setNamespaceHeader(const QString &text);

    /// "hh:mm:ss.uuuuuu" local time of timeUs (microseconds since the epoch); with
    /// nanoseconds "hh:mm:ss.uuuuuunnn" (subUsNs: nanoseconds past timeUs, 0..999).
    static QString timeText(qint64 timeUs, bool nanoseconds = false, std::uint16_t subUsNs = 0);

    /// The cells of one event, shared with the file-backed log (FileEventLogModel) so both
    /// show the same text. keyCell: the columns known without decoding the record
    /// (Sequence, Time, Interface) for Qt::DisplayRole / ToolTipRole (text) or SortRole
    /// (sequence quint64, time qint64 µs, text QString); an invalid QVariant for the other
    /// columns. recordCell: the other columns' text from the decoded record and the
    /// interface name it had on arrival (for both roles); invalid for the key columns.
    static QVariant keyCell(int column, bool sortValue, quint64 sequence, qint64 timeUs, const QString &ifName);
    static QVariant recordCell(int column, const platform::ChangeRecord &record, const QString &ifName);
    /// headerData's text of section (horizontal, DisplayRole).
    static QString headerText(int section);

private:
    void onAppended(qint64 first, qint64 last);

    EventHistory *m_history;
    int m_count = 0; // published rows
    QString m_namespaceHeader; // "" = headerText(Namespace)
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// DetailsPanel: every shown field of the selected event's object, before and after the
// change (from platform::fieldTexts), with the fields named in the record's
// changedFields (platform::fieldBit / fieldName) in bold on an amber background.
#pragma once

#include "platform/types.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace ncv {

class DetailsPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { FieldColumn, BeforeColumn, AfterColumn, ColumnCount };

    explicit DetailsPanel(QWidget *parent = nullptr);

    /// Shows one event. sequence is its EventHistory sequence number (1-based),
    /// ifName the interface name resolved when it arrived (may be empty). known: the fields
    /// its rows hold (a recording converted from a CSV export: the CSV's); the others show
    /// as empty values. nanoseconds: its source had nanosecond times (the time shows 9
    /// fraction digits, record.timeSubUsNs the last 3); else 6.
    void showRecord(const ncv::platform::ChangeRecord &record, quint64 sequence, const QString &ifName,
                    ncv::platform::KnownFields known = ncv::platform::KnownFields::All, bool nanoseconds = false);
    /// Back to the "select an event" placeholder.
    void clear();

    QTableWidget *table() const { return m_table; }
    QLabel *titleLabel() const { return m_title; }
    /// Time, change, origin, changed fields, note, and who asked for the change (By: the
    /// requester's text and netlink port id, the command line and cgroup of a process).
    QLabel *subtitleLabel() const { return m_subtitle; }
    /// The notice shown for inferred events and gaps (hidden otherwise).
    QLabel *noticeLabel() const { return m_notice; }
    /// Field names (first column) currently highlighted as changed, for tests and tooltips.
    QStringList changedFieldNames() const;

private:
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QLabel *m_notice = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// Item roles and row change states shared by the table models and the event log model.
// QtCore only: colours for the states are the views' job.
#pragma once

#include <Qt>

namespace ncv {

/// Custom item roles (values from Qt::UserRole).
enum TableRole : int {
    /// Value for sorting: numbers as qint64 / quint64 (a table's number columns: the number
    /// shown, the largest qint64 for "forever" / "never"), text as QString. The table models
    /// sort by their rows' own order (ChangeTableModel::compareRows), not by this.
    SortRole = Qt::UserRole,
    /// int, one of ChangeState: how the row changed recently (table models only).
    ChangeStateRole,
    /// bool per cell: true when this column's field changed in the last parameter change
    /// while the row's mark lasts (table models only).
    ChangedColumnsRole,
    /// EventLogModel: qint64 index into EventHistory.
    EventIndexRole,
    /// EventLogModel: qint64 event time, microseconds since the Unix epoch (UTC).
    TimeUsRole,
};

/// Value of ChangeStateRole.
enum ChangeState : int {
    ChangeNone = 0, ///< not recently changed (also rows from the initial snapshot)
    ChangeAdded = 1, ///< added in the last ~1.5 s
    ChangeChanged = 2, ///< parameter change in the last ~1.5 s
    ChangeDeleted = 3, ///< deleted: shown greyed for ~1 s, then removed from the model
};

/// How long add / parameter marks last, and how long a deleted row stays (milliseconds).
inline constexpr int kChangeMarkMs = 1500;
inline constexpr int kDeletedRowMs = 1000;

} // namespace ncv

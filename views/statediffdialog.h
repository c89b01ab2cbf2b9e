// SPDX-License-Identifier: GPL-2.0-or-later
// StateDiffDialog: the net changes between two moments of a recording (objects added,
// removed and changed, with their rows before and after; StateChange), as a table with a
// summary line, and exportable as CSV (stateDiffCsv, written through QSaveFile: all or
// nothing). A changed object's Before and After cells hold only its changed fields (a
// whole row is too long for a cell: what changed was cut off); the whole rows are in the
// cells' tool tips and, for the selected change, in the details box below the table,
// wrapped. Not modal. GUI thread only.
#pragma once

#include "model/statediff.h"

#include <QDialog>

#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace ncv {

class StateDiffDialog : public QDialog {
    Q_OBJECT
public:
    /// Columns of table().
    enum Column { Change, Object, Key, ChangedFields, Before, After, ColumnCount };

    /// known: the fields the recording's rows hold (the others are left out of the rows shown).
    StateDiffDialog(std::vector<StateChange> changes, qint64 fromUs, qint64 toUs,
                    platform::KnownFields known = platform::KnownFields::All, QWidget *parent = nullptr);

    const std::vector<StateChange> &changes() const { return m_changes; }
    QTableWidget *table() const { return m_table; }
    /// The selected change in full: its field changes and both whole rows, wrapped.
    QPlainTextEdit *detailsBox() const { return m_details; }
    /// "From 03:12:07.123456 to 03:14:00.000000 UTC: 2 added, 1 removed, 3 changed".
    QLabel *summaryLabel() const { return m_summary; }
    /// Writes the changes as CSV to path. Returns false with *error one line.
    bool exportCsv(const QString &path, QString *error) const;

private:
    void exportWithDialog();
    void showDetails(int row);

    std::vector<StateChange> m_changes;
    qint64 m_fromUs = 0;
    qint64 m_toUs = 0;
    platform::KnownFields m_known = platform::KnownFields::All;
    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QPushButton *m_exportButton = nullptr;
};

} // namespace ncv

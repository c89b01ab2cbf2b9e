// SPDX-License-Identifier: GPL-2.0-or-later
// CoveringRoutes: the routes of a RouteTableModel whose prefix covers one destination
// address (platform::prefixCovers()), kept up to date from the table's signals, so that a
// route lookup for that destination reads a handful of rows instead of the whole table.
//
// Why: at a million routes, decoding every row to find the few that cover the destination
// takes tens of milliseconds on the GUI thread, and a live table changes many times a
// second. Here the whole table is read once (a new destination, table or model reset);
// afterwards only the rows a batch inserted or changed are decoded and tested, and
// changed() is emitted only when a covering route came, changed or went. Rows removed by
// the table's sweep only renumber the rows held.
//
// Rows are held by their row number in the table (the table appends rows and its sweep
// removes ranges, both announced: rowsInserted / rowsRemoved renumber the rows held). A
// row marked deleted (ChangeDeleted) is not held; it is held again when it comes back
// before the sweep. dataChanged that only touches marks (the sweep clearing them: roles
// ChangeStateRole / ChangedColumnsRole) or only the Expires / Interface cells (the
// countdown, interface renames) is passed over: it changes no route. GUI thread only.
#pragma once

#include "model/tables/routetablemodel.h"
#include "platform/types.h"

#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <map>
#include <vector>

namespace ncv {

class CoveringRoutes : public QObject {
    Q_OBJECT
public:
    explicit CoveringRoutes(QObject *parent = nullptr);
    ~CoveringRoutes() override;

    /// Follows table (nullptr: none, no routes) for destination; reads the whole table
    /// once. An unspecified destination holds no route.
    void watch(RouteTableModel *table, const platform::IpAddress &destination);
    RouteTableModel *table() const { return m_table; }
    const platform::IpAddress &destination() const { return m_destination; }

    /// The covering routes not marked deleted, in row order (a copy of each: a handful).
    std::vector<platform::RouteRow> routes() const;
    /// Number of covering routes held.
    std::size_t size() const { return m_rows.size(); }

    /// Whole-table reads since construction (watch(), model resets). For tests and benchmarks.
    quint64 fullScans() const { return m_fullScans; }
    /// Rows decoded and tested since construction (full reads included). For tests and benchmarks.
    quint64 rowsExamined() const { return m_rowsExamined; }
    /// Time spent following the table's changes (not counting whole-table reads) since
    /// construction, ns. For benchmarks.
    qint64 followNs() const { return m_followNs; }

Q_SIGNALS:
    /// The covering routes changed (one came, changed, went, or the table was read again).
    void changed();

private:
    void disconnectTable();
    void rescan();
    /// Decodes rows [first, last] and holds or drops each; true when a held route changed.
    bool examine(int first, int last);
    void onRowsInserted(int first, int last);
    void onRowsRemoved(int first, int last);
    void onDataChanged(int first, int last, int firstColumn, int lastColumn, const QList<int> &roles);

    QPointer<RouteTableModel> m_table;
    platform::IpAddress m_destination;
    QList<QMetaObject::Connection> m_connections;
    std::map<int, platform::RouteRow> m_rows; ///< row number -> the covering route there
    platform::RouteRow m_scratch; ///< decode buffer (its next-hop vector keeps its capacity)
    quint64 m_fullScans = 0;
    quint64 m_rowsExamined = 0;
    qint64 m_followNs = 0;
};

} // namespace ncv

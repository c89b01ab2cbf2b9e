// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/coveringroutes.h"

#include "model/tables/routetablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "platform/routelookup.h"

#include <QElapsedTimer>
#include <QScopeGuard>

#include <algorithm>

namespace ncv {

CoveringRoutes::CoveringRoutes(QObject *parent) : QObject(parent) { }

CoveringRoutes::~CoveringRoutes() = default;

void CoveringRoutes::disconnectTable()
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
}

void CoveringRoutes::watch(RouteTableModel *table, const platform::IpAddress &destination)
{
    if (table != m_table) {
        disconnectTable();
        m_table = table;
        if (table) {
            m_connections << connect(table, &QAbstractItemModel::rowsInserted, this,
                                     [this](const QModelIndex &, int first, int last) { onRowsInserted(first, last); })
                          << connect(table, &QAbstractItemModel::rowsRemoved, this,
                                     [this](const QModelIndex &, int first, int last) { onRowsRemoved(first, last); })
                          << connect(table, &QAbstractItemModel::dataChanged, this,
                                     [this](const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                            const QList<int> &roles) {
                                         onDataChanged(topLeft.row(), bottomRight.row(), topLeft.column(),
                                                       bottomRight.column(), roles);
                                     })
                          << connect(table, &QAbstractItemModel::modelReset, this,
                                     [this] {
                                         rescan();
                                         Q_EMIT changed();
                                     })
                          // Not emitted by the table (its order is the proxies' business); read
                          // again should it ever be.
                          << connect(table, &QAbstractItemModel::layoutChanged, this,
                                     [this] {
                                         rescan();
                                         Q_EMIT changed();
                                     })
                          << connect(table, &QAbstractItemModel::rowsMoved, this, [this] {
                                 rescan();
                                 Q_EMIT changed();
                             });
        }
    }
    m_destination = destination;
    rescan();
}

std::vector<platform::RouteRow> CoveringRoutes::routes() const
{
    std::vector<platform::RouteRow> out;
    out.reserve(m_rows.size());
    for (const auto &[row, route] : m_rows)
        out.push_back(route);
    return out;
}

void CoveringRoutes::rescan()
{
    m_rows.clear();
    if (!m_table || m_destination.family == platform::Family::Unspec)
        return;
    ++m_fullScans;
    const int n = m_table->rowCount();
    m_rowsExamined += quint64(n);
    m_table->forEachRow([&](int row, const platform::RouteRow &r) {
        if (platform::prefixCovers(r, m_destination) && m_table->changeState(row) != ChangeDeleted)
            m_rows.emplace(row, r);
    });
}

bool CoveringRoutes::examine(int first, int last)
{
    if (!m_table || m_destination.family == platform::Family::Unspec)
        return false;
    QElapsedTimer took;
    took.start();
    const auto account = qScopeGuard([&] { m_followNs += took.nsecsElapsed(); });
    last = std::min(last, m_table->rowCount() - 1);
    bool touched = false;
    for (int row = std::max(first, 0); row <= last; ++row) {
        ++m_rowsExamined;
        m_table->readRow(row, m_scratch);
        const bool covers
            = platform::prefixCovers(m_scratch, m_destination) && m_table->changeState(row) != ChangeDeleted;
        if (covers) {
            m_rows.insert_or_assign(row, m_scratch);
            touched = true;
        } else if (m_rows.erase(row) > 0) {
            touched = true; // deleted, or re-keyed to a prefix that no longer covers
        }
    }
    return touched;
}

void CoveringRoutes::onRowsInserted(int first, int last)
{
    const int count = last - first + 1;
    // Rows at first and after moved up (the table only appends, but any insert is handled).
    if (!m_rows.empty() && m_rows.rbegin()->first >= first) {
        std::map<int, platform::RouteRow> moved;
        for (auto &[row, route] : m_rows)
            moved.emplace(row >= first ? row + count : row, std::move(route));
        m_rows.swap(moved);
    }
    if (examine(first, last))
        Q_EMIT changed();
}

void CoveringRoutes::onRowsRemoved(int first, int last)
{
    const int count = last - first + 1;
    if (m_rows.empty() || m_rows.rbegin()->first < first)
        return;
    bool dropped = false;
    std::map<int, platform::RouteRow> kept;
    for (auto &[row, route] : m_rows) {
        if (row < first)
            kept.emplace(row, std::move(route));
        else if (row > last)
            kept.emplace(row - count, std::move(route));
        else
            dropped = true; // the sweep removes rows marked deleted, not held: not expected
    }
    m_rows.swap(kept);
    if (dropped)
        Q_EMIT changed();
}

void CoveringRoutes::onDataChanged(int first, int last, int firstColumn, int lastColumn, const QList<int> &roles)
{
    // Only the marks: the sweep clearing "added" / "changed" marks (a deleted row is removed
    // instead, with rowsRemoved).
    if (!roles.isEmpty() && std::all_of(roles.begin(), roles.end(), [](int role) {
            return role == ChangeStateRole || role == ChangedColumnsRole;
        }))
        return;
    // Only cells no lookup reads: the Expires countdown, interface names after a rename.
    if (firstColumn == lastColumn
        && (firstColumn == RouteTableModel::Expires || firstColumn == RouteTableModel::Interface))
        return;
    if (examine(first, last))
        Q_EMIT changed();
}

} // namespace ncv

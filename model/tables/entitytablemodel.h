// SPDX-License-Identifier: GPL-2.0-or-later
// EntityTableModel: the live Entities table — one row per routing entity (route origin:
// rtm_protocol on Linux, MIB_IPFORWARD_ROW2.Protocol on Windows), as the routing table
// manager's RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED events see clients.
// Rows come from Entity records (Initial / Registered / Add insert or update,
// Deregistered / Delete mark the row deleted, removed by the sweep ~1 s later); the
// Routes column is counted live from the route records (Entity records only arrive on
// register / deregister). GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

#include <QHash>

namespace ncv {

class EntityTableModel : public KeyedTableModel<platform::EntityRow> {
    Q_OBJECT
public:
    /// Protocol: platform::protocolName; Number: the raw protocol number (both from the
    /// entity description, rowfields.h); then this table's own columns: Routes, the routes
    /// of this origin currently held (counted from route records); Registered at, local time
    /// of the Initial / Registered record ("yyyy-MM-dd hh:mm:ss", SortRole qint64 µs since
    /// the epoch).
    static constexpr int Protocol = platform::columnOf<platform::EntityRow>("protocol");
    static constexpr int Number = platform::columnOf<platform::EntityRow>("protocol_number");
    static constexpr int Routes = kFieldColumns;
    static constexpr int RegisteredAt = kFieldColumns + 1;
    static constexpr int ColumnCount = kFieldColumns + 2;

    explicit EntityTableModel(QObject *parent = nullptr);

    /// Applies one record: Entity records change the rows; Route records change the route
    /// counts (Initial / Add +1, Delete / Expired -1, a Parameter that changes the protocol
    /// moves one); other records are ignored. Signals are emitted at endBatch().
    void apply(const platform::ChangeRecord &record);

    /// Counts `routes` (>= 0) more routes of origin (protocol, space), as that many Initial
    /// route records would (a whole state shown at once). Signals are emitted at endBatch().
    void addRouteCount(std::uint32_t protocol, platform::ProtocolSpace space, qint64 routes);
    /// Forgets every route count (the rows stay), as before any route record: the routes
    /// counted are those of another set of tables now. Signals are emitted at endBatch().
    void clearRouteCounts();
    /// Routes of origin (protocol, space) currently counted; 0 when none.
    qint64 routeCount(std::uint32_t protocol, platform::ProtocolSpace space) const;
    /// Protocol name shown for row `row` (the Protocol column's text).
    QString protocolText(int row) const;

protected:
    int extraColumns() const override { return ColumnCount - kFieldColumns; }
    QVariant extraHeader(int extra) const override;
    QVariant cellData(int row, int column, int role) const override;
    bool isNumberColumn(int column) const override;
    void eraseRows(int first, int last) override;
    void clearRows() override;

private:
    static quint64 originKey(std::uint32_t protocol, platform::ProtocolSpace space)
    {
        return (quint64(space) << 32) | protocol;
    }
    void countRoute(std::uint32_t protocol, platform::ProtocolSpace space, qint64 delta);

    QHash<quint64, qint64> m_routeCounts; // origin -> routes held
    QHash<quint64, qint64> m_registeredUs; // origin -> time of its Initial / Registered record
};

} // namespace ncv

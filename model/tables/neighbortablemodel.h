// SPDX-License-Identifier: GPL-2.0-or-later
// NeighborTableModel: the live Neighbors table (one row per platform::NeighborRow: the ARP
// and NDP cache and the proxy entries). Its columns are the neighbor description's
// (rowfields.h): Interface (name), Family, Address, Link address, Flags, State.
// GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

namespace ncv {

class NeighborTableModel : public KeyedTableModel<platform::NeighborRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int Interface = platform::columnOf<platform::NeighborRow>("ifindex");
    static constexpr int Family = platform::columnOf<platform::NeighborRow>("family");
    static constexpr int Address = platform::columnOf<platform::NeighborRow>("address");
    static constexpr int LinkAddress = platform::columnOf<platform::NeighborRow>("lladdr");
    static constexpr int Flags = platform::columnOf<platform::NeighborRow>("flags");
    static constexpr int State = platform::columnOf<platform::NeighborRow>("state");
    static constexpr int ColumnCount = kFieldColumns;

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit NeighborTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr)
        : KeyedTableModel(names, parent)
    { }
};

} // namespace ncv

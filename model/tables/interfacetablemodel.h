// SPDX-License-Identifier: GPL-2.0-or-later
// InterfaceTableModel: the live Interfaces table (one row per platform::InterfaceRow).
// Its columns are the interface description's (rowfields.h): ifindex, Name, Alias, Kind,
// Operstate, Admin, Carrier, MTU, MAC, Master (the master's name). GUI thread only; fed
// by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

namespace ncv {

class InterfaceTableModel : public KeyedTableModel<platform::InterfaceRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int IfIndex = platform::columnOf<platform::InterfaceRow>("ifindex");
    static constexpr int Name = platform::columnOf<platform::InterfaceRow>("name");
    static constexpr int Alias = platform::columnOf<platform::InterfaceRow>("alias");
    static constexpr int Kind = platform::columnOf<platform::InterfaceRow>("kind");
    static constexpr int OperState = platform::columnOf<platform::InterfaceRow>("operstate");
    static constexpr int AdminUp = platform::columnOf<platform::InterfaceRow>("admin_up");
    static constexpr int Carrier = platform::columnOf<platform::InterfaceRow>("carrier");
    static constexpr int Mtu = platform::columnOf<platform::InterfaceRow>("mtu");
    static constexpr int Mac = platform::columnOf<platform::InterfaceRow>("mac");
    static constexpr int Master = platform::columnOf<platform::InterfaceRow>("master");
    static constexpr int ColumnCount = kFieldColumns;

    /// names: resolves the Master column (ifindex -> name); may be nullptr ("if N" then).
    explicit InterfaceTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr)
        : KeyedTableModel(names, parent)
    { }
};

} // namespace ncv

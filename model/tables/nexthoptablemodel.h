// SPDX-License-Identifier: GPL-2.0-or-later
// NexthopTableModel: the live Nexthops table (one row per platform::NexthopRow: the nexthop
// objects of `ip nexthop`). Its columns are the nexthop description's (rowfields.h): Id,
// Family, Gateway, Interface, Blackhole, Group, Type, Protocol, Flags.
// GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

namespace ncv {

class NexthopTableModel : public KeyedTableModel<platform::NexthopRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int Id = platform::columnOf<platform::NexthopRow>("id");
    static constexpr int Family = platform::columnOf<platform::NexthopRow>("family");
    static constexpr int Gateway = platform::columnOf<platform::NexthopRow>("gateway");
    static constexpr int Interface = platform::columnOf<platform::NexthopRow>("ifindex");
    static constexpr int Group = platform::columnOf<platform::NexthopRow>("group");
    static constexpr int Protocol = platform::columnOf<platform::NexthopRow>("protocol");
    static constexpr int ColumnCount = kFieldColumns;

    explicit NexthopTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr)
        : KeyedTableModel(names, parent)
    { }
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// RuleTableModel: the live Rules table (one row per platform::RuleRow: the policy routing
// rules of `ip rule`). Its columns are the rule description's (rowfields.h): Priority,
// Family, Selector, Action, Protocol.
// GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

namespace ncv {

class RuleTableModel : public KeyedTableModel<platform::RuleRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int Priority = platform::columnOf<platform::RuleRow>("priority");
    static constexpr int Family = platform::columnOf<platform::RuleRow>("family");
    static constexpr int Selector = platform::columnOf<platform::RuleRow>("selector");
    static constexpr int Action = platform::columnOf<platform::RuleRow>("action");
    static constexpr int Protocol = platform::columnOf<platform::RuleRow>("protocol");
    static constexpr int ColumnCount = kFieldColumns;

    /// names: unused (rules name interfaces, iif / oif, by text); kept for the table base.
    explicit RuleTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr)
        : KeyedTableModel(names, parent)
    { }
};

} // namespace ncv

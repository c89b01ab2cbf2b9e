// SPDX-License-Identifier: GPL-2.0-or-later
// PreparedState: the tables of one moment ready to be shown (NotificationModel::showPrepared):
// the interface, address and route rows packed as the tables hold them, each table's key
// index built, and the Entities' route counts. Built by NotificationModel::prepareState()
// on any thread (a time cursor's worker), so that the GUI thread only swaps it in.
// One owner; not thread-safe.
#pragma once

#include "model/tables/keyedtablemodel.h"
#include "platform/types.h"

#include <QtGlobal>

#include <utility>
#include <vector>

namespace ncv {

struct PreparedState {
    KeyedTableModel<platform::InterfaceRow>::Prepared interfaces;
    KeyedTableModel<platform::AddressRow>::Prepared addresses;
    KeyedTableModel<platform::RouteRow>::Prepared routes;
    KeyedTableModel<platform::NeighborRow>::Prepared neighbors;
    KeyedTableModel<platform::RuleRow>::Prepared rules;
    KeyedTableModel<platform::NexthopRow>::Prepared nexthops;
    /// Routes per origin: ((protocol space << 32) | protocol, routes).
    std::vector<std::pair<quint64, qint64>> origins;
    /// The address family whose rows it holds (AF_INET, AF_INET6, AF_UNSPEC).
    int addressFamily = 0;
};

} // namespace ncv

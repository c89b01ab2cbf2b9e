// SPDX-License-Identifier: GPL-2.0-or-later
// AddressTableModel: the live Addresses table (one row per platform::AddressRow). Its
// columns are the address description's (rowfields.h): Interface (name), Family, Address
// ("address/plen", " peer P" for point-to-point), Scope, Flags, Valid, Preferred (seconds
// left from the absolute validUntilUs / preferredUntilUs, or "forever"). Lifetimes count
// down: while any row has a finite lifetime, one dataChanged over the two lifetime columns
// is emitted per second. GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

#include <QTimer>

namespace ncv {

class AddressTableModel : public KeyedTableModel<platform::AddressRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int Interface = platform::columnOf<platform::AddressRow>("ifindex");
    static constexpr int Family = platform::columnOf<platform::AddressRow>("family");
    static constexpr int Address = platform::columnOf<platform::AddressRow>("address");
    static constexpr int Scope = platform::columnOf<platform::AddressRow>("scope");
    static constexpr int Flags = platform::columnOf<platform::AddressRow>("flags");
    static constexpr int ValidLifetime = platform::columnOf<platform::AddressRow>("valid_lft");
    static constexpr int PreferredLifetime = platform::columnOf<platform::AddressRow>("preferred_lft");
    static constexpr int ColumnCount = kFieldColumns;

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit AddressTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

private:
    void tick();

    QTimer m_lifetimeTimer;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/addresstablemodel.h"

#include <algorithm>

namespace ncv {

using namespace platform;

AddressTableModel::AddressTableModel(const InterfaceNames *names, QObject *parent) : KeyedTableModel(names, parent)
{
    m_lifetimeTimer.setInterval(1000);
    connect(&m_lifetimeTimer, &QTimer::timeout, this, &AddressTableModel::tick);
    m_lifetimeTimer.start();
}

void AddressTableModel::tick()
{
    const int n = rowCount();
    if (n == 0)
        return;
    // One signal per second, only while some row has a finite lifetime.
    bool finite = false;
    AddressRow row;
    for (int i = 0; i < n && !finite; ++i) {
        readRow(i, row);
        finite = row.validUntilUs != 0 || row.preferredUntilUs != 0;
    }
    if (finite)
        Q_EMIT dataChanged(index(0, std::min(ValidLifetime, PreferredLifetime)),
                           index(n - 1, std::max(ValidLifetime, PreferredLifetime)));
}

} // namespace ncv

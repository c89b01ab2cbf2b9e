// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/routetablemodel.h"

namespace ncv {

using namespace platform;

RouteTableModel::RouteTableModel(const InterfaceNames *names, QObject *parent) : KeyedTableModel(names, parent)
{
    m_expiryTimer.setInterval(1000);
    connect(&m_expiryTimer, &QTimer::timeout, this, &RouteTableModel::tick);
    m_expiryTimer.start();
}

void RouteTableModel::rowStored(const RouteRow &row)
{
    if (row.expiresUs != 0)
        m_mayExpire = true;
}

void RouteTableModel::tick()
{
    // Only the Expires cells of routes with an expiry count down: one dataChanged per run
    // of neighbouring such rows (a sorted or filtered proxy re-checks just those rows).
    if (m_expiringRevision != revision()) {
        m_expiringRevision = revision();
        m_expiring.clear();
        if (m_mayExpire) {
            forEachRow([&](int i, const RouteRow &row) {
                if (row.expiresUs != 0)
                    m_expiring.push_back(i);
            });
            m_mayExpire = !m_expiring.empty();
        }
    }
    std::size_t i = 0;
    while (i < m_expiring.size()) {
        std::size_t j = i;
        while (j + 1 < m_expiring.size() && m_expiring[j + 1] == m_expiring[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(m_expiring[i], Expires), index(m_expiring[j], Expires));
        i = j + 1;
    }
}

} // namespace ncv

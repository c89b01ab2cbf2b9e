// SPDX-License-Identifier: GPL-2.0-or-later
// RouteTableModel: the live Routes table (one row per platform::RouteRow, multipath
// routes are one row). Its columns, their texts, sorting and filtering are the route
// description's (rowfields.h): Family, Destination, Next hop (gateways joined by ", "),
// Interface (names of the next hops' ifindexes), Metric, Table, Protocol, Scope, Type,
// Pref. source, Expires, ... GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

#include <QTimer>

namespace ncv {

class RouteTableModel : public KeyedTableModel<platform::RouteRow> {
    Q_OBJECT
public:
    /// Some columns by name (the description decides their order).
    static constexpr int Family = platform::columnOf<platform::RouteRow>("family");
    static constexpr int Destination = platform::columnOf<platform::RouteRow>("destination");
    static constexpr int NextHops = platform::columnOf<platform::RouteRow>("gateways");
    static constexpr int Interface = platform::columnOf<platform::RouteRow>("interface");
    static constexpr int Metric = platform::columnOf<platform::RouteRow>("metric");
    static constexpr int Table = platform::columnOf<platform::RouteRow>("table");
    static constexpr int Protocol = platform::columnOf<platform::RouteRow>("protocol");
    static constexpr int Scope = platform::columnOf<platform::RouteRow>("scope");
    static constexpr int Type = platform::columnOf<platform::RouteRow>("type");
    static constexpr int PrefSrc = platform::columnOf<platform::RouteRow>("prefsrc");
    /// Seconds left until RouteRow::expiresUs ("12s", counting down: once a second a
    /// dataChanged over the Expires cells of the routes that have an expiry, in ranges of
    /// neighbouring rows), "" when it never expires (SortRole: seconds, never = max).
    static constexpr int Expires = platform::columnOf<platform::RouteRow>("expires");
    static constexpr int ColumnCount = kFieldColumns;

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit RouteTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

protected:
    void rowStored(const platform::RouteRow &row) override;

private:
    void tick(); // once a second: the Expires column counts down

    QTimer m_expiryTimer;
    // Rows with an expiry (Expires column counting down), rebuilt when the table changed
    // and some row may have an expiry: a route with one was stored since the last rebuild,
    // or the last rebuild found some (rebuilding decodes every row).
    std::vector<int> m_expiring;
    quint64 m_expiringRevision = ~quint64(0);
    bool m_mayExpire = false;
};

} // namespace ncv

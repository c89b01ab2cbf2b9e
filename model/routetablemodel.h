// RouteTableModel: the live Routes table (one row per platform::RouteRow, multipath
// routes are one row). GUI thread only; fed by NotificationModel.
#pragma once

#include "keyedtablemodel.h"

#include <QTimer>

namespace ncv {

class InterfaceNames;

class RouteTableModel : public KeyedTableModel<platform::RouteRow> {
    Q_OBJECT
public:
    /// Headers: "Family", "Destination", "Next hop", "Interface", "Metric", "Table",
    /// "Protocol", "Scope", "Type", "Pref. source", "Expires".
    /// Family "IPv4"/"IPv6"; Destination CIDR; Next hop: gateways joined by ", " ("" when
    /// on-link); Interface: name of the first next hop's ifindex; Table "main"/"local"/number;
    /// Protocol by name (rtm_protocol) or number; Expires: seconds left until RouteRow::expiresUs
    /// ("12s", counting down: one dataChanged over the column per second while a route
    /// has an expiry), "" when it never expires (SortRole: seconds, never = max).
    enum Column {
        Family,
        Destination,
        NextHops,
        Interface,
        Metric,
        Table,
        Protocol,
        Scope,
        Type,
        PrefSrc,
        Expires,
        ColumnCount
    };

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit RouteTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Emits dataChanged over the Interface column (after a rename).
    void interfaceNamesChanged();

protected:
    QVariant cellData(int row, int column, int role) const override;
    quint32 columnsForFields(platform::FieldMask mask) const override;

private:
    void tick(); // once a second: the Expires column counts down
    const InterfaceNames *m_names;
    QTimer m_expiryTimer;
};

} // namespace ncv

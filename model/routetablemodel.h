// RouteTableModel: the live Routes table (one row per platform::RouteRow, multipath
// routes are one row). GUI thread only; fed by NotificationModel.
#pragma once

#include "keyedtablemodel.h"

namespace ncv {

class InterfaceNames;

class RouteTableModel : public KeyedTableModel<platform::RouteRow> {
    Q_OBJECT
public:
    /// Headers: "Family", "Destination", "Next hop", "Interface", "Metric", "Table",
    /// "Protocol", "Scope", "Type", "Pref. source".
    /// Family "IPv4"/"IPv6"; Destination CIDR; Next hop: gateways joined by ", " ("" when
    /// on-link); Interface: name of the first next hop's ifindex; Table "main"/"local"/number;
    /// Protocol by name (rtm_protocol) or number.
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
    const InterfaceNames *m_names;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// InterfaceTableModel: the live Interfaces table (one row per platform::InterfaceRow).
// GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

namespace ncv {

class InterfaceNames;

class InterfaceTableModel : public KeyedTableModel<platform::InterfaceRow> {
    Q_OBJECT
public:
    /// Headers: "ifindex", "Name", "Alias", "Kind", "Operstate", "Admin", "Carrier", "MTU", "MAC", "Master".
    enum Column { IfIndex, Name, Alias, Kind, OperState, AdminUp, Carrier, Mtu, Mac, Master, ColumnCount };

    /// names: resolves the Master column (ifindex -> name); may be nullptr ("if N" then).
    explicit InterfaceTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    QVariant cellData(int row, int column, int role) const override;
    bool isNumberColumn(int column) const override;
    quint32 columnsForFields(platform::FieldMask mask) const override;

private:
    const InterfaceNames *m_names;
};

} // namespace ncv

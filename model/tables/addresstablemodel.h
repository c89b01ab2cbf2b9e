// SPDX-License-Identifier: GPL-2.0-or-later
// AddressTableModel: the live Addresses table (one row per platform::AddressRow).
// Lifetimes count down: while any row has a finite lifetime, one dataChanged over the
// two lifetime columns is emitted per second. GUI thread only; fed by NotificationModel.
#pragma once

#include "model/tables/keyedtablemodel.h"

#include <QTimer>

namespace ncv {

class InterfaceNames;

class AddressTableModel : public KeyedTableModel<platform::AddressRow> {
    Q_OBJECT
public:
    /// Headers: "Interface", "Family", "Address", "Scope", "Flags", "Valid", "Preferred".
    /// Address is "address/plen"; Family "IPv4"/"IPv6"; lifetimes "forever" or "123s"
    /// (seconds left, from the absolute validUntilUs / preferredUntilUs).
    enum Column { Interface, Family, Address, Scope, Flags, ValidLifetime, PreferredLifetime, ColumnCount };

    /// names: resolves the Interface column (ifindex -> name); may be nullptr ("if N" then).
    explicit AddressTableModel(const InterfaceNames *names = nullptr, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Emits dataChanged over the Interface column (after a rename).
    void interfaceNamesChanged();

protected:
    QVariant cellData(int row, int column, int role) const override;
    bool isNumberColumn(int column) const override;
    quint32 columnsForFields(platform::FieldMask mask) const override;

private:
    void tick();

    const InterfaceNames *m_names;
    QTimer m_lifetimeTimer;
};

} // namespace ncv

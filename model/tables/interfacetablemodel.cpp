// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/interfacetablemodel.h"

#include "model/interfacenames.h"
#include "model/modeltext.h"
#include "platform/format.h"

namespace ncv {

using namespace platform;

InterfaceTableModel::InterfaceTableModel(const InterfaceNames *names, QObject *parent)
    : KeyedTableModel(parent), m_names(names)
{ }

int InterfaceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InterfaceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IfIndex: return QStringLiteral("ifindex");
    case Name: return QStringLiteral("Name");
    case Alias: return QStringLiteral("Alias");
    case Kind: return QStringLiteral("Kind");
    case OperState: return QStringLiteral("Operstate");
    case AdminUp: return QStringLiteral("Admin");
    case Carrier: return QStringLiteral("Carrier");
    case Mtu: return QStringLiteral("MTU");
    case Mac: return QStringLiteral("MAC");
    case Master: return QStringLiteral("Master");
    default: return {};
    }
}

bool InterfaceTableModel::isNumberColumn(int column) const
{
    return column == IfIndex || column == Mtu;
}

QVariant InterfaceTableModel::cellData(int row, int column, int role) const
{
    const InterfaceRow &r = rowAt(row);
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    const bool sort = role == SortRole;
    switch (column) {
    case IfIndex: return sort ? QVariant(qint64(r.ifIndex)) : QVariant(QString::number(r.ifIndex));
    case Name: return qs(r.name);
    case Alias: return qs(r.alias);
    case Kind: return qs(r.kind);
    case OperState: return sort ? QVariant(int(r.operState)) : QVariant(qs(operStateName(r.operState)));
    case AdminUp:
        return sort ? QVariant(int(r.adminUp)) : QVariant(r.adminUp ? QStringLiteral("up") : QStringLiteral("down"));
    case Carrier:
        return sort ? QVariant(int(r.carrier)) : QVariant(r.carrier ? QStringLiteral("yes") : QStringLiteral("no"));
    case Mtu: return sort ? QVariant(qint64(r.mtu)) : QVariant(QString::number(r.mtu));
    case Mac: return qs(macText(r.mac.data(), r.macLength));
    case Master:
        if (r.masterIndex == 0)
            return QString();
        return m_names ? m_names->name(r.masterIndex) : QStringLiteral("if %1").arg(r.masterIndex);
    default: return {};
    }
}

quint32 InterfaceTableModel::columnsForFields(FieldMask mask) const
{
    quint32 cols = 0;
    const auto map = [&](Field f, Column c) {
        if (mask & fieldBit(f))
            cols |= 1u << unsigned(c);
    };
    map(Field::IfName, Name);
    map(Field::IfAlias, Alias);
    map(Field::IfKind, Kind);
    map(Field::IfOperState, OperState);
    map(Field::IfAdminUp, AdminUp);
    map(Field::IfCarrier, Carrier);
    map(Field::IfMtu, Mtu);
    map(Field::IfMac, Mac);
    map(Field::IfMaster, Master);
    return cols;
}

} // namespace ncv

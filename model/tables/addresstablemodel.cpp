// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/addresstablemodel.h"

#include "model/interfacenames.h"
#include "model/modeltext.h"
#include "platform/format.h"

#include <algorithm>

namespace ncv {

using namespace platform;

namespace {
/// Seconds left until untilUs (0 = forever -> -1).
qint64 secondsLeft(std::int64_t untilUs, std::int64_t now)
{
    if (untilUs == 0)
        return -1;
    return std::max<qint64>(0, (untilUs - now) / 1'000'000);
}
} // namespace

AddressTableModel::AddressTableModel(const InterfaceNames *names, QObject *parent)
    : KeyedTableModel(parent), m_names(names)
{
    m_lifetimeTimer.setInterval(1000);
    connect(&m_lifetimeTimer, &QTimer::timeout, this, &AddressTableModel::tick);
    m_lifetimeTimer.start();
}

int AddressTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AddressTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Interface: return QStringLiteral("Interface");
    case Family: return QStringLiteral("Family");
    case Address: return QStringLiteral("Address");
    case Scope: return QStringLiteral("Scope");
    case Flags: return QStringLiteral("Flags");
    case ValidLifetime: return QStringLiteral("Valid");
    case PreferredLifetime: return QStringLiteral("Preferred");
    default: return {};
    }
}

bool AddressTableModel::isNumberColumn(int column) const
{
    return column == ValidLifetime || column == PreferredLifetime;
}

QVariant AddressTableModel::cellData(int row, int column, int role) const
{
    const AddressRow &r = rowAt(row);
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    const bool sort = role == SortRole;
    switch (column) {
    case Interface: return m_names ? m_names->name(r.ifIndex) : QStringLiteral("if %1").arg(r.ifIndex);
    case Family: return familyText(r.address.family);
    case Address: {
        if (sort)
            return addressSortKey(r.address, r.prefixLength);
        QString text = qs(toCidr(r.address, r.prefixLength));
        if (!r.peer.isUnspecified() && r.peer != r.address)
            text += QStringLiteral(" peer ") + qs(toString(r.peer));
        return text;
    }
    case Scope: return sort ? QVariant(int(r.scope)) : QVariant(qs(scopeName(r.scope)));
    case Flags: return qs(addressFlagsText(r.flags, r.address.family));
    case ValidLifetime:
    case PreferredLifetime: {
        const qint64 left = secondsLeft(column == ValidLifetime ? r.validUntilUs : r.preferredUntilUs, nowUs());
        if (sort)
            return left < 0 ? std::numeric_limits<qint64>::max() : left;
        return left < 0 ? QStringLiteral("forever") : QStringLiteral("%1s").arg(left);
    }
    default: return {};
    }
}

quint32 AddressTableModel::columnsForFields(FieldMask mask) const
{
    quint32 cols = 0;
    const auto map = [&](Field f, quint32 c) {
        if (mask & fieldBit(f))
            cols |= c;
    };
    map(Field::AddrScope, 1u << Scope);
    map(Field::AddrFlags, 1u << Flags);
    map(Field::AddrPeer, 1u << Address);
    map(Field::AddrLabel, 1u << Interface);
    map(Field::AddrLifetimeKind, (1u << ValidLifetime) | (1u << PreferredLifetime));
    return cols;
}

void AddressTableModel::interfaceNamesChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Interface), index(rowCount() - 1, Interface));
}

void AddressTableModel::tick()
{
    const int n = rowCount();
    if (n == 0)
        return;
    // One signal per second, only while some row has a finite lifetime.
    bool finite = false;
    for (int i = 0; i < n && !finite; ++i)
        finite = rowAt(i).validUntilUs != 0 || rowAt(i).preferredUntilUs != 0;
    if (finite)
        Q_EMIT dataChanged(index(0, ValidLifetime), index(n - 1, PreferredLifetime));
}

} // namespace ncv

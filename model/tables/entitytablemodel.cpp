// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/entitytablemodel.h"

#include "platform/format.h"

#include <QDateTime>

namespace ncv {

using namespace platform;

EntityTableModel::EntityTableModel(QObject *parent) : KeyedTableModel(nullptr, parent) { }

QVariant EntityTableModel::extraHeader(int extra) const
{
    switch (kFieldColumns + extra) {
    case Routes: return QStringLiteral("Routes");
    case RegisteredAt: return QStringLiteral("Registered at");
    default: return {};
    }
}

void EntityTableModel::apply(const ChangeRecord &record)
{
    if (record.object == ObjectKind::Route) {
        const RouteRow *after = std::get_if<RouteRow>(&record.after);
        const RouteRow *before = std::get_if<RouteRow>(&record.before);
        switch (record.change) {
        case ChangeKind::Initial:
        case ChangeKind::Add:
            if (after)
                countRoute(after->protocol, after->protocolSpace, +1);
            break;
        case ChangeKind::Delete:
        case ChangeKind::Expired:
            if (const RouteRow *row = std::get_if<RouteRow>(&record.row()))
                countRoute(row->protocol, row->protocolSpace, -1);
            break;
        case ChangeKind::Parameter:
            if (after && before
                && (after->protocol != before->protocol || after->protocolSpace != before->protocolSpace)) {
                countRoute(before->protocol, before->protocolSpace, -1);
                countRoute(after->protocol, after->protocolSpace, +1);
            }
            break;
        default: break;
        }
        return;
    }
    if (record.object != ObjectKind::Entity)
        return;
    const EntityRow *row = std::get_if<EntityRow>(&record.row());
    if (!row)
        return;
    ChangeRecord mapped;
    mapped.object = record.object;
    mapped.timeUs = record.timeUs;
    switch (record.change) {
    case ChangeKind::Initial:
    case ChangeKind::Add:
    case ChangeKind::Registered:
        mapped.change = record.change == ChangeKind::Initial ? ChangeKind::Initial : ChangeKind::Add;
        mapped.after = *row;
        m_registeredUs.insert(originKey(row->protocol, row->protocolSpace), record.timeUs);
        break;
    case ChangeKind::Parameter:
        mapped.change = ChangeKind::Parameter;
        mapped.before = record.before;
        mapped.after = *row;
        break;
    case ChangeKind::Delete:
    case ChangeKind::Expired:
    case ChangeKind::Deregistered:
        mapped.change = ChangeKind::Delete;
        mapped.before = *row;
        break;
    default: return;
    }
    KeyedTableModel::apply(mapped);
}

void EntityTableModel::addRouteCount(std::uint32_t protocol, ProtocolSpace space, qint64 routes)
{
    if (routes > 0)
        countRoute(protocol, space, routes);
}

void EntityTableModel::countRoute(std::uint32_t protocol, ProtocolSpace space, qint64 delta)
{
    const quint64 key = originKey(protocol, space);
    qint64 &count = m_routeCounts[key];
    count = std::max<qint64>(0, count + delta);
    if (count == 0)
        m_routeCounts.remove(key);
    EntityRow probe;
    probe.protocol = protocol;
    probe.protocolSpace = space;
    const int row = indexOf(probe);
    if (row >= 0)
        touchRow(row);
}

void EntityTableModel::clearRouteCounts()
{
    const QList<quint64> origins = m_routeCounts.keys();
    for (const quint64 origin : origins) {
        const qint64 count = m_routeCounts.value(origin);
        countRoute(std::uint32_t(origin), ProtocolSpace(origin >> 32), -count);
    }
}

qint64 EntityTableModel::routeCount(std::uint32_t protocol, ProtocolSpace space) const
{
    return m_routeCounts.value(originKey(protocol, space), 0);
}

QString EntityTableModel::protocolText(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const EntityRow &e = rowAt(row);
    return QString::fromStdString(protocolName(e.protocol, e.protocolSpace));
}

bool EntityTableModel::isNumberColumn(int column) const
{
    return column == Routes || KeyedTableModel::isNumberColumn(column);
}

QVariant EntityTableModel::cellData(int row, int column, int role) const
{
    const EntityRow &e = rowAt(row);
    if (role == Qt::ToolTipRole && column == Protocol) {
        return e.protocolSpace == ProtocolSpace::RtmProtocol
            ? QStringLiteral("rtm_protocol %1").arg(e.protocol)
            : QStringLiteral("MIB_IPFORWARD_ROW2.Protocol %1").arg(e.protocol);
    }
    if (column < kFieldColumns)
        return KeyedTableModel::cellData(row, column, role);
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    const bool sort = role == SortRole;
    switch (column) {
    case Routes: {
        const qint64 n = routeCount(e.protocol, e.protocolSpace);
        return sort ? QVariant(n) : QVariant(QString::number(n));
    }
    case RegisteredAt: {
        const qint64 us = m_registeredUs.value(originKey(e.protocol, e.protocolSpace), 0);
        if (sort)
            return us;
        if (us == 0)
            return QString();
        return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
    }
    default: return {};
    }
}

void EntityTableModel::eraseRows(int first, int last)
{
    for (int i = first; i <= last; ++i) {
        const EntityRow &e = rowAt(i);
        m_registeredUs.remove(originKey(e.protocol, e.protocolSpace));
    }
    KeyedTableModel::eraseRows(first, last);
}

void EntityTableModel::clearRows()
{
    m_routeCounts.clear();
    m_registeredUs.clear();
    KeyedTableModel::clearRows();
}

} // namespace ncv

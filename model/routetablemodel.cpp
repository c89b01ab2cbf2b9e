#include "routetablemodel.h"

#include "format.h"
#include "interfacenames.h"

#include <algorithm>
#include <limits>

namespace ncv {

using namespace platform;

namespace {
QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString familyText(platform::Family f)
{
    switch (f) {
    case platform::Family::IPv4: return QStringLiteral("IPv4");
    case platform::Family::IPv6: return QStringLiteral("IPv6");
    default: return QString();
    }
}

QByteArray addressSortKey(const IpAddress &a, unsigned plen)
{
    QByteArray key;
    key.reserve(18);
    key.append(char(a.family));
    key.append(reinterpret_cast<const char *>(a.bytes.data()), qsizetype(a.byteLength()));
    key.append(char(plen));
    return key;
}
} // namespace

RouteTableModel::RouteTableModel(const InterfaceNames *names, QObject *parent) : KeyedTableModel(parent), m_names(names)
{
    m_expiryTimer.setInterval(1000);
    connect(&m_expiryTimer, &QTimer::timeout, this, &RouteTableModel::tick);
    m_expiryTimer.start();
}

void RouteTableModel::tick()
{
    const int n = rowCount();
    // One signal per second over one column, only while some route has an expiry.
    for (int i = 0; i < n; ++i) {
        if (rowAt(i).expiresUs != 0) {
            Q_EMIT dataChanged(index(0, Expires), index(n - 1, Expires));
            return;
        }
    }
}

int RouteTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RouteTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Family: return QStringLiteral("Family");
    case Destination: return QStringLiteral("Destination");
    case NextHops: return QStringLiteral("Next hop");
    case Interface: return QStringLiteral("Interface");
    case Metric: return QStringLiteral("Metric");
    case Table: return QStringLiteral("Table");
    case Protocol: return QStringLiteral("Protocol");
    case Scope: return QStringLiteral("Scope");
    case Type: return QStringLiteral("Type");
    case PrefSrc: return QStringLiteral("Pref. source");
    case Expires: return QStringLiteral("Expires");
    default: return {};
    }
}

QVariant RouteTableModel::cellData(int row, int column, int role) const
{
    const RouteRow &r = rowAt(row);
    if (role == Qt::TextAlignmentRole) {
        if (column == Metric || column == Expires)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    const bool sort = role == SortRole;
    switch (column) {
    case Family: return familyText(r.family());
    case Destination:
        return sort ? QVariant(addressSortKey(r.destination, r.prefixLength))
                    : QVariant(qs(toCidr(r.destination, r.prefixLength)));
    case NextHops: {
        QStringList gateways;
        for (const NextHop &hop : r.nextHops) {
            if (!hop.gateway.isUnspecified())
                gateways << qs(toString(hop.gateway));
        }
        return gateways.join(QStringLiteral(", "));
    }
    case Interface: {
        QStringList names;
        for (const NextHop &hop : r.nextHops) {
            if (hop.ifIndex == 0)
                continue;
            const QString name = m_names ? m_names->name(hop.ifIndex) : QStringLiteral("if %1").arg(hop.ifIndex);
            if (!names.contains(name))
                names << name;
        }
        return names.join(QStringLiteral(", "));
    }
    case Metric: return sort ? QVariant(qint64(r.metric)) : QVariant(QString::number(r.metric));
    case Table: return sort ? QVariant(qint64(r.table)) : QVariant(qs(tableName(r.table)));
    case Protocol: return qs(protocolName(r.protocol, r.protocolSpace));
    case Scope: return sort ? QVariant(int(r.scope)) : QVariant(qs(scopeName(r.scope)));
    case Type: return qs(routeTypeName(r.type));
    case PrefSrc:
        if (r.prefSrc.isUnspecified())
            return sort ? QVariant(QByteArray()) : QVariant(QString());
        return sort ? QVariant(addressSortKey(r.prefSrc, 0)) : QVariant(qs(toString(r.prefSrc)));
    case Expires: {
        if (r.expiresUs == 0)
            return sort ? QVariant(std::numeric_limits<qint64>::max()) : QVariant(QString());
        const qint64 left = std::max<qint64>(0, (r.expiresUs - nowUs() + 999'999) / 1'000'000);
        return sort ? QVariant(left) : QVariant(QStringLiteral("%1s").arg(left));
    }
    default: return {};
    }
}

quint32 RouteTableModel::columnsForFields(FieldMask mask) const
{
    quint32 cols = 0;
    const auto map = [&](Field f, quint32 c) {
        if (mask & fieldBit(f))
            cols |= c;
    };
    map(Field::RouteNextHops, (1u << NextHops) | (1u << Interface));
    map(Field::RouteProtocol, 1u << Protocol);
    map(Field::RouteScope, 1u << Scope);
    map(Field::RouteType, 1u << Type);
    map(Field::RoutePrefSrc, 1u << PrefSrc);
    map(Field::RouteMetric, 1u << Metric);
    map(Field::RouteNhId, 1u << NextHops);
    map(Field::RouteExpires, 1u << Expires);
    return cols;
}

void RouteTableModel::interfaceNamesChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, Interface), index(rowCount() - 1, Interface));
}

} // namespace ncv

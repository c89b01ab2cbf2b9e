#include "routetablemodel.h"

#include "format.h"
#include "interfacenames.h"
#include "modeltext.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace ncv {

using namespace platform;

RouteTableModel::RouteTableModel(const InterfaceNames *names, QObject *parent) : KeyedTableModel(parent), m_names(names)
{
    const auto lower = [](std::string text) {
        for (char &c : text)
            c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        return text;
    };
    for (unsigned v = 0; v < 256; ++v) {
        m_protocolTexts[v] = qs(protocolName(v, ProtocolSpace::RtmProtocol));
        m_typeTexts[v] = qs(routeTypeName(std::uint8_t(v)));
        m_protocolLower[v] = lower(protocolName(v, ProtocolSpace::RtmProtocol));
        m_typeLower[v] = lower(routeTypeName(std::uint8_t(v)));
        m_scopeLower[v] = lower(scopeName(std::uint8_t(v)));
    }
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

bool RouteTableModel::isNumberColumn(int column) const
{
    return column == Metric || column == Expires;
}

QVariant RouteTableModel::cellData(int row, int column, int role) const
{
    const RouteRow &r = rowAt(row);
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

namespace {

template<typename T> int cmp(const T &a, const T &b)
{
    return a < b ? -1 : b < a ? 1 : 0;
}

bool unspecified(const IpAddress &a)
{
    if (a.family == Family::IPv4)
        return (a.bytes[0] | a.bytes[1] | a.bytes[2] | a.bytes[3]) == 0;
    return a.isUnspecified();
}

int compareAddress(const IpAddress &a, const IpAddress &b)
{
    if (a.family != b.family)
        return cmp(int(a.family), int(b.family));
    return std::memcmp(a.bytes.data(), b.bytes.data(), a.byteLength());
}

// Text of an address as toString() writes it; IPv4 without allocating.
void appendAddress(std::string &out, const IpAddress &a)
{
    if (a.family != Family::IPv4) {
        out += toString(a);
        return;
    }
    char buf[16];
    char *p = buf;
    for (int k = 0; k < 4; ++k) {
        if (k)
            *p++ = '.';
        p = std::to_chars(p, p + 3, unsigned(a.bytes[std::size_t(k)])).ptr;
    }
    out.append(buf, std::size_t(p - buf));
}

void appendNumber(std::string &out, std::uint64_t v)
{
    char buf[24];
    out.append(buf, std::size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

} // namespace

const QString &RouteTableModel::protocolText(const RouteRow &r) const
{
    thread_local QString other;
    if (r.protocol > 255 || r.protocolSpace != ProtocolSpace::RtmProtocol) {
        other = qs(protocolName(r.protocol, r.protocolSpace));
        return other;
    }
    return m_protocolTexts[r.protocol];
}

const QString &RouteTableModel::typeText(std::uint8_t type) const
{
    return m_typeTexts[type];
}

int RouteTableModel::compareRows(int a, int b, int column) const
{
    const RouteRow &l = rowAt(a);
    const RouteRow &r = rowAt(b);
    switch (column) {
    case Family: return cmp(int(l.family()), int(r.family()));
    case Destination: {
        const int c = compareAddress(l.destination, r.destination);
        return c ? c : cmp(l.prefixLength, r.prefixLength);
    }
    case NextHops: {
        // Gateways in order (on-link hops have none), like the joined display text.
        if (l.nextHops.size() == 1 && r.nextHops.size() == 1) {
            const IpAddress &lg = l.nextHops.front().gateway, &rg = r.nextHops.front().gateway;
            const bool lNone = unspecified(lg), rNone = unspecified(rg);
            if (lNone || rNone)
                return lNone && rNone ? 0 : lNone ? -1 : 1;
            return compareAddress(lg, rg);
        }
        std::size_t i = 0, j = 0;
        for (;;) {
            while (i < l.nextHops.size() && unspecified(l.nextHops[i].gateway))
                ++i;
            while (j < r.nextHops.size() && unspecified(r.nextHops[j].gateway))
                ++j;
            const bool lEnd = i == l.nextHops.size(), rEnd = j == r.nextHops.size();
            if (lEnd || rEnd)
                return lEnd && rEnd ? 0 : lEnd ? -1 : 1;
            if (const int c = compareAddress(l.nextHops[i].gateway, r.nextHops[j].gateway))
                return c;
            ++i;
            ++j;
        }
    }
    case Interface: {
        if (l.outIfIndex() == r.outIfIndex() && l.nextHops.size() <= 1 && r.nextHops.size() <= 1)
            return 0;
        return QString::compare(cellData(a, Interface, SortRole).toString(),
                                cellData(b, Interface, SortRole).toString());
    }
    case Metric: return cmp(l.metric, r.metric);
    case Table: return cmp(l.table, r.table);
    case Protocol:
        if (l.protocol == r.protocol && l.protocolSpace == r.protocolSpace)
            return 0;
        return QString::compare(protocolText(l), protocolText(r));
    case Scope: return cmp(l.scope, r.scope);
    case Type: return l.type == r.type ? 0 : QString::compare(typeText(l.type), typeText(r.type));
    case PrefSrc: {
        const bool lNone = l.prefSrc.isUnspecified(), rNone = r.prefSrc.isUnspecified();
        if (lNone || rNone)
            return lNone && rNone ? 0 : lNone ? -1 : 1;
        return compareAddress(l.prefSrc, r.prefSrc);
    }
    default: return ChangeTableModel::compareRows(a, b, column);
    }
}

bool RouteTableModel::rowContains(int row, const Needle &needle) const
{
    // Every column's display text, lower case, separated by \x01 (which a typed needle
    // does not contain), in one reused buffer.
    const RouteRow &r = rowAt(row);
    thread_local std::string text;
    text.clear();
    text += r.family() == platform::Family::IPv4 ? "ipv4" : r.family() == platform::Family::IPv6 ? "ipv6" : "";
    text += '\x01';
    if (r.destination.family != platform::Family::Unspec) {
        appendAddress(text, r.destination);
        text += '/';
        appendNumber(text, r.prefixLength);
    }
    text += '\x01';
    bool first = true;
    for (const NextHop &hop : r.nextHops) {
        if (unspecified(hop.gateway))
            continue;
        if (!first)
            text += ", ";
        first = false;
        appendAddress(text, hop.gateway);
    }
    text += '\x01';
    text += '\x01';
    appendNumber(text, r.metric);
    text += '\x01';
    if (r.table == 254)
        text += "main";
    else if (r.table == 255)
        text += "local";
    else
        text += tableName(r.table);
    text += '\x01';
    if (r.protocol <= 255 && r.protocolSpace == ProtocolSpace::RtmProtocol)
        text += m_protocolLower[r.protocol];
    else {
        for (const char c : protocolName(r.protocol, r.protocolSpace))
            text += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    text += '\x01';
    text += m_scopeLower[r.scope];
    text += '\x01';
    text += m_typeLower[r.type];
    text += '\x01';
    if (!unspecified(r.prefSrc))
        appendAddress(text, r.prefSrc);
    // Already lower case: digits, dots, colons, lower-case hex (RFC 5952) and the
    // pre-lowered names.
    if (text.find(needle.lowerUtf8) != std::string::npos)
        return true;
    if (r.expiresUs != 0
        && cellData(row, Expires, Qt::DisplayRole).toString().contains(needle.text, Qt::CaseInsensitive))
        return true;
    // Interface names may be non-ASCII: compared as QStrings.
    if (r.nextHops.size() <= 1) {
        const quint32 ifIndex = r.outIfIndex();
        if (ifIndex == 0)
            return false;
        // One answer per interface and filter pass, cached per thread (no shared QString
        // reference counts bouncing between the scanning threads).
        thread_local quint64 generation = 0;
        thread_local const RouteTableModel *owner = nullptr;
        thread_local std::vector<signed char> matches; // by ifIndex: -1 unknown, 0 / 1
        if (generation != needle.generation || owner != this) {
            generation = needle.generation;
            owner = this;
            matches.clear();
        }
        if (ifIndex < 65536) {
            if (matches.size() <= ifIndex)
                matches.resize(ifIndex + 1, -1);
            signed char &known = matches[ifIndex];
            if (known < 0) {
                const QString name = m_names ? m_names->name(ifIndex) : QStringLiteral("if %1").arg(ifIndex);
                known = name.contains(needle.text, Qt::CaseInsensitive) ? 1 : 0;
            }
            return known == 1;
        }
        const QString name = m_names ? m_names->name(ifIndex) : QStringLiteral("if %1").arg(ifIndex);
        return name.contains(needle.text, Qt::CaseInsensitive);
    }
    return cellData(row, Interface, Qt::DisplayRole).toString().contains(needle.text, Qt::CaseInsensitive);
}

} // namespace ncv

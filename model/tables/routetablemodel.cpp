// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/routetablemodel.h"

#include "model/interfacenames.h"
#include "model/modeltext.h"
#include "platform/format.h"

#include <QHash>

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
    // Only the Expires cells of routes with an expiry count down: one dataChanged per run
    // of neighbouring such rows (a sorted or filtered proxy re-checks just those rows).
    if (m_expiringRevision != revision()) {
        m_expiringRevision = revision();
        m_expiring.clear();
        for (int i = 0, n = rowCount(); i < n; ++i) {
            if (rowAt(i).expiresUs != 0)
                m_expiring.push_back(i);
        }
    }
    std::size_t i = 0;
    while (i < m_expiring.size()) {
        std::size_t j = i;
        while (j + 1 < m_expiring.size() && m_expiring[j + 1] == m_expiring[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(m_expiring[i], Expires), index(m_expiring[j], Expires));
        i = j + 1;
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

} // namespace

QString RouteTableModel::protocolText(const RouteRow &r) const
{
    // By value: compareRows() holds two of these at once (a shared buffer for the names
    // outside the table would make both sides the same string).
    if (r.protocol > 255 || r.protocolSpace != ProtocolSpace::RtmProtocol)
        return qs(protocolName(r.protocol, r.protocolSpace));
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
    case Expires: {
        // By the expiry time itself (never = last): the order of the seconds shown, with
        // routes of the same second in the order they expire.
        const auto key = [](qint64 us) { return us == 0 ? std::numeric_limits<quint64>::max() : quint64(us); };
        return cmp(key(l.expiresUs), key(r.expiresUs));
    }
    default: return ChangeTableModel::compareRows(a, b, column);
    }
}

namespace {

// Decimal texts of 0..255 ("0".."255"), for IPv4 addresses without std::to_chars.
struct Octets {
    std::array<std::array<char, 4>, 256> text {};
    std::array<std::uint8_t, 256> length {};
    Octets()
    {
        for (unsigned v = 0; v < 256; ++v)
            length[v] = std::uint8_t(std::to_chars(text[v].data(), text[v].data() + 4, v).ptr - text[v].data());
    }
};
const Octets s_octets;

// Writes an IPv4 address at p (room for 15 chars); returns the end.
char *writeIpv4(char *p, const IpAddress &a)
{
    for (int k = 0; k < 4; ++k) {
        if (k)
            *p++ = '.';
        const unsigned v = a.bytes[std::size_t(k)];
        std::memcpy(p, s_octets.text[v].data(), 4);
        p += s_octets.length[v];
    }
    return p;
}

bool has(std::string_view hay, std::string_view needle)
{
    return hay.find(needle) != std::string_view::npos;
}

// Address text as toString() writes it, into out (IPv4 without allocating).
void writeAddress(std::string &out, const IpAddress &a)
{
    if (a.family == Family::IPv4) {
        char buf[16];
        out.append(buf, std::size_t(writeIpv4(buf, a) - buf));
    } else {
        out += toString(a);
    }
}

} // namespace

void RouteTableModel::prepareContains(const Needle &needle) const
{
    Match &m = m_match;
    m.generation = needle.generation;
    m.prepared = true;
    m.needle = needle.lowerUtf8;
    const std::string_view n = m.needle;
    m.family = {false, has("ipv4", n), has("ipv6", n)};
    std::string number;
    for (unsigned v = 0; v < 256; ++v) {
        m.protocol[v] = has(m_protocolLower[v], n);
        m.scope[v] = has(m_scopeLower[v], n);
        m.type[v] = has(m_typeLower[v], n);
        m.table[v] = has(tableName(v), n);
    }
    const auto only
        = [n](std::string_view chars) { return !n.empty() && n.find_first_not_of(chars) == std::string_view::npos; };
    m.address = only("0123456789abcdef.:/, ");
    m.number = only("0123456789");
    m.expires = only("0123456789s");
}

bool RouteTableModel::rowContains(int row, const Needle &needle) const
{
    // Each column on its own (a typed needle never spans two cells), cheapest first.
    if (!m_match.prepared || m_match.generation != needle.generation)
        prepareContains(needle); // GUI thread: the proxy prepares before it scans on threads
    const Match &m = m_match;
    const std::string_view n = m.needle;
    const RouteRow &r = rowAt(row);
#if defined(__GNUC__)
    // Scans go row after row: fetch the next hops of a row a little ahead (they live on
    // the heap; waiting for them is most of a scan's time at 1M rows).
    if (row + 8 < rowCount())
        __builtin_prefetch(rowAt(row + 8).nextHops.data());
#endif
    if (std::size_t(r.family()) < m.family.size() && m.family[std::size_t(r.family())])
        return true;
    if (r.protocol <= 255 && r.protocolSpace == ProtocolSpace::RtmProtocol) {
        if (m.protocol[r.protocol])
            return true;
    } else {
        std::string name(protocolName(r.protocol, r.protocolSpace));
        for (char &c : name)
            c = char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (has(name, n))
            return true;
    }
    if (m.scope[r.scope] || m.type[r.type])
        return true;
    if (r.table <= 255 ? m.table[r.table] : m.number && has(tableName(r.table), n))
        return true;
    if (m.number) {
        char buf[16];
        if (has(std::string_view(buf, std::size_t(std::to_chars(buf, buf + sizeof buf, r.metric).ptr - buf)), n))
            return true;
    }
    if (m.address) {
        // Destination "a.b.c.d/len", next hops "g1, g2", preferred source.
        if (r.destination.family == Family::IPv4) {
            char buf[24];
            char *p = writeIpv4(buf, r.destination);
            *p++ = '/';
            p = std::to_chars(p, buf + sizeof buf, unsigned(r.prefixLength)).ptr;
            if (has(std::string_view(buf, std::size_t(p - buf)), n))
                return true;
        } else if (r.destination.family != Family::Unspec && has(toCidr(r.destination, r.prefixLength), n)) {
            return true;
        }
        if (r.nextHops.size() == 1) {
            const IpAddress &g = r.nextHops.front().gateway;
            if (g.family == Family::IPv4 && !unspecified(g)) {
                // Neighbouring routes mostly share their gateway: remember the last answer.
                thread_local struct {
                    quint64 generation = 0;
                    const RouteTableModel *owner = nullptr;
                    std::uint32_t address = 0;
                    bool result = false;
                } last;
                std::uint32_t address;
                std::memcpy(&address, g.bytes.data(), 4);
                if (last.generation != needle.generation || last.owner != this || last.address != address) {
                    char buf[16];
                    last.result = has(std::string_view(buf, std::size_t(writeIpv4(buf, g) - buf)), n);
                    last.generation = needle.generation;
                    last.owner = this;
                    last.address = address;
                }
                if (last.result)
                    return true;
            } else if (!unspecified(g) && has(toString(g), n)) {
                return true;
            }
        } else if (r.nextHops.size() > 1) {
            std::string text;
            for (const NextHop &hop : r.nextHops) {
                if (unspecified(hop.gateway))
                    continue;
                if (!text.empty())
                    text += ", ";
                writeAddress(text, hop.gateway);
            }
            if (has(text, n))
                return true;
        }
        if (!unspecified(r.prefSrc)) {
            if (r.prefSrc.family == Family::IPv4) {
                char buf[16];
                if (has(std::string_view(buf, std::size_t(writeIpv4(buf, r.prefSrc) - buf)), n))
                    return true;
            } else if (has(toString(r.prefSrc), n)) {
                return true;
            }
        }
    }
    if (m.expires && r.expiresUs != 0
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

namespace {

// Family in bits 48..55, the first 6 address bytes in bits 0..47: the order of
// compareAddress(), exact when the address has at most 6 bytes (IPv4).
quint64 addressBits(const IpAddress &a, bool &exact)
{
    quint64 key = quint64(a.family) << 48;
    const std::size_t length = a.byteLength();
    for (std::size_t k = 0; k < std::min<std::size_t>(length, 6); ++k)
        key |= quint64(a.bytes[k]) << (40 - 8 * k);
    exact = length <= 6;
    return key;
}

// Ranks of distinct texts in QString::compare order (equal texts share a rank).
std::vector<quint32> textRanks(const std::vector<QString> &texts)
{
    std::vector<quint32> order(texts.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = quint32(i);
    std::sort(order.begin(), order.end(),
              [&texts](quint32 a, quint32 b) { return QString::compare(texts[a], texts[b]) < 0; });
    std::vector<quint32> ranks(texts.size());
    quint32 rank = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (i > 0 && QString::compare(texts[order[i - 1]], texts[order[i]]) != 0)
            ++rank;
        ranks[order[i]] = rank;
    }
    return ranks;
}

} // namespace

bool RouteTableModel::sortKeys(int column, std::vector<SortKey> &keys) const
{
    const int n = rowCount();
    keys.resize(std::size_t(n));
    const auto each = [&](auto &&keyOf) {
        for (int i = 0; i < n; ++i) {
            SortKey &k = keys[std::size_t(i)];
            k.row = quint32(i);
            bool exact = true;
            k.key = keyOf(rowAt(i), exact);
            k.exact = exact ? 1 : 0;
        }
    };
    switch (column) {
    case Family: each([](const RouteRow &r, bool &) { return quint64(r.family()); }); return true;
    case Destination:
        each([](const RouteRow &r, bool &exact) {
            const quint64 bits = addressBits(r.destination, exact) << 8;
            return exact ? bits | r.prefixLength : bits;
        });
        return true;
    case NextHops:
        each([](const RouteRow &r, bool &exact) -> quint64 {
            // No gateway first; then by the first gateway (exact for one IPv4 gateway).
            int gateways = 0;
            const IpAddress *first = nullptr;
            for (const NextHop &hop : r.nextHops) {
                if (!unspecified(hop.gateway) && gateways++ == 0)
                    first = &hop.gateway;
            }
            if (!first)
                return 0;
            const quint64 key = (quint64(1) << 63) | addressBits(*first, exact);
            exact = exact && gateways == 1;
            return key;
        });
        return true;
    case Interface: {
        // Rank of the displayed text among the distinct ones; one text per ifindex for
        // single-hop routes, the joined names of multipath routes as they are shown.
        std::vector<QString> texts;
        std::vector<qint32> byIfIndex; // ifindex < 65536 -> text index, -1 unknown
        QHash<quint32, qint32> otherIfIndex;
        QHash<QString, qint32> joined;
        std::vector<qint32> textOf(static_cast<std::size_t>(n));
        const auto textIndex = [&texts](QHash<QString, qint32> &map, const QString &text) {
            auto it = map.find(text);
            if (it == map.end()) {
                it = map.insert(text, qint32(texts.size()));
                texts.push_back(text);
            }
            return *it;
        };
        for (int i = 0; i < n; ++i) {
            const RouteRow &r = rowAt(i);
            if (r.nextHops.size() > 1) {
                textOf[std::size_t(i)] = textIndex(joined, cellData(i, Interface, SortRole).toString());
                continue;
            }
            const quint32 ifIndex = r.outIfIndex();
            qint32 *slot = nullptr;
            if (ifIndex < 65536) {
                if (byIfIndex.size() <= ifIndex)
                    byIfIndex.resize(ifIndex + 1, -1);
                slot = &byIfIndex[ifIndex];
            } else {
                auto it = otherIfIndex.find(ifIndex);
                if (it == otherIfIndex.end())
                    it = otherIfIndex.insert(ifIndex, -1);
                slot = &*it;
            }
            if (*slot < 0) {
                const QString name = ifIndex == 0 ? QString()
                    : m_names                     ? m_names->name(ifIndex)
                                                  : QStringLiteral("if %1").arg(ifIndex);
                *slot = textIndex(joined, name);
            }
            textOf[std::size_t(i)] = *slot;
        }
        const std::vector<quint32> ranks = textRanks(texts);
        for (int i = 0; i < n; ++i)
            keys[std::size_t(i)] = SortKey {ranks[std::size_t(textOf[std::size_t(i)])], quint32(i), 1};
        return true;
    }
    case Metric: each([](const RouteRow &r, bool &) { return quint64(r.metric); }); return true;
    case Table: each([](const RouteRow &r, bool &) { return quint64(r.table); }); return true;
    case Protocol: {
        std::vector<QString> texts;
        QHash<quint64, qint32> index; // protocol << 8 | space
        std::vector<qint32> textOf(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            const RouteRow &r = rowAt(i);
            const quint64 id = (quint64(r.protocol) << 8) | quint64(r.protocolSpace);
            auto it = index.find(id);
            if (it == index.end()) {
                it = index.insert(id, qint32(texts.size()));
                texts.push_back(protocolText(r));
            }
            textOf[std::size_t(i)] = *it;
        }
        const std::vector<quint32> ranks = textRanks(texts);
        for (int i = 0; i < n; ++i)
            keys[std::size_t(i)] = SortKey {ranks[std::size_t(textOf[std::size_t(i)])], quint32(i), 1};
        return true;
    }
    case Scope: each([](const RouteRow &r, bool &) { return quint64(r.scope); }); return true;
    case Type: {
        const std::vector<quint32> ranks = textRanks(std::vector<QString>(m_typeTexts.begin(), m_typeTexts.end()));
        each([&ranks](const RouteRow &r, bool &) { return quint64(ranks[r.type]); });
        return true;
    }
    case PrefSrc:
        each([](const RouteRow &r, bool &exact) -> quint64 {
            if (r.prefSrc.isUnspecified())
                return 0;
            return (quint64(1) << 63) | addressBits(r.prefSrc, exact);
        });
        return true;
    case Expires:
        each([](const RouteRow &r, bool &) {
            return r.expiresUs == 0 ? std::numeric_limits<quint64>::max() : quint64(r.expiresUs);
        });
        return true;
    default: keys.clear(); return false;
    }
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// Reading our CSV export back into records (see csvevents.h). Runs on the calling thread.
#include "model/export/csvevents.h"

#include "model/export/csvreader.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"

#include <QHash>

#include <array>
#include <string_view>

namespace ncv::csv {

using namespace platform;

namespace {

/// The index of a column by its name in the header line (the one place that orders them).
/// Compares character by character: GCC's sanitizers reject std::string_view::find in a
/// constant expression.
constexpr int column(std::string_view name)
{
    const std::string_view header(kHeaderLine);
    int index = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= header.size(); ++i) {
        if (i < header.size() && header[i] != ',')
            continue;
        bool same = i - start == name.size();
        for (std::size_t k = 0; same && k < name.size(); ++k)
            same = header[start + k] == name[k];
        if (same)
            return index;
        ++index;
        start = i + 1;
    }
    return -1;
}

constexpr int Time = column("time_utc"), Object = column("object"), Change = column("change"),
              FamilyCol = column("family"), IfIndex = column("if_index"), IfName = column("if_name"),
              Destination = column("destination"), Gateway = column("gateway"), Metric = column("metric"),
              Protocol = column("protocol"), Table = column("table"), ChangedFields = column("changed_fields"),
              Details = column("details"), OriginCol = column("origin"), ProcessCol = column("process"),
              PidCol = column("pid"), NamespaceCol = column("namespace"), ColumnCount = NamespaceCol + 1,
              ColumnCountWithoutNamespace = PidCol + 1, ColumnCountWithoutProcess = OriginCol + 1;
static_assert(Time == 1 && ColumnCount == 18 && ColumnCountWithoutNamespace == 17 && ColumnCountWithoutProcess == 15
              && ProcessCol == 15);

/// The requester the process and pid cells name (csvwriter.cpp writes requesterText() and
/// requesterPidText()): "ip (4006)" with pid 4006 is that process, "4006 (exited)" a PID
/// whose name was never seen, "kernel", "port 4006", and any other text the cause of an
/// inferred event. The port id is not in the CSV (0).
std::uint32_t requesterOfCells(const QString &process, const QString &pidText)
{
    if (process.isEmpty())
        return 0;
    Requester r;
    bool ok = false;
    const int pid = pidText.toInt(&ok);
    const QString suffix = QStringLiteral(" (%1)").arg(pid);
    if (ok && pid > 0 && process == QStringLiteral("%1 (exited)").arg(pid)) {
        r.kind = Requester::Kind::Exited;
        r.pid = pid;
    } else if (ok && pid > 0 && process.endsWith(suffix)) {
        r.kind = Requester::Kind::Process;
        r.pid = pid;
        r.command = process.chopped(suffix.size()).toStdString();
    } else if (process == QLatin1String("kernel")) {
        return RequesterTable::kernel();
    } else if (process.startsWith(QLatin1String("port "))) {
        const uint port = process.mid(5).toUInt(&ok);
        if (ok)
            return RequesterTable::port(port);
        r.kind = Requester::Kind::Cause;
        r.cause = process.toStdString();
    } else {
        r.kind = Requester::Kind::Cause;
        r.cause = process.toStdString();
    }
    return RequesterTable::intern(r);
}

/// The names the writer uses, back to their values (built once).
struct Names {
    QHash<QString, ObjectKind> objects;
    QHash<QString, ChangeKind> changes;
    QHash<QString, Family> families;
    QHash<QString, Origin> origins;
    QHash<QString, std::uint32_t> rtmProtocols, mibProtocols, tables;
    std::array<QHash<QString, FieldMask>, std::size_t(kLastObjectKind) + 1> fields; ///< by ObjectKind

    Names()
    {
        const auto qs = [](std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); };
        for (int k = 1; k <= int(kLastObjectKind); ++k)
            objects.insert(qs(objectName(ObjectKind(k))), ObjectKind(k));
        for (int c = 0; c < int(ChangeKind::SnapshotComplete); ++c)
            changes.insert(qs(changeName(ChangeKind(c))), ChangeKind(c));
        for (int f = 0; f <= int(Family::IPv6); ++f)
            families.insert(qs(familyName(Family(f))), Family(f));
        families.insert(QString(), Family::Unspec);
        origins.insert(qs(originName(Origin::Observed)), Origin::Observed);
        origins.insert(qs(originName(Origin::Inferred)), Origin::Inferred);
        // Reverse order: the lowest number wins when two numbers share a name.
        for (int p = 255; p >= 0; --p) {
            rtmProtocols.insert(QString::fromStdString(protocolName(std::uint32_t(p))), std::uint32_t(p));
            tables.insert(QString::fromStdString(tableName(std::uint32_t(p))), std::uint32_t(p));
        }
        for (const std::uint32_t p : {1u,  2u,  3u,  4u,  5u,  6u,  7u,  8u,  9u,     10u,    11u,
                                      12u, 13u, 14u, 15u, 16u, 17u, 18u, 19u, 10002u, 10006u, 10007u})
            mibProtocols.insert(QString::fromStdString(protocolName(p, ProtocolSpace::MibIpProto)), p);
        for (const ObjectKind k : {ObjectKind::Interface, ObjectKind::Address, ObjectKind::Route, ObjectKind::Entity,
                                   ObjectKind::Neighbor, ObjectKind::Rule, ObjectKind::Nexthop})
            for (int bit = 0; bit < 32; ++bit) {
                const std::string name = fieldList(k, FieldMask(1) << bit, ";");
                if (!name.empty())
                    fields[std::size_t(k)].insert(QString::fromStdString(name), FieldMask(1) << bit);
            }
    }
};

const Names &names()
{
    static const Names n;
    return n;
}

/// The cell's text without the formula guard the writer put before it.
QString unguarded(const QString &cell)
{
    if (cell.startsWith(QLatin1Char('\''))) {
        const QByteArray rest = cell.mid(1).toUtf8();
        if (needsFormulaGuard(std::string_view(rest.constData(), std::size_t(rest.size()))))
            return cell.mid(1);
    }
    return cell;
}

bool parseNumber(const QString &text, std::uint32_t *out)
{
    if (text.isEmpty()) {
        *out = 0;
        return true;
    }
    bool ok = false;
    const uint v = text.toUInt(&ok, 10);
    *out = v;
    return ok && !text.startsWith(QLatin1Char('+'));
}

/// "10.1.0.0/24" -> address and prefix length (a bare address: the full length).
bool parseCidr(const QString &text, IpAddress *address, std::uint8_t *prefix)
{
    const qsizetype slash = text.indexOf(QLatin1Char('/'));
    *address = IpAddress::parse((slash < 0 ? text : text.left(slash)).toStdString());
    if (address->family == Family::Unspec)
        return false;
    const unsigned max = address->family == Family::IPv4 ? 32 : 128;
    if (slash < 0) {
        *prefix = std::uint8_t(max);
        return true;
    }
    bool ok = false;
    const uint length = text.mid(slash + 1).toUInt(&ok, 10);
    if (!ok || length > max)
        return false;
    *prefix = std::uint8_t(length);
    return true;
}

bool lookup(const QHash<QString, std::uint32_t> &table, const QString &text, std::uint32_t *out)
{
    const auto it = table.constFind(text);
    if (it != table.constEnd()) {
        *out = *it;
        return true;
    }
    return !text.isEmpty() && parseNumber(text, out);
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

} // namespace

bool looksLikeCsvExport(const QByteArray &data)
{
    QByteArrayView view(data);
    if (view.startsWith("\xEF\xBB\xBF"))
        view = view.sliced(3);
    for (const QByteArrayView line : {QByteArrayView(kHeaderLine), QByteArrayView(kHeaderLineWithoutNamespace),
                                      QByteArrayView(kHeaderLineWithoutProcess)}) {
        if (!view.startsWith(line))
            continue;
        const QByteArrayView rest = view.sliced(line.size());
        if (rest.isEmpty() || rest.startsWith("\r\n") || rest.startsWith("\n"))
            return true;
    }
    return false;
}

bool parseIsoTimeUtc(QStringView text, std::int64_t *timeUs, std::uint16_t *subUsNs, int *fractionDigits)
{
    // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
    if (text.size() < 20 || text.back() != QLatin1Char('Z'))
        return false;
    const auto digits = [&](qsizetype at, qsizetype n, unsigned *out) {
        unsigned v = 0;
        for (qsizetype i = at; i < at + n; ++i) {
            const char16_t c = text[i].unicode();
            if (c < u'0' || c > u'9')
                return false;
            v = v * 10 + unsigned(c - u'0');
        }
        *out = v;
        return true;
    };
    unsigned y, mo, d, h, mi, s;
    if (!digits(0, 4, &y) || text[4] != QLatin1Char('-') || !digits(5, 2, &mo) || text[7] != QLatin1Char('-')
        || !digits(8, 2, &d) || text[10] != QLatin1Char('T') || !digits(11, 2, &h) || text[13] != QLatin1Char(':')
        || !digits(14, 2, &mi) || text[16] != QLatin1Char(':') || !digits(17, 2, &s))
        return false;
    static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 60)
        return false;
    std::int64_t nanos = 0;
    qsizetype n = 0;
    const qsizetype end = text.size() - 1;
    if (end > 19) {
        n = end - 20;
        if (text[19] != QLatin1Char('.') || n < 1 || n > 9)
            return false;
        unsigned frac = 0;
        if (!digits(20, n, &frac))
            return false;
        nanos = frac;
        for (qsizetype i = n; i < 9; ++i)
            nanos *= 10;
    }
    const std::int64_t days = daysFromCivil(y, mo, d);
    *timeUs = ((days * 86400 + std::int64_t(h) * 3600 + mi * 60 + s) * 1'000'000) + nanos / 1000;
    if (subUsNs)
        *subUsNs = std::uint16_t(nanos % 1000);
    if (fractionDigits)
        *fractionDigits = int(n);
    return true;
}

CsvEventReader::CsvEventReader(Sink sink) : m_sink(std::move(sink)) { }

void CsvEventReader::feed(const char *data, std::size_t len)
{
    m_stats.bytes += std::int64_t(len);
    if (stopped()) {
        m_stats.unreadBytes += std::int64_t(len);
        return;
    }
    for (std::size_t i = 0; i < len; ++i) {
        const char c = data[i];
        if (c == '\n') {
            if (m_scan != Scan::Quoted) {
                row(m_pending.data(), m_pending.size(), m_rowLine);
                if (stopped()) { // not our CSV: this row and the rest are not read
                    m_stats.unreadBytes += std::int64_t(m_pending.size() + 1 + (len - i - 1));
                    m_pending.clear();
                    return;
                }
                m_pending.clear();
                m_scan = Scan::FieldStart;
                m_rowLine = ++m_line;
                continue;
            }
            ++m_line;
        }
        switch (m_scan) {
        case Scan::FieldStart: m_scan = c == '"' ? Scan::Quoted : c == ',' ? Scan::FieldStart : Scan::Unquoted; break;
        case Scan::Unquoted:
            if (c == ',')
                m_scan = Scan::FieldStart;
            break;
        case Scan::Quoted:
            if (c == '"')
                m_scan = Scan::QuoteInQuoted;
            break;
        case Scan::QuoteInQuoted:
            m_scan = c == '"' ? Scan::Quoted : c == ',' ? Scan::FieldStart : Scan::Unquoted;
            break;
        }
        m_pending += c;
        if (m_pending.size() > kMaxRowBytes) {
            stop(QStringLiteral("line %1: a row longer than %2 bytes (an unterminated quoted field?)")
                     .arg(m_rowLine)
                     .arg(kMaxRowBytes),
                 std::int64_t(m_pending.size() + (len - i - 1)));
            m_pending.clear();
            return;
        }
    }
}

void CsvEventReader::finish()
{
    if (stopped() || m_pending.empty())
        return;
    if (m_scan == Scan::Quoted) {
        stop(QStringLiteral("line %1: unterminated quoted field").arg(m_rowLine), std::int64_t(m_pending.size()));
        m_pending.clear();
        return;
    }
    row(m_pending.data(), m_pending.size(), m_rowLine);
    if (stopped())
        m_stats.unreadBytes += std::int64_t(m_pending.size());
    m_pending.clear();
}

void CsvEventReader::stop(const QString &why, std::int64_t unread)
{
    m_stats.stopped = why;
    m_stats.unreadBytes += unread;
}

void CsvEventReader::bad(std::int64_t line, const QString &why)
{
    ++m_stats.badRows;
    if (m_stats.firstBadRow.isEmpty())
        m_stats.firstBadRow = QStringLiteral("line %1: %2").arg(line).arg(why);
}

void CsvEventReader::row(const char *data, std::size_t len, std::int64_t line)
{
    if (len > 0 && data[len - 1] == '\r')
        --len;
    if (!m_stats.headerSeen) {
        const QByteArray first(data, qsizetype(len));
        if (!looksLikeCsvExport(first)) {
            stop(QStringLiteral("line 1: not the header line of a NetChangeView CSV export"), 0);
            return;
        }
        m_stats.headerSeen = true;
        m_columns = first.startsWith(kHeaderLine)           ? ColumnCount
            : first.startsWith(kHeaderLineWithoutNamespace) ? ColumnCountWithoutNamespace
                                                            : ColumnCountWithoutProcess;
        return;
    }
    if (len == 0)
        return; // a blank line (a trailing one, or between rows) holds no event
    ++m_stats.rows;
    QString error;
    const QList<QStringList> parsed = parse(QByteArray::fromRawData(data, qsizetype(len)), &error);
    if (!error.isEmpty()) {
        // "line k: why", k counted from the row's first line.
        qsizetype colon = error.indexOf(QLatin1String(": "));
        bool ok = false;
        const qint64 k
            = error.startsWith(QLatin1String("line ")) && colon > 5 ? error.mid(5, colon - 5).toLongLong(&ok) : 0;
        bad(ok ? line + k - 1 : line, ok ? error.mid(colon + 2) : error);
        return;
    }
    if (parsed.size() != 1) {
        bad(line, QStringLiteral("not one row"));
        return;
    }
    const QStringList &f = parsed.front();
    // Rows of the 15 columns before process and pid were added, and of the 17 before namespace
    // was, are read under any header.
    if (f.size() != m_columns && f.size() != ColumnCountWithoutProcess && f.size() != ColumnCountWithoutNamespace) {
        bad(line, QStringLiteral("%1 columns expected, %2 found").arg(m_columns).arg(f.size()));
        return;
    }
    const Names &n = names();
    ChangeRecord r;
    int digits = 0;
    if (!parseIsoTimeUtc(f[Time], &r.timeUs, &r.timeSubUsNs, &digits)) {
        bad(line, QStringLiteral("bad time_utc \"%1\"").arg(f[Time].left(40)));
        return;
    }
    m_stats.fractionDigits = std::max(m_stats.fractionDigits, digits);
    // One of the names the writer uses for the column, else the row is bad.
    const auto named = [&](const auto &table, int col, const char *what, auto *out) {
        const auto it = table.constFind(f[col]);
        if (it == table.constEnd()) {
            bad(line, QStringLiteral("unknown %1 \"%2\"").arg(QLatin1StringView(what), f[col].left(40)));
            return false;
        }
        *out = *it;
        return true;
    };
    if (!named(n.objects, Object, "object", &r.object) || !named(n.changes, Change, "change", &r.change)
        || !named(n.families, FamilyCol, "family", &r.family) || !named(n.origins, OriginCol, "origin", &r.origin))
        return;
    const QString details = unguarded(f[Details]);
    r.note = details.toStdString();
    if (f.size() >= ColumnCountWithoutNamespace)
        r.requester = requesterOfCells(unguarded(f[ProcessCol]), f[PidCol]);
    if (f.size() == ColumnCount && !f[NamespaceCol].isEmpty()) {
        // The name is all a CSV says of a namespace: one id per name.
        platform::NetNamespace ns;
        ns.name = unguarded(f[NamespaceCol]).toStdString();
        r.netns = platform::NamespaceTable::intern(ns);
    }
    if (r.object == ObjectKind::Gap) {
        r.change = ChangeKind::Gap;
        ++m_stats.records;
        m_sink(r, QString());
        return;
    }
    if (r.change == ChangeKind::Gap) {
        bad(line, QStringLiteral("change gap on an object %1").arg(f[Object]));
        return;
    }
    if (r.object == ObjectKind::Nsid) {
        // No row: the id is the destination cell; the details are made from it again.
        bool ok = false;
        const int id = f[Destination].toInt(&ok, 10);
        if (!ok || id < 0 || f[Destination].startsWith(QLatin1Char('+'))
            || (r.change != ChangeKind::Add && r.change != ChangeKind::Delete)) {
            bad(line, QStringLiteral("bad nsid \"%1\" (%2)").arg(f[Destination].left(40), f[Change]));
            return;
        }
        r.nsid = id;
        r.note.clear();
        ++m_stats.records;
        m_sink(r, QString());
        return;
    }
    std::uint32_t ifIndex = 0;
    if (!parseNumber(f[IfIndex], &ifIndex)) {
        bad(line, QStringLiteral("bad if_index \"%1\"").arg(f[IfIndex].left(40)));
        return;
    }
    const QString ifName = unguarded(f[IfName]);
    Row row;
    switch (r.object) {
    case ObjectKind::Interface: {
        InterfaceRow i;
        i.ifIndex = ifIndex;
        i.family = r.family;
        i.name = ifName.toStdString();
        row = std::move(i);
        break;
    }
    case ObjectKind::Address: {
        AddressRow a;
        a.ifIndex = ifIndex;
        if (!parseCidr(f[Destination], &a.address, &a.prefixLength)) {
            bad(line, QStringLiteral("bad address \"%1\"").arg(f[Destination].left(60)));
            return;
        }
        row = std::move(a);
        break;
    }
    case ObjectKind::Route: {
        RouteRow route;
        if (!parseCidr(f[Destination], &route.destination, &route.prefixLength)) {
            bad(line, QStringLiteral("bad destination \"%1\"").arg(f[Destination].left(60)));
            return;
        }
        const bool windows = f[Table].isEmpty(); // Windows routes have no table
        route.protocolSpace = windows ? ProtocolSpace::MibIpProto : ProtocolSpace::RtmProtocol;
        route.table = 0;
        if ((!windows && !lookup(n.tables, f[Table], &route.table))
            || !lookup(windows ? n.mibProtocols : n.rtmProtocols, f[Protocol], &route.protocol)
            || !parseNumber(f[Metric], &route.metric)) {
            bad(line,
                QStringLiteral("bad metric, protocol or table \"%1\", \"%2\", \"%3\"")
                    .arg(f[Metric].left(20), f[Protocol].left(20), f[Table].left(20)));
            return;
        }
        if (!f[Gateway].isEmpty()) {
            for (const QString &g : f[Gateway].split(QLatin1Char(';'))) {
                NextHop hop;
                hop.gateway = IpAddress::parse(g.toStdString());
                if (hop.gateway.family == Family::Unspec) {
                    bad(line, QStringLiteral("bad gateway \"%1\"").arg(g.left(60)));
                    return;
                }
                hop.ifIndex = route.nextHops.empty() ? ifIndex : 0;
                route.nextHops.push_back(hop);
            }
        } else if (ifIndex != 0) {
            NextHop hop;
            hop.ifIndex = ifIndex;
            route.nextHops.push_back(hop);
        }
        row = std::move(route);
        break;
    }
    case ObjectKind::Entity: {
        EntityRow e;
        if (lookup(n.rtmProtocols, f[Protocol], &e.protocol)) {
            e.protocolSpace = ProtocolSpace::RtmProtocol;
        } else if (lookup(n.mibProtocols, f[Protocol], &e.protocol)) {
            e.protocolSpace = ProtocolSpace::MibIpProto;
        } else {
            bad(line, QStringLiteral("bad protocol \"%1\"").arg(f[Protocol].left(40)));
            return;
        }
        e.routeCount = r.change == ChangeKind::Deregistered ? 0 : 1;
        row = e;
        break;
    }
    case ObjectKind::Neighbor: {
        NeighborRow nb;
        nb.ifIndex = ifIndex;
        QString dst = f[Destination];
        if (dst.endsWith(QLatin1String(" proxy"))) {
            dst.chop(6);
            nb.flags = NtfProxy;
        }
        nb.address = IpAddress::parse(dst.toStdString());
        if (nb.address.family == Family::Unspec) {
            bad(line, QStringLiteral("bad neighbor address \"%1\"").arg(f[Destination].left(60)));
            return;
        }
        row = nb;
        break;
    }
    case ObjectKind::Rule: {
        // metric = priority, protocol by name, destination = selectors and action as
        // `ip rule` writes them (fieldtext::ruleText()): every field of the rule.
        RuleRow rule;
        rule.family = r.family;
        std::uint32_t protocol = 0;
        if (!parseNumber(f[Metric], &rule.priority)
            || (!f[Protocol].isEmpty() && (!lookup(n.rtmProtocols, f[Protocol], &protocol) || protocol > 255))) {
            bad(line,
                QStringLiteral("bad rule priority or protocol \"%1\", \"%2\"")
                    .arg(f[Metric].left(20), f[Protocol].left(20)));
            return;
        }
        rule.protocol = std::uint8_t(protocol);
        if ((rule.family != Family::IPv4 && rule.family != Family::IPv6)
            || !parseRuleText(f[Destination].toStdString(), rule)) {
            bad(line, QStringLiteral("bad rule \"%1\"").arg(f[Destination].left(60)));
            return;
        }
        row = std::move(rule);
        break;
    }
    case ObjectKind::Nexthop: {
        // destination = the nexthop as `ip nexthop` writes it (fieldtext::nexthopText()),
        // protocol by name, family and if_index in their columns: every field.
        NexthopRow nh;
        std::uint32_t protocol = 0;
        if (!f[Protocol].isEmpty() && (!lookup(n.rtmProtocols, f[Protocol], &protocol) || protocol > 255)) {
            bad(line, QStringLiteral("bad nexthop protocol \"%1\"").arg(f[Protocol].left(20)));
            return;
        }
        nh.protocol = std::uint8_t(protocol);
        // The device by name (if_name, its index in if_index), or by index (an interface
        // without a known name, and the exports before names were written).
        const std::string text = f[Destination].toStdString();
        std::string_view device;
        const bool parsed = parseNexthopText(text, nh, &device);
        const bool named
            = !device.empty() && ifIndex != 0 && QString::fromUtf8(device.data(), qsizetype(device.size())) == ifName;
        if (!parsed || (!named && (nh.ifIndex == 0) != device.empty())
            || (!named && nh.ifIndex != ifIndex && ifIndex != 0)) {
            bad(line, QStringLiteral("bad nexthop \"%1\"").arg(f[Destination].left(60)));
            return;
        }
        nh.family = r.family;
        if (named || ifIndex != 0)
            nh.ifIndex = ifIndex;
        row = std::move(nh);
        break;
    }
    default: bad(line, QStringLiteral("unknown object \"%1\"").arg(f[Object].left(40))); return;
    }
    if (r.change == ChangeKind::Parameter && !f[ChangedFields].isEmpty()) {
        const QHash<QString, FieldMask> &bits = n.fields[std::size_t(r.object)];
        for (const QString &name : f[ChangedFields].split(QLatin1Char(';'))) {
            const auto bit = bits.constFind(name);
            if (bit == bits.constEnd()) {
                bad(line, QStringLiteral("unknown changed field \"%1\"").arg(name.left(40)));
                return;
            }
            r.changedFields |= *bit;
        }
    }
    switch (r.change) {
    case ChangeKind::Initial:
    case ChangeKind::Add:
    case ChangeKind::Registered: r.after = std::move(row); break;
    case ChangeKind::Delete:
    case ChangeKind::Expired:
    case ChangeKind::Deregistered: r.before = std::move(row); break;
    default:
        r.before = row;
        r.after = std::move(row);
        break;
    }
    ++m_stats.records;
    m_sink(r, ifName);
}

} // namespace ncv::csv

#include "csvwriter.h"

#include "eventhistory.h"
#include "format.h"

#include <QFileInfo>
#include <QIODevice>
#include <QSaveFile>

#include <cstdio>

namespace ncv::csv {

using namespace platform;

namespace {

constexpr qint64 kProgressEvery = 4096;
constexpr qsizetype kChunkBytes = 1 << 20;

bool needsGuard(char first)
{
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

void appendCell(QByteArray &out, std::string_view text)
{
    const bool guard = !text.empty() && needsGuard(text.front());
    bool quote = false;
    for (const char c : text) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        if (guard)
            out.append('\'');
        out.append(text.data(), qsizetype(text.size()));
        return;
    }
    out.append('"');
    if (guard)
        out.append('\'');
    for (const char c : text) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}

void appendNumber(QByteArray &out, quint64 value)
{
    char buf[24];
    const int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(value));
    out.append(buf, n);
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void civilFromDays(qint64 z, qint64 *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 yy = qint64(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

void appendRow(QByteArray &out, const EventHistory &h, qint64 i)
{
    const ChangeRecord &r = h.record(i);
    appendNumber(out, h.sequence(i));
    out.append(',');
    out.append(isoTimeUtc(r.timeUs));
    out.append(',');
    appendCell(out, objectName(r.object));
    out.append(',');
    appendCell(out, changeName(r.change));
    out.append(',');
    appendCell(out, familyName(r.family));
    out.append(',');

    const Row &row = r.row();
    std::uint32_t ifIndex = 0;
    std::string destination, gateway, protocol, table;
    bool isRoute = false;
    std::uint32_t metric = 0;
    if (const auto *iface = std::get_if<InterfaceRow>(&row)) {
        ifIndex = iface->ifIndex;
    } else if (const auto *addr = std::get_if<AddressRow>(&row)) {
        ifIndex = addr->ifIndex;
        destination = toCidr(addr->address, addr->prefixLength);
    } else if (const auto *route = std::get_if<RouteRow>(&row)) {
        isRoute = true;
        ifIndex = route->outIfIndex();
        destination = toCidr(route->destination, route->prefixLength);
        gateway = gatewayList(*route);
        metric = route->metric;
        protocol = protocolName(route->protocol, route->protocolSpace);
        table = tableName(route->table);
    } else if (const auto *entity = std::get_if<EntityRow>(&row)) {
        protocol = protocolName(entity->protocol, entity->protocolSpace); // the entity's name
    }
    if (ifIndex != 0)
        appendNumber(out, ifIndex);
    out.append(',');
    const QByteArray ifName = h.ifName(i).toUtf8();
    appendCell(out, std::string_view(ifName.constData(), std::size_t(ifName.size())));
    out.append(',');
    appendCell(out, destination);
    out.append(',');
    appendCell(out, gateway);
    out.append(',');
    if (isRoute)
        appendNumber(out, metric);
    out.append(',');
    appendCell(out, protocol);
    out.append(',');
    appendCell(out, table);
    out.append(',');
    appendCell(out, r.change == ChangeKind::Parameter ? fieldList(r.changedFields, ";") : std::string());
    out.append(',');
    appendCell(out, details(r));
    out.append(',');
    appendCell(out, originName(r.origin));
    out.append("\r\n");
}

} // namespace

QByteArray header()
{
    return QByteArrayLiteral("sequence,time_utc,object,change,family,if_index,if_name,destination,gateway,"
                             "metric,protocol,table,changed_fields,details,origin\r\n");
}

QByteArray row(const EventHistory &h, qint64 i)
{
    QByteArray out;
    appendRow(out, h, i);
    return out;
}

QByteArray cell(std::string_view utf8)
{
    QByteArray out;
    appendCell(out, utf8);
    return out;
}

QByteArray cell(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return cell(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

QByteArray isoTimeUtc(qint64 timeUs)
{
    qint64 secs = timeUs / 1'000'000;
    qint64 micros = timeUs % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --secs;
    }
    qint64 days = secs / 86400;
    qint64 sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        --days;
    }
    qint64 y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(days, &y, &m, &d);
    char buf[48];
    const int n
        = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<long long>(y), m, d,
                        int(sod / 3600), int(sod / 60 % 60), int(sod % 60), static_cast<long long>(micros));
    return QByteArray(buf, n);
}

enum class WriteResult { Ok, Failed, Cancelled };

static WriteResult writeImpl(const EventHistory &h, QIODevice *out, QString *error, const Progress &progress)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return message == QLatin1StringView("cancelled") ? WriteResult::Cancelled : WriteResult::Failed;
    };
    if (!out || !out->isWritable())
        return fail(QStringLiteral("write failed: device not open for writing"));
    const qint64 total = h.size();
    QByteArray chunk;
    chunk.reserve(kChunkBytes + 4096);
    chunk.append(header());
    const auto flush = [&]() {
        if (chunk.isEmpty())
            return true;
        if (out->write(chunk) != chunk.size())
            return false;
        chunk.clear();
        return true;
    };
    for (qint64 i = 0; i < total; ++i) {
        appendRow(chunk, h, i);
        if (chunk.size() >= kChunkBytes && !flush())
            return fail(QStringLiteral("write failed: %1").arg(out->errorString()));
        if (progress && (i + 1) % kProgressEvery == 0 && !progress(i + 1, total))
            return fail(QStringLiteral("cancelled"));
    }
    if (!flush())
        return fail(QStringLiteral("write failed: %1").arg(out->errorString()));
    if (progress && !progress(total, total))
        return fail(QStringLiteral("cancelled"));
    if (error)
        error->clear();
    return WriteResult::Ok;
}

bool write(const EventHistory &h, QIODevice *out, QString *error, const Progress &progress)
{
    return writeImpl(h, out, error, progress) == WriteResult::Ok;
}

bool exportToFile(const EventHistory &h, const QString &path, QString *error, const Progress &progress)
{
    const auto fail = [&](const QString &reason) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, reason);
        return false;
    };
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("cannot write CSV: no file name given");
        return false;
    }
    const QFileInfo info(path);
    const QFileInfo dir(info.absolutePath());
    if (!dir.exists())
        return fail(QStringLiteral("directory %1 does not exist").arg(dir.filePath()));
    if (!dir.isDir())
        return fail(QStringLiteral("%1 is not a directory").arg(dir.filePath()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    QString writeError;
    const WriteResult result = writeImpl(h, &file, &writeError, progress);
    if (result != WriteResult::Ok) {
        file.cancelWriting();
        if (result == WriteResult::Cancelled) {
            if (error)
                *error = QStringLiteral("export to %1 cancelled").arg(path);
            return false;
        }
        return fail(writeError);
    }
    if (!file.commit())
        return fail(file.errorString());
    if (error)
        error->clear();
    return true;
}

} // namespace ncv::csv

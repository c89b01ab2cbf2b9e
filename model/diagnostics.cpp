#include "diagnostics.h"

#include <QByteArray>
#include <QFile>
#include <QList>

namespace ncv::diagnostics {

namespace {

QList<QByteArray> fields(const QByteArray &line)
{
    return line.simplified().split(' ');
}

std::optional<QByteArray> readProcFile(const QString &path, QString *error)
{
#ifdef Q_OS_LINUX
    QFile file(path);
    // /proc files report size 0: read until EOF.
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
#else
    Q_UNUSED(path);
    if (error)
        *error = QStringLiteral("not available on this system");
    return std::nullopt;
#endif
}

} // namespace

bool available()
{
#ifdef Q_OS_LINUX
    return true;
#else
    return false;
#endif
}

std::optional<std::int64_t> parseRmemMax(QByteArrayView text)
{
    const QByteArray trimmed = text.toByteArray().trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qlonglong value = trimmed.toLongLong(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return std::int64_t(value);
}

std::optional<NetlinkSocketInfo> parseNetlinkSocket(QByteArrayView text, std::uint32_t portId, int protocol)
{
    const QList<QByteArray> lines = text.toByteArray().split('\n');
    if (lines.isEmpty())
        return std::nullopt;
    const QList<QByteArray> header = fields(lines.front());
    const auto column = [&header](const char *name) {
        for (int i = 0; i < header.size(); ++i) {
            if (header.at(i).compare(name, Qt::CaseInsensitive) == 0)
                return i;
        }
        return -1;
    };
    const int pidColumn = column("Pid");
    const int dropsColumn = column("Drops");
    const int ethColumn = column("Eth");
    const int rmemColumn = column("Rmem");
    if (pidColumn < 0 || dropsColumn < 0)
        return std::nullopt;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = fields(lines.at(i));
        if (cells.size() <= std::max(pidColumn, dropsColumn))
            continue;
        bool ok = false;
        const qulonglong pid = cells.at(pidColumn).toULongLong(&ok);
        if (!ok || pid != portId)
            continue;
        NetlinkSocketInfo info;
        info.portId = std::uint32_t(pid);
        if (ethColumn >= 0 && ethColumn < cells.size())
            info.protocol = cells.at(ethColumn).toInt(&ok);
        if (protocol >= 0 && info.protocol != protocol)
            continue;
        info.drops = cells.at(dropsColumn).toULongLong(&ok);
        if (!ok)
            continue;
        if (rmemColumn >= 0 && rmemColumn < cells.size())
            info.rmem = cells.at(rmemColumn).toULongLong();
        return info;
    }
    return std::nullopt;
}

std::optional<std::int64_t> readRmemMax(QString *error)
{
    const auto text = readProcFile(QStringLiteral("/proc/sys/net/core/rmem_max"), error);
    if (!text)
        return std::nullopt;
    auto value = parseRmemMax(*text);
    if (!value && error)
        *error = QStringLiteral("unexpected content in /proc/sys/net/core/rmem_max");
    return value;
}

std::optional<NetlinkSocketInfo> readNetlinkSocket(std::uint32_t portId, QString *error)
{
    const auto text = readProcFile(QStringLiteral("/proc/net/netlink"), error);
    if (!text)
        return std::nullopt;
    auto info = parseNetlinkSocket(*text, portId, 0);
    if (!info && error)
        *error = QStringLiteral("no NETLINK_ROUTE socket with port id %1 in /proc/net/netlink").arg(portId);
    return info;
}

} // namespace ncv::diagnostics

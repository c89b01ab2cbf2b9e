// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/diagnostics.h"

#ifdef Q_OS_LINUX
#include "platform/linux/procnet.h"
#endif

namespace ncv::diagnostics {

bool available()
{
#ifdef Q_OS_LINUX
    return true;
#else
    return false;
#endif
}

std::optional<std::int64_t> readRmemMax(QString *error)
{
#ifdef Q_OS_LINUX
    std::string why;
    const auto value = platform::procnet::readRmemMax(&why);
    if (!value && error)
        *error = QString::fromStdString(why);
    return value;
#else
    if (error)
        *error = QStringLiteral("not available on this system");
    return std::nullopt;
#endif
}

std::optional<NetlinkSocketInfo> readNetlinkSocket(std::uint32_t portId, QString *error)
{
#ifdef Q_OS_LINUX
    std::string why;
    const auto row = platform::procnet::readNetlinkSocket(portId, &why);
    if (!row) {
        if (error)
            *error = QString::fromStdString(why);
        return std::nullopt;
    }
    return NetlinkSocketInfo {row->protocol, row->portId, row->rmem, row->drops};
#else
    Q_UNUSED(portId);
    if (error)
        *error = QStringLiteral("not available on this system");
    return std::nullopt;
#endif
}

} // namespace ncv::diagnostics

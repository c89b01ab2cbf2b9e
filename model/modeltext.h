// SPDX-License-Identifier: GPL-2.0-or-later
// Small text helpers shared by the table models and views: platform strings to QString,
// family names for tables, byte-wise sort keys for addresses.
#pragma once

#include "platform/types.h"

#include <QByteArray>
#include <QString>

#include <string_view>

namespace ncv {

/// UTF-8 text from the platform layer (std::string / std::string_view) as QString. The
/// platform's text is valid UTF-8: OS bytes that are not (names, aliases) are escaped as
/// `\xHH` where they enter (platform/textescape.h), so nothing is lost here.
inline QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/// "IPv4" / "IPv6" as the tables show a family; empty for Family::Unspec.
inline QString familyText(platform::Family f)
{
    switch (f) {
    case platform::Family::IPv4: return QStringLiteral("IPv4");
    case platform::Family::IPv6: return QStringLiteral("IPv6");
    case platform::Family::Unspec: break;
    }
    return {};
}

/// Sort key of address/prefix length: family, then the address bytes in network order,
/// then the prefix length, so addresses sort numerically (10.2 before 10.10).
inline QByteArray addressSortKey(const platform::IpAddress &a, unsigned prefixLength)
{
    QByteArray key;
    key.reserve(18);
    key.append(char(a.family));
    key.append(reinterpret_cast<const char *>(a.bytes.data()), qsizetype(a.byteLength()));
    key.append(char(prefixLength));
    return key;
}

} // namespace ncv

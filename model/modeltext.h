// SPDX-License-Identifier: GPL-2.0-or-later
// Small text helpers shared by the table models and views: platform strings to QString.
#pragma once

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

} // namespace ncv

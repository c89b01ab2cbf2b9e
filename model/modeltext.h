// Small text helpers shared by the table models and views: platform strings to QString.
#pragma once

#include <QString>

#include <string_view>

namespace ncv {

/// UTF-8 text from the platform layer (std::string / std::string_view) as QString.
inline QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace ncv

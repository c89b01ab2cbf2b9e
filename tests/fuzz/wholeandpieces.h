// SPDX-License-Identifier: GPL-2.0-or-later
// The check the file reader targets share: read the input whole, then again in pieces whose
// sizes come from its first byte (a message or row split across reads); both must give the
// same result, else abort (libFuzzer reports it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace ncv::fuzz {

/// Calls feed(data + at, bytes) over the input: whole when piece is 0, else in pieces.
template<typename Feed> void feedInPieces(const std::uint8_t *data, std::size_t size, std::size_t piece, Feed feed)
{
    if (piece == 0) {
        feed(data, size);
        return;
    }
    for (std::size_t at = 0; at < size; at += piece)
        feed(data + at, size - at < piece ? size - at : piece);
}

/// readAll(data, size, piece): piece 0 = whole; returns something comparable.
template<typename ReadAll> int sameWholeAndInPieces(const std::uint8_t *data, std::size_t size, ReadAll readAll)
{
    const auto whole = readAll(data, size, std::size_t(0));
    const std::size_t piece = size > 0 ? 1 + data[0] % 61 : 1;
    if (readAll(data, size, piece) != whole)
        std::abort();
    return 0;
}

} // namespace ncv::fuzz

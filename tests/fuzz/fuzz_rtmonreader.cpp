// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the rtmon file reader (RtmonReader) on arbitrary bytes, fed whole and
// again in pieces whose sizes come from the input (a message split across reads). Each
// delivered record goes through the text forms, which must be valid UTF-8, and both
// feedings must give the same records: the split must not change what is read.
#include "platform/format.h"
#include "platform/linux/rtmonreader.h"
#include "platform/textescape.h"
#include "wholeandpieces.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ncv::platform;

namespace {

std::vector<std::string> readAll(const std::uint8_t *data, std::size_t size, std::size_t piece)
{
    std::vector<std::string> out;
    RtmonReader reader([&](std::span<const ChangeRecord> records) {
        for (const ChangeRecord &r : records) {
            std::string text = summary(r) + '|' + details(r);
            if (!isValidUtf8(text))
                std::abort();
            out.push_back(std::to_string(r.timeUs) + ' ' + std::move(text));
        }
    });
    (void)RtmonReader::looksLikeRtmon(data, size);
    (void)RtmonReader::looksLikeSwappedRtmon(data, size);
    ncv::fuzz::feedInPieces(data, size, piece,
                            [&reader](const std::uint8_t *at, std::size_t n) { reader.feed(at, n); });
    reader.finish();
    const RtmonStats &stats = reader.stats();
    if (stats.bytes != size || stats.unreadBytes > size)
        std::abort();
    (void)stats.untrackedSummary();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return ncv::fuzz::sameWholeAndInPieces(data, size, readAll);
}

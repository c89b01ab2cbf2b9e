// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the rtmon file reader (RtmonReader) on arbitrary bytes, fed whole and
// again in pieces whose sizes come from the input (a message split across reads). Each
// delivered record goes through the text forms, which must be valid UTF-8, and both
// feedings must give the same records: the split must not change what is read.
#include "platform/format.h"
#include "platform/linux/rtmonreader.h"
#include "platform/textescape.h"

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
    if (piece == 0) {
        reader.feed(data, size);
    } else {
        for (std::size_t at = 0; at < size; at += piece)
            reader.feed(data + at, std::min(piece, size - at));
    }
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
    const std::vector<std::string> whole = readAll(data, size, 0);
    const std::size_t piece = size > 0 ? 1 + data[0] % 61 : 1;
    if (readAll(data, size, piece) != whole)
        std::abort();
    return 0;
}

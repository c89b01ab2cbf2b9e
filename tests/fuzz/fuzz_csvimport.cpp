// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: reading a CSV export back into records (CsvEventReader, the CSV import)
// on arbitrary bytes, fed whole and again in pieces whose sizes come from the input (a row
// and a quoted field split across reads). Each record goes through the text forms, which
// must be valid UTF-8; both feedings must give the same records and the same counts.
#include "model/export/csvevents.h"
#include "platform/format.h"
#include "platform/textescape.h"
#include "wholeandpieces.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ncv;

namespace {

std::vector<std::string> readAll(const std::uint8_t *data, std::size_t size, std::size_t piece)
{
    std::vector<std::string> out;
    csv::CsvEventReader reader([&](const platform::ChangeRecord &r, const QString &ifName) {
        const QByteArray name = ifName.toUtf8();
        std::string text = platform::summary(r, std::string_view(name.constData(), std::size_t(name.size()))) + '|'
            + platform::details(r);
        if (!platform::isValidUtf8(text))
            std::abort();
        out.push_back(std::to_string(r.timeUs) + ' ' + std::move(text));
    });
    (void)csv::looksLikeCsvExport(QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    fuzz::feedInPieces(data, size, piece, [&reader](const std::uint8_t *at, std::size_t n) {
        reader.feed(reinterpret_cast<const char *>(at), n);
    });
    reader.finish();
    const csv::CsvEventStats &stats = reader.stats();
    if (stats.bytes != std::int64_t(size) || stats.unreadBytes > std::int64_t(size)
        || stats.records + stats.badRows != stats.rows || std::int64_t(out.size()) != stats.records)
        std::abort();
    out.push_back(stats.firstBadRow.toStdString() + '|' + stats.stopped.toStdString() + '|'
                  + std::to_string(stats.unreadBytes));
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return ncv::fuzz::sameWholeAndInPieces(data, size, readAll);
}

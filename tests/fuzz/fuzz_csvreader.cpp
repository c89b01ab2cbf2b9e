// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the RFC 4180 CSV reader (ncv::csv::parse) on arbitrary bytes. Broken
// input must give an error message and the records before it, never a crash. Also the
// escape of bytes that are not UTF-8 (platform/textescape.h) on the same bytes: its text
// must be valid UTF-8 and give the bytes back, or the target aborts.
#include "model/export/csvreader.h"
#include "platform/textescape.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const QList<QStringList> records = ncv::csv::parse(bytes, &error);
    // Every field is valid UTF-16 text that can be read back.
    qsizetype chars = 0;
    for (const QStringList &record : records)
        for (const QString &field : record)
            chars += field.size() + ncv::csv::bytesFromCell(field).size();
    (void)chars;

    const std::string_view raw(reinterpret_cast<const char *>(data), size);
    const std::string text = ncv::platform::textFromBytes(raw);
    if (!ncv::platform::isValidUtf8(text) || !QByteArrayView(text.data(), qsizetype(text.size())).isValidUtf8()
        || ncv::platform::bytesFromText(text) != raw)
        std::abort();
    return 0;
}

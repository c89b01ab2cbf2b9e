// libFuzzer target: the RFC 4180 CSV reader (ncv::csv::parse) on arbitrary bytes. Broken
// input must give an error message and the records before it, never a crash.
#include "model/export/csvreader.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const QList<QStringList> records = ncv::csv::parse(bytes, &error);
    // Every field is valid UTF-16 text that can be read back.
    qsizetype chars = 0;
    for (const QStringList &record : records)
        for (const QString &field : record)
            chars += field.size();
    (void)chars;
    return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the event history's record codec (eventcodec, the compact form of the
// row descriptions) on arbitrary bytes. decode() must reject what is malformed without
// reading outside the input, and agree with peek() on where a record ends; a record that
// decodes is written as text (summary, details, fields, CSV cells) and encoded again, and
// that encoding must decode to the same record.
#include "model/history/eventcodec.h"
#include "platform/format.h"
#include "platform/rowfields.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ncv;
using namespace ncv::platform;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A copy of exactly size bytes, so that reading past the end is an ASan report.
    std::vector<char> input(data, data + size);
    const char *begin = input.data();
    const char *end = begin + size;
    ChangeRecord record;
    const char *next = eventcodec::decode(begin, end, &record);
    eventcodec::Peek peek;
    if (eventcodec::peek(begin, end, &peek) != next)
        std::abort(); // peek and decode disagree on where the record ends
    if (!next)
        return 0;
    (void)summary(record, "x");
    (void)details(record);
    (void)fieldTexts(record.row());
    std::string cell;
    for (CsvColumn c : {CsvColumn::IfIndex, CsvColumn::Destination, CsvColumn::Gateway, CsvColumn::Metric,
                        CsvColumn::Protocol, CsvColumn::Table})
        appendCsvCell(cell, record.row(), c);
    (void)fieldList(record.object, record.changedFields);

    std::string again;
    eventcodec::encode(record, again);
    ChangeRecord back;
    if (eventcodec::decode(again.data(), again.data() + again.size(), &back) != again.data() + again.size())
        std::abort(); // our own encoding does not decode
    std::string twice;
    eventcodec::encode(back, twice);
    if (twice != again)
        std::abort(); // encode(decode(encode(r))) differs from encode(r)
    return 0;
}

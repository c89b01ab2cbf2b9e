// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/journalfields.h"

#include "model/export/csvwriter.h"
#include "platform/format.h"
#include "platform/requester.h"
#include "platform/rowfields.h"
#include "platform/textescape.h"

#include <charconv>

namespace ncv::journal {

using namespace ncv::platform;

namespace {

// Next field of the list: the reused string at `used`, cleared, with its name and '='.
std::string &nextField(std::vector<std::string> &fields, std::size_t &used, std::string_view name)
{
    if (used == fields.size())
        fields.emplace_back();
    std::string &field = fields[used++];
    field.assign(name);
    field += '=';
    return field;
}

// The value as UTF-8 without NUL (journald cuts a value at none, but readers printing it
// as a C string would): invalid bytes and NUL get the README's \xHH escapes.
void appendText(std::string &out, std::string_view text)
{
    if (isValidUtf8(text) && text.find('\0') == std::string_view::npos) {
        out += text;
        return;
    }
    const std::string escaped = textFromBytes(text);
    for (const char c : escaped) {
        if (c == '\0')
            out += "\\x00";
        else
            out += c;
    }
}

void addNumber(std::vector<std::string> &fields, std::size_t &used, std::string_view name, std::int64_t value)
{
    std::string &field = nextField(fields, used, name);
    char buffer[24];
    field.append(buffer, std::size_t(std::to_chars(buffer, buffer + sizeof buffer, value).ptr - buffer));
}

} // namespace

void eventFields(std::vector<std::string> &fields, const ChangeRecord &r, std::uint64_t sequence,
                 std::string_view ifName, bool nanoseconds)
{
    std::size_t used = 0;
    const Requester *who = r.requester != 0 ? &RequesterTable::get(r.requester) : nullptr;
    {
        std::string &message = nextField(fields, used, "MESSAGE");
        std::string text = summary(r, ifName);
        if (who) {
            const std::string by = requesterText(*who);
            if (!by.empty()) {
                text += " by ";
                text += by;
            }
        }
        appendText(message, text);
    }
    nextField(fields, used, "PRIORITY") += r.object == ObjectKind::Gap ? '4' : '6';
    nextField(fields, used, "SYSLOG_IDENTIFIER") += "netchangeview";
    nextField(fields, used, "NCV_SCHEMA") += kSchema;
    if (sequence != 0)
        addNumber(fields, used, "NCV_SEQUENCE", std::int64_t(sequence));
    {
        const QByteArray time = csv::isoTimeUtc(r.timeUs, nanoseconds, r.timeSubUsNs);
        nextField(fields, used, "NCV_TIME_UTC").append(time.constData(), std::size_t(time.size()));
    }
    addNumber(fields, used, "NCV_TIME_US", r.timeUs);
    nextField(fields, used, "NCV_OBJECT") += objectName(r.object);
    nextField(fields, used, "NCV_CHANGE") += changeName(r.change);
    nextField(fields, used, "NCV_FAMILY") += familyName(r.family);
    nextField(fields, used, "NCV_ORIGIN") += originName(r.origin);

    const Row &row = r.row();
    std::string cell;
    // A field for a non-empty cell; nothing for an empty one.
    const auto addCell = [&](std::string_view name, std::string_view text) {
        if (!text.empty())
            appendText(nextField(fields, used, name), text);
    };
    const auto addColumn = [&](std::string_view name, CsvColumn column) {
        cell.clear();
        appendCsvCell(cell, row, column, ifName);
        addCell(name, cell);
    };
    addColumn("NCV_IF_INDEX", CsvColumn::IfIndex);
    addCell("NCV_IF_NAME", ifName);
    addColumn("NCV_DESTINATION", CsvColumn::Destination);
    addColumn("NCV_GATEWAY", CsvColumn::Gateway);
    addColumn("NCV_METRIC", CsvColumn::Metric);
    addColumn("NCV_PROTOCOL", CsvColumn::Protocol);
    addColumn("NCV_TABLE", CsvColumn::Table);
    if (r.change == ChangeKind::Parameter)
        addCell("NCV_CHANGED_FIELDS", fieldList(r.object, r.changedFields, ";"));
    cell.clear();
    appendDetails(cell, r, KnownFields::All, ifName);
    addCell("NCV_DETAILS", cell);
    if (who) {
        addCell("NCV_PROCESS", requesterText(*who));
        addCell("NCV_PID", requesterPidText(*who));
    }
    fields.resize(used);
}

} // namespace ncv::journal

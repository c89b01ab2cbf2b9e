// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/jsonlines.h"

#include "model/export/csvwriter.h"
#include "model/history/eventcodec.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"
#include "platform/textescape.h"

#include <charconv>

namespace ncv::jsonlines {

using namespace ncv::platform;

namespace {

constexpr char kHex[] = "0123456789abcdef";

// text is valid UTF-8 here: escapes what RFC 8259 requires, and U+2028 / U+2029.
void appendValidString(std::string &out, std::string_view text)
{
    out += '"';
    std::size_t run = 0; // start of the bytes not yet copied
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const char *escape = nullptr;
        char unicode[7];
        std::size_t skip = 1;
        if (c == '"') {
            escape = "\\\"";
        } else if (c == '\\') {
            escape = "\\\\";
        } else if (c == '\n') {
            escape = "\\n";
        } else if (c == '\r') {
            escape = "\\r";
        } else if (c == '\t') {
            escape = "\\t";
        } else if (c < 0x20) {
            unicode[0] = '\\', unicode[1] = 'u', unicode[2] = '0', unicode[3] = '0';
            unicode[4] = kHex[c >> 4], unicode[5] = kHex[c & 15], unicode[6] = 0;
            escape = unicode;
        } else if (c == 0xe2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80
                   && (static_cast<unsigned char>(text[i + 2]) == 0xa8
                       || static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
            escape = static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
            skip = 3;
        }
        if (!escape)
            continue;
        out.append(text.data() + run, i - run);
        out += escape;
        i += skip - 1;
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
}

void appendKey(std::string &out, std::string_view key)
{
    out += '"';
    out += key; // our own member names: plain ASCII
    out += "\":";
}

// A CSV cell's text as a JSON string, or null when empty.
void appendStringOrNull(std::string &out, std::string_view text)
{
    if (text.empty())
        out += "null";
    else
        appendString(out, text);
}

// A CSV cell that holds a decimal number as a JSON number; null when empty; a string when it
// is not a plain decimal number (never expected: kept rather than lost).
void appendNumberOrNull(std::string &out, std::string_view text)
{
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty())
        out += "null";
    else if (ec == std::errc() && end == text.data() + text.size())
        out += text;
    else
        appendString(out, text);
}

void appendNumber(std::string &out, std::int64_t value)
{
    char buffer[24];
    out.append(buffer, std::size_t(std::to_chars(buffer, buffer + sizeof buffer, value).ptr - buffer));
}

// ifName: the name of the row's interface where the writer knows it, "" where not (the
// fields that name it, FieldInfo::namedText, then write the index).
void appendRowObject(std::string &out, const Row &row, std::string_view ifName)
{
    if (std::holds_alternative<std::monostate>(row)) {
        out += "null";
        return;
    }
    out += '{';
    bool first = true;
    forEachFieldText(
        row,
        [&](std::string_view name, std::string_view text) {
            if (!first)
                out += ',';
            first = false;
            appendKey(out, name);
            appendString(out, text);
        },
        KnownFields::All, ifName);
    out += '}';
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 4648 base64 with padding, as a JSON string (its alphabet needs no escape).
void appendBase64String(std::string &out, std::string_view bytes)
{
    out += '"';
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    std::size_t n = bytes.size();
    for (; n >= 3; p += 3, n -= 3) {
        const unsigned v = (unsigned(p[0]) << 16) | (unsigned(p[1]) << 8) | p[2];
        const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], kBase64[v & 63]};
        out.append(quad, 4);
    }
    if (n > 0) {
        const unsigned v = (unsigned(p[0]) << 16) | (n > 1 ? unsigned(p[1]) << 8 : 0u);
        const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], n > 1 ? kBase64[(v >> 6) & 63] : '=', '='};
        out.append(quad, 4);
    }
    out += '"';
}

} // namespace

void appendString(std::string &out, std::string_view text)
{
    if (isValidUtf8(text))
        appendValidString(out, text);
    else
        appendValidString(out, textFromBytes(text));
}

void appendEvent(std::string &out, const ChangeRecord &r, std::uint64_t sequence, std::string_view ifName,
                 bool nanoseconds)
{
    out += "{\"schema\":\"";
    out += kSchema;
    out += '"';
    if (sequence != 0) {
        out += ",\"sequence\":";
        appendNumber(out, std::int64_t(sequence));
    }
    out += ",\"time_utc\":\"";
    const QByteArray time = csv::isoTimeUtc(r.timeUs, nanoseconds, r.timeSubUsNs);
    out.append(time.constData(), std::size_t(time.size()));
    out += "\",\"time_us\":";
    appendNumber(out, r.timeUs);
    if (nanoseconds) {
        out += ",\"time_sub_us_ns\":";
        appendNumber(out, r.timeSubUsNs);
    }
    out += ",\"object\":\"";
    out += objectName(r.object);
    out += "\",\"change\":\"";
    out += changeName(r.change);
    out += "\",\"family\":\"";
    out += familyName(r.family);
    out += '"';

    const Row &row = r.row();
    std::string cell;
    const auto column = [&](std::string_view key, CsvColumn c, bool number) {
        cell.clear();
        appendCsvCell(cell, row, c, ifName);
        out += ',';
        appendKey(out, key);
        if (number)
            appendNumberOrNull(out, cell);
        else
            appendStringOrNull(out, cell);
    };
    column("if_index", CsvColumn::IfIndex, true);
    out += ',';
    appendKey(out, "if_name");
    appendStringOrNull(out, ifName);
    if (r.object == ObjectKind::Nsid) { // no row: the id is the destination, as in the CSV
        out += ',';
        appendKey(out, "destination");
        appendString(out, std::to_string(r.nsid));
    } else {
        column("destination", CsvColumn::Destination, false);
    }
    column("gateway", CsvColumn::Gateway, false);
    column("metric", CsvColumn::Metric, true);
    column("protocol", CsvColumn::Protocol, false);
    column("table", CsvColumn::Table, false);
    if (r.object == ObjectKind::Nsid) {
        out += ",\"nsid\":";
        appendNumber(out, std::int64_t(r.nsid));
    }

    out += ",\"changed_fields\":[";
    if (r.change == ChangeKind::Parameter) {
        bool first = true;
        for (int i = 0; i < 32; ++i) {
            if (!(r.changedFields & (FieldMask(1) << i)))
                continue;
            const std::string_view name = fieldName(r.object, i);
            if (name.empty())
                continue;
            if (!first)
                out += ',';
            first = false;
            appendString(out, name);
        }
    }
    out += ']';
    cell.clear();
    appendDetails(cell, r, KnownFields::All, ifName);
    out += ',';
    appendKey(out, "details");
    appendStringOrNull(out, cell);
    out += ",\"origin\":\"";
    out += originName(r.origin);
    out += "\",\"process\":";
    if (r.requester != 0) {
        const Requester &who = RequesterTable::get(r.requester);
        appendStringOrNull(out, requesterText(who));
        out += ",\"pid\":";
        appendNumberOrNull(out, requesterPidText(who));
    } else {
        out += "null,\"pid\":null";
    }
    out += ",\"namespace\":";
    if (r.netns != 0)
        appendStringOrNull(out, NamespaceTable::name(r.netns));
    else
        out += "null";
    // ifName names the interface of r.row(): a side on another one (a route whose first
    // hop moved) keeps the index.
    const auto nameOf
        = [&](const Row &side) { return rowIfIndex(side) == rowIfIndex(row) ? ifName : std::string_view(); };
    out += ",\"before\":";
    appendRowObject(out, r.before, nameOf(r.before));
    out += ",\"after\":";
    appendRowObject(out, r.after, nameOf(r.after));
    // The whole event in the recordings' compact form, for a NetChangeView reading the
    // stream: the row objects above are the tables' texts (an expiry as "in 12s", no hidden
    // fields), which cannot rebuild a row exactly. The requester is left out of it: its id
    // means something only in this process (process and pid above say who asked).
    thread_local std::string encoded;
    encoded.clear();
    if (r.requester != 0 || r.portId != 0) {
        ChangeRecord plain = r;
        plain.requester = 0;
        plain.portId = 0;
        eventcodec::encode(plain, encoded);
    } else {
        eventcodec::encode(r, encoded);
    }
    out += ",\"record\":";
    appendBase64String(out, encoded);
    out += "}\n";
}

} // namespace ncv::jsonlines

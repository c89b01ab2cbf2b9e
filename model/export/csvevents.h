// SPDX-License-Identifier: GPL-2.0-or-later
// CsvEventReader: reads our own CSV export (csvwriter.h, the format the README defines)
// back into ChangeRecords, for importing it as a recording (recording/csvimport.h).
//
// A CSV row holds less than an event: the fixed columns and the details text. Each row
// becomes a record whose rows hold only what those columns say:
//   interface  ifindex (if_index), name (if_name), family (Windows interfaces)
//   address    ifindex, address and prefix length (destination)
//   route      destination and prefix length, next hops (gateway: one hop per gateway, the
//              first on if_index; on-link with if_index when no gateway), metric,
//              protocol (by name or number, rtm_protocol names first, else Windows'),
//              table (by name or number; empty: a Windows route)
//   entity     protocol
//   gap        none
// Every other field keeps its default, which is no fact: the fields above are those the
// description marks InCsvRow (rowfields.h), and a recording converted from a CSV export
// shows the others blank (platform::KnownFields::CsvRow). changed_fields gives ChangeRecord::changedFields;
// the details cell (formula guard taken off) becomes the note, which the event log, the
// details panel and the CSV writer show instead of the values the rows do not hold
// (platform::appendDetails), so exporting the import again writes the same details.
// process and pid give ChangeRecord::requester (an export without them, written before
// they were added, is read too: its records name nobody); the port id is not in the CSV.
// The sequence column is not kept: the recording numbers its events 1, 2, 3... again.
//
// Bad rows (wrong column count, a quote in the wrong place, a bad time, an unknown object,
// change, family or origin, an address that does not parse) are passed over and counted;
// the first one is described with its line number. An unterminated quoted field (or a row
// longer than kMaxRowBytes) ends the reading: the rest is counted as unread.
// Thread: any; one instance per thread.
#pragma once

#include "platform/types.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <string>

namespace ncv::csv {

/// True when data (the start of a file) begins with the header line of our CSV export
/// (kHeaderLine, with CRLF or LF, optionally after a UTF-8 byte order mark).
bool looksLikeCsvExport(const QByteArray &data);

/// "2026-11-21T11:42:03.123456789Z" (1 to 9 fraction digits, or none) -> µs since the
/// epoch, UTC, and (when subUsNs is given) the nanoseconds past it, 0..999 (fraction digits
/// 7 to 9). *fractionDigits (when given): how many the text had. False when the text is not
/// that form.
bool parseIsoTimeUtc(QStringView text, std::int64_t *timeUs, std::uint16_t *subUsNs = nullptr,
                     int *fractionDigits = nullptr);

struct CsvEventStats {
    std::int64_t bytes = 0; ///< bytes given to the reader
    std::int64_t rows = 0; ///< data rows seen (not the header), bad ones included
    std::int64_t records = 0; ///< rows turned into records
    std::int64_t badRows = 0; ///< rows passed over
    QString firstBadRow; ///< "line 12: 15 columns expected, 14 found"; empty when none
    /// Where the reading stopped before the end, and why ("line 40: unterminated quoted
    /// field"), or that the header is missing; empty when the whole input was read.
    QString stopped;
    std::int64_t unreadBytes = 0; ///< bytes after the point the reading stopped
    bool headerSeen = false;
    /// The most fraction digits a row's time_utc had so far (9 in an export of nanosecond times).
    int fractionDigits = 0;
};

class CsvEventReader {
public:
    /// Receives each record with the interface name of its row (if_name, guard taken off).
    using Sink = std::function<void(const platform::ChangeRecord &record, const QString &ifName)>;
    /// A row longer than this ends the reading (an unterminated quote swallows the file).
    static constexpr std::size_t kMaxRowBytes = 1u << 20;

    explicit CsvEventReader(Sink sink);

    /// The next bytes of the file (any split).
    void feed(const char *data, std::size_t len);
    /// End of the file: the last row (without a line end) is read; an open quote is reported.
    void finish();
    /// True once the reading stopped (stats().stopped): feeding more does nothing.
    bool stopped() const { return !m_stats.stopped.isEmpty(); }

    const CsvEventStats &stats() const { return m_stats; }

private:
    enum class Scan { FieldStart, Unquoted, Quoted, QuoteInQuoted };
    void row(const char *data, std::size_t len, std::int64_t line);
    void bad(std::int64_t line, const QString &why);
    void stop(const QString &why, std::int64_t unread);

    Sink m_sink;
    CsvEventStats m_stats;
    std::string m_pending; ///< the bytes of the row being scanned
    Scan m_scan = Scan::FieldStart;
    std::int64_t m_line = 1; ///< line of the next byte
    std::int64_t m_rowLine = 1; ///< line the pending row began on
    int m_columns = 0; ///< columns of a row: with process and pid, or without (an older export)
};

} // namespace ncv::csv

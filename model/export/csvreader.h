// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 4180 CSV reader (for tests, round trips and replay): quoted fields with embedded
// commas, doubled quotes, CR and LF; records end at CRLF or LF; UTF-8. Also the two rules
// that turn a cell's text back into what it was made from: the formula guard and the
// \xHH escape of bytes that are not UTF-8. Thread: any.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <string_view>

namespace ncv::csv {

/// The header line of the CSV export, without its line end (csv::header() adds CRLF).
inline constexpr char kHeaderLine[] = "sequence,time_utc,object,change,family,if_index,if_name,destination,gateway,"
                                      "metric,protocol,table,changed_fields,details,origin,process,pid,namespace";
/// The header of exports written before the namespace column was added at the end (still
/// read: their rows are of the one namespace recorded).
inline constexpr char kHeaderLineWithoutNamespace[] = "sequence,time_utc,object,change,family,if_index,if_name,"
                                                      "destination,gateway,metric,protocol,table,changed_fields,"
                                                      "details,origin,process,pid";
/// The header of exports written before the process and pid columns were added at the end
/// (still read: those rows name no requester).
inline constexpr char kHeaderLineWithoutProcess[] = "sequence,time_utc,object,change,family,if_index,if_name,"
                                                    "destination,gateway,metric,protocol,table,changed_fields,"
                                                    "details,origin";

/// Parses data into records of fields. A trailing line end does not start a record.
/// On broken input (unterminated quoted field, a quote inside an unquoted field, text
/// after a closing quote) returns what was parsed before it and sets *error to a message
/// naming the line, e.g. "line 3: unterminated quoted field"; *error is cleared on success.
QList<QStringList> parse(const QByteArray &data, QString *error);

/// True when the writer puts a leading ' before a text cell (formula guard): the text,
/// after any apostrophes it begins with, begins with = + - @ TAB or CR. Counting the
/// apostrophes makes the guard removable: "'=x" is written "''=x".
bool needsFormulaGuard(std::string_view utf8);

/// The bytes a text cell was made from, as the OS held them (for if_name: the interface
/// name's bytes): the formula guard taken off (one ' when the rest needs a guard), then
/// the escape of platform::textFromBytes undone on the UTF-8 (each `\xHH` becomes byte
/// 0xHH). "'-d\xff\x5cx41" -> "-d", byte 0xff, "\x41". Works on cells that hold escaped
/// text among other text (details) too: every escape in them is undone.
QByteArray bytesFromCell(const QString &cell);

} // namespace ncv::csv

// RFC 4180 CSV reader (for tests, round trips and replay): quoted fields with embedded
// commas, doubled quotes, CR and LF; records end at CRLF or LF; UTF-8. Thread: any.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace ncv::csv {

/// Parses data into records of fields. A trailing line end does not start a record.
/// On broken input (unterminated quoted field, a quote inside an unquoted field, text
/// after a closing quote) returns what was parsed before it and sets *error to a message
/// naming the line, e.g. "line 3: unterminated quoted field"; *error is cleared on success.
QList<QStringList> parse(const QByteArray &data, QString *error);

} // namespace ncv::csv

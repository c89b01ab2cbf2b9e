// SPDX-License-Identifier: GPL-2.0-or-later
// Importing our own CSV export (the importer for FileKind::Csv, fileimport.h): each row
// becomes an event of a new recording through csv::CsvEventReader (export/csvevents.h),
// which says what a row can and cannot give back. Portable (no platform decoder involved).
// Any thread; blocking.
#pragma once

#include "model/recording/fileimport.h"

#include <QByteArray>
#include <QString>

namespace ncv::recording {

/// True when data (the start of a file) begins with our CSV header line.
bool looksLikeCsvExport(const QByteArray &data);

/// The meta note of a recording converted from a CSV export: what its tables cannot show.
QString csvImportNote();

/// The ImportFunction for CSV exports (see fileimport.h). A row that cannot be read is
/// passed over and counted; result->damage names the first one by line ("12 rows passed
/// over, the first: line 7: bad time_utc ..."), and a broken quote that ends the reading
/// ("line 40: unterminated quoted field; the 1234 bytes from there were not read").
bool importCsv(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
               QString *error);

} // namespace ncv::recording

// SPDX-License-Identifier: GPL-2.0-or-later
// Importing CSV exports (see csvimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/csvimport.h"

#include "model/export/csvevents.h"
#include "model/recording/recordingformat.h"

namespace ncv::recording {

using platform::ChangeKind;
using platform::ChangeRecord;

namespace {

/// The meta note of a recording converted from a CSV export: what its tables cannot show.
QString csvImportNote()
{
    return QStringLiteral(
        "from a CSV export: only its columns are known: the tables show each object's key columns (interface "
        "index and name; address; route destination, next hops, metric, protocol, table) and no other field, an "
        "event's details are the CSV's text, and Compare lists objects added and removed but no changed values; "
        "objects the CSV never mentions are unknown");
}

} // namespace

bool importCsv(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
               QString *error)
{
    ImportRun run(inPath, outPath, result);
    const auto wrongKind = [&inPath](FileKind) {
        return QStringLiteral("%1 is not a CSV export of NetChangeView (its first line is not the header "
                              "sequence,time_utc,object,...)")
            .arg(inPath);
    };
    if (!run.begin(FileKind::Csv, wrongKind, QString::fromLatin1(kCsvImportSource), csvImportNote(), error))
        return false;
    ImportWriter &writer = run.writer();
    bool initialRows = true;
    csv::CsvEventReader reader([&](const ChangeRecord &r, const QString &ifName) {
        // The tables as the initial rows left them are the recording's first keyframe.
        if (initialRows && r.change != ChangeKind::Initial) {
            initialRows = false;
            writer.keyframe(QStringLiteral("start"));
        }
        // An export of nanosecond times writes 9 fraction digits in every row: the first
        // row, read before the recording is created, decides.
        writer.setNanosecondTimes(reader.stats().fractionDigits > 6);
        writer.add(r, ifName);
    });
    const auto feed = [&reader](const char *data, std::size_t n) {
        reader.feed(data, n);
        return !reader.stopped();
    };
    if (!run.read(feed, progress, error))
        return false;
    reader.finish();
    const csv::CsvEventStats &stats = reader.stats();
    ImportResult &res = run.result();
    const std::int64_t unread = stats.unreadBytes + (run.totalBytes() - res.bytesRead);
    res.details = QStringLiteral("(%1 rows)").arg(stats.rows);
    QStringList damage;
    if (stats.badRows > 0)
        damage << QStringLiteral("%1 rows passed over, the first: %2").arg(stats.badRows).arg(stats.firstBadRow);
    if (!stats.stopped.isEmpty())
        damage << QStringLiteral("%1; the %2 bytes from there were not read").arg(stats.stopped).arg(unread);
    res.damage = damage.join(QStringLiteral("; "));
    return run.end(res.damage.isEmpty() ? QStringLiteral("no row") : res.damage, error);
}

} // namespace ncv::recording

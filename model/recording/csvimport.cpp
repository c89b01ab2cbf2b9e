// SPDX-License-Identifier: GPL-2.0-or-later
// Importing CSV exports (see csvimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/csvimport.h"

#include "model/export/csvevents.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

namespace ncv::recording {

using platform::ChangeKind;
using platform::ChangeRecord;

bool looksLikeCsvExport(const QByteArray &data)
{
    return csv::looksLikeCsvExport(data);
}

QString csvImportNote()
{
    return QStringLiteral(
        "from a CSV export: only its columns are known: the tables show each object's key columns (interface "
        "index and name; address; route destination, next hops, metric, protocol, table) and no other field, an "
        "event's details are the CSV's text, and Compare lists objects added and removed but no changed values; "
        "objects the CSV never mentions are unknown");
}

bool importCsv(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
               QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    QString why;
    switch (detectFileKind(inPath, &why)) {
    case FileKind::Missing: return fail(why);
    case FileKind::Empty: return fail(QStringLiteral("%1 is empty: there is nothing to open").arg(inPath));
    case FileKind::Csv: break;
    default:
        return fail(QStringLiteral("%1 is not a CSV export of NetChangeView (its first line is not the header "
                                   "sequence,time_utc,object,...)")
                        .arg(inPath));
    }
    QFile file(inPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("%1: %2").arg(inPath, file.errorString()));

    RecordingMeta meta;
    meta.source = QStringLiteral("CSV file");
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QCoreApplication::applicationVersion();
    // CSV rows carry no LUID: objects are keyed by interface index, as on Linux.
    meta.keyScheme = QStringLiteral("linux");
    meta.importedFrom = QFileInfo(inPath).fileName();
    meta.note = csvImportNote();

    ImportResult local;
    ImportResult &res = result ? *result : local;
    res = ImportResult();
    res.format = meta.source;
    res.note = meta.note;
    ImportWriter writer(outPath, meta);
    bool initialRows = true;
    csv::CsvEventReader reader([&](const ChangeRecord &r, const QString &ifName) {
        // The tables as the initial rows left them are the recording's first keyframe.
        if (initialRows && r.change != ChangeKind::Initial) {
            initialRows = false;
            writer.keyframe(QStringLiteral("start"));
        }
        writer.add(r, ifName);
    });
    const std::int64_t total = file.size();
    switch (readInChunks(
        file,
        [&](const char *data, std::size_t n) {
            reader.feed(data, n);
            return !writer.failed() && !reader.stopped();
        },
        progress, &res.bytesRead, &why)) {
    case ChunkRead::Failed: writer.discard(); return fail(why);
    case ChunkRead::Cancelled:
        writer.discard();
        res.cancelled = true;
        return fail(QStringLiteral("import of %1 cancelled").arg(inPath));
    case ChunkRead::Done: break;
    }
    reader.finish();
    const csv::CsvEventStats &stats = reader.stats();
    const std::int64_t unread = stats.unreadBytes + (total - res.bytesRead);
    res.events = writer.events();
    res.details = QStringLiteral("(%1 rows)").arg(stats.rows);
    QStringList damage;
    if (stats.badRows > 0)
        damage << QStringLiteral("%1 rows passed over, the first: %2").arg(stats.badRows).arg(stats.firstBadRow);
    if (!stats.stopped.isEmpty())
        damage << QStringLiteral("%1; the %2 bytes from there were not read").arg(stats.stopped).arg(unread);
    res.damage = damage.join(QStringLiteral("; "));
    const bool opened = writer.opened();
    QString writeError;
    if (!writer.finish(&writeError))
        return fail(writeError);
    if (!opened)
        return fail(QStringLiteral("%1 holds no event that can be read%2")
                        .arg(inPath, res.damage.isEmpty() ? QString() : QStringLiteral(": ") + res.damage));
    if (progress)
        progress(res.bytesRead, total);
    return true;
}

} // namespace ncv::recording

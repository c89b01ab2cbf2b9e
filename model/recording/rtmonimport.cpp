// SPDX-License-Identifier: GPL-2.0-or-later
// Importing rtmon files (see rtmonimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/rtmonimport.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

namespace ncv::recording {

using platform::ChangeRecord;
using platform::RtmonStats;

QString rtmonIncompleteNote()
{
    return QString::fromLatin1(platform::kRtmonIncompleteNote)
        + QStringLiteral(": the addresses and routes that existed before the first event are unknown, so the "
                         "tables before it show only what the events added");
}

namespace {

/// "(1,000,043 messages); not shown: 12 netconf messages; 3 malformed messages passed over".
QString rtmonDetails(const RtmonStats &stats)
{
    QString line = QStringLiteral("(%1 messages)").arg(stats.messages - stats.stamps);
    const std::string untracked = stats.untrackedSummary();
    if (!untracked.empty())
        line += QStringLiteral("; not shown: %1").arg(QString::fromStdString(untracked));
    if (stats.malformed > 0)
        line += QStringLiteral("; %1 malformed messages passed over").arg(stats.malformed);
    if (stats.withoutTime > 0)
        line += QStringLiteral("; %1 messages before the first time stamp passed over").arg(stats.withoutTime);
    return line;
}

} // namespace

bool importRtmon(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                 RtmonStats *statsOut, QString *error)
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
    case FileKind::RtmonOtherByteOrder:
        return fail(QStringLiteral("%1 is an rtmon file written on a machine of the other byte order, which this "
                                   "program does not read")
                        .arg(inPath));
    case FileKind::Rtmon: break;
    default:
        return fail(QStringLiteral("%1 is not an rtmon file (its first bytes are not a netlink message)").arg(inPath));
    }
    QFile file(inPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("%1: %2").arg(inPath, file.errorString()));

    RecordingMeta meta;
    meta.source = QStringLiteral("rtmon file");
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QCoreApplication::applicationVersion();
    meta.keyScheme = QStringLiteral("linux");
    meta.importedFrom = QFileInfo(inPath).fileName();
    meta.note = rtmonIncompleteNote();

    ImportResult local;
    ImportResult &res = result ? *result : local;
    res = ImportResult();
    res.format = meta.source;
    res.note = meta.note;
    ImportWriter writer(outPath, meta);
    platform::RtmonReader reader([&writer](std::span<const ChangeRecord> records) { writer.add(records); });
    const std::int64_t total = file.size();
    switch (readInChunks(
        file,
        [&](const char *data, std::size_t n) {
            reader.feed(data, n);
            return !writer.failed();
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
    const RtmonStats &stats = reader.stats();
    if (statsOut)
        *statsOut = stats;
    res.events = writer.events();
    res.details = rtmonDetails(stats);
    if (!stats.problem.empty())
        res.damage = QStringLiteral("damaged: %1; the %2 bytes from there were not read")
                         .arg(QString::fromStdString(stats.problem))
                         .arg(stats.unreadBytes);
    const bool opened = writer.opened();
    QString writeError;
    if (!writer.finish(&writeError))
        return fail(writeError);
    if (!opened)
        return fail(QStringLiteral("%1 holds no event that can be read: %2")
                        .arg(inPath,
                             stats.problem.empty() ? QStringLiteral("no time stamp and no message")
                                                   : QString::fromStdString(stats.problem)));
    if (progress)
        progress(res.bytesRead, total);
    return true;
}

bool importRtmon(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                 QString *error)
{
    return importRtmon(inPath, outPath, progress, result, nullptr, error);
}

bool importRtmon(const QString &inPath, const QString &outPath, ImportResult *result, QString *error)
{
    return importRtmon(inPath, outPath, {}, result, nullptr, error);
}

} // namespace ncv::recording

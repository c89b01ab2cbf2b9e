// SPDX-License-Identifier: GPL-2.0-or-later
// Importing rtmon files (see rtmonimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/rtmonimport.h"

#include "model/history/eventcodec.h"
#include "model/interfacenames.h"
#include "model/recording/recordingwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <optional>

namespace ncv::recording {

using platform::ChangeKind;
using platform::ChangeRecord;

FileKind detectFileKind(const QString &path, QString *error)
{
    QFile f(path);
    const QFileInfo info(path);
    if (!info.exists() || !info.isFile() || !f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = !info.exists() ? QStringLiteral("%1: no such file").arg(path)
                : !info.isFile()    ? QStringLiteral("%1: not a regular file").arg(path)
                                    : QStringLiteral("%1: %2").arg(path, f.errorString());
        return FileKind::Missing;
    }
    const QByteArray head = f.read(64);
    if (head.isEmpty())
        return FileKind::Empty;
    if (head.startsWith(QByteArrayLiteral("SQLite format 3")))
        return FileKind::Recording;
    if (platform::RtmonReader::looksLikeRtmon(head.constData(), std::size_t(head.size())))
        return FileKind::Rtmon;
    if (platform::RtmonReader::looksLikeSwappedRtmon(head.constData(), std::size_t(head.size())))
        return FileKind::RtmonOtherByteOrder;
    return FileKind::Unknown;
}

QString rtmonIncompleteNote()
{
    return QString::fromLatin1(platform::kRtmonIncompleteNote)
        + QStringLiteral(": the addresses and routes that existed before the first event are unknown, so the "
                         "tables before it show only what the events added");
}

QString ImportResult::problem() const
{
    if (stats.problem.empty())
        return {};
    return QStringLiteral("damaged: %1; the %2 bytes from there were not read")
        .arg(QString::fromStdString(stats.problem))
        .arg(stats.unreadBytes);
}

QString ImportResult::summary(const QString &inputPath) const
{
    QString line = QStringLiteral("imported %1 events from the rtmon file %2 (%3 messages)")
                       .arg(events)
                       .arg(QFileInfo(inputPath).fileName())
                       .arg(stats.messages - stats.stamps);
    const std::string untracked = stats.untrackedSummary();
    if (!untracked.empty())
        line += QStringLiteral("; not shown: %1").arg(QString::fromStdString(untracked));
    if (stats.malformed > 0)
        line += QStringLiteral("; %1 malformed messages passed over").arg(stats.malformed);
    if (stats.withoutTime > 0)
        line += QStringLiteral("; %1 messages before the first time stamp passed over").arg(stats.withoutTime);
    if (!stats.problem.empty())
        line += QStringLiteral("; ") + problem();
    return line;
}

namespace {

/// The name an event carries (as the live window resolves it), keeping names up to date
/// from the interface records.
QString eventIfName(const ChangeRecord &r, InterfaceNames &names)
{
    const platform::Row &row = r.row();
    if (const auto *i = std::get_if<platform::InterfaceRow>(&row)) {
        const QString name = QString::fromStdString(i->name);
        if (r.change == ChangeKind::Delete || r.change == ChangeKind::Expired)
            names.remove(i->ifIndex);
        else
            names.set(i->ifIndex, name);
        return name;
    }
    if (const auto *a = std::get_if<platform::AddressRow>(&row))
        return names.name(a->ifIndex);
    if (const auto *route = std::get_if<platform::RouteRow>(&row))
        return names.name(route->outIfIndex());
    return {};
}

} // namespace

bool importRtmon(const QString &inPath, const QString &outPath, ImportResult *result, QString *error)
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
    case FileKind::Recording:
    case FileKind::Unknown:
        return fail(QStringLiteral("%1 is not an rtmon file (its first bytes are not a netlink message)").arg(inPath));
    case FileKind::Rtmon: break;
    }

    RecordingMeta meta;
    meta.source = QStringLiteral("rtmon file");
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QCoreApplication::applicationVersion();
    meta.keyScheme = QStringLiteral("linux");
    meta.importedFrom = QFileInfo(inPath).fileName();
    meta.note = rtmonIncompleteNote();

    // Opened at the first record: the recording starts at the file's first time stamp.
    std::optional<RecordingWriter> writer;
    QString writeError;
    InterfaceNames names;
    std::string encoded;
    std::uint64_t seq = 0;
    const auto sink = [&](std::span<const ChangeRecord> records) {
        if (!writer) {
            if (!writeError.isEmpty())
                return;
            RecordingWriter::Options options;
            options.startTimeUs = std::max<std::int64_t>(1, records.front().timeUs);
            writer.emplace();
            if (!writer->open(outPath, meta, options, &writeError)) {
                writer.reset();
                if (writeError.isEmpty())
                    writeError = QStringLiteral("cannot create %1").arg(outPath);
                return;
            }
        }
        for (const ChangeRecord &r : records) {
            if (r.change == ChangeKind::SnapshotComplete) {
                writer->requestKeyframe(QStringLiteral("start"));
                continue;
            }
            const QString ifName = eventIfName(r, names);
            encoded.clear();
            eventcodec::encode(r, encoded);
            writer->append(++seq, r.timeUs, encoded, ifName);
        }
    };
    ImportResult local;
    ImportResult &res = result ? *result : local;
    std::string readError;
    const bool read
        = platform::RtmonReader::readFile(QFile::encodeName(inPath).toStdString(), sink, &res.stats, &readError);
    res.events = std::int64_t(seq);
    if (writer && !writer->finish(&writeError)) {
        QFile::remove(outPath);
        return fail(QStringLiteral("cannot write the recording %1: %2").arg(outPath, writeError));
    }
    if (!writeError.isEmpty())
        return fail(writeError);
    if (!read) {
        QFile::remove(outPath);
        return fail(QString::fromStdString(readError));
    }
    if (!writer)
        return fail(QStringLiteral("%1 holds no event that can be read: %2")
                        .arg(inPath,
                             res.stats.problem.empty() ? QStringLiteral("no time stamp and no message")
                                                       : QString::fromStdString(res.stats.problem)));
    return true;
}

bool importRtmonToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error)
{
    // A unique name, then the writer creates the file itself (it never opens an existing one).
    QTemporaryFile name(QDir::temp().filePath(QStringLiteral("netchangeview-import-XXXXXX.ncv")));
    if (!name.open()) {
        if (error)
            *error = QStringLiteral("cannot create a file in %1: %2").arg(QDir::tempPath(), name.errorString());
        return false;
    }
    const QString path = name.fileName();
    name.close();
    name.remove();
    if (!importRtmon(inPath, path, result, error))
        return false;
    if (outPath)
        *outPath = path;
    return true;
}

} // namespace ncv::recording

// SPDX-License-Identifier: GPL-2.0-or-later
// Importing rtmon files (see rtmonimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/rtmonimport.h"

#include "platform/linux/rtmonreader.h"

namespace ncv::recording {

using platform::ChangeRecord;
using platform::RtmonStats;

namespace {

/// The meta note of a recording converted from an rtmon file: the state before its first
/// event is incomplete (rtmon dumps links only). Begins with platform::kRtmonIncompleteNote.
QString rtmonIncompleteNote()
{
    return QString::fromLatin1(platform::kRtmonIncompleteNote)
        + QStringLiteral(": the addresses and routes that existed before the first event are unknown, so the "
                         "tables before it show only what the events added");
}

} // namespace

QString netlinkPassedOver(const std::string &untracked, std::uint64_t malformed)
{
    QString line;
    if (!untracked.empty())
        line += QStringLiteral("; not shown: %1").arg(QString::fromStdString(untracked));
    if (malformed > 0)
        line += QStringLiteral("; %1 malformed messages passed over").arg(malformed);
    return line;
}

namespace {

/// "(1,000,043 messages); not shown: 12 netconf messages; 3 malformed messages passed over".
QString rtmonDetails(const RtmonStats &stats)
{
    QString line = QStringLiteral("(%1 messages)").arg(stats.messages - stats.stamps)
        + netlinkPassedOver(stats.untrackedSummary(), stats.malformed);
    if (stats.withoutTime > 0)
        line += QStringLiteral("; %1 messages before the first time stamp passed over").arg(stats.withoutTime);
    return line;
}

} // namespace

bool importRtmon(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                 QString *error)
{
    ImportRun run(inPath, outPath, result);
    const auto wrongKind = [&inPath](FileKind kind) {
        return kind == FileKind::RtmonOtherByteOrder
            ? QStringLiteral("%1 is an rtmon file written on a machine of the other byte order, which this program "
                             "does not read")
                  .arg(inPath)
            : QStringLiteral("%1 is not an rtmon file (its first bytes are not a netlink message)").arg(inPath);
    };
    if (!run.begin(FileKind::Rtmon, wrongKind, QStringLiteral("rtmon file"), rtmonIncompleteNote(), error))
        return false;
    ImportWriter &writer = run.writer();
    platform::RtmonReader reader([&writer](std::span<const ChangeRecord> records) { writer.add(records); });
    const auto feed = [&reader](const char *data, std::size_t n) {
        reader.feed(data, n);
        return true;
    };
    if (!run.read(feed, progress, error))
        return false;
    reader.finish();
    const RtmonStats &stats = reader.stats();
    ImportResult &res = run.result();
    res.details = rtmonDetails(stats);
    if (!stats.problem.empty())
        res.damage = QStringLiteral("damaged: %1; the %2 bytes from there were not read")
                         .arg(QString::fromStdString(stats.problem))
                         .arg(stats.unreadBytes);
    return run.end(stats.problem.empty() ? QStringLiteral("no time stamp and no message")
                                         : QString::fromStdString(stats.problem),
                   error);
}

} // namespace ncv::recording

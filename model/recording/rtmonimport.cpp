// SPDX-License-Identifier: GPL-2.0-or-later
// Importing rtmon files (see rtmonimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/rtmonimport.h"

#include "model/history/eventcodec.h"
#include "model/interfacenames.h"
#include "model/recording/recordingwriter.h"
#include "model/recording/sqlitedb.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <sqlite3.h>

#include <functional>
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
    if (!platform::PcapReader::captureFormat(head.constData(), std::size_t(head.size())).empty())
        return FileKind::Capture;
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

QString captureIncompleteNote(const QString &missingKinds)
{
    return QString::fromLatin1(platform::kPcapIncompleteNote)
        + QStringLiteral(": the capture holds no dump of %1 before its first event, so the tables before it show "
                         "only what the events added")
              .arg(missingKinds);
}

QString ImportResult::problem() const
{
    if (fromCapture) {
        if (capture.problem.empty())
            return {};
        return QStringLiteral("damaged: %1 packets not read whole; the first: %2")
            .arg(capture.damagedPackets)
            .arg(QString::fromStdString(capture.problem));
    }
    if (stats.problem.empty())
        return {};
    return QStringLiteral("damaged: %1; the %2 bytes from there were not read")
        .arg(QString::fromStdString(stats.problem))
        .arg(stats.unreadBytes);
}

QString ImportResult::summary(const QString &inputPath) const
{
    if (fromCapture)
        return captureSummary(inputPath);
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

QString ImportResult::captureSummary(const QString &inputPath) const
{
    const platform::PcapStats &c = capture;
    QString line = QStringLiteral("imported %1 events from the %2 capture %3 (%4 packets, %5 route messages: %6 "
                                  "notifications, %7 dump replies, %8 requests not applied)")
                       .arg(events)
                       .arg(QString::fromStdString(c.format), QFileInfo(inputPath).fileName())
                       .arg(c.packets)
                       .arg(c.messages)
                       .arg(c.eventMessages)
                       .arg(c.dumpMessages + c.laterDumpMessages)
                       .arg(c.requests);
    const std::string untracked = c.untrackedSummary();
    if (!untracked.empty())
        line += QStringLiteral("; not shown: %1").arg(QString::fromStdString(untracked));
    const std::string families = c.otherFamiliesSummary();
    if (!families.empty())
        line += QStringLiteral("; other netlink families, not read: %1").arg(QString::fromStdString(families));
    if (c.otherByteOrderPackets > 0)
        line += QStringLiteral("; %1 packets in the other byte order not read").arg(c.otherByteOrderPackets);
    if (c.notNetlinkPackets > 0)
        line += QStringLiteral("; %1 packets without a netlink cooked header passed over").arg(c.notNetlinkPackets);
    if (c.malformed > 0)
        line += QStringLiteral("; %1 malformed messages passed over").arg(c.malformed);
    if (c.subMicrosecondTimes > 0)
        line += QStringLiteral("; times rounded down to the microsecond");
    if (!c.problem.empty())
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

namespace {

/// Writes the records a reader delivers into a new recording (opened at the first record:
/// the recording starts at the file's first time) and ends it.
class Conversion {
public:
    Conversion(const QString &outPath, RecordingMeta meta) : m_outPath(outPath), m_meta(std::move(meta)) { }

    void operator()(std::span<const ChangeRecord> records)
    {
        if (!m_writer) {
            if (!m_writeError.isEmpty())
                return;
            RecordingWriter::Options options;
            options.startTimeUs = std::max<std::int64_t>(1, records.front().timeUs);
            m_writer.emplace();
            if (!m_writer->open(m_outPath, m_meta, options, &m_writeError)) {
                m_writer.reset();
                if (m_writeError.isEmpty())
                    m_writeError = QStringLiteral("cannot create %1").arg(m_outPath);
                return;
            }
        }
        for (const ChangeRecord &r : records) {
            if (r.change == ChangeKind::SnapshotComplete) {
                m_writer->requestKeyframe(QStringLiteral("start"));
                continue;
            }
            const QString ifName = eventIfName(r, m_names);
            m_encoded.clear();
            eventcodec::encode(r, m_encoded);
            m_writer->append(++m_seq, r.timeUs, m_encoded, ifName);
        }
    }

    std::int64_t events() const { return std::int64_t(m_seq); }
    bool opened() const { return m_writer.has_value(); }

    /// Ends the recording. False with *error when it could not be written, or when the
    /// reading failed (readError) and nothing stays.
    bool finish(bool read, const QString &readError, QString *error)
    {
        if (m_writer && !m_writer->finish(&m_writeError)) {
            QFile::remove(m_outPath);
            return fail(QStringLiteral("cannot write the recording %1: %2").arg(m_outPath, m_writeError), error);
        }
        if (!m_writeError.isEmpty())
            return fail(m_writeError, error);
        if (!read) {
            QFile::remove(m_outPath);
            return fail(readError, error);
        }
        return true;
    }

    /// Sets the meta note after the events (a capture knows what its dumps covered only
    /// once it has read them).
    bool setNote(const QString &note, QString *error)
    {
        sql::Db db;
        std::string why;
        sql::Stmt set;
        if (db.open(QFile::encodeName(m_outPath).toStdString(), SQLITE_OPEN_READWRITE, &why) != SQLITE_OK
            || set.prepare(db, "INSERT OR REPLACE INTO meta(name, value) VALUES ('note', ?)") != SQLITE_OK) {
            QFile::remove(m_outPath);
            return fail(QStringLiteral("cannot write the recording %1: %2").arg(m_outPath, QString::fromStdString(why)),
                        error);
        }
        set.bind(1, note.toStdString());
        if (set.step() != SQLITE_DONE) {
            QFile::remove(m_outPath);
            return fail(QStringLiteral("cannot write the note into the recording %1").arg(m_outPath), error);
        }
        return true;
    }

private:
    static bool fail(const QString &why, QString *error)
    {
        if (error)
            *error = why;
        return false;
    }

    QString m_outPath;
    RecordingMeta m_meta;
    std::optional<RecordingWriter> m_writer;
    QString m_writeError;
    InterfaceNames m_names;
    std::string m_encoded;
    std::uint64_t m_seq = 0;
};

RecordingMeta importMeta(const QString &source, const QString &inPath)
{
    RecordingMeta meta;
    meta.source = source;
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QCoreApplication::applicationVersion();
    meta.keyScheme = QStringLiteral("linux");
    meta.importedFrom = QFileInfo(inPath).fileName();
    return meta;
}

bool toTemporary(QString *outPath, QString *error, const std::function<bool(const QString &path)> &import)
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
    if (!import(path))
        return false;
    if (outPath)
        *outPath = path;
    return true;
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
    case FileKind::Capture:
    case FileKind::Unknown:
        return fail(QStringLiteral("%1 is not an rtmon file (its first bytes are not a netlink message)").arg(inPath));
    case FileKind::Rtmon: break;
    }

    RecordingMeta meta = importMeta(QStringLiteral("rtmon file"), inPath);
    meta.note = rtmonIncompleteNote();
    Conversion conversion(outPath, meta);
    ImportResult local;
    ImportResult &res = result ? *result : local;
    res.note = meta.note;
    std::string readError;
    const bool read = platform::RtmonReader::readFile(
        QFile::encodeName(inPath).toStdString(), [&](std::span<const ChangeRecord> r) { conversion(r); }, &res.stats,
        &readError);
    res.events = conversion.events();
    if (!conversion.finish(read, QString::fromStdString(readError), error))
        return false;
    if (!conversion.opened())
        return fail(QStringLiteral("%1 holds no event that can be read: %2")
                        .arg(inPath,
                             res.stats.problem.empty() ? QStringLiteral("no time stamp and no message")
                                                       : QString::fromStdString(res.stats.problem)));
    return true;
}

bool importRtmonToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error)
{
    return toTemporary(outPath, error, [&](const QString &path) { return importRtmon(inPath, path, result, error); });
}

bool importPcap(const QString &inPath, const QString &outPath, ImportResult *result, QString *error)
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
    case FileKind::Capture: break;
    default:
        return fail(QStringLiteral("%1 is not a pcap or pcapng capture (it does not begin with their magic numbers)")
                        .arg(inPath));
    }
    Conversion conversion(outPath, importMeta(QStringLiteral("nlmon capture"), inPath));
    ImportResult local;
    ImportResult &res = result ? *result : local;
    res.fromCapture = true;
    platform::PcapReader reader([&](std::span<const ChangeRecord> r) { conversion(r); });
    std::string readError;
    const bool read = reader.readFile(QFile::encodeName(inPath).toStdString(), &readError);
    res.capture = reader.stats();
    res.events = conversion.events();
    if (!conversion.finish(read, QString::fromStdString(readError), error))
        return false;
    const platform::PcapStats &c = res.capture;
    if (!conversion.opened()) {
        QString detail = QStringLiteral("%1 packets").arg(c.packets);
        if (c.otherByteOrderPackets > 0)
            detail += QStringLiteral(", %1 of them written on a machine of the other byte order, which this program "
                                     "does not read")
                          .arg(c.otherByteOrderPackets);
        if (!c.otherFamiliesSummary().empty())
            detail
                += QStringLiteral(", other netlink families: %1").arg(QString::fromStdString(c.otherFamiliesSummary()));
        if (!c.problem.empty())
            detail += QStringLiteral("; %1").arg(QString::fromStdString(c.problem));
        return fail(QStringLiteral("%1 holds no route netlink message that can be read (%2)").arg(inPath, detail));
    }
    if (!c.missingKinds.empty()) {
        res.note = captureIncompleteNote(QString::fromStdString(c.missingKinds));
        if (!conversion.setNote(res.note, error))
            return false;
    }
    return true;
}

bool importPcapToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error)
{
    return toTemporary(outPath, error, [&](const QString &path) { return importPcap(inPath, path, result, error); });
}

bool importToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error)
{
    return detectFileKind(inPath) == FileKind::Capture ? importPcapToTemporary(inPath, outPath, result, error)
                                                       : importRtmonToTemporary(inPath, outPath, result, error);
}

} // namespace ncv::recording

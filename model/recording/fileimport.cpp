// SPDX-License-Identifier: GPL-2.0-or-later
// The import entry point (see fileimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/fileimport.h"

#include "model/export/csvevents.h"
#include "model/history/eventcodec.h"
#include "model/interfacenames.h"
#include "model/recording/csvimport.h"
#include "model/recording/sqlitedb.h"
#ifdef NCV_RTMON_IMPORT
#include "model/recording/pcapimport.h"
#include "model/recording/rtmonimport.h"
#include "platform/linux/pcapreader.h"
#include "platform/linux/rtmonreader.h"
#endif

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <sqlite3.h>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <sys/types.h>
#endif

#include <vector>

namespace ncv::recording {

using platform::ChangeKind;
using platform::ChangeRecord;

namespace {

QString emptyFileError(const QString &path)
{
    return QStringLiteral("%1 is empty: there is nothing to open").arg(path);
}

/// The start of every temporary recording's name; the owning process's id follows it.
constexpr QLatin1StringView kTemporaryPrefix("netchangeview-import-");

/// False only when no process with this id exists (one of another user's counts as running).
bool processExists(qint64 pid)
{
    if (pid <= 0)
        return true;
#ifdef Q_OS_WIN
    HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, DWORD(pid));
    if (!process)
        return GetLastError() == ERROR_ACCESS_DENIED;
    const bool running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    CloseHandle(process);
    return running;
#else
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
#endif
}

} // namespace

int removeStaleTemporaryImports(const QString &dir)
{
    // A conversion killed midway (SIGKILL, a crash, a power cut) leaves its recording and the
    // SQLite -wal / -shm / -journal beside it. Their names say which process made them: once
    // it is gone, nobody will remove them.
    const QString ownPrefix = QStringLiteral("%1%2-").arg(kTemporaryPrefix).arg(QCoreApplication::applicationPid());
    int removed = 0;
    const QStringList names = QDir(dir).entryList({QString(kTemporaryPrefix) + u'*'}, QDir::Files | QDir::Hidden);
    for (const QString &name : names) {
        if (name.startsWith(ownPrefix))
            continue; // this process's: its own code removes it
        const qsizetype dash = name.indexOf(QLatin1Char('-'), kTemporaryPrefix.size());
        bool ok = false;
        const qint64 pid = dash > 0
            ? QStringView(name).mid(kTemporaryPrefix.size(), dash - kTemporaryPrefix.size()).toLongLong(&ok)
            : 0;
        if (!ok || processExists(pid))
            continue; // a name of no owner we can tell (an older version's), or one still running
        if (QFile::remove(QDir(dir).filePath(name)))
            ++removed;
    }
    return removed;
}

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
    // Enough for the CSV header line (about 130 bytes) after a byte order mark.
    const QByteArray head = f.read(512);
    if (head.isEmpty())
        return FileKind::Empty;
    if (head.startsWith(QByteArrayLiteral("SQLite format 3")))
        return FileKind::Recording;
    if (csv::looksLikeCsvExport(head))
        return FileKind::Csv;
#ifdef NCV_RTMON_IMPORT
    if (!platform::PcapReader::captureFormat(head.constData(), std::size_t(head.size())).empty())
        return FileKind::Capture;
    if (platform::RtmonReader::looksLikeRtmon(head.constData(), std::size_t(head.size())))
        return FileKind::Rtmon;
    if (platform::RtmonReader::looksLikeSwappedRtmon(head.constData(), std::size_t(head.size())))
        return FileKind::RtmonOtherByteOrder;
#endif
    return FileKind::Unknown;
}

bool isImportable(FileKind kind)
{
    switch (kind) {
    case FileKind::Empty:
    case FileKind::Csv: return true;
#ifdef NCV_RTMON_IMPORT
    case FileKind::Rtmon:
    case FileKind::RtmonOtherByteOrder:
    case FileKind::Capture: return true;
#endif
    default: return false;
    }
}

QString ImportResult::summary(const QString &inputPath) const
{
    QString line
        = QStringLiteral("imported %1 events from the %2 %3").arg(events).arg(format, QFileInfo(inputPath).fileName());
    if (!details.isEmpty())
        line += (details.startsWith(QLatin1Char('(')) ? QStringLiteral(" ") : QStringLiteral("; ")) + details;
    if (!damage.isEmpty())
        line += QStringLiteral("; ") + damage;
    return line;
}

bool importFile(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                QString *error)
{
    QString why;
    const FileKind kind = detectFileKind(inPath, &why);
    ImportFunction importer = nullptr;
    switch (kind) {
    case FileKind::Missing:
        if (error)
            *error = why;
        return false;
    case FileKind::Empty:
        if (error)
            *error = emptyFileError(inPath);
        return false;
    case FileKind::Csv: importer = &importCsv; break;
#ifdef NCV_RTMON_IMPORT
    case FileKind::Rtmon:
    case FileKind::RtmonOtherByteOrder: importer = &importRtmon; break;
    case FileKind::Capture: importer = &importPcap; break;
#endif
    default: break;
    }
    if (!importer) {
        if (error)
            *error = QStringLiteral("%1 is not a file NetChangeView can open: not a recording, an rtmon file, an "
                                    "nlmon capture or a CSV export of NetChangeView")
                         .arg(inPath);
        return false;
    }
    return importer(inPath, outPath, progress, result, error);
}

bool importFileToTemporary(const QString &inPath, QString *outPath, const ImportProgress &progress,
                           ImportResult *result, QString *error)
{
    removeStaleTemporaryImports(QDir::tempPath());
    // A unique name that says its owner (removeStaleTemporaryImports()), then the writer
    // creates the file itself (it never opens an existing one).
    QTemporaryFile name(QDir::temp().filePath(
        QStringLiteral("%1%2-XXXXXX.ncv").arg(kTemporaryPrefix).arg(QCoreApplication::applicationPid())));
    if (!name.open()) {
        if (error)
            *error = QStringLiteral("cannot create a file in %1: %2").arg(QDir::tempPath(), name.errorString());
        return false;
    }
    const QString path = name.fileName();
    name.close();
    name.remove();
    if (!importFile(inPath, path, progress, result, error)) {
        QFile::remove(path); // an importer removes its partial file; this makes sure
        return false;
    }
    if (outPath)
        *outPath = path;
    return true;
}

ImportRun::ImportRun(const QString &inPath, const QString &outPath, ImportResult *result)
    : m_in(inPath), m_out(outPath), m_result(result ? result : &m_local)
{
    *m_result = ImportResult();
}

ImportRun::~ImportRun() = default;

bool ImportRun::begin(FileKind wanted, const std::function<QString(FileKind)> &wrongKind, const QString &source,
                      const QString &note, QString *error)
{
    QString why;
    const FileKind kind = detectFileKind(m_in, &why);
    if (kind != wanted) {
        if (error)
            *error = kind == FileKind::Missing ? why : kind == FileKind::Empty ? emptyFileError(m_in) : wrongKind(kind);
        return false;
    }
    m_file = std::make_unique<QFile>(m_in);
    if (!m_file->open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_in, m_file->errorString());
        return false;
    }
    m_total = m_file->size();
    RecordingMeta meta;
    meta.source = source;
    meta.familyFilter = QStringLiteral("unspec");
    meta.programVersion = QCoreApplication::applicationVersion();
    // Imports carry no Windows LUID: objects are keyed by interface index, as on Linux.
    meta.keyScheme = QStringLiteral("linux");
    meta.importedFrom = QFileInfo(m_in).fileName();
    meta.note = note;
    m_result->format = source;
    m_result->note = note;
    m_writer = std::make_unique<ImportWriter>(m_out, meta);
    return true;
}

bool ImportRun::read(const std::function<bool(const char *, std::size_t)> &feed, const ImportProgress &progress,
                     QString *error)
{
    for (;;) {
        const char *data = nullptr;
        const std::int64_t n = pull(progress, &data);
        if (n < 0)
            return pullEnded(error);
        if (n == 0 || !feed(data, std::size_t(n)))
            return true;
    }
}

std::int64_t ImportRun::pull(const ImportProgress &progress, const char **data)
{
    m_progress = progress;
    if (!m_stopped.isEmpty())
        return -1;
    if (m_result->bytesRead > 0) { // the chunk before was read whole
        if (m_writer->failed())
            return 0; // end() says why
        if (progress && !progress(m_result->bytesRead, m_total)) {
            m_result->cancelled = true;
            m_stopped = QStringLiteral("import of %1 cancelled").arg(m_in);
            return -1;
        }
    }
    m_chunk.resize(1u << 20);
    const qint64 n = m_file->read(m_chunk.data(), qint64(m_chunk.size()));
    if (n < 0) {
        m_stopped = QStringLiteral("%1: read error: %2").arg(m_in, m_file->errorString());
        return -1;
    }
    m_result->bytesRead += n;
    *data = m_chunk.data();
    return n;
}

bool ImportRun::pullEnded(QString *error)
{
    if (m_stopped.isEmpty())
        return true;
    m_writer->discard();
    if (error)
        *error = m_stopped;
    return false;
}

void ImportRun::setNote(const QString &note)
{
    m_result->note = note;
    m_writer->setNote(note);
}

bool ImportRun::end(const QString &noEvents, QString *error)
{
    m_result->events = m_writer->events();
    const bool opened = m_writer->opened();
    QString why;
    if (!m_writer->finish(&why)) {
        if (error)
            *error = why;
        return false;
    }
    if (!opened) {
        if (error)
            *error = QStringLiteral("%1 holds no event that can be read: %2").arg(m_in, noEvents);
        return false;
    }
    if (m_progress)
        m_progress(m_result->bytesRead, m_total);
    return true;
}

// ---------------------------------------------------------------------------------------

struct ImportWriter::Names {
    InterfaceNames names;
};

ImportWriter::ImportWriter(const QString &outPath, const RecordingMeta &meta)
    : m_path(outPath), m_meta(meta), m_names(std::make_unique<Names>())
{ }

ImportWriter::~ImportWriter()
{
    if (m_writer) // not finished: the import failed or was cancelled
        discard();
}

bool ImportWriter::ensureOpen(std::int64_t firstTimeUs)
{
    if (m_writer)
        return true;
    if (failed())
        return false;
    RecordingWriter::Options options;
    options.startTimeUs = std::max<std::int64_t>(1, firstTimeUs);
    // The file is removed unless the import completes: no journal, and fewer, bigger
    // transactions (each commits the pages it touched; nobody reads the file meanwhile).
    options.bulkLoad = true;
    options.transactionMs = 2000;
    m_writer.emplace();
    if (!m_writer->open(m_path, m_meta, options, &m_error)) {
        m_writer.reset();
        if (m_error.isEmpty())
            m_error = QStringLiteral("cannot create %1").arg(m_path);
        return false;
    }
    return true;
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
    if (const auto *n = std::get_if<platform::NeighborRow>(&row))
        return names.name(n->ifIndex);
    if (const auto *h = std::get_if<platform::NexthopRow>(&row); h && h->ifIndex != 0)
        return names.name(h->ifIndex);
    return {}; // entities, rules (their iif / oif are names already)
}

} // namespace

void ImportWriter::add(std::span<const ChangeRecord> records)
{
    for (const ChangeRecord &r : records) {
        if (r.change == ChangeKind::SnapshotComplete) {
            keyframe(QStringLiteral("start"));
            continue;
        }
        add(r, eventIfName(r, m_names->names));
    }
}

void ImportWriter::add(const ChangeRecord &r, const QString &ifName)
{
    if (!ensureOpen(r.timeUs))
        return;
    m_encoded.clear();
    eventcodec::encode(r, m_encoded);
    m_writer->append(++m_seq, r.timeUs, m_encoded, ifName);
}

void ImportWriter::keyframe(const QString &reason)
{
    if (m_writer)
        m_writer->requestKeyframe(reason);
}

void ImportWriter::setNote(const QString &note)
{
    m_meta.note = note;
    m_noteAfterOpen = m_writer.has_value();
}

bool ImportWriter::finish(QString *error)
{
    if (!m_writer) {
        if (error)
            *error = m_error;
        return !failed();
    }
    QString why;
    bool ok = m_writer->finish(&why);
    m_writer.reset();
    if (ok && m_noteAfterOpen)
        ok = writeNote(&why);
    if (!ok) {
        QFile::remove(m_path);
        m_error = QStringLiteral("cannot write the recording %1: %2").arg(m_path, why);
        if (error)
            *error = m_error;
    }
    return ok;
}

bool ImportWriter::writeNote(QString *error)
{
    sql::Db db;
    std::string why;
    sql::Stmt set;
    if (db.open(QFile::encodeName(m_path).toStdString(), SQLITE_OPEN_READWRITE, &why) != SQLITE_OK
        || set.prepare(db, "INSERT OR REPLACE INTO meta(name, value) VALUES ('note', ?)") != SQLITE_OK) {
        *error = why.empty() ? QStringLiteral("cannot write its note") : QString::fromStdString(why);
        return false;
    }
    set.bind(1, m_meta.note.toStdString());
    if (set.step() != SQLITE_DONE) {
        *error = QStringLiteral("cannot write its note");
        return false;
    }
    return true;
}

void ImportWriter::discard()
{
    if (m_writer) {
        QString ignored;
        m_writer->finish(&ignored);
        m_writer.reset();
    }
    for (const QString &suffix :
         {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")})
        QFile::remove(m_path + suffix);
}

} // namespace ncv::recording

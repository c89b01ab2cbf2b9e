// SPDX-License-Identifier: GPL-2.0-or-later
// Opening files other tools wrote: one entry point for every foreign format. A file is
// recognised by its content (detectFileKind, never by its name), and importFile() converts
// it into a recording (recordingformat.h) that the window and the command line then open
// like any recording: time travel, the event log, the timeline, the diff, CSV export and
// `--at T` all read recordings, so converting once gives all of them to every format and
// lets the user keep the result (File > Save Recording As), so a big file is parsed once.
//
// A format is one importer with the ImportFunction signature below (rtmonimport.h,
// pcapimport.h, csvimport.h) and one case in importFile()'s switch. Importers read the file in chunks,
// report the bytes read through ImportProgress and stop when it returns false; the partial
// recording is then removed.
// Any thread; blocking (it reads the whole file and waits for the recording's disk writes).
#pragma once

#include "model/recording/recordingwriter.h"
#include "platform/types.h"

#include <QString>
#include <QStringList>

class QFile;

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ncv::recording {

/// What a file is, by its first bytes (never by its name).
enum class FileKind {
    Missing, ///< no such file, not a regular file, or unreadable (error says why)
    Empty, ///< zero bytes
    Recording, ///< an SQLite database (the recording reader says whether it is ours)
    Rtmon, ///< an rtmon stream in this machine's byte order
    RtmonOtherByteOrder, ///< an rtmon stream from a machine of the other byte order (not readable here)
    Capture, ///< a pcap or pcapng capture, by its magic number (libpcap says whether it is of netlink)
    Csv, ///< our CSV export: its first line is csv::header() (an UTF-8 byte order mark allowed before it)
    Unknown, ///< none of these
};

/// Looks at the start of path. error (optional): for Missing, one line naming the file.
FileKind detectFileKind(const QString &path, QString *error = nullptr);

/// True for the kinds importFile() converts (on this platform); Empty counts, so that an
/// empty file gets the importer's one-line message.
bool isImportable(FileKind kind);

/// Told the bytes of the input read so far and its size (both bytes), every chunk (about
/// 1 MiB) and at the end; returns false to cancel the import. Called on the importing thread.
using ImportProgress = std::function<bool(std::int64_t done, std::int64_t total)>;

/// What an import did. Filled by every importer; the reader statistics of a format are its own
/// (summary() and damage say them in words).
struct ImportResult {
    QString format; ///< "rtmon file", "nlmon capture", "CSV file": meta source of the recording
    std::int64_t events = 0; ///< events written to the recording
    std::int64_t bytesRead = 0; ///< of the input
    bool cancelled = false; ///< ImportProgress returned false (then importFile() returned false)
    /// The rest of the summary line after the event count, e.g. "(1,000,043 messages); not
    /// shown: 12 netconf messages".
    QString details;
    /// One line when part of the input could not be read, naming where ("line 12: ...",
    /// "damaged at byte N: ..."), with what was not read; empty when the whole file was read.
    QString damage;
    /// The meta note of the recording (what the tables cannot show); empty when none.
    QString note;

    /// One line for the status bar / standard error: "imported 1,000,020 events from the
    /// rtmon file F (1,000,043 messages); not shown: ...; damaged ...".
    QString summary(const QString &inputPath) const;
};

/// An importer: converts inPath into the new recording outPath (which must not exist).
/// Returns false with *error one line when inPath cannot be read or is not of its format,
/// outPath cannot be written, or progress cancelled ("import of F cancelled"; then
/// result->cancelled and outPath does not exist). An input damaged part way is not a
/// failure: what came before is converted and result->damage says what was not.
using ImportFunction = bool (*)(const QString &inPath, const QString &outPath, const ImportProgress &progress,
                                ImportResult *result, QString *error);

/// Converts inPath, whatever its importable kind, into outPath (see ImportFunction). A
/// recording or a file of no known kind is an error ("F is not a file NetChangeView can
/// open: ...").
bool importFile(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                QString *error);

/// importFile() into a new file in the temporary directory (the caller removes it when
/// done); *outPath is its name, "netchangeview-import-<this process's id>-XXXXXX.ncv". On
/// failure or cancel no file is left. Removes the stale ones first
/// (removeStaleTemporaryImports()).
bool importFileToTemporary(const QString &inPath, QString *outPath, const ImportProgress &progress,
                           ImportResult *result, QString *error);

/// Removes from dir the files of importFileToTemporary() (the recording and its -wal, -shm,
/// -journal) whose process no longer runs: those of a conversion that was killed. Files of
/// a running process (this one, another instance, another user's) and names without a
/// process id are kept. Returns how many files were removed.
int removeStaleTemporaryImports(const QString &dir);

/// Writes an importer's records into a new recording: opened at the first record (the
/// recording starts at its time), each record encoded as the live recorder does, with the
/// interface name the live window would show. Shared by the importers.
class ImportWriter {
public:
    ImportWriter(const QString &outPath, const RecordingMeta &meta);
    ~ImportWriter();
    ImportWriter(const ImportWriter &) = delete;
    ImportWriter &operator=(const ImportWriter &) = delete;

    /// Appends records in order. SnapshotComplete becomes the "start" keyframe. ifName: the
    /// name to store with each record; empty = resolved from the interface records seen.
    void add(std::span<const platform::ChangeRecord> records);
    void add(const platform::ChangeRecord &record, const QString &ifName);
    /// Asks for a keyframe before the next record.
    void keyframe(const QString &reason);
    /// The meta note, when the importer knows it only after some records (a capture knows
    /// what its dumps covered at its first event): stored with the meta when the recording is
    /// not open yet, else written into it by finish().
    void setNote(const QString &note);
    /// The file's times have nanoseconds (RecordingMeta::nanosecondTimes). Before the first
    /// record only: the recording is created with it or without.
    void setNanosecondTimes(bool on)
    {
        if (!m_writer)
            m_meta.nanosecondTimes = on;
    }
    /// True once the recording could not be created or written (error() says why).
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }
    bool opened() const { return m_writer.has_value(); }
    std::int64_t events() const { return std::int64_t(m_seq); }
    /// Finishes the recording; false with *error when writing failed. No-op when never opened.
    bool finish(QString *error);
    /// Stops and removes the file (cancel or failure).
    void discard();

private:
    bool ensureOpen(std::int64_t firstTimeUs);
    bool writeNote(QString *error);

    QString m_path;
    RecordingMeta m_meta;
    std::optional<RecordingWriter> m_writer;
    QString m_error;
    std::uint64_t m_seq = 0;
    std::string m_encoded;
    bool m_noteAfterOpen = false;
    struct Names;
    std::unique_ptr<Names> m_names;
};

/// The frame every importer shares, around its own reader: begin() checks the file's kind
/// and opens it and the recording, read() feeds the file to the reader in chunks of 1 MiB
/// with progress and cancel (removing the recording on cancel or a read error), end()
/// finishes the recording and fills the result.
class ImportRun {
public:
    ImportRun(const QString &inPath, const QString &outPath, ImportResult *result);
    ~ImportRun();
    ImportRun(const ImportRun &) = delete;
    ImportRun &operator=(const ImportRun &) = delete;

    /// False with *error one line when inPath is missing, empty, or not of kind wanted
    /// (then *error = wrongKind(its kind)). The recording's meta: source (also
    /// ImportResult::format), note, imported_from = inPath's file name, key scheme linux.
    bool begin(FileKind wanted, const std::function<QString(FileKind)> &wrongKind, const QString &source,
               const QString &note, QString *error);
    /// Feeds the file to feed(data, bytes), which returns false to stop reading (damage);
    /// false with *error on a read error, a failed recording or cancel ("import of F
    /// cancelled", result().cancelled): the recording is then removed.
    bool read(const std::function<bool(const char *data, std::size_t bytes)> &feed, const ImportProgress &progress,
              QString *error);
    /// The pull form of read(), for readers that ask for the bytes themselves (libpcap reads
    /// a FILE*): the next chunk of the file (up to 1 MiB, valid until the next call) in
    /// *data, with progress told (and asked to go on) before every chunk after the first.
    /// Returns its size, 0 at the end of the file (also once the recording failed: end()
    /// says why), -1 on a read error or cancel (from then on; pullEnded() says which).
    std::int64_t pull(const ImportProgress &progress, const char **data);
    /// After the last pull(): false with *error when reading stopped on a read error or
    /// cancel, as read() (the recording is then removed).
    bool pullEnded(QString *error);
    /// ImportWriter::setNote(), and ImportResult::note.
    void setNote(const QString &note);
    /// Finishes the recording: false with *error when writing failed or no event was written
    /// ("F holds no event that can be read: <noEvents>").
    bool end(const QString &noEvents, QString *error);

    ImportWriter &writer() { return *m_writer; }
    ImportResult &result() { return *m_result; }
    std::int64_t totalBytes() const { return m_total; }

private:
    QString m_in, m_out;
    ImportResult m_local;
    ImportResult *m_result;
    std::unique_ptr<QFile> m_file;
    std::unique_ptr<ImportWriter> m_writer;
    std::int64_t m_total = 0;
    ImportProgress m_progress;
    std::vector<char> m_chunk;
    QString m_stopped; ///< why pull() stopped (read error, cancel); empty while it goes on
};

} // namespace ncv::recording

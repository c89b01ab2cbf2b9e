// SPDX-License-Identifier: GPL-2.0-or-later
// OutputFile: the target of an export (File > Export, the headless recorder's CSV), opened
// the way that is safe for what the target is:
//  - a regular file, or a name that does not exist yet: QSaveFile (a temporary file in the
//    target's directory, renamed over the target by commit), so the target is replaced all
//    or nothing. The owner, group and mode of a file it replaces are given to the new file
//    (fchown, fchmod on the temporary file before the rename) as far as the process may.
//  - anything else that exists (a character device such as /dev/null, a FIFO, a socket),
//    and "-", /dev/stdout, /dev/stderr, /dev/fd/N (a duplicate of that descriptor): written
//    in place, in order, never replaced. What was written before a failure stays written.
//  - openUnique(): a new file with a unique name, created exclusively (O_EXCL) with mode
//    0600 by QTemporaryFile, for saving data when the intended target failed.
// A symlink in a sticky world-writable directory (such as /tmp) is followed only when it is
// owned by the user or by the directory's owner: the rule of the kernel's
// fs.protected_symlinks, applied here whatever that sysctl says, because QSaveFile resolves
// symlinks itself (readlink), where the kernel's check does not apply.
// Errors are one-line reasons without the file name ("No space left on device", from
// errno); callers put the name in front. Thread: any; one object is used by one thread.
#pragma once

#include <QString>

#include <memory>

class QFileDevice;
class QIODevice;

namespace ncv {

class OutputFile {
public:
    /// How the open target is written.
    enum class Mode {
        Closed,
        Replace, ///< regular file through QSaveFile: all or nothing
        Direct, ///< device, FIFO, socket, standard output: in place, in order
        Unique, ///< a new file made by openUnique()
    };

    OutputFile();
    /// Without commit(): a Replace target is left as it was, a Unique file is removed,
    /// a Direct target keeps what was written.
    ~OutputFile();
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    /// Opens path for writing (see the top of this file). "-" is standard output. Returns
    /// false with *reason set: "it is a directory", "directory /x does not exist", the
    /// refused symlink, or the OS's reason (strerror text).
    bool open(const QString &path, QString *reason);
    /// Creates a new file from nameTemplate ("/tmp/name-XXXXXX.csv": the last run of six or
    /// more X is replaced to make a name no file has), exclusively, mode 0600, unbuffered.
    bool openUnique(const QString &nameTemplate, QString *reason);

    /// Checks, without changing or opening the target itself, that open(path) would
    /// succeed: for a regular file or a new name it creates and removes a temporary file
    /// next to it; for a device or FIFO it asks access(W_OK) (opening a FIFO would hand its
    /// reader an end of file, opening some devices has effects); for standard output it
    /// checks that the descriptor is open for writing.
    static bool checkWritable(const QString &path, QString *reason);
    /// How path is named in messages: "standard output" for "-", else path.
    static QString displayName(const QString &path);
    /// True when path ("-" = standard output) is a pipe or socket whose reading end is
    /// closed (poll() reports POLLERR or POLLHUP): the reader went away, which a writer
    /// with nothing to write would otherwise learn only at its next write. False for files,
    /// terminals and other targets, for a path that is not open here, and on Windows.
    static bool readerGone(const QString &path);

    /// The open device (nullptr when closed). Writes are unbuffered: a failing write
    /// returns -1 with the OS's reason in errorString().
    QIODevice *device() const;
    Mode mode() const { return m_mode; }
    /// The name given to open(), or the name openUnique() created.
    QString fileName() const { return m_fileName; }

    /// Finishes: Replace renames the new file over the target; Direct and Unique close
    /// the file. Returns false with *reason set when any write or the final step failed
    /// (a Replace target is then left as it was, a Unique file is removed).
    bool commit(QString *reason);
    /// Abandons the output (see the destructor). Safe to call when closed.
    void cancel();

private:
    bool openReplace(const QString &path, QString *reason);
    bool openDirectFd(int fd, QString *reason);

    Mode m_mode = Mode::Closed;
    QString m_fileName;
    std::unique_ptr<QFileDevice> m_file;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/outputfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryFile>

#include <algorithm>
#include <optional>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#else
#include <cstdio>
#endif

namespace ncv {

namespace {

/// QTemporaryFile opened unbuffered: its open(OpenMode) is protected.
class UnbufferedTemporaryFile : public QTemporaryFile {
public:
    using QTemporaryFile::QTemporaryFile;
    bool openUnbuffered() { return QTemporaryFile::open(QIODevice::ReadWrite | QIODevice::Unbuffered); }
};

#ifdef Q_OS_UNIX

/// The OS's text for errno value err, as QFile reports it ("No space left on device").
QString osReason(int err)
{
    return qt_error_string(err);
}

/// The descriptor a name stands for by itself: "-" and /dev/stdout are 1, /dev/stderr is
/// 2, /dev/fd/N and /proc/self/fd/N are N; -1 for every other name. Writing to a
/// duplicate of the descriptor (not a re-open of the name) keeps its offset and append
/// mode, and works for sockets, which cannot be re-opened by name.
int standardDescriptor(const QString &path)
{
    if (path == u"-" || path == u"/dev/stdout")
        return 1;
    if (path == u"/dev/stderr")
        return 2;
    for (const QLatin1StringView prefix : {QLatin1StringView("/dev/fd/"), QLatin1StringView("/proc/self/fd/")}) {
        if (!path.startsWith(prefix))
            continue;
        const QStringView digits = QStringView(path).mid(prefix.size());
        bool ok = false;
        const int fd = digits.toInt(&ok);
        if (ok && fd >= 0 && digits.size() < 10
            && std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); }))
            return fd;
    }
    return -1;
}

/// "/a/b" -> "/a", "/a" -> "/", "/" -> "/".
QByteArray parentOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return slash <= 0 ? QByteArray("/") : path.left(slash);
}

/// Resolves path to an absolute path without symlinks, one component at a time as the
/// kernel does, and refuses a symlink that the kernel's fs.protected_symlinks rule would
/// not follow: one in a sticky world-writable directory that is owned neither by this
/// process's user nor by the directory's owner. Components from the first one that does
/// not exist are kept as given. Returns nullopt with *reason set when refused.
std::optional<QByteArray> resolveProtected(const QString &path, QString *reason)
{
    QByteArray rest = QFile::encodeName(path);
    if (!rest.startsWith('/'))
        rest = QFile::encodeName(QDir::currentPath()) + '/' + rest;
    QList<QByteArray> todo = rest.split('/');
    QByteArray done; // resolved so far; empty = "/"
    bool missing = false;
    int links = 0;
    while (!todo.isEmpty()) {
        const QByteArray part = todo.takeFirst();
        if (part.isEmpty() || part == ".")
            continue;
        if (part == ".." && !missing) {
            done = parentOf(done.isEmpty() ? QByteArray("/") : done);
            if (done == "/")
                done.clear();
            continue;
        }
        const QByteArray next = done + '/' + part;
        struct stat link { };
        if (!missing && ::lstat(next.constData(), &link) != 0)
            missing = true; // opening will say why
        if (missing || !S_ISLNK(link.st_mode)) {
            done = next;
            continue;
        }
        if (++links > 40) {
            *reason = osReason(ELOOP);
            return std::nullopt;
        }
        const QByteArray dir = done.isEmpty() ? QByteArray("/") : done;
        struct stat dirStat { };
        if (::stat(dir.constData(), &dirStat) == 0 && (dirStat.st_mode & S_ISVTX) && (dirStat.st_mode & S_IWOTH)
            && link.st_uid != ::geteuid() && link.st_uid != dirStat.st_uid) {
            *reason = QStringLiteral("refusing to follow the symlink %1: it is owned by uid %2, neither you nor the "
                                     "owner of the sticky world-writable directory %3 (the fs.protected_symlinks rule)")
                          .arg(QFile::decodeName(next), QString::number(link.st_uid), QFile::decodeName(dir));
            return std::nullopt;
        }
        QByteArray target(PATH_MAX, '\0');
        const ssize_t n = ::readlink(next.constData(), target.data(), std::size_t(target.size()));
        if (n < 0 || n >= target.size()) {
            *reason = osReason(n < 0 ? errno : ENAMETOOLONG);
            return std::nullopt;
        }
        target.truncate(n);
        QList<QByteArray> spliced = target.split('/');
        spliced.append(todo);
        todo = std::move(spliced);
        if (target.startsWith('/'))
            done.clear();
    }
    return done.isEmpty() ? QByteArray("/") : done;
}

/// The directory holding the file open on fd, from /proc/self/fd (Linux); empty when
/// that cannot be read. An unnamed (O_TMPFILE) file reads "/dir/#123 (deleted)".
QByteArray directoryOfDescriptor(int fd)
{
    QByteArray target(PATH_MAX, '\0');
    const QByteArray link = "/proc/self/fd/" + QByteArray::number(fd);
    const ssize_t n = ::readlink(link.constData(), target.data(), std::size_t(target.size()));
    if (n <= 0 || n >= target.size() || target.at(0) != '/')
        return {};
    target.truncate(n);
    return parentOf(target);
}

#endif // Q_OS_UNIX

} // namespace

OutputFile::OutputFile() = default;

OutputFile::~OutputFile()
{
    cancel();
}

QString OutputFile::displayName(const QString &path)
{
    return path == u"-" ? QStringLiteral("standard output") : path;
}

bool OutputFile::readerGone(const QString &path)
{
#ifdef Q_OS_UNIX
    const int fd = standardDescriptor(path);
    struct stat st { };
    if (fd < 0 || ::fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return false;
    // No events asked: POLLERR (a pipe without readers) and POLLHUP (a socket whose peer
    // closed) are reported whatever is asked, and nothing is waited for.
    struct pollfd p {
        fd, 0, 0
    };
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
#else
    Q_UNUSED(path);
    return false;
#endif
}

QIODevice *OutputFile::device() const
{
    return m_file.get();
}

bool OutputFile::open(const QString &path, QString *reason)
{
    cancel();
    m_fileName = path;
    if (path.isEmpty()) {
        *reason = QStringLiteral("no file name given");
        return false;
    }
#ifdef Q_OS_UNIX
    if (const int standard = standardDescriptor(path); standard >= 0) {
        const int fd = ::fcntl(standard, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            *reason = osReason(errno);
            return false;
        }
        if ((::fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
            ::close(fd);
            *reason = QStringLiteral("it is open for reading only");
            return false;
        }
        return openDirectFd(fd, reason);
    }
    const std::optional<QByteArray> resolved = resolveProtected(path, reason);
    if (!resolved)
        return false;
    struct stat st { };
    if (::stat(resolved->constData(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        // Written in place. No O_CREAT: this never makes a file; no O_TRUNC and O_NOFOLLOW:
        // a regular file or a symlink swapped in since the checks above is neither
        // truncated nor followed (a regular file is then replaced like any other).
        const int fd = ::open(resolved->constData(), O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            *reason = osReason(errno);
            return false;
        }
        struct stat opened { };
        if (::fstat(fd, &opened) == 0 && !S_ISREG(opened.st_mode))
            return openDirectFd(fd, reason);
        ::close(fd);
    }
    return openReplace(QFile::decodeName(*resolved), reason);
#else
    if (path == u"-") {
        auto file = std::make_unique<QFile>();
        if (!file->open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered)) {
            *reason = file->errorString();
            return false;
        }
        m_file = std::move(file);
        m_mode = Mode::Direct;
        return true;
    }
    const QFileInfo info(path);
    if (info.exists() && !info.isFile() && !info.isDir()) {
        auto file = std::make_unique<QFile>(path);
        if (!file->open(QIODevice::WriteOnly | QIODevice::ExistingOnly | QIODevice::Unbuffered)) {
            *reason = file->errorString();
            return false;
        }
        m_file = std::move(file);
        m_mode = Mode::Direct;
        return true;
    }
    return openReplace(path, reason);
#endif
}

bool OutputFile::openDirectFd([[maybe_unused]] int fd, QString *reason)
{
#ifdef Q_OS_UNIX
    auto file = std::make_unique<QFile>();
    if (!file->open(fd, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle)) {
        *reason = file->errorString();
        ::close(fd);
        return false;
    }
    m_file = std::move(file);
    m_mode = Mode::Direct;
    return true;
#else
    *reason = QStringLiteral("not supported");
    return false;
#endif
}

bool OutputFile::openReplace(const QString &path, QString *reason)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        *reason = QStringLiteral("it is a directory");
        return false;
    }
    const QFileInfo dir(info.absolutePath());
    if (!dir.exists()) {
        *reason = QStringLiteral("directory %1 does not exist").arg(dir.filePath());
        return false;
    }
    if (!dir.isDir()) {
        *reason = QStringLiteral("%1 is not a directory").arg(dir.filePath());
        return false;
    }
    // Unbuffered: every write reaches the OS at once, so its error is the write's result
    // (buffered, a failed flush at commit() went unnoticed and an empty file replaced the target).
    auto file = std::make_unique<QSaveFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        *reason = file->errorString();
        return false;
    }
#ifdef Q_OS_UNIX
    const int fd = int(file->handle());
    const QByteArray target = QFile::encodeName(path); // resolved: no symlink in it
    // QSaveFile resolves a symlink at the target itself when it opens. One planted since
    // resolveProtected() would have put its temporary file, and so the rename, elsewhere.
    const QByteArray tempDir = directoryOfDescriptor(fd);
    if (!tempDir.isEmpty() && tempDir != parentOf(target)) {
        file->cancelWriting(); // the destructor removes the temporary file
        *reason = QStringLiteral("it was replaced by a symlink to %1 while being opened; nothing was written")
                      .arg(QFile::decodeName(tempDir));
        return false;
    }
    // The new file takes the place of the old one: give it the old one's owner, group
    // and mode. chown first (it clears set-id bits), then chmod. Changing the owner needs
    // root (CAP_CHOWN); without it, at least the group where the user is a member.
    struct stat old { };
    if (::lstat(target.constData(), &old) == 0 && S_ISREG(old.st_mode)) {
        struct stat now { };
        if (::fstat(fd, &now) == 0 && (now.st_uid != old.st_uid || now.st_gid != old.st_gid)) {
            if (::fchown(fd, old.st_uid, old.st_gid) != 0 && ::fchown(fd, uid_t(-1), old.st_gid) != 0) {
                // Not allowed: the new file stays ours, with the mode below.
            }
        }
        if (::fchmod(fd, old.st_mode & 07777) != 0) {
            // Not allowed (not our file): it keeps the mode QSaveFile copied.
        }
    }
#endif
    m_file = std::move(file);
    m_mode = Mode::Replace;
    return true;
}

bool OutputFile::openUnique(const QString &nameTemplate, QString *reason)
{
    cancel();
    auto file = std::make_unique<UnbufferedTemporaryFile>(nameTemplate);
    file->setAutoRemove(false);
    if (!file->openUnbuffered()) {
        *reason = file->errorString();
        return false;
    }
    m_fileName = file->fileName(); // gives an unnamed (O_TMPFILE) file its unique name
    if (!file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *reason = file->errorString();
        file->remove();
        return false;
    }
    m_file = std::move(file);
    m_mode = Mode::Unique;
    return true;
}

bool OutputFile::checkWritable(const QString &path, QString *reason)
{
    if (path.isEmpty()) {
        *reason = QStringLiteral("no file name given");
        return false;
    }
#ifdef Q_OS_UNIX
    if (const int standard = standardDescriptor(path); standard >= 0) {
        const int flags = ::fcntl(standard, F_GETFL);
        if (flags < 0) {
            *reason = osReason(errno);
            return false;
        }
        if ((flags & O_ACCMODE) == O_RDONLY) {
            *reason = QStringLiteral("it is open for reading only");
            return false;
        }
        return true;
    }
    const std::optional<QByteArray> resolved = resolveProtected(path, reason);
    if (!resolved)
        return false;
    struct stat st { };
    if (::stat(resolved->constData(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        if (::faccessat(AT_FDCWD, resolved->constData(), W_OK, AT_EACCESS) != 0) {
            *reason = osReason(errno);
            return false;
        }
        return true;
    }
    const QString target = QFile::decodeName(*resolved);
#else
    const QFileInfo info(path);
    if (path == u"-" || (info.exists() && !info.isFile() && !info.isDir()))
        return true;
    const QString target = path;
#endif
    OutputFile probe;
    if (!probe.openReplace(target, reason))
        return false;
    probe.cancel();
    return true;
}

bool OutputFile::commit(QString *reason)
{
    if (!m_file) {
        *reason = QStringLiteral("not open");
        return false;
    }
    const Mode mode = m_mode;
    const std::unique_ptr<QFileDevice> file = std::move(m_file);
    m_mode = Mode::Closed;
    if (mode == Mode::Replace) {
        auto *save = static_cast<QSaveFile *>(file.get());
        if (!save->commit()) {
            *reason = save->errorString();
            return false;
        }
        return true;
    }
    // Writes are unbuffered; what can still fail is close() (a delayed write error).
    bool ok = file->flush() && file->error() == QFileDevice::NoError;
    QString why = file->errorString();
    file->close();
    if (ok && file->error() != QFileDevice::NoError) {
        ok = false;
        why = file->errorString();
    }
    if (!ok) {
        if (mode == Mode::Unique)
            QFile::remove(m_fileName);
        *reason = why;
    }
    return ok;
}

void OutputFile::cancel()
{
    if (!m_file)
        return;
    switch (m_mode) {
    case Mode::Replace: static_cast<QSaveFile *>(m_file.get())->cancelWriting(); break;
    case Mode::Unique: static_cast<QFile *>(m_file.get())->remove(); break;
    case Mode::Direct:
    case Mode::Closed: m_file->close(); break;
    }
    m_file.reset(); // QSaveFile's destructor removes its temporary file
    m_mode = Mode::Closed;
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// Runs on any thread: its own SQLite connections, no Qt object.
#include "model/recording/recordingcopy.h"

#include "model/recording/sqlitedb.h"

#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

namespace ncv::recording {

namespace {

void removeDatabase(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1StringView(suffix));
}

} // namespace

bool copyRecording(const QString &from, const QString &to, QString *error)
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    const QFileInfo source(from);
    if (!source.isFile())
        return fail(QStringLiteral("%1: no such recording").arg(from));
    if (QFileInfo(to).exists() && QFileInfo(to).canonicalFilePath() == source.canonicalFilePath())
        return fail(QStringLiteral("%1 is the recording being copied; choose another file").arg(to));
    const QString partial = to + QStringLiteral(".partial");
    removeDatabase(partial);
    std::string why;
    // sqlite3_open_v2 takes UTF-8 file names on every platform.
    {
        sql::Db src;
        if (src.open(from.toUtf8().toStdString(), SQLITE_OPEN_READONLY, &why) != SQLITE_OK)
            return fail(QStringLiteral("cannot read %1: %2").arg(from, QString::fromStdString(why)));
        src.setBusyTimeout(5000);
        sql::Db dest;
        if (dest.open(partial.toUtf8().toStdString(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &why) != SQLITE_OK) {
            removeDatabase(partial);
            return fail(QStringLiteral("cannot write %1: %2").arg(to, QString::fromStdString(why)));
        }
        dest.setBusyTimeout(5000);
        // The source's header says WAL; the copy becomes one self-contained file again.
        if (src.backupTo(dest, &why) != SQLITE_OK || dest.exec("PRAGMA journal_mode=DELETE", &why) != SQLITE_OK) {
            dest.close();
            removeDatabase(partial);
            return fail(QStringLiteral("copying %1 to %2 failed: %3").arg(from, to, QString::fromStdString(why)));
        }
    }
    removeDatabase(to);
    if (!QFile::rename(partial, to)) {
        removeDatabase(partial);
        return fail(QStringLiteral("cannot write %1 (renaming %2 failed)").arg(to, partial));
    }
    return true;
}

} // namespace ncv::recording

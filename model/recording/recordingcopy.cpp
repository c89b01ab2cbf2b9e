// SPDX-License-Identifier: GPL-2.0-or-later
// Runs on any thread: its own SQLite connections, no Qt object.
#include "model/recording/recordingcopy.h"

#include "model/recording/sqlitedb.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <string>

namespace ncv::recording {

namespace {

void removeDatabase(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1StringView(suffix));
}

bool markAsCopy(sql::Db &dest, const QString &sourceName, std::string *why)
{
    sql::Stmt insert;
    if (insert.prepare(dest, "INSERT OR REPLACE INTO meta(name, value) VALUES (?1, ?2)") != SQLITE_OK) {
        *why = dest.errorMessage();
        return false;
    }
    const auto put = [&](std::string_view key, const std::string &value) {
        insert.bind(1, key);
        insert.bind(2, std::string_view(value));
        const bool done = insert.step() == SQLITE_DONE;
        insert.reset();
        if (!done)
            *why = dest.errorMessage();
        return done;
    };
    return put("saved_copy_of", sourceName.toStdString())
        && put("saved_time_us", std::to_string(QDateTime::currentMSecsSinceEpoch() * 1000));
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
        // The source's header says WAL; the copy becomes one self-contained file again. The
        // copy says what it is, so that a reader can tell it from a recording whose recorder
        // was killed (both lack clean_end).
        if (src.backupTo(dest, &why) != SQLITE_OK || !markAsCopy(dest, source.fileName(), &why)
            || dest.exec("PRAGMA journal_mode=DELETE", &why) != SQLITE_OK) {
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

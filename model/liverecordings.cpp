// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/liverecordings.h"

#include "model/modellogging.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>

namespace ncv::liverecordings {

QString defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/recordings");
}

QString fileName(const QDateTime &start, int n)
{
    QString name = QStringLiteral("live-") + start.toUTC().toString(QStringLiteral("yyyy-MM-ddThh-mm-ss")) + u'Z';
    if (n > 1)
        name += u'-' + QString::number(n);
    return name + QStringLiteral(".ncv");
}

bool isAutomaticName(const QString &fileName)
{
    static const QRegularExpression pattern(QStringLiteral("^live-.*\\.ncv$"));
    return pattern.match(fileName).hasMatch();
}

QStringList removeOldRecordings(const QString &folder, qint64 maxTotalBytes, const QString &keepPath)
{
    QStringList removed;
    if (maxTotalBytes < 0)
        return removed;
    const QDir dir(folder);
    const QFileInfoList files = dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::NoSymLinks);
    qint64 total = 0;
    QFileInfoList candidates;
    const QString keep = QFileInfo(keepPath).absoluteFilePath();
    const QDateTime busySince = QDateTime::currentDateTimeUtc().addSecs(-kBusySeconds);
    for (const QFileInfo &file : files) {
        total += file.size();
        if (!isAutomaticName(file.fileName()) || file.absoluteFilePath() == keep)
            continue;
        const QFileInfo wal(file.absoluteFilePath() + QStringLiteral("-wal"));
        if (wal.exists() && wal.lastModified() > busySince)
            continue;
        candidates.append(file);
    }
    std::sort(candidates.begin(), candidates.end(), [](const QFileInfo &a, const QFileInfo &b) {
        return a.lastModified() != b.lastModified() ? a.lastModified() < b.lastModified() : a.fileName() < b.fileName();
    });
    for (const QFileInfo &file : std::as_const(candidates)) {
        if (total <= maxTotalBytes)
            break;
        const QString path = file.absoluteFilePath();
        const qint64 size = file.size(); // counted above
        if (!QFile::remove(path)) {
            qCWarning(lcModel) << "cannot remove the old recording" << path;
            continue;
        }
        total -= size;
        for (const char *suffix : {"-wal", "-shm"}) {
            const QFileInfo side(path + QLatin1StringView(suffix));
            if (!side.exists())
                continue;
            const qint64 sideSize = side.size(); // read before it is gone
            if (QFile::remove(side.absoluteFilePath()))
                total -= sideSize;
        }
        qCInfo(lcModel) << "removed the old recording" << path;
        removed.append(path);
    }
    return removed;
}

} // namespace ncv::liverecordings

// SPDX-License-Identifier: GPL-2.0-or-later
// The live window's automatic recordings: where they go, how they are named, and the
// clean-up that keeps their folder under a size limit. The settings (QSettings
// "NetChangeView"/"NetChangeView", README "Settings"):
//   liveRecording/enabled       bool, default true: the live window records
//   liveRecording/maxTotalBytes integer bytes, default kDefaultMaxTotalBytes (1 GiB): the
//                               folder's size above which the oldest automatic files go
//   liveRecording/folder        path, default defaultFolder()
#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace ncv::liverecordings {

inline constexpr char kEnabledKey[] = "liveRecording/enabled";
inline constexpr char kMaxTotalBytesKey[] = "liveRecording/maxTotalBytes";
inline constexpr char kFolderKey[] = "liveRecording/folder";
inline constexpr qint64 kDefaultMaxTotalBytes = qint64(1) << 30;
/// A -wal file written this recently (seconds) means a window may still be writing the
/// recording (the writer commits at least every 5 s): the clean-up leaves it alone.
inline constexpr int kBusySeconds = 60;

/// QStandardPaths::writableLocation(AppLocalDataLocation) + "/recordings" (on Linux
/// ~/.local/share/NetChangeView/NetChangeView/recordings; in QStandardPaths' test mode
/// under ~/.qttest/share).
QString defaultFolder();

/// "live-2026-12-02T11-42-03Z.ncv" for that moment (UTC, seconds); n > 1 appends "-n"
/// before the suffix (for a second window started in the same second).
QString fileName(const QDateTime &start, int n = 1);

/// True for names fileName() makes ("live-*.ncv"): the only files the clean-up removes.
bool isAutomaticName(const QString &fileName);

/// Removes the oldest automatic recordings in folder (by modification time, oldest
/// first; each with its -wal and -shm) while the size of every file in folder (automatic
/// or not, -wal and -shm included) is above maxTotalBytes. Never removes keepPath, files
/// whose names isAutomaticName() rejects, nor a recording whose -wal was written within
/// kBusySeconds (another window's current file). maxTotalBytes < 0 removes nothing.
/// Returns the recordings removed (absolute paths of the .ncv files).
QStringList removeOldRecordings(const QString &folder, qint64 maxTotalBytes, const QString &keepPath);

} // namespace ncv::liverecordings

// SPDX-License-Identifier: GPL-2.0-or-later
// Recording -> CSV (the README's format, csvwriter.h): the events of a time range, or the
// tables at one moment as `initial` rows. Written through OutputFile (a regular file all
// or nothing, devices and standard output in place), streamed: memory does not grow with
// the recording. Any thread; one reader per call.
#pragma once

#include "model/recording/recordingreader.h"

#include <QString>

#include <cstdint>

namespace ncv::recording {

/// Parses a moment of a recording given on the command line: ISO 8601 UTC
/// ("2026-11-21T11:42:03Z", "2026-11-21T11:42:03.123456Z": up to 9 fraction digits, kept
/// to the µs) or seconds from the recording's start ("+90.5", relative to startUs).
/// Returns false with *error a one-line reason.
bool parseTime(const QString &text, std::int64_t startUs, std::int64_t *us, QString *error);
/// "2026-11-21T11:42:03.123456Z".
QString isoTime(std::int64_t us);

/// Writes the events with fromUs <= time_us <= toUs as CSV rows (their own sequence
/// numbers) to path. *rows = rows written. Returns false with *error one line naming the
/// file and the reason.
bool exportEvents(RecordingReader &reader, std::int64_t fromUs, std::int64_t toUs, const QString &path,
                  std::int64_t *rows, QString *error);
/// Writes the tables at atUs: one `initial` row per interface, address and route that
/// existed then, time_utc = atUs, sequence 1, 2, 3... (interfaces, addresses, routes).
bool exportStateAt(RecordingReader &reader, std::int64_t atUs, const QString &path, std::int64_t *rows, QString *error);

} // namespace ncv::recording

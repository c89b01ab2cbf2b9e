// SPDX-License-Identifier: GPL-2.0-or-later
// Recording -> CSV (the README's format, csvwriter.h): the events of a time range, or the
// tables at one moment as `initial` rows. Written through OutputFile (a regular file all
// or nothing, devices and standard output in place), streamed: memory does not grow with
// the recording. Any thread; one reader per call.
#pragma once

#include "model/recording/recordingreader.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace ncv::recording {

/// Parses a moment of a recording given on the command line: ISO 8601 UTC
/// ("2026-11-21T11:42:03Z", "2026-11-21T11:42:03.123456789Z": up to 9 fraction digits) or
/// seconds from the recording's start ("+90.5", relative to startUs; up to 9 fraction digits
/// count). *us: the µs; *subUsNs (when given): the nanoseconds past it, 0..999, when the text
/// has 7 to 9 fraction digits; nullopt when it has fewer (a moment to the microsecond, which
/// stands for that whole microsecond). Returns false with *error a one-line reason.
bool parseTime(const QString &text, std::int64_t startUs, std::int64_t *us, QString *error,
               std::optional<std::uint16_t> *subUsNs = nullptr);
/// "2026-11-21T11:42:03.123456Z", or with nanoseconds "2026-11-21T11:42:03.123456789Z".
QString isoTime(std::int64_t us, bool nanoseconds = false, std::uint16_t subUsNs = 0);

/// Writes the events with fromUs <= time_us <= toUs as CSV rows (their own sequence
/// numbers) to path. *rows = rows written. Returns false with *error one line naming the
/// file and the reason.
/// In a recording of nanosecond times (RecordingInfo::nanosecondTimes()) time_utc has 9
/// fraction digits, and the bounds are (fromUs, fromSubUsNs) and (toUs, toSubUsNs); else 6.
bool exportEvents(RecordingReader &reader, std::int64_t fromUs, std::int64_t toUs, const QString &path,
                  std::int64_t *rows, QString *error, std::uint16_t fromSubUsNs = 0, std::uint16_t toSubUsNs = 999);
/// Writes the tables at atUs: one `initial` row per interface, address and route that
/// existed then, time_utc = atUs, sequence 1, 2, 3... (interfaces, addresses, routes).
/// A recording of several network namespaces: each namespace's rows (its own tables, by
/// NamespaceTable id), one namespace after the other, with the namespace column filled.
/// The moment is (atUs, *atSubUsNs): the events at atUs with more nanoseconds are after it;
/// without atSubUsNs it is the whole microsecond atUs. In a recording of nanosecond times the
/// rows' time_utc has 9 digits (atSubUsNs, or 0).
bool exportStateAt(RecordingReader &reader, std::int64_t atUs, const QString &path, std::int64_t *rows, QString *error,
                   std::optional<std::uint16_t> atSubUsNs = std::nullopt);

} // namespace ncv::recording

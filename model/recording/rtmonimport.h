// SPDX-License-Identifier: GPL-2.0-or-later
// Importing iproute2 rtmon files (the importer for FileKind::Rtmon, fileimport.h). The
// conversion runs the file through the same decoder and state store as the live source
// (platform::RtmonReader), so the recording holds exactly the events the live view would
// have shown, stamped with the file's own times.
// Linux only (the rtnetlink decoder reads Linux's structures).
// Any thread; blocking (it reads the whole file and waits for the recording's disk writes).
#pragma once

#include "model/recording/fileimport.h"

#include <QString>

#include <cstdint>
#include <string>

namespace ncv::recording {

/// What a reader of netlink messages passed over, for ImportResult::details: "; not shown:
/// 12 netconf messages; 3 malformed messages passed over" (each part only when there is
/// one; untracked as RtmonStats::untrackedSummary()). Also used by the capture importer.
QString netlinkPassedOver(const std::string &untracked, std::uint64_t malformed);

/// The ImportFunction for rtmon files: converts the rtmon file inPath into the new
/// recording outPath (which must not exist). Returns false with *error one line when inPath
/// cannot be read or is not an rtmon stream ("... is empty", "... is not an rtmon file",
/// "... was written on a machine of the other byte order"), outPath cannot be written, or
/// progress cancelled. A stream damaged part way is not a failure: what came before is
/// converted and result->damage says what was not.
bool importRtmon(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                 QString *error);

} // namespace ncv::recording

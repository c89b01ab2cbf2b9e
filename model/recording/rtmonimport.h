// SPDX-License-Identifier: GPL-2.0-or-later
// Opening files other tools recorded: an iproute2 rtmon file or a pcap / pcapng capture of
// the netlink monitor device (nlmon) is recognised by its content and converted into a
// recording (recordingformat.h), which the window and the command line
// then open like any recording. The conversion runs the file through the same decoder and
// state store as the live source (platform::RtmonReader), so the recording holds exactly
// the events the live view would have shown, stamped with the file's own times (captures
// go through platform::PcapReader the same way).
//
// Why a recording and not a view of its own: time travel, the event log, the timeline,
// CSV export and `--at T` all read recordings; converting once gives all of them to the
// import and lets the user keep it ("save as recording"), so a big file is parsed once.
// Linux only (the rtnetlink decoder reads Linux's structures).
// Any thread; blocking (it reads the whole file and waits for the recording's disk writes).
#pragma once

#include "platform/linux/pcapreader.h"
#include "platform/linux/rtmonreader.h"

#include <QString>

#include <cstdint>

namespace ncv::recording {

/// What a file is, by its first bytes (never by its name).
enum class FileKind {
    Missing, ///< no such file, not a regular file, or unreadable (error says why)
    Empty, ///< zero bytes
    Recording, ///< an SQLite database (the recording reader says whether it is ours)
    Rtmon, ///< an rtmon stream in this machine's byte order
    RtmonOtherByteOrder, ///< an rtmon stream from a machine of the other byte order (not readable here)
    Capture, ///< a pcap or pcapng capture, by its magic number (libpcap says whether it is of netlink)
    Unknown, ///< none of these
};

/// Looks at the start of path. error (optional): for Missing, one line naming the file.
FileKind detectFileKind(const QString &path, QString *error = nullptr);

/// The meta note of a recording converted from an rtmon file: the state before its first
/// event is incomplete (rtmon dumps links only). Begins with platform::kRtmonIncompleteNote.
QString rtmonIncompleteNote();

struct ImportResult {
    platform::RtmonStats stats; ///< an rtmon file's
    platform::PcapStats capture; ///< a capture's (importPcap)
    bool fromCapture = false; ///< importPcap() made it
    std::int64_t events = 0; ///< events written to the recording
    QString note; ///< the recording's meta note (what the tables cannot show); empty when none
    /// One line for the status bar / standard error: "imported 1,000,020 events from F
    /// (1,000,043 messages); not tracked: 12 netconf messages; damaged at byte N: ...".
    QString summary(const QString &inputPath) const;
    /// One line when the stream was damaged (RtmonStats::problem) with the bytes not read,
    /// or packets of a capture were (PcapStats::problem, damagedPackets); empty when the
    /// whole file was read.
    QString problem() const;

private:
    QString captureSummary(const QString &inputPath) const;
};

/// Converts the rtmon file inPath into the new recording outPath (which must not exist).
/// Returns false with *error one line when inPath cannot be read or is not an rtmon stream
/// ("... is empty", "... is not an rtmon file", "... was written on a machine of the other
/// byte order") or outPath cannot be written. A stream damaged part way is not a failure:
/// what came before is converted and result->problem() says what was not.
bool importRtmon(const QString &inPath, const QString &outPath, ImportResult *result, QString *error);

/// importRtmon() into a new file in the temporary directory (the caller removes it when
/// done); *outPath is its name.
bool importRtmonToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error);

/// The meta note of a recording converted from a capture whose dumps before the first
/// event did not cover missingKinds ("addresses, routes"). Begins with
/// platform::kPcapIncompleteNote.
QString captureIncompleteNote(const QString &missingKinds);

/// Converts the nlmon capture inPath (pcap or pcapng, link type 253) into the new recording
/// outPath, as importRtmon() does. Returns false with *error one line when inPath is empty,
/// not a capture ("... is not a pcap or pcapng capture"), a capture of another link type
/// ("... is a capture of link type 1 (Ethernet), not of netlink (253) ..."), holds no route
/// message in this machine's byte order, or outPath cannot be written. Damaged packets and a
/// truncated end are not failures: result->problem() says what was not read.
bool importPcap(const QString &inPath, const QString &outPath, ImportResult *result, QString *error);

/// importPcap() into a new file in the temporary directory, as importRtmonToTemporary().
bool importPcapToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error);

/// importRtmonToTemporary() or importPcapToTemporary(), by what inPath holds.
bool importToTemporary(const QString &inPath, QString *outPath, ImportResult *result, QString *error);

} // namespace ncv::recording

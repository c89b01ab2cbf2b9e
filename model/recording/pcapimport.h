// SPDX-License-Identifier: GPL-2.0-or-later
// Importing pcap / pcapng captures of the netlink monitor device (the importer for
// FileKind::Capture, fileimport.h). The capture goes through platform::PcapReader, which
// classifies its route messages as the live source does, so the recording holds the events
// the live view would have shown, stamped with the capture's own times.
// Linux only (libpcap; the rtnetlink decoder reads Linux's structures).
// Any thread; blocking (it reads the whole file and waits for the recording's disk writes).
#pragma once

#include "model/recording/fileimport.h"

#include <QString>

namespace ncv::recording {

/// The meta note of a recording converted from a capture whose dumps before the first
/// event did not cover missingKinds ("addresses, routes"). Begins with
/// platform::kPcapIncompleteNote.
QString captureIncompleteNote(const QString &missingKinds);

/// The ImportFunction for captures: converts the nlmon capture inPath (pcap or pcapng, link
/// type 253) into the new recording outPath (which must not exist). Returns false with
/// *error one line when inPath is empty, not a capture ("... is not a pcap or pcapng
/// capture"), a capture of another link type ("... is a capture of link type 1 (Ethernet),
/// not of netlink (253) ..."), holds no route message in this machine's byte order ("...
/// holds no event that can be read: no route netlink message ..."), outPath cannot be
/// written, or progress cancelled. Damaged packets and a truncated end are not failures:
/// result->damage says what was not read. The meta note (result->note) names the kinds the
/// capture's dumps did not cover (captureIncompleteNote()); empty when they covered all.
bool importPcap(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                QString *error);

} // namespace ncv::recording

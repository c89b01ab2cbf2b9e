// SPDX-License-Identifier: GPL-2.0-or-later
// The event history's compact record form: what the reader thread encodes once and the
// history stores as it is. Qt-free.
//
// A record is: bytes object, change, origin, family (origin's bit 7 set when varints
// requester and portId follow: ChangeRecord::requester is an id of the process-wide
// RequesterTable, so this form is for this process's memory, and recordings store the
// requester apart); varint netns when origin's bit 5 is set (ChangeRecord::netns, an id of
// NamespaceTable, likewise); varint changedFields; the before and
// after rows (a byte with the Row variant index, then the row in the compact form of its
// description: fielddef.h, rowfields.h); the note (varint length, bytes); for a namespace
// id event (ObjectKind::Nsid) only, varint nsid (its u32 bits). timeUs is not part of it
// (the history keeps it in its index).
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <string>

namespace ncv::eventcodec {

/// Appends the compact form of r (everything but timeUs) to out.
void encode(const platform::ChangeRecord &r, std::string &out);
/// Decodes one record written by encode() from [data, end); timeUs is left unchanged.
/// Returns a pointer just past it, or nullptr on malformed input (r is then partial).
const char *decode(const char *data, const char *end, platform::ChangeRecord *r);

/// What peek() reads from an encoded record without handing out a ChangeRecord.
struct Peek {
    platform::ObjectKind object = platform::ObjectKind::Interface;
    platform::ChangeKind change = platform::ChangeKind::Initial;
    /// Interface index of the record's row (ChangeRecord::row(): after, else before), as
    /// platform::rowIfIndex() gives it; 0 when none applies.
    std::uint32_t ifIndex = 0;
    std::uint32_t netns = 0; ///< ChangeRecord::netns
    std::uint32_t requester = 0; ///< ChangeRecord::requester
};
/// Reads object, change, interface index, namespace and requester of one record written by encode() from
/// [data, end) (into per-thread scratch rows: no allocation once warm). Returns a pointer
/// just past the record, or nullptr on malformed input (exactly where decode() fails).
const char *peek(const char *data, const char *end, Peek *out);

/// What the first bytes of a record written by encode() say: object, change, requester
/// (ChangeRecord::requester) and namespace (ChangeRecord::netns), without reading the rows (a few bytes per record: a
/// pass over millions of events). False when [data, end) is too short for them.
struct Head {
    platform::ObjectKind object = platform::ObjectKind::None;
    platform::ChangeKind change = platform::ChangeKind::Initial;
    std::uint32_t requester = 0;
    std::uint32_t netns = 0;
};
bool peekHead(const char *data, const char *end, Head *out);

} // namespace ncv::eventcodec

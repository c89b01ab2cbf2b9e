// SPDX-License-Identifier: GPL-2.0-or-later
// EventColumns: the key columns of a recording's events row (recordingformat.h,
// docs/recording-format.md) and the events.record blob of format version 2, which holds only
// what those columns do not say.
//
// Format 2's record: one byte with the before row's Row variant index (bits 0-2), the after
// row's (bits 3-5), bit 6 set when a changedFields varint follows, bit 7 when the note
// follows; then that varint; the before row as encodeRowDelta() (fielddef.h) against the
// row the columns describe (keyRow()); the after row against the before row when both are
// of one kind, else against keyRow(); the note (varint length, UTF-8 bytes). Object,
// change, family and origin, and the row's key fields (destination and prefix length,
// table, metric, tos, protocol, interface index of interfaces and addresses) are in the
// columns only: a route added is about 9 bytes instead of 32.
// Format 1's record is eventcodec.h's form of the whole event (eventcodec::decode()).
// Qt-free.
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <string>

namespace ncv::recording {

struct EventColumns {
    platform::ObjectKind object = platform::ObjectKind::None; ///< events.object
    platform::ChangeKind change = platform::ChangeKind::Initial; ///< events.change
    platform::Family family = platform::Family::Unspec; ///< events.family
    platform::Origin origin = platform::Origin::Observed; ///< events.origin
    std::uint32_t ifIndex = 0; ///< events.ifindex: platform::rowIfIndex(record.row())
    /// events.destination: routes' and addresses' CIDR text (toCidr()); neighbors' address,
    /// followed by " proxy" for a proxy entry; rules' selectors and action as `ip rule`
    /// writes them (fieldtext::ruleText()); nexthops' "id N"; a namespace id event's id in
    /// decimal (ChangeRecord::nsid); empty for NULL
    std::string destination;
    bool routeKeys = false; ///< events.route_table, metric and tos are set (routes, rules), else NULL
    /// events.route_table, metric, tos (a rule's table, priority and tos)
    std::uint32_t table = 0, metric = 0, tos = 0;
    bool hasProtocol = false; ///< events.protocol is set (routes, entities, rules), else NULL
    std::uint32_t protocol = 0; ///< events.protocol

    /// The columns the writer stores for r.
    static EventColumns of(const platform::ChangeRecord &r);
    /// The row the columns describe: a default row of the object's kind (monostate for
    /// other objects) with the key fields the columns hold.
    void keyRow(platform::Row &row) const;
    /// The Row alternative keyRow() makes (0 = monostate).
    std::size_t keyRowIndex() const;
};

/// Appends format 2's record of r (its columns c = EventColumns::of(r)) to out.
void encodeRecord(const platform::ChangeRecord &r, const EventColumns &c, std::string &out);
/// Reads format 2's record [data, end) of an event with columns c into *r (timeUs is left
/// unchanged). Returns false on malformed input (r is then partial).
bool decodeRecord(const EventColumns &c, const char *data, const char *end, platform::ChangeRecord *r);

} // namespace ncv::recording

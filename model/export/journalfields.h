// SPDX-License-Identifier: GPL-2.0-or-later
// journald fields: one event as the structured fields of one systemd journal entry, for
// `--journal` (StreamFeed sends them with sd_journal_sendv). A journal reader filters on them
// (`journalctl NCV_OBJECT=route NCV_CHANGE=delete`, `-o json`), and forwarders (Fluent Bit's
// systemd input, Vector's journald source, the OpenTelemetry Collector's journald receiver)
// pass them on as they are.
//
//   MESSAGE              the event log's one-line summary ("delete route 10.80.0.0/16 on js0
//                        (via 10.79.0.2 ...)"), then " by " and the requester when known
//   PRIORITY             6 (info); 4 (warning) for a gap (events lost)
//   SYSLOG_IDENTIFIER    netchangeview
//   NCV_SCHEMA           "netchangeview.journal/1": the field set and its version (a version
//                        that only adds fields keeps the name)
//   NCV_SEQUENCE         1, 2, 3... as the CSV's sequence (absent for the dropped-events marker)
//   NCV_TIME_UTC         the event's time as the CSV writes it; NCV_TIME_US: µs since the epoch.
//                        The journal's own __REALTIME_TIMESTAMP is when journald received the
//                        entry, which during a burst can lag the event.
//   NCV_OBJECT, NCV_CHANGE, NCV_FAMILY, NCV_ORIGIN   the CSV's names (route, delete, ipv4, observed)
//   NCV_IF_INDEX, NCV_IF_NAME, NCV_DESTINATION, NCV_GATEWAY, NCV_METRIC, NCV_PROTOCOL,
//   NCV_TABLE, NCV_DETAILS   the CSV's cells
//   NCV_CHANGED_FIELDS   the CSV's changed_fields ("operstate;mtu")
//   NCV_PROCESS, NCV_PID the CSV's process and pid (journald's own _PID is the recorder's)
// A field whose CSV cell would be empty is left out. Values are UTF-8 (names hold the
// README's `\xHH` escapes for bytes that are not) and may hold any byte but NUL;
// sd_journal_sendv carries values with newlines in its binary form.
// Thread-safe (no shared state besides the interned requesters, which are).
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ncv::journal {

/// The value of NCV_SCHEMA.
inline constexpr char kSchema[] = "netchangeview.journal/1";

/// The event's fields, each "NAME=value", replacing the contents of fields (reused between
/// calls, so their buffers are kept). sequence 0 leaves NCV_SEQUENCE out; ifName is UTF-8;
/// nanoseconds: the source had nanosecond times (NCV_TIME_UTC gets 9 fraction digits).
void eventFields(std::vector<std::string> &fields, const platform::ChangeRecord &r, std::uint64_t sequence,
                 std::string_view ifName, bool nanoseconds = false);

} // namespace ncv::journal

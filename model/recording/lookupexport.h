// SPDX-License-Identifier: GPL-2.0-or-later
// "Which route does X take", over a recording's time: the answer of platform::lookupRoute()
// at the start of a time range, then again after every event that could change it (a
// route whose prefix covers the destination appearing, changing or going), one CSV row
// each time the chosen route (or the error) changes, naming the event that changed it.
// The start's answer takes in the initial rows that follow it (a recording's initial
// snapshot is written as events just after its start).
// Only the routes that cover the destination are held (a handful, however large the
// table), so a pass costs one read of the events.
// The policy rules are the recorded ones at each moment (a rule added or deleted is an event
// that can change the answer); a recording without rules (made before they were recorded)
// is looked up through the kernel's defaults (local, main, default).
// So are the nexthop objects: a route through one (RTA_NH_ID) goes where the object says at
// each moment, and an object's change is an event that can change the answer (the kernel
// announces the object, not the routes through it).
// Any thread; one reader per call.
#pragma once

#include "model/recording/recordingreader.h"
#include "platform/routelookup.h"

#include <QString>

#include <cstdint>

namespace ncv::recording {

/// The CSV header of exportLookup(): time_utc, destination, source, fwmark, outcome
/// ("unicast", "local", "broadcast"..., or "no route", "unreachable", "prohibit",
/// "blackhole"), table, rule (priority), route (prefix), metric, gateway (next hops'
/// gateways, ';'), if_name (next hops' interfaces, ';'), cause (the event's summary; "state
/// at start" for the first row).
inline constexpr char kLookupHeaderLine[]
    = "time_utc,destination,source,fwmark,outcome,table,rule,route,metric,gateway,if_name,cause";

/// Writes the answers to query over [fromUs, toUs] (clamped to the recording) to path: the
/// answer at fromUs, then one row per change. *rows = rows written. False with *error one
/// line naming the file and the reason (the file is then not left behind).
/// netns: the namespace whose tables are looked up in, a NamespaceTable id of the recording
/// (RecordingReader::namespaceIds()); 0, the default, is that of a recording of one.
bool exportLookup(RecordingReader &reader, const platform::RouteQuery &query, std::int64_t fromUs, std::int64_t toUs,
                  const QString &path, std::int64_t *rows, QString *error, std::uint32_t netns = 0);

} // namespace ncv::recording

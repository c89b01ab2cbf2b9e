// SPDX-License-Identifier: GPL-2.0-or-later
// JSON Lines: one JSON object per event on one line, for log pipelines (Fluent Bit, Vector,
// the OpenTelemetry Collector, jq). The members are the CSV export's columns with typed
// values, then the event's before and after rows field by field:
//
//   {"schema":"netchangeview.event/1","sequence":12,"time_utc":"2026-11-21T11:42:03.123456Z",
//    "time_us":1763725323123456,"object":"route","change":"add","family":"ipv4",
//    "if_index":2,"if_name":"eth0","destination":"10.1.0.0/24","gateway":"10.9.0.2",
//    "metric":100,"protocol":"boot","table":"main","changed_fields":[],"details":"...",
//    "origin":"observed","process":"ip (4006)","pid":4006,"namespace":null,"before":null,
//    "after":{"ifindex":"2",...}}
//
//   schema          "netchangeview.event/1": the format and its version. A later version that
//                   only adds members keeps the name; one that changes a member's meaning
//                   or type counts up (".../2").
//   sequence        number, 1, 2, 3... (absent for the dropped-events marker)
//   time_utc        string, as the CSV's; time_us: number, µs since 1970-01-01 UTC; for a
//                   source with nanosecond times (an nlmon capture) time_utc has 9 fraction
//                   digits and time_sub_us_ns (number, 0..999) follows time_us
//   object, change, family, origin   strings, the CSV's names
//   if_index, metric                 numbers; null when the CSV cell is empty
//   if_name, destination, gateway, protocol, table, details   strings; null when empty
//   nsid            number, only in "object":"nsid" events (a namespace id given to a peer
//                   namespace, "add", or removed, "delete": NETNSA_NSID); destination holds
//                   it as a string too, as the CSV's cell; before and after are null
//   changed_fields  array of field names (parameter changes; [] otherwise)
//   process, pid    who asked for the change, as the CSV's columns ("ip (4006)", "kernel",
//                   the cause of an inferred event; pid a number); null when not known
//   namespace       the network namespace, as the CSV's column ("blue", "docker:3f2a1b9c0d12
//                   (nginx 4242)", "net:[4026532591]"); null when only the program's own is
//                   watched (the default)
//   before, after   objects of the row's fields (the details panel's names and texts, all
//                   strings: a field's text is what the tables show, e.g. "up", "forever",
//                   "main"; a route's "nexthops" names the device of each hop on the
//                   event's interface as if_name does, "via 10.1.0.2 dev eth0", the other
//                   hops by index), or null when the event has no such row
//   record          string, base64 (RFC 4648, padded) of the whole event in the recordings'
//                   compact event form (model/history/eventcodec.h, the events' `record` of
//                   recording format 1, docs/recording-format.md), without
//                   its requester: what a NetChangeView reading the stream (ssh://host,
//                   JsonLinesReader) rebuilds the event from exactly, hidden fields and
//                   absolute expiry times included; log pipelines can ignore it
//
// After the initial rows the stream has one marker line, {"schema":...,"time_utc":...,
// "time_us":...,"object":"","change":"snapshot-complete",...,"before":null,"after":null,
// "record":"..."} without "sequence": the remote's initial snapshot is complete and the
// lines after it are live changes. A gap ("object":"gap") says events were lost there.
//
// All text is valid UTF-8: names and aliases hold the README's `\xHH` escapes for bytes that
// are not UTF-8 (platform/textescape.h), and any other invalid byte is written that way too.
// Control characters, quotes and backslashes are escaped as RFC 8259 requires, U+2028 and
// U+2029 as \u2028 and \u2029 (JavaScript string literals do not allow them raw).
// Why our own writer: chosen by measurement (tests/bench/jsonbench.cpp, `ncv_jsonbench
// 1000000`, 1M route-add events of 649 bytes each, load 5.5): this writer 179,000 events/s,
// nlohmann::ordered_json (Debian's nlohmann-json3-dev) 40,600, QJsonDocument 16,900; a 1M-route
// burst arrives at about 70,000 per second from `ip -batch`.
// Thread-safe (no shared state).
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ncv::jsonlines {

/// The value of the "schema" member.
inline constexpr char kSchema[] = "netchangeview.event/1";
/// Its name before the version, and the version (the major: a reader reads the streams of
/// its own major, whatever members a later writer of the same major added).
inline constexpr char kSchemaName[] = "netchangeview.event/";
inline constexpr int kSchemaMajor = 1;

/// text as a JSON string (quotes included), appended to out.
void appendString(std::string &out, std::string_view text);

/// The event as one JSON object and a "\n", appended to out. sequence 0 leaves "sequence"
/// out; ifName is UTF-8; nanoseconds: the source had nanosecond times (see above).
void appendEvent(std::string &out, const platform::ChangeRecord &r, std::uint64_t sequence, std::string_view ifName,
                 bool nanoseconds = false);

} // namespace ncv::jsonlines

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

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ncv::recording {

/// The CSV header of exportLookup(): time_utc, destination, source, fwmark, outcome
/// ("unicast", "local", "broadcast"..., or "no route", "unreachable", "prohibit",
/// "blackhole"), table, rule (priority), route (prefix), metric, gateway (next hops'
/// gateways, ';'), if_name (next hops' interfaces, ';'), cause (the event's summary; "state
/// at start" for the first row).
inline constexpr char kLookupHeaderLine[]
    = "time_utc,destination,source,fwmark,outcome,table,rule,route,metric,gateway,if_name,cause";

/// The texts a user gives for a lookup (the Route Lookup panel's fields, the command line's
/// --lookup, --from-address, --fwmark); "" = not given.
struct RouteQueryText {
    QString destination; ///< an IPv4 or IPv6 address (required)
    QString source; ///< the packet's source address, of the destination's family
    QString fwmark; ///< the packet's firewall mark, u32, decimal or 0x hex
    QString inputInterface; ///< an interface name: at most 15 bytes (IFNAMSIZ), no '/', ':' or spaces
};

/// The field parseRouteQuery() refused.
enum class RouteQueryField : std::uint8_t { None, Destination, Source, Fwmark, InputInterface };

/// Parses text into *query (destination, source, fwmark, inputInterface; the rest default).
/// False with *field the first field refused and *why what is wrong with it, a phrase that
/// follows the field's value ("is not an IPv4 or IPv6 address"), so that each caller names
/// the field its own way. A mark with a leading 0 is refused: ip reads it as octal, a user
/// often means decimal.
bool parseRouteQuery(const RouteQueryText &text, platform::RouteQuery *query, RouteQueryField *field, QString *why);

/// One change of the answer (lookupHistory()): a row of exportLookup()'s CSV.
struct LookupChange {
    std::int64_t timeUs = 0; ///< when, µs since the epoch (UTC): the range's start, then the event's time_us
    std::uint16_t timeSubUsNs = 0; ///< the event's time_sub_us_ns (0 for the start)
    std::uint64_t seq = 0; ///< the event's sequence number (events.seq); 0 for the start
    platform::RouteAnswer answer; ///< the answer from then on
    std::string outcome; ///< "unicast", "local"... (routeTypeName), "no route", "unreachable", "prohibit", "blackhole"
    std::string table; ///< tableName() of the route's table; "" without a route
    std::string rule; ///< the deciding rule's priority; "" without one
    std::string route; ///< the route's prefix (CIDR); "" without one
    std::string metric; ///< the route's metric; "" without one
    std::string gateway; ///< the next hops' gateways joined by ';' ("" for a hop without one, or no route)
    std::string ifName; ///< the next hops' interface names at that moment, ';' ("if N" when unnamed)
    std::string cause; ///< the event's summary(); "state at start" for the first
};

/// Fills change's cells (outcome... ifName; not cause) from change.answer, the interfaces
/// named by names (ifindex -> name at that moment).
void describeAnswer(LookupChange &change, const std::map<std::uint32_t, std::string> &names);

/// The answer to query at fromUs, then once per change over (fromUs, toUs] (both clamped to
/// the recording), in time order: the rows exportLookup() writes. False with *error one
/// line when the recording cannot be read, no destination is given, or cancel (may be
/// null; set by another thread) became true ("cancelled"). progress (may be null): events
/// read of the range's, per mille, for another thread to show. netns: as exportLookup()'s.
bool lookupHistory(RecordingReader &reader, const platform::RouteQuery &query, std::int64_t fromUs, std::int64_t toUs,
                   std::vector<LookupChange> *out, QString *error, std::uint32_t netns = 0,
                   const std::atomic<bool> *cancel = nullptr, std::atomic<int> *progress = nullptr);

/// A lookupHistory() pass that can go on: begin() takes the state at the range's start,
/// read() the events after it up to a time (the file's end) and appends a row per change;
/// read() again, on a reader of the same file opened later (a live recording that grew),
/// takes only the events written since (sequence numbers after lastSeq()), and its rows equal
/// those of lookupHistory() over the whole file then. Copyable (a handful of routes, the
/// rules, the nexthop objects and interface names of one namespace, the rows). Any thread;
/// one thread at a time.
class LookupTracker {
public:
    LookupTracker();
    ~LookupTracker();
    LookupTracker(const LookupTracker &other);
    LookupTracker &operator=(const LookupTracker &other);
    LookupTracker(LookupTracker &&) noexcept;
    LookupTracker &operator=(LookupTracker &&) noexcept;

    /// The state of netns at fromUs (not clamped here: lookupHistory() clamps it). False with
    /// *error one line (no destination, the file unreadable, cancelled).
    bool begin(RecordingReader &reader, const platform::RouteQuery &query, std::int64_t fromUs, std::uint32_t netns,
               QString *error, const std::atomic<bool> *cancel = nullptr);
    /// The events after lastSeq() with fromUs < time <= toUs (clamped to the recording's end).
    /// False with *error one line; cancelled: "cancelled" (the state is then partway: begin again).
    bool read(RecordingReader &reader, std::int64_t toUs, QString *error, const std::atomic<bool> *cancel = nullptr,
              std::atomic<int> *progress = nullptr);
    /// One event, in sequence order (read() calls it).
    void apply(const RecordedEvent &event);
    /// Writes the start's row when no event did yet (read() calls it).
    void finish();

    bool isValid() const; ///< begin() succeeded
    const std::vector<LookupChange> &changes() const; ///< the rows so far
    std::uint64_t lastSeq() const; ///< the last event read (0: none)
    const platform::RouteQuery *query() const; ///< the query; nullptr before begin()
    std::uint32_t netns() const;
    std::int64_t fromUs() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// One CSV line (with "\r\n") of exportLookup() for change; nanoseconds: the recording's
/// times have nanoseconds (RecordingInfo::nanosecondTimes()).
QByteArray lookupCsvLine(const platform::RouteQuery &query, const LookupChange &change, bool nanoseconds);

/// Writes the answers to query over [fromUs, toUs] (clamped to the recording) to path: the
/// answer at fromUs, then one row per change. *rows = rows written. False with *error one
/// line naming the file and the reason (the file is then not left behind).
/// netns: the namespace whose tables are looked up in, a NamespaceTable id of the recording
/// (RecordingReader::namespaceIds()); 0, the default, is that of a recording of one.
bool exportLookup(RecordingReader &reader, const platform::RouteQuery &query, std::int64_t fromUs, std::int64_t toUs,
                  const QString &path, std::int64_t *rows, QString *error, std::uint32_t netns = 0);

} // namespace ncv::recording

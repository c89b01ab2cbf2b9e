// SPDX-License-Identifier: GPL-2.0-or-later
// RtmonReader: reads what iproute2's `rtmon file F` writes (read back by `ip monitor file
// F`) into the same ChangeRecords the live rtnetlink source delivers. Qt-free.
//
// The file (ip/rtmon.c, lib/libnetlink.c rtnl_from_file) is a bare stream of netlink
// messages in the recording machine's byte order, each padded to NLMSG_ALIGN (4 bytes): an
// NLMSG_TSTAMP record (type 15, payload two 32-bit numbers: seconds since the epoch and
// microseconds), the replies of one link dump (RTM_NEWLINK, no stamp of their own), then
// for every event a stamp and the message. Groups: every rtnetlink multicast group rtmon
// was asked for (by default all of them: neighbors, rules, netconf... too).
//
// Records, as RtnetlinkSource delivers them, through the same RtnetlinkClassifier:
// - the dump's links as Initial records stamped with the first stamp's time, then one
//   SnapshotComplete marker, then one Gap record (origin Inferred, same time) whose note
//   begins with kRtmonIncompleteNote: rtmon dumps links only, so the addresses and routes
//   that existed before the first event are unknown;
// - every later message classified as a live event read at its stamp's time (µs): add,
//   parameter change, delete, entity events, and the IPv4 routes the kernel deletes
//   unannounced as Inferred records (they cannot be confirmed by a dump: the file is all
//   there is).
// Messages of kinds not tracked (neighbors, rules, nexthop objects, netconf...) are
// counted per type in RtmonStats::untracked. A damaged stream (a length below the header
// or running past the end, a length no rtmon writes) ends the reading there: what came
// before is delivered, RtmonStats::problem says where and why, unreadBytes counts the rest.
// Not thread-safe; the sink is called on the thread that calls feed() / finish().
#pragma once

#include "platform/types.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

namespace ncv::platform {

/// How the note of the Gap record after an rtmon file's link dump begins.
inline constexpr char kRtmonIncompleteNote[] = "state before the first event incomplete: rtmon records links only";

struct RtmonStats {
    std::uint64_t bytes = 0; ///< bytes given to the reader
    std::uint64_t messages = 0; ///< whole messages read, stamps included
    std::uint64_t stamps = 0; ///< NLMSG_TSTAMP records
    std::uint64_t dumpMessages = 0; ///< messages of the initial link dump
    std::uint64_t eventMessages = 0; ///< messages after it (not stamps)
    std::uint64_t records = 0; ///< records delivered (not the SnapshotComplete marker)
    std::uint64_t noChange = 0; ///< tracked messages that changed nothing shown
    std::uint64_t skipped = 0; ///< tracked types the decoder skips (cloned routes, bridge ports...)
    std::uint64_t malformed = 0; ///< messages (or stamps) refused as malformed, then passed over
    std::uint64_t control = 0; ///< NLMSG_NOOP / ERROR / DONE
    std::uint64_t withoutTime = 0; ///< messages before the first stamp (no time to give them): not used
    std::map<std::uint16_t, std::uint64_t> untracked; ///< nlmsg_type -> messages of kinds not tracked
    std::uint64_t unreadBytes = 0; ///< bytes after the point where the stream became unreadable
    std::int64_t firstStampUs = 0; ///< µs since the epoch (UTC); 0 without a stamp
    std::int64_t lastStampUs = 0;
    std::string problem; ///< empty, or one line: where the stream is damaged and how

    std::uint64_t untrackedTotal() const;
    /// "12 neighbor, 3 rule messages" (kinds by name, most first); "" when none.
    std::string untrackedSummary() const;
};

/// The total of a count of messages by nlmsg_type.
std::uint64_t messageTotal(const std::map<std::uint16_t, std::uint64_t> &byType);
/// "12 neighbor, 3 rule messages" (kinds by RtmonReader::kindName, most first); "" when none.
std::string messageKindsSummary(const std::map<std::uint16_t, std::uint64_t> &byType);

/// One message as the reader took it (for tests and diagnostics).
struct RtmonMessage {
    std::int64_t timeUs = 0; ///< the stamp it was read under (µs since the epoch, UTC)
    std::uint16_t type = 0; ///< nlmsg_type (not stamps: they are not reported)
    bool dump = false; ///< part of the initial link dump
    std::size_t records = 0; ///< records it gave (the change, entity and inferred records)
};

class RtmonReader {
public:
    /// Receives the records in order, in batches (valid during the call only).
    using Sink = std::function<void(std::span<const ChangeRecord>)>;
    /// Told about every message with a time, in order, before its records reach the sink.
    using MessageObserver = std::function<void(const RtmonMessage &)>;

    explicit RtmonReader(Sink sink);
    ~RtmonReader();
    RtmonReader(const RtmonReader &) = delete;
    RtmonReader &operator=(const RtmonReader &) = delete;

    /// True when data (the start of a file, at least 16 bytes) begins like an rtmon stream
    /// in this machine's byte order: a plausible first netlink header (length from 16 bytes
    /// to 1 MiB, type NLMSG_TSTAMP with its 24-byte length, or an RTM_* type).
    static bool looksLikeRtmon(const void *data, std::size_t len);
    /// True when it would look like one in the other byte order (a file from a machine of
    /// the other endianness, which this reader does not read).
    static bool looksLikeSwappedRtmon(const void *data, std::size_t len);
    /// The name of an rtnetlink message type ("neighbor", "rule", "nexthop object"...).
    static std::string kindName(std::uint16_t type);

    void setMessageObserver(MessageObserver observer);

    /// The next bytes of the stream (any split: a message may span calls).
    void feed(const void *data, std::size_t len);
    /// End of the stream: a partial message left is counted as a problem; delivers the rest.
    void finish();

    const RtmonStats &stats() const;

    /// Reads the file at path through a reader. False with *error one line when the file
    /// cannot be opened or read (a damaged stream is not an error: see stats->problem).
    static bool readFile(const std::string &path, const Sink &sink, RtmonStats *stats, std::string *error);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ncv::platform

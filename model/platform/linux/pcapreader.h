// SPDX-License-Identifier: GPL-2.0-or-later
// PcapReader: reads a capture of the netlink monitor device (nlmon), as tcpdump, dumpcap or
// Wireshark write it (pcap or pcapng, link type LINKTYPE_NETLINK = 253), into the same
// ChangeRecords the live rtnetlink source delivers. Qt-free; libpcap reads the file.
//
// Each packet (LINKTYPE_NETLINK, as libpcap's Linux capture code and the kernel's nlmon
// build it) begins with a 16-byte cooked header in network byte order: the link-layer
// address type ARPHRD_NETLINK (824) at offset 2 and the netlink protocol at offset 14.
// Then one or more netlink messages (one datagram: a dump reply often holds dozens) in the
// byte order of the machine that captured them; libpcap does not convert them. The order is
// guessed per packet as Wireshark's packet-netlink.c does: the first message's length read
// both ways, the one closer to the bytes left in the packet wins.
//
// What each message is taken as (nlmon sees every direction of every netlink socket):
// - NLM_F_REQUEST set: a request from a program to the kernel (`ip route add` sends
//   RTM_NEWROUTE with it). Counted (PcapStats::requests), never applied: the kernel may
//   refuse it, and its effect comes back as a notification. (Wireshark calls port id 0
//   "user to kernel", but the kernel's own notifications, a link going down for example,
//   carry port id 0 too; only the kernel never sets NLM_F_REQUEST.)
// - NLM_F_MULTI set: a dump reply. Before the first notification of a link, address or
//   route, dump replies are the state at the start of the capture: Initial records, all at
//   the first dump reply's time (the tables at that moment hold all of it), then one
//   SnapshotComplete marker. The kinds (links, addresses, routes) no dump covered are named
//   in a Gap record (origin Inferred) whose note begins with kPcapIncompleteNote. After the
//   first notification a dump reply (someone ran `ip route show`) is the state at that
//   moment: what it adds or changes in the store is delivered with origin Inferred (it was
//   seen, not announced); what it lacks is not deleted (a dump may be filtered).
// - neither: a notification (multicast, or the reply to a single-object GET): a live event,
//   classified exactly as RtnetlinkSource does (add, parameter, delete, entity events, the
//   IPv4 routes the kernel deletes unannounced as Inferred records, never confirmed).
//   nlmon captures a multicast notification once per listening socket; the repeats change
//   nothing and give no record.
// - NLMSG_ERROR / DONE / NOOP: control, counted.
// Messages of kinds not tracked (neighbors, rules, netconf...) are counted per type.
// Packets of other netlink families (generic netlink, audit, sock_diag...) are counted per
// family, packets in the other byte order counted (not readable here).
//
// Times: libpcap is asked for nanoseconds (pcapng and nanosecond pcap keep them); records
// carry microseconds since the epoch, rounded down, and the nanoseconds below them
// (ChangeRecord::timeSubUsNs; 0 from a capture of microseconds).
// Damage: a packet whose netlink length runs past its end (or below the header) delivers
// the messages before that point and is counted (damagedPackets); reading goes on with the
// next packet. A file that ends inside a packet ends the reading there (problem says so).
// Not thread-safe; the sink is called on the thread that reads.
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

namespace ncv::platform {

/// How the note of the Gap record after a capture's initial dumps begins.
inline constexpr char kPcapIncompleteNote[] = "state before the first event incomplete";

/// LINKTYPE_NETLINK / DLT_NETLINK.
inline constexpr int kLinkTypeNetlink = 253;

struct PcapStats {
    std::string format; ///< "pcap" or "pcapng" (as the file begins)
    std::uint64_t packets = 0; ///< packets read
    std::uint64_t routePackets = 0; ///< NETLINK_ROUTE packets read (in this machine's byte order)
    std::uint64_t notNetlinkPackets = 0; ///< shorter than the cooked header, or not ARPHRD_NETLINK
    std::map<std::uint16_t, std::uint64_t> otherFamilies; ///< netlink protocol -> packets (not read)
    std::uint64_t otherByteOrderPackets = 0; ///< route packets from a machine of the other byte order
    std::uint64_t damagedPackets = 0; ///< a message length past the packet's end or below the header
    std::uint64_t messages = 0; ///< whole route messages read
    std::uint64_t requests = 0; ///< NLM_F_REQUEST: program to kernel, not applied
    std::uint64_t dumpMessages = 0; ///< dump replies before the first event (the initial state)
    std::uint64_t laterDumpMessages = 0; ///< dump replies after it (their news delivered as Inferred)
    std::uint64_t eventMessages = 0; ///< notifications
    std::uint64_t control = 0; ///< NLMSG_NOOP / ERROR / DONE / OVERRUN
    std::uint64_t records = 0; ///< records delivered (not the SnapshotComplete marker)
    std::uint64_t noChange = 0; ///< tracked messages that changed nothing shown (repeats included)
    std::uint64_t skipped = 0; ///< tracked types the decoder skips (cloned routes, bridge ports...)
    std::uint64_t malformed = 0; ///< messages the decoder refused
    std::map<std::uint16_t, std::uint64_t> untracked; ///< nlmsg_type -> messages of kinds not tracked
    std::uint64_t subMicrosecondTimes = 0; ///< packets whose time had nanoseconds below the microsecond
    /// The file gives times finer than a microsecond (nanoseconds pcap, or a pcapng
    /// interface with if_tsresol below 10^-6): nanosecondResolution(), known before the first record.
    bool nanosecondTimes = false;
    std::int64_t firstTimeUs = 0; ///< first packet (µs since the epoch, UTC); 0 without a packet
    std::int64_t lastTimeUs = 0;
    std::string initialKinds; ///< "links, addresses, routes": what the initial dumps covered ("" none)
    std::string missingKinds; ///< what they did not cover ("" when all three were dumped)
    /// Empty, or one line: where the capture is damaged and how (the first damaged packet;
    /// a damaged or truncated end of the file first).
    std::string problem;

    /// "12 neighbor, 3 rule messages"; "" when none.
    std::string untrackedSummary() const;
    /// "40 generic, 2 audit packets" (netlink families by name); "" when none.
    std::string otherFamiliesSummary() const;
};

/// One route message as the reader took it (for tests and diagnostics).
struct PcapMessage {
    enum class Role : std::uint8_t { Request, Dump, LaterDump, Event, Control };
    std::uint64_t packet = 0; ///< 1-based packet number (Wireshark's frame.number)
    std::int64_t timeNs = 0; ///< the packet's time (ns since the epoch, UTC)
    std::uint16_t type = 0; ///< nlmsg_type
    std::uint16_t flags = 0; ///< nlmsg_flags
    std::uint32_t portId = 0; ///< nlmsg_pid
    Role role = Role::Event;
    std::size_t records = 0; ///< records it gave
};

class PcapReader {
public:
    /// Receives the records in order, in batches (valid during the call only).
    using Sink = std::function<void(std::span<const ChangeRecord>)>;
    /// Told about every route message, in order, before its records reach the sink.
    using MessageObserver = std::function<void(const PcapMessage &)>;

    explicit PcapReader(Sink sink);
    ~PcapReader();
    PcapReader(const PcapReader &) = delete;
    PcapReader &operator=(const PcapReader &) = delete;

    /// "pcap" or "pcapng" when data (the start of a file, at least 4 bytes; 12 for pcapng)
    /// begins with a capture file's magic number: pcap in either byte order with
    /// microsecond or nanosecond times, or a pcapng section header block; "" otherwise.
    static std::string captureFormat(const void *data, std::size_t len);
    /// True when data (the start of a capture file) declares times finer than a
    /// microsecond: a nanosecond pcap, or a pcapng whose interface description blocks found
    /// in data (before the first block that does not fit) include one with if_tsresol
    /// below 10^-6 (10^-9 as Wireshark writes, or 2^-20 and finer).
    static bool nanosecondResolution(const void *data, std::size_t len);
    /// "Route", "generic", "audit"... for a netlink protocol number.
    static std::string familyName(std::uint16_t protocol);

    void setMessageObserver(MessageObserver observer);

    /// Reads the capture file at path. False with *error one line when it cannot be opened,
    /// is not a capture libpcap reads, or is not of link type 253 ("link type 1 (Ethernet),
    /// not netlink"). A capture damaged part way is not an error: see stats().problem.
    bool readFile(const std::string &path, std::string *error);
    /// The same from an open stream (closed by the call, whatever it returns).
    bool readStream(std::FILE *stream, std::string *error);

    const PcapStats &stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// PcapReader (see pcapreader.h). Runs on the thread that calls it.
#include "platform/linux/pcapreader.h"

#include "platform/linux/decoder.h"
#include "platform/linux/rtmonreader.h"
#include "platform/linux/rtnetlinkclassifier.h"
#include "platform/recordbatch.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace ncv::platform {

namespace {

constexpr std::size_t kCookedHeaderBytes = 16;
constexpr std::uint16_t kArphrdNetlink = 824;
constexpr std::size_t kBatchRecords = 1024;
/// pcapng times can be any 64-bit count; beyond this (the year 2096) they are not a
/// capture's, and in nanoseconds they would not fit 64 bits.
constexpr std::int64_t kMaxSeconds = 4'000'000'000;

/// What an initial dump covered, by tracked kind.
enum KindBit : unsigned { LinkBit = 1, AddressBit = 2, RouteBit = 4, AllKinds = 7 };

std::uint32_t u32At(const unsigned char *p)
{
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint16_t be16At(const unsigned char *p)
{
    return std::uint16_t((p[0] << 8) | p[1]);
}

unsigned kindBit(std::uint16_t type)
{
    if (type < RTM_BASE)
        return 0;
    switch (RTM_BASE + ((type - RTM_BASE) & ~3u)) {
    case RTM_NEWLINK: return LinkBit;
    case RTM_NEWADDR: return AddressBit;
    case RTM_NEWROUTE: return RouteBit;
    default: return 0;
    }
}

std::string kindList(unsigned mask)
{
    std::string text;
    const auto add = [&](unsigned bit, const char *name) {
        if (!(mask & bit))
            return;
        if (!text.empty())
            text += ", ";
        text += name;
    };
    add(LinkBit, "links");
    add(AddressBit, "addresses");
    add(RouteBit, "routes");
    return text;
}

} // namespace

std::string PcapStats::untrackedSummary() const
{
    return messageKindsSummary(untracked);
}

std::string PcapStats::otherFamiliesSummary() const
{
    std::string text;
    std::uint64_t total = 0;
    for (const auto &[protocol, count] : otherFamilies) {
        if (!text.empty())
            text += ", ";
        text += std::to_string(count) + ' ' + PcapReader::familyName(protocol);
        total += count;
    }
    return text.empty() ? text : text + (total == 1 ? " packet" : " packets");
}

std::string PcapReader::captureFormat(const void *data, std::size_t len)
{
    if (!data || len < 4)
        return {};
    const auto *p = static_cast<const unsigned char *>(data);
    const std::uint32_t magic = u32At(p);
    const auto swap32
        = [](std::uint32_t v) { return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24); };
    for (const std::uint32_t m : {0xa1b2c3d4u, 0xa1b23c4du}) // microsecond, nanosecond times
        if (magic == m || magic == swap32(m))
            return "pcap";
    // pcapng: a section header block (type 0x0a0d0d0a, the same both ways) with its
    // byte-order magic after the block length.
    if (magic == 0x0a0d0d0au && len >= 12) {
        const std::uint32_t order = u32At(p + 8);
        if (order == 0x1a2b3c4du || order == swap32(0x1a2b3c4du))
            return "pcapng";
    }
    return {};
}

bool PcapReader::nanosecondResolution(const void *data, std::size_t len)
{
    const auto *p = static_cast<const unsigned char *>(data);
    if (len < 4)
        return false;
    const auto swap32
        = [](std::uint32_t v) { return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24); };
    const std::uint32_t magic = u32At(p);
    if (magic == 0xa1b23c4du || magic == swap32(0xa1b23c4du))
        return true;
    // pcapng: every interface description block (type 1) in data, in its section's byte
    // order; if_tsresol (option 9, one byte) is 10^-v, or 2^-v with bit 7 set; 10^-6 when
    // absent. The walk stops at the first block that does not fit.
    bool swapped = false;
    std::size_t at = 0;
    const auto u32 = [&](std::size_t off) { return swapped ? swap32(u32At(p + off)) : u32At(p + off); };
    const auto u16 = [&](std::size_t off) {
        std::uint16_t v = 0;
        std::memcpy(&v, p + off, sizeof v);
        return swapped ? std::uint16_t((v >> 8) | (v << 8)) : v;
    };
    while (len - at >= 12) {
        const std::uint32_t type = u32At(p + at);
        if (type == 0x0a0d0d0au) {
            const std::uint32_t order = u32At(p + at + 8);
            if (order == 0x1a2b3c4du)
                swapped = false;
            else if (order == swap32(0x1a2b3c4du))
                swapped = true;
            else
                return false;
        }
        const std::uint32_t blockLen = u32(at + 4);
        if (blockLen < 12 || blockLen % 4 != 0 || blockLen > len - at)
            return false;
        if ((swapped ? swap32(type) : type) == 1 && blockLen >= 20) {
            std::size_t opt = at + 16;
            const std::size_t optEnd = at + blockLen - 4;
            while (optEnd - opt >= 4) {
                const std::uint16_t code = u16(opt);
                const std::uint16_t optLen = u16(opt + 2);
                if (code == 0 || std::size_t(optLen) > optEnd - opt - 4)
                    break;
                if (code == 9 && optLen >= 1) {
                    const unsigned v = p[opt + 4];
                    if ((v & 0x80) ? (v & 0x7f) >= 20 : v > 6)
                        return true;
                }
                opt += 4 + ((std::size_t(optLen) + 3) & ~std::size_t(3));
            }
        }
        at += blockLen;
    }
    return false;
}

std::string PcapReader::familyName(std::uint16_t protocol)
{
    switch (protocol) {
    case NETLINK_ROUTE: return "route";
    case NETLINK_USERSOCK: return "user socket";
    case NETLINK_SOCK_DIAG: return "sock_diag";
    case NETLINK_NFLOG: return "nflog";
    case NETLINK_XFRM: return "xfrm (IPsec)";
    case NETLINK_SELINUX: return "SELinux";
    case NETLINK_ISCSI: return "iSCSI";
    case NETLINK_AUDIT: return "audit";
    case NETLINK_FIB_LOOKUP: return "FIB lookup";
    case NETLINK_CONNECTOR: return "connector";
    case NETLINK_NETFILTER: return "netfilter";
    case NETLINK_KOBJECT_UEVENT: return "uevent";
    case NETLINK_GENERIC: return "generic";
    case NETLINK_SCSITRANSPORT: return "SCSI transport";
    case NETLINK_RDMA: return "RDMA";
    case NETLINK_CRYPTO: return "crypto";
    case NETLINK_SMC: return "SMC";
    default: return "family " + std::to_string(protocol);
    }
}

struct PcapReader::Impl : RecordedStream {
    enum class Phase : std::uint8_t { Initial, Events };

    explicit Impl(Sink s) : RecordedStream(std::move(s), kBatchRecords) { }

    void flush() { RecordedStream::flush(&stats.records); }

    /// The state at the start is complete as far as the dumps go: the entities of the
    /// initial routes, the marker, and what no dump covered.
    void endInitial(std::int64_t timeUs, std::uint16_t subUsNs)
    {
        phase = Phase::Events;
        const std::int64_t t = initialTimeUs ? initialTimeUs : timeUs;
        const std::uint16_t sub = initialTimeUs ? initialSubUsNs : subUsNs;
        const std::size_t start = batch.size();
        std::vector<ChangeRecord> entities;
        classifier.entities().appendInitial(t, entities);
        for (ChangeRecord &r : entities)
            batch.append(std::move(r));
        appendMarker(ChangeKind::SnapshotComplete, t,
                     std::to_string(classifier.store().interfaceCount()) + " interfaces, "
                         + std::to_string(classifier.store().addressCount()) + " addresses, "
                         + std::to_string(classifier.store().routeCount()) + " routes from the capture's dumps");
        stats.initialKinds = kindList(initialMask);
        stats.missingKinds = kindList(AllKinds & ~initialMask);
        if (!stats.missingKinds.empty()) {
            appendMarker(ChangeKind::Gap, t,
                         std::string(kPcapIncompleteNote) + ": the capture holds no dump of " + stats.missingKinds
                             + " before its first event, so those that existed before it are unknown");
        }
        for (ChangeRecord &r : batch.records().subspan(start))
            r.timeSubUsNs = sub;
        flush();
    }

    void message(const nlmsghdr *msg, std::int64_t timeUs, std::int64_t timeNs)
    {
        const auto subUsNs = std::uint16_t(timeNs % 1000);
        ++stats.messages;
        PcapMessage seen {
            stats.packets, timeNs, msg->nlmsg_type, msg->nlmsg_flags, msg->nlmsg_pid, PcapMessage::Role::Control, 0};
        const std::size_t mark = batch.size();
        if (msg->nlmsg_type < NLMSG_MIN_TYPE) {
            ++stats.control;
        } else if (msg->nlmsg_flags & NLM_F_REQUEST) {
            // A program asking; what the kernel did about it comes as a notification.
            ++stats.requests;
            seen.role = PcapMessage::Role::Request;
            if (phase == Phase::Initial && (msg->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP
                && (msg->nlmsg_type - RTM_BASE) % 4 == 2) // RTM_GET*
                initialMask |= kindBit(msg->nlmsg_type);
        } else {
            const bool tracked = RtnetlinkClassifier::isTrackedType(msg->nlmsg_type);
            const bool dumped = msg->nlmsg_flags & NLM_F_MULTI;
            if (!dumped && tracked && phase == Phase::Initial)
                endInitial(timeUs, subUsNs);
            seen.role = !dumped           ? PcapMessage::Role::Event
                : phase == Phase::Initial ? PcapMessage::Role::Dump
                                          : PcapMessage::Role::LaterDump;
            ++(seen.role == PcapMessage::Role::Event      ? stats.eventMessages
                   : seen.role == PcapMessage::Role::Dump ? stats.dumpMessages
                                                          : stats.laterDumpMessages);
            const std::size_t start = batch.size();
            const auto outcome = classifier.classify(msg, timeUs);
            for (ChangeRecord &r : batch.records().subspan(start))
                r.timeSubUsNs = subUsNs;
            countOutcome(outcome, stats);
            if (!tracked && outcome != RtnetlinkClassifier::Outcome::Malformed)
                ++stats.untracked[msg->nlmsg_type];
            if (seen.role == PcapMessage::Role::Dump) {
                if (tracked) {
                    initialMask |= kindBit(msg->nlmsg_type);
                    if (initialTimeUs == 0) {
                        initialTimeUs = timeUs;
                        initialSubUsNs = subUsNs;
                    }
                }
                initialRecords(start);
            } else if (seen.role == PcapMessage::Role::LaterDump) {
                for (ChangeRecord &r : batch.records().subspan(start))
                    r.origin = Origin::Inferred; // seen in a dump, not announced
            }
        }
        seen.records = batch.size() - mark;
        if (observer)
            observer(seen);
        if (batch.size() >= kBatchRecords)
            flush();
    }

    /// The records of an initial dump reply from start on become Initial rows, as the live
    /// source's snapshot gives them, all at the first dump reply's time (the tables at the
    /// capture's first moment hold the whole initial state); its entities come once, in
    /// endInitial().
    void initialRecords(std::size_t start)
    {
        auto records = batch.records();
        std::size_t kept = start;
        for (std::size_t i = start; i < records.size(); ++i) {
            ChangeRecord &r = records[i];
            if (r.object == ObjectKind::Entity)
                continue;
            if (initialTimeUs) {
                r.timeUs = initialTimeUs;
                r.timeSubUsNs = initialSubUsNs;
            }
            if (r.change == ChangeKind::Add) {
                r.change = ChangeKind::Initial;
                r.before = std::monostate {};
                r.changedFields = 0;
            }
            if (kept != i)
                records[kept] = std::move(r);
            ++kept;
        }
        batch.truncate(kept);
    }

    void damaged(std::string what)
    {
        ++stats.damagedPackets;
        if (stats.problem.empty())
            stats.problem = std::move(what);
    }

    void packet(const pcap_pkthdr &h, const unsigned char *data)
    {
        ++stats.packets;
        const std::int64_t sec = std::clamp<std::int64_t>(h.ts.tv_sec, 0, kMaxSeconds);
        const std::int64_t nsec = std::clamp<std::int64_t>(h.ts.tv_usec, 0, 999'999'999);
        const std::int64_t timeNs = sec * 1'000'000'000 + nsec;
        const std::int64_t timeUs = timeNs / 1000;
        stats.subMicrosecondTimes += timeNs % 1000 != 0;
        if (stats.firstTimeUs == 0)
            stats.firstTimeUs = timeUs;
        stats.lastTimeUs = timeUs;
        lastSubUsNs = std::uint16_t(timeNs % 1000);
        const std::size_t caplen = h.caplen;
        const std::string where = "packet " + std::to_string(stats.packets);
        if (caplen < kCookedHeaderBytes || be16At(data + 2) != kArphrdNetlink) {
            ++stats.notNetlinkPackets;
            return;
        }
        const std::uint16_t protocol = be16At(data + 14);
        if (protocol != NETLINK_ROUTE) {
            ++stats.otherFamilies[protocol];
            return;
        }
        const std::size_t size = caplen - kCookedHeaderBytes;
        const std::size_t reported = h.len > kCookedHeaderBytes ? h.len - kCookedHeaderBytes : 0;
        if (size < sizeof(nlmsghdr)) {
            ++stats.routePackets;
            damaged(where + ": " + std::to_string(size)
                    + " bytes after the cooked header, fewer than one netlink message header");
            return;
        }
        // The byte order, as Wireshark guesses it: the first length closer to what is left.
        const std::uint32_t native = u32At(data + kCookedHeaderBytes);
        const std::uint32_t swapped = __builtin_bswap32(native);
        const auto distance = [reported](std::uint32_t v) { return v > reported ? v - reported : reported - v; };
        if (distance(swapped) < distance(native)) {
            ++stats.otherByteOrderPackets;
            return;
        }
        ++stats.routePackets;
        // A copy at an aligned address: libpcap's buffer has no alignment promise.
        aligned.resize((size + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t));
        std::memcpy(aligned.data(), data + kCookedHeaderBytes, size);
        const auto *p = reinterpret_cast<const unsigned char *>(aligned.data());
        std::size_t at = 0;
        while (size - at >= sizeof(nlmsghdr)) {
            const auto *msg = reinterpret_cast<const nlmsghdr *>(p + at);
            const std::size_t left = size - at;
            if (!netlink::messageOk(msg, left)) {
                const std::string cut = caplen < h.len
                    ? " (the capture kept " + std::to_string(caplen) + " of its " + std::to_string(h.len) + " bytes)"
                    : std::string();
                damaged(where + ": the netlink message at byte " + std::to_string(kCookedHeaderBytes + at)
                        + " gives its length as " + std::to_string(msg->nlmsg_len) + " bytes, "
                        + (msg->nlmsg_len < sizeof(nlmsghdr)
                               ? "less than its header"
                               : "and runs past the packet's end (" + std::to_string(left) + " bytes left)")
                        + cut);
                return;
            }
            message(msg, timeUs, timeNs);
            at += std::min<std::size_t>(NLMSG_ALIGN(msg->nlmsg_len), left);
        }
        if (at < size)
            damaged(where + ": " + std::to_string(size - at) + " bytes after its last netlink message");
    }

    void finish()
    {
        if (phase == Phase::Initial && stats.routePackets > 0)
            endInitial(stats.lastTimeUs, lastSubUsNs); // no event followed the dumps
        flush();
    }

    MessageObserver observer;
    PcapStats stats;
    Phase phase = Phase::Initial;
    unsigned initialMask = 0;
    std::int64_t initialTimeUs = 0; ///< the first initial dump reply's time: the initial state's
    std::uint16_t initialSubUsNs = 0; ///< and its nanoseconds past initialTimeUs
    std::uint16_t lastSubUsNs = 0; ///< the last packet's nanoseconds past stats.lastTimeUs
    std::vector<std::uint64_t> aligned;
};

PcapReader::PcapReader(Sink sink) : d(std::make_unique<Impl>(std::move(sink))) { }

PcapReader::~PcapReader() = default;

void PcapReader::setMessageObserver(MessageObserver observer)
{
    d->observer = std::move(observer);
}

const PcapStats &PcapReader::stats() const
{
    return d->stats;
}

bool PcapReader::readFile(const std::string &path, std::string *error)
{
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        if (error)
            *error = path + ": " + std::strerror(errno);
        return false;
    }
    if (!readStream(f, error)) {
        if (error)
            *error = path + ": " + *error;
        return false;
    }
    return true;
}

bool PcapReader::readStream(std::FILE *stream, std::string *error)
{
    const auto fail = [error](std::string why) {
        if (error)
            *error = std::move(why);
        return false;
    };
    // Enough for the section header and the interface descriptions that follow it.
    std::vector<unsigned char> head(4096);
    const std::size_t got = std::fread(head.data(), 1, head.size(), stream);
    d->stats.format = captureFormat(head.data(), got);
    d->stats.nanosecondTimes = nanosecondResolution(head.data(), got);
    if (std::fseek(stream, 0, SEEK_SET) != 0) {
        std::fclose(stream);
        return fail(std::string("cannot read it again from the start: ") + std::strerror(errno));
    }
    if (d->stats.format.empty()) {
        std::fclose(stream);
        return fail(got == 0 ? "empty file" : "not a pcap or pcapng capture (no capture file magic number)");
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fclose(stream); // not taken over on failure
        return fail("not readable as a " + d->stats.format + " capture: " + errbuf);
    }
    const int linkType = pcap_datalink(p);
    if (linkType != kLinkTypeNetlink) {
        const char *name = pcap_datalink_val_to_description(linkType);
        std::string text = "a capture of link type " + std::to_string(linkType);
        if (name)
            text += std::string(" (") + name + ')';
        pcap_close(p);
        return fail(text + ", not of netlink (" + std::to_string(kLinkTypeNetlink)
                    + "): only captures of the netlink monitor device (nlmon) can be opened");
    }
    pcap_pkthdr *h = nullptr;
    const u_char *data = nullptr;
    for (;;) {
        const int rc = pcap_next_ex(p, &h, &data);
        if (rc == 1) {
            d->packet(*h, data);
            continue;
        }
        if (rc == PCAP_ERROR) {
            // Said first: the rest of the file is lost, not one packet.
            ++d->stats.damagedPackets;
            std::string what = "the file is damaged or ends inside packet " + std::to_string(d->stats.packets + 1)
                + " (" + pcap_geterr(p) + "); nothing after it was read";
            d->stats.problem = d->stats.problem.empty() ? what : what + "; before it, " + d->stats.problem;
        }
        break; // PCAP_ERROR_BREAK: the end
    }
    pcap_close(p);
    d->finish();
    return true;
}

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// RtmonReader (see rtmonreader.h). Runs on the thread that calls it.
#include "platform/linux/rtmonreader.h"

#include "platform/linux/decoder.h"
#include "platform/linux/rtnetlinkclassifier.h"
#include "platform/recordbatch.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace ncv::platform {

namespace {

constexpr std::size_t kHeaderBytes = sizeof(nlmsghdr);
/// The time stamp record rtmon writes (iproute2 include/libnetlink.h; not a kernel type).
constexpr std::uint16_t kNlmsgTstamp = 15;
/// The longest message taken as part of a stream. The kernel's own are far smaller (an
/// rtnetlink notification fits one page or a few); ip reads at most 16 KiB.
constexpr std::uint32_t kMaxMessageBytes = 1u << 20;
constexpr std::size_t kBatchRecords = 1024;
constexpr std::size_t kReadChunk = 1u << 20;

std::uint32_t u32At(const unsigned char *p)
{
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint16_t u16At(const unsigned char *p)
{
    std::uint16_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

bool plausibleHeader(std::uint32_t len, std::uint16_t type)
{
    if (len < kHeaderBytes || len > kMaxMessageBytes)
        return false;
    if (type == kNlmsgTstamp)
        return len == NLMSG_LENGTH(2 * sizeof(std::uint32_t));
    return type >= RTM_BASE && type <= RTM_MAX;
}

} // namespace

std::uint64_t messageTotal(const std::map<std::uint16_t, std::uint64_t> &byType)
{
    std::uint64_t n = 0;
    for (const auto &[type, count] : byType)
        n += count;
    return n;
}

std::string messageKindsSummary(const std::map<std::uint16_t, std::uint64_t> &byType)
{
    std::map<std::string, std::uint64_t> byKind;
    for (const auto &[type, count] : byType)
        byKind[RtmonReader::kindName(type)] += count;
    std::vector<std::pair<std::string, std::uint64_t>> kinds(byKind.begin(), byKind.end());
    std::stable_sort(kinds.begin(), kinds.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    std::string text;
    for (const auto &[kind, count] : kinds) {
        if (!text.empty())
            text += ", ";
        text += std::to_string(count) + ' ' + kind;
    }
    return text.empty() ? text : text + (messageTotal(byType) == 1 ? " message" : " messages");
}

std::uint64_t RtmonStats::untrackedTotal() const
{
    return messageTotal(untracked);
}

std::string RtmonStats::untrackedSummary() const
{
    return messageKindsSummary(untracked);
}

std::string RtmonReader::kindName(std::uint16_t type)
{
    // rtnetlink numbers its message kinds in fours from RTM_BASE (NEW, DEL, GET, SET).
    if (type < RTM_BASE)
        return "control";
    switch (RTM_BASE + ((type - RTM_BASE) & ~3u)) {
    case RTM_NEWLINK: return "link";
    case RTM_NEWADDR: return "address";
    case RTM_NEWROUTE: return "route";
    case RTM_NEWNEIGH: return "neighbor";
    case RTM_NEWRULE: return "rule";
    case RTM_NEWQDISC: return "qdisc";
    case RTM_NEWTCLASS: return "traffic class";
    case RTM_NEWTFILTER: return "traffic filter";
    case RTM_NEWACTION: return "traffic action";
    case RTM_NEWPREFIX: return "IPv6 prefix";
    case RTM_GETMULTICAST: return "multicast address";
    case RTM_GETANYCAST: return "anycast address";
    case RTM_NEWNEIGHTBL: return "neighbor table";
    case RTM_NEWNDUSEROPT: return "ND user option";
    case RTM_NEWADDRLABEL: return "address label";
    case RTM_GETDCB: return "DCB";
    case RTM_NEWNETCONF: return "netconf";
    case RTM_NEWMDB: return "multicast database";
    case RTM_NEWNSID: return "namespace id";
    case RTM_NEWSTATS: return "statistics";
    case RTM_NEWCACHEREPORT: return "multicast cache report";
    case RTM_NEWCHAIN: return "filter chain";
    case RTM_NEWNEXTHOP: return "nexthop object";
    case RTM_NEWLINKPROP: return "link property";
    case RTM_NEWVLAN: return "VLAN";
    case RTM_NEWNEXTHOPBUCKET: return "nexthop bucket";
    default: return "type " + std::to_string(type);
    }
}

bool RtmonReader::looksLikeRtmon(const void *data, std::size_t len)
{
    if (!data || len < kHeaderBytes)
        return false;
    const auto *p = static_cast<const unsigned char *>(data);
    return plausibleHeader(u32At(p), u16At(p + 4));
}

bool RtmonReader::looksLikeSwappedRtmon(const void *data, std::size_t len)
{
    if (!data || len < kHeaderBytes)
        return false;
    const auto *p = static_cast<const unsigned char *>(data);
    const std::uint32_t l = u32At(p);
    const std::uint16_t t = u16At(p + 4);
    const std::uint32_t swappedLen = (l >> 24) | ((l >> 8) & 0xff00u) | ((l << 8) & 0xff0000u) | (l << 24);
    const auto swappedType = static_cast<std::uint16_t>((t >> 8) | (t << 8));
    return !plausibleHeader(l, t) && plausibleHeader(swappedLen, swappedType);
}

struct RtmonReader::Impl : RecordedStream {
    enum class Phase : std::uint8_t { BeforeStamp, Dump, Events };

    explicit Impl(Sink s) : RecordedStream(std::move(s), kBatchRecords)
    {
        // rtmon records notifications only, each once: a delete of an address or neighbor
        // not seen before is one the kernel never announced (or made before the file began).
        classifier.setInferUnannounced("not in the file before its deletion");
    }

    void flush() { RecordedStream::flush(&stats.records); }

    void endDump()
    {
        phase = Phase::Events;
        appendMarker(ChangeKind::SnapshotComplete, dumpTimeUs,
                     std::to_string(classifier.store().interfaceCount())
                         + " interfaces (an rtmon file lists links only)");
        appendMarker(ChangeKind::Gap, dumpTimeUs,
                     std::string(kRtmonIncompleteNote)
                         + ": the addresses and routes that existed before the first event are unknown");
        flush();
    }

    void stamp(const nlmsghdr *msg)
    {
        ++stats.stamps;
        if (msg->nlmsg_len < NLMSG_LENGTH(2 * sizeof(std::uint32_t))) {
            ++stats.malformed;
            return;
        }
        const auto *p = static_cast<const unsigned char *>(NLMSG_DATA(msg));
        const std::uint32_t sec = u32At(p);
        const std::uint32_t usec = u32At(p + 4);
        if (usec >= 1'000'000) {
            ++stats.malformed;
            return;
        }
        timeUs = std::int64_t(sec) * 1'000'000 + usec;
        if (stats.firstStampUs == 0)
            stats.firstStampUs = timeUs;
        stats.lastStampUs = timeUs;
        if (phase == Phase::BeforeStamp) {
            phase = Phase::Dump;
            dumpTimeUs = timeUs;
        } else if (phase == Phase::Dump) {
            endDump(); // rtmon stamps every event, never the dump's replies
        }
    }

    void message(const nlmsghdr *msg)
    {
        ++stats.messages;
        if (msg->nlmsg_type == kNlmsgTstamp) {
            stamp(msg);
            return;
        }
        if (phase == Phase::BeforeStamp) {
            ++stats.withoutTime;
            return;
        }
        const bool dump = phase == Phase::Dump;
        ++(dump ? stats.dumpMessages : stats.eventMessages);
        const std::size_t mark = batch.size();
        const auto outcome = classifier.classify(msg, timeUs);
        countOutcome(outcome, stats);
        if (!RtnetlinkClassifier::isTrackedType(msg->nlmsg_type) && msg->nlmsg_type >= NLMSG_MIN_TYPE
            && outcome != RtnetlinkClassifier::Outcome::Malformed)
            ++stats.untracked[msg->nlmsg_type];
        if (observer)
            observer({timeUs, msg->nlmsg_type, dump, batch.size() - mark});
        if (dump) {
            // The dump lists what existed when rtmon started, as the live source's initial rows.
            for (ChangeRecord &r : batch.records().subspan(mark)) {
                if (r.change != ChangeKind::Add)
                    continue;
                r.change = ChangeKind::Initial;
                r.before = std::monostate {};
                r.changedFields = 0;
            }
        }
        if (batch.size() >= kBatchRecords)
            flush();
    }

    /// Walks the whole messages in buf[pos, size); stops at a partial one or a damaged one.
    void walk()
    {
        while (!broken && buf.size() - pos >= kHeaderBytes) {
            const unsigned char *p = buf.data() + pos;
            const std::size_t left = buf.size() - pos;
            const std::uint32_t len = u32At(p);
            if (len < kHeaderBytes || len > kMaxMessageBytes) {
                problem("a message at byte " + std::to_string(offset + pos) + " gives its length as "
                        + std::to_string(len) + " bytes, which no rtnetlink message has");
                return;
            }
            if (len > left)
                return; // more to come (or truncated: finish() says so)
            message(reinterpret_cast<const nlmsghdr *>(p)); // buf is allocated aligned, steps are NLMSG_ALIGNed
            const std::size_t step = NLMSG_ALIGN(len);
            if (step > left)
                padding = step - left; // the message's padding comes with the next bytes fed
            pos += std::min(step, left);
        }
    }

    void problem(std::string what)
    {
        broken = true;
        stats.problem = std::move(what);
        stats.unreadBytes += buf.size() - pos;
        offset += buf.size();
        buf.clear();
        pos = 0;
    }

    void compact()
    {
        if (pos == 0)
            return;
        offset += pos;
        buf.erase(buf.begin(), buf.begin() + std::ptrdiff_t(pos));
        pos = 0;
    }

    MessageObserver observer;
    RtmonStats stats;
    Phase phase = Phase::BeforeStamp;
    std::int64_t timeUs = 0;
    std::int64_t dumpTimeUs = 0;
    std::vector<unsigned char> buf; ///< unread bytes; buf.data() is suitably aligned for nlmsghdr
    std::size_t pos = 0; ///< next message in buf
    std::size_t padding = 0; ///< bytes of the last message's padding still to skip in the next feed
    std::uint64_t offset = 0; ///< file offset of buf[0]
    bool broken = false;
    bool finished = false;
};

RtmonReader::RtmonReader(Sink sink) : d(std::make_unique<Impl>(std::move(sink))) { }

RtmonReader::~RtmonReader() = default;

void RtmonReader::setMessageObserver(MessageObserver observer)
{
    d->observer = std::move(observer);
}

void RtmonReader::feed(const void *data, std::size_t len)
{
    if (d->finished || len == 0)
        return;
    d->stats.bytes += len;
    if (d->broken) {
        d->stats.unreadBytes += len;
        return;
    }
    const auto *p = static_cast<const unsigned char *>(data);
    if (d->padding > 0) {
        // Whole or in pieces, a message is followed by the same bytes.
        const std::size_t n = std::min(d->padding, len);
        d->padding -= n;
        d->offset += n;
        p += n;
        len -= n;
    }
    d->buf.insert(d->buf.end(), p, p + len);
    d->walk();
    d->compact();
}

void RtmonReader::finish()
{
    if (d->finished)
        return;
    d->finished = true;
    if (!d->broken && d->pos < d->buf.size()) {
        const std::size_t left = d->buf.size() - d->pos;
        const std::string where = std::to_string(d->offset + d->pos);
        if (left < kHeaderBytes)
            d->problem("the file ends inside a message header at byte " + where + " (" + std::to_string(left)
                       + " bytes left)");
        else
            d->problem("truncated message at byte " + where + ": its header gives "
                       + std::to_string(u32At(d->buf.data() + d->pos)) + " bytes, the file has "
                       + std::to_string(left));
    }
    if (d->phase == Impl::Phase::Dump)
        d->endDump(); // no event followed the dump
    d->flush();
}

const RtmonStats &RtmonReader::stats() const
{
    return d->stats;
}

bool RtmonReader::readFile(const std::string &path, const Sink &sink, RtmonStats *stats, std::string *error)
{
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        if (error)
            *error = path + ": " + std::strerror(errno);
        return false;
    }
    RtmonReader reader(sink);
    std::vector<unsigned char> chunk(kReadChunk);
    bool ok = true;
    for (;;) {
        const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f);
        reader.feed(chunk.data(), n);
        if (n < chunk.size()) {
            if (std::ferror(f)) {
                ok = false;
                if (error)
                    *error = path + ": read error: " + std::strerror(errno);
            }
            break;
        }
    }
    std::fclose(f);
    reader.finish();
    if (stats)
        *stats = reader.stats();
    return ok;
}

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// RtnetlinkClassifier (see rtnetlinkclassifier.h). Runs on its owner's reader thread.
#include "platform/linux/rtnetlinkclassifier.h"

#include "platform/requester.h"
#include "platform/source.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace ncv::platform {

RtnetlinkClassifier::RtnetlinkClassifier(RecordBatch &out, SilentDeletions::Hooks hooks)
    : m_out(out), m_silent(m_store, std::move(hooks))
{ }

void RtnetlinkClassifier::setFilter(std::uint32_t objects, Family family)
{
    m_objects = objects;
    m_family = family;
}

bool RtnetlinkClassifier::isTrackedType(std::uint16_t type)
{
    switch (type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
    case RTM_NEWADDR:
    case RTM_DELADDR:
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
    case RTM_NEWRULE:
    case RTM_DELRULE:
    case RTM_NEWNEXTHOP:
    case RTM_DELNEXTHOP:
    case RTM_NEWNSID:
    case RTM_DELNSID: return true;
    default: return false;
    }
}

void RtnetlinkClassifier::push(ChangeRecord &&record)
{
    if (!matchesFilter(record, m_objects, m_family))
        return;
    m_entities.process(std::move(record), m_entityScratch); // adds entity registered / deregistered records
    for (ChangeRecord &r : m_entityScratch)
        m_out.append(std::move(r));
    m_passed += m_entityScratch.size();
    m_entityScratch.clear();
}

RtnetlinkClassifier::Outcome RtnetlinkClassifier::classify(const nlmsghdr *msg, std::int64_t timeUs)
{
    const std::uint64_t passedBefore = m_passed;
    if (msg->nlmsg_type < NLMSG_MIN_TYPE)
        return Outcome::Control; // NLMSG_NOOP / NLMSG_ERROR / NLMSG_DONE carry no state
    if (!isTrackedType(msg->nlmsg_type))
        return Outcome::Untracked;
    switch (netlink::decode(msg, timeUs, m_decoded)) {
    case netlink::DecodeStatus::Ok: break;
    case netlink::DecodeStatus::Skip: return Outcome::Skipped;
    case netlink::DecodeStatus::Error: return Outcome::Malformed;
    }
    const bool changed = classifyDecoded(msg, timeUs);
    // Deleting a nexthop object flushes the IPv4 routes using it, unannounced (also when
    // the store did not hold the object: a registration without NexthopsMask).
    if (m_decoded.object == ObjectKind::Nexthop && m_decoded.isDelete)
        m_silent.nexthopDeleted(m_decoded.nexthop, timeUs);
    if (m_passed != passedBefore)
        return Outcome::Records;
    return changed ? Outcome::Filtered : Outcome::NoChange;
}

std::uint32_t RtnetlinkClassifier::attribute(std::uint32_t portId, std::int64_t timeUs)
{
    if (m_attribution)
        return m_attribution(portId, timeUs);
    if (portId != m_lastPortId || m_lastPortRequester == 0) {
        m_lastPortId = portId;
        m_lastPortRequester = RequesterTable::port(portId);
    }
    return m_lastPortRequester;
}

bool RtnetlinkClassifier::classifyDecoded(const nlmsghdr *msg, std::int64_t timeUs)
{
    ChangeRecord record;
    bool produced = false;
    // An address or neighbor: a delete may come for one the kernel never announced (inferUnannouncedAdd).
    const auto applyInferringAdd = [&](const auto &row) {
        if (!m_decoded.isDelete)
            return m_store.upsert(row, timeUs, Origin::Observed, &record);
        return m_store.remove(row, timeUs, Origin::Observed, &record)
            || (inferUnannouncedAdd(row, timeUs) && m_store.remove(row, timeUs, Origin::Observed, &record));
    };
    switch (m_decoded.object) {
    case ObjectKind::Interface:
        produced = m_decoded.isDelete ? m_store.remove(m_decoded.interface, timeUs, Origin::Observed, &record)
                                      : m_store.upsert(m_decoded.interface, timeUs, Origin::Observed, &record);
        record.family = Family::Unspec;
        break;
    case ObjectKind::Address:
        produced = applyInferringAdd(m_decoded.address);
        record.family = m_decoded.address.address.family;
        break;
    case ObjectKind::Route:
        produced = m_decoded.isDelete ? m_store.remove(m_decoded.route, timeUs, Origin::Observed, &record)
                                      : m_store.upsert(m_decoded.route, timeUs, Origin::Observed, &record,
                                                       (m_decoded.nlmsgFlags & NLM_F_REPLACE) != 0);
        record.family = m_decoded.route.family();
        break;
    case ObjectKind::Neighbor:
        produced = applyInferringAdd(m_decoded.neighbor);
        record.family = m_decoded.neighbor.address.family;
        break;
    case ObjectKind::Rule:
        produced = m_decoded.isDelete ? m_store.remove(m_decoded.rule, timeUs, Origin::Observed, &record)
                                      : m_store.upsert(m_decoded.rule, timeUs, Origin::Observed, &record);
        record.family = m_decoded.rule.family;
        break;
    case ObjectKind::Nexthop:
        produced = m_decoded.isDelete ? m_store.remove(m_decoded.nexthop, timeUs, Origin::Observed, &record)
                                      : m_store.upsert(m_decoded.nexthop, timeUs, Origin::Observed, &record);
        record.family = m_decoded.nexthop.family;
        break;
    case ObjectKind::Nsid:
        // No state: each message is its event (an id is assigned once and removed once;
        // a dump of ids, RTM_GETNSID with NLM_F_DUMP, is not asked for).
        record.object = ObjectKind::Nsid;
        record.change = m_decoded.isDelete ? ChangeKind::Delete : ChangeKind::Add;
        record.timeUs = timeUs;
        record.nsid = m_decoded.nsid;
        produced = true;
        break;
    default: break;
    }
    if (!produced)
        return false;
    if (!(msg->nlmsg_flags & NLM_F_MULTI)) {
        // A notification: nlmsg_pid is the port id of the socket whose request caused it.
        record.portId = msg->nlmsg_pid;
        record.requester = attribute(msg->nlmsg_pid, timeUs);
    }
    // Routes the kernel flushed along with this message, unannounced: inferred after its record.
    const auto flush = m_silent.observe(record);
    std::string proxyCause;
    const std::uint32_t proxyFlush = proxyFlushOf(record, proxyCause);
    push(std::move(record));
    if (flush)
        m_silent.infer(*flush, timeUs);
    if (flush && flush->cause != SilentDeletions::Cause::LastAddress)
        flushNexthops(flush->ifIndex, flush->requester, timeUs);
    if (proxyFlush)
        flushProxyNeighbors(proxyFlush, proxyCause, timeUs);
    return true;
}

template<typename R> bool RtnetlinkClassifier::inferUnannouncedAdd(const R &row, std::int64_t timeUs)
{
    // The kernel announces an IPv6 address once its duplicate address detection ends, and
    // makes NOARP neighbor entries (multicast groups) without a message, but announces both
    // deletions: ip monitor shows a "Deleted" line for an object never shown before.
    if (m_unannouncedCause.empty())
        return false;
    ChangeRecord add;
    if (!m_store.upsert(row, timeUs, Origin::Inferred, &add))
        return false;
    add.family = row.address.family;
    add.requester = RequesterTable::cause(m_unannouncedCause);
    add.portId = 0;
    m_silent.observe(add); // an add flushes nothing; it revives an interface's IPv4 routes
    push(std::move(add));
    return true;
}

void RtnetlinkClassifier::flushNexthops(std::uint32_t ifIndex, std::uint32_t cause, std::int64_t timeUs)
{
    // nexthop_flush_dev() (NETDEV_DOWN, NETDEV_UNREGISTER, and NETDEV_CHANGE without carrier)
    // removes the nexthop objects on the device without RTM_DELNEXTHOP (it passes no
    // nl_info), and with them their places in groups: a group left with members is
    // changed, an emptied one removed, all unannounced (checked on 6.18 with ip monitor
    // nexthop). Blackholes are on no device here and stay.
    if (ifIndex == 0 || m_store.nexthopCount() == 0)
        return;
    if (cause == 0)
        cause = RequesterTable::cause("kernel (link ifindex " + std::to_string(ifIndex) + " down)");
    const std::vector<NexthopRow> held = m_store.nexthops();
    std::vector<std::uint32_t> gone;
    ChangeRecord record;
    const auto pushInferred = [&] {
        record.requester = cause;
        record.portId = 0;
        push(std::move(record));
    };
    for (const NexthopRow &row : held)
        if (!row.isGroup() && row.ifIndex == ifIndex && m_store.remove(row, timeUs, Origin::Inferred, &record)) {
            gone.push_back(row.id);
            pushInferred();
        }
    if (gone.empty())
        return;
    for (const NexthopRow &row : held) {
        if (!row.isGroup())
            continue;
        NexthopRow after = row;
        std::erase_if(after.group, [&](const NexthopGroupMember &m) {
            return std::find(gone.begin(), gone.end(), m.id) != gone.end();
        });
        if (after.group.size() == row.group.size())
            continue;
        const bool changed = after.group.empty() ? m_store.remove(row, timeUs, Origin::Inferred, &record)
                                                 : m_store.upsert(after, timeUs, Origin::Inferred, &record);
        if (changed)
            pushInferred();
    }
}

std::uint32_t RtnetlinkClassifier::proxyFlushOf(const ChangeRecord &record, std::string &cause) const
{
    // pneigh_ifdown() runs on NETDEV_DOWN and NETDEV_UNREGISTER (neigh_ifdown), not on a
    // carrier loss, and sends no RTM_DELNEIGH; the normal entries it flushes are announced.
    if (record.object != ObjectKind::Interface)
        return 0;
    const auto *before = std::get_if<InterfaceRow>(&record.before);
    const auto *after = std::get_if<InterfaceRow>(&record.after);
    const auto name
        = [](const InterfaceRow &link) { return link.name.empty() ? std::to_string(link.ifIndex) : link.name; };
    if (record.change == ChangeKind::Delete && before) {
        cause = "kernel (link " + name(*before) + " deleted)";
        return before->ifIndex;
    }
    if (record.change == ChangeKind::Parameter && before && after && before->adminUp && !after->adminUp) {
        cause = "kernel (link " + name(*after) + " down)";
        return after->ifIndex;
    }
    return 0;
}

void RtnetlinkClassifier::flushProxyNeighbors(std::uint32_t ifIndex, const std::string &causeText, std::int64_t timeUs)
{
    const std::vector<NeighborRow> proxies = m_store.neighborsOn(ifIndex, true);
    if (proxies.empty())
        return;
    const std::uint32_t cause = RequesterTable::cause(causeText);
    ChangeRecord record;
    for (const NeighborRow &row : proxies) {
        if (!m_store.remove(row, timeUs, Origin::Inferred, &record))
            continue;
        record.requester = cause;
        record.portId = 0;
        push(std::move(record));
    }
}

RecordedStream::RecordedStream(Sink s, std::size_t batchRecords) : sink(std::move(s)), classifier(batch, hooks())
{
    // The kernel's flushes are inferred as the live source infers them; a file has no
    // kernel to confirm them with a dump, so no confirming check is ever run.
    classifier.silent().configure(true, false);
    classifier.setFilter(EveryObjectMask, Family::Unspec); // a file shows every kind it holds
    batch.reserve(batchRecords + 64);
}

SilentDeletions::Hooks RecordedStream::hooks()
{
    SilentDeletions::Hooks h;
    h.emit = [this](ChangeRecord &&record) { classifier.push(std::move(record)); };
    h.deliver = [] {};
    h.dumpIpv4Routes = [](std::uint32_t, std::string &error) {
        error = "a recorded stream cannot be dumped";
        return SilentDeletions::DumpResult::Failed;
    };
    h.failed = [](const std::string &) {};
    h.drainEvents = [] { return true; };
    return h;
}

void RecordedStream::appendMarker(ChangeKind change, std::int64_t timeUs, std::string note)
{
    ChangeRecord &r = batch.emplace();
    r = ChangeRecord {};
    r.object = change == ChangeKind::Gap ? ObjectKind::Gap : ObjectKind::None;
    r.change = change;
    r.origin = change == ChangeKind::Gap ? Origin::Inferred : Origin::Observed;
    r.timeUs = timeUs;
    r.note = std::move(note);
    batch.commit();
}

void RecordedStream::flush(std::uint64_t *delivered)
{
    if (batch.empty())
        return;
    for (const ChangeRecord &r : batch.records())
        *delivered += r.change != ChangeKind::SnapshotComplete;
    sink(batch.records());
    batch.clear();
}

} // namespace ncv::platform

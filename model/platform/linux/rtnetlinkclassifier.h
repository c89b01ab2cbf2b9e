// SPDX-License-Identifier: GPL-2.0-or-later
// RtnetlinkClassifier: the one path from an rtnetlink event message to ChangeRecords,
// shared by the live source (RtnetlinkSource) and the readers of recorded netlink streams
// (RtmonReader), so that a file shows exactly what the live view would have shown.
//
// It owns the StateStore (add / parameter / delete, no-ops dropped), the EntityTracker
// (entity registered / deregistered around route records) and SilentDeletions (the IPv4
// routes the kernel removes unannounced, inferred from the message that causes them). The
// owner provides the SilentDeletions hooks (the live source dumps to confirm; a file has no
// kernel to ask, so its inferences stand unconfirmed) and the batch the records go to.
// Qt-free. Not thread-safe: used by one reader thread.
#pragma once

#include "platform/entitytracker.h"
#include "platform/linux/decoder.h"
#include "platform/linux/silentdeletions.h"
#include "platform/recordbatch.h"
#include "platform/statestore.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

struct nlmsghdr;

namespace ncv::platform {

class RtnetlinkClassifier {
public:
    /// What one message gave.
    enum class Outcome : std::uint8_t {
        Records, ///< one or more records went to the batch (the change and what it caused)
        /// a tracked object whose shown fields did not change, or a delete of an unknown one
        /// (other than the addresses and neighbors setInferUnannounced() covers)
        NoChange,
        Filtered, ///< a change outside the object mask / family filter (the store still applied it)
        Control, ///< NLMSG_NOOP / NLMSG_ERROR / NLMSG_DONE / NLMSG_OVERRUN: no state
        Skipped, ///< a tracked type the decoder skips (cloned route, bridge port, other family)
        Untracked, ///< a message type not tracked (netconf, nexthop buckets...)
        Malformed, ///< the decoder refused it (decoded().reason says why)
    };

    /// out: where records go (not owned; must outlive this). hooks: see SilentDeletions.
    /// Records of a notification (a message without NLM_F_MULTI) carry its nlmsg_pid in
    /// ChangeRecord::portId and the requester the attribution gives; those of dump replies
    /// (NLM_F_MULTI) carry none (a dump says nothing about who made a change). Inferred
    /// silent deletions name their cause ("kernel (link d1 down)"); entity records name the
    /// requester of the route record that caused them.
    RtnetlinkClassifier(RecordBatch &out, SilentDeletions::Hooks hooks);

    /// Maps a notification's nlmsg_pid (port id) to a RequesterTable id (requester.h), on the
    /// reader thread, when the message is classified.
    using Attribution = std::function<std::uint32_t(std::uint32_t portId, std::int64_t timeUs)>;
    /// How the records of notifications name their requester. Unset (a recorded stream: no
    /// process to ask afterwards): RequesterTable::port(), which is the kernel for port id 0.
    void setAttribution(Attribution attribution) { m_attribution = std::move(attribution); }

    /// Set (cause not empty): the deletion of an address or a neighbor the store does not
    /// hold is shown as an inferred add named by cause, then the observed delete. The kernel
    /// makes some without a message: an IPv6 address is announced once its duplicate address
    /// detection ends (one deleted while tentative never was), a NOARP multicast neighbor
    /// entry such as ff02::16 is made when a packet goes to that group; both deletions are
    /// announced. A file may also begin after the object appeared; a capture that holds each
    /// notification once per listening socket (nlmon) must leave it empty. Empty (the default): such
    /// a deletion gives nothing.
    void setInferUnannounced(std::string cause) { m_unannouncedCause = std::move(cause); }

    /// The registration's object mask (ObjectMask bits) and family: records outside them
    /// are not passed on (the store still tracks everything it is given).
    void setFilter(std::uint32_t objects, Family family);

    /// Classifies one validated message (netlink::messageOk()) read at timeUs (µs since the
    /// epoch, UTC): decodes it, applies it to the store, appends the record (and the entity
    /// and inferred silent-deletion records it causes) to the batch.
    Outcome classify(const nlmsghdr *msg, std::int64_t timeUs);

    /// True for the message types whose objects are tracked (RTM_NEW/DEL LINK, ADDR, ROUTE, NEIGH, RULE, NEXTHOP).
    static bool isTrackedType(std::uint16_t type);

    /// Appends record to the batch through the filter and the entity tracker.
    void push(ChangeRecord &&record);

    StateStore &store() { return m_store; }
    SilentDeletions &silent() { return m_silent; }
    EntityTracker &entities() { return m_entities; }
    netlink::DecodedMessage &decoded() { return m_decoded; }

private:
    /// Applies m_decoded (status Ok) to the store; true when a record was produced.
    bool classifyDecoded(const nlmsghdr *msg, std::int64_t timeUs);
    std::uint32_t attribute(std::uint32_t portId, std::int64_t timeUs);
    /// The interface whose proxy neighbor entries the kernel flushes unannounced after
    /// record (its link set down or deleted), or 0; cause: "kernel (link d1 down)".
    std::uint32_t proxyFlushOf(const ChangeRecord &record, std::string &cause) const;
    /// Deletes the held nexthop objects on ifIndex as inferred records (and the groups they
    /// leave empty; the groups they leave with members change), named by cause (a
    /// RequesterTable id).
    void flushNexthops(std::uint32_t ifIndex, std::uint32_t cause, std::int64_t timeUs);
    /// For a delete of an address or neighbor the store does not hold (setInferUnannounced()):
    /// adds row as an inferred record at timeUs; true when it did (the delete then finds it).
    template<typename R> bool inferUnannouncedAdd(const R &row, std::int64_t timeUs);
    /// Deletes the held proxy neighbors on ifIndex as inferred records, named by causeText.
    void flushProxyNeighbors(std::uint32_t ifIndex, const std::string &causeText, std::int64_t timeUs);

    RecordBatch &m_out;
    StateStore m_store {StateStore::KeyScheme::Linux};
    netlink::DecodedMessage m_decoded;
    EntityTracker m_entities;
    std::vector<ChangeRecord> m_entityScratch; ///< EntityTracker output, moved into the batch
    SilentDeletions m_silent;
    std::uint32_t m_objects = AllObjectsMask;
    Family m_family = Family::Unspec;
    std::uint64_t m_passed = 0; ///< records push() appended, ever
    Attribution m_attribution;
    std::uint32_t m_lastPortId = 0; ///< a one-entry memo of RequesterTable::port() for recorded streams
    std::uint32_t m_lastPortRequester = 0;
    std::string m_unannouncedCause; ///< setInferUnannounced()
};

/// Adds what classify() gave to a reader's counts: c.noChange (NoChange, Filtered),
/// c.control, c.skipped, c.malformed (Records and Untracked are counted by the reader).
template<class Counts> void countOutcome(RtnetlinkClassifier::Outcome outcome, Counts &c)
{
    switch (outcome) {
    case RtnetlinkClassifier::Outcome::Records:
    case RtnetlinkClassifier::Outcome::Untracked: break;
    case RtnetlinkClassifier::Outcome::NoChange:
    case RtnetlinkClassifier::Outcome::Filtered: ++c.noChange; break;
    case RtnetlinkClassifier::Outcome::Control: ++c.control; break;
    case RtnetlinkClassifier::Outcome::Skipped: ++c.skipped; break;
    case RtnetlinkClassifier::Outcome::Malformed: ++c.malformed; break;
    }
}

/// What a reader of a recorded stream (a file) holds: its sink, the batch of records not
/// yet delivered and the classifier, whose inferred silent deletions stand unconfirmed
/// (there is no kernel to ask with a dump).
struct RecordedStream {
    using Sink = std::function<void(std::span<const ChangeRecord>)>;
    /// batchRecords: how many records a batch holds before flush() is due.
    RecordedStream(Sink s, std::size_t batchRecords);
    RecordedStream(const RecordedStream &) = delete;
    RecordedStream &operator=(const RecordedStream &) = delete;

    /// Hands the batch to the sink (nothing when empty), adds its records (not
    /// SnapshotComplete markers) to *delivered, and clears it.
    void flush(std::uint64_t *delivered);
    /// Appends a marker at timeUs with note: SnapshotComplete (object None, origin Observed)
    /// ends the initial state; Gap (origin Inferred) says what the file cannot tell.
    void appendMarker(ChangeKind change, std::int64_t timeUs, std::string note);

    Sink sink;
    RecordBatch batch;
    RtnetlinkClassifier classifier;

private:
    SilentDeletions::Hooks hooks(); ///< inferred deletions go to the classifier; nothing to dump
};

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// SilentDeletions: the IPv4 routes the Linux kernel removes without RTM_DELROUTE (ip-sysctl.rst
// skip_notify_on_dev_down), inferred when the message that causes the removal is read and
// confirmed by route dumps afterwards. Qt-free.
//
// The kernel's rules (net/ipv4 fib_disable_ip / fib_sync_down_dev, nexthop_flush_dev):
// - link down (RTM_NEWLINK with IFF_UP cleared): every route whose next hops are all dead goes,
//   a hop being dead when it is on that link, on a link that is down, or on a link that lost
//   its last IPv4 address; host-scope routes (local addresses) stay; a multipath route with
//   a live hop stays, its hop on the link marked dead (`ip route` shows `dead linkdown`; the
//   rows carry no hop flags, so the row is unchanged).
// - link deleted (RTM_DELLINK): every route with a next hop on it goes.
// - last IPv4 address of a link removed: as link down, host-scope routes included, except
//   the routes with that preferred source, which the kernel announces itself.
// - link down, deleted, or carrier lost while up: the nexthop objects on it are removed
//   unannounced; a route using one goes, a route using a group loses those members
//   (a Parameter change of nexthops).
// - nexthop object deleted (RTM_DELNEXTHOP): the IPv4 routes using it go; the routes of
//   either family using a group it was in lose its next hop (the group's change is announced,
//   the routes' is not).
// IPv6 routes are left alone: the kernel announces their removal (unless
// net.ipv6.route.skip_notify_on_dev_down is set to 1, which this does not follow).
//
// Inferred records carry the time of the message that caused them, so a flush is recorded
// however soon the link comes back. A confirming route dump of the routes through the link
// (filtered by RTA_OIF where the dump socket has NETLINK_GET_STRICT_CHK) runs 20 ms later
// and, while it lists routes through the link or routes the store lacks, again after 0.2 s
// and 1 s: held candidates it does not list are deleted (inferred); only the last attempt
// adds (inferred) what it lists and the store lacks, or updates what differs, as the
// earlier ones may run before the kernel's flush (route dumps do not take the RTNL lock).
// A dump shows the kernel's state when it runs, which is ahead of the event stream while
// events wait in the socket (a link flapping faster than they are read): the queued events
// are read first, and read again after the dump, and a dump that raced with any record
// touching the link (or the nexthop object) is set aside and taken again later (a few times:
// on a link that never rests, the inference stands unconfirmed). A recorded deletion is
// never taken back; a correction is a new record.
//
// Not thread-safe: owned and used by one RtnetlinkSource registration's reader thread.
#pragma once

#include "platform/statestore.h"
#include "platform/types.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace ncv::platform {

class SilentDeletions {
public:
    /// Why the kernel flushes IPv4 routes through an interface.
    enum class Cause : std::uint8_t {
        LinkDown, ///< IFF_UP cleared: NETDEV_DOWN without force (host-scope next hops stay)
        LinkGone, ///< RTM_DELLINK: NETDEV_UNREGISTER, force; a multipath route with a hop on it goes
        LastAddress, ///< its last IPv4 address went: NETDEV_DOWN with force
        CarrierLost, ///< carrier lost while up: only nexthop objects on it go (hops are marked linkdown)
    };
    struct Flush {
        Cause cause = Cause::LinkDown;
        std::uint32_t ifIndex = 0;
        IpAddress removedAddress; ///< LastAddress: the removed address (its own routes are announced)
        /// RequesterTable id of the cause the inferred records name, "kernel (link d1 down)";
        /// observe() sets it (0: infer() makes one from the cause and the interface index).
        std::uint32_t requester = 0;
    };
    enum class DumpResult : std::uint8_t { Ok, Cancelled, Failed };

    /// What the owner provides; each is called on the owner's thread from inside the calls below.
    struct Hooks {
        /// Takes one inferred record (Delete, Parameter; Add from a last confirming dump), in order.
        std::function<void(ChangeRecord &&)> emit;
        /// Delivers what emit took (after each confirming dump).
        std::function<void()> deliver;
        /// Dumps the IPv4 routes, only those with a next hop on oif when oif != 0, and passes
        /// each to confirmRoute(); fills error ("RTM_GETROUTE dump: ...") on Failed.
        std::function<DumpResult(std::uint32_t oif, std::string &error)> dumpIpv4Routes;
        /// A confirming dump failed: the owner records a gap with this note.
        std::function<void(const std::string &note)> failed;
        /// Reads and classifies the events waiting in the event socket (their records pass
        /// through observe()); false when more kept arriving than it would read.
        std::function<bool()> drainEvents;
    };

    SilentDeletions(StateStore &store, Hooks hooks);

    /// enabled: the owner wants IPv4 routes (otherwise every call below does nothing).
    /// filteredDumps: route dumps can be filtered by RTA_OIF (NETLINK_GET_STRICT_CHK).
    void configure(bool enabled, bool filteredDumps);

    /// Every record the owner classified from an event (the store already applied it):
    /// returns the flush an interface or address record means, or none; notes the next hops
    /// the kernel revives (link up, IPv4 address added) and whether a running confirming
    /// dump raced with it. Call it before the record is handed on; call infer() after.
    std::optional<Flush> observe(const ChangeRecord &record);
    /// The owner reconciled the store with a full dump (a resync after lost events).
    void resynced() { m_watch.touched = m_watch.active; }
    /// Applies the kernel's rules for flush to the held IPv4 routes through its interface
    /// (timeUs: when the message that caused it was read; the inferred records carry it)
    /// and schedules the confirming dump.
    void infer(const Flush &flush, std::int64_t timeUs);
    /// RTM_DELNEXTHOP of deleted read at timeUs: the IPv4 routes using the object go with
    /// it, and the routes (IPv4 and IPv6) using a group it was in lose its next hop, both
    /// unannounced (the kernel announces the shrunk group, not the routes through it).
    void nexthopDeleted(const NexthopRow &deleted, std::int64_t timeUs);

    bool hasPendingChecks() const { return !m_checks.empty(); }
    /// Milliseconds until the next confirming dump is due: 0 when one is due, -1 when none is pending.
    int msUntilNextCheck() const;
    /// Runs the confirming dumps that are due (through hooks.dumpIpv4Routes). Returns early
    /// when a dump was cancelled.
    void runDueChecks();
    /// One route listed by the dump that runDueChecks() asked for.
    void confirmRoute(const RouteRow &row);

private:
    /// A pending confirmation of IPv4 routes the kernel may have removed silently.
    struct Check {
        std::uint32_t ifIndex = 0; ///< routes with a next hop on this interface are candidates
        std::uint32_t nhId = 0; ///< or (when not 0) routes using this nexthop object
        int attempt = 0; ///< index into the delays
        std::int64_t dueUs = 0;
        int races = 0; ///< dumps of this attempt set aside (events touched the link meanwhile)
        std::uint32_t requester = 0; ///< the cause its records name (Flush::requester)
    };
    static bool isCandidate(const Check &check, const RouteRow &row);
    /// The routes using a group that held deleted lose its next hop (nexthopDeleted()).
    void shrinkGroupRoutes(const NexthopRow &deleted, std::int64_t timeUs);
    void schedule(std::uint32_t ifIndex, std::uint32_t nhId, std::uint32_t requester);
    /// A next hop the kernel holds dead (RTNH_F_DEAD) although it is not on the flushed interface.
    bool hopDead(const NextHop &hop) const;
    void emit(ChangeRecord &&record)
    {
        record.requester = m_cause; // inferred: named by its cause, no port id
        record.portId = 0;
        noteTouch(record);
        m_hooks.emit(std::move(record));
    }
    void noteTouch(const ChangeRecord &record);

    StateStore &m_store;
    Hooks m_hooks;
    std::uint32_t m_cause = 0; ///< the cause the records emitted now name (RequesterTable id)
    bool m_enabled = false;
    bool m_filteredDumps = false;
    std::vector<Check> m_checks;
    /// Interfaces that are up but whose IPv4 next hops are dead: their last IPv4 address went
    /// (force); an IPv4 address added or the link coming up revives them (fib_sync_up).
    std::unordered_set<std::uint32_t> m_deadWithoutAddress;
    /// The check whose confirming dump is being read.
    struct Confirming {
        const Check *check = nullptr;
        bool reconcile = false; ///< last attempt: collect the corrections
        std::size_t unheld = 0; ///< listed candidates the store does not hold
        PackedRouteList corrections; ///< reconcile: listed candidates not held or differing
    } m_confirming;
    /// From just before a confirming dump until the events read after it: did a record touch
    /// the check's interface (or nexthop object)?
    struct Watch {
        bool active = false;
        bool touched = false;
        std::uint32_t ifIndex = 0;
        std::uint32_t nhId = 0;
    } m_watch;
};

} // namespace ncv::platform

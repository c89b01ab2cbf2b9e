// RtnetlinkSource: the Linux backend of Source, on rtnetlink through libmnl. Qt-free.
//
// Each registration owns a reader thread, an event socket (subscribed to RTNLGRP_LINK
// and, per object mask and family, RTNLGRP_IPV4/IPV6_IFADDR and RTNLGRP_IPV4/IPV6_ROUTE),
// a dump socket, a StateStore(KeyScheme::Linux) and an eventfd that wakes the thread on
// cancel. The thread: dumps links and addresses and delivers them as Initial records (if
// asked), then dumps routes straight into the store, delivering each new one as an Initial
// record while the dump is read (no full snapshot copy next to the store); a dump flagged
// NLM_F_DUMP_INTR is run again (up to 8 times; repeated routes are no-ops, routes it adds
// are Initial, changed ones Parameter). Then exactly one SnapshotComplete, then it
// classifies the events queued since the subscription and all later ones through the store
// (no-ops are dropped). On ENOBUFS (events lost) or a truncated datagram it delivers a Gap
// record, drains, backs off, dumps again (routes straight through the store's reconcile
// steps, then the deletes of routes not listed) and delivers the differences with
// Origin::Inferred.
//
// Silent deletions (ip-sysctl.rst skip_notify_on_dev_down): when a link loses IFF_UP, is
// deleted, or loses its last IPv4 address, the kernel removes IPv4 routes without
// RTM_DELROUTE; so it does when a nexthop object is deleted (RTM_DELNEXTHOP), and, for routes
// using nexthop objects on the link, when the link goes down or loses its carrier
// (nexthop_flush_dev, unannounced). The thread applies the kernel's rules (fib_sync_down_dev)
// to the held IPv4 routes when it reads the message that caused the flush, in stream order,
// so a flush is recorded however soon the link comes back: a route whose next hops are all
// dead (on that link, on a link that is down, or all of them when the link is deleted) goes
// as a Delete record with Origin::Inferred and the time of that message; host-scope routes
// (local addresses) survive a link down; a multipath route with a live hop stays, with its
// dead hop still listed (the kernel shows it `dead linkdown`; the rows do not carry hop
// flags); a nexthop group loses its members on the link (Parameter, inferred). Routes the
// kernel announces itself (the removed address's own routes, IPv6) are left to their
// messages. A confirming route dump follows, filtered by RTA_OIF where possible
// (NETLINK_GET_STRICT_CHK), 20 ms later and, while it lists routes through the link, again
// after 0.2 s and 1 s: held candidates it does not list are deleted (inferred); the last one
// also adds (inferred) what it lists and the store lacks. Corrections are new records: a
// deletion once recorded stays in the history. Carrier loss keeps routes without nexthop
// objects (their hops are only marked linkdown).
//
// Removals within 1 s of (or after) a held row's absolute expiry (RTA_CACHEINFO expires,
// IFA_CACHEINFO valid lifetime) are delivered as ChangeKind::Expired (StateStore). Route
// records pass through an EntityTracker: entity Initial records after the initial rows
// (before SnapshotComplete), Registered / Deregistered around the route records later.
#pragma once

#include "source.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace ncv::platform {

class RtnetlinkSource final : public Source {
public:
    struct Options {
        /// Receive buffer asked for each event socket, bytes (SO_RCVBUFFORCE, falling back
        /// to SO_RCVBUF, which the kernel clamps to net.core.rmem_max and doubles).
        int receiveBufferBytes = 32 * 1024 * 1024;
        /// Pause between an overflow and the resync dump, milliseconds.
        int resyncBackoffMs = 20;
    };

    using Stats = SourceStats;

    RtnetlinkSource();
    explicit RtnetlinkSource(const Options &options);
    /// Cancels every registration (waits for running callbacks, joins reader threads).
    ~RtnetlinkSource() override;

    RtnetlinkSource(const RtnetlinkSource &) = delete;
    RtnetlinkSource &operator=(const RtnetlinkSource &) = delete;

    /// See Source::registerChanges. Opens, configures and subscribes the sockets before it
    /// returns, so every change after it returns is seen. Errors: InvalidParameter
    /// (null handle/callback, empty mask, family not AF_INET/AF_INET6/AF_UNSPEC); Os with
    /// errno and the failing call ("mnl_socket_bind: Permission denied"); NotEnoughMemory.
    Status registerChanges(const RegisterParams &params, Handle *handle) override;
    /// See Source::cancel. InvalidParameter for 0; InvalidHandle for unknown/cancelled.
    Status cancel(Handle handle) override;
    std::string name() const override { return "rtnetlink"; }

    /// Counters of a live registration; false for an unknown handle.
    bool stats(Handle handle, SourceStats *out) const override;

    struct Registration; // private; public so the reader thread code can name it

private:
    struct ThreadCounter; // live reader threads, so the destructor can wait for self-cancelled ones

    Options m_options;
    std::shared_ptr<ThreadCounter> m_threads;
    mutable std::mutex m_mutex;
    std::unordered_map<Handle, std::shared_ptr<Registration>> m_registrations;
    Handle m_nextHandle = 1;
};

} // namespace ncv::platform

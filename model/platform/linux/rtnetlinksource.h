// SPDX-License-Identifier: GPL-2.0-or-later
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
// Silent deletions (ip-sysctl.rst skip_notify_on_dev_down): the IPv4 routes the kernel
// removes without RTM_DELROUTE when a link goes down, is deleted, loses its last IPv4
// address or (for nexthop objects) its carrier, or when a nexthop object is deleted, are
// delivered as records with Origin::Inferred at the time of the message that caused the
// removal, and confirmed by route dumps afterwards (SilentDeletions, silentdeletions.h).
//
// Who asked: records of notifications carry nlmsg_pid (ChangeRecord::portId) and the
// process holding that netlink socket (ChangeRecord::requester, resolved through the socket
// table /proc/net/netlink and /proc/PID/fd, cached per port id and re-checked at most every
// 250 ms); port id 0 is the kernel. Initial rows (a dump) name nobody; inferred records name
// their cause: "kernel (link d1 down)", "resync after gap".
//
// Removals within 1 s of (or after) a held row's absolute expiry (RTA_CACHEINFO expires,
// IFA_CACHEINFO valid lifetime) are delivered as ChangeKind::Expired (StateStore). Route
// records pass through an EntityTracker: entity Initial records after the initial rows
// (before SnapshotComplete), Registered / Deregistered around the route records later.
#pragma once

#include "platform/registrationtable.h"
#include "platform/source.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
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
        /// The network namespace to watch: a file setns(2) accepts (NetNamespaceInfo::path,
        /// /run/netns/NAME, /proc/PID/ns/net). Empty: the caller's. The sockets are made
        /// there (runInNetNamespace) and stay there; joining needs CAP_SYS_ADMIN.
        std::string netnsPath;
        /// Name the process behind each notification's nlmsg_pid (NetlinkOwnerResolver, on
        /// the reader thread as the notification is read: the requester may exit right
        /// after its ACK). Off: records keep the port id and name no process.
        bool resolveRequesters = true;
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
    /// Images of the registration's StateStore (see Source::requestImage), made on its
    /// reader thread between two batches of the live loop (after the initial snapshot and
    /// after any resync in progress), so they sit exactly after the records delivered.
    bool supportsImages() const override { return true; }
    Status requestImage(Handle handle, std::uint64_t token) override;

    /// Counters of a live registration; false for an unknown handle.
    bool stats(Handle handle, SourceStats *out) const override;

    struct Registration; // private; public so the reader thread code can name it

private:
    struct ThreadCounter; // live reader threads, so the destructor can wait for self-cancelled ones

    Options m_options;
    std::shared_ptr<ThreadCounter> m_threads;
    RegistrationTable<Registration> m_registrations;
};

} // namespace ncv::platform

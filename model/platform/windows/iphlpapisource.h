// SPDX-License-Identifier: GPL-2.0-or-later
// IphlpapiSource: the Windows backend, on the IP Helper notification API.
//
// Per registration: NotifyIpInterfaceChange / NotifyUnicastIpAddressChange /
// NotifyRouteChange2 for the requested objects and family FIRST, then a snapshot
// (GetIfTable2 + GetIpInterfaceTable, GetUnicastIpAddressTable, GetIpForwardTable2),
// then the notifications queued meanwhile are replayed as idempotent upserts/deletes.
// The initial addresses are the stable table (NotifyStableUnicastIpAddressTable): none of
// them still in duplicate address detection. When the OS answers ERROR_IO_PENDING, the
// dispatcher waits for its callback (at most initialNotificationTimeout; then
// GetUnicastIpAddressTable's, and the SnapshotComplete note says so) before any initial row,
// and cancels the request with CancelMibChangeNotify2 either way (also on cancel()). Wine 8
// does not export the call: there the addresses are GetUnicastIpAddressTable's.
//
// Threads: the OS callbacks (interfaceCallback, addressCallback, routeCallback) run on
// OS threads; they copy the row, push it under a leaf lock, signal and return. One
// dispatcher thread per registration drains the queue, re-reads rows with
// GetIpForwardEntry2 / GetIpInterfaceEntry (+ GetIfEntry2) / GetUnicastIpAddressEntry,
// classifies them with a StateStore(KeyScheme::Windows) and calls the registration's
// callback in batches through a CallbackGate. Every route record it delivers (initial,
// notification, polling diff, resync) goes through an EntityTracker, which adds the
// entity Initial / Registered / Deregistered records (per MIB_IPFORWARD_ROW2.Protocol,
// ProtocolSpace::MibIpProto) of the routes this registration's filters let through. CancelMibChangeNotify2 is only ever
// called by the thread that registers (on failure) or by the dispatcher thread after its last callback, with no lock
// held.
//
// Neighbors (NeighborsMask): GetIpNetTable2 in the snapshot, then polled every
// neighborPollInterval and diffed (Origin::Inferred): there is no Notify call for the
// neighbor cache, so a neighbor that came and went between two polls is not seen.
//
// Polling: when a Notify call returns ERROR_NOT_SUPPORTED, succeeds without a handle
// (Wine 8's stubs) or its MibInitialNotification never arrives, the registration polls
// the tables every pollInterval and diffs them (Origin::Inferred); name() then says
// "iphlpapi (polling)". Qt-free.
#pragma once

#include "platform/callbackgate.h"
#include "platform/registrationtable.h"
#include "platform/source.h"
#include "platform/windows/iphlpapifunctions.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ncv::platform::win {

/// The object kinds the Windows backend delivers (rules and nexthop objects do not exist there).
constexpr std::uint32_t WindowsObjectsMask = AllObjectsMask | NeighborsMask;

struct IphlpapiRegistration;

class IphlpapiSource final : public Source {
public:
    struct Options {
        IphlpApiFunctions api = IphlpApiFunctions::system();
        /// Polling period when notifications are not available.
        std::chrono::milliseconds pollInterval {1000};
        /// Polling period of the neighbor cache (GetIpNetTable2) when the other objects
        /// come from notifications: Windows has no Notify call for neighbors.
        std::chrono::milliseconds neighborPollInterval {2000};
        /// How long to wait for each Notify call's MibInitialNotification before
        /// deciding notifications never fire and polling instead.
        std::chrono::milliseconds initialNotificationTimeout {5000};
        /// Poll without trying the Notify calls.
        bool forcePolling = false;
    };

    IphlpapiSource();
    explicit IphlpapiSource(Options options);
    ~IphlpapiSource() override;

    /// See Source::registerChanges. Errors: InvalidParameter (family, callback, handle
    /// pointer, empty mask); a Notify or table call's error as statusFromWin32 makes it
    /// (naming the call and the code). ERROR_NOT_SUPPORTED is not an error: it polls.
    Status registerChanges(const RegisterParams &params, Handle *handle) override;
    Status cancel(Handle handle) override;
    /// Images of the registration's StateStore (Source::requestImage), made by the
    /// dispatcher after it delivered the records of what was queued with the request.
    bool supportsImages() const override { return true; }
    Status requestImage(Handle handle, std::uint64_t token) override;
    /// "iphlpapi", or "iphlpapi (polling)" when a live registration (else the last one) polls.
    std::string name() const override;

    /// The OS callbacks, with the exact netioapi signatures. callerContext is the value
    /// the registration passed to the Notify call (osContext()); an unknown or
    /// cancelled context is ignored. row is NULL for MibInitialNotification.
    /// Runs on an OS thread: copies the row, queues it under a leaf lock, signals, returns.
    static VOID WINAPI interfaceCallback(PVOID callerContext, PMIB_IPINTERFACE_ROW row, MIB_NOTIFICATION_TYPE type);
    static VOID WINAPI addressCallback(PVOID callerContext, PMIB_UNICASTIPADDRESS_ROW row, MIB_NOTIFICATION_TYPE type);
    static VOID WINAPI routeCallback(PVOID callerContext, PMIB_IPFORWARD_ROW2 row, MIB_NOTIFICATION_TYPE type);
    /// NotifyStableUnicastIpAddressTable's callback (exact signature): the stable address
    /// table of a pending request, which it copies for the dispatcher and frees (FreeMibTable).
    static VOID WINAPI stableAddressTableCallback(PVOID callerContext, PMIB_UNICASTIPADDRESS_TABLE table);

    /// The CallerContext a live registration gave the Notify calls; nullptr when unknown.
    void *osContext(Handle handle) const;
    /// True when the registration polls (false for an unknown handle).
    bool isPolling(Handle handle) const;
    /// Why it polls ("" when it does not): e.g. "NotifyRouteChange2 returned no handle".
    std::string pollingReason(Handle handle) const;

    /// Process-wide counts of registration contexts created and freed (for tests of
    /// "freed exactly once").
    static long registrationsCreated();
    static long registrationsFreed();

private:
    Options m_options;
    RegistrationTable<IphlpapiRegistration> m_registrations; // its lock is never held during a callback or an OS call
    std::atomic<bool> m_lastPolled {false}; // the last cancelled registration was polling (name() after cancel)
};

} // namespace ncv::platform::win

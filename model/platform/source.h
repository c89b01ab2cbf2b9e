// SPDX-License-Identifier: GPL-2.0-or-later
// The source interface: a Qt-free mirror of the IP Helper notification API
// (NotifyRouteChange2 / NotifyIpInterfaceChange / NotifyUnicastIpAddressChange and
// CancelMibChangeNotify2). Every backend (Linux rtnetlink, Windows iphlpapi, the
// manual test source) implements it.
#pragma once

#include "platform/types.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace ncv::platform {

/// Error classes, as the reference pages return them.
enum class Error : std::uint8_t {
    None = 0,
    InvalidParameter, ///< STATUS_INVALID_PARAMETER: bad family, null callback, null/zero handle, empty object mask
    InvalidHandle, ///< ERROR_INVALID_HANDLE: unknown or already-cancelled handle
    NotEnoughMemory, ///< STATUS_NOT_ENOUGH_MEMORY / ERROR_NOT_ENOUGH_MEMORY
    NotSupported, ///< ERROR_NOT_SUPPORTED, or the OS service is missing
    Os, ///< any other OS error; osCode and message say which
};

/// Result of a call. ok() when error == Error::None.
struct Status {
    Error error = Error::None;
    long osCode = 0; ///< errno on Linux, the returned NETIO_STATUS / Win32 code on Windows
    std::string
        message; ///< one line naming the call and the problem, e.g. "NotifyRouteChange2: ERROR_INVALID_HANDLE (6)"

    bool ok() const { return error == Error::None; }
    static Status success() { return {}; }
    static Status failure(Error e, std::string msg, long code = 0) { return Status {e, code, std::move(msg)}; }
};

/// Opaque registration handle, like the HANDLE NotifyRouteChange2 returns.
/// 0 is never a valid handle.
using Handle = std::uint64_t;

/// Called serially for each registration, on the source's reader thread (never
/// concurrently with itself for the same registration). records is valid only during
/// the call. The callback may call Source::cancel() on its own handle: the cancel is
/// deferred and no further callback of that registration runs.
using ChangeCallback = void (*)(void *callerContext, std::span<const ChangeRecord> records);

class StateImage; // statestore.h

/// Called with the image that Source::requestImage(handle, token) asked for, on the
/// source's reader thread, serially with the registration's ChangeCallback (never
/// concurrently with it): the registration's rows, filtered as its records are, exactly as
/// the records delivered before this call left them (and none delivered after). image is
/// never null; it may be kept, read and released on any thread.
using ImageCallback = void (*)(void *callerContext, std::uint64_t token, std::shared_ptr<const StateImage> image);

/// Parameters of Source::registerChanges, as NotifyRouteChange2 takes them.
struct RegisterParams {
    std::uint32_t objects = AllObjectsMask; ///< ObjectMask bits; 0 is InvalidParameter
    int addressFamily = 0; ///< AF_INET, AF_INET6 or AF_UNSPEC (the OS values); else InvalidParameter
    ChangeCallback callback = nullptr; ///< required
    void *callerContext = nullptr; ///< passed back to callback untouched
    bool initialNotification = true; ///< deliver every current row as ChangeKind::Initial first
    /// Optional: receives the images requestImage() asks for (not a NotifyRouteChange2 idea:
    /// a recording's keyframes, written from the source's own state instead of a copy).
    ImageCallback imageCallback = nullptr;
};

/// Counters of one registration, for the diagnostics view. Fields a backend does not
/// have stay 0. Readable from any thread.
struct SourceStats {
    int requestedReceiveBuffer = 0; ///< bytes asked for (Linux: SO_RCVBUFFORCE / SO_RCVBUF)
    int effectiveReceiveBuffer = 0; ///< bytes the kernel reports (getsockopt SO_RCVBUF; doubled by the kernel)
    bool receiveBufferForced = false; ///< SO_RCVBUFFORCE succeeded (else SO_RCVBUF, clamped to net.core.rmem_max)
    std::uint32_t eventSocketPortId = 0; ///< netlink port id (matches /proc/net/netlink "Pid"); 0 elsewhere
    std::uint64_t messages = 0; ///< OS notifications / netlink messages read
    std::uint64_t records = 0; ///< records delivered (after filtering)
    std::uint64_t batches = 0; ///< callbacks made
    std::uint64_t gaps = 0; ///< overflows seen (ENOBUFS or truncation)
    std::uint64_t resyncs = 0; ///< resync dumps completed
    std::uint64_t dumpRestarts = 0; ///< dumps run again because of NLM_F_DUMP_INTR
    std::uint64_t decodeErrors = 0; ///< malformed messages dropped
    bool polling = false; ///< the source polls the tables (no notifications)
};

/// A source of change records. Thread-safe: register and cancel may be called from any
/// thread, including (cancel) from inside a callback.
class Source {
public:
    virtual ~Source() = default;

    /// Registers for changes. On success *handle is set and the callback starts running
    /// on the reader thread: first (if initialNotification) one Initial record per current
    /// row, then exactly one SnapshotComplete record, then live changes.
    /// Errors: InvalidParameter (family not AF_INET/AF_INET6/AF_UNSPEC, null callback,
    /// null handle pointer, empty mask); NotSupported; NotEnoughMemory; Os (socket/bind failed).
    virtual Status registerChanges(const RegisterParams &params, Handle *handle) = 0;

    /// Cancels a registration (CancelMibChangeNotify2). After it returns, no callback of
    /// that registration runs. Called from inside that registration's callback it returns
    /// at once and the cancel is deferred until the callback returns.
    /// Errors: InvalidParameter for handle 0; InvalidHandle for an unknown or
    /// already-cancelled handle.
    virtual Status cancel(Handle handle) = 0;

    /// True when requestImage() works (the backend keeps a StateStore of the rows).
    virtual bool supportsImages() const { return false; }
    /// Asks for an image of a registration's rows (StateImage) at the next point of its
    /// record stream where every change read so far has been delivered; it arrives through
    /// params.imageCallback with token, on the reader thread, soon (after the batch being
    /// read). Any thread. Requests are answered in order; none is answered after cancel().
    /// Errors: InvalidParameter for handle 0 or a registration without imageCallback;
    /// InvalidHandle for an unknown or cancelled handle; NotSupported (supportsImages() false).
    virtual Status requestImage(Handle handle, std::uint64_t token)
    {
        (void)handle;
        (void)token;
        return Status::failure(Error::NotSupported, "requestImage: not supported by this source");
    }

    /// Short backend name for logs and the UI: "rtnetlink", "iphlpapi", "iphlpapi (polling)", "manual".
    virtual std::string name() const = 0;

    /// Counters of a live registration. Returns false for an unknown handle or a backend
    /// without counters.
    virtual bool stats(Handle handle, SourceStats *out) const
    {
        (void)handle;
        (void)out;
        return false;
    }
};

/// Maps an OS AF_* value to Family. Returns false for anything but AF_INET, AF_INET6, AF_UNSPEC.
bool familyFromAf(int addressFamily, Family *family);
/// The OS AF_* value of a Family.
int afFromFamily(Family family);
/// The OS AF_INET / AF_INET6 / AF_UNSPEC values, so callers need no socket headers.
inline int afInet()
{
    return afFromFamily(Family::IPv4);
}
inline int afInet6()
{
    return afFromFamily(Family::IPv6);
}
inline int afUnspec()
{
    return afFromFamily(Family::Unspec);
}

/// True when a record passes a registration's object mask and family filter.
/// Interfaces (Family::Unspec on Linux) pass every family; markers always pass.
bool matchesFilter(const ChangeRecord &record, std::uint32_t objects, Family family);
/// The same for a row of kind object and family rowFamily (a keyframe's rows).
bool matchesFilter(ObjectKind object, Family rowFamily, std::uint32_t objects, Family family);

/// The source for this OS (rtnetlink on Linux, iphlpapi on Windows), or nullptr when the
/// OS service is missing. Chosen in CMake.
std::unique_ptr<Source> createSystemSource();

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// RtnetlinkSource (see rtnetlinksource.h).
// Registration::run() and everything it calls run on the registration's reader thread;
// registerChanges / cancel / stats run on any caller thread.
#include "platform/linux/rtnetlinksource.h"

#include "platform/callbackgate.h"
#include "platform/entitytracker.h"
#include "platform/linux/decoder.h"
#include "platform/linux/netlinkowner.h"
#include "platform/linux/netnsscan.h"
#include "platform/linux/rtnetlinkclassifier.h"
#include "platform/linux/silentdeletions.h"
#include "platform/recordbatch.h"
#include "platform/requester.h"
#include "platform/statestore.h"

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <iterator>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace ncv::platform {

namespace {

constexpr std::size_t kReceiveBufferSize = 64 * 1024; // > the kernel's 32 KiB dump skb
constexpr std::size_t kMaxBatchRecords = 1024; // records per callback (snapshot / resync)
constexpr int kMaxReadsPerBatch = 64; // recv() calls merged into one event batch
constexpr int kMaxDumpAttempts = 8; // NLM_F_DUMP_INTR retries before accepting
constexpr int kMaxDrainReads = 100000; // datagrams discarded after an overflow
constexpr int kMaxDrainBatches = 16; // readEvents() calls that catch up before a confirming dump
thread_local bool t_onReaderThread = false;

// GNU strerror_r returns a char*, XSI an int; these overloads accept either.
[[maybe_unused]] std::string strerrorResult(const char *result, const char *)
{
    return result;
}
[[maybe_unused]] std::string strerrorResult(int, const char *buf)
{
    return buf;
}

std::string errnoText(int err)
{
    char buf[128] = {};
    return strerrorResult(strerror_r(err, buf, sizeof buf), buf);
}

/// The requester an owner found by NetlinkOwnerResolver is.
Requester requesterOf(const NetlinkOwner &owner, std::uint32_t portId)
{
    Requester r;
    r.portId = portId;
    switch (owner.state) {
    case NetlinkOwner::State::Kernel: r.kind = Requester::Kind::Kernel; return r;
    case NetlinkOwner::State::Found: r.kind = Requester::Kind::Process; break;
    case NetlinkOwner::State::Exited: r.kind = Requester::Kind::Exited; break;
    case NetlinkOwner::State::Unknown:
        // With a PID: the holder was found in /proc/PID/fd but was gone before its name was
        // read. Without: nobody readable holds the socket.
        r.kind = owner.pid != 0 ? Requester::Kind::Exited : Requester::Kind::Port;
        break;
    }
    r.pid = owner.pid;
    r.command = owner.command;
    r.commandLine = owner.commandLine;
    r.cgroup = owner.cgroup;
    return r;
}

Status osError(const char *call, int err)
{
    return Status::failure(Error::Os, std::string(call) + ": " + errnoText(err) + " (" + std::to_string(err) + ")",
                           err);
}

} // namespace

/// Live reader threads of one source, so the destructor can wait for self-cancelled
/// (detached) threads to finish their cleanup.
struct RtnetlinkSource::ThreadCounter {
    std::mutex mutex;
    std::condition_variable zero;
    int count = 0;
};

struct RtnetlinkSource::Registration {
    RegisterParams params;
    Family family = Family::Unspec;
    RtnetlinkSource::Options options;
    mnl_socket *events = nullptr;
    mnl_socket *dumpSocket = nullptr;
    int wakeFd = -1;
    int imageFd = -1; ///< eventfd: requestImage() asked for an image
    std::uint32_t dumpSeq = 0;
    CallbackGate gate;
    std::atomic<bool> stop {false};
    std::thread thread;

    mutable std::mutex statsMutex;
    Stats stats;

    std::mutex imageMutex;
    std::vector<std::uint64_t> imageRequests; ///< tokens asked for, oldest first (imageMutex)

    // Reader-thread state.
    std::vector<char> buffer;
    RecordBatch batch; ///< records waiting for delivery; slots reused (no allocation per record)
    std::vector<ChangeRecord> entityScratch; ///< EntityTracker output, moved into batch
    std::uint64_t pendingMessages = 0;
    /// Events -> records (store, entities, silent deletions), as for a recorded stream. IPv4
    /// routes the kernel removes unannounced are inferred there and confirmed by dumps here.
    RtnetlinkClassifier classifier {batch, silentHooks()};
    StateStore &store = classifier.store();
    netlink::DecodedMessage &decoded = classifier.decoded();
    EntityTracker &entities = classifier.entities();
    SilentDeletions &silent = classifier.silent();
    SilentDeletions::Hooks silentHooks(); ///< records go through push(); dumps through dump()

    bool strictDumps = false; ///< NETLINK_GET_STRICT_CHK set on the dump socket (filtered dumps work)

    /// Who asked: port id -> process, asked at most once per kOwnerRecheckUs per port id
    /// (the resolver re-checks its cached owners no more often), so a burst from one
    /// requester costs a hash lookup per message.
    NetlinkOwnerResolver owners;
    /// A watch of another namespace: its socket table (/proc/thread-self/net/netlink opened in
    /// open(), on the thread that joined it), which the reader thread cannot open from
    /// outside; -1 for the program's own namespace.
    int netlinkTableFd = -1;
    void openOwnerTable();
    struct OwnerMemo {
        std::int64_t untilUs = 0;
        std::uint32_t requester = 0;
    };
    std::unordered_map<std::uint32_t, OwnerMemo> ownerMemo;
    static constexpr std::int64_t kOwnerRecheckUs = 250'000;
    static constexpr std::size_t kOwnerMemoSize = 4096;
    std::uint32_t attribute(std::uint32_t portId, std::int64_t timeUs)
    {
        if (portId == 0)
            return RequesterTable::kernel();
        if (ownerMemo.size() >= kOwnerMemoSize && !ownerMemo.count(portId))
            ownerMemo.clear();
        OwnerMemo &memo = ownerMemo[portId];
        if (memo.requester != 0 && timeUs < memo.untilUs && timeUs >= memo.untilUs - kOwnerRecheckUs)
            return memo.requester;
        // The notification's time on the clock of /proc/PID/stat's start times.
        const auto lag = std::chrono::microseconds(std::max<std::int64_t>(0, nowUs() - timeUs));
        memo.requester = RequesterTable::intern(
            requesterOf(owners.resolve(portId, NetlinkOwnerResolver::bootClockNow() - lag), portId));
        memo.untilUs = timeUs + kOwnerRecheckUs;
        return memo.requester;
    }
    std::uint32_t resyncCause = RequesterTable::cause("resync after gap");

    ~Registration()
    {
        if (events)
            mnl_socket_close(events);
        if (dumpSocket)
            mnl_socket_close(dumpSocket);
        if (wakeFd >= 0)
            ::close(wakeFd);
        if (imageFd >= 0)
            ::close(imageFd);
        if (netlinkTableFd >= 0)
            ::close(netlinkTableFd);
    }

    Status open();
    void run();
    void requestStop()
    {
        stop.store(true, std::memory_order_release);
        wake();
    }

    bool wantsAddresses() const { return params.objects & AddressesMask; }
    bool wantsRoutes() const { return params.objects & RoutesMask; }
    bool wantsNeighbors() const { return params.objects & NeighborsMask; }
    bool wantsRules() const { return params.objects & RulesMask; }
    bool wantsNexthops() const { return params.objects & NexthopsMask; }
    bool wantsNsids() const { return params.objects & NsidsMask; }
    bool wantsV4() const { return family != Family::IPv6; }
    bool wantsV6() const { return family != Family::IPv4; }
    /// IPv4 addresses are held (and their records filtered out when not asked for) whenever
    /// IPv4 routes are wanted: removing the last one flushes routes silently.
    bool tracksV4Addresses() const { return wantsV4() && (wantsAddresses() || wantsRoutes()); }

    void requestImage(std::uint64_t token)
    {
        {
            std::lock_guard lock(imageMutex);
            imageRequests.push_back(token);
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(imageFd, &one, sizeof one);
    }
    /// Answers the image requests made so far (reader thread, between batches).
    void serveImages();

    void wake()
    {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(wakeFd, &one, sizeof one);
    }

    enum class DumpResult { Ok, Cancelled, Failed };
    /// One dump request on the dump socket.
    struct DumpRequest {
        /// RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH, RTM_GETRULE or RTM_GETNEXTHOP
        std::uint16_t type = RTM_GETLINK;
        int af = AF_UNSPEC; ///< address family of an RTM_GETADDR / RTM_GETROUTE / RTM_GETNEIGH / RTM_GETRULE dump
        /// Routes only, and only with strictDumps: the kernel returns only routes with a
        /// next hop on this interface (0: all routes).
        std::uint32_t oif = 0;
        /// Neighbors only: the proxy entries (ndm_flags NTF_PROXY), which the kernel keeps in
        /// a table of their own and dumps only when asked for them alone.
        bool proxy = false;
    };
    /// The one dump loop: sends request, reads the reply to NLMSG_DONE and calls
    /// onMessage(timeUs) for each row of the requested kind, decoded into `decoded`
    /// (timeUs: when its datagram was read). A reply flagged NLM_F_DUMP_INTR is requested
    /// again, up to kMaxDumpAttempts times, onRestart() being called before each attempt
    /// so the caller can drop what an interrupted one gave it; the last is kept. Failed:
    /// error says the call and errno ("RTM_GETROUTE dump: Invalid argument (22)").
    template<class OnMessage, class OnRestart>
    DumpResult dump(const DumpRequest &request, OnMessage &&onMessage, std::string &error, OnRestart &&onRestart);
    template<class OnMessage> DumpResult dump(const DumpRequest &request, OnMessage &&onMessage, std::string &error)
    {
        return dump(request, onMessage, error, [] {});
    }
    /// dump() appending each decoded row (decodedRow, a member of `decoded`) to rows;
    /// rows an interrupted attempt appended are dropped.
    template<class Row>
    DumpResult dumpInto(const DumpRequest &request, std::vector<Row> &rows, const Row &decodedRow, std::string &error)
    {
        const std::size_t mark = rows.size();
        return dump(
            request, [&](std::int64_t) { rows.push_back(decodedRow); }, error, [&] { rows.resize(mark); });
    }
    /// errno of the last dump that failed (dump() returned Failed).
    int dumpErrno = 0;
    /// Links, then IPv4 and IPv6 addresses, then neighbors (normal and proxy entries of both
    /// families), then IPv4 and IPv6 rules, then nexthop objects (members before groups), as
    /// the registration wants them, into snapshot. A kernel without nexthop objects (before
    /// 5.3) refuses their dump with EOPNOTSUPP: it has none, which is not a failure.
    DumpResult dumpLinksAndAddresses(Snapshot &snapshot, std::string &error);
    /// IPv4 and IPv6 routes (as the registration wants them), each passed to onRoute(timeUs)
    /// in `decoded.route`.
    template<class OnRoute> DumpResult dumpRoutes(OnRoute &&onRoute, std::string &error)
    {
        DumpResult r = DumpResult::Ok;
        if (wantsRoutes() && wantsV4())
            r = dump({RTM_GETROUTE, AF_INET}, onRoute, error);
        if (r == DumpResult::Ok && wantsRoutes() && wantsV6())
            r = dump({RTM_GETROUTE, AF_INET6}, onRoute, error);
        return r;
    }
    void initialRoute(const RouteRow &row, std::int64_t timeUs);
    /// The initial dump runs one route behind the decoder: the decoded route's index slot is
    /// prefetched while the previous one is stored. streamed is that previous route.
    void streamRoute(std::int64_t timeUs);
    void flushStreamed();
    void resyncRoute();
    std::int64_t resyncTimeUs = 0;
    RouteRow streamed;
    std::int64_t streamedTimeUs = 0;
    bool hasStreamed = false;
    bool waitReadable(int fd, int timeoutMs); // false when woken for cancel or timed out

    void deliver();
    /// Delivers the batch once it holds kMaxBatchRecords records.
    void deliverIfFull()
    {
        if (batch.size() >= kMaxBatchRecords)
            deliver();
    }
    void push(ChangeRecord &&record) { classifier.push(std::move(record)); }
    void readEvents();
    void resync(int err);
    void marker(ChangeKind kind, std::string note);
};

// ---------------------------------------------------------------------------------------
// Setup (caller thread)

void RtnetlinkSource::Registration::openOwnerTable()
{
    // Runs in the watched namespace (open() of a registration with netnsPath). Port ids are
    // per namespace: this namespace's socket table says which socket has one, and /proc/self
    // would show the program's own (the thread group leader's namespace), thread-self this
    // thread's. The descriptor keeps showing this namespace after the thread ends.
    NetlinkOwnerResolver::Options o;
    netlinkTableFd = ::open("/proc/thread-self/net/netlink", O_RDONLY | O_CLOEXEC);
    if (netlinkTableFd >= 0)
        o.netlinkTableFd = netlinkTableFd;
    else
        o.netlinkTable = "/dev/null"; // no table (no /proc?): never our own namespace's
    struct stat ns { };
    if (::stat("/proc/thread-self/ns/net", &ns) == 0)
        o.netNamespace = ns.st_ino;
    owners = NetlinkOwnerResolver(o);
}

Status RtnetlinkSource::Registration::open()
{
    if (!options.netnsPath.empty() && options.resolveRequesters)
        openOwnerTable();
    wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0)
        return osError("eventfd", errno);
    imageFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (imageFd < 0)
        return osError("eventfd", errno);

    events = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (!events)
        return osError("mnl_socket_open (event socket)", errno);
    const int fd = mnl_socket_get_fd(events);

    // Large receive buffer: SO_RCVBUFFORCE (needs CAP_NET_ADMIN) else SO_RCVBUF (clamped
    // to net.core.rmem_max). NETLINK_NO_ENOBUFS is deliberately never set: losses must show.
    int size = options.receiveBufferBytes;
    stats.requestedReceiveBuffer = size;
    if (size > 0) {
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) == 0) {
            stats.receiveBufferForced = true;
        } else if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0) {
            return osError("setsockopt(SO_RCVBUF)", errno);
        }
    }
    int effective = 0;
    socklen_t len = sizeof effective;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len) != 0)
        return osError("getsockopt(SO_RCVBUF)", errno);
    stats.effectiveReceiveBuffer = effective;

    if (mnl_socket_bind(events, 0, MNL_SOCKET_AUTOPID) < 0)
        return osError("mnl_socket_bind (event socket)", errno);
    stats.eventSocketPortId = mnl_socket_get_portid(events);

    std::vector<unsigned> groups {RTNLGRP_LINK};
    if (wantsNeighbors())
        groups.push_back(RTNLGRP_NEIGH); // both families (and bridge FDB entries, which the decoder skips)
    if (wantsRules() && wantsV4())
        groups.push_back(RTNLGRP_IPV4_RULE);
    if (wantsRules() && wantsV6())
        groups.push_back(RTNLGRP_IPV6_RULE);
    if (tracksV4Addresses())
        groups.push_back(RTNLGRP_IPV4_IFADDR);
    if (wantsAddresses() && wantsV6())
        groups.push_back(RTNLGRP_IPV6_IFADDR);
    if (wantsRoutes() && wantsV4())
        groups.push_back(RTNLGRP_IPV4_ROUTE);
    if (wantsRoutes() && wantsV6())
        groups.push_back(RTNLGRP_IPV6_ROUTE);
    // Nexthop objects: shown when asked for; and deleting one flushes the IPv4 routes using
    // it without RTM_DELROUTE. (Kernels without nexthop objects refuse the group; that is
    // not an error.)
    const bool nexthopGroup = wantsNexthops() || (wantsRoutes() && wantsV4());
    for (unsigned group : groups) {
        if (mnl_socket_setsockopt(events, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
            return osError("setsockopt(NETLINK_ADD_MEMBERSHIP)", errno);
    }
    if (nexthopGroup) {
        unsigned group = RTNLGRP_NEXTHOP;
        mnl_socket_setsockopt(events, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
    }
    // Namespace ids: events only, nothing to dump (the ids already assigned are not shown).
    // Kernels before 4.0 have no such group; not an error either.
    if (wantsNsids()) {
        unsigned group = RTNLGRP_NSID;
        mnl_socket_setsockopt(events, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
    }

    dumpSocket = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!dumpSocket)
        return osError("mnl_socket_open (dump socket)", errno);
    if (mnl_socket_bind(dumpSocket, 0, MNL_SOCKET_AUTOPID) < 0)
        return osError("mnl_socket_bind (dump socket)", errno);
    // Strict checking lets a route dump be filtered by RTA_OIF (Linux >= 4.20); without it
    // the confirming dumps are unfiltered, which is slower but equally correct.
    int one = 1;
    strictDumps = mnl_socket_setsockopt(dumpSocket, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
    silent.configure(wantsRoutes() && wantsV4(), strictDumps);

    buffer.resize(kReceiveBufferSize);
    batch.reserve(kMaxBatchRecords + 16);
    return Status::success();
}

// ---------------------------------------------------------------------------------------
// Reader thread

bool RtnetlinkSource::Registration::waitReadable(int fd, int timeoutMs)
{
    for (;;) {
        if (stop.load(std::memory_order_acquire))
            return false;
        pollfd fds[2] = {{wakeFd, POLLIN, 0}, {fd, POLLIN, 0}};
        const int n = ::poll(fds, fd >= 0 ? 2 : 1, timeoutMs);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (fds[0].revents)
            return false;
        return true;
    }
}

void RtnetlinkSource::Registration::deliver()
{
    if (batch.empty())
        return;
    {
        // Counted first, so a callback (or a test woken by it) sees its own batch counted.
        std::lock_guard lock(statsMutex);
        stats.records += batch.size();
        stats.batches += 1;
    }
    {
        CallbackScope scope(gate);
        if (scope.entered()) {
            params.callback(params.callerContext, batch.records());
        } else {
            stop.store(true, std::memory_order_release);
        }
    }
    batch.clear();
}

void RtnetlinkSource::Registration::serveImages()
{
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(imageFd, &count, sizeof count); // reset the eventfd
    std::vector<std::uint64_t> tokens;
    {
        std::lock_guard lock(imageMutex);
        tokens.swap(imageRequests);
    }
    if (tokens.empty())
        return;
    // Every change read so far goes out first: the image is the state those records built.
    deliver();
    if (!deliverImage(*this, std::make_shared<const StateImage>(store.image(params.objects, family)), tokens))
        stop.store(true, std::memory_order_release);
}

void RtnetlinkSource::Registration::marker(ChangeKind kind, std::string note)
{
    ChangeRecord record;
    record.object = kind == ChangeKind::Gap ? ObjectKind::Gap : ObjectKind::None;
    record.change = kind;
    record.origin = Origin::Observed;
    record.timeUs = nowUs();
    record.note = std::move(note);
    batch.append(std::move(record));
}

template<class OnMessage, class OnRestart>
RtnetlinkSource::Registration::DumpResult RtnetlinkSource::Registration::dump(const DumpRequest &request,
                                                                              OnMessage &&onMessage, std::string &error,
                                                                              OnRestart &&onRestart)
{
    const std::uint16_t type = request.type;
    const char *what = type == RTM_GETLINK ? "RTM_GETLINK dump"
        : type == RTM_GETADDR              ? "RTM_GETADDR dump"
        : type == RTM_GETNEIGH             ? "RTM_GETNEIGH dump"
        : type == RTM_GETRULE              ? "RTM_GETRULE dump"
        : type == RTM_GETNEXTHOP           ? "RTM_GETNEXTHOP dump"
                                           : "RTM_GETROUTE dump";
    const ObjectKind kind = type == RTM_GETLINK ? ObjectKind::Interface
        : type == RTM_GETADDR                   ? ObjectKind::Address
        : type == RTM_GETNEIGH                  ? ObjectKind::Neighbor
        : type == RTM_GETRULE                   ? ObjectKind::Rule
        : type == RTM_GETNEXTHOP                ? ObjectKind::Nexthop
                                                : ObjectKind::Route;
    const unsigned portId = mnl_socket_get_portid(dumpSocket);
    for (int attempt = 0; attempt < kMaxDumpAttempts; ++attempt) {
        // Drop what a previous (interrupted) attempt gave the caller. Routes streamed into
        // the store stay: the repeated dump is upserted over them (a route the interrupted
        // walk missed comes as Initial, one that changed meanwhile as Parameter, repeats
        // are no-ops), and a route removed meanwhile goes with its queued RTM_DELROUTE event.
        onRestart();

        alignas(nlmsghdr) char message[MNL_NLMSG_HDRLEN + 64];
        std::memset(message, 0, sizeof message);
        nlmsghdr *nlh = mnl_nlmsg_put_header(message);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = ++dumpSeq;
        const std::uint32_t seq = nlh->nlmsg_seq;
        if (type == RTM_GETLINK) {
            auto *ifi = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
            ifi->ifi_family = AF_UNSPEC;
            mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        } else if (type == RTM_GETADDR) {
            auto *ifa = static_cast<ifaddrmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
            ifa->ifa_family = static_cast<std::uint8_t>(request.af);
        } else if (type == RTM_GETNEIGH) {
            auto *ndm = static_cast<ndmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
            ndm->ndm_family = static_cast<std::uint8_t>(request.af);
            ndm->ndm_flags = request.proxy ? NTF_PROXY : 0;
        } else if (type == RTM_GETRULE) {
            auto *frh = static_cast<fib_rule_hdr *>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
            frh->family = static_cast<std::uint8_t>(request.af);
        } else if (type == RTM_GETNEXTHOP) {
            auto *nhm = static_cast<nhmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(nhmsg)));
            nhm->nh_family = static_cast<std::uint8_t>(request.af);
        } else {
            auto *rtm = static_cast<rtmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
            rtm->rtm_family = static_cast<std::uint8_t>(request.af);
            if (request.oif != 0 && strictDumps)
                mnl_attr_put_u32(nlh, RTA_OIF, request.oif);
        }
        if (mnl_socket_sendto(dumpSocket, nlh, nlh->nlmsg_len) < 0) {
            dumpErrno = errno;
            error = osError(what, errno).message;
            return DumpResult::Failed;
        }

        bool done = false;
        bool interrupted = false;
        const int fd = mnl_socket_get_fd(dumpSocket);
        while (!done) {
            if (!waitReadable(fd, -1))
                return DumpResult::Cancelled;
            const ssize_t n = mnl_socket_recvfrom(dumpSocket, buffer.data(), buffer.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                dumpErrno = errno;
                error = osError(what, errno).message;
                return DumpResult::Failed;
            }
            std::size_t len = static_cast<std::size_t>(n);
            const auto *msg = reinterpret_cast<const nlmsghdr *>(buffer.data());
            const std::int64_t t = nowUs();
            for (; netlink::messageOk(msg, len); msg = netlink::nextMessage(msg, len)) {
                if (msg->nlmsg_seq != seq || !mnl_nlmsg_portid_ok(msg, portId))
                    continue; // stale reply of an abandoned request
                if (msg->nlmsg_flags & NLM_F_DUMP_INTR)
                    interrupted = true;
                if (msg->nlmsg_type == NLMSG_DONE) {
                    done = true;
                    if (mnl_nlmsg_get_payload_len(msg) >= sizeof(int)) {
                        int code = 0;
                        std::memcpy(&code, mnl_nlmsg_get_payload(msg), sizeof code);
                        if (code < 0) {
                            dumpErrno = -code;
                            error = osError(what, -code).message;
                            return DumpResult::Failed;
                        }
                    }
                    break;
                }
                if (msg->nlmsg_type == NLMSG_ERROR) {
                    int code = -EBADMSG;
                    if (mnl_nlmsg_get_payload_len(msg) >= sizeof(nlmsgerr))
                        std::memcpy(&code, mnl_nlmsg_get_payload(msg), sizeof code);
                    if (code < 0) {
                        dumpErrno = -code;
                        error = osError(what, -code).message;
                        return DumpResult::Failed;
                    }
                    continue;
                }
                if (msg->nlmsg_type < NLMSG_MIN_TYPE)
                    continue;
                if (netlink::decode(msg, t, decoded) != netlink::DecodeStatus::Ok) {
                    // Skip (cloned routes, bridge ports) or malformed: not part of the state.
                    continue;
                }
                if (decoded.object == kind)
                    onMessage(t);
            }
        }
        if (!interrupted)
            return DumpResult::Ok;
        std::lock_guard lock(statsMutex);
        ++stats.dumpRestarts;
    }
    // Still interrupted after several attempts (a very busy system): keep the last
    // result; the events queued meanwhile bring the store up to date.
    return DumpResult::Ok;
}

void RtnetlinkSource::Registration::readEvents()
{
    std::uint64_t decodeErrors = 0;
    for (int i = 0; i < kMaxReadsPerBatch && !stop.load(std::memory_order_acquire); ++i) {
        const ssize_t n = mnl_socket_recvfrom(events, buffer.data(), buffer.size());
        if (n < 0) {
            const int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK)
                break;
            if (err == EINTR)
                continue;
            deliver();
            if (err == ENOBUFS || err == ENOSPC) {
                resync(err);
            } else {
                marker(ChangeKind::Gap, osError("recv (rtnetlink events)", err).message);
                deliver();
                waitReadable(-1, 100);
            }
            return;
        }
        std::size_t len = static_cast<std::size_t>(n);
        const auto *msg = reinterpret_cast<const nlmsghdr *>(buffer.data());
        const std::int64_t t = nowUs();
        for (; netlink::messageOk(msg, len); msg = netlink::nextMessage(msg, len)) {
            ++pendingMessages;
            if (classifier.classify(msg, t) == RtnetlinkClassifier::Outcome::Malformed)
                ++decodeErrors;
        }
    }
    {
        std::lock_guard lock(statsMutex);
        stats.decodeErrors += decodeErrors;
        stats.messages += pendingMessages;
    }
    pendingMessages = 0;
    deliver();
}

void RtnetlinkSource::Registration::resync(int err)
{
    silent.resynced();
    {
        std::lock_guard lock(statsMutex);
        ++stats.gaps;
    }
    marker(ChangeKind::Gap,
           err == ENOBUFS ? "ENOBUFS: rtnetlink receive buffer overflowed, events were lost; resyncing"
                          : "truncated rtnetlink datagram, events were lost; resyncing");
    deliver();
    // Drain what is queued (the dump below covers it), back off briefly, dump again.
    for (int i = 0; i < kMaxDrainReads; ++i) {
        const ssize_t n = mnl_socket_recvfrom(events, buffer.data(), buffer.size());
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
    }
    if (options.resyncBackoffMs > 0)
        waitReadable(-1, options.resyncBackoffMs);
    if (stop.load(std::memory_order_acquire))
        return;
    // Links and addresses are dumped whole and reconciled first; routes go from the dump
    // straight through StateStore::reconcileRoute() (no snapshot of a million routes), then
    // the routes the dump did not list are deleted, then addresses and interfaces.
    Snapshot snapshot;
    std::string error;
    DumpResult r = dumpLinksAndAddresses(snapshot, error);
    if (r == DumpResult::Cancelled)
        return;
    if (r == DumpResult::Failed) {
        marker(ChangeKind::Gap, "resync failed: " + error);
        deliver();
        return;
    }
    {
        std::lock_guard lock(statsMutex);
        ++stats.resyncs; // counted before the differences are seen by the callback
    }
    resyncTimeUs = nowUs();
    // The differences go out in batches as they are found, so memory stays bounded however
    // many objects vanished during the gap.
    const StateStore::RecordSink emit = [this](ChangeRecord &&record) {
        record.requester = resyncCause;
        push(std::move(record));
        deliverIfFull();
    };
    store.beginReconcile(snapshot, resyncTimeUs, Origin::Inferred, emit);
    snapshot = Snapshot {};
    if (r == DumpResult::Ok)
        r = dumpRoutes([this](std::int64_t) { resyncRoute(); }, error);
    if (r != DumpResult::Ok) {
        store.cancelReconcile(); // a partial dump: delete nothing
        if (r == DumpResult::Cancelled)
            return;
        marker(ChangeKind::Gap, "resync failed: " + error);
        deliver();
        return;
    }
    store.endReconcile(resyncTimeUs, Origin::Inferred, emit);
    deliver();
}

RtnetlinkSource::Registration::DumpResult RtnetlinkSource::Registration::dumpLinksAndAddresses(Snapshot &snapshot,
                                                                                               std::string &error)
{
    DumpResult r = dumpInto({RTM_GETLINK, AF_UNSPEC}, snapshot.interfaces, decoded.interface, error);
    if (r == DumpResult::Ok && tracksV4Addresses())
        r = dumpInto({RTM_GETADDR, AF_INET}, snapshot.addresses, decoded.address, error);
    if (r == DumpResult::Ok && wantsAddresses() && wantsV6())
        r = dumpInto({RTM_GETADDR, AF_INET6}, snapshot.addresses, decoded.address, error);
    for (const bool proxy : {false, true}) {
        if (r == DumpResult::Ok && wantsNeighbors() && wantsV4())
            r = dumpInto({RTM_GETNEIGH, AF_INET, 0, proxy}, snapshot.neighbors, decoded.neighbor, error);
        if (r == DumpResult::Ok && wantsNeighbors() && wantsV6())
            r = dumpInto({RTM_GETNEIGH, AF_INET6, 0, proxy}, snapshot.neighbors, decoded.neighbor, error);
    }
    if (r == DumpResult::Ok && wantsRules() && wantsV4())
        r = dumpInto({RTM_GETRULE, AF_INET}, snapshot.rules, decoded.rule, error);
    if (r == DumpResult::Ok && wantsRules() && wantsV6())
        r = dumpInto({RTM_GETRULE, AF_INET6}, snapshot.rules, decoded.rule, error);
    if (r == DumpResult::Ok && wantsNexthops()) {
        // Every family at once: groups are AF_UNSPEC, and ids are one space.
        const std::size_t mark = snapshot.nexthops.size();
        r = dumpInto({RTM_GETNEXTHOP, AF_UNSPEC}, snapshot.nexthops, decoded.nexthop, error);
        if (r == DumpResult::Failed && dumpErrno == EOPNOTSUPP) {
            snapshot.nexthops.resize(mark);
            error.clear();
            r = DumpResult::Ok;
        }
        std::stable_partition(snapshot.nexthops.begin(), snapshot.nexthops.end(),
                              [](const NexthopRow &row) { return !row.isGroup(); });
    }
    return r;
}

void RtnetlinkSource::Registration::resyncRoute()
{
    ChangeRecord record;
    if (store.reconcileRoute(decoded.route, resyncTimeUs, Origin::Inferred, &record)) {
        record.requester = resyncCause;
        push(std::move(record)); // through the filter and the entity tracker
    }
    deliverIfFull();
}

SilentDeletions::Hooks RtnetlinkSource::Registration::silentHooks()
{
    SilentDeletions::Hooks hooks;
    hooks.emit = [this](ChangeRecord &&record) {
        push(std::move(record)); // through the filter and the entity tracker
        deliverIfFull();
    };
    hooks.deliver = [this] { deliver(); };
    hooks.dumpIpv4Routes = [this](std::uint32_t oif, std::string &error) {
        const auto confirm = [this](std::int64_t) { silent.confirmRoute(decoded.route); };
        switch (dump({RTM_GETROUTE, AF_INET, oif}, confirm, error)) {
        case DumpResult::Ok: return SilentDeletions::DumpResult::Ok;
        case DumpResult::Cancelled: return SilentDeletions::DumpResult::Cancelled;
        case DumpResult::Failed: break;
        }
        return SilentDeletions::DumpResult::Failed;
    };
    hooks.failed = [this](const std::string &note) {
        marker(ChangeKind::Gap, note);
        deliver();
    };
    hooks.drainEvents = [this] {
        const int fd = mnl_socket_get_fd(events);
        for (int i = 0; i < kMaxDrainBatches; ++i) {
            pollfd queued {fd, POLLIN, 0};
            if (stop.load(std::memory_order_acquire) || ::poll(&queued, 1, 0) <= 0)
                return true;
            readEvents();
        }
        return false;
    };
    return hooks;
}

void RtnetlinkSource::Registration::initialRoute(const RouteRow &row, std::int64_t timeUs)
{
    ChangeRecord &record = batch.emplace(); // written in place by the store
    if (!store.upsert(row, timeUs, Origin::Observed, &record))
        return; // exact duplicate in the dump, or unchanged in a repeated dump
    if (record.change == ChangeKind::Add) {
        entities.countInitial(row);
        record.change = ChangeKind::Initial; // before is empty, changedFields 0 for an Add
        if (params.initialNotification && matchesFilter(record, params.objects, family))
            batch.commit();
    } else {
        // Parameter: a dump repeated after NLM_F_DUMP_INTR found the route changed since
        // the interrupted one delivered it; delivered as the observed change it is.
        ChangeRecord change = std::move(record);
        if (params.initialNotification) {
            push(std::move(change));
        } else {
            entities.process(std::move(change), entityScratch); // keep the per-origin counts right
            entityScratch.clear();
        }
    }
    deliverIfFull();
}

void RtnetlinkSource::Registration::streamRoute(std::int64_t timeUs)
{
    store.prefetch(decoded.route);
    if (hasStreamed)
        initialRoute(streamed, streamedTimeUs);
    std::swap(streamed, decoded.route); // both keep their next-hop capacity
    streamedTimeUs = timeUs;
    hasStreamed = true;
}

void RtnetlinkSource::Registration::flushStreamed()
{
    if (!hasStreamed)
        return;
    hasStreamed = false;
    initialRoute(streamed, streamedTimeUs);
}

void RtnetlinkSource::Registration::run()
{
    t_onReaderThread = true;
    // 1. Snapshot (the event socket is already subscribed; events queue meanwhile). Links
    // and addresses (few) are dumped whole and then delivered; routes (up to millions) go
    // from each dump datagram straight into the store and out as Initial records.
    Snapshot snapshot;
    std::string error;
    DumpResult r = dumpLinksAndAddresses(snapshot, error);
    if (r == DumpResult::Cancelled)
        return;
    const std::int64_t t = nowUs();
    auto initial = [&](auto &rows) {
        for (auto &row : rows) {
            ChangeRecord &record = batch.emplace();
            if (!store.upsert(row, t, Origin::Observed, &record) || !params.initialNotification)
                continue; // exact duplicate in the dump, or no initial records asked
            record.change = ChangeKind::Initial;
            record.before = std::monostate {};
            record.changedFields = 0;
            if (matchesFilter(record, params.objects, family)) // counted above, not through push()
                batch.commit();
            deliverIfFull();
        }
        rows = {};
    };
    initial(snapshot.interfaces);
    initial(snapshot.addresses);
    initial(snapshot.neighbors);
    initial(snapshot.rules);
    initial(snapshot.nexthops);
    if (r == DumpResult::Ok)
        r = dumpRoutes([this](std::int64_t timeUs) { streamRoute(timeUs); }, error);
    flushStreamed(); // the last streamed route goes into the store however the dump ended
    if (r == DumpResult::Cancelled)
        return;
    if (r == DumpResult::Failed) {
        marker(ChangeKind::Gap, "initial dump failed: " + error);
        deliver();
    }
    if (params.initialNotification && wantsRoutes()) {
        entities.appendInitial(nowUs(), entityScratch);
        for (ChangeRecord &record : entityScratch)
            batch.append(std::move(record));
        entityScratch.clear();
    }
    marker(ChangeKind::SnapshotComplete,
           std::to_string(store.interfaceCount()) + " interfaces, " + std::to_string(store.addressCount())
               + " addresses, " + std::to_string(store.routeCount()) + " routes"
               + (wantsNeighbors() ? ", " + std::to_string(store.neighborCount()) + " neighbors" : std::string())
               + (wantsRules() ? ", " + std::to_string(store.ruleCount()) + " rules" : std::string())
               + (wantsNexthops() ? ", " + std::to_string(store.nexthopCount()) + " nexthops" : std::string()));
    deliver();

    // 2. Live events, starting with those queued during the dump. Images asked for are
    // made between batches, when every change read has been delivered (also during a
    // burst: readEvents() returns after kMaxReadsPerBatch datagrams).
    const int fd = mnl_socket_get_fd(events);
    while (!stop.load(std::memory_order_acquire)) {
        pollfd fds[3] = {{wakeFd, POLLIN, 0}, {fd, POLLIN, 0}, {imageFd, POLLIN, 0}};
        const int n = ::poll(fds, params.imageCallback ? 3 : 2, silent.msUntilNextCheck());
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && fds[0].revents)
            break; // cancel
        if (n > 0 && fds[1].revents)
            readEvents();
        if (silent.hasPendingChecks() && silent.msUntilNextCheck() == 0)
            silent.runDueChecks();
        if (n > 0 && params.imageCallback && fds[2].revents && !stop.load(std::memory_order_acquire))
            serveImages();
    }
}

// ---------------------------------------------------------------------------------------
// RtnetlinkSource

RtnetlinkSource::RtnetlinkSource() : RtnetlinkSource(Options {}) { }

RtnetlinkSource::RtnetlinkSource(const Options &options)
    : m_options(options), m_threads(std::make_shared<ThreadCounter>())
{ }

RtnetlinkSource::~RtnetlinkSource()
{
    for (const auto &reg : m_registrations.takeAll())
        stopRegistration(*reg);
    // Wait for threads that cancelled themselves from a callback and are cleaning up.
    if (!t_onReaderThread) {
        auto counter = m_threads;
        std::unique_lock lock(counter->mutex);
        counter->zero.wait(lock, [&] { return counter->count == 0; });
    }
}

Status RtnetlinkSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "RtnetlinkSource::registerChanges"); !s.ok())
        return s;

    std::shared_ptr<Registration> reg;
    try {
        reg = std::make_shared<Registration>();
    } catch (const std::bad_alloc &) {
        return Status::failure(Error::NotEnoughMemory, "RtnetlinkSource::registerChanges: out of memory");
    }
    reg->params = params;
    reg->family = family;
    reg->classifier.setFilter(params.objects, family);
    reg->classifier.setInferUnannounced("kernel (announced only at its deletion)");
    reg->options = m_options;
    Registration *self = reg.get();
    if (m_options.resolveRequesters)
        reg->classifier.setAttribution(
            [self](std::uint32_t portId, std::int64_t timeUs) { return self->attribute(portId, timeUs); });
    else
        reg->classifier.setAttribution([](std::uint32_t, std::int64_t) { return std::uint32_t(0); });
    if (m_options.netnsPath.empty()) {
        if (Status s = reg->open(); !s.ok())
            return s;
    } else {
        Status opened;
        const std::string error = runInNetNamespace(m_options.netnsPath, [&] { opened = reg->open(); });
        if (!error.empty())
            return Status::failure(Error::Os, "RtnetlinkSource::registerChanges: " + error);
        if (!opened.ok())
            return opened;
    }

    auto counter = m_threads;
    {
        std::lock_guard c(counter->mutex);
        ++counter->count;
    }
    try {
        // *handle is set before the reader thread starts, as the old single-lock code did.
        m_registrations.add(reg, [&reg, &counter, handle](Handle h) {
            *handle = h;
            reg->thread = std::thread([reg, counter]() mutable {
                {
                    auto self = std::move(reg);
                    self->run();
                } // last reference of a self-cancelled registration: sockets close here
                std::lock_guard c(counter->mutex);
                if (--counter->count == 0)
                    counter->zero.notify_all();
            });
        });
    } catch (const std::system_error &e) {
        std::lock_guard c(counter->mutex);
        --counter->count;
        *handle = 0;
        return Status::failure(Error::Os, std::string("std::thread: ") + e.what(), e.code().value());
    }
    return Status::success();
}

Status RtnetlinkSource::cancel(Handle handle)
{
    std::shared_ptr<Registration> reg;
    if (Status s = m_registrations.take(handle, &reg, "RtnetlinkSource::cancel"); !s.ok())
        return s;
    stopRegistration(*reg);
    return Status::success();
}

Status RtnetlinkSource::requestImage(Handle handle, std::uint64_t token)
{
    std::shared_ptr<Registration> reg;
    if (Status s = m_registrations.findForImage(handle, &reg, "RtnetlinkSource::requestImage"); !s.ok())
        return s;
    reg->requestImage(token);
    return Status::success();
}

bool RtnetlinkSource::stats(Handle handle, Stats *out) const
{
    const std::shared_ptr<Registration> reg = m_registrations.find(handle);
    if (!reg)
        return false;
    if (out) {
        std::lock_guard lock(reg->statsMutex);
        *out = reg->stats;
    }
    return true;
}

std::unique_ptr<Source> createSystemSource()
{
    return std::make_unique<RtnetlinkSource>();
}

} // namespace ncv::platform

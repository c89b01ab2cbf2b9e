// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/windows/iphlpapisource.h"

#include "platform/entitytracker.h"
#include "platform/statestore.h"
#include "platform/windows/iphlpapiconvert.h"
#include "platform/windows/iphlpapisnapshot.h"
#include "platform/windows/win32status.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace ncv::platform::win {

namespace {

std::atomic<long> g_created {0};
std::atomic<long> g_freed {0};

constexpr std::uint32_t kStatusNotSupported = 0xC00000BBu;

/// One OS notification, copied out of the OS callback.
struct Pending {
    ObjectKind object = ObjectKind::None;
    MIB_NOTIFICATION_TYPE type = MibParameterNotification;
    std::int64_t timeUs = 0;
    std::variant<std::monostate, MIB_IPINTERFACE_ROW, MIB_UNICASTIPADDRESS_ROW, MIB_IPFORWARD_ROW2> row;
};

/// Slots of IphlpapiRegistration::osHandles. StableSlot: a pending
/// NotifyStableUnicastIpAddressTable request (CancelMibChangeNotify2 cancels it too).
enum Slot { InterfaceSlot = 0, AddressSlot = 1, RouteSlot = 2, StableSlot = 3, SlotCount };

} // namespace

/// State of one registration. Owned by the source's map (until cancel) and by its
/// dispatcher thread (until that thread ends); freed exactly once, when both let go.
struct IphlpapiRegistration {
    IphlpapiRegistration() { ++g_created; }
    ~IphlpapiRegistration() { ++g_freed; }
    IphlpapiRegistration(const IphlpapiRegistration &) = delete;
    IphlpapiRegistration &operator=(const IphlpapiRegistration &) = delete;

    // Set by registerChanges before the dispatcher starts; read-only afterwards.
    Handle handle = 0;
    std::uintptr_t contextId = 0; // the CallerContext given to the Notify calls
    RegisterParams params;
    Family family = Family::Unspec;
    IphlpApiFunctions api;
    std::chrono::milliseconds pollInterval {1000};
    std::chrono::milliseconds neighborPollInterval {2000};
    std::chrono::milliseconds initialTimeout {5000};
    CallbackGate gate;

    // Leaf lock: guards the fields below. Taken by the OS callbacks (inside the context
    // table's lock), by the dispatcher and by cancel(); nothing else is locked inside it.
    std::mutex queueMutex;
    std::condition_variable wake;
    std::vector<Pending> queue;
    bool published = false; // registerChanges has set *handle: callbacks may start
    bool stop = false; // cancelled
    bool lost = false; // an OS callback could not queue a row (out of memory)
    std::vector<std::uint64_t> imageRequests; // requestImage() tokens, oldest first
    std::uint32_t initialSeen = 0; // ObjectMask bits whose MibInitialNotification arrived
    std::string pollingReason;
    // A pending NotifyStableUnicastIpAddressTable request: its callback stores the table's
    // rows here while stableWanted (the dispatcher waits for them before the initial rows).
    bool stableWanted = false;
    bool stableArrived = false;
    std::vector<MIB_UNICASTIPADDRESS_ROW> stableRows;

    // Dispatcher thread only (registerChanges before it starts).
    HANDLE osHandles[SlotCount] = {};
    std::uint32_t notifyMask = 0; // ObjectMask bits with a live OS registration
    StateStore store {StateStore::KeyScheme::Windows};
    /// Routes per origin (MIB_IPFORWARD_ROW2.Protocol, ProtocolSpace::MibIpProto) among the
    /// routes this registration delivers (its family and objects); every route record
    /// delivered goes through it, so entity registered / deregistered records surround them.
    EntityTracker entities;
    SnapshotInfo snapshotInfo;
    std::vector<ChangeRecord> initialRecords;
    /// The address table is the stable one, still to come (ERROR_IO_PENDING): the dispatcher
    /// waits for it (at most initialTimeout) and makes initialRecords then.
    bool stablePending = false;

    std::atomic<bool> polling {false};
    std::thread thread;

    /// Asks the dispatcher to end (cancel); it deregisters from the OS on its way out.
    void requestStop()
    {
        {
            std::lock_guard lock(queueMutex);
            stop = true;
        }
        wake.notify_all();
    }
};

namespace {

// CallerContext -> registration. The OS gets an integer id, never a pointer, so a
// callback that arrives after its registration is gone (or from a Notify stub that gave
// no handle to cancel) finds nothing and is dropped.
struct ContextTable {
    std::mutex mutex; // leaf lock; only a registration's queueMutex is taken inside it
    std::unordered_map<std::uintptr_t, IphlpapiRegistration *> map;
    std::uintptr_t next = 1;
};

ContextTable &contexts()
{
    static ContextTable *table = new ContextTable; // never destroyed: OS threads may outlive main()
    return *table;
}

std::uintptr_t addContext(IphlpapiRegistration *reg)
{
    ContextTable &table = contexts();
    std::lock_guard lock(table.mutex);
    const std::uintptr_t id = table.next++;
    table.map.emplace(id, reg);
    return id;
}

void removeContext(std::uintptr_t id)
{
    ContextTable &table = contexts();
    std::lock_guard lock(table.mutex);
    table.map.erase(id);
}

std::uint32_t maskOf(ObjectKind object)
{
    switch (object) {
    case ObjectKind::Interface: return InterfacesMask;
    case ObjectKind::Address: return AddressesMask;
    case ObjectKind::Route: return RoutesMask;
    case ObjectKind::Neighbor: return NeighborsMask; // polled: no Notify call for the neighbor cache
    case ObjectKind::Rule: return RulesMask; // Windows has no policy rules
    case ObjectKind::Nexthop: return NexthopsMask; // nor nexthop objects
    default: return 0;
    }
}

// Runs on an OS thread (or a test's thread): copy, queue under the leaf lock, signal.
template<typename MibRow>
void enqueue(PVOID callerContext, ObjectKind object, const MibRow *row, MIB_NOTIFICATION_TYPE type) noexcept
{
    ContextTable &table = contexts();
    std::lock_guard tableLock(table.mutex);
    auto it = table.map.find(reinterpret_cast<std::uintptr_t>(callerContext));
    if (it == table.map.end())
        return;
    IphlpapiRegistration *reg = it->second;
    {
        std::lock_guard lock(reg->queueMutex);
        if (type == MibInitialNotification) {
            reg->initialSeen |= maskOf(object);
        } else if (row) {
            try {
                Pending pending;
                pending.object = object;
                pending.type = type;
                pending.timeUs = nowUs();
                pending.row = *row;
                reg->queue.push_back(std::move(pending));
            } catch (...) {
                reg->lost = true; // the dispatcher resynchronizes from the tables
            }
        }
    }
    reg->wake.notify_one();
}

// Re-reads a notification's row (it may be incomplete) with the Get*Entry call, when
// there is one. Returns false when the object is gone again (ERROR_NOT_FOUND /
// ERROR_FILE_NOT_FOUND: its MibDeleteInstance follows); on other errors row stays as handed over.
template<typename MibRow> bool reread(DWORD(WINAPI *get)(MibRow *), MibRow &row)
{
    if (!get)
        return true;
    MibRow fresh = row; // the key fields the call needs are set
    const DWORD rc = get(&fresh);
    if (rc == NO_ERROR)
        row = fresh;
    return rc != ERROR_NOT_FOUND && rc != ERROR_FILE_NOT_FOUND;
}

// Appends a classified record that passes the registration's filter, with the entity
// records it causes (registered before a route add, deregistered after a route delete).
void keep(IphlpapiRegistration &reg, bool classified, ChangeRecord &record, std::vector<ChangeRecord> &out)
{
    if (classified && matchesFilter(record, reg.params.objects, reg.family))
        reg.entities.process(std::move(record), out);
}

// Routes and addresses: a delete removes the held row by its key; an add or parameter
// notification is re-read, converted and classified against the held row.
template<typename MibRow, typename Convert>
void processRow(IphlpapiRegistration &reg, const Pending &pending, DWORD(WINAPI *get)(MibRow *), Convert convert,
                std::vector<ChangeRecord> &out)
{
    MibRow row = std::get<MibRow>(pending.row);
    ChangeRecord record;
    bool classified = false;
    if (pending.type == MibDeleteInstance)
        classified = reg.store.remove(convert(row, pending.timeUs), pending.timeUs, Origin::Observed, &record);
    else if (reread(get, row))
        classified = reg.store.upsert(convert(row, pending.timeUs), pending.timeUs, Origin::Observed, &record);
    keep(reg, classified, record, out);
}

void processInterface(IphlpapiRegistration &reg, const Pending &pending, std::vector<ChangeRecord> &out)
{
    MIB_IPINTERFACE_ROW row = std::get<MIB_IPINTERFACE_ROW>(pending.row);
    const bool unspecFamily = reg.snapshotInfo.interfacesFromIfTableOnly;
    ChangeRecord record;
    if (pending.type == MibDeleteInstance) {
        InterfaceRow key = mergeIpInterface(InterfaceRow {}, row);
        if (unspecFamily)
            key.family = Family::Unspec;
        keep(reg, reg.store.remove(key, pending.timeUs, Origin::Observed, &record), record, out);
        return;
    }
    if (!reread(reg.api.getIpInterfaceEntry, row))
        return;
    // The name, alias, type, oper status and MAC come from the MIB_IF_ROW2.
    InterfaceRow base;
    bool haveBase = false;
    if (reg.api.getIfEntry2) {
        MIB_IF_ROW2 ifRow;
        ZeroMemory(&ifRow, sizeof ifRow);
        ifRow.InterfaceLuid = row.InterfaceLuid;
        ifRow.InterfaceIndex = row.InterfaceIndex;
        if (reg.api.getIfEntry2(&ifRow) == NO_ERROR) {
            base = interfaceFromIfRow(ifRow);
            haveBase = true;
        }
    }
    if (!haveBase) {
        if (const InterfaceRow *held = reg.store.findInterface(row.InterfaceIndex);
            held && held->luid == row.InterfaceLuid.Value) {
            base = *held;
            haveBase = true;
        }
    }
    InterfaceRow merged = (unspecFamily && haveBase) ? base : mergeIpInterface(base, row);
    if (unspecFamily)
        merged.family = Family::Unspec;
    keep(reg, reg.store.upsert(merged, pending.timeUs, Origin::Observed, &record), record, out);
}

void process(IphlpapiRegistration &reg, const Pending &pending, std::vector<ChangeRecord> &out)
{
    switch (pending.object) {
    case ObjectKind::Interface: processInterface(reg, pending, out); break;
    case ObjectKind::Address: processRow(reg, pending, reg.api.getUnicastIpAddressEntry, &addressFromMib, out); break;
    case ObjectKind::Route: processRow(reg, pending, reg.api.getIpForwardEntry2, &routeFromMib, out); break;
    default: break;
    }
}

// Calls the registration's callback with one batch. False when the gate is closed.
bool deliver(IphlpapiRegistration &reg, const std::vector<ChangeRecord> &records)
{
    if (records.empty())
        return !reg.gate.isClosed();
    CallbackScope scope(reg.gate);
    if (!scope.entered())
        return false;
    reg.params.callback(reg.params.callerContext, std::span<const ChangeRecord>(records.data(), records.size()));
    return true;
}

// Never from an OS callback, never with a lock held (the OS waits for running callbacks,
// which take the context table's and the queue's locks).
void cancelOsHandles(IphlpapiRegistration &reg)
{
    for (HANDLE &handle : reg.osHandles) {
        if (handle && reg.api.cancelMibChangeNotify2)
            reg.api.cancelMibChangeNotify2(handle);
        handle = nullptr;
    }
    reg.notifyMask = 0;
}

ChangeRecord marker(ObjectKind object, ChangeKind change, Family family, std::string note)
{
    ChangeRecord record;
    record.object = object;
    record.change = change;
    record.origin = change == ChangeKind::Gap ? Origin::Inferred : Origin::Observed;
    record.family = family;
    record.timeUs = nowUs();
    record.note = std::move(note);
    return record;
}

void pollOnce(IphlpapiRegistration &reg, std::vector<ChangeRecord> &out, bool *failing)
{
    Snapshot snapshot;
    const std::int64_t timeUs = nowUs();
    const Status status
        = readSnapshot(reg.api, reg.params.objects, reg.params.addressFamily, timeUs, &snapshot, &reg.snapshotInfo);
    if (!status.ok()) {
        if (!*failing)
            out.push_back(marker(ObjectKind::Gap, ChangeKind::Gap, reg.family, "polling failed: " + status.message));
        *failing = true;
        return;
    }
    *failing = false;
    std::vector<ChangeRecord> diff; // filtered by object mask and family
    pollingDiff(reg.store, snapshot, timeUs, reg.params.objects, reg.family, diff);
    for (ChangeRecord &record : diff)
        reg.entities.process(std::move(record), out); // the entity records the differences cause
}

// Neighbors of a registration whose other objects come from notifications (there is no
// Notify call for the neighbor cache): GetIpNetTable2 diffed against the held neighbors.
void pollNeighbors(IphlpapiRegistration &reg, std::vector<ChangeRecord> &out, bool *failing)
{
    Snapshot snapshot;
    const std::int64_t timeUs = nowUs();
    const Status status = readSnapshot(reg.api, NeighborsMask, reg.params.addressFamily, timeUs, &snapshot, nullptr);
    if (!status.ok()) {
        if (!*failing)
            out.push_back(
                marker(ObjectKind::Gap, ChangeKind::Gap, reg.family, "neighbor polling failed: " + status.message));
        *failing = true;
        return;
    }
    *failing = false;
    neighborPollingDiff(reg.store, snapshot.neighbors, timeUs, reg.family, out);
}

void switchToPolling(IphlpapiRegistration &reg, std::string reason)
{
    cancelOsHandles(reg);
    {
        std::lock_guard lock(reg.queueMutex);
        reg.pollingReason = std::move(reason);
        reg.queue.clear();
    }
    reg.polling = true;
}

std::string missingInitialNames(std::uint32_t mask)
{
    std::string names;
    auto add = [&](const char *name) {
        if (!names.empty())
            names += ", ";
        names += name;
    };
    if (mask & InterfacesMask)
        add("NotifyIpInterfaceChange");
    if (mask & AddressesMask)
        add("NotifyUnicastIpAddressChange");
    if (mask & RoutesMask)
        add("NotifyRouteChange2");
    return names;
}

// The initial records (when asked for) of everything the store holds, the entity Initial
// records after the routes, and SnapshotComplete with note (plus the neighbor tables that
// were missing).
void buildInitial(IphlpapiRegistration &reg, std::int64_t timeUs, std::string note)
{
    if (!reg.snapshotInfo.neighborsUnavailable.empty())
        note += "; no neighbors from " + reg.snapshotInfo.neighborsUnavailable;
    if (reg.params.initialNotification) {
        std::vector<ChangeRecord> all;
        reg.store.appendInitial(timeUs, all);
        for (ChangeRecord &record : all) {
            if (matchesFilter(record, reg.params.objects, reg.family))
                reg.initialRecords.push_back(std::move(record));
        }
        // One entity Initial record per route origin, after the routes, before SnapshotComplete.
        if (reg.params.objects & RoutesMask)
            reg.entities.appendInitial(timeUs, reg.initialRecords);
    }
    reg.initialRecords.push_back(marker(ObjectKind::None, ChangeKind::SnapshotComplete, reg.family, std::move(note)));
}

// Dispatcher, before the initial records: waits for the stable address table (at most
// initialTimeout), cancels the request (answered or not: that frees it), and puts the
// addresses in the store; on a timeout they come from GetUnicastIpAddressTable, and the
// note says so. False when the registration was cancelled meanwhile.
bool awaitStableAddresses(IphlpapiRegistration &reg)
{
    std::vector<MIB_UNICASTIPADDRESS_ROW> rows;
    bool arrived = false;
    {
        std::unique_lock lock(reg.queueMutex);
        reg.wake.wait_for(lock, reg.initialTimeout, [&] { return reg.stop || reg.stableArrived; });
        if (reg.stop)
            return false;
        arrived = reg.stableArrived;
        rows.swap(reg.stableRows);
        reg.stableWanted = false; // a callback from now on only frees its table
    }
    if (HANDLE &handle = reg.osHandles[StableSlot]) {
        if (reg.api.cancelMibChangeNotify2)
            reg.api.cancelMibChangeNotify2(handle);
        handle = nullptr;
    }
    const std::int64_t timeUs = nowUs();
    std::string note = "iphlpapi";
    Snapshot snapshot;
    if (arrived) {
        for (const MIB_UNICASTIPADDRESS_ROW &row : rows)
            snapshot.addresses.push_back(addressFromMib(row, timeUs));
    } else {
        note = "iphlpapi: NotifyStableUnicastIpAddressTable gave no table within "
            + std::to_string(reg.initialTimeout.count())
            + " ms; the addresses are GetUnicastIpAddressTable's (some may still be in duplicate address detection)";
        if (const Status status
            = readSnapshot(reg.api, AddressesMask, reg.params.addressFamily, timeUs, &snapshot, nullptr);
            !status.ok())
            note += "; " + status.message;
    }
    ChangeRecord ignored;
    for (const AddressRow &row : snapshot.addresses)
        reg.store.upsert(row, timeUs, Origin::Observed, &ignored);
    buildInitial(reg, timeUs, std::move(note));
    return true;
}

// The dispatcher thread of one registration: the only thread that calls its callback.
void runDispatcher(std::shared_ptr<IphlpapiRegistration> reg)
{
    using Clock = std::chrono::steady_clock;
    bool open = true;
    {
        std::unique_lock lock(reg->queueMutex);
        reg->wake.wait(lock, [&] { return reg->published || reg->stop; });
        open = !reg->stop;
    }
    if (open && reg->stablePending)
        open = awaitStableAddresses(*reg);
    if (open) {
        open = deliver(*reg, reg->initialRecords);
        std::vector<ChangeRecord>().swap(reg->initialRecords);
    }

    const auto initialDeadline = Clock::now() + reg->initialTimeout;
    auto nextPoll = Clock::now() + reg->pollInterval;
    bool pollFailing = false;
    const bool pollsNeighbors = (reg->params.objects & NeighborsMask) != 0;
    auto nextNeighborPoll = Clock::now() + reg->neighborPollInterval;
    bool neighborPollFailing = false;
    std::vector<Pending> batch;
    std::vector<ChangeRecord> records;
    std::vector<std::uint64_t> imageTokens;
    while (open) {
        bool lost = false;
        std::uint32_t seen = 0;
        {
            std::unique_lock lock(reg->queueMutex);
            auto until = Clock::now() + std::chrono::hours(1);
            if (reg->polling)
                until = nextPoll;
            else if (reg->notifyMask & ~reg->initialSeen)
                until = initialDeadline;
            if (pollsNeighbors && !reg->polling)
                until = std::min(until, nextNeighborPoll);
            reg->wake.wait_until(lock, until, [&] {
                return reg->stop || reg->lost || !reg->queue.empty() || !reg->imageRequests.empty();
            });
            if (reg->stop)
                break;
            batch.swap(reg->queue);
            imageTokens.swap(reg->imageRequests);
            lost = std::exchange(reg->lost, false);
            seen = reg->initialSeen;
        }

        records.clear();
        if (!reg->polling) {
            for (const Pending &pending : batch)
                process(*reg, pending, records);
        }
        batch.clear();

        const auto now = Clock::now();
        if (!reg->polling && (reg->notifyMask & ~seen) && now >= initialDeadline) {
            switchToPolling(*reg, "no MibInitialNotification from " + missingInitialNames(reg->notifyMask & ~seen));
            pollOnce(*reg, records, &pollFailing);
            nextPoll = now + reg->pollInterval;
        } else if (lost && !reg->polling) {
            records.push_back(
                marker(ObjectKind::Gap, ChangeKind::Gap, reg->family,
                       "notifications lost (out of memory in the OS callback); resynchronized from the tables"));
            pollOnce(*reg, records, &pollFailing);
        }
        if (reg->polling && now >= nextPoll) {
            pollOnce(*reg, records, &pollFailing);
            nextPoll = now + reg->pollInterval;
        }
        if (pollsNeighbors && !reg->polling && now >= nextNeighborPoll) {
            pollNeighbors(*reg, records, &neighborPollFailing);
            nextNeighborPoll = now + reg->neighborPollInterval;
        }
        open = deliver(*reg, records);
        // After the records of what was queued with the request: the state they built.
        if (open && !imageTokens.empty())
            open = deliverImage(*reg,
                                std::make_shared<const StateImage>(reg->store.image(reg->params.objects, reg->family)),
                                imageTokens);
        imageTokens.clear();
    }
    // After the last callback: deregister from the OS (this is not an OS callback and
    // holds no lock), then forget the CallerContext.
    cancelOsHandles(*reg);
    removeContext(reg->contextId);
}

struct NotifyStep {
    std::uint32_t mask;
    Slot slot;
    const char *call;
};

} // namespace

IphlpapiSource::IphlpapiSource() : IphlpapiSource(Options {}) { }

IphlpapiSource::IphlpapiSource(Options options) : m_options(std::move(options)) { }

IphlpapiSource::~IphlpapiSource()
{
    for (const auto &reg : m_registrations.all())
        cancel(reg->handle);
}

VOID WINAPI IphlpapiSource::interfaceCallback(PVOID callerContext, PMIB_IPINTERFACE_ROW row, MIB_NOTIFICATION_TYPE type)
{
    enqueue(callerContext, ObjectKind::Interface, row, type);
}

VOID WINAPI IphlpapiSource::addressCallback(PVOID callerContext, PMIB_UNICASTIPADDRESS_ROW row,
                                            MIB_NOTIFICATION_TYPE type)
{
    enqueue(callerContext, ObjectKind::Address, row, type);
}

VOID WINAPI IphlpapiSource::routeCallback(PVOID callerContext, PMIB_IPFORWARD_ROW2 row, MIB_NOTIFICATION_TYPE type)
{
    enqueue(callerContext, ObjectKind::Route, row, type);
}

VOID WINAPI IphlpapiSource::stableAddressTableCallback(PVOID callerContext, PMIB_UNICASTIPADDRESS_TABLE table)
{
    ContextTable &contexts_ = contexts();
    std::lock_guard tableLock(contexts_.mutex);
    auto it = contexts_.map.find(reinterpret_cast<std::uintptr_t>(callerContext));
    if (it == contexts_.map.end())
        return; // cannot happen while the request is pending: it is cancelled before the context goes
    IphlpapiRegistration *reg = it->second;
    {
        std::lock_guard lock(reg->queueMutex);
        if (reg->stableWanted && !reg->stableArrived) {
            try {
                if (table)
                    reg->stableRows.assign(table->Table, table->Table + table->NumEntries);
            } catch (...) {
                reg->stableRows.clear(); // the dispatcher reads GetUnicastIpAddressTable instead
            }
            reg->stableArrived = table != nullptr && (table->NumEntries == 0 || !reg->stableRows.empty());
        }
    }
    // The table is ours to free (FreeMibTable), whether or not it is still wanted.
    if (table && reg->api.freeMibTable)
        reg->api.freeMibTable(table);
    reg->wake.notify_all();
}

Status IphlpapiSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "registerChanges"); !s.ok())
        return s;

    auto reg = std::make_shared<IphlpapiRegistration>();
    reg->params = params;
    reg->params.objects &= WindowsObjectsMask;
    reg->family = family;
    reg->api = m_options.api;
    reg->pollInterval = m_options.pollInterval;
    reg->neighborPollInterval = m_options.neighborPollInterval;
    reg->initialTimeout = m_options.initialNotificationTimeout;
    reg->contextId = addContext(reg.get());
    void *const osContext = reinterpret_cast<void *>(reg->contextId);
    const auto af = static_cast<ADDRESS_FAMILY>(params.addressFamily);
    const auto fail = [&](Status status) {
        cancelOsHandles(*reg);
        removeContext(reg->contextId);
        return status;
    };

    // 1. Register first, so nothing that changes during the snapshot is missed.
    std::string reason;
    if (m_options.forcePolling) {
        reason = "polling requested";
    } else {
        static constexpr NotifyStep steps[] = {
            {InterfacesMask, InterfaceSlot, "NotifyIpInterfaceChange"},
            {AddressesMask, AddressSlot, "NotifyUnicastIpAddressChange"},
            {RoutesMask, RouteSlot, "NotifyRouteChange2"},
        };
        for (const NotifyStep &step : steps) {
            if (!(reg->params.objects & step.mask))
                continue;
            HANDLE osHandle = nullptr;
            DWORD rc = ERROR_NOT_SUPPORTED;
            bool available = true;
            switch (step.slot) {
            case InterfaceSlot:
                available = reg->api.notifyIpInterfaceChange != nullptr;
                if (available)
                    rc = reg->api.notifyIpInterfaceChange(af, &IphlpapiSource::interfaceCallback, osContext, TRUE,
                                                          &osHandle);
                break;
            case AddressSlot:
                available = reg->api.notifyUnicastIpAddressChange != nullptr;
                if (available)
                    rc = reg->api.notifyUnicastIpAddressChange(af, &IphlpapiSource::addressCallback, osContext, TRUE,
                                                               &osHandle);
                break;
            case RouteSlot:
                available = reg->api.notifyRouteChange2 != nullptr;
                if (available)
                    rc = reg->api.notifyRouteChange2(af, &IphlpapiSource::routeCallback, osContext, TRUE, &osHandle);
                break;
            case StableSlot:
            case SlotCount: break;
            }
            if (!available) {
                reason = std::string(step.call) + " is not available";
                break;
            }
            if (rc == ERROR_NOT_SUPPORTED || rc == kStatusNotSupported) {
                reason = statusFromWin32(step.call, rc).message;
                break;
            }
            if (rc != NO_ERROR)
                return fail(statusFromWin32(step.call, rc));
            if (!osHandle) {
                reason = std::string(step.call) + " succeeded without a handle (a stub: it never notifies)";
                break;
            }
            reg->osHandles[step.slot] = osHandle;
            reg->notifyMask |= step.mask;
        }
    }
    if (!reason.empty()) {
        cancelOsHandles(*reg);
        reg->pollingReason = reason;
        reg->polling = true;
    }

    // 1b. The initial addresses: the stable table (no address still in duplicate address
    // detection), now or (ERROR_IO_PENDING) from the dispatcher once the OS has it; where
    // the call is missing (Wine 8) or fails, GetUnicastIpAddressTable's.
    PMIB_UNICASTIPADDRESS_TABLE stableNow = nullptr;
    if (!reg->polling && (reg->params.objects & AddressesMask) && reg->api.notifyStableUnicastIpAddressTable) {
        {
            std::lock_guard lock(reg->queueMutex);
            reg->stableWanted = true;
        }
        HANDLE stableHandle = nullptr;
        const DWORD rc = reg->api.notifyStableUnicastIpAddressTable(
            af, &stableNow, &IphlpapiSource::stableAddressTableCallback, osContext, &stableHandle);
        if (rc == ERROR_IO_PENDING && stableHandle) {
            reg->osHandles[StableSlot] = stableHandle;
            reg->stablePending = true;
        } else {
            if (rc != NO_ERROR)
                stableNow = nullptr; // not an error: the addresses come from GetUnicastIpAddressTable
            if (stableHandle && reg->api.cancelMibChangeNotify2)
                reg->api.cancelMibChangeNotify2(stableHandle);
            std::lock_guard lock(reg->queueMutex);
            reg->stableWanted = false;
        }
    }

    // 2. Snapshot.
    Snapshot snapshot;
    const std::int64_t timeUs = nowUs();
    const std::uint32_t tableObjects
        = (stableNow || reg->stablePending) ? reg->params.objects & ~AddressesMask : reg->params.objects;
    const Status status
        = readSnapshot(reg->api, tableObjects, params.addressFamily, timeUs, &snapshot, &reg->snapshotInfo);
    if (stableNow) {
        for (ULONG i = 0; i < stableNow->NumEntries; ++i)
            snapshot.addresses.push_back(addressFromMib(stableNow->Table[i], timeUs));
        if (reg->api.freeMibTable)
            reg->api.freeMibTable(stableNow);
    }
    if (!status.ok())
        return fail(status);
    {
        ChangeRecord ignored;
        for (const InterfaceRow &row : snapshot.interfaces)
            reg->store.upsert(row, timeUs, Origin::Observed, &ignored);
        for (const AddressRow &row : snapshot.addresses)
            reg->store.upsert(row, timeUs, Origin::Observed, &ignored);
        for (const NeighborRow &row : snapshot.neighbors)
            reg->store.upsert(row, timeUs, Origin::Observed, &ignored);
        std::vector<ChangeRecord> entityScratch;
        for (const RouteRow &row : snapshot.routes) {
            // Count the routes this registration delivers (as Linux: those that pass its
            // filter). A later row of the table with the same key is a Parameter: it may
            // move the route to another origin.
            if (!reg->store.upsert(row, timeUs, Origin::Observed, &ignored)
                || !matchesFilter(ignored, reg->params.objects, family))
                continue;
            if (ignored.change == ChangeKind::Add) {
                reg->entities.countInitial(row);
            } else {
                reg->entities.process(std::move(ignored), entityScratch);
                entityScratch.clear();
            }
        }
        snapshot = Snapshot {};
    }
    if (!reg->stablePending)
        buildInitial(*reg, timeUs, reg->polling ? "iphlpapi (polling): " + reason : std::string("iphlpapi"));

    // 3. The dispatcher replays what was queued meanwhile, then runs live.
    *handle = m_registrations.add(reg, [&reg](Handle newHandle) {
        reg->handle = newHandle;
        reg->thread = std::thread(runDispatcher, reg);
    });
    {
        std::lock_guard lock(reg->queueMutex);
        reg->published = true;
    }
    reg->wake.notify_all();
    return Status::success();
}

Status IphlpapiSource::requestImage(Handle handle, std::uint64_t token)
{
    std::shared_ptr<IphlpapiRegistration> reg;
    if (Status s = m_registrations.findForImage(handle, &reg, "requestImage"); !s.ok())
        return s;
    {
        std::lock_guard lock(reg->queueMutex);
        reg->imageRequests.push_back(token);
    }
    reg->wake.notify_all();
    return Status::success();
}

Status IphlpapiSource::cancel(Handle handle)
{
    std::shared_ptr<IphlpapiRegistration> reg;
    if (Status s = m_registrations.take(handle, &reg, "CancelMibChangeNotify2"); !s.ok())
        return s;
    m_lastPolled.store(reg->polling, std::memory_order_relaxed);
    // No callback after this (deferred when we are inside this registration's callback:
    // the dispatcher then deregisters from the OS and frees the registration after this
    // callback returns).
    stopRegistration(*reg);
    return Status::success();
}

std::string IphlpapiSource::name() const
{
    const auto regs = m_registrations.all();
    bool polling = m_lastPolled.load(std::memory_order_relaxed);
    if (!regs.empty()) {
        polling = false;
        for (const auto &reg : regs)
            polling = polling || reg->polling;
    }
    return polling ? "iphlpapi (polling)" : "iphlpapi";
}

void *IphlpapiSource::osContext(Handle handle) const
{
    const auto reg = m_registrations.find(handle);
    return reg ? reinterpret_cast<void *>(reg->contextId) : nullptr;
}

bool IphlpapiSource::isPolling(Handle handle) const
{
    const auto reg = m_registrations.find(handle);
    return reg && reg->polling;
}

std::string IphlpapiSource::pollingReason(Handle handle) const
{
    const auto reg = m_registrations.find(handle);
    if (!reg)
        return {};
    std::lock_guard lock(reg->queueMutex);
    return reg->pollingReason;
}

long IphlpapiSource::registrationsCreated()
{
    return g_created.load();
}
long IphlpapiSource::registrationsFreed()
{
    return g_freed.load();
}

} // namespace ncv::platform::win

namespace ncv::platform {

std::unique_ptr<Source> createSystemSource()
{
    return std::make_unique<win::IphlpapiSource>();
}

} // namespace ncv::platform

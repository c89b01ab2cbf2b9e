// SPDX-License-Identifier: GPL-2.0-or-later
// Callbacks here run on the reader threads of the namespaces' sources; removals on threads
// of their own (see the header).
#include "platform/linux/namespacesetsource.h"

#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/statestore.h"

#include <atomic>
#include <chrono>
#include <set>
#include <utility>

namespace ncv::platform {

struct NamespaceSetSource::Registration {
    NamespaceSetSource *owner = nullptr;
    Handle handle = 0;
    RegisterParams params;
    std::mutex callbackMutex; // serializes the caller's callback; guards the fields below
    bool cancelled = false;
    int pendingSnapshots = 0; // namespaces present at registration whose SnapshotComplete has not come
    bool snapshotDelivered = false;
    std::atomic<std::thread::id> callbackThread {}; // the thread inside the caller's callback
    std::map<std::uint32_t, std::shared_ptr<Child>> children; // under owner->m_mutex
};

struct NamespaceSetSource::Child {
    std::shared_ptr<Registration> reg;
    std::uint32_t netns = 0;
    RtnetlinkSource *source = nullptr;
    Handle handle = 0;
    bool late = false; // added after the registration's SnapshotComplete
    // Under reg->callbackMutex:
    bool snapshotSeen = false;
    bool dropped = false; // removed: nothing more of it is delivered
    std::int64_t removedAtUs = 0;
    // The removal's image has been delivered (or will never be).
    std::mutex imageMutex;
    std::condition_variable imageDone;
    bool imageArrived = false;
};

namespace {

std::string namespaceLabel(std::uint32_t netns)
{
    const NetNamespace &ns = NamespaceTable::get(netns);
    return ns.name.empty() ? "net:[" + std::to_string(ns.inode) + "]" : ns.name;
}

/// Delivers records through the registration's callback; callbackMutex is held.
void deliver(NamespaceSetSource::Registration &r, std::span<const ChangeRecord> records)
{
    if (records.empty())
        return;
    r.callbackThread.store(std::this_thread::get_id());
    r.params.callback(r.params.callerContext, records);
    r.callbackThread.store(std::thread::id {});
}

ChangeRecord snapshotComplete()
{
    ChangeRecord done;
    done.object = ObjectKind::None;
    done.change = ChangeKind::SnapshotComplete;
    done.timeUs = nowUs();
    return done;
}

void onRecords(void *context, std::span<const ChangeRecord> records)
{
    auto *c = static_cast<NamespaceSetSource::Child *>(context);
    NamespaceSetSource::Registration &r = *c->reg;
    std::lock_guard lock(r.callbackMutex);
    if (r.cancelled || c->dropped)
        return;
    thread_local std::vector<ChangeRecord> out;
    out.clear();
    out.reserve(records.size());
    std::uint32_t created = 0;
    for (const ChangeRecord &record : records) {
        if (record.change == ChangeKind::SnapshotComplete) {
            if (c->snapshotSeen)
                continue;
            c->snapshotSeen = true;
            if (!c->late && !r.snapshotDelivered && --r.pendingSnapshots == 0) {
                r.snapshotDelivered = true;
                out.push_back(snapshotComplete());
            }
            continue;
        }
        out.push_back(record);
        ChangeRecord &t = out.back();
        t.netns = c->netns;
        if (c->late && !c->snapshotSeen && t.change == ChangeKind::Initial) {
            // Objects that came with a namespace created while watching (see the header).
            if (created == 0)
                created = RequesterTable::cause("namespace " + namespaceLabel(c->netns) + " created");
            t.change = t.object == ObjectKind::Entity ? ChangeKind::Registered : ChangeKind::Add;
            t.origin = Origin::Inferred;
            t.requester = created;
            t.portId = 0;
        }
    }
    deliver(r, out);
    out.clear();
}

void onImage(void *context, std::uint64_t token, std::shared_ptr<const StateImage> image)
{
    (void)token;
    auto *c = static_cast<NamespaceSetSource::Child *>(context);
    NamespaceSetSource::Registration &r = *c->reg;
    {
        std::lock_guard lock(r.callbackMutex);
        if (!r.cancelled && !c->dropped && image) {
            // The kernel frees the namespace's objects without a message: each one the
            // source holds is deleted here, routes first, as the kernel tears them down.
            const std::uint32_t cause = RequesterTable::cause("namespace " + namespaceLabel(c->netns) + " destroyed");
            std::vector<ChangeRecord> interfaces, addresses, routes, entities, neighbors, rules, nexthops;
            std::set<std::uint32_t> protocols;
            const auto make = [&](ObjectKind object, Family family, Row row) {
                ChangeRecord d;
                d.object = object;
                d.change = ChangeKind::Delete;
                d.origin = Origin::Inferred;
                d.family = family;
                d.requester = cause;
                d.netns = c->netns;
                d.timeUs = c->removedAtUs;
                d.before = std::move(row);
                return d;
            };
            image->forEach(
                [&](const InterfaceRow &row) { interfaces.push_back(make(ObjectKind::Interface, row.family, row)); },
                [&](const AddressRow &row) { addresses.push_back(make(ObjectKind::Address, row.address.family, row)); },
                [&](const RouteRow &row) {
                    protocols.insert(row.protocol);
                    routes.push_back(make(ObjectKind::Route, row.family(), row));
                },
                [&](const NeighborRow &row) {
                    neighbors.push_back(make(ObjectKind::Neighbor, row.address.family, row));
                },
                [&](const RuleRow &row) { rules.push_back(make(ObjectKind::Rule, row.family, row)); },
                [&](const NexthopRow &row) { nexthops.push_back(make(ObjectKind::Nexthop, row.family, row)); });
            // Groups before their members.
            std::stable_partition(nexthops.begin(), nexthops.end(),
                                  [](const ChangeRecord &d) { return std::get<NexthopRow>(d.before).isGroup(); });
            for (const std::uint32_t protocol : protocols) {
                EntityRow e;
                e.protocol = protocol;
                ChangeRecord d = make(ObjectKind::Entity, Family::Unspec, e);
                d.change = ChangeKind::Deregistered;
                entities.push_back(std::move(d));
            }
            std::vector<ChangeRecord> all;
            all.reserve(routes.size() + entities.size() + rules.size() + nexthops.size() + neighbors.size()
                        + addresses.size() + interfaces.size());
            for (auto *part : {&routes, &entities, &rules, &nexthops, &neighbors, &addresses, &interfaces})
                all.insert(all.end(), std::make_move_iterator(part->begin()), std::make_move_iterator(part->end()));
            deliver(r, all);
        }
        c->dropped = true;
    }
    {
        std::lock_guard lock(c->imageMutex);
        c->imageArrived = true;
    }
    c->imageDone.notify_all();
}

} // namespace

NamespaceSetSource::NamespaceSetSource(const RtnetlinkSource::Options &childOptions) : m_childOptions(childOptions) { }

NamespaceSetSource::~NamespaceSetSource()
{
    std::vector<Handle> handles;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &[handle, reg] : m_registrations)
            handles.push_back(handle);
    }
    for (const Handle handle : handles)
        cancel(handle);
    std::vector<std::thread> reapers;
    {
        std::lock_guard lock(m_reaperMutex);
        reapers.swap(m_reapers);
    }
    for (std::thread &t : reapers)
        t.join();
    m_retired.clear();
    m_members.clear();
}

void NamespaceSetSource::completeSnapshotLater(const std::shared_ptr<Registration> &reg)
{
    // Called with reg->callbackMutex held, when the last namespace the first snapshot waited
    // for went or failed: the SnapshotComplete comes from a thread of ours, as the caller's
    // callback may wait for the thread calling us.
    if (reg->pendingSnapshots > 0 || reg->snapshotDelivered)
        return;
    reg->snapshotDelivered = true;
    std::lock_guard reapers(m_reaperMutex);
    m_reapers.emplace_back([reg] {
        std::lock_guard cb(reg->callbackMutex);
        if (reg->cancelled)
            return;
        const ChangeRecord done = snapshotComplete();
        deliver(*reg, std::span<const ChangeRecord>(&done, 1));
    });
}

std::string NamespaceSetSource::attach(Registration &reg, Member &member, bool late)
{
    auto child = std::make_shared<Child>();
    child->reg = m_registrations.at(reg.handle);
    child->netns = member.netns;
    child->source = member.source.get();
    child->late = late;
    RegisterParams params = reg.params;
    params.callback = &onRecords;
    params.callerContext = child.get();
    params.imageCallback = &onImage;
    // A namespace that appears later gives its rows as adds, whatever the caller asked.
    params.initialNotification = late || reg.params.initialNotification;
    reg.children[member.netns] = child; // before registering: its callbacks may run at once
    const Status status = member.source->registerChanges(params, &child->handle);
    if (!status.ok()) {
        reg.children.erase(member.netns);
        return "netns " + namespaceLabel(member.netns) + ": " + status.message;
    }
    return {};
}

std::string NamespaceSetSource::addNamespace(std::uint32_t netns, const std::string &path)
{
    std::lock_guard lock(m_mutex);
    if (m_members.count(netns))
        return {};
    RtnetlinkSource::Options options = m_childOptions;
    options.netnsPath = path;
    Member &member = m_members[netns];
    member.netns = netns;
    member.path = path;
    member.source = std::make_unique<RtnetlinkSource>(options);
    std::string errors;
    for (auto &[handle, reg] : m_registrations) {
        bool late = false;
        {
            std::lock_guard cb(reg->callbackMutex);
            late = reg->snapshotDelivered;
            if (!late)
                ++reg->pendingSnapshots;
        }
        std::string error = attach(*reg, member, late);
        if (!error.empty()) {
            if (!late) {
                std::lock_guard cb(reg->callbackMutex);
                --reg->pendingSnapshots;
                completeSnapshotLater(reg);
            }
            m_errors.push_back(error);
            errors += (errors.empty() ? "" : "\n") + error;
        }
    }
    return errors;
}

void NamespaceSetSource::removeNamespace(std::uint32_t netns)
{
    const std::int64_t at = nowUs();
    std::vector<std::shared_ptr<Child>> children;
    std::unique_ptr<RtnetlinkSource> source;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_members.find(netns);
        if (it == m_members.end())
            return;
        source = std::move(it->second.source);
        m_members.erase(it);
        for (auto &[handle, reg] : m_registrations) {
            auto c = reg->children.find(netns);
            if (c == reg->children.end())
                continue;
            {
                std::lock_guard cb(reg->callbackMutex);
                c->second->removedAtUs = at;
                // A namespace gone before its first snapshot no longer holds it back.
                if (!c->second->late && !c->second->snapshotSeen && !reg->snapshotDelivered) {
                    c->second->late = true;
                    --reg->pendingSnapshots;
                    completeSnapshotLater(reg);
                }
            }
            children.push_back(c->second);
            reg->children.erase(c);
        }
    }
    std::lock_guard lock(m_reaperMutex);
    m_reapers.emplace_back([this, children = std::move(children), source = source.release()]() mutable {
        for (const std::shared_ptr<Child> &child : children)
            detach(child);
        std::lock_guard retired(m_reaperMutex);
        m_retired.emplace_back(source);
    });
}

void NamespaceSetSource::detach(std::shared_ptr<Child> child)
{
    // The image sits exactly after the records delivered: the deletions of what it holds
    // leave nothing of the namespace behind.
    if (child->source->requestImage(child->handle, 1).ok()) {
        std::unique_lock lock(child->imageMutex);
        child->imageDone.wait_for(lock, std::chrono::seconds(10), [&] { return child->imageArrived; });
    }
    {
        std::lock_guard cb(child->reg->callbackMutex);
        child->dropped = true;
    }
    child->source->cancel(child->handle);
    child->reg.reset();
}

std::vector<std::uint32_t> NamespaceSetSource::namespaces() const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::uint32_t> out;
    for (const auto &[netns, member] : m_members)
        out.push_back(netns);
    return out;
}

Status NamespaceSetSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family;
    if (!handle || !params.callback || params.objects == 0 || !familyFromAf(params.addressFamily, &family))
        return Status::failure(Error::InvalidParameter, "NamespaceSetSource::registerChanges: invalid parameter");
    std::lock_guard lock(m_mutex);
    auto reg = std::make_shared<Registration>();
    reg->owner = this;
    reg->handle = m_nextHandle++;
    reg->params = params;
    reg->pendingSnapshots = int(m_members.size());
    m_registrations[reg->handle] = reg;
    m_errors.clear();
    int failed = 0;
    Status firstError;
    for (auto &[netns, member] : m_members) {
        std::string error = attach(*reg, member, false);
        if (!error.empty()) {
            ++failed;
            m_errors.push_back(error);
            if (firstError.ok())
                firstError = Status::failure(Error::Os, error);
        }
    }
    if (failed > 0 && failed == int(m_members.size())) {
        m_registrations.erase(reg->handle);
        return firstError;
    }
    {
        // No namespace yet, or none left to wait for: never from inside this call.
        std::lock_guard cb(reg->callbackMutex);
        reg->pendingSnapshots -= failed;
        completeSnapshotLater(reg);
    }
    *handle = reg->handle;
    return Status::success();
}

Status NamespaceSetSource::cancel(Handle handle)
{
    if (handle == 0)
        return Status::failure(Error::InvalidParameter, "NamespaceSetSource::cancel: handle 0");
    std::shared_ptr<Registration> reg;
    std::vector<std::shared_ptr<Child>> children;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_registrations.find(handle);
        if (it == m_registrations.end())
            return Status::failure(Error::InvalidHandle, "NamespaceSetSource::cancel: unknown handle");
        reg = it->second;
        m_registrations.erase(it);
        for (auto &[netns, child] : reg->children)
            children.push_back(child);
        reg->children.clear();
    }
    const auto cancelChildren = [children] {
        for (const std::shared_ptr<Child> &child : children) {
            child->source->cancel(child->handle);
            child->reg.reset();
        }
    };
    if (reg->callbackThread.load() == std::this_thread::get_id()) {
        // From inside the callback (callbackMutex is held by this thread): no further
        // callback runs; the namespaces' registrations are cancelled on another thread, as
        // cancelling them here could wait for a reader thread waiting for this one.
        reg->cancelled = true;
        std::lock_guard reapers(m_reaperMutex);
        m_reapers.emplace_back(cancelChildren);
        return Status::success();
    }
    {
        std::lock_guard cb(reg->callbackMutex);
        reg->cancelled = true;
    }
    cancelChildren();
    return Status::success();
}

bool NamespaceSetSource::stats(Handle handle, SourceStats *out) const
{
    if (!out)
        return false;
    std::lock_guard lock(m_mutex);
    auto it = m_registrations.find(handle);
    if (it == m_registrations.end())
        return false;
    SourceStats sum;
    for (const auto &[netns, child] : it->second->children) {
        SourceStats s;
        if (!child->source->stats(child->handle, &s))
            continue;
        sum.requestedReceiveBuffer = s.requestedReceiveBuffer;
        sum.effectiveReceiveBuffer = s.effectiveReceiveBuffer;
        sum.receiveBufferForced = s.receiveBufferForced;
        sum.messages += s.messages;
        sum.records += s.records;
        sum.batches += s.batches;
        sum.gaps += s.gaps;
        sum.resyncs += s.resyncs;
        sum.dumpRestarts += s.dumpRestarts;
        sum.decodeErrors += s.decodeErrors;
    }
    *out = sum;
    return true;
}

std::vector<std::string> NamespaceSetSource::lastErrors() const
{
    std::lock_guard lock(m_mutex);
    return m_errors;
}

} // namespace ncv::platform

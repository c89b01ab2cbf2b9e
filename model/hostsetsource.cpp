// SPDX-License-Identifier: GPL-2.0-or-later
// Callbacks here run on the hosts' reader threads (see the header).
#include "model/hostsetsource.h"

#include "platform/netnstable.h"
#include "platform/registrationtable.h"

#include <limits>

namespace ncv {

using namespace platform;

namespace {

// The st_dev of a remote host's NamespaceTable entry: no nsfs file has it.
constexpr std::uint64_t kHostDevice = std::numeric_limits<std::uint64_t>::max();

} // namespace

struct HostSetSource::Child {
    Registration *reg = nullptr;
    int index = 0;
    std::uint32_t netns = 0;
    std::unique_ptr<RemoteSource> source;
    Handle handle = 0;
    // Under reg->callbackMutex:
    bool snapshotSeen = false;
    bool ended = false;
};

struct HostSetSource::Registration {
    RegisterParams params;
    HostSetOptions options;
    std::mutex callbackMutex; // serializes the caller's callback; guards the fields below
    std::atomic<bool> cancelled {false};
    int pendingSnapshots = 0; // hosts whose first SnapshotComplete has not come and that have not ended
    bool snapshotDelivered = false;
    std::atomic<std::thread::id> callbackThread {};
    std::vector<std::unique_ptr<Child>> children; // made before any registers; fixed after

    // callbackMutex is held.
    void deliver(std::span<const ChangeRecord> records)
    {
        if (records.empty() || cancelled.load())
            return;
        callbackThread.store(std::this_thread::get_id());
        params.callback(params.callerContext, records);
        callbackThread.store(std::thread::id {});
    }
    // callbackMutex is held: one host's first snapshot is complete, or it ended before it.
    void hostReady(std::vector<ChangeRecord> &out, std::int64_t timeUs)
    {
        if (snapshotDelivered || --pendingSnapshots > 0)
            return;
        snapshotDelivered = true;
        ChangeRecord done;
        done.object = ObjectKind::None;
        done.change = ChangeKind::SnapshotComplete;
        done.timeUs = timeUs;
        out.push_back(done);
    }
};

namespace {

void onRecords(void *context, std::span<const ChangeRecord> records)
{
    auto *c = static_cast<HostSetSource::Child *>(context);
    HostSetSource::Registration &r = *c->reg;
    std::lock_guard lock(r.callbackMutex);
    if (r.cancelled.load())
        return;
    thread_local std::vector<ChangeRecord> out;
    out.clear();
    out.reserve(records.size());
    for (const ChangeRecord &record : records) {
        if (record.change == ChangeKind::SnapshotComplete) {
            if (!std::exchange(c->snapshotSeen, true))
                r.hostReady(out, record.timeUs);
            continue;
        }
        out.push_back(record);
        out.back().netns = c->netns;
    }
    r.deliver(out);
    out.clear();
}

} // namespace

std::uint32_t HostSetSource::netnsOf(const RemoteHost &host)
{
    NetNamespace ns;
    ns.name = host.display().toStdString();
    ns.device = kHostDevice;
    return NamespaceTable::intern(ns);
}

bool HostSetSource::isHostNetns(std::uint32_t netns)
{
    return netns != 0 && NamespaceTable::get(netns).device == kHostDevice;
}

HostSetSource::HostSetSource(QList<RemoteHost> hosts, HostSetOptions options)
    : m_hosts(std::move(hosts)), m_options(std::move(options))
{
    for (const RemoteHost &host : std::as_const(m_hosts))
        m_netns.push_back(netnsOf(host));
}

HostSetSource::~HostSetSource()
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
}

Status HostSetSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "HostSetSource::registerChanges"); !s.ok())
        return s;
    if (m_hosts.isEmpty())
        return Status::failure(Error::InvalidParameter, "HostSetSource::registerChanges: no host");
    auto reg = std::make_shared<Registration>();
    reg->params = params;
    reg->options = m_options;
    reg->pendingSnapshots = int(m_hosts.size());
    Registration *r = reg.get();
    for (int i = 0; i < int(m_hosts.size()); ++i) {
        auto child = std::make_unique<Child>();
        Child *c = child.get();
        c->reg = r;
        c->index = i;
        c->netns = m_netns[std::size_t(i)];
        RemoteOptions options = m_options.remote;
        options.ended = [c](const std::string &message) {
            Registration &reg = *c->reg;
            {
                std::lock_guard lock(reg.callbackMutex);
                if (reg.cancelled.load())
                    return;
                c->ended = true;
                if (!c->snapshotSeen) {
                    // A host that never went live holds nobody's snapshot back.
                    std::vector<ChangeRecord> out;
                    reg.hostReady(out, nowUs());
                    reg.deliver(out);
                }
            }
            if (reg.options.ended && !reg.cancelled.load())
                reg.options.ended(c->index, message);
        };
        options.status = [c](RemoteState state, const std::string &message, int retryInMs) {
            if (c->reg->options.status && !c->reg->cancelled.load())
                c->reg->options.status(c->index, state, message, retryInMs);
        };
        options.clockOffset = [c](std::int64_t offsetUs) {
            if (c->reg->options.clockOffset && !c->reg->cancelled.load())
                c->reg->options.clockOffset(c->index, offsetUs);
        };
        c->source = std::make_unique<RemoteSource>(m_hosts.at(i), std::move(options));
        reg->children.push_back(std::move(child));
    }
    {
        std::lock_guard lock(m_mutex);
        reg->params.callerContext = params.callerContext;
        *handle = m_nextHandle++;
        m_registrations[*handle] = reg;
    }
    for (const std::unique_ptr<Child> &child : reg->children) {
        RegisterParams childParams = params;
        childParams.callback = &onRecords;
        childParams.callerContext = child.get();
        childParams.imageCallback = nullptr;
        // Valid parameters (checked above): RemoteSource fails on nothing else.
        (void)child->source->registerChanges(childParams, &child->handle);
    }
    return Status::success();
}

Status HostSetSource::cancel(Handle handle)
{
    if (handle == 0)
        return Status::failure(Error::InvalidParameter, "HostSetSource::cancel: handle 0");
    std::shared_ptr<Registration> reg;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_registrations.find(handle);
        if (it == m_registrations.end())
            return Status::failure(Error::InvalidHandle, "HostSetSource::cancel: unknown handle");
        reg = it->second;
        m_registrations.erase(it);
    }
    // Cancelling a host's registration waits for its reader thread; the registration (and its
    // children's sources) go after every one of them stopped.
    const auto cancelChildren = [reg] {
        for (const std::unique_ptr<Child> &child : reg->children)
            if (child->handle != 0)
                child->source->cancel(child->handle);
        reg->children.clear();
    };
    if (reg->callbackThread.load() == std::this_thread::get_id()) {
        // From inside the callback (callbackMutex is held by this thread, a host's reader
        // thread, which its own cancel would wait for): no further callback runs, and the
        // hosts' registrations are cancelled on another thread.
        reg->cancelled.store(true);
        std::lock_guard reapers(m_reaperMutex);
        m_reapers.emplace_back(cancelChildren);
        return Status::success();
    }
    {
        std::lock_guard cb(reg->callbackMutex);
        reg->cancelled.store(true);
    }
    cancelChildren();
    return Status::success();
}

std::string HostSetSource::name() const
{
    QStringList names;
    for (const RemoteHost &host : m_hosts)
        names << host.display();
    return "ssh " + names.join(QStringLiteral(", ")).toStdString();
}

bool HostSetSource::stats(Handle handle, SourceStats *out) const
{
    if (!out)
        return false;
    std::shared_ptr<Registration> reg;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_registrations.find(handle);
        if (it == m_registrations.end())
            return false;
        reg = it->second;
    }
    SourceStats sum;
    for (const std::unique_ptr<Child> &child : reg->children) {
        SourceStats s;
        if (!child->source->stats(child->handle, &s))
            continue;
        sum.messages += s.messages;
        sum.records += s.records;
        sum.batches += s.batches;
        sum.gaps += s.gaps;
        sum.resyncs += s.resyncs;
    }
    *out = sum;
    return true;
}

} // namespace ncv

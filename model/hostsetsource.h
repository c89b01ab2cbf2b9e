// SPDX-License-Identifier: GPL-2.0-or-later
// HostSetSource: one Source over several remote hosts, each watched over ssh by a
// RemoteSource of its own (its own ssh process, reader thread, reconnects with back-off,
// resync and one-line failures). Every record is tagged with its host: ChangeRecord::netns
// is the host's id in NamespaceTable (hostNetns()), whose name is the host as
// RemoteHost::display() gives it. So a window or a recording of several hosts is one of
// several "namespaces" (NotificationModel::setSeveralNamespaces): the event log's column and
// the tables' selector name the host, each host's objects are kept apart (ifindex 2 exists
// on every host), and the recording keeps them apart as it does namespaces.
//
// One registration here is one registration of each host's RemoteSource, made at
// registerChanges and removed at cancel. Their callbacks, each on its host's reader thread,
// are serialized by a mutex of the registration, so the caller's callback never runs
// concurrently with itself. The first SnapshotComplete is delivered once, when every host
// has sent its own or ended (a host that cannot be reached does not hold the others back);
// its time is the last host's marker time (that host's clock).
//
// One host ending (authentication, host key, not installed, unreachable at the start) or
// losing its connection touches only its own records: its Gap record carries its netns and
// names it, and the others go on. Times stay each host's own clock; clockOffset tells each
// host's offset against this computer (see RemoteOptions::clockOffset for the bound).
//
// Thread-safe as Source requires.
#pragma once

#include "model/remotesource.h"

#include <QList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ncv {

struct HostSetOptions {
    /// Each host's RemoteSource options: program, remoteCommand, reconnect delays. Its
    /// ended, status and clockOffset are replaced by the per-host ones below.
    RemoteOptions remote;
    /// RemoteOptions::ended of host number host (an index of the hosts given), on its
    /// reader thread.
    std::function<void(int host, const std::string &message)> ended;
    /// RemoteOptions::status of host number host, on its reader thread.
    std::function<void(int host, RemoteState state, const std::string &message, int retryInMs)> status;
    /// RemoteOptions::clockOffset of host number host (microseconds, remote minus local).
    std::function<void(int host, std::int64_t offsetUs)> clockOffset;
};

class HostSetSource final : public platform::Source {
public:
    /// hosts: at least one; two equal display names get one id (give distinct ones).
    explicit HostSetSource(QList<RemoteHost> hosts, HostSetOptions options = {});
    ~HostSetSource() override;

    HostSetSource(const HostSetSource &) = delete;
    HostSetSource &operator=(const HostSetSource &) = delete;

    int hostCount() const { return int(m_hosts.size()); }
    const RemoteHost &host(int index) const { return m_hosts.at(index); }
    /// The NamespaceTable id the records of host number index carry.
    std::uint32_t hostNetns(int index) const { return m_netns.at(std::size_t(index)); }
    /// The NamespaceTable id of a remote host: name = host.display(), no inode, and a device
    /// number no namespace file has (so a local namespace of the same name stays apart).
    static std::uint32_t netnsOf(const RemoteHost &host);
    /// True when netns is a remote host's id (netnsOf), not a local namespace's.
    static bool isHostNetns(std::uint32_t netns);

    /// Registers with every host (starts one ssh each). Errors: invalid parameters only; a
    /// host that cannot be reached ends its own stream (see RemoteSource).
    platform::Status registerChanges(const platform::RegisterParams &params, platform::Handle *handle) override;
    platform::Status cancel(platform::Handle handle) override;
    /// "ssh a, b".
    std::string name() const override;
    /// The counters of the registration summed over its hosts.
    bool stats(platform::Handle handle, platform::SourceStats *out) const override;

    struct Registration; // private; public for the callback trampolines
    struct Child;

private:
    QList<RemoteHost> m_hosts;
    std::vector<std::uint32_t> m_netns;
    HostSetOptions m_options;
    mutable std::mutex m_mutex; // m_registrations, m_nextHandle
    std::map<platform::Handle, std::shared_ptr<Registration>> m_registrations;
    platform::Handle m_nextHandle = 1;
    // Cancels made from inside the callback finish on threads of their own; joined in the
    // destructor.
    std::mutex m_reaperMutex;
    std::vector<std::thread> m_reapers;
};

} // namespace ncv

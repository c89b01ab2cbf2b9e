// SPDX-License-Identifier: GPL-2.0-or-later
// NamespaceSetSource: one Source over several network namespaces. It owns one
// RtnetlinkSource per namespace (Options::netnsPath: the sockets are made in it, each with
// its own reader thread, the same subscribe-then-dump, overflow and silent-deletion rules
// and its own StateStore, so ifindex 2 of one namespace never meets ifindex 2 of another)
// and forwards each registration to every one of them. Every record is tagged with its
// namespace (ChangeRecord::netns, an id of NamespaceTable).
//
// One registration here is one registration in each namespace's source. Their callbacks,
// each on its own reader thread, are serialized by a mutex of the registration, so the
// caller's callback runs as Source promises: never concurrently with itself. The first
// SnapshotComplete is delivered once, when every namespace present at registration has
// sent its own.
//
// Namespaces appear and go while registered (addNamespace, removeNamespace; the
// NetNamespaceWatcher of the model layer decides when):
// - one added after the first SnapshotComplete: its rows, read by its initial dump, are
//   delivered as `add` records (entities as `registered`), origin inferred, requester the
//   cause "namespace NAME created". Not `initial`: an initial row means "there when
//   watching began", and these objects came with the namespace while watching; every
//   object later shown deleted then has its add in the history. Its own SnapshotComplete
//   is not passed on (the caller got one already).
// - one removed: the kernel deletes its objects without a message when the namespace is
//   freed (and does not free it while our sockets hold it), so the objects its source
//   holds are delivered as `delete` records (routes, then addresses, then interfaces; the
//   route origins as `deregistered`), origin inferred, requester the cause
//   "namespace NAME destroyed", at the time of removeNamespace; then its source is
//   cancelled. Nothing of it is delivered after those deletions.
//
// Images (Source::requestImage) are not offered yet: a recording of several namespaces
// keeps its keyframes from its own copy of the state.
//
// Qt-free; Linux only. Thread-safe as Source requires.
#pragma once

#include "platform/linux/rtnetlinksource.h"
#include "platform/source.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ncv::platform {

class NamespaceSetSource final : public Source {
public:
    /// childOptions: the options of each namespace's RtnetlinkSource (netnsPath is set per
    /// namespace).
    explicit NamespaceSetSource(const RtnetlinkSource::Options &childOptions = {});
    ~NamespaceSetSource() override;

    NamespaceSetSource(const NamespaceSetSource &) = delete;
    NamespaceSetSource &operator=(const NamespaceSetSource &) = delete;

    /// Watches the namespace netns (a NamespaceTable id, not 0) too: path is a file setns(2)
    /// accepts (/run/netns/NAME, /proc/PID/ns/net), empty for the program's own namespace.
    /// Every live registration starts watching it at once (its sockets are made before this
    /// returns). Returns "" on success, else one line per registration that could not
    /// ("netns blue: setns(/run/netns/blue): Operation not permitted"); the namespace is kept for
    /// later registrations either way. A netns already present: "" and nothing changes.
    std::string addNamespace(std::uint32_t netns, const std::string &path);
    /// Stops watching netns: its objects' deletions are delivered first (see above), on a
    /// thread of this source; returns at once. Unknown netns: nothing.
    void removeNamespace(std::uint32_t netns);
    /// The namespaces watched now.
    std::vector<std::uint32_t> namespaces() const;

    /// See Source::registerChanges. Succeeds when at least one namespace could be watched
    /// (or none is present yet); the others' errors are kept in lastErrors(). Errors: those
    /// of RtnetlinkSource, from the first namespace, when none could be watched.
    Status registerChanges(const RegisterParams &params, Handle *handle) override;
    /// See Source::cancel.
    Status cancel(Handle handle) override;
    std::string name() const override { return "rtnetlink (namespaces)"; }
    /// The counters of the registration summed over its namespaces.
    bool stats(Handle handle, SourceStats *out) const override;
    /// Problems of the last registerChanges / addNamespace, one line each; empty when none.
    std::vector<std::string> lastErrors() const;

    struct Registration; // private; public for the callback trampolines
    struct Child;

private:
    struct Member {
        std::uint32_t netns = 0;
        std::string path;
        std::unique_ptr<RtnetlinkSource> source;
    };
    std::string attach(Registration &reg, Member &member, bool late);
    void detach(std::shared_ptr<Child> child);
    void completeSnapshotLater(const std::shared_ptr<Registration> &reg);

    RtnetlinkSource::Options m_childOptions;
    mutable std::mutex m_mutex; // m_members, m_registrations, m_errors, m_nextHandle
    std::map<std::uint32_t, Member> m_members;
    std::map<Handle, std::shared_ptr<Registration>> m_registrations;
    std::vector<std::string> m_errors;
    Handle m_nextHandle = 1;

    // Removals: each runs on a thread of its own (the deletions go through the caller's
    // callback, which may wait for the caller's thread); joined in the destructor.
    std::mutex m_reaperMutex;
    std::vector<std::thread> m_reapers;
    std::vector<std::unique_ptr<RtnetlinkSource>> m_retired; // sources of removed namespaces
};

} // namespace ncv::platform

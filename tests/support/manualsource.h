// SPDX-License-Identifier: GPL-2.0-or-later
// ManualSource: a Source fed by code instead of the OS, for UI tests, error injection
// and replay. Rows pushed in are classified by a StateStore exactly like a real
// backend's, and delivered synchronously on the thread that pushes them (that thread
// is the "reader thread" of this source).
#pragma once

#include "platform/callbackgate.h"
#include "platform/entitytracker.h"
#include "platform/registrationtable.h"
#include "platform/source.h"
#include "platform/statestore.h"

#include <map>
#include <memory>
#include <mutex>

namespace ncv::platform {

class ManualSource final : public Source {
public:
    ManualSource();
    ~ManualSource() override;

    /// Registers; delivers the initial rows (if asked) and SnapshotComplete before returning.
    Status registerChanges(const RegisterParams &params, Handle *handle) override;
    Status cancel(Handle handle) override;
    std::string name() const override { return "manual"; }
    /// Images of the store (Source::requestImage), once setImages(true): delivered at once,
    /// on the calling thread, after every record delivered so far. Off by default, since
    /// deliver() hands records past the store (an image would not show them).
    bool supportsImages() const override;
    Status requestImage(Handle handle, std::uint64_t token) override;
    void setImages(bool enabled);

    /// Routing entity records (EntityTracker), as the real backends deliver them: for
    /// registrations made after this call with enabled = true, route changes made through
    /// upsert/remove also give entity registered / deregistered records, and the initial
    /// notification ends with one Initial entity record per route origin. Off by default,
    /// so tests that count records exactly see only what they pushed.
    void setEntityRecords(bool enabled);

    /// The requester (RequesterTable id, requester.h) and port id that the records of the
    /// following upsert() / remove() calls name, as a live source names who asked; 0: nobody.
    void setRequester(std::uint32_t requester, std::uint32_t portId = 0);

    /// Classifies and delivers (no-ops are dropped, like a real backend).
    void upsert(const InterfaceRow &row);
    void upsert(const AddressRow &row);
    /// replace: as NLM_F_REPLACE (ip route replace): a new next hop replaces the held route
    /// with the same (table, prefix, tos, metric) instead of adding a second one.
    void upsert(const RouteRow &row, bool replace = false);
    void upsert(const NeighborRow &row);
    void upsert(const RuleRow &row);
    void upsert(const NexthopRow &row);
    void remove(const InterfaceRow &keyRow);
    void remove(const NexthopRow &keyRow);
    void remove(const NeighborRow &keyRow);
    void remove(const RuleRow &keyRow);
    void remove(const AddressRow &keyRow);
    void remove(const RouteRow &keyRow);
    /// Delivers records as they are (gap markers, inferred events, replay); they do not
    /// pass through the state store nor the entity tracker.
    void deliver(std::vector<ChangeRecord> records);

    /// Number of live registrations.
    std::size_t registrationCount() const;

private:
    struct Registration {
        RegisterParams params;
        Family family = Family::Unspec;
        CallbackGate gate;
        EntityTracker entities; // guarded by m_deliveryMutex
        bool entityRecords = false;
        void requestStop() { } // no reader thread: closing the gate is all
    };
    template<typename R> void upsertRow(const R &row, bool replace = false);
    template<typename R> void removeRow(const R &row);
    /// track: pass route records through the registration's entity tracker.
    void deliverTo(Registration &reg, const std::vector<ChangeRecord> &records, bool track);
    void deliverAll(const std::vector<ChangeRecord> &records, bool track);

    mutable std::mutex m_mutex; // guards m_store and m_entityRecords (not held during callbacks)
    std::recursive_mutex m_deliveryMutex; // serializes deliveries (a callback may push again)
    StateStore m_store;
    RegistrationTable<Registration> m_registrations;
    bool m_entityRecords = false; // guarded by m_mutex
    bool m_images = false; // guarded by m_mutex
    std::uint32_t m_requester = 0, m_portId = 0; // guarded by m_mutex
};

} // namespace ncv::platform

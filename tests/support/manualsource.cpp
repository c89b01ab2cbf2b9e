// SPDX-License-Identifier: GPL-2.0-or-later
#include "support/manualsource.h"

#include <type_traits>

namespace ncv::platform {

ManualSource::ManualSource() = default;

ManualSource::~ManualSource()
{
    for (const auto &reg : m_registrations.takeAll())
        stopRegistration(*reg);
}

Status ManualSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "registerChanges"); !s.ok())
        return s;

    auto reg = std::make_shared<Registration>();
    reg->params = params;
    reg->family = family;
    std::vector<ChangeRecord> rows;
    std::lock_guard delivery(m_deliveryMutex); // no change reaches reg before its snapshot
    {
        std::lock_guard lock(m_mutex);
        reg->entityRecords = m_entityRecords;
        *handle = m_registrations.add(reg);
        m_store.appendInitial(nowUs(), rows);
    }
    const std::int64_t t = nowUs();
    std::vector<ChangeRecord> initial;
    for (ChangeRecord &r : rows) {
        if (!matchesFilter(r, params.objects, family))
            continue;
        if (const auto *route = std::get_if<RouteRow>(&r.after))
            reg->entities.countInitial(*route); // counted even without initial notification
        if (params.initialNotification)
            initial.push_back(std::move(r));
    }
    if (reg->entityRecords && params.initialNotification && (params.objects & RoutesMask))
        reg->entities.appendInitial(t, initial);
    ChangeRecord done;
    done.change = ChangeKind::SnapshotComplete;
    done.timeUs = nowUs();
    initial.push_back(std::move(done));
    deliverTo(*reg, initial, false);
    return Status::success();
}

Status ManualSource::cancel(Handle handle)
{
    std::shared_ptr<Registration> reg;
    if (Status s = m_registrations.take(handle, &reg, "cancel"); !s.ok())
        return s;
    stopRegistration(*reg);
    return Status::success();
}

void ManualSource::setEntityRecords(bool enabled)
{
    std::lock_guard lock(m_mutex);
    m_entityRecords = enabled;
}

bool ManualSource::supportsImages() const
{
    std::lock_guard lock(m_mutex);
    return m_images;
}

void ManualSource::setImages(bool enabled)
{
    std::lock_guard lock(m_mutex);
    m_images = enabled;
}

Status ManualSource::requestImage(Handle handle, std::uint64_t token)
{
    if (!supportsImages())
        return Source::requestImage(handle, token);
    std::shared_ptr<Registration> reg;
    if (Status s = m_registrations.findForImage(handle, &reg, "requestImage"); !s.ok())
        return s;
    std::lock_guard delivery(m_deliveryMutex); // after every delivery so far, before the next
    std::shared_ptr<const StateImage> image;
    {
        std::lock_guard lock(m_mutex);
        image = std::make_shared<const StateImage>(m_store.image(reg->params.objects, reg->family));
    }
    deliverImage(*reg, image, std::span(&token, 1));
    return Status::success();
}

std::size_t ManualSource::registrationCount() const
{
    return m_registrations.size();
}

void ManualSource::deliverTo(Registration &reg, const std::vector<ChangeRecord> &records, bool track)
{
    std::vector<ChangeRecord> filtered;
    filtered.reserve(records.size());
    for (const ChangeRecord &r : records) {
        if (!matchesFilter(r, reg.params.objects, reg.family))
            continue;
        if (track && reg.entityRecords)
            reg.entities.process(ChangeRecord(r), filtered);
        else
            filtered.push_back(r);
    }
    if (filtered.empty())
        return;
    CallbackScope scope(reg.gate);
    if (!scope.entered())
        return;
    reg.params.callback(reg.params.callerContext, std::span<const ChangeRecord>(filtered));
}

void ManualSource::deliver(std::vector<ChangeRecord> records)
{
    deliverAll(records, false);
}

void ManualSource::deliverAll(const std::vector<ChangeRecord> &records, bool track)
{
    std::lock_guard delivery(m_deliveryMutex);
    for (const auto &reg : m_registrations.all())
        deliverTo(*reg, records, track);
}

template<typename R> void ManualSource::upsertRow(const R &row, bool replace)
{
    std::lock_guard delivery(m_deliveryMutex); // classify and deliver as one step (entity counts)
    ChangeRecord record;
    bool changed;
    {
        std::lock_guard lock(m_mutex);
        if constexpr (std::is_same_v<R, RouteRow>)
            changed = m_store.upsert(row, nowUs(), Origin::Observed, &record, replace);
        else
            changed = m_store.upsert(row, nowUs(), Origin::Observed, &record);
        record.requester = m_requester;
        record.portId = m_portId;
    }
    if (changed)
        deliverAll({std::move(record)}, true);
}

template<typename R> void ManualSource::removeRow(const R &row)
{
    std::lock_guard delivery(m_deliveryMutex); // classify and deliver as one step (entity counts)
    ChangeRecord record;
    bool changed;
    {
        std::lock_guard lock(m_mutex);
        changed = m_store.remove(row, nowUs(), Origin::Observed, &record);
        record.requester = m_requester;
        record.portId = m_portId;
    }
    if (changed)
        deliverAll({std::move(record)}, true);
}

void ManualSource::setRequester(std::uint32_t requester, std::uint32_t portId)
{
    std::lock_guard lock(m_mutex);
    m_requester = requester;
    m_portId = portId;
}

void ManualSource::upsert(const InterfaceRow &row)
{
    upsertRow(row);
}
void ManualSource::upsert(const AddressRow &row)
{
    upsertRow(row);
}
void ManualSource::upsert(const NeighborRow &row)
{
    upsertRow(row);
}
void ManualSource::remove(const NeighborRow &keyRow)
{
    removeRow(keyRow);
}
void ManualSource::upsert(const NexthopRow &row)
{
    upsertRow(row);
}
void ManualSource::remove(const NexthopRow &keyRow)
{
    removeRow(keyRow);
}
void ManualSource::upsert(const RuleRow &row)
{
    upsertRow(row);
}
void ManualSource::remove(const RuleRow &keyRow)
{
    removeRow(keyRow);
}
void ManualSource::upsert(const RouteRow &row, bool replace)
{
    upsertRow(row, replace);
}
void ManualSource::remove(const InterfaceRow &keyRow)
{
    removeRow(keyRow);
}
void ManualSource::remove(const AddressRow &keyRow)
{
    removeRow(keyRow);
}
void ManualSource::remove(const RouteRow &keyRow)
{
    removeRow(keyRow);
}

} // namespace ncv::platform

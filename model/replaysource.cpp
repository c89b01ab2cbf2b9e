// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/replaysource.h"

#include "model/recording/recordstate.h"
#include "platform/registrationtable.h"

#include <type_traits>
#include <variant>
#include <vector>

namespace ncv {

using namespace platform;

namespace {

/// The Initial record of a held row; false for rows that are not tables' rows.
bool initialRecord(const Row &row, std::int64_t atUs, ChangeRecord *out)
{
    return std::visit(
        [&](const auto &r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, InterfaceRow>) {
                out->object = ObjectKind::Interface;
                out->family = r.family;
            } else if constexpr (std::is_same_v<R, AddressRow>) {
                out->object = ObjectKind::Address;
                out->family = r.address.family;
            } else if constexpr (std::is_same_v<R, RouteRow>) {
                out->object = ObjectKind::Route;
                out->family = r.family();
            } else {
                return false;
            }
            out->change = ChangeKind::Initial;
            out->origin = Origin::Observed;
            out->timeUs = atUs;
            out->before = std::monostate {};
            out->after = r;
            return true;
        },
        row);
}

} // namespace

void ReplaySource::setState(std::shared_ptr<const recording::RecordState> state, std::int64_t atUs)
{
    std::lock_guard lock(m_mutex);
    m_state = std::move(state);
    m_atUs = atUs;
}

std::int64_t ReplaySource::stateTimeUs() const
{
    std::lock_guard lock(m_mutex);
    return m_atUs;
}

Status ReplaySource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "registerChanges"); !s.ok())
        return s;
    std::shared_ptr<const recording::RecordState> state;
    std::int64_t atUs = 0;
    {
        std::lock_guard lock(m_mutex);
        *handle = m_nextHandle++;
        m_handles.insert(*handle);
        state = m_state;
        atUs = m_atUs;
    }
    // The state is immutable once set, so it is read without the lock; the callback may
    // call cancel() (which takes it).
    // The records are reused from batch to batch: a row copied into a record that held a
    // row of the same kind keeps its capacity (no allocation per row at a million routes).
    std::vector<ChangeRecord> batch(kBatchRows);
    std::size_t used = 0;
    const auto flush = [&] {
        if (used > 0)
            params.callback(params.callerContext, std::span<const ChangeRecord>(batch.data(), used));
        used = 0;
    };
    if (state && params.initialNotification) {
        state->forEach([&](const Row &row) {
            ChangeRecord &record = batch[used];
            if (!initialRecord(row, atUs, &record) || !matchesFilter(record, params.objects, family))
                return;
            if (++used == kBatchRows)
                flush();
        });
    }
    ChangeRecord done;
    done.change = ChangeKind::SnapshotComplete;
    done.timeUs = atUs;
    batch[used++] = std::move(done);
    flush();
    return Status::success();
}

Status ReplaySource::cancel(Handle handle)
{
    if (handle == 0)
        return Status::failure(Error::InvalidParameter, "cancel: handle 0 (STATUS_INVALID_PARAMETER)");
    std::lock_guard lock(m_mutex);
    if (m_handles.erase(handle) == 0)
        return Status::failure(Error::InvalidHandle, "cancel: unknown handle (ERROR_INVALID_HANDLE)");
    return Status::success();
}

} // namespace ncv

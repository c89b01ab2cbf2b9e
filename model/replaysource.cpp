// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/replaysource.h"

#include "platform/registrationtable.h"

namespace ncv {

using namespace platform;

void ReplaySource::setMomentUs(std::int64_t atUs)
{
    std::lock_guard lock(m_mutex);
    m_atUs = atUs;
}

std::int64_t ReplaySource::momentUs() const
{
    std::lock_guard lock(m_mutex);
    return m_atUs;
}

Status ReplaySource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "registerChanges"); !s.ok())
        return s;
    ChangeRecord done;
    done.change = ChangeKind::SnapshotComplete;
    {
        std::lock_guard lock(m_mutex);
        *handle = m_nextHandle++;
        m_handles.insert(*handle);
        done.timeUs = m_atUs;
    }
    // Outside the lock: the callback may call cancel() (which takes it).
    params.callback(params.callerContext, std::span<const ChangeRecord>(&done, 1));
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

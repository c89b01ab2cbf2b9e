// SPDX-License-Identifier: GPL-2.0-or-later
// What every Source backend does alike with its registrations, written once: the checks of
// RegisterParams (the reference pages' STATUS_INVALID_PARAMETER cases), the handle table
// (handles 1, 2, 3...; 0 is never valid), the look-ups that cancel and requestImage make
// (InvalidParameter for 0, InvalidHandle for an unknown or already cancelled handle, as
// CancelMibChangeNotify2), the hand-over of a requested image, and the cancel sequence
// itself (close the callback gate, ask the reader thread to stop, join it, or detach it when
// cancel runs on that very thread). Qt-free; thread-safe (one mutex per table, never held
// during a callback).
#pragma once

#include "platform/callbackgate.h"
#include "platform/source.h"

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ncv::platform {

/// Checks params and handle as NotifyRouteChange2 does. On success sets *family and
/// *handle = 0 and returns success; otherwise InvalidParameter with a message that names
/// `api` and the problem ("...: address family 7 is not AF_INET (2), AF_INET6 (10) or
/// AF_UNSPEC (0) (STATUS_INVALID_PARAMETER)").
Status checkRegisterParams(const RegisterParams &params, Handle *handle, Family *family, std::string_view api);

/// The handle table of one backend. Registration is the backend's own per-registration
/// state, held by shared_ptr (the reader thread may hold it too).
template<typename Registration> class RegistrationTable {
public:
    using Ptr = std::shared_ptr<Registration>;

    /// Inserts reg under a new handle and returns it. beforeInsert(handle) runs under the
    /// table's lock first (e.g. to start the reader thread with the handle known); if it
    /// throws, nothing is inserted and the exception propagates.
    template<typename F> Handle add(Ptr reg, F &&beforeInsert)
    {
        std::lock_guard lock(m_mutex);
        const Handle handle = m_nextHandle;
        beforeInsert(handle);
        ++m_nextHandle;
        m_registrations.emplace(handle, std::move(reg));
        return handle;
    }
    Handle add(Ptr reg)
    {
        return add(std::move(reg), [](Handle) {});
    }

    /// Removes the registration of handle into *out. InvalidParameter for handle 0,
    /// InvalidHandle when no registration has it (never added, or already cancelled).
    Status take(Handle handle, Ptr *out, std::string_view api)
    {
        if (handle == 0)
            return Status::failure(Error::InvalidParameter, std::string(api) + ": handle 0 (STATUS_INVALID_PARAMETER)");
        std::lock_guard lock(m_mutex);
        auto it = m_registrations.find(handle);
        if (it == m_registrations.end())
            return Status::failure(Error::InvalidHandle,
                                   std::string(api) + ": handle " + std::to_string(handle)
                                       + " is unknown or already cancelled (ERROR_INVALID_HANDLE)");
        *out = std::move(it->second);
        m_registrations.erase(it);
        return Status::success();
    }

    /// The registration that Source::requestImage(handle, ...) asks of, into *out, with the
    /// errors that requestImage documents: InvalidParameter for handle 0 or a registration
    /// without params.imageCallback, InvalidHandle for an unknown or cancelled handle.
    Status findForImage(Handle handle, Ptr *out, std::string_view api) const
    {
        if (handle == 0)
            return Status::failure(Error::InvalidParameter, std::string(api) + ": handle 0 (STATUS_INVALID_PARAMETER)");
        Ptr reg = find(handle);
        if (!reg)
            return Status::failure(Error::InvalidHandle,
                                   std::string(api) + ": handle " + std::to_string(handle)
                                       + " is unknown or already cancelled (ERROR_INVALID_HANDLE)");
        if (!reg->params.imageCallback)
            return Status::failure(Error::InvalidParameter,
                                   std::string(api) + ": the registration has no image callback");
        *out = std::move(reg);
        return Status::success();
    }

    /// Removes and returns every registration (a backend's destructor).
    std::vector<Ptr> takeAll()
    {
        std::lock_guard lock(m_mutex);
        std::vector<Ptr> all;
        all.reserve(m_registrations.size());
        for (auto &entry : m_registrations)
            all.push_back(std::move(entry.second));
        m_registrations.clear();
        return all;
    }

    /// The registration of handle, or nullptr.
    Ptr find(Handle handle) const
    {
        std::lock_guard lock(m_mutex);
        auto it = m_registrations.find(handle);
        return it == m_registrations.end() ? nullptr : it->second;
    }

    /// Every live registration, in handle order (a copy: safe to use without the lock).
    std::vector<Ptr> all() const
    {
        std::lock_guard lock(m_mutex);
        std::vector<Ptr> out;
        out.reserve(m_registrations.size());
        for (const auto &entry : m_registrations)
            out.push_back(entry.second);
        return out;
    }

    std::size_t size() const
    {
        std::lock_guard lock(m_mutex);
        return m_registrations.size();
    }

private:
    mutable std::mutex m_mutex;
    std::map<Handle, Ptr> m_registrations;
    Handle m_nextHandle = 1;
};

/// Hands image to reg's params.imageCallback once per token, in order, inside reg's
/// CallbackGate (so serially with its ChangeCallback, and never after cancel). False when
/// the gate is closed (cancelled): then no callback ran.
template<typename Registration>
bool deliverImage(Registration &reg, const std::shared_ptr<const StateImage> &image,
                  std::span<const std::uint64_t> tokens)
{
    CallbackScope scope(reg.gate);
    if (!scope.entered())
        return false;
    for (const std::uint64_t token : tokens)
        reg.params.imageCallback(reg.params.callerContext, token, image);
    return true;
}

/// The cancel sequence (CancelMibChangeNotify2), on a registration already taken out of its
/// table. reg has a CallbackGate `gate` and a requestStop() that wakes its reader thread,
/// and optionally a std::thread `thread`. After this returns no callback of reg runs, except
/// when it is called from inside reg's own callback: then the gate is closed without waiting
/// (the running callback is the last) and the thread is detached, to end and free reg itself.
template<typename Registration> void stopRegistration(Registration &reg)
{
    reg.gate.close(); // waits for a running callback unless called from inside it
    reg.requestStop();
    if constexpr (requires { reg.thread.join(); }) {
        if (reg.thread.get_id() == std::this_thread::get_id())
            reg.thread.detach();
        else if (reg.thread.joinable())
            reg.thread.join();
    }
}

} // namespace ncv::platform

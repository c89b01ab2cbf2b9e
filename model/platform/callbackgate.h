// SPDX-License-Identifier: GPL-2.0-or-later
// CallbackGate: the cancel rule every backend shares. After cancel() returns, no
// callback runs; cancel() from inside a callback (same thread) does not wait for
// itself: it marks the gate closed and returns, and the running callback is the last.
// Thread-safe; used from the delivering thread and from any cancelling thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ncv::platform {

class CallbackGate {
public:
    /// Delivering thread: returns false (and runs nothing) when the gate is closed.
    /// Otherwise marks a callback as running on this thread; pair with leave().
    bool enter()
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return false;
        m_running = true;
        m_runner = std::this_thread::get_id();
        return true;
    }

    void leave()
    {
        {
            std::lock_guard lock(m_mutex);
            m_running = false;
            m_runner = {};
        }
        m_idle.notify_all();
    }

    /// Closes the gate. From the thread inside a callback: returns at once (deferred).
    /// From any other thread: waits until a running callback has returned.
    /// Returns true the first time, false when already closed.
    bool close()
    {
        std::unique_lock lock(m_mutex);
        const bool first = !m_closed;
        m_closed = true;
        if (m_running && m_runner == std::this_thread::get_id())
            return first;
        m_idle.wait(lock, [this] { return !m_running; });
        return first;
    }

    bool isClosed() const
    {
        std::lock_guard lock(m_mutex);
        return m_closed;
    }

    /// True when called from inside a callback on this gate.
    bool inCallbackOnThisThread() const
    {
        std::lock_guard lock(m_mutex);
        return m_running && m_runner == std::this_thread::get_id();
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_idle;
    bool m_closed = false;
    bool m_running = false;
    std::thread::id m_runner;
};

/// RAII for enter()/leave().
class CallbackScope {
public:
    explicit CallbackScope(CallbackGate &gate) : m_gate(gate), m_entered(gate.enter()) { }
    ~CallbackScope()
    {
        if (m_entered)
            m_gate.leave();
    }
    CallbackScope(const CallbackScope &) = delete;
    CallbackScope &operator=(const CallbackScope &) = delete;
    bool entered() const { return m_entered; }

private:
    CallbackGate &m_gate;
    bool m_entered;
};

} // namespace ncv::platform

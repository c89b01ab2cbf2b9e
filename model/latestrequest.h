// SPDX-License-Identifier: GPL-2.0-or-later
// LatestRequest<Result>: runs one kind of request (a state read, a comparison) on a
// worker thread (QThreadPool, QtConcurrent::run) where only the latest request counts.
// start() cancels the running request: its cancel flag is set, its result is dropped, and
// its worker ends on its own (the request is kept, without a connection, until then and
// deleted from the event loop: a state of a million routes is tens of MB). The latest
// request's result is handed to the finished function on the context's thread, once.
// wait() blocks for it instead (tests, benchmarks, synchronous callers).
// The work runs on the worker thread: it must touch only what it captured (by value) and
// the cancel flag it is given, which it should look at between steps.
// GUI thread only (the context's thread); a member of the context object.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ncv {

template<typename Result> class LatestRequest {
public:
    /// Runs on the worker thread; cancelled becomes true when the request is dropped.
    using Work = std::function<Result(const std::atomic<bool> &cancelled)>;
    /// On the context's thread: the latest request's result (never a dropped one).
    using Finished = std::function<void(Result &result)>;

    LatestRequest(QObject *context, Finished finished) : m_context(context), m_finished(std::move(finished)) { }
    LatestRequest(const LatestRequest &) = delete;
    LatestRequest &operator=(const LatestRequest &) = delete;
    /// Cancels every request and waits for their workers (they may read a file the owner
    /// is about to close).
    ~LatestRequest() { stopAll(); }

    /// Starts work on a worker; a running request is cancelled first. Returns true when
    /// one was running (it was replaced).
    bool start(Work work)
    {
        const bool replaced = cancel();
        auto job = std::make_unique<Job>();
        Job *raw = job.get();
        QObject::connect(&job->watcher, &QFutureWatcherBase::finished, m_context, [this, raw] {
            if (raw != m_job.get())
                return;
            const std::shared_ptr<Result> result = retire();
            if (result)
                m_finished(*result);
        });
        const std::shared_ptr<std::atomic<bool>> flag = job->cancelled;
        job->watcher.setFuture(
            QtConcurrent::run([work = std::move(work), flag] { return std::make_shared<Result>(work(*flag)); }));
        m_job = std::move(job);
        return replaced;
    }

    /// Cancels the running request: no finished() for it. Returns true when one was running.
    bool cancel()
    {
        if (!m_job)
            return false;
        m_job->cancelled->store(true);
        retire();
        return true;
    }

    bool isRunning() const { return m_job != nullptr; }

    /// Blocks until the running request ended and returns its result (finished() is not
    /// called for it); nullopt when none runs.
    std::optional<Result> wait()
    {
        if (!m_job)
            return std::nullopt;
        m_job->watcher.waitForFinished();
        const std::shared_ptr<Result> result = retire();
        if (!result)
            return std::nullopt;
        return std::move(*result);
    }

    /// Cancels every request, the dropped ones too, and waits for their workers.
    void stopAll()
    {
        cancel();
        for (const std::unique_ptr<Job> &job : m_dropped) {
            job->watcher.disconnect(m_context);
            job->cancelled->store(true);
        }
        for (const std::unique_ptr<Job> &job : m_dropped)
            job->watcher.waitForFinished();
        m_dropped.clear();
    }

private:
    struct Job {
        std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
        QFutureWatcher<std::shared_ptr<Result>> watcher;
    };

    // Moves the running request to the dropped ones; its result when it has ended.
    std::shared_ptr<Result> retire()
    {
        m_job->watcher.disconnect(m_context);
        std::shared_ptr<Result> result;
        const QFuture<std::shared_ptr<Result>> future = m_job->watcher.future();
        if (future.isFinished() && !m_job->cancelled->load() && future.resultCount() > 0)
            result = future.result();
        m_dropped.push_back(std::move(m_job));
        // From the event loop: a watcher is never deleted inside its own finished() (this
        // may run from there).
        QMetaObject::invokeMethod(
            m_context,
            [this] {
                std::erase_if(m_dropped, [](const std::unique_ptr<Job> &job) { return job->watcher.isFinished(); });
            },
            Qt::QueuedConnection);
        return result;
    }

    QObject *m_context;
    Finished m_finished;
    std::unique_ptr<Job> m_job; // the request whose result counts
    std::vector<std::unique_ptr<Job>> m_dropped; // cancelled or done, their workers maybe still running
};

} // namespace ncv

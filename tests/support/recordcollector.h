// SPDX-License-Identifier: GPL-2.0-or-later
// Test helpers for the platform sources: a one-line text of a record (to compare record
// sequences as readable lists) and a thread-safe collector of delivered records.
#pragma once

#include "platform/format.h"
#include "platform/rowfields.h"
#include "platform/source.h"

#include <QString>
#include <QStringList>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace ncv::test {

using namespace ncv::platform;

/// How long Collector waits by default, milliseconds.
inline constexpr int kCollectorTimeoutMs = 5000;

using namespace Qt::StringLiterals;

/// "interface add ncv0", "interface parameter ncv0 [mtu]", "address add 10.1.0.1/24 dev 5",
/// "route add 10.9.0.0/24 table main metric 100 via 10.1.0.2"
inline QString describe(const ChangeRecord &r, bool withOrigin = false)
{
    const auto q = [](const std::string &s) { return QString::fromStdString(s); };
    QString text = q(std::string(objectName(r.object))) + u' ' + q(std::string(changeName(r.change)));
    const Row &row = r.row();
    if (auto *i = std::get_if<InterfaceRow>(&row)) {
        text += u' ' + q(i->name);
    } else if (std::holds_alternative<AddressRow>(row) || std::holds_alternative<EntityRow>(row)
               || std::holds_alternative<NeighborRow>(row) || std::holds_alternative<RuleRow>(row)
               || std::holds_alternative<NexthopRow>(row)) {
        text += u' ' + q(keyText(row));
    } else if (auto *rt = std::get_if<RouteRow>(&row)) {
        text += u' ' + q(keyText(row)) + u" table "_s + q(tableName(rt->table)) + u" metric "_s
            + QString::number(rt->metric);
        const std::string gw = gatewayList(*rt);
        if (!gw.empty())
            text += u" via "_s + q(gw);
    }
    if (r.change == ChangeKind::Parameter)
        text += u" ["_s + q(fieldList(r.object, r.changedFields, ",")) + u']';
    if (withOrigin && r.origin == Origin::Inferred)
        text += u" (inferred)"_s;
    return text;
}

inline QStringList describeAll(const std::vector<ChangeRecord> &records, bool withOrigin = false)
{
    QStringList out;
    for (const auto &r : records)
        out << describe(r, withOrigin);
    return out;
}

/// Collects delivered records; thread-safe; waits with timeouts.
class Collector {
public:
    static void callback(void *ctx, std::span<const ChangeRecord> records)
    {
        auto *self = static_cast<Collector *>(ctx);
        if (self->m_cancelled.load())
            self->m_callbackAfterCancel.store(true);
        if (self->onBatch)
            self->onBatch(records);
        {
            std::lock_guard lock(self->m_mutex);
            self->m_records.insert(self->m_records.end(), records.begin(), records.end());
            ++self->m_batches;
        }
        self->m_cv.notify_all();
    }

    /// Waits until pred(records) holds; false on timeout.
    bool waitUntil(const std::function<bool(const std::vector<ChangeRecord> &)> &pred,
                   int timeoutMs = kCollectorTimeoutMs)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return pred(m_records); });
    }

    bool waitForCount(std::size_t n, int timeoutMs = kCollectorTimeoutMs)
    {
        return waitUntil([n](const auto &r) { return r.size() >= n; }, timeoutMs);
    }

    bool waitForSnapshot(int timeoutMs = kCollectorTimeoutMs)
    {
        return waitUntil(
            [](const auto &records) {
                for (const auto &r : records)
                    if (r.change == ChangeKind::SnapshotComplete)
                        return true;
                return false;
            },
            timeoutMs);
    }

    std::vector<ChangeRecord> records() const
    {
        std::lock_guard lock(m_mutex);
        return m_records;
    }

    /// Removes and returns the records up to and including the first one matching pred.
    std::vector<ChangeRecord> takeThrough(const std::function<bool(const ChangeRecord &)> &pred)
    {
        std::lock_guard lock(m_mutex);
        std::vector<ChangeRecord> out;
        for (std::size_t i = 0; i < m_records.size(); ++i) {
            if (pred(m_records[i])) {
                out.assign(m_records.begin(), m_records.begin() + std::ptrdiff_t(i) + 1);
                m_records.erase(m_records.begin(), m_records.begin() + std::ptrdiff_t(i) + 1);
                return out;
            }
        }
        return out;
    }

    int batches() const
    {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }

    void markCancelled() { m_cancelled.store(true); }
    bool callbackAfterCancel() const { return m_callbackAfterCancel.load(); }

    std::function<void(std::span<const ChangeRecord>)> onBatch; // runs on the reader thread

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<ChangeRecord> m_records;
    int m_batches = 0;
    std::atomic<bool> m_cancelled {false};
    std::atomic<bool> m_callbackAfterCancel {false};
};

} // namespace ncv::test

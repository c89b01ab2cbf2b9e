// SPDX-License-Identifier: GPL-2.0-or-later
// ReplaySource: a platform::Source that serves a state taken from a recording (a
// recording::RecordState, e.g. RecordingReader::stateAt(T)) as its initial snapshot: one
// Initial record per interface, address and route held (in RecordState::forEach order),
// then SnapshotComplete, and no live changes after that. It lets the NotificationModel
// and its tables show a past moment through the same path as a live snapshot; a new
// moment is setState() followed by NotificationModel::start() (a fresh registration).
// Delivery is synchronous, inside registerChanges(), on the calling thread (that thread is
// this source's "reader thread"). Thread-safe as Source requires.
#pragma once

#include "platform/source.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>

namespace ncv {

namespace recording {
class RecordState;
}

class ReplaySource final : public platform::Source {
public:
    ReplaySource() = default;

    /// The rows the next registration delivers, stamped with time atUs (µs since the
    /// epoch, UTC: the moment the state is of). null = an empty snapshot.
    void setState(std::shared_ptr<const recording::RecordState> state, std::int64_t atUs);
    std::int64_t stateTimeUs() const;

    /// Delivers the state's rows that pass params' object mask and family, in batches of
    /// kBatchRows, then SnapshotComplete, before returning. initialNotification false:
    /// SnapshotComplete only.
    platform::Status registerChanges(const platform::RegisterParams &params, platform::Handle *handle) override;
    platform::Status cancel(platform::Handle handle) override;
    std::string name() const override { return "recording"; }

    static constexpr std::size_t kBatchRows = 4096;

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const recording::RecordState> m_state;
    std::int64_t m_atUs = 0;
    std::set<platform::Handle> m_handles;
    platform::Handle m_nextHandle = 1;
};

} // namespace ncv

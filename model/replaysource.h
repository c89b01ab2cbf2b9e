// SPDX-License-Identifier: GPL-2.0-or-later
// ReplaySource: the platform::Source of a window that shows a recording's state at one
// moment (a RecordingSession, or the live window's time cursor). The state itself goes into
// the tables at once (NotificationModel::showState() swaps whole tables in); this source
// gives that view its registration: an initial snapshot that is only SnapshotComplete,
// stamped with the moment, and no live changes after that. Its name is "recording".
// Delivery is synchronous, inside registerChanges(), on the calling thread (that thread is
// this source's "reader thread"). Thread-safe as Source requires.
#pragma once

#include "platform/source.h"

#include <cstdint>
#include <mutex>
#include <set>

namespace ncv {

class ReplaySource final : public platform::Source {
public:
    ReplaySource() = default;

    /// The moment the next registration's SnapshotComplete is stamped with (µs since the
    /// epoch, UTC).
    void setMomentUs(std::int64_t atUs);
    std::int64_t momentUs() const;

    /// Delivers SnapshotComplete (stamped momentUs()) before returning, whatever
    /// params.initialNotification says: the rows of the moment are not records.
    platform::Status registerChanges(const platform::RegisterParams &params, platform::Handle *handle) override;
    platform::Status cancel(platform::Handle handle) override;
    std::string name() const override { return "recording"; }

private:
    mutable std::mutex m_mutex;
    std::int64_t m_atUs = 0;
    std::set<platform::Handle> m_handles;
    platform::Handle m_nextHandle = 1;
};

} // namespace ncv

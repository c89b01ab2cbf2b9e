// SPDX-License-Identifier: GPL-2.0-or-later
// TimeRange: the event log's time filter, [fromUs, toUs] in µs since the epoch (UTC),
// both ends included, or none (every time passes). Shared by the in-memory log's proxy
// and the file-backed log.
#pragma once

#include <QtGlobal>

#include <utility>

namespace ncv {

struct TimeRange {
    bool active = false;
    qint64 fromUs = 0;
    qint64 toUs = 0;

    /// Sets the range (the ends are swapped when given reversed). False when it already was.
    bool set(qint64 from, qint64 to)
    {
        if (from > to)
            std::swap(from, to);
        if (active && fromUs == from && toUs == to)
            return false;
        active = true;
        fromUs = from;
        toUs = to;
        return true;
    }
    /// Removes the range. False when there was none.
    bool clear() { return std::exchange(active, false); }
    /// True when us passes: no range, or inside it.
    bool passes(qint64 us) const { return !active || (us >= fromUs && us <= toUs); }
};

} // namespace ncv

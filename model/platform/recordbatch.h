// SPDX-License-Identifier: GPL-2.0-or-later
// RecordBatch: the records a source's reader thread has ready for its next callback.
// Slots are kept after a delivery (with their string and next-hop allocations) and
// written again, so a record costs no heap allocation in the steady state. A slot is
// taken with emplace(), written in place (for example by StateStore), and counts only
// once commit() is called; an uncommitted slot is simply handed out again by the next
// emplace(). Not thread-safe: one reader thread owns it.
#pragma once

#include "platform/types.h"

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace ncv::platform {

class RecordBatch {
public:
    /// Reserves room for `capacity` records up front.
    void reserve(std::size_t capacity) { m_slots.reserve(capacity); }

    /// The next free slot, holding whatever an earlier record left there (every writer
    /// overwrites the fields it uses). Valid until the next emplace() or clear().
    ChangeRecord &emplace()
    {
        if (m_size == m_slots.size())
            m_slots.emplace_back();
        return m_slots[m_size];
    }
    /// Counts the slot last returned by emplace() as a record of the batch.
    void commit() { ++m_size; }
    /// emplace() + move + commit().
    void append(ChangeRecord &&record)
    {
        emplace() = std::move(record);
        commit();
    }

    /// Committed records, in order.
    std::span<const ChangeRecord> records() const { return {m_slots.data(), m_size}; }
    /// The same, to adjust in place before delivery.
    std::span<ChangeRecord> records() { return {m_slots.data(), m_size}; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    /// Forgets the committed records; their slots are reused.
    void clear() { m_size = 0; }
    /// Forgets the committed records after the first n (n <= size()).
    void truncate(std::size_t n) { m_size = n < m_size ? n : m_size; }

private:
    std::vector<ChangeRecord> m_slots;
    std::size_t m_size = 0;
};

} // namespace ncv::platform

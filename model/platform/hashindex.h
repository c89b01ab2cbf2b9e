// SPDX-License-Identifier: GPL-2.0-or-later
// HashIndex: a hash index of 32-bit values (row numbers, record references) that keeps no
// keys. Each slot is 8 bytes, {value, low 32 bits of the key's hash}; a lookup compares the
// stored hash and then asks the caller whether the value's key matches (the caller holds
// the keys: a table's rows, an arena of encoded routes). Qt-free, header-only.
//
// Why not a hash map of keys: the keys are 20..60 bytes and already held once by the
// caller; a second copy per entry (and a node each, for std::unordered_map) doubles the
// memory of a million routes. absl::flat_hash_set of the same {hash, value} entries
// (tests/bench/hashindex.cpp, ncv_hashbench) answers misses faster (its control bytes) but
// hits slower at a million entries, and Abseil is not available for the MinGW-w64 build of
// the platform layer, so this one index serves both the route store and the table models.
//
// Open addressing with linear probing in a power-of-two array, at most 3/4 full, grown by
// doubling from the stored hashes (keys are not hashed again), and backward-shift deletion
// (no tombstones: lookups never wade through deleted slots). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ncv::platform {

class HashIndex {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    /// Slot of the entry with this hash whose value matches (matches(value) is true), or npos.
    /// A slot stays valid until the next insert() or erase().
    template<typename Match> std::uint32_t find(std::uint64_t hash, Match matches) const
    {
        if (m_count == 0)
            return npos;
        const std::uint32_t h = std::uint32_t(hash);
        for (std::size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const Slot &slot = m_slots[i];
            if (slot.value == npos)
                return npos;
            if (slot.hash == h && matches(slot.value))
                return std::uint32_t(i);
        }
    }
    /// Adds an entry (value != npos). The caller has checked that no entry matches its key.
    void insert(std::uint64_t hash, std::uint32_t value)
    {
        if ((m_count + 1) * 4 > m_slots.size() * 3)
            grow();
        place(Slot {value, std::uint32_t(hash)});
        ++m_count;
    }
    /// Removes the entry at slot (from find()).
    void erase(std::uint32_t slotIndex)
    {
        // Backward shift: pull later members of the probe run into the hole when the hole
        // lies between their home slot and where they are.
        std::size_t i = slotIndex;
        for (std::size_t j = (i + 1) & m_mask; m_slots[j].value != npos; j = (j + 1) & m_mask) {
            const std::size_t home = m_slots[j].hash & m_mask;
            const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (stays)
                continue;
            m_slots[i] = m_slots[j];
            i = j;
        }
        m_slots[i] = Slot {};
        --m_count;
    }

    std::uint32_t value(std::uint32_t slot) const { return m_slots[slot].value; }
    /// Points the entry at slot to another value (same key).
    void setValue(std::uint32_t slot, std::uint32_t value) { m_slots[slot].value = value; }
    /// Calls fn(slot, value) for every entry, in slot order.
    template<typename Fn> void forEach(Fn fn) const
    {
        for (std::size_t i = 0; i < m_slots.size(); ++i)
            if (m_slots[i].value != npos)
                fn(std::uint32_t(i), m_slots[i].value);
    }

    /// Hints the CPU to load the slot where a lookup of hash starts (at a million entries
    /// the index is far larger than the caches; that one miss is most of a lookup).
    void prefetch(std::uint64_t hash) const
    {
#if defined(__GNUC__) || defined(__clang__)
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[std::uint32_t(hash) & m_mask]);
#else
        (void)hash;
#endif
    }

    std::size_t size() const
    {
        return m_count;
    }
    bool empty() const
    {
        return m_count == 0;
    }
    /// Slots allocated (a power of two, or 0).
    std::size_t capacity() const
    {
        return m_slots.size();
    }
    std::size_t memoryBytes() const
    {
        return m_slots.capacity() * sizeof(Slot);
    }
    /// Exchanges the entries (and slots) of two indexes, O(1).
    void swap(HashIndex &other) noexcept
    {
        m_slots.swap(other.m_slots);
        std::swap(m_mask, other.m_mask);
        std::swap(m_count, other.m_count);
    }
    /// Removes every entry; with release, frees the slots too.
    void clear(bool release = true)
    {
        if (release) {
            std::vector<Slot>().swap(m_slots);
            m_mask = 0;
        } else {
            m_slots.assign(m_slots.size(), Slot {});
        }
        m_count = 0;
    }

private:
    struct Slot {
        std::uint32_t value = npos; ///< npos = empty
        std::uint32_t hash = 0; ///< low 32 bits of the key's hash; also gives the home slot
    };

    void place(Slot slot)
    {
        std::size_t i = slot.hash & m_mask;
        while (m_slots[i].value != npos)
            i = (i + 1) & m_mask;
        m_slots[i] = slot;
    }
    void grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        const std::size_t capacity = old.empty() ? 64 : old.size() * 2;
        m_slots.assign(capacity, Slot {});
        m_mask = capacity - 1;
        for (const Slot &slot : old)
            if (slot.value != npos)
                place(slot);
    }

    std::vector<Slot> m_slots; ///< empty or a power of two
    std::size_t m_mask = 0;
    std::size_t m_count = 0;
};

} // namespace ncv::platform

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
// Open addressing with linear probing in a power-of-two array, at most 3/4 full, and
// backward-shift deletion (no tombstones: lookups never wade through deleted slots).
//
// Growth is incremental. Doubling a table rehashes every entry; at a million entries that
// is 16 MB of fresh memory written at once, 15-27 ms here and 40+ ms on a loaded GUI thread
// (each fresh page is a fault and a cleared page). So when the table is 3/4 full, a table
// of twice the slots comes from calloc (an empty slot is all zero bits, so a large table is
// zero pages until written), the old one is kept, and each insert() and erase() after
// moves the entries of at least kMigrateSlots old slots across (whole probe runs at a time,
// so every run left in the old table is intact and lookups there stay correct). Lookups
// try the new table, then the old one. The move ends well before the new table is 3/4 full
// (C old slots in C/8 operations). The stored hashes give the new places (keys are not
// hashed again). Not thread-safe.
#pragma once

#include "platform/podarray.h"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace ncv::platform {

class HashIndex {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    /// Old slots moved into the new table per insert() or erase() while the index grows.
    static constexpr std::size_t kMigrateSlots = 8;

    HashIndex() = default;
    HashIndex(const HashIndex &other) { *this = other; }
    HashIndex(HashIndex &&other) noexcept { swap(other); }
    HashIndex &operator=(const HashIndex &other)
    {
        if (this == &other)
            return *this;
        clear();
        m_slots = Table::copyOf(other.m_slots);
        m_old = Table::copyOf(other.m_old);
        m_start = other.m_start;
        m_migrated = other.m_migrated;
        m_count = other.m_count;
        return *this;
    }
    HashIndex &operator=(HashIndex &&other) noexcept
    {
        HashIndex(std::move(other)).swap(*this);
        return *this;
    }
    ~HashIndex() { clear(); }

    /// Slot of the entry with this hash whose value matches (matches(value) is true), or npos.
    /// A slot stays valid until the next insert() or erase(). Entries of the same hash are
    /// offered in no particular order.
    template<typename Match> std::uint32_t find(std::uint64_t hash, Match matches) const
    {
        if (m_count == 0)
            return npos;
        const std::uint32_t h = std::uint32_t(hash);
        const std::uint32_t slot = m_slots.find(h, matches);
        if (slot != npos || !m_old.cells)
            return slot;
        const std::uint32_t old = m_old.find(h, matches);
        return old == npos ? npos : std::uint32_t(m_slots.capacity() + old);
    }
    /// Adds an entry (value != npos). The caller has checked that no entry matches its key.
    void insert(std::uint64_t hash, std::uint32_t value)
    {
        if ((m_count + 1) * 4 > m_slots.capacity() * 3)
            startGrowth(m_slots.capacity() == 0 ? 64 : m_slots.capacity() * 2);
        m_slots.place(Slot {value + 1, std::uint32_t(hash)});
        ++m_count;
        migrate();
    }
    /// Removes the entry at slot (from find()).
    void erase(std::uint32_t slotIndex)
    {
        if (slotIndex < m_slots.capacity())
            m_slots.erase(slotIndex);
        else
            m_old.erase(slotIndex - std::uint32_t(m_slots.capacity()));
        --m_count;
        migrate();
    }

    std::uint32_t value(std::uint32_t slot) const { return slotAt(slot).stored - 1; }
    /// Points the entry at slot to another value (same key; value != npos).
    void setValue(std::uint32_t slot, std::uint32_t value) { slotAt(slot).stored = value + 1; }
    /// Calls fn(slot, value) for every entry (fn may setValue() but not insert or erase).
    template<typename Fn> void forEach(Fn fn) const
    {
        for (std::size_t i = 0; i < m_slots.capacity(); ++i)
            if (m_slots.cells[i].stored != 0)
                fn(std::uint32_t(i), m_slots.cells[i].stored - 1);
        for (std::size_t i = 0; i < m_old.capacity(); ++i)
            if (m_old.cells[i].stored != 0)
                fn(std::uint32_t(m_slots.capacity() + i), m_old.cells[i].stored - 1);
    }
    /// Makes room for n entries without growing: with fewer than n * 4 / 3 slots, the
    /// entries move into a table of enough slots at once (for bulk builds).
    void reserve(std::size_t n)
    {
        finishGrowth();
        std::size_t capacity = m_slots.capacity() == 0 ? 64 : m_slots.capacity();
        while (n * 4 > capacity * 3)
            capacity *= 2;
        if (capacity != m_slots.capacity()) {
            startGrowth(capacity);
            finishGrowth();
        }
    }

    /// Hints the CPU to load the slot where a lookup of hash starts (at a million entries
    /// the index is far larger than the caches; that one miss is most of a lookup).
    void prefetch(std::uint64_t hash) const
    {
#if defined(__GNUC__) || defined(__clang__)
        if (m_slots.cells)
            __builtin_prefetch(&m_slots.cells[std::uint32_t(hash) & m_slots.mask]);
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
    /// Slots of the current table (a power of two, or 0); while growing, the new table's.
    std::size_t capacity() const
    {
        return m_slots.capacity();
    }
    /// True while entries are still being moved from the table before the last growth.
    bool growing() const
    {
        return m_old.cells != nullptr;
    }
    std::size_t memoryBytes() const
    {
        return (m_slots.capacity() + m_old.capacity()) * sizeof(Slot);
    }
    /// Exchanges the entries (and slots) of two indexes, O(1).
    void swap(HashIndex &other) noexcept
    {
        std::swap(m_slots, other.m_slots);
        std::swap(m_old, other.m_old);
        std::swap(m_start, other.m_start);
        std::swap(m_migrated, other.m_migrated);
        std::swap(m_count, other.m_count);
    }
    /// Removes every entry; with release, frees the slots too.
    void clear(bool release = true)
    {
        m_old.release();
        m_migrated = 0;
        if (release)
            m_slots.release();
        else
            m_slots.zero();
        m_count = 0;
    }

private:
    struct Slot {
        std::uint32_t stored = 0; ///< value + 1; 0 = empty (so fresh zero pages are empty slots)
        std::uint32_t hash = 0; ///< low 32 bits of the key's hash; also gives the home slot
    };
    /// One open-addressing table: cells (ZeroedBlock memory) and mask = slots - 1.
    struct Table {
        Slot *cells = nullptr;
        std::size_t mask = 0;

        std::size_t capacity() const { return cells ? mask + 1 : 0; }
        static Table make(std::size_t capacity)
        {
            return Table {static_cast<Slot *>(ZeroedBlock::allocate(capacity * sizeof(Slot))), capacity - 1};
        }
        static Table copyOf(const Table &other)
        {
            if (!other.cells)
                return {};
            Table t = make(other.capacity());
            std::memcpy(static_cast<void *>(t.cells), other.cells, other.capacity() * sizeof(Slot));
            return t;
        }
        void release()
        {
            ZeroedBlock::release(cells);
            *this = {};
        }
        void zero()
        {
            if (cells)
                std::memset(static_cast<void *>(cells), 0, capacity() * sizeof(Slot));
        }
        template<typename Match> std::uint32_t find(std::uint32_t h, Match &matches) const
        {
            if (!cells)
                return npos;
            for (std::size_t i = h & mask;; i = (i + 1) & mask) {
                const Slot &slot = cells[i];
                if (slot.stored == 0)
                    return npos;
                if (slot.hash == h && matches(slot.stored - 1))
                    return std::uint32_t(i);
            }
        }
        void place(Slot slot)
        {
            std::size_t i = slot.hash & mask;
            while (cells[i].stored != 0)
                i = (i + 1) & mask;
            cells[i] = slot;
        }
        void erase(std::size_t i)
        {
            // Backward shift: pull later members of the probe run into the hole when the
            // hole lies between their home slot and where they are.
            for (std::size_t j = (i + 1) & mask; cells[j].stored != 0; j = (j + 1) & mask) {
                const std::size_t home = cells[j].hash & mask;
                const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
                if (stays)
                    continue;
                cells[i] = cells[j];
                i = j;
            }
            cells[i] = Slot {};
        }
    };

    Slot &slotAt(std::uint32_t slot)
    {
        return slot < m_slots.capacity() ? m_slots.cells[slot] : m_old.cells[slot - m_slots.capacity()];
    }
    const Slot &slotAt(std::uint32_t slot) const
    {
        return slot < m_slots.capacity() ? m_slots.cells[slot] : m_old.cells[slot - m_slots.capacity()];
    }
    /// A new table of `capacity` slots becomes current; the entries of the current one move
    /// over in migrate() steps (any older one is emptied first).
    void startGrowth(std::size_t capacity)
    {
        finishGrowth();
        Table fresh = Table::make(capacity);
        if (m_count == 0) {
            m_slots.release();
            m_slots = fresh;
            return;
        }
        m_old = m_slots;
        m_slots = fresh;
        // Start at an empty slot (one exists: at most 3/4 full), so that the walk meets
        // every probe run at its first slot and moves it whole.
        m_start = 0;
        while (m_old.cells[m_start].stored != 0)
            ++m_start;
        m_migrated = 0;
    }
    /// Moves the entries of at least `budget` more old slots, whole probe runs at a time;
    /// frees the old table when all have moved.
    void migrate(std::size_t budget = kMigrateSlots)
    {
        if (!m_old.cells)
            return;
        const std::size_t oldCapacity = m_old.capacity();
        while (m_migrated < oldCapacity && budget > 0) {
            std::size_t i = (m_start + m_migrated) & m_old.mask;
            // A run ends before an empty slot, at the latest before m_start (empty all along:
            // nothing is inserted into the old table).
            do {
                if (m_old.cells[i].stored != 0) {
                    m_slots.place(m_old.cells[i]);
                    m_old.cells[i] = Slot {};
                }
                ++m_migrated;
                budget -= budget > 0;
                i = (i + 1) & m_old.mask;
            } while (m_migrated < oldCapacity && m_old.cells[i].stored != 0);
        }
        if (m_migrated >= oldCapacity)
            m_old.release();
    }
    void finishGrowth()
    {
        migrate(m_old.capacity());
    }

    Table m_slots; ///< where entries go; empty or a power of two slots
    Table m_old; ///< while growing: the table before, whose entries are moving to m_slots
    std::size_t m_start = 0; ///< while growing: the empty old slot the move started after
    std::size_t m_migrated = 0; ///< while growing: old slots moved, from m_start on
    std::size_t m_count = 0; ///< entries in both tables
};

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_hashbench [N] [ROUNDS]: the route and table index (platform::HashIndex: 8-byte slots of
// {value, 32-bit hash}, linear probing, backward-shift deletion) next to the open-addressing
// table with tombstones the table models used before, absl::flat_hash_set of the same
// {hash, value} entries (when Abseil is installed: libabsl-dev) and std::unordered_map
// of key -> value. Keys live outside every index, as they do in the program (a table's
// rows, the packed arena): a hash match is confirmed by comparing keys[value] with the key
// looked for. Prints, per index, the best of ROUNDS (default 5) of: N inserts, N lookups
// that hit (random order), N lookups that miss, N/2 erases and N/2 inserts again, and the
// bytes held. Qt-free.
#include "platform/hashindex.h"

#if NCV_HAVE_ABSL
#include <absl/container/flat_hash_set.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using ncv::platform::HashIndex;

namespace {

std::uint64_t mix(std::uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}

/// The index the table models had: slots {hash, row}, linear probing, tombstones, grown to at
/// most half full when over 7/10 (live + erased).
class TombstoneIndex {
public:
    template<typename Match> std::int64_t find(std::uint64_t fullHash, Match matches) const
    {
        if (m_slots.empty())
            return -1;
        const std::uint32_t h = std::uint32_t(fullHash);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            const Slot &slot = m_slots[i];
            if (slot.row == kEmpty)
                return -1;
            if (slot.row >= 0 && slot.hash == h && matches(std::uint32_t(slot.row)))
                return std::int64_t(i);
        }
    }
    void insert(std::uint64_t fullHash, std::uint32_t row)
    {
        if ((m_used + 1) * 10 > m_slots.size() * 7)
            grow();
        const std::uint32_t h = std::uint32_t(fullHash);
        std::size_t reuse = std::size_t(-1);
        for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
            Slot &slot = m_slots[i];
            if (slot.row == kEmpty) {
                if (reuse == std::size_t(-1)) {
                    reuse = i;
                    ++m_used;
                }
                m_slots[reuse] = Slot {h, std::int32_t(row)};
                ++m_count;
                return;
            }
            if (slot.row == kErased && reuse == std::size_t(-1))
                reuse = i;
        }
    }
    void erase(std::int64_t slot)
    {
        m_slots[std::size_t(slot)].row = kErased;
        --m_count;
    }
    std::size_t memoryBytes() const { return m_slots.capacity() * sizeof(Slot); }

private:
    static constexpr std::int32_t kEmpty = -1;
    static constexpr std::int32_t kErased = -2;
    struct Slot {
        std::uint32_t hash = 0;
        std::int32_t row = kEmpty;
    };
    std::size_t mask() const { return m_slots.size() - 1; }
    void grow()
    {
        std::size_t size = 64;
        while ((m_count + 1) * 10 > size * 5)
            size *= 2;
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.assign(size, Slot {});
        m_used = 0;
        for (const Slot &slot : old) {
            if (slot.row < 0)
                continue;
            std::size_t i = slot.hash & mask();
            while (m_slots[i].row != kEmpty)
                i = (i + 1) & mask();
            m_slots[i] = slot;
            ++m_used;
        }
    }
    std::vector<Slot> m_slots;
    std::size_t m_used = 0;
    std::size_t m_count = 0;
};

#if NCV_HAVE_ABSL
/// absl::flat_hash_set of {hash, value}: the same 8 bytes per entry (plus absl's control
/// byte), found by (hash, key) through a transparent hash and equality.
struct Entry {
    std::uint32_t hash;
    std::uint32_t value;
};
struct Probe {
    std::uint32_t hash;
    std::uint64_t key;
};
struct EntryHash {
    using is_transparent = void;
    std::size_t operator()(const Entry &e) const { return e.hash; }
    std::size_t operator()(const Probe &p) const { return p.hash; }
};
struct EntryEq {
    using is_transparent = void;
    const std::vector<std::uint64_t> *keys = nullptr;
    bool operator()(const Entry &a, const Entry &b) const { return a.value == b.value; }
    bool operator()(const Entry &e, const Probe &p) const { return e.hash == p.hash && (*keys)[e.value] == p.key; }
    bool operator()(const Probe &p, const Entry &e) const { return (*this)(e, p); }
};
using AbslIndex = absl::flat_hash_set<Entry, EntryHash, EntryEq>;
#endif

struct Figures {
    double insert = std::numeric_limits<double>::max(), hit = insert, miss = insert, churn = insert;
    std::size_t bytes = 0;
    void keep(double i, double h, double m, double c, std::size_t b)
    {
        insert = std::min(insert, i);
        hit = std::min(hit, h);
        miss = std::min(miss, m);
        churn = std::min(churn, c);
        bytes = b;
    }
};

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

int main(int argc, char **argv)
{
    const std::size_t n = argc > 1 ? std::size_t(std::strtoull(argv[1], nullptr, 10)) : 1'000'000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    std::mt19937_64 g(1);
    std::vector<std::uint64_t> keys(n), missing(n);
    for (auto &k : keys)
        k = g();
    for (auto &k : missing)
        k = g();
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::shuffle(order.begin(), order.end(), g);
    std::size_t sink = 0;
    using Clock = std::chrono::steady_clock;

    Figures ours, tombstones, byKey;
    for (int r = 0; r < rounds; ++r) {
        {
            HashIndex index;
            const auto matches
                = [&](std::uint64_t key) { return [&keys, key](std::uint32_t value) { return keys[value] == key; }; };
            auto t = Clock::now();
            for (std::uint32_t v = 0; v < n; ++v)
                index.insert(mix(keys[v]), v);
            const double insert = seconds(t);
            t = Clock::now();
            for (std::uint32_t v : order)
                sink += index.value(index.find(mix(keys[v]), matches(keys[v])));
            const double hit = seconds(t);
            t = Clock::now();
            for (std::uint64_t k : missing)
                sink += index.find(mix(k), matches(k)) == HashIndex::npos;
            const double miss = seconds(t);
            t = Clock::now();
            for (std::size_t i = 0; i < n; i += 2)
                index.erase(index.find(mix(keys[order[i]]), matches(keys[order[i]])));
            for (std::size_t i = 0; i < n; i += 2)
                index.insert(mix(keys[order[i]]), order[i]);
            ours.keep(insert, hit, miss, seconds(t), index.memoryBytes());
        }
        {
            TombstoneIndex index;
            const auto matches
                = [&](std::uint64_t key) { return [&keys, key](std::uint32_t value) { return keys[value] == key; }; };
            auto t = Clock::now();
            for (std::uint32_t v = 0; v < n; ++v)
                index.insert(mix(keys[v]), v);
            const double insert = seconds(t);
            t = Clock::now();
            for (std::uint32_t v : order)
                sink += std::size_t(index.find(mix(keys[v]), matches(keys[v])));
            const double hit = seconds(t);
            t = Clock::now();
            for (std::uint64_t k : missing)
                sink += index.find(mix(k), matches(k)) < 0;
            const double miss = seconds(t);
            t = Clock::now();
            for (std::size_t i = 0; i < n; i += 2)
                index.erase(index.find(mix(keys[order[i]]), matches(keys[order[i]])));
            for (std::size_t i = 0; i < n; i += 2)
                index.insert(mix(keys[order[i]]), order[i]);
            tombstones.keep(insert, hit, miss, seconds(t), index.memoryBytes());
        }
        {
            std::unordered_map<std::uint64_t, std::uint32_t> index;
            auto t = Clock::now();
            for (std::uint32_t v = 0; v < n; ++v)
                index.emplace(keys[v], v);
            const double insert = seconds(t);
            t = Clock::now();
            for (std::uint32_t v : order)
                sink += index.find(keys[v])->second;
            const double hit = seconds(t);
            t = Clock::now();
            for (std::uint64_t k : missing)
                sink += index.count(k);
            const double miss = seconds(t);
            t = Clock::now();
            for (std::size_t i = 0; i < n; i += 2)
                index.erase(keys[order[i]]);
            for (std::size_t i = 0; i < n; i += 2)
                index.emplace(keys[order[i]], order[i]);
            // Nodes of 32 bytes (next pointer, pair, cached hash) plus the bucket array.
            byKey.keep(insert, hit, miss, seconds(t), index.size() * 32 + index.bucket_count() * sizeof(void *));
        }
    }
    const auto print = [n](const char *name, const Figures &f) {
        std::printf("%-28s insert %6.1f  hit %6.1f  miss %6.1f  churn %6.1f ns/op   %5.1f bytes/entry\n", name,
                    f.insert / double(n) * 1e9, f.hit / double(n) * 1e9, f.miss / double(n) * 1e9,
                    f.churn / double(n) * 1e9, double(f.bytes) / double(n));
    };
    std::printf("N = %zu, best of %d\n", n, rounds);
    print("HashIndex (backward shift)", ours);
    print("tombstones (table models)", tombstones);
#if NCV_HAVE_ABSL
    Figures absl;
    for (int r = 0; r < rounds; ++r) {
        AbslIndex index(0, EntryHash {}, EntryEq {&keys});
        auto t = Clock::now();
        for (std::uint32_t v = 0; v < n; ++v)
            index.insert(Entry {std::uint32_t(mix(keys[v])), v});
        const double insert = seconds(t);
        t = Clock::now();
        for (std::uint32_t v : order)
            sink += index.find(Probe {std::uint32_t(mix(keys[v])), keys[v]})->value;
        const double hit = seconds(t);
        t = Clock::now();
        for (std::uint64_t k : missing)
            sink += index.contains(Probe {std::uint32_t(mix(k)), k});
        const double miss = seconds(t);
        t = Clock::now();
        for (std::size_t i = 0; i < n; i += 2)
            index.erase(index.find(Probe {std::uint32_t(mix(keys[order[i]])), keys[order[i]]}));
        for (std::size_t i = 0; i < n; i += 2)
            index.insert(Entry {std::uint32_t(mix(keys[order[i]])), order[i]});
        // One control byte per slot plus the 8-byte entry.
        absl.keep(insert, hit, miss, seconds(t), index.capacity() * (sizeof(Entry) + 1));
    }
    print("absl::flat_hash_set", absl);
#else
    std::printf("absl::flat_hash_set          (not built: install libabsl-dev)\n");
#endif
    print("std::unordered_map key->value", byKey);
    return sink == 42 ? 1 : 0;
}

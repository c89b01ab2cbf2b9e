// SPDX-License-Identifier: GPL-2.0-or-later
// PackedRouteTable: the route rows of a StateStore, serialized compactly into an arena,
// with an open-addressing hash index. Qt-free. Not thread-safe (one reader thread owns it);
// its images (below) may be read on other threads meanwhile.
//
// Why this shape (a million routes): a node hash map of RouteRow costs ~240 bytes
// and two heap blocks per route, stalls while it rehashes and frees a million nodes one by
// one. Here a row is one record in an arena of 1 MiB chunks (no per-row heap block):
//     [u8 live flag][varint body length][body]
//     body = u8 (family | protocolSpace << 2 | prefSrc family << 3), prefix length, tos, scope,
//            type (u8 each), destination at its real length (4 / 16 / 0 bytes),
//            varints table, metric, protocol, nhId, luid, zigzag expiresUs,
//            prefSrc at its real length, varint hop count, then per hop
//            u8 (gateway family | 0x80 when weight == 1), gateway bytes, varint ifIndex,
//            [varint weight when not 1].
// An IPv4 single-next-hop route takes about 25 bytes; IPv6 and multipath routes are just
// longer records, nothing out of line. The index is a HashIndex of record references
// (hashindex.h: 8-byte slots, grown from the stored hashes without touching the rows).
// A row rewritten at another length moves to the arena's end; the old record becomes dead
// bytes, and when those exceed the live ones (and 256 KiB) the arena is compacted in order.
// clear() and the destructor free a few dozen blocks. Limits: families are stored in 2 bits
// (Unspec / IPv4 / IPv6), ProtocolSpace in 1; record references are 32 bits, so the arena
// holds at most 4 GiB (std::bad_alloc beyond; ~170 million IPv4 routes).
//
// Images (image()): a consistent, read-only view of the rows as they are now, for another
// thread to read while this table goes on changing (the recording writer's keyframes). The
// chunks are shared, not copied: an image holds a reference to each chunk and the bytes
// used in it. A write into a chunk that an image still references (assign() in place, the
// live flag of erase() or of a moved row, mark(), clearMarks()) first copies that chunk
// (copy-on-write), so only the chunks touched while an image lives are duplicated.
// Appends past the chunk's used bytes need no copy: an image reads only the bytes below
// the length it recorded. Compaction and clear() write into fresh chunks and drop the old
// ones (freed by the last image). The reference counts are atomic, and a chunk counts as
// unshared only once its count, read with acquire, is 1: every image's reads of it then
// happened before the write that follows (the image's release of it synchronizes).
//
// Keys are the caller's business: it passes a 64-bit hash and a predicate on the decoded
// row (StateStore hashes its route base key and compares it). Rows come back decoded into a
// caller-provided RouteRow, whose next-hop vector keeps its capacity (no allocation per
// lookup in the steady state).
#pragma once

#include "platform/hashindex.h"
#include "platform/types.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ncv::platform {

class PackedRouteTable {
public:
    static constexpr std::uint32_t npos = HashIndex::npos;

private:
    /// An arena chunk, reference counted (the table and the images sharing it).
    struct Block {
        std::atomic<std::uint32_t> refs {1};
        std::size_t capacity = 0;
        std::unique_ptr<std::uint8_t[]> bytes;
    };
    /// An owning reference to a Block (intrusive, atomic count: images live on other threads).
    class BlockRef {
    public:
        BlockRef() = default;
        explicit BlockRef(std::size_t capacity);
        BlockRef(const BlockRef &other) : m_block(other.m_block)
        {
            if (m_block)
                m_block->refs.fetch_add(1, std::memory_order_relaxed);
        }
        BlockRef(BlockRef &&other) noexcept : m_block(other.m_block) { other.m_block = nullptr; }
        BlockRef &operator=(BlockRef other) noexcept
        {
            std::swap(m_block, other.m_block);
            return *this;
        }
        ~BlockRef()
        {
            if (m_block && m_block->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
                delete m_block;
        }
        std::uint8_t *data() const { return m_block->bytes.get(); }
        std::size_t capacity() const { return m_block->capacity; }
        /// True when another reference (an image) exists. Acquire: when false, what the
        /// released references read happened before what the caller writes next.
        bool shared() const { return m_block->refs.load(std::memory_order_acquire) != 1; }

    private:
        Block *m_block = nullptr;
    };

public:
    /// A read-only view of the rows at the time image() made it (see the top of this file).
    /// Cheap to make (a reference and a length per 1 MiB chunk); safe to read on any thread
    /// while the table changes; copies, moves and destroys on any thread.
    class Image {
    public:
        /// Rows held when the image was made.
        std::size_t size() const { return m_size; }
        /// Calls fn(const RouteRow &) for every row held then, in arena order.
        template<typename Fn> void forEach(Fn fn) const
        {
            RouteRow row;
            for (const auto &[block, used] : m_chunks) {
                const std::uint8_t *p = block.data();
                const std::uint8_t *end = p + used;
                while (p < end) {
                    const std::uint8_t *body = nullptr;
                    const std::size_t total = recordSize(p, &body);
                    if (*p & kLive) {
                        decodeBody(body, row);
                        fn(static_cast<const RouteRow &>(row));
                    }
                    p += total;
                }
            }
        }

    private:
        friend class PackedRouteTable;
        std::vector<std::pair<BlockRef, std::size_t>> m_chunks; ///< (chunk, bytes used then)
        std::size_t m_size = 0;
    };

    PackedRouteTable() = default;
    PackedRouteTable(const PackedRouteTable &) = delete;
    PackedRouteTable &operator=(const PackedRouteTable &) = delete;

    /// Index slot of the row with this hash for which matches(decoded row) is true, or npos.
    /// The last decoded candidate (the row found, when found) is left in *row.
    /// A slot stays valid until the next insert() or erase().
    template<typename Pred> std::uint32_t find(std::uint64_t hash, Pred matches, RouteRow *row) const
    {
        return m_index.find(hash, [&](std::uint32_t ref) {
            decode(ref, *row);
            return matches(*row);
        });
    }
    /// Hints the CPU to load the index slot where a lookup of hash starts (the index is
    /// far larger than the caches at a million routes; one miss per lookup dominates).
    void prefetch(std::uint64_t hash) const { m_index.prefetch(hash); }
    /// Decodes the row held at a slot that find() returned.
    void rowAt(std::uint32_t slot, RouteRow *row) const { decode(m_index.value(slot), *row); }

    /// Adds a row (the caller checked with find() that its key is not held); marked: see mark().
    void insert(std::uint64_t hash, const RouteRow &row, bool marked = false);
    /// Rewrites the row at a slot (same key). In place when the encoding has the same length.
    void assign(std::uint32_t slot, const RouteRow &row);
    /// Removes the row at a slot.
    void erase(std::uint32_t slot);

    /// One mark bit per row, for a reconcile pass: clearMarks(), mark the rows seen, then
    /// forEachUnmarked(). assign() keeps a row's mark.
    void mark(std::uint32_t slot);
    void clearMarks();

    /// The record body encoding (see above), also used by PackedRouteList.
    static void encodeRow(const RouteRow &row, std::string &out);
    static void decodeBody(const std::uint8_t *body, RouteRow &row);

    /// True when pred(row) holds for some row (stops at the first).
    template<typename Pred> bool any(Pred pred) const
    {
        bool found = false;
        walk(kLive, kLive, [&](const RouteRow &row, bool) { return !(found = pred(row)); });
        return found;
    }
    /// Calls fn(const RouteRow &, bool marked) for every row.
    template<typename Fn> void forEachWithMark(Fn fn) const
    {
        walk(kLive, kLive, [&](const RouteRow &row, bool marked) {
            fn(row, marked);
            return true;
        });
    }
    /// Calls fn(const RouteRow &) for every row, in arena order (insertion order, except that
    /// a rewritten row of another length moves to the end). The table must not change meanwhile.
    template<typename Fn> void forEach(Fn fn) const
    {
        walk(kLive, kLive, [&](const RouteRow &row, bool) {
            fn(row);
            return true;
        });
    }
    /// Same, for the rows not marked.
    template<typename Fn> void forEachUnmarked(Fn fn) const
    {
        walk(kLive | kMarked, kLive, [&](const RouteRow &row, bool) {
            fn(row);
            return true;
        });
    }
    /// Calls fn(const RouteRow &) -> bool for the rows not marked, in arena order, until it
    /// returns false.
    template<typename Fn> void forEachUnmarkedWhile(Fn fn) const
    {
        walk(kLive | kMarked, kLive, [&](const RouteRow &row, bool) { return fn(row); });
    }

    std::size_t size() const { return m_index.size(); }
    bool empty() const { return m_index.empty(); }
    void clear();
    /// A view of the rows as they are now, for another thread (see Image).
    Image image() const;
    /// Chunks copied so far because an image shared them (for tests and measurements).
    std::size_t chunkCopies() const { return m_chunkCopies; }
    /// Compacts the arena now (normally automatic).
    void compact();

    /// Heap bytes held: index slots plus allocated arena chunks.
    std::size_t memoryBytes() const;
    /// Arena bytes in use by live / dead records.
    std::size_t liveBytes() const { return m_usedBytes - m_deadBytes; }
    std::size_t deadBytes() const { return m_deadBytes; }
    std::size_t indexCapacity() const { return m_index.capacity(); }

private:
    struct Chunk {
        BlockRef block;
        std::size_t used = 0;
    };
    static constexpr unsigned kChunkBits = 20; // 1 MiB chunks (a larger record gets a chunk of its own)
    static constexpr std::uint8_t kLive = 1; // record flags (first byte)
    static constexpr std::uint8_t kMarked = 2;

    /// fn(const RouteRow &, bool marked) -> bool: false stops the walk.
    template<typename Fn> void walk(std::uint8_t mask, std::uint8_t value, Fn fn) const
    {
        RouteRow row;
        for (std::size_t c = 0; c < m_chunks.size(); ++c) {
            const std::uint8_t *p = m_chunks[c].block.data();
            const std::uint8_t *end = p + m_chunks[c].used;
            while (p < end) {
                const std::uint8_t *body = nullptr;
                const std::size_t total = recordSize(p, &body);
                if ((*p & mask) == value) {
                    decodeBody(body, row);
                    if (!fn(static_cast<const RouteRow &>(row), (*p & kMarked) != 0))
                        return;
                }
                p += total;
            }
        }
    }

    static std::size_t recordSize(const std::uint8_t *record, const std::uint8_t **body);
    void decode(std::uint32_t ref, RouteRow &row) const;
    std::uint32_t append(std::uint8_t flags); ///< writes m_encoded at the arena's end; returns its ref
    const std::uint8_t *recordAt(std::uint32_t ref) const;
    /// The record at ref, to write into: its chunk is copied first when an image shares it.
    std::uint8_t *writableRecordAt(std::uint32_t ref);
    void makeUnshared(Chunk &chunk);
    void addChunk(std::size_t minimum);
    void maybeCompact();

    HashIndex m_index; ///< record references (chunk << kChunkBits | offset) by the caller's hash
    std::vector<Chunk> m_chunks;
    std::size_t m_usedBytes = 0; ///< arena bytes written (live + dead), excluding chunk tails
    std::size_t m_deadBytes = 0;
    std::string m_encoded; ///< scratch: the record being written
    std::size_t m_chunkCopies = 0;
};

/// Routes encoded back to back like PackedRouteTable records (no index, no flags): a
/// compact list to work through, e.g. the routes a check found gone (~25 bytes per IPv4
/// route instead of a RouteRow's ~112 plus its next-hop block).
class PackedRouteList {
public:
    void push(const RouteRow &row);
    std::size_t size() const { return m_count; }
    bool empty() const { return m_count == 0; }
    void clear();
    /// Calls fn(const RouteRow &) for each route, in push order.
    template<typename Fn> void forEach(Fn fn) const
    {
        RouteRow row;
        for (std::size_t at = 0; at < m_bytes.size();) {
            std::uint32_t length = 0;
            for (int i = 0; i < 4; ++i)
                length |= std::uint32_t(m_bytes[at + std::size_t(i)]) << (8 * i);
            PackedRouteTable::decodeBody(m_bytes.data() + at + 4, row);
            fn(static_cast<const RouteRow &>(row));
            at += 4 + length;
        }
    }

private:
    std::vector<std::uint8_t> m_bytes; ///< per route: u32 little-endian body length, body
    std::string m_scratch;
    std::size_t m_count = 0;
};

} // namespace ncv::platform

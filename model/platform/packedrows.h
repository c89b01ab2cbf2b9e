// SPDX-License-Identifier: GPL-2.0-or-later
// PackedRows<Row>: a sequence of rows (a live table's rows, in row order) held in the
// compact form of Row's description (fielddef.h: encodeRow / decodeRow, the form the event
// history and PackedRouteTable use) and decoded when read. Qt-free, header-only.
// Writes are single-threaded; reads (decode(), forEach()) may run on several threads at
// once while nothing writes.
//
// Why: a RouteRow is about 112 bytes plus a heap block for its next hops (~190 bytes a
// route with the allocator's overhead); its compact form is about 22 bytes for an IPv4
// single-next-hop route. At a million routes that is ~26 MB instead of ~190 MB.
//
// Layout: records [varint body length][body] back to back in arena chunks of 1 MiB (no
// heap block per row, and nothing moves when the table grows: no stall while a vector of
// a million rows doubles), plus one 32-bit reference per row (chunk << 20 | offset), in
// row order. Rewriting a row whose encoding keeps its length is done in place; otherwise
// the new record goes to the arena's end and the old one becomes dead bytes. erase()
// drops references (their records become dead). When dead bytes exceed the live ones
// (and 256 KiB) the live records are copied in row order into fresh chunks (compact()).
// Limits: references are 32 bits, so the arena holds at most 4 GiB (std::bad_alloc
// beyond: ~190 million IPv4 routes).
//
// A whole table state is one PackedRows: swap() exchanges two in O(1), so a state built
// elsewhere (e.g. the rows at a past moment, decoded from a recording on a worker thread)
// can replace the rows shown at once.
#pragma once

#include "platform/podarray.h"
#include "platform/rowfields.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ncv::platform {

template<typename Row> class PackedRows {
public:
    PackedRows() = default;
    PackedRows(const PackedRows &) = delete;
    PackedRows &operator=(const PackedRows &) = delete;
    PackedRows(PackedRows &&) noexcept = default;
    PackedRows &operator=(PackedRows &&) noexcept = default;

    std::size_t size() const { return m_refs.size(); }
    bool empty() const { return m_refs.empty(); }

    /// Appends row as the last row.
    void push_back(const Row &row)
    {
        encode(row);
        m_refs.push_back(append());
    }
    /// Rewrites row i (0 <= i < size()).
    void assign(std::size_t i, const Row &row)
    {
        encode(row);
        const std::uint32_t ref = m_refs[i];
        std::uint8_t *record = recordAt(ref);
        const std::uint8_t *body = nullptr;
        const std::size_t total = recordSize(record, &body);
        const std::size_t bodyLength = total - std::size_t(body - record);
        if (bodyLength == m_encoded.size()) {
            std::memcpy(record + (body - record), m_encoded.data(), bodyLength);
            return;
        }
        m_deadBytes += total;
        m_refs[i] = append();
        maybeCompact();
    }
    /// Decodes row i into out (every member; vectors keep their capacity).
    void decode(std::size_t i, Row &out) const
    {
        const std::uint8_t *body = nullptr;
        recordSize(recordAt(m_refs[i]), &body);
        compact::TrustedReader in {body, nullptr};
        decodeRow(in, out);
    }
    /// Row i, decoded.
    Row at(std::size_t i) const
    {
        Row row;
        decode(i, row);
        return row;
    }
    /// Bytes that may be read (not used) past the end of any record: a reader may load a
    /// short field eight bytes at a time.
    static constexpr std::size_t kReadSlack = 16;

    /// The compact form of row i (valid until the next write); kReadSlack more bytes after
    /// it are readable.
    std::string_view bytes(std::size_t i) const
    {
        const std::uint8_t *record = recordAt(m_refs[i]);
        const std::uint8_t *body = nullptr;
        const std::size_t total = recordSize(record, &body);
        return {reinterpret_cast<const char *>(body), total - std::size_t(body - record)};
    }
    /// Removes rows [first, last); later rows move up.
    void erase(std::size_t first, std::size_t last)
    {
        if (first >= last)
            return;
        for (std::size_t i = first; i < last; ++i) {
            const std::uint8_t *body = nullptr;
            m_deadBytes += recordSize(recordAt(m_refs[i]), &body);
        }
        m_refs.erase(m_refs.begin() + std::ptrdiff_t(first), m_refs.begin() + std::ptrdiff_t(last));
        if (m_refs.empty())
            clear();
        else
            maybeCompact();
    }
    /// Removes every row and frees the arena.
    void clear()
    {
        PodArray<std::uint32_t>().swap(m_refs);
        std::vector<Chunk>().swap(m_chunks);
        m_usedBytes = 0;
        m_deadBytes = 0;
    }
    void swap(PackedRows &other) noexcept
    {
        m_refs.swap(other.m_refs);
        m_chunks.swap(other.m_chunks);
        std::swap(m_usedBytes, other.m_usedBytes);
        std::swap(m_deadBytes, other.m_deadBytes);
    }

    /// Calls fn(std::size_t i, const Row &row) for rows [first, last) in order (one decode
    /// buffer); last is capped at size().
    template<typename Fn> void forEach(Fn fn, std::size_t first = 0, std::size_t last = std::size_t(-1)) const
    {
        Row row;
        last = std::min(last, m_refs.size());
        for (std::size_t i = first; i < last; ++i) {
            decode(i, row);
            fn(i, static_cast<const Row &>(row));
        }
    }

    /// Copies the live records in row order into fresh chunks (normally automatic).
    void compact()
    {
        if (m_deadBytes == 0)
            return;
        std::vector<Chunk> old;
        old.swap(m_chunks);
        m_usedBytes = 0;
        m_deadBytes = 0;
        for (std::uint32_t &ref : m_refs) {
            const std::uint8_t *record = old[ref >> kChunkBits].data.get() + (ref & kOffsetMask);
            const std::uint8_t *body = nullptr;
            const std::size_t total = recordSize(record, &body);
            ref = place(record, total);
        }
    }

    /// Heap bytes held: the references' capacity and the arena chunks.
    std::size_t memoryBytes() const
    {
        std::size_t bytes = m_refs.capacity() * sizeof(std::uint32_t) + m_chunks.capacity() * sizeof(Chunk);
        for (const Chunk &chunk : m_chunks)
            bytes += chunk.capacity;
        return bytes;
    }
    /// Arena bytes of live / dead records.
    std::size_t liveBytes() const { return m_usedBytes - m_deadBytes; }
    std::size_t deadBytes() const { return m_deadBytes; }

private:
    struct Chunk {
        std::unique_ptr<std::uint8_t[]> data;
        std::size_t capacity = 0;
        std::size_t used = 0;
    };
    static constexpr unsigned kChunkBits = 20; // 1 MiB chunks (a larger record gets a chunk of its own)
    static constexpr std::uint32_t kOffsetMask = (std::uint32_t(1) << kChunkBits) - 1;

    std::uint8_t *recordAt(std::uint32_t ref) const
    {
        return m_chunks[ref >> kChunkBits].data.get() + (ref & kOffsetMask);
    }
    /// Size of the record at record (length prefix included); *body = its body.
    static std::size_t recordSize(const std::uint8_t *record, const std::uint8_t **body)
    {
        const std::uint8_t *p = record;
        std::size_t length = 0;
        for (unsigned shift = 0;; shift += 7) {
            const std::uint8_t b = *p++;
            length |= std::size_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                break;
        }
        *body = p;
        return std::size_t(p - record) + length;
    }
    void encode(const Row &row)
    {
        m_encoded.clear();
        encodeRow(row, m_encoded);
    }
    /// Writes m_encoded as a new record at the arena's end; returns its reference.
    std::uint32_t append()
    {
        char header[compact::kMaxVarint];
        const std::size_t headerLength = std::size_t(compact::putVarint(header, m_encoded.size()) - header);
        const std::size_t total = headerLength + m_encoded.size();
        std::uint8_t *at = nullptr;
        const std::uint32_t ref = reserve(total, &at);
        std::memcpy(at, header, headerLength);
        std::memcpy(at + headerLength, m_encoded.data(), m_encoded.size());
        return ref;
    }
    std::uint32_t place(const std::uint8_t *record, std::size_t total)
    {
        std::uint8_t *at = nullptr;
        const std::uint32_t ref = reserve(total, &at);
        std::memcpy(at, record, total);
        return ref;
    }
    /// Room for total bytes at the arena's end.
    std::uint32_t reserve(std::size_t total, std::uint8_t **at)
    {
        if (m_chunks.empty() || m_chunks.back().capacity - m_chunks.back().used < total) {
            if (m_chunks.size() >= (std::size_t(1) << (32 - kChunkBits)))
                throw std::bad_alloc(); // references are 32 bits: 4 GiB of records
            Chunk chunk;
            chunk.capacity = std::max<std::size_t>(std::size_t(1) << kChunkBits, total);
            chunk.data.reset(new std::uint8_t[chunk.capacity + kReadSlack]);
            std::memset(chunk.data.get() + chunk.capacity, 0, kReadSlack);
            m_chunks.push_back(std::move(chunk));
        }
        Chunk &chunk = m_chunks.back();
        const std::uint32_t ref = std::uint32_t((m_chunks.size() - 1) << kChunkBits) | std::uint32_t(chunk.used);
        *at = chunk.data.get() + chunk.used;
        chunk.used += total;
        m_usedBytes += total;
        return ref;
    }
    void maybeCompact()
    {
        if (m_deadBytes >= (std::size_t(256) << 10) && m_deadBytes > m_usedBytes - m_deadBytes)
            compact();
    }

    PodArray<std::uint32_t> m_refs; ///< per row: chunk << kChunkBits | offset of its record (grows in place)
    std::vector<Chunk> m_chunks;
    std::size_t m_usedBytes = 0; ///< arena bytes written (live + dead), chunk tails excluded
    std::size_t m_deadBytes = 0;
    std::string m_encoded; ///< scratch: the record being written
};

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// PackedRouteTable (see packedroutetable.h). Used on the owning source's reader thread;
// an Image on any thread.
#include "platform/packedroutetable.h"

#include "platform/rowfields.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace ncv::platform {

namespace {

std::uint64_t getVarint(const std::uint8_t *&p)
{
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const std::uint8_t b = *p++;
        v |= std::uint64_t(b & 0x7F) << shift;
        if (!(b & 0x80) || shift >= 63)
            return v;
    }
}

} // namespace

void PackedRouteTable::encodeRow(const RouteRow &row, std::string &out)
{
    out.clear();
    platform::encodeRow(row, out);
}

void PackedRouteTable::decodeBody(const std::uint8_t *body, RouteRow &row)
{
    compact::TrustedReader in {body, nullptr};
    platform::decodeRow(in, row);
}

std::size_t PackedRouteTable::recordSize(const std::uint8_t *record, const std::uint8_t **body)
{
    const std::uint8_t *p = record + 1;
    const std::size_t length = std::size_t(getVarint(p));
    *body = p;
    return std::size_t(p - record) + length;
}

PackedRouteTable::BlockRef::BlockRef(std::size_t capacity) : m_block(new Block)
{
    m_block->capacity = capacity;
    m_block->bytes.reset(new std::uint8_t[capacity]);
}

void PackedRouteTable::decode(std::uint32_t ref, RouteRow &row) const
{
    const std::uint8_t *body = nullptr;
    recordSize(recordAt(ref), &body);
    decodeBody(body, row);
}

const std::uint8_t *PackedRouteTable::recordAt(std::uint32_t ref) const
{
    return m_chunks[ref >> kChunkBits].block.data() + (ref & ((1u << kChunkBits) - 1));
}

std::uint8_t *PackedRouteTable::writableRecordAt(std::uint32_t ref)
{
    Chunk &chunk = m_chunks[ref >> kChunkBits];
    makeUnshared(chunk);
    return chunk.block.data() + (ref & ((1u << kChunkBits) - 1));
}

void PackedRouteTable::makeUnshared(Chunk &chunk)
{
    if (!chunk.block.shared())
        return;
    // An image reads this chunk: write into a copy (the image keeps the original).
    BlockRef copy(chunk.block.capacity());
    std::memcpy(copy.data(), chunk.block.data(), chunk.used);
    chunk.block = std::move(copy);
    ++m_chunkCopies;
}

void PackedRouteTable::addChunk(std::size_t minimum)
{
    Chunk chunk;
    chunk.block = BlockRef(std::max<std::size_t>(std::size_t(1) << kChunkBits, minimum));
    m_chunks.push_back(std::move(chunk));
}

void PackedRouteTable::mark(std::uint32_t slot)
{
    *writableRecordAt(m_index.value(slot)) |= kMarked;
}

void PackedRouteTable::clearMarks()
{
    for (Chunk &chunk : m_chunks) {
        // Only a chunk with a marked record is written (and so copied when an image shares it).
        const auto unmarked = [](const std::uint8_t *record, const std::uint8_t *) { return !(*record & kMarked); };
        if (forEachRecord(chunk.block.data(), chunk.used, unmarked))
            continue;
        makeUnshared(chunk);
        forEachRecord(chunk.block.data(), chunk.used, [](const std::uint8_t *record, const std::uint8_t *) {
            *const_cast<std::uint8_t *>(record) &= std::uint8_t(~kMarked);
            return true;
        });
    }
}

PackedRouteTable::Image PackedRouteTable::image() const
{
    Image image;
    image.m_chunks.reserve(m_chunks.size());
    for (const Chunk &chunk : m_chunks)
        image.m_chunks.emplace_back(chunk.block, chunk.used);
    image.m_size = m_index.size();
    return image;
}

std::uint32_t PackedRouteTable::append(std::uint8_t flags)
{
    std::uint8_t header[11];
    header[0] = flags;
    std::size_t headerLength = 1;
    for (std::uint64_t v = m_encoded.size();; v >>= 7) {
        header[headerLength++] = std::uint8_t(v >= 0x80 ? (v | 0x80) : v);
        if (v < 0x80)
            break;
    }
    const std::size_t total = headerLength + m_encoded.size();
    if (m_chunks.empty() || m_chunks.back().block.capacity() - m_chunks.back().used < total) {
        if (m_chunks.size() >= (std::size_t(1) << (32 - kChunkBits)))
            throw std::bad_alloc(); // references are 32 bits: 4 GiB of records (~170M IPv4 routes)
        addChunk(total);
    }
    // Past the used bytes: an image sharing this chunk never reads here (no copy needed).
    Chunk &chunk = m_chunks.back();
    const std::uint32_t ref = std::uint32_t((m_chunks.size() - 1) << kChunkBits) | std::uint32_t(chunk.used);
    std::memcpy(chunk.block.data() + chunk.used, header, headerLength);
    std::memcpy(chunk.block.data() + chunk.used + headerLength, m_encoded.data(), m_encoded.size());
    chunk.used += total;
    m_usedBytes += total;
    return ref;
}

void PackedRouteTable::insert(std::uint64_t hash, const RouteRow &row, bool marked)
{
    encodeRow(row, m_encoded);
    m_index.insert(hash, append(std::uint8_t(kLive | (marked ? kMarked : 0))));
}

void PackedRouteTable::assign(std::uint32_t slotIndex, const RouteRow &row)
{
    const std::uint32_t ref = m_index.value(slotIndex);
    const std::uint8_t *held = recordAt(ref);
    const std::uint8_t *body = nullptr;
    const std::size_t total = recordSize(held, &body);
    const std::size_t bodyOffset = std::size_t(body - held);
    encodeRow(row, m_encoded);
    const std::size_t bodyLength = total - bodyOffset;
    if (bodyLength == m_encoded.size()) {
        // Unchanged bytes (a refresh of nothing): no write, so no copy of a shared chunk.
        if (std::memcmp(body, m_encoded.data(), bodyLength) != 0)
            std::memcpy(writableRecordAt(ref) + bodyOffset, m_encoded.data(), bodyLength);
        return;
    }
    std::uint8_t *record = writableRecordAt(ref);
    const std::uint8_t flags = record[0];
    record[0] = 0; // dead
    m_deadBytes += total;
    m_index.setValue(slotIndex, append(flags)); // live, and marked if it was
    maybeCompact();
}

void PackedRouteTable::erase(std::uint32_t slotIndex)
{
    std::uint8_t *record = writableRecordAt(m_index.value(slotIndex));
    const std::uint8_t *body = nullptr;
    m_deadBytes += recordSize(record, &body);
    record[0] = 0;
    m_index.erase(slotIndex);
    if (m_index.empty())
        clear();
    else
        maybeCompact();
}

void PackedRouteTable::maybeCompact()
{
    if (m_deadBytes >= (std::size_t(256) << 10) && m_deadBytes > m_usedBytes - m_deadBytes)
        compact();
}

void PackedRouteTable::compact()
{
    if (m_deadBytes == 0)
        return;
    // Live records in arena order, each with its index slot, then copied into fresh chunks.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> order; // (ref, slot)
    order.reserve(m_index.size());
    m_index.forEach([&order](std::uint32_t slot, std::uint32_t ref) { order.emplace_back(ref, slot); });
    std::sort(order.begin(), order.end());
    std::vector<Chunk> old;
    old.swap(m_chunks);
    m_usedBytes = 0;
    m_deadBytes = 0;
    for (const auto &[ref, slotIndex] : order) {
        const std::uint8_t *record = old[ref >> kChunkBits].block.data() + (ref & ((1u << kChunkBits) - 1));
        const std::uint8_t *body = nullptr;
        const std::size_t total = recordSize(record, &body);
        if (m_chunks.empty() || m_chunks.back().block.capacity() - m_chunks.back().used < total)
            addChunk(total);
        Chunk &chunk = m_chunks.back();
        std::memcpy(chunk.block.data() + chunk.used, record, total);
        m_index.setValue(slotIndex, std::uint32_t((m_chunks.size() - 1) << kChunkBits) | std::uint32_t(chunk.used));
        chunk.used += total;
        m_usedBytes += total;
    }
}

void PackedRouteTable::clear()
{
    m_index.clear();
    std::vector<Chunk>().swap(m_chunks);
    m_usedBytes = 0;
    m_deadBytes = 0;
}

std::size_t PackedRouteTable::memoryBytes() const
{
    std::size_t bytes = m_index.memoryBytes() + m_chunks.capacity() * sizeof(Chunk);
    for (const Chunk &chunk : m_chunks)
        bytes += sizeof(Block) + chunk.block.capacity();
    return bytes;
}

void PackedRouteList::push(const RouteRow &row)
{
    PackedRouteTable::encodeRow(row, m_scratch);
    const std::uint32_t length = std::uint32_t(m_scratch.size());
    for (int i = 0; i < 4; ++i)
        m_bytes.push_back(std::uint8_t(length >> (8 * i)));
    m_bytes.insert(m_bytes.end(), m_scratch.begin(), m_scratch.end());
    ++m_count;
}

void PackedRouteList::clear()
{
    std::vector<std::uint8_t>().swap(m_bytes);
    m_count = 0;
}

} // namespace ncv::platform

// SPDX-License-Identifier: GPL-2.0-or-later
// PackedRouteTable (see packedroutetable.h). Used on the owning source's reader thread.
#include "platform/packedroutetable.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace ncv::platform {

namespace {

void putVarint(std::vector<std::uint8_t> &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(std::uint8_t(v | 0x80));
        v >>= 7;
    }
    out.push_back(std::uint8_t(v));
}

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

std::uint64_t zigzag(std::int64_t v)
{
    return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v)
{
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

std::size_t addressLength(unsigned family)
{
    return family == unsigned(Family::IPv4) ? 4 : family == unsigned(Family::IPv6) ? 16 : 0;
}

void putAddressBytes(std::vector<std::uint8_t> &out, const IpAddress &a)
{
    const std::size_t n = addressLength(unsigned(a.family) & 3);
    out.insert(out.end(), a.bytes.begin(), a.bytes.begin() + std::ptrdiff_t(n));
}

void getAddress(const std::uint8_t *&p, unsigned family, IpAddress &a)
{
    a.family = Family(family);
    a.bytes = {};
    const std::size_t n = addressLength(family);
    std::memcpy(a.bytes.data(), p, n);
    p += n;
}

} // namespace

void PackedRouteTable::encodeRow(const RouteRow &row, std::vector<std::uint8_t> &out)
{
    out.clear();
    out.push_back(std::uint8_t((unsigned(row.destination.family) & 3) | ((unsigned(row.protocolSpace) & 1) << 2)
                               | ((unsigned(row.prefSrc.family) & 3) << 3)));
    out.push_back(row.prefixLength);
    out.push_back(row.tos);
    out.push_back(row.scope);
    out.push_back(row.type);
    putAddressBytes(out, row.destination);
    putVarint(out, row.table);
    putVarint(out, row.metric);
    putVarint(out, row.protocol);
    putVarint(out, row.nhId);
    putVarint(out, row.luid);
    putVarint(out, zigzag(row.expiresUs));
    putAddressBytes(out, row.prefSrc);
    putVarint(out, row.nextHops.size());
    for (const NextHop &hop : row.nextHops) {
        out.push_back(std::uint8_t((unsigned(hop.gateway.family) & 3) | (hop.weight == 1 ? 0x80 : 0)));
        putAddressBytes(out, hop.gateway);
        putVarint(out, hop.ifIndex);
        if (hop.weight != 1)
            putVarint(out, hop.weight);
    }
}

void PackedRouteTable::decodeBody(const std::uint8_t *p, RouteRow &row)
{
    const std::uint8_t head = *p++;
    row.prefixLength = *p++;
    row.tos = *p++;
    row.scope = *p++;
    row.type = *p++;
    getAddress(p, head & 3, row.destination);
    row.protocolSpace = ProtocolSpace((head >> 2) & 1);
    row.table = std::uint32_t(getVarint(p));
    row.metric = std::uint32_t(getVarint(p));
    row.protocol = std::uint32_t(getVarint(p));
    row.nhId = std::uint32_t(getVarint(p));
    row.luid = getVarint(p);
    row.expiresUs = unzigzag(getVarint(p));
    getAddress(p, (head >> 3) & 3, row.prefSrc);
    const std::size_t hops = std::size_t(getVarint(p));
    row.nextHops.resize(hops);
    for (NextHop &hop : row.nextHops) {
        const std::uint8_t h = *p++;
        getAddress(p, h & 3, hop.gateway);
        hop.ifIndex = std::uint32_t(getVarint(p));
        hop.weight = (h & 0x80) ? 1 : std::uint16_t(getVarint(p));
    }
}

std::size_t PackedRouteTable::recordSize(const std::uint8_t *record, const std::uint8_t **body)
{
    const std::uint8_t *p = record + 1;
    const std::size_t length = std::size_t(getVarint(p));
    *body = p;
    return std::size_t(p - record) + length;
}

void PackedRouteTable::decode(std::uint32_t ref, RouteRow &row) const
{
    const std::uint8_t *record = m_chunks[ref >> kChunkBits].data.get() + (ref & ((1u << kChunkBits) - 1));
    const std::uint8_t *body = nullptr;
    recordSize(record, &body);
    decodeBody(body, row);
}

std::uint8_t *PackedRouteTable::recordAt(std::uint32_t ref) const
{
    return m_chunks[ref >> kChunkBits].data.get() + (ref & ((1u << kChunkBits) - 1));
}

void PackedRouteTable::mark(std::uint32_t slot)
{
    *recordAt(m_slots[slot].ref) |= kMarked;
}

void PackedRouteTable::clearMarks()
{
    for (Chunk &chunk : m_chunks) {
        std::uint8_t *p = chunk.data.get();
        std::uint8_t *end = p + chunk.used;
        while (p < end) {
            const std::uint8_t *body = nullptr;
            const std::size_t total = recordSize(p, &body);
            *p &= std::uint8_t(~kMarked);
            p += total;
        }
    }
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
    if (m_chunks.empty() || m_chunks.back().capacity - m_chunks.back().used < total) {
        if (m_chunks.size() >= (std::size_t(1) << (32 - kChunkBits)))
            throw std::bad_alloc(); // references are 32 bits: 4 GiB of records (~170M IPv4 routes)
        Chunk chunk;
        chunk.capacity = std::max<std::size_t>(std::size_t(1) << kChunkBits, total);
        chunk.data.reset(new std::uint8_t[chunk.capacity]);
        m_chunks.push_back(std::move(chunk));
    }
    Chunk &chunk = m_chunks.back();
    const std::uint32_t ref = std::uint32_t((m_chunks.size() - 1) << kChunkBits) | std::uint32_t(chunk.used);
    std::memcpy(chunk.data.get() + chunk.used, header, headerLength);
    std::memcpy(chunk.data.get() + chunk.used + headerLength, m_encoded.data(), m_encoded.size());
    chunk.used += total;
    m_usedBytes += total;
    return ref;
}

void PackedRouteTable::prefetch(std::uint64_t hash) const
{
#if defined(__GNUC__) || defined(__clang__)
    if (!m_slots.empty())
        __builtin_prefetch(&m_slots[std::uint32_t(hash) & m_mask]);
#else
    (void)hash;
#endif
}

void PackedRouteTable::place(Slot slot)
{
    std::size_t i = slot.hash & m_mask;
    while (m_slots[i].ref != npos)
        i = (i + 1) & m_mask;
    m_slots[i] = slot;
}

void PackedRouteTable::grow()
{
    std::vector<Slot> old;
    old.swap(m_slots);
    const std::size_t capacity = old.empty() ? 64 : old.size() * 2;
    m_slots.assign(capacity, Slot {});
    m_mask = capacity - 1;
    for (const Slot &slot : old)
        if (slot.ref != npos)
            place(slot);
}

void PackedRouteTable::insert(std::uint64_t hash, const RouteRow &row, bool marked)
{
    if ((m_count + 1) * 4 > m_slots.size() * 3)
        grow();
    encodeRow(row, m_encoded);
    place(Slot {append(std::uint8_t(kLive | (marked ? kMarked : 0))), std::uint32_t(hash)});
    ++m_count;
}

void PackedRouteTable::assign(std::uint32_t slotIndex, const RouteRow &row)
{
    Slot &slot = m_slots[slotIndex];
    std::uint8_t *record = m_chunks[slot.ref >> kChunkBits].data.get() + (slot.ref & ((1u << kChunkBits) - 1));
    const std::uint8_t *body = nullptr;
    const std::size_t total = recordSize(record, &body);
    encodeRow(row, m_encoded);
    const std::size_t bodyLength = total - std::size_t(body - record);
    if (bodyLength == m_encoded.size()) {
        std::memcpy(const_cast<std::uint8_t *>(body), m_encoded.data(), bodyLength);
        return;
    }
    const std::uint8_t flags = record[0];
    record[0] = 0; // dead
    m_deadBytes += total;
    slot.ref = append(flags); // live, and marked if it was
    maybeCompact();
}

void PackedRouteTable::erase(std::uint32_t slotIndex)
{
    {
        const std::uint32_t ref = m_slots[slotIndex].ref;
        std::uint8_t *record = m_chunks[ref >> kChunkBits].data.get() + (ref & ((1u << kChunkBits) - 1));
        const std::uint8_t *body = nullptr;
        m_deadBytes += recordSize(record, &body);
        record[0] = 0;
    }
    // Backward-shift deletion: pull later members of the probe run into the hole when the
    // hole lies between their home slot and where they are.
    std::size_t i = slotIndex;
    for (std::size_t j = (i + 1) & m_mask; m_slots[j].ref != npos; j = (j + 1) & m_mask) {
        const std::size_t home = m_slots[j].hash & m_mask;
        const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        m_slots[i] = m_slots[j];
        i = j;
    }
    m_slots[i] = Slot {};
    --m_count;
    if (m_count == 0)
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
    order.reserve(m_count);
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        if (m_slots[i].ref != npos)
            order.emplace_back(m_slots[i].ref, std::uint32_t(i));
    std::sort(order.begin(), order.end());
    std::vector<Chunk> old;
    old.swap(m_chunks);
    m_usedBytes = 0;
    m_deadBytes = 0;
    for (const auto &[ref, slotIndex] : order) {
        const std::uint8_t *record = old[ref >> kChunkBits].data.get() + (ref & ((1u << kChunkBits) - 1));
        const std::uint8_t *body = nullptr;
        const std::size_t total = recordSize(record, &body);
        if (m_chunks.empty() || m_chunks.back().capacity - m_chunks.back().used < total) {
            Chunk chunk;
            chunk.capacity = std::max<std::size_t>(std::size_t(1) << kChunkBits, total);
            chunk.data.reset(new std::uint8_t[chunk.capacity]);
            m_chunks.push_back(std::move(chunk));
        }
        Chunk &chunk = m_chunks.back();
        std::memcpy(chunk.data.get() + chunk.used, record, total);
        m_slots[slotIndex].ref = std::uint32_t((m_chunks.size() - 1) << kChunkBits) | std::uint32_t(chunk.used);
        chunk.used += total;
        m_usedBytes += total;
    }
}

void PackedRouteTable::clear()
{
    std::vector<Slot>().swap(m_slots);
    m_mask = 0;
    m_count = 0;
    std::vector<Chunk>().swap(m_chunks);
    m_usedBytes = 0;
    m_deadBytes = 0;
}

std::size_t PackedRouteTable::memoryBytes() const
{
    std::size_t bytes = m_slots.capacity() * sizeof(Slot) + m_chunks.capacity() * sizeof(Chunk);
    for (const Chunk &chunk : m_chunks)
        bytes += chunk.capacity;
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

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventhistory.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace ncv {

using namespace platform;

EventHistory::EventHistory(QObject *parent) : QObject(parent)
{
    m_names.append(QString());
    m_nameIndex.insert(QString(), 0);
}

EventHistory::~EventHistory() = default;

const EventHistory::Header &EventHistory::locate(const std::vector<std::shared_ptr<const Chunk>> &chunks,
                                                 quint64 sequence, const Chunk **chunk)
{
    // Chunks are kChunkEvents long except where a drop or clear cut them: binary search.
    auto it
        = std::upper_bound(chunks.begin(), chunks.end(), sequence,
                           [](quint64 seq, const std::shared_ptr<const Chunk> &c) { return seq < c->firstSequence; });
    const Chunk *c = (it - 1)->get();
    *chunk = c;
    return c->headers[std::size_t(sequence - c->firstSequence)];
}

qint64 EventHistory::timeAt(const std::vector<std::shared_ptr<const Chunk>> &chunks, quint64 sequence)
{
    const Chunk *c = nullptr;
    const Header &h = locate(chunks, sequence, &c);
    return c->timeUs(h);
}

qint64 EventHistory::Chunk::timeUs(const Header &h) const
{
    if (h.timeDeltaUs != kFarTime)
        return baseUs + h.timeDeltaUs;
    const auto index = quint32(&h - headers.data());
    const auto it = std::lower_bound(farTimes.begin(), farTimes.end(), index,
                                     [](const std::pair<quint32, qint64> &far, quint32 i) { return far.first < i; });
    return it != farTimes.end() && it->first == index ? it->second : baseUs;
}

void EventHistory::Chunk::add(qint64 timeUs, std::size_t offset, qint32 nameIndex)
{
    if (headers.empty())
        baseUs = timeUs;
    const qint64 delta = timeUs - baseUs;
    qint32 stored = qint32(delta);
    if (delta <= kFarTime || delta > std::numeric_limits<qint32>::max()) {
        stored = kFarTime;
        farTimes.emplace_back(quint32(headers.size()), timeUs);
    }
    headers.push_back(Header {stored, quint32(offset), nameIndex});
}

ChangeRecord EventHistory::decodeAt(const Chunk &chunk, const Header &h)
{
    ChangeRecord r;
    const char *begin = chunk.blob.data() + h.offset;
    eventcodec::decode(begin, chunk.blob.data() + chunk.blob.size(), &r);
    r.timeUs = chunk.timeUs(h);
    return r;
}

ChangeRecord EventHistory::record(qint64 i) const
{
    const Chunk *c = nullptr;
    const Header &h = locate(m_chunks, sequence(i), &c);
    return decodeAt(*c, h);
}

QString EventHistory::ifName(qint64 i) const
{
    const Chunk *c = nullptr;
    return m_names.at(locate(m_chunks, sequence(i), &c).nameIndex);
}

qint64 EventHistory::timeUs(qint64 i) const
{
    return timeAt(m_chunks, sequence(i));
}

qint64 EventHistory::lastIndexAtOrBefore(qint64 us) const
{
    qint64 lo = 0, hi = m_size; // first index with time > us
    while (lo < hi) {
        const qint64 mid = lo + (hi - lo) / 2;
        if (timeUs(mid) <= us)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

std::string_view EventHistory::encoded(qint64 i) const
{
    const Chunk *c = nullptr;
    const quint64 seq = sequence(i);
    const Header &h = locate(m_chunks, seq, &c);
    const std::size_t at = std::size_t(seq - c->firstSequence);
    const std::size_t end = at + 1 < c->headers.size() ? c->headers[at + 1].offset : c->blob.size();
    return std::string_view(c->blob.data() + h.offset, end - h.offset);
}

ChangeRecord EventHistory::Snapshot::record(qint64 i) const
{
    const Chunk *c = nullptr;
    const Header &h = locate(m_chunks, sequence(i), &c);
    return decodeAt(*c, h);
}

QString EventHistory::Snapshot::ifName(qint64 i) const
{
    const Chunk *c = nullptr;
    return m_names.at(locate(m_chunks, sequence(i), &c).nameIndex);
}

qint32 EventHistory::Snapshot::ifNameIndex(qint64 i) const
{
    const Chunk *c = nullptr;
    return locate(m_chunks, sequence(i), &c).nameIndex;
}

qint64 EventHistory::Snapshot::timeUs(qint64 i) const
{
    return timeAt(m_chunks, sequence(i));
}

EventHistory::Snapshot EventHistory::snapshot() const
{
    Snapshot s;
    s.m_firstSequence = m_firstSequence;
    s.m_size = m_size;
    s.m_names = m_names;
    s.m_chunks = m_chunks;
    s.m_droppedBefore = m_droppedSinceClear;
    s.m_lastDroppedTimeUs = m_lastDroppedTimeUs;
    s.m_capacity = m_capacity;
    s.m_nanosecondTimes = m_nanosecondTimes;
    if (m_open && !s.m_chunks.empty()) // the open chunk still changes: the snapshot gets a copy
        s.m_chunks.back() = std::make_shared<const Chunk>(*m_open);
    return s;
}

qint64 EventHistory::storageBytes() const
{
    qint64 bytes = qint64(m_chunks.capacity() * sizeof(m_chunks[0]));
    for (const auto &c : m_chunks)
        bytes += qint64(sizeof(Chunk) + c->headers.capacity() * sizeof(Header) + c->blob.capacity()
                        + c->farTimes.capacity() * sizeof(c->farTimes[0]));
    for (const QString &name : m_names)
        bytes += qint64(sizeof(QString) + name.capacity() * 2);
    return bytes;
}

qint32 EventHistory::internName(const QString &name)
{
    const auto it = m_nameIndex.constFind(name);
    if (it != m_nameIndex.constEnd())
        return *it;
    const qint32 index = qint32(m_names.size());
    m_names.append(name);
    m_nameIndex.insert(name, index);
    return index;
}

std::size_t EventHistory::makeRoom(qint64 incoming)
{
    // Drop first what the capacity limit will not keep, so indexes stay simple for views.
    // Dropping costs views O(rows) (a proxy remaps), so when at the limit drop a slack of up
    // to one chunk more (at most 1/16 of the capacity): drops then happen once per chunk.
    const qint64 slack = std::min(kChunkEvents, m_capacity / 16);
    const qint64 over = m_size + incoming > m_capacity ? m_size + incoming - m_capacity + slack : 0;
    if (over <= 0)
        return 0;
    const qint64 fromOld = std::min(over, m_size);
    if (fromOld > 0)
        dropOldest(fromOld);
    // More new events than the capacity: the oldest new ones are dropped unseen.
    const qint64 fromNew = over - fromOld;
    if (fromNew <= 0)
        return 0;
    m_firstSequence += quint64(fromNew);
    m_dropped += fromNew; // the caller calls noteDropped() with the time of the newest one
    return std::size_t(fromNew);
}

void EventHistory::noteDropped(qint64 count, qint64 timeUs)
{
    m_droppedSinceClear += count;
    m_lastDroppedTimeUs = std::max(m_lastDroppedTimeUs, timeUs);
    Q_EMIT droppedCountChanged(m_dropped);
}

EventHistory::Chunk &EventHistory::openChunk()
{
    if (!m_open || qint64(m_open->headers.size()) >= kChunkEvents) {
        if (m_open) { // sealed: never changed again
            m_open->blob.shrink_to_fit();
            m_open->farTimes.shrink_to_fit();
        }
        auto chunk = std::make_shared<Chunk>();
        chunk->firstSequence = m_firstSequence + quint64(m_size);
        chunk->headers.reserve(std::size_t(kChunkEvents));
        chunk->blob.reserve(std::size_t(kChunkEvents) * 48);
        m_open = chunk.get();
        m_chunks.push_back(std::move(chunk));
    }
    return *m_open;
}

void EventHistory::append(std::vector<Entry> &&entries)
{
    if (entries.empty())
        return;
    const std::size_t skip = makeRoom(qint64(entries.size()));
    if (skip > 0)
        noteDropped(qint64(skip), entries[skip - 1].record.timeUs);
    const qint64 first = m_size;
    for (std::size_t k = skip; k < entries.size(); ++k) {
        const Entry &entry = entries[k];
        Chunk &chunk = openChunk();
        const std::size_t offset = chunk.blob.size();
        eventcodec::encode(entry.record, chunk.blob);
        chunk.add(entry.record.timeUs, offset, internName(entry.ifName));
        ++m_size;
    }
    if (m_size > first)
        Q_EMIT appended(first, m_size - 1);
}

void EventHistory::appendEncoded(std::span<const EncodedEntry> entries)
{
    if (entries.empty())
        return;
    const std::size_t skip = makeRoom(qint64(entries.size()));
    if (skip > 0)
        noteDropped(qint64(skip), entries[skip - 1].timeUs);
    const qint64 first = m_size;
    const auto names = qint32(m_names.size());
    for (std::size_t k = skip; k < entries.size(); ++k) {
        const EncodedEntry &entry = entries[k];
        Chunk &chunk = openChunk();
        const std::size_t offset = chunk.blob.size();
        chunk.blob.append(entry.data, entry.size);
        const qint32 name = entry.nameIndex >= 0 && entry.nameIndex < names ? entry.nameIndex : 0;
        chunk.add(entry.timeUs, offset, name);
        ++m_size;
    }
    if (m_size > first)
        Q_EMIT appended(first, m_size - 1);
}

void EventHistory::append(ChangeRecord record, const QString &ifName)
{
    std::vector<Entry> entries;
    entries.push_back(Entry {std::move(record), ifName});
    append(std::move(entries));
}

void EventHistory::dropOldest(qint64 count)
{
    count = std::min(count, m_size);
    if (count <= 0)
        return;
    Q_EMIT aboutToDropOldest(count);
    const qint64 newestDroppedUs = timeAt(m_chunks, m_firstSequence + quint64(count) - 1);
    m_firstSequence += quint64(count);
    m_size -= count;
    m_dropped += count;
    // Free the chunks that now hold no kept event.
    std::size_t gone = 0;
    while (gone < m_chunks.size()) {
        const Chunk &c = *m_chunks[gone];
        if (c.firstSequence + c.headers.size() > m_firstSequence)
            break;
        ++gone;
    }
    if (gone > 0) {
        if (gone == m_chunks.size())
            m_open = nullptr;
        m_chunks.erase(m_chunks.begin(), m_chunks.begin() + std::ptrdiff_t(gone));
    }
    Q_EMIT droppedOldest(count);
    noteDropped(count, newestDroppedUs);
}

void EventHistory::setCapacity(qint64 maxEvents)
{
    m_capacity = std::max<qint64>(1, maxEvents);
    if (m_size > m_capacity)
        dropOldest(m_size - m_capacity);
}

void EventHistory::clear()
{
    Q_EMIT aboutToBeCleared();
    m_firstSequence += quint64(m_size);
    m_size = 0;
    m_chunks.clear();
    m_chunks.shrink_to_fit();
    m_open = nullptr;
    m_droppedSinceClear = 0;
    m_lastDroppedTimeUs = 0;
    Q_EMIT cleared();
}

} // namespace ncv

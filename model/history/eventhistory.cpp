// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventhistory.h"

#include <algorithm>
#include <cstring>

namespace ncv {

using namespace platform;

// ---------------------------------------------------------------------------------------
// Compact record form: bytes object, change, origin, family; varint changedFields;
// before and after rows (a variant index byte, then the row); note (varint length, bytes).
// Integers are LEB128 varints (signed ones zigzag), addresses a family byte and their
// real length, strings a varint length and UTF-8 bytes.
namespace eventcodec {

namespace {

void putU(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(char(std::uint8_t(v) | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}
void putS(std::string &out, std::int64_t v)
{
    putU(out, (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63));
}
void putB(std::string &out, std::uint8_t v)
{
    out.push_back(char(v));
}
void putStr(std::string &out, const std::string &s)
{
    putU(out, s.size());
    out.append(s);
}
void putIp(std::string &out, const IpAddress &a)
{
    putB(out, std::uint8_t(a.family));
    out.append(reinterpret_cast<const char *>(a.bytes.data()), a.byteLength());
}

struct Reader {
    const char *p;
    const char *end;
    bool ok = true;

    std::uint64_t u()
    {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                ok = false;
                return 0;
            }
            const std::uint8_t b = std::uint8_t(*p++);
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        ok = false;
        return 0;
    }
    std::int64_t s()
    {
        const std::uint64_t v = u();
        return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
    }
    std::uint8_t b()
    {
        if (p >= end) {
            ok = false;
            return 0;
        }
        return std::uint8_t(*p++);
    }
    void str(std::string &s)
    {
        const std::uint64_t n = u();
        if (!ok || n > std::uint64_t(end - p)) {
            ok = false;
            return;
        }
        s.assign(p, std::size_t(n));
        p += n;
    }
    void ip(IpAddress &a)
    {
        const std::uint8_t f = b();
        if (f > std::uint8_t(Family::IPv6)) {
            ok = false;
            return;
        }
        a.family = Family(f);
        const std::size_t n = a.byteLength();
        if (std::size_t(end - p) < n) {
            ok = false;
            return;
        }
        std::memcpy(a.bytes.data(), p, n);
        p += n;
    }
};

void putRow(std::string &out, const Row &row)
{
    putB(out, std::uint8_t(row.index()));
    if (const auto *i = std::get_if<InterfaceRow>(&row)) {
        putU(out, i->ifIndex);
        putU(out, i->luid);
        putB(out, std::uint8_t(i->family));
        putStr(out, i->name);
        putStr(out, i->alias);
        putStr(out, i->kind);
        putB(out, std::uint8_t(i->operState));
        putB(out, std::uint8_t((i->adminUp ? 1 : 0) | (i->carrier ? 2 : 0)));
        putU(out, i->mtu);
        putB(out, i->macLength);
        out.append(reinterpret_cast<const char *>(i->mac.data()), std::min<std::size_t>(i->macLength, i->mac.size()));
        putU(out, i->masterIndex);
        putU(out, i->linkType);
    } else if (const auto *a = std::get_if<AddressRow>(&row)) {
        putU(out, a->ifIndex);
        putU(out, a->luid);
        putIp(out, a->address);
        putIp(out, a->peer);
        putB(out, a->prefixLength);
        putB(out, a->scope);
        putU(out, a->flags);
        putU(out, a->validLifetime);
        putU(out, a->preferredLifetime);
        putS(out, a->validUntilUs);
        putS(out, a->preferredUntilUs);
        putStr(out, a->label);
    } else if (const auto *r = std::get_if<RouteRow>(&row)) {
        putIp(out, r->destination);
        putB(out, r->prefixLength);
        putB(out, r->tos);
        putU(out, r->protocol);
        putB(out, std::uint8_t(r->protocolSpace));
        putB(out, r->scope);
        putB(out, r->type);
        putU(out, r->table);
        putU(out, r->metric);
        putU(out, r->luid);
        putIp(out, r->prefSrc);
        putU(out, r->nextHops.size());
        for (const NextHop &hop : r->nextHops) {
            putIp(out, hop.gateway);
            putU(out, hop.ifIndex);
            putU(out, hop.weight);
        }
        putU(out, r->nhId);
        putS(out, r->expiresUs);
    } else if (const auto *e = std::get_if<EntityRow>(&row)) {
        putU(out, e->protocol);
        putB(out, std::uint8_t(e->protocolSpace));
        putU(out, e->routeCount);
    }
}

void readRow(Reader &in, Row &row)
{
    switch (in.b()) {
    case 0: row = std::monostate {}; break;
    case 1: {
        InterfaceRow i;
        i.ifIndex = std::uint32_t(in.u());
        i.luid = in.u();
        i.family = Family(in.b());
        in.str(i.name);
        in.str(i.alias);
        in.str(i.kind);
        i.operState = OperState(in.b());
        const std::uint8_t flags = in.b();
        i.adminUp = flags & 1;
        i.carrier = flags & 2;
        i.mtu = std::uint32_t(in.u());
        i.macLength = in.b();
        const std::size_t n = std::min<std::size_t>(i.macLength, i.mac.size());
        if (std::size_t(in.end - in.p) < n) {
            in.ok = false;
            return;
        }
        std::memcpy(i.mac.data(), in.p, n);
        in.p += n;
        i.masterIndex = std::uint32_t(in.u());
        i.linkType = std::uint32_t(in.u());
        row = std::move(i);
        break;
    }
    case 2: {
        AddressRow a;
        a.ifIndex = std::uint32_t(in.u());
        a.luid = in.u();
        in.ip(a.address);
        in.ip(a.peer);
        a.prefixLength = in.b();
        a.scope = in.b();
        a.flags = std::uint32_t(in.u());
        a.validLifetime = std::uint32_t(in.u());
        a.preferredLifetime = std::uint32_t(in.u());
        a.validUntilUs = in.s();
        a.preferredUntilUs = in.s();
        in.str(a.label);
        row = std::move(a);
        break;
    }
    case 3: {
        RouteRow r;
        in.ip(r.destination);
        r.prefixLength = in.b();
        r.tos = in.b();
        r.protocol = std::uint32_t(in.u());
        r.protocolSpace = ProtocolSpace(in.b());
        r.scope = in.b();
        r.type = in.b();
        r.table = std::uint32_t(in.u());
        r.metric = std::uint32_t(in.u());
        r.luid = in.u();
        in.ip(r.prefSrc);
        const std::uint64_t hops = in.u();
        if (!in.ok || hops > std::uint64_t(in.end - in.p)) {
            in.ok = false;
            return;
        }
        r.nextHops.resize(std::size_t(hops));
        for (NextHop &hop : r.nextHops) {
            in.ip(hop.gateway);
            hop.ifIndex = std::uint32_t(in.u());
            hop.weight = std::uint16_t(in.u());
        }
        r.nhId = std::uint32_t(in.u());
        r.expiresUs = in.s();
        row = std::move(r);
        break;
    }
    case 4: {
        EntityRow e;
        e.protocol = std::uint32_t(in.u());
        e.protocolSpace = ProtocolSpace(in.b());
        e.routeCount = in.u();
        row = e;
        break;
    }
    default: in.ok = false; break;
    }
}

// Skips one row written by putRow (same checks as readRow); *ifIndex gets its interface
// index (see Peek). Returns the variant index (0 = none).
std::uint8_t skipRow(Reader &in, std::uint32_t *ifIndex)
{
    const auto skipBytes = [&in](std::uint64_t n) {
        if (!in.ok || n > std::uint64_t(in.end - in.p)) {
            in.ok = false;
            return;
        }
        in.p += n;
    };
    const auto skipStr = [&] { skipBytes(in.u()); };
    IpAddress ip; // read into a scratch value: keeps the family checks of readRow
    *ifIndex = 0;
    const std::uint8_t kind = in.b();
    switch (kind) {
    case 0: break;
    case 1:
        *ifIndex = std::uint32_t(in.u());
        in.u(); // luid
        in.b(); // family
        skipStr(); // name
        skipStr(); // alias
        skipStr(); // kind
        in.b(); // operState
        in.b(); // flags
        in.u(); // mtu
        skipBytes(std::min<std::size_t>(in.b(), InterfaceRow {}.mac.size()));
        in.u(); // masterIndex
        in.u(); // linkType
        break;
    case 2:
        *ifIndex = std::uint32_t(in.u());
        in.u(); // luid
        in.ip(ip); // address
        in.ip(ip); // peer
        in.b(); // prefixLength
        in.b(); // scope
        in.u(); // flags
        in.u(); // validLifetime
        in.u(); // preferredLifetime
        in.s(); // validUntilUs
        in.s(); // preferredUntilUs
        skipStr(); // label
        break;
    case 3: {
        in.ip(ip); // destination
        in.b(); // prefixLength
        in.b(); // tos
        in.u(); // protocol
        in.b(); // protocolSpace
        in.b(); // scope
        in.b(); // type
        in.u(); // table
        in.u(); // metric
        in.u(); // luid
        in.ip(ip); // prefSrc
        const std::uint64_t hops = in.u();
        if (!in.ok || hops > std::uint64_t(in.end - in.p)) {
            in.ok = false;
            break;
        }
        for (std::uint64_t k = 0; k < hops && in.ok; ++k) {
            in.ip(ip);
            const auto hopIf = std::uint32_t(in.u());
            if (k == 0)
                *ifIndex = hopIf;
            in.u(); // weight
        }
        in.u(); // nhId
        in.s(); // expiresUs
        break;
    }
    case 4:
        in.u(); // protocol
        in.b(); // protocolSpace
        in.u(); // routeCount
        break;
    default: in.ok = false; break;
    }
    return kind;
}

} // namespace

void encode(const ChangeRecord &r, std::string &out)
{
    putB(out, std::uint8_t(r.object));
    putB(out, std::uint8_t(r.change));
    putB(out, std::uint8_t(r.origin));
    putB(out, std::uint8_t(r.family));
    putU(out, r.changedFields);
    putRow(out, r.before);
    putRow(out, r.after);
    putStr(out, r.note);
}

const char *decode(const char *data, const char *end, ChangeRecord *r)
{
    Reader in {data, end};
    r->object = ObjectKind(in.b());
    r->change = ChangeKind(in.b());
    r->origin = Origin(in.b());
    r->family = Family(in.b());
    r->changedFields = FieldMask(in.u());
    readRow(in, r->before);
    if (in.ok)
        readRow(in, r->after);
    if (in.ok)
        in.str(r->note);
    return in.ok ? in.p : nullptr;
}

const char *peek(const char *data, const char *end, Peek *out)
{
    Reader in {data, end};
    out->object = ObjectKind(in.b());
    out->change = ChangeKind(in.b());
    in.b(); // origin
    in.b(); // family
    in.u(); // changedFields
    std::uint32_t beforeIf = 0;
    std::uint32_t afterIf = 0;
    skipRow(in, &beforeIf);
    const std::uint8_t afterKind = in.ok ? skipRow(in, &afterIf) : 0;
    out->ifIndex = afterKind != 0 ? afterIf : beforeIf; // ChangeRecord::row()
    if (in.ok) {
        const std::uint64_t n = in.u(); // note
        if (!in.ok || n > std::uint64_t(in.end - in.p))
            in.ok = false;
        else
            in.p += n;
    }
    return in.ok ? in.p : nullptr;
}

} // namespace eventcodec

// ---------------------------------------------------------------------------------------

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

ChangeRecord EventHistory::decodeAt(const Chunk &chunk, const Header &h)
{
    ChangeRecord r;
    const char *begin = chunk.blob.data() + h.offset;
    eventcodec::decode(begin, chunk.blob.data() + chunk.blob.size(), &r);
    r.timeUs = h.timeUs;
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
    const Chunk *c = nullptr;
    return locate(m_chunks, sequence(i), &c).timeUs;
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
    const Chunk *c = nullptr;
    return locate(m_chunks, sequence(i), &c).timeUs;
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
    if (m_open && !s.m_chunks.empty()) // the open chunk still changes: the snapshot gets a copy
        s.m_chunks.back() = std::make_shared<const Chunk>(*m_open);
    return s;
}

qint64 EventHistory::storageBytes() const
{
    qint64 bytes = qint64(m_chunks.capacity() * sizeof(m_chunks[0]));
    for (const auto &c : m_chunks)
        bytes += qint64(sizeof(Chunk) + c->headers.capacity() * sizeof(Header) + c->blob.capacity());
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
        if (m_open)
            m_open->blob.shrink_to_fit(); // sealed: never changed again
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
        chunk.headers.push_back(Header {entry.record.timeUs, quint32(offset), internName(entry.ifName)});
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
        chunk.headers.push_back(Header {entry.timeUs, quint32(offset), name});
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
    const Chunk *chunk = nullptr;
    const qint64 newestDroppedUs = locate(m_chunks, m_firstSequence + quint64(count) - 1, &chunk).timeUs;
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

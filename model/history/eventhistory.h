// SPDX-License-Identifier: GPL-2.0-or-later
// EventHistory: every event received, in receive order, with its sequence number
// (1, 2, 3 ...) and the interface name resolved when it arrived. Markers
// (SnapshotComplete) are not events and are not stored; Gap records are.
//
// Storage (sized for a million routes): each event is one 12-byte header (time as a signed
// 32-bit microsecond offset from its chunk's first event, offset into the chunk, interface
// name index) plus the record in the compact form of eventcodec.h (varints, addresses by
// their real length), about 47 bytes per IPv4 route event in all. An event more than 35
// minutes before or after its chunk's first (a clock step, a quiet hour, a remote host's
// clock) keeps its whole time beside the chunk's headers (12 bytes more). Events live in
// chunks of kChunkEvents; a full chunk is sealed (never changed again) and shared by pointer, so a
// Snapshot taken on the GUI thread can be read on any other thread (CSV export) without
// copying the history and without locks. record(i) decodes on demand and returns by value.
//
// A capacity limit (default kDefaultCapacity events) bounds memory: appending beyond it
// drops the oldest events (sequence numbers of the kept events do not change) and emits
// droppedOldest() and droppedCountChanged(); droppedCount() is the running total to show.
// GUI thread only, except Snapshot (see there).
#pragma once

#include "model/history/eventcodec.h"
#include "platform/types.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ncv {

class EventHistory : public QObject {
    Q_OBJECT
    struct Chunk;

public:
    /// Events per chunk (the unit that is sealed and shared).
    static constexpr qint64 kChunkEvents = 65'536;
    /// Default capacity limit, events.
    static constexpr qint64 kDefaultCapacity = 10'000'000;

    explicit EventHistory(QObject *parent = nullptr);
    ~EventHistory() override;

    /// Number of stored events.
    qint64 size() const { return m_size; }
    /// Event i (0 <= i < size()), decoded from the compact store (a copy).
    platform::ChangeRecord record(qint64 i) const;
    /// Sequence number of event i: 1 for the first event ever received, then +1 per event
    /// (also across clear() and dropped events).
    quint64 sequence(qint64 i) const { return m_firstSequence + quint64(i); }
    /// Interface name of event i as it was when the event arrived ("" when none applies).
    QString ifName(qint64 i) const;
    /// Event time of event i, microseconds since the Unix epoch (UTC).
    qint64 timeUs(qint64 i) const;
    /// Index of the newest event with timeUs() <= us, or -1 when none (binary search:
    /// events are in receive order, which is time order).
    qint64 lastIndexAtOrBefore(qint64 us) const;
    /// The stored compact form (eventcodec::encode()) of event i, without decoding it; valid
    /// until the history next changes.
    std::string_view encoded(qint64 i) const;

    /// Most events kept; older ones are dropped when more arrive. At least 1.
    qint64 capacity() const { return m_capacity; }
    /// The events' source gives nanosecond times (a recording whose meta time_precision is
    /// "ns"): the CSV export writes 9 fraction digits. The events keep their nanoseconds
    /// (ChangeRecord::timeSubUsNs) either way; set by whoever fills the history.
    bool nanosecondTimes() const { return m_nanosecondTimes; }
    void setNanosecondTimes(bool on) { m_nanosecondTimes = on; }
    /// Sets the capacity limit (>= 1); drops the oldest events at once when above it.
    void setCapacity(qint64 maxEvents);
    /// Oldest events dropped so far because of the capacity limit (not counting clear()).
    qint64 droppedCount() const { return m_dropped; }
    /// Events dropped because of the capacity limit since the last clear() (since
    /// construction when never cleared): the events received before the first stored one
    /// that are missing. Their sequence numbers are sequence(0) - this ... sequence(0) - 1.
    qint64 droppedSinceClear() const { return m_droppedSinceClear; }
    /// Event time of the newest event dropped because of the capacity limit, microseconds
    /// since the Unix epoch (UTC); 0 when none was dropped since the last clear().
    qint64 lastDroppedTimeUs() const { return m_lastDroppedTimeUs; }
    /// Bytes held by the store (headers, serialized records, names), for the benchmark.
    qint64 storageBytes() const;

    /// One event to append: the record and the interface name it had on arrival.
    struct Entry {
        platform::ChangeRecord record;
        QString ifName;
    };
    /// Appends events and emits appended(first, last) once (after droppedOldest() when
    /// the capacity limit dropped old events). Does nothing (no signal) for an empty list.
    void append(std::vector<Entry> &&entries);
    /// Appends one event (emits appended for it). Prefer the batch overload.
    void append(platform::ChangeRecord record, const QString &ifName);

    /// One event already in the eventcodec form (eventcodec::encode()), as NotificationModel receives
    /// it from the reader thread: appended by copying the bytes, without decoding.
    struct EncodedEntry {
        qint64 timeUs; ///< event time, microseconds since the Unix epoch (UTC)
        const char *data; ///< the encoded record (copied by appendEncoded)
        std::size_t size; ///< its length in bytes
        qint32 nameIndex; ///< interface name, from nameIndex() (0 = "")
    };
    /// Index of name in the history's table of interface names, added when new (indexes
    /// are stable for the history's lifetime, also across clear()); for EncodedEntry.
    qint32 nameIndex(const QString &name) { return internName(name); }
    /// Like append(), for events in encoded form: the same storage, the same signals.
    /// The bytes are trusted (they come from encode()); a nameIndex out of range counts as "".
    void appendEncoded(std::span<const EncodedEntry> entries);

    /// Sets the sequence number of the next event appended (>= 1), so events read back
    /// from a recording keep the numbers they were recorded with. Only while empty (size()
    /// 0); otherwise ignored, since the stored events' numbers cannot change.
    void setNextSequence(quint64 sequence)
    {
        if (m_size == 0 && sequence >= 1)
            m_firstSequence = sequence;
    }

    /// Removes every event; sequence numbers continue (the next event gets the next number).
    /// Emits aboutToBeCleared() and cleared().
    void clear();

    /// An immutable view of the events stored when it was taken. Taking one (GUI thread)
    /// shares the sealed chunks and copies only the open chunk (at most kChunkEvents
    /// events); after that it may be read from any one thread while the history goes on.
    class Snapshot {
    public:
        qint64 size() const { return m_size; }
        platform::ChangeRecord record(qint64 i) const;
        quint64 sequence(qint64 i) const { return m_firstSequence + quint64(i); }
        QString ifName(qint64 i) const;
        qint64 timeUs(qint64 i) const;
        /// Index of event i's interface name in names() (0 = "").
        qint32 ifNameIndex(qint64 i) const;
        /// The distinct interface names; [0] = "".
        const QStringList &names() const { return m_names; }
        /// EventHistory::droppedSinceClear(), lastDroppedTimeUs() and capacity() when
        /// the snapshot was taken: the CSV export says that events are missing before
        /// the first row.
        qint64 droppedBefore() const { return m_droppedBefore; }
        qint64 lastDroppedTimeUs() const { return m_lastDroppedTimeUs; }
        qint64 capacity() const { return m_capacity; }
        bool nanosecondTimes() const { return m_nanosecondTimes; }

    private:
        friend class EventHistory;
        std::vector<std::shared_ptr<const Chunk>> m_chunks;
        quint64 m_firstSequence = 1;
        qint64 m_size = 0;
        qint64 m_droppedBefore = 0;
        qint64 m_lastDroppedTimeUs = 0;
        qint64 m_capacity = kDefaultCapacity;
        bool m_nanosecondTimes = false;
        QStringList m_names;
    };
    /// GUI thread: a snapshot of the events stored now.
    Snapshot snapshot() const;

Q_SIGNALS:
    /// Events first..last (indexes, inclusive) were appended.
    void appended(qint64 first, qint64 last);
    /// The count oldest events (indexes 0..count-1) are about to be dropped.
    void aboutToDropOldest(qint64 count);
    /// The count oldest stored events were dropped (indexes shifted down by count).
    void droppedOldest(qint64 count);
    /// droppedCount() changed (for the status bar: "N oldest events dropped").
    void droppedCountChanged(qint64 totalDropped);
    void aboutToBeCleared();
    void cleared();

private:
    struct Header {
        qint32 timeDeltaUs; // event time - the chunk's baseUs, or kFarTime
        quint32 offset; // into the chunk's blob
        qint32 nameIndex;
    };
    /// timeDeltaUs of an event whose offset does not fit: its time is in Chunk::farTimes.
    static constexpr qint32 kFarTime = std::numeric_limits<qint32>::min();
    struct Chunk {
        quint64 firstSequence = 0;
        qint64 baseUs = 0; // time of its first event, microseconds since the epoch
        std::vector<Header> headers;
        std::string blob;
        // (index in the chunk, time) of the events stored with kFarTime, by index.
        std::vector<std::pair<quint32, qint64>> farTimes;
        qint64 timeUs(const Header &h) const;
        /// Appends an event's header (the record is already at offset in blob).
        void add(qint64 timeUs, std::size_t offset, qint32 nameIndex);
    };
    static const Header &locate(const std::vector<std::shared_ptr<const Chunk>> &chunks, quint64 sequence,
                                const Chunk **chunk);
    static qint64 timeAt(const std::vector<std::shared_ptr<const Chunk>> &chunks, quint64 sequence);
    static platform::ChangeRecord decodeAt(const Chunk &chunk, const Header &h);
    qint32 internName(const QString &name);
    void dropOldest(qint64 count);
    // Drops what the capacity cannot keep before incoming events are appended; returns how
    // many of the incoming (oldest first) are dropped unseen.
    std::size_t makeRoom(qint64 incoming);
    // Counts count events dropped, the newest of them at timeUs.
    void noteDropped(qint64 count, qint64 timeUs);
    // The chunk to append the next event to (opens a new one when the last is full).
    Chunk &openChunk();

    std::vector<std::shared_ptr<const Chunk>> m_chunks; // sealed chunks, oldest first; the open one last
    Chunk *m_open = nullptr; // the last chunk while it is still being filled (not shared yet)
    QStringList m_names; // distinct names; [0] = ""
    QHash<QString, qint32> m_nameIndex;
    quint64 m_firstSequence = 1; // sequence of event 0
    qint64 m_size = 0;
    qint64 m_capacity = kDefaultCapacity;
    qint64 m_dropped = 0;
    qint64 m_droppedSinceClear = 0;
    qint64 m_lastDroppedTimeUs = 0;
    bool m_nanosecondTimes = false;
};

} // namespace ncv

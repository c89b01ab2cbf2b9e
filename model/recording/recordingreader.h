// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingReader: reads a recording file (recordingformat.h, docs/recording-format.md),
// for the headless conversions now and for the window's time travel: metadata, the event
// range, pages of events, events in a time range, and the tables as they were at a time T.
//
// - open() is read-only (SQLite's mode=ro), also while a recorder is writing the file: WAL
//   lets one writer and readers work at once. The reader holds no read transaction
//   between calls (a long one would stop the writer's checkpoints and grow the WAL), so
//   every call sees what was committed when it started; refresh() re-reads the range.
// - The file is recognised by its content (PRAGMA application_id), never its name.
// - Damage: a file that is not a recording, or from a newer format version, is refused
//   (status()). A truncated or corrupted recording opens when its schema and meta can be
//   read; the calls then read what is valid and skip what is not, and problems() says what
//   was skipped ("events 1200 to 1999 could not be read: database disk image is
//   malformed"). A keyframe that cannot be read is passed over for an older one.
// Not thread-safe: one reader per thread.
#pragma once

#include "model/recording/recordingformat.h"
#include "model/recording/recordstate.h"
#include "platform/statestore.h"
#include "platform/types.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace ncv::recording {

/// What a recording is (read at open(), refresh()).
struct RecordingInfo {
    int formatVersion = 0; ///< PRAGMA user_version
    QMap<QString, QString> meta; ///< the meta table: host_name, source, start_time_us... (see the doc)
    std::uint64_t firstSeq = 0; ///< lowest event sequence number; 0 when there are no events
    std::uint64_t lastSeq = 0; ///< highest
    std::int64_t eventCount = 0; ///< lastSeq - firstSeq + 1 (0 when empty)
    std::int64_t startUs = 0; ///< when recording started, µs since the epoch (UTC): meta start_time_us
    std::int64_t endUs = 0; ///< the last moment the recording covers: meta end_time_us (last commit or heartbeat,
                            ///< the stop when it ended cleanly), at least the newest event's time
    bool cleanEnd = false; ///< the recorder closed the file (else it was killed, or still runs)
    int keyframes = 0; ///< keyframes stored

    /// How the recorded objects are keyed: meta key_scheme "windows", else Linux.
    platform::StateStore::KeyScheme keyScheme() const
    {
        return meta.value(QStringLiteral("key_scheme")) == u"windows" ? platform::StateStore::KeyScheme::Windows
                                                                      : platform::StateStore::KeyScheme::Linux;
    }
    /// The recorded times have nanoseconds (meta time_precision "ns": a capture that gives
    /// them): events carry ChangeRecord::timeSubUsNs, and the CSV shows 9 fraction digits.
    bool nanosecondTimes() const { return meta.value(QStringLiteral("time_precision")) == u"ns"; }
    /// Which fields the recorded rows hold values for: only the CSV columns in a recording
    /// converted from a CSV export (meta source kCsvImportSource), else all.
    platform::KnownFields knownFields() const
    {
        return meta.value(QStringLiteral("source")) == QLatin1String(kCsvImportSource) ? platform::KnownFields::CsvRow
                                                                                       : platform::KnownFields::All;
    }
};

/// One event as read back.
struct RecordedEvent {
    std::uint64_t seq = 0; ///< sequence number (events.seq)
    platform::ChangeRecord record; ///< decoded from events.record (format 2: with the key columns), timeUs from
                                   ///< time_us, timeSubUsNs from time_sub_us_ns (0 without it)
    QString ifName; ///< the interface's name when it arrived (names.name), "" when none applies
};

/// One event's key columns, read without decoding its record.
struct EventKey {
    std::uint64_t seq = 0; ///< events.seq
    std::int64_t timeUs = 0; ///< events.time_us, µs since the epoch (UTC)
    platform::ObjectKind object = platform::ObjectKind::None; ///< events.object
    platform::ChangeKind change = platform::ChangeKind::Initial; ///< events.change
    /// events.requester as a RequesterTable id (as events() gives it); 0 when none, or the
    /// file has no such column.
    std::uint32_t requester = 0;
    /// events.ns as a platform::NamespaceTable id (as events() gives it); 0 for the one
    /// namespace recorded by default, and in format 1 files.
    std::uint32_t netns = 0;
};

class RecordingReader {
public:
    enum class Status {
        Closed,
        Ok, ///< open; problems() may still list damage found while reading
        NotFound, ///< no such file, or not a regular file
        NotARecording, ///< not an SQLite database, or one without the recording's application_id
        NewerFormat, ///< format version above kFormatVersion
        Unreadable, ///< damaged beyond reading its schema and meta, or an I/O error
    };

    RecordingReader();
    ~RecordingReader();
    RecordingReader(const RecordingReader &) = delete;
    RecordingReader &operator=(const RecordingReader &) = delete;

    /// Opens path read-only. Returns false with *error one line naming the file and what
    /// is wrong (status() says which case).
    bool open(const QString &path, QString *error);
    void close();
    Status status() const { return m_status; }
    const RecordingInfo &info() const { return m_info; }
    /// Re-reads the event range, end time and keyframe count (a file still being written).
    bool refresh(QString *error);

    /// The named network namespaces whose events the file holds (namespaceIds() but the
    /// default one's 0), in the file's order: none for a recording of the one namespace
    /// watched by default, one for `--netns NAME`, more for `--netns all` or a list.
    QList<quint32> namedNamespaceIds() const;

    /// Damage found so far: one line each, oldest first.
    const QStringList &problems() const { return m_problems; }

    /// Up to count events with seq >= fromSeq, in sequence order, appended to *out.
    /// Returns false only when the file cannot be read at all (then *error); skipped damage
    /// goes to problems().
    bool events(std::uint64_t fromSeq, int count, std::vector<RecordedEvent> *out, QString *error);
    /// Calls visit for every event with fromUs <= time <= toUs, in sequence order, until
    /// it returns false. The commits table narrows the sequence range, so a short time
    /// range of a long recording reads only its part.
    bool forEachEvent(std::int64_t fromUs, std::int64_t toUs, const std::function<bool(const RecordedEvent &)> &visit,
                      QString *error);
    /// The sequence range [*fromSeq, *toSeq] that holds every event with fromUs <= time <=
    /// toUs, from the commits table (no event row read): what forEachEvent() scans.
    /// [0, 2^63 - 1] when the commits say nothing.
    void sequenceRange(std::int64_t fromUs, std::int64_t toUs, std::uint64_t *fromSeq, std::uint64_t *toSeq);
    /// As forEachEvent() for the events with fromSeq <= seq <= toSeq among them: disjoint
    /// sequence ranges of one time range can be read by readers on several threads.
    bool forEachEvent(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs,
                      const std::function<bool(const RecordedEvent &)> &visit, QString *error);
    /// Calls visit with the key columns of every event with fromSeq <= seq <= toSeq, in
    /// sequence order, until it returns false; records are not decoded (a pass over the
    /// times of a recording too long to load, for the timeline). Stops at damage (problems()
    /// says where). Returns false only when the file cannot be read at all (then *error).
    bool forEachEventKey(std::uint64_t fromSeq, std::uint64_t toSeq, const std::function<bool(const EventKey &)> &visit,
                         QString *error);
    /// Time of event seq, µs since the epoch (UTC); -1 when the file has no such event or
    /// cannot give it back. One primary-key lookup.
    std::int64_t eventTimeUs(std::uint64_t seq);
    /// The interface, address and route tables as they were at atUs: the newest readable
    /// keyframe at or before it plus the events after it up to atUs. *state is cleared
    /// first. Returns false when the file cannot be read (then *error). cancel (may be
    /// null; set by another thread) is looked at every few thousand rows: once it is true,
    /// returns false with *error cancelledError() and *state holds part of the tables.
    /// atSubUsNs: the nanoseconds past atUs (a recording of nanosecond times); events at atUs
    /// with more are after the moment. 999 (the default): every event of atUs counts.
    /// A recording of several network namespaces (namespaceIds() has more than one) has
    /// tables per namespace: refused here with *error saying so (use the overload below).
    bool stateAt(std::int64_t atUs, RecordState *state, QString *error, const std::atomic<bool> *cancel = nullptr,
                 std::uint16_t atSubUsNs = 999);
    /// As above, the tables of every namespace apart: each event goes into the state of its
    /// own namespace (RecordedEvent::record.netns), each keyframe row into that of the
    /// namespace it was written for (keyframe_ns_rows). Also for a recording of one: its
    /// tables are then states->find(0). Names: platform::NamespaceTable::name(id).
    bool stateAt(std::int64_t atUs, NamespaceStates *states, QString *error, const std::atomic<bool> *cancel = nullptr,
                 std::uint16_t atSubUsNs = 999);
    /// The recording's namespaces as NamespaceTable ids, by namespaces.ns (index 0: the one
    /// recorded by default, id 0; 1, 2...: those of a recording of several, --netns).
    QList<quint32> namespaceIds() const;
    /// True for a recording of several network namespaces (namespaceIds() has more than
    /// one): its tables are per namespace, and the single-state stateAt() refuses it.
    bool hasSeveralNamespaces() const;
    /// The error of a stateAt() stopped by its cancel flag.
    static QString cancelledError() { return QStringLiteral("cancelled"); }

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    Status m_status = Status::Closed;
    RecordingInfo m_info;
    QStringList m_problems;
    QString m_path;

    bool readInfo(QString *error);
    bool loadNames();
    /// Reads the requesters table (files that have it) into the process's RequesterTable.
    bool loadRequesters();
    bool loadNamespaces(); ///< namespaces -> NamespaceTable ids
    // Events with seq in [fromSeq, toSeq] in sequence order, pages of 4096, damage skipped.
    bool scan(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs,
              const std::function<bool(const RecordedEvent &)> &visit, QString *error);
    /// scan() decoding each event into the one next() gives (RecordedEvent &), then
    /// visit(thatEvent) -> bool (false stops); an event that does not decode is not visited,
    /// and the next next() may give the same one again.
    template<typename Next, typename Visit>
    bool scanInto(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs, Next &&next,
                  Visit &&visit, QString *error);
    /// Loads keyframe id: namespace 0 into state, or with states every namespace apart.
    bool loadKeyframe(std::int64_t id, int parts, RecordState *state, NamespaceStates *states,
                      const std::atomic<bool> *cancel);
    bool loadNamespaceRows(std::int64_t id, NamespaceStates *states, const std::atomic<bool> *cancel);
    // Into state (one namespace) or states (every namespace apart).
    bool rebuildState(std::int64_t atUs, RecordState *state, NamespaceStates *states, QString *error,
                      const std::atomic<bool> *cancel, std::uint16_t atSubUsNs);
    void problem(const QString &line);
};

} // namespace ncv::recording

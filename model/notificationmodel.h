// SPDX-License-Identifier: GPL-2.0-or-later
// NotificationModel: the bridge from a platform Source to the Qt models (a controller,
// not an item model; named after the IP Helper notification API it mirrors). It registers
// for changes, receives the source's callbacks on the source's reader thread, and
// marshals them to the GUI thread in batches: the callback appends to a mutex-guarded
// pending vector and only the first append of a batch posts ONE queued applyPending();
// the GUI thread swaps the whole vector out and applies it (tables with ranged signals,
// history once, timeline once, batchApplied once). A big burst is applied in slices sized
// by time (SliceSizer), one per event-loop turn, and the views are told of its slices at
// most once per update interval (kUpdateIntervalMs); a steady stream is applied at most
// once per update interval. Lives on the GUI thread.
//
// Two modes: Full (the GUI: table models, event log, timeline, history) and HistoryOnly
// (the headless Recorder: only the event history and the interface names it needs; the
// records go into the history in the encoded form they arrive in, never decoded).
#pragma once

#include "model/history/eventhistory.h"
#include "model/interfacenames.h"
#include "model/slicesizer.h"
#include "platform/source.h"
#include "platform/types.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ncv {

class EntityTableModel;
class InterfaceTableModel;
class AddressTableModel;
class NeighborTableModel;
class RuleTableModel;
class NexthopTableModel;
class RouteTableModel;
class EventHistory;
struct PreparedState;
class EventLogModel;
class FileEventLogModel;
class TimelineBins;
namespace recording {
class RecordState;
class NamespaceStates;
} // namespace recording

class NotificationModel : public QObject {
    Q_OBJECT
public:
    /// What the model keeps.
    enum class Mode {
        /// Everything (the GUI): interface, address, route and entity table models, the
        /// event history with its EventLogModel, the timeline.
        Full,
        /// The event history and the interface names only (headless recording): the
        /// table, log and timeline getters return nullptr; records are stored in the
        /// history in the encoded form they arrive in (no decode / re-encode); the object
        /// counts (liveCount) are still kept.
        HistoryOnly,
    };

    /// Full mode. Does not own source (it must outlive this model).
    explicit NotificationModel(platform::Source *source, QObject *parent = nullptr);
    /// Does not own source (it must outlive this model).
    NotificationModel(platform::Source *source, Mode mode, QObject *parent = nullptr);
    ~NotificationModel() override; ///< stops (cancels) first

    /// Registers for interfaces, addresses and routes of addressFamily (AF_INET, AF_INET6
    /// or AF_UNSPEC). Clears the tables first (model reset) and keeps the event history.
    /// A running registration is stopped first. On failure returns false, sets *error
    /// (the source's message) and emits errorOccurred.
    /// recordInitial false: the source's snapshot is still taken and its interfaces name
    /// the interfaces of later events (interfaceName, the history's if_name), but none of
    /// its Initial rows enters the history, the timeline, the tables or liveCount.
    bool start(int addressFamily, bool recordInitial, QString *error);
    /// Full mode only. Shows `state` (the interfaces, addresses and routes of one moment,
    /// e.g. RecordingReader::stateAt(T)) in the tables: start(addressFamily, true, error) on
    /// a source whose snapshot has no rows (a ReplaySource), then the state's rows that pass
    /// addressFamily (as a registration's filter passes them: rows of family AF_UNSPEC
    /// always) are swapped into the tables whole (one model reset per table, rows in
    /// RecordState::forEach order, none marked), the interface names, liveCount and the
    /// Entities table's route counts follow, and the snapshot is applied
    /// (snapshotComplete) before this returns. The rows are not events: the history, event
    /// log, timeline and totalEvents are untouched. False (and *error) when start() fails;
    /// the tables are empty then. prepareState(), then showPrepared().
    bool showState(const recording::RecordState &state, int addressFamily, QString *error);
    /// The part of showState() that needs no model: the rows of `state` that pass
    /// addressFamily packed as the tables hold them, with their key indexes and the route
    /// counts per origin; with rankColumns (the columns the interface, address and route
    /// tables are sorted by, -1: none) also the rows' ranks in them
    /// (KeyedTableModel::prepare). Any thread (a time cursor's worker): touches only state
    /// and the result.
    static std::unique_ptr<PreparedState> prepareState(const recording::RecordState &state, int addressFamily,
                                                       const std::array<int, 3> &rankColumns = {-1, -1, -1});
    /// The rest of showState(): swaps the prepared tables in (O(1) per table; `state` is
    /// left with the rows shown before) and registers for state.addressFamily. GUI thread.
    bool showPrepared(PreparedState &state, QString *error);
    /// Cancels the registration and applies what was already received. Safe when not running.
    void stop();
    bool isRunning() const { return m_handle != 0; }
    /// Family of the current (or last) registration, as an AF_* value.
    int addressFamily() const { return m_addressFamily; }
    /// The source's name ("rtnetlink", "manual", ...).
    QString sourceName() const;
    platform::Source *source() const { return m_source; }
    /// True when the source can make images of its state (Source::supportsImages).
    bool supportsImages() const;
    /// Asks the source for an image of the registration's state (Source::requestImage); it
    /// is emitted as stateImage(token, image) in order with the records: after the history
    /// appended every record delivered before it, before any delivered after. False when
    /// not running or the source cannot.
    bool requestImage(quint64 token);

    Mode mode() const { return m_mode; }

    /// The table models, event log and timeline: nullptr in Mode::HistoryOnly.
    InterfaceTableModel *interfaces() const { return m_interfaces; }
    AddressTableModel *addresses() const { return m_addresses; }
    NeighborTableModel *neighbors() const { return m_neighbors; }
    RuleTableModel *rules() const { return m_rules; }
    NexthopTableModel *nexthops() const { return m_nexthops; }
    RouteTableModel *routes() const { return m_routes; }
    EventHistory *history() const { return m_history; }
    EventLogModel *eventLog() const { return m_eventLog; }
    /// For a recording too long to load (RecordingSession): the event log read from the
    /// file, which the window shows instead of eventLog(); nullptr otherwise. Not owned.
    FileEventLogModel *fileEventLog() const { return m_fileEventLog; }
    void setFileEventLog(FileEventLogModel *log) { m_fileEventLog = log; }
    /// Which fields the rows shown hold values for (a recording converted from a CSV export:
    /// KnownFields::CsvRow): the tables show the others as empty cells (setKnownFields of
    /// each table), and the details panel and the Compare dialog ask knownFields().
    void setKnownFields(platform::KnownFields known);
    platform::KnownFields knownFields() const { return m_knownFields; }
    TimelineBins *timeline() const { return m_timeline; }
    /// Routing entities (route origins) with their live route counts.
    EntityTableModel *entities() const { return m_entities; }

    /// The source's counters for the current registration (Source::stats). False when not
    /// running or the backend has none (then *out is untouched).
    bool sourceStats(platform::SourceStats *out) const;

    /// How the GUI thread applied the batches (slices) so far: sizes in records, times in
    /// milliseconds of NotificationModel::applyBatch (tables, history, timeline), measured
    /// with QElapsedTimer. All 0 before the first batch.
    struct ApplyStats {
        qint64 batches = 0;
        int lastRecords = 0;
        int maxRecords = 0;
        double averageRecords = 0;
        double lastMs = 0;
        double maxMs = 0;
        double averageMs = 0;
    };
    ApplyStats applyStats() const;
    /// Gap records applied so far (each one starts a resync in the source).
    qint64 gapCount() const { return m_gapCount; }

    /// Events applied so far (all registrations; markers not counted).
    qint64 totalEvents() const { return m_totalEvents; }
    /// Events applied during the last second (sliding 1 s window).
    double eventsPerSecond() const;
    /// True once the current registration's SnapshotComplete has been applied.
    bool isSnapshotComplete() const { return m_snapshotComplete; }
    /// Objects of kind (Interface, Address or Route; 0 for other kinds) that exist now
    /// according to the records applied since start(): +1 per Initial or Add, -1 per
    /// Delete or Expired (the source classifies changes, so an Add is a new object). Kept
    /// in both modes; in Full mode it equals the table's live row count.
    qint64 liveCount(platform::ObjectKind kind) const;

    /// The named network namespaces whose events were applied (distinct ChangeRecord::netns
    /// other than 0); for a recording read from its file (fileEventLog()), those of the
    /// file. The event log shows its Namespace column once there are two or more.
    int namespaceCount() const { return int(namespaceIds().size()); }
    /// Those namespaces' platform::NamespaceTable ids, in the order they came.
    QList<quint32> namespaceIds() const;
    /// For events put into the history directly (RecordingSession loads a recording's
    /// events so): the named namespaces they come from, as namespaceIds() gives them.
    void setLoadedNamespaces(const QList<quint32> &ids) { m_loadedNamespaces = ids; }

    /// Full mode, for a source that watches several network namespaces at once (their
    /// records carry ChangeRecord::netns, e.g. NetNamespaceSources): the tables show ONE
    /// namespace at a time (ifindex 2 exists in each), while the event log and the
    /// timeline show every one. Call before start(). While on, the model keeps every
    /// namespace's objects apart, updated by every record (recording::NamespaceStates: a
    /// second copy of the rows besides the tables' packed ones, about the tables' row
    /// memory again, plus the map nodes of interfaces, addresses, neighbors, rules and
    /// nexthops), so that setTablesNamespace() can show another namespace whole. Off
    /// (the default): the tables apply every record whatever its namespace, as for one
    /// namespace.
    void setSeveralNamespaces(bool on);
    bool hasSeveralNamespaces() const { return m_severalNamespaces; }
    /// The namespace whose objects the tables show (a platform::NamespaceTable id); with
    /// setSeveralNamespaces(true) the tables apply only its records, and switching swaps
    /// its kept state in whole (one model reset per table; liveCount() and the Entities
    /// table's route counts follow), then follows its records. Without, only the
    /// interface names the tables show are taken from that namespace (`--netns NAME`:
    /// InterfaceNames keys names by namespace). Emits tablesNamespaceChanged() when it
    /// changed. GUI thread, never from inside a batch's table updates.
    /// A namespace of more than switchOnWorkerAbove() rows is prepared on a worker thread
    /// (a million routes take about a second): the tables are emptied at once,
    /// tablesNamespaceSwitching() is emitted, the namespace's records are held (its kept
    /// state is being read) and the rows are swapped in when ready, then the held records
    /// applied and tablesNamespaceChanged() emitted. A switch while another is prepared
    /// waits for that one first.
    void setTablesNamespace(quint32 netns);
    quint32 tablesNamespace() const { return m_tablesNetns; }
    /// True while setTablesNamespace()'s rows are prepared on the worker.
    bool isSwitchingTables() const { return m_switch.active; }
    /// Rows above which setTablesNamespace() prepares on a worker (default 20,000: below,
    /// the switch takes a few milliseconds on the GUI thread); 0: always on the worker.
    void setSwitchOnWorkerAbove(qint64 rows) { m_switchOnWorkerAbove = rows; }
    qint64 switchOnWorkerAbove() const { return m_switchOnWorkerAbove; }
    /// The namespaces watched now (NetNamespaceSources::namespaceWatched), in the order
    /// they came: what the window offers for the tables. The first one watched becomes
    /// the tables' namespace; when the tables' namespace stops being watched, the first
    /// watched one left does (its rows left with the deletions the source delivered).
    /// Emits watchedNamespacesChanged().
    void setNamespaceWatched(quint32 netns, bool watched);
    /// Shows the namespaces ids (NamespaceTable ids, in order) one at a time in the tables:
    /// setSeveralNamespaces(several), then setNamespaceWatched(id, true) for each. The
    /// first becomes the tables' namespace.
    void watchNamespaces(const QList<quint32> &ids, bool several = true);
    QList<quint32> watchedNamespaces() const { return m_watched; }

    /// Current name of ifIndex, else "if N".
    QString interfaceName(quint32 ifIndex, quint32 netns = 0) const { return m_names.name(ifIndex, netns); }
    const InterfaceNames &interfaceNames() const { return m_names; }

    /// True while a batch is being applied (signals emitted from it run inside).
    bool isApplying() const { return m_applying; }

    /// Most records applied in one go on the GUI thread; a larger burst is applied in
    /// slices, one per event-loop turn, so the GUI keeps turning. Each slice is sized by a
    /// SliceSizer to take about kSliceBudgetMs (measured: decode, the tables' storage and
    /// the timeline), within [kMinSliceRecords, kMaxSliceRecords]. Telling the views of
    /// the slices (publish: the tables' signals, the history and the slots of both) is a
    /// turn of its own, at most once per kUpdateIntervalMs, and sized by a second
    /// SliceSizer to the same budget. 8 ms: on 2 cores busy with the kernel's burst, a
    /// turn takes about twice its work, and a repaint may follow it.
    static constexpr std::size_t kMaxSliceRecords = 50'000;
    static constexpr std::size_t kMinSliceRecords = 1'000;
    static constexpr double kSliceBudgetMs = 8;
    /// Changes the slice time budget (milliseconds, >= 0; 0 = kMinSliceRecords per slice,
    /// a huge budget = kMaxSliceRecords per slice), for tests and diagnostics.
    void setSliceBudgetMs(double ms)
    {
        m_sizer.setBudgetMs(ms);
        m_publishSizer.setBudgetMs(ms);
    }
    /// Changes only the budget of one publication (most records the views are told of at
    /// once, sized like a slice: 0 = kMinSliceRecords), for tests.
    void setPublishBudgetMs(double ms) { m_publishSizer.setBudgetMs(ms); }
    const SliceSizer &sliceSizer() const { return m_sizer; }

    /// While records keep coming and the GUI thread keeps up (nothing left of the last
    /// burst), the pending records are applied at most once per kUpdateIntervalMs
    /// (milliseconds since the end of the last slice); the first batch after a quieter
    /// interval is applied at once, and a backlog larger than one slice is applied slice
    /// after slice without waiting. Each applied batch costs the views a repaint (at a
    /// million rows the repaint costs more than the records), so this bounds the repaints
    /// of a steady stream to about 16 per second. Likewise the slices of a backlog are
    /// published to the views (tables' signals, history, log, batchApplied) at most once
    /// per interval, and always after its last slice, so a burst costs about 16 repaints
    /// per second, not one per slice. Full mode only (HistoryOnly: 0, no wait).
    static constexpr int kUpdateIntervalMs = 60;
    /// Changes the update interval (milliseconds, >= 0; 0 = apply on the next turn), for
    /// tests and diagnostics.
    void setUpdateIntervalMs(int ms) { m_updateIntervalMs = std::max(0, ms); }
    int updateIntervalMs() const { return m_updateIntervalMs; }

    /// Mode::HistoryOnly: most records that wait for the GUI thread (the pending batch)
    /// before the source's thread is held in its callback until the GUI thread takes them.
    /// Nothing is dropped: the source delivers the rest once there is room, in order (a
    /// resync's differences, a snapshot, a burst read from the kernel). Bounds the memory
    /// of a burst the writer cannot keep up with to about twice this many encoded records
    /// (pending and the slice being applied, ~70 bytes each) instead of the whole burst
    /// (a million routes gone in a resync: ~90 MB). Full mode is not bounded (0): the GUI
    /// applies in time-budgeted slices and a held reader thread would delay the tables.
    static constexpr std::size_t kHistoryOnlyPendingRecords = 65'536;
    /// Changes the bound (records; 0 = none), for tests and diagnostics. Never holds the
    /// thread that owns the model (a source that delivers on it, e.g. ManualSource pushed
    /// from the GUI thread), nor a delivery made during start() or after stop() began.
    void setPendingLimit(std::size_t records);
    std::size_t pendingLimit() const;
    /// Most records that waited for the GUI thread at once since construction (the pending
    /// batch after a delivery appended to it), for tests and diagnostics.
    std::size_t maxPendingRecords() const;

public Q_SLOTS:
    /// GUI thread: swaps the pending records out and applies them (at most
    /// kMaxSliceRecords; the rest follows in queued slices). Normally invoked (queued) by
    /// the callback; calling it directly is harmless.
    void applyPending();
    /// GUI thread: applies everything received so far, all slices (stop(), Recorder).
    void applyAll();

Q_SIGNALS:
    /// A batch of `records` records (markers included) was applied and published: the
    /// tables' signals for it were emitted and the history holds it. During a burst one
    /// batch holds the slices of up to one update interval.
    void batchApplied(int records);
    /// The registration's initial snapshot has been applied and notifications are live.
    void snapshotComplete();
    /// The image requestImage(token) asked for (see there), emitted from the apply of a
    /// batch, between the history's appended signals of the records around it.
    void stateImage(quint64 token, std::shared_ptr<const platform::StateImage> image);
    void errorOccurred(const QString &message);
    void runningChanged(bool running);
    /// namespaceCount() grew (emitted after the batch that brought the new namespace).
    void namespacesChanged();
    /// setTablesNamespace() changed the namespace the tables show (after the swap).
    void tablesNamespaceChanged(quint32 netns);
    /// setTablesNamespace(netns) prepares that namespace's rows on the worker; the tables
    /// are empty until tablesNamespaceChanged(netns).
    void tablesNamespaceSwitching(quint32 netns);
    /// watchedNamespaces() changed.
    void watchedNamespacesChanged();

private:
    // showPrepared()'s swap of the prepared rows into the tables, and the counts that follow them.
    void swapTables(PreparedState &state);
    // Counts the history's events the timeline's new requester filter keeps.
    void recountTimeline();
    // start(); clearTables false: the interface, address and route tables keep their rows
    // (showState() replaces them).
    bool startRegistration(int addressFamily, bool recordInitial, bool clearTables, QString *error);
    static void onRecords(void *context, std::span<const platform::ChangeRecord> records);
    static void onImage(void *context, std::uint64_t token, std::shared_ptr<const platform::StateImage> image);
    // Emits the backlog's images that sit before backlog item `at` (GUI thread).
    void emitImagesBefore(std::size_t at);
    bool applySlice(); // returns false when nothing is left to apply or publish (new records post their own call)
    // Backlog items [first, first + count): decoded into the tables (Full) or only peeked
    // at (HistoryOnly); both store the encoded bytes in the history.
    void applyFull(std::size_t first, std::size_t count);
    /// Ends each table's batch of applied records (their signals go out).
    void endTableBatches();
    /// r into the tables (and the per-kind counts); only records of the namespace shown.
    void applyToTables(const platform::ChangeRecord &r);
    /// The interface name r's event is shown with (its own for an interface, else its
    /// ifindex's in r.netns; "" for none); an interface record also updates the names, and
    /// *renamed becomes true when one changed.
    QString nameInterface(const platform::ChangeRecord &r, bool *renamed);
    void applyHistoryOnly(std::size_t first, std::size_t count);
    void finishBatch(int records, bool sawSnapshotComplete);
    // The encoded bytes of backlog item i.
    std::pair<const char *, std::size_t> backlogBytes(std::size_t i) const;
    // History name index for the current name of ifIndex (cached; reset on renames).
    qint32 historyNameIndex(quint32 ifIndex, quint32 netns);
    void countObject(platform::ObjectKind object, platform::ChangeKind change);
    void namesChanged() { m_nameIndexCache.clear(); }

    platform::Source *m_source;
    Mode m_mode = Mode::Full;
    platform::Handle m_handle = 0;
    int m_addressFamily = 0;
    bool m_snapshotComplete = false;
    bool m_applying = false;
    // start()'s recordInitial; read by onRecords on the reader thread.
    std::atomic<bool> m_recordInitial {true};

    // Records waiting for the GUI thread, in the compact form of eventcodec (about 50
    // bytes per route instead of a ChangeRecord's ~470): a burst of a million routes
    // waits in ~50 MB, and the reader thread does the encoding.
    // Images (requestImage) sit between the items: each before item `at` (at == the
    // number of items when it arrived), emitted when the items before it are applied.
    struct PendingImage {
        std::size_t at = 0;
        std::uint64_t token = 0;
        std::shared_ptr<const platform::StateImage> image;
    };
    struct Pending {
        std::string blob;
        std::vector<std::pair<qint64, std::size_t>> items; // (timeUs, offset into blob)
        std::vector<PendingImage> images;
        bool empty() const { return items.empty() && images.empty(); }
        void clear()
        {
            blob.clear();
            items.clear();
            images.clear();
        }
    };
    // Shared with the reader thread (guarded by m_pendingMutex).
    mutable std::mutex m_pendingMutex;
    Pending m_pending;
    bool m_posted = false;
    // Bounded pending (kHistoryOnlyPendingRecords): the source's thread waits on
    // m_pendingRoom while m_pending holds m_pendingLimit records or more and m_mayHold is
    // set (from the end of start() to the beginning of stop(): cancel() waits for a running
    // callback, so a held one must be let go first). m_owner: the GUI thread, never held.
    std::condition_variable m_pendingRoom;
    std::size_t m_pendingLimit = 0;
    bool m_mayHold = false;
    std::size_t m_maxPending = 0;
    std::thread::id m_owner;
    void releaseHeld(); // GUI thread: m_mayHold false, wakes a held callback

    // GUI thread only: the swapped-out burst being applied in slices.
    Pending m_backlog;
    std::size_t m_backlogOffset = 0;
    std::size_t m_backlogImage = 0; // m_backlog.images before this one were emitted

    InterfaceNames m_names;
    // Distinct ChangeRecord::netns other than 0 seen (a few; checked only when an event's
    // namespace differs from the one before it).
    void noteNamespace(quint32 netns)
    {
        if (netns != m_lastNetns) {
            m_lastNetns = netns;
            if (netns != 0 && !m_namespaces.contains(netns)) {
                m_namespaces.append(netns);
                m_namespacesGrew = true;
            }
        }
    }
    QList<quint32> m_namespaces;
    quint32 m_lastNetns = 0;
    bool m_namespacesGrew = false;
    QList<quint32> m_loadedNamespaces;
    // setSeveralNamespaces(): every namespace's objects, the tables' namespace, the watched ones.
    bool m_severalNamespaces = false;
    std::unique_ptr<recording::NamespaceStates> m_namespaceStates;
    quint32 m_tablesNetns = 0;
    QList<quint32> m_watched;
    // A switch of the tables' namespace prepared on the worker: the namespace whose kept
    // state the worker reads (its records wait in held meanwhile) and the result.
    struct PendingSwitch {
        bool active = false;
        quint32 netns = 0;
        std::vector<platform::ChangeRecord> held;
    };
    PendingSwitch m_switch;
    QFutureWatcher<std::shared_ptr<PreparedState>> m_switchWatcher;
    qint64 m_switchOnWorkerAbove = 20000;
    // Waits for a pending switch and applies its held records to the kept state; with
    // show, swaps its rows into the tables and applies the held records there too.
    void finishSwitch(bool show);
    // Whether the tables apply a record of netns (always without several namespaces).
    bool tablesTake(quint32 netns) const { return !m_severalNamespaces || netns == m_tablesNetns; }
    QHash<quint64, qint32> m_nameIndexCache; // InterfaceNames::key(ifIndex, netns) -> EventHistory name index
    InterfaceTableModel *m_interfaces = nullptr;
    AddressTableModel *m_addresses = nullptr;
    NeighborTableModel *m_neighbors = nullptr;
    RuleTableModel *m_rules = nullptr;
    NexthopTableModel *m_nexthops = nullptr;
    RouteTableModel *m_routes = nullptr;
    EventHistory *m_history = nullptr;
    EventLogModel *m_eventLog = nullptr;
    FileEventLogModel *m_fileEventLog = nullptr;
    TimelineBins *m_timeline = nullptr;
    EntityTableModel *m_entities = nullptr;
    platform::KnownFields m_knownFields = platform::KnownFields::All;
    qint64 m_liveCounts[6] = {0, 0, 0, 0, 0, 0}; // interfaces, addresses, routes, neighbors, rules, nexthops
    SliceSizer m_sizer {kSliceBudgetMs, kMinSliceRecords, kMaxSliceRecords};
    // Most records published at once: telling the views of them (their signals, the
    // history and what follows it) takes about one slice's budget.
    SliceSizer m_publishSizer {kSliceBudgetMs, kMinSliceRecords, kMaxSliceRecords};

    qint64 m_totalEvents = 0;
    // Apply statistics (GUI thread), see ApplyStats.
    qint64 m_gapCount = 0;
    qint64 m_appliedRecords = 0;
    qint64 m_applyNsTotal = 0;
    qint64 m_applyNsLast = 0;
    qint64 m_applyNsMax = 0;
    int m_lastSliceRecords = 0;
    int m_maxSliceRecords = 0;
    qint64 m_slices = 0;
    void noteApplied(int records, qint64 ns);
    QElapsedTimer m_clock;
    // Update interval (see kUpdateIntervalMs).
    int m_updateIntervalMs = 0;
    QElapsedTimer m_lastSliceEnd;
    QTimer m_deferTimer;
    QTimer m_sliceTimer; // the next slice of a backlog, on the next turn
    // What the slices applied since the views were last told (publish()): the history
    // entries (their bytes are in m_backlog), the records applied, whether the snapshot
    // completed and whether an interface was renamed among them.
    struct Unpublished {
        std::vector<EventHistory::EncodedEntry> entries;
        int records = 0;
        bool snapshotComplete = false;
        bool renamed = false;
        bool empty() const { return records == 0; }
    };
    Unpublished m_unpublished;
    // After a burst (kTrimAfterRecords records applied since the last trim) the heap's free
    // pages are given back to the system kTrimDelayMs after the last backlog was applied.
    static constexpr std::size_t kTrimAfterRecords = 100'000;
    static constexpr int kTrimDelayMs = 2000;
    std::size_t m_recordsSinceTrim = 0;
    QTimer m_trimTimer;
    void trimHeap();
    QElapsedTimer m_lastPublish;
    // Tells the views what the slices applied since the last call: the tables' batches
    // end, the history appends, batchApplied (and snapshotComplete) are emitted. Full mode
    // only holds anything to publish (applyFull() fills m_unpublished).
    void publish();
    // Whether the slices applied so far are to be published now (see applySlice()).
    bool publishDue() const;
    mutable std::deque<std::pair<qint64, int>> m_rateWindow; // (ms, events) per batch
};

} // namespace ncv

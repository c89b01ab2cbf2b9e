// NotificationModel: the bridge from a platform Source to the Qt models. It registers
// for changes, receives the source's callbacks on the source's reader thread, and
// marshals them to the GUI thread in batches: the callback appends to a mutex-guarded
// pending vector and only the first append of a batch posts ONE queued applyPending();
// the GUI thread swaps the whole vector out and applies it (tables with ranged signals,
// history once, timeline once, batchApplied once). Lives on the GUI thread.
#pragma once

#include "interfacenames.h"
#include "source.h"
#include "types.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <deque>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace ncv {

class EntityTableModel;
class InterfaceTableModel;
class AddressTableModel;
class RouteTableModel;
class EventHistory;
class EventLogModel;
class TimelineBins;

/// The OS AF_INET / AF_INET6 / AF_UNSPEC values, so callers need no socket headers.
int afInet();
int afInet6();
int afUnspec();

class NotificationModel : public QObject {
    Q_OBJECT
public:
    /// Does not own source (it must outlive this model).
    explicit NotificationModel(platform::Source *source, QObject *parent = nullptr);
    ~NotificationModel() override; ///< stops (cancels) first

    /// Registers for interfaces, addresses and routes of addressFamily (AF_INET, AF_INET6
    /// or AF_UNSPEC). Clears the tables first (model reset) and keeps the event history.
    /// A running registration is stopped first. On failure returns false, sets *error
    /// (the source's message) and emits errorOccurred.
    bool start(int addressFamily, bool initialNotification, QString *error);
    /// Cancels the registration and applies what was already received. Safe when not running.
    void stop();
    bool isRunning() const { return m_handle != 0; }
    /// Family of the current (or last) registration, as an AF_* value.
    int addressFamily() const { return m_addressFamily; }
    /// The source's name ("rtnetlink", "manual", ...).
    QString sourceName() const;
    platform::Source *source() const { return m_source; }

    InterfaceTableModel *interfaces() const { return m_interfaces; }
    AddressTableModel *addresses() const { return m_addresses; }
    RouteTableModel *routes() const { return m_routes; }
    EventHistory *history() const { return m_history; }
    EventLogModel *eventLog() const { return m_eventLog; }
    TimelineBins *timeline() const { return m_timeline; }
    /// Routing entities (route origins) with their live route counts (issue #3).
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

    /// Current name of ifIndex, else "if N".
    QString interfaceName(quint32 ifIndex) const { return m_names.name(ifIndex); }
    const InterfaceNames &interfaceNames() const { return m_names; }

    /// True while a batch is being applied (signals emitted from it run inside).
    bool isApplying() const { return m_applying; }
    /// Number of batches applied so far (for tests and stats).
    qint64 batchCount() const { return m_batchCount; }

    /// Most records applied in one go on the GUI thread; a larger burst is applied in
    /// slices of this size, one per event-loop turn, so the GUI keeps turning.
    static constexpr std::size_t kMaxSliceRecords = 50'000;

public Q_SLOTS:
    /// GUI thread: swaps the pending records out and applies them (at most
    /// kMaxSliceRecords; the rest follows in queued slices). Normally invoked (queued) by
    /// the callback; calling it directly is harmless.
    void applyPending();
    /// GUI thread: applies everything received so far, all slices (stop(), Recorder).
    void applyAll();

Q_SIGNALS:
    /// A batch of `records` records (markers included) was applied.
    void batchApplied(int records);
    /// The registration's initial snapshot has been applied and notifications are live.
    void snapshotComplete();
    void errorOccurred(const QString &message);
    void runningChanged(bool running);

private:
    static void onRecords(void *context, std::span<const platform::ChangeRecord> records);
    void applyBatch(std::span<platform::ChangeRecord> batch);
    bool applySlice(); // returns true when more of the swapped-out burst is waiting

    platform::Source *m_source;
    platform::Handle m_handle = 0;
    int m_addressFamily = 0;
    bool m_snapshotComplete = false;
    bool m_applying = false;

    // Shared with the reader thread (guarded by m_pendingMutex).
    std::mutex m_pendingMutex;
    std::vector<platform::ChangeRecord> m_pending;
    bool m_posted = false;

    // GUI thread only: the swapped-out batch being applied in slices.
    std::vector<platform::ChangeRecord> m_backlog;
    std::size_t m_backlogOffset = 0;

    InterfaceNames m_names;
    InterfaceTableModel *m_interfaces;
    AddressTableModel *m_addresses;
    RouteTableModel *m_routes;
    EventHistory *m_history;
    EventLogModel *m_eventLog;
    TimelineBins *m_timeline;
    EntityTableModel *m_entities;

    qint64 m_totalEvents = 0;
    qint64 m_batchCount = 0;
    // Apply statistics (GUI thread), see ApplyStats.
    qint64 m_gapCount = 0;
    qint64 m_appliedRecords = 0;
    qint64 m_applyNsTotal = 0;
    qint64 m_applyNsLast = 0;
    qint64 m_applyNsMax = 0;
    int m_lastSliceRecords = 0;
    int m_maxSliceRecords = 0;
    qint64 m_slices = 0;
    void noteApplied(std::span<const platform::ChangeRecord> slice, qint64 ns);
    QElapsedTimer m_clock;
    mutable std::deque<std::pair<qint64, int>> m_rateWindow; // (ms, events) per batch
};

} // namespace ncv

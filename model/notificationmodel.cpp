// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/notificationmodel.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "model/history/eventcodec.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/modellogging.h"
#include "model/preparedstate.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordstate.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/neighbortablemodel.h"
#include "model/tables/nexthoptablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/ruletablemodel.h"

#include <QMetaObject>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace ncv {

using namespace platform;

NotificationModel::NotificationModel(Source *source, QObject *parent)
    : NotificationModel(source, Mode::Full, parent) { }

NotificationModel::NotificationModel(Source *source, Mode mode, QObject *parent)
    : QObject(parent), m_source(source), m_mode(mode), m_addressFamily(platform::afUnspec()),
      m_history(new EventHistory(this))
{
    if (m_mode == Mode::Full) {
        m_interfaces = new InterfaceTableModel(&m_names, this);
        m_addresses = new AddressTableModel(&m_names, this);
        m_neighbors = new NeighborTableModel(&m_names, this);
        m_rules = new RuleTableModel(&m_names, this);
        m_nexthops = new NexthopTableModel(&m_names, this);
        m_routes = new RouteTableModel(&m_names, this);
        m_eventLog = new EventLogModel(m_history, this);
        m_timeline = new TimelineBins(this);
        connect(m_timeline, &TimelineBins::filterChanged, this, &NotificationModel::recountTimeline);
        m_entities = new EntityTableModel(this);
    }
    m_clock.start();
    m_updateIntervalMs = m_mode == Mode::Full ? kUpdateIntervalMs : 0; // nothing to repaint headless
    m_pendingLimit = m_mode == Mode::HistoryOnly ? kHistoryOnlyPendingRecords : 0;
    m_deferTimer.setSingleShot(true);
    connect(&m_deferTimer, &QTimer::timeout, this, &NotificationModel::applyPending);
    // The next slice comes from a zero timer, not a queued call: Qt's GLib event loop runs
    // timers only every other turn while queued calls keep coming, so a chain of queued
    // slices would hold the views' timers (and any other) back by two slices.
    m_sliceTimer.setSingleShot(true);
    m_sliceTimer.setInterval(0);
    connect(&m_sliceTimer, &QTimer::timeout, this, &NotificationModel::applyPending);
    m_trimTimer.setSingleShot(true);
    m_trimTimer.setInterval(kTrimDelayMs);
    connect(&m_trimTimer, &QTimer::timeout, this, &NotificationModel::trimHeap);
    // A switch's rows ready on the worker (a later switch first waits for this one).
    connect(&m_switchWatcher, &QFutureWatcherBase::finished, this, [this] {
        if (m_switch.active && m_switchWatcher.isFinished())
            finishSwitch(true);
    });
}

NotificationModel::~NotificationModel()
{
    finishSwitch(false); // the worker reads a kept state
    releaseHeld();
    if (m_handle != 0 && m_source)
        m_source->cancel(m_handle); // after this returns, no callback touches us
    m_handle = 0;
}

QString NotificationModel::sourceName() const
{
    return m_source ? QString::fromStdString(m_source->name()) : QString();
}

bool NotificationModel::start(int addressFamily, bool recordInitial, QString *error)
{
    return startRegistration(addressFamily, recordInitial, true, error);
}

bool NotificationModel::startRegistration(int addressFamily, bool recordInitial, bool clearTables, QString *error)
{
    stop();
    publish(); // the rows applied so far go out before the tables change
    if (m_mode == Mode::Full) {
        if (clearTables) {
            m_interfaces->clear();
            m_addresses->clear();
            m_routes->clear();
            m_neighbors->clear();
            m_rules->clear();
            m_nexthops->clear();
        }
        m_entities->clear();
        if (m_namespaceStates)
            m_namespaceStates->clear(); // the snapshot brings every namespace's objects again
    }
    m_names.clear();
    namesChanged();
    std::fill(std::begin(m_liveCounts), std::end(m_liveCounts), 0);
    m_snapshotComplete = false;
    m_addressFamily = addressFamily;
    m_recordInitial = recordInitial;

    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        qCWarning(lcModel) << message;
        Q_EMIT errorOccurred(message);
        return false;
    };
    if (!m_source)
        return fail(QStringLiteral("no change source available"));

    RegisterParams params;
    params.objects = EveryObjectMask;
    params.addressFamily = addressFamily;
    params.callback = &NotificationModel::onRecords;
    params.imageCallback = &NotificationModel::onImage;
    params.callerContext = this;
    // Always the snapshot: without it the interfaces that do not change while recording
    // would have no name ("if 3"). onRecords keeps only what recordInitial asks for.
    params.initialNotification = true;
    Handle handle = 0;
    // m_handle is set before the first callback can be applied: applyPending only runs
    // on this (GUI) thread, after this function returns.
    const Status status = m_source->registerChanges(params, &handle);
    if (!status.ok()) {
        QString message = QString::fromStdString(status.message);
        if (message.isEmpty())
            message = QStringLiteral("registering for changes failed");
        return fail(message);
    }
    m_handle = handle;
    {
        // From now on a delivery may be held: this thread returns to its event loop.
        std::lock_guard lock(m_pendingMutex);
        m_owner = std::this_thread::get_id();
        m_mayHold = true;
    }
    if (error)
        error->clear();
    Q_EMIT runningChanged(true);
    return true;
}

void NotificationModel::setKnownFields(platform::KnownFields known)
{
    m_knownFields = known;
    m_interfaces->setKnownFields(known);
    m_addresses->setKnownFields(known);
    m_routes->setKnownFields(known);
    m_neighbors->setKnownFields(known);
    m_rules->setKnownFields(known);
    m_nexthops->setKnownFields(known);
    m_entities->setKnownFields(known);
}

bool NotificationModel::showState(const recording::RecordState &state, int addressFamily, QString *error)
{
    const std::unique_ptr<PreparedState> prepared = prepareState(state, addressFamily);
    return showPrepared(*prepared, error);
}

std::unique_ptr<PreparedState> NotificationModel::prepareState(const recording::RecordState &state, int addressFamily,
                                                               const std::array<int, 3> &rankColumns)
{
    // Any thread: touches only state and what it builds.
    auto prepared = std::make_unique<PreparedState>();
    prepared->addressFamily = addressFamily;
    Family family = Family::Unspec;
    familyFromAf(addressFamily, &family); // an unknown family passes every row, as start() refuses it
    const auto passes = [family](Family rowFamily) {
        return family == Family::Unspec || rowFamily == Family::Unspec || rowFamily == family;
    };
    QHash<quint64, qint64> origins; // (protocol space << 32 | protocol) -> routes
    state.forEach(
        [&](const InterfaceRow &row) {
            if (passes(row.family))
                prepared->interfaces.rows.push_back(row);
        },
        [&](const AddressRow &row) {
            if (passes(row.address.family))
                prepared->addresses.rows.push_back(row);
        },
        [&](const RouteRow &row) {
            if (!passes(row.family()))
                return;
            prepared->routes.rows.push_back(row);
            ++origins[(quint64(row.protocolSpace) << 32) | row.protocol];
        },
        [&](const NeighborRow &row) {
            if (passes(row.address.family))
                prepared->neighbors.rows.push_back(row);
        },
        [&](const RuleRow &row) {
            if (passes(row.family))
                prepared->rules.rows.push_back(row);
        },
        [&](const NexthopRow &row) {
            if (passes(row.family))
                prepared->nexthops.rows.push_back(row);
        });
    KeyedTableModel<InterfaceRow>::prepare(prepared->interfaces, rankColumns[0]);
    KeyedTableModel<AddressRow>::prepare(prepared->addresses, rankColumns[1]);
    KeyedTableModel<RouteRow>::prepare(prepared->routes, rankColumns[2]);
    KeyedTableModel<NeighborRow>::prepare(prepared->neighbors, -1);
    KeyedTableModel<RuleRow>::prepare(prepared->rules, -1);
    KeyedTableModel<NexthopRow>::prepare(prepared->nexthops, -1);
    prepared->origins.reserve(std::size_t(origins.size()));
    for (auto it = origins.cbegin(); it != origins.cend(); ++it)
        prepared->origins.emplace_back(it.key(), it.value());
    return prepared;
}

bool NotificationModel::showPrepared(PreparedState &state, QString *error)
{
    Q_ASSERT(m_mode == Mode::Full);
    // The tables are not cleared first: each is reset once, when its new rows go in.
    if (!startRegistration(state.addressFamily, true, false, error)) {
        m_interfaces->clear();
        m_addresses->clear();
        m_routes->clear();
        m_neighbors->clear();
        m_rules->clear();
        m_nexthops->clear();
        return false;
    }
    bool renamed = false;
    state.interfaces.rows.forEach([&](std::size_t, const InterfaceRow &row) {
        renamed |= m_names.set(row.ifIndex, QString::fromStdString(row.name));
    });
    if (renamed)
        namesChanged();
    // The names first: a table sorted by an interface column sorts by them at the reset.
    swapTables(state);
    applyAll(); // the SnapshotComplete the source delivered inside start()
    return true;
}

void NotificationModel::swapTables(PreparedState &state)
{
    publish(); // the rows applied so far go out before the tables change
    m_liveCounts[0] = qint64(state.interfaces.rows.size());
    m_liveCounts[1] = qint64(state.addresses.rows.size());
    m_liveCounts[2] = qint64(state.routes.rows.size());
    m_liveCounts[3] = qint64(state.neighbors.rows.size());
    m_liveCounts[4] = qint64(state.rules.rows.size());
    m_liveCounts[5] = qint64(state.nexthops.rows.size());
    m_interfaces->swapPrepared(state.interfaces);
    m_addresses->swapPrepared(state.addresses);
    m_routes->swapPrepared(state.routes);
    m_neighbors->swapPrepared(state.neighbors);
    m_rules->swapPrepared(state.rules);
    m_nexthops->swapPrepared(state.nexthops);
    for (const auto &[origin, routes] : state.origins)
        m_entities->addRouteCount(std::uint32_t(origin), ProtocolSpace(origin >> 32), routes);
    m_entities->endBatch();
}

void NotificationModel::setSeveralNamespaces(bool on)
{
    if (m_mode != Mode::Full || on == m_severalNamespaces)
        return;
    finishSwitch(false); // the worker reads a kept state
    m_severalNamespaces = on;
    if (on)
        m_namespaceStates = std::make_unique<recording::NamespaceStates>();
    else
        m_namespaceStates.reset();
}

void NotificationModel::setTablesNamespace(quint32 netns)
{
    if (m_mode != Mode::Full || netns == m_tablesNetns)
        return;
    applyAll(); // what was received so far goes where it belonged before the switch
    finishSwitch(false); // one namespace read by the worker at a time
    m_tablesNetns = netns;
    m_interfaces->setNamesNamespace(netns);
    m_addresses->setNamesNamespace(netns);
    m_routes->setNamesNamespace(netns);
    m_neighbors->setNamesNamespace(netns);
    m_rules->setNamesNamespace(netns);
    m_nexthops->setNamesNamespace(netns);
    if (!m_severalNamespaces) {
        m_addresses->interfaceNamesChanged();
        m_routes->interfaceNamesChanged();
        m_neighbors->interfaceNamesChanged();
        m_nexthops->interfaceNamesChanged();
        Q_EMIT tablesNamespaceChanged(netns);
        return;
    }
    // The namespace's kept objects, swapped in whole; the rows shown before go with
    // `prepared` (they are kept in m_namespaceStates too).
    const recording::RecordState *kept = m_namespaceStates->find(netns);
    m_entities->clearRouteCounts();
    if (!kept || qint64(kept->rowCount()) <= m_switchOnWorkerAbove) {
        const recording::RecordState none;
        const std::unique_ptr<PreparedState> prepared = prepareState(kept ? *kept : none, m_addressFamily);
        swapTables(*prepared);
        Q_EMIT tablesNamespaceChanged(netns);
        return;
    }
    // Large: prepared on the worker from the kept state itself, which nothing else touches
    // meanwhile (the namespace's records are held; a map node stays where it is). The
    // tables are emptied now rather than show the namespace before under the new names.
    PreparedState empty;
    swapTables(empty);
    m_switch.active = true;
    m_switch.netns = netns;
    m_switch.held.clear();
    const int family = m_addressFamily;
    m_switchWatcher.setFuture(
        QtConcurrent::run([kept, family] { return std::shared_ptr<PreparedState>(prepareState(*kept, family)); }));
    Q_EMIT tablesNamespaceSwitching(netns);
}

void NotificationModel::finishSwitch(bool show)
{
    if (!m_switch.active)
        return;
    m_switchWatcher.waitForFinished(); // at once when called on its finished signal
    if (show)
        applyAll(); // still held: what came since the switch joins the held records
    const std::shared_ptr<PreparedState> prepared = m_switchWatcher.result();
    m_switch.active = false;
    std::vector<ChangeRecord> held = std::move(m_switch.held);
    m_switch.held = {};
    if (!m_namespaceStates)
        return;
    for (const ChangeRecord &r : held)
        m_namespaceStates->apply(r);
    if (!show || m_switch.netns != m_tablesNetns || !prepared)
        return;
    swapTables(*prepared);
    for (const ChangeRecord &r : held)
        applyToTables(r);
    endTableBatches();
    Q_EMIT tablesNamespaceChanged(m_tablesNetns);
}

void NotificationModel::setNamespaceWatched(quint32 netns, bool watched)
{
    if (watched == m_watched.contains(netns))
        return;
    if (watched)
        m_watched.append(netns);
    else
        m_watched.removeAll(netns);
    if (watched && m_watched.size() == 1 && (m_tablesNetns == 0 || !m_severalNamespaces))
        setTablesNamespace(netns);
    else if (!watched && netns == m_tablesNetns && !m_watched.isEmpty())
        setTablesNamespace(m_watched.constFirst());
    Q_EMIT watchedNamespacesChanged();
}

void NotificationModel::watchNamespaces(const QList<quint32> &ids, bool several)
{
    setSeveralNamespaces(several);
    for (const quint32 id : ids)
        setNamespaceWatched(id, true);
}

void NotificationModel::stop()
{
    if (m_handle == 0)
        return;
    releaseHeld(); // cancel() waits for a running callback
    const Status status = m_source->cancel(m_handle);
    if (!status.ok())
        qCWarning(lcModel) << "cancel failed:" << QString::fromStdString(status.message);
    m_handle = 0;
    applyAll(); // what arrived before cancel returned
    Q_EMIT runningChanged(false);
}

// Runs on the source's reader thread (for ManualSource: the pushing thread).
// Copies the records into the pending vector; only the first append of a batch posts
// one queued applyPending() to the GUI thread.
void NotificationModel::onRecords(void *context, std::span<const ChangeRecord> records)
{
    auto *self = static_cast<NotificationModel *>(context);
    if (records.empty())
        return;
    // Encoded outside the lock, so the GUI thread never waits for the encoding.
    thread_local Pending encoded;
    encoded.clear();
    const bool recordInitial = self->m_recordInitial.load(std::memory_order_relaxed);
    for (const ChangeRecord &r : records) {
        // Not recording the snapshot: of its rows only the interfaces go on, for their names.
        if (!recordInitial && r.change == ChangeKind::Initial && r.object != ObjectKind::Interface)
            continue;
        encoded.items.emplace_back(r.timeUs, encoded.blob.size());
        eventcodec::encode(r, encoded.blob);
    }
    if (encoded.items.empty())
        return;
    bool post = false;
    {
        std::unique_lock lock(self->m_pendingMutex);
        Pending &p = self->m_pending;
        if (self->m_pendingLimit > 0 && std::this_thread::get_id() != self->m_owner) {
            // Bounded: wait until the GUI thread took the pending records (a call to
            // applyPending is posted: m_posted stays set while records wait).
            self->m_pendingRoom.wait(lock, [self, &p] {
                return !self->m_mayHold || self->m_pendingLimit == 0 || p.items.size() < self->m_pendingLimit;
            });
        }
        const std::size_t base = p.blob.size();
        p.blob.append(encoded.blob);
        for (const auto &[timeUs, offset] : encoded.items)
            p.items.emplace_back(timeUs, base + offset);
        self->m_maxPending = std::max(self->m_maxPending, p.items.size());
        post = !std::exchange(self->m_posted, true); // one queued apply for what piles up
    }
    if (post)
        QMetaObject::invokeMethod(self, &NotificationModel::applyPending, Qt::QueuedConnection);
}

// Runs on the source's reader thread, serially with onRecords: the image goes after the
// records pending now, so it is emitted exactly after them.
void NotificationModel::onImage(void *context, std::uint64_t token, std::shared_ptr<const StateImage> image)
{
    auto *self = static_cast<NotificationModel *>(context);
    bool post = false;
    {
        std::lock_guard lock(self->m_pendingMutex);
        Pending &p = self->m_pending;
        p.images.push_back(PendingImage {p.items.size(), token, std::move(image)});
        post = !std::exchange(self->m_posted, true); // one queued apply for what piles up
    }
    if (post)
        QMetaObject::invokeMethod(self, &NotificationModel::applyPending, Qt::QueuedConnection);
}

void NotificationModel::releaseHeld()
{
    {
        std::lock_guard lock(m_pendingMutex);
        m_mayHold = false;
    }
    m_pendingRoom.notify_all();
}

void NotificationModel::setPendingLimit(std::size_t records)
{
    {
        std::lock_guard lock(m_pendingMutex);
        m_pendingLimit = records;
    }
    m_pendingRoom.notify_all();
}

std::size_t NotificationModel::pendingLimit() const
{
    std::lock_guard lock(m_pendingMutex);
    return m_pendingLimit;
}

std::size_t NotificationModel::maxPendingRecords() const
{
    std::lock_guard lock(m_pendingMutex);
    return m_maxPending;
}

bool NotificationModel::supportsImages() const
{
    return m_source && m_source->supportsImages();
}

bool NotificationModel::requestImage(quint64 token)
{
    if (!m_source || m_handle == 0)
        return false;
    const Status status = m_source->requestImage(m_handle, token);
    if (!status.ok())
        qCWarning(lcModel) << "image request failed:" << QString::fromStdString(status.message);
    return status.ok();
}

void NotificationModel::emitImagesBefore(std::size_t at)
{
    while (m_backlogImage < m_backlog.images.size() && m_backlog.images[m_backlogImage].at <= at) {
        PendingImage &pending = m_backlog.images[m_backlogImage++];
        Q_EMIT stateImage(pending.token, std::move(pending.image));
    }
}

void NotificationModel::applyPending()
{
    if (m_applying)
        return; // re-entered from a slot: the outer call or a posted call applies it
    if (m_sliceTimer.isActive())
        return; // a backlog is being applied: its next slice takes the new records in turn
    // Keeping up with a stream (no backlog left): at most one batch per update interval,
    // the first one after a quiet interval at once. Each applied batch costs the views a
    // repaint; without this a steady stream of small batches keeps the GUI thread
    // repainting (on 2 cores it also takes a core from the kernel producing the events).
    if (m_updateIntervalMs > 0 && m_backlogOffset >= m_backlog.items.size() && m_lastSliceEnd.isValid()
        && !publishDue()) {
        const qint64 since = m_lastSliceEnd.elapsed();
        if (since < m_updateIntervalMs) {
            if (!m_deferTimer.isActive())
                m_deferTimer.start(int(m_updateIntervalMs - since));
            return; // m_posted stays true: the timer applies what piles up meanwhile
        }
    }
    if (applySlice())
        m_sliceTimer.start();
}

void NotificationModel::applyAll()
{
    if (m_applying)
        return;
    for (;;) {
        if (applySlice())
            continue;
        std::lock_guard lock(m_pendingMutex);
        if (m_pending.empty())
            break;
    }
}

bool NotificationModel::publishDue() const
{
    if (m_unpublished.empty())
        return false;
    if (m_backlogOffset >= m_backlog.items.size() || m_unpublished.snapshotComplete || m_unpublished.renamed)
        return true;
    if (m_backlogImage < m_backlog.images.size() && m_backlog.images[m_backlogImage].at <= m_backlogOffset)
        return true; // its consumers take an image after the events before it
    if (std::size_t(m_unpublished.records) >= m_publishSizer.next())
        return true; // telling the views of more would take longer than a slice
    return !m_lastPublish.isValid() || m_lastPublish.elapsed() >= m_updateIntervalMs;
}

bool NotificationModel::applySlice()
{
    // The views are told (tables, history, log, batchApplied) at most once per update
    // interval while a backlog lasts, in a turn of its own: telling them costs a repaint of
    // each view, which at a million rows costs more than a slice, and the slice and the
    // repaint around it are not added to it.
    if (publishDue()) {
        publish();
        emitImagesBefore(m_backlogOffset);
        return true; // the rest in the next turn
    }
    if (m_backlogOffset >= m_backlog.items.size() && m_backlogImage >= m_backlog.images.size()) {
        m_backlog.clear();
        m_backlogOffset = 0;
        m_backlogImage = 0;
        {
            std::lock_guard lock(m_pendingMutex);
            std::swap(m_backlog, m_pending);
            m_posted = false;
        }
        m_pendingRoom.notify_all(); // a held delivery has room now
    }
    emitImagesBefore(m_backlogOffset);
    if (m_backlogOffset >= m_backlog.items.size()) {
        m_backlog.clear();
        m_backlogOffset = 0;
        m_backlogImage = 0;
        if (m_backlog.blob.capacity() > (std::size_t(64) << 20)) {
            m_backlog.blob.shrink_to_fit(); // a huge burst is over: give its memory back
            m_backlog.items.shrink_to_fit();
        }
        if (m_recordsSinceTrim >= kTrimAfterRecords)
            m_trimTimer.start(); // restarted while the burst goes on
        return false; // newer records (if any) were posted by the callback
    }
    std::size_t count = std::min(m_sizer.next(), m_backlog.items.size() - m_backlogOffset);
    if (m_backlogImage < m_backlog.images.size()) // a slice ends where an image sits
        count = std::min(count, m_backlog.images[m_backlogImage].at - m_backlogOffset);
    m_applying = true;
    QElapsedTimer applyTimer;
    applyTimer.start();
    if (m_mode == Mode::Full)
        applyFull(m_backlogOffset, count);
    else
        applyHistoryOnly(m_backlogOffset, count);
    const qint64 ns = applyTimer.nsecsElapsed();
    m_recordsSinceTrim += count;
    m_sizer.record(count, ns);
    noteApplied(int(count), ns);
    m_applying = false;
    m_lastSliceEnd.start();
    m_backlogOffset += count;
    if (!publishDue()) // a due publication emits the images after it
        emitImagesBefore(m_backlogOffset);
    return true; // the publication, the rest of the backlog or the pending records next
}

std::pair<const char *, std::size_t> NotificationModel::backlogBytes(std::size_t i) const
{
    const std::size_t begin = m_backlog.items[i].second;
    const std::size_t end = i + 1 < m_backlog.items.size() ? m_backlog.items[i + 1].second : m_backlog.blob.size();
    return {m_backlog.blob.data() + begin, end - begin};
}

qint32 NotificationModel::historyNameIndex(quint32 ifIndex, quint32 netns)
{
    if (ifIndex == 0)
        return 0; // ""
    const quint64 key = InterfaceNames::key(ifIndex, netns);
    const auto it = m_nameIndexCache.constFind(key);
    if (it != m_nameIndexCache.constEnd())
        return *it;
    const qint32 index = m_history->nameIndex(m_names.name(ifIndex, netns));
    m_nameIndexCache.insert(key, index);
    return index;
}

namespace {
/// Index into m_liveCounts of an object kind that is counted, else -1.
int liveCountSlot(ObjectKind kind)
{
    switch (kind) {
    case ObjectKind::Interface: return 0;
    case ObjectKind::Address: return 1;
    case ObjectKind::Route: return 2;
    case ObjectKind::Neighbor: return 3;
    case ObjectKind::Rule: return 4;
    case ObjectKind::Nexthop: return 5;
    default: return -1;
    }
}
} // namespace

void NotificationModel::countObject(ObjectKind object, ChangeKind change)
{
    const int slot = liveCountSlot(object);
    if (slot < 0)
        return;
    switch (change) {
    case ChangeKind::Initial:
    case ChangeKind::Add: ++m_liveCounts[slot]; break;
    case ChangeKind::Delete:
    case ChangeKind::Expired: --m_liveCounts[slot]; break;
    default: break;
    }
}

qint64 NotificationModel::liveCount(ObjectKind kind) const
{
    const int slot = liveCountSlot(kind);
    return slot < 0 ? 0 : m_liveCounts[slot];
}

void NotificationModel::endTableBatches()
{
    m_interfaces->endBatch();
    m_addresses->endBatch();
    m_routes->endBatch();
    m_neighbors->endBatch();
    m_rules->endBatch();
    m_nexthops->endBatch();
    m_entities->endBatch();
}

void NotificationModel::applyToTables(const ChangeRecord &r)
{
    countObject(r.object, r.change);
    switch (r.object) {
    case ObjectKind::Interface: m_interfaces->apply(r); break;
    case ObjectKind::Address: m_addresses->apply(r); break;
    case ObjectKind::Route:
        m_routes->apply(r);
        m_entities->apply(r); // route counts per origin
        break;
    case ObjectKind::Rule: m_rules->apply(r); break;
    case ObjectKind::Nexthop: m_nexthops->apply(r); break;
    case ObjectKind::Neighbor: m_neighbors->apply(r); break;
    default: break; // entities, gaps and other events: not a table's row
    }
}

QString NotificationModel::nameInterface(const ChangeRecord &r, bool *renamed)
{
    switch (r.object) {
    case ObjectKind::Interface:
        if (const auto *row = std::get_if<InterfaceRow>(&r.row())) {
            QString name = QString::fromStdString(row->name);
            if (r.change == ChangeKind::Delete || r.change == ChangeKind::Expired)
                *renamed |= m_names.remove(row->ifIndex, r.netns);
            else
                *renamed |= m_names.set(row->ifIndex, name, r.netns);
            return name;
        }
        break;
    case ObjectKind::Address:
        if (const auto *row = std::get_if<AddressRow>(&r.row()))
            return m_names.name(row->ifIndex, r.netns);
        break;
    case ObjectKind::Route:
        if (const auto *row = std::get_if<RouteRow>(&r.row()))
            return m_names.name(row->outIfIndex(), r.netns);
        break;
    case ObjectKind::Nexthop:
        if (const auto *row = std::get_if<NexthopRow>(&r.row()); row && row->ifIndex != 0)
            return m_names.name(row->ifIndex, r.netns);
        break;
    case ObjectKind::Neighbor:
        if (const auto *row = std::get_if<NeighborRow>(&r.row()))
            return m_names.name(row->ifIndex, r.netns);
        break;
    default: break; // rules, entities, gaps: no interface of their own
    }
    return {};
}

void NotificationModel::applyFull(std::size_t first, std::size_t count)
{
    std::vector<ChangeRecord> batch(count);
    for (std::size_t k = 0; k < count; ++k) {
        const auto [data, size] = backlogBytes(first + k);
        eventcodec::decode(data, data + size, &batch[k]);
        batch[k].timeUs = m_backlog.items[first + k].first;
    }

    bool renamed = false;
    bool sawSnapshotComplete = false;
    std::vector<QString> ifNames(batch.size()); // resolved as each event arrives
    std::size_t index = 0;

    const bool recordInitial = m_recordInitial.load(std::memory_order_relaxed);
    std::vector<bool> unrecorded(batch.size()); // snapshot rows that only name interfaces
    // The route index is far larger than the caches at a million routes: its slot for a
    // record is loaded a few records ahead, so that the misses overlap.
    constexpr std::size_t kAhead = 8;
    for (std::size_t k = 0; k < std::min(kAhead, batch.size()); ++k) {
        if (batch[k].object == ObjectKind::Route && tablesTake(batch[k].netns))
            m_routes->prefetch(batch[k]);
    }
    for (const ChangeRecord &r : batch) {
        const std::size_t k = index++;
        if (k + kAhead < batch.size() && batch[k + kAhead].object == ObjectKind::Route
            && tablesTake(batch[k + kAhead].netns))
            m_routes->prefetch(batch[k + kAhead]);
        QString &ifName = ifNames[k];
        if (r.change == ChangeKind::SnapshotComplete) {
            sawSnapshotComplete = true;
            continue;
        }
        if (!recordInitial && r.change == ChangeKind::Initial) {
            unrecorded[k] = true;
            if (const auto *row = std::get_if<InterfaceRow>(&r.row()))
                renamed |= m_names.set(row->ifIndex, QString::fromStdString(row->name), r.netns);
            continue;
        }
        if (m_switch.active && r.netns == m_switch.netns)
            m_switch.held.push_back(r); // its kept state is being read: applied after
        else {
            if (m_namespaceStates)
                m_namespaceStates->apply(r); // every namespace's objects, to be shown later
            if (tablesTake(r.netns))
                applyToTables(r); // the shown namespace's (with one namespace, every record)
        }
        ifName = nameInterface(r, &renamed); // the names of every namespace
        if (r.object == ObjectKind::Entity)
            m_entities->apply(r);
        else if (r.object == ObjectKind::Gap)
            ++m_gapCount;
    }
    if (renamed)
        namesChanged();

    m_timeline->addBatch(std::span<const ChangeRecord>(batch.data(), batch.size()));
    // The history takes the bytes as they arrived (no second encoding), when published:
    // until then they stay in the backlog, which is not cleared before publish().
    for (std::size_t k = 0; k < count; ++k) {
        if (batch[k].change == ChangeKind::SnapshotComplete || unrecorded[k])
            continue;
        const auto [data, size] = backlogBytes(first + k);
        noteNamespace(batch[k].netns);
        m_unpublished.entries.push_back({batch[k].timeUs, data, size, m_history->nameIndex(ifNames[k])});
    }
    m_unpublished.records += int(count);
    m_unpublished.snapshotComplete |= sawSnapshotComplete;
    m_unpublished.renamed |= renamed;
}

void NotificationModel::trimHeap()
{
    m_recordsSinceTrim = 0;
#if defined(__GLIBC__)
    // glibc keeps what a burst freed (the slices' records, the backlog, the reader thread's
    // arena) for reuse, and gives free pages in the middle of the heap back only when
    // asked: after a million-route burst that is tens of MB of resident memory.
    malloc_trim(0);
#endif
}

void NotificationModel::publish()
{
    if (m_unpublished.empty())
        return;
    Unpublished batch;
    std::swap(batch, m_unpublished); // a slot below that publishes again finds nothing
    m_lastPublish.start();
    QElapsedTimer publishTimer;
    publishTimer.start();
    const bool applying = std::exchange(m_applying, true);
    endTableBatches();
    if (batch.renamed) {
        m_addresses->interfaceNamesChanged();
        m_routes->interfaceNamesChanged();
        m_neighbors->interfaceNamesChanged();
        m_nexthops->interfaceNamesChanged();
    }
    m_history->appendEncoded(batch.entries);
    m_totalEvents += qint64(batch.entries.size());
    if (!batch.entries.empty())
        m_rateWindow.emplace_back(m_clock.elapsed(), int(batch.entries.size()));
    finishBatch(batch.records, batch.snapshotComplete);
    m_publishSizer.record(std::size_t(batch.records), publishTimer.nsecsElapsed());
    m_applying = applying;
    batch.entries.clear();
    if (m_unpublished.entries.empty())
        std::swap(batch.entries, m_unpublished.entries); // keeps the capacity
}

void NotificationModel::applyHistoryOnly(std::size_t first, std::size_t count)
{
    const bool recordInitial = m_recordInitial.load(std::memory_order_relaxed);
    bool sawSnapshotComplete = false;
    std::vector<EventHistory::EncodedEntry> entries;
    entries.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
        const auto [data, size] = backlogBytes(first + k);
        eventcodec::Peek peek;
        if (!eventcodec::peek(data, data + size, &peek)) {
            // Cannot happen: the bytes were written by eventcodec::encode on the reader thread.
            qCWarning(lcModel) << "skipping a malformed pending record of" << size << "bytes";
            continue;
        }
        if (peek.change == ChangeKind::SnapshotComplete) {
            sawSnapshotComplete = true;
            continue;
        }
        if (peek.change == ChangeKind::Initial && !recordInitial) {
            // An interface of the snapshot (onRecords dropped the other rows): its name only.
            ChangeRecord r;
            eventcodec::decode(data, data + size, &r);
            if (const auto *row = std::get_if<InterfaceRow>(&r.row());
                row && m_names.set(row->ifIndex, QString::fromStdString(row->name), r.netns))
                namesChanged();
            continue;
        }
        countObject(peek.object, peek.change);
        qint32 nameIndex = 0;
        switch (peek.object) {
        case ObjectKind::Interface: {
            // Rare: decoded in full, for the name (InterfaceNames and this event's name).
            ChangeRecord r;
            eventcodec::decode(data, data + size, &r);
            if (const auto *row = std::get_if<InterfaceRow>(&r.row())) {
                const QString name = QString::fromStdString(row->name);
                const bool changed = r.change == ChangeKind::Delete || r.change == ChangeKind::Expired
                    ? m_names.remove(row->ifIndex, r.netns)
                    : m_names.set(row->ifIndex, name, r.netns);
                if (changed)
                    namesChanged();
                nameIndex = m_history->nameIndex(name);
            }
            break;
        }
        case ObjectKind::Address:
        case ObjectKind::Route:
        case ObjectKind::Neighbor:
        case ObjectKind::Nexthop: nameIndex = historyNameIndex(peek.ifIndex, peek.netns); break;
        case ObjectKind::Gap: ++m_gapCount; break;
        default: break;
        }
        noteNamespace(peek.netns);
        entries.push_back({m_backlog.items[first + k].first, data, size, nameIndex});
    }
    m_history->appendEncoded(entries);
    m_totalEvents += qint64(entries.size());
    if (!entries.empty())
        m_rateWindow.emplace_back(m_clock.elapsed(), int(entries.size()));
    finishBatch(int(count), sawSnapshotComplete);
}

QList<quint32> NotificationModel::namespaceIds() const
{
    if (m_fileEventLog)
        return m_fileEventLog->namespaceIds();
    QList<quint32> ids = m_loadedNamespaces;
    for (const quint32 id : m_namespaces)
        if (!ids.contains(id))
            ids.append(id);
    return ids;
}

void NotificationModel::finishBatch(int records, bool sawSnapshotComplete)
{
    Q_EMIT batchApplied(records);
    if (m_namespacesGrew) {
        m_namespacesGrew = false;
        Q_EMIT namespacesChanged();
    }
    if (sawSnapshotComplete) {
        m_snapshotComplete = true;
        Q_EMIT snapshotComplete();
    }
}

double NotificationModel::eventsPerSecond() const
{
    const qint64 now = m_clock.elapsed();
    while (!m_rateWindow.empty() && m_rateWindow.front().first <= now - 1000)
        m_rateWindow.pop_front();
    qint64 sum = 0;
    for (const auto &entry : m_rateWindow)
        sum += entry.second;
    return double(sum);
}

bool NotificationModel::sourceStats(SourceStats *out) const
{
    if (!m_source || m_handle == 0 || !out)
        return false;
    return m_source->stats(m_handle, out);
}

void NotificationModel::noteApplied(int records, qint64 ns)
{
    ++m_slices;
    m_appliedRecords += records;
    m_lastSliceRecords = records;
    m_maxSliceRecords = std::max(m_maxSliceRecords, records);
    m_applyNsLast = ns;
    m_applyNsMax = std::max(m_applyNsMax, ns);
    m_applyNsTotal += ns;
}

NotificationModel::ApplyStats NotificationModel::applyStats() const
{
    ApplyStats s;
    s.batches = m_slices;
    if (m_slices == 0)
        return s;
    s.lastRecords = m_lastSliceRecords;
    s.maxRecords = m_maxSliceRecords;
    s.averageRecords = double(m_appliedRecords) / double(m_slices);
    s.lastMs = double(m_applyNsLast) / 1e6;
    s.maxMs = double(m_applyNsMax) / 1e6;
    s.averageMs = double(m_applyNsTotal) / 1e6 / double(m_slices);
    return s;
}

void NotificationModel::recountTimeline()
{
    // The history's events again, for the new filter: their first bytes only (eventcodec::peekHead),
    // not decoded into ChangeRecords. The events older than the history (dropped by its capacity, or a
    // recording read from its file, whose history is empty) are not here: a recording's
    // session counts those from the file.
    if (!m_timeline->hasFilter())
        return;
    publish(); // the bins counted every slice applied so far: the history is to hold them too
    TimelineBins::Counts counts;
    eventcodec::Head head;
    const qint64 n = m_history->size();
    for (qint64 i = 0; i < n; ++i) {
        const std::string_view bytes = m_history->encoded(i);
        if (!eventcodec::peekHead(bytes.data(), bytes.data() + bytes.size(), &head))
            continue;
        if (m_timeline->keeps(head.object, head.requester, head.netns))
            counts.add(head.object, head.change, m_history->timeUs(i));
    }
    m_timeline->mergeFiltered(counts, m_timeline->filterGeneration());
}

} // namespace ncv

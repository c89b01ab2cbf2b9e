#include "notificationmodel.h"

#include "addresstablemodel.h"
#include "entitytablemodel.h"
#include "eventhistory.h"
#include "eventlogmodel.h"
#include "interfacetablemodel.h"
#include "modellogging.h"
#include "routetablemodel.h"
#include "timelinebins.h"

#include <QMetaObject>

#include <algorithm>

namespace ncv {

using namespace platform;

int afInet()
{
    return afFromFamily(Family::IPv4);
}
int afInet6()
{
    return afFromFamily(Family::IPv6);
}
int afUnspec()
{
    return afFromFamily(Family::Unspec);
}

NotificationModel::NotificationModel(Source *source, QObject *parent)
    : QObject(parent), m_source(source), m_addressFamily(afUnspec()),
      m_interfaces(new InterfaceTableModel(&m_names, this)), m_addresses(new AddressTableModel(&m_names, this)),
      m_routes(new RouteTableModel(&m_names, this)), m_history(new EventHistory(this)),
      m_eventLog(new EventLogModel(m_history, this)), m_timeline(new TimelineBins(this)),
      m_entities(new EntityTableModel(this))
{
    m_clock.start();
}

NotificationModel::~NotificationModel()
{
    if (m_handle != 0 && m_source)
        m_source->cancel(m_handle); // after this returns, no callback touches us
    m_handle = 0;
}

QString NotificationModel::sourceName() const
{
    return m_source ? QString::fromStdString(m_source->name()) : QString();
}

bool NotificationModel::start(int addressFamily, bool initialNotification, QString *error)
{
    stop();
    m_interfaces->clear();
    m_addresses->clear();
    m_routes->clear();
    m_entities->clear();
    m_names.clear();
    m_snapshotComplete = false;
    m_addressFamily = addressFamily;

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
    params.objects = AllObjectsMask;
    params.addressFamily = addressFamily;
    params.callback = &NotificationModel::onRecords;
    params.callerContext = this;
    params.initialNotification = initialNotification;
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
    if (error)
        error->clear();
    Q_EMIT runningChanged(true);
    return true;
}

void NotificationModel::stop()
{
    if (m_handle == 0)
        return;
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
    bool post = false;
    {
        std::lock_guard lock(self->m_pendingMutex);
        self->m_pending.insert(self->m_pending.end(), records.begin(), records.end());
        if (!self->m_posted) {
            self->m_posted = true;
            post = true;
        }
    }
    if (post)
        QMetaObject::invokeMethod(self, &NotificationModel::applyPending, Qt::QueuedConnection);
}

void NotificationModel::applyPending()
{
    if (m_applying)
        return; // re-entered from a slot: the outer call or a posted call applies it
    if (applySlice())
        QMetaObject::invokeMethod(this, &NotificationModel::applyPending, Qt::QueuedConnection);
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

bool NotificationModel::applySlice()
{
    if (m_backlogOffset >= m_backlog.size()) {
        m_backlog.clear();
        m_backlogOffset = 0;
        std::lock_guard lock(m_pendingMutex);
        m_backlog.swap(m_pending);
        m_posted = false;
    }
    if (m_backlog.empty())
        return false;
    const std::size_t count = std::min(kMaxSliceRecords, m_backlog.size() - m_backlogOffset);
    m_applying = true;
    QElapsedTimer applyTimer;
    applyTimer.start();
    const std::span<ChangeRecord> slice(m_backlog.data() + m_backlogOffset, count);
    const qint64 gaps
        = std::count_if(slice.begin(), slice.end(), [](const ChangeRecord &r) { return r.object == ObjectKind::Gap; });
    applyBatch(slice);
    m_gapCount += gaps;
    noteApplied(slice, applyTimer.nsecsElapsed());
    m_applying = false;
    m_backlogOffset += count;
    if (m_backlogOffset < m_backlog.size())
        return true; // more of this burst: the caller queues the next slice
    m_backlog.clear();
    m_backlogOffset = 0;
    return false; // newer records (if any) were posted by the callback
}

void NotificationModel::applyBatch(std::span<ChangeRecord> batch)
{
    bool renamed = false;
    bool sawSnapshotComplete = false;
    std::vector<QString> ifNames(batch.size()); // resolved as each event arrives
    std::size_t index = 0;

    for (const ChangeRecord &r : batch) {
        QString &ifName = ifNames[index++];
        if (r.change == ChangeKind::SnapshotComplete) {
            sawSnapshotComplete = true;
            continue;
        }
        switch (r.object) {
        case ObjectKind::Interface: {
            m_interfaces->apply(r);
            if (const auto *row = std::get_if<InterfaceRow>(&r.row())) {
                ifName = QString::fromStdString(row->name);
                if (r.change == ChangeKind::Delete || r.change == ChangeKind::Expired)
                    renamed |= m_names.remove(row->ifIndex);
                else
                    renamed |= m_names.set(row->ifIndex, ifName);
            }
            break;
        }
        case ObjectKind::Address:
            m_addresses->apply(r);
            if (const auto *row = std::get_if<AddressRow>(&r.row()))
                ifName = m_names.name(row->ifIndex);
            break;
        case ObjectKind::Route:
            m_routes->apply(r);
            m_entities->apply(r); // route counts per origin
            if (const auto *row = std::get_if<RouteRow>(&r.row()))
                ifName = m_names.name(row->outIfIndex());
            break;
        case ObjectKind::Entity: m_entities->apply(r); break;
        default: break; // gaps and other events: history and timeline only
        }
    }

    m_interfaces->endBatch();
    m_addresses->endBatch();
    m_routes->endBatch();
    m_entities->endBatch();
    if (renamed) {
        m_addresses->interfaceNamesChanged();
        m_routes->interfaceNamesChanged();
    }

    m_timeline->addBatch(std::span<const ChangeRecord>(batch.data(), batch.size()));
    const int records = int(batch.size());
    std::vector<EventHistory::Entry> entries;
    entries.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].change != ChangeKind::SnapshotComplete)
            entries.push_back(EventHistory::Entry {std::move(batch[i]), std::move(ifNames[i])});
    }
    const int events = int(entries.size());
    m_history->append(std::move(entries));
    m_totalEvents += events;
    ++m_batchCount;
    if (events > 0)
        m_rateWindow.emplace_back(m_clock.elapsed(), events);

    Q_EMIT batchApplied(records);
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

void NotificationModel::noteApplied(std::span<const ChangeRecord> slice, qint64 ns)
{
    const int records = int(slice.size());
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

} // namespace ncv

// EventHistory: every event received, in receive order, with its sequence number
// (1, 2, 3 ...) and the interface name resolved when it arrived. Markers
// (SnapshotComplete) are not events and are not stored; Gap records are.
// Storage for 0.1: one ChangeRecord per event plus a 4-byte index into a table of
// distinct interface names. GUI thread only.
#pragma once

#include "types.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace ncv {

class EventHistory : public QObject {
    Q_OBJECT
public:
    explicit EventHistory(QObject *parent = nullptr);
    ~EventHistory() override;

    /// Number of stored events.
    qint64 size() const { return qint64(m_events.size()); }
    /// Event i (0 <= i < size()).
    const platform::ChangeRecord &record(qint64 i) const { return m_events[std::size_t(i)].record; }
    /// Sequence number of event i: 1 for the first event ever received, then +1 per event.
    quint64 sequence(qint64 i) const { return m_firstSequence + quint64(i); }
    /// Interface name of event i as it was when the event arrived ("" when none applies).
    QString ifName(qint64 i) const { return m_names.at(m_events[std::size_t(i)].nameIndex); }
    /// Event time of event i, microseconds since the Unix epoch (UTC).
    qint64 timeUs(qint64 i) const { return m_events[std::size_t(i)].record.timeUs; }

    /// One event to append: the record and the interface name it had on arrival.
    struct Entry {
        platform::ChangeRecord record;
        QString ifName;
    };
    /// Appends events (moved from) and emits appended(first, last) once.
    /// Does nothing (no signal) for an empty list.
    void append(std::vector<Entry> &&entries);
    /// Appends one event (emits appended for it). Prefer the batch overload.
    void append(platform::ChangeRecord record, const QString &ifName);

    /// Removes every event; sequence numbers continue (the next event gets the next number).
    /// Emits aboutToBeCleared() and cleared().
    void clear();

Q_SIGNALS:
    /// Events first..last (indexes, inclusive) were appended.
    void appended(qint64 first, qint64 last);
    void aboutToBeCleared();
    void cleared();

private:
    struct Event {
        platform::ChangeRecord record;
        qint32 nameIndex = 0;
    };
    qint32 internName(const QString &name);

    std::vector<Event> m_events;
    QStringList m_names; // distinct names; [0] = ""
    QHash<QString, qint32> m_nameIndex;
    quint64 m_firstSequence = 1;
};

} // namespace ncv

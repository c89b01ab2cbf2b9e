#include "eventhistory.h"

#include <algorithm>

namespace ncv {

EventHistory::EventHistory(QObject *parent) : QObject(parent)
{
    m_names.append(QString());
    m_nameIndex.insert(QString(), 0);
}

EventHistory::~EventHistory() = default;

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

void EventHistory::append(std::vector<Entry> &&entries)
{
    if (entries.empty())
        return;
    const qint64 first = size();
    const std::size_t needed = m_events.size() + entries.size();
    if (needed > m_events.capacity())
        m_events.reserve(std::max(needed, m_events.capacity() * 2)); // geometric: appends stay O(1) amortized
    for (Entry &entry : entries)
        m_events.push_back(Event {std::move(entry.record), internName(entry.ifName)});
    Q_EMIT appended(first, size() - 1);
}

void EventHistory::append(platform::ChangeRecord record, const QString &ifName)
{
    std::vector<Entry> entries;
    entries.push_back(Entry {std::move(record), ifName});
    append(std::move(entries));
}

void EventHistory::clear()
{
    Q_EMIT aboutToBeCleared();
    m_firstSequence += quint64(m_events.size());
    m_events.clear();
    m_events.shrink_to_fit();
    Q_EMIT cleared();
}

} // namespace ncv

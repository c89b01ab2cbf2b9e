// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventlogmodel.h"

#include "model/history/eventhistory.h"
#include "model/modeltext.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"

#include <QDateTime>

#include <algorithm>

namespace ncv {

using namespace platform;

EventLogModel::EventLogModel(EventHistory *history, QObject *parent)
    : QAbstractTableModel(parent), m_history(history), m_count(int(history->size()))
{
    connect(history, &EventHistory::appended, this, &EventLogModel::onAppended);
    connect(history, &EventHistory::aboutToDropOldest, this, [this](qint64 count) {
        if (count > 0 && m_count > 0)
            beginRemoveRows({}, 0, int(std::min<qint64>(count, m_count)) - 1);
    });
    connect(history, &EventHistory::droppedOldest, this, [this](qint64 count) {
        if (count > 0 && m_count > 0) {
            m_count -= int(std::min<qint64>(count, m_count));
            endRemoveRows();
        }
    });
    connect(history, &EventHistory::aboutToBeCleared, this, [this] { beginResetModel(); });
    connect(history, &EventHistory::cleared, this, [this] {
        m_count = int(m_history->size());
        endResetModel();
    });
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_count;
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void EventLogModel::onAppended(qint64 first, qint64 last)
{
    Q_UNUSED(first);
    if (last < m_count)
        return;
    beginInsertRows({}, m_count, int(last));
    m_count = int(last) + 1;
    endInsertRows();
}

QString EventLogModel::timeText(qint64 timeUs, bool nanoseconds, std::uint16_t subUsNs)
{
    qint64 ms = timeUs / 1000;
    qint64 us = timeUs % 1'000'000;
    if (us < 0)
        us += 1'000'000;
    if (timeUs < 0 && timeUs % 1000 != 0)
        --ms;
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    QString text = t.toString(QStringLiteral("HH:mm:ss.")) + QStringLiteral("%1").arg(us, 6, 10, QLatin1Char('0'));
    if (nanoseconds)
        text += QStringLiteral("%1").arg(std::min<unsigned>(subUsNs, 999), 3, 10, QLatin1Char('0'));
    return text;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qint64 i = index.row();
    if (role == EventIndexRole)
        return i;
    if (role == TimeUsRole)
        return qint64(m_history->timeUs(i));
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == Sequence)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    // Sequence, time and interface come without decoding the record (a sorted proxy over
    // a million events asks for them often).
    const int column = index.column();
    // A history of nanosecond times keeps them in the record: its time text decodes it.
    if (column == Time && role != SortRole && m_history->nanosecondTimes())
        return timeText(m_history->timeUs(i), true, m_history->record(i).timeSubUsNs);
    if (column == Sequence || column == Time || column == Interface)
        return keyCell(column, role == SortRole, m_history->sequence(i), m_history->timeUs(i),
                       column == Interface ? m_history->ifName(i) : QString());
    return recordCell(column, m_history->record(i), m_history->ifName(i)); // decoded on demand
}

QVariant EventLogModel::keyCell(int column, bool sortValue, quint64 sequence, qint64 timeUs, const QString &ifName)
{
    switch (column) {
    case Sequence: return sortValue ? QVariant(sequence) : QVariant(QString::number(sequence));
    case Time: return sortValue ? QVariant(timeUs) : QVariant(timeText(timeUs));
    case Interface: return ifName;
    default: return {};
    }
}

QVariant EventLogModel::recordCell(int column, const ChangeRecord &r, const QString &ifName)
{
    switch (column) {
    case Object: return qs(platform::objectName(r.object));
    case Change: return qs(changeName(r.change));
    case Family:
        switch (r.family) {
        case platform::Family::IPv4: return QStringLiteral("IPv4");
        case platform::Family::IPv6: return QStringLiteral("IPv6");
        default: return QString();
        }
    case Key: return qs(recordKeyText(r));
    case By: return r.requester != 0 ? qs(requesterText(RequesterTable::get(r.requester))) : QString();
    case Summary: return qs(summary(r, ifName.toStdString()));
    case Namespace: return r.netns != 0 ? qs(NamespaceTable::name(r.netns)) : QString();
    default: return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == Namespace && !m_namespaceHeader.isEmpty())
        return m_namespaceHeader;
    return headerText(section);
}

void EventLogModel::setNamespaceHeader(const QString &text)
{
    m_namespaceHeader = text;
    Q_EMIT headerDataChanged(Qt::Horizontal, Namespace, Namespace);
}

QString EventLogModel::headerText(int section)
{
    switch (section) {
    case Sequence: return QStringLiteral("#");
    case Time: return QStringLiteral("Time");
    case Object: return QStringLiteral("Object");
    case Change: return QStringLiteral("Change");
    case Family: return QStringLiteral("Family");
    case Interface: return QStringLiteral("Interface");
    case Key: return QStringLiteral("Key");
    case By: return QStringLiteral("By");
    case Summary: return QStringLiteral("Summary");
    case Namespace: return QStringLiteral("Namespace");
    default: return {};
    }
}

} // namespace ncv

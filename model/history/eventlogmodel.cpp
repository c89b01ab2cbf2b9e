// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/history/eventlogmodel.h"

#include "model/history/eventhistory.h"
#include "model/modeltext.h"
#include "platform/format.h"

#include <QDateTime>

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

QString EventLogModel::timeText(qint64 timeUs)
{
    qint64 ms = timeUs / 1000;
    qint64 us = timeUs % 1'000'000;
    if (us < 0)
        us += 1'000'000;
    if (timeUs < 0 && timeUs % 1000 != 0)
        --ms;
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    return t.toString(QStringLiteral("HH:mm:ss.")) + QStringLiteral("%1").arg(us, 6, 10, QLatin1Char('0'));
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
    const bool sort = role == SortRole;
    // Sequence, time and interface come without decoding the record (a sorted proxy over
    // a million events asks for them often).
    switch (index.column()) {
    case Sequence:
        return sort ? QVariant(quint64(m_history->sequence(i))) : QVariant(QString::number(m_history->sequence(i)));
    case Time: {
        const qint64 t = m_history->timeUs(i);
        return sort ? QVariant(t) : QVariant(timeText(t));
    }
    case Interface: return m_history->ifName(i);
    default: break;
    }
    const ChangeRecord r = m_history->record(i); // decoded on demand
    switch (index.column()) {
    case Object: return qs(platform::objectName(r.object));
    case Change: return qs(changeName(r.change));
    case Family:
        switch (r.family) {
        case platform::Family::IPv4: return QStringLiteral("IPv4");
        case platform::Family::IPv6: return QStringLiteral("IPv6");
        default: return QString();
        }
    case Key: return r.object == ObjectKind::Gap ? QString() : qs(keyText(r.row()));
    case Summary: return qs(summary(r, m_history->ifName(i).toStdString()));
    default: return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Sequence: return QStringLiteral("#");
    case Time: return QStringLiteral("Time");
    case Object: return QStringLiteral("Object");
    case Change: return QStringLiteral("Change");
    case Family: return QStringLiteral("Family");
    case Interface: return QStringLiteral("Interface");
    case Key: return QStringLiteral("Key");
    case Summary: return QStringLiteral("Summary");
    default: return {};
    }
}

} // namespace ncv

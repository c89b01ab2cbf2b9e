// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/eventlogdelegate.h"

#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/tables/tablemodelroles.h"

#include <QAbstractProxyModel>
#include <QApplication>
#include <QPalette>

namespace ncv {

using platform::ChangeKind;
using platform::ObjectKind;

namespace {
QColor blend(const QColor &base, const QColor &over, double alpha)
{
    const auto mix = [alpha](int a, int b) { return int(a * (1.0 - alpha) + b * alpha + 0.5); };
    return QColor(mix(base.red(), over.red()), mix(base.green(), over.green()), mix(base.blue(), over.blue()));
}
} // namespace

EventLogDelegate::EventLogDelegate(const EventHistory *history, QObject *parent)
    : RowStateDelegate(parent), m_history(history)
{ }

EventLogDelegate::EventLogDelegate(const FileEventLogModel *fileLog, QObject *parent)
    : RowStateDelegate(parent), m_history(nullptr), m_fileLog(fileLog)
{ }

QColor EventLogDelegate::tint(Style style, const QColor &base)
{
    static const QColor red(0xd6, 0x27, 0x28);
    static const QColor purple(0x8e, 0x44, 0xad);
    static const QColor teal(0x17, 0xa2, 0xb8);
    // Weaker on a dark base so light text keeps its contrast (as RowStateDelegate does).
    const double k = base.lightness() < 128 ? 0.6 : 1.0;
    switch (style) {
    case Gap: return blend(base, red, 0.30 * k);
    case Expired: return blend(base, purple, 0.22 * k);
    case Entity: return blend(base, teal, 0.20 * k);
    case Plain: break;
    }
    return {};
}

EventLogDelegate::Style EventLogDelegate::styleOf(const QModelIndex &index, bool *inferred) const
{
    if (inferred)
        *inferred = false;
    platform::ChangeRecord r;
    if (m_fileLog) {
        // The view shows the model through a proxy (a window of its rows); the page is cached.
        const auto *proxy = qobject_cast<const QAbstractProxyModel *>(index.model());
        const int row = proxy ? proxy->mapToSource(index).row() : index.row();
        recording::RecordedEvent e;
        if (!m_fileLog->eventAt(row, &e))
            return Plain;
        r = std::move(e.record);
    } else {
        if (!m_history)
            return Plain;
        bool ok = false;
        const qint64 i = index.data(EventIndexRole).toLongLong(&ok);
        if (!ok || i < 0 || i >= m_history->size())
            return Plain;
        r = m_history->record(i);
    }
    if (inferred)
        *inferred = r.origin == platform::Origin::Inferred;
    if (r.object == ObjectKind::Gap || r.change == ChangeKind::Gap)
        return Gap;
    if (r.change == ChangeKind::Expired)
        return Expired;
    if (r.object == ObjectKind::Entity || r.change == ChangeKind::Registered || r.change == ChangeKind::Deregistered)
        return Entity;
    return Plain;
}

void EventLogDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    RowStateDelegate::initStyleOption(option, index);
    bool inferred = false;
    const Style style = styleOf(index, &inferred);
    if (inferred) {
        option->font.setItalic(true);
        if (index.column() == EventLogModel::Change)
            option->text += QStringLiteral(" · inferred");
    }
    if (style == Plain)
        return;
    const QPalette &pal = option->widget ? option->widget->palette() : QApplication::palette();
    const QColor base = (option->features & QStyleOptionViewItem::Alternate) ? pal.color(QPalette::AlternateBase)
                                                                             : pal.color(QPalette::Base);
    option->backgroundBrush = tint(style, base);
    // Bold where it reads as a label (the time and numbers keep their fitted width).
    if (style == Gap
        && (index.column() == EventLogModel::Object || index.column() == EventLogModel::Change
            || index.column() == EventLogModel::Summary))
        option->font.setBold(true);
}

} // namespace ncv

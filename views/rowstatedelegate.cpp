// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/rowstatedelegate.h"

#include "model/tables/tablemodelroles.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHelpEvent>
#include <QPalette>
#include <QToolTip>

namespace ncv {

namespace {

QColor blend(const QColor &base, const QColor &over, double alpha)
{
    const auto mix = [alpha](int a, int b) { return int(a * (1.0 - alpha) + b * alpha + 0.5); };
    return QColor(mix(base.red(), over.red()), mix(base.green(), over.green()), mix(base.blue(), over.blue()));
}

} // namespace

RowStateDelegate::RowStateDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

QColor RowStateDelegate::tint(State state, bool changedCell, const QColor &base)
{
    // Pure hues, blended into the base: on white these give #d5f0d5-like green and
    // #fdebc0-like amber, dark text stays at a contrast ratio above 12:1.
    static const QColor green(0x2e, 0xa0, 0x43);
    static const QColor amber(0xf5, 0xa6, 0x23);
    // On a dark base the same hue reads much brighter: use less of it there so light
    // text keeps at least WCAG AA contrast.
    const double k = base.lightness() < 128 ? 0.6 : 1.0;
    switch (state) {
    case Added: return blend(base, green, 0.22 * k);
    case Changed: return blend(base, amber, (changedCell ? 0.55 : 0.25) * k);
    case Deleted:
    case None: break;
    }
    return {};
}

void RowStateDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const auto state = State(index.data(ChangeStateRole).toInt());
    if (state == None)
        return;
    const QPalette &pal = option->widget ? option->widget->palette() : QApplication::palette();
    if (state == Deleted) {
        option->font.setStrikeOut(true);
        // Mid grey between text and base: about 4.7:1 on white (WCAG AA), still "greyed".
        option->palette.setColor(QPalette::Text, blend(pal.color(QPalette::Text), pal.color(QPalette::Base), 0.45));
        option->palette.setColor(QPalette::HighlightedText,
                                 blend(pal.color(QPalette::HighlightedText), pal.color(QPalette::Highlight), 0.4));
        return;
    }
    const bool changedCell = state == Changed && index.data(ChangedColumnsRole).toBool();
    const QColor base = (option->features & QStyleOptionViewItem::Alternate) ? pal.color(QPalette::AlternateBase)
                                                                             : pal.color(QPalette::Base);
    option->backgroundBrush = tint(state, changedCell, base);
    if (changedCell)
        option->font.setBold(true);
}

bool RowStateDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                                 const QModelIndex &index)
{
    if (event && view && event->type() == QEvent::ToolTip && index.isValid()
        && !index.data(Qt::ToolTipRole).isValid()) {
        const QString text = index.data(Qt::DisplayRole).toString();
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const int available = view->visualRect(index).width() - 8; // minus the style's text margins
        if (!text.isEmpty() && QFontMetrics(opt.font).horizontalAdvance(text) > available) {
            QToolTip::showText(event->globalPos(), text, view);
            return true;
        }
        QToolTip::hideText();
        return true;
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

} // namespace ncv

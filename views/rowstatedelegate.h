// SPDX-License-Identifier: GPL-2.0-or-later
// RowStateDelegate: paints the transient row marks of the live tables.
// Reads ncv::ChangeStateRole (0 none, 1 added, 2 changed, 3 deleted) and
// ncv::ChangedColumnsRole (bool per cell) from the model (through any proxy) and
// tints the cell: added = green, changed = amber (changed cells stronger),
// deleted = grey text with strike-through. Elided cells get their full text as tooltip. Tints are blended into the
// palette's base colour so the text colour of the current theme stays readable (light and dark).
#pragma once

#include <QStyledItemDelegate>

namespace ncv {

class RowStateDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    /// Row states as ChangeStateRole reports them.
    enum State { None = 0, Added = 1, Changed = 2, Deleted = 3 };

    explicit RowStateDelegate(QObject *parent = nullptr);

    /// Background colour for a state over the given base colour; invalid QColor for None.
    /// changedCell selects the stronger tint of a changed cell within a changed row.
    static QColor tint(State state, bool changedCell, const QColor &base);

    /// Shows the full cell text as a tooltip when the cell shows it elided (and the model
    /// gives no tooltip of its own).
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace ncv

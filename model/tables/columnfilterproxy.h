// SPDX-License-Identifier: GPL-2.0-or-later
// ColumnFilterProxy: a ChangeTableProxy (fast sort and filter of a live table) that, on
// top of its filter text (setFilterText(): one column's display text contains it, ignoring
// case), keeps only the rows whose cell in one column has exactly a required value
// (compared as text of the given role). Used to show the routes of one routing entity
// (Routes table, Protocol column). GUI thread only.
#pragma once

#include "model/tables/changetableproxy.h"

namespace ncv {

class ColumnFilterProxy : public ChangeTableProxy {
    Q_OBJECT
public:
    explicit ColumnFilterProxy(QObject *parent = nullptr);

    /// Keeps only rows whose source cell (column, role) equals value (as text).
    void setRequiredValue(int column, const QString &value, int role = Qt::DisplayRole);
    /// Removes the condition (every row passes it again).
    void clearRequiredValue();
    bool hasRequiredValue() const { return m_column >= 0; }
    int requiredColumn() const { return m_column; }
    QString requiredValue() const { return m_value; }

Q_SIGNALS:
    void requiredValueChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_column = -1;
    int m_role = Qt::DisplayRole;
    QString m_value;
};

} // namespace ncv

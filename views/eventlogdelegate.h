// SPDX-License-Identifier: GPL-2.0-or-later
// EventLogDelegate: styles the event log's rows by what the event is (the live tables'
// RowStateDelegate paints row marks; the log has none):
// - gap (events lost): red tint, object / change / summary in bold — the picture may have been wrong until the resync;
// - expired (a lifetime ran out): purple tint; registered / deregistered (entities): teal tint;
// - origin inferred (derived by NetChangeView, not reported by the OS): italic, and the
//   Change cell reads e.g. "delete · inferred".
// Reads the record through EventIndexRole from the history, or for a log read from the file
// from its FileEventLogModel (by row: the view shows a window of its rows through a
// FileEventLogProxy).
// GUI thread only.
#pragma once

#include "views/rowstatedelegate.h"

#include <QPointer>

namespace ncv {

class EventHistory;
class FileEventLogModel;

class EventLogDelegate : public RowStateDelegate {
    Q_OBJECT
public:
    enum Style { Plain, Gap, Expired, Entity };

    /// history: the log's EventHistory (not owned; may go away before the delegate).
    explicit EventLogDelegate(const EventHistory *history, QObject *parent = nullptr);
    /// fileLog: the log read from the file that the view shows (not owned; outlives the view).
    explicit EventLogDelegate(const FileEventLogModel *fileLog, QObject *parent = nullptr);

    /// Background tint of a style over base; invalid QColor for Plain.
    static QColor tint(Style style, const QColor &base);
    /// Style and inferred flag of the event shown at index (any column; through proxies).
    Style styleOf(const QModelIndex &index, bool *inferred = nullptr) const;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    const EventHistory *m_history;
    const FileEventLogModel *m_fileLog = nullptr;
};

} // namespace ncv

// ChangeTableModel: the common base of the live table models (interfaces, addresses,
// routes). It owns the per-row change marks (added / changed / deleted), publishes rows
// appended during a batch with ONE ranged beginInsertRows, merges changed rows into
// ranged dataChanged signals, and runs one timer that expires marks and removes
// deleted rows (ranged beginRemoveRows) — never one timer or one signal per row.
// GUI thread only.
#pragma once

#include "tablemodelroles.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <string>
#include <vector>

namespace ncv {

class ChangeTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ChangeTableModel(QObject *parent = nullptr);
    ~ChangeTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    /// Handles ChangeStateRole and ChangedColumnsRole; everything else goes to cellData().
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    /// ChangeState of a row (ChangeNone when out of range).
    ChangeState changeState(int row) const;
    /// Number of rows not marked deleted.
    int liveRowCount() const;

    /// Removes every row (model reset).
    void clear();

    /// Sweeps expired marks now (also run by the internal timer). Rows marked deleted
    /// whose time is up are removed with ranged beginRemoveRows / endRemoveRows.
    /// nowMs: monotonic milliseconds (markClockMs()); -1 = now. For tests.
    void sweep(qint64 nowMs = -1);
    /// The monotonic clock the marks use, in milliseconds.
    qint64 markClockMs() const { return m_clock.elapsed(); }

    /// Sort order of rows a and b in column: negative, 0 or positive, in the order of their
    /// SortRole data. The default compares SortRole data; tables override it to compare
    /// their stored rows directly (no QVariant per comparison: 1M-row sorts, issue #4).
    virtual int compareRows(int a, int b, int column) const;
    /// A filter needle: the text, and its lower-case UTF-8 form.
    struct Needle {
        QString text;
        std::string lowerUtf8;
        quint64 generation = 0; ///< new for each filter pass (lets rowContains cache per pass)
    };
    /// True when one column's display text of row contains needle (case-insensitive).
    /// The default checks the DisplayRole texts; tables override it with a faster scan.
    virtual bool rowContains(int row, const Needle &needle) const;

    /// Ends a batch: emits the merged dataChanged ranges of the rows changed in place and
    /// one beginInsertRows/endInsertRows for the rows appended. Called by NotificationModel
    /// after the table's apply() calls of one batch.
    void endBatch();

protected:
    struct Mark {
        qint64 expiresMs = 0;
        quint32 changedColumns = 0; ///< bit per column
        quint8 state = ChangeNone;
    };

    /// Cell data for every role but ChangeStateRole, ChangedColumnsRole and
    /// Qt::TextAlignmentRole (answered here from isNumberColumn()).
    virtual QVariant cellData(int row, int column, int role) const = 0;
    /// Columns shown right-aligned (numbers, countdowns).
    virtual bool isNumberColumn(int column) const = 0;
    /// Erase rows [first, last] from the derived storage (marks are handled here).
    virtual void eraseRows(int first, int last) = 0;
    /// Row indexes from `first` on have shifted: rebuild their key -> index entries.
    virtual void reindexFrom(int first) = 0;
    /// Drop all derived storage.
    virtual void clearRows() = 0;

    /// The derived class appended one row to its storage; returns its index.
    /// It is published (rowCount grows) at endBatch().
    int appendRowMark(ChangeState state, quint32 changedColumns = 0);
    /// Mark state of a stored row (published or not).
    ChangeState storedState(int row) const { return ChangeState(m_marks[std::size_t(row)].state); }
    /// Marks row `row` (published or not) and queues its dataChanged. ChangeNone clears the mark.
    void markRow(int row, ChangeState state, quint32 changedColumns = 0);
    /// Queues a dataChanged for a row without changing its mark.
    void touchRow(int row);
    int storedRowCount() const { return int(m_marks.size()); }
    int publishedRowCount() const { return m_published; }

private:
    void ensureTimer();
    void emitRanges(std::vector<int> &rows, int firstColumn, int lastColumn);

    std::vector<Mark> m_marks; // parallel to the derived row storage
    std::vector<int> m_dirty; // published rows changed in this batch
    int m_published = 0;
    int m_markLo = 0, m_markHi = -1; // rows that may hold a mark
    int m_deletedCount = 0;
    QElapsedTimer m_clock;
    QTimer m_timer;
};

/// Sorts and filters a ChangeTableModel through its compareRows() / rowContains() (no
/// QVariant per comparison, no copy of the rows). setFilterText() sets the filter: a
/// case-insensitive substring of any column; while the text only grows (typing), rows
/// rejected by the previous text are rejected at once. The scan of a new text runs on
/// up to 4 threads (rowContains() is read-only). Other source models fall back to
/// QSortFilterProxyModel's behaviour. GUI thread only.
class ChangeTableProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ChangeTableProxy(QObject *parent = nullptr);
    void setSourceModel(QAbstractItemModel *source) override;
    /// Filter text ("" = all rows); re-filters at once.
    void setFilterText(const QString &text);
    QString filterText() const { return m_needle.text; }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void forgetRejected();

    const ChangeTableModel *m_table = nullptr;
    ChangeTableModel::Needle m_needle;
    // Rows the last filter pass rejected (by source row), valid until the source changes.
    // Computed on two threads in setFilterText(), before the proxy asks row by row.
    std::vector<char> m_rejected;
    std::vector<char> m_previousRejected;
    bool m_rejectedValid = false;
    bool m_narrowing = false;
    bool m_scanned = false; // inside setFilterText's invalidateFilter(): m_rejected is current
    QList<QMetaObject::Connection> m_connections;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// ChangeTableModel: the common base of the live table models (interfaces, addresses,
// routes). It owns the per-row change marks (added / changed / deleted), publishes rows
// appended during a batch with ONE ranged beginInsertRows, merges changed rows into
// ranged dataChanged signals, and runs one timer that expires marks and removes
// deleted rows (ranged beginRemoveRows) — never one timer or one signal per row.
// GUI thread only.
#pragma once

#include "model/tables/tablemodelroles.h"
#include "platform/podarray.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QProperty>
#include <QTimer>

#include <algorithm>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace ncv {

/// Sort order of two SortRole values: negative, 0 or positive (QVariant::compare; values it
/// cannot order compare as text).
int compareSortValues(const QVariant &l, const QVariant &r);

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

    /// Sweeps expired marks now. Rows marked deleted whose time is up are removed with
    /// ranged beginRemoveRows / endRemoveRows. A batch still open (rows applied or changed
    /// since the last endBatch()) is ended first. The internal timer (every 200 ms while
    /// marks are set) sweeps too, but never while a batch is open: it waits for the
    /// owner's endBatch(), so the tables are not published ahead of the owner's history.
    /// nowMs: monotonic milliseconds (markClockMs()); -1 = now. For tests.
    void sweep(qint64 nowMs = -1);
    /// The monotonic clock the marks use, in milliseconds.
    qint64 markClockMs() const { return m_clock.elapsed(); }

    /// Sort order of rows a and b in column: negative, 0 or positive, in the order of their
    /// SortRole data. The default compares SortRole data; tables override it to compare
    /// their stored rows directly (no QVariant per comparison: 1M-row sorts).
    virtual int compareRows(int a, int b, int column) const;
    /// A filter needle: the text, and its lower-case UTF-8 form.
    struct Needle {
        QString text;
        std::string lowerUtf8;
        quint64 generation = 0; ///< new for each filter pass (lets rowContains cache per pass)
    };
    /// True when one column's display text of row contains needle (case-insensitive).
    /// The default checks the DisplayRole texts; tables override it with a faster scan.
    /// May run on several threads at once (read-only) after prepareContains(needle).
    virtual bool rowContains(int row, const Needle &needle) const;
    /// Prepares per-needle state for rowContains() (e.g. which protocol names match).
    /// GUI thread, before a multi-threaded scan; rowContains() also calls it on the GUI
    /// thread when it sees a new needle generation. Default: nothing.
    virtual void prepareContains(const Needle &needle) const;

    /// A sort key of one row for one column (1M-row sorts): rows whose keys
    /// differ sort in key order; rows with equal keys are equal when both are exact,
    /// otherwise compareRows() decides.
    struct SortKey {
        quint64 key = 0;
        quint32 row = 0;
        quint32 exact = 1;
    };
    /// Fills keys with one SortKey per published row (any order of rows) for column,
    /// consistent with compareRows(). Returns false when the table has no keys for that
    /// column (the proxy then compares rows). Default: false.
    virtual bool sortKeys(int column, std::vector<SortKey> &keys) const;
    /// The sort keys of published rows `rows` for column, as sortKeys() would give them:
    /// keys[i] is rows[i]'s (its row = rows[i]). False (keys untouched) when the table has
    /// no key of a single row for that column: keys that are ranks of texts or names are
    /// made from all rows. Default: false. GUI thread.
    virtual bool sortKeysOf(std::span<const int> rows, int column, std::vector<SortKey> &keys) const;

    /// A row without a rank (rankKeys()).
    static constexpr quint32 kUnranked = ~quint32(0);
    /// Ranks from sort keys: sorts keys in place (by key; equal keys by compare(rowA, rowB)
    /// unless both are exact) and returns one rank per row of [0, rows), in ascending order,
    /// rows that compare equal sharing a rank, rows without a key kUnranked. Sorts on two
    /// threads beyond 200,000 keys (compare must be read-only). Any thread.
    template<typename Compare>
    static std::vector<quint32> rankKeys(std::vector<SortKey> &keys, std::size_t rows, Compare compare)
    {
        const auto less = [&compare](const SortKey &a, const SortKey &b) {
            if (a.key != b.key)
                return a.key < b.key;
            if (a.exact && b.exact)
                return false;
            return compare(a.row, b.row) < 0;
        };
        // Two halves on two threads, then one merge.
        const std::size_t n = keys.size();
        if (n > 200'000 && std::thread::hardware_concurrency() > 1) {
            const auto mid = keys.begin() + std::ptrdiff_t(n / 2);
            std::thread helper([&] { std::sort(keys.begin(), mid, less); });
            std::sort(mid, keys.end(), less);
            helper.join();
            std::inplace_merge(keys.begin(), mid, keys.end(), less);
        } else {
            std::sort(keys.begin(), keys.end(), less);
        }
        std::vector<quint32> ranks(rows, kUnranked);
        quint32 rank = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0) {
                const SortKey &a = keys[i - 1], &b = keys[i];
                const bool same = a.key == b.key && ((a.exact && b.exact) || compare(a.row, b.row) == 0);
                if (!same)
                    ++rank;
            }
            if (keys[i].row < ranks.size())
                ranks[keys[i].row] = rank;
        }
        return ranks;
    }
    /// The ranks of column that came with the rows of the last reset (swapped in with ranks
    /// made elsewhere: resetRows()), into *ranks, once, while no row changed, came or went
    /// since; false otherwise. A proxy that sorts by column takes them instead of ranking the rows.
    bool takePresetRanks(int column, std::vector<quint32> *ranks);
    /// True when takePresetRanks(column) would give ranks now.
    bool hasPresetRanks(int column) const;

    /// Cheaper than QAbstractTableModel::index (no virtual rowCount call): the proxy asks
    /// for two indexes per comparison while sorting.
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;

    /// Ends a batch: emits the merged dataChanged ranges of the rows changed in place and
    /// one beginInsertRows/endInsertRows for the rows appended. Called by NotificationModel
    /// after the table's apply() calls of one batch.
    void endBatch();
    /// Bytes the change marks hold: 8 per stored row while some row is marked (or was, until
    /// the sweep found none), else 0.
    std::size_t markMemoryBytes() const { return m_marks.memoryBytes(); }
    /// True while rows were applied or changed since the last endBatch().
    bool batchOpen() const { return !m_dirty.empty() || m_published < int(m_marks.size()); }

protected:
    /// 8 bytes per row (a million rows: 8 MB). Marks last seconds, so their expiry is kept
    /// as the low 32 bits of the mark clock and compared by the signed difference (right
    /// while a mark is swept within 24 days of its expiry).
    struct Mark {
        quint32 expiresMs = 0; ///< markClockMs() of the expiry, modulo 2^32
        quint32 changedColumns : 30 = 0; ///< bit per column (columns from 30 on are not marked one by one)
        quint32 state : 2 = ChangeNone;
    };
    static constexpr quint32 kMarkedColumns = (quint32(1) << 30) - 1;
    static_assert(sizeof(Mark) == 8);
    /// One Mark per stored row, held only while some row may be marked: once the sweep
    /// finds none marked, the storage goes back (release()) and every row reads as unmarked
    /// (a burst's marks expire 1.5 s after it; then 8 MB at a million rows are free again).
    /// The first mark after that takes the storage again from calloc (zero pages, written
    /// as rows are marked).
    class MarkColumn {
    public:
        std::size_t size() const { return m_rows; }
        bool held() const { return !m_marks.empty(); }
        Mark at(std::size_t row) const { return held() ? m_marks[row] : Mark {}; }
        Mark &ref(std::size_t row)
        {
            if (!held())
                m_marks.assignZeroed(m_rows);
            return m_marks[row];
        }
        void push_back()
        {
            ++m_rows;
            if (held())
                m_marks.push_back(Mark {});
        }
        /// Removes rows [first, last).
        void erase(std::size_t first, std::size_t last)
        {
            m_rows -= last - first;
            if (held())
                m_marks.erase(m_marks.begin() + first, m_marks.begin() + last);
        }
        /// rows rows, none marked.
        void assign(std::size_t rows)
        {
            m_rows = rows;
            release();
        }
        void clear() { assign(0); }
        void release() { platform::PodArray<Mark>().swap(m_marks); }
        std::size_t memoryBytes() const { return m_marks.capacity() * sizeof(Mark); }

    private:
        std::size_t m_rows = 0;
        platform::PodArray<Mark> m_marks; // empty, or one per row
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
    /// Replaces every row at once: one model reset around replace(), which swaps the
    /// derived storage and returns its row count; the rows come without marks. With
    /// rankColumn >= 0, *ranks are the new rows' ranks in that column (rankKeys()), kept
    /// for takePresetRanks() (moved out of *ranks).
    template<typename Replace>
    void resetRows(Replace replace, int rankColumn = -1, std::vector<quint32> *ranks = nullptr)
    {
        beginResetModel();
        resetMarks(replace());
        m_presetRanks.clear();
        m_presetColumn = -1;
        if (rankColumn >= 0 && ranks && ranks->size() == m_marks.size()) {
            m_presetRanks.swap(*ranks);
            m_presetColumn = rankColumn;
        }
        endResetModel();
    }
    /// Mark state of a stored row (published or not).
    ChangeState storedState(int row) const { return ChangeState(m_marks.at(std::size_t(row)).state); }
    /// Marks row `row` (published or not) and queues its dataChanged. ChangeNone clears the mark.
    void markRow(int row, ChangeState state, quint32 changedColumns = 0);
    /// Queues a dataChanged for a row without changing its mark.
    void touchRow(int row);
    int storedRowCount() const { return int(m_marks.size()); }
    /// Grows whenever rows were published, changed, removed or cleared (endBatch(),
    /// sweep(), clear()): lets a derived table rebuild caches over its rows only then.
    quint64 revision() const { return m_revision; }
    int publishedRowCount() const { return m_published; }

private:
    void resetMarks(int rows); // inside a model reset: rows rows, none marked, all published
    void ensureTimer();
    void emitRanges(std::vector<int> &rows, int firstColumn, int lastColumn, const QList<int> &roles = {});

    MarkColumn m_marks; // parallel to the derived row storage
    std::vector<int> m_dirty; // published rows changed in this batch
    int m_published = 0;
    int m_markLo = 0, m_markHi = -1; // rows that may hold a mark
    int m_deletedCount = 0;
    quint64 m_revision = 0;
    // takePresetRanks(): emptied when a row changes, comes or goes.
    std::vector<quint32> m_presetRanks;
    int m_presetColumn = -1;
    mutable int m_columnCount = -1; // columnCount(), asked once by index()
    QElapsedTimer m_clock;
    QTimer m_timer;
};

} // namespace ncv

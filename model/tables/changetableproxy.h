// SPDX-License-Identifier: GPL-2.0-or-later
// ChangeTableProxy: the sort and filter proxy over a live table (ChangeTableModel).
#pragma once

#include "model/tables/changetablemodel.h"
#include "platform/podarray.h"

#include <QAbstractProxyModel>
#include <QList>
#include <QTimer>

#include <vector>

namespace ncv {

/// Sorts and filters a flat table model, with its own row mapping instead of
/// QSortFilterProxyModel's, so that every whole re-sort is linear once a column is ranked.
///
/// Order: sort(column, order) orders the rows by the table's compareRows() (a
/// ChangeTableModel; other sources: their SortRole data, else DisplayRole, through
/// QVariant::compare), rows that compare equal in source order, in both directions (the
/// order of QSortFilterProxyModel's stable sort); column -1 is source order. Tables of more
/// than setRankThreshold() rows are first ranked from sortKeys() (one sort of compact keys
/// on two threads, 4 bytes per row kept while the column stays sorted); a whole re-sort is
/// then a counting sort of the ranks, linear in the rows: a filter that brings back a
/// million rows costs no comparison at all.
///
/// Filter: setFilterText(): a row stays when the display text of one of its columns
/// contains the text, ignoring case (plain text, not a pattern); the scan of a new text runs
/// on up to 4 threads (rowContains() is read-only) into an accept bitmap; while the text only
/// grows (typing), rows rejected by the previous text stay rejected without a look.
/// Subclasses add conditions in filterAcceptsRow() and call refilter() when they change.
///
/// Live updates: rows the source inserts, removes or changes go to their sorted place; up to
/// 16 runs of neighbouring proxy rows are announced as row inserts / removes, more as one
/// layout change (selection and current index follow their rows). Sorted by a column with
/// sort keys, the proxy keeps the shown rows' keys (9 bytes a row; made at each sort and
/// rebuild, kept by inserts, removes and moves), and new rows find their places among them
/// without decoding shown rows. A dataChanged whose roles are only ChangeStateRole /
/// ChangedColumnsRole (marks expiring) moves nothing.
/// Flat tables only (no children). GUI thread only.
class ChangeTableProxy : public QAbstractProxyModel {
    Q_OBJECT
public:
    explicit ChangeTableProxy(QObject *parent = nullptr);
    ~ChangeTableProxy() override;
    void setSourceModel(QAbstractItemModel *source) override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    QModelIndex sibling(int row, int column, const QModelIndex &index) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;

    /// Sorts by source column (-1: source order) in order; re-sorts at once.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    /// Filter text ("" = all rows); re-filters at once.
    void setFilterText(const QString &text);
    QString filterText() const { return m_needle.text; }
    /// Re-filters and re-sorts every row (one layout change).
    void invalidate();
    /// Sorts of more rows than this rank the rows first (default 4096; tests use 0).
    void setRankThreshold(int rows) { m_rankThreshold = rows; }
    /// True while a column is ranked (its ranks are kept until most rows change).
    bool hasRanks() const { return m_rankColumn >= 0; }
    /// New and moved rows find their places by sort keys where that decodes fewer rows (on
    /// by default); off, always by comparing rows. Tests and benchmarks compare the two.
    void setKeyedPlaces(bool on)
    {
        m_keyedPlaces = on;
        dropShownKeys();
    }
    /// True while the shown rows' sort keys are kept (see m_shownKeys), for tests.
    bool hasShownKeys() const { return m_shownKeysValid; }
    /// Kept keys of more shown rows than setShownKeysBuildLimit() are given back after ms
    /// milliseconds without an insert (default 2,000; 0: kept until the order changes), and
    /// made again, in one pass over every row, by the next insert of at least rebuildRows new
    /// rows (default 1,000). A burst keeps them throughout; a table at rest holds 9 bytes a
    /// row less (9 MB at a million routes), and a lone new row finds its place by sampled keys.
    void setShownKeysIdle(int ms, std::size_t rebuildRows);
    /// The most shown rows whose kept keys are made at an insert (default 20,000; more are
    /// made only by a sort or a rebuild; 0: never kept, new rows find their places by
    /// sampled keys), for tests and benchmarks.
    void setShownKeysBuildLimit(std::size_t rows)
    {
        m_shownKeysBuildLimit = rows;
        dropShownKeys();
    }

protected:
    /// True when source row sourceRow (of the root) passes the filter text. Subclasses add
    /// their own conditions and call refilter() when those change.
    virtual bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const;
    /// Re-filters every row after a subclass's own condition changed (at scale one linear
    /// rebuild, announced as one layout change).
    void refilter();

private:
    int sourceRows() const;
    /// Sort order of source rows a and b in the sort column: negative, 0 or positive.
    int compareSource(int a, int b) const;
    /// True when source row a comes before source row b in the proxy's order (a total
    /// order: rows that compare equal keep source order).
    bool before(int a, int b) const;
    /// The accepted source rows in the proxy's order (counting sort of ranks when ranked).
    std::vector<int> sortedAcceptedRows();
    /// accepted (source rows in source order) in the proxy's order.
    std::vector<int> sortedRows(std::vector<int> accepted);
    /// Sorts rows by before(): by rank when all are ranked, else by comparing.
    void sortRows(std::vector<int> &rows) const;
    /// Replaces the mapping by order (accepted source rows in proxy order): one layout
    /// change; persistent indexes follow their source rows (or become invalid).
    void applyLayout(std::vector<int> order);
    /// One layout change: change() rewrites m_proxyToSource (unmapping in m_sourceToProxy
    /// the rows it drops) and returns the first proxy row whose source row may differ.
    template<typename Change> void changeLayout(QAbstractItemModel::LayoutChangeHint hint, Change change);
    /// Both mappings from scratch, without signals (inside a reset or a layout change).
    void rebuildMapping();
    /// Rebuilds m_sourceToProxy for proxy rows from `first` on.
    void remapFrom(int first);
    /// Removes proxy rows (ascending, distinct): row removes per run, or one layout change.
    void removeProxyRows(const std::vector<int> &proxyRows);
    /// Inserts source rows not in the mapping at their sorted places: row inserts per run,
    /// or one layout change.
    void insertSourceRows(std::vector<int> rows);
    /// insertSourceRows()'s places by sort keys, when the table has keys for the sort column
    /// and that decodes fewer rows than comparing: rows (source rows not in the mapping) are
    /// put in the proxy's order and positions[i] is where rows[i] goes in the current
    /// mapping. The key of every stride-th shown row is read once (about 1.5 per new row); a
    /// row's place is found among those keys, then among the rows between two of them. A
    /// publication of 5,000 scattered routes into a million sorted ones decodes about
    /// 48,000 rows that way, about 220,000 by comparing. False (rows untouched) otherwise.
    bool placesByKeys(std::vector<int> &rows, std::vector<int> &positions) const;
    /// before() by sort keys, for source row a (key aKey, exact or not) and b: keys that
    /// differ order the rows, equal exact keys are equal rows (source order decides, as in
    /// before()), anything else is compared.
    bool keyBefore(quint64 aKey, bool aExact, quint32 a, const ChangeTableModel::SortKey &b) const;
    /// insertSourceRows()'s places by the shown rows' kept keys (m_shownKeys, valid): rows
    /// are put in the proxy's order, positions[i] is where rows[i] goes and keys[i] is its
    /// sort key. Each place is a binary search over the kept keys; a shown row is decoded
    /// only when its key equals the new row's and either is not exact. False (rows
    /// untouched) when the rows' keys cannot be read.
    bool placesByShownKeys(std::vector<int> &rows, std::vector<int> &positions,
                           std::vector<ChangeTableModel::SortKey> &keys) const;
    /// buildShownKeys() when the kept keys are missing and the shown rows few (at most
    /// setShownKeysBuildLimit()); true when they are valid.
    bool ensureShownKeys();
    /// Makes m_shownKeys for the current mapping when the sort column has keys of single
    /// rows: from the shown rows when few, else from every row's key in row order (one
    /// sequential pass) gathered in proxy order. True when they are valid.
    bool buildShownKeys();
    void dropShownKeys();
    /// Starts the wait after which kept keys of shown rows (more than the build limit) go.
    void armShownKeysIdle(std::size_t shown);

    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onLayoutAboutToBeChanged();
    void onLayoutChanged();

    void forgetRejected();
    /// Fills m_ranks for source column (rank of each source row in ascending order; equal
    /// rows share a rank). False when the table has no sort keys for it.
    bool computeRanks(int column);
    /// Ranks column unless current ranks for it cover nearly every row.
    void ensureRanks(int column);
    void dropRanks();
    bool ranked(int row) const;

    // Proxy row -> source row, and source row -> proxy row (-1: filtered out). PodArrays:
    // at a million rows a vector's doubling copy faults megabytes of fresh pages in one
    // publication; these grow in place (platform/podarray.h).
    platform::PodArray<int> m_proxyToSource;
    platform::PodArray<int> m_sourceToProxy;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;

    // Rank of each source row in m_rankColumn (4 bytes per row while a column is ranked);
    // kept until the source removes rows, resets or changes most rows of that column.
    std::vector<quint32> m_ranks;
    int m_rankColumn = -1;
    int m_rankThreshold;
    bool m_keyedPlaces = true;

    // The sort keys of the shown rows in proxy order, while m_shownKeysValid: m_shownKeys[p]
    // is m_proxyToSource[p]'s key in m_sortColumn, m_shownExact[p] whether it is exact
    // (ChangeTableModel::SortKey). New rows find their places among them without decoding
    // a shown row (9 bytes per shown row). Row inserts and removes keep them; a sort, a
    // filter change that rebuilds the mapping, a source reset or layout change make them
    // again (buildShownKeys()); anything else that fails drops them, and they are made
    // again at the next insert while the shown rows are few.
    platform::PodArray<quint64> m_shownKeys;
    platform::PodArray<quint8> m_shownExact;
    bool m_shownKeysValid = false;
    std::size_t m_shownKeysBuildLimit;
    // Gives back kept keys of more rows than the build limit once inserts stop
    // (setShownKeysIdle()); m_shownKeysRebuildRows new rows at once make them again.
    QTimer m_shownKeysIdle;
    std::size_t m_shownKeysRebuildRows;

    ChangeTableModel *m_table = nullptr; // takes its preset ranks
    ChangeTableModel::Needle m_needle;
    // Rows the last filter pass rejected (by source row), valid until the source changes.
    std::vector<char> m_rejected;
    std::vector<char> m_previousRejected;
    bool m_rejectedValid = false;
    // Source-side persistent indexes across a source layout change.
    QList<QPersistentModelIndex> m_layoutSource;
    QModelIndexList m_layoutProxy;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace ncv

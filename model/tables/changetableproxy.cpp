// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/changetableproxy.h"

#include "model/modellogging.h"

#include <QElapsedTimer>

#include <algorithm>
#include <atomic>
#include <bit>
#include <thread>
#include <unordered_set>

namespace ncv {

namespace {
// Sorts of more rows than this rank the rows from sortKeys() first (ranking costs a pass
// and a sort of compact keys; below this, compareRows() directly is cheaper).
constexpr int kDefaultRankThreshold = 4096;
// A filter change that flips more rows than this rebuilds the mapping.
constexpr int kIncrementalChanges = 256;
// More runs of neighbouring proxy rows than this are announced as one layout change: each
// row insert or remove shifts the mapping behind it (O(rows) apiece).
constexpr std::size_t kMaxRuns = 16;
constexpr quint32 kUnranked = ChangeTableModel::kUnranked;
// Kept sort keys found missing at an insert are made there (one decode per shown row) only
// up to this many shown rows; more are made by the next sort, filter rebuild or reset, and
// until then new rows find their places by sampled keys.
constexpr std::size_t kDefaultShownKeysBuildLimit = 20'000;
// Kept keys of more rows than the limit go after this long without an insert; an insert of
// this many rows makes them again (setShownKeysIdle()).
constexpr int kDefaultShownKeysIdleMs = 2000;
constexpr std::size_t kDefaultShownKeysRebuildRows = 1000;
std::atomic<quint64> s_generations {0}; // Needle::generation values

// Roles that change a row's text or order; a dataChanged naming only others (the change
// marks) moves and filters nothing.
bool touchesContent(const QList<int> &roles)
{
    if (roles.isEmpty())
        return true;
    return std::any_of(roles.begin(), roles.end(),
                       [](int role) { return role != ChangeStateRole && role != ChangedColumnsRole; });
}

// Runs of consecutive values in sorted, distinct rows: (first, length) pairs.
std::vector<std::pair<int, int>> runsOf(const std::vector<int> &rows)
{
    std::vector<std::pair<int, int>> runs;
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        runs.emplace_back(rows[i], int(j - i + 1));
        i = j + 1;
    }
    return runs;
}
} // namespace

ChangeTableProxy::ChangeTableProxy(QObject *parent)
    : QAbstractProxyModel(parent), m_rankThreshold(kDefaultRankThreshold),
      m_shownKeysBuildLimit(kDefaultShownKeysBuildLimit), m_shownKeysRebuildRows(kDefaultShownKeysRebuildRows)
{
    m_shownKeysIdle.setSingleShot(true);
    m_shownKeysIdle.setInterval(kDefaultShownKeysIdleMs);
    connect(&m_shownKeysIdle, &QTimer::timeout, this, [this] {
        if (m_shownKeysValid && m_proxyToSource.size() > m_shownKeysBuildLimit)
            dropShownKeys();
    });
}

void ChangeTableProxy::setShownKeysIdle(int ms, std::size_t rebuildRows)
{
    m_shownKeysIdle.stop();
    m_shownKeysIdle.setInterval(std::max(ms, 0));
    m_shownKeysRebuildRows = rebuildRows;
    if (m_shownKeysValid)
        armShownKeysIdle(m_proxyToSource.size());
}

ChangeTableProxy::~ChangeTableProxy() = default;

void ChangeTableProxy::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_table = qobject_cast<ChangeTableModel *>(source);
    forgetRejected();
    dropRanks();
    dropShownKeys();
    m_proxyToSource.clear();
    m_sourceToProxy.clear();
    QAbstractProxyModel::setSourceModel(source);
    if (source) {
        // A source deleted first (at shutdown): forget its rows; QAbstractProxyModel puts
        // its empty model in its place. No signals: views would ask a dying model.
        m_connections << connect(source, &QObject::destroyed, this, [this] {
            m_table = nullptr;
            m_proxyToSource.clear();
            m_sourceToProxy.clear();
            dropRanks();
            dropShownKeys();
        });
        m_connections << connect(source, &QAbstractItemModel::dataChanged, this, &ChangeTableProxy::onDataChanged);
        m_connections << connect(source, &QAbstractItemModel::rowsInserted, this, &ChangeTableProxy::onRowsInserted);
        m_connections << connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                                 &ChangeTableProxy::onRowsAboutToBeRemoved);
        m_connections << connect(source, &QAbstractItemModel::rowsRemoved, this, &ChangeTableProxy::onRowsRemoved);
        m_connections << connect(source, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
            beginResetModel();
            dropRanks();
            forgetRejected();
        });
        m_connections << connect(source, &QAbstractItemModel::modelReset, this, [this] {
            rebuildMapping();
            endResetModel();
        });
        m_connections << connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this,
                                 &ChangeTableProxy::onLayoutAboutToBeChanged);
        m_connections << connect(source, &QAbstractItemModel::layoutChanged, this, &ChangeTableProxy::onLayoutChanged);
        // Rows moved inside the source: a layout change here.
        m_connections << connect(source, &QAbstractItemModel::rowsAboutToBeMoved, this,
                                 &ChangeTableProxy::onLayoutAboutToBeChanged);
        m_connections << connect(source, &QAbstractItemModel::rowsMoved, this, &ChangeTableProxy::onLayoutChanged);
        // Columns come and go only with a new table: start over.
        const auto columnsAboutToChange = [this] { beginResetModel(); };
        const auto columnsChanged = [this] {
            dropRanks();
            if (m_sortColumn >= columnCount())
                m_sortColumn = -1;
            rebuildMapping();
            endResetModel();
        };
        for (auto signal :
             {&QAbstractItemModel::columnsAboutToBeInserted, &QAbstractItemModel::columnsAboutToBeRemoved})
            m_connections << connect(source, signal, this, columnsAboutToChange);
        for (auto signal : {&QAbstractItemModel::columnsInserted, &QAbstractItemModel::columnsRemoved})
            m_connections << connect(source, signal, this, columnsChanged);
        m_connections << connect(source, &QAbstractItemModel::columnsAboutToBeMoved, this, columnsAboutToChange);
        m_connections << connect(source, &QAbstractItemModel::columnsMoved, this, columnsChanged);
        m_connections << connect(source, &QAbstractItemModel::headerDataChanged, this,
                                 [this](Qt::Orientation orientation, int first, int last) {
                                     if (orientation == Qt::Horizontal)
                                         Q_EMIT headerDataChanged(orientation, first, last);
                                     else if (!m_proxyToSource.empty())
                                         Q_EMIT headerDataChanged(orientation, 0, rowCount() - 1);
                                 });
        rebuildMapping();
    }
    endResetModel();
}

QModelIndex ChangeTableProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= int(m_proxyToSource.size()) || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex ChangeTableProxy::parent(const QModelIndex &) const
{
    return {};
}

QModelIndex ChangeTableProxy::sibling(int row, int column, const QModelIndex &index) const
{
    return index.isValid() ? this->index(row, column) : QModelIndex();
}

int ChangeTableProxy::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_proxyToSource.size());
}

int ChangeTableProxy::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !sourceModel())
        return 0;
    return sourceModel()->columnCount();
}

bool ChangeTableProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_proxyToSource.empty() && columnCount() > 0;
}

QModelIndex ChangeTableProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel() || proxyIndex.model() != this)
        return {};
    const auto row = std::size_t(proxyIndex.row());
    if (row >= m_proxyToSource.size())
        return {};
    return sourceModel()->index(m_proxyToSource[row], proxyIndex.column());
}

QModelIndex ChangeTableProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != sourceModel() || sourceIndex.parent().isValid())
        return {};
    const auto row = std::size_t(sourceIndex.row());
    if (row >= m_sourceToProxy.size() || m_sourceToProxy[row] < 0)
        return {};
    return createIndex(m_sourceToProxy[row], sourceIndex.column());
}

int ChangeTableProxy::sourceRows() const
{
    if (m_table)
        return m_table->rowCount();
    return sourceModel() ? sourceModel()->rowCount() : 0;
}

// --- order ---

bool ChangeTableProxy::ranked(int row) const
{
    return m_rankColumn >= 0 && m_rankColumn == m_sortColumn && std::size_t(row) < m_ranks.size()
        && m_ranks[std::size_t(row)] != kUnranked;
}

int ChangeTableProxy::compareSource(int a, int b) const
{
    if (ranked(a) && ranked(b)) {
        const quint32 l = m_ranks[std::size_t(a)], r = m_ranks[std::size_t(b)];
        return l < r ? -1 : l > r ? 1 : 0;
    }
    if (m_table)
        return m_table->compareRows(a, b, m_sortColumn);
    const QAbstractItemModel *source = sourceModel();
    const auto value = [source, this](int row) {
        const QModelIndex cell = source->index(row, m_sortColumn);
        const QVariant v = cell.data(SortRole);
        return v.isValid() ? v : cell.data(Qt::DisplayRole);
    };
    return compareSortValues(value(a), value(b));
}

bool ChangeTableProxy::before(int a, int b) const
{
    if (m_sortColumn >= 0 && a != b) {
        const int c = compareSource(a, b);
        if (c != 0)
            return m_sortOrder == Qt::AscendingOrder ? c < 0 : c > 0;
    }
    return a < b;
}

void ChangeTableProxy::sortRows(std::vector<int> &rows) const
{
    if (m_sortColumn < 0) {
        std::sort(rows.begin(), rows.end());
        return;
    }
    std::sort(rows.begin(), rows.end(), [this](int a, int b) { return before(a, b); });
}

std::vector<int> ChangeTableProxy::sortedAcceptedRows()
{
    const int rows = sourceRows();
    std::vector<int> accepted;
    accepted.reserve(std::size_t(rows));
    for (int row = 0; row < rows; ++row)
        if (filterAcceptsRow(row, {}))
            accepted.push_back(row);
    return sortedRows(std::move(accepted));
}

std::vector<int> ChangeTableProxy::sortedRows(std::vector<int> accepted)
{
    if (m_sortColumn < 0 || accepted.size() < 2)
        return accepted;
    // Ranks that came with the rows (a state read off the GUI thread) are taken at any size:
    // they cost nothing here, and sorting by compareRows() decodes two rows per comparison.
    if (m_table && (int(accepted.size()) > m_rankThreshold || m_table->hasPresetRanks(m_sortColumn)))
        ensureRanks(m_sortColumn);
    if (m_rankColumn != m_sortColumn) {
        sortRows(accepted);
        return accepted;
    }
    // Counting sort of the ranks: linear, and stable (equal ranks keep source order, as
    // before() says for both directions). Rows without a rank (appended or changed since the
    // ranking, a few) are sorted apart and put in by binary search.
    quint32 maxRank = 0;
    std::vector<int> unranked;
    for (int row : accepted) {
        if (ranked(row))
            maxRank = std::max(maxRank, m_ranks[std::size_t(row)]);
        else
            unranked.push_back(row);
    }
    const bool ascending = m_sortOrder == Qt::AscendingOrder;
    if (accepted.size() < maxRank / 16) {
        // Few rows of many (a narrow filter): sorting them beats a pass over every rank.
        sortRows(accepted);
        return accepted;
    }
    const auto bucket = [&](int row) {
        const quint32 rank = m_ranks[std::size_t(row)];
        return std::size_t(ascending ? rank : maxRank - rank);
    };
    std::vector<quint32> start(std::size_t(maxRank) + 2, 0);
    for (int row : accepted)
        if (ranked(row))
            ++start[bucket(row) + 1];
    for (std::size_t i = 1; i < start.size(); ++i)
        start[i] += start[i - 1];
    std::vector<int> order(accepted.size() - unranked.size());
    for (int row : accepted)
        if (ranked(row))
            order[start[bucket(row)]++] = row;
    if (unranked.empty())
        return order;
    sortRows(unranked);
    std::vector<int> merged;
    merged.reserve(accepted.size());
    auto from = order.begin();
    for (int row : unranked) {
        const auto at = std::lower_bound(from, order.end(), row, [this](int a, int b) { return before(a, b); });
        merged.insert(merged.end(), from, at);
        merged.push_back(row);
        from = at;
    }
    merged.insert(merged.end(), from, order.end());
    return merged;
}

void ChangeTableProxy::rebuildMapping()
{
    dropShownKeys();
    const std::vector<int> rows = sortedAcceptedRows();
    m_proxyToSource.assign(rows.begin(), rows.end());
    m_sourceToProxy.assign(std::size_t(sourceRows()), -1);
    remapFrom(0);
    buildShownKeys(); // for the rows to come
}

void ChangeTableProxy::remapFrom(int first)
{
    for (std::size_t p = std::size_t(std::max(0, first)); p < m_proxyToSource.size(); ++p)
        m_sourceToProxy[std::size_t(m_proxyToSource[p])] = int(p);
}

template<typename Change> void ChangeTableProxy::changeLayout(QAbstractItemModel::LayoutChangeHint hint, Change change)
{
    Q_EMIT layoutAboutToBeChanged({}, hint);
    const QModelIndexList from = persistentIndexList();
    std::vector<int> sources;
    sources.reserve(std::size_t(from.size()));
    for (const QModelIndex &index : from)
        sources.push_back(std::size_t(index.row()) < m_proxyToSource.size() ? m_proxyToSource[std::size_t(index.row())]
                                                                            : -1);
    remapFrom(change());
    QModelIndexList to;
    to.reserve(from.size());
    for (qsizetype i = 0; i < from.size(); ++i) {
        const int source = sources[std::size_t(i)];
        const int row
            = source >= 0 && std::size_t(source) < m_sourceToProxy.size() ? m_sourceToProxy[std::size_t(source)] : -1;
        to.append(row >= 0 ? createIndex(row, from[i].column()) : QModelIndex());
    }
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged({}, hint);
}

void ChangeTableProxy::applyLayout(std::vector<int> order)
{
    const bool sameCount = order.size() == m_proxyToSource.size();
    dropShownKeys();
    changeLayout(sameCount ? QAbstractItemModel::VerticalSortHint : QAbstractItemModel::NoLayoutChangeHint, [&] {
        for (int row : m_proxyToSource)
            m_sourceToProxy[std::size_t(row)] = -1;
        m_proxyToSource.assign(order.begin(), order.end());
        return 0;
    });
}

void ChangeTableProxy::removeProxyRows(const std::vector<int> &proxyRows)
{
    if (proxyRows.empty())
        return;
    const std::vector<std::pair<int, int>> runs = runsOf(proxyRows);
    const bool keys = m_shownKeysValid;
    if (runs.size() > kMaxRuns) {
        std::vector<int> order;
        order.reserve(m_proxyToSource.size() - proxyRows.size());
        std::size_t next = 0, kept = 0;
        for (std::size_t p = 0; p < m_proxyToSource.size(); ++p) {
            if (next < proxyRows.size() && proxyRows[next] == int(p)) {
                ++next;
                continue;
            }
            order.push_back(m_proxyToSource[p]);
            if (keys) { // the kept rows' keys, in place
                m_shownKeys[kept] = m_shownKeys[p];
                m_shownExact[kept] = m_shownExact[p];
                ++kept;
            }
        }
        platform::PodArray<quint64> shownKeys;
        platform::PodArray<quint8> shownExact;
        if (keys) {
            m_shownKeys.resize(kept);
            m_shownExact.resize(kept);
            std::swap(shownKeys, m_shownKeys);
            std::swap(shownExact, m_shownExact);
        }
        applyLayout(std::move(order)); // drops the (moved away) keys
        if (keys) {
            m_shownKeys = std::move(shownKeys);
            m_shownExact = std::move(shownExact);
            m_shownKeysValid = true;
        }
        return;
    }
    // Last run first, so that the earlier runs' rows stay where they are.
    for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
        const auto [first, count] = *run;
        beginRemoveRows({}, first, first + count - 1);
        for (int p = first; p < first + count; ++p)
            m_sourceToProxy[std::size_t(m_proxyToSource[std::size_t(p)])] = -1;
        m_proxyToSource.erase(m_proxyToSource.begin() + first, m_proxyToSource.begin() + first + count);
        if (keys) {
            m_shownKeys.erase(m_shownKeys.begin() + first, m_shownKeys.begin() + first + count);
            m_shownExact.erase(m_shownExact.begin() + first, m_shownExact.begin() + first + count);
        }
        remapFrom(first);
        endRemoveRows();
    }
}

bool ChangeTableProxy::keyBefore(quint64 aKey, bool aExact, quint32 a, const ChangeTableModel::SortKey &b) const
{
    if (aKey != b.key)
        return m_sortOrder == Qt::AscendingOrder ? aKey < b.key : aKey > b.key;
    if (aExact && b.exact)
        return a < b.row;
    return before(int(a), int(b.row));
}

bool ChangeTableProxy::placesByKeys(std::vector<int> &rows, std::vector<int> &positions) const
{
    if (m_sortColumn < 0 || !m_table || !m_keyedPlaces)
        return false;
    // Rows decoded: the samples' keys, then per row its key and log2(stride) rows between
    // two samples; compared, per row log2(shown) rows and about 2 log2(rows) in sorting
    // them. About 1.5 samples per row keeps the sum near its least.
    const std::size_t shown = m_proxyToSource.size();
    const std::size_t k = rows.size();
    const std::size_t stride = std::bit_floor(std::max<std::size_t>(16, shown * 2 / (3 * k)));
    const std::size_t samples = (shown + stride - 1) / stride;
    const std::size_t keyedCost = samples + k * std::size_t(std::bit_width(stride));
    const std::size_t comparedCost = k * std::size_t(std::bit_width(shown) + 2 * std::bit_width(k) - 2);
    if (samples < 2 || keyedCost >= comparedCost)
        return false;
    std::vector<ChangeTableModel::SortKey> keys;
    if (!m_table->sortKeysOf(rows, m_sortColumn, keys))
        return false; // no keys for this column
    const auto keysBefore = [this](const ChangeTableModel::SortKey &a, const ChangeTableModel::SortKey &b) {
        return this->keyBefore(a.key, a.exact != 0, a.row, b);
    };
    std::sort(keys.begin(), keys.end(), keysBefore);
    std::vector<int> sampleRows(samples);
    for (std::size_t j = 0; j < samples; ++j)
        sampleRows[j] = m_proxyToSource[j * stride];
    std::vector<ChangeTableModel::SortKey> sample;
    if (!m_table->sortKeysOf(sampleRows, m_sortColumn, sample))
        return false; // rows still untouched
    const auto less = [this](int a, int b) { return before(a, b); };
    std::size_t j = 0; // samples before j precede the row being placed (rows come in order)
    std::size_t from = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        rows[i] = int(keys[i].row);
        j = std::size_t(std::partition_point(sample.begin() + std::ptrdiff_t(j), sample.end(),
                                             [&](const ChangeTableModel::SortKey &s) { return keysBefore(s, keys[i]); })
                        - sample.begin());
        // Between the last sample before it and the first one not before it.
        const std::size_t lo = std::max(from, j == 0 ? 0 : (j - 1) * stride + 1);
        const std::size_t hi = j < samples ? j * stride : shown;
        from = std::size_t(std::lower_bound(m_proxyToSource.begin() + std::ptrdiff_t(lo),
                                            m_proxyToSource.begin() + std::ptrdiff_t(hi), rows[i], less)
                           - m_proxyToSource.begin());
        positions[i] = int(from);
    }
    return true;
}

void ChangeTableProxy::dropShownKeys()
{
    m_shownKeys = {};
    m_shownExact = {};
    m_shownKeysValid = false;
}

bool ChangeTableProxy::ensureShownKeys()
{
    if (m_shownKeysValid)
        return true;
    if (m_proxyToSource.size() > m_shownKeysBuildLimit)
        return false; // too many to read in a publication: the next sort or filter makes them
    return buildShownKeys();
}

bool ChangeTableProxy::buildShownKeys()
{
    using SortKey = ChangeTableModel::SortKey;
    dropShownKeys();
    std::vector<SortKey> keys;
    // Only columns whose rows have keys one by one (sortKeysOf() of no rows says so): kept
    // keys are of no use when new rows' keys cannot be read.
    if (m_sortColumn < 0 || !m_table || !m_keyedPlaces || m_shownKeysBuildLimit == 0
        || !m_table->sortKeysOf({}, m_sortColumn, keys))
        return false;
    const std::size_t shown = m_proxyToSource.size();
    const std::size_t rows = std::size_t(m_table->rowCount());
    m_shownKeys.resize(shown);
    m_shownExact.resize(shown);
    if (shown <= m_shownKeysBuildLimit || shown * 16 < rows) {
        // Few rows: each shown row decoded (in proxy order: a cache miss or two apiece).
        if (!m_table->sortKeysOf(m_proxyToSource, m_sortColumn, keys)) {
            dropShownKeys();
            return false;
        }
        for (std::size_t p = 0; p < shown; ++p) {
            m_shownKeys[p] = keys[p].key;
            m_shownExact[p] = quint8(keys[p].exact);
        }
    } else {
        // Many: every row's key in row order (each row decoded once, in storage order: about
        // 10 ns a route), then gathered in proxy order.
        if (!m_table->sortKeys(m_sortColumn, keys) || keys.size() != rows) {
            dropShownKeys();
            return false;
        }
        for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i].row != i) {
                std::sort(keys.begin(), keys.end(), [](const SortKey &a, const SortKey &b) { return a.row < b.row; });
                break;
            }
        for (std::size_t p = 0; p < shown; ++p) {
            const SortKey &key = keys[std::size_t(m_proxyToSource[p])];
            m_shownKeys[p] = key.key;
            m_shownExact[p] = quint8(key.exact);
        }
    }
    m_shownKeysValid = true;
    armShownKeysIdle(shown);
    return true;
}

void ChangeTableProxy::armShownKeysIdle(std::size_t shown)
{
    if (m_shownKeysIdle.interval() > 0 && shown > m_shownKeysBuildLimit)
        m_shownKeysIdle.start();
}

bool ChangeTableProxy::placesByShownKeys(std::vector<int> &rows, std::vector<int> &positions,
                                         std::vector<ChangeTableModel::SortKey> &keys) const
{
    using SortKey = ChangeTableModel::SortKey;
    if (!m_table->sortKeysOf(rows, m_sortColumn, keys))
        return false;
    std::sort(keys.begin(), keys.end(),
              [this](const SortKey &a, const SortKey &b) { return keyBefore(a.key, a.exact != 0, a.row, b); });
    const std::size_t shown = m_proxyToSource.size();
    std::size_t from = 0; // rows come in order: each place is at or after the previous one
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const SortKey &key = keys[i];
        rows[i] = int(key.row);
        std::size_t lo = from, hi = shown; // the first shown row not before the new one
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (keyBefore(m_shownKeys[mid], m_shownExact[mid] != 0, quint32(m_proxyToSource[mid]), key))
                lo = mid + 1;
            else
                hi = mid;
        }
        positions[i] = int(lo);
        from = lo;
    }
    return true;
}

void ChangeTableProxy::insertSourceRows(std::vector<int> rows)
{
    if (rows.empty())
        return;
    // Where each goes in the current mapping (a row goes before the first row it precedes),
    // rows in the proxy's order; with the shown rows' keys kept, keys[i] is rows[i]'s.
    std::vector<int> positions(rows.size());
    std::vector<ChangeTableModel::SortKey> keys;
    // Keys given back at rest come again for a burst: one pass now, none per publication.
    if (!m_shownKeysValid && rows.size() >= m_shownKeysRebuildRows && m_proxyToSource.size() > m_shownKeysBuildLimit)
        buildShownKeys();
    const bool keep = ensureShownKeys() && placesByShownKeys(rows, positions, keys);
    if (!keep)
        dropShownKeys();
    if (keep)
        armShownKeysIdle(m_proxyToSource.size() + rows.size());
    if (!keep && !placesByKeys(rows, positions)) {
        sortRows(rows);
        const auto less = [this](int a, int b) { return before(a, b); };
        auto from = m_proxyToSource.begin();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            from = m_sortColumn < 0 ? std::lower_bound(from, m_proxyToSource.end(), rows[i])
                                    : std::lower_bound(from, m_proxyToSource.end(), rows[i], less);
            positions[i] = int(from - m_proxyToSource.begin());
        }
    }
    std::size_t runCount = 0;
    for (std::size_t i = 0; i < positions.size(); ++i)
        runCount += i == 0 || positions[i] != positions[i - 1];
    if (runCount > kMaxRuns) {
        // Merged in place from the back: no second mapping, and the rows before the first
        // place keep their proxy rows (nothing leaves, so no row is unmapped first).
        changeLayout(QAbstractItemModel::NoLayoutChangeHint, [&] {
            const std::size_t shown = m_proxyToSource.size();
            std::size_t p = shown, i = rows.size(), w = p + i;
            m_proxyToSource.resize(w);
            while (i > 0) {
                while (i > 0 && std::size_t(positions[i - 1]) == p)
                    m_proxyToSource[--w] = rows[--i];
                if (i > 0)
                    m_proxyToSource[--w] = m_proxyToSource[--p];
            }
            if (keep) { // the keys the same way
                p = shown, i = rows.size(), w = p + i;
                m_shownKeys.resize(w);
                m_shownExact.resize(w);
                while (i > 0) {
                    while (i > 0 && std::size_t(positions[i - 1]) == p) {
                        --i, --w;
                        m_shownKeys[w] = keys[i].key;
                        m_shownExact[w] = quint8(keys[i].exact);
                    }
                    if (i > 0) {
                        --p, --w;
                        m_shownKeys[w] = m_shownKeys[p];
                        m_shownExact[w] = m_shownExact[p];
                    }
                }
            }
            return positions.front();
        });
        return;
    }
    // Runs of rows going to the same place, last place first.
    std::size_t end = rows.size();
    while (end > 0) {
        std::size_t begin = end - 1;
        while (begin > 0 && positions[begin - 1] == positions[end - 1])
            --begin;
        const int at = positions[begin];
        const int count = int(end - begin);
        beginInsertRows({}, at, at + count - 1);
        m_proxyToSource.insert(m_proxyToSource.begin() + at, rows.begin() + std::ptrdiff_t(begin),
                               rows.begin() + std::ptrdiff_t(end));
        if (keep) {
            std::vector<quint64> runKeys;
            std::vector<quint8> runExact;
            for (std::size_t i = begin; i < end; ++i) {
                runKeys.push_back(keys[i].key);
                runExact.push_back(quint8(keys[i].exact));
            }
            m_shownKeys.insert(m_shownKeys.begin() + at, runKeys.begin(), runKeys.end());
            m_shownExact.insert(m_shownExact.begin() + at, runExact.begin(), runExact.end());
        }
        remapFrom(at);
        endInsertRows();
        end = begin;
    }
}

void ChangeTableProxy::sort(int column, Qt::SortOrder order)
{
    if (column >= columnCount())
        column = -1;
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (m_rankColumn != column)
        dropRanks(); // the ranks of one column at a time
    invalidate();
}

void ChangeTableProxy::invalidate()
{
    if (!sourceModel())
        return;
    applyLayout(sortedAcceptedRows());
    buildShownKeys(); // for the rows to come
}

void ChangeTableProxy::refilter()
{
    forgetRejected();
    invalidate();
}

// --- filter ---

bool ChangeTableProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_needle.text.isEmpty())
        return true;
    if (m_rejectedValid && std::size_t(sourceRow) < m_rejected.size())
        return !m_rejected[std::size_t(sourceRow)];
    if (m_table)
        return m_table->rowContains(sourceRow, m_needle);
    const QAbstractItemModel *source = sourceModel();
    for (int column = 0; column < source->columnCount(sourceParent); ++column)
        if (source->index(sourceRow, column, sourceParent)
                .data(Qt::DisplayRole)
                .toString()
                .contains(m_needle.text, Qt::CaseInsensitive))
            return true;
    return false;
}

void ChangeTableProxy::forgetRejected()
{
    m_rejectedValid = false;
    m_needle.generation = ++s_generations; // rows or names changed: no cached answers
}

void ChangeTableProxy::setFilterText(const QString &text)
{
    if (text == m_needle.text || !sourceModel()) {
        m_needle.text = text;
        return;
    }
    QElapsedTimer trace;
    trace.start();
    const int rows = sourceRows();
    // Typing more letters only narrows: rows rejected before stay rejected.
    const bool narrowing = m_rejectedValid && !m_needle.text.isEmpty()
        && text.contains(m_needle.text, Qt::CaseInsensitive) && int(m_rejected.size()) == rows;
    m_previousRejected.swap(m_rejected);
    m_rejected.assign(std::size_t(rows), 0);
    m_needle.text = text;
    m_needle.lowerUtf8 = text.toLower().toStdString();
    m_needle.generation = ++s_generations;
    m_rejectedValid = false;
    if (!text.isEmpty()) {
        if (m_table) {
            m_table->prepareContains(m_needle);
            // Every row now, on several threads; the mapping then only reads the result.
            const auto scan = [this, narrowing](int first, int last) {
                for (int row = first; row < last; ++row) {
                    if (narrowing && m_previousRejected[std::size_t(row)])
                        m_rejected[std::size_t(row)] = 1;
                    else
                        m_rejected[std::size_t(row)] = !m_table->rowContains(row, m_needle);
                }
            };
            const int threads = rows < 20'000 ? 1 : int(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
            std::vector<std::thread> helpers;
            const int per = (rows + threads - 1) / threads;
            for (int t = 1; t < threads; ++t)
                helpers.emplace_back(scan, std::min(rows, t * per), std::min(rows, (t + 1) * per));
            scan(0, std::min(rows, per));
            for (std::thread &helper : helpers)
                helper.join();
        } else {
            for (int row = 0; row < rows; ++row)
                m_rejected[std::size_t(row)] = !ChangeTableProxy::filterAcceptsRow(row, {});
        }
    }
    m_rejectedValid = true;
    const qint64 scanNs = trace.nsecsElapsed();

    // The rows that change sides (the whole accept test, a subclass's conditions included),
    // listed while they are few; beyond that the mapping is rebuilt from the accepted rows.
    std::vector<int> accepted;
    accepted.reserve(std::size_t(rows));
    std::vector<int> gone; // proxy rows
    std::vector<int> back; // source rows
    std::size_t changed = 0;
    for (int row = 0; row < rows; ++row) {
        const int p = m_sourceToProxy[std::size_t(row)];
        const bool accept = filterAcceptsRow(row, {});
        if (accept)
            accepted.push_back(row);
        if ((p >= 0) == accept)
            continue;
        if (++changed <= std::size_t(kIncrementalChanges)) {
            if (p >= 0)
                gone.push_back(p);
            else
                back.push_back(row);
        }
    }
    if (changed > std::size_t(kIncrementalChanges)) {
        applyLayout(sortedRows(std::move(accepted))); // linear once ranked
        buildShownKeys();
    } else {
        std::sort(gone.begin(), gone.end());
        removeProxyRows(gone);
        insertSourceRows(std::move(back));
    }
    qCDebug(lcModel, "filter: %zu rows change sides; scan %.1f ms, proxy update %.1f ms", changed, scanNs / 1e6,
            (trace.nsecsElapsed() - scanNs) / 1e6);
}

// --- source changes ---

void ChangeTableProxy::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                     const QList<int> &roles)
{
    if (!topLeft.isValid() || !bottomRight.isValid() || topLeft.parent().isValid())
        return;
    const int firstRow = std::max(0, topLeft.row());
    const int lastRow = std::min(bottomRight.row(), int(m_sourceToProxy.size()) - 1);
    const bool content = touchesContent(roles);
    std::vector<int> moved; // proxy rows whose place may be wrong now
    std::vector<int> gone; // proxy rows the filter now rejects
    std::vector<int> back; // source rows the filter now accepts
    int lo = -1, hi = -1; // proxy rows changed in place
    if (content) {
        forgetRejected();
        const bool sortColumnChanged = m_sortColumn >= topLeft.column() && m_sortColumn <= bottomRight.column();
        if (sortColumnChanged && m_rankColumn == m_sortColumn && !m_ranks.empty() && lastRow >= firstRow) {
            // Changed rows lose their rank (compared by compareRows() from now on); most
            // rows changed: rank again when needed.
            if (std::size_t(lastRow - firstRow + 1) > m_ranks.size() / 8)
                dropRanks();
            else
                for (int row = firstRow; row <= lastRow && std::size_t(row) < m_ranks.size(); ++row)
                    m_ranks[std::size_t(row)] = kUnranked;
        }
        std::vector<int> candidates; // proxy rows still shown
        for (int row = firstRow; row <= lastRow; ++row) {
            const int p = m_sourceToProxy[std::size_t(row)];
            const bool accept = filterAcceptsRow(row, {});
            if (p < 0) {
                if (accept)
                    back.push_back(row);
            } else if (!accept) {
                gone.push_back(p);
            } else if (sortColumnChanged) {
                candidates.push_back(p);
            } else {
                lo = lo < 0 ? p : std::min(lo, p);
                hi = std::max(hi, p);
            }
        }
        if (!candidates.empty() || (!gone.empty() && m_sortColumn >= 0)) {
            // A row is in place when it sits between its neighbours. The source changes all
            // rows of a batch before it signals their ranges one by one, and rows leave here:
            // every pair of rows that becomes neighbours is looked at again, so that once
            // the batch's last range is through, each neighbouring pair is in order (and so
            // the whole mapping).
            std::sort(candidates.begin(), candidates.end());
            // Proxy rows leaving their place: a set over the few rows a batch changes, a
            // bitmap when the change covers much of the table.
            const bool dense = (candidates.size() + gone.size()) * 64 > m_proxyToSource.size();
            std::vector<char> leavingBits(dense ? m_proxyToSource.size() : 0, 0);
            std::unordered_set<int> leavingSet;
            const auto leaving
                = [&](int p) { return dense ? leavingBits[std::size_t(p)] != 0 : leavingSet.count(p) != 0; };
            const auto leave = [&](int p) {
                if (dense)
                    leavingBits[std::size_t(p)] = 1;
                else
                    leavingSet.insert(p);
            };
            const int rows = int(m_proxyToSource.size());
            const auto previous = [&](int p) {
                --p;
                while (p >= 0 && leaving(p))
                    --p;
                return p;
            };
            const auto following = [&](int p) {
                ++p;
                while (p < rows && leaving(p))
                    ++p;
                return p;
            };
            std::vector<int> work(candidates.rbegin(), candidates.rend());
            for (int p : gone)
                leave(p);
            if (m_sortColumn >= 0)
                for (int p : gone) {
                    if (const int prev = previous(p); prev >= 0)
                        work.push_back(prev);
                    if (const int next = following(p); next < rows)
                        work.push_back(next);
                }
            while (!work.empty()) {
                const int p = work.back();
                work.pop_back();
                if (leaving(p))
                    continue;
                const int prev = previous(p);
                const int next = following(p);
                const int row = m_proxyToSource[std::size_t(p)];
                const bool inPlace = (prev < 0 || before(m_proxyToSource[std::size_t(prev)], row))
                    && (next >= rows || before(row, m_proxyToSource[std::size_t(next)]));
                if (inPlace)
                    continue;
                leave(p);
                moved.push_back(p);
                if (prev >= 0)
                    work.push_back(prev);
                if (next < rows)
                    work.push_back(next);
            }
            std::vector<int> stayed; // source rows whose new key is in place
            for (int p : candidates)
                if (!leaving(p)) {
                    lo = lo < 0 ? p : std::min(lo, p);
                    hi = std::max(hi, p);
                    stayed.push_back(m_proxyToSource[std::size_t(p)]);
                }
            std::vector<ChangeTableModel::SortKey> keys;
            if (m_shownKeysValid && !stayed.empty()) {
                if (m_table->sortKeysOf(stayed, m_sortColumn, keys)) {
                    for (const ChangeTableModel::SortKey &key : keys) {
                        const std::size_t p = std::size_t(m_sourceToProxy[key.row]);
                        m_shownKeys[p] = key.key;
                        m_shownExact[p] = quint8(key.exact);
                    }
                } else {
                    dropShownKeys();
                }
            }
        }
    } else {
        for (int row = firstRow; row <= lastRow; ++row) {
            const int p = m_sourceToProxy[std::size_t(row)];
            if (p >= 0) {
                lo = lo < 0 ? p : std::min(lo, p);
                hi = std::max(hi, p);
            }
        }
    }
    // In-place rows first (their proxy rows are still the current ones).
    if (lo >= 0)
        Q_EMIT dataChanged(index(lo, topLeft.column()), index(hi, bottomRight.column()), roles);
    if (gone.empty() && moved.empty() && back.empty())
        return;
    std::vector<int> out = gone;
    out.insert(out.end(), moved.begin(), moved.end());
    std::sort(out.begin(), out.end());
    for (int p : moved)
        back.push_back(m_proxyToSource[std::size_t(p)]);
    removeProxyRows(out);
    insertSourceRows(std::move(back));
}

void ChangeTableProxy::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    forgetRejected();
    const int count = last - first + 1;
    if (std::size_t(first) < m_sourceToProxy.size()) {
        // Inserted between existing rows: the rows behind shift (their ranks too).
        for (int &row : m_proxyToSource)
            if (row >= first)
                row += count;
        m_sourceToProxy.insert(m_sourceToProxy.begin() + first, std::size_t(count), -1);
        dropRanks();
    } else {
        m_sourceToProxy.resize(std::size_t(last) + 1, -1);
    }
    std::vector<int> added;
    for (int row = first; row <= last; ++row)
        if (filterAcceptsRow(row, {}))
            added.push_back(row);
    insertSourceRows(std::move(added));
}

void ChangeTableProxy::onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    dropRanks();
    std::vector<int> out;
    for (int row = first; row <= last && std::size_t(row) < m_sourceToProxy.size(); ++row)
        if (m_sourceToProxy[std::size_t(row)] >= 0)
            out.push_back(m_sourceToProxy[std::size_t(row)]);
    std::sort(out.begin(), out.end());
    removeProxyRows(out);
}

void ChangeTableProxy::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    forgetRejected();
    const int count = last - first + 1;
    for (int &row : m_proxyToSource)
        if (row > last)
            row -= count;
    const auto end = std::min(m_sourceToProxy.size(), std::size_t(last) + 1);
    m_sourceToProxy.erase(m_sourceToProxy.begin() + first, m_sourceToProxy.begin() + std::ptrdiff_t(end));
}

void ChangeTableProxy::onLayoutAboutToBeChanged()
{
    Q_EMIT layoutAboutToBeChanged();
    dropRanks();
    forgetRejected();
    m_layoutProxy = persistentIndexList();
    m_layoutSource.clear();
    for (const QModelIndex &index : std::as_const(m_layoutProxy))
        m_layoutSource.append(QPersistentModelIndex(mapToSource(index)));
}

void ChangeTableProxy::onLayoutChanged()
{
    rebuildMapping();
    QModelIndexList to;
    for (const QPersistentModelIndex &source : std::as_const(m_layoutSource))
        to.append(mapFromSource(source));
    changePersistentIndexList(m_layoutProxy, to);
    m_layoutProxy.clear();
    m_layoutSource.clear();
    Q_EMIT layoutChanged();
}

// --- ranks ---

void ChangeTableProxy::dropRanks()
{
    m_ranks = {};
    m_rankColumn = -1;
}

void ChangeTableProxy::ensureRanks(int column)
{
    const std::size_t rows = std::size_t(m_table->rowCount());
    // Rows appended since the last ranking compare by compareRows(); rank again once they
    // are more than a few.
    if (m_rankColumn == column && m_ranks.size() <= rows && rows - m_ranks.size() <= rows / 16)
        return;
    // Ranks that came with the rows (made off the GUI thread with them).
    if (m_table->takePresetRanks(column, &m_ranks)) {
        m_rankColumn = column;
        return;
    }
    if (!computeRanks(column))
        dropRanks();
}

bool ChangeTableProxy::computeRanks(int column)
{
    using SortKey = ChangeTableModel::SortKey;
    std::vector<SortKey> keys;
    if (!m_table->sortKeys(column, keys))
        return false;
    const ChangeTableModel *table = m_table;
    m_ranks = ChangeTableModel::rankKeys(keys, std::size_t(m_table->rowCount()), [table, column](quint32 a, quint32 b) {
        return table->compareRows(int(a), int(b), column);
    });
    m_rankColumn = column;
    return true;
}

} // namespace ncv

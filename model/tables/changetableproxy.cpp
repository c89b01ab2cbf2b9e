// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/changetableproxy.h"

#include "model/modellogging.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace ncv {

namespace {
// Sorts of more rows than this rank the rows from sortKeys() first (ranking costs a pass
// and a sort of compact keys; below this, compareRows() directly is cheaper).
constexpr int kDefaultRankThreshold = 100'000;
// A filter change that flips more rows than this rebuilds the proxy mapping.
constexpr int kIncrementalChanges = 256;
constexpr quint32 kUnranked = ~quint32(0);
std::atomic<quint64> s_generations {0}; // Needle::generation values
} // namespace

ChangeTableProxy::ChangeTableProxy(QObject *parent)
    : QSortFilterProxyModel(parent), m_rankThreshold(kDefaultRankThreshold)
{
    setSortRole(SortRole);
    // For a source that is not a ChangeTableModel, setFilterText() hands the text to
    // QSortFilterProxyModel's fixed-string filter: matched as rowContains() matches it.
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1);
    m_patternNotifier = bindableFilterRegularExpression().addNotifier([this] { warnIfPatternIgnored(); });
}

void ChangeTableProxy::warnIfPatternIgnored() const
{
    if (m_table && !filterRegularExpression().pattern().isEmpty())
        qCWarning(lcModel,
                  "ChangeTableProxy: filter pattern \"%s\" is not applied to a live table; use setFilterText()",
                  qUtf8Printable(filterRegularExpression().pattern()));
}

void ChangeTableProxy::setSourceModel(QAbstractItemModel *source)
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_table = qobject_cast<const ChangeTableModel *>(source);
    forgetRejected();
    dropRanks();
    if (source) {
        // Connected before QSortFilterProxyModel's own connections, so that stale ranks are
        // gone before it re-sorts changed rows. Appended rows keep the ranks of the others
        // (rows without a rank are compared with compareRows()).
        m_connections << connect(source, &QAbstractItemModel::dataChanged, this,
                                 [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                                     unrankRows(topLeft, bottomRight);
                                     forgetRejected();
                                 });
        m_connections << connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this] { dropRanks(); });
        m_connections << connect(source, &QAbstractItemModel::modelAboutToBeReset, this, [this] { dropRanks(); });
        m_connections << connect(source, &QAbstractItemModel::layoutAboutToBeChanged, this, [this] { dropRanks(); });
        // Any change of the source makes the remembered rejections stale.
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            m_connections << connect(source, signal, this, [this] { forgetRejected(); });
        m_connections << connect(source, &QAbstractItemModel::modelReset, this, [this] { forgetRejected(); });
        m_connections << connect(source, &QAbstractItemModel::layoutChanged, this, [this] { forgetRejected(); });
    }
    QSortFilterProxyModel::setSourceModel(source);
    warnIfPatternIgnored();
}

void ChangeTableProxy::forgetRejected()
{
    m_rejectedValid = false;
    m_needle.generation = ++s_generations; // rows or names changed: no cached answers
}

void ChangeTableProxy::dropRanks()
{
    m_ranks = {};
    m_rankColumn = -1;
}

void ChangeTableProxy::unrankRows(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    if (m_rankColumn < topLeft.column() || m_rankColumn > bottomRight.column() || m_ranks.empty())
        return;
    const std::size_t first = std::size_t(std::max(0, topLeft.row()));
    const std::size_t last = std::min(std::size_t(std::max(0, bottomRight.row())), m_ranks.size() - 1);
    if (last >= first && last - first + 1 > m_ranks.size() / 8) {
        dropRanks(); // most rows changed: rank again when needed
        return;
    }
    for (std::size_t row = first; row <= last; ++row)
        m_ranks[row] = kUnranked;
}

void ChangeTableProxy::ensureRanks(int column)
{
    const std::size_t rows = std::size_t(m_table->rowCount());
    // Rows appended since the last ranking compare by compareRows(); rank again once they
    // are more than a few.
    if (m_rankColumn == column && m_ranks.size() <= rows && rows - m_ranks.size() <= rows / 16)
        return;
    if (!computeRanks(column))
        dropRanks();
}

void ChangeTableProxy::setFilterText(const QString &text)
{
    if (!m_table) {
        setFilterFixedString(text);
        return;
    }
    if (text == m_needle.text)
        return;
    QElapsedTimer trace;
    trace.start();
    const int rows = m_table->rowCount();
    // Which rows the proxy accepts now: all for no text, else the last scan's (when the
    // source has not changed since).
    const bool previousKnown = m_needle.text.isEmpty() || (m_rejectedValid && int(m_rejected.size()) == rows);
    const bool previousAll = m_needle.text.isEmpty();
    // Typing more letters only narrows: rows rejected before stay rejected.
    m_narrowing = m_rejectedValid && !m_needle.text.isEmpty() && text.contains(m_needle.text, Qt::CaseInsensitive)
        && int(m_rejected.size()) == rows;
    m_previousRejected.swap(m_rejected);
    m_rejected.assign(std::size_t(rows), 0);
    m_needle.text = text;
    m_needle.lowerUtf8 = text.toLower().toStdString();
    m_needle.generation = ++s_generations;
    if (!text.isEmpty()) {
        m_table->prepareContains(m_needle);
        // Scan every row now, on several threads; the proxy then only reads the result.
        const auto scan = [this](int first, int last) {
            for (int row = first; row < last; ++row) {
                if (m_narrowing && m_previousRejected[std::size_t(row)])
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
    }
    m_narrowing = false;
    const qint64 scanNs = trace.nsecsElapsed();

    // How many rows change sides. QSortFilterProxyModel's invalidateFilter() removes and
    // inserts rows per run of neighbouring proxy rows, each run costing O(rows): fine for a
    // few changes, seconds for thousands at 1M rows. Beyond a few, rebuild the mapping
    // instead (invalidate(): one pass over the bitmap and one sort of the accepted rows).
    int changed = rows;
    if (previousKnown) {
        changed = 0;
        for (int row = 0; row < rows; ++row)
            changed += (previousAll ? 0 : m_previousRejected[std::size_t(row)]) != m_rejected[std::size_t(row)];
    }
    const int accepted = text.isEmpty() ? rows : int(std::count(m_rejected.begin(), m_rejected.end(), char(0)));
    const bool rebuild = changed > kIncrementalChanges;
    const int toSort = rebuild ? accepted : changed;
    const int column = sortColumn();
    if (column >= 0 && dynamicSortFilter() && toSort > m_rankThreshold)
        ensureRanks(column);
    const qint64 rankNs = trace.nsecsElapsed();
    m_scanned = true;
    if (rebuild) {
        invalidate();
        rowCount(); // builds the mapping now, while the bitmap is current
    } else if (changed > 0) {
        invalidateFilter();
    }
    m_scanned = false;
    qCDebug(lcModel, "filter: %d rows change sides; scan %.1f ms, rank %.1f ms, proxy update %.1f ms", changed,
            scanNs / 1e6, (rankNs - scanNs) / 1e6, (trace.nsecsElapsed() - rankNs) / 1e6);
    m_rejectedValid = true;
}

void ChangeTableProxy::refilter()
{
    if (!m_table || m_table->rowCount() <= kIncrementalChanges) {
        invalidateFilter();
        return;
    }
    const int column = sortColumn();
    if (column >= 0 && dynamicSortFilter() && m_table->rowCount() > m_rankThreshold)
        ensureRanks(column);
    invalidate();
    rowCount(); // builds the mapping now
}

void ChangeTableProxy::sort(int column, Qt::SortOrder order)
{
    const bool noop = dynamicSortFilter() && column == sortColumn() && order == sortOrder();
    if (m_table && !noop && column >= 0 && m_table->rowCount() > m_rankThreshold)
        ensureRanks(column);
    QSortFilterProxyModel::sort(column, order);
}

bool ChangeTableProxy::computeRanks(int column)
{
    using SortKey = ChangeTableModel::SortKey;
    std::vector<SortKey> keys;
    if (!m_table->sortKeys(column, keys))
        return false;
    const ChangeTableModel *table = m_table;
    const auto less = [table, column](const SortKey &a, const SortKey &b) {
        if (a.key != b.key)
            return a.key < b.key;
        if (a.exact && b.exact)
            return false;
        return table->compareRows(int(a.row), int(b.row), column) < 0;
    };
    // Two halves on two threads, then one merge (compareRows() is read-only).
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
    m_ranks.assign(std::size_t(m_table->rowCount()), kUnranked);
    quint32 rank = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            const SortKey &a = keys[i - 1], &b = keys[i];
            const bool same
                = a.key == b.key && ((a.exact && b.exact) || table->compareRows(int(a.row), int(b.row), column) == 0);
            if (!same)
                ++rank;
        }
        if (keys[i].row < m_ranks.size())
            m_ranks[keys[i].row] = rank;
    }
    m_rankColumn = column;
    return true;
}

bool ChangeTableProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_table)
        return QSortFilterProxyModel::lessThan(left, right);
    if (left.column() == m_rankColumn) {
        const auto l = std::size_t(left.row()), r = std::size_t(right.row());
        if (l < m_ranks.size() && r < m_ranks.size() && m_ranks[l] != kUnranked && m_ranks[r] != kUnranked)
            return m_ranks[l] < m_ranks[r];
    }
    return m_table->compareRows(left.row(), right.row(), left.column()) < 0;
}

bool ChangeTableProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_table)
        return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
    if (m_needle.text.isEmpty())
        return true;
    if (m_scanned && std::size_t(sourceRow) < m_rejected.size())
        return !m_rejected[std::size_t(sourceRow)];
    return m_table->rowContains(sourceRow, m_needle);
}

} // namespace ncv

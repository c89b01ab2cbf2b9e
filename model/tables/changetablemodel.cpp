// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/changetablemodel.h"

#include "model/modellogging.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace ncv {

namespace {
constexpr int kSweepIntervalMs = 200;
// Sorts of more rows than this rank the rows from sortKeys() first (ranking costs a pass
// and a sort of compact keys; below this, compareRows() directly is cheaper).
constexpr int kDefaultRankThreshold = 100'000;
// A filter change that flips more rows than this rebuilds the proxy mapping.
constexpr int kIncrementalChanges = 256;
constexpr quint32 kUnranked = ~quint32(0);
std::atomic<quint64> s_generations {0}; // Needle::generation values
} // namespace

ChangeTableModel::ChangeTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_clock.start();
    m_timer.setInterval(kSweepIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { sweep(); });
}

ChangeTableModel::~ChangeTableModel() = default;

QModelIndex ChangeTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (m_columnCount < 0)
        m_columnCount = columnCount(); // fixed per table (an enum)
    if (parent.isValid() || row < 0 || column < 0 || row >= m_published || column >= m_columnCount)
        return {};
    return createIndex(row, column);
}

int ChangeTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_published;
}

QVariant ChangeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Mark &mark = m_marks[std::size_t(index.row())];
    if (role == ChangeStateRole)
        return int(mark.state);
    if (role == ChangedColumnsRole)
        return mark.state == ChangeChanged && (mark.changedColumns & (1u << unsigned(index.column()))) != 0;
    if (role == Qt::TextAlignmentRole)
        return isNumberColumn(index.column()) ? QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter))
                                              : QVariant();
    return cellData(index.row(), index.column(), role);
}

ChangeState ChangeTableModel::changeState(int row) const
{
    if (row < 0 || row >= m_published)
        return ChangeNone;
    return ChangeState(m_marks[std::size_t(row)].state);
}

int ChangeTableModel::liveRowCount() const
{
    return m_published - m_deletedCount;
}

void ChangeTableModel::clear()
{
    beginResetModel();
    clearRows();
    m_marks.clear();
    m_dirty.clear();
    m_published = 0;
    m_markLo = 0;
    m_markHi = -1;
    m_deletedCount = 0;
    ++m_revision;
    m_timer.stop();
    endResetModel();
}

int ChangeTableModel::appendRowMark(ChangeState state, quint32 changedColumns)
{
    m_marks.push_back({});
    const int row = int(m_marks.size()) - 1;
    if (state != ChangeNone)
        markRow(row, state, changedColumns);
    return row;
}

void ChangeTableModel::markRow(int row, ChangeState state, quint32 changedColumns)
{
    Mark &mark = m_marks[std::size_t(row)];
    if (mark.state == ChangeDeleted && state != ChangeDeleted)
        --m_deletedCount;
    else if (mark.state != ChangeDeleted && state == ChangeDeleted)
        ++m_deletedCount;
    mark.state = quint8(state);
    mark.changedColumns = state == ChangeChanged ? changedColumns : 0;
    mark.expiresMs = m_clock.elapsed() + (state == ChangeDeleted ? kDeletedRowMs : kChangeMarkMs);
    if (state != ChangeNone) {
        if (m_markHi < m_markLo) {
            m_markLo = m_markHi = row;
        } else {
            m_markLo = std::min(m_markLo, row);
            m_markHi = std::max(m_markHi, row);
        }
    }
    touchRow(row);
}

void ChangeTableModel::touchRow(int row)
{
    if (row < m_published)
        m_dirty.push_back(row);
}

void ChangeTableModel::emitRanges(std::vector<int> &rows, int firstColumn, int lastColumn)
{
    if (rows.empty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::size_t i = 0;
    while (i < rows.size()) {
        std::size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(rows[i], firstColumn), index(rows[j], lastColumn));
        i = j + 1;
    }
    rows.clear();
}

void ChangeTableModel::endBatch()
{
    ++m_revision;
    emitRanges(m_dirty, 0, columnCount() - 1);
    const int stored = int(m_marks.size());
    if (stored > m_published) {
        beginInsertRows({}, m_published, stored - 1);
        m_published = stored;
        endInsertRows();
    }
    ensureTimer();
}

void ChangeTableModel::ensureTimer()
{
    if (m_markHi >= m_markLo && !m_timer.isActive())
        m_timer.start();
}

void ChangeTableModel::sweep(qint64 nowMs)
{
    if (nowMs < 0)
        nowMs = m_clock.elapsed();
    if (m_markHi < m_markLo) {
        m_timer.stop();
        return;
    }
    const int hi = std::min(m_markHi, m_published - 1);
    std::vector<int> cleared;
    std::vector<int> removed;
    int newLo = -1, newHi = -1;
    for (int row = m_markLo; row <= hi; ++row) {
        Mark &mark = m_marks[std::size_t(row)];
        if (mark.state == ChangeNone)
            continue;
        if (mark.expiresMs <= nowMs) {
            if (mark.state == ChangeDeleted) {
                removed.push_back(row);
            } else {
                mark.state = ChangeNone;
                mark.changedColumns = 0;
                cleared.push_back(row);
            }
            continue;
        }
        if (newLo < 0)
            newLo = row;
        newHi = row;
    }
    // Marks on unpublished rows (none outside a batch) stay.
    for (int row = hi + 1; row <= m_markHi; ++row) {
        if (m_marks[std::size_t(row)].state != ChangeNone) {
            if (newLo < 0)
                newLo = row;
            newHi = row;
        }
    }
    emitRanges(cleared, 0, columnCount() - 1);

    if (!removed.empty()) {
        // Ranged removes, last range first so earlier indexes stay valid.
        std::size_t j = removed.size();
        while (j > 0) {
            std::size_t i = j - 1;
            while (i > 0 && removed[i - 1] == removed[i] - 1)
                --i;
            const int first = removed[i];
            const int last = removed[j - 1];
            beginRemoveRows({}, first, last);
            eraseRows(first, last);
            m_marks.erase(m_marks.begin() + first, m_marks.begin() + last + 1);
            m_published -= last - first + 1;
            m_deletedCount -= last - first + 1;
            endRemoveRows();
            j = i;
        }
        reindexFrom(removed.front());
        ++m_revision;
        // Surviving marked rows moved down by the number of removed rows before them.
        if (newLo >= 0) {
            const auto shift = [&removed](int row) {
                return row - int(std::lower_bound(removed.begin(), removed.end(), row) - removed.begin());
            };
            newLo = shift(newLo);
            newHi = shift(newHi);
        }
    }
    if (newLo < 0) {
        m_markLo = 0;
        m_markHi = -1;
        m_timer.stop();
    } else {
        m_markLo = newLo;
        m_markHi = newHi;
    }
}

int ChangeTableModel::compareRows(int a, int b, int column) const
{
    const QVariant l = cellData(a, column, SortRole);
    const QVariant r = cellData(b, column, SortRole);
    const QPartialOrdering order = QVariant::compare(l, r);
    if (order == QPartialOrdering::Less)
        return -1;
    if (order == QPartialOrdering::Greater)
        return 1;
    if (order == QPartialOrdering::Equivalent)
        return 0;
    return QString::compare(l.toString(), r.toString());
}

bool ChangeTableModel::rowContains(int row, const Needle &needle) const
{
    for (int column = 0; column < columnCount(); ++column) {
        if (cellData(row, column, Qt::DisplayRole).toString().contains(needle.text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void ChangeTableModel::prepareContains(const Needle &) const { }

bool ChangeTableModel::sortKeys(int, std::vector<SortKey> &) const
{
    return false;
}

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

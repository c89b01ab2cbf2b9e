// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/tables/changetablemodel.h"

#include <algorithm>

namespace ncv {

namespace {
constexpr int kSweepIntervalMs = 200;
} // namespace

ChangeTableModel::ChangeTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_clock.start();
    m_timer.setInterval(kSweepIntervalMs);
    // While a batch is open its owner is applying a burst and publishes the batch together
    // with the history within its update interval: a sweep now would publish the tables
    // alone, ahead of the event log. The next tick after the publication sweeps.
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!batchOpen())
            sweep();
    });
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
    const Mark mark = m_marks.at(std::size_t(index.row()));
    if (role == ChangeStateRole)
        return int(mark.state);
    if (role == ChangedColumnsRole)
        return mark.state == ChangeChanged && index.column() < 30
            && (mark.changedColumns & (1u << unsigned(index.column()))) != 0;
    if (role == Qt::TextAlignmentRole)
        return isNumberColumn(index.column()) ? QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter))
                                              : QVariant();
    return cellData(index.row(), index.column(), role);
}

ChangeState ChangeTableModel::changeState(int row) const
{
    if (row < 0 || row >= m_published)
        return ChangeNone;
    return ChangeState(m_marks.at(std::size_t(row)).state);
}

int ChangeTableModel::liveRowCount() const
{
    return m_published - m_deletedCount;
}

void ChangeTableModel::clear()
{
    beginResetModel();
    clearRows();
    m_presetRanks = {};
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

bool ChangeTableModel::hasPresetRanks(int column) const
{
    return column >= 0 && column == m_presetColumn && m_presetRanks.size() == std::size_t(m_published)
        && m_deletedCount == 0;
}

bool ChangeTableModel::takePresetRanks(int column, std::vector<quint32> *ranks)
{
    const bool current = hasPresetRanks(column);
    if (current)
        ranks->swap(m_presetRanks);
    m_presetRanks = {};
    m_presetColumn = -1;
    return current;
}

void ChangeTableModel::resetMarks(int rows)
{
    m_marks.assign(std::size_t(std::max(rows, 0)));
    m_dirty.clear();
    m_published = int(m_marks.size());
    m_markLo = 0;
    m_markHi = -1;
    m_deletedCount = 0;
    ++m_revision;
    m_timer.stop();
}

int ChangeTableModel::appendRowMark(ChangeState state, quint32 changedColumns)
{
    m_marks.push_back();
    const int row = int(m_marks.size()) - 1;
    if (state != ChangeNone)
        markRow(row, state, changedColumns);
    return row;
}

void ChangeTableModel::markRow(int row, ChangeState state, quint32 changedColumns)
{
    if (state == ChangeNone && !m_marks.held()) { // unmarked already: nothing to take storage for
        touchRow(row);
        return;
    }
    Mark &mark = m_marks.ref(std::size_t(row));
    if (mark.state == ChangeDeleted && state != ChangeDeleted)
        --m_deletedCount;
    else if (mark.state != ChangeDeleted && state == ChangeDeleted)
        ++m_deletedCount;
    mark.state = quint32(state) & 3;
    mark.changedColumns = state == ChangeChanged ? (changedColumns & kMarkedColumns) : 0;
    mark.expiresMs = quint32(m_clock.elapsed() + (state == ChangeDeleted ? kDeletedRowMs : kChangeMarkMs));
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

void ChangeTableModel::emitRanges(std::vector<int> &rows, int firstColumn, int lastColumn, const QList<int> &roles)
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
        Q_EMIT dataChanged(index(rows[i], firstColumn), index(rows[j], lastColumn), roles);
        i = j + 1;
    }
    rows.clear();
}

void ChangeTableModel::endBatch()
{
    ++m_revision;
    if (!m_dirty.empty() || std::size_t(m_published) < m_marks.size())
        m_presetRanks = {}; // rows changed or came: the ranks made with the rows are stale
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
    // A batch still open (its owner publishes a burst's slices once per update interval)
    // ends first: removing rows shifts the row numbers its changed and appended rows hold.
    if (batchOpen())
        endBatch();
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
        if (m_marks.at(std::size_t(row)).state == ChangeNone)
            continue;
        Mark &mark = m_marks.ref(std::size_t(row));
        if (qint32(quint32(nowMs) - mark.expiresMs) >= 0) { // expired (modulo 2^32, see Mark)
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
        if (m_marks.at(std::size_t(row)).state != ChangeNone) {
            if (newLo < 0)
                newLo = row;
            newHi = row;
        }
    }
    // Only the marks changed: proxies need not re-sort or re-filter these rows.
    emitRanges(cleared, 0, columnCount() - 1, {ChangeStateRole, ChangedColumnsRole});

    if (!removed.empty()) {
        m_presetRanks = {};
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
            m_marks.erase(std::size_t(first), std::size_t(last) + 1);
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
        m_marks.release(); // no row is marked: every row reads as unmarked
    } else {
        m_markLo = newLo;
        m_markHi = newHi;
    }
}

int ChangeTableModel::compareRows(int a, int b, int column) const
{
    return compareSortValues(cellData(a, column, SortRole), cellData(b, column, SortRole));
}

int compareSortValues(const QVariant &l, const QVariant &r)
{
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

bool ChangeTableModel::sortKeysOf(std::span<const int>, int, std::vector<SortKey> &) const
{
    return false;
}

} // namespace ncv

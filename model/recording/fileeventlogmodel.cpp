// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/fileeventlogmodel.h"

#include "model/history/eventlogmodel.h"
#include "model/tables/tablemodelroles.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <climits>
#include <limits>
#include <utility>

namespace ncv {

namespace {

using recording::RecordedEvent;

// The Time column's text as EventLogModel::timeText() writes it, with the clock part
// ("hh:mm:ss.") formatted once per second: the local time conversion costs a stat() of the
// time zone file per call, the largest item of a scan otherwise.
class TimeText {
public:
    QString operator()(qint64 timeUs)
    {
        if (timeUs < 0)
            return EventLogModel::timeText(timeUs);
        const qint64 second = timeUs / 1'000'000;
        if (second != m_second) {
            m_second = second;
            m_prefix = EventLogModel::timeText(second * 1'000'000).chopped(6);
        }
        return m_prefix + QStringLiteral("%1").arg(timeUs % 1'000'000, 6, 10, QLatin1Char('0'));
    }

private:
    qint64 m_second = -1;
    QString m_prefix;
};

// True when some column's display text of e contains text (case-insensitive), as a
// QSortFilterProxyModel with a fixed-string filter over every column decides.
bool matchesText(const RecordedEvent &e, const QString &text, TimeText &timeText)
{
    for (int column = 0; column < EventLogModel::ColumnCount; ++column) {
        QVariant cell;
        if (column == EventLogModel::Time)
            cell = timeText(e.record.timeUs);
        else if (column == EventLogModel::Sequence || column == EventLogModel::Interface)
            cell = EventLogModel::keyCell(column, false, e.seq, e.record.timeUs, e.ifName);
        else
            cell = EventLogModel::recordCell(column, e.record, e.ifName);
        if (cell.toString().contains(text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

struct Criteria {
    QString path;
    QString text;
    TimeRange range;
    std::uint64_t firstSeq = 0;
    qint64 total = 0;
    quint64 generation = 0;
};

// Runs on a worker thread (QtConcurrent): its own reader, nothing shared with the model.
void scanFile(QPromise<std::shared_ptr<FileEventLogModel::Matches>> &promise, const Criteria &c)
{
    auto result = std::make_shared<FileEventLogModel::Matches>();
    result->generation = c.generation;
    FileEventLogModel::Matches &m = *result;
    recording::RecordingReader reader;
    QString error;
    if (!reader.open(c.path, &error)) {
        promise.addResult(std::move(result));
        return;
    }
    promise.setProgressRange(0, int(std::min<qint64>(c.total, INT_MAX)));
    const qint64 from = c.range.active ? c.range.fromUs : std::numeric_limits<qint64>::min();
    const qint64 to = c.range.active ? c.range.toUs : std::numeric_limits<qint64>::max();
    quint32 previous = 0;
    qint64 seen = 0;
    TimeText timeText;
    reader.forEachEvent(
        from, to,
        [&](const RecordedEvent &e) {
            const auto offset = quint32(e.seq - c.firstSeq);
            if ((++seen & 4095) == 0) {
                if (promise.isCanceled())
                    return false;
                promise.setProgressValue(int(std::min<qint64>(offset, INT_MAX)));
            }
            if (!c.text.isEmpty() && !matchesText(e, c.text, timeText))
                return true;
            if (m.runs.empty() || offset != previous + 1)
                m.runs.push_back({quint32(m.rows), offset});
            previous = offset;
            ++m.rows;
            return true;
        },
        &error);
    m.runs.shrink_to_fit();
    promise.addResult(std::move(result));
}

} // namespace

FileEventLogModel::FileEventLogModel(QObject *parent) : QAbstractTableModel(parent)
{
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<Matches>>::finished, this, &FileEventLogModel::onFilterDone);
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<Matches>>::progressValueChanged, this,
            [this](int done) { Q_EMIT filterProgress(done, m_total); });
}

FileEventLogModel::~FileEventLogModel()
{
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

bool FileEventLogModel::open(const QString &path, QString *error, int pageEvents, int cachePages)
{
    beginResetModel();
    m_path = path;
    m_pageEvents = std::max(1, pageEvents);
    m_cachePages = std::max(1, cachePages);
    m_pages.clear();
    m_pageIndex.clear();
    const bool ok = m_reader.open(path, error);
    m_total = ok ? std::min<qint64>(m_reader.info().eventCount, INT_MAX) : 0;
    endResetModel();
    return ok;
}

int FileEventLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(m_filtered ? m_matches.rows : m_total);
}

int FileEventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : EventLogModel::ColumnCount;
}

std::uint64_t FileEventLogModel::offsetOfRow(int row) const
{
    const qint64 r = m_descending ? qint64(rowCount()) - 1 - row : row;
    if (!m_filtered)
        return std::uint64_t(r);
    const auto &runs = m_matches.runs;
    auto it = std::upper_bound(runs.begin(), runs.end(), r, [](qint64 v, const Run &run) { return v < run.row; });
    --it; // runs[0].row is 0
    return it->offset + std::uint64_t(r - it->row);
}

std::uint64_t FileEventLogModel::sequenceAt(int row) const
{
    return info().firstSeq + offsetOfRow(row);
}

int FileEventLogModel::rowOfSequence(std::uint64_t seq) const
{
    if (seq < info().firstSeq || qint64(seq - info().firstSeq) >= m_total)
        return -1;
    const std::uint64_t offset = seq - info().firstSeq;
    qint64 r = qint64(offset);
    if (m_filtered) {
        const auto &runs = m_matches.runs;
        auto it = std::upper_bound(runs.begin(), runs.end(), offset,
                                   [](std::uint64_t v, const Run &run) { return v < run.offset; });
        if (it == runs.begin())
            return -1;
        const qint64 end = it == runs.end() ? m_matches.rows : qint64(it->row); // row after the run
        --it;
        r = qint64(it->row) + qint64(offset - it->offset);
        if (r >= end)
            return -1;
    }
    return int(m_descending ? qint64(rowCount()) - 1 - r : r);
}

const RecordedEvent *FileEventLogModel::event(std::uint64_t seq) const
{
    const std::uint64_t first = info().firstSeq;
    const qint64 index = qint64((seq - first) / std::uint64_t(m_pageEvents));
    const std::uint64_t pageFirst = first + std::uint64_t(index) * std::uint64_t(m_pageEvents);
    auto found = m_pageIndex.find(index);
    if (found != m_pageIndex.end()) {
        m_pages.splice(m_pages.begin(), m_pages, found->second);
    } else {
        Page page;
        page.index = index;
        QString error;
        // The keyset read of one page on the primary key; damaged events are skipped
        // (the reader's problems() name them), so a page may hold fewer.
        m_reader.events(pageFirst, m_pageEvents, &page.events, &error);
        const std::uint64_t pageEnd = pageFirst + std::uint64_t(m_pageEvents);
        while (!page.events.empty() && page.events.back().seq >= pageEnd)
            page.events.pop_back();
        ++m_pagesRead;
        m_pages.push_front(std::move(page));
        m_pageIndex[index] = m_pages.begin();
        while (int(m_pages.size()) > m_cachePages) {
            m_pageIndex.erase(m_pages.back().index);
            m_pages.pop_back();
        }
    }
    const std::vector<RecordedEvent> &events = m_pages.front().events;
    const std::size_t at = std::size_t(seq - pageFirst);
    if (at < events.size() && events[at].seq == seq)
        return &events[at];
    auto it = std::lower_bound(events.begin(), events.end(), seq,
                               [](const RecordedEvent &e, std::uint64_t s) { return e.seq < s; });
    return it != events.end() && it->seq == seq ? &*it : nullptr;
}

bool FileEventLogModel::eventAt(int row, RecordedEvent *out) const
{
    if (row < 0 || row >= rowCount())
        return false;
    const RecordedEvent *e = event(sequenceAt(row));
    if (!e)
        return false;
    *out = *e;
    return true;
}

QVariant FileEventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int column = index.column();
    if (role == EventIndexRole)
        return qint64(-1);
    if (role == Qt::TextAlignmentRole) {
        if (column == EventLogModel::Sequence)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole && role != TimeUsRole)
        return {};
    const std::uint64_t seq = sequenceAt(index.row());
    const bool sortValue = role == SortRole;
    if (column == EventLogModel::Sequence && role != TimeUsRole)
        return EventLogModel::keyCell(column, sortValue, seq, 0, QString());
    const RecordedEvent *e = event(seq);
    if (role == TimeUsRole)
        return e ? QVariant(qint64(e->record.timeUs)) : QVariant();
    if (!e)
        return sortValue ? QVariant() : QVariant(QString());
    if (column == EventLogModel::Time || column == EventLogModel::Interface)
        return EventLogModel::keyCell(column, sortValue, seq, e->record.timeUs, e->ifName);
    return EventLogModel::recordCell(column, e->record, e->ifName);
}

QVariant FileEventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole)
        return EventLogModel::headerText(section);
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && !canSortBy(section))
        return tr("This recording's log is read from the file as it is shown: it sorts by # and Time only.");
    return QAbstractTableModel::headerData(section, orientation, role);
}

bool FileEventLogModel::canSortBy(int column)
{
    return column == EventLogModel::Sequence || column == EventLogModel::Time;
}

void FileEventLogModel::sort(int column, Qt::SortOrder order)
{
    const bool descending = order == Qt::DescendingOrder;
    if (!canSortBy(column) || descending == m_descending)
        return;
    beginResetModel();
    m_descending = descending;
    endResetModel();
}

void FileEventLogModel::setFilterText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    startFilter();
}

void FileEventLogModel::setTimeRange(qint64 fromUs, qint64 toUs)
{
    if (m_range.set(fromUs, toUs))
        startFilter();
}

void FileEventLogModel::clearTimeRange()
{
    if (m_range.clear())
        startFilter();
}

void FileEventLogModel::startFilter()
{
    ++m_generation; // a result still queued for the previous filter is dropped
    m_scanning = false;
    if (m_watcher.isRunning()) {
        // Checked every 4096 events: a few milliseconds at most.
        m_watcher.cancel();
        m_watcher.waitForFinished();
    }
    if (m_text.isEmpty() && !m_range.active) {
        if (m_filtered) {
            beginResetModel();
            m_filtered = false;
            m_matches = {};
            endResetModel();
        }
        Q_EMIT filterApplied(m_total, 0);
        return;
    }
    Criteria c;
    c.path = m_path;
    c.text = m_text;
    c.range = m_range;
    c.firstSeq = info().firstSeq;
    c.total = m_total;
    c.generation = m_generation;
    m_filterStartMs = QDateTime::currentMSecsSinceEpoch();
    m_scanning = true;
    m_watcher.setFuture(QtConcurrent::run(scanFile, c));
}

void FileEventLogModel::onFilterDone()
{
    // Not takeResult(): it resets the future, whose waitForFinished() would then wait forever.
    const QFuture<std::shared_ptr<Matches>> future = m_watcher.future();
    if (!m_scanning || future.isCanceled() || future.resultCount() == 0)
        return;
    const std::shared_ptr<Matches> result = future.result();
    if (result->generation != m_generation)
        return; // a scan that finished before its filter was replaced
    m_scanning = false;
    beginResetModel();
    m_matches = std::move(*result);
    m_filtered = true;
    endResetModel();
    Q_EMIT filterApplied(m_matches.rows, QDateTime::currentMSecsSinceEpoch() - m_filterStartMs);
}

void FileEventLogModel::waitForFilter()
{
    m_watcher.waitForFinished();
    while (m_scanning) // finished() comes through the event loop
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/fileeventlogmodel.h"

#include "model/history/eventlogmodel.h"
#include "model/recording/eventtextmatcher.h"
#include "model/tables/tablemodelroles.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QPromise>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

namespace ncv {

namespace {

using recording::RecordedEvent;

struct Criteria {
    QString path;
    QString text;
    TimeRange range;
    std::uint64_t firstSeq = 0;
    qint64 total = 0;
    quint64 generation = 0;
    int threads = 1;
    std::uint64_t minPartEvents = 1;
};

// One thread's part of a scan: the matches among sequences [fromSeq, toSeq].
struct Chunk {
    std::uint64_t fromSeq = 0, toSeq = 0;
    std::vector<FileEventLogModel::Run> runs; // rows counted from the chunk's first match
    qint64 rows = 0;
    quint32 last = 0; // offset of the last match
};

// Runs on a thread of its own (started by scanFile): its own reader and matcher; shares
// only the atomics.
void scanChunk(const Criteria &c, Chunk &chunk, std::atomic<bool> &stop, std::atomic<qint64> &seen)
{
    recording::RecordingReader reader;
    QString error;
    if (!reader.open(c.path, &error))
        return;
    const qint64 from = c.range.active ? c.range.fromUs : std::numeric_limits<qint64>::min();
    const qint64 to = c.range.active ? c.range.toUs : std::numeric_limits<qint64>::max();
    EventTextMatcher matcher(c.text);
    qint64 counted = 0;
    reader.forEachEvent(
        chunk.fromSeq, chunk.toSeq, from, to,
        [&](const RecordedEvent &e) {
            if ((++counted & 4095) == 0) {
                seen.fetch_add(4096, std::memory_order_relaxed);
                if (stop.load(std::memory_order_relaxed))
                    return false;
            }
            if (!matcher.matches(e.seq, e.record, e.ifName))
                return true;
            const auto offset = quint32(e.seq - c.firstSeq);
            if (chunk.runs.empty() || offset != chunk.last + 1)
                chunk.runs.push_back({quint32(chunk.rows), offset});
            chunk.last = offset;
            ++chunk.rows;
            return true;
        },
        &error);
}

// Runs on a worker thread (QtConcurrent): the time range's sequences (from the commits
// table) in up to c.threads disjoint parts, each read on a thread of its own with its own
// connection (SQLite's reading and the matching are CPU-bound and independent), the
// parts' matches joined in sequence order.
void scanFile(QPromise<std::shared_ptr<FileEventLogModel::Matches>> &promise, const Criteria &c)
{
    auto result = std::make_shared<FileEventLogModel::Matches>();
    result->generation = c.generation;
    FileEventLogModel::Matches &m = *result;
    std::uint64_t lo = 0, hi = 0;
    {
        recording::RecordingReader reader;
        QString error;
        if (!reader.open(c.path, &error)) {
            promise.addResult(std::move(result));
            return;
        }
        const qint64 from = c.range.active ? c.range.fromUs : std::numeric_limits<qint64>::min();
        const qint64 to = c.range.active ? c.range.toUs : std::numeric_limits<qint64>::max();
        reader.sequenceRange(from, to, &lo, &hi);
    }
    promise.setProgressRange(0, int(std::min<qint64>(c.total, INT_MAX)));
    // Split what the model shows; the last part runs on to hi (events the recorder added
    // since the model opened the file are read as one thread would).
    const std::uint64_t first = std::max(lo, c.firstSeq);
    const std::uint64_t last = std::min(hi, c.firstSeq + std::uint64_t(std::max<qint64>(c.total, 1)) - 1);
    const std::uint64_t span = last >= first ? last - first + 1 : 0;
    const std::uint64_t parts
        = std::clamp<std::uint64_t>(span / c.minPartEvents, 1, std::uint64_t(std::max(1, c.threads)));
    std::vector<Chunk> chunks(parts);
    for (std::uint64_t i = 0; i < parts; ++i) {
        chunks[i].fromSeq = i == 0 ? lo : first + span * i / parts;
        chunks[i].toSeq = i + 1 == parts ? hi : first + span * (i + 1) / parts - 1;
    }
    std::atomic<bool> stop {false};
    std::atomic<qint64> seen {0};
    std::atomic<std::uint64_t> running {parts};
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::thread> threads;
    threads.reserve(parts);
    for (Chunk &chunk : chunks) {
        threads.emplace_back([&c, &chunk, &stop, &seen, &running, &mutex, &done] {
            scanChunk(c, chunk, stop, seen);
            const std::lock_guard lock(mutex);
            --running;
            done.notify_one();
        });
    }
    const qint64 base = first > c.firstSeq ? qint64(first - c.firstSeq) : 0;
    {
        std::unique_lock lock(mutex);
        while (running > 0) {
            done.wait_for(lock, std::chrono::milliseconds(50));
            if (promise.isCanceled())
                stop = true;
            promise.setProgressValue(int(std::min<qint64>(base + seen.load(), INT_MAX)));
        }
    }
    for (std::thread &t : threads)
        t.join();
    for (const Chunk &chunk : chunks) {
        for (std::size_t i = 0; i < chunk.runs.size(); ++i) {
            const FileEventLogModel::Run &run = chunk.runs[i];
            // A run that goes on from the previous part's last match is that run.
            if (i == 0 && !m.runs.empty() && m.rows > 0
                && run.offset == m.runs.back().offset + quint32(m.rows - m.runs.back().row))
                continue;
            m.runs.push_back({quint32(m.rows + run.row), run.offset});
        }
        m.rows += chunk.rows;
    }
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
    if (column == EventLogModel::Time && !sortValue && m_reader.info().nanosecondTimes())
        return EventLogModel::timeText(e->record.timeUs, true, e->record.timeSubUsNs);
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
    c.threads = m_filterThreads > 0 ? m_filterThreads : std::clamp(QThread::idealThreadCount(), 1, kMaxFilterThreads);
    c.minPartEvents = m_minPartEvents;
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

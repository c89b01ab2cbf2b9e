// SPDX-License-Identifier: GPL-2.0-or-later
// FileEventLogModel: the event log of a recording file, read from the file as rows are
// shown, so a recording of any length (100M events) is scrolled with bounded memory.
// Same columns, text and roles as EventLogModel (its keyCell / recordCell), one row per
// event in sequence order.
//
// - Paging: row r shows sequence firstSeq + r (the recording's sequence numbers have no
//   holes: RecordingInfo::eventCount = lastSeq - firstSeq + 1). data() reads the page
//   holding that sequence (pageEvents events, one keyset query "seq >= ? LIMIT n" on the
//   primary key, through RecordingReader::events() on the model's own read-only
//   connection) into a small LRU cache of cachePages pages: about 250 bytes a cached event,
//   ~4 MB with the defaults, whatever the file's size. An event the file cannot give back
//   (damage) shows its number and empty cells.
// - Filters, the same as the in-memory log's EventLogFilterProxy + TableSection: a time
//   range [fromUs, toUs] and a fixed text matched (case-insensitive) against every
//   column's display text. The text is not in the file's key columns (the summary and key
//   are formatted from the record, which holds gateways, flags, notes...), so a filter is a
//   scan of the file on a worker thread (QtConcurrent): the time range first narrows the
//   scanned sequences through the commits table (RecordingReader::sequenceRange), which
//   are then read in disjoint parts by up to idealThreadCount() threads, each with its own
//   connection; each event is decoded and matched by EventTextMatcher (the cells that need
//   no formatting first, then Key and Summary; ASCII compared as bytes). The rows keep
//   showing the previous result while the scan runs (filterProgress()); a new filter
//   cancels the running scan. Matches are kept as runs of consecutive sequences (8 bytes a
//   run: one run for a time range, at most one per match when matches alternate), so
//   row -> sequence is one binary search. Cost at 10M events: docs/performance.md
//   ("File-backed event log").
// - Sorting: by "#" or Time, ascending or descending (receive order; Time equals it except
//   where the recorder's clock was set back, which the in-memory log orders by time).
//   Other columns are refused (sort() keeps the order; their header tooltip says so):
//   ordering 10M rows by formatted text would need the whole column in memory or an index
//   the file does not have.
// GUI thread only; the filter scan runs on a worker thread with its own reader.
#pragma once

#include "model/history/timerange.h"
#include "model/recording/recordingreader.h"
#include "model/tables/rowwindowproxy.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QString>

#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ncv {

class FileEventLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kDefaultPageEvents = 512;
    static constexpr int kDefaultCachePages = 32;
    /// A filter scan reads its sequences in parts of at least this many events, one thread
    /// each, at most kMaxFilterThreads (or setFilterThreads()) parts.
    static constexpr std::uint64_t kMinFilterPartEvents = 16384;
    static constexpr int kMaxFilterThreads = 8;

    /// A filter's matches: runs of consecutive sequences. Run i covers result rows
    /// [row, next run's row) and sequences offset + (0, 1, ...) after the first sequence.
    struct Run {
        quint32 row;
        quint32 offset;
    };
    struct Matches {
        std::vector<Run> runs;
        qint64 rows = 0;
        quint64 generation = 0; // the filter it answers (a finished scan's result may still be queued)
    };

    explicit FileEventLogModel(QObject *parent = nullptr);
    ~FileEventLogModel() override;

    /// Opens the recording at path read-only (RecordingReader::open). pageEvents events a
    /// page (>= 1), cachePages pages cached (>= 1). Returns false with *error one line.
    bool open(const QString &path, QString *error, int pageEvents = kDefaultPageEvents,
              int cachePages = kDefaultCachePages);
    const recording::RecordingInfo &info() const { return m_reader.info(); }
    /// RecordingReader::namedNamespaceIds(): the named namespaces of the file's events.
    QList<quint32> namespaceIds() const { return m_reader.namedNamespaceIds(); }
    /// Events in the file (rows when no filter applies).
    qint64 totalEvents() const { return m_total; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    /// EventLogModel's roles; EventIndexRole is -1 (the event is not in an EventHistory:
    /// eventAt() gives it).
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    /// "#" and Time: ascending / descending sequence order; other columns: ignored.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    static bool canSortBy(int column);
    Qt::SortOrder sortOrder() const { return m_descending ? Qt::DescendingOrder : Qt::AscendingOrder; }

    /// Sequence number shown at row (0 <= row < rowCount()).
    std::uint64_t sequenceAt(int row) const;
    /// Row showing sequence seq, -1 when the filter leaves it out or it is not in the file.
    int rowOfSequence(std::uint64_t seq) const;
    /// The event shown at row, read through the page cache. False when the file cannot
    /// give it back (damage; the reader's problems() say why) or row is out of range.
    bool eventAt(int row, recording::RecordedEvent *out) const;

    /// Keeps the rows whose display text of some column contains text, ignoring case
    /// ("" keeps every row). Starts a scan unless the result is known at once.
    void setFilterText(const QString &text);
    QString filterText() const { return m_text; }
    /// Keeps only events with fromUs <= time <= toUs (µs since the epoch; swapped when
    /// reversed), as EventLogFilterProxy::setTimeRange.
    void setTimeRange(qint64 fromUs, qint64 toUs);
    void clearTimeRange();
    bool hasTimeRange() const { return m_range.active; }
    /// True while a filter scan runs (the rows still show the previous result).
    bool isFiltering() const { return m_scanning; }
    /// Blocks until the running scan has finished and its result is shown (tests, bench).
    void waitForFilter();
    /// Threads a filter scan uses: n >= 1, or 0 for QThread::idealThreadCount() (at most
    /// kMaxFilterThreads), the default; each reads a part of at least minPartEvents (>= 1)
    /// events. Takes effect with the next filter (tests, bench).
    void setFilterThreads(int n, std::uint64_t minPartEvents = kMinFilterPartEvents)
    {
        m_filterThreads = std::max(0, n);
        m_minPartEvents = std::max<std::uint64_t>(1, minPartEvents);
    }

    /// Pages read from the file so far, and pages cached now (tests, bench).
    qint64 pagesRead() const { return m_pagesRead; }
    int cachedPages() const { return int(m_pages.size()); }

Q_SIGNALS:
    /// A filter scan went on: done of total events looked at.
    void filterProgress(qint64 done, qint64 total);
    /// A filter's result is shown (after the model reset): rows matched, scan time ms.
    void filterApplied(qint64 rows, qint64 elapsedMs);

private:
    struct Page {
        qint64 index = 0;
        std::vector<recording::RecordedEvent> events; // sequence order; damaged ones missing
    };
    const recording::RecordedEvent *event(std::uint64_t seq) const;
    std::uint64_t offsetOfRow(int row) const;
    void startFilter();
    void onFilterDone();

    mutable recording::RecordingReader m_reader;
    QString m_path;
    qint64 m_total = 0;
    int m_pageEvents = kDefaultPageEvents;
    int m_cachePages = kDefaultCachePages;
    mutable std::list<Page> m_pages; // most recently used first
    mutable std::unordered_map<qint64, std::list<Page>::iterator> m_pageIndex;
    mutable qint64 m_pagesRead = 0;

    bool m_descending = false;
    QString m_text;
    TimeRange m_range;
    bool m_filtered = false; // m_matches applies (else every event, in order)
    Matches m_matches;
    QFutureWatcher<std::shared_ptr<Matches>> m_watcher;
    qint64 m_filterStartMs = 0;
    bool m_scanning = false; // a scan was started and its result is not shown yet
    quint64 m_generation = 0; // +1 per filter change
    int m_filterThreads = 0;
    std::uint64_t m_minPartEvents = kMinFilterPartEvents;
};

/// The proxy TableSection shows a FileEventLogModel through: a RowWindowProxy (a window
/// of the model's rows, re-based as the view scrolls: the view keeps per-row state for
/// the window only, whatever the file's length) in the model's order (it filters and
/// sorts itself); its filter line calls setFilterText().
class FileEventLogProxy : public RowWindowProxy {
    Q_OBJECT
public:
    explicit FileEventLogProxy(QObject *parent = nullptr) : RowWindowProxy(parent) { }
    FileEventLogModel *fileModel() const { return qobject_cast<FileEventLogModel *>(sourceModel()); }
    void setFilterText(const QString &text)
    {
        if (FileEventLogModel *m = fileModel())
            m->setFilterText(text);
    }
};

} // namespace ncv

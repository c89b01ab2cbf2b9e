// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_bench: measurements at up to a million routes, printed as "key value" lines that
// tests/bench/bench.sh turns into one table. Not a test (nothing is asserted).
//   ncv_bench model N        synthetic N IPv4 route events: bytes per stored event, CSV
//                            export MB/s (off the GUI thread, from a snapshot) next to a
//                            raw write of the same bytes, Routes table sort / filter at N rows
//   ncv_bench model N export-only   (the same without the table figures, for profiling)
//   ncv_bench timeline M     timeline redraw with M synthetic events (default 10,000,000)
//   ncv_bench hot N [R]      the hot paths of N routes, best of R runs (hotpaths.cpp)
//   ncv_bench gui N SECONDS  the real MainWindow on the system source (run it inside a
//                            private namespace): prints "ready" once the snapshot is in;
//                            then measures GUI stalls with a 1 ms probe timer until 1 s
//                            after the Routes table holds N routes (or SECONDS pass); the
//                            RSS when it held them and 3 s after (gui_rss_mb: the source
//                            still running, as in a live window; gui_heap_*_mb: the
//                            allocator's figures then; gui_rss_stopped_mb: after stopping
//                            it, which frees its route store). NCV_BENCH_EXIT_LIVE=1 exits
//                            right after those figures (under heaptrack, what is "leaked"
//                            is what a live window holds). NCV_BENCH_SLICE_MS sets
//                            the model's slice budget; NCV_BENCH_TRACE=1 prints the longest
//                            deliveries and those of the worst stall to standard error
//   ncv_bench guins SELECTION GOFILE STOPFILE  the real MainWindow on the namespaces
//                            SELECTION ("all", or names), wired as `netchangeview --netns
//                            SELECTION` (live recording on, NCV_BENCH_NO_RECORD=1: off): prints
//                            "ready" once the snapshot is in, then "sample EPOCH_S EVENTS"
//                            whenever the event history grew (checked every 50 ms), until
//                            STOPFILE exists; GUI stalls (1 ms probe timer) from when GOFILE
//                            appears until 1 s after it held the last change; then the script's
//                            changes it holds (guins_route_adds: route adds in 20.0.0.0/6,
//                            guins_neighbor_changes: IPv4 neighbors in 10.9.0.0/16 added or
//                            changed), guins_last_change_events = the history size that
//                            holds the last of them, the stall p50/p99/max (netns-scale.sh)
//   ncv_bench seek FILE [T [R]]  a recording's tables at T (default: its end; T as for
//                            --at: ISO 8601 UTC or "+seconds"), best of R runs (default 3):
//                            seek_state_s = RecordingReader::stateAt alone, seek_tables_s =
//                            RecordingSession::showStateAt from the request to the tables
//                            filled (the session first shows the recording's start, so
//                            every run swaps a whole state in); *_cpu_s the same in CPU
//                            seconds of the process; seek_routes = routes shown;
//                            seek_state_routes = routes read (a recording of several
//                            namespaces: every namespace's read, the one with the most
//                            routes shown)
//                            seek_async_s = RecordingSession::requestStateAt (worker thread)
//                            until the tables show it, seek_async_gui_max_ms = the longest the
//                            GUI thread was busy meanwhile (the swap into the tables)
//                            T = "far": the moment that lies the most events after its
//                            keyframe (the last event before the next keyframe, or the last
//                            one), seek_far_events = those events
//   ncv_bench liveseek N [R]     the live window (a ManualSource: N IPv4 routes in its
//                            snapshot, then 6 route adds 100 ms apart, recorded to its live
//                            recording) moved by setTimeCursor() 2R times between two of those
//                            moments (each swaps a whole state of N routes in): liveseek_s =
//                            from the request until the tables show it, liveseek_gui_max_ms =
//                            the longest a 1 ms probe timer was late meanwhile (the GUI thread
//                            blocked), each seek's figures on a liveseek_run line; with
//                            "sync" the same seeks by LiveTimeTravel::showStateAt (read and
//                            swapped on the GUI thread, as the live window did before);
//                            NCV_BENCH_SHOT=PREFIX saves PREFIX-seeking.png when the first
//                            seek's indicator shows and PREFIX-seeked.png (not figures)
//   ncv_bench writerec FILE N    a synthetic recording of N events (support/syntheticrecording.h)
//   ncv_bench writeroutes FILE N [C]  a recording of N IPv4 route adds 1 µs apart after a
//                            start keyframe of 4 interfaces (the state grows to N routes),
//                            then C parameter changes (each route in turn moves to the next
//                            interface): the first changes bring a periodic keyframe (the
//                            events since the start's reach the rows held), then one follows
//                            every N + 4 changes, so with C >= 2N the farthest moment from its
//                            keyframe (seek FILE far) lies about N events after it
//   ncv_bench shot FILE OUT      not a figure: the recording window over FILE (log read from the
//                            file) saved as OUT-filling.png 0.7 s after it is shown (the
//                            timeline still counting on a big file), OUT-counted.png when the
//                            counts are in, OUT-seeking.png 0.45 s into a seek to the middle
//                            (the seek indicator, when the read is that slow), OUT-seeked.png
//   ncv_bench logfile FILE [memory]  the recording window over FILE with its event log read
//                            from the file (or, with "memory", loaded into the history):
//                            open (tables at the end), first paint, the timeline counted (its
//                            pass runs on a worker from the open on), scroll to
//                            the middle and to the end, a text filter and a 60 s time filter
//                            (each until its result is shown), RSS after each
//   ncv_bench logfilter FILE THREADS|main TEXT...  the file-backed log's text filter
//                            (FileEventLogModel) for each TEXT in turn, until its result is
//                            in: logfilter_N_s, logfilter_N_rows; THREADS = the scan's threads
//                            (0: idealThreadCount), "main": the scan as it was before
//                            (one thread, every cell formatted as a QString and matched by
//                            QString::contains)
#include "hotpaths.h"
#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/liverecordings.h"
#include "model/livetimetravel.h"
#include "model/notificationmodel.h"
#include "model/recording/eventtextmatcher.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordstate.h"
#include "model/recording/sqlitedb.h"
#ifdef NCV_RTMON_IMPORT
#include "model/netnssources.h"
#include "model/recording/pcapimport.h"
#include "model/recording/rtmonimport.h"
#include "platform/linux/pcapreader.h"
#include "platform/linux/rtmonreader.h"
#include "platform/linux/rtnetlinksource.h"
#endif
#include "model/recordingfeed.h"
#include "model/recordingsession.h"
#include "model/tables/columnfilterproxy.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/rowwindowproxy.h"
#include "model/tables/tablemodelroles.h"
#include "platform/source.h"
#include "support/manualsource.h"
#include "support/syntheticrecording.h"
#include "support/viewstestdata.h"
#include "views/eventpane.h"
#include "views/mainwindow.h"
#include "views/requesterfilterbox.h"
#include "views/rowwindowscroller.h"
#include "views/tablesection.h"
#include "views/timelinechartview.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QTreeView>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#ifdef Q_OS_LINUX
#include <time.h>
#endif
#include <functional>
#include <limits>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace ncv;
using namespace ncv::platform;

namespace {

/// With NCV_BENCH_TRACE set, the GUI thread's longest event deliveries (outermost only, by
/// receiver class, its parent's class and the event type) are kept, so that a stall can
/// be traced to what ran (printed by `ncv_bench gui` to standard error).
class BenchApplication : public QApplication {
public:
    BenchApplication(int &argc, char **argv)
        : QApplication(argc, argv), m_trace(qEnvironmentVariableIsSet("NCV_BENCH_TRACE"))
    { }
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_trace || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        // Named before the delivery: it may delete the receiver (DeferredDelete).
        const char *receiverClass = receiver->metaObject()->className();
        const char *parentClass = receiver->parent() ? receiver->parent()->metaObject()->className() : nullptr;
        const auto *timer = qobject_cast<const QTimer *>(receiver);
        const int interval = timer ? timer->interval() : -1;
        const int type = int(event->type());
        const qint64 start = steadyNs();
        const qint64 cpuStart = threadCpuNs();
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        const qint64 ns = steadyNs() - start;
        const qint64 cpuNs = threadCpuNs() - cpuStart;
        if (ns > 1000000) {
            std::string what = receiverClass;
            if (parentClass)
                what += std::string("(") + parentClass + ")";
            what += " event " + std::to_string(type);
            if (interval >= 0)
                what += " interval " + std::to_string(interval);
            m_deliveries.push_back({start, ns, cpuNs, std::move(what)});
        }
        return result;
    }
    /// Monotonic nanoseconds, the clock of the deliveries and of StallProbe's worst gap
    /// (CLOCK_MONOTONIC on Linux: `perf record -k CLOCK_MONOTONIC` stamps samples alike).
    static qint64 steadyNs()
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    /// CPU nanoseconds of the calling thread (0 where the clock is missing).
    static qint64 threadCpuNs()
    {
#ifdef Q_OS_LINUX
        timespec ts {};
        if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
            return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
#endif
        return 0;
    }
    /// The longest deliveries, then those that overlap [fromNs, toNs] (the worst stall).
    void printLongest(qint64 fromNs = 0, qint64 toNs = 0) const
    {
        std::vector<const Delivery *> longest;
        for (const Delivery &d : m_deliveries)
            longest.push_back(&d);
        std::sort(longest.begin(), longest.end(), [](const Delivery *a, const Delivery *b) { return a->ns > b->ns; });
        for (std::size_t i = 0; i < longest.size() && i < 12; ++i)
            std::fprintf(stderr, "trace: %.1f ms (CPU %.1f ms) %s, at %.6f s\n", longest[i]->ns / 1e6,
                         longest[i]->cpuNs / 1e6, longest[i]->what.c_str(), longest[i]->start / 1e9);
        if (toNs <= fromNs)
            return;
        std::fprintf(stderr, "trace: the worst stall, %.1f ms, held:\n", (toNs - fromNs) / 1e6);
        for (const Delivery &d : m_deliveries) {
            if (d.start + d.ns >= fromNs && d.start <= toNs)
                std::fprintf(stderr, "trace:   +%.1f ms: %.1f ms (CPU %.1f ms) %s\n", (d.start - fromNs) / 1e6,
                             d.ns / 1e6, d.cpuNs / 1e6, d.what.c_str());
        }
    }

private:
    struct Delivery {
        qint64 start; // steadyNs()
        qint64 ns;
        qint64 cpuNs; // the GUI thread's CPU time in it; the rest it waited for a core
        std::string what;
    };
    bool m_trace;
    int m_depth = 0;
    std::vector<Delivery> m_deliveries; // outermost deliveries over 1 ms
};

void out(const char *key, double value)
{
    std::printf("%s %.9g\n", key, value);
    std::fflush(stdout);
}

RouteRow route(qint64 i)
{
    RouteRow r;
    r.destination
        = IpAddress::v4(std::uint8_t(20 + (i >> 24)), std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
    r.prefixLength = 32;
    r.protocol = 3; // boot, as `ip route add`
    r.scope = 0;
    r.type = 1;
    r.table = 254;
    NextHop hop;
    hop.gateway = IpAddress::v4(10, 9, 0, 2);
    hop.ifIndex = 2;
    r.nextHops.push_back(hop);
    return r;
}

ChangeRecord initial(qint64 i, qint64 t0)
{
    ChangeRecord c;
    c.object = ObjectKind::Route;
    c.change = ChangeKind::Initial;
    c.family = Family::IPv4;
    c.timeUs = t0 + i;
    c.after = route(i);
    return c;
}

qint64 rssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

/// The allocator's view beside RSS (glibc only): PREFIX_heap_used_mb (bytes handed out,
/// heap and mmapped chunks), PREFIX_heap_free_mb (free in the heap, resident or not) and
/// PREFIX_heap_mmapped_mb (chunks that are mappings of their own).
void outHeap(const char *prefix)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 mi = mallinfo2();
    const double mb = 1 << 20;
    out((std::string(prefix) + "_heap_used_mb").c_str(), double(mi.uordblks + mi.hblkhd) / mb);
    out((std::string(prefix) + "_heap_free_mb").c_str(), double(mi.fordblks) / mb);
    out((std::string(prefix) + "_heap_mmapped_mb").c_str(), double(mi.hblkhd) / mb);
#else
    Q_UNUSED(prefix);
#endif
}

int benchModel(qint64 n, bool exportOnly, bool tableOnly = false)
{
    const qint64 t0 = nowUs();
    EventHistory history;
    RouteTableModel routes;
    QElapsedTimer clock;
    // Apply like NotificationModel: slices sized by its SliceSizer (time budget), table
    // then history.
    const qint64 rss0 = rssKb();
    clock.start();
    double sliceMaxMs = 0;
    SliceSizer sizer(NotificationModel::kSliceBudgetMs, NotificationModel::kMinSliceRecords,
                     NotificationModel::kMaxSliceRecords);
    qint64 slices = 0;
    for (qint64 first = 0, last = 0; first < n; first = last, ++slices) {
        QElapsedTimer slice;
        slice.start();
        last = std::min(n, first + qint64(sizer.next()));
        std::vector<EventHistory::Entry> entries;
        entries.reserve(std::size_t(last - first));
        for (qint64 i = first; i < last; ++i) {
            ChangeRecord c = initial(i, t0);
            routes.apply(c);
            entries.push_back({std::move(c), QStringLiteral("nb0")});
        }
        routes.endBatch();
        history.append(std::move(entries));
        const qint64 ns = slice.nsecsElapsed();
        sizer.record(std::size_t(last - first), ns);
        sliceMaxMs = std::max(sliceMaxMs, ns / 1e6);
    }
    out("apply_s", clock.nsecsElapsed() / 1e9);
    out("apply_slice_max_ms", sliceMaxMs);
    out("apply_slices", double(slices));
    out("model_rss_mb", (rssKb() - rss0) / 1024.0);
    out("table_rows_mb", double(routes.rowMemoryBytes()) / (1 << 20)); // rows and their index
    out("event_bytes", double(history.storageBytes()) / double(std::max<qint64>(1, history.size())));

    if (!tableOnly) {
        // CSV export from a snapshot, on a worker thread, as MainWindow does.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("export.csv"));
        const EventHistory::Snapshot snapshot = history.snapshot();
        bool ok = false;
        QString error;
        clock.restart();
        std::thread worker([&] { ok = csv::exportToFile(snapshot, path, &error); });
        worker.join();
        const double exportS = clock.nsecsElapsed() / 1e9;
        const double bytes = double(QFileInfo(path).size());
        if (!ok)
            std::fprintf(stderr, "export failed: %s\n", qPrintable(error));
        out("export_mb_s", bytes / 1e6 / exportS);
        out("export_s", exportS);
        out("export_bytes", bytes);
        {
            // Reference: the same bytes written raw in 1 MiB chunks (disk / page cache speed).
            QFile in(path);
            in.open(QIODevice::ReadOnly);
            const QByteArray all = in.readAll();
            QFile copy(dir.filePath(QStringLiteral("copy.csv")));
            copy.open(QIODevice::WriteOnly);
            clock.restart();
            for (qsizetype off = 0; off < all.size(); off += 1 << 20)
                copy.write(all.constData() + off, std::min<qsizetype>(1 << 20, all.size() - off));
            copy.close();
            out("raw_write_mb_s", bytes / 1e6 / (clock.nsecsElapsed() / 1e9));
        }
    }
    if (exportOnly)
        return 0;

    // Routes table through the Routes tab's proxy (a ChangeTableProxy), as TableSection sets it up.
    ColumnFilterProxy proxy;
    proxy.setSourceModel(&routes);
    double sortMax = 0;
    int sortWorst = 0;
    for (int column = 0; column < RouteTableModel::ColumnCount; ++column) {
        clock.restart();
        proxy.sort(column, Qt::AscendingOrder);
        const double s = clock.nsecsElapsed() / 1e9;
        std::fprintf(stderr, "sort column %d: %.3f s\n", column, s);
        if (s > sortMax) {
            sortMax = s;
            sortWorst = column;
        }
    }
    out("sort_max_s", sortMax);
    out("sort_worst_column", sortWorst);
    proxy.sort(-1);
    clock.restart();
    proxy.setFilterText(QStringLiteral("20.0.1"));
    out("filter_s", clock.nsecsElapsed() / 1e9);
    out("filter_rows", proxy.rowCount());
    clock.restart();
    proxy.setFilterText(QStringLiteral("20.0.1.")); // the next keystroke narrows
    out("filter_next_s", clock.nsecsElapsed() / 1e9);
    out("filter_next_rows", proxy.rowCount());
    proxy.setFilterText(QString());

    // The same through the Routes tab's widgets: a TableSection sorted by its first column
    // (as the app starts), each text applied as the debounce timer does, then the events
    // it queued processed and the view painted (grab()): what the user waits for after
    // the debounce.
    TableSection section(QStringLiteral("benchRoutes"), &routes, new ColumnFilterProxy);
    section.resize(1400, 900);
    section.show();
    QApplication::processEvents();
    section.grab();
    const struct {
        const char *key;
        const char *text;
    } steps[]
        = {{"view_filter_first_s", "20.0.1"}, {"view_filter_next_s", "20.0.1."}, {"view_filter_widen_s", "20.0.1"},
           {"view_filter_clear_s", ""},       {"view_filter_all_s", "2"},        {"view_filter_other_s", "20.0.3"},
           {"view_filter_widen_all_s", "2"},  {"view_filter_none_s", "zzz"},     {"view_filter_clear2_s", ""}};
    for (const auto &step : steps) {
        clock.restart();
        section.filterEdit()->setText(QString::fromUtf8(step.text));
        section.applyFilterNow();
        QApplication::processEvents();
        section.grab();
        out(step.key, clock.nsecsElapsed() / 1e9);
        std::fprintf(stderr, "%s \"%s\": %d rows\n", step.key, step.text, section.proxy()->rowCount());
    }
    return 0;
}

int benchTimeline(qint64 m)
{
    TimelineBins bins;
    EventHistory history;
    const qint64 t0 = nowUs() - 3600LL * 1'000'000; // an hour of events
    const qint64 step = std::max<qint64>(1, 3600LL * 1'000'000 / m);
    const qint64 batch = 100'000;
    for (qint64 first = 0; first < m; first += batch) {
        std::vector<ChangeRecord> records;
        records.reserve(std::size_t(batch));
        for (qint64 i = first; i < std::min(m, first + batch); ++i) {
            ChangeRecord c;
            c.object = ObjectKind::Route;
            c.change = (i & 1) ? ChangeKind::Delete : ChangeKind::Add;
            c.family = Family::IPv4;
            c.timeUs = t0 + i * step;
            records.push_back(std::move(c));
        }
        bins.addBatch(records);
    }
    TimelineChartView view;
    view.resize(1200, 300);
    view.setTimeline(&bins);
    view.show();
    QApplication::processEvents();
    QElapsedTimer clock;
    std::vector<double> ms;
    for (int k = 0; k < 20; ++k) {
        clock.start();
        view.refreshNow(); // bins -> series (QXYSeries::replace)
        view.grab(); // and paint it
        ms.push_back(clock.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    out("timeline_events", double(m));
    out("timeline_redraw_ms_median", ms[ms.size() / 2]);
    out("timeline_redraw_ms_max", ms.back());
    return 0;
}

// The window's settings and live recordings in scratch: nothing of the user's is read or
// written.
void useScratchSettings(const QTemporaryDir &scratch)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, scratch.filePath(QStringLiteral("config")));
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
        .setValue(QLatin1StringView(liverecordings::kFolderKey), scratch.filePath(QStringLiteral("recordings")));
}

// A 1 ms precise timer on the GUI thread: how late each tick came (ms) once started, that
// is how long the thread was busy elsewhere.
struct StallProbe {
    std::vector<double> late;
    std::vector<qint64> atMs; // with keepTimes: when each tick came, ms on clock
    bool keepTimes = false;
    QElapsedTimer clock; // atMs
    qint64 lastNs = 0; // the last tick, on BenchApplication::steadyNs() (as the traced deliveries)
    qint64 worstFromNs = 0, worstToNs = 0; // the longest gap between ticks
    QTimer timer;

    StallProbe()
    {
        clock.start();
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(1);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = BenchApplication::steadyNs();
            late.push_back(std::max(0.0, (now - lastNs) / 1e6 - 1.0));
            if (now - lastNs > worstToNs - worstFromNs) {
                worstFromNs = lastNs;
                worstToNs = now;
            }
            if (keepTimes)
                atMs.push_back(clock.elapsed());
            lastNs = now;
        });
    }
    void start()
    {
        lastNs = BenchApplication::steadyNs();
        timer.start();
    }
    // The lateness recorded since the last call, its maximum (and forgets it).
    double takeMax()
    {
        const double most = late.empty() ? 0.0 : *std::max_element(late.begin(), late.end());
        late.clear();
        return most;
    }
};

// The window as a user has it while the benchmark runs: 1280x800, shown, recording its
// events as the user's does (NCV_BENCH_NO_RECORD=1: not) into a temporary folder.
struct BenchWindow {
    QTemporaryDir scratch;
    bool scratchSettings = (useScratchSettings(scratch), true); // before the window reads them
    MainWindow window;

    explicit BenchWindow(NotificationModel *model)
        : window(model, nullptr,
                 qEnvironmentVariableIsSet("NCV_BENCH_NO_RECORD") ? MainWindow::LiveRecording::Off
                                                                  : MainWindow::LiveRecording::FromSettings)
    {
        window.resize(1280, 800);
        window.show();
    }
    double recordedEvents() const
    {
        return window.liveRecording() ? double(window.liveRecording()->recordedEvents()) : 0.0;
    }
};

// PREFIX_probes, PREFIX_stall_p50_ms, _p99_ms, _max_ms of the probe lateness late (sorted here).
void outStalls(const std::string &prefix, std::vector<double> late)
{
    std::sort(late.begin(), late.end());
    const auto pct = [&](double p) {
        return late.empty() ? 0.0 : late[std::min(late.size() - 1, std::size_t(p * double(late.size())))];
    };
    out((prefix + "_probes").c_str(), double(late.size()));
    out((prefix + "_stall_p50_ms").c_str(), pct(0.50));
    out((prefix + "_stall_p99_ms").c_str(), pct(0.99));
    out((prefix + "_stall_max_ms").c_str(), late.empty() ? 0 : late.back());
}

int benchGui(qint64 expected, double seconds)
{
    std::unique_ptr<Source> source = createSystemSource();
    if (!source) {
        std::fprintf(stderr, "no system source\n");
        return 1;
    }
    NotificationModel model(source.get());
    if (qEnvironmentVariableIsSet("NCV_BENCH_SLICE_MS"))
        model.setSliceBudgetMs(qEnvironmentVariable("NCV_BENCH_SLICE_MS").toDouble());
    BenchWindow shown(&model);
    QString error;
    if (!model.start(platform::afInet(), true, &error)) {
        std::fprintf(stderr, "start failed: %s\n", qPrintable(error));
        return 1;
    }
    StallProbe probe;
    std::vector<double> &late = probe.late;
    late.reserve(1 << 20);
    QElapsedTimer total;
    bool measuring = false;
    QObject::connect(&model, &NotificationModel::snapshotComplete, [&] {
        std::printf("ready %d\n", model.routes()->rowCount());
        std::fflush(stdout);
        measuring = true;
        total.start();
        probe.start();
    });
    QTimer check;
    check.setInterval(50);
    qint64 reachedMs = -1;
    qint64 rssAtCountKb = 0;
    QObject::connect(&check, &QTimer::timeout, [&] {
        if (!measuring)
            return;
        if (reachedMs < 0 && model.routes()->liveRowCount() >= expected) {
            reachedMs = total.elapsed();
            rssAtCountKb = rssKb();
        }
        // After reaching the count keep probing 1 s (the sweep of marks runs then); the
        // memory is read once the window has been idle 3 s (the model gives the heap's
        // free pages back after a burst).
        if (reachedMs >= 0 && total.elapsed() > reachedMs + 1000 && probe.timer.isActive()) {
            probe.timer.stop();
        }
        if ((reachedMs >= 0 && total.elapsed() > reachedMs + 3000) || total.elapsed() > seconds * 1000)
            QApplication::quit();
    });
    check.start();
    QApplication::exec();
    // Read while the source still runs, as in a live window: stopping it frees its store.
    const qint64 rssIdleKb = rssKb();
    outHeap("gui");
    if (qEnvironmentVariableIsSet("NCV_BENCH_EXIT_LIVE")) {
        std::fflush(stdout);
        std::exit(0);
    }
    model.stop();
    out("gui_routes", model.routes()->liveRowCount());
    out("gui_catchup_s", reachedMs < 0 ? -1 : reachedMs / 1000.0);
    outStalls("gui", late);
    out("gui_history_events", double(model.history()->size()));
    out("gui_recorded_events", shown.recordedEvents());
    out("gui_rss_at_count_mb", rssAtCountKb / 1024.0);
    out("gui_rss_mb", rssIdleKb / 1024.0);
    out("gui_rss_stopped_mb", rssKb() / 1024.0);
    out("gui_slice_max_ms", model.applyStats().maxMs);
    static_cast<BenchApplication *>(QCoreApplication::instance())->printLongest(probe.worstFromNs, probe.worstToNs);
    // Where it goes: the Routes table's rows and index, the event history.
    out("gui_table_rows_mb", double(model.routes()->rowMemoryBytes()) / (1 << 20));
    out("gui_table_marks_mb", double(model.routes()->markMemoryBytes()) / (1 << 20));
    out("gui_history_mb", double(model.history()->storageBytes()) / (1 << 20));
    return 0;
}

#ifdef NCV_RTMON_IMPORT
// The script's changes in a record: a route added in 20.0.0.0/6 (the burst) or an IPv4
// neighbor in 10.9.0.0/16 added or changed (the churn); what netns-scale.sh counts.
int scriptChange(const ChangeRecord &c)
{
    if (c.object == ObjectKind::Route && c.change == ChangeKind::Add) {
        const auto *r = std::get_if<RouteRow>(&c.after);
        if (r && r->destination.family == Family::IPv4 && (r->destination.bytes[0] & 0xfc) == 20)
            return 1;
    } else if (c.object == ObjectKind::Neighbor && (c.change == ChangeKind::Add || c.change == ChangeKind::Parameter)) {
        const auto *n = std::get_if<NeighborRow>(&c.after);
        if (n && n->address.family == Family::IPv4 && n->address.bytes[0] == 10 && n->address.bytes[1] == 9)
            return 2;
    }
    return 0;
}

// The live window on several namespaces, wired as `netchangeview --netns SELECTION` does
// (app/gui.cpp): "sample EPOCH_S EVENTS" lines (wall time, the event history's size)
// whenever the history grew, checked every 50 ms, so the script can tell when the window
// held its last change; runs until STOPFILE exists. The stall figures count the probe ticks
// from when GOFILE appeared (the script's changes begin) until 1 s after the history held
// the last of them, as `gui` counts them over its burst.
int benchGuiNetns(const QString &selectionText, const QString &goFile, const QString &stopFile)
{
    NetNamespaceSelection selection;
    QString error;
    if (!NetNamespaceSelection::parse(selectionText, &selection, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    NetNamespaceSources namespaces(selection);
    if (!namespaces.start(&error) || !namespaces.warning().isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error.isEmpty() ? namespaces.warning() : error));
        return 1;
    }
    NotificationModel model(namespaces.source());
    namespaces.showIn(&model);
    BenchWindow shown(&model);
    if (!model.start(shown.window.selectedFamily(), true, &error)) {
        std::fprintf(stderr, "start failed: %s\n", qPrintable(error));
        return 1;
    }
    StallProbe probe;
    probe.keepTimes = true;
    probe.late.reserve(1 << 22);
    probe.atMs.reserve(1 << 22);
    bool measuring = false;
    qint64 lastSize = -1;
    qint64 goMs = -1;
    std::vector<std::pair<qint64, qint64>> sizes; // (ms on the probe's clock, history size)
    const auto sample = [&] {
        const qint64 size = model.history()->size();
        if (size == lastSize)
            return;
        lastSize = size;
        sizes.emplace_back(probe.clock.elapsed(), size);
        std::printf("sample %.3f %lld\n", QDateTime::currentMSecsSinceEpoch() / 1000.0, static_cast<long long>(size));
        std::fflush(stdout);
    };
    QObject::connect(&model, &NotificationModel::snapshotComplete, [&] {
        if (measuring)
            return;
        std::printf("ready %lld\n", static_cast<long long>(model.history()->size()));
        std::fflush(stdout);
        measuring = true;
        probe.start();
    });
    QTimer check;
    check.setInterval(50);
    QObject::connect(&check, &QTimer::timeout, [&] {
        if (!measuring)
            return;
        sample();
        if (goMs < 0 && QFile::exists(goFile))
            goMs = probe.clock.elapsed();
        if (QFile::exists(stopFile))
            QApplication::quit();
    });
    check.start();
    QApplication::exec();
    model.stop();
    // The script's changes the window holds, and the index of the last one.
    qint64 routes = 0, neighbors = 0, last = -1;
    const EventHistory *history = model.history();
    for (qint64 i = 0; i < history->size(); ++i) {
        const int kind = scriptChange(history->record(i));
        routes += kind == 1;
        neighbors += kind == 2;
        if (kind)
            last = i;
    }
    qint64 heldMs = probe.clock.elapsed();
    for (const auto &[ms, size] : sizes)
        if (size > last) {
            heldMs = ms;
            break;
        }
    std::vector<double> late;
    for (std::size_t i = 0; i < probe.late.size(); ++i)
        if (probe.atMs[i] >= std::max<qint64>(goMs, 0) && probe.atMs[i] <= heldMs + 1000)
            late.push_back(probe.late[i]);
    out("guins_route_adds", double(routes));
    out("guins_neighbor_changes", double(neighbors));
    out("guins_last_change_events", double(last + 1));
    out("guins_history_events", double(history->size()));
    out("guins_dropped_events", double(history->droppedSinceClear()));
    out("guins_recorded_events", shown.recordedEvents());
    out("guins_namespaces", double(namespaces.namespaceIds().size()));
    out("guins_measured_s", goMs < 0 ? -1 : (heldMs + 1000 - goMs) / 1000.0);
    outStalls("guins", std::move(late));
    out("guins_slice_max_ms", model.applyStats().maxMs);
    static_cast<BenchApplication *>(QCoreApplication::instance())->printLongest();
    return 0;
}
#endif

double cpuSeconds()
{
    return double(std::clock()) / CLOCKS_PER_SEC;
}

int benchSeek(const QString &path, const QString &at, int repeats)
{
    using namespace recording;
    RecordingSession session;
    QString error;
    QElapsedTimer clock;
    clock.start();
    // The history holds one event: the figure is the tables, not the event log's load.
    if (!session.open(path, &error, {}, 1)) {
        std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
        return 1;
    }
    session.waitForTimeline(); // its pass would share the CPU with the seeks (and main's open had it)
    out("seek_open_s", clock.nsecsElapsed() / 1e9);
    const RecordingInfo &info = session.info();
    std::int64_t atUs = info.endUs;
    const auto scheme = info.meta.value(QStringLiteral("key_scheme")) == u"windows" ? StateStore::KeyScheme::Windows
                                                                                    : StateStore::KeyScheme::Linux;
    RecordingReader reader;
    if (!reader.open(path, &error)) {
        std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
        return 1;
    }
    if (at == u"far") {
        // Each keyframe's events: those after it up to the next keyframe or to the last event.
        sql::Db db;
        std::string why;
        sql::Stmt s;
        if (db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why) != SQLITE_OK
            || s.prepare(db,
                         "SELECT seq, next - seq - 1 FROM (SELECT seq, LEAD(seq, 1, (SELECT max(seq) + 1 FROM events)) "
                         "OVER (ORDER BY seq) AS next FROM keyframes) ORDER BY 2 DESC LIMIT 1")
                != SQLITE_OK
            || s.step() != SQLITE_ROW) {
            std::fprintf(stderr, "ncv_bench seek: no keyframe found in %s: %s\n", qPrintable(path),
                         why.empty() ? db.errorMessage().c_str() : why.c_str());
            return 1;
        }
        const std::int64_t events = s.int64(1);
        if ((atUs = reader.eventTimeUs(std::uint64_t(s.int64(0) + events))) < 0) {
            std::fprintf(stderr, "ncv_bench seek: no event %lld\n", static_cast<long long>(s.int64(0) + events));
            return 1;
        }
        out("seek_far_events", double(events));
    } else if (!at.isEmpty() && !parseTime(at, info.startUs, &atUs, &error)) {
        std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
        return 1;
    }
    // A recording of several namespaces: stateAt reads every namespace's tables (what
    // the window's read on a worker does), the tables then show one of them.
    const bool severalNamespaces = reader.namespaceIds().size() > 1;
    double bestState = 1e9, bestTables = 1e9, bestStateCpu = 1e9, bestTablesCpu = 1e9;
    std::size_t stateRows = 0;
    for (int run = 0; run < std::max(1, repeats); ++run) {
        {
            RecordState state(scheme);
            NamespaceStates states(scheme);
            clock.restart();
            const double cpu0 = cpuSeconds();
            const bool ok
                = severalNamespaces ? reader.stateAt(atUs, &states, &error) : reader.stateAt(atUs, &state, &error);
            if (!ok) {
                std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
                return 1;
            }
            bestState = std::min(bestState, clock.nsecsElapsed() / 1e9);
            bestStateCpu = std::min(bestStateCpu, cpuSeconds() - cpu0);
            stateRows = state.routeCount();
            std::size_t largest = 0;
            for (const auto &[netns, one] : states.states()) {
                stateRows += one.routeCount();
                // The tables show the namespace with the most routes: the window's worst case.
                if (one.routeCount() > largest) {
                    largest = one.routeCount();
                    session.setNamespace(netns);
                }
            }
        }
        if (!session.showStateAt(info.startUs, &error)) {
            std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
            return 1;
        }
        QCoreApplication::processEvents();
        clock.restart();
        const double cpu0 = cpuSeconds();
        if (!session.showStateAt(atUs, &error)) {
            std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
            return 1;
        }
        QCoreApplication::processEvents(); // the slots of the signals the tables emitted
        bestTables = std::min(bestTables, clock.nsecsElapsed() / 1e9);
        bestTablesCpu = std::min(bestTablesCpu, cpuSeconds() - cpu0);
    }
    // The window's way: read on a worker, swapped in on the GUI thread.
    double bestAsync = 1e9, worstGuiMs = 0;
    for (int run = 0; run < std::max(1, repeats); ++run) {
        if (!session.showStateAt(info.startUs, &error)) {
            std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
            return 1;
        }
        QCoreApplication::processEvents();
        bool shown = false;
        const QMetaObject::Connection c
            = QObject::connect(&session, &RecordingSession::seekFinished,
                               [&](qint64, bool ok, const QString &e) { shown = ok, error = e; });
        clock.restart();
        session.requestStateAt(atUs);
        QElapsedTimer slice;
        double guiMs = 0;
        while (session.isSeeking()) {
            slice.restart();
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            guiMs = std::max(guiMs, slice.nsecsElapsed() / 1e6);
            QThread::usleep(200);
        }
        bestAsync = std::min(bestAsync, clock.nsecsElapsed() / 1e9);
        worstGuiMs = std::max(worstGuiMs, guiMs);
        QObject::disconnect(c);
        if (!shown) {
            std::fprintf(stderr, "ncv_bench seek: %s\n", qPrintable(error));
            return 1;
        }
    }
    out("seek_state_s", bestState);
    out("seek_tables_s", bestTables);
    out("seek_async_s", bestAsync);
    out("seek_async_gui_max_ms", worstGuiMs);
    // CPU seconds of the process (every thread): steadier than the wall time on a busy machine.
    out("seek_state_cpu_s", bestStateCpu);
    out("seek_tables_cpu_s", bestTablesCpu);
    out("seek_state_routes", double(stateRows));
    out("seek_routes", double(session.model()->routes()->rowCount()));
    out("seek_rss_mb", rssKb() / 1024.0);
    return 0;
}

int benchLiveSeek(qint64 routes, int repeats, bool synchronous)
{
    QTemporaryDir scratch;
    useScratchSettings(scratch);
    ManualSource source;
    source.upsert(testdata::interfaceRow(2, "eth0", "ether", 1500));
    for (qint64 i = 0; i < routes; ++i) {
        const std::string dest = "10." + std::to_string((i >> 16) & 255) + '.' + std::to_string((i >> 8) & 255) + '.'
            + std::to_string(i & 255);
        source.upsert(testdata::routeRow(dest, 32, "", 2, std::uint32_t(100 + (i >> 24))));
    }
    NotificationModel model(&source);
    MainWindow window(&model, nullptr, MainWindow::LiveRecording::FromSettings);
    window.resize(1280, 800);
    window.show();
    QElapsedTimer clock;
    clock.start();
    QString error;
    if (!model.start(platform::afUnspec(), true, &error)) {
        std::fprintf(stderr, "start failed: %s\n", qPrintable(error));
        return 1;
    }
    const auto runUntil = [](const std::function<bool()> &done) {
        while (!done()) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            QThread::msleep(2);
        }
    };
    runUntil([&] { return model.isSnapshotComplete() && model.history()->size() >= routes + 1; });
    std::vector<qint64> moments;
    for (int k = 0; k < 6; ++k) {
        source.upsert(testdata::routeRow("172.16." + std::to_string(k) + ".0", 24, "", 2, 10));
        runUntil([&] { return model.history()->size() >= routes + 2 + k; });
        moments.push_back(model.history()->timeUs(model.history()->size() - 1));
        QThread::msleep(100);
    }
    RecordingFeed *feed = window.liveRecording();
    if (!feed || !feed->waitCommitted(model.history()->sequence(model.history()->size() - 1), 600'000)) {
        std::fprintf(stderr, "ncv_bench liveseek: the live recording did not commit\n");
        return 1;
    }
    out("liveseek_setup_s", clock.nsecsElapsed() / 1e9);
    LiveTimeTravel *travel = window.liveTimeTravel();
    StallProbe probe;
    probe.start();
    qint64 shownUs = -1;
    QObject::connect(travel, &LiveTimeTravel::stateShown, [&](qint64 us) { shownUs = us; });
    std::vector<double> seconds, stalls;
    for (int run = 0; run < 2 * std::max(1, repeats); ++run) {
        const qint64 target = moments[run % 2 == 0 ? 1 : 4];
        shownUs = -1;
        // From the event loop, as a click is: the probe measures the handler too.
        QTimer::singleShot(0, &window, [&] {
            probe.takeMax(); // what came before the click
            clock.restart();
            if (synchronous) {
                QString e;
                travel->showStateAt(target, &e);
            } else {
                window.setTimeCursor(target);
            }
        });
        const QString shot = qEnvironmentVariable("NCV_BENCH_SHOT");
        if (run == 0 && !shot.isEmpty()) {
            // Not a figure: the window once the seek's indicator shows (when the read is
            // that slow) and once the tables are in.
            runUntil([&] { return shownUs == target || window.seekIndicator()->isVisible(); });
            QCoreApplication::processEvents(); // the banner's layout
            window.grab().save(shot + QStringLiteral("-seeking.png"));
        }
        runUntil([&] { return shownUs == target; });
        const double s = clock.nsecsElapsed() / 1e9;
        if (run == 0 && !shot.isEmpty())
            window.grab().save(shot + QStringLiteral("-seeked.png"));
        // The probe's next tick tells how long the last slot held the thread.
        QElapsedTimer settle;
        settle.start();
        while (settle.elapsed() < 30)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        const double stall = probe.takeMax();
        seconds.push_back(s);
        stalls.push_back(stall);
        std::printf("liveseek_run %d %.3f s %.1f ms\n", run, s, stall);
    }
    std::sort(seconds.begin(), seconds.end());
    out("liveseek_s", seconds[seconds.size() / 2]);
    out("liveseek_gui_max_ms", *std::max_element(stalls.begin(), stalls.end()));
    out("liveseek_routes", double(travel->pastModel()->routes()->rowCount()));
    out("liveseek_rss_mb", rssKb() / 1024.0);
    return 0;
}

int benchWriteRecording(const QString &path, qint64 events)
{
    QElapsedTimer clock;
    clock.start();
    QString error;
    // Events 1 ms apart ending about now: the meta's start and end (the writer's clock)
    // then span the events, and the timeline does not stretch over an empty day.
    if (!testdata::writeSyntheticRecording(path, events, (platform::nowUs() / 1'000'000 - events / 1000) * 1'000'000,
                                           &error)) {
        std::fprintf(stderr, "ncv_bench writerec: %s\n", qPrintable(error));
        return 1;
    }
    out("writerec_s", clock.nsecsElapsed() / 1e9);
    out("writerec_events", double(events));
    out("writerec_bytes_per_event", double(QFileInfo(path).size()) / double(events));
    return 0;
}

int benchWriteRoutes(const QString &path, qint64 routes, qint64 changes)
{
    QElapsedTimer clock;
    clock.start();
    QString error;
    recording::RecordingWriter writer;
    if (!writer.open(path, testdata::testRecordingMeta(QStringLiteral("synthetic")), &error)) {
        std::fprintf(stderr, "ncv_bench writeroutes: %s\n", qPrintable(error));
        return 1;
    }
    const std::int64_t start = (platform::nowUs() / 1'000'000 - 86'400) * 1'000'000;
    std::uint64_t seq = 0;
    std::string bytes;
    const QString names[4]
        = {QStringLiteral("eth0"), QStringLiteral("eth1"), QStringLiteral("eth2"), QStringLiteral("eth3")};
    for (std::uint32_t i = 0; i < 4; ++i) {
        ChangeRecord c;
        c.object = ObjectKind::Interface;
        c.change = ChangeKind::Initial;
        c.timeUs = start;
        c.after = testdata::interfaceRow(i + 2, names[i].toStdString(), "ether", 1500);
        bytes.clear();
        eventcodec::encode(c, bytes);
        writer.append(++seq, c.timeUs, bytes, names[i]);
    }
    writer.requestKeyframe(QStringLiteral("start"));
    const auto route = [](qint64 n, std::uint32_t ifIndex) {
        return testdata::routeRow("20." + std::to_string((n >> 16) & 0xff) + '.' + std::to_string((n >> 8) & 0xff) + '.'
                                      + std::to_string(n & 0xff),
                                  32, "", ifIndex, 0);
    };
    for (qint64 n = 0; n < routes; ++n) {
        ChangeRecord c;
        c.object = ObjectKind::Route;
        c.change = ChangeKind::Add;
        c.timeUs = start + 1 + n;
        c.after = route(n, std::uint32_t(n % 4) + 2);
        c.family = std::get<RouteRow>(c.after).family();
        bytes.clear();
        eventcodec::encode(c, bytes);
        writer.append(++seq, c.timeUs, bytes, names[n % 4]);
    }
    for (qint64 i = 0; routes > 0 && i < changes; ++i) {
        const qint64 n = i % routes;
        const std::uint32_t from = std::uint32_t((n + i / routes) % 4);
        ChangeRecord c;
        c.object = ObjectKind::Route;
        c.change = ChangeKind::Parameter;
        c.timeUs = start + 1 + routes + i;
        c.before = route(n, from + 2);
        c.after = route(n, (from + 1) % 4 + 2);
        c.family = std::get<RouteRow>(c.after).family();
        bytes.clear();
        eventcodec::encode(c, bytes);
        writer.append(++seq, c.timeUs, bytes, names[(from + 1) % 4]);
    }
    if (!writer.finish(&error)) {
        std::fprintf(stderr, "ncv_bench writeroutes: %s\n", qPrintable(error));
        return 1;
    }
    out("writeroutes_s", clock.nsecsElapsed() / 1e9);
    return 0;
}

int benchShot(const QString &path, const QString &prefix)
{
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir scratch;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, scratch.filePath(QStringLiteral("config")));
    QString error;
    std::unique_ptr<MainWindow> window(MainWindow::openRecordingWindow(path, nullptr, &error, 1000));
    if (!window) {
        std::fprintf(stderr, "ncv_bench shot: %s\n", qPrintable(error));
        return 1;
    }
    window->resize(1280, 860);
    window->show();
    const auto runFor = [](int ms) {
        QElapsedTimer c;
        c.start();
        while (c.elapsed() < ms) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            QThread::msleep(5);
        }
    };
    const auto save = [&](const char *suffix) {
        const QString file = prefix + QLatin1StringView(suffix);
        if (!window->grab().save(file))
            std::fprintf(stderr, "ncv_bench shot: cannot write %s\n", qPrintable(file));
    };
    runFor(700);
    out("shot_counting_at_filling", window->recordingSession()->isCountingTimeline() ? 1 : 0);
    save("-filling.png");
    window->recordingSession()->waitForTimeline();
    runFor(400); // the chart redraws at most every 100 ms
    save("-counted.png");
    const recording::RecordingInfo &info = window->recordingSession()->info();
    window->setTimeCursor(info.startUs + (info.endUs - info.startUs) / 2);
    runFor(450);
    out("shot_seeking_at_seeking", window->recordingSession()->isSeeking() ? 1 : 0);
    save("-seeking.png");
    while (window->recordingSession()->isSeeking())
        runFor(50);
    runFor(300);
    save("-seeked.png");
    return 0;
}

int benchLogFile(const QString &path, bool memory)
{
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir scratch;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, scratch.filePath(QStringLiteral("config")));
    QElapsedTimer clock;
    clock.start();
    QString error;
    // A history smaller than the file makes the window read the log from the file.
    std::unique_ptr<MainWindow> window(MainWindow::openRecordingWindow(path, nullptr, &error, memory ? 0 : 1000));
    if (!window) {
        std::fprintf(stderr, "ncv_bench logfile: %s\n", qPrintable(error));
        return 1;
    }
    out("logfile_open_s", clock.nsecsElapsed() / 1e9);
    window->resize(1280, 800);
    window->show();
    window->grab(); // paints every widget, the log's visible rows included
    QCoreApplication::processEvents();
    out("logfile_first_paint_s", clock.nsecsElapsed() / 1e9);
    out("logfile_open_rss_mb", rssKb() / 1024.0);
    // The timeline's pass (a worker from the open on): until its counts are in, so the
    // figures below are not shared with it.
    window->recordingSession()->waitForTimeline();
    QCoreApplication::processEvents();
    out("logfile_timeline_s", clock.nsecsElapsed() / 1e9);
    out("logfile_timeline_events", double(window->chartBins()->total()));
    // The timeline's By filter: a second pass over the key columns and events.requester.
    clock.restart();
    window->timelineFilter()->setFilterText(QStringLiteral("kernel"));
    window->recordingSession()->waitForTimeline();
    QCoreApplication::processEvents();
    out("logfile_timeline_by_s", clock.nsecsElapsed() / 1e9);
    out("logfile_timeline_by_events", double(window->chartBins()->total()));
    window->timelineFilter()->setFilterText(QString());
    QTableView *view = window->eventPane()->eventsSection()->view();
    FileEventLogModel *file = window->eventPane()->fileEventLog();
    out("logfile_rows", double(window->eventPane()->eventsSection()->shownRowCount()));
    out("logfile_from_file", file ? 1 : 0);
    const auto timed = [&](const char *key, const std::function<void()> &step) {
        clock.restart();
        step();
        view->viewport()->grab();
        QCoreApplication::processEvents();
        out(key, clock.nsecsElapsed() / 1e9);
    };
    // The section's scroll bar spans every row (the view's own spans only its row window).
    TableSection *section = window->eventPane()->eventsSection();
    QScrollBar *bar = section->verticalScrollBar();
    timed("logfile_scroll_middle_s", [&] { bar->setValue(bar->maximum() / 2); });
    out("logfile_view_rows", double(view->model()->rowCount()));
    timed("logfile_scroll_end_s", [&] { section->scrollToBottom(); });
    timed("logfile_scroll_top_s", [&] { section->scrollToTop(); });
    out("logfile_visible_row_last", double(view->rowAt(view->viewport()->height() - 1)));
    const auto waitFilter = [&] {
        if (file) {
            file->waitForFilter();
        }
        QCoreApplication::processEvents();
    };
    timed("logfile_text_filter_s", [&] {
        window->eventPane()->eventsSection()->filterEdit()->setText(QStringLiteral("10.1.2."));
        window->eventPane()->eventsSection()->applyFilterNow();
        waitFilter();
    });
    out("logfile_text_filter_rows", double(section->shownRowCount()));
    out("logfile_text_filter_rss_mb", rssKb() / 1024.0);
    timed("logfile_text_filter_clear_s", [&] {
        window->eventPane()->eventsSection()->filterEdit()->clear();
        window->eventPane()->eventsSection()->applyFilterNow();
        waitFilter();
    });
    const qint64 t = file ? file->index(file->rowCount() / 2, 0).data(TimeUsRole).toLongLong()
                          : view->model()->index(view->model()->rowCount() / 2, 0).data(TimeUsRole).toLongLong();
    timed("logfile_time_filter_s", [&] {
        window->eventPane()->setTimeFilter(t, t + 60'000'000);
        waitFilter();
    });
    out("logfile_time_filter_rows", double(section->shownRowCount()));
    out("logfile_rss_mb", rssKb() / 1024.0);
    if (file)
        out("logfile_pages_read", double(file->pagesRead()));
    return 0;
}

// The filter scan before the matcher and the threads: one reader, every cell of every
// event built as a QString (the clock part once per second) and matched by QString::contains.
qint64 mainFilterScan(const QString &path, const QString &text)
{
    recording::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error))
        return -1;
    qint64 rows = 0;
    std::int64_t second = -1;
    QString prefix;
    reader.forEachEvent(
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        [&](const recording::RecordedEvent &e) {
            for (int column = 0; column < EventLogModel::ColumnCount; ++column) {
                QVariant cell;
                if (column == EventLogModel::Time) {
                    const std::int64_t t = e.record.timeUs;
                    if (t / 1'000'000 != second) {
                        second = t / 1'000'000;
                        prefix = EventLogModel::timeText(second * 1'000'000).chopped(6);
                    }
                    cell = QString(prefix + QStringLiteral("%1").arg(t % 1'000'000, 6, 10, QLatin1Char('0')));
                } else if (column == EventLogModel::Sequence || column == EventLogModel::Interface) {
                    cell = EventLogModel::keyCell(column, false, e.seq, e.record.timeUs, e.ifName);
                } else {
                    cell = EventLogModel::recordCell(column, e.record, e.ifName);
                }
                if (cell.toString().contains(text, Qt::CaseInsensitive)) {
                    ++rows;
                    break;
                }
            }
            return true;
        },
        &error);
    return rows;
}

int benchLogFilter(const QString &path, const QString &threads, const QStringList &texts)
{
    FileEventLogModel model;
    QString error;
    if (!model.open(path, &error)) {
        std::fprintf(stderr, "ncv_bench logfilter: %s\n", qPrintable(error));
        return 1;
    }
    const bool before = threads == QLatin1StringView("main");
    model.setFilterThreads(threads.toInt());
    out("logfilter_events", double(model.totalEvents()));
    for (int i = 0; i < texts.size(); ++i) {
        QElapsedTimer clock;
        clock.start();
        qint64 rows = 0;
        if (before) {
            rows = mainFilterScan(path, texts[i]);
        } else {
            model.setFilterText(texts[i]);
            model.waitForFilter();
            rows = model.rowCount();
        }
        const double s = clock.nsecsElapsed() / 1e9;
        std::printf("logfilter_%d_text \"%s\"\n", i, qPrintable(texts[i]));
        out(qPrintable(QStringLiteral("logfilter_%1_s").arg(i)), s);
        out(qPrintable(QStringLiteral("logfilter_%1_rows").arg(i)), double(rows));
        std::fflush(stdout);
    }
    return 0;
}

// N rows of 8 columns of numbers: what a view keeps per row, without a model's own cost.
class NumbersModel : public QAbstractTableModel {
public:
    explicit NumbersModel(int rows) : m_rows(rows) { }
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 8; }
    QVariant data(const QModelIndex &index, int role) const override
    {
        return role == Qt::DisplayRole ? QVariant(index.row() * 8 + index.column()) : QVariant();
    }

private:
    int m_rows;
};

// The memory and time of a bare view over N rows: kind "table" (QTableView, vertical header
// hidden, fixed row height), "tree" (QTreeView, uniform row heights, no root decoration),
// "list" (QListView, uniform item sizes) or "window" (QTableView over a RowWindowProxy driven
// by a RowWindowScroller, as the file-backed event log).
int benchViewRows(const QString &kind, int n)
{
    NumbersModel model(n);
    const qint64 rss0 = rssKb();
    QElapsedTimer clock;
    clock.start();
    QWidget top;
    auto *layout = new QHBoxLayout(&top);
    std::function<void()> toEnd;
    QAbstractItemView *view = nullptr;
    if (kind == QLatin1StringView("tree")) {
        auto *tree = new QTreeView(&top);
        tree->setUniformRowHeights(true);
        tree->setRootIsDecorated(false);
        tree->setModel(&model);
        view = tree;
        toEnd = [tree] { tree->scrollToBottom(); };
    } else if (kind == QLatin1StringView("list")) {
        auto *list = new QListView(&top);
        list->setUniformItemSizes(true);
        list->setModel(&model);
        view = list;
        toEnd = [list] { list->scrollToBottom(); };
    } else {
        auto *table = new QTableView(&top);
        table->verticalHeader()->hide();
        table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
        view = table;
        if (kind == QLatin1StringView("window")) {
            auto *proxy = new RowWindowProxy(&top);
            proxy->setSourceModel(&model);
            table->setModel(proxy);
            auto *scroller = new RowWindowScroller(table, proxy, &top);
            layout->addWidget(table);
            layout->addWidget(scroller->scrollBar());
            toEnd = [scroller] { scroller->scrollBar()->setValue(scroller->scrollBar()->maximum()); };
        } else {
            table->setModel(&model);
            toEnd = [table] { table->scrollToBottom(); };
        }
    }
    layout->insertWidget(0, view);
    top.resize(1000, 600);
    top.show();
    top.grab();
    QCoreApplication::processEvents();
    out("viewrows_show_s", clock.nsecsElapsed() / 1e9);
    clock.restart();
    toEnd();
    view->viewport()->grab();
    QCoreApplication::processEvents();
    out("viewrows_scroll_end_s", clock.nsecsElapsed() / 1e9);
    // The lowest row painted (the bottom of the viewport may be blank below it), as a row
    // of the model, not of the window.
    QModelIndex last;
    for (int y = view->viewport()->height() - 1; y >= 0 && !last.isValid(); --y)
        last = view->indexAt(QPoint(2, y));
    if (auto *proxy = qobject_cast<QAbstractProxyModel *>(view->model()))
        last = proxy->mapToSource(last);
    out("viewrows_last_row_shown", double(last.row()));
    out("viewrows_rows", double(n));
    out("viewrows_rss_growth_mb", (rssKb() - rss0) / 1024.0);
    return 0;
}

#ifdef NCV_RTMON_IMPORT
// The cost of naming who asked: an rtnetlink source for IPv4 routes, resolving requesters or
// not (RtnetlinkSource::Options::resolveRequesters), prints "ready" once its snapshot is in,
// then counts route adds until it has n of them (the burst bench.sh loads with ip -batch
// meanwhile) and prints attribution_done_s (the clock of `date +%s.%N`) and how many of the
// adds named a requester. Exit 1 when it cannot register or n adds do not come in 600 s.
int benchAttribution(bool resolve, qint64 n)
{
    struct Counter {
        std::atomic<qint64> adds {0};
        std::atomic<qint64> named {0};
        std::atomic<bool> snapshot {false};
    } counter;
    platform::RtnetlinkSource::Options options;
    options.resolveRequesters = resolve;
    platform::RtnetlinkSource source(options);
    platform::RegisterParams params;
    params.objects = platform::RoutesMask;
    params.addressFamily = platform::afInet();
    params.initialNotification = false;
    params.callerContext = &counter;
    params.callback = [](void *context, std::span<const platform::ChangeRecord> batch) {
        auto *c = static_cast<Counter *>(context);
        for (const platform::ChangeRecord &r : batch) {
            if (r.change == platform::ChangeKind::SnapshotComplete)
                c->snapshot = true;
            else if (r.object == platform::ObjectKind::Route && r.change == platform::ChangeKind::Add) {
                c->adds.fetch_add(1, std::memory_order_relaxed);
                if (platform::RequesterTable::get(r.requester).kind == platform::Requester::Kind::Process)
                    c->named.fetch_add(1, std::memory_order_relaxed);
            }
        }
    };
    platform::Handle handle = 0;
    if (const platform::Status status = source.registerChanges(params, &handle); !status.ok()) {
        std::fprintf(stderr, "ncv_bench attribution: %s\n", status.message.c_str());
        return 1;
    }
    QElapsedTimer waited;
    waited.start();
    while (!counter.snapshot && waited.elapsed() < 60'000)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::printf("ready\n");
    std::fflush(stdout);
    waited.restart();
    while (counter.adds.load() < n && waited.elapsed() < 600'000)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const qint64 adds = counter.adds.load();
    source.cancel(handle);
    std::printf("attribution_done_s %lld.%09ld\n", static_cast<long long>(now.tv_sec), now.tv_nsec);
    out("attribution_adds", double(adds));
    out("attribution_named", double(counter.named.load()));
    return adds >= n ? 0 : 1;
}

// FILE converted by import into the new recording OUT as File > Open and --headless do:
// prints PREFIX_import_s (wall seconds), PREFIX_import_events and PREFIX_import_rss_mb.
int benchImport(const std::string &prefix, recording::ImportFunction import, const QString &in, const QString &outPath)
{
    QElapsedTimer clock;
    clock.start();
    recording::ImportResult result;
    QString why;
    if (!import(in, outPath, {}, &result, &why)) {
        std::fprintf(stderr, "ncv_bench: %s\n", qPrintable(why));
        return 1;
    }
    out((prefix + "_import_s").c_str(), clock.nsecsElapsed() / 1e9);
    out((prefix + "_import_events").c_str(), double(result.events));
    out((prefix + "_import_rss_mb").c_str(), rssKb() / 1024.0);
    return 0;
}

// ncv_bench importrtmon FILE OUT: the rtmon file FILE read through the decoder and state
// store alone (rtmon_read_s, records counted, nothing kept), then converted into the new
// recording OUT as File > Open and --headless do (rtmon_import_s). Wall seconds.
int benchImportRtmon(const QString &in, const QString &outPath)
{
    QElapsedTimer clock;
    clock.start();
    std::uint64_t records = 0;
    platform::RtmonStats stats;
    std::string error;
    if (!platform::RtmonReader::readFile(
            QFile::encodeName(in).toStdString(),
            [&records](std::span<const platform::ChangeRecord> batch) { records += batch.size(); }, &stats, &error)) {
        std::fprintf(stderr, "ncv_bench: %s\n", error.c_str());
        return 1;
    }
    out("rtmon_read_s", clock.nsecsElapsed() / 1e9);
    out("rtmon_messages", double(stats.messages - stats.stamps));
    out("rtmon_records", double(records));
    return benchImport("rtmon", &recording::importRtmon, in, outPath);
}

// An nlmon capture FILE read through PcapReader (libpcap, the decoder, the state store)
// alone (pcap_read_s, records counted, nothing kept), then converted into the new recording
// OUT as File > Open and --headless do (pcap_import_s). Wall seconds.
int benchImportPcap(const QString &in, const QString &outPath)
{
    QElapsedTimer clock;
    clock.start();
    std::uint64_t records = 0;
    platform::PcapReader reader([&records](std::span<const platform::ChangeRecord> batch) { records += batch.size(); });
    std::string error;
    if (!reader.readFile(QFile::encodeName(in).toStdString(), &error)) {
        std::fprintf(stderr, "ncv_bench: %s\n", error.c_str());
        return 1;
    }
    out("pcap_read_s", clock.nsecsElapsed() / 1e9);
    out("pcap_packets", double(reader.stats().packets));
    out("pcap_messages", double(reader.stats().messages));
    out("pcap_records", double(records));
    return benchImport("pcap", &recording::importPcap, in, outPath);
}
#endif

} // namespace

int main(int argc, char **argv)
{
    BenchApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString mode = args.value(1);
    if (mode == QLatin1StringView("model"))
        return benchModel(args.value(2, QStringLiteral("100000")).toLongLong(),
                          args.value(3) == QLatin1StringView("export-only"),
                          args.value(3) == QLatin1StringView("table-only"));
    if (mode == QLatin1StringView("timeline"))
        return benchTimeline(args.value(2, QStringLiteral("10000000")).toLongLong());
    if (mode == QLatin1StringView("gui"))
        return benchGui(args.value(2).toLongLong(), args.value(3, QStringLiteral("120")).toDouble());
    if (mode == QLatin1StringView("hot"))
        return benchHotPaths(args.value(2, QStringLiteral("1000000")).toLongLong(),
                             args.value(3, QStringLiteral("5")).toInt(), args.value(4));
    if (mode == QLatin1StringView("seek") && args.size() >= 3)
        return benchSeek(args.value(2), args.value(3), args.value(4, QStringLiteral("3")).toInt());
    if (mode == QLatin1StringView("liveseek") && args.size() >= 3)
        return benchLiveSeek(args.value(2).toLongLong(), args.value(3, QStringLiteral("3")).toInt(),
                             args.value(4) == QLatin1StringView("sync"));
    if (mode == QLatin1StringView("writerec") && args.size() >= 4)
        return benchWriteRecording(args.value(2), args.value(3).toLongLong());
    if (mode == QLatin1StringView("viewrows") && args.size() >= 4)
        return benchViewRows(args.value(2), args.value(3).toInt());
    if (mode == QLatin1StringView("shot") && args.size() >= 4)
        return benchShot(args.value(2), args.value(3));
    if (mode == QLatin1StringView("writeroutes") && args.size() >= 4)
        return benchWriteRoutes(args.value(2), args.value(3).toLongLong(), args.value(4).toLongLong());
    if (mode == QLatin1StringView("logfilter") && args.size() >= 5)
        return benchLogFilter(args.value(2), args.value(3), args.mid(4));
#ifdef NCV_RTMON_IMPORT
    if (mode == QLatin1StringView("importrtmon") && args.size() >= 4)
        return benchImportRtmon(args.value(2), args.value(3));
    if (mode == QLatin1StringView("importpcap") && args.size() >= 4)
        return benchImportPcap(args.value(2), args.value(3));
    if (mode == QLatin1StringView("guins") && args.size() >= 5)
        return benchGuiNetns(args.value(2), args.value(3), args.value(4));
    if (mode == QLatin1StringView("attribution") && args.size() >= 4)
        return benchAttribution(args.value(2) == QLatin1StringView("on"), args.value(3).toLongLong());
#endif
    if (mode == QLatin1StringView("logfile") && args.size() >= 3)
        return benchLogFile(args.value(2), args.value(3) == QLatin1StringView("memory"));
    std::fprintf(
        stderr,
        "usage: ncv_bench model N | timeline M | gui N SECONDS | hot N [REPEATS [PART]] | seek FILE [T [R]] "
        "| liveseek N [R [sync]] | writerec FILE N | writeroutes FILE N [C] | logfile FILE [memory] "
        "| logfilter FILE THREADS|main TEXT... | shot FILE OUT "
        "| viewrows table|tree|list|window N | importrtmon FILE OUT | importpcap FILE OUT | attribution on|off N "
        "| guins SELECTION GOFILE STOPFILE\n");
    return 2;
}

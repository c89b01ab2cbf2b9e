// SPDX-License-Identifier: GPL-2.0-or-later
// UI tests: the real MainWindow, offscreen, fed by a ManualSource through a real
// NotificationModel (batches arrive through the event loop, hence QTRY_*).
#include "views/mainwindow.h"

#include "model/export/csvreader.h"
#include "model/export/csvwriter.h"
#include "model/history/eventcodec.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/liverecordings.h"
#include "model/notificationmodel.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordingwriter.h"
#include "model/recordingfeed.h"
#include "model/recordingsession.h"
#include "model/remotesession.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/columnfilterproxy.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/rowwindowproxy.h"
#include "model/tables/tablemodelroles.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "support/testrecording.h"
#include "support/viewstestdata.h"
#include "views/detailspanel.h"
#include "views/diagnosticsdialog.h"
#include "views/eventlogdelegate.h"
#include "views/eventpane.h"
#include "views/remotehostdialog.h"
#include "views/requesterfilterbox.h"
#include "views/rowstatedelegate.h"
#include "views/statediffdialog.h"
#include "views/tablesection.h"
#include "views/tablespage.h"
#include "views/timelinechartview.h"

#include <QAbstractButton>
#include <QAbstractProxyModel>
#include <QAction>
#include <QApplication>
#include <QAreaSeries>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUrl>

#include <memory>

using namespace ncv;
using namespace ncv::testdata;

namespace {

/// One window over one model over one manual source, populated and running.
struct Fixture {
    platform::ManualSource source;
    NotificationModel model {&source};
    std::unique_ptr<MainWindow> window;

    explicit Fixture(bool populated = true, int family = platform::afUnspec())
    {
        if (populated)
            populate(source);
        window = std::make_unique<MainWindow>(&model);
        QString error;
        if (!model.start(family, true, &error))
            qFatal("start failed: %s", qPrintable(error));
        window->show();
    }
    ~Fixture()
    {
        window.reset();
        model.stop();
    }
};

int columnOf(const QAbstractItemModel *m, const QString &title)
{
    for (int c = 0; c < m->columnCount(); ++c) {
        if (m->headerData(c, Qt::Horizontal).toString() == title)
            return c;
    }
    return -1;
}

QStringList columnTexts(const QAbstractItemModel *m, int column)
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out.append(m->index(r, column).data().toString());
    return out;
}

/// WCAG relative luminance contrast ratio.
double contrast(const QColor &a, const QColor &b)
{
    const auto lum = [](const QColor &c) {
        const auto ch = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
    };
    const double la = lum(a), lb = lum(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

/// A Source with counters: a ManualSource underneath, stats() answered from `counters`.
class StatsSource final : public platform::Source {
public:
    platform::ManualSource manual;
    platform::SourceStats counters;
    platform::Status registerChanges(const platform::RegisterParams &params, platform::Handle *handle) override
    {
        return manual.registerChanges(params, handle);
    }
    platform::Status cancel(platform::Handle handle) override { return manual.cancel(handle); }
    std::string name() const override { return "stats-test"; }
    bool stats(platform::Handle, platform::SourceStats *out) const override
    {
        *out = counters;
        return true;
    }
};

/// Exposes the delegate's style option for tests.
struct DelegateProbe : EventLogDelegate {
    using EventLogDelegate::EventLogDelegate;
    using EventLogDelegate::initStyleOption;
};

ChangeRecord markerRecord(ObjectKind object, ChangeKind change, std::int64_t timeUs, Row after = {}, Row before = {})
{
    ChangeRecord r;
    r.object = object;
    r.change = change;
    r.timeUs = timeUs;
    r.after = std::move(after);
    r.before = std::move(before);
    if (const auto *rt = std::get_if<RouteRow>(&r.row()))
        r.family = rt->family();
    return r;
}

EntityRow entity(std::uint32_t protocol)
{
    EntityRow e;
    e.protocol = protocol;
    return e;
}

struct ExportResult {
    qint64 written = -1;
    QString error;
};

/// window->startExport(path), run to its end (exportFinished()).
ExportResult runExport(MainWindow *window, const QString &path)
{
    QSignalSpy finished(window, &MainWindow::exportFinished);
    if (!window->startExport(path))
        return {-1, QStringLiteral("startExport refused")};
    if (!finished.wait(30000))
        return {-1, QStringLiteral("no exportFinished within 30 s")};
    return {finished.at(0).at(1).toLongLong(), finished.at(0).at(2).toString()};
}

/// Proxy row of the first event log row whose Change cell reads `change`, or -1.
int eventRow(TableSection *events, const QString &change)
{
    for (int r = 0; r < events->proxy()->rowCount(); ++r) {
        if (events->proxy()->index(r, EventLogModel::Change).data().toString() == change)
            return r;
    }
    return -1;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void statusShowsDroppedEvents();
    void statusCountsOnlyLiveRows();
    void initTestCase();
    void remoteHostWindowSaysWhenSshFails();
    void init();
    void showsSnapshotAndStatus();
    void filterNarrowsTableAfterDebounce();
    void findFocusesCurrentFilter();
    void nexthopsTabShowsTheObjects();
    void selectingEventFillsDetails();
    void addedRowIsMarked();
    void exportWritesCsv();
    void exportCountsEventsWrittenWhileEventsArrive();
    void exportErrorIsReported();
    void exportCancelLeavesOldFile();
    void familySelectorReregisters();
    void pauseStopsAndResumeTakesFreshSnapshot();
    void sortByColumnIsNumeric();
    void copyPutsSelectedRowsOnClipboard();
    void routesTableScrollsALiveRowWindow();
    void liveLogFollowsItsNewestEventThroughARowWindow();
    void ctrlCInEventLogCopiesRowsWithHeader();
    void chartDragFiltersEventLog();
    void timelineCountsOnlyTheChosenRequester();
    void timelineFilterSetBeforeThePublicationCountsEveryChange();
    void recordingTimelineCountsOnlyTheChosenRequester();
    void chartFollowsLiveEdgeUntilZoomed();
    void eventLogFollowsNewestUnlessScrolledUp();
    void settingsRoundTrip();
    void tintsKeepTextReadable_data();
    void tintsKeepTextReadable();
    // entities, gaps, diagnostics
    void selectingEntityFiltersRoutes();
    void gapDrawsBandAndCountsResync();
    void expiredAndInferredEventsAreStyled();
    void routeExpiryCountsDown();
    void diagnosticsShowsStatsAndWarnsWhenClamped();
    // recordings
    void recordingOpensAtTheEnd();
    void otherToolsFilesOpen_data();
    void otherToolsFilesOpen();
    void csvImportSavesAsARecordingThatReopens();
    void importCancelledMidwayLeavesNothing();
    void openDialogFilterIsRemembered();
    void fileLogRowsAreStyled();
    void timeCursorShowsThePast();
    void recordingOfSeveralNamespacesShowsOneAtATime();
    void theLatestSeekWinsAndCancelKeepsTheTables();
    void openingABrokenFileKeepsTheWindow();
    // the live window's own recording
    void liveWindowRecordsItsHistory();
    void saveRecordingAsCopiesWhileRecording();
    void saveRecordingErrorIsReported();
    void cleanupRemovesOldestAutomaticRecordings();
    void windowStartCleansUpBeyondTheLimit();
    void noRecordWritesNothing();
    void recentFilesAndDrop();
    void rangeComparesTwoMoments();
    void compareRunsOffTheGuiThread();

private:
    /// Writes the test recording once per test into its own directory.
    QString writeRecording(TestRecording *rec);
    /// Writes generatedCsv(rows) to a new file of the test directory named after pattern
    /// ("big-%1.csv": %1 a number of its own).
    QString writeCsv(const QString &pattern, int rows);
    QTemporaryDir m_recordingDir;
    int m_recordings = 0;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_liveDir; // every live window records here (liveRecording/folder)
    int m_liveFolders = 0;
    /// A new empty folder for the live recordings of one test, set as liveRecording/folder.
    QString freshLiveFolder();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // Test mode alone shares ~/.qttest/config between test processes running in
    // parallel; give this process its own settings directory.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

void TestMainWindow::init()
{
    QSettings settings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"));
    QVERIFY2(settings.fileName().startsWith(m_settingsDir.path()), qPrintable(settings.fileName()));
    settings.clear();
    // Live windows record (the default): into this process's temporary folder, never the
    // user's data directory, and removed at the end.
    QVERIFY(m_liveDir.isValid());
    settings.setValue(QLatin1StringView(liverecordings::kFolderKey), m_liveDir.path());
}

QString TestMainWindow::freshLiveFolder()
{
    const QString folder = m_liveDir.filePath(QStringLiteral("live%1").arg(++m_liveFolders));
    QDir().mkpath(folder);
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
        .setValue(QLatin1StringView(liverecordings::kFolderKey), folder);
    return folder;
}

namespace {

/// The sequence numbers of every event in the recording at path, in order.
QList<quint64> recordedSequences(const QString &path, recording::RecordingInfo *info = nullptr)
{
    QList<quint64> out;
    recording::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error)) {
        qWarning("%s", qPrintable(error));
        return out;
    }
    if (info)
        *info = reader.info();
    std::vector<recording::RecordedEvent> events;
    if (!reader.events(0, 1 << 20, &events, &error))
        qWarning("%s", qPrintable(error));
    for (const recording::RecordedEvent &e : events)
        out.append(e.seq);
    return out;
}

QList<quint64> historySequences(const EventHistory *h)
{
    QList<quint64> out;
    for (qint64 i = 0; i < h->size(); ++i)
        out.append(h->sequence(i));
    return out;
}

/// Events committed to the live recording at path so far (a reader beside the writer).
qint64 committedEvents(const QString &path)
{
    recording::RecordingReader reader;
    QString error;
    return reader.open(path, &error) ? reader.info().eventCount : -1;
}

/// A file of size bytes with that modification time.
void writeFile(const QString &path, qint64 size, const QDateTime &modified)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.write(QByteArray(size, 'x')) == size);
    f.close();
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.setFileTime(modified, QFileDevice::FileModificationTime));
}

} // namespace

void TestMainWindow::showsSnapshotAndStatus()
{
    Fixture f;
    QTRY_COMPARE(f.window->tablesPage()->interfacesSection()->proxy()->rowCount(), kInterfaces);
    QTRY_COMPARE(f.window->tablesPage()->addressesSection()->proxy()->rowCount(), kAddresses);
    QTRY_COMPARE(f.window->tablesPage()->routesSection()->proxy()->rowCount(), kRoutes);
    QTRY_COMPARE(f.window->eventPane()->eventsSection()->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes);
    QTRY_VERIFY(f.window->countsLabel()->text().contains(QStringLiteral("Routes: %1").arg(kRoutes)));
    QVERIFY(
        f.window->countsLabel()->text().contains(QStringLiteral("Events: %1").arg(kInterfaces + kAddresses + kRoutes)));
    QVERIFY(f.window->stateLabel()->text().startsWith(QStringLiteral("Running")));
    // Readability: uniform rows, hidden vertical header, no ResizeToContents on live tables.
    QTableView *view = f.window->tablesPage()->routesSection()->view();
    QVERIFY(!view->verticalHeader()->isVisible());
    QCOMPARE(view->verticalHeader()->sectionResizeMode(0), QHeaderView::Fixed);
    QVERIFY(view->alternatingRowColors());
    for (int c = 0; c < view->horizontalHeader()->count(); ++c)
        QVERIFY(view->horizontalHeader()->sectionResizeMode(c) != QHeaderView::ResizeToContents);
    // Columns were fitted once to the snapshot: "ifindex" is much narrower than the
    // default section, and the Time column shows its microseconds unelided.
    QHeaderView *ifHeader = f.window->tablesPage()->interfacesSection()->view()->horizontalHeader();
    QVERIFY(ifHeader->sectionSize(InterfaceTableModel::IfIndex) < ifHeader->defaultSectionSize());
    QTableView *events = f.window->eventPane()->eventsSection()->view();
    const QString time = events->model()->index(0, EventLogModel::Time).data().toString();
    QVERIFY(events->columnWidth(EventLogModel::Time) > events->fontMetrics().horizontalAdvance(time));
}

void TestMainWindow::statusShowsDroppedEvents()
{
    Fixture f;
    QTRY_VERIFY(f.model.history()->size() > 0);
    f.model.history()->setCapacity(5); // drops the oldest at once
    QVERIFY(f.model.history()->droppedCount() > 0);
    f.window->updateStatus();
    QVERIFY2(f.window->countsLabel()->text().contains(QStringLiteral("oldest dropped: history keeps 5")),
             qPrintable(f.window->countsLabel()->text()));
}

void TestMainWindow::statusCountsOnlyLiveRows()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    TableSection *addresses = f.window->tablesPage()->addressesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    f.source.remove(routeRow("198.51.100.0", 24, "192.168.1.254", 2, 300));
    f.source.remove(addressRow(4, "10.1.0.1", 24));
    QTRY_COMPARE(f.model.routes()->liveRowCount(), kRoutes - 1);
    QTRY_COMPARE(f.model.addresses()->liveRowCount(), kAddresses - 1);
    f.window->updateStatus();
    // The deleted rows are still shown (struck through) until the sweep; the status bar
    // counts what `ip route` / `ip addr` list now.
    QCOMPARE(routes->proxy()->rowCount(), kRoutes);
    QCOMPARE(addresses->proxy()->rowCount(), kAddresses);
    const QString counts = f.window->countsLabel()->text();
    QVERIFY2(counts.contains(QStringLiteral("Routes: %1 ").arg(kRoutes - 1)), qPrintable(counts));
    QVERIFY2(counts.contains(QStringLiteral("Addresses: %1 ").arg(kAddresses - 1)), qPrintable(counts));
    QVERIFY2(counts.contains(QStringLiteral("Interfaces: %1 ").arg(kInterfaces)), qPrintable(counts));
}

void TestMainWindow::filterNarrowsTableAfterDebounce()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    f.window->tablesPage()->tabs()->setCurrentWidget(routes);
    QTest::keyClicks(routes->filterEdit(), QStringLiteral("10.1.0"));
    // Debounced: nothing filtered right after typing...
    QCOMPARE(routes->proxy()->rowCount(), kRoutes);
    // ... then 10.1.0.0/24 and 10.1.0.0/16 (destination) remain; 10.1.0.254 is the gateway of the /16.
    QTRY_COMPARE(routes->proxy()->rowCount(), 2);
    const int dest = columnOf(routes->proxy(), QStringLiteral("Destination"));
    for (const QString &text : columnTexts(routes->proxy(), dest))
        QVERIFY2(text.startsWith(QStringLiteral("10.1.")), qPrintable(text));
    // Case-insensitive over all columns (interface names live in the Interface column).
    routes->filterEdit()->setText(QStringLiteral("VETH-LAB"));
    QTRY_COMPARE(routes->proxy()->rowCount(), 3); // 10.1.0.0/24, 10.1.0.0/16, fd00:1::/64
    routes->filterEdit()->clear();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
}

void TestMainWindow::findFocusesCurrentFilter()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowActive(f.window.get()));
    f.window->tablesPage()->tabs()->setCurrentWidget(f.window->tablesPage()->addressesSection());
    f.window->findAction()->trigger();
    QTRY_COMPARE(QApplication::focusWidget(), f.window->tablesPage()->addressesSection()->filterEdit());
}

void TestMainWindow::nexthopsTabShowsTheObjects()
{
    Fixture f;
    QTRY_VERIFY(f.model.isSnapshotComplete());
    TablesPage *page = f.window->tablesPage();
    TableSection *nexthops = page->nexthopsSection();
    // The tab after Rules.
    QCOMPARE(page->tabs()->indexOf(nexthops), page->tabs()->indexOf(page->rulesSection()) + 1);
    QCOMPARE(page->sections().constLast(), nexthops);
    NexthopRow gw;
    gw.id = 5;
    gw.family = Family::IPv4;
    gw.gateway = IpAddress::v4(192, 168, 1, 1);
    gw.ifIndex = 2;
    NexthopRow group;
    group.id = 7;
    group.group = {{5, 1}, {6, 3}};
    f.source.upsert(gw);
    f.source.upsert(group);
    QTRY_COMPARE(nexthops->proxy()->rowCount(), 2);
    const auto cell = [&](int row, const char *header) {
        return nexthops->proxy()->index(row, columnOf(nexthops->proxy(), QLatin1String(header))).data().toString();
    };
    // Sorted by id, as ip nexthop lists them; the interface by name.
    QCOMPARE(cell(0, "Id"), QStringLiteral("5"));
    QCOMPARE(cell(0, "Gateway"), QStringLiteral("192.168.1.1"));
    QCOMPARE(cell(0, "Interface"), QStringLiteral("eth0"));
    QCOMPARE(cell(1, "Id"), QStringLiteral("7"));
    QCOMPARE(cell(1, "Group"), QStringLiteral("5/6,3"));
    f.window->updateStatus();
    QVERIFY2(f.window->countsLabel()->text().contains(QStringLiteral("Nexthops: 2")),
             qPrintable(f.window->countsLabel()->text()));
    // A replace: the row changes in place; a delete: the row goes.
    gw.gateway = IpAddress::v4(192, 168, 1, 2);
    f.source.upsert(gw);
    QTRY_COMPARE(cell(0, "Gateway"), QStringLiteral("192.168.1.2"));
    f.source.remove(group);
    f.window->updateStatus();
    QTRY_VERIFY2(f.window->countsLabel()->text().contains(QStringLiteral("Nexthops: 1")),
                 qPrintable(f.window->countsLabel()->text()));
}

void TestMainWindow::selectingEventFillsDetails()
{
    Fixture f;
    QTRY_COMPARE(f.window->eventPane()->eventsSection()->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes);
    f.source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    TableSection *events = f.window->eventPane()->eventsSection();
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes + 1);

    const int changeColumn = columnOf(events->proxy(), QStringLiteral("Change"));
    int row = -1;
    for (int r = 0; r < events->proxy()->rowCount(); ++r) {
        if (events->proxy()->index(r, changeColumn).data().toString() == QStringLiteral("parameter"))
            row = r;
    }
    QVERIFY(row >= 0);
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(row, 0)));

    DetailsPanel *details = f.window->eventPane()->detailsPanel();
    QTableWidget *table = details->table();
    QVERIFY(details->titleLabel()->text().contains(QStringLiteral("parameter interface eth0")));
    QCOMPARE(details->changedFieldNames(), QStringList {QStringLiteral("mtu")});
    bool found = false;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (table->item(r, DetailsPanel::FieldColumn)->text() != QStringLiteral("mtu"))
            continue;
        found = true;
        QCOMPARE(table->item(r, DetailsPanel::BeforeColumn)->text(), QStringLiteral("1500"));
        QCOMPARE(table->item(r, DetailsPanel::AfterColumn)->text(), QStringLiteral("9000"));
        QVERIFY(table->item(r, DetailsPanel::AfterColumn)->font().bold());
        QVERIFY(table->item(r, DetailsPanel::AfterColumn)->background().style() != Qt::NoBrush);
    }
    QVERIFY(found);
    QVERIFY(!table->isColumnHidden(DetailsPanel::BeforeColumn));
    QVERIFY(!table->isColumnHidden(DetailsPanel::AfterColumn));

    // An initial event has no "before": only the value column shows.
    const int objectColumn = columnOf(events->proxy(), QStringLiteral("Object"));
    int routeRowIndex = -1;
    for (int r = 0; r < events->proxy()->rowCount() && routeRowIndex < 0; ++r) {
        if (events->proxy()->index(r, objectColumn).data().toString() == QStringLiteral("route"))
            routeRowIndex = r;
    }
    QVERIFY(routeRowIndex >= 0);
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(routeRowIndex, 0)));
    QVERIFY(table->isColumnHidden(DetailsPanel::BeforeColumn));
    QVERIFY(!table->isColumnHidden(DetailsPanel::AfterColumn));
    QVERIFY(details->changedFieldNames().isEmpty());
    QVERIFY(table->rowCount() >= 5);
}

void TestMainWindow::addedRowIsMarked()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes + 1);
    const int dest = columnOf(routes->proxy(), QStringLiteral("Destination"));
    int row = columnTexts(routes->proxy(), dest).indexOf(QStringLiteral("203.0.113.0/24"));
    QVERIFY(row >= 0);
    QCOMPARE(routes->proxy()->index(row, 0).data(ChangeStateRole).toInt(), int(ChangeAdded));
    // The delegate paints that row with the added tint.
    QTableView *view = routes->view();
    f.window->tablesPage()->tabs()->setCurrentWidget(routes);
    // The view shows a row window over the proxy: its indexes are the section's to map.
    const QModelIndex shown = routes->viewIndex(routes->proxy()->index(row, dest));
    QVERIFY(shown.isValid());
    QCOMPARE(routes->proxyIndex(shown), routes->proxy()->index(row, dest));
    view->scrollTo(shown);
    const QRect cell = view->visualRect(shown);
    const QImage image = view->viewport()->grab().toImage();
    const QColor expected = RowStateDelegate::tint(RowStateDelegate::Added, false,
                                                   (row % 2) ? view->palette().color(QPalette::AlternateBase)
                                                             : view->palette().color(QPalette::Base));
    const QColor painted = image.pixelColor(cell.right() - 2, cell.center().y());
    QVERIFY2(std::abs(painted.green() - expected.green()) < 12 && std::abs(painted.red() - expected.red()) < 12,
             qPrintable(painted.name() + QStringLiteral(" vs ") + expected.name()));

    // A removed row stays, greyed, for a moment, then goes.
    f.source.remove(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    QTRY_COMPARE(routes->proxy()
                     ->index(columnTexts(routes->proxy(), dest).indexOf(QStringLiteral("203.0.113.0/24")), 0)
                     .data(ChangeStateRole)
                     .toInt(),
                 int(ChangeDeleted));
    QTRY_COMPARE_WITH_TIMEOUT(routes->proxy()->rowCount(), kRoutes, 5000);
}

void TestMainWindow::exportWritesCsv()
{
    Fixture f;
    f.source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    const int expected = kInterfaces + kAddresses + kRoutes + 1;
    QTRY_COMPARE(f.model.history()->size(), qint64(expected));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.csv"));
    const ExportResult result = runExport(f.window.get(), path);
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.written, qint64(expected));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const QList<QStringList> rows = csv::parse(file.readAll(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), expected + 1);
    const QStringList header = rows.first();
    QCOMPARE(header.mid(0, 15),
             QStringLiteral("sequence,time_utc,object,change,family,if_index,if_name,destination,gateway,metric,"
                            "protocol,table,changed_fields,details,origin")
                 .split(QLatin1Char(',')));
    QCOMPARE(rows.at(1).at(0), QStringLiteral("1"));
    QCOMPARE(rows.last().at(0), QString::number(expected));
    QCOMPARE(rows.last().at(3), QStringLiteral("parameter"));
    QCOMPARE(rows.last().at(12), QStringLiteral("mtu"));
    QVERIFY(f.window->findChild<QAction *>(QStringLiteral("exportAction"))->isEnabled());
}

void TestMainWindow::exportCountsEventsWrittenWhileEventsArrive()
{
    Fixture f;
    const qint64 initial = kInterfaces + kAddresses + kRoutes;
    QTRY_COMPARE(f.model.history()->size(), initial);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.csv"));
    QSignalSpy finished(f.window.get(), &MainWindow::exportFinished);
    // Queued before the export starts, applied only after it took its snapshot (the
    // model applies batches on the event loop, here each as soon as it is posted): not
    // written, but in the history before the export's end is reported.
    f.model.setUpdateIntervalMs(0);
    f.source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    QVERIFY(f.window->startExport(path));
    QVERIFY(f.window->isExporting());
    QVERIFY(!f.window->startExport(dir.filePath(QStringLiteral("second.csv")))); // one at a time
    QVERIFY(!f.window->findChild<QAction *>(QStringLiteral("exportAction"))->isEnabled());
    // And more events keep arriving while it runs.
    QTimer feeder;
    int mtu = 1400;
    connect(&feeder, &QTimer::timeout, &f.model,
            [&f, &mtu] { f.source.upsert(interfaceRow(2, "eth0", "ether", ++mtu)); });
    feeder.start(1);
    QVERIFY(finished.wait(30000));
    feeder.stop();
    QVERIFY(!f.window->isExporting());

    const qint64 written = finished.at(0).at(1).toLongLong();
    QCOMPARE(finished.at(0).at(2).toString(), QString());
    QCOMPARE(written, initial);
    QVERIFY(f.model.history()->size() > written);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString error;
    const QList<QStringList> rows = csv::parse(file.readAll(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(qint64(rows.size() - 1), written);
    // The status bar reports the events written, not the history's size by then.
    const QString message = f.window->statusBar()->currentMessage();
    QVERIFY2(message.startsWith(QStringLiteral("Exported %1 event").arg(written)), qPrintable(message));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("second.csv"))));
}

void TestMainWindow::exportErrorIsReported()
{
    Fixture f;
    QTRY_VERIFY(f.model.history()->size() > 0);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("no/such/dir/events.csv"));
    const ExportResult result = runExport(f.window.get(), path);
    QVERIFY(!result.error.isEmpty());
    QCOMPARE(result.written, qint64(0));
    QVERIFY(!QFile::exists(path));
    // Shown in a message box (opened, not exec()'d: the test keeps running).
    auto *box = f.window->findChild<QMessageBox *>(QStringLiteral("exportErrorBox"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->text(), result.error);
    box->close();
    QVERIFY(f.window->findChild<QAction *>(QStringLiteral("exportAction"))->isEnabled());
}

void TestMainWindow::exportCancelLeavesOldFile()
{
    Fixture f(false);
    // A history long enough that the export is still running when Cancel is pressed.
    constexpr int count = 300'000;
    std::vector<platform::ChangeRecord> records;
    records.reserve(count);
    const platform::RouteRow route = routeRow("10.0.0.0", 8, "192.168.1.1", 2, 100);
    for (int i = 0; i < count; ++i) {
        platform::ChangeRecord r;
        r.object = platform::ObjectKind::Route;
        r.change = platform::ChangeKind::Add;
        r.family = platform::Family::IPv4;
        r.timeUs = platform::nowUs();
        r.after = route;
        records.push_back(std::move(r));
    }
    f.source.deliver(std::move(records));
    // Applied in ~20 ms slices with a repaint between them: several seconds under ASan.
    // How long that takes is not what this test is about.
    QTRY_COMPARE_WITH_TIMEOUT(f.model.history()->size(), qint64(count), 60000);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("events.csv"));
    {
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old contents\n");
    }
    QSignalSpy finished(f.window.get(), &MainWindow::exportFinished);
    QVERIFY(f.window->startExport(path));
    // Press Cancel on the progress dialog while the worker writes.
    auto *progress = f.window->findChild<QProgressDialog *>();
    QVERIFY(progress);
    auto *cancel = progress->findChild<QPushButton *>();
    QVERIFY(cancel);
    cancel->click();
    QVERIFY(finished.wait(30000));
    const QString error = finished.at(0).at(2).toString();
    QVERIFY2(error.contains(QStringLiteral("cancel")), qPrintable(error));
    QCOMPARE(finished.at(0).at(1).toLongLong(), qint64(0));
    QVERIFY(f.window->statusBar()->currentMessage().contains(QStringLiteral("cancel")));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("old contents\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList {QStringLiteral("events.csv")});
    // The window is usable again, and the progress dialog is gone.
    QVERIFY(f.window->findChild<QAction *>(QStringLiteral("exportAction"))->isEnabled());
    QTRY_VERIFY(!f.window->findChild<QProgressDialog *>());
}

void TestMainWindow::familySelectorReregisters()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    QComboBox *combo = f.window->familySelector();
    const int v6 = combo->findData(platform::afInet6());
    QVERIFY(v6 >= 0);
    combo->setCurrentIndex(v6);
    Q_EMIT combo->activated(v6); // what a user's pick emits
    QCOMPARE(f.model.addressFamily(), platform::afInet6());
    QVERIFY(f.model.isRunning());
    QCOMPARE(f.source.registrationCount(), std::size_t(1));
    QTRY_COMPARE(routes->proxy()->rowCount(), kIPv6Routes);
    const int family = columnOf(routes->proxy(), QStringLiteral("Family"));
    for (const QString &text : columnTexts(routes->proxy(), family))
        QCOMPARE(text, QStringLiteral("IPv6"));
    QTRY_COMPARE(f.window->tablesPage()->addressesSection()->proxy()->rowCount(), kAddresses - kIPv4Addresses);
    QCOMPARE(f.window->selectedFamily(), platform::afInet6());
    // A new IPv4 route does not show up while IPv6-only.
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    QTest::qWait(100);
    QCOMPARE(routes->proxy()->rowCount(), kIPv6Routes);
    // The View menu actions follow the selection.
    f.window->setFamily(platform::afUnspec());
    QCOMPARE(combo->currentData().toInt(), platform::afUnspec());
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes + 1);
}

void TestMainWindow::pauseStopsAndResumeTakesFreshSnapshot()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    f.window->pauseAction()->trigger();
    QVERIFY(f.window->isPaused());
    QVERIFY(!f.model.isRunning());
    QCOMPARE(f.source.registrationCount(), std::size_t(0));
    QCOMPARE(f.window->pauseAction()->text(), QStringLiteral("&Resume"));
    f.window->updateStatus();
    QCOMPARE(f.window->stateLabel()->text(), QStringLiteral("Paused"));

    const qint64 eventsBefore = f.model.history()->size();
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    f.source.remove(routeRow("198.51.100.0", 24, "192.168.1.254", 2, 300));
    QTest::qWait(150);
    QCOMPARE(routes->proxy()->rowCount(), kRoutes); // frozen
    QCOMPARE(f.model.history()->size(), eventsBefore);

    f.window->pauseAction()->trigger(); // resume: register again with a fresh snapshot
    QVERIFY(!f.window->isPaused());
    QCOMPARE(f.source.registrationCount(), std::size_t(1));
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    const int dest = columnOf(routes->proxy(), QStringLiteral("Destination"));
    QTRY_VERIFY(columnTexts(routes->proxy(), dest).contains(QStringLiteral("203.0.113.0/24")));
    QVERIFY(!columnTexts(routes->proxy(), dest).contains(QStringLiteral("198.51.100.0/24")));
    QCOMPARE(f.window->pauseAction()->text(), QStringLiteral("&Pause"));
    // The history got a fresh set of initial events.
    QTRY_COMPARE(f.model.history()->size(), eventsBefore + kInterfaces + kAddresses + kRoutes);
}

void TestMainWindow::sortByColumnIsNumeric()
{
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes);
    const int metric = columnOf(routes->proxy(), QStringLiteral("Metric"));
    QVERIFY(metric >= 0);
    // Click the header twice (ascending, then descending), as a user would.
    QHeaderView *header = routes->view()->horizontalHeader();
    f.window->tablesPage()->tabs()->setCurrentWidget(routes);
    routes->view()->sortByColumn(metric, Qt::AscendingOrder);
    QStringList texts = columnTexts(routes->proxy(), metric);
    QList<int> values;
    for (const QString &t : texts)
        values.append(t.toInt());
    QVERIFY2(std::is_sorted(values.begin(), values.end()), qPrintable(texts.join(u' ')));
    QCOMPARE(values.first(), 20);
    QCOMPARE(values.last(), 1024);
    routes->view()->sortByColumn(metric, Qt::DescendingOrder);
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(routes->proxy()->index(0, metric).data().toString(), QStringLiteral("1024"));
    // Live inserts keep the order.
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 5000));
    QTRY_COMPARE(routes->proxy()->index(0, metric).data().toString(), QStringLiteral("5000"));
}

void TestMainWindow::routesTableScrollsALiveRowWindow()
{
    // More routes than the Routes view's row window holds: the view holds only the window,
    // while the count, the scroll bar, End / Home, the current row, copy, sort and filter
    // work on every route; routes added before the current row keep it current.
    Fixture f;
    TableSection *routes = f.window->tablesPage()->routesSection();
    f.window->tablesPage()->tabs()->setCurrentWidget(routes);
    constexpr int kWindow = RowWindowProxy::kDefaultWindowRows;
    constexpr int kMany = kWindow + 1000;
    const auto many = [](int i) {
        return routeRow("10.200." + std::to_string(i / 256) + '.' + std::to_string(i % 256), 32, "192.168.1.1", 2, 10);
    };
    for (int i = 0; i < kMany; ++i)
        f.source.upsert(many(i));
    const int total = kRoutes + kMany;
    QTRY_COMPARE(routes->proxy()->rowCount(), total);
    QTableView *view = routes->view();
    QCOMPARE(view->model()->rowCount(), kWindow);
    QCOMPARE(view->verticalHeader()->count(), kWindow); // per-row state for the window only
    QCOMPARE(routes->shownRowCount(), total);
    QScrollBar *bar = routes->verticalScrollBar();
    QVERIFY(bar != view->verticalScrollBar());
    QVERIFY(bar->maximum() > kWindow);
    QTRY_VERIFY(routes->findChild<QLabel *>(QStringLiteral("routesCount"))->text().contains(QLocale().toString(total)));

    const int dest = RouteTableModel::Destination;
    view->sortByColumn(dest, Qt::AscendingOrder);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(routes->proxyIndex(view->currentIndex()).row(), total - 1);
    const QString last = routes->proxy()->index(total - 1, dest).data().toString();
    QCOMPARE(view->currentIndex().siblingAtColumn(dest).data().toString(), last);
    QTRY_COMPARE(bar->value(), bar->maximum());

    // 50 routes sorted before every shown row: the same route stays current and on screen.
    for (int i = 0; i < 50; ++i)
        f.source.upsert(routeRow("10.100.0." + std::to_string(i), 32, "192.168.1.1", 2, 10));
    QTRY_COMPARE(routes->proxy()->rowCount(), total + 50);
    QCOMPARE(view->currentIndex().siblingAtColumn(dest).data().toString(), last);
    QCOMPARE(routes->proxyIndex(view->currentIndex()).row(), total + 49);
    QCOMPARE(bar->value(), bar->maximum());
    const QRect cell = view->visualRect(view->currentIndex());
    QVERIFY(view->viewport()->rect().contains(cell.center()));

    // Copy takes the selected route, with the header line.
    QGuiApplication::clipboard()->clear();
    f.window->copyAction()->trigger();
    const QStringList lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(1).contains(last), qPrintable(lines.at(1)));

    // Select All, then copy: every route, also those outside the window; the rows a moving
    // window brings are selected too; a click ends it.
    QTest::keySequence(view, QKeySequence::SelectAll);
    QVERIFY(routes->allRowsSelected());
    QGuiApplication::clipboard()->clear();
    f.window->copyAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text().count(QLatin1Char('\n')), total + 50 + 1);
    bar->setValue(bar->maximum() / 2);
    QVERIFY(view->model()->rowCount() > 0);
    QVERIFY(view->selectionModel()->isRowSelected(0));
    QVERIFY(view->selectionModel()->isRowSelected(view->model()->rowCount() - 1));
    QVERIFY(routes->allRowsSelected());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(view->indexAt(QPoint(4, 3))).center());
    QVERIFY(!routes->allRowsSelected());
    QGuiApplication::clipboard()->clear();
    f.window->copyAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text().count(QLatin1Char('\n')), 2);

    // Home: the first route of all; sorted descending, the last one is on top.
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(routes->proxyIndex(view->currentIndex()).row(), 0);
    QCOMPARE(bar->value(), 0);

    // Shift selections span rows outside the window: Shift+End from the first route selects
    // every route; a click, a scroll far away and a Shift+click select the routes between.
    const auto copiedLines = [&] {
        QCoreApplication::processEvents(); // the range's selection is made after the key or click
        QGuiApplication::clipboard()->clear();
        f.window->copyAction()->trigger();
        return QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    };
    QTest::keyClick(view, Qt::Key_End, Qt::ShiftModifier);
    QCOMPARE(routes->selectedRange(), qMakePair(0, total + 49));
    QStringList copied = copiedLines();
    QCOMPARE(copied.size(), total + 50 + 1);
    QVERIFY(copied.at(1).contains(routes->proxy()->index(0, dest).data().toString()));
    QVERIFY(copied.last().contains(last));
    QVERIFY(view->selectionModel()->isRowSelected(view->currentIndex().row()));
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(routes->selectedRange(), qMakePair(-1, -1)); // a key without Shift ends it
    const auto lineCenter = [&](int line) {
        const int h = view->verticalHeader()->defaultSectionSize();
        return QPoint(20, line * h + h / 2);
    };
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, lineCenter(2));
    const int from = routes->proxyIndex(view->currentIndex()).row();
    QCOMPARE(from, 2);
    bar->setValue(kWindow + 600); // the window moves: row 2 is no longer in it
    QCoreApplication::processEvents();
    QCOMPARE(routes->proxyIndex(view->indexAt(lineCenter(0))).row(), kWindow + 600);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, lineCenter(1));
    const int to = kWindow + 601;
    QCOMPARE(routes->proxyIndex(view->currentIndex()).row(), to);
    QCOMPARE(routes->selectedRange(), qMakePair(from, to));
    copied = copiedLines();
    QCOMPARE(copied.size(), to - from + 2);
    QVERIFY(copied.at(1).contains(routes->proxy()->index(from, dest).data().toString()));
    QVERIFY(copied.last().contains(routes->proxy()->index(to, dest).data().toString()));
    QVERIFY(view->selectionModel()->isRowSelected(view->indexAt(lineCenter(0)).row()));
    QVERIFY(view->selectionModel()->isRowSelected(view->indexAt(lineCenter(1)).row()));
    QVERIFY(!view->selectionModel()->isRowSelected(view->indexAt(lineCenter(2)).row()));
    // Back to the top: the range's rows the window brings back are selected.
    bar->setValue(0);
    QCoreApplication::processEvents();
    QVERIFY(!view->selectionModel()->isRowSelected(view->indexAt(lineCenter(1)).row()));
    QVERIFY(view->selectionModel()->isRowSelected(view->indexAt(lineCenter(2)).row()));
    QVERIFY(view->selectionModel()->isRowSelected(view->indexAt(lineCenter(8)).row()));
    // Shift+Up moves the end; a click without Shift ends the range.
    bar->setValue(kWindow + 600);
    QCoreApplication::processEvents();
    view->setCurrentIndex(view->indexAt(lineCenter(1))); // as the view had it (a reveal)
    QTest::keyClick(view, Qt::Key_Up, Qt::ShiftModifier);
    QCOMPARE(routes->selectedRange(), qMakePair(from, to - 1));
    QCOMPARE(copiedLines().size(), to - 1 - from + 2);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, lineCenter(3));
    QCOMPARE(routes->selectedRange(), qMakePair(-1, -1));
    QCOMPARE(copiedLines().size(), 2);
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(bar->value(), 0);
    view->sortByColumn(dest, Qt::DescendingOrder);
    QCOMPARE(view->model()->index(0, dest).data().toString(), last);
    QCOMPARE(routes->proxy()->index(0, dest).data().toString(), last);

    // A filter narrows the rows behind the window; the window shrinks to them.
    routes->filterEdit()->setText(QStringLiteral("10.200.3."));
    routes->applyFilterNow();
    QCOMPARE(routes->shownRowCount(), 256);
    QCOMPARE(view->model()->rowCount(), 256);
    routes->filterEdit()->clear();
    QCOMPARE(routes->shownRowCount(), total + 50);
    QCOMPARE(view->model()->rowCount(), kWindow);
}

void TestMainWindow::liveLogFollowsItsNewestEventThroughARowWindow()
{
    // More events than the log view's row window: following the newest event, it stays in
    // view as events come; scrolled to the top it stays there; the time cursor's event far
    // from the window is brought into it.
    Fixture f;
    TableSection *events = f.window->eventPane()->eventsSection();
    QTableView *view = events->view();
    QScrollBar *bar = events->verticalScrollBar();
    constexpr int kWindow = RowWindowProxy::kDefaultWindowRows;
    int added = 0;
    const auto addRoutes = [&](int count) {
        for (int i = 0; i < count; ++i, ++added)
            f.source.upsert(routeRow("10.210." + std::to_string(added / 256) + '.' + std::to_string(added % 256), 32,
                                     "192.168.1.1", 2, 10));
    };
    const auto settled = [&](qint64 atLeast) {
        return f.model.history()->size() >= atLeast && events->shownRowCount() == int(f.model.history()->size());
    };
    addRoutes(kWindow + 500);
    QTRY_VERIFY(settled(kWindow + 500));
    QVERIFY(events->shownRowCount() > kWindow);
    QCOMPARE(view->model()->rowCount(), kWindow);
    QCOMPARE(view->verticalHeader()->count(), kWindow);
    const auto bottomEvent = [&] {
        QCoreApplication::processEvents();
        const QModelIndex index = view->indexAt(QPoint(4, view->viewport()->height() - 3));
        return index.isValid() ? index.data(EventIndexRole).toLongLong() : -1;
    };
    QTRY_COMPARE(bar->value(), bar->maximum());
    QTRY_COMPARE(bottomEvent(), f.model.history()->size() - 1);
    qint64 before = f.model.history()->size();
    addRoutes(300);
    QTRY_VERIFY(settled(before + 300));
    QTRY_COMPARE(bar->value(), bar->maximum());
    QTRY_COMPARE(bottomEvent(), f.model.history()->size() - 1);

    // Scrolled to the top: new events do not move it.
    events->scrollToTop();
    QCOMPARE(bar->value(), 0);
    const QModelIndex top = view->indexAt(QPoint(4, 3));
    QCOMPARE(top.data(EventIndexRole).toLongLong(), 0);
    before = f.model.history()->size();
    addRoutes(100);
    QTRY_VERIFY(settled(before + 100));
    QCOMPARE(bar->value(), 0);
    QCOMPARE(view->indexAt(QPoint(4, 3)).data(EventIndexRole).toLongLong(), 0);

    // The newest event, then the first again, through indexOfEvent (the time cursor's way).
    const qint64 newest = f.model.history()->size() - 1;
    const QModelIndex shown = f.window->eventPane()->indexOfEvent(newest);
    QVERIFY(shown.isValid());
    QCOMPARE(shown.model(), view->model());
    QCOMPARE(shown.data(EventIndexRole).toLongLong(), newest);
    const QModelIndex first = f.window->eventPane()->indexOfEvent(0);
    QVERIFY(first.isValid());
    QCOMPARE(first.data(EventIndexRole).toLongLong(), 0);
}

void TestMainWindow::copyPutsSelectedRowsOnClipboard()
{
    Fixture f;
    TableSection *interfaces = f.window->tablesPage()->interfacesSection();
    QTRY_COMPARE(interfaces->proxy()->rowCount(), kInterfaces);
    QTableView *view = interfaces->view();
    view->sortByColumn(InterfaceTableModel::IfIndex, Qt::AscendingOrder);
    view->setFocus();
    view->selectionModel()->select(interfaces->viewIndex(interfaces->proxy()->index(1, 0)),
                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    view->selectionModel()->select(interfaces->viewIndex(interfaces->proxy()->index(3, 0)),
                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QGuiApplication::clipboard()->clear();
    f.window->copyAction()->trigger();
    const QStringList lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("ifindex\tName\t")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("2\teth0\t")), qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).startsWith(QStringLiteral("4\tveth-lab0\t")), qPrintable(lines.at(2)));
    QCOMPARE(lines.at(1).count(QLatin1Char('\t')), InterfaceTableModel::ColumnCount - 1);
}

void TestMainWindow::ctrlCInEventLogCopiesRowsWithHeader()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowActive(f.window.get()));
    TableSection *events = f.window->eventPane()->eventsSection();
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes);
    QTableView *view = events->view();
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    view->selectRow(0);
    QGuiApplication::clipboard()->clear();
    // The window's Edit > Copy shortcut wins over the view's own one-cell copy.
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    const QStringList lines = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("#\tTime\tObject\tChange")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("1\t")), qPrintable(lines.at(1)));
    QVERIFY(lines.at(1).contains(QStringLiteral("\tinitial\t")));
}

void TestMainWindow::chartDragFiltersEventLog()
{
    Fixture f;
    TableSection *events = f.window->eventPane()->eventsSection();
    const int initial = kInterfaces + kAddresses + kRoutes;
    QTRY_COMPARE(events->proxy()->rowCount(), initial);
    QTest::qWait(30);
    const qint64 splitUs = platform::nowUs();
    QTest::qWait(30);
    f.source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    QTRY_COMPARE(events->proxy()->rowCount(), initial + 2);

    TimelineChartView *chart = f.window->timelineView();
    chart->refreshNow();
    QVERIFY(chart->followsLiveEdge());
    QTRY_VERIFY(chart->series(platform::ObjectKind::Route)->count() > 0);
    QCOMPARE(f.window->chartBins()->total(), qint64(2));

    // Programmatic selection of the later part only.
    chart->selectTimeRange(splitUs, platform::nowUs());
    QCOMPARE(events->proxy()->rowCount(), 2);
    QVERIFY(f.window->clearTimeFilterAction()->isEnabled());
    QVERIFY(!chart->followsLiveEdge());
    f.window->clearTimeFilterAction()->trigger();
    QCOMPARE(events->proxy()->rowCount(), initial + 2);
    QVERIFY(!f.window->eventPane()->filterProxy()->hasTimeRange());

    // A real mouse drag over the whole plot selects everything shown.
    chart->setFollowLiveEdge(true);
    QSignalSpy spy(chart, &TimelineChartView::timeRangeSelected);
    const QRectF plot = chart->chart()->plotArea();
    const QPoint a = chart->mapFromScene(chart->chart()->mapToScene(plot.topLeft() + QPointF(1, plot.height() / 2)));
    const QPoint b = chart->mapFromScene(chart->chart()->mapToScene(plot.topRight() + QPointF(-1, plot.height() / 2)));
    QTest::mousePress(chart->viewport(), Qt::LeftButton, {}, a);
    QMouseEvent move(QEvent::MouseMove, b, chart->viewport()->mapToGlobal(b), Qt::NoButton, Qt::LeftButton, {});
    QApplication::sendEvent(chart->viewport(), &move);
    QTest::mouseRelease(chart->viewport(), Qt::LeftButton, {}, b);
    QCOMPARE(spy.count(), 1);
    QVERIFY(f.window->eventPane()->filterProxy()->hasTimeRange());
    QCOMPARE(events->proxy()->rowCount(), initial + 2);
    f.window->eventPane()->clearTimeFilter();
}

namespace {

std::uint32_t processRequester(const char *command, int pid)
{
    platform::Requester r;
    r.kind = platform::Requester::Kind::Process;
    r.command = command;
    r.pid = pid;
    r.portId = std::uint32_t(pid);
    return platform::RequesterTable::intern(r);
}

/// Events the timeline's bins show over their whole range (every kind).
qint64 chartSum(const TimelineBins *bins)
{
    qint64 sum = 0;
    for (const QPointF &p : bins->series(platform::ObjectKind::None, bins->firstUs(), bins->lastUs(), 500))
        sum += qint64(p.y());
    return sum;
}

} // namespace

// The timeline counts a slice as it is applied, the history holds it once it is published
// (a turn later): a filter set in between is counted again from a history that holds them.
void TestMainWindow::timelineFilterSetBeforeThePublicationCountsEveryChange()
{
    Fixture f;
    TableSection *events = f.window->eventPane()->eventsSection();
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes);
    QTest::qWait(NotificationModel::kUpdateIntervalMs + 40); // quiet: the next batch is applied at once
    f.source.setRequester(processRequester("tailscaled", 812), 812);
    TimelineBins *bins = f.window->chartBins();
    const qint64 historyBefore = f.model.history()->size();
    for (int i = 0; i < 3; ++i)
        f.source.upsert(routeRow("203.0.113." + std::to_string(i * 4), 30, "192.168.1.1", 2, 50));
    QElapsedTimer clock;
    clock.start();
    while (bins->total() < 3 && clock.elapsed() < 10000)
        QCoreApplication::processEvents(); // one turn at a time
    QCOMPARE(bins->total(), qint64(3));
    QCOMPARE(f.model.history()->size(), historyBefore); // applied, not yet published
    f.window->timelineFilter()->setFilterText(QStringLiteral("tailscaled"));
    QCOMPARE(bins->requesterFilter(), QStringLiteral("tailscaled"));
    QCOMPARE(bins->total(), qint64(3));
    QCOMPARE(f.model.history()->size(), historyBefore + 3);
}

// The timeline's By filter: only the changes one process asked for, counted again from the
// history when it is set, and counted as they come while it applies.
void TestMainWindow::timelineCountsOnlyTheChosenRequester()
{
    Fixture f;
    TableSection *events = f.window->eventPane()->eventsSection();
    const int initial = kInterfaces + kAddresses + kRoutes;
    QTRY_COMPARE(events->proxy()->rowCount(), initial);
    const std::uint32_t tailscaled = processRequester("tailscaled", 812);
    const std::uint32_t ip = processRequester("ip", 4006);
    f.source.setRequester(tailscaled, 812);
    for (int i = 0; i < 3; ++i)
        f.source.upsert(routeRow("203.0.113." + std::to_string(i * 4), 30, "192.168.1.1", 2, 50));
    f.source.setRequester(ip, 4006);
    for (int i = 0; i < 2; ++i)
        f.source.upsert(routeRow("198.18." + std::to_string(i) + ".0", 24, "192.168.1.1", 2, 50));
    TimelineBins *bins = f.window->chartBins();
    QTRY_COMPARE(bins->total(), qint64(5));
    QCOMPARE(chartSum(bins), qint64(5));

    RequesterFilterBox *by = f.window->timelineFilter();
    QVERIFY(by->isVisible());
    by->setFilterText(QStringLiteral("tailscaled"));
    QCOMPARE(bins->requesterFilter(), QStringLiteral("tailscaled"));
    QCOMPARE(bins->total(), qint64(3));
    QCOMPARE(chartSum(bins), qint64(3));
    QCOMPARE(bins->totalUnfiltered(), qint64(5));
    const auto *note = f.window->findChild<QLabel *>(QStringLiteral("timelineFilterNote"));
    QVERIFY(note);
    QCOMPARE(note->text(), QStringLiteral("3 of 5 changes shown"));
    TimelineChartView *chart = f.window->timelineView();
    chart->refreshNow();
    double top = 0;
    for (const QPointF &p : chart->series(platform::ObjectKind::Route)->points())
        top = std::max(top, p.y());
    QVERIFY(top >= 1 && top <= 3);

    // Changes while it applies: tailscaled's are counted, ip's are not.
    f.source.upsert(routeRow("198.18.9.0", 24, "192.168.1.1", 2, 50)); // still ip
    f.source.setRequester(tailscaled, 812);
    f.source.upsert(routeRow("203.0.113.64", 30, "192.168.1.1", 2, 50));
    QTRY_COMPARE(bins->totalUnfiltered(), qint64(7));
    QCOMPARE(bins->total(), qint64(4));

    // Typed, after the debounce: a PID; then a pattern.
    by->lineEdit()->selectAll();
    QTest::keyClicks(by->lineEdit(), QStringLiteral("4006"));
    QCOMPARE(bins->total(), qint64(4)); // not before the delay
    QTRY_COMPARE(bins->total(), qint64(3));
    by->setFilterText(QStringLiteral("TAIL*"));
    QCOMPARE(bins->total(), qint64(4));
    by->setFilterText(QStringLiteral("nobody"));
    QCOMPARE(bins->total(), qint64(0));
    QCOMPARE(chartSum(bins), qint64(0));
    // The list offers the names seen.
    by->showPopup();
    QVERIFY(by->findText(QStringLiteral("tailscaled")) >= 0);
    QVERIFY(by->findText(QStringLiteral("kernel")) >= 0);
    by->hidePopup();
    by->setFilterText(QString());
    QCOMPARE(bins->total(), qint64(7));
    QVERIFY(note->text().isEmpty());
}

// The same over a recording whose log is read from the file: the filter's counts come from
// a pass over the file.
void TestMainWindow::recordingTimelineCountsOnlyTheChosenRequester()
{
    const std::uint32_t tailscaled = processRequester("tailscaled", 812);
    const std::uint32_t ip = processRequester("ip", 4006);
    const QString path = m_recordingDir.filePath(QStringLiteral("by-%1.ncv").arg(++m_recordings));
    {
        recording::RecordingWriter writer;
        recording::RecordingMeta meta;
        meta.source = QStringLiteral("rtnetlink");
        QString error;
        QVERIFY2(writer.open(path, meta, &error), qPrintable(error));
        const qint64 t0 = platform::nowUs() - 60'000'000;
        for (int i = 0; i < 30; ++i) {
            platform::ChangeRecord r;
            r.object = platform::ObjectKind::Route;
            r.change = platform::ChangeKind::Add;
            r.family = platform::Family::IPv4;
            r.timeUs = t0 + i * 1'000'000;
            r.requester = i % 3 == 0 ? tailscaled : ip; // 10 by tailscaled, 20 by ip
            r.after = routeRow("10.20." + std::to_string(i) + ".0", 24, "192.168.1.1", 2, 50);
            std::string bytes;
            eventcodec::encode(r, bytes);
            writer.append(std::uint64_t(i + 1), r.timeUs, bytes, QStringLiteral("eth0"));
        }
        QVERIFY2(writer.finish(&error), qPrintable(error));
    }
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error, 5));
    QVERIFY2(w, qPrintable(error));
    w->show();
    RecordingSession *session = w->recordingSession();
    QVERIFY(session->fileEventLog()); // read from the file: the history is empty
    session->waitForTimeline();
    TimelineBins *bins = w->chartBins();
    QCOMPARE(bins->total(), qint64(30));
    w->timelineFilter()->setFilterText(QStringLiteral("tailscaled"));
    QVERIFY(session->isCountingTimeline() || bins->total() == 10);
    session->waitForTimeline();
    QCOMPARE(bins->total(), qint64(10));
    QCOMPARE(chartSum(bins), qint64(10));
    w->timelineFilter()->setFilterText(QStringLiteral("ip"));
    session->waitForTimeline();
    QCOMPARE(bins->total(), qint64(20));
    w->timelineFilter()->setFilterText(QString());
    QCOMPARE(bins->total(), qint64(30));
}

void TestMainWindow::chartFollowsLiveEdgeUntilZoomed()
{
    Fixture f;
    TimelineChartView *chart = f.window->timelineView();
    QTRY_COMPARE(f.model.history()->size(), qint64(kInterfaces + kAddresses + kRoutes));
    // Changes only: the snapshot rows are not counted.
    QCOMPARE(f.window->chartBins()->total(), qint64(0));
    f.source.upsert(interfaceRow(2, "eth0", "ether", 9000));
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.2", 2, 50));
    f.source.upsert(addressRow(2, "192.168.1.21", 24));
    QTRY_COMPARE(f.window->chartBins()->total(), qint64(4));
    chart->refreshNow();
    const qint64 now = platform::nowUs();
    QVERIFY(chart->toUs() >= now - 2'000'000);
    QVERIFY(chart->toUs() - chart->fromUs() >= TimelineChartView::MinLiveSpanUs);
    // The series sum to the events so far (drawn as steps: a bucket's start and end, both at its count).
    const auto total = [chart](platform::ObjectKind kind) {
        const QList<QPointF> points = chart->series(kind)->points();
        double sum = 0;
        for (qsizetype i = 0; i < points.size(); i += 2)
            sum += points.at(i).y();
        return int(sum);
    };
    QCOMPARE(total(platform::ObjectKind::Interface) + total(platform::ObjectKind::Address)
                 + total(platform::ObjectKind::Route),
             4);
    QCOMPARE(total(platform::ObjectKind::Route), 2);

    // Wheel zoom stops following; the action follows the chart.
    QAction *follow = f.window->findChild<QAction *>(QStringLiteral("followAction"));
    QVERIFY(follow && follow->isChecked());
    const qint64 spanBefore = chart->toUs() - chart->fromUs();
    const QPoint centre = chart->viewport()->rect().center();
    QWheelEvent wheel(centre, chart->viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, {},
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(chart->viewport(), &wheel);
    QVERIFY(!chart->followsLiveEdge());
    QVERIFY(!follow->isChecked());
    QVERIFY(chart->toUs() - chart->fromUs() < spanBefore);
    follow->trigger();
    QVERIFY(chart->followsLiveEdge());
}

void TestMainWindow::eventLogFollowsNewestUnlessScrolledUp()
{
    Fixture f;
    f.window->resize(1000, 700);
    TableSection *events = f.window->eventPane()->eventsSection();
    for (int i = 0; i < 120; ++i)
        f.source.upsert(interfaceRow(2, "eth0", "ether", 1500 + i + 1));
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes + 120);
    QScrollBar *bar = events->view()->verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    // Scroll up: new events no longer move the view.
    bar->setValue(0);
    for (int i = 0; i < 20; ++i)
        f.source.upsert(interfaceRow(2, "eth0", "ether", 2000 + i));
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes + 140);
    QCOMPARE(bar->value(), 0);
    // Back at the bottom: follows again.
    bar->setValue(bar->maximum());
    for (int i = 0; i < 20; ++i)
        f.source.upsert(interfaceRow(2, "eth0", "ether", 3000 + i));
    QTRY_COMPARE(events->proxy()->rowCount(), kInterfaces + kAddresses + kRoutes + 160);
    QTRY_COMPARE(bar->value(), bar->maximum());
}

void TestMainWindow::settingsRoundTrip()
{
    {
        Fixture f;
        QTRY_COMPARE(f.window->tablesPage()->routesSection()->proxy()->rowCount(), kRoutes);
        f.window->setFamily(platform::afInet());
        f.window->tablesPage()->routesSection()->view()->horizontalHeader()->resizeSection(RouteTableModel::Destination,
                                                                                           177);
        f.window->tablesPage()->routesSection()->view()->sortByColumn(RouteTableModel::Metric, Qt::DescendingOrder);
        f.window->close();
    }
    platform::ManualSource source;
    populate(source);
    NotificationModel model(&source);
    MainWindow window(&model);
    QCOMPARE(window.selectedFamily(), platform::afInet());
    QCOMPARE(window.familySelector()->currentData().toInt(), platform::afInet());
    QHeaderView *header = window.tablesPage()->routesSection()->view()->horizontalHeader();
    QCOMPARE(header->sectionSize(RouteTableModel::Destination), 177);
    QCOMPARE(header->sortIndicatorSection(), int(RouteTableModel::Metric));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    // The app starts the model with the restored family; the first snapshot's column
    // fitting leaves the saved widths alone.
    QString error;
    QVERIFY2(model.start(window.selectedFamily(), true, &error), qPrintable(error));
    window.show();
    QTRY_COMPARE(window.tablesPage()->routesSection()->proxy()->rowCount(), kIPv4Routes);
    QTest::qWait(50);
    QCOMPARE(header->sectionSize(RouteTableModel::Destination), 177);
    QCOMPARE(window.tablesPage()->routesSection()->proxy()->index(0, RouteTableModel::Metric).data().toString(),
             QStringLiteral("1024"));
    model.stop();
}

void TestMainWindow::tintsKeepTextReadable_data()
{
    QTest::addColumn<QColor>("base");
    QTest::addColumn<QColor>("text");
    QTest::addColumn<double>("minContrast");
    // Light themes: WCAG AAA (7:1); dark themes: AA (4.5:1).
    QTest::newRow("light") << QColor(Qt::white) << QColor(Qt::black) << 7.0;
    QTest::newRow("light-alternate") << QColor(0xf7, 0xf7, 0xf7) << QColor(Qt::black) << 7.0;
    QTest::newRow("fusion-light") << QColor(0xff, 0xff, 0xff) << QColor(0x25, 0x25, 0x25) << 7.0;
    QTest::newRow("dark") << QColor(0x2a, 0x2a, 0x2a) << QColor(0xee, 0xee, 0xee) << 4.5;
}

void TestMainWindow::tintsKeepTextReadable()
{
    QFETCH(QColor, base);
    QFETCH(QColor, text);
    QFETCH(double, minContrast);
    for (auto state : {RowStateDelegate::Added, RowStateDelegate::Changed}) {
        for (bool cell : {false, true}) {
            const QColor tint = RowStateDelegate::tint(state, cell, base);
            QVERIFY(tint.isValid());
            QVERIFY2(contrast(tint, text) >= minContrast, qPrintable(tint.name()));
            QVERIFY(tint != base);
        }
    }
    QVERIFY(RowStateDelegate::tint(RowStateDelegate::Changed, true, base)
            != RowStateDelegate::tint(RowStateDelegate::Changed, false, base));
    QVERIFY(!RowStateDelegate::tint(RowStateDelegate::None, false, base).isValid());
}

void TestMainWindow::selectingEntityFiltersRoutes()
{
    Fixture f;
    QTRY_COMPARE(f.window->tablesPage()->routesSection()->proxy()->rowCount(), kRoutes);
    // Two bird routes, then the registrations of bird and static (as the platform sends them).
    f.source.upsert(routeRow("172.20.1.0", 24, "192.168.1.1", 2, 10, 12 /* bird */));
    f.source.upsert(routeRow("172.20.2.0", 24, "192.168.1.1", 2, 10, 12));
    f.source.deliver({markerRecord(ObjectKind::Entity, ChangeKind::Registered, platform::nowUs(), entity(12)),
                      markerRecord(ObjectKind::Entity, ChangeKind::Initial, platform::nowUs(), entity(4))});
    TableSection *entities = f.window->tablesPage()->entitiesSection();
    TableSection *routes = f.window->tablesPage()->routesSection();
    QTRY_COMPARE(entities->proxy()->rowCount(), 2);
    QTRY_COMPARE(routes->proxy()->rowCount(), kRoutes + 2);
    QCOMPARE(f.window->tablesPage()->tabs()->indexOf(entities), f.window->tablesPage()->tabs()->indexOf(routes) + 1);

    int birdRow = -1;
    for (int r = 0; r < entities->proxy()->rowCount(); ++r) {
        if (entities->proxy()->index(r, EntityTableModel::Protocol).data().toString() == QStringLiteral("bird"))
            birdRow = r;
    }
    QVERIFY(birdRow >= 0);
    QCOMPARE(entities->proxy()->index(birdRow, EntityTableModel::Routes).data().toString(), QStringLiteral("2"));
    f.window->tablesPage()->tabs()->setCurrentWidget(entities);
    entities->view()->selectRow(birdRow);
    QCOMPARE(routes->proxy()->rowCount(), 2);
    for (int r = 0; r < 2; ++r)
        QCOMPARE(routes->proxy()->index(r, RouteTableModel::Protocol).data().toString(), QStringLiteral("bird"));
    QVERIFY(routes->conditionText().contains(QStringLiteral("bird")));
    // Live: a third bird route shows up in the filtered table and in the count.
    f.source.upsert(routeRow("172.20.3.0", 24, "192.168.1.1", 2, 10, 12));
    QTRY_COMPARE(routes->proxy()->rowCount(), 3);
    QTRY_COMPARE(entities->proxy()->index(birdRow, EntityTableModel::Routes).data().toString(), QStringLiteral("3"));

    // Double click goes to the Routes tab.
    f.window->tablesPage()->tabs()->setCurrentWidget(entities);
    QTRY_VERIFY(entities->view()->isVisible());
    QTest::qWait(50); // layout of the newly shown tab
    const QRect cell = entities->view()->visualRect(entities->viewIndex(entities->proxy()->index(birdRow, 0)));
    QVERIFY2(cell.isValid() && entities->view()->viewport()->rect().contains(cell.center()), "cell not shown");
    QSignalSpy doubleClicked(entities->view(), &QAbstractItemView::doubleClicked);
    QTest::mouseClick(entities->view()->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(entities->view()->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(doubleClicked.count(), 1);
    QCOMPARE(f.window->tablesPage()->tabs()->currentWidget(), routes);

    // Clearing the selection clears the filter.
    entities->view()->selectionModel()->clearSelection();
    QCOMPARE(routes->proxy()->rowCount(), kRoutes + 3);
    QVERIFY(routes->conditionText().isEmpty());
    QVERIFY(!f.window->tablesPage()->routesProxy()->hasRequiredValue());

    // The condition's "Show all" button clears the selection too.
    entities->view()->selectRow(birdRow);
    QCOMPARE(routes->proxy()->rowCount(), 3);
    auto *showAll = routes->findChild<QToolButton *>(QStringLiteral("routesClearCondition"));
    QVERIFY(showAll);
    QVERIFY(showAll->isVisible());
    showAll->click();
    QVERIFY(!entities->view()->selectionModel()->hasSelection());
    QCOMPARE(routes->proxy()->rowCount(), kRoutes + 3);

    // The selected entity deregisters: its row goes, and so does the filter.
    entities->view()->selectRow(birdRow);
    QCOMPARE(routes->proxy()->rowCount(), 3);
    f.source.deliver({markerRecord(ObjectKind::Entity, ChangeKind::Deregistered, platform::nowUs(), {}, entity(12))});
    QTRY_COMPARE(entities->proxy()->rowCount(), 1); // removed by the sweep after ~1 s
    QVERIFY(!f.window->tablesPage()->routesProxy()->hasRequiredValue());
    QVERIFY(!entities->view()->selectionModel()->hasSelection());
    QVERIFY(routes->conditionText().isEmpty());
    QCOMPARE(routes->proxy()->rowCount(), kRoutes + 3);
}

void TestMainWindow::gapDrawsBandAndCountsResync()
{
    Fixture f;
    QTRY_VERIFY(f.model.isSnapshotComplete());
    QVERIFY(f.window->resyncLabel()->text().contains(QStringLiteral("Resyncs: 0")));
    const std::int64_t t = platform::nowUs();
    ChangeRecord gap = markerRecord(ObjectKind::Gap, ChangeKind::Gap, t);
    gap.note = "ENOBUFS: events lost";
    f.source.deliver({gap});
    QTRY_COMPARE(f.model.gapCount(), 1);
    f.window->updateStatus();
    QVERIFY2(f.window->resyncLabel()->text().contains(QStringLiteral("Resyncs: 1")),
             qPrintable(f.window->resyncLabel()->text()));

    // The band: an area whose outline rises at or before the gap and falls at or after it.
    TimelineChartView *chart = f.window->timelineView();
    auto *legend = f.window->findChild<QLabel *>(QStringLiteral("timelineLegend"));
    QVERIFY(legend);
    // Every kind drawn is named in the title row's legend, the gap entry only with a band.
    for (const char *kind : {"interfaces", "addresses", "routes", "neighbors", "rules", "nexthops"})
        QVERIFY2(legend->text().contains(QLatin1String(kind)), qPrintable(legend->text()));
    chart->refreshNow();
    QAreaSeries *bands = chart->gapBands();
    QVERIFY(bands->isVisible());
    QVERIFY2(legend->text().contains(QStringLiteral("gap (events lost)")), qPrintable(legend->text()));
    const QList<QPointF> outline = bands->upperSeries()->points();
    QCOMPARE(outline.size() % 4, 0);
    QVERIFY(!outline.isEmpty());
    const double tMs = double(t) / 1000.0;
    bool covered = false;
    for (qsizetype i = 0; i + 3 < outline.size(); i += 4) {
        QCOMPARE(outline.at(i).y(), 0.0);
        QVERIFY(outline.at(i + 1).y() > 0);
        if (outline.at(i).x() <= tMs && outline.at(i + 3).x() >= tMs)
            covered = true;
    }
    QVERIFY2(covered, "no band covers the gap time");
    // Visible when zoomed far out: at least GapBandMinPx wide on screen.
    chart->zoomTo(t - 3'600'000'000LL, t + 3'600'000'000LL);
    const QList<QPointF> wide = bands->upperSeries()->points();
    QVERIFY(wide.size() >= 4);
    const double pxPerMs = chart->chart()->plotArea().width() / 7'200'000.0;
    QVERIFY((wide.at(3).x() - wide.at(0).x()) * pxPerMs >= TimelineChartView::GapBandMinPx - 0.5);
    // Out of range: no band.
    chart->zoomTo(t - 7'200'000'000LL, t - 3'600'000'000LL);
    QVERIFY(bands->upperSeries()->points().isEmpty());
    QVERIFY(!bands->isVisible());
    QVERIFY2(!legend->text().contains(QStringLiteral("gap")), qPrintable(legend->text()));
    QVERIFY(legend->text().contains(QStringLiteral("rules")));

    // The event log row is styled as a gap (bold on a red tint).
    // The log holds an applied record from the next publication on (gapCount() counts it
    // when it is applied): a turn of the event loop later, or more on a busy machine.
    TableSection *events = f.window->eventPane()->eventsSection();
    int row = -1;
    QTRY_VERIFY((row = eventRow(events, QStringLiteral("gap"))) >= 0);
    DelegateProbe probe(f.model.history());
    QStyleOptionViewItem option;
    option.widget = events->view();
    probe.initStyleOption(&option, events->proxy()->index(row, EventLogModel::Summary));
    QCOMPARE(probe.styleOf(events->proxy()->index(row, 0)), EventLogDelegate::Gap);
    QVERIFY(option.font.bold());
    QVERIFY(option.backgroundBrush.style() != Qt::NoBrush);
    QVERIFY(qobject_cast<EventLogDelegate *>(events->view()->itemDelegate()));

    // Details: the gap notice.
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(row, 0)));
    QVERIFY(f.window->eventPane()->detailsPanel()->noticeLabel()->isVisibleTo(f.window.get()));
    QVERIFY(f.window->eventPane()->detailsPanel()->noticeLabel()->text().contains(QStringLiteral("Gap")));
}

void TestMainWindow::expiredAndInferredEventsAreStyled()
{
    Fixture f;
    QTRY_VERIFY(f.model.isSnapshotComplete());
    RouteRow ra = routeRow("2001:db8:77::", 64, "fe80::1", 2, 1024, 9 /* ra */);
    f.source.upsert(ra);
    ChangeRecord expired = markerRecord(ObjectKind::Route, ChangeKind::Expired, platform::nowUs(), {}, ra);
    RouteRow lost = routeRow("10.1.0.0", 24, "", 4, 20, 2, 254, 253);
    ChangeRecord inferred = markerRecord(ObjectKind::Route, ChangeKind::Delete, platform::nowUs(), {}, lost);
    inferred.origin = platform::Origin::Inferred;
    f.source.deliver({expired, inferred});
    TableSection *events = f.window->eventPane()->eventsSection();
    QTRY_VERIFY(eventRow(events, QStringLiteral("expired")) >= 0);
    QTRY_VERIFY(eventRow(events, QStringLiteral("delete")) >= 0);

    DelegateProbe probe(f.model.history());
    const QColor base = events->view()->palette().color(QPalette::Base);
    // expired: its own colour, different from the gap's and from a plain row.
    const int expiredRow = eventRow(events, QStringLiteral("expired"));
    QStyleOptionViewItem option;
    option.widget = events->view();
    probe.initStyleOption(&option, events->proxy()->index(expiredRow, EventLogModel::Change));
    QCOMPARE(probe.styleOf(events->proxy()->index(expiredRow, 0)), EventLogDelegate::Expired);
    QVERIFY(option.backgroundBrush.style() != Qt::NoBrush);
    const QColor expiredTint = option.backgroundBrush.color();
    QVERIFY(expiredTint != EventLogDelegate::tint(EventLogDelegate::Gap, base));
    QVERIFY(!option.font.italic());
    // Both routes left the table (expired is marked deleted like a delete).
    QTRY_COMPARE(f.model.routes()->liveRowCount(), kRoutes - 1);

    // inferred: italic, and the Change cell says so.
    const int inferredRow = eventRow(events, QStringLiteral("delete"));
    QStyleOptionViewItem inferredOption;
    inferredOption.widget = events->view();
    probe.initStyleOption(&inferredOption, events->proxy()->index(inferredRow, EventLogModel::Change));
    QVERIFY(inferredOption.font.italic());
    QCOMPARE(inferredOption.text, QStringLiteral("delete · inferred"));
    // ... and the column leaves room for it (not elided).
    QVERIFY(QFontMetrics(inferredOption.font).horizontalAdvance(inferredOption.text)
            < events->view()->horizontalHeader()->sectionSize(EventLogModel::Change));
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(inferredRow, 0)));
    QVERIFY(f.window->eventPane()->detailsPanel()->noticeLabel()->isVisibleTo(f.window.get()));
    QVERIFY(f.window->eventPane()->detailsPanel()->noticeLabel()->text().contains(QStringLiteral("Inferred")));
    // A plain observed event: no notice, no style.
    const int initialRow = eventRow(events, QStringLiteral("initial"));
    events->view()->setCurrentIndex(events->viewIndex(events->proxy()->index(initialRow, 0)));
    QVERIFY(!f.window->eventPane()->detailsPanel()->noticeLabel()->isVisibleTo(f.window.get()));
    QCOMPARE(probe.styleOf(events->proxy()->index(initialRow, 0)), EventLogDelegate::Plain);
}

void TestMainWindow::routeExpiryCountsDown()
{
    Fixture f;
    QTRY_VERIFY(f.model.isSnapshotComplete());
    RouteRow r = routeRow("2001:db8:99::", 64, "fe80::1", 2, 1024, 9);
    r.expiresUs = platform::nowUs() + 30'000'000;
    f.source.upsert(r);
    RouteTableModel *routes = f.model.routes();
    QTRY_VERIFY(routes->indexOf(r) >= 0);
    const QModelIndex cell = routes->index(routes->indexOf(r), RouteTableModel::Expires);
    QCOMPARE(routes->headerData(RouteTableModel::Expires, Qt::Horizontal).toString(), QStringLiteral("Expires"));
    // The seconds left when read, rounded up, however long the table took to show the route.
    const auto secondsLeft = [&r](qint64 nowUs) { return (r.expiresUs - nowUs + 999'999) / 1'000'000; };
    const qint64 readFrom = platform::nowUs();
    const qint64 first = cell.data(SortRole).toLongLong();
    const qint64 readTo = platform::nowUs();
    QVERIFY2(first >= secondsLeft(readTo) && first <= secondsLeft(readFrom) && first <= 30,
             qPrintable(cell.data().toString()));
    const QString text = cell.data().toString(); // read later: a second may have ended meanwhile
    QVERIFY2(text == QStringLiteral("%1s").arg(first) || text == QStringLiteral("%1s").arg(first - 1),
             qPrintable(text));
    // A route without expiry: empty, sorted last.
    const QModelIndex never = routes->index(0, RouteTableModel::Expires);
    if (routes->rowAt(0).expiresUs == 0) {
        QVERIFY(never.data().toString().isEmpty());
        QVERIFY(never.data(SortRole).toLongLong() > first);
    }
    // Counts down: once a second a dataChanged over the Expires cell of this route (the
    // only one with an expiry), not over the whole column; no per-row timer.
    QSignalSpy changed(routes, &QAbstractItemModel::dataChanged);
    const auto columnSignal = [&] {
        for (const auto &args : std::as_const(changed)) {
            const QModelIndex tl = args.at(0).toModelIndex();
            const QModelIndex br = args.at(1).toModelIndex();
            if (tl.column() == RouteTableModel::Expires && br.column() == RouteTableModel::Expires
                && tl.row() == cell.row() && br.row() == cell.row())
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(columnSignal(), 2500);
    QTRY_VERIFY_WITH_TIMEOUT(cell.data(SortRole).toLongLong() < first, 2500);
}

void TestMainWindow::diagnosticsShowsStatsAndWarnsWhenClamped()
{
    StatsSource source;
    populate(source.manual);
    source.counters.requestedReceiveBuffer = 8 * 1024 * 1024;
    source.counters.effectiveReceiveBuffer = 425984; // 2 x rmem_max 212992
    source.counters.receiveBufferForced = false;
    source.counters.messages = 1234;
    source.counters.records = 1200;
    source.counters.batches = 40;
    source.counters.gaps = 2;
    source.counters.resyncs = 2;
    source.counters.dumpRestarts = 1;
    source.counters.decodeErrors = 3;
    NotificationModel model(&source);
    MainWindow window(&model);
    QString error;
    QVERIFY(model.start(platform::afUnspec(), true, &error));
    window.show();
    QTRY_VERIFY(model.isSnapshotComplete());

    QVERIFY(!window.diagnosticsDialog());
    window.diagnosticsAction()->trigger();
    DiagnosticsDialog *dialog = window.diagnosticsDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->valueText(QStringLiteral("source")), QStringLiteral("stats-test"));
    QVERIFY(dialog->valueText(QStringLiteral("messages")).remove(QRegularExpression(QStringLiteral("\\D")))
            == QStringLiteral("1234"));
    QCOMPARE(dialog->valueText(QStringLiteral("gaps")), QStringLiteral("2"));
    QCOMPARE(dialog->valueText(QStringLiteral("dumpRestarts")), QStringLiteral("1"));
    QCOMPARE(dialog->valueText(QStringLiteral("decodeErrors")), QStringLiteral("3"));
    QVERIFY(dialog->valueText(QStringLiteral("bufferMode")).contains(QStringLiteral("clamped")));
    QVERIFY2(dialog->warningText().contains(QStringLiteral("WARNING")), qPrintable(dialog->warningText()));
    QVERIFY(dialog->valueText(QStringLiteral("batchSize")).contains(QStringLiteral("records")));
    QVERIFY(dialog->valueText(QStringLiteral("applyTime")).endsWith(QStringLiteral("ms")));
    QVERIFY(model.applyStats().batches >= 1);
    QVERIFY(model.applyStats().maxRecords >= model.applyStats().lastRecords);
#ifdef Q_OS_LINUX
    QVERIFY(!dialog->valueText(QStringLiteral("rmemMax")).isEmpty());
    QVERIFY(dialog->valueText(QStringLiteral("rmemMax")) != QStringLiteral("not available"));
#endif

    // Not forced but granted in full (the kernel doubles: 2 x requested): no warning.
    source.counters.effectiveReceiveBuffer = 2 * source.counters.requestedReceiveBuffer;
    dialog->refresh();
    QVERIFY2(dialog->warningText().isEmpty(), qPrintable(dialog->warningText()));
    QVERIFY(!dialog->valueText(QStringLiteral("bufferMode")).contains(QStringLiteral("clamped")));
    // Not forced and read back equal to the request: rmem_max was half of it, clamped.
    source.counters.effectiveReceiveBuffer = source.counters.requestedReceiveBuffer;
    dialog->refresh();
    QVERIFY(dialog->warningText().contains(QStringLiteral("WARNING")));

    // Forced and as large as requested: no warning, refreshed within a second.
    source.counters.receiveBufferForced = true;
    source.counters.effectiveReceiveBuffer = 16 * 1024 * 1024;
    source.counters.messages = 5000;
    QTRY_VERIFY_WITH_TIMEOUT(dialog->warningText().isEmpty(), 2500);
    QVERIFY(dialog->valueText(QStringLiteral("bufferMode")).contains(QStringLiteral("SO_RCVBUFFORCE")));
    QVERIFY(dialog->valueText(QStringLiteral("messages")).remove(QRegularExpression(QStringLiteral("\\D")))
            == QStringLiteral("5000"));

    // A source without counters says so.
    Fixture f;
    QTRY_VERIFY(f.model.isSnapshotComplete());
    f.window->showDiagnostics();
    QVERIFY(
        f.window->diagnosticsDialog()->valueText(QStringLiteral("requestedBuffer")).contains(QStringLiteral("not")));
    QVERIFY(f.window->diagnosticsDialog()->warningText().isEmpty());
    model.stop();
}

namespace {

/// The banner's time text: "2026-11-21 03:12:07.123456 UTC".
QString utcText(qint64 us)
{
    return QDateTime::fromSecsSinceEpoch(us / 1'000'000, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
        + QStringLiteral(".%1 UTC").arg(us % 1'000'000, 6, 10, QLatin1Char('0'));
}

QStringList routeDestinations(MainWindow *w)
{
    QAbstractProxyModel *proxy = w->tablesPage()->routesSection()->proxy();
    QStringList out = columnTexts(proxy, columnOf(proxy, QStringLiteral("Destination")));
    out.sort();
    return out;
}

/// The timeline's count of kind within a second of aroundUs.
qint64 sumSeries(const TimelineBins *bins, ObjectKind kind, qint64 aroundUs)
{
    qint64 n = 0;
    for (const QPointF &p : bins->series(kind, aroundUs - 1'000'000, aroundUs + 1'000'000, 20))
        n += qint64(p.y());
    return n;
}

/// Clicks the timeline at time us (pixel resolution: a few ms at this width).
void clickTimeline(MainWindow *w, qint64 us)
{
    TimelineChartView *chart = w->timelineView();
    const QPoint at(int(std::lround(chart->xAtTime(us))), chart->viewport()->height() / 2);
    QTest::mouseClick(chart->viewport(), Qt::LeftButton, {}, at);
}

/// The recording at path in its window, 1280 x 860, shown and exposed, its timeline drawn (so
/// that clickTimeline() finds its times); nullptr and why in *error when it does not open or
/// is not exposed.
std::unique_ptr<MainWindow> openOnTimeline(const QString &path, QString *error)
{
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, error));
    if (!w)
        return nullptr;
    w->resize(1280, 860);
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) {
        *error = QStringLiteral("the window was not exposed");
        return nullptr;
    }
    w->timelineView()->refreshNow();
    return w;
}

} // namespace

QString TestMainWindow::writeRecording(TestRecording *rec)
{
    if (!m_recordingDir.isValid())
        return QString();
    const QString path = m_recordingDir.filePath(QStringLiteral("rec-%1.ncv").arg(++m_recordings));
    QString error;
    if (!writeTestRecording(path, rec, &error)) {
        qWarning("cannot write the test recording: %s", qPrintable(error));
        return QString();
    }
    return path;
}

// Files other tools wrote, converted into a recording on opening (the readers' seeds).
void TestMainWindow::otherToolsFilesOpen_data()
{
    QTest::addColumn<QString>("file"); // in tests/fuzz/corpus
    QTest::addColumn<QString>("title");
    QTest::addColumn<bool>("incomplete"); // the note that the first state is incomplete
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("interfaces"); // at the end
    QTest::addColumn<bool>("routes"); // known at the end
    // rtmon dumps links only: the tables before the first event lack addresses and routes.
    // End: v0 and v1 deleted, so only lo is left, and no address or route is known.
    QTest::newRow("rtmon") << QStringLiteral("rtmonreader/scenario.rtmon")
                           << QStringLiteral("scenario.rtmon (rtmon file)") << true << QStringLiteral("not shown:") << 1
                           << false;
    // Made by tst_pcapreader (see tst_headlessrecording's kCaptureFixture): it begins with
    // dumps of links, addresses and routes. End: ncvend / ncvend1 and lo with its routes.
    QTest::newRow("nlmon pcapng") << QStringLiteral("pcapreader/scenario.pcapng")
                                  << QStringLiteral("scenario.pcapng (nlmon capture)") << false
                                  << QStringLiteral("requests not applied") << 3 << true;
}

void TestMainWindow::otherToolsFilesOpen()
{
#ifndef NCV_RTMON_IMPORT
    QSKIP("this build does not read other tools' files");
#else
    QFETCH(QString, file);
    QFETCH(QString, title);
    QFETCH(bool, incomplete);
    QFETCH(QString, status);
    QFETCH(int, interfaces);
    QFETCH(bool, routes);
    const QString path = QStringLiteral(NCV_SOURCE_DIR "/tests/fuzz/corpus/") + file;
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    const QString converted = w->recordingSession()->path();
    QVERIFY(converted != path && QFileInfo::exists(converted));
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QVERIFY2(w->windowTitle().contains(title), qPrintable(w->windowTitle()));
    // What the file cannot tell stays in sight; what was not shown is counted.
    QCOMPARE(w->recordingNoteLabel() != nullptr, incomplete);
    if (incomplete) {
        QVERIFY(w->recordingNoteLabel()->isVisible());
        QVERIFY2(w->recordingNoteLabel()->text().contains(QStringLiteral("state before the first event incomplete")),
                 qPrintable(w->recordingNoteLabel()->text()));
    }
    QVERIFY2(w->statusBar()->currentMessage().contains(status), qPrintable(w->statusBar()->currentMessage()));
    QVERIFY(w->eventPane()->eventsSection()->proxy()->rowCount() > 20);
    QCOMPARE(w->tablesPage()->interfacesSection()->proxy()->rowCount(), interfaces);
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount() > 0, routes);
    w.reset();
    QVERIFY2(!QFileInfo::exists(converted), "the converted recording is removed with its window");
#endif
}

void TestMainWindow::recordingOpensAtTheEnd()
{
    TestRecording rec;
    const QString path = writeRecording(&rec);
    QVERIFY(!path.isEmpty());
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QVERIFY2(w->windowTitle().contains(QFileInfo(path).fileName()), qPrintable(w->windowTitle()));
    QVERIFY2(w->windowTitle().contains(QStringLiteral("testhost")), qPrintable(w->windowTitle()));
    // The tables at the end of the recording.
    QCOMPARE(w->tablesPage()->interfacesSection()->proxy()->rowCount(), 2);
    QCOMPARE(w->tablesPage()->addressesSection()->proxy()->rowCount(), 1);
    QCOMPARE(
        routeDestinations(w.get()),
        (QStringList {QStringLiteral("0.0.0.0/0"), QStringLiteral("10.10.0.0/16"), QStringLiteral("192.168.1.0/24")}));
    // The event log holds the recorded events, with their numbers; the timeline their changes.
    QCOMPARE(w->eventPane()->eventsSection()->proxy()->rowCount(), rec.events);
    QCOMPARE(w->chartBins()->total(), qint64(4));
    const qint64 end = w->recordingSession()->info().endUs;
    QCOMPARE(w->timelineView()->cursorTimeUs(), end);
    QVERIFY(w->timelineView()->fromUs() <= rec.t0 && w->timelineView()->toUs() >= end);
    QVERIFY(w->stateBanner()->isVisible());
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — the end of the recording").arg(utcText(end)));
    QVERIFY(!w->backToEndAction()->isEnabled());
    QVERIFY(!w->pauseAction()->isEnabled());
    QVERIFY(!w->familySelector()->isEnabled());
    QVERIFY2(w->stateLabel()->text().startsWith(QStringLiteral("Recording (read-only")),
             qPrintable(w->stateLabel()->text()));
    QVERIFY2(w->countsLabel()->text().contains(QStringLiteral("Routes: 3")), qPrintable(w->countsLabel()->text()));

    // More events than a history of 5 holds: the log reads all 9 from the file (the
    // status bar says so); the tables are still the end's.
    std::unique_ptr<MainWindow> limited(MainWindow::openRecordingWindow(path, nullptr, &error, 5));
    QVERIFY2(limited, qPrintable(error));
    FileEventLogModel *fileLog = limited->eventPane()->fileEventLog();
    QVERIFY(fileLog);
    QCOMPARE(limited->eventPane()->eventsSection()->proxy()->rowCount(), rec.events);
    QCOMPARE(limited->tablesPage()->routesSection()->proxy()->rowCount(), 3);
    QVERIFY2(limited->statusBar()->currentMessage().contains(QStringLiteral("reads them from the file")),
             qPrintable(limited->statusBar()->currentMessage()));
    // Its timeline is counted on a worker after the window exists: the chart says so
    // until the counts are in.
    QVERIFY(limited->recordingSession()->isCountingTimeline());
    QVERIFY2(limited->timelineView()->busyText().startsWith(QStringLiteral("Counting the events for the timeline")),
             qPrintable(limited->timelineView()->busyText()));
    QTRY_COMPARE(limited->chartBins()->total(), qint64(4));
    QTRY_VERIFY(limited->timelineView()->busyText().isEmpty());
    QVERIFY(!limited->recordingSession()->isCountingTimeline());
    QTest::qWait(100); // a progress report queued before the end must not bring the text back
    QVERIFY(limited->timelineView()->busyText().isEmpty());
    // The chart's whole-recording range starts at the first event (older than the
    // recorder's start in a converted file).
    QVERIFY(limited->timelineView()->fromUs() <= rec.t0);
    // The log's current row follows the time cursor: the newest event at or before t1.
    QTableView *log = limited->eventPane()->eventsSection()->view();
    QVERIFY(limited->setTimeCursor(rec.t1));
    QTRY_COMPARE(log->currentIndex().row(), 5);
    // The details panel shows that event, read from the file.
    const QString title = limited->eventPane()->detailsPanel()->titleLabel()->text();
    QVERIFY2(title.contains(QStringLiteral("add route")), qPrintable(title));
    // Sorting by Summary is refused: the indicator goes back to the "#" column.
    log->horizontalHeader()->setSortIndicator(EventLogModel::Summary, Qt::AscendingOrder);
    QCOMPARE(log->horizontalHeader()->sortIndicatorSection(), int(EventLogModel::Sequence));
    log->sortByColumn(EventLogModel::Sequence, Qt::DescendingOrder);
    QCOMPARE(log->model()->index(0, EventLogModel::Sequence).data().toString(), QString::number(rec.events));
    // The filter line scans the file.
    limited->eventPane()->eventsSection()->filterEdit()->setText(QStringLiteral("10.9.0.0"));
    limited->eventPane()->eventsSection()->applyFilterNow();
    fileLog->waitForFilter();
    QCOMPARE(log->model()->rowCount(), 2); // added at t1, deleted at t3
}

namespace {

/// A CSV export of n route additions (and one interface first), as csv::write makes them.
QByteArray generatedCsv(int n)
{
    QByteArray csv = csv::header();
    csv += "1,2026-11-21T11:00:00.000000Z,interface,initial,unspec,2,eth0,,,,,,,\"ether up mtu 1500\",observed\r\n";
    QByteArray line;
    for (int i = 0; i < n; ++i) {
        line
            = QByteArrayLiteral("%1,2026-11-21T11:%2:%3.%4Z,route,add,ipv4,2,eth0,10.%5.%6.0/24,192.0.2.1,0,boot,main,,"
                                "via 192.0.2.1 dev 2 proto boot,observed\r\n");
        const qint64 us = qint64(i) * 1000 + 1;
        csv += line.replace("%1", QByteArray::number(i + 2))
                   .replace("%2", QByteArray::number(us / 60'000'000 % 60).rightJustified(2, '0'))
                   .replace("%3", QByteArray::number(us / 1'000'000 % 60).rightJustified(2, '0'))
                   .replace("%4", QByteArray::number(us % 1'000'000).rightJustified(6, '0'))
                   .replace("%5", QByteArray::number(i / 256 % 256))
                   .replace("%6", QByteArray::number(i % 256));
    }
    return csv;
}

/// Files an import may leave in the temporary directory.
QStringList importLeftovers()
{
    return QDir::temp().entryList({QStringLiteral("netchangeview-import-*")}, QDir::Files | QDir::Hidden);
}

/// A temporary directory of this test's own (TMPDIR, which QDir::tempPath() reads), so that
/// the imports of tests running beside it are not counted.
struct PrivateTempDir {
    QTemporaryDir dir;
    QByteArray saved = qgetenv("TMPDIR");
    PrivateTempDir() { qputenv("TMPDIR", QFile::encodeName(dir.path())); }
    ~PrivateTempDir()
    {
        if (saved.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", saved);
    }
};

} // namespace

QString TestMainWindow::writeCsv(const QString &pattern, int rows)
{
    const QString path = m_recordingDir.filePath(pattern.arg(++m_recordings));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(generatedCsv(rows)) < 0)
        return QString();
    return path;
}

void TestMainWindow::csvImportSavesAsARecordingThatReopens()
{
    PrivateTempDir temp;
    QCOMPARE(QDir::tempPath(), temp.dir.path());
    // Recognised by its first line, whatever its name.
    const QString path = writeCsv(QStringLiteral("export-%1.txt"), 50);
    QVERIFY(!path.isEmpty());
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    w->show();
    const QString converted = w->recordingSession()->path(); // the import, not the file itself
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QVERIFY(converted != path && QFileInfo::exists(converted));
    QVERIFY2(w->windowTitle().contains(QFileInfo(path).fileName() + QStringLiteral(" (CSV file)")),
             qPrintable(w->windowTitle()));
    QVERIFY(w->recordingNoteLabel());
    QVERIFY2(w->recordingNoteLabel()->text().contains(QStringLiteral("from a CSV export")),
             qPrintable(w->recordingNoteLabel()->text()));
    QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("imported 51 events")),
             qPrintable(w->statusBar()->currentMessage()));
    QCOMPARE(w->eventPane()->eventsSection()->proxy()->rowCount(), 51);
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 50);
    QCOMPARE(w->tablesPage()->interfacesSection()->proxy()->rowCount(), 1);

    // File > Save Recording As keeps the import.
    QVERIFY(w->saveRecordingAction()->isEnabled());
    const QString copy = m_recordingDir.filePath(QStringLiteral("kept-%1.ncv").arg(m_recordings));
    QSignalSpy saved(w.get(), &MainWindow::recordingSaved);
    QVERIFY(w->startSaveRecording(copy));
    QTRY_COMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(1).toString(), QString());
    QVERIFY(w->saveRecordingAction()->isEnabled());
    w.reset();
    QVERIFY2(!QFileInfo::exists(converted), "the converted recording is removed with its window");
    QVERIFY(importLeftovers().isEmpty());

    // The copy reopens as a recording (no import this time), with the same note and events.
    std::unique_ptr<MainWindow> again(MainWindow::openRecordingWindow(copy, nullptr, &error));
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->recordingSession()->path(), copy);
    QVERIFY(!again->saveRecordingAction()->isEnabled()); // not an import: nothing to keep
    again->show();
    QVERIFY(QTest::qWaitForWindowExposed(again.get()));
    QVERIFY(again->recordingNoteLabel());
    QVERIFY(again->recordingNoteLabel()->text().contains(QStringLiteral("from a CSV export")));
    QVERIFY2(again->windowTitle().contains(QStringLiteral("(CSV file)")), qPrintable(again->windowTitle()));
    QCOMPARE(again->eventPane()->eventsSection()->proxy()->rowCount(), 51);
    QCOMPARE(again->tablesPage()->routesSection()->proxy()->rowCount(), 50);
    again.reset();
    QVERIFY(QFileInfo::exists(copy));
}

void TestMainWindow::importCancelledMidwayLeavesNothing()
{
    PrivateTempDir temp;
    QCOMPARE(QDir::tempPath(), temp.dir.path());
    const QString path = writeCsv(QStringLiteral("big-%1.csv"), 600'000);
    QVERIFY(!path.isEmpty());
    QWidget parent;
    parent.resize(400, 300);
    parent.show();
    QVERIFY(QTest::qWaitForWindowExposed(&parent));
    // The GUI thread goes on: a timer ticks while the file is read, and Cancel is pressed
    // once the progress window shows part of the file read.
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(20);
    int shownValue = -1;
    QString shownLabel;
    QTimer watcher;
    connect(&watcher, &QTimer::timeout, this, [&] {
        auto *dialog = parent.findChild<QProgressDialog *>(QStringLiteral("importProgressDialog"));
        if (!dialog || !dialog->isVisible() || dialog->value() <= 0 || shownValue >= 0)
            return;
        shownValue = dialog->value();
        shownLabel = dialog->labelText();
        auto *cancel = dialog->findChild<QPushButton *>();
        QVERIFY(cancel);
        QCOMPARE(cancel->text(), QStringLiteral("Cancel"));
        QTest::mouseClick(cancel, Qt::LeftButton);
    });
    watcher.start(10);
    QElapsedTimer clock;
    clock.start();
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, &parent, &error));
    const qint64 tookMs = clock.elapsed();
    watcher.stop();
    ticker.stop();
    QVERIFY2(!w, qPrintable(QStringLiteral("opened after %1 ms; progress seen: %2").arg(tookMs).arg(shownValue)));
    QVERIFY2(error.contains(QStringLiteral("cancelled")), qPrintable(error));
    QVERIFY2(shownValue > 0 && shownValue < 1000, qPrintable(QString::number(shownValue)));
    QVERIFY2(shownLabel.contains(QStringLiteral(" read")), qPrintable(shownLabel));
    QVERIFY2(ticks >= tookMs / 20 / 4, qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(tookMs)));
    QCOMPARE(importLeftovers(), QStringList());
    // The parent is usable again: no modal dialog left over it.
    QVERIFY(!QApplication::activeModalWidget());
    QVERIFY(parent.isEnabled());
    const QString small = writeCsv(QStringLiteral("small-%1.csv"), 10);
    QVERIFY(!small.isEmpty());
    std::unique_ptr<MainWindow> opened(MainWindow::openRecordingWindow(small, &parent, &error));
    QVERIFY2(opened, qPrintable(error));
}

void TestMainWindow::openDialogFilterIsRemembered()
{
    const QStringList filters = MainWindow::openFileFilters();
    QCOMPARE(filters.size(), 2);
    for (const char *pattern : {"*.ncv", "*.rtmon", "*.csv", "*.pcap", "*.pcapng"})
        QVERIFY2(filters.constFirst().contains(QLatin1StringView(pattern)), pattern);
    QCOMPARE(filters.constLast(), QStringLiteral("All files (*)"));

    const QString small = writeCsv(QStringLiteral("picked-%1.data"), 3);
    QVERIFY(!small.isEmpty());
    TestRecording rec;
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(writeRecording(&rec), nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    // File > Open: the dialog starts on "All supported files"; "All files" is picked with a
    // file whose name says nothing (its content says CSV), and the next dialog starts there.
    QStringList seenFilters;
    const auto pick = [&](const QString &filter, const QString &file) {
        QTimer::singleShot(0, this, [&seenFilters, filter, file] {
            auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            seenFilters << dialog->selectedNameFilter();
            if (file.isEmpty()) {
                dialog->reject();
                return;
            }
            dialog->selectNameFilter(filter);
            dialog->selectFile(file);
            static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept, as the Open button
        });
        w->openAction()->trigger();
    };
    pick(filters.constLast(), small);
    QCOMPARE(seenFilters, QStringList {filters.constFirst()});
    const auto otherWindow = [&w]() -> QWidget * {
        for (QWidget *top : QApplication::topLevelWidgets())
            if (auto *m = qobject_cast<MainWindow *>(top); m && m != w.get() && m->isVisible())
                return m;
        return nullptr;
    };
    QTRY_VERIFY(otherWindow());
    QWidget *opened = otherWindow();
    QVERIFY2(opened->windowTitle().contains(QFileInfo(small).fileName()), qPrintable(opened->windowTitle()));
    opened->close();
    pick(QString(), QString());
    QCOMPARE(seenFilters, (QStringList {filters.constFirst(), filters.constLast()}));
}

void TestMainWindow::fileLogRowsAreStyled()
{
    // A route added (observed), deleted (inferred), then a gap: the delegate reads them
    // from a log read from the file as from the history.
    const QString path = m_recordingDir.filePath(QStringLiteral("styled.ncv"));
    QString error;
    {
        recording::RecordingWriter writer;
        QVERIFY2(writer.open(path, recording::RecordingMeta(), &error), qPrintable(error));
        const qint64 t = platform::nowUs();
        ChangeRecord add;
        add.object = ObjectKind::Route;
        add.change = ChangeKind::Add;
        add.after = routeRow("10.1.0.0", 16, "", 2, 0);
        ChangeRecord del = add;
        del.change = ChangeKind::Delete;
        del.origin = platform::Origin::Inferred;
        del.before = add.after;
        del.after = {};
        ChangeRecord gap;
        gap.object = ObjectKind::Gap;
        gap.change = ChangeKind::Gap;
        gap.note = "ENOBUFS";
        std::uint64_t seq = 0;
        for (const ChangeRecord *c : {&add, &del, &gap}) {
            std::string bytes;
            eventcodec::encode(*c, bytes);
            writer.append(++seq, t, bytes, QStringLiteral("eth0"));
        }
        QVERIFY2(writer.finish(&error), qPrintable(error));
    }
    FileEventLogModel file;
    QVERIFY2(file.open(path, &error), qPrintable(error));
    QCOMPARE(file.rowCount(), 3);
    EventLogDelegate probe(&file);
    bool inferred = true;
    QCOMPARE(probe.styleOf(file.index(0, 0), &inferred), EventLogDelegate::Plain);
    QVERIFY(!inferred);
    QCOMPARE(probe.styleOf(file.index(1, EventLogModel::Change), &inferred), EventLogDelegate::Plain);
    QVERIFY(inferred);
    QCOMPARE(probe.styleOf(file.index(2, 0), &inferred), EventLogDelegate::Gap);
}

void TestMainWindow::timeCursorShowsThePast()
{
    TestRecording rec;
    const QString path = writeRecording(&rec);
    QVERIFY(!path.isEmpty());
    QString error;
    const std::unique_ptr<MainWindow> w = openOnTimeline(path, &error);
    QVERIFY2(w, qPrintable(error));

    // A click on the timeline between the first and the second added route.
    clickTimeline(w.get(), rec.t1 + 2'500'000);
    QTRY_VERIFY(!w->recordingSession()->isSeeking()); // read on a worker
    const qint64 cursor = w->timelineView()->cursorTimeUs();
    QVERIFY2(cursor > rec.t1 && cursor < rec.t2, qPrintable(QString::number(cursor - rec.t1)));
    QCOMPARE(w->recordingSession()->cursorUs(), cursor);
    QCOMPARE(
        routeDestinations(w.get()),
        (QStringList {QStringLiteral("0.0.0.0/0"), QStringLiteral("10.9.0.0/16"), QStringLiteral("192.168.1.0/24")}));
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — Back to the end (Ctrl+L)").arg(utcText(cursor)));
    QVERIFY(w->backToEndAction()->isEnabled());
    QVERIFY2(w->countsLabel()->text().contains(QStringLiteral("Routes: 3")), qPrintable(w->countsLabel()->text()));
    // The log follows the cursor: the newest event at or before it (the t1 route's add).
    QTableView *log = w->eventPane()->eventsSection()->view();
    QCOMPARE(log->currentIndex().data(EventIndexRole).toLongLong(), 5);
    QCOMPARE(w->recordingSession()->cursorUs(), cursor); // and the cursor stays where it was put
    if (const QByteArray shot = qgetenv("NCV_RECORDING_SCREENSHOT"); !shot.isEmpty()) {
        w->tablesPage()->setCurrentSection(w->tablesPage()->routesSection());
        QTest::qWait(300); // the row count under the filter line is updated 250 ms after a change
        QVERIFY(w->grab().save(QString::fromLocal8Bit(shot)));
    }

    // Next change (Alt+Right): the second route came at t2.
    QCOMPARE(w->nextChangeAction()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_Right));
    QTest::keyClick(w.get(), Qt::Key_Right, Qt::AltModifier);
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(w->recordingSession()->cursorUs(), rec.t2);
    QCOMPARE(w->timelineView()->cursorTimeUs(), rec.t2);
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 4);
    QCOMPARE(log->currentIndex().data(EventIndexRole).toLongLong(), 6);
    // Previous change (Alt+Left): back to t1.
    QTest::keyClick(w.get(), Qt::Key_Left, Qt::AltModifier);
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(w->recordingSession()->cursorUs(), rec.t1);
    QVERIFY(routeDestinations(w.get()).contains(QStringLiteral("10.9.0.0/16")));
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — Back to the end (Ctrl+L)").arg(utcText(rec.t1)));

    // Back to the end (Ctrl+L).
    QTest::keyClick(w.get(), Qt::Key_L, Qt::ControlModifier);
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QVERIFY(w->recordingSession()->isAtEnd());
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 3);
    QVERIFY(!routeDestinations(w.get()).contains(QStringLiteral("10.9.0.0/16")));
    QVERIFY(w->stateBannerText().endsWith(QStringLiteral("the end of the recording")));

    // Selecting an event in the log moves the cursor to its time: the route deleted at t3
    // is shown as it was just after its addition when its Add event (seq 6) is selected.
    QCOMPARE(log->currentIndex().data(EventIndexRole).toLongLong(), 8);
    QAbstractProxyModel *logProxy = w->eventPane()->eventsSection()->proxy();
    int row = -1;
    for (int r = 0; r < logProxy->rowCount(); ++r) {
        if (logProxy->index(r, 0).data(EventIndexRole).toLongLong() == 5)
            row = r;
    }
    QVERIFY(row >= 0);
    log->setCurrentIndex(w->eventPane()->eventsSection()->viewIndex(logProxy->index(row, 0)));
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(w->recordingSession()->cursorUs(), rec.t1);
    QVERIFY(routeDestinations(w.get()).contains(QStringLiteral("10.9.0.0/16")));
    // The history did not grow with the states shown.
    QCOMPARE(w->recordingSession()->model()->history()->size(), qint64(rec.events));
}

// A recording of two network namespaces, each with its own ifindex 2 and routes (as
// `--netns all` writes them): the log shows both (Namespace column), the tables one at a
// time, chosen in the tab bar's corner, at the cursor's moment; comparisons stay in it.
void TestMainWindow::recordingOfSeveralNamespacesShowsOneAtATime()
{
    QVERIFY(m_recordingDir.isValid());
    const QString path = m_recordingDir.filePath(QStringLiteral("namespaces.ncv"));
    const std::uint32_t blue = platform::NamespaceTable::intern({"blue", 4026532801, 0});
    const std::uint32_t red = platform::NamespaceTable::intern({"red", 4026532802, 0});
    QString error;
    qint64 t0 = 0, t1 = 0, t2 = 0;
    int events = 0;
    {
        recording::RecordingWriter writer;
        QVERIFY2(writer.open(path, testRecordingMeta(), &error), qPrintable(error));
        t0 = (nowUs() / 1'000'000 + 3) * 1'000'000;
        t1 = t0 + 5'000'000;
        t2 = t0 + 10'000'000;
        std::uint64_t seq = 0;
        const auto add = [&](std::uint32_t netns, ChangeKind change, qint64 t, const Row &row, const QString &ifName) {
            ChangeRecord c = recordOf(change, t, row);
            c.netns = netns;
            std::string bytes;
            eventcodec::encode(c, bytes);
            writer.append(++seq, t, bytes, ifName);
        };
        add(blue, ChangeKind::Initial, t0, interfaceRow(2, "veth-blue", "veth", 1500), QStringLiteral("veth-blue"));
        add(blue, ChangeKind::Initial, t0, routeRow("10.1.0.0", 24, "", 2, 0), QStringLiteral("veth-blue"));
        add(red, ChangeKind::Initial, t0, interfaceRow(2, "veth-red", "veth", 1400), QStringLiteral("veth-red"));
        add(red, ChangeKind::Initial, t0, routeRow("10.2.0.0", 24, "", 2, 0), QStringLiteral("veth-red"));
        add(red, ChangeKind::Initial, t0, routeRow("10.20.0.0", 16, "10.2.0.1", 2, 0), QStringLiteral("veth-red"));
        writer.requestKeyframe(QStringLiteral("start"));
        add(blue, ChangeKind::Add, t1, routeRow("10.11.0.0", 16, "10.1.0.1", 2, 0), QStringLiteral("veth-blue"));
        add(red, ChangeKind::Delete, t2, routeRow("10.20.0.0", 16, "10.2.0.1", 2, 0), QStringLiteral("veth-red"));
        events = int(seq);
        QVERIFY2(writer.finish(&error), qPrintable(error));
    }
    std::unique_ptr<MainWindow> w = openOnTimeline(path, &error);
    QVERIFY2(w, qPrintable(error));
    QCOMPARE(w->recordingSession()->model()->history()->size(), qint64(events));

    // The log: every event, with its namespace.
    QTableView *log = w->eventPane()->eventsSection()->view();
    QVERIFY(!log->horizontalHeader()->isSectionHidden(EventLogModel::Namespace));
    QStringList logNamespaces = columnTexts(log->model(), EventLogModel::Namespace);
    QCOMPARE(logNamespaces.count(QStringLiteral("blue")), 3);
    QCOMPARE(logNamespaces.count(QStringLiteral("red")), 4);
    // The timeline: every namespace's changes (the add at t1, the delete at t2), or one's.
    QComboBox *timelineNamespace = w->timelineNamespaceCombo();
    QVERIFY(timelineNamespace->isVisible());
    QCOMPARE(timelineNamespace->count(), 3);
    TimelineBins *bins = w->recordingSession()->model()->timeline();
    QCOMPARE(bins->total(), qint64(2));
    timelineNamespace->setCurrentIndex(timelineNamespace->findText(QStringLiteral("red")));
    QTRY_COMPARE(bins->total(), qint64(1));
    QCOMPARE(sumSeries(bins, ObjectKind::Route, t2), qint64(1));
    timelineNamespace->setCurrentIndex(0);
    QCOMPARE(bins->total(), qint64(2));

    // The tables: the first namespace at the end.
    QComboBox *combo = w->namespaceCombo();
    QVERIFY(combo);
    QVERIFY(combo->isVisible());
    QCOMPARE(combo->count(), 2);
    QCOMPARE(combo->currentText(), QStringLiteral("blue"));
    QCOMPARE(routeDestinations(w.get()), (QStringList {QStringLiteral("10.1.0.0/24"), QStringLiteral("10.11.0.0/16")}));
    QAbstractProxyModel *interfaces = w->tablesPage()->interfacesSection()->proxy();
    QCOMPARE(columnTexts(interfaces, columnOf(interfaces, QStringLiteral("Name"))),
             QStringList {QStringLiteral("veth-blue")});
    QVERIFY2(w->stateBannerText().contains(QStringLiteral("namespace blue")), qPrintable(w->stateBannerText()));

    // The other namespace, at the same moment: its own ifindex 2, its routes.
    combo->setCurrentIndex(combo->findText(QStringLiteral("red")));
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(w->recordingSession()->namespaceId(), red);
    QCOMPARE(routeDestinations(w.get()), QStringList {QStringLiteral("10.2.0.0/24")});
    QCOMPARE(columnTexts(interfaces, columnOf(interfaces, QStringLiteral("Name"))),
             QStringList {QStringLiteral("veth-red")});
    QCOMPARE(columnTexts(interfaces, columnOf(interfaces, QStringLiteral("MTU"))),
             QStringList {QStringLiteral("1400")});
    QVERIFY2(w->stateBannerText().contains(QStringLiteral("namespace red")), qPrintable(w->stateBannerText()));

    // A moment before red's deletion: red as it was then.
    clickTimeline(w.get(), t1 + 2'500'000);
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(routeDestinations(w.get()), (QStringList {QStringLiteral("10.2.0.0/24"), QStringLiteral("10.20.0.0/16")}));

    // The comparison of two moments stays in the namespace shown.
    std::vector<StateChange> changes;
    QVERIFY2(w->recordingSession()->diff(t0, t2, &changes, &error), qPrintable(error));
    QCOMPARE(changes.size(), std::size_t(1));
    QCOMPARE(changes.front().kind, StateChange::Removed);
    combo->setCurrentIndex(combo->findText(QStringLiteral("blue")));
    QTRY_VERIFY(!w->recordingSession()->isSeeking());
    QCOMPARE(routeDestinations(w.get()), (QStringList {QStringLiteral("10.1.0.0/24"), QStringLiteral("10.11.0.0/16")}));
    QVERIFY2(w->recordingSession()->diff(t0, t2, &changes, &error), qPrintable(error));
    QCOMPARE(changes.size(), std::size_t(1));
    QCOMPARE(changes.front().kind, StateChange::Added);

    // The same file with its log read from the file (more events than the history holds).
    w.reset();
    std::unique_ptr<MainWindow> fromFile(MainWindow::openRecordingWindow(path, nullptr, &error, 3));
    QVERIFY2(fromFile, qPrintable(error));
    fromFile->show();
    QVERIFY(QTest::qWaitForWindowExposed(fromFile.get()));
    QVERIFY(fromFile->recordingSession()->fileEventLog());
    QVERIFY(
        !fromFile->eventPane()->eventsSection()->view()->horizontalHeader()->isSectionHidden(EventLogModel::Namespace));
    QVERIFY(fromFile->namespaceCombo());
    QCOMPARE(routeDestinations(fromFile.get()),
             (QStringList {QStringLiteral("10.1.0.0/24"), QStringLiteral("10.11.0.0/16")}));
    fromFile->recordingSession()->waitForTimeline();
    bins = fromFile->recordingSession()->model()->timeline();
    QTRY_COMPARE(bins->total(), qint64(2));
    fromFile->timelineNamespaceCombo()->setCurrentIndex(
        fromFile->timelineNamespaceCombo()->findText(QStringLiteral("blue")));
    QTRY_COMPARE(bins->total(), qint64(1)); // counted again by a pass over the file
    QCOMPARE(sumSeries(bins, ObjectKind::Route, t1), qint64(1));
}

void TestMainWindow::theLatestSeekWinsAndCancelKeepsTheTables()
{
    TestRecording rec;
    const QString path = writeRecording(&rec);
    QVERIFY(!path.isEmpty());
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    RecordingSession *session = w->recordingSession();
    QSignalSpy shown(session, &RecordingSession::stateShown);
    const qint64 end = session->info().endUs;

    // A seek returns at once: until its result is in, the banner names the moment shown.
    QVERIFY(w->setTimeCursor(rec.t1 + 2'500'000));
    QVERIFY(session->isSeeking());
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — the end of the recording").arg(utcText(end)));
    // A second one before the first is read: only the second is shown.
    QVERIFY(w->setTimeCursor(rec.t2));
    QCOMPARE(session->seekTargetUs(), rec.t2);
    QCOMPARE(w->seekLabel()->text(), QStringLiteral("Reading the tables at %1...").arg(utcText(rec.t2)));
    QTRY_VERIFY(!session->isSeeking());
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.at(0).at(0).toLongLong(), rec.t2);
    QCOMPARE(session->cursorUs(), rec.t2);
    QCOMPARE(w->timelineView()->cursorTimeUs(), rec.t2);
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — Back to the end (Ctrl+L)").arg(utcText(rec.t2)));
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 4);
    QVERIFY(w->seekIndicator()->isHidden());

    // Cancel (the indicator's button): the tables, banner and cursor stay at t2.
    QVERIFY(w->setTimeCursor(rec.t0 - 1)); // would show the empty tables before the snapshot
    QVERIFY(session->isSeeking());
    w->seekCancelButton()->click();
    QVERIFY(!session->isSeeking());
    QVERIFY(w->seekIndicator()->isHidden());
    QVERIFY2(w->statusBar()->currentMessage().startsWith(QStringLiteral("Cancelled: the tables still show")),
             qPrintable(w->statusBar()->currentMessage()));
    QTest::qWait(200); // the cancelled worker ends meanwhile; its result must not come in
    QCOMPARE(shown.count(), 1);
    QCOMPARE(session->cursorUs(), rec.t2);
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 4);
    QCOMPARE(w->stateBannerText(), QStringLiteral("State at %1 — Back to the end (Ctrl+L)").arg(utcText(rec.t2)));

    // Esc cancels too.
    w->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(w.get()));
    QVERIFY(w->setTimeCursor(rec.t0 - 1));
    QVERIFY(w->cancelSeekAction()->isEnabled());
    QTest::keyClick(w.get(), Qt::Key_Escape);
    QVERIFY(!session->isSeeking());
    QVERIFY(!w->cancelSeekAction()->isEnabled());
    QTest::qWait(200);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(w->tablesPage()->routesSection()->proxy()->rowCount(), 4);

    // Closing the window while a seek runs stops it (the session waits for its worker).
    QVERIFY(w->setTimeCursor(rec.t1));
    w.reset();
}

void TestMainWindow::openingABrokenFileKeepsTheWindow()
{
    Fixture f;
    QTRY_COMPARE(f.window->tablesPage()->routesSection()->proxy()->rowCount(), kRoutes);
    QVERIFY(m_recordingDir.isValid());
    const QString path = m_recordingDir.filePath(QStringLiteral("broken.ncv"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("SQLite format 3", 16) + QByteArray(4000, '\x42'));
    }
    QVERIFY(!f.window->openRecording(path));
    auto *box = f.window->findChild<QMessageBox *>(QStringLiteral("openErrorBox"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("broken.ncv")), qPrintable(box->text()));
    QVERIFY2(f.window->statusBar()->currentMessage().contains(QStringLiteral("broken.ncv")),
             qPrintable(f.window->statusBar()->currentMessage()));
    box->close();
    QVERIFY(MainWindow::recentFiles().isEmpty());
    // Still the live window: a new route shows up.
    f.source.upsert(routeRow("10.77.0.0", 16, "192.168.1.1", 2, 0));
    QTRY_COMPARE(f.window->tablesPage()->routesSection()->proxy()->rowCount(), kRoutes + 1);
    QVERIFY(f.window->stateBanner()->isHidden());
    QVERIFY(f.window->pauseAction()->isEnabled());
}

void TestMainWindow::recentFilesAndDrop()
{
    Fixture f;
    TestRecording rec;
    const QString path = writeRecording(&rec);
    QVERIFY(!path.isEmpty());
    QPointer<MainWindow> opened = f.window->openRecording(path);
    QVERIFY(opened);
    QVERIFY(opened->testAttribute(Qt::WA_DeleteOnClose));
    QVERIFY(opened->isVisible());
    QCOMPARE(MainWindow::recentFiles(), QStringList {QFileInfo(path).absoluteFilePath()});
    delete opened.data();

    // A file that is gone stays in the menu, greyed; at most kMaxRecentFiles are kept.
    const QString gone = m_recordingDir.filePath(QStringLiteral("gone.ncv"));
    MainWindow::addRecentFile(gone);
    Q_EMIT f.window->recentMenu()->aboutToShow();
    QAction *goneAction = nullptr;
    QAction *thereAction = nullptr;
    for (QAction *a : f.window->recentMenu()->actions()) {
        if (a->data().toString() == gone)
            goneAction = a;
        if (a->data().toString() == QFileInfo(path).absoluteFilePath())
            thereAction = a;
    }
    QVERIFY(goneAction && thereAction);
    QVERIFY(!goneAction->isEnabled());
    QVERIFY(thereAction->isEnabled());
    for (int i = 0; i < 15; ++i)
        MainWindow::addRecentFile(m_recordingDir.filePath(QStringLiteral("more-%1.ncv").arg(i)));
    QCOMPARE(MainWindow::recentFiles().size(), MainWindow::kMaxRecentFiles);

    // Dropping the file on the window opens it in a new window.
    auto *mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(f.window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(f.window.get(), &drop);
    QVERIFY(drop.isAccepted());
    MainWindow *dropped = nullptr;
    QTRY_VERIFY([&dropped] {
        for (QWidget *top : QApplication::topLevelWidgets()) {
            auto *mw = qobject_cast<MainWindow *>(top);
            if (mw && mw->recordingSession() && mw->isVisible())
                dropped = mw;
        }
        return dropped != nullptr;
    }());
    QCOMPARE(dropped->tablesPage()->routesSection()->proxy()->rowCount(), 3);
    delete dropped;
    delete mime;
}

void TestMainWindow::rangeComparesTwoMoments()
{
    TestRecording rec;
    const QString path = writeRecording(&rec);
    QVERIFY(!path.isEmpty());
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(path, nullptr, &error));
    QVERIFY2(w, qPrintable(error));
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    QVERIFY(!w->compareRangeAction()->isEnabled());
    // A range over t1..t3 selected on the timeline (as a drag does).
    w->timelineView()->selectTimeRange(rec.t1 - 1'000'000, rec.t3 + 1'000'000);
    QVERIFY(w->compareRangeAction()->isEnabled());
    QCOMPARE(w->compareRangeAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_D));
    w->compareRangeAction()->trigger();
    StateDiffDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = w->findChild<StateDiffDialog *>()) != nullptr);
    QVERIFY(dialog->isVisible());
    // The route added at t1 and deleted at t3 is no net change.
    QTableWidget *table = dialog->table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, StateDiffDialog::Change)->text(), QStringLiteral("changed"));
    QCOMPARE(table->item(0, StateDiffDialog::Key)->text(), QStringLiteral("eth0"));
    QCOMPARE(table->item(0, StateDiffDialog::ChangedFields)->text(), QStringLiteral("mtu"));
    // A changed object's cells hold the changed fields only (the whole row did not fit: the
    // change was cut off); the whole rows are in the tool tip and the details box.
    QCOMPARE(table->item(0, StateDiffDialog::Before)->text(), QStringLiteral("mtu 1500"));
    QCOMPARE(table->item(0, StateDiffDialog::After)->text(), QStringLiteral("mtu 9000"));
    const QString tip = table->item(0, StateDiffDialog::After)->toolTip();
    QVERIFY2(tip.contains(QStringLiteral("mtu 1500 -&gt; 9000")) && tip.contains(QStringLiteral("Before: ifindex"))
                 && tip.contains(QStringLiteral("After: ifindex")),
             qPrintable(tip));
    QCOMPARE(table->currentRow(), 0);
    const QString details = dialog->detailsBox()->toPlainText();
    QVERIFY2(details.contains(QStringLiteral("\nmtu 1500 -> 9000\n"))
                 && details.contains(QStringLiteral("Before: ifindex")) && details.contains(QStringLiteral("mtu 9000")),
             qPrintable(details));
    table->setCurrentCell(1, 0);
    QVERIFY2(dialog->detailsBox()->toPlainText().contains(QStringLiteral("After: "))
                 && !dialog->detailsBox()->toPlainText().contains(QStringLiteral("Before: ")),
             qPrintable(dialog->detailsBox()->toPlainText()));
    QCOMPARE(table->item(1, StateDiffDialog::Change)->text(), QStringLiteral("added"));
    QCOMPARE(table->item(1, StateDiffDialog::Key)->text(), QStringLiteral("10.10.0.0/16"));
    QVERIFY2(dialog->summaryLabel()->text().endsWith(QStringLiteral("1 added, 0 removed, 1 changed")),
             qPrintable(dialog->summaryLabel()->text()));
    if (const QByteArray shot = qgetenv("NCV_DIFF_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(dialog->grab().save(QString::fromLocal8Bit(shot)));
    const QString csvPath = m_recordingDir.filePath(QStringLiteral("diff.csv"));
    QVERIFY2(dialog->exportCsv(csvPath, &error), qPrintable(error));
    QFile csvFile(csvPath);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csvFile.readAll().split('\n');
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines.value(2).contains(",added,route,ipv4,10.10.0.0/16,,,"), lines.value(2).constData());
    QVERIFY(!dialog->exportCsv(m_recordingDir.filePath(QStringLiteral("no-such-dir/diff.csv")), &error));
    QVERIFY2(error.contains(QStringLiteral("no-such-dir")), qPrintable(error));
}

void TestMainWindow::compareRunsOffTheGuiThread()
{
    TestRecording rec;
    QString error;
    std::unique_ptr<MainWindow> w(MainWindow::openRecordingWindow(writeRecording(&rec), nullptr, &error));
    QVERIFY2(w && w->recordingSession(), qPrintable(error));
    RecordingSession *session = w->recordingSession();
    w->show(); // the dialogs are its children
    QSignalSpy finished(session, &RecordingSession::diffFinished);
    const auto dialogs = [&w] { return w->findChildren<StateDiffDialog *>(); };
    const auto csvOf = [](const StateDiffDialog *d) { return stateDiffCsv(d->changes(), 0, 0); };

    // The comparison returns at once; its dialog opens when the worker is done, with what
    // the synchronous comparison gives.
    QVERIFY(w->showDiff(rec.t3 + 1'000'000, rec.t1 - 1'000'000));
    QVERIFY(session->isDiffing());
    QVERIFY(w->diffProgress());
    QCOMPARE(w->diffProgress()->labelText(),
             QStringLiteral("Comparing the tables at %1 and at %2...")
                 .arg(utcText(rec.t1 - 1'000'000), utcText(rec.t3 + 1'000'000)));
    QCOMPARE(dialogs().size(), 0);
    QCOMPARE(finished.count(), 0);
    QTRY_COMPARE(dialogs().size(), 1);
    QVERIFY(!session->isDiffing());
    QTRY_VERIFY(!w->diffProgress());
    std::vector<StateChange> sync;
    QVERIFY2(session->diff(rec.t1 - 1'000'000, rec.t3 + 1'000'000, &sync, &error), qPrintable(error));
    QCOMPARE(sync.size(), std::size_t(2));
    QCOMPARE(csvOf(dialogs().constFirst()), stateDiffCsv(sync, 0, 0));
    delete dialogs().constFirst();

    // The latest comparison wins: one dialog, the second range's.
    finished.clear();
    QVERIFY(w->showDiff(rec.t0, rec.t0 + 1));
    QVERIFY(w->showDiff(rec.t1 - 1'000'000, rec.t3 + 1'000'000));
    QTRY_COMPARE(dialogs().size(), 1);
    QTest::qWait(200); // a dropped result would come in meanwhile
    QCOMPARE(dialogs().size(), 1);
    QCOMPARE(csvOf(dialogs().constFirst()), stateDiffCsv(sync, 0, 0));
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.at(0).at(2).toBool(), false); // replaced
    QCOMPARE(finished.at(1).at(2).toBool(), true);
    delete dialogs().constFirst();

    // Cancel (the progress dialog's button): no dialog, the window as it was.
    QVERIFY(w->showDiff(rec.t1 - 1'000'000, rec.t3 + 1'000'000));
    QVERIFY(w->diffProgress());
    auto *cancel = w->diffProgress()->findChild<QPushButton *>();
    QVERIFY(cancel);
    cancel->click();
    QVERIFY(!session->isDiffing());
    QTest::qWait(300);
    QCOMPARE(dialogs().size(), 0);
    QCOMPARE(w->statusBar()->currentMessage(), QStringLiteral("Comparison cancelled"));
    QTRY_VERIFY(!w->diffProgress());

    // Closing the window while a comparison runs stops it (the session waits for its worker).
    QVERIFY(w->showDiff(rec.t1 - 1'000'000, rec.t3 + 1'000'000));
    w.reset();
}

void TestMainWindow::liveWindowRecordsItsHistory()
{
    const QString folder = freshLiveFolder();
    QString path;
    QList<quint64> shown;
    {
        Fixture f;
        path = f.window->liveRecordingPath();
        QVERIFY(!path.isEmpty());
        QCOMPARE(QFileInfo(path).absolutePath(), QFileInfo(folder).absoluteFilePath());
        QVERIFY2(liverecordings::isAutomaticName(QFileInfo(path).fileName()), qPrintable(path));
        QVERIFY2(QFileInfo(path).fileName().startsWith(QStringLiteral("live-20")), qPrintable(path));
        QCOMPARE(f.window->recordingLabel()->text(), QStringLiteral("Recording to ") + QFileInfo(path).fileName());
        QVERIFY(f.window->saveRecordingAction()->isEnabled());
        QCOMPARE(f.window->saveRecordingAction()->shortcut(), QKeySequence(QKeySequence::SaveAs));
        QTRY_COMPARE(f.model.history()->size(), qint64(kInterfaces + kAddresses + kRoutes));
        // Changes after the snapshot go in too.
        f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
        f.source.remove(addressRow(4, "10.1.0.1", 24));
        QTRY_COMPARE(f.model.history()->size(), qint64(kInterfaces + kAddresses + kRoutes + 2));
        // The writer commits on its own thread, at most 200 ms later: a reader sees it.
        QTRY_COMPARE(committedEvents(path), f.model.history()->size());
        shown = historySequences(f.model.history());
        QCOMPARE(f.window->liveRecording()->recordedEvents(), f.model.history()->size());
    } // closing the window closes the file
    recording::RecordingInfo info;
    const QList<quint64> recorded = recordedSequences(path, &info);
    QCOMPARE(recorded, shown);
    QVERIFY(info.cleanEnd);
    QVERIFY(info.keyframes >= 1); // the "start" keyframe
    QCOMPARE(info.meta.value(QStringLiteral("source")), QStringLiteral("manual"));
    // Nothing else in the folder: no -wal / -shm left after a clean close.
    QCOMPARE(QDir(folder).entryList(QDir::Files), QStringList {QFileInfo(path).fileName()});
}

void TestMainWindow::saveRecordingAsCopiesWhileRecording()
{
    freshLiveFolder();
    Fixture f;
    const QString live = f.window->liveRecordingPath();
    QVERIFY(!live.isEmpty());
    QTRY_COMPARE(committedEvents(live), qint64(kInterfaces + kAddresses + kRoutes));
    const QList<quint64> before = historySequences(f.model.history());
    const QString copy = m_liveDir.filePath(QStringLiteral("saved-%1.ncv").arg(m_liveFolders));
    QFile::remove(copy);
    QSignalSpy saved(f.window.get(), &MainWindow::recordingSaved);
    QVERIFY(f.window->startSaveRecording(copy));
    QVERIFY(f.window->isSavingRecording());
    QVERIFY(!f.window->startSaveRecording(copy)); // one copy at a time
    // The writer goes on meanwhile.
    f.source.upsert(routeRow("203.0.113.0", 24, "192.168.1.1", 2, 50));
    QTRY_COMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(0).toString(), copy);
    QCOMPARE(saved.at(0).at(1).toString(), QString());
    QVERIFY(f.window->statusBar()->currentMessage().contains(QStringLiteral("Saved the recording")));
    QVERIFY(!QFileInfo::exists(copy + QStringLiteral(".partial")));
    QVERIFY(!QFileInfo::exists(copy + QStringLiteral("-wal"))); // one self-contained file
    {
        // journal_mode=DELETE: the header's file format bytes (18, 19) are 1 ("legacy"), not
        // 2 (WAL), as in a recording its recorder closed.
        QFile header(copy);
        QVERIFY(header.open(QIODevice::ReadOnly));
        const QByteArray bytes = header.read(20);
        QCOMPARE(bytes.size(), 20);
        QCOMPARE(int(bytes.at(18)), 1);
        QCOMPARE(int(bytes.at(19)), 1);
    }
    // The copy opens (as `netchangeview FILE` opens it) and holds every event committed
    // before it started; the event added meanwhile may or may not be in it, nothing else.
    recording::RecordingInfo info;
    const QList<quint64> copied = recordedSequences(copy, &info);
    QVERIFY2(copied.mid(0, before.size()) == before, qPrintable(QString::number(copied.size())));
    QVERIFY(copied.size() == before.size() || copied.size() == before.size() + 1);
    QVERIFY(!info.cleanEnd); // copied from a recording that still runs
    QVERIFY(info.keyframes >= 1);
    // It says it is a copy, and when it was taken, unlike a recording whose recorder died.
    QCOMPARE(info.meta.value(QStringLiteral("saved_copy_of")), QFileInfo(live).fileName());
    const qint64 savedUs = info.meta.value(QStringLiteral("saved_time_us")).toLongLong();
    QVERIFY(savedUs >= info.endUs);
    QVERIFY(savedUs <= QDateTime::currentMSecsSinceEpoch() * 1000);
    // The window opens it, too.
    QString error;
    std::unique_ptr<MainWindow> window(MainWindow::openRecordingWindow(copy, nullptr, &error));
    QVERIFY2(window, qPrintable(error));
    const auto *state = window->findChild<QLabel *>(QStringLiteral("stateLabel"));
    QVERIFY(state);
    QVERIFY2(state->text().startsWith(
                 QStringLiteral("Recording (read-only, saved from %1 at ").arg(QFileInfo(live).fileName())),
             qPrintable(state->text()));
    QCOMPARE(window->recordingSession()->info().eventCount, qint64(copied.size()));
    QVERIFY(window->liveRecordingPath().isEmpty()); // a recording window records nothing
    QVERIFY(!window->saveRecordingAction()->isEnabled());
    // Saving again over the copy replaces it, now with the new event.
    QTRY_COMPARE(committedEvents(live), qint64(before.size() + 1));
    QVERIFY(f.window->startSaveRecording(copy));
    QTRY_COMPARE(saved.count(), 2);
    QCOMPARE(saved.at(1).at(1).toString(), QString());
    window.reset();
    QCOMPARE(recordedSequences(copy), historySequences(f.model.history()));
}

void TestMainWindow::saveRecordingErrorIsReported()
{
    freshLiveFolder();
    Fixture f;
    QVERIFY(!f.window->liveRecordingPath().isEmpty());
    QSignalSpy saved(f.window.get(), &MainWindow::recordingSaved);
    const QString bad = m_liveDir.filePath(QStringLiteral("no-such-dir/copy.ncv"));
    QVERIFY(f.window->startSaveRecording(bad));
    QTRY_COMPARE(saved.count(), 1);
    const QString error = saved.at(0).at(1).toString();
    QVERIFY2(error.contains(QStringLiteral("no-such-dir")), qPrintable(error));
    auto *box = f.window->findChild<QMessageBox *>(QStringLiteral("saveRecordingErrorBox"));
    QVERIFY(box);
    QVERIFY(box->text().contains(error));
    QVERIFY(!QFileInfo::exists(bad));
    QVERIFY(f.window->saveRecordingAction()->isEnabled()); // may try again
    // Saving over the live file itself is refused, the live file unharmed.
    saved.clear();
    QVERIFY(f.window->startSaveRecording(f.window->liveRecordingPath()));
    QTRY_COMPARE(saved.count(), 1);
    QVERIFY(!saved.at(0).at(1).toString().isEmpty());
    QTRY_COMPARE(committedEvents(f.window->liveRecordingPath()), qint64(kInterfaces + kAddresses + kRoutes));
    box->close();
}

void TestMainWindow::cleanupRemovesOldestAutomaticRecordings()
{
    const QString folder = freshLiveFolder();
    const QDateTime old = QDateTime::currentDateTimeUtc().addDays(-10);
    const auto at = [&](const QString &name) { return QDir(folder).filePath(name); };
    // Four old automatic recordings (the second with a -wal left by a crash), a file the
    // user keeps here, and the current recording: 6600 bytes, limit 3500.
    writeFile(at(QStringLiteral("live-a.ncv")), 1000, old.addSecs(4)); // newest old one
    writeFile(at(QStringLiteral("live-b.ncv")), 1000, old.addSecs(1));
    writeFile(at(QStringLiteral("live-b.ncv-wal")), 600, old.addSecs(1));
    writeFile(at(QStringLiteral("live-c.ncv")), 1000, old.addSecs(2));
    writeFile(at(QStringLiteral("live-d.ncv")), 1000, old.addSecs(3));
    writeFile(at(QStringLiteral("mine.ncv")), 1000, old); // oldest of all, not automatic
    writeFile(at(QStringLiteral("live-current.ncv")), 1000, old.addSecs(-5)); // oldest automatic
    const QStringList removed
        = liverecordings::removeOldRecordings(folder, 3500, at(QStringLiteral("live-current.ncv")));
    // Oldest first, skipping the current file: b with its -wal (5000 left), c (4000), d
    // (3000 <= 3500): stop.
    QCOMPARE(removed,
             (QStringList {at(QStringLiteral("live-b.ncv")), at(QStringLiteral("live-c.ncv")),
                           at(QStringLiteral("live-d.ncv"))}));
    QStringList left = QDir(folder).entryList(QDir::Files, QDir::Name);
    QCOMPARE(
        left,
        (QStringList {QStringLiteral("live-a.ncv"), QStringLiteral("live-current.ncv"), QStringLiteral("mine.ncv")}));
    // Under the limit nothing goes; a negative limit removes nothing.
    QVERIFY(liverecordings::removeOldRecordings(folder, 3000, QString()).isEmpty());
    QVERIFY(liverecordings::removeOldRecordings(folder, -1, QString()).isEmpty());
    // A recording whose -wal was written just now may be another window's: kept.
    writeFile(at(QStringLiteral("live-a.ncv-wal")), 10, QDateTime::currentDateTimeUtc());
    QVERIFY(liverecordings::removeOldRecordings(folder, 0, at(QStringLiteral("live-current.ncv"))).isEmpty());
    QCOMPARE(liverecordings::fileName(QDateTime(QDate(2026, 12, 2), QTime(11, 42, 3, 500), Qt::UTC)),
             QStringLiteral("live-2026-12-02T11-42-03Z.ncv"));
    QCOMPARE(liverecordings::fileName(QDateTime(QDate(2026, 12, 2), QTime(11, 42, 3), Qt::UTC), 2),
             QStringLiteral("live-2026-12-02T11-42-03Z-2.ncv"));
    QVERIFY(!liverecordings::isAutomaticName(QStringLiteral("live-x.ncv-wal")));
    QVERIFY(!liverecordings::isAutomaticName(QStringLiteral("mylive-x.ncv")));
}

void TestMainWindow::windowStartCleansUpBeyondTheLimit()
{
    const QString folder = freshLiveFolder();
    const QDateTime old = QDateTime::currentDateTimeUtc().addDays(-1);
    writeFile(QDir(folder).filePath(QStringLiteral("live-2026-01-01T00-00-00Z.ncv")), 5000, old);
    writeFile(QDir(folder).filePath(QStringLiteral("live-2026-01-02T00-00-00Z.ncv")), 5000, old.addSecs(60));
    writeFile(QDir(folder).filePath(QStringLiteral("saved.ncv")), 5000, old.addSecs(-60));
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
        .setValue(QLatin1StringView(liverecordings::kMaxTotalBytesKey), 1);
    Fixture f;
    const QString path = f.window->liveRecordingPath();
    QVERIFY(!path.isEmpty());
    // Everything automatic but the current file went; the user's file stays.
    QCOMPARE(QDir(folder).entryList({QStringLiteral("*.ncv")}, QDir::Files, QDir::Name),
             (QStringList {QFileInfo(path).fileName(), QStringLiteral("saved.ncv")}));
}

void TestMainWindow::noRecordWritesNothing()
{
    const QString folder = freshLiveFolder();
    {
        // --no-record
        platform::ManualSource source;
        populate(source);
        NotificationModel model(&source);
        MainWindow window(&model, nullptr, MainWindow::LiveRecording::Off);
        QString error;
        QVERIFY(model.start(platform::afUnspec(), true, &error));
        QTRY_VERIFY(model.isSnapshotComplete());
        QVERIFY(window.liveRecordingPath().isEmpty());
        QVERIFY(!window.liveRecording());
        QVERIFY(!window.saveRecordingAction()->isEnabled());
        QVERIFY(!window.startSaveRecording(m_liveDir.filePath(QStringLiteral("never.ncv"))));
        QVERIFY(window.recordingLabel()->text().isEmpty());
    }
    // The setting.
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
        .setValue(QLatin1StringView(liverecordings::kEnabledKey), false);
    {
        Fixture f;
        QTRY_VERIFY(f.model.isSnapshotComplete());
        QVERIFY(f.window->liveRecordingPath().isEmpty());
    }
    QVERIFY(QDir(folder).entryList(QDir::Files | QDir::Hidden).isEmpty());
    QVERIFY(!QFileInfo::exists(m_liveDir.filePath(QStringLiteral("never.ncv"))));
    // The default folder is the application's data folder (here in QStandardPaths' test
    // mode, never the user's).
    QVERIFY(QStandardPaths::isTestModeEnabled());
    QVERIFY2(liverecordings::defaultFolder().endsWith(QStringLiteral("/recordings")),
             qPrintable(liverecordings::defaultFolder()));
    QVERIFY(liverecordings::defaultFolder().contains(QStringLiteral(".qttest")));
}

// File > Open Remote Host's window: titled with the host, remembered in the recent hosts;
// ssh failing (a fake ssh: exit 255, one line on stderr) shows its one line and "(ended)".
void TestMainWindow::remoteHostWindowSaysWhenSshFails()
{
    using namespace Qt::StringLiterals;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString fake = dir.filePath(u"fake-ssh"_s);
    QFile f(fake);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#!/bin/sh\necho 'ssh: connect to host router port 2222: Connection refused' >&2\nexit 255\n");
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    qputenv("NETCHANGEVIEW_SSH", fake.toLocal8Bit());
    RemoteHost host;
    QString error;
    QVERIFY(RemoteHost::parse(u"ssh://admin@router:2222"_s, &host, &error));
    QPointer<MainWindow> window
        = MainWindow::openRemoteWindow(host, platform::afUnspec(), MainWindow::LiveRecording::Off);
    QVERIFY(window);
    QCOMPARE(window->windowTitle(), u"admin@router:2222 — NetChangeView"_s);
    QCOMPARE(RemoteHostDialog::recentHosts().value(0), u"ssh://admin@router:2222"_s);
    QSignalSpy ended(window->remoteSession(), &RemoteSession::ended);
    QVERIFY(ended.wait(20000));
    qunsetenv("NETCHANGEVIEW_SSH");
    const QString message = u"admin@router:2222 refused the connection (no ssh server on that port?): ssh: connect "
                            u"to host router port 2222: Connection refused"_s;
    QCOMPARE(ended.constFirst().constFirst().toString(), message);
    QCOMPARE(window->windowTitle(), u"admin@router:2222 (ended) — NetChangeView"_s);
    QCOMPARE(window->statusBar()->currentMessage(), u"Ended: "_s + message);
    // In full above the tables too (the status bar cuts it short).
    QCOMPARE(window->connectionBanner()->text(), u"Ended: "_s + message);
    QVERIFY(!window->connectionBanner()->isHidden());
    QCOMPARE(window->stateLabel()->text(), u"Ended"_s);
    window->close(); // deleted on close
    QTRY_VERIFY(!window);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/mainwindow.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"
#include "views/diagnosticsdialog.h"
#include "views/eventpane.h"
#include "views/tablesection.h"
#include "views/tablespage.h"
#include "views/timelinechartview.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QtConcurrent/QtConcurrentRun>

#include <climits>
#include <memory>
#include <utility>

Q_LOGGING_CATEGORY(lcViews, "ncv.views")

namespace ncv {

/// What the export worker reports (written on the worker thread, read on the GUI thread
/// after QFutureWatcher::finished()). Kept out of the future: a result reported after
/// cancel() is dropped (QFutureInterface::reportResult), yet a Cancel may come after the
/// file was written.
struct MainWindow::ExportOutcome {
    bool ok = false;
    QString error;
};

namespace {

constexpr int kExportProgressSteps = 1000;

QSettings appSettings()
{
    return QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"));
}

QString familyText(int af)
{
    if (af == platform::afInet())
        return MainWindow::tr("IPv4");
    if (af == platform::afInet6())
        return MainWindow::tr("IPv6");
    return MainWindow::tr("IPv4 + IPv6");
}

/// The desktop theme's icon, else ours from the resources (":/icons/<fallback>.svg").
QIcon themeIcon(const char *themeName, const char *fallback)
{
    return QIcon::fromTheme(QLatin1StringView(themeName),
                            QIcon(QStringLiteral(":/icons/") + QLatin1StringView(fallback) + QStringLiteral(".svg")));
}

} // namespace

MainWindow::MainWindow(NotificationModel *model, QWidget *parent)
    : QMainWindow(parent), m_model(model), m_family(platform::afUnspec())
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("NetChangeView"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    createActions();
    createLayout();
    createMenus();

    connect(m_model, &NotificationModel::snapshotComplete, this, &MainWindow::onSnapshotComplete);
    connect(m_model, &NotificationModel::runningChanged, this, &MainWindow::onRunningChanged);
    connect(m_model, &NotificationModel::errorOccurred, this, [this](const QString &message) {
        qCWarning(lcViews) << "model error:" << message;
        statusBar()->showMessage(tr("Error: %1").arg(message), 10000);
    });

    connect(&m_exportWatcher, &QFutureWatcher<void>::progressValueChanged, this, [this](int value) {
        if (m_exportProgress)
            m_exportProgress->setValue(value);
    });
    connect(&m_exportWatcher, &QFutureWatcher<void>::finished, this, &MainWindow::onExportFinished);

    m_statusTimer.setInterval(250);
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusTimer.start();

    restoreSettings();
    if (m_model->isRunning())
        m_family = m_model->addressFamily();
    syncFamilyControls();
    onRunningChanged(m_model->isRunning());
    updateStatus();
    if (m_model->isSnapshotComplete()) // the app started the model before building the window
        QTimer::singleShot(0, this, &MainWindow::onSnapshotComplete);
}

MainWindow::~MainWindow()
{
    // The worker holds its own copies; still, do not leave it writing after the window.
    m_exportWatcher.disconnect(this);
    if (m_exportWatcher.isRunning()) {
        m_exportWatcher.cancel();
        m_exportWatcher.waitForFinished();
    }
}

void MainWindow::createActions()
{
    m_exportAction = new QAction(tr("&Export Event History as CSV..."), this);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setIcon(themeIcon("document-save-as", "export"));
    m_exportAction->setToolTip(tr("Export the event history as CSV (Ctrl+E)"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportWithDialog);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_pauseAction = new QAction(tr("&Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setCheckable(true);
    // Not Space: it would fire while typing a filter.
    m_pauseAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_P), QKeySequence(Qt::Key_Pause)});
    m_pauseAction->setIcon(themeIcon("media-playback-pause", "pause"));
    m_pauseAction->setToolTip(
        tr("Pause: cancel the subscription. Resume registers again with a fresh snapshot (Ctrl+P)"));
    connect(m_pauseAction, &QAction::toggled, this, &MainWindow::setPaused);

    m_clearTimeFilterAction = new QAction(tr("&Clear Time Filter"), this);
    m_clearTimeFilterAction->setObjectName(QStringLiteral("clearTimeFilterAction"));
    m_clearTimeFilterAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_clearTimeFilterAction->setEnabled(false);
    m_clearTimeFilterAction->setIcon(themeIcon("edit-clear", "clear-filter"));

    m_followAction = new QAction(tr("&Follow Live Edge"), this);
    m_followAction->setObjectName(QStringLiteral("followAction"));
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_followAction->setToolTip(tr("Timeline follows the newest events (Ctrl+L)"));
    m_followAction->setIcon(themeIcon("go-last", "follow"));

    m_copyAction = new QAction(tr("&Copy"), this);
    m_copyAction->setObjectName(QStringLiteral("copyAction"));
    m_copyAction->setShortcut(QKeySequence::Copy);
    connect(m_copyAction, &QAction::triggered, this, &MainWindow::copySelection);

    m_findAction = new QAction(tr("&Find"), this);
    m_findAction->setObjectName(QStringLiteral("findAction"));
    m_findAction->setShortcut(QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, &MainWindow::focusFilter);

    m_aboutAction = new QAction(tr("&About NetChangeView"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_diagnosticsAction = new QAction(tr("&Diagnostics..."), this);
    m_diagnosticsAction->setObjectName(QStringLiteral("diagnosticsAction"));
    m_diagnosticsAction->setToolTip(tr("Receive buffer, drops, gaps, resyncs, event rate and batch costs"));
    connect(m_diagnosticsAction, &QAction::triggered, this, &MainWindow::showDiagnostics);

    m_familyGroup = new QActionGroup(this);
    m_familyGroup->setExclusive(true);
    for (int af : {platform::afInet(), platform::afInet6(), platform::afUnspec()}) {
        auto *action = new QAction(familyText(af), m_familyGroup);
        action->setCheckable(true);
        action->setData(af);
    }
    connect(m_familyGroup, &QActionGroup::triggered, this,
            [this](QAction *action) { setFamily(action->data().toInt()); });

    m_familyCombo = new QComboBox(this);
    m_familyCombo->setObjectName(QStringLiteral("familySelector"));
    m_familyCombo->setToolTip(tr("Address family of the subscription (AF_INET / AF_INET6 / AF_UNSPEC)"));
    for (int af : {platform::afInet(), platform::afInet6(), platform::afUnspec()})
        m_familyCombo->addItem(familyText(af), af);
    m_familyCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_familyCombo, &QComboBox::activated, this,
            [this](int index) { setFamily(m_familyCombo->itemData(index).toInt()); });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_copyAction);
    edit->addAction(m_findAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *family = view->addMenu(tr("Address &Family"));
    family->addActions(m_familyGroup->actions());
    view->addAction(m_pauseAction);
    view->addSeparator();
    view->addAction(m_followAction);
    view->addAction(m_clearTimeFilterAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_diagnosticsAction);
    help->addSeparator();
    help->addAction(m_aboutAction);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *familyLabel = new QLabel(tr("Family:"), bar);
    familyLabel->setContentsMargins(4, 0, 4, 0);
    bar->addWidget(familyLabel);
    bar->addWidget(m_familyCombo);
    bar->addSeparator();
    bar->addAction(m_pauseAction);
    bar->addAction(m_followAction);
    bar->addAction(m_clearTimeFilterAction);
    bar->addSeparator();
    bar->addAction(m_exportAction);
}

void MainWindow::createLayout()
{
    m_tables = new TablesPage(m_model, this);
    connect(m_tables, &TablesPage::currentSectionChanged, this,
            [this](TableSection *section) { m_lastSection = section; });

    m_chart = new TimelineChartView(this);
    m_chart->setTimeline(m_model->timeline()); // counts changes only, not snapshot rows
    connect(m_chart, &TimelineChartView::followLiveEdgeChanged, m_followAction, &QAction::setChecked);
    connect(m_followAction, &QAction::toggled, m_chart, &TimelineChartView::setFollowLiveEdge);

    m_eventPane = new EventPane(m_model, this);
    m_eventPane->setClearTimeFilterAction(m_clearTimeFilterAction);
    connect(m_clearTimeFilterAction, &QAction::triggered, m_eventPane, &EventPane::clearTimeFilter);
    connect(m_chart, &TimelineChartView::timeRangeSelected, m_eventPane, &EventPane::setTimeFilter);
    connect(m_eventPane, &EventPane::timeFilterChanged, m_clearTimeFilterAction, &QAction::setEnabled);

    for (TableSection *section : sections()) {
        connect(section, &TableSection::activated, this, [this, section] { m_lastSection = section; });
    }

    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_tables);
    m_mainSplitter->addWidget(m_chart);
    m_mainSplitter->addWidget(m_eventPane);
    m_mainSplitter->setStretchFactor(0, 4);
    m_mainSplitter->setStretchFactor(1, 2);
    m_mainSplitter->setStretchFactor(2, 4);
    m_mainSplitter->setChildrenCollapsible(false);
    setCentralWidget(m_mainSplitter);

    m_countsLabel = new QLabel(this);
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    m_sourceLabel = new QLabel(this);
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_resyncLabel = new QLabel(this);
    m_resyncLabel->setObjectName(QStringLiteral("resyncLabel"));
    m_resyncLabel->setToolTip(tr("Gaps: times notifications were lost (e.g. ENOBUFS). Each one is followed by a "
                                 "resync whose differences appear as inferred events."));
    statusBar()->addPermanentWidget(m_countsLabel);
    statusBar()->addPermanentWidget(m_resyncLabel);
    statusBar()->addPermanentWidget(m_sourceLabel);
    statusBar()->addPermanentWidget(m_stateLabel);

    resize(1280, 860);
}

void MainWindow::restoreSettings()
{
    QSettings s = appSettings();
    s.beginGroup(QStringLiteral("mainWindow"));
    restoreGeometry(s.value(QStringLiteral("geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("state")).toByteArray());
    m_mainSplitter->restoreState(s.value(QStringLiteral("mainSplitter")).toByteArray());
    m_eventPane->splitter()->restoreState(s.value(QStringLiteral("bottomSplitter")).toByteArray());
    for (TableSection *section : sections()) {
        if (section->restoreHeaderState(s.value(QStringLiteral("header/") + section->objectName()).toByteArray()))
            m_restoredSections.append(section);
    }
    m_tables->tabs()->setCurrentIndex(s.value(QStringLiteral("currentTab"), 0).toInt());
    const int af = s.value(QStringLiteral("family"), platform::afUnspec()).toInt();
    if (af == platform::afInet() || af == platform::afInet6() || af == platform::afUnspec())
        m_family = af;
    s.endGroup();
}

void MainWindow::saveSettings() const
{
    QSettings s = appSettings();
    s.beginGroup(QStringLiteral("mainWindow"));
    s.setValue(QStringLiteral("geometry"), saveGeometry());
    s.setValue(QStringLiteral("state"), saveState());
    s.setValue(QStringLiteral("mainSplitter"), m_mainSplitter->saveState());
    s.setValue(QStringLiteral("bottomSplitter"), m_eventPane->splitter()->saveState());
    for (TableSection *section : sections())
        s.setValue(QStringLiteral("header/") + section->objectName(), section->saveHeaderState());
    s.setValue(QStringLiteral("currentTab"), m_tables->tabs()->currentIndex());
    s.setValue(QStringLiteral("family"), m_family);
    s.endGroup();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::syncFamilyControls()
{
    const QSignalBlocker blockCombo(m_familyCombo);
    const int index = m_familyCombo->findData(m_family);
    if (index >= 0)
        m_familyCombo->setCurrentIndex(index);
    for (QAction *action : m_familyGroup->actions())
        action->setChecked(action->data().toInt() == m_family);
}

bool MainWindow::restartModel()
{
    m_model->stop();
    QString error;
    if (!m_model->start(m_family, true, &error)) {
        qCWarning(lcViews) << "cannot register:" << error;
        statusBar()->showMessage(tr("Cannot register: %1").arg(error), 15000);
        return false;
    }
    return true;
}

void MainWindow::setFamily(int addressFamily)
{
    if (addressFamily != platform::afInet() && addressFamily != platform::afInet6()
        && addressFamily != platform::afUnspec())
        return;
    const bool changed = addressFamily != m_family;
    m_family = addressFamily;
    syncFamilyControls();
    if (changed && m_model->isRunning())
        restartModel();
    updateStatus();
}

bool MainWindow::isPaused() const
{
    return !m_model->isRunning();
}

void MainWindow::setPaused(bool paused)
{
    if (paused == isPaused()) {
        onRunningChanged(m_model->isRunning());
        return;
    }
    if (paused)
        m_model->stop();
    else
        restartModel();
    onRunningChanged(m_model->isRunning());
}

void MainWindow::onRunningChanged(bool running)
{
    {
        const QSignalBlocker block(m_pauseAction);
        m_pauseAction->setChecked(!running);
    }
    m_pauseAction->setText(running ? tr("&Pause") : tr("&Resume"));
    m_pauseAction->setIcon(running ? themeIcon("media-playback-pause", "pause")
                                   : themeIcon("media-playback-start", "resume"));
    if (running && m_model->addressFamily() != m_family) {
        m_family = m_model->addressFamily();
        syncFamilyControls();
    }
    updateStatus();
}

void MainWindow::onSnapshotComplete()
{
    if (m_columnsFitted)
        return;
    m_columnsFitted = true;
    // Once, after the first snapshot, and never over widths the user saved.
    for (TableSection *section : m_tables->sections()) {
        if (!m_restoredSections.contains(section))
            section->fitColumns();
    }
    if (!m_restoredSections.contains(m_eventPane->eventsSection()))
        m_eventPane->fitColumns();
}

TimelineBins *MainWindow::chartBins() const
{
    return m_model->timeline();
}

void MainWindow::updateStatus()
{
    // Live objects, as `ip link / addr / route` list them: rows still shown struck through
    // (deleted, waiting for the sweep) are not counted.
    m_countsLabel->setText(tr("Interfaces: %1   Addresses: %2   Routes: %3   Events: %4 (%5/s)")
                               .arg(m_model->interfaces()->liveRowCount())
                               .arg(m_model->addresses()->liveRowCount())
                               .arg(m_model->routes()->liveRowCount())
                               .arg(m_model->totalEvents())
                               .arg(m_model->eventsPerSecond(), 0, 'f', 1));
    if (const qint64 dropped = m_model->history()->droppedCount(); dropped > 0)
        m_countsLabel->setText(
            m_countsLabel->text()
            + tr("   (%1 oldest dropped: history keeps %2)").arg(dropped).arg(m_model->history()->capacity()));
    const qint64 gaps = m_model->gapCount();
    m_resyncLabel->setText(tr("Resyncs: %1").arg(gaps));
    m_resyncLabel->setStyleSheet(gaps > 0 ? QStringLiteral("QLabel { color: #c0392b; font-weight: bold; }")
                                          : QString());
    m_sourceLabel->setText(tr("Source: %1").arg(m_model->sourceName()));
    m_stateLabel->setText(m_model->isRunning() ? tr("Running · %1").arg(familyText(m_model->addressFamily()))
                                               : tr("Paused"));
}

TableSection *MainWindow::currentSection() const
{
    QWidget *focus = QApplication::focusWidget();
    for (TableSection *section : sections()) {
        if (focus && section->isAncestorOf(focus))
            return section;
    }
    if (m_lastSection)
        return m_lastSection;
    return m_tables->currentSection();
}

void MainWindow::copySelection()
{
    TableSection *section = currentSection();
    if (!section)
        return;
    const QString text = section->selectedRowsAsText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

void MainWindow::focusFilter()
{
    TableSection *section = currentSection();
    if (!section)
        return;
    m_tables->setCurrentSection(section); // the event log is always shown
    section->filterEdit()->setFocus(Qt::ShortcutFocusReason);
    section->filterEdit()->selectAll();
}

bool MainWindow::startExport(const QString &path)
{
    if (isExporting())
        return false;
    // The live history keeps growing while the worker runs (the event loop keeps applying
    // batches): the worker writes an immutable snapshot of the events so far, which shares
    // the sealed chunks of the history (no copy of the events).
    const EventHistory::Snapshot snapshot = m_model->history()->snapshot();
    m_exportPath = path;
    m_exportCount = snapshot.size();
    m_exportOutcome = std::make_shared<ExportOutcome>();
    m_exportAction->setEnabled(false);

    // Not modal: the window stays usable (a modal QProgressDialog would run the event loop
    // inside each setValue()).
    m_exportProgress = new QProgressDialog(
        tr("Exporting %n event(s) to %1...", nullptr, int(std::min<qint64>(m_exportCount, INT_MAX)))
            .arg(QDir::toNativeSeparators(path)),
        tr("Cancel"), 0, kExportProgressSteps, this);
    m_exportProgress->setWindowTitle(tr("Export CSV"));
    m_exportProgress->setMinimumDuration(500);
    m_exportProgress->setAutoClose(false);
    m_exportProgress->setAutoReset(false);
    m_exportProgress->setValue(0);
    connect(m_exportProgress, &QProgressDialog::canceled, &m_exportWatcher, &QFutureWatcher<void>::cancel);

    // Worker thread (QThreadPool): touches only its copies, the promise and the outcome,
    // which the GUI thread reads after the watcher's finished().
    const std::shared_ptr<ExportOutcome> outcome = m_exportOutcome;
    m_exportWatcher.setFuture(QtConcurrent::run([snapshot, path, outcome](QPromise<void> &promise) {
        promise.setProgressRange(0, kExportProgressSteps);
        outcome->ok = csv::exportToFile(snapshot, path, &outcome->error, [&promise](qint64 done, qint64 total) {
            if (total > 0)
                promise.setProgressValue(int(done * kExportProgressSteps / total));
            return !promise.isCanceled();
        });
    }));
    return true;
}

bool MainWindow::isExporting() const
{
    return m_exportOutcome != nullptr;
}

void MainWindow::onExportFinished()
{
    const std::shared_ptr<ExportOutcome> outcome = std::exchange(m_exportOutcome, nullptr);
    if (!outcome)
        return;
    const QString path = std::exchange(m_exportPath, QString());
    const qint64 count = std::exchange(m_exportCount, 0);
    const bool cancelled = m_exportWatcher.isCanceled();
    if (m_exportProgress) {
        m_exportProgress->disconnect(&m_exportWatcher); // closing it would emit canceled()
        m_exportProgress->hide();
        m_exportProgress->deleteLater();
    }
    m_exportAction->setEnabled(true);
    const QString shownPath = QDir::toNativeSeparators(path);
    // A Cancel that came after the file was written does not undo it: the outcome decides.
    if (outcome->ok) {
        qCInfo(lcViews) << "exported" << count << "events to" << path;
        statusBar()->showMessage(
            tr("Exported %n event(s) to %1", nullptr, int(std::min<qint64>(count, INT_MAX))).arg(shownPath), 8000);
        Q_EMIT exportFinished(path, count, QString());
        return;
    }
    if (cancelled) {
        const QString message = tr("Export cancelled; %1 was not changed.").arg(shownPath);
        statusBar()->showMessage(message, 8000);
        Q_EMIT exportFinished(path, 0, message);
        return;
    }
    const QString message = outcome->error.isEmpty() ? tr("Cannot write %1.").arg(shownPath) : outcome->error;
    qCWarning(lcViews) << "export failed:" << message;
    // Not exec(): no nested event loop; the box deletes itself when closed.
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Export failed"), message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("exportErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    Q_EMIT exportFinished(path, 0, message);
}

void MainWindow::exportWithDialog()
{
    const QString suggested
        = QDir::home().filePath(QStringLiteral("netchangeview-%1.csv")
                                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"))));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Event History as CSV"), suggested,
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (!path.isEmpty())
        startExport(path);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About NetChangeView"),
                       tr("<h3>NetChangeView %1</h3>"
                          "<p>Shows this machine's network configuration (interfaces, addresses, "
                          "routes) changing live, with a timeline and an event history that "
                          "exports as CSV.</p><p>Source: %2</p>")
                           .arg(QApplication::applicationVersion(), m_model->sourceName().toHtmlEscaped()));
}

QList<TableSection *> MainWindow::sections() const
{
    return m_tables->sections() << m_eventPane->eventsSection();
}

void MainWindow::showDiagnostics()
{
    if (!m_diagnostics) {
        m_diagnostics = new DiagnosticsDialog(m_model, this);
        m_diagnostics->resize(560, 520);
    }
    m_diagnostics->show();
    m_diagnostics->raise();
    m_diagnostics->activateWindow();
}

} // namespace ncv

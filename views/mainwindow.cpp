#include "views/mainwindow.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/history/timelinebins.h"
#include "model/notificationmodel.h"
#include "model/tables/columnfilterproxy.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/tablemodelroles.h"
#include "views/detailspanel.h"
#include "views/diagnosticsdialog.h"
#include "views/eventlogdelegate.h"
#include "views/tablesection.h"
#include "views/timelinechartview.h"

#include "model/tables/addresstablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/routetablemodel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QScopeGuard>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <atomic>
#include <climits>
#include <thread>

Q_LOGGING_CATEGORY(lcViews, "ncv.views")

namespace ncv {

namespace {

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

QString clockText(qint64 us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000).toString(QStringLiteral("hh:mm:ss.zzz"));
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

MainWindow::~MainWindow() = default;

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
    connect(m_clearTimeFilterAction, &QAction::triggered, this, &MainWindow::clearTimeFilter);

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
    m_interfaces = new TableSection(QStringLiteral("interfaces"), m_model->interfaces(), nullptr, this);
    m_addresses = new TableSection(QStringLiteral("addresses"), m_model->addresses(), nullptr, this);
    m_routesProxy = new ColumnFilterProxy(this);
    m_routes = new TableSection(QStringLiteral("routes"), m_model->routes(), m_routesProxy, this);
    // When the selected entity is removed (deregistered), the view moves the current row
    // (and with it the single selection) to a neighbour: that must not silently filter the
    // routes by another protocol. Connected before the section's proxy, so this runs first.
    EntityTableModel *entityModel = m_model->entities();
    connect(entityModel, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this, entityModel](const QModelIndex &, int first, int last) {
                if (!m_routesProxy->hasRequiredValue())
                    return;
                for (int row = first; row <= last; ++row) {
                    if (entityModel->protocolText(row) == m_routesProxy->requiredValue())
                        m_selectedEntityRemoved = true;
                }
            });
    connect(entityModel, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_selectedEntityRemoved)
            return;
        m_selectedEntityRemoved = false;
        m_entities->view()->selectionModel()->clear();
        onEntitySelectionChanged();
    });
    m_entities = new TableSection(QStringLiteral("entities"), entityModel, nullptr, this);
    m_entities->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_entities->view()->setToolTip(tr("Route origins (rtm_protocol). Select one to show only its routes in the "
                                      "Routes table; double click to go there."));
    connect(m_entities->view()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onEntitySelectionChanged);
    connect(m_entities->proxy(), &QAbstractItemModel::modelReset, this, &MainWindow::onEntitySelectionChanged);
    connect(m_entities->view(), &QAbstractItemView::doubleClicked, this,
            [this] { m_tabs->setCurrentWidget(m_routes); });
    connect(m_routes, &TableSection::conditionCleared, this,
            [this] { m_entities->view()->selectionModel()->clearSelection(); });
    m_eventProxy = new EventLogFilterProxy(this);
    m_events = new TableSection(QStringLiteral("events"), m_model->eventLog(), m_eventProxy, this);
    m_events->setFollowBottom(true);
    m_events->view()->setItemDelegate(new EventLogDelegate(m_model->history(), m_events->view()));
    // Default order (until the user sorts; the header state is saved): routes and
    // addresses by their numeric key (SortRole orders family, then address bytes).
    m_addresses->view()->sortByColumn(AddressTableModel::Address, Qt::AscendingOrder);
    m_routes->view()->sortByColumn(RouteTableModel::Destination, Qt::AscendingOrder);
    // The addresses' last column (preferred lifetime) is right-aligned: stretching it
    // would push its text to the far right edge.
    m_addresses->view()->horizontalHeader()->setStretchLastSection(false);
    m_routes->view()->horizontalHeader()->setStretchLastSection(false); // Expires is right-aligned too
    for (TableSection *section : sections()) {
        connect(section, &TableSection::activated, this, [this, section] { m_lastSection = section; });
    }

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tableTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_interfaces, tr("&Interfaces"));
    m_tabs->addTab(m_addresses, tr("&Addresses"));
    m_tabs->addTab(m_routes, tr("&Routes"));
    m_tabs->addTab(m_entities, tr("E&ntities"));
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [this] { m_lastSection = qobject_cast<TableSection *>(m_tabs->currentWidget()); });

    m_chart = new TimelineChartView(this);
    m_chart->setTimeline(m_model->timeline()); // counts changes only, not snapshot rows
    connect(m_chart, &TimelineChartView::timeRangeSelected, this, &MainWindow::setTimeFilter);
    connect(m_chart, &TimelineChartView::followLiveEdgeChanged, m_followAction, &QAction::setChecked);
    connect(m_followAction, &QAction::toggled, m_chart, &TimelineChartView::setFollowLiveEdge);

    // Event log pane: title, time filter bar (only while a range is selected), table.
    auto *eventPane = new QWidget(this);
    auto *eventTitle = new QLabel(tr("<b>Event log</b>"), eventPane);
    m_timeFilterBar = new QWidget(eventPane);
    m_timeFilterBar->setObjectName(QStringLiteral("timeFilterBar"));
    m_timeFilterLabel = new QLabel(m_timeFilterBar);
    auto *clearButton = new QToolButton(m_timeFilterBar);
    clearButton->setDefaultAction(m_clearTimeFilterAction);
    clearButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *barLayout = new QHBoxLayout(m_timeFilterBar);
    barLayout->setContentsMargins(0, 0, 0, 0);
    barLayout->addWidget(m_timeFilterLabel, 1);
    barLayout->addWidget(clearButton);
    m_timeFilterBar->hide();
    auto *eventLayout = new QVBoxLayout(eventPane);
    eventLayout->setContentsMargins(0, 0, 0, 0);
    eventLayout->setSpacing(2);
    auto *titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(4, 2, 4, 0);
    titleRow->addWidget(eventTitle);
    titleRow->addWidget(m_timeFilterBar, 1);
    eventLayout->addLayout(titleRow);
    eventLayout->addWidget(m_events, 1);

    m_details = new DetailsPanel(this);
    connect(m_events->view()->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onEventSelected(current); });

    m_bottomSplitter = new QSplitter(Qt::Horizontal, this);
    m_bottomSplitter->setObjectName(QStringLiteral("bottomSplitter"));
    m_bottomSplitter->addWidget(eventPane);
    m_bottomSplitter->addWidget(m_details);
    m_bottomSplitter->setStretchFactor(0, 2);
    m_bottomSplitter->setStretchFactor(1, 1);
    m_bottomSplitter->setChildrenCollapsible(false);

    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_tabs);
    m_mainSplitter->addWidget(m_chart);
    m_mainSplitter->addWidget(m_bottomSplitter);
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
    m_bottomSplitter->restoreState(s.value(QStringLiteral("bottomSplitter")).toByteArray());
    for (TableSection *section : sections()) {
        if (section->restoreHeaderState(s.value(QStringLiteral("header/") + section->objectName()).toByteArray()))
            m_restoredSections.append(section);
    }
    m_tabs->setCurrentIndex(s.value(QStringLiteral("currentTab"), 0).toInt());
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
    s.setValue(QStringLiteral("bottomSplitter"), m_bottomSplitter->saveState());
    for (TableSection *section : sections())
        s.setValue(QStringLiteral("header/") + section->objectName(), section->saveHeaderState());
    s.setValue(QStringLiteral("currentTab"), m_tabs->currentIndex());
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
    for (TableSection *section : sections()) {
        if (!m_restoredSections.contains(section))
            section->fitColumns();
    }
    // Inferred events read "delete · inferred" in the Change column (EventLogDelegate),
    // which the snapshot's rows did not need: leave room for it.
    if (!m_restoredSections.contains(m_events)) {
        QTableView *view = m_events->view();
        QFont italic = view->font();
        italic.setItalic(true);
        const int needed = QFontMetrics(italic).horizontalAdvance(tr("parameter · inferred")) + 16;
        if (view->horizontalHeader()->sectionSize(EventLogModel::Change) < needed)
            view->horizontalHeader()->resizeSection(EventLogModel::Change, needed);
    }
}

TimelineBins *MainWindow::chartBins() const
{
    return m_model->timeline();
}

void MainWindow::updateStatus()
{
    m_countsLabel->setText(tr("Interfaces: %1   Addresses: %2   Routes: %3   Events: %4 (%5/s)")
                               .arg(m_model->interfaces()->rowCount())
                               .arg(m_model->addresses()->rowCount())
                               .arg(m_model->routes()->rowCount())
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

void MainWindow::onEventSelected(const QModelIndex &current)
{
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const qint64 i = current.data(EventIndexRole).toLongLong();
    const EventHistory *history = m_model->history();
    if (i < 0 || i >= history->size()) {
        m_details->clear();
        return;
    }
    m_details->showRecord(history->record(i), history->sequence(i), history->ifName(i));
}

void MainWindow::setTimeFilter(qint64 fromUs, qint64 toUs)
{
    m_eventProxy->setTimeRange(fromUs, toUs);
    m_timeFilterLabel->setText(tr("Time filter: %1 – %2").arg(clockText(fromUs), clockText(toUs)));
    m_timeFilterBar->show();
    m_clearTimeFilterAction->setEnabled(true);
}

void MainWindow::clearTimeFilter()
{
    m_eventProxy->clearTimeRange();
    m_timeFilterBar->hide();
    m_clearTimeFilterAction->setEnabled(false);
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
    return qobject_cast<TableSection *>(m_tabs->currentWidget());
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
    if (section != m_events)
        m_tabs->setCurrentWidget(section);
    section->filterEdit()->setFocus(Qt::ShortcutFocusReason);
    section->filterEdit()->selectAll();
}

bool MainWindow::exportCsv(const QString &path, QString *error)
{
    if (m_exporting) {
        if (error)
            *error = tr("An export is already running.");
        return false;
    }
    m_exporting = true;
    m_exportAction->setEnabled(false);
    const auto resetExporting = qScopeGuard([this] {
        m_exporting = false;
        m_exportAction->setEnabled(true);
    });
    // The live history keeps growing while the worker runs (the event loop keeps
    // applying batches), so the worker writes an immutable snapshot of the events so far:
    // it shares the sealed chunks of the history (no copy of the events).
    const EventHistory::Snapshot snapshot = m_model->history()->snapshot();
    const qint64 count = snapshot.size();

    QProgressDialog progress(tr("Exporting %n event(s) to %1...", nullptr, int(std::min<qint64>(count, INT_MAX)))
                                 .arg(QDir::toNativeSeparators(path)),
                             tr("Cancel"), 0, 1000, this);
    progress.setWindowTitle(tr("Export CSV"));
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    progress.setAutoClose(false);
    progress.setAutoReset(false);

    std::atomic<qint64> done {0};
    std::atomic<qint64> total {count};
    std::atomic<bool> cancel {false};
    bool ok = false;
    QString workerError;
    QEventLoop loop;
    // Worker thread: touches only the snapshot, the atomics and its own result variables.
    std::thread worker([&] {
        ok = csv::exportToFile(snapshot, path, &workerError, [&](qint64 d, qint64 t) {
            done = d;
            total = t;
            return !cancel.load();
        });
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    connect(&progress, &QProgressDialog::canceled, &progress, [&cancel] { cancel = true; });
    QTimer poll;
    poll.setInterval(50);
    connect(&poll, &QTimer::timeout, &progress, [&] {
        const qint64 t = total.load();
        progress.setValue(t > 0 ? int(done.load() * 1000 / t) : 0);
        if (progress.wasCanceled())
            cancel = true;
    });
    poll.start();
    loop.exec();
    worker.join();
    poll.stop();
    progress.close();

    if (!ok) {
        QString message = workerError;
        if (cancel.load())
            message = tr("Export cancelled; %1 was not changed.").arg(QDir::toNativeSeparators(path));
        if (message.isEmpty())
            message = tr("Cannot write %1.").arg(QDir::toNativeSeparators(path));
        qCWarning(lcViews) << "export failed:" << message;
        if (error)
            *error = message;
        return false;
    }
    qCInfo(lcViews) << "exported" << count << "events to" << path;
    return true;
}

void MainWindow::exportWithDialog()
{
    const QString suggested
        = QDir::home().filePath(QStringLiteral("netchangeview-%1.csv")
                                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"))));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Event History as CSV"), suggested,
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportCsv(path, &error)) {
        statusBar()->showMessage(tr("Exported %n event(s) to %1", nullptr, int(m_model->history()->size()))
                                     .arg(QDir::toNativeSeparators(path)),
                                 8000);
    } else {
        QMessageBox::critical(this, tr("Export failed"), error);
    }
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
    return {m_interfaces, m_addresses, m_routes, m_entities, m_events};
}

void MainWindow::onEntitySelectionChanged()
{
    if (m_selectedEntityRemoved)
        return; // the view moves the selection to a neighbour; the filter is cleared at rowsRemoved
    const QModelIndexList rows = m_entities->view()->selectionModel()->selectedRows(EntityTableModel::Protocol);
    if (rows.isEmpty()) {
        m_routesProxy->clearRequiredValue();
        m_routes->setConditionText(QString());
        return;
    }
    const QString protocol = rows.front().data(Qt::DisplayRole).toString();
    m_routesProxy->setRequiredValue(RouteTableModel::Protocol, protocol);
    m_routes->setConditionText(tr("Protocol: %1").arg(protocol));
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

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/mainwindow.h"

#include "model/export/csvwriter.h"
#include "model/history/eventhistory.h"
#include "model/history/timelinebins.h"
#include "model/liverecordings.h"
#include "model/livetimetravel.h"
#include "model/notificationmodel.h"
#include "model/recording/fileimport.h"
#include "model/recording/recordingcopy.h"
#include "model/recordingfeed.h"
#include "model/recordingsession.h"
#include "model/remotesession.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/changetableproxy.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/neighbortablemodel.h"
#include "model/tables/nexthoptablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/ruletablemodel.h"
#include "platform/netnstable.h"
#include "views/diagnosticsdialog.h"
#include "views/eventpane.h"
#include "views/remotehostdialog.h"
#include "views/requesterfilterbox.h"
#include "views/routelookuppanel.h"
#include "views/statediffdialog.h"
#include "views/tablesection.h"
#include "views/tablespage.h"
#include "views/timelinechartview.h"

#include <QAbstractProxyModel>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <climits>
#include <limits>
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

/// "2026-11-21 03:12:07.123456 UTC".
QString utcText(qint64 us)
{
    const qint64 seconds = us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
    const qint64 micros = us - seconds * 1'000'000;
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")) + u'.'
        + QStringLiteral("%1").arg(micros, 6, 10, QLatin1Char('0')) + QStringLiteral(" UTC");
}

/// What the status bar says of an opened recording: closed by its recorder, a copy saved
/// while it was written (File > Save Recording As), or neither (killed, or still written).
QString recordingStateText(const recording::RecordingInfo &info)
{
    if (info.cleanEnd)
        return MainWindow::tr("Recording (read-only)");
    bool saved = false;
    const qint64 savedUs = info.meta.value(QStringLiteral("saved_time_us")).toLongLong(&saved);
    if (saved)
        return MainWindow::tr("Recording (read-only, saved from %1 at %2)")
            .arg(info.meta.value(QStringLiteral("saved_copy_of")), utcText(savedUs));
    return MainWindow::tr("Recording (read-only, not closed by its recorder)");
}

} // namespace

MainWindow::MainWindow(NotificationModel *model, QWidget *parent, LiveRecording recording)
    : QMainWindow(parent), m_model(model), m_family(platform::afUnspec()), m_liveRecordingMode(recording)
{
    init();
    if (m_model->hasSeveralNamespaces())
        setupLiveNamespaces();
    setupLiveTimeTravel();
}

MainWindow::MainWindow(std::unique_ptr<RemoteSession> remote, QWidget *parent, LiveRecording recording)
    : MainWindow(remote->model(), parent, recording)
{
    m_remote = std::move(remote);
    setWindowTitle(tr("%1 — NetChangeView").arg(m_remote->hostsDisplay()));
    connect(m_remote.get(), &RemoteSession::ended, this, &MainWindow::onRemoteEnded);
    connect(m_remote.get(), &RemoteSession::hostStateChanged, this, &MainWindow::onRemoteStateChanged);
    connect(m_remote.get(), &RemoteSession::clockMeasured, this, &MainWindow::updateHostClocks);
    updateHostClocks();
}

void MainWindow::updateHostClocks()
{
    // Each host's events keep its own clock; what that clock is against this computer's is
    // told where the host is chosen (several hosts) and on the source field.
    QStringList lines;
    for (int i = 0; i < m_remote->hostCount(); ++i)
        lines << m_remote->clockText(i);
    const QString note = tr("Times are each host's own clock, offsets measured when it connected (at most the "
                            "transport delay too low):");
    const QString tip = note + QLatin1Char('\n') + lines.join(QLatin1Char('\n'));
    m_sourceLabel->setToolTip(tip);
    if (m_namespaceCombo) {
        m_namespaceCombo->setToolTip(tr("The host whose tables are shown; the event log and the timeline show the "
                                        "changes of every host.\n")
                                     + tip);
        for (int i = 0; i < m_remote->hostCount(); ++i) {
            const int item = m_namespaceCombo->findData(m_remote->hostNetns(i));
            if (item >= 0)
                m_namespaceCombo->setItemData(item, m_remote->clockText(i), Qt::ToolTipRole);
        }
    }
}

MainWindow *MainWindow::openRemoteWindow(const RemoteHost &host, int addressFamily, LiveRecording recording)
{
    return openRemoteWindow(QList<RemoteHost> {host}, addressFamily, recording);
}

MainWindow *MainWindow::openRemoteWindow(const QList<RemoteHost> &hosts, int addressFamily, LiveRecording recording,
                                         const RemoteOptions &options)
{
    auto *window = new MainWindow(std::make_unique<RemoteSession>(hosts, options), nullptr, recording);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->setFamily(addressFamily);
    for (const RemoteHost &host : hosts)
        RemoteHostDialog::addRecentHost(host.url());
    QString error;
    if (!window->m_remote->start(window->selectedFamily(), &error))
        window->statusBar()->showMessage(tr("Error: %1").arg(error));
    return window;
}

void MainWindow::openRemoteWithDialog()
{
    RemoteHostDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    MainWindow *window = openRemoteWindow(dialog.host(), dialog.addressFamily(), m_liveRecordingMode);
    window->show();
}

void MainWindow::onRemoteStateChanged(int index)
{
    if (m_remote->hostCount() > 1) {
        onHostStateChanged(index);
        return;
    }
    const QString host = m_remote->host().display();
    switch (m_remote->state()) {
    case RemoteSession::State::Waiting:
    case RemoteSession::State::Reconnecting:
        setWindowTitle(tr("%1 (reconnecting) — NetChangeView").arg(host));
        // The line says why; the state label counts down to the next attempt.
        statusBar()->showMessage(tr("Connection lost: %1").arg(m_remote->stateMessage()));
        break;
    case RemoteSession::State::Live:
        setWindowTitle(tr("%1 — NetChangeView").arg(host));
        if (m_remote->reconnects() > 0)
            statusBar()->showMessage(m_remote->stateMessage().isEmpty()
                                         ? QString()
                                         : m_remote->stateMessage().at(0).toUpper() + m_remote->stateMessage().mid(1),
                                     30000);
        break;
    case RemoteSession::State::Connecting:
    case RemoteSession::State::Ended: break; // onRemoteEnded() says it
    }
    updateStatus();
}

void MainWindow::onHostStateChanged(int index)
{
    // Several hosts: the title counts those not live; the status bar tells this host's step.
    int lost = 0;
    int ended = 0;
    for (int i = 0; i < m_remote->hostCount(); ++i) {
        const RemoteSession::State state = m_remote->state(i);
        lost += state == RemoteSession::State::Waiting || state == RemoteSession::State::Reconnecting;
        ended += state == RemoteSession::State::Ended;
    }
    QString title = m_remote->hostsDisplay();
    if (ended == m_remote->hostCount())
        title = tr("%1 (ended)").arg(title);
    else if (lost > 0 || ended > 0)
        title = tr("%1 (%2 reconnecting, %3 ended)").arg(title).arg(lost).arg(ended);
    setWindowTitle(tr("%1 — NetChangeView").arg(title));
    const QString message = m_remote->stateMessage(index);
    switch (m_remote->state(index)) {
    case RemoteSession::State::Waiting:
    case RemoteSession::State::Reconnecting:
        statusBar()->showMessage(tr("Connection to %1 lost: %2").arg(m_remote->host(index).display(), message));
        break;
    case RemoteSession::State::Live:
        if (m_remote->reconnects(index) > 0 && !message.isEmpty())
            statusBar()->showMessage(message.at(0).toUpper() + message.mid(1), 30000);
        break;
    case RemoteSession::State::Connecting:
    case RemoteSession::State::Ended: break; // onRemoteEnded() says it
    }
    updateStatus();
}

QString MainWindow::hostBannerLine(int index) const
{
    switch (m_remote->state(index)) {
    case RemoteSession::State::Waiting:
        return tr("Connection lost, reconnecting in %1 s: %2")
            .arg(m_remote->secondsToRetry(index))
            .arg(m_remote->stateMessage(index));
    case RemoteSession::State::Reconnecting:
        return tr("Connection lost, reconnecting now: %1").arg(m_remote->stateMessage(index));
    case RemoteSession::State::Ended: return tr("Ended: %1").arg(m_remote->endMessage(index));
    case RemoteSession::State::Connecting:
    case RemoteSession::State::Live: break;
    }
    return {};
}

void MainWindow::syncConnectionBanner()
{
    if (m_remote->hostCount() > 1) {
        // One line per host that is not live, each naming its host (the messages do).
        QStringList lines;
        for (int i = 0; i < m_remote->hostCount(); ++i) {
            const QString line = hostBannerLine(i);
            if (!line.isEmpty())
                lines << tr("%1 — %2").arg(m_remote->host(i).display(), line);
        }
        const QString text = lines.join(QLatin1Char('\n'));
        if (m_connectionBanner->text() != text)
            m_connectionBanner->setText(text);
        m_connectionBanner->setVisible(!text.isEmpty());
        return;
    }
    QString text;
    switch (m_remote->state()) {
    case RemoteSession::State::Waiting:
        text = tr("Connection lost, reconnecting in %1 s: %2")
                   .arg(m_remote->secondsToRetry())
                   .arg(m_remote->stateMessage());
        break;
    case RemoteSession::State::Reconnecting:
        text = tr("Connection lost, reconnecting now: %1").arg(m_remote->stateMessage());
        break;
    case RemoteSession::State::Ended: text = tr("Ended: %1").arg(m_remote->endMessage()); break;
    case RemoteSession::State::Connecting:
    case RemoteSession::State::Live: break;
    }
    if (m_connectionBanner->text() != text)
        m_connectionBanner->setText(text);
    m_connectionBanner->setVisible(!text.isEmpty());
}

void MainWindow::onRemoteEnded(const QString &message)
{
    qCWarning(lcViews) << message;
    if (m_remote->hostCount() == 1)
        setWindowTitle(tr("%1 (ended) — NetChangeView").arg(m_remote->host().display()));
    statusBar()->showMessage(tr("Ended: %1").arg(message));
}

MainWindow::MainWindow(std::unique_ptr<RecordingSession> session, QWidget *parent)
    : QMainWindow(parent), m_session(std::move(session)), m_model(m_session->model()), m_family(platform::afUnspec()),
      m_liveRecordingMode(LiveRecording::Off)
{
    init();
    setupRecording();
}

void MainWindow::init()
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("NetChangeView"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    createActions();
    createLayout();
    createLookupDock();
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
    connect(&m_saveWatcher, &QFutureWatcher<QString>::finished, this, &MainWindow::onSaveRecordingFinished);

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
    delete m_lookupDock; // its reads may wait for the live recording's writer: they end first
    // A copy being saved reads the file with its own connection: let it end first.
    m_saveWatcher.disconnect(this);
    m_saveWatcher.waitForFinished();
    if (m_timeTravel)
        m_timeTravel->setFeed(nullptr); // its reader goes before the writer ends the file
    if (m_feed) {
        // Drains what is queued and closes the file cleanly (clean_end).
        QString error;
        if (!m_feed->finish(&error))
            qCWarning(lcViews) << error;
    }
    if (m_remote) {
        // ssh ends now; the session's model goes after every widget that shows it (the
        // children are deleted after the members), as the app's model outlives its window.
        m_remote->model()->stop();
        m_remote.release()->deleteLater();
    }
    if (m_session) {
        // The widgets show the session's models: they go first.
        m_statusTimer.stop();
        delete m_diagnostics;
        delete takeCentralWidget();
    }
    if (!m_temporaryRecording.isEmpty()) {
        m_session.reset(); // closes the file
        QFile::remove(m_temporaryRecording);
    }
    // The worker holds its own copies; still, do not leave it writing after the window.
    m_exportWatcher.disconnect(this);
    if (m_exportWatcher.isRunning()) {
        m_exportWatcher.cancel();
        m_exportWatcher.waitForFinished();
    }
}

void MainWindow::setupRecording()
{
    const recording::RecordingInfo &info = m_session->info();
    const QString importedFrom = info.meta.value(QStringLiteral("imported_from"));
    const QString file = importedFrom.isEmpty()
        ? QFileInfo(m_session->path()).fileName()
        : tr("%1 (%2)").arg(importedFrom, info.meta.value(QStringLiteral("source")));
    const QString host = m_session->hostName();
    setWindowTitle(host.isEmpty() ? tr("%1 — NetChangeView").arg(file) : tr("%1 — %2 — NetChangeView").arg(file, host));
    setWindowFilePath(m_session->path());

    // Read-only: nothing to subscribe to, pause or restart.
    m_pauseAction->setEnabled(false);
    m_familyCombo->setEnabled(false);
    m_familyGroup->setEnabled(false);

    // No live edge: "follow" shows the whole recording, and Ctrl+L goes back to its end.
    m_followAction->setShortcut(QKeySequence());
    m_followAction->setText(tr("Show &Whole Recording"));
    m_followAction->setToolTip(tr("Timeline shows the whole recording"));
    // From the first event when it is older than the recorder's start (a clock set back, a
    // converted file), as the time cursor's range.
    const qint64 firstEventUs = m_session->nextChangeUs(std::numeric_limits<qint64>::min());
    m_chart->setHomeRange(firstEventUs >= 0 ? std::min<qint64>(info.startUs, firstEventUs) : info.startUs, info.endUs);
    m_chart->setFollowLiveEdge(true);
    m_chart->refreshNow();
    m_chart->setToolTip(tr("Click to show the tables at that moment; drag to select a time range (filters the "
                           "event log), wheel to zoom, double click to show the whole recording"));

    // Several namespaces: the log and the timeline show them all, the tables one at a time
    // (ifindex 2 exists in each), chosen here.
    if (const QList<quint32> namespaces = m_session->namespaces(); !namespaces.isEmpty()) {
        createNamespaceCombo();
        setNamespaceItems(namespaces, m_session->namespaceId());
        connect(m_namespaceCombo, &QComboBox::currentIndexChanged, this, [this] {
            m_session->setNamespace(m_namespaceCombo->currentData().toUInt());
            m_session->requestStateAt(m_session->cursorUs());
        });
    }

    createTimeMenu();
    connect(m_session.get(), &RecordingSession::stateShown, this, &MainWindow::onStateShown);
    connectSeeks();
    syncBanner();
    onStateShown(m_session->cursorUs());

    // A recording whose log is read from the file: its timeline is counted meanwhile.
    connect(m_session.get(), &RecordingSession::timelineProgress, this, &MainWindow::onTimelineProgress);
    connect(m_session.get(), &RecordingSession::timelineCounted, this, [this](const QString &error) {
        m_chart->setBusy(QString(), 0);
        m_timelineLabel->hide();
        if (!error.isEmpty())
            statusBar()->showMessage(tr("The timeline counts only part of the events: %1").arg(error), 15000);
    });
    if (m_session->isCountingTimeline())
        onTimelineProgress(m_session->timelineEventsCounted(), info.eventCount);

    if (m_session->fileEventLog())
        statusBar()->showMessage(
            tr("%1 events: the log reads them from the file as they are shown, sorts by # and Time")
                .arg(QLocale().toString(info.eventCount)));
    else if (m_session->unloadedEvents() > 0)
        statusBar()->showMessage(tr("Loaded the first %1 of %2 events: the history holds %1 (--max-events)")
                                     .arg(m_session->loadedEvents())
                                     .arg(info.eventCount));
    else if (!m_session->problems().isEmpty())
        statusBar()->showMessage(tr("Damaged recording: %1").arg(m_session->problems().constFirst()));
    // What the file cannot show (an import without the state before its first event) stays
    // in sight, not only in a status message that goes away.
    const QString note = info.meta.value(QStringLiteral("note"));
    if (!note.isEmpty()) {
        m_noteLabel = new QLabel(this);
        m_noteLabel->setObjectName(QStringLiteral("recordingNoteLabel"));
        m_noteLabel->setText(tr("⚠ %1").arg(note.section(u':', 0, 1)));
        m_noteLabel->setToolTip(note);
        statusBar()->addPermanentWidget(m_noteLabel);
    }
    updateStatus();
}

bool MainWindow::setTimeCursor(qint64 us)
{
    if (!m_session && !m_timeTravel)
        return false;
    if (m_timeTravel && !m_timeTravel->isAvailable()) {
        statusBar()->showMessage(tr("The tables cannot show the past: %1.").arg(m_timeTravel->unavailableReason()),
                                 15000);
        return false;
    }
    // The worker ranks the rows in the columns the tables are sorted by, as it packs them.
    std::array<int, 3> sortColumns {-1, -1, -1};
    const TableSection *sections[3]
        = {m_tables->interfacesSection(), m_tables->addressesSection(), m_tables->routesSection()};
    for (std::size_t i = 0; i < sortColumns.size(); ++i) {
        if (const auto *proxy = qobject_cast<const ChangeTableProxy *>(sections[i]->proxy()))
            sortColumns[i] = proxy->sortColumn();
    }
    timeCursor()->setRankColumns(sortColumns);
    timeCursor()->requestStateAt(us); // onSeekFinished() tells how it ended
    return true;
}

TimeCursor *MainWindow::timeCursor() const
{
    if (m_session)
        return m_session.get();
    return m_timeTravel;
}

void MainWindow::connectSeeks()
{
    TimeCursor *cursor = timeCursor();
    connect(cursor, &TimeCursor::seekStarted, this, &MainWindow::onSeekStarted);
    connect(cursor, &TimeCursor::seekFinished, this, &MainWindow::onSeekFinished);
    // Esc cancels a seek; the action is enabled only while one runs, so Esc reaches the
    // widgets (a filter line, a dialog) otherwise.
    m_cancelSeekAction = new QAction(tr("Cancel Reading the Tables"), this);
    m_cancelSeekAction->setObjectName(QStringLiteral("cancelSeekAction"));
    m_cancelSeekAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelSeekAction->setEnabled(false);
    addAction(m_cancelSeekAction);
    connect(m_cancelSeekAction, &QAction::triggered, this, &MainWindow::cancelSeek);
}

void MainWindow::cancelSeek()
{
    TimeCursor *cursor = timeCursor();
    if (!cursor || !cursor->isSeeking())
        return;
    cursor->cancelSeek();
    const bool live = m_timeTravel && !m_timeTravel->isInPast();
    statusBar()->showMessage(live ? tr("Cancelled: the tables still show the live state")
                                  : tr("Cancelled: the tables still show %1").arg(utcText(cursor->cursorUs())),
                             8000);
}

QMenu *MainWindow::createTimeMenu()
{
    const bool live = !m_session;
    m_backToEndAction = new QAction(live ? tr("Back to &Live") : tr("&Back to the End"), this);
    m_backToEndAction->setObjectName(live ? QStringLiteral("backToLiveAction") : QStringLiteral("backToEndAction"));
    m_backToEndAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_backToEndAction->setIcon(themeIcon("go-last", "follow"));
    connect(m_backToEndAction, &QAction::triggered, this, [this] {
        if (m_session) {
            setTimeCursor(m_session->info().endUs);
            return;
        }
        m_timeTravel->backToLive();
        m_chart->setFollowLiveEdge(true);
    });
    m_previousChangeAction = new QAction(tr("&Previous Change"), this);
    m_previousChangeAction->setObjectName(QStringLiteral("previousChangeAction"));
    m_previousChangeAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_previousChangeAction->setIcon(themeIcon("go-previous", "follow"));
    connect(m_previousChangeAction, &QAction::triggered, this, [this] { stepChange(-1); });
    m_nextChangeAction = new QAction(tr("&Next Change"), this);
    m_nextChangeAction->setObjectName(QStringLiteral("nextChangeAction"));
    m_nextChangeAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_nextChangeAction->setIcon(themeIcon("go-next", "follow"));
    connect(m_nextChangeAction, &QAction::triggered, this, [this] { stepChange(+1); });
    QMenu *time = new QMenu(tr("&Time"), this);
    time->addAction(m_previousChangeAction);
    time->addAction(m_nextChangeAction);
    time->addSeparator();
    time->addAction(m_backToEndAction);
    // Compare: both windows, over their time cursor (the live one reads the live recording).
    m_compareRangeAction = new QAction(tr("&Compare Selected Range..."), this);
    m_compareRangeAction->setObjectName(QStringLiteral("compareRangeAction"));
    m_compareRangeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_compareRangeAction->setToolTip(
        tr("Objects added, removed and changed between the start and the end of the range selected on the "
           "timeline (Ctrl+D)"));
    m_compareRangeAction->setEnabled(false);
    connect(m_compareRangeAction, &QAction::triggered, this, [this] { showDiff(m_rangeFromUs, m_rangeToUs); });
    connect(timeCursor(), &TimeCursor::diffFinished, this, &MainWindow::onDiffFinished);
    connect(m_chart, &TimelineChartView::timeRangeSelected, this, [this](qint64 fromUs, qint64 toUs) {
        m_rangeFromUs = fromUs;
        m_rangeToUs = toUs;
    });
    connect(m_eventPane, &EventPane::timeFilterChanged, m_compareRangeAction, &QAction::setEnabled);
    time->addSeparator();
    time->addAction(m_compareRangeAction);
    menuBar()->insertMenu(menuBar()->actions().constLast(), time); // before Help
    // Not setDefaultAction(): the button would take the menu's text back on every change.
    m_bannerButton->setText(live ? tr("Back to live (Ctrl+L)") : tr("Back to the end (Ctrl+L)"));
    m_bannerButton->setIcon(m_backToEndAction->icon());
    connect(m_bannerButton, &QToolButton::clicked, m_backToEndAction, &QAction::trigger);

    connect(m_chart, &TimelineChartView::timeClicked, this, &MainWindow::setTimeCursor);
    connect(m_eventPane, &EventPane::eventTimeSelected, this, [this](qint64 us) {
        if (!m_selectingCursorEvent)
            setTimeCursor(us);
    });
    return time;
}

void MainWindow::stepChange(int direction)
{
    if (m_session) {
        // From the moment asked for last: two quick steps go two changes on.
        const qint64 from = m_session->seekTargetUs();
        const qint64 us = direction < 0 ? m_session->previousChangeUs(from) : m_session->nextChangeUs(from);
        if (us >= 0)
            setTimeCursor(us);
        return;
    }
    // Live: the first step back shows the state just after the newest event; a step
    // forward past the newest event is back to live. From the moment asked for last, as
    // above (a seek may still run).
    const bool past = m_timeTravel->isInPast() || m_timeTravel->isSeeking();
    const qint64 from = past ? m_timeTravel->seekTargetUs() : std::numeric_limits<qint64>::max();
    const qint64 us = direction < 0 ? m_timeTravel->previousChangeUs(from)
        : past                      ? m_timeTravel->nextChangeUs(from)
                                    : -1;
    if (us >= 0)
        setTimeCursor(us);
    else if (direction > 0 && past)
        m_timeTravel->backToLive();
}

void MainWindow::setupLiveTimeTravel()
{
    m_timeTravel = new LiveTimeTravel(m_model, this);
    // Ctrl+L is Back to Live, which also makes the timeline follow the live edge.
    m_followAction->setShortcut(QKeySequence());
    m_followAction->setToolTip(tr("Timeline follows the newest events (Ctrl+L: back to live)"));
    createTimeMenu();
    connect(m_timeTravel, &LiveTimeTravel::stateShown, this, &MainWindow::onLiveTimeChanged);
    connect(m_timeTravel, &LiveTimeTravel::liveShown, this, &MainWindow::onLiveTimeChanged);
    connectSeeks();
    syncTimeTravel();
}

void MainWindow::syncTimeTravel()
{
    QString why;
    if (m_liveRecordingMode == LiveRecording::Off)
        why = tr("this window does not record its events (--no-record)");
    else if (!m_feed && m_liveRecordingTried && m_recordingLabel->toolTip().isEmpty())
        why = tr("recording is off (the setting liveRecording/enabled)");
    else if (!m_feed && m_liveRecordingTried)
        why = tr("the recording could not be created (%1)").arg(m_recordingLabel->toolTip());
    m_timeTravel->setFeed(m_feed, why);
    const bool available = m_timeTravel->isAvailable();
    const QString unavailable
        = available ? QString() : tr("The tables cannot show the past: %1.").arg(m_timeTravel->unavailableReason());
    m_chart->setToolTip(
        available ? tr("Click to show the tables at that moment (read from the live recording); "
                       "drag to select a time range (filters the event log), wheel to zoom")
                  : tr("Drag to select a time range (filters the event log), wheel to zoom. %1").arg(unavailable));
    m_previousChangeAction->setToolTip(available ? tr("The tables just after the previous event (Alt+Left)")
                                                 : unavailable);
    onLiveTimeChanged();
}

void MainWindow::onLiveTimeChanged()
{
    const bool past = m_timeTravel->isInPast();
    m_tables->showModel(past ? m_timeTravel->pastModel() : m_model);
    syncBanner();
    m_bannerButton->setVisible(past);
    m_chart->setCursorTime(past ? m_timeTravel->cursorUs() : -1);
    m_previousChangeAction->setEnabled(m_timeTravel->isAvailable());
    m_nextChangeAction->setEnabled(past);
    if (past) {
        const QString at = utcText(m_timeTravel->cursorUs());
        const QString note = m_timeTravel->note();
        QString state = note.isEmpty() ? tr("State at %1").arg(at) : tr("State at %1 (%2)").arg(at, note);
        if (m_namespaceCombo)
            state = (showsHosts() ? tr("%1 — host %2") : tr("%1 — namespace %2"))
                        .arg(state, m_namespaceCombo->currentText());
        m_bannerLabel->setText(state);
        selectCursorEvent(m_timeTravel->eventIndexAt(m_timeTravel->cursorUs()));
    } else {
        m_bannerLabel->setText(tr("Live state")); // shown while a seek from live runs
    }
    updateStatus();
}

bool MainWindow::showDiff(qint64 fromUs, qint64 toUs)
{
    TimeCursor *cursor = timeCursor();
    if (!cursor)
        return false;
    if (m_timeTravel && !m_timeTravel->isAvailable()) {
        statusBar()->showMessage(tr("Cannot compare: %1").arg(m_timeTravel->unavailableReason()), 15000);
        return false;
    }
    cursor->requestDiff(fromUs, toUs); // onDiffFinished() opens the dialog
    if (!m_diffProgress) {
        m_diffProgress = new QProgressDialog(this);
        m_diffProgress->setObjectName(QStringLiteral("diffProgress"));
        m_diffProgress->setWindowTitle(tr("Compare"));
        m_diffProgress->setRange(0, 0); // busy: stateAt() does not know its share done
        m_diffProgress->setAutoReset(false);
        m_diffProgress->setAutoClose(false);
        // Cancel and Esc: the window and its tables stay as they are.
        connect(m_diffProgress, &QProgressDialog::canceled, cursor, &TimeCursor::cancelDiff);
    }
    m_diffProgress->setLabelText(tr("Comparing the tables at %1 and at %2...")
                                     .arg(utcText(std::min(fromUs, toUs)), utcText(std::max(fromUs, toUs))));
    // Shown only when the comparison takes longer than a moment.
    m_diffProgress->setMinimumDuration(kSeekIndicatorMs);
    m_diffProgress->setValue(0);
    return true;
}

QProgressDialog *MainWindow::diffProgress() const
{
    return m_diffProgress;
}

void MainWindow::onDiffFinished(qint64 fromUs, qint64 toUs, bool done, const QString &error)
{
    TimeCursor *cursor = timeCursor();
    if (cursor->isDiffing() || !m_diffProgress)
        return; // a newer comparison replaced this one (its progress stays), or not this window's
    m_diffProgress->deleteLater(); // from the event loop: this may run from its canceled()
    m_diffProgress = nullptr;
    if (!done) {
        statusBar()->showMessage(error.isEmpty() ? tr("Comparison cancelled") : tr("Cannot compare: %1").arg(error),
                                 15000);
        return;
    }
    if (!cursor->diffNote().isEmpty())
        statusBar()->showMessage(tr("Compared: %1").arg(cursor->diffNote()), 15000);
    auto *dialog = new StateDiffDialog(cursor->takeDiff(), fromUs, toUs, m_model->knownFields(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::onStateShown(qint64 us)
{
    m_chart->setCursorTime(us);
    const bool atEnd = m_session->isAtEnd();
    QString state
        = atEnd ? tr("State at %1 — the end of the recording").arg(utcText(us)) : tr("State at %1").arg(utcText(us));
    if (m_namespaceCombo)
        state = tr("%1 — namespace %2").arg(state, m_namespaceCombo->currentText());
    m_bannerLabel->setText(state);
    m_bannerButton->setVisible(!atEnd);
    m_backToEndAction->setEnabled(!atEnd);
    m_previousChangeAction->setEnabled(m_session->previousChangeUs(us) >= 0);
    m_nextChangeAction->setEnabled(m_session->nextChangeUs(us) >= 0);
    selectCursorEvent(m_session->eventIndexAt(us));
    updateStatus();
}

void MainWindow::onSeekStarted(qint64 us)
{
    m_seekLabel->setText(tr("Reading the tables at %1...").arg(utcText(us)));
    m_cancelSeekAction->setEnabled(true);
    if (m_seekBox->isHidden())
        m_seekTimer.start();
}

void MainWindow::onSeekFinished(qint64 us, bool shown, const QString &error)
{
    Q_UNUSED(us);
    if (timeCursor()->isSeeking())
        return; // a newer seek replaced this one: its indicator stays
    m_seekTimer.stop();
    m_seekBox->hide();
    m_cancelSeekAction->setEnabled(false);
    syncBanner(); // live: the banner may have been there only for the indicator
    if (!shown && !error.isEmpty()) {
        qCWarning(lcViews) << "cannot show the state:" << error;
        statusBar()->showMessage(tr("Cannot read the tables: %1").arg(error), 15000);
    }
}

void MainWindow::syncBanner()
{
    // A recording window always names its moment; the live window only in the past, or
    // while the seek indicator in it is shown.
    const bool past = m_session || (m_timeTravel && m_timeTravel->isInPast());
    m_banner->setVisible(past || !m_seekBox->isHidden());
}

QAbstractButton *MainWindow::seekCancelButton() const
{
    return m_seekCancel;
}

void MainWindow::onTimelineProgress(qint64 done, qint64 total)
{
    const int percent = total > 0 ? int(std::min(done, total) * 100 / total) : 100;
    const QString text = tr("Counting the events for the timeline: %1 of %2 (%3 %)")
                             .arg(QLocale().toString(done), QLocale().toString(total))
                             .arg(percent);
    // Events are counted in sequence order, which is time order: counted up to the newest.
    const TimelineBins *bins = chartBins();
    m_chart->setBusy(text, bins->total() > 0 ? bins->lastUs() : m_session->info().startUs);
    m_timelineLabel->setText(tr("Timeline: %1 %").arg(percent));
    m_timelineLabel->setToolTip(text);
    m_timelineLabel->show();
}

void MainWindow::selectCursorEvent(qint64 i)
{
    // The log follows the cursor: its newest event at or before it becomes the current row
    // (the details panel shows it), unless a filter hides it.
    QTableView *log = m_eventPane->eventsSection()->view();
    const QModelIndex shown = m_eventPane->indexOfEvent(i);
    if (shown.isValid() && log->currentIndex().row() != shown.row()) {
        m_selectingCursorEvent = true;
        log->setCurrentIndex(shown);
        log->scrollTo(shown);
        m_selectingCursorEvent = false;
    }
}

QString MainWindow::stateBannerText() const
{
    if (!m_banner || m_banner->isHidden())
        return QString();
    QString text = m_bannerLabel->text();
    if (!m_bannerButton->isHidden())
        text += QStringLiteral(" — ") + m_bannerButton->text();
    return text;
}

bool MainWindow::importForWindow(const QString &path, QWidget *progressParent, QString *recordingPath, QString *summary,
                                 QString *error)
{
    // Converted on a worker thread; the progress dialog (window-modal over progressParent)
    // keeps every window painted and takes the Cancel, which the importer sees at its next
    // chunk of input (1 MiB), removing its partial recording.
    struct Shared {
        std::atomic<qint64> done {0};
        std::atomic<qint64> total {0};
        std::atomic<bool> cancel {false};
    };
    struct Outcome {
        bool ok = false;
        QString path, error;
        recording::ImportResult result;
        qint64 elapsedMs = 0;
    };
    const auto shared = std::make_shared<Shared>();
    shared->total = QFileInfo(path).size();
    constexpr int steps = 1000;
    const QString name = QDir::toNativeSeparators(path);
    QProgressDialog progress(tr("Importing %1...").arg(name), tr("Cancel"), 0, steps, progressParent);
    progress.setObjectName(QStringLiteral("importProgressDialog"));
    progress.setWindowTitle(tr("Import"));
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(kImportProgressDelayMs);
    progress.setAutoClose(false);
    progress.setAutoReset(false);
    progress.setValue(0); // starts the delay after which the dialog shows
    QObject::connect(&progress, &QProgressDialog::canceled, &progress, [shared, &progress] {
        shared->cancel = true;
        progress.setLabelText(tr("Cancelling..."));
    });
    QTimer tick;
    tick.setInterval(100);
    QObject::connect(&tick, &QTimer::timeout, &progress, [shared, &progress, name] {
        if (shared->cancel)
            return;
        const qint64 done = shared->done, total = std::max<qint64>(1, shared->total);
        const QLocale locale;
        progress.setLabelText(tr("Importing %1...\n%2 of %3 read")
                                  .arg(name, locale.formattedDataSize(done), locale.formattedDataSize(total)));
        progress.setValue(int(std::min<qint64>(steps, done * steps / total)));
    });
    tick.start();
    QFutureWatcher<Outcome> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcher<Outcome>::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(QtConcurrent::run([path, shared] {
        Outcome o;
        QElapsedTimer clock;
        clock.start();
        o.ok = recording::importFileToTemporary(
            path, &o.path,
            [shared](std::int64_t done, std::int64_t total) {
                shared->done = done;
                shared->total = total;
                return !shared->cancel;
            },
            &o.result, &o.error);
        o.elapsedMs = clock.elapsed();
        return o;
    }));
    if (!watcher.isFinished())
        loop.exec();
    tick.stop();
    progress.hide();
    const Outcome outcome = watcher.result();
    if (!outcome.ok) {
        if (error)
            *error = outcome.error;
        qCInfo(lcViews) << "import of" << path << "failed:" << outcome.error;
        return false;
    }
    *recordingPath = outcome.path;
    *summary = outcome.result.summary(path);
    qCInfo(lcViews) << *summary << "in" << outcome.elapsedMs << "ms";
    // A big input is worth keeping converted: reopening the recording skips the parse.
    if (outcome.elapsedMs >= kLargeImportMs || outcome.result.bytesRead >= kLargeImportBytes)
        *summary += tr(" — File > Save Recording As keeps the import as a recording, so it is parsed only once");
    return true;
}

MainWindow *MainWindow::openRecordingWindow(const QString &path, QWidget *progressParent, QString *error,
                                            qint64 maxEvents)
{
    QString recordingPath = path;
    QString importSummary;
    if (recording::isImportable(recording::detectFileKind(path))) {
        if (!importForWindow(path, progressParent, &recordingPath, &importSummary, error))
            return nullptr;
    }
    auto session = std::make_unique<RecordingSession>();
    constexpr int steps = 1000;
    QProgressDialog progress(tr("Opening %1...").arg(QDir::toNativeSeparators(path)), tr("Cancel"), 0, steps,
                             progressParent);
    progress.setWindowTitle(tr("Open Recording"));
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    progress.setAutoClose(false);
    progress.setAutoReset(false);
    // Loaded on the GUI thread (the history and its models live there), page by page; a
    // modal progress dialog keeps the window painted and takes the Cancel in between.
    const bool ok = session->open(
        recordingPath, error,
        [&progress](qint64 done, qint64 total) {
            progress.setValue(total > 0 ? int(done * steps / total) : 0);
            return !progress.wasCanceled();
        },
        maxEvents);
    progress.hide();
    if (!ok) {
        if (recordingPath != path)
            QFile::remove(recordingPath);
        return nullptr;
    }
    auto *window = new MainWindow(std::move(session));
    if (recordingPath != path) {
        window->m_temporaryRecording = recordingPath;
        window->m_saveRecordingAction->setEnabled(true);
        window->m_saveRecordingAction->setToolTip(tr("Save this import as a recording, so it is parsed only once"));
        window->statusBar()->showMessage(importSummary);
    }
    return window;
}

MainWindow *MainWindow::openRecording(const QString &path)
{
    QString error;
    // The same limit as this window's history (--max-events).
    MainWindow *window = openRecordingWindow(path, this, &error, m_model->history()->capacity());
    if (!window) {
        qCWarning(lcViews) << "cannot open" << path << error;
        statusBar()->showMessage(error, 15000);
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Open Recording"), error, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("openErrorBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return nullptr;
    }
    addRecentFile(path);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    return window;
}

QStringList MainWindow::recentFiles()
{
    QStringList files = appSettings().value(QStringLiteral("recentFiles")).toStringList();
    files.removeAll(QString());
    return files.mid(0, kMaxRecentFiles);
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    appSettings().setValue(QStringLiteral("recentFiles"), files.mid(0, kMaxRecentFiles));
}

void MainWindow::fillRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    int n = 0;
    for (const QString &file : files) {
        ++n;
        const QString label = n < 10 ? QStringLiteral("&%1 %2").arg(n).arg(QFileInfo(file).fileName())
                                     : QStringLiteral("%1 %2").arg(n).arg(QFileInfo(file).fileName());
        QAction *action = m_recentMenu->addAction(label);
        action->setToolTip(QDir::toNativeSeparators(file));
        action->setStatusTip(QDir::toNativeSeparators(file));
        action->setData(file);
        // A file that is gone stays listed (it may be on a disk not mounted now), greyed.
        action->setEnabled(QFileInfo::exists(file));
        connect(action, &QAction::triggered, this, [this, file] { openRecording(file); });
    }
    if (files.isEmpty())
        m_recentMenu->addAction(tr("No recent recordings"))->setEnabled(false);
    m_recentMenu->addSeparator();
    QAction *clear = m_recentMenu->addAction(tr("&Clear Menu"));
    clear->setEnabled(!files.isEmpty());
    connect(clear, &QAction::triggered, this,
            [] { appSettings().setValue(QStringLiteral("recentFiles"), QStringList()); });
}

QStringList MainWindow::openFileFilters()
{
    return {tr("All supported files (*.ncv *.rtmon *.csv *.pcap *.pcapng)"), tr("All files (*)")};
}

void MainWindow::openWithDialog()
{
    // The filter only narrows the list: every file is recognised by its content.
    const QStringList filters = openFileFilters();
    QSettings settings = appSettings();
    QString filter = settings.value(QLatin1StringView(kOpenFilterKey)).toString();
    if (!filters.contains(filter))
        filter = filters.constFirst();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Recording"), QDir::homePath(),
                                                      filters.join(QStringLiteral(";;")), &filter);
    if (path.isEmpty())
        return;
    settings.setValue(QLatin1StringView(kOpenFilterKey), filter);
    openRecording(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.constFirst().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.constFirst().isLocalFile())
        return;
    event->acceptProposedAction();
    const QString path = urls.constFirst().toLocalFile();
    // After the drop returns: the drag source must not wait for a file to load.
    QTimer::singleShot(0, this, [this, path] { openRecording(path); });
}

void MainWindow::createActions()
{
    m_openAction = new QAction(tr("&Open Recording..."), this);
    m_openAction->setObjectName(QStringLiteral("openAction"));
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setIcon(themeIcon("document-open", "export"));
    m_openAction->setToolTip(tr("Open a recording file in a new window (Ctrl+O)"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openWithDialog);
    m_openRemoteAction = new QAction(tr("Open Remote &Host..."), this);
    m_openRemoteAction->setObjectName(QStringLiteral("openRemoteAction"));
    m_openRemoteAction->setToolTip(tr("Watch another computer over ssh in a new window"));
    connect(m_openRemoteAction, &QAction::triggered, this, &MainWindow::openRemoteWithDialog);

    m_exportAction = new QAction(tr("&Export Event History as CSV..."), this);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setIcon(themeIcon("document-save-as", "export"));
    m_exportAction->setToolTip(tr("Export the event history as CSV (Ctrl+E)"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportWithDialog);

    m_saveRecordingAction = new QAction(tr("&Save Recording As..."), this);
    m_saveRecordingAction->setObjectName(QStringLiteral("saveRecordingAction"));
    m_saveRecordingAction->setShortcut(QKeySequence::SaveAs); // Ctrl+Shift+S on Linux and Windows
    m_saveRecordingAction->setIcon(themeIcon("document-save", "export"));
    m_saveRecordingAction->setToolTip(tr("Save a copy of this window's recording so far"));
    m_saveRecordingAction->setEnabled(false); // until the live recording runs
    connect(m_saveRecordingAction, &QAction::triggered, this, &MainWindow::saveRecordingWithDialog);

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
    file->addAction(m_openAction);
    file->addAction(m_openRemoteAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    fillRecentMenu();
    file->addSeparator();
    file->addAction(m_saveRecordingAction);
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
    view->addSeparator();
    view->addAction(m_lookupDock->toggleViewAction());

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

    // The timeline: a title row with its By filter (only the changes one process asked
    // for), then the chart. The filter is the timeline's own, beside the event log's text
    // filter rather than driven by it: that one matches any column (an address, a route's
    // key), while counting "the changes made by X" needs the requester alone, and a
    // recording read from its file counts it by one pass over the key columns, where the
    // text filter decodes and formats every event.
    auto *timelineArea = new QWidget(this);
    timelineArea->setObjectName(QStringLiteral("timelineArea"));
    auto *timelineTitle = new QLabel(tr("<b>Timeline</b>"), timelineArea);
    m_timelineFilter = new RequesterFilterBox(timelineArea);
    m_timelineFilterNote = new QLabel(timelineArea);
    m_timelineFilterNote->setObjectName(QStringLiteral("timelineFilterNote"));
    auto *byLabel = new QLabel(tr("Changes by:"), timelineArea);
    byLabel->setBuddy(m_timelineFilter);
    // Several namespaces: the changes of one of them, or of all.
    m_timelineNamespace = new QComboBox(timelineArea);
    m_timelineNamespace->setObjectName(QStringLiteral("timelineNamespace"));
    m_timelineNamespace->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_timelineNamespace->setToolTip(tr("Count the changes of one network namespace, or of every one"));
    m_timelineNamespaceLabel = new QLabel(tr("in:"), timelineArea);
    m_timelineNamespaceLabel->setBuddy(m_timelineNamespace);
    auto *legend = new QLabel(m_chart->legendHtml(), timelineArea);
    legend->setObjectName(QStringLiteral("timelineLegend"));
    legend->setTextFormat(Qt::RichText);
    // Takes the row's free width and is cut at its end in a narrow window, never widening it.
    legend->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    legend->setToolTip(tr("Changes per second by object kind; the red bands are gaps (events lost)"));
    connect(m_chart, &TimelineChartView::legendChanged, legend,
            [legend, chart = m_chart] { legend->setText(chart->legendHtml()); });
    auto *timelineRow = new QHBoxLayout;
    timelineRow->setContentsMargins(4, 2, 4, 0);
    timelineRow->addWidget(timelineTitle);
    timelineRow->addSpacing(24);
    timelineRow->addWidget(legend, 1);
    timelineRow->addWidget(byLabel);
    timelineRow->addWidget(m_timelineFilter);
    timelineRow->addSpacing(4);
    timelineRow->addWidget(m_timelineNamespaceLabel);
    timelineRow->addWidget(m_timelineNamespace);
    timelineRow->addSpacing(6);
    timelineRow->addWidget(m_timelineFilterNote);
    auto *timelineLayout = new QVBoxLayout(timelineArea);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->setSpacing(0);
    timelineLayout->addLayout(timelineRow);
    timelineLayout->addWidget(m_chart, 1);
    connect(m_timelineFilter, &RequesterFilterBox::filterChanged, m_model->timeline(),
            &TimelineBins::setRequesterFilter);
    connect(m_model->timeline(), &TimelineBins::changed, this, &MainWindow::updateTimelineFilterNote);
    connect(m_timelineNamespace, &QComboBox::currentIndexChanged, this,
            [this] { m_model->timeline()->setNamespaceFilter(m_timelineNamespace->currentData().toUInt()); });
    connect(m_model, &NotificationModel::namespacesChanged, this, &MainWindow::updateTimelineNamespaces);
    updateTimelineNamespaces();

    m_eventPane = new EventPane(m_model, this);
    m_eventPane->setClearTimeFilterAction(m_clearTimeFilterAction);
    connect(m_clearTimeFilterAction, &QAction::triggered, m_eventPane, &EventPane::clearTimeFilter);
    connect(m_chart, &TimelineChartView::timeRangeSelected, m_eventPane, &EventPane::setTimeFilter);
    connect(m_eventPane, &EventPane::timeFilterChanged, m_clearTimeFilterAction, &QAction::setEnabled);

    for (TableSection *section : sections()) {
        connect(section, &TableSection::activated, this, [this, section] { m_lastSection = section; });
    }

    // The banner naming the moment the tables show (recordings; hidden live).
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("stateBanner"));
    m_banner->setStyleSheet(QStringLiteral("#stateBanner { background: #fdf2d0; border: 1px solid #e0b84c; }"
                                           "#stateBanner QLabel { color: #5c4400; font-weight: bold; }"));
    m_bannerLabel = new QLabel(m_banner);
    m_bannerLabel->setObjectName(QStringLiteral("stateBannerLabel"));
    m_bannerLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerButton = new QToolButton(m_banner);
    m_bannerButton->setObjectName(QStringLiteral("stateBannerButton"));
    m_bannerButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // The seek indicator: the banner keeps naming the moment shown until the new one is in.
    m_seekBox = new QWidget(m_banner);
    m_seekBox->setObjectName(QStringLiteral("seekIndicator"));
    m_seekLabel = new QLabel(m_seekBox);
    m_seekLabel->setObjectName(QStringLiteral("seekLabel"));
    auto *seekBar = new QProgressBar(m_seekBox);
    seekBar->setRange(0, 0); // busy: stateAt() does not know its share done
    seekBar->setTextVisible(false);
    seekBar->setFixedWidth(100);
    m_seekCancel = new QToolButton(m_seekBox);
    m_seekCancel->setObjectName(QStringLiteral("seekCancelButton"));
    m_seekCancel->setText(tr("Cancel"));
    m_seekCancel->setToolTip(tr("Stop reading; the tables keep what they show (Esc)"));
    connect(m_seekCancel, &QToolButton::clicked, this, &MainWindow::cancelSeek);
    auto *seekLayout = new QHBoxLayout(m_seekBox);
    seekLayout->setContentsMargins(0, 0, 0, 0);
    seekLayout->addWidget(m_seekLabel);
    seekLayout->addWidget(seekBar);
    seekLayout->addWidget(m_seekCancel);
    m_seekBox->hide();
    m_seekTimer.setSingleShot(true);
    m_seekTimer.setInterval(kSeekIndicatorMs);
    connect(&m_seekTimer, &QTimer::timeout, this, [this] {
        if (!timeCursor() || !timeCursor()->isSeeking())
            return;
        m_seekBox->show();
        syncBanner();
    });
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 3, 8, 3);
    bannerLayout->addWidget(m_bannerLabel, 1);
    bannerLayout->addWidget(m_seekBox);
    bannerLayout->addWidget(m_bannerButton);
    m_banner->hide();
    auto *tablesArea = new QWidget(this);
    auto *tablesLayout = new QVBoxLayout(tablesArea);
    tablesLayout->setContentsMargins(0, 0, 0, 0);
    tablesLayout->setSpacing(2);
    // A remote host's connection when it is not live: lost and reconnecting, or ended, in
    // full (the status bar's message is cut short by its permanent fields).
    m_connectionBanner = new QLabel(this);
    m_connectionBanner->setObjectName(QStringLiteral("connectionBanner"));
    m_connectionBanner->setStyleSheet(QStringLiteral(
        "#connectionBanner { background: #fbe3e0; border: 1px solid #c0392b; color: #7b1d13; padding: 3px 8px; }"));
    m_connectionBanner->setWordWrap(true);
    m_connectionBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_connectionBanner->hide();
    tablesLayout->addWidget(m_connectionBanner);
    tablesLayout->addWidget(m_banner);
    tablesLayout->addWidget(m_tables, 1);

    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(tablesArea);
    m_mainSplitter->addWidget(timelineArea);
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
    m_recordingLabel = new QLabel(this);
    m_recordingLabel->setObjectName(QStringLiteral("recordingLabel"));
    m_recordingLabel->setContentsMargins(0, 0, 12, 0); // apart from the counts
    m_timelineLabel = new QLabel(this);
    m_timelineLabel->setObjectName(QStringLiteral("timelineProgressLabel"));
    m_timelineLabel->setContentsMargins(0, 0, 12, 0);
    m_timelineLabel->hide();
    statusBar()->addPermanentWidget(m_timelineLabel);
    statusBar()->addPermanentWidget(m_recordingLabel);
    statusBar()->addPermanentWidget(m_countsLabel);
    statusBar()->addPermanentWidget(m_resyncLabel);
    statusBar()->addPermanentWidget(m_sourceLabel);
    statusBar()->addPermanentWidget(m_stateLabel);

    setAcceptDrops(true);
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
    m_eventPane->updateNamespaceColumn();
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
    if (m_session)
        return; // a recording's family is what was recorded
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
    if (m_session)
        return; // nothing to pause
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
    if (running && !m_liveRecordingTried && !m_session) {
        startLiveRecording();
        syncTimeTravel();
    }
    updateStatus();
}

QString MainWindow::liveRecordingFolder()
{
    const QString folder = appSettings().value(QLatin1StringView(liverecordings::kFolderKey)).toString();
    return folder.isEmpty() ? liverecordings::defaultFolder() : folder;
}

QString MainWindow::liveRecordingPath() const
{
    return m_feed ? QFileInfo(m_feed->currentPath()).absoluteFilePath() : QString();
}

void MainWindow::startLiveRecording()
{
    m_liveRecordingTried = true;
    if (m_liveRecordingMode == LiveRecording::Off)
        return;
    QSettings settings = appSettings();
    if (!settings.value(QLatin1StringView(liverecordings::kEnabledKey), true).toBool())
        return;
    const QString folder = liveRecordingFolder();
    const auto notRecording = [this](const QString &why) {
        qCWarning(lcViews) << "not recording:" << why;
        m_recordingLabel->setText(tr("Not recording"));
        m_recordingLabel->setToolTip(why);
    };
    if (!QDir().mkpath(folder))
        return notRecording(tr("cannot create the folder %1").arg(QDir::toNativeSeparators(folder)));
    // A new name for this start; a second window started in the same second gets "-2".
    const QDateTime start = QDateTime::currentDateTimeUtc();
    QString path;
    for (int n = 1; path.isEmpty() || QFileInfo::exists(path); ++n)
        path = QDir(folder).filePath(liverecordings::fileName(start, n));
    auto *feed = new RecordingFeed(m_model, this);
    QString error;
    if (!feed->open(path, m_model->addressFamily(), {}, &error)) {
        delete feed;
        return notRecording(error);
    }
    m_feed = feed;
    connect(m_feed, &RecordingFeed::writeFailed, this, [this] {
        statusBar()->showMessage(tr("Recording failed: events are no longer written to %1")
                                     .arg(QDir::toNativeSeparators(liveRecordingPath())),
                                 15000);
    });
    bool ok = false;
    const qint64 limit
        = settings.value(QLatin1StringView(liverecordings::kMaxTotalBytesKey), liverecordings::kDefaultMaxTotalBytes)
              .toLongLong(&ok);
    liverecordings::removeOldRecordings(folder, ok ? limit : liverecordings::kDefaultMaxTotalBytes, path);
    m_saveRecordingAction->setEnabled(true);
    m_recordingLabel->setText(tr("Recording to %1").arg(QFileInfo(path).fileName()));
    m_recordingLabel->setToolTip(tr("Every event is written to %1 as it arrives (File > Save Recording As "
                                    "copies it)")
                                     .arg(QDir::toNativeSeparators(liveRecordingPath())));
    qCInfo(lcViews) << "recording to" << path;
}

bool MainWindow::startSaveRecording(const QString &path)
{
    const QString from = m_feed && m_feed->isOpen() ? liveRecordingPath() : m_temporaryRecording;
    if (from.isEmpty() || isSavingRecording() || path.isEmpty())
        return false;
    m_savePath = path;
    m_saveRecordingAction->setEnabled(false);
    statusBar()->showMessage(tr("Saving the recording to %1...").arg(QDir::toNativeSeparators(path)));
    // Worker thread (QThreadPool): copyRecording opens its own SQLite connections; the
    // writer goes on writing meanwhile (recordingcopy.h says why the copy is consistent).
    m_saveWatcher.setFuture(QtConcurrent::run([from, path] {
        QString error;
        if (!recording::copyRecording(from, path, &error) && error.isEmpty())
            error = tr("Cannot write %1.").arg(path);
        return error;
    }));
    return true;
}

void MainWindow::onSaveRecordingFinished()
{
    const QString path = std::exchange(m_savePath, QString());
    if (path.isEmpty())
        return;
    const QString error = m_saveWatcher.result();
    m_saveRecordingAction->setEnabled((m_feed && m_feed->isOpen()) || !m_temporaryRecording.isEmpty());
    if (error.isEmpty()) {
        qCInfo(lcViews) << "saved the recording to" << path;
        statusBar()->showMessage(tr("Saved the recording to %1").arg(QDir::toNativeSeparators(path)), 8000);
        Q_EMIT recordingSaved(path, QString());
        return;
    }
    qCWarning(lcViews) << "saving the recording failed:" << error;
    statusBar()->showMessage(tr("Saving the recording failed"), 8000);
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Save Recording failed"),
                                tr("The recording could not be saved:\n%1").arg(error), QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("saveRecordingErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    Q_EMIT recordingSaved(path, error);
}

void MainWindow::saveRecordingWithDialog()
{
    QString suggested;
    if (m_feed)
        suggested = QDir::home().filePath(QFileInfo(liveRecordingPath()).fileName());
    else if (!m_temporaryRecording.isEmpty()) // an import: named after the file it was read from
        suggested = QDir::home().filePath(
            QFileInfo(m_session->info().meta.value(QStringLiteral("imported_from"))).completeBaseName()
            + QStringLiteral(".ncv"));
    else
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Recording As"), suggested,
                                                      tr("NetChangeView recordings (*.ncv);;All files (*)"));
    if (!path.isEmpty())
        startSaveRecording(path);
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

void MainWindow::createNamespaceCombo()
{
    auto *box = new QWidget(this);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(4, 0, 4, 0);
    // Several remote hosts are watched as several namespaces are: each host is one.
    const bool hosts = showsHosts();
    auto *label = new QLabel(hosts ? tr("&Host:") : tr("&Namespace:"), box);
    m_namespaceCombo = new QComboBox(box);
    m_namespaceCombo->setObjectName(QStringLiteral("namespaceCombo"));
    m_namespaceCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_namespaceCombo->setToolTip(hosts ? tr("The host whose tables are shown; the event log and the timeline show "
                                            "the changes of every host")
                                       : tr("The network namespace whose tables are shown; the event log and the "
                                            "timeline show the changes of every namespace"));
    label->setBuddy(m_namespaceCombo);
    layout->addWidget(label);
    layout->addWidget(m_namespaceCombo);
    m_tables->tabs()->setCornerWidget(box, Qt::TopRightCorner);
}

void MainWindow::setNamespaceItems(const QList<quint32> &ids, quint32 current)
{
    const QSignalBlocker quiet(m_namespaceCombo);
    m_namespaceCombo->clear();
    for (const quint32 id : ids)
        m_namespaceCombo->addItem(QString::fromStdString(platform::NamespaceTable::name(id)), id);
    m_namespaceCombo->setCurrentIndex(m_namespaceCombo->findData(current));
}

void MainWindow::setupLiveNamespaces()
{
    // Several namespaces watched live: the log and the timeline show them all, the tables
    // one at a time (ifindex 2 exists in each), chosen here; the items follow the
    // namespaces as they come and go.
    createNamespaceCombo();
    setNamespaceItems(m_model->watchedNamespaces(), m_model->tablesNamespace());
    connect(m_namespaceCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_namespaceCombo->currentIndex() >= 0)
            m_model->setTablesNamespace(m_namespaceCombo->currentData().toUInt());
    });
    connect(m_model, &NotificationModel::watchedNamespacesChanged, this,
            [this] { setNamespaceItems(m_model->watchedNamespaces(), m_model->tablesNamespace()); });
    // A large namespace's rows are prepared on a worker: the tables are empty meanwhile.
    connect(m_model, &NotificationModel::tablesNamespaceSwitching, this, [this](quint32 netns) {
        statusBar()->showMessage(
            tr("Loading the tables of %1…").arg(QString::fromStdString(platform::NamespaceTable::name(netns))));
    });
    connect(m_model, &NotificationModel::tablesNamespaceChanged, this, [this](quint32 netns) {
        if (statusBar()->currentMessage().startsWith(tr("Loading the tables of ")))
            statusBar()->clearMessage();
        const QSignalBlocker quiet(m_namespaceCombo);
        m_namespaceCombo->setCurrentIndex(m_namespaceCombo->findData(netns));
        if (m_timeTravel)
            onLiveTimeChanged(); // the banner names it
    });
}

void MainWindow::updateTimelineNamespaces()
{
    const QList<quint32> ids = m_model->namespaceIds();
    const bool shown = ids.size() >= 2;
    m_timelineNamespace->setVisible(shown);
    m_timelineNamespaceLabel->setVisible(shown);
    if (m_timelineNamespace->count() == ids.size() + 1)
        return;
    // The list grows as namespaces come (the current choice stays).
    const QSignalBlocker quiet(m_timelineNamespace);
    if (m_timelineNamespace->count() == 0) {
        const bool hosts = showsHosts();
        m_timelineNamespace->addItem(hosts ? tr("every host") : tr("every namespace"), 0u);
        if (hosts)
            m_timelineNamespace->setToolTip(tr("Count the changes of one host, or of every one"));
    }
    for (const quint32 id : ids) {
        if (m_timelineNamespace->findData(id) < 0)
            m_timelineNamespace->addItem(QString::fromStdString(platform::NamespaceTable::name(id)), id);
    }
}

void MainWindow::updateTimelineFilterNote()
{
    const TimelineBins *bins = m_model->timeline();
    if (!bins->hasFilter()) {
        m_timelineFilterNote->clear();
        return;
    }
    const QLocale locale;
    m_timelineFilterNote->setText(
        tr("%1 of %2 changes shown").arg(locale.toString(bins->total()), locale.toString(bins->totalUnfiltered())));
}

TimelineBins *MainWindow::chartBins() const
{
    return m_model->timeline();
}

void MainWindow::updateStatus()
{
    if (m_session) {
        const recording::RecordingInfo &info = m_session->info();
        const QLocale locale;
        QString counts
            = tr("Interfaces: %1   Addresses: %2   Routes: %3   Neighbors: %4   Rules: %5   Nexthops: %6   Events: %7")
                  .arg(locale.toString(m_model->interfaces()->liveRowCount()),
                       locale.toString(m_model->addresses()->liveRowCount()),
                       locale.toString(m_model->routes()->liveRowCount()),
                       locale.toString(m_model->neighbors()->liveRowCount()),
                       locale.toString(m_model->rules()->liveRowCount()),
                       locale.toString(m_model->nexthops()->liveRowCount()), locale.toString(info.eventCount));
        if (m_session->unloadedEvents() > 0)
            counts += tr("   (the log holds the first %1)").arg(locale.toString(m_session->loadedEvents()));
        m_countsLabel->setText(counts);
        m_resyncLabel->setText(QString());
        const QString source = info.meta.value(QStringLiteral("source"));
        const QString host = m_session->hostName();
        m_sourceLabel->setText(host.isEmpty() ? tr("Source: %1").arg(source)
                                              : tr("Source: %1 on %2").arg(source, host));
        m_stateLabel->setText(recordingStateText(info));
        return;
    }
    // Live objects, as `ip link / addr / route` list them: rows still shown struck through
    // (deleted, waiting for the sweep) are not counted. Those of the tables shown: under the
    // banner, the past's.
    const NotificationModel *shown = m_tables->model();
    const QLocale locale;
    m_countsLabel->setText(
        tr("Interfaces: %1   Addresses: %2   Routes: %3   Neighbors: %4   Rules: %5   Nexthops: %6   Events: %7 "
           "(%8/s)")
            .arg(locale.toString(shown->interfaces()->liveRowCount()),
                 locale.toString(shown->addresses()->liveRowCount()), locale.toString(shown->routes()->liveRowCount()),
                 locale.toString(shown->neighbors()->liveRowCount()), locale.toString(shown->rules()->liveRowCount()),
                 locale.toString(shown->nexthops()->liveRowCount()), locale.toString(m_model->totalEvents()),
                 locale.toString(m_model->eventsPerSecond(), 'f', 1)));
    if (const qint64 dropped = m_model->history()->droppedCount(); dropped > 0)
        m_countsLabel->setText(m_countsLabel->text()
                               + tr("   (%1 oldest dropped: history keeps %2)")
                                     .arg(locale.toString(dropped), locale.toString(m_model->history()->capacity())));
    const qint64 gaps = m_model->gapCount();
    m_resyncLabel->setText(tr("Resyncs: %1").arg(gaps));
    m_resyncLabel->setStyleSheet(gaps > 0 ? QStringLiteral("QLabel { color: #c0392b; font-weight: bold; }")
                                          : QString());
    m_sourceLabel->setText(tr("Source: %1").arg(m_model->sourceName()));
    m_stateLabel->setText(m_model->isRunning() ? tr("Running · %1").arg(familyText(m_model->addressFamily()))
                                               : tr("Paused"));
    if (m_remote)
        syncConnectionBanner();
    if (m_remote && m_model->isRunning() && m_remote->hostCount() > 1) {
        // "2 hosts: 1 live · 1 reconnecting in 4 s"
        int live = 0, connecting = 0, lost = 0, ended = 0;
        int retry = -1;
        for (int i = 0; i < m_remote->hostCount(); ++i) {
            switch (m_remote->state(i)) {
            case RemoteSession::State::Live: ++live; break;
            case RemoteSession::State::Connecting: ++connecting; break;
            case RemoteSession::State::Waiting:
                ++lost;
                retry = retry < 0 ? m_remote->secondsToRetry(i) : std::min(retry, m_remote->secondsToRetry(i));
                break;
            case RemoteSession::State::Reconnecting: ++lost; break;
            case RemoteSession::State::Ended: ++ended; break;
            }
        }
        QStringList parts;
        if (live > 0)
            parts << tr("%1 live").arg(live);
        if (connecting > 0)
            parts << tr("%1 connecting").arg(connecting);
        if (lost > 0)
            parts << (retry >= 0 ? tr("%1 reconnecting in %2 s").arg(lost).arg(retry)
                                 : tr("%1 reconnecting").arg(lost));
        if (ended > 0)
            parts << tr("%1 ended").arg(ended);
        m_stateLabel->setText(tr("%1 hosts: %2").arg(m_remote->hostCount()).arg(parts.join(QStringLiteral(" · "))));
    } else if (m_remote && m_model->isRunning()) {
        switch (m_remote->state()) {
        case RemoteSession::State::Connecting: m_stateLabel->setText(tr("Connecting…")); break;
        case RemoteSession::State::Waiting:
            m_stateLabel->setText(tr("Connection lost · reconnecting in %1 s").arg(m_remote->secondsToRetry()));
            break;
        case RemoteSession::State::Reconnecting: m_stateLabel->setText(tr("Connection lost · reconnecting…")); break;
        case RemoteSession::State::Ended: m_stateLabel->setText(tr("Ended")); break;
        case RemoteSession::State::Live: break;
        }
    }
}

bool MainWindow::showsHosts() const
{
    const QList<quint32> ids = m_model->hasSeveralNamespaces() ? m_model->watchedNamespaces() : m_model->namespaceIds();
    return !ids.isEmpty() && RemoteSession::isHostNetns(ids.constFirst());
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

void MainWindow::createLookupDock()
{
    m_lookupDock = new QDockWidget(tr("Route Lookup"), this);
    m_lookupDock->setObjectName(QStringLiteral("routeLookupDock")); // saveState() keys it
    m_lookupPanel = new RouteLookupPanel(m_tables, m_lookupDock);
    m_lookupDock->setWidget(m_lookupPanel);
    addDockWidget(Qt::RightDockWidgetArea, m_lookupDock);
    m_lookupDock->hide();
    QAction *toggle = m_lookupDock->toggleViewAction();
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    toggle->setToolTip(tr("Which route a destination takes, now and over the recording (Ctrl+Shift+L)"));
    connect(toggle, &QAction::triggered, this, [this](bool on) {
        if (on)
            m_lookupPanel->destinationEdit()->setFocus();
    });
    m_lookupPanel->setMomentProvider([this] {
        if (m_timeTravel && !m_timeTravel->isInPast())
            return tr("Now (the live tables)");
        const TimeCursor *cursor = timeCursor();
        return cursor ? tr("At %1 (the tables shown)").arg(utcText(cursor->cursorUs())) : tr("Now");
    });
    m_lookupPanel->setHistoryProvider([this] {
        RouteLookupPanel::HistorySource source;
        if (m_session) {
            source.path = m_session->path();
            source.netns = m_session->namespaceId();
            return source;
        }
        if (!m_feed || !m_feed->isOpen()) {
            source.why = m_timeTravel && !m_timeTravel->unavailableReason().isEmpty()
                ? m_timeTravel->unavailableReason()
                : tr("this window does not record");
            return source;
        }
        source.path = m_feed->currentPath();
        source.netns = m_timeTravel ? m_timeTravel->namespaceId() : 0;
        source.live = !m_timeTravel || !m_timeTravel->isInPast();
        const EventHistory *history = m_model->history();
        const quint64 newest = history->size() > 0 ? history->sequence(history->size() - 1) : 0;
        const RecordingFeed *feed = m_feed; // outlives the read: the destructor deletes the dock first
        if (newest != 0)
            source.waitCommitted = [feed, newest](const std::atomic<bool> &cancelled) {
                return feed->waitCommittedFromWorker(newest, LiveTimeTravel::kCommitWaitMs, cancelled);
            };
        return source;
    });
    connect(m_lookupPanel, &RouteLookupPanel::momentActivated, this, &MainWindow::setTimeCursor);
    connect(m_lookupPanel, &RouteLookupPanel::changesRead, m_chart, &TimelineChartView::setMarks);
}

} // namespace ncv

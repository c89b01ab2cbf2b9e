// SPDX-License-Identifier: GPL-2.0-or-later
// MainWindow: the frame around the pages — menus, toolbar, shortcuts, the status bar,
// the saved settings and the CSV export. It composes, top to bottom in a splitter, the
// live tables (TablesPage), the timeline chart (TimelineChartView) and the event history
// with its details (EventPane); those widgets own their own behaviour and links. It
// shows a NotificationModel and acts on its subscription (family selector, pause /
// resume) but does not start it: the app calls model->start() (with selectedFamily(),
// which is restored from the settings).
//
// A window can instead show a recording file (RecordingSession), read-only: its events in
// the log and the timeline, and the tables at a time cursor (the end of the recording
// first). Clicking the timeline or selecting an event moves the cursor; a banner above the
// tables names the moment shown. The tables at the new moment are read on a worker thread
// (RecordingSession::requestStateAt): the window stays usable, the banner keeps naming the
// moment still shown and, when reading takes longer than kSeekIndicatorMs, shows "Reading
// the tables at T..." with a busy bar and Cancel (Esc; the tables then stay as they are); a
// new move replaces a running one. Time > Compare Selected Range likewise compares on a
// worker thread, with a progress dialog and Cancel when it takes longer than a moment. A recording whose event log is
// read from the file opens before its timeline is counted: the chart fills as a worker counts, with the progress over
// the plot and in the status bar. File > Open Recording, the recent-files menu and a file dropped on any window open a
// recording in a new window.
//
// The live window records too (liverecordings.h): when its model first runs, a
// RecordingFeed writes every event to a new live-<start>.ncv in the recordings folder (the
// writer's own thread; the GUI thread only queues), after removing the oldest automatic
// recordings beyond the size limit. File > Save Recording As copies it, consistent, while
// it goes on. The status bar names the file. Closing the window closes the file cleanly.
// The live window has a time cursor too (LiveTimeTravel): clicking the timeline, selecting
// an event or Time > Previous / Next Change shows the tables at that moment, read from
// that recording on a worker thread as above (the same indicator, Cancel and Esc), under
// the same banner; the live model runs on meanwhile (the log and
// the timeline keep growing) and Back to Live (Ctrl+L) shows the live tables again. Time >
// Compare Selected Range works there too, on that recording (after the writer committed the
// range's events). Without a recording (--no-record) the cursor and Compare are unavailable
// and the chart's tooltip and the status bar say why.
#pragma once

#include "model/remotesource.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>

class QAbstractButton;
class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QToolButton;
class QProgressDialog;
class QSplitter;

namespace ncv {

class DiagnosticsDialog;
class EventPane;
class LiveTimeTravel;
class NotificationModel;
class RecordingFeed;
class RecordingSession;
class RemoteSession;
class StateDiffDialog;
class TimeCursor;
class TableSection;
class TablesPage;
class TimelineBins;
class RequesterFilterBox;
class RouteLookupPanel;
class TimelineChartView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Whether the live window records its events (liverecordings.h).
    enum class LiveRecording {
        FromSettings, ///< as the setting liveRecording/enabled says (default: it records)
        Off, ///< never (the --no-record command-line option)
    };
    /// Settings: QSettings("NetChangeView", "NetChangeView"), keys under "mainWindow/", and
    /// liveRecording/* (liverecordings.h). Recording starts when the model first runs
    /// (model->start(), before or after this), so its meta names the family asked for.
    explicit MainWindow(ncv::NotificationModel *model, QWidget *parent = nullptr,
                        LiveRecording recording = LiveRecording::FromSettings);
    /// A window on a recording that session has opened (RecordingSession::open()): takes
    /// the session and shows its model read-only, the tables at session->cursorUs().
    explicit MainWindow(std::unique_ptr<ncv::RecordingSession> session, QWidget *parent = nullptr);
    /// A live window on a remote host: takes the session (RemoteSession, its ssh source and
    /// model) and shows it as the live window shows this machine (recording, time travel),
    /// titled with the host. Does not start it: openRemoteWindow() does.
    explicit MainWindow(std::unique_ptr<ncv::RemoteSession> remote, QWidget *parent = nullptr,
                        LiveRecording recording = LiveRecording::FromSettings);
    ~MainWindow() override;

    /// A new window (not shown yet, deleted on close) watching host over ssh, started with
    /// addressFamily; the host goes first in the dialog's recent hosts. When the stream
    /// ends (ssh failed, the link died) the status bar and the title say so, with ssh's
    /// message and exit code.
    static MainWindow *openRemoteWindow(const ncv::RemoteHost &host, int addressFamily,
                                        LiveRecording recording = LiveRecording::FromSettings);
    /// The same on several hosts in one window (RemoteSession with a HostSetSource): a Host
    /// column in the event log, a Host box choosing the tables' host, one timeline whose "in:"
    /// box counts one host or every one; the banner has a line per host not live. options:
    /// those of each host's RemoteSource (tests give the ssh program).
    static MainWindow *openRemoteWindow(const QList<ncv::RemoteHost> &hosts, int addressFamily,
                                        LiveRecording recording = LiveRecording::FromSettings,
                                        const ncv::RemoteOptions &options = {});
    /// The remote host's session, or null.
    RemoteSession *remoteSession() const { return m_remote.get(); }
    /// Above the tables of a remote host's window while its connection is not live:
    /// "Connection lost, reconnecting in 4 s: WHY", "... reconnecting now: WHY", "Ended: WHY".
    QLabel *connectionBanner() const { return m_connectionBanner; }

    /// Opens the recording at path (recognised by its content) in a new window, not shown
    /// yet, with a progress dialog with Cancel (over progressParent) when loading takes
    /// more than half a second. Returns nullptr with *error one line when the file is not
    /// a recording, cannot be read, or opening was cancelled.
    /// A file of another format (an iproute2 rtmon file, an nlmon pcap / pcapng capture, our
    /// CSV export: recognised by their content, recording::detectFileKind) is first
    /// converted into a temporary recording (recording::importFile, on a worker thread) with
    /// a progress dialog
    /// (objectName "importProgressDialog": bytes read of the file's size, shown after
    /// kImportProgressDelayMs, window-modal over progressParent) whose Cancel stops the
    /// import at its next chunk and removes the partial file (*error then says "import of F
    /// cancelled"). The window removes its temporary recording when it closes, offers File >
    /// Save Recording As to keep it, and its status bar gives the import's summary (events,
    /// what was not shown or not read; after a large import, that it can be kept).
    /// maxEvents: events loaded into the event log at most (0 = the history's default capacity).
    static MainWindow *openRecordingWindow(const QString &path, QWidget *progressParent, QString *error,
                                           qint64 maxEvents = 0);
    /// The recent recordings (QSettings "recentFiles"), newest first, at most kMaxRecentFiles.
    static QStringList recentFiles();
    /// Puts path (made absolute) first in recentFiles().
    static void addRecentFile(const QString &path);
    static constexpr int kMaxRecentFiles = 10;
    /// The File > Open dialog's filters, the first the default; the one last chosen is
    /// kept in the settings under kOpenFilterKey.
    static QStringList openFileFilters();
    static constexpr char kOpenFilterKey[] = "openFileFilter";
    /// How long an import runs before its progress dialog shows.
    static constexpr int kImportProgressDelayMs = 300;
    /// An import that took this long, or read this much, is "large": the status bar then
    /// says it can be saved as a recording.
    static constexpr qint64 kLargeImportMs = 2000;
    static constexpr qint64 kLargeImportBytes = 32ll << 20;

    /// The recording shown, or null for the live window.
    RecordingSession *recordingSession() const { return m_session.get(); }
    /// The live window's time cursor; null in a recording window.
    LiveTimeTravel *liveTimeTravel() const { return m_timeTravel; }
    /// The bar above the tables naming the moment they show (recordings; the live window
    /// while it shows the past).
    QWidget *stateBanner() const { return m_banner; }
    /// Its text as one line: "State at 2026-11-21 03:12:07.123456 UTC — Back to the end (Ctrl+L)"
    /// ("— Back to live (Ctrl+L)" in the live window); "" when hidden.
    QString stateBannerText() const;
    /// A seek slower than this shows the seek indicator, ms.
    static constexpr int kSeekIndicatorMs = 300;
    /// In the banner: "Reading the tables at T..." with a busy bar and Cancel, shown while a
    /// seek runs longer than kSeekIndicatorMs (the live window shows the banner for it).
    QWidget *seekIndicator() const { return m_seekBox; }
    QLabel *seekLabel() const { return m_seekLabel; }
    QAbstractButton *seekCancelButton() const;
    /// Esc: cancels the running seek (enabled only while one runs).
    QAction *cancelSeekAction() const { return m_cancelSeekAction; }
    /// The progress of a comparison (showDiff()) while it runs, else null; shown when it
    /// takes longer than kSeekIndicatorMs.
    QProgressDialog *diffProgress() const;

    /// AF_INET, AF_INET6 or AF_UNSPEC chosen in the family selector (restored from the
    /// settings; AF_UNSPEC by default). The app passes it to model->start().
    int selectedFamily() const { return m_family; }

    /// Starts writing the event history as it is now to path as CSV: csv::exportToFile
    /// (all or nothing) run by QtConcurrent::run, watched by a QFutureWatcher that feeds a
    /// progress dialog with Cancel (shown when the export takes longer than half a second).
    /// Returns at once; the window stays usable, and events that arrive meanwhile are not
    /// written. The end is reported by exportFinished(), in the status bar, and for a
    /// failure other than Cancel in a message box. Returns false, starting nothing, while
    /// another export runs. File > Export calls this after its file dialog.
    bool startExport(const QString &path);
    /// True from startExport() until its exportFinished().
    bool isExporting() const;

    bool isPaused() const;

    /// The folder of the automatic recordings: the setting liveRecording/folder, else
    /// liverecordings::defaultFolder().
    static QString liveRecordingFolder();
    /// The live recording written now (absolute path); empty when not recording (a
    /// recording window, --no-record, the setting off, or the file could not be created).
    QString liveRecordingPath() const;
    /// The live window's recording; null when not recording.
    RecordingFeed *liveRecording() const { return m_feed; }
    /// Starts copying the live recording to path (recording::copyRecording: SQLite's backup
    /// API from a read-only connection, on a QtConcurrent worker) and returns at once;
    /// recordingSaved() reports the end, the status bar says it, and a failure opens a
    /// message box (objectName "saveRecordingErrorBox", not modal). Returns false, starting
    /// nothing, when not recording or while another copy runs. File > Save Recording As
    /// calls this after its file dialog.
    bool startSaveRecording(const QString &path);
    /// True from startSaveRecording() until its recordingSaved().
    bool isSavingRecording() const { return !m_savePath.isEmpty(); }
    QAction *saveRecordingAction() const { return m_saveRecordingAction; }
    /// "Recording to live-….ncv" (tooltip: the whole path), or why not; empty in a
    /// recording window.
    QLabel *recordingLabel() const { return m_recordingLabel; }
    /// A recording window's note from the file (meta note: e.g. that the state before the
    /// first event of an import is incomplete); null when the recording has none.
    QLabel *recordingNoteLabel() const { return m_noteLabel; }
    /// A recording of several network namespaces, or the live window on several
    /// (NotificationModel::hasSeveralNamespaces(); its items the watched namespaces, as they
    /// come and go): the namespace whose tables are shown (the tab bar's corner; item data:
    /// its platform::NamespaceTable id). nullptr otherwise.
    QComboBox *namespaceCombo() const { return m_namespaceCombo; }
    /// The timeline's namespace filter ("every namespace", then each namespace; item data:
    /// its platform::NamespaceTable id, 0 for every one): shown while the log holds events
    /// of two or more namespaces.
    QComboBox *timelineNamespaceCombo() const { return m_timelineNamespace; }

    /// The Interfaces / Addresses / Routes / Entities tabs.
    TablesPage *tablesPage() const { return m_tables; }
    /// The event log, its time filter and the details panel.
    EventPane *eventPane() const { return m_eventPane; }
    TimelineChartView *timelineView() const { return m_chart; }
    /// The timeline's By filter (only the changes one process asked for).
    RequesterFilterBox *timelineFilter() const { return m_timelineFilter; }
    /// What the chart shows: the model's events minus the Initial (snapshot) rows.
    TimelineBins *chartBins() const;
    QComboBox *familySelector() const { return m_familyCombo; }
    QAction *pauseAction() const { return m_pauseAction; }
    QAction *clearTimeFilterAction() const { return m_clearTimeFilterAction; }
    QAction *copyAction() const { return m_copyAction; }
    QAction *findAction() const { return m_findAction; }
    QLabel *countsLabel() const { return m_countsLabel; }
    /// "Running · IPv4 + IPv6", "Paused"; a remote host's "Connection lost · reconnecting in 4 s"...
    QLabel *stateLabel() const { return m_stateLabel; }
    /// "Resyncs: N": gap records seen (each is followed by a resync).
    QLabel *resyncLabel() const { return m_resyncLabel; }
    QAction *diagnosticsAction() const { return m_diagnosticsAction; }
    QAction *openAction() const { return m_openAction; }
    QMenu *recentMenu() const { return m_recentMenu; }
    /// Back to the end of a recording, or to live in the live window ("backToLiveAction":
    /// the live tables, and the timeline follows the live edge) (Ctrl+L); previous / next
    /// change (Alt+Left / Alt+Right).
    QAction *backToEndAction() const { return m_backToEndAction; }
    QAction *previousChangeAction() const { return m_previousChangeAction; }
    QAction *nextChangeAction() const { return m_nextChangeAction; }
    /// Time > Compare Selected Range (Ctrl+D), enabled while a range selected on the
    /// timeline filters the event log (recording and live windows).
    QAction *compareRangeAction() const { return m_compareRangeAction; }
    /// View > Route Lookup (Ctrl+Shift+L): "which route does X take" now / at the cursor and
    /// over the window's recording (RouteLookupPanel); its visibility is kept with the window state.
    QDockWidget *routeLookupDock() const { return m_lookupDock; }
    RouteLookupPanel *routeLookupPanel() const { return m_lookupPanel; }
    /// The diagnostics window, created on first use (null before).
    DiagnosticsDialog *diagnosticsDialog() const { return m_diagnostics; }

Q_SIGNALS:
    /// The export started by startExport(path) ended. written: events in the file (the
    /// history's size when the export started; 0 on failure). error: "" on success, else one
    /// line ("Export cancelled; <path> was not changed." or csv::exportToFile's reason).
    void exportFinished(const QString &path, qint64 written, const QString &error);
    /// The copy started by startSaveRecording(path) ended: error "" on success, else one line.
    void recordingSaved(const QString &path, const QString &error);

public Q_SLOTS:
    /// Opens path in a new recording window (openRecordingWindow()), shows it and adds path
    /// to the recent files. On failure says why in a message box (objectName
    /// "openErrorBox", not modal) and the status bar, and returns nullptr; this window
    /// stays as it was.
    MainWindow *openRecording(const QString &path);
    /// Shows the tables at us (µs since the epoch, clamped to the recording; in the live
    /// window to [its recording's start, now], read from its recording) and moves the time
    /// cursor there. Reads them on a worker thread and returns true at once
    /// (TimeCursor::seekFinished() tells the end; a failure goes to the status bar). False
    /// when the live window does not record (the status bar says why).
    bool setTimeCursor(qint64 us);
    /// Compares the tables at fromUs and at toUs on a worker thread
    /// (TimeCursor::requestDiff: the recording, or the live window's recording after the
    /// writer committed the events up to toUs) and returns true at once; when done, a
    /// dialog with the net changes opens (a StateDiffDialog child: not modal, deleted on
    /// close), a failure goes to the status bar. False (the status bar says why) when the
    /// live window does not record.
    bool showDiff(qint64 fromUs, qint64 toUs);
    /// Switches the subscription to AF_INET / AF_INET6 / AF_UNSPEC: cancel, then register
    /// again with a fresh snapshot (only remembered while paused).
    void setFamily(int addressFamily);
    /// Pause = cancel the registration; resume = register again with a fresh snapshot.
    void setPaused(bool paused);
    /// Copies the selected rows of the focused (else the current) table as tab-separated
    /// text with a header line.
    void copySelection();
    /// Focuses the filter line of the focused (else the current) table.
    void focusFilter();
    /// Opens (or raises) the diagnostics window.
    void showDiagnostics();
    /// Updates the status bar now (it also runs on a 250 ms timer).
    void updateStatus();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    /// The import part of openRecordingWindow(): *recordingPath the temporary recording,
    /// *summary the status bar's line.
    static bool importForWindow(const QString &path, QWidget *progressParent, QString *recordingPath, QString *summary,
                                QString *error);
    void init();
    void setupRecording();
    void onStateShown(qint64 us);
    void onSeekStarted(qint64 us);
    void onSeekFinished(qint64 us, bool shown, const QString &error);
    void onDiffFinished(qint64 fromUs, qint64 toUs, bool done, const QString &error);
    /// The session or the live time cursor (null before setup).
    TimeCursor *timeCursor() const;
    /// The seek indicator and Esc follow timeCursor()'s seeks.
    void connectSeeks();
    void cancelSeek();
    /// Shows the banner while it has something to say: the moment of a recording window or
    /// of the live window's past, or the seek indicator.
    void syncBanner();
    void onTimelineProgress(qint64 done, qint64 total);
    /// The Time menu (before Help) with Previous / Next Change and Back to the End / Live,
    /// the banner's button, and the cursor moves from the timeline and the event log.
    QMenu *createTimeMenu();
    /// Previous (direction < 0) or next change from the cursor.
    void stepChange(int direction);
    /// Makes the current row of the event log its event i (when shown).
    void selectCursorEvent(qint64 i);
    void setupLiveTimeTravel();
    /// Gives the time cursor the live recording (or why there is none).
    void syncTimeTravel();
    void onLiveTimeChanged();
    void openWithDialog();
    void fillRecentMenu();
    void createActions();
    void createMenus();
    void createLayout();
    void createLookupDock();
    void restoreSettings();
    void saveSettings() const;
    void exportWithDialog();
    void startLiveRecording();
    void saveRecordingWithDialog();
    void onSaveRecordingFinished();
    void onExportFinished();
    void showAbout();
    /// Every table section: the tables page's, then the event log's.
    QList<TableSection *> sections() const;
    void onSnapshotComplete();
    void onRunningChanged(bool running);
    void syncFamilyControls();
    bool restartModel();
    TableSection *currentSection() const;

    std::unique_ptr<RecordingSession> m_session; // a recording window's document
    std::unique_ptr<RemoteSession> m_remote; // a remote host's window: its source and model
    QAction *m_openRemoteAction = nullptr;
    void openRemoteWithDialog();
    void onRemoteEnded(const QString &message);
    // The title, status line and state label of a remote window's connection (lost,
    // reconnecting in N s, back).
    void onRemoteStateChanged(int index = 0);
    // Several hosts: the title and status bar after host number index changed state.
    void onHostStateChanged(int index);
    // The banner's line for host number index ("" while live or connecting).
    QString hostBannerLine(int index) const;
    // The hosts' clock offsets on the source field's and the host box's tooltips.
    void updateHostClocks();
    // True when the namespaces shown are remote hosts (HostSetSource): "Host" labels.
    bool showsHosts() const;
    // The connection banner's text and visibility, from the session's state (with the
    // seconds left before the next attempt).
    void syncConnectionBanner();
    QLabel *m_connectionBanner = nullptr;
    NotificationModel *m_model = nullptr;
    int m_family = 0;
    bool m_columnsFitted = false;
    struct ExportOutcome;
    QFutureWatcher<void> m_exportWatcher;
    QPointer<QProgressDialog> m_exportProgress;
    std::shared_ptr<ExportOutcome> m_exportOutcome; // set while an export runs
    QString m_exportPath;
    qint64 m_exportCount = 0; // events being written
    LiveRecording m_liveRecordingMode = LiveRecording::FromSettings;
    bool m_liveRecordingTried = false; // startLiveRecording() ran (once, at the first run)
    RecordingFeed *m_feed = nullptr; // the live recording, a child
    LiveTimeTravel *m_timeTravel = nullptr; // the live window's time cursor, a child
    QFutureWatcher<QString> m_saveWatcher; // the copy's error ("" = saved)
    QString m_savePath; // set while a copy runs
    QString m_temporaryRecording; // an import converted for this window: removed with it
    QLabel *m_noteLabel = nullptr; // the recording's meta note, when it has one
    QComboBox *m_namespaceCombo = nullptr;
    QComboBox *m_timelineNamespace = nullptr;
    QLabel *m_timelineNamespaceLabel = nullptr;
    void updateTimelineNamespaces(); // the items of m_timelineNamespace, and whether it shows
    void createNamespaceCombo(); // m_namespaceCombo, empty, in the tables' corner
    void setNamespaceItems(const QList<quint32> &ids, quint32 current); // without signals
    void setupLiveNamespaces(); // the live window on several namespaces: the combo follows the model

    TablesPage *m_tables = nullptr;
    QWidget *m_banner = nullptr;
    QLabel *m_bannerLabel = nullptr;
    QToolButton *m_bannerButton = nullptr;
    QWidget *m_seekBox = nullptr;
    QLabel *m_seekLabel = nullptr;
    QToolButton *m_seekCancel = nullptr;
    QAction *m_cancelSeekAction = nullptr;
    QPointer<QProgressDialog> m_diffProgress; // while a comparison runs
    QTimer m_seekTimer; // single shot: shows m_seekBox when a seek takes longer than kSeekIndicatorMs
    QLabel *m_timelineLabel = nullptr; // the timeline's count progress, in the status bar
    TimelineChartView *m_chart = nullptr;
    RequesterFilterBox *m_timelineFilter = nullptr;
    QLabel *m_timelineFilterNote = nullptr; // "N of M changes" while the By filter applies
    void updateTimelineFilterNote();
    EventPane *m_eventPane = nullptr;
    DiagnosticsDialog *m_diagnostics = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QPointer<TableSection> m_lastSection;
    QList<TableSection *> m_restoredSections;

    QLabel *m_countsLabel = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_resyncLabel = nullptr;
    QLabel *m_recordingLabel = nullptr;
    QTimer m_statusTimer;

    QComboBox *m_familyCombo = nullptr;
    QActionGroup *m_familyGroup = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_saveRecordingAction = nullptr;
    QAction *m_openAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_backToEndAction = nullptr;
    QAction *m_previousChangeAction = nullptr;
    QAction *m_nextChangeAction = nullptr;
    QAction *m_compareRangeAction = nullptr;
    bool m_selectingCursorEvent = false; // the log's selection follows the cursor, not the reverse
    qint64 m_rangeFromUs = 0; // the range last selected on the timeline
    qint64 m_rangeToUs = 0;
    QAction *m_quitAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_clearTimeFilterAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_diagnosticsAction = nullptr;
    QDockWidget *m_lookupDock = nullptr;
    RouteLookupPanel *m_lookupPanel = nullptr;
};

} // namespace ncv

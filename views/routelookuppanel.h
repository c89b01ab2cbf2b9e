// SPDX-License-Identifier: GPL-2.0-or-later
// RouteLookupPanel: "which route does X take", the content of the main window's Route Lookup
// dock. Inputs: a destination address, and optionally a source address, a fwmark (decimal or
// 0x hex) and an input interface, as `ip route get` takes them. Bad input: one line under
// the inputs, nothing looked up.
// "Now / at the cursor": platform::lookupRoute() over the rows of the tables the window shows
// (TablesPage::model(): the live tables, or those at the time cursor): the routes covering
// the destination (CoveringRoutes: the Routes table is read whole once per destination,
// table or reset, then only the rows that changed are looked at), the rules, the interfaces
// and, when a covering route names one, the nexthop objects. Worked out again (at most every
// kThrottleMs) when a covering route, a rule, a nexthop object or an interface changes, or
// the tables are swapped for another moment; a change of another route costs nothing more.
// While hidden, the panel follows nothing and looks up again when shown.
// "Over time": the changes of the answer over the window's recording
// (recording::lookupHistory(), the rows `--lookup --export-csv` writes), read on a worker
// thread (LatestRequest: the latest request wins) with a progress bar and Cancel; read again
// when the query or the recording changes. In the live window, when the answer now changes,
// only the events written since the last read are read (recording::LookupTracker goes on
// from that read's pass), which gives the rows a read of the whole file would. Activating a
// change asks for the time cursor at its moment (momentActivated()); Ctrl+C copies the
// selected changes as tab-separated text; Export CSV writes exactly what `--lookup
// --export-csv` writes. GUI thread only.
#pragma once

#include "model/latestrequest.h"
#include "model/recording/lookupexport.h"
#include "model/tables/coveringroutes.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QToolButton;

namespace ncv {

class NotificationModel;
class TablesPage;

class RouteLookupPanel : public QWidget {
    Q_OBJECT
public:
    /// Where the over-time answers are read from (asked for at each request).
    struct HistorySource {
        QString path; ///< the recording; "" = none (then why says why)
        QString why; ///< one line: why there is no recording
        quint32 netns = 0; ///< the namespace looked up in (a platform::NamespaceTable id; 0 for one)
        /// Worker thread: waits until the file holds what the window shows (the live
        /// recording's writer lags a little); empty = nothing to wait for.
        std::function<bool(const std::atomic<bool> &cancelled)> waitCommitted;
        /// The tables shown are live: a change of their answer is a new change in the
        /// recording (read it again); a moment of the past changes with the cursor only.
        bool live = false;
    };
    using HistoryProvider = std::function<HistorySource()>;

    /// Shows the answers for tables->model()'s tables (followed when it shows another).
    explicit RouteLookupPanel(TablesPage *tables, QWidget *parent = nullptr);
    ~RouteLookupPanel() override;
    QSize sizeHint() const override;

    /// Recompute the answer now at most this often, ms (more seldom when a lookup over the
    /// tables takes long: at most a fifth of the time goes to it). Not while hidden.
    static constexpr int kThrottleMs = 250;
    /// Typing in the inputs starts the lookup after this pause, ms.
    static constexpr int kTypingDelayMs = 300;

    /// Over-time answers come from provider's recording; none without one.
    void setHistoryProvider(HistoryProvider provider);
    /// Text naming the moment of the tables ("Now (live tables)", "At 03:12:07 UTC").
    void setMomentProvider(std::function<QString()> provider);

    QLineEdit *destinationEdit() const { return m_destination; }
    QLineEdit *sourceEdit() const { return m_source; }
    QLineEdit *fwmarkEdit() const { return m_fwmark; }
    QLineEdit *inputInterfaceEdit() const { return m_iif; }
    /// The one-line input error ("" and hidden when the input is fine).
    QLabel *errorLabel() const { return m_error; }
    /// Reads the inputs and looks up now (instead of after kTypingDelayMs).
    void applyInputs();

    /// True when the inputs are valid and the answer now was worked out.
    bool hasAnswer() const { return m_hasAnswer; }
    /// The answer now: its cells as the CSV has them (cause empty). Valid while hasAnswer().
    const recording::LookupChange &answer() const { return m_answer; }
    /// The answer's next hops as `ip route get` prints them: "via 10.0.0.1 dev v0", ';'
    /// between hops; "" without a route.
    QString nextHopsText() const;
    /// The label with the answer now ("unicast 10.0.0.0/24 via ... dev ...").
    QLabel *answerLabel() const { return m_answerLabel; }

    /// The over-time changes (columns: Time, Outcome, Route, Table, Rule, Via, Dev, Cause;
    /// Qt::UserRole of column 0: the time, µs since the epoch).
    QTableView *changesView() const { return m_changesView; }
    QStandardItemModel *changesModel() const { return m_changesModel; }
    /// The changes shown (as lookupHistory() gave them).
    const std::vector<recording::LookupChange> &changes() const { return m_changes; }
    /// True while the over-time answers are being read.
    bool isReadingHistory() const { return m_history.isRunning(); }
    /// "3 changes over the recording", "No recording: ...", the read's error.
    QLabel *historyStatus() const { return m_historyStatus; }
    /// Reads the over-time answers again (the Refresh button).
    void refreshHistory();
    /// Reads of the over-time answers: of the whole recording, and of only the events
    /// written since the last read (the live window, after the answer now changed). For tests.
    int historyFullReads() const { return m_fullReads; }
    int historyIncrementalReads() const { return m_incrementalReads; }
    /// The routes covering the destination that the answer now is worked out from. For tests.
    const CoveringRoutes &coveringRoutes() const { return m_covering; }
    /// Copies the selected changes (all when none is selected) with a header line,
    /// tab-separated.
    void copyChanges();
    /// Writes the changes as `--lookup --export-csv` does to path (QSaveFile). False with
    /// *error one line.
    bool exportCsv(const QString &path, QString *error) const;

Q_SIGNALS:
    /// A change was activated: show the tables at atUs.
    void momentActivated(qint64 atUs);
    /// The over-time changes were read again: their moments (µs) and one line each
    /// ("10.0.0.5 left wg0 at 03:12:07: rule 5210 deleted"), for the timeline's marks.
    void changesRead(const QList<qint64> &timesUs, const QStringList &texts);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct HistoryResult {
        std::vector<recording::LookupChange> changes;
        recording::LookupTracker tracker; // to go on with the events written after this read
        QString error;
        bool ok = false;
        bool nanoseconds = false;
        bool incremental = false;
    };
    // Worker thread: waits until source's file holds what the window shows, then opens it
    // into *reader (result->error says why not; result->nanoseconds from its header).
    // False when cancelled meanwhile or the file does not open.
    static bool openForHistory(const HistorySource &source, const std::atomic<bool> &cancelled,
                               recording::RecordingReader *reader, HistoryResult *result);
    void watchModel(NotificationModel *model);
    void scheduleAnswer();
    void computeAnswer();
    bool parseInputs(platform::RouteQuery *query, QString *error) const;
    void continueHistory();
    void onHistoryRead(HistoryResult &result);
    void showChanges();
    void fitColumns();
    void updateHistoryStatus();
    void exportWithDialog();

    TablesPage *m_tables;
    QPointer<NotificationModel> m_model;
    QList<QMetaObject::Connection> m_modelConnections;
    HistoryProvider m_historyProvider;
    std::function<QString()> m_momentProvider;

    QLineEdit *m_destination = nullptr;
    QLineEdit *m_source = nullptr;
    QLineEdit *m_fwmark = nullptr;
    QLineEdit *m_iif = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_momentLabel = nullptr;
    QLabel *m_answerLabel = nullptr;
    QLabel *m_detailLabel = nullptr;
    QTableView *m_changesView = nullptr;
    QStandardItemModel *m_changesModel = nullptr;
    QLabel *m_historyStatus = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_cancel = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_export = nullptr;

    QTimer m_typingTimer; // single shot: the inputs settled
    QTimer m_answerTimer; // single shot: the tables changed (not restarted: a throttle)
    QTimer m_progressTimer; // polls m_progressValue while a read runs
    bool m_stale = false; // the tables changed while the panel was hidden
    bool m_valid = false; // the inputs parse
    platform::RouteQuery m_query;
    bool m_hasAnswer = false;
    recording::LookupChange m_answer;
    CoveringRoutes m_covering; // the routes covering m_query.destination, while shown

    LatestRequest<HistoryResult> m_history;
    std::shared_ptr<std::atomic<int>> m_progressValue;
    std::vector<recording::LookupChange> m_changes;
    platform::RouteQuery m_changesQuery; // the query m_changes answer
    bool m_changesNanoseconds = false;
    QString m_lastSourceKey; // path + namespace of the last read: a new one reads again
    // The last read's pass (m_changes are its rows), of m_trackerKey's file and m_changesQuery:
    // the live window reads only the events after it.
    recording::LookupTracker m_tracker;
    QString m_trackerKey;
    bool m_fullReadRunning = false;
    bool m_continueAfterRead = false; // the answer changed while a full read ran
    int m_fullReads = 0;
    int m_incrementalReads = 0;
};

} // namespace ncv

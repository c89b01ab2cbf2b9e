// SPDX-License-Identifier: GPL-2.0-or-later
// SignalWatcher: turns the signals that ask a process to end (Unix: SIGINT, SIGTERM,
// SIGHUP, SIGQUIT; Windows: Ctrl+C, Ctrl+Break, console close) into a Qt signal on the GUI
// thread, so the headless recorder writes its file and the window saves its settings
// before the process ends. The OS handler only writes a byte to a socket pair
// (async-signal-safe), as Qt's "Calling Qt Functions From Unix Signal Handlers" page
// describes.
//
// Unix dispositions while installed (the previous ones come back in the destructor):
//   SIGINT, SIGTERM, SIGQUIT   terminationRequested
//   SIGHUP                     terminationRequested, or reopenRequested after
//                              setHangupReopens(true) (a recorder writing a file: the log
//                              rotation convention); unless the process started with it
//                              ignored (nohup): then it stays ignored
//   SIGUSR1                    statusRequested (like dd, a progress line on request)
//   SIGUSR2, SIGALRM           ignored (their default action would end the process and
//                              lose what is recorded)
//   SIGPIPE                    ignored: a closed standard error (`2>&1 | head -1`) makes
//                              writes to it fail with EPIPE instead of killing the process
#pragma once

#include <QObject>

class QSocketNotifier;

namespace ncv {

class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// Installs the handlers (one SignalWatcher per process). Returns false with *error
    /// set when that failed.
    bool install(QString *error);
    /// SIGHUP emits reopenRequested instead of terminationRequested (Unix; call at any time).
    void setHangupReopens(bool reopens) { m_hangupReopens = reopens; }

Q_SIGNALS:
    /// Emitted on the GUI thread; signalName is "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT",
    /// or "CTRL_C_EVENT", "CTRL_BREAK_EVENT", "CTRL_CLOSE_EVENT" on Windows.
    void terminationRequested(const QString &signalName);
    /// Emitted on the GUI thread for SIGUSR1 (Unix only); signalName is "SIGUSR1".
    void statusRequested(const QString &signalName);
    /// Emitted on the GUI thread for SIGHUP after setHangupReopens(true); signalName is
    /// "SIGHUP".
    void reopenRequested(const QString &signalName);

private:
    void readSignal();
    QSocketNotifier *m_notifier = nullptr;
    bool m_hangupReopens = false;
};

} // namespace ncv

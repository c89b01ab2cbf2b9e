// SignalWatcher: turns SIGINT / SIGTERM (Unix) or Ctrl+C / Ctrl+Break / console close
// (Windows) into a Qt signal on the GUI thread, so headless recording can stop cleanly.
// The OS handler only writes a byte to a socket pair (async-signal-safe), as Qt's
// "Calling Qt Functions From Unix Signal Handlers" page describes.
#pragma once

#include <QObject>

class QSocketNotifier;

namespace ncv {

class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// Installs the handlers. Returns false with *error set when that failed.
    bool install(QString *error);

Q_SIGNALS:
    /// Emitted on the GUI thread; signalName is "SIGINT", "SIGTERM" or "CTRL_C_EVENT"...
    void terminationRequested(const QString &signalName);

private:
    void readSignal();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace ncv

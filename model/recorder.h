// Recorder: headless recording (no widgets). Registers through a NotificationModel in
// Mode::HistoryOnly (no tables, no timeline: only the events and interface names),
// emits ready() once the initial snapshot is in and notifications are live, records
// until durationSec has passed (timer started at ready) or stop() is called, then
// cancels, applies what is pending, writes the CSV (csv::exportToFile) and emits
// finished(exitCode, error). GUI (main) thread only.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

namespace ncv {

namespace platform {
class Source;
}
class NotificationModel;

struct RecorderOptions {
    QString csvPath; ///< output file
    int addressFamily = 0; ///< AF_INET / AF_INET6 / AF_UNSPEC (use platform::afUnspec() etc.)
    bool initial = true; ///< record the snapshot as `initial` events
    double durationSec = -1; ///< seconds after ready(); -1 = until stop(); 0 = stop at ready
};

class Recorder : public QObject {
    Q_OBJECT
public:
    /// Does not own source.
    Recorder(platform::Source *source, RecorderOptions options, QObject *parent = nullptr);
    ~Recorder() override;

    /// Registers. Returns false with *error set when the registration fails.
    bool start(QString *error);
    /// Finishes now (any time, also before ready): cancel, apply pending, write CSV,
    /// emit finished(). Does nothing after the first call.
    void stop();

    NotificationModel *model() const { return m_model; }
    const RecorderOptions &options() const { return m_options; }
    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    /// The initial snapshot has been applied and notifications are live (once).
    void ready();
    /// Recording ended: exitCode 0 and an empty error when the CSV was written;
    /// non-zero and a message naming the file and the reason otherwise.
    void finished(int exitCode, const QString &error);

private:
    void onSnapshotComplete();

    RecorderOptions m_options;
    NotificationModel *m_model;
    QTimer m_durationTimer;
    bool m_ready = false;
    bool m_finished = false;
};

} // namespace ncv

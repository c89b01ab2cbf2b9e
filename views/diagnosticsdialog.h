// SPDX-License-Identifier: GPL-2.0-or-later
// DiagnosticsDialog: a non-modal window (Help > Diagnostics) that shows, refreshed every
// second while visible, how the change source is doing: its name; from Source::stats the
// requested and effective receive buffer (forced or clamped — a WARNING when the kernel
// gave less than asked, i.e. clamped by net.core.rmem_max), messages, records, batches,
// gaps, resyncs, dump restarts and decode errors; net.core.rmem_max and this socket's
// drop count from /proc (Linux only); events per second; batch sizes and the GUI
// thread's time applying them (NotificationModel::applyStats). GUI thread only.
#pragma once

#include <QDialog>
#include <QHash>
#include <QTimer>

class QFormLayout;
class QLabel;

namespace ncv {

class NotificationModel;

class DiagnosticsDialog : public QDialog {
    Q_OBJECT
public:
    static constexpr int RefreshMs = 1000;

    explicit DiagnosticsDialog(NotificationModel *model, QWidget *parent = nullptr);

    /// Refreshes every value now (also runs every RefreshMs while shown).
    void refresh();
    /// Text shown for a row, by key: "source", "requestedBuffer", "effectiveBuffer",
    /// "bufferMode", "rmemMax", "drops", "messages", "records", "batches", "gaps",
    /// "resyncs", "dumpRestarts", "decodeErrors", "eventsPerSecond", "batchSize",
    /// "applyTime"; "" for an unknown key. For tests.
    QString valueText(const QString &key) const;
    /// The buffer warning ("" when the buffer is as large as requested or unknown).
    QString warningText() const;

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void addRow(const QString &key, const QString &label);
    void set(const QString &key, const QString &text);

    NotificationModel *m_model;
    QFormLayout *m_form = nullptr;
    QLabel *m_warning = nullptr;
    QHash<QString, QLabel *> m_values;
    QTimer m_timer;
};

} // namespace ncv

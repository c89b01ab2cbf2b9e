// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/diagnosticsdialog.h"

#include "model/diagnostics.h"
#include "model/notificationmodel.h"
#include "platform/source.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace ncv {

namespace {
QString bytesText(qint64 bytes)
{
    return QStringLiteral("%1 (%2)").arg(QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat),
                                         QLocale::system().toString(bytes));
}
QString number(quint64 n)
{
    return QLocale::system().toString(n);
}
} // namespace

DiagnosticsDialog::DiagnosticsDialog(NotificationModel *model, QWidget *parent) : QDialog(parent), m_model(model)
{
    setObjectName(QStringLiteral("diagnosticsDialog"));
    setWindowTitle(tr("Diagnostics"));
    setModal(false);

    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("diagnosticsWarning"));
    m_warning->setWordWrap(true);
    m_warning->setAutoFillBackground(true);
    m_warning->setMargin(6);
    QPalette pal = m_warning->palette();
    pal.setColor(QPalette::Window, QColor(0xfd, 0xeb, 0xc0));
    pal.setColor(QPalette::WindowText, QColor(0x5a, 0x3a, 0x00));
    m_warning->setPalette(pal);
    m_warning->hide();

    m_form = new QFormLayout;
    m_form->setLabelAlignment(Qt::AlignRight);
    addRow(QStringLiteral("source"), tr("Source:"));
    addRow(QStringLiteral("requestedBuffer"), tr("Receive buffer requested:"));
    addRow(QStringLiteral("effectiveBuffer"), tr("Receive buffer effective:"));
    addRow(QStringLiteral("bufferMode"), tr("Set with:"));
    addRow(QStringLiteral("rmemMax"), tr("net.core.rmem_max:"));
    addRow(QStringLiteral("drops"), tr("Socket drops (/proc/net/netlink):"));
    addRow(QStringLiteral("messages"), tr("Messages read:"));
    addRow(QStringLiteral("records"), tr("Records delivered:"));
    addRow(QStringLiteral("batches"), tr("Callbacks (batches):"));
    addRow(QStringLiteral("gaps"), tr("Gaps (events lost):"));
    addRow(QStringLiteral("resyncs"), tr("Resyncs:"));
    addRow(QStringLiteral("dumpRestarts"), tr("Dump restarts (NLM_F_DUMP_INTR):"));
    addRow(QStringLiteral("decodeErrors"), tr("Decode errors:"));
    addRow(QStringLiteral("eventsPerSecond"), tr("Events per second:"));
    addRow(QStringLiteral("batchSize"), tr("Batch size (last / max / average):"));
    addRow(QStringLiteral("applyTime"), tr("GUI apply time (last / max / average):"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_warning);
    layout->addLayout(m_form);
    layout->addStretch(1);
    layout->addWidget(buttons);

    m_timer.setInterval(RefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &DiagnosticsDialog::refresh);
    refresh();
}

void DiagnosticsDialog::addRow(const QString &key, const QString &label)
{
    auto *value = new QLabel(this);
    value->setObjectName(key);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(label, value);
    m_values.insert(key, value);
}

void DiagnosticsDialog::set(const QString &key, const QString &text)
{
    if (QLabel *label = m_values.value(key))
        label->setText(text);
}

QString DiagnosticsDialog::valueText(const QString &key) const
{
    const QLabel *label = m_values.value(key);
    return label ? label->text() : QString();
}

QString DiagnosticsDialog::warningText() const
{
    return m_warning->isHidden() ? QString() : m_warning->text();
}

void DiagnosticsDialog::showEvent(QShowEvent *event)
{
    refresh();
    m_timer.start();
    QDialog::showEvent(event);
}

void DiagnosticsDialog::hideEvent(QHideEvent *event)
{
    m_timer.stop();
    QDialog::hideEvent(event);
}

void DiagnosticsDialog::refresh()
{
    const QString na = tr("not available");
    set(QStringLiteral("source"), m_model->sourceName() + (m_model->isRunning() ? QString() : tr(" (paused)")));

    platform::SourceStats stats;
    const bool haveStats = m_model->sourceStats(&stats);
    QString warning;
    if (haveStats) {
        set(QStringLiteral("requestedBuffer"),
            stats.requestedReceiveBuffer > 0 ? bytesText(stats.requestedReceiveBuffer) : na);
        set(QStringLiteral("effectiveBuffer"),
            stats.effectiveReceiveBuffer > 0 ? bytesText(stats.effectiveReceiveBuffer) : na);
        // Linux doubles the value set (bookkeeping overhead): SO_RCVBUFFORCE of N reads back
        // 2N; SO_RCVBUF reads back 2 * min(N, net.core.rmem_max). Less than that = clamped.
        const qint64 requested = stats.requestedReceiveBuffer;
        const qint64 effective = stats.effectiveReceiveBuffer;
        const bool clamped = requested > 0 && effective > 0
            && (effective < requested || (!stats.receiveBufferForced && effective < 2 * requested));
        if (stats.polling)
            set(QStringLiteral("bufferMode"), tr("polling (no notifications)"));
        else if (stats.requestedReceiveBuffer <= 0)
            set(QStringLiteral("bufferMode"), na);
        else
            set(QStringLiteral("bufferMode"),
                stats.receiveBufferForced
                    ? tr("SO_RCVBUFFORCE (forced)")
                    : (clamped ? tr("SO_RCVBUF (clamped to net.core.rmem_max)") : tr("SO_RCVBUF")));
        if (clamped)
            warning = tr("<b>WARNING:</b> the receive buffer is smaller than requested (%1 for %2 asked; the "
                         "kernel reports twice the size it grants): it was clamped by net.core.rmem_max. Bursts "
                         "may overflow it and lose events (each loss is shown as a gap and repaired by a "
                         "resync). Run with CAP_NET_ADMIN or raise net.core.rmem_max.")
                          .arg(bytesText(stats.effectiveReceiveBuffer), bytesText(stats.requestedReceiveBuffer));
        set(QStringLiteral("messages"), number(stats.messages));
        set(QStringLiteral("records"), number(stats.records));
        set(QStringLiteral("batches"), number(stats.batches));
        set(QStringLiteral("gaps"), number(stats.gaps));
        set(QStringLiteral("resyncs"), number(stats.resyncs));
        set(QStringLiteral("dumpRestarts"), number(stats.dumpRestarts));
        set(QStringLiteral("decodeErrors"), number(stats.decodeErrors));
    } else {
        const QString none = m_model->isRunning() ? tr("not reported by this source") : tr("not running");
        for (const char *key : {"requestedBuffer", "effectiveBuffer", "bufferMode", "messages", "records", "batches",
                                "resyncs", "dumpRestarts", "decodeErrors"})
            set(QLatin1StringView(key), none);
        set(QStringLiteral("gaps"), tr("%1 (gap records applied)").arg(number(quint64(m_model->gapCount()))));
    }
    if (warning.isEmpty()) {
        m_warning->hide();
    } else {
        m_warning->setText(warning);
        m_warning->show();
    }

    if (!diagnostics::available()) {
        set(QStringLiteral("rmemMax"), na);
        set(QStringLiteral("drops"), na);
    } else {
        QString error;
        const auto rmem = diagnostics::readRmemMax(&error);
        set(QStringLiteral("rmemMax"), rmem ? bytesText(*rmem) : error);
        if (haveStats && stats.eventSocketPortId != 0) {
            error.clear();
            const auto info = diagnostics::readNetlinkSocket(stats.eventSocketPortId, &error);
            set(QStringLiteral("drops"),
                info ? tr("%1 (port id %2)").arg(number(info->drops)).arg(info->portId) : error);
        } else {
            set(QStringLiteral("drops"), tr("no netlink socket"));
        }
    }

    set(QStringLiteral("eventsPerSecond"), QString::number(m_model->eventsPerSecond(), 'f', 1));
    const NotificationModel::ApplyStats a = m_model->applyStats();
    if (a.batches == 0) {
        set(QStringLiteral("batchSize"), tr("no batch yet"));
        set(QStringLiteral("applyTime"), tr("no batch yet"));
    } else {
        set(QStringLiteral("batchSize"),
            tr("%1 / %2 / %3 records (%4 batches)")
                .arg(a.lastRecords)
                .arg(a.maxRecords)
                .arg(a.averageRecords, 0, 'f', 1)
                .arg(number(quint64(a.batches))));
        set(QStringLiteral("applyTime"),
            tr("%1 / %2 / %3 ms").arg(a.lastMs, 0, 'f', 2).arg(a.maxMs, 0, 'f', 2).arg(a.averageMs, 0, 'f', 2));
    }
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/remotehostdialog.h"

#include "platform/source.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QVBoxLayout>

namespace ncv {

namespace {
const QString kRecentKey = QStringLiteral("remote/recentHosts");
}

RemoteHostDialog::RemoteHostDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("remoteHostDialog"));
    setWindowTitle(tr("Open Remote Host"));
    m_hostCombo = new QComboBox(this);
    m_hostCombo->setObjectName(QStringLiteral("hostCombo"));
    m_hostCombo->setEditable(true);
    m_hostCombo->setInsertPolicy(QComboBox::NoInsert);
    m_hostCombo->setMinimumContentsLength(32);
    const QStringList recent = recentHosts();
    m_hostCombo->addItems(recent);
    m_hostCombo->lineEdit()->setPlaceholderText(tr("[user@]host[:port]"));
    m_hostCombo->setCurrentText(recent.isEmpty() ? QString() : recent.constFirst());
    m_familyCombo = new QComboBox(this);
    m_familyCombo->setObjectName(QStringLiteral("remoteFamilyCombo"));
    m_familyCombo->addItem(tr("IPv4 and IPv6"), platform::afUnspec());
    m_familyCombo->addItem(tr("IPv4"), platform::afInet());
    m_familyCombo->addItem(tr("IPv6"), platform::afInet6());
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("remoteHostError"));
    m_error->setWordWrap(true);
    m_error->hide();
    auto *note = new QLabel(tr("Runs <tt>ssh HOST -- netchangeview --headless --stream -</tt> with your keys, agent "
                               "and ~/.ssh/config (no password prompt). Times shown are the remote host's."),
                            this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &RemoteHostDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RemoteHostDialog::reject);
    auto *form = new QFormLayout;
    form->addRow(tr("&Host:"), m_hostCombo);
    form->addRow(tr("&Family:"), m_familyCombo);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

int RemoteHostDialog::addressFamily() const
{
    return m_familyCombo->currentData().toInt();
}

void RemoteHostDialog::accept()
{
    QString error;
    if (!RemoteHost::parse(m_hostCombo->currentText(), &m_host, &error, false)) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    QDialog::accept();
}

QStringList RemoteHostDialog::recentHosts()
{
    QStringList hosts
        = QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView")).value(kRecentKey).toStringList();
    if (hosts.size() > kMaxRecentHosts)
        hosts.resize(kMaxRecentHosts);
    return hosts;
}

void RemoteHostDialog::addRecentHost(const QString &url)
{
    QStringList hosts = recentHosts();
    hosts.removeAll(url);
    hosts.prepend(url);
    if (hosts.size() > kMaxRecentHosts)
        hosts.resize(kMaxRecentHosts);
    QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView")).setValue(kRecentKey, hosts);
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/requesterfilterbox.h"

#include "model/history/requestermatcher.h"

#include <QLineEdit>

namespace ncv {

RequesterFilterBox::RequesterFilterBox(QWidget *parent) : QComboBox(parent)
{
    setObjectName(QStringLiteral("timelineByFilter"));
    setEditable(true);
    setInsertPolicy(QComboBox::NoInsert);
    setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    setMinimumContentsLength(16);
    lineEdit()->setPlaceholderText(tr("every process"));
    lineEdit()->setClearButtonEnabled(true);
    setToolTip(tr("Count only the changes asked for by this process: a name as the By column shows it "
                  "(tailscaled, ip, NetworkManager), a PID, kernel, or a pattern with * (tail*). "
                  "Empty: every change."));
    m_delay.setSingleShot(true);
    m_delay.setInterval(DelayMs);
    connect(&m_delay, &QTimer::timeout, this, &RequesterFilterBox::apply);
    connect(lineEdit(), &QLineEdit::textEdited, this, [this] { m_delay.start(); });
    connect(lineEdit(), &QLineEdit::returnPressed, this, &RequesterFilterBox::apply);
    // The clear button changes the text without textEdited.
    connect(lineEdit(), &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty())
            m_delay.start();
    });
    connect(this, &QComboBox::textActivated, this, [this] { apply(); });
}

void RequesterFilterBox::setFilterText(const QString &text)
{
    setEditText(text);
    apply();
}

void RequesterFilterBox::showPopup()
{
    const QString text = currentText();
    blockSignals(true);
    clear();
    addItems(RequesterMatcher::knownNames());
    setEditText(text);
    blockSignals(false);
    QComboBox::showPopup();
}

void RequesterFilterBox::apply()
{
    m_delay.stop();
    const QString text = currentText().trimmed();
    if (text == m_applied)
        return;
    m_applied = text;
    Q_EMIT filterChanged(text);
}

} // namespace ncv

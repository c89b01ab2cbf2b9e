// SPDX-License-Identifier: GPL-2.0-or-later
// RequesterFilterBox: the timeline's "By" filter, an editable combo box. Its list holds the
// process names this program has seen asking for changes (RequesterMatcher::knownNames(),
// read again each time the list opens) and "kernel"; the text may also be typed: a name, a
// PID, a By text or a pattern with * (RequesterMatcher's rule). filterChanged() follows a
// pick at once and typing DelayMs after the last key. GUI thread only.
#pragma once

#include <QComboBox>
#include <QTimer>

namespace ncv {

class RequesterFilterBox : public QComboBox {
    Q_OBJECT
public:
    static constexpr int DelayMs = 300;
    explicit RequesterFilterBox(QWidget *parent = nullptr);

    /// The filter in effect ("" = everyone).
    QString filterText() const { return m_applied; }
    /// Sets the text and applies it now.
    void setFilterText(const QString &text);

    void showPopup() override;

Q_SIGNALS:
    void filterChanged(const QString &text);

private:
    void apply();
    QTimer m_delay;
    QString m_applied;
};

} // namespace ncv

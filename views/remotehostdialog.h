// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteHostDialog: File > Open Remote Host. A host field ([user@]host[:port], or an
// ssh:// address) offering the recent hosts (QSettings "remote/recentHosts", newest first),
// and the address family to watch.
#pragma once

#include "model/remotesource.h"

#include <QDialog>

class QComboBox;
class QLabel;

namespace ncv {

class RemoteHostDialog : public QDialog {
    Q_OBJECT
public:
    explicit RemoteHostDialog(QWidget *parent = nullptr);

    /// The host entered (valid once accepted).
    RemoteHost host() const { return m_host; }
    /// AF_UNSPEC, AF_INET or AF_INET6.
    int addressFamily() const;

    /// The recent hosts as ssh:// addresses, newest first, at most kMaxRecentHosts.
    static QStringList recentHosts();
    /// Puts url first in recentHosts().
    static void addRecentHost(const QString &url);
    static constexpr int kMaxRecentHosts = 10;

    void accept() override; ///< only with a valid host; else says why under the field

private:
    QComboBox *m_hostCombo = nullptr;
    QComboBox *m_familyCombo = nullptr;
    QLabel *m_error = nullptr;
    RemoteHost m_host;
};

} // namespace ncv

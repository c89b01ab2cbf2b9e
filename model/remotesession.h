// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteSession: a window's subscription to a remote host. Owns the RemoteSource (ssh) and
// the NotificationModel that shows it, so the window holds no Source. The model is not
// started here: start() does, as the live window's app does for the local source.
// GUI thread (ended() is delivered there from the source's reader thread).
#pragma once

#include "model/remotesource.h"

#include <QObject>
#include <QString>

#include <memory>

namespace ncv {

class NotificationModel;

class RemoteSession : public QObject {
    Q_OBJECT
public:
    explicit RemoteSession(const RemoteHost &host, RemoteOptions options = {}, QObject *parent = nullptr);
    /// Stops the model before the source goes.
    ~RemoteSession() override;

    RemoteSource *source() const { return m_source.get(); }
    NotificationModel *model() const { return m_model; }
    const RemoteHost &host() const { return m_source->host(); }
    /// Registers (starts ssh) for addressFamily (AF_INET, AF_INET6, AF_UNSPEC).
    bool start(int addressFamily, QString *error);
    /// The reason the stream ended ("" while it runs).
    QString endMessage() const { return m_endMessage; }

Q_SIGNALS:
    /// The remote stream ended: ssh failed or exited, the link died, a bad line. message is
    /// one line with ssh's exit code and what it said.
    void ended(const QString &message);

private:
    std::unique_ptr<RemoteSource> m_source;
    NotificationModel *m_model = nullptr;
    QString m_endMessage;
};

} // namespace ncv

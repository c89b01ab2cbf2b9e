// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteSession: a window's subscription to a remote host. Owns the RemoteSource (ssh) and
// the NotificationModel that shows it, so the window holds no Source. The model is not
// started here: start() does, as the live window's app does for the local source.
// GUI thread (ended() is delivered there from the source's reader thread).
#pragma once

#include "model/remotesource.h"

#include <QDeadlineTimer>
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

    /// The connection's state: RemoteState, or Ended.
    enum class State { Connecting, Live, Waiting, Reconnecting, Ended };
    State state() const { return m_state; }
    /// Waiting, Reconnecting: why the connection was lost (the last failure's line); Live after
    /// a reconnect: "reconnected to HOST: N changes while disconnected"; Ended: endMessage().
    QString stateMessage() const { return m_stateMessage; }
    /// Waiting: whole seconds until the next attempt (rounded up, >= 0); 0 otherwise.
    int secondsToRetry() const;
    /// Connections lost and made again so far.
    int reconnects() const { return m_reconnects; }

Q_SIGNALS:
    /// The remote stream ended for good: ssh failed (the host unreachable at the start,
    /// authentication, host key, netchangeview missing), another schema, a bad line. message
    /// is one line (RemoteFailure) naming what to do where there is something to do.
    void ended(const QString &message);
    /// state() or stateMessage() changed.
    void stateChanged(ncv::RemoteSession::State state, const QString &message);

private:
    std::unique_ptr<RemoteSource> m_source;
    NotificationModel *m_model = nullptr;
    QString m_endMessage;
    State m_state = State::Connecting;
    QString m_stateMessage;
    QDeadlineTimer m_retryAt;
    int m_reconnects = 0;
};

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteSession: a window's subscription to one remote host or several. Owns the source (a
// RemoteSource over ssh for one host; a HostSetSource, one RemoteSource per host, for
// several) and the NotificationModel that shows it, so the window holds no Source. The
// model is not started here: start() does, as the live window's app does for the local
// source.
//
// Several hosts are shown as several namespaces are (NotificationModel::setSeveralNamespaces):
// each host's records carry its id (HostSetSource::hostNetns), the event log names the host,
// the tables show one host at a time. Each host keeps its own connection state (reconnects,
// end, clock offset) here.
//
// GUI thread (the sources' callbacks are handed to it from their reader threads).
#pragma once

#include "model/remotesource.h"

#include <QDeadlineTimer>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace ncv {

class NotificationModel;

class RemoteSession : public QObject {
    Q_OBJECT
public:
    explicit RemoteSession(const RemoteHost &host, RemoteOptions options = {}, QObject *parent = nullptr);
    /// Several hosts (at least one; one host is the constructor above). options.ended, status and
    /// clockOffset are called for each host.
    explicit RemoteSession(const QList<RemoteHost> &hosts, RemoteOptions options = {}, QObject *parent = nullptr);
    /// Stops the model before the source goes.
    ~RemoteSession() override;

    platform::Source *source() const { return m_source.get(); }
    NotificationModel *model() const { return m_model; }
    /// The first (or only) host.
    const RemoteHost &host() const { return m_hosts.front().host; }
    int hostCount() const { return int(m_hosts.size()); }
    const RemoteHost &host(int index) const { return m_hosts.at(std::size_t(index)).host; }
    /// The NamespaceTable id of host number index's records (several hosts); 0 for one host.
    quint32 hostNetns(int index) const { return m_hosts.at(std::size_t(index)).netns; }
    /// True when netns (a NamespaceTable id) names a remote host (HostSetSource), not a
    /// network namespace of this computer.
    static bool isHostNetns(quint32 netns);
    /// The host whose records carry netns; -1 when none.
    int hostOfNetns(quint32 netns) const;
    /// "router", or "router, switch" for several hosts: for titles.
    QString hostsDisplay() const;
    /// Registers (starts ssh, one per host) for addressFamily (AF_INET, AF_INET6, AF_UNSPEC).
    bool start(int addressFamily, QString *error);

    /// A host's connection: RemoteState, or Ended.
    enum class State { Connecting, Live, Waiting, Reconnecting, Ended };
    /// Of host number index (the first by default).
    State state(int index = 0) const { return m_hosts.at(std::size_t(index)).state; }
    /// Waiting, Reconnecting: why the connection was lost (the last failure's line); Live after
    /// a reconnect: "reconnected to HOST: N changes while disconnected"; Ended: endMessage().
    QString stateMessage(int index = 0) const { return m_hosts.at(std::size_t(index)).stateMessage; }
    /// The reason the host's stream ended ("" while it runs).
    QString endMessage(int index = 0) const { return m_hosts.at(std::size_t(index)).endMessage; }
    /// Waiting: whole seconds until the host's next attempt (rounded up, >= 0); 0 otherwise.
    int secondsToRetry(int index = 0) const;
    /// The host's connections lost and made again so far.
    int reconnects(int index = 0) const { return m_hosts.at(std::size_t(index)).reconnects; }
    /// True when every host ended.
    bool allEnded() const;

    /// The host's clock minus this computer's, microseconds, measured when its last connection
    /// went live (RemoteOptions::clockOffset: at most the transport delay too low); empty
    /// before that.
    std::optional<qint64> clockOffsetUs(int index = 0) const { return m_hosts.at(std::size_t(index)).clockOffsetUs; }
    /// One line on it, e.g. "router: clock 0.4 s ahead of this computer", "router: clock 2.0 s
    /// behind this computer", "router: clock within 0.1 s of this computer" (tenths of a
    /// second); "router: clock not measured yet" before the first snapshot.
    QString clockText(int index = 0) const;
    /// clockText for offsetUs of host (microseconds, remote minus local).
    static QString clockText(const QString &host, qint64 offsetUs);

Q_SIGNALS:
    /// A host's stream ended for good: ssh failed (the host unreachable at the start,
    /// authentication, host key, netchangeview missing), another schema, a bad line. message
    /// is one line (RemoteFailure) naming the host and what to do where there is something
    /// to do. With several hosts the others go on.
    void ended(const QString &message);
    /// A host's state() or stateMessage() changed (state and message: that host's).
    void stateChanged(ncv::RemoteSession::State state, const QString &message);
    /// The same, with the host's index.
    void hostStateChanged(int index);
    /// A host's clock offset was measured.
    void clockMeasured(int index);

private:
    struct Host {
        RemoteHost host;
        quint32 netns = 0;
        State state = State::Connecting;
        QString stateMessage;
        QString endMessage;
        QDeadlineTimer retryAt;
        int reconnects = 0;
        std::optional<qint64> clockOffsetUs;
    };
    void onEnded(int index, const QString &text);
    void onStatus(int index, RemoteState state, int retryInMs, const QString &text);

    std::vector<Host> m_hosts;
    std::unique_ptr<platform::Source> m_source;
    NotificationModel *m_model = nullptr;
};

} // namespace ncv

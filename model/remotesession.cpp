// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/remotesession.h"

#include "model/history/eventlogmodel.h"
#include "model/hostsetsource.h"
#include "model/notificationmodel.h"

#include <QMetaObject>
#include <QPointer>
#include <QStringList>

#include <algorithm>
#include <cstdlib>

namespace ncv {

RemoteSession::RemoteSession(const RemoteHost &host, RemoteOptions options, QObject *parent)
    : RemoteSession(QList<RemoteHost> {host}, std::move(options), parent)
{ }

RemoteSession::RemoteSession(const QList<RemoteHost> &hosts, RemoteOptions options, QObject *parent) : QObject(parent)
{
    for (const RemoteHost &host : hosts) {
        Host h;
        h.host = host;
        m_hosts.push_back(h);
    }
    if (m_hosts.empty())
        m_hosts.emplace_back();
    // The sources' reader threads: hand each report to this object's thread. The sources'
    // registrations end before this object does (the destructor stops the model first), and
    // QPointer covers a queued call that arrives after it.
    const QPointer<RemoteSession> self(this);
    const auto ended = [self, previous = options.ended](int index, const std::string &message) {
        if (previous)
            previous(message);
        QMetaObject::invokeMethod(
            self.data(),
            [self, index, text = QString::fromStdString(message)] {
                if (self)
                    self->onEnded(index, text);
            },
            Qt::QueuedConnection);
    };
    const auto status
        = [self, previous = options.status](int index, RemoteState state, const std::string &message, int retryInMs) {
              if (previous)
                  previous(state, message, retryInMs);
              QMetaObject::invokeMethod(
                  self.data(),
                  [self, index, state, retryInMs, text = QString::fromStdString(message)] {
                      if (self)
                          self->onStatus(index, state, retryInMs, text);
                  },
                  Qt::QueuedConnection);
          };
    const auto clock = [self, previous = options.clockOffset](int index, std::int64_t offsetUs) {
        if (previous)
            previous(offsetUs);
        QMetaObject::invokeMethod(
            self.data(),
            [self, index, offsetUs] {
                if (!self)
                    return;
                self->m_hosts.at(std::size_t(index)).clockOffsetUs = offsetUs;
                Q_EMIT self->clockMeasured(index);
            },
            Qt::QueuedConnection);
    };
    if (m_hosts.size() == 1) {
        options.ended = [ended](const std::string &message) { ended(0, message); };
        options.status = [status](RemoteState state, const std::string &message, int retryInMs) {
            status(0, state, message, retryInMs);
        };
        options.clockOffset = [clock](std::int64_t offsetUs) { clock(0, offsetUs); };
        m_source = std::make_unique<RemoteSource>(m_hosts.front().host, std::move(options));
        m_model = new NotificationModel(m_source.get(), NotificationModel::Mode::Full, this);
        return;
    }
    HostSetOptions set;
    set.ended = ended;
    set.status = status;
    set.clockOffset = clock;
    set.remote = std::move(options);
    set.remote.ended = nullptr;
    set.remote.status = nullptr;
    set.remote.clockOffset = nullptr;
    auto source = std::make_unique<HostSetSource>(QList<RemoteHost>(hosts), std::move(set));
    for (int i = 0; i < int(m_hosts.size()); ++i)
        m_hosts.at(std::size_t(i)).netns = source->hostNetns(i);
    m_source = std::move(source);
    m_model = new NotificationModel(m_source.get(), NotificationModel::Mode::Full, this);
    // The tables show one host at a time, the first to begin with; the log and the timeline
    // all of them.
    m_model->eventLog()->setNamespaceHeader(QStringLiteral("Host"));
    QList<quint32> ids;
    for (const Host &host : m_hosts)
        ids.append(host.netns);
    m_model->watchNamespaces(ids);
}

RemoteSession::~RemoteSession()
{
    m_model->stop();
    delete m_model;
    m_model = nullptr;
    m_source.reset();
}

void RemoteSession::onEnded(int index, const QString &text)
{
    Host &host = m_hosts.at(std::size_t(index));
    host.endMessage = text;
    host.state = State::Ended;
    host.stateMessage = text;
    Q_EMIT stateChanged(State::Ended, text);
    Q_EMIT hostStateChanged(index);
    Q_EMIT ended(text);
}

void RemoteSession::onStatus(int index, RemoteState state, int retryInMs, const QString &text)
{
    Host &host = m_hosts.at(std::size_t(index));
    if (host.state == State::Ended)
        return;
    const State before = host.state;
    switch (state) {
    case RemoteState::Connecting: host.state = State::Connecting; break;
    case RemoteState::Live: host.state = State::Live; break;
    case RemoteState::Waiting: host.state = State::Waiting; break;
    case RemoteState::Reconnecting: host.state = State::Reconnecting; break;
    }
    if (host.state == State::Live && (before == State::Waiting || before == State::Reconnecting))
        ++host.reconnects;
    host.stateMessage = text;
    host.retryAt = QDeadlineTimer(state == RemoteState::Waiting ? retryInMs : 0);
    Q_EMIT stateChanged(host.state, text);
    Q_EMIT hostStateChanged(index);
}

bool RemoteSession::isHostNetns(quint32 netns)
{
    return HostSetSource::isHostNetns(netns);
}

int RemoteSession::hostOfNetns(quint32 netns) const
{
    for (int i = 0; i < int(m_hosts.size()); ++i)
        if (m_hosts.at(std::size_t(i)).netns == netns)
            return i;
    return -1;
}

QString RemoteSession::hostsDisplay() const
{
    QStringList names;
    for (const Host &host : m_hosts)
        names << host.host.display();
    return names.join(QStringLiteral(", "));
}

int RemoteSession::secondsToRetry(int index) const
{
    const Host &host = m_hosts.at(std::size_t(index));
    if (host.state != State::Waiting)
        return 0;
    return int((std::max<qint64>(0, host.retryAt.remainingTime()) + 999) / 1000);
}

bool RemoteSession::allEnded() const
{
    return std::all_of(m_hosts.begin(), m_hosts.end(), [](const Host &h) { return h.state == State::Ended; });
}

QString RemoteSession::clockText(const QString &host, qint64 offsetUs)
{
    // Tenths of a second: the measure is off by the transport delay anyway.
    const qint64 tenths = (std::llabs(offsetUs) + 50000) / 100000;
    if (tenths == 0)
        return QStringLiteral("%1: clock within 0.1 s of this computer").arg(host);
    return QStringLiteral("%1: clock %2.%3 s %4 this computer")
        .arg(host)
        .arg(tenths / 10)
        .arg(tenths % 10)
        .arg(offsetUs > 0 ? QStringLiteral("ahead of") : QStringLiteral("behind"));
}

QString RemoteSession::clockText(int index) const
{
    const Host &host = m_hosts.at(std::size_t(index));
    if (!host.clockOffsetUs)
        return QStringLiteral("%1: clock not measured yet").arg(host.host.display());
    return clockText(host.host.display(), *host.clockOffsetUs);
}

bool RemoteSession::start(int addressFamily, QString *error)
{
    for (Host &host : m_hosts) {
        host.endMessage.clear();
        host.state = State::Connecting;
        host.stateMessage.clear();
        host.reconnects = 0;
    }
    return m_model->start(addressFamily, true, error);
}

} // namespace ncv

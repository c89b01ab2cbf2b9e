// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/remotesession.h"

#include "model/notificationmodel.h"

#include <QMetaObject>
#include <QPointer>

#include <algorithm>

namespace ncv {

RemoteSession::RemoteSession(const RemoteHost &host, RemoteOptions options, QObject *parent) : QObject(parent)
{
    auto previous = std::move(options.ended);
    // The source's reader thread: hand the message to this object's thread. The source's
    // registrations end before this object does (the destructor stops the model first), and
    // QPointer covers a queued call that arrives after it.
    options.ended = [self = QPointer<RemoteSession>(this), previous](const std::string &message) {
        if (previous)
            previous(message);
        QMetaObject::invokeMethod(
            self.data(),
            [self, text = QString::fromStdString(message)] {
                if (!self)
                    return;
                self->m_endMessage = text;
                self->m_state = State::Ended;
                self->m_stateMessage = text;
                Q_EMIT self->stateChanged(State::Ended, text);
                Q_EMIT self->ended(text);
            },
            Qt::QueuedConnection);
    };
    auto previousStatus = std::move(options.status);
    options.status = [self = QPointer<RemoteSession>(this), previousStatus](RemoteState state,
                                                                            const std::string &message, int retryInMs) {
        if (previousStatus)
            previousStatus(state, message, retryInMs);
        QMetaObject::invokeMethod(
            self.data(),
            [self, state, retryInMs, text = QString::fromStdString(message)] {
                if (!self || self->m_state == State::Ended)
                    return;
                const State before = self->m_state;
                switch (state) {
                case RemoteState::Connecting: self->m_state = State::Connecting; break;
                case RemoteState::Live: self->m_state = State::Live; break;
                case RemoteState::Waiting: self->m_state = State::Waiting; break;
                case RemoteState::Reconnecting: self->m_state = State::Reconnecting; break;
                }
                if (self->m_state == State::Live && (before == State::Waiting || before == State::Reconnecting))
                    ++self->m_reconnects;
                self->m_stateMessage = text;
                self->m_retryAt = QDeadlineTimer(state == RemoteState::Waiting ? retryInMs : 0);
                Q_EMIT self->stateChanged(self->m_state, text);
            },
            Qt::QueuedConnection);
    };
    m_source = std::make_unique<RemoteSource>(host, std::move(options));
    m_model = new NotificationModel(m_source.get(), NotificationModel::Mode::Full, this);
}

RemoteSession::~RemoteSession()
{
    m_model->stop();
    delete m_model;
    m_model = nullptr;
    m_source.reset();
}

int RemoteSession::secondsToRetry() const
{
    if (m_state != State::Waiting)
        return 0;
    return int((std::max<qint64>(0, m_retryAt.remainingTime()) + 999) / 1000);
}

bool RemoteSession::start(int addressFamily, QString *error)
{
    m_endMessage.clear();
    m_state = State::Connecting;
    m_stateMessage.clear();
    m_reconnects = 0;
    return m_model->start(addressFamily, true, error);
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/remotesession.h"

#include "model/notificationmodel.h"

#include <QMetaObject>
#include <QPointer>

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
                Q_EMIT self->ended(text);
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

bool RemoteSession::start(int addressFamily, QString *error)
{
    m_endMessage.clear();
    return m_model->start(addressFamily, true, error);
}

} // namespace ncv

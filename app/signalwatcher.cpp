// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/signalwatcher.h"

#include <QSocketNotifier>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iterator>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ncv {

#ifdef Q_OS_WIN
namespace {
SignalWatcher *g_watcher = nullptr;

BOOL WINAPI consoleHandler(DWORD type)
{
    // Runs on a thread the OS creates: only queue a call to the GUI thread.
    if (!g_watcher)
        return FALSE;
    QString name = type == CTRL_C_EVENT ? QStringLiteral("CTRL_C_EVENT")
        : type == CTRL_BREAK_EVENT      ? QStringLiteral("CTRL_BREAK_EVENT")
                                        : QStringLiteral("CTRL_CLOSE_EVENT");
    QMetaObject::invokeMethod(
        g_watcher, [name] { Q_EMIT g_watcher->terminationRequested(name); }, Qt::QueuedConnection);
    return TRUE;
}
} // namespace

SignalWatcher::SignalWatcher(QObject *parent) : QObject(parent) { }

SignalWatcher::~SignalWatcher()
{
    SetConsoleCtrlHandler(consoleHandler, FALSE);
    g_watcher = nullptr;
}

bool SignalWatcher::install(QString *error)
{
    g_watcher = this;
    if (!SetConsoleCtrlHandler(consoleHandler, TRUE)) {
        if (error)
            *error = QStringLiteral("SetConsoleCtrlHandler failed (%1)").arg(GetLastError());
        return false;
    }
    return true;
}

void SignalWatcher::readSignal() { }

#else

namespace {
int g_fds[2] = {-1, -1}; // [0] written by the handler, [1] read on the GUI thread

enum class Action { Terminate, Status, Ignore };
struct Handled {
    int signo;
    const char *name;
    Action action;
};
// What each signal does while the watcher is installed (see the header).
constexpr Handled kHandled[] = {
    {SIGINT, "SIGINT", Action::Terminate}, {SIGTERM, "SIGTERM", Action::Terminate},
    {SIGHUP, "SIGHUP", Action::Terminate}, {SIGQUIT, "SIGQUIT", Action::Terminate},
    {SIGUSR1, "SIGUSR1", Action::Status},  {SIGUSR2, "SIGUSR2", Action::Ignore},
    {SIGALRM, "SIGALRM", Action::Ignore},  {SIGPIPE, "SIGPIPE", Action::Ignore},
};
constexpr std::size_t kHandledCount = std::size(kHandled);
struct sigaction g_previous[kHandledCount];
bool g_changed[kHandledCount] = {};

extern "C" void onSignal(int signo)
{
    const int savedErrno = errno; // the interrupted code may be about to read errno
    const unsigned char byte = static_cast<unsigned char>(signo);
    // Non-blocking: when the pair is full, enough signals are queued already.
    [[maybe_unused]] auto n = ::write(g_fds[0], &byte, 1);
    errno = savedErrno;
}

QString errnoText(const char *call)
{
    return QStringLiteral("%1 failed: %2").arg(QLatin1StringView(call), QString::fromLocal8Bit(strerror(errno)));
}
} // namespace

SignalWatcher::SignalWatcher(QObject *parent) : QObject(parent) { }

SignalWatcher::~SignalWatcher()
{
    for (std::size_t i = 0; i < kHandledCount; ++i) {
        if (g_changed[i])
            ::sigaction(kHandled[i].signo, &g_previous[i], nullptr);
        g_changed[i] = false;
    }
    if (g_fds[0] >= 0) {
        ::close(g_fds[0]);
        ::close(g_fds[1]);
        g_fds[0] = g_fds[1] = -1;
    }
}

bool SignalWatcher::install(QString *error)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_fds) != 0) {
        if (error)
            *error = errnoText("socketpair");
        return false;
    }
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignal);
    for (std::size_t i = 0; i < kHandledCount; ++i) {
        const Handled &h = kHandled[i];
        if (::sigaction(h.signo, nullptr, &g_previous[i]) != 0) {
            if (error)
                *error = errnoText("sigaction");
            return false;
        }
        // Started under nohup: the terminal closing must not end the recording.
        if (h.signo == SIGHUP && g_previous[i].sa_handler == SIG_IGN)
            continue;
        struct sigaction sa = {};
        sa.sa_handler = h.action == Action::Ignore ? SIG_IGN : onSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        if (::sigaction(h.signo, &sa, nullptr) != 0) {
            if (error)
                *error = errnoText("sigaction");
            return false;
        }
        g_changed[i] = true;
    }
    return true;
}

void SignalWatcher::readSignal()
{
    // One signal per activation: the notifier fires again while more bytes wait, and a
    // slot that ends the event loop leaves the rest unread.
    unsigned char byte = 0;
    if (::read(g_fds[1], &byte, 1) != 1)
        return;
    for (const Handled &h : kHandled) {
        if (h.signo != int(byte))
            continue;
        const QString name = QString::fromLatin1(h.name);
        if (h.signo == SIGHUP && m_hangupReopens)
            Q_EMIT reopenRequested(name);
        else if (h.action == Action::Terminate)
            Q_EMIT terminationRequested(name);
        else if (h.action == Action::Status)
            Q_EMIT statusRequested(name);
        return;
    }
}
#endif

} // namespace ncv

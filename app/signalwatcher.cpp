#include "app/signalwatcher.h"

#include <QSocketNotifier>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <csignal>
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
int g_fds[2] = {-1, -1};

extern "C" void onSignal(int signo)
{
    const unsigned char byte = static_cast<unsigned char>(signo);
    [[maybe_unused]] auto n = ::write(g_fds[0], &byte, 1);
}
} // namespace

SignalWatcher::SignalWatcher(QObject *parent) : QObject(parent) { }

SignalWatcher::~SignalWatcher()
{
    if (g_fds[0] >= 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::close(g_fds[0]);
        ::close(g_fds[1]);
        g_fds[0] = g_fds[1] = -1;
    }
}

bool SignalWatcher::install(QString *error)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0) {
        if (error)
            *error = QStringLiteral("socketpair failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignal);
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, nullptr) != 0 || sigaction(SIGTERM, &sa, nullptr) != 0) {
        if (error)
            *error = QStringLiteral("sigaction failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    return true;
}

void SignalWatcher::readSignal()
{
    unsigned char byte = 0;
    if (::read(g_fds[1], &byte, 1) != 1)
        return;
    Q_EMIT terminationRequested(byte == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
}
#endif

} // namespace ncv

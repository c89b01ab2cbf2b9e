// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/gui.h"

#include "app/commandline.h"
#include "app/signalwatcher.h"
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/remotesession.h"
#ifdef NCV_RTMON_IMPORT
#include "model/netnssources.h"
#endif
#include "platform/source.h"
#include "views/mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

#include <cstdio>

namespace ncv {

namespace {

// SIGTERM, SIGINT, SIGHUP and SIGQUIT close the windows as File > Quit does (settings saved,
// exit code 0) instead of killing the process; window is the connection's context.
void closeWindowsOnSignals(SignalWatcher &watcher, QObject *window)
{
    QString error;
    if (!watcher.install(&error))
        qWarning("netchangeview: %s", qPrintable(error));
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, window, [](const QString &name) {
        std::fprintf(stderr, "netchangeview: %s received, closing the window\n", qPrintable(name));
        QApplication::closeAllWindows();
    });
}

/// The window on the recording options.inputPath (already checked by main()).
int runRecordingWindow(const AppOptions &options)
{
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    QString error;
    MainWindow *window = MainWindow::openRecordingWindow(options.inputPath, nullptr, &error, options.maxEvents);
    if (!window) {
        std::fprintf(stderr, "netchangeview: %s\n", qPrintable(error));
        return ExitFailure;
    }
    MainWindow::addRecentFile(options.inputPath);
    window->setAttribute(Qt::WA_DeleteOnClose);
    SignalWatcher signalWatcher;
    closeWindowsOnSignals(signalWatcher, window);
    window->show();
    return QApplication::exec();
}

/// The window on the remote hosts options.remoteUrls (ssh; one or several).
int runRemoteWindow(const AppOptions &options)
{
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    QList<RemoteHost> hosts;
    const QStringList urls = options.remoteUrls.isEmpty() ? QStringList {options.remoteUrl} : options.remoteUrls;
    for (const QString &url : urls) {
        RemoteHost host;
        QString error;
        RemoteHost::parse(url, &host, &error); // checked by the command line
        hosts << host;
    }
    const int family = options.familyGiven ? options.addressFamily : platform::afUnspec();
    MainWindow *window = MainWindow::openRemoteWindow(
        hosts, family, options.noRecord ? MainWindow::LiveRecording::Off : MainWindow::LiveRecording::FromSettings);
    if (options.maxEvents > 0)
        window->remoteSession()->model()->history()->setCapacity(options.maxEvents);
    // The stream's end is said on standard error too, for a window started from a shell.
    QObject::connect(window->remoteSession(), &RemoteSession::ended, window, [](const QString &message) {
        std::fprintf(stderr, "netchangeview: %s\n", message.toLocal8Bit().constData());
    });
    SignalWatcher signalWatcher;
    closeWindowsOnSignals(signalWatcher, window);
    window->show();
    return QApplication::exec();
}

} // namespace

int runGui(const AppOptions &options)
{
    if (!options.inputPath.isEmpty())
        return runRecordingWindow(options);
    if (!options.remoteUrl.isEmpty())
        return runRemoteWindow(options);
    std::unique_ptr<platform::Source> ownedSource;
    platform::Source *source = nullptr;
    QString namespaceTitle;
#ifdef NCV_RTMON_IMPORT
    // `--netns NAME`: the window on one other namespace (a container's, a named one), through
    // the same per-namespace source as headless recording; its records carry the namespace,
    // so the live recording names it too. `--netns all` or `a,b`: on several, which come and
    // go while it runs; the tables show one of them at a time.
    std::unique_ptr<NetNamespaceSources> namespaces;
    if (!options.netns.isEmpty()) {
        NetNamespaceSelection selection;
        QString error;
        if (NetNamespaceSelection::parse(options.netns, &selection, &error)) {
            namespaces = std::make_unique<NetNamespaceSources>(selection);
            if (namespaces->start(&error) && !namespaces->warning().isEmpty())
                error = namespaces->warning(); // no privilege: it would show our own namespace instead
        }
        if (!error.isEmpty()) {
            std::fprintf(stderr, "netchangeview: %s\n", qPrintable(error));
            QMessageBox::critical(nullptr, QStringLiteral("NetChangeView"), error);
            return 2;
        }
        source = namespaces->source();
        namespaceTitle = namespaces->several()
            ? QStringLiteral("namespaces %1")
                  .arg(selection.kind == NetNamespaceSelection::Kind::Named ? selection.names.join(QStringLiteral(", "))
                                                                            : options.netns.trimmed())
            : QStringLiteral("namespace %1").arg(selection.names.value(0));
    }
#endif
    if (!source) {
        ownedSource = platform::createSystemSource();
        source = ownedSource.get();
    }
    if (!source) {
        QMessageBox::critical(nullptr, QStringLiteral("NetChangeView"),
                              QStringLiteral("No network change source is available on this system."));
        return 1;
    }
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/netchangeview.svg")));
    NotificationModel model(source);
    if (options.maxEvents > 0)
        model.history()->setCapacity(options.maxEvents);
#ifdef NCV_RTMON_IMPORT
    if (namespaces)
        namespaces->showIn(&model);
#endif
    // The window records every event to the recordings folder unless --no-record or the
    // setting liveRecording/enabled says not to.
    MainWindow window(&model, nullptr,
                      options.noRecord ? MainWindow::LiveRecording::Off : MainWindow::LiveRecording::FromSettings);
    if (!namespaceTitle.isEmpty())
        window.setWindowTitle(QStringLiteral("%1 — NetChangeView").arg(namespaceTitle));
    SignalWatcher signalWatcher;
    closeWindowsOnSignals(signalWatcher, &window);
    if (options.familyGiven)
        window.setFamily(options.addressFamily); // remembered; the model is not running yet
    window.show();
    QString error;
    if (!model.start(window.selectedFamily(), true, &error))
        QMessageBox::critical(&window, QStringLiteral("NetChangeView"),
                              QStringLiteral("Could not register for network changes:\n%1").arg(error));
    const int code = QApplication::exec();
    model.stop();
    return code;
}

} // namespace ncv

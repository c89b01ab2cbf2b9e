// netchangeview: the GUI by default; --headless records to CSV without a window.
#include "app/commandline.h"
#include "app/gui.h"
#include "app/headless.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>

#ifdef Q_OS_WIN
#include <windows.h>
#endif

int main(int argc, char **argv)
{
#ifdef Q_OS_WIN
    // A WIN32_EXECUTABLE has no console: reuse the one of the shell that started us
    // so --help, errors and the "ready:" line are visible there.
    if (AttachConsole(ATTACH_PARENT_PROCESS)) {
        [[maybe_unused]] FILE *f = nullptr;
        freopen_s(&f, "CONOUT$", "w", stdout);
        freopen_s(&f, "CONOUT$", "w", stderr);
    }
#endif
    // Parse before any QApplication exists: wrong arguments, --help and --version must work
    // without a display.
    QCoreApplication::setOrganizationName(QStringLiteral("NetChangeView"));
    QCoreApplication::setApplicationName(QStringLiteral("NetChangeView"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NCV_VERSION));
    ncv::ParseResult parsed;
    {
        QCoreApplication parsingApp(argc, argv); // gives the parser the program name; no display needed
        parsed = ncv::parseCommandLine(QCoreApplication::arguments());
    }
    switch (parsed.action) {
    case ncv::ParseResult::ExitOk: std::fputs(parsed.message.toLocal8Bit().constData(), stdout); return 0;
    case ncv::ParseResult::ExitError:
        std::fprintf(stderr, "netchangeview: %s\nTry 'netchangeview --help'.\n",
                     parsed.message.toLocal8Bit().constData());
        return 2;
    case ncv::ParseResult::Run: break;
    }
    if (parsed.options.headless) {
        QCoreApplication app(argc, argv);
        return ncv::runHeadless(parsed.options);
    }
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fputs("netchangeview: no display (DISPLAY and WAYLAND_DISPLAY are not set); run it in a desktop "
                   "session, or record without a window: netchangeview --headless --export-csv FILE\n",
                   stderr);
        return 1;
    }
#endif
    QApplication app(argc, argv);
    return ncv::runGui(parsed.options);
}

// netchangeview: the GUI by default; --headless records to CSV without a window.
#include "commandline.h"
#include "gui.h"
#include "headless.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

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
    const bool coreOnly = ncv::wantsCoreApplicationOnly(argc, argv);
    std::unique_ptr<QCoreApplication> app;
    if (coreOnly)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("NetChangeView"));
    QCoreApplication::setApplicationName(QStringLiteral("NetChangeView"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NCV_VERSION));

    const ncv::ParseResult parsed = ncv::parseCommandLine(QCoreApplication::arguments());
    switch (parsed.action) {
    case ncv::ParseResult::ExitOk:
        std::fputs(parsed.message.toLocal8Bit().constData(), stdout);
        return 0;
    case ncv::ParseResult::ExitError:
        std::fprintf(stderr, "netchangeview: %s\nTry 'netchangeview --help'.\n", parsed.message.toLocal8Bit().constData());
        return 2;
    case ncv::ParseResult::Run:
        break;
    }
    if (parsed.options.headless)
        return ncv::runHeadless(parsed.options);
    if (coreOnly) // cannot happen: only --headless/--help/--version choose QCoreApplication
        return 2;
    return ncv::runGui(parsed.options);
}

// SPDX-License-Identifier: GPL-2.0-or-later
// netchangeview: the GUI by default; --headless records to CSV without a window.
#include "app/commandline.h"
#include "app/displaycheck.h"
#include "app/gui.h"
#include "app/headless.h"
#include "model/recording/fileimport.h"
#include "model/recording/recordingreader.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <optional>

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
    QStringList arguments;
    QString displayProblem;
    {
        QCoreApplication parsingApp(argc, argv); // gives the parser the program name; no display needed
        arguments = QCoreApplication::arguments();
        parsed = ncv::parseCommandLine(arguments);
        if (parsed.action == ncv::ParseResult::Run && !parsed.options.headless)
            displayProblem = ncv::displayProblem(arguments); // plugin paths need the application
    }
    // A FILE that cannot be opened is said before any display is needed, with the exit code
    // the headless conversion gives for it (1 no such file, 5 not a recording, newer or
    // unreadable); the window opens it again (it may change meanwhile).
    bool otherToolsFile = false; // recognised by its content; the window converts it
    if (parsed.action == ncv::ParseResult::Run && !parsed.options.inputPath.isEmpty()) {
        const auto kind = ncv::recording::detectFileKind(parsed.options.inputPath);
        otherToolsFile = kind != ncv::recording::FileKind::Empty && ncv::recording::isImportable(kind);
    }
    if (parsed.action == ncv::ParseResult::Run && !parsed.options.headless && !parsed.options.inputPath.isEmpty()
        && !otherToolsFile) {
        ncv::recording::RecordingReader reader;
        QString error;
        if (!reader.open(parsed.options.inputPath, &error)) {
            std::fprintf(stderr, "netchangeview: %s\n", error.toLocal8Bit().constData());
            return reader.status() == ncv::recording::RecordingReader::Status::NotFound ? ncv::ExitFailure
                                                                                        : ncv::ExitBadRecording;
        }
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
    // Qt aborts (exit 134, several lines) when it cannot open the display: say it in one
    // line instead, before trying where that can be known, and when Qt gives up otherwise.
    if (!displayProblem.isEmpty()) {
        std::fprintf(stderr, "%s\n", displayProblem.toLocal8Bit().constData());
        return ncv::ExitNoDisplay;
    }
    std::optional<ncv::PlatformStartupGuard> startupGuard(std::in_place, arguments);
    QApplication app(argc, argv);
    startupGuard.reset();
    return ncv::runGui(parsed.options);
}

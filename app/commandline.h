// Command line of the netchangeview executable (QCommandLineParser).
#pragma once

#include <QString>
#include <QStringList>

namespace ncv {

/// What the user asked for on the command line.
struct AppOptions {
    bool headless = false;       ///< --headless: record without a window
    QString csvPath;             ///< --export-csv FILE (required with --headless)
    double durationSec = -1;     ///< --duration SECONDS; -1 = until SIGINT/SIGTERM; 0 = snapshot only
    int addressFamily = 0;       ///< AF_UNSPEC, or AF_INET with -4, AF_INET6 with -6
    bool familyGiven = false;    ///< -4 or -6 was given (else the GUI uses its remembered choice)
    bool initial = true;         ///< false with --no-initial
};

/// Result of parsing: either options to run with, or an exit (help, version, error).
struct ParseResult {
    enum Action { Run, ExitOk, ExitError } action = Run;
    QString message; ///< help/version text (ExitOk) or the one-line error (ExitError)
    AppOptions options;
};

/// Parses arguments (including argv[0]). Needs a QCoreApplication (for the program name in
/// --help). Qt's GUI options (-platform, -display, -style...) are accepted and left for
/// QApplication.
ParseResult parseCommandLine(const QStringList &arguments);

} // namespace ncv

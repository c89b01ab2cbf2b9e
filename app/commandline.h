// SPDX-License-Identifier: GPL-2.0-or-later
// Command line of the netchangeview executable (QCommandLineParser).
#pragma once

#include "platform/routelookup.h"

#include <QString>
#include <QStringList>

namespace ncv {

/// Exit codes of the netchangeview process (the README's table).
enum ExitCode : int {
    ExitOk = 0, ///< recorded and written (also after SIGINT/SIGTERM/SIGHUP/SIGQUIT); window closed
    ExitFailure = 1, ///< runtime error: the file cannot be written, no change source
    ExitUsage = 2, ///< wrong command line
    ExitSnapshotIncomplete = 3, ///< stopped before the initial snapshot was complete (the file says so)
    ExitNoDisplay = 4, ///< the window cannot be opened: no usable display (--headless needs none)
    ExitBadRecording = 5, ///< FILE to convert is not a recording, from a newer format version, or unreadable
    ExitDamagedRecording = 6, ///< FILE is damaged: what was valid was converted, stderr says what was not
};

/// What the user asked for on the command line.
struct AppOptions {
    bool headless = false; ///< --headless: record without a window
    QString csvPath; ///< --export-csv FILE (with --headless: required unless --record is given)
    QString recordPath; ///< --record FILE: record to this recording file (with --headless)
    QString streamPath; ///< --stream FILE: JSON Lines of every event as it happens ("-": standard output)
    bool journal = false; ///< --journal: every event to the systemd journal as structured fields
    QString inputPath; ///< FILE: a recording to open in the window, or (--headless) to convert (with --export-csv)
    QString remoteUrl; ///< ssh://[user@]host[:port]: watch (or, --headless, record) that host over ssh
    /// Every ssh:// URL given, in order (remoteUrl is the first): two or more watch those hosts
    /// in one window (or one headless recording), each host as a namespace of its own.
    QStringList remoteUrls;
    QString fromTime; ///< --from T (as given; parsed against the recording's start)
    QString toTime; ///< --to T
    QString atTime; ///< --at T: the tables at T instead of events
    QString lookupAddress; ///< --lookup ADDRESS: the route ADDRESS takes over the recording's time
    /// --lookup ADDRESS [--from-address A] [--fwmark M], parsed (recording::parseRouteQuery())
    platform::RouteQuery lookupQuery;
    qint64 maxFileBytes = 0; ///< --max-size SIZE: start the next file of a series at this size (bytes); 0 = none
    double maxFileSec = 0; ///< --max-duration SECONDS: start the next file after this long; 0 = none
    double durationSec = -1; ///< --duration SECONDS; -1 = until SIGINT/SIGTERM; 0 = snapshot only
    int addressFamily = 0; ///< AF_UNSPEC, or AF_INET with -4, AF_INET6 with -6
    bool familyGiven = false; ///< -4 or -6 was given (else the GUI uses its remembered choice)
    bool initial = true; ///< false with --no-initial
    qint64 maxEvents = 0; ///< --max-events N: events kept in memory (>= 1); 0 = the default limit
    /// --netns all | NAME[,NAME]: the network namespaces to watch (Linux); empty = the program's own only
    QString netns;
    bool noRecord = false; ///< --no-record: the live window does not record (MainWindow::LiveRecording::Off)
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

// SPDX-License-Identifier: GPL-2.0-or-later
// Headless recording (--headless --export-csv FILE): no window, no display needed.
#pragma once

namespace ncv {
struct AppOptions;

/// Records until the duration elapses or SIGINT, SIGTERM, SIGHUP or SIGQUIT arrives
/// (SignalWatcher), writes the CSV and returns the process exit code (ExitCode: 0 ok, 1
/// runtime error, 3 stopped before the initial snapshot was complete). Prints "ready: ..."
/// to stderr once the snapshot is taken and notifications are live, one-line errors and
/// warnings, and a status line on SIGUSR1.
int runHeadless(const AppOptions &options);
} // namespace ncv

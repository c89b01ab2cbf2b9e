// Headless recording (--headless --export-csv FILE): no window, no display needed.
#pragma once

namespace ncv {
struct AppOptions;

/// Records until the duration elapses or SIGINT/SIGTERM arrives, writes the CSV and
/// returns the process exit code (0 ok, 1 runtime error). Prints "ready: ..." to stderr
/// once the snapshot is taken and notifications are live, and one-line errors.
int runHeadless(const AppOptions &options);
} // namespace ncv

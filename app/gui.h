// SPDX-License-Identifier: GPL-2.0-or-later
// The windowed application: the system source, the notification model and the main window.
#pragma once

namespace ncv {
struct AppOptions;
/// Shows the main window on the live system source; returns the exit code.
int runGui(const AppOptions &options);
} // namespace ncv

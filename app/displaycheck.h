// SPDX-License-Identifier: GPL-2.0-or-later
// Whether the window can be opened, asked before QApplication exists: when Qt cannot
// initialize a platform plugin it prints several lines and aborts (exit 134), so
// main() checks what can be checked first and turns the rest into one line and
// ExitNoDisplay.
#pragma once

#include <QString>
#include <QStringList>

namespace ncv {

/// The end of every "cannot open a window" line: how to record without a display.
QString headlessHint();

/// Empty when the window can probably be opened; otherwise one line (no trailing newline,
/// starting "netchangeview: ") naming the platform and display and ending with
/// headlessHint(). Needs a QCoreApplication (for the plugin paths). What it checks, for
/// the platforms Qt would try (the -platform argument, else QT_QPA_PLATFORM, a ';'
/// separated list with optional ":options", else xcb, and wayland first when
/// WAYLAND_DISPLAY is set or XDG_SESSION_TYPE is wayland, as QGuiApplication does):
/// - the platform plugin is installed: its key is among the Keys in the metadata of the
///   plugins in the "platforms" folders Qt searches (QPluginLoader::metaData, nothing is
///   loaded). Skipped when no platform plugin is found at all (a deployment this check
///   does not know);
/// - xcb: the display (-display argument, else DISPLAY) is set and, when it is local
///   ([unix]:N[.S]), the X server has a socket where libxcb looks: the socket file
///   /tmp/.X11-unix/XN, or (Linux, /proc/net) a listening abstract socket of that name or
///   a TCP listener on port 6000 + N (not for "unix:N"); remote displays are left to Qt;
/// - wayland*: the compositor's socket file exists (WAYLAND_DISPLAY, default wayland-0,
///   under XDG_RUNTIME_DIR unless absolute); WAYLAND_SOCKET is trusted.
/// No socket is connected to (a connection opened and closed at once made Xvfb drop the
/// next client's); a socket left behind by a dead server passes, and then Qt's failure
/// is caught by PlatformStartupGuard.
/// Other platforms (offscreen, minimal, vnc, eglfs, linuxfb...) need only their plugin.
/// The display is one that the window could open: one passing platform is enough.
/// On Windows and macOS it returns an empty string (the platform is built in).
QString displayProblem(const QStringList &arguments);

/// While it exists, messages go to a buffer instead of standard error, and a fatal one
/// (Qt's "no Qt platform plugin could be initialized", after an X server refused the
/// connection, for example) prints one line naming the display and headlessHint() and
/// ends the process with ExitNoDisplay instead of abort. Construct it right before
/// QApplication and destroy it right after: the destructor restores the previous message
/// handler and passes the buffered messages on to it. arguments: the command line, for
/// the -platform and -display it names in that line.
class PlatformStartupGuard {
public:
    explicit PlatformStartupGuard(const QStringList &arguments);
    ~PlatformStartupGuard();
    PlatformStartupGuard(const PlatformStartupGuard &) = delete;
    PlatformStartupGuard &operator=(const PlatformStartupGuard &) = delete;
};

} // namespace ncv

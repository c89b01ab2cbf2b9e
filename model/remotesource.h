// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteSource: the platform::Source of a remote host, watched over ssh. Each registration
// starts the system's OpenSSH client (so the user's keys, agent and ~/.ssh/config apply; no
// password is asked: BatchMode) running `netchangeview --headless --stream - [-4|-6]` on the
// host, and reads the JSON Lines stream it writes (JsonLinesReader) back into records:
// the remote's initial rows, its snapshot-complete marker, then its live changes, each with
// the REMOTE host's time (its clock, not ours).
//
// How a stream ends (RemoteFailure, one line each, RemoteOptions::ended):
// - ssh could not connect or log in (exit status 255 and its message on standard error: the
//   host name does not resolve, the host is unreachable, it refused the connection,
//   authentication failed, the host key is unknown or changed), the remote shell found no
//   netchangeview (exit status 127, "command not found"; the line names the package to
//   install), or the remote netchangeview writes a stream of another major schema (the line
//   names both and which side to upgrade), or a damaged line: the registration delivers one
//   Gap record (origin inferred) whose note is that line and calls RemoteOptions::ended with
//   it. Nothing comes after that: a dead end, not a hang.
// - The connection is lost after the stream went live (ssh exits or the stream ends without a
//   cancel: the link died, ServerAliveInterval noticing within about 15 s; ssh or the remote
//   recorder killed): one Gap record says so, then ssh is started again after a back-off
//   (RemoteOptions::reconnectFirstMs, doubling up to reconnectMaxMs, for as long as it takes;
//   RemoteOptions::status tells each step). The new stream's initial rows are not delivered as
//   such: they are reconciled with the state the registration held (StateStore, as an rtnetlink
//   overflow's resync dump is), and only the differences are delivered, origin inferred, by
//   "resync after gap", at the remote's snapshot-complete time: what changed while the
//   connection was down. A reconnect that fails to log in (authentication, host key,
//   netchangeview gone, another schema) ends the stream as above; an unreachable host is
//   tried again.
//
// The reader thread of each registration owns its QProcess (no event loop: waitForReadyRead
// in a loop that also watches for cancel) and the StateStore of the remote's rows. Thread-safe
// as Source requires.
#pragma once

#include "platform/registrationtable.h"
#include "platform/source.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <string>

namespace ncv {

/// A remote host as `ssh://[user@]host[:port]` names it.
struct RemoteHost {
    QString user; ///< "" = ssh's default (~/.ssh/config, else the local user)
    QString host; ///< name or address (an IPv6 address in brackets in the URL, without them here)
    int port = 0; ///< 0 = ssh's default (~/.ssh/config, else 22)

    /// "user@host:port" without the parts that are not set: for titles and the recent list.
    QString display() const;
    /// "ssh://user@host:port".
    QString url() const;
    /// Parses "ssh://[user@]host[:port]" ("[v6addr]" for an IPv6 address), or without the
    /// "ssh://" when needsScheme is false (a dialog's field). False with *error on anything
    /// else (a path, an empty host, a port outside 1..65535, a host starting with '-').
    static bool parse(const QString &text, RemoteHost *out, QString *error, bool needsScheme = true);
};

/// Why a remote host's stream ended.
enum class RemoteFailure : std::uint8_t {
    None,
    NameNotResolved, ///< ssh exit 255, "Could not resolve hostname"
    Unreachable, ///< ssh exit 255: "No route to host", "Network is unreachable", "Connection timed out"...
    ConnectionRefused, ///< ssh exit 255, "Connection refused"
    AuthenticationFailed, ///< ssh exit 255, "Permission denied (...)", "Too many authentication failures"
    HostKey, ///< ssh exit 255, "Host key verification failed" (unknown or changed host key)
    NotInstalled, ///< exit 127 and the shell's "not found": no netchangeview on the remote PATH
    CannotRun, ///< exit 126, or 127 otherwise (e.g. a missing library): netchangeview cannot start there
    SchemaNewer, ///< the remote writes a newer major stream schema than this build reads
    SchemaOlder, ///< ... an older one
    Damaged, ///< a line that is not a netchangeview event
    CannotStart, ///< the ssh program could not be started
    Other, ///< any other end: the connection or the remote recorder ended
};

/// Classifies the end of ssh from its exit (crashed: killed by a signal) and the text it (and
/// the remote shell) wrote on standard error. Never returns the stream's kinds (Schema*,
/// Damaged) nor CannotStart.
RemoteFailure classifySshEnd(bool crashed, int exitCode, const QString &stderrText);
/// True for the failures a reconnect may get past (the host unreachable, refused, a name not
/// resolved for now, a dropped connection); false for those that need the user (keys, host
/// key, installing or upgrading netchangeview, a damaged stream).
bool isTransient(RemoteFailure failure);
/// The package to install a netchangeview like this one with, as a command for the remote host:
/// "sudo apt-get install ./netchangeview_<version>_amd64.deb" (README "Install": the package
/// cpack -G DEB makes; <version> = QCoreApplication::applicationVersion(), "*" when unset).
QString remoteInstallCommand();

/// The state of a registration's connection, as RemoteOptions::status tells it.
enum class RemoteState : std::uint8_t {
    Connecting, ///< ssh started; waiting for the remote's snapshot
    Live, ///< the stream runs (after the first snapshot, or a reconnect's resync)
    Waiting, ///< the connection was lost; the next attempt in retryInMs
    Reconnecting, ///< ssh started again; waiting for the snapshot to resync against
};

struct RemoteOptions {
    /// The ssh program: "" = remoteSshProgram().
    QString program;
    /// The command run on the remote host before its arguments.
    QString remoteCommand = QStringLiteral("netchangeview");
    /// Called once per registration when its stream ended (after the Gap record that says
    /// so), on the registration's reader thread, with that record's note; never after cancel.
    std::function<void(const std::string &message)> ended;
    /// Called on the registration's reader thread at each change of state (never after
    /// cancel, nor after ended): message is why the connection was lost (Waiting,
    /// Reconnecting: the line of the last failure) or, for Live after a reconnect, how many
    /// changes the resync found ("" otherwise); retryInMs is the back-off (Waiting), else 0.
    std::function<void(RemoteState state, const std::string &message, int retryInMs)> status;
    /// Called on the registration's reader thread when a connection's stream reaches the
    /// remote's snapshot-complete marker (the first one and each reconnect's; never after
    /// cancel): offsetUs = the marker's time (the remote's clock, CLOCK_REALTIME there, in
    /// microseconds since the Unix epoch) minus this computer's clock when the line was read.
    /// The line travelled after the remote stamped it, so the true offset (remote minus
    /// local) is offsetUs plus that transport and parsing delay: offsetUs is at most the
    /// delay too low (a positive offset: the remote's clock is ahead).
    std::function<void(std::int64_t offsetUs)> clockOffset;
    /// The first wait before reconnecting, milliseconds; it doubles after each failed attempt
    /// up to reconnectMaxMs, and starts again from here once a reconnect went live.
    int reconnectFirstMs = 1000;
    int reconnectMaxMs = 30000;
};

/// The ssh program to run: $NETCHANGEVIEW_SSH when set, else the setting remote/sshProgram,
/// else "ssh" (found on PATH when started).
QString remoteSshProgram();

class RemoteSource final : public platform::Source {
public:
    RemoteSource(RemoteHost host, RemoteOptions options = {});
    ~RemoteSource() override;

    /// The arguments given to the ssh program for a registration of this address family:
    /// -T -o BatchMode=yes -o ServerAliveInterval=5 -o ServerAliveCountMax=3 [-p PORT] [-l USER]
    /// HOST -- netchangeview --headless --stream - [-4|-6].
    QStringList sshArguments(platform::Family family) const;
    const RemoteHost &host() const { return m_host; }

    /// Starts ssh on the reader thread. Errors: those of checkRegisterParams. That ssh cannot
    /// be started is not an error here: it ends the stream (see above).
    platform::Status registerChanges(const platform::RegisterParams &params, platform::Handle *handle) override;
    platform::Status cancel(platform::Handle handle) override;
    /// "ssh HOST" (RemoteHost::display()).
    std::string name() const override;
    bool stats(platform::Handle handle, platform::SourceStats *out) const override;

    struct Registration; // the reader thread's state

private:
    RemoteHost m_host;
    RemoteOptions m_options;
    platform::RegistrationTable<Registration> m_registrations;
};

} // namespace ncv

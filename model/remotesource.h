// SPDX-License-Identifier: GPL-2.0-or-later
// RemoteSource: the platform::Source of a remote host, watched over ssh. Each registration
// starts the system's OpenSSH client (so the user's keys, agent and ~/.ssh/config apply; no
// password is asked: BatchMode) running `netchangeview --headless --stream - [-4|-6]` on the
// host, and reads the JSON Lines stream it writes (JsonLinesReader) back into records:
// the remote's initial rows, its snapshot-complete marker, then its live changes, each with
// the REMOTE host's time (its clock, not ours).
//
// When the stream ends (ssh failed: authentication, host unreachable, `netchangeview: command
// not found`; the link died: ServerAliveInterval notices within about 15 s; the remote
// recorder stopped; a bad line), the registration delivers one Gap record (origin inferred)
// whose note says why in one line, with ssh's exit code and the last line ssh or the remote
// wrote on standard error, and then calls RemoteOptions::ended with the same text. Nothing
// comes after that: it is a dead end, not a hang.
//
// The reader thread of each registration owns its QProcess (no event loop: waitForReadyRead
// in a loop that also watches for cancel). Thread-safe as Source requires.
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

struct RemoteOptions {
    /// The ssh program: "" = remoteSshProgram().
    QString program;
    /// The command run on the remote host before its arguments.
    QString remoteCommand = QStringLiteral("netchangeview");
    /// Called once per registration when its stream ended (after the Gap record that says
    /// so), on the registration's reader thread, with that record's note; never after cancel.
    std::function<void(const std::string &message)> ended;
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

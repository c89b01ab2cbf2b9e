// SPDX-License-Identifier: GPL-2.0-or-later
// Reader threads: Registration::run() and what it calls run on a registration's own thread;
// the rest on the caller's.
#include "model/remotesource.h"

#include "model/export/jsonlines.h"
#include "model/export/jsonlinesreader.h"
#include "platform/entitytracker.h"
#include "platform/requester.h"
#include "platform/statestore.h"

#include <QCoreApplication>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

namespace ncv {

using namespace platform;

namespace {

// Most bytes of ssh's standard error kept: its last lines say why it failed.
constexpr qsizetype kMaxStderr = 16 * 1024;
// How often the reader thread looks for a cancel while nothing arrives.
constexpr int kPollMs = 100;

// The last non-empty line of text, trimmed, other than the remote recorder's "ready: ..."
// line (it says the stream started, not why it ended).
QString lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QByteArray line = it->trimmed();
        if (!line.isEmpty() && !line.startsWith("ready: "))
            return QString::fromLocal8Bit(line);
    }
    return {};
}

} // namespace

QString RemoteHost::display() const
{
    const QString h = host.contains(QLatin1Char(':')) && port != 0 ? QStringLiteral("[%1]").arg(host) : host;
    return (user.isEmpty() ? QString() : user + QLatin1Char('@')) + h
        + (port != 0 ? QStringLiteral(":%1").arg(port) : QString());
}

QString RemoteHost::url() const
{
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("ssh://") + (user.isEmpty() ? QString() : user + QLatin1Char('@')) + h
        + (port != 0 ? QStringLiteral(":%1").arg(port) : QString());
}

bool RemoteHost::parse(const QString &text, RemoteHost *out, QString *error, bool needsScheme)
{
    QString rest = text.trimmed();
    const QLatin1StringView scheme("ssh://");
    if (rest.startsWith(scheme))
        rest = rest.mid(scheme.size());
    else if (needsScheme) {
        *error = QStringLiteral("%1 is not an ssh://[user@]host[:port] address").arg(text);
        return false;
    }
    if (rest.endsWith(QLatin1Char('/')))
        rest.chop(1);
    RemoteHost h;
    if (const qsizetype at = rest.lastIndexOf(QLatin1Char('@')); at >= 0) {
        h.user = rest.left(at);
        rest = rest.mid(at + 1);
        if (h.user.isEmpty() || h.user.startsWith(QLatin1Char('-'))) {
            *error = QStringLiteral("%1: the user name is empty or starts with '-'").arg(text);
            return false;
        }
    }
    QString portText;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0) {
            *error = QStringLiteral("%1: '[' without ']'").arg(text);
            return false;
        }
        h.host = rest.mid(1, close - 1);
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(QLatin1Char(':'))) {
                *error = QStringLiteral("%1: unexpected text after ']'").arg(text);
                return false;
            }
            portText = after.mid(1);
        }
    } else if (rest.count(QLatin1Char(':')) == 1) {
        h.host = rest.section(QLatin1Char(':'), 0, 0);
        portText = rest.section(QLatin1Char(':'), 1);
    } else {
        h.host = rest; // a name, or a bare IPv6 address (no port then)
    }
    if (h.host.isEmpty() || h.host.startsWith(QLatin1Char('-')) || h.host.contains(QLatin1Char('/'))
        || h.host.contains(QLatin1Char(' '))) {
        *error = QStringLiteral("%1: no host name (or one with '/', ' ' or a leading '-')").arg(text);
        return false;
    }
    if (!portText.isEmpty() || rest.endsWith(QLatin1Char(':'))) {
        bool ok = false;
        h.port = portText.toInt(&ok);
        if (!ok || h.port < 1 || h.port > 65535) {
            *error = QStringLiteral("%1: the port is not a number from 1 to 65535").arg(text);
            return false;
        }
    }
    *out = h;
    return true;
}

QString remoteSshProgram()
{
    const QString env = qEnvironmentVariable("NETCHANGEVIEW_SSH");
    if (!env.isEmpty())
        return env;
    const QString setting = QSettings(QStringLiteral("NetChangeView"), QStringLiteral("NetChangeView"))
                                .value(QStringLiteral("remote/sshProgram"))
                                .toString();
    return setting.isEmpty() ? QStringLiteral("ssh") : setting;
}

RemoteFailure classifySshEnd(bool crashed, int exitCode, const QString &stderrText)
{
    if (crashed)
        return RemoteFailure::Other;
    const auto has
        = [&](const char *text) { return stderrText.contains(QLatin1StringView(text), Qt::CaseInsensitive); };
    if (exitCode == 127 || exitCode == 126) {
        // bash "netchangeview: command not found", dash "netchangeview: not found", zsh
        // "command not found: netchangeview", a PATH entry that is gone: "No such file".
        // A binary whose libraries are missing also exits 127, with the loader's message.
        if (exitCode == 127 && !has("error while loading shared libraries")
            && (has("not found") || has("No such file or directory")))
            return RemoteFailure::NotInstalled;
        return RemoteFailure::CannotRun;
    }
    if (exitCode != 255)
        return RemoteFailure::Other;
    // ssh's own failures (exit 255): what it said, most specific first.
    if (has("Host key verification failed") || has("REMOTE HOST IDENTIFICATION HAS CHANGED")
        || has("host key is known for") || has("No matching host key"))
        return RemoteFailure::HostKey;
    if (has("Permission denied") || has("Too many authentication failures") || has("no more authentication methods"))
        return RemoteFailure::AuthenticationFailed;
    if (has("Could not resolve hostname"))
        return RemoteFailure::NameNotResolved;
    if (has("Connection refused"))
        return RemoteFailure::ConnectionRefused;
    if (has("No route to host") || has("Network is unreachable") || has("Connection timed out") || has("Host is down")
        || has("Operation timed out"))
        return RemoteFailure::Unreachable;
    return RemoteFailure::Other;
}

bool isTransient(RemoteFailure failure)
{
    switch (failure) {
    case RemoteFailure::NameNotResolved:
    case RemoteFailure::Unreachable:
    case RemoteFailure::ConnectionRefused:
    case RemoteFailure::Other: return true;
    default: return false;
    }
}

QString remoteInstallCommand()
{
    const QString version = QCoreApplication::applicationVersion();
    return QStringLiteral("sudo apt-get install ./netchangeview_%1_amd64.deb")
        .arg(version.isEmpty() ? QStringLiteral("*") : version);
}

namespace {

// This build's version for messages: "0.9.0", or "" when the application did not set one.
QString thisVersion()
{
    const QString version = QCoreApplication::applicationVersion();
    return version.isEmpty() ? QString() : QLatin1Char(' ') + version;
}

// The one line for an end of kind failure. host: display(); exit: "ssh exit code N" or "ssh
// was killed"; said: the last line on standard error; detail: the reader's error (stream kinds);
// wasLive: the stream had gone live (then an end of no known kind is a lost connection).
QString failureLine(RemoteFailure failure, const QString &host, const QString &hostName, const QString &exit,
                    const QString &said, const QString &detail, const QString &remoteSchema, bool wasLive)
{
    const QString tail = said.isEmpty() ? QString() : QStringLiteral(": ") + said;
    switch (failure) {
    case RemoteFailure::NameNotResolved:
        return QStringLiteral("%1: no such host (its name does not resolve)%2").arg(host, tail);
    case RemoteFailure::Unreachable: return QStringLiteral("%1 is unreachable%2").arg(host, tail);
    case RemoteFailure::ConnectionRefused:
        return QStringLiteral("%1 refused the connection (no ssh server on that port?)%2").arg(host, tail);
    case RemoteFailure::AuthenticationFailed:
        return QStringLiteral("authentication to %1 failed (no password is asked: give ssh a key, e.g. with ssh-add or "
                              "IdentityFile in ~/.ssh/config)%2")
            .arg(host, tail);
    case RemoteFailure::HostKey:
        return QStringLiteral(
                   "the host key of %1 is not known or has changed (check it and accept it once with a plain "
                   "ssh %2)%3")
            .arg(host, hostName, tail);
    case RemoteFailure::NotInstalled:
        return QStringLiteral("netchangeview is not installed on %1 (or not on the PATH of a non-interactive login): "
                              "install it there with %2")
            .arg(host, remoteInstallCommand());
    case RemoteFailure::CannotRun: return QStringLiteral("netchangeview cannot run on %1 (%2)%3").arg(host, exit, tail);
    case RemoteFailure::SchemaNewer:
        return QStringLiteral("%1 runs a newer netchangeview: its stream is %2, this netchangeview%3 reads %4: upgrade "
                              "netchangeview on this computer")
            .arg(host, remoteSchema, thisVersion(), QLatin1StringView(jsonlines::kSchema));
    case RemoteFailure::SchemaOlder:
        return QStringLiteral(
                   "%1 runs an older netchangeview: its stream is %2, this netchangeview%3 reads %4: upgrade "
                   "it there with %5")
            .arg(host, remoteSchema, thisVersion(), QLatin1StringView(jsonlines::kSchema), remoteInstallCommand());
    case RemoteFailure::Damaged: return QStringLiteral("the stream from %1 is damaged: %2").arg(host, detail);
    case RemoteFailure::CannotStart: return detail;
    case RemoteFailure::None:
    case RemoteFailure::Other: break;
    }
    if (wasLive)
        return QStringLiteral("the connection to %1 was lost (%2)%3").arg(host, exit, tail);
    return QStringLiteral("the stream from %1 ended (%2)%3").arg(host, exit, tail);
}

} // namespace

struct RemoteSource::Registration {
    RegisterParams params;
    Family family = Family::Unspec;
    QString program;
    QStringList arguments;
    QString hostDisplay; // "user@host:port"
    QString hostName; // the host as ssh is given it
    std::function<void(const std::string &)> ended;
    std::function<void(RemoteState, const std::string &, int)> status;
    std::function<void(std::int64_t)> clockOffset;
    int reconnectFirstMs = 1000;
    int reconnectMaxMs = 30000;
    CallbackGate gate;
    std::atomic<bool> stop {false};
    std::atomic<std::uint64_t> lines {0};
    std::atomic<std::uint64_t> records {0};
    std::atomic<std::uint64_t> batches {0};
    std::atomic<std::uint64_t> gaps {0};
    std::atomic<std::uint64_t> resyncs {0};
    std::thread thread;

    // The reader thread's: the remote's rows as the records delivered left them (every kind
    // and family the stream carries, before this registration's filter), for the resync
    // after a reconnect; and the routes per origin, for the entity records of that resync.
    StateStore store;
    EntityTracker entities;
    bool snapshotDelivered = false;
    std::uint32_t resyncCause = RequesterTable::cause("resync after gap");

    // How one ssh connection ended.
    struct End {
        bool cancelled = false;
        bool wentLive = false; // its snapshot was complete (delivered, or resynced against)
        RemoteFailure failure = RemoteFailure::None;
        QString message; // one line
    };

    void requestStop() { stop.store(true); }
    // False when cancelled (then nothing more may be delivered).
    bool deliver(std::span<const ChangeRecord> records);
    // Delivers out through the filter (in place), false when cancelled.
    bool deliverFiltered(std::vector<ChangeRecord> &out);
    bool tell(RemoteState state, const QString &message = {}, int retryInMs = 0);
    // Reports the clock offset of the marker stamped remoteUs (its clock) that this computer
    // read at localUs; false when cancelled.
    bool tellClock(std::int64_t remoteUs, std::int64_t localUs);
    // Applies a record of the stream to store (the remote's rows).
    void mirror(const ChangeRecord &record);
    // The records that make store equal to snapshot (a reconnect's initial rows), delivered;
    // false when cancelled. *count: how many.
    bool resync(const Snapshot &snapshot, std::int64_t timeUs, std::size_t *count);
    // Sleeps ms while not cancelled; false when cancelled.
    bool wait(int ms);
    // Runs ssh once and reads its stream to its end. resyncing: a reconnect (initial rows are
    // reconciled, not delivered).
    End connectOnce(bool resyncing);
    bool deliverGap(const QString &note);
    void run();
};

bool RemoteSource::Registration::deliver(std::span<const ChangeRecord> out)
{
    CallbackScope scope(gate);
    if (!scope.entered())
        return false;
    if (!out.empty()) {
        params.callback(params.callerContext, out);
        records.fetch_add(out.size(), std::memory_order_relaxed);
        batches.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
}

bool RemoteSource::Registration::deliverFiltered(std::vector<ChangeRecord> &out)
{
    std::erase_if(out, [this](const ChangeRecord &r) {
        if (r.change == ChangeKind::Initial && !params.initialNotification)
            return true;
        return !matchesFilter(r, params.objects, family);
    });
    const bool ok = deliver(out);
    out.clear();
    return ok && !stop.load();
}

bool RemoteSource::Registration::tell(RemoteState state, const QString &message, int retryInMs)
{
    CallbackScope scope(gate);
    if (!scope.entered())
        return false;
    if (status)
        status(state, message.toStdString(), retryInMs);
    return true;
}

bool RemoteSource::Registration::tellClock(std::int64_t remoteUs, std::int64_t localUs)
{
    CallbackScope scope(gate);
    if (!scope.entered())
        return false;
    if (clockOffset)
        clockOffset(remoteUs - localUs);
    return true;
}

void RemoteSource::Registration::mirror(const ChangeRecord &r)
{
    ChangeRecord ignored;
    const bool gone = r.change == ChangeKind::Delete || r.change == ChangeKind::Expired;
    std::visit(
        [&](const auto &row) {
            using T = std::decay_t<decltype(row)>;
            if constexpr (
                std::is_same_v<
                    T,
                    InterfaceRow> || std::is_same_v<T, AddressRow> || std::is_same_v<T, NeighborRow> || std::is_same_v<T, RuleRow> || std::is_same_v<T, NexthopRow>) {
                if (gone)
                    store.remove(row, r.timeUs, r.origin, &ignored);
                else
                    store.upsert(row, r.timeUs, r.origin, &ignored);
            } else if constexpr (std::is_same_v<T, RouteRow>) {
                if (gone) {
                    store.remove(row, r.timeUs, r.origin, &ignored);
                } else if (r.change == ChangeKind::Parameter) {
                    // The remote's store made it: the held route (before) became after, perhaps
                    // with next hops of another identity.
                    const auto *before = std::get_if<RouteRow>(&r.before);
                    if (!before || !store.replaceRoute(*before, row, r.timeUs, r.origin, &ignored))
                        store.upsert(row, r.timeUs, r.origin, &ignored, true);
                } else {
                    store.upsert(row, r.timeUs, r.origin, &ignored);
                }
            }
        },
        r.row());
}

bool RemoteSource::Registration::resync(const Snapshot &snapshot, std::int64_t timeUs, std::size_t *count)
{
    // The entity records come from the route records of the resync: count what is held first.
    entities.clear();
    store.image(AllObjectsMask | NeighborsMask, Family::Unspec)
        .forEach([](const InterfaceRow &) {}, [](const AddressRow &) {},
                 [this](const RouteRow &route) { entities.countInitial(route); });
    constexpr std::size_t kBatch = 1024;
    std::vector<ChangeRecord> out;
    bool ok = true;
    *count = 0;
    const StateStore::RecordSink sink = [&](ChangeRecord &&record) {
        record.requester = resyncCause;
        ++*count;
        entities.process(std::move(record), out);
        if (ok && out.size() >= kBatch)
            ok = deliverFiltered(out);
    };
    store.beginReconcile(snapshot, timeUs, Origin::Inferred, sink);
    ChangeRecord record;
    for (const RouteRow &row : snapshot.routes)
        if (store.reconcileRoute(row, timeUs, Origin::Inferred, &record))
            sink(std::move(record));
    store.endReconcile(timeUs, Origin::Inferred, sink);
    return ok && deliverFiltered(out);
}

bool RemoteSource::Registration::wait(int ms)
{
    for (int waited = 0; waited < ms; waited += kPollMs) {
        if (stop.load())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kPollMs, ms - waited)));
    }
    return !stop.load();
}

bool RemoteSource::Registration::deliverGap(const QString &note)
{
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.origin = Origin::Inferred;
    gap.timeUs = nowUs();
    gap.note = note.toStdString();
    gaps.fetch_add(1, std::memory_order_relaxed);
    return deliver(std::span<const ChangeRecord>(&gap, 1));
}

RemoteSource::Registration::End RemoteSource::Registration::connectOnce(bool resyncing)
{
    End result;
    QProcess ssh;
    ssh.setProgram(program);
    ssh.setArguments(arguments);
    ssh.start(QIODevice::ReadOnly);
    if (!ssh.waitForStarted(-1)) {
        result.failure = RemoteFailure::CannotStart;
        result.message = QStringLiteral("cannot start %1: %2").arg(program, ssh.errorString());
        return result;
    }

    JsonLinesReader reader;
    const std::uint64_t linesBefore = lines.load(std::memory_order_relaxed); // the earlier connections'
    std::vector<ChangeRecord> read;
    std::vector<ChangeRecord> kept;
    Snapshot snapshot; // a reconnect's initial rows
    QByteArray stderrText;
    bool failed = false; // a bad line
    // Reads what ssh wrote on standard output and delivers it; false when cancelled.
    const auto drain = [&]() -> bool {
        const QByteArray chunk = ssh.readAllStandardOutput();
        const std::int64_t readUs = nowUs(); // before parsing: the clock offset's receive time
        stderrText += ssh.readAllStandardError();
        if (stderrText.size() > kMaxStderr)
            stderrText = stderrText.right(kMaxStderr);
        if (chunk.isEmpty() || failed)
            return !stop.load();
        read.clear();
        if (!reader.feed(chunk.constData(), std::size_t(chunk.size()), &read))
            failed = true;
        lines.store(linesBefore + reader.lines(), std::memory_order_relaxed);
        for (ChangeRecord &r : read) {
            if (r.change == ChangeKind::SnapshotComplete) {
                if (result.wentLive)
                    continue;
                result.wentLive = true;
                if (!tellClock(r.timeUs, readUs))
                    return false;
                if (resyncing) {
                    // What changed while the connection was down, as an overflow's resync.
                    if (!deliverFiltered(kept))
                        return false;
                    std::size_t changes = 0;
                    if (!resync(snapshot, r.timeUs, &changes))
                        return false;
                    snapshot = Snapshot {};
                    resyncs.fetch_add(1, std::memory_order_relaxed);
                    if (!tell(RemoteState::Live,
                              QStringLiteral("reconnected to %1: %2 changes while disconnected")
                                  .arg(hostDisplay)
                                  .arg(changes)))
                        return false;
                    continue;
                }
                if (std::exchange(snapshotDelivered, true))
                    continue; // exactly once per registration
                kept.push_back(std::move(r));
                if (!deliverFiltered(kept) || !tell(RemoteState::Live))
                    return false;
                continue;
            }
            if (resyncing && !result.wentLive) {
                // The reconnect's initial rows: the state to reconcile with, not records.
                if (r.change == ChangeKind::Initial) {
                    std::visit(
                        [&](auto &row) {
                            using T = std::decay_t<decltype(row)>;
                            if constexpr (std::is_same_v<T, InterfaceRow>)
                                snapshot.interfaces.push_back(std::move(row));
                            else if constexpr (std::is_same_v<T, AddressRow>)
                                snapshot.addresses.push_back(std::move(row));
                            else if constexpr (std::is_same_v<T, RouteRow>)
                                snapshot.routes.push_back(std::move(row));
                            else if constexpr (std::is_same_v<T, NeighborRow>)
                                snapshot.neighbors.push_back(std::move(row));
                            else if constexpr (std::is_same_v<T, RuleRow>)
                                snapshot.rules.push_back(std::move(row));
                            else if constexpr (std::is_same_v<T, NexthopRow>)
                                snapshot.nexthops.push_back(std::move(row));
                        },
                        r.after);
                    continue;
                }
                if (r.object != ObjectKind::Gap)
                    continue; // nothing else comes before the marker; a remote's gap does
            } else {
                mirror(r);
            }
            kept.push_back(std::move(r));
        }
        return deliverFiltered(kept);
    };

    // Cancelled: SIGTERM lets ssh close the connection (the remote recorder then ends on
    // its broken pipe); SIGKILL when it does not go.
    const auto endSsh = [&] {
        ssh.terminate();
        if (!ssh.waitForFinished(2000)) {
            ssh.kill();
            ssh.waitForFinished(-1);
        }
        result.cancelled = true;
        return result;
    };
    for (;;) {
        if (stop.load())
            return endSsh();
        const bool ready = ssh.waitForReadyRead(kPollMs);
        if (!drain())
            return endSsh();
        if (failed)
            break;
        if (!ready && ssh.state() == QProcess::NotRunning)
            break;
    }
    if (!failed) {
        ssh.waitForFinished(-1);
        if (!drain())
            return endSsh();
        if (!failed && !reader.finish())
            failed = true;
    } else {
        ssh.kill();
        ssh.waitForFinished(-1);
        stderrText += ssh.readAllStandardError();
    }
    const bool crashed = ssh.exitStatus() == QProcess::CrashExit;
    const QString exit
        = crashed ? QStringLiteral("ssh was killed") : QStringLiteral("ssh exit code %1").arg(ssh.exitCode());
    if (failed) {
        switch (reader.errorKind()) {
        case JsonLinesReader::ErrorKind::SchemaNewer: result.failure = RemoteFailure::SchemaNewer; break;
        case JsonLinesReader::ErrorKind::SchemaOlder: result.failure = RemoteFailure::SchemaOlder; break;
        default: result.failure = RemoteFailure::Damaged; break;
        }
    } else {
        result.failure = classifySshEnd(crashed, ssh.exitCode(), QString::fromLocal8Bit(stderrText));
    }
    result.message = failureLine(result.failure, hostDisplay, hostName, exit, lastLine(stderrText), reader.error(),
                                 reader.remoteSchema(), result.wentLive);
    return result;
}

void RemoteSource::Registration::run()
{
    if (!tell(RemoteState::Connecting))
        return;
    End end = connectOnce(false);
    int delayMs = reconnectFirstMs;
    // A stream that went live and was lost is started again until it is live again, the
    // failure needs the user, or the registration is cancelled.
    while (!end.cancelled && end.wentLive && isTransient(end.failure)) {
        if (!deliverGap(QStringLiteral("%1; reconnecting").arg(end.message)))
            return;
        bool live = false;
        while (!live) {
            if (!tell(RemoteState::Waiting, end.message, delayMs) || !wait(delayMs))
                return;
            if (!tell(RemoteState::Reconnecting, end.message))
                return;
            End attempt = connectOnce(true);
            if (attempt.cancelled)
                return;
            live = attempt.wentLive;
            if (!live && !isTransient(attempt.failure)) {
                end = attempt; // needs the user: ends below
                end.wentLive = false;
                break;
            }
            if (live) {
                end = attempt;
                delayMs = reconnectFirstMs;
            } else {
                end.message = attempt.message;
                delayMs = std::min(delayMs * 2, std::max(reconnectMaxMs, reconnectFirstMs));
            }
        }
    }
    if (end.cancelled)
        return;
    CallbackScope scope(gate);
    if (!scope.entered())
        return;
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.origin = Origin::Inferred;
    gap.timeUs = nowUs();
    gap.note = end.message.toStdString();
    gaps.fetch_add(1, std::memory_order_relaxed);
    params.callback(params.callerContext, std::span<const ChangeRecord>(&gap, 1));
    if (ended)
        ended(gap.note);
}

RemoteSource::RemoteSource(RemoteHost host, RemoteOptions options)
    : m_host(std::move(host)), m_options(std::move(options))
{
    if (m_options.program.isEmpty())
        m_options.program = remoteSshProgram();
}

RemoteSource::~RemoteSource()
{
    for (const auto &reg : m_registrations.takeAll())
        stopRegistration(*reg);
}

QStringList RemoteSource::sshArguments(Family family) const
{
    QStringList args {QStringLiteral("-T"),
                      QStringLiteral("-o"),
                      QStringLiteral("BatchMode=yes"),
                      QStringLiteral("-o"),
                      QStringLiteral("ServerAliveInterval=5"),
                      QStringLiteral("-o"),
                      QStringLiteral("ServerAliveCountMax=3")};
    if (m_host.port != 0)
        args << QStringLiteral("-p") << QString::number(m_host.port);
    if (!m_host.user.isEmpty())
        args << QStringLiteral("-l") << m_host.user;
    args << m_host.host << QStringLiteral("--") << m_options.remoteCommand << QStringLiteral("--headless")
         << QStringLiteral("--stream") << QStringLiteral("-");
    if (family == Family::IPv4)
        args << QStringLiteral("-4");
    else if (family == Family::IPv6)
        args << QStringLiteral("-6");
    return args;
}

Status RemoteSource::registerChanges(const RegisterParams &params, Handle *handle)
{
    Family family = Family::Unspec;
    if (Status s = checkRegisterParams(params, handle, &family, "registerChanges"); !s.ok())
        return s;
    auto reg = std::make_shared<Registration>();
    reg->params = params;
    reg->family = family;
    reg->program = m_options.program;
    reg->arguments = sshArguments(family);
    reg->hostDisplay = m_host.display();
    reg->hostName = m_host.host;
    reg->ended = m_options.ended;
    reg->status = m_options.status;
    reg->clockOffset = m_options.clockOffset;
    reg->reconnectFirstMs = std::max(1, m_options.reconnectFirstMs);
    reg->reconnectMaxMs = m_options.reconnectMaxMs;
    *handle = m_registrations.add(reg, [&](Handle) { reg->thread = std::thread([r = reg] { r->run(); }); });
    return Status::success();
}

Status RemoteSource::cancel(Handle handle)
{
    std::shared_ptr<Registration> reg;
    if (Status s = m_registrations.take(handle, &reg, "cancel"); !s.ok())
        return s;
    stopRegistration(*reg);
    return Status::success();
}

std::string RemoteSource::name() const
{
    return "ssh " + m_host.display().toStdString();
}

bool RemoteSource::stats(Handle handle, SourceStats *out) const
{
    const auto reg = m_registrations.find(handle);
    if (!reg)
        return false;
    *out = SourceStats();
    out->messages = reg->lines.load(std::memory_order_relaxed);
    out->records = reg->records.load(std::memory_order_relaxed);
    out->batches = reg->batches.load(std::memory_order_relaxed);
    out->gaps = reg->gaps.load(std::memory_order_relaxed);
    out->resyncs = reg->resyncs.load(std::memory_order_relaxed);
    return true;
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
// Reader threads: Registration::run() and what it calls run on a registration's own thread;
// the rest on the caller's.
#include "model/remotesource.h"

#include "model/export/jsonlinesreader.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QStandardPaths>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace ncv {

using namespace platform;

namespace {

// Most bytes of ssh's standard error kept: its last lines say why it failed.
constexpr qsizetype kMaxStderr = 16 * 1024;
// How often the reader thread looks for a cancel while nothing arrives.
constexpr int kPollMs = 100;

// The last non-empty line of text, trimmed.
QString lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QByteArray line = it->trimmed();
        if (!line.isEmpty())
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

struct RemoteSource::Registration {
    RegisterParams params;
    Family family = Family::Unspec;
    QString program;
    QStringList arguments;
    QString hostName;
    std::function<void(const std::string &)> ended;
    CallbackGate gate;
    std::atomic<bool> stop {false};
    std::atomic<std::uint64_t> lines {0};
    std::atomic<std::uint64_t> records {0};
    std::atomic<std::uint64_t> batches {0};
    std::thread thread;

    void requestStop() { stop.store(true); }
    // False when cancelled (then nothing more may be delivered).
    bool deliver(std::span<const ChangeRecord> records);
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

void RemoteSource::Registration::run()
{
    QProcess ssh;
    ssh.setProgram(program);
    ssh.setArguments(arguments);
    ssh.start(QIODevice::ReadOnly);
    const bool started = ssh.waitForStarted(-1);

    JsonLinesReader reader;
    std::vector<ChangeRecord> read;
    std::vector<ChangeRecord> kept;
    QByteArray stderrText;
    bool snapshotComplete = false;
    QString failure; // a bad line
    // Reads what ssh wrote on standard output and delivers it; false when cancelled.
    const auto drain = [&]() -> bool {
        const QByteArray chunk = ssh.readAllStandardOutput();
        stderrText += ssh.readAllStandardError();
        if (stderrText.size() > kMaxStderr)
            stderrText = stderrText.right(kMaxStderr);
        if (chunk.isEmpty() || !failure.isEmpty())
            return !stop.load();
        read.clear();
        if (!reader.feed(chunk.constData(), std::size_t(chunk.size()), &read))
            failure = reader.error();
        lines.store(reader.lines(), std::memory_order_relaxed);
        kept.clear();
        for (ChangeRecord &r : read) {
            if (r.change == ChangeKind::SnapshotComplete) {
                if (std::exchange(snapshotComplete, true))
                    continue; // exactly once per registration
            } else if (r.change == ChangeKind::Initial && !params.initialNotification) {
                continue;
            } else if (!matchesFilter(r, params.objects, family)) {
                continue;
            }
            kept.push_back(std::move(r));
        }
        return deliver(kept) && !stop.load();
    };

    // Cancelled: SIGTERM lets ssh close the connection (the remote recorder then ends on
    // its broken pipe); SIGKILL when it does not go.
    const auto endSsh = [&] {
        ssh.terminate();
        if (!ssh.waitForFinished(2000)) {
            ssh.kill();
            ssh.waitForFinished(-1);
        }
    };
    QString message;
    if (!started) {
        message = QStringLiteral("cannot start %1: %2").arg(program, ssh.errorString());
    } else {
        for (;;) {
            if (stop.load())
                return endSsh();
            const bool ready = ssh.waitForReadyRead(kPollMs);
            if (!drain())
                return endSsh();
            if (!failure.isEmpty())
                break;
            if (!ready && ssh.state() == QProcess::NotRunning)
                break;
        }
        if (failure.isEmpty()) {
            ssh.waitForFinished(-1);
            if (!drain())
                return; // cancelled, and ssh has ended
            if (failure.isEmpty() && !reader.finish())
                failure = reader.error();
        } else {
            ssh.kill();
            ssh.waitForFinished(-1);
            stderrText += ssh.readAllStandardError();
        }
        const QString said = lastLine(stderrText);
        const QString exit = ssh.exitStatus() == QProcess::CrashExit
            ? QStringLiteral("ssh was killed")
            : QStringLiteral("ssh exit code %1").arg(ssh.exitCode());
        if (!failure.isEmpty())
            message = QStringLiteral("the stream from %1 is damaged: %2").arg(hostName, failure);
        else
            message = QStringLiteral("the stream from %1 ended (%2)%3")
                          .arg(hostName, exit, said.isEmpty() ? QString() : QStringLiteral(": ") + said);
    }
    ChangeRecord end;
    end.object = ObjectKind::Gap;
    end.change = ChangeKind::Gap;
    end.origin = Origin::Inferred;
    end.timeUs = nowUs();
    end.note = message.toStdString();
    CallbackScope scope(gate);
    if (!scope.entered())
        return;
    params.callback(params.callerContext, std::span<const ChangeRecord>(&end, 1));
    if (ended)
        ended(end.note);
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
    reg->hostName = m_host.display();
    reg->ended = m_options.ended;
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
    return true;
}

} // namespace ncv

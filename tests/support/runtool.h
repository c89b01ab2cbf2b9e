// SPDX-License-Identifier: GPL-2.0-or-later
// How tests run the real tools (ip, tc, editcap...): wait for the exit, and say why a
// command failed in the test's log, so a failing QVERIFY(ip(...)) names the command and
// ip's own message.
#pragma once

#include <QByteArray>
#include <QDebug>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace ncv::test {

/// Runs program with args (TZ=UTC: ip prints stamps in local time) and waits up to
/// timeoutMs (generous: the wait ends at the exit; it only bounds a hang). True when it
/// exited 0, with its standard output in *out (may be null); else false after a warning
/// naming the command and its standard error.
inline bool runTool(const QString &program, const QStringList &args, QByteArray *out = nullptr, int timeoutMs = 60000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << program << args.join(u' ') << "failed:" << p.readAllStandardError();
        return false;
    }
    if (out)
        *out = p.readAllStandardOutput();
    return true;
}

/// As runTool(), standard output as UTF-8 text.
inline bool runTool(const QString &program, const QStringList &args, QString *out, int timeoutMs = 60000)
{
    QByteArray bytes;
    const bool ok = runTool(program, args, &bytes, timeoutMs);
    if (out)
        *out = QString::fromUtf8(bytes);
    return ok;
}

/// `ip ARGS` (ARGS split as a shell would, QProcess::splitCommand), as runTool().
inline bool ip(const QString &args, QByteArray *out = nullptr, int timeoutMs = 60000)
{
    return runTool(QStringLiteral("ip"), QProcess::splitCommand(args), out, timeoutMs);
}

} // namespace ncv::test

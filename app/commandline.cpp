// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/commandline.h"

#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/recorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cmath>

namespace ncv {

ParseResult parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Shows the network configuration (interfaces, addresses, routes) changing live, and records "
        "the changes as CSV.\n\nHeadless recording: netchangeview --headless --export-csv FILE "
        "[--duration SECONDS] [-4 | -6] [--no-initial] [--max-events N]\nPrints a line starting with 'ready:' "
        "to standard error once the snapshot is taken and notifications are live; writes FILE and exits 0 when "
        "the duration elapses or on SIGINT, SIGTERM, SIGHUP or SIGQUIT (exit 3 when that came before the "
        "snapshot was complete); SIGUSR1 prints a status line.\n\nOpening a recording in the window: netchangeview "
        "FILE"));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QStringLiteral("Record without a window (needs --export-csv)."));
    const QCommandLineOption exportCsv(QStringLiteral("export-csv"),
                                       QStringLiteral("Write the event history to <file> as CSV when recording ends."),
                                       QStringLiteral("file"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Stop recording after <seconds> (a number from 0 to 1e9; 0 = take "
                                                     "the snapshot and stop). Default: until SIGINT/SIGTERM."),
                                      QStringLiteral("seconds"));
    const QCommandLineOption ipv4(QStringList {QStringLiteral("4"), QStringLiteral("ipv4")},
                                  QStringLiteral("IPv4 only (AF_INET)."));
    const QCommandLineOption ipv6(QStringList {QStringLiteral("6"), QStringLiteral("ipv6")},
                                  QStringLiteral("IPv6 only (AF_INET6)."));
    const QCommandLineOption noInitial(QStringLiteral("no-initial"),
                                       QStringLiteral("Do not record the rows present at start ('initial' events)."));
    const QCommandLineOption maxEvents(
        QStringLiteral("max-events"),
        QStringLiteral("Keep at most <n> events (default %1); beyond that the oldest are dropped, and an exported "
                       "CSV starts with a row that counts them.")
            .arg(EventHistory::kDefaultCapacity),
        QStringLiteral("n"));
    parser.addOptions({headless, exportCsv, duration, ipv4, ipv6, noInitial, maxEvents});
    // Options QGuiApplication/QApplication take from argv themselves.
    for (const char *name : {"platform", "platformpluginpath", "platformtheme", "display", "style", "stylesheet",
                             "qwindowgeometry", "qwindowtitle", "qwindowicon", "plugin"}) {
        QCommandLineOption qtOption(QString::fromLatin1(name), QString(), QStringLiteral("value"));
        qtOption.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(qtOption);
    }
    for (const char *name : {"reverse", "nograb", "dograb", "sync"}) {
        QCommandLineOption qtFlag(QString::fromLatin1(name));
        qtFlag.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(qtFlag);
    }
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);

    ParseResult result;
    if (!parser.parse(arguments)) {
        result.action = ParseResult::ExitError;
        result.message = parser.errorText();
        return result;
    }
    if (parser.isSet(helpOption)) {
        result.action = ParseResult::ExitOk;
        result.message = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.action = ParseResult::ExitOk;
        result.message = QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion() + u'\n';
        return result;
    }
    auto fail = [&result](const QString &message) {
        result.action = ParseResult::ExitError;
        result.message = message;
        return result;
    };
    AppOptions &o = result.options;
    o.headless = parser.isSet(headless);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (!positional.isEmpty() && o.headless))
        return fail(QStringLiteral("unexpected argument '%1'").arg(positional.constLast()));
    if (!positional.isEmpty())
        o.inputPath = positional.constFirst();
    o.csvPath = parser.value(exportCsv);
    o.initial = !parser.isSet(noInitial);
    if (parser.isSet(ipv4) && parser.isSet(ipv6))
        return fail(QStringLiteral("-4 and -6 exclude each other (give neither for both families)"));
    o.familyGiven = parser.isSet(ipv4) || parser.isSet(ipv6);
    o.addressFamily = parser.isSet(ipv4) ? platform::afInet()
        : parser.isSet(ipv6)             ? platform::afInet6()
                                         : platform::afUnspec();
    if (parser.isSet(duration)) {
        bool ok = false;
        const double d = parser.value(duration).toDouble(&ok);
        if (!ok || !std::isfinite(d) || d < 0)
            return fail(
                QStringLiteral("--duration needs a number of seconds >= 0, not '%1'").arg(parser.value(duration)));
        if (d > kMaxDurationSec)
            return fail(QStringLiteral("--duration can be at most %1 seconds (about 31 years), not '%2'")
                            .arg(QString::number(kMaxDurationSec, 'f', 0), parser.value(duration)));
        o.durationSec = d;
    }
    if (parser.isSet(maxEvents)) {
        bool ok = false;
        const qint64 n = parser.value(maxEvents).toLongLong(&ok);
        if (!ok || n < 1)
            return fail(
                QStringLiteral("--max-events needs a whole number >= 1, not '%1'").arg(parser.value(maxEvents)));
        o.maxEvents = n;
    }
    if (o.headless) {
        if (!parser.isSet(exportCsv) || o.csvPath.isEmpty())
            return fail(QStringLiteral("--headless needs --export-csv FILE"));
    } else {
        if (parser.isSet(exportCsv))
            return fail(QStringLiteral("--export-csv is for --headless recording; in the window use File > Export"));
        if (parser.isSet(duration))
            return fail(QStringLiteral("--duration is for --headless recording"));
        if (parser.isSet(noInitial))
            return fail(QStringLiteral("--no-initial is for --headless recording"));
    }
    return result;
}

} // namespace ncv

// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/commandline.h"

#include "app/buildinfo.h"

#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/recorder.h"
#include "model/recording/lookupexport.h"
#include "model/remotesource.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRegularExpression>

#include <cmath>

namespace ncv {

ParseResult parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Shows the network configuration (interfaces, addresses, routes) changing live, and records "
        "the changes as CSV.\n\nHeadless recording: netchangeview --headless --export-csv FILE "
        "[--duration SECONDS] [-4 | -6] [--no-initial] [--max-events N]\n\nPrints a line starting with 'ready:' "
        "to standard error once the snapshot is taken and notifications are live; writes FILE and exits 0 when "
        "the duration elapses or on SIGINT, SIGTERM, SIGHUP or SIGQUIT (exit 3 when that came before the "
        "snapshot was complete); SIGUSR1 prints a status line.\n\n"
        "Recording to a file: netchangeview --headless --record FILE [--export-csv OUT] [--duration SECONDS] "
        "[-4 | -6]\n\nStreaming to a log pipeline: netchangeview --headless --stream FILE (or - for standard output) "
        "writes one JSON object per event as it happens (JSON Lines, schema netchangeview.event/1; see the "
        "README); it combines with --record and --export-csv. --journal sends every event to the systemd journal as "
        "structured fields (NCV_OBJECT=route, NCV_CHANGE=delete, ...; journalctl NCV_OBJECT=route).\n\nWith --record, "
        "SIGHUP re-opens the recording (log "
        "rotation): FILE is finished and recording "
        "goes on in a new FILE when it was moved away, or in the next file of a --max-size / --max-duration "
        "series.\n\nConverting a recording: netchangeview --headless FILE --export-csv OUT [--from T] [--to T], "
        "or the tables at one moment: netchangeview --headless FILE --at T --export-csv OUT. T is ISO 8601 UTC "
        "(2026-11-21T11:42:03Z, fractions allowed) or seconds from the recording's start (+90.5).\n\nOpening a "
        "recording in the window: netchangeview FILE\n\nWhich route an address takes over a recording's time: "
        "netchangeview --headless FILE --lookup ADDRESS [--from-address A] [--fwmark M] --export-csv OUT [--from T] "
        "[--to T]: one row per change of the chosen route (a recording of several network namespaces: --netns NAME "
        "picks the one).\n\nWatching a remote host over ssh (the system's OpenSSH "
        "client, BatchMode: keys or an agent, ~/.ssh/config applies; netchangeview must be installed there): "
        "netchangeview ssh://[user@]host[:port] (several: ssh://a ssh://b, one window with a Host column and "
        "selector), or netchangeview --headless ssh://host [ssh://host2 ...] --record FILE (or "
        "--export-csv, --stream); times are each remote host's own clock. A lost connection is made again (1 s, then "
        "up to 30 s "
        "apart) and the changes made meanwhile are recorded as inferred after a gap; a failure to log in or to run "
        "netchangeview there ends it with one line and, headless, exit status 1.\n\nThe live window records every "
        "event to a new "
        "live-<time>.ncv in its recordings folder (File > Save Recording As copies it); --no-record turns that "
        "off."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption headless(
        QStringLiteral("headless"),
        QStringLiteral("Record without a window (needs --export-csv, --record, --stream or --journal)."));
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
    const QCommandLineOption record(
        QStringLiteral("record"),
        QStringLiteral("Record every event to the recording <file> (SQLite, created new) as it arrives."),
        QStringLiteral("file"));
    const QCommandLineOption stream(
        QStringLiteral("stream"),
        QStringLiteral("With --headless: write every event as one JSON line to <file> (appended to; - for standard "
                       "output) as it happens."),
        QStringLiteral("file"));
    const QCommandLineOption journal(
        QStringLiteral("journal"),
        QStringLiteral("With --headless: send every event to the systemd journal as structured fields (NCV_OBJECT, "
                       "NCV_CHANGE, ...) as it happens."));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("Converting a recording: only events at or after <time>."),
                                  QStringLiteral("time"));
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("Converting a recording: only events at or before <time>."),
                                QStringLiteral("time"));
    const QCommandLineOption at(
        QStringLiteral("at"),
        QStringLiteral("Converting a recording: the tables at <time>, one 'initial' row per object."),
        QStringLiteral("time"));
    const QCommandLineOption lookup(
        QStringLiteral("lookup"),
        QStringLiteral("Converting a recording: the route <address> takes (as ip route get), at the start and after "
                       "every change of it, instead of the events."),
        QStringLiteral("address"));
    const QCommandLineOption lookupFrom(QStringLiteral("from-address"),
                                        QStringLiteral("With --lookup: the packet's source address."),
                                        QStringLiteral("address"));
    const QCommandLineOption lookupMark(
        QStringLiteral("fwmark"), QStringLiteral("With --lookup: the packet's firewall mark (decimal or 0x hex)."),
        QStringLiteral("mark"));
    const QCommandLineOption maxSize(
        QStringLiteral("max-size"),
        QStringLiteral("With --record: when the file reaches <size> (bytes, or with k, M, G: 1000s; KiB, MiB, GiB: "
                       "1024s), go on in a new file FILE-002, FILE-003... (the first is FILE-001)."),
        QStringLiteral("size"));
    const QCommandLineOption maxDuration(
        QStringLiteral("max-duration"),
        QStringLiteral("With --record: after <seconds> in one file, go on in a new one (as --max-size)."),
        QStringLiteral("seconds"));
    const QCommandLineOption noRecord(
        QStringLiteral("no-record"),
        QStringLiteral("The live window does not record its events to the recordings folder (it does by default; "
                       "setting liveRecording/enabled)."));
    const QCommandLineOption netns(
        QStringLiteral("netns"),
        QStringLiteral(
            "Linux: watch the network namespaces <names> (their /run/netns names, as the namespace column "
            "shows them, or net:[inode], separated by commas), or all of them, including those created "
            "later (all). The window shows every one's events; its tables show one at a time, picked in "
            "its Namespace box (the first watched at start). With --lookup of a recording of several: the one "
            "to look up in. Default: the namespace the program runs in."),
        QStringLiteral("names"));
    parser.addOptions({headless,   exportCsv,  duration, ipv4,        ipv6,     noInitial, maxEvents,
                       record,     stream,     journal,  from,        to,       at,        lookup,
                       lookupFrom, lookupMark, maxSize,  maxDuration, noRecord, netns});
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
        // The commit too: a bug report then names the exact source, also for a package
        // built from an untagged tree.
        result.message = QStringLiteral("%1 %2 (commit %3)\n")
                             .arg(QCoreApplication::applicationName(), QCoreApplication::applicationVersion(),
                                  QString::fromLatin1(buildCommit()));
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
    if (!positional.isEmpty() && positional.constFirst().startsWith(QLatin1String("ssh://"))) {
        // Several hosts: ssh://a ssh://b ..., each at most once.
        QStringList names;
        for (const QString &url : positional) {
            RemoteHost host;
            QString error;
            if (!url.startsWith(QLatin1String("ssh://")))
                return fail(QStringLiteral("unexpected argument '%1' (several remote hosts are given as ssh://HOST "
                                           "ssh://HOST ...)")
                                .arg(url));
            if (!RemoteHost::parse(url, &host, &error))
                return fail(error);
            if (names.contains(host.display()))
                return fail(QStringLiteral("%1 is given twice").arg(host.url()));
            names << host.display();
            o.remoteUrls << host.url();
        }
        o.remoteUrl = o.remoteUrls.constFirst();
    } else if (positional.size() > 1) {
        return fail(QStringLiteral("unexpected argument '%1'").arg(positional.constLast()));
    } else if (!positional.isEmpty()) {
        o.inputPath = positional.constFirst();
    }
    o.recordPath = parser.value(record);
    o.streamPath = parser.value(stream);
    o.journal = parser.isSet(journal);
    o.noRecord = parser.isSet(noRecord);
    if (parser.isSet(netns)) {
        o.netns = parser.value(netns);
        if (o.netns.trimmed().isEmpty())
            return fail(QStringLiteral("--netns needs all or namespace names"));
        if (!o.remoteUrl.isEmpty())
            return fail(QStringLiteral("--netns watches this machine's namespaces; ssh://HOST shows the remote "
                                       "host's own"));
        // A recording's own namespaces: --lookup follows the route in the one named.
        if (!o.inputPath.isEmpty() && !parser.isSet(lookup))
            return fail(QStringLiteral("--netns watches live changes; the recording %1 holds the namespaces it was "
                                       "recorded from (--at writes them all; --lookup takes --netns NAME)")
                            .arg(o.inputPath));
        if (!o.inputPath.isEmpty() && (o.netns.contains(QLatin1Char(',')) || o.netns.trimmed() == QLatin1String("all")))
            return fail(QStringLiteral("--lookup follows the route in one network namespace: --netns NAME"));
    }
    o.fromTime = parser.value(from);
    o.toTime = parser.value(to);
    o.atTime = parser.value(at);
    o.lookupAddress = parser.value(lookup);
    if (parser.isSet(lookup)) {
        const recording::RouteQueryText text {
            parser.value(lookup), parser.value(lookupFrom), parser.value(lookupMark), {}};
        recording::RouteQueryField field = recording::RouteQueryField::None;
        QString why;
        if (!recording::parseRouteQuery(text, &o.lookupQuery, &field, &why)) {
            const bool mark = field == recording::RouteQueryField::Fwmark;
            const bool source = field == recording::RouteQueryField::Source;
            return fail(QStringLiteral("--%1 %2 %3")
                            .arg(mark         ? QStringLiteral("fwmark")
                                     : source ? QStringLiteral("from-address")
                                              : QStringLiteral("lookup"),
                                 mark         ? text.fwmark
                                     : source ? text.source
                                              : text.destination,
                                 why));
        }
    }
    if ((parser.isSet(lookupFrom) || parser.isSet(lookupMark)) && !parser.isSet(lookup))
        return fail(QStringLiteral("--from-address and --fwmark are for --lookup ADDRESS"));
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
    if (parser.isSet(maxSize)) {
        static const QRegularExpression size(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)\\s*(|k|M|G|KiB|MiB|GiB)$"));
        const QRegularExpressionMatch m = size.match(parser.value(maxSize));
        const double unit = !m.hasMatch() ? 0
            : m.captured(2).isEmpty()     ? 1
            : m.captured(2) == u"k"       ? 1e3
            : m.captured(2) == u"M"       ? 1e6
            : m.captured(2) == u"G"       ? 1e9
            : m.captured(2) == u"KiB"     ? 1024.0
            : m.captured(2) == u"MiB"     ? 1024.0 * 1024
                                          : 1024.0 * 1024 * 1024;
        const double bytes = m.hasMatch() ? m.captured(1).toDouble() * unit : 0;
        if (bytes < 1e6 || bytes > 1e15)
            return fail(QStringLiteral("--max-size needs a size from 1M to 1000T (bytes, or with k, M, G, KiB, MiB, "
                                       "GiB), not '%1'")
                            .arg(parser.value(maxSize)));
        o.maxFileBytes = qint64(bytes);
    }
    if (parser.isSet(maxDuration)) {
        bool ok = false;
        const double d = parser.value(maxDuration).toDouble(&ok);
        if (!ok || !std::isfinite(d) || d < 1 || d > kMaxDurationSec)
            return fail(QStringLiteral("--max-duration needs a number of seconds from 1 to 1e9, not '%1'")
                            .arg(parser.value(maxDuration)));
        o.maxFileSec = d;
    }
    if ((parser.isSet(maxSize) || parser.isSet(maxDuration)) && !parser.isSet(record))
        return fail(QStringLiteral("--max-size and --max-duration are for --record"));
    if ((parser.isSet(maxSize) || parser.isSet(maxDuration)) && parser.isSet(exportCsv))
        return fail(QStringLiteral("--export-csv converts one recording; with --max-size or --max-duration convert "
                                   "each file: netchangeview --headless FILE-001 --export-csv OUT"));
    if (o.headless && !o.inputPath.isEmpty()) {
        // Converting a recording.
        if (!parser.isSet(exportCsv) || o.csvPath.isEmpty())
            return fail(QStringLiteral("converting the recording %1 needs --export-csv OUT").arg(o.inputPath));
        for (const QCommandLineOption *option :
             {&record, &stream, &journal, &duration, &noInitial, &maxEvents, &ipv4, &ipv6})
            if (parser.isSet(*option))
                return fail(QStringLiteral("--%1 is for recording, not for converting the recording %2")
                                .arg(option->names().constLast(), o.inputPath));
        if (parser.isSet(lookup) && parser.isSet(at))
            return fail(QStringLiteral("--lookup follows the route over time; --at gives the tables at one moment: "
                                       "give one or the other"));
        if (parser.isSet(at) && (parser.isSet(from) || parser.isSet(to)))
            return fail(QStringLiteral("--at gives the tables at one moment; --from and --to select events: give "
                                       "one or the other"));
    } else if (o.headless) {
        for (const QCommandLineOption *option : {&from, &to, &at, &lookup})
            if (parser.isSet(*option))
                return fail(QStringLiteral("--%1 is for converting a recording: netchangeview --headless FILE "
                                           "--export-csv OUT --%1 T")
                                .arg(option->names().constFirst()));
        if (parser.isSet(record) && o.recordPath.isEmpty())
            return fail(QStringLiteral("--record needs a file name"));
        if (parser.isSet(stream) && o.streamPath.isEmpty())
            return fail(QStringLiteral("--stream needs a file name, or - for standard output"));
        if (!parser.isSet(record) && !parser.isSet(stream) && !o.journal
            && (!parser.isSet(exportCsv) || o.csvPath.isEmpty()))
            return fail(
                QStringLiteral("--headless needs --export-csv FILE, --record FILE, --stream FILE or --journal"));
        if (o.streamPath == QLatin1String("-") && o.csvPath == QLatin1String("-"))
            return fail(QStringLiteral("--stream - and --export-csv - would both write to standard output"));
        if (parser.isSet(exportCsv) && o.csvPath.isEmpty())
            return fail(QStringLiteral("--export-csv needs a file name"));
        if (parser.isSet(record) && parser.isSet(noInitial))
            return fail(QStringLiteral("--no-initial cannot be used with --record: a recording starts from the "
                                       "tables as they are (its first keyframe)"));
        if (parser.isSet(record) && parser.isSet(maxEvents))
            return fail(QStringLiteral("--max-events bounds the events kept in memory; --record keeps every event "
                                       "on disk instead"));
    } else {
        for (const QCommandLineOption *option : {&record, &stream, &journal, &from, &to, &at, &lookup})
            if (parser.isSet(*option))
                return fail(QStringLiteral("--%1 is for --headless").arg(option->names().constFirst()));
        if (parser.isSet(exportCsv))
            return fail(QStringLiteral("--export-csv is for --headless recording; in the window use File > Export"));
        if (parser.isSet(duration))
            return fail(QStringLiteral("--duration is for --headless recording"));
        if (parser.isSet(noInitial))
            return fail(QStringLiteral("--no-initial is for --headless recording"));
    }
    if (o.headless && o.noRecord)
        return fail(QStringLiteral("--no-record is for the live window; --headless records only with --record FILE"));
    return result;
}

} // namespace ncv

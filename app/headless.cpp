// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/headless.h"

#include "app/commandline.h"
#include "app/signalwatcher.h"
#include "model/export/csvwriter.h"
#include "model/export/outputfile.h"
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#ifdef NCV_RTMON_IMPORT
#include "model/netnssources.h"
#endif
#include "model/hostsetsource.h"
#include "model/recorder.h"
#include "model/recording/fileimport.h"
#include "model/recording/lookupexport.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordingwriter.h"
#include "model/remotesession.h"
#include "model/remotesource.h"
#include "platform/netnstable.h"
#include "platform/source.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTimer>

#include <cstdio>
#include <limits>
#include <utility>

namespace ncv {

namespace {

// One call per line: a remote source's reader thread prints too, and stdio locks per call.
void printErr(const QString &line)
{
    std::fputs(QString(line + QLatin1Char('\n')).toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

// A remote connection's step, said on standard error (from its reader thread): lost and
// waiting to reconnect, or live again with the resync's line.
void printRemoteState(RemoteState state, const std::string &message, int retryInMs)
{
    if (state == RemoteState::Waiting)
        printErr(QStringLiteral("netchangeview: %1; reconnecting in %2 s")
                     .arg(QString::fromStdString(message))
                     .arg((retryInMs + 999) / 1000));
    else if (state == RemoteState::Live && !message.empty())
        printErr(QStringLiteral("netchangeview: ") + QString::fromStdString(message));
}

// netchangeview --headless FILE --export-csv OUT [--from T] [--to T] | [--at T]
int convertRecording(const AppOptions &options)
{
    using namespace recording;
    QString error;
    QString recordingPath = options.inputPath;
    QString importProblem;
    // A file of another format (an rtmon file, an nlmon capture, our CSV export) is converted into a
    // temporary recording first, so that the events, --from/--to and --at read it as any
    // recording.
    QString temporary;
    const auto removeTemporary = qScopeGuard([&temporary] {
        if (!temporary.isEmpty())
            QFile::remove(temporary);
    });
    if (isImportable(detectFileKind(options.inputPath))) {
        ImportResult imported;
        if (!importFileToTemporary(options.inputPath, &temporary, {}, &imported, &error)) {
            printErr(QStringLiteral("netchangeview: ") + error);
            return ExitBadRecording;
        }
        printErr(QStringLiteral("netchangeview: ") + imported.summary(options.inputPath));
        if (!imported.note.isEmpty())
            printErr(QStringLiteral("netchangeview: note: ") + imported.note);
        recordingPath = temporary;
        importProblem = imported.damage;
    }
    RecordingReader reader;
    if (!reader.open(recordingPath, &error)) {
        printErr(QStringLiteral("netchangeview: ") + error);
        return reader.status() == RecordingReader::Status::NotFound ? ExitFailure : ExitBadRecording;
    }
    const RecordingInfo &info = reader.info();
    const QString range = QStringLiteral("%1 to %2").arg(isoTime(info.startUs), isoTime(info.endUs));
    // A time to the microsecond (or a recording of microseconds) stands for its whole
    // microsecond; 7 to 9 fraction digits give the nanosecond.
    const auto parse = [&](const QString &text, std::int64_t *us, std::optional<std::uint16_t> *subUsNs) {
        QString why;
        if (!parseTime(text, info.startUs, us, &why, subUsNs)) {
            printErr(QStringLiteral("netchangeview: ") + why);
            return false;
        }
        if (!info.nanosecondTimes())
            subUsNs->reset();
        if (*us < info.startUs || *us > info.endUs) {
            printErr(QStringLiteral("netchangeview: %1 is outside the recording %2 (%3)")
                         .arg(text, options.inputPath, range));
            return false;
        }
        return true;
    };
    std::int64_t rows = 0;
    bool ok = false;
    if (!options.atTime.isEmpty()) {
        std::int64_t at = 0;
        std::optional<std::uint16_t> atNs;
        if (!parse(options.atTime, &at, &atNs))
            return ExitUsage;
        ok = exportStateAt(reader, at, options.csvPath, &rows, &error, atNs);
        if (ok)
            printErr(QStringLiteral("netchangeview: wrote the %1 rows of the tables at %2 to %3")
                         .arg(rows)
                         .arg(isoTime(at, info.nanosecondTimes(), atNs.value_or(0)),
                              OutputFile::displayName(options.csvPath)));
    } else if (!options.lookupAddress.isEmpty()) {
        const platform::RouteQuery &query = options.lookupQuery;
        std::int64_t from = info.startUs;
        std::int64_t to = info.endUs;
        std::optional<std::uint16_t> ignoredNs;
        if (!options.fromTime.isEmpty() && !parse(options.fromTime, &from, &ignoredNs))
            return ExitUsage;
        if (!options.toTime.isEmpty() && !parse(options.toTime, &to, &ignoredNs))
            return ExitUsage;
        // A recording of several namespaces: the route is followed in the one --netns names.
        const QList<quint32> ids = reader.namespaceIds();
        QStringList names;
        quint32 netns = 0;
        for (const quint32 id : ids.mid(1)) {
            const QString name = QString::fromStdString(platform::NamespaceTable::name(id));
            names.append(name);
            if (name == options.netns.trimmed())
                netns = id;
        }
        if (ids.size() > 2 && options.netns.isEmpty()) {
            names.sort(); // the file's order is the order their first events came in
            printErr(QStringLiteral("netchangeview: --lookup: the recording %1 holds several network namespaces (%2): "
                                    "pick one with --netns NAME")
                         .arg(options.inputPath, names.join(QStringLiteral(", "))));
            return ExitUsage;
        }
        if (ids.size() == 2 && options.netns.isEmpty())
            netns = ids.at(1); // the one namespace recorded
        if (!options.netns.isEmpty() && netns == 0) {
            printErr(names.isEmpty()
                         ? QStringLiteral("netchangeview: --netns %1: the recording %2 holds one network namespace: "
                                          "leave --netns out")
                               .arg(options.netns, options.inputPath)
                         : QStringLiteral("netchangeview: --netns %1: the recording %2 holds no network namespace of "
                                          "that name (it holds: %3)")
                               .arg(options.netns, options.inputPath, names.join(QStringLiteral(", "))));
            return ExitUsage;
        }
        ok = exportLookup(reader, query, from, to, options.csvPath, &rows, &error, netns);
        if (ok)
            printErr(
                QStringLiteral("netchangeview: wrote %1 answers for %2 to %3 (the first at %4, then one per change)")
                    .arg(rows)
                    .arg(options.lookupAddress, OutputFile::displayName(options.csvPath), isoTime(from)));
    } else {
        std::int64_t from = std::numeric_limits<std::int64_t>::min();
        std::int64_t to = std::numeric_limits<std::int64_t>::max();
        std::optional<std::uint16_t> fromGiven, toGiven;
        if (!options.fromTime.isEmpty() && !parse(options.fromTime, &from, &fromGiven))
            return ExitUsage;
        if (!options.toTime.isEmpty() && !parse(options.toTime, &to, &toGiven))
            return ExitUsage;
        const std::uint16_t fromNs = fromGiven.value_or(0), toNs = toGiven.value_or(999);
        if (from > to || (from == to && fromNs > toNs)) {
            printErr(QStringLiteral("netchangeview: --from %1 is after --to %2").arg(options.fromTime, options.toTime));
            return ExitUsage;
        }
        ok = exportEvents(reader, from, to, options.csvPath, &rows, &error, fromNs, toNs);
        if (ok)
            printErr(QStringLiteral("netchangeview: wrote %1 events to %2")
                         .arg(rows)
                         .arg(OutputFile::displayName(options.csvPath)));
    }
    if (!ok) {
        printErr(QStringLiteral("netchangeview: ") + error);
        return ExitFailure;
    }
    if (!importProblem.isEmpty()) {
        printErr(QStringLiteral("netchangeview: %1 is %2; what came before was converted")
                     .arg(options.inputPath, importProblem));
        return ExitDamagedRecording;
    }
    if (!reader.problems().isEmpty()) {
        printErr(QStringLiteral("netchangeview: %1 is damaged; what could be read was converted: %2")
                     .arg(options.inputPath, reader.problems().join(QStringLiteral("; "))));
        return ExitDamagedRecording;
    }
    return ExitOk;
}

} // namespace

int runHeadless(const AppOptions &options)
{
    // Standard error carries the "ready:" line and one-line errors; keep info logs off it.
    QLoggingCategory::setFilterRules(QStringLiteral("ncv.*.info=false\nncv.*.debug=false"));
    if (!options.inputPath.isEmpty())
        return convertRecording(options);
    QString error;
    // Up front, so a recording is not made for a file that cannot be written. This neither
    // opens a device or FIFO (a FIFO's reader would see an end of file) nor replaces anything.
    if (!options.csvPath.isEmpty() && !OutputFile::checkWritable(options.csvPath, &error)) {
        printErr(
            QStringLiteral("netchangeview: cannot write %1: %2").arg(OutputFile::displayName(options.csvPath), error));
        return 1;
    }
    // A remote host's stream that ends (ssh failed, authentication, netchangeview missing or
    // of another schema there) ends the recording with its one-line reason and exit code 1;
    // what arrived before it is kept.
    QString remoteEnded;
    std::unique_ptr<platform::Source> ownedSource;
    platform::Source *source = nullptr;
    Recorder *recorderPtr = nullptr;
#ifdef NCV_RTMON_IMPORT
    std::unique_ptr<NetNamespaceSources> namespaces;
#endif
    int hostsRunning = int(options.remoteUrls.size());
    if (options.remoteUrls.size() > 1) {
        // Several hosts, one recording: each host's records carry its own id (its name as a
        // namespace's); one host ending is said and the others go on; the recording ends
        // (exit 1) when every host ended.
        QList<RemoteHost> hosts;
        for (const QString &url : options.remoteUrls) {
            RemoteHost host;
            RemoteHost::parse(url, &host, &error); // checked by the command line
            hosts << host;
        }
        HostSetOptions set;
        set.ended = [&remoteEnded, &recorderPtr, &hostsRunning](int, const std::string &message) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [&remoteEnded, &recorderPtr, &hostsRunning, text = QString::fromStdString(message)] {
                    printErr(QStringLiteral("netchangeview: ") + text);
                    if (--hostsRunning > 0)
                        return;
                    remoteEnded = text;
                    if (recorderPtr)
                        recorderPtr->stop();
                },
                Qt::QueuedConnection);
        };
        set.status = [](int, RemoteState state, const std::string &message, int retryInMs) {
            printRemoteState(state, message, retryInMs);
        };
        set.clockOffset = [hosts](int index, std::int64_t offsetUs) {
            printErr(QStringLiteral("netchangeview: ") + RemoteSession::clockText(hosts.at(index).display(), offsetUs));
        };
        ownedSource = std::make_unique<HostSetSource>(hosts, std::move(set));
        source = ownedSource.get();
    } else if (!options.remoteUrl.isEmpty()) {
        RemoteHost host;
        RemoteHost::parse(options.remoteUrl, &host, &error);
        RemoteOptions remote;
        remote.ended = [&remoteEnded, &recorderPtr](const std::string &message) {
            // The reader thread: hand it to the main thread.
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [&remoteEnded, &recorderPtr, text = QString::fromStdString(message)] {
                    remoteEnded = text;
                    printErr(QStringLiteral("netchangeview: ") + text);
                    if (recorderPtr)
                        recorderPtr->stop();
                },
                Qt::QueuedConnection);
        };
        // A lost connection is tried again (the recording gets its gap and the resync's
        // differences); each step is said on standard error, from the reader thread.
        remote.status = printRemoteState;
        ownedSource = std::make_unique<RemoteSource>(host, std::move(remote));
        source = ownedSource.get();
    } else if (!options.netns.isEmpty()) {
#ifdef NCV_RTMON_IMPORT
        NetNamespaceSelection selection;
        if (!NetNamespaceSelection::parse(options.netns, &selection, &error)) {
            printErr(QStringLiteral("netchangeview: ") + error);
            return ExitUsage;
        }
        namespaces = std::make_unique<NetNamespaceSources>(selection);
        QObject::connect(namespaces.get(), &NetNamespaceSources::problem, namespaces.get(),
                         [](const QString &line) { printErr(QStringLiteral("netchangeview: ") + line); });
        if (!namespaces->start(&error)) {
            printErr(QStringLiteral("netchangeview: ") + error);
            return ExitUsage;
        }
        if (!namespaces->warning().isEmpty())
            printErr(QStringLiteral("netchangeview: ") + namespaces->warning());
        // Namespaces that come and go while recording, one line each (connected after
        // start(): those there from the start are not listed).
        QObject::connect(
            namespaces.get(), &NetNamespaceSources::namespaceWatched, namespaces.get(),
            [](quint32, const QString &name, bool added) {
                printErr(added ? QStringLiteral("netchangeview: network namespace %1 appeared: watching it").arg(name)
                               : QStringLiteral("netchangeview: network namespace %1 is gone").arg(name));
            });
        source = namespaces->source();
#else
        printErr(QStringLiteral("netchangeview: --netns: network namespaces are a Linux feature"));
        return ExitUsage;
#endif
    } else {
        ownedSource = platform::createSystemSource();
        source = ownedSource.get();
    }
    if (!source) {
        printErr(QStringLiteral("netchangeview: no network change source is available on this system"));
        return 1;
    }

    RecorderOptions recorderOptions;
    recorderOptions.csvPath = options.csvPath;
    recorderOptions.recordPath = options.recordPath;
    recorderOptions.streamPath = options.streamPath;
    recorderOptions.journal = options.journal;
    recorderOptions.maxFileBytes = options.maxFileBytes;
    recorderOptions.maxFileSec = options.maxFileSec;
    recorderOptions.addressFamily = options.addressFamily;
    recorderOptions.initial = options.initial;
    recorderOptions.durationSec = options.durationSec;
    recorderOptions.maxEvents = options.maxEvents;
    Recorder recorder(source, recorderOptions);
    recorderPtr = &recorder;
    EventHistory *history = recorder.model()->history();

    SignalWatcher signalWatcher;
    if (!signalWatcher.install(&error))
        printErr(QStringLiteral("netchangeview: warning: %1; stop with --duration instead").arg(error));
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &recorder, [&recorder](const QString &name) {
        printErr(QStringLiteral("netchangeview: %1 received, %2")
                     .arg(name,
                          recorder.isRecordingToFile() ? QStringLiteral("closing the recording")
                                                       : QStringLiteral("writing the CSV")));
        recorder.stop();
    });
    // A recording file is open all along: SIGHUP re-opens it, as daemons re-open their logs
    // after logrotate moved them (a CSV is written only at the end: there SIGHUP still ends).
    signalWatcher.setHangupReopens(!options.recordPath.isEmpty());
    QObject::connect(
        &signalWatcher, &SignalWatcher::reopenRequested, &recorder, [&recorder, &options](const QString &name) {
            if (!recorder.reopenRecording())
                return;
            if (options.maxFileBytes > 0 || options.maxFileSec > 0)
                printErr(
                    QStringLiteral("netchangeview: %1 received: re-opening the recording: this file ends, the next "
                                   "file of the series follows")
                        .arg(name));
            else
                printErr(
                    QStringLiteral("netchangeview: %1 received: re-opening the recording: a new %2 if it was moved "
                                   "away, else recording goes on in it")
                        .arg(name, options.recordPath));
        });
    // A stream read by another program (over ssh: the window's ssh) ends when that program
    // goes, also on a quiet host where no write would find it out: sshd closes its end of
    // the pipe when the connection drops, and nothing else would stop this process.
    QTimer readerCheck;
    if (!options.streamPath.isEmpty()) {
        readerCheck.setInterval(1000);
        QObject::connect(&readerCheck, &QTimer::timeout, &recorder, [&recorder, &readerCheck, &options] {
            if (!OutputFile::readerGone(options.streamPath))
                return;
            readerCheck.stop();
            printErr(QStringLiteral("netchangeview: the reader of %1 went away, %2")
                         .arg(OutputFile::displayName(options.streamPath),
                              recorder.isRecordingToFile() ? QStringLiteral("closing the recording")
                                                           : QStringLiteral("stopping")));
            recorder.stop();
        });
        readerCheck.start();
    }
    QObject::connect(&signalWatcher, &SignalWatcher::statusRequested, &recorder, [&recorder](const QString &name) {
        const NotificationModel *m = recorder.model();
        QString line = QStringLiteral("netchangeview: %1: recording, %2 events so far, %3")
                           .arg(name)
                           .arg(recorder.isRecordingToFile() ? recorder.recordedEvents() : m->history()->size())
                           .arg(m->isSnapshotComplete() ? QStringLiteral("snapshot taken")
                                                        : QStringLiteral("initial snapshot in progress"));
        if (m->history()->droppedCount() > 0 && !recorder.isRecordingToFile())
            line += QStringLiteral(", the %1 oldest dropped").arg(m->history()->droppedCount());
        printErr(line);
    });
    // Said once, when it starts; the CSV's first row counts what was dropped in the end.
    bool droppingSaid = false;
    QObject::connect(
        history, &EventHistory::droppedCountChanged, &recorder, [&recorder, history, &droppingSaid](qint64 dropped) {
            // A recording file keeps every event; the history is then only a short window.
            if (dropped <= 0 || recorder.isRecordingToFile() || std::exchange(droppingSaid, true))
                return;
            printErr(QStringLiteral("netchangeview: warning: more than %1 events: dropping the oldest from now on (the "
                                    "CSV will start with a gap row counting them; --max-events sets the limit)")
                         .arg(history->capacity()));
        });

    QObject::connect(&recorder, &Recorder::ready, &recorder, [&recorder, &options, &source] {
        NotificationModel *m = recorder.model();
        const QString until = options.durationSec < 0
            ? (options.recordPath.isEmpty() ? QStringLiteral("until SIGINT/SIGTERM/SIGHUP/SIGQUIT")
                                            : QStringLiteral("until SIGINT/SIGTERM/SIGQUIT"))
            : QStringLiteral("for %1 s").arg(options.durationSec, 0, 'g', 12);
        const QString source_ = QString::fromStdString(source->name())
            + (options.recordPath.isEmpty() ? QString() : QStringLiteral(" to ") + options.recordPath);
        if (options.initial)
            // The recorder keeps no tables: the counts come from the applied records.
            printErr(
                QStringLiteral("ready: %1 interfaces, %2 addresses, %3 routes, %4 neighbors, %5 rules, %6 nexthops; "
                               "recording %7 with %8")
                    .arg(m->liveCount(platform::ObjectKind::Interface))
                    .arg(m->liveCount(platform::ObjectKind::Address))
                    .arg(m->liveCount(platform::ObjectKind::Route))
                    .arg(m->liveCount(platform::ObjectKind::Neighbor))
                    .arg(m->liveCount(platform::ObjectKind::Rule))
                    .arg(m->liveCount(platform::ObjectKind::Nexthop))
                    .arg(until, source_));
        else
            printErr(QStringLiteral("ready: snapshot taken (initial rows not recorded); recording %1 with %2")
                         .arg(until, source_));
    });

    int exitCode = ExitOk;
    QObject::connect(&recorder, &Recorder::finished, &recorder, [&](int code, const QString &message) {
        exitCode = code;
        const qint64 events
            = recorder.isRecordingToFile() ? recorder.recordedEvents() : recorder.model()->history()->size();
        if (recorder.snapshotIncomplete())
            printErr(QStringLiteral("netchangeview: warning: stopped before the initial snapshot was complete: the "
                                    "initial rows are not the full table (the last row of the CSV says so)"));
        if (history->droppedSinceClear() > 0 && !recorder.isRecordingToFile())
            printErr(QStringLiteral("netchangeview: warning: the %1 oldest events were dropped (more than %2); the "
                                    "CSV's first row counts them")
                         .arg(history->droppedSinceClear())
                         .arg(history->capacity()));
        if (code == 0) {
            if (recorder.isRecordingToFile())
                printErr(QStringLiteral("netchangeview: recorded %1 events to %2")
                             .arg(events)
                             .arg(recorder.recordingPath() == options.recordPath
                                      ? options.recordPath
                                      : QStringLiteral("%1 ... %2")
                                            .arg(recording::RecordingWriter::partPath(options.recordPath, 1),
                                                 recorder.recordingPath())));
            if (!options.streamPath.isEmpty())
                printErr(QStringLiteral("netchangeview: streamed %1 events to %2")
                             .arg(recorder.streamedEvents())
                             .arg(options.streamPath == QLatin1String("-") ? QStringLiteral("standard output")
                                                                           : options.streamPath));
            if (options.journal)
                printErr(QStringLiteral("netchangeview: sent %1 events to the systemd journal")
                             .arg(recorder.journalEvents()));
            if (!options.csvPath.isEmpty())
                printErr(QStringLiteral("netchangeview: wrote %1 events to %2")
                             .arg(events)
                             .arg(OutputFile::displayName(options.csvPath)));
            if (recorder.snapshotIncomplete())
                exitCode = ExitSnapshotIncomplete;
        } else if (events == 0 || recorder.isRecordingToFile()) {
            printErr(QStringLiteral("netchangeview: ") + message);
        } else {
            // Nothing recorded is lost silently: save it in a new file of our own in the
            // temporary directory (a unique name, created exclusively, mode 0600), and say
            // so on the same line as the error.
            const QString nameTemplate = QDir::temp().filePath(
                QStringLiteral("netchangeview-%1-XXXXXX.csv")
                    .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
            QString saved;
            QString fallbackError;
            if (csv::exportToNewFile(*recorder.model()->history(), nameTemplate, &saved, &fallbackError))
                printErr(QStringLiteral("netchangeview: %1; the %2 recorded events were saved to %3 instead")
                             .arg(message, QString::number(events), saved));
            else
                printErr(QStringLiteral("netchangeview: %1; could not save the %2 events elsewhere either: %3")
                             .arg(message, QString::number(events), fallbackError));
        }
        if (exitCode == ExitOk || exitCode == ExitSnapshotIncomplete)
            exitCode = remoteEnded.isEmpty() ? exitCode : int(ExitFailure);
        QCoreApplication::exit(exitCode);
    });

    if (!recorder.start(&error)) {
        printErr(QStringLiteral("netchangeview: ") + error);
        return 1;
    }
    const int loopCode = QCoreApplication::exec();
    return exitCode ? exitCode : loopCode;
}

} // namespace ncv

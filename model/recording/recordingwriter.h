// SPDX-License-Identifier: GPL-2.0-or-later
// RecordingWriter: writes a recording file (recordingformat.h, docs/recording-format.md)
// on a thread of its own, so the recorder never waits for the disk except when the queue
// is full.
//
// - The file is created new (never an existing one: a recording is not overwritten) in
//   WAL mode with synchronous=NORMAL: every transaction that committed survives the
//   process being killed (it is in the WAL, which SQLite replays when the file is next
//   opened); a power loss may lose the last transactions, never the file.
// - An import sets Options::bulkLoad instead: no journal and no sync while it writes, the
//   events table without its VIRTUAL columns until finish() (see there); the finished file
//   is the same.
// - append() queues events (the bytes of eventcodec.h) and returns; the thread inserts
//   them in transactions of at most Options::transactionMs (default 200 ms), so after
//   SIGKILL the file holds every event appended up to that long before, plus what was
//   still queued. The queue is bounded (Options::maxQueueBytes): append() blocks while it
//   is full, which holds the recorder's memory bounded however long it runs.
// - Keyframes (the full tables) are written when requestKeyframe() asks (after the initial
//   snapshot), after every gap record, and periodically: once at least
//   max(keyframeEvents, the rows held, the rows of the last keyframe) events followed the
//   last one, or keyframeIntervalUs passed with events since. So the replay to the state
//   at T reads one keyframe and at most as many events as the larger of the two tables
//   (that keyframe's and T's) holds rows, or keyframeEvents: a million routes under churn
//   are replayed from at most a million events. While a table grows from a small keyframe
//   the events since it stay fewer than the rows held, so a 1M-route burst writes no
//   keyframe of its own; while it shrinks, the last keyframe's rows hold the next one back
//   (the rows held alone would write a keyframe at a half, a quarter... of a flush). Each
//   keyframe holds no more rows than events came before it: keyframes take at most about
//   half the file. The thread keeps the tables for that (RecordState: about 40 bytes a
//   route), unless setImageRequester() was called: then every keyframe is written from an
//   image of the source's own state (platform::StateImage) that the writer asks for when
//   one is due and that comes back through appendImage() in order with the events, so it
//   is written exactly after the events that built it (its sequence is the last one before
//   it). The periodic rule then counts the rows held from the last keyframe plus the adds
//   and deletes since; a request not answered within a minute is made again.
// - With Options::maxFileBytes / maxFileDurationUs it writes a series of files instead
//   (see there): a new file rather than dropping the oldest events, because SQLite frees
//   no disk space on DELETE (only a VACUUM rewriting the whole file does), and because
//   finished files are never touched again, so they can be copied or removed while the
//   recorder goes on. With images, the next file is started when the "continued" image
//   asked for arrives.
// - finish() drains the queue, writes the end time, checkpoints and switches the file to
//   journal_mode=DELETE, so a finished recording is one self-contained file.
// Threads: open/append/requestKeyframe/finish from one thread (the recorder's).
#pragma once

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ncv::platform {
class StateImage;
}

namespace ncv::recording {

/// What the meta table says about a recording (the writer fills start/end itself).
struct RecordingMeta {
    QString hostName; ///< QSysInfo::machineHostName()
    QString os; ///< QSysInfo::prettyProductName()
    QString kernel; ///< QSysInfo::kernelType() + ' ' + kernelVersion()
    QString source; ///< platform::Source::name(): "rtnetlink", "iphlpapi"...
    QString familyFilter; ///< "ipv4", "ipv6" or "unspec" (both)
    QString programVersion; ///< the netchangeview version
    QString keyScheme = QStringLiteral("linux"); ///< how objects are keyed: "linux" or "windows"
    QString namespaceName; ///< the network namespace recorded (Linux: /proc/self/ns/net link), ns 0
    QString importedFrom; ///< an import: the file it was read from (meta imported_from); else empty
    /// What the reader should know before trusting the tables (meta note), e.g. that the
    /// state before the first event is incomplete; empty when there is nothing to say.
    QString note;
    /// The source's times have nanoseconds (ChangeRecord::timeSubUsNs; a capture that gives
    /// them): the events table gets the column time_sub_us_ns and meta time_precision is
    /// "ns". False: the file is as a recording of microseconds always was.
    bool nanosecondTimes = false;
};

class RecordingWriter {
public:
    struct Options {
        std::size_t maxQueueBytes = 8u << 20; ///< queued event bytes (records + about 64 per event)
        int transactionMs = 200; ///< longest transaction
        std::int64_t keyframeEvents = 100'000; ///< see the top of this file
        std::int64_t keyframeRowFactor = 1; ///< ... events >= this x those rows, too (0: keyframeEvents alone)
        std::int64_t keyframeIntervalUs = 600'000'000; ///< 10 minutes
        int pageSize = 4096; ///< SQLite page size, bytes (a power of two from 512 to 65536)
        /// A series of files instead of one (as dumpcap's ring buffer, without deleting):
        /// when the file reaches maxFileBytes (its database size), or maxFileDurationUs
        /// passed since it was created, the next one is started. The files are named
        /// partPath(path, 1), partPath(path, 2)...; each begins with a keyframe
        /// ("continued") and its meta names its part and the previous / next file. 0 = no limit.
        std::int64_t maxFileBytes = 0;
        std::int64_t maxFileDurationUs = 0;
        /// 0: the recording's clock is the wall clock (a live recording). Else an import of
        /// events from the past: the recording starts at this time (µs since the epoch,
        /// UTC), its end is its newest event's time, and no heartbeat moves it on.
        std::int64_t startTimeUs = 0;
        /// An import (a file that is useful only once complete, removed when the import fails or
        /// is cancelled): no journal and no sync while writing (journal_mode=OFF,
        /// synchronous=OFF, locking_mode=EXCLUSIVE, a cache of bulkCacheKiB), so every page is
        /// written once instead of to the WAL and then the file. The finished file is the same
        /// (rollback journal mode). Not for a live recording: a crash leaves a broken file.
        bool bulkLoad = false;
        int bulkCacheKiB = 65'536; ///< with bulkLoad: PRAGMA cache_size=-this
    };

    RecordingWriter();
    /// Before open(): write keyframes from images of the source's state instead of a copy
    /// of the tables (see the top of this file). request(token) is called when a keyframe
    /// is due, on the writer's thread or in requestKeyframe(); it must return at once and
    /// see that appendImage(token, image) follows, in order with append(). It may be
    /// called again for a keyframe whose image never came.
    void setImageRequester(std::function<void(std::uint64_t token)> request);
    /// finish() when not done yet.
    ~RecordingWriter();
    RecordingWriter(const RecordingWriter &) = delete;
    RecordingWriter &operator=(const RecordingWriter &) = delete;

    /// Creates path (which must not exist: "FILE exists") with the schema and meta, and
    /// starts the thread. Returns false with *error a one-line reason.
    bool open(const QString &path, const RecordingMeta &meta, QString *error);
    bool open(const QString &path, const RecordingMeta &meta, const Options &options, QString *error);

    /// One event: its sequence number (1, 2, 3... as the history numbers them), time (µs
    /// since the epoch, UTC), compact record (eventcodec::encode(), copied) and the
    /// interface name it had when it arrived.
    void append(std::uint64_t seq, std::int64_t timeUs, std::string_view record, const QString &ifName);
    /// Writes a keyframe after the events appended so far; reason is stored with it
    /// ("start", "gap", "periodic", ...).
    void requestKeyframe(const QString &reason);
    /// The image asked for with token (setImageRequester): written as the keyframe after the
    /// events appended before this call. An unknown token is ignored. Does not block.
    void appendImage(std::uint64_t token, std::shared_ptr<const platform::StateImage> image);

    /// Log rotation (SIGHUP): after the events appended so far, finishes the file being
    /// written and goes on in a new one that begins with a keyframe ("continued"), as a
    /// series does when a file is full. A single file goes on in a new file of the path
    /// given to open() when the current one was moved away (renamed or removed: the moved
    /// file is finished complete, under its new name); when it is still there nothing
    /// changes. A series goes on in its next part. Does not block: the writer's thread acts
    /// within about a second (with images, when the image it asks for comes).
    void reopen();
    /// Drains the queue, closes the file and joins the thread. Returns false with *error
    /// when anything failed (also earlier, on the thread). Safe to call twice.
    bool finish(QString *error);
    /// The name of part n of a series: "rec.ncv" -> "rec-001.ncv", "rec" -> "rec-001".
    static QString partPath(const QString &path, int part);
    /// The file being written now (path, or the current part of a series).
    QString currentPath() const;
    /// True once the thread hit an error (then events are dropped; finish() reports it).
    bool failed() const;
    /// Events written (committed or in the open transaction).
    std::uint64_t eventsWritten() const;
    /// The sequence number of the newest event committed to the file (a reader opened now
    /// sees every event up to it); 0 before the first commit.
    std::uint64_t committedSeq() const;
    /// Waits until the event with sequence number seq (appended before) is committed, at
    /// most timeoutMs milliseconds. The open transaction is committed as soon as the queue
    /// is drained instead of waiting for more events up to Options::transactionMs. Returns
    /// false on timeout, or when the writer failed or was finished before committing it.
    bool waitCommitted(std::uint64_t seq, int timeoutMs);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ncv::recording

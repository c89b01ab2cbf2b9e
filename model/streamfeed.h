// SPDX-License-Identifier: GPL-2.0-or-later
// StreamFeed: writes every event an EventHistory appends as one JSON Lines object
// (export/jsonlines.h) to a file or standard output, as it happens: for log pipelines
// (Fluent Bit's tail input, Vector's file or stdin source, journald forwarders).
//
// The GUI (main) thread only copies each event's compact form, sequence, time and interface
// name into a batch; a writer thread of its own decodes, formats and writes them, so a slow
// reader of the stream does not slow the tables or the recording until kMaxQueuedBytes wait
// (then appending waits for the writer: nothing is dropped). Each batch is written as soon as
// the writer has it (a batch is at most one applied slice, so lines are out within the
// model's update interval, well under 250 ms); the file is opened for appending, so a
// pipeline's tail input keeps its place across restarts.
//
// Or, opened with openJournal(), it sends every event to the systemd journal as one entry of
// structured fields (export/journalfields.h) through libsystemd's sd_journal_sendv, on the
// same writer thread. journald's rate limit (RateLimitBurst= in journald.conf, or
// LogRateLimitIntervalSec= / LogRateLimitBurst= of the sending unit) drops what exceeds it: a
// burst of a million routes needs it raised or off (README).
//
// A write error (the reader of a pipe went away: EPIPE; the disk is full) stops the stream:
// failed() and error() say so, later events are not written, the caller decides whether to
// go on. SIGPIPE must be ignored by the process for EPIPE to arrive as an error (the headless
// mode does).
// GUI thread, except the writer thread's own part (marked in the .cpp).
#pragma once

#include <QObject>
#include <QString>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ncv {

class EventHistory;

class StreamFeed : public QObject {
    Q_OBJECT
public:
    /// Most bytes of copied events waiting for the writer before appending waits.
    static constexpr std::size_t kMaxQueuedBytes = 64u << 20;

    /// Does not own history, which must outlive the feed (or finish() be called first).
    explicit StreamFeed(EventHistory *history, QObject *parent = nullptr);
    /// finish() when still open.
    ~StreamFeed() override;

    /// Opens path for appending (created 0644 when missing), or standard output for "-", and
    /// from now on streams every event the history appends. False with *error one line
    /// ("cannot open /x/y.jsonl: Permission denied").
    bool open(const QString &path, QString *error);
    /// Sends every event the history appends to the systemd journal (see above), after one
    /// entry saying the recording started. False with *error one line when that first entry
    /// cannot be sent ("cannot send to the systemd journal: No such file or directory (is
    /// systemd-journald running?)") or when this build has no journal support (Windows, or
    /// built without libsystemd).
    bool openJournal(QString *error);
    /// True when this build can send to the systemd journal.
    static bool journalSupported();
    /// Writes what waits, stops the writer thread and closes the file (not standard output).
    /// False with *error when a write failed (now or earlier). Safe to call twice.
    bool finish(QString *error);

    /// Queues the snapshot-complete marker line (jsonlines.h), stamped timeUs (µs since the
    /// epoch, UTC), after every event appended so far: a reader of the stream learns where
    /// the initial rows end. Not counted by writtenEvents().
    void markSnapshotComplete(std::int64_t timeUs);

    /// Events written so far (the writer thread's count; any thread).
    std::uint64_t writtenEvents() const;
    /// True once a write failed; error() says why ("writing the stream to -: Broken pipe").
    bool failed() const;
    QString error() const;

private:
    void onAppended(qint64 first, qint64 last);
    struct Batch;
    void enqueue(Batch batch);
    void writerLoop(); // the writer thread

    struct Batch {
        std::string blob; ///< the events' compact forms, back to back
        struct Item {
            std::uint64_t sequence;
            std::int64_t timeUs;
            std::uint32_t end; ///< end of its compact form in blob
            std::uint32_t nameEnd; ///< end of its interface name in names
        };
        std::vector<Item> items;
        std::string names; ///< the interface names (UTF-8), back to back
        bool nanoseconds = false; ///< the history's source has nanosecond times
        bool marker = false; ///< a marker line (sequence 0), not an event: not counted
    };

    bool startWriter(QString *error);

    EventHistory *m_history;
    QString m_path; ///< what errors name: the file, "-", or "the systemd journal"
    bool m_journal = false;
    int m_fd = -1;
    bool m_ownsFd = false;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake; ///< writer: a batch or the end arrived
    std::condition_variable m_room; ///< appender: the queue shrank
    std::deque<Batch> m_queue;
    std::size_t m_queuedBytes = 0;
    bool m_stop = false;
    bool m_failed = false;
    QString m_error;
    std::uint64_t m_written = 0;
};

} // namespace ncv

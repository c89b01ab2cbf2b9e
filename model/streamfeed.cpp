// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/streamfeed.h"

#include "model/export/journalfields.h"
#include "model/export/jsonlines.h"
#include "model/history/eventcodec.h"
#include "model/history/eventhistory.h"

#include <QFile>

#include <fcntl.h>
#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

#ifdef NCV_HAVE_JOURNAL
// Without it the journal entries would name this file and line as their CODE_FILE /
// CODE_LINE, which says nothing about the network change.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ncv {

namespace {

#ifdef Q_OS_WIN
int openForAppend(const QByteArray &path)
{
    return ::_open(path.constData(), _O_WRONLY | _O_CREAT | _O_APPEND | _O_BINARY, 0644);
}
long long writeSome(int fd, const char *data, std::size_t size)
{
    return ::_write(fd, data, unsigned(std::min<std::size_t>(size, 1u << 30)));
}
void closeFd(int fd)
{
    ::_close(fd);
}
constexpr int kStdout = 1;
#else
int openForAppend(const QByteArray &path)
{
    return ::open(path.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}
long long writeSome(int fd, const char *data, std::size_t size)
{
    return ::write(fd, data, size);
}
void closeFd(int fd)
{
    ::close(fd);
}
constexpr int kStdout = STDOUT_FILENO;
#endif

#ifdef NCV_HAVE_JOURNAL
// Where journald takes native entries (sd_journal_sendv's fixed address).
constexpr char kJournalSocket[] = "/run/systemd/journal/socket";

// One journal entry of fields ("NAME=value"); 0 or a negative errno, as sd_journal_sendv.
int sendJournal(const std::vector<std::string> &fields)
{
    std::vector<iovec> iov(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i)
        iov[i] = {const_cast<char *>(fields[i].data()), fields[i].size()};
    return sd_journal_sendv(iov.data(), int(iov.size()));
}

QString journalError(int negativeErrno)
{
    QString text = QString::fromLocal8Bit(std::strerror(-negativeErrno));
    if (negativeErrno == -ENOENT || negativeErrno == -ECONNREFUSED)
        text += QStringLiteral(" (is systemd-journald running?)");
    return text;
}
#endif

} // namespace

StreamFeed::StreamFeed(EventHistory *history, QObject *parent) : QObject(parent), m_history(history) { }

StreamFeed::~StreamFeed()
{
    QString ignored;
    finish(&ignored);
}

bool StreamFeed::open(const QString &path, QString *error)
{
    if (m_thread.joinable()) {
        *error = QStringLiteral("the stream is already open");
        return false;
    }
    m_path = path;
    if (path == QLatin1String("-")) {
        m_fd = kStdout;
        m_ownsFd = false;
    } else {
        m_fd = openForAppend(QFile::encodeName(path));
        if (m_fd < 0) {
            *error = QStringLiteral("cannot open %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_ownsFd = true;
    }
    m_journal = false;
    return startWriter(error);
}

bool StreamFeed::journalSupported()
{
#ifdef NCV_HAVE_JOURNAL
    return true;
#else
    return false;
#endif
}

bool StreamFeed::openJournal(QString *error)
{
    if (m_thread.joinable()) {
        *error = QStringLiteral("the stream is already open");
        return false;
    }
#ifdef NCV_HAVE_JOURNAL
    m_path = QStringLiteral("the systemd journal");
    // sd_journal_sendv reports success when journald's socket is missing (it "fails silently
    // if the journal is not available"): look for the socket ourselves, so a recorder started
    // where no journald runs says so instead of sending every event nowhere.
    struct stat st { };
    const int statError = ::stat(kJournalSocket, &st) != 0 ? errno : S_ISSOCK(st.st_mode) ? 0 : ENOTSOCK;
    if (statError != 0) {
        *error = QStringLiteral("cannot send to the systemd journal: %1: %2 (is systemd-journald running?)")
                     .arg(QString::fromLatin1(kJournalSocket), QString::fromLocal8Bit(std::strerror(statError)));
        return false;
    }
    // The first entry doubles as the check that journald takes entries from us.
    const std::vector<std::string> start {
        "MESSAGE=netchangeview: recording network changes to the journal (NCV_* fields)",
        "PRIORITY=6",
        "SYSLOG_IDENTIFIER=netchangeview",
        std::string("NCV_SCHEMA=") + journal::kSchema,
    };
    if (const int r = sendJournal(start); r < 0) {
        *error = QStringLiteral("cannot send to the systemd journal: %1").arg(journalError(r));
        return false;
    }
    m_journal = true;
    return startWriter(error);
#else
    *error = QStringLiteral("--journal needs a build with libsystemd (Linux); this one has none");
    return false;
#endif
}

bool StreamFeed::startWriter(QString *)
{
    m_stop = false;
    m_thread = std::thread([this] { writerLoop(); });
    connect(m_history, &EventHistory::appended, this, &StreamFeed::onAppended);
    return true;
}

void StreamFeed::onAppended(qint64 first, qint64 last)
{
    Batch batch;
    batch.nanoseconds = m_history->nanosecondTimes();
    batch.items.reserve(std::size_t(last - first + 1));
    QString lastName;
    QByteArray lastNameUtf8;
    for (qint64 i = first; i <= last; ++i) {
        const std::string_view encoded = m_history->encoded(i);
        batch.blob.append(encoded);
        const QString name = m_history->ifName(i);
        if (name != lastName || i == first) {
            lastName = name;
            lastNameUtf8 = name.toUtf8();
        }
        batch.names.append(lastNameUtf8.constData(), std::size_t(lastNameUtf8.size()));
        batch.items.push_back({m_history->sequence(i), m_history->timeUs(i), std::uint32_t(batch.blob.size()),
                               std::uint32_t(batch.names.size())});
    }
    enqueue(std::move(batch));
}

void StreamFeed::markSnapshotComplete(std::int64_t timeUs)
{
    if (!m_thread.joinable())
        return;
    platform::ChangeRecord done;
    done.change = platform::ChangeKind::SnapshotComplete;
    Batch batch;
    batch.marker = true;
    batch.nanoseconds = m_history->nanosecondTimes();
    eventcodec::encode(done, batch.blob);
    batch.items.push_back({0, timeUs, std::uint32_t(batch.blob.size()), 0});
    enqueue(std::move(batch));
}

void StreamFeed::enqueue(Batch batch)
{
    const std::size_t bytes = batch.blob.size() + batch.names.size() + batch.items.size() * sizeof(Batch::Item);
    std::unique_lock lock(m_mutex);
    if (m_failed || m_stop)
        return;
    // Back-pressure instead of loss: wait while the writer is this far behind.
    m_room.wait(lock, [&] { return m_queuedBytes < kMaxQueuedBytes || m_failed || m_stop; });
    if (m_failed || m_stop)
        return;
    m_queuedBytes += bytes;
    m_queue.push_back(std::move(batch));
    m_wake.notify_one();
}

// The writer thread: decodes, formats and writes the queued batches; touches only the
// queue (under m_mutex), its own buffers and the file descriptor.
void StreamFeed::writerLoop()
{
    std::string out;
    [[maybe_unused]] std::vector<std::string> fields; // one journal entry's, reused
    platform::ChangeRecord record;
    for (;;) {
        Batch batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return !m_queue.empty() || m_stop; });
            if (m_queue.empty())
                return; // stopped with nothing left
            batch = std::move(m_queue.front());
            m_queue.pop_front();
        }
        const std::size_t bytes = batch.blob.size() + batch.names.size() + batch.items.size() * sizeof(Batch::Item);
        out.clear();
        QString failure;
        std::uint32_t start = 0;
        std::uint32_t nameStart = 0;
        for (const Batch::Item &item : batch.items) {
            record = platform::ChangeRecord();
            const char *data = batch.blob.data() + start;
            const std::string_view name(batch.names.data() + nameStart, item.nameEnd - nameStart);
            if (eventcodec::decode(data, batch.blob.data() + item.end, &record)) {
                record.timeUs = item.timeUs;
                if (!m_journal) {
                    jsonlines::appendEvent(out, record, item.sequence, name, batch.nanoseconds);
                } else {
#ifdef NCV_HAVE_JOURNAL
                    journal::eventFields(fields, record, item.sequence, name, batch.nanoseconds);
                    if (const int r = sendJournal(fields); r < 0) {
                        failure = QStringLiteral("sending to the systemd journal: %1").arg(journalError(r));
                        break;
                    }
#endif
                }
            }
            start = item.end;
            nameStart = item.nameEnd;
        }
        std::size_t done = 0;
        while (failure.isEmpty() && done < out.size()) {
            const long long n = writeSome(m_fd, out.data() + done, out.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                failure = QStringLiteral("writing the stream to %1: %2")
                              .arg(m_path, QString::fromLocal8Bit(std::strerror(n < 0 ? errno : EIO)));
                break;
            }
            done += std::size_t(n);
        }
        std::lock_guard lock(m_mutex);
        m_queuedBytes -= bytes;
        if (failure.isEmpty()) {
            if (!batch.marker)
                m_written += batch.items.size();
        } else {
            m_failed = true;
            m_error = failure;
            m_queue.clear();
            m_queuedBytes = 0;
        }
        m_room.notify_all();
        if (m_failed)
            return;
    }
}

bool StreamFeed::finish(QString *error)
{
    if (m_thread.joinable()) {
        disconnect(m_history, nullptr, this, nullptr);
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_room.notify_all();
        m_thread.join();
        if (m_ownsFd && m_fd >= 0 && !m_journal)
            closeFd(m_fd);
        m_fd = -1;
    }
    std::lock_guard lock(m_mutex);
    if (m_failed)
        *error = m_error;
    return !m_failed;
}

std::uint64_t StreamFeed::writtenEvents() const
{
    std::lock_guard lock(m_mutex);
    return m_written;
}

bool StreamFeed::failed() const
{
    std::lock_guard lock(m_mutex);
    return m_failed;
}

QString StreamFeed::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

} // namespace ncv

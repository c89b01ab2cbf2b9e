// SPDX-License-Identifier: GPL-2.0-or-later
// Importing nlmon captures (see pcapimport.h). Runs on the calling thread; the recording's
// disk writes run on RecordingWriter's own thread.
#include "model/recording/pcapimport.h"

#include "model/recording/rtmonimport.h"
#include "platform/linux/pcapreader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ncv::recording {

using platform::ChangeRecord;
using platform::PcapStats;

QString captureIncompleteNote(const QString &missingKinds)
{
    return QString::fromLatin1(platform::kPcapIncompleteNote)
        + QStringLiteral(": the capture holds no dump of %1 before its first event, so the tables before it show "
                         "only what the events added")
              .arg(missingKinds);
}

namespace {

/// "(pcapng, 30 packets, 120 route messages: 20 notifications, 98 dump replies, 2 requests
/// not applied); not shown: ...; 2 malformed messages passed over; other netlink families,
/// not read: ...".
QString captureDetails(const PcapStats &c)
{
    QString line = QStringLiteral("(%1, %2 packets, %3 route messages: %4 notifications, %5 dump replies, %6 requests "
                                  "not applied)")
                       .arg(QString::fromStdString(c.format))
                       .arg(c.packets)
                       .arg(c.messages)
                       .arg(c.eventMessages)
                       .arg(c.dumpMessages + c.laterDumpMessages)
                       .arg(c.requests)
        + netlinkPassedOver(c.untrackedSummary(), c.malformed);
    const std::string families = c.otherFamiliesSummary();
    if (!families.empty())
        line += QStringLiteral("; other netlink families, not read: %1").arg(QString::fromStdString(families));
    if (c.otherByteOrderPackets > 0)
        line += QStringLiteral("; %1 packets in the other byte order not read").arg(c.otherByteOrderPackets);
    if (c.notNetlinkPackets > 0)
        line += QStringLiteral("; %1 packets without a netlink cooked header passed over").arg(c.notNetlinkPackets);
    if (c.nanosecondTimes)
        line += QStringLiteral("; times to the nanosecond");
    return line;
}

/// Why a capture gave no event: "no route netlink message in its 5 packets, ...".
QString noEvents(const PcapStats &c)
{
    QString detail = QStringLiteral("no route netlink message in its %1 packets").arg(c.packets);
    if (c.otherByteOrderPackets > 0)
        detail += QStringLiteral(", %1 of them written on a machine of the other byte order, which this program "
                                 "does not read")
                      .arg(c.otherByteOrderPackets);
    if (!c.otherFamiliesSummary().empty())
        detail += QStringLiteral(", other netlink families: %1").arg(QString::fromStdString(c.otherFamiliesSummary()));
    if (!c.problem.empty())
        detail += QStringLiteral("; %1").arg(QString::fromStdString(c.problem));
    return detail;
}

/// libpcap reads a FILE*: this one hands out the chunks ImportRun::pull() reads (with its
/// progress and cancel). PcapReader rewinds to the start after looking at the file's first
/// 4 KiB (magic number, time resolution), so a seek within the chunk at hand is allowed (also
/// after the end was reached in it: a file shorter than that); a cancel or read error is a read error
/// of the stream, which ends libpcap's reading.
struct PullStream {
    ImportRun *run;
    const ImportProgress *progress;
    const char *data = nullptr;
    std::int64_t start = 0; ///< file offset of data
    std::int64_t size = 0; ///< bytes at data
    std::int64_t at = 0; ///< read position within data

    static ssize_t read(void *cookie, char *buf, size_t want)
    {
        auto *s = static_cast<PullStream *>(cookie);
        if (s->at == s->size) {
            const char *next = nullptr;
            const std::int64_t n = s->run->pull(*s->progress, &next);
            if (n < 0) {
                errno = ECANCELED;
                return -1;
            }
            if (n == 0)
                return 0; // the end: the chunk at hand stays, so a seek back into it still works
            s->start += s->size;
            s->data = next;
            s->size = n;
            s->at = 0;
        }
        const std::size_t n = std::min<std::size_t>(want, std::size_t(s->size - s->at));
        std::memcpy(buf, s->data + s->at, n);
        s->at += std::int64_t(n);
        return ssize_t(n);
    }

    static int seek(void *cookie, off64_t *offset, int whence)
    {
        auto *s = static_cast<PullStream *>(cookie);
        const std::int64_t to = whence == SEEK_SET ? *offset : whence == SEEK_CUR ? s->start + s->at + *offset : -1;
        if (to < s->start || to > s->start + s->size) {
            errno = ESPIPE;
            return -1;
        }
        s->at = to - s->start;
        *offset = to;
        return 0;
    }
};

} // namespace

bool importPcap(const QString &inPath, const QString &outPath, const ImportProgress &progress, ImportResult *result,
                QString *error)
{
    ImportRun run(inPath, outPath, result);
    const auto wrongKind = [&inPath](FileKind) {
        return QStringLiteral("%1 is not a pcap or pcapng capture (it does not begin with their magic numbers)")
            .arg(inPath);
    };
    // The note is known once the dumps before the first event are read (setNote below).
    if (!run.begin(FileKind::Capture, wrongKind, QStringLiteral("nlmon capture"), QString(), error))
        return false;
    ImportWriter &writer = run.writer();
    // The reader knows the file's time resolution (its header) before it delivers a record.
    platform::PcapReader reader([&writer, &reader](std::span<const ChangeRecord> records) {
        writer.setNanosecondTimes(reader.stats().nanosecondTimes);
        writer.add(records);
    });
    PullStream pull {&run, &progress};
    std::FILE *stream = fopencookie(&pull, "rb", {&PullStream::read, nullptr, &PullStream::seek, nullptr});
    if (!stream) {
        run.writer().discard();
        if (error)
            *error = QStringLiteral("%1: %2").arg(inPath, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    std::string readError;
    const bool read = reader.readStream(stream, &readError); // closes stream
    if (!run.pullEnded(error))
        return false; // cancel or read error: said rather than what libpcap made of it
    if (!read) {
        run.writer().discard();
        if (error)
            *error = QStringLiteral("%1: %2").arg(inPath, QString::fromStdString(readError));
        return false;
    }
    const PcapStats &stats = reader.stats();
    ImportResult &res = run.result();
    res.details = captureDetails(stats);
    if (!stats.problem.empty())
        res.damage = QStringLiteral("damaged: %1 packets not read whole; the first: %2")
                         .arg(stats.damagedPackets)
                         .arg(QString::fromStdString(stats.problem));
    if (!stats.missingKinds.empty())
        run.setNote(captureIncompleteNote(QString::fromStdString(stats.missingKinds)));
    return run.end(noEvents(stats), error);
}

} // namespace ncv::recording

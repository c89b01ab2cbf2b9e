// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/export/csvwriter.h"

#include "model/export/csvreader.h"
#include "model/export/outputfile.h"
#include "model/history/eventhistory.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"

#include <QIODevice>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace ncv::csv {

using namespace platform;

namespace {

constexpr qint64 kProgressEvery = 4096;
constexpr qsizetype kChunkBytes = 1 << 20;

/// True when text holds a comma, a double quote, CR or LF. Eight bytes at a time: a byte
/// of x ^ c is zero where x holds c, and (v - 0x01..) & ~v & 0x80.. is non-zero exactly
/// when some byte of v is zero.
bool needsQuotes(std::string_view text)
{
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const auto anyZero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const char *p = text.data();
    std::size_t n = text.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t x;
        std::memcpy(&x, p, 8);
        // Digits, dots, colons, slashes and letters are all above ','; most words have
        // no byte below '-' ((x - 0x2d..) & ~x & 0x80.. is non-zero exactly then).
        if (((x - ones * '-') & ~x & highs) == 0)
            continue;
        if (anyZero(x ^ (ones * ',')) | anyZero(x ^ (ones * '"')) | anyZero(x ^ (ones * '\r'))
            | anyZero(x ^ (ones * '\n')))
            return true;
    }
    for (; n > 0; ++p, --n)
        if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
            return true;
    return false;
}

/// Makes the text appended to out from start on (one cell, written raw) a CSV cell: quoted
/// when it holds a comma, a quote, CR or LF; a leading ' when a spreadsheet would read it as
/// a formula. Most cells (numbers, addresses, names) need neither and are only scanned.
void finishCell(std::string &out, std::size_t start)
{
    const std::string_view cell(out.data() + start, out.size() - start);
    const bool quote = needsQuotes(cell);
    // Only a cell that starts with one of '=+-@', TAB, CR or ' can need the guard.
    const char first = cell.empty() ? 'a' : cell.front();
    const bool guard = (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                        || first == '\'')
        && needsFormulaGuard(cell);
    if (!quote) {
        if (guard)
            out.insert(start, 1, '\'');
        return;
    }
    const std::string text(cell);
    out.resize(start);
    out += '"';
    if (guard)
        out += '\'';
    for (const char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void appendCell(std::string &out, std::string_view text)
{
    const std::size_t start = out.size();
    out.append(text);
    finishCell(out, start);
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void civilFromDays(qint64 z, qint64 *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 yy = qint64(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

// "2026-11-21T11:42:03." is computed once per second (per thread); the microseconds are
// written digit by digit.
/// Writes "2026-11-21T11:42:03.123456Z" (27 bytes) at p, or with nanoseconds (subUsNs past
/// timeUs) "2026-11-21T11:42:03.123456789Z" (30 bytes); returns the end.
char *writeIsoTime(char *p, qint64 timeUs, bool nanoseconds = false, unsigned subUsNs = 0)
{
    qint64 secs = timeUs / 1'000'000;
    qint64 micros = timeUs % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --secs;
    }
    thread_local qint64 cachedSecs = std::numeric_limits<qint64>::min();
    thread_local char prefix[40];
    thread_local int prefixLength = 0;
    if (secs != cachedSecs) {
        qint64 days = secs / 86400;
        qint64 sod = secs % 86400;
        if (sod < 0) {
            sod += 86400;
            --days;
        }
        qint64 y = 0;
        unsigned m = 0, d = 0;
        civilFromDays(days, &y, &m, &d);
        prefixLength
            = std::snprintf(prefix, sizeof prefix, "%04lld-%02u-%02uT%02d:%02d:%02d.", static_cast<long long>(y), m, d,
                            int(sod / 3600), int(sod / 60 % 60), int(sod % 60));
        cachedSecs = secs;
    }
    std::memcpy(p, prefix, std::size_t(prefixLength));
    p += prefixLength;
    for (int k = 5; k >= 0; --k) {
        p[k] = char('0' + micros % 10);
        micros /= 10;
    }
    p += 6;
    if (nanoseconds) {
        subUsNs = std::min(subUsNs, 999u);
        for (int k = 2; k >= 0; --k) {
            p[k] = char('0' + subUsNs % 10);
            subUsNs /= 10;
        }
        p += 3;
    }
    *p = 'Z';
    return p + 1;
}

void appendIsoTime(std::string &out, qint64 timeUs, bool nanoseconds = false, unsigned subUsNs = 0)
{
    char buf[48];
    out.append(buf, std::size_t(writeIsoTime(buf, timeUs, nanoseconds, subUsNs) - buf));
}

/// One event as a CSV line. The cells of the row come from its description (rowfields.h):
/// the fields marked for a fixed column, and the details as the event log shows them
/// (platform::appendDetails: the changes, the attribute line, or the record's note).
/// Sequence 0 (never an event's: they start at 1)
/// writes an empty sequence cell, for a marker row that stands for no single event.
void appendRow(std::string &out, const ChangeRecord &r, quint64 sequence, std::string_view ifName,
               KnownFields known = KnownFields::All, bool nanoseconds = false)
{
    // The first five cells never need quoting (digits, a time, fixed lower-case names):
    // written into one buffer and appended at once.
    char head[160];
    char *p = head;
    if (sequence != 0)
        p = std::to_chars(p, p + 24, sequence).ptr;
    *p++ = ',';
    p = writeIsoTime(p, r.timeUs, nanoseconds, r.timeSubUsNs);
    for (const std::string_view name : {objectName(r.object), changeName(r.change), familyName(r.family)}) {
        *p++ = ',';
        const std::size_t n = std::min<std::size_t>(name.size(), 32);
        std::memcpy(p, name.data(), n);
        p += n;
    }
    *p++ = ',';
    out.append(head, std::size_t(p - head));
    const Row &row = r.row();
    const auto column = [&](CsvColumn c) {
        const std::size_t start = out.size();
        appendCsvCell(out, row, c, ifName);
        finishCell(out, start);
        out += ',';
    };
    column(CsvColumn::IfIndex);
    appendCell(out, ifName);
    out += ',';
    if (r.object == ObjectKind::Nsid) { // no row: the id itself is what the event is about
        appendCell(out, std::to_string(r.nsid));
        out += ',';
    } else {
        column(CsvColumn::Destination);
    }
    column(CsvColumn::Gateway);
    column(CsvColumn::Metric);
    column(CsvColumn::Protocol);
    column(CsvColumn::Table);
    if (r.change == ChangeKind::Parameter)
        appendCell(out, fieldList(r.object, r.changedFields, ";"));
    out += ',';
    const std::size_t details = out.size();
    appendDetails(out, r, known, ifName);
    finishCell(out, details);
    out += ',';
    appendCell(out, originName(r.origin));
    out += ',';
    if (r.requester != 0) {
        const Requester &who = RequesterTable::get(r.requester);
        appendCell(out, requesterText(who));
        out += ',';
        appendCell(out, requesterPidText(who));
    } else {
        out += ',';
    }
    out += ',';
    if (r.netns != 0)
        appendCell(out, NamespaceTable::name(r.netns));
    out.append("\r\n");
}

} // namespace

QByteArray header()
{
    return QByteArray(kHeaderLine) + "\r\n";
}

QByteArray row(const EventHistory &h, qint64 i)
{
    std::string out;
    const QByteArray ifName = h.ifName(i).toUtf8();
    const std::string_view name(ifName.constData(), std::size_t(ifName.size()));
    appendRow(out, h.record(i), h.sequence(i), name, KnownFields::All, h.nanosecondTimes());
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray genericRow(const ChangeRecord &r, quint64 sequence, const QString &ifName, KnownFields known,
                      bool nanoseconds)
{
    std::string out;
    const QByteArray name = ifName.toUtf8();
    appendRow(out, r, sequence, std::string_view(name.constData(), std::size_t(name.size())), known, nanoseconds);
    return QByteArray(out.data(), qsizetype(out.size()));
}

void appendGenericRow(std::string &out, const ChangeRecord &r, quint64 sequence, std::string_view ifName,
                      KnownFields known, bool nanoseconds)
{
    appendRow(out, r, sequence, ifName, known, nanoseconds);
}

QByteArray cell(std::string_view utf8)
{
    std::string out;
    appendCell(out, utf8);
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray cell(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return cell(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

QByteArray isoTimeUtc(qint64 timeUs, bool nanoseconds, unsigned subUsNs)
{
    std::string out;
    appendIsoTime(out, timeUs, nanoseconds, subUsNs);
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray droppedRow(const EventHistory::Snapshot &h)
{
    if (h.droppedBefore() <= 0)
        return {};
    const quint64 last = h.sequence(0) - 1;
    const quint64 first = h.sequence(0) - quint64(h.droppedBefore());
    ChangeRecord r;
    r.object = ObjectKind::Gap;
    r.change = ChangeKind::Gap;
    r.origin = Origin::Inferred;
    r.timeUs = h.lastDroppedTimeUs();
    r.note = std::string(kDroppedNote) + ' ' + std::to_string(h.droppedBefore()) + " events (sequence "
        + std::to_string(first) + " to " + std::to_string(last) + ") are missing: the history keeps at most "
        + std::to_string(h.capacity()) + " events";
    std::string out;
    appendRow(out, r, 0, {}, KnownFields::All, h.nanosecondTimes());
    return QByteArray(out.data(), qsizetype(out.size()));
}

enum class WriteResult { Ok, Failed, Cancelled };

// Formats rows [first, last) of h into out. Runs on the export's worker threads.
static void formatRows(const EventHistory::Snapshot &h, qint64 first, qint64 last, std::string &out)
{
    thread_local std::vector<QByteArray> ifNames; // utf8 by name index
    // The list the cache was made from, held (shared) so that its buffer cannot be freed
    // and reused by another history's list: equal data pointers then mean equal names.
    thread_local QStringList namesOf;
    if (namesOf.constData() != h.names().constData() || ifNames.size() != std::size_t(h.names().size())) {
        ifNames.clear();
        for (const QString &name : h.names())
            ifNames.push_back(name.toUtf8());
        namesOf = h.names();
    }
    for (qint64 i = first; i < last; ++i) {
        const ChangeRecord r = h.record(i);
        const QByteArray &name = ifNames[std::size_t(h.ifNameIndex(i))];
        const std::string_view nameView(name.constData(), std::size_t(name.size()));
        appendRow(out, r, h.sequence(i), nameView, KnownFields::All, h.nanosecondTimes());
    }
}

// Writes all of data, or returns false with the OS's reason in *reason. A short write
// (the disk filled up during it) is followed by a write of the rest, which then fails
// with the reason (QIODevice reports none for the short write itself).
static bool writeAll(QIODevice *out, const char *data, qint64 size, QString *reason)
{
    while (size > 0) {
        const qint64 n = out->write(data, size);
        if (n <= 0) {
            *reason = out->errorString();
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

// *reason on failure is the bare reason ("No space left on device") or "cancelled".
static WriteResult writeImpl(const EventHistory::Snapshot &h, QIODevice *out, QString *reason, const Progress &progress)
{
    const auto fail = [reason](const QString &message) {
        *reason = message;
        return message == QLatin1StringView("cancelled") ? WriteResult::Cancelled : WriteResult::Failed;
    };
    if (!out || !out->isWritable())
        return fail(QStringLiteral("device not open for writing"));
    const qint64 total = h.size();
    QString why;
    const QByteArray head = header();
    if (!writeAll(out, head.constData(), head.size(), &why))
        return fail(why);
    const QByteArray dropped = droppedRow(h);
    if (!dropped.isEmpty() && !writeAll(out, dropped.constData(), dropped.size(), &why))
        return fail(why);
    // Rows are formatted in blocks, one block per thread at a time (the snapshot is
    // immutable, so threads read it freely), and written in order by this thread.
    const int threads = int(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    std::vector<std::string> blocks(static_cast<std::size_t>(threads));
    for (std::string &b : blocks)
        b.reserve(std::size_t(kChunkBytes) + 4096);
    const qint64 rowsPerBlock = kProgressEvery;
    qint64 done = 0;
    while (done < total) {
        std::vector<std::thread> helpers;
        std::vector<qint64> ends;
        qint64 start = done;
        for (int t = 0; t < threads && start < total; ++t) {
            const qint64 end = std::min(total, start + rowsPerBlock);
            blocks[std::size_t(t)].clear();
            ends.push_back(end);
            if (t > 0) // block 0 is formatted by this thread, below
                helpers.emplace_back(
                    [&h, start, end, &block = blocks[std::size_t(t)]] { formatRows(h, start, end, block); });
            start = end;
        }
        formatRows(h, done, ends.front(), blocks.front());
        for (std::thread &helper : helpers)
            helper.join();
        for (std::size_t t = 0; t < ends.size(); ++t) {
            std::string &block = blocks[t];
            if (!writeAll(out, block.data(), qint64(block.size()), &why))
                return fail(why);
            block.clear();
            done = ends[t];
            if (progress && done < total && !progress(done, total))
                return fail(QStringLiteral("cancelled"));
        }
    }
    if (progress && !progress(total, total))
        return fail(QStringLiteral("cancelled"));
    reason->clear();
    return WriteResult::Ok;
}

static bool writeToDevice(const EventHistory::Snapshot &h, QIODevice *out, QString *error, const Progress &progress)
{
    QString reason;
    const WriteResult result = writeImpl(h, out, &reason, progress);
    if (error)
        *error = result == WriteResult::Failed ? QStringLiteral("write failed: ") + reason : reason;
    return result == WriteResult::Ok;
}

bool write(const EventHistory &h, QIODevice *out, QString *error, const Progress &progress)
{
    return writeToDevice(h.snapshot(), out, error, progress);
}

bool write(const EventHistory::Snapshot &h, QIODevice *out, QString *error, const Progress &progress)
{
    return writeToDevice(h, out, error, progress);
}

bool exportToFile(const EventHistory &h, const QString &path, QString *error, const Progress &progress)
{
    return exportToFile(h.snapshot(), path, error, progress);
}

// Writes h to the opened file and commits it; *error names the file and the reason.
static bool writeAndCommit(const EventHistory::Snapshot &h, OutputFile &file, QString *error, const Progress &progress)
{
    const QString name = OutputFile::displayName(file.fileName());
    QString reason;
    const WriteResult result = writeImpl(h, file.device(), &reason, progress);
    if (result == WriteResult::Ok && file.commit(&reason)) {
        if (error)
            error->clear();
        return true;
    }
    const bool inPlace = file.mode() == OutputFile::Mode::Direct;
    file.cancel();
    if (error) {
        if (result == WriteResult::Cancelled)
            *error = inPlace ? QStringLiteral("export to %1 cancelled; what was written before stays written").arg(name)
                             : QStringLiteral("export to %1 cancelled").arg(name);
        else
            *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
    }
    return false;
}

bool exportToFile(const EventHistory::Snapshot &h, const QString &path, QString *error, const Progress &progress)
{
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("cannot write CSV: no file name given");
        return false;
    }
    OutputFile file;
    QString reason;
    if (!file.open(path, &reason)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(OutputFile::displayName(path), reason);
        return false;
    }
    return writeAndCommit(h, file, error, progress);
}

bool exportToNewFile(const EventHistory &h, const QString &nameTemplate, QString *createdPath, QString *error)
{
    OutputFile file;
    QString reason;
    if (!file.openUnique(nameTemplate, &reason)) {
        if (error)
            *error = QStringLiteral("cannot create a file like %1: %2").arg(nameTemplate, reason);
        return false;
    }
    if (createdPath)
        *createdPath = file.fileName();
    return writeAndCommit(h.snapshot(), file, error, {});
}

} // namespace ncv::csv

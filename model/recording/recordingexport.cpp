// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/recordingexport.h"

#include "model/export/csvwriter.h"
#include "model/export/outputfile.h"

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QIODevice>
#include <QRegularExpression>
#include <QTime>

#include <algorithm>
#include <cmath>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace ncv::recording {

using namespace platform;

bool parseTime(const QString &text, std::int64_t startUs, std::int64_t *us, QString *error,
               std::optional<std::uint16_t> *subUsNs)
{
    // Digits 1-6 of a fraction are the µs, 7-9 the nanoseconds past it; more are dropped.
    const auto fractionNs = [](const QString &digits) {
        return QString(digits.left(9) + QStringLiteral("000000000")).left(9).toLongLong();
    };
    const auto fail = [&] {
        if (error)
            *error = QStringLiteral("'%1' is not a time: give ISO 8601 UTC (2026-11-21T11:42:03Z, fractions "
                                    "allowed) or seconds from the recording's start (+90.5)")
                         .arg(text);
        return false;
    };
    if (text.startsWith(u'+')) {
        static const QRegularExpression number(QStringLiteral("^\\+([0-9]+)(?:\\.([0-9]*))?$"));
        const QRegularExpressionMatch m = number.match(text);
        if (!m.hasMatch())
            return fail();
        bool ok = false;
        const qlonglong seconds = m.captured(1).toLongLong(&ok);
        if (!ok || seconds > 1'000'000'000'000)
            return fail();
        const std::int64_t ns = fractionNs(m.captured(2));
        *us = startUs + seconds * 1'000'000 + ns / 1000;
        if (subUsNs)
            *subUsNs = m.captured(2).size() > 6 ? std::optional(std::uint16_t(ns % 1000)) : std::nullopt;
        return true;
    }
    static const QRegularExpression iso(
        QStringLiteral("^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?Z$"));
    const QRegularExpressionMatch m = iso.match(text);
    if (!m.hasMatch())
        return fail();
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const QTime time(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt());
    if (!date.isValid() || !time.isValid())
        return fail();
    const std::int64_t ns = fractionNs(m.captured(7));
    *us = QDateTime(date, time, Qt::UTC).toSecsSinceEpoch() * 1'000'000 + ns / 1000;
    if (subUsNs)
        *subUsNs = m.captured(7).size() > 6 ? std::optional(std::uint16_t(ns % 1000)) : std::nullopt;
    return true;
}

QString isoTime(std::int64_t us, bool nanoseconds, std::uint16_t subUsNs)
{
    return QString::fromLatin1(csv::isoTimeUtc(us, nanoseconds, subUsNs));
}

namespace {

bool writeAll(QIODevice *out, const QByteArray &data, QString *reason)
{
    qint64 done = 0;
    while (done < data.size()) {
        const qint64 n = out->write(data.constData() + done, data.size() - done);
        if (n <= 0) {
            *reason = out->errorString();
            return false;
        }
        done += n;
    }
    return true;
}

// Opens path, calls body(write) and commits; the one-line error names the file.
template<typename Body> bool writeCsv(const QString &path, QString *error, Body body)
{
    const QString name = OutputFile::displayName(path);
    OutputFile file;
    QString reason;
    if (!file.open(path, &reason)) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
        return false;
    }
    QByteArray buffer = csv::header();
    bool ok = true;
    const auto write = [&](const QByteArray &line) {
        buffer += line;
        if (buffer.size() >= (1 << 16)) {
            ok = ok && writeAll(file.device(), buffer, &reason);
            buffer.clear();
        }
        return ok;
    };
    QString readError;
    const bool read = body(write, &readError);
    if (ok && !buffer.isEmpty())
        ok = writeAll(file.device(), buffer, &reason);
    if (!read) {
        file.cancel();
        if (error)
            *error = readError;
        return false;
    }
    if (!ok || !file.commit(&reason)) {
        file.cancel();
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(name, reason);
        return false;
    }
    return true;
}

} // namespace

bool exportEvents(RecordingReader &reader, std::int64_t fromUs, std::int64_t toUs, const QString &path,
                  std::int64_t *rows, QString *error, std::uint16_t fromSubUsNs, std::uint16_t toSubUsNs)
{
    std::int64_t n = 0;
    const KnownFields known = reader.info().knownFields();
    const bool nanoseconds = reader.info().nanosecondTimes();
    const bool ok = writeCsv(path, error, [&](const auto &write, QString *readError) {
        return reader.forEachEvent(
            fromUs, toUs,
            [&](const RecordedEvent &e) {
                // The bounds' own microseconds hold events before and after them.
                if ((e.record.timeUs == fromUs && e.record.timeSubUsNs < fromSubUsNs)
                    || (e.record.timeUs == toUs && e.record.timeSubUsNs > toSubUsNs))
                    return true;
                ++n;
                return write(csv::genericRow(e.record, e.seq, e.ifName, known, nanoseconds));
            },
            readError);
    });
    if (rows)
        *rows = n;
    return ok;
}

namespace {

// The tables' rows, formatted on worker threads in batches while this thread reads the
// next batch out of the state; the batches are written in order.
struct RowBatch {
    std::vector<ChangeRecord> records; // reused: a record of the same kind keeps its capacity
    std::vector<QByteArray> names; // the interface name of each row, UTF-8
    std::size_t count = 0;
    std::uint64_t firstSequence = 0;
    KnownFields known = KnownFields::All; // the fields the recording's rows hold
    bool nanoseconds = false; // time_utc with 9 fraction digits
    std::string text;

    // Runs on a worker thread; touches nothing but this batch.
    void format()
    {
        text.clear();
        for (std::size_t i = 0; i < count; ++i)
            csv::appendGenericRow(text, records[i], firstSequence + i,
                                  std::string_view(names[i].constData(), std::size_t(names[i].size())), known,
                                  nanoseconds);
    }
};

constexpr std::size_t kBatchRows = 4096;

} // namespace

bool exportStateAt(RecordingReader &reader, std::int64_t atUs, const QString &path, std::int64_t *rows, QString *error,
                   std::optional<std::uint16_t> atSubUsNs)
{
    // Every namespace's tables apart (a recording of several: ifindex 2 in each), written one
    // namespace after the other with the namespace column filled; a recording of one has
    // namespace 0 alone, whose column stays empty.
    NamespaceStates states(reader.info().keyScheme());
    if (!reader.stateAt(atUs, &states, error, nullptr, std::min<std::uint16_t>(atSubUsNs.value_or(999), 999)))
        return false;
    const bool nanoseconds = reader.info().nanosecondTimes();
    const std::uint16_t rowSubUsNs = nanoseconds ? std::min<std::uint16_t>(atSubUsNs.value_or(0), 999) : 0;
    std::int64_t n = 0;
    const bool ok = writeCsv(path, error, [&](const auto &write, QString *) {
        QHash<std::uint32_t, QByteArray> names;
        // One batch being filled here plus one per worker being formatted.
        const unsigned workers = std::clamp(std::thread::hardware_concurrency(), 2u, 5u) - 1;
        std::vector<RowBatch> batches(workers + 1);
        for (RowBatch &b : batches) {
            b.known = reader.info().knownFields();
            b.nanoseconds = nanoseconds;
        }
        std::vector<std::future<void>> formatted(batches.size());
        std::size_t current = 0;
        bool written = true;
        // Waits for batch i (when it was handed to a worker) and writes it.
        const auto drain = [&](std::size_t i) {
            if (!formatted[i].valid())
                return;
            formatted[i].get();
            if (written)
                written = write(QByteArray::fromRawData(batches[i].text.data(), qsizetype(batches[i].text.size())));
            batches[i].count = 0;
        };
        const auto submit = [&] {
            RowBatch &b = batches[current];
            formatted[current] = std::async(std::launch::async, [&b] { b.format(); });
            current = (current + 1) % batches.size();
            drain(current); // the oldest batch: its slot is filled next
        };
        std::uint32_t netns = 0;
        const auto visit = [&](const Row &row) {
            if (!written)
                return;
            RowBatch &b = batches[current];
            if (b.count == 0)
                b.firstSequence = std::uint64_t(n) + 1;
            if (b.records.size() <= b.count) {
                b.records.resize(b.count + 1);
                b.names.resize(b.count + 1);
                b.records[b.count].change = ChangeKind::Initial;
                b.records[b.count].timeUs = atUs;
                b.records[b.count].timeSubUsNs = rowSubUsNs;
            }
            ChangeRecord &r = b.records[b.count];
            QByteArray &ifName = b.names[b.count];
            r.after = row;
            r.netns = netns;
            if (const auto *i = std::get_if<InterfaceRow>(&row)) {
                r.object = ObjectKind::Interface;
                r.family = i->family;
                ifName = QString::fromStdString(i->name).toUtf8(); // as the event export writes names
                names.insert(i->ifIndex, ifName);
            } else if (const auto *a = std::get_if<AddressRow>(&row)) {
                r.object = ObjectKind::Address;
                r.family = a->address.family;
                ifName = names.value(a->ifIndex);
            } else if (const auto *rt = std::get_if<RouteRow>(&row)) {
                r.object = ObjectKind::Route;
                r.family = rt->family();
                ifName = names.value(rt->outIfIndex());
            } else if (const auto *nb = std::get_if<NeighborRow>(&row)) {
                r.object = ObjectKind::Neighbor;
                r.family = nb->address.family;
                ifName = names.value(nb->ifIndex);
            } else if (const auto *rule = std::get_if<RuleRow>(&row)) {
                r.object = ObjectKind::Rule;
                r.family = rule->family;
                ifName.clear(); // rules name interfaces (iif / oif) in their own text
            } else if (const auto *nh = std::get_if<NexthopRow>(&row)) {
                r.object = ObjectKind::Nexthop;
                r.family = nh->family;
                ifName = nh->ifIndex != 0 ? names.value(nh->ifIndex) : QByteArray();
            } else {
                ifName.clear();
            }
            ++n;
            if (++b.count == kBatchRows)
                submit();
        };
        for (const auto &[id, state] : states.states()) {
            netns = id;
            names.clear(); // interface indexes are per namespace
            state.forEach(visit);
        }
        if (batches[current].count > 0)
            submit();
        for (std::size_t k = 0; k < batches.size(); ++k)
            drain((current + k) % batches.size());
        // A recording whose tables may be incomplete (an import of a file that lacks the
        // state before its first event) says so after the rows, as a gap row with the note.
        const QString note = reader.info().meta.value(QStringLiteral("note"));
        if (written && !note.isEmpty() && reader.info().startUs <= atUs) {
            ChangeRecord gap;
            gap.object = ObjectKind::Gap;
            gap.change = ChangeKind::Gap;
            gap.origin = platform::Origin::Inferred;
            gap.timeUs = atUs;
            gap.timeSubUsNs = rowSubUsNs;
            gap.note = note.toStdString();
            written = write(csv::genericRow(gap, std::uint64_t(n) + 1, QString(), KnownFields::All, nanoseconds));
        }
        return true;
    });
    if (rows)
        *rows = n;
    return ok;
}

} // namespace ncv::recording

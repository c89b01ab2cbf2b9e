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

#include <cmath>

namespace ncv::recording {

using namespace platform;

bool parseTime(const QString &text, std::int64_t startUs, std::int64_t *us, QString *error)
{
    const auto fail = [&] {
        if (error)
            *error = QStringLiteral("'%1' is not a time: give ISO 8601 UTC (2026-11-21T11:42:03Z, fractions "
                                    "allowed) or seconds from the recording's start (+90.5)")
                         .arg(text);
        return false;
    };
    if (text.startsWith(u'+')) {
        static const QRegularExpression number(QStringLiteral("^\\+[0-9]+(\\.[0-9]*)?$"));
        if (!number.match(text).hasMatch())
            return fail();
        const double seconds = text.mid(1).toDouble();
        if (!std::isfinite(seconds) || seconds > 1e12)
            return fail();
        *us = startUs + std::int64_t(std::llround(seconds * 1e6));
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
    const QString fraction = QString(m.captured(7) + QStringLiteral("000000")).left(6);
    *us = QDateTime(date, time, Qt::UTC).toSecsSinceEpoch() * 1'000'000 + fraction.toLongLong();
    return true;
}

QString isoTime(std::int64_t us)
{
    return QString::fromLatin1(csv::isoTimeUtc(us));
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
                  std::int64_t *rows, QString *error)
{
    std::int64_t n = 0;
    const bool ok = writeCsv(path, error, [&](const auto &write, QString *readError) {
        return reader.forEachEvent(
            fromUs, toUs,
            [&](const RecordedEvent &e) {
                ++n;
                return write(csv::genericRow(e.record, e.seq, e.ifName));
            },
            readError);
    });
    if (rows)
        *rows = n;
    return ok;
}

bool exportStateAt(RecordingReader &reader, std::int64_t atUs, const QString &path, std::int64_t *rows, QString *error)
{
    RecordState state(reader.info().meta.value(QStringLiteral("key_scheme")) == u"windows"
                          ? StateStore::KeyScheme::Windows
                          : StateStore::KeyScheme::Linux);
    if (!reader.stateAt(atUs, &state, error))
        return false;
    std::int64_t n = 0;
    const bool ok = writeCsv(path, error, [&](const auto &write, QString *) {
        QHash<std::uint32_t, QString> names;
        ChangeRecord r;
        r.change = ChangeKind::Initial;
        r.timeUs = atUs;
        bool written = true;
        state.forEach([&](const Row &row) {
            if (!written)
                return;
            r.after = row;
            QString ifName;
            if (const auto *i = std::get_if<InterfaceRow>(&row)) {
                r.object = ObjectKind::Interface;
                r.family = i->family;
                ifName = QString::fromStdString(i->name);
                names.insert(i->ifIndex, ifName);
            } else if (const auto *a = std::get_if<AddressRow>(&row)) {
                r.object = ObjectKind::Address;
                r.family = a->address.family;
                ifName = names.value(a->ifIndex);
            } else if (const auto *rt = std::get_if<RouteRow>(&row)) {
                r.object = ObjectKind::Route;
                r.family = rt->family();
                ifName = names.value(rt->outIfIndex());
            }
            ++n;
            written = write(csv::genericRow(r, std::uint64_t(n), ifName));
        });
        return true;
    });
    if (rows)
        *rows = n;
    return ok;
}

} // namespace ncv::recording

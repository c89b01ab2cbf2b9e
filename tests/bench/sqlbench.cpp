// SPDX-License-Identifier: GPL-2.0-or-later
// ncv_sqlbench: how fast the two ways to SQLite insert the recording's events: the C API
// (what model/recording uses) and QtSql's QSQLITE driver, on the same schema, the same
// 1M encoded IPv4 route events, in transactions of 50k, WAL and synchronous=NORMAL as the
// writer sets them. Prints "key value" lines (events per second, bytes per event).
//   ncv_sqlbench [N] [DIR]
#include "model/recording/eventcolumns.h"
#include "model/recording/recordingformat.h"
#include "platform/format.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace ncv;
using namespace ncv::platform;

namespace {

struct Event {
    std::int64_t seq, timeUs;
    std::string record, destination;
    std::uint32_t ifIndex, table, metric, protocol;
};

std::vector<Event> makeEvents(int n)
{
    std::vector<Event> events;
    events.reserve(std::size_t(n));
    const std::int64_t t0 = nowUs();
    for (int i = 0; i < n; ++i) {
        ChangeRecord r;
        r.object = ObjectKind::Route;
        r.change = ChangeKind::Add;
        r.family = Family::IPv4;
        RouteRow row;
        row.destination = IpAddress::v4(std::uint8_t(20 + i / 16777216), std::uint8_t(i / 65536), std::uint8_t(i / 256),
                                        std::uint8_t(i));
        row.prefixLength = 32;
        row.protocol = 3;
        NextHop hop;
        hop.gateway = IpAddress::v4(10, 9, 0, 2);
        hop.ifIndex = 2;
        row.nextHops.push_back(hop);
        r.after = row;
        Event e {i + 1, t0 + i * 3, {}, toCidr(row.destination, 32), 2, row.table, row.metric, row.protocol};
        recording::encodeRecord(r, recording::EventColumns::of(r), e.record);
        events.push_back(std::move(e));
    }
    return events;
}

constexpr int kTransaction = 50'000;
const char *kInsert = "INSERT INTO events(seq, time_offset_us, object, change, family, origin, ns, ifindex, name_id, "
                      "destination, route_table, metric, tos, protocol, record) "
                      "VALUES (?, ?, 3, 1, 1, 0, 0, ?, 0, ?, ?, ?, 0, ?, ?)";

double viaCApi(const std::vector<Event> &events, const QString &path)
{
    sqlite3 *db = nullptr;
    sqlite3_open(QFile::encodeName(path).constData(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    sqlite3_exec(db, recording::schema(events.front().timeUs).c_str(), nullptr, nullptr, nullptr);
    sqlite3_stmt *s = nullptr;
    sqlite3_prepare_v3(db, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    QElapsedTimer t;
    t.start();
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event &e = events[i];
        sqlite3_bind_int64(s, 1, e.seq);
        sqlite3_bind_int64(s, 2, e.timeUs - events.front().timeUs);
        sqlite3_bind_int64(s, 3, e.ifIndex);
        sqlite3_bind_text(s, 4, e.destination.data(), int(e.destination.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 5, e.table);
        sqlite3_bind_int64(s, 6, e.metric);
        sqlite3_bind_int64(s, 7, e.protocol);
        sqlite3_bind_blob(s, 8, e.record.data(), int(e.record.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            std::fprintf(stderr, "C API insert: %s\n", sqlite3_errmsg(db));
        sqlite3_reset(s);
        if ((i + 1) % kTransaction == 0)
            sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    sqlite3_finalize(s);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return seconds;
}

double viaQtSql(const std::vector<Event> &events, const QString &path)
{
    double seconds = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench"));
        db.setDatabaseName(path);
        if (!db.open()) {
            std::fprintf(stderr, "QSQLITE: %s\n", qPrintable(db.lastError().text()));
            return -1;
        }
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        // QSqlQuery runs one statement at a time.
        const QStringList statements
            = QString::fromStdString(recording::schema(events.front().timeUs)).split(QStringLiteral(";\n"));
        for (const QString &statement : statements)
            if (!statement.trimmed().isEmpty() && !q.exec(statement))
                std::fprintf(stderr, "QSQLITE schema: %s\n", qPrintable(q.lastError().text()));
        QSqlQuery insert(db);
        insert.prepare(QString::fromLatin1(kInsert));
        QElapsedTimer t;
        t.start();
        db.transaction();
        for (std::size_t i = 0; i < events.size(); ++i) {
            const Event &e = events[i];
            insert.bindValue(0, qint64(e.seq));
            insert.bindValue(1, qint64(e.timeUs - events.front().timeUs));
            insert.bindValue(2, e.ifIndex);
            insert.bindValue(3, QString::fromStdString(e.destination));
            insert.bindValue(4, e.table);
            insert.bindValue(5, e.metric);
            insert.bindValue(6, e.protocol);
            insert.bindValue(7, QByteArray(e.record.data(), qsizetype(e.record.size())));
            if (!insert.exec())
                std::fprintf(stderr, "QSQLITE insert: %s\n", qPrintable(insert.lastError().text()));
            if ((i + 1) % kTransaction == 0) {
                db.commit();
                db.transaction();
            }
        }
        db.commit();
        seconds = double(t.nsecsElapsed()) / 1e9;
        q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        q.exec(QStringLiteral("PRAGMA journal_mode=DELETE"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench"));
    return seconds;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
    QTemporaryDir tmp(argc > 2 ? QString::fromLocal8Bit(argv[2]) + QStringLiteral("/sqlbench-XXXXXX")
                               : QDir::tempPath() + QStringLiteral("/sqlbench-XXXXXX"));
    const std::vector<Event> events = makeEvents(n);
    std::size_t recordBytes = 0;
    for (const Event &e : events)
        recordBytes += e.record.size();
    const QString cPath = tmp.filePath(QStringLiteral("c.ncv")), qtPath = tmp.filePath(QStringLiteral("qt.ncv"));
    const double c = viaCApi(events, cPath);
    const double qt = viaQtSql(events, qtPath);
    std::printf("events %d\n", n);
    std::printf("record_bytes_per_event %.1f\n", double(recordBytes) / n);
    std::printf("capi_s %.3f\ncapi_events_per_s %.0f\ncapi_file_bytes_per_event %.1f\n", c, n / c,
                double(QFileInfo(cPath).size()) / n);
    std::printf("qtsql_s %.3f\nqtsql_events_per_s %.0f\nqtsql_file_bytes_per_event %.1f\n", qt, n / qt,
                double(QFileInfo(qtPath).size()) / n);
    return 0;
}

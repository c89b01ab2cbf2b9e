// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/recordingreader.h"

#include "model/history/eventcodec.h"
#include "model/recording/eventcolumns.h"
#include "model/recording/recordingformat.h"
#include "model/recording/sqlitedb.h"
#include "platform/fielddef.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"

#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <thread>

namespace ncv::recording {

using namespace platform;

namespace {

constexpr int kPage = 4096;
constexpr std::int64_t kMaxTime = std::numeric_limits<std::int64_t>::max();

bool isRowOrDone(int rc)
{
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

template<typename R> bool readRowInto(compact::CheckedReader &in, Row &row)
{
    // decodeRow sets every member: a row of the same kind is reused (its next-hop vector
    // keeps its capacity, no allocation per row).
    R *r = std::get_if<R>(&row);
    decodeRow(in, r ? *r : row.emplace<R>());
    return in.ok;
}

/// Inserts the rows of blob (each a kind byte, then the row; decoded into row, reused) into
/// state; false for a kind this build does not know or bytes that do not decode.
bool insertTaggedRows(std::string_view blob, Row &row, RecordState &state)
{
    compact::CheckedReader in {reinterpret_cast<const std::uint8_t *>(blob.data()),
                               reinterpret_cast<const std::uint8_t *>(blob.data() + blob.size())};
    while (in.ok && in.p < in.end) {
        bool ok = false;
        withRowIndex(in.byte(), [&](auto type) {
            using R = typename decltype(type)::type;
            if constexpr (!std::is_same_v<R, std::monostate>)
                ok = readRowInto<R>(in, row);
        });
        if (!ok)
            return false;
        state.insert(row);
    }
    return true;
}

// Rows are decoded this many ahead of the one put into the state, each prefetched when
// decoded, so that the route index's cache misses overlap instead of coming one by one.
constexpr std::size_t kAhead = 8;

// Replays records on a thread of its own while the caller reads the next ones from the file:
// reading (SQLite's steps, decoding) and applying (the route index) each take about half of
// a replay, and a replay is the whole wait of a seek. Events are decoded straight into the
// slots of a batch, which goes over whole to apply(batch's events) and is reused once applied
// (a record decoded into one of the same kind reuses its capacity). Where no thread can be
// started, each event is applied at once on the caller's, as a batch of one.
class ApplyThread {
public:
    using Apply = std::function<void(std::span<const RecordedEvent>)>;
    explicit ApplyThread(Apply apply) : m_apply(std::move(apply))
    {
        for (Batch &b : m_batches)
            b.records.resize(kBatchRecords);
        for (std::size_t i = 1; i < m_batches.size(); ++i)
            m_free.push_back(i);
        try {
            m_thread = std::thread([this] { run(); });
        } catch (const std::system_error &) {
            m_inline = true;
        }
    }
    ~ApplyThread() { finish(); }
    ApplyThread(const ApplyThread &) = delete;
    ApplyThread &operator=(const ApplyThread &) = delete;

    /// The record to fill next (caller's thread); push() hands it over.
    RecordedEvent &slot() { return m_batches[m_filling].records[m_batches[m_filling].size]; }
    void push()
    {
        Batch &b = m_batches[m_filling];
        if (m_inline) {
            m_apply(std::span<const RecordedEvent>(b.records.data(), 1));
            return;
        }
        if (++b.size == kBatchRecords)
            handOver();
    }
    /// Hands over what is left and returns once every record pushed is applied.
    void finish()
    {
        if (!m_thread.joinable())
            return;
        {
            std::lock_guard lock(m_mutex);
            if (m_batches[m_filling].size > 0)
                m_full.push_back(m_filling);
            m_closed = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }

private:
    static constexpr std::size_t kBatchRecords = 2048;
    struct Batch {
        std::vector<RecordedEvent> records;
        std::size_t size = 0;
    };

    void handOver()
    {
        std::unique_lock lock(m_mutex);
        m_full.push_back(m_filling);
        m_changed.notify_all();
        m_changed.wait(lock, [this] { return !m_free.empty(); });
        m_filling = m_free.front();
        m_free.pop_front();
        m_batches[m_filling].size = 0;
    }
    void run()
    {
        for (;;) {
            std::size_t index = 0;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock, [this] { return !m_full.empty() || m_closed; });
                if (m_full.empty())
                    return;
                index = m_full.front();
                m_full.pop_front();
            }
            const Batch &b = m_batches[index];
            m_apply(std::span<const RecordedEvent>(b.records.data(), b.size));
            {
                std::lock_guard lock(m_mutex);
                m_free.push_back(index);
            }
            m_changed.notify_all();
        }
    }

    Apply m_apply;
    std::array<Batch, 3> m_batches;
    std::size_t m_filling = 0; // the caller's batch
    std::deque<std::size_t> m_full; // handed over, in order
    std::deque<std::size_t> m_free;
    bool m_closed = false;
    bool m_inline = false;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::thread m_thread;
};

/// a - b, held within the int64 range.
std::int64_t minusSaturated(std::int64_t a, std::int64_t b)
{
    if (b > 0 && a < std::numeric_limits<std::int64_t>::min() + b)
        return std::numeric_limits<std::int64_t>::min();
    if (b < 0 && a > std::numeric_limits<std::int64_t>::max() + b)
        return std::numeric_limits<std::int64_t>::max();
    return a - b;
}

// Damaged places one scan skips before it leaves out the rest: each costs a few probes, and a
// file damaged everywhere would otherwise be probed sequence by sequence.
constexpr int kMaxDamagedRegions = 1000;

bool loadMoreRows(sql::Stmt &more, RecordState *state); // below loadKeyframe()
} // namespace

struct RecordingReader::Impl {
    sql::Db db;
    QStringList names; // names.id -> name (ids are dense from 0)
    std::optional<std::int64_t> timeBase; // format 2: meta time_base_us
    bool subNsColumn = false; // events.time_sub_us_ns exists (meta time_precision ns)
    bool hasRequesters = false; // events.requester and the requesters table exist (files since they were added)
    std::vector<std::uint32_t> requesters; // requesters.id -> RequesterTable id (0: none / unknown)
    std::vector<std::uint32_t> requesterPorts; // requesters.id -> its port id (0 for causes)
    std::vector<std::uint32_t> namespaces; // namespaces.ns -> NamespaceTable id (0: the one recorded by default)
    bool nsKeyframes = false; // keyframe_ns_rows exists: keyframes keep namespaces apart
    std::string error() const { return db.errorMessage(); }
};

RecordingReader::RecordingReader() : d(std::make_unique<Impl>()) { }

RecordingReader::~RecordingReader() = default;

void RecordingReader::problem(const QString &line)
{
    if (!m_problems.contains(line))
        m_problems.append(line);
}

void RecordingReader::close()
{
    d->db.close();
    d->names.clear();
    d->timeBase.reset();
    d->hasRequesters = false;
    d->requesters.clear();
    d->requesterPorts.clear();
    d->namespaces.clear();
    d->nsKeyframes = false;
    m_status = Status::Closed;
    m_info = {};
    m_problems.clear();
}

bool RecordingReader::open(const QString &path, QString *error)
{
    close();
    m_path = path;
    const auto failWith = [&](Status status, const QString &why) {
        m_status = status;
        d->db.close();
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    };
    const QFileInfo fi(path);
    if (!fi.exists())
        return failWith(Status::NotFound, QStringLiteral("no such file"));
    if (!fi.isFile())
        return failWith(Status::NotFound, QStringLiteral("not a regular file"));
    {
        // Recognised by content: an SQLite database begins with this header.
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return failWith(Status::Unreadable, f.errorString());
        const QByteArray head = f.read(16);
        if (head.size() == 0)
            return failWith(Status::NotARecording, QStringLiteral("not a NetChangeView recording (the file is empty)"));
        if (head != QByteArray("SQLite format 3\0", 16))
            return failWith(Status::NotARecording,
                            QStringLiteral("not a NetChangeView recording (not an SQLite database)"));
    }
    const QByteArray uri = QUrl::fromLocalFile(fi.absoluteFilePath()).toEncoded() + "?mode=ro";
    sql::Stmt s;
    // lenient: a truncated file (shorter than its header says) is refused as corrupt unless
    // writable_schema is on; this connection is read-only, so that flag cannot write.
    const auto connect = [&](bool lenient, std::string *why) {
        s.finalize();
        if (d->db.open(uri.toStdString(), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, why)
            != SQLITE_OK)
            return -1;
        // Treat the file as untrusted input (SQLite's advice for databases from elsewhere).
        if (!lenient)
            sqlite3_db_config(d->db.handle(), SQLITE_DBCONFIG_DEFENSIVE, 1, static_cast<int *>(nullptr));
        d->db.exec(lenient ? "PRAGMA writable_schema=ON; PRAGMA trusted_schema=OFF; PRAGMA cell_size_check=ON; "
                             "PRAGMA mmap_size=0"
                           : "PRAGMA trusted_schema=OFF; PRAGMA cell_size_check=ON; PRAGMA mmap_size=0");
        int rc = s.prepare(d->db, "PRAGMA application_id");
        if (rc == SQLITE_OK)
            rc = s.step();
        return rc;
    };
    std::string why;
    int rc = connect(false, &why);
    if (rc < 0)
        return failWith(Status::Unreadable, QString::fromStdString(why));
    if (rc != SQLITE_ROW && (d->db.extendedErrorCode() & 0xff) == SQLITE_CORRUPT) {
        const QString first = QString::fromStdString(d->error());
        rc = connect(true, &why);
        if (rc < 0)
            return failWith(Status::Unreadable, QString::fromStdString(why));
        if (rc == SQLITE_ROW)
            problem(QStringLiteral("the file is truncated or damaged (%1); what is valid is read").arg(first));
    }
    if (rc != SQLITE_ROW) {
        const int code = d->db.extendedErrorCode() & 0xff;
        if (code == SQLITE_NOTADB)
            return failWith(Status::NotARecording,
                            QStringLiteral("not a NetChangeView recording (not an SQLite database)"));
        return failWith(Status::Unreadable,
                        QStringLiteral("damaged, cannot be read: %1").arg(QString::fromStdString(d->error())));
    }
    const std::int64_t appId = s.int64(0);
    s.finalize();
    if (appId != kApplicationId)
        return failWith(Status::NotARecording,
                        QStringLiteral("not a NetChangeView recording (an SQLite database of another program)"));
    rc = s.prepare(d->db, "PRAGMA user_version");
    if (rc == SQLITE_OK)
        rc = s.step();
    if (rc != SQLITE_ROW)
        return failWith(Status::Unreadable,
                        QStringLiteral("damaged, cannot be read: %1").arg(QString::fromStdString(d->error())));
    m_info.formatVersion = int(s.int64(0));
    s.finalize();
    if (m_info.formatVersion > kFormatVersion)
        return failWith(Status::NewerFormat,
                        QStringLiteral("recording format version %1 is newer than this NetChangeView reads "
                                       "(up to %2): open it with a newer version")
                            .arg(m_info.formatVersion)
                            .arg(kFormatVersion));
    if (m_info.formatVersion < 1)
        return failWith(Status::NotARecording, QStringLiteral("not a NetChangeView recording (no format version)"));
    QString infoError;
    if (!readInfo(&infoError))
        return failWith(Status::Unreadable, QStringLiteral("damaged, cannot be read: %1").arg(infoError));
    m_status = Status::Ok;
    return true;
}

bool RecordingReader::refresh(QString *error)
{
    if (m_status != Status::Ok) {
        if (error)
            *error = QStringLiteral("no recording open");
        return false;
    }
    return readInfo(error);
}

bool RecordingReader::readInfo(QString *error)
{
    const auto dbError = [this, error](const char *what) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(QLatin1StringView(what), QString::fromStdString(d->error()));
        return false;
    };
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT name, value FROM meta") != SQLITE_OK)
        return dbError("reading the meta table");
    int rc;
    m_info.meta.clear();
    while ((rc = s.step()) == SQLITE_ROW)
        m_info.meta.insert(QString::fromUtf8(s.text(0)), QString::fromUtf8(s.text(1)));
    if (rc != SQLITE_DONE)
        return dbError("reading the meta table");
    s.finalize();
    m_info.startUs = m_info.meta.value(QStringLiteral("start_time_us")).toLongLong();
    m_info.endUs
        = std::max<std::int64_t>(m_info.startUs, m_info.meta.value(QStringLiteral("end_time_us")).toLongLong());
    m_info.cleanEnd = m_info.meta.value(QStringLiteral("clean_end")) == u"1";
    bool baseOk = false;
    const qlonglong base = m_info.meta.value(QStringLiteral("time_base_us")).toLongLong(&baseOk);
    d->timeBase.reset();
    if (m_info.formatVersion >= 2 && baseOk)
        d->timeBase = base;
    // Nanoseconds: a format 2 file of a source that had them holds the column.
    d->subNsColumn = false;
    if (m_info.nanosecondTimes() && d->timeBase) {
        d->subNsColumn = s.prepare(d->db, "SELECT time_sub_us_ns FROM events LIMIT 0") == SQLITE_OK;
        s.finalize();
    }
    // A damaged events table is not fatal: its range then comes from the commit log.
    // Two subqueries: each is one step to an end of the primary key, where min() and max()
    // in one SELECT make SQLite scan every row (10M events: seconds, at every open).
    if (s.prepare(d->db, "SELECT (SELECT min(seq) FROM events), (SELECT max(seq) FROM events)") == SQLITE_OK
        && s.step() == SQLITE_ROW) {
        m_info.firstSeq = s.isNull(0) ? 0 : std::uint64_t(s.int64(0));
        m_info.lastSeq = s.isNull(1) ? 0 : std::uint64_t(s.int64(1));
    } else {
        problem(QStringLiteral("the events table is damaged: %1").arg(QString::fromStdString(d->error())));
        s.finalize();
        if (s.prepare(d->db, "SELECT min(first_seq), max(last_seq) FROM commits") == SQLITE_OK && s.step() == SQLITE_ROW
            && !s.isNull(0)) {
            m_info.firstSeq = std::uint64_t(s.int64(0));
            m_info.lastSeq = std::uint64_t(s.int64(1));
        }
    }
    m_info.eventCount = m_info.firstSeq ? std::int64_t(m_info.lastSeq - m_info.firstSeq + 1) : 0;
    s.finalize();
    // The newest event's time, from the commit log (a damaged log is not fatal).
    if (s.prepare(d->db, "SELECT max(max_time_us) FROM commits") == SQLITE_OK && s.step() == SQLITE_ROW && !s.isNull(0))
        m_info.endUs = std::max(m_info.endUs, s.int64(0));
    s.finalize();
    if (s.prepare(d->db, "SELECT count(*) FROM keyframes") == SQLITE_OK && s.step() == SQLITE_ROW)
        m_info.keyframes = int(s.int64(0));
    else
        problem(QStringLiteral("the keyframes table cannot be read: %1").arg(QString::fromStdString(d->error())));
    s.finalize();
    if (!loadNames())
        problem(QStringLiteral("interface names cannot all be read: %1").arg(QString::fromStdString(d->error())));
    // Files written before events.requester was added have neither it nor the table: their
    // events name no requester.
    if (s.prepare(d->db, "SELECT requester FROM events LIMIT 0") == SQLITE_OK) {
        s.finalize();
        d->hasRequesters = true;
        if (!loadRequesters())
            problem(QStringLiteral("requesters cannot all be read: %1").arg(QString::fromStdString(d->error())));
    }
    s.finalize();
    if (!loadNamespaces())
        problem(QStringLiteral("namespaces cannot all be read: %1").arg(QString::fromStdString(d->error())));
    // Files written before keyframes kept namespaces apart have no such table: their
    // keyframes of a recording of several mix them (stateAt() passes them over).
    d->nsKeyframes = s.prepare(d->db, "SELECT ns FROM keyframe_ns_rows LIMIT 0") == SQLITE_OK;
    s.finalize();
    return true;
}

bool RecordingReader::loadNamespaces()
{
    d->namespaces = {0};
    sql::Stmt s;
    // inode was added to the table with recordings of several namespaces.
    const bool withInode = s.prepare(d->db, "SELECT ns, name, inode FROM namespaces WHERE ns > 0") == SQLITE_OK;
    if (!withInode && s.prepare(d->db, "SELECT ns, name, NULL FROM namespaces WHERE ns > 0") != SQLITE_OK)
        return false;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        const std::int64_t id = s.int64(0);
        if (id <= 0 || id > 1'000'000)
            continue;
        platform::NetNamespace ns;
        ns.name = s.text(1);
        ns.inode = std::uint64_t(s.int64(2));
        if (std::size_t(id) >= d->namespaces.size())
            d->namespaces.resize(std::size_t(id) + 1, 0);
        d->namespaces[std::size_t(id)] = platform::NamespaceTable::intern(ns);
    }
    return rc == SQLITE_DONE;
}

bool RecordingReader::loadRequesters()
{
    d->requesters = {0};
    d->requesterPorts = {0};
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT id, kind, port_id, pid, command, command_line, cgroup, cause FROM requesters")
        != SQLITE_OK)
        return false;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        const std::int64_t id = s.int64(0);
        if (id <= 0 || id > 100'000'000)
            continue;
        platform::Requester r;
        const std::string_view kind = s.text(1);
        for (const auto k :
             {platform::Requester::Kind::Kernel, platform::Requester::Kind::Process, platform::Requester::Kind::Exited,
              platform::Requester::Kind::Port, platform::Requester::Kind::Cause})
            if (kind == platform::requesterKindName(k))
                r.kind = k;
        if (r.kind == platform::Requester::Kind::None)
            continue; // a kind this reader does not know: named as nobody
        r.portId = std::uint32_t(s.int64(2));
        r.pid = std::int32_t(s.int64(3));
        r.command = s.text(4);
        r.commandLine = s.text(5);
        r.cgroup = s.text(6);
        r.cause = s.text(7);
        if (std::size_t(id) >= d->requesters.size()) {
            d->requesters.resize(std::size_t(id) + 1, 0);
            d->requesterPorts.resize(std::size_t(id) + 1, 0);
        }
        d->requesters[std::size_t(id)] = platform::RequesterTable::intern(r);
        d->requesterPorts[std::size_t(id)] = r.kind == platform::Requester::Kind::Cause ? 0 : r.portId;
    }
    return rc == SQLITE_DONE;
}

bool RecordingReader::loadNames()
{
    d->names = {QString()};
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT id, name FROM names ORDER BY id") != SQLITE_OK)
        return false;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        const std::int64_t id = s.int64(0);
        if (id < 0 || id > 10'000'000)
            continue;
        if (id >= d->names.size())
            d->names.resize(id + 1);
        d->names[id] = QString::fromUtf8(s.text(1));
    }
    return rc == SQLITE_DONE;
}

bool RecordingReader::scan(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs,
                           const std::function<bool(const RecordedEvent &)> &visit, QString *error)
{
    RecordedEvent ev;
    return scanInto(
        fromSeq, toSeq, fromUs, toUs, [&ev]() -> RecordedEvent & { return ev; },
        [&visit](const RecordedEvent &e) { return visit(e); }, error);
}

template<typename Next, typename Visit>
bool RecordingReader::scanInto(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs,
                               Next &&nextEvent, Visit &&visit, QString *error)
{
    // Format 2 stores an offset from the file's time base (time_us is generated from it):
    // reading and comparing the offset spares SQLite the expression on every row.
    const bool offsets = d->timeBase.has_value();
    const std::int64_t base = offsets ? *d->timeBase : 0;
    if (offsets) {
        fromUs = minusSaturated(fromUs, base);
        toUs = minusSaturated(toUs, base);
    }
    // Format 1: the record holds the whole event; format 2: the columns hold part of it.
    const char *sql = m_info.formatVersion == 1
        ? "SELECT seq, time_us, name_id, record FROM events WHERE seq >= ? AND seq <= ? "
          "AND time_us >= ? AND time_us <= ? ORDER BY seq LIMIT ?"
        : offsets
        ? "SELECT seq, time_offset_us, name_id, record, object, change, family, origin, ifindex, "
          "destination, route_table, metric, tos, protocol, requester FROM events WHERE seq >= ? AND seq <= ? "
          "AND time_offset_us >= ? AND time_offset_us <= ? ORDER BY seq LIMIT ?"
        : "SELECT seq, time_us, name_id, record, object, change, family, origin, ifindex, "
          "destination, route_table, metric, tos, protocol, NULL FROM events WHERE seq >= ? AND seq <= ? "
          "AND time_us >= ? AND time_us <= ? ORDER BY seq LIMIT ?";
    std::string query = sql;
    if (offsets && !d->hasRequesters) {
        const std::string_view column = "protocol, requester FROM";
        query.replace(query.find(column), column.size(), "protocol, NULL FROM");
    }
    if (d->subNsColumn && offsets) // column 15; only format 2 files of a nanosecond source have it
        query.insert(query.find(" FROM events"), ", time_sub_us_ns");
    // The namespace, last: column 15, or 16 after time_sub_us_ns.
    const int nsColumn = m_info.formatVersion == 1 ? -1 : (d->subNsColumn && offsets) ? 16 : 15;
    if (nsColumn > 0)
        query.insert(query.find(" FROM events"), ", ns");
    sql = query.c_str();
    sql::Stmt s;
    if (s.prepare(d->db, sql) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot read events: %1").arg(QString::fromStdString(d->error()));
        return false;
    }
    // Sequence numbers are SQLite integers: nothing lies beyond the largest one (and the
    // probes below add to these without wrapping around).
    toSeq = std::min<std::uint64_t>(toSeq, std::uint64_t(kMaxTime));
    EventColumns columns;
    std::uint64_t next = fromSeq;
    std::uint64_t undecodable = 0, firstUndecodable = 0;
    bool reloadedNames = false;
    bool reloadedRequesters = false;
    bool reloadedNamespaces = false;
    int damagedRegions = 0;
    while (next <= toSeq) {
        s.bind(1, std::int64_t(std::min<std::uint64_t>(next, std::uint64_t(kMaxTime))));
        s.bind(2, std::int64_t(std::min<std::uint64_t>(toSeq, std::uint64_t(kMaxTime))));
        s.bind(3, fromUs);
        s.bind(4, toUs);
        s.bind(5, std::int64_t(kPage));
        int rows = 0;
        int rc;
        bool outOfOrder = false;
        while ((rc = s.step()) == SQLITE_ROW) {
            RecordedEvent &ev = nextEvent();
            ev.seq = std::uint64_t(s.int64(0));
            if (ev.seq < next) {
                // Only a damaged b-tree answers a sequence below the one asked for: reading on
                // from there could go round in circles.
                outOfOrder = true;
                rc = SQLITE_CORRUPT;
                break;
            }
            ++rows;
            next = ev.seq + 1;
            const std::string_view blob = s.blob(3);
            bool decoded;
            if (m_info.formatVersion == 1) {
                decoded = eventcodec::decode(blob.data(), blob.data() + blob.size(), &ev.record) != nullptr;
            } else {
                columns.object = ObjectKind(s.int64(4));
                columns.change = ChangeKind(s.int64(5));
                columns.family = Family(s.int64(6));
                columns.origin = Origin(s.int64(7));
                columns.ifIndex = std::uint32_t(s.int64(8));
                const std::string_view destination = s.text(9);
                columns.destination.assign(destination.data(), destination.size());
                columns.routeKeys = !s.isNull(10);
                columns.table = std::uint32_t(s.int64(10));
                columns.metric = std::uint32_t(s.int64(11));
                columns.tos = std::uint32_t(s.int64(12));
                columns.hasProtocol = !s.isNull(13);
                columns.protocol = std::uint32_t(s.int64(13));
                decoded = decodeRecord(columns, blob.data(), blob.data() + blob.size(), &ev.record);
                ev.record.requester = 0;
                ev.record.portId = 0;
                if (!s.isNull(14)) {
                    const std::int64_t requester = s.int64(14);
                    if (requester > 0 && std::size_t(requester) >= d->requesters.size() && !reloadedRequesters) {
                        reloadedRequesters = true; // one the writer added since open()
                        loadRequesters();
                    }
                    if (requester > 0 && std::size_t(requester) < d->requesters.size()) {
                        ev.record.requester = d->requesters[std::size_t(requester)];
                        ev.record.portId = d->requesterPorts[std::size_t(requester)];
                    }
                }
                ev.record.netns = 0;
                if (const std::int64_t ns = s.int64(nsColumn); ns > 0) {
                    if (std::size_t(ns) >= d->namespaces.size() && !reloadedNamespaces) {
                        reloadedNamespaces = true; // one the writer added since open()
                        loadNamespaces();
                    }
                    if (std::size_t(ns) < d->namespaces.size())
                        ev.record.netns = d->namespaces[std::size_t(ns)];
                }
            }
            if (!decoded) {
                if (undecodable++ == 0)
                    firstUndecodable = ev.seq;
                continue;
            }
            // Wraps around as SQLite's own addition would not: a damaged file's values, never UB.
            ev.record.timeUs = std::int64_t(std::uint64_t(base) + std::uint64_t(s.int64(1)));
            if (d->subNsColumn && offsets)
                ev.record.timeSubUsNs = std::uint16_t(std::clamp<std::int64_t>(s.int64(15), 0, 999));
            else
                ev.record.timeSubUsNs = 0;
            const std::int64_t nameId = s.int64(2);
            if (nameId >= d->names.size() && !reloadedNames) {
                reloadedNames = true; // a name the writer added since open()
                loadNames();
            }
            ev.ifName = nameId >= 0 && nameId < d->names.size() ? d->names.at(nameId) : QString();
            if (!visit(ev)) {
                s.reset();
                return true;
            }
        }
        if (rc == SQLITE_DONE) {
            s.reset();
            if (rows < kPage)
                break;
            continue;
        }
        // A damaged page: skip ahead in growing steps until reading works again.
        const QString reason
            = outOfOrder ? QStringLiteral("sequence numbers out of order") : QString::fromStdString(d->error());
        s.reset();
        if (++damagedRegions > kMaxDamagedRegions) {
            problem(QStringLiteral("events from sequence %1 on were left out: more than %2 damaged places")
                        .arg(next)
                        .arg(kMaxDamagedRegions));
            break;
        }
        const std::uint64_t badFrom = next;
        std::uint64_t step = 1;
        std::uint64_t resume = 0;
        sql::Stmt probe;
        probe.prepare(d->db, "SELECT seq FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT 1");
        for (std::uint64_t at = next + 1; at <= toSeq; at = next + step) {
            probe.bind(1, std::int64_t(at));
            probe.bind(2, std::int64_t(toSeq));
            const int prc = probe.step();
            const std::uint64_t found = prc == SQLITE_ROW ? std::uint64_t(probe.int64(0)) : 0;
            // A damaged b-tree may answer a sequence below the one asked for: not a place to
            // resume from (it would not move forward).
            const bool ok = isRowOrDone(prc) && (prc != SQLITE_ROW || found >= at);
            probe.reset();
            if (ok) {
                resume = prc == SQLITE_ROW ? found : toSeq + 1;
                break;
            }
            if (step > (toSeq - next) / 2)
                break; // the next step would pass toSeq (or wrap around)
            step *= 2;
        }
        if (resume == 0)
            resume = toSeq + 1;
        if (resume > toSeq || resume > m_info.lastSeq)
            problem(QStringLiteral("events from sequence %1 on could not be read: %2").arg(badFrom).arg(reason));
        else
            problem(QStringLiteral("events %1 to %2 could not be read: %3").arg(badFrom).arg(resume - 1).arg(reason));
        next = resume;
    }
    if (undecodable)
        problem(QStringLiteral("%1 events could not be decoded (the first: sequence %2)")
                    .arg(undecodable)
                    .arg(firstUndecodable));
    return true;
}

bool RecordingReader::events(std::uint64_t fromSeq, int count, std::vector<RecordedEvent> *out, QString *error)
{
    if (m_status != Status::Ok || count <= 0)
        return m_status == Status::Ok;
    int left = count;
    return scan(
        fromSeq, std::uint64_t(kMaxTime), std::numeric_limits<std::int64_t>::min(), kMaxTime,
        [out, &left](const RecordedEvent &e) {
            out->push_back(e);
            return --left > 0;
        },
        error);
}

bool RecordingReader::forEachEvent(std::int64_t fromUs, std::int64_t toUs,
                                   const std::function<bool(const RecordedEvent &)> &visit, QString *error)
{
    if (m_status != Status::Ok)
        return false;
    std::uint64_t lo = 0, hi = 0;
    sequenceRange(fromUs, toUs, &lo, &hi);
    return scan(lo, hi, fromUs, toUs, visit, error);
}

void RecordingReader::sequenceRange(std::int64_t fromUs, std::int64_t toUs, std::uint64_t *fromSeq,
                                    std::uint64_t *toSeq)
{
    std::uint64_t lo = 0, hi = std::uint64_t(kMaxTime);
    // Every event lies in the range of the commit that wrote it.
    sql::Stmt s;
    if (m_status == Status::Ok
        && s.prepare(d->db, "SELECT min(first_seq) FROM commits WHERE max_time_us >= ?") == SQLITE_OK) {
        s.bind(1, fromUs);
        if (s.step() == SQLITE_ROW && !s.isNull(0))
            lo = std::uint64_t(s.int64(0));
    }
    s.finalize();
    if (m_status == Status::Ok
        && s.prepare(d->db, "SELECT max(last_seq) FROM commits WHERE min_time_us <= ?") == SQLITE_OK) {
        s.bind(1, toUs);
        if (s.step() == SQLITE_ROW && !s.isNull(0))
            hi = std::uint64_t(s.int64(0));
    }
    s.finalize();
    *fromSeq = lo;
    *toSeq = hi;
}

bool RecordingReader::forEachEvent(std::uint64_t fromSeq, std::uint64_t toSeq, std::int64_t fromUs, std::int64_t toUs,
                                   const std::function<bool(const RecordedEvent &)> &visit, QString *error)
{
    if (m_status != Status::Ok)
        return false;
    return scan(fromSeq, toSeq, fromUs, toUs, visit, error);
}

bool RecordingReader::forEachEventKey(std::uint64_t fromSeq, std::uint64_t toSeq,
                                      const std::function<bool(const EventKey &)> &visit, QString *error)
{
    if (m_status != Status::Ok)
        return false;
    sql::Stmt s;
    std::string query = "SELECT seq, time_us, object, change, requester, ns FROM events WHERE seq >= ? AND seq <= ? "
                        "ORDER BY seq";
    if (!d->hasRequesters)
        query.replace(query.find("requester"), 9, "NULL");
    if (m_info.formatVersion == 1) // no namespaces yet
        query.replace(query.find(", ns FROM"), 9, ", 0 FROM");
    if (s.prepare(d->db, query.c_str()) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot read events: %1").arg(QString::fromStdString(d->error()));
        return false;
    }
    s.bind(1, std::int64_t(std::min<std::uint64_t>(fromSeq, std::uint64_t(kMaxTime))));
    s.bind(2, std::int64_t(std::min<std::uint64_t>(toSeq, std::uint64_t(kMaxTime))));
    EventKey key;
    bool reloadedRequesters = false;
    bool reloadedNamespaces = false;
    std::uint64_t next = fromSeq;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        key.seq = std::uint64_t(s.int64(0));
        key.timeUs = s.int64(1);
        key.object = ObjectKind(std::uint8_t(s.int64(2)));
        key.change = ChangeKind(std::uint8_t(s.int64(3)));
        const std::int64_t requester = s.int64(4); // 0 for NULL
        if (requester > 0 && std::size_t(requester) >= d->requesters.size() && !reloadedRequesters) {
            reloadedRequesters = true; // once: an id that is nowhere would ask again each row
            loadRequesters(); // written after the file was opened (a recording still growing)
        }
        key.requester = requester > 0 && std::size_t(requester) < d->requesters.size()
            ? d->requesters[std::size_t(requester)]
            : 0;
        const std::int64_t ns = s.int64(5);
        if (ns > 0 && std::size_t(ns) >= d->namespaces.size() && !reloadedNamespaces) {
            reloadedNamespaces = true; // one the writer added since open()
            loadNamespaces();
        }
        key.netns = ns > 0 && std::size_t(ns) < d->namespaces.size() ? d->namespaces[std::size_t(ns)] : 0;
        next = key.seq + 1;
        if (!visit(key))
            return true;
    }
    if (rc != SQLITE_DONE)
        problem(QStringLiteral("event times from sequence %1 on could not be read: %2")
                    .arg(next)
                    .arg(QString::fromStdString(d->error())));
    return true;
}

std::int64_t RecordingReader::eventTimeUs(std::uint64_t seq)
{
    if (m_status != Status::Ok || seq > std::uint64_t(kMaxTime))
        return -1;
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT time_us FROM events WHERE seq = ?") != SQLITE_OK)
        return -1;
    s.bind(1, std::int64_t(seq));
    return s.step() == SQLITE_ROW ? s.int64(0) : -1;
}

bool RecordingReader::loadKeyframe(std::int64_t id, int parts, RecordState *state, NamespaceStates *states,
                                   const std::atomic<bool> *cancel)
{
    if (states)
        state = &states->state(0);
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT part, rows FROM keyframe_rows WHERE keyframe = ? ORDER BY part") != SQLITE_OK)
        return false;
    s.bind(1, id);
    int rc;
    int seen = 0;
    std::array<Row, kAhead> ahead; // decoded rows not yet inserted: [done, queued)
    std::size_t queued = 0, done = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
        if (s.int64(0) != seen)
            return false; // a part is missing
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false; // looked at once a part (kKeyframePartRows rows)
        ++seen;
        const std::string_view blob = s.blob(1);
        compact::CheckedReader in {reinterpret_cast<const std::uint8_t *>(blob.data()),
                                   reinterpret_cast<const std::uint8_t *>(blob.data() + blob.size())};
        while (in.ok && in.p < in.end) {
            if (queued - done == kAhead)
                state->insert(ahead[done++ % kAhead]);
            Row &row = ahead[queued % kAhead];
            bool ok = false;
            switch (in.byte()) {
            case 1: ok = readRowInto<InterfaceRow>(in, row); break;
            case 2: ok = readRowInto<AddressRow>(in, row); break;
            case 3: ok = readRowInto<RouteRow>(in, row); break;
            default: ok = false; break;
            }
            if (!ok)
                return false;
            state->prefetch(row);
            ++queued;
        }
    }
    while (done < queued)
        state->insert(ahead[done++ % kAhead]);
    if (rc != SQLITE_DONE || seen != parts)
        return false;
    // The kinds added after format 2: neighbors in keyframe_more_rows, the later ones (rules)
    // by kind in keyframe_kind_rows, of which only the kinds this build knows are read. A
    // file written before a table existed has no such table.
    const char *const queries[] = {
        "SELECT rows FROM keyframe_more_rows WHERE keyframe = ? ORDER BY part",
        "SELECT rows FROM keyframe_kind_rows WHERE keyframe = ? AND kind < ? ORDER BY kind, part",
    };
    for (int q = 0; q < 2; ++q) {
        sql::Stmt more;
        if (more.prepare(d->db, queries[q]) != SQLITE_OK)
            continue;
        more.bind(1, id);
        if (q == 1)
            more.bind(2, std::int64_t(std::variant_size_v<Row>));
        if (!loadMoreRows(more, state))
            return false;
    }
    return !states || loadNamespaceRows(id, states, cancel);
}

bool RecordingReader::loadNamespaceRows(std::int64_t id, NamespaceStates *states, const std::atomic<bool> *cancel)
{
    if (!d->nsKeyframes)
        return true;
    sql::Stmt s;
    // Only the kinds this build knows (kind < the number of Row types); each (ns, kind)'s
    // parts come 0, 1, 2... (a missing one is damage).
    if (s.prepare(d->db,
                  "SELECT ns, kind, part, rows FROM keyframe_ns_rows WHERE keyframe = ? AND kind < ? "
                  "ORDER BY ns, kind, part")
        != SQLITE_OK)
        return false;
    s.bind(1, id);
    s.bind(2, std::int64_t(std::variant_size_v<Row>));
    std::int64_t lastNs = -1, lastKind = -1, nextPart = 0;
    RecordState *state = nullptr;
    bool reloaded = false;
    Row row;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        const std::int64_t ns = s.int64(0), kind = s.int64(1), part = s.int64(2);
        if (ns <= 0 || ns > 1'000'000)
            return false;
        if (ns != lastNs || kind != lastKind)
            nextPart = 0;
        if (part != nextPart++)
            return false; // a part is missing
        if (ns != lastNs) {
            if (std::size_t(ns) >= d->namespaces.size() && !reloaded) {
                reloaded = true; // one the writer added since open()
                loadNamespaces();
            }
            if (std::size_t(ns) >= d->namespaces.size())
                return false; // a namespace the file does not name
            state = &states->state(d->namespaces[std::size_t(ns)]);
        }
        lastNs = ns;
        lastKind = kind;
        if (!insertTaggedRows(s.blob(3), row, *state))
            return false;
    }
    return rc == SQLITE_DONE;
}

namespace {
/// Inserts the rows of each blob more gives (a kind byte, then the row) into state; false
/// for a kind this build does not know or bytes that do not decode.
bool loadMoreRows(sql::Stmt &more, RecordState *state)
{
    int rc;
    Row row;
    while ((rc = more.step()) == SQLITE_ROW) {
        if (!insertTaggedRows(more.blob(0), row, *state))
            return false;
    }
    return rc == SQLITE_DONE;
}
} // namespace

QList<quint32> RecordingReader::namedNamespaceIds() const
{
    QList<quint32> ids;
    for (const std::uint32_t id : d->namespaces)
        if (id != 0)
            ids.append(id);
    return ids;
}

bool RecordingReader::stateAt(std::int64_t atUs, RecordState *state, QString *error, const std::atomic<bool> *cancel,
                              std::uint16_t atSubUsNs)
{
    state->clear();
    if (m_status == Status::Ok && hasSeveralNamespaces()) {
        // One set of tables would mix the namespaces (ifindex 2 exists in every one).
        if (error)
            *error
                = QStringLiteral("a recording of several network namespaces has tables per namespace: pick one (the "
                                 "window's Namespace box) or write them all (--headless FILE --at T --export-csv OUT)");
        return false;
    }
    return rebuildState(atUs, state, nullptr, error, cancel, atSubUsNs);
}

bool RecordingReader::stateAt(std::int64_t atUs, NamespaceStates *states, QString *error,
                              const std::atomic<bool> *cancel, std::uint16_t atSubUsNs)
{
    states->clear();
    return rebuildState(atUs, nullptr, states, error, cancel, atSubUsNs);
}

bool RecordingReader::hasSeveralNamespaces() const
{
    return d->namespaces.size() > 1;
}

QList<quint32> RecordingReader::namespaceIds() const
{
    QList<quint32> ids;
    for (const std::uint32_t id : d->namespaces)
        ids.append(id);
    return ids;
}

bool RecordingReader::rebuildState(std::int64_t atUs, RecordState *state, NamespaceStates *states, QString *error,
                                   const std::atomic<bool> *cancel, std::uint16_t atSubUsNs)
{
    const auto cancelled = [&] {
        if (!cancel || !cancel->load(std::memory_order_relaxed))
            return false;
        if (error)
            *error = cancelledError();
        return true;
    };
    const auto clear = [&] {
        if (states)
            states->clear();
        else
            state->clear();
    };
    if (m_status != Status::Ok) {
        if (error)
            *error = QStringLiteral("no recording open");
        return false;
    }
    // A recording of several namespaces written before keyframe_ns_rows: its keyframes mix
    // them, so the state is replayed from the first event (the initial rows of each).
    const bool useKeyframes = d->namespaces.size() <= 1 || d->nsKeyframes;
    if (!useKeyframes && m_info.meta.value(QStringLiteral("part")).toInt() > 1) {
        if (error)
            *error = QStringLiteral("this part of a series of several network namespaces was written before "
                                    "keyframes kept them apart: its tables at a moment cannot be rebuilt");
        return false;
    }
    // The newest keyframe at or before atUs that reads whole; else an older one; else none
    // (replay from the first event).
    std::uint64_t fromSeq = 0;
    sql::Stmt s;
    if (s.prepare(d->db, "SELECT id, seq, parts FROM keyframes WHERE time_us <= ? ORDER BY seq DESC, id DESC")
        == SQLITE_OK) {
        // A keyframe's time_us has no nanoseconds: one of atUs itself may hold events after
        // the moment when only part of that microsecond counts.
        s.bind(1, useKeyframes ? (atSubUsNs < 999 ? atUs - 1 : atUs) : std::numeric_limits<std::int64_t>::min());
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            const std::int64_t id = s.int64(0);
            if (loadKeyframe(id, int(s.int64(2)), state, states, cancel)) {
                fromSeq = std::uint64_t(s.int64(1)) + 1;
                break;
            }
            if (cancelled())
                return false;
            problem(QStringLiteral("keyframe %1 is damaged; an older one is used").arg(id));
            clear();
        }
        if (!isRowOrDone(rc))
            problem(QStringLiteral("the keyframes table cannot be read: %1").arg(QString::fromStdString(d->error())));
    }
    s.finalize();
    std::uint64_t hi = std::uint64_t(kMaxTime);
    if (s.prepare(d->db, "SELECT max(last_seq) FROM commits WHERE min_time_us <= ?") == SQLITE_OK) {
        s.bind(1, atUs);
        if (s.step() == SQLITE_ROW && !s.isNull(0))
            hi = std::uint64_t(s.int64(0));
    }
    s.finalize();
    // Each event's slot of the route index is loaded kAhead events before it is applied.
    const auto applyTo = [](auto &into, std::span<const RecordedEvent> events) {
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (i + kAhead < events.size())
                into.prefetch(events[i + kAhead].record);
            into.apply(events[i].record); // states: into its own namespace's tables
        }
    };
    ApplyThread applier([&](std::span<const RecordedEvent> events) {
        if (states)
            applyTo(*states, events);
        else
            applyTo(*state, events);
    });
    std::size_t read = 0;
    bool stopped = false;
    const bool ok = scanInto(
        fromSeq, hi, std::numeric_limits<std::int64_t>::min(), atUs,
        [&applier]() -> RecordedEvent & { return applier.slot(); },
        [&](const RecordedEvent &e) {
            if (++read % 4096 == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
                stopped = true;
                return false;
            }
            if (e.record.timeUs == atUs && e.record.timeSubUsNs > atSubUsNs)
                return true; // within atUs, after the moment: its slot is filled again
            applier.push();
            return true;
        },
        error);
    applier.finish();
    if (stopped && cancelled())
        return false;
    return ok;
}

} // namespace ncv::recording

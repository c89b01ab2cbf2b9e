// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/recording/recordingwriter.h"

#include "model/history/eventcodec.h"
#include "model/recording/eventcolumns.h"
#include "model/recording/recordingformat.h"
#include "model/recording/recordstate.h"
#include "model/recording/sqlitedb.h"
#include "platform/fielddef.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "platform/requester.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace ncv::recording {

using namespace platform;

namespace {

struct Item {
    std::uint64_t seq = 0;
    std::int64_t timeUs = 0;
    std::string record; // empty with a keyframe request
    QString ifName; // or the keyframe's reason
    bool keyframe = false;
    std::shared_ptr<const StateImage> image; // a keyframe's image (setImageRequester)
    std::uint64_t token = 0; // the image's
};

constexpr std::size_t kItemOverhead = sizeof(Item) + 16;

std::int64_t steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The events table's CREATE TABLE statement in schema text (as sqlite_schema keeps it), and
// the same table without its generated (VIRTUAL) columns. SQLite computes every generated
// column of a row it inserts, also a VIRTUAL one it does not store (the key text costs
// about a third of an insert), while the rows it stores are the same in both tables: a bulk
// load fills the plain table and then gives it the real definition (finishFile).
struct EventsTableSql {
    std::string real, plain;
};

EventsTableSql eventsTableSql(const std::string &schemaSql)
{
    EventsTableSql t;
    const std::size_t begin = schemaSql.find("CREATE TABLE events(");
    const std::size_t end = schemaSql.find("\n);", begin);
    if (begin == std::string::npos || end == std::string::npos)
        return t;
    t.real = schemaSql.substr(begin, end + 2 - begin);
    t.plain = t.real;
    const std::size_t time = t.plain.find("    time_us INTEGER GENERATED");
    const std::size_t timeEnd = time == std::string::npos ? time : t.plain.find('\n', time);
    const std::size_t key = t.plain.find(",\n    key TEXT GENERATED");
    if (time == std::string::npos || timeEnd == std::string::npos || key == std::string::npos || key < timeEnd) {
        t.plain.clear();
        return t;
    }
    t.plain.erase(key, t.plain.size() - 1 - key); // up to the closing parenthesis
    t.plain.erase(time, timeEnd + 1 - time);
    return t;
}

// A recording of nanosecond times: the events table gets time_sub_us_ns (the nanoseconds
// past time_us) before its generated key, and the event_log view's time_utc shows them. Only
// such a file has the column: a recording of microseconds stays as it was, and stores no
// extra byte per event.
void addNanosecondColumn(std::string &schemaSql)
{
    const std::string offset = "    time_offset_us INTEGER NOT NULL,";
    if (const std::size_t at = schemaSql.find(offset); at != std::string::npos)
        schemaSql.insert(
            at + offset.size(),
            "\n    -- Nanoseconds past time_us, 0..999 (meta time_precision ns).\n    time_sub_us_ns INTEGER,");
    const std::string timeText = "printf('.%06dZ', e.time_us % 1000000)";
    if (const std::size_t at = schemaSql.find(timeText); at != std::string::npos)
        schemaSql.replace(at, timeText.size(),
                          "printf('.%06d%03dZ', e.time_us % 1000000, coalesce(e.time_sub_us_ns, 0))");
}

QString isoUtc(std::int64_t us)
{
    return QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC).toString(Qt::ISODateWithMs);
}

/// The index of row type R in Row (the stored row type code).
template<typename R, std::size_t I = 0> constexpr std::size_t rowIndexOf()
{
    if constexpr (std::is_same_v<std::variant_alternative_t<I, Row>, R>)
        return I;
    else
        return rowIndexOf<R, I + 1>();
}

} // namespace

struct RecordingWriter::Impl {
    Options options;
    sql::Db db;
    sql::Stmt insertEvent, insertName, insertCommit, insertKeyframe, insertKeyframeRows, setMeta, insertRequester,
        insertNamespace;

    // Shared with the thread.
    std::mutex mutex;
    std::condition_variable wake; // the thread: items or stop
    std::condition_variable room; // the producer: the queue has room
    std::condition_variable committed; // waitCommitted(): a commit, a failure or the end
    std::atomic<std::uint64_t> committedSeq {0};
    bool commitSoon = false; // waitCommitted() waits: commit once the queue is drained (mutex)
    std::deque<Item> queue;
    std::size_t queuedBytes = 0;
    bool stopping = false;
    bool reopenAsked = false; // reopen() was called and the thread has not acted on it yet
    std::atomic<bool> failed {false};
    std::atomic<std::uint64_t> written {0};
    std::string error; // under mutex
    std::thread thread;
    bool finished = false;

    // Images (setImageRequester): set before open(), then only called.
    std::function<void(std::uint64_t)> imageRequester;
    std::map<std::uint64_t, QString> imageReasons; // token -> keyframe reason (mutex)
    std::uint64_t lastToken = 0; // (mutex)

    // The thread's own.
    std::unique_ptr<NamespaceStates> state; // without images only; a state per namespace
    std::int64_t rowsHeld = 0; // with images: rows of the last keyframe + adds - deletes since
    std::int64_t awaitingImageMs = 0; // a gap / periodic image was asked for then (0: none)
    bool rotationAsked = false; // the "continued" image of the next file was asked for
    QHash<QString, std::int64_t> nameIds;
    /// RequesterTable id -> requesters.id of this file; the last one looked up (runs of
    /// events from one requester: no hash).
    std::unordered_map<std::uint32_t, std::int64_t> requesterIds;
    /// NamespaceTable id -> namespaces.ns of this file (0 stays 0: the namespace recorded by
    /// default, written with the metadata).
    std::unordered_map<std::uint32_t, std::int64_t> namespaceIds;
    std::uint32_t lastRequester = 0;
    std::int64_t lastRequesterId = 0;
    QString lastName; // the name nameId() returned last, and its id (0: none)
    std::int64_t lastNameId = 0;
    ChangeRecord scratch;
    int subNsParameter = 0; // insertEvent's parameter for time_sub_us_ns; 0 without the column
    std::string record; // events.record of the event being written
    std::uint64_t lastSeq = 0;
    std::int64_t maxTimeUs = 0; // newest event time written
    // The recording's clock: the wall clock, or (an import) the newest event's time.
    std::int64_t clockUs() const
    {
        return options.startTimeUs != 0 ? std::max(options.startTimeUs, maxTimeUs) : platform::nowUs();
    }
    std::uint64_t eventsSinceKeyframe = 0;
    bool keyframeInFile = false; // the file's first keyframe (start, continued) is written
    std::int64_t lastKeyframeUs = 0; // wall time of the last keyframe
    std::uint64_t keyframeRows = 0; // the rows the last keyframe holds
    bool keyframeAfterGap = false;
    // The open transaction's range, for the commits table.
    std::uint64_t txFirst = 0, txLast = 0;
    std::int64_t lastEndUs = 0; // meta end_time_us as last written
    std::int64_t fileStartUs = 0; // when the current file was created
    std::int64_t timeBaseUs = 0; // the current file's time base (events.time_offset_us)
    RecordingMeta recordingMeta;
    QString basePath; // as given to open()
    QString currentPath; // the file being written (under mutex when read from outside)
    int currentPart = 0; // 0 = one file; else its number in the series
    static constexpr std::int64_t kHeartbeatUs = 5'000'000;
    std::int64_t txMinTime = 0, txMaxTime = 0;
    EventsTableSql eventsTable; // a bulk load: the events table's real and plain definitions

    void fail(const std::string &what)
    {
        std::lock_guard lock(mutex);
        if (error.empty())
            error = what;
        failed = true;
        queue.clear();
        queuedBytes = 0;
        room.notify_all();
        committed.notify_all();
    }
    bool check(int rc, const char *what)
    {
        if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
            return true;
        fail(std::string(what) + ": " + db.errorMessage());
        return false;
    }
    bool meta(std::string_view name, const QString &value)
    {
        setMeta.bind(1, name);
        setMeta.bind(2, std::string_view(value.toStdString()));
        const int rc = setMeta.step();
        setMeta.reset();
        return check(rc, "writing meta");
    }
    bool metaLocal(std::string_view name, const std::string &value)
    {
        setMeta.bind(1, name);
        setMeta.bind(2, std::string_view(value));
        const int rc = setMeta.step();
        setMeta.reset();
        return check(rc, "writing meta");
    }

    std::int64_t nameId(const QString &name)
    {
        if (name.isEmpty())
            return 0;
        // Runs of events name the same interface (a burst of routes via one device): no hash.
        if (lastNameId != 0 && name == lastName)
            return lastNameId;
        auto it = nameIds.constFind(name);
        if (it != nameIds.cend()) {
            lastName = name;
            lastNameId = *it;
            return *it;
        }
        const std::int64_t id = nameIds.size() + 1;
        const QByteArray utf8 = name.toUtf8();
        insertName.bind(1, id);
        insertName.bind(2, std::string_view(utf8.constData(), std::size_t(utf8.size())));
        const int rc = insertName.step();
        insertName.reset();
        check(rc, "writing an interface name");
        nameIds.insert(name, id);
        lastName = name;
        lastNameId = id;
        return id;
    }

    /// namespaces.ns of a NamespaceTable id, written when new; -1 when it could not be.
    std::int64_t namespaceId(std::uint32_t netns)
    {
        if (netns == 0)
            return 0;
        auto it = namespaceIds.find(netns);
        if (it == namespaceIds.end()) {
            const platform::NetNamespace &ns = platform::NamespaceTable::get(netns);
            const std::int64_t id = std::int64_t(namespaceIds.size()) + 1;
            sql::Stmt &s = insertNamespace;
            s.bind(1, id);
            s.bind(2, std::string_view(ns.name));
            if (ns.inode != 0)
                s.bind(3, std::int64_t(ns.inode));
            const int rc = s.step();
            s.reset();
            if (!check(rc, "writing a namespace"))
                return -1;
            it = namespaceIds.emplace(netns, id).first;
        }
        return it->second;
    }

    /// requesters.id of a RequesterTable id, written when new.
    std::int64_t requesterId(std::uint32_t requester)
    {
        if (requester == lastRequester && lastRequesterId != 0)
            return lastRequesterId;
        auto it = requesterIds.find(requester);
        if (it == requesterIds.end()) {
            const platform::Requester &r = platform::RequesterTable::get(requester);
            const std::int64_t id = std::int64_t(requesterIds.size()) + 1;
            sql::Stmt &s = insertRequester;
            s.bind(1, id);
            s.bind(2, std::string_view(platform::requesterKindName(r.kind)));
            if (r.kind != platform::Requester::Kind::Cause)
                s.bind(3, std::int64_t(r.portId));
            if (r.pid != 0)
                s.bind(4, std::int64_t(r.pid));
            const auto text = [&s](int i, const std::string &value) {
                if (!value.empty())
                    s.bind(i, std::string_view(value));
            };
            text(5, r.command);
            text(6, r.commandLine);
            text(7, r.cgroup);
            text(8, r.cause);
            const int rc = s.step();
            s.reset();
            if (!check(rc, "writing a requester"))
                return 0;
            it = requesterIds.emplace(requester, id).first;
        }
        lastRequester = requester;
        lastRequesterId = it->second;
        return it->second;
    }

    void writeEvent(const Item &item)
    {
        const char *begin = item.record.data();
        if (!eventcodec::decode(begin, begin + item.record.size(), &scratch)) {
            fail("an event could not be decoded");
            return;
        }
        scratch.timeUs = item.timeUs;
        if (state) {
            state->apply(scratch);
        } else if (scratch.object == ObjectKind::Interface || scratch.object == ObjectKind::Address
                   || scratch.object == ObjectKind::Route || scratch.object == ObjectKind::Neighbor
                   || scratch.object == ObjectKind::Rule || scratch.object == ObjectKind::Nexthop) {
            if (scratch.change == ChangeKind::Initial || scratch.change == ChangeKind::Add)
                ++rowsHeld;
            else if (scratch.change == ChangeKind::Delete || scratch.change == ChangeKind::Expired)
                rowsHeld = std::max<std::int64_t>(0, rowsHeld - 1);
        }
        const std::int64_t requester = scratch.requester != 0 ? requesterId(scratch.requester) : 0;
        if (scratch.requester != 0 && requester == 0)
            return; // the requester could not be written (failed)
        const std::int64_t ns = namespaceId(scratch.netns);
        if (ns < 0)
            return; // the namespace could not be written (failed)
        const EventColumns c = EventColumns::of(scratch);
        record.clear();
        encodeRecord(scratch, c, record);
        sql::Stmt &s = insertEvent;
        s.bind(1, std::int64_t(item.seq));
        s.bind(2, item.timeUs - timeBaseUs);
        s.bind(3, std::int64_t(c.object));
        s.bind(4, std::int64_t(c.change));
        s.bind(5, std::int64_t(c.family));
        s.bind(6, std::int64_t(c.origin));
        s.bind(7, ns);
        s.bind(8, std::int64_t(c.ifIndex));
        s.bind(9, nameId(item.ifName));
        if (!c.destination.empty())
            s.bindStatic(10, std::string_view(c.destination)); // both live until reset()
        if (c.routeKeys) {
            s.bind(11, std::int64_t(c.table));
            s.bind(12, std::int64_t(c.metric));
            s.bind(13, std::int64_t(c.tos));
        }
        if (c.hasProtocol)
            s.bind(14, std::int64_t(c.protocol));
        s.bindBlobStatic(15, record.data(), record.size());
        if (requester != 0)
            s.bind(16, requester);
        if (subNsParameter > 0)
            s.bind(subNsParameter, std::int64_t(scratch.timeSubUsNs));
        const int rc = s.step();
        s.reset();
        if (!check(rc, "writing an event"))
            return;
        if (txFirst == 0)
            txFirst = item.seq, txMinTime = txMaxTime = item.timeUs;
        txLast = item.seq;
        txMinTime = std::min(txMinTime, item.timeUs);
        txMaxTime = std::max(txMaxTime, item.timeUs);
        lastSeq = item.seq;
        maxTimeUs = std::max(maxTimeUs, item.timeUs);
        ++eventsSinceKeyframe;
        written.fetch_add(1, std::memory_order_relaxed);
        if (scratch.object == ObjectKind::Gap && scratch.change == ChangeKind::Gap)
            keyframeAfterGap = true;
    }

    // The rows of the tables now: the writer's own state, or (images) the count kept for them.
    std::uint64_t rowsNow() const { return state ? std::uint64_t(state->rowCount()) : std::uint64_t(rowsHeld); }

    bool periodicKeyframeDue() const
    {
        // A file's first keyframe is asked for by name ("start" once the initial snapshot is
        // in, "continued" in the next file): a periodic one in the middle of a large initial
        // snapshot would come before it and hold a partial table.
        if (!keyframeInFile)
            return false;
        const std::uint64_t factor = std::uint64_t(options.keyframeRowFactor);
        const std::uint64_t needed
            = std::max({std::uint64_t(options.keyframeEvents), factor * rowsNow(), factor * keyframeRows});
        if (eventsSinceKeyframe >= needed)
            return true;
        return eventsSinceKeyframe > 0 && clockUs() - lastKeyframeUs >= options.keyframeIntervalUs;
    }

    // Asks for an image to write as a keyframe for reason (any thread).
    void askImage(const QString &reason)
    {
        std::uint64_t token = 0;
        {
            std::lock_guard lock(mutex);
            token = ++lastToken;
            imageReasons.emplace(token, reason);
        }
        imageRequester(token);
    }

    // With images, a gap or periodic keyframe is asked for once; another only when its image
    // has not come within a minute (the source was restarted meanwhile).
    void askKeyframeImage(const QString &reason)
    {
        const std::int64_t now = steadyMs();
        if (awaitingImageMs != 0 && now - awaitingImageMs < 60'000)
            return;
        awaitingImageMs = now;
        askImage(reason);
    }

    // A keyframe item: from the writer's tables (reason in ifName), or an image.
    void writeKeyframeItem(const Item &item)
    {
        if (!item.image) {
            if (state)
                writeKeyframe(item.ifName, nullptr);
            return;
        }
        QString reason;
        {
            std::lock_guard lock(mutex);
            const auto it = imageReasons.find(item.token);
            if (it == imageReasons.end())
                return; // not asked for by this writer
            reason = it->second;
            imageReasons.erase(it);
        }
        if (reason == u"continued")
            rotate(item.image.get());
        else
            writeKeyframe(reason, item.image.get());
    }

    // The rows of a keyframe: the image's, else the writer's tables.
    void writeKeyframe(const QString &reason, const StateImage *image)
    {
        // Its time is that of the newest event in it, so state at any T >= that time may
        // start here (every event it holds happened at or before T).
        const std::int64_t id = [this] {
            sql::Stmt s;
            s.prepare(db, "SELECT coalesce(max(id), 0) + 1 FROM keyframes");
            return s.step() == SQLITE_ROW ? s.int64(0) : 1;
        }();
        std::string blob;
        int rows = 0;
        std::int64_t part = 0;
        bool ok = true;
        const auto flush = [&] {
            if (!ok || rows == 0)
                return;
            insertKeyframeRows.bind(1, id);
            insertKeyframeRows.bind(2, part);
            insertKeyframeRows.bindBlob(3, blob.data(), blob.size());
            const int rc = insertKeyframeRows.step();
            insertKeyframeRows.reset();
            ok = check(rc, "writing a keyframe");
            ++part;
            blob.clear();
            rows = 0;
        };
        std::int64_t counts[3] = {0, 0, 0}; // interfaces, addresses, routes
        // Each row: its index in Row (u8), then its encoding.
        static_assert(
            std::is_same_v<
                std::variant_alternative_t<1, Row>,
                InterfaceRow> && std::is_same_v<std::variant_alternative_t<2, Row>, AddressRow> && std::is_same_v<std::variant_alternative_t<3, Row>, RouteRow>);
        const auto put = [&](const auto &row, std::size_t kind) {
            blob.push_back(char(kind + 1));
            encodeRow(row, blob);
            ++counts[kind];
            if (++rows >= kKeyframePartRows)
                flush();
        };
        const auto interface = [&](const InterfaceRow &row) { put(row, 0); };
        const auto address = [&](const AddressRow &row) { put(row, 1); };
        const auto route = [&](const RouteRow &row) { put(row, 2); };
        // Kinds added after format 2 go to keyframe_more_rows, which older readers never
        // read: they keep loading the keyframe (without those rows) instead of failing on a
        // row type they do not know.
        std::string moreBlob;
        std::int64_t moreRows = 0;
        const auto neighbor = [&](const NeighborRow &row) {
            moreBlob.push_back(char(Row(std::in_place_type<NeighborRow>).index()));
            encodeRow(row, moreBlob);
            ++moreRows;
        };
        // Kinds added later still go to keyframe_kind_rows, one kind apart from the other, so
        // a reader reads those it knows.
        std::string ruleBlob, nexthopBlob;
        const auto rule = [&](const RuleRow &row) {
            ruleBlob.push_back(char(Row(std::in_place_type<RuleRow>).index()));
            encodeRow(row, ruleBlob);
        };
        const auto nexthop = [&](const NexthopRow &row) {
            nexthopBlob.push_back(char(Row(std::in_place_type<NexthopRow>).index()));
            encodeRow(row, nexthopBlob);
        };
        if (image)
            image->forEach(interface, address, route, neighbor, rule, nexthop);
        else if (const RecordState *own = state->find(0))
            own->forEach(interface, address, route, neighbor, rule, nexthop);
        flush();
        if (state && ok)
            ok = writeNamespaceRows(id, counts);
        for (const auto &[kind, kindBlob] : {std::pair {Row(std::in_place_type<RuleRow>).index(), &ruleBlob},
                                             std::pair {Row(std::in_place_type<NexthopRow>).index(), &nexthopBlob}}) {
            if (!ok || kindBlob->empty())
                continue;
            sql::Stmt more;
            int rc = more.prepare(db, "INSERT INTO keyframe_kind_rows VALUES (?, ?, 0, ?)");
            if (rc == SQLITE_OK) {
                more.bind(1, id);
                more.bind(2, std::int64_t(kind));
                more.bindBlob(3, kindBlob->data(), kindBlob->size());
                rc = more.step();
            }
            ok = check(rc, "writing a keyframe");
        }
        if (ok && moreRows > 0) {
            sql::Stmt more;
            int rc = more.prepare(db, "INSERT INTO keyframe_more_rows VALUES (?, 0, ?)");
            if (rc == SQLITE_OK) {
                more.bind(1, id);
                more.bindBlob(2, moreBlob.data(), moreBlob.size());
                rc = more.step();
            }
            ok = check(rc, "writing a keyframe");
        }
        if (!ok)
            return;
        sql::Stmt &s = insertKeyframe;
        s.bind(1, id);
        s.bind(2, std::int64_t(lastSeq));
        s.bind(3, maxTimeUs > 0 ? maxTimeUs : clockUs());
        const QByteArray why = reason.toUtf8();
        s.bind(4, std::string_view(why.constData(), std::size_t(why.size())));
        s.bind(5, counts[0]);
        s.bind(6, counts[1]);
        s.bind(7, counts[2]);
        s.bind(8, part);
        const int rc = s.step();
        s.reset();
        if (!check(rc, "writing a keyframe"))
            return;
        eventsSinceKeyframe = 0;
        keyframeInFile = true;
        lastKeyframeUs = clockUs();
        keyframeAfterGap = false;
        if (image) {
            rowsHeld = counts[0] + counts[1] + counts[2];
            awaitingImageMs = 0;
        }
        keyframeRows = rowsNow();
    }

    // The rows of the namespaces other than the one recorded by default (a recording of
    // several) go to keyframe_ns_rows, by namespace and kind, so that ifindex 2 of one is
    // never taken for that of another; a reader that does not know the table reads
    // namespace 0 alone. counts: interfaces, addresses and routes, added to.
    bool writeNamespaceRows(std::int64_t id, std::int64_t counts[3])
    {
        sql::Stmt insert;
        bool ok = true;
        std::int64_t ns = 0;
        constexpr std::size_t kKinds = std::variant_size_v<Row>;
        std::array<std::string, kKinds> blobs;
        std::array<int, kKinds> rows {};
        std::array<std::int64_t, kKinds> parts {};
        const auto flush = [&](std::size_t kind) {
            if (!ok || rows[kind] == 0)
                return;
            if (!insert.handle())
                ok = check(insert.prepare(db, "INSERT INTO keyframe_ns_rows VALUES (?, ?, ?, ?, ?)"),
                           "writing a keyframe");
            if (!ok)
                return;
            insert.bind(1, id);
            insert.bind(2, ns);
            insert.bind(3, std::int64_t(kind));
            insert.bind(4, parts[kind]++);
            insert.bindBlob(5, blobs[kind].data(), blobs[kind].size());
            const int rc = insert.step();
            insert.reset();
            ok = check(rc, "writing a keyframe");
            blobs[kind].clear();
            rows[kind] = 0;
        };
        const auto put = [&](const auto &row) {
            using R = std::decay_t<decltype(row)>;
            constexpr std::size_t kind = rowIndexOf<R>();
            if constexpr (kind >= 1 && kind <= 3)
                ++counts[kind - 1];
            blobs[kind].push_back(char(kind));
            encodeRow(row, blobs[kind]);
            if (++rows[kind] >= kKeyframePartRows)
                flush(kind);
        };
        for (const auto &[netns, nsState] : state->states()) {
            if (netns == 0 || nsState.rowCount() == 0)
                continue;
            ns = namespaceId(netns);
            if (ns < 0)
                return false;
            parts.fill(0);
            nsState.forEach([&](const InterfaceRow &r) { put(r); }, [&](const AddressRow &r) { put(r); },
                            [&](const RouteRow &r) { put(r); }, [&](const NeighborRow &r) { put(r); },
                            [&](const RuleRow &r) { put(r); }, [&](const NexthopRow &r) { put(r); });
            for (std::size_t kind = 0; kind < kKinds; ++kind)
                flush(kind);
            if (!ok)
                return false;
        }
        return ok;
    }

    bool begin() { return check(db.exec("BEGIN"), "starting a transaction"); }
    bool commit()
    {
        if (txFirst != 0) {
            insertCommit.bind(1, std::int64_t(txFirst));
            insertCommit.bind(2, std::int64_t(txLast));
            insertCommit.bind(3, txMinTime);
            insertCommit.bind(4, txMaxTime);
            insertCommit.bind(5, platform::nowUs());
            const int rc = insertCommit.step();
            insertCommit.reset();
            if (!check(rc, "writing the commit log"))
                return false;
            txFirst = 0;
        }
        lastEndUs = std::max(maxTimeUs, clockUs());
        metaLocal("end_time_us", std::to_string(lastEndUs));
        return check(db.exec("COMMIT"), "committing");
    }

    // While nothing happens the end time still moves on, so that a moment of a quiet
    // period is inside the recording.
    void heartbeat()
    {
        if (options.startTimeUs != 0 || platform::nowUs() - lastEndUs < kHeartbeatUs)
            return;
        if (begin())
            commit();
    }

    // Creates path new with the schema and meta (part: 0 = a single file, else its number
    // in a series) and prepares the statements. Any thread, before run() or on it.
    bool createFile(const QString &path, int part, QString *error)
    {
        const auto failWith = [error](const QString &why) {
            if (error)
                *error = why;
            return false;
        };
        if (path.isEmpty() || path == u"-")
            return failWith(QStringLiteral("a recording must be a regular file, not standard output"));
        const QFileInfo info(path);
        if (info.exists() || info.isSymLink())
            return failWith(QStringLiteral("%1 exists: a recording is never written over an existing file").arg(path));
        // Created exclusively first, so a file that appears meanwhile is never taken over;
        // SQLite makes an empty file a database. A stale WAL of an earlier file of that
        // name would be replayed into the new one: remove it.
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        {
            QFile create(path);
            if (!create.open(QIODevice::WriteOnly | QIODevice::NewOnly))
                return failWith(QStringLiteral("cannot create %1: %2").arg(path, create.errorString()));
        }
        const auto dbFail = [&](const char *what) {
            const QString why = QStringLiteral("cannot write %1: %2: %3")
                                    .arg(path, QLatin1StringView(what), QString::fromStdString(db.errorMessage()));
            db.close();
            QFile::remove(path);
            return failWith(why);
        };
        std::string why;
        if (db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, &why)
            != SQLITE_OK) {
            QFile::remove(path);
            return failWith(QStringLiteral("cannot open %1: %2").arg(path, QString::fromStdString(why)));
        }
        // The identity first, while the file is still in rollback mode: it then sits in the
        // main file's header from the start, also when the recorder is killed before the
        // first checkpoint.
        // A bulk load (an import) needs no crash safety: the file is removed unless it completes.
        const std::string journal = options.bulkLoad
            ? "; PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-"
                + std::to_string(options.bulkCacheKiB) + ";"
            : "; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        const std::string pragmas = "PRAGMA page_size=" + std::to_string(options.pageSize) + "; PRAGMA application_id="
            + std::to_string(kApplicationId) + "; PRAGMA user_version=" + std::to_string(kFormatVersion) + journal;
        if (db.exec(pragmas.c_str()) != SQLITE_OK)
            return dbFail("setting it up");
        const std::int64_t now = clockUs();
        timeBaseUs = now;
        std::string schemaSql = schema(timeBaseUs);
        if (recordingMeta.nanosecondTimes)
            addNanosecondColumn(schemaSql);
        eventsTable = {};
        if (options.bulkLoad) {
            eventsTable = eventsTableSql(schemaSql);
            if (eventsTable.plain.empty())
                eventsTable = {};
            else
                schemaSql.replace(schemaSql.find(eventsTable.real), eventsTable.real.size(), eventsTable.plain);
        }
        if (db.exec("BEGIN") != SQLITE_OK || db.exec(schemaSql.c_str()) != SQLITE_OK)
            return dbFail("creating the schema");
        std::string insertSql = "INSERT INTO events(seq, time_offset_us, object, change, family, origin, ns, "
                                "ifindex, name_id, destination, route_table, metric, tos, protocol, record, "
                                "requester) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        if (recordingMeta.nanosecondTimes) { // a named parameter: other columns may join the statement
            insertSql.insert(insertSql.find(") VALUES"), ", time_sub_us_ns");
            insertSql.insert(insertSql.size() - 1, ", :sub_ns");
        }
        if (setMeta.prepare(db, "INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)") != SQLITE_OK
            || insertEvent.prepare(db, insertSql.c_str()) != SQLITE_OK
            || insertRequester.prepare(db, "INSERT INTO requesters VALUES (?, ?, ?, ?, ?, ?, ?, ?)") != SQLITE_OK
            || insertNamespace.prepare(db, "INSERT INTO namespaces(ns, name, inode) VALUES (?, ?, ?)") != SQLITE_OK
            || insertName.prepare(db, "INSERT INTO names(id, name) VALUES (?, ?)") != SQLITE_OK
            || insertCommit.prepare(db, "INSERT OR REPLACE INTO commits VALUES (?, ?, ?, ?, ?)") != SQLITE_OK
            || insertKeyframe.prepare(db, "INSERT INTO keyframes VALUES (?, ?, ?, ?, ?, ?, ?, ?)") != SQLITE_OK
            || insertKeyframeRows.prepare(db, "INSERT INTO keyframe_rows VALUES (?, ?, ?)") != SQLITE_OK)
            return dbFail("preparing statements");
        subNsParameter = sqlite3_bind_parameter_index(insertEvent.handle(), ":sub_ns");
        lastKeyframeUs = now;
        keyframeInFile = false;
        lastEndUs = now;
        fileStartUs = now;
        nameIds.clear();
        lastName.clear();
        lastNameId = 0;
        requesterIds.clear();
        namespaceIds.clear();
        lastRequester = 0;
        lastRequesterId = 0;
        const RecordingMeta &m = recordingMeta;
        const QString nsName = m.namespaceName.isEmpty() ? QStringLiteral("default") : m.namespaceName;
        const QByteArray nsUtf8 = nsName.toUtf8();
        bool ok = meta("format_version", QString::number(kFormatVersion))
            && meta("program", QStringLiteral("NetChangeView")) && meta("program_version", m.programVersion)
            && meta("host_name", m.hostName) && meta("os", m.os) && meta("kernel", m.kernel) && meta("source", m.source)
            && meta("family_filter", m.familyFilter) && meta("key_scheme", m.keyScheme)
            && meta("start_time_us", QString::number(now)) && meta("start_time_utc", isoUtc(now))
            && meta("end_time_us", QString::number(now)) && meta("time_base_us", QString::number(timeBaseUs))
            && (m.importedFrom.isEmpty() || meta("imported_from", m.importedFrom))
            && (m.note.isEmpty() || meta("note", m.note))
            && (!m.nanosecondTimes || meta("time_precision", QStringLiteral("ns")));
        if (ok && part > 0)
            ok = meta("part", QString::number(part))
                && (part == 1 || meta("previous_file", QFileInfo(currentPath).fileName()));
        sql::Stmt ns;
        ok = ok && ns.prepare(db, "INSERT INTO namespaces(ns, name) VALUES (0, ?)") == SQLITE_OK;
        if (ok) {
            ns.bind(1, std::string_view(nsUtf8.constData(), std::size_t(nsUtf8.size())));
            ok = ns.step() == SQLITE_DONE;
        }
        ns.finalize();
        if (!ok || db.exec("COMMIT") != SQLITE_OK)
            return dbFail("writing the metadata");
        std::lock_guard lock(mutex);
        currentPath = path;
        currentPart = part;
        return true;
    }

    // After a commit: starts the next file of a series when this one is full or old
    // enough. The new file begins with a keyframe of the tables, so it stands alone. With
    // images, the "continued" image is asked for, and the file changes when it comes.
    void rotateIfDue()
    {
        if (currentPart == 0 || rotationAsked)
            return;
        bool due = options.maxFileDurationUs > 0 && platform::nowUs() - fileStartUs >= options.maxFileDurationUs;
        if (!due && options.maxFileBytes > 0) {
            sql::Stmt s;
            if (s.prepare(db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") == SQLITE_OK
                && s.step() == SQLITE_ROW)
                due = s.int64(0) >= options.maxFileBytes;
        }
        if (!due)
            return;
        if (imageRequester) {
            rotationAsked = true;
            askImage(QStringLiteral("continued"));
            return;
        }
        startNextFile(nullptr);
    }

    // reopen() asked: a series goes on in its next part; a single file in a new file of its
    // name when it was moved away (renamed or removed), else it goes on as it is. Outside a
    // transaction.
    void reopenIfAsked()
    {
        {
            std::lock_guard lock(mutex);
            if (!std::exchange(reopenAsked, false))
                return;
        }
        if (currentPart == 0) {
            int moved = 0;
            if (sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || !moved)
                return;
        }
        if (rotationAsked)
            return; // the next file is on its way already
        if (imageRequester) {
            rotationAsked = true;
            askImage(QStringLiteral("continued"));
            return;
        }
        startNextFile(nullptr);
    }

    void startNextFile(const StateImage *image)
    {
        // A single file goes on under its own name (reopen(): the old one was moved away).
        const int nextPart = currentPart == 0 ? 0 : currentPart + 1;
        const QString next = nextPart == 0 ? basePath : RecordingWriter::partPath(basePath, nextPart);
        meta("next_file", QFileInfo(next).fileName());
        finishFile();
        QString why;
        if (!createFile(next, nextPart, &why)) {
            fail(why.toStdString());
            return;
        }
        if (begin()) {
            writeKeyframe(QStringLiteral("continued"), image);
            commit();
        }
    }

    // The "continued" image came, inside a transaction: the events before it end this
    // file, the next one starts with it.
    void rotate(const StateImage *image)
    {
        rotationAsked = false;
        if (!commit())
            return;
        published();
        startNextFile(image);
        if (!failed)
            begin();
    }

    // After a commit: waitCommitted() sees it.
    void published()
    {
        std::lock_guard lock(mutex);
        committedSeq = lastSeq;
        commitSoon = false;
        committed.notify_all();
    }

    void run()
    {
        std::vector<Item> batch;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                // Wake at least once a second for the time-based keyframe.
                wake.wait_for(lock, std::chrono::seconds(1),
                              [this] { return stopping || reopenAsked || !queue.empty(); });
                if (queue.empty() && stopping)
                    break;
                if (queue.empty()) {
                    lock.unlock();
                    heartbeat();
                    if (!failed)
                        reopenIfAsked();
                    if (failed)
                        break;
                    continue;
                }
            }
            if (failed)
                break;
            if (!begin())
                break;
            const std::int64_t started = steadyMs();
            for (;;) {
                batch.clear();
                {
                    std::unique_lock lock(mutex);
                    // Events arriving while the transaction is young join it: one commit
                    // (a commits row, the WAL write of the pages it touched) per
                    // transactionMs while events trickle in, not one per few events.
                    const std::int64_t left = options.transactionMs - (steadyMs() - started);
                    if (left > 0 && !commitSoon)
                        wake.wait_for(lock, std::chrono::milliseconds(left),
                                      [this] { return stopping || commitSoon || !queue.empty(); });
                    while (!queue.empty() && batch.size() < 4096) {
                        queuedBytes -= queue.front().record.size() + kItemOverhead;
                        batch.push_back(std::move(queue.front()));
                        queue.pop_front();
                    }
                    room.notify_all();
                }
                for (const Item &item : batch) {
                    if (item.keyframe)
                        writeKeyframeItem(item);
                    else
                        writeEvent(item);
                    if (failed)
                        break;
                    if (keyframeAfterGap && !imageRequester) {
                        writeKeyframe(QStringLiteral("gap"), nullptr);
                    } else if (keyframeAfterGap) {
                        keyframeAfterGap = false;
                        awaitingImageMs = 0; // the state after the resync, whatever was asked before
                        askKeyframeImage(QStringLiteral("gap"));
                    } else if (periodicKeyframeDue()) {
                        if (imageRequester)
                            askKeyframeImage(QStringLiteral("periodic"));
                        else
                            writeKeyframe(QStringLiteral("periodic"), nullptr);
                    }
                }
                const bool drained = batch.empty();
                batch.clear(); // images are released as soon as they are written
                if (failed || drained || steadyMs() - started >= options.transactionMs)
                    break;
                if (std::lock_guard lock(mutex); commitSoon && queue.empty())
                    break; // someone waits for what is written: commit without waiting for more
            }
            if (failed || !commit())
                break;
            published();
            rotateIfDue();
            reopenIfAsked();
        }
    }

    // A bulk load wrote the events table without its generated columns: it gets its real
    // definition now, as SQLite's documented procedure for schema changes that leave the
    // stored rows alone does (sqlite_schema updated with writable_schema, schema_version
    // incremented, in one transaction). VIRTUAL columns are not stored, so every row stays
    // as it is.
    bool restoreEventsTable()
    {
        if (eventsTable.plain.empty())
            return true;
        sql::Stmt version, update;
        bool ok = db.exec("BEGIN") == SQLITE_OK && version.prepare(db, "PRAGMA schema_version") == SQLITE_OK
            && version.step() == SQLITE_ROW;
        const std::int64_t schemaVersion = ok ? version.int64(0) : 0;
        version.finalize();
        ok = ok && db.exec("PRAGMA writable_schema=ON") == SQLITE_OK
            && update.prepare(db, "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'events'")
                == SQLITE_OK;
        if (ok) {
            update.bind(1, std::string_view(eventsTable.real));
            ok = update.step() == SQLITE_DONE && sqlite3_changes(db.handle()) == 1;
        }
        update.finalize();
        ok = ok && db.exec(("PRAGMA schema_version=" + std::to_string(schemaVersion + 1)).c_str()) == SQLITE_OK;
        db.exec("PRAGMA writable_schema=OFF");
        if (!ok || db.exec("COMMIT") != SQLITE_OK)
            return check(SQLITE_ERROR, "defining the events table");
        eventsTable = {};
        return true;
    }

    void finishFile()
    {
        if (!failed)
            restoreEventsTable();
        if (!failed) {
            meta("end_time_us", QString::number(std::max(maxTimeUs, clockUs())));
            meta("clean_end", QStringLiteral("1"));
            // One self-contained file from here on (copy it, mail it); readers of a
            // killed recording find its WAL beside it instead. Best effort: while a reader
            // has the file open the switch is refused (busy), and the file stays a valid
            // WAL-mode database that the last connection to close checkpoints.
            // A file moved away (log rotation, reopen()) gets its end from the WAL here too:
            // SQLite refuses it the switch (SQLITE_READONLY_DBMOVED, after checkpointing) and
            // would not checkpoint it on close; it stays a valid WAL-mode file.
            db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            db.exec("PRAGMA journal_mode=DELETE");
        }
        insertEvent.finalize();
        insertName.finalize();
        insertCommit.finalize();
        insertKeyframe.finalize();
        insertKeyframeRows.finalize();
        setMeta.finalize();
        insertRequester.finalize();
        insertNamespace.finalize();
        db.close();
    }
};

RecordingWriter::RecordingWriter() : d(std::make_unique<Impl>()) { }

RecordingWriter::~RecordingWriter()
{
    QString ignored;
    finish(&ignored);
}

bool RecordingWriter::open(const QString &path, const RecordingMeta &meta, QString *error)
{
    return open(path, meta, Options {}, error);
}

bool RecordingWriter::open(const QString &path, const RecordingMeta &meta, const Options &options, QString *error)
{
    Impl &m = *d;
    m.options = options;
    m.recordingMeta = meta;
    m.basePath = path;
    if (!m.imageRequester)
        m.state = std::make_unique<NamespaceStates>(meta.keyScheme == u"windows" ? StateStore::KeyScheme::Windows
                                                                                 : StateStore::KeyScheme::Linux);
    const bool parts = options.maxFileBytes > 0 || options.maxFileDurationUs > 0;
    QString why;
    if (!m.createFile(parts ? partPath(path, 1) : path, parts ? 1 : 0, &why)) {
        if (error)
            *error = why;
        return false;
    }
    m.thread = std::thread([this] { d->run(); });
    return true;
}

QString RecordingWriter::partPath(const QString &path, int part)
{
    const QFileInfo info(path);
    const QString suffix = info.completeSuffix();
    const QString base = suffix.isEmpty() ? path : path.left(path.size() - suffix.size() - 1);
    const QString number = QStringLiteral("%1").arg(part, 3, 10, QLatin1Char('0'));
    return base + u'-' + number + (suffix.isEmpty() ? QString() : u'.' + suffix);
}

QString RecordingWriter::currentPath() const
{
    std::lock_guard lock(d->mutex);
    return d->currentPath;
}

void RecordingWriter::append(std::uint64_t seq, std::int64_t timeUs, std::string_view record, const QString &ifName)
{
    Impl &m = *d;
    if (!m.thread.joinable())
        return;
    const std::size_t bytes = record.size() + kItemOverhead;
    std::unique_lock lock(m.mutex);
    m.room.wait(lock, [&m, bytes] { return m.failed || m.queuedBytes + bytes <= m.options.maxQueueBytes; });
    if (m.failed)
        return;
    m.queue.push_back(Item {seq, timeUs, std::string(record), ifName, false, nullptr, 0});
    m.queuedBytes += bytes;
    if (m.queue.size() == 1)
        m.wake.notify_one();
}

void RecordingWriter::setImageRequester(std::function<void(std::uint64_t token)> request)
{
    d->imageRequester = std::move(request);
}

void RecordingWriter::appendImage(std::uint64_t token, std::shared_ptr<const StateImage> image)
{
    Impl &m = *d;
    if (!m.thread.joinable() || !image)
        return;
    std::lock_guard lock(m.mutex);
    if (m.failed)
        return;
    Item item;
    item.keyframe = true;
    item.image = std::move(image);
    item.token = token;
    m.queue.push_back(std::move(item));
    m.queuedBytes += kItemOverhead;
    m.wake.notify_one();
}

void RecordingWriter::requestKeyframe(const QString &reason)
{
    Impl &m = *d;
    if (!m.thread.joinable())
        return;
    if (m.imageRequester) {
        {
            std::lock_guard lock(m.mutex);
            if (m.failed)
                return;
        }
        m.askImage(reason);
        return;
    }
    std::lock_guard lock(m.mutex);
    if (m.failed)
        return;
    m.queue.push_back(Item {0, 0, {}, reason, true, nullptr, 0});
    m.queuedBytes += kItemOverhead;
    m.wake.notify_one();
}

bool RecordingWriter::finish(QString *error)
{
    Impl &m = *d;
    if (!m.finished) {
        m.finished = true;
        if (m.thread.joinable()) {
            {
                std::lock_guard lock(m.mutex);
                m.stopping = true;
                m.wake.notify_one();
            }
            m.thread.join();
            m.finishFile();
            std::lock_guard lock(m.mutex);
            m.committed.notify_all();
        }
    }
    std::lock_guard lock(m.mutex);
    if (!m.error.empty()) {
        if (error)
            *error = QString::fromStdString(m.error);
        return false;
    }
    return true;
}

void RecordingWriter::reopen()
{
    Impl &m = *d;
    if (!m.thread.joinable())
        return;
    std::lock_guard lock(m.mutex);
    m.reopenAsked = true;
    m.wake.notify_one();
}

bool RecordingWriter::failed() const
{
    return d->failed;
}

std::uint64_t RecordingWriter::committedSeq() const
{
    return d->committedSeq.load();
}

bool RecordingWriter::waitCommitted(std::uint64_t seq, int timeoutMs)
{
    Impl &m = *d;
    std::unique_lock lock(m.mutex);
    if (m.committedSeq >= seq)
        return true;
    // The open transaction would otherwise wait for more events up to transactionMs.
    m.commitSoon = true;
    m.wake.notify_one();
    m.committed.wait_for(lock, std::chrono::milliseconds(std::max(0, timeoutMs)),
                         [&m, seq] { return m.committedSeq >= seq || m.failed || m.stopping; });
    return m.committedSeq >= seq;
}

std::uint64_t RecordingWriter::eventsWritten() const
{
    return d->written.load(std::memory_order_relaxed);
}

} // namespace ncv::recording

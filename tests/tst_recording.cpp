// SPDX-License-Identifier: GPL-2.0-or-later
// The recording file: RecordingWriter -> file -> RecordingReader (events, time ranges,
// state at a time through keyframes), the refusals (not a recording, newer format,
// existing file), damaged and truncated files, reading while the writer writes, and the
// time syntax of the command line.
#include "model/history/eventcodec.h"
#include "model/recording/lookupexport.h"
#include "model/recording/recordingexport.h"
#include "model/recording/recordingformat.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordingwriter.h"
#include "model/recording/sqlitedb.h"
#include "platform/format.h"
#include "platform/netnstable.h"
#include "support/modeltestrows.h"
#include "support/recordinghistory.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

using namespace ncv;
using namespace ncv::recording;
using namespace ncvtest;
using namespace Qt::StringLiterals;

namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000'000; // 2026-09-21, µs

RecordingMeta testMeta()
{
    RecordingMeta m;
    m.hostName = u"testhost"_s;
    m.os = u"Test OS"_s;
    m.kernel = u"linux 6.1"_s;
    m.source = u"manual"_s;
    m.familyFilter = u"unspec"_s;
    m.programVersion = u"0.0-test"_s;
    return m;
}

ChangeRecord add(const Row &row, ObjectKind object, Family family)
{
    ChangeRecord r;
    r.object = object;
    r.change = ChangeKind::Add;
    r.family = family;
    r.after = row;
    return r;
}

ChangeRecord del(const Row &row, ObjectKind object, Family family)
{
    ChangeRecord r;
    r.object = object;
    r.change = ChangeKind::Delete;
    r.family = family;
    r.before = row;
    return r;
}

std::string cidr(const RouteRow &r)
{
    return toCidr(r.destination, r.prefixLength);
}

/// Writes a scripted history: interface d0, its address, then for i in [0, n) route i is
/// added at kT0 + 1000 (i + 1) µs and, for every third i >= 3, route i - 3 is deleted in
/// the same millisecond. expectedAt(T) gives the route set at T.
struct Script {
    int n = 3000;
    std::vector<std::pair<std::int64_t, ChangeRecord>> events;

    Script()
    {
        events.push_back({kT0, add(iface(1, "d0"), ObjectKind::Interface, Family::Unspec)});
        events.push_back({kT0, add(address(1, "192.0.2.10", 24), ObjectKind::Address, Family::IPv4)});
        for (int i = 0; i < n; ++i) {
            const std::int64_t t = kT0 + 1000 * std::int64_t(i + 1);
            events.push_back({t, add(numberedRoute(i), ObjectKind::Route, Family::IPv4)});
            if (i >= 3 && i % 3 == 0)
                events.push_back({t, del(numberedRoute(i - 3), ObjectKind::Route, Family::IPv4)});
        }
    }
    std::set<std::string> expectedAt(std::int64_t t) const
    {
        std::set<std::string> routes;
        for (const auto &[time, r] : events) {
            if (time > t || r.object != ObjectKind::Route)
                continue;
            const auto &row = std::get<RouteRow>(r.row());
            if (r.change == ChangeKind::Add)
                routes.insert(cidr(row));
            else
                routes.erase(cidr(row));
        }
        return routes;
    }
    void write(RecordingWriter &w, int keyframeAfter = 2) const
    {
        std::string bytes;
        std::uint64_t seq = 0;
        for (const auto &[time, r] : events) {
            bytes.clear();
            eventcodec::encode(r, bytes);
            w.append(++seq, time, bytes, r.object == ObjectKind::Route ? u""_s : u"d0"_s);
            if (int(seq) == keyframeAfter)
                w.requestKeyframe(u"start"_s);
        }
    }
};

std::set<std::string> routesOf(const RecordState &state)
{
    std::set<std::string> routes;
    state.forEach([&routes](const Row &row) {
        if (const auto *r = std::get_if<RouteRow>(&row))
            routes.insert(cidr(*r));
    });
    return routes;
}

/// Every row of state in the compact form, sorted: equal lists, equal tables.
std::vector<std::string> rowsOf(const RecordState &state)
{
    std::vector<std::string> rows;
    state.forEach([&rows](const Row &row) {
        std::string bytes(1, char(row.index()));
        std::visit(
            [&bytes](const auto &r) {
                if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(r)>, std::monostate>)
                    encodeRow(r, bytes);
            },
            row);
        rows.push_back(std::move(bytes));
    });
    std::sort(rows.begin(), rows.end());
    return rows;
}

bool poke(const QString &path, qint64 offset, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(offset))
        return false;
    return f.write(bytes) == bytes.size();
}

} // namespace

class TestRecording : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void writesAndReadsBackEvents();
    void readsEveryKindOfEvent_data();
    void readsEveryKindOfEvent();
    void namespaceIdEvents();
    void stateAtEqualsTheReplayedHistory_data();
    void stateAtEqualsTheReplayedHistory();
    void keyframesKeepNamespacesApart();
    void periodicKeyframesBoundTheReplay();
    void gapWritesAKeyframe();
    void boundedQueueKeepsEveryEvent();
    void readsWhileTheWriterWrites();
    void lookupTrackerGoesOnAsAWholeRead();
    void waitCommittedSeesEveryEventAppended();
    void seriesOfFilesEachStandsAlone();
    void refusesAnExistingFile();
    void refusesWhatIsNotARecording();
    void refusesANewerFormatVersion();
    void damagedFileOpensWhatIsValid_data();
    void damagedFileOpensWhatIsValid();
    void parsesTimes_data();
    void parsesTimes();
    void exportsTheTablesAtATime();

private:
    QString writeScript(const QString &name, const RecordingWriter::Options &options = {});
    QTemporaryDir m_dir;
    Script m_script;
};

QString TestRecording::writeScript(const QString &name, const RecordingWriter::Options &options)
{
    const QString path = m_dir.filePath(name);
    RecordingWriter w;
    QString error;
    if (!w.open(path, testMeta(), options, &error)) {
        qWarning("open: %s", qPrintable(error));
        return {};
    }
    m_script.write(w);
    if (!w.finish(&error)) {
        qWarning("finish: %s", qPrintable(error));
        return {};
    }
    return path;
}

void TestRecording::writesAndReadsBackEvents()
{
    const QString path = writeScript(u"roundtrip.ncv"_s);
    QVERIFY(!path.isEmpty());
    QVERIFY2(!QFile::exists(path + u"-wal"_s), "a finished recording is one file");
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    const RecordingInfo &info = reader.info();
    QCOMPARE(info.formatVersion, kFormatVersion);
    QCOMPARE(info.firstSeq, std::uint64_t(1));
    QCOMPARE(info.eventCount, std::int64_t(m_script.events.size()));
    QVERIFY(info.cleanEnd);
    QCOMPARE(info.meta.value(u"host_name"_s), u"testhost"_s);
    QCOMPARE(info.meta.value(u"source"_s), u"manual"_s);
    QCOMPARE(info.meta.value(u"program_version"_s), u"0.0-test"_s);
    QVERIFY(info.endUs >= m_script.events.back().first);
    QVERIFY(info.keyframes >= 1);

    std::vector<RecordedEvent> page;
    QVERIFY(reader.events(2, 5, &page, &error));
    QCOMPARE(page.size(), std::size_t(5));
    QCOMPARE(page[0].seq, std::uint64_t(2));
    QVERIFY(page[0].record.object == ObjectKind::Address);
    QCOMPARE(page[0].ifName, u"d0"_s);
    QVERIFY(page[1].record.object == ObjectKind::Route);
    QCOMPARE(QString::fromStdString(cidr(std::get<RouteRow>(page[1].record.after))), u"10.0.0.0/24"_s);
    QCOMPARE(page[1].record.timeUs, std::int64_t(kT0 + 1000));

    // A time range: exactly the events whose time lies in it, in sequence order.
    const std::int64_t from = kT0 + 1000 * 100, to = kT0 + 1000 * 200;
    std::int64_t expected = 0;
    for (const auto &[t, r] : m_script.events)
        expected += t >= from && t <= to;
    std::int64_t seen = 0;
    std::uint64_t lastSeq = 0;
    bool ordered = true, inRange = true;
    QVERIFY(reader.forEachEvent(
        from, to,
        [&](const RecordedEvent &e) {
            ++seen;
            ordered = ordered && e.seq > lastSeq;
            inRange = inRange && e.record.timeUs >= from && e.record.timeUs <= to;
            lastSeq = e.seq;
            return true;
        },
        &error));
    QCOMPARE(seen, expected);
    QVERIFY(ordered && inRange);
    QVERIFY(reader.problems().isEmpty());
}

void TestRecording::readsEveryKindOfEvent_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<bool>("withoutTimeBase");
    QTest::addColumn<bool>("withoutNamespaceKeyframes");
    QTest::newRow("format 1 (the kept file data/recording-v1.ncv)") << 1 << false << false;
    QTest::newRow("format 2 (written now)") << 2 << false << false;
    // The reader then takes the generated time_us instead of offset + meta time_base_us.
    QTest::newRow("format 2 without meta time_base_us") << 2 << true << false;
    // As written before keyframes kept namespaces apart (keyframe_ns_rows): one namespace, whose
    // rows the keyframe tables always held.
    QTest::newRow("format 2 without keyframe_ns_rows") << 2 << false << true;
}

void TestRecording::readsEveryKindOfEvent()
{
    QFETCH(int, version);
    QFETCH(bool, withoutTimeBase);
    QFETCH(bool, withoutNamespaceKeyframes);
    const std::vector<HistoryEvent> history = recordingHistory();
    const QString path
        = m_dir.filePath(u"history-%1-%2-%3.ncv"_s.arg(version).arg(withoutTimeBase).arg(withoutNamespaceKeyframes));
    QString error;
    if (version == 1) {
        const QString kept = QFINDTESTDATA("data/recording-v1.ncv");
        QVERIFY(!kept.isEmpty());
        QVERIFY(QFile::copy(kept, path));
    } else {
        RecordingWriter w;
        QVERIFY2(w.open(path, testMeta(), &error), qPrintable(error));
        std::string bytes;
        std::uint64_t seq = 0;
        for (const HistoryEvent &e : history) {
            bytes.clear();
            eventcodec::encode(e.record, bytes);
            w.append(++seq, e.timeUs, bytes, QString::fromStdString(e.ifName));
            if (seq == kHistoryStartEvents)
                w.requestKeyframe(u"start"_s);
        }
        QVERIFY2(w.finish(&error), qPrintable(error));
        if (withoutTimeBase) {
            sql::Db db;
            std::string why;
            QCOMPARE(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READWRITE, &why), SQLITE_OK);
            QCOMPARE(db.exec("DELETE FROM meta WHERE name = 'time_base_us'"), SQLITE_OK);
        }
        if (withoutNamespaceKeyframes) {
            sql::Db db;
            std::string why;
            QCOMPARE(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READWRITE, &why), SQLITE_OK);
            QCOMPARE(db.exec("DROP TABLE keyframe_ns_rows"), SQLITE_OK);
        }
    }
    QCOMPARE(kFormatVersion, 2);
    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.info().formatVersion, version);
    QCOMPARE(reader.info().keyframes, 2); // start, and after the gap
    std::vector<RecordedEvent> events;
    QVERIFY(reader.events(1, 1000, &events, &error));
    QCOMPARE(events.size(), history.size());
    RecordState replayed;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const RecordedEvent &e = events[i];
        ChangeRecord expected = history[i].record;
        expected.timeUs = history[i].timeUs;
        QCOMPARE(e.seq, std::uint64_t(i + 1));
        QCOMPARE(e.record.timeUs, expected.timeUs);
        QCOMPARE(e.ifName, QString::fromStdString(history[i].ifName));
        std::string want, got;
        eventcodec::encode(expected, want);
        eventcodec::encode(e.record, got);
        QVERIFY2(got == want, qPrintable(u"event %1"_s.arg(i + 1)));
        // The tables at its time: the keyframe before it and the events since.
        replayed.apply(expected);
        RecordState state;
        QVERIFY2(reader.stateAt(expected.timeUs, &state, &error), qPrintable(error));
        QVERIFY2(rowsOf(state) == rowsOf(replayed), qPrintable(u"tables at event %1"_s.arg(i + 1)));
        // The same as the tables of every namespace: namespace 0 alone.
        NamespaceStates states;
        QVERIFY2(reader.stateAt(expected.timeUs, &states, &error), qPrintable(error));
        QVERIFY(states.states().size() <= 1);
        const RecordState none;
        const RecordState *own = states.find(0);
        QVERIFY2(rowsOf(own ? *own : none) == rowsOf(replayed), qPrintable(u"namespaces at event %1"_s.arg(i + 1)));
    }
    QCOMPARE(reader.namespaceIds(), QList<quint32> {0});
    QVERIFY2(reader.problems().isEmpty(), qPrintable(reader.problems().join(u'\n')));
    // What sqlite3 users read: the key columns, the same in both versions.
    sql::Db db;
    std::string why;
    QCOMPARE(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why), SQLITE_OK);
    sql::Stmt s;
    QCOMPARE(
        s.prepare(db, "SELECT key, destination, route_table, metric, protocol, time_us FROM events WHERE seq = 11"),
        SQLITE_OK);
    QCOMPARE(s.step(), SQLITE_ROW);
    QCOMPARE(QString::fromUtf8(s.text(0)), u"0 route 100 10.1.0.0/16 tos 8 metric 100 dev 2"_s);
    QCOMPARE(QString::fromUtf8(s.text(1)), u"10.1.0.0/16"_s);
    QCOMPARE(s.int64(2), std::int64_t(100));
    QCOMPARE(s.int64(3), std::int64_t(100));
    QCOMPARE(s.int64(4), std::int64_t(4));
    QCOMPARE(s.int64(5), history[10].timeUs);
}

// Namespace id events: no row, the id in the destination column; read back as written, in
// their namespace, named by the key column and event_log, and no table holds them.
void TestRecording::namespaceIdEvents()
{
    const QString path = m_dir.filePath(u"nsid.ncv"_s);
    QString error;
    RecordingWriter w;
    QVERIFY2(w.open(path, testMeta(), &error), qPrintable(error));
    platform::NetNamespace blue;
    blue.name = "blue-nsid";
    const std::uint32_t ns = platform::NamespaceTable::intern(blue);
    std::vector<ChangeRecord> written;
    ChangeRecord lo;
    lo.object = ObjectKind::Interface;
    lo.change = ChangeKind::Initial;
    lo.after = iface(1, "lo", 65536);
    lo.netns = ns;
    written.push_back(lo);
    const std::pair<ChangeKind, std::int32_t> ids[]
        = {{ChangeKind::Add, 0}, {ChangeKind::Add, 2147483647}, {ChangeKind::Delete, 0}};
    for (const auto &[change, id] : ids) {
        ChangeRecord r;
        r.object = ObjectKind::Nsid;
        r.change = change;
        r.nsid = id;
        r.netns = ns;
        written.push_back(r);
    }
    std::string bytes;
    for (std::size_t i = 0; i < written.size(); ++i) {
        written[i].timeUs = kHistoryT0 + std::int64_t(i) * 1000;
        bytes.clear();
        eventcodec::encode(written[i], bytes);
        w.append(i + 1, written[i].timeUs, bytes, i == 0 ? u"lo"_s : QString());
        if (i == 0)
            w.requestKeyframe(u"start"_s);
    }
    QVERIFY2(w.finish(&error), qPrintable(error));

    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    std::vector<RecordedEvent> events;
    QVERIFY(reader.events(1, 100, &events, &error));
    QCOMPARE(events.size(), written.size());
    for (std::size_t i = 1; i < written.size(); ++i) {
        const ChangeRecord &r = events[i].record;
        QCOMPARE(r.object, ObjectKind::Nsid);
        QCOMPARE(r.change, written[i].change);
        QCOMPARE(r.nsid, written[i].nsid);
        QCOMPARE(r.timeUs, written[i].timeUs);
        QCOMPARE(platform::NamespaceTable::name(r.netns), std::string("blue-nsid"));
        QVERIFY(std::holds_alternative<std::monostate>(r.before) && std::holds_alternative<std::monostate>(r.after));
        QCOMPARE(platform::summary(r),
                 written[i].change == ChangeKind::Add
                     ? "add nsid " + std::to_string(written[i].nsid) + " (id given to a peer namespace)"
                     : std::string("delete nsid 0 (id of a peer namespace removed)"));
    }
    QVERIFY2(reader.problems().isEmpty(), qPrintable(reader.problems().join(u'\n')));
    // The tables after them: the interface alone.
    NamespaceStates states;
    QVERIFY2(reader.stateAt(written.back().timeUs, &states, &error), qPrintable(error));
    const RecordState *blueState = states.find(events[0].record.netns);
    QVERIFY(blueState);
    RecordState expected;
    expected.apply(lo);
    QVERIFY(rowsOf(*blueState) == rowsOf(expected));

    sql::Db db;
    std::string why;
    QCOMPARE(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why), SQLITE_OK);
    sql::Stmt s;
    QCOMPARE(s.prepare(db, "SELECT key, destination, object, change FROM event_log WHERE seq = 3"), SQLITE_OK);
    QCOMPARE(s.step(), SQLITE_ROW);
    QCOMPARE(QString::fromUtf8(s.text(0)), u"1 nsid 2147483647"_s);
    QCOMPARE(QString::fromUtf8(s.text(1)), u"2147483647"_s);
    QCOMPARE(QString::fromUtf8(s.text(2)), u"nsid"_s);
    QCOMPARE(QString::fromUtf8(s.text(3)), u"add"_s);
}

void TestRecording::stateAtEqualsTheReplayedHistory_data()
{
    QTest::addColumn<qint64>("keyframeEvents");
    QTest::newRow("start keyframe only") << qint64(1'000'000'000);
    QTest::newRow("periodic keyframes") << qint64(50);
}

void TestRecording::stateAtEqualsTheReplayedHistory()
{
    QFETCH(qint64, keyframeEvents);
    RecordingWriter::Options options;
    options.keyframeEvents = keyframeEvents;
    options.keyframeRowFactor = 0;
    const QString path = writeScript(u"state-%1.ncv"_s.arg(keyframeEvents), options);
    QVERIFY(!path.isEmpty());
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    if (keyframeEvents < 1000)
        QVERIFY2(reader.info().keyframes > 3, qPrintable(QString::number(reader.info().keyframes)));
    for (const std::int64_t t : {kT0, kT0 + 1500, kT0 + 1000 * 10, kT0 + 1000 * 777 + 1, kT0 + 1000 * 1500,
                                 kT0 + 1000 * 2999, kT0 + 1000 * 3000, kT0 + 1000 * 5000}) {
        RecordState state;
        QVERIFY2(reader.stateAt(t, &state, &error), qPrintable(error));
        QVERIFY2(routesOf(state) == m_script.expectedAt(t), qPrintable(QString::number(t)));
        QCOMPARE(state.interfaceCount(), std::size_t(1));
        QCOMPARE(state.addressCount(), std::size_t(1));
    }
    QVERIFY(reader.problems().isEmpty());
}

void TestRecording::keyframesKeepNamespacesApart()
{
    // The history's events in two namespaces (every one in the first, every other one in the
    // second): the same ifindex and routes in both. With a keyframe every few events, the
    // tables of each at every event's time must be those replayed into it alone.
    // As the file names them (name and inode): the reader's ids are these.
    const std::uint32_t first = platform::NamespaceTable::intern({"kfa", 91, 0});
    const std::uint32_t second = platform::NamespaceTable::intern({"kfb", 92, 0});
    const std::vector<HistoryEvent> history = recordingHistory();
    // History event i as it happens in the namespaces: in first always, in second when i is even.
    const auto inNamespaces = [&](std::size_t i) {
        std::vector<ChangeRecord> records;
        for (const std::uint32_t netns : {first, second}) {
            if (netns == second && i % 2 == 1)
                continue;
            ChangeRecord r = history[i].record;
            r.timeUs = history[i].timeUs;
            r.netns = netns;
            records.push_back(r);
        }
        return records;
    };
    const QString path = m_dir.filePath(u"namespaces.ncv"_s);
    RecordingWriter::Options options;
    options.keyframeEvents = 3;
    options.keyframeRowFactor = 0;
    QString error;
    {
        RecordingWriter w;
        QVERIFY2(w.open(path, testMeta(), options, &error), qPrintable(error));
        std::string bytes;
        std::uint64_t seq = 0;
        for (std::size_t i = 0; i < history.size(); ++i) {
            for (const ChangeRecord &r : inNamespaces(i)) {
                bytes.clear();
                eventcodec::encode(r, bytes);
                w.append(++seq, r.timeUs, bytes, QString::fromStdString(history[i].ifName));
            }
            if (i + 1 == std::size_t(kHistoryStartEvents))
                w.requestKeyframe(u"start"_s);
        }
        QVERIFY2(w.finish(&error), qPrintable(error));
    }
    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QVERIFY2(reader.info().keyframes > 3, qPrintable(QString::number(reader.info().keyframes)));
    QCOMPARE(reader.namespaceIds().size(), 3); // 0 (no events), and the two
    NamespaceStates replayed;
    for (std::size_t i = 0; i < history.size(); ++i) {
        for (const ChangeRecord &r : inNamespaces(i))
            replayed.apply(r);
        if (i + 1 < history.size() && history[i + 1].timeUs == history[i].timeUs)
            continue; // the tables at a time hold every event of it
        NamespaceStates states;
        QVERIFY2(reader.stateAt(history[i].timeUs, &states, &error), qPrintable(error));
        const RecordState none;
        for (const std::uint32_t netns : {std::uint32_t(0), first, second}) {
            const RecordState *got = states.find(netns);
            const RecordState *want = replayed.find(netns);
            QVERIFY2(rowsOf(got ? *got : none) == rowsOf(want ? *want : none),
                     qPrintable(u"namespace %1 at event %2"_s.arg(netns).arg(i + 1)));
        }
    }
    QVERIFY2(reader.problems().isEmpty(), qPrintable(reader.problems().join(u'\n')));
    // One set of tables would mix them: refused, saying how to get them.
    RecordState mixed;
    QVERIFY(!reader.stateAt(history.back().timeUs, &mixed, &error));
    QVERIFY2(error.contains(u"several network namespaces"_s), qPrintable(error));
}

// The periodic rule (default factor): a keyframe once the events since the last one reach
// max(keyframeEvents, the rows held, the rows of the last keyframe). Routes grow from a
// start keyframe of one row, then change in place, then are all deleted.
void TestRecording::periodicKeyframesBoundTheReplay()
{
    constexpr int kRoutes = 300, kChanges = 700;
    const QString path = m_dir.filePath(u"periodic.ncv"_s);
    RecordingWriter::Options options;
    options.keyframeEvents = 10;
    QString error;
    std::vector<std::size_t> rowsAfter {0}; // rows held after each event (by seq)
    {
        RecordingWriter w;
        QVERIFY2(w.open(path, testMeta(), options, &error), qPrintable(error));
        std::string bytes;
        std::uint64_t seq = 0;
        const auto append = [&](const ChangeRecord &r, int delta) {
            bytes.clear();
            eventcodec::encode(r, bytes);
            ++seq;
            w.append(seq, kT0 + std::int64_t(seq), bytes, u"eth0"_s);
            rowsAfter.push_back(rowsAfter.back() + std::size_t(delta));
        };
        ChangeRecord eth = add(iface(2, "eth0"), ObjectKind::Interface, Family::Unspec);
        eth.change = ChangeKind::Initial;
        append(eth, 1);
        w.requestKeyframe(u"start"_s);
        for (int i = 0; i < kRoutes; ++i)
            append(add(numberedRoute(i), ObjectKind::Route, Family::IPv4), 1);
        // Change i moves route i % kRoutes between two gateways: in even rounds to the second.
        const auto gatewayAfter = [](int round) { return round % 2 == 0 ? "192.0.2.2" : "192.0.2.1"; };
        for (int i = 0; i < kChanges; ++i) {
            const int n = i % kRoutes, round = i / kRoutes;
            ChangeRecord change = add(numberedRoute(n, gatewayAfter(round)), ObjectKind::Route, Family::IPv4);
            change.change = ChangeKind::Parameter;
            change.before = numberedRoute(n, gatewayAfter(round + 1));
            append(change, 0);
        }
        for (int n = 0; n < kRoutes; ++n)
            append(del(numberedRoute(n, gatewayAfter((kChanges - 1 - n) / kRoutes)), ObjectKind::Route, Family::IPv4),
                   -1);
        QVERIFY2(w.finish(&error), qPrintable(error));
    }
    const std::uint64_t lastSeq = rowsAfter.size() - 1;
    sql::Db db;
    std::string why;
    QCOMPARE(db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why), SQLITE_OK);
    sql::Stmt s;
    QCOMPARE(s.prepare(db, "SELECT seq, reason, interfaces + addresses + routes FROM keyframes ORDER BY seq"),
             SQLITE_OK);
    struct Keyframe {
        std::uint64_t seq;
        QString reason;
        std::size_t rows;
    };
    std::vector<Keyframe> keyframes;
    while (s.step() == SQLITE_ROW)
        keyframes.push_back({std::uint64_t(s.int64(0)), QString::fromUtf8(s.text(1)), std::size_t(s.int64(2))});
    QVERIFY(keyframes.size() >= 2);
    QCOMPARE(keyframes.front().reason, u"start"_s);
    for (std::size_t i = 0; i < keyframes.size(); ++i) {
        const Keyframe &k = keyframes[i];
        QCOMPARE(k.rows, rowsAfter[k.seq]); // the tables after its event
        if (i == 0)
            continue;
        QCOMPARE(k.reason, u"periodic"_s);
        const Keyframe &previous = keyframes[i - 1];
        // Written on the event that reached the threshold, with no more rows than events since.
        QCOMPARE(k.seq - previous.seq, std::max<std::uint64_t>({10, previous.rows, rowsAfter[k.seq]}));
        QVERIFY(k.rows <= k.seq - previous.seq);
        // None while the routes grew, one at most while they were deleted (not one at each
        // halving of the table).
        QVERIFY2(k.seq > 1 + kRoutes, qPrintable(QString::number(k.seq)));
    }
    const auto inFlush = std::count_if(keyframes.begin(), keyframes.end(),
                                       [](const Keyframe &k) { return k.seq > 1 + kRoutes + kChanges; });
    QCOMPARE(inFlush, 1);
    // Every moment lies at most max(10, its keyframe's rows, its rows) events after its keyframe.
    std::size_t k = 0;
    for (std::uint64_t e = 1; e <= lastSeq; ++e) {
        while (k + 1 < keyframes.size() && keyframes[k + 1].seq <= e)
            ++k;
        QVERIFY2(e - keyframes[k].seq <= std::max<std::uint64_t>({10, keyframes[k].rows, rowsAfter[e]}),
                 qPrintable(QString::number(e)));
    }
    // The state at a moment far from its keyframe is the tables replayed.
    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    RecordState state;
    QVERIFY2(reader.stateAt(kT0 + std::int64_t(keyframes.back().seq) - 1, &state, &error), qPrintable(error));
    QCOMPARE(state.routeCount() + state.interfaceCount(), rowsAfter[keyframes.back().seq - 1]);
}

void TestRecording::gapWritesAKeyframe()
{
    const QString path = m_dir.filePath(u"gap.ncv"_s);
    RecordingWriter w;
    QString error;
    QVERIFY2(w.open(path, testMeta(), &error), qPrintable(error));
    std::string bytes;
    eventcodec::encode(add(numberedRoute(1), ObjectKind::Route, Family::IPv4), bytes);
    w.append(1, kT0, bytes, {});
    ChangeRecord gap;
    gap.object = ObjectKind::Gap;
    gap.change = ChangeKind::Gap;
    gap.note = "ENOBUFS: events lost";
    bytes.clear();
    eventcodec::encode(gap, bytes);
    w.append(2, kT0 + 10, bytes, {});
    QVERIFY(w.finish(&error));
    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.info().keyframes, 1);
    RecordState state;
    QVERIFY(reader.stateAt(kT0 + 10, &state, &error));
    QCOMPARE(state.routeCount(), std::size_t(1));
}

void TestRecording::boundedQueueKeepsEveryEvent()
{
    RecordingWriter::Options options;
    options.maxQueueBytes = 2048; // a few events: append() waits for the thread
    const QString path = writeScript(u"bounded.ncv"_s, options);
    QVERIFY(!path.isEmpty());
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QCOMPARE(reader.info().eventCount, std::int64_t(m_script.events.size()));
}

void TestRecording::readsWhileTheWriterWrites()
{
    const QString path = m_dir.filePath(u"live.ncv"_s);
    RecordingWriter w;
    QString error;
    QVERIFY2(w.open(path, testMeta(), &error), qPrintable(error));
    std::string bytes;
    for (int i = 0; i < 100; ++i) {
        bytes.clear();
        eventcodec::encode(add(numberedRoute(i), ObjectKind::Route, Family::IPv4), bytes);
        w.append(std::uint64_t(i + 1), kT0 + i, bytes, {});
    }
    RecordingReader reader;
    // Committed within a transaction's time (200 ms), readable by another connection.
    QTRY_VERIFY_WITH_TIMEOUT(reader.open(path, &error) && reader.info().eventCount == 100, 5000);
    QVERIFY(!reader.info().cleanEnd);
    for (int i = 100; i < 150; ++i) {
        bytes.clear();
        eventcodec::encode(add(numberedRoute(i), ObjectKind::Route, Family::IPv4), bytes);
        w.append(std::uint64_t(i + 1), kT0 + i, bytes, {});
    }
    QTRY_VERIFY_WITH_TIMEOUT(reader.refresh(&error) && reader.info().eventCount == 150, 5000);
    RecordState state;
    QVERIFY(reader.stateAt(kT0 + 149, &state, &error));
    QCOMPARE(state.routeCount(), std::size_t(150));
    QVERIFY(w.finish(&error));
    QVERIFY(reader.refresh(&error));
    QVERIFY(reader.info().cleanEnd);
}

// A live recording grows while a LookupTracker follows it: after each part is written, the
// tracker reads only the events after its last one (on a reader opened then), and its rows
// equal lookupHistory() over the whole file at that point, cell for cell. The first part
// holds only initial rows, so its start's row is written at the end and taken back when
// more initial rows follow.
void TestRecording::lookupTrackerGoesOnAsAWholeRead()
{
    const QString path = m_dir.filePath(u"lookup-live.ncv"_s);
    RecordingWriter w;
    QString error;
    QVERIFY2(w.open(path, testMeta(), &error), qPrintable(error));
    platform::RouteQuery query;
    query.destination = IpAddress::parse("10.5.6.7");
    std::uint64_t seq = 0;
    // After the file's start (the wall clock when it was opened), as a live recording's events.
    std::int64_t t = QDateTime::currentMSecsSinceEpoch() * 1000 + 1000;
    std::string bytes;
    const auto append = [&](ChangeRecord r, ChangeKind kind) {
        r.change = kind;
        bytes.clear();
        eventcodec::encode(r, bytes);
        t += 1000;
        w.append(++seq, t, bytes, {});
    };
    const auto routeAdd = [&](const RouteRow &row, ChangeKind kind = ChangeKind::Add) {
        append(add(row, ObjectKind::Route, Family::IPv4), kind);
    };
    const auto routeDel
        = [&](const RouteRow &row) { append(del(row, ObjectKind::Route, Family::IPv4), ChangeKind::Delete); };
    const RouteRow wide = route("10.0.0.0", 8, "192.0.2.1", 1);
    const RouteRow mid = route("10.5.0.0", 16, "192.0.2.2", 1);
    const RouteRow narrow = route("10.5.6.0", 24, "192.0.2.3", 2, 0, 100);
    const RouteRow host = route("10.5.6.7", 32, "192.0.2.4", 2);
    const RouteRow elsewhere = route("10.6.0.0", 16, "192.0.2.5", 1);
    const RouteRow early = route("10.4.0.0", 14, "192.0.2.7", 1);

    std::vector<std::function<void()>> parts {
        [&] { // only initial rows: no change yet
            append(add(iface(1, "d0"), ObjectKind::Interface, Family::Unspec), ChangeKind::Initial);
            append(add(iface(2, "d1"), ObjectKind::Interface, Family::Unspec), ChangeKind::Initial);
            RuleRow main;
            main.family = Family::IPv4;
            main.priority = 32766;
            main.table = 254;
            append(add(main, ObjectKind::Rule, Family::IPv4), ChangeKind::Initial);
            routeAdd(wide, ChangeKind::Initial);
        },
        [&] { // more initial rows (the start's state), then changes
            routeAdd(elsewhere, ChangeKind::Initial);
            routeAdd(early, ChangeKind::Initial); // covers: the start's answer is now it
            routeAdd(mid);
            routeAdd(narrow); // table 100: no rule names it yet
            routeAdd(route("10.6.1.0", 24, "192.0.2.6", 1)); // does not cover
        },
        [&] {
            RuleRow rule;
            rule.family = Family::IPv4;
            rule.priority = 100;
            rule.destination = IpAddress::parse("10.5.6.0");
            rule.destinationLength = 24;
            rule.action = 1;
            rule.table = 100;
            append(add(rule, ObjectKind::Rule, Family::IPv4), ChangeKind::Add);
            routeAdd(host); // in main: the rule to table 100 comes first
            routeDel(elsewhere);
        },
        [] {}, // nothing new
        [&] {
            routeDel(narrow);
            routeDel(mid);
            routeDel(host);
            routeDel(wide);
            routeDel(early);
        },
    };
    LookupTracker tracker;
    int part = 0;
    for (const auto &write : parts) {
        write();
        QVERIFY(w.waitCommitted(seq, 5000));
        RecordingReader reader;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        if (!tracker.isValid())
            QVERIFY2(tracker.begin(reader, query, reader.info().startUs, 0, &error), qPrintable(error));
        QVERIFY2(tracker.read(reader, std::numeric_limits<std::int64_t>::max(), &error), qPrintable(error));
        std::vector<LookupChange> whole;
        QVERIFY2(lookupHistory(reader, query, std::numeric_limits<std::int64_t>::min(),
                               std::numeric_limits<std::int64_t>::max(), &whole, &error),
                 qPrintable(error));
        QByteArray expected, got;
        for (const LookupChange &c : whole)
            expected += QByteArray::number(qulonglong(c.seq)) + ' ' + lookupCsvLine(query, c, false);
        for (const LookupChange &c : tracker.changes())
            got += QByteArray::number(qulonglong(c.seq)) + ' ' + lookupCsvLine(query, c, false);
        QVERIFY2(got == expected,
                 qPrintable(
                     u"part %1:\n%2\nwhole:\n%3"_s.arg(part).arg(QString::fromUtf8(got), QString::fromUtf8(expected))));
        QCOMPARE(tracker.lastSeq(), seq);
        ++part;
    }
    // A row per change: the start (/14, an initial row of the second part), the /16, the
    // rule to table 100's /24, the /24 gone (the host route), the host route gone (/14), no route.
    QCOMPARE(tracker.changes().size(), std::size_t(6));
    QCOMPARE(tracker.changes().front().route, std::string("10.4.0.0/14"));
    QCOMPARE(tracker.changes().back().outcome, std::string("no route"));
    QVERIFY(w.finish(&error));
}

void TestRecording::waitCommittedSeesEveryEventAppended()
{
    const QString path = m_dir.filePath(u"waited.ncv"_s);
    RecordingWriter w;
    QString error;
    // Transactions of up to a minute: a waiter must not wait for the transaction to fill.
    RecordingWriter::Options options;
    options.transactionMs = 60'000;
    QVERIFY2(w.open(path, testMeta(), options, &error), qPrintable(error));
    QCOMPARE(w.committedSeq(), std::uint64_t(0));
    QVERIFY(!w.waitCommitted(1, 20)); // nothing appended: a timeout
    std::string bytes;
    RecordingReader reader;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    for (int i = 0; i < 50; ++i) {
        bytes.clear();
        eventcodec::encode(add(numberedRoute(i), ObjectKind::Route, Family::IPv4), bytes);
        w.append(std::uint64_t(i + 1), kT0 + i, bytes, {});
        // Right after the append: once the wait returns, another connection reads it.
        QVERIFY(w.waitCommitted(std::uint64_t(i + 1), 5000));
        QVERIFY(w.committedSeq() >= std::uint64_t(i + 1));
        QVERIFY(reader.refresh(&error));
        QCOMPARE(reader.info().lastSeq, std::uint64_t(i + 1));
    }
    QVERIFY(!w.waitCommitted(51, 20));
    QVERIFY(w.finish(&error));
    QVERIFY(!w.waitCommitted(51, 1000)); // finished: at once, not after the timeout
    QVERIFY(w.waitCommitted(50, 0));
}

void TestRecording::seriesOfFilesEachStandsAlone()
{
    RecordingWriter::Options options;
    options.maxFileBytes = 64 * 1024;
    options.pageSize = 1024; // the schema alone is about 15 pages
    options.transactionMs = 1; // commit (and look at the size) often
    const QString base = m_dir.filePath(u"series.ncv"_s);
    QCOMPARE(RecordingWriter::partPath(base, 2), m_dir.filePath(u"series-002.ncv"_s));
    {
        RecordingWriter w;
        QString error;
        QVERIFY2(w.open(base, testMeta(), options, &error), qPrintable(error));
        // Slowly enough that commits (and so the size checks) come between the events.
        std::string bytes;
        std::uint64_t seq = 0;
        for (const auto &[time, r] : m_script.events) {
            bytes.clear();
            eventcodec::encode(r, bytes);
            w.append(++seq, time, bytes, u"d0"_s);
            if (seq % 200 == 0)
                QTest::qWait(5);
        }
        QVERIFY2(w.finish(&error), qPrintable(error));
        QVERIFY(w.currentPath() != RecordingWriter::partPath(base, 1));
    }
    QVERIFY(!QFile::exists(base));
    std::int64_t events = 0;
    std::uint64_t nextSeq = 1;
    int part = 1;
    for (; QFile::exists(RecordingWriter::partPath(base, part)); ++part) {
        RecordingReader reader;
        QString error;
        QVERIFY2(reader.open(RecordingWriter::partPath(base, part), &error), qPrintable(error));
        const RecordingInfo &info = reader.info();
        QCOMPARE(info.meta.value(u"part"_s), QString::number(part));
        if (info.eventCount == 0) {
            // Only the last part may have no events: it began just before the stop.
            QVERIFY(!QFile::exists(RecordingWriter::partPath(base, part + 1)));
            continue;
        }
        QCOMPARE(info.firstSeq, nextSeq); // no event lost or repeated between the files
        nextSeq = info.lastSeq + 1;
        events += info.eventCount;
        if (part > 1) {
            QVERIFY(info.keyframes >= 1);
            // The tables at the end of this part, from this file alone.
            std::int64_t lastTime = 0;
            reader.forEachEvent(
                std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                [&lastTime](const RecordedEvent &e) {
                    lastTime = std::max(lastTime, e.record.timeUs);
                    return true;
                },
                &error);
            RecordState state;
            // Just before the last moment of this part: events of that same moment may
            // continue in the next file.
            QVERIFY(reader.stateAt(lastTime - 1, &state, &error));
            QVERIFY(routesOf(state) == m_script.expectedAt(lastTime - 1));
        }
    }
    QVERIFY2(part > 3, qPrintable(QString::number(part)));
    QCOMPARE(events, std::int64_t(m_script.events.size()));
}

void TestRecording::refusesAnExistingFile()
{
    const QString path = m_dir.filePath(u"exists.ncv"_s);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    RecordingWriter w;
    QString error;
    QVERIFY(!w.open(path, testMeta(), &error));
    QVERIFY2(error.contains(u"exists"_s), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("keep me"));
}

void TestRecording::refusesWhatIsNotARecording()
{
    RecordingReader reader;
    QString error;
    QVERIFY(!reader.open(m_dir.filePath(u"missing.ncv"_s), &error));
    QVERIFY(reader.status() == RecordingReader::Status::NotFound);

    const QString text = m_dir.filePath(u"text.ncv"_s);
    {
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("sequence,time_utc\n1,2\n");
    }
    QVERIFY(!reader.open(text, &error));
    QVERIFY(reader.status() == RecordingReader::Status::NotARecording);
    QVERIFY2(error.contains(u"not a NetChangeView recording"_s) && !error.contains(u'\n'), qPrintable(error));

    const QString empty = m_dir.filePath(u"empty.ncv"_s);
    {
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QVERIFY(!reader.open(empty, &error));
    QVERIFY(reader.status() == RecordingReader::Status::NotARecording);

    // An SQLite database of another program: the application_id (header offset 68) differs.
    const QString other = writeScript(u"other.ncv"_s);
    QVERIFY(poke(other, 68, QByteArray(4, '\0')));
    QVERIFY(!reader.open(other, &error));
    QVERIFY(reader.status() == RecordingReader::Status::NotARecording);
    QVERIFY2(error.contains(u"another program"_s), qPrintable(error));
}

void TestRecording::refusesANewerFormatVersion()
{
    const QString path = writeScript(u"newer.ncv"_s);
    QCOMPARE(kFormatVersion, 2);
    QVERIFY(poke(path, 60, QByteArray("\0\0\0\x03", 4))); // user_version, big-endian
    RecordingReader reader;
    QString error;
    QVERIFY(!reader.open(path, &error));
    QVERIFY(reader.status() == RecordingReader::Status::NewerFormat);
    QVERIFY2(error.contains(u"format version 3 is newer"_s), qPrintable(error));
}

void TestRecording::damagedFileOpensWhatIsValid_data()
{
    QTest::addColumn<bool>("truncate");
    QTest::newRow("garbage in the middle") << false;
    QTest::newRow("truncated") << true;
}

void TestRecording::damagedFileOpensWhatIsValid()
{
    QFETCH(bool, truncate);
    const QString path = writeScript(truncate ? u"truncated.ncv"_s : u"garbage.ncv"_s);
    QVERIFY(!path.isEmpty());
    const qint64 size = QFileInfo(path).size();
    QVERIFY(size > 20 * 4096);
    if (truncate) {
        QVERIFY(QFile::resize(path, (size / 2) / 4096 * 4096));
    } else {
        QVERIFY(poke(path, (size / 2) / 4096 * 4096, QByteArray(3 * 4096, '\xa5')));
    }
    RecordingReader reader;
    QString error;
    // A truncated file opens (SQLite refuses it unless told to read what is there).
    QVERIFY2(!truncate || reader.open(path, &error), qPrintable(error));
    if (!truncate && !reader.open(path, &error)) {
        // Refusing is allowed only with a one-line reason.
        QVERIFY(reader.status() == RecordingReader::Status::Unreadable);
        QVERIFY(!error.isEmpty() && !error.contains(u'\n'));
        qInfo("refused: %s", qPrintable(error));
        return;
    }
    std::int64_t seen = 0;
    QVERIFY(reader.forEachEvent(
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        [&seen](const RecordedEvent &) {
            ++seen;
            return true;
        },
        &error));
    QVERIFY2(seen > 0, "the valid part is read");
    QVERIFY2(seen < qint64(m_script.events.size()), qPrintable(QString::number(seen)));
    QVERIFY(!reader.problems().isEmpty());
    qInfo("%lld of %zu events read; %s", qlonglong(seen), m_script.events.size(),
          qPrintable(reader.problems().join(u"; "_s)));
    RecordState state;
    QVERIFY(reader.stateAt(kT0 + 1000 * 3000, &state, &error)); // never a crash
}

void TestRecording::parsesTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("us");
    const qint64 start = 1'763'725'000'000'000;
    QTest::newRow("iso") << u"2026-11-21T11:42:03Z"_s << true << qint64(1'795'261'323'000'000);
    QTest::newRow("iso fraction") << u"2026-11-21T11:42:03.5Z"_s << true << qint64(1'795'261'323'500'000);
    QTest::newRow("iso micro") << u"2026-11-21T11:42:03.123456Z"_s << true << qint64(1'795'261'323'123'456);
    QTest::newRow("iso nano") << u"2026-11-21T11:42:03.123456789Z"_s << true << qint64(1'795'261'323'123'456);
    QTest::newRow("relative") << u"+90.5"_s << true << start + 90'500'000;
    QTest::newRow("relative zero") << u"+0"_s << true << start;
    QTest::newRow("no zone") << u"2026-11-21T11:42:03"_s << false << qint64(0);
    QTest::newRow("offset zone") << u"2026-11-21T11:42:03+01:00"_s << false << qint64(0);
    QTest::newRow("bad date") << u"2026-02-30T11:42:03Z"_s << false << qint64(0);
    QTest::newRow("negative") << u"-5"_s << false << qint64(0);
    QTest::newRow("words") << u"yesterday"_s << false << qint64(0);
    QTest::newRow("empty") << QString() << false << qint64(0);
}

void TestRecording::parsesTimes()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, us);
    std::int64_t got = 0;
    QString error;
    QCOMPARE(parseTime(text, 1'763'725'000'000'000, &got, &error), ok);
    if (ok)
        QCOMPARE(qint64(got), us);
    else
        QVERIFY(!error.isEmpty() && !error.contains(u'\n'));
}

void TestRecording::exportsTheTablesAtATime()
{
    const QString path = writeScript(u"export.ncv"_s);
    RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    const QString csvPath = m_dir.filePath(u"at.csv"_s);
    const std::int64_t at = kT0 + 1000 * 1500 + 7;
    std::int64_t rows = 0;
    QVERIFY2(exportStateAt(reader, at, csvPath, &rows, &error), qPrintable(error));
    const std::size_t expectedRoutes = m_script.expectedAt(at).size();
    QCOMPARE(rows, std::int64_t(2 + expectedRoutes));
    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(lines.first().startsWith("sequence,time_utc,object,change"));
    QVERIFY2(lines.at(1).startsWith(QByteArray("1," + isoTime(at).toLatin1() + ",interface,initial,")),
             lines.at(1).constData());
    QVERIFY2(lines.at(3).contains(",route,initial,ipv4,"), lines.at(3).constData());
}

QTEST_MAIN(TestRecording)
#include "tst_recording.moc"

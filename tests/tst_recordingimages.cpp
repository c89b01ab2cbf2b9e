// SPDX-License-Identifier: GPL-2.0-or-later
// Keyframes written from images of the source's own state (StateStore::image, handed in
// order with the records): every keyframe equals the state replayed from the file's events
// up to its sequence number while the source's store changes underneath (ManualSource
// changed from another thread; the real kernel in a private network namespace during an
// `ip -batch` burst and a flush), and an image the rtnetlink source makes equals both the
// records delivered before it and what `ip -j route show` lists.
#include "model/notificationmodel.h"
#include "model/recording/recordingformat.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordstate.h"
#include "model/recording/sqlitedb.h"
#include "model/recordingfeed.h"
#include "platform/diff.h"
#include "platform/fielddef.h"
#include "platform/format.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/rowfields.h"
#include "platform/statestore.h"
#include "support/manualsource.h"
#include "support/netns.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace ncv;
using namespace ncv::platform;
using namespace ncv::recording;
using namespace Qt::StringLiterals;

namespace {

/// Rows by their key text, each key with the rows that share it (routes differing in next hop).
using RowsByKey = std::map<std::string, std::vector<Row>>;

void addRow(RowsByKey &rows, const Row &row)
{
    rows[keyText(row)].push_back(row);
}

/// Empty when a and b hold the same rows (shown fields: diff() == 0), else the first difference.
QString difference(const RowsByKey &a, const RowsByKey &b)
{
    for (const auto &[key, rowsA] : a) {
        const auto it = b.find(key);
        if (it == b.end())
            return u"only in the keyframe: "_s + QString::fromStdString(key);
        if (it->second.size() != rowsA.size())
            return u"count differs: "_s + QString::fromStdString(key);
        for (const Row &row : rowsA) {
            const bool found = std::any_of(it->second.begin(), it->second.end(), [&](const Row &other) {
                return row.index() == other.index()
                    && std::visit(
                           [&](const auto &r) {
                               using R = std::remove_cvref_t<decltype(r)>;
                               if constexpr (std::is_same_v<R, std::monostate> || std::is_same_v<R, EntityRow>)
                                   return true;
                               else
                                   return diff(r, std::get<R>(other)) == 0;
                           },
                           row);
            });
            if (!found)
                return u"fields differ: "_s + QString::fromStdString(key);
        }
    }
    for (const auto &[key, rows] : b)
        if (!a.count(key))
            return u"only in the replay: "_s + QString::fromStdString(key);
    return {};
}

struct Keyframe {
    std::int64_t id = 0;
    std::uint64_t seq = 0;
    QString reason;
    std::int64_t counts[3] = {0, 0, 0};
    RowsByKey rows;
};

/// Every keyframe of the file, in sequence order, with its rows decoded.
bool readKeyframes(const QString &path, std::vector<Keyframe> *out, QString *error)
{
    sql::Db db;
    std::string why;
    if (db.open(QFile::encodeName(path).toStdString(), SQLITE_OPEN_READONLY, &why) != SQLITE_OK) {
        *error = QString::fromStdString(why);
        return false;
    }
    sql::Stmt k;
    if (k.prepare(db, "SELECT id, seq, reason, interfaces, addresses, routes FROM keyframes ORDER BY seq, id")
        != SQLITE_OK) {
        *error = QString::fromStdString(db.errorMessage());
        return false;
    }
    while (k.step() == SQLITE_ROW) {
        Keyframe f;
        f.id = k.int64(0);
        f.seq = std::uint64_t(k.int64(1));
        f.reason = QString::fromUtf8(k.text(2));
        for (int i = 0; i < 3; ++i)
            f.counts[i] = k.int64(3 + i);
        // keyframe_rows, then the rules of keyframe_kind_rows (kind 6).
        for (const char *query : {"SELECT rows FROM keyframe_rows WHERE keyframe = ? ORDER BY part",
                                  "SELECT rows FROM keyframe_kind_rows WHERE keyframe = ? ORDER BY kind, part"}) {
            sql::Stmt r;
            r.prepare(db, query);
            r.bind(1, f.id);
            while (r.step() == SQLITE_ROW) {
                const std::string_view blob = r.blob(0);
                compact::CheckedReader in {reinterpret_cast<const std::uint8_t *>(blob.data()),
                                           reinterpret_cast<const std::uint8_t *>(blob.data() + blob.size())};
                while (in.ok && in.p < in.end) {
                    Row row;
                    switch (in.byte()) {
                    case 1: decodeRow(in, row.emplace<InterfaceRow>()); break;
                    case 2: decodeRow(in, row.emplace<AddressRow>()); break;
                    case 3: decodeRow(in, row.emplace<RouteRow>()); break;
                    case 6: decodeRow(in, row.emplace<RuleRow>()); break;
                    default: in.ok = false; break;
                    }
                    if (in.ok)
                        addRow(f.rows, row);
                }
                if (!in.ok) {
                    *error = u"keyframe %1: malformed rows"_s.arg(f.id);
                    return false;
                }
            }
        }
        out->push_back(std::move(f));
    }
    return true;
}

/// Checks every keyframe of path against the events before it replayed from the start.
/// Returns the keyframes (for further checks).
std::vector<Keyframe> checkKeyframesAgainstReplay(const QString &path, std::uint64_t *events)
{
    std::vector<Keyframe> keyframes;
    QString error;
    if (!readKeyframes(path, &keyframes, &error)) {
        qWarning() << error;
        return {};
    }
    RecordingReader reader;
    if (!reader.open(path, &error)) {
        qWarning() << error;
        return {};
    }
    *events = std::uint64_t(reader.info().eventCount);
    RecordState replay;
    std::uint64_t next = 1;
    std::vector<RecordedEvent> batch;
    for (const Keyframe &f : keyframes) {
        while (next <= f.seq) {
            batch.clear();
            reader.events(next, int(std::min<std::uint64_t>(5000, f.seq - next + 1)), &batch, &error);
            if (batch.empty())
                break;
            for (const RecordedEvent &e : batch)
                if (e.seq <= f.seq)
                    replay.apply(e.record);
            next = batch.back().seq + 1;
        }
        RowsByKey replayed;
        replay.forEach([&](const Row &row) { addRow(replayed, row); });
        const QString diff = difference(f.rows, replayed);
        if (!diff.isEmpty()) {
            qWarning().noquote() << "keyframe" << f.id << "at seq" << f.seq << "(" << f.reason << "):" << diff;
            return {};
        }
        std::int64_t counts[3] = {0, 0, 0};
        for (const auto &[key, rows] : f.rows)
            for (const Row &row : rows)
                if (row.index() >= 1 && row.index() <= 3) // the counts are of interfaces, addresses, routes
                    ++counts[row.index() - 1];
        if (!std::equal(counts, counts + 3, f.counts)) {
            qWarning() << "keyframe" << f.id << "counts differ from its rows";
            return {};
        }
    }
    return keyframes;
}

RouteRow v4route(std::uint32_t i, std::uint32_t ifIndex = 2)
{
    RouteRow r;
    r.destination = IpAddress::v4(20, std::uint8_t(i >> 16), std::uint8_t(i >> 8), std::uint8_t(i));
    r.prefixLength = 32;
    r.protocol = 3;
    r.table = 254;
    r.nextHops = {NextHop {IpAddress::v4(10, 9, 0, 2), ifIndex, 1}};
    return r;
}

bool runIp(const QStringList &args, const QByteArray &input = {}, QByteArray *output = nullptr)
{
    QProcess p;
    p.start(u"ip"_s, args);
    if (!p.waitForStarted(10000))
        return false;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning() << "ip" << args << "failed:" << p.readAllStandardError();
        return false;
    }
    if (output)
        *output = p.readAllStandardOutput();
    return true;
}

/// `ip -batch -` input: count /32 routes 10.(base).x.y via dev.
QByteArray routeBatch(const char *verb, int base, int count, const char *dev)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += QByteArray("route ") + verb + " 10." + QByteArray::number(base + (i >> 16)) + '.'
            + QByteArray::number((i >> 8) & 0xFF) + '.' + QByteArray::number(i & 0xFF) + "/32 dev " + dev + '\n';
    return out;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return true;
}

} // namespace

class TestRecordingImages : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void manualKeyframesEqualTheReplayedEvents();
    void kernelImageEqualsRecordsAndIpRouteShow();
    void kernelRecordingKeyframesEqualTheReplayedEvents();

private:
    QTemporaryDir m_dir;
};

void TestRecordingImages::manualKeyframesEqualTheReplayedEvents()
{
    // The writer asks for images while another thread changes the source: each keyframe
    // must hold exactly the state of the events before it, though the store has moved on
    // by the time the writer thread reads the image.
    ManualSource source;
    source.setImages(true);
    InterfaceRow eth;
    eth.ifIndex = 2;
    eth.name = "eth0";
    source.upsert(eth);
    for (std::uint32_t i = 0; i < 3000; ++i)
        source.upsert(v4route(i));
    NotificationModel model(&source, NotificationModel::Mode::HistoryOnly);
    RecordingFeed feed(&model);
    RecordingWriter::Options options;
    options.keyframeEvents = 500;
    options.keyframeRowFactor = 0;
    options.transactionMs = 20;
    const QString path = m_dir.filePath(u"manual.ncv"_s);
    QString error;
    QVERIFY2(feed.open(path, afUnspec(), options, &error), qPrintable(error));
    QVERIFY2(model.start(afUnspec(), true, &error), qPrintable(error));
    std::atomic<bool> done {false};
    std::thread changer([&] {
        std::mt19937 random(11);
        for (int step = 0; step < 30000; ++step) {
            const std::uint32_t i = random() % 6000;
            switch (random() % 8) {
            case 0:
            case 1: source.remove(v4route(i)); break;
            case 2: {
                RouteRow row = v4route(i);
                row.protocol = 4 + step % 50; // a Parameter change in place
                source.upsert(row);
                break;
            }
            case 3: {
                RouteRow row = v4route(i);
                row.nextHops.push_back(NextHop {IpAddress::v4(10, 9, 0, 3), 3, 2}); // longer
                source.upsert(row, true);
                break;
            }
            case 4: {
                InterfaceRow renamed = eth;
                renamed.name = "eth" + std::to_string(step % 7);
                source.upsert(renamed);
                break;
            }
            default: source.upsert(v4route(i)); break;
            }
            // Paced so that several image round trips (writer -> model -> source -> writer)
            // fit in the run even on a loaded or sanitized build.
            if (step % 100 == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        done = true;
    });
    while (!done)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    changer.join();
    model.applyAll();
    QCoreApplication::processEvents();
    QVERIFY2(feed.finish(&error), qPrintable(error));

    std::uint64_t events = 0;
    const std::vector<Keyframe> keyframes = checkKeyframesAgainstReplay(path, &events);
    QVERIFY(!keyframes.empty());
    QCOMPARE(qint64(events), model.totalEvents());
    QCOMPARE(keyframes.front().reason, u"start"_s);
    const auto periodic
        = std::count_if(keyframes.begin(), keyframes.end(), [](const Keyframe &f) { return f.reason == u"periodic"; });
    qInfo() << keyframes.size() << "keyframes," << events << "events";
    QVERIFY2(periodic >= 3, qPrintable(QString::number(periodic))); // images taken mid-stream
}

namespace {

/// Collects records and images of a RtnetlinkSource registration: the route keys the
/// records so far leave (replayed on the reader thread), and for each image that set as
/// it was when the image came, for the test thread to compare while the source goes on.
struct ImageCollector {
    std::mutex mutex;
    std::set<std::string> routes; // mutex (written on the reader thread)
    std::deque<std::pair<std::shared_ptr<const StateImage>, std::set<std::string>>> images; // mutex
    std::uint64_t lastToken = 0; // mutex: the token of images.back()
    std::atomic<std::uint64_t> records {0};

    static std::string routeKey(const RouteRow &r)
    {
        return toCidr(r.destination, r.prefixLength) + " t" + std::to_string(r.table);
    }
    static void onRecords(void *context, std::span<const ChangeRecord> records)
    {
        auto *self = static_cast<ImageCollector *>(context);
        std::lock_guard lock(self->mutex);
        for (const ChangeRecord &r : records) {
            if (r.object != ObjectKind::Route)
                continue;
            if (const auto *before = std::get_if<RouteRow>(&r.before))
                self->routes.erase(routeKey(*before));
            if (const auto *after = std::get_if<RouteRow>(&r.after))
                self->routes.insert(routeKey(*after));
        }
        self->records += records.size();
    }
    static void onImage(void *context, std::uint64_t token, std::shared_ptr<const StateImage> image)
    {
        auto *self = static_cast<ImageCollector *>(context);
        std::lock_guard lock(self->mutex);
        self->images.emplace_back(std::move(image), self->routes);
        self->lastToken = token;
    }
    static std::set<std::string> routesOf(const StateImage &image)
    {
        std::set<std::string> out;
        image.forEach([](const InterfaceRow &) {}, [](const AddressRow &) {},
                      [&](const RouteRow &r) { out.insert(routeKey(r)); });
        return out;
    }
};

} // namespace

void TestRecordingImages::kernelImageEqualsRecordsAndIpRouteShow()
{
    if (!ncv::test::networkNamespaceResult().entered)
        QSKIP(ncv::test::networkNamespaceResult().message.c_str());
    QVERIFY(runIp({u"link"_s, u"add"_s, u"img0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"img1"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"img0"_s, u"up"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"img1"_s, u"up"_s}));
    RtnetlinkSource source;
    ImageCollector collector;
    RegisterParams params;
    params.addressFamily = afInet();
    params.callback = &ImageCollector::onRecords;
    params.imageCallback = &ImageCollector::onImage;
    params.callerContext = &collector;
    Handle handle = 0;
    QVERIFY(source.registerChanges(params, &handle).ok());
    // A failed check returns early: the source must stop calling into collector first.
    const auto cancelOnReturn = qScopeGuard([&] { source.cancel(handle); });
    QVERIFY(source.supportsImages());
    QCOMPARE(source.requestImage(0, 1).error, Error::InvalidParameter);
    QCOMPARE(source.requestImage(handle + 100, 1).error, Error::InvalidHandle);

    // Images asked for all through a burst of 60000 route adds and a flush: each must
    // equal the records delivered before it, read here while the store goes on changing.
    std::atomic<bool> burstDone {false};
    std::thread burst([&] {
        runIp({u"-batch"_s, u"-"_s}, routeBatch("add", 1, 60000, "img0"));
        runIp({u"route"_s, u"flush"_s, u"dev"_s, u"img0"_s});
        runIp({u"-batch"_s, u"-"_s}, routeBatch("add", 2, 20000, "img0"));
        burstDone = true;
    });
    std::uint64_t token = 0;
    int compared = 0, mismatched = 0;
    const auto compareQueued = [&] {
        std::unique_lock lock(collector.mutex);
        while (!collector.images.empty()) {
            auto [image, expected] = std::move(collector.images.front());
            collector.images.pop_front();
            lock.unlock();
            ++compared;
            if (ImageCollector::routesOf(*image) != expected)
                ++mismatched;
            lock.lock();
        }
    };
    while (!burstDone) {
        QVERIFY(source.requestImage(handle, ++token).ok());
        QThread::msleep(30);
        compareQueued();
    }
    burst.join();
    // The kernel is settled once the burst's commands have returned; the reader may still be
    // well behind it (mid-flush, with more routes than the end holds), so settled means
    // the records so far leave exactly the kernel's main table.
    QByteArray json;
    QVERIFY(runIp({u"-j"_s, u"-4"_s, u"route"_s, u"show"_s, u"table"_s, u"main"_s}, {}, &json));
    std::set<std::string> kernel;
    for (const QJsonValue &v : QJsonDocument::fromJson(json).array()) {
        QString dst = v.toObject().value(u"dst"_s).toString();
        if (dst == u"default")
            dst = u"0.0.0.0/0"_s;
        else if (!dst.contains(u'/'))
            dst += u"/32"_s;
        kernel.insert(dst.toStdString() + " t254");
    }
    QCOMPARE(kernel.size(), std::size_t(20000));
    const auto mainTable = [](const std::set<std::string> &keys) {
        std::set<std::string> out;
        for (const std::string &key : keys)
            if (key.ends_with(" t254"))
                out.insert(key);
        return out;
    };
    QVERIFY(waitFor(
        [&] {
            std::lock_guard lock(collector.mutex);
            return mainTable(collector.routes) == kernel;
        },
        120000));
    // The image asked for now (images asked for earlier may still be queued before it).
    const std::uint64_t finalToken = ++token;
    QVERIFY(source.requestImage(handle, finalToken).ok());
    QVERIFY(waitFor(
        [&] {
            std::lock_guard lock(collector.mutex);
            return collector.lastToken == finalToken;
        },
        60000));
    std::shared_ptr<const StateImage> last;
    {
        std::lock_guard lock(collector.mutex);
        last = collector.images.back().first;
    }
    compareQueued();
    QCOMPARE(mismatched, 0);
    QVERIFY2(compared >= 5, qPrintable(QString::number(compared)));
    const std::set<std::string> imaged = mainTable(ImageCollector::routesOf(*last));
    QCOMPARE(imaged.size(), kernel.size());
    QVERIFY(imaged == kernel);
    QVERIFY(source.cancel(handle).ok());
    QCOMPARE(source.requestImage(handle, ++token).error, Error::InvalidHandle);
    runIp({u"link"_s, u"del"_s, u"img0"_s});
}

void TestRecordingImages::kernelRecordingKeyframesEqualTheReplayedEvents()
{
    // The whole path as the headless recorder runs it: rtnetlink -> NotificationModel ->
    // RecordingFeed -> RecordingWriter, keyframes from images during a burst and a flush.
    if (!ncv::test::networkNamespaceResult().entered)
        QSKIP(ncv::test::networkNamespaceResult().message.c_str());
    QVERIFY(runIp({u"link"_s, u"add"_s, u"rec0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"rec1"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"rec0"_s, u"up"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"rec1"_s, u"up"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"192.0.2.1/24"_s, u"dev"_s, u"rec0"_s}));
    RtnetlinkSource source;
    NotificationModel model(&source, NotificationModel::Mode::HistoryOnly);
    RecordingFeed feed(&model);
    RecordingWriter::Options options;
    options.keyframeEvents = 5000;
    options.keyframeRowFactor = 0;
    const QString path = m_dir.filePath(u"kernel.ncv"_s);
    QString error;
    QVERIFY2(feed.open(path, afInet(), options, &error), qPrintable(error));
    bool snapshotDone = false;
    connect(&model, &NotificationModel::snapshotComplete, this, [&] { snapshotDone = true; });
    QVERIFY2(model.start(afInet(), true, &error), qPrintable(error));
    // The routes the model holds, published by the test thread for the burst to pace itself.
    std::atomic<qint64> liveRoutes {-1};
    QVERIFY(waitFor([&] { return snapshotDone; }, 60000));
    const qint64 routesBefore = model.liveCount(ObjectKind::Route);
    std::atomic<bool> burstDone {false};
    std::thread burst([&] {
        // In slices of 5,000, each sent once the model holds the one before: a periodic
        // keyframe's image round trip then fits between slices on any machine (unpaced, a
        // loaded or sanitized build read the whole burst before the second image came back).
        QList<QByteArray> adds = routeBatch("add", 3, 50000, "rec0").split('\n');
        adds.removeAll(QByteArray()); // the text ends with a newline
        for (qsizetype at = 0; at < adds.size(); at += 5000) {
            runIp({u"-batch"_s, u"-"_s}, adds.mid(at, 5000).join('\n') + '\n');
            QElapsedTimer waited;
            waited.start();
            while (liveRoutes.load() < routesBefore + at + 5000 && waited.elapsed() < 60000)
                QThread::msleep(20);
            QThread::msleep(100);
        }
        runIp({u"route"_s, u"flush"_s, u"dev"_s, u"rec0"_s});
        runIp({u"-batch"_s, u"-"_s}, routeBatch("add", 4, 10000, "rec0"));
        // The last change: once the model holds it, it holds everything before it.
        runIp({u"addr"_s, u"add"_s, u"198.51.100.1/32"_s, u"dev"_s, u"rec1"_s});
        burstDone = true;
    });
    const qint64 addressesBefore = model.liveCount(ObjectKind::Address);
    while (!burstDone) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        liveRoutes = model.liveCount(ObjectKind::Route);
    }
    burst.join();
    QVERIFY(waitFor([&] { return model.liveCount(ObjectKind::Address) == addressesBefore + 1; }, 120000));
    QThread::msleep(300);
    QCoreApplication::processEvents();
    model.stop();
    QVERIFY2(feed.finish(&error), qPrintable(error));
    std::uint64_t events = 0;
    const std::vector<Keyframe> keyframes = checkKeyframesAgainstReplay(path, &events);
    QVERIFY(!keyframes.empty());
    QCOMPARE(qint64(events), model.totalEvents());
    qInfo() << keyframes.size() << "keyframes," << events << "events";
    QVERIFY2(keyframes.size() >= 3, qPrintable(QString::number(keyframes.size())));
    runIp({u"link"_s, u"del"_s, u"rec0"_s});
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRecordingImages test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_recordingimages.moc"

// RtnetlinkSource against the real kernel, inside a private network namespace entered at
// the start of main(). Changes are made with `ip` (iproute2); the records delivered by the
// source are asserted exactly (object, change, key, changed fields), in order.
//
// Ordering technique: after a change, the test waits for the records it expects, then
// sets a unique alias on lo (a "sync marker") and waits for that record. Everything
// delivered before the marker is the complete effect of the change, so the test can
// assert that nothing else (and no no-op) was delivered — without sleeping.
#include "format.h"
#include "netns.h"
#include "rtnetlinksource.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <set>
#include <mutex>
#include <sys/socket.h>

using namespace ncv::platform;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 5000;

QString q(const std::string &s) { return QString::fromStdString(s); }

/// "interface add ncv0", "interface parameter ncv0 [mtu]", "address add 10.1.0.1/24 dev 5",
/// "route add 10.9.0.0/24 table main metric 100 via 10.1.0.2"
QString describe(const ChangeRecord &r)
{
    QString text = q(std::string(objectName(r.object))) + u' ' + q(std::string(changeName(r.change)));
    const Row &row = r.row();
    if (auto *i = std::get_if<InterfaceRow>(&row)) {
        text += u' ' + q(i->name);
    } else if (std::holds_alternative<AddressRow>(row)) {
        text += u' ' + q(keyText(row));
    } else if (auto *rt = std::get_if<RouteRow>(&row)) {
        text += u' ' + q(keyText(row)) + u" table "_s + q(tableName(rt->table)) + u" metric "_s + QString::number(rt->metric);
        const std::string gw = gatewayList(*rt);
        if (!gw.empty())
            text += u" via "_s + q(gw);
    }
    if (r.change == ChangeKind::Parameter)
        text += u" ["_s + q(fieldList(r.changedFields, ",")) + u']';
    return text;
}

QStringList describeAll(const std::vector<ChangeRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out << describe(r);
    return out;
}

/// Collects delivered records; thread-safe; waits with timeouts.
class Collector {
public:
    static void callback(void *ctx, std::span<const ChangeRecord> records)
    {
        auto *self = static_cast<Collector *>(ctx);
        if (self->m_cancelled.load())
            self->m_callbackAfterCancel.store(true);
        if (self->onBatch)
            self->onBatch(records);
        {
            std::lock_guard lock(self->m_mutex);
            self->m_records.insert(self->m_records.end(), records.begin(), records.end());
            ++self->m_batches;
        }
        self->m_cv.notify_all();
    }

    /// Waits until pred(records) holds; false on timeout.
    bool waitUntil(const std::function<bool(const std::vector<ChangeRecord> &)> &pred, int timeoutMs = kTimeoutMs)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return pred(m_records); });
    }

    bool waitForCount(std::size_t n, int timeoutMs = kTimeoutMs)
    {
        return waitUntil([n](const auto &r) { return r.size() >= n; }, timeoutMs);
    }

    bool waitForSnapshot(int timeoutMs = kTimeoutMs)
    {
        return waitUntil([](const auto &records) {
            for (const auto &r : records)
                if (r.change == ChangeKind::SnapshotComplete)
                    return true;
            return false;
        }, timeoutMs);
    }

    std::vector<ChangeRecord> records() const
    {
        std::lock_guard lock(m_mutex);
        return m_records;
    }

    /// Removes and returns the records up to and including the first one matching pred.
    std::vector<ChangeRecord> takeThrough(const std::function<bool(const ChangeRecord &)> &pred)
    {
        std::lock_guard lock(m_mutex);
        std::vector<ChangeRecord> out;
        for (std::size_t i = 0; i < m_records.size(); ++i) {
            if (pred(m_records[i])) {
                out.assign(m_records.begin(), m_records.begin() + std::ptrdiff_t(i) + 1);
                m_records.erase(m_records.begin(), m_records.begin() + std::ptrdiff_t(i) + 1);
                return out;
            }
        }
        return out;
    }

    int batches() const
    {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }

    void markCancelled() { m_cancelled.store(true); }
    bool callbackAfterCancel() const { return m_callbackAfterCancel.load(); }

    std::function<void(std::span<const ChangeRecord>)> onBatch; // runs on the reader thread

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<ChangeRecord> m_records;
    int m_batches = 0;
    std::atomic<bool> m_cancelled{false};
    std::atomic<bool> m_callbackAfterCancel{false};
};

bool runIp(const QStringList &args, QString *output = nullptr, bool quiet = false)
{
    QProcess p;
    p.start(u"ip"_s, args);
    if (!p.waitForFinished(kTimeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (!quiet)
            qWarning().noquote() << "ip" << args.join(u' ') << "failed:" << p.readAllStandardError();
        return false;
    }
    if (output)
        *output = QString::fromUtf8(p.readAllStandardOutput());
    return true;
}

bool writeSysctl(const QString &path, const QByteArray &value)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    return f.write(value) == value.size();
}

/// True once `ip` reports the link operationally up (linkwatch runs asynchronously after
/// `ip link set up`; waiting for it keeps its late events out of the next registration).
bool waitIpShows(const QStringList &args, const QString &text);
bool waitOperUp(const QString &name)
{
    return waitIpShows({u"-o"_s, u"link"_s, u"show"_s, u"dev"_s, name}, u"state UP"_s);
}

/// True once the output of `ip args` contains text (polls; for asynchronous kernel work).
bool waitIpShows(const QStringList &args, const QString &text)
{
    QDeadlineTimer deadline(kTimeoutMs);
    while (!deadline.hasExpired()) {
        QString out;
        if (runIp(args, &out) && out.contains(text))
            return true;
        QThread::msleep(20);
    }
    return false;
}

/// Creates the veth pair ncv0/ncv1; with up, sets both up and waits for operstate up.
bool makeVethPair(bool up)
{
    if (!runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}))
        return false;
    if (!up)
        return true;
    return runIp({u"link"_s, u"set"_s, u"ncv1"_s, u"up"_s}) && runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s})
        && waitOperUp(u"ncv0"_s) && waitOperUp(u"ncv1"_s);
}

int g_syncCounter = 0;

/// Sets a unique alias on lo and returns, per collector, everything delivered before that
/// marker record (the marker itself is removed). False if a marker does not arrive.
bool syncAndTakeAll(const std::vector<std::pair<Collector *, std::vector<ChangeRecord> *>> &collectors)
{
    const std::string alias = "ncv-sync-" + std::to_string(++g_syncCounter);
    if (!runIp({u"link"_s, u"set"_s, u"dev"_s, u"lo"_s, u"alias"_s, q(alias)}))
        return false;
    auto isMarker = [alias](const ChangeRecord &r) {
        const auto *i = std::get_if<InterfaceRow>(&r.after);
        return r.object == ObjectKind::Interface && i && i->name == "lo" && i->alias == alias;
    };
    for (auto [c, before] : collectors) {
        if (!c->waitUntil([&](const auto &records) { return std::any_of(records.begin(), records.end(), isMarker); }))
            return false;
        *before = c->takeThrough(isMarker);
        before->pop_back();
    }
    return true;
}

bool syncAndTake(Collector &c, std::vector<ChangeRecord> *before) { return syncAndTakeAll({{&c, before}}); }

QStringList detailsOf(const std::vector<ChangeRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out << q(details(r));
    return out;
}

bool hasDescription(const std::vector<ChangeRecord> &records, const QString &text)
{
    return std::any_of(records.begin(), records.end(), [&](const ChangeRecord &r) { return describe(r) == text; });
}

/// Waits until every text in expected has been delivered, then syncs and returns all
/// records delivered before the marker in *got.
bool expectThenSync(Collector &c, const QStringList &expected, QStringList *got,
                    std::vector<ChangeRecord> *records = nullptr)
{
    const bool all = c.waitUntil([&](const auto &records) {
        for (const auto &e : expected)
            if (!hasDescription(records, e))
                return false;
        return true;
    });
    std::vector<ChangeRecord> before;
    const bool synced = syncAndTake(c, &before);
    *got = describeAll(before);
    if (!all || !synced || *got != expected) {
        qWarning().noquote() << "expected:" << expected;
        qWarning().noquote() << "got:     " << *got;
        for (const auto &r : before)
            qWarning().noquote() << "   " << q(summary(r));
    }
    if (records)
        *records = std::move(before);
    return synced;
}

struct Registration {
    Registration() = default;
    explicit Registration(const RtnetlinkSource::Options &options) : source(std::make_unique<RtnetlinkSource>(options)) {}
    std::unique_ptr<RtnetlinkSource> source = std::make_unique<RtnetlinkSource>();
    Collector collector;
    Handle handle = 0;
    Status status;

    Status start(int af, bool initial = false, std::uint32_t objects = AllObjectsMask)
    {
        RegisterParams p;
        p.objects = objects;
        p.addressFamily = af;
        p.callback = &Collector::callback;
        p.callerContext = &collector;
        p.initialNotification = initial;
        status = source->registerChanges(p, &handle);
        return status;
    }
};

} // namespace

class TestRtnetlinkSource : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void invalidParameters();
    void initialNotification();
    void noInitialNotification();
    void linkLifecycle();
    void ipv4Addresses();
    void ipv6Addresses();
    void routeReplaceAndMetric();
    void ipv6SamePrefixOnTwoInterfaces();
    void familyFilter();
    void cancelWhileBusy();
    void cancelInsideCallback();
    void receiveBufferIsReported();
    void destructorCancelsEverything();
    void overflowIsRecordedAndRepaired();

private:
    bool cleanLinks();
};

void TestRtnetlinkSource::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"platform tests need a private network namespace: "_s + q(ns.message)));
    qInfo().noquote() << "network namespace:" << q(ns.message);
    // No IPv6 link-local addresses on new links: keeps the records of link tests exact.
    QVERIFY(writeSysctl(u"/proc/sys/net/ipv6/conf/default/addr_gen_mode"_s, "1"));
}

bool TestRtnetlinkSource::cleanLinks()
{
    QString out;
    if (!runIp({u"-o"_s, u"link"_s, u"show"_s}, &out))
        return false;
    for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
        const QString name = line.section(u':', 1, 1).trimmed().section(u'@', 0, 0);
        if (name.startsWith(u"ncv"_s))
            runIp({u"link"_s, u"del"_s, u"dev"_s, name}, nullptr, true); // the peer may be gone already
    }
    return true;
}

void TestRtnetlinkSource::init() { QVERIFY(cleanLinks()); }
void TestRtnetlinkSource::cleanup() { cleanLinks(); }

void TestRtnetlinkSource::invalidParameters()
{
    RtnetlinkSource source;
    Collector c;
    RegisterParams p;
    p.callback = &Collector::callback;
    p.callerContext = &c;
    Handle h = 99;

    p.addressFamily = 12345;
    Status s = source.registerChanges(p, &h);
    QCOMPARE(s.error, Error::InvalidParameter);
    QCOMPARE(h, Handle(0));
    QVERIFY(!s.message.empty());

    p.addressFamily = AF_INET;
    QCOMPARE(source.registerChanges(p, nullptr).error, Error::InvalidParameter);
    RegisterParams noCallback = p;
    noCallback.callback = nullptr;
    QCOMPARE(source.registerChanges(noCallback, &h).error, Error::InvalidParameter);
    RegisterParams noObjects = p;
    noObjects.objects = 0;
    QCOMPARE(source.registerChanges(noObjects, &h).error, Error::InvalidParameter);

    QCOMPARE(source.cancel(0).error, Error::InvalidParameter);
    QCOMPARE(source.cancel(12345).error, Error::InvalidHandle);

    s = source.registerChanges(p, &h);
    QVERIFY2(s.ok(), s.message.c_str());
    QVERIFY(h != 0);
    QVERIFY(c.waitForSnapshot());
    QVERIFY(source.cancel(h).ok());
    QCOMPARE(source.cancel(h).error, Error::InvalidHandle);
}

void TestRtnetlinkSource::initialNotification()
{
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"metric"_s, u"100"_s}));
    // Even with nodad the IPv6 address is completed by a work item (addrconf_dad_work),
    // which adds its local route after `ip addr add` returns: wait for it, so the snapshot
    // below and the `ip` listings compared with it see the same settled state.
    QVERIFY(waitIpShows({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"local"_s}, u"2001:db8:1::1 "_s));

    Registration reg;
    QVERIFY2(reg.start(AF_UNSPEC, true).ok(), reg.status.message.c_str());
    QVERIFY(reg.collector.waitForSnapshot());
    const auto records = reg.collector.records();
    // Initial rows, then exactly one SnapshotComplete, at the end.
    QVERIFY(records.size() > 1);
    QCOMPARE(records.back().change, ChangeKind::SnapshotComplete);
    for (std::size_t i = 0; i + 1 < records.size(); ++i) {
        QCOMPARE(records[i].change, ChangeKind::Initial);
        QVERIFY(!std::holds_alternative<std::monostate>(records[i].after));
        QVERIFY(std::holds_alternative<std::monostate>(records[i].before));
    }
    const QStringList texts = describeAll(records);
    QVERIFY2(texts.contains(u"interface initial lo"_s), qPrintable(texts.join(u'\n')));
    QVERIFY(texts.contains(u"interface initial ncv0"_s));
    QVERIFY(texts.contains(u"interface initial ncv1"_s));
    QVERIFY(texts.contains(u"address initial 10.1.0.1/24"_s));
    QVERIFY(texts.contains(u"address initial 2001:db8:1::1/64"_s));
    QVERIFY(texts.contains(u"route initial 10.9.0.0/24 table main metric 100 via 10.1.0.2"_s));

    // The snapshot holds exactly what `ip` shows: same number of links, addresses, routes.
    auto countLines = [](const QStringList &args) {
        QString out;
        if (!runIp(args, &out))
            return -1;
        return int(out.split(u'\n', Qt::SkipEmptyParts).size());
    };
    auto countKind = [&](ObjectKind k, Family f) {
        return int(std::count_if(records.begin(), records.end(), [&](const ChangeRecord &r) {
            return r.object == k && (f == Family::Unspec || r.family == f);
        }));
    };
    QCOMPARE(countKind(ObjectKind::Interface, Family::Unspec), countLines({u"-o"_s, u"link"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Address, Family::IPv4), countLines({u"-o"_s, u"-4"_s, u"addr"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Address, Family::IPv6), countLines({u"-o"_s, u"-6"_s, u"addr"_s, u"show"_s}));
    QCOMPARE(countKind(ObjectKind::Route, Family::IPv4), countLines({u"-4"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s}));
    QCOMPARE(countKind(ObjectKind::Route, Family::IPv6), countLines({u"-6"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s}));

    // Nothing more (and no second SnapshotComplete) until the sync marker.
    reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });
    std::vector<ChangeRecord> later;
    QVERIFY(syncAndTake(reg.collector, &later));
    QCOMPARE(describeAll(later), QStringList());
}

void TestRtnetlinkSource::noInitialNotification()
{
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC, false).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    const auto records = reg.collector.records();
    QCOMPARE(records.size(), std::size_t(1));
    QCOMPARE(records.front().change, ChangeKind::SnapshotComplete);
    QCOMPARE(records.front().object, ObjectKind::None);
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    std::vector<ChangeRecord> later;
    QVERIFY(syncAndTake(reg.collector, &later));
    QCOMPARE(describeAll(later), QStringList());
}

void TestRtnetlinkSource::linkLifecycle()
{
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;
    std::vector<ChangeRecord> records;

    // Create: one add per end of the pair (the kernel registers the peer first).
    QVERIFY(makeVethPair(false));
    QVERIFY(expectThenSync(reg.collector, {u"interface add ncv1"_s, u"interface add ncv0"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface add ncv1"_s, u"interface add ncv0"_s}));
    const auto *added = std::get_if<InterfaceRow>(&records.back().after);
    QVERIFY(added);
    QCOMPARE(added->kind, std::string("veth"));
    QCOMPARE(added->mtu, 1500u);
    QCOMPARE(added->macLength, std::uint8_t(6));
    QVERIFY(!added->adminUp);

    // Up one end while the peer is down: admin up, operstate down -> lowerlayerdown, no carrier.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncv0 [operstate,admin_up]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncv0 [operstate,admin_up]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"operstate down -> lowerlayerdown; admin_up down -> up"_s}));

    // Up the other end: ncv1 comes up with carrier at once (veth_open), then linkwatch
    // (asynchronous) moves the operstate of both ends to up.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv1"_s, u"up"_s}));
    const QStringList upBoth = {u"interface parameter ncv1 [operstate,admin_up,carrier]"_s,
                                u"interface parameter ncv1 [operstate]"_s,
                                u"interface parameter ncv0 [operstate,carrier]"_s};
    QVERIFY(expectThenSync(reg.collector, upBoth, &got, &records));
    QCOMPARE(got, upBoth);
    QCOMPARE(detailsOf(records), QStringList({u"operstate down -> lowerlayerdown; admin_up down -> up; carrier no -> yes"_s,
                                              u"operstate lowerlayerdown -> up"_s,
                                              u"operstate lowerlayerdown -> up; carrier no -> yes"_s}));

    // No-op: already up. The kernel may still send RTM_NEWLINK; nothing shown changes.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"up"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());

    // MTU: exactly the mtu field.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"mtu"_s, u"1400"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncv0 [mtu]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncv0 [mtu]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"mtu 1500 -> 1400"_s}));

    // Same MTU again: no-op.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"mtu"_s, u"1400"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());

    // Down: ncv0 loses admin up, carrier and operstate; the peer loses carrier.
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"down"_s}));
    const QStringList down = {u"interface parameter ncv0 [operstate,admin_up,carrier]"_s,
                              u"interface parameter ncv1 [operstate,carrier]"_s};
    QVERIFY(expectThenSync(reg.collector, down, &got, &records));
    QCOMPARE(got, down);

    // Rename (the link must be down).
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv0"_s, u"name"_s, u"ncvr0"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"interface parameter ncvr0 [name]"_s}, &got, &records));
    QCOMPARE(got, QStringList({u"interface parameter ncvr0 [name]"_s}));
    QCOMPARE(detailsOf(records), QStringList({u"name ncv0 -> ncvr0"_s}));

    // Delete one end: the kernel first closes the peer that is still up (RTM_NEWLINK
    // without IFF_UP), then unregisters both.
    QVERIFY(runIp({u"link"_s, u"del"_s, u"ncvr0"_s}));
    const QStringList gone = {u"interface parameter ncv1 [operstate,admin_up]"_s, u"interface delete ncvr0"_s,
                              u"interface delete ncv1"_s};
    QVERIFY(expectThenSync(reg.collector, gone, &got));
    QCOMPARE(got, gone);
}

void TestRtnetlinkSource::ipv4Addresses()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;

    // The order is the kernel's (6.x): the address, then its local, prefix and broadcast routes.
    std::vector<ChangeRecord> records;
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList add = {u"address add 10.1.0.1/24"_s,
                             u"route add 10.1.0.1/32 table local metric 0"_s,
                             u"route add 10.1.0.0/24 table main metric 0"_s,
                             u"route add 10.1.0.255/32 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add, &got, &records));
    QCOMPARE(got, add);
    const auto *address = std::get_if<AddressRow>(&records[0].after);
    QVERIFY(address);
    QCOMPARE(records[0].family, Family::IPv4);
    QCOMPARE(address->label, std::string("ncv0"));
    QCOMPARE(address->scope, std::uint8_t(0)); // RT_SCOPE_UNIVERSE
    QVERIFY(address->flags & AddrPermanent);
    QCOMPARE(address->validLifetime, kInfiniteLifetime);
    QCOMPARE(address->validUntilUs, std::int64_t(0));
    const auto *local = std::get_if<RouteRow>(&records[1].after);
    QVERIFY(local);
    QCOMPARE(local->type, std::uint8_t(2));     // RTN_LOCAL
    QCOMPARE(local->protocol, std::uint8_t(2)); // RTPROT_KERNEL
    QCOMPARE(local->table, 255u);
    QVERIFY(local->prefSrc == IpAddress::v4(10, 1, 0, 1));
    const auto *prefix = std::get_if<RouteRow>(&records[2].after);
    QVERIFY(prefix);
    QCOMPARE(prefix->scope, std::uint8_t(253)); // RT_SCOPE_LINK
    QCOMPARE(prefix->nextHops.size(), std::size_t(1));
    QCOMPARE(prefix->nextHops[0].gateway.isUnspecified(), true);
    QCOMPARE(prefix->nextHops[0].ifIndex, address->ifIndex);
    QCOMPARE(std::get<RouteRow>(records[3].after).type, std::uint8_t(3)); // RTN_BROADCAST

    QVERIFY(runIp({u"addr"_s, u"del"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList del = {u"address delete 10.1.0.1/24"_s,
                             u"route delete 10.1.0.0/24 table main metric 0"_s,
                             u"route delete 10.1.0.255/32 table local metric 0"_s,
                             u"route delete 10.1.0.1/32 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, del, &got));
    QCOMPARE(got, del);
}

void TestRtnetlinkSource::ipv6Addresses()
{
    QVERIFY(makeVethPair(true));
    Registration reg;
    QVERIFY(reg.start(AF_INET6).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;
    std::vector<ChangeRecord> records;

    // IPv6 announces the prefix route before the address (kernel 6.x order).
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    const QStringList add = {u"route add 2001:db8:1::/64 table main metric 256"_s,
                             u"address add 2001:db8:1::1/64"_s,
                             u"route add 2001:db8:1::1/128 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add, &got, &records));
    QCOMPARE(got, add);
    const auto *address = std::get_if<AddressRow>(&records[1].after);
    QVERIFY(address);
    QCOMPARE(records[1].family, Family::IPv6);
    QVERIFY(address->flags & AddrNoDad);
    QVERIFY(address->flags & AddrPermanent);
    QVERIFY(!(address->flags & AddrTentative));
    QVERIFY(address->label.empty());

    QVERIFY(runIp({u"addr"_s, u"del"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s}));
    const QStringList del = {u"address delete 2001:db8:1::1/64"_s,
                             u"route delete 2001:db8:1::1/128 table local metric 0"_s,
                             u"route delete 2001:db8:1::/64 table main metric 256"_s};
    QVERIFY(expectThenSync(reg.collector, del, &got));
    QCOMPARE(got, del);

    // Lifetimes (noprefixroute: a prefix route of a finite address would outlive it).
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s, u"noprefixroute"_s}));
    const QStringList add2 = {u"address add 2001:db8:2::1/64"_s, u"route add 2001:db8:2::1/128 table local metric 0"_s};
    QVERIFY(expectThenSync(reg.collector, add2, &got));
    QCOMPARE(got, add2);
    // Forever -> finite: a parameter change (permanent flag and lifetime kind), held as
    // absolute expiry times.
    QVERIFY(runIp({u"addr"_s, u"change"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"300"_s,
                   u"preferred_lft"_s, u"200"_s, u"nodad"_s, u"noprefixroute"_s}));
    const QStringList finiteText = {u"address parameter 2001:db8:2::1/64 [flags,lifetime]"_s};
    QVERIFY(expectThenSync(reg.collector, finiteText, &got, &records));
    QCOMPARE(got, finiteText);
    QCOMPARE(detailsOf(records), QStringList({u"flags nodad permanent noprefixroute -> nodad noprefixroute; lifetime forever -> finite"_s}));
    const auto &finite = std::get<AddressRow>(records[0].after);
    QVERIFY(finite.validLifetime <= 300 && finite.validLifetime >= 298);
    QVERIFY(finite.preferredLifetime <= 200 && finite.preferredLifetime >= 198);
    const std::int64_t now = nowUs();
    QVERIFY(finite.validUntilUs > now + 290 * 1000000LL && finite.validUntilUs <= now + 300 * 1000000LL);
    QVERIFY(finite.preferredUntilUs > now + 190 * 1000000LL && finite.preferredUntilUs <= now + 200 * 1000000LL);
    // A renewal (finite -> other finite) is not a change.
    QVERIFY(runIp({u"addr"_s, u"change"_s, u"2001:db8:2::1/64"_s, u"dev"_s, u"ncv0"_s, u"valid_lft"_s, u"400"_s,
                   u"preferred_lft"_s, u"300"_s, u"nodad"_s, u"noprefixroute"_s}));
    QVERIFY(expectThenSync(reg.collector, {}, &got));
    QCOMPARE(got, QStringList());
}

void TestRtnetlinkSource::routeReplaceAndMetric()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    reg.collector.takeThrough([](const ChangeRecord &) { return true; });
    QStringList got;

    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s, u"metric"_s, u"100"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route add 10.9.0.0/24 table main metric 100 via 10.1.0.2"_s}, &got));
    QCOMPARE(got, QStringList({u"route add 10.9.0.0/24 table main metric 100 via 10.1.0.2"_s}));

    // Same key (metric 100), other gateway: a parameter change of the next hops.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.3"_s, u"metric"_s, u"100"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route parameter 10.9.0.0/24 table main metric 100 via 10.1.0.3 [nexthops]"_s}, &got));
    QCOMPARE(got, QStringList({u"route parameter 10.9.0.0/24 table main metric 100 via 10.1.0.3 [nexthops]"_s}));

    // Other metric: on Linux the metric is part of the route's key, so replace ADDS a route.
    QVERIFY(runIp({u"route"_s, u"replace"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.3"_s, u"metric"_s, u"200"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route add 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}, &got));
    QCOMPARE(got, QStringList({u"route add 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}));
    QString out;
    QVERIFY(runIp({u"-4"_s, u"route"_s, u"show"_s, u"10.9.0.0/24"_s}, &out));
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).size(), 2);

    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.9.0.0/24"_s, u"metric"_s, u"100"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route delete 10.9.0.0/24 table main metric 100 via 10.1.0.3"_s}, &got));
    QCOMPARE(got, QStringList({u"route delete 10.9.0.0/24 table main metric 100 via 10.1.0.3"_s}));
    QVERIFY(runIp({u"route"_s, u"del"_s, u"10.9.0.0/24"_s, u"metric"_s, u"200"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route delete 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}, &got));
    QCOMPARE(got, QStringList({u"route delete 10.9.0.0/24 table main metric 200 via 10.1.0.3"_s}));
}

void TestRtnetlinkSource::ipv6SamePrefixOnTwoInterfaces()
{
    // IPv6 keeps one route per device for the same prefix and metric (ff00::/8 multicast
    // on every up interface, fe80::/64 on every interface with a link-local address).
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv2"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv3"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv2"_s, u"up"_s}));
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncv3"_s, u"up"_s}));
    QVERIFY(waitOperUp(u"ncv2"_s));
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"add"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv0"_s, u"metric"_s, u"500"_s}));
    // `add` refuses (NLM_F_EXCL); `append` creates the second route, as the kernel does itself for ff00::/8.
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"append"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv2"_s, u"metric"_s, u"500"_s}));
    QString out;
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"show"_s, u"2001:db8:77::/64"_s}, &out));
    QCOMPARE(out.split(u'\n', Qt::SkipEmptyParts).size(), 2); // the kernel holds two routes

    Registration reg;
    QVERIFY(reg.start(AF_INET6, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    auto records = reg.collector.records();
    const auto initial = std::count_if(records.begin(), records.end(), [](const ChangeRecord &r) {
        return r.change == ChangeKind::Initial && describe(r).startsWith(u"route initial 2001:db8:77::/64"_s);
    });
    QCOMPARE(initial, 2);
    reg.collector.takeThrough([](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; });

    // Deleting one of them must leave the other one held (a delete record for exactly it).
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv0"_s, u"metric"_s, u"500"_s}));
    std::vector<ChangeRecord> got;
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return !r.empty(); }));
    QVERIFY(syncAndTake(reg.collector, &got));
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(got[0].change, ChangeKind::Delete);
    QString link;
    QVERIFY(runIp({u"-o"_s, u"link"_s, u"show"_s, u"dev"_s, u"ncv0"_s}, &link));
    const std::uint32_t ncv0 = link.section(u':', 0, 0).toUInt();
    QCOMPARE(std::get<RouteRow>(got[0].before).outIfIndex(), ncv0);
    QStringList texts;
    QVERIFY(runIp({u"-6"_s, u"route"_s, u"del"_s, u"2001:db8:77::/64"_s, u"dev"_s, u"ncv2"_s, u"metric"_s, u"500"_s}));
    QVERIFY(expectThenSync(reg.collector, {u"route delete 2001:db8:77::/64 table main metric 500"_s}, &texts));
    QCOMPARE(texts, QStringList({u"route delete 2001:db8:77::/64 table main metric 500"_s}));
}

void TestRtnetlinkSource::familyFilter()
{
    QVERIFY(makeVethPair(true));
    Registration v4, v6;
    QVERIFY(v4.start(AF_INET, true).ok());
    QVERIFY(v6.start(AF_INET6, true).ok());
    QVERIFY(v4.collector.waitForSnapshot());
    QVERIFY(v6.collector.waitForSnapshot());

    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"2001:db8:1::1/64"_s, u"dev"_s, u"ncv0"_s, u"nodad"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.9.0.0/24"_s, u"via"_s, u"10.1.0.2"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"2001:db8:9::/64"_s, u"via"_s, u"2001:db8:1::2"_s}));

    std::vector<ChangeRecord> r4, r6;
    QVERIFY(v4.collector.waitUntil([](const auto &r) { return hasDescription(r, u"route add 10.9.0.0/24 table main metric 0 via 10.1.0.2"_s); }));
    // The IPv6 address is announced by a work item (addrconf_dad_work), possibly after the route.
    QVERIFY(v6.collector.waitUntil([](const auto &r) {
        return hasDescription(r, u"route add 2001:db8:9::/64 table main metric 1024 via 2001:db8:1::2"_s)
            && hasDescription(r, u"address add 2001:db8:1::1/64"_s);
    }));
    QVERIFY(syncAndTakeAll({{&v4.collector, &r4}, {&v6.collector, &r6}}));
    QVERIFY(hasDescription(r4, u"address add 10.1.0.1/24"_s));
    QVERIFY(hasDescription(r6, u"address add 2001:db8:1::1/64"_s));
    QVERIFY(hasDescription(r4, u"interface initial lo"_s));
    QVERIFY(hasDescription(r6, u"interface initial lo"_s));
    for (const auto &r : r4)
        QVERIFY2(r.family != Family::IPv6, qPrintable(describe(r)));
    for (const auto &r : r6)
        QVERIFY2(r.family != Family::IPv4, qPrintable(describe(r)));
    // Both see every interface, with family unspec.
    QCOMPARE(std::count_if(r4.begin(), r4.end(), [](const ChangeRecord &r) { return r.object == ObjectKind::Interface; }),
             std::count_if(r6.begin(), r6.end(), [](const ChangeRecord &r) { return r.object == ObjectKind::Interface; }));
}

void TestRtnetlinkSource::cancelWhileBusy()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));

    // A burst of 2000 route additions from `ip -batch`, running while we cancel.
    QTemporaryFile batch;
    QVERIFY(batch.open());
    for (int i = 0; i < 2000; ++i)
        batch.write(QStringLiteral("route add 10.200.%1.%2/32 via 10.1.0.2\n").arg(i / 250).arg(i % 250).toUtf8());
    batch.flush();

    Registration reg;
    QVERIFY(reg.start(AF_INET).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    QProcess burst;
    burst.start(u"ip"_s, {u"-batch"_s, batch.fileName()});
    QVERIFY(burst.waitForStarted());
    // Cancel once events are flowing; each callback sleeps a little so one is likely
    // running when cancel is called.
    reg.collector.onBatch = [](std::span<const ChangeRecord>) { QThread::usleep(200); };
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return r.size() > 20; }));
    QVERIFY(reg.source->cancel(reg.handle).ok());
    reg.collector.markCancelled();
    const int batchesAtCancel = reg.collector.batches();
    QVERIFY(burst.waitForFinished(30000));
    QCOMPARE(burst.exitCode(), 0);
    // The sync marker on a second registration proves the remaining events were sent.
    Registration witness;
    QVERIFY(witness.start(AF_INET).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    std::vector<ChangeRecord> dummy;
    QVERIFY(syncAndTake(witness.collector, &dummy));
    QVERIFY(!reg.collector.callbackAfterCancel());
    QCOMPARE(reg.collector.batches(), batchesAtCancel);
    QCOMPARE(reg.source->cancel(reg.handle).error, Error::InvalidHandle);
}

void TestRtnetlinkSource::cancelInsideCallback()
{
    Registration reg;
    std::atomic<int> callbacks{0};
    std::atomic<bool> cancelOk{false};
    std::atomic<int> cancelsDone{0};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        ++callbacks;
        if (cancelsDone == 0) {
            // Runs on the reader thread: cancel must return without waiting for itself.
            cancelOk = reg.source->cancel(reg.handle).ok();
            ++cancelsDone;
        }
    };
    QVERIFY(reg.start(AF_UNSPEC, true).ok());
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return !r.empty(); }));
    QTRY_COMPARE_WITH_TIMEOUT(cancelsDone.load(), 1, kTimeoutMs);
    QVERIFY(cancelOk.load());

    // Changes after the deferred cancel reach a witness registration but not this one.
    Registration witness;
    QVERIFY(witness.start(AF_UNSPEC).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    QVERIFY(runIp({u"link"_s, u"add"_s, u"ncv0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncv1"_s}));
    std::vector<ChangeRecord> seen;
    QVERIFY(witness.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(syncAndTake(witness.collector, &seen));
    QCOMPARE(callbacks.load(), 1);
    QCOMPARE(reg.source->cancel(reg.handle).error, Error::InvalidHandle);
    // Destroying the source now must not hang on the self-cancelled reader thread.
    reg.source.reset();
}

void TestRtnetlinkSource::receiveBufferIsReported()
{
    Registration reg;
    QVERIFY(reg.start(AF_UNSPEC).ok());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QCOMPARE(stats.requestedReceiveBuffer, 32 * 1024 * 1024);
    QVERIFY(stats.effectiveReceiveBuffer > 0);
    if (stats.receiveBufferForced) // SO_RCVBUFFORCE: the kernel doubles the value it stores
        QCOMPARE(stats.effectiveReceiveBuffer, 2 * 32 * 1024 * 1024);
    QVERIFY(stats.eventSocketPortId != 0);
    QVERIFY(!reg.source->stats(reg.handle + 1000, &stats));
    QVERIFY(reg.collector.waitForSnapshot());
    QVERIFY(makeVethPair(false));
    QVERIFY(reg.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QVERIFY(stats.messages >= 2);
    QVERIFY(stats.records >= 3); // SnapshotComplete + two adds
    QVERIFY(stats.batches >= 2);
    QCOMPARE(stats.gaps, std::uint64_t(0));
    QCOMPARE(stats.decodeErrors, std::uint64_t(0));
    QVERIFY(reg.source->cancel(reg.handle).ok());
    QVERIFY(!reg.source->stats(reg.handle, &stats));
}

void TestRtnetlinkSource::destructorCancelsEverything()
{
    Collector a, b;
    {
        RtnetlinkSource source;
        RegisterParams p;
        p.addressFamily = AF_UNSPEC;
        p.callback = &Collector::callback;
        Handle ha = 0, hb = 0;
        p.callerContext = &a;
        QVERIFY(source.registerChanges(p, &ha).ok());
        p.callerContext = &b;
        QVERIFY(source.registerChanges(p, &hb).ok());
        QVERIFY(ha != hb);
        QVERIFY(a.waitForSnapshot());
    } // destroyed with both registrations live (b may still be dumping)
    a.markCancelled();
    b.markCancelled();
    Registration witness;
    QVERIFY(witness.start(AF_UNSPEC).ok());
    QVERIFY(witness.collector.waitForSnapshot());
    std::vector<ChangeRecord> dummy;
    QVERIFY(makeVethPair(false));
    QVERIFY(witness.collector.waitUntil([](const auto &r) { return hasDescription(r, u"interface add ncv0"_s); }));
    QVERIFY(syncAndTake(witness.collector, &dummy));
    QVERIFY(!a.callbackAfterCancel());
    QVERIFY(!b.callbackAfterCancel());
}

void TestRtnetlinkSource::overflowIsRecordedAndRepaired()
{
    QVERIFY(makeVethPair(true));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.1.0.1/24"_s, u"dev"_s, u"ncv0"_s}));
    constexpr int kRoutes = 3000;
    QTemporaryFile batch;
    QVERIFY(batch.open());
    for (int i = 0; i < kRoutes; ++i)
        batch.write(QStringLiteral("route add 10.201.%1.%2/32 via 10.1.0.2\n").arg(i / 250).arg(i % 250).toUtf8());
    batch.flush();

    // A tiny receive buffer and a slow consumer: the kernel must drop events (ENOBUFS).
    RtnetlinkSource::Options options;
    options.receiveBufferBytes = 4096;
    Registration reg(options);
    std::atomic<bool> slow{true};
    reg.collector.onBatch = [&](std::span<const ChangeRecord>) {
        if (slow.load())
            QThread::msleep(2);
    };
    QVERIFY(reg.start(AF_INET, true).ok());
    QVERIFY(reg.collector.waitForSnapshot());
    RtnetlinkSource::Stats stats;
    QVERIFY(reg.source->stats(reg.handle, &stats));
    QVERIFY(stats.effectiveReceiveBuffer < 64 * 1024);

    QVERIFY(runIp({u"-batch"_s, batch.fileName()}));
    QVERIFY(reg.collector.waitUntil([](const auto &records) {
        return std::any_of(records.begin(), records.end(), [](const ChangeRecord &r) { return r.change == ChangeKind::Gap; });
    }, 20000));
    slow = false;

    // Replay the records into a replica of the route table; after the resync it must equal
    // the kernel's table exactly.
    QString out;
    QVERIFY(runIp({u"-4"_s, u"route"_s, u"show"_s, u"table"_s, u"all"_s}, &out));
    const int kernelRoutes = int(out.split(u'\n', Qt::SkipEmptyParts).size());
    QVERIFY(kernelRoutes > kRoutes);
    auto replicaSize = [](const std::vector<ChangeRecord> &records, int *inferred) {
        std::set<QString> routes;
        *inferred = 0;
        for (const auto &r : records) {
            if (r.object != ObjectKind::Route)
                continue;
            const RouteRow &row = std::get<RouteRow>(r.row());
            const QString key = q(keyText(r.row())) + u' ' + QString::number(row.table) + u' ' + QString::number(row.metric);
            if (r.origin == Origin::Inferred)
                ++*inferred;
            if (r.change == ChangeKind::Delete)
                routes.erase(key);
            else
                routes.insert(key);
        }
        return int(routes.size());
    };
    int inferred = 0;
    const bool converged = reg.collector.waitUntil([&](const auto &records) {
        return replicaSize(records, &inferred) == kernelRoutes;
    }, 20000);
    QVERIFY(reg.source->stats(reg.handle, &stats));
    const auto records = reg.collector.records();
    qInfo().noquote() << "overflow:" << kRoutes << "routes, gaps" << stats.gaps << "resyncs" << stats.resyncs
                      << "inferred records" << inferred << "replica" << replicaSize(records, &inferred)
                      << "kernel" << kernelRoutes;
    QVERIFY(converged);
    QVERIFY(stats.gaps >= 1);
    QVERIFY(stats.resyncs >= 1);
    QVERIFY(inferred > 0);
    const auto gap = std::find_if(records.begin(), records.end(), [](const ChangeRecord &r) { return r.change == ChangeKind::Gap; });
    QCOMPARE(gap->object, ObjectKind::Gap);
    QVERIFY(QString::fromStdString(gap->note).contains(u"ENOBUFS"_s));
    QCOMPARE(std::count_if(records.begin(), records.end(), [](const ChangeRecord &r) { return r.change == ChangeKind::SnapshotComplete; }), 1);
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRtnetlinkSource test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_rtnetlinksource.moc"

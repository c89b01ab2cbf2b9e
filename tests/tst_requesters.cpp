// SPDX-License-Identifier: GPL-2.0-or-later
// Who asked for a change: RtnetlinkSource names the process behind each
// notification's nlmsg_pid, against the real kernel in a private network
// namespace. Requesters are ncv_nlrequester (a long-running helper holding one
// or several libmnl sockets), `ip` run from here, and the kernel itself (a link
// going down, the routes implied by an address).
#include "model/export/csvevents.h"
#include "model/export/csvreader.h"
#include "model/export/csvwriter.h"
#include "model/history/eventcodec.h"
#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/recording/eventtextmatcher.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordingreader.h"
#include "model/recording/recordingwriter.h"
#include "model/recording/sqlitedb.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/requester.h"
#include "support/netns.h"
#include "support/recordcollector.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <net/if.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ncv::platform;
using Who = ncv::platform::Requester;
using namespace Qt::StringLiterals;
using namespace std::string_literals;
using ncv::test::Collector;

namespace {

constexpr int kTimeoutMs = 5000;

bool runIp(const QStringList &args, qint64 *pid = nullptr)
{
    QProcess p;
    p.start(u"ip"_s, args);
    if (!p.waitForStarted(kTimeoutMs))
        return false;
    if (pid)
        *pid = p.processId();
    if (!p.waitForFinished(kTimeoutMs) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << "ip" << args.join(u' ') << "failed:" << p.readAllStandardError();
        return false;
    }
    return true;
}

/// The veth pair ncvd0 / ncvd1 (down); 0 when made.
int addLink()
{
    return QProcess::execute(u"ip"_s,
                             {u"link"_s, u"add"_s, u"ncvd0"_s, u"type"_s, u"veth"_s, u"peer"_s, u"name"_s, u"ncvd1"_s});
}

bool writeSysctl(const QString &path, const QByteArray &value)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(value) == value.size();
}

/// ncv_nlrequester running with `sockets` netlink sockets
/// (tests/support/nlrequester.cpp).
class Helper {
public:
    explicit Helper(int sockets)
    {
        m_process.start(QStringLiteral(NCV_NLREQUESTER), {QString::number(sockets)});
        if (!m_process.waitForStarted(kTimeoutMs))
            return;
        const QByteArray line = readLine();
        for (const QByteArray &port : line.trimmed().split(' '))
            if (!port.isEmpty())
                ports.push_back(port.toUInt());
    }
    ~Helper()
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(kTimeoutMs))
            m_process.kill();
    }
    qint64 pid() const { return m_process.processId(); }
    /// Sends one command line; the errno the helper answers (-1 when it does
    /// not).
    int command(const QByteArray &line)
    {
        m_process.write(line + '\n');
        const QByteArray answer = readLine();
        bool ok = false;
        const int result = answer.trimmed().toInt(&ok);
        return ok ? result : -1;
    }
    std::vector<std::uint32_t> ports;

private:
    QByteArray readLine()
    {
        QDeadlineTimer deadline(kTimeoutMs);
        while (!m_process.canReadLine() && !deadline.hasExpired())
            m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        return m_process.readLine();
    }
    QProcess m_process;
};

struct Registration {
    RtnetlinkSource source;
    Collector collector;
    Handle handle = 0;
    explicit Registration(bool initial = false)
    {
        RegisterParams p;
        p.objects = AllObjectsMask | RulesMask;
        p.addressFamily = AF_UNSPEC;
        p.callback = &Collector::callback;
        p.callerContext = &collector;
        p.initialNotification = initial;
        if (!source.registerChanges(p, &handle).ok())
            handle = 0;
    }
    ~Registration()
    {
        if (handle)
            source.cancel(handle);
    }
};

bool isRoute(const ChangeRecord &r, const IpAddress &destination, std::uint8_t prefixLength)
{
    const auto *route = std::get_if<RouteRow>(&r.row());
    return r.object == ObjectKind::Route && route && route->destination == destination
        && route->prefixLength == prefixLength;
}

bool isRule(const ChangeRecord &r, std::uint32_t priority)
{
    const auto *rule = std::get_if<RuleRow>(&r.row());
    return r.object == ObjectKind::Rule && rule && rule->priority == priority;
}

bool isAddress(const ChangeRecord &r, const IpAddress &address)
{
    const auto *a = std::get_if<AddressRow>(&r.row());
    return r.object == ObjectKind::Address && a && a->address == address;
}

/// Waits for the first record matching pred (and change) and returns it.
std::optional<ChangeRecord> waitFor(Collector &c, const std::function<bool(const ChangeRecord &)> &pred,
                                    ChangeKind change)
{
    std::optional<ChangeRecord> found;
    c.waitUntil([&](const std::vector<ChangeRecord> &records) {
        for (const ChangeRecord &r : records)
            if (r.change == change && pred(r)) {
                found = r;
                return true;
            }
        return false;
    });
    return found;
}

QString text(const ChangeRecord &r)
{
    return QString::fromStdString(requesterText(RequesterTable::get(r.requester)));
}

} // namespace

class TestRequesters : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void textForms();
    void helperWithOneSocket();
    void helperWithSeveralSockets();
    void ipFromAShell();
    void kernelChanges();
    void dumpRepliesNameNobody();
    void resolutionCanBeTurnedOff();
    void csvNamesTheRequester();
    void csvWithoutProcessColumnsImports();
    void recordingKeepsRequesters();
    void eventLogShowsAndFiltersBy();
};

void TestRequesters::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"needs a private network namespace: "_s + QString::fromStdString(ns.message)));
    QVERIFY(writeSysctl(u"/proc/sys/net/ipv6/conf/default/addr_gen_mode"_s, "1"));
}

void TestRequesters::cleanup()
{
    QProcess::execute(u"ip"_s, {u"link"_s, u"del"_s, u"ncvd0"_s});
    QProcess::execute(u"ip"_s, {u"route"_s, u"flush"_s, u"10.77.0.0/16"_s});
}

void TestRequesters::textForms()
{
    using Kind = Who::Kind;
    Who ip;
    ip.kind = Kind::Process;
    ip.portId = 4006;
    ip.pid = 4006;
    ip.command = "ip";
    QCOMPARE(requesterText(ip), "ip (4006)"s);
    QCOMPARE(requesterPidText(ip), "4006"s);
    Who gone = ip;
    gone.kind = Kind::Exited;
    gone.command.clear();
    QCOMPARE(requesterText(gone), "4006 (exited)"s);
    QCOMPARE(requesterText(RequesterTable::get(RequesterTable::kernel())), "kernel"s);
    QCOMPARE(requesterText(RequesterTable::get(RequesterTable::port(4006))), "port 4006"s);
    QCOMPARE(RequesterTable::port(0), RequesterTable::kernel());
    QCOMPARE(requesterText(RequesterTable::get(RequesterTable::cause("resync after gap"))), "resync after gap"s);
    QCOMPARE(requesterText(RequesterTable::get(0)), ""s);
    // Interned once: the same requester gets the same id, another one another id.
    QCOMPARE(RequesterTable::intern(ip), RequesterTable::intern(ip));
    QVERIFY(RequesterTable::intern(ip) != RequesterTable::intern(gone));
}

void TestRequesters::helperWithOneSocket()
{
    QVERIFY(addLink() == 0);
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncvd0"_s, u"up"_s}));
    const int ifIndex = int(if_nametoindex("ncvd0"));
    QVERIFY(ifIndex > 0);
    Registration reg;
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    Helper helper(1);
    QCOMPARE(helper.ports.size(), std::size_t(1));
    QCOMPARE(qint64(helper.ports[0]),
             helper.pid()); // a process's first socket: port id = PID

    QCOMPARE(helper.command("route add 0 1"), 0);
    QCOMPARE(helper.command("addr add 0 " + QByteArray::number(ifIndex) + " 1"), 0);
    QCOMPARE(helper.command("route del 0 1"), 0);
    QCOMPARE(helper.command("rule add 0 1"), 0);
    QCOMPARE(helper.command("rule del 0 1"), 0);
    const auto expectHelper = [&](const std::optional<ChangeRecord> &r) {
        QVERIFY(r);
        const auto &who = RequesterTable::get(r->requester);
        QCOMPARE(r->portId, helper.ports[0]);
        QCOMPARE(int(who.kind), int(Who::Kind::Process));
        QCOMPARE(qint64(who.pid), helper.pid());
        QCOMPARE(who.command, "ncv_nlrequester"s);
        QVERIFY2(who.commandLine.find("ncv_nlrequester 1") != std::string::npos, who.commandLine.c_str());
        QCOMPARE(text(*r), u"ncv_nlrequester (%1)"_s.arg(helper.pid()));
    };
    const IpAddress route = IpAddress::v4(10, 77, 1, 0);
    expectHelper(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isRoute(r, route, 24); }, ChangeKind::Add));
    expectHelper(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isAddress(r, IpAddress::v4(10, 78, 1, 1)); },
        ChangeKind::Add));
    expectHelper(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isRoute(r, route, 24); }, ChangeKind::Delete));
    expectHelper(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isRule(r, 2001); }, ChangeKind::Add));
    expectHelper(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isRule(r, 2001); }, ChangeKind::Delete));
    // The routes the address implies are the kernel's own (nlmsg_pid 0).
    const auto prefix = waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isRoute(r, IpAddress::v4(10, 78, 1, 0), 24); },
        ChangeKind::Add);
    QVERIFY(prefix);
    QCOMPARE(prefix->portId, 0u);
    QCOMPARE(text(*prefix), u"kernel"_s);
}

void TestRequesters::helperWithSeveralSockets()
{
    Registration reg;
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    Helper helper(3);
    QCOMPARE(helper.ports.size(), std::size_t(3));
    QVERIFY(helper.ports[1] != std::uint32_t(helper.pid())); // later sockets: other port ids
    for (std::uint32_t socket = 0; socket < 3; ++socket) {
        const int octet = int(10 + socket);
        QCOMPARE(helper.command("route add " + QByteArray::number(socket) + ' ' + QByteArray::number(octet)), 0);
        const auto r = waitFor(
            reg.collector, [&](const ChangeRecord &c) { return isRoute(c, IpAddress::v4(10, 77, octet, 0), 24); },
            ChangeKind::Add);
        QVERIFY(r);
        QCOMPARE(r->portId, helper.ports[socket]);
        QCOMPARE(qint64(RequesterTable::get(r->requester).pid), helper.pid());
        QCOMPARE(text(*r), u"ncv_nlrequester (%1)"_s.arg(helper.pid()));
    }
}

void TestRequesters::ipFromAShell()
{
    Registration reg;
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    int named = 0;
    constexpr int kRuns = 20;
    for (int octet = 100; octet < 100 + kRuns; ++octet) {
        qint64 pid = 0;
        QVERIFY(runIp({u"route"_s, u"add"_s, u"blackhole"_s, u"10.77.%1.0/24"_s.arg(octet)}, &pid));
        const auto r = waitFor(
            reg.collector, [&](const ChangeRecord &c) { return isRoute(c, IpAddress::v4(10, 77, octet, 0), 24); },
            ChangeKind::Add);
        QVERIFY(r);
        QCOMPARE(qint64(r->portId), pid);
        const auto &who = RequesterTable::get(r->requester);
        QCOMPARE(qint64(who.pid), pid); // that `ip`, never another process
        // `ip` waits only for its ACK and QProcess reaps it at once: named when it was
        // still there (alive or a zombie) as the notification was read, else its PID and
        // "exited".
        const QString t = text(*r);
        QVERIFY2(t == u"ip (%1)"_s.arg(pid) || t == u"%1 (exited)"_s.arg(pid), qPrintable(t));
        named += t.startsWith(u"ip "_s) ? 1 : 0;
    }
    qInfo().noquote() << "ip route add from QProcess: named" << named << "of" << kRuns << "times";

    // The same `ip`, not reaped until its change has been read: it is a zombie then (its
    // socket closed, so it is not in the socket table; its PID and name still in /proc) and
    // is always named, whatever the timing.
    const QByteArray dst = "10.77.99.0/24";
    char *argv[] = {const_cast<char *>("ip"),        const_cast<char *>("route"),         const_cast<char *>("add"),
                    const_cast<char *>("blackhole"), const_cast<char *>(dst.constData()), nullptr};
    pid_t child = 0;
    QCOMPARE(::posix_spawnp(&child, "ip", nullptr, nullptr, argv, environ), 0);
    const auto r = waitFor(
        reg.collector, [&](const ChangeRecord &c) { return isRoute(c, IpAddress::v4(10, 77, 99, 0), 24); },
        ChangeKind::Add);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    QVERIFY(r);
    QCOMPARE(text(*r), u"ip (%1)"_s.arg(child));
}

void TestRequesters::kernelChanges()
{
    QVERIFY(addLink() == 0);
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncvd0"_s, u"up"_s}));
    QVERIFY(runIp({u"addr"_s, u"add"_s, u"10.79.0.1/24"_s, u"dev"_s, u"ncvd0"_s}));
    QVERIFY(runIp({u"route"_s, u"add"_s, u"10.79.5.0/24"_s, u"via"_s, u"10.79.0.2"_s}));
    Registration reg;
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncvd0"_s, u"down"_s}));
    const auto link = waitFor(
        reg.collector,
        [](const ChangeRecord &r) {
            const auto *i = std::get_if<InterfaceRow>(&r.after);
            return r.object == ObjectKind::Interface && i && i->name == "ncvd0" && !i->adminUp;
        },
        ChangeKind::Parameter);
    QVERIFY(link);
    QCOMPARE(link->portId, 0u); // link notifications carry no requester
    QCOMPARE(text(*link), u"kernel"_s);
    // The kernel removes the IPv4 route through the link unannounced: inferred,
    // named by its cause.
    const auto gone = waitFor(
        reg.collector, [](const ChangeRecord &r) { return isRoute(r, IpAddress::v4(10, 79, 5, 0), 24); },
        ChangeKind::Delete);
    QVERIFY(gone);
    QCOMPARE(int(gone->origin), int(Origin::Inferred));
    QCOMPARE(text(*gone), u"kernel (link ncvd0 down)"_s);
}

void TestRequesters::dumpRepliesNameNobody()
{
    QVERIFY(runIp({u"route"_s, u"add"_s, u"blackhole"_s, u"10.77.30.0/24"_s}));
    Registration reg(true);
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    int initial = 0;
    for (const ChangeRecord &r : reg.collector.records()) {
        if (r.change != ChangeKind::Initial)
            continue;
        ++initial;
        QCOMPARE(r.requester, 0u);
        QCOMPARE(r.portId, 0u);
    }
    QVERIFY(initial > 0);
}

void TestRequesters::resolutionCanBeTurnedOff()
{
    RtnetlinkSource::Options options;
    options.resolveRequesters = false;
    Collector collector; // before the source: destroyed after it
    RtnetlinkSource source(options);
    RegisterParams p;
    p.objects = AllObjectsMask;
    p.addressFamily = AF_UNSPEC;
    p.callback = &Collector::callback;
    p.callerContext = &collector;
    Handle handle = 0;
    QVERIFY(source.registerChanges(p, &handle).ok());
    QVERIFY(collector.waitForSnapshot());
    qint64 pid = 0;
    QVERIFY(runIp({u"route"_s, u"add"_s, u"blackhole"_s, u"10.77.31.0/24"_s}, &pid));
    const auto r = waitFor(
        collector, [&](const ChangeRecord &c) { return isRoute(c, IpAddress::v4(10, 77, 31, 0), 24); },
        ChangeKind::Add);
    QVERIFY(r);
    QCOMPARE(qint64(r->portId), pid); // the port id is kept
    QCOMPARE(r->requester, 0u);
    source.cancel(handle);
}

// The CSV's process and pid columns (added at the end) name the helper and its
// PID for each of its changes, the kernel for the routes it implies, and read
// back to the same requesters.
void TestRequesters::csvNamesTheRequester()
{
    QVERIFY(addLink() == 0);
    QVERIFY(runIp({u"link"_s, u"set"_s, u"ncvd0"_s, u"up"_s}));
    const int ifIndex = int(if_nametoindex("ncvd0"));
    Registration reg;
    QVERIFY(reg.handle);
    QVERIFY(reg.collector.waitForSnapshot());
    Helper helper(2);
    QCOMPARE(helper.ports.size(), std::size_t(2));
    QCOMPARE(helper.command("route add 1 40"), 0);
    QCOMPARE(helper.command("addr add 0 " + QByteArray::number(ifIndex) + " 40"), 0);
    QCOMPARE(helper.command("route del 1 40"), 0);
    QCOMPARE(helper.command("addr del 0 " + QByteArray::number(ifIndex) + " 40"), 0);
    const IpAddress address = IpAddress::v4(10, 78, 40, 1);
    QVERIFY(waitFor(
        reg.collector, [&](const ChangeRecord &r) { return isAddress(r, address); }, ChangeKind::Delete));

    QByteArray csv = ncv::csv::header();
    std::vector<ChangeRecord> records;
    for (const ChangeRecord &r : reg.collector.records()) {
        if (r.change == ChangeKind::SnapshotComplete)
            continue;
        records.push_back(r);
        csv += ncv::csv::genericRow(r, records.size(), u"ncvd0"_s);
    }
    QString error;
    const QList<QStringList> rows = ncv::csv::parse(csv, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.first().mid(15), (QStringList {u"process"_s, u"pid"_s, u"namespace"_s}));
    const QString helperText = u"ncv_nlrequester (%1)"_s.arg(helper.pid());
    int byHelper = 0, byKernel = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QStringList &row = rows.at(i);
        QCOMPARE(row.size(), 18);
        const ChangeRecord &r = records[std::size_t(i - 1)];
        const bool helperRoute = isRoute(r, IpAddress::v4(10, 77, 40, 0), 24);
        if (helperRoute || isAddress(r, address)) {
            QCOMPARE(row.at(15), helperText);
            QCOMPARE(row.at(16), QString::number(helper.pid()));
            ++byHelper;
        } else if (r.object == ObjectKind::Route && r.origin == Origin::Observed) {
            QCOMPARE(row.at(15),
                     u"kernel"_s); // the prefix and local routes of the address
            QCOMPARE(row.at(16), QString());
            ++byKernel;
        }
    }
    QCOMPARE(byHelper, 4);
    QVERIFY(byKernel >= 2);

    // Read back: the same requester text for every row.
    QStringList back;
    ncv::csv::CsvEventReader reader([&](const ChangeRecord &r, const QString &) { back << text(r); });
    reader.feed(csv.constData(), std::size_t(csv.size()));
    reader.finish();
    QCOMPARE(reader.stats().badRows, 0);
    QCOMPARE(back.size(), qsizetype(records.size()));
    for (std::size_t i = 0; i < records.size(); ++i)
        QCOMPARE(back.at(qsizetype(i)), text(records[i]));
}

void TestRequesters::csvWithoutProcessColumnsImports()
{
    QByteArray csv = QByteArray(ncv::csv::kHeaderLineWithoutProcess) + "\r\n";
    csv += "1,2026-11-21T11:42:03.000001Z,interface,add,unspec,5,x0,,,,,,,state "
           "up mtu 1500,observed\r\n";
    QVERIFY(ncv::csv::looksLikeCsvExport(csv));
    int read = 0;
    ncv::csv::CsvEventReader reader([&](const ChangeRecord &r, const QString &) {
        ++read;
        QCOMPARE(r.requester, 0u);
    });
    reader.feed(csv.constData(), std::size_t(csv.size()));
    reader.finish();
    QCOMPARE(read, 1);
    QCOMPARE(reader.stats().badRows, 0);
}

namespace {

/// The helper's route and address changes, and the kernel's routes they imply,
/// as the source delivered them (no markers).
std::vector<ChangeRecord> helperChanges(qint64 *helperPid)
{
    std::vector<ChangeRecord> out;
    addLink();
    if (!runIp({u"link"_s, u"set"_s, u"ncvd0"_s, u"up"_s}))
        return out;
    const int ifIndex = int(if_nametoindex("ncvd0"));
    Registration reg;
    if (!reg.handle || !reg.collector.waitForSnapshot())
        return out;
    Helper helper(1);
    *helperPid = helper.pid();
    if (helper.command("route add 0 50") != 0
        || helper.command("addr add 0 " + QByteArray::number(ifIndex) + " 50") != 0
        || helper.command("route del 0 50") != 0)
        return out;
    if (!waitFor(
            reg.collector, [](const ChangeRecord &r) { return isRoute(r, IpAddress::v4(10, 77, 50, 0), 24); },
            ChangeKind::Delete))
        return out;
    for (const ChangeRecord &r : reg.collector.records())
        if (r.change != ChangeKind::SnapshotComplete)
            out.push_back(r);
    return out;
}

} // namespace

// A recording keeps who asked (events.requester, the requesters table): read
// back, every event names the same requester; a file without the column
// (written before it was added) reads as naming nobody.
void TestRequesters::recordingKeepsRequesters()
{
    qint64 pid = 0;
    const std::vector<ChangeRecord> records = helperChanges(&pid);
    QVERIFY(records.size() >= 4);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"rec.ncv"_s);
    {
        ncv::recording::RecordingWriter writer;
        ncv::recording::RecordingMeta meta;
        meta.source = u"rtnetlink"_s;
        QString error;
        QVERIFY2(writer.open(path, meta, &error), qPrintable(error));
        std::uint64_t seq = 0;
        for (const ChangeRecord &r : records) {
            std::string bytes;
            ncv::eventcodec::encode(r, bytes);
            writer.append(++seq, r.timeUs, bytes, u"ncvd0"_s);
        }
        QVERIFY2(writer.finish(&error), qPrintable(error));
    }
    const auto readBack = [&](QStringList *texts, std::vector<std::uint32_t> *ports) {
        ncv::recording::RecordingReader reader;
        QString error;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        std::vector<ncv::recording::RecordedEvent> events;
        QVERIFY2(reader.events(1, 1000, &events, &error), qPrintable(error));
        for (const auto &e : events) {
            *texts << text(e.record);
            ports->push_back(e.record.portId);
        }
    };
    QStringList texts;
    std::vector<std::uint32_t> ports;
    readBack(&texts, &ports);
    QCOMPARE(texts.size(), qsizetype(records.size()));
    for (std::size_t i = 0; i < records.size(); ++i) {
        QCOMPARE(texts.at(qsizetype(i)), text(records[i]));
        QCOMPARE(ports[i], records[i].portId);
    }
    QVERIFY(texts.contains(u"ncv_nlrequester (%1)"_s.arg(pid)));
    QVERIFY(texts.contains(u"kernel"_s));

    // The file's own tables say it too, for other tools.
    {
        ncv::recording::sql::Db db;
        std::string error;
        QCOMPARE(db.open(path.toStdString(), 2 /* SQLITE_OPEN_READWRITE */, &error), 0);
        ncv::recording::sql::Stmt st;
        QCOMPARE(st.prepare(db,
                            "SELECT r.kind, r.pid, r.command, r.port_id FROM "
                            "events e JOIN requesters r "
                            "ON r.id = e.requester WHERE r.kind = 'process'"),
                 0);
        QCOMPARE(st.step(), 100); // SQLITE_ROW
        QCOMPARE(st.int64(1), pid);
        QCOMPARE(st.text(2), std::string_view("ncv_nlrequester"));
        QCOMPARE(st.int64(3), pid);
        st.finalize();
        // The event_log view names it as the By column does.
        QCOMPARE(st.prepare(db, "SELECT process, pid, command FROM event_log WHERE pid IS NOT NULL"), 0);
        QCOMPARE(st.step(), 100);
        QCOMPARE(QString::fromUtf8(st.text(0)), u"ncv_nlrequester (%1)"_s.arg(pid));
        QCOMPARE(st.int64(1), pid);
        QCOMPARE(st.text(2), std::string_view("ncv_nlrequester"));
        st.finalize();
        // As a file from before: no requester column, no requesters table, and the view
        // it was written with (the view goes first: it names the column).
        QCOMPARE(db.exec("DROP VIEW event_log; ALTER TABLE events DROP COLUMN requester; DROP TABLE requesters;"
                         "CREATE VIEW event_log AS SELECT seq, time_us FROM events;",
                         &error),
                 0);
        QVERIFY(st.prepare(db, "SELECT process FROM event_log") != 0); // no such column: what the doc says
    }
    texts.clear();
    ports.clear();
    readBack(&texts, &ports);
    QCOMPARE(texts.size(), qsizetype(records.size()));
    for (const QString &t : std::as_const(texts))
        QCOMPARE(t, QString());
}

// The event log's By column, from memory and from a recording, and its filter:
// "ncv_nlreq" keeps exactly the helper's changes.
void TestRequesters::eventLogShowsAndFiltersBy()
{
    qint64 pid = 0;
    const std::vector<ChangeRecord> records = helperChanges(&pid);
    QVERIFY(records.size() >= 4);
    ncv::EventHistory history;
    for (const ChangeRecord &r : records)
        history.append(r, u"ncvd0"_s);
    ncv::EventLogModel model(&history);
    QCOMPARE(model.headerData(ncv::EventLogModel::By, Qt::Horizontal).toString(), u"By"_s);
    int helperRows = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QString by = model.index(row, ncv::EventLogModel::By).data().toString();
        QCOMPARE(by, text(records[std::size_t(row)]));
        helperRows += by == u"ncv_nlrequester (%1)"_s.arg(pid);
    }
    QCOMPARE(helperRows, 3);
    ncv::EventLogFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterFixedString(u"ncv_nlreq"_s);
    QCOMPARE(proxy.rowCount(), helperRows);
    // The recording's matcher gives the same answer as the log's cells.
    ncv::EventTextMatcher matcher(u"NCV_NLREQ"_s);
    int matched = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const bool m = matcher.matches(i + 1, records[i], u"ncvd0"_s);
        QCOMPARE(m, ncv::EventTextMatcher::matchesReference(i + 1, records[i], u"ncvd0"_s, u"NCV_NLREQ"_s));
        matched += m;
    }
    QCOMPARE(matched, helperRows);
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRequesters test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_requesters.moc"

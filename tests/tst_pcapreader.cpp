// SPDX-License-Identifier: GPL-2.0-or-later
// PcapReader on captures of real kernel messages, in a private network namespace. The nlmon
// device is not available everywhere, so the capture is made as nlmon would see it: a
// socket subscribed to the rtnetlink groups reads the kernel's notifications during a
// scenario of real changes (veth pair, addresses, routes, a link going down and away), after
// dumping links, addresses and routes on a second socket; each datagram (with its receive
// time in nanoseconds) is written as one LINKTYPE_NETLINK packet with libpcap's
// pcap_open_dead + pcap_dump, behind the cooked header nlmon and libpcap put there. Like a
// real nlmon capture it also holds the dump requests, a request the kernel never carried
// out, every notification twice (two listening sockets) and a packet of another netlink
// family. The capture is written as pcap (µs), pcap (ns), pcap with the other header byte
// order, and pcapng (ns, by editcap). Checks: the events read are the ones the live source
// delivered meanwhile; each packet's messages (count, types, flags, port ids) and time are
// what `tshark -r F -T fields` dissects from the same file; damaged and foreign input.
// Skips where namespaces are not allowed; the tshark / editcap parts skip without them.
#include "platform/linux/pcapreader.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/requester.h"
#include "support/changescenario.h"
#include "support/netns.h"
#include "support/recordcollector.h"

#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

using namespace ncv::platform;
using namespace Qt::StringLiterals;
using namespace std::string_literals;
using ncv::test::Collector;

namespace {

using ncv::test::ip;
using ncv::test::q;
using ncv::test::runTool;

std::int64_t nowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// One packet as nlmon would capture it: the netlink protocol and the datagram.
struct Packet {
    std::int64_t timeNs = 0;
    std::uint16_t protocol = NETLINK_ROUTE;
    QByteArray data; ///< netlink messages, host byte order
};

/// Reads rtnetlink notifications on a thread, after a dump of links, addresses and routes
/// (written with their requests, as nlmon sees them).
class KernelCapture {
public:
    bool start(QString *why)
    {
        events = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        dumps = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        sockaddr_nl sa {};
        sa.nl_family = AF_NETLINK;
        sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE
            | RTMGRP_NEIGH;
        if (events < 0 || dumps < 0 || ::bind(events, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0) {
            *why = u"netlink socket: "_s + QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
        for (const int group : {RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF}) // untracked kinds, as a system has
            ::setsockopt(events, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
        for (const std::uint16_t type : {RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE})
            if (!dump(type, why))
                return false;
        thread = std::thread([this] { readEvents(); });
        return true;
    }

    std::vector<Packet> stop()
    {
        stopping.store(true);
        thread.join();
        ::close(events);
        ::close(dumps);
        std::lock_guard lock(mutex);
        return packets;
    }

private:
    bool dump(std::uint16_t type, QString *why)
    {
        struct {
            nlmsghdr h;
            rtgenmsg g;
            char pad[3];
        } req {};
        req.h.nlmsg_len = NLMSG_LENGTH(sizeof(rtgenmsg));
        req.h.nlmsg_type = type;
        req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        req.h.nlmsg_seq = ++seq;
        req.g.rtgen_family = AF_UNSPEC;
        if (::send(dumps, &req, req.h.nlmsg_len, 0) < 0) {
            *why = u"dump request: "_s + QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
        packets.push_back({nowNs(), NETLINK_ROUTE, QByteArray(reinterpret_cast<const char *>(&req), req.h.nlmsg_len)});
        for (;;) {
            const ssize_t n = ::recv(dumps, buf.data(), buf.size(), 0);
            if (n <= 0) {
                *why = u"dump reply: "_s + QString::fromLocal8Bit(std::strerror(errno));
                return false;
            }
            packets.push_back({nowNs(), NETLINK_ROUTE, QByteArray(buf.data(), n)});
            const auto *h = reinterpret_cast<const nlmsghdr *>(buf.data());
            for (std::size_t left = std::size_t(n); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
                if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                    return true;
        }
    }

    void readEvents()
    {
        while (!stopping.load()) {
            pollfd p {events, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0)
                continue;
            const ssize_t n = ::recv(events, buf.data(), buf.size(), 0);
            const std::int64_t t = nowNs();
            if (n > 0) {
                std::lock_guard lock(mutex);
                packets.push_back({t, NETLINK_ROUTE, QByteArray(buf.data(), n)});
            }
        }
    }

    int events = -1, dumps = -1;
    std::uint32_t seq = 100;
    std::vector<char> buf = std::vector<char>(1 << 16);
    std::thread thread;
    std::atomic<bool> stopping {false};
    std::mutex mutex;
    std::vector<Packet> packets;
};

/// Writes packets as a LINKTYPE_NETLINK capture with libpcap, each behind the 16-byte
/// cooked header nlmon and libpcap build (network byte order: packet type 4, outgoing from
/// nlmon's point of view; ARPHRD_NETLINK; no address; the netlink protocol).
bool writeCapture(const QString &path, const std::vector<Packet> &packets, bool nanoseconds, int linkType = DLT_NETLINK)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(
        linkType, 262144, nanoseconds ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    pcap_dumper_t *dumper = pcap_dump_open(dead, QFile::encodeName(path).constData());
    if (!dumper) {
        qWarning() << pcap_geterr(dead);
        pcap_close(dead);
        return false;
    }
    for (const Packet &p : packets) {
        QByteArray bytes(16, '\0');
        bytes[1] = 4;
        bytes[2] = char(824 >> 8);
        bytes[3] = char(824 & 0xff);
        bytes[14] = char(p.protocol >> 8);
        bytes[15] = char(p.protocol & 0xff);
        bytes += p.data;
        pcap_pkthdr h {};
        h.ts.tv_sec = time_t(p.timeNs / 1'000'000'000);
        const std::int64_t ns = p.timeNs % 1'000'000'000;
        h.ts.tv_usec = suseconds_t(nanoseconds ? ns : ns / 1000);
        h.caplen = h.len = bpf_u_int32(bytes.size());
        pcap_dump(reinterpret_cast<u_char *>(dumper), &h, reinterpret_cast<const u_char *>(bytes.constData()));
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
    return true;
}

/// The pcap file bytes with its headers in the other byte order (as a big-endian machine
/// writes them); the packets' contents are untouched.
QByteArray swapPcapHeaders(QByteArray file)
{
    const auto swap32 = [&](qsizetype at) { std::reverse(file.begin() + at, file.begin() + at + 4); };
    const auto swap16 = [&](qsizetype at) { std::reverse(file.begin() + at, file.begin() + at + 2); };
    swap32(0);
    swap16(4);
    swap16(6);
    for (qsizetype at : {8, 12, 16, 20})
        swap32(at);
    qsizetype at = 24;
    while (at + 16 <= file.size()) {
        quint32 caplen = 0;
        std::memcpy(&caplen, file.constData() + at + 8, 4);
        for (qsizetype f = 0; f < 16; f += 4)
            swap32(at + f);
        at += 16 + qsizetype(caplen);
    }
    return file;
}

struct Import {
    bool ok = false;
    std::string error;
    std::vector<ChangeRecord> records;
    std::vector<PcapMessage> messages;
    PcapStats stats;
};

Import readCapture(const QString &path)
{
    Import result;
    PcapReader reader([&](std::span<const ChangeRecord> records) {
        result.records.insert(result.records.end(), records.begin(), records.end());
    });
    reader.setMessageObserver([&](const PcapMessage &m) { result.messages.push_back(m); });
    result.ok = reader.readFile(QFile::encodeName(path).toStdString(), &result.error);
    result.stats = reader.stats();
    return result;
}

Import readBytes(const QByteArray &bytes, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return {};
    f.close();
    return readCapture(path);
}

std::vector<ChangeRecord> afterSnapshot(const std::vector<ChangeRecord> &records)
{
    std::vector<ChangeRecord> out;
    bool after = false;
    for (const ChangeRecord &r : records) {
        if (after)
            out.push_back(r);
        after |= r.change == ChangeKind::SnapshotComplete;
    }
    return out;
}

/// records without the live source's inferred add of an address or neighbor the kernel
/// announced only at its deletion, and that deletion just after it: a capture holds each
/// notification once per listening socket, so its reader cannot tell a second copy of a
/// deletion from the deletion of an unknown object, and shows neither (README).
std::vector<ChangeRecord> withoutUnannounced(const std::vector<ChangeRecord> &records)
{
    std::vector<ChangeRecord> out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const ChangeRecord &r = records[i];
        if (r.change == ChangeKind::Add && r.origin == Origin::Inferred
            && RequesterTable::get(r.requester).cause == "kernel (announced only at its deletion)") {
            ++i; // and its delete
            continue;
        }
        out.push_back(r);
    }
    return out;
}

} // namespace

class TestPcapReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void realKernelCapture();
    void formatsGiveTheSameRecords();
    void againstTshark_data();
    void againstTshark();
    void damagedInput_data();
    void damagedInput();
    void otherLinkTypeIsNamed();
    void recognisedByContent();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    std::vector<Packet> m_packets;
    QStringList m_liveEvents;
    QByteArray m_pcap; // the µs capture's bytes
};

void TestPcapReader::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"no private network namespace: "_s + q(ns.message)));
    QVERIFY(m_dir.isValid());
}

void TestPcapReader::realKernelCapture()
{
    QVERIFY(ip(u"link set lo up"_s));
    // The live source first: it sees every change the capture holds.
    Collector live; // before the source: destroyed after it
    RtnetlinkSource source;
    Handle handle = 0;
    QVERIFY(ncv::test::watchAll(source, live, &handle));

    KernelCapture capture;
    QString why;
    QVERIFY2(capture.start(&why), qPrintable(why));
    for (const QString &change : ncv::test::changeScenario())
        QVERIFY2(ip(change), qPrintable(change));
    QVERIFY(ncv::test::waitForScenarioEnd(live));
    QThread::msleep(200);
    const std::vector<Packet> read = capture.stop();
    QVERIFY(source.cancel(handle).ok());
    m_liveEvents = ncv::test::describeAll(withoutUnannounced(afterSnapshot(live.records())), true);

    // As nlmon shows them: every notification twice (two listening sockets); a request of
    // `ip link del ncv0` that the kernel refused, just after ncv0 appeared; a packet of
    // generic netlink.
    std::uint32_t ncv0 = 0;
    QByteArray refusedDelete;
    for (const Packet &p : read) {
        const auto *h = reinterpret_cast<const nlmsghdr *>(p.data.constData());
        if (h->nlmsg_type == RTM_DELLINK && !(h->nlmsg_flags & NLM_F_REQUEST)) {
            ncv0 = reinterpret_cast<const ifinfomsg *>(NLMSG_DATA(h))->ifi_index;
            refusedDelete = p.data.left(qsizetype(h->nlmsg_len));
            auto *r = reinterpret_cast<nlmsghdr *>(refusedDelete.data());
            r->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
            r->nlmsg_pid = 0;
            break;
        }
    }
    QVERIFY(ncv0 != 0);
    bool dumping = true;
    bool inserted = false;
    for (const Packet &p : read) {
        const auto *h = reinterpret_cast<const nlmsghdr *>(p.data.constData());
        const bool notification = !(h->nlmsg_flags & (NLM_F_REQUEST | NLM_F_MULTI)) && h->nlmsg_type >= RTM_BASE;
        if (dumping && notification) {
            dumping = false;
            Packet generic {p.timeNs, NETLINK_GENERIC, QByteArray(20, '\x01')};
            m_packets.push_back(generic);
        }
        m_packets.push_back(p);
        if (notification)
            m_packets.push_back(p);
        if (!inserted && h->nlmsg_type == RTM_NEWLINK
            && reinterpret_cast<const ifinfomsg *>(NLMSG_DATA(h))->ifi_index == int(ncv0)) {
            m_packets.push_back({p.timeNs + 1, NETLINK_ROUTE, refusedDelete});
            inserted = true;
        }
    }
    QVERIFY(inserted);

    QVERIFY(writeCapture(path(u"us.pcap"_s), m_packets, false));
    QFile f(path(u"us.pcap"_s));
    QVERIFY(f.open(QIODevice::ReadOnly));
    m_pcap = f.readAll();
    const Import imported = readCapture(path(u"us.pcap"_s));
    QVERIFY2(imported.ok, imported.error.c_str());
    const PcapStats &s = imported.stats;
    QVERIFY2(s.problem.empty(), s.problem.c_str());
    qInfo().noquote() << s.packets << "packets," << s.messages << "messages:" << s.requests << "requests,"
                      << s.dumpMessages << "dump replies," << s.eventMessages << "notifications," << s.records
                      << "records; not tracked:" << q(s.untrackedSummary())
                      << "; other:" << q(s.otherFamiliesSummary());
    QCOMPARE(s.format, "pcap"s);
    QCOMPARE(s.packets, std::uint64_t(m_packets.size()));
    QCOMPARE(s.requests, 4u); // three dumps, one refused delete
    QVERIFY(s.dumpMessages >= 5);
    QCOMPARE(s.laterDumpMessages, 0u);
    QCOMPARE(s.otherFamiliesSummary(), "1 generic packet"s);
    QCOMPARE(s.initialKinds, "links, addresses, routes"s);
    QVERIFY(s.missingKinds.empty());
    QCOMPARE(s.malformed, 0u);
    QCOMPARE(s.damagedPackets, 0u);
    QVERIFY(!s.untracked.count(RTM_NEWNEIGH) && s.untracked.count(RTM_NEWNETCONF)); // neighbors are tracked
    QCOMPARE(s.eventMessages % 2, 0u); // each twice

    // The start: the dumps as Initial rows (lo, its addresses and routes), then the marker,
    // no gap (all three kinds were dumped).
    std::size_t initial = 0;
    while (initial < imported.records.size() && imported.records[initial].change == ChangeKind::Initial)
        ++initial;
    QVERIFY(initial >= 3);
    QCOMPARE(imported.records[initial].change, ChangeKind::SnapshotComplete);
    QVERIFY(std::none_of(imported.records.begin(), imported.records.end(),
                         [](const ChangeRecord &r) { return r.object == ObjectKind::Gap; }));

    // The events are the ones the live view showed, in order: the refused request and the
    // repeated notifications change nothing.
    const QStringList events = ncv::test::describeAll(afterSnapshot(imported.records), true);
    QVERIFY(ncv::test::sameAsLive(events, m_liveEvents));
    QVERIFY(events.contains(u"route delete 10.2.0.0/24 table main metric 0 via 10.1.0.2 (inferred)"_s));
    QVERIFY(events.contains(u"interface delete ncv0"_s));

    // Records carry the time of a packet, rounded down to the µs, in order.
    std::set<std::int64_t> times;
    for (const PcapMessage &m : imported.messages)
        times.insert(m.timeNs / 1000);
    std::int64_t last = 0;
    for (const ChangeRecord &r : imported.records) {
        QVERIFY(times.count(r.timeUs));
        QVERIFY(r.timeUs >= last);
        last = r.timeUs;
    }
}

void TestPcapReader::formatsGiveTheSameRecords()
{
    if (m_packets.empty())
        QSKIP("needs the capture of realKernelCapture");
    const QStringList reference = ncv::test::describeAll(readCapture(path(u"us.pcap"_s)).records, true);
    QVERIFY(writeCapture(path(u"ns.pcap"_s), m_packets, true));
    QVERIFY(readBytes(swapPcapHeaders(m_pcap), path(u"swapped.pcap"_s)).ok);
    QStringList files {u"ns.pcap"_s, u"swapped.pcap"_s};
    const bool editcap = !QStandardPaths::findExecutable(u"editcap"_s).isEmpty();
    if (editcap) {
        QVERIFY(runTool(u"editcap"_s, {u"-F"_s, u"pcapng"_s, path(u"ns.pcap"_s), path(u"ns.pcapng"_s)}));
        files << u"ns.pcapng"_s;
    } else {
        qWarning("editcap (Debian tshark) not installed: the pcapng capture is not tested");
    }
    // The fuzz target's seeds (tests/fuzz/corpus/pcapreader) are these files.
    if (const QString seeds = qEnvironmentVariable("NCV_PCAP_SEED_DIR"); !seeds.isEmpty())
        for (const QString &name : files + QStringList {u"us.pcap"_s})
            QFile::copy(path(name), seeds + u'/' + name);
    for (const QString &name : files) {
        const Import other = readCapture(path(name));
        QVERIFY2(other.ok, other.error.c_str());
        QCOMPARE(ncv::test::describeAll(other.records, true), reference);
        QCOMPARE(other.stats.format, name.endsWith(u"ng"_s) ? "pcapng"s : "pcap"s);
        // Nanosecond files keep their nanoseconds: the records' microseconds and the
        // nanoseconds past them are a packet's time.
        const bool ns = name.startsWith(u"ns"_s);
        QCOMPARE(other.stats.nanosecondTimes, ns);
        std::set<std::int64_t> packetNs;
        for (const Packet &p : m_packets)
            packetNs.insert(ns ? p.timeNs : p.timeNs / 1000 * 1000);
        for (const ChangeRecord &r : other.records)
            QVERIFY2(packetNs.count(r.timeUs * 1000 + r.timeSubUsNs),
                     qPrintable(u"%1 %2"_s.arg(r.timeUs).arg(r.timeSubUsNs)));
        if (ns) {
            QCOMPARE(other.messages.front().timeNs, m_packets.front().timeNs);
            QVERIFY(other.stats.subMicrosecondTimes > 0);
            QVERIFY(std::any_of(other.records.begin(), other.records.end(),
                                [](const ChangeRecord &r) { return r.timeSubUsNs != 0; }));
        }
    }
}

void TestPcapReader::againstTshark_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("pcap µs") << u"us.pcap"_s;
    QTest::newRow("pcapng ns") << u"ns.pcapng"_s;
}

void TestPcapReader::againstTshark()
{
    QFETCH(QString, file);
    if (m_packets.empty())
        QSKIP("needs the capture of realKernelCapture");
    if (QStandardPaths::findExecutable(u"tshark"_s).isEmpty())
        QSKIP("tshark (Debian tshark) is not installed");
    if (!QFile::exists(path(file)))
        QSKIP("needs the files of formatsGiveTheSameRecords");
    // One line per packet: number, time, family, and per message (comma-separated): length,
    // control type, route type, flags, port id.
    QString out;
    QVERIFY(runTool(u"tshark"_s,
                    {u"-r"_s, path(file),           u"-T"_s, u"fields"_s,           u"-E"_s, u"occurrence=a"_s,
                     u"-E"_s, u"aggregator=,"_s,    u"-e"_s, u"frame.number"_s,     u"-e"_s, u"frame.time_epoch"_s,
                     u"-e"_s, u"netlink.family"_s,  u"-e"_s, u"netlink.hdr_len"_s,  u"-e"_s, u"netlink.hdr_flags"_s,
                     u"-e"_s, u"netlink.hdr_pid"_s, u"-e"_s, u"netlink.hdr_type"_s, u"-e"_s, u"netlink-route.nltype"_s},
                    &out));
    const Import imported = readCapture(path(file));
    QVERIFY(imported.ok);
    QCOMPARE(imported.stats.nanosecondTimes, file.startsWith(u"ns"_s));
    std::set<std::int64_t> tsharkNs; // every packet's time as tshark prints it
    std::map<std::uint64_t, std::vector<PcapMessage>> byPacket;
    for (const PcapMessage &m : imported.messages)
        byPacket[m.packet].push_back(m);
    int routePackets = 0, messages = 0;
    for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
        const QStringList f = line.split(u'\t');
        QCOMPARE(f.size(), 8);
        const std::uint64_t number = f[0].toULongLong();
        if (f[2].toUInt(nullptr, 0) != NETLINK_ROUTE) {
            QVERIFY2(!byPacket.count(number), qPrintable(line));
            continue;
        }
        ++routePackets;
        // frame.time_epoch: seconds with 9 decimals (tshark 4) or 6; compared in ns.
        const QStringList sec = f[1].split(u'.');
        const std::int64_t ns = sec[0].toLongLong() * 1'000'000'000 + sec[1].leftJustified(9, u'0').toLongLong();
        tsharkNs.insert(ns);
        const std::vector<PcapMessage> &mine = byPacket[number];
        const QStringList lengths = f[3].split(u',');
        const QStringList flags = f[4].split(u',');
        const QStringList pids = f[5].split(u',');
        // Types: control messages in netlink.hdr_type, the rest in netlink-route.nltype
        // (or hdr_type when the route dissector does not know them), compared as sets.
        QList<std::uint32_t> theirs, ours;
        for (const QString &t : QString(f[6] + u',' + f[7]).split(u',', Qt::SkipEmptyParts))
            theirs << t.toUInt(nullptr, 0);
        QCOMPARE(qsizetype(mine.size()), lengths.size());
        for (std::size_t i = 0; i < mine.size(); ++i) {
            const PcapMessage &m = mine[i];
            const QString where = u"packet %1 message %2: %3"_s.arg(number).arg(i).arg(line);
            QVERIFY2(m.timeNs == ns, qPrintable(where + u" time %1"_s.arg(m.timeNs)));
            QVERIFY2(m.flags == flags[qsizetype(i)].toUInt(nullptr, 0), qPrintable(where));
            QVERIFY2(m.portId == pids[qsizetype(i)].toUInt(), qPrintable(where));
            ours << m.type;
            ++messages;
        }
        std::sort(theirs.begin(), theirs.end());
        std::sort(ours.begin(), ours.end());
        QVERIFY2(theirs == ours, qPrintable(line));
    }
    QCOMPARE(std::uint64_t(routePackets), imported.stats.routePackets);
    QCOMPARE(std::uint64_t(messages), imported.stats.messages);
    // Each record's time, with its nanoseconds, is a packet's time as tshark prints it.
    for (const ChangeRecord &r : imported.records)
        QVERIFY2(tsharkNs.count(r.timeUs * 1000 + r.timeSubUsNs),
                 qPrintable(u"%1 %2"_s.arg(r.timeUs).arg(r.timeSubUsNs)));
    // Wireshark's reading of direction (port id 0: to the kernel) would take the kernel's own
    // notifications, a link going down, for requests: they carry port id 0 as well.
    const auto kernelOwn = std::count_if(imported.messages.begin(), imported.messages.end(), [](const PcapMessage &m) {
        return m.role == PcapMessage::Role::Event && m.portId == 0;
    });
    QVERIFY(kernelOwn > 0);
}

void TestPcapReader::damagedInput_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("problem"); // how PcapStats::problem begins, or the error ("!...")
    QTest::newRow("empty") << u"empty"_s << u"!empty file"_s;
    QTest::newRow("random bytes") << u"random"_s << u"!not a pcap or pcapng capture"_s;
    QTest::newRow("truncated file") << u"truncated"_s << u"the file is damaged or ends inside packet "_s;
    QTest::newRow("length past the packet's end") << u"past"_s << u"packet "_s;
    QTest::newRow("length below the header") << u"short"_s << u"packet "_s;
    QTest::newRow("other byte order") << u"swapped"_s << QString();
}

void TestPcapReader::damagedInput()
{
    QFETCH(QString, kind);
    QFETCH(QString, problem);
    if (m_pcap.isEmpty())
        QSKIP("needs the capture of realKernelCapture");
    const Import whole = readCapture(path(u"us.pcap"_s));
    // The offset of the record header of a notification packet about half way in.
    std::vector<qsizetype> offsets;
    for (qsizetype at = 24; at + 16 <= m_pcap.size();) {
        offsets.push_back(at);
        quint32 caplen = 0;
        std::memcpy(&caplen, m_pcap.constData() + at + 8, 4);
        at += 16 + qsizetype(caplen);
    }
    const qsizetype cut = offsets[offsets.size() / 2];
    const qsizetype nl = cut + 16 + 16; // its first netlink message
    QByteArray bytes = m_pcap;
    if (kind == u"empty"_s) {
        bytes.clear();
    } else if (kind == u"random"_s) {
        QRandomGenerator rng(5);
        bytes.resize(4096);
        for (char &c : bytes)
            c = char(rng.bounded(256));
    } else if (kind == u"truncated"_s) {
        bytes = m_pcap.left(cut + 16 + 20);
    } else if (kind == u"past"_s || kind == u"short"_s) {
        const quint32 len = kind == u"past"_s ? 4000 : 9;
        std::memcpy(bytes.data() + nl, &len, 4);
    } else if (kind == u"swapped"_s) {
        // The first message of one packet in big-endian: the packet is not read.
        std::reverse(bytes.begin() + nl, bytes.begin() + nl + 4);
        std::reverse(bytes.begin() + nl + 4, bytes.begin() + nl + 6);
    }
    const Import got = readBytes(bytes, path(kind + u".pcap"_s));
    if (problem.startsWith(u'!')) {
        QVERIFY(!got.ok);
        QVERIFY2(q(got.error).contains(problem.mid(1)), got.error.c_str());
        QVERIFY(got.records.empty());
        return;
    }
    QVERIFY2(got.ok, got.error.c_str());
    QVERIFY2(q(got.stats.problem).startsWith(problem) && got.stats.problem.empty() == problem.isEmpty(),
             got.stats.problem.c_str());
    if (kind == u"swapped"_s) {
        QCOMPARE(got.stats.otherByteOrderPackets, 1u);
        QCOMPARE(got.stats.routePackets, whole.stats.routePackets - 1);
        return;
    }
    QCOMPARE(got.stats.damagedPackets, 1u);
    // What came before the damage is loaded as it was read whole.
    const QStringList all = ncv::test::describeAll(whole.records, true);
    const QStringList valid = ncv::test::describeAll(got.records, true);
    QVERIFY(valid.size() > 3);
    QCOMPARE(valid.mid(0, 3), all.mid(0, 3));
    const auto before = std::count_if(whole.messages.begin(), whole.messages.end(), [&](const PcapMessage &m) {
        return m.packet < std::uint64_t(offsets.size() / 2 + 1);
    });
    QVERIFY(qsizetype(got.messages.size()) >= before);
    if (kind == u"truncated"_s)
        QCOMPARE(qsizetype(got.messages.size()), before);
    else
        QCOMPARE(got.stats.packets, whole.stats.packets); // the packets after it are read
}

void TestPcapReader::otherLinkTypeIsNamed()
{
    std::vector<Packet> one {{nowNs(), 0, QByteArray(60, '\0')}};
    QVERIFY(writeCapture(path(u"ethernet.pcap"_s), one, false, DLT_EN10MB));
    const Import got = readCapture(path(u"ethernet.pcap"_s));
    QVERIFY(!got.ok);
    QVERIFY2(q(got.error).contains(u"link type 1 (Ethernet), not of netlink (253)"_s), got.error.c_str());
}

void TestPcapReader::recognisedByContent()
{
    if (m_pcap.isEmpty())
        QSKIP("needs the capture of realKernelCapture");
    QCOMPARE(PcapReader::captureFormat(m_pcap.constData(), 24), "pcap"s);
    const QByteArray swapped = swapPcapHeaders(m_pcap);
    QCOMPARE(PcapReader::captureFormat(swapped.constData(), 24), "pcap"s);
    QFile ng(path(u"ns.pcapng"_s));
    if (ng.open(QIODevice::ReadOnly)) {
        const QByteArray head = ng.read(64);
        QCOMPARE(PcapReader::captureFormat(head.constData(), std::size_t(head.size())), "pcapng"s);
    }
    const QByteArray sqlite("SQLite format 3\0\x10\0\x02\x02", 20);
    QCOMPARE(PcapReader::captureFormat(sqlite.constData(), 20), ""s);
    QCOMPARE(PcapReader::captureFormat(m_pcap.constData(), 3), ""s);
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestPcapReader test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_pcapreader.moc"

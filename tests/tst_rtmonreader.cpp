// SPDX-License-Identifier: GPL-2.0-or-later
// RtmonReader against the real tools, in a private network namespace: `rtmon file F`
// records a scenario of real changes (a veth pair, addresses, routes, a link going down and
// away) while the live RtnetlinkSource watches the same namespace. Then F is read back
// twice, by `ip monitor file F` and by RtmonReader: every link, address and route message
// ip prints is one the reader took, in the same order and under the same stamp to the
// microsecond, and the records the reader made from the events are the ones the live source
// delivered. Also damaged and foreign input (truncated, lengths past the end, random bytes,
// empty) and a stream fed in pieces. Skips where namespaces or rtmon are unavailable.
#include "platform/format.h"
#include "platform/linux/rtmonreader.h"
#include "platform/linux/rtnetlinksource.h"
#include "platform/rowfields.h"
#include "support/changescenario.h"
#include "support/netns.h"
#include "support/recordcollector.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <linux/rtnetlink.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>

using namespace ncv::platform;
using namespace Qt::StringLiterals;
using ncv::test::Collector;

namespace {

constexpr int kTimeoutMs = 5000;

using ncv::test::ip;
using ncv::test::q;
using ncv::test::runTool;

/// One message as `ip monitor label file F` prints it.
struct Printed {
    std::int64_t timeUs = 0;
    QString label; ///< LINK, ADDR, ROUTE, NETCONF, NEIGH...
    bool deleted = false;
    QString text;
};

/// Parses ip's output (ip/ipmonitor.c accept_msg, lib/utils.c print_nlmsg_timestamp):
/// "Timestamp: Wed Dec  2 23:45:08 2026 239116 us" (asctime in TZ=UTC, microseconds), then
/// "[LABEL]text" lines ("Deleted " first for RTM_DEL*), continuation lines indented.
bool parseIpMonitor(const QString &output, std::vector<Printed> *out)
{
    static const QRegularExpression stamp(u"^Timestamp: \\w+ (\\w+) +(\\d+) (\\d+):(\\d+):(\\d+) (\\d+) (\\d+) us$"_s);
    static const QRegularExpression entry(u"^\\[([A-Z]+)\\](.*)$"_s);
    std::int64_t now = -1;
    for (const QString &line : output.split(u'\n')) {
        if (const auto m = stamp.match(line); m.hasMatch()) {
            const QDate date
                = QDate::fromString(m.captured(1) + u' ' + m.captured(2) + u' ' + m.captured(6), u"MMM d yyyy"_s);
            if (!date.isValid())
                return false;
            const QDateTime t(date, QTime(m.captured(3).toInt(), m.captured(4).toInt(), m.captured(5).toInt()),
                              QTimeZone::utc());
            now = t.toMSecsSinceEpoch() * 1000 + m.captured(7).toLongLong();
        } else if (const auto e = entry.match(line); e.hasMatch()) {
            if (now < 0)
                return false;
            out->push_back({now, e.captured(1), e.captured(2).startsWith(u"Deleted "_s), e.captured(2)});
        }
    }
    return true;
}

QString labelOf(std::uint16_t type)
{
    const std::string kind = RtmonReader::kindName(type);
    return kind == "link"    ? u"LINK"_s
        : kind == "address"  ? u"ADDR"_s
        : kind == "neighbor" ? u"NEIGH"_s
        : kind == "rule"     ? u"RULE"_s
                             : u"ROUTE"_s;
}

bool tracked(std::uint16_t type)
{
    const std::string kind = RtmonReader::kindName(type);
    return kind == "link" || kind == "address" || kind == "route" || kind == "neighbor" || kind == "rule";
}

struct Import {
    std::vector<ChangeRecord> records;
    std::vector<RtmonMessage> messages;
    RtmonStats stats;
};

Import readBytes(const QByteArray &bytes, qsizetype piece = 0)
{
    Import result;
    RtmonReader reader([&](std::span<const ChangeRecord> records) {
        result.records.insert(result.records.end(), records.begin(), records.end());
    });
    reader.setMessageObserver([&](const RtmonMessage &m) { result.messages.push_back(m); });
    if (piece <= 0) {
        reader.feed(bytes.constData(), std::size_t(bytes.size()));
    } else {
        for (qsizetype at = 0; at < bytes.size(); at += piece)
            reader.feed(bytes.constData() + at, std::size_t(std::min(piece, bytes.size() - at)));
    }
    reader.finish();
    result.stats = reader.stats();
    return result;
}

QStringList describeAll(const std::vector<ChangeRecord> &records)
{
    return ncv::test::describeAll(records, true);
}

} // namespace

class TestRtmonReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void realRtmonFile();
    void piecesGiveTheSameRecords();
    void namespaceIdMessages();
    void unalignedLengthInPieces();
    void damagedInput_data();
    void damagedInput();
    void recognisedByContent();

private:
    QTemporaryDir m_dir;
    QByteArray m_file; // the real recording, for the tests after the first
};

void TestRtmonReader::initTestCase()
{
    const auto &ns = ncv::test::networkNamespaceResult();
    if (!ns.entered)
        QSKIP(qPrintable(u"no private network namespace: "_s + q(ns.message)));
    if (QStandardPaths::findExecutable(u"rtmon"_s).isEmpty()
        && QStandardPaths::findExecutable(u"rtmon"_s, {u"/usr/sbin"_s, u"/sbin"_s}).isEmpty())
        QSKIP("rtmon (iproute2) is not installed");
    QVERIFY(m_dir.isValid());
}

void TestRtmonReader::realRtmonFile()
{
    // lo down and without addresses: no routes at all, like the tables an rtmon file starts from (it dumps links
    // only), so that the live view and the import start from the same route state. (With
    // lo up the live view would know the kernel's routes on lo from its dump, and the
    // import would show "entity registered kernel" for the first kernel route of ncv0.)
    QVERIFY(ip(u"link set lo down"_s));
    QVERIFY(ip(u"addr flush dev lo"_s)); // and its local routes (host scope: down keeps them)
    // The live source first, so it sees every change the file records.
    Collector live; // before the source: destroyed after it
    RtnetlinkSource source;
    Handle handle = 0;
    QVERIFY(ncv::test::watchAll(source, live, &handle));

    const QString path = m_dir.filePath(u"scenario.rtmon"_s);
    QProcess rtmon;
    rtmon.start(u"rtmon"_s, {u"file"_s, path});
    QVERIFY(rtmon.waitForStarted());
    QDeadlineTimer dumped(kTimeoutMs);
    while (QFileInfo(path).size() < 64 && !dumped.hasExpired())
        QThread::msleep(10);
    QVERIFY2(QFileInfo(path).size() >= 64, "rtmon wrote no link dump");

    for (const QString &change : ncv::test::changeScenario())
        QVERIFY2(ip(change), qPrintable(change));
    QVERIFY(ncv::test::waitForScenarioEnd(live));
    // rtmon writes (and flushes) each message as it reads it, late on a loaded machine
    // (it can pause longer than any fixed wait): wait until the file holds the scenario's
    // last link, as the live view does.
    const auto fileHasScenarioEnd = [&path] {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        const Import sofar = readBytes(file.readAll());
        return std::any_of(sofar.records.begin(), sofar.records.end(), [](const ChangeRecord &r) {
            const auto *i = std::get_if<InterfaceRow>(&r.after);
            return i && i->name == "ncvend";
        });
    };
    QDeadlineTimer written(kTimeoutMs);
    while (!fileHasScenarioEnd() && !written.hasExpired())
        QThread::msleep(100);
    QVERIFY2(fileHasScenarioEnd(), "rtmon did not write the scenario's last link");
    rtmon.terminate();
    QVERIFY(rtmon.waitForFinished(kTimeoutMs));
    QVERIFY(source.cancel(handle).ok());

    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    m_file = f.readAll();
    const Import imported = readBytes(m_file);
    QVERIFY2(imported.stats.problem.empty(), imported.stats.problem.c_str());
    QCOMPARE(imported.stats.malformed, 0u);
    QVERIFY(imported.stats.dumpMessages >= 1); // lo at least
    qInfo().noquote() << "file" << m_file.size() << "bytes," << imported.stats.messages << "messages,"
                      << imported.stats.records << "records; not tracked:" << q(imported.stats.untrackedSummary());

    // 1. ip monitor prints each link, address and route message under the stamp the reader used.
    QString printedText;
    QVERIFY(runTool(u"ip"_s, {u"monitor"_s, u"label"_s, u"file"_s, path}, &printedText));
    std::vector<Printed> printed;
    QVERIFY2(parseIpMonitor(printedText, &printed), qPrintable(printedText.left(2000)));
    std::vector<Printed> printedTracked;
    for (const Printed &p : printed)
        if (p.label == u"LINK"_s || p.label == u"ADDR"_s || p.label == u"ROUTE"_s || p.label == u"NEIGH"_s
            || p.label == u"RULE"_s)
            printedTracked.push_back(p);
    std::vector<RtmonMessage> taken;
    for (const RtmonMessage &m : imported.messages)
        if (tracked(m.type))
            taken.push_back(m);
    QVERIFY(printedTracked.size() >= 20);
    QCOMPARE(taken.size(), printedTracked.size());
    for (std::size_t i = 0; i < taken.size(); ++i) {
        const Printed &p = printedTracked[i];
        const QString where = u"message %1: ip printed [%2]%3"_s.arg(i).arg(p.label, p.text);
        QVERIFY2(labelOf(taken[i].type) == p.label, qPrintable(where));
        QVERIFY2(((taken[i].type - 16) % 4 == 1) == p.deleted, qPrintable(where)); // RTM_DEL* = RTM_NEW* + 1
        QVERIFY2(taken[i].timeUs == p.timeUs,
                 qPrintable(where + u" at %1 µs, the reader at %2"_s.arg(p.timeUs).arg(taken[i].timeUs)));
    }
    // Messages of other kinds (netconf at least, for each new link) were counted, not lost.
    std::size_t printedOther = 0;
    for (const Printed &p : printed)
        printedOther += p.label != u"LINK"_s && p.label != u"ADDR"_s && p.label != u"ROUTE"_s && p.label != u"NEIGH"_s
            && p.label != u"RULE"_s;
    QVERIFY(printedOther > 0);
    QCOMPARE(imported.stats.untrackedTotal(), std::uint64_t(printedOther));
    QVERIFY(!imported.stats.untrackedSummary().empty());

    // 2. The records carry the time of the message they came from, in order.
    std::size_t at = 0;
    for (const RtmonMessage &m : imported.messages) {
        if (at < imported.records.size() && imported.records[at].change == ChangeKind::SnapshotComplete)
            at += 2; // the marker and the note after the dump
        for (std::size_t k = 0; k < m.records; ++k, ++at) {
            QVERIFY(at < imported.records.size());
            QCOMPARE(imported.records[at].timeUs, m.timeUs);
        }
    }

    // 3. The dump gave the initial links, then the marker and the note that the rest is unknown.
    std::size_t dumpEnd = 0;
    while (dumpEnd < imported.records.size() && imported.records[dumpEnd].change == ChangeKind::Initial)
        ++dumpEnd;
    QVERIFY(dumpEnd >= 1);
    QVERIFY(dumpEnd + 2 <= imported.records.size());
    QCOMPARE(imported.records[dumpEnd].change, ChangeKind::SnapshotComplete);
    QCOMPARE(imported.records[dumpEnd + 1].object, ObjectKind::Gap);
    QVERIFY(imported.records[dumpEnd + 1].note.starts_with(kRtmonIncompleteNote));
    QCOMPARE(imported.records[dumpEnd + 1].timeUs, imported.stats.firstStampUs);

    // 4. The events are the ones the live view showed: add, parameter, delete, entity
    // events and the inferred silent deletions, in the same order.
    std::vector<ChangeRecord> liveEvents;
    bool afterSnapshot = false;
    for (const ChangeRecord &r : live.records()) {
        if (afterSnapshot)
            liveEvents.push_back(r);
        afterSnapshot |= r.change == ChangeKind::SnapshotComplete;
    }
    const std::vector<ChangeRecord> importEvents(imported.records.begin() + std::ptrdiff_t(dumpEnd + 2),
                                                 imported.records.end());
    const QStringList liveText = describeAll(liveEvents);
    const QStringList importText = describeAll(importEvents);
    QVERIFY(ncv::test::sameAsLive(importText, liveText));
    QVERIFY(importText.contains(u"route delete 10.2.0.0/24 table main metric 0 via 10.1.0.2 (inferred)"_s));
    QVERIFY(importText.contains(u"interface delete ncv0"_s));
    QVERIFY(importText.contains(u"address delete 10.1.0.1/24"_s));
}

void TestRtmonReader::piecesGiveTheSameRecords()
{
    if (m_file.isEmpty())
        QSKIP("needs the recording of realRtmonFile");
    const QStringList whole = describeAll(readBytes(m_file).records);
    for (qsizetype piece : {1, 3, 17, 4096}) {
        const Import split = readBytes(m_file, piece);
        QVERIFY(split.stats.problem.empty());
        QCOMPARE(describeAll(split.records), whole);
    }
}

// RTM_NEWNSID / RTM_DELNSID as the kernel sent them (read from RTNLGRP_NSID while a veth
// peer went to another namespace, then while that namespace ended; tst_netlinkdecoder has
// the same bytes), each after rtmon's time stamp, at the end of the real file: an nsid add
// and an nsid delete at those times; a damaged one (no NETNSA_NSID) is counted as
// malformed, and no record.
void TestRtmonReader::namespaceIdMessages()
{
    if (m_file.isEmpty())
        QSKIP("needs the recording of realRtmonFile");
    const auto stamp = [](std::uint32_t sec, std::uint32_t usec) {
        QByteArray m(24, '\0');
        const std::uint32_t words[] = {24, 15, 0, 0, sec, usec}; // nlmsghdr (NLMSG_TSTAMP), then the time
        std::memcpy(m.data(), words, sizeof words);
        return m;
    };
    const QByteArray added = QByteArray::fromHex("1c000000580000000000000000000000000000000800010000000000");
    const QByteArray removed = QByteArray::fromHex("1c000000590000000000000000000000000000000800010000000000");
    QByteArray damaged = added.left(20);
    damaged[0] = 20;
    const std::int64_t t0 = 1'796'000'000'000'000; // after every stamp of the file
    const Import before = readBytes(m_file);
    const Import imported = readBytes(m_file + stamp(1'796'000'000, 0) + added + stamp(1'796'000'000, 250) + damaged
                                      + stamp(1'796'000'001, 0) + removed);
    QVERIFY2(imported.stats.problem.empty(), imported.stats.problem.c_str());
    QCOMPARE(imported.stats.malformed, before.stats.malformed + 1);
    QCOMPARE(imported.records.size(), before.records.size() + 2);
    const ChangeRecord &a = imported.records[imported.records.size() - 2];
    const ChangeRecord &d = imported.records.back();
    QCOMPARE(a.object, ObjectKind::Nsid);
    QCOMPARE(a.change, ChangeKind::Add);
    QCOMPARE(a.nsid, 0);
    QCOMPARE(a.timeUs, t0);
    QCOMPARE(d.object, ObjectKind::Nsid);
    QCOMPARE(d.change, ChangeKind::Delete);
    QCOMPARE(d.nsid, 0);
    QCOMPARE(d.timeUs, t0 + 1'000'000);
    QCOMPARE(summary(d), std::string("delete nsid 0 (id of a peer namespace removed)"));
    QCOMPARE(imported.stats.untrackedTotal(), before.stats.untrackedTotal());
}

void TestRtmonReader::unalignedLengthInPieces()
{
    if (m_file.size() < 4096)
        QSKIP("needs the recording of realRtmonFile");
    // A message whose length is not a multiple of 4 (the kernel pads, a damaged or foreign
    // file may not): the next message starts at the aligned offset, whether the padding
    // arrives in the same read or in the next one.
    QByteArray bytes = m_file;
    qsizetype at = 0;
    bool changed = false;
    while (at + 16 <= bytes.size()) {
        quint32 len = 0;
        quint16 type = 0;
        std::memcpy(&len, bytes.constData() + at, 4);
        std::memcpy(&type, bytes.constData() + at + 4, 2);
        if (type == RTM_NEWLINK && len >= 64 && len % 4 == 0) {
            const quint32 shorter = len - 3;
            std::memcpy(bytes.data() + at, &shorter, 4);
            changed = true;
            break;
        }
        at += qsizetype((len + 3) & ~3u);
    }
    QVERIFY(changed);
    const Import whole = readBytes(bytes);
    QVERIFY2(whole.stats.problem.empty(), whole.stats.problem.c_str());
    QCOMPARE(whole.messages.size(), readBytes(m_file).messages.size());
    const QStringList wholeText = describeAll(whole.records);
    for (qsizetype piece : {1, 2, 3, 5, 26, 61}) {
        const Import split = readBytes(bytes, piece);
        QVERIFY2(split.stats.problem.empty(), split.stats.problem.c_str());
        QCOMPARE(split.messages.size(), whole.messages.size());
        QCOMPARE(describeAll(split.records), wholeText);
    }
}

void TestRtmonReader::damagedInput_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("problem"); // how RtmonStats::problem begins ("" = none)
    QTest::newRow("empty") << u"empty"_s << QString();
    QTest::newRow("truncated in a message") << u"truncated"_s << u"truncated message at byte "_s;
    QTest::newRow("truncated in a header") << u"header"_s << u"the file ends inside a message header"_s;
    QTest::newRow("length past the end") << u"past"_s << u"truncated message at byte "_s;
    QTest::newRow("length below the header") << u"short"_s << u"a message at byte "_s;
    QTest::newRow("random bytes after the start") << u"random"_s << u"a message at byte "_s;
}

void TestRtmonReader::damagedInput()
{
    QFETCH(QString, kind);
    QFETCH(QString, problem);
    if (m_file.size() < 4096)
        QSKIP("needs the recording of realRtmonFile");
    const Import whole = readBytes(m_file);
    // The offset of a message boundary about half way in.
    qsizetype cut = 0;
    while (cut < m_file.size() / 2) {
        quint32 len = 0;
        std::memcpy(&len, m_file.constData() + cut, 4);
        cut += qsizetype((len + 3) & ~3u);
    }
    QByteArray bytes;
    if (kind == u"truncated"_s) {
        bytes = m_file.left(cut + 20);
    } else if (kind == u"header"_s) {
        bytes = m_file.left(cut + 7);
    } else if (kind == u"past"_s) {
        bytes = m_file.left(cut) + m_file.mid(cut, 16);
        const quint32 len = 4000; // far more than what follows
        std::memcpy(bytes.data() + cut, &len, 4);
    } else if (kind == u"short"_s) {
        bytes = m_file;
        const quint32 len = 9;
        std::memcpy(bytes.data() + cut, &len, 4);
    } else if (kind == u"random"_s) {
        bytes = m_file.left(cut);
        QRandomGenerator rng(12);
        for (int i = 0; i < 8192; ++i)
            bytes.append(char(rng.bounded(256)));
        const quint32 len = 0x7f3a9c11; // a random first word, as it may be
        std::memcpy(bytes.data() + cut, &len, 4);
    }
    const Import got = readBytes(bytes);
    QVERIFY2(q(got.stats.problem).startsWith(problem) && got.stats.problem.empty() == problem.isEmpty(),
             got.stats.problem.c_str());
    if (kind == u"empty"_s) {
        QVERIFY(got.records.empty());
        QCOMPARE(got.stats.messages, 0u);
        return;
    }
    // The valid part is loaded: the records of the messages before the cut, as read whole.
    const std::size_t before = whole.messages.size();
    QVERIFY(got.messages.size() < before);
    QVERIFY(got.messages.size() > 10);
    const QStringList all = describeAll(whole.records);
    const QStringList valid = describeAll(got.records);
    QVERIFY(valid.size() > 3);
    QCOMPARE(valid.mid(0, valid.size() - 0), all.mid(0, valid.size()));
    QCOMPARE(got.stats.unreadBytes + (got.stats.bytes - got.stats.unreadBytes), std::uint64_t(bytes.size()));
    if (kind != u"past"_s && kind != u"truncated"_s && kind != u"header"_s)
        QVERIFY(got.stats.unreadBytes >= std::uint64_t(bytes.size() - cut));
    else
        QVERIFY(got.stats.unreadBytes > 0);
}

void TestRtmonReader::recognisedByContent()
{
    if (m_file.isEmpty())
        QSKIP("needs the recording of realRtmonFile");
    QVERIFY(RtmonReader::looksLikeRtmon(m_file.constData(), std::size_t(m_file.size())));
    QVERIFY(!RtmonReader::looksLikeSwappedRtmon(m_file.constData(), std::size_t(m_file.size())));
    QByteArray swapped = m_file.left(16);
    std::reverse(swapped.begin(), swapped.begin() + 4);
    std::reverse(swapped.begin() + 4, swapped.begin() + 6);
    QVERIFY(!RtmonReader::looksLikeRtmon(swapped.constData(), 16));
    QVERIFY(RtmonReader::looksLikeSwappedRtmon(swapped.constData(), 16));
    const QByteArray sqlite("SQLite format 3\0\x10\0\x02\x02", 20);
    QVERIFY(!RtmonReader::looksLikeRtmon(sqlite.constData(), std::size_t(sqlite.size())));
    const QByteArray csv("sequence,time_utc,object,change,family,origin\n");
    QVERIFY(!RtmonReader::looksLikeRtmon(csv.constData(), std::size_t(csv.size())));
    QVERIFY(!RtmonReader::looksLikeRtmon(m_file.constData(), 15)); // too short to tell
    QRandomGenerator rng(7);
    int lookAlike = 0;
    for (int i = 0; i < 1000; ++i) {
        quint32 words[4];
        for (quint32 &w : words)
            w = rng.generate();
        lookAlike += RtmonReader::looksLikeRtmon(words, sizeof words);
    }
    QCOMPARE(lookAlike, 0);
}

int main(int argc, char **argv)
{
    // Before any thread exists (QCoreApplication, QProcess): enter the namespace.
    ncv::test::enterPrivateNetworkNamespace();
    QCoreApplication app(argc, argv);
    TestRtmonReader test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_rtmonreader.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// The file-backed log's text filter against its definition, on a recording of every kind
// of event (support/variedrecording.h): EventTextMatcher (the cells that need no formatting
// first, ASCII matched as bytes) gives the answer of matching every column's display text
// as a QString (EventLogModel's cells, QString::contains ignoring case), and
// FileEventLogModel's scan in parts on several threads keeps exactly the events a single
// full scan with that definition keeps, for many texts and time ranges.
#include "model/history/eventlogmodel.h"
#include "model/recording/eventtextmatcher.h"
#include "model/recording/fileeventlogmodel.h"
#include "model/recording/recordingreader.h"
#include "support/variedrecording.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <vector>

using namespace ncv;

namespace {

constexpr qint64 kEvents = 12'000;
constexpr std::uint64_t kPartEvents = 1000; // parts of a scan: up to 8 parts of 12,000 events

struct Event {
    std::uint64_t seq = 0;
    qint64 timeUs = 0;
    QStringList cells; // every column's display text, as the in-memory log shows it
};

} // namespace

class TestFileLogFilter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void matcherEqualsTheDefinition();
    void scanEqualsTheFullScan_data();
    void scanEqualsTheFullScan();

private:
    QStringList texts() const;
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_start = 1'700'000'000'000'000;
    std::vector<Event> m_events;
};

QStringList TestFileLogFilter::texts() const
{
    const Event &some = m_events[m_events.size() / 3];
    return {// IPv4 and IPv6 fragments: keys (destinations), gateways (the summary only)
            QStringLiteral("10.1.2"), QStringLiteral("10.0."), QStringLiteral(".0/24"), QStringLiteral("192.0.2.17"),
            QStringLiteral("198.51.100.7"), QStringLiteral("203.0.113"), QStringLiteral("2001:DB8:1"),
            QStringLiteral("fe80::dead"), QStringLiteral("::"),
            // interfaces, also by the "on" of the summary and inside notes; non-ASCII names
            QStringLiteral("eth0"), QStringLiteral("ETH1"), QStringLiteral("on br-lan"), QStringLiteral("wlän0"),
            QStringLiteral("WLÄN"), QStringLiteral("link"), QStringLiteral("K-LINK"), QString(QChar(0x212A)),
            // change, object and family kinds; upper case
            QStringLiteral("delete"), QStringLiteral("ADD"), QStringLiteral("parameter"), QStringLiteral("registered"),
            QStringLiteral("route"), QStringLiteral("Address"), QStringLiteral("interface"), QStringLiteral("gap"),
            QStringLiteral("ipv6"), QStringLiteral("IPv4"),
            // only in the record's decoded cells: metric, MTU, protocol, table, flags, notes
            QStringLiteral("metric 4242"), QStringLiteral("mtu"), QStringLiteral("1500 -> 9000"), QStringLiteral("bgp"),
            QStringLiteral("table 100"), QStringLiteral("link down"), QStringLiteral("enobufs"),
            QStringLiteral("permanent"), QStringLiteral("scope link"),
            // network namespaces: a name, a container's, part of one
            QStringLiteral("blue"), QStringLiteral("NGINX"), QStringLiteral("docker:3f2a"),
            // numbers and times, the separators of the summary, and nothing
            QStringLiteral("4242"), QStringLiteral("77"), some.cells[EventLogModel::Time].left(8), QStringLiteral("; "),
            QStringLiteral(" ("), QStringLiteral("no such text"), QStringLiteral("x"),
            // the number of some event
            some.cells[EventLogModel::Sequence]};
}

void TestFileLogFilter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("varied.ncv"));
    QString error;
    QVERIFY2(testdata::writeVariedRecording(m_path, kEvents, m_start, &error), qPrintable(error));
    recording::RecordingReader reader;
    QVERIFY2(reader.open(m_path, &error), qPrintable(error));
    reader.forEachEvent(
        std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(),
        [&](const recording::RecordedEvent &e) {
            Event ev;
            ev.seq = e.seq;
            ev.timeUs = e.record.timeUs;
            for (int c = 0; c < EventLogModel::ColumnCount; ++c) {
                const QVariant cell
                    = c == EventLogModel::Sequence || c == EventLogModel::Time || c == EventLogModel::Interface
                    ? EventLogModel::keyCell(c, false, e.seq, e.record.timeUs, e.ifName)
                    : EventLogModel::recordCell(c, e.record, e.ifName);
                ev.cells << cell.toString();
            }
            m_events.push_back(std::move(ev));
            return true;
        },
        &error);
    QCOMPARE(qint64(m_events.size()), kEvents);
    QVERIFY(reader.problems().isEmpty());
}

// Every event, every text: the matcher's answer is the definition's.
void TestFileLogFilter::matcherEqualsTheDefinition()
{
    recording::RecordingReader reader;
    QString error;
    QVERIFY2(reader.open(m_path, &error), qPrintable(error));
    const QStringList all = texts();
    std::vector<EventTextMatcher> matchers;
    for (const QString &text : all)
        matchers.emplace_back(text);
    std::vector<qint64> hits(all.size());
    std::size_t i = 0;
    int referenceChecks = 0;
    reader.forEachEvent(
        std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(),
        [&](const recording::RecordedEvent &e) {
            const Event &ev = m_events[i++];
            for (qsizetype t = 0; t < all.size(); ++t) {
                bool expected = false;
                for (const QString &cell : ev.cells)
                    expected = expected || cell.contains(all[t], Qt::CaseInsensitive);
                if (matchers[t].matches(e.seq, e.record, e.ifName) != expected) {
                    QTest::qFail(qPrintable(QStringLiteral("event %1, text \"%2\": expected %3, cells: %4")
                                                .arg(e.seq)
                                                .arg(all[t])
                                                .arg(expected)
                                                .arg(ev.cells.join(QStringLiteral(" | ")))),
                                 __FILE__, __LINE__);
                    return false;
                }
                hits[t] += expected;
                // The definition as the class states it, on a sample (it formats every cell).
                if (e.seq % 97 == 0) {
                    ++referenceChecks;
                    if (EventTextMatcher::matchesReference(e.seq, e.record, e.ifName, all[t]) != expected) {
                        QTest::qFail("matchesReference() differs from the cells", __FILE__, __LINE__);
                        return false;
                    }
                }
            }
            return true;
        },
        &error);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(qint64(i), kEvents);
    QVERIFY(referenceChecks > 0);
    // The texts are real: each finds some events and leaves some out, but "no such text".
    for (qsizetype t = 0; t < all.size(); ++t) {
        if (all[t] == QStringLiteral("no such text")) {
            QCOMPARE(hits[t], 0);
            continue;
        }
        if (hits[t] == 0 || hits[t] == kEvents)
            QFAIL(qPrintable(QStringLiteral("\"%1\" matches %2 of %3 events").arg(all[t]).arg(hits[t]).arg(kEvents)));
    }
}

void TestFileLogFilter::scanEqualsTheFullScan_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("fromOffsetUs"); // -1: no time range
    QTest::addColumn<qint64>("toOffsetUs");
    QTest::addColumn<int>("threads");
    // The matcher is compared on every text above; the scan in parts needs a few kinds.
    const QStringList all = texts();
    for (const QString &text : all.mid(0, 4) + all.mid(9, 8) + all.mid(17, 3) + all.mid(27, 4))
        QTest::addRow("\"%s\"", qPrintable(text)) << text << qint64(-1) << qint64(0) << 3;
    const qint64 span = m_events.back().timeUs - m_start;
    QTest::addRow("empty text, time range") << QString() << span / 3 << span / 2 << 3;
    QTest::addRow("time range, one thread") << QStringLiteral("eth0") << span / 5 << span / 2 << 1;
    QTest::addRow("time range, 8 threads") << QStringLiteral("192.0.2.1") << span / 7 << span - 1 << 8;
    QTest::addRow("time range of a moment") << QStringLiteral("route") << span / 2 << span / 2 + 1500 << 4;
    QTest::addRow("time range before the file") << QStringLiteral("route") << qint64(0) << qint64(0) << 4;
    QTest::addRow("one thread") << QStringLiteral("10.1") << qint64(-1) << qint64(0) << 1;
    QTest::addRow("8 threads") << QStringLiteral("fe80::") << qint64(-1) << qint64(0) << 8;
}

// FileEventLogModel's rows are the events a full scan with the definition keeps, in order.
void TestFileLogFilter::scanEqualsTheFullScan()
{
    QFETCH(QString, text);
    QFETCH(qint64, fromOffsetUs);
    QFETCH(qint64, toOffsetUs);
    QFETCH(int, threads);
    const qint64 from = m_start + fromOffsetUs, to = m_start + toOffsetUs;
    std::vector<std::uint64_t> expected;
    for (const Event &ev : m_events) {
        if (fromOffsetUs >= 0 && (ev.timeUs < from || ev.timeUs > to))
            continue;
        bool match = text.isEmpty();
        for (const QString &cell : ev.cells)
            match = match || cell.contains(text, Qt::CaseInsensitive);
        if (match)
            expected.push_back(ev.seq);
    }
    FileEventLogModel model;
    QString error;
    QVERIFY2(model.open(m_path, &error), qPrintable(error));
    model.setFilterThreads(threads, kPartEvents);
    model.setFilterText(text);
    if (fromOffsetUs >= 0)
        model.setTimeRange(from, to);
    model.waitForFilter();
    QCOMPARE(qint64(model.rowCount()), qint64(expected.size()));
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.sequenceAt(r) != expected[std::size_t(r)])
            QFAIL(
                qPrintable(QStringLiteral("row %1: %2, expected %3").arg(r).arg(model.sequenceAt(r)).arg(expected[r])));
        if (model.rowOfSequence(expected[std::size_t(r)]) != r)
            QFAIL(qPrintable(QStringLiteral("rowOfSequence(%1) != %2").arg(expected[r]).arg(r)));
    }
}

QTEST_MAIN(TestFileLogFilter)
#include "tst_filelogfilter.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// StreamFeed: the events an EventHistory appends reach the file as JSON Lines while the
// feed runs, in order, none lost however many arrive at once; an existing file is appended
// to; a write error (/dev/full) stops the stream with one line and no crash.
#include "support/modeltestrows.h"

#include "model/history/eventhistory.h"
#include "model/streamfeed.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace ncv;
using namespace ncvtest;
using namespace Qt::StringLiterals;

namespace {

std::vector<EventHistory::Entry> routeAdds(int first, int count)
{
    std::vector<EventHistory::Entry> entries;
    for (int i = first; i < first + count; ++i) {
        ChangeRecord r;
        r.object = ObjectKind::Route;
        r.change = ChangeKind::Add;
        r.family = Family::IPv4;
        r.timeUs = 1763725323000000 + i;
        r.after = numberedRoute(i);
        entries.push_back({r, u"nb%1"_s.arg(i % 3)});
    }
    return entries;
}

QList<QJsonObject> readLines(const QString &path, QString *bad = nullptr)
{
    QFile file(path);
    QList<QJsonObject> out;
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError && bad)
            *bad = QString::fromUtf8(line);
        out << doc.object();
    }
    return out;
}

} // namespace

class TestStreamFeed : public QObject {
    Q_OBJECT

private slots:
    void eventsReachTheFileWhileRunning()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"events.jsonl"_s);
        {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("{\"earlier\":true}\n");
        }
        EventHistory history;
        StreamFeed feed(&history);
        QString error;
        QVERIFY2(feed.open(path, &error), qPrintable(error));
        history.append(routeAdds(0, 3));
        // Out without finish(): a pipeline's tail sees them while the program runs.
        QTRY_COMPARE_WITH_TIMEOUT(readLines(path).size(), 4, 2000);
        const QList<QJsonObject> lines = readLines(path);
        QVERIFY(lines[0].value(QLatin1String("earlier")).toBool()); // appended, not truncated
        for (int i = 0; i < 3; ++i) {
            const QJsonObject &o = lines[i + 1];
            QCOMPARE(o.value(QLatin1String("sequence")).toInteger(), i + 1);
            QCOMPARE(o.value(QLatin1String("time_us")).toInteger(), 1763725323000000 + i);
            QCOMPARE(o.value(QLatin1String("if_name")).toString(), u"nb%1"_s.arg(i));
            QCOMPARE(o.value(QLatin1String("destination")).toString(), u"10.0.%1.0/24"_s.arg(i));
            QCOMPARE(o.value(QLatin1String("change")).toString(), u"add"_s);
        }
        QVERIFY(feed.finish(&error));
        QCOMPARE(feed.writtenEvents(), std::uint64_t(3));
        history.append(routeAdds(3, 1)); // after finish: not streamed
        QCOMPARE(readLines(path).size(), 4);
    }

    void theSnapshotMarkerComesAfterTheEventsBeforeIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"events.jsonl"_s);
        EventHistory history;
        StreamFeed feed(&history);
        QString error;
        QVERIFY(feed.open(path, &error));
        history.append(routeAdds(0, 2));
        feed.markSnapshotComplete(1763725323999999);
        history.append(routeAdds(2, 1));
        QVERIFY(feed.finish(&error));
        const QList<QJsonObject> lines = readLines(path);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[2].value(QLatin1String("change")).toString(), u"snapshot-complete"_s);
        QVERIFY(!lines[2].contains(QLatin1String("sequence")));
        QCOMPARE(lines[2].value(QLatin1String("time_us")).toInteger(), 1763725323999999);
        QVERIFY(lines[2].value(QLatin1String("record")).isString());
        QCOMPARE(lines[3].value(QLatin1String("sequence")).toInteger(), 3);
        QCOMPARE(feed.writtenEvents(), std::uint64_t(3)); // the marker is not an event
    }

    void aBurstArrivesWholeAndInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"burst.jsonl"_s);
        EventHistory history;
        StreamFeed feed(&history);
        QString error;
        QVERIFY(feed.open(path, &error));
        constexpr int kEvents = 200'000;
        for (int first = 0; first < kEvents; first += 5'000)
            history.append(routeAdds(first, 5'000));
        QVERIFY2(feed.finish(&error), qPrintable(error));
        QString bad;
        const QList<QJsonObject> lines = readLines(path, &bad);
        QVERIFY2(bad.isEmpty(), qPrintable(bad));
        QCOMPARE(lines.size(), kEvents);
        for (int i = 0; i < kEvents; ++i) {
            if (lines[i].value(QLatin1String("sequence")).toInteger() != i + 1)
                QFAIL(qPrintable(u"line %1 holds sequence %2"_s.arg(i + 1).arg(
                    lines[i].value(QLatin1String("sequence")).toInteger())));
        }
        QCOMPARE(feed.writtenEvents(), std::uint64_t(kEvents));
    }

    void aWriteErrorStopsTheStreamWithOneLine()
    {
        if (!QFile::exists(u"/dev/full"_s))
            QSKIP("needs /dev/full");
        EventHistory history;
        StreamFeed feed(&history);
        QString error;
        QVERIFY(feed.open(u"/dev/full"_s, &error));
        history.append(routeAdds(0, 10));
        QTRY_VERIFY_WITH_TIMEOUT(feed.failed(), 2000);
        QCOMPARE(feed.error(), u"writing the stream to /dev/full: No space left on device"_s);
        history.append(routeAdds(10, 10)); // ignored, no crash, no wait
        QVERIFY(!feed.finish(&error));
        QCOMPARE(error, feed.error());
        QCOMPARE(feed.writtenEvents(), std::uint64_t(0));
    }

    void aPathThatCannotBeOpenedIsOneLine()
    {
        EventHistory history;
        StreamFeed feed(&history);
        QString error;
        QVERIFY(!feed.open(u"/nonexistent/ncv/events.jsonl"_s, &error));
        QCOMPARE(error, u"cannot open /nonexistent/ncv/events.jsonl: No such file or directory"_s);
        QVERIFY(feed.finish(&error)); // never opened: nothing failed
    }
};

QTEST_GUILESS_MAIN(TestStreamFeed)
#include "tst_streamfeed.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// Recorder (headless mode) with ManualSource: --duration 0 equivalent, --no-initial,
// events after ready, stop() at any time, unwritable output.
#include "model/export/csvreader.h"
#include "model/history/eventhistory.h"
#include "model/notificationmodel.h"
#include "model/recorder.h"
#include "support/manualsource.h"
#include "support/modeltestrows.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ncv;
using namespace ncv::platform;
using namespace ncvtest;

namespace {
QList<QStringList> readCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QString error;
    QList<QStringList> rows = csv::parse(file.readAll(), &error);
    if (!error.isEmpty())
        qWarning() << error;
    return rows;
}

void seed(ManualSource &source)
{
    source.upsert(iface(1, "lo"));
    source.upsert(iface(2, "eth0"));
    source.upsert(address(2, "10.0.0.2", 24));
    source.upsert(address(2, "2001:db8::2", 64));
    source.upsert(route("10.0.0.0", 24, nullptr, 2));
    source.upsert(route("2001:db8::", 64, nullptr, 2));
}
/// A source whose initial snapshot never completes: it delivers two Initial interface
/// records on registration and nothing else (as a kernel dump still running does).
class StalledSnapshotSource final : public Source {
public:
    Status registerChanges(const RegisterParams &params, Handle *handle) override
    {
        std::vector<ChangeRecord> records;
        for (std::uint32_t index : {1u, 2u}) {
            ChangeRecord r;
            r.object = ObjectKind::Interface;
            r.change = ChangeKind::Initial;
            r.timeUs = nowUs();
            r.after = iface(index, index == 1 ? "lo" : "eth0");
            records.push_back(std::move(r));
        }
        if (params.initialNotification)
            params.callback(params.callerContext, records);
        *handle = 1;
        return Status::success();
    }
    Status cancel(Handle) override { return Status::success(); }
    std::string name() const override { return "stalled"; }
};
} // namespace

class TestRecorder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void durationZero_data()
    {
        QTest::addColumn<bool>("initial");
        QTest::addColumn<int>("family");
        QTest::addColumn<int>("rows");
        QTest::newRow("initial, both families") << true << platform::afUnspec() << 6;
        QTest::newRow("initial, IPv4") << true << platform::afInet() << 4; // 2 interfaces, 1 address, 1 route
        QTest::newRow("initial, IPv6") << true << platform::afInet6() << 4;
        QTest::newRow("no initial") << false << platform::afUnspec() << 0;
    }
    void durationZero()
    {
        QFETCH(bool, initial);
        QFETCH(int, family);
        QFETCH(int, rows);
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        Recorder recorder(&source, RecorderOptions {path, family, initial, 0});
        QSignalSpy ready(&recorder, &Recorder::ready);
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY2(recorder.start(&error), qPrintable(error));
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
        QCOMPARE(finished.at(0).at(1).toString(), QString());
        QCOMPARE(source.registrationCount(), std::size_t(0)); // cancelled
        const QList<QStringList> csv = readCsv(path);
        QCOMPARE(csv.size(), rows + 1);
        QCOMPARE(csv.at(0).at(0), QStringLiteral("sequence"));
        for (int i = 1; i < csv.size(); ++i) {
            QCOMPARE(csv.at(i).at(0), QString::number(i));
            QCOMPARE(csv.at(i).at(3), QStringLiteral("initial"));
        }
    }

    // The recording file is created before the source is asked; when the source refuses (an
    // unknown family here), no empty recording is left behind.
    void refusedRegistrationLeavesNoRecording()
    {
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rec.ncv"));
        RecorderOptions options;
        options.recordPath = path;
        options.addressFamily = 12345;
        Recorder recorder(&source, options);
        QString error;
        QVERIFY(!recorder.start(&error));
        QVERIFY2(error.contains(QStringLiteral("family")), qPrintable(error));
        QVERIFY2(QDir(dir.path()).entryList(QDir::Files).isEmpty(),
                 qPrintable(QDir(dir.path()).entryList(QDir::Files).join(u' ')));
    }

    void recordsUntilStop()
    {
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        Recorder recorder(&source, RecorderOptions {path, platform::afUnspec(), false, -1});
        QSignalSpy ready(&recorder, &Recorder::ready);
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY(recorder.start(&error));
        QTRY_COMPARE(ready.count(), 1);
        source.upsert(iface(2, "eth0", 9000));
        source.remove(route("10.0.0.0", 24, nullptr, 2));
        QTest::qWait(100);
        QCOMPARE(finished.count(), 0); // -1: until stop()
        source.upsert(iface(3, "eth3")); // still pending when stop() runs: must not be lost
        recorder.stop();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
        recorder.stop(); // once only
        QCOMPARE(finished.count(), 1);
        const QList<QStringList> csv = readCsv(path);
        QCOMPARE(csv.size(), 4);
        QCOMPARE(csv.at(1).at(3), QStringLiteral("parameter"));
        QCOMPARE(csv.at(1).at(12), QStringLiteral("mtu"));
        QCOMPARE(csv.at(2).at(3), QStringLiteral("delete"));
        QCOMPARE(csv.at(3).at(6), QStringLiteral("eth3"));
    }

    void durationTimerStartsAtReady()
    {
        ManualSource source;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        Recorder recorder(&source, RecorderOptions {path, platform::afUnspec(), true, 0.3});
        QSignalSpy ready(&recorder, &Recorder::ready);
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY(recorder.start(&error));
        QTRY_COMPARE(ready.count(), 1);
        QElapsedTimer timer;
        timer.start();
        source.upsert(iface(9, "late"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QVERIFY2(timer.elapsed() >= 250, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(readCsv(path).size(), 2);
    }

    // A duration longer than a QTimer interval can hold (int ms, 24.8 days) is kept whole:
    // the deadline is 40 days away, not capped, and recording goes on until it.
    void longDurationKeepsItsDeadline()
    {
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        const double days40 = 40.0 * 24 * 3600;
        Recorder recorder(&source,
                          RecorderOptions {dir.filePath(QStringLiteral("long.csv")), afUnspec(), true, days40});
        QCOMPARE(recorder.deadline().isForever(), true);
        QSignalSpy ready(&recorder, &Recorder::ready);
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY(recorder.start(&error));
        QTRY_COMPARE(ready.count(), 1);
        const qint64 remainingMs = recorder.deadline().remainingTime();
        QVERIFY2(remainingMs > qint64(days40 * 1000) - 60'000 && remainingMs <= qint64(days40 * 1000),
                 qPrintable(QString::number(remainingMs)));
        QTest::qWait(100);
        QCOMPARE(finished.count(), 0);
        recorder.stop();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
    }

    void stopBeforeReadyAndFromReadySlot()
    {
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        {
            const QString path = dir.filePath(QStringLiteral("early.csv"));
            Recorder recorder(&source, RecorderOptions {path, platform::afUnspec(), true, -1});
            QSignalSpy finished(&recorder, &Recorder::finished);
            QString error;
            QVERIFY(recorder.start(&error));
            recorder.stop(); // the snapshot was delivered but not yet applied: stop applies it
            QCOMPARE(finished.count(), 1);
            QCOMPARE(readCsv(path).size(), 7);
        }
        {
            const QString path = dir.filePath(QStringLiteral("onready.csv"));
            Recorder recorder(&source, RecorderOptions {path, platform::afUnspec(), true, -1});
            QSignalSpy finished(&recorder, &Recorder::finished);
            connect(&recorder, &Recorder::ready, &recorder, &Recorder::stop);
            QString error;
            QVERIFY(recorder.start(&error));
            QTRY_COMPARE(finished.count(), 1);
            QCOMPARE(finished.at(0).at(0).toInt(), 0);
            QCOMPARE(readCsv(path).size(), 7);
        }
    }

    void stopDuringTheSnapshotIsMarked_data()
    {
        QTest::addColumn<bool>("initial");
        QTest::newRow("initial rows") << true;
        QTest::newRow("no initial rows") << false;
    }
    void stopDuringTheSnapshotIsMarked()
    {
        QFETCH(bool, initial);
        StalledSnapshotSource source;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stalled.csv"));
        Recorder recorder(&source, RecorderOptions {path, afUnspec(), initial, -1});
        QSignalSpy ready(&recorder, &Recorder::ready);
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY(recorder.start(&error));
        QTest::qWait(50);
        recorder.stop();
        QCOMPARE(ready.count(), 0);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toInt(), 0); // the file was written
        QVERIFY(recorder.snapshotIncomplete());
        const QList<QStringList> csv = readCsv(path);
        QCOMPARE(csv.size(), 1 + (initial ? 2 : 0) + 1);
        const QStringList &marker = csv.last();
        QCOMPARE(marker.at(0), QString::number(csv.size() - 1)); // an event of its own, numbered
        QCOMPARE(marker.at(2), QStringLiteral("gap"));
        QCOMPARE(marker.at(3), QStringLiteral("gap"));
        QCOMPARE(marker.at(14), QStringLiteral("inferred"));
        QVERIFY2(marker.at(13).startsWith(QLatin1StringView(kSnapshotIncompleteNote)), qPrintable(marker.at(13)));
        if (initial)
            QVERIFY2(marker.at(13).contains(QStringLiteral("after 2 initial rows")), qPrintable(marker.at(13)));

        // A complete snapshot gets no marker.
        ManualSource complete;
        seed(complete);
        Recorder whole(&complete, RecorderOptions {dir.filePath(QStringLiteral("whole.csv")), afUnspec(), initial, 0});
        QSignalSpy wholeFinished(&whole, &Recorder::finished);
        QVERIFY(whole.start(&error));
        QTRY_COMPARE(wholeFinished.count(), 1);
        QVERIFY(!whole.snapshotIncomplete());
        for (const QStringList &row : readCsv(dir.filePath(QStringLiteral("whole.csv"))))
            QVERIFY2(row.at(2) != QStringLiteral("gap"), qPrintable(row.join(u',')));
    }

    void maxEventsDropsTheOldestAndSaysSo()
    {
        ManualSource source;
        seed(source); // 6 initial rows
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("capped.csv"));
        RecorderOptions options {path, afUnspec(), true, -1};
        options.maxEvents = 4;
        Recorder recorder(&source, options);
        QSignalSpy ready(&recorder, &Recorder::ready);
        QString error;
        QVERIFY(recorder.start(&error));
        QTRY_COMPARE(ready.count(), 1);
        source.upsert(iface(3, "eth3"));
        recorder.stop();
        QCOMPARE(recorder.model()->history()->size(), qint64(4));
        const QList<QStringList> csv = readCsv(path);
        QCOMPARE(csv.size(), 1 + 1 + 4);
        QCOMPARE(csv.at(1).at(0), QString());
        QCOMPARE(csv.at(1).at(2), QStringLiteral("gap"));
        QVERIFY2(csv.at(1).at(13).startsWith(QStringLiteral("oldest events dropped: 3 events (sequence 1 to 3)")),
                 qPrintable(csv.at(1).at(13)));
        QCOMPARE(csv.at(2).at(0), QStringLiteral("4"));
        QCOMPARE(csv.last().at(6), QStringLiteral("eth3"));
    }

    void unwritableOutputFailsWithReason()
    {
        ManualSource source;
        seed(source);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("missing/dir/out.csv"));
        Recorder recorder(&source, RecorderOptions {path, platform::afUnspec(), true, 0});
        QSignalSpy finished(&recorder, &Recorder::finished);
        QString error;
        QVERIFY(recorder.start(&error));
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(finished.at(0).at(0).toInt() != 0);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY(recorder.model()->history()->size() == 6); // still in memory
    }

    void badFamilyFailsToStart()
    {
        ManualSource source;
        Recorder recorder(&source, RecorderOptions {QStringLiteral("/tmp/x.csv"), 999, true, 0});
        QString error;
        QVERIFY(!recorder.start(&error));
        QVERIFY2(error.contains(QStringLiteral("999")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestRecorder)
#include "tst_recorder.moc"

// SPDX-License-Identifier: GPL-2.0-or-later
// FileEventLogModel over a real recording written by RecordingWriter (70k events, pages
// of 64 events and a cache of 4 pages, so reading pages is exercised everywhere): the rows
// and cells equal the in-memory log's (RecordingSession's EventLogModel, through an
// EventLogFilterProxy for filters and order), the cache stays bounded, and the model
// passes QAbstractItemModelTester.
#include "model/recording/fileeventlogmodel.h"

#include "model/history/eventhistory.h"
#include "model/history/eventlogfilterproxy.h"
#include "model/history/eventlogmodel.h"
#include "model/notificationmodel.h"
#include "model/recordingsession.h"
#include "model/tables/tablemodelroles.h"
#include "support/syntheticrecording.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ncv;

namespace {

constexpr qint64 kEvents = 70'000; // 70 s of events; a filter's scan runs in parts
constexpr int kPage = 64;
constexpr int kCachePages = 4;

// Every column's display text, sort value and the time of a row.
QStringList rowCells(const QAbstractItemModel *m, int row)
{
    QStringList cells;
    for (int c = 0; c < EventLogModel::ColumnCount; ++c) {
        const QModelIndex i = m->index(row, c);
        cells << i.data().toString() << i.data(SortRole).toString() << i.data(TimeUsRole).toString();
    }
    return cells;
}

} // namespace

class TestFileEventLogModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void rowsEqualTheInMemoryLog();
    void cacheStaysBounded();
    void filterEqualsTheInMemoryFilter_data();
    void filterEqualsTheInMemoryFilter();
    void sortsBySequenceAndRefusesOtherColumns();
    void rowOfSequenceFollowsTheFilter();
    void passesTheModelTester();

private:
    void openFile(FileEventLogModel *model, const QString &path);
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_start = 0;
    RecordingSession m_session; // the in-memory log of the same file
};

void TestFileEventLogModel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("big.ncv"));
    m_start = 1'700'000'000'000'000;
    QString error;
    QVERIFY2(testdata::writeSyntheticRecording(m_path, kEvents, m_start, &error), qPrintable(error));
    QVERIFY2(m_session.open(m_path, &error), qPrintable(error));
    QCOMPARE(m_session.loadedEvents(), kEvents);
}

void TestFileEventLogModel::openFile(FileEventLogModel *model, const QString &path)
{
    QString error;
    QVERIFY2(model->open(path, &error, kPage, kCachePages), qPrintable(error));
}

void TestFileEventLogModel::rowsEqualTheInMemoryLog()
{
    FileEventLogModel file;
    openFile(&file, m_path);
    EventLogModel *memory = m_session.model()->eventLog();
    QCOMPARE(file.rowCount(), int(kEvents));
    QCOMPARE(file.rowCount(), memory->rowCount());
    QCOMPARE(file.columnCount(), memory->columnCount());
    for (int c = 0; c < EventLogModel::ColumnCount; ++c)
        QCOMPARE(file.headerData(c, Qt::Horizontal), memory->headerData(c, Qt::Horizontal));
    // First, middle, last, and a stride through the whole file (every page boundary kind).
    QList<int> rows {0, 1, 3, 4, kPage - 1, kPage, int(kEvents / 2), int(kEvents) - 2, int(kEvents) - 1};
    for (int r = 5; r < kEvents; r += 997)
        rows << r;
    for (int r : std::as_const(rows))
        QCOMPARE(rowCells(&file, r), rowCells(memory, r));
    // Spot-check that the cells are real: the first route add on eth0 and the last row's number.
    QCOMPARE(file.index(4, EventLogModel::Object).data().toString(), QStringLiteral("route"));
    QCOMPARE(file.index(4, EventLogModel::Change).data().toString(), QStringLiteral("add"));
    QCOMPARE(file.index(int(kEvents) - 1, EventLogModel::Sequence).data().toString(), QString::number(kEvents));
    QCOMPARE(file.index(1, EventLogModel::Interface).data().toString(), QStringLiteral("eth1"));
    recording::RecordedEvent e;
    QVERIFY(file.eventAt(5000, &e));
    QCOMPARE(e.seq, m_session.model()->history()->sequence(5000));
    QCOMPARE(e.record.timeUs, m_session.model()->history()->timeUs(5000));
    QCOMPARE(e.record.change, platform::ChangeKind::Parameter);
    QVERIFY(!file.eventAt(int(kEvents), &e));
}

void TestFileEventLogModel::cacheStaysBounded()
{
    FileEventLogModel file;
    openFile(&file, m_path);
    // Scrolling through the whole log reads each page once and keeps 4.
    for (int r = 0; r < file.rowCount(); r += 16)
        QVERIFY(!file.index(r, EventLogModel::Summary).data().toString().isEmpty());
    QCOMPARE(file.pagesRead(), (kEvents + kPage - 1) / kPage);
    QCOMPARE(file.cachedPages(), kCachePages);
    // Rows of a cached page are not read again; a page that was evicted is.
    const qint64 before = file.pagesRead();
    file.index(int(kEvents) - 1, 0).data(TimeUsRole);
    QCOMPARE(file.pagesRead(), before);
    file.index(0, EventLogModel::Key).data();
    QCOMPARE(file.pagesRead(), before + 1);
}

void TestFileEventLogModel::filterEqualsTheInMemoryFilter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("fromOffsetUs"); // -1: no time range
    QTest::addColumn<qint64>("toOffsetUs");
    QTest::addColumn<bool>("descending");
    QTest::newRow("text in the key") << QStringLiteral("10.0.3.") << qint64(-1) << qint64(0) << false;
    QTest::newRow("text in the interface, descending") << QStringLiteral("ETH2") << qint64(-1) << qint64(0) << true;
    QTest::newRow("IPv6 only") << QStringLiteral("2001:db8:0:1") << qint64(-1) << qint64(0) << false;
    // The clock text of event 5000 to 10 ms: the Time column's text matches too.
    QTest::newRow("time text")
        << m_session.model()->eventLog()->index(5000, EventLogModel::Time).data().toString().left(11) << qint64(-1)
        << qint64(0) << false;
    QTest::newRow("text in the summary") << QStringLiteral("9000") << qint64(-1) << qint64(0) << false;
    QTest::newRow("time range") << QString() << qint64(20'000'000) << qint64(40'000'000) << false;
    QTest::newRow("time range and text") << QStringLiteral("delete") << qint64(50'000'000) << qint64(60'000'123)
                                         << true;
    QTest::newRow("nothing matches") << QStringLiteral("no such text") << qint64(-1) << qint64(0) << false;
}

void TestFileEventLogModel::filterEqualsTheInMemoryFilter()
{
    QFETCH(QString, text);
    QFETCH(qint64, fromOffsetUs);
    QFETCH(qint64, toOffsetUs);
    QFETCH(bool, descending);
    const Qt::SortOrder order = descending ? Qt::DescendingOrder : Qt::AscendingOrder;

    EventLogFilterProxy proxy;
    proxy.setSourceModel(m_session.model()->eventLog());
    proxy.setFilterFixedString(text);
    if (fromOffsetUs >= 0)
        proxy.setTimeRange(m_start + fromOffsetUs, m_start + toOffsetUs);
    proxy.sort(EventLogModel::Sequence, order);
    // Every case but the last keeps some rows and leaves some out.
    QCOMPARE(proxy.rowCount() == 0, text == QStringLiteral("no such text"));
    QVERIFY(proxy.rowCount() < kEvents);

    FileEventLogModel file;
    openFile(&file, m_path);
    QSignalSpy applied(&file, &FileEventLogModel::filterApplied);
    file.sort(EventLogModel::Sequence, order);
    file.setFilterText(text);
    if (fromOffsetUs >= 0)
        file.setTimeRange(m_start + toOffsetUs, m_start + fromOffsetUs); // reversed: swapped
    QVERIFY(file.isFiltering());
    file.waitForFilter();
    QVERIFY(!file.isFiltering());
    QVERIFY(!applied.isEmpty());
    QCOMPARE(applied.last().at(0).toLongLong(), qint64(proxy.rowCount()));

    QCOMPARE(file.rowCount(), proxy.rowCount());
    for (int r = 0; r < proxy.rowCount(); ++r) {
        if (file.sequenceAt(r) != proxy.index(r, 0).data(SortRole).toULongLong())
            QFAIL(qPrintable(QStringLiteral("row %1: %2 != %3")
                                 .arg(r)
                                 .arg(file.sequenceAt(r))
                                 .arg(proxy.index(r, 0).data(SortRole).toULongLong())));
    }
    for (int r = 0; r < proxy.rowCount(); r += std::max(1, proxy.rowCount() / 50))
        QCOMPARE(rowCells(&file, r), rowCells(&proxy, r));

    // Clearing the filter shows every event again, at once.
    file.setFilterText(QString());
    file.clearTimeRange();
    QVERIFY(!file.isFiltering());
    QCOMPARE(file.rowCount(), int(kEvents));
}

void TestFileEventLogModel::sortsBySequenceAndRefusesOtherColumns()
{
    FileEventLogModel file;
    openFile(&file, m_path);
    file.sort(EventLogModel::Time, Qt::DescendingOrder);
    QCOMPARE(file.sortOrder(), Qt::DescendingOrder);
    QCOMPARE(file.index(0, 0).data().toString(), QString::number(kEvents));
    QCOMPARE(file.index(int(kEvents) - 1, 0).data().toString(), QStringLiteral("1"));
    // Summary cannot be sorted: the order stays, and its header says why.
    file.sort(EventLogModel::Summary, Qt::AscendingOrder);
    QCOMPARE(file.sortOrder(), Qt::DescendingOrder);
    QCOMPARE(file.index(0, 0).data().toString(), QString::number(kEvents));
    QVERIFY(!FileEventLogModel::canSortBy(EventLogModel::Summary));
    QVERIFY(file.headerData(EventLogModel::Summary, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("sorts by # and Time only")));
    QVERIFY(!file.headerData(EventLogModel::Time, Qt::Horizontal, Qt::ToolTipRole).isValid());
}

void TestFileEventLogModel::rowOfSequenceFollowsTheFilter()
{
    FileEventLogModel file;
    openFile(&file, m_path);
    QCOMPARE(file.rowOfSequence(1), 0);
    QCOMPARE(file.rowOfSequence(quint64(kEvents)), int(kEvents) - 1);
    QCOMPARE(file.rowOfSequence(0), -1);
    QCOMPARE(file.rowOfSequence(quint64(kEvents) + 1), -1);
    file.setFilterText(QStringLiteral("eth1"));
    file.waitForFilter();
    QVERIFY(file.rowCount() > 0);
    QVERIFY(file.rowCount() < kEvents);
    for (int r : {0, 1, file.rowCount() / 3, file.rowCount() - 1})
        QCOMPARE(file.rowOfSequence(file.sequenceAt(r)), r);
    // Event 1 is eth0's initial event: filtered out.
    QCOMPARE(file.index(0, EventLogModel::Interface).data().toString(), QStringLiteral("eth1"));
    QCOMPARE(file.rowOfSequence(1), -1);
    file.sort(EventLogModel::Sequence, Qt::DescendingOrder);
    QCOMPARE(file.rowOfSequence(file.sequenceAt(7)), 7);
    QVERIFY(file.sequenceAt(0) > file.sequenceAt(1));
}

void TestFileEventLogModel::passesTheModelTester()
{
    const QString path = m_dir.filePath(QStringLiteral("small.ncv"));
    QString error;
    QVERIFY2(testdata::writeSyntheticRecording(path, 3000, m_start, &error), qPrintable(error));
    FileEventLogModel file;
    QAbstractItemModelTester tester(&file, QAbstractItemModelTester::FailureReportingMode::QtTest);
    FileEventLogProxy proxy;
    proxy.setSourceModel(&file);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    openFile(&file, path);
    QCOMPARE(proxy.rowCount(), 3000);
    // A window of 500 rows, re-based (a layout change) with persistent indexes inside and
    // outside it.
    proxy.setWindowRows(500);
    QCOMPARE(proxy.rowCount(), 500);
    QCOMPARE(proxy.sourceRowCount(), 3000);
    const QPersistentModelIndex kept = proxy.index(450, 2);
    const QPersistentModelIndex dropped = proxy.index(10, 0);
    QVERIFY(proxy.setWindowFirst(400));
    QCOMPARE(proxy.windowFirst(), 400);
    QCOMPARE(kept.row(), 50);
    QCOMPARE(kept.column(), 2);
    QCOMPARE(proxy.mapToSource(kept).row(), 450);
    QVERIFY(!dropped.isValid());
    QCOMPARE(proxy.index(0, EventLogModel::Sequence).data().toString(), QString::number(file.info().firstSeq + 400));
    QVERIFY(proxy.setWindowFirst(1'000'000)); // clamped: the last 500 rows
    QCOMPARE(proxy.windowFirst(), 2500);
    QCOMPARE(proxy.proxyRowOf(2999), 499);
    QCOMPARE(proxy.proxyRowOf(100), -1);
    proxy.setFilterText(QStringLiteral("eth3"));
    file.waitForFilter();
    QVERIFY(proxy.sourceRowCount() > 0 && proxy.sourceRowCount() < 3000);
    QCOMPARE(proxy.rowCount(), 500); // the window is clamped to the fewer rows
    QCOMPARE(proxy.windowFirst(), proxy.sourceRowCount() - 500);
    proxy.sort(EventLogModel::Time, Qt::DescendingOrder);
    file.setTimeRange(m_start, m_start + 1'000'000);
    file.waitForFilter();
    QVERIFY(proxy.rowCount() > 0);
    // A filter replaced while its scan runs: only the newest result is shown.
    file.setFilterText(QStringLiteral("route"));
    file.setFilterText(QString());
    file.clearTimeRange();
    file.waitForFilter();
    QCOMPARE(proxy.sourceRowCount(), 3000);
}

QTEST_MAIN(TestFileEventLogModel)
#include "tst_fileeventlogmodel.moc"
